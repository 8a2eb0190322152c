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

struct session_opts {
	int out_fd;
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
void session__free(struct session *s);

#endif
