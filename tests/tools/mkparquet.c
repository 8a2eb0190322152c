// SPDX-License-Identifier: MIT
/*
 * Files for checking the Parquet writer with a real reader (tests/live/sql.sh,
 * tests/tools/parquet_check.mjs, which recomputes every value from the same
 * formulas): every column kind, required and optional, nulls in patterns,
 * row groups of 7 rows (boundaries everywhere), an empty table, DELTA over
 * wrapping and unsorted values, and strings of arbitrary bytes, which the
 * table layer must turn into valid UTF-8 ('?' for each byte of a bad sequence).
 *
 * usage: mkparquet DIR  (writes DIR/kinds.parquet, DIR/empty.parquet, DIR/bytes.parquet, .csv too)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/table.h"

static const struct pq_column kinds[] = {
	{ "i", PQ_INT64, false, false },	  { "d", PQ_INT64, false, true },
	{ "od", PQ_INT64, true, true },		  { "t", PQ_TIMESTAMP_NS, false, true },
	{ "b", PQ_BOOL, false, false },		  { "ob", PQ_BOOL, true, false },
	{ "s", PQ_STRING, false, false },	  { "os", PQ_STRING, true, false },
};
static const struct pq_column bytes_cols[] = {
	{ "n", PQ_INT64, false, false },
	{ "s", PQ_STRING, false, false },
};

#define ROWS 1000

static void die(const char *what, int err)
{
	fprintf(stderr, "mkparquet: %s: error %d\n", what, err);
	exit(1);
}

static void kinds__write(const char *path, enum table_format fmt, unsigned rows)
{
	struct table t;
	int err = table__open(&t, fmt, path, kinds, 8, 7);

	if (err)
		die(path, err);
	table__meta(&t, "mkparquet", "kinds");
	for (unsigned r = 0; r < rows; r++) {
		long long i = (long long)r * 2654435761ll % 1000003 - 500000; /* unsorted, signed */
		table__i64(&t, i);
		/* Sorted with jumps and one wrap past INT64_MAX's neighbourhood. */
		table__i64(&t, r == 500 ? INT64_MIN + 5 : (long long)r * 1000 + (r % 7));
		if (r % 3 == 0)
			table__null(&t);
		else
			table__i64(&t, -(long long)r * r);
		table__time(&t, 1700000000123456789ll + (long long)r * 1001);
		table__bool(&t, r % 5 == 1);
		if (r % 4 == 3)
			table__null(&t);
		else
			table__bool(&t, r % 2 == 0);
		char s[32];
		snprintf(s, sizeof(s), "v%u", r % 13);
		table__str(&t, s);
		if (r % 6 == 5)
			table__null(&t);
		else
			table__str(&t, r % 2 ? "\"quoted, comma\"" : "line\nbreak \xc3\xa9");
		if ((err = table__row(&t)))
			die(path, err);
	}
	if ((err = table__close(&t, true)))
		die(path, err);
}

/* Row n: bytes n, n+1, ... (mod 256) of length n % 40. */
static void bytes__write(const char *path, enum table_format fmt)
{
	struct table t;
	int err = table__open(&t, fmt, path, bytes_cols, 2, 0);

	if (err)
		die(path, err);
	for (unsigned r = 0; r < 512; r++) {
		char s[40];
		for (unsigned k = 0; k < r % 40; k++)
			s[k] = (char)((r + k) & 0xff);
		table__i64(&t, r);
		table__strn(&t, s, r % 40);
		if ((err = table__row(&t)))
			die(path, err);
	}
	if ((err = table__close(&t, true)))
		die(path, err);
}

int main(int argc, char **argv)
{
	char path[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: mkparquet DIR\n");
		return 2;
	}
	for (int f = 0; f < 2; f++) {
		enum table_format fmt = f ? TABLE_CSV : TABLE_PARQUET;
		const char *ext = f ? "csv" : "parquet";
		snprintf(path, sizeof(path), "%s/kinds.%s", argv[1], ext);
		kinds__write(path, fmt, ROWS);
		snprintf(path, sizeof(path), "%s/empty.%s", argv[1], ext);
		kinds__write(path, fmt, 0);
		snprintf(path, sizeof(path), "%s/bytes.%s", argv[1], ext);
		bytes__write(path, fmt);
	}
	return 0;
}
