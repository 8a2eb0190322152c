// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/htab.h"
#include "thread_stats.h"

void stats_table__interval(void *ctx, const struct interval *iv)
{
	struct stats_table *t = ctx;
	uint64_t start, end;

	if (!filter__interval(t->f, iv, &start, &end))
		return;
	uint32_t i = iv->t->index;
	if (i >= t->cap) {
		uint32_t cap = t->cap ? t->cap : 256;
		while (cap <= i)
			cap *= 2;
		struct thread_stats *r = realloc(t->rows, cap * sizeof(*r));
		if (!r)
			return;
		memset(r + t->cap, 0, (cap - t->cap) * sizeof(*r));
		t->rows = r;
		t->cap = cap;
	}
	if (i >= t->n)
		t->n = i + 1;
	struct thread_stats *s = &t->rows[i];
	uint64_t d = end - start;
	s->seen = true;
	s->ns[iv->state] += d;
	/* Counted without branches: which kind of interval comes next is not predictable. */
	s->switches += (iv->state == TS_RUNNING) & iv->switched_out & (iv->end <= t->f->end);
	s->wakeups += iv->woken & (iv->end >= t->f->begin) & (iv->end <= t->f->end);
	uint64_t runnable = iv->state == TS_RUNNABLE ? d : 0;
	if (runnable > s->max_runnable) {
		s->max_runnable = runnable;
		s->max_runnable_at = start;
	}
	if (iv->has_queued && iv->end <= t->f->end && iv->end >= t->f->begin)
		s->run_delay += iv->queued;
	/* A running interval the window cuts keeps its share of the uncharged time. */
	if (iv->excluded && iv->end > iv->start)
		s->excluded += d == iv->end - iv->start
				       ? iv->excluded
				       : (uint64_t)((double)iv->excluded * (double)d /
						    (double)(iv->end - iv->start));
	if (iv->state == TS_RUNNING) {
		s->migrations += s->last_cpu && s->last_cpu != iv->cpu + 1;
		s->last_cpu = iv->cpu + 1;
		if (!iv->has_charged)
			s->charged_unknown += d;
		else if (d == iv->end - iv->start)
			s->charged += iv->charged;
		else
			s->charged += (uint64_t)((double)iv->charged * (double)d /
						 (double)(iv->end - iv->start));
	}
	if (runnable) {
		if (iv->split) {
			uint64_t lat, q;
			interval__split(iv, start, end, &lat, &q);
			s->wakeup_latency += lat;
			s->queue_wait += q;
		} else {
			s->unsplit += runnable;
		}
	}
}

uint32_t stats_table__finish(struct stats_table *t, const struct model *m)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < t->n; i++) {
		if (!t->rows[i].seen)
			continue;
		const struct thread *th = model__thread(m, i);
		struct thread_stats s = t->rows[i];
		s.pid = th->pid;
		s.tid = th->tid;
		s.gen = th->gen;
		s.index = i;
		s.threads = 1;
		s.anomalies = th->anomalies;
		s.cgroup = th->cgroup;
		memcpy(s.comm, th->comm, sizeof(s.comm));
		t->rows[out++] = s;
	}
	t->n = out;
	return out;
}

static uint64_t key_pid(void *ctx, const struct thread_stats *s)
{
	(void)ctx;
	return s->pid;
}

int stats_table__per_process(const struct stats_table *in, struct stats_table *out)
{
	return stats_table__group(in, key_pid, NULL, out);
}

int stats_table__group(const struct stats_table *in, stats_key_fn key, void *ctx,
		       struct stats_table *out)
{
	struct htab64 by_pid = { 0 }; /* key + 1 -> row in out */

	memset(out, 0, sizeof(*out));
	out->f = in->f;
	out->rows = calloc(in->n ? in->n : 1, sizeof(*out->rows));
	if (!out->rows)
		return -ENOMEM;
	out->cap = in->n;
	for (uint32_t i = 0; i < in->n; i++) {
		const struct thread_stats *s = &in->rows[i];
		struct thread_stats *p = NULL;
		uint64_t k = key(ctx, s) + 1;
		uint64_t *at = htab64__find(&by_pid, k ? k : 1);
		if (at)
			p = &out->rows[*at];
		if (!p) {
			if (htab64__insert(&by_pid, k ? k : 1, out->n)) {
				htab64__free(&by_pid);
				return -ENOMEM;
			}
			p = &out->rows[out->n++];
			p->pid = s->pid;
			p->tid = s->pid;
			p->cgroup = s->cgroup;
			memcpy(p->comm, s->comm, sizeof(p->comm));
			p->seen = true;
		}
		if (s->tid == s->pid)
			memcpy(p->comm, s->comm, sizeof(p->comm)); /* the process's own name */
		for (int k = 0; k < TS_NSTATES; k++)
			p->ns[k] += s->ns[k];
		p->switches += s->switches;
		p->migrations += s->migrations;
		p->wakeup_latency += s->wakeup_latency;
		p->queue_wait += s->queue_wait;
		p->unsplit += s->unsplit;
		p->run_delay += s->run_delay;
		p->excluded += s->excluded;
		p->charged += s->charged;
		p->charged_unknown += s->charged_unknown;
		p->wakeups += s->wakeups;
		p->threads += s->threads;
		p->anomalies += s->anomalies;
		if (s->max_runnable > p->max_runnable) {
			p->max_runnable = s->max_runnable;
			p->max_runnable_at = s->max_runnable_at;
		}
	}
	htab64__free(&by_pid);
	return 0;
}

int stats_key__parse(const char *name)
{
	static const char *const keys[SK_NKEYS] = {
		"pid",	   "tid",     "comm",	  "run",      "runnable",    "sleep",
		"block",   "unknown", "switches", "wakeups", "max_runnable", "wakeup_latency",
		"queue_wait", "migrations",
	};
	for (int k = 0; k < SK_NKEYS; k++)
		if (!strcmp(name, keys[k]))
			return k;
	return -1;
}

static uint64_t key_value(const struct thread_stats *s, int key)
{
	switch (key) {
	case SK_PID: return s->pid;
	case SK_TID: return s->tid;
	case SK_RUN: return s->ns[TS_RUNNING];
	case SK_RUNNABLE: return s->ns[TS_RUNNABLE];
	case SK_SLEEP: return s->ns[TS_SLEEPING];
	case SK_BLOCK: return s->ns[TS_BLOCKED];
	case SK_UNKNOWN: return s->ns[TS_UNKNOWN];
	case SK_SWITCHES: return s->switches;
	case SK_WAKEUPS: return s->wakeups;
	case SK_MAX_RUNNABLE: return s->max_runnable;
	case SK_WAKEUP_LATENCY: return s->wakeup_latency;
	case SK_QUEUE_WAIT: return s->queue_wait;
	case SK_MIGRATIONS: return s->migrations;
	}
	return 0;
}

static int sort_key;

static int row__cmp(const void *a, const void *b)
{
	const struct thread_stats *x = a, *y = b;

	if (sort_key == SK_COMM) {
		int c = strcmp(x->comm, y->comm);
		if (c)
			return c;
	} else {
		uint64_t vx = key_value(x, sort_key), vy = key_value(y, sort_key);
		bool ascending = sort_key == SK_PID || sort_key == SK_TID;
		if (vx != vy)
			return (vx < vy) == ascending ? -1 : 1;
	}
	/* Ties: by tid, then generation, so output is stable. */
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->gen < y->gen ? -1 : x->gen > y->gen;
}

void stats_table__sort(struct stats_table *t, int key)
{
	sort_key = key;
	if (t->n > 1)
		qsort(t->rows, t->n, sizeof(*t->rows), row__cmp);
}

void stats_table__free(struct stats_table *t)
{
	free(t->rows);
	t->rows = NULL;
	t->n = t->cap = 0;
}
