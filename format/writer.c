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

struct st_writer *st_writer__new(int fd, int zstd_level)
{
	struct st_writer *w = calloc(1, sizeof(*w));
	uint8_t hdr[ST_FILE_HEADER_SIZE] = { 0 };
	int err;

	if (!w)
		return NULL;
	w->fd = fd;
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx || ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
							   zstd_level))) {
		err = w->cctx ? -EINVAL : -ENOMEM;
		goto fail;
	}
	/*
	 * zstd's double-fast strategy (its choice from level 3 up, and from level
	 * 2 for chunks of 256 KiB or less) compresses event records 10-25% worse
	 * than the fast one, and more slowly: levels 1 and 2 keep the fast one.
	 */
	if (zstd_level <= 2)
		ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_strategy, ZSTD_fast);
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

int st_writer__add(struct st_writer *w, const struct st_chunk *c)
{
	size_t raw = c->buf.len;
	uint8_t *h;
	int err;

	if (c->buf.err)
		return c->buf.err;
	if (raw > ST_MAX_RAW)
		return -EINVAL;
	size_t need = ST_CHUNK_HEADER_SIZE + ZSTD_compressBound(raw);
	if (need > w->out_cap) {
		uint8_t *o = realloc(w->out, need);
		if (!o)
			return -ENOMEM;
		w->out = o;
		w->out_cap = need;
	}
	size_t stored = ZSTD_compress2(w->cctx, w->out + ST_CHUNK_HEADER_SIZE,
				       w->out_cap - ST_CHUNK_HEADER_SIZE, c->buf.data, raw);
	if (ZSTD_isError(stored))
		return -ENOMEM;

	h = w->out;
	memset(h, 0, ST_CHUNK_HEADER_SIZE);
	le32_put(h + 0, ST_CHUNK_MAGIC);
	le16_put(h + 4, c->type);
	le32_put(h + 8, c->cpu);
	le32_put(h + 12, c->count);
	le64_put(h + 16, w->seq);
	le64_put(h + 24, c->first_ts);
	le64_put(h + 32, c->last_ts);
	le32_put(h + 40, (uint32_t)stored);
	le32_put(h + 44, (uint32_t)raw);
	le32_put(h + 48, crc32c(0, h + ST_CHUNK_HEADER_SIZE, stored));
	le32_put(h + 60, crc32c(0, h, 60));

	struct st_chunk_info e = {
		.offset = w->offset, .type = c->type, .cpu = c->cpu, .count = c->count,
		.seq = w->seq, .first_ts = c->first_ts, .last_ts = c->last_ts,
		.stored_size = (uint32_t)stored, .raw_size = (uint32_t)raw,
	};
	if (c->type != ST_CHUNK_INDEX) {
		err = index__push(w, &e);
		if (err)
			return err;
	}
	err = write_all(w->fd, h, ST_CHUNK_HEADER_SIZE + stored);
	if (err)
		return err;
	w->seq++;
	w->offset += ST_CHUNK_HEADER_SIZE + stored;
	w->stats.chunks++;
	w->stats.raw_bytes += raw;
	w->stats.file_bytes = w->offset;
	w->stats.records += c->count;
	return 0;
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
