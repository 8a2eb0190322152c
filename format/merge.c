// SPDX-License-Identifier: MIT
/*
 * Events of every CPU in one time-ordered stream: a k-way merge over
 * per-CPU chunk sequences, holding one decoded chunk per CPU at a time.
 *
 * On a machine with more than one CPU, a long trace is merged by a second
 * thread into batches of decoded events, so that decompression and decoding
 * overlap with whatever the caller does with the events. While it runs, that
 * thread is the only one to touch the reader's mutable state (chunk buffers,
 * problems, per-chunk checks); the tables stay read-only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reader_internal.h"

struct cpu_stream {
	uint32_t cpu;
	const size_t *chunks;
	size_t nchunks, next_chunk;
	size_t cur; /* chunk being decoded */
	struct st_buf stored, raw;
	struct st_rec_iter it;
	uint64_t prev_ts;
	uint32_t decoded;
	struct st_event head;
};

struct merge {
	struct st_reader *r;
	struct cpu_stream *streams;
	uint32_t nstreams;
	struct cpu_stream **heap; /* min-heap on (head.ts, cpu) */
	uint32_t nheap;
	bool started;
	bool pending; /* heap[0] was returned and must advance before the next pick */
};

static bool before(const struct cpu_stream *a, const struct cpu_stream *b)
{
	if (a->head.ts != b->head.ts)
		return a->head.ts < b->head.ts;
	return a->cpu < b->cpu;
}

static void heap__down(struct merge *it, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, m = i;
		if (l < it->nheap && before(it->heap[l], it->heap[m]))
			m = l;
		if (l + 1 < it->nheap && before(it->heap[l + 1], it->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		struct cpu_stream *t = it->heap[i];
		it->heap[i] = it->heap[m];
		it->heap[m] = t;
		i = m;
	}
}

/* Advance @s to its next event. Returns 1, 0 when exhausted, or an error (strict mode). */
static int stream__advance(struct merge *it, struct cpu_stream *s)
{
	const uint8_t *body;
	size_t len;
	uint8_t type;
	int ret, err;

	for (;;) {
		ret = s->it.left ? st_rec_iter__next(&s->it, &type, &body, &len) : 0;
		if (ret > 0) {
			s->decoded++;
			err = st_decode_event(type, body, len, &s->prev_ts, s->cpu, &s->head);
			if (err == -ENOENT)
				continue;
			if (err == 0)
				return 1;
			ret = err;
		}
		if (ret < 0) {
			const struct st_chunk_info *c = st_reader__chunk(it->r, s->cur);
			err = reader__problem(it->r, c->offset, ret, "CPU %u: record %u of chunk %llu",
					      s->cpu, s->decoded, (unsigned long long)c->seq);
			if (err)
				return err;
			s->it.left = 0;
		} else if (s->nchunks && s->next_chunk > 0) {
			err = st_reader__chunk_done(it->r, s->cur, s->decoded, s->prev_ts);
			if (err)
				return err;
		}
		/* Next chunk of this CPU. */
		if (s->next_chunk >= s->nchunks)
			return 0;
		s->cur = s->chunks[s->next_chunk++];
		const struct st_chunk_info *c = st_reader__chunk(it->r, s->cur);
		err = reader__read_chunk(it->r, s->cur, &s->stored, &s->raw);
		if (err) {
			err = reader__problem(it->r, c->offset, err, "events chunk %llu, CPU %u",
					      (unsigned long long)c->seq, s->cpu);
			if (err)
				return err;
			s->it.left = 0;
			s->decoded = c->count; /* nothing to compare: reported already */
			s->prev_ts = c->last_ts;
			continue;
		}
		s->it.p = s->raw.data;
		s->it.left = s->raw.len;
		s->prev_ts = c->first_ts;
		s->decoded = 0;
	}
}

static int merge__init(struct merge *it, struct st_reader *r)
{
	uint32_t n = reader__ncpus(r);

	it->r = r;
	it->streams = calloc(n ? n : 1, sizeof(*it->streams));
	it->heap = calloc(n ? n : 1, sizeof(*it->heap));
	if (!it->streams || !it->heap)
		return -ENOMEM;
	for (uint32_t c = 0; c < n; c++) {
		struct cpu_stream *s = &it->streams[c];
		s->cpu = c;
		reader__cpu_chunks(r, c, &s->chunks, &s->nchunks);
	}
	it->nstreams = n;
	return 0;
}

static int merge__next(struct merge *it, struct st_event *e)
{
	int ret;

	if (!it->started) {
		/* Prime every stream, then heapify. */
		it->started = true;
		for (uint32_t c = 0; c < it->nstreams; c++) {
			ret = stream__advance(it, &it->streams[c]);
			if (ret < 0)
				return ret;
			if (ret > 0)
				it->heap[it->nheap++] = &it->streams[c];
		}
		for (uint32_t i = it->nheap / 2; i-- > 0;)
			heap__down(it, i);
	}
	if (it->pending) {
		/*
		 * Advanced only now, so that strings in the event returned last stay
		 * valid until this call.
		 */
		it->pending = false;
		ret = stream__advance(it, it->heap[0]);
		if (ret < 0)
			return ret;
		if (ret == 0)
			it->heap[0] = it->heap[--it->nheap];
		heap__down(it, 0);
	}
	if (it->nheap == 0)
		return 0;
	*e = it->heap[0]->head;
	it->pending = true;
	return 1;
}

static void merge__free(struct merge *it)
{
	for (uint32_t c = 0; it->streams && c < it->nstreams; c++) {
		free(it->streams[c].stored.data);
		free(it->streams[c].raw.data);
	}
	free(it->streams);
	free(it->heap);
}

/* Decoded events handed from the merging thread to the caller. */
#define BATCH_EVENTS 4096
#define NBATCHES 4
/* Below this many event chunks a thread costs more than it saves. */
#define THREAD_MIN_CHUNKS 8

struct batch {
	struct st_event ev[BATCH_EVENTS];
	uint32_t n;
	int end;	      /* after the events: 0 more follow, 1 the end, < 0 an error */
	struct st_buf strs;   /* exec filenames, which point into chunks the merge reuses */
};

struct st_event_iter {
	struct merge mg;
	bool threaded;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct batch *batches; /* NBATCHES, a ring */
	uint64_t produced, consumed;
	bool stop;
	struct batch *cur;
	uint32_t pos;
};

/* Keep an exec's filename in the batch; the pointer is fixed up when handed out. */
static int batch__keep_filename(struct batch *b, struct st_event *e)
{
	size_t need = b->strs.len + e->task.filename_len;

	if (need > b->strs.cap) {
		size_t cap = b->strs.cap ? b->strs.cap * 2 : 4096;
		while (cap < need)
			cap *= 2;
		uint8_t *p = realloc(b->strs.data, cap);
		if (!p)
			return -ENOMEM;
		b->strs.data = p;
		b->strs.cap = cap;
	}
	memcpy(b->strs.data + b->strs.len, e->task.filename, e->task.filename_len);
	e->task.filename = (const char *)(uintptr_t)b->strs.len;
	b->strs.len = need;
	return 0;
}

static void *merge__thread(void *arg)
{
	struct st_event_iter *it = arg;

	for (bool done = false; !done;) {
		pthread_mutex_lock(&it->mu);
		while (it->produced - it->consumed == NBATCHES && !it->stop)
			pthread_cond_wait(&it->cv, &it->mu);
		bool stop = it->stop;
		struct batch *b = &it->batches[it->produced % NBATCHES];
		pthread_mutex_unlock(&it->mu);
		if (stop)
			break;
		b->n = 0;
		b->end = 0;
		b->strs.len = 0;
		while (b->n < BATCH_EVENTS) {
			struct st_event *e = &b->ev[b->n];
			int ret = merge__next(&it->mg, e);
			if (ret > 0 && e->type == ST_REC_EXEC)
				ret = batch__keep_filename(b, e) ?: 1;
			if (ret <= 0) {
				b->end = ret ? ret : 1;
				done = true;
				break;
			}
			b->n++;
		}
		pthread_mutex_lock(&it->mu);
		it->produced++;
		pthread_cond_broadcast(&it->cv);
		pthread_mutex_unlock(&it->mu);
	}
	return NULL;
}

static int iter__start_thread(struct st_event_iter *it)
{
	it->batches = calloc(NBATCHES, sizeof(*it->batches));
	if (!it->batches)
		return -ENOMEM;
	pthread_mutex_init(&it->mu, NULL);
	pthread_cond_init(&it->cv, NULL);
	if (pthread_create(&it->thread, NULL, merge__thread, it)) {
		pthread_mutex_destroy(&it->mu);
		pthread_cond_destroy(&it->cv);
		free(it->batches);
		it->batches = NULL;
		return 0; /* no thread to be had: merge in the caller's */
	}
	it->threaded = true;
	return 0;
}

int st_event_iter__new(struct st_reader *r, struct st_event_iter **out)
{
	struct st_event_iter *it = calloc(1, sizeof(*it));
	int err;

	if (!it)
		return -ENOMEM;
	err = merge__init(&it->mg, r);
	if (!err && st_reader__nchunks(r) >= THREAD_MIN_CHUNKS && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		err = iter__start_thread(it);
	if (err) {
		st_event_iter__free(it);
		return err;
	}
	*out = it;
	return 0;
}

int st_event_iter__next(struct st_event_iter *it, struct st_event *e)
{
	if (!it->threaded)
		return merge__next(&it->mg, e);
	for (;;) {
		struct batch *b = it->cur;
		if (b && it->pos < b->n) {
			*e = b->ev[it->pos++];
			if (e->type == ST_REC_EXEC)
				e->task.filename = (const char *)b->strs.data + (uintptr_t)e->task.filename;
			return 1;
		}
		if (b && b->end)
			return b->end < 0 ? b->end : 0;
		pthread_mutex_lock(&it->mu);
		if (b) {
			it->consumed++;
			pthread_cond_broadcast(&it->cv);
		}
		while (it->produced == it->consumed)
			pthread_cond_wait(&it->cv, &it->mu);
		it->cur = &it->batches[it->consumed % NBATCHES];
		pthread_mutex_unlock(&it->mu);
		it->pos = 0;
	}
}

void st_event_iter__free(struct st_event_iter *it)
{
	if (!it)
		return;
	if (it->threaded) {
		pthread_mutex_lock(&it->mu);
		it->stop = true;
		pthread_cond_broadcast(&it->cv);
		pthread_mutex_unlock(&it->mu);
		pthread_join(it->thread, NULL);
		pthread_mutex_destroy(&it->mu);
		pthread_cond_destroy(&it->cv);
	}
	for (unsigned int i = 0; it->batches && i < NBATCHES; i++)
		free(it->batches[i].strs.data);
	free(it->batches);
	merge__free(&it->mg);
	free(it);
}
