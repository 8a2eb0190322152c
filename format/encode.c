// SPDX-License-Identifier: MIT
/* Encoding records into a chunk's raw payload (FORMAT.md, "Records"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "decode.h"
#include "tape.h"

/* Longest possible record body: a full stack of user frames. */
#define BODY_MAX (16 + ST_MAX_FRAMES * 20 + 2 * ST_MAX_STR + 128)

struct body {
	uint8_t b[BODY_MAX];
	size_t n;
	int err;
};

/* Not zeroed: BODY_MAX is kilobytes, and clearing it per event was most of the recorder's time. */
static inline struct body body__empty(void)
{
	struct body b;

	b.n = 0;
	b.err = 0;
	return b;
}

int st_buf__reserve(struct st_buf *b, size_t extra)
{
	if (b->err)
		return b->err;
	if (b->cap - b->len >= extra)
		return 0;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap - b->len < extra)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d)
		return b->err = -ENOMEM;
	b->data = d;
	b->cap = cap;
	return 0;
}

static void body__u8(struct body *b, uint8_t v)
{
	if (b->n >= BODY_MAX) {
		b->err = -EINVAL;
		return;
	}
	b->b[b->n++] = v;
}

static void body__uvar(struct body *b, uint64_t v)
{
	do {
		uint8_t byte = v & 0x7f;
		v >>= 7;
		body__u8(b, byte | (v ? 0x80 : 0));
	} while (v);
}

static void body__svar(struct body *b, int64_t v)
{
	body__uvar(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static void body__bytes(struct body *b, const void *p, size_t n)
{
	if (n > BODY_MAX - b->n) {
		b->err = -EINVAL;
		return;
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void body__str(struct body *b, const char *s, size_t cap)
{
	size_t n = s ? strlen(s) : 0;

	if (n > cap) {
		b->err = -EINVAL;
		return;
	}
	body__uvar(b, n);
	body__bytes(b, s, n);
}

static void body__strn(struct body *b, const char *s, size_t n, size_t cap)
{
	if (n > cap || (n && memchr(s, 0, n))) {
		b->err = -EINVAL;
		return;
	}
	body__uvar(b, n);
	body__bytes(b, s, n);
}

static int chunk__append(struct st_chunk *c, uint8_t type, const struct body *b)
{
	if (b->err)
		return b->err;
	int err = st_buf__reserve(&c->buf, 1 + 10 + b->n);
	if (err)
		return err;
	uint8_t *p = c->buf.data + c->buf.len;
	size_t n = 0;
	uint64_t len = b->n;

	p[n++] = type;
	do {
		uint8_t byte = len & 0x7f;
		len >>= 7;
		p[n++] = byte | (len ? 0x80 : 0);
	} while (len);
	memcpy(p + n, b->b, b->n);
	c->buf.len += n + b->n;
	c->count++;
	return 0;
}

void st_chunk__init(struct st_chunk *c, uint16_t type, uint32_t cpu)
{
	memset(c, 0, sizeof(*c));
	c->type = type;
	c->cpu = cpu;
}

void st_chunk__reset(struct st_chunk *c)
{
	c->count = 0;
	c->first_ts = c->last_ts = 0;
	c->clamped = 0;
	c->buf.len = 0;
	c->buf.err = 0;
	c->has_cur = false;
}

void st_chunk__free(struct st_chunk *c)
{
	free(c->buf.data);
	memset(c, 0, sizeof(*c));
}

static void comm__put(struct body *b, const char *comm)
{
	body__strn(b, comm, strnlen(comm, ST_COMM_LEN - 1), ST_COMM_LEN - 1);
}

/* A varint at @p, unchecked: the compact records have room for all their fields (ST_COMPACT_MAX). */
static inline uint8_t *uvar__put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* SWITCH_C (FORMAT.md): what can be inferred is left out and flagged. */
static uint8_t *switch_c__put(uint8_t *p, const struct st_chunk *c, const struct st_event *e)
{
	bool prev_cur = c->has_cur && e->sw.prev_tid == c->cur_tid && e->sw.prev_pid == c->cur_pid;
	uint8_t flags = (prev_cur ? ST_SWC_PREV_CURRENT : 0) |
			(e->sw.next_pid == e->sw.next_tid ? ST_SWC_NEXT_PID_IS_TID : 0) |
			(e->sw.prev_prio == ST_DEFAULT_PRIO ? ST_SWC_PREV_PRIO_DEFAULT : 0) |
			(e->sw.next_prio == ST_DEFAULT_PRIO ? ST_SWC_NEXT_PRIO_DEFAULT : 0) |
			(e->sw.kstack ? ST_SWC_KSTACK : 0) | (e->sw.ustack ? ST_SWC_USTACK : 0) |
			(!prev_cur && e->sw.prev_pid == e->sw.prev_tid ? ST_SWC_PREV_PID_IS_TID : 0) |
			(e->sw.has_queued || e->sw.prev_excluded || e->sw.has_charged ? ST_SWC_EXT : 0);

	*p++ = flags;
	*p++ = (uint8_t)e->sw.prev_state;
	if (!prev_cur) {
		p = uvar__put(p, e->sw.prev_tid);
		if (!(flags & ST_SWC_PREV_PID_IS_TID))
			p = uvar__put(p, e->sw.prev_pid);
	}
	p = uvar__put(p, e->sw.next_tid);
	if (!(flags & ST_SWC_NEXT_PID_IS_TID))
		p = uvar__put(p, e->sw.next_pid);
	if (!(flags & ST_SWC_PREV_PRIO_DEFAULT))
		*p++ = e->sw.prev_prio;
	if (!(flags & ST_SWC_NEXT_PRIO_DEFAULT))
		*p++ = e->sw.next_prio;
	if (e->sw.kstack)
		p = uvar__put(p, e->sw.kstack);
	if (e->sw.ustack)
		p = uvar__put(p, e->sw.ustack);
	if (flags & ST_SWC_EXT) {
		*p++ = (uint8_t)((e->sw.has_queued ? ST_SWX_QUEUED : 0) |
				 (e->sw.prev_excluded ? ST_SWX_EXCLUDED : 0) |
				 (e->sw.has_charged ? ST_SWX_CHARGED : 0));
		if (e->sw.has_queued)
			p = uvar__put(p, e->sw.next_queued);
		if (e->sw.prev_excluded)
			p = uvar__put(p, e->sw.prev_excluded);
		if (e->sw.has_charged)
			p = uvar__put(p, e->sw.prev_charged);
	}
	return p;
}

/* WAKING_C (FORMAT.md). */
static uint8_t *waking_c__put(uint8_t *p, const struct st_chunk *c, const struct st_event *e)
{
	bool waker_cur =
		c->has_cur && e->wake.waker_tid == c->cur_tid && e->wake.waker_pid == c->cur_pid;
	uint8_t flags = (waker_cur ? ST_WKC_WAKER_CURRENT : 0) |
			(e->wake.wakee_pid == e->wake.wakee_tid ? ST_WKC_WAKEE_PID_IS_TID : 0) |
			(e->wake.target_cpu == c->cpu ? ST_WKC_TARGET_THIS_CPU : 0) |
			(e->wake.ctx ? ST_WKC_CTX : 0) | (e->wake.kstack ? ST_WKC_KSTACK : 0) |
			(e->wake.ustack ? ST_WKC_USTACK : 0) |
			(!waker_cur && e->wake.waker_pid == e->wake.waker_tid ? ST_WKC_WAKER_PID_IS_TID
									      : 0);

	*p++ = flags;
	if (!waker_cur) {
		p = uvar__put(p, e->wake.waker_tid);
		if (!(flags & ST_WKC_WAKER_PID_IS_TID))
			p = uvar__put(p, e->wake.waker_pid);
	}
	p = uvar__put(p, e->wake.wakee_tid);
	if (!(flags & ST_WKC_WAKEE_PID_IS_TID))
		p = uvar__put(p, e->wake.wakee_pid);
	if (!(flags & ST_WKC_TARGET_THIS_CPU))
		p = uvar__put(p, e->wake.target_cpu);
	if (e->wake.ctx)
		*p++ = e->wake.ctx;
	if (e->wake.kstack)
		p = uvar__put(p, e->wake.kstack);
	if (e->wake.ustack)
		p = uvar__put(p, e->wake.ustack);
	return p;
}

/*
 * SWITCH_C or WAKING_C straight into the chunk: the type, a one-byte length
 * (bodies are at most ST_COMPACT_MAX) patched in after the body.
 */
static int compact__add(struct st_chunk *c, const struct st_event *e, uint64_t delta)
{
	int err = st_buf__reserve(&c->buf, 2 + ST_COMPACT_MAX);

	if (err)
		return err;
	uint8_t *rec = c->buf.data + c->buf.len, *p = rec + 2;
	p = uvar__put(p, delta);
	if (e->type == ST_REC_SWITCH) {
		rec[0] = ST_REC_SWITCH_C;
		p = switch_c__put(p, c, e);
		c->cur_tid = e->sw.next_tid;
		c->cur_pid = e->sw.next_pid;
		c->has_cur = true;
	} else {
		rec[0] = ST_REC_WAKING_C;
		p = waking_c__put(p, c, e);
	}
	rec[1] = (uint8_t)(p - rec - 2);
	c->buf.len += (size_t)(p - rec);
	c->count++;
	return 0;
}

int st_chunk__add_event(struct st_chunk *c, const struct st_event *e)
{
	struct body b = body__empty();
	uint64_t ts = e->ts;

	if (c->count == 0) {
		c->first_ts = c->last_ts = ts;
	} else if (ts < c->last_ts) {
		/* Deltas are unsigned: keep the stream monotonic and count it. */
		ts = c->last_ts;
		c->clamped++;
	}
	if (!c->legacy_sched && (e->type == ST_REC_SWITCH || e->type == ST_REC_WAKING)) {
		int err = compact__add(c, e, ts - c->last_ts);
		if (!err)
			c->last_ts = ts;
		return err;
	}
	body__uvar(&b, ts - c->last_ts);

	uint8_t type = e->type;
	switch (type) {
	case ST_REC_SWITCH:
		body__uvar(&b, e->sw.prev_tid);
		body__uvar(&b, e->sw.prev_pid);
		body__uvar(&b, e->sw.next_tid);
		body__uvar(&b, e->sw.next_pid);
		body__u8(&b, (uint8_t)e->sw.prev_state);
		body__u8(&b, e->sw.prev_prio);
		body__u8(&b, e->sw.next_prio);
		body__uvar(&b, e->sw.kstack);
		body__uvar(&b, e->sw.ustack);
		break;
	case ST_REC_WAKING:
	case ST_REC_WAKEUP_NEW:
		body__uvar(&b, e->wake.waker_tid);
		body__uvar(&b, e->wake.waker_pid);
		body__uvar(&b, e->wake.wakee_tid);
		body__uvar(&b, e->wake.wakee_pid);
		body__uvar(&b, e->wake.target_cpu);
		body__u8(&b, e->wake.ctx);
		body__uvar(&b, e->wake.kstack);
		body__uvar(&b, e->wake.ustack);
		break;
	case ST_REC_FORK:
		body__uvar(&b, e->fork.parent_tid);
		body__uvar(&b, e->fork.parent_pid);
		body__uvar(&b, e->fork.child_tid);
		body__uvar(&b, e->fork.child_pid);
		break;
	case ST_REC_EXEC:
	case ST_REC_EXIT:
	case ST_REC_RENAME:
		body__uvar(&b, e->task.tid);
		body__uvar(&b, e->task.pid);
		comm__put(&b, e->task.comm);
		if (e->type == ST_REC_EXEC)
			body__strn(&b, e->task.filename, e->task.filename_len, ST_MAX_STR);
		break;
	case ST_REC_LOSS:
		if (e->loss.end_ts < ts)
			return -EINVAL;
		body__uvar(&b, e->loss.end_ts - ts);
		body__uvar(&b, e->loss.count);
		body__u8(&b, e->loss.cause);
		break;
	default:
		return -EINVAL;
	}
	int err = chunk__append(c, type, &b);
	if (!err) {
		c->last_ts = ts;
		if (e->type == ST_REC_SWITCH) {
			c->cur_tid = e->sw.next_tid;
			c->cur_pid = e->sw.next_pid;
			c->has_cur = true;
		}
	}
	return err;
}

int st_chunk__add_stack(struct st_chunk *c, const struct st_stack *s)
{
	struct body b = body__empty();
	uint64_t prev = 0;

	if (s->nframes > ST_MAX_FRAMES || s->id == ST_STACK_NONE || s->id == ST_STACK_LOST)
		return -EINVAL;
	body__uvar(&b, s->id);
	body__u8(&b, s->kind);
	body__u8(&b, s->flags);
	body__uvar(&b, s->nframes);
	for (unsigned int i = 0; i < s->nframes; i++) {
		const struct st_frame *f = &s->frames[i];
		if (s->kind == ST_STACK_KERNEL) {
			/* Kernel text is compact: neighbouring frames differ little. */
			body__svar(&b, (int64_t)(f->addr - prev));
			prev = f->addr;
		} else {
			body__uvar(&b, f->map);
			body__uvar(&b, f->addr);
		}
	}
	return chunk__append(c, ST_REC_STACK, &b);
}

int st_chunk__add_task(struct st_chunk *c, const struct st_task *t)
{
	struct body b = body__empty();

	body__uvar(&b, t->ts);
	body__uvar(&b, t->tid);
	body__uvar(&b, t->pid);
	body__uvar(&b, t->ppid);
	body__uvar(&b, t->flags);
	comm__put(&b, t->comm);
	body__str(&b, t->cmdline, ST_MAX_STR);
	body__uvar(&b, t->cgroup);
	return chunk__append(c, ST_REC_TASK, &b);
}

int st_chunk__add_cgroup(struct st_chunk *c, const struct st_cgroup *g)
{
	struct body b = body__empty();

	if (!g->id)
		return -EINVAL;
	body__uvar(&b, g->id);
	body__uvar(&b, g->level);
	body__str(&b, g->path, ST_MAX_STR);
	return chunk__append(c, ST_REC_CGROUP, &b);
}

int st_chunk__add_map(struct st_chunk *c, const struct st_map *m)
{
	struct body b = body__empty();

	if (m->end < m->start || m->build_id_len > ST_MAX_BUILD_ID || m->id == 0)
		return -EINVAL;
	body__uvar(&b, m->id);
	body__uvar(&b, m->pid);
	body__uvar(&b, m->start);
	body__uvar(&b, m->end - m->start);
	body__uvar(&b, m->pgoff);
	body__uvar(&b, m->build_id_len);
	body__bytes(&b, m->build_id, m->build_id_len);
	body__str(&b, m->path, ST_MAX_STR);
	return chunk__append(c, ST_REC_MAP, &b);
}

int st_chunk__add_sym(struct st_chunk *c, const struct st_sym *s)
{
	struct body b = body__empty();
	uint8_t type = c->type == ST_CHUNK_USYMS ? ST_REC_USYM : ST_REC_KSYM;

	if (type == ST_REC_USYM)
		body__uvar(&b, s->map);
	body__uvar(&b, s->addr);
	body__uvar(&b, s->size);
	body__str(&b, s->name, ST_MAX_STR);
	return chunk__append(c, type, &b);
}

int st_chunk__add_kv(struct st_chunk *c, const char *key, const char *value)
{
	struct body b = body__empty();

	body__str(&b, key, ST_MAX_STR);
	body__str(&b, value, ST_MAX_STR);
	return chunk__append(c, ST_REC_KV, &b);
}

int st_chunk__add_stat(struct st_chunk *c, const char *key, uint64_t value)
{
	struct body b = body__empty();

	body__str(&b, key, ST_MAX_STR);
	body__uvar(&b, value);
	return chunk__append(c, ST_REC_STAT, &b);
}

int st_chunk__add_index(struct st_chunk *c, const struct st_chunk_info *e)
{
	struct body b = body__empty();

	if (e->last_ts < e->first_ts)
		return -EINVAL;
	body__uvar(&b, e->offset);
	body__uvar(&b, e->type);
	body__uvar(&b, e->cpu);
	body__uvar(&b, e->seq);
	body__uvar(&b, e->first_ts);
	body__uvar(&b, e->last_ts - e->first_ts);
	body__uvar(&b, e->count);
	body__uvar(&b, e->stored_size);
	body__uvar(&b, e->raw_size);
	return chunk__append(c, ST_REC_INDEX, &b);
}
