/* SPDX-License-Identifier: MIT */
/* What the event merge needs from the reader; not part of the public API. */
#ifndef SCHEDTAPE_FORMAT_READER_INTERNAL_H
#define SCHEDTAPE_FORMAT_READER_INTERNAL_H

#include "tape.h"

/* Record a problem; returns @err in strict mode (the caller fails), else 0. */
int reader__problem(struct st_reader *r, uint64_t offset, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Verify and decompress chunk @i into @raw (growing it as needed), using
 * @stored as the read buffer. Returns 0 or a negative error, which the
 * caller reports.
 */
int reader__read_chunk(struct st_reader *r, size_t i, struct st_buf *stored, struct st_buf *raw);

/* Indices of the readable event chunks of each CPU, in file order. */
uint32_t reader__ncpus(const struct st_reader *r);
void reader__cpu_chunks(const struct st_reader *r, uint32_t cpu, const size_t **idx, size_t *n);

int buf__ensure(struct st_buf *b, size_t size);

#endif
