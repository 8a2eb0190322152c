// SPDX-License-Identifier: MIT
/*
 * Opening a trace: header checks, a scan of chunk headers that survives
 * truncation and corruption, and the tables every analysis needs (metadata,
 * stacks, tasks, maps, symbols, statistics). Nothing read from the file is
 * trusted: sizes are checked against caps and the file size before any
 * allocation, checksums before any decoding.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "bytes.h"
#include "crc32c.h"
#include "decode.h"
#include "reader_internal.h"


/* --- small utilities ---------------------------------------------------- */

int buf__ensure(struct st_buf *b, size_t size)
{
	if (size <= b->cap)
		return 0;
	uint8_t *d = realloc(b->data, size);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = size;
	return 0;
}

/* Grow an array to hold one more element; the count is bounded by the file's size. */
int reader__grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

void *reader__arena_alloc(struct st_reader *r, size_t size)
{
	struct arena_block *b = r->arena;

	size = (size + 7) & ~(size_t)7;
	if (!b || b->cap - b->used < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;
		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->next = r->arena;
		b->used = 0;
		b->cap = cap;
		r->arena = b;
	}
	void *p = b->data + b->used;
	b->used += size;
	return p;
}

const char *reader__arena_str(struct st_reader *r, const struct st_str *s)
{
	char *p = reader__arena_alloc(r, (size_t)s->len + 1);

	if (!p)
		return NULL;
	memcpy(p, s->s, s->len);
	p[s->len] = 0;
	return p;
}

int reader__problem(struct st_reader *r, uint64_t offset, int err, const char *fmt, ...)
{
	if (r->nproblems < MAX_PROBLEMS) {
		struct st_problem *p = &r->problems[r->nproblems++];
		va_list ap;

		p->offset = offset;
		p->err = err;
		va_start(ap, fmt);
		vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
		va_end(ap);
	} else {
		r->problems_dropped++;
	}
	return (r->flags & ST_READ_STRICT) ? err : 0;
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t got = pread(fd, p, n, (off_t)off);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (got == 0)
			return -ST_ETRUNC;
		p += got;
		n -= (size_t)got;
		off += (uint64_t)got;
	}
	return 0;
}

/* --- header and chunk scan ---------------------------------------------- */

static int header__check(struct st_reader *r, const uint8_t *h)
{
	if (memcmp(h, ST_MAGIC, ST_MAGIC_LEN))
		return -ST_EMAGIC;
	if (le32_get(h + 60) != crc32c(0, h, 60))
		return -ST_EHEADER;
	r->info.major = le16_get(h + 8);
	r->info.minor = le16_get(h + 10);
	r->info.compat = le64_get(h + 16);
	r->info.incompat = le64_get(h + 24);
	if (r->info.major != ST_VERSION_MAJOR)
		return -ST_EVERSION;
	if (r->info.incompat & ~ST_INCOMPAT_KNOWN)
		return -ST_EINCOMPAT;
	if (le32_get(h + 12) != ST_FILE_HEADER_SIZE)
		return -ST_EHEADER;
	return 0;
}

static bool chunk_header__valid(const uint8_t *h)
{
	return le32_get(h) == ST_CHUNK_MAGIC && le32_get(h + 60) == crc32c(0, h, 60);
}

static void chunk_header__parse(const uint8_t *h, uint64_t off, struct st_chunk_info *c)
{
	c->offset = off;
	c->type = le16_get(h + 4);
	c->cpu = le32_get(h + 8);
	c->count = le32_get(h + 12);
	c->seq = le64_get(h + 16);
	c->first_ts = le64_get(h + 24);
	c->last_ts = le64_get(h + 32);
	c->stored_size = le32_get(h + 40);
	c->raw_size = le32_get(h + 44);
	c->crc = le32_get(h + 48);
}

/*
 * After a corrupt chunk header, find the next offset holding a valid one.
 * Returns that offset, or the file size if there is none.
 */
static uint64_t resync(struct st_reader *r, uint64_t from)
{
	uint64_t size = r->info.file_size;
	uint8_t buf[65536 + ST_CHUNK_HEADER_SIZE];

	for (uint64_t off = from; off + ST_CHUNK_HEADER_SIZE <= size;) {
		size_t want = sizeof(buf);
		if (size - off < want)
			want = (size_t)(size - off);
		if (pread_all(r->fd, buf, want, off))
			break;
		for (size_t i = 0; i + ST_CHUNK_HEADER_SIZE <= want; i++)
			if (buf[i] == 'C' && chunk_header__valid(buf + i))
				return off + i;
		if (want < sizeof(buf))
			break;
		off += want - ST_CHUNK_HEADER_SIZE + 1;
	}
	return size;
}

static int cpu_list__add(struct st_reader *r, uint32_t cpu, size_t idx)
{
	if (cpu >= r->ncpus) {
		struct cpu_list *n = realloc(r->cpus, (cpu + 1) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		memset(n + r->ncpus, 0, (cpu + 1 - r->ncpus) * sizeof(*n));
		r->cpus = n;
		r->ncpus = cpu + 1;
	}
	struct cpu_list *l = &r->cpus[cpu];
	if (l->n && r->chunks[l->idx[l->n - 1]].last_ts > r->chunks[idx].first_ts)
		return 1; /* goes back in time: the caller reports and skips it */
	int err = reader__grow((void **)&l->idx, &l->cap, l->n, sizeof(*l->idx));
	if (err)
		return err;
	l->idx[l->n++] = idx;
	return 0;
}

static int scan(struct st_reader *r)
{
	uint64_t size = r->info.file_size;
	uint64_t off = ST_FILE_HEADER_SIZE;
	uint64_t next_seq = 0;
	uint8_t h[ST_CHUNK_HEADER_SIZE];
	int err;

	while (off < size) {
		struct st_chunk_info c;

		if (size - off < ST_CHUNK_HEADER_SIZE) {
			r->info.truncated_at = off;
			return reader__problem(r, off, -ST_ETRUNC, "%llu bytes of a chunk header",
					       (unsigned long long)(size - off));
		}
		err = pread_all(r->fd, h, sizeof(h), off);
		if (err)
			return err;
		if (!chunk_header__valid(h)) {
			uint64_t next = resync(r, off + 1);
			err = reader__problem(r, off, -ST_ECHUNKHDR, "skipped %llu bytes",
					      (unsigned long long)(next - off));
			if (err)
				return err;
			off = next;
			continue;
		}
		chunk_header__parse(h, off, &c);
		uint64_t end = off + ST_CHUNK_HEADER_SIZE;
		if (c.stored_size > ST_MAX_STORED || c.raw_size > ST_MAX_RAW) {
			err = reader__problem(r, off, -ST_ETOOBIG, "stored %u, raw %u bytes",
					      c.stored_size, c.raw_size);
			if (err)
				return err;
			/* A valid header with absurd sizes: look for the next chunk. */
			off = resync(r, off + 1);
			continue;
		}
		if (size - end < c.stored_size) {
			r->info.truncated_at = off;
			return reader__problem(r, off, -ST_ETRUNC, "chunk of %u bytes, %llu present",
					       c.stored_size, (unsigned long long)(size - end));
		}
		off = end + c.stored_size;
		if (c.seq != next_seq) {
			err = reader__problem(r, c.offset, -ST_ESEQ, "expected chunk %llu, found %llu",
					      (unsigned long long)next_seq, (unsigned long long)c.seq);
			if (err)
				return err;
		}
		next_seq = c.seq + 1;
		if (c.first_ts > c.last_ts) {
			err = reader__problem(r, c.offset, -ST_ETIME, "chunk ends before it starts");
			if (err)
				return err;
			continue;
		}
		if (c.type == ST_CHUNK_EVENTS && c.cpu >= ST_MAX_CPU) {
			err = reader__problem(r, c.offset, -ST_ERANGE, "events chunk for CPU %u",
					      c.cpu);
			if (err)
				return err;
			continue;
		}
		err = reader__grow((void **)&r->chunks, &r->chunks_cap, r->nchunks, sizeof(*r->chunks));
		if (err)
			return err;
		r->chunks[r->nchunks] = c;
		if (c.type == ST_CHUNK_EVENTS) {
			err = cpu_list__add(r, c.cpu, r->nchunks);
			if (err < 0)
				return err;
			if (err > 0) {
				err = reader__problem(r, c.offset, -ST_ETIME,
						      "CPU %u chunk starts before the previous ended",
						      c.cpu);
				if (err)
					return err;
				continue;
			}
		}
		r->nchunks++;
	}
	return 0;
}

/* --- payloads ------------------------------------------------------------ */

int reader__read_chunk(struct st_reader *r, size_t i, struct st_buf *stored, struct st_buf *raw)
{
	const struct st_chunk_info *c = &r->chunks[i];
	int err;

	err = buf__ensure(stored, c->stored_size ? c->stored_size : 1);
	if (!err)
		err = buf__ensure(raw, (size_t)c->raw_size + ST_DECODE_SLACK);
	if (err)
		return err;
	err = pread_all(r->fd, stored->data, c->stored_size, c->offset + ST_CHUNK_HEADER_SIZE);
	if (err)
		return err;
	stored->len = c->stored_size;
	if (crc32c(0, stored->data, c->stored_size) != c->crc)
		return -ST_ECRC;
	if (ZSTD_findFrameCompressedSize(stored->data, c->stored_size) != c->stored_size)
		return -ST_EZSTD;
	unsigned long long content = ZSTD_getFrameContentSize(stored->data, c->stored_size);
	if (content == ZSTD_CONTENTSIZE_ERROR || content == ZSTD_CONTENTSIZE_UNKNOWN)
		return -ST_EZSTD;
	if (content != c->raw_size)
		return -ST_ESIZE;
	size_t got = ZSTD_decompressDCtx(r->dctx, raw->data, c->raw_size, stored->data,
					 c->stored_size);
	if (ZSTD_isError(got))
		return -ST_EZSTD;
	if (got != c->raw_size)
		return -ST_ESIZE;
	raw->len = got;
	memset(raw->data + got, 0, ST_DECODE_SLACK);
	return 0;
}

int st_reader__load(struct st_reader *r, size_t i, const uint8_t **raw, size_t *len)
{
	if (i >= r->nchunks)
		return -EINVAL;
	int err = reader__read_chunk(r, i, &r->stored, &r->raw);
	if (err) {
		int perr = reader__problem(r, r->chunks[i].offset, err, "%s chunk %llu",
					   st_chunk_type_name(r->chunks[i].type),
					   (unsigned long long)r->chunks[i].seq);
		(void)perr;
		return err;
	}
	*raw = r->raw.data;
	*len = r->raw.len;
	return 0;
}

int st_reader__chunk_done(struct st_reader *r, size_t i, uint32_t records, uint64_t last_ts)
{
	const struct st_chunk_info *c = &r->chunks[i];

	if (records != c->count)
		return reader__problem(r, c->offset, -ST_ECOUNT, "chunk %llu: %u records, header says %u",
				       (unsigned long long)c->seq, records, c->count);
	if (c->type == ST_CHUNK_EVENTS && last_ts != c->last_ts)
		return reader__problem(r, c->offset, -ST_ETIME,
				       "chunk %llu: events end at another time than its header says",
				       (unsigned long long)c->seq);
	return 0;
}

int st_reader__each_loss(struct st_reader *r, int (*fn)(void *ctx, const struct st_event *e),
			 void *ctx)
{
	for (size_t i = 0; i < r->nchunks; i++) {
		const struct st_chunk_info *c = &r->chunks[i];
		const uint8_t *raw, *body;
		size_t len, blen;
		uint8_t type;

		if (c->type != ST_CHUNK_EVENTS || st_reader__load(r, i, &raw, &len))
			continue;
		struct st_rec_iter it = { raw, len };
		struct st_decode_state ds;
		st_decode_state__init(&ds, c->first_ts, c->cpu, r->info.incompat);
		while (st_rec_iter__next(&it, &type, &body, &blen) > 0) {
			struct st_event e;
			if (st_decode_event_padded(type, body, blen, &ds, &e) || type != ST_REC_LOSS)
				continue;
			int err = fn(ctx, &e);
			if (err)
				return err;
		}
	}
	return 0;
}

/*
 * What the chunk headers declare, against the budgets (tape.h): checked
 * before anything is unpacked, so a bomb costs nothing.
 */
static int budget__check(struct st_reader *r)
{
	uint64_t raw = 0, tables = 0, size = r->info.file_size;

	for (size_t i = 0; i < r->nchunks; i++) {
		raw += r->chunks[i].raw_size;
		if (r->chunks[i].type != ST_CHUNK_EVENTS)
			tables += r->chunks[i].raw_size;
	}
	uint64_t raw_max = size * ST_BUDGET_RAW_RATIO, table_max = size * ST_BUDGET_TABLE_RATIO;
	if (raw_max < ST_BUDGET_RAW_FLOOR)
		raw_max = ST_BUDGET_RAW_FLOOR;
	if (table_max < ST_BUDGET_TABLE_FLOOR)
		table_max = ST_BUDGET_TABLE_FLOOR;
	return raw > raw_max || tables > table_max ? -ST_EBUDGET : 0;
}

/* --- open / free --------------------------------------------------------- */

/* Pipes cannot be re-read: copy one into an unlinked temporary file. */
static int spool(int in, int *out)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	int fd = open(dir ? dir : "/tmp", O_TMPFILE | O_RDWR, 0600);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			close(fd);
			return err;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w < 0) {
				int err = -errno;
				close(fd);
				return err;
			}
			off += w;
		}
	}
	*out = fd;
	return 0;
}

int st_reader__open_fd(int fd, unsigned int flags, struct st_reader **out)
{
	struct st_reader *r = calloc(1, sizeof(*r));
	uint8_t h[ST_FILE_HEADER_SIZE];
	struct stat st;
	int err;

	if (!r)
		return -ENOMEM;
	r->fd = fd;
	r->own_fd = -1;
	r->flags = flags;
	if (fstat(fd, &st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		err = spool(fd, &r->own_fd);
		if (err)
			goto fail;
		r->fd = r->own_fd;
		if (fstat(r->fd, &st)) {
			err = -errno;
			goto fail;
		}
	}
	r->info.file_size = (uint64_t)st.st_size;
	r->dctx = ZSTD_createDCtx();
	if (!r->dctx) {
		err = -ENOMEM;
		goto fail;
	}
	if (r->info.file_size < ST_FILE_HEADER_SIZE) {
		err = r->info.file_size >= ST_MAGIC_LEN ? -ST_ETRUNC : -ST_EMAGIC;
		if (r->info.file_size >= ST_MAGIC_LEN && pread_all(r->fd, h, ST_MAGIC_LEN, 0) == 0 &&
		    memcmp(h, ST_MAGIC, ST_MAGIC_LEN))
			err = -ST_EMAGIC;
		goto fail;
	}
	err = pread_all(r->fd, h, sizeof(h), 0);
	if (!err)
		err = header__check(r, h);
	if (!err)
		err = scan(r);
	if (!err)
		err = budget__check(r);
	if (!err)
		err = reader__load_tables(r);
	if (err)
		goto fail;
	*out = r;
	return 0;
fail:
	st_reader__free(r);
	return err;
}

int st_reader__open(const char *path, unsigned int flags, struct st_reader **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	int err = st_reader__open_fd(fd, flags, out);
	if (err) {
		close(fd);
		return err;
	}
	/* The reader keeps reading through a descriptor of its own. */
	(*out)->own_fd = (*out)->own_fd >= 0 ? (close(fd), (*out)->own_fd) : fd;
	return 0;
}

void st_reader__free(struct st_reader *r)
{
	if (!r)
		return;
	if (r->own_fd >= 0)
		close(r->own_fd);
	for (uint32_t c = 0; c < r->ncpus; c++)
		free(r->cpus[c].idx);
	free(r->cpus);
	while (r->arena) {
		struct arena_block *b = r->arena;
		r->arena = b->next;
		free(b);
	}
	free(r->chunks);
	free(r->meta);
	free(r->stats);
	free(r->stacks);
	free(r->tasks);
	free(r->cgroups);
	free(r->maps);
	free(r->ksyms);
	free(r->usyms);
	free(r->stored.data);
	free(r->raw.data);
	ZSTD_freeDCtx(r->dctx);
	free(r);
}

/* --- accessors ----------------------------------------------------------- */

const struct st_file_info *st_reader__info(const struct st_reader *r)
{
	return &r->info;
}

size_t st_reader__nchunks(const struct st_reader *r)
{
	return r->nchunks;
}

const struct st_chunk_info *st_reader__chunk(const struct st_reader *r, size_t i)
{
	return i < r->nchunks ? &r->chunks[i] : NULL;
}

const struct st_problem *st_reader__problems(const struct st_reader *r, size_t *n)
{
	*n = r->nproblems;
	return r->problems;
}

uint32_t reader__ncpus(const struct st_reader *r)
{
	return r->ncpus;
}

void reader__cpu_chunks(const struct st_reader *r, uint32_t cpu, const size_t **idx, size_t *n)
{
	*idx = r->cpus[cpu].idx;
	*n = r->cpus[cpu].n;
}
