/* SPDX-License-Identifier: MIT */
/*
 * The flight recorder's memory: the last DURATION of compressed event
 * chunks (at most SIZE bytes of them; the oldest are dropped whole), and
 * every other chunk (stacks, maps, symbols: what any window may refer to).
 * A dump writes a window of it as a trace that stands alone. Used by the
 * writer thread only: not locked.
 */
#ifndef SCHEDTAPE_RECORD_RING_H
#define SCHEDTAPE_RECORD_RING_H

#include <stddef.h>
#include <stdint.h>

#include "format/tape.h"

struct ring;

/* @duration_ns 0: no time bound. Returns NULL with errno set. */
struct ring *ring__new(uint64_t duration_ns, size_t max_bytes, int zstd_level);
void ring__free(struct ring *r);

/*
 * Take @c (left empty): compressed, events into the window, other chunks
 * into the tables every dump carries; then drop what fell out of the window.
 */
int ring__add(struct ring *r, struct st_chunk *c);

/*
 * The earliest time from which the ring holds every CPU's events (past
 * drops), and the latest event it holds (0 while empty).
 */
uint64_t ring__start(const struct ring *r);
uint64_t ring__newest(const struct ring *r);
/* Compressed bytes of events held. */
size_t ring__bytes(const struct ring *r);

/* What a dump wrote. */
struct ring_dump_result {
	uint64_t from, to; /* the window written, within what was asked */
	uint64_t events, bytes;
};

/*
 * Write the events of [@from, @to] (cut to what the ring holds) as a trace
 * on @fd: @meta's keys plus start_ts, @tasks (the task table as of the
 * window), the tables, the events (chunks across an end re-encoded to
 * start and end exactly there), end_ts, the index. Returns 0 or -errno.
 */
int ring__dump(struct ring *r, int fd, uint64_t from, uint64_t to, const struct st_chunk *meta,
	       const struct st_chunk *tasks, struct ring_dump_result *res);

/* Forget events up to @ts (a rotation wrote them). */
void ring__forget(struct ring *r, uint64_t ts);

#endif
