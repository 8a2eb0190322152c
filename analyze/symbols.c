// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize/elf_symtab.h"
#include "symbols.h"

/* What one mapped file offers. */
struct mapped {
	bool loaded;
	struct elf_symtab *bin; /* the binary: its segments translate offsets */
	struct elf_symtab *dbg; /* a separate debug file: the full symbol table */
	const char *base;	/* basename of the path, for unnamed frames */
};

/* Names handed out live in an arena that only grows. */
struct name_block {
	struct name_block *next;
	size_t used;
	char data[65536];
};

struct cache_slot {
	uint64_t addr;
	uint32_t map;
	uint8_t kind;
	const char *name;
};

struct symbolizer {
	const struct st_reader *r;
	char *symfs;
	bool local_binaries, no_debug_dir;
	unsigned int unnamed_files;
	uint32_t max_map;
	struct mapped *maps; /* by map id */
	struct name_block *names;
	struct cache_slot *cache; /* (map, addr) -> formatted name */
	size_t cache_cap, cache_n;
};

int symbolizer__new(const struct st_reader *r, const struct sym_opts *o, struct symbolizer **out)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->r = r;
	if (o) {
		s->local_binaries = o->local_binaries;
		s->no_debug_dir = o->no_debug_dir;
		if (o->symfs && !(s->symfs = strdup(o->symfs))) {
			free(s);
			return -ENOMEM;
		}
	}
	/* Maps are in id order; ids are bounded by the number of map records... */
	size_t n = st_reader__nmaps(r);
	s->max_map = n ? st_reader__map_at(r, n - 1)->id : 0;
	/* ...unless the file lies: then index the lookups, not an array, by id. */
	if (s->max_map > n + 1024)
		s->max_map = (uint32_t)(n + 1024);
	s->maps = calloc((size_t)s->max_map + 1, sizeof(*s->maps));
	if (!s->maps) {
		symbolizer__free(s);
		return -ENOMEM;
	}
	*out = s;
	return 0;
}

static const char *name__keep(struct symbolizer *s, const char *name)
{
	size_t n = strlen(name) + 1;

	if (n > sizeof(s->names->data))
		n = sizeof(s->names->data);
	if (!s->names || sizeof(s->names->data) - s->names->used < n) {
		struct name_block *b = malloc(sizeof(*b));
		if (!b)
			return "[no memory]";
		b->next = s->names;
		b->used = 0;
		s->names = b;
	}
	char *p = s->names->data + s->names->used;
	memcpy(p, name, n - 1);
	p[n - 1] = 0;
	s->names->used += n;
	return p;
}

static struct elf_symtab *open_build(const struct st_map *m, const char *path, bool need_match)
{
	return elf_symtab__open(path, m->build_id, m->build_id_len, need_match);
}

/* A recorded path may be joined to --symfs only if it cannot climb out of it. */
static bool path__contained(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *c = p; (c = strstr(c, "/..")); c += 3)
		if (c[3] == '/' || c[3] == 0)
			return false;
	return true;
}

static void mapped__load(struct symbolizer *s, struct mapped *mp, const struct st_map *m)
{
	char path[4400], hex[2 * ST_MAX_BUILD_ID + 1];

	mp->loaded = true;
	const char *slash = strrchr(m->path, '/');
	mp->base = slash ? slash + 1 : m->path;
	for (unsigned int i = 0; i < m->build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
	/* Debug files, by build-id only. */
	if (m->build_id_len >= 2) {
		if (!s->no_debug_dir) {
			snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug", hex,
				 hex + 2);
			mp->dbg = open_build(m, path, true);
		}
		if (!mp->dbg && s->symfs) {
			snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", s->symfs, hex,
				 hex + 2);
			mp->dbg = open_build(m, path, true);
		}
	}
	/* The binary: under --symfs, else, if asked, at the recorded path if it is the same build. */
	if (s->symfs && path__contained(m->path)) {
		snprintf(path, sizeof(path), "%s%s", s->symfs, m->path);
		mp->bin = open_build(m, path, false);
	}
	if (!mp->bin && s->local_binaries && m->build_id_len && m->path[0] == '/')
		mp->bin = open_build(m, m->path, true);
	if (!mp->bin && !mp->dbg && m->path[0] == '/')
		s->unnamed_files++;
}

unsigned int symbolizer__unnamed_files(const struct symbolizer *s)
{
	return s ? s->unnamed_files : 0;
}

static const char *user_name(struct symbolizer *s, const struct st_frame *f)
{
	char buf[600];
	/* Return addresses point after the call: look up the call itself. */
	uint64_t off = f->addr ? f->addr - 1 : 0;
	const struct st_sym *es = st_reader__usym(s->r, f->map, off);

	if (es)
		return es->name;
	if (f->map == 0 || f->map > s->max_map) {
		snprintf(buf, sizeof(buf), "[unknown] 0x%llx", (unsigned long long)f->addr);
		return name__keep(s, buf);
	}
	struct mapped *mp = &s->maps[f->map];
	const struct st_map *m = st_reader__map(s->r, f->map);
	if (!m)
		return "[unknown]";
	if (!mp->loaded)
		mapped__load(s, mp, m);
	uint64_t vaddr, start, size;
	const struct elf_symtab *seg = mp->bin ? mp->bin : mp->dbg;
	const struct elf_symtab *names =
		mp->dbg && elf_symtab__has_symbols(mp->dbg) ? mp->dbg : mp->bin;
	if (seg && names && elf_symtab__to_vaddr(seg, off, &vaddr)) {
		const char *name = elf_symtab__at(names, vaddr, &start, &size);
		if (name)
			return name;
	}
	snprintf(buf, sizeof(buf), "%s+0x%llx", mp->base, (unsigned long long)f->addr);
	return name__keep(s, buf);
}

static uint64_t cache__hash(uint8_t kind, const struct st_frame *f)
{
	uint64_t h = (f->addr ^ ((uint64_t)f->map << 40) ^ kind) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

const char *symbolizer__name(struct symbolizer *s, uint8_t kind, const struct st_frame *f)
{
	char buf[64];
	uint64_t hash = cache__hash(kind, f);

	/* A small direct-mapped cache: stacks repeat the same frames endlessly. */
	if (!s->cache) {
		s->cache_cap = 1 << 14;
		s->cache = calloc(s->cache_cap, sizeof(*s->cache));
	}
	struct cache_slot *slot = s->cache ? &s->cache[hash & (s->cache_cap - 1)] : NULL;
	if (slot && slot->name && slot->addr == f->addr && slot->map == f->map && slot->kind == kind)
		return slot->name;
	const char *name;
	if (kind == ST_STACK_KERNEL) {
		const struct st_sym *ks = st_reader__ksym(s->r, f->addr);
		if (ks) {
			name = ks->name;
		} else {
			snprintf(buf, sizeof(buf), "[kernel] 0x%llx", (unsigned long long)f->addr);
			name = name__keep(s, buf);
		}
	} else {
		name = user_name(s, f);
	}
	if (slot)
		*slot = (struct cache_slot){ f->addr, f->map, kind, name };
	return name;
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; s->maps && i <= s->max_map; i++) {
		elf_symtab__free(s->maps[i].bin);
		elf_symtab__free(s->maps[i].dbg);
	}
	free(s->maps);
	while (s->names) {
		struct name_block *b = s->names;
		s->names = b->next;
		free(b);
	}
	free(s->cache);
	free(s->symfs);
	free(s);
}
