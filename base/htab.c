// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"

uint64_t htab__hash(const void *key, size_t len)
{
	const uint8_t *p = key;
	uint64_t h = 0x9E3779B97F4A7C15ull ^ len;

	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		p += 8;
		len -= 8;
	}
	while (len--) {
		h = (h ^ *p++) * 0xc4ceb9fe1a85ec53ull;
		h ^= h >> 29;
	}
	return h ? h : 1;
}

static struct htab_slot *slot__find(struct htab_slot *slots, size_t cap, uint64_t hash,
				    const void *key, size_t len)
{
	for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1)) {
		struct htab_slot *s = &slots[i];
		if (!s->key || (s->hash == hash && s->len == len && !memcmp(s->key, key, len)))
			return s;
	}
}

uint64_t *htab__find(struct htab *h, const void *key, size_t len)
{
	if (!h->cap)
		return NULL;
	struct htab_slot *s = slot__find(h->slots, h->cap, htab__hash(key, len), key, len);
	return s->key ? &s->value : NULL;
}

static int htab__grow(struct htab *h)
{
	size_t cap = h->cap ? h->cap * 2 : 1024;
	struct htab_slot *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < h->cap; i++) {
		struct htab_slot *o = &h->slots[i];
		if (o->key)
			*slot__find(slots, cap, o->hash, o->key, o->len) = *o;
	}
	free(h->slots);
	h->slots = slots;
	h->cap = cap;
	return 0;
}

int htab__insert(struct htab *h, const void *key, size_t len, uint64_t value)
{
	if ((h->n + 1) * 2 > h->cap && htab__grow(h))
		return -ENOMEM;
	uint64_t hash = htab__hash(key, len);
	struct htab_slot *s = slot__find(h->slots, h->cap, hash, key, len);
	void *copy = malloc(len ? len : 1);

	if (!copy)
		return -ENOMEM;
	memcpy(copy, key, len);
	*s = (struct htab_slot){ .hash = hash, .key = copy, .len = (uint32_t)len, .value = value };
	h->n++;
	return 0;
}

void htab__free(struct htab *h)
{
	for (size_t i = 0; i < h->cap; i++)
		free(h->slots[i].key);
	free(h->slots);
	h->slots = NULL;
	h->cap = h->n = 0;
}

static struct htab64_slot *slot64__find(struct htab64_slot *slots, size_t cap, uint64_t key)
{
	for (size_t i = (key ^ (key >> 32)) & (cap - 1);; i = (i + 1) & (cap - 1))
		if (slots[i].key == key || !slots[i].key)
			return &slots[i];
}

uint64_t *htab64__find(const struct htab64 *h, uint64_t key)
{
	if (!h->cap || !key)
		return NULL;
	struct htab64_slot *s = slot64__find(h->slots, h->cap, key);
	return s->key ? &s->value : NULL;
}

int htab64__insert(struct htab64 *h, uint64_t key, uint64_t value)
{
	if (!key)
		return -EINVAL;
	if ((h->n + 1) * 2 > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct htab64_slot *slots = calloc(cap, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < h->cap; i++)
			if (h->slots[i].key)
				*slot64__find(slots, cap, h->slots[i].key) = h->slots[i];
		free(h->slots);
		h->slots = slots;
		h->cap = cap;
	}
	*slot64__find(h->slots, h->cap, key) = (struct htab64_slot){ .key = key, .value = value };
	h->n++;
	return 0;
}

void htab64__free(struct htab64 *h)
{
	free(h->slots);
	h->slots = NULL;
	h->cap = h->n = 0;
}
