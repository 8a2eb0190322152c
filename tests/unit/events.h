/* SPDX-License-Identifier: MIT */
/*
 * Event shorthands for synthetic traces: each thread its own process (pid =
 * tid), default priorities. Shared by the unit tests and tests/tools/mkhostile.
 */
#ifndef SCHEDTAPE_TEST_EVENTS_H
#define SCHEDTAPE_TEST_EVENTS_H

#include <stdint.h>

#include "format/tape.h"

struct st_event ev_switch(uint64_t ts, uint32_t cpu, uint32_t prev, char state, uint32_t next);
struct st_event ev_waking(uint64_t ts, uint32_t cpu, uint32_t waker, uint32_t wakee,
			  uint32_t target_cpu);
struct st_event ev_fork(uint64_t ts, uint32_t cpu, uint32_t parent, uint32_t child);

#endif
