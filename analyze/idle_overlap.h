/* SPDX-License-Identifier: MIT */
/*
 * Was a CPU idle while a thread waited for another one? Each CPU's idle
 * periods (the idle task switched in until switched out) come from the
 * switch events, kept as the last IDLE_HISTORY periods per CPU, so a wait
 * can be measured against them when it ends: memory is CPUs, not events.
 * A CPU is not known idle before its first switch or after a loss on it
 * until its next switch.
 */
#ifndef SCHEDTAPE_ANALYZE_IDLE_OVERLAP_H
#define SCHEDTAPE_ANALYZE_IDLE_OVERLAP_H

#include <stdbool.h>
#include <stdint.h>

#include "format/tape.h"

#define IDLE_HISTORY 64

struct idle_overlap;

int idle_overlap__new(struct idle_overlap **out);
void idle_overlap__free(struct idle_overlap *io);

/* Feed every event, in time order, before the model sees it. */
void idle_overlap__event(struct idle_overlap *io, const struct st_event *e);

/*
 * Of [@start, @end), the ns during which at least one CPU other than @cpu
 * was idle. *@partial is set when the history kept did not reach back to
 * @start (the result is then a lower bound).
 */
uint64_t idle_overlap__of(struct idle_overlap *io, uint32_t cpu, uint64_t start, uint64_t end,
			  bool *partial);

#endif
