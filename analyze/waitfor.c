// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/htab.h"
#include "model.h"
#include "waitfor.h"

struct wait {
	uint64_t start, end;
};

struct cpu_waits {
	struct wait *w;
	uint64_t *max_end; /* max_end[i]: latest end among w[0..i] (waits may overlap) */
	size_t n, cap;
};

struct ctx {
	struct filter *f;
	struct waitfor_result *out;
	struct cpu_waits *cpus;
	uint32_t ncpus;
	/* Pass 2: held time not yet given a switch-out stack, by thread index. */
	uint64_t *pending;
	uint32_t npending;
	struct htab holders; /* (thread, kstack, ustack, off_state) -> index in out->h */
	size_t holders_cap;
	int err;
};

static void waits__add(struct ctx *c, const struct interval *iv)
{
	uint64_t start, end;

	if (iv->state != TS_RUNNABLE || !filter__interval(c->f, iv, &start, &end) || end == start)
		return;
	if (iv->cpu >= c->ncpus) {
		uint32_t n = iv->cpu + 1;
		struct cpu_waits *cw = realloc(c->cpus, n * sizeof(*cw));
		if (!cw) {
			c->err = -ENOMEM;
			return;
		}
		memset(cw + c->ncpus, 0, (n - c->ncpus) * sizeof(*cw));
		c->cpus = cw;
		c->ncpus = n;
	}
	struct cpu_waits *cw = &c->cpus[iv->cpu];
	if (cw->n == cw->cap) {
		size_t cap = cw->cap ? cw->cap * 2 : 256;
		struct wait *w = realloc(cw->w, cap * sizeof(*w));
		if (!w) {
			c->err = -ENOMEM;
			return;
		}
		cw->w = w;
		cw->cap = cap;
	}
	cw->w[cw->n++] = (struct wait){ start, end };
	c->out->waited_ns += end - start;
	c->out->waits++;
	if (iv->split) {
		uint64_t lat, q;
		interval__split(iv, start, end, &lat, &q);
		c->out->wakeup_latency_ns += lat;
		c->out->queue_wait_ns += q;
		c->out->split_ns += end - start;
	}
}

static int wait__cmp(const void *a, const void *b)
{
	const struct wait *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static int waits__index(struct ctx *c)
{
	for (uint32_t k = 0; k < c->ncpus; k++) {
		struct cpu_waits *cw = &c->cpus[k];
		if (cw->n > 1)
			qsort(cw->w, cw->n, sizeof(*cw->w), wait__cmp);
		cw->max_end = malloc((cw->n ? cw->n : 1) * sizeof(*cw->max_end));
		if (!cw->max_end)
			return -ENOMEM;
		for (size_t i = 0; i < cw->n; i++)
			cw->max_end[i] = i && cw->max_end[i - 1] > cw->w[i].end ? cw->max_end[i - 1]
										   : cw->w[i].end;
	}
	return 0;
}

/* How much of [s, e) on @cpu some wait covers. */
static uint64_t waits__overlap(const struct ctx *c, uint32_t cpu, uint64_t s, uint64_t e)
{
	const struct cpu_waits *cw = cpu < c->ncpus ? &c->cpus[cpu] : NULL;
	uint64_t sum = 0;

	if (!cw || !cw->n)
		return 0;
	/* First wait that could end after s. */
	size_t lo = 0, hi = cw->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cw->max_end[mid] <= s)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < cw->n && cw->w[i].start < e; i++) {
		uint64_t a = cw->w[i].start > s ? cw->w[i].start : s;
		uint64_t b = cw->w[i].end < e ? cw->w[i].end : e;
		if (b > a)
			sum += b - a;
	}
	return sum;
}

struct holder_key {
	uint32_t thread, kstack, ustack;
	char off_state;
};

static void holder__add(struct ctx *c, const struct thread *t, const struct interval *next,
			uint64_t ns)
{
	struct holder_key k = { .thread = t->index };
	struct waitfor_result *out = c->out;

	if (next && (next->state == TS_SLEEPING || next->state == TS_BLOCKED ||
		     next->state == TS_RUNNABLE)) {
		k.kstack = next->kstack;
		k.ustack = next->ustack;
		k.off_state = next->off_state;
	}
	uint64_t *at = htab__find(&c->holders, &k, sizeof(k));
	if (!at) {
		if (out->n == c->holders_cap) {
			size_t cap = c->holders_cap ? c->holders_cap * 2 : 64;
			struct wait_holder *h = realloc(out->h, cap * sizeof(*h));
			if (!h) {
				c->err = -ENOMEM;
				return;
			}
			out->h = h;
			c->holders_cap = cap;
		}
		if (htab__insert(&c->holders, &k, sizeof(k), out->n)) {
			c->err = -ENOMEM;
			return;
		}
		struct wait_holder *h = &out->h[out->n];
		memset(h, 0, sizeof(*h));
		h->thread = t->index;
		h->tid = t->tid;
		h->pid = t->pid;
		memcpy(h->comm, t->comm, sizeof(h->comm));
		h->kstack = k.kstack;
		h->ustack = k.ustack;
		h->off_state = k.off_state;
		at = htab__find(&c->holders, &k, sizeof(k));
		out->n++;
	}
	out->h[*at].ns += ns;
	out->held_ns += ns;
}

static void holders__interval(void *ctx, const struct interval *iv)
{
	struct ctx *c = ctx;
	uint32_t i = iv->t->index;

	if (i >= c->npending) {
		uint32_t n = c->npending ? c->npending * 2 : 1024;
		while (n <= i)
			n *= 2;
		uint64_t *p = realloc(c->pending, n * sizeof(*p));
		if (!p) {
			c->err = -ENOMEM;
			return;
		}
		memset(p + c->npending, 0, (n - c->npending) * sizeof(*p));
		c->pending = p;
		c->npending = n;
	}
	/* Held time waits for the interval after it, which says how the thread left the CPU. */
	if (c->pending[i] && iv->state != TS_RUNNING) {
		holder__add(c, iv->t, iv, c->pending[i]);
		c->pending[i] = 0;
	}
	if (iv->state == TS_RUNNING) {
		uint64_t s = iv->start > c->f->begin ? iv->start : c->f->begin;
		uint64_t e = iv->end < c->f->end ? iv->end : c->f->end;
		if (e > s)
			c->pending[i] += waits__overlap(c, iv->cpu, s, e);
	}
}

static int holder__cmp(const void *a, const void *b)
{
	const struct wait_holder *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void waits_pass(void *ctx, const struct interval *iv)
{
	waits__add(ctx, iv);
}

int waitfor__run(struct st_reader *r, struct filter *f, struct waitfor_result *out)
{
	struct ctx c = { .f = f, .out = out };
	struct model *m = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	f->states = 1u << TS_RUNNABLE;
	err = model__new(r, waits_pass, &c, &m);
	if (!err) {
		filter__resolve(f, model__start(m), model__end(m));
		err = model__run(m, r);
	}
	model__free(m);
	m = NULL;
	if (!err)
		err = c.err ? c.err : waits__index(&c);
	/* Pass 2 sees every thread, followed or not: any of them may hold the CPU. */
	if (!err)
		err = model__new(r, holders__interval, &c, &m);
	if (!err)
		err = model__run(m, r);
	if (!err && !c.err) {
		for (uint32_t i = 0; i < c.npending && i < model__nthreads(m); i++)
			if (c.pending[i])
				holder__add(&c, model__thread(m, i), NULL, c.pending[i]);
	}
	if (!err)
		err = c.err;
	if (!err && out->n > 1)
		qsort(out->h, out->n, sizeof(*out->h), holder__cmp);
	model__free(m);
	for (uint32_t k = 0; k < c.ncpus; k++) {
		free(c.cpus[k].w);
		free(c.cpus[k].max_end);
	}
	free(c.cpus);
	free(c.pending);
	htab__free(&c.holders);
	return err;
}

void waitfor__free(struct waitfor_result *w)
{
	free(w->h);
	memset(w, 0, sizeof(*w));
}
