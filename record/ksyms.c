// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpf/events.h"
#include "format/tape.h"
#include "ksyms.h"

struct ksyms {
	struct ksym *syms; /* by address; a NULL name marks an address no symbol holds */
	size_t n, cap;
	char *names; /* /proc/kallsyms: one block holding every name */
	size_t names_len, names_cap;
	/* Asked of the kernel: the ksym_lookup program and its query; names are ours to free. */
	int prog_fd;
	struct stb_ksym_query *q;
};

static int syms__reserve(struct ksyms *ks, size_t n)
{
	if (ks->n + n <= ks->cap)
		return 0;
	size_t cap = ks->cap ? ks->cap * 2 : 1024;
	while (cap < ks->n + n)
		cap *= 2;
	struct ksym *s = realloc(ks->syms, cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	ks->syms = s;
	ks->cap = cap;
	return 0;
}

static int sym__cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int names__add(struct ksyms *ks, const char *s, size_t *off)
{
	size_t n = strlen(s) + 1;

	if (ks->names_len + n > ks->names_cap) {
		size_t cap = ks->names_cap ? ks->names_cap * 2 : 1 << 20;
		while (cap < ks->names_len + n)
			cap *= 2;
		char *p = realloc(ks->names, cap);
		if (!p)
			return -ENOMEM;
		ks->names = p;
		ks->names_cap = cap;
	}
	memcpy(ks->names + ks->names_len, s, n);
	*off = ks->names_len;
	ks->names_len += n;
	return 0;
}

/*
 * One /proc/kallsyms line: "addr type name[\t[module]]". Returns false for
 * lines to skip (malformed, or not code). Parsed by hand: sscanf over the
 * ~200 K lines was most of the recorder's start-up time.
 */
static bool kallsyms__parse(char *line, unsigned long long *addr, const char **name,
			    const char **mod)
{
	char *p = line, *end;

	*addr = strtoull(p, &end, 16);
	if (end == p || end[0] != ' ' || !end[1] || end[2] != ' ')
		return false;
	char type = end[1];
	if (type != 't' && type != 'T' && type != 'w' && type != 'W')
		return false;
	*name = p = end + 3;
	p += strcspn(p, " \t\n");
	*mod = NULL;
	if (*p == '\t' && p[1] == '[') {
		char *close = strchr(p + 2, ']');
		if (close) {
			*close = 0;
			*mod = p + 2;
		}
	}
	*p = 0;
	return **name != 0;
}

int ksyms__load(struct ksyms **out)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct ksyms *ks;
	char line[512];
	const char *name, *mod;
	unsigned long long addr, prev = 0;
	int err = 0;
	bool nonzero = false, sorted = true;

	if (!f)
		return -errno;
	ks = calloc(1, sizeof(*ks));
	if (!ks) {
		fclose(f);
		return -ENOMEM;
	}
	ks->prog_fd = -1;
	while (fgets(line, sizeof(line), f)) {
		if (!kallsyms__parse(line, &addr, &name, &mod))
			continue;
		nonzero |= addr != 0;
		sorted &= addr >= prev;
		prev = addr;
		err = syms__reserve(ks, 1);
		if (err)
			break;
		size_t off;
		if (mod) {
			char full[520];
			snprintf(full, sizeof(full), "%s [%s]", name, mod);
			err = names__add(ks, full, &off);
		} else {
			err = names__add(ks, name, &off);
		}
		if (err)
			break;
		/* Names are offsets until the block stops moving. */
		ks->syms[ks->n++] = (struct ksym){ .addr = addr, .name = (const char *)(uintptr_t)off };
	}
	fclose(f);
	if (!err && !nonzero)
		err = -EPERM;
	if (err) {
		ksyms__free(ks);
		return err;
	}
	if (!sorted)
		qsort(ks->syms, ks->n, sizeof(*ks->syms), sym__cmp);
	for (size_t i = 0; i < ks->n; i++) {
		ks->syms[i].name = ks->names + (uintptr_t)ks->syms[i].name;
		/* kallsyms has no sizes: a symbol ends where the next begins. */
		ks->syms[i].size = i + 1 < ks->n ? ks->syms[i + 1].addr - ks->syms[i].addr : 4096;
	}
	*out = ks;
	return 0;
}

/*
 * Whether @addr is known, as a symbol or as an address no symbol holds
 * (then it is syms[*at - 1]); *at is where an entry for it would go.
 */
static bool ksyms__knows(const struct ksyms *ks, uint64_t addr, size_t *at)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo && addr - ks->syms[lo - 1].addr < ks->syms[lo - 1].size;
}

struct ksym *ksyms__find(struct ksyms *ks, uint64_t addr)
{
	size_t at;

	if (!ksyms__knows(ks, addr, &at))
		return NULL;
	return ks->syms[at - 1].name ? &ks->syms[at - 1] : NULL;
}

int ksyms__open_lookup(struct ksyms **out, int prog_fd, struct stb_ksym_query *q)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));

	if (!ks)
		return -ENOMEM;
	ks->prog_fd = prog_fd;
	ks->q = q;
	/* One empty run: the kernel may refuse to run it, and then the caller reads kallsyms. */
	q->n = 0;
	if (bpf_prog_test_run_opts(prog_fd, NULL)) {
		int err = -errno;
		free(ks);
		return err;
	}
	*out = ks;
	return 0;
}

/*
 * What "%pS" printed for @addr: "name+0xoff/0xsize", then " [module]" for
 * module code. Anything else (a bare address) means no symbol holds it:
 * then a one-byte entry with no name, so the address is not asked again.
 */
static struct ksym ksym__parse(uint64_t addr, char *text)
{
	struct ksym k = { .addr = addr, .size = 1 };
	char *mod = strstr(text, " ["), *plus, *end, name[STB_KSYM_TEXT];

	if (mod)
		*mod = 0;
	plus = strrchr(text, '+');
	if (!plus || plus == text || strncmp(plus, "+0x", 3))
		return k;
	uint64_t off = strtoull(plus + 1, &end, 16);
	if (*end != '/' || off > addr)
		return k;
	uint64_t size = strtoull(end + 1, &end, 16);
	if (*end || off >= size)
		return k;
	*plus = 0;
	snprintf(name, sizeof(name), "%s%s%s", text, mod ? " " : "", mod ? mod + 1 : "");
	k.name = strdup(name);
	if (k.name) {
		k.addr = addr - off;
		k.size = size;
	}
	return k;
}

/* Ask the kernel for the @n addresses in the query; file the answers. */
static int ksyms__ask(struct ksyms *ks, unsigned int n)
{
	ks->q->n = n;
	if (bpf_prog_test_run_opts(ks->prog_fd, NULL))
		return -errno;
	int err = syms__reserve(ks, n);
	if (err)
		return err;
	for (unsigned int i = 0; i < n; i++) {
		size_t at;
		ks->q->text[i][STB_KSYM_TEXT - 1] = 0;
		struct ksym k = ksym__parse(ks->q->addr[i], ks->q->text[i]);
		/* Two frames of one function in a batch: the second is known by now. */
		if (ksyms__knows(ks, k.addr, &at) || (at < ks->n && ks->syms[at].addr < k.addr + k.size)) {
			free((char *)k.name);
			continue;
		}
		memmove(&ks->syms[at + 1], &ks->syms[at], (ks->n - at) * sizeof(*ks->syms));
		ks->syms[at] = k;
		ks->n++;
	}
	return 0;
}

int ksyms__resolve(struct ksyms *ks, const uint64_t *addrs, unsigned int n)
{
	unsigned int k = 0;
	size_t at;

	if (!ks || ks->prog_fd < 0)
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		if (ksyms__knows(ks, addrs[i], &at))
			continue;
		ks->q->addr[k++] = addrs[i];
		if (k == STB_KSYM_BATCH) {
			int err = ksyms__ask(ks, k);
			if (err)
				return err;
			k = 0;
		}
	}
	return k ? ksyms__ask(ks, k) : 0;
}

void ksyms__free(struct ksyms *ks)
{
	if (!ks)
		return;
	for (size_t i = 0; ks->prog_fd >= 0 && i < ks->n; i++)
		free((char *)ks->syms[i].name);
	free(ks->syms);
	free(ks->names);
	free(ks);
}

static bool has_prefix(const char *name, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (!strncmp(name, *prefixes, strlen(*prefixes)))
			return true;
	return false;
}

uint8_t ksyms__context(struct ksyms *ks, const uint64_t *frames, unsigned int n)
{
	static const char *const nmi[] = { "exc_nmi", "asm_exc_nmi", "default_do_nmi", NULL };
	static const char *const softirq[] = { "handle_softirqs", "__do_softirq", "run_ksoftirqd",
					       NULL };
	static const char *const hardirq[] = { "asm_sysvec_", "sysvec_", "__sysvec_",
					       "asm_common_interrupt", "common_interrupt",
					       "handle_irq_event", "hrtimer_interrupt", NULL };

	for (unsigned int i = 0; ks && i < n; i++) {
		const struct ksym *s = ksyms__find(ks, frames[i]);
		if (!s)
			continue;
		if (has_prefix(s->name, nmi))
			return ST_CTX_NMI;
		if (has_prefix(s->name, softirq))
			return ST_CTX_SOFTIRQ;
		if (has_prefix(s->name, hardirq))
			return ST_CTX_HARDIRQ;
	}
	return ST_CTX_TASK;
}
