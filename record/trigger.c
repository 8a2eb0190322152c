// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "trigger.h"

const char *trigger_kind_name(enum trigger_kind k)
{
	return k == TRIGGER_RUNNABLE ? "runnable" : k == TRIGGER_SLEEP ? "sleep" : "block";
}

int duration__parse(const char *s, uint64_t *ns)
{
	static const struct {
		const char *unit;
		double scale;
	} units[] = { { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 },
		      { "min", 60e9 }, { "h", 3600e9 }, { "", 1e6 } };
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v >= 0))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		double n = v * units[i].scale;
		if (n > 1e18)
			return -EINVAL;
		*ns = (uint64_t)(n + 0.5);
		return 0;
	}
	return -EINVAL;
}

static int kind__parse(const char *s, size_t len, enum trigger_kind *k)
{
	static const char *const names[] = { "runnable", "sleep", "block" };

	for (int i = 0; i < 3; i++)
		if (strlen(names[i]) == len && !strncmp(s, names[i], len)) {
			*k = (enum trigger_kind)i;
			return 0;
		}
	return -EINVAL;
}

static int fail(char *why, size_t len, const char *fmt, const char *what)
{
	snprintf(why, len, fmt, what);
	return -EINVAL;
}

/* One ",key=value" qualifier. */
static int qualifier__parse(struct trigger *t, char *q, char *why, size_t why_len)
{
	char *eq = strchr(q, '=');

	if (!eq)
		return fail(why, why_len, "'%s' is not key=value (comm=, pid= or cgroup=)", q);
	*eq = 0;
	const char *v = eq + 1;
	if (!strcmp(q, "comm")) {
		if (t->has_comm)
			return fail(why, why_len, "%s= given twice", q);
		int rc = regcomp(&t->comm, v, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char msg[128];
			regerror(rc, &t->comm, msg, sizeof(msg));
			snprintf(why, why_len, "comm=%s: %s", v, msg);
			return -EINVAL;
		}
		t->has_comm = true;
	} else if (!strcmp(q, "pid")) {
		char *end;
		unsigned long p = strtoul(v, &end, 10);
		if (!*v || *end || !p || p > 0x7fffffff)
			return fail(why, why_len, "pid=%s is not a process id", v);
		t->pid = (uint32_t)p;
	} else if (!strcmp(q, "cgroup")) {
		struct cgroup_target cg;
		int err = cgroup__resolve(v, &cg);
		if (err) {
			snprintf(why, why_len, "cgroup=%s: %s", v,
				 err == -ENOTDIR ? "not a cgroup v2 directory" : strerror(-err));
			return -EINVAL;
		}
		t->cgroup_id = cg.id;
		t->cgroup_level = cg.level;
	} else {
		return fail(why, why_len, "unknown qualifier '%s' (comm=, pid= or cgroup=)", q);
	}
	return 0;
}

int trigger__parse(const char *spec, struct trigger *t, char *why, size_t why_len)
{
	char buf[sizeof(t->spec)], *save = NULL;

	memset(t, 0, sizeof(*t));
	if (strlen(spec) >= sizeof(buf))
		return fail(why, why_len, "'%.40s...' is too long", spec);
	snprintf(t->spec, sizeof(t->spec), "%s", spec);
	snprintf(buf, sizeof(buf), "%s", spec);
	char *head = strtok_r(buf, ",", &save);
	char *gt = head ? strchr(head, '>') : NULL;
	if (!gt || kind__parse(head, (size_t)(gt - head), &t->kind))
		return fail(why, why_len,
			    "'%s' is not runnable>TIME, sleep>TIME or block>TIME", spec);
	if (duration__parse(gt + 1, &t->bound_ns))
		return fail(why, why_len, "'%s' is not a time such as 20ms, 1.5s or 300us",
			    gt + 1);
	for (char *q = strtok_r(NULL, ",", &save); q; q = strtok_r(NULL, ",", &save)) {
		int err = qualifier__parse(t, q, why, why_len);
		if (err) {
			trigger__fini(t);
			return err;
		}
	}
	return 0;
}

void trigger__fini(struct trigger *t)
{
	if (t->has_comm)
		regfree(&t->comm);
	t->has_comm = false;
}

bool trigger__fires(const struct trigger *t, const struct trigger_wait *w, bool in_cgroup)
{
	if (w->kind != t->kind || w->ns <= t->bound_ns)
		return false;
	if (t->pid && w->pid != t->pid)
		return false;
	if (t->cgroup_id && !in_cgroup)
		return false;
	return !t->has_comm || !regexec(&t->comm, w->comm ? w->comm : "", 0, NULL, 0);
}
