// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cgroup.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

int cgroup__mount_point(const char *real, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[PATH_MAX], fstype[64];
	size_t best = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		/* id parent major:minor root mountpoint options ... - fstype source super */
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		size_t n = strlen(mnt);
		if (!real) {
			snprintf(out, len, "%s", mnt);
			best = n;
			break;
		}
		if (!strncmp(real, mnt, n) && (real[n] == '/' || real[n] == 0 || n == 1) && n > best) {
			best = n;
			snprintf(out, len, "%s", mnt);
		}
	}
	fclose(f);
	return best ? 0 : -ENOTDIR;
}

int cgroup__resolve(const char *path, struct cgroup_target *out)
{
	char real[PATH_MAX], mnt[PATH_MAX];
	struct statfs sfs;
	struct stat st;

	if (!realpath(path, real))
		return -errno;
	if (statfs(real, &sfs))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -ENOTDIR;
	if (stat(real, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	int err = cgroup__mount_point(real, mnt, sizeof(mnt));
	if (err)
		return err;
	out->id = st.st_ino;
	out->level = 0;
	for (const char *p = real + strlen(mnt); *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			out->level++;
	return 0;
}

static int collect(const char *dir, char *buf, size_t len, int depth)
{
	char path[PATH_MAX], line[32];
	int n = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		size_t used = strlen(buf);
		line[strcspn(line, "\n")] = 0;
		if (used + strlen(line) + 2 >= len)
			break;
		snprintf(buf + used, len - used, "%s%s", used ? "," : "", line);
		n++;
	}
	if (f)
		fclose(f);
	DIR *d = depth < 32 ? opendir(dir) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		n += collect(path, buf, len, depth + 1);
	}
	if (d)
		closedir(d);
	return n;
}

int cgroup__pids(const char *path, char *buf, size_t len)
{
	if (len)
		buf[0] = 0;
	return collect(path, buf, len, 0);
}
