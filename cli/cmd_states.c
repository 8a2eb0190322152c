// SPDX-License-Identifier: MIT
/* schedtape states: time each thread spent running, waiting, sleeping, blocked. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/model.h"
#include "analyze/thread_stats.h"
#include "analyze_args.h"
#include "analyze/cgroups.h"
#include "cli.h"

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

/* Runnable ns with no split, over all rows: the split columns leave it out. */
static uint64_t unsplit_total(const struct stats_table *t)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < t->n; i++)
		n += t->rows[i].unsplit;
	return n;
}

/* Columns a narrow terminal can do without, the first left out first (--json has all). */
enum { C_STEAL, C_MIGR, C_SPLIT, C_WAKEUPS, C_SWITCHES, C_MAXWAIT, C_NOPT };
static const unsigned int opt_width[C_NOPT] = { 10, 7, 24, 9, 10, 11 };
static const char *const opt_name[C_NOPT] = { "STEAL", "MIGR", "WAKELAT+QUEUE", "WAKEUPS",
					      "SWITCHES", "MAXWAIT" };


static void print_text(const struct stats_table *t, enum analyze_by by, uint64_t span,
		       const struct model *m, const struct st_reader *r)
{
	bool per_process = by != BY_THREAD, groups = by >= BY_CGROUP;
	uint64_t unknown = 0;
	bool split = model__has_split(m), steal = false, on[C_NOPT];
	unsigned int width = term__width(), used = 92; /* PID TID COMM RUN RUNNABLE SLEEP BLOCK UNKNOWN */
	char dropped[96] = "";

	for (uint32_t i = 0; i < t->n; i++)
		steal |= t->rows[i].excluded != 0;
	for (int k = 0; k < C_NOPT; k++)
		on[k] = (k != C_STEAL || steal) && (k != C_SPLIT || split);
	for (int k = C_NOPT - 1; k >= 0; k--)
		used += on[k] ? opt_width[k] : 0;
	for (int k = 0; k < C_NOPT && width && used > width; k++)
		if (on[k]) {
			on[k] = false;
			used -= opt_width[k];
			snprintf(dropped + strlen(dropped), sizeof(dropped) - strlen(dropped), "%s%s",
				 dropped[0] ? ", " : "", opt_name[k]);
		}
	term__sgr("1");
	printf("%7s %7s %-16s %11s", "PID", per_process ? "THREADS" : "TID",
	       groups ? "FIRST COMM" : "COMM", "RUN(ms)");
	if (on[C_STEAL])
		printf(" %9s", "STEAL");
	printf(" %11s", "RUNNABLE");
	if (on[C_SPLIT])
		printf(" %11s %11s", "WAKELAT", "QUEUE");
	printf(" %11s %11s %11s", "SLEEP", "BLOCK", "UNKNOWN");
	if (on[C_SWITCHES])
		printf(" %9s", "SWITCHES");
	if (on[C_WAKEUPS])
		printf(" %8s", "WAKEUPS");
	if (on[C_MAXWAIT])
		printf(" %10s", "MAXWAIT");
	if (on[C_MIGR])
		printf(" %6s", "MIGR");
	if (groups)
		printf(" %s", by == BY_CGROUP ? "CGROUP" : "CONTAINER");
	term__sgr("0");
	printf("\n");
	for (uint32_t i = 0; i < t->n; i++) {
		const struct thread_stats *s = &t->rows[i];
		if (groups)
			printf("%7s %7u %-16s %11.3f", "-", s->threads, tx(s->comm),
			       ms(s->ns[TS_RUNNING]));
		else
			printf("%7u %7u %-16s %11.3f", s->pid, per_process ? s->threads : s->tid,
			       tx(s->comm), ms(s->ns[TS_RUNNING]));
		if (on[C_STEAL])
			printf(" %9.3f", ms(s->excluded));
		printf(" %11.3f", ms(s->ns[TS_RUNNABLE]));
		if (on[C_SPLIT])
			printf(" %11.3f %11.3f", ms(s->wakeup_latency), ms(s->queue_wait));
		printf(" %11.3f %11.3f %11.3f", ms(s->ns[TS_SLEEPING]), ms(s->ns[TS_BLOCKED]),
		       ms(s->ns[TS_UNKNOWN]));
		if (on[C_SWITCHES])
			printf(" %9llu", (unsigned long long)s->switches);
		if (on[C_WAKEUPS])
			printf(" %8llu", (unsigned long long)s->wakeups);
		if (on[C_MAXWAIT])
			printf(" %10.3f", ms(s->max_runnable));
		if (on[C_MIGR])
			printf(" %6llu", (unsigned long long)s->migrations);
		char label[PATH_MAX];
		if (groups)
			printf(" %s", tx(cgroup__group_label(r, s->cgroup, by == BY_CONTAINER, label,
							       sizeof(label))));
		printf("\n");
		unknown += s->ns[TS_UNKNOWN];
	}
	static const char *const what[] = { "threads", "processes", "cgroups", "containers" };
	printf("\n%u %s over %.3f s; ", t->n, what[by], (double)span / 1e9);
	if (unknown)
		term__sgr("33");
	printf("%.3f ms of their time is UNKNOWN (before first seen, or lost)", ms(unknown));
	if (model__anomalies(m))
		printf("; %llu events did not fit the model (--anomalies lists them)",
		       (unsigned long long)model__anomalies(m));
	term__sgr("0");
	printf("\n");
	if (dropped[0])
		printf("left out to fit %u columns: %s (a wider terminal, or --json, has them)\n", width,
		       dropped);
	if (on[C_STEAL])
		printf("STEAL: of RUN, time the kernel charged to no task (the host ran something "
		       "else: a VM's steal; IRQs where counted apart)\n");
	if (!split)
		printf("runnable time is not split into wakeup latency and queue wait: the trace "
		       "does not record run-queue waits\n");
	else if (unsplit_total(t))
		printf("WAKELAT + QUEUE leave out %.3f ms of runnable time whose start the recorder "
		       "did not see\n",
		       ms(unsplit_total(t)));
}

static void json__str_or_null(const char *s)
{
	if (s)
		json__str(stdout, s);
	else
		printf("null");
}

static void print_json(const struct stats_table *t, enum analyze_by by, uint64_t span,
		       const struct model *m, const struct st_reader *r)
{
	static const char *const what[] = { "threads", "processes", "cgroups", "containers" };
	bool split = model__has_split(m);

	printf("{\"%s\":[", what[by]);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct thread_stats *s = &t->rows[i];
		char buf[32], name[160];
		printf("%s{\"pid\":%u,\"tid\":%u,\"comm\":", i ? "," : "", s->pid, s->tid);
		json__str(stdout, s->comm);
		const char *path = cgroup__path(r, s->cgroup, buf, sizeof(buf));
		const char *container = cgroup__container_of(r, s->cgroup, name, sizeof(name));
		printf(",\"cgroup\":");
		json__str_or_null(by == BY_CONTAINER ? NULL : path);
		printf(",\"container\":");
		json__str_or_null(container);
		printf(",\"run_ns\":%llu,\"runnable_ns\":%llu,\"sleep_ns\":%llu,\"block_ns\":%llu,"
		       "\"unknown_ns\":%llu,\"switches\":%llu,\"wakeups\":%llu,"
		       "\"max_runnable_ns\":%llu,\"migrations\":%llu,\"generation\":%u,\"threads\":%u",
		       (unsigned long long)s->ns[TS_RUNNING], (unsigned long long)s->ns[TS_RUNNABLE],
		       (unsigned long long)s->ns[TS_SLEEPING], (unsigned long long)s->ns[TS_BLOCKED],
		       (unsigned long long)s->ns[TS_UNKNOWN], (unsigned long long)s->switches,
		       (unsigned long long)s->wakeups, (unsigned long long)s->max_runnable,
		       (unsigned long long)s->migrations, s->gen, s->threads);
		if (split)
			printf(",\"wakeup_latency_ns\":%llu,\"queue_wait_ns\":%llu,"
			       "\"unsplit_runnable_ns\":%llu,\"run_delay_ns\":%llu",
			       (unsigned long long)s->wakeup_latency,
			       (unsigned long long)s->queue_wait, (unsigned long long)s->unsplit,
			       (unsigned long long)s->run_delay);
		else
			printf(",\"wakeup_latency_ns\":null,\"queue_wait_ns\":null,"
			       "\"unsplit_runnable_ns\":%llu,\"run_delay_ns\":null",
			       (unsigned long long)s->ns[TS_RUNNABLE]);
		printf(",\"steal_ns\":%llu,\"kernel_run_ns\":%llu,\"kernel_run_unknown_ns\":%llu,"
		       "\"anomalies\":%u}",
		       (unsigned long long)s->excluded, (unsigned long long)s->charged,
		       (unsigned long long)s->charged_unknown, s->anomalies);
	}
	printf("],\"span_ns\":%llu,\"runnable_split\":%s,\"anomalies\":%llu,"
	       "\"anomalies_by_kind\":{",
	       (unsigned long long)span, split ? "true" : "false",
	       (unsigned long long)model__anomalies(m));
	for (int k = 0; k < AN_NKINDS; k++)
		printf("%s\"%s\":%llu", k ? "," : "", anomaly_name((uint8_t)k),
		       (unsigned long long)model__anomalies_of(m, k));
	printf("}}\n");
}

/* --anomalies: each event that did not fit, as it happens. */
struct anomaly_list {
	const struct model *m;
	uint64_t t0;
	bool json;
	uint64_t n;
};

static void on_anomaly(void *ctx, const struct anomaly *an)
{
	struct anomaly_list *l = ctx;
	uint64_t rel = an->ts >= l->t0 ? an->ts - l->t0 : 0;

	if (l->json)
		printf("%s{\"ts_ns\":%llu,\"cpu\":%u,\"tid\":%u,\"pid\":%u,\"kind\":\"%s\"}",
		       l->n ? "," : "", (unsigned long long)rel, an->cpu, an->tid, an->pid,
		       anomaly_name(an->kind));
	else
		printf("%6llu.%06llu [%03u] %7u/%-7u %-24s %s\n",
		       (unsigned long long)(rel / 1000000000ull),
		       (unsigned long long)(rel % 1000000000ull / 1000), an->cpu, an->pid, an->tid,
		       anomaly_name(an->kind), anomaly_text(an->kind));
	l->n++;
}

int cmd_states(int argc, char **argv)
{
	enum { OPT_SORT = OPT_FIRST_OWN, OPT_PER_PROCESS, OPT_ANOMALIES, OPT_BY };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
		{ "by", required_argument, NULL, OPT_BY },
		{ "anomalies", no_argument, NULL, OPT_ANOMALIES },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct stats_table t = { 0 }, procs = { 0 };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	enum analyze_by by = BY_THREAD;
	bool anomalies = false;
	struct anomaly_list al = { 0 };
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
			by = BY_PROCESS;
		} else if (c == OPT_BY) {
			if ((ret = analyze_args__by("states", optarg, &by)))
				goto out;
		} else if (c == OPT_ANOMALIES) {
			anomalies = true;
		} else {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("Usage: %s states [OPTIONS] FILE\n"
		       "Per thread: time running, waiting for a CPU (runnable), sleeping (S),\n"
		       "blocked (D) and unknown; switches, wakeups, longest wait.\n" ANALYZE_HELP
		       "  -P, --per-process     one row per process\n"
		       "      --by WHAT         one row per thread, process, cgroup or container\n"
		       "      --sort COLUMN     pid tid comm run runnable wakeup_latency queue_wait\n"
		       "                        sleep block unknown switches wakeups max_runnable\n"
		       "                        migrations\n"
		       "                        (default run)\n"
		       "      --anomalies       list the events that did not fit the model instead\n"
		       "Runnable time splits into wakeup latency (woken until put on a run queue)\n"
		       "and queue wait (on a run queue until on a CPU; the kernel's schedstat run\n"
		       "delay) where the trace records it.\n",
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
	if (!m)
		goto out;
	if (anomalies) {
		al = (struct anomaly_list){ .m = m, .t0 = model__start(m), .json = a.json };
		model__on_anomaly(m, on_anomaly, &al);
		if (a.json)
			printf("{\"anomalies\":[");
		else
			printf("%13s %5s %15s %-24s %s\n", "TIME(s)", "CPU", "PID/TID", "KIND",
			       "WHAT");
	}
	if (analyze_args__run(&a, m, r))
		goto out;
	if (anomalies) {
		if (a.json)
			printf("],\"count\":%llu}\n", (unsigned long long)al.n);
		else
			printf("\n%llu events did not fit the model\n", (unsigned long long)al.n);
		cli__warn_problems(a.path, r);
		ret = EXIT_OK;
		goto out;
	}
	stats_table__finish(&t, m);
	struct stats_table *show = &t;
	if (by != BY_THREAD) {
		int gerr = by == BY_PROCESS ? stats_table__per_process(&t, &procs)
			   : stats_table__group(&t, by == BY_CGROUP ? cgroup__stats_key : cgroup__stats_key_container,
						(void *)r, &procs);
		if (gerr)
			goto out;
		show = &procs;
	}
	stats_table__sort(show, sort);
	uint64_t span = a.f.end - a.f.begin;
	if (a.json)
		print_json(show, by, span, m, r);
	else
		print_text(show, by, span, m, r);
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
