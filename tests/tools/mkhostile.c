// SPDX-License-Identifier: MIT
/*
 * Writes tests/corpus/hostile/: traces a hostile sender could make, all with
 * valid checksums and zstd frames (written by the format library itself), one
 * per class of issue 13. tests/corpus/hostile.sh runs every command on each.
 * Usage: mkhostile DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/tape.h"
#include "tests/unit/events.h"

struct out {
	int fd;
	struct st_writer *w;
	struct st_chunk c;
};

static int out__open(struct out *o, const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.tape", dir, name);
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	o->w = o->fd >= 0 ? st_writer__new(o->fd, 19) : NULL;
	if (!o->w) {
		perror(path);
		exit(1);
	}
	st_chunk__init(&o->c, ST_CHUNK_META, ST_CPU_NONE);
	return 0;
}

/* Write the chunk being built and start one of @type. */
static void out__next(struct out *o, uint16_t type, uint32_t cpu)
{
	if (o->c.count && st_writer__add(o->w, &o->c)) {
		fprintf(stderr, "mkhostile: cannot write a chunk\n");
		exit(1);
	}
	st_chunk__free(&o->c);
	st_chunk__init(&o->c, type, cpu);
}

static void out__close(struct out *o)
{
	out__next(o, ST_CHUNK_META, ST_CPU_NONE);
	st_writer__finish(o->w);
	st_writer__free(o->w);
	st_chunk__free(&o->c);
	close(o->fd);
}

static void ev(struct out *o, struct st_event e)
{
	if (st_chunk__add_event(&o->c, &e)) {
		fprintf(stderr, "mkhostile: event refused by the encoder\n");
		exit(1);
	}
}

static void meta(struct out *o, const char *k, const char *v)
{
	st_chunk__add_kv(&o->c, k, v);
}

/* A valid trace that made chains read a moved thread table: many threads, then waits. */
static void chains_table_moves(const char *dir)
{
	struct out o;

	out__open(&o, dir, "chains_table_moves");
	meta(&o, "start_ts", "1000");
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 1));
	ev(&o, ev_waking(1100, 0, 1, 2, 0));
	ev(&o, ev_switch(1200, 0, 1, 'S', 2));
	for (uint32_t i = 0; i < 5000; i++) /* the table grows past its first size */
		ev(&o, ev_fork(1300 + i, 0, 2, 10000 + i));
	ev(&o, ev_waking(7000, 0, 2, 1, 0));
	ev(&o, ev_switch(7100, 0, 2, 'S', 1));
	ev(&o, ev_waking(7200, 0, 1, 2, 0));
	ev(&o, ev_switch(7300, 0, 1, 'D', 2));
	out__close(&o);
}

/* Wakings aimed at CPUs that cannot exist. */
static void wild_cpus(const char *dir)
{
	struct out o;

	out__open(&o, dir, "wild_cpus");
	meta(&o, "ncpus", "2");
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 5));
	ev(&o, ev_switch(1100, 0, 5, 'S', 6));
	ev(&o, ev_waking(1200, 0, 6, 5, 0xFFFFFFFFu));
	ev(&o, ev_waking(1300, 0, 6, 7, 100000000u));
	ev(&o, ev_switch(1400, 0, 6, 'S', 0));
	out__close(&o);
}

/* Metadata chosen to overflow arithmetic and reach the terminal raw. */
static void wild_meta(const char *dir)
{
	struct out o;

	out__open(&o, dir, "wild_meta");
	meta(&o, "clock_offset_ns", "9223372036854775807");
	meta(&o, "host", "evil\x1b[2J\x1b]0;owned\x07host");
	meta(&o, "kernel", "\xff\xfe not utf-8 \r\n second line");
	meta(&o, "cmdline", "rm -rf / \x1b[31m\"quoted\\\"");
	meta(&o, "start_ts", "18446744073709551615");
	meta(&o, "target_pids", "1,2,x,99999999999999999999");
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 5));
	ev(&o, ev_switch(2000, 0, 5, 'S', 0));
	out__next(&o, ST_CHUNK_STATS, ST_CPU_NONE);
	st_chunk__add_stat(&o.c, "end_ts\x1b[1m", 5);
	st_chunk__add_stat(&o.c, "end_ts", UINT64_MAX);
	out__close(&o);
}

/* Kernel symbols named @names[i], and stack 1 + i of frames in symbols i and i + 1. */
static void kernel_names(struct out *o, const char *const *names, uint32_t n)
{
	out__next(o, ST_CHUNK_KSYMS, ST_CPU_NONE);
	for (uint32_t i = 0; i < n; i++) {
		struct st_sym s = { .map = 0, .addr = 0xffffffff81000000ull + i * 0x100, .size = 0x100,
				    .name = names[i] };
		st_chunk__add_sym(&o->c, &s);
	}
	out__next(o, ST_CHUNK_STACKS, ST_CPU_NONE);
	for (uint32_t i = 0; i < n; i++) {
		struct st_frame f[2] = { { 0xffffffff81000010ull + i * 0x100, 0 },
					 { 0xffffffff81000010ull + ((i + 1) % n) * 0x100, 0 } };
		struct st_stack s = { .id = 1 + i, .kind = ST_STACK_KERNEL, .nframes = 2, .frames = f };
		st_chunk__add_stack(&o->c, &s);
	}
}

/* Names that break every output format: control bytes, bad UTF-8, ';', newlines, nothing. */
static void wild_names(const char *dir)
{
	static const char *const names[] = {
		"a;b;c",  "new\nline", "tab\there", "esc\x1b[31m", "\xff\xfe\xfd", "\xc3",
		"trail ", "<svg>&", "\"quote\\", "",	      "\xed\xa0\x80sur", "\x7f",
	};
	struct out o;
	uint32_t n = sizeof(names) / sizeof(names[0]);

	out__open(&o, dir, "wild_names");
	meta(&o, "start_ts", "1000");
	out__next(&o, ST_CHUNK_TASKS, ST_CPU_NONE);
	for (uint32_t i = 0; i < n; i++) {
		struct st_task t = { .ts = 1000, .tid = 100 + i, .pid = 100 + i, .ppid = 1 };
		snprintf(t.comm, sizeof(t.comm), "%s", names[i]);
		t.cmdline = names[i];
		st_chunk__add_task(&o.c, &t);
	}
	kernel_names(&o, names, n);
	out__next(&o, ST_CHUNK_EVENTS, 0);
	uint64_t ts = 2000;
	static const char states[] = { 'S', 'D', 0x1b, (char)0xff, '"', '\n', 'S' };
	for (uint32_t round = 0; round < 4; round++)
		for (uint32_t i = 0; i < n; i++) {
			uint32_t t = 100 + i, next = 100 + (i + 1) % n;
			struct st_event e = ev_switch(ts, 0, t, states[(i + round) % sizeof(states)], next);
			e.sw.kstack = 1 + i;
			ev(&o, e);
			struct st_event w = ev_waking(ts + 50, 0, next, t, 0);
			w.wake.kstack = 1 + (i + 1) % n;
			ev(&o, w);
			struct st_event r = { .ts = ts + 60, .cpu = 0, .type = ST_REC_RENAME };
			r.task.tid = r.task.pid = t;
			snprintf(r.task.comm, sizeof(r.task.comm), "%s", names[(i + round) % n]);
			ev(&o, r);
			ts += 100;
		}
	out__close(&o);
}

/*
 * Names written to break out of an HTML page (the report): in comms, symbols,
 * metadata and a command line. A page that runs any of it sets window.__pwned.
 */
static void script_names(const char *dir)
{
	static const char *const comms[] = {
		"</script><i>x", "<img src=x>", "\"><svg onload", "&lt;b&gt;", "\xe2\x80\xa8line",
	};
	static const char *const syms[] = {
		"</script><script>window.__pwned=1</script>",
		"<img src=x onerror=\"window.__pwned=2\">",
		"]]></script><script>window.__pwned=3</script>",
		"<!--<script>window.__pwned=4</script>-->",
		"javascript:window.__pwned=5",
	};
	const uint32_t n = sizeof(comms) / sizeof(comms[0]);
	struct out o;

	out__open(&o, dir, "script_names");
	meta(&o, "start_ts", "1000");
	meta(&o, "host", "</script><script>window.__pwned=6</script>");
	meta(&o, "cmdline", "<iframe src=\"https://example.com/\"></iframe>");
	meta(&o, "clock_offset_ns", "<b>");
	out__next(&o, ST_CHUNK_TASKS, ST_CPU_NONE);
	for (uint32_t i = 0; i < n; i++) {
		struct st_task t = { .ts = 1000, .tid = 100 + i, .pid = 100, .ppid = 1 };
		snprintf(t.comm, sizeof(t.comm), "%s", comms[i]);
		t.cmdline = syms[i];
		st_chunk__add_task(&o.c, &t);
	}
	kernel_names(&o, syms, n);
	/* A ring of threads on one CPU, each sleeping until the next wakes it. */
	out__next(&o, ST_CHUNK_EVENTS, 0);
	uint64_t ts = 2000;
	for (uint32_t round = 0; round < 20; round++)
		for (uint32_t i = 0; i < n; i++) {
			uint32_t t = 100 + i, next = 100 + (i + 1) % n;
			struct st_event e = ev_switch(ts, 0, t, 'S', next);
			e.sw.kstack = 1 + i;
			ev(&o, e);
			struct st_event w = ev_waking(ts + 500000, 0, next, t, 0);
			w.wake.kstack = 1 + (i + 1) % n;
			ev(&o, w);
			ts += 1000000;
		}
	out__close(&o);
}

/* A recording of one process that forked 100,000 times (the target list grows). */
static void many_forks(const char *dir)
{
	struct out o;

	out__open(&o, dir, "many_forks");
	meta(&o, "target_pids", "10");
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 10));
	for (uint32_t i = 0; i < 100000; i++) {
		if (o.c.count > 50000)
			out__next(&o, ST_CHUNK_EVENTS, 0);
		ev(&o, ev_fork(2000 + 10 * (uint64_t)i, 0, 10, 20000 + i));
	}
	out__close(&o);
}

/* Counts and times at the edges: a huge loss, a span of centuries, no events at all. */
static void wild_counts(const char *dir)
{
	struct out o;

	out__open(&o, dir, "wild_counts");
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 5));
	struct st_event l = { .ts = 2000, .cpu = 0, .type = ST_REC_LOSS };
	l.loss.end_ts = 3000;
	l.loss.count = UINT64_MAX - 20;
	l.loss.cause = ST_LOSS_BUFFER_FULL;
	ev(&o, l);
	l.ts = 4000;
	l.loss.end_ts = 5000;
	l.loss.count = 100;
	l.loss.cause = 200; /* no such cause */
	ev(&o, l);
	ev(&o, ev_switch(584ull * 365 * 24 * 3600 * 1000000000ull, 0, 5, 'S', 0));
	out__close(&o);

	out__open(&o, dir, "no_events");
	meta(&o, "clock_offset_ns", "1700000000000000000");
	meta(&o, "host", "quiet");
	out__close(&o);
}

/* Stacks of the largest allowed depth, all distinct: frames add up. */
static void many_frames(const char *dir)
{
	struct out o;
	struct st_frame f[ST_MAX_FRAMES];

	out__open(&o, dir, "many_frames");
	out__next(&o, ST_CHUNK_STACKS, ST_CPU_NONE);
	for (uint32_t id = 1; id <= 20000; id++) {
		if (o.c.buf.len > (8u << 20))
			out__next(&o, ST_CHUNK_STACKS, ST_CPU_NONE);
		for (uint32_t k = 0; k < ST_MAX_FRAMES; k++)
			f[k] = (struct st_frame){ 0xffffffff81000000ull + k * 16 + id, 0 };
		struct st_stack s = { .id = id, .kind = ST_STACK_KERNEL, .nframes = ST_MAX_FRAMES,
				      .frames = f };
		st_chunk__add_stack(&o.c, &s);
	}
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 5));
	for (uint32_t i = 0; i < 1000; i++) {
		struct st_event e = ev_switch(2000 + 20 * i, 0, 5, 'S', 6);
		e.sw.kstack = 1 + i * 17 % 20000;
		ev(&o, e);
		ev(&o, ev_waking(2010 + 20 * i, 0, 6, 5, 0));
		ev(&o, ev_switch(2015 + 20 * i, 0, 6, 'R', 5));
	}
	out__close(&o);
}

/* Chunks of zeros that unpack to far more than the file holds. */
static void zero_bomb(const char *dir)
{
	struct out o;

	out__open(&o, dir, "zero_bomb");
	for (int k = 0; k < 64; k++) {
		out__next(&o, ST_CHUNK_EVENTS, 0);
		st_chunk__add_kv(&o.c, "", ""); /* one record, then zeros */
		uint8_t *d = realloc(o.c.buf.data, 16u << 20);
		if (d) {
			memset(d + o.c.buf.len, 0, (16u << 20) - o.c.buf.len);
			o.c.buf.data = d;
			o.c.buf.len = o.c.buf.cap = 16u << 20;
		}
		o.c.first_ts = o.c.last_ts = 1000;
	}
	out__close(&o);
}

/*
 * Not hostile, but every ordering the Perfetto export must carry to trace
 * processor's rules (tests/live/perfetto.sh): a waking before its sleeper's
 * switch-out (carried; turned down by a preemption; turned down by a later
 * waking), a waking at the very ns of the switch-out on the other CPU, a
 * thread leaving a CPU without a switch of its own, and a loss.
 */
static void orderings(const char *dir)
{
	struct out o;
	struct st_event l = { .ts = 2400, .cpu = 0, .type = ST_REC_LOSS };

	l.loss.end_ts = 2500;
	l.loss.count = 5;
	l.loss.cause = ST_LOSS_BUFFER_FULL;
	out__open(&o, dir, "orderings");
	meta(&o, "start_ts", "1000");
	meta(&o, "ncpus", "2");
	out__next(&o, ST_CHUNK_EVENTS, 0);
	ev(&o, ev_switch(1000, 0, 0, 'R', 10));
	ev(&o, ev_switch(1150, 0, 10, 'S', 0));	 /* after 1100's waking: carried */
	ev(&o, ev_switch(1300, 0, 0, 'R', 10));
	ev(&o, ev_switch(1450, 0, 10, 'R', 11));	 /* 1400's waking turned down */
	ev(&o, ev_switch(1500, 0, 11, 'S', 10));
	ev(&o, ev_switch(1650, 0, 10, 'S', 0));	 /* carried, then woken again at 1800 */
	ev(&o, ev_switch(1900, 0, 0, 'R', 10));
	ev(&o, ev_switch(2000, 0, 10, 'S', 0));	 /* woken at this ns on CPU 1 */
	ev(&o, ev_switch(2100, 0, 0, 'R', 10));
	ev(&o, ev_waking(2250, 0, 10, 20, 1));
	ev(&o, l);
	ev(&o, ev_switch(2600, 0, 12, 'S', 10));	 /* after the loss: 10 was current */
	ev(&o, ev_switch(3000, 0, 10, 'S', 0));
	out__next(&o, ST_CHUNK_EVENTS, 1);
	ev(&o, ev_switch(1000, 1, 0, 'R', 20));
	ev(&o, ev_waking(1100, 1, 20, 10, 0));	 /* 10 still on CPU 0 */
	ev(&o, ev_waking(1400, 1, 20, 10, 0));
	ev(&o, ev_waking(1600, 1, 20, 10, 0));
	ev(&o, ev_waking(1800, 1, 20, 10, 0));
	ev(&o, ev_waking(2000, 1, 20, 10, 0));
	ev(&o, ev_switch(2200, 1, 20, 'S', 21));
	ev(&o, ev_switch(2300, 1, 22, 'S', 20));	 /* 21 left without a switch */
	ev(&o, ev_switch(2900, 1, 20, 'S', 0));
	out__close(&o);
}

/*
 * Cgroups a sender chose: names as markup and escapes, one at the length
 * cap, an id named twice, ids never named, and a process moved 100,000
 * times while 20,000 of its threads run (a per-thread pass per move would
 * take minutes).
 */
static void wild_cgroups(const char *dir)
{
	static char long_path[ST_MAX_STR + 1];
	const struct st_cgroup groups[] = {
		{ 1, 0, "/" },
		{ 2, 1, "/evil\x1b[2J</script><b>x" },
		{ 3, 1, "/system.slice/docker-zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope" },
		{ 4, 2, "/kubepods/pod/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
		{ 5, 1, "/twice-a" },
		{ 5, 1, "/twice-b" },
		{ UINT64_MAX, 200, long_path },
	};
	struct out o;

	memset(long_path, 'a', ST_MAX_STR);
	long_path[0] = '/';
	out__open(&o, dir, "wild_cgroups");
	meta(&o, "start_ts", "1000");
	out__next(&o, ST_CHUNK_CGROUPS, ST_CPU_NONE);
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		st_chunk__add_cgroup(&o.c, &groups[i]);
	out__next(&o, ST_CHUNK_TASKS, ST_CPU_NONE);
	for (uint32_t i = 0; i < 20000; i++) {
		struct st_task t = { .ts = 1000, .tid = 100 + i, .pid = 100, .cmdline = "",
				     .cgroup = i % 9 };
		strcpy(t.comm, "t");
		if (o.c.buf.len > (1u << 20))
			out__next(&o, ST_CHUNK_TASKS, ST_CPU_NONE);
		st_chunk__add_task(&o.c, &t);
	}
	for (uint32_t i = 0; i < 100000; i++) {
		struct st_task t = { .ts = 2000 + i, .tid = 100, .pid = 100, .cmdline = "",
				     .cgroup = i % 2 ? 7 : 2 };
		strcpy(t.comm, "leader");
		if (o.c.buf.len > (1u << 20))
			out__next(&o, ST_CHUNK_TASKS, ST_CPU_NONE);
		st_chunk__add_task(&o.c, &t);
	}
	/* The last thread moved on its own after its process: the markup-named cgroup. */
	struct st_task last = { .ts = 110000, .tid = 100 + 19999, .pid = 100, .cmdline = "", .cgroup = 2 };
	strcpy(last.comm, "t");
	st_chunk__add_task(&o.c, &last);
	out__next(&o, ST_CHUNK_EVENTS, 0);
	for (uint32_t i = 0; i < 20000; i++) {
		if (o.c.count > 50000)
			out__next(&o, ST_CHUNK_EVENTS, 0);
		struct st_event e = ev_switch(1000 + 6 * (uint64_t)i, 0, i ? 100 + i - 1 : 0, 'S', 100 + i);
		e.sw.prev_pid = i ? 100 : 0;
		e.sw.next_pid = 100;
		ev(&o, e);
	}
	out__close(&o);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "tests/corpus/hostile";

	chains_table_moves(dir);
	wild_cpus(dir);
	wild_meta(dir);
	wild_names(dir);
	script_names(dir);
	many_forks(dir);
	wild_counts(dir);
	many_frames(dir);
	zero_bomb(dir);
	orderings(dir);
	wild_cgroups(dir);
	return 0;
}
