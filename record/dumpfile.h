/* SPDX-License-Identifier: MIT */
/*
 * Where the flight recorder's dumps go: a directory (names by the window's
 * end, UTC) or a strftime pattern; created 0600, never over an existing
 * file (a -1, -2... suffix instead); with a keep count, the oldest dumps
 * this recorder made are removed past it.
 */
#ifndef SCHEDTAPE_RECORD_DUMPFILE_H
#define SCHEDTAPE_RECORD_DUMPFILE_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct dumpfiles;

/*
 * @where: a directory, or a pattern when it holds '%' (strftime, UTC, plus
 * %N for milliseconds). @keep 0: keep all. Returns NULL with errno set.
 */
struct dumpfiles *dumpfiles__new(const char *where, unsigned int keep);
void dumpfiles__free(struct dumpfiles *d);

/*
 * Create the file for a dump whose window ends at @realtime_ns (wall clock)
 * with @reason in its name ("signal", "trigger", "exit", "rotate"). Returns
 * the fd (path in @path) or -errno.
 */
int dumpfiles__create(struct dumpfiles *d, uint64_t realtime_ns, const char *reason, char *path,
		      size_t len);

/* @path was written: remember it, and remove the oldest past the keep count. */
void dumpfiles__written(struct dumpfiles *d, const char *path);

#endif
