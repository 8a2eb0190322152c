// SPDX-License-Identifier: MIT
/* schedtape states: time each thread spent running, waiting, sleeping, blocked. */
#include <stdlib.h>
#include <string.h>

#include "analyze/model.h"
#include "analyze/thread_stats.h"
#include "analyze_args.h"
#include "cli.h"

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static void print_text(const struct stats_table *t, bool per_process, uint64_t span,
		       uint64_t anomalies)
{
	uint64_t unknown = 0;

	printf("%7s %7s %-16s %11s %11s %11s %11s %11s %9s %8s %10s\n", "PID",
	       per_process ? "THREADS" : "TID", "COMM", "RUN(ms)", "RUNNABLE", "SLEEP", "BLOCK",
	       "UNKNOWN", "SWITCHES", "WAKEUPS", "MAXWAIT");
	for (uint32_t i = 0; i < t->n; i++) {
		const struct thread_stats *s = &t->rows[i];
		printf("%7u %7u %-16s %11.3f %11.3f %11.3f %11.3f %11.3f %9llu %8llu %10.3f\n",
		       s->pid, per_process ? s->threads : s->tid, s->comm, ms(s->ns[TS_RUNNING]),
		       ms(s->ns[TS_RUNNABLE]), ms(s->ns[TS_SLEEPING]), ms(s->ns[TS_BLOCKED]),
		       ms(s->ns[TS_UNKNOWN]), (unsigned long long)s->switches,
		       (unsigned long long)s->wakeups, ms(s->max_runnable));
		unknown += s->ns[TS_UNKNOWN];
	}
	printf("\n%u %s over %.3f s; %.3f ms of their time is UNKNOWN (before first seen, or lost)",
	       t->n, per_process ? "processes" : "threads", (double)span / 1e9, ms(unknown));
	if (anomalies)
		printf("; %llu events did not fit the model", (unsigned long long)anomalies);
	printf("\n");
}

static void print_json(const struct stats_table *t, bool per_process, uint64_t span,
		       uint64_t anomalies)
{
	printf("{\"%s\":[", per_process ? "processes" : "threads");
	for (uint32_t i = 0; i < t->n; i++) {
		const struct thread_stats *s = &t->rows[i];
		printf("%s{\"pid\":%u,\"tid\":%u,\"comm\":", i ? "," : "", s->pid, s->tid);
		json__str(stdout, s->comm);
		printf(",\"run_ns\":%llu,\"runnable_ns\":%llu,\"sleep_ns\":%llu,\"block_ns\":%llu,"
		       "\"unknown_ns\":%llu,\"switches\":%llu,\"wakeups\":%llu,"
		       "\"max_runnable_ns\":%llu,\"generation\":%u,\"threads\":%u}",
		       (unsigned long long)s->ns[TS_RUNNING], (unsigned long long)s->ns[TS_RUNNABLE],
		       (unsigned long long)s->ns[TS_SLEEPING], (unsigned long long)s->ns[TS_BLOCKED],
		       (unsigned long long)s->ns[TS_UNKNOWN], (unsigned long long)s->switches,
		       (unsigned long long)s->wakeups, (unsigned long long)s->max_runnable, s->gen,
		       s->threads);
	}
	printf("],\"span_ns\":%llu,\"anomalies\":%llu}\n", (unsigned long long)span,
	       (unsigned long long)anomalies);
}

int cmd_states(int argc, char **argv)
{
	enum { OPT_SORT = OPT_FIRST_OWN, OPT_PER_PROCESS };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct stats_table t = { 0 }, procs = { 0 };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	bool per_process = false;
	int sort = SK_RUN, c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "P", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "states", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c == OPT_SORT) {
			sort = stats_key__parse(optarg);
			if (sort < 0) {
				cli__error("states", "--sort: no column '%s'", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
		} else if (c == OPT_PER_PROCESS || c == 'P') {
			per_process = true;
		} else {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("usage: %s states [OPTIONS] FILE\n"
		       "Per thread: time running, waiting for a CPU (runnable), sleeping (S),\n"
		       "blocked (D) and unknown; switches, wakeups, longest wait.\n" ANALYZE_HELP
		       "  -P, --per-process     one row per process\n"
		       "      --sort COLUMN     pid tid comm run runnable sleep block unknown\n"
		       "                        switches wakeups max_runnable (default run)\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "states", argc, argv);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	t.f = &a.f;
	m = analyze_args__model(&a, r, stats_table__interval, &t);
	if (!m || analyze_args__run(&a, m, r))
		goto out;
	stats_table__finish(&t, m);
	struct stats_table *show = &t;
	if (per_process) {
		if (stats_table__per_process(&t, &procs))
			goto out;
		show = &procs;
	}
	stats_table__sort(show, sort);
	uint64_t span = a.f.end - a.f.begin;
	if (a.json)
		print_json(show, per_process, span, model__anomalies(m));
	else
		print_text(show, per_process, span, model__anomalies(m));
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	stats_table__free(&t);
	stats_table__free(&procs);
	model__free(m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
