/* SPDX-License-Identifier: MIT */
/*
 * The frames of an off-CPU (or waker) stack pair as the exports show them:
 * outermost first, the user stack's frames, then the kernel's without the
 * scheduler and tracing glue at the top (folded__glue_frame, as the views
 * leave it out), named as the views name them; a stack that was not
 * captured or is not in the trace as one pseudo frame ("[Missed Kernel
 * Stack]", "[unknown stack]").
 */
#ifndef SCHEDTAPE_EXPORT_FRAMES_H
#define SCHEDTAPE_EXPORT_FRAMES_H

#include <stdint.h>

#include "analyze/symbols.h"
#include "format/tape.h"

#define FRAME_PSEUDO 0xff /* kind of a frame standing for a missing stack */
#define FRAMES_MAX (2 * ST_MAX_FRAMES + 2)

struct frame_ref {
	uint8_t kind;	    /* ST_STACK_KERNEL, ST_STACK_USER or FRAME_PSEUDO */
	struct st_frame f;  /* for a pseudo frame: addr is 1, 2 or 3, which one */
	const char *name;   /* valid while the symbolizer lives */
};

/* The frames of @kstack and @ustack into @out (FRAMES_MAX of them). Returns the count. */
unsigned frames__of(const struct st_reader *r, struct symbolizer *sym, uint32_t kstack,
		    uint32_t ustack, struct frame_ref *out);

#endif
