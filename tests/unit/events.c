// SPDX-License-Identifier: MIT
/* Event shorthands: see events.h. */
#include "events.h"

struct st_event ev_switch(uint64_t ts, uint32_t cpu, uint32_t prev, char state, uint32_t next)
{
	struct st_event e = { .ts = ts, .cpu = cpu, .type = ST_REC_SWITCH };

	e.sw.prev_tid = e.sw.prev_pid = prev;
	e.sw.next_tid = e.sw.next_pid = next;
	e.sw.prev_state = state;
	e.sw.prev_prio = e.sw.next_prio = ST_DEFAULT_PRIO;
	return e;
}

struct st_event ev_waking(uint64_t ts, uint32_t cpu, uint32_t waker, uint32_t wakee,
			  uint32_t target_cpu)
{
	struct st_event e = { .ts = ts, .cpu = cpu, .type = ST_REC_WAKING };

	e.wake.waker_tid = e.wake.waker_pid = waker;
	e.wake.wakee_tid = e.wake.wakee_pid = wakee;
	e.wake.target_cpu = target_cpu;
	return e;
}

struct st_event ev_fork(uint64_t ts, uint32_t cpu, uint32_t parent, uint32_t child)
{
	struct st_event e = { .ts = ts, .cpu = cpu, .type = ST_REC_FORK };

	e.fork.parent_tid = e.fork.parent_pid = parent;
	e.fork.child_tid = e.fork.child_pid = child;
	return e;
}
