// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/grow.h"
#include "base/htab.h"
#include "cgnames.h"
#include "cgroup.h"

struct name {
	uint64_t id;
	uint32_t level;
	char *path;
};

struct cgnames {
	char root[PATH_MAX]; /* where cgroup2 is mounted; "" if nowhere */
	struct htab64 by_id; /* id -> index in names */
	struct name *names;
	size_t n, cap;
	uint64_t last_walk_ns;
};

static int add(struct cgnames *n, uint64_t id, const char *path)
{
	uint32_t level = 0;

	if (!id || htab64__find(&n->by_id, id))
		return 0;
	for (const char *p = path; *p; p++)
		if (*p == '/' && p[1])
			level++;
	if (grow(&n->names, &n->cap, n->n + 1, sizeof(*n->names)))
		return -ENOMEM;
	char *copy = strdup(path);
	if (!copy || htab64__insert(&n->by_id, id, n->n)) {
		free(copy);
		return -ENOMEM;
	}
	n->names[n->n++] = (struct name){ id, level, copy };
	return 0;
}

/* Every directory below @dir (@rel its path from the root), depth-first. */
static void walk(struct cgnames *n, const char *dir, const char *rel, int depth)
{
	DIR *d = depth < 64 ? opendir(dir) : NULL;
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char path[PATH_MAX], sub[PATH_MAX];
		struct stat st;
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
		    snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name) >= (int)sizeof(sub))
			continue;
		if (stat(path, &st) == 0 && add(n, st.st_ino, sub) == 0)
			walk(n, path, sub, depth + 1);
	}
	if (d)
		closedir(d);
}

struct cgnames *cgnames__new(void)
{
	struct cgnames *n = calloc(1, sizeof(*n));
	struct stat st;

	if (!n)
		return NULL;
	if (cgroup__mount_point(NULL, n->root, sizeof(n->root)))
		n->root[0] = 0;
	if (n->root[0] && stat(n->root, &st) == 0)
		add(n, st.st_ino, "/");
	return n;
}

void cgnames__free(struct cgnames *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		free(n->names[i].path);
	free(n->names);
	htab64__free(&n->by_id);
	free(n);
}

uint64_t cgnames__of_task(struct cgnames *n, uint32_t pid, uint32_t tid)
{
	char path[PATH_MAX], line[PATH_MAX];
	uint64_t id = 0;
	struct stat st;

	if (!n->root[0])
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/task/%u/cgroup", pid, tid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		/* The v2 line: "0::/path". */
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = 0;
		const char *rel = line + 3;
		if (snprintf(path, sizeof(path), "%s%s", n->root, strcmp(rel, "/") ? rel : "") <
			    (int)sizeof(path) &&
		    stat(path, &st) == 0) {
			id = st.st_ino;
			add(n, id, rel);
		}
		break;
	}
	if (f)
		fclose(f);
	return id;
}

const char *cgnames__path(struct cgnames *n, uint64_t id, uint32_t *level)
{
	uint64_t *at = htab64__find(&n->by_id, id);

	/* A cgroup made since the last look: look again, not more than once a second. */
	if (!at && id && n->root[0] && clock__monotonic_ns() - n->last_walk_ns >= 1000000000ull) {
		n->last_walk_ns = clock__monotonic_ns();
		walk(n, n->root, "", 0);
		at = htab64__find(&n->by_id, id);
	}
	if (!at)
		return NULL;
	*level = n->names[*at].level;
	return n->names[*at].path;
}

bool cgnames__within(struct cgnames *n, uint64_t id, uint64_t ancestor)
{
	uint32_t l1, l2;
	const char *p = cgnames__path(n, id, &l1), *a = cgnames__path(n, ancestor, &l2);

	if (!p || !a)
		return false;
	if (!strcmp(a, "/"))
		return true;
	size_t len = strlen(a);
	return !strncmp(p, a, len) && (p[len] == 0 || p[len] == '/');
}
