// SPDX-License-Identifier: MIT
/*
 * Events of every CPU in one time-ordered stream: a k-way merge over
 * per-CPU chunk sequences, holding one decoded chunk per CPU at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "reader_internal.h"

struct cpu_stream {
	uint32_t cpu;
	const size_t *chunks;
	size_t nchunks, next_chunk;
	size_t cur; /* chunk being decoded */
	struct st_buf stored, raw;
	struct st_rec_iter it;
	struct st_decode_state ds;
	uint32_t decoded;
	struct st_event head;
};

struct st_event_iter {
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

static void heap__down(struct st_event_iter *it, uint32_t i)
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

/* st_rec_iter__next, inline for a body shorter than 128 bytes (a one-byte length): every event. */
static inline int rec__next(struct st_rec_iter *it, uint8_t *type, const uint8_t **body,
			    size_t *len)
{
	if (it->left >= 2 && it->p[1] < 0x80 && it->p[1] <= it->left - 2) {
		*type = it->p[0];
		*len = it->p[1];
		*body = it->p + 2;
		it->p += 2 + *len;
		it->left -= 2 + *len;
		return 1;
	}
	return st_rec_iter__next(it, type, body, len);
}

/* Advance @s to its next event. Returns 1, 0 when exhausted, or an error (strict mode). */
static int stream__advance(struct st_event_iter *it, struct cpu_stream *s)
{
	const uint8_t *body;
	size_t len;
	uint8_t type;
	int ret, err;

	for (;;) {
		ret = s->it.left ? rec__next(&s->it, &type, &body, &len) : 0;
		if (ret > 0) {
			s->decoded++;
			err = st_decode_event_padded(type, body, len, &s->ds, &s->head);
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
			err = st_reader__chunk_done(it->r, s->cur, s->decoded, s->ds.prev_ts);
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
			s->ds.prev_ts = c->last_ts;
			continue;
		}
		s->it.p = s->raw.data;
		s->it.left = s->raw.len;
		st_decode_state__init(&s->ds, c->first_ts, s->cpu, st_reader__info(it->r)->incompat);
		s->decoded = 0;
	}
}

int st_event_iter__new(struct st_reader *r, struct st_event_iter **out)
{
	struct st_event_iter *it = calloc(1, sizeof(*it));
	uint32_t n = reader__ncpus(r);

	if (!it)
		return -ENOMEM;
	it->r = r;
	it->streams = calloc(n ? n : 1, sizeof(*it->streams));
	it->heap = calloc(n ? n : 1, sizeof(*it->heap));
	if (!it->streams || !it->heap) {
		st_event_iter__free(it);
		return -ENOMEM;
	}
	for (uint32_t c = 0; c < n; c++) {
		struct cpu_stream *s = &it->streams[c];
		s->cpu = c;
		reader__cpu_chunks(r, c, &s->chunks, &s->nchunks);
	}
	it->nstreams = n;
	*out = it;
	return 0;
}

int st_event_iter__next(struct st_event_iter *it, struct st_event *e)
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

void st_event_iter__free(struct st_event_iter *it)
{
	if (!it)
		return;
	for (uint32_t c = 0; c < it->nstreams; c++) {
		free(it->streams[c].stored.data);
		free(it->streams[c].raw.data);
	}
	free(it->streams);
	free(it->heap);
	free(it);
}
