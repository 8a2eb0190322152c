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

#include <limits.h>
#include <stdint.h>

#include "format/tape.h"
#include "ring.h"

struct sink;

/* Returns NULL with errno set. @max_bytes bounds the raw bytes queued. */
struct sink *sink__new(int fd, int zstd_level, size_t max_bytes);

/* Ring mode: chunks are kept in memory (record/ring.h), written by dumps. */
struct sink_ring_opts {
	uint64_t duration_ns; /* 0: bounded by size only */
	size_t max_bytes;     /* compressed events held */
	const char *output;   /* a directory or a pattern (record/dumpfile.h) */
	unsigned int keep;    /* dumps kept on disk, 0: all */
};
struct sink *sink__new_ring(const struct sink_ring_opts *o, int zstd_level, size_t max_bytes);

/*
 * Hand over @c's contents (@c is left empty and reusable). Returns 0,
 * -EAGAIN if @droppable and the queue is full (nothing was taken), or the
 * writer's first error (-ENOSPC, -EPIPE, ...) once it has failed.
 */
int sink__push(struct sink *s, struct st_chunk *c, bool droppable);

struct sink_dump_req {
	uint64_t from, to;    /* trace clock */
	uint64_t realtime_to; /* the window's end on the wall clock, for the name */
	const char *reason;   /* a static string: "signal", "trigger", "exit", "rotate" */
	bool forget;	      /* then drop the events written (rotation) */
};
/*
 * Ring mode: queue a dump, after every chunk pushed so far. @meta (keys for
 * the dump's metadata, without start_ts) and @tasks (the task table as of the
 * window) are taken and left empty. Returns 0 or -ENOMEM.
 */
int sink__dump(struct sink *s, const struct sink_dump_req *req, struct st_chunk *meta,
	       struct st_chunk *tasks);

struct sink_dump_done {
	char path[PATH_MAX];
	const char *reason;
	struct ring_dump_result res;
	int err; /* 0, or why the dump failed (the recording goes on) */
};
/* Dumps finished since the last call, oldest first, up to @n. */
size_t sink__dumps_done(struct sink *s, struct sink_dump_done *out, size_t n);

struct sink_ring_state {
	uint64_t start, newest; /* ring__start, ring__newest */
	size_t bytes;
	uint64_t dumps, dump_bytes; /* written so far */
	uint64_t finished;	    /* dumps done, written or failed */
};
void sink__ring_state(struct sink *s, struct sink_ring_state *out);

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
