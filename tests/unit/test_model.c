// SPDX-License-Identifier: MIT
/* The scheduler model on synthetic traces, with exact expected intervals. */
#include <stdlib.h>
#include <unistd.h>

#include "analyze/model.h"
#include "analyze/thread_stats.h"
#include "harness.h"
#include "synth.h"

#define MAX_EVENTS 64
#define MAX_IV 64

/* A trace under construction: events per CPU, written in one go. */
struct trace {
	struct st_event ev[MAX_EVENTS];
	int n;
	uint64_t start_ts;
	const char *target_pids;
};

struct seen {
	struct interval iv[MAX_IV];
	struct thread thr[MAX_IV]; /* copies: the model's own move and go away */
	char comm[MAX_IV][ST_COMM_LEN];
	uint32_t gen[MAX_IV];
	int n;
};

static void add(struct trace *t, struct st_event e)
{
	if (t->n < MAX_EVENTS)
		t->ev[t->n++] = e;
}

static struct st_event loss(uint64_t ts, uint32_t cpu, uint64_t end, uint64_t count)
{
	struct st_event e = { .ts = ts, .cpu = cpu, .type = ST_REC_LOSS };
	e.loss.end_ts = end;
	e.loss.count = count;
	e.loss.cause = ST_LOSS_BUFFER_FULL;
	return e;
}

static struct st_event fork_ev(uint64_t ts, uint32_t cpu, uint32_t parent, uint32_t child)
{
	struct st_event e = { .ts = ts, .cpu = cpu, .type = ST_REC_FORK };
	e.fork.parent_tid = e.fork.parent_pid = parent;
	e.fork.child_tid = e.fork.child_pid = child;
	return e;
}

static struct st_event rename_ev(uint64_t ts, uint32_t cpu, uint32_t tid, const char *comm)
{
	struct st_event e = { .ts = ts, .cpu = cpu, .type = ST_REC_RENAME };
	e.task.tid = e.task.pid = tid;
	snprintf(e.task.comm, sizeof(e.task.comm), "%s", comm);
	return e;
}

/* Write @t (events of each CPU in their own chunk) and open it. */
static struct st_reader *trace__open(const struct trace *t, int *fd)
{
	struct st_writer *w;
	struct st_chunk c;
	char buf[32];

	*fd = synth__open(&w);
	st_chunk__init(&c, ST_CHUNK_META, ST_CPU_NONE);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)t->start_ts);
	st_chunk__add_kv(&c, "start_ts", buf);
	if (t->target_pids)
		st_chunk__add_kv(&c, "target_pids", t->target_pids);
	synth__put(w, &c);
	for (uint32_t cpu = 0; cpu < 2; cpu++) {
		st_chunk__free(&c);
		st_chunk__init(&c, ST_CHUNK_EVENTS, cpu);
		for (int i = 0; i < t->n; i++)
			if (t->ev[i].cpu == cpu)
				CHECK_EQ(st_chunk__add_event(&c, &t->ev[i]), 0);
		synth__put(w, &c);
	}
	CHECK_EQ(st_writer__finish(w), 0);
	st_writer__free(w);
	st_chunk__free(&c);
	struct st_reader *r = NULL;
	CHECK_EQ(st_reader__open_fd(*fd, ST_READ_STRICT, &r), 0);
	return r;
}

static void collect(void *ctx, const struct interval *iv)
{
	struct seen *s = ctx;

	if (s->n < MAX_IV) {
		s->iv[s->n] = *iv;
		s->thr[s->n] = *iv->t;
		s->iv[s->n].t = &s->thr[s->n];
		memcpy(s->comm[s->n], iv->t->comm, ST_COMM_LEN);
		s->gen[s->n] = iv->t->gen;
		s->n++;
	}
}

static void run(const struct trace *t, struct seen *s)
{
	int fd;
	struct st_reader *r = trace__open(t, &fd);
	struct model *m;

	memset(s, 0, sizeof(*s));
	if (!r)
		return;
	CHECK_EQ(model__new(r, collect, s, &m), 0);
	CHECK_EQ(model__run(m, r), 0);
	model__free(m);
	st_reader__free(r);
	close(fd);
	if (getenv("MODEL_DEBUG"))
		for (int i = 0; i < s->n; i++)
			fprintf(stderr, "  tid %u %s [%llu, %llu] woken=%d\n", s->iv[i].t->tid,
				th_state_name(s->iv[i].state), (unsigned long long)s->iv[i].start,
				(unsigned long long)s->iv[i].end, s->iv[i].woken);
}

/* The @k-th interval of thread @tid, or NULL. */
static const struct interval *nth(const struct seen *s, uint32_t tid, int k)
{
	for (int i = 0; i < s->n; i++)
		if (s->iv[i].t->tid == tid && k-- == 0)
			return &s->iv[i];
	return NULL;
}

static int count_of(const struct seen *s, uint32_t tid)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->iv[i].t->tid == tid;
	return n;
}

#define EXPECT_IV(s, tid, k, st, a, b)                                                             \
	do {                                                                                       \
		const struct interval *_iv = nth(s, tid, k);                                        \
		CHECK(_iv != NULL);                                                                \
		if (_iv) {                                                                         \
			CHECK_EQ(_iv->state, st);                                                  \
			CHECK_EQ(_iv->start, a);                                                   \
			CHECK_EQ(_iv->end, b);                                                     \
		}                                                                                  \
	} while (0)

TEST(model_thread_asleep_at_start)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_waking(1000, 1, 7, 10, 0));
	add(&t, ev_switch(1500, 0, 0, 'R', 10));
	add(&t, ev_switch(2500, 0, 10, 'S', 0));
	add(&t, ev_switch(3000, 1, 7, 'S', 0));
	run(&t, &s);
	CHECK_EQ(count_of(&s, 10), 4);
	EXPECT_IV(&s, 10, 0, TS_UNKNOWN, 100, 1000);
	EXPECT_IV(&s, 10, 1, TS_RUNNABLE, 1000, 1500);
	CHECK_EQ(nth(&s, 10, 1)->cause, RC_WOKEN);
	EXPECT_IV(&s, 10, 2, TS_RUNNING, 1500, 2500);
	CHECK(nth(&s, 10, 2)->switched_out);
	EXPECT_IV(&s, 10, 3, TS_SLEEPING, 2500, 3000); /* until the end of the trace */
}

TEST(model_wakeup_of_running_thread_changes_nothing)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_waking(200, 1, 7, 10, 0)); /* woken while still on CPU */
	add(&t, ev_switch(300, 0, 10, 'S', 0));
	add(&t, ev_waking(400, 1, 7, 10, 0));
	add(&t, ev_switch(500, 0, 0, 'R', 10));
	add(&t, ev_switch(600, 0, 10, 'S', 0));
	run(&t, &s);
	CHECK_EQ(count_of(&s, 10), 4); /* the final sleep has no length: not an interval */
	EXPECT_IV(&s, 10, 0, TS_RUNNING, 100, 300);
	EXPECT_IV(&s, 10, 1, TS_SLEEPING, 300, 400);
	CHECK(nth(&s, 10, 1)->woken && nth(&s, 10, 1)->waker.tid == 7);
	EXPECT_IV(&s, 10, 2, TS_RUNNABLE, 400, 500);
	EXPECT_IV(&s, 10, 3, TS_RUNNING, 500, 600);
}

TEST(model_preemption_and_block)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(300, 0, 10, 'R', 11)); /* 11 preempts 10 */
	add(&t, ev_switch(450, 0, 11, 'D', 10)); /* 11 blocks, 10 resumes */
	add(&t, ev_waking(900, 1, 0, 11, 0));
	add(&t, ev_switch(1000, 0, 10, 'R', 11));
	run(&t, &s);
	EXPECT_IV(&s, 10, 0, TS_RUNNING, 100, 300);
	EXPECT_IV(&s, 10, 1, TS_RUNNABLE, 300, 450);
	CHECK_EQ(nth(&s, 10, 1)->cause, RC_PREEMPTED);
	EXPECT_IV(&s, 10, 2, TS_RUNNING, 450, 1000);
	EXPECT_IV(&s, 11, 0, TS_UNKNOWN, 100, 300);
	EXPECT_IV(&s, 11, 1, TS_RUNNING, 300, 450);
	EXPECT_IV(&s, 11, 2, TS_BLOCKED, 450, 900);
	CHECK(nth(&s, 11, 2)->woken);
	EXPECT_IV(&s, 11, 3, TS_RUNNABLE, 900, 1000);
}

TEST(model_migration_between_cpus)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(200, 0, 10, 'S', 0));
	add(&t, ev_waking(300, 0, 0, 10, 1));
	add(&t, ev_switch(400, 1, 0, 'R', 10));
	add(&t, ev_switch(700, 1, 10, 'S', 0));
	run(&t, &s);
	EXPECT_IV(&s, 10, 0, TS_RUNNING, 100, 200);
	CHECK_EQ(nth(&s, 10, 0)->cpu, 0);
	EXPECT_IV(&s, 10, 3, TS_RUNNING, 400, 700);
	CHECK_EQ(nth(&s, 10, 3)->cpu, 1);
}

TEST(model_loss_in_the_middle_of_a_sleep)
{
	struct trace t = { .start_ts = 50 };
	struct seen s;

	add(&t, ev_switch(50, 1, 0, 'R', 20));   /* 20 runs on CPU 1 */
	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(150, 0, 10, 'S', 0));	 /* 10 sleeps */
	add(&t, loss(300, 1, 400, 5));		 /* CPU 1 lost events in [300, 400] */
	add(&t, ev_switch(400, 1, 20, 'S', 0));
	add(&t, ev_waking(600, 0, 0, 10, 0));
	add(&t, ev_switch(700, 0, 0, 'R', 10));
	run(&t, &s);
	/* The sleep is known until the loss; then its wakeup could have been lost. */
	EXPECT_IV(&s, 10, 0, TS_UNKNOWN, 50, 100);
	EXPECT_IV(&s, 10, 1, TS_RUNNING, 100, 150);
	EXPECT_IV(&s, 10, 2, TS_SLEEPING, 150, 300);
	EXPECT_IV(&s, 10, 3, TS_UNKNOWN, 300, 600);
	EXPECT_IV(&s, 10, 4, TS_RUNNABLE, 600, 700);
	/* The thread running on the lossy CPU is unknown from the loss on. */
	EXPECT_IV(&s, 20, 0, TS_RUNNING, 50, 300);
	EXPECT_IV(&s, 20, 1, TS_UNKNOWN, 300, 400);
	EXPECT_IV(&s, 20, 2, TS_SLEEPING, 400, 700);
}

TEST(model_pid_reuse_makes_a_new_thread)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 50));
	add(&t, ev_switch(300, 0, 50, 'X', 0)); /* tid 50 dies */
	add(&t, fork_ev(500, 1, 7, 50));	/* and is born again */
	add(&t, ev_switch(600, 0, 0, 'R', 50));
	add(&t, ev_switch(800, 0, 50, 'S', 0));
	run(&t, &s);
	EXPECT_IV(&s, 50, 0, TS_RUNNING, 100, 300);
	CHECK_EQ(s.gen[0], 0);
	EXPECT_IV(&s, 50, 1, TS_RUNNABLE, 500, 600);
	CHECK_EQ(nth(&s, 50, 1)->cause, RC_NEW);
	EXPECT_IV(&s, 50, 2, TS_RUNNING, 600, 800);
	CHECK_EQ(nth(&s, 50, 0)->t->gen, 0);
	CHECK_EQ(nth(&s, 50, 1)->t->gen, 1);
}

TEST(model_comm_change)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, rename_ev(150, 0, 10, "before"));
	add(&t, ev_switch(200, 0, 10, 'S', 0));
	add(&t, rename_ev(250, 1, 10, "after"));
	add(&t, ev_waking(300, 1, 0, 10, 0));
	run(&t, &s);
	CHECK_STR(s.comm[0], "before"); /* the running interval closed at 200 */
	CHECK_STR(nth(&s, 10, 1)->t->comm, "after");
}

TEST(model_irq_wakeup)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(200, 0, 10, 'S', 0));
	struct st_event w = ev_waking(900, 0, 0, 10, 0);
	w.wake.ctx = ST_CTX_HARDIRQ;
	w.wake.kstack = 3;
	add(&t, w);
	run(&t, &s);
	const struct interval *iv = nth(&s, 10, 1);
	CHECK(iv && iv->woken);
	CHECK(iv && iv->waker.ctx == ST_CTX_HARDIRQ && iv->waker.tid == 0);
	CHECK(iv && iv->waker.kstack == 3);
	CHECK_STR(iv ? iv->waker.comm : NULL, "swapper");
}

TEST(model_thread_leaving_cpu_without_a_switch)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	/* CPU 0 next switches from 0 (idle): 10 left it untraced. */
	add(&t, ev_switch(500, 0, 0, 'R', 11));
	add(&t, ev_switch(600, 0, 11, 'S', 0));
	run(&t, &s);
	EXPECT_IV(&s, 10, 0, TS_UNKNOWN, 100, 500);
	EXPECT_IV(&s, 11, 1, TS_RUNNING, 500, 600);
}

TEST(model_states_totals_and_filtered_recordings)
{
	struct trace t = { .start_ts = 0, .target_pids = "10" };
	struct st_reader *r;
	struct stats_table st = { 0 };
	struct filter f = { 0 };
	struct model *m;
	int fd;

	add(&t, ev_switch(0, 0, 0, 'R', 10));
	add(&t, ev_switch(1000, 0, 10, 'R', 30)); /* 30 is not followed */
	add(&t, ev_switch(1500, 0, 30, 'S', 10));
	add(&t, ev_switch(4000, 0, 10, 'S', 0));
	add(&t, ev_waking(5000, 1, 0, 10, 0));
	add(&t, ev_switch(5200, 0, 0, 'R', 10));
	add(&t, ev_switch(6000, 0, 10, 'S', 0));
	r = trace__open(&t, &fd);
	st.f = &f;
	CHECK_EQ(model__new(r, stats_table__interval, &st, &m), 0);
	filter__resolve(&f, model__start(m), model__end(m));
	CHECK_EQ(model__run(m, r), 0);
	CHECK(model__filtered(m));
	CHECK_EQ(stats_table__finish(&st, m), 1); /* 30 is left out */
	const struct thread_stats *ts = &st.rows[0];
	CHECK_EQ(ts->tid, 10);
	CHECK_EQ(ts->ns[TS_RUNNING], 1000 + 2500 + 800);
	CHECK_EQ(ts->ns[TS_RUNNABLE], 500 + 200);
	CHECK_EQ(ts->ns[TS_SLEEPING], 1000);
	CHECK_EQ(ts->switches, 3);
	CHECK_EQ(ts->wakeups, 1);
	CHECK_EQ(ts->max_runnable, 500);
	/* A window clips intervals. */
	stats_table__free(&st);
	model__free(m);
	f.has_begin = f.has_end = true;
	f.begin_s = 1.2e-6;
	f.end_s = 5.1e-6;
	st.f = &f;
	CHECK_EQ(model__new(r, stats_table__interval, &st, &m), 0);
	filter__resolve(&f, model__start(m), model__end(m));
	CHECK_EQ(model__run(m, r), 0);
	stats_table__finish(&st, m);
	CHECK_EQ(st.rows[0].ns[TS_RUNNABLE], 300 + 100);
	CHECK_EQ(st.rows[0].ns[TS_RUNNING], 2500);
	CHECK_EQ(st.rows[0].ns[TS_SLEEPING], 1000);
	stats_table__free(&st);
	model__free(m);
	st_reader__free(r);
	close(fd);
}

/* --- wakings that come before their sleeper's switch-out (issue 12) ------- */

static struct st_event queued_switch(uint64_t ts, uint32_t cpu, uint32_t prev, char state,
				     uint32_t next, uint64_t queued)
{
	struct st_event e = ev_switch(ts, cpu, prev, state, next);
	e.sw.has_queued = true;
	e.sw.next_queued = queued;
	return e;
}

#define EXPECT_WOKEN_BY(s, who, k, by)                                                              \
	do {                                                                                       \
		const struct interval *_w = nth(s, who, k);                                         \
		CHECK(_w && _w->woken);                                                            \
		CHECK(_w && _w->waker.tid == (by));                                                \
	} while (0)

TEST(model_early_waking_same_cpu_switch_in)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(100, 1, 0, 'R', 7));
	struct st_event sw = ev_switch(300, 0, 10, 'S', 0);
	sw.sw.kstack = 5;
	add(&t, ev_waking(250, 1, 7, 10, 0)); /* 10 is dequeued but still on CPU 0 */
	add(&t, sw);
	add(&t, ev_switch(400, 1, 7, 'S', 0));
	add(&t, ev_switch(420, 0, 0, 'R', 10));
	add(&t, ev_switch(600, 0, 10, 'S', 0));
	run(&t, &s);
	EXPECT_IV(&s, 10, 0, TS_RUNNING, 100, 300);
	EXPECT_IV(&s, 10, 1, TS_SLEEPING, 300, 300); /* woken as it fell asleep */
	EXPECT_WOKEN_BY(&s, 10, 1, 7);
	CHECK_EQ(nth(&s, 10, 1)->kstack, 5); /* the sleeper's off-CPU stack stays with it */
	EXPECT_IV(&s, 10, 2, TS_RUNNABLE, 300, 420);
	CHECK_EQ(nth(&s, 10, 2)->cause, RC_WOKEN);
	CHECK(!nth(&s, 10, 2)->split);
	EXPECT_IV(&s, 10, 3, TS_RUNNING, 420, 600);
	CHECK_EQ(count_of(&s, 10), 4);
}

TEST(model_early_waking_then_migration)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(100, 1, 0, 'R', 7));
	add(&t, ev_waking(250, 1, 7, 10, 0));
	add(&t, ev_switch(300, 0, 10, 'D', 0));
	add(&t, ev_switch(350, 1, 7, 'S', 0));
	add(&t, queued_switch(380, 1, 0, 'R', 10, 20)); /* picked up by the other CPU */
	add(&t, ev_switch(500, 1, 10, 'S', 0));
	run(&t, &s);
	EXPECT_IV(&s, 10, 1, TS_BLOCKED, 300, 300);
	EXPECT_WOKEN_BY(&s, 10, 1, 7);
	EXPECT_IV(&s, 10, 2, TS_RUNNABLE, 300, 380);
	CHECK(nth(&s, 10, 2)->split);
	CHECK_EQ(nth(&s, 10, 2)->queued, 20);
	EXPECT_IV(&s, 10, 3, TS_RUNNING, 380, 500);
	CHECK_EQ(nth(&s, 10, 3)->cpu, 1);
}

TEST(model_early_waking_of_a_queued_thread_changes_nothing)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	struct st_event w = ev_waking(200, 0, 10, 10, 0); /* an IRQ on its own CPU */
	w.wake.ctx = ST_CTX_HARDIRQ; /* it was not dequeued yet: the kernel just marks it running */
	add(&t, w);
	add(&t, ev_switch(300, 0, 10, 'R', 11));
	add(&t, ev_switch(400, 0, 11, 'S', 10));
	add(&t, ev_switch(500, 0, 10, 'S', 0));
	add(&t, ev_waking(700, 1, 0, 10, 0));
	add(&t, ev_switch(800, 0, 0, 'R', 10));
	run(&t, &s);
	EXPECT_IV(&s, 10, 0, TS_RUNNING, 100, 300);
	EXPECT_IV(&s, 10, 1, TS_RUNNABLE, 300, 400);
	CHECK_EQ(nth(&s, 10, 1)->cause, RC_PREEMPTED);
	EXPECT_IV(&s, 10, 2, TS_RUNNING, 400, 500);
	EXPECT_IV(&s, 10, 3, TS_SLEEPING, 500, 700);
	EXPECT_WOKEN_BY(&s, 10, 3, 0);
}

TEST(model_early_waking_dropped_by_a_preemption)
{
	struct trace t = { .start_ts = 100 };
	struct st_reader *r;
	struct seen s;
	struct model *m;
	int fd;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_waking(200, 1, 7, 10, 0));
	add(&t, ev_switch(300, 0, 10, 'R', 11)); /* it did not sleep after all */
	add(&t, ev_switch(400, 0, 11, 'S', 10));
	add(&t, ev_switch(500, 0, 10, 'S', 0));
	add(&t, ev_switch(800, 0, 0, 'R', 10)); /* no waking: its wakeup is not in the trace */
	r = trace__open(&t, &fd);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(model__new(r, collect, &s, &m), 0);
	CHECK_EQ(model__run(m, r), 0);
	EXPECT_IV(&s, 10, 1, TS_RUNNABLE, 300, 400);
	CHECK_EQ(nth(&s, 10, 1)->cause, RC_PREEMPTED);
	EXPECT_IV(&s, 10, 3, TS_UNKNOWN, 500, 800);
	CHECK_EQ(model__anomalies_of(m, AN_SWITCH_IN_NO_WAKEUP), 1);
	CHECK_EQ(model__anomalies(m), 1);
	model__free(m);
	st_reader__free(r);
	close(fd);
}

TEST(model_early_waking_lost_to_a_loss)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_waking(200, 1, 7, 10, 0));
	add(&t, loss(250, 0, 280, 3));
	add(&t, ev_switch(300, 0, 10, 'S', 0));
	add(&t, ev_switch(400, 0, 0, 'R', 10));
	run(&t, &s);
	EXPECT_IV(&s, 10, 0, TS_RUNNING, 100, 250);
	EXPECT_IV(&s, 10, 1, TS_UNKNOWN, 250, 300);
	EXPECT_IV(&s, 10, 2, TS_UNKNOWN, 300, 400); /* the waking was forgotten with the loss */
}

TEST(model_early_waking_at_the_end_of_the_trace)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_waking(200, 1, 7, 10, 0));
	add(&t, ev_switch(300, 0, 10, 'S', 0));
	add(&t, ev_switch(900, 1, 7, 'S', 0));
	run(&t, &s);
	EXPECT_IV(&s, 10, 1, TS_SLEEPING, 300, 300);
	EXPECT_WOKEN_BY(&s, 10, 1, 7);
	EXPECT_IV(&s, 10, 2, TS_RUNNABLE, 300, 900);
}

TEST(model_second_waking_while_runnable_changes_nothing)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(200, 0, 10, 'S', 0));
	add(&t, ev_waking(300, 1, 7, 10, 0));
	add(&t, ev_waking(350, 1, 8, 10, 0));
	add(&t, queued_switch(500, 0, 0, 'R', 10, 150));
	run(&t, &s);
	EXPECT_IV(&s, 10, 1, TS_SLEEPING, 200, 300);
	EXPECT_WOKEN_BY(&s, 10, 1, 7);
	EXPECT_IV(&s, 10, 2, TS_RUNNABLE, 300, 500);
	const struct interval *iv = nth(&s, 10, 2);
	uint64_t lat, q;
	interval__split(iv, iv->start, iv->end, &lat, &q);
	CHECK_EQ(lat, 50);
	CHECK_EQ(q, 150);
	interval__split(iv, 320, 400, &lat, &q); /* a window that cuts both parts */
	CHECK_EQ(lat, 30);
	CHECK_EQ(q, 50);
	interval__split(iv, 400, 500, &lat, &q);
	CHECK_EQ(lat, 0);
	CHECK_EQ(q, 100);
}

TEST(model_queue_wait_longer_than_runnable_is_clamped)
{
	struct trace t = { .start_ts = 100 };
	struct seen s;

	add(&t, ev_switch(100, 0, 0, 'R', 10));
	add(&t, ev_switch(200, 0, 10, 'R', 11));
	add(&t, queued_switch(300, 0, 11, 'S', 10, 120)); /* rq clocks differ from ktime by a little */
	run(&t, &s);
	const struct interval *iv = nth(&s, 10, 1);
	uint64_t lat, q;
	CHECK(iv && iv->state == TS_RUNNABLE && iv->split);
	interval__split(iv, iv->start, iv->end, &lat, &q);
	CHECK_EQ(lat, 0);
	CHECK_EQ(q, 100);
}

TEST(model_impossible_tid_is_an_anomaly)
{
	struct trace t = { .start_ts = 100 };
	struct st_reader *r;
	struct seen s;
	struct model *m;
	int fd;

	add(&t, ev_switch(100, 0, 0, 'R', 0x7fffffff)); /* past PID_MAX_LIMIT */
	add(&t, ev_switch(200, 0, 0x7fffffff, 'S', 10));
	add(&t, ev_switch(300, 0, 10, 'S', 0));
	r = trace__open(&t, &fd);
	memset(&s, 0, sizeof(s));
	CHECK_EQ(model__new(r, collect, &s, &m), 0);
	CHECK_EQ(model__run(m, r), 0);
	CHECK_EQ(model__nthreads(m), 1); /* only tid 10 */
	CHECK_EQ(model__anomalies_of(m, AN_IMPOSSIBLE_TID), 2);
	model__free(m);
	st_reader__free(r);
	close(fd);
}
