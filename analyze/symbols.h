/* SPDX-License-Identifier: MIT */
/*
 * Naming stack frames. Kernel frames from the trace's kernel symbols; user
 * frames from symbols embedded in the trace (--symbols=embed, JIT maps),
 * else from this machine's files found by build-id (symbolize/symfile.h:
 * debug directories, --symfs, --debug-dir, debuginfod), or, when the user
 * asks, at the recorded path when that file's build-id matches the
 * recorded one; else "file+0xoffset". A trace never makes the analyzer open
 * anything but regular files in those places, and only reads them as ELF.
 */
#ifndef SCHEDTAPE_ANALYZE_SYMBOLS_H
#define SCHEDTAPE_ANALYZE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "format/tape.h"

struct symbolizer;

#define SYM_MAX_DEBUG_DIRS 8

/*
 * Where user frames may be named from, besides symbols embedded in the
 * trace. A trace is untrusted: the paths it records are read only when the
 * user asks (@local_binaries), and only files whose build-id matches.
 */
struct sym_opts {
	const char *symfs; /* a root holding the binaries (and .build-id/ debug files) */
	const char *debug_dirs[SYM_MAX_DEBUG_DIRS]; /* more .build-id/ roots */
	size_t ndebug_dirs;
	bool local_binaries; /* read binaries at their recorded paths on this machine */
	bool no_debug_dir;   /* skip /usr/lib/debug/.build-id too (fuzzing) */
	bool inlines;	     /* name inlined calls too: "outer;inlined" */
	bool lines;	     /* " (file:line)" after each name */
};

/* @o may be NULL (debug files only). Returns 0 or -ENOMEM. */
int symbolizer__new(const struct st_reader *r, const struct sym_opts *o, struct symbolizer **out);
void symbolizer__free(struct symbolizer *s);

/*
 * The name of frame @f of a stack of @kind (enum st_stack_kind). The result
 * stays valid until the symbolizer is freed.
 */
const char *symbolizer__name(struct symbolizer *s, uint8_t kind, const struct st_frame *f);

/*
 * The function at file offset @off of map @map from this machine's files
 * (not the trace's symbols), or NULL; *start and *size its extent in file
 * offsets. For embedding names into a trace.
 */
const char *symbolizer__local_function(struct symbolizer *s, uint32_t map, uint64_t off,
				       uint64_t *start, uint64_t *size);

/* Whether user frame names hold inlined calls, "outer;inlined" (--inline). */
bool symbolizer__inlines(const struct symbolizer *s);

/* How the user frames of one mapped file fared, over every user stack of the trace. */
struct sym_binary {
	const struct st_map *map;
	const char *why;    /* why its frames are unnamed; NULL if it was found */
	const char *source; /* where its names came from: "trace", "debug file", ... */
	uint64_t frames, unnamed;
	uint64_t stacks, cut;	/* stacks through it, and of them cut short */
	bool no_frame_pointers; /* its code sets up no frame pointers, and stacks were cut */
	bool no_symbols;	/* found here, stripped of function symbols */
	bool not_code;		/* "[unmapped]": addresses a broken chain made up */
};

struct sym_survey {
	struct sym_binary *bins; /* by map, in map id order; then "[unknown]" (map 0) */
	size_t n;
	uint64_t frames, unnamed; /* all user frames */
};

/* Survey every user stack of the trace (names each frame once). Returns 0 or -ENOMEM. */
int symbolizer__survey(struct symbolizer *s, struct sym_survey *out);
void sym_survey__free(struct sym_survey *sv);

#endif
