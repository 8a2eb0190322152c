/* SPDX-License-Identifier: MIT */
/* Log2 histograms of interval durations in microseconds (or another unit), as runqlat prints them. */
#ifndef SCHEDTAPE_ANALYZE_HIST_H
#define SCHEDTAPE_ANALYZE_HIST_H

#include <stdint.h>

#include "filter.h"

#define HIST_SLOTS 48

struct hist {
	uint64_t slots[HIST_SLOTS]; /* slot k: [2^k, 2^(k+1)) us; slot 0 also holds 0 */
	uint64_t count, total_ns, max_ns;
};

void hist__add(struct hist *h, uint64_t ns);
/* The same in slots of another unit: slot k holds [2^k, 2^(k+1)) units of @unit_ns ns. */
void hist__add_in(struct hist *h, uint64_t ns, uint64_t unit_ns);
/* Which part of a runnable wait a histogram counts: all of it, or one side of the split. */
enum wait_part { WP_ALL, WP_LATENCY, WP_QUEUE };

/*
 * The length a histogram counts for @iv: whole intervals that end in @f's
 * window and pass it; of a runnable wait, part @part. Returns 1 with *@len,
 * 0 if not counted, -1 for a wait the trace does not split (@part not all).
 */
int hist__length(const struct filter *f, const struct interval *iv, enum wait_part part,
		 uint64_t *len);

/* Index of the highest non-empty slot, or -1. */
int hist__top(const struct hist *h);

#endif
