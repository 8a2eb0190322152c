/* SPDX-License-Identifier: MIT */
/*
 * Folded stacks (flamegraph.pl input): time summed per distinct stack, then
 * formatted once per distinct stack, as BCC's offcputime -f and offwaketime -f
 * print them.
 */
#ifndef SCHEDTAPE_ANALYZE_FOLDED_H
#define SCHEDTAPE_ANALYZE_FOLDED_H

#include <stdbool.h>
#include <stdint.h>

#include "base/htab.h"
#include "analyze/model.h"
#include "analyze/symbols.h"
#include "format/tape.h"

struct fold_key {
	char comm[ST_COMM_LEN];
	uint32_t kstack, ustack;
	/* Off-wake only: the waker. */
	char wcomm[ST_COMM_LEN + 12];
	uint32_t wkstack, wustack;
};

struct fold_opts {
	bool user, kernel;  /* which frames to print */
	bool trim;	    /* drop scheduler and tracing frames at the inner end */
	bool delimiter;	    /* "-" between user and kernel frames */
	bool waker;	    /* keys carry a waker: print the off-wake format */
	bool annotate;	    /* suffix kernel frames _[k] and waker frames _[w] (flamegraph.pl's marks) */
};

struct folded {
	struct htab sums; /* struct fold_key -> ns */
};

/*
 * The key an off-CPU interval adds to: its thread's name and stacks, and with
 * @wake the waker's (in IRQ context "[hardirq]"..., whoever was interrupted
 * is no waker).
 */
void folded__key_of(const struct interval *iv, bool wake, struct fold_key *k);

/* Add @ns to @key's sum. Returns 0 or -ENOMEM. */
int folded__add(struct folded *f, const struct fold_key *key, uint64_t ns);

struct fold_line {
	char *stack; /* malloc'd */
	uint64_t ns;
};

/*
 * Format every sum into *lines (heaviest first). Returns the number of
 * lines, or -ENOMEM. Free with folded__free_lines.
 */
long folded__lines(struct folded *f, const struct st_reader *r, struct symbolizer *sym,
		   const struct fold_opts *o, struct fold_line **lines);
void folded__free_lines(struct fold_line *lines, long n);

struct chain_set;
/*
 * Chain-graph lines: the first sleeper's stack, then per hop '--', the
 * waker's stack innermost first and its name, waker frames marked _[w];
 * weighted by the first sleeper's blocked time. Returns the number of lines
 * (heaviest first) or -ENOMEM.
 */
/*
 * Chains' folded lines, added into @sums (line -> ns) batch by batch, then
 * turned into sorted lines (and @sums freed). Return 0 / the line count, or
 * a negative error.
 */
int folded__chains_add(const struct chain_set *cs, const struct st_reader *r,
		       struct symbolizer *sym, struct htab *sums);
long folded__sums_lines(struct htab *sums, struct fold_line **lines);
long folded__chains(const struct chain_set *cs, const struct st_reader *r, struct symbolizer *sym,
		    struct fold_line **lines);

/*
 * One stack as text, frames joined by @sep, innermost first when
 * @inner_first, at most @max_frames (0: all), scheduler glue trimmed from
 * kernel stacks. Returns a malloc'd string, or NULL without memory.
 */
char *folded__stack_text(const struct st_reader *r, struct symbolizer *sym, uint32_t id,
			 bool inner_first, const char *sep, unsigned int max_frames);
void folded__free(struct folded *f);

/* Scheduler and tracing glue at the top of a kernel stack, which the views leave out. */
bool folded__glue_frame(const char *name);
/* Of those, the tracer's own frames (BPF programs and the tracepoint's trampolines). */
bool folded__tracer_frame(const char *name);

#endif
