// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sink.h"

struct item {
	struct st_chunk c;
	struct item *next;
};

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
};

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
		int err = failed ? 0 : st_writer__add(s->w, &it->c);

		pthread_mutex_lock(&s->lock);
		if (err && !s->err)
			s->err = err;
		/* After a write error nothing more reaches the file: those events are lost. */
		if ((failed || err) && it->c.type == ST_CHUNK_EVENTS)
			s->unwritten += it->c.count;
		st_writer__stats(s->w, &s->stats);
		s->head = it->next;
		if (!s->head)
			s->tail = &s->head;
		s->queued -= it->c.buf.len;
		pthread_cond_broadcast(&s->room);
		st_chunk__free(&it->c);
		free(it);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct sink *sink__new(int fd, int zstd_level, size_t max_bytes)
{
	struct sink *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->tail = &s->head;
	s->max_bytes = max_bytes;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->more, NULL);
	pthread_cond_init(&s->room, NULL);
	s->w = st_writer__new(fd, zstd_level);
	if (!s->w) {
		err = errno;
		free(s);
		errno = err;
		return NULL;
	}
	err = pthread_create(&s->thread, NULL, writer_main, s);
	if (err) {
		st_writer__free(s->w);
		free(s);
		errno = err;
		return NULL;
	}
	s->thread_started = true;
	return s;
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
	/* Move the payload; the caller keeps an empty chunk of the same kind. */
	it->c = *c;
	memset(&c->buf, 0, sizeof(c->buf));
	st_chunk__reset(c);
	*s->tail = it;
	s->tail = &it->next;
	s->queued += it->c.buf.len;
	if (s->queued > s->peak)
		s->peak = s->queued;
	pthread_cond_signal(&s->more);
	err = 0;
out:
	pthread_mutex_unlock(&s->lock);
	return err;
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
	if (!s->err && finalize)
		s->err = st_writer__finish(s->w);
	st_writer__stats(s->w, &s->stats);
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
		st_chunk__free(&it->c);
		free(it);
	}
	st_writer__free(s->w);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->more);
	pthread_cond_destroy(&s->room);
	free(s);
}
