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
 * its file offset; 0 when no mapping is known (*offset = @addr). Rereads the
 * process's maps on a miss, at most every few milliseconds per process.
 * *settled says the answer is final for a sample taken at @when (monotonic
 * ns): the address was found, or the maps were read after @when.
 */
uint32_t umaps__translate(struct umaps *u, uint32_t pid, uint64_t addr, uint64_t when,
			  uint64_t *offset, bool *settled);

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
