/* SPDX-License-Identifier: MIT */
/*
 * Shared by the Perfetto writer's files: field numbers (from Perfetto's
 * protos/perfetto/trace/..., for exactly the messages written) and the
 * writer's state.
 */
#ifndef SCHEDTAPE_EXPORT_PERFETTO_INTERNAL_H
#define SCHEDTAPE_EXPORT_PERFETTO_INTERNAL_H

#include <zlib.h>

#include "base/htab.h"
#include "perfetto.h"
#include "protobuf.h"

/* Trace */
#define F_TRACE_PACKET 1
/* TracePacket */
#define F_PKT_FTRACE_EVENTS 1
#define F_PKT_PROCESS_TREE 2
#define F_PKT_CLOCK_SNAPSHOT 6
#define F_PKT_TIMESTAMP 8
#define F_PKT_SEQ_ID 10
#define F_PKT_TRACK_EVENT 11
#define F_PKT_INTERNED_DATA 12
#define F_PKT_SEQ_FLAGS 13
#define F_PKT_SYSTEM_INFO 45
#define F_PKT_TRACK_DESCRIPTOR 60
#define SEQ_INCREMENTAL_STATE_CLEARED 1
#define SEQ_NEEDS_INCREMENTAL_STATE 2
/* FtraceEventBundle */
#define F_BUNDLE_CPU 1
#define F_BUNDLE_EVENT 2
#define F_BUNDLE_LOST_EVENTS 3
#define F_BUNDLE_COMPACT 4
/* FtraceEventBundle.CompactSched */
#define F_CS_SWITCH_TS 1
#define F_CS_SWITCH_PREV_STATE 2
#define F_CS_SWITCH_NEXT_PID 3
#define F_CS_SWITCH_NEXT_PRIO 4
#define F_CS_INTERN_TABLE 5
#define F_CS_SWITCH_NEXT_COMM 6
#define F_CS_WAKING_TS 7
#define F_CS_WAKING_PID 8
#define F_CS_WAKING_TARGET_CPU 9
#define F_CS_WAKING_PRIO 10
#define F_CS_WAKING_COMM 11
#define F_CS_WAKING_FLAGS 12
/* FtraceEvent */
#define F_FE_TIMESTAMP 1
#define F_FE_PID 2
#define F_FE_SCHED_SWITCH 4
#define F_FE_COMMON_FLAGS 5
#define F_FE_SCHED_WAKING 20
#define F_FE_SCHED_WAKEUP_NEW 114
#define F_FE_TASK_NEWTASK 235
#define F_FE_TASK_RENAME 236
#define F_FE_SCHED_PROCESS_EXEC 237
#define F_FE_SCHED_PROCESS_EXIT 238

/* The kernel's trace flags for an event's context (TRACE_FLAG_*). */
#define TRACE_FLAG_HARDIRQ 0x08
#define TRACE_FLAG_SOFTIRQ 0x10
#define TRACE_FLAG_NMI 0x40

/* Events in a bundle before it is written: bounds a CPU's buffered events. */
#define BUNDLE_EVENTS 4096

/* A full FtraceEvent waiting in a bundle, by time. */
struct full_event {
	uint64_t ts;
	size_t off, len; /* in the bundle's full buffer */
};

/* One CPU's bundle being filled, and who trace processor will think runs there. */
struct cpu_bundle {
	bool known;	/* a switch was written: cur_tid is what trace processor has */
	bool lost;	/* events were lost since the last bundle: say so in the next */
	bool dirty;	/* events were lost since the last switch: cur_tid may be wrong */
	uint32_t cur_tid;
	uint32_t nsw, nwk, nfull, fcap;
	uint64_t first_ts, last_wk_ts, last_full_ts;
	uint64_t sw_ts[BUNDLE_EVENTS];
	int64_t sw_state[BUNDLE_EVENTS];
	int32_t sw_pid[BUNDLE_EVENTS], sw_prio[BUNDLE_EVENTS];
	uint32_t sw_comm[BUNDLE_EVENTS];
	uint64_t wk_ts[BUNDLE_EVENTS];
	int32_t wk_pid[BUNDLE_EVENTS], wk_cpu[BUNDLE_EVENTS], wk_prio[BUNDLE_EVENTS];
	uint32_t wk_comm[BUNDLE_EVENTS], wk_flags[BUNDLE_EVENTS];
	struct full_event *full;
	struct st_buf fullbuf;
	/* The intern table of comms: strings in order, and a map to their index. */
	struct htab comms;
	uint32_t ncomms;
	struct st_buf commbuf; /* each comm as a string field, ready to copy */
};

/* A waking that came while its wakee was still on its CPU (model: early). */
struct held_waking {
	uint64_t ts;
	uint32_t cpu, waker_tid, target_cpu, wakee_tid;
	uint8_t ctx;
	bool held;
};

struct perfetto {
	FILE *f;
	struct perfetto_opts o;
	const struct st_reader *r;
	struct symbolizer *sym;
	struct model *m;
	int err;
	z_stream z;
	bool z_on;
	struct st_buf out;	 /* whole packets, written out when large */
	struct st_buf pkt;	 /* scratch for one packet body */
	struct st_buf scratch;
	uint32_t ncpus;
	struct cpu_bundle **cpus;
	const struct st_event *cur; /* the event being fed to the model */
	/* Held wakings, by wakee tid (held_idx: tid + 1 -> index into held). */
	struct held_waking *held;
	uint32_t nheld, heldcap;
	struct htab64 held_idx;
	/* Track events: one sequence with interned data. */
	uint8_t *track_done; /* by model thread index: descriptor written */
	uint32_t track_cap;
	uint8_t *seen; /* by model thread index: an interval was closed (so UNKNOWN is not the leading one) */
	uint32_t seen_cap;
	uint8_t *loss_done; /* by CPU: its loss track's descriptor written */
	uint32_t loss_cap;
	struct st_buf interned; /* InternedData entries for the next track event */
	struct htab64 callstacks; /* (kstack << 32 | ustack) + 1 -> iid */
	struct htab frames;	  /* (kind, map, addr) -> iid */
	struct htab names;	  /* function name -> iid */
	struct htab64 mappings;	  /* map id + 1 -> iid (kernel: key 1) */
	uint64_t next_iid;
	uint64_t events_done, events_total;
};

/* perfetto_bundle.c: per-CPU bundles. */
struct cpu_bundle *bundle__get(struct perfetto *p, uint32_t cpu);
void bundle__switch(struct perfetto *p, const struct st_event *e, const char *next_comm,
		    const char *prev_comm);
void bundle__waking(struct perfetto *p, uint32_t cpu, uint64_t ts, uint32_t waker_tid,
		    uint8_t ctx, uint32_t wakee_tid, const char *wakee_comm, uint32_t target_cpu,
		    bool late);
/* A full FtraceEvent (body in p->scratch) for @cpu at @ts; @late: ts may be older than the bundle. */
void bundle__full(struct perfetto *p, uint32_t cpu, uint64_t ts, bool late);
void bundle__flush(struct perfetto *p, struct cpu_bundle *b, uint32_t cpu);
void bundle__free(struct cpu_bundle *b);

/*
 * perfetto_stacks.c: the interned callstack of a kernel and a user stack
 * (0: neither); entries not yet written go to p->interned.
 */
uint64_t callstack__intern(struct perfetto *p, uint32_t kstack, uint32_t ustack);
uint64_t event_name__intern(struct perfetto *p, const char *name);

/* perfetto.c: a finished packet body (p->pkt) into the output. */
void perfetto__packet(struct perfetto *p);

#endif
