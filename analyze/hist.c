// SPDX-License-Identifier: MIT
#include "hist.h"

void hist__add(struct hist *h, uint64_t ns)
{
	hist__add_in(h, ns, 1000);
}

void hist__add_in(struct hist *h, uint64_t ns, uint64_t unit_ns)
{
	uint64_t v = ns / (unit_ns ? unit_ns : 1);
	int slot = 0;

	while (v > 1 && slot < HIST_SLOTS - 1) {
		v >>= 1;
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
