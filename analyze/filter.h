/* SPDX-License-Identifier: MIT */
/* Which threads and which (parts of) intervals a report counts. */
#ifndef SCHEDTAPE_ANALYZE_FILTER_H
#define SCHEDTAPE_ANALYZE_FILTER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cgroups.h"
#include "model.h"

#define FILTER_MAX_IDS 64

struct filter {
	uint32_t pids[FILTER_MAX_IDS], tids[FILTER_MAX_IDS], cpus[FILTER_MAX_IDS];
	unsigned int npids, ntids, ncpus; /* ncpus: intervals on these CPUs only */
	bool has_comm;
	regex_t comm;
	/* Window in seconds from the start of the trace; resolved by filter__resolve. */
	double begin_s, end_s;
	bool has_begin, has_end;
	uint64_t begin, end; /* absolute, after filter__resolve: inside the trace */
	bool outside;	     /* by filter__resolve: --begin/--end leave nothing of the trace */
	uint32_t states;     /* bit (1 << enum th_state); 0: every state */
	uint64_t min_ns, max_ns; /* max 0: no limit */
	bool untraced;		 /* count threads a filtered recording did not follow */
	struct cgroup_set cgroups; /* with has_cgroups: only threads in these */
	bool has_cgroups;
	bool plain;		 /* by filter__resolve: nothing but the window and untraced */
};

/* Parse "sleep,block,runnable" (or "all") into a state mask. Returns 0 or -EINVAL. */
int filter__parse_states(const char *s, uint32_t *mask);
/* Parse "1,2,3" into ids. Returns 0 or -EINVAL. */
int filter__parse_ids(const char *s, uint32_t *ids, unsigned int *n);
/* Compile @re as the comm filter. Returns 0, or -EINVAL with the reason in @why (if given). */
int filter__set_comm(struct filter *f, const char *re, char *why, size_t whylen);
/* Turn the window into trace timestamps, clamped to the trace's span. */
void filter__resolve(struct filter *f, uint64_t trace_start, uint64_t trace_end);
void filter__free(struct filter *f);
/* Only threads in the cgroups of @s (taken). */
void filter__set_cgroups(struct filter *f, struct cgroup_set *s);

bool filter__thread(const struct filter *f, const struct thread *t);
/* Whether CPU @cpu is one -C asked for (every CPU without -C). */
bool filter__cpu(const struct filter *f, uint32_t cpu);

bool filter__interval_all(const struct filter *f, const struct interval *iv, uint64_t *start,
			  uint64_t *end);

/*
 * Whether @iv counts, and its part inside the window in [*start, *end).
 * The state and duration tests see the whole interval, the window clips it.
 * Inline for the usual case, an interval inside the window and no other
 * test: it is asked once per interval.
 */
static inline bool filter__interval(const struct filter *f, const struct interval *iv,
				    uint64_t *start, uint64_t *end)
{
	if (f->plain && iv->start >= f->begin && iv->end <= f->end) {
		*start = iv->start;
		*end = iv->end;
		return iv->t->traced || f->untraced;
	}
	return filter__interval_all(f, iv, start, end);
}

#endif
