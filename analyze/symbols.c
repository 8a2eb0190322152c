// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols.h"

struct elf_sym {
	uint64_t addr, size;
	const char *name;
};

struct segment {
	uint64_t offset, vaddr, filesz;
};

/* What one mapped file offers. */
struct mapped {
	bool loaded;
	struct elf_sym *syms;
	size_t nsyms;
	char *strings; /* names, one block */
	struct segment *segs;
	size_t nsegs;
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
	char *symfs;
	uint32_t max_map;
	struct mapped *maps; /* by map id */
	struct name_block *names;
	struct cache_slot *cache; /* (map, addr) -> formatted name */
	size_t cache_cap, cache_n;
};

int symbolizer__new(const struct st_reader *r, const char *symfs, struct symbolizer **out)
{
	struct symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->r = r;
	s->symfs = symfs ? strdup(symfs) : NULL;
	/* Maps are in id order; ids are bounded by the number of map records... */
	size_t n = st_reader__nmaps(r);
	s->max_map = n ? st_reader__map_at(r, n - 1)->id : 0;
	/* ...unless the file lies: then index the lookups, not an array, by id. */
	if (s->max_map > n + 1024)
		s->max_map = (uint32_t)(n + 1024);
	s->maps = calloc((size_t)s->max_map + 1, sizeof(*s->maps));
	if (!s->maps || elf_version(EV_CURRENT) == EV_NONE) {
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

/* Open @path only if it is a regular file; never follow it into a device or FIFO. */
static int open_regular(const char *path)
{
	struct stat st;

	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -1;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode))) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool build_id__matches(Elf *e, const struct st_map *m)
{
	size_t nph = 0;

	if (elf_getphdrnum(e, &nph))
		return false;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_NOTE)
			continue;
		Elf_Data *d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_NHDR);
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0)
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4))
				return nh.n_descsz == m->build_id_len &&
				       !memcmp((char *)d->d_buf + desc_off, m->build_id, nh.n_descsz);
	}
	/* Section-only notes (debug files): look there too. */
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;
		while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0)
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    !memcmp((char *)d->d_buf + name_off, "GNU", 4))
				return nh.n_descsz == m->build_id_len &&
				       !memcmp((char *)d->d_buf + desc_off, m->build_id, nh.n_descsz);
	}
	return false;
}

static int sym__cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Function symbols and loadable segments of an ELF file. */
static void elf__load(struct mapped *mp, Elf *e)
{
	size_t nph = 0, strings_len = 0, strings_cap = 0, cap = 0;
	Elf_Scn *scn = NULL;
	bool have_symtab = false;

	if (!elf_getphdrnum(e, &nph)) {
		mp->segs = calloc(nph ? nph : 1, sizeof(*mp->segs));
		for (size_t i = 0; mp->segs && i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD)
				mp->segs[mp->nsegs++] = (struct segment){ ph.p_offset, ph.p_vaddr,
									  ph.p_filesz };
		}
	}
	/* Prefer .symtab; fall back to .dynsym. */
	for (int pass = 0; pass < 2 && !have_symtab; pass++) {
		scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) ||
			    sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM))
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			if (!d || !sh.sh_entsize)
				continue;
			size_t n = sh.sh_size / sh.sh_entsize;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				if (!gelf_getsym(d, (int)i, &sym) ||
				    GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value)
					continue;
				const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
				if (!name || !*name)
					continue;
				size_t len = strlen(name) + 1;
				if (strings_len + len > strings_cap) {
					size_t nc = strings_cap ? strings_cap * 2 : 65536;
					while (nc < strings_len + len)
						nc *= 2;
					char *p = realloc(mp->strings, nc);
					if (!p)
						return;
					mp->strings = p;
					strings_cap = nc;
				}
				memcpy(mp->strings + strings_len, name, len);
				if (mp->nsyms == cap) {
					cap = cap ? cap * 2 : 1024;
					struct elf_sym *ns = realloc(mp->syms, cap * sizeof(*ns));
					if (!ns)
						return;
					mp->syms = ns;
				}
				mp->syms[mp->nsyms++] = (struct elf_sym){
					sym.st_value, sym.st_size, (const char *)(uintptr_t)strings_len
				};
				strings_len += len;
				have_symtab = true;
			}
		}
	}
	for (size_t i = 0; i < mp->nsyms; i++)
		mp->syms[i].name = mp->strings + (uintptr_t)mp->syms[i].name;
	if (mp->nsyms > 1)
		qsort(mp->syms, mp->nsyms, sizeof(*mp->syms), sym__cmp);
}

static bool try_file(struct mapped *mp, const struct st_map *m, const char *path, bool need_match)
{
	int fd = open_regular(path);
	Elf *e;
	bool ok = false;

	if (fd < 0)
		return false;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (e && elf_kind(e) == ELF_K_ELF &&
	    (m->build_id_len ? build_id__matches(e, m) : !need_match)) {
		elf__load(mp, e);
		ok = true;
	}
	if (e)
		elf_end(e);
	close(fd);
	return ok;
}

static void mapped__load(struct symbolizer *s, struct mapped *mp, const struct st_map *m)
{
	char path[4400], hex[2 * ST_MAX_BUILD_ID + 1];

	mp->loaded = true;
	const char *slash = strrchr(m->path, '/');
	mp->base = slash ? slash + 1 : m->path;
	for (unsigned int i = 0; i < m->build_id_len; i++)
		snprintf(hex + 2 * i, 3, "%02x", m->build_id[i]);
	if (m->build_id_len >= 2) {
		static const char *const dirs[] = { "/usr/lib/debug/.build-id", NULL };
		for (const char *const *d = dirs; *d; d++) {
			snprintf(path, sizeof(path), "%s/%.2s/%s.debug", *d, hex, hex + 2);
			if (try_file(mp, m, path, true))
				return;
		}
	}
	if (s->symfs) {
		snprintf(path, sizeof(path), "%s/%s", s->symfs, m->path);
		if (try_file(mp, m, path, false))
			return;
		if (m->build_id_len >= 2) {
			snprintf(path, sizeof(path), "%s/.build-id/%.2s/%s.debug", s->symfs, hex,
				 hex + 2);
			if (try_file(mp, m, path, true))
				return;
		}
	}
	/* The recorded path, only when it still holds the very same build. */
	if (m->build_id_len && m->path[0] == '/')
		try_file(mp, m, m->path, true);
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
	for (size_t i = 0; i < mp->nsegs; i++) {
		const struct segment *g = &mp->segs[i];
		if (off < g->offset || off - g->offset >= g->filesz)
			continue;
		uint64_t vaddr = off - g->offset + g->vaddr;
		size_t lo = 0, hi = mp->nsyms;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (mp->syms[mid].addr <= vaddr)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo && vaddr - mp->syms[lo - 1].addr < (mp->syms[lo - 1].size ? mp->syms[lo - 1].size : 1))
			return mp->syms[lo - 1].name;
		break;
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
		free(s->maps[i].syms);
		free(s->maps[i].strings);
		free(s->maps[i].segs);
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
