// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "base/grow.h"
#include "lanes.h"

void lane__init(struct lane *l, uint64_t merge_ns)
{
	memset(l, 0, sizeof(*l));
	l->merge_ns = merge_ns ? merge_ns : 1;
}

static void push(struct lane *l, const struct band *b)
{
	if (grow(&l->b, &l->cap, l->n + 1, sizeof(*l->b))) {
		l->err = -ENOMEM;
		return;
	}
	l->b[l->n++] = *b;
}

/* A merged band of one interval is that interval. */
static void flush(struct lane *l)
{
	struct band *o = &l->open;

	if (!o->n)
		return;
	if (o->n == 1)
		o->who = o->longest_who;
	push(l, o);
	memset(o, 0, sizeof(*o));
}

void lane__add(struct lane *l, uint64_t start, uint64_t end, uint8_t state, int64_t who)
{
	struct band *o = &l->open;

	if (end < start || state >= TS_NSTATES)
		return;
	uint64_t d = end - start;
	/* A gap longer than a band shows as a gap. */
	if (o->n && start > o->end && start - o->end >= l->merge_ns)
		flush(l);
	if (d >= l->merge_ns) {
		flush(l);
		push(l, &(struct band){ .start = start, .end = end, .n = 1, .state = state, .who = who });
		return;
	}
	if (!o->n) {
		o->start = start;
		o->who = LANE_NOBODY;
	}
	/* The longest interval names the band (its state and who) where one word must. */
	if (!o->n || d > o->longest) {
		o->longest = d;
		o->longest_who = who;
		o->state = state;
	}
	o->n++;
	o->end = end;
	o->ns[state] += d;
	if (o->end - o->start >= l->merge_ns)
		flush(l);
}

int lane__finish(struct lane *l)
{
	flush(l);
	return l->err;
}

void lane__free(struct lane *l)
{
	free(l->b);
	memset(l, 0, sizeof(*l));
}
