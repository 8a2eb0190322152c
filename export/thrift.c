// SPDX-License-Identifier: MIT
/* Thrift compact protocol (write side): see thrift.h. */
#include <errno.h>
#include <string.h>

#include "protobuf.h"
#include "thrift.h"

void tc__init(struct tc *t, struct st_buf *b)
{
	t->b = b;
	t->depth = 0;
	t->last[0] = 0;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static void header(struct tc *t, int16_t id, enum tc_type type)
{
	int16_t delta = (int16_t)(id - t->last[t->depth]);
	uint8_t byte;

	if (delta > 0 && delta <= 15) {
		byte = (uint8_t)(delta << 4 | type);
		pb__raw(t->b, &byte, 1);
	} else {
		byte = (uint8_t)type;
		pb__raw(t->b, &byte, 1);
		pb__varint(t->b, zigzag(id));
	}
	t->last[t->depth] = id;
}

void tc__i32(struct tc *t, int16_t id, int32_t v)
{
	header(t, id, TC_I32);
	pb__varint(t->b, zigzag(v));
}

void tc__i64(struct tc *t, int16_t id, int64_t v)
{
	header(t, id, TC_I64);
	pb__varint(t->b, zigzag(v));
}

void tc__i8(struct tc *t, int16_t id, int8_t v)
{
	uint8_t byte = (uint8_t)v;

	header(t, id, TC_BYTE);
	pb__raw(t->b, &byte, 1);
}

void tc__bool(struct tc *t, int16_t id, bool v)
{
	header(t, id, v ? TC_TRUE : TC_FALSE);
}

void tc__binary(struct tc *t, int16_t id, const void *p, size_t n)
{
	header(t, id, TC_BINARY);
	pb__varint(t->b, n);
	pb__raw(t->b, p, n);
}

void tc__string(struct tc *t, int16_t id, const char *s)
{
	tc__binary(t, id, s, strlen(s));
}

void tc__struct(struct tc *t, int16_t id)
{
	if (id)
		header(t, id, TC_STRUCT);
	if (t->depth + 1 >= TC_MAX_DEPTH) {
		t->b->err = -E2BIG;
		return;
	}
	t->last[++t->depth] = 0;
}

void tc__end(struct tc *t)
{
	uint8_t stop = 0;

	pb__raw(t->b, &stop, 1);
	if (t->depth > 0)
		t->depth--;
}

void tc__list(struct tc *t, int16_t id, enum tc_type elem, uint32_t n)
{
	header(t, id, TC_LIST);
	uint8_t byte = n < 15 ? (uint8_t)(n << 4 | elem) : (uint8_t)(0xf0 | elem);
	pb__raw(t->b, &byte, 1);
	if (n >= 15)
		pb__varint(t->b, n);
}

void tc__elem_i32(struct tc *t, int32_t v)
{
	pb__varint(t->b, zigzag(v));
}

void tc__elem_string(struct tc *t, const char *s)
{
	size_t n = strlen(s);

	pb__varint(t->b, n);
	pb__raw(t->b, s, n);
}
