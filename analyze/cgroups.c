// SPDX-License-Identifier: MIT
#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/htab.h"
#include "cgroups.h"
#include "thread_stats.h"

/* @s starts with @n hex digits (a container id): copy its first 12. */
static bool hex_id(const char *s, size_t n, char *id12)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	memcpy(id12, s, 12);
	id12[12] = 0;
	return true;
}

/* The last component of @path, in @out. */
static void last_component(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	snprintf(out, len, "%s", slash ? slash + 1 : path);
}

/* "prefix-<64 hex>.scope" (systemd driver) or "<64 hex>" (cgroupfs driver, @prefix ""). */
static bool runtime_scope(const char *comp, const char *prefix, char *id12)
{
	size_t pl = strlen(prefix), cl = strlen(comp);

	if (strncmp(comp, prefix, pl))
		return false;
	if (cl == pl + 64 + 6 && !strcmp(comp + pl + 64, ".scope"))
		return hex_id(comp + pl, 64, id12);
	return cl == pl + 64 && hex_id(comp + pl, 64, id12);
}

/* The pod's UID in a kubepods path ("pod<uid>" or "kubepods-…-pod<uid_with_underscores>.slice"). */
static bool pod_uid(const char *path, char *out, size_t len)
{
	const char *p = strstr(path, "pod");

	for (; p; p = strstr(p + 3, "pod")) {
		if (p > path && p[-1] != '/' && p[-1] != '-')
			continue;
		const char *u = p + 3;
		size_t n = 0;
		while (u[n] && u[n] != '/' && u[n] != '.' && n + 1 < len) {
			out[n] = u[n] == '_' ? '-' : u[n];
			n++;
		}
		out[n] = 0;
		if (n >= 32)
			return true;
	}
	return false;
}

bool cgroup__container(const char *path, char *out, size_t len)
{
	static const struct {
		const char *prefix, *name;
	} runtimes[] = { { "docker-", "docker" },   { "cri-containerd-", "containerd" },
			 { "crio-", "crio" },	    { "libpod-conmon-", "podman-conmon" },
			 { "libpod-", "podman" } };
	char comp[256], id[13], pod[80];

	out[0] = 0;
	if (!path)
		return false;
	last_component(path, comp, sizeof(comp));
	bool kube = strstr(path, "kubepods") != NULL;
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++) {
		if (!runtime_scope(comp, runtimes[i].prefix, id))
			continue;
		if (kube && pod_uid(path, pod, sizeof(pod)))
			snprintf(out, len, "k8s:%s/%s", pod, id);
		else
			snprintf(out, len, "%s:%s", runtimes[i].name, id);
		return true;
	}
	/* cgroupfs drivers: /docker/<id>, /kubepods/burstable/pod<uid>/<id>. */
	if (runtime_scope(comp, "", id)) {
		if (kube && pod_uid(path, pod, sizeof(pod)))
			snprintf(out, len, "k8s:%s/%s", pod, id);
		else if (strstr(path, "/docker/"))
			snprintf(out, len, "docker:%s", id);
		else
			snprintf(out, len, "container:%s", id);
		return true;
	}
	if (!strncmp(path, "/lxc.payload.", 13)) {
		size_t n = strcspn(path + 13, "/");
		snprintf(out, len, "lxc:%.*s", (int)n, path + 13);
		return true;
	}
	/* The innermost systemd unit: a service, or a scope (sessions, transient units). */
	for (const char *end = path + strlen(path); end > path;) {
		const char *start = end;
		while (start > path && start[-1] != '/')
			start--;
		size_t n = (size_t)(end - start);
		if ((n > 8 && !strncmp(end - 8, ".service", 8)) ||
		    (n > 6 && !strncmp(end - 6, ".scope", 6))) {
			snprintf(out, len, "systemd:%.*s", (int)n, start);
			return true;
		}
		end = start > path ? start - 1 : path;
	}
	return false;
}

const char *cgroup__path(const struct st_reader *r, uint64_t id, char *buf, size_t len)
{
	if (!id)
		return NULL;
	const struct st_cgroup *g = st_reader__cgroup(r, id);
	if (g)
		return g->path;
	snprintf(buf, len, "cgroup:%llu", (unsigned long long)id);
	return buf;
}

const char *cgroup__container_of(const struct st_reader *r, uint64_t id, char *name, size_t len)
{
	char buf[32];
	const char *path = cgroup__path(r, id, buf, sizeof(buf));

	return path && cgroup__container(path, name, len) ? name : NULL;
}

uint64_t cgroup__group_key(const struct st_reader *r, uint64_t id, bool container)
{
	char name[160];

	if (!container)
		return id;
	if (!cgroup__container_of(r, id, name, sizeof(name)))
		return 0;
	return htab__hash(name, strlen(name)) | 1;
}

uint64_t cgroup__stats_key(void *r, const struct thread_stats *s)
{
	return cgroup__group_key(r, s->cgroup, false);
}

uint64_t cgroup__stats_key_container(void *r, const struct thread_stats *s)
{
	return cgroup__group_key(r, s->cgroup, true);
}

const char *cgroup__group_label(const struct st_reader *r, uint64_t id, bool container, char *buf,
				size_t len)
{
	if (container) {
		if (!cgroup__container_of(r, id, buf, len))
			snprintf(buf, len, "(no container)");
		return buf;
	}
	const char *path = cgroup__path(r, id, buf, len);
	if (!path)
		snprintf(buf, len, "(cgroup unknown)");
	else if (path != buf)
		snprintf(buf, len, "%s", path);
	return buf;
}

static int set__add(struct cgroup_set *s, size_t *cap, uint64_t id)
{
	if (s->n && s->ids[s->n - 1] == id)
		return 0; /* the table is in id order: duplicates are neighbours */
	if (grow(&s->ids, cap, s->n + 1, sizeof(*s->ids)))
		return -ENOMEM;
	s->ids[s->n++] = id;
	return 0;
}

int cgroup_set__by_path(struct cgroup_set *s, const struct st_reader *r, const char *spec,
			char *why, size_t why_len)
{
	size_t cap = 0, n = st_reader__ncgroups(r), sl = strlen(spec);
	bool is_path = spec[0] == '/';
	regex_t re;

	memset(s, 0, sizeof(*s));
	while (is_path && sl > 1 && spec[sl - 1] == '/')
		sl--;
	if (!is_path) {
		int rc = regcomp(&re, spec, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			regerror(rc, &re, why, why_len);
			return -EINVAL;
		}
	}
	int err = 0;
	for (size_t i = 0; i < n && !err; i++) {
		const struct st_cgroup *g = st_reader__cgroup_at(r, i);
		bool hit = is_path ? (sl == 1 || (!strncmp(g->path, spec, sl) &&
						  (g->path[sl] == 0 || g->path[sl] == '/')))
				   : !regexec(&re, g->path, 0, NULL, 0);
		if (hit)
			err = set__add(s, &cap, g->id);
	}
	if (!is_path)
		regfree(&re);
	return err;
}

int cgroup_set__by_container(struct cgroup_set *s, const struct st_reader *r, const char *name)
{
	size_t cap = 0, n = st_reader__ncgroups(r), nl = strlen(name);
	char c[160];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < n; i++) {
		const struct st_cgroup *g = st_reader__cgroup_at(r, i);
		if (!cgroup__container(g->path, c, sizeof(c)))
			continue;
		const char *colon = strchr(c, ':'), *id = colon ? colon + 1 : c;
		const char *slash = strrchr(id, '/');
		bool hit = !strcmp(c, name) || !strcmp(id, name) ||
			   (nl >= 4 && !strncmp(slash ? slash + 1 : id, name, nl));
		if (hit && set__add(s, &cap, g->id))
			return -ENOMEM;
	}
	return 0;
}

bool cgroup_set__has(const struct cgroup_set *s, uint64_t id)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->ids[mid] == id)
			return true;
		if (s->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

void cgroup_set__free(struct cgroup_set *s)
{
	free(s->ids);
	memset(s, 0, sizeof(*s));
}
