/* SPDX-License-Identifier: MIT */
/* Log2 histograms of interval durations in microseconds (or another unit), as runqlat prints them. */
#ifndef SCHEDTAPE_ANALYZE_HIST_H
#define SCHEDTAPE_ANALYZE_HIST_H

#include <stdint.h>

#define HIST_SLOTS 48

struct hist {
	uint64_t slots[HIST_SLOTS]; /* slot k: [2^k, 2^(k+1)) us; slot 0 also holds 0 */
	uint64_t count, total_ns, max_ns;
};

void hist__add(struct hist *h, uint64_t ns);
/* The same in slots of another unit: slot k holds [2^k, 2^(k+1)) units of @unit_ns ns. */
void hist__add_in(struct hist *h, uint64_t ns, uint64_t unit_ns);
/* Index of the highest non-empty slot, or -1. */
int hist__top(const struct hist *h);

#endif
