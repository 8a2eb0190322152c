// SPDX-License-Identifier: MIT
/*
 * The tables of a trace: metadata, statistics, stacks, tasks, maps and
 * symbols, loaded from their chunks when the trace is opened (after the
 * budgets are checked), and looked up by the analyses.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "decode.h"
#include "reader_internal.h"

/* --- tables -------------------------------------------------------------- */

static int table__stack(struct st_reader *r, const uint8_t *body, size_t len)
{
	if (r->nstacks >= MAX_TABLE)
		return -ST_ETOOBIG;
	struct st_frame frames[ST_MAX_FRAMES];
	struct st_stack s;
	int err = st_decode_stack(body, len, &s, frames);

	if (err)
		return err;
	struct st_frame *copy = reader__arena_alloc(r, s.nframes * sizeof(*copy) + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, frames, s.nframes * sizeof(*copy));
	s.frames = copy;
	err = reader__grow((void **)&r->stacks, &r->stacks_cap, r->nstacks, sizeof(s));
	if (err)
		return err;
	r->stacks[r->nstacks++] = s;
	return 0;
}

static int table__task(struct st_reader *r, const uint8_t *body, size_t len)
{
	if (r->ntasks >= MAX_TABLE)
		return -ST_ETOOBIG;
	struct st_task t;
	struct st_str cmd;
	int err = st_decode_task(body, len, &t, &cmd);

	if (err)
		return err;
	t.cmdline = reader__arena_str(r, &cmd);
	if (!t.cmdline)
		return -ENOMEM;
	err = reader__grow((void **)&r->tasks, &r->tasks_cap, r->ntasks, sizeof(t));
	if (err)
		return err;
	r->tasks[r->ntasks++] = t;
	return 0;
}

static int table__cgroup(struct st_reader *r, const uint8_t *body, size_t len)
{
	if (r->ncgroups >= MAX_TABLE)
		return -ST_ETOOBIG;
	struct st_cgroup g;
	struct st_str path;
	int err = st_decode_cgroup(body, len, &g, &path);

	if (err)
		return err;
	g.path = reader__arena_str(r, &path);
	if (!g.path)
		return -ENOMEM;
	err = reader__grow((void **)&r->cgroups, &r->cgroups_cap, r->ncgroups, sizeof(g));
	if (err)
		return err;
	r->cgroups[r->ncgroups++] = g;
	return 0;
}

static int table__map(struct st_reader *r, const uint8_t *body, size_t len)
{
	if (r->nmaps >= MAX_TABLE)
		return -ST_ETOOBIG;
	struct st_map m;
	struct st_str path;
	int err = st_decode_map(body, len, &m, &path);

	if (err)
		return err;
	m.path = reader__arena_str(r, &path);
	if (!m.path)
		return -ENOMEM;
	err = reader__grow((void **)&r->maps, &r->maps_cap, r->nmaps, sizeof(m));
	if (err)
		return err;
	r->maps[r->nmaps++] = m;
	return 0;
}

static int table__sym(struct st_reader *r, uint8_t type, const uint8_t *body, size_t len)
{
	if (r->nksyms + r->nusyms >= MAX_TABLE)
		return -ST_ETOOBIG;
	struct st_sym s;
	struct st_str name;
	int err = st_decode_sym(type, body, len, &s, &name);

	if (err)
		return err;
	s.name = reader__arena_str(r, &name);
	if (!s.name)
		return -ENOMEM;
	if (type == ST_REC_KSYM) {
		err = reader__grow((void **)&r->ksyms, &r->ksyms_cap, r->nksyms, sizeof(s));
		if (!err)
			r->ksyms[r->nksyms++] = s;
	} else {
		err = reader__grow((void **)&r->usyms, &r->usyms_cap, r->nusyms, sizeof(s));
		if (!err)
			r->usyms[r->nusyms++] = s;
	}
	return err;
}

static int table__kv(struct st_reader *r, const uint8_t *body, size_t len)
{
	if (r->nmeta >= MAX_KV)
		return -ST_ETOOBIG;
	struct st_str k, v;
	int err = st_decode_kv(body, len, &k, &v);

	if (err)
		return err;
	err = reader__grow((void **)&r->meta, &r->meta_cap, r->nmeta, sizeof(*r->meta));
	if (err)
		return err;
	struct kv *kv = &r->meta[r->nmeta];
	kv->key = reader__arena_str(r, &k);
	kv->value = reader__arena_str(r, &v);
	if (!kv->key || !kv->value)
		return -ENOMEM;
	r->nmeta++;
	return 0;
}

static int table__stat(struct st_reader *r, const uint8_t *body, size_t len)
{
	if (r->nstats >= MAX_KV)
		return -ST_ETOOBIG;
	struct st_str k;
	uint64_t v;
	int err = st_decode_stat(body, len, &k, &v);

	if (err)
		return err;
	err = reader__grow((void **)&r->stats, &r->stats_cap, r->nstats, sizeof(*r->stats));
	if (err)
		return err;
	r->stats[r->nstats].key = reader__arena_str(r, &k);
	r->stats[r->nstats].value = v;
	if (!r->stats[r->nstats].key)
		return -ENOMEM;
	r->nstats++;
	return 0;
}

/* The index must describe exactly the chunks before it. */
static int index__check(struct st_reader *r, size_t at, const uint8_t *raw, size_t len)
{
	struct st_rec_iter it = { raw, len };
	const uint8_t *body;
	size_t blen, n = 0;
	uint8_t type;
	int ret;

	while ((ret = st_rec_iter__next(&it, &type, &body, &blen)) > 0) {
		struct st_chunk_info e;
		if (type != ST_REC_INDEX)
			continue;
		if (st_decode_index(body, blen, &e))
			return -ST_ERECORD;
		if (n >= at)
			return -ST_ECOUNT;
		const struct st_chunk_info *c = &r->chunks[n++];
		if (e.offset != c->offset || e.type != c->type || e.seq != c->seq ||
		    e.cpu != c->cpu || e.count != c->count || e.first_ts != c->first_ts ||
		    e.last_ts != c->last_ts || e.stored_size != c->stored_size)
			return -ST_ERANGE;
	}
	if (ret < 0)
		return ret;
	return n == at ? 0 : -ST_ECOUNT;
}

static int load_table_chunk(struct st_reader *r, size_t i)
{
	const struct st_chunk_info *c = &r->chunks[i];
	struct st_rec_iter it;
	const uint8_t *body;
	size_t blen;
	uint32_t n = 0;
	uint8_t type;
	int ret, err = reader__read_chunk(r, i, &r->stored, &r->raw);

	if (err)
		return err;
	if (c->type == ST_CHUNK_INDEX)
		return index__check(r, i, r->raw.data, r->raw.len);
	it.p = r->raw.data;
	it.left = r->raw.len;
	while ((ret = st_rec_iter__next(&it, &type, &body, &blen)) > 0) {
		n++;
		switch (c->type * 256 + type) {
		case ST_CHUNK_META * 256 + ST_REC_KV:
			err = table__kv(r, body, blen);
			break;
		case ST_CHUNK_STATS * 256 + ST_REC_STAT:
			err = table__stat(r, body, blen);
			break;
		case ST_CHUNK_STACKS * 256 + ST_REC_STACK:
			err = table__stack(r, body, blen);
			break;
		case ST_CHUNK_TASKS * 256 + ST_REC_TASK:
			err = table__task(r, body, blen);
			break;
		case ST_CHUNK_CGROUPS * 256 + ST_REC_CGROUP:
			err = table__cgroup(r, body, blen);
			break;
		case ST_CHUNK_MAPS * 256 + ST_REC_MAP:
			err = table__map(r, body, blen);
			break;
		case ST_CHUNK_KSYMS * 256 + ST_REC_KSYM:
		case ST_CHUNK_USYMS * 256 + ST_REC_USYM:
			err = table__sym(r, type, body, blen);
			break;
		default:
			break; /* unknown records are skipped by design */
		}
		if (err)
			return err;
	}
	if (ret < 0)
		return ret;
	return n == c->count ? 0 : -ST_ECOUNT;
}

static int stack__cmp(const void *a, const void *b)
{
	const struct st_stack *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int cgroup__cmp(const void *a, const void *b)
{
	const struct st_cgroup *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int map__cmp(const void *a, const void *b)
{
	const struct st_map *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int sym__cmp(const void *a, const void *b)
{
	const struct st_sym *x = a, *y = b;

	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* qsort and bsearch must not see the NULL of an empty table. */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void *search(const void *key, const void *base, size_t n, size_t size,
		    int (*cmp)(const void *, const void *))
{
	return n ? bsearch(key, base, n, size, cmp) : NULL;
}

int reader__load_tables(struct st_reader *r)
{
	bool have_span = false;
	int err;

	for (size_t i = 0; i < r->nchunks; i++) {
		const struct st_chunk_info *c = &r->chunks[i];

		if (c->type == ST_CHUNK_EVENTS) {
			r->info.raw_bytes += c->raw_size;
			if (!c->count)
				continue; /* no events, no time span */
			if (!have_span || c->first_ts < r->info.first_ts)
				r->info.first_ts = c->first_ts;
			if (!have_span || c->last_ts > r->info.last_ts)
				r->info.last_ts = c->last_ts;
			have_span = true;
			if (c->cpu + 1 > r->info.ncpus_seen)
				r->info.ncpus_seen = c->cpu + 1;
			continue;
		}
		if (c->type < 1 || c->type > ST_CHUNK_TYPE_MAX)
			continue; /* unknown chunk types are skipped by design */
		err = load_table_chunk(r, i);
		if (c->type == ST_CHUNK_INDEX) {
			r->info.has_index = true;
			r->info.finalized = !err && i + 1 == r->nchunks && !r->info.truncated_at;
			if (err == -ST_ERANGE || err == -ST_ECOUNT)
				err = reader__problem(r, c->offset, err,
						      "index does not match the chunks before it");
			else if (err && err != -ENOMEM)
				err = reader__problem(r, c->offset, err, "index chunk");
		} else if (err == -ST_ETOOBIG) {
			err = reader__problem(r, c->offset, err, "%s chunk %llu: too many entries",
					      st_chunk_type_name(c->type), (unsigned long long)c->seq);
		} else if (err && err != -ENOMEM) {
			err = reader__problem(r, c->offset, err, "%s chunk %llu",
					      st_chunk_type_name(c->type), (unsigned long long)c->seq);
		}
		if (err)
			return err;
		r->info.raw_bytes += c->raw_size;
	}
	if (have_span && r->info.last_ts - r->info.first_ts > ST_MAX_SPAN_NS) {
		err = reader__problem(r, 0, -ST_ETIME, "events span %llu days: implausible timestamps",
				      (unsigned long long)((r->info.last_ts - r->info.first_ts) /
							   86400000000000ull));
		if (err)
			return err;
	}
	sort(r->stacks, r->nstacks, sizeof(*r->stacks), stack__cmp);
	sort(r->maps, r->nmaps, sizeof(*r->maps), map__cmp);
	sort(r->cgroups, r->ncgroups, sizeof(*r->cgroups), cgroup__cmp);
	sort(r->ksyms, r->nksyms, sizeof(*r->ksyms), sym__cmp);
	sort(r->usyms, r->nusyms, sizeof(*r->usyms), sym__cmp);
	return 0;
}

const char *st_reader__meta(const struct st_reader *r, const char *key)
{
	for (size_t i = 0; i < r->nmeta; i++)
		if (!strcmp(r->meta[i].key, key))
			return r->meta[i].value;
	return NULL;
}

size_t st_reader__nmeta(const struct st_reader *r)
{
	return r->nmeta;
}

void st_reader__meta_at(const struct st_reader *r, size_t i, const char **key, const char **value)
{
	*key = r->meta[i].key;
	*value = r->meta[i].value;
}

bool st_reader__stat(const struct st_reader *r, const char *key, uint64_t *value)
{
	for (size_t i = 0; i < r->nstats; i++) {
		if (!strcmp(r->stats[i].key, key)) {
			*value = r->stats[i].value;
			return true;
		}
	}
	return false;
}

size_t st_reader__nstats(const struct st_reader *r)
{
	return r->nstats;
}

void st_reader__stat_at(const struct st_reader *r, size_t i, const char **key, uint64_t *value)
{
	*key = r->stats[i].key;
	*value = r->stats[i].value;
}

const struct st_stack *st_reader__stack(const struct st_reader *r, uint32_t id)
{
	struct st_stack key = { .id = id };

	if (id == ST_STACK_NONE || id == ST_STACK_LOST)
		return NULL;
	return search(&key, r->stacks, r->nstacks, sizeof(key), stack__cmp);
}

size_t st_reader__nstacks(const struct st_reader *r)
{
	return r->nstacks;
}

const struct st_stack *st_reader__stack_at(const struct st_reader *r, size_t i)
{
	return i < r->nstacks ? &r->stacks[i] : NULL;
}

/* A cgroup written twice (the writer saw it again after a restart of its cache): the first. */
const struct st_cgroup *st_reader__cgroup(const struct st_reader *r, uint64_t id)
{
	struct st_cgroup key = { .id = id };
	const struct st_cgroup *g = search(&key, r->cgroups, r->ncgroups, sizeof(key), cgroup__cmp);

	while (g && g > r->cgroups && g[-1].id == id)
		g--;
	return g;
}

size_t st_reader__ncgroups(const struct st_reader *r)
{
	return r->ncgroups;
}

const struct st_cgroup *st_reader__cgroup_at(const struct st_reader *r, size_t i)
{
	return i < r->ncgroups ? &r->cgroups[i] : NULL;
}

size_t st_reader__ntasks(const struct st_reader *r)
{
	return r->ntasks;
}

const struct st_task *st_reader__task(const struct st_reader *r, size_t i)
{
	return i < r->ntasks ? &r->tasks[i] : NULL;
}

const struct st_map *st_reader__map(const struct st_reader *r, uint32_t id)
{
	struct st_map key = { .id = id };

	return search(&key, r->maps, r->nmaps, sizeof(key), map__cmp);
}

size_t st_reader__nmaps(const struct st_reader *r)
{
	return r->nmaps;
}

const struct st_map *st_reader__map_at(const struct st_reader *r, size_t i)
{
	return i < r->nmaps ? &r->maps[i] : NULL;
}

/* The last symbol at or below (map, addr) that contains addr. */
static const struct st_sym *sym__find(const struct st_sym *syms, size_t n, uint32_t map,
				      uint64_t addr)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct st_sym *s = &syms[mid];
		if (s->map < map || (s->map == map && s->addr <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct st_sym *s = &syms[lo - 1];
	if (s->map != map || addr - s->addr >= s->size)
		return NULL;
	return s;
}

const struct st_sym *st_reader__ksym(const struct st_reader *r, uint64_t addr)
{
	return sym__find(r->ksyms, r->nksyms, 0, addr);
}

const struct st_sym *st_reader__usym(const struct st_reader *r, uint32_t map, uint64_t offset)
{
	return sym__find(r->usyms, r->nusyms, map, offset);
}

size_t st_reader__nksyms(const struct st_reader *r)
{
	return r->nksyms;
}

size_t st_reader__nusyms(const struct st_reader *r)
{
	return r->nusyms;
}
