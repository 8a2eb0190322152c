/* SPDX-License-Identifier: MIT */
/* Byte-string keys to u64 values; open addressing, keys copied and owned. */
#ifndef SCHEDTAPE_BASE_HTAB_H
#define SCHEDTAPE_BASE_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab_slot {
	uint64_t hash;
	void *key; /* NULL: empty */
	uint32_t len;
	uint64_t value;
};

struct htab {
	struct htab_slot *slots;
	size_t cap, n;
};

uint64_t htab__hash(const void *key, size_t len);
/* Pointer to the value for @key, or NULL. */
uint64_t *htab__find(struct htab *h, const void *key, size_t len);
/* Insert @key (absent) with @value. Returns 0 or -ENOMEM. */
int htab__insert(struct htab *h, const void *key, size_t len, uint64_t value);
void htab__free(struct htab *h);

/* Nonzero u64 keys (already hashes) to u64 values, kept inline: one probe, no key to chase. */
struct htab64_slot {
	uint64_t key; /* 0: empty */
	uint64_t value;
};

struct htab64 {
	struct htab64_slot *slots;
	size_t cap, n;
};

uint64_t *htab64__find(const struct htab64 *h, uint64_t key);
/* Insert @key (nonzero, absent) with @value. Returns 0, -EINVAL or -ENOMEM. */
int htab64__insert(struct htab64 *h, uint64_t key, uint64_t value);
void htab64__free(struct htab64 *h);

#endif
