/* SPDX-License-Identifier: MIT */
/*
 * Function symbols of one ELF file, looked up by file offset (what user
 * frames in a trace hold). Used by the analyzer to name frames, and by the
 * recorder to embed names.
 */
#ifndef SCHEDTAPE_SYMBOLIZE_ELF_SYMTAB_H
#define SCHEDTAPE_SYMBOLIZE_ELF_SYMTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elf_symtab;

/*
 * Load @path if it is a regular file holding ELF whose GNU build-id equals
 * @build_id; with @build_id_len 0, any ELF file unless @need_match. Returns
 * NULL if not (never opens devices or FIFOs).
 */
struct elf_symtab *elf_symtab__open(const char *path, const uint8_t *build_id,
				    size_t build_id_len, bool need_match);

/*
 * File offset @off of this binary as a virtual address, by its program
 * headers. A separate debug file has none with contents: then the usual
 * layout is assumed (address = offset + base of the first segment).
 */
bool elf_symtab__to_vaddr(const struct elf_symtab *t, uint64_t off, uint64_t *vaddr);

/* The function covering virtual address @vaddr, or NULL; *start, *size its extent. */
const char *elf_symtab__at(const struct elf_symtab *t, uint64_t vaddr, uint64_t *start,
			   uint64_t *size);

/* Both on one file: the function at file offset @off, its extent in file offsets. */
const char *elf_symtab__lookup(const struct elf_symtab *t, uint64_t off, uint64_t *start,
			       uint64_t *size);

/* Whether the file has function symbols at all. */
bool elf_symtab__has_symbols(const struct elf_symtab *t);

void elf_symtab__free(struct elf_symtab *t);

#endif
