/* SPDX-License-Identifier: MIT */
/*
 * schedtape report: one self-contained HTML page of a trace (docs/REPORT.md):
 * the header facts with losses, the per-thread and per-process table, a
 * timeline of the top threads and of every CPU, off-CPU and off-wake
 * flamegraphs, the run-queue latency histogram, the worst waits' wakeup
 * chains, and findings computed from the data with their evidence.
 *
 * Its size follows its resolution, not the trace: timelines are cut into
 * REPORT_BANDS bands a lane (shorter intervals merged, labelled so), the
 * flamegraphs drop frames under a pixel, the chains and findings are few.
 */
#ifndef SCHEDTAPE_EXPORT_REPORT_H
#define SCHEDTAPE_EXPORT_REPORT_H

#include <stdio.h>

#include "analyze/filter.h"
#include "analyze/symbols.h"
#include "format/tape.h"

#define REPORT_BANDS 2000 /* a timeline lane's resolution: span / REPORT_BANDS */

struct report_opts {
	const char *name;	/* the trace's name, as shown */
	const char *version;	/* of schedtape, as shown */
	const char *filters;	/* the filter options given, as shown ("" none) */
	unsigned int top;	/* threads in the timeline (0: 12) */
	unsigned int chains;	/* worst waits whose chains are shown (0: 5) */
	unsigned int depth;	/* hops a chain follows (0: 4) */
};

/*
 * Write the report of @r with filter @f (resolved here) and user frames
 * named as @so says, to @out. Reads the trace several times. Returns 0, a
 * reader error, -ENOMEM, or -EIO when writing failed (errno says why).
 */
int report__write(FILE *out, struct st_reader *r, struct filter *f, const struct sym_opts *so,
		  const struct report_opts *o);

#endif
