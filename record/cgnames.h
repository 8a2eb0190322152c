/* SPDX-License-Identifier: MIT */
/*
 * The recorder's cgroup v2 names: id (the directory's inode) to path below
 * the hierarchy's root, found by reading the hierarchy when a new id shows
 * up (at most once a second), and a process's cgroup from /proc.
 */
#ifndef SCHEDTAPE_RECORD_CGNAMES_H
#define SCHEDTAPE_RECORD_CGNAMES_H

#include <stdbool.h>
#include <stdint.h>

struct cgnames;

/* Works without cgroup2 too (then it knows no names). NULL only for lack of memory. */
struct cgnames *cgnames__new(void);
void cgnames__free(struct cgnames *n);

/* The cgroup of thread @tid of process @pid now, from /proc; 0 if unknown. */
uint64_t cgnames__of_task(struct cgnames *n, uint32_t pid, uint32_t tid);

/* The path ("/a/b", "/" for the root) and depth of @id, or NULL. */
const char *cgnames__path(struct cgnames *n, uint64_t id, uint32_t *level);

/* Is cgroup @id @ancestor or below it? */
bool cgnames__within(struct cgnames *n, uint64_t id, uint64_t ancestor);

#endif
