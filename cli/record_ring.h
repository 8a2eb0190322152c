/* SPDX-License-Identifier: MIT */
/*
 * record's always-on options: the flight recorder (--ring, --rotate,
 * --keep), its triggers (--trigger, --pre, --post, --cooldown) and a start
 * at a wall-clock instant (--start-at). Parsed here; record/ does the work.
 */
#ifndef SCHEDTAPE_CLI_RECORD_RING_H
#define SCHEDTAPE_CLI_RECORD_RING_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/session.h"
#include "record/trigger.h"

#define RING_MAX_TRIGGERS 8

struct ring_args {
	const char *ring; /* as given */
	uint64_t duration_ns;
	size_t max_bytes;
	size_t rotate_bytes;
	unsigned int keep;
	bool has_keep;
	struct trigger triggers[RING_MAX_TRIGGERS];
	size_t ntriggers;
	uint64_t pre_ns, post_ns, cooldown_ns;
	bool has_pre, has_post, has_cooldown;
	const char *start_at;
	uint64_t start_realtime_ns; /* the instant --start-at names, once parsed */
};

/* The long options, for record's table; their values start at RING_OPT_BASE. */
#define RING_OPT_BASE 512
extern const struct option ring_options[];
#define RING_OPTIONS_HELP                                                                          \
	"      --ring DUR[,SIZE] flight recorder: keep the last DUR (e.g. 30s) in memory,\n"       \
	"                        at most SIZE compressed (default 256M); write it on\n"           \
	"                        SIGUSR1, on a trigger and at exit, into -o DIR (default .)\n"    \
	"                        or -o PATTERN (strftime, UTC; %%N ms, %%R the reason)\n"           \
	"      --rotate SIZE     write a standalone file each SIZE of compressed events\n"        \
	"      --keep N          keep the newest N files written, remove older ones\n"            \
	"      --trigger SPEC    dump when a wait exceeds a bound: runnable>20ms, sleep>1s,\n"    \
	"                        block>100ms; ',comm=REGEX', ',pid=N', ',cgroup=PATH' narrow\n"   \
	"                        it (up to 8 triggers)\n"                                          \
	"      --pre TIME        a trigger's dump starts TIME before the wait (default 10s)\n"    \
	"      --post TIME       and ends TIME after it (default 2s)\n"                           \
	"      --cooldown TIME   at most one trigger dump per TIME (default 30s)\n"               \
	"      --start-at TIME   start at a wall-clock instant: epoch seconds, or +SECS\n"        \
	"                        (+HH:MM:SS) for the next multiple of that period\n"

void ring_args__init(struct ring_args *r);
void ring_args__fini(struct ring_args *r);
/* An option of ring_options. Returns 0 or EXIT_USAGE (printed). */
int ring_args__option(struct ring_args *r, int opt, const char *arg);
/* After parsing: the options agree with each other. Returns 0 or EXIT_USAGE (printed). */
int ring_args__check(struct ring_args *r, const char *output);
bool ring_args__active(const struct ring_args *r);
void ring_args__session(const struct ring_args *r, const char *output,
			struct session_ring_opts *o);

/*
 * Wait for --start-at's instant (a signal in @stop ends the wait). Returns 0,
 * or 1 if stopped.
 */
int ring_args__wait_start(const struct ring_args *r, volatile sig_atomic_t *stop);

/* "8M", "256MiB", "1G": a size in [@min, @max]. Returns 0 or -EINVAL. */
int record__parse_size(const char *s, uint64_t min, uint64_t max, size_t *out);

/* Say what dumps the session finished. Returns the number that failed. */
int ring__report_dumps(struct session *s, bool quiet);

#endif
