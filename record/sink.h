/* SPDX-License-Identifier: MIT */
/*
 * The writer thread: chunks are handed over by the drain loop and
 * compressed and written here, so draining never waits on zstd or the disk.
 * Memory is bounded: past the limit, droppable chunks are refused (the
 * caller records the loss) and the others wait.
 */
#ifndef SCHEDTAPE_RECORD_SINK_H
#define SCHEDTAPE_RECORD_SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "format/tape.h"

struct sink;

/* Returns NULL with errno set. @max_bytes bounds the raw bytes queued. */
struct sink *sink__new(int fd, int zstd_level, size_t max_bytes);

/*
 * Hand over @c's contents (@c is left empty and reusable). Returns 0,
 * -EAGAIN if @droppable and the queue is full (nothing was taken), or the
 * writer's first error (-ENOSPC, -EPIPE, ...) once it has failed.
 */
int sink__push(struct sink *s, struct st_chunk *c, bool droppable);

/* The writer's first error, or 0. */
int sink__error(struct sink *s);

/*
 * Write what is queued, then the index if @finalize, and stop the thread.
 * Returns 0 or the first error. Does not close the fd.
 */
int sink__close(struct sink *s, bool finalize);
void sink__free(struct sink *s);

struct sink_stats {
	struct st_writer_stats w;
	size_t queued_peak; /* bytes */
	uint64_t unwritten; /* event records in chunks the file could not take (disk full) */
};
void sink__stats(struct sink *s, struct sink_stats *out);

#endif
