/* SPDX-License-Identifier: MIT */
/*
 * Symbols of JIT-compiled code, copied into the trace at the end of a
 * recording from the files runtimes write for perf: /tmp/perf-PID.map
 * ("START SIZE name" lines: Node --perf-basic-prof, Java's perf-map-agent,
 * LuaJIT, Python 3.12's perf trampoline) and /tmp/jit-PID.dump (the
 * jitdump format's code-load records). Each becomes a USYM of the
 * process's "//anon" map, whose offsets are addresses.
 */
#ifndef SCHEDTAPE_RECORD_JITMAPS_H
#define SCHEDTAPE_RECORD_JITMAPS_H

#include <stdint.h>

#include "format/tape.h"

struct umaps;

struct jit_stats {
	uint64_t symbols;
	uint64_t dropped; /* symbols beyond the budget */
};

/* Add the symbols of every process with anonymous code to @c, at most @budget bytes of names. */
void jitmaps__collect(struct umaps *u, struct st_chunk *c, uint64_t budget, struct jit_stats *st);

#endif
