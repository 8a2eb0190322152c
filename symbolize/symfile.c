// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/debuginfod.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/text.h"
#include "symfile.h"

#define BUILD_ID_MAX 64
#define PATH_CAP 4400
#define PAGE_MASK_4K (~(uint64_t)4095)

struct segment {
	uint64_t offset, vaddr, filesz;
};

struct symfile {
	Dwfl *dwfl;
	Dwfl_Module *mod;
	Dwfl_Callbacks cb; /* libdwfl keeps pointers to these two */
	char *debuginfo_path;
	const char *source;
	struct segment *segs; /* a binary's PT_LOADs with contents */
	size_t nsegs;
	bool debug_only;      /* a separate debug file: no contents, no file offsets */
	bool has_text;	      /* it has an executable segment: */
	uint64_t text_vaddr;  /* its address, page aligned */
	GElf_Addr bias;	      /* module addresses minus the file's own */
	uint64_t pgoff;	      /* the executable mapping's file offset */
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

static size_t fd__build_id(int fd, uint8_t *id, size_t cap)
{
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	const void *p;
	ssize_t n = e ? dwelf_elf_gnu_build_id(e, &p) : -1;
	size_t len = 0;

	if (n > 0 && (size_t)n <= cap) {
		memcpy(id, p, (size_t)n);
		len = (size_t)n;
	}
	if (e)
		elf_end(e);
	return len;
}

size_t symfile__read_build_id(const char *path, uint8_t *id, size_t cap)
{
	int fd = open_regular(path);

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	size_t n = fd__build_id(fd, id, cap);
	close(fd);
	return n;
}

/* @path opened if it is ELF with build-id @sp's (any ELF when the trace has none). */
static int open_matching(const char *path, const struct symfile_spec *sp)
{
	uint8_t id[BUILD_ID_MAX];
	int fd = open_regular(path);

	if (fd < 0)
		return -1;
	size_t n = fd__build_id(fd, id, sizeof(id));
	Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	bool elf = e && elf_kind(e) == ELF_K_ELF;
	if (e)
		elf_end(e);
	if (!elf || (sp->build_id_len && (n != sp->build_id_len ||
					  memcmp(id, sp->build_id, n)))) {
		close(fd);
		return -1;
	}
	return fd;
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

/* Every directory that may hold .build-id/, in search order, into @dirs (up to @max). */
static size_t search__dirs(const struct sym_search *s, char dirs[][4200], size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ndebug_dirs && n < max; i++)
		snprintf(dirs[n++], sizeof(dirs[0]), "%s", s->debug_dirs[i]);
	if (s->symfs && n + 2 <= max) {
		snprintf(dirs[n++], sizeof(dirs[0]), "%s", s->symfs);
		snprintf(dirs[n++], sizeof(dirs[0]), "%s/usr/lib/debug", s->symfs);
	}
	if (!s->no_system_dirs && n < max)
		snprintf(dirs[n++], sizeof(dirs[0]), "/usr/lib/debug");
	return n;
}

/* libdwfl's search path: "+" checks .gnu_debuglink CRCs; "" and ".debug" are the binary's directory. */
static char *debuginfo_path__new(const struct sym_search *s)
{
	char dirs[16][4200];
	size_t n = search__dirs(s, dirs, 16), len = 16;

	for (size_t i = 0; i < n; i++)
		len += strlen(dirs[i]) + 1;
	char *p = malloc(len);
	if (!p)
		return NULL;
	strcpy(p, "+:.debug");
	for (size_t i = 0; i < n; i++) {
		strcat(p, ":");
		strcat(p, dirs[i]);
	}
	return p;
}

/* The separate debug file of @sp's build-id in the search directories, or -1. */
static int debug_file__find(const struct sym_search *s, const struct symfile_spec *sp,
			    char *path)
{
	char dirs[16][4200], hex[2 * BUILD_ID_MAX + 1];
	size_t n = search__dirs(s, dirs, 16);

	if (sp->build_id_len < 2 || sp->build_id_len > BUILD_ID_MAX)
		return -1;
	text__hex(hex, sp->build_id, sp->build_id_len);
	for (size_t i = 0; i < n; i++) {
		if (snprintf(path, PATH_CAP, "%s/.build-id/%.2s/%s.debug", dirs[i], hex, hex + 2) >=
		    PATH_CAP)
			continue;
		int fd = open_matching(path, sp);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

/* Opt-in, as in perf and gdb: only when DEBUGINFOD_URLS names servers. */
static int debuginfod__fetch(const struct sym_search *s, const struct symfile_spec *sp,
			     bool executable, char *opened, size_t cap)
{
	const char *urls = getenv("DEBUGINFOD_URLS");
	char *path = NULL;

	if (s->no_debuginfod || !urls || !*urls || sp->build_id_len < 2)
		return -1;
	debuginfod_client *c = debuginfod_begin();
	if (!c)
		return -1;
	int fd = executable ? debuginfod_find_executable(c, sp->build_id, (int)sp->build_id_len, &path)
			    : debuginfod_find_debuginfo(c, sp->build_id, (int)sp->build_id_len, &path);
	debuginfod_end(c);
	if (fd >= 0)
		close(fd);
	/* The cache file must be what was asked for. */
	int checked = fd >= 0 && path ? open_matching(path, sp) : -1;
	if (checked >= 0)
		snprintf(opened, cap, "%s", path);
	free(path);
	return checked;
}

/*
 * libdwfl's standard search asks debuginfod whenever DEBUGINFOD_URLS is set;
 * without it: by build-id in the search path, then .gnu_debuglink next to
 * the binary, in its .debug/ and under /usr/lib/debug.
 */
static int find_debuginfo__local(Dwfl_Module *mod, void **userdata, const char *modname,
				 Dwarf_Addr base, const char *file, const char *debuglink,
				 GElf_Word crc, char **name)
{
	int fd = dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file, debuglink, crc,
					      name);
	char dir[PATH_CAP], path[PATH_CAP + 300];
	static const char *const where[] = { "%s/%s", "%s/.debug/%s", "/usr/lib/debug%s/%s" };

	if (fd >= 0 || !file || !debuglink || strchr(debuglink, '/'))
		return fd;
	snprintf(dir, sizeof(dir), "%s", file);
	char *slash = strrchr(dir, '/');
	if (!slash)
		return -1;
	*slash = 0;
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), where[i], dir, debuglink);
		if (!strcmp(path, file))
			continue;
		if ((fd = open_regular(path)) >= 0) {
			*name = strdup(path);
			return fd;
		}
	}
	return -1;
}

static bool segments__load(struct symfile *f)
{
	Elf *e = dwfl_module_getelf(f->mod, &f->bias);
	size_t nph;

	if (!e || elf_getphdrnum(e, &nph))
		return false;
	f->segs = calloc(nph ? nph : 1, sizeof(*f->segs));
	if (!f->segs)
		return false;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (ph.p_filesz)
			f->segs[f->nsegs++] = (struct segment){ ph.p_offset, ph.p_vaddr, ph.p_filesz };
		else if ((ph.p_flags & PF_X) && !f->has_text) {
			f->has_text = true;
			f->text_vaddr = ph.p_vaddr & PAGE_MASK_4K;
		}
	}
	/* A debug file's segments keep their addresses and lose their contents (but its notes). */
	f->debug_only = f->nsegs == 0 || (f->has_text && f->nsegs <= 1);
	return true;
}

/* File offset @off as an address in the module. */
static bool symfile__addr(const struct symfile *f, uint64_t off, Dwarf_Addr *addr)
{
	if (f->debug_only) {
		if (off < f->pgoff)
			return false;
		*addr = off - f->pgoff + f->text_vaddr + f->bias;
		return true;
	}
	for (size_t i = 0; i < f->nsegs; i++) {
		const struct segment *g = &f->segs[i];
		if (off >= g->offset && off - g->offset < g->filesz) {
			*addr = off - g->offset + g->vaddr + f->bias;
			return true;
		}
	}
	return false;
}

static struct symfile *symfile__report(const struct sym_search *s, const struct symfile_spec *sp,
				       int fd, const char *path, const char *source)
{
	struct symfile *f = calloc(1, sizeof(*f));

	if (!f || !(f->debuginfo_path = debuginfo_path__new(s))) {
		free(f);
		close(fd);
		return NULL;
	}
	f->cb = (Dwfl_Callbacks){ .find_elf = dwfl_build_id_find_elf,
				  .find_debuginfo = s->no_debuginfod ? find_debuginfo__local
								     : dwfl_standard_find_debuginfo,
				  .section_address = dwfl_offline_section_address,
				  .debuginfo_path = &f->debuginfo_path };
	f->source = source;
	f->pgoff = sp->pgoff;
	f->dwfl = dwfl_begin(&f->cb);
	if (!f->dwfl) {
		close(fd);
		symfile__free(f);
		return NULL;
	}
	dwfl_report_begin(f->dwfl);
	/* At 0, so module addresses are the file's own; libdwfl owns @fd from here. */
	f->mod = dwfl_report_elf(f->dwfl, sp->path, path, fd, 0, false);
	dwfl_report_end(f->dwfl, NULL, NULL);
	if (!f->mod) {
		close(fd);
		symfile__free(f);
		return NULL;
	}
	if (!segments__load(f)) {
		symfile__free(f);
		return NULL;
	}
	return f;
}

/* A stripped binary's .dynsym holds only the functions it imports: those name nothing. */
static bool symfile__has_functions(struct symfile *f)
{
	int n = dwfl_module_getsymtab(f->mod);

	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		if (dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL) &&
		    GELF_ST_TYPE(sym.st_info) == STT_FUNC && sym.st_shndx != SHN_UNDEF)
			return true;
	}
	return false;
}

struct symfile *symfile__open(const struct sym_search *s, const struct symfile_spec *sp,
			      enum sym_why *why)
{
	char path[PATH_CAP];
	int fd = -1;
	const char *source = "binary";

	*why = SYM_NO_FILE;
	elf_version(EV_CURRENT);
	if (sp->host_path) {
		snprintf(path, sizeof(path), "%s", sp->host_path);
		fd = open_matching(path, sp);
	}
	if (fd < 0 && s->symfs && path__contained(sp->path)) {
		snprintf(path, sizeof(path), "%s%s", s->symfs, sp->path);
		fd = open_matching(path, sp);
	}
	if (fd < 0 && sp->local && sp->path[0] == '/' && sp->build_id_len) {
		snprintf(path, sizeof(path), "%s", sp->path);
		fd = open_matching(path, sp);
	}
	if (fd < 0 && (fd = debug_file__find(s, sp, path)) >= 0)
		source = "debug file";
	if (fd < 0 && (fd = debuginfod__fetch(s, sp, false, path, sizeof(path))) >= 0)
		source = "debuginfod";
	if (fd < 0 && (fd = debuginfod__fetch(s, sp, true, path, sizeof(path))) >= 0)
		source = "debuginfod";
	if (fd < 0)
		return NULL;
	struct symfile *f = symfile__report(s, sp, fd, path, source);
	if (!f)
		return NULL;
	if (!symfile__has_functions(f)) {
		*why = SYM_NO_SYMBOLS;
		symfile__free(f);
		return NULL;
	}
	*why = SYM_FOUND;
	return f;
}

const char *symfile__source(const struct symfile *f)
{
	return f->source;
}

const char *symfile__function(struct symfile *f, uint64_t off, uint64_t *into, uint64_t *size)
{
	Dwarf_Addr addr;
	GElf_Off in;
	GElf_Sym sym;

	if (!symfile__addr(f, off, &addr))
		return NULL;
	const char *name = dwfl_module_addrinfo(f->mod, addr, &in, &sym, NULL, NULL, NULL);
	if (!name || !*name)
		return NULL;
	*into = in;
	*size = sym.st_size;
	return name;
}

/* Append to @buf at *at, never past @len. */
__attribute__((format(printf, 4, 5))) static void buf__add(char *buf, size_t len, size_t *at,
							   const char *fmt, ...)
{
	va_list ap;

	if (*at + 1 >= len)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n < len - *at ? (size_t)n : len - *at - 1;
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;

	return s ? s + 1 : p;
}

/* The name of an inlined subroutine's abstract origin. */
static const char *die__name(Dwarf_Die *die)
{
	Dwarf_Attribute a;
	const char *n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &a));

	if (!n)
		n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
	return n ? n : "??";
}

#define MAX_INLINE 32

bool symfile__describe(struct symfile *f, uint64_t off, bool inlines, bool lines, char *buf,
		       size_t len)
{
	uint64_t into, size;
	const char *fn = symfile__function(f, off, &into, &size);
	Dwarf_Addr addr, bias = 0;
	size_t at = 0;

	if (!fn || !len)
		return false;
	buf[0] = 0;
	symfile__addr(f, off, &addr);
	/* The source position of @addr itself: inside the innermost inlined call. */
	const char *src = NULL;
	int src_line = 0;
	if (lines) {
		Dwfl_Line *l = dwfl_module_getsrc(f->mod, addr);
		src = l ? dwfl_lineinfo(l, NULL, &src_line, NULL, NULL, NULL) : NULL;
	}
	/* Inlined calls, innermost first, each with where its caller called it. */
	const char *names[MAX_INLINE];
	const char *files[MAX_INLINE + 1];
	int nlines[MAX_INLINE + 1];
	int n = 0;
	Dwarf_Die *scopes = NULL;
	Dwarf_Die *cu = inlines ? dwfl_module_addrdie(f->mod, addr, &bias) : NULL;
	int nscopes = cu ? dwarf_getscopes(cu, addr - bias, &scopes) : 0;
	Dwarf_Files *srcfiles = NULL;
	if (cu && lines)
		dwarf_getsrcfiles(cu, &srcfiles, NULL);
	files[0] = src;
	nlines[0] = src_line;
	for (int i = 0; i < nscopes && n < MAX_INLINE; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_subprogram)
			break;
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		Dwarf_Attribute a;
		Dwarf_Word file = 0, line = 0;
		names[n] = die__name(&scopes[i]);
		dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_file, &a), &file);
		dwarf_formudata(dwarf_attr(&scopes[i], DW_AT_call_line, &a), &line);
		n++;
		files[n] = srcfiles ? dwarf_filesrc(srcfiles, file, NULL, NULL) : NULL;
		nlines[n] = (int)line;
	}
	free(scopes);
	/* Outermost first: the function, then what was inlined into it. */
	for (int i = n; i >= 0; i--) {
		buf__add(buf, len, &at, "%s%s", i == n ? "" : ";", i == n ? fn : names[i]);
		if (lines && files[i])
			buf__add(buf, len, &at, " (%s:%d)", base_name(files[i]), nlines[i]);
	}
	return true;
}

bool symfile__complete(struct symfile *f)
{
	const char *debug = NULL;
	GElf_Addr bias;
	Elf *e = dwfl_module_getelf(f->mod, &bias);
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (f->debug_only)
		return true;
	dwfl_module_getsymtab(f->mod); /* finds the debug file, if any */
	dwfl_module_info(f->mod, NULL, NULL, NULL, NULL, NULL, NULL, &debug);
	if (debug)
		return true;
	if (!e || elf_getshdrstrndx(e, &shstrndx))
		return false;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB || (name && !strcmp(name, ".gnu_debugdata")))
			return true;
	}
	return false;
}

/* The first bytes of a function with a frame pointer, after an optional endbr64. */
static bool code__sets_frame_pointer(const uint8_t *c, size_t n)
{
	static const uint8_t endbr64[] = { 0xf3, 0x0f, 0x1e, 0xfa };
	static const uint8_t prologue[] = { 0x55, 0x48, 0x89, 0xe5 };

	if (n >= 8 && !memcmp(c, endbr64, 4)) {
		c += 4;
		n -= 4;
	}
	return n >= 4 && !memcmp(c, prologue, 4);
}

#define FP_SAMPLE 64

int symfile__frame_pointers(struct symfile *f)
{
	GElf_Addr bias;
	Elf *e = dwfl_module_getelf(f->mod, &bias);
	GElf_Ehdr eh;
	size_t size;
	const uint8_t *raw = e ? (const uint8_t *)elf_rawfile(e, &size) : NULL;
	int nsyms = dwfl_module_getsymtab(f->mod), checked = 0, with = 0;

	if (f->debug_only || !raw || !gelf_getehdr(e, &eh) || eh.e_machine != EM_X86_64)
		return -1;
	/* Functions big enough to need a frame, spread over the table. */
	int step = nsyms > FP_SAMPLE * 4 ? nsyms / (FP_SAMPLE * 4) : 1;
	for (int i = 1; i < nsyms && checked < FP_SAMPLE; i += step) {
		GElf_Sym sym;
		GElf_Addr addr;
		if (!dwfl_module_getsym_info(f->mod, i, &sym, &addr, NULL, NULL, NULL) ||
		    GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_size < 16 || sym.st_shndx == SHN_UNDEF)
			continue;
		addr -= bias;
		for (size_t k = 0; k < f->nsegs; k++) {
			const struct segment *g = &f->segs[k];
			if (addr < g->vaddr || addr - g->vaddr + 8 > g->filesz)
				continue;
			uint64_t at = addr - g->vaddr + g->offset;
			if (at + 8 <= size) {
				checked++;
				with += code__sets_frame_pointer(raw + at, 8);
			}
			break;
		}
	}
	if (checked < 4)
		return -1;
	/* Hand-written assembly and tiny leaf functions skip them even in FP builds. */
	return with * 4 >= checked;
}

void symfile__free(struct symfile *f)
{
	if (!f)
		return;
	if (f->dwfl)
		dwfl_end(f->dwfl);
	free(f->debuginfo_path);
	free(f->segs);
	free(f);
}
