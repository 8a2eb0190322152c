/* SPDX-License-Identifier: MIT */
/*
 * The symbols of one mapped file, found the way perf and gdb find them and
 * read with elfutils (libdwfl): the binary itself (.symtab, .dynsym and
 * MiniDebugInfo's .gnu_debugdata), its separate debug file by build-id or
 * .gnu_debuglink, and, when DEBUGINFOD_URLS is set, debuginfod. Frames are
 * file offsets (what a trace holds): a binary maps them to addresses by its
 * program headers; a debug file alone (its segments have no file contents)
 * by the offset of the executable mapping the recorder saw. Used by the
 * recorder (--symbols=embed) and by the analyzer.
 */
#ifndef SCHEDTAPE_SYMBOLIZE_SYMFILE_H
#define SCHEDTAPE_SYMBOLIZE_SYMFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct symfile;

/* Where to look, besides the binary. Each directory holds .build-id/xx/rest.debug. */
struct sym_search {
	const char *symfs;		/* a root: SYMFS/path, SYMFS/.build-id, SYMFS/usr/lib/debug */
	const char *const *debug_dirs; /* --debug-dir, searched before the system's */
	size_t ndebug_dirs;
	bool no_system_dirs; /* skip /usr/lib/debug (fuzzing, tests) */
	bool no_debuginfod;  /* even with DEBUGINFOD_URLS set (the recorder: no network waits) */
};

/* One mapped file as the trace recorded it. */
struct symfile_spec {
	const char *path;      /* the path the process saw */
	const char *host_path; /* where this host can open it (recorder: /proc/PID/root/...), or NULL */
	bool local;	       /* the analyzer may open @path here (--local-binaries) */
	const uint8_t *build_id;
	size_t build_id_len;
	uint64_t pgoff; /* file offset of the executable mapping */
};

/* Why a file names no frames. */
enum sym_why {
	SYM_FOUND,
	SYM_NO_FILE,	/* neither the binary nor a debug file with its build-id */
	SYM_NO_SYMBOLS, /* found, but without function symbols */
};

/* What was found for @sp, or NULL with *why saying why not. */
struct symfile *symfile__open(const struct sym_search *s, const struct symfile_spec *sp,
			      enum sym_why *why);

/* Where the symbols came from ("debug file", "binary", "debuginfod", ...). */
const char *symfile__source(const struct symfile *f);

/*
 * The function at file offset @off, or NULL; *into is @off's distance from
 * its start, *size its size (0 unknown). Valid until the symfile is freed.
 */
const char *symfile__function(struct symfile *f, uint64_t off, uint64_t *into, uint64_t *size);

/*
 * The frame at @off written into @buf: the function, then with @inlines
 * the functions inlined into it down to @off ("outer;inlined", the order of
 * folded stacks), each with " (file:line)" when @lines. False when no
 * function covers @off.
 */
bool symfile__describe(struct symfile *f, uint64_t off, bool inlines, bool lines, char *buf,
		       size_t len);

/*
 * Whether the binary's functions set up frame pointers (push %rbp; mov
 * %rsp,%rbp), judged on a sample of them: 1 yes, 0 no, -1 cannot tell (no
 * code here, or not x86-64).
 */
int symfile__frame_pointers(struct symfile *f);

/*
 * Whether every function has a name: a .symtab, MiniDebugInfo or a debug
 * file. A stripped binary's .dynsym names only what it exports.
 */
bool symfile__complete(struct symfile *f);

void symfile__free(struct symfile *f);

/* The GNU build-id of the ELF file at @path (regular files only): its length, 0 if none. */
size_t symfile__read_build_id(const char *path, uint8_t *id, size_t cap);

#endif
