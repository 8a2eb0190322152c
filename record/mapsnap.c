// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/clock.h"
#include "bpf/events.h"
#include "mapsnap.h"

#define SNAPS 1024	     /* processes remembered */
#define REREAD_NS 20000000ull /* one process at most this often */

struct snap {
	uint32_t pid, exec_id;
	bool same_root;
	uint64_t taken_ns;
	char *text;
};

struct mapsnap {
	struct ring_buffer *rb;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	struct snap snaps[SNAPS]; /* a ring: the oldest is overwritten */
	size_t next;
	uint64_t read, missed;
	char line[4400];
};

static struct snap *snap__find(struct mapsnap *m, uint32_t pid)
{
	/* Newest first: a pid reused later has the newer entry. */
	for (size_t k = 1; k <= SNAPS; k++) {
		struct snap *s = &m->snaps[(m->next + SNAPS - k) % SNAPS];
		if (s->text && s->pid == pid)
			return s;
	}
	return NULL;
}

static bool same_root(uint32_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%u/root/", pid);
	return !stat(path, &a) && !stat("/", &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int on_request(void *ctx, void *data, size_t size)
{
	struct mapsnap *m = ctx;
	struct stb_maps_request req;
	char path[64];

	if (size < sizeof(req))
		return 0;
	memcpy(&req, data, sizeof(req));
	uint32_t pid = req.tgid;
	uint64_t now = clock__monotonic_ns();
	pthread_mutex_lock(&m->lock);
	struct snap *old = snap__find(m, pid);
	/* Another image of the same process (it exec'd) is read again at once. */
	bool fresh = old && old->exec_id == req.exec_id && now - old->taken_ns < REREAD_NS;
	pthread_mutex_unlock(&m->lock);
	if (fresh)
		return 0;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	FILE *f = fopen(path, "re");
	char *text = f ? malloc(MAPSNAP_TEXT_MAX) : NULL;
	size_t used = 0;
	while (text && fgets(m->line, sizeof(m->line), f)) {
		/* "start-end perms ...": keep code only. */
		char *sp = strchr(m->line, ' ');
		size_t n = strlen(m->line);
		if (!sp || strlen(sp) < 5 || sp[3] != 'x' || used + n + 1 > MAPSNAP_TEXT_MAX)
			continue;
		memcpy(text + used, m->line, n);
		used += n;
	}
	if (f)
		fclose(f);
	if (!text || !used) {
		free(text);
		m->missed++;
		return 0;
	}
	text[used] = 0;
	bool root = same_root(pid);
	pthread_mutex_lock(&m->lock);
	struct snap *s = &m->snaps[m->next];
	m->next = (m->next + 1) % SNAPS;
	free(s->text);
	*s = (struct snap){ .pid = pid, .exec_id = req.exec_id, .same_root = root, .taken_ns = now,
			    .text = text };
	m->read++;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

static void *mapsnap__loop(void *arg)
{
	struct mapsnap *m = arg;

	while (!atomic_load(&m->stop))
		if (ring_buffer__poll(m->rb, 100) < 0 && errno != EINTR)
			break;
	return NULL;
}

int mapsnap__start(int ring_fd, struct mapsnap **out)
{
	struct mapsnap *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	m->rb = ring_buffer__new(ring_fd, on_request, m, NULL);
	if (!m->rb) {
		int err = -errno;
		free(m);
		return err ? err : -EINVAL;
	}
	int err = pthread_create(&m->thread, NULL, mapsnap__loop, m);
	if (err) {
		ring_buffer__free(m->rb);
		free(m);
		return -err;
	}
	*out = m;
	return 0;
}

void mapsnap__stop(struct mapsnap *m)
{
	if (!m)
		return;
	atomic_store(&m->stop, true);
	pthread_join(m->thread, NULL);
	ring_buffer__free(m->rb);
	for (size_t i = 0; i < SNAPS; i++)
		free(m->snaps[i].text);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

bool mapsnap__get(struct mapsnap *m, uint32_t pid, char *buf, size_t len, bool *root)
{
	bool found = false;

	if (!m || !len)
		return false;
	pthread_mutex_lock(&m->lock);
	struct snap *s = snap__find(m, pid);
	if (s) {
		snprintf(buf, len, "%s", s->text);
		*root = s->same_root;
		found = true;
	}
	pthread_mutex_unlock(&m->lock);
	return found;
}

void mapsnap__counts(struct mapsnap *m, uint64_t *read, uint64_t *missed)
{
	pthread_mutex_lock(&m->lock);
	*read = m->read;
	*missed = m->missed;
	pthread_mutex_unlock(&m->lock);
}
