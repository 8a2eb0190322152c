/* SPDX-License-Identifier: MIT */
/* A cgroup v2 directory as the BPF filter sees it: its id and depth. */
#ifndef SCHEDTAPE_RECORD_CGROUP_H
#define SCHEDTAPE_RECORD_CGROUP_H

#include <stddef.h>
#include <stdint.h>

struct cgroup_target {
	uint64_t id; /* kernfs id: the directory's inode number on cgroup2 */
	int level;   /* 0 for the root of the hierarchy */
};

/*
 * Resolve @path, a directory on a cgroup2 file system. Returns 0, -ENOTDIR
 * if it is not on cgroup2, or -errno.
 */
int cgroup__resolve(const char *path, struct cgroup_target *out);

/*
 * Where cgroup2 is mounted (/proc/self/mountinfo): the innermost mount above
 * the real path @real, or with @real NULL the first. Returns 0 or -ENOTDIR.
 */
int cgroup__mount_point(const char *real, char *out, size_t len);

/*
 * The processes now in @path and its descendants, as "pid,pid,...", cut to
 * @len. Returns the number listed.
 */
int cgroup__pids(const char *path, char *buf, size_t len);

#endif
