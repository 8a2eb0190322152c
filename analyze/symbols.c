// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbolize/symfile.h"
#include "symbols.h"

/* What one mapped file offers. */
struct mapped {
	bool loaded;
	struct symfile *file;
	enum sym_why why;
	const char *base; /* basename of the path, for unnamed frames */
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
	struct sym_opts o;
	struct sym_search search;
	uint32_t max_map;
	struct mapped *maps; /* by map id */
	struct name_block *names;
	struct cache_slot *cache; /* (map, addr) -> formatted name */
	size_t cache_cap;
};

int symbolizer__new(const struct st_reader *r, const struct sym_opts *o, struct symbolizer **out)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->r = r;
	if (o)
		s->o = *o;
	s->search = (struct sym_search){ .symfs = s->o.symfs,
					 .debug_dirs = s->o.debug_dirs,
					 .ndebug_dirs = s->o.ndebug_dirs,
					 .no_system_dirs = s->o.no_debug_dir };
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

static struct mapped *mapped__get(struct symbolizer *s, uint32_t id, const struct st_map **m)
{
	if (id == 0 || id > s->max_map || !(*m = st_reader__map(s->r, id)))
		return NULL;
	struct mapped *mp = &s->maps[id];
	if (mp->loaded)
		return mp;
	mp->loaded = true;
	const char *slash = strrchr((*m)->path, '/');
	mp->base = slash ? slash + 1 : (*m)->path;
	/* Pseudo files ("[exited]", "//anon") have no file to look for. */
	if ((*m)->path[0] != '/' || (*m)->path[1] == '/') {
		mp->why = SYM_NO_FILE;
		return mp;
	}
	struct symfile_spec sp = { .path = (*m)->path,
				   .local = s->o.local_binaries,
				   .build_id = (*m)->build_id,
				   .build_id_len = (*m)->build_id_len,
				   .pgoff = (*m)->pgoff };
	mp->file = symfile__open(&s->search, &sp, &mp->why);
	return mp;
}

/* The user frame's name from this machine's files, or NULL. */
static const char *user_name__local(struct symbolizer *s, struct mapped *mp, uint64_t off)
{
	char buf[1024];

	if (!mp || !mp->file)
		return NULL;
	if (!s->o.inlines && !s->o.lines) {
		uint64_t into, size;
		return symfile__function(mp->file, off, &into, &size);
	}
	if (!symfile__describe(mp->file, off, s->o.inlines, s->o.lines, buf, sizeof(buf)))
		return NULL;
	return name__keep(s, buf);
}

static const char *user_name(struct symbolizer *s, const struct st_frame *f, bool *named)
{
	char buf[600];
	/* Return addresses point after the call: look up the call itself. */
	uint64_t off = f->addr ? f->addr - 1 : 0;
	const struct st_sym *es = st_reader__usym(s->r, f->map, off);
	const struct st_map *m = NULL;
	struct mapped *mp = NULL;
	const char *name = NULL;

	*named = true;
	/* Inline frames and lines come only from debug information. */
	if (es && !s->o.inlines && !s->o.lines)
		return es->name;
	mp = mapped__get(s, f->map, &m);
	if ((name = user_name__local(s, mp, off)))
		return name;
	if (es)
		return es->name;
	*named = false;
	if (!mp) {
		snprintf(buf, sizeof(buf), "[unknown] 0x%llx", (unsigned long long)f->addr);
		return name__keep(s, buf);
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
	bool named;

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
		name = user_name(s, f, &named);
	}
	if (slot)
		*slot = (struct cache_slot){ f->addr, f->map, kind, name };
	return name;
}

bool symbolizer__inlines(const struct symbolizer *s)
{
	return s && s->o.inlines;
}

const char *symbolizer__local_function(struct symbolizer *s, uint32_t map, uint64_t off,
				       uint64_t *start, uint64_t *size)
{
	const struct st_map *m;
	struct mapped *mp = mapped__get(s, map, &m);
	uint64_t into;
	const char *name = mp && mp->file ? symfile__function(mp->file, off, &into, size) : NULL;

	if (name)
		*start = off - into;
	return name;
}

/* --- survey -------------------------------------------------------------- */

/* Where a complete frame-pointer chain ends: the process's or a thread's first frame. */
static bool frame__is_root(const char *name)
{
	static const char *const roots[] = { "_start",	     "__libc_start_main",
					     "__libc_start_call_main", "start_thread",
					     "clone",	     "clone3",
					     "__clone",	     "__clone3",
					     "_dl_start_user", "thread_start" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		size_t n = strlen(roots[i]);
		if (!strncmp(name, roots[i], n) && (name[n] == 0 || name[n] == ';' || name[n] == ' '))
			return true;
	}
	return false;
}

static const char *why__text(const struct st_map *m, enum sym_why why)
{
	if (!strcmp(m->path, "[exited]"))
		return "the process exited before its maps were read";
	if (!strcmp(m->path, "[unmapped]"))
		return "in no mapping: a frame-pointer chain through code built without them";
	if (!strcmp(m->path, "//anon"))
		return "JIT or anonymous code, and the process wrote no perf map";
	if (why == SYM_NO_SYMBOLS)
		return "no symbols: stripped, and no debug file here";
	if (!m->build_id_len)
		return "no build-id recorded, and not found under --symfs";
	return "no binary or debug file with its build-id here";
}

static struct sym_binary *survey__bin(struct sym_survey *sv, const struct st_reader *r,
				      uint32_t map)
{
	/* bins[0..nmaps) by map index, bins[nmaps] for map 0 / unknown ids. */
	const struct st_map *m = map ? st_reader__map(r, map) : NULL;
	size_t n = st_reader__nmaps(r), lo = 0, hi = n;

	if (!m)
		return &sv->bins[n];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (st_reader__map_at(r, mid)->id < map)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n ? &sv->bins[lo] : &sv->bins[n];
}

int symbolizer__survey(struct symbolizer *s, struct sym_survey *sv)
{
	const struct st_reader *r = s->r;
	size_t nmaps = st_reader__nmaps(r), nstacks = st_reader__nstacks(r);

	memset(sv, 0, sizeof(*sv));
	sv->bins = calloc(nmaps + 1, sizeof(*sv->bins));
	if (!sv->bins)
		return -ENOMEM;
	sv->n = nmaps + 1;
	for (size_t i = 0; i < nmaps; i++)
		sv->bins[i].map = st_reader__map_at(r, i);
	for (size_t i = 0; i < nstacks; i++) {
		const struct st_stack *st = st_reader__stack_at(r, i);
		if (st->kind != ST_STACK_USER || !st->nframes)
			continue;
		struct sym_binary *last = NULL;
		const char *last_name = "";
		for (unsigned int k = 0; k < st->nframes; k++) {
			const struct st_frame *f = &st->frames[k];
			struct sym_binary *b = survey__bin(sv, r, f->map);
			bool named;
			last_name = user_name(s, f, &named);
			b->frames++;
			b->unnamed += !named;
			sv->frames++;
			sv->unnamed += !named;
			/* Count a stack once per binary: frames of one binary come together. */
			if (b != last)
				b->stacks++;
			last = b;
		}
		/* A chain that reached neither a root nor the depth limit was cut short. */
		bool cut = !(st->flags & ST_STACK_TRUNCATED) && !frame__is_root(last_name);
		if (!cut)
			continue;
		/* Blame the binaries of the stack that keep no frame pointers. */
		last = NULL;
		for (unsigned int k = 0; k < st->nframes; k++) {
			struct sym_binary *b = survey__bin(sv, r, st->frames[k].map);
			if (b != last)
				b->cut++;
			last = b;
		}
	}
	for (size_t i = 0; i < nmaps; i++) {
		struct sym_binary *b = &sv->bins[i];
		const struct st_map *m;
		struct mapped *mp = b->frames ? mapped__get(s, b->map->id, &m) : NULL;
		if (!mp)
			continue;
		b->source = mp->file ? symfile__source(mp->file) : b->unnamed < b->frames ? "trace" : NULL;
		bool complete = mp->file && symfile__complete(mp->file);
		if (b->unnamed)
			b->why = complete  ? "addresses in no function of its symbols"
				 : mp->file ? "stripped: only exported functions have names, and no debug file here"
					    : why__text(m, mp->why);
		b->no_symbols = (!mp->file && mp->why == SYM_NO_SYMBOLS) || (mp->file && !complete);
		b->not_code = !strcmp(m->path, "[unmapped]");
		b->no_frame_pointers = mp->file && b->cut && symfile__frame_pointers(mp->file) == 0;
	}
	if (sv->bins[nmaps].frames)
		sv->bins[nmaps].why = "in no mapping the recorder knew (old recorder, or the process was gone)";
	return 0;
}

void sym_survey__free(struct sym_survey *sv)
{
	free(sv->bins);
	memset(sv, 0, sizeof(*sv));
}

void symbolizer__free(struct symbolizer *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; s->maps && i <= s->max_map; i++)
		symfile__free(s->maps[i].file);
	free(s->maps);
	while (s->names) {
		struct name_block *b = s->names;
		s->names = b->next;
		free(b);
	}
	free(s->cache);
	free(s);
}
