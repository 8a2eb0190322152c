/* SPDX-License-Identifier: MIT */
/*
 * Who ran while a thread waited: its run-queue waits (RUNNABLE time) broken
 * down by the threads that held the CPU it was waiting for, each with the
 * stack it left the CPU with. Two passes: the waits, then who ran in them.
 */
#ifndef SCHEDTAPE_ANALYZE_WAITFOR_H
#define SCHEDTAPE_ANALYZE_WAITFOR_H

#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "format/tape.h"

struct wait_holder {
	uint32_t thread; /* model thread index */
	uint32_t tid, pid;
	char comm[ST_COMM_LEN];
	uint32_t kstack, ustack; /* where it left the CPU (0: not captured, e.g. preempted) */
	char off_state;		 /* how it left: 'S', 'D', 'R' (preempted); 0 if it did not */
	uint64_t ns;		 /* of the target's waiting time it held the CPU */
};

struct waitfor_result {
	uint64_t waited_ns; /* the target's run-queue time in the window */
	uint64_t waits;
	/* Of waited_ns, where the trace splits it (split_ns of it): waking to queued, queued. */
	uint64_t wakeup_latency_ns, queue_wait_ns, split_ns;
	uint64_t held_ns; /* of which held by the threads below; the rest: idle or untraced */
	struct wait_holder *h; /* heaviest first */
	size_t n;
};

/* Returns 0 or a negative error. @f selects the target thread(s). */
int waitfor__run(struct st_reader *r, struct filter *f, struct waitfor_result *out);
void waitfor__free(struct waitfor_result *w);

#endif
