/* SPDX-License-Identifier: MIT */
/*
 * A distribution of waits for quantiles in bounded memory: the first
 * LAT_EXACT values are kept as they are (quantiles exact), then a
 * log-linear histogram takes over, 16 buckets per power of two, so a
 * quantile is given as the top of its bucket: at most 1/16 (6.25%) above
 * the exact value. Count, total and maximum stay exact.
 */
#ifndef SCHEDTAPE_ANALYZE_LATENCY_H
#define SCHEDTAPE_ANALYZE_LATENCY_H

#include <stdbool.h>
#include <stdint.h>

#define LAT_EXACT 16
#define LAT_SUB 16 /* buckets per power of two */
#define LAT_BUCKETS (64 * LAT_SUB)

struct lat_dist {
	uint64_t count, total, max, max_at; /* max_at: when the longest began */
	uint64_t exact[LAT_EXACT];
	uint32_t *buckets; /* NULL until more than LAT_EXACT values */
};

/* Add a wait of @ns that began at @at. Returns 0 or -ENOMEM (the value is then counted, not bucketed). */
int lat_dist__add(struct lat_dist *d, uint64_t ns, uint64_t at);
/* Merge @from into @into (per-process sums). Returns 0 or -ENOMEM. */
int lat_dist__merge(struct lat_dist *into, const struct lat_dist *from);
/* The @q quantile (0..1) and whether it is exact; 0 without values. */
uint64_t lat_dist__quantile(const struct lat_dist *d, double q, bool *exact);
void lat_dist__free(struct lat_dist *d);

#endif
