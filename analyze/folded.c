// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "folded.h"

int folded__add(struct folded *f, const struct fold_key *key, uint64_t ns)
{
	uint64_t *sum = htab__find(&f->sums, key, sizeof(*key));

	if (sum) {
		*sum += ns;
		return 0;
	}
	return htab__insert(&f->sums, key, sizeof(*key), ns);
}

/* A growable string. */
struct sb {
	char *s;
	size_t len, cap;
	bool failed;
};

static void sb__add(struct sb *b, const char *s)
{
	size_t n = strlen(s);

	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 512;
		while (cap < b->len + n + 2)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	/* ';' separates frames: a name must not hold one. */
	for (size_t i = 0; i < n; i++)
		b->s[b->len++] = s[i] == ';' ? ':' : s[i];
	b->s[b->len] = 0;
}

static void sb__frame(struct sb *b, const char *s)
{
	if (b->len) {
		sb__add(b, "");
		if (!b->failed) {
			b->s[b->len++] = ';';
			b->s[b->len] = 0;
		}
	}
	sb__add(b, s);
}

/* Frames of tracing glue and of the scheduler itself, at the inner end of a stack. */
static bool trimmed(const char *name)
{
	static const char *const prefixes[] = { "bpf_prog_", "bpf_trace_run", "__bpf_trace_",
						"__traceiter_", "trace_call_bpf", "perf_trace_",
						NULL };
	static const char *const exact[] = { "__schedule", "schedule", "schedule_idle",
					     "preempt_schedule_common", "try_to_wake_up", NULL };

	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	for (const char *const *p = exact; *p; p++)
		if (!strcmp(name, *p))
			return true;
	return false;
}

/*
 * Append stack @id: outermost first (@inner_first false), or innermost first.
 * With trimming, the innermost glue frames are dropped.
 */
static void stack__append(struct sb *b, const struct st_reader *r, struct symbolizer *sym,
			  uint32_t id, bool kernel, bool inner_first, bool trim)
{
	const struct st_stack *s;
	unsigned int first = 0;

	if (id == ST_STACK_NONE)
		return;
	if (id == ST_STACK_LOST) {
		sb__frame(b, kernel ? "[Missed Kernel Stack]" : "[Missed User Stack]");
		return;
	}
	s = st_reader__stack(r, id);
	if (!s) {
		sb__frame(b, "[unknown stack]");
		return;
	}
	if (trim && kernel)
		while (first < s->nframes && trimmed(symbolizer__name(sym, s->kind, &s->frames[first])))
			first++;
	for (unsigned int k = first; k < s->nframes; k++) {
		unsigned int i = inner_first ? k : s->nframes - 1 - (k - first);
		sb__frame(b, symbolizer__name(sym, s->kind, &s->frames[i]));
	}
}

static int line__cmp(const void *a, const void *b)
{
	const struct fold_line *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns > y->ns ? -1 : 1;
	return strcmp(x->stack, y->stack);
}

long folded__lines(struct folded *f, const struct st_reader *r, struct symbolizer *sym,
		   const struct fold_opts *o, struct fold_line **lines)
{
	struct fold_line *out = calloc(f->sums.n ? f->sums.n : 1, sizeof(*out));
	long n = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < f->sums.cap; i++) {
		const struct htab_slot *slot = &f->sums.slots[i];
		if (!slot->key)
			continue;
		const struct fold_key *k = slot->key;
		struct sb b = { 0 };
		bool both = o->user && o->kernel;

		sb__frame(&b, k->comm);
		if (o->user)
			stack__append(&b, r, sym, k->ustack, false, false, false);
		if (o->delimiter && both && k->ustack && k->kstack)
			sb__frame(&b, "-");
		if (o->kernel)
			stack__append(&b, r, sym, k->kstack, true, false, o->trim);
		if (o->waker) {
			sb__frame(&b, "--");
			if (o->kernel)
				stack__append(&b, r, sym, k->wkstack, true, true, o->trim);
			if (o->delimiter && both && k->wustack && k->wkstack)
				sb__frame(&b, "-");
			if (o->user)
				stack__append(&b, r, sym, k->wustack, false, true, false);
			sb__frame(&b, k->wcomm);
		}
		if (b.failed) {
			free(b.s);
			folded__free_lines(out, n);
			return -ENOMEM;
		}
		out[n].stack = b.s;
		out[n].ns = slot->value;
		n++;
	}
	if (n > 1)
		qsort(out, (size_t)n, sizeof(*out), line__cmp);
	*lines = out;
	return n;
}

void folded__free_lines(struct fold_line *lines, long n)
{
	for (long i = 0; i < n; i++)
		free(lines[i].stack);
	free(lines);
}

void folded__free(struct folded *f)
{
	htab__free(&f->sums);
}
