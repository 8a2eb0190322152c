// SPDX-License-Identifier: MIT
/* Shared output helpers of the command-line layer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "analyze/filter.h"
#include "analyze/symbols.h"
#include "base/text.h"
#include "cli.h"

void cli__error(const char *what, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog_name);
	if (what)
		fprintf(stderr, "%s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

struct st_reader *cli__open_trace(const char *path, unsigned int flags)
{
	struct st_reader *r = NULL;
	int err;

	if (!strcmp(path, "-"))
		err = st_reader__open_fd(STDIN_FILENO, flags, &r);
	else
		err = st_reader__open(path, flags, &r);
	if (err) {
		cli__error(path, "%s", st_strerror(err));
		return NULL;
	}
	cli__warn_problems(path, r);
	return r;
}

void cli__warn_problems(const char *path, struct st_reader *r)
{
	/* One reader at a time per process: remember how many were printed. */
	static const struct st_reader *last;
	static size_t printed;
	size_t n;
	const struct st_problem *p = st_reader__problems(r, &n);

	if (last != r) {
		last = r;
		printed = 0;
	}
	for (size_t i = printed; i < n; i++)
		fprintf(stderr, "%s: %s: warning: at offset %llu: %s%s%s\n", prog_name, path,
			(unsigned long long)p[i].offset, st_strerror(p[i].err),
			p[i].detail[0] ? ": " : "", p[i].detail);
	printed = n;
}

FILE *cli__open_output(const char *path)
{
	if (!strcmp(path, "-"))
		return stdout;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f)
		cli__error(path, "cannot create: %s", strerror(errno));
	return f;
}

int cli__close_output(FILE *f)
{
	if (f == stdout)
		return fflush(f) ? -errno : 0;
	return fclose(f) ? -errno : 0;
}

int cli__pick(const char *cmd, const char **picked, const char *opt)
{
	if (*picked && strcmp(*picked, opt)) {
		cli__error(cmd, "%s and %s exclude each other", *picked, opt);
		return EXIT_USAGE;
	}
	*picked = opt;
	return 0;
}

int analyze_args__need_threads(const struct filter *f, const char *cmd)
{
	if (f->ntids || f->npids || f->has_comm)
		return 0;
	cli__error(cmd, "choose threads with -t TID (or -p PID, --comm REGEX)");
	return EXIT_USAGE;
}

void json__str(FILE *f, const char *s)
{
	text__json(f, s);
}

const char *tx(const char *s)
{
	static char bufs[8][1024];
	static unsigned int i;

	return text__terminal(bufs[i++ % 8], sizeof(bufs[0]), s ? s : "");
}

static char *ring__next(void)
{
	static char bufs[8][32];
	static unsigned int i;

	return bufs[i++ % 8];
}

const char *fmt__count(uint64_t n)
{
	char tmp[32], *out = ring__next();
	int len = snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)n), o = 0;

	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = tmp[i];
	}
	out[o] = 0;
	return out;
}

const char *fmt__bytes(uint64_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	char *out = ring__next();
	double v = (double)n;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(out, 32, "%llu B", (unsigned long long)n);
	else
		snprintf(out, 32, "%.1f %s", v, units[u]);
	return out;
}
