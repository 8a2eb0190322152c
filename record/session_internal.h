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
#include "cgnames.h"
#include "bpf/events.h"
#include "format/tape.h"
#include "ksyms.h"
#include "session.h"
#include "sink.h"
#include "symbolize/symfile.h"
#include "jitmaps.h"
#include "mapsnap.h"
#include "tasklog.h"
#include "trigger.h"
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

/* --symbols=embed: a map's symbols (binary, debug file), opened on first use. */
struct map_symtabs {
	struct symfile *file;
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
	struct mapsnap *mapsnap; /* maps read the moment a process's first stacks are taken */
	struct jit_stats jit;
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

	/* The flight recorder (o.ring.output set): session_ring.c. */
	struct tasklog *tasklog;
	struct pending_dump *pending; /* waiting for their window's events to arrive */
	size_t npending, pending_cap;
	uint64_t last_fire_ts;	/* the latest trigger dump's wait end (0: none yet) */
	uint64_t last_prune_ns;
	uint64_t rotated_to;	/* --rotate: the latest window written */
	uint64_t dumps_requested;

	/* Cgroups: names of the ids tasks were seen in, each written once. */
	struct cgnames *cgnames;
	struct htab64 cgroups_done;
	struct st_chunk cgroup_chunk;
};

/* session.c's: a META chunk's keys (without start_ts), as recording started. */
void session__meta(struct session *s, struct st_chunk *c);
/* CLOCK_REALTIME - CLOCK_MONOTONIC now: the wall clock of a trace time. */
long long session__realtime_offset(void);
/* Push every CPU's chunk in progress, and the tables before them. */
void session__flush(struct session *s);

/* session_ring.c: the flight recorder's part of the session. */
int ring__session_start(struct session *s);
void ring__task(struct session *s, const struct st_task *t);
void ring__exit(struct session *s, uint32_t tid, uint64_t ts);
void ring__rename(struct session *s, uint32_t tid, uint32_t pid, uint64_t ts, const char *comm);
/* A wait that ended: a trigger may fire. */
void ring__wait(struct session *s, const struct trigger_wait *w, uint64_t end_ts);
/* Each poll: dumps whose window has arrived, rotation, pruning. */
void ring__tick(struct session *s);
/* At the end (the events all drained): what is pending, and the exit dump. */
void ring__stop(struct session *s);
void ring__free_state(struct session *s);

/* The stack ids of sample @e's frames (@frames: its kernel frames, then its user frames). */
void session__sample_stacks(struct session *s, const struct stb_event *e, const uint64_t *frames,
			    uint32_t pid, uint32_t *kid, uint32_t *uid);

#endif
