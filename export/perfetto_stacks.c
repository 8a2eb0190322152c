// SPDX-License-Identifier: MIT
/*
 * Interned callstacks for the Perfetto writer: a Callstack per distinct
 * (kernel stack, user stack) pair, of the frames frames.c gives, a Frame per
 * distinct frame, a Mapping per binary ("[kernel]" for the kernel),
 * each written once, in the packet of the first event that uses it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "perfetto_internal.h"

/* InternedData */
#define F_ID_EVENT_NAMES 2
#define F_ID_FUNCTION_NAMES 5
#define F_ID_FRAMES 6
#define F_ID_CALLSTACKS 7
#define F_ID_BUILD_IDS 16
#define F_ID_MAPPING_PATHS 17
#define F_ID_MAPPINGS 19


static uint64_t iid__new(struct perfetto *p)
{
	return p->next_iid++;
}

static uint64_t interned_string(struct perfetto *p, uint32_t field, const void *s, size_t n)
{
	uint64_t iid = iid__new(p);
	size_t m = pb__begin(&p->interned, field);

	pb__uint(&p->interned, 1, iid);
	pb__bytes(&p->interned, 2, s, n);
	pb__end(&p->interned, m);
	return iid;
}

/*
 * A string of InternedData table @field (function names, event names: both
 * {iid = 1, string = 2}), once per table: the key is the field, then the
 * whole string.
 */
static uint64_t string__intern(struct perfetto *p, uint32_t field, const char *s)
{
	char key[1 + ST_MAX_STR + 1];
	size_t n = strnlen(s, ST_MAX_STR + 1);

	key[0] = (char)field;
	memcpy(key + 1, s, n);
	uint64_t *v = htab__find(&p->names, key, n + 1);
	if (v)
		return *v;
	uint64_t iid = interned_string(p, field, s, n);
	if (htab__insert(&p->names, key, n + 1, iid))
		p->err = -ENOMEM;
	return iid;
}

static uint64_t name__intern(struct perfetto *p, const char *name)
{
	return string__intern(p, F_ID_FUNCTION_NAMES, name);
}

/* A track event's name, as an EventName. */
uint64_t event_name__intern(struct perfetto *p, const char *name)
{
	return string__intern(p, F_ID_EVENT_NAMES, name);
}

/* Map id + 1 keys the mapping (the kernel's: 0 + 1). */
static uint64_t mapping__intern(struct perfetto *p, bool kernel, uint32_t map)
{
	uint64_t key = kernel ? 1 : (uint64_t)map + 2;
	uint64_t *v = htab64__find(&p->mappings, key);

	if (v)
		return *v;
	const struct st_map *mp = kernel ? NULL : st_reader__map(p->r, map);
	const char *path = kernel ? "[kernel]" : mp && mp->path ? mp->path : "[unknown]";
	uint64_t path_iid = interned_string(p, F_ID_MAPPING_PATHS, path, strlen(path));
	uint64_t bid_iid = 0;
	if (mp && mp->build_id_len)
		bid_iid = interned_string(p, F_ID_BUILD_IDS, mp->build_id, mp->build_id_len);
	uint64_t iid = iid__new(p);
	struct st_buf *k = &p->interned;
	size_t m = pb__begin(k, F_ID_MAPPINGS);
	pb__uint(k, 1, iid);
	if (bid_iid)
		pb__uint(k, 2, bid_iid);
	if (mp) {
		pb__uint(k, 3, mp->pgoff);
		pb__uint(k, 4, mp->start);
		pb__uint(k, 5, mp->end);
	}
	pb__uint(k, 7, path_iid);
	pb__end(k, m);
	if (htab64__insert(&p->mappings, key, iid))
		p->err = -ENOMEM;
	return iid;
}

static uint64_t frame__intern(struct perfetto *p, uint8_t kind, const struct st_frame *f,
			      const char *name)
{
	uint8_t key[13];

	key[0] = kind;
	memcpy(key + 1, &f->map, 4);
	memcpy(key + 5, &f->addr, 8);
	uint64_t *v = htab__find(&p->frames, key, sizeof(key));
	if (v)
		return *v;
	uint64_t name_iid = name__intern(p, name);
	uint64_t map_iid = mapping__intern(p, kind != ST_STACK_USER, f->map);
	uint64_t iid = iid__new(p);
	struct st_buf *k = &p->interned;
	size_t m = pb__begin(k, F_ID_FRAMES);
	pb__uint(k, 1, iid);
	pb__uint(k, 2, name_iid);
	pb__uint(k, 3, map_iid);
	if (kind != FRAME_PSEUDO)
		pb__uint(k, 4, f->addr);
	pb__end(k, m);
	if (htab__insert(&p->frames, key, sizeof(key), iid))
		p->err = -ENOMEM;
	return iid;
}

uint64_t callstack__intern(struct perfetto *p, uint32_t kstack, uint32_t ustack)
{
	uint64_t key = (uint64_t)kstack << 32 | ustack;
	struct frame_ref fr[FRAMES_MAX];
	uint64_t ids[FRAMES_MAX];

	if (!key)
		return 0;
	uint64_t *v = htab64__find(&p->callstacks, key);
	if (v)
		return *v;
	unsigned n = frames__of(p->r, p->sym, kstack, ustack, fr);
	for (unsigned i = 0; i < n; i++)
		ids[i] = frame__intern(p, fr[i].kind, &fr[i].f, fr[i].name);
	uint64_t iid = 0;
	if (n) {
		iid = iid__new(p);
		struct st_buf *k = &p->interned;
		size_t m = pb__begin(k, F_ID_CALLSTACKS);
		pb__uint(k, 1, iid);
		for (unsigned i = 0; i < n; i++)
			pb__uint(k, 2, ids[i]);
		pb__end(k, m);
	}
	if (htab64__insert(&p->callstacks, key, iid))
		p->err = -ENOMEM;
	return iid;
}
