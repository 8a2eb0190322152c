/* SPDX-License-Identifier: MIT */
/* Options every analysis command takes, and opening its trace. */
#ifndef SCHEDTAPE_CLI_ANALYZE_ARGS_H
#define SCHEDTAPE_CLI_ANALYZE_ARGS_H

#include <getopt.h>
#include <stdbool.h>

#include "analyze/filter.h"
#include "analyze/model.h"
#include "analyze/symbols.h"
#include "format/tape.h"

enum {
	OPT_BEGIN = 1000,
	OPT_END,
	OPT_STATE,
	OPT_MIN_US,
	OPT_MAX_US,
	OPT_SYMFS,
	OPT_LOCAL_BINARIES,
	OPT_DEBUG_DIR,
	OPT_INLINE,
	OPT_LINES,
	OPT_STRICT,
	OPT_JSON,
	OPT_CGROUP,
	OPT_CONTAINER,
	OPT_FIRST_OWN, /* commands number their own long options from here */
};

#define ANALYZE_SHORT_OPTS "p:t:c:C:h"
#define ANALYZE_LONG_OPTS                                                                          \
	{ "pid", required_argument, NULL, 'p' }, { "tid", required_argument, NULL, 't' },          \
	{ "comm", required_argument, NULL, 'c' }, { "cpu", required_argument, NULL, 'C' },        \
	{ "begin", required_argument, NULL, OPT_BEGIN },                                           \
	{ "end", required_argument, NULL, OPT_END },                                               \
	{ "state", required_argument, NULL, OPT_STATE },                                           \
	{ "min-us", required_argument, NULL, OPT_MIN_US },                                         \
	{ "max-us", required_argument, NULL, OPT_MAX_US },                                         \
	{ "symfs", required_argument, NULL, OPT_SYMFS },                                           \
	{ "local-binaries", no_argument, NULL, OPT_LOCAL_BINARIES },                               \
	{ "debug-dir", required_argument, NULL, OPT_DEBUG_DIR },                                   \
	{ "inline", no_argument, NULL, OPT_INLINE }, { "lines", no_argument, NULL, OPT_LINES },    \
	{ "strict", no_argument, NULL, OPT_STRICT }, { "json", no_argument, NULL, OPT_JSON },      \
	{ "cgroup", required_argument, NULL, OPT_CGROUP },                                         \
	{ "container", required_argument, NULL, OPT_CONTAINER },                                   \
	{ "help", no_argument, NULL, 'h' }

/* Symbol options beyond --symfs and --local-binaries (dump prints them too). */
#define SYMBOL_OPTS_HELP                                                                           \
	"      --debug-dir DIR   debug files by build-id under DIR/.build-id (repeatable)\n"       \
	"      --inline          name inlined calls too, as outer;inlined (needs DWARF)\n"       \
	"      --lines           file:line after each user frame (needs DWARF)\n"

/* All of them, for the commands about symbols (buildids, symbolize). */
#define SYMBOL_SEARCH_HELP                                                                         \
	"      --symfs DIR       look for binaries under DIR\n"                                   \
	"      --local-binaries  read binaries at the paths the trace recorded\n" SYMBOL_OPTS_HELP

#define ANALYZE_HELP                                                                               \
	"  -p, --pid PID[,PID]   only these processes\n"                                           \
	"  -t, --tid TID[,TID]   only these threads\n"                                             \
	"  -c, --comm REGEX      only threads whose name matches\n"                                \
	"      --cgroup PATH|RE  only threads in this cgroup (and below), or in cgroups\n"        \
	"                        whose path matches the regular expression\n"                   \
	"      --container NAME  only threads of this container (docker:ID, k8s:POD/ID,\n"      \
	"                        systemd:UNIT..., or the start of its id)\n"                      \
	"  -C, --cpu CPU[,CPU]   only intervals on these CPUs (where a thread ran or\n"            \
	"                        waited; a sleep counts on the CPU it left)\n"                    \
	"      --begin S         from S seconds after the start of the trace\n"                   \
	"      --end S           until S seconds after the start of the trace\n"                  \
	"      --state LIST      run, runnable, sleep, block, unknown, offcpu, all\n"             \
	"      --min-us N        ignore intervals shorter than N microseconds\n"                  \
	"      --max-us N        ignore intervals longer than N microseconds\n"                   \
	"      --symfs DIR       look for binaries under DIR (user frames)\n"                     \
	"      --local-binaries  read binaries at the paths the trace recorded (same build-id)\n"  \
	SYMBOL_OPTS_HELP                                                                           \
	"      --strict          fail on the first problem in the file, or any event that\n"      \
	"                        did not fit the model (see states --anomalies)\n"               \
	"      --json            machine-readable output\n"

struct analyze_args {
	struct filter f;
	bool json, help;
	struct sym_opts sym;
	const char *comm; /* the --comm pattern as given */
	const char *cgroup, *container; /* as given; resolved against the trace at open */
	unsigned int read_flags;
	const char *path;
};

/*
 * Handle option @c if it is a common one. Returns 1 if handled, 0 if not
 * ours, or EXIT_USAGE after printing what is wrong.
 */
int analyze_args__opt(struct analyze_args *a, const char *cmd, int c, const char *arg);

/*
 * For commands that print events (dump, map): the options that select
 * intervals are refused. Returns 0, or EXIT_USAGE after saying so for @c.
 */
int analyze_args__events_only(const char *cmd, int c);

/* --by's rows: per thread, process, cgroup or container. */
enum analyze_by { BY_THREAD, BY_PROCESS, BY_CGROUP, BY_CONTAINER };
/* Parse --by @arg into @by. Returns 0 or EXIT_USAGE (printed). */
int analyze_args__by(const char *cmd, const char *arg, enum analyze_by *by);

/* The one positional argument, the trace. Returns 0 or EXIT_USAGE (printed). */
int analyze_args__file(struct analyze_args *a, const char *cmd, int argc, char **argv);

/* Open the trace and resolve the window. NULL after printing the error. */
struct st_reader *analyze_args__open(struct analyze_args *a);

/*
 * A model over @r whose intervals go to @fn, with the window of @a resolved
 * against the trace. NULL after printing the error.
 */
struct model *analyze_args__model(struct analyze_args *a, struct st_reader *r, interval_fn fn,
				  void *ctx);

/* Feed the whole trace through @m. Returns 0, or the error after printing it. */
int analyze_args__run(struct analyze_args *a, struct model *m, struct st_reader *r);

void analyze_args__free(struct analyze_args *a);

#endif
