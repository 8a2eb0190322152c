/* SPDX-License-Identifier: MIT */
/*
 * A self-contained interactive SVG flamegraph from folded lines: hover for
 * details, click to zoom, search by regex. Frames suffixed _[k] are kernel,
 * _[w] waker frames (the suffix is not shown); '--' separates a sleeper's
 * stack from its waker's. With a second column of values (a differential
 * profile), widths follow the second and colours the change from the first.
 */
#ifndef SCHEDTAPE_EXPORT_FLAME_SVG_H
#define SCHEDTAPE_EXPORT_FLAME_SVG_H

#include <stdint.h>
#include <stdio.h>

struct flame_line {
	const char *stack; /* frames separated by ';' */
	uint64_t value;	   /* width */
	uint64_t before;   /* differential: the value it is compared with */
};

struct flame_opts {
	const char *title;
	const char *countname; /* the unit shown, e.g. "ms" */
	uint64_t per_unit;     /* values in one shown unit (0: 1): us values shown as ms: 1000 */
	unsigned int width;    /* pixels */
	int differential;      /* colour by value - before */
};

/* Write the SVG to @out. Returns 0, -ENOMEM, or -EIO if writing failed. */
int flame_svg__write(FILE *out, const struct flame_line *lines, long n, const struct flame_opts *o);

#endif
