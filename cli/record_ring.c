// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "record_ring.h"

enum {
	OPT_RING = RING_OPT_BASE,
	OPT_ROTATE,
	OPT_KEEP,
	OPT_TRIGGER,
	OPT_PRE,
	OPT_POST,
	OPT_COOLDOWN,
	OPT_START_AT,
};

const struct option ring_options[] = {
	{ "ring", required_argument, NULL, OPT_RING },
	{ "rotate", required_argument, NULL, OPT_ROTATE },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "trigger", required_argument, NULL, OPT_TRIGGER },
	{ "pre", required_argument, NULL, OPT_PRE },
	{ "post", required_argument, NULL, OPT_POST },
	{ "cooldown", required_argument, NULL, OPT_COOLDOWN },
	{ "start-at", required_argument, NULL, OPT_START_AT },
	{ 0 },
};

int record__parse_size(const char *s, uint64_t min, uint64_t max, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return -EINVAL;
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end || v > (max >> shift) || (v << shift) < min)
		return -EINVAL;
	*out = (size_t)(v << shift);
	return 0;
}

void ring_args__init(struct ring_args *r)
{
	memset(r, 0, sizeof(*r));
	r->max_bytes = 256u << 20;
	r->pre_ns = 10000000000ull;
	r->post_ns = 2000000000ull;
	r->cooldown_ns = 30000000000ull;
}

void ring_args__fini(struct ring_args *r)
{
	for (size_t i = 0; i < r->ntriggers; i++)
		trigger__fini(&r->triggers[i]);
	r->ntriggers = 0;
}

static int time_opt(const char *opt, const char *arg, uint64_t *ns, bool *given)
{
	if (duration__parse(arg, ns)) {
		cli__error("record", "%s: '%s' is not a time such as 10s, 500ms or 2m", opt, arg);
		return EXIT_USAGE;
	}
	*given = true;
	return 0;
}

static int ring__parse(struct ring_args *r, const char *arg)
{
	char dur[64];
	const char *comma = strchr(arg, ',');
	size_t n = comma ? (size_t)(comma - arg) : strlen(arg);

	r->ring = arg;
	if (n >= sizeof(dur))
		goto bad;
	memcpy(dur, arg, n);
	dur[n] = 0;
	if (duration__parse(dur, &r->duration_ns) || r->duration_ns < 1000000000ull)
		goto bad;
	if (comma && record__parse_size(comma + 1, 1u << 20, 64ull << 30, &r->max_bytes))
		goto bad;
	return 0;
bad:
	cli__error("record", "--ring: '%s' is not DURATION[,SIZE] (e.g. 30s,256M; at least 1s, 1M)",
		   arg);
	return EXIT_USAGE;
}

/* "+10", "+00:00:10": the period; else epoch seconds. */
static int start_at__parse(struct ring_args *r, const char *arg)
{
	struct timespec now;
	char *end;

	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	r->start_at = arg;
	if (arg[0] == '+') {
		unsigned int h = 0, m = 0;
		double sec;
		if (sscanf(arg + 1, "%u:%u:%lf", &h, &m, &sec) != 3) {
			h = m = 0;
			sec = strtod(arg + 1, &end);
			if (end == arg + 1 || *end)
				goto bad;
		}
		double period = h * 3600.0 + m * 60.0 + sec;
		if (!(period >= 0.001) || period > 86400.0)
			goto bad;
		uint64_t p = (uint64_t)(period * 1e9 + 0.5);
		/* A second ahead at least: loading the BPF programs comes first. */
		r->start_realtime_ns = ((now_ns + 1000000000ull) / p + 1) * p;
		return 0;
	}
	double t = strtod(arg, &end);
	if (end == arg || *end || !(t > 0))
		goto bad;
	r->start_realtime_ns = (uint64_t)(t * 1e9);
	if (r->start_realtime_ns + 1000000000ull < now_ns) {
		cli__error("record", "--start-at: %s is in the past", arg);
		return EXIT_USAGE;
	}
	if (r->start_realtime_ns > now_ns + 86400ull * 1000000000ull) {
		cli__error("record", "--start-at: %s is more than a day ahead", arg);
		return EXIT_USAGE;
	}
	return 0;
bad:
	cli__error("record",
		   "--start-at: '%s' is not epoch seconds or +SECS / +HH:MM:SS (a period)", arg);
	return EXIT_USAGE;
}

int ring_args__option(struct ring_args *r, int opt, const char *arg)
{
	char why[256];

	switch (opt) {
	case OPT_RING:
		return ring__parse(r, arg);
	case OPT_ROTATE:
		if (record__parse_size(arg, 64u << 10, 64ull << 30, &r->rotate_bytes)) {
			cli__error("record", "--rotate: '%s' is not a size from 64K to 64G", arg);
			return EXIT_USAGE;
		}
		return 0;
	case OPT_KEEP: {
		char *end;
		unsigned long k = strtoul(arg, &end, 10);
		if (!*arg || *end || !k || k > 100000) {
			cli__error("record", "--keep: '%s' is not a count from 1", arg);
			return EXIT_USAGE;
		}
		r->keep = (unsigned int)k;
		r->has_keep = true;
		return 0;
	}
	case OPT_TRIGGER:
		if (r->ntriggers == RING_MAX_TRIGGERS) {
			cli__error("record", "--trigger: at most %d", RING_MAX_TRIGGERS);
			return EXIT_USAGE;
		}
		if (trigger__parse(arg, &r->triggers[r->ntriggers], why, sizeof(why))) {
			cli__error("record", "--trigger: %s", why);
			return EXIT_USAGE;
		}
		r->ntriggers++;
		return 0;
	case OPT_PRE:
		return time_opt("--pre", arg, &r->pre_ns, &r->has_pre);
	case OPT_POST:
		return time_opt("--post", arg, &r->post_ns, &r->has_post);
	case OPT_COOLDOWN:
		return time_opt("--cooldown", arg, &r->cooldown_ns, &r->has_cooldown);
	case OPT_START_AT:
		return start_at__parse(r, arg);
	}
	return EXIT_USAGE;
}

bool ring_args__active(const struct ring_args *r)
{
	return r->ring || r->rotate_bytes;
}

int ring_args__check(struct ring_args *r, const char *output)
{
	const char *needs_ring = r->ntriggers ? "--trigger" : r->has_pre ? "--pre"
				 : r->has_post ? "--post" : r->has_cooldown ? "--cooldown"
				 : r->has_keep ? "--keep" : NULL;

	if (!ring_args__active(r)) {
		if (needs_ring) {
			cli__error("record", "%s needs --ring or --rotate", needs_ring);
			return EXIT_USAGE;
		}
		return 0;
	}
	if (r->ntriggers && !r->ring) {
		cli__error("record", "--trigger needs --ring (the window before the wait)");
		return EXIT_USAGE;
	}
	/* A trigger's window must still be in the ring when it is written. */
	if (r->ntriggers && r->pre_ns + r->post_ns + 1000000000ull > r->duration_ns) {
		cli__error("record", "--pre + --post (%.1f s) must be at least 1 s less than --ring's %.1f s",
			   (double)(r->pre_ns + r->post_ns) / 1e9, (double)r->duration_ns / 1e9);
		return EXIT_USAGE;
	}
	if (!strcmp(output, "-")) {
		cli__error("record", "--ring and --rotate write files: -o DIR or -o PATTERN, not '-'");
		return EXIT_USAGE;
	}
	struct stat st;
	if (!strchr(output, '%') && (stat(output, &st) || !S_ISDIR(st.st_mode))) {
		cli__error(output, "not a directory (--ring and --rotate take -o DIR or a pattern with %%)");
		return EXIT_USAGE;
	}
	if (r->rotate_bytes && r->max_bytes < 2 * r->rotate_bytes)
		r->max_bytes = 2 * r->rotate_bytes; /* room for the next file while one is written */
	return 0;
}

void ring_args__session(const struct ring_args *r, const char *output, struct session_ring_opts *o)
{
	memset(o, 0, sizeof(*o));
	if (!ring_args__active(r))
		return;
	o->output = output;
	o->duration_ns = r->duration_ns;
	o->max_bytes = r->max_bytes;
	o->keep = r->keep;
	o->rotate_bytes = r->rotate_bytes;
	o->triggers = r->triggers;
	o->ntriggers = r->ntriggers;
	o->pre_ns = r->pre_ns;
	o->post_ns = r->post_ns;
	o->cooldown_ns = r->cooldown_ns;
	o->ring_spec = r->ring;
}

int ring_args__wait_start(const struct ring_args *r, volatile sig_atomic_t *stop)
{
	struct timespec at = { .tv_sec = (time_t)(r->start_realtime_ns / 1000000000ull),
			       .tv_nsec = (long)(r->start_realtime_ns % 1000000000ull) };

	struct timespec now;

	if (!r->start_at)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t now_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	if (now_ns > r->start_realtime_ns + 1000000ull)
		cli__error("record", "--start-at %s: starting %.3f s late (loading took longer)",
			   r->start_at, (double)(now_ns - r->start_realtime_ns) / 1e9);
	while (!*stop) {
		int rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL);
		if (rc == 0)
			return 0;
		if (rc != EINTR)
			return 0;
	}
	return 1;
}

int ring__report_dumps(struct session *s, bool quiet)
{
	struct session_dump d[8];
	int failed = 0;
	size_t n;

	while ((n = session__dumps_done(s, d, 8)) > 0) {
		for (size_t i = 0; i < n; i++) {
			if (d[i].err) {
				cli__error(d[i].path[0] ? d[i].path : "record", "%s dump failed: %s",
					   d[i].reason, strerror(-d[i].err));
				failed++;
				continue;
			}
			if (!quiet)
				fprintf(stderr, "%s: %s: wrote %s (%.1f s, %s events, %s)\n",
					prog_name, d[i].reason, d[i].path,
					(double)(d[i].to - d[i].from) / 1e9, fmt__count(d[i].events),
					fmt__bytes(d[i].bytes));
		}
		if (n < 8)
			break;
	}
	return failed;
}
