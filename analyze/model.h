/* SPDX-License-Identifier: MIT */
/*
 * The scheduler model: events in time order drive one state machine per
 * thread, and every state change closes an interval that is handed to the
 * caller. Memory grows with threads, never with events.
 *
 * Threads are keyed by (tid, generation): a tid seen again after its thread
 * died, or created again by fork, is a new thread. The idle tasks (tid 0)
 * and the recorder's own threads are not modelled.
 *
 * Losses never invent time: when events on a CPU were lost, the threads on
 * that CPU become UNKNOWN from the start of the window until their next
 * event, and a sleep during which any CPU lost events ends UNKNOWN from that
 * loss on (its wakeup could have been among the lost events).
 */
#ifndef SCHEDTAPE_ANALYZE_MODEL_H
#define SCHEDTAPE_ANALYZE_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "format/tape.h"

enum th_state {
	TS_UNKNOWN = 0,
	TS_RUNNING,
	TS_RUNNABLE,
	TS_SLEEPING, /* S (and stopped, traced, parked, idle kthread waits) */
	TS_BLOCKED,  /* D */
	TS_DEAD,
	TS_NSTATES,
};

struct thread {
	uint32_t tid, pid;
	uint32_t gen;	 /* 0 for the first thread with this tid, then 1, ... */
	uint32_t index;	 /* in the model's thread table */
	char comm[ST_COMM_LEN];
	uint8_t state;
	uint64_t since;	 /* start of the current state */
	uint32_t cpu;	 /* CPU it runs, ran or was woken to */
	uint64_t loss_at; /* a loss began at this time during the current sleep (0: none) */
	uint8_t cause;	  /* enum runnable_cause, while RUNNABLE */
	/* For the interval in progress. */
	char off_state;	 /* prev_state letter of the switch-out */
	uint32_t off_kstack, off_ustack;
	uint64_t first_seen, last_seen;
	bool exited;
	bool traced; /* all its events are in the trace (false: seen only beside a target) */
	/*
	 * A waking that came while it was still on its CPU, on its way to sleep:
	 * the switch-out that follows ends in RUNNABLE, not in a sleep (early).
	 * After that switch-out, carried says the sleep holds it, until the
	 * next switch-in (the waking ended the sleep at once) or waking (it was
	 * for an earlier attempt to sleep, which the kernel turned down because
	 * the thread was still on its run queue: ttwu_runnable). The tracepoint
	 * fires before the kernel knows which: only what follows tells.
	 */
	bool early, carried;
	uint32_t anomalies; /* events of this thread that did not fit (AN_*) */
	/*
	 * Its cgroup v2 id (0: unknown) as of its latest interval, from the task
	 * table as time passes: its own latest record, or its process leader's
	 * when that is later (a whole process moved). own_*: its own record's.
	 */
	uint64_t cgroup;
	uint64_t own_cgroup, own_cgroup_ts;
	struct waker {
		uint32_t tid, pid;
		uint32_t thread; /* index in the model, MODEL_NO_THREAD for idle or the recorder */
		char comm[ST_COMM_LEN];
		uint8_t ctx;	 /* enum st_wake_ctx */
		uint32_t kstack, ustack;
		uint32_t cpu;	 /* where the waking ran */
	} early_waker;
};

#define MODEL_NO_THREAD UINT32_MAX

struct interval {
	const struct thread *t;
	uint64_t start, end;
	uint8_t state;	/* enum th_state */
	uint32_t cpu;
	bool switched_out; /* RUNNING ended by a context switch (not by a loss or the end) */
	/*
	 * For RUNNING ended by a switch: of its time, ns the kernel charged to
	 * no task (host steal; IRQs where the kernel counts them apart).
	 */
	uint64_t excluded;
	/* For RUNNING ended by a switch: the runtime the kernel charged for it (has_charged). */
	uint64_t charged;
	bool has_charged;
	/* For SLEEPING, BLOCKED and RUNNABLE: the switch-out that began the time off CPU. */
	char off_state;
	uint32_t kstack, ustack;
	/* For SLEEPING/BLOCKED ended by a wakeup; waker is set only when woken. */
	bool woken;
	struct waker waker;
	/* For RUNNABLE: what got it there: woken, preempted or new. */
	uint8_t cause;
	/*
	 * For RUNNABLE ended by a switch-in, when split: the last queued ns of
	 * it were run-queue wait as the kernel's schedstat counts it; the time
	 * before (waking until enqueued) is wakeup latency.
	 */
	bool split;
	uint64_t queued;
	/*
	 * Any interval ended by a switch-in: the run delay the kernel added for
	 * the wait it ended (queued, when has_queued), whatever the model
	 * made of that wait.
	 */
	bool has_queued;
};

/*
 * The wakeup-latency and queue-wait parts of RUNNABLE interval @iv inside
 * [@start, @end) (a part of it, from the filter): the queue wait is its last
 * iv->queued ns.
 */
static inline void interval__split(const struct interval *iv, uint64_t start, uint64_t end,
				   uint64_t *latency, uint64_t *queue)
{
	uint64_t q0 = iv->end - (iv->queued < iv->end - iv->start ? iv->queued : iv->end - iv->start);
	uint64_t qs = start > q0 ? start : q0;

	*queue = end > qs ? end - qs : 0;
	*latency = (end - start) - *queue;
}

enum runnable_cause { RC_NONE, RC_WOKEN, RC_PREEMPTED, RC_NEW };

/* Called for each closed interval; iv->t is valid only during the call. */
typedef void (*interval_fn)(void *ctx, const struct interval *iv);
/* An interval_fn for a model kept for its threads and names only. */
void interval__ignore(void *ctx, const struct interval *iv);

struct model;

/*
 * A model over reader @r (for task names and metadata). Intervals go to @fn.
 * Returns 0 or -ENOMEM.
 */
int model__new(const struct st_reader *r, interval_fn fn, void *ctx, struct model **out);
void model__free(struct model *m);

/*
 * Progress for a process that runs long passes over traces: @fn is called now
 * and then from model__event with how far into its trace the model is (ns of
 * @span). One hook for every model (set by the CLI, NULL: none).
 */
typedef void (*model_progress_fn)(void *ctx, uint64_t done_ns, uint64_t span_ns);
void model__progress_hook(model_progress_fn fn, void *ctx);

/* Feed one event (in time order). */
void model__event(struct model *m, const struct st_event *e);

/* Close every open interval at @end (the end of the trace). */
void model__finish(struct model *m, uint64_t end);

/*
 * Feed every event of @r through the model and finish it at the end of the
 * trace. Returns 0 or the reader's error (strict mode).
 */
int model__run(struct model *m, struct st_reader *r);

/*
 * model__run, with @see shown each event too: before the model takes it
 * (@after false: @see reads the model as it was) or after (the event's names
 * and threads known to the model). Returns 0 or the reader's error.
 */
typedef void (*event_fn)(void *ctx, const struct st_event *e);
int model__run_each(struct model *m, struct st_reader *r, event_fn see, bool after, void *ctx);

/* When the trace starts and ends (what reports measure against). */
uint64_t model__start(const struct model *m);
uint64_t model__end(const struct model *m);

uint32_t model__nthreads(const struct model *m);
const struct thread *model__thread(const struct model *m, uint32_t index);

/* The latest thread with @tid (it may have exited), or NULL. */
const struct thread *model__find(struct model *m, uint32_t tid);

/* Whether the recording followed only some processes (see struct thread.traced). */
bool model__filtered(const struct model *m);

/*
 * Events the model could not fit, by kind (docs/MODEL.md says what the
 * kernel did and what the model does with each).
 */
enum anomaly_kind {
	AN_TIME_BACKWARDS,	/* an event older than its thread's state */
	AN_LEFT_CPU_UNTRACED,	/* a thread left a CPU with no switch of its own */
	AN_SWITCH_OUT_NOT_RUNNING, /* switched out while not running */
	AN_SWITCH_IN_RUNNING,	/* switched in while already running */
	AN_SWITCH_IN_NO_WAKEUP,	/* switched in from a sleep that no waking ended */
	AN_FORK_LIVE_TID,	/* a fork reused a tid whose thread had not exited */
	AN_IMPOSSIBLE_TID,	/* a tid above PID_MAX_LIMIT: not modelled */
	AN_NKINDS,
};

struct anomaly {
	uint8_t kind;
	uint64_t ts;
	uint32_t cpu, tid, pid;
};

/* Called for each anomaly, if set (before the first event). */
typedef void (*anomaly_fn)(void *ctx, const struct anomaly *a);
void model__on_anomaly(struct model *m, anomaly_fn fn, void *ctx);

/* Anomalies met: all, and of one kind. */
uint64_t model__anomalies(const struct model *m);
uint64_t model__anomalies_of(const struct model *m, enum anomaly_kind kind);
/* "switch_in_no_wakeup", and a sentence of what happened. */
const char *anomaly_name(uint8_t kind);
const char *anomaly_text(uint8_t kind);

/* Whether the trace can split runnable time into wakeup latency and queue wait. */
bool model__has_split(const struct model *m);

const char *th_state_name(uint8_t state);

#endif
