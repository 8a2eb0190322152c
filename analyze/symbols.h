/* SPDX-License-Identifier: MIT */
/*
 * Naming stack frames. Kernel frames from the trace's kernel symbols; user
 * frames from symbols embedded in the trace, else from ELF files found by
 * build-id (debug directories, --symfs), or, when the user asks, at the
 * recorded path when that file's build-id matches the recorded one; else
 * "file+0xoffset". A trace never makes the analyzer open anything but
 * regular files in those places, and only reads them as ELF.
 */
#ifndef SCHEDTAPE_ANALYZE_SYMBOLS_H
#define SCHEDTAPE_ANALYZE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "format/tape.h"

struct symbolizer;

/*
 * Where user frames may be named from, besides symbols embedded in the
 * trace. A trace is untrusted: the paths it records are read only when the
 * user asks (@local_binaries), and only files whose build-id matches.
 */
struct sym_opts {
	const char *symfs;   /* a root holding the binaries (and .build-id/ debug files) */
	bool local_binaries; /* read binaries at their recorded paths on this machine */
	bool no_debug_dir;   /* skip /usr/lib/debug/.build-id too (fuzzing) */
};

/* @o may be NULL (debug files only). Returns 0 or -ENOMEM. */
int symbolizer__new(const struct st_reader *r, const struct sym_opts *o, struct symbolizer **out);

/* How many mapped files named no frame because no binary or debug file was found. */
unsigned int symbolizer__unnamed_files(const struct symbolizer *s);
void symbolizer__free(struct symbolizer *s);

/*
 * The name of frame @f of a stack of @kind (enum st_stack_kind). The result
 * stays valid until the symbolizer is freed.
 */
const char *symbolizer__name(struct symbolizer *s, uint8_t kind, const struct st_frame *f);

#endif
