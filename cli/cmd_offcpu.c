// SPDX-License-Identifier: MIT
/*
 * schedtape offcpu / offwake: folded stacks weighted by time off CPU, in the
 * formats of BCC's offcputime -f and offwaketime -f (flamegraph.pl input).
 */
#include <stdlib.h>
#include <string.h>

#include "analyze/folded.h"
#include "analyze/model.h"
#include "analyze_args.h"
#include "cli.h"

struct offcpu {
	struct analyze_args *a;
	struct folded f;
	bool wake;
	int err;
};

static void on_interval(void *ctx, const struct interval *iv)
{
	struct offcpu *oc = ctx;
	struct fold_key k;
	uint64_t start, end;

	if (iv->state != TS_SLEEPING && iv->state != TS_BLOCKED && iv->state != TS_RUNNABLE)
		return;
	if (oc->wake && !iv->woken)
		return;
	if (!filter__interval(&oc->a->f, iv, &start, &end) || end == start)
		return;
	folded__key_of(iv, oc->wake, &k);
	if (!oc->err)
		oc->err = folded__add(&oc->f, &k, end - start);
}

int offcpu__collect(struct analyze_args *a, bool wake, const struct fold_opts *fo,
		    struct st_reader **r, struct symbolizer **sym, struct fold_line **lines, long *n)
{
	struct offcpu oc = { .a = a, .wake = wake };
	struct model *m = NULL;

	if (!a->f.states)
		a->f.states = (1u << TS_SLEEPING) | (1u << TS_BLOCKED);
	*r = analyze_args__open(a);
	if (!*r)
		return -1;
	m = analyze_args__model(a, *r, on_interval, &oc);
	if (!m)
		return -1;
	int err = model__run(m, *r);
	model__free(m);
	if (!err)
		err = oc.err;
	if (!err)
		err = symbolizer__new(*r, &a->sym, sym);
	if (!err) {
		*n = folded__lines(&oc.f, *r, *sym, fo, lines);
		if (*n < 0)
			err = (int)*n;
		cli__symbols_hint(a->path, *sym, &a->sym, NULL);
	}
	folded__free(&oc.f);
	if (err) {
		cli__error(a->path, "%s", st_strerror(err));
		return err;
	}
	return 0;
}

static int run(int argc, char **argv, bool wake)
{
	enum { OPT_USER_ONLY = OPT_FIRST_OWN, OPT_KERNEL_ONLY, OPT_NO_TRIM, OPT_DELIM };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "user-only", no_argument, NULL, OPT_USER_ONLY },
		{ "kernel-only", no_argument, NULL, OPT_KERNEL_ONLY },
		{ "no-trim", no_argument, NULL, OPT_NO_TRIM },
		{ "delimited", no_argument, NULL, OPT_DELIM },
		{ 0 },
	};
	const char *cmd = wake ? "offwake" : "offcpu";
	struct analyze_args a = { 0 };
	struct fold_opts fo = { .user = true, .kernel = true, .trim = true, .waker = wake };
	struct symbolizer *sym = NULL;
	struct fold_line *lines = NULL;
	long nlines = 0;
	struct st_reader *r = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "Ukd", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, cmd, c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		switch (c) {
		case OPT_USER_ONLY: case 'U': fo.kernel = false; break;
		case OPT_KERNEL_ONLY: case 'k': fo.user = false; break;
		case OPT_NO_TRIM: fo.trim = false; break;
		case OPT_DELIM: case 'd': fo.delimiter = true; break;
		default:
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		if (wake)
			printf("Usage: %s offwake [OPTIONS] FILE\n"
			       "Folded off-wake stacks, as BCC offwaketime -f prints them: the\n"
			       "sleeper's stack, '--', the waker's stack reversed, the waker's name;\n"
			       "weighted by the microseconds each wakeup ended.\n",
			       prog_name);
		else
			printf("Usage: %s offcpu [OPTIONS] FILE\n"
			       "Folded off-CPU stacks, as BCC offcputime -f prints them:\n"
			       "comm;user frames;kernel frames microseconds. Default states: sleep,\n"
			       "block; '--state offcpu' adds run-queue wait after them.\n",
			       prog_name);
		printf(ANALYZE_HELP "  -U, --user-only       user frames only\n"
				    "  -k, --kernel-only     kernel frames only\n"
				    "  -d, --delimited       '-' between user and kernel frames\n"
				    "      --no-trim         keep scheduler and tracing frames\n");
		ret = EXIT_OK;
		goto out;
	}
	if (!fo.user && !fo.kernel) {
		cli__error(cmd, "--user-only and --kernel-only exclude each other");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = analyze_args__file(&a, cmd, argc, argv);
	if (!ret && a.json) {
		cli__error(cmd, "--json: the output is folded stacks (flamegraph.pl's input)");
		ret = EXIT_USAGE;
	}
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	if (offcpu__collect(&a, wake, &fo, &r, &sym, &lines, &nlines))
		goto out;
	for (long i = 0; i < nlines; i++)
		if (lines[i].ns >= 1000)
			printf("%s %llu\n", lines[i].stack, (unsigned long long)(lines[i].ns / 1000));
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	if (lines)
		folded__free_lines(lines, nlines);
	symbolizer__free(sym);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}

int cmd_offcpu(int argc, char **argv)
{
	return run(argc, argv, false);
}

int cmd_offwake(int argc, char **argv)
{
	return run(argc, argv, true);
}
