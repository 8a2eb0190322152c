// SPDX-License-Identifier: MIT
/* The Parquet writer: see parquet.h. Field ids are parquet.thrift's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "base/htab.h"
#include "parquet.h"
#include "protobuf.h"
#include "thrift.h"

/* parquet.thrift enums */
enum { T_BOOLEAN = 0, T_INT64 = 2, T_BYTE_ARRAY = 6 };
enum { E_PLAIN = 0, E_RLE = 3, E_DELTA_BINARY_PACKED = 5, E_RLE_DICTIONARY = 8 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };
enum { CODEC_ZSTD = 6 };
enum { CONVERTED_UTF8 = 0 };
#define ZSTD_LEVEL 1

struct col_buf {
	struct pq_column def;
	size_t n, nvals, cap; /* rows, non-null values; room for cap of each */
	uint8_t *defs;	      /* 1: a value, 0: null (optional columns) */
	int64_t *iv;	      /* INT64, TIMESTAMP, BOOL values */
	/* Strings: the row group's dictionary as it grows, and each value's index in it. */
	uint32_t *sidx;
	struct htab dict;
	uint32_t *doff, *dlen, ndict, dcap; /* entries in sbytes */
	uint32_t last;			    /* the latest value's index (repeats are common) */
	struct st_buf sbytes;
	bool set; /* a value for the current row */
};

struct pq_writer {
	FILE *f;
	uint64_t pos;
	struct col_buf *cols;
	unsigned ncols;
	uint32_t rows_per_group, rows;
	uint64_t total_rows;
	struct st_buf groups; /* RowGroup structs, encoded */
	uint32_t ngroups;
	char **kv;
	unsigned nkv;
	struct st_buf page, comp, hdr, chunk;
	int err;
};

static void out(struct pq_writer *w, const void *p, size_t n)
{
	if (w->err || !n)
		return;
	if (fwrite(p, 1, n, w->f) != n)
		w->err = errno ? -errno : -EIO; /* ENOSPC says more than EIO */
	w->pos += n;
}

int pq__open(FILE *f, const struct pq_column *cols, unsigned ncols, uint32_t rows_per_group,
	     struct pq_writer **outp)
{
	if (!ncols)
		return -EINVAL;
	struct pq_writer *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->cols = calloc(ncols, sizeof(*w->cols));
	if (!w->cols) {
		free(w);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < ncols; i++)
		w->cols[i].def = cols[i];
	w->f = f;
	w->ncols = ncols;
	w->rows_per_group = rows_per_group ? rows_per_group : PQ_ROWS_PER_GROUP;
	out(w, "PAR1", 4);
	*outp = w;
	return 0;
}

int pq__meta(struct pq_writer *w, const char *key, const char *value)
{
	char **kv = realloc(w->kv, (w->nkv + 1) * 2 * sizeof(*kv));

	if (!kv)
		return w->err = -ENOMEM;
	w->kv = kv;
	kv[w->nkv * 2] = strdup(key);
	kv[w->nkv * 2 + 1] = strdup(value);
	w->nkv++;
	if (!kv[w->nkv * 2 - 2] || !kv[w->nkv * 2 - 1])
		return w->err = -ENOMEM;
	return 0;
}

/* Room for more rows in @c (values grow with rows: nvals <= n). */
static bool col__grow(struct pq_writer *w, struct col_buf *c)
{
	size_t cap = c->cap ? c->cap * 2 : 1024;
	uint8_t *d = realloc(c->defs, cap);

	if (d)
		c->defs = d;
	bool strings = c->def.kind == PQ_STRING;
	void *v = d ? realloc(strings ? (void *)c->sidx : (void *)c->iv,
			      cap * (strings ? sizeof(*c->sidx) : sizeof(*c->iv)))
		    : NULL;
	if (!v) {
		w->err = -ENOMEM;
		return false;
	}
	if (strings)
		c->sidx = v;
	else
		c->iv = v;
	c->cap = cap;
	return true;
}

static struct col_buf *col__value(struct pq_writer *w, unsigned col)
{
	if (w->err || col >= w->ncols || w->cols[col].set) {
		if (!w->err)
			w->err = -EINVAL;
		return NULL;
	}
	struct col_buf *c = &w->cols[col];
	if (c->n == c->cap && !col__grow(w, c))
		return NULL;
	c->set = true;
	c->defs[c->n++] = 1;
	return c;
}

void pq__i64(struct pq_writer *w, unsigned col, int64_t v)
{
	struct col_buf *c = col__value(w, col);

	if (c)
		c->iv[c->nvals++] = v;
}

void pq__bool(struct pq_writer *w, unsigned col, bool v)
{
	pq__i64(w, col, v);
}

/* The dictionary index of @s in @c's row group, added if new. */
static bool dict__index(struct pq_writer *w, struct col_buf *c, const char *s, size_t n,
			uint32_t *out)
{
	if (c->ndict && c->dlen[c->last] == n &&
	    (!n || !memcmp(c->sbytes.data + c->doff[c->last], s, n))) {
		*out = c->last;
		return true;
	}
	uint64_t *v = htab__find(&c->dict, s, n);
	if (v) {
		*out = c->last = (uint32_t)*v;
		return true;
	}
	if (c->sbytes.len + n > UINT32_MAX) {
		w->err = -E2BIG;
		return false;
	}
	if (c->ndict == c->dcap) {
		uint32_t cap = c->dcap ? c->dcap * 2 : 64;
		uint32_t *o = realloc(c->doff, cap * sizeof(*o));
		if (o)
			c->doff = o;
		uint32_t *l = o ? realloc(c->dlen, cap * sizeof(*l)) : NULL;
		if (!l) {
			w->err = -ENOMEM;
			return false;
		}
		c->dlen = l;
		c->dcap = cap;
	}
	if (htab__insert(&c->dict, s, n, c->ndict)) {
		w->err = -ENOMEM;
		return false;
	}
	c->doff[c->ndict] = (uint32_t)c->sbytes.len;
	c->dlen[c->ndict] = (uint32_t)n;
	pb__raw(&c->sbytes, s, n);
	*out = c->last = c->ndict++;
	return true;
}

void pq__str(struct pq_writer *w, unsigned col, const char *s, size_t n)
{
	struct col_buf *c = col__value(w, col);
	uint32_t k;

	if (c && dict__index(w, c, s, n, &k))
		c->sidx[c->nvals++] = k;
}

void pq__null(struct pq_writer *w, unsigned col)
{
	if (w->err || col >= w->ncols || w->cols[col].set || !w->cols[col].def.optional) {
		if (!w->err)
			w->err = -EINVAL;
		return;
	}
	struct col_buf *c = &w->cols[col];
	if (c->n == c->cap && !col__grow(w, c))
		return;
	c->set = true;
	c->defs[c->n++] = 0;
}

/* --- encodings ---------------------------------------------------------------- */

static void put_le(struct st_buf *b, uint64_t v, unsigned bytes)
{
	uint8_t le[8];

	for (unsigned i = 0; i < bytes; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	pb__raw(b, le, bytes);
}

/* @n values (n a multiple of 8, or the last group, padded with zeros) bit-packed LSB first. */
static void bitpack(struct st_buf *b, const uint64_t *v, size_t n, unsigned bw)
{
	size_t padded = (n + 7) / 8 * 8, bytes = padded * bw / 8;

	if (!bw || st_buf__reserve(b, bytes))
		return;
	uint8_t *d = b->data + b->len;
	uint64_t mask = bw < 64 ? (1ull << bw) - 1 : ~0ull;
	/* An accumulator of up to 7 pending bits plus one value's: values of at most 57 bits. */
	uint64_t acc = 0;
	unsigned bits = 0;
	for (size_t i = 0; i < padded; i++) {
		uint64_t x = i < n ? v[i] & mask : 0;
		if (bw <= 57) {
			acc |= x << bits;
			bits += bw;
		} else {
			for (unsigned k = 0; k < bw; k++) {
				acc |= ((x >> k) & 1) << bits;
				if (++bits == 8) {
					*d++ = (uint8_t)acc;
					acc = 0;
					bits = 0;
				}
			}
		}
		while (bits >= 8) {
			*d++ = (uint8_t)acc;
			acc >>= 8;
			bits -= 8;
		}
	}
	b->len += bytes;
}

static size_t run_at(const uint32_t *v, size_t n, size_t i)
{
	size_t j = i + 1;

	while (j < n && v[j] == v[i])
		j++;
	return j - i;
}

void pq__rle_hybrid(struct st_buf *b, const uint32_t *v, size_t n, unsigned bw)
{
	uint64_t group[8];
	size_t i = 0;

	while (i < n) {
		size_t r = run_at(v, n, i);
		if (r >= 8) {
			pb__varint(b, (uint64_t)r << 1);
			put_le(b, v[i], (bw + 7) / 8);
			i += r;
			continue;
		}
		/* Bit-packed groups of 8 until a run of 8 starts; only the very last group is short. */
		size_t start = i, end = i;
		while (end < n) {
			end = end + 8 < n ? end + 8 : n;
			if (end < n && run_at(v, n, end) >= 8)
				break;
		}
		size_t count = end - start, groups = (count + 7) / 8;
		pb__varint(b, (uint64_t)groups << 1 | 1);
		for (size_t g = 0; g < groups; g++) {
			size_t k = 0;
			for (; k < 8 && start + g * 8 + k < end; k++)
				group[k] = v[start + g * 8 + k];
			bitpack(b, group, k, bw);
		}
		i = end;
	}
}

static unsigned bits_for(uint64_t max)
{
	unsigned bw = 0;

	while (bw < 64 && (max >> bw))
		bw++;
	return bw;
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

#define DELTA_BLOCK 128
#define DELTA_MINIBLOCKS 4
#define DELTA_MINI (DELTA_BLOCK / DELTA_MINIBLOCKS)

void pq__delta(struct st_buf *b, const int64_t *v, size_t n)
{
	uint64_t d[DELTA_BLOCK];

	pb__varint(b, DELTA_BLOCK);
	pb__varint(b, DELTA_MINIBLOCKS);
	pb__varint(b, n);
	pb__varint(b, zigzag(n ? v[0] : 0));
	for (size_t i = 1; i < n; i += DELTA_BLOCK) {
		size_t m = n - i < DELTA_BLOCK ? n - i : DELTA_BLOCK;
		/* Deltas wrap in two's complement, as the spec allows. */
		int64_t min = INT64_MAX;
		for (size_t k = 0; k < m; k++) {
			int64_t delta = (int64_t)((uint64_t)v[i + k] - (uint64_t)v[i + k - 1]);
			d[k] = (uint64_t)delta;
			if (delta < min)
				min = delta;
		}
		for (size_t k = 0; k < m; k++)
			d[k] -= (uint64_t)min;
		pb__varint(b, zigzag(min));
		unsigned widths[DELTA_MINIBLOCKS] = { 0 };
		size_t used = (m + DELTA_MINI - 1) / DELTA_MINI;
		for (size_t mb = 0; mb < used; mb++) {
			uint64_t max = 0;
			for (size_t k = mb * DELTA_MINI; k < m && k < (mb + 1) * DELTA_MINI; k++)
				max |= d[k];
			widths[mb] = bits_for(max);
		}
		for (size_t mb = 0; mb < DELTA_MINIBLOCKS; mb++) {
			uint8_t wb = (uint8_t)widths[mb];
			pb__raw(b, &wb, 1);
		}
		for (size_t mb = 0; mb < used; mb++) {
			uint64_t mini[DELTA_MINI] = { 0 };
			for (size_t k = 0; k < DELTA_MINI && mb * DELTA_MINI + k < m; k++)
				mini[k] = d[mb * DELTA_MINI + k];
			bitpack(b, mini, DELTA_MINI, widths[mb]);
		}
	}
}

/* --- pages and column chunks ------------------------------------------------------------- */

struct chunk_meta {
	uint64_t start, dict_off, data_off, uncompressed, compressed;
	bool has_dict;
	int encoding;
	struct st_buf min, max;
	uint64_t nulls;
	bool has_stats;
};

/* Compress p->page and write it with its header; sizes into @cm. */
static void page__write(struct pq_writer *w, int type, uint32_t nvalues, int encoding,
			struct chunk_meta *cm)
{
	size_t bound = ZSTD_compressBound(w->page.len);

	pb__reset(&w->comp);
	if (st_buf__reserve(&w->comp, bound)) {
		w->err = -ENOMEM;
		return;
	}
	size_t zn = ZSTD_compress(w->comp.data, bound, w->page.data, w->page.len, ZSTD_LEVEL);
	if (ZSTD_isError(zn) || w->page.len > INT32_MAX) {
		w->err = -EIO;
		return;
	}
	struct tc t;
	pb__reset(&w->hdr);
	tc__init(&t, &w->hdr);
	tc__i32(&t, 1, type);
	tc__i32(&t, 2, (int32_t)w->page.len);
	tc__i32(&t, 3, (int32_t)zn);
	if (type == PAGE_DATA) {
		tc__struct(&t, 5);
		tc__i32(&t, 1, (int32_t)nvalues);
		tc__i32(&t, 2, encoding);
		tc__i32(&t, 3, E_RLE);
		tc__i32(&t, 4, E_RLE);
		tc__end(&t);
	} else {
		tc__struct(&t, 7);
		tc__i32(&t, 1, (int32_t)nvalues);
		tc__i32(&t, 2, E_PLAIN);
		tc__end(&t);
	}
	tc__end(&t);
	if (w->hdr.err)
		w->err = w->hdr.err;
	if (type == PAGE_DATA)
		cm->data_off = w->pos;
	else
		cm->dict_off = w->pos;
	out(w, w->hdr.data, w->hdr.len);
	out(w, w->comp.data, zn);
	cm->uncompressed += w->hdr.len + w->page.len;
	cm->compressed += w->hdr.len + zn;
}

static void stats__i64(struct chunk_meta *cm, const struct col_buf *c)
{
	if (!c->nvals)
		return;
	int64_t lo = c->iv[0], hi = c->iv[0];
	for (size_t i = 1; i < c->nvals; i++) {
		lo = c->iv[i] < lo ? c->iv[i] : lo;
		hi = c->iv[i] > hi ? c->iv[i] : hi;
	}
	unsigned bytes = c->def.kind == PQ_BOOL ? 1 : 8;
	put_le(&cm->min, (uint64_t)lo, bytes);
	put_le(&cm->max, (uint64_t)hi, bytes);
	cm->has_stats = true;
}

static int bytes__cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int r = an && bn ? memcmp(a, b, an < bn ? an : bn) : 0;

	return r ? r : (an > bn) - (an < bn);
}

static void defs__write(struct pq_writer *w, const struct col_buf *c)
{
	if (!c->def.optional)
		return;
	uint32_t *lv = malloc((c->n ? c->n : 1) * sizeof(*lv));
	if (!lv) {
		w->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < c->n; i++)
		lv[i] = c->defs[i];
	size_t at = w->page.len;
	put_le(&w->page, 0, 4);
	pq__rle_hybrid(&w->page, lv, c->n, 1);
	free(lv);
	uint32_t len = (uint32_t)(w->page.len - at - 4);
	if (!w->page.err)
		for (int i = 0; i < 4; i++)
			w->page.data[at + i] = (uint8_t)(len >> (8 * i));
}

/* The dictionary and the indices of a string column. */
static void chunk__strings(struct pq_writer *w, const struct col_buf *c, struct chunk_meta *cm)
{
	/* (No bytes yet when every string is empty.) */
	const uint8_t *b = c->sbytes.data ? c->sbytes.data : (const uint8_t *)"";

	/* Statistics: byte-wise unsigned order, as UTF-8 strings sort. */
	uint32_t lo = 0, hi = 0;
	for (uint32_t k = 1; k < c->ndict; k++) {
		if (bytes__cmp(b + c->doff[k], c->dlen[k], b + c->doff[lo], c->dlen[lo]) < 0)
			lo = k;
		if (bytes__cmp(b + c->doff[k], c->dlen[k], b + c->doff[hi], c->dlen[hi]) > 0)
			hi = k;
	}
	if (c->ndict) {
		pb__raw(&cm->min, b + c->doff[lo], c->dlen[lo]);
		pb__raw(&cm->max, b + c->doff[hi], c->dlen[hi]);
		cm->has_stats = true;
	}
	pb__reset(&w->page);
	for (uint32_t k = 0; k < c->ndict; k++) {
		put_le(&w->page, c->dlen[k], 4);
		pb__raw(&w->page, b + c->doff[k], c->dlen[k]);
	}
	page__write(w, PAGE_DICTIONARY, c->ndict, E_PLAIN, cm);
	cm->has_dict = true;
	pb__reset(&w->page);
	defs__write(w, c);
	unsigned bw = c->ndict > 1 ? bits_for(c->ndict - 1) : 1;
	uint8_t bwb = (uint8_t)bw;
	pb__raw(&w->page, &bwb, 1);
	pq__rle_hybrid(&w->page, c->sidx, c->nvals, bw);
	cm->encoding = E_RLE_DICTIONARY;
	page__write(w, PAGE_DATA, (uint32_t)c->n, E_RLE_DICTIONARY, cm);
}

static void chunk__values(struct pq_writer *w, const struct col_buf *c, struct chunk_meta *cm)
{
	pb__reset(&w->page);
	defs__write(w, c);
	stats__i64(cm, c);
	if (c->def.kind == PQ_BOOL) {
		uint64_t *bits = malloc((c->nvals ? c->nvals : 1) * sizeof(*bits));
		if (!bits) {
			w->err = -ENOMEM;
			return;
		}
		for (size_t i = 0; i < c->nvals; i++)
			bits[i] = c->iv[i] != 0;
		bitpack(&w->page, bits, c->nvals, 1);
		free(bits);
		cm->encoding = E_PLAIN;
	} else if (c->def.delta) {
		pq__delta(&w->page, c->iv, c->nvals);
		cm->encoding = E_DELTA_BINARY_PACKED;
	} else if (!st_buf__reserve(&w->page, c->nvals * 8)) {
		uint8_t *d = w->page.data + w->page.len;
		for (size_t i = 0; i < c->nvals; i++)
			for (int k = 0; k < 8; k++)
				*d++ = (uint8_t)((uint64_t)c->iv[i] >> (8 * k));
		w->page.len += c->nvals * 8;
		cm->encoding = E_PLAIN;
	}
	page__write(w, PAGE_DATA, (uint32_t)c->n, cm->encoding, cm);
}

static int physical(uint8_t kind)
{
	return kind == PQ_STRING ? T_BYTE_ARRAY : kind == PQ_BOOL ? T_BOOLEAN : T_INT64;
}

/* The ColumnChunk struct (a list element) of @c into t. */
static void chunk__meta(struct tc *t, const struct col_buf *c, const struct chunk_meta *cm)
{
	tc__struct(t, 0);
	tc__i64(t, 2, (int64_t)cm->start);
	tc__struct(t, 3);
	tc__i32(t, 1, physical(c->def.kind));
	bool rle_levels = c->def.optional || cm->encoding == E_RLE_DICTIONARY;
	tc__list(t, 2, TC_I32, 1 + rle_levels + cm->has_dict);
	tc__elem_i32(t, cm->encoding);
	if (rle_levels)
		tc__elem_i32(t, E_RLE);
	if (cm->has_dict)
		tc__elem_i32(t, E_PLAIN);
	tc__list(t, 3, TC_BINARY, 1);
	tc__elem_string(t, c->def.name);
	tc__i32(t, 4, CODEC_ZSTD);
	tc__i64(t, 5, (int64_t)c->n);
	tc__i64(t, 6, (int64_t)cm->uncompressed);
	tc__i64(t, 7, (int64_t)cm->compressed);
	tc__i64(t, 9, (int64_t)cm->data_off);
	if (cm->has_dict)
		tc__i64(t, 11, (int64_t)cm->dict_off);
	tc__struct(t, 12);
	tc__i64(t, 3, (int64_t)cm->nulls);
	if (cm->has_stats) {
		tc__binary(t, 5, cm->max.data, cm->max.len);
		tc__binary(t, 6, cm->min.data, cm->min.len);
	}
	tc__end(t);
	tc__end(t);
	tc__end(t);
}

static void group__write(struct pq_writer *w)
{
	struct tc t;
	uint64_t total = 0, total_comp = 0, group_start = w->pos;

	if (!w->rows)
		return;
	pb__reset(&w->chunk);
	tc__init(&t, &w->chunk);
	tc__list(&t, 1, TC_STRUCT, w->ncols);
	for (unsigned i = 0; i < w->ncols && !w->err; i++) {
		struct col_buf *c = &w->cols[i];
		struct chunk_meta cm = { .start = w->pos, .nulls = c->n - c->nvals };
		if (c->def.kind == PQ_STRING)
			chunk__strings(w, c, &cm);
		else
			chunk__values(w, c, &cm);
		chunk__meta(&t, c, &cm);
		total += cm.uncompressed;
		total_comp += cm.compressed;
		pb__free(&cm.min);
		pb__free(&cm.max);
		c->n = c->nvals = 0;
		c->ndict = c->last = 0;
		htab__free(&c->dict);
		pb__reset(&c->sbytes);
	}
	tc__i64(&t, 2, (int64_t)total);
	tc__i64(&t, 3, w->rows);
	tc__i64(&t, 5, (int64_t)group_start);
	tc__i64(&t, 6, (int64_t)total_comp);
	tc__end(&t);
	if (w->chunk.err && !w->err)
		w->err = w->chunk.err;
	pb__raw(&w->groups, w->chunk.data, w->chunk.len);
	w->ngroups++;
	w->total_rows += w->rows;
	w->rows = 0;
}

int pq__row(struct pq_writer *w)
{
	for (unsigned i = 0; i < w->ncols && !w->err; i++) {
		if (!w->cols[i].set)
			w->err = -EINVAL; /* a column without a value: the caller's bug */
		w->cols[i].set = false;
	}
	if (!w->err && ++w->rows >= w->rows_per_group)
		group__write(w);
	return w->err;
}

static void schema__write(struct tc *t, const struct pq_writer *w)
{
	tc__list(t, 2, TC_STRUCT, w->ncols + 1);
	tc__struct(t, 0);
	tc__string(t, 4, "schema");
	tc__i32(t, 5, (int32_t)w->ncols);
	tc__end(t);
	for (unsigned i = 0; i < w->ncols; i++) {
		const struct pq_column *c = &w->cols[i].def;
		tc__struct(t, 0);
		tc__i32(t, 1, physical(c->kind));
		tc__i32(t, 3, c->optional ? 1 : 0);
		tc__string(t, 4, c->name);
		if (c->kind == PQ_STRING)
			tc__i32(t, 6, CONVERTED_UTF8);
		if (c->kind == PQ_STRING || c->kind == PQ_TIMESTAMP_NS) {
			tc__struct(t, 10);
			if (c->kind == PQ_STRING) {
				tc__struct(t, 1);
				tc__end(t);
			} else {
				/*
				 * UTC wall-clock ns, declared not adjusted: engines read an
				 * adjusted NANOS column as microseconds (DuckDB's TIMESTAMPTZ)
				 * and would drop the nanoseconds.
				 */
				tc__struct(t, 8);
				tc__bool(t, 1, false);
				tc__struct(t, 2);
				tc__struct(t, 3);
				tc__end(t);
				tc__end(t);
				tc__end(t);
			}
			tc__end(t);
		}
		tc__end(t);
	}
}

int pq__close(struct pq_writer *w)
{
	struct st_buf foot = { 0 };
	struct tc t;
	int err;

	group__write(w);
	tc__init(&t, &foot);
	tc__i32(&t, 1, 1);
	schema__write(&t, w);
	tc__i64(&t, 3, (int64_t)w->total_rows);
	tc__list(&t, 4, TC_STRUCT, w->ngroups);
	pb__raw(&foot, w->groups.data, w->groups.len);
	if (w->nkv) {
		tc__list(&t, 5, TC_STRUCT, w->nkv);
		for (unsigned i = 0; i < w->nkv; i++) {
			tc__struct(&t, 0);
			tc__string(&t, 1, w->kv[2 * i]);
			tc__string(&t, 2, w->kv[2 * i + 1]);
			tc__end(&t);
		}
	}
	tc__string(&t, 6, "schedtape");
	/* Every column orders by its type: min_value/max_value are meaningful. */
	tc__list(&t, 7, TC_STRUCT, w->ncols);
	for (unsigned i = 0; i < w->ncols; i++) {
		tc__struct(&t, 0);
		tc__struct(&t, 1);
		tc__end(&t);
		tc__end(&t);
	}
	tc__end(&t);
	if (foot.err && !w->err)
		w->err = foot.err;
	out(w, foot.data, foot.len);
	uint8_t len[4];
	for (int i = 0; i < 4; i++)
		len[i] = (uint8_t)(foot.len >> (8 * i));
	out(w, len, 4);
	out(w, "PAR1", 4);
	pb__free(&foot);
	err = w->err;
	for (unsigned i = 0; i < w->ncols; i++) {
		free(w->cols[i].defs);
		free(w->cols[i].iv);
		free(w->cols[i].sidx);
		free(w->cols[i].doff);
		free(w->cols[i].dlen);
		htab__free(&w->cols[i].dict);
		pb__free(&w->cols[i].sbytes);
	}
	for (unsigned i = 0; i < 2 * w->nkv; i++)
		free(w->kv[i]);
	free(w->kv);
	free(w->cols);
	pb__free(&w->groups);
	pb__free(&w->page);
	pb__free(&w->comp);
	pb__free(&w->hdr);
	pb__free(&w->chunk);
	free(w);
	return err;
}
