/* SPDX-License-Identifier: MIT */
/* Kernel text symbols from /proc/kallsyms, so traces name kernel frames. */
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

/* Returns 0 or -errno; -EPERM if addresses are hidden (kptr_restrict). */
int ksyms__load(struct ksyms **out);
/* The symbol containing @addr, or NULL. */
struct ksym *ksyms__find(struct ksyms *ks, uint64_t addr);
void ksyms__free(struct ksyms *ks);

/*
 * Where a kernel stack was running: enum st_wake_ctx, from the innermost
 * interrupt, softirq or NMI entry frame on it (ST_CTX_TASK if none).
 */
uint8_t ksyms__context(struct ksyms *ks, const uint64_t *frames, unsigned int n);

#endif
