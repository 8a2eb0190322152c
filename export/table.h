/* SPDX-License-Identifier: MIT */
/*
 * One table of the SQL export, written as Parquet (parquet.c) or CSV: the
 * same columns either way. Strings are made valid UTF-8 on the way in
 * (Parquet's strings must be; a trace's names may hold any bytes): each byte
 * of an invalid sequence becomes '?'.
 */
#ifndef SCHEDTAPE_EXPORT_TABLE_H
#define SCHEDTAPE_EXPORT_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "parquet.h"

enum table_format { TABLE_PARQUET, TABLE_CSV };

struct table {
	enum table_format format;
	FILE *f;
	char *path, *tmp; /* written as tmp, renamed to path when complete */
	struct pq_writer *pq;
	const struct pq_column *cols;
	unsigned ncols, col; /* CSV: the next column */
	char *fix;	     /* scratch for strings made valid */
	size_t fixcap;
	int err;
};

/*
 * Open @path (created, or replaced atomically at table__close) for a table
 * of @ncols columns; @rows_per_group bounds Parquet row groups (0: default).
 * Returns 0 or -errno.
 */
int table__open(struct table *t, enum table_format format, const char *path,
		const struct pq_column *cols, unsigned ncols, uint32_t rows_per_group);
/* Key-value metadata (Parquet footer; CSV ignores it). */
void table__meta(struct table *t, const char *key, const char *value);
void table__i64(struct table *t, int64_t v);
void table__bool(struct table *t, bool v);
void table__str(struct table *t, const char *s);
void table__strn(struct table *t, const char *s, size_t n);
/* A timestamp in ns since the epoch (UTC). */
void table__time(struct table *t, int64_t ns);
void table__null(struct table *t);
/* The values go in column order; table__row ends the row. */
int table__row(struct table *t);
/* Finish the file; @keep false removes it. Returns 0 or the first error. */
int table__close(struct table *t, bool keep);

#endif
