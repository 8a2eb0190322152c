// SPDX-License-Identifier: MIT
/*
 * A progress line on a terminal for commands that take more than a second:
 * how far into the trace the current pass is, and which pass (chains and the
 * report read the trace several times). Silent when stderr is not a terminal;
 * SCHEDTAPE_PROGRESS_AFTER sets the second (default 1) it waits before showing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyze/model.h"
#include "cli.h"

static struct {
	const char *cmd;
	double after; /* seconds before the line shows: 1, or SCHEDTAPE_PROGRESS_AFTER */
	struct timespec start;
	uint64_t last_done;
	unsigned int pass;
	bool shown;
} pr;

static double since_start(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - pr.start.tv_sec) + (double)(now.tv_nsec - pr.start.tv_nsec) / 1e9;
}

/* The CLI's own bytes: straight to the descriptor, past the escaping of trace text. */
static void emit(const char *s, int n)
{
	fflush(stderr);
	if (n > 0 && write(STDERR_FILENO, s, (size_t)n) < 0)
		return;
}

static void on_progress(void *ctx, uint64_t done, uint64_t span)
{
	(void)ctx;
	if (done < pr.last_done)
		pr.pass++; /* the trace is read again */
	pr.last_done = done;
	if (!span || since_start() < pr.after)
		return;
	char line[96];
	int n = snprintf(line, sizeof(line), "\r%s %s: %3u%%", prog_name, pr.cmd,
			 (unsigned int)(done >= span ? 100 : done * 100 / span));
	if (pr.pass && n > 0 && (size_t)n < sizeof(line))
		n += snprintf(line + n, sizeof(line) - (size_t)n, " (pass %u)", pr.pass + 1);
	emit(line, n);
	pr.shown = true;
}

void progress__start(const char *cmd)
{
	if (!isatty(STDERR_FILENO))
		return;
	pr.cmd = cmd;
	const char *after = getenv("SCHEDTAPE_PROGRESS_AFTER");
	pr.after = after && *after ? atof(after) : 1.0;
	clock_gettime(CLOCK_MONOTONIC, &pr.start);
	model__progress_hook(on_progress, NULL);
}

void progress__stop(void)
{
	model__progress_hook(NULL, NULL);
	if (pr.shown)
		emit("\r\033[K", 4);
	pr.shown = false;
}
