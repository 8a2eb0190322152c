// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "chains.h"
#include "folded.h"

void folded__key_of(const struct interval *iv, bool wake, struct fold_key *k)
{
	static const char *const ctx_names[] = { "", "[hardirq]", "[softirq]", "[nmi]" };

	memset(k, 0, sizeof(*k));
	memcpy(k->comm, iv->t->comm, sizeof(k->comm));
	k->kstack = iv->kstack;
	k->ustack = iv->ustack;
	if (!wake)
		return;
	if (iv->waker.ctx)
		snprintf(k->wcomm, sizeof(k->wcomm), "%s", ctx_names[iv->waker.ctx & 3]);
	else
		snprintf(k->wcomm, sizeof(k->wcomm), "%.*s", ST_COMM_LEN,
			 iv->waker.comm[0] ? iv->waker.comm : "[unknown]");
	k->wkstack = iv->waker.kstack;
	k->wustack = iv->waker.ustack;
}

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

static void sb__put(struct sb *b, const char *s)
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
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

/* A frame name, made safe for a folded line (base/text.h). */
static void sb__add(struct sb *b, const char *s)
{
	char safe[ST_MAX_STR + 8];

	snprintf(safe, sizeof(safe), "%s", s);
	sb__put(b, text__folded_frame(safe, s[0] ? sizeof(safe) : 1)); /* "" stays empty */
}

/* A frame of a folded line: never empty, which would make ';;'. */
static void sb__frame(struct sb *b, const char *s)
{
	if (b->len)
		sb__put(b, ";");
	sb__add(b, s[0] ? s : "?");
}

/* "outer;inlined" (symbolizer --inline): one frame each, in the line's order. */
static void sb__inline_frames(struct sb *b, const char *name, bool inner_first)
{
	const char *parts[64];
	int lens[64], n = 0;
	char part[ST_MAX_STR + 8];

	for (const char *p = name; n < 64;) {
		const char *semi = strchr(p, ';');
		parts[n] = p;
		lens[n++] = semi ? (int)(semi - p) : (int)strlen(p);
		if (!semi)
			break;
		p = semi + 1;
	}
	for (int k = 0; k < n; k++) {
		int i = inner_first ? n - 1 - k : k;
		snprintf(part, sizeof(part), "%.*s", lens[i], parts[i]);
		sb__frame(b, part);
	}
}

/* Frames of tracing glue and of the scheduler itself, at the inner end of a stack. */
bool folded__tracer_frame(const char *name)
{
	static const char *const prefixes[] = { "bpf_prog_", "bpf_trace_run", "__bpf_trace_",
						"__traceiter_", "trace_call_bpf", "perf_trace_",
						NULL };

	for (const char *const *p = prefixes; *p; p++)
		if (!strncmp(name, *p, strlen(*p)))
			return true;
	return false;
}

bool folded__glue_frame(const char *name)
{
	static const char *const exact[] = { "__schedule", "schedule", "schedule_idle",
					     "preempt_schedule_common", "try_to_wake_up", NULL };

	if (folded__tracer_frame(name))
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
/*
 * @irq: the stack is an interrupt's; stop at its entry frame, below which is
 * only whatever the interrupt happened to interrupt.
 */
static void stack__append(struct sb *b, const struct st_reader *r, struct symbolizer *sym,
			  uint32_t id, bool kernel, bool inner_first, bool trim, const char *mark,
			  bool irq)
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
		while (first < s->nframes && folded__glue_frame(symbolizer__name(sym, s->kind, &s->frames[first])))
			first++;
	for (unsigned int k = first; k < s->nframes; k++) {
		unsigned int i = inner_first ? k : s->nframes - 1 - (k - first);
		const char *name = symbolizer__name(sym, s->kind, &s->frames[i]);
		if (s->kind == ST_STACK_USER && symbolizer__inlines(sym))
			sb__inline_frames(b, name, inner_first);
		else
			sb__frame(b, name);
		if (mark)
			sb__put(b, mark);
		if (irq && inner_first && !strncmp(name, "asm_", 4))
			break;
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

		const char *kmark = o->annotate ? "_[k]" : NULL, *wmark = o->annotate ? "_[w]" : NULL;
		sb__frame(&b, k->comm);
		if (o->user)
			stack__append(&b, r, sym, k->ustack, false, false, false, NULL, false);
		if (o->delimiter && both && k->ustack && k->kstack)
			sb__frame(&b, "-");
		if (o->kernel)
			stack__append(&b, r, sym, k->kstack, true, false, o->trim, kmark, false);
		if (o->waker) {
			sb__frame(&b, "--");
			if (o->kernel)
				stack__append(&b, r, sym, k->wkstack, true, true, o->trim, wmark,
					      k->wcomm[0] == '[');
			if (o->delimiter && both && k->wustack && k->wkstack)
				sb__frame(&b, "-");
			if (o->user)
				stack__append(&b, r, sym, k->wustack, false, true, false, wmark, false);
			sb__frame(&b, k->wcomm);
			if (wmark)
				sb__put(&b, wmark);
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

char *folded__stack_text(const struct st_reader *r, struct symbolizer *sym, uint32_t id,
			 bool inner_first, const char *sep, unsigned int max_frames)
{
	const struct st_stack *s = st_reader__stack(r, id);
	struct sb b = { 0 };
	unsigned int first = 0, shown = 0;

	if (id == ST_STACK_NONE)
		sb__add(&b, "[no stack]");
	else if (id == ST_STACK_LOST)
		sb__add(&b, "[stack not captured]");
	else if (!s)
		sb__add(&b, "[unknown stack]");
	if (!s) {
		if (b.failed)
			free(b.s);
		return b.failed ? NULL : b.s;
	}
	if (s->kind == ST_STACK_KERNEL)
		while (first < s->nframes && folded__glue_frame(symbolizer__name(sym, s->kind, &s->frames[first])))
			first++;
	sb__add(&b, "");
	for (unsigned int k = first; k < s->nframes && (!max_frames || shown < max_frames); k++) {
		unsigned int i = inner_first ? k : s->nframes - 1 - (k - first);
		if (shown++)
			sb__put(&b, sep);
		sb__add(&b, symbolizer__name(sym, s->kind, &s->frames[i]));
	}
	if (b.failed) {
		free(b.s);
		return NULL;
	}
	return b.s;
}

int folded__chains_add(const struct chain_set *cs, const struct st_reader *r,
		       struct symbolizer *sym, struct htab *sums)
{
	int err = 0;

	for (size_t i = 0; i < cs->n && !err; i++) {
		const struct chain *c = &cs->c[i];
		const struct chain_hop *h0 = &c->hop[0];
		struct sb b = { 0 };

		sb__frame(&b, h0->comm);
		stack__append(&b, r, sym, h0->ustack, false, false, false, NULL, false);
		stack__append(&b, r, sym, h0->kstack, true, false, true, "_[k]", false);
		for (unsigned int h = 0; h < c->n; h++) {
			const struct chain_waker *w = &c->hop[h].waker;
			sb__frame(&b, "--");
			stack__append(&b, r, sym, w->kstack, true, true, true, "_[w]", w->ctx != 0);
			stack__append(&b, r, sym, w->ustack, false, true, false, "_[w]", false);
			sb__frame(&b, w->ctx ? st_wake_ctx_name(w->ctx) : w->comm[0] ? w->comm : "?");
			sb__put(&b, "_[w]");
		}
		if (b.failed) {
			err = -ENOMEM;
		} else {
			uint64_t *sum = htab__find(sums, b.s, b.len);
			uint64_t ns = h0->end - h0->start;
			if (sum)
				*sum += ns;
			else if (htab__insert(sums, b.s, b.len, ns))
				err = -ENOMEM;
		}
		free(b.s);
	}
	return err;
}

long folded__sums_lines(struct htab *sums, struct fold_line **lines)
{
	long n = 0;
	int err = 0;
	struct fold_line *out = calloc(sums->n ? sums->n : 1, sizeof(*out));
	if (!out)
		err = -ENOMEM;
	for (size_t i = 0; !err && i < sums->cap; i++) {
		const struct htab_slot *slot = &sums->slots[i];
		if (!slot->key)
			continue;
		out[n].stack = malloc(slot->len + 1);
		if (!out[n].stack) {
			err = -ENOMEM;
			break;
		}
		memcpy(out[n].stack, slot->key, slot->len);
		out[n].stack[slot->len] = 0;
		out[n].ns = slot->value;
		n++;
	}
	htab__free(sums);
	if (err) {
		folded__free_lines(out, n);
		return err;
	}
	if (n > 1)
		qsort(out, (size_t)n, sizeof(*out), line__cmp);
	*lines = out;
	return n;
}

long folded__chains(const struct chain_set *cs, const struct st_reader *r, struct symbolizer *sym,
		    struct fold_line **lines)
{
	struct htab sums = { 0 };
	int err = folded__chains_add(cs, r, sym, &sums);

	if (err) {
		htab__free(&sums);
		return err;
	}
	return folded__sums_lines(&sums, lines);
}
