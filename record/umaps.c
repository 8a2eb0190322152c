// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/htab.h"
#include "base/grow.h"
#include "mapsnap.h"
#include "umaps.h"

/*
 * A miss rereads the maps, at most this often per process: libraries appear
 * while ld.so runs. Anonymous executable ranges (JIT code) are remembered as
 * known-but-unnamed, so they do not cause rereads; addresses in no mapping
 * (frames of code built without frame pointers) cause at most this many.
 */
#define RELOAD_NS (20 * 1000 * 1000ull)

struct range {
	uint64_t start, end, pgoff;
	uint32_t file;
};

struct proc {
	struct range *r;
	size_t n, cap;
	/*
	 * The image before its latest exec, for samples taken before it: CPUs'
	 * batches arrive in their own order, so a child's stack from before its
	 * exec may come after the exec.
	 */
	struct range *old;
	size_t nold;
	uint64_t exec_ts;
	uint64_t loaded_ns;
	bool loaded;
	bool readable; /* its maps were read, from /proc or a snapshot */
	uint32_t anon;	/* map id of its anonymous code (JIT), 0 until seen */
};

/* Where a frame of no file goes: map records with these paths (docs/FORMAT.md). */
#define PATH_EXITED "[exited]"
#define PATH_UNMAPPED "[unmapped]"
#define PATH_ANON "//anon"

struct file {
	char *path;      /* as the process saw it */
	char *host_path; /* how the recorder can open it */
	uint8_t build_id[ST_MAX_BUILD_ID];
	uint8_t build_id_len;
	uint64_t pgoff; /* of the executable mapping */
};

struct umaps {
	struct htab procs; /* pid -> index into procs_arr */
	struct proc *procs_arr;
	size_t nprocs, procs_cap;
	struct htab files; /* "dev inode path" -> file id */
	struct file *files_arr;
	size_t nfiles, files_cap;
	struct st_map *fresh;
	size_t nfresh, fresh_cap, fresh_taken;
	struct mapsnap *snap;
	uint32_t exited, unmapped; /* pseudo maps, registered on first use */
	struct anon {
		uint32_t pid, id;
	} *anons; /* every "//anon" map and its process */
	size_t nanon, anon_cap;
};

int umaps__new(struct umaps **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

static uint32_t file__register(struct umaps *u, uint32_t pid, const char *dev, uint64_t inode,
			       const char *path, const struct range *r, bool here)
{
	char key[4200];
	int n = snprintf(key, sizeof(key), "%s %" PRIu64 " %s", dev, inode, path);
	uint64_t *v = htab__find(&u->files, key, (size_t)n);

	if (v)
		return (uint32_t)*v;
	if (grow(&u->files_arr, &u->files_cap, u->nfiles + 1, sizeof(*u->files_arr)) ||
	    grow(&u->fresh, &u->fresh_cap, u->nfresh + 1, sizeof(*u->fresh)))
		return 0;
	char host[4200];
	/* Through the process's root, or as it is when a gone process shared ours. */
	if (here)
		snprintf(host, sizeof(host), "%s", path);
	else
		snprintf(host, sizeof(host), "/proc/%u/root%s", pid, path);
	struct file *f = &u->files_arr[u->nfiles];
	f->path = strdup(path);
	f->host_path = path[0] == '/' && path[1] != '/' ? strdup(host) : NULL;
	if (!f->path || htab__insert(&u->files, key, (size_t)n, u->nfiles + 1)) {
		free(f->path);
		free(f->host_path);
		return 0;
	}
	uint32_t id = (uint32_t)++u->nfiles;
	struct st_map *m = &u->fresh[u->nfresh++];
	memset(m, 0, sizeof(*m));
	m->id = id;
	m->pid = pid;
	m->start = r->start;
	m->end = r->end;
	m->pgoff = r->pgoff;
	m->path = f->path;
	if (f->host_path)
		m->build_id_len = (uint8_t)symfile__read_build_id(f->host_path, m->build_id,
								  sizeof(m->build_id));
	memcpy(f->build_id, m->build_id, m->build_id_len);
	f->build_id_len = m->build_id_len;
	f->pgoff = r->pgoff;
	return id;
}

static int range__cmp(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * One line of /proc/PID/maps, "start-end perms offset dev inode   path", if
 * it maps code. Parsed by hand, skipping the rest early: processes with
 * thousands of mappings (JVMs, sanitizer runtimes) made sscanf the
 * recorder's biggest cost.
 */
static bool maps_line__parse(char *line, struct range *r, const char **dev, unsigned long long *inode,
			     const char **name)
{
	char *p = line, *end;

	r->start = strtoull(p, &end, 16);
	if (*end != '-')
		return false;
	r->end = strtoull(end + 1, &end, 16);
	if (*end != ' ' || strlen(end) < 6 || end[3] != 'x')
		return false;
	r->pgoff = strtoull(end + 6, &end, 16);
	if (*end != ' ')
		return false;
	*dev = p = end + 1;
	p += strcspn(p, " ");
	if (*p != ' ')
		return false;
	*p++ = 0;
	*inode = strtoull(p, &end, 10);
	p = end + strspn(end, " ");
	p[strcspn(p, "\n")] = 0;
	*name = p;
	r->file = 0;
	return true;
}

/* A map record of no file: @path is a pseudo path, offsets are addresses. */
static uint32_t pseudo__register(struct umaps *u, uint32_t pid, const char *path)
{
	struct range r = { 0 };
	char dev[32];

	snprintf(dev, sizeof(dev), "pseudo:%u", pid);
	return file__register(u, pid, dev, 0, path, &r, false);
}

/* The map of addresses in no mapping of maps that were @read, or of a process gone unread. */
static uint32_t nowhere__map(struct umaps *u, bool read)
{
	uint32_t *id = read ? &u->unmapped : &u->exited;

	if (!*id)
		*id = pseudo__register(u, 0, read ? PATH_UNMAPPED : PATH_EXITED);
	return *id;
}

static uint32_t anon__map(struct umaps *u, struct proc *p, uint32_t pid)
{
	if (p->anon)
		return p->anon;
	if (grow(&u->anons, &u->anon_cap, u->nanon + 1, sizeof(*u->anons)))
		return 0;
	size_t known = u->nfiles;
	p->anon = pseudo__register(u, pid, PATH_ANON);
	/* Once per map: after an exec the process gets the map it had, and its perf map is read once. */
	if (p->anon && u->nfiles > known)
		u->anons[u->nanon++] = (struct anon){ pid, p->anon };
	return p->anon;
}

static void proc__load(struct umaps *u, struct proc *p, uint32_t pid, uint64_t now_ns)
{
	char path[64], line[4400];
	FILE *f;

	p->loaded = true;
	p->loaded_ns = now_ns;
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	/* Gone: what the snapshot thread read while it lived. */
	bool snapped = false, here = false;
	char *text = NULL;
	if (!f && u->snap && (text = malloc(MAPSNAP_TEXT_MAX)) &&
	    mapsnap__get(u->snap, pid, text, MAPSNAP_TEXT_MAX, &here)) {
		snapped = true;
		f = fmemopen(text, strlen(text), "r");
	}
	if (!f) {
		/* Gone unread: what it had (a fork's copy of its parent's) says nothing now. */
		free(text);
		p->n = 0;
		p->readable = false;
		return;
	}
	p->readable = true;
	p->n = 0;
	while (fgets(line, sizeof(line), f)) {
		struct range r;
		const char *dev, *name;
		unsigned long long inode;
		if (!maps_line__parse(line, &r, &dev, &inode, &name))
			continue;
		if (name[0] == '/' || !strcmp(name, "[vdso]")) {
			r.file = file__register(u, pid, dev, inode, name, &r, snapped && here);
			if (!r.file)
				continue;
		} else if (!name[0] || !strncmp(name, "[anon:", 6)) {
			/* JIT code: named later from the process's perf map, by address. */
			r.file = anon__map(u, p, pid);
			r.pgoff = r.start;
		}
		if (grow(&p->r, &p->cap, p->n + 1, sizeof(*p->r)))
			break;
		p->r[p->n++] = r;
	}
	fclose(f);
	free(text);
	qsort(p->r, p->n, sizeof(*p->r), range__cmp);
}

static struct proc *proc__get(struct umaps *u, uint32_t pid)
{
	uint64_t *v = htab__find(&u->procs, &pid, sizeof(pid));

	if (v)
		return &u->procs_arr[*v];
	if (grow(&u->procs_arr, &u->procs_cap, u->nprocs + 1, sizeof(*u->procs_arr)))
		return NULL;
	if (htab__insert(&u->procs, &pid, sizeof(pid), u->nprocs))
		return NULL;
	struct proc *p = &u->procs_arr[u->nprocs++];
	memset(p, 0, sizeof(*p));
	return p;
}

static const struct range *range__find(const struct proc *p, uint64_t addr)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr >= p->r[lo - 1].end)
		return NULL;
	return &p->r[lo - 1];
}

uint32_t umaps__translate(struct umaps *u, uint32_t pid, uint64_t addr, uint64_t when,
			  uint64_t *offset, bool *settled)
{
	struct proc *p = proc__get(u, pid);
	const struct range *r;

	*offset = addr;
	*settled = false;
	if (!p)
		return 0;
	if (when < p->exec_ts) {
		struct proc old = { .r = p->old, .n = p->nold };
		*settled = true;
		r = range__find(&old, addr);
		if (r && r->file) {
			*offset = addr - r->start + r->pgoff;
			return r->file;
		}
		/* Empty: that image was never read, and went with the exec. */
		return nowhere__map(u, p->nold > 0);
	}
	if (!p->loaded)
		proc__load(u, p, pid, clock__monotonic_ns());
	r = range__find(p, addr);
	if (!r) {
		uint64_t now = clock__monotonic_ns();
		if (now - p->loaded_ns > RELOAD_NS) {
			proc__load(u, p, pid, now);
			r = range__find(p, addr);
		}
	}
	/* Found, or not mapped in maps read after the sample: the answer will not change. */
	*settled = r || p->loaded_ns >= when;
	if (!r) {
		/* No mapping holds it, or the process was gone before its maps were read. */
		return nowhere__map(u, p->readable);
	}
	if (!r->file)
		return 0;
	*offset = addr - r->start + r->pgoff;
	return r->file;
}

void umaps__exec(struct umaps *u, uint32_t pid, uint64_t ts)
{
	struct proc *p = proc__get(u, pid);

	if (!p)
		return;
	free(p->old);
	p->old = p->r;
	p->nold = p->n;
	p->exec_ts = ts;
	p->r = NULL;
	p->n = p->cap = 0;
	p->loaded = p->readable = false;
	p->anon = 0;
}

int umaps__fork(struct umaps *u, uint32_t child, uint32_t parent, uint64_t ts)
{
	struct proc *c = proc__get(u, child);
	size_t ci = c ? (size_t)(c - u->procs_arr) : 0;
	struct proc *p = c ? proc__get(u, parent) : NULL;

	if (!p)
		return -ENOMEM;
	c = &u->procs_arr[ci]; /* proc__get may have moved the array */
	if (!p->loaded)
		proc__load(u, p, parent, clock__monotonic_ns());
	struct range *r = p->n ? malloc(p->n * sizeof(*r)) : NULL;
	if (p->n && !r)
		return -ENOMEM;
	if (p->n)
		memcpy(r, p->r, p->n * sizeof(*r));
	if (c->exec_ts > ts) {
		/* Its exec came first: the copy is the image before it. */
		free(c->old);
		c->old = r;
		c->nold = p->n;
		return 0;
	}
	free(c->r);
	c->r = r;
	c->n = c->cap = p->n;
	c->loaded = p->loaded;
	c->readable = p->readable;
	c->anon = p->anon;
	/* Never read for the child itself: a miss (it exec'd already) rereads at once. */
	c->loaded_ns = 0;
	return 0;
}

void umaps__set_snapshots(struct umaps *u, struct mapsnap *m)
{
	u->snap = m;
}

bool umaps__anon_at(struct umaps *u, size_t i, uint32_t *pid, uint32_t *id)
{
	if (i >= u->nanon)
		return false;
	*pid = u->anons[i].pid;
	*id = u->anons[i].id;
	return true;
}

void umaps__forget(struct umaps *u, uint32_t pid)
{
	uint64_t *v = htab__find(&u->procs, &pid, sizeof(pid));

	if (v) {
		u->procs_arr[*v].loaded = false;
		u->procs_arr[*v].readable = false;
		u->procs_arr[*v].anon = 0; /* a new image's JIT code is another map */
	}
}

const struct st_map *umaps__take_new(struct umaps *u, size_t *n)
{
	/* Entries before fresh_taken were handed out last time. */
	memmove(u->fresh, u->fresh + u->fresh_taken, (u->nfresh - u->fresh_taken) * sizeof(*u->fresh));
	u->nfresh -= u->fresh_taken;
	u->fresh_taken = u->nfresh;
	*n = u->nfresh;
	return u->fresh;
}

bool umaps__spec(struct umaps *u, uint32_t id, struct symfile_spec *out)
{
	if (!id || id > u->nfiles || !u->files_arr[id - 1].host_path)
		return false;
	const struct file *f = &u->files_arr[id - 1];
	*out = (struct symfile_spec){ .path = f->path,
				      .host_path = f->host_path,
				      .build_id = f->build_id,
				      .build_id_len = f->build_id_len,
				      .pgoff = f->pgoff };
	return true;
}

void umaps__free(struct umaps *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nprocs; i++) {
		free(u->procs_arr[i].r);
		free(u->procs_arr[i].old);
	}
	for (size_t i = 0; i < u->nfiles; i++) {
		free(u->files_arr[i].path);
		free(u->files_arr[i].host_path);
	}
	free(u->procs_arr);
	free(u->files_arr);
	free(u->fresh);
	free(u->anons);
	htab__free(&u->procs);
	htab__free(&u->files);
	free(u);
}
