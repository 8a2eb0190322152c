// SPDX-License-Identifier: MIT
/*
 * schedtape latency: per thread (or process) how often and how long it waited
 * for a CPU, as perf sched latency prints it, with quantiles and the time of
 * the worst wait (to look at it with --begin).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/hist.h"
#include "analyze/latency.h"
#include "analyze/model.h"
#include "analyze_args.h"
#include "base/grow.h"
#include "base/htab.h"
#include "cli.h"


struct row {
	uint32_t pid, tid, threads;
	char comm[ST_COMM_LEN];
	struct lat_dist d;
};

struct latency {
	struct analyze_args *a;
	enum wait_part part;
	struct row *rows; /* by model thread index */
	size_t n, cap;
	uint64_t unsplit;
	int err;
};

static void on_interval(void *ctx, const struct interval *iv)
{
	struct latency *l = ctx;
	uint64_t len;

	if (iv->state != TS_RUNNABLE)
		return;
	int got = hist__length(&l->a->f, iv, l->part, &len);
	if (got < 0)
		l->unsplit++;
	if (got <= 0)
		return;
	uint32_t i = iv->t->index;
	if (i >= l->n) {
		if (grow(&l->rows, &l->cap, (size_t)i + 1, sizeof(*l->rows))) {
			l->err = -ENOMEM;
			return;
		}
		l->n = i + 1;
	}
	struct row *r = &l->rows[i];
	r->pid = iv->t->pid;
	r->tid = iv->t->tid;
	r->threads = 1;
	memcpy(r->comm, iv->t->comm, sizeof(r->comm));
	if (lat_dist__add(&r->d, len, iv->start) && !l->err)
		l->err = -ENOMEM;
}

/* Rows with waits, packed; per process when asked. Returns the count or -ENOMEM. */
static long rows_of(struct latency *l, bool per_process, struct row **out)
{
	struct htab64 at = { 0 };
	struct row *rows = calloc(l->n ? l->n : 1, sizeof(*rows));
	size_t n = 0;

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		struct row *r = &l->rows[i];
		if (!r->d.count)
			continue;
		if (!per_process) {
			rows[n++] = *r;
			continue;
		}
		uint64_t *k = htab64__find(&at, (uint64_t)r->pid + 1);
		if (!k) {
			if (htab64__insert(&at, (uint64_t)r->pid + 1, n))
				goto nomem;
			rows[n] = (struct row){ .pid = r->pid, .tid = r->pid };
			memcpy(rows[n].comm, r->comm, sizeof(r->comm));
			k = htab64__find(&at, (uint64_t)r->pid + 1);
			n++;
		}
		struct row *p = &rows[*k];
		p->threads++;
		if (r->tid == r->pid)
			memcpy(p->comm, r->comm, sizeof(p->comm));
		if (lat_dist__merge(&p->d, &r->d))
			goto nomem;
	}
	htab64__free(&at);
	*out = rows;
	return (long)n;
nomem:
	htab64__free(&at);
	for (size_t i = 0; per_process && i < n; i++)
		lat_dist__free(&rows[i].d);
	free(rows);
	return -ENOMEM;
}

enum sort { S_MAX, S_AVG, S_P99, S_WAITS, S_TOTAL };
static enum sort sort_by;

static uint64_t key(const struct row *r)
{
	bool exact;

	switch (sort_by) {
	case S_AVG: return r->d.total / r->d.count;
	case S_P99: return lat_dist__quantile(&r->d, 0.99, &exact);
	case S_WAITS: return r->d.count;
	case S_TOTAL: return r->d.total;
	case S_MAX: break;
	}
	return r->d.max;
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = key(a), y = key(b);

	return x > y ? -1 : x < y;
}

static void print(struct latency *l, const struct row *rows, long n, bool per_process, uint64_t t0)
{
	static const char *const parts[] = { "runnable (woken or preempted until on a CPU)",
					     "wakeup latency (woken until on a run queue)",
					     "queue wait (on a run queue until on a CPU)" };
	bool approx = false;

	if (l->a->json) {
		printf("{\"part\":\"%s\",\"%s\":[", l->part == WP_ALL ? "all" : l->part == WP_QUEUE ? "queue" : "latency",
		       per_process ? "processes" : "threads");
	} else {
		printf("Waits for a CPU: %s\n\n", parts[l->part]);
		printf("%7s %7s %-16s %8s %11s %9s %9s %9s %9s %12s\n", "PID",
		       per_process ? "THREADS" : "TID", "COMM", "WAITS", "TOTAL(ms)", "AVG(ms)", "P50(ms)",
		       "P99(ms)", "MAX(ms)", "MAX AT(s)");
	}
	for (long i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		bool e50, e99;
		uint64_t p50 = lat_dist__quantile(&r->d, 0.5, &e50), p99 = lat_dist__quantile(&r->d, 0.99, &e99);
		uint64_t at = r->d.max_at > t0 ? r->d.max_at - t0 : 0;
		approx |= !e50 || !e99;
		if (l->a->json) {
			printf("%s{\"pid\":%u,\"%s\":%u,\"comm\":", i ? "," : "", r->pid,
			       per_process ? "threads" : "tid", per_process ? r->threads : r->tid);
			json__str(stdout, r->comm);
			printf(",\"waits\":%llu,\"total_ns\":%llu,\"avg_ns\":%llu,\"p50_ns\":%llu,"
			       "\"p50_exact\":%s,\"p99_ns\":%llu,\"p99_exact\":%s,\"max_ns\":%llu,"
			       "\"max_at_ns\":%llu}",
			       (unsigned long long)r->d.count, (unsigned long long)r->d.total,
			       (unsigned long long)(r->d.total / r->d.count), (unsigned long long)p50,
			       e50 ? "true" : "false", (unsigned long long)p99, e99 ? "true" : "false",
			       (unsigned long long)r->d.max, (unsigned long long)at);
		} else {
			printf("%7u %7u %-16s %8llu %11.3f %9.3f %8.3f%c %8.3f%c %9.3f %12.6f\n", r->pid,
			       per_process ? r->threads : r->tid, tx(r->comm),
			       (unsigned long long)r->d.count, (double)r->d.total / 1e6,
			       (double)r->d.total / (double)r->d.count / 1e6, (double)p50 / 1e6,
			       e50 ? ' ' : '~', (double)p99 / 1e6, e99 ? ' ' : '~', (double)r->d.max / 1e6,
			       (double)at / 1e9);
		}
	}
	if (l->a->json) {
		printf("],\"unsplit_waits\":%llu}\n", (unsigned long long)l->unsplit);
		return;
	}
	printf("\n%ld %s waited for a CPU", n, per_process ? "processes" : "threads");
	if (approx)
		printf("; ~: a quantile from a histogram, at most 6.25%% above the exact value");
	printf("\n");
	if (l->unsplit)
		printf("%llu waits left out: the trace does not split them\n",
		       (unsigned long long)l->unsplit);
}

int cmd_latency(int argc, char **argv)
{
	enum { OPT_PART = OPT_FIRST_OWN, OPT_SORT, OPT_PER_PROCESS };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "part", required_argument, NULL, OPT_PART },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
		{ 0 },
	};
	static const char *const sorts[] = { "max", "avg", "p99", "waits", "total", NULL };
	struct analyze_args a = { 0 };
	struct latency l = { .a = &a };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	struct row *rows = NULL;
	bool per_process = false;
	long n = 0;
	int c, ret;

	sort_by = S_MAX;
	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "P", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "latency", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		ret = EXIT_USAGE;
		if (c == OPT_PER_PROCESS || c == 'P') {
			per_process = true;
		} else if (c == OPT_PART) {
			if (!strcmp(optarg, "all") || !strcmp(optarg, "latency") || !strcmp(optarg, "queue")) {
				l.part = optarg[0] == 'a' ? WP_ALL : optarg[0] == 'l' ? WP_LATENCY : WP_QUEUE;
			} else {
				cli__error("latency", "--part: 'all', 'latency' or 'queue', not '%s'", optarg);
				goto out;
			}
		} else if (c == OPT_SORT) {
			int k = 0;
			while (sorts[k] && strcmp(sorts[k], optarg))
				k++;
			if (!sorts[k]) {
				cli__error("latency", "--sort: max, avg, p99, waits or total, not '%s'", optarg);
				goto out;
			}
			sort_by = (enum sort)k;
		} else {
			goto out;
		}
	}
	if (a.help) {
		printf("Usage: %s latency [OPTIONS] FILE\n"
		       "Per thread, its waits for a CPU (perf sched latency): how many, total, average,\n"
		       "median and 99th percentile, the longest and when it began (seconds from the\n"
		       "start: look at it with --begin).\n" ANALYZE_HELP
		       "  -P, --per-process     one row per process\n"
		       "      --part PART       all (default: woken or preempted until on a CPU, as\n"
		       "                        perf sched latency), latency (woken until on a run\n"
		       "                        queue) or queue (on a run queue until on a CPU)\n"
		       "      --sort KEY        max (default), avg, p99, waits, total\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "latency", argc, argv);
	if (ret)
		goto out;
	if (a.f.states && a.f.states != 1u << TS_RUNNABLE) {
		cli__error("latency", "--state: latency is about runnable waits only");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	m = analyze_args__model(&a, r, on_interval, &l);
	if (!m || analyze_args__run(&a, m, r))
		goto out;
	n = l.err ? l.err : rows_of(&l, per_process, &rows);
	if (n < 0) {
		cli__error(a.path, "%s", strerror(ENOMEM));
		n = 0;
		goto out;
	}
	qsort(rows, (size_t)n, sizeof(*rows), by_key);
	print(&l, rows, n, per_process, model__start(m));
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	for (long i = 0; per_process && i < n; i++)
		lat_dist__free(&rows[i].d);
	free(rows);
	for (size_t i = 0; i < l.n; i++)
		lat_dist__free(&l.rows[i].d);
	free(l.rows);
	model__free(m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
