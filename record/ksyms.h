/* SPDX-License-Identifier: MIT */
/*
 * Kernel text symbols, so traces name kernel frames: asked of the kernel
 * address by address (the ksym_lookup BPF program), or all read from
 * /proc/kallsyms where that program cannot run.
 */
#ifndef SCHEDTAPE_RECORD_KSYMS_H
#define SCHEDTAPE_RECORD_KSYMS_H

#include <stdbool.h>
#include <stdint.h>

struct ksym {
	uint64_t addr, size;
	const char *name; /* "func" or "func [module]" */
	bool emitted;
};

struct ksyms;
struct stb_ksym_query;

/* Symbols asked of the kernel through program @prog_fd and its query @q; 0 or -errno. */
int ksyms__open_lookup(struct ksyms **out, int prog_fd, struct stb_ksym_query *q);
/* All of /proc/kallsyms. Returns 0 or -errno; -EPERM if addresses are hidden (kptr_restrict). */
int ksyms__load(struct ksyms **out);
/* Make the symbols holding @addrs known to ksyms__find (asking the kernel); 0 or -errno. */
int ksyms__resolve(struct ksyms *ks, const uint64_t *addrs, unsigned int n);
/* The symbol containing @addr, or NULL. */
struct ksym *ksyms__find(struct ksyms *ks, uint64_t addr);
void ksyms__free(struct ksyms *ks);

/*
 * Where a kernel stack was running: enum st_wake_ctx, from the innermost
 * interrupt, softirq or NMI entry frame on it (ST_CTX_TASK if none).
 */
uint8_t ksyms__context(struct ksyms *ks, const uint64_t *frames, unsigned int n);

#endif
