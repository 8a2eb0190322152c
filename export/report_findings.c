// SPDX-License-Identifier: MIT
/*
 * The report's findings: a few sentences computed from what the passes
 * gathered, each with the evidence it rests on, most pressing first. They
 * state measurements, not guesses: where the data is partial they say so.
 */
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "report_internal.h"

struct out {
	FILE *f;
	struct report_data *d;
	int n;
};

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static const char *name(const char *comm)
{
	static char b[4][ST_COMM_LEN + 1];
	static int k;

	k = (k + 1) % 4;
	memcpy(b[k], comm, ST_COMM_LEN);
	b[k][ST_COMM_LEN] = 0;
	return b[k];
}

/* Opens a finding; the caller adds evidence lines with evidence() and closes with end(). */
static void begin(struct out *o, const char *kind, const char *severity, const char *title,
		  const char *text, long long tid, long long at)
{
	fprintf(o->f, "%s{\"kind\":\"%s\",\"severity\":\"%s\",\"title\":", o->n++ ? "," : "", kind,
		severity);
	text__json_script(o->f, title);
	fputs(",\"text\":", o->f);
	text__json_script(o->f, text);
	if (tid >= 0)
		fprintf(o->f, ",\"tid\":%lld", tid);
	if (at >= 0)
		fprintf(o->f, ",\"at_ns\":%lld", at);
	fputs(",\"evidence\":[", o->f);
}

static void evidence(struct out *o, int i, const char *line)
{
	if (i)
		fputc(',', o->f);
	text__json_script(o->f, line);
}

static void end(struct out *o)
{
	fputs("]}", o->f);
}

static void losses(struct out *o)
{
	struct report_data *d = o->d;
	char text[256], line[160];
	uint64_t unknown = 0;

	if (!d->loss_windows && !d->anomalies)
		return;
	for (uint32_t i = 0; i < d->threads.n; i++)
		unknown += d->threads.rows[i].ns[TS_UNKNOWN];
	if (d->loss_windows) {
		snprintf(text, sizeof(text),
			 "%llu events were lost in %llu windows: the threads on those CPUs are UNKNOWN "
			 "there (%.3f ms over all threads), never guessed.",
			 (unsigned long long)d->lost_events, (unsigned long long)d->loss_windows,
			 ms(unknown));
		begin(o, "losses", "warn", "Events were lost", text, -1,
		      (long long)(d->losses[0].start > d->t0 ? d->losses[0].start - d->t0 : 0));
		for (size_t i = 0; i < d->nlosses && i < 5; i++) {
			const struct loss_window *l = &d->losses[i];
			snprintf(line, sizeof(line), "CPU %u: %llu events lost, %.6f s to %.6f s (%s)",
				 l->cpu, (unsigned long long)l->count,
				 (double)(l->start - d->t0) / 1e9,
				 (double)(l->end > d->t0 ? l->end - d->t0 : 0) / 1e9,
				 st_loss_cause_name(l->cause));
			evidence(o, (int)i, line);
		}
		end(o);
	}
	if (d->anomalies) {
		snprintf(text, sizeof(text),
			 "%llu events did not fit the scheduler model; `schedtape states --anomalies` "
			 "lists them.",
			 (unsigned long long)d->anomalies);
		begin(o, "anomalies", "warn", "Events that did not fit", text, -1, -1);
		end(o);
	}
}

/* The thread that waited most for a CPU, and who held that CPU meanwhile. */
static void queue_wait(struct out *o)
{
	struct report_data *d = o->d;
	const struct waitfor_result *w = &d->wf;
	char text[400], line[200];

	if (d->wf_row < 0 || !w->waited_ns)
		return;
	const struct thread_stats *s = &d->threads.rows[d->wf_row];
	uint64_t waited = d->split ? s->queue_wait : s->ns[TS_RUNNABLE];
	uint64_t life = 0;
	for (int k = 0; k < TS_NSTATES; k++)
		life += s->ns[k];
	snprintf(text, sizeof(text),
		 "%s (tid %u) waited longest for a CPU: %.3f ms %s (%.1f%% of its time, %llu waits). "
		 "Meanwhile %zu threads held the CPU it waited for, the most below; for %.3f ms of it "
		 "the CPU was idle or ran untraced threads.",
		 name(s->comm), s->tid, ms(waited), d->split ? "on a run queue" : "runnable",
		 life ? 100.0 * (double)waited / (double)life : 0.0, (unsigned long long)w->waits, w->n,
		 ms(w->waited_ns > w->held_ns ? w->waited_ns - w->held_ns : 0));
	begin(o, "queue_wait", "info", "Most time waiting for a CPU", text, s->tid, -1);
	for (size_t i = 0; i < w->n && i < 5; i++) {
		const struct wait_holder *h = &w->h[i];
		snprintf(line, sizeof(line), "%s (tid %u) held it %.3f ms%s%s", name(h->comm), h->tid,
			 ms(h->ns), h->off_state ? ", then left with state " : "",
			 h->off_state == 'R'   ? "R (preempted)"
			 : h->off_state == 'S' ? "S (sleep)"
			 : h->off_state == 'D' ? "D (blocked)"
					       : "");
		evidence(o, (int)i, line);
	}
	end(o);
}

static void worst_wait(struct out *o)
{
	struct report_data *d = o->d;
	const struct thread_stats *worst = NULL;
	char text[300];

	for (uint32_t i = 0; i < d->threads.n; i++)
		if (!worst || d->threads.rows[i].max_runnable > worst->max_runnable)
			worst = &d->threads.rows[i];
	if (!worst || !worst->max_runnable)
		return;
	uint64_t at = worst->max_runnable_at - d->t0;
	snprintf(text, sizeof(text),
		 "%s (tid %u) waited %.3f ms for a CPU at once, from %.6f s; "
		 "`schedtape waitfor -t %u --begin %.6f --end %.6f` shows who ran instead.",
		 name(worst->comm), worst->tid, ms(worst->max_runnable), (double)at / 1e9, worst->tid,
		 (double)at / 1e9, (double)(at + worst->max_runnable) / 1e9 + 0.000001);
	begin(o, "worst_wait", "info", "Longest single wait for a CPU", text, worst->tid,
	      (long long)at);
	end(o);
}

static const struct report_data *sort_d;
static int by_idle_wait(const void *a, const void *b)
{
	uint64_t x = report__idle(sort_d, *(const struct thread_stats *const *)a).ns;
	uint64_t y = report__idle(sort_d, *(const struct thread_stats *const *)b).ns;

	return x > y ? -1 : x < y;
}

/* Threads that waited for a CPU while another CPU had nothing to run. */
static void idle_cpu(struct out *o)
{
	struct report_data *d = o->d;
	const struct thread_stats **w = calloc(d->threads.n ? d->threads.n : 1, sizeof(*w));
	uint64_t total = 0;
	size_t n = 0;
	bool partial = false;
	char text[300], line[200];

	if (!w)
		return;
	for (uint32_t i = 0; i < d->threads.n && !d->filtered; i++) {
		struct idle_wait iw = report__idle(d, &d->threads.rows[i]);
		if (iw.ns) {
			w[n++] = &d->threads.rows[i];
			total += iw.ns;
			partial |= iw.partial;
		}
	}
	if (n) {
		sort_d = d;
		qsort(w, n, sizeof(*w), by_idle_wait);
		snprintf(text, sizeof(text),
			 "%zu threads waited for a CPU while another CPU was idle: %s%.3f ms in all. "
			 "Time a thread could have run elsewhere (wakeup placement, load balancing, "
			 "affinity).",
			 n, partial ? "at least " : "", ms(total));
		begin(o, "idle_cpu", "info", "Runnable while a CPU was idle", text, -1, -1);
		for (size_t i = 0; i < n && i < 5; i++) {
			struct idle_wait iw = report__idle(d, w[i]);
			snprintf(line, sizeof(line), "%s (tid %u): %.3f ms in %llu waits", name(w[i]->comm),
				 w[i]->tid, ms(iw.ns), (unsigned long long)iw.waits);
			evidence(o, (int)i, line);
		}
		end(o);
	}
	free(w);
}

static void offcpu_stack(struct out *o)
{
	struct report_data *d = o->d;
	uint64_t total = 0;
	char text[200];

	if (d->n_off <= 0)
		return;
	for (long i = 0; i < d->n_off; i++)
		total += d->off_lines[i].ns;
	snprintf(text, sizeof(text),
		 "The most common off-CPU stack: %.3f ms, %.1f%% of all sleep and block time in the "
		 "report (frames outermost first).",
		 ms(d->off_lines[0].ns), total ? 100.0 * (double)d->off_lines[0].ns / (double)total : 0);
	begin(o, "offcpu_stack", "info", "Where threads spent their time off CPU", text, -1, -1);
	evidence(o, 0, d->off_lines[0].stack);
	end(o);
}

void report_findings__write(FILE *f, struct report_data *d)
{
	struct out o = { .f = f, .d = d };

	fputc('[', f);
	losses(&o);
	queue_wait(&o);
	worst_wait(&o);
	idle_cpu(&o);
	offcpu_stack(&o);
	fputc(']', f);
}
