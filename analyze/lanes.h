/* SPDX-License-Identifier: MIT */
/*
 * A timeline picture's lanes (one per thread or per CPU) at a set
 * resolution: intervals at least @merge_ns long are kept whole; runs of
 * shorter ones merge into bands of at least @merge_ns that say how many
 * intervals they hold and how their time split between states. A lane of a
 * span S holds at most about 2 * S / merge_ns bands, whatever the number of
 * events, so a picture's size follows its resolution, not the trace.
 */
#ifndef SCHEDTAPE_ANALYZE_LANES_H
#define SCHEDTAPE_ANALYZE_LANES_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Who a band names: a thread's tid, or one of these. */
#define LANE_NOBODY (-1)   /* no waker (not woken, or not known) */
#define LANE_IRQ_BASE (-10) /* woken from IRQ context: LANE_IRQ_BASE - enum st_wake_ctx */

struct band {
	uint64_t start, end;
	uint32_t n;		 /* intervals in it: 1 is one interval kept whole */
	uint8_t state;		 /* its (longest) interval's enum th_state */
	int64_t who;		 /* one interval: its waker (thread lanes) or thread (CPU lanes) */
	uint64_t ns[TS_NSTATES]; /* merged: time per state (gaps between intervals in none) */
	uint64_t longest;	 /* merged: its longest interval's length */
	int64_t longest_who;	 /* merged: that interval's who */
};

struct lane {
	uint64_t merge_ns;
	struct band *b;
	size_t n, cap;
	struct band open; /* merged band being filled (open.n == 0: none) */
	int err;	  /* -ENOMEM met: bands were dropped */
};

void lane__init(struct lane *l, uint64_t merge_ns);
/* Add [start, end) (after the lane's last interval). */
void lane__add(struct lane *l, uint64_t start, uint64_t end, uint8_t state, int64_t who);
/* Close the band being filled. Returns 0 or -ENOMEM (bands were lost). */
int lane__finish(struct lane *l);
void lane__free(struct lane *l);

#endif
