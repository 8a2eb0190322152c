// SPDX-License-Identifier: MIT
/* Decoding record bodies through a bounded cursor (FORMAT.md, "Records"). */
#include <string.h>

#include "bytes.h"
#include "decode.h"

#define TRY(x)                                                                                     \
	do {                                                                                       \
		if ((x) < 0)                                                                       \
			return -ST_ERECORD;                                                        \
	} while (0)

int st_rec_iter__next(struct st_rec_iter *it, uint8_t *type, const uint8_t **body,
		      size_t *body_len)
{
	struct cursor c = { it->p, it->left };
	uint64_t len;

	if (it->left == 0)
		return 0;
	TRY(cursor__u8(&c, type));
	TRY(cursor__uvar(&c, &len));
	if (len > c.left)
		return -ST_ERECORD;
	*body = c.p;
	*body_len = (size_t)len;
	it->p = c.p + len;
	it->left = c.left - (size_t)len;
	return 1;
}

static int comm__get(struct cursor *c, char comm[ST_COMM_LEN])
{
	const char *s;
	uint32_t n;

	TRY(cursor__str(c, ST_COMM_LEN - 1, &s, &n));
	memcpy(comm, s, n);
	memset(comm + n, 0, ST_COMM_LEN - n);
	return 0;
}

static int u8__get(struct cursor *c, uint8_t *v)
{
	return cursor__u8(c, v);
}

int st_decode_event(uint8_t type, const uint8_t *body, size_t len, struct st_decode_state *ds,
		    struct st_event *e)
{
	struct cursor c = { body, len };
	uint64_t delta;
	uint8_t state;

	switch (type) {
	case ST_REC_SWITCH:
	case ST_REC_WAKING:
	case ST_REC_WAKEUP_NEW:
	case ST_REC_FORK:
	case ST_REC_EXEC:
	case ST_REC_EXIT:
	case ST_REC_RENAME:
	case ST_REC_LOSS:
		break;
	case ST_REC_SWITCH_C:
	case ST_REC_WAKING_C: {
		/*
		 * One decoder for the compact forms, the iterator's: run it over a
		 * zero-padded copy of as much of the body as its fields can span.
		 */
		uint8_t pad[ST_COMPACT_MAX + ST_DECODE_SLACK] = { 0 };
		memcpy(pad, body, len < ST_COMPACT_MAX ? len : ST_COMPACT_MAX);
		memset(&e->task, 0, sizeof(e->task));
		return st_decode_event_padded(type, pad, len, ds, e);
	}
	default:
		return -ENOENT;
	}
	/* Clear what the record does not set (the union's largest member, task). */
	memset(&e->task, 0, sizeof(e->task));
	e->type = type;
	e->cpu = ds->cpu;
	TRY(cursor__uvar(&c, &delta));
	if (delta > UINT64_MAX - ds->prev_ts)
		return -ST_ERECORD;
	e->ts = ds->prev_ts + delta;

	switch (type) {
	case ST_REC_SWITCH:
		TRY(cursor__uvar32(&c, &e->sw.prev_tid));
		TRY(cursor__uvar32(&c, &e->sw.prev_pid));
		TRY(cursor__uvar32(&c, &e->sw.next_tid));
		TRY(cursor__uvar32(&c, &e->sw.next_pid));
		TRY(u8__get(&c, &state));
		e->sw.prev_state = (char)state;
		TRY(u8__get(&c, &e->sw.prev_prio));
		TRY(u8__get(&c, &e->sw.next_prio));
		TRY(cursor__uvar32(&c, &e->sw.kstack));
		TRY(cursor__uvar32(&c, &e->sw.ustack));
		e->sw.next_queued = e->sw.prev_excluded = e->sw.prev_charged = 0;
		e->sw.has_queued = e->sw.has_charged = false;
		break;
	case ST_REC_WAKING:
	case ST_REC_WAKEUP_NEW:
		TRY(cursor__uvar32(&c, &e->wake.waker_tid));
		TRY(cursor__uvar32(&c, &e->wake.waker_pid));
		TRY(cursor__uvar32(&c, &e->wake.wakee_tid));
		TRY(cursor__uvar32(&c, &e->wake.wakee_pid));
		TRY(cursor__uvar32(&c, &e->wake.target_cpu));
		TRY(u8__get(&c, &e->wake.ctx));
		TRY(cursor__uvar32(&c, &e->wake.kstack));
		TRY(cursor__uvar32(&c, &e->wake.ustack));
		if (e->wake.ctx > ST_CTX_NMI || e->wake.target_cpu >= ST_MAX_CPU)
			return -ST_ERECORD;
		break;
	case ST_REC_FORK:
		TRY(cursor__uvar32(&c, &e->fork.parent_tid));
		TRY(cursor__uvar32(&c, &e->fork.parent_pid));
		TRY(cursor__uvar32(&c, &e->fork.child_tid));
		TRY(cursor__uvar32(&c, &e->fork.child_pid));
		break;
	case ST_REC_EXEC:
	case ST_REC_EXIT:
	case ST_REC_RENAME:
		TRY(cursor__uvar32(&c, &e->task.tid));
		TRY(cursor__uvar32(&c, &e->task.pid));
		TRY(comm__get(&c, e->task.comm));
		if (type == ST_REC_EXEC)
			TRY(cursor__str(&c, ST_MAX_STR, &e->task.filename, &e->task.filename_len));
		break;
	case ST_REC_LOSS:
		TRY(cursor__uvar(&c, &delta));
		if (delta > UINT64_MAX - e->ts)
			return -ST_ERECORD;
		e->loss.end_ts = e->ts + delta;
		TRY(cursor__uvar(&c, &e->loss.count));
		TRY(u8__get(&c, &e->loss.cause));
		if (e->loss.count >= ST_MAX_LOSS)
			return -ST_ERECORD; /* more events than any recorder could have lost */
		break;
	}
	/* Newer writers may append fields to a known record: ignore the rest. */
	ds->prev_ts = e->ts;
	if (e->type == ST_REC_SWITCH) {
		ds->cur_tid = e->sw.next_tid;
		ds->cur_pid = e->sw.next_pid;
		ds->has_cur = true;
	}
	return 0;
}

/*
 * BMI2's pext squeezes a varint's 7-bit groups together in one instruction
 * (cachegrind: the shifts and masks were a tenth of states). Used where it is
 * fast: Intel and AMD Zen 3 (earlier AMD microcode it, ~250 cycles; AMD
 * models this compiler cannot name keep the shifts).
 * Inline assembly, so the rest of the file needs no -mbmi2.
 */
bool st_decode_pext;

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((constructor)) static void decode__pick(void)
{
	__builtin_cpu_init();
	st_decode_pext = __builtin_cpu_supports("bmi2") &&
			 (__builtin_cpu_is("intel") || __builtin_cpu_is("znver3"));
}

static inline uint64_t pext64(uint64_t x, uint64_t mask)
{
	uint64_t r;

	__asm__("pextq %2, %1, %0" : "=r"(r) : "r"(x), "r"(mask));
	return r;
}
#else
static inline uint64_t pext64(uint64_t x, uint64_t mask)
{
	(void)mask;
	return x; /* never called: st_decode_pext stays false */
}
#endif

/*
 * LEB128 without bounds checks: at most 10 bytes are read, which the
 * caller's slack covers. NULL for a value over 64 bits. Up to 8 bytes (56
 * bits) without a branch on the length, which is what mispredicted.
 */
static inline __attribute__((always_inline)) const uint8_t *
uvar__unchecked(const uint8_t *p, uint64_t *v, const bool pext)
{
	uint64_t w = le64_get(p), stop = ~w & 0x8080808080808080ull;

	if (__builtin_expect(stop != 0, 1)) {
		unsigned int n = ((unsigned int)__builtin_ctzll(stop) >> 3) + 1;
		uint64_t x = w & 0x7f7f7f7f7f7f7f7full;
		if (n < 8)
			x &= (1ull << (8 * n)) - 1;
		if (pext) {
			*v = pext64(x, 0x7f7f7f7f7f7f7f7full);
			return p + n;
		}
		/* Squeeze the 7-bit groups together: pairs, then quads, then all. */
		x = (x & 0x007f007f007f007full) | ((x & 0x7f007f007f007f00ull) >> 1);
		x = (x & 0x00003fff00003fffull) | ((x & 0x3fff00003fff0000ull) >> 2);
		x = (x & 0x000000000fffffffull) | ((x & 0x0fffffff00000000ull) >> 4);
		*v = x;
		return p + n;
	}
	uint64_t x = 0;
	for (unsigned int i = 0; i < 10; i++) {
		uint8_t b = p[i];
		if (i == 9 && b > 1)
			return NULL;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return p + i + 1;
		}
	}
	return NULL;
}

static inline __attribute__((always_inline)) const uint8_t *
uvar32__unchecked(const uint8_t *p, uint32_t *v, const bool pext)
{
	uint64_t x;

	p = uvar__unchecked(p, &x, pext);
	if (!p || x > UINT32_MAX)
		return NULL;
	*v = (uint32_t)x;
	return p;
}

#define UNCHECKED(p, expr)                                                                         \
	do {                                                                                       \
		if (!((p) = (expr)))                                                               \
			return -ST_ERECORD;                                                        \
	} while (0)

/* A field that may be left out: read only when @present. */
#define UNCHECKED_IF(present, p, expr)                                                             \
	do {                                                                                       \
		if (present)                                                                       \
			UNCHECKED(p, expr);                                                        \
	} while (0)

/* SWITCH_C or WAKING_C, over a padded body. */
static inline __attribute__((always_inline)) int
compact__decode(uint8_t type, const uint8_t *body, size_t len, struct st_decode_state *ds,
		struct st_event *e, const bool pext)
{
	const uint8_t *p = body;
	uint64_t delta;
	uint8_t flags;

	/* Eight varints of at most 10 bytes and three bytes fit in the slack. */
	_Static_assert(ST_DECODE_SLACK >= 10 * 10 + 5, "slack for the longest event");
	_Static_assert(ST_COMPACT_MAX >= 9 * 10 + 5, "a compact record's fields");
	UNCHECKED(p, uvar__unchecked(p, &delta, pext));
	if (delta > UINT64_MAX - ds->prev_ts)
		return -ST_ERECORD;
	e->ts = ds->prev_ts + delta;
	e->cpu = ds->cpu;
	flags = *p++;
	/* Compact records exist only where the file says so; SWITCH_C's 0x80 only with 0x2. */
	if (!(ds->incompat & ST_INCOMPAT_COMPACT_SCHED) ||
	    ((flags & 0x80) && (type != ST_REC_SWITCH_C || !(ds->incompat & ST_INCOMPAT_QUEUE))))
		return -ST_ERECORD;
	if (type == ST_REC_SWITCH_C) {
		e->type = ST_REC_SWITCH;
		e->sw.prev_state = (char)*p++;
		if (flags & ST_SWC_PREV_CURRENT) {
			if (!ds->has_cur)
				return -ST_ERECORD;
			e->sw.prev_tid = ds->cur_tid;
			e->sw.prev_pid = ds->cur_pid;
		} else {
			UNCHECKED(p, uvar32__unchecked(p, &e->sw.prev_tid, pext));
			e->sw.prev_pid = e->sw.prev_tid;
			UNCHECKED_IF(!(flags & ST_SWC_PREV_PID_IS_TID), p,
				     uvar32__unchecked(p, &e->sw.prev_pid, pext));
		}
		UNCHECKED(p, uvar32__unchecked(p, &e->sw.next_tid, pext));
		e->sw.next_pid = e->sw.next_tid;
		UNCHECKED_IF(!(flags & ST_SWC_NEXT_PID_IS_TID), p,
			     uvar32__unchecked(p, &e->sw.next_pid, pext));
		e->sw.prev_prio = flags & ST_SWC_PREV_PRIO_DEFAULT ? ST_DEFAULT_PRIO : *p++;
		e->sw.next_prio = flags & ST_SWC_NEXT_PRIO_DEFAULT ? ST_DEFAULT_PRIO : *p++;
		e->sw.kstack = e->sw.ustack = 0;
		UNCHECKED_IF(flags & ST_SWC_KSTACK, p, uvar32__unchecked(p, &e->sw.kstack, pext));
		UNCHECKED_IF(flags & ST_SWC_USTACK, p, uvar32__unchecked(p, &e->sw.ustack, pext));
		e->sw.next_queued = e->sw.prev_excluded = e->sw.prev_charged = 0;
		e->sw.has_queued = e->sw.has_charged = false;
		if (flags & ST_SWC_EXT) {
			uint8_t ext = *p++;
			if (ext & ~ST_SWX_KNOWN)
				return -ST_ERECORD;
			e->sw.has_queued = ext & ST_SWX_QUEUED;
			UNCHECKED_IF(ext & ST_SWX_QUEUED, p,
				     uvar__unchecked(p, &e->sw.next_queued, pext));
			UNCHECKED_IF(ext & ST_SWX_EXCLUDED, p,
				     uvar__unchecked(p, &e->sw.prev_excluded, pext));
			e->sw.has_charged = ext & ST_SWX_CHARGED;
			UNCHECKED_IF(ext & ST_SWX_CHARGED, p,
				     uvar__unchecked(p, &e->sw.prev_charged, pext));
		}
		if ((size_t)(p - body) > len)
			return -ST_ERECORD;
		ds->cur_tid = e->sw.next_tid;
		ds->cur_pid = e->sw.next_pid;
		ds->has_cur = true;
	} else {
		e->type = ST_REC_WAKING;
		if (flags & ST_WKC_WAKER_CURRENT) {
			if (!ds->has_cur)
				return -ST_ERECORD;
			e->wake.waker_tid = ds->cur_tid;
			e->wake.waker_pid = ds->cur_pid;
		} else {
			UNCHECKED(p, uvar32__unchecked(p, &e->wake.waker_tid, pext));
			e->wake.waker_pid = e->wake.waker_tid;
			UNCHECKED_IF(!(flags & ST_WKC_WAKER_PID_IS_TID), p,
				     uvar32__unchecked(p, &e->wake.waker_pid, pext));
		}
		UNCHECKED(p, uvar32__unchecked(p, &e->wake.wakee_tid, pext));
		e->wake.wakee_pid = e->wake.wakee_tid;
		UNCHECKED_IF(!(flags & ST_WKC_WAKEE_PID_IS_TID), p,
			     uvar32__unchecked(p, &e->wake.wakee_pid, pext));
		e->wake.target_cpu = ds->cpu;
		UNCHECKED_IF(!(flags & ST_WKC_TARGET_THIS_CPU), p,
			     uvar32__unchecked(p, &e->wake.target_cpu, pext));
		e->wake.ctx = flags & ST_WKC_CTX ? *p++ : 0;
		e->wake.kstack = e->wake.ustack = 0;
		UNCHECKED_IF(flags & ST_WKC_KSTACK, p, uvar32__unchecked(p, &e->wake.kstack, pext));
		UNCHECKED_IF(flags & ST_WKC_USTACK, p, uvar32__unchecked(p, &e->wake.ustack, pext));
		if (e->wake.ctx > ST_CTX_NMI || e->wake.target_cpu >= ST_MAX_CPU ||
		    (size_t)(p - body) > len)
			return -ST_ERECORD;
	}
	ds->prev_ts = e->ts;
	return 0;
}

static int compact__decode_pext(uint8_t type, const uint8_t *body, size_t len,
				struct st_decode_state *ds, struct st_event *e)
{
	return compact__decode(type, body, len, ds, e, true);
}

static int compact__decode_plain(uint8_t type, const uint8_t *body, size_t len,
				 struct st_decode_state *ds, struct st_event *e)
{
	return compact__decode(type, body, len, ds, e, false);
}

int st_decode_event_padded(uint8_t type, const uint8_t *body, size_t len,
			   struct st_decode_state *ds, struct st_event *e)
{
	if (type != ST_REC_SWITCH_C && type != ST_REC_WAKING_C)
		return st_decode_event(type, body, len, ds, e);
	return st_decode_pext ? compact__decode_pext(type, body, len, ds, e)
			      : compact__decode_plain(type, body, len, ds, e);
}

int st_decode_stack(const uint8_t *body, size_t len, struct st_stack *s, struct st_frame *frames)
{
	struct cursor c = { body, len };
	uint32_t n;
	uint64_t prev = 0;

	memset(s, 0, sizeof(*s));
	TRY(cursor__uvar32(&c, &s->id));
	TRY(cursor__u8(&c, &s->kind));
	TRY(cursor__u8(&c, &s->flags));
	TRY(cursor__uvar32(&c, &n));
	if (n > ST_MAX_FRAMES || s->id == ST_STACK_NONE || s->id == ST_STACK_LOST)
		return -ST_ERECORD;
	if (s->kind != ST_STACK_KERNEL && s->kind != ST_STACK_USER)
		return -ST_ERECORD;
	for (uint32_t i = 0; i < n; i++) {
		if (s->kind == ST_STACK_KERNEL) {
			int64_t d;
			TRY(cursor__svar(&c, &d));
			prev += (uint64_t)d;
			frames[i].addr = prev;
			frames[i].map = 0;
		} else {
			TRY(cursor__uvar32(&c, &frames[i].map));
			TRY(cursor__uvar(&c, &frames[i].addr));
		}
	}
	s->nframes = (uint16_t)n;
	s->frames = frames;
	return 0;
}

int st_decode_task(const uint8_t *body, size_t len, struct st_task *t, struct st_str *cmdline)
{
	struct cursor c = { body, len };

	memset(t, 0, sizeof(*t));
	TRY(cursor__uvar(&c, &t->ts));
	TRY(cursor__uvar32(&c, &t->tid));
	TRY(cursor__uvar32(&c, &t->pid));
	TRY(cursor__uvar32(&c, &t->ppid));
	TRY(cursor__uvar32(&c, &t->flags));
	TRY(comm__get(&c, t->comm));
	TRY(cursor__str(&c, ST_MAX_STR, &cmdline->s, &cmdline->len));
	/* Appended in 1.3: older files end here. */
	if (c.left)
		TRY(cursor__uvar(&c, &t->cgroup));
	return 0;
}

int st_decode_cgroup(const uint8_t *body, size_t len, struct st_cgroup *g, struct st_str *path)
{
	struct cursor c = { body, len };

	memset(g, 0, sizeof(*g));
	TRY(cursor__uvar(&c, &g->id));
	TRY(cursor__uvar32(&c, &g->level));
	TRY(cursor__str(&c, ST_MAX_STR, &path->s, &path->len));
	return g->id ? 0 : -ST_ERECORD;
}

int st_decode_map(const uint8_t *body, size_t len, struct st_map *m, struct st_str *path)
{
	struct cursor c = { body, len };
	uint64_t size;
	uint32_t bid_len;
	const uint8_t *bid;

	memset(m, 0, sizeof(*m));
	TRY(cursor__uvar32(&c, &m->id));
	TRY(cursor__uvar32(&c, &m->pid));
	TRY(cursor__uvar(&c, &m->start));
	TRY(cursor__uvar(&c, &size));
	TRY(cursor__uvar(&c, &m->pgoff));
	TRY(cursor__uvar32(&c, &bid_len));
	if (m->id == 0 || bid_len > ST_MAX_BUILD_ID || size > UINT64_MAX - m->start)
		return -ST_ERECORD;
	m->end = m->start + size;
	TRY(cursor__bytes(&c, bid_len, &bid));
	memcpy(m->build_id, bid, bid_len);
	m->build_id_len = (uint8_t)bid_len;
	TRY(cursor__str(&c, ST_MAX_STR, &path->s, &path->len));
	return 0;
}

int st_decode_sym(uint8_t type, const uint8_t *body, size_t len, struct st_sym *s,
		  struct st_str *name)
{
	struct cursor c = { body, len };

	memset(s, 0, sizeof(*s));
	if (type == ST_REC_USYM)
		TRY(cursor__uvar32(&c, &s->map));
	TRY(cursor__uvar(&c, &s->addr));
	TRY(cursor__uvar(&c, &s->size));
	if (s->size > UINT64_MAX - s->addr)
		return -ST_ERECORD;
	TRY(cursor__str(&c, ST_MAX_STR, &name->s, &name->len));
	return 0;
}

int st_decode_kv(const uint8_t *body, size_t len, struct st_str *key, struct st_str *value)
{
	struct cursor c = { body, len };

	TRY(cursor__str(&c, ST_MAX_STR, &key->s, &key->len));
	TRY(cursor__str(&c, ST_MAX_STR, &value->s, &value->len));
	return 0;
}

int st_decode_stat(const uint8_t *body, size_t len, struct st_str *key, uint64_t *value)
{
	struct cursor c = { body, len };

	TRY(cursor__str(&c, ST_MAX_STR, &key->s, &key->len));
	TRY(cursor__uvar(&c, value));
	return 0;
}

int st_decode_index(const uint8_t *body, size_t len, struct st_chunk_info *e)
{
	struct cursor c = { body, len };
	uint64_t type, span;

	memset(e, 0, sizeof(*e));
	TRY(cursor__uvar(&c, &e->offset));
	TRY(cursor__uvar(&c, &type));
	TRY(cursor__uvar32(&c, &e->cpu));
	TRY(cursor__uvar(&c, &e->seq));
	TRY(cursor__uvar(&c, &e->first_ts));
	TRY(cursor__uvar(&c, &span));
	TRY(cursor__uvar32(&c, &e->count));
	TRY(cursor__uvar32(&c, &e->stored_size));
	TRY(cursor__uvar32(&c, &e->raw_size));
	if (type > UINT16_MAX || span > UINT64_MAX - e->first_ts)
		return -ST_ERECORD;
	e->type = (uint16_t)type;
	e->last_ts = e->first_ts + span;
	return 0;
}
