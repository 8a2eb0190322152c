// SPDX-License-Identifier: MIT
#include "hist.h"

void hist__add(struct hist *h, uint64_t ns)
{
	uint64_t us = ns / 1000;
	int slot = 0;

	while (us > 1 && slot < HIST_SLOTS - 1) {
		us >>= 1;
		slot++;
	}
	h->slots[slot]++;
	h->count++;
	h->total_ns += ns;
	if (ns > h->max_ns)
		h->max_ns = ns;
}

int hist__top(const struct hist *h)
{
	for (int k = HIST_SLOTS - 1; k >= 0; k--)
		if (h->slots[k])
			return k;
	return -1;
}
