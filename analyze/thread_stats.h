/* SPDX-License-Identifier: MIT */
/* Per-thread (and per-process) time in each state, from the model's intervals. */
#ifndef SCHEDTAPE_ANALYZE_THREAD_STATS_H
#define SCHEDTAPE_ANALYZE_THREAD_STATS_H

#include "filter.h"
#include "model.h"

struct thread_stats {
	uint32_t pid, tid, gen;
	uint32_t index; /* a thread's model index (by stats_table__finish) */
	char comm[ST_COMM_LEN];
	uint64_t ns[TS_NSTATES];
	uint64_t switches;     /* times it left a CPU */
	/*
	 * Times it ran on another CPU than the run before (the scheduler moved it,
	 * while it waited or slept). last_cpu: that CPU + 1, 0 before its first run.
	 */
	uint64_t migrations;
	uint32_t last_cpu;
	uint64_t wakeups;      /* sleeps ended by a wakeup */
	uint64_t max_runnable; /* longest wait for a CPU, ns */
	uint64_t max_runnable_at; /* when it began (trace clock; its part in the window) */
	/* Of ns[TS_RUNNABLE], where the trace splits it: waking until queued, then queued. */
	uint64_t wakeup_latency, queue_wait;
	uint64_t unsplit;      /* runnable ns with no split (older traces, first waits) */
	/*
	 * The kernel's run delay over the waits that ended in the window, as
	 * schedstat counts it: it can exceed queue_wait, because a wakeup that
	 * preempts skips the next clock update, so the kernel dates the
	 * preempted thread's wait from the wakeup, while it still ran.
	 */
	uint64_t run_delay;
	uint64_t excluded;     /* of ns[TS_RUNNING], what the kernel charged to no task (steal) */
	/*
	 * The runtime the kernel charged for the slices in the window (schedstat's
	 * on-CPU time), and the wall time of slices it is not known for.
	 */
	uint64_t charged, charged_unknown;
	uint32_t threads;      /* per process: how many threads */
	uint64_t cgroup;       /* its cgroup id at the end (0: unknown); a group's: its first member's */
	uint32_t anomalies;    /* its events that did not fit the model (whole trace) */
	bool seen;
};

struct stats_table {
	const struct filter *f;
	struct thread_stats *rows; /* by thread index */
	uint32_t n, cap;
};

/* An interval_fn: @ctx is a struct stats_table. */
void stats_table__interval(void *ctx, const struct interval *iv);

/* Keep the rows that saw time in the filter; take names from @m. Returns rows left. */
uint32_t stats_table__finish(struct stats_table *t, const struct model *m);

/* Sum threads into processes, into @out (fresh). Returns 0 or -ENOMEM. */
int stats_table__per_process(const struct stats_table *in, struct stats_table *out);

/*
 * Sum rows into one per @key (fresh @out): a group keeps its first member's
 * pid, tid and cgroup, and its process's name where that is in it.
 */
typedef uint64_t (*stats_key_fn)(void *ctx, const struct thread_stats *s);
int stats_table__group(const struct stats_table *in, stats_key_fn key, void *ctx,
		       struct stats_table *out);

enum stats_key {
	SK_PID, SK_TID, SK_COMM, SK_RUN, SK_RUNNABLE, SK_SLEEP, SK_BLOCK, SK_UNKNOWN,
	SK_SWITCHES, SK_WAKEUPS, SK_MAX_RUNNABLE, SK_WAKEUP_LATENCY, SK_QUEUE_WAIT, SK_MIGRATIONS,
	SK_NKEYS,
};
/* "run", "max_runnable", ... -> key; -1 if unknown. */
int stats_key__parse(const char *name);
/* Largest first for numbers, alphabetical for comm, ascending for ids. */
void stats_table__sort(struct stats_table *t, int key);
void stats_table__free(struct stats_table *t);

#endif
