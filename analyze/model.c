// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/htab.h"
#include "model.h"

/* tid -> thread index, in pages of 4096 tids allocated on first use. */
#define PAGE_BITS 12
#define PAGE_SIZE_TIDS (1u << PAGE_BITS)
#define NO_THREAD UINT32_MAX

struct tid_page {
	uint32_t idx[PAGE_SIZE_TIDS];
};

/* TASK records by (tid, ts), for names of threads that existed before their events. */
struct task_ref {
	uint32_t tid;
	uint64_t ts;
	const struct st_task *task;
};

/* The process's progress hook (model__progress_hook), called every PROGRESS_EVERY events. */
#define PROGRESS_EVERY 65536
static model_progress_fn progress_fn;
static void *progress_ctx;

void interval__ignore(void *ctx, const struct interval *iv)
{
	(void)ctx;
	(void)iv;
}

void model__progress_hook(model_progress_fn fn, void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

struct model {
	uint32_t progress_tick;
	const struct st_reader *r;
	interval_fn fn;
	void *ctx;
	struct thread *threads;
	uint32_t nthreads, cap;
	struct tid_page **pages;
	uint32_t npages;
	struct task_ref *tasks;
	size_t ntasks;
	/* Task records after the start, by time: each sets a cgroup when its time comes. */
	const struct st_task **moves;
	size_t nmoves, next_move;
	uint64_t moves_until; /* task records up to here have taken effect */
	uint32_t recorder_pid;
	/* Filtered recordings: the processes followed (targets and their children). */
	bool filtered;
	struct htab64 targets; /* pid + 1 -> 1 */
	uint64_t start, end;
	bool started;
	uint64_t anomalies[AN_NKINDS];
	anomaly_fn on_anomaly;
	void *anomaly_ctx;
	bool has_split;
	/* Per CPU: index + 1 of the thread the last switch put there (0: idle or unmodelled). */
	uint32_t *cpu_cur;
	uint32_t ncpus;
};

const char *th_state_name(uint8_t state)
{
	static const char *const names[] = { "unknown", "running", "runnable",
					     "sleep",	"block",   "dead" };
	return state < TS_NSTATES ? names[state] : "?";
}

static void anomaly__add(struct model *m, uint8_t kind, uint64_t ts, uint32_t cpu,
			 struct thread *t)
{
	m->anomalies[kind]++;
	if (t)
		t->anomalies++;
	if (m->on_anomaly) {
		struct anomaly a = { .kind = kind, .ts = ts, .cpu = cpu,
				     .tid = t ? t->tid : 0, .pid = t ? t->pid : 0 };
		m->on_anomaly(m->anomaly_ctx, &a);
	}
}

static bool is_target(const struct model *m, uint32_t pid)
{
	return htab64__find(&m->targets, (uint64_t)pid + 1) != NULL;
}

static void target__add(struct model *m, uint32_t pid)
{
	if (!is_target(m, pid))
		htab64__insert(&m->targets, (uint64_t)pid + 1, 1);
}

static int move__cmp(const void *a, const void *b)
{
	const struct st_task *x = *(const struct st_task *const *)a, *y = *(const struct st_task *const *)b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/* The task records that name a cgroup, in time order (applied by moves__apply). */
static int moves__init(struct model *m)
{
	for (size_t i = 0; i < m->ntasks; i++)
		m->nmoves += m->tasks[i].task->cgroup != 0;
	if (!m->nmoves)
		return 0;
	m->moves = malloc(m->nmoves * sizeof(*m->moves));
	if (!m->moves)
		return -ENOMEM;
	size_t k = 0;
	for (size_t i = 0; i < m->ntasks; i++)
		if (m->tasks[i].task->cgroup)
			m->moves[k++] = m->tasks[i].task;
	if (k > 1)
		qsort(m->moves, k, sizeof(*m->moves), move__cmp);
	return 0;
}

static int task_ref__cmp(const void *a, const void *b)
{
	const struct task_ref *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

int model__new(const struct st_reader *r, interval_fn fn, void *ctx, struct model **out)
{
	struct model *m = calloc(1, sizeof(*m));
	const char *rec;

	if (!m)
		return -ENOMEM;
	m->r = r;
	m->fn = fn;
	m->ctx = ctx;
	m->ntasks = st_reader__ntasks(r);
	m->tasks = calloc(m->ntasks ? m->ntasks : 1, sizeof(*m->tasks));
	if (!m->tasks) {
		free(m);
		return -ENOMEM;
	}
	for (size_t i = 0; i < m->ntasks; i++) {
		const struct st_task *t = st_reader__task(r, i);
		m->tasks[i] = (struct task_ref){ t->tid, t->ts, t };
	}
	if (m->ntasks > 1)
		qsort(m->tasks, m->ntasks, sizeof(*m->tasks), task_ref__cmp);
	if (moves__init(m)) {
		model__free(m);
		return -ENOMEM;
	}
	const char *targets = st_reader__meta(r, "target_pids");
	for (const char *p = targets; p && *p;) {
		char *end;
		unsigned long pid = strtoul(p, &end, 10);
		if (end == p)
			break;
		m->filtered = true;
		target__add(m, (uint32_t)pid);
		p = *end == ',' ? end + 1 : end;
	}
	rec = st_reader__meta(r, "recorder_pid");
	m->recorder_pid = rec ? (uint32_t)strtoul(rec, NULL, 10) : 0;
	/* The trace starts when recording started, if the file says; else at its first event. */
	const struct st_file_info *fi = st_reader__info(r);
	const char *start = st_reader__meta(r, "start_ts");
	m->start = fi->first_ts;
	if (start) {
		uint64_t s = strtoull(start, NULL, 10);
		if (s && s < m->start)
			m->start = s;
	}
	/* ...and ends when recording stopped, if the file says; else at its last event. */
	uint64_t end_ts;
	m->end = fi->last_ts;
	if (st_reader__stat(r, "end_ts", &end_ts) && end_ts > m->end && end_ts - m->end < 3600e9)
		m->end = end_ts;
	*out = m;
	return 0;
}

void model__free(struct model *m)
{
	if (!m)
		return;
	for (uint32_t p = 0; p < m->npages; p++)
		free(m->pages[p]);
	free(m->pages);
	free(m->threads);
	free(m->tasks);
	free(m->moves);
	htab64__free(&m->targets);
	free(m->cpu_cur);
	free(m);
}

/* The latest TASK record of @tid at or before @ts (else the earliest), or NULL. */
static const struct st_task *task__find(const struct model *m, uint32_t tid, uint64_t ts)
{
	size_t lo = 0, hi = m->ntasks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct task_ref *t = &m->tasks[mid];
		if (t->tid < tid || (t->tid == tid && t->ts <= ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > 0 && m->tasks[lo - 1].tid == tid)
		return m->tasks[lo - 1].task;
	if (lo < m->ntasks && m->tasks[lo].tid == tid)
		return m->tasks[lo].task;
	return NULL;
}

/* A new thread's own cgroup. */
static void thread__initial_cgroup(struct model *m, struct thread *t, uint64_t ts)
{
	/* Its latest record at or before @ts, else (seen before its first record) that first one. */
	const struct st_task *k = task__find(m, t->tid, ts);

	if (k && k->cgroup) {
		t->own_cgroup = t->cgroup = k->cgroup;
		t->own_cgroup_ts = k->ts;
	}
}

static uint32_t *slot__get(struct model *m, uint32_t tid, bool create)
{
	uint32_t p = tid >> PAGE_BITS;

	if (p >= m->npages) {
		if (!create)
			return NULL;
		uint32_t n = p + 1;
		struct tid_page **pages = realloc(m->pages, n * sizeof(*pages));
		if (!pages)
			return NULL;
		memset(pages + m->npages, 0, (n - m->npages) * sizeof(*pages));
		m->pages = pages;
		m->npages = n;
	}
	if (!m->pages[p]) {
		if (!create)
			return NULL;
		m->pages[p] = malloc(sizeof(struct tid_page));
		if (!m->pages[p])
			return NULL;
		memset(m->pages[p]->idx, 0xff, sizeof(m->pages[p]->idx));
	}
	return &m->pages[p]->idx[tid & (PAGE_SIZE_TIDS - 1)];
}

static struct thread *thread__new(struct model *m, uint32_t tid, uint32_t pid, uint64_t ts,
				  uint8_t state)
{
	uint32_t *slot = slot__get(m, tid, true);
	uint32_t gen = 0;

	if (!slot)
		return NULL;
	if (*slot != NO_THREAD)
		gen = m->threads[*slot].gen + 1;
	if (m->nthreads == m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 1024;
		struct thread *t = realloc(m->threads, cap * sizeof(*t));
		if (!t)
			return NULL;
		m->threads = t;
		m->cap = cap;
	}
	struct thread *t = &m->threads[m->nthreads];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->gen = gen;
	t->index = m->nthreads;
	t->state = state;
	t->since = ts;
	t->first_seen = t->last_seen = ts;
	t->traced = !m->filtered || is_target(m, t->pid);
	const struct st_task *task = task__find(m, tid, ts);
	if (task) {
		memcpy(t->comm, task->comm, sizeof(t->comm));
		if (!pid) {
			t->pid = task->pid;
			t->traced = !m->filtered || is_target(m, t->pid);
		}
	}
	/* Records already passed count for a thread first seen now, dated from the start. */
	thread__initial_cgroup(m, t, ts > m->moves_until ? ts : m->moves_until);
	*slot = m->nthreads++;
	return t;
}

/* Linux's PID_MAX_LIMIT: a larger id is none the kernel gives (and would cost a huge map). */
#define MODEL_MAX_TID (1u << 22)

static bool modelled(struct model *m, uint32_t tid, uint32_t pid)
{
	if (tid > MODEL_MAX_TID) {
		m->anomalies[AN_IMPOSSIBLE_TID]++;
		return false;
	}
	return tid != 0 && (!m->recorder_pid || pid != m->recorder_pid);
}

/*
 * The live thread with @tid, created on first sight: a thread that existed
 * before its first event is UNKNOWN from the start of the trace.
 */
static struct thread *thread__get(struct model *m, uint32_t tid, uint32_t pid, uint64_t ts)
{
	uint32_t *slot = slot__get(m, tid, false);

	if (slot && *slot != NO_THREAD) {
		struct thread *t = &m->threads[*slot];
		if (t->state != TS_DEAD)
			return t;
		return thread__new(m, tid, pid, ts, TS_UNKNOWN);
	}
	return thread__new(m, tid, pid, m->start < ts ? m->start : ts, TS_UNKNOWN);
}

/*
 * thread__get for a task that is probably the one on @cpu (a switch's prev, a
 * waker): most events need no lookup at all.
 */
static struct thread *thread__on_cpu(struct model *m, uint32_t cpu, uint32_t tid, uint32_t pid,
				     uint64_t ts)
{
	if (cpu < m->ncpus && m->cpu_cur[cpu]) {
		struct thread *t = &m->threads[m->cpu_cur[cpu] - 1];
		if (t->tid == tid && t->state != TS_DEAD)
			return t;
	}
	return thread__get(m, tid, pid, ts);
}

/*
 * An interval on @cpu with nothing else known yet. Its waker is left as it
 * is (readers look at it only when woken): clearing the whole struct was a
 * tenth of the per-event work.
 */
static inline struct interval interval__on(uint32_t cpu)
{
	struct interval iv;

	iv.t = NULL;
	iv.start = iv.end = 0;
	iv.state = 0;
	iv.cpu = cpu;
	iv.switched_out = false;
	iv.excluded = iv.charged = 0;
	iv.has_charged = false;
	iv.off_state = 0;
	iv.kstack = iv.ustack = 0;
	iv.woken = false;
	iv.cause = RC_NONE;
	iv.split = iv.has_queued = false;
	iv.queued = 0;
	return iv;
}

/*
 * @t's cgroup now: its own record's, or its leader's when later. Looked up
 * per interval (one slot lookup), so that a process moved at once costs
 * nothing per thread.
 */
static void thread__cgroup_now(struct model *m, struct thread *t)
{
	uint64_t cg = t->own_cgroup;

	if (t->pid && t->pid != t->tid) {
		uint32_t *slot = slot__get(m, t->pid, false);
		const struct thread *l = slot && *slot != NO_THREAD ? &m->threads[*slot] : NULL;
		if (l && l->pid == t->pid && l->own_cgroup && (!cg || l->own_cgroup_ts > t->own_cgroup_ts))
			cg = l->own_cgroup;
	}
	t->cgroup = cg;
}

/* Close @t's current interval at @ts and enter @state. */
static void thread__enter(struct model *m, struct thread *t, uint64_t ts, uint8_t state,
			  struct interval *iv)
{
	if (ts < t->since) {
		/* Time went backwards across CPUs: keep intervals well-formed. */
		anomaly__add(m, AN_TIME_BACKWARDS, ts, iv->cpu ? iv->cpu : t->cpu, t);
		ts = t->since;
	}
	iv->t = t;
	iv->start = t->since;
	iv->end = ts;
	if (__builtin_expect(m->nmoves != 0, 0))
		thread__cgroup_now(m, t);
	iv->state = t->state;
	if (!iv->cpu)
		iv->cpu = t->cpu;
	/* A sleep a waking ended at once has no length, but it is a wakeup. */
	if (iv->end > iv->start || t->state == TS_RUNNING || iv->woken)
		m->fn(m->ctx, iv);
	t->state = state;
	t->since = ts;
	t->last_seen = ts;
	t->loss_at = 0;
	t->early = t->carried = false;
}

/* A sleep that saw a loss elsewhere is only known until that loss. */
static void sleep__close(struct model *m, struct thread *t, uint64_t ts, struct interval *iv)
{
	if (t->loss_at && (t->state == TS_SLEEPING || t->state == TS_BLOCKED) &&
	    t->loss_at < ts) {
		struct interval part = *iv;
		part.woken = false;
		thread__enter(m, t, t->loss_at, TS_UNKNOWN, &part);
	}
}

static uint8_t state_of(char prev_state)
{
	switch (prev_state) {
	case 'R':
		return TS_RUNNABLE;
	case 'D':
		return TS_BLOCKED;
	case 'X':
	case 'Z':
		return TS_DEAD;
	default:
		return TS_SLEEPING; /* S, I, T, t, P */
	}
}

/*
 * The thread that was on @cpu left it without a switch of its own (the
 * kernel does not always trace one; or it was lost): when it stopped running
 * is unknown.
 */
static void cpu__vanished(struct model *m, uint32_t cpu, uint32_t prev_tid, uint64_t ts)
{
	if (cpu >= m->ncpus || !m->cpu_cur[cpu])
		return;
	struct thread *t = &m->threads[m->cpu_cur[cpu] - 1];
	if (t->tid == prev_tid || t->state != TS_RUNNING || t->cpu != cpu)
		return;
	struct interval iv = { .cpu = cpu };
	t->state = TS_UNKNOWN;
	thread__enter(m, t, ts, TS_UNKNOWN, &iv);
	/* A filtered recording leaves out the switches between threads it does not follow. */
	if (t->traced)
		anomaly__add(m, AN_LEFT_CPU_UNTRACED, ts, cpu, t);
}

/*
 * Sleeping @t was woken on its way off its CPU (carried): that waking ended
 * the sleep as it began. Close a sleep of no length, woken, and wait for a
 * CPU from then on.
 */
static void carried__wake(struct model *m, struct thread *t)
{
	struct interval iv = interval__on(t->cpu);

	iv.kstack = t->off_kstack;
	iv.ustack = t->off_ustack;
	iv.off_state = t->off_state;
	iv.woken = true;
	iv.waker = t->early_waker;
	thread__enter(m, t, t->since, TS_RUNNABLE, &iv);
	t->cause = RC_WOKEN;
}

static void cpu__set(struct model *m, uint32_t cpu, const struct thread *t)
{
	if (cpu >= m->ncpus) {
		uint32_t n = cpu + 1;
		uint32_t *c = realloc(m->cpu_cur, n * sizeof(*c));
		if (!c)
			return;
		memset(c + m->ncpus, 0, (n - m->ncpus) * sizeof(*c));
		m->cpu_cur = c;
		m->ncpus = n;
	}
	m->cpu_cur[cpu] = t ? t->index + 1 : 0;
}

static void on_switch(struct model *m, const struct st_event *e)
{
	struct thread *prev = NULL, *next = NULL;

	cpu__vanished(m, e->cpu, e->sw.prev_tid, e->ts);
	if (modelled(m, e->sw.prev_tid, e->sw.prev_pid)) {
		prev = thread__on_cpu(m, e->cpu, e->sw.prev_tid, e->sw.prev_pid, e->ts);
		if (!prev)
			return;
		if (prev->state != TS_RUNNING && prev->state != TS_UNKNOWN && prev->traced)
			anomaly__add(m, AN_SWITCH_OUT_NOT_RUNNING, e->ts, e->cpu, prev);
		struct interval iv = interval__on(e->cpu);
		iv.switched_out = prev->state == TS_RUNNING;
		iv.excluded = iv.switched_out ? e->sw.prev_excluded : 0;
		iv.has_charged = iv.switched_out && e->sw.has_charged;
		iv.charged = iv.has_charged ? e->sw.prev_charged : 0;
		/* A thread we had not seen running: what it did until now is unknown. */
		if (prev->state != TS_RUNNING)
			prev->state = TS_UNKNOWN;
		bool early = prev->early;
		uint8_t to = state_of(e->sw.prev_state);
		thread__enter(m, prev, e->ts, to, &iv);
		/* Woken before it got off the CPU: the waking ends this very sleep. */
		prev->carried = early && (to == TS_SLEEPING || to == TS_BLOCKED);
		prev->cause = RC_PREEMPTED;
		prev->cpu = e->cpu;
		prev->off_state = e->sw.prev_state;
		prev->off_kstack = e->sw.kstack;
		prev->off_ustack = e->sw.ustack;
	}
	if (modelled(m, e->sw.next_tid, e->sw.next_pid)) {
		next = thread__get(m, e->sw.next_tid, e->sw.next_pid, e->ts);
		if (!next)
			return;
		/* A wait for a CPU is reported on the CPU it got. */
		struct interval iv = interval__on(e->cpu);
		if ((next->state == TS_SLEEPING || next->state == TS_BLOCKED) && next->carried)
			carried__wake(m, next);
		if (next->state == TS_SLEEPING || next->state == TS_BLOCKED) {
			/*
			 * Switched in without a wakeup: the wakeup was lost, or not
			 * recorded (a filtered recording): when it slept is not known.
			 */
			if (!next->loss_at && next->traced)
				anomaly__add(m, AN_SWITCH_IN_NO_WAKEUP, e->ts, e->cpu, next);
			sleep__close(m, next, e->ts, &iv);
			next->state = TS_UNKNOWN;
		} else if (next->state == TS_RUNNING && next->traced) {
			anomaly__add(m, AN_SWITCH_IN_RUNNING, e->ts, e->cpu, next);
		} else if (next->state == TS_RUNNABLE) {
			iv.cause = next->cause;
			iv.off_state = next->off_state;
			iv.kstack = next->off_kstack;
			iv.ustack = next->off_ustack;
			if (e->sw.has_queued) {
				iv.split = true;
				m->has_split = true;
			}
		}
		iv.has_queued = e->sw.has_queued;
		iv.queued = e->sw.next_queued;
		thread__enter(m, next, e->ts, TS_RUNNING, &iv);
		next->cpu = e->cpu;
		next->off_state = 0;
		next->off_kstack = next->off_ustack = 0;
		if (!next->pid)
			next->pid = e->sw.next_pid;
	}
	cpu__set(m, e->cpu, next);
}

static void on_waking(struct model *m, const struct st_event *e)
{
	if (!modelled(m, e->wake.wakee_tid, e->wake.wakee_pid))
		return;
	struct thread *t = thread__get(m, e->wake.wakee_tid, e->wake.wakee_pid, e->ts);
	if (!t)
		return;
	if (t->state == TS_RUNNABLE || (t->state == TS_RUNNING && (t->early || e->type != ST_REC_WAKING))) {
		/* Already woken. */
		t->last_seen = e->ts;
		return;
	}
	uint32_t index = t->index;
	struct waker wk = { .tid = e->wake.waker_tid, .pid = e->wake.waker_pid,
			    .thread = MODEL_NO_THREAD, .ctx = e->wake.ctx,
			    .kstack = e->wake.kstack, .ustack = e->wake.ustack, .cpu = e->cpu };
	const struct thread *w = NULL;
	if (modelled(m, e->wake.waker_tid, e->wake.waker_pid))
		w = thread__on_cpu(m, e->cpu, e->wake.waker_tid, e->wake.waker_pid, e->ts);
	else if (e->wake.waker_tid == 0)
		memcpy(wk.comm, "swapper", 8);
	/* Creating the waker may have moved the table: find the wakee again. */
	t = &m->threads[index];
	if (w) {
		wk.thread = w->index;
		memcpy(wk.comm, w->comm, sizeof(wk.comm));
	}
	if (t->state == TS_RUNNING) {
		/*
		 * Dequeued but still on its CPU (a remote waker was faster than its
		 * own switch-out): the switch-out to come ends in RUNNABLE.
		 */
		t->early = true;
		t->early_waker = wk;
		t->last_seen = e->ts;
		return;
	}
	struct interval iv = interval__on(t->cpu);
	iv.kstack = t->off_kstack;
	iv.ustack = t->off_ustack;
	iv.off_state = t->off_state;
	sleep__close(m, t, e->ts, &iv);
	if (t->state == TS_SLEEPING || t->state == TS_BLOCKED) {
		iv.woken = true;
		iv.waker = wk;
	}
	thread__enter(m, t, e->ts, TS_RUNNABLE, &iv);
	t->cpu = e->wake.target_cpu;
	t->cause = e->type == ST_REC_WAKEUP_NEW ? RC_NEW : RC_WOKEN;
}

static void on_fork(struct model *m, const struct st_event *e)
{
	if (!modelled(m, e->fork.child_tid, e->fork.child_pid))
		return;
	/* Forks are recorded only for followed processes: their children are followed too. */
	if (m->filtered && is_target(m, e->fork.parent_pid))
		target__add(m, e->fork.child_pid);
	uint32_t *slot = slot__get(m, e->fork.parent_tid, false);
	char parent_comm[ST_COMM_LEN] = "";
	if (slot && *slot != NO_THREAD)
		memcpy(parent_comm, m->threads[*slot].comm, sizeof(parent_comm));
	/* A fork makes a new thread even if its tid was in use (then it had died unseen). */
	uint32_t *cs = slot__get(m, e->fork.child_tid, false);
	if (cs && *cs != NO_THREAD && m->threads[*cs].state != TS_DEAD) {
		struct thread *old = &m->threads[*cs];
		struct interval iv = { 0 };
		thread__enter(m, old, e->ts, TS_DEAD, &iv);
		anomaly__add(m, AN_FORK_LIVE_TID, e->ts, e->cpu, old);
	}
	struct thread *t = thread__new(m, e->fork.child_tid, e->fork.child_pid, e->ts, TS_RUNNABLE);
	if (!t)
		return;
	if (parent_comm[0])
		memcpy(t->comm, parent_comm, sizeof(t->comm)); /* a child starts with its parent's */
	t->cpu = e->cpu;
	t->cause = RC_NEW;
}

static void on_task_event(struct model *m, const struct st_event *e)
{
	if (!modelled(m, e->task.tid, e->task.pid))
		return;
	struct thread *t = thread__get(m, e->task.tid, e->task.pid, e->ts);
	if (!t)
		return;
	memcpy(t->comm, e->task.comm, sizeof(t->comm));
	t->last_seen = e->ts;
	if (e->type == ST_REC_EXIT)
		t->exited = true;
}

static void on_loss(struct model *m, const struct st_event *e)
{
	for (uint32_t i = 0; i < m->nthreads; i++) {
		struct thread *t = &m->threads[i];
		if ((t->state == TS_RUNNING || t->state == TS_RUNNABLE) && t->cpu == e->cpu) {
			struct interval iv = { 0 };
			thread__enter(m, t, e->ts > t->since ? e->ts : t->since, TS_UNKNOWN, &iv);
		} else if ((t->state == TS_SLEEPING || t->state == TS_BLOCKED) && !t->loss_at) {
			t->loss_at = e->ts > t->since ? e->ts : t->since;
		}
	}
}

/* The thread that has @tid now, if alive. */
static struct thread *thread__live(struct model *m, uint32_t tid)
{
	uint32_t *slot = slot__get(m, tid, false);
	struct thread *t = slot && *slot != NO_THREAD ? &m->threads[*slot] : NULL;

	return t && t->state != TS_DEAD ? t : NULL;
}

/*
 * Task records up to @ts take effect on their own thread (a leader's on its
 * process through thread__cgroup_now: the kernel reports a process moved at
 * once for its leader only).
 */
static void moves__apply(struct model *m, uint64_t ts)
{
	m->moves_until = ts;
	while (m->next_move < m->nmoves && m->moves[m->next_move]->ts <= ts) {
		const struct st_task *k = m->moves[m->next_move++];
		struct thread *t = thread__live(m, k->tid);
		if (!t || t->pid != k->pid || k->ts < t->own_cgroup_ts)
			continue;
		t->own_cgroup = k->cgroup;
		t->own_cgroup_ts = k->ts;
	}
}

void model__event(struct model *m, const struct st_event *e)
{
	if (__builtin_expect(m->next_move < m->nmoves, 0) && m->moves[m->next_move]->ts <= e->ts)
		moves__apply(m, e->ts);
	if (__builtin_expect(++m->progress_tick == PROGRESS_EVERY, 0)) {
		m->progress_tick = 0;
		if (progress_fn)
			progress_fn(progress_ctx, e->ts > m->start ? e->ts - m->start : 0,
				    m->end > m->start ? m->end - m->start : 0);
	}
	/* Tested first, as branches: a jump table mispredicted on every other event. */
	if (e->type == ST_REC_SWITCH) {
		on_switch(m, e);
		return;
	}
	if (e->type == ST_REC_WAKING) {
		on_waking(m, e);
		return;
	}
	switch (e->type) {
	case ST_REC_WAKEUP_NEW:
		on_waking(m, e);
		break;
	case ST_REC_FORK:
		on_fork(m, e);
		break;
	case ST_REC_EXEC:
	case ST_REC_EXIT:
	case ST_REC_RENAME:
		on_task_event(m, e);
		break;
	case ST_REC_LOSS:
		on_loss(m, e);
		break;
	}
}

void model__finish(struct model *m, uint64_t end)
{
	if (end > m->end)
		m->end = end;
	for (uint32_t i = 0; i < m->nthreads; i++) {
		struct thread *t = &m->threads[i];
		if (t->state == TS_DEAD)
			continue;
		if ((t->state == TS_SLEEPING || t->state == TS_BLOCKED) && t->carried)
			carried__wake(m, t);
		struct interval iv = { .kstack = t->off_kstack, .ustack = t->off_ustack,
				       .off_state = t->off_state };
		sleep__close(m, t, m->end, &iv);
		thread__enter(m, t, m->end, t->state, &iv);
	}
}

int model__run_each(struct model *m, struct st_reader *r, event_fn see, bool after, void *ctx)
{
	struct st_event_iter *it;
	struct st_event e;
	int ret = st_event_iter__new(r, &it);

	if (ret)
		return ret;
	while ((ret = st_event_iter__next(it, &e)) > 0) {
		if (see && !after)
			see(ctx, &e);
		model__event(m, &e);
		if (see && after)
			see(ctx, &e);
	}
	st_event_iter__free(it);
	if (ret == 0)
		model__finish(m, m->end);
	return ret;
}

int model__run(struct model *m, struct st_reader *r)
{
	return model__run_each(m, r, NULL, false, NULL);
}

uint64_t model__start(const struct model *m)
{
	return m->start;
}

uint64_t model__end(const struct model *m)
{
	return m->end;
}

uint32_t model__nthreads(const struct model *m)
{
	return m->nthreads;
}

const struct thread *model__thread(const struct model *m, uint32_t index)
{
	return index < m->nthreads ? &m->threads[index] : NULL;
}

const struct thread *model__find(struct model *m, uint32_t tid)
{
	uint32_t *slot = slot__get(m, tid, false);

	return slot && *slot != NO_THREAD ? &m->threads[*slot] : NULL;
}

bool model__filtered(const struct model *m)
{
	return m->filtered;
}

void model__on_anomaly(struct model *m, anomaly_fn fn, void *ctx)
{
	m->on_anomaly = fn;
	m->anomaly_ctx = ctx;
}

uint64_t model__anomalies(const struct model *m)
{
	uint64_t n = 0;

	for (int k = 0; k < AN_NKINDS; k++)
		n += m->anomalies[k];
	return n;
}

uint64_t model__anomalies_of(const struct model *m, enum anomaly_kind kind)
{
	return kind < AN_NKINDS ? m->anomalies[kind] : 0;
}

bool model__has_split(const struct model *m)
{
	return m->has_split;
}

static const struct {
	const char *name, *text;
} anomaly_kinds[AN_NKINDS] = {
	[AN_TIME_BACKWARDS] = { "time_backwards",
				"an event older than its thread's current state (clocks of two CPUs disagree)" },
	[AN_LEFT_CPU_UNTRACED] = { "left_cpu_untraced",
				   "the thread left its CPU without a sched_switch of its own: "
				   "unknown from then until its next event" },
	[AN_SWITCH_OUT_NOT_RUNNING] = { "switch_out_not_running",
					"switched out of a CPU while the model had it off CPU" },
	[AN_SWITCH_IN_RUNNING] = { "switch_in_running",
				   "switched in while the model had it running already" },
	[AN_SWITCH_IN_NO_WAKEUP] = { "switch_in_no_wakeup",
				     "switched in from a sleep that no recorded waking ended: "
				     "the sleep is unknown" },
	[AN_FORK_LIVE_TID] = { "fork_live_tid",
			       "a fork reused the tid of a thread that had not exited" },
	[AN_IMPOSSIBLE_TID] = { "impossible_tid",
				"a thread id above the kernel's PID_MAX_LIMIT (4194304): ignored" },
};

const char *anomaly_name(uint8_t kind)
{
	return kind < AN_NKINDS ? anomaly_kinds[kind].name : "?";
}

const char *anomaly_text(uint8_t kind)
{
	return kind < AN_NKINDS ? anomaly_kinds[kind].text : "?";
}
