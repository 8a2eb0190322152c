// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"

static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, len);
	int err = errno;
	close(fd);
	return n < 0 ? -err : n;
}

int procfs__cmdline(uint32_t pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
	ssize_t n = read_file(path, buf, len - 1);
	if (n < 0)
		return (int)n;
	while (n > 0 && buf[n - 1] == 0)
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0 || buf[i] == '\n')
			buf[i] = ' ';
	buf[n] = 0;
	return 0;
}

/* comm and parent from /proc/.../stat; comm may hold spaces and parentheses. */
static int stat__read(const char *path, char comm[16], uint32_t *ppid, bool *kthread)
{
	char buf[1024];
	ssize_t n = read_file(path, buf, sizeof(buf) - 1);

	if (n <= 0)
		return n < 0 ? (int)n : -EIO;
	buf[n] = 0;
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close < open)
		return -EIO;
	size_t clen = (size_t)(close - open - 1);
	if (clen > 15)
		clen = 15;
	memcpy(comm, open + 1, clen);
	comm[clen] = 0;
	char state;
	unsigned int pp = 0;
	unsigned long flags = 0;
	/* state ppid pgrp session tty_nr tpgid flags */
	if (sscanf(close + 1, " %c %u %*d %*d %*d %*d %lu", &state, &pp, &flags) < 2)
		return -EIO;
	*ppid = pp;
	if (kthread)
		*kthread = flags & 0x00200000; /* PF_KTHREAD */
	return 0;
}

uint32_t procfs__ppid(uint32_t pid)
{
	char path[64], comm[16];
	uint32_t ppid = 0;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if (stat__read(path, comm, &ppid, NULL))
		return 0;
	return ppid;
}

int procfs__tasks(void (*fn)(void *ctx, const struct procfs_task *t), void *ctx)
{
	DIR *proc = opendir("/proc");
	struct dirent *d;
	char path[96], cmdline[4097];

	if (!proc)
		return -errno;
	while ((d = readdir(proc))) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);
		if (*end || !pid)
			continue;
		struct procfs_task t = { .pid = (uint32_t)pid };
		snprintf(path, sizeof(path), "/proc/%lu/stat", pid);
		if (stat__read(path, t.comm, &t.ppid, &t.kthread))
			continue; /* gone */
		t.cmdline = procfs__cmdline((uint32_t)pid, cmdline, sizeof(cmdline)) ? "" : cmdline;
		snprintf(path, sizeof(path), "/proc/%lu/task", pid);
		DIR *tasks = opendir(path);
		if (!tasks)
			continue;
		struct dirent *td;
		while ((td = readdir(tasks))) {
			unsigned long tid = strtoul(td->d_name, &end, 10);
			if (*end || !tid)
				continue;
			char tpath[128];
			uint32_t ignored;
			snprintf(tpath, sizeof(tpath), "/proc/%lu/task/%lu/stat", pid, tid);
			t.tid = (uint32_t)tid;
			if (stat__read(tpath, t.comm, &ignored, NULL))
				continue;
			fn(ctx, &t);
		}
		closedir(tasks);
	}
	closedir(proc);
	return 0;
}
