/* SPDX-License-Identifier: MIT */
/*
 * Thrift's compact protocol, write side only, as Parquet's page headers and
 * footer use it: field headers with id deltas, zigzag varints, binaries,
 * lists and nested structs. The bytes go to a struct st_buf.
 */
#ifndef SCHEDTAPE_EXPORT_THRIFT_H
#define SCHEDTAPE_EXPORT_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/tape.h"

enum tc_type {
	TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5, TC_I64 = 6,
	TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12,
};

#define TC_MAX_DEPTH 16

struct tc {
	struct st_buf *b;
	int16_t last[TC_MAX_DEPTH]; /* last field id per open struct */
	int depth;
};

void tc__init(struct tc *t, struct st_buf *b);
void tc__i32(struct tc *t, int16_t id, int32_t v);
void tc__i64(struct tc *t, int16_t id, int64_t v);
void tc__i8(struct tc *t, int16_t id, int8_t v);
void tc__bool(struct tc *t, int16_t id, bool v);
void tc__binary(struct tc *t, int16_t id, const void *p, size_t n);
void tc__string(struct tc *t, int16_t id, const char *s);
/* A struct field (id > 0) or a struct list element (id 0); ended by tc__end. */
void tc__struct(struct tc *t, int16_t id);
void tc__end(struct tc *t);
/* A list field of @n elements of @elem; then n elements (tc__struct(t, 0), tc__elem_*). */
void tc__list(struct tc *t, int16_t id, enum tc_type elem, uint32_t n);
void tc__elem_i32(struct tc *t, int32_t v);
void tc__elem_string(struct tc *t, const char *s);

#endif
