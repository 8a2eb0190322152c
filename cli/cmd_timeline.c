// SPDX-License-Identifier: MIT
/* schedtape timeline: threads' intervals in the order they end, like perf sched timehist. */
#include <stdlib.h>
#include <string.h>

#include "analyze/model.h"
#include "analyze_args.h"
#include "cli.h"

static const char *const ctx_names[] = { "", " from hardirq", " from softirq", " from NMI" };
static const char *const cause_names[] = { "", "woken", "preempted", "new" };

struct timeline {
	struct analyze_args *a;
	uint64_t t0;
	uint64_t count;
	bool json;
};

static void on_interval(void *ctx, const struct interval *iv)
{
	struct timeline *tl = ctx;
	uint64_t start, end;

	if (!filter__interval(&tl->a->f, iv, &start, &end))
		return;
	uint64_t rel = start - tl->t0;
	if (tl->json) {
		printf("%s{\"tid\":%u,\"pid\":%u,\"comm\":", tl->count ? "," : "", iv->t->tid,
		       iv->t->pid);
		json__str(stdout, iv->t->comm);
		printf(",\"start_ns\":%llu,\"duration_ns\":%llu,\"state\":\"%s\",\"cpu\":%u",
		       (unsigned long long)rel, (unsigned long long)(end - start),
		       th_state_name(iv->state), iv->cpu);
		if (iv->state == TS_RUNNABLE && iv->cause)
			printf(",\"cause\":\"%s\"", cause_names[iv->cause]);
		if (iv->state == TS_RUNNABLE && iv->split) {
			uint64_t lat, q;
			interval__split(iv, start, end, &lat, &q);
			printf(",\"wakeup_latency_ns\":%llu,\"queue_wait_ns\":%llu",
			       (unsigned long long)lat, (unsigned long long)q);
		}
		if (iv->state == TS_RUNNING && iv->excluded)
			printf(",\"steal_ns\":%llu", (unsigned long long)iv->excluded);
		if (iv->woken) {
			printf(",\"waker_tid\":%u,\"waker_pid\":%u,\"waker_comm\":", iv->waker.tid,
			       iv->waker.pid);
			json__str(stdout, iv->waker.comm);
			printf(",\"waker_ctx\":%u", iv->waker.ctx);
		}
		printf("}");
	} else {
		printf("%12.6f %12.6f %14.3f %7u %-16s %-8s %3u  ", (double)rel / 1e9,
		       (double)(end - tl->t0) / 1e9, (double)(end - start) / 1e3, iv->t->tid,
		       tx(iv->t->comm), th_state_name(iv->state), iv->cpu);
		if (iv->woken)
			printf("woken by %s/%u%s", iv->waker.comm[0] ? tx(iv->waker.comm) : "?",
			       iv->waker.tid, ctx_names[iv->waker.ctx & 3]);
		else if (iv->state == TS_RUNNABLE && iv->cause)
			printf("%s", cause_names[iv->cause]);
		if (iv->state == TS_RUNNABLE && iv->split) {
			uint64_t lat, q;
			interval__split(iv, start, end, &lat, &q);
			printf(" (latency %.3f + queue %.3f us)", (double)lat / 1e3, (double)q / 1e3);
		}
		else if ((iv->state == TS_SLEEPING || iv->state == TS_BLOCKED) && iv->off_state)
			printf("(%c)", iv->off_state);
		printf("\n");
	}
	tl->count++;
}

int cmd_timeline(int argc, char **argv)
{
	static const struct option opts[] = { ANALYZE_LONG_OPTS, { 0 } };
	struct analyze_args a = { 0 };
	struct timeline tl = { .a = &a };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS, opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "timeline", c, optarg);
		if (ret == 1)
			continue;
		ret = ret ? ret : EXIT_USAGE;
		goto out;
	}
	if (a.help) {
		printf("Usage: %s timeline -t TID [OPTIONS] FILE\n"
		       "A thread's intervals in order: start and end (s), duration (us), thread,\n"
		       "state, CPU, and who woke it, or why it was runnable. Lines come in the\n"
		       "order intervals end (as perf sched timehist prints them): for one thread\n"
		       "that is also the order they start in.\n" ANALYZE_HELP,
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "timeline", argc, argv);
	if (ret)
		goto out;
	if ((ret = analyze_args__need_threads(&a.f, "timeline")))
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	tl.json = a.json;
	m = analyze_args__model(&a, r, on_interval, &tl);
	if (!m)
		goto out;
	tl.t0 = model__start(m);
	if (tl.json)
		printf("{\"intervals\":[");
	else
		printf("%12s %12s %14s %7s %-16s %-8s %3s  %s\n", "START(s)", "END(s)", "DURATION(us)",
		       "TID", "COMM", "STATE", "CPU", "DETAIL");
	int err = analyze_args__run(&a, m, r);
	if (tl.json)
		printf("]}\n");
	if (err)
		goto out;
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	model__free(m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
