// SPDX-License-Identifier: MIT
/*
 * The report's analysis parts against hand-made inputs whose answers are
 * known by construction: the lanes' banding (no time lost or invented, the
 * band bound held) and the idle-CPU overlap of waits.
 */
#include "analyze/idle_overlap.h"
#include "analyze/lanes.h"
#include "events.h"
#include "harness.h"

TEST(lanes_keep_long_intervals_and_merge_short_ones_without_losing_time)
{
	struct lane l;
	uint64_t t = 0, total[TS_NSTATES] = { 0 }, got[TS_NSTATES] = { 0 };
	const uint64_t merge = 1000, span_intervals = 100000;

	lane__init(&l, merge);
	/* Mostly 10 ns intervals alternating running/runnable, a 5,000 ns sleep every 997th. */
	for (uint64_t i = 0; i < span_intervals; i++) {
		uint64_t d = i % 997 == 0 ? 5000 : 10;
		uint8_t st = i % 997 == 0 ? TS_SLEEPING : i % 2 ? TS_RUNNING : TS_RUNNABLE;
		lane__add(&l, t, t + d, st, st == TS_SLEEPING ? 42 : LANE_NOBODY);
		total[st] += d;
		t += d;
	}
	CHECK_EQ(lane__finish(&l), 0);
	uint64_t prev_end = 0, whole = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct band *b = &l.b[i];
		CHECK(b->start == prev_end); /* contiguous input: contiguous bands */
		prev_end = b->end;
		if (b->n == 1) {
			got[b->state] += b->end - b->start;
			whole++;
			if (b->state == TS_SLEEPING)
				CHECK_EQ(b->who, 42);
		} else {
			/* Shorter than a band only where a kept interval (or the end) cut it. */
			CHECK(b->end - b->start >= merge || i == l.n - 1 || l.b[i + 1].n == 1);
			for (int s = 0; s < TS_NSTATES; s++)
				got[s] += b->ns[s];
		}
	}
	CHECK_EQ(prev_end, t);
	for (int s = 0; s < TS_NSTATES; s++)
		CHECK_EQ(got[s], total[s]);
	CHECK(whole >= span_intervals / 997);
	/* At most about two bands per merge length of span, plus the kept ones. */
	CHECK(l.n <= 2 * t / merge + whole + 1);
	lane__free(&l);
}

TEST(lanes_show_long_gaps_as_gaps)
{
	struct lane l;

	lane__init(&l, 100);
	lane__add(&l, 0, 10, TS_RUNNING, 7);
	lane__add(&l, 20, 30, TS_RUNNING, 8);	 /* short gap: same band */
	lane__add(&l, 500, 510, TS_RUNNING, 9); /* long gap: a new band */
	CHECK_EQ(lane__finish(&l), 0);
	CHECK_EQ(l.n, 2);
	CHECK_EQ(l.b[0].n, 2);
	CHECK_EQ(l.b[0].ns[TS_RUNNING], 20);
	CHECK_EQ(l.b[0].end, 30);
	CHECK_EQ(l.b[1].n, 1);
	CHECK_EQ(l.b[1].who, 9);
	lane__free(&l);
}

static void feed(struct idle_overlap *io, struct st_event e)
{
	idle_overlap__event(io, &e);
}

TEST(idle_overlap_counts_other_cpus_idle_time_once)
{
	struct idle_overlap *io;
	bool partial;

	CHECK_EQ(idle_overlap__new(&io), 0);
	/* CPU 1 idle 1000..3000 and 4000..; CPU 2 idle 2000..2500; CPU 0 always busy. */
	feed(io, ev_switch(500, 0, 0, 'R', 10));
	feed(io, ev_switch(600, 1, 0, 'R', 11));
	feed(io, ev_switch(700, 2, 0, 'R', 12));
	feed(io, ev_switch(1000, 1, 11, 'S', 0));
	feed(io, ev_switch(2000, 2, 12, 'S', 0));
	feed(io, ev_switch(2500, 2, 0, 'R', 12));
	feed(io, ev_switch(3000, 1, 0, 'R', 11));
	feed(io, ev_switch(4000, 1, 11, 'S', 0));
	/* A wait on CPU 0 over 800..4500: CPU 1's 1000..3000 and 4000..4500, CPU 2's inside. */
	CHECK_EQ(idle_overlap__of(io, 0, 800, 4500, &partial), 2500);
	CHECK(!partial);
	/* The waiter's own CPU never counts: on CPU 1 only CPU 2's 2000..2500 does. */
	CHECK_EQ(idle_overlap__of(io, 1, 800, 4500, &partial), 500);
	/* Before any CPU's first switch nothing is known: a lower bound, said so. */
	CHECK_EQ(idle_overlap__of(io, 0, 100, 1200, &partial), 200);
	CHECK(partial);
	/* After a loss on CPU 1 its idleness is unknown until its next switch. */
	struct st_event loss = { .ts = 5000, .cpu = 1, .type = ST_REC_LOSS };
	loss.loss.end_ts = 5100;
	feed(io, loss);
	CHECK_EQ(idle_overlap__of(io, 0, 5200, 5300, &partial), 0);
	CHECK(partial);
	idle_overlap__free(io);
}
