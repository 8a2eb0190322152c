// SPDX-License-Identifier: MIT
/*
 * Stacks of the recording: frames from BPF samples interned into the file's
 * stack table (by the BPF side's hash, then by content), kernel frames
 * named, and with --symbols=embed user frames named from this host's files.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_internal.h"
/* After bpf/events.h (in session_internal.h): the skeleton names its types. */
#include "schedtape.skel.h"

/* --- stacks -------------------------------------------------------------- */

/* Name the user frames of a new stack from the binaries on this host. */
static void usyms__embed(struct session *s, const struct st_frame *frames, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		uint32_t map = frames[i].map;
		if (!map)
			continue;
		if (map >= s->nsymtabs) {
			size_t cap = map + 64;
			struct map_symtabs *t = realloc(s->symtabs, cap * sizeof(*t));
			if (!t)
				return;
			memset(t + s->nsymtabs, 0, (cap - s->nsymtabs) * sizeof(*t));
			s->symtabs = t;
			s->nsymtabs = cap;
		}
		struct map_symtabs *ms = &s->symtabs[map];
		if (!ms->tried) {
			/* This host's file as the process saw it, and debug files by build-id. */
			static const struct sym_search here = { .no_debuginfod = true };
			struct symfile_spec sp;
			enum sym_why why;
			ms->tried = true;
			if (umaps__spec(s->umaps, map, &sp))
				ms->file = symfile__open(&here, &sp, &why);
		}
		uint64_t into, size, off = frames[i].addr ? frames[i].addr - 1 : 0;
		const char *name = ms->file ? symfile__function(ms->file, off, &into, &size) : NULL;
		if (!name)
			continue;
		uint64_t start = off - into;
		uint64_t key[2] = { map, start };
		if (htab__find(&s->usyms_done, key, sizeof(key)) ||
		    htab__insert(&s->usyms_done, key, sizeof(key), 1))
			continue;
		struct st_sym sym = { .map = map, .addr = start, .size = size, .name = name };
		st_chunk__add_sym(&s->usym_chunk, &sym);
	}
}

static uint32_t stack__intern_frames(struct session *s, uint8_t kind, const uint64_t *raw,
				     unsigned int n, uint32_t pid, uint64_t when, bool *resolved)
{
	unsigned int k = 0;

	if (n == 0)
		return ST_STACK_NONE;
	s->key[k++] = kind;
	for (unsigned int i = 0; i < n; i++) {
		struct st_frame *f = &s->frames[i];
		if (kind == ST_STACK_KERNEL) {
			f->addr = raw[i];
			f->map = 0;
		} else {
			bool settled;
			f->map = umaps__translate(s->umaps, pid, raw[i], when, &f->addr, &settled);
			s->key[k++] = f->map;
			*resolved &= settled;
		}
		s->key[k++] = f->addr;
	}
	uint64_t *id = htab__find(&s->stacks, s->key, k * sizeof(uint64_t));
	if (id)
		return (uint32_t)*id;
	if (s->next_stack_id >= ST_STACK_LOST - 1 ||
	    htab__insert(&s->stacks, s->key, k * sizeof(uint64_t), s->next_stack_id))
		return ST_STACK_LOST;
	struct st_stack st = { .id = s->next_stack_id++, .kind = kind, .nframes = (uint16_t)n,
			       .frames = s->frames };
	if (n >= STB_MAX_FRAMES)
		st.flags |= ST_STACK_TRUNCATED;
	st_chunk__add_stack(&s->stack_chunk, &st);
	if (kind == ST_STACK_KERNEL) {
		s->st.kstacks++;
		if (st.id >= s->stack_ctx_cap) {
			size_t cap = s->stack_ctx_cap ? s->stack_ctx_cap * 2 : 4096;
			uint8_t *p = realloc(s->stack_ctx, cap);
			if (p) {
				memset(p + s->stack_ctx_cap, 0, cap - s->stack_ctx_cap);
				s->stack_ctx = p;
				s->stack_ctx_cap = cap;
			}
		}
		/* Unnamed if this fails: the frames keep their addresses. */
		ksyms__resolve(s->ksyms, raw, n);
		if (st.id < s->stack_ctx_cap)
			s->stack_ctx[st.id] = ksyms__context(s->ksyms, raw, n);
		for (unsigned int i = 0; s->ksyms && i < n; i++) {
			struct ksym *sym = ksyms__find(s->ksyms, raw[i]);
			if (!sym || sym->emitted)
				continue;
			struct st_sym rec = { .addr = sym->addr, .size = sym->size, .name = sym->name };
			st_chunk__add_sym(&s->ksym_chunk, &rec);
			sym->emitted = true;
		}
	} else {
		s->st.ustacks++;
		if (s->o.embed_user_symbols)
			usyms__embed(s, s->frames, n);
	}
	return st.id;
}

/*
 * A stack by the hash the BPF program computed: one seen before costs a
 * lookup. Once stored (and, for user stacks, with every frame's mapping
 * settled), the hash goes to the kernel, which from then on sends the hash
 * alone. A stack with a frame in no mapping known yet is not confirmed, so
 * that a later reread of the maps can still name it.
 */
static uint32_t stack__intern(struct session *s, uint8_t kind, const uint64_t *raw, unsigned int n,
			      uint32_t pid, uint64_t when, uint64_t hash, bool ref)
{
	bool resolved = true;
	uint64_t *v = htab64__find(&s->stack_hashes, hash);
	uint8_t one = 1;
	uint32_t id;

	if (v)
		return (uint32_t)*v;
	if (ref) {
		s->st.stack_failures++; /* cannot happen: only known hashes are sent alone */
		return ST_STACK_LOST;
	}
	id = stack__intern_frames(s, kind, raw, n, pid, when, &resolved);
	if (hash && resolved && id != ST_STACK_LOST &&
	    !htab64__insert(&s->stack_hashes, hash, id))
		/* The kernel's map may be full: then it keeps sending frames. */
		bpf_map__update_elem(s->skel->maps.known_stacks, &hash, sizeof(hash), &one,
				     sizeof(one), BPF_ANY);
	return id;
}

/* Stack ids of a sample's frames (kernel, then user), interned into the stack table. */
void session__sample_stacks(struct session *s, const struct stb_event *e, const uint64_t *frames,
			   uint32_t pid, uint32_t *kid, uint32_t *uid)
{
	*kid = stack__intern(s, ST_STACK_KERNEL, frames, e->kstack_bytes / 8, 0, e->ts, e->khash,
			     e->flags & STB_F_KSTACK_REF);
	*uid = stack__intern(s, ST_STACK_USER, frames + e->kstack_bytes / 8, e->ustack_bytes / 8,
			     pid, e->ts, e->uhash, e->flags & STB_F_USTACK_REF);
	if (e->flags & STB_F_KSTACK_ERR) {
		*kid = ST_STACK_LOST;
		s->st.stack_failures++;
	}
	if (e->flags & STB_F_USTACK_ERR) {
		*uid = ST_STACK_LOST;
		s->st.stack_failures++;
	}
}
