// SPDX-License-Identifier: MIT
/*
 * Appending chunks to a trace. Never seeks, so the output may be a pipe;
 * each chunk goes out in one write() loop so that a crash leaves at most
 * one incomplete chunk at the end, which readers detect and report.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "bytes.h"
#include "crc32c.h"
#include "tape.h"

struct st_writer {
	int fd;
	ZSTD_CCtx *cctx;
	uint8_t *out;
	size_t out_cap;
	uint64_t offset;
	uint64_t seq;
	struct st_chunk_info *index;
	size_t nindex, index_cap;
	struct st_writer_stats stats;
};

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (w == 0)
			return -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static ZSTD_CCtx *cctx__new(int zstd_level)
{
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	if (!cctx)
		return NULL;
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, zstd_level))) {
		ZSTD_freeCCtx(cctx);
		return NULL;
	}
	/*
	 * zstd's double-fast strategy (its choice from level 3 up, and from level
	 * 2 for chunks of 256 KiB or less) compresses event records 10-25% worse
	 * than the fast one, and more slowly: levels 1 and 2 keep the fast one.
	 */
	if (zstd_level <= 2)
		ZSTD_CCtx_setParameter(cctx, ZSTD_c_strategy, ZSTD_fast);
	return cctx;
}

struct st_writer *st_writer__new(int fd, int zstd_level)
{
	struct st_writer *w = calloc(1, sizeof(*w));
	uint8_t hdr[ST_FILE_HEADER_SIZE] = { 0 };
	int err;

	if (!w)
		return NULL;
	w->fd = fd;
	w->cctx = cctx__new(zstd_level);
	if (!w->cctx) {
		err = -EINVAL;
		goto fail;
	}
	memcpy(hdr, ST_MAGIC, ST_MAGIC_LEN);
	le16_put(hdr + 8, ST_VERSION_MAJOR);
	le16_put(hdr + 10, ST_VERSION_MINOR);
	le32_put(hdr + 12, ST_FILE_HEADER_SIZE);
	le64_put(hdr + 16, ST_COMPAT_KNOWN);
	le64_put(hdr + 24, ST_INCOMPAT_KNOWN);
	le32_put(hdr + 60, crc32c(0, hdr, 60));
	err = write_all(fd, hdr, sizeof(hdr));
	if (err)
		goto fail;
	w->offset = ST_FILE_HEADER_SIZE;
	w->stats.file_bytes = w->offset;
	return w;
fail:
	st_writer__free(w);
	errno = -err;
	return NULL;
}

static int index__push(struct st_writer *w, const struct st_chunk_info *e)
{
	if (w->nindex == w->index_cap) {
		size_t cap = w->index_cap ? w->index_cap * 2 : 256;
		struct st_chunk_info *n = realloc(w->index, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		w->index = n;
		w->index_cap = cap;
	}
	w->index[w->nindex++] = *e;
	return 0;
}

/* Compress @c's payload into @dst (@cap bytes). Returns the stored size, or -errno. */
static long compress_payload(ZSTD_CCtx *cctx, const struct st_chunk *c, uint8_t *dst, size_t cap)
{
	if (c->buf.err)
		return c->buf.err;
	if (c->buf.len > ST_MAX_RAW)
		return -EINVAL;
	size_t stored = ZSTD_compress2(cctx, dst, cap, c->buf.data, c->buf.len);
	if (ZSTD_isError(stored))
		return -ENOMEM;
	return (long)stored;
}

static int out__reserve(struct st_writer *w, size_t need)
{
	if (need <= w->out_cap)
		return 0;
	uint8_t *o = realloc(w->out, need);
	if (!o)
		return -ENOMEM;
	w->out = o;
	w->out_cap = need;
	return 0;
}

/* Write the header for @pk in front of its payload at w->out + header size, then both. */
static int write_chunk(struct st_writer *w, const struct st_packed *pk)
{
	uint8_t *h = w->out;
	const uint8_t *payload = w->out + ST_CHUNK_HEADER_SIZE;
	int err;

	memset(h, 0, ST_CHUNK_HEADER_SIZE);
	le32_put(h + 0, ST_CHUNK_MAGIC);
	le16_put(h + 4, pk->type);
	le32_put(h + 8, pk->cpu);
	le32_put(h + 12, pk->count);
	le64_put(h + 16, w->seq);
	le64_put(h + 24, pk->first_ts);
	le64_put(h + 32, pk->last_ts);
	le32_put(h + 40, pk->stored_size);
	le32_put(h + 44, pk->raw_size);
	le32_put(h + 48, crc32c(0, payload, pk->stored_size));
	le32_put(h + 60, crc32c(0, h, 60));

	struct st_chunk_info e = {
		.offset = w->offset, .type = pk->type, .cpu = pk->cpu, .count = pk->count,
		.seq = w->seq, .first_ts = pk->first_ts, .last_ts = pk->last_ts,
		.stored_size = pk->stored_size, .raw_size = pk->raw_size,
	};
	if (pk->type != ST_CHUNK_INDEX) {
		err = index__push(w, &e);
		if (err)
			return err;
	}
	err = write_all(w->fd, h, ST_CHUNK_HEADER_SIZE + pk->stored_size);
	if (err)
		return err;
	w->seq++;
	w->offset += ST_CHUNK_HEADER_SIZE + pk->stored_size;
	w->stats.chunks++;
	w->stats.raw_bytes += pk->raw_size;
	w->stats.file_bytes = w->offset;
	w->stats.records += pk->count;
	return 0;
}

static void packed__describe(struct st_packed *pk, const struct st_chunk *c)
{
	pk->type = c->type;
	pk->cpu = c->cpu;
	pk->count = c->count;
	pk->first_ts = c->first_ts;
	pk->last_ts = c->last_ts;
	pk->raw_size = (uint32_t)c->buf.len;
}

int st_writer__add(struct st_writer *w, const struct st_chunk *c)
{
	struct st_packed pk = { 0 };
	size_t bound = ZSTD_compressBound(c->buf.len);
	int err = out__reserve(w, ST_CHUNK_HEADER_SIZE + bound);

	if (err)
		return err;
	long stored = compress_payload(w->cctx, c, w->out + ST_CHUNK_HEADER_SIZE, bound);
	if (stored < 0)
		return (int)stored;
	packed__describe(&pk, c);
	pk.stored_size = (uint32_t)stored;
	return write_chunk(w, &pk);
}

int st_writer__add_packed(struct st_writer *w, const struct st_packed *pk)
{
	if (pk->stored_size > ST_MAX_STORED || pk->raw_size > ST_MAX_RAW)
		return -EINVAL;
	int err = out__reserve(w, ST_CHUNK_HEADER_SIZE + pk->stored_size);
	if (err)
		return err;
	memcpy(w->out + ST_CHUNK_HEADER_SIZE, pk->data, pk->stored_size);
	return write_chunk(w, pk);
}

/* --- packing: chunks compressed ahead of the file they go into ------------ */

struct st_packer {
	ZSTD_CCtx *cctx;
	uint8_t *tmp;
	size_t tmp_cap;
};

struct st_packer *st_packer__new(int zstd_level)
{
	struct st_packer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->cctx = cctx__new(zstd_level);
	if (!p->cctx) {
		free(p);
		errno = EINVAL;
		return NULL;
	}
	return p;
}

int st_packer__pack(struct st_packer *p, const struct st_chunk *c, struct st_packed *out)
{
	size_t bound = ZSTD_compressBound(c->buf.len);

	memset(out, 0, sizeof(*out));
	if (bound > p->tmp_cap) {
		uint8_t *t = realloc(p->tmp, bound);
		if (!t)
			return -ENOMEM;
		p->tmp = t;
		p->tmp_cap = bound;
	}
	long stored = compress_payload(p->cctx, c, p->tmp, p->tmp_cap);
	if (stored < 0)
		return (int)stored;
	/* Kept for long: exactly its size, not the bound's. */
	out->data = malloc(stored ? (size_t)stored : 1);
	if (!out->data)
		return -ENOMEM;
	memcpy(out->data, p->tmp, (size_t)stored);
	packed__describe(out, c);
	out->stored_size = (uint32_t)stored;
	return 0;
}

void st_packer__free(struct st_packer *p)
{
	if (!p)
		return;
	ZSTD_freeCCtx(p->cctx);
	free(p->tmp);
	free(p);
}

int st_packed__unpack(const struct st_packed *pk, struct st_buf *out)
{
	out->len = 0;
	int err = st_buf__reserve(out, pk->raw_size ? pk->raw_size : 1);
	if (err)
		return err;
	size_t got = ZSTD_decompress(out->data, pk->raw_size, pk->data, pk->stored_size);
	if (ZSTD_isError(got) || got != pk->raw_size)
		return -ST_EZSTD;
	out->len = got;
	return 0;
}

void st_packed__free(struct st_packed *pk)
{
	free(pk->data);
	pk->data = NULL;
}

int st_writer__finish(struct st_writer *w)
{
	struct st_chunk c;
	int err = 0;

	/* An index too large for one chunk is left out: it is only an optimisation. */
	if (w->nindex > ST_MAX_RAW / 64)
		return 0;
	st_chunk__init(&c, ST_CHUNK_INDEX, ST_CPU_NONE);
	for (size_t i = 0; i < w->nindex && !err; i++)
		err = st_chunk__add_index(&c, &w->index[i]);
	if (!err)
		err = st_writer__add(w, &c);
	st_chunk__free(&c);
	return err;
}

void st_writer__stats(const struct st_writer *w, struct st_writer_stats *s)
{
	*s = w->stats;
}

void st_writer__free(struct st_writer *w)
{
	if (!w)
		return;
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->index);
	free(w);
}
