/* SPDX-License-Identifier: MIT */
/*
 * Naming stack frames. Kernel frames from the trace's kernel symbols; user
 * frames from symbols embedded in the trace, else from ELF files found by
 * build-id (debug directories, --symfs) or at the recorded path when that
 * file's build-id matches the recorded one; else "file+0xoffset".
 * A trace never makes the analyzer open anything but regular files in those
 * places, and only reads them as ELF.
 */
#ifndef SCHEDTAPE_ANALYZE_SYMBOLS_H
#define SCHEDTAPE_ANALYZE_SYMBOLS_H

#include <stdbool.h>
#include <stddef.h>

#include "format/tape.h"

struct symbolizer;

/* @symfs may be NULL. Returns 0 or -ENOMEM. */
int symbolizer__new(const struct st_reader *r, const char *symfs, struct symbolizer **out);
void symbolizer__free(struct symbolizer *s);

/*
 * The name of frame @f of a stack of @kind (enum st_stack_kind). The result
 * stays valid until the symbolizer is freed.
 */
const char *symbolizer__name(struct symbolizer *s, uint8_t kind, const struct st_frame *f);

#endif
