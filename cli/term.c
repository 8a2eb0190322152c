// SPDX-License-Identifier: MIT
/*
 * The terminal a table is printed on: its width, and whether to colour
 * (a terminal, not TERM=dumb, no NO_COLOR: https://no-color.org). Colour
 * codes are the CLI's own bytes: written to the descriptor, past the
 * escaping stream a trace's text goes through (safe_stdio.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

unsigned int term__width(void)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;

	if (c && *c) {
		char *end;
		unsigned long v = strtoul(c, &end, 10);
		if (!*end && v >= 20 && v <= 10000)
			return (unsigned int)v;
	}
	if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 20)
		return ws.ws_col;
	return 0;
}

bool term__color(void)
{
	const char *t = getenv("TERM"), *no = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && !(no && *no) && !(t && !strcmp(t, "dumb"));
}

void term__sgr(const char *code)
{
	char b[16];
	int n;

	if (!term__color())
		return;
	n = snprintf(b, sizeof(b), "\033[%sm", code);
	fflush(stdout);
	if (n > 0 && write(STDOUT_FILENO, b, (size_t)n) < 0)
		return;
}
