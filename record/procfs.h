/* SPDX-License-Identifier: MIT */
/* What /proc says about tasks: names, parents, command lines. */
#ifndef SCHEDTAPE_RECORD_PROCFS_H
#define SCHEDTAPE_RECORD_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct procfs_task {
	uint32_t tid, pid, ppid;
	bool kthread;
	char comm[16];
	const char *cmdline; /* the process's, arguments joined by spaces */
};

/* Call @fn for every thread of every process. Returns 0 or -errno. */
int procfs__tasks(void (*fn)(void *ctx, const struct procfs_task *t), void *ctx);

/* Arguments of @pid joined by spaces, cut to fit @len. Returns 0 or -errno. */
int procfs__cmdline(uint32_t pid, char *buf, size_t len);

/* Parent process of @pid, or 0 if it cannot be read. */
uint32_t procfs__ppid(uint32_t pid);

#endif
