// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dumpfile.h"
#include "ring.h"
#include "sink.h"

/* A chunk to write (or keep, in ring mode), or a dump of the ring to make. */
struct item {
	struct st_chunk c;
	bool dump;
	struct sink_dump_req req;
	struct st_chunk tasks; /* with a dump: c is its metadata */
	size_t bytes;	       /* counted in the queue (the ring empties c as it takes it) */
	struct item *next;
};

#define DONE_MAX 16

struct sink {
	struct st_writer *w;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t more, room;
	struct item *head, **tail;
	size_t queued, max_bytes, peak;
	bool stopping, thread_started;
	int err;
	struct st_writer_stats stats;
	uint64_t unwritten; /* event records dropped after a write error */
	/* Ring mode: chunks are kept in memory and written out by dumps. */
	struct ring *ring;
	struct dumpfiles *files;
	uint64_t ring_start, ring_newest; /* copies for other threads, under lock */
	size_t ring_bytes;
	struct sink_dump_done done[DONE_MAX];
	size_t ndone;
	uint64_t dumps, dump_bytes, finished;
};

static void item__free(struct item *it)
{
	st_chunk__free(&it->c);
	st_chunk__free(&it->tasks);
	free(it);
}

/* In the writer thread: make the dump @it asks for. */
static void dump__run(struct sink *s, struct item *it)
{
	struct sink_dump_done d = { 0 };
	int fd = dumpfiles__create(s->files, it->req.realtime_to, it->req.reason, d.path,
				   sizeof(d.path));

	d.reason = it->req.reason;
	if (fd < 0) {
		d.err = fd;
	} else {
		d.err = ring__dump(s->ring, fd, it->req.from, it->req.to, &it->c, &it->tasks, &d.res);
		if (fsync(fd) && !d.err && errno != EINVAL)
			d.err = -errno;
		if (close(fd) && !d.err)
			d.err = -errno;
		if (!d.err)
			dumpfiles__written(s->files, d.path);
	}
	if (!d.err && it->req.forget)
		ring__forget(s->ring, d.res.to);
	pthread_mutex_lock(&s->lock);
	if (s->ndone == DONE_MAX) {
		memmove(s->done, s->done + 1, (DONE_MAX - 1) * sizeof(*s->done));
		s->ndone--;
	}
	s->done[s->ndone++] = d;
	s->finished++;
	if (!d.err) {
		s->dumps++;
		s->dump_bytes += d.res.bytes;
	}
	pthread_mutex_unlock(&s->lock);
}

/* In the writer thread: one item, to the file or into the ring. Returns 0 or -errno. */
static int item__run(struct sink *s, struct item *it)
{
	if (!s->ring)
		return st_writer__add(s->w, &it->c);
	if (it->dump) {
		dump__run(s, it);
		return 0;
	}
	return ring__add(s->ring, &it->c);
}

static void *writer_main(void *arg)
{
	struct sink *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->head && !s->stopping)
			pthread_cond_wait(&s->more, &s->lock);
		struct item *it = s->head;
		if (!it)
			break;
		pthread_mutex_unlock(&s->lock);

		bool failed = s->err != 0;
		int err = failed ? 0 : item__run(s, it);

		pthread_mutex_lock(&s->lock);
		if (err && !s->err)
			s->err = err;
		/* After a write error nothing more reaches the file: those events are lost. */
		if ((failed || err) && it->c.type == ST_CHUNK_EVENTS)
			s->unwritten += it->c.count;
		if (s->w)
			st_writer__stats(s->w, &s->stats);
		if (s->ring) {
			s->ring_start = ring__start(s->ring);
			s->ring_newest = ring__newest(s->ring);
			s->ring_bytes = ring__bytes(s->ring);
		}
		s->head = it->next;
		if (!s->head)
			s->tail = &s->head;
		s->queued -= it->bytes;
		pthread_cond_broadcast(&s->room);
		item__free(it);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static struct sink *sink__alloc(size_t max_bytes)
{
	struct sink *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tail = &s->head;
	s->max_bytes = max_bytes;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
	pthread_cond_init(&s->room, NULL);
	return s;
}

static struct sink *sink__start(struct sink *s)
{
	int err = pthread_create(&s->thread, NULL, writer_main, s);

	if (err) {
		sink__free(s);
		errno = err;
		return NULL;
	}
	s->thread_started = true;
	return s;
}

struct sink *sink__new(int fd, int zstd_level, size_t max_bytes)
{
	struct sink *s = sink__alloc(max_bytes);

	if (!s)
		return NULL;
	s->w = st_writer__new(fd, zstd_level);
	if (!s->w) {
		int err = errno;
		sink__free(s);
		errno = err;
		return NULL;
	}
	return sink__start(s);
}

struct sink *sink__new_ring(const struct sink_ring_opts *o, int zstd_level, size_t max_bytes)
{
	struct sink *s = sink__alloc(max_bytes);

	if (!s)
		return NULL;
	s->ring = ring__new(o->duration_ns, o->max_bytes, zstd_level);
	s->files = s->ring ? dumpfiles__new(o->output, o->keep) : NULL;
	if (!s->files) {
		int err = errno ? errno : ENOMEM;
		sink__free(s);
		errno = err;
		return NULL;
	}
	return sink__start(s);
}

/* Move @from's payload into @to; @from is left an empty chunk of the same kind. */
static void chunk__move(struct st_chunk *to, struct st_chunk *from)
{
	*to = *from;
	memset(&from->buf, 0, sizeof(from->buf));
	st_chunk__reset(from);
}

/* Under the lock. */
static void enqueue(struct sink *s, struct item *it)
{
	*s->tail = it;
	s->tail = &it->next;
	it->bytes = it->c.buf.len + it->tasks.buf.len;
	s->queued += it->bytes;
	if (s->queued > s->peak)
		s->peak = s->queued;
	pthread_cond_signal(&s->more);
}

int sink__push(struct sink *s, struct st_chunk *c, bool droppable)
{
	struct item *it;
	int err;

	pthread_mutex_lock(&s->lock);
	if (s->err) {
		err = s->err;
		goto out;
	}
	if (s->queued + c->buf.len > s->max_bytes && s->queued) {
		if (droppable) {
			err = -EAGAIN;
			goto out;
		}
		while (s->queued + c->buf.len > s->max_bytes && s->queued && !s->err)
			pthread_cond_wait(&s->room, &s->lock);
	}
	it = calloc(1, sizeof(*it));
	if (!it) {
		err = -ENOMEM;
		goto out;
	}
	chunk__move(&it->c, c);
	enqueue(s, it);
	err = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sink__dump(struct sink *s, const struct sink_dump_req *req, struct st_chunk *meta,
	       struct st_chunk *tasks)
{
	struct item *it;

	if (!s->ring)
		return -EINVAL;
	it = calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->dump = true;
	it->req = *req;
	chunk__move(&it->c, meta);
	chunk__move(&it->tasks, tasks);
	pthread_mutex_lock(&s->lock);
	enqueue(s, it);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

size_t sink__dumps_done(struct sink *s, struct sink_dump_done *out, size_t n)
{
	pthread_mutex_lock(&s->lock);
	size_t k = s->ndone < n ? s->ndone : n;
	memcpy(out, s->done, k * sizeof(*out));
	memmove(s->done, s->done + k, (s->ndone - k) * sizeof(*s->done));
	s->ndone -= k;
	pthread_mutex_unlock(&s->lock);
	return k;
}

void sink__ring_state(struct sink *s, struct sink_ring_state *out)
{
	pthread_mutex_lock(&s->lock);
	out->start = s->ring_start;
	out->newest = s->ring_newest;
	out->bytes = s->ring_bytes;
	out->dumps = s->dumps;
	out->dump_bytes = s->dump_bytes;
	out->finished = s->finished;
	pthread_mutex_unlock(&s->lock);
}

int sink__error(struct sink *s)
{
	pthread_mutex_lock(&s->lock);
	int err = s->err;
	pthread_mutex_unlock(&s->lock);
	return err;
}

int sink__close(struct sink *s, bool finalize)
{
	if (s->thread_started) {
		pthread_mutex_lock(&s->lock);
		s->stopping = true;
		pthread_cond_signal(&s->more);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
		s->thread_started = false;
	}
	if (s->w) {
		if (!s->err && finalize)
			s->err = st_writer__finish(s->w);
		st_writer__stats(s->w, &s->stats);
	}
	return s->err;
}

void sink__stats(struct sink *s, struct sink_stats *out)
{
	pthread_mutex_lock(&s->lock);
	out->w = s->stats;
	out->queued_peak = s->peak;
	out->unwritten = s->unwritten;
	pthread_mutex_unlock(&s->lock);
}

void sink__free(struct sink *s)
{
	if (!s)
		return;
	sink__close(s, false);
	while (s->head) {
		struct item *it = s->head;
		s->head = it->next;
		item__free(it);
	}
	st_writer__free(s->w);
	ring__free(s->ring);
	dumpfiles__free(s->files);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->more);
	pthread_cond_destroy(&s->room);
	free(s);
}
