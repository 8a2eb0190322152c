// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"

int filter__parse_states(const char *s, uint32_t *mask)
{
	static const struct {
		const char *name;
		uint32_t bits;
	} names[] = {
		{ "running", 1u << TS_RUNNING },   { "run", 1u << TS_RUNNING },
		{ "runnable", 1u << TS_RUNNABLE }, { "wait", 1u << TS_RUNNABLE },
		{ "sleep", 1u << TS_SLEEPING },	   { "sleeping", 1u << TS_SLEEPING },
		{ "block", 1u << TS_BLOCKED },	   { "blocked", 1u << TS_BLOCKED },
		{ "unknown", 1u << TS_UNKNOWN },
		{ "all", (1u << TS_RUNNING) | (1u << TS_RUNNABLE) | (1u << TS_SLEEPING) |
				 (1u << TS_BLOCKED) | (1u << TS_UNKNOWN) },
		{ "offcpu", (1u << TS_RUNNABLE) | (1u << TS_SLEEPING) | (1u << TS_BLOCKED) },
	};
	const char *p = s;

	*mask = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		bool found = false;
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strlen(names[i].name) == len && !strncmp(p, names[i].name, len)) {
				*mask |= names[i].bits;
				found = true;
			}
		}
		if (!found)
			return -EINVAL;
		p += len;
		if (*p == ',')
			p++;
	}
	return *mask ? 0 : -EINVAL;
}

int filter__parse_ids(const char *s, uint32_t *ids, unsigned int *n)
{
	const char *p = s;

	while (*p) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (errno || end == p || v > UINT32_MAX || *n >= FILTER_MAX_IDS ||
		    (*end && *end != ','))
			return -EINVAL;
		ids[(*n)++] = (uint32_t)v;
		p = *end ? end + 1 : end;
	}
	return *n ? 0 : -EINVAL;
}

int filter__set_comm(struct filter *f, const char *re, char *why, size_t whylen)
{
	if (f->has_comm)
		regfree(&f->comm);
	int err = regcomp(&f->comm, re, REG_EXTENDED | REG_NOSUB);
	f->has_comm = err == 0;
	if (err && why && whylen)
		regerror(err, &f->comm, why, whylen);
	return f->has_comm ? 0 : -EINVAL;
}

/* Seconds from the start, clamped to the trace: a window never reaches past it. */
static uint64_t offset_ns(double s, uint64_t span)
{
	double ns = s * 1e9;

	return ns >= (double)span ? span : (uint64_t)ns;
}

void filter__resolve(struct filter *f, uint64_t trace_start, uint64_t trace_end)
{
	uint64_t span = trace_end > trace_start ? trace_end - trace_start : 0;

	f->begin = trace_start;
	f->end = trace_start + span;
	if (f->has_begin)
		f->begin = trace_start + offset_ns(f->begin_s, span);
	if (f->has_end)
		f->end = trace_start + offset_ns(f->end_s, span);
	f->outside = (f->has_begin || f->has_end) && f->begin >= f->end;
	f->plain = !f->states && !f->min_ns && !f->max_ns && !f->npids && !f->ntids && !f->has_comm &&
		   !f->ncpus && !f->has_cgroups;
}

void filter__free(struct filter *f)
{
	if (f->has_comm)
		regfree(&f->comm);
	f->has_comm = false;
	cgroup_set__free(&f->cgroups);
	f->has_cgroups = false;
}

void filter__set_cgroups(struct filter *f, struct cgroup_set *s)
{
	cgroup_set__free(&f->cgroups);
	f->cgroups = *s;
	memset(s, 0, sizeof(*s));
	f->has_cgroups = true;
}

static bool has_id(const uint32_t *ids, unsigned int n, uint32_t id)
{
	for (unsigned int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

bool filter__thread(const struct filter *f, const struct thread *t)
{
	if (!t->traced && !f->untraced)
		return false;
	if (f->npids && !has_id(f->pids, f->npids, t->pid))
		return false;
	if (f->ntids && !has_id(f->tids, f->ntids, t->tid))
		return false;
	if (f->has_comm && regexec(&f->comm, t->comm, 0, NULL, 0))
		return false;
	return !f->has_cgroups || cgroup_set__has(&f->cgroups, t->cgroup);
}

bool filter__cpu(const struct filter *f, uint32_t cpu)
{
	return !f->ncpus || has_id(f->cpus, f->ncpus, cpu);
}

bool filter__interval_all(const struct filter *f, const struct interval *iv, uint64_t *start,
			  uint64_t *end)
{
	uint64_t d = iv->end - iv->start;

	if (f->states && !(f->states & (1u << iv->state)))
		return false;
	/* An interval's CPU: where it ran, waited for a CPU, or last ran before sleeping. */
	if (!filter__cpu(f, iv->cpu))
		return false;
	if (d < f->min_ns || (f->max_ns && d > f->max_ns))
		return false;
	/* Clipped to the window without branches: interval kinds alternate unpredictably. */
	uint64_t s = iv->start, e = iv->end;
	s = s > f->begin ? s : f->begin;
	e = e < f->end ? e : f->end;
	*start = s;
	*end = e;
	if ((s > e) | ((s == e) & (iv->end > iv->start)))
		return false;
	return filter__thread(f, iv->t);
}
