// SPDX-License-Identifier: MIT
/* The flight recorder's parts without BPF: the ring, the task table, dump names, triggers. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "record/dumpfile.h"
#include "record/ring.h"
#include "record/tasklog.h"
#include "record/trigger.h"
#include "synth.h"

#define MS 1000000ull

/* A chunk of switches on @cpu every 10 ms in [@from, @to) (ms), tid 100 + cpu and back. */
static void switches(struct ring *r, uint32_t cpu, uint64_t from, uint64_t to)
{
	struct st_chunk c;

	st_chunk__init(&c, ST_CHUNK_EVENTS, cpu);
	for (uint64_t t = from; t < to; t += 10) {
		struct st_event e = { .ts = t * MS, .cpu = cpu, .type = ST_REC_SWITCH };
		bool out = (t / 10) % 2;
		e.sw.prev_tid = e.sw.prev_pid = out ? 100 + cpu : 0;
		e.sw.next_tid = e.sw.next_pid = out ? 0 : 100 + cpu;
		e.sw.prev_state = out ? 'S' : 'R';
		e.sw.prev_prio = e.sw.next_prio = 120;
		CHECK_EQ(st_chunk__add_event(&c, &e), 0);
	}
	CHECK_EQ(ring__add(r, &c), 0);
	st_chunk__free(&c);
}

struct dumped {
	uint64_t n, first, last, start_ts, end_ts;
	size_t ntasks;
	bool finalized;
};

static struct dumped read_dump(int fd)
{
	struct dumped d = { 0 };
	struct st_reader *rd;
	struct st_event_iter *it;
	struct st_event e;

	CHECK_EQ(st_reader__open_fd(fd, ST_READ_STRICT, &rd), 0);
	if (!rd)
		return d;
	d.finalized = st_reader__info(rd)->finalized;
	d.start_ts = strtoull(st_reader__meta(rd, "start_ts"), NULL, 10);
	st_reader__stat(rd, "end_ts", &d.end_ts);
	d.ntasks = st_reader__ntasks(rd);
	CHECK_EQ(st_event_iter__new(rd, &it), 0);
	while (st_event_iter__next(it, &e) > 0) {
		if (!d.n++)
			d.first = e.ts;
		d.last = e.ts;
	}
	st_event_iter__free(it);
	st_reader__free(rd);
	return d;
}

TEST(ring_dump_cuts_the_window_exactly_and_stands_alone)
{
	struct ring *r = ring__new(0, 64u << 20, 1);
	struct st_chunk meta, tasks;
	struct ring_dump_result res;

	switches(r, 0, 0, 1000);
	switches(r, 1, 5, 1005);
	st_chunk__init(&meta, ST_CHUNK_META, ST_CPU_NONE);
	st_chunk__init(&tasks, ST_CHUNK_TASKS, ST_CPU_NONE);
	st_chunk__add_kv(&meta, "host", "unit");
	struct st_task t = { .ts = 300 * MS, .tid = 100, .pid = 100, .cmdline = "x", .cgroup = 7 };
	strcpy(t.comm, "worker");
	st_chunk__add_task(&tasks, &t);
	int fd = synth__memfd(NULL, 0);
	CHECK_EQ(ring__dump(r, fd, 300 * MS, 600 * MS, &meta, &tasks, &res), 0);
	CHECK_EQ(res.from, 300 * MS);
	CHECK_EQ(res.to, 600 * MS);
	struct dumped d = read_dump(fd);
	CHECK(d.finalized);
	CHECK_EQ(d.start_ts, 300 * MS);
	CHECK_EQ(d.end_ts, 600 * MS);
	CHECK_EQ(d.first, 300 * MS);
	CHECK_EQ(d.last, 600 * MS);
	/* CPU 0: 300, 310 .. 600 (31); CPU 1: 305 .. 595 (30). */
	CHECK_EQ(d.n, 61);
	CHECK_EQ(res.events, 61);
	CHECK_EQ(d.ntasks, 1);
	close(fd);
	st_chunk__free(&meta);
	st_chunk__free(&tasks);
	ring__free(r);
}

TEST(ring_drops_whole_chunks_past_its_duration_and_size)
{
	struct ring *r = ring__new(2000 * MS, 64u << 20, 1);

	for (uint64_t s = 0; s < 10; s++)
		switches(r, 0, s * 1000, s * 1000 + 1000);
	/* Newest event 9990 ms: chunks ending before 7990 ms are gone. */
	CHECK_EQ(ring__newest(r), 9990 * MS);
	CHECK_EQ(ring__start(r), 6990 * MS + 1);
	struct st_chunk meta, tasks;
	struct ring_dump_result res;
	st_chunk__init(&meta, ST_CHUNK_META, ST_CPU_NONE);
	st_chunk__init(&tasks, ST_CHUNK_TASKS, ST_CPU_NONE);
	int fd = synth__memfd(NULL, 0);
	CHECK_EQ(ring__dump(r, fd, 0, UINT64_MAX, &meta, &tasks, &res), 0);
	CHECK_EQ(res.from, 6990 * MS + 1);
	struct dumped d = read_dump(fd);
	CHECK_EQ(d.first, 7000 * MS);
	CHECK_EQ(d.last, 9990 * MS);
	close(fd);
	/* A size bound of one chunk keeps the newest chunk only. */
	struct ring *small = ring__new(0, 1, 1);
	switches(small, 0, 0, 1000);
	switches(small, 0, 1000, 2000);
	CHECK_EQ(ring__start(small), 990 * MS + 1);
	ring__forget(small, 1990 * MS);
	CHECK_EQ(ring__bytes(small), 0);
	ring__free(small);
	st_chunk__free(&meta);
	st_chunk__free(&tasks);
	ring__free(r);
}

TEST(tasklog_checkpoint_names_every_thread_of_the_window)
{
	struct tasklog *l = tasklog__new();
	struct st_task t = { .ts = 0, .tid = 10, .pid = 10, .cmdline = "a" };
	struct st_chunk c;

	strcpy(t.comm, "old");
	tasklog__add(l, &t);
	tasklog__rename(l, 10, 10, 50, "new");
	t.tid = 11;
	t.ts = 20;
	strcpy(t.comm, "gone");
	tasklog__add(l, &t);
	tasklog__exit(l, 11, 30);
	tasklog__prune(l, 40);
	CHECK_EQ(tasklog__threads(l), 1);
	CHECK_STR(tasklog__latest(l, 10)->comm, "new");
	st_chunk__init(&c, ST_CHUNK_TASKS, ST_CPU_NONE);
	/* Window [45, 100]: thread 10 as of 45 (old, flagged there at the start), then renamed. */
	CHECK_EQ(tasklog__checkpoint(l, 45, 100, &c), 0);
	CHECK_EQ(c.count, 2);
	st_chunk__free(&c);
	tasklog__free(l);
}

TEST(dump_files_never_overwrite_and_keep_the_newest)
{
	char dir[] = "/tmp/schedtape-unit-XXXXXX", path[4096], first[4096];
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	struct dumpfiles *d = dumpfiles__new(dir, 2);
	int fd = dumpfiles__create(d, 1764650000123456789ull, "signal", first, sizeof(first));
	CHECK(fd >= 0);
	close(fd);
	CHECK(strstr(first, "schedtape-20251202T043320.123Z-signal.tape") != NULL);
	CHECK_EQ(stat(first, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0600);
	dumpfiles__written(d, first);
	/* The same instant again: a suffix, not the same file. */
	fd = dumpfiles__create(d, 1764650000123456789ull, "signal", path, sizeof(path));
	CHECK(fd >= 0 && strcmp(path, first) && strstr(path, "-signal-1.tape"));
	close(fd);
	dumpfiles__written(d, path);
	fd = dumpfiles__create(d, 1764650001000000000ull, "exit", path, sizeof(path));
	close(fd);
	dumpfiles__written(d, path);
	CHECK(stat(first, &st) != 0); /* the oldest of three, past --keep 2 */
	dumpfiles__free(d);
	/* A pattern: strftime, %N milliseconds, %R the reason. */
	snprintf(path, sizeof(path), "%s/host-%%Y%%m%%d-%%H%%M%%S.%%N-%%R.tape", dir);
	d = dumpfiles__new(path, 0);
	fd = dumpfiles__create(d, 1764650000123456789ull, "trigger", first, sizeof(first));
	CHECK(fd >= 0 && strstr(first, "/host-20251202-043320.123-trigger.tape"));
	close(fd);
	dumpfiles__free(d);
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK_EQ(system(cmd), 0);
}

TEST(triggers_parse_and_fire_on_their_bound_only)
{
	struct trigger t;
	char why[256];
	uint64_t ns;

	CHECK_EQ(trigger__parse("runnable>20ms,comm=^mc-,pid=42", &t, why, sizeof(why)), 0);
	CHECK_EQ(t.kind, TRIGGER_RUNNABLE);
	CHECK_EQ(t.bound_ns, 20 * MS);
	struct trigger_wait w = { TRIGGER_RUNNABLE, 21 * MS, 43, 42, "mc-worker" };
	CHECK(trigger__fires(&t, &w, true));
	w.ns = 20 * MS;
	CHECK(!trigger__fires(&t, &w, true)); /* more than the bound, not equal */
	w.ns = 30 * MS;
	w.comm = "nginx";
	CHECK(!trigger__fires(&t, &w, true));
	w.comm = "mc-worker";
	w.pid = 7;
	CHECK(!trigger__fires(&t, &w, true));
	w.pid = 42;
	w.kind = TRIGGER_SLEEP;
	CHECK(!trigger__fires(&t, &w, true));
	trigger__fini(&t);
	CHECK_EQ(trigger__parse("block>1.5s", &t, why, sizeof(why)), 0);
	CHECK_EQ(t.bound_ns, 1500 * MS);
	trigger__fini(&t);
	CHECK(trigger__parse("nap>1ms", &t, why, sizeof(why)) < 0);
	CHECK(strstr(why, "runnable>TIME") != NULL);
	CHECK(trigger__parse("sleep>1ms,comm=(", &t, why, sizeof(why)) < 0);
	CHECK(trigger__parse("sleep>1ms,uid=0", &t, why, sizeof(why)) < 0);
	CHECK(trigger__parse("sleep>soon", &t, why, sizeof(why)) < 0);
	CHECK_EQ(duration__parse("300us", &ns), 0);
	CHECK_EQ(ns, 300000);
	CHECK_EQ(duration__parse("5min", &ns), 0);
	CHECK_EQ(ns, 300000 * MS);
	CHECK(duration__parse("-1s", &ns) < 0);
}
