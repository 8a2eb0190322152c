// SPDX-License-Identifier: MIT
/* The file format: round trips, and a reader that survives every bad byte. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <unistd.h>

#include "format/bytes.h"
#include "format/crc32c.h"
#include "format/decode.h"
#include "harness.h"
#include "synth.h"

TEST(crc32c_known_vector)
{
	CHECK_EQ(crc32c(0, "123456789", 9), 0xE3069283u);
	CHECK_EQ(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	CHECK_EQ(crc32c(0, "", 0), 0);
}

TEST(varint_limits)
{
	const uint8_t max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	const uint8_t over[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	const uint8_t unterminated[] = { 0x80, 0x80 };
	struct cursor c = { max, sizeof(max) };
	uint64_t v = 0;
	uint32_t v32 = 0;

	CHECK_EQ(cursor__uvar(&c, &v), 0);
	CHECK_EQ(v, UINT64_MAX);
	c = (struct cursor){ over, sizeof(over) };
	CHECK(cursor__uvar(&c, &v) < 0);
	c = (struct cursor){ unterminated, sizeof(unterminated) };
	CHECK(cursor__uvar(&c, &v) < 0);
	c = (struct cursor){ max, sizeof(max) };
	CHECK(cursor__uvar32(&c, &v32) < 0);
}

static const struct st_frame kframes[] = { { 0xffffffff81001234ull, 0 },
					   { 0xffffffff81000010ull, 0 },
					   { 0xffffffffc0ffee00ull, 0 } };
static const struct st_frame uframes[] = { { 0x1130, 1 }, { 0x24a0, 1 }, { 0x7f0000001000ull, 0 } };

/* One trace with every chunk and record kind; returns its fd. */
static int write_full_trace(void)
{
	struct st_writer *w;
	int fd = synth__open(&w);
	struct st_chunk c;

	CHECK(w != NULL);
	st_chunk__init(&c, ST_CHUNK_META, ST_CPU_NONE);
	CHECK_EQ(st_chunk__add_kv(&c, "host", "testhost"), 0);
	CHECK_EQ(st_chunk__add_kv(&c, "clock_offset_ns", "1700000000000000000"), 0);
	synth__put(w, &c);

	c.type = ST_CHUNK_STACKS;
	struct st_stack ks = { .id = 1, .kind = ST_STACK_KERNEL, .nframes = 3, .frames = kframes };
	struct st_stack us = { .id = 2, .kind = ST_STACK_USER, .flags = ST_STACK_TRUNCATED,
			       .nframes = 3, .frames = uframes };
	CHECK_EQ(st_chunk__add_stack(&c, &ks), 0);
	CHECK_EQ(st_chunk__add_stack(&c, &us), 0);
	synth__put(w, &c);

	c.type = ST_CHUNK_TASKS;
	struct st_task t = { .ts = 5, .tid = 101, .pid = 100, .ppid = 1, .flags = ST_TASK_SNAPSHOT,
			     .comm = "worker", .cmdline = "./app --fast" };
	CHECK_EQ(st_chunk__add_task(&c, &t), 0);
	synth__put(w, &c);

	c.type = ST_CHUNK_MAPS;
	struct st_map m = { .id = 1, .pid = 100, .start = 0x400000, .end = 0x401000, .pgoff = 0x1000,
			    .build_id_len = 3, .build_id = { 0xab, 0xcd, 0xef }, .path = "/usr/bin/app" };
	CHECK_EQ(st_chunk__add_map(&c, &m), 0);
	synth__put(w, &c);

	c.type = ST_CHUNK_KSYMS;
	struct st_sym ksym = { .addr = 0xffffffff81001200ull, .size = 0x100, .name = "schedule" };
	CHECK_EQ(st_chunk__add_sym(&c, &ksym), 0);
	synth__put(w, &c);

	c.type = ST_CHUNK_USYMS;
	struct st_sym usym = { .map = 1, .addr = 0x1100, .size = 0x40, .name = "main" };
	CHECK_EQ(st_chunk__add_sym(&c, &usym), 0);
	synth__put(w, &c);

	/* CPU 0 and CPU 1 interleave in time. */
	c.type = ST_CHUNK_EVENTS;
	c.cpu = 0;
	struct st_event e = ev_switch(1000, 0, 101, 'S', 0);
	e.sw.kstack = 1;
	e.sw.ustack = 2;
	e.sw.prev_pid = 100;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e = ev_waking(3000, 0, 0, 101, 0);
	e.wake.ctx = ST_CTX_HARDIRQ;
	e.wake.kstack = 1;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e = (struct st_event){ .ts = 3500, .type = ST_REC_LOSS };
	e.loss.end_ts = 3900;
	e.loss.count = 7;
	e.loss.cause = ST_LOSS_BUFFER_FULL;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	synth__put(w, &c);

	c.cpu = 1;
	e = (struct st_event){ .ts = 2000, .type = ST_REC_FORK };
	e.fork.parent_tid = 101;
	e.fork.parent_pid = 100;
	e.fork.child_tid = 102;
	e.fork.child_pid = 102;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e = (struct st_event){ .ts = 2500, .type = ST_REC_EXEC };
	e.task.tid = 102;
	e.task.pid = 102;
	strcpy(e.task.comm, "child");
	e.task.filename = "/bin/child";
	e.task.filename_len = 10;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e = (struct st_event){ .ts = 2600, .type = ST_REC_RENAME };
	e.task.tid = 102;
	e.task.pid = 102;
	strcpy(e.task.comm, "renamed");
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e = (struct st_event){ .ts = 2700, .type = ST_REC_WAKEUP_NEW };
	e.wake.waker_tid = 101;
	e.wake.wakee_tid = 103;
	e.wake.target_cpu = 1;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e = (struct st_event){ .ts = 4000, .type = ST_REC_EXIT };
	e.task.tid = 102;
	e.task.pid = 102;
	strcpy(e.task.comm, "renamed");
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	synth__put(w, &c);

	c.type = ST_CHUNK_STATS;
	c.cpu = ST_CPU_NONE;
	CHECK_EQ(st_chunk__add_stat(&c, "lost_total", 7), 0);
	synth__put(w, &c);
	CHECK_EQ(st_writer__finish(w), 0);
	st_writer__free(w);
	st_chunk__free(&c);
	return fd;
}

TEST(round_trip_every_record)
{
	int fd = write_full_trace();
	struct st_reader *r;

	CHECK_EQ(st_reader__open_fd(fd, ST_READ_STRICT, &r), 0);
	if (!r)
		return;
	const struct st_file_info *fi = st_reader__info(r);
	CHECK(fi->finalized);
	CHECK(fi->has_index);
	CHECK_EQ(fi->truncated_at, 0);
	CHECK_EQ(fi->first_ts, 1000);
	CHECK_EQ(fi->last_ts, 4000);
	CHECK_EQ(fi->ncpus_seen, 2);
	CHECK_EQ(st_reader__nchunks(r), 10);
	CHECK_STR(st_reader__meta(r, "host"), "testhost");
	CHECK(st_reader__meta(r, "nope") == NULL);

	const struct st_stack *s = st_reader__stack(r, 1);
	CHECK(s && s->kind == ST_STACK_KERNEL && s->nframes == 3);
	for (int i = 0; s && i < 3; i++)
		CHECK_EQ(s->frames[i].addr, kframes[i].addr);
	s = st_reader__stack(r, 2);
	CHECK(s && s->kind == ST_STACK_USER && s->flags == ST_STACK_TRUNCATED && s->nframes == 3);
	for (int i = 0; s && i < 3; i++) {
		CHECK_EQ(s->frames[i].addr, uframes[i].addr);
		CHECK_EQ(s->frames[i].map, uframes[i].map);
	}
	CHECK(st_reader__stack(r, 3) == NULL);
	CHECK(st_reader__stack(r, ST_STACK_LOST) == NULL);

	const struct st_task *t = st_reader__task(r, 0);
	CHECK(t && t->tid == 101 && t->pid == 100 && t->ppid == 1 && t->ts == 5);
	CHECK_STR(t ? t->comm : NULL, "worker");
	CHECK_STR(t ? t->cmdline : NULL, "./app --fast");
	const struct st_map *m = st_reader__map(r, 1);
	CHECK(m && m->start == 0x400000 && m->end == 0x401000 && m->pgoff == 0x1000);
	CHECK(m && m->build_id_len == 3 && m->build_id[2] == 0xef);
	CHECK_STR(m ? m->path : NULL, "/usr/bin/app");
	const struct st_sym *sym = st_reader__ksym(r, 0xffffffff81001234ull);
	CHECK_STR(sym ? sym->name : NULL, "schedule");
	CHECK(st_reader__ksym(r, 0xffffffff81001300ull) == NULL);
	sym = st_reader__usym(r, 1, 0x1130);
	CHECK_STR(sym ? sym->name : NULL, "main");
	CHECK(st_reader__usym(r, 2, 0x1130) == NULL);
	uint64_t v = 0;
	CHECK(st_reader__stat(r, "lost_total", &v) && v == 7);

	/* Merged order: 1000 (cpu0), 2000, 2500, 2600, 2700 (cpu1), 3000, 3500 (cpu0), 4000. */
	static const uint64_t want_ts[] = { 1000, 2000, 2500, 2600, 2700, 3000, 3500, 4000 };
	static const uint8_t want_type[] = { ST_REC_SWITCH, ST_REC_FORK, ST_REC_EXEC,
					     ST_REC_RENAME, ST_REC_WAKEUP_NEW, ST_REC_WAKING,
					     ST_REC_LOSS, ST_REC_EXIT };
	struct st_event_iter *it;
	struct st_event e;
	int n = 0, ret;
	CHECK_EQ(st_event_iter__new(r, &it), 0);
	while ((ret = st_event_iter__next(it, &e)) > 0) {
		if (n < 8) {
			CHECK_EQ(e.ts, want_ts[n]);
			CHECK_EQ(e.type, want_type[n]);
		}
		switch (e.type) {
		case ST_REC_SWITCH:
			CHECK(e.sw.prev_tid == 101 && e.sw.prev_pid == 100 && e.sw.next_tid == 0);
			CHECK(e.sw.prev_state == 'S' && e.sw.kstack == 1 && e.sw.ustack == 2);
			CHECK(e.sw.prev_prio == 120 && e.cpu == 0);
			break;
		case ST_REC_WAKING:
			CHECK(e.wake.wakee_tid == 101 && e.wake.ctx == ST_CTX_HARDIRQ);
			CHECK(e.wake.kstack == 1 && e.wake.ustack == 0);
			break;
		case ST_REC_LOSS:
			CHECK(e.loss.end_ts == 3900 && e.loss.count == 7);
			CHECK(e.loss.cause == ST_LOSS_BUFFER_FULL);
			break;
		case ST_REC_FORK:
			CHECK(e.fork.parent_tid == 101 && e.fork.child_tid == 102 && e.cpu == 1);
			break;
		case ST_REC_EXEC:
			CHECK_STR(e.task.comm, "child");
			CHECK(e.task.filename_len == 10 && !memcmp(e.task.filename, "/bin/child", 10));
			break;
		case ST_REC_RENAME:
			CHECK_STR(e.task.comm, "renamed");
			break;
		case ST_REC_WAKEUP_NEW:
			CHECK(e.wake.waker_tid == 101 && e.wake.wakee_tid == 103);
			break;
		case ST_REC_EXIT:
			CHECK(e.task.tid == 102);
			break;
		}
		n++;
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(n, 8);
	size_t np;
	st_reader__problems(r, &np);
	CHECK_EQ(np, 0);
	st_event_iter__free(it);
	st_reader__free(r);
	close(fd);
}

/* Reads everything a reader offers; returns events delivered, or -1 if open failed. */
static int read_all(const uint8_t *data, size_t len, int *open_err)
{
	int fd = synth__memfd(data, len);
	struct st_reader *r;
	struct st_event_iter *it;
	struct st_event e;
	int n = 0;

	*open_err = st_reader__open_fd(fd, 0, &r);
	if (*open_err) {
		close(fd);
		return -1;
	}
	for (size_t i = 0; i < st_reader__nstacks(r); i++)
		(void)st_reader__stack_at(r, i);
	if (st_event_iter__new(r, &it) == 0) {
		while (st_event_iter__next(it, &e) > 0)
			n++;
		st_event_iter__free(it);
	}
	st_reader__free(r);
	close(fd);
	return n;
}

TEST(truncation_at_every_byte)
{
	int fd = write_full_trace();
	size_t len;
	uint8_t *data = synth__slurp(fd, &len);
	int err, bad = 0;

	close(fd);
	for (size_t cut = 0; cut < len; cut++) {
		int n = read_all(data, cut, &err);
		if (cut < ST_FILE_HEADER_SIZE) {
			/* Too short for a header: a named error, never a crash. */
			if (n != -1 || (err != -ST_ETRUNC && err != -ST_EMAGIC))
				bad++;
			continue;
		}
		int fd2 = synth__memfd(data, cut);
		struct st_reader *r;
		if (st_reader__open_fd(fd2, 0, &r)) {
			bad++;
			close(fd2);
			continue;
		}
		const struct st_file_info *fi = st_reader__info(r);
		/* Every complete chunk before the cut is there; the rest is reported. */
		uint64_t end = ST_FILE_HEADER_SIZE;
		for (size_t i = 0; i < st_reader__nchunks(r); i++) {
			const struct st_chunk_info *c = st_reader__chunk(r, i);
			if (c->offset != end)
				bad++;
			end = c->offset + ST_CHUNK_HEADER_SIZE + c->stored_size;
		}
		if (end != cut && fi->truncated_at != end)
			bad++;
		if (fi->finalized)
			bad++;
		st_reader__free(r);
		close(fd2);
	}
	CHECK_EQ(bad, 0);
	/* The whole file is finalized; one byte less is not. */
	CHECK_EQ(read_all(data, len, &err), 8);
	free(data);
}

TEST(bit_flips_never_crash)
{
	int fd = write_full_trace();
	size_t len;
	uint8_t *data = synth__slurp(fd, &len);
	int err, undetected = 0;

	close(fd);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			data[i] ^= (uint8_t)(1 << bit);
			int fd2 = synth__memfd(data, len);
			struct st_reader *r;
			err = st_reader__open_fd(fd2, 0, &r);
			if (!err) {
				size_t np;
				struct st_event_iter *it;
				struct st_event e;
				if (st_event_iter__new(r, &it) == 0) {
					while (st_event_iter__next(it, &e) > 0)
						;
					st_event_iter__free(it);
				}
				st_reader__problems(r, &np);
				/* A flip anywhere is covered by a CRC: it must show. */
				if (np == 0)
					undetected++;
				st_reader__free(r);
			}
			close(fd2);
			data[i] ^= (uint8_t)(1 << bit);
		}
	}
	CHECK_EQ(undetected, 0);
	free(data);
}

/* A chunk header with a valid CRC that declares absurd sizes. */
static void put_chunk_header(uint8_t *h, uint16_t type, uint32_t stored, uint32_t raw, uint64_t seq)
{
	memset(h, 0, ST_CHUNK_HEADER_SIZE);
	le32_put(h, ST_CHUNK_MAGIC);
	le16_put(h + 4, type);
	le32_put(h + 8, ST_CPU_NONE);
	le64_put(h + 16, seq);
	le32_put(h + 40, stored);
	le32_put(h + 44, raw);
	le32_put(h + 60, crc32c(0, h, 60));
}

TEST(huge_declared_sizes_rejected)
{
	struct st_writer *w;
	int fd = synth__open(&w);
	size_t len;
	uint8_t *data, buf[4096];

	st_writer__free(w);
	data = synth__slurp(fd, &len);
	close(fd);
	memcpy(buf, data, len);
	free(data);
	/* Raw size 4 GiB: over the cap, refused before any allocation. */
	put_chunk_header(buf + len, ST_CHUNK_STACKS, 16, 0xFFFFFFFFu, 0);
	memset(buf + len + ST_CHUNK_HEADER_SIZE, 0, 16);
	int fd2 = synth__memfd(buf, len + ST_CHUNK_HEADER_SIZE + 16);
	struct st_reader *r;
	CHECK_EQ(st_reader__open_fd(fd2, 0, &r), 0);
	size_t np;
	const struct st_problem *p = st_reader__problems(r, &np);
	CHECK(np >= 1 && p[0].err == -ST_ETOOBIG);
	CHECK_EQ(st_reader__nchunks(r), 0);
	st_reader__free(r);
	close(fd2);
	/* Strict mode turns it into an error. */
	fd2 = synth__memfd(buf, len + ST_CHUNK_HEADER_SIZE + 16);
	CHECK_EQ(st_reader__open_fd(fd2, ST_READ_STRICT, &r), -ST_ETOOBIG);
	close(fd2);
}

TEST(zstd_declared_size_mismatch)
{
	/* A frame that decompresses to 1 MiB in a chunk declaring 100 bytes. */
	struct st_writer *w;
	struct st_chunk c;
	int fd = synth__open(&w);

	st_chunk__init(&c, ST_CHUNK_STATS, ST_CPU_NONE);
	for (int i = 0; i < 20000; i++)
		st_chunk__add_stat(&c, "k", 0);
	synth__put(w, &c);
	st_writer__free(w);
	st_chunk__free(&c);
	size_t len;
	uint8_t *data = synth__slurp(fd, &len);
	close(fd);
	uint8_t *h = data + ST_FILE_HEADER_SIZE;
	le32_put(h + 44, 100);
	le32_put(h + 60, crc32c(0, h, 60));
	int fd2 = synth__memfd(data, len);
	struct st_reader *r;
	CHECK_EQ(st_reader__open_fd(fd2, 0, &r), 0);
	size_t np;
	const struct st_problem *p = st_reader__problems(r, &np);
	CHECK(np == 1 && p[0].err == -ST_ESIZE);
	CHECK_EQ(st_reader__nstats(r), 0);
	st_reader__free(r);
	close(fd2);
	free(data);
}

TEST(unknown_chunk_and_record_types_skipped)
{
	struct st_writer *w;
	struct st_chunk c;
	int fd = synth__open(&w);

	/* A chunk type from the future. */
	st_chunk__init(&c, 200, ST_CPU_NONE);
	st_chunk__add_kv(&c, "future", "x");
	synth__put(w, &c);
	st_chunk__free(&c);
	/* An unknown record type inside a known chunk: hand-built raw payload. */
	st_chunk__init(&c, ST_CHUNK_EVENTS, 0);
	struct st_event e = ev_switch(10, 0, 1, 'R', 2);
	st_chunk__add_event(&c, &e);
	const uint8_t unknown[] = { 0x7e, 3, 1, 2, 3 };
	memcpy(c.buf.data + c.buf.len, unknown, sizeof(unknown)); /* buf has room: 4 KiB */
	c.buf.len += sizeof(unknown);
	c.count++;
	e = ev_switch(20, 0, 2, 'S', 1);
	st_chunk__add_event(&c, &e);
	synth__put(w, &c);
	CHECK_EQ(st_writer__finish(w), 0);
	st_writer__free(w);
	st_chunk__free(&c);

	struct st_reader *r;
	CHECK_EQ(st_reader__open_fd(fd, ST_READ_STRICT, &r), 0);
	struct st_event_iter *it;
	int n = 0;
	CHECK_EQ(st_event_iter__new(r, &it), 0);
	while (st_event_iter__next(it, &e) > 0) {
		CHECK_EQ(e.type, ST_REC_SWITCH);
		n++;
	}
	CHECK_EQ(n, 2);
	CHECK_EQ(e.ts, 20);
	CHECK(st_reader__info(r)->finalized);
	st_event_iter__free(it);
	st_reader__free(r);
	close(fd);
}

TEST(incompatible_feature_refused)
{
	struct st_writer *w;
	int fd = synth__open(&w);
	size_t len;

	st_writer__free(w);
	uint8_t *data = synth__slurp(fd, &len);
	close(fd);
	le64_put(data + 24, 1ull << 5);
	le32_put(data + 60, crc32c(0, data, 60));
	int fd2 = synth__memfd(data, len);
	struct st_reader *r;
	CHECK_EQ(st_reader__open_fd(fd2, 0, &r), -ST_EINCOMPAT);
	close(fd2);
	/* An unknown compatible feature is fine. */
	le64_put(data + 24, 0);
	le64_put(data + 16, 1ull << 7);
	le32_put(data + 60, crc32c(0, data, 60));
	fd2 = synth__memfd(data, len);
	CHECK_EQ(st_reader__open_fd(fd2, 0, &r), 0);
	CHECK_EQ(st_reader__info(r)->compat, 1ull << 7);
	st_reader__free(r);
	close(fd2);
	/* A future major version is refused by name. */
	le16_put(data + 8, 2);
	le64_put(data + 16, 0);
	le32_put(data + 60, crc32c(0, data, 60));
	fd2 = synth__memfd(data, len);
	CHECK_EQ(st_reader__open_fd(fd2, 0, &r), -ST_EVERSION);
	close(fd2);
	free(data);
	fd2 = synth__memfd((const uint8_t *)"GIF89a-not-a-trace-at-all-but-long-enough-for-a-header"
						 "...........",
			   64);
	CHECK_EQ(st_reader__open_fd(fd2, 0, &r), -ST_EMAGIC);
	close(fd2);
}

TEST(timestamps_backwards_clamped_by_writer)
{
	struct st_chunk c;

	st_chunk__init(&c, ST_CHUNK_EVENTS, 0);
	struct st_event e = ev_switch(100, 0, 1, 'R', 2);
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	e.ts = 50;
	CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	CHECK_EQ(c.clamped, 1);
	CHECK_EQ(c.last_ts, 100);
	st_chunk__free(&c);
}

TEST(chunk_going_back_in_time_is_reported)
{
	struct st_writer *w;
	struct st_chunk c;
	int fd = synth__open(&w);

	st_chunk__init(&c, ST_CHUNK_EVENTS, 0);
	struct st_event e = ev_switch(1000, 0, 1, 'R', 2);
	st_chunk__add_event(&c, &e);
	synth__put(w, &c);
	e.ts = 500;
	st_chunk__add_event(&c, &e);
	synth__put(w, &c);
	st_writer__free(w);
	st_chunk__free(&c);
	struct st_reader *r;
	CHECK_EQ(st_reader__open_fd(fd, 0, &r), 0);
	size_t np;
	const struct st_problem *p = st_reader__problems(r, &np);
	CHECK(np == 1 && p[0].err == -ST_ETIME);
	CHECK_EQ(st_reader__nchunks(r), 1);
	st_reader__free(r);
	close(fd);
}

TEST(pipe_input_is_spooled)
{
	int fd = write_full_trace();
	size_t len;
	uint8_t *data = synth__slurp(fd, &len);
	int p[2];

	close(fd);
	CHECK_EQ(pipe(p), 0);
	if (fork() == 0) {
		close(p[0]);
		ssize_t w = write(p[1], data, len);
		_exit(w == (ssize_t)len ? 0 : 1);
	}
	close(p[1]);
	struct st_reader *r;
	CHECK_EQ(st_reader__open_fd(p[0], ST_READ_STRICT, &r), 0);
	CHECK(st_reader__info(r)->finalized);
	CHECK_EQ(st_reader__info(r)->file_size, len);
	st_reader__free(r);
	close(p[0]);
	free(data);
}

/*
 * The unchecked decoder the event iterator uses must agree with the checked
 * one on every body: valid ones, cut ones and random bytes alike.
 */
/*
 * The checked decoder (bounded copy, the varint shifts) against the padded
 * one as the merge runs it: with pext where this CPU has it fast.
 */
TEST(padded_decoder_agrees_with_checked)
{
	const bool pext = st_decode_pext;

	static const uint8_t types[] = { ST_REC_SWITCH, ST_REC_WAKING, ST_REC_SWITCH_C,
					 ST_REC_WAKING_C };
	uint8_t buf[64 + ST_DECODE_SLACK];
	unsigned int seed = 12345, disagree = 0, ok = 0;

	for (int round = 0; round < 400000; round++) {
		uint8_t type = types[round & 3];
		size_t len = (size_t)(rand_r(&seed) % 40);
		memset(buf, 0, sizeof(buf));
		for (size_t i = 0; i < len; i++) {
			/* Mostly small varints, sometimes continuation bytes and large values. */
			unsigned int r = (unsigned int)rand_r(&seed);
			buf[i] = (uint8_t)(r % 8 == 0 ? r >> 8 : (r >> 8) & 0x7f);
		}
		struct st_event a, b;
		struct st_decode_state da, db;
		st_decode_state__init(&da, 1000, 3, ST_INCOMPAT_KNOWN);
		/* Half the time with a current task for the compact forms to refer to. */
		if (round & 4) {
			da.has_cur = true;
			da.cur_tid = 77;
			da.cur_pid = 70;
		}
		db = da;
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		st_decode_pext = false;
		int ea = st_decode_event(type, buf, len, &da, &a);
		st_decode_pext = pext;
		int eb = st_decode_event_padded(type, buf, len, &db, &b);
		if ((ea == 0) != (eb == 0)) {
			disagree++;
			continue;
		}
		if (ea)
			continue;
		ok++;
		if (memcmp(&da, &db, sizeof(da)) != 0 || a.ts != b.ts || a.cpu != b.cpu ||
		    a.type != b.type ||
		    (a.type == ST_REC_SWITCH && memcmp(&a.sw, &b.sw, sizeof(a.sw)) != 0) ||
		    (a.type == ST_REC_WAKING && memcmp(&a.wake, &b.wake, sizeof(a.wake)) != 0))
			disagree++;
	}
	CHECK_EQ(disagree, 0);
	CHECK(ok > 4000); /* enough valid bodies to mean something */
}

/* Compact and 1.0 records carry the same events, whatever can be left out or not. */
TEST(compact_and_legacy_records_round_trip)
{
	struct st_event in[64];
	unsigned int seed = 7, n = 0;

	for (; n < 64; n++) {
		struct st_event *e = &in[n];
		unsigned int r = (unsigned int)rand_r(&seed);
		memset(e, 0, sizeof(*e));
		e->ts = 1000 + n * 37;
		e->cpu = 2;
		uint32_t tid = 100 + r % 4, pid = r & 16 ? tid : 100;
		if (r & 1) {
			e->type = ST_REC_SWITCH;
			/* Often the previous switch's next, sometimes not (a loss, a first switch). */
			if (n && in[n - 1].type == ST_REC_SWITCH && !(r & 32)) {
				e->sw.prev_tid = in[n - 1].sw.next_tid;
				e->sw.prev_pid = in[n - 1].sw.next_pid;
			} else {
				e->sw.prev_tid = tid;
				e->sw.prev_pid = pid;
			}
			e->sw.next_tid = 200 + (r >> 8) % 3;
			e->sw.next_pid = r & 64 ? e->sw.next_tid : 200000;
			e->sw.prev_state = r & 128 ? 'S' : 'R';
			e->sw.prev_prio = r & 256 ? 120 : 99;
			e->sw.next_prio = r & 512 ? 120 : 139;
			e->sw.kstack = r & 1024 ? 5 : 0;
			e->sw.ustack = r & 2048 ? 70000 : 0;
		} else {
			e->type = ST_REC_WAKING;
			e->wake.waker_tid = r & 2 ? tid : 0;
			e->wake.waker_pid = r & 4 ? e->wake.waker_tid : 99;
			e->wake.wakee_tid = 300 + (r >> 8) % 5;
			e->wake.wakee_pid = r & 64 ? e->wake.wakee_tid : 301;
			e->wake.target_cpu = r & 128 ? 2 : 1;
			e->wake.ctx = (r >> 9) & 3;
			e->wake.kstack = r & 4096 ? 9 : 0;
			e->wake.ustack = r & 8192 ? 10 : 0;
		}
	}
	for (int legacy = 0; legacy < 2; legacy++) {
		struct st_chunk c;
		st_chunk__init(&c, ST_CHUNK_EVENTS, 2);
		c.legacy_sched = legacy;
		for (unsigned int i = 0; i < n; i++)
			CHECK_EQ(st_chunk__add_event(&c, &in[i]), 0);
		struct st_rec_iter it = { c.buf.data, c.buf.len };
		struct st_decode_state ds;
		const uint8_t *body;
		size_t blen;
		uint8_t type;
		unsigned int got = 0, compact = 0;
		st_decode_state__init(&ds, c.first_ts, 2, ST_INCOMPAT_KNOWN);
		while (st_rec_iter__next(&it, &type, &body, &blen) > 0 && got < n) {
			struct st_event e;
			compact += type == ST_REC_SWITCH_C || type == ST_REC_WAKING_C;
			CHECK_EQ(st_decode_event(type, body, blen, &ds, &e), 0);
			const struct st_event *w = &in[got++];
			CHECK_EQ(e.type, w->type);
			CHECK_EQ(e.ts, w->ts);
			if (w->type == ST_REC_SWITCH)
				CHECK(!memcmp(&e.sw, &w->sw, sizeof(e.sw)));
			else
				CHECK(!memcmp(&e.wake, &w->wake, sizeof(e.wake)));
		}
		CHECK_EQ(got, n);
		CHECK_EQ(compact, legacy ? 0 : n);
		st_chunk__free(&c);
	}
}
