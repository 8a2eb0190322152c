// SPDX-License-Identifier: MIT
/*
 * The Parquet writer's encodings against Encodings.md, byte for byte (the
 * examples worked by hand from the spec's rules); the files themselves are
 * read by DuckDB in tests/live/sql.sh.
 */
#include <string.h>

#include "export/parquet.h"
#include "export/protobuf.h"
#include "harness.h"

static int bytes_eq(const struct st_buf *b, const unsigned char *want, size_t n)
{
	return b->len == n && !memcmp(b->data, want, n);
}

TEST(parquet_delta_binary_packed)
{
	struct st_buf b = { 0 };

	/* 1..5: header 128, 4 miniblocks, 5 values, first 1; min delta 1, all widths 0. */
	pq__delta(&b, (const int64_t[]){ 1, 2, 3, 4, 5 }, 5);
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x80, 0x01, 4, 5, 2, 2, 0, 0, 0, 0 }, 10));
	pb__reset(&b);
	/* The spec's second example: deltas -2 -2 -2 1 1 1 1, min -2, relative 0 0 0 3 3 3 3 in 2 bits. */
	pq__delta(&b, (const int64_t[]){ 7, 5, 3, 1, 2, 3, 4, 5 }, 8);
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x80, 0x01, 4, 8, 14, 3, 2, 0, 0, 0, 0xc0, 0x3f,
						    0, 0, 0, 0, 0, 0 }, 18));
	pb__reset(&b);
	/* One value: the header alone. */
	pq__delta(&b, (const int64_t[]){ -1 }, 1);
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x80, 0x01, 4, 1, 1 }, 5));
	pb__free(&b);
}

TEST(parquet_rle_bitpacked_hybrid)
{
	struct st_buf b = { 0 };
	uint32_t v[40];

	for (int i = 0; i < 10; i++)
		v[i] = 5;
	pq__rle_hybrid(&b, v, 10, 3); /* a run: (10 << 1), value in 1 byte */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x14, 0x05 }, 2));
	pb__reset(&b);
	pq__rle_hybrid(&b, (const uint32_t[]){ 1, 2, 3 }, 3, 2); /* one bit-packed group, padded */
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x03, 0x39, 0x00 }, 3));
	pb__reset(&b);
	/* 8 mixed, then a run of 9: a whole group bit-packed, then the run. */
	for (int i = 0; i < 8; i++)
		v[i] = (uint32_t)(i & 1);
	for (int i = 8; i < 17; i++)
		v[i] = 1;
	pq__rle_hybrid(&b, v, 17, 1);
	CHECK(bytes_eq(&b, (const unsigned char[]){ 0x03, 0xaa, 0x12, 0x01 }, 4));
	pb__free(&b);
}
