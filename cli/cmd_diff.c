// SPDX-License-Identifier: MIT
/*
 * schedtape diff A B: two traces side by side. Processes are matched by name
 * (pids differ between runs), threads by name and order of creation: the
 * second "worker" of A with the second of B; where a name has several threads
 * the match is by that order only, and is said to be. Times are per second of
 * trace, so recordings of different lengths compare.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export/flame_svg.h"
#include "analyze/folded.h"
#include "base/grow.h"
#include "base/htab.h"
#include "analyze/model.h"
#include "analyze/thread_stats.h"
#include "analyze_args.h"
#include "cli.h"

struct side {
	struct stats_table t;
	uint64_t span;
};

/* A row of the comparison: a process name, or "process/thread" names (#N: the Nth of that name). */
struct row {
	char name[2 * ST_COMM_LEN + 16];
	uint64_t ns[2][TS_NSTATES];
	uint64_t switches[2];
	uint32_t base; /* threads' rows: index + 1 of its name's counts */
};

struct rows {
	struct row *r;
	size_t n, cap;
	struct htab idx;
	/* Threads' rows: how many threads of each "process/thread" name each side has. */
	struct htab names; /* name -> index into counts */
	uint32_t (*counts)[2];
	size_t ncounts, counts_cap;
};

/* The ordinal of one more thread named @base on side @k, counting it (*@idx: the name's). -1 without memory. */
static long name__next(struct rows *rs, const char *base, int k, uint32_t *idx)
{
	size_t len = strlen(base);
	uint64_t *at = htab__find(&rs->names, base, len);

	if (!at) {
		if (grow(&rs->counts, &rs->counts_cap, rs->ncounts + 1, sizeof(*rs->counts)) ||
		    htab__insert(&rs->names, base, len, rs->ncounts))
			return -1;
		at = htab__find(&rs->names, base, len);
		rs->ncounts++;
	}
	*idx = (uint32_t)*at;
	return (long)rs->counts[*at][k]++;
}

/*
 * How a thread row was matched: "" one thread of its name on each side, "~" by
 * order among several of its name, "?" its name has more threads on one side.
 */
static const char *match_mark(const struct rows *rs, const struct row *r)
{
	if (!r->base)
		return "";
	const uint32_t *c = rs->counts[r->base - 1];
	return c[0] != c[1] ? "?" : c[0] > 1 ? "~" : "";
}

static struct row *rows__get(struct rows *rs, const char *name)
{
	size_t len = strlen(name);
	uint64_t *at = htab__find(&rs->idx, name, len);

	if (at)
		return &rs->r[*at];
	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 64;
		struct row *r = realloc(rs->r, cap * sizeof(*r));
		if (!r)
			return NULL;
		rs->r = r;
		rs->cap = cap;
	}
	if (htab__insert(&rs->idx, name, len, rs->n))
		return NULL;
	struct row *r = &rs->r[rs->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static int load(const char *path, struct analyze_args *a, struct side *s)
{
	struct st_reader *r;
	struct model *m = NULL;
	int err;

	a->path = path; /* for its errors, and the window's check */
	r = analyze_args__open(a);
	if (!r)
		return -1;
	struct filter *f = &a->f;
	s->t.f = f;
	m = analyze_args__model(a, r, stats_table__interval, &s->t);
	err = m ? analyze_args__run(a, m, r) : -1;
	if (!err) {
		s->span = f->end - f->begin;
		stats_table__finish(&s->t, m);
	}
	model__free(m);
	st_reader__free(r);
	return err;
}

/* Rows by process name and by process/thread name, summing what shares a name. */
static int rows__build(struct rows *procs, struct rows *threads, struct side *s, int k)
{
	struct htab64 by_tid = { 0 }; /* tid + 1 -> row: the process's name is its main thread's */
	int err = 0;

	for (uint32_t i = 0; i < s->t.n && !err; i++)
		if (!htab64__find(&by_tid, (uint64_t)s->t.rows[i].tid + 1))
			err = htab64__insert(&by_tid, (uint64_t)s->t.rows[i].tid + 1, i);
	for (uint32_t i = 0; i < s->t.n && !err; i++) {
		const struct thread_stats *ts = &s->t.rows[i];
		char pname[ST_COMM_LEN] = "?", tname[2 * ST_COMM_LEN + 16];
		uint64_t *main_row = htab64__find(&by_tid, (uint64_t)ts->pid + 1);
		if (main_row)
			memcpy(pname, s->t.rows[*main_row].comm, sizeof(pname));
		char base[2 * ST_COMM_LEN + 2];
		snprintf(base, sizeof(base), "%s/%s", pname, ts->comm);
		uint32_t idx;
		long ord = name__next(threads, base, k, &idx);
		if (ord < 0) {
			err = -ENOMEM;
			break;
		}
		/* Rows are in the model's order: threads in the order they were first seen. */
		if (ord)
			snprintf(tname, sizeof(tname), "%s#%ld", base, ord + 1);
		else
			snprintf(tname, sizeof(tname), "%s", base);
		struct row *pr = rows__get(procs, pname), *tr = rows__get(threads, tname);
		if (!pr || !tr) {
			err = -ENOMEM;
			break;
		}
		tr->base = idx + 1;
		for (int st = 0; st < TS_NSTATES; st++) {
			pr->ns[k][st] += ts->ns[st];
			tr->ns[k][st] += ts->ns[st];
		}
		pr->switches[k] += ts->switches;
		tr->switches[k] += ts->switches;
	}
	htab64__free(&by_tid);
	return err;
}

static const struct side *sort_sides;
static int row__cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double dx = (double)x->ns[1][TS_RUNNING] / (double)sort_sides[1].span -
		    (double)x->ns[0][TS_RUNNING] / (double)sort_sides[0].span;
	double dy = (double)y->ns[1][TS_RUNNING] / (double)sort_sides[1].span -
		    (double)y->ns[0][TS_RUNNING] / (double)sort_sides[0].span;
	dx = dx < 0 ? -dx : dx;
	dy = dy < 0 ? -dy : dy;
	return dx > dy ? -1 : dx < dy;
}

static void print_rows(const char *title, struct rows *rs, const struct side s[2], bool json)
{
	static const int shown[] = { TS_RUNNING, TS_RUNNABLE, TS_SLEEPING, TS_BLOCKED };
	static const char *const names[] = { "run", "runnable", "sleep", "block" };

	sort_sides = s;
	if (rs->n > 1)
		qsort(rs->r, rs->n, sizeof(*rs->r), row__cmp);
	if (json) {
		printf("\"%s\":[", title);
		for (size_t i = 0; i < rs->n; i++) {
			const struct row *r = &rs->r[i];
			printf("%s{\"name\":", i ? "," : "");
			json__str(stdout, r->name);
			if (r->base) {
				const uint32_t *c = rs->counts[r->base - 1];
				printf(",\"same_name\":[%u,%u],\"match\":\"%s\"", c[0], c[1],
				       c[0] != c[1] ? "unequal" : c[0] > 1 ? "by_order" : "unique");
			}
			for (int k = 0; k < 4; k++)
				printf(",\"%s_ms_per_s\":[%.3f,%.3f]", names[k],
				       (double)r->ns[0][shown[k]] / (double)s[0].span * 1e3,
				       (double)r->ns[1][shown[k]] / (double)s[1].span * 1e3);
			printf(",\"switches_per_s\":[%.1f,%.1f]}",
			       (double)r->switches[0] * 1e9 / (double)s[0].span,
			       (double)r->switches[1] * 1e9 / (double)s[1].span);
		}
		printf("]");
		return;
	}
	printf("\n%-30s", title);
	for (int k = 0; k < 4; k++) {
		char head[24];
		snprintf(head, sizeof(head), "%s A", names[k]);
		printf(" %10s %10s %7s", head, "B", "delta");
	}
	printf("\n");
	for (size_t i = 0; i < rs->n; i++) {
		const struct row *r = &rs->r[i];
		char shown_name[64];
		snprintf(shown_name, sizeof(shown_name), "%s%s", match_mark(rs, r), tx(r->name));
		printf("%-30.30s", shown_name);
		for (int k = 0; k < 4; k++) {
			double va = (double)r->ns[0][shown[k]] / (double)s[0].span * 1e3;
			double vb = (double)r->ns[1][shown[k]] / (double)s[1].span * 1e3;
			printf(" %10.2f %10.2f %+7.2f", va, vb, vb - va);
		}
		printf("\n");
	}
}

/* Off-CPU folded lines of both traces joined by stack, A scaled to B's duration. */
static int folded_diff(struct analyze_args a[2], const struct side s[2], const char *svg,
		       bool json)
{
	struct fold_opts fo = { .user = true, .kernel = true, .trim = true, .annotate = svg != NULL };
	struct fold_line *lines[2] = { NULL, NULL };
	long n[2] = { 0, 0 };
	struct htab idx = { 0 };
	struct flame_line *fl = NULL;
	long nfl = 0;
	int err = 0;

	for (int k = 0; k < 2 && !err; k++) {
		struct st_reader *r = NULL;
		struct symbolizer *sym = NULL;
		if (offcpu__collect(&a[k], false, &fo, &r, &sym, &lines[k], &n[k]))
			err = -1;
		symbolizer__free(sym);
		st_reader__free(r);
	}
	fl = err ? NULL : calloc((size_t)(n[0] + n[1] + 1), sizeof(*fl));
	if (!err && !fl)
		err = -ENOMEM;
	double scale = s[0].span ? (double)s[1].span / (double)s[0].span : 1.0;
	for (int k = 1; k >= 0 && !err; k--) {
		for (long i = 0; i < n[k]; i++) {
			const char *st = lines[k][i].stack;
			uint64_t *at = htab__find(&idx, st, strlen(st));
			if (!at) {
				if (htab__insert(&idx, st, strlen(st), (uint64_t)nfl)) {
					err = -ENOMEM;
					break;
				}
				fl[nfl++].stack = st;
				at = htab__find(&idx, st, strlen(st));
			}
			uint64_t us = lines[k][i].ns / 1000;
			if (k == 1)
				fl[*at].value = us;
			else
				fl[*at].before = (uint64_t)((double)us * scale);
		}
	}
	if (!err && svg) {
		struct flame_opts o = { .title = "Off-CPU Time: B against A (red: more in B)",
					.countname = "us", .width = 1200, .differential = 1 };
		FILE *f = cli__open_output(svg);
		if (!f) {
			err = -1;
		} else {
			err = flame_svg__write(f, fl, nfl, &o);
			int cerr = cli__close_output(f);
			err = err ? err : cerr;
			if (err)
				cli__error(svg, "%s", st_strerror(err));
		}
	} else if (!err && !json) {
		/* difffolded.pl's format: stack, the before value, the after value. */
		for (long i = 0; i < nfl; i++)
			if (fl[i].value || fl[i].before)
				printf("%s %llu %llu\n", fl[i].stack, (unsigned long long)fl[i].before,
				       (unsigned long long)fl[i].value);
	}
	htab__free(&idx);
	free(fl);
	for (int k = 0; k < 2; k++)
		if (lines[k])
			folded__free_lines(lines[k], n[k]);
	return err;
}

int cmd_diff(int argc, char **argv)
{
	enum { OPT_FOLDED = OPT_FIRST_OWN, OPT_SVG };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "folded", no_argument, NULL, OPT_FOLDED },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ 0 },
	};
	struct analyze_args a[2] = { 0 };
	struct side s[2] = { 0 };
	struct rows procs = { 0 }, threads = { 0 };
	const char *svg = NULL;
	bool folded = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS, opts, NULL)) != -1) {
		ret = analyze_args__opt(&a[0], "diff", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c == OPT_FOLDED) {
			folded = true;
		} else if (c == OPT_SVG) {
			svg = optarg;
		} else {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a[0].help) {
		printf("Usage: %s diff [OPTIONS] A.tape B.tape\n"
		       "Per process and per thread (matched by name), milliseconds per second of\n"
		       "trace in each state, A against B.\n" ANALYZE_HELP
		       "      --folded          off-CPU stacks as 'stack A B' (A scaled to B's\n"
		       "                        duration): difffolded input for flamegraph.pl\n"
		       "      --svg FILE        the same as a differential SVG flamegraph\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	if (optind + 2 != argc) {
		cli__error("diff", "expects two trace files");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_FAIL;
	a[1] = a[0];
	/* Each side owns its compiled pattern. */
	a[1].f.has_comm = false;
	if (a[0].comm && filter__set_comm(&a[1].f, a[0].comm, NULL, 0))
		goto out;
	a[0].path = argv[optind];
	a[1].path = argv[optind + 1];
	for (int k = 0; k < 2; k++)
		if (load(a[k].path, &a[k], &s[k]))
			goto out;
	if (folded || svg) {
		if (!folded_diff(a, s, svg, a[0].json))
			ret = EXIT_OK;
		goto out;
	}
	if (rows__build(&procs, &threads, &s[0], 0) || rows__build(&procs, &threads, &s[1], 1)) {
		cli__error("diff", "%s", strerror(ENOMEM));
		goto out;
	}
	if (a[0].json) {
		printf("{\"span_ns\":[%llu,%llu],", (unsigned long long)s[0].span,
		       (unsigned long long)s[1].span);
		print_rows("processes", &procs, s, true);
		printf(",");
		print_rows("threads", &threads, s, true);
		printf("}\n");
	} else {
		printf("A: %s, %.3f s    B: %s, %.3f s    (ms per second of trace)\n", a[0].path,
		       (double)s[0].span / 1e9, a[1].path, (double)s[1].span / 1e9);
		print_rows("PROCESS", &procs, s, false);
		print_rows("PROCESS/THREAD", &threads, s, false);
		bool marks = false;
		for (size_t i = 0; i < threads.n; i++)
			marks |= *match_mark(&threads, &threads.r[i]) != 0;
		if (marks)
			printf("\nThreads are matched by name and order of creation: ~ several threads share "
			       "the name (matched by order only), ? its name has more threads on one side\n");
	}
	ret = EXIT_OK;
out:
	for (int k = 0; k < 2; k++)
		stats_table__free(&s[k].t);
	free(procs.r);
	free(threads.r);
	htab__free(&procs.idx);
	htab__free(&threads.idx);
	htab__free(&threads.names);
	free(threads.counts);
	analyze_args__free(&a[0]);
	analyze_args__free(&a[1]);
	return ret;
}
