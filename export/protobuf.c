// SPDX-License-Identifier: MIT
/* The protobuf wire format: see protobuf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"

#define PB_LEN_BYTES 4
#define PB_MAX_NESTED ((1u << 28) - 1)

void pb__raw(struct st_buf *b, const void *p, size_t n)
{
	if (!n || st_buf__reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void pb__varint(struct st_buf *b, uint64_t v)
{
	if (st_buf__reserve(b, 10))
		return;
	uint8_t *d = b->data + b->len;
	while (v >= 0x80) {
		*d++ = (uint8_t)v | 0x80;
		v >>= 7;
	}
	*d++ = (uint8_t)v;
	b->len = (size_t)(d - b->data);
}

static void tag(struct st_buf *b, uint32_t field, enum pb_wire wire)
{
	pb__varint(b, (uint64_t)field << 3 | wire);
}

void pb__uint(struct st_buf *b, uint32_t field, uint64_t v)
{
	tag(b, field, PB_VARINT);
	pb__varint(b, v);
}

void pb__int(struct st_buf *b, uint32_t field, int64_t v)
{
	pb__uint(b, field, (uint64_t)v);
}

void pb__fixed64(struct st_buf *b, uint32_t field, uint64_t v)
{
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	tag(b, field, PB_I64);
	pb__raw(b, le, sizeof(le));
}

void pb__bytes(struct st_buf *b, uint32_t field, const void *p, size_t n)
{
	tag(b, field, PB_LEN);
	pb__varint(b, n);
	pb__raw(b, p, n);
}

void pb__str(struct st_buf *b, uint32_t field, const char *s)
{
	pb__bytes(b, field, s, strlen(s));
}

size_t pb__begin(struct st_buf *b, uint32_t field)
{
	tag(b, field, PB_LEN);
	if (st_buf__reserve(b, PB_LEN_BYTES))
		return 0;
	size_t mark = b->len;
	b->len += PB_LEN_BYTES;
	return mark;
}

void pb__end(struct st_buf *b, size_t mark)
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

void pb__reset(struct st_buf *b)
{
	b->len = 0;
}

void pb__free(struct st_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
