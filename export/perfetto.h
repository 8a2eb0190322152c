/* SPDX-License-Identifier: MIT */
/*
 * Perfetto's native trace (a protobuf `Trace`: a stream of TracePackets),
 * written so that trace processor rebuilds the model's thread states:
 * per-CPU FtraceEventBundles with compact_sched switches and wakings, a
 * process tree, system info and a clock snapshot; and, as track events,
 * what ftrace cannot say: UNKNOWN time on threads, loss windows on CPUs,
 * off-CPU and waker stacks (interned callstacks), the recording's span.
 * docs/PERFETTO.md says what goes where and why.
 *
 * Streamed: memory grows with CPUs, threads and distinct stacks, never
 * with events.
 */
#ifndef SCHEDTAPE_EXPORT_PERFETTO_H
#define SCHEDTAPE_EXPORT_PERFETTO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/model.h"
#include "analyze/symbols.h"

struct perfetto_opts {
	bool gzip; /* a gzip stream (trace processor and the UI read it) */
	/* Called now and then with events done and the total (may be NULL). */
	void (*progress)(void *ctx, uint64_t done, uint64_t total);
	void *progress_ctx;
};

struct perfetto;

/* A writer to @out, naming frames with @sym. Returns 0 or -ENOMEM. */
int perfetto__new(FILE *out, const struct st_reader *r, struct symbolizer *sym,
		  const struct perfetto_opts *o, struct perfetto **out_p);

/* The model's interval callback: make the model with this and the writer as ctx. */
void perfetto__interval(void *ctx, const struct interval *iv);

/*
 * Feed every event of @r through @m (made with perfetto__interval) and
 * write the trace. Returns 0, the reader's error, -ENOMEM or -EIO.
 */
int perfetto__run(struct perfetto *p, struct st_reader *r, struct model *m);

void perfetto__free(struct perfetto *p);

#endif
