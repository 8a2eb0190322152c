// SPDX-License-Identifier: MIT
/*
 * The report's passes over the trace. First: the per-thread table, waits
 * against idle CPUs, the run-queue histogram, the folded off-CPU and
 * off-wake stacks, the worst woken sleeps. Second, once the top threads are
 * known: their timeline lanes and every CPU's. Then who held the CPU of the
 * thread that waited most (waitfor), and the worst sleeps' chains.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cgroups.h"
#include "analyze/idle_overlap.h"
#include "base/grow.h"
#include "export/flame_svg.h"
#include "report_internal.h"

#define DEFAULT_TOP 12
#define DEFAULT_CHAINS 5
#define DEFAULT_DEPTH 4

struct pass1 {
	struct report_data *d;
	struct idle_overlap *io;
	int err;
};

static void note_err(int *err, int e)
{
	if (e && !*err)
		*err = e;
}

/* Keep the worst woken sleeps, one per thread (the report shows each thread once). */
static void consider_pick(struct report_data *d, const struct interval *iv)
{
	uint64_t s = iv->start, e = iv->end;

	size_t limit = d->o->chains ? d->o->chains : DEFAULT_CHAINS, worst = 0;

	if (limit > sizeof(d->picks) / sizeof(d->picks[0]))
		limit = sizeof(d->picks) / sizeof(d->picks[0]);
	if (!iv->woken || iv->waker.ctx || iv->waker.thread == MODEL_NO_THREAD || e > d->f->end)
		return;
	for (size_t i = 0; i < d->npicks; i++) {
		struct chain_pick *p = &d->picks[i];
		if (p->tid == iv->t->tid) {
			if (e - s > p->end - p->start)
				*p = (struct chain_pick){ .tid = iv->t->tid, .start = s, .end = e };
			return;
		}
		if (p->end - p->start < d->picks[worst].end - d->picks[worst].start)
			worst = i;
	}
	if (d->npicks < limit)
		d->picks[d->npicks++] = (struct chain_pick){ .tid = iv->t->tid, .start = s, .end = e };
	else if (e - s > d->picks[worst].end - d->picks[worst].start)
		d->picks[worst] = (struct chain_pick){ .tid = iv->t->tid, .start = s, .end = e };
}

static void pass1_interval(void *ctx, const struct interval *iv)
{
	struct pass1 *p = ctx;
	struct report_data *d = p->d;
	struct fold_key k;
	uint64_t s, e;

	stats_table__interval(&d->threads, iv);
	if (!filter__interval(d->f, iv, &s, &e) || e == s)
		return;
	if (iv->state == TS_RUNNABLE) {
		uint32_t i = iv->t->index;
		if (grow(&d->idle, &d->idle_cap, (size_t)i + 1, sizeof(*d->idle))) {
			note_err(&p->err, -ENOMEM);
			return;
		}
		/* Only time on a run queue behind another thread counts (where the trace splits
		 * runnable time): while being woken, the thread's own CPU may be idle on purpose. */
		uint64_t lat = 0, q = e - s;
		if (iv->split)
			interval__split(iv, s, e, &lat, &q);
		bool partial = false;
		uint64_t idle = q && !d->filtered ? idle_overlap__of(p->io, iv->cpu, e - q, e, &partial) : 0;
		d->idle[i].ns += idle;
		d->idle[i].waits += idle != 0;
		d->idle[i].partial |= partial;
		/* As `hist --state runnable [--part queue]` counts; which one the page shows is
		 * known at the end (whether the trace splits runnable time). */
		if (hist__length(d->f, iv, WP_ALL, &q) > 0)
			hist__add(&d->runq_all, q);
		if (hist__length(d->f, iv, WP_QUEUE, &q) > 0)
			hist__add(&d->runq, q);
		return;
	}
	if (iv->state != TS_SLEEPING && iv->state != TS_BLOCKED)
		return;
	folded__key_of(iv, false, &k);
	note_err(&p->err, folded__add(&d->offcpu, &k, e - s));
	if (iv->woken) {
		folded__key_of(iv, true, &k);
		note_err(&p->err, folded__add(&d->offwake, &k, e - s));
		consider_pick(d, iv);
	}
}

/* The idle tracker sees each event before the model closes intervals on it. */
static void idle_event(void *ctx, const struct st_event *e)
{
	idle_overlap__event(ctx, e);
}

static int on_loss(void *ctx, const struct st_event *e)
{
	struct report_data *d = ctx;

	d->loss_windows++;
	d->lost_events += e->loss.count;
	if (d->nlosses == REPORT_MAX_LOSSES)
		return 0;
	if (grow(&d->losses, &d->losses_cap, d->nlosses + 1, sizeof(*d->losses)))
		return -ENOMEM;
	d->losses[d->nlosses++] = (struct loss_window){ e->cpu, e->ts, e->loss.end_ts,
							e->loss.count, e->loss.cause };
	return 0;
}


static int first_pass(struct report_data *d)
{
	struct pass1 p = { .d = d };
	struct model *m = NULL;
	int err = idle_overlap__new(&p.io);

	d->threads.f = d->f;
	if (!err)
		err = model__new(d->r, pass1_interval, &p, &m);
	if (!err) {
		d->t0 = model__start(m);
		d->t1 = model__end(m);
		d->filtered = model__filtered(m);
		filter__resolve(d->f, d->t0, d->t1);
		err = model__run_each(m, d->r, idle_event, false, p.io);
		d->split = model__has_split(m);
		if (!d->split)
			d->runq = d->runq_all;
	}
	if (!err)
		err = p.err;
	if (!err) {
		d->anomalies = model__anomalies(m);
		stats_table__finish(&d->threads, m);
	}
	if (!err)
		err = stats_table__per_process(&d->threads, &d->procs);
	if (!err)
		stats_table__sort(&d->procs, SK_RUN);
	if (!err && st_reader__ncgroups(d->r)) {
		/* Grouped as states --by cgroup and --by container group them. */
		err = stats_table__group(&d->threads, cgroup__stats_key, (void *)d->r, &d->cgroups);
		if (!err)
			err = stats_table__group(&d->threads, cgroup__stats_key_container, (void *)d->r,
						 &d->containers);
	}
	model__free(m);
	idle_overlap__free(p.io);
	return err;
}

static uint64_t activity(const struct thread_stats *s)
{
	return s->ns[TS_RUNNING] + s->ns[TS_RUNNABLE] + s->ns[TS_BLOCKED];
}

/* The top threads by time on or waiting for a CPU, or blocked: the timeline's lanes. */
static int pick_lanes(struct report_data *d)
{
	size_t top = d->o->top ? d->o->top : DEFAULT_TOP, n = 0;
	uint32_t *rank;

	if (top > d->threads.n)
		top = d->threads.n;
	rank = calloc(top ? top : 1, sizeof(*rank));
	d->lanes = calloc(top ? top : 1, sizeof(*d->lanes));
	if (!rank || !d->lanes) {
		free(rank);
		return -ENOMEM;
	}
	/* Insertion into the best @top so far, heaviest first. */
	for (uint32_t i = 0; i < d->threads.n; i++) {
		uint64_t a = activity(&d->threads.rows[i]);
		size_t at = n;
		while (at > 0 && activity(&d->threads.rows[rank[at - 1]]) < a)
			at--;
		if (at >= top)
			continue;
		if (n < top)
			n++;
		memmove(&rank[at + 1], &rank[at], (n - 1 - at) * sizeof(*rank));
		rank[at] = i;
	}
	for (size_t k = 0; k < n; k++) {
		const struct thread_stats *s = &d->threads.rows[rank[k]];
		struct report_lane *l = &d->lanes[k];
		l->tid = s->tid;
		l->pid = s->pid;
		l->gen = s->gen;
		memcpy(l->comm, s->comm, sizeof(l->comm));
		l->last_waker = LANE_NOBODY;
		lane__init(&l->lane, d->merge_ns);
	}
	d->nlanes = n;
	free(rank);
	return 0;
}

struct pass2 {
	struct report_data *d;
	int32_t *lane_of; /* by model thread index: lane + 1, 0 none, -1 not looked up yet */
	size_t n, cap;
	int err;
};

static int64_t waker_of(const struct interval *iv)
{
	if (!iv->woken)
		return LANE_NOBODY;
	if (iv->waker.ctx)
		return LANE_IRQ_BASE - iv->waker.ctx;
	return iv->waker.tid ? (int64_t)iv->waker.tid : LANE_NOBODY;
}

static struct lane *cpu_lane(struct report_data *d, uint32_t cpu)
{
	if (cpu >= ST_MAX_CPU)
		return NULL;
	if (cpu >= d->ncpus) {
		if (grow(&d->cpus, &d->cpus_cap, (size_t)cpu + 1, sizeof(*d->cpus)))
			return NULL;
		for (size_t c = d->ncpus; c <= cpu; c++)
			lane__init(&d->cpus[c], d->merge_ns);
		d->ncpus = cpu + 1;
	}
	return &d->cpus[cpu];
}

static void name__note(struct pass2 *p, uint32_t tid, const char *comm)
{
	struct report_data *d = p->d;
	uint64_t *at = htab64__find(&d->name_at, (uint64_t)tid + 1);

	if (!at) {
		if (grow(&d->names, &d->names_cap, d->nnames + 1, sizeof(*d->names)) ||
		    htab64__insert(&d->name_at, (uint64_t)tid + 1, d->nnames)) {
			note_err(&p->err, -ENOMEM);
			return;
		}
		d->names[d->nnames].tid = tid;
		memcpy(d->names[d->nnames++].comm, comm, ST_COMM_LEN);
		return;
	}
	memcpy(d->names[*at].comm, comm, ST_COMM_LEN);
}

static void pass2_interval(void *ctx, const struct interval *iv)
{
	struct pass2 *p = ctx;
	struct report_data *d = p->d;
	uint32_t i = iv->t->index;
	uint64_t s, e;

	/* Every CPU's lane shows whoever ran, in the window, whatever the thread filters. */
	if (iv->state == TS_RUNNING) {
		s = iv->start > d->f->begin ? iv->start : d->f->begin;
		e = iv->end < d->f->end ? iv->end : d->f->end;
		struct lane *l = s < e ? cpu_lane(d, iv->cpu) : NULL;
		if (l) {
			lane__add(l, s, e, TS_RUNNING, iv->t->tid);
			name__note(p, iv->t->tid, iv->t->comm);
		}
		else if (s < e && iv->cpu < ST_MAX_CPU)
			note_err(&p->err, -ENOMEM);
	}
	if (i >= p->n) {
		if (grow(&p->lane_of, &p->cap, (size_t)i + 1, sizeof(*p->lane_of))) {
			note_err(&p->err, -ENOMEM);
			return;
		}
		while (p->n <= i)
			p->lane_of[p->n++] = -1;
	}
	if (p->lane_of[i] < 0) {
		p->lane_of[i] = 0;
		for (size_t k = 0; k < d->nlanes; k++)
			if (d->lanes[k].tid == iv->t->tid && d->lanes[k].gen == iv->t->gen)
				p->lane_of[i] = (int32_t)k + 1;
	}
	if (!p->lane_of[i] || !filter__interval(d->f, iv, &s, &e) || e == s)
		return;
	struct report_lane *l = &d->lanes[p->lane_of[i] - 1];
	int64_t who = LANE_NOBODY;
	if (iv->state == TS_SLEEPING || iv->state == TS_BLOCKED) {
		who = l->last_waker = waker_of(iv);
		if (who > 0)
			name__note(p, iv->waker.tid, iv->waker.comm);
	}
	else if (iv->state == TS_RUNNABLE && iv->cause == RC_WOKEN)
		who = l->last_waker;
	lane__add(&l->lane, s, e, iv->state, who);
}

static int second_pass(struct report_data *d)
{
	struct pass2 p = { .d = d };
	struct model *m = NULL;
	int err;

	d->merge_ns = (d->f->end - d->f->begin) / REPORT_BANDS;
	err = pick_lanes(d);
	if (!err)
		err = model__new(d->r, pass2_interval, &p, &m);
	if (!err)
		err = model__run(m, d->r);
	if (!err)
		err = p.err;
	for (size_t k = 0; k < d->nlanes && !err; k++)
		err = lane__finish(&d->lanes[k].lane);
	for (size_t c = 0; c < d->ncpus && !err; c++)
		err = lane__finish(&d->cpus[c]);
	model__free(m);
	free(p.lane_of);
	return err;
}

/* A filter of the same window for other threads: the chain and waitfor passes resolve it. */
static void window_filter(const struct filter *from, struct filter *to)
{
	memset(to, 0, sizeof(*to));
	to->begin_s = from->begin_s;
	to->end_s = from->end_s;
	to->has_begin = from->has_begin;
	to->has_end = from->has_end;
	to->untraced = from->untraced;
}

/* Who held the CPU while the thread with the most queue wait waited. */
static int waitfor_pass(struct report_data *d)
{
	struct filter f;
	uint64_t most = 0;

	d->wf_row = -1;
	for (uint32_t i = 0; i < d->threads.n; i++) {
		const struct thread_stats *s = &d->threads.rows[i];
		uint64_t w = d->split ? s->queue_wait : s->ns[TS_RUNNABLE];
		if (w > most) {
			most = w;
			d->wf_row = (int)i;
		}
	}
	if (d->wf_row < 0)
		return 0;
	window_filter(d->f, &f);
	f.tids[f.ntids++] = d->threads.rows[d->wf_row].tid;
	int err = waitfor__run(d->r, &f, &d->wf);
	filter__free(&f);
	return err;
}

/* Batch by batch (memory stays bounded), keep the chains of the picked sleeps. */
static int keep_picked(void *ctx, const struct chain_set *s)
{
	struct report_data *d = ctx;

	for (size_t c = 0; c < s->n; c++) {
		const struct chain *ch = &s->c[c];
		for (size_t i = 0; i < d->npicks && ch->n; i++) {
			struct chain_pick *p = &d->picks[i];
			if (p->chain.n || ch->hop[0].tid != p->tid || ch->hop[0].end != p->end)
				continue;
			p->chain = *ch;
			p->chain.hop = malloc(ch->n * sizeof(*ch->hop));
			if (!p->chain.hop) {
				p->chain.n = 0;
				return -ENOMEM;
			}
			memcpy(p->chain.hop, ch->hop, ch->n * sizeof(*ch->hop));
		}
	}
	return 0;
}

/* The chains of the picked sleeps: one set of passes for all of them. */
static int chains_pass(struct report_data *d)
{
	struct filter f;
	uint64_t shortest = UINT64_MAX;

	if (!d->npicks)
		return 0;
	window_filter(d->f, &f);
	f.states = (1u << TS_SLEEPING) | (1u << TS_BLOCKED);
	for (size_t i = 0; i < d->npicks; i++) {
		const struct chain_pick *p = &d->picks[i];
		if (p->end - p->start < shortest)
			shortest = p->end - p->start;
		bool have = false;
		for (unsigned int k = 0; k < f.ntids; k++)
			have |= f.tids[k] == p->tid;
		if (!have && f.ntids < FILTER_MAX_IDS)
			f.tids[f.ntids++] = p->tid;
	}
	f.min_ns = shortest;
	int err = chains__each_batch(d->r, &f, d->o->depth ? d->o->depth : DEFAULT_DEPTH, 0,
				     keep_picked, d);
	filter__free(&f);
	return err;
}

static int by_length(const void *a, const void *b)
{
	const struct chain_pick *x = a, *y = b;
	uint64_t lx = x->end - x->start, ly = y->end - y->start;

	return lx > ly ? -1 : lx < ly;
}

/* A flamegraph of folded lines in microseconds, as `flame` draws it; NULL text when empty. */
static int flame(const struct fold_line *lines, long n, const char *title, char **svg)
{
	struct flame_opts fo = { .title = title, .countname = "us", .width = 1200 };
	struct flame_line *fl = calloc(n > 0 ? (size_t)n : 1, sizeof(*fl));
	size_t len = 0;
	long k = 0;
	int err;

	*svg = NULL;
	if (!fl)
		return -ENOMEM;
	for (long i = 0; i < n; i++)
		if (lines[i].ns >= 1000)
			fl[k++] = (struct flame_line){ lines[i].stack, lines[i].ns / 1000, 0 };
	if (!k) {
		free(fl);
		return 0;
	}
	FILE *f = open_memstream(svg, &len);
	err = f ? flame_svg__write(f, fl, k, &fo) : -ENOMEM;
	if (f && fclose(f) && !err)
		err = -ENOMEM;
	free(fl);
	if (err) {
		free(*svg);
		*svg = NULL;
	}
	return err;
}

static int flames(struct report_data *d)
{
	struct fold_opts fo = { .user = true, .kernel = true, .trim = true, .annotate = true };
	int err;

	d->n_off = folded__lines(&d->offcpu, d->r, d->sym, &fo, &d->off_lines);
	if (d->n_off < 0)
		return (int)d->n_off;
	fo.waker = true;
	d->n_wake = folded__lines(&d->offwake, d->r, d->sym, &fo, &d->wake_lines);
	if (d->n_wake < 0)
		return (int)d->n_wake;
	err = flame(d->off_lines, d->n_off, "Off-CPU Time", &d->flame_off);
	if (!err)
		err = flame(d->wake_lines, d->n_wake, "Off-Wake Time", &d->flame_wake);
	return err;
}

int report_data__gather(struct report_data *d)
{
	int err = st_reader__each_loss(d->r, on_loss, d);

	if (!err)
		err = first_pass(d);
	if (!err)
		err = second_pass(d);
	if (!err)
		err = waitfor_pass(d);
	if (!err)
		err = chains_pass(d);
	if (!err)
		qsort(d->picks, d->npicks, sizeof(d->picks[0]), by_length);
	if (!err)
		err = symbolizer__new(d->r, d->so, &d->sym);
	if (!err)
		err = flames(d);
	return err;
}

void report_data__free(struct report_data *d)
{
	stats_table__free(&d->threads);
	stats_table__free(&d->procs);
	stats_table__free(&d->cgroups);
	stats_table__free(&d->containers);
	free(d->idle);
	folded__free(&d->offcpu);
	folded__free(&d->offwake);
	if (d->off_lines)
		folded__free_lines(d->off_lines, d->n_off);
	if (d->wake_lines)
		folded__free_lines(d->wake_lines, d->n_wake);
	free(d->flame_off);
	free(d->flame_wake);
	free(d->losses);
	for (size_t k = 0; k < d->nlanes; k++)
		lane__free(&d->lanes[k].lane);
	free(d->lanes);
	for (size_t c = 0; c < d->ncpus; c++)
		lane__free(&d->cpus[c]);
	free(d->cpus);
	free(d->names);
	htab64__free(&d->name_at);
	for (size_t i = 0; i < d->npicks; i++)
		free(d->picks[i].chain.hop);
	waitfor__free(&d->wf);
	symbolizer__free(d->sym);
}
