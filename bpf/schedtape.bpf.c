// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Scheduler tracepoints into one per-CPU perf buffer.
 *
 * Each handler exists twice: as tp_btf (typed arguments, preferred) and as
 * raw_tp (the fallback where the kernel cannot attach tp_btf); user space
 * loads one set. All kernel memory is read through CO-RE relocations so both
 * work with the same body.
 *
 * Stacks are copied into the sample itself (kernel stacks by bpf_get_stack,
 * user stacks on x86-64 by our own frame-pointer walk, see ustack__get): no
 * stack-id map that could fill up or be overwritten, so no event can point at
 * a stack that was never delivered. They are taken only where an analysis needs
 * them: a voluntary switch-out (S/D), and a waking (the waker's stack).
 * A stack whose hash user space has confirmed (known_stacks) is sent as the
 * hash alone: user space adds a hash there only after it has stored the
 * frames, so a reference never arrives before its stack.
 *
 * Samples are appended to a per-CPU batch (events.h), written out when full
 * and by a 10 Hz timer. A program can be interrupted on its CPU by another
 * one (an interrupt's waking during a fork's): such nested writers take
 * their own scratch sample, reserve batch space atomically and never write
 * the batch out, so the outermost writer alone flushes, when nothing nested
 * is half done.
 */
#include "core_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "events.h"

#define TASK_INTERRUPTIBLE 0x0001
#define TASK_UNINTERRUPTIBLE 0x0002


char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by user space before load; constants to the verifier. */
const volatile __u32 self_tgid = 0;
const volatile bool filter_targets = false;
const volatile __u32 kstack_max_bytes = STB_MAX_FRAMES * 8;
const volatile __u32 ustack_max_bytes = STB_MAX_FRAMES * 8;
const volatile bool stacks_on_preempt = false;
/* --cgroup: the cgroup v2 id and depth whose subtree is traced (0: no such filter). */
const volatile __u64 target_cgroup_id = 0;
const volatile int target_cgroup_level = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

/* One sample being built per nesting depth: task, interrupt, and some room. */
#define MAX_DEPTH 4
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_DEPTH);
	__type(key, __u32);
	__type(value, struct stb_sample);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stb_cpu_batch);
} batches SEC(".maps");

/* Hashes of the stacks user space holds (written by user space only). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* preallocating took seconds of system time */
	__type(key, __u64);
	__type(value, __u8);
} known_stacks SEC(".maps");

/*
 * Processes whose maps user space should read now, not when the batch with
 * their first stacks arrives (up to 100 ms later): a process living 5 ms
 * would be gone by then, and its frames unnamed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} maps_wanted SEC(".maps");

#define MAPS_ASK_NS (20 * 1000 * 1000ull)

/* Process ids (tgids) to trace when filter_targets is set; children join. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/*
 * What the kernel had counted for a task at two moments, plus one (0: not
 * seen): its schedstat run delay when its latest wait for a CPU began, and
 * its runtime when it last got a CPU. A switch then tells how much of the
 * wait the kernel counts as run-queue time, and how much runtime it charged
 * for the slice that ends.
 */
struct task_marks {
	__u64 wait_start;
	__u64 exec_in;
	__u64 sleep_start; /* when it left its CPU to sleep (0: not asleep) */
	__u32 sleep_state; /* the __state it left in */
	__u32 maps_exec;  /* of which image (self_exec_id): an exec asks again at once */
	__u64 maps_asked; /* when user space was last asked to read its process's maps */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_marks);
} task_marks SEC(".maps");

/* Per-CPU counters user space reads at the end (enum in events.h order). */
enum { CNT_OUTPUT_ERR, CNT_TARGETS_FULL, CNT_MAX };
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &which);

	if (v)
		*v += 1;
}

static __always_inline bool in_target_cgroup(struct task_struct *t)
{
	struct cgroup *cg = BPF_CORE_READ(t, cgroups, dfl_cgrp), *anc = cg;

	if (!cg)
		return false;
	if (bpf_core_field_exists(cg->ancestors)) {
		int level = BPF_CORE_READ(cg, level);
		if (level < target_cgroup_level || target_cgroup_level < 0 ||
		    target_cgroup_level > 255)
			return false;
		bpf_probe_read_kernel(&anc, sizeof(anc), &cg->ancestors[target_cgroup_level]);
	}
	return anc && BPF_CORE_READ(anc, kn, id) == target_cgroup_id;
}

/* Whether task @t (of process @tgid) is followed: a target process or in the target cgroup. */
static __always_inline bool is_target(struct task_struct *t, __u32 tgid)
{
	if (!filter_targets)
		return true;
	if (bpf_map_lookup_elem(&targets, &tgid))
		return true;
	return target_cgroup_id && in_target_cgroup(t);
}

/*
 * A field of a kernel object: loaded directly where @direct (tp_btf
 * arguments and bpf_get_current_task_btf() are typed pointers the verifier
 * lets us follow), probe-read in the raw_tp twins. A probe read is a helper
 * call; the hot programs make a dozen.
 */
#define KREAD(direct, p, field) ((direct) ? (p)->field : BPF_CORE_READ(p, field))

static __always_inline __u32 task_state(struct task_struct *t, const bool direct)
{
	if (bpf_core_field_exists(t->__state))
		return KREAD(direct, t, __state);
	return (__u32)BPF_CORE_READ((struct task_struct___pre514 *)t, state);
}

static __always_inline __u32 task_cpu(struct task_struct *t, const bool direct)
{
	if (bpf_core_field_exists(t->thread_info.cpu))
		return KREAD(direct, t, thread_info.cpu);
	return BPF_CORE_READ(t, cpu);
}

/*
 * The run queue @t is on, through its CFS queue (the per-CPU runqueues
 * variable is not in kallsyms everywhere); NULL where the kernel cannot tell.
 */
static __always_inline struct rq *rq_of(struct task_struct *t)
{
	if (!bpf_core_field_exists(((struct cfs_rq *)0)->rq))
		return NULL;
	struct cfs_rq *cfs = t->se.cfs_rq;
	return cfs ? cfs->rq : NULL;
}

/*
 * The kernel's run delay of @t so far, counting the wait it is in on its run
 * queue, as sched_info_arrive() will add it when @t gets the CPU: the clock
 * comes from the run queue @t is on (rq_of).
 * Returns false where the kernel cannot tell.
 */
static __always_inline bool run_delay_now(struct task_struct *t, __u64 *d)
{
	__u64 q = t->sched_info.last_queued;

	*d = t->sched_info.run_delay;
	if (!q)
		return true;
	struct rq *rq = rq_of(t);
	if (!rq)
		return false;
	__u64 now = rq->clock;
	if (now > q)
		*d += now - q;
	return true;
}

/*
 * This CPU's uncharged time so far (rq->clock - rq->clock_task), read from
 * the switching-out task's run queue: what the kernel leaves out of the
 * runtime of the task that ran since the last switch here.
 */
static __always_inline void excluded__take(struct stb_sample *s, struct task_struct *prev,
					   const bool direct)
{
	if (!direct || !bpf_core_field_exists(((struct rq *)0)->clock_task))
		return;
	struct rq *rq = rq_of(prev);
	if (!rq)
		return;
	s->e.excluded = rq->clock - rq->clock_task;
	s->e.flags |= STB_F_EXCLUDED;
}

static __always_inline struct task_marks *marks__get(struct task_struct *t, bool create)
{
	return bpf_task_storage_get(&task_marks, t, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* A wait for a CPU begins (a waking, a new task): note the run delay. */
static __always_inline void wait__begin(struct task_struct *t, const bool direct)
{
	if (!direct || !bpf_core_field_exists(t->sched_info))
		return;
	struct task_marks *m = marks__get(t, true);
	if (m)
		m->wait_start = t->sched_info.run_delay + 1;
}

/*
 * At a switch: @next gets the CPU (the run-queue part of its wait, as the
 * kernel counts it); @prev leaves it (the runtime the kernel charged for
 * its slice), and waits for it again if it is still runnable.
 */
static __always_inline void marks__switch(struct stb_sample *s, struct task_struct *prev,
					  struct task_struct *next, bool prev_runnable,
					  const bool direct)
{
	struct task_marks *m;

	if (!direct || !bpf_core_field_exists(next->sched_info))
		return;
	if (s->e.tid_b && (m = marks__get(next, true))) {
		__u64 d;
		if (m->wait_start && run_delay_now(next, &d) && d + 1 >= m->wait_start) {
			s->e.queued = d + 1 - m->wait_start;
			s->e.flags |= STB_F_QUEUED;
		}
		m->wait_start = 0;
		m->exec_in = next->se.sum_exec_runtime + 1;
	}
	if (s->e.tid_a && (m = marks__get(prev, prev_runnable))) {
		__u64 e = prev->se.sum_exec_runtime + 1;
		if (m->exec_in && e >= m->exec_in) {
			s->e.charged = e - m->exec_in;
			s->e.flags |= STB_F_CHARGED;
		}
		m->exec_in = 0;
		/* Else it keeps the mark of a waking that came before this switch-out. */
		if (prev_runnable)
			m->wait_start = prev->sched_info.run_delay + 1;
		m->sleep_start = prev_runnable ? 0 : s->e.ts;
		m->sleep_state = s->e.state;
	}
}

/* At a waking: how long @t has slept, and in which state (for the recorder's triggers). */
static __always_inline void sleep__end(struct stb_sample *s, struct task_struct *t,
				       const bool direct)
{
	struct task_marks *m;

	if (!direct || !(m = marks__get(t, false)) || !m->sleep_start)
		return;
	if (s->e.ts > m->sleep_start) {
		s->e.queued = s->e.ts - m->sleep_start;
		s->e.state = m->sleep_state;
		s->e.flags |= STB_F_SLEPT;
	}
	m->sleep_start = 0;
}

/* Write out buffer @a of @b; only the outermost writer calls this. */
static __always_inline void batch__flush(void *ctx, struct stb_cpu_batch *b)
{
	__u32 a = b->active & 1;
	struct stb_batch_buf *bb = &b->buf[a];
	__u32 len = bb->hdr.len;

	/* From here on, writers nested in this one fill the other buffer. */
	b->active = a ^ 1;
	if (len > STB_BATCH_CAP)
		len = STB_BATCH_CAP;
	if (len) {
		bb->hdr.type = STB_BATCH;
		bb->hdr.lost = b->lost;
		bb->hdr.lost_first_ts = b->lost_first_ts;
		bb->hdr.lost_last_ts = b->lost_last_ts;
		if (bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &bb->hdr,
					  sizeof(bb->hdr) + len)) {
			count(CNT_OUTPUT_ERR);
			if (!b->lost)
				b->lost_first_ts = bb->first_ts;
			b->lost += bb->hdr.count;
			b->lost_last_ts = bb->last_ts;
		} else {
			b->lost = 0;
		}
	}
	bb->hdr.len = 0;
	bb->hdr.count = 0;
}

/* Append @size bytes of sample @s to the batch; at depth 0, write it out when due. */
static __always_inline void batch__append(void *ctx, struct stb_cpu_batch *b, __u32 depth,
					  struct stb_sample *s, __u64 size)
{
	__u32 n = ((__u32)size + 8 + 7) & ~7u;
	__u32 a = b->active & 1;

	if (size > sizeof(*s))
		return;
	if (depth == 0 && b->buf[a].hdr.len + n > STB_BATCH_BYTES) {
		batch__flush(ctx, b);
		a = b->active & 1;
	}
	struct stb_batch_buf *bb = &b->buf[a];
	__u32 off = __sync_fetch_and_add(&bb->hdr.len, n);
	/* A bound the verifier can follow: any sample fits below it. */
	if (off > STB_BATCH_CAP - sizeof(struct stb_sample) - 8) {
		/* No room (only nested writers get here): end the batch here, count the loss. */
		if (off <= STB_BATCH_CAP - 8)
			*(__u32 *)(bb->data + off) = 0;
		if (!b->lost)
			b->lost_first_ts = s->e.ts;
		b->lost++;
		b->lost_last_ts = s->e.ts;
		return;
	}
	__u32 *rec = (__u32 *)(bb->data + off);
	rec[0] = (__u32)size;
	rec[1] = 0;
	bpf_probe_read_kernel(bb->data + off + 8, size, s);
	if (__sync_fetch_and_add(&bb->hdr.count, 1) == 0)
		bb->first_ts = s->e.ts;
	bb->last_ts = s->e.ts;
	if (depth == 0 && bb->hdr.len >= STB_BATCH_BYTES)
		batch__flush(ctx, b);
}

/* A program's hold on its CPU's batch while it builds one sample. */
struct writer {
	struct stb_cpu_batch *b;
	__u32 depth;
};

static __always_inline struct stb_sample *sample__get(struct writer *w, __u8 type)
{
	__u32 zero = 0;
	struct stb_sample *s;

	w->b = bpf_map_lookup_elem(&batches, &zero);
	if (!w->b)
		return NULL;
	/* Nested programs undo their increment before this one resumes: no atomics needed. */
	w->depth = w->b->depth++;
	s = w->depth < MAX_DEPTH ? bpf_map_lookup_elem(&scratch, &w->depth) : NULL;
	if (!s) {
		/* Nested deeper than can happen (task, softirq, hardirq, NMI): count it lost. */
		__u64 now = bpf_ktime_get_ns();
		if (!w->b->lost)
			w->b->lost_first_ts = now;
		w->b->lost++;
		w->b->lost_last_ts = now;
		w->b->depth--;
		return NULL;
	}
	s->e.ts = bpf_ktime_get_ns();
	s->e.type = type;
	s->e.flags = 0;
	s->e.prio_a = s->e.prio_b = 0;
	s->e.state = 0;
	s->e.tid_b = s->e.pid_b = s->e.cpu_b = 0;
	s->e.kstack_bytes = s->e.ustack_bytes = 0;
	s->e.khash = s->e.uhash = 0;
	s->e.queued = s->e.excluded = s->e.charged = 0;
	return s;
}

/* Hand the sample to the batch and let go of it. */
static __always_inline void sample__send(void *ctx, struct writer *w, struct stb_sample *s,
					 __u64 size)
{
	batch__append(ctx, w->b, w->depth, s, size);
	w->b->depth--;
}

#define HASH_MUL 0xff51afd7ed558ccdULL

static __always_inline __u64 hash__mix(__u64 h, __u64 v)
{
	h = (h ^ v) * HASH_MUL;
	return h ^ (h >> 32);
}

/*
 * The hash of @nwords frames from @start (never 0, which means "no stack").
 * A global function, so the verifier walks its loop once, not once per
 * caller and per way out of the loop (that took seconds at load).
 */
__noinline __u64 frames__hash(const struct stb_sample *s, __u32 start, __u32 nwords, __u64 h)
{
	if (!s)
		return 1;
	for (__u64 i = 0; i < STB_MAX_FRAMES && i < nwords; i++) {
		__u64 at = start + i;
		if (at >= 2 * STB_MAX_FRAMES)
			break;
		/* Index from the checked value, not from a pointer the compiler strides. */
		asm volatile("" : "+r"(at));
		h = hash__mix(h, s->frames[at]);
	}
	return h ? h : 1;
}

/* Which address space user frames belong to: the process, and which image it runs. */
static __always_inline __u64 process__seed(const bool direct)
{
	struct task_struct *cur = bpf_get_current_task_btf();
	__u64 h = hash__mix(0x5eed, bpf_get_current_pid_tgid() >> 32);

	h = hash__mix(h, direct ? cur->group_leader->start_time
			       : BPF_CORE_READ(cur, group_leader, start_time));
	return hash__mix(h, KREAD(direct, cur, self_exec_id));
}

#define USER_CS_64 0x33 /* x86-64 __USER_CS: a 64-bit task's code segment */

/*
 * @max bytes at most of frames from @at: @ip, then the return address of each
 * frame from frame pointer @fp on. Returns the bytes stored.
 */
__noinline long ustack__walk(struct stb_sample *s, __u32 at, __u32 max, __u64 ip, __u64 fp)
{
	struct {
		__u64 next, ret;
	} frame;
	__u64 i = 1;

	if (!s || at >= 2 * STB_MAX_FRAMES || max < 8)
		return 0;
	s->frames[at] = ip;
	for (; i < STB_MAX_FRAMES && i < max / 8; i++) {
		__u64 where = at + i;
		/* The kernel reads these too, and takes a page fault to stop. */
		if (fp < 4096 || where >= 2 * STB_MAX_FRAMES)
			break;
		if (bpf_probe_read_user(&frame, sizeof(frame), (void *)fp))
			break;
		asm volatile("" : "+r"(where));
		s->frames[where] = frame.ret;
		/*
		 * A caller's frame lies above its callee's: a frame pointer that
		 * does not grow is code built without them (rbp holds data), and
		 * following it loops or wanders. Stop after this return address.
		 */
		if (frame.next <= fp) {
			i++;
			break;
		}
		fp = frame.next;
	}
	return (long)i * 8;
}

/*
 * The current task's user stack to @at, as the kernel's perf walker takes it
 * (the interrupted ip, then each frame's return address by frame pointers),
 * but ending at a null frame pointer instead of reading it: the kernel reads
 * address 0 at the end of every chain and takes a page fault there, which on
 * the pipe benchmark cost more than the rest of the walk. Anything but a
 * 64-bit x86 task goes to the kernel's walker (it knows 32-bit frames), and so
 * does every task on kernels without bpf_task_pt_regs (before 5.15). Unlike the
 * kernel's, this walk does not replace uretprobe trampolines by the real
 * return address.
 */
static __always_inline long ustack__get(void *ctx, struct stb_sample *s, long at, __u32 max,
					const bool direct)
{
#if defined(__TARGET_ARCH_x86)
	if (bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_task_pt_regs)) {
		struct task_struct *cur = bpf_get_current_task_btf();
		struct pt_regs___st *regs = (void *)bpf_task_pt_regs(cur);

		/* Like the kernel's walker: no user stack once an exiting task let go of its memory. */
		if (!KREAD(direct, cur, mm))
			return 0;
		if (regs && KREAD(direct, regs, cs) == USER_CS_64 && at >= 0 &&
		    at < STB_MAX_FRAMES * 8)
			return ustack__walk(s, (__u32)at / 8, max, KREAD(direct, regs, ip),
					    KREAD(direct, regs, bp));
	}
#endif
	return bpf_get_stack(ctx, (void *)s->frames + at, max, BPF_F_USER_STACK);
}

/*
 * Copy one stack of the current task to @at; returns the bytes kept there (0
 * when the stack is known and only its hash is sent).
 */
static __always_inline long stack__take(void *ctx, struct stb_sample *s, long at, __u32 max,
					bool user, __u64 seed, __u64 *hash, __u8 err_flag,
					__u8 ref_flag, const bool direct)
{
	long n = user ? ustack__get(ctx, s, at, max, direct)
		      : bpf_get_stack(ctx, (void *)s->frames + at, max, 0);

	if (n < 0) {
		s->e.flags |= err_flag;
		return 0;
	}
	if (n > STB_MAX_FRAMES * 8)
		n = STB_MAX_FRAMES * 8;
	n &= ~7L;
	*hash = frames__hash(s, (__u32)at / 8, (__u32)n / 8, seed ^ (__u64)n);
	if (bpf_map_lookup_elem(&known_stacks, hash)) {
		s->e.flags |= ref_flag;
		return 0;
	}
	return n;
}

/* Copy the current task's stacks behind the header and send the sample. */
static __always_inline void sample__send_with_stacks(void *ctx, struct writer *w,
						     struct stb_sample *s, bool kern, bool user,
						     const bool direct)
{
	long k = 0, u = 0;

	if (kern && kstack_max_bytes)
		k = stack__take(ctx, s, 0, kstack_max_bytes, false, 0x6b65726eULL,
				&s->e.khash, STB_F_KSTACK_ERR, STB_F_KSTACK_REF, direct);
	if (user && ustack_max_bytes)
		u = stack__take(ctx, s, k, ustack_max_bytes, true, process__seed(direct),
				&s->e.uhash, STB_F_USTACK_ERR, STB_F_USTACK_REF, direct);
	s->e.kstack_bytes = (__u16)k;
	s->e.ustack_bytes = (__u16)u;
	/* New user frames: their process's maps are wanted while it lives. */
	if (u) {
		struct task_struct *cur = bpf_get_current_task_btf();
		struct task_marks *m = marks__get(cur, true);
		__u32 image = KREAD(direct, cur, self_exec_id);
		__u64 now = bpf_ktime_get_ns();
		if (m && (now - m->maps_asked > MAPS_ASK_NS || m->maps_exec != image)) {
			struct stb_maps_request req = { bpf_get_current_pid_tgid() >> 32, image };
			m->maps_asked = now;
			m->maps_exec = image;
			bpf_ringbuf_output(&maps_wanted, &req, sizeof(req), BPF_RB_FORCE_WAKEUP);
		}
	}
	__u64 size = sizeof(s->e) + (__u64)k + (__u64)u;
	if (size > sizeof(*s))
		size = sizeof(*s);
	sample__send(ctx, w, s, size);
}

/*
 * @prev_state is the tracepoint's argument where the kernel passes one
 * (5.18+, tp_btf): the state __schedule decided on. Reading prev->__state
 * instead races with a remote waker that already set it to TASK_WAKING,
 * which made a sleep look like a preemption. Older kernels (raw_tp) pass
 * ~0u and the field is read.
 */
static __always_inline int on_switch(void *ctx, bool preempt, struct task_struct *prev,
				     struct task_struct *next, __u32 prev_state, const bool direct)
{
	__u32 prev_tgid = KREAD(direct, prev, tgid), next_tgid = KREAD(direct, next, tgid);
	struct writer w;
	struct stb_sample *s;

	if (prev_tgid == self_tgid && next_tgid == self_tgid)
		return 0;
	bool prev_target = is_target(prev, prev_tgid);
	if (!prev_target && !is_target(next, next_tgid))
		return 0;
	s = sample__get(&w, STB_SWITCH);
	if (!s)
		return 0;
	s->e.tid_a = KREAD(direct, prev, pid);
	s->e.pid_a = prev_tgid;
	s->e.tid_b = KREAD(direct, next, pid);
	s->e.pid_b = next_tgid;
	s->e.prio_a = (__u8)KREAD(direct, prev, prio);
	s->e.prio_b = (__u8)KREAD(direct, next, prio);
	s->e.state = prev_state != ~0u ? prev_state : task_state(prev, direct);
	if (preempt)
		s->e.flags |= STB_F_PREEMPT;

	bool sleeping = !preempt && (s->e.state & (TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE));
	marks__switch(s, prev, next, preempt || !s->e.state, direct);
	excluded__take(s, prev, direct);
	bool stacks = s->e.tid_a != 0 && prev_tgid != self_tgid &&
		      (sleeping || stacks_on_preempt) && prev_target;
	bool kthread = KREAD(direct, prev, flags) & PF_KTHREAD;
	sample__send_with_stacks(ctx, &w, s, stacks, stacks && !kthread, direct);
	return 0;
}

static __always_inline int on_waking(void *ctx, struct task_struct *p, __u8 type,
				     const bool direct)
{
	__u32 wakee_tgid = KREAD(direct, p, tgid);
	__u64 cur = bpf_get_current_pid_tgid();
	struct writer w;
	struct stb_sample *s;

	/* The recorder's own wakeups would feed back into the recorder. */
	if (wakee_tgid == self_tgid || !is_target(p, wakee_tgid))
		return 0;
	s = sample__get(&w, type);
	if (!s)
		return 0;
	s->e.tid_a = (__u32)cur;
	s->e.pid_a = (__u32)(cur >> 32);
	s->e.tid_b = KREAD(direct, p, pid);
	s->e.pid_b = wakee_tgid;
	s->e.cpu_b = task_cpu(p, direct);
	s->e.prio_b = (__u8)KREAD(direct, p, prio);
	/*
	 * Its run delay cannot be growing now (it is not runnable, or the kernel
	 * does not count the wait of a task preempted while going to sleep), so
	 * every waking may restart the count, even one the kernel turns down
	 * because the wakee never left its queue (ttwu_runnable).
	 */
	sleep__end(s, p, direct);
	wait__begin(p, direct);
	if (type == STB_WAKEUP_NEW) {
		sample__send(ctx, &w, s, sizeof(s->e));
		return 0;
	}
	/*
	 * Whether this runs in IRQ context is read off the kernel stack in user
	 * space: the preemption count is a per-CPU variable that kallsyms does
	 * not export on every kernel, so a typed ksym cannot reach it.
	 */
	struct task_struct *current = bpf_get_current_task_btf();
	bool kthread = KREAD(direct, current, flags) & PF_KTHREAD;
	sample__send_with_stacks(ctx, &w, s, true, !kthread && s->e.tid_a != 0, direct);
	return 0;
}

/* Task @t's cgroup v2 id (the kernfs id of its default-hierarchy cgroup), 0 if none. */
static __always_inline __u64 task__cgroup(struct task_struct *t)
{
	return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
}

static __always_inline void task_sample__send(void *ctx, struct writer *w, struct stb_sample *s)
{
	sample__send(ctx, w, s, sizeof(s->e) + sizeof(s->task));
}

static __always_inline int on_fork(void *ctx, struct task_struct *parent, struct task_struct *child)
{
	__u32 parent_tgid = BPF_CORE_READ(parent, tgid), child_tgid = BPF_CORE_READ(child, tgid);
	struct writer w;
	struct stb_sample *s;

	if (child_tgid == self_tgid)
		return 0;
	if (filter_targets) {
		if (!is_target(parent, parent_tgid))
			return 0;
		__u8 one = 1;
		if (child_tgid != parent_tgid &&
		    bpf_map_update_elem(&targets, &child_tgid, &one, BPF_ANY))
			count(CNT_TARGETS_FULL);
	}
	s = sample__get(&w, STB_FORK);
	if (!s)
		return 0;
	s->e.tid_a = BPF_CORE_READ(parent, pid);
	s->e.pid_a = parent_tgid;
	s->e.tid_b = BPF_CORE_READ(child, pid);
	s->e.pid_b = child_tgid;
	BPF_CORE_READ_STR_INTO(&s->task.comm, child, comm);
	s->task.filename[0] = 0;
	/* Set by now (cgroup_post_fork): clone3's CLONE_INTO_CGROUP puts it elsewhere than its parent. */
	s->task.cgroup = task__cgroup(child);
	task_sample__send(ctx, &w, s);
	return 0;
}

static __always_inline int on_task(void *ctx, __u8 type, struct task_struct *p, const char *comm,
				   struct linux_binprm *bprm)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct writer w;
	struct stb_sample *s;

	if (tgid == self_tgid || !is_target(p, tgid))
		return 0;
	s = sample__get(&w, type);
	if (!s)
		return 0;
	s->e.tid_a = BPF_CORE_READ(p, pid);
	s->e.pid_a = tgid;
	if (comm)
		bpf_probe_read_kernel_str(s->task.comm, sizeof(s->task.comm), comm);
	else
		BPF_CORE_READ_STR_INTO(&s->task.comm, p, comm);
	s->task.filename[0] = 0;
	s->task.cgroup = task__cgroup(p);
	if (bprm) {
		const char *fn = BPF_CORE_READ(bprm, filename);
		bpf_probe_read_kernel_str(s->task.filename, sizeof(s->task.filename), fn);
	}
	task_sample__send(ctx, &w, s);
	return 0;
}

/* Each handler as tp_btf (preferred) and as raw_tp (the fallback), one body. */
#define SCHED_PROG(tp, call, args...)                                                              \
	SEC("tp_btf/" #tp)                                                                         \
	int BPF_PROG(btf_##tp, args)                                                               \
	{                                                                                          \
		__attribute__((unused)) const bool direct = true;                                  \
		return call;                                                                       \
	}                                                                                          \
	SEC("raw_tp/" #tp)                                                                         \
	int BPF_PROG(raw_##tp, args)                                                               \
	{                                                                                          \
		__attribute__((unused)) const bool direct = false;                                 \
		return call;                                                                       \
	}

/* sched_switch has a fourth argument, prev_state, since 5.18: tp_btf only loads there. */
SEC("tp_btf/sched_switch")
int BPF_PROG(btf_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next,
	     unsigned int prev_state)
{
	return on_switch(ctx, preempt, prev, next, prev_state, true);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(raw_sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch(ctx, preempt, prev, next, ~0u, false);
}
SCHED_PROG(sched_waking, on_waking(ctx, p, STB_WAKING, direct), struct task_struct *p)
SCHED_PROG(sched_wakeup_new, on_waking(ctx, p, STB_WAKEUP_NEW, direct), struct task_struct *p)
SCHED_PROG(sched_process_fork, on_fork(ctx, parent, child), struct task_struct *parent,
	   struct task_struct *child)
SCHED_PROG(sched_process_exec, on_task(ctx, STB_EXEC, p, NULL, bprm), struct task_struct *p,
	   pid_t old_pid, struct linux_binprm *bprm)
SCHED_PROG(sched_process_exit, on_task(ctx, STB_EXIT, p, NULL, NULL), struct task_struct *p)
SCHED_PROG(task_rename, on_task(ctx, STB_RENAME, task, comm, NULL), struct task_struct *task,
	   const char *comm)

/*
 * A task moved to another cgroup (once per task, or once for the leader when
 * a whole process moved). Rare: no stacks, one sample.
 */
static __always_inline int on_cgroup_attach(void *ctx, struct cgroup *dst, struct task_struct *t,
					    bool threadgroup)
{
	__u32 tgid = BPF_CORE_READ(t, tgid);
	struct writer w;
	struct stb_sample *s;

	if (tgid == self_tgid || !is_target(t, tgid))
		return 0;
	s = sample__get(&w, STB_CGROUP);
	if (!s)
		return 0;
	s->e.tid_a = BPF_CORE_READ(t, pid);
	s->e.pid_a = tgid;
	s->e.state = threadgroup;
	BPF_CORE_READ_STR_INTO(&s->task.comm, t, comm);
	s->task.filename[0] = 0;
	s->task.cgroup = BPF_CORE_READ(dst, kn, id);
	task_sample__send(ctx, &w, s);
	return 0;
}

SCHED_PROG(cgroup_attach_task, on_cgroup_attach(ctx, dst, t, threadgroup), struct cgroup *dst,
	   const char *path, struct task_struct *t, bool threadgroup)

/* The timer on each CPU: a batch waits at most this long (unless a writer is busy). */
SEC("perf_event")
int batch_tick(void *ctx)
{
	__u32 zero = 0;
	struct stb_cpu_batch *b = bpf_map_lookup_elem(&batches, &zero);

	if (!b || b->depth)
		return 0;
	b->depth++;
	batch__flush(ctx, b);
	b->depth--;
	return 0;
}

/*
 * Names for kernel frames, asked by user space as new stacks arrive: the
 * kernel's own symbol lookup per address, instead of reading all of
 * /proc/kallsyms (over half the recorder's start-up) to use a few hundred.
 * User space fills the query and runs this with BPF_PROG_TEST_RUN.
 */
struct stb_ksym_query ksym_query SEC(".bss");

SEC("syscall")
int ksym_lookup(void *ctx)
{
	for (__u32 i = 0; i < STB_KSYM_BATCH && i < ksym_query.n; i++) {
		__u64 arg = ksym_query.addr[i];
		bpf_snprintf(ksym_query.text[i], STB_KSYM_TEXT, "%pS", &arg, sizeof(arg));
	}
	return 0;
}
