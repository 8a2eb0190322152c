// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "bpf/events.h"
#include "base/clock.h"
#include "base/htab.h"
#include "ksyms.h"
#include "procfs.h"
#include "schedtape.skel.h"
#include "session.h"
#include "session_internal.h"
#include "sink.h"
#include "umaps.h"


static char state_letter(uint32_t state, bool preempt)
{
	if (preempt)
		return 'R';
	if (state & 0x0002)
		return (state & 0x0400) ? 'I' : 'D'; /* TASK_NOLOAD: idle kthread wait */
	if (state & 0x0001)
		return 'S';
	if (state & 0x0004)
		return 'T';
	if (state & 0x0008)
		return 't';
	if (state & 0x0020)
		return 'Z';
	if (state & (0x0010 | 0x0080))
		return 'X';
	if (state & 0x0040)
		return 'P';
	return 'R';
}

/* --- writing ------------------------------------------------------------- */

static int push(struct session *s, struct st_chunk *c, bool droppable)
{
	if (!c->count)
		return 0;
	int err = sink__push(s->sink, c, droppable);
	if (err && err != -EAGAIN) {
		if (!s->err)
			s->err = err;
		/* The file takes nothing more: these events are lost, and counted. */
		if (c->type == ST_CHUNK_EVENTS)
			s->st.lost_unwritten += c->count;
		st_chunk__reset(c);
	}
	return err;
}

/* Tables first: every event written refers only to stacks already written. */
static void push_tables(struct session *s)
{
	size_t n;
	const struct st_map *m = umaps__take_new(s->umaps, &n);

	for (size_t i = 0; i < n; i++)
		st_chunk__add_map(&s->maps, &m[i]);
	push(s, &s->maps, false);
	push(s, &s->ksym_chunk, false);
	push(s, &s->usym_chunk, false);
	push(s, &s->stack_chunk, false);
	push(s, &s->cgroup_chunk, false);
	push(s, &s->tasks, false);
}

static void flush_cpu(struct session *s, int cpu)
{
	struct cpu_state *cs = &s->cpus[cpu];
	struct st_chunk *c = &cs->chunk;

	if (!c->count)
		return;
	push_tables(s);
	s->st.clamped += c->clamped;
	if (push(s, c, true) != -EAGAIN)
		return;
	/* The writer is behind: drop this batch, and say so in its place. */
	struct st_event loss = { .ts = c->first_ts, .type = ST_REC_LOSS };
	loss.loss.end_ts = c->last_ts;
	loss.loss.count = c->count;
	loss.loss.cause = ST_LOSS_WRITER_BEHIND;
	s->st.lost_writer += c->count;
	cs->lost += c->count;
	st_chunk__reset(c);
	st_chunk__add_event(c, &loss);
}

static void flush_all(struct session *s)
{
	for (int c = 0; c < s->ncpus; c++)
		flush_cpu(s, c);
	push_tables(s);
	s->last_flush_ns = clock__monotonic_ns();
}

void session__flush(struct session *s)
{
	flush_all(s);
}

/* --- samples ------------------------------------------------------------- */

/* Cgroup @id's name goes into the file once, before the first task record naming it. */
static void cgroup__note(struct session *s, uint64_t id)
{
	uint32_t level = 0;
	const char *path;

	if (!id || htab64__find(&s->cgroups_done, id))
		return;
	path = cgnames__path(s->cgnames, id, &level);
	if (!path)
		return; /* gone before we looked: tasks keep the id, the analyzer says so */
	struct st_cgroup g = { .id = id, .level = level, .path = path };
	if (htab64__insert(&s->cgroups_done, id, 1) == 0)
		st_chunk__add_cgroup(&s->cgroup_chunk, &g);
}

/* A TASK record: into the file (or, for the flight recorder, the task table dumps carry). */
static void task__write(struct session *s, const struct st_task *t)
{
	cgroup__note(s, t->cgroup);
	ring__task(s, t);
	if (!s->o.ring.output)
		st_chunk__add_task(&s->tasks, t);
}

static void task__record(struct session *s, uint64_t ts, uint32_t tid, uint32_t pid,
			 uint32_t ppid, const char *comm, bool with_cmdline, uint64_t cgroup)
{
	struct st_task t = { .ts = ts, .tid = tid, .pid = pid, .ppid = ppid, .cmdline = "",
			     .cgroup = cgroup };
	char cmdline[ST_MAX_STR + 1];

	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	if (with_cmdline && procfs__cmdline(pid, cmdline, sizeof(cmdline)) == 0)
		t.cmdline = cmdline;
	task__write(s, &t);
}

/* Task @tid (the whole process with @process) moved to cgroup @id at @ts. */
static void task__moved(struct session *s, uint64_t ts, uint32_t tid, uint32_t pid,
			const char *comm, uint64_t id, bool process)
{
	const struct st_task *last = tasklog__latest(s->tasklog, process ? pid : tid);
	struct st_task t = { .tid = process ? pid : tid, .pid = pid, .cmdline = "" };

	if (last)
		t = *last;
	else
		snprintf(t.comm, sizeof(t.comm), "%s", comm);
	t.ts = ts;
	t.flags &= ~(uint32_t)ST_TASK_SNAPSHOT;
	t.cgroup = id;
	task__write(s, &t);
}

/* A wait the kernel measured ended: the flight recorder's triggers may fire. */
static void wait__ended(struct session *s, enum trigger_kind kind, uint64_t ns, uint32_t tid,
			uint32_t pid, uint64_t ts)
{
	struct trigger_wait w = { .kind = kind, .ns = ns, .tid = tid, .pid = pid };

	if (s->o.ring.ntriggers && tid)
		ring__wait(s, &w, ts);
}

/*
 * Losses on @cs not yet placed in time become LOSS records, from the last
 * event delivered before them to @end (the first after them, or the end).
 */
static void pending__place(struct cpu_state *cs, uint64_t end)
{
	const struct {
		uint64_t *n;
		uint8_t cause;
	} kinds[] = { { &cs->pending_lost, ST_LOSS_BUFFER_FULL }, { &cs->pending_decode, ST_LOSS_DECODE } };

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		if (!*kinds[k].n)
			continue;
		struct st_event loss = { .ts = cs->last_ts, .type = ST_REC_LOSS };
		loss.loss.end_ts = end;
		loss.loss.count = *kinds[k].n;
		loss.loss.cause = kinds[k].cause;
		st_chunk__add_event(&cs->chunk, &loss);
		*kinds[k].n = 0;
		cs->has_excluded = false; /* a switch of this CPU may be among the lost */
	}
}

/* @n samples on @cpu that could not be decoded: lost, in the file too. */
static void cpu__undecodable(struct session *s, int cpu, uint64_t n)
{
	s->cpus[cpu].pending_decode += n;
	s->cpus[cpu].lost += n;
	s->st.lost_decode += n;
}

static void sample__handle(struct session *s, int cpu, const uint8_t *data, uint32_t size)
{
	struct cpu_state *cs = &s->cpus[cpu];
	struct stb_event e;
	struct st_event ev = { 0 };
	const uint64_t *frames;
	struct stb_task_extra task;

	if (size < sizeof(e)) {
		cpu__undecodable(s, cpu, 1);
		return;
	}
	memcpy(&e, data, sizeof(e));
	if (e.kstack_bytes % 8 || e.ustack_bytes % 8 ||
	    (uint32_t)e.kstack_bytes + e.ustack_bytes > size - sizeof(e) ||
	    e.kstack_bytes > STB_MAX_FRAMES * 8 || e.ustack_bytes > STB_MAX_FRAMES * 8) {
		cpu__undecodable(s, cpu, 1);
		return;
	}
	/* Raw sample data follows a 4-byte size in the perf record: only 4-byte aligned. */
	memcpy(s->raw_frames, data + sizeof(e), (size_t)e.kstack_bytes + e.ustack_bytes);
	frames = s->raw_frames;
	if (e.type >= STB_FORK) {
		if (size < sizeof(e) + sizeof(task)) {
			cpu__undecodable(s, cpu, 1);
			return;
		}
		memcpy(&task, data + sizeof(e), sizeof(task));
		task.comm[sizeof(task.comm) - 1] = 0;
		task.filename[sizeof(task.filename) - 1] = 0;
	}
	pending__place(cs, e.ts > cs->last_ts ? e.ts : cs->last_ts);
	ev.ts = e.ts;
	ev.cpu = (uint32_t)cpu;
	switch (e.type) {
	case STB_SWITCH:
		ev.type = ST_REC_SWITCH;
		ev.sw.prev_tid = e.tid_a;
		ev.sw.prev_pid = e.pid_a;
		ev.sw.next_tid = e.tid_b;
		ev.sw.next_pid = e.pid_b;
		ev.sw.prev_state = state_letter(e.state, e.flags & STB_F_PREEMPT);
		ev.sw.prev_prio = e.prio_a;
		ev.sw.next_prio = e.prio_b;
		ev.sw.has_queued = e.flags & STB_F_QUEUED;
		ev.sw.next_queued = e.queued;
		/* Per CPU, switches come in order: the difference is prev's slice's. */
		if ((e.flags & STB_F_EXCLUDED) && cs->has_excluded && e.excluded >= cs->excluded)
			ev.sw.prev_excluded = e.excluded - cs->excluded;
		cs->has_excluded = e.flags & STB_F_EXCLUDED;
		cs->excluded = e.excluded;
		ev.sw.has_charged = e.flags & STB_F_CHARGED;
		ev.sw.prev_charged = e.charged;
		session__sample_stacks(s, &e, frames, e.pid_a, &ev.sw.kstack, &ev.sw.ustack);
		if (ev.sw.has_queued)
			wait__ended(s, TRIGGER_RUNNABLE, e.queued, e.tid_b, e.pid_b, e.ts);
		break;
	case STB_WAKING:
	case STB_WAKEUP_NEW:
		ev.type = e.type == STB_WAKING ? ST_REC_WAKING : ST_REC_WAKEUP_NEW;
		ev.wake.waker_tid = e.tid_a;
		ev.wake.waker_pid = e.pid_a;
		ev.wake.wakee_tid = e.tid_b;
		ev.wake.wakee_pid = e.pid_b;
		ev.wake.target_cpu = e.cpu_b;
		session__sample_stacks(s, &e, frames, e.pid_a, &ev.wake.kstack, &ev.wake.ustack);
		if (ev.wake.kstack < s->stack_ctx_cap)
			ev.wake.ctx = s->stack_ctx[ev.wake.kstack];
		/* In IRQ context the interrupted task's user stack says nothing. */
		if (ev.wake.ctx != ST_CTX_TASK)
			ev.wake.ustack = ST_STACK_NONE;
		if (e.flags & STB_F_SLEPT)
			wait__ended(s, state_letter(e.state, false) == 'D' ? TRIGGER_BLOCK
									   : TRIGGER_SLEEP,
				    e.queued, e.tid_b, e.pid_b, e.ts);
		break;
	case STB_FORK:
		ev.type = ST_REC_FORK;
		ev.fork.parent_tid = e.tid_a;
		ev.fork.parent_pid = e.pid_a;
		ev.fork.child_tid = e.tid_b;
		ev.fork.child_pid = e.pid_b;
		/* A new process's parent is the forking process; a thread's is the process's. */
		task__record(s, e.ts, e.tid_b, e.pid_b,
			     e.pid_b != e.pid_a ? e.pid_a : procfs__ppid(e.pid_a), task.comm,
			     false, task.cgroup);
		/* A new process runs its parent's code until it execs. */
		if (e.pid_b != e.pid_a && s->o.ustack_frames)
			umaps__fork(s->umaps, e.pid_b, e.pid_a, e.ts);
		break;
	case STB_CGROUP:
		/* Not an event of the file: the task table says it from then on. */
		task__moved(s, e.ts, e.tid_a, e.pid_a, task.comm, task.cgroup, e.state != 0);
		return;
	case STB_EXEC:
	case STB_EXIT:
	case STB_RENAME:
		ev.type = e.type == STB_EXEC ? ST_REC_EXEC
			  : e.type == STB_EXIT ? ST_REC_EXIT
					       : ST_REC_RENAME;
		ev.task.tid = e.tid_a;
		ev.task.pid = e.pid_a;
		memcpy(ev.task.comm, task.comm, sizeof(ev.task.comm));
		if (e.type == STB_EXEC) {
			ev.task.filename = task.filename;
			ev.task.filename_len = (uint32_t)strlen(task.filename);
			umaps__exec(s->umaps, e.pid_a, e.ts);
			task__record(s, e.ts, e.tid_a, e.pid_a, procfs__ppid(e.pid_a), task.comm,
				     true, task.cgroup);
		} else if (e.type == STB_EXIT) {
			ring__exit(s, e.tid_a, e.ts);
			if (e.tid_a == e.pid_a)
				umaps__forget(s->umaps, e.pid_a);
		} else {
			ring__rename(s, e.tid_a, e.pid_a, e.ts, task.comm);
		}
		break;
	default:
		cpu__undecodable(s, cpu, 1);
		return;
	}
	if (st_chunk__add_event(&cs->chunk, &ev)) {
		cpu__undecodable(s, cpu, 1);
		return;
	}
	if (ev.ts > cs->last_ts)
		cs->last_ts = ev.ts;
	s->st.events++;
	s->st.by_type[e.type < 8 ? e.type : 0]++;
	if (cs->chunk.buf.len >= s->o.chunk_bytes)
		flush_cpu(s, cpu);
}

/* @n events the BPF side could not deliver on @cpu; placed in time by the next sample, or at the end. */
static void cpu__lost(struct session *s, int cpu, uint64_t n)
{
	s->cpus[cpu].pending_lost += n;
	s->cpus[cpu].lost += n;
	s->st.lost_buffer += n;
}

/* The samples of one batch (bpf/events.h), in order. */
static void batch__handle(struct session *s, int cpu, const uint8_t *data, uint32_t size)
{
	struct stb_batch_hdr h;

	if (size < sizeof(h)) {
		cpu__undecodable(s, cpu, 1);
		return;
	}
	memcpy(&h, data, sizeof(h));
	if (h.type != STB_BATCH || h.len > size - sizeof(h)) {
		cpu__undecodable(s, cpu, 1);
		return;
	}
	cpu__lost(s, cpu, h.lost);
	const uint8_t *p = data + sizeof(h), *end = p + h.len;
	while (end - p >= 8) {
		uint32_t rec;
		memcpy(&rec, p, 4);
		if (rec == 0)
			break; /* ended early: a nested writer found no room */
		if (rec > (size_t)(end - p) - 8) {
			cpu__undecodable(s, cpu, 1);
			break;
		}
		sample__handle(s, cpu, p + 8, rec);
		p += 8 + ((rec + 7) & ~7u);
	}
}

static enum bpf_perf_event_ret on_perf_record(void *ctx, int cpu, struct perf_event_header *h)
{
	struct session *s = ctx;

	if (cpu < 0 || cpu >= s->ncpus)
		return LIBBPF_PERF_EVENT_CONT;
	if (h->type == PERF_RECORD_SAMPLE) {
		const uint8_t *p = (const uint8_t *)(h + 1);
		uint32_t size;
		if (h->size < sizeof(*h) + 4)
			return LIBBPF_PERF_EVENT_CONT;
		memcpy(&size, p, 4);
		if (size > h->size - sizeof(*h) - 4) {
			cpu__undecodable(s, cpu, 1);
			return LIBBPF_PERF_EVENT_CONT;
		}
		batch__handle(s, cpu, p + 4, size);
	} else if (h->type == PERF_RECORD_LOST) {
		struct {
			struct perf_event_header h;
			uint64_t id, lost;
		} lost;
		/* Whole batches: the BPF side counts their events and reports them in-band. */
		if (h->size >= sizeof(lost)) {
			memcpy(&lost, h, sizeof(lost));
			s->perf_records_lost += lost.lost;
		}
	}
	return LIBBPF_PERF_EVENT_CONT;
}

/*
 * Batches still in the kernel when recording stops (the programs are
 * detached), read from the per-CPU map.
 */
static void batches__drain(struct session *s)
{
	size_t vsz = bpf_map__value_size(s->skel->maps.batches);
	uint32_t zero = 0;

	if (vsz != sizeof(struct stb_cpu_batch)) {
		s->st.lost_decode++; /* cannot happen: the layout is shared source */
		return;
	}
	struct stb_cpu_batch *v = calloc((size_t)s->ncpus, vsz);
	if (!v)
		return;
	if (!bpf_map__lookup_elem(s->skel->maps.batches, &zero, sizeof(zero), v,
				  (size_t)s->ncpus * vsz, 0)) {
		for (int c = 0; c < s->ncpus; c++) {
			struct stb_cpu_batch *b = &v[c];
			uint32_t a = b->active & 1;
			/* The inactive buffer is older, if it was not written out. */
			for (int k = 0; k < 2; k++) {
				struct stb_batch_buf *bb = &b->buf[k ? a : a ^ 1];
				if (!bb->hdr.len)
					continue;
				bb->hdr.type = STB_BATCH;
				bb->hdr.lost = 0;
				if (bb->hdr.len > sizeof(bb->data))
					bb->hdr.len = sizeof(bb->data);
				batch__handle(s, c, (const uint8_t *)&bb->hdr,
					      sizeof(bb->hdr) + bb->hdr.len);
			}
			cpu__lost(s, c, b->lost);
		}
	}
	free(v);
}

/* A 10 Hz timer per CPU writes out batches that fill slowly. */
static int ticks__attach(struct session *s, char *why, size_t why_len)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.sample_period = 100 * 1000 * 1000, /* ns */
	};

	for (int c = 0; c < s->ncpus; c++) {
		int fd = (int)syscall(__NR_perf_event_open, &attr, -1, c, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* a possible CPU that is offline */
			snprintf(why, why_len, "cannot start the batch timer on CPU %d: %s", c,
				 strerror(errno));
			return -errno;
		}
		s->cpus[c].tick = bpf_program__attach_perf_event(s->skel->progs.batch_tick, fd);
		if (!s->cpus[c].tick) {
			int err = -errno;
			close(fd);
			snprintf(why, why_len, "cannot attach the batch timer on CPU %d: %s", c,
				 strerror(-err));
			return err;
		}
	}
	return 0;
}

static void ticks__detach(struct session *s)
{
	for (int c = 0; s->cpus && c < s->ncpus; c++) {
		bpf_link__destroy(s->cpus[c].tick);
		s->cpus[c].tick = NULL;
	}
}

/* --- setup ---------------------------------------------------------------- */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("SCHEDTAPE_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG && getenv("SCHEDTAPE_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* Load the tp_btf set, or the raw_tp set where tp_btf cannot load. */
static int skel__load(struct session *s, bool raw, char *why, size_t why_len)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = s->o.btf_path);
	struct bpf_program *prog;
	int err;

	s->skel = schedtape__open_opts(&oo);
	if (!s->skel) {
		err = -errno;
		snprintf(why, why_len, "cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, s->skel->obj)
	{
		const char *name = bpf_program__name(prog);
		bool btf = !strncmp(name, "btf_", 4), rawtp = !strncmp(name, "raw_", 4);
		if (btf || rawtp)
			bpf_program__set_autoload(prog, raw ? rawtp : btf);
	}
	/*
	 * Kernels before 5.14 have no syscall programs: they get kallsyms read
	 * whole, as does SCHEDTAPE_KALLSYMS=1 (tests use it to cover that path).
	 */
	bpf_program__set_autoload(s->skel->progs.ksym_lookup,
				  !getenv("SCHEDTAPE_KALLSYMS") &&
					  libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SYSCALL, NULL) == 1);
	struct schedtape__rodata *ro = s->skel->rodata;
	ro->self_tgid = (uint32_t)getpid();
	ro->filter_targets = s->o.filter;
	ro->kstack_max_bytes = s->o.kstack_frames * 8;
	ro->ustack_max_bytes = s->o.ustack_frames * 8;
	ro->stacks_on_preempt = s->o.preempt_stacks;
	ro->target_cgroup_id = s->o.cgroup_id;
	ro->target_cgroup_level = s->o.cgroup_level;
	err = schedtape__load(s->skel);
	if (err) {
		snprintf(why, why_len, "cannot load the BPF programs: %s%s", strerror(-err),
			 err == -EPERM ? " (needs root, or CAP_BPF and CAP_PERFMON)" : "");
		schedtape__destroy(s->skel);
		s->skel = NULL;
	}
	return err;
}

int session__open(struct session **out, const struct session_opts *o, char *why, size_t why_len)
{
	struct session *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return -ENOMEM;
	s->o = *o;
	s->next_stack_id = 1;
	libbpf_set_print(libbpf_quiet);
	const char *btf = o->btf_path ? o->btf_path : "/sys/kernel/btf/vmlinux";
	if (access(btf, R_OK)) {
		err = -errno;
		snprintf(why, why_len, "kernel BTF not available at %s (%s): schedtape needs a "
			 "kernel built with CONFIG_DEBUG_INFO_BTF", btf, strerror(-err));
		goto fail;
	}
	s->ncpus = libbpf_num_possible_cpus();
	if (s->ncpus <= 0 || s->ncpus > ST_MAX_CPU) {
		err = s->ncpus < 0 ? s->ncpus : -ERANGE;
		snprintf(why, why_len, "cannot count CPUs");
		goto fail;
	}
	s->cpus = calloc((size_t)s->ncpus, sizeof(*s->cpus));
	s->st.lost_per_cpu = calloc((size_t)s->ncpus, sizeof(uint64_t));
	if (!s->cpus || !s->st.lost_per_cpu) {
		err = -ENOMEM;
		goto fail;
	}
	for (int c = 0; c < s->ncpus; c++)
		st_chunk__init(&s->cpus[c].chunk, ST_CHUNK_EVENTS, (uint32_t)c);
	st_chunk__init(&s->maps, ST_CHUNK_MAPS, ST_CPU_NONE);
	st_chunk__init(&s->ksym_chunk, ST_CHUNK_KSYMS, ST_CPU_NONE);
	st_chunk__init(&s->usym_chunk, ST_CHUNK_USYMS, ST_CPU_NONE);
	st_chunk__init(&s->stack_chunk, ST_CHUNK_STACKS, ST_CPU_NONE);
	st_chunk__init(&s->tasks, ST_CHUNK_TASKS, ST_CPU_NONE);
	st_chunk__init(&s->cgroup_chunk, ST_CHUNK_CGROUPS, ST_CPU_NONE);

	/* SCHEDTAPE_RAW_TP=1 goes straight to the fallback set (tests cover it so). */
	err = getenv("SCHEDTAPE_RAW_TP") ? -ENOTSUP : skel__load(s, false, why, why_len);
	if (err && err != -EPERM && err != -EACCES)
		err = skel__load(s, true, why, why_len);
	if (err)
		goto fail;

	/* Wake the reader by watermark (a quarter buffer), never per sample. */
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT,
		.sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
		.watermark = 1,
	};
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = 1;
	while (pages * page < o->buffer_bytes)
		pages *= 2;
	attr.wakeup_watermark = (uint32_t)(pages * page / 4);
	s->pb = perf_buffer__new_raw(bpf_map__fd(s->skel->maps.events), pages, &attr,
				     on_perf_record, s, NULL);
	if (!s->pb) {
		err = -errno;
		snprintf(why, why_len, "cannot create perf buffers of %zu KiB per CPU: %s",
			 pages * page / 1024, strerror(-err));
		goto fail;
	}
	int lookup_fd = bpf_program__fd(s->skel->progs.ksym_lookup);
	if ((lookup_fd < 0 ||
	     ksyms__open_lookup(&s->ksyms, lookup_fd, &s->skel->bss->ksym_query)) &&
	    ksyms__load(&s->ksyms))
		s->ksyms = NULL; /* frames stay addresses; the analyzer says so */
	err = umaps__new(&s->umaps);
	if (err) {
		snprintf(why, why_len, "out of memory");
		goto fail;
	}
	/* Without it short-lived processes keep raw addresses: a loss of names, not of events. */
	if (s->o.ustack_frames &&
	    !mapsnap__start(bpf_map__fd(s->skel->maps.maps_wanted), &s->mapsnap))
		umaps__set_snapshots(s->umaps, s->mapsnap);
	*out = s;
	return 0;
fail:
	session__free(s);
	return err;
}

int session__add_target(struct session *s, uint32_t pid)
{
	uint8_t one = 1;

	return bpf_map__update_elem(s->skel->maps.targets, &pid, sizeof(pid), &one, sizeof(one),
				    BPF_ANY);
}

long long session__realtime_offset(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((long long)rt.tv_sec - mono.tv_sec) * 1000000000LL + (rt.tv_nsec - mono.tv_nsec);
}

void session__meta(struct session *s, struct st_chunk *c)
{
	char buf[64];

	st_chunk__add_kv(c, "clock", "monotonic");
	snprintf(buf, sizeof(buf), "%lld", session__realtime_offset());
	st_chunk__add_kv(c, "clock_offset_ns", buf);
	snprintf(buf, sizeof(buf), "%d", s->ncpus);
	st_chunk__add_kv(c, "ncpus", buf);
	snprintf(buf, sizeof(buf), "%d", getpid());
	st_chunk__add_kv(c, "recorder_pid", buf);
	for (const char *const *kv = s->o.meta; kv && kv[0] && kv[1]; kv += 2)
		if (kv[1][0])
			st_chunk__add_kv(c, kv[0], kv[1]);
}

static void write_meta(struct session *s, struct st_chunk *c)
{
	char buf[32];

	session__meta(s, c);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)s->start_ts);
	st_chunk__add_kv(c, "start_ts", buf);
}

static void snapshot_task(void *ctx, const struct procfs_task *t)
{
	struct session *s = ctx;
	struct st_task rec = { .ts = s->start_ts, .tid = t->tid, .pid = t->pid, .ppid = t->ppid,
			       .flags = ST_TASK_SNAPSHOT | (t->kthread ? ST_TASK_KTHREAD : 0),
			       .cmdline = t->cmdline,
			       .cgroup = cgnames__of_task(s->cgnames, t->pid, t->tid) };

	memcpy(rec.comm, t->comm, sizeof(rec.comm));
	task__write(s, &rec);
	if (s->tasks.buf.len > (1u << 20)) {
		push(s, &s->cgroup_chunk, false);
		push(s, &s->tasks, false);
	}
}

int session__start(struct session *s, char *why, size_t why_len)
{
	struct st_chunk meta;
	int err;

	const struct session_ring_opts *ro = &s->o.ring;
	struct sink_ring_opts sro = { .duration_ns = ro->duration_ns, .max_bytes = ro->max_bytes,
				      .output = ro->output, .keep = ro->keep };
	err = ring__session_start(s);
	if (err) {
		snprintf(why, why_len, "cannot start: %s", strerror(-err));
		return err;
	}
	s->cgnames = cgnames__new();
	if (!s->cgnames) {
		snprintf(why, why_len, "cannot start: %s", strerror(ENOMEM));
		return -ENOMEM;
	}
	s->sink = ro->output ? sink__new_ring(&sro, s->o.zstd_level, s->o.queue_bytes)
			     : sink__new(s->o.out_fd, s->o.zstd_level, s->o.queue_bytes);
	if (!s->sink) {
		err = -errno;
		snprintf(why, why_len, "cannot start the writer: %s", strerror(-err));
		return err;
	}
	s->start_ts = clock__monotonic_ns();
	st_chunk__init(&meta, ST_CHUNK_META, ST_CPU_NONE);
	write_meta(s, &meta);
	push(s, &meta, false);
	st_chunk__free(&meta);
	/* Attach first, then snapshot, so no task falls between the two. */
	err = schedtape__attach(s->skel);
	if (err) {
		snprintf(why, why_len, "cannot attach to the scheduler tracepoints: %s",
			 strerror(-err));
		return err;
	}
	s->attached = true;
	err = ticks__attach(s, why, why_len);
	if (err)
		return err;
	procfs__tasks(snapshot_task, s);
	push(s, &s->cgroup_chunk, false);
	push(s, &s->tasks, false);
	for (int c = 0; c < s->ncpus; c++)
		s->cpus[c].last_ts = s->start_ts;
	s->last_flush_ns = clock__monotonic_ns();
	if (s->err) {
		snprintf(why, why_len, "cannot write the trace: %s", strerror(-s->err));
		return s->err;
	}
	return 0;
}

int session__poll(struct session *s, int timeout_ms)
{
	int n = perf_buffer__poll(s->pb, timeout_ms);

	if (n < 0 && n != -EINTR)
		return n;
	/* The watermark wakes us for bulk; this drains the rest on time. */
	perf_buffer__consume(s->pb);
	if (clock__monotonic_ns() - s->last_flush_ns >= (uint64_t)s->o.flush_ms * 1000000ull)
		flush_all(s);
	ring__tick(s);
	if (!s->err)
		s->err = sink__error(s->sink);
	return s->err;
}

static void stats__write(struct session *s)
{
	static const char *const type_keys[8] = { NULL,	      "events_switch", "events_waking",
						  "events_wakeup_new", "events_fork", "events_exec",
						  "events_exit",       "events_rename" };
	struct st_chunk c;

	st_chunk__init(&c, ST_CHUNK_STATS, ST_CPU_NONE);
	st_chunk__add_stat(&c, "end_ts", s->end_ts);
	st_chunk__add_stat(&c, "events", s->st.events);
	for (int t = 1; t < 8; t++)
		st_chunk__add_stat(&c, type_keys[t], s->st.by_type[t]);
	st_chunk__add_stat(&c, "lost_buffer_full", s->st.lost_buffer);
	st_chunk__add_stat(&c, "lost_writer_behind", s->st.lost_writer);
	st_chunk__add_stat(&c, "lost_undecodable", s->st.lost_decode);
	st_chunk__add_stat(&c, "bpf_output_errors", s->st.bpf_output_errors);
	st_chunk__add_stat(&c, "lost_recursion", s->st.lost_recursion);
	st_chunk__add_stat(&c, "perf_records_lost", s->perf_records_lost);
	st_chunk__add_stat(&c, "stacks_kernel", s->st.kstacks);
	st_chunk__add_stat(&c, "stacks_user", s->st.ustacks);
	st_chunk__add_stat(&c, "stack_failures", s->st.stack_failures);
	st_chunk__add_stat(&c, "timestamps_clamped", s->st.clamped);
	st_chunk__add_stat(&c, "jit_symbols", s->jit.symbols);
	st_chunk__add_stat(&c, "jit_symbols_dropped", s->jit.dropped);
	if (s->mapsnap) {
		uint64_t read, missed;
		mapsnap__counts(s->mapsnap, &read, &missed);
		st_chunk__add_stat(&c, "maps_early_reads", read);
		st_chunk__add_stat(&c, "maps_early_missed", missed);
	}
	push(s, &c, false);
	st_chunk__free(&c);
}

/*
 * Runs the kernel skipped because the program was already running on that
 * CPU (a tracepoint hit from inside it, e.g. from an interrupt): lost events
 * that no perf-buffer record reports.
 */
static uint64_t recursion_misses(struct session *s)
{
	struct bpf_program *prog;
	uint64_t sum = 0;

	bpf_object__for_each_program(prog, s->skel->obj)
	{
		struct bpf_prog_info info = { 0 };
		uint32_t len = sizeof(info);
		int fd = bpf_program__fd(prog);
		if (fd >= 0 && !bpf_obj_get_info_by_fd(fd, &info, &len))
			sum += info.recursion_misses;
	}
	return sum;
}

static uint64_t bpf_counter(struct session *s, uint32_t which)
{
	uint64_t *vals = calloc((size_t)s->ncpus, sizeof(uint64_t)), sum = 0;

	if (vals && !bpf_map__lookup_elem(s->skel->maps.counters, &which, sizeof(which), vals,
					   (size_t)s->ncpus * sizeof(uint64_t), 0))
		for (int c = 0; c < s->ncpus; c++)
			sum += vals[c];
	free(vals);
	return sum;
}

#define JIT_SYMBOL_BYTES (64u << 20)

int session__stop(struct session *s, bool finalize)
{
	int err;

	if (s->attached) {
		schedtape__detach(s->skel);
		ticks__detach(s);
		s->attached = false;
	}
	s->end_ts = clock__monotonic_ns();
	if (finalize && s->pb) {
		perf_buffer__consume(s->pb);
		batches__drain(s);
		uint64_t end = clock__monotonic_ns();
		/* Losses not followed by any event end where recording ended. */
		for (int c = 0; c < s->ncpus; c++) {
			pending__place(&s->cpus[c], end);
		}
	}
	s->st.bpf_output_errors = bpf_counter(s, 0);
	s->st.lost_recursion = recursion_misses(s);
	if (s->sink) {
		if (finalize) {
			/* The JIT maps as the runtimes left them, for the frames of their code. */
			jitmaps__collect(s->umaps, &s->usym_chunk, JIT_SYMBOL_BYTES, &s->jit);
			flush_all(s);
			if (s->o.ring.output)
				ring__stop(s);
			else
				stats__write(s);
		}
		err = sink__close(s->sink, finalize);
		if (err && !s->err)
			s->err = err;
	}
	return s->err;
}

void session__stats(struct session *s, struct session_stats *st)
{
	struct sink_stats ss = { 0 };

	*st = s->st;
	st->ncpus = (uint32_t)s->ncpus;
	for (int c = 0; c < s->ncpus; c++)
		st->lost_per_cpu[c] = s->cpus[c].lost;
	if (s->sink)
		sink__stats(s->sink, &ss);
	st->lost_unwritten += ss.unwritten;
	st->file_bytes = ss.w.file_bytes;
	st->raw_bytes = ss.w.raw_bytes;
	st->chunks = ss.w.chunks;
	if (s->sink && s->o.ring.output) {
		struct sink_ring_state rs;
		sink__ring_state(s->sink, &rs);
		st->dumps = rs.dumps;
		st->dump_bytes = rs.dump_bytes;
		st->ring_bytes = rs.bytes;
		st->file_bytes = rs.dump_bytes;
	}
	st->ring_threads = s->tasklog ? tasklog__threads(s->tasklog) : 0;
}

void session__free(struct session *s)
{
	if (!s)
		return;
	if (s->attached)
		schedtape__detach(s->skel);
	ticks__detach(s);
	sink__free(s->sink);
	perf_buffer__free(s->pb);
	schedtape__destroy(s->skel);
	for (int c = 0; s->cpus && c < s->ncpus; c++)
		st_chunk__free(&s->cpus[c].chunk);
	free(s->cpus);
	free(s->st.lost_per_cpu);
	st_chunk__free(&s->maps);
	st_chunk__free(&s->ksym_chunk);
	st_chunk__free(&s->usym_chunk);
	for (size_t i = 0; i < s->nsymtabs; i++)
		symfile__free(s->symtabs[i].file);
	free(s->symtabs);
	htab__free(&s->usyms_done);
	st_chunk__free(&s->stack_chunk);
	st_chunk__free(&s->tasks);
	st_chunk__free(&s->cgroup_chunk);
	htab64__free(&s->cgroups_done);
	cgnames__free(s->cgnames);
	ring__free_state(s);
	htab__free(&s->stacks);
	htab64__free(&s->stack_hashes);
	free(s->stack_ctx);
	ksyms__free(s->ksyms);
	mapsnap__stop(s->mapsnap);
	umaps__free(s->umaps);
	free(s);
}
