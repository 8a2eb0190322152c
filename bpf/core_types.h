/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The few kernel types schedtape reads, declared for CO-RE instead of a full
 * vmlinux.h: libbpf relocates every field access against the running
 * kernel's BTF at load time, so these need only the field names, not the
 * layout of any particular kernel. See docs/BUILD.md for why.
 */
#ifndef SCHEDTAPE_CORE_TYPES_H
#define SCHEDTAPE_CORE_TYPES_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>

typedef int pid_t;

#define PF_KTHREAD 0x00200000

struct thread_info {
	unsigned int cpu; /* CONFIG_THREAD_INFO_IN_TASK kernels since 5.16 */
} __attribute__((preserve_access_index));

struct kernfs_node {
	__u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	int level;
	struct kernfs_node *kn;
	struct cgroup *ancestors[]; /* since 6.1: ancestors[level] is itself */
} __attribute__((preserve_access_index));

struct css_set {
	struct cgroup *dfl_cgrp;
} __attribute__((preserve_access_index));

/* CONFIG_SCHED_INFO: the kernel's run-queue accounting (/proc/PID/schedstat). */
struct sched_info {
	unsigned long long run_delay;	/* ns waited on run queues, up to the last dequeue */
	unsigned long long last_queued; /* when queued now (the rq clock), else 0 */
} __attribute__((preserve_access_index));

/* A CPU's run queue; clock is what sched_info stamps are taken from. */
struct rq {
	__u64 clock;
	__u64 clock_task; /* clock less what no task is charged: steal, and IRQs where counted */
} __attribute__((preserve_access_index));

/* CONFIG_FAIR_GROUP_SCHED: a task's CFS queue knows its CPU's run queue. */
struct cfs_rq {
	struct rq *rq;
} __attribute__((preserve_access_index));

struct sched_entity {
	struct cfs_rq *cfs_rq;
	__u64 sum_exec_runtime; /* ns the kernel charged to the task on CPU (schedstat's first) */
} __attribute__((preserve_access_index));

struct task_struct {
	struct css_set *cgroups;
	struct sched_info sched_info;
	struct sched_entity se;
	struct thread_info thread_info;
	unsigned int __state; /* since 5.14 */
	unsigned int flags;
	int prio;
	int wake_cpu;
	unsigned int cpu; /* before 5.16 */
	int pid;
	int tgid;
	void *mm; /* NULL in kernel threads and once an exiting task let go of it */
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	__u64 start_time;
	__u64 self_exec_id; /* u32 before 5.9: then the high half is parent_exec_id, as stable */
	char comm[16];
} __attribute__((preserve_access_index));

/* Before 5.14 the state field was a long called 'state'. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* The user registers saved at kernel entry (x86-64 names; ___st: ours, not the uapi one). */
struct pt_regs___st {
	unsigned long bp;
	unsigned long ip;
	unsigned long cs;
} __attribute__((preserve_access_index));

struct linux_binprm {
	const char *filename;
} __attribute__((preserve_access_index));

#endif
