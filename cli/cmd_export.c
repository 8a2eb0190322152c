// SPDX-License-Identifier: MIT
/*
 * schedtape export --perfetto: Chrome trace-event JSON that ui.perfetto.dev
 * and chrome://tracing open. A track per thread with its states, grouped by
 * process; wakeup arrows from waker to wakee; a track per CPU with who ran;
 * loss windows marked on the CPU that lost events.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/model.h"
#include "analyze_args.h"
#include "cli.h"

/* The CPU tracks live in a process of their own, with one thread per CPU. */
#define CPU_PID 0x7fff0000u

struct export {
	struct analyze_args *a;
	FILE *f;
	uint64_t t0;
	uint64_t flows;
	bool first;
};

static void sep(struct export *x)
{
	fputs(x->first ? "\n" : ",\n", x->f);
	x->first = false;
}

static double us(const struct export *x, uint64_t ts)
{
	return (double)(ts - x->t0) / 1e3;
}

static void on_interval(void *ctx, const struct interval *iv)
{
	struct export *x = ctx;
	uint64_t start, end;

	/* Running slices go on the CPU track for every thread, followed or not. */
	if (iv->state == TS_RUNNING) {
		struct filter all = x->a->f;
		all.untraced = true;
		all.npids = all.ntids = 0;
		all.has_comm = false;
		all.states = 0;
		all.min_ns = all.max_ns = 0;
		if (filter__interval(&all, iv, &start, &end) && end > start) {
			sep(x);
			fprintf(x->f, "{\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,"
				      "\"cat\":\"cpu\",\"name\":",
				CPU_PID, iv->cpu, us(x, start), (double)(end - start) / 1e3);
			json__str(x->f, iv->t->comm);
			fprintf(x->f, ",\"args\":{\"tid\":%u,\"pid\":%u}}", iv->t->tid, iv->t->pid);
		}
	}
	if (!filter__interval(&x->a->f, iv, &start, &end) || end == start)
		return;
	sep(x);
	fprintf(x->f, "{\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,"
		      "\"cat\":\"state\",\"name\":\"%s\",\"args\":{\"cpu\":%u",
		iv->t->pid, iv->t->tid, us(x, start), (double)(end - start) / 1e3,
		th_state_name(iv->state), iv->cpu);
	if (iv->off_state)
	{
		char state[2] = { iv->off_state, 0 };
		fputs(",\"prev_state\":", x->f);
		json__str(x->f, state);
	}
	fputs("}}", x->f);
	/* A wakeup: an arrow from the waker (or the CPU, for an interrupt) to the wakee. */
	if (iv->woken && iv->end <= x->a->f.end && iv->end >= x->a->f.begin) {
		uint64_t id = ++x->flows;
		bool task = iv->waker.ctx == ST_CTX_TASK && iv->waker.thread != MODEL_NO_THREAD;
		sep(x);
		fprintf(x->f, "{\"ph\":\"s\",\"id\":%llu,\"pid\":%u,\"tid\":%u,\"ts\":%.3f,"
			      "\"cat\":\"wakeup\",\"name\":\"wakeup\"}",
			(unsigned long long)id, task ? iv->waker.pid : CPU_PID,
			task ? iv->waker.tid : iv->waker.cpu, us(x, iv->end));
		sep(x);
		fprintf(x->f, "{\"ph\":\"f\",\"bp\":\"e\",\"id\":%llu,\"pid\":%u,\"tid\":%u,"
			      "\"ts\":%.3f,\"cat\":\"wakeup\",\"name\":\"wakeup\"}",
			(unsigned long long)id, iv->t->pid, iv->t->tid, us(x, iv->end));
	}
}

static int on_loss(void *ctx, const struct st_event *e)
{
	struct export *x = ctx;
	uint64_t start = e->ts > x->a->f.begin ? e->ts : x->a->f.begin;
	uint64_t end = e->loss.end_ts < x->a->f.end ? e->loss.end_ts : x->a->f.end;

	if (end < start)
		return 0;
	sep(x);
	fprintf(x->f, "{\"ph\":\"X\",\"pid\":%u,\"tid\":%u,\"ts\":%.3f,\"dur\":%.3f,\"cat\":\"loss\","
		      "\"name\":\"LOST %llu events\",\"args\":{\"cause\":\"%s\"}}",
		CPU_PID, e->cpu, us(x, start), (double)(end - start) / 1e3,
		(unsigned long long)e->loss.count, st_loss_cause_name(e->loss.cause));
	return 0;
}

static void names(struct export *x, const struct model *m)
{
	uint32_t ncpus = 0;

	for (uint32_t i = 0; i < model__nthreads(m); i++) {
		const struct thread *t = model__thread(m, i);
		if (t->cpu + 1 > ncpus)
			ncpus = t->cpu + 1;
		sep(x);
		fprintf(x->f, "{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"thread_name\","
			      "\"args\":{\"name\":",
			t->pid, t->tid);
		json__str(x->f, t->comm);
		fputs("}}", x->f);
		if (t->tid == t->pid) {
			sep(x);
			fprintf(x->f, "{\"ph\":\"M\",\"pid\":%u,\"name\":\"process_name\","
				      "\"args\":{\"name\":",
				t->pid);
			json__str(x->f, t->comm);
			fputs("}}", x->f);
		}
	}
	sep(x);
	fprintf(x->f, "{\"ph\":\"M\",\"pid\":%u,\"name\":\"process_name\",\"args\":{\"name\":\"CPUs\"}}",
		CPU_PID);
	for (uint32_t c = 0; c < ncpus; c++) {
		sep(x);
		fprintf(x->f, "{\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"name\":\"thread_name\","
			      "\"args\":{\"name\":\"CPU %u\"}}",
			CPU_PID, c, c);
	}
}

int cmd_export(int argc, char **argv)
{
	enum { OPT_PERFETTO = OPT_FIRST_OWN };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "perfetto", no_argument, NULL, OPT_PERFETTO },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct export x = { .a = &a, .first = true };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	const char *output = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "o:", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "export", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c == 'o') {
			output = optarg;
		} else if (c != OPT_PERFETTO) {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("usage: %s export --perfetto -o OUT.json [OPTIONS] FILE\n"
		       "Chrome trace-event JSON for ui.perfetto.dev or chrome://tracing: thread\n"
		       "tracks with states, wakeup arrows, CPU tracks, loss windows.\n" ANALYZE_HELP
		       "  -o, --output FILE     the JSON ('-' for stdout)\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "export", argc, argv);
	if (ret)
		goto out;
	if (!output) {
		cli__error("export", "name the output with -o FILE (or -o - for stdout)");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	m = analyze_args__model(&a, r, on_interval, &x);
	if (!m)
		goto out;
	x.f = cli__open_output(output);
	if (!x.f)
		goto out;
	x.t0 = model__start(m);
	fprintf(x.f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
	int err = model__run(m, r);
	if (!err)
		err = st_reader__each_loss(r, on_loss, &x);
	if (!err) {
		names(&x, m);
		fprintf(x.f, "\n]}\n");
	}
	int cerr = cli__close_output(x.f);
	err = err ? err : cerr;
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	model__free(m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
