// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chains.h"
#include "model.h"

const char *chain_end_text(uint8_t end)
{
	switch (end) {
	case CE_DEPTH: return "depth limit reached";
	case CE_IRQ: return "woken from an interrupt";
	case CE_NO_WAKER: return "woken by the idle task or an untraced thread";
	case CE_WAKER_RUNNING: return "the waker had not blocked since the trace began";
	case CE_WAKER_UNKNOWN: return "broken: events were lost, what the waker did before is unknown";
	case CE_BEFORE_TRACE: return "the waker was blocked since before the trace began";
	}
	return "open";
}

static struct chain_hop hop__from(const struct interval *iv)
{
	struct chain_hop h = {
		.thread = iv->t->index, .tid = iv->t->tid, .pid = iv->t->pid,
		.start = iv->start, .end = iv->end, .state = iv->state,
		.off_state = iv->off_state, .kstack = iv->kstack, .ustack = iv->ustack,
	};

	memcpy(h.comm, iv->t->comm, sizeof(h.comm));
	h.waker = (struct chain_waker){
		.thread = iv->waker.thread == MODEL_NO_THREAD ? NO_THREAD_INDEX : iv->waker.thread,
		.tid = iv->waker.tid, .pid = iv->waker.pid, .ctx = iv->waker.ctx,
		.kstack = iv->waker.kstack, .ustack = iv->waker.ustack,
	};
	memcpy(h.waker.comm, iv->waker.comm, sizeof(h.waker.comm));
	return h;
}

/* Pass 1: the selected threads' blocked intervals that a wakeup ended (those of the batch). */
struct first_pass {
	struct filter *f;
	struct chain_set *out;
	size_t seen, skip, limit;
	int err;
};

static void first__interval(void *ctx, const struct interval *iv)
{
	struct first_pass *p = ctx;
	uint64_t start, end;

	if (!iv->woken || !filter__interval(p->f, iv, &start, &end) || iv->end > p->f->end)
		return;
	if (p->seen++ < p->skip || p->seen > p->skip + p->limit)
		return; /* another batch's */
	struct chain_set *s = p->out;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct chain *c = realloc(s->c, cap * sizeof(*c));
		if (!c) {
			p->err = -ENOMEM;
			return;
		}
		s->c = c;
		s->cap = cap;
	}
	struct chain *c = &s->c[s->n];
	memset(c, 0, sizeof(*c));
	c->hop = malloc(s->depth * sizeof(*c->hop));
	if (!c->hop) {
		p->err = -ENOMEM;
		return;
	}
	s->n++;
	c->hop[0] = hop__from(iv);
	c->n = 1;
}

/*
 * Later passes: for each open chain, the last off-CPU interval of its last
 * waker that ended at or before the wakeup (a query). Intervals come in time
 * order per thread, so each thread's queries, sorted by time, are answered
 * as its intervals stream by, keeping one interval per thread.
 */
struct query {
	uint32_t thread; /* the waker */
	uint64_t t;	 /* the wakeup it did */
	size_t chain;
};

struct waker_state {
	size_t first, n, done; /* its queries in the sorted array */
	struct chain_hop last;
	bool has_last, last_woken;
};

struct next_pass {
	struct chain_set *s;
	struct query *q;
	struct waker_state *by_thread; /* indexed by thread */
	uint32_t nthreads;
};

static int query__cmp(const void *a, const void *b)
{
	const struct query *x = a, *y = b;

	if (x->thread != y->thread)
		return x->thread < y->thread ? -1 : 1;
	return x->t < y->t ? -1 : x->t > y->t;
}

/* Extend (or end) chain @c with its waker's last off-CPU interval before the wakeup, @w's. */
static void query__answer(struct chain_set *s, struct chain *c, const struct waker_state *w)
{
	if (!w->has_last)
		c->end = CE_WAKER_RUNNING;
	else if (w->last.state == TS_UNKNOWN)
		c->end = w->last.start == s->start ? CE_BEFORE_TRACE : CE_WAKER_UNKNOWN;
	else if (!w->last_woken)
		c->end = CE_WAKER_UNKNOWN;
	else
		c->hop[c->n++] = w->last;
}

static void waker__answer_before(struct next_pass *p, struct waker_state *w, uint64_t end, bool all)
{
	while (w->done < w->n && (all || p->q[w->first + w->done].t < end)) {
		query__answer(p->s, &p->s->c[p->q[w->first + w->done].chain], w);
		w->done++;
	}
}

static void next__interval(void *ctx, const struct interval *iv)
{
	struct next_pass *p = ctx;
	uint32_t i = iv->t->index;

	if (i >= p->nthreads || !p->by_thread[i].n)
		return;
	struct waker_state *w = &p->by_thread[i];
	/* Wakeups before this interval ended are answered by the one before it. */
	waker__answer_before(p, w, iv->end, false);
	if (iv->state != TS_SLEEPING && iv->state != TS_BLOCKED && iv->state != TS_UNKNOWN)
		return;
	w->last = hop__from(iv);
	w->has_last = true;
	w->last_woken = iv->woken;
}

/* Decide how chains whose last hop cannot be followed end; count the ones to follow. */
static size_t chains__close_ends(struct chain_set *s, unsigned int depth)
{
	size_t open = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct chain *c = &s->c[i];
		if (c->end != CE_OPEN)
			continue;
		const struct chain_hop *last = &c->hop[c->n - 1];
		if (last->waker.ctx != ST_CTX_TASK)
			c->end = CE_IRQ;
		else if (last->waker.thread == NO_THREAD_INDEX)
			c->end = CE_NO_WAKER;
		else if (c->n >= depth)
			c->end = CE_DEPTH;
		else
			open++;
	}
	return open;
}

static int run_pass(struct st_reader *r, interval_fn fn, void *ctx, struct model **keep)
{
	struct model *m;
	int err = model__new(r, fn, ctx, &m);

	if (!err)
		err = model__run(m, r);
	if (err || !keep)
		model__free(m);
	else
		*keep = m;
	return err;
}

/* The chains of the woken intervals skip .. skip + limit - 1; *more if there are others after. */
static int chains__find_range(struct st_reader *r, struct filter *f, unsigned int depth,
			      size_t skip, size_t limit, struct chain_set *out, bool *more)
{
	struct first_pass fp = { .f = f, .out = out, .skip = skip, .limit = limit };
	struct model *m = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (depth < 1)
		depth = 1;
	if (depth > CHAIN_MAX_DEPTH)
		depth = CHAIN_MAX_DEPTH;
	out->depth = depth;
	if (!f->states)
		f->states = (1u << TS_SLEEPING) | (1u << TS_BLOCKED);
	/* The window is resolved against the trace, which needs a model. */
	err = model__new(r, first__interval, &fp, &m);
	if (err)
		return err;
	filter__resolve(f, model__start(m), model__end(m));
	out->start = model__start(m);
	err = model__run(m, r);
	uint32_t nthreads = model__nthreads(m);
	model__free(m);
	if (err || fp.err)
		return err ? err : fp.err;
	*more = fp.seen > skip + limit;

	size_t open;
	while ((open = chains__close_ends(out, depth))) {
		struct next_pass np = { .s = out, .nthreads = nthreads };
		np.q = malloc(open * sizeof(*np.q));
		np.by_thread = calloc(nthreads ? nthreads : 1, sizeof(*np.by_thread));
		if (!np.q || !np.by_thread) {
			free(np.q);
			free(np.by_thread);
			return -ENOMEM;
		}
		size_t nq = 0;
		for (size_t i = 0; i < out->n; i++) {
			struct chain *c = &out->c[i];
			if (c->end != CE_OPEN)
				continue;
			const struct chain_hop *last = &c->hop[c->n - 1];
			if (last->waker.thread >= nthreads) {
				c->end = CE_NO_WAKER;
				continue;
			}
			np.q[nq++] = (struct query){ last->waker.thread, last->end, i };
		}
		if (nq > 1)
			qsort(np.q, nq, sizeof(*np.q), query__cmp);
		for (size_t k = 0; k < nq; k++) {
			struct waker_state *w = &np.by_thread[np.q[k].thread];
			if (!w->n)
				w->first = k;
			w->n++;
		}
		err = run_pass(r, next__interval, &np, NULL);
		/* Wakeups after the waker's last interval: answered by that one. */
		for (uint32_t t = 0; !err && t < nthreads; t++)
			waker__answer_before(&np, &np.by_thread[t], 0, true);
		free(np.q);
		free(np.by_thread);
		if (err)
			return err;
	}
	return 0;
}

int chains__find(struct st_reader *r, struct filter *f, unsigned int depth, struct chain_set *out)
{
	bool more;

	return chains__find_range(r, f, depth, 0, SIZE_MAX / 2, out, &more);
}

int chains__each_batch(struct st_reader *r, struct filter *f, unsigned int depth, size_t batch,
		       chain_batch_fn fn, void *ctx)
{
	bool more = true;
	int err = 0;

	if (!batch) {
		unsigned int d = depth < 1 ? 1 : depth > CHAIN_MAX_DEPTH ? CHAIN_MAX_DEPTH : depth;
		batch = CHAIN_BATCH_BYTES / (sizeof(struct chain) + d * sizeof(struct chain_hop));
	}
	for (size_t skip = 0; more && !err; skip += batch) {
		struct chain_set s;
		err = chains__find_range(r, f, depth, skip, batch, &s, &more);
		if (!err && (s.n || skip == 0))
			err = fn(ctx, &s);
		chains__free(&s);
	}
	return err;
}

void chains__free(struct chain_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->c[i].hop);
	free(s->c);
	memset(s, 0, sizeof(*s));
}
