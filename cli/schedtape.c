// SPDX-License-Identifier: MIT
/* schedtape: one binary, one command table. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

const char *prog_name = "schedtape";

enum needs { NEEDS_NOTHING, NEEDS_ROOT, NEEDS_TRACE };

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	enum needs needs;
	const char *summary;
};

static const struct cmd cmds[] = {
#ifdef HAVE_RECORD
	{ "record", cmd_record, NEEDS_ROOT, "record scheduler events into a trace file" },
#endif
	{ "info", cmd_info, NEEDS_TRACE, "what a trace holds: host, span, events, losses" },
	{ "dump", cmd_dump, NEEDS_TRACE, "every event in time order, one per line" },
	{ "states", cmd_states, NEEDS_TRACE, "run, wait, sleep, block time per thread" },
	{ "timeline", cmd_timeline, NEEDS_TRACE, "one thread's intervals in order" },
	{ "hist", cmd_hist, NEEDS_TRACE, "log2 histograms of run-queue wait, sleep or block" },
	{ "map", cmd_map, NEEDS_TRACE, "which thread ran on each CPU, switch by switch (perf sched map)" },
	{ "cpus", cmd_cpus, NEEDS_TRACE, "per CPU over time: busy, idle, run-queue depth" },
	{ "latency", cmd_latency, NEEDS_TRACE, "per thread: waits for a CPU, p50/p99/max, and when" },
	{ "offcpu", cmd_offcpu, NEEDS_TRACE, "folded off-CPU stacks (flamegraph input)" },
	{ "offwake", cmd_offwake, NEEDS_TRACE, "folded off-wake stacks: sleeper -- waker" },
	{ "chains", cmd_chains, NEEDS_TRACE, "multi-hop wakeup chains with stacks at every hop" },
	{ "waitfor", cmd_waitfor, NEEDS_TRACE, "who ran while a thread waited for a CPU" },
	{ "flame", cmd_flame, NEEDS_TRACE, "interactive SVG flamegraph of off-CPU, off-wake, chains" },
	{ "export", cmd_export, NEEDS_TRACE, "Perfetto trace, Parquet or CSV tables for SQL engines" },
	{ "report", cmd_report, NEEDS_TRACE, "one self-contained HTML page of a trace, for a bug report" },
	{ "buildids", cmd_buildids, NEEDS_TRACE, "binaries the stacks need, build-ids, symbols found here" },
	{ "symbolize", cmd_symbolize, NEEDS_TRACE, "a copy of a trace with user frames' names embedded" },
	{ "diff", cmd_diff, NEEDS_TRACE, "two traces side by side, and differential stacks" },
	{ 0 },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s COMMAND [OPTIONS] [FILE]\n\ncommands:\n", prog_name);
	for (const struct cmd *c = cmds; c->name; c++)
		fprintf(f, "  %-10s %s%s\n", c->name, c->summary,
			c->needs == NEEDS_ROOT ? " (root or CAP_BPF+CAP_PERFMON)" : "");
#ifndef HAVE_RECORD
	fprintf(f, "\n'record' is not built in: this build had no libbpf/clang/bpftool.\n");
#endif
	fprintf(f, "\n'%s help COMMAND' (or '%s COMMAND --help') for a command's options;\n"
		   "'%s --version' for the version.\n",
		prog_name, prog_name, prog_name);
}

static int flush_stdout(int ret);

static const struct cmd *find(const char *name)
{
	for (const struct cmd *c = cmds; c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

/*
 * Run command @c: getopt names it in its errors ("schedtape: states: ..."), and a
 * usage error ends with where to look.
 */
static int run(const struct cmd *c, int argc, char **argv)
{
	static char arg0[64];
	int ret;

	snprintf(arg0, sizeof(arg0), "%s: %s", prog_name, c->name);
	argv[0] = arg0;
	/* What an analysis prints comes partly from the (untrusted) trace. */
	if (c->needs == NEEDS_TRACE)
		safe_stdio__install();
	/* export draws its own progress (--no-progress). */
	if (c->needs == NEEDS_TRACE && strcmp(c->name, "export"))
		progress__start(c->name);
	ret = c->fn(argc, argv);
	progress__stop();
	if (ret == EXIT_USAGE)
		fprintf(stderr, "Try '%s %s --help'.\n", prog_name, c->name);
	return flush_stdout(ret);
}

/* A closed pipe or a full disk must fail the command, not pass silently. */
static int flush_stdout(int ret)
{
	if (fflush(stdout) || ferror(stdout)) {
		cli__error("standard output", "%s", strerror(errno ? errno : EIO));
		return ret ? ret : EXIT_FAIL;
	}
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") && argc > 2) {
		const struct cmd *c = find(argv[2]);
		if (!c) {
			cli__error(NULL, "help: no command '%s'", argv[2]);
			usage(stderr);
			return EXIT_USAGE;
		}
		char *hargv[] = { argv[2], "--help", NULL };
		return run(c, 2, hargv);
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return flush_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("schedtape %s (format %d.%d)\n", SCHEDTAPE_VERSION, ST_VERSION_MAJOR,
		       ST_VERSION_MINOR);
		return flush_stdout(EXIT_OK);
	}
	const struct cmd *c = find(argv[1]);
	if (c)
		return run(c, argc - 1, argv + 1);
	cli__error(NULL, "unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
