// SPDX-License-Identifier: MIT
/*
 * The Perfetto writer: packets, the event loop, and the track events that
 * carry what ftrace events cannot (see perfetto.h, docs/PERFETTO.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/folded.h"
#include "perfetto_internal.h"

#define SEQ_FTRACE 1
#define SEQ_TRACKS 2
#define OUT_FLUSH (1u << 20)

/* Track uuids, small (varints): the recording, CPUs' loss tracks, threads by model index. */
#define UUID_RECORDING 1ull
#define UUID_LOSS(cpu) (2ull * (cpu) + 3)
#define UUID_THREAD(i) (2ull * (i) + 2)

enum { TE_SLICE_BEGIN = 1, TE_SLICE_END = 2, TE_INSTANT = 3 };

/* --- output ------------------------------------------------------------- */

static void sink(struct perfetto *p, const uint8_t *data, size_t len, bool finish)
{
	if (p->err)
		return;
	if (!p->z_on) {
		if (len && fwrite(data, 1, len, p->f) != len)
			p->err = errno ? -errno : -EIO; /* ENOSPC says more than EIO */
		return;
	}
	uint8_t buf[1 << 16];
	p->z.next_in = (uint8_t *)data;
	p->z.avail_in = (uInt)len;
	do {
		p->z.next_out = buf;
		p->z.avail_out = sizeof(buf);
		int zr = deflate(&p->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (zr == Z_STREAM_ERROR) {
			p->err = -EIO;
			return;
		}
		size_t n = sizeof(buf) - p->z.avail_out;
		if (n && fwrite(buf, 1, n, p->f) != n) {
			p->err = errno ? -errno : -EIO;
			return;
		}
	} while (p->z.avail_out == 0 || (finish && p->z.avail_in));
}

static void out__flush(struct perfetto *p, bool finish)
{
	if (p->out.err && !p->err)
		p->err = p->out.err;
	sink(p, p->out.data, p->out.len, finish);
	pb__reset(&p->out);
}

/* p->pkt as one TracePacket of sequence @seq. */
static void packet__seq(struct perfetto *p, uint32_t seq)
{
	pb__uint(&p->pkt, F_PKT_SEQ_ID, seq);
	if (p->pkt.err && !p->err)
		p->err = p->pkt.err;
	pb__bytes(&p->out, F_TRACE_PACKET, p->pkt.data, p->pkt.len);
	pb__reset(&p->pkt);
	if (p->out.len >= OUT_FLUSH)
		out__flush(p, false);
}

void perfetto__packet(struct perfetto *p)
{
	packet__seq(p, SEQ_FTRACE);
}

/* --- the trace's facts --------------------------------------------------- */

static const char *meta(const struct perfetto *p, const char *key, const char *dflt)
{
	const char *v = st_reader__meta(p->r, key);

	return v ? v : dflt;
}

static void system_info(struct perfetto *p)
{
	struct st_buf *k = &p->pkt;
	size_t m = pb__begin(k, F_PKT_SYSTEM_INFO);
	size_t u = pb__begin(k, 1);

	pb__str(k, 1, "Linux");
	pb__str(k, 3, meta(p, "kernel", ""));
	pb__str(k, 4, meta(p, "machine", ""));
	pb__end(k, u);
	const char *ncpus = st_reader__meta(p->r, "ncpus");
	if (ncpus)
		pb__uint(k, 8, strtoul(ncpus, NULL, 10));
	pb__end(k, m);
	perfetto__packet(p);
}

/*
 * The trace clock is CLOCK_MONOTONIC; ftrace data is read as boot time.
 * FtraceClock has no monotonic value, so the snapshot says the two agree
 * (true but for a suspend during the recording) and gives the wall clock.
 */
static void clock_snapshot(struct perfetto *p, uint64_t t0)
{
	struct st_buf *k = &p->pkt;
	const char *off = st_reader__meta(p->r, "clock_offset_ns");
	static const uint32_t same[] = { 6 /* BOOTTIME */, 3 /* MONOTONIC */ };

	pb__uint(k, F_PKT_TIMESTAMP, t0);
	size_t m = pb__begin(k, F_PKT_CLOCK_SNAPSHOT);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		size_t c = pb__begin(k, 1);
		pb__uint(k, 1, same[i]);
		pb__uint(k, 2, t0);
		pb__end(k, c);
	}
	if (off) {
		size_t c = pb__begin(k, 1);
		pb__uint(k, 1, 1 /* REALTIME */);
		pb__uint(k, 2, t0 + (uint64_t)strtoll(off, NULL, 10));
		pb__end(k, c);
	}
	pb__end(k, m);
	perfetto__packet(p);
}

/* The task table: processes (pid, ppid, cmdline) and threads (tid, tgid, name). */
static void process_tree(struct perfetto *p, uint64_t t0)
{
	struct st_buf *k = &p->pkt;
	size_t n = st_reader__ntasks(p->r);

	pb__uint(k, F_PKT_TIMESTAMP, t0);
	size_t m = pb__begin(k, F_PKT_PROCESS_TREE);
	for (size_t i = 0; i < n; i++) {
		const struct st_task *t = st_reader__task(p->r, i);
		if (!t || t->tid != t->pid)
			continue;
		size_t pm = pb__begin(k, 1);
		pb__int(k, 1, (int32_t)t->pid);
		pb__int(k, 2, (int32_t)t->ppid);
		pb__str(k, 3, t->cmdline && t->cmdline[0] ? t->cmdline : t->comm);
		pb__end(k, pm);
	}
	for (size_t i = 0; i < n; i++) {
		const struct st_task *t = st_reader__task(p->r, i);
		if (!t)
			continue;
		size_t tm = pb__begin(k, 2);
		pb__int(k, 1, (int32_t)t->tid);
		pb__str(k, 2, t->comm);
		pb__int(k, 3, (int32_t)t->pid);
		pb__end(k, tm);
	}
	pb__end(k, m);
	perfetto__packet(p);
}

/* --- track events --------------------------------------------------------- */

static bool bit__test_set(struct perfetto *p, uint8_t **bits, uint32_t *cap, uint32_t i)
{
	if (i >= *cap) {
		uint32_t n = (i + 1) * 2;
		uint8_t *b = realloc(*bits, n);
		if (!b) {
			p->err = -ENOMEM;
			return true;
		}
		memset(b + *cap, 0, n - *cap);
		*bits = b;
		*cap = n;
	}
	bool was = (*bits)[i];
	(*bits)[i] = 1;
	return was;
}

static void track__descriptor(struct perfetto *p, uint64_t uuid, const char *name,
			      const struct thread *t)
{
	struct st_buf *k = &p->pkt;
	size_t m = pb__begin(k, F_PKT_TRACK_DESCRIPTOR);

	pb__uint(k, 1, uuid);
	if (name)
		pb__str(k, 2, name);
	if (t) {
		size_t d = pb__begin(k, 4);
		pb__int(k, 1, (int32_t)(t->pid ? t->pid : t->tid));
		pb__int(k, 2, (int32_t)t->tid);
		pb__str(k, 5, t->comm);
		pb__end(k, d);
	}
	pb__end(k, m);
	packet__seq(p, SEQ_TRACKS);
}

static uint64_t thread_track(struct perfetto *p, const struct thread *t)
{
	if (!bit__test_set(p, &p->track_done, &p->track_cap, t->index))
		track__descriptor(p, UUID_THREAD(t->index), NULL, t);
	return UUID_THREAD(t->index);
}

static uint64_t loss_track(struct perfetto *p, uint32_t cpu)
{
	if (!bit__test_set(p, &p->loss_done, &p->loss_cap, cpu)) {
		char name[48];
		snprintf(name, sizeof(name), "CPU %u lost events", cpu);
		track__descriptor(p, UUID_LOSS(cpu), name, NULL);
	}
	return UUID_LOSS(cpu);
}

static void annotation_str(struct st_buf *k, const char *name, const char *v)
{
	size_t m = pb__begin(k, 4);
	pb__str(k, 10, name);
	pb__str(k, 6, v);
	pb__end(k, m);
}

static void annotation_uint(struct st_buf *k, const char *name, uint64_t v)
{
	size_t m = pb__begin(k, 4);
	pb__str(k, 10, name);
	pb__uint(k, 3, v);
	pb__end(k, m);
}

struct te_args {
	uint32_t cpu;
	const char *why;
	uint64_t count;
	const char *cause;
	bool has_count;
};

/* One track event; p->interned holds interned entries it needs (written with it). */
static void track__event(struct perfetto *p, uint64_t track, uint64_t ts, int type,
			 const char *name, uint64_t callstack, const struct te_args *a)
{
	struct st_buf *k = &p->pkt;
	uint64_t name_iid = type != TE_SLICE_END ? event_name__intern(p, name) : 0;
	pb__uint(k, F_PKT_TIMESTAMP, ts);
	pb__uint(k, F_PKT_SEQ_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	if (p->interned.len) {
		pb__bytes(k, F_PKT_INTERNED_DATA, p->interned.data, p->interned.len);
		pb__reset(&p->interned);
	}
	size_t m = pb__begin(k, F_PKT_TRACK_EVENT);
	pb__uint(k, 9, (uint64_t)type);
	pb__uint(k, 11, track);
	if (type != TE_SLICE_END) {
		pb__uint(k, 10, name_iid);
		if (callstack)
			pb__uint(k, 56, callstack);
		if (a && a->why)
			annotation_str(k, "why", a->why);
		if (a && a->has_count) {
			annotation_uint(k, "cpu", a->cpu);
			annotation_uint(k, "count", a->count);
			annotation_str(k, "cause", a->cause);
		}
	}
	pb__end(k, m);
	packet__seq(p, SEQ_TRACKS);
}

static void track__slice(struct perfetto *p, uint64_t track, uint64_t start, uint64_t end,
			 const char *name, uint64_t callstack, const struct te_args *a)
{
	track__event(p, track, start, TE_SLICE_BEGIN, name, callstack, a);
	track__event(p, track, end, TE_SLICE_END, NULL, 0, NULL);
}

/* --- wakings the model moved (see held_waking) ------------------------------ */

static struct held_waking *held__find(struct perfetto *p, uint32_t tid)
{
	uint64_t *v = htab64__find(&p->held_idx, (uint64_t)tid + 1);

	return v ? &p->held[*v] : NULL;
}

static struct held_waking *held__add(struct perfetto *p, uint32_t tid)
{
	struct held_waking *h = held__find(p, tid);

	if (h)
		return h;
	if (p->nheld == p->heldcap) {
		uint32_t cap = p->heldcap ? p->heldcap * 2 : 64;
		struct held_waking *n = realloc(p->held, cap * sizeof(*n));
		if (!n) {
			p->err = -ENOMEM;
			return NULL;
		}
		p->held = n;
		p->heldcap = cap;
	}
	if (htab64__insert(&p->held_idx, (uint64_t)tid + 1, p->nheld)) {
		p->err = -ENOMEM;
		return NULL;
	}
	h = &p->held[p->nheld++];
	memset(h, 0, sizeof(*h));
	return h;
}

static const char *comm_of(struct perfetto *p, uint32_t tid)
{
	const struct thread *t = model__find(p->m, tid);

	return t ? t->comm : "";
}

/* Write a held waking at @ts on @cpu (its own time and CPU, or where the model put it). */
static void held__write(struct perfetto *p, struct held_waking *h, uint64_t ts, uint32_t cpu)
{
	bundle__waking(p, cpu, ts, h->waker_tid, h->ctx, h->wakee_tid, comm_of(p, h->wakee_tid),
		       h->target_cpu, true);
	h->held = false;
}

/*
 * A held waking the model no longer holds (the thread did not sleep, or a
 * later waking ended its sleep): the kernel turned it down; written where it
 * was recorded, where trace processor, seeing the thread run, ignores it too.
 */
static void held__settle(struct perfetto *p, uint32_t tid, bool waking)
{
	struct held_waking *h = held__find(p, tid);

	if (!h || !h->held)
		return;
	const struct thread *t = model__find(p->m, tid);
	/* Still the model's while the thread runs on (early) or sleeps carried, unless woken again. */
	if (t && (t->early || (t->carried && !waking)))
		return;
	held__write(p, h, h->ts, h->cpu);
}

/* --- the model's intervals -------------------------------------------------- */

static const char *loss_why = "events lost, or a thread left its CPU without a switch: "
			      "its state is not known";

void perfetto__interval(void *ctx, const struct interval *iv)
{
	struct perfetto *p = ctx;
	const struct thread *t = iv->t;
	bool leading = !bit__test_set(p, &p->seen, &p->seen_cap, t->index);

	if (iv->state == TS_UNKNOWN) {
		if (!leading && iv->end > iv->start) {
			struct te_args a = { .why = loss_why };
			track__slice(p, thread_track(p, t), iv->start, iv->end, "UNKNOWN", 0, &a);
		}
		return;
	}
	if (iv->state != TS_SLEEPING && iv->state != TS_BLOCKED)
		return;
	const struct st_event *e = p->cur;
	bool by_event = e && (e->type == ST_REC_WAKING || e->type == ST_REC_WAKEUP_NEW) &&
			e->wake.wakee_tid == t->tid;
	if (iv->woken && !by_event) {
		/* A waking that came before the switch-out (carried): it ends the sleep as it begins. */
		struct held_waking *h = held__find(p, t->tid);
		if (h && h->held)
			held__write(p, h, iv->end, iv->cpu);
	}
	if (iv->end <= iv->start)
		return;
	/* Who woke it is in thread_state already: the slices carry only the stacks. */
	uint64_t cs = callstack__intern(p, iv->kstack, iv->ustack);
	if (cs)
		track__slice(p, thread_track(p, t), iv->start, iv->end,
			     iv->state == TS_BLOCKED ? "off-CPU D" : "off-CPU S", cs, NULL);
	if (iv->woken && iv->waker.thread != MODEL_NO_THREAD) {
		uint64_t ws = callstack__intern(p, iv->waker.kstack, iv->waker.ustack);
		const struct thread *w = model__thread(p->m, iv->waker.thread);
		if (ws && w)
			track__event(p, thread_track(p, w), iv->end, TE_INSTANT, "wakeup (waker stack)",
				     ws, NULL);
	}
}

/* --- events ---------------------------------------------------------------- */

static void on_loss(struct perfetto *p, const struct st_event *e)
{
	struct cpu_bundle *b = bundle__get(p, e->cpu);

	if (!b)
		return;
	bundle__flush(p, b, e->cpu);
	b->lost = true;
	b->dirty = true;
	char name[48];
	snprintf(name, sizeof(name), "LOST %llu events", (unsigned long long)e->loss.count);
	struct te_args a = { .has_count = true, .cpu = e->cpu, .count = e->loss.count,
			     .cause = st_loss_cause_name(e->loss.cause) };
	track__slice(p, loss_track(p, e->cpu), e->ts,
		     e->loss.end_ts > e->ts ? e->loss.end_ts : e->ts, name, 0, &a);
}

static void full_begin(struct perfetto *p, uint32_t pid)
{
	pb__reset(&p->scratch);
	pb__uint(&p->scratch, F_FE_PID, pid);
}

static void on_task(struct perfetto *p, const struct st_event *e, const char *old_comm)
{
	struct st_buf *s = &p->scratch;
	size_t m;

	switch (e->type) {
	case ST_REC_FORK:
		/* What trace processor makes threads and processes of (sched_process_fork it ignores). */
		full_begin(p, e->fork.parent_tid);
		m = pb__begin(s, F_FE_TASK_NEWTASK);
		pb__int(s, 1, (int32_t)e->fork.child_tid);
		pb__str(s, 2, old_comm);
		pb__uint(s, 3, e->fork.child_pid == e->fork.parent_pid ? 0x00010f00 : 0);
		break;
	case ST_REC_EXEC:
		full_begin(p, e->task.tid);
		m = pb__begin(s, F_FE_SCHED_PROCESS_EXEC);
		pb__bytes(s, 1, e->task.filename, e->task.filename_len);
		pb__int(s, 2, (int32_t)e->task.tid);
		pb__int(s, 3, (int32_t)e->task.tid);
		break;
	case ST_REC_EXIT:
		full_begin(p, e->task.tid);
		m = pb__begin(s, F_FE_SCHED_PROCESS_EXIT);
		pb__bytes(s, 1, e->task.comm, strnlen(e->task.comm, ST_COMM_LEN));
		pb__int(s, 2, (int32_t)e->task.tid);
		pb__int(s, 3, (int32_t)e->task.pid);
		break;
	case ST_REC_RENAME:
		full_begin(p, e->task.tid);
		m = pb__begin(s, F_FE_TASK_RENAME);
		pb__int(s, 1, (int32_t)e->task.tid);
		pb__str(s, 2, old_comm);
		pb__bytes(s, 3, e->task.comm, strnlen(e->task.comm, ST_COMM_LEN));
		break;
	case ST_REC_WAKEUP_NEW:
		full_begin(p, e->wake.waker_tid);
		m = pb__begin(s, F_FE_SCHED_WAKEUP_NEW);
		pb__str(s, 1, comm_of(p, e->wake.wakee_tid));
		pb__int(s, 2, (int32_t)e->wake.wakee_tid);
		pb__int(s, 3, ST_DEFAULT_PRIO);
		pb__int(s, 4, 1);
		pb__int(s, 5, (int32_t)e->wake.target_cpu);
		break;
	default:
		return;
	}
	pb__end(s, m);
	bundle__full(p, e->cpu, e->ts, false);
}

static void on_event(struct perfetto *p, const struct st_event *e)
{
	const struct thread *t;
	char old_comm[ST_COMM_LEN] = "", prev_comm[ST_COMM_LEN] = "";
	bool was_early = false;
	uint64_t off_at = UINT64_MAX; /* a sleeping wakee: when and where it switched out */
	uint32_t off_cpu = 0;

	/* What the model knew before the event: the names it replaces, an earlier hold. */
	switch (e->type) {
	case ST_REC_SWITCH:
		if ((t = model__find(p->m, e->sw.prev_tid)))
			memcpy(prev_comm, t->comm, sizeof(prev_comm));
		break;
	case ST_REC_WAKING:
		held__settle(p, e->wake.wakee_tid, true);
		if ((t = model__find(p->m, e->wake.wakee_tid))) {
			was_early = t->early;
			if (t->state == TS_SLEEPING || t->state == TS_BLOCKED) {
				off_at = t->since;
				off_cpu = t->cpu;
			}
		}
		break;
	case ST_REC_FORK:
		if ((t = model__find(p->m, e->fork.parent_tid)))
			memcpy(old_comm, t->comm, sizeof(old_comm));
		break;
	case ST_REC_RENAME:
	case ST_REC_EXEC:
	case ST_REC_EXIT:
		if ((t = model__find(p->m, e->task.tid)))
			memcpy(old_comm, t->comm, sizeof(old_comm));
		break;
	}
	p->cur = e;
	model__event(p->m, e);
	p->cur = NULL;
	switch (e->type) {
	case ST_REC_SWITCH:
		bundle__switch(p, e, comm_of(p, e->sw.next_tid), prev_comm);
		held__settle(p, e->sw.prev_tid, false);
		held__settle(p, e->sw.next_tid, false);
		break;
	case ST_REC_WAKING:
		t = model__find(p->m, e->wake.wakee_tid);
		if (t && !was_early && t->early && t->state == TS_RUNNING) {
			/* Woken on its way off its CPU: the model decides later where this goes. */
			struct held_waking *h = held__add(p, t->tid);
			if (h)
				*h = (struct held_waking){ .ts = e->ts, .cpu = e->cpu,
							   .waker_tid = e->wake.waker_tid,
							   .target_cpu = e->wake.target_cpu,
							   .wakee_tid = e->wake.wakee_tid,
							   .ctx = e->wake.ctx, .held = true };
			break;
		}
		if (off_at == e->ts && off_cpu != e->cpu) {
			/*
			 * It left another CPU at this very ns: trace processor's order of
			 * two CPUs' events at one time is its own; in the bundle of the
			 * switch-out's CPU this waking stays after it.
			 */
			bundle__waking(p, off_cpu, e->ts, e->wake.waker_tid, e->wake.ctx,
				       e->wake.wakee_tid, comm_of(p, e->wake.wakee_tid),
				       e->wake.target_cpu, true);
			break;
		}
		bundle__waking(p, e->cpu, e->ts, e->wake.waker_tid, e->wake.ctx, e->wake.wakee_tid,
			       comm_of(p, e->wake.wakee_tid), e->wake.target_cpu, false);
		break;
	case ST_REC_LOSS:
		on_loss(p, e);
		break;
	case ST_REC_EXIT:
		on_task(p, e, old_comm);
		held__settle(p, e->task.tid, false);
		break;
	default:
		on_task(p, e, old_comm);
		break;
	}
}

/* --- the whole run ------------------------------------------------------------ */

int perfetto__new(FILE *out, const struct st_reader *r, struct symbolizer *sym,
		  const struct perfetto_opts *o, struct perfetto **out_p)
{
	struct perfetto *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->f = out;
	p->r = r;
	p->sym = sym;
	if (o)
		p->o = *o;
	p->next_iid = 1;
	if (p->o.gzip) {
		if (deflateInit2(&p->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
			free(p);
			return -ENOMEM;
		}
		p->z_on = true;
	}
	*out_p = p;
	return 0;
}

static uint64_t events_total(const struct st_reader *r)
{
	uint64_t n = 0;

	for (size_t i = 0; i < st_reader__nchunks(r); i++) {
		const struct st_chunk_info *c = st_reader__chunk(r, i);
		if (c->type == ST_CHUNK_EVENTS)
			n += c->count;
	}
	return n;
}

int perfetto__run(struct perfetto *p, struct st_reader *r, struct model *m)
{
	struct st_event_iter *it;
	struct st_event e;
	uint64_t t0 = model__start(m);
	int ret;

	p->m = m;
	p->events_total = events_total(r);
	system_info(p);
	clock_snapshot(p, t0);
	process_tree(p, t0);
	pb__uint(&p->pkt, F_PKT_SEQ_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
	packet__seq(p, SEQ_TRACKS);
	track__descriptor(p, UUID_RECORDING, "schedtape recording", NULL);
	ret = st_event_iter__new(r, &it);
	if (ret)
		return ret;
	while (!p->err && (ret = st_event_iter__next(it, &e)) > 0) {
		on_event(p, &e);
		if ((++p->events_done & 0xffff) == 0 && p->o.progress)
			p->o.progress(p->o.progress_ctx, p->events_done, p->events_total);
	}
	st_event_iter__free(it);
	if (ret < 0)
		return ret;
	model__finish(m, model__end(m));
	for (uint32_t i = 0; i < p->nheld; i++)
		if (p->held[i].held)
			held__write(p, &p->held[i], p->held[i].ts, p->held[i].cpu);
	for (uint32_t c = 0; c < p->ncpus; c++)
		if (p->cpus[c])
			bundle__flush(p, p->cpus[c], c);
	track__slice(p, UUID_RECORDING, t0, model__end(m), "recording", 0, NULL);
	out__flush(p, true);
	if (p->o.progress)
		p->o.progress(p->o.progress_ctx, p->events_total, p->events_total);
	return p->err;
}

void perfetto__free(struct perfetto *p)
{
	if (!p)
		return;
	if (p->z_on)
		deflateEnd(&p->z);
	for (uint32_t c = 0; c < p->ncpus; c++)
		bundle__free(p->cpus[c]);
	free(p->cpus);
	free(p->held);
	htab64__free(&p->held_idx);
	free(p->track_done);
	free(p->seen);
	free(p->loss_done);
	htab64__free(&p->callstacks);
	htab__free(&p->frames);
	htab__free(&p->names);
	htab64__free(&p->mappings);
	pb__free(&p->out);
	pb__free(&p->pkt);
	pb__free(&p->scratch);
	pb__free(&p->interned);
	free(p);
}
