// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dumpfile.h"

struct dumpfiles {
	char *where;
	bool pattern;
	unsigned int keep;
	char **kept; /* the dumps written, oldest first (keep > 0 only) */
	unsigned int nkept;
};

struct dumpfiles *dumpfiles__new(const char *where, unsigned int keep)
{
	struct dumpfiles *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->where = strdup(where);
	d->pattern = strchr(where, '%') != NULL;
	d->keep = keep;
	if (keep)
		d->kept = calloc(keep, sizeof(*d->kept));
	if (!d->where || (keep && !d->kept)) {
		dumpfiles__free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

void dumpfiles__free(struct dumpfiles *d)
{
	if (!d)
		return;
	for (unsigned int i = 0; i < d->nkept; i++)
		free(d->kept[i]);
	free(d->kept);
	free(d->where);
	free(d);
}

/* The pattern with %N (milliseconds) put in, then strftime. */
static int expand(const struct dumpfiles *d, uint64_t realtime_ns, const char *reason, char *out,
		  size_t len)
{
	time_t secs = (time_t)(realtime_ns / 1000000000u);
	unsigned int ms = (unsigned int)(realtime_ns / 1000000u % 1000u);
	char fmt[PATH_MAX];
	struct tm tm;

	gmtime_r(&secs, &tm);
	if (!d->pattern) {
		char stamp[40];
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
		int n = snprintf(out, len, "%s/schedtape-%s.%03uZ-%s.tape", d->where, stamp, ms,
				 reason);
		return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
	}
	size_t o = 0;
	for (const char *p = d->where; *p; p++) {
		if (p[0] == '%' && p[1] == 'N') {
			o += (size_t)snprintf(fmt + o, sizeof(fmt) - o, "%03u", ms);
			p++;
		} else if (p[0] == '%' && p[1] == 'R') {
			o += (size_t)snprintf(fmt + o, sizeof(fmt) - o, "%s", reason);
			p++;
		} else if (o + 1 < sizeof(fmt)) {
			fmt[o++] = *p;
		}
		if (o >= sizeof(fmt) - 1)
			return -ENAMETOOLONG;
	}
	fmt[o] = 0;
	size_t n = strftime(out, len, fmt, &tm);
	return n ? 0 : -ENAMETOOLONG;
}

int dumpfiles__create(struct dumpfiles *d, uint64_t realtime_ns, const char *reason, char *path,
		      size_t len)
{
	char base[PATH_MAX];
	int err = expand(d, realtime_ns, reason, base, sizeof(base));

	if (err)
		return err;
	/* Never over a file: the same second twice gets a suffix before .tape. */
	for (unsigned int i = 0; i < 1000; i++) {
		size_t blen = strlen(base);
		bool tape = blen > 5 && !strcmp(base + blen - 5, ".tape");
		int n = i ? snprintf(path, len, "%.*s-%u%s", (int)(tape ? blen - 5 : blen), base, i,
				     tape ? ".tape" : "")
			  : snprintf(path, len, "%s", base);
		if (n < 0 || (size_t)n >= len)
			return -ENAMETOOLONG;
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

void dumpfiles__written(struct dumpfiles *d, const char *path)
{
	if (!d->keep)
		return;
	if (d->nkept == d->keep) {
		unlink(d->kept[0]);
		free(d->kept[0]);
		memmove(d->kept, d->kept + 1, (d->keep - 1) * sizeof(*d->kept));
		d->nkept--;
	}
	d->kept[d->nkept] = strdup(path);
	if (d->kept[d->nkept])
		d->nkept++;
}
