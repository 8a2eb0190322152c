/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Samples the BPF programs send to user space through the perf buffer.
 * Shared by bpf/ and record/: fixed-width types, explicit padding, sizes
 * asserted. Only record/ translates these into the file format.
 */
#ifndef SCHEDTAPE_BPF_EVENTS_H
#define SCHEDTAPE_BPF_EVENTS_H

#include <linux/types.h>

#define STB_MAX_FRAMES 127 /* per stack kind; bpf_get_stack's usual limit */
#define STB_FILENAME_LEN 256

enum stb_type {
	STB_SWITCH = 1,
	STB_WAKING = 2,
	STB_WAKEUP_NEW = 3,
	STB_FORK = 4,
	STB_EXEC = 5,
	STB_EXIT = 6,
	STB_RENAME = 7,
	STB_BATCH = 8, /* only in struct stb_batch_hdr */
	STB_CGROUP = 9, /* a task (state 1: its whole process) moved to cgroup task.cgroup */
};

/* stb_event.flags */
#define STB_F_PREEMPT 0x01	/* switch: prev was preempted */
#define STB_F_KSTACK_ERR 0x02	/* a kernel stack was wanted and not captured */
#define STB_F_USTACK_ERR 0x04	/* a user stack was wanted and not captured */
#define STB_F_KSTACK_REF 0x08	/* the kernel stack is khash, already known: no frames follow */
#define STB_F_USTACK_REF 0x10	/* the user stack is uhash, already known: no frames follow */
#define STB_F_QUEUED 0x20	/* switch: queued holds next's run-queue wait */
#define STB_F_SLEPT 0x20	/* waking: queued holds how long the wakee slept, state how */
#define STB_F_EXCLUDED 0x40	/* switch: excluded holds this CPU's uncharged time so far */
#define STB_F_CHARGED 0x80	/* switch: charged holds the runtime the kernel gave prev's slice */

/*
 * Every sample starts with this; kstack_bytes of kernel frames and then
 * ustack_bytes of user frames (__u64 each) follow, or for task events a
 * struct stb_task_extra.
 */
struct stb_event {
	__u64 ts;
	__u8 type;
	__u8 flags;
	__u8 prio_a, prio_b;
	__u32 state;		/* switch: prev's raw __state; waking: the wakee's (STB_F_SLEPT) */
	__u32 tid_a, pid_a;	/* switch: prev; waking: waker; fork: parent; else the task */
	__u32 tid_b, pid_b;	/* switch: next; waking: wakee; fork: child */
	__u32 cpu_b;		/* waking: target CPU */
	__u16 kstack_bytes, ustack_bytes;
	/*
	 * Hashes of the stacks taken (0: none): of the kernel frames; of the user
	 * frames with the process's identity (tgid, start time, exec count), as
	 * the same addresses mean other code in another process or image.
	 */
	__u64 khash, uhash;
	__u64 queued; /* switch: ns next waited on run queues since it last ran (STB_F_QUEUED);
		       * waking: ns the wakee slept (STB_F_SLEPT) */
	/*
	 * Switch: ns of this CPU's run-queue clock no task was charged for
	 * (rq clock - clock_task: host steal, and IRQ time where the kernel
	 * counts it), cumulative (STB_F_EXCLUDED); user space takes differences.
	 */
	__u64 excluded;
	__u64 charged; /* switch: sum_exec_runtime prev gained since its switch-in */
};
_Static_assert(sizeof(struct stb_event) == 80, "stb_event layout");

/* A process whose maps user space should read now (ring buffer maps_wanted). */
struct stb_maps_request {
	__u32 tgid;
	__u32 exec_id; /* its image: self_exec_id, which each exec raises */
};

struct stb_task_extra {
	char comm[16];
	char filename[STB_FILENAME_LEN]; /* exec only */
	__u64 cgroup; /* cgroup v2 id: fork's child's, exec's task's, cgroup's new one */
};

struct stb_sample {
	struct stb_event e;
	union {
		__u64 frames[2 * STB_MAX_FRAMES];
		struct stb_task_extra task;
	};
};

/*
 * What the BPF side outputs: batches of samples per CPU, so that the cost of
 * one perf-buffer write is shared by many events. A batch goes out when the
 * next sample would not fit in STB_BATCH_BYTES, and ten times a second from
 * a timer on each CPU. After the header come records, each a __u32 size, a
 * __u32 0 and size bytes of sample, padded to 8 bytes; a size of 0 ends the
 * batch early.
 */
#define STB_BATCH_BYTES 4096
struct stb_batch_hdr {
	__u64 lost_first_ts;	/* events lost before this batch's, first .. last */
	__u8 type;		/* STB_BATCH, where stb_event has its type */
	__u8 pad[3];
	__u32 lost;		/* how many: batches the perf buffer had no room for */
	__u64 lost_last_ts;
	__u32 len;		/* bytes of records */
	__u32 count;		/* records */
};
_Static_assert(sizeof(struct stb_batch_hdr) == 32, "stb_batch_hdr layout");

/* Room past STB_BATCH_BYTES for the samples nested writers add before the flush. */
#define STB_BATCH_CAP (STB_BATCH_BYTES + 2 * (sizeof(struct stb_sample) + 8))

struct stb_batch_buf {
	struct stb_batch_hdr hdr;
	__u8 data[STB_BATCH_CAP];
	__u64 first_ts, last_ts;
};

/*
 * The per-CPU value of the batches map: user space reads it once the
 * programs are detached, for what was never written out.
 */
struct stb_cpu_batch {
	__u32 depth;  /* programs running on this CPU, one inside another */
	__u32 active; /* the buffer writers append to; the other is being written out */
	__u32 lost;   /* events not delivered since the last batch the perf buffer took */
	__u32 pad;
	__u64 lost_first_ts, lost_last_ts;
	struct stb_batch_buf buf[2];
};

/*
 * Kernel addresses for the ksym_lookup program to name, in its global data.
 * Each text is what "%pS" prints: "name+0xoff/0xsize" then " [module]" for
 * module code, or the bare address where no symbol holds it.
 */
#define STB_KSYM_BATCH 32
#define STB_KSYM_TEXT 256
struct stb_ksym_query {
	__u32 n;
	__u32 pad;
	__u64 addr[STB_KSYM_BATCH];
	char text[STB_KSYM_BATCH][STB_KSYM_TEXT];
};

#endif
