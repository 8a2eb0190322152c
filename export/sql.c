// SPDX-License-Identifier: MIT
/* The SQL export's tables: see sql.h and docs/SCHEMA.md (which this must match). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/cgroups.h"
#include "base/htab.h"
#include "base/text.h"
#include "frames.h"
#include "sql.h"

enum { T_TRACE, T_THREAD, T_INTERVAL, T_STACK, T_FRAME, T_LOSS, T_NTABLES };

#define STR(n) { n, PQ_STRING, false, false }
#define OSTR(n) { n, PQ_STRING, true, false }
#define INT(n) { n, PQ_INT64, false, false }
#define OINT(n) { n, PQ_INT64, true, false }
#define TIME(n) { n, PQ_TIMESTAMP_NS, false, false }
#define BOOL(n) { n, PQ_BOOL, false, false }

static const struct pq_column trace_cols[] = {
	STR("trace_id"), INT("schema_version"), STR("host"), STR("kernel"), STR("machine"),
	OINT("ncpus"), TIME("start"), INT("start_ts"), INT("span_ns"), STR("clock"),
	OINT("clock_offset_ns"), OSTR("recorder"), OSTR("recorder_options"), OSTR("target"),
	INT("events"), INT("lost_events"), INT("anomalies"), BOOL("runnable_split"), STR("file"),
};
static const struct pq_column thread_cols[] = {
	STR("trace_id"), INT("tid"), INT("pid"), INT("generation"), STR("comm"), OSTR("cmdline"),
	OINT("ppid"), OSTR("cgroup"), BOOL("traced"), TIME("first_seen"), TIME("last_seen"),
	BOOL("exited"), OSTR("container"),
};
static const struct pq_column interval_cols[] = {
	STR("trace_id"), INT("tid"), INT("generation"), STR("state"),
	{ "ts", PQ_TIMESTAMP_NS, false, true }, INT("dur"), INT("cpu"), OSTR("cause"),
	OSTR("prev_state"), OINT("waker_tid"), OINT("waker_generation"), OSTR("waker_context"),
	OINT("waker_cpu"), OINT("offcpu_stack_id"), OINT("waker_stack_id"),
	OINT("wakeup_latency_ns"), OINT("queue_wait_ns"),
};
static const struct pq_column stack_cols[] = {
	STR("trace_id"), INT("stack_id"), INT("depth"), INT("frame_id"),
};
static const struct pq_column frame_cols[] = {
	STR("trace_id"), INT("frame_id"), STR("name"), STR("module"), OINT("offset"),
	OSTR("address"), OSTR("build_id"), BOOL("kernel"),
};
static const struct pq_column loss_cols[] = {
	STR("trace_id"), INT("cpu"), INT("count"), STR("cause"), TIME("ts"), INT("dur"),
};

#define COLS(a) a, sizeof(a) / sizeof(a[0])
static const struct {
	const char *name;
	const struct pq_column *cols;
	unsigned ncols;
} tables[T_NTABLES] = {
	[T_TRACE] = { "trace", COLS(trace_cols) },	 [T_THREAD] = { "thread", COLS(thread_cols) },
	[T_INTERVAL] = { "interval", COLS(interval_cols) }, [T_STACK] = { "stack", COLS(stack_cols) },
	[T_FRAME] = { "frame", COLS(frame_cols) },	 [T_LOSS] = { "loss", COLS(loss_cols) },
};

struct sql_export {
	const struct st_reader *r;
	struct symbolizer *sym;
	struct sql_opts o;
	const char *file;
	char id[17];
	int64_t offset; /* wall clock - trace clock */
	struct table t[T_NTABLES];
	bool open[T_NTABLES];
	struct model *m;
	struct htab64 stacks; /* (kstack << 32 | ustack) -> stack id */
	uint64_t *pairs;      /* by stack id - 1 */
	uint32_t nstacks, pairs_cap;
	uint64_t events, lost;
	int err;
};

void sql__trace_id(const struct st_reader *r, char out[17])
{
	static const char *const keys[] = { "host", "start_ts", "clock_offset_ns", "recorder_pid",
					    "cmdline", "kernel" };
	char buf[8192];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = st_reader__meta(r, keys[i]);
		int k = snprintf(buf + n, sizeof(buf) - n, "%s=%s\n", keys[i], v ? v : "");
		n = k < 0 || (size_t)k >= sizeof(buf) - n ? sizeof(buf) - 1 : n + (size_t)k;
	}
	/* A trace without those facts still has its first chunk's checksum. */
	if (st_reader__nchunks(r)) {
		int k = snprintf(buf + n, sizeof(buf) - n, "crc=%u", st_reader__chunk(r, 0)->crc);
		n = k < 0 || (size_t)k >= sizeof(buf) - n ? sizeof(buf) - 1 : n + (size_t)k;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)htab__hash(buf, n));
}

/* Make @dir (its parent must exist); there already is fine. */
static int dir__make(const char *dir)
{
	return mkdir(dir, 0755) && errno != EEXIST ? -errno : 0;
}

static int table__start(struct sql_export *x, int i)
{
	char path[4096];
	const char *ext = x->o.format == TABLE_PARQUET ? "parquet" : "csv";

	snprintf(path, sizeof(path), "%s/%s", x->o.dir, tables[i].name);
	int err = dir__make(path);
	if (err)
		return err;
	snprintf(path, sizeof(path), "%s/%s/%s.%s", x->o.dir, tables[i].name, x->id, ext);
	err = table__open(&x->t[i], x->o.format, path, tables[i].cols, tables[i].ncols,
			  x->o.rows_per_group);
	x->open[i] = true;
	if (err)
		return err;
	char v[16];
	snprintf(v, sizeof(v), "%d", SQL_SCHEMA_VERSION);
	table__meta(&x->t[i], "schedtape.schema_version", v);
	table__meta(&x->t[i], "schedtape.trace_id", x->id);
	return 0;
}

int sql__new(const struct st_reader *r, struct symbolizer *sym, const char *file,
	     const struct sql_opts *o, struct sql_export **out)
{
	struct sql_export *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->r = r;
	x->sym = sym;
	x->o = *o;
	x->file = file;
	sql__trace_id(r, x->id);
	const char *off = st_reader__meta(r, "clock_offset_ns");
	x->offset = off ? strtoll(off, NULL, 10) : 0;
	int err = dir__make(o->dir);
	for (int i = 0; i < T_NTABLES && !err; i++)
		err = table__start(x, i);
	if (err) {
		sql__free(x);
		return err;
	}
	*out = x;
	return 0;
}

/* Trace clock to wall clock; a trace may claim any offset: saturate. */
static int64_t wall(const struct sql_export *x, uint64_t ts)
{
	int64_t t = ts > INT64_MAX ? INT64_MAX : (int64_t)ts, w;

	if (__builtin_add_overflow(t, x->offset, &w))
		return x->offset > 0 ? INT64_MAX : INT64_MIN;
	return w;
}

static void opt_i64(struct table *t, bool has, int64_t v)
{
	if (has)
		table__i64(t, v);
	else
		table__null(t);
}

static void opt_str(struct table *t, const char *s)
{
	if (s && *s)
		table__str(t, s);
	else
		table__null(t);
}

/* The stack id of a (kernel, user) pair; 0 for none. */
static uint32_t stack__id(struct sql_export *x, uint32_t kstack, uint32_t ustack)
{
	uint64_t key = (uint64_t)kstack << 32 | ustack;

	if (!key)
		return 0;
	uint64_t *v = htab64__find(&x->stacks, key);
	if (v)
		return (uint32_t)*v;
	if (x->nstacks == x->pairs_cap) {
		uint32_t cap = x->pairs_cap ? x->pairs_cap * 2 : 256;
		uint64_t *p = realloc(x->pairs, cap * sizeof(*p));
		if (!p) {
			x->err = -ENOMEM;
			return 0;
		}
		x->pairs = p;
		x->pairs_cap = cap;
	}
	x->pairs[x->nstacks++] = key;
	if (htab64__insert(&x->stacks, key, x->nstacks))
		x->err = -ENOMEM;
	return x->nstacks;
}

static const char *cause_name(uint8_t cause)
{
	switch (cause) {
	case RC_WOKEN: return "woken";
	case RC_PREEMPTED: return "preempted";
	case RC_NEW: return "new";
	}
	return NULL;
}

void sql__interval(void *ctx, const struct interval *iv)
{
	struct sql_export *x = ctx;
	struct table *t = &x->t[T_INTERVAL];
	bool off = iv->state == TS_SLEEPING || iv->state == TS_BLOCKED || iv->state == TS_RUNNABLE;
	bool woken = iv->woken && (iv->state == TS_SLEEPING || iv->state == TS_BLOCKED);
	char letter[2] = { iv->off_state, 0 };

	table__str(t, x->id);
	table__i64(t, iv->t->tid);
	table__i64(t, iv->t->gen);
	table__str(t, th_state_name(iv->state));
	table__time(t, wall(x, iv->start));
	table__i64(t, (int64_t)(iv->end - iv->start));
	table__i64(t, iv->cpu);
	opt_str(t, iv->state == TS_RUNNABLE ? cause_name(iv->cause) : NULL);
	opt_str(t, off ? letter : NULL);
	const struct thread *w = woken && iv->waker.thread != MODEL_NO_THREAD
					 ? model__thread(x->m, iv->waker.thread) : NULL;
	opt_i64(t, woken, iv->waker.tid);
	opt_i64(t, w != NULL, w ? w->gen : 0);
	opt_str(t, woken ? st_wake_ctx_name(iv->waker.ctx) : NULL);
	opt_i64(t, woken, iv->waker.cpu);
	uint32_t os = off ? stack__id(x, iv->kstack, iv->ustack) : 0;
	opt_i64(t, os, os);
	uint32_t ws = woken ? stack__id(x, iv->waker.kstack, iv->waker.ustack) : 0;
	opt_i64(t, ws, ws);
	uint64_t lat = 0, queue = 0;
	bool split = iv->state == TS_RUNNABLE && iv->split;
	if (split)
		interval__split(iv, iv->start, iv->end, &lat, &queue);
	opt_i64(t, split, (int64_t)lat);
	opt_i64(t, split, (int64_t)queue);
	int err = table__row(t);
	if (err && !x->err)
		x->err = err;
}

static void loss__row(struct sql_export *x, const struct st_event *e)
{
	struct table *t = &x->t[T_LOSS];

	table__str(t, x->id);
	table__i64(t, e->cpu);
	table__i64(t, (int64_t)e->loss.count);
	table__str(t, st_loss_cause_name(e->loss.cause));
	table__time(t, wall(x, e->ts));
	table__i64(t, e->loss.end_ts > e->ts ? (int64_t)(e->loss.end_ts - e->ts) : 0);
	table__row(t);
	x->lost = x->lost + e->loss.count < x->lost ? UINT64_MAX : x->lost + e->loss.count;
}

/* Thread rows: the model's threads, with the task table's command line and parent. */
static void threads__write(struct sql_export *x)
{
	struct table *t = &x->t[T_THREAD];
	struct htab64 first = { 0 }; /* tid + 1 -> task index + 1 */

	for (size_t i = 0; i < st_reader__ntasks(x->r); i++) {
		const struct st_task *k = st_reader__task(x->r, i);
		if (k && !htab64__find(&first, (uint64_t)k->tid + 1) &&
		    htab64__insert(&first, (uint64_t)k->tid + 1, i + 1))
			x->err = -ENOMEM;
	}
	for (uint32_t i = 0; i < model__nthreads(x->m); i++) {
		const struct thread *th = model__thread(x->m, i);
		uint64_t *ti = htab64__find(&first, (uint64_t)th->tid + 1);
		const struct st_task *k = ti ? st_reader__task(x->r, *ti - 1) : NULL;
		table__str(t, x->id);
		table__i64(t, th->tid);
		table__i64(t, th->pid);
		table__i64(t, th->gen);
		table__strn(t, th->comm, strnlen(th->comm, ST_COMM_LEN));
		opt_str(t, k ? k->cmdline : NULL);
		opt_i64(t, k != NULL, k ? k->ppid : 0);
		char buf[32], name[160];
		opt_str(t, cgroup__path(x->r, th->cgroup, buf, sizeof(buf)));
		table__bool(t, th->traced);
		table__time(t, wall(x, th->first_seen));
		table__time(t, wall(x, th->last_seen));
		table__bool(t, th->exited);
		opt_str(t, cgroup__container_of(x->r, th->cgroup, name, sizeof(name)));
		table__row(t);
	}
	htab64__free(&first);
}

/* Stack rows (frames outermost first) and the frames they use, each once. */
static void stacks__write(struct sql_export *x)
{
	struct htab frames = { 0 };
	struct frame_ref fr[FRAMES_MAX];
	uint64_t nframes = 0;
	struct table *st = &x->t[T_STACK], *ft = &x->t[T_FRAME];

	for (uint32_t id = 1; id <= x->nstacks && !x->err; id++) {
		uint64_t pair = x->pairs[id - 1];
		unsigned n = frames__of(x->r, x->sym, (uint32_t)(pair >> 32), (uint32_t)pair, fr);
		for (unsigned d = 0; d < n; d++) {
			uint8_t key[13];
			key[0] = fr[d].kind;
			memcpy(key + 1, &fr[d].f.map, 4);
			memcpy(key + 5, &fr[d].f.addr, 8);
			uint64_t *v = htab__find(&frames, key, sizeof(key));
			uint64_t fid = v ? *v : ++nframes;
			if (!v) {
				if (htab__insert(&frames, key, sizeof(key), fid))
					x->err = -ENOMEM;
				bool kernel = fr[d].kind != ST_STACK_USER;
				const struct st_map *mp =
					kernel ? NULL : st_reader__map(x->r, fr[d].f.map);
				table__str(ft, x->id);
				table__i64(ft, (int64_t)fid);
				table__str(ft, fr[d].name);
				table__str(ft, kernel ? "[kernel]" : mp && mp->path ? mp->path : "[unknown]");
				/* User frames: the offset in the file; kernel frames: the address. */
				bool real = fr[d].kind != FRAME_PSEUDO;
				opt_i64(ft, real && !kernel, (int64_t)fr[d].f.addr);
				char addr[20] = "";
				if (real && kernel)
					snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)fr[d].f.addr);
				opt_str(ft, addr);
				char hex[2 * ST_MAX_BUILD_ID + 1] = "";
				if (mp)
					text__hex(hex, mp->build_id, mp->build_id_len);
				opt_str(ft, hex);
				table__bool(ft, kernel);
				table__row(ft);
			}
			table__str(st, x->id);
			table__i64(st, id);
			table__i64(st, d);
			table__i64(st, (int64_t)fid);
			table__row(st);
		}
	}
	htab__free(&frames);
}

static const char *meta(const struct sql_export *x, const char *key, const char *dflt)
{
	const char *v = st_reader__meta(x->r, key);

	return v ? v : dflt;
}

static void trace__write(struct sql_export *x)
{
	struct table *t = &x->t[T_TRACE];
	const char *ncpus = st_reader__meta(x->r, "ncpus");
	const char *off = st_reader__meta(x->r, "clock_offset_ns");
	uint64_t start = model__start(x->m), end = model__end(x->m);

	table__str(t, x->id);
	table__i64(t, SQL_SCHEMA_VERSION);
	table__str(t, x->o.host ? x->o.host : meta(x, "host", ""));
	table__str(t, meta(x, "kernel", ""));
	table__str(t, meta(x, "machine", ""));
	opt_i64(t, ncpus != NULL, ncpus ? strtoll(ncpus, NULL, 10) : 0);
	table__time(t, wall(x, start));
	table__i64(t, (int64_t)start);
	table__i64(t, (int64_t)(end - start));
	table__str(t, meta(x, "clock", "monotonic"));
	opt_i64(t, off != NULL, x->offset);
	opt_str(t, st_reader__meta(x->r, "recorder"));
	opt_str(t, st_reader__meta(x->r, "options"));
	opt_str(t, st_reader__meta(x->r, "target"));
	table__i64(t, (int64_t)x->events);
	table__i64(t, x->lost > INT64_MAX ? INT64_MAX : (int64_t)x->lost);
	table__i64(t, (int64_t)model__anomalies(x->m));
	table__bool(t, model__has_split(x->m));
	table__str(t, x->file);
	table__row(t);
}

int sql__run(struct sql_export *x, struct st_reader *r, struct model *m)
{
	struct st_event_iter *it;
	struct st_event e;
	int ret = st_event_iter__new(r, &it);

	x->m = m;
	if (ret)
		return ret;
	while (!x->err && (ret = st_event_iter__next(it, &e)) > 0) {
		x->events++;
		if (e.type == ST_REC_LOSS)
			loss__row(x, &e);
		model__event(m, &e);
	}
	st_event_iter__free(it);
	if (ret < 0)
		return ret;
	model__finish(m, model__end(m));
	threads__write(x);
	stacks__write(x);
	trace__write(x);
	for (int i = 0; i < T_NTABLES; i++) {
		int err = table__close(&x->t[i], !x->err);
		x->open[i] = false;
		if (err && !x->err)
			x->err = err;
	}
	return x->err;
}

void sql__free(struct sql_export *x)
{
	if (!x)
		return;
	for (int i = 0; i < T_NTABLES; i++)
		if (x->open[i])
			table__close(&x->t[i], false);
	htab64__free(&x->stacks);
	free(x->pairs);
	free(x);
}
