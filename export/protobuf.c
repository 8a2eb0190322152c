// SPDX-License-Identifier: MIT
/* The protobuf wire format: see protobuf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"

#define PB_LEN_BYTES 4
#define PB_MAX_NESTED ((1u << 28) - 1)

static int reserve(struct pb *b, size_t n)
{
	if (b->err)
		return -1;
	if (b->cap - b->len >= n)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < n)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d) {
		b->err = -ENOMEM;
		return -1;
	}
	b->data = d;
	b->cap = cap;
	return 0;
}

void pb__raw(struct pb *b, const void *p, size_t n)
{
	if (!n || reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void pb__varint(struct pb *b, uint64_t v)
{
	if (reserve(b, 10))
		return;
	uint8_t *d = b->data + b->len;
	while (v >= 0x80) {
		*d++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*d++ = (uint8_t)v;
	b->len = (size_t)(d - b->data);
}

static void tag(struct pb *b, uint32_t field, enum pb_wire wire)
{
	pb__varint(b, (uint64_t)field << 3 | wire);
}

void pb__uint(struct pb *b, uint32_t field, uint64_t v)
{
	tag(b, field, PB_VARINT);
	pb__varint(b, v);
}

void pb__int(struct pb *b, uint32_t field, int64_t v)
{
	pb__uint(b, field, (uint64_t)v);
}

void pb__fixed64(struct pb *b, uint32_t field, uint64_t v)
{
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	tag(b, field, PB_I64);
	pb__raw(b, le, sizeof(le));
}

void pb__bytes(struct pb *b, uint32_t field, const void *p, size_t n)
{
	tag(b, field, PB_LEN);
	pb__varint(b, n);
	pb__raw(b, p, n);
}

void pb__str(struct pb *b, uint32_t field, const char *s)
{
	pb__bytes(b, field, s, strlen(s));
}

size_t pb__begin(struct pb *b, uint32_t field)
{
	tag(b, field, PB_LEN);
	if (reserve(b, PB_LEN_BYTES))
		return 0;
	size_t mark = b->len;
	b->len += PB_LEN_BYTES;
	return mark;
}

void pb__end(struct pb *b, size_t mark)
{
	if (b->err)
		return;
	size_t n = b->len - mark - PB_LEN_BYTES;
	if (n > PB_MAX_NESTED) {
		b->err = -E2BIG;
		return;
	}
	uint8_t *d = b->data + mark;
	for (int i = 0; i < PB_LEN_BYTES; i++) {
		d[i] = (uint8_t)(n & 0x7f) | (i < PB_LEN_BYTES - 1 ? 0x80 : 0);
		n >>= 7;
	}
}

void pb__reset(struct pb *b)
{
	b->len = 0;
}

void pb__free(struct pb *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
