// SPDX-License-Identifier: MIT
#include <errno.h>
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

/* Pass 1: the selected threads' blocked intervals that a wakeup ended. */
struct first_pass {
	struct filter *f;
	struct chain_set *out;
	int err;
};

static void first__interval(void *ctx, const struct interval *iv)
{
	struct first_pass *p = ctx;
	uint64_t start, end;

	if (!iv->woken || !filter__interval(p->f, iv, &start, &end) || iv->end > p->f->end)
		return;
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
	struct chain *c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	c->hop[0] = hop__from(iv);
	c->n = 1;
}

/* Later passes: every off-CPU interval of the threads asked about. */
struct history {
	struct interval_rec {
		struct chain_hop hop;
		bool woken;
	} *iv;
	size_t n, cap;
};

struct next_pass {
	struct history *by_thread; /* indexed by thread; NULL where not asked */
	uint32_t nthreads;
	int err;
};

static void next__interval(void *ctx, const struct interval *iv)
{
	struct next_pass *p = ctx;
	uint32_t i = iv->t->index;

	if (i >= p->nthreads || !p->by_thread[i].cap)
		return;
	if (iv->state != TS_SLEEPING && iv->state != TS_BLOCKED && iv->state != TS_UNKNOWN)
		return;
	struct history *h = &p->by_thread[i];
	if (h->n == h->cap) {
		size_t cap = h->cap * 2;
		struct interval_rec *r = realloc(h->iv, cap * sizeof(*r));
		if (!r) {
			p->err = -ENOMEM;
			return;
		}
		h->iv = r;
		h->cap = cap;
	}
	h->iv[h->n].hop = hop__from(iv);
	h->iv[h->n].woken = iv->woken;
	h->n++;
}

/* The last interval of @h that ended at or before @t, or NULL. */
static const struct interval_rec *history__before(const struct history *h, uint64_t t)
{
	size_t lo = 0, hi = h->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (h->iv[mid].hop.end <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &h->iv[lo - 1] : NULL;
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

int chains__find(struct st_reader *r, struct filter *f, unsigned int depth, struct chain_set *out)
{
	struct first_pass fp = { .f = f, .out = out };
	struct model *m = NULL;
	int err;

	memset(out, 0, sizeof(*out));
	if (depth < 1)
		depth = 1;
	if (depth > CHAIN_MAX_DEPTH)
		depth = CHAIN_MAX_DEPTH;
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

	while (chains__close_ends(out, depth)) {
		struct next_pass np = { .nthreads = nthreads };
		np.by_thread = calloc(nthreads ? nthreads : 1, sizeof(*np.by_thread));
		if (!np.by_thread)
			return -ENOMEM;
		for (size_t i = 0; i < out->n; i++) {
			struct chain *c = &out->c[i];
			uint32_t w = c->hop[c->n - 1].waker.thread;
			if (c->end != CE_OPEN || w >= nthreads || np.by_thread[w].cap)
				continue;
			np.by_thread[w].cap = 16;
			np.by_thread[w].iv = malloc(16 * sizeof(*np.by_thread[w].iv));
			if (!np.by_thread[w].iv)
				err = -ENOMEM;
		}
		if (!err)
			err = run_pass(r, next__interval, &np, NULL);
		if (!err)
			err = np.err;
		for (size_t i = 0; !err && i < out->n; i++) {
			struct chain *c = &out->c[i];
			if (c->end != CE_OPEN)
				continue;
			const struct chain_hop *last = &c->hop[c->n - 1];
			const struct history *h = &np.by_thread[last->waker.thread];
			/* The waker's last blocked time before it woke this hop's sleeper. */
			const struct interval_rec *rec = history__before(h, last->end);
			if (!rec)
				c->end = CE_WAKER_RUNNING;
			else if (rec->hop.state == TS_UNKNOWN)
				c->end = rec->hop.start == out->start ? CE_BEFORE_TRACE
								      : CE_WAKER_UNKNOWN;
			else if (!rec->woken)
				c->end = CE_WAKER_UNKNOWN;
			else
				c->hop[c->n++] = rec->hop;
		}
		for (uint32_t t = 0; t < nthreads; t++)
			free(np.by_thread[t].iv);
		free(np.by_thread);
		if (err)
			return err;
	}
	return 0;
}

void chains__free(struct chain_set *s)
{
	free(s->c);
	memset(s, 0, sizeof(*s));
}
