// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "latency.h"

/* Values below LAT_SUB have a bucket each; above, 16 per power of two. */
static unsigned int bucket_of(uint64_t v)
{
	if (v < LAT_SUB)
		return (unsigned int)v;
	unsigned int e = 63u - (unsigned int)__builtin_clzll(v); /* v in [2^e, 2^(e+1)) */
	unsigned int sub = (unsigned int)((v >> (e - 4)) & (LAT_SUB - 1));
	return (e - 3) * LAT_SUB + sub;
}

/* The largest value bucket @b holds. */
static uint64_t bucket_top(unsigned int b)
{
	if (b < LAT_SUB)
		return b;
	unsigned int e = b / LAT_SUB + 3, sub = b % LAT_SUB;
	uint64_t lo = (1ull << e) + ((uint64_t)sub << (e - 4));
	return lo + (1ull << (e - 4)) - 1;
}

/* Move the exact values into the histogram (once: more values than LAT_EXACT). */
static int to_buckets(struct lat_dist *d)
{
	if (d->buckets)
		return 0;
	d->buckets = calloc(LAT_BUCKETS, sizeof(*d->buckets));
	if (!d->buckets)
		return -ENOMEM;
	for (uint64_t i = 0; i < d->count && i < LAT_EXACT; i++)
		d->buckets[bucket_of(d->exact[i])]++;
	return 0;
}

int lat_dist__add(struct lat_dist *d, uint64_t ns, uint64_t at)
{
	int err = 0;

	if (d->count < LAT_EXACT)
		d->exact[d->count] = ns;
	else if (!(err = to_buckets(d)))
		d->buckets[bucket_of(ns)]++;
	d->count++;
	d->total += ns;
	if (ns > d->max || d->count == 1) {
		d->max = ns;
		d->max_at = at;
	}
	return err;
}

int lat_dist__merge(struct lat_dist *into, const struct lat_dist *from)
{
	uint64_t max = into->max, had = into->count;
	int err = 0;

	if (from->count <= LAT_EXACT) {
		for (uint64_t i = 0; i < from->count && !err; i++)
			err = lat_dist__add(into, from->exact[i], 0);
	} else if (!(err = to_buckets(into)) && from->buckets) {
		for (unsigned int b = 0; b < LAT_BUCKETS; b++)
			into->buckets[b] += from->buckets[b];
		into->count += from->count;
		into->total += from->total;
	}
	if (from->count && (!had || from->max > max)) {
		into->max = from->max;
		into->max_at = from->max_at;
	}
	return err;
}

static int by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t lat_dist__quantile(const struct lat_dist *d, double q, bool *exact)
{
	*exact = true;
	if (!d->count)
		return 0;
	/* The nearest-rank quantile: the smallest value with at least q of them at or below it. */
	uint64_t rank = (uint64_t)(q * (double)d->count + 0.999999);
	rank = rank < 1 ? 1 : rank > d->count ? d->count : rank;
	if (d->count <= LAT_EXACT) {
		uint64_t v[LAT_EXACT];
		memcpy(v, d->exact, d->count * sizeof(*v));
		qsort(v, d->count, sizeof(*v), by_value);
		return v[rank - 1];
	}
	if (rank == d->count)
		return d->max;
	uint64_t seen = 0;
	for (unsigned int b = 0; b < LAT_BUCKETS; b++) {
		seen += d->buckets ? d->buckets[b] : 0;
		if (seen >= rank) {
			uint64_t top = bucket_top(b);
			*exact = b < LAT_SUB;
			return top < d->max ? top : d->max;
		}
	}
	return d->max;
}

void lat_dist__free(struct lat_dist *d)
{
	free(d->buckets);
	memset(d, 0, sizeof(*d));
}
