// SPDX-License-Identifier: MIT
/*
 * The flight recorder's part of a session: the live task table, triggers
 * checked as events are drained, and dumps: asked for (signal, trigger,
 * rotation, exit), held until every CPU's events of their window have
 * arrived, then handed to the writer thread with the window's metadata and
 * task table.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/grow.h"
#include "session_internal.h"

/*
 * How long after its end a window's events are all in: the BPF side sends a
 * slow CPU's batch ten times a second, and a poll drains within 100 ms.
 */
#define SETTLE_NS (300ull * 1000000ull)

struct pending_dump {
	uint64_t from, to, due;
	const char *reason;
	bool trigger;
	char spec[256];
	struct trigger_wait w;
	char comm[ST_COMM_LEN];
	uint64_t wait_end;
};

static uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int ring__session_start(struct session *s)
{
	s->tasklog = tasklog__new();
	return s->tasklog ? 0 : -ENOMEM;
}

void ring__free_state(struct session *s)
{
	tasklog__free(s->tasklog);
	s->tasklog = NULL;
	free(s->pending);
	s->pending = NULL;
}

void ring__task(struct session *s, const struct st_task *t)
{
	tasklog__add(s->tasklog, t);
}

void ring__exit(struct session *s, uint32_t tid, uint64_t ts)
{
	tasklog__exit(s->tasklog, tid, ts);
}

void ring__rename(struct session *s, uint32_t tid, uint32_t pid, uint64_t ts, const char *comm)
{
	tasklog__rename(s->tasklog, tid, pid, ts, comm);
}

static int pending__add(struct session *s, const struct pending_dump *p)
{
	int err = grow(&s->pending, &s->pending_cap, s->npending + 1, sizeof(*s->pending));

	if (err)
		return err;
	s->pending[s->npending++] = *p;
	return 0;
}

/*
 * The cgroup of thread @tid of process @pid, by the task table: its own
 * latest record or its process leader's, whichever is later (a whole
 * process moved is recorded for its leader).
 */
static uint64_t cgroup_of(struct session *s, uint32_t tid, uint32_t pid)
{
	const struct st_task *t = tasklog__latest(s->tasklog, tid);
	const struct st_task *l = pid != tid ? tasklog__latest(s->tasklog, pid) : NULL;

	if (l && l->cgroup && (!t || !t->cgroup || l->ts > t->ts))
		return l->cgroup;
	return t ? t->cgroup : 0;
}

/* Is @tid in the cgroup subtree @t names? */
static bool in_cgroup(struct session *s, uint32_t tid, uint32_t pid, const struct trigger *t)
{
	if (!t->cgroup_id)
		return true;
	uint64_t id = cgroup_of(s, tid, pid);
	return id && cgnames__within(s->cgnames, id, t->cgroup_id);
}

void ring__wait(struct session *s, const struct trigger_wait *w, uint64_t end_ts)
{
	const struct session_ring_opts *o = &s->o.ring;
	const struct st_task *k = tasklog__latest(s->tasklog, w->tid);
	struct trigger_wait named = *w;

	named.comm = k ? k->comm : "";
	for (size_t i = 0; i < o->ntriggers; i++) {
		const struct trigger *t = &o->triggers[i];
		if (!trigger__fires(t, &named, in_cgroup(s, w->tid, w->pid, t)))
			continue;
		if (s->last_fire_ts && end_ts < s->last_fire_ts + o->cooldown_ns) {
			s->st.triggers_suppressed++;
			return;
		}
		struct pending_dump p = {
			.from = sub_sat(sub_sat(end_ts, w->ns), o->pre_ns),
			.to = end_ts + o->post_ns,
			.reason = "trigger",
			.trigger = true,
			.w = named,
			.wait_end = end_ts,
		};
		p.due = p.to + SETTLE_NS;
		snprintf(p.spec, sizeof(p.spec), "%s", t->spec);
		snprintf(p.comm, sizeof(p.comm), "%s", named.comm);
		if (pending__add(s, &p) == 0) {
			s->last_fire_ts = end_ts;
			s->st.triggers_fired++;
		}
		return;
	}
}

static void kv_u64(struct st_chunk *c, const char *key, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	st_chunk__add_kv(c, key, buf);
}

/* Hand dump @p to the writer, after every event pushed so far. */
static void pending__issue(struct session *s, const struct pending_dump *p, bool forget)
{
	struct st_chunk meta, tasks;
	uint64_t from = p->from > s->start_ts ? p->from : s->start_ts;
	long long off = session__realtime_offset();

	session__flush(s);
	st_chunk__init(&meta, ST_CHUNK_META, ST_CPU_NONE);
	st_chunk__init(&tasks, ST_CHUNK_TASKS, ST_CPU_NONE);
	session__meta(s, &meta);
	st_chunk__add_kv(&meta, "dump_reason", p->reason);
	if (s->o.ring.ring_spec)
		st_chunk__add_kv(&meta, "ring", s->o.ring.ring_spec);
	kv_u64(&meta, "recording_start_ts", s->start_ts);
	if (p->trigger) {
		st_chunk__add_kv(&meta, "trigger", p->spec);
		st_chunk__add_kv(&meta, "trigger_kind", trigger_kind_name(p->w.kind));
		kv_u64(&meta, "trigger_tid", p->w.tid);
		kv_u64(&meta, "trigger_pid", p->w.pid);
		st_chunk__add_kv(&meta, "trigger_comm", p->comm);
		kv_u64(&meta, "trigger_wait_ns", p->w.ns);
		kv_u64(&meta, "trigger_ts", p->wait_end);
	}
	tasklog__checkpoint(s->tasklog, from, p->to, &tasks);
	struct sink_dump_req req = {
		.from = from,
		.to = p->to,
		.realtime_to = (uint64_t)((long long)p->to + off),
		.reason = p->reason,
		.forget = forget,
	};
	if (sink__dump(s->sink, &req, &meta, &tasks) == 0)
		s->dumps_requested++;
	st_chunk__free(&meta);
	st_chunk__free(&tasks);
}

int session__request_dump(struct session *s, const char *reason)
{
	const struct session_ring_opts *o = &s->o.ring;
	uint64_t now = clock__monotonic_ns();
	struct pending_dump p = {
		.from = o->duration_ns ? sub_sat(now, o->duration_ns) : 0,
		.to = now,
		.due = now + SETTLE_NS,
		.reason = reason,
	};

	if (!s->o.ring.output)
		return -EINVAL;
	return pending__add(s, &p);
}

static void rotate(struct session *s, uint64_t to)
{
	struct pending_dump p = { .from = s->rotated_to ? s->rotated_to + 1 : 0, .to = to,
				  .reason = "rotate" };

	pending__issue(s, &p, true);
	s->rotated_to = to;
}

void ring__tick(struct session *s)
{
	struct sink_ring_state st;
	uint64_t now = clock__monotonic_ns();
	size_t k = 0;

	/* Not a flight recorder: the task table only names the threads alive. */
	if (!s->o.ring.output) {
		if (now - s->last_prune_ns >= 1000000000ull) {
			tasklog__prune(s->tasklog, now - 1000000000ull);
			s->last_prune_ns = now;
		}
		return;
	}
	for (size_t i = 0; i < s->npending; i++) {
		if (s->pending[i].due <= now)
			pending__issue(s, &s->pending[i], false);
		else
			s->pending[k++] = s->pending[i];
	}
	s->npending = k;
	sink__ring_state(s->sink, &st);
	/* One rotation at a time: the ring's size is stale until the writer has done it. */
	if (s->o.ring.rotate_bytes && st.bytes >= s->o.ring.rotate_bytes &&
	    st.finished == s->dumps_requested)
		rotate(s, sub_sat(now, SETTLE_NS));
	if (now - s->last_prune_ns >= 1000000000ull) {
		tasklog__prune(s->tasklog, st.start);
		s->last_prune_ns = now;
	}
}

void ring__stop(struct session *s)
{
	if (!s->o.ring.output)
		return;
	/* Every event is in: what waited for its window's end goes now, cut at the end. */
	for (size_t i = 0; i < s->npending; i++) {
		if (s->pending[i].to > s->end_ts)
			s->pending[i].to = s->end_ts;
		pending__issue(s, &s->pending[i], false);
	}
	s->npending = 0;
	if (s->o.ring.rotate_bytes) {
		rotate(s, s->end_ts);
		return;
	}
	struct pending_dump p = {
		.from = s->o.ring.duration_ns ? sub_sat(s->end_ts, s->o.ring.duration_ns) : 0,
		.to = s->end_ts,
		.reason = "exit",
	};
	pending__issue(s, &p, false);
}

size_t session__dumps_done(struct session *s, struct session_dump *out, size_t n)
{
	struct sink_dump_done d[16];
	size_t got = 0;

	if (!s->sink || !s->o.ring.output)
		return 0;
	while (got < n) {
		size_t want = n - got < 16 ? n - got : 16;
		size_t k = sink__dumps_done(s->sink, d, want);
		for (size_t i = 0; i < k; i++, got++) {
			struct session_dump *o = &out[got];
			_Static_assert(sizeof(o->path) == sizeof(d[i].path), "dump path sizes");
			memcpy(o->path, d[i].path, sizeof(o->path));
			o->reason = d[i].reason;
			o->from = d[i].res.from;
			o->to = d[i].res.to;
			o->events = d[i].res.events;
			o->bytes = d[i].res.bytes;
			o->err = d[i].err;
		}
		if (k < want)
			break;
	}
	return got;
}
