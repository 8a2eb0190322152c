// SPDX-License-Identifier: MIT
/*
 * Structure-aware fuzzing: the fuzzer's bytes are read as a program that
 * builds a trace with the format library itself, so every chunk has a valid
 * checksum and zstd frame, and the mutations land on what the records say
 * (ids, CPUs, states, times, names, stacks, counts), not on the checksums.
 * Field values are drawn from small pools (a few tids, CPUs, stack ids) with
 * edge values mixed in, so events meet each other; one op repeats the recent
 * events many times, so small inputs make multi-chunk traces.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tracegen.h"

struct src {
	const uint8_t *p;
	size_t left;
};

static uint8_t u8(struct src *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static uint32_t u32(struct src *s)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | u8(s);
	return v;
}

/* Mostly one of a few small values, sometimes anything, sometimes an edge. */
static uint32_t id(struct src *s, uint32_t pool)
{
	uint8_t k = u8(s);

	if (k < 200)
		return k % pool;
	if (k < 240)
		return u32(s);
	static const uint32_t edges[] = { 0, 1, 0x7fffffff, 0xfffffffe, 0xffffffff, 4095, 4096 };
	return edges[k % (sizeof(edges) / sizeof(edges[0]))];
}

static const char *const names[] = {
	"ping", "pong", "a;b", "new\nline", "\x1b[31mred", "\xff\xfe", "", "trail ", "<&>\"'", "\xc3",
};
static const char states[] = { 'R', 'S', 'D', 'X', 'Z', 'I', 'T', 't', 'P', 0x1b, (char)0xff };

struct gen {
	int fd;
	struct st_writer *w;
	struct st_chunk ev[TRACEGEN_CPUS], tab;
	uint64_t ts[TRACEGEN_CPUS];
	struct st_event recent[8];
	unsigned int nrecent;
};

static void put(struct gen *g, struct st_chunk *c)
{
	if (c->count)
		st_writer__add(g->w, c);
	st_chunk__reset(c);
}

static void table(struct gen *g, uint16_t type)
{
	if (g->tab.type != type) {
		put(g, &g->tab);
		st_chunk__free(&g->tab);
		st_chunk__init(&g->tab, type, ST_CPU_NONE);
	}
}

static void event(struct gen *g, struct st_event *e)
{
	uint32_t cpu = e->cpu % TRACEGEN_CPUS;

	e->cpu = cpu;
	if (e->ts < g->ts[cpu])
		e->ts = g->ts[cpu];
	g->ts[cpu] = e->ts;
	st_chunk__add_event(&g->ev[cpu], e);
	g->recent[g->nrecent++ % 8] = *e;
	if (g->ev[cpu].count >= 4096)
		put(g, &g->ev[cpu]);
}

static void op(struct gen *g, struct src *s)
{
	uint8_t k = u8(s);
	struct st_event e = { 0 };
	uint32_t cpu = u8(s) % TRACEGEN_CPUS;
	uint64_t dt = u8(s) < 240 ? u8(s) * 100u : u32(s);

	e.ts = g->ts[cpu] + dt;
	e.cpu = cpu;
	switch (k % 16) {
	case 0 ... 4:
		e.type = ST_REC_SWITCH;
		e.sw.prev_tid = id(s, 6);
		e.sw.prev_pid = u8(s) & 1 ? e.sw.prev_tid : id(s, 6);
		e.sw.next_tid = id(s, 6);
		e.sw.next_pid = u8(s) & 1 ? e.sw.next_tid : id(s, 6);
		e.sw.prev_state = states[u8(s) % sizeof(states)];
		e.sw.prev_prio = e.sw.next_prio = 120;
		e.sw.kstack = id(s, 5);
		e.sw.ustack = id(s, 5);
		e.sw.has_queued = u8(s) & 1;
		e.sw.next_queued = u8(s) < 250 ? u8(s) * 50u : UINT64_MAX / (1 + u8(s));
		e.sw.prev_excluded = u8(s) & 1 ? u8(s) : 0;
		e.sw.has_charged = u8(s) & 1;
		e.sw.prev_charged = u32(s);
		event(g, &e);
		break;
	case 5 ... 7:
		e.type = u8(s) % 8 ? ST_REC_WAKING : ST_REC_WAKEUP_NEW;
		e.wake.waker_tid = e.wake.waker_pid = id(s, 6);
		e.wake.wakee_tid = e.wake.wakee_pid = id(s, 6);
		e.wake.target_cpu = u8(s) < 250 ? u8(s) % (TRACEGEN_CPUS + 1) : id(s, 2);
		e.wake.ctx = u8(s) % 4;
		e.wake.kstack = id(s, 5);
		e.wake.ustack = id(s, 5);
		event(g, &e);
		break;
	case 8:
		e.type = ST_REC_FORK;
		e.fork.parent_tid = e.fork.parent_pid = id(s, 6);
		e.fork.child_tid = id(s, 8);
		e.fork.child_pid = u8(s) & 1 ? e.fork.child_tid : e.fork.parent_pid;
		event(g, &e);
		break;
	case 9:
		e.type = (uint8_t[]){ ST_REC_EXEC, ST_REC_EXIT, ST_REC_RENAME }[u8(s) % 3];
		e.task.tid = e.task.pid = id(s, 6);
		snprintf(e.task.comm, sizeof(e.task.comm), "%s", names[u8(s) % 10]);
		e.task.filename = "/bin/x";
		e.task.filename_len = 6;
		event(g, &e);
		break;
	case 10:
		e.type = ST_REC_LOSS;
		e.loss.end_ts = e.ts + u8(s) * 1000u;
		e.loss.count = u8(s) < 250 ? u8(s) : ((uint64_t)u32(s) << 20);
		e.loss.cause = u8(s) % 5;
		event(g, &e);
		break;
	case 11: { /* a stack; kernel frames near the symbols below, or user frames in map 1 */
		struct st_frame f[64];
		struct st_stack st = { .id = id(s, 5), .kind = u8(s) & 1 ? ST_STACK_KERNEL : ST_STACK_USER };
		st.nframes = u8(s) % 64;
		for (unsigned int i = 0; i < st.nframes; i++)
			f[i] = (struct st_frame){ st.kind == ST_STACK_KERNEL
							  ? 0xffffffff81000000ull + u8(s) * 16u
							  : u8(s) * 64u,
						  st.kind == ST_STACK_KERNEL ? 0 : 1 + u8(s) % 2 };
		st.frames = f;
		table(g, ST_CHUNK_STACKS);
		st_chunk__add_stack(&g->tab, &st);
		break;
	}
	case 12: {
		struct st_task t = { .ts = e.ts, .tid = id(s, 6), .pid = id(s, 6), .ppid = id(s, 6) };
		snprintf(t.comm, sizeof(t.comm), "%s", names[u8(s) % 10]);
		t.cmdline = names[u8(s) % 10];
		table(g, ST_CHUNK_TASKS);
		st_chunk__add_task(&g->tab, &t);
		break;
	}
	case 13: {
		struct st_sym sym = { .map = u8(s) & 1 ? 0 : 1, .addr = 0xffffffff81000000ull + u8(s) * 64u,
				      .size = u8(s), .name = names[u8(s) % 10] };
		if (sym.map)
			sym.addr = u8(s) * 64u;
		table(g, sym.map ? ST_CHUNK_USYMS : ST_CHUNK_KSYMS);
		st_chunk__add_sym(&g->tab, &sym);
		struct st_map m = { .id = 1 + u8(s) % 2, .pid = id(s, 6), .start = 0x400000,
				    .end = 0x400000 + u32(s), .pgoff = 0, .path = names[u8(s) % 10] };
		table(g, ST_CHUNK_MAPS);
		st_chunk__add_map(&g->tab, &m);
		break;
	}
	case 14: { /* metadata the analyzer reads */
		static const char *const keys[] = { "start_ts", "target_pids", "recorder_pid",
						    "clock_offset_ns", "ncpus", "host" };
		char v[32];
		snprintf(v, sizeof(v), "%u", id(s, 6));
		table(g, ST_CHUNK_META);
		st_chunk__add_kv(&g->tab, keys[u8(s) % 6], u8(s) & 1 ? v : names[u8(s) % 10]);
		if (u8(s) % 4 == 0) {
			table(g, ST_CHUNK_STATS);
			st_chunk__add_stat(&g->tab, "end_ts", e.ts + u32(s));
		}
		break;
	}
	case 15: { /* the recent events again, later: many events from few bytes */
		unsigned int times = 1 + (u8(s) & 63), n = g->nrecent < 8 ? g->nrecent : 8;
		uint64_t step = 1 + u8(s) * 10u;
		for (unsigned int t = 0; t < times && n; t++)
			for (unsigned int i = 0; i < n; i++) {
				struct st_event r = g->recent[i];
				r.ts = g->ts[r.cpu % TRACEGEN_CPUS] + step;
				event(g, &r);
			}
		break;
	}
	}
}

int tracegen__write(const uint8_t *data, size_t size)
{
	struct gen g = { 0 };
	struct src s = { data, size };

	g.fd = memfd_create("tracegen", 0);
	if (g.fd < 0)
		return -1;
	g.w = st_writer__new(g.fd, 1);
	if (!g.w) {
		close(g.fd);
		return -1;
	}
	for (uint32_t c = 0; c < TRACEGEN_CPUS; c++)
		st_chunk__init(&g.ev[c], ST_CHUNK_EVENTS, c);
	st_chunk__init(&g.tab, ST_CHUNK_META, ST_CPU_NONE);
	while (s.left)
		op(&g, &s);
	put(&g, &g.tab);
	for (uint32_t c = 0; c < TRACEGEN_CPUS; c++)
		put(&g, &g.ev[c]);
	if (size && data[0] & 1) /* sometimes an unfinished file, with no index */
		st_writer__finish(g.w);
	st_writer__free(g.w);
	st_chunk__free(&g.tab);
	for (uint32_t c = 0; c < TRACEGEN_CPUS; c++)
		st_chunk__free(&g.ev[c]);
	return g.fd;
}

