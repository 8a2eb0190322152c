// SPDX-License-Identifier: MIT
/* schedtape waitfor: who ran while a thread waited for a CPU. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/folded.h"
#include "analyze/waitfor.h"
#include "analyze_args.h"
#include "cli.h"

/* Per thread: its total and where its stacks start in the (sorted) holder list. */
struct by_thread {
	uint32_t thread;
	uint64_t ns;
};

static int by_thread__cmp(const void *a, const void *b)
{
	const struct by_thread *x = a, *y = b;

	return x->ns > y->ns ? -1 : x->ns < y->ns;
}

static const char *left_as(char off_state)
{
	switch (off_state) {
	case 'R': return "preempted";
	case 'S': return "slept";
	case 'D': return "blocked";
	case 0: return "exited, or was still running at the end";
	}
	return "left";
}

static void print_text(struct st_reader *r, struct symbolizer *sym, const struct waitfor_result *w,
		       unsigned int top)
{
	struct by_thread *t = calloc(w->n ? w->n : 1, sizeof(*t));
	size_t nt = 0;

	if (!t)
		return;
	for (size_t i = 0; i < w->n; i++) {
		size_t k = 0;
		while (k < nt && t[k].thread != w->h[i].thread)
			k++;
		if (k == nt)
			t[nt++].thread = w->h[i].thread;
		t[k].ns += w->h[i].ns;
	}
	if (nt > 1)
		qsort(t, nt, sizeof(*t), by_thread__cmp);
	printf("waited %.3f ms for a CPU in %llu waits", (double)w->waited_ns / 1e6,
	       (unsigned long long)w->waits);
	if (w->split_ns)
		printf(" (wakeup latency %.3f ms, queue wait %.3f ms%s)",
		       (double)w->wakeup_latency_ns / 1e6, (double)w->queue_wait_ns / 1e6,
		       w->split_ns < w->waited_ns ? ", of the waits the trace splits" : "");
	printf("; meanwhile on that CPU:\n\n");
	printf("%7s %7s %-16s %11s %7s\n", "TID", "PID", "COMM", "HELD(ms)", "SHARE");
	for (size_t k = 0; k < nt && k < top; k++) {
		const struct wait_holder *first = NULL;
		for (size_t i = 0; i < w->n && !first; i++)
			if (w->h[i].thread == t[k].thread)
				first = &w->h[i];
		printf("%7u %7u %-16s %11.3f %6.1f%%\n", first->tid, first->pid, tx(first->comm),
		       (double)t[k].ns / 1e6,
		       w->waited_ns ? 100.0 * (double)t[k].ns / (double)w->waited_ns : 0.0);
		unsigned int shown = 0;
		for (size_t i = 0; i < w->n && shown < 3; i++) {
			const struct wait_holder *h = &w->h[i];
			if (h->thread != t[k].thread)
				continue;
			shown++;
			char *ks = folded__stack_text(r, sym, h->kstack, true, " <- ", 6);
			char *us = h->ustack ? folded__stack_text(r, sym, h->ustack, true, " <- ", 4) : NULL;
			printf("%38.3f ms, then %s%s %s%s%s\n", (double)h->ns / 1e6, left_as(h->off_state),
			       h->kstack ? " at:" : "", h->kstack && ks ? ks : "",
			       us ? " <- " : "", us ? us : "");
			free(ks);
			free(us);
		}
	}
	uint64_t rest = w->waited_ns > w->held_ns ? w->waited_ns - w->held_ns : 0;
	printf("%7s %7s %-16s %11.3f %6.1f%%\n", "-", "-", "[idle/untraced]", (double)rest / 1e6,
	       w->waited_ns ? 100.0 * (double)rest / (double)w->waited_ns : 0.0);
	free(t);
}

static void print_json(struct analyze_args *a, struct st_reader *r, struct symbolizer *sym,
		       const struct waitfor_result *w)
{
	printf("{\"waited_ns\":%llu,\"waits\":%llu,\"held_ns\":%llu,",
	       (unsigned long long)w->waited_ns, (unsigned long long)w->waits,
	       (unsigned long long)w->held_ns);
	if (w->split_ns)
		printf("\"wakeup_latency_ns\":%llu,\"queue_wait_ns\":%llu,\"split_ns\":%llu,",
		       (unsigned long long)w->wakeup_latency_ns, (unsigned long long)w->queue_wait_ns,
		       (unsigned long long)w->split_ns);
	else
		printf("\"wakeup_latency_ns\":null,\"queue_wait_ns\":null,\"split_ns\":0,");
	printf("\"holders\":[");
	for (size_t i = 0; i < w->n; i++) {
		const struct wait_holder *h = &w->h[i];
		printf("%s{\"tid\":%u,\"pid\":%u,\"comm\":", i ? "," : "", h->tid, h->pid);
		json__str(stdout, h->comm);
		printf(",\"held_ns\":%llu,\"left\":\"%s\",\"kernel_stack\":", (unsigned long long)h->ns,
		       left_as(h->off_state));
		char *ks = h->kstack ? folded__stack_text(r, sym, h->kstack, true, ";", 0) : NULL;
		char *us = h->ustack ? folded__stack_text(r, sym, h->ustack, true, ";", 0) : NULL;
		json__str(stdout, ks ? ks : "");
		printf(",\"user_stack\":");
		json__str(stdout, us ? us : "");
		printf("}");
		free(ks);
		free(us);
	}
	printf("]");
	cli__symbols_hint(a->path, sym, &a->sym, stdout);
	printf("}\n");
}

int cmd_waitfor(int argc, char **argv)
{
	enum { OPT_TOP = OPT_FIRST_OWN };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "top", required_argument, NULL, OPT_TOP },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct waitfor_result w = { 0 };
	struct symbolizer *sym = NULL;
	struct st_reader *r = NULL;
	unsigned int top = 10;
	int c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS, opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "waitfor", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c != OPT_TOP) {
			ret = EXIT_USAGE;
			goto out;
		}
		top = (unsigned int)strtoul(optarg, &end, 10);
		if (*end || !top) {
			cli__error("waitfor", "--top: '%s' is not a positive number", optarg);
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("Usage: %s waitfor -t TID [OPTIONS] FILE\n"
		       "The thread's waits for a CPU, broken down by the threads that held the\n"
		       "CPU meanwhile, with the stacks they left it with.\n" ANALYZE_HELP
		       "      --top N           threads shown (default 10)\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "waitfor", argc, argv);
	if (ret)
		goto out;
	if ((ret = analyze_args__need_threads(&a.f, "waitfor")))
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	int err = waitfor__run(r, &a.f, &w);
	if (!err)
		err = symbolizer__new(r, &a.sym, &sym);
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	if (a.json)
		print_json(&a, r, sym, &w);
	else
		print_text(r, sym, &w, top);
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	waitfor__free(&w);
	cli__symbols_hint(a.path, sym, &a.sym, NULL);
	symbolizer__free(sym);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
