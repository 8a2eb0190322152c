/* SPDX-License-Identifier: MIT */
/* What the report's passes gather (report_data.c) for its page (report_json.c, report.c). */
#ifndef SCHEDTAPE_EXPORT_REPORT_INTERNAL_H
#define SCHEDTAPE_EXPORT_REPORT_INTERNAL_H

#include <stdio.h>

#include "analyze/chains.h"
#include "base/htab.h"
#include "analyze/folded.h"
#include "analyze/hist.h"
#include "analyze/lanes.h"
#include "analyze/thread_stats.h"
#include "analyze/waitfor.h"
#include "report.h"

#define REPORT_MAX_LOSSES 200 /* loss windows listed one by one; the rest are counted */
#define REPORT_MAX_ROWS 1000  /* rows of a table; the rest are summed in one */

/* What the summary adds to a thread's row: its waits while another CPU idled. */
struct idle_wait {
	uint64_t ns, waits; /* runnable ns while some other CPU was idle, waits with any */
	bool partial;	    /* the idle history did not reach back over some wait */
};

struct loss_window {
	uint32_t cpu;
	uint64_t start, end, count;
	uint8_t cause;
};

/* A wait whose chain the report shows: a sleep another thread ended (the whole interval). */
struct chain_pick {
	uint32_t tid;
	uint64_t start, end;
	struct chain chain; /* found by the chain pass when chain.n > 0 (its own hops) */
};

struct report_lane {
	uint32_t tid, pid, gen;
	char comm[ST_COMM_LEN];
	struct lane lane;
	int64_t last_waker; /* who ended its last sleep: names the wait that follows */
};

struct report_data {
	struct st_reader *r;
	struct filter *f;
	const struct report_opts *o;
	const struct sym_opts *so;
	struct symbolizer *sym;
	uint64_t t0, t1; /* the trace's start and end */
	bool split;	 /* runnable time splits into wakeup latency and queue wait */
	bool filtered;	 /* the recording followed some processes: CPUs' idle time is not known */
	uint64_t anomalies;

	struct stats_table threads, procs;
	struct stats_table cgroups, containers; /* empty when the trace records no cgroups */
	struct idle_wait *idle; /* by model thread index (thread_stats.index) */
	size_t idle_cap;
	struct hist runq;     /* queue waits (runnable waits where the trace does not split them) */
	struct hist runq_all; /* runnable waits */

	struct folded offcpu, offwake;
	struct fold_line *off_lines, *wake_lines;
	long n_off, n_wake;
	char *flame_off, *flame_wake; /* SVG text, or NULL with no stacks */

	struct loss_window *losses;
	size_t nlosses, losses_cap;
	uint64_t loss_windows, lost_events;

	struct report_lane *lanes; /* the top threads, heaviest first */
	size_t nlanes;
	struct lane *cpus;
	size_t ncpus, cpus_cap;
	uint64_t merge_ns;
	/* The names of the threads the lanes refer to (who ran, who woke), the latest seen. */
	struct thread_name {
		uint32_t tid;
		char comm[ST_COMM_LEN];
	} *names;
	size_t nnames, names_cap;
	struct htab64 name_at; /* tid + 1 -> index in names */

	struct chain_pick picks[32];
	size_t npicks;

	struct waitfor_result wf; /* for the thread with the most queue wait */
	int wf_row;		  /* its row in threads, or -1 */
};

/* A thread's waits while another CPU idled (none recorded: zero). */
static inline struct idle_wait report__idle(const struct report_data *d, const struct thread_stats *s)
{
	return s->index < d->idle_cap ? d->idle[s->index] : (struct idle_wait){ 0 };
}

/* Run every pass over the trace. Returns 0 or a negative error. */
int report_data__gather(struct report_data *d);
void report_data__free(struct report_data *d);

/* The page's data as one JSON object, safe inside a <script> element. */
int report_json__write(FILE *out, struct report_data *d);
/* The findings: a JSON array of sentences computed from the data, each with its evidence. */
void report_findings__write(FILE *out, struct report_data *d);

#endif
