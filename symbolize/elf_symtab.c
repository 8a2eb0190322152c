// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_symtab.h"

struct elf_sym {
	uint64_t addr, size; /* virtual addresses */
	const char *name;
};

struct segment {
	uint64_t offset, vaddr, filesz;
};

struct elf_symtab {
	struct elf_sym *syms;
	size_t nsyms;
	char *strings; /* every name, one block */
	struct segment *segs;
	size_t nsegs;
};

/* Open @path only if it is a regular file: never a device or a FIFO. */
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

/* The GNU build-id note in @d, if any. */
static bool note__build_id(Elf_Data *d, const uint8_t **id, size_t *len)
{
	GElf_Nhdr nh;
	size_t off = 0, name_off, desc_off;

	while (d && (off = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp((char *)d->d_buf + name_off, "GNU", 4)) {
			*id = (const uint8_t *)d->d_buf + desc_off;
			*len = nh.n_descsz;
			return true;
		}
	}
	return false;
}

/* From program headers, or from sections (separate debug files have no PT_NOTE). */
static bool elf__build_id(Elf *e, const uint8_t **id, size_t *len)
{
	size_t nph = 0;
	Elf_Scn *scn = NULL;

	if (!elf_getphdrnum(e, &nph)) {
		for (size_t i = 0; i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_NOTE &&
			    note__build_id(elf_getdata_rawchunk(e, (int64_t)ph.p_offset,
								ph.p_filesz, ELF_T_NHDR),
					   id, len))
				return true;
		}
	}
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_NOTE &&
		    note__build_id(elf_getdata(scn, NULL), id, len))
			return true;
	}
	return false;
}

static int sym__cmp(const void *a, const void *b)
{
	const struct elf_sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int symtab__add(struct elf_symtab *t, size_t *cap, size_t *strings_len,
		       size_t *strings_cap, const GElf_Sym *sym, const char *name)
{
	size_t len = strlen(name) + 1;

	if (*strings_len + len > *strings_cap) {
		size_t nc = *strings_cap ? *strings_cap * 2 : 65536;
		while (nc < *strings_len + len)
			nc *= 2;
		char *p = realloc(t->strings, nc);
		if (!p)
			return -1;
		t->strings = p;
		*strings_cap = nc;
	}
	if (t->nsyms == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct elf_sym *ns = realloc(t->syms, nc * sizeof(*ns));
		if (!ns)
			return -1;
		t->syms = ns;
		*cap = nc;
	}
	memcpy(t->strings + *strings_len, name, len);
	/* Names are offsets until the string block stops moving. */
	t->syms[t->nsyms++] = (struct elf_sym){ sym->st_value, sym->st_size,
						(const char *)(uintptr_t)*strings_len };
	*strings_len += len;
	return 0;
}

static void symtab__load(struct elf_symtab *t, Elf *e)
{
	size_t nph = 0, cap = 0, strings_len = 0, strings_cap = 0;

	if (!elf_getphdrnum(e, &nph) && nph) {
		t->segs = calloc(nph, sizeof(*t->segs));
		for (size_t i = 0; t->segs && i < nph; i++) {
			GElf_Phdr ph;
			if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD)
				t->segs[t->nsegs++] = (struct segment){ ph.p_offset, ph.p_vaddr,
									ph.p_filesz };
		}
	}
	/* .symtab when the file has one, else .dynsym. */
	for (int pass = 0; pass < 2 && !t->nsyms; pass++) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh) ||
			    sh.sh_type != (pass == 0 ? SHT_SYMTAB : SHT_DYNSYM) || !sh.sh_entsize)
				continue;
			Elf_Data *d = elf_getdata(scn, NULL);
			size_t n = d ? sh.sh_size / sh.sh_entsize : 0;
			for (size_t i = 0; i < n; i++) {
				GElf_Sym sym;
				if (!gelf_getsym(d, (int)i, &sym) ||
				    GELF_ST_TYPE(sym.st_info) != STT_FUNC || !sym.st_value)
					continue;
				const char *name = elf_strptr(e, sh.sh_link, sym.st_name);
				if (name && *name &&
				    symtab__add(t, &cap, &strings_len, &strings_cap, &sym, name))
					return;
				/* One name per function, whichever table named it: no "@@GLIBC_2.17". */
				char *at = t->nsyms ? strchr(t->strings + (uintptr_t)t->syms[t->nsyms - 1].name, '@')
						    : NULL;
				if (at && at != t->strings + (uintptr_t)t->syms[t->nsyms - 1].name)
					*at = 0;
			}
		}
	}
	for (size_t i = 0; i < t->nsyms; i++)
		t->syms[i].name = t->strings + (uintptr_t)t->syms[i].name;
	if (t->nsyms > 1)
		qsort(t->syms, t->nsyms, sizeof(*t->syms), sym__cmp);
}

struct elf_symtab *elf_symtab__open(const char *path, const uint8_t *build_id,
				    size_t build_id_len, bool need_match)
{
	struct elf_symtab *t = NULL;
	const uint8_t *id;
	size_t id_len;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	fd = open_regular(path);
	if (fd < 0)
		return NULL;
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF)
		goto out;
	if (build_id_len ? !(elf__build_id(e, &id, &id_len) && id_len == build_id_len &&
			     !memcmp(id, build_id, id_len))
			 : need_match)
		goto out;
	t = calloc(1, sizeof(*t));
	if (t)
		symtab__load(t, e);
out:
	if (e)
		elf_end(e);
	close(fd);
	return t;
}

bool elf_symtab__to_vaddr(const struct elf_symtab *t, uint64_t off, uint64_t *vaddr)
{
	uint64_t base = UINT64_MAX;
	bool contents = false;

	for (size_t i = 0; i < t->nsegs; i++) {
		const struct segment *g = &t->segs[i];
		if (g->vaddr < base)
			base = g->vaddr;
		if (!g->filesz)
			continue;
		contents = true;
		if (off >= g->offset && off - g->offset < g->filesz) {
			*vaddr = off - g->offset + g->vaddr;
			return true;
		}
	}
	if (contents || base == UINT64_MAX)
		return false;
	*vaddr = off + (base & ~0xfffull);
	return true;
}

const char *elf_symtab__at(const struct elf_symtab *t, uint64_t vaddr, uint64_t *start,
			   uint64_t *size)
{
	size_t lo = 0, hi = t->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->syms[mid].addr <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct elf_sym *s = &t->syms[lo - 1];
	uint64_t sz = s->size ? s->size : 1;
	if (vaddr - s->addr >= sz)
		return NULL;
	*start = s->addr;
	*size = sz;
	return s->name;
}

const char *elf_symtab__lookup(const struct elf_symtab *t, uint64_t off, uint64_t *start,
			       uint64_t *size)
{
	uint64_t vaddr, sym_start;
	const char *name;

	if (!elf_symtab__to_vaddr(t, off, &vaddr))
		return NULL;
	name = elf_symtab__at(t, vaddr, &sym_start, size);
	if (!name || sym_start > vaddr)
		return NULL;
	*start = off - (vaddr - sym_start);
	return name;
}

bool elf_symtab__has_symbols(const struct elf_symtab *t)
{
	return t->nsyms > 0;
}

void elf_symtab__free(struct elf_symtab *t)
{
	if (!t)
		return;
	free(t->syms);
	free(t->strings);
	free(t->segs);
	free(t);
}
