// SPDX-License-Identifier: MIT
/*
 * The protobuf writer against the wire format's rules (protobuf.dev's
 * encoding page): varints, negative int32 as ten bytes, fixed64 little-endian,
 * and nested messages whose padded 4-byte length any decoder reads.
 */
#include <string.h>

#include "export/protobuf.h"
#include "harness.h"

static int bytes_eq(const struct st_buf *b, const unsigned char *want, size_t n)
{
	return b->len == n && !memcmp(b->data, want, n);
}

TEST(protobuf_varints_and_fixed)
{
	struct st_buf b = { 0 };

	pb__uint(&b, 1, 150); /* the spec's example: 08 96 01 */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x08, 0x96, 0x01 }, 3));
	pb__reset(&b);
	pb__int(&b, 2, -1); /* int32 -1: ten bytes, as two's complement of 64 bits */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
						    0xff, 0xff, 0x01 }, 11));
	pb__reset(&b);
	pb__fixed64(&b, 47, 0x0102030405060708ull); /* tag 47<<3|1 = 0x179 */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0xf9, 0x02, 8, 7, 6, 5, 4, 3, 2, 1 }, 10));
	pb__reset(&b);
	pb__str(&b, 2, "testing");
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g' }, 9));
	CHECK_EQ(b.err, 0);
	pb__free(&b);
}

TEST(protobuf_nested_length_is_padded_varint)
{
	struct st_buf b = { 0 };
	size_t outer = pb__begin(&b, 3);
	size_t inner = pb__begin(&b, 1);

	pb__uint(&b, 1, 150);
	pb__end(&b, inner);
	pb__end(&b, outer);
	/* 1a [len 8 as 88 80 80 00] 0a [len 3 as 83 80 80 00] 08 96 01 */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x1a, 0x88, 0x80, 0x80, 0x00, 0x0a, 0x83, 0x80,
						    0x80, 0x00, 0x08, 0x96, 0x01 }, 13));
	pb__free(&b);
}

TEST(protobuf_large_nested_and_empty)
{
	struct st_buf b = { 0 };
	size_t m = pb__begin(&b, 1);

	pb__end(&b, m); /* an empty message: length 0 */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x0a, 0x80, 0x80, 0x80, 0x00 }, 5));
	pb__reset(&b);
	m = pb__begin(&b, 1);
	for (int i = 0; i < 100000; i++)
		pb__uint(&b, 2, 300); /* 3 bytes each */
	pb__end(&b, m);
	size_t n = 300000;
	CHECK_EQ(b.len, 5 + n);
	CHECK_EQ(b.data[1], (n & 0x7f) | 0x80);
	CHECK_EQ(b.data[2], ((n >> 7) & 0x7f) | 0x80);
	CHECK_EQ(b.data[3], ((n >> 14) & 0x7f) | 0x80);
	CHECK_EQ(b.data[4], (n >> 21) & 0x7f);
	CHECK_EQ(b.err, 0);
	pb__free(&b);
}
