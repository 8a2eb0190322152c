// SPDX-License-Identifier: MIT
/* A stack pair's frames for the exports: see frames.h. */
#include "analyze/folded.h"
#include "frames.h"

static unsigned pseudo(struct frame_ref *out, uint64_t which, const char *name)
{
	*out = (struct frame_ref){ .kind = FRAME_PSEUDO, .f = { .addr = which }, .name = name };
	return 1;
}

static unsigned stack__frames(const struct st_reader *r, struct symbolizer *sym, uint32_t id,
			      bool kernel, struct frame_ref *out)
{
	if (id == ST_STACK_NONE)
		return 0;
	if (id == ST_STACK_LOST)
		return kernel ? pseudo(out, 1, "[Missed Kernel Stack]")
			      : pseudo(out, 2, "[Missed User Stack]");
	const struct st_stack *s = st_reader__stack(r, id);
	if (!s)
		return pseudo(out, 3, "[unknown stack]");
	unsigned first = 0, n = 0;
	if (kernel)
		while (first < s->nframes &&
		       folded__glue_frame(symbolizer__name(sym, s->kind, &s->frames[first])))
			first++;
	for (unsigned i = s->nframes; i > first && n < ST_MAX_FRAMES + 1; i--, n++) {
		const struct st_frame *f = &s->frames[i - 1];
		out[n] = (struct frame_ref){ .kind = s->kind, .f = *f,
					     .name = symbolizer__name(sym, s->kind, f) };
	}
	return n;
}

unsigned frames__of(const struct st_reader *r, struct symbolizer *sym, uint32_t kstack,
		    uint32_t ustack, struct frame_ref *out)
{
	unsigned n = stack__frames(r, sym, ustack, false, out);

	return n + stack__frames(r, sym, kstack, true, out + n);
}
