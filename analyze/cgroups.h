/* SPDX-License-Identifier: MIT */
/*
 * Cgroups of a trace: a thread's cgroup id to its path, the container (or
 * systemd unit) a path names, and which ids a --cgroup or --container
 * filter selects.
 */
#ifndef SCHEDTAPE_ANALYZE_CGROUPS_H
#define SCHEDTAPE_ANALYZE_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "format/tape.h"

/*
 * The container a cgroup path names, into @out: "docker:0123456789ab",
 * "containerd:…", "crio:…", "podman:…", "k8s:POD-UID/0123456789ab",
 * "lxc:NAME", or "systemd:UNIT" (a service or scope). Returns false (and
 * "") when the path names none of these.
 */
bool cgroup__container(const char *path, char *out, size_t len);

/*
 * The path of @id in @r ("/a/b"), or "cgroup:ID" in @buf when the trace has
 * no name for it, or NULL for 0 (unknown).
 */
const char *cgroup__path(const struct st_reader *r, uint64_t id, char *buf, size_t len);

/*
 * Grouping by cgroup or by container (@container): the key of cgroup @id
 * (the id, or a hash of its container's name; 0 for none), and a group's
 * label in @buf (its path or container name, or "(cgroup unknown)", "(no
 * container)"). The container, if any, of @id in @name (else NULL returned).
 */
uint64_t cgroup__group_key(const struct st_reader *r, uint64_t id, bool container);
const char *cgroup__group_label(const struct st_reader *r, uint64_t id, bool container, char *buf,
				size_t len);
const char *cgroup__container_of(const struct st_reader *r, uint64_t id, char *name, size_t len);

/* Those keys for stats_table__group, whose @ctx is the reader. */
struct thread_stats;
uint64_t cgroup__stats_key(void *r, const struct thread_stats *s);
uint64_t cgroup__stats_key_container(void *r, const struct thread_stats *s);

/* The ids of @r's cgroups a filter selects, sorted. */
struct cgroup_set {
	uint64_t *ids;
	size_t n;
};

/*
 * --cgroup @spec: a path ("/system.slice", with everything below it) or else
 * an extended regular expression matched against paths; --container @name:
 * the container's name as cgroup__container gives it, or just its id part
 * (a prefix of it, at least 4 characters). Returns 0, -ENOMEM, or -EINVAL
 * with the reason in @why.
 */
int cgroup_set__by_path(struct cgroup_set *s, const struct st_reader *r, const char *spec,
			char *why, size_t why_len);
int cgroup_set__by_container(struct cgroup_set *s, const struct st_reader *r, const char *name);
bool cgroup_set__has(const struct cgroup_set *s, uint64_t id);
void cgroup_set__free(struct cgroup_set *s);

#endif
