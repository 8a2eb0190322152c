// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "ring.h"

struct ring {
	uint64_t duration_ns;
	size_t max_bytes;
	int zstd_level;
	struct st_packer *packer;
	/* Event chunks in the order they came (per CPU, in time order): [head, n). */
	struct st_packed *events;
	size_t head, n, cap;
	size_t bytes;
	/* Stacks, maps, symbols: kept whole, any window may refer to them. */
	struct st_packed *tables;
	size_t ntables, tables_cap;
	/* Per CPU: the last event dropped (0: none yet). */
	uint64_t *dropped_until;
	size_t ncpus_cap;
	uint64_t newest;
	/* Scratch for cutting a chunk at a window's ends. */
	struct st_buf raw;
	struct st_chunk cut;
};

struct ring *ring__new(uint64_t duration_ns, size_t max_bytes, int zstd_level)
{
	struct ring *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->duration_ns = duration_ns;
	r->max_bytes = max_bytes;
	r->zstd_level = zstd_level;
	r->packer = st_packer__new(zstd_level);
	if (!r->packer) {
		free(r);
		return NULL;
	}
	st_chunk__init(&r->cut, ST_CHUNK_EVENTS, 0);
	return r;
}

void ring__free(struct ring *r)
{
	if (!r)
		return;
	for (size_t i = r->head; i < r->n; i++)
		st_packed__free(&r->events[i]);
	for (size_t i = 0; i < r->ntables; i++)
		st_packed__free(&r->tables[i]);
	free(r->events);
	free(r->tables);
	free(r->dropped_until);
	free(r->raw.data);
	st_chunk__free(&r->cut);
	st_packer__free(r->packer);
	free(r);
}

static void drop_head(struct ring *r)
{
	struct st_packed *pk = &r->events[r->head++];

	if (pk->cpu < r->ncpus_cap && pk->last_ts > r->dropped_until[pk->cpu])
		r->dropped_until[pk->cpu] = pk->last_ts;
	r->bytes -= pk->stored_size;
	st_packed__free(pk);
	/* Keep the live part at the front once half the array is dead. */
	if (r->head > 64 && r->head * 2 > r->n) {
		memmove(r->events, r->events + r->head, (r->n - r->head) * sizeof(*r->events));
		r->n -= r->head;
		r->head = 0;
	}
}

/* Drop the oldest chunks past the window or the size; the newest always stays. */
static void evict(struct ring *r)
{
	while (r->head + 1 < r->n) {
		const struct st_packed *old = &r->events[r->head];
		bool too_old = r->duration_ns && old->last_ts + r->duration_ns < r->newest;
		if (!too_old && r->bytes <= r->max_bytes)
			break;
		drop_head(r);
	}
}

int ring__add(struct ring *r, struct st_chunk *c)
{
	struct st_packed pk;
	int err;

	/* A dump writes its own metadata, task table, statistics and index. */
	if (c->type == ST_CHUNK_META || c->type == ST_CHUNK_TASKS || c->type == ST_CHUNK_STATS ||
	    c->type == ST_CHUNK_INDEX || !c->count) {
		st_chunk__reset(c);
		return 0;
	}
	err = st_packer__pack(r->packer, c, &pk);
	st_chunk__reset(c);
	if (err)
		return err;
	if (pk.type != ST_CHUNK_EVENTS) {
		err = grow(&r->tables, &r->tables_cap, r->ntables + 1, sizeof(*r->tables));
		if (err) {
			st_packed__free(&pk);
			return err;
		}
		r->tables[r->ntables++] = pk;
		return 0;
	}
	if (pk.cpu >= ST_MAX_CPU ||
	    grow(&r->dropped_until, &r->ncpus_cap, pk.cpu + 1, sizeof(*r->dropped_until)) ||
	    grow(&r->events, &r->cap, r->n + 1, sizeof(*r->events))) {
		st_packed__free(&pk);
		return pk.cpu >= ST_MAX_CPU ? -EINVAL : -ENOMEM;
	}
	r->events[r->n++] = pk;
	r->bytes += pk.stored_size;
	if (pk.last_ts > r->newest)
		r->newest = pk.last_ts;
	evict(r);
	return 0;
}

uint64_t ring__start(const struct ring *r)
{
	uint64_t start = 0;

	for (size_t c = 0; c < r->ncpus_cap; c++)
		if (r->dropped_until[c] && r->dropped_until[c] + 1 > start)
			start = r->dropped_until[c] + 1;
	return start;
}

uint64_t ring__newest(const struct ring *r)
{
	return r->newest;
}

size_t ring__bytes(const struct ring *r)
{
	return r->bytes;
}

void ring__forget(struct ring *r, uint64_t ts)
{
	while (r->head < r->n && r->events[r->head].last_ts <= ts)
		drop_head(r);
}

/*
 * @pk's events inside [@from, @to], re-encoded into r->cut; a loss that
 * began before @from and lasted into the window is kept from @from.
 */
static int cut(struct ring *r, const struct st_packed *pk, uint64_t from, uint64_t to)
{
	struct st_decode_state ds;
	struct st_rec_iter it;
	const uint8_t *body;
	size_t len;
	uint8_t type;
	int err, more;

	st_chunk__reset(&r->cut);
	r->cut.cpu = pk->cpu;
	err = st_packed__unpack(pk, &r->raw);
	if (err)
		return err;
	it = (struct st_rec_iter){ r->raw.data, r->raw.len };
	st_decode_state__init(&ds, pk->first_ts, pk->cpu, ST_INCOMPAT_KNOWN);
	while ((more = st_rec_iter__next(&it, &type, &body, &len)) == 1) {
		struct st_event e;
		err = st_decode_event(type, body, len, &ds, &e);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		if (e.ts > to)
			break;
		if (e.ts < from) {
			if (e.type != ST_REC_LOSS || e.loss.end_ts < from)
				continue;
			e.ts = from;
		}
		err = st_chunk__add_event(&r->cut, &e);
		if (err)
			return err;
	}
	return more < 0 ? more : 0;
}

static int write_events(struct ring *r, struct st_writer *w, uint64_t from, uint64_t to,
			uint64_t *events)
{
	for (size_t i = r->head; i < r->n; i++) {
		const struct st_packed *pk = &r->events[i];
		int err;

		if (pk->last_ts < from || pk->first_ts > to)
			continue;
		if (pk->first_ts >= from && pk->last_ts <= to) {
			err = st_writer__add_packed(w, pk);
			*events += pk->count;
		} else {
			err = cut(r, pk, from, to);
			if (!err && r->cut.count) {
				*events += r->cut.count;
				err = st_writer__add(w, &r->cut);
			}
		}
		if (err)
			return err;
	}
	return 0;
}

int ring__dump(struct ring *r, int fd, uint64_t from, uint64_t to, const struct st_chunk *meta,
	       const struct st_chunk *tasks, struct ring_dump_result *res)
{
	struct st_chunk m, stats;
	struct st_writer *w;
	char num[32];
	int err;

	memset(res, 0, sizeof(*res));
	if (from < ring__start(r))
		from = ring__start(r);
	if (to > r->newest)
		to = r->newest;
	if (to < from)
		to = from;
	w = st_writer__new(fd, r->zstd_level);
	if (!w)
		return -errno;
	st_chunk__init(&m, ST_CHUNK_META, ST_CPU_NONE);
	st_chunk__init(&stats, ST_CHUNK_STATS, ST_CPU_NONE);
	err = st_buf__reserve(&m.buf, meta->buf.len);
	if (!err) {
		memcpy(m.buf.data, meta->buf.data, meta->buf.len);
		m.buf.len = meta->buf.len;
		m.count = meta->count;
		snprintf(num, sizeof(num), "%llu", (unsigned long long)from);
		err = st_chunk__add_kv(&m, "start_ts", num);
	}
	if (!err)
		err = st_writer__add(w, &m);
	if (!err && tasks->count)
		err = st_writer__add(w, tasks);
	/* Tables first: every event written refers only to what precedes it. */
	for (size_t i = 0; i < r->ntables && !err; i++)
		err = st_writer__add_packed(w, &r->tables[i]);
	if (!err)
		err = write_events(r, w, from, to, &res->events);
	if (!err) {
		st_chunk__add_stat(&stats, "end_ts", to);
		st_chunk__add_stat(&stats, "events", res->events);
		err = st_writer__add(w, &stats);
	}
	if (!err)
		err = st_writer__finish(w);
	struct st_writer_stats ws;
	st_writer__stats(w, &ws);
	res->bytes = ws.file_bytes;
	res->from = from;
	res->to = to;
	st_writer__free(w);
	st_chunk__free(&m);
	st_chunk__free(&stats);
	return err;
}
