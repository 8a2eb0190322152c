// SPDX-License-Identifier: MIT
/* Chrome trace-event JSON: see chrome_json.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "chrome_json.h"

/* The CPU tracks live in a process of their own, with one thread per CPU. */
#define CPU_PID 0x7fff0000u

struct export {
	const struct filter *flt;
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

void chrome_json__interval(void *ctx, const struct interval *iv)
{
	struct export *x = ctx;
	uint64_t start, end;

	/* Running slices go on the CPU track for every thread, followed or not. */
	if (iv->state == TS_RUNNING) {
		struct filter all = *x->flt;
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
			text__json(x->f, iv->t->comm);
			fprintf(x->f, ",\"args\":{\"tid\":%u,\"pid\":%u}}", iv->t->tid, iv->t->pid);
		}
	}
	if (!filter__interval(&(*x->flt), iv, &start, &end) || end == start)
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
		text__json(x->f, state);
	}
	fputs("}}", x->f);
	/* A wakeup: an arrow from the waker (or the CPU, for an interrupt) to the wakee. */
	if (iv->woken && iv->end <= (*x->flt).end && iv->end >= (*x->flt).begin) {
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

int chrome_json__loss(void *ctx, const struct st_event *e)
{
	struct export *x = ctx;
	uint64_t start = e->ts > (*x->flt).begin ? e->ts : (*x->flt).begin;
	uint64_t end = e->loss.end_ts < (*x->flt).end ? e->loss.end_ts : (*x->flt).end;

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
		text__json(x->f, t->comm);
		fputs("}}", x->f);
		if (t->tid == t->pid) {
			sep(x);
			fprintf(x->f, "{\"ph\":\"M\",\"pid\":%u,\"name\":\"process_name\","
				      "\"args\":{\"name\":",
				t->pid);
			text__json(x->f, t->comm);
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

int chrome_json__new(FILE *out, const struct filter *f, struct chrome_json **out_x)
{
	struct export *x = calloc(1, sizeof(*x));

	if (!x)
		return -ENOMEM;
	x->f = out;
	x->flt = f;
	x->first = true;
	*out_x = (struct chrome_json *)x;
	return 0;
}

void chrome_json__begin(struct chrome_json *cx, uint64_t t0)
{
	struct export *x = (struct export *)cx;

	x->t0 = t0;
	fprintf(x->f, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[");
}

void chrome_json__end(struct chrome_json *cx, const struct model *m)
{
	struct export *x = (struct export *)cx;

	names(x, m);
	fprintf(x->f, "\n]}\n");
}

void chrome_json__free(struct chrome_json *x)
{
	free(x);
}
