/* SPDX-License-Identifier: MIT */
/*
 * The recording session's state, shared by its files: session.c (open,
 * drain, write, stop) and stacks.c (interning stacks, embedding user
 * symbols). Not for use outside record/.
 */
#ifndef SCHEDTAPE_RECORD_SESSION_INTERNAL_H
#define SCHEDTAPE_RECORD_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/htab.h"
#include "bpf/events.h"
#include "format/tape.h"
#include "ksyms.h"
#include "session.h"
#include "sink.h"
#include "symbolize/elf_symtab.h"
#include "umaps.h"

struct cpu_state {
	struct st_chunk chunk;
	uint64_t last_ts;      /* last event delivered on this CPU */
	uint64_t pending_lost;	 /* lost events not yet placed in time */
	uint64_t pending_decode; /* undecodable samples, likewise */
	uint64_t lost;
	struct bpf_link *tick; /* the batch timer on this CPU */
	uint64_t excluded;     /* the latest switch's cumulative uncharged time (has_excluded) */
	bool has_excluded;
};

/* --symbols=embed: a map's binary and its debug file, opened on first use. */
struct map_symtabs {
	struct elf_symtab *bin, *dbg;
	bool tried;
};

struct session {
	struct session_opts o;
	struct schedtape *skel;
	struct perf_buffer *pb;
	struct sink *sink;
	struct cpu_state *cpus;
	int ncpus;
	bool attached;

	struct htab stacks; /* kind + frames -> id */
	struct htab64 stack_hashes; /* the BPF program's stack hash -> id */
	uint32_t next_stack_id;
	uint8_t *stack_ctx; /* by kernel stack id: enum st_wake_ctx */
	size_t stack_ctx_cap;
	struct ksyms *ksyms;
	struct umaps *umaps;
	/* --symbols=embed: symbol tables by map id, and the symbols already written. */
	struct map_symtabs *symtabs;
	size_t nsymtabs;
	struct htab usyms_done;
	/* Tables waiting to be written before the next events chunk. */
	struct st_chunk maps, ksym_chunk, usym_chunk, stack_chunk, tasks;

	uint64_t start_ts, end_ts, last_flush_ns;
	int err; /* first fatal error, from the writer */
	struct session_stats st;
	struct st_frame frames[STB_MAX_FRAMES];
	uint64_t key[1 + 2 * STB_MAX_FRAMES];
	uint64_t raw_frames[2 * STB_MAX_FRAMES]; /* aligned copy of a sample's frames */
	uint64_t perf_records_lost; /* batches the kernel reported lost (their events: in-band) */
};

/* The stack ids of sample @e's frames (@frames: its kernel frames, then its user frames). */
void session__sample_stacks(struct session *s, const struct stb_event *e, const uint64_t *frames,
			    uint32_t pid, uint32_t *kid, uint32_t *uid);

#endif
