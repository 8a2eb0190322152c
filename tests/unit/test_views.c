// SPDX-License-Identifier: MIT
/* chains and waitfor on synthetic traces, with exact answers. */
#include <stdlib.h>
#include <unistd.h>

#include "analyze/chains.h"
#include "analyze/model.h"
#include "analyze/waitfor.h"
#include "harness.h"
#include "synth.h"

#define MAXEV 64

struct evs {
	struct st_event e[MAXEV];
	int n;
};

static void push(struct evs *v, struct st_event e)
{
	if (v->n < MAXEV)
		v->e[v->n++] = e;
}

static struct st_event sw_stack(uint64_t ts, uint32_t cpu, uint32_t prev, char st, uint32_t next,
				uint32_t kstack)
{
	struct st_event e = ev_switch(ts, cpu, prev, st, next);
	e.sw.kstack = kstack;
	return e;
}

static struct st_event irq_wake(uint64_t ts, uint32_t cpu, uint32_t wakee)
{
	struct st_event e = ev_waking(ts, cpu, 0, wakee, cpu);
	e.wake.ctx = ST_CTX_HARDIRQ;
	return e;
}

static struct st_reader *open_events(const struct evs *v, int *fd)
{
	struct st_writer *w;
	struct st_chunk c;

	*fd = synth__open(&w);
	st_chunk__init(&c, ST_CHUNK_META, ST_CPU_NONE);
	st_chunk__add_kv(&c, "start_ts", "1");
	synth__put(w, &c);
	for (uint32_t cpu = 0; cpu < 2; cpu++) {
		st_chunk__free(&c);
		st_chunk__init(&c, ST_CHUNK_EVENTS, cpu);
		for (int i = 0; i < v->n; i++)
			if (v->e[i].cpu == cpu)
				CHECK_EQ(st_chunk__add_event(&c, &v->e[i]), 0);
		if (c.count)
			synth__put(w, &c);
	}
	st_writer__finish(w);
	st_writer__free(w);
	st_chunk__free(&c);
	struct st_reader *r = NULL;
	CHECK_EQ(st_reader__open_fd(*fd, ST_READ_STRICT, &r), 0);
	return r;
}

/*
 * A (1) sleeps on a timer, B (2) sleeps on a pipe, C (3) sleeps on a pipe;
 * the timer interrupt wakes A, A wakes B, B wakes C.
 */
static void relay(struct evs *v, bool loss)
{
	push(v, ev_switch(1, 0, 0, 'R', 1));
	push(v, ev_switch(50, 1, 0, 'R', 2));
	push(v, sw_stack(100, 0, 1, 'S', 3, 11));  /* A sleeps, C runs */
	push(v, sw_stack(200, 1, 2, 'S', 0, 12));  /* B sleeps */
	if (loss) {
		struct st_event l = { .ts = 250, .cpu = 1, .type = ST_REC_LOSS };
		l.loss.end_ts = 260;
		l.loss.count = 3;
		push(v, l);
	}
	push(v, sw_stack(300, 0, 3, 'S', 0, 13));  /* C sleeps */
	push(v, irq_wake(1000, 0, 1));
	push(v, ev_switch(1100, 0, 0, 'R', 1));
	push(v, ev_waking(1200, 0, 1, 2, 1));	   /* A wakes B */
	push(v, ev_switch(1250, 1, 0, 'R', 2));
	push(v, sw_stack(1300, 0, 1, 'S', 0, 11));
	push(v, ev_waking(1400, 1, 2, 3, 0));	   /* B wakes C */
	push(v, ev_switch(1450, 0, 0, 'R', 3));
	push(v, sw_stack(1500, 1, 2, 'S', 0, 12));
	push(v, sw_stack(1600, 0, 3, 'S', 0, 13));
}

TEST(chains_three_hops_to_an_interrupt)
{
	struct evs v = { .n = 0 };
	struct chain_set cs;
	struct filter f = { 0 };
	int fd;

	relay(&v, false);
	struct st_reader *r = open_events(&v, &fd);
	f.tids[f.ntids++] = 3;
	CHECK_EQ(chains__find(r, &f, 4, &cs), 0);
	CHECK_EQ(cs.n, 1);
	if (cs.n == 1) {
		const struct chain *c = &cs.c[0];
		CHECK_EQ(c->n, 3);
		CHECK_EQ(c->end, CE_IRQ);
		CHECK(c->hop[0].tid == 3 && c->hop[0].start == 300 && c->hop[0].end == 1400);
		CHECK(c->hop[0].kstack == 13 && c->hop[0].waker.tid == 2);
		CHECK(c->hop[1].tid == 2 && c->hop[1].start == 200 && c->hop[1].end == 1200);
		CHECK(c->hop[1].kstack == 12 && c->hop[1].waker.tid == 1);
		CHECK(c->hop[2].tid == 1 && c->hop[2].start == 100 && c->hop[2].end == 1000);
		CHECK(c->hop[2].waker.ctx == ST_CTX_HARDIRQ);
	}
	chains__free(&cs);
	/* Depth 2 stops at B, and says why. */
	f.states = 0;
	CHECK_EQ(chains__find(r, &f, 2, &cs), 0);
	CHECK(cs.n == 1 && cs.c[0].n == 2 && cs.c[0].end == CE_DEPTH);
	chains__free(&cs);
	st_reader__free(r);
	close(fd);
}

TEST(chains_broken_by_a_loss_say_so)
{
	struct evs v = { .n = 0 };
	struct chain_set cs;
	struct filter f = { 0 };
	int fd;

	relay(&v, true); /* CPU 1 loses events while B sleeps, before C sleeps */
	struct st_reader *r = open_events(&v, &fd);
	f.tids[f.ntids++] = 3;
	CHECK_EQ(chains__find(r, &f, 4, &cs), 0);
	CHECK_EQ(cs.n, 1);
	if (cs.n == 1) {
		CHECK_EQ(cs.c[0].n, 1);
		CHECK_EQ(cs.c[0].end, CE_WAKER_UNKNOWN);
		CHECK(strstr(chain_end_text(cs.c[0].end), "lost") != NULL);
	}
	chains__free(&cs);
	st_reader__free(r);
	close(fd);
}

TEST(waitfor_charges_who_held_the_cpu)
{
	struct evs v = { .n = 0 };
	struct waitfor_result w;
	struct filter f = { 0 };
	int fd;

	push(&v, ev_switch(1, 0, 0, 'R', 10));
	push(&v, ev_switch(100, 0, 10, 'R', 11));	  /* U preempts T */
	push(&v, sw_stack(250, 0, 11, 'S', 10, 5));	  /* U sleeps: T runs */
	push(&v, sw_stack(400, 0, 10, 'S', 0, 6));	  /* T sleeps */
	push(&v, ev_switch(450, 0, 0, 'R', 12));	  /* V runs */
	push(&v, ev_waking(500, 1, 0, 10, 0));		  /* T woken, waits for V */
	push(&v, ev_switch(600, 0, 12, 'R', 10));	  /* V preempted by T */
	push(&v, sw_stack(700, 0, 10, 'S', 12, 6));
	push(&v, sw_stack(800, 0, 12, 'S', 0, 7));
	struct st_reader *r = open_events(&v, &fd);
	f.tids[f.ntids++] = 10;
	CHECK_EQ(waitfor__run(r, &f, &w), 0);
	CHECK_EQ(w.waited_ns, 150 + 100);
	CHECK_EQ(w.waits, 2);
	CHECK_EQ(w.held_ns, 250);
	CHECK_EQ(w.n, 2);
	if (w.n == 2) {
		CHECK(w.h[0].tid == 11 && w.h[0].ns == 150 && w.h[0].off_state == 'S');
		CHECK(w.h[0].kstack == 5);
		CHECK(w.h[1].tid == 12 && w.h[1].ns == 100 && w.h[1].off_state == 'R');
	}
	waitfor__free(&w);
	st_reader__free(r);
	close(fd);
}
