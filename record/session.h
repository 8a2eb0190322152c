/* SPDX-License-Identifier: MIT */
/*
 * One recording: BPF programs loaded and attached, per-CPU perf buffers
 * drained into per-CPU event chunks, stacks deduplicated into the stack
 * table, tables and losses written so that every prefix of the file stands
 * on its own.
 */
#ifndef SCHEDTAPE_RECORD_SESSION_H
#define SCHEDTAPE_RECORD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct trigger;

/* The flight recorder: the last stretch kept in memory, written out on demand. */
struct session_ring_opts {
	const char *output;	 /* NULL: not a flight recorder; else a directory or pattern */
	uint64_t duration_ns;	 /* window kept (0: bounded by max_bytes only) */
	size_t max_bytes;	 /* compressed events kept */
	unsigned int keep;	 /* dumps kept on disk (0: all) */
	size_t rotate_bytes;	 /* --rotate: write out and forget each time this much is kept */
	const struct trigger *triggers;
	size_t ntriggers;
	uint64_t pre_ns, post_ns; /* a trigger's dump: from its wait's start - pre to its end + post */
	uint64_t cooldown_ns;	 /* at most one trigger dump per cooldown */
	const char *ring_spec;	 /* as given, for the dumps' metadata */
};

struct session_opts {
	int out_fd;		   /* -1 with ring.output */
	size_t buffer_bytes;	   /* per CPU, rounded up to a power-of-two pages */
	unsigned int kstack_frames; /* 0: no kernel stacks */
	unsigned int ustack_frames; /* 0: no user stacks */
	bool preempt_stacks;	   /* stacks on preemption too */
	bool filter;		   /* only the target processes (and their children) */
	uint64_t cgroup_id;	   /* and tasks in this cgroup v2 subtree (0: none) */
	int cgroup_level;
	int zstd_level;
	size_t chunk_bytes;	   /* raw size at which a CPU's chunk is written */
	unsigned int flush_ms;	   /* no data waits longer than this in user space */
	size_t queue_bytes;	   /* writer queue bound */
	bool embed_user_symbols;
	const char *btf_path;	   /* NULL: the running kernel's */
	const char *const *meta;   /* key, value, key, value, ..., NULL */
	struct session_ring_opts ring;
};

struct session_stats {
	uint64_t events, by_type[8];
	uint64_t lost_buffer, lost_writer, lost_decode;
	uint64_t lost_unwritten; /* recorded, but the file could not take them (disk full) */
	uint64_t *lost_per_cpu;
	uint32_t ncpus;
	uint64_t kstacks, ustacks, stack_failures, clamped;
	uint64_t file_bytes, raw_bytes, chunks;
	uint64_t bpf_output_errors;
	uint64_t lost_recursion; /* program runs the kernel skipped as recursive */
	/* Flight recorder. */
	uint64_t dumps, dump_bytes, ring_bytes, triggers_fired, triggers_suppressed;
	size_t ring_threads;
};

struct session;

/*
 * Load and verify the BPF programs (not attached yet). On failure returns
 * -errno and writes a one-line reason into @why.
 */
int session__open(struct session **out, const struct session_opts *o, char *why, size_t why_len);

/* Trace process @pid (with filter set), e.g. a command about to exec. */
int session__add_target(struct session *s, uint32_t pid);

/* Write metadata and the task snapshot, attach, and start recording. */
int session__start(struct session *s, char *why, size_t why_len);

/*
 * Drain for up to @timeout_ms. Returns 0, or the writer's error (-ENOSPC,
 * -EPIPE, ...), after which recording cannot go on.
 */
int session__poll(struct session *s, int timeout_ms);

/* Detach, drain what is left, write statistics and (if @finalize) the index. */
int session__stop(struct session *s, bool finalize);

void session__stats(struct session *s, struct session_stats *st);

/*
 * Flight recorder: write the window ending now (@reason "signal"); it goes
 * out once every CPU's events up to now have arrived. Returns 0 or -errno.
 */
int session__request_dump(struct session *s, const char *reason);

/* A dump written (or failed), for the caller to report. */
struct session_dump {
	char path[4096];
	const char *reason;
	uint64_t from, to, events, bytes; /* trace clock; window written */
	int err;
};
/* Dumps finished since the last call, up to @n. */
size_t session__dumps_done(struct session *s, struct session_dump *out, size_t n);
void session__free(struct session *s);

#endif
