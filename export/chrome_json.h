/* SPDX-License-Identifier: MIT */
/*
 * Chrome trace-event JSON (the legacy format ui.perfetto.dev and
 * chrome://tracing open): a track per thread with its states, grouped by
 * process; wakeup arrows from waker to wakee; a track per CPU with who ran;
 * loss windows on the CPU that lost events. Slices only: the native
 * protobuf (perfetto.h) is what Perfetto models.
 */
#ifndef SCHEDTAPE_EXPORT_CHROME_JSON_H
#define SCHEDTAPE_EXPORT_CHROME_JSON_H

#include <stdio.h>

#include "analyze/filter.h"
#include "analyze/model.h"

struct chrome_json;

/* Intervals go to chrome_json__interval with this as ctx; @f selects them. */
int chrome_json__new(FILE *out, const struct filter *f, struct chrome_json **out_x);
/* Begin the document; times are relative to @t0. */
void chrome_json__begin(struct chrome_json *x, uint64_t t0);
void chrome_json__interval(void *ctx, const struct interval *iv);
/* A loss record (st_reader__each_loss callback). */
int chrome_json__loss(void *ctx, const struct st_event *e);
/* Names of threads, processes and CPUs, and the end of the document. */
void chrome_json__end(struct chrome_json *x, const struct model *m);
void chrome_json__free(struct chrome_json *x);

#endif
