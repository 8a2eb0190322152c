/* SPDX-License-Identifier: MIT */
/*
 * Flight-recorder triggers: "runnable>20ms", "sleep>1s" or "block>100ms",
 * optionally ",comm=REGEX", ",pid=N", ",cgroup=PATH". Checked on each event
 * as it is drained, from what the kernel measured (no analysis pass): a
 * switch-in's run-queue wait (the kernel's schedstat run delay), a waking's
 * time asleep since the switch-out.
 */
#ifndef SCHEDTAPE_RECORD_TRIGGER_H
#define SCHEDTAPE_RECORD_TRIGGER_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum trigger_kind { TRIGGER_RUNNABLE, TRIGGER_SLEEP, TRIGGER_BLOCK };

struct trigger {
	enum trigger_kind kind;
	uint64_t bound_ns;
	bool has_comm;
	regex_t comm;
	uint32_t pid;	    /* 0: any */
	uint64_t cgroup_id; /* 0: any; else this cgroup v2 directory or below */
	int cgroup_level;
	char spec[256];
};

/*
 * Parse @spec. Returns 0, or -EINVAL with a one-line reason in @why. A
 * parsed trigger is released with trigger__fini.
 */
int trigger__parse(const char *spec, struct trigger *t, char *why, size_t why_len);
void trigger__fini(struct trigger *t);

/* A wait the recorder saw end: is it one @t fires on? (@in_cgroup answers for cgroup=.) */
struct trigger_wait {
	enum trigger_kind kind;
	uint64_t ns;
	uint32_t tid, pid;
	const char *comm;
};
bool trigger__fires(const struct trigger *t, const struct trigger_wait *w, bool in_cgroup);

/* "runnable", "sleep", "block". */
const char *trigger_kind_name(enum trigger_kind k);

/* "20ms", "1.5s", "300us", "100000ns" (a bare number is ms). Returns 0 or -EINVAL. */
int duration__parse(const char *s, uint64_t *ns);

#endif
