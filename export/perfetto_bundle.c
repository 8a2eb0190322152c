// SPDX-License-Identifier: MIT
/*
 * Per-CPU FtraceEventBundles. Trace processor infers from a compact switch
 * only its next task (prev is the task the CPU's last switch put there), and
 * takes the waker of a compact waking to be the task current on the bundle's
 * CPU. So a switch is compact only where the CPU's current task, as trace
 * processor will have it, is the switch's prev; a waking only where it is
 * the waker. Everything else (the first switch of a CPU, the first after a
 * loss, a waking from a task not current there, the wakings the model moved)
 * is a full FtraceEvent, whose prev and waker (common pid) are explicit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto_internal.h"

struct cpu_bundle *bundle__get(struct perfetto *p, uint32_t cpu)
{
	if (cpu >= p->ncpus) {
		uint32_t n = cpu + 1;
		struct cpu_bundle **c = realloc(p->cpus, n * sizeof(*c));
		if (!c) {
			p->err = -ENOMEM;
			return NULL;
		}
		memset(c + p->ncpus, 0, (n - p->ncpus) * sizeof(*c));
		p->cpus = c;
		p->ncpus = n;
	}
	if (!p->cpus[cpu]) {
		p->cpus[cpu] = calloc(1, sizeof(struct cpu_bundle));
		if (!p->cpus[cpu])
			p->err = -ENOMEM;
	}
	return p->cpus[cpu];
}

static bool bundle__empty(const struct cpu_bundle *b)
{
	return !b->nsw && !b->nwk && !b->nfull;
}

/*
 * Room for one more event at @ts. Trace processor reads a bundle's compact
 * events before its full ones: a compact event at the ns of a full one
 * before it starts a new bundle, to stay behind it.
 */
static void bundle__note_ts(struct perfetto *p, struct cpu_bundle *b, uint32_t cpu, uint64_t ts,
			    bool compact)
{
	if (b->nsw + b->nwk + b->nfull >= BUNDLE_EVENTS ||
	    (compact && b->nfull && b->last_full_ts == ts))
		bundle__flush(p, b, cpu);
	if (bundle__empty(b))
		b->first_ts = ts;
}

static uint32_t comm__index(struct perfetto *p, struct cpu_bundle *b, const char *comm)
{
	size_t n = strnlen(comm, ST_COMM_LEN);
	uint64_t *v = htab__find(&b->comms, comm, n);

	if (v)
		return (uint32_t)*v;
	if (htab__insert(&b->comms, comm, n, b->ncomms))
		p->err = -ENOMEM;
	pb__bytes(&b->commbuf, F_CS_INTERN_TABLE, comm, n);
	return b->ncomms++;
}

/* Bits above TASK_REPORT_MAX: no kernel state; trace processor shows "?". */
#define PREV_STATE_UNKNOWN 0x8000

/* The kernel's prev_state bits (TASK_REPORT, 4.14+) for the letter the trace holds. */
static int64_t prev_state_bits(char letter)
{
	switch (letter) {
	case 'R': return 0x100; /* TASK_REPORT_MAX: preempted ("R+") */
	case 'S': return 0x1;
	case 'D': return 0x2;
	case 'T': return 0x4;
	case 't': return 0x8;
	case 'X': return 0x10;
	case 'Z': return 0x20;
	case 'P': return 0x40;
	case 'I': return 0x80;
	default: return 0x1; /* the model reads any other letter as a sleep */
	}
}

static const char *idle_comm(uint32_t cpu, char *buf, size_t cap)
{
	snprintf(buf, cap, "swapper/%u", cpu);
	return buf;
}

void bundle__switch(struct perfetto *p, const struct st_event *e, const char *next_comm,
		    const char *prev_comm)
{
	struct cpu_bundle *b = bundle__get(p, e->cpu);
	char idle[ST_COMM_LEN];

	if (!b)
		return;
	/*
	 * Trace processor puts a bundle's compact switches before its compact
	 * wakings at one timestamp: keep a waking of this very ns ahead of the
	 * switch by ending the bundle.
	 */
	if (b->nwk && b->last_wk_ts == e->ts)
		bundle__flush(p, b, e->cpu);
	if (!e->sw.next_tid)
		next_comm = idle_comm(e->cpu, idle, sizeof(idle));
	if (b->known && b->cur_tid != e->sw.prev_tid && b->cur_tid) {
		/*
		 * The task trace processor has on this CPU left it without a switch
		 * of its own (or in lost events): end its run here, in a state
		 * trace processor shows as unknown ("?", bits it cannot decode),
		 * as the model makes it UNKNOWN; else it would run on there.
		 */
		struct st_buf *s = &p->scratch;
		pb__reset(s);
		size_t m = pb__begin(s, F_FE_SCHED_SWITCH);
		pb__str(s, 1, "");
		pb__int(s, 2, (int32_t)b->cur_tid);
		pb__int(s, 4, PREV_STATE_UNKNOWN);
		pb__str(s, 5, prev_comm);
		pb__int(s, 6, (int32_t)e->sw.prev_tid);
		pb__int(s, 7, e->sw.prev_prio);
		pb__end(s, m);
		bundle__full(p, e->cpu, e->ts, false);
		b->dirty = true; /* the switch itself full too: after this one at the same ns */
	}
	if (b->known && !b->dirty && b->cur_tid == e->sw.prev_tid) {
		bundle__note_ts(p, b, e->cpu, e->ts, true);
		uint32_t i = b->nsw++;
		b->sw_ts[i] = e->ts;
		b->sw_state[i] = prev_state_bits(e->sw.prev_state);
		b->sw_pid[i] = (int32_t)e->sw.next_tid;
		b->sw_prio[i] = e->sw.next_prio;
		b->sw_comm[i] = comm__index(p, b, next_comm);
	} else {
		char pidle[ST_COMM_LEN];
		struct st_buf *s = &p->scratch;
		pb__reset(s);
		size_t m = pb__begin(s, F_FE_SCHED_SWITCH);
		pb__str(s, 1, e->sw.prev_tid ? prev_comm : idle_comm(e->cpu, pidle, sizeof(pidle)));
		pb__int(s, 2, (int32_t)e->sw.prev_tid);
		pb__int(s, 3, e->sw.prev_prio);
		pb__int(s, 4, prev_state_bits(e->sw.prev_state));
		pb__str(s, 5, next_comm);
		pb__int(s, 6, (int32_t)e->sw.next_tid);
		pb__int(s, 7, e->sw.next_prio);
		pb__end(s, m);
		bundle__full(p, e->cpu, e->ts, false);
		b = p->cpus[e->cpu];
	}
	b->known = true;
	b->dirty = false;
	b->cur_tid = e->sw.next_tid;
}

static uint32_t ctx_flags(uint8_t ctx)
{
	switch (ctx) {
	case ST_CTX_HARDIRQ: return TRACE_FLAG_HARDIRQ;
	case ST_CTX_SOFTIRQ: return TRACE_FLAG_SOFTIRQ;
	case ST_CTX_NMI: return TRACE_FLAG_NMI;
	default: return 0;
	}
}

void bundle__waking(struct perfetto *p, uint32_t cpu, uint64_t ts, uint32_t waker_tid,
		    uint8_t ctx, uint32_t wakee_tid, const char *wakee_comm, uint32_t target_cpu,
		    bool late)
{
	struct cpu_bundle *b = bundle__get(p, cpu);

	if (!b)
		return;
	if (!late && b->known && !b->dirty && b->cur_tid == waker_tid) {
		bundle__note_ts(p, b, cpu, ts, true);
		uint32_t i = b->nwk++;
		b->wk_ts[i] = ts;
		b->wk_pid[i] = (int32_t)wakee_tid;
		b->wk_cpu[i] = (int32_t)target_cpu;
		b->wk_prio[i] = ST_DEFAULT_PRIO; /* not recorded for wakings */
		b->wk_comm[i] = comm__index(p, b, wakee_comm);
		b->wk_flags[i] = ctx_flags(ctx);
		b->last_wk_ts = ts;
		return;
	}
	struct st_buf *s = &p->scratch;
	pb__reset(s);
	pb__uint(s, F_FE_PID, waker_tid);
	if (ctx_flags(ctx))
		pb__uint(s, F_FE_COMMON_FLAGS, ctx_flags(ctx));
	size_t m = pb__begin(s, F_FE_SCHED_WAKING);
	pb__str(s, 1, wakee_comm);
	pb__int(s, 2, (int32_t)wakee_tid);
	pb__int(s, 3, ST_DEFAULT_PRIO);
	pb__int(s, 4, 1);
	pb__int(s, 5, (int32_t)target_cpu);
	pb__end(s, m);
	bundle__full(p, cpu, ts, late);
}

/* Write a bundle holding only the event in p->scratch (an event older than the open bundle). */
static void bundle__alone(struct perfetto *p, uint32_t cpu, uint64_t ts)
{
	struct st_buf *k = &p->pkt;

	pb__reset(k);
	size_t bm = pb__begin(k, F_PKT_FTRACE_EVENTS);
	pb__uint(k, F_BUNDLE_CPU, cpu);
	size_t em = pb__begin(k, F_BUNDLE_EVENT);
	pb__uint(k, F_FE_TIMESTAMP, ts);
	pb__raw(k, p->scratch.data, p->scratch.len);
	pb__end(k, em);
	pb__end(k, bm);
	perfetto__packet(p);
}

void bundle__full(struct perfetto *p, uint32_t cpu, uint64_t ts, bool late)
{
	struct cpu_bundle *b = bundle__get(p, cpu);

	if (!b)
		return;
	if (late && (bundle__empty(b) || ts < b->first_ts)) {
		bundle__alone(p, cpu, ts);
		return;
	}
	if (!late) {
		bundle__note_ts(p, b, cpu, ts, false);
	} else if (b->nsw + b->nwk + b->nfull >= BUNDLE_EVENTS) {
		/*
		 * A full bundle is written first: a bundle of this event alone, written
		 * before it, would put the event ahead of the bundle's own events of
		 * the same ns (trace processor keeps the order of bundles).
		 */
		bundle__flush(p, b, cpu);
		b->first_ts = ts;
	}
	if (b->nfull == b->fcap) {
		uint32_t cap = b->fcap ? b->fcap * 2 : 64;
		struct full_event *f = realloc(b->full, cap * sizeof(*f));
		if (!f) {
			p->err = -ENOMEM;
			return;
		}
		b->full = f;
		b->fcap = cap;
	}
	if (!late || ts > b->last_full_ts)
		b->last_full_ts = ts;
	b->full[b->nfull++] = (struct full_event){ .ts = ts, .off = b->fullbuf.len,
						   .len = p->scratch.len };
	pb__raw(&b->fullbuf, p->scratch.data, p->scratch.len);
}

static int full__cmp(const void *a, const void *b)
{
	const struct full_event *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off; /* as they came */
}

static void packed_u64_delta(struct st_buf *k, uint32_t field, const uint64_t *v, uint32_t n)
{
	size_t m = pb__begin(k, field);
	for (uint32_t i = 0; i < n; i++)
		pb__varint(k, i ? v[i] - v[i - 1] : v[i]);
	pb__end(k, m);
}

static void packed_i32(struct st_buf *k, uint32_t field, const int32_t *v, uint32_t n)
{
	size_t m = pb__begin(k, field);
	for (uint32_t i = 0; i < n; i++)
		pb__varint(k, (uint64_t)(int64_t)v[i]);
	pb__end(k, m);
}

static void packed_u32(struct st_buf *k, uint32_t field, const uint32_t *v, uint32_t n)
{
	size_t m = pb__begin(k, field);
	for (uint32_t i = 0; i < n; i++)
		pb__varint(k, v[i]);
	pb__end(k, m);
}

void bundle__flush(struct perfetto *p, struct cpu_bundle *b, uint32_t cpu)
{
	struct st_buf *k = &p->pkt;

	if (bundle__empty(b) && !b->lost)
		return;
	pb__reset(k);
	size_t bm = pb__begin(k, F_PKT_FTRACE_EVENTS);
	pb__uint(k, F_BUNDLE_CPU, cpu);
	if (b->lost)
		pb__uint(k, F_BUNDLE_LOST_EVENTS, 1);
	if (b->nfull)
		qsort(b->full, b->nfull, sizeof(*b->full), full__cmp);
	for (uint32_t i = 0; i < b->nfull; i++) {
		size_t em = pb__begin(k, F_BUNDLE_EVENT);
		pb__uint(k, F_FE_TIMESTAMP, b->full[i].ts);
		pb__raw(k, b->fullbuf.data + b->full[i].off, b->full[i].len);
		pb__end(k, em);
	}
	if (b->nsw || b->nwk) {
		size_t cm = pb__begin(k, F_BUNDLE_COMPACT);
		pb__raw(k, b->commbuf.data, b->commbuf.len);
		if (b->nsw) {
			packed_u64_delta(k, F_CS_SWITCH_TS, b->sw_ts, b->nsw);
			size_t m = pb__begin(k, F_CS_SWITCH_PREV_STATE);
			for (uint32_t i = 0; i < b->nsw; i++)
				pb__varint(k, (uint64_t)b->sw_state[i]);
			pb__end(k, m);
			packed_i32(k, F_CS_SWITCH_NEXT_PID, b->sw_pid, b->nsw);
			packed_i32(k, F_CS_SWITCH_NEXT_PRIO, b->sw_prio, b->nsw);
			packed_u32(k, F_CS_SWITCH_NEXT_COMM, b->sw_comm, b->nsw);
		}
		if (b->nwk) {
			packed_u64_delta(k, F_CS_WAKING_TS, b->wk_ts, b->nwk);
			packed_i32(k, F_CS_WAKING_PID, b->wk_pid, b->nwk);
			packed_i32(k, F_CS_WAKING_TARGET_CPU, b->wk_cpu, b->nwk);
			packed_i32(k, F_CS_WAKING_PRIO, b->wk_prio, b->nwk);
			packed_u32(k, F_CS_WAKING_COMM, b->wk_comm, b->nwk);
			packed_u32(k, F_CS_WAKING_FLAGS, b->wk_flags, b->nwk);
		}
		pb__end(k, cm);
	}
	pb__end(k, bm);
	perfetto__packet(p);
	b->nsw = b->nwk = b->nfull = 0;
	b->lost = false;
	pb__reset(&b->fullbuf);
	pb__reset(&b->commbuf);
	htab__free(&b->comms);
	b->ncomms = 0;
}

void bundle__free(struct cpu_bundle *b)
{
	if (!b)
		return;
	free(b->full);
	pb__free(&b->fullbuf);
	pb__free(&b->commbuf);
	htab__free(&b->comms);
	free(b);
}
