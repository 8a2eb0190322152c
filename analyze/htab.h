/* SPDX-License-Identifier: MIT */
/* Byte-string keys to u64 values; open addressing, keys copied and owned. */
#ifndef SCHEDTAPE_ANALYZE_HTAB_H
#define SCHEDTAPE_ANALYZE_HTAB_H

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

#endif
