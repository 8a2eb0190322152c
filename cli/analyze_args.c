// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cgroups.h"
#include "analyze_args.h"
#include "cli.h"

static int parse_seconds(const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0) || v > 1e9)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_us(const char *arg, uint64_t *ns)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);

	if (errno || end == arg || *end || v > UINT64_MAX / 1000)
		return -EINVAL;
	*ns = v * 1000;
	return 0;
}

static const char *opt_name(int c)
{
	switch (c) {
	case 'p': return "--pid";
	case 't': return "--tid";
	case 'C': return "--cpu";
	case OPT_BEGIN: return "--begin";
	case OPT_END: return "--end";
	case OPT_STATE: return "--state";
	case OPT_MIN_US: return "--min-us";
	case OPT_MAX_US: return "--max-us";
	}
	return "option";
}

int analyze_args__opt(struct analyze_args *a, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case 'p':
		if (filter__parse_ids(arg, a->f.pids, &a->f.npids))
			goto bad;
		return 1;
	case 't':
		if (filter__parse_ids(arg, a->f.tids, &a->f.ntids))
			goto bad;
		return 1;
	case 'C':
		if (filter__parse_ids(arg, a->f.cpus, &a->f.ncpus))
			goto bad;
		return 1;
	case 'c': {
		char why[128];
		if (filter__set_comm(&a->f, arg, why, sizeof(why))) {
			cli__error(cmd, "--comm '%s': %s", arg, why);
			return EXIT_USAGE;
		}
		a->comm = arg;
		return 1;
	}
	case OPT_BEGIN:
		if (parse_seconds(arg, &a->f.begin_s))
			goto bad;
		a->f.has_begin = true;
		return 1;
	case OPT_END:
		if (parse_seconds(arg, &a->f.end_s))
			goto bad;
		a->f.has_end = true;
		return 1;
	case OPT_STATE:
		if (filter__parse_states(arg, &a->f.states))
			goto bad;
		return 1;
	case OPT_MIN_US:
		if (parse_us(arg, &a->f.min_ns))
			goto bad;
		return 1;
	case OPT_MAX_US:
		if (parse_us(arg, &a->f.max_ns))
			goto bad;
		return 1;
	case OPT_SYMFS:
		a->sym.symfs = arg;
		return 1;
	case OPT_LOCAL_BINARIES:
		a->sym.local_binaries = true;
		return 1;
	case OPT_DEBUG_DIR:
		if (a->sym.ndebug_dirs == SYM_MAX_DEBUG_DIRS) {
			cli__error(cmd, "--debug-dir: at most %d directories", SYM_MAX_DEBUG_DIRS);
			return EXIT_USAGE;
		}
		a->sym.debug_dirs[a->sym.ndebug_dirs++] = arg;
		return 1;
	case OPT_INLINE:
		a->sym.inlines = true;
		return 1;
	case OPT_LINES:
		a->sym.lines = true;
		return 1;
	case OPT_STRICT:
		a->read_flags |= ST_READ_STRICT;
		return 1;
	case OPT_JSON:
		a->json = true;
		return 1;
	case OPT_CGROUP:
		a->cgroup = arg;
		return 1;
	case OPT_CONTAINER:
		a->container = arg;
		return 1;
	case 'h':
		a->help = true;
		return 1;
	}
	return 0;
bad:
	cli__error(cmd, "%s: invalid value '%s'", opt_name(c), arg);
	return EXIT_USAGE;
}

int analyze_args__by(const char *cmd, const char *arg, enum analyze_by *by)
{
	static const char *const names[] = { "thread", "process", "cgroup", "container" };

	for (int k = 0; k < 4; k++)
		if (!strcmp(arg, names[k])) {
			*by = (enum analyze_by)k;
			return 0;
		}
	cli__error(cmd, "--by: '%s' is not thread, process, cgroup or container", arg);
	return EXIT_USAGE;
}

int analyze_args__events_only(const char *cmd, int c)
{
	if (c != OPT_STATE && c != OPT_MIN_US && c != OPT_MAX_US)
		return 0;
	cli__error(cmd, "%s selects intervals; %s prints events (timeline prints intervals)",
		   opt_name(c), cmd);
	return EXIT_USAGE;
}

int analyze_args__file(struct analyze_args *a, const char *cmd, int argc, char **argv)
{
	if (optind + 1 != argc) {
		cli__error(cmd, "expects one trace file");
		return EXIT_USAGE;
	}
	if (a->f.has_begin && a->f.has_end && a->f.end_s <= a->f.begin_s) {
		cli__error(cmd, "--end must come after --begin");
		return EXIT_USAGE;
	}
	a->path = argv[optind];
	return 0;
}

/* A window that holds nothing of the trace is an error, said before any work. */
static int check_window(struct analyze_args *a, struct st_reader *r)
{
	struct model *m;
	struct filter f = a->f;

	if (!a->f.has_begin && !a->f.has_end)
		return 0;
	if (model__new(r, interval__ignore, NULL, &m))
		return 0; /* the command meets (and reports) the same failure */
	filter__resolve(&f, model__start(m), model__end(m));
	double span = (double)(model__end(m) - model__start(m)) / 1e9;
	model__free(m);
	if (!f.outside)
		return 0;
	if (a->f.has_begin && a->f.begin_s >= span)
		cli__error(a->path, "--begin %g is past the end of the trace (%.6f s): the window holds nothing",
			   a->f.begin_s, span);
	else
		cli__error(a->path, "--begin %g --end %g holds nothing of the trace (0 to %.6f s)",
			   a->f.begin_s, a->f.end_s, span);
	return -1;
}

/* --cgroup and --container: the trace's cgroups they select. Returns 0 or EXIT_USAGE (printed). */
static int resolve_cgroups(struct analyze_args *a, struct st_reader *r)
{
	struct cgroup_set s;
	char why[128];

	if (!a->cgroup && !a->container)
		return 0;
	if (a->cgroup && a->container) {
		cli__error(a->path, "give one of --cgroup and --container");
		return EXIT_USAGE;
	}
	if (!st_reader__ncgroups(r)) {
		cli__error(a->path, "the trace records no cgroups (recorded before schedtape 0.1's "
			   "format 1.3, or on a host without cgroup v2)");
		return EXIT_USAGE;
	}
	int err = a->cgroup ? cgroup_set__by_path(&s, r, a->cgroup, why, sizeof(why))
			    : cgroup_set__by_container(&s, r, a->container);
	if (err == -EINVAL) {
		cli__error(a->path, "--cgroup: %s: %s", a->cgroup, why);
		return EXIT_USAGE;
	}
	if (err) {
		cli__error(a->path, "%s", strerror(-err));
		return EXIT_FAIL;
	}
	if (!s.n) {
		cli__error(a->path, "no cgroup of the trace is %s '%s' (schedtape states --by %s lists them)",
			   a->cgroup ? "or matches" : "of container", a->cgroup ? a->cgroup : a->container,
			   a->cgroup ? "cgroup" : "container");
		cgroup_set__free(&s);
		return EXIT_USAGE;
	}
	filter__set_cgroups(&a->f, &s);
	return 0;
}

struct st_reader *analyze_args__open(struct analyze_args *a)
{
	struct st_reader *r = cli__open_trace(a->path, a->read_flags);

	if (r && (resolve_cgroups(a, r) || check_window(a, r))) {
		st_reader__free(r);
		return NULL;
	}
	return r;
}

struct model *analyze_args__model(struct analyze_args *a, struct st_reader *r, interval_fn fn,
				  void *ctx)
{
	struct model *m;
	int err = model__new(r, fn, ctx, &m);

	if (err) {
		cli__error(a->path, "%s", st_strerror(err));
		return NULL;
	}
	filter__resolve(&a->f, model__start(m), model__end(m));
	return m;
}

int analyze_args__run(struct analyze_args *a, struct model *m, struct st_reader *r)
{
	int err = model__run(m, r);

	if (err) {
		cli__error(a->path, "%s", st_strerror(err));
		return err;
	}
	/* Strict: events the model could not fit are failures too. */
	if ((a->read_flags & ST_READ_STRICT) && model__anomalies(m)) {
		for (int k = 0; k < AN_NKINDS; k++)
			if (model__anomalies_of(m, k))
				cli__error(a->path, "%llu events of kind %s: %s (--strict)",
					   (unsigned long long)model__anomalies_of(m, k),
					   anomaly_name((uint8_t)k), anomaly_text((uint8_t)k));
		return -ST_ERANGE;
	}
	return 0;
}

void analyze_args__free(struct analyze_args *a)
{
	filter__free(&a->f);
}
