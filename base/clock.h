/* SPDX-License-Identifier: MIT */
/* CLOCK_MONOTONIC in nanoseconds: the trace clock (BPF's ktime), and the recorder's pacing. */
#ifndef SCHEDTAPE_BASE_CLOCK_H
#define SCHEDTAPE_BASE_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock__monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
