/* SPDX-License-Identifier: MIT */
/*
 * The SQL export: a trace as the tables of docs/SCHEMA.md (trace, thread,
 * interval, stack, frame, loss), each DIR/<table>/<trace_id>.parquet (or
 * .csv), so that a directory of many traces is one dataset. Intervals are
 * written as the model closes them; threads, stacks and frames at the end
 * (memory grows with those, never with events).
 */
#ifndef SCHEDTAPE_EXPORT_SQL_H
#define SCHEDTAPE_EXPORT_SQL_H

#include "analyze/model.h"
#include "analyze/symbols.h"
#include "table.h"

#define SQL_SCHEMA_VERSION 2

struct sql_opts {
	enum table_format format;
	const char *dir;
	const char *host;	 /* instead of the recorded host name (NULL: recorded) */
	uint32_t rows_per_group; /* Parquet row groups (0: default) */
};

struct sql_export;

/* The trace's id: 16 hex digits from its recorded facts, the same on every export. */
void sql__trace_id(const struct st_reader *r, char out[17]);

/*
 * Start exporting @r (read from @file) with names from @sym. Returns 0, or
 * -errno when a directory or file cannot be made.
 */
int sql__new(const struct st_reader *r, struct symbolizer *sym, const char *file,
	     const struct sql_opts *o, struct sql_export **out);
/* The model's interval callback (the model made with the export as ctx). */
void sql__interval(void *ctx, const struct interval *iv);
/*
 * Feed every event of @r through @m (made with sql__interval) and write
 * every table; the files are complete when this returns 0 (else an error,
 * and sql__free removes them).
 */
int sql__run(struct sql_export *x, struct st_reader *r, struct model *m);
/* Free; files not finished are removed. */
void sql__free(struct sql_export *x);

#endif
