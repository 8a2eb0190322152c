/* SPDX-License-Identifier: MIT */
/*
 * User address -> (mapped file, file offset), from /proc/PID/maps, so user
 * frames in the trace need no absolute address and no live process to be
 * symbolized later. Files are registered once each, with their build-id.
 */
#ifndef SCHEDTAPE_RECORD_UMAPS_H
#define SCHEDTAPE_RECORD_UMAPS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "format/tape.h"
#include "symbolize/symfile.h"

struct umaps;

int umaps__new(struct umaps **out);
void umaps__free(struct umaps *u);

/*
 * Map id (> 0) of the file holding @addr in process @pid, with *offset set to
 * its file offset; for addresses of no file, a pseudo map ("//anon" of the
 * process, "[unmapped]", "[exited]") with *offset = @addr; 0 on no memory. Rereads the
 * process's maps on a miss, at most every few milliseconds per process.
 * *settled says the answer is final for a sample taken at @when (monotonic
 * ns): the address was found, or the maps were read after @when.
 */
uint32_t umaps__translate(struct umaps *u, uint32_t pid, uint64_t addr, uint64_t when,
			  uint64_t *offset, bool *settled);

/*
 * @child was forked from @parent: until it execs, its addresses are the
 * parent's (a shell's or make's child often execs before its maps are read).
 */
int umaps__fork(struct umaps *u, uint32_t child, uint32_t parent, uint64_t ts);

/* Process @pid exec'd at @ts: samples taken before @ts keep its old image's mappings. */
void umaps__exec(struct umaps *u, uint32_t pid, uint64_t ts);

struct mapsnap;
/* Where to find the maps of processes gone before they were read (may be NULL). */
void umaps__set_snapshots(struct umaps *u, struct mapsnap *m);

/* The @i-th process with anonymous code (JIT) and its "//anon" map id; false past the end. */
bool umaps__anon_at(struct umaps *u, size_t i, uint32_t *pid, uint32_t *id);

/* The process exec'd or exited: its mappings are stale. */
void umaps__forget(struct umaps *u, uint32_t pid);

/*
 * Files registered since the last call, as MAP records; valid until the next
 * call. The caller writes them before any stack that uses them.
 */
const struct st_map *umaps__take_new(struct umaps *u, size_t *n);

/* Map @id as symbolize/ looks for it, opened through this host's paths. False if unknown. */
bool umaps__spec(struct umaps *u, uint32_t id, struct symfile_spec *out);

#endif
