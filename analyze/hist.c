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

int hist__length(const struct filter *f, const struct interval *iv, enum wait_part part,
		 uint64_t *len)
{
	uint64_t start, end, lat, q;

	if (!filter__interval(f, iv, &start, &end) || iv->end > f->end)
		return 0;
	*len = iv->end - iv->start;
	if (part == WP_ALL || iv->state != TS_RUNNABLE)
		return 1;
	if (!iv->split)
		return -1;
	interval__split(iv, iv->start, iv->end, &lat, &q);
	*len = part == WP_QUEUE ? q : lat;
	return 1;
}
