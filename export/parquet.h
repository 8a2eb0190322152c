/* SPDX-License-Identifier: MIT */
/*
 * A Parquet file writer, from the specification (apache/parquet-format:
 * parquet.thrift, Encodings.md): flat schemas of INT64 (plain or, for
 * sorted data, DELTA_BINARY_PACKED), TIMESTAMP(NANOS), BOOLEAN and
 * UTF-8 strings (dictionary: RLE_DICTIONARY), required or optional;
 * zstd-compressed v1 data pages; row groups of a bounded number of rows,
 * each column chunk with min/max/null-count statistics; key-value metadata.
 * Memory is one row group's values.
 */
#ifndef SCHEDTAPE_EXPORT_PARQUET_H
#define SCHEDTAPE_EXPORT_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pq_kind { PQ_INT64, PQ_TIMESTAMP_NS, PQ_BOOL, PQ_STRING };

struct pq_column {
	const char *name;
	uint8_t kind;	/* enum pq_kind */
	bool optional;	/* may be null */
	bool delta;	/* INT64/TIMESTAMP: DELTA_BINARY_PACKED (for mostly sorted values) */
};

struct pq_writer;

#define PQ_ROWS_PER_GROUP 131072

/*
 * A writer of @ncols columns to @f (written from its current position, which
 * must be its start), @rows_per_group rows per row group (0: the default).
 * Returns 0 or -ENOMEM / -EINVAL.
 */
int pq__open(FILE *f, const struct pq_column *cols, unsigned ncols, uint32_t rows_per_group,
	     struct pq_writer **out);
/* A key-value pair for the footer (copied). */
int pq__meta(struct pq_writer *w, const char *key, const char *value);
/* One value of column @col for the current row; each column gets one per row. */
void pq__i64(struct pq_writer *w, unsigned col, int64_t v);
void pq__bool(struct pq_writer *w, unsigned col, bool v);
void pq__str(struct pq_writer *w, unsigned col, const char *s, size_t n);
void pq__null(struct pq_writer *w, unsigned col);
/* End the row; writes a row group when it is full. Returns 0 or an error. */
int pq__row(struct pq_writer *w);
/* Write what is left and the footer; frees the writer. Returns 0 or an error (-EIO...). */
int pq__close(struct pq_writer *w);

/* Encodings, exposed for the unit tests. */
struct st_buf;
/* RLE/bit-packed hybrid of @n values of @bit_width bits (no length prefix). */
void pq__rle_hybrid(struct st_buf *b, const uint32_t *v, size_t n, unsigned bit_width);
/* DELTA_BINARY_PACKED of @n values (block 128, 4 miniblocks of 32). */
void pq__delta(struct st_buf *b, const int64_t *v, size_t n);

#endif
