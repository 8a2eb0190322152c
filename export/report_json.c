// SPDX-License-Identifier: MIT
/*
 * The report's data as one JSON object (docs/REPORT.md lists its fields).
 * Every string from the trace goes through text__json_script: valid UTF-8,
 * no control bytes and no '<', so it can neither end the <script> element
 * it sits in nor reach the page as markup (the page sets only textContent).
 * Times are ns from the trace's start.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cgroups.h"
#include "base/text.h"
#include "report_internal.h"

static void str(FILE *f, const char *s)
{
	text__json_script(f, s ? s : "");
}

/* A comm field: at most ST_COMM_LEN bytes, NUL-terminated or not. */
static void comm(FILE *f, const char *c)
{
	char b[ST_COMM_LEN + 1];

	memcpy(b, c, ST_COMM_LEN);
	b[ST_COMM_LEN] = 0;
	str(f, b);
}

static unsigned long long rel(const struct report_data *d, uint64_t ts)
{
	return ts > d->t0 ? ts - d->t0 : 0;
}

static void stack(FILE *f, struct report_data *d, uint32_t id)
{
	if (id == ST_STACK_NONE) {
		fputs("null", f);
		return;
	}
	char *s = folded__stack_text(d->r, d->sym, id, true, ";", 40);
	if (s)
		str(f, s);
	else
		fputs("null", f);
	free(s);
}

static void header(FILE *f, struct report_data *d)
{
	const struct st_file_info *fi = st_reader__info(d->r);
	const struct st_problem *prob;
	size_t nprob;
	uint64_t unknown = 0;

	fputs("\"header\":{\"meta\":[", f);
	for (size_t i = 0; i < st_reader__nmeta(d->r); i++) {
		const char *k, *v;
		st_reader__meta_at(d->r, i, &k, &v);
		fputs(i ? ",[" : "[", f);
		str(f, k);
		fputc(',', f);
		str(f, v);
		fputc(']', f);
	}
	fputs("],\"stats\":[", f);
	for (size_t i = 0; i < st_reader__nstats(d->r); i++) {
		const char *k;
		uint64_t v;
		st_reader__stat_at(d->r, i, &k, &v);
		fputs(i ? ",[" : "[", f);
		str(f, k);
		fprintf(f, ",%llu]", (unsigned long long)v);
	}
	for (uint32_t i = 0; i < d->threads.n; i++)
		unknown += d->threads.rows[i].ns[TS_UNKNOWN];
	fprintf(f,
		"],\"file_size\":%llu,\"finalized\":%s,\"truncated_at\":%llu,\"format\":\"%u.%u\","
		"\"first_ts\":%llu,\"last_ts\":%llu,\"raw_bytes\":%llu,\"cpus_seen\":%u,"
		"\"begin_ns\":%llu,\"end_ns\":%llu,\"span_ns\":%llu,\"runnable_split\":%s,"
		"\"anomalies\":%llu,\"unknown_ns\":%llu,\"filtered\":%s,",
		(unsigned long long)fi->file_size, fi->finalized ? "true" : "false",
		(unsigned long long)fi->truncated_at, fi->major, fi->minor,
		(unsigned long long)fi->first_ts, (unsigned long long)fi->last_ts,
		(unsigned long long)fi->raw_bytes, fi->ncpus_seen, rel(d, d->f->begin),
		rel(d, d->f->end), (unsigned long long)(d->t1 - d->t0), d->split ? "true" : "false",
		(unsigned long long)d->anomalies, (unsigned long long)unknown,
		d->filtered ? "true" : "false");
	fprintf(f, "\"losses\":{\"windows\":%llu,\"events\":%llu,\"list\":[",
		(unsigned long long)d->loss_windows, (unsigned long long)d->lost_events);
	for (size_t i = 0; i < d->nlosses; i++) {
		const struct loss_window *l = &d->losses[i];
		fprintf(f, "%s[%u,%llu,%llu,%llu,\"%s\"]", i ? "," : "", l->cpu, rel(d, l->start),
			rel(d, l->end), (unsigned long long)l->count, st_loss_cause_name(l->cause));
	}
	fputs("]},\"problems\":[", f);
	prob = st_reader__problems(d->r, &nprob);
	for (size_t i = 0; i < nprob; i++) {
		fputs(i ? ",[" : "[", f);
		str(f, st_strerror(prob[i].err));
		fputc(',', f);
		str(f, prob[i].detail);
		fprintf(f, ",%llu]", (unsigned long long)prob[i].offset);
	}
	fputs("]}", f);
}

/* What a table's rows are: threads or processes, or groups by cgroup or container. */
enum rows_of { ROWS_PLAIN, ROWS_CGROUPS, ROWS_CONTAINERS };

static void row(FILE *f, struct report_data *d, const struct thread_stats *s,
		const struct idle_wait *iw, enum rows_of of)
{
	fprintf(f, "{\"pid\":%u,\"tid\":%u,\"generation\":%u,\"threads\":%u,\"comm\":", s->pid,
		s->tid, s->gen, s->threads);
	comm(f, s->comm);
	if (of != ROWS_PLAIN) {
		char label[PATH_MAX];
		fputs(",\"group\":", f);
		str(f, cgroup__group_label(d->r, s->cgroup, of == ROWS_CONTAINERS, label, sizeof(label)));
	}
	fprintf(f,
		",\"run_ns\":%llu,\"runnable_ns\":%llu,\"sleep_ns\":%llu,\"block_ns\":%llu,"
		"\"unknown_ns\":%llu,\"switches\":%llu,\"wakeups\":%llu,\"max_runnable_ns\":%llu,"
		"\"max_runnable_at_ns\":%llu",
		(unsigned long long)s->ns[TS_RUNNING], (unsigned long long)s->ns[TS_RUNNABLE],
		(unsigned long long)s->ns[TS_SLEEPING], (unsigned long long)s->ns[TS_BLOCKED],
		(unsigned long long)s->ns[TS_UNKNOWN], (unsigned long long)s->switches,
		(unsigned long long)s->wakeups, (unsigned long long)s->max_runnable,
		s->max_runnable ? rel(d, s->max_runnable_at) : 0);
	if (d->split)
		fprintf(f, ",\"wakeup_latency_ns\":%llu,\"queue_wait_ns\":%llu",
			(unsigned long long)s->wakeup_latency, (unsigned long long)s->queue_wait);
	else
		fputs(",\"wakeup_latency_ns\":null,\"queue_wait_ns\":null", f);
	if (iw && d->filtered)
		fputs(",\"idle_cpu_wait_ns\":null,\"idle_cpu_waits\":null,\"idle_cpu_partial\":null", f);
	else if (iw)
		fprintf(f, ",\"idle_cpu_wait_ns\":%llu,\"idle_cpu_waits\":%llu,\"idle_cpu_partial\":%s",
			(unsigned long long)iw->ns, (unsigned long long)iw->waits,
			iw->partial ? "true" : "false");
	fputc('}', f);
}

struct ranked {
	uint64_t key;
	uint32_t row;
};

static int by_key(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	return x->key > y->key ? -1 : x->key < y->key ? 1 : (x->row > y->row) - (x->row < y->row);
}

/*
 * A table of at most REPORT_MAX_ROWS rows, the busiest (time on, waiting for or
 * blocked off a CPU), then what the rest add up to: a page that stays a page
 * whatever the number of threads.
 */
static int rows(FILE *f, struct report_data *d, const char *name, const struct stats_table *t,
		bool idle, enum rows_of of)
{
	struct ranked *r = calloc(t->n ? t->n : 1, sizeof(*r));
	struct thread_stats rest = { 0 };
	uint32_t shown = t->n < REPORT_MAX_ROWS ? t->n : REPORT_MAX_ROWS;

	if (!r)
		return -ENOMEM;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct thread_stats *s = &t->rows[i];
		r[i] = (struct ranked){ s->ns[TS_RUNNING] + s->ns[TS_RUNNABLE] + s->ns[TS_BLOCKED], i };
	}
	qsort(r, t->n, sizeof(*r), by_key);
	fprintf(f, ",\"%s\":[", name);
	for (uint32_t k = 0; k < shown; k++) {
		if (k)
			fputc(',', f);
		struct idle_wait iw = report__idle(d, &t->rows[r[k].row]);
		row(f, d, &t->rows[r[k].row], idle ? &iw : NULL, of);
	}
	for (uint32_t k = shown; k < t->n; k++) {
		const struct thread_stats *s = &t->rows[r[k].row];
		for (int st = 0; st < TS_NSTATES; st++)
			rest.ns[st] += s->ns[st];
		rest.switches += s->switches;
		rest.wakeups += s->wakeups;
		rest.wakeup_latency += s->wakeup_latency;
		rest.queue_wait += s->queue_wait;
		rest.threads += s->threads;
		if (s->max_runnable > rest.max_runnable) {
			rest.max_runnable = s->max_runnable;
			rest.max_runnable_at = s->max_runnable_at;
		}
	}
	fprintf(f, "],\"%s_rest\":", name);
	if (shown < t->n) {
		snprintf(rest.comm, sizeof(rest.comm), "%u more", t->n - shown);
		fprintf(f, "{\"rows\":%u,\"row\":", t->n - shown);
		row(f, d, &rest, NULL, ROWS_PLAIN);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	free(r);
	return 0;
}

static int table(FILE *f, struct report_data *d)
{
	int err = rows(f, d, "threads", &d->threads, true, ROWS_PLAIN);

	if (!err)
		err = rows(f, d, "processes", &d->procs, false, ROWS_PLAIN);
	if (!err && d->cgroups.n)
		err = rows(f, d, "cgroups", &d->cgroups, false, ROWS_CGROUPS);
	if (!err && d->containers.n)
		err = rows(f, d, "containers", &d->containers, false, ROWS_CONTAINERS);
	return err;
}

static void bands(FILE *f, struct report_data *d, const struct lane *l)
{
	fputs("\"bands\":[", f);
	for (size_t i = 0; i < l->n; i++) {
		const struct band *b = &l->b[i];
		fprintf(f, "%s[%llu,%llu,%u,%lld", i ? "," : "", rel(d, b->start),
			(unsigned long long)(b->end - b->start), b->state, (long long)b->who);
		if (b->n > 1)
			fprintf(f, ",%u,%llu,%llu,%llu,%llu,%llu,%lld", b->n,
				(unsigned long long)b->ns[TS_RUNNING],
				(unsigned long long)b->ns[TS_RUNNABLE],
				(unsigned long long)b->ns[TS_SLEEPING],
				(unsigned long long)b->ns[TS_BLOCKED],
				(unsigned long long)b->ns[TS_UNKNOWN], (long long)b->longest_who);
		fputc(']', f);
	}
	fputc(']', f);
}

static void timeline(FILE *f, struct report_data *d)
{
	fprintf(f, ",\"timeline\":{\"merge_ns\":%llu,\"lanes\":[", (unsigned long long)d->merge_ns);
	for (size_t k = 0; k < d->nlanes; k++) {
		const struct report_lane *l = &d->lanes[k];
		fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"generation\":%u,\"comm\":", k ? "," : "",
			l->tid, l->pid, l->gen);
		comm(f, l->comm);
		fputc(',', f);
		bands(f, d, &l->lane);
		fputc('}', f);
	}
	fputs("],\"cpus\":[", f);
	for (size_t c = 0; c < d->ncpus; c++) {
		fprintf(f, "%s{\"cpu\":%zu,", c ? "," : "", c);
		bands(f, d, &d->cpus[c]);
		fputc('}', f);
	}
	fputs("],\"names\":{", f);
	for (size_t i = 0; i < d->nnames; i++) {
		fprintf(f, "%s\"%u\":", i ? "," : "", d->names[i].tid);
		comm(f, d->names[i].comm);
	}
	fputs("}}", f);
}

static void histogram(FILE *f, struct report_data *d)
{
	int top = hist__top(&d->runq);

	fprintf(f, ",\"hist\":{\"part\":\"%s\",\"count\":%llu,\"total_ns\":%llu,\"max_ns\":%llu,"
		   "\"buckets\":[",
		d->split ? "queue" : "runnable", (unsigned long long)d->runq.count,
		(unsigned long long)d->runq.total_ns, (unsigned long long)d->runq.max_ns);
	for (int k = 0; k <= top; k++)
		fprintf(f, "%s%llu", k ? "," : "", (unsigned long long)d->runq.slots[k]);
	fputs("]}", f);
}

static void flames(FILE *f, struct report_data *d)
{
	fputs(",\"flames\":{\"offcpu\":", f);
	if (d->flame_off)
		str(f, d->flame_off);
	else
		fputs("null", f);
	fputs(",\"offwake\":", f);
	if (d->flame_wake)
		str(f, d->flame_wake);
	else
		fputs("null", f);
	fputs("}", f);
}

static void waker(FILE *f, struct report_data *d, const struct chain_waker *w)
{
	fprintf(f, "{\"tid\":%u,\"pid\":%u,\"comm\":", w->tid, w->pid);
	comm(f, w->comm);
	fprintf(f, ",\"context\":\"%s\",\"kstack\":", st_wake_ctx_name(w->ctx));
	stack(f, d, w->kstack);
	fputs(",\"ustack\":", f);
	stack(f, d, w->ustack);
	fputc('}', f);
}

static void chains(FILE *f, struct report_data *d)
{
	bool first = true;

	fputs(",\"chains\":[", f);
	for (size_t i = 0; i < d->npicks; i++) {
		const struct chain *c = &d->picks[i].chain;
		if (!c->n)
			continue;
		fprintf(f, "%s{\"end\":", first ? "" : ",");
		first = false;
		str(f, chain_end_text(c->end));
		fputs(",\"hops\":[", f);
		for (uint8_t h = 0; h < c->n; h++) {
			const struct chain_hop *hp = &c->hop[h];
			fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"comm\":", h ? "," : "", hp->tid, hp->pid);
			comm(f, hp->comm);
			fprintf(f, ",\"start_ns\":%llu,\"end_ns\":%llu,\"state\":\"%s\",\"kstack\":",
				rel(d, hp->start), rel(d, hp->end), th_state_name(hp->state));
			stack(f, d, hp->kstack);
			fputs(",\"ustack\":", f);
			stack(f, d, hp->ustack);
			fputs(",\"waker\":", f);
			waker(f, d, &hp->waker);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fputc(']', f);
}

int report_json__write(FILE *f, struct report_data *d)
{
	const struct report_opts *o = d->o;

	fputs("{\"report\":1,\"name\":", f);
	str(f, o->name);
	fputs(",\"generator\":", f);
	str(f, o->version);
	fputs(",\"filters\":", f);
	str(f, o->filters);
	fputc(',', f);
	header(f, d);
	int err = table(f, d);
	if (err)
		return err;
	timeline(f, d);
	histogram(f, d);
	flames(f, d);
	chains(f, d);
	fputs(",\"findings\":", f);
	report_findings__write(f, d);
	fputs("}", f);
	return ferror(f) ? -EIO : 0;
}
