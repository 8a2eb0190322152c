// SPDX-License-Identifier: MIT
/*
 * schedtape cpus: per CPU over time, how busy it was, how idle, and how
 * many threads waited on it for a CPU on average (run-queue depth), in
 * buckets of --interval. Memory: buckets times CPUs, never events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/model.h"
#include "analyze_args.h"
#include "base/grow.h"
#include "cli.h"

#define CPUS_MAX_CELLS (1u << 22) /* buckets x CPUs */

struct cell {
	uint64_t busy, runnable; /* ns in the bucket */
};

struct cpus {
	struct analyze_args *a;
	uint8_t *first_seen; /* per CPU: its first switch was seen */
	size_t nfirst;
	uint64_t start, width; /* of the first bucket, and each one's */
	uint32_t nbuckets;
	struct cell *cells;    /* [cpu * nbuckets + bucket] */
	size_t ncpus, cap;     /* cap in CPUs' rows */
	int err;
};

static struct cell *row(struct cpus *c, uint32_t cpu)
{
	if (cpu >= ST_MAX_CPU)
		return NULL;
	if (cpu >= c->ncpus) {
		if ((size_t)(cpu + 1) * c->nbuckets > CPUS_MAX_CELLS) {
			c->err = -E2BIG;
			return NULL;
		}
		size_t cells = c->cap * c->nbuckets;
		if (grow(&c->cells, &cells, (size_t)(cpu + 1) * c->nbuckets, sizeof(*c->cells))) {
			c->err = -ENOMEM;
			return NULL;
		}
		c->cap = cells / c->nbuckets;
		c->ncpus = cpu + 1;
	}
	return &c->cells[(size_t)cpu * c->nbuckets];
}

/* Spread [s, e) over the buckets it covers. */
static void add(struct cpus *c, struct cell *r, uint64_t s, uint64_t e, bool busy)
{
	while (s < e) {
		uint64_t b = (s - c->start) / c->width;
		if (b >= c->nbuckets)
			return;
		uint64_t bend = c->start + (b + 1) * c->width, upto = e < bend ? e : bend;
		if (busy)
			r[b].busy += upto - s;
		else
			r[b].runnable += upto - s;
		s = upto;
	}
}

static void on_interval(void *ctx, const struct interval *iv)
{
	struct cpus *c = ctx;
	uint64_t s, e;

	if (iv->state != TS_RUNNING && iv->state != TS_RUNNABLE)
		return;
	if (!filter__interval(&c->a->f, iv, &s, &e) || s >= e)
		return;
	struct cell *r = row(c, iv->cpu);
	if (r)
		add(c, r, s, e, iv->state == TS_RUNNING);
}

/*
 * A CPU's first switch says who ran there since the trace began (the model
 * has that thread UNKNOWN: it did not see it start): busy unless it was idle.
 */
static void first_switch(void *ctx, const struct st_event *e)
{
	struct cpus *c = ctx;

	if (e->type != ST_REC_SWITCH || e->cpu >= ST_MAX_CPU)
		return;
	if (e->cpu >= c->nfirst) {
		size_t cap = c->nfirst;
		if (grow(&c->first_seen, &cap, (size_t)e->cpu + 1, 1)) {
			c->err = -ENOMEM;
			return;
		}
		c->nfirst = cap;
	}
	if (c->first_seen[e->cpu])
		return;
	c->first_seen[e->cpu] = 1;
	uint64_t s = c->a->f.begin, end = e->ts < c->a->f.end ? e->ts : c->a->f.end;
	struct cell *r = e->sw.prev_tid && s < end ? row(c, e->cpu) : NULL;
	if (r && filter__cpu(&c->a->f, e->cpu) && !c->a->f.npids && !c->a->f.ntids &&
	    !c->a->f.has_comm)
		add(c, r, s, end, true);
}

static int parse_ms(const char *arg, uint64_t *ns)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0.001) || v > 1e9)
		return -EINVAL;
	*ns = (uint64_t)(v * 1e6);
	return 0;
}

static void print(struct cpus *c, bool filtered)
{
	const char *idle = filtered ? "IDLE/UNTRACED%" : "IDLE%";

	if (!c->a->json)
		printf("%12s %4s %7s %*s %8s\n", "TIME(s)", "CPU", "BUSY%", (int)strlen(idle), idle,
		       "RUNQ");
	else
		printf("{\"interval_ns\":%llu,\"idle_includes_untraced\":%s,\"buckets\":[",
		       (unsigned long long)c->width, filtered ? "true" : "false");
	uint64_t n = 0;
	for (uint32_t b = 0; b < c->nbuckets; b++) {
		uint64_t bs = c->start + b * c->width, be = bs + c->width;
		if (be > c->a->f.end)
			be = c->a->f.end;
		double len = (double)(be - bs);
		for (size_t cpu = 0; cpu < c->ncpus; cpu++) {
			const struct cell *x = &c->cells[cpu * c->nbuckets + b];
			if (!filter__cpu(&c->a->f, (uint32_t)cpu))
				continue;
			if (c->a->json) {
				printf("%s{\"start_ns\":%llu,\"len_ns\":%llu,\"cpu\":%zu,\"busy_ns\":%llu,"
				       "\"runnable_ns\":%llu}",
				       n++ ? "," : "", (unsigned long long)(bs - c->a->f.begin + 0),
				       (unsigned long long)(be - bs), cpu, (unsigned long long)x->busy,
				       (unsigned long long)x->runnable);
				continue;
			}
			double busy = len > 0 ? 100.0 * (double)x->busy / len : 0;
			printf("%12.6f %4zu %7.2f %*.2f %8.2f\n", (double)(bs - c->a->f.begin) / 1e9, cpu,
			       busy, (int)strlen(idle), 100.0 - busy,
			       len > 0 ? (double)x->runnable / len : 0.0);
		}
	}
	if (c->a->json)
		printf("]}\n");
	else
		printf("\nRUNQ: threads waiting for that CPU, on average over the bucket%s\n",
		       filtered ? "; the recording followed some processes: IDLE includes the others" : "");
}

int cmd_cpus(int argc, char **argv)
{
	enum { OPT_INTERVAL = OPT_FIRST_OWN };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct cpus c = { .a = &a };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	uint64_t width = 0;
	int ch, ret;

	while ((ch = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "i:", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "cpus", ch, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if ((ch == OPT_INTERVAL || ch == 'i') && !parse_ms(optarg, &width))
			continue;
		if (ch == OPT_INTERVAL || ch == 'i')
			cli__error("cpus", "--interval: '%s' is not a number of milliseconds", optarg);
		ret = EXIT_USAGE;
		goto out;
	}
	if (a.help) {
		printf("Usage: %s cpus [OPTIONS] FILE\n"
		       "Per CPU over time: busy and idle %% and the run-queue depth (threads waiting\n"
		       "for that CPU, on average), in buckets of --interval. The recorder's own time\n"
		       "counts as idle: it leaves its own switches out of the trace.\n" ANALYZE_HELP
		       "  -i, --interval MS     bucket length in milliseconds (default: a twentieth\n"
		       "                        of the window)\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "cpus", argc, argv);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	m = analyze_args__model(&a, r, on_interval, &c);
	if (!m)
		goto out;
	uint64_t span = a.f.end - a.f.begin;
	c.start = a.f.begin;
	c.width = width ? width : (span / 20 ? span / 20 : 1);
	uint64_t nb = (span + c.width - 1) / c.width;
	if (nb > CPUS_MAX_CELLS) {
		cli__error(a.path, "%.3f s in buckets of %.3f ms are %llu buckets, too many: give a "
			   "longer --interval", (double)span / 1e9, (double)c.width / 1e6,
			   (unsigned long long)nb);
		goto out; /* the trace's span, not the option, is at odds: EXIT_FAIL */
	}
	c.nbuckets = nb ? (uint32_t)nb : 1;
	int got = model__run_each(m, r, first_switch, false, &c);
	if (got) {
		cli__error(a.path, "%s", st_strerror(got));
		goto out;
	}
	if (c.err) {
		cli__error(a.path, "%s", c.err == -E2BIG ? "too many buckets for these CPUs: give a longer --interval"
							  : strerror(-c.err));
		goto out;
	}
	print(&c, model__filtered(m));
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	free(c.cells);
	free(c.first_seen);
	model__free(m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
