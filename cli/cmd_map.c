// SPDX-License-Identifier: MIT
/*
 * schedtape map: which thread ran on each CPU over time, one column per CPU
 * and one line per context switch, as perf sched map prints it: '*' marks
 * the CPU that switched, '.' an idle CPU, and a thread's short name is
 * explained the first time it appears.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/model.h"
#include "analyze_args.h"
#include "base/grow.h"
#include "base/htab.h"
#include "cli.h"

#define MAP_MAX_COLUMNS 256 /* CPUs shown side by side; -C picks others */

struct map {
	struct analyze_args *a;
	struct model *m;
	struct htab64 id_of; /* tid + 1 -> short id + 1 */
	uint32_t nids;
	uint32_t *cur;	     /* per CPU: the tid running, UINT32_MAX not known yet */
	size_t ncpus, cap;
	uint32_t col[MAP_MAX_COLUMNS]; /* the CPUs shown, in order */
	unsigned int ncols;
	uint64_t t0, lines;
	int err;
};

/* Short id @k: A0..Z9, then a0..z9, then three base-36 characters. */
static void id_text(uint32_t k, char out[8])
{
	static const char b36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

	if (k < 260)
		snprintf(out, 8, "%c%c", 'A' + k / 10, '0' + k % 10);
	else if (k < 520)
		snprintf(out, 8, "%c%c", 'a' + (k - 260) / 10, '0' + (k - 260) % 10);
	else
		snprintf(out, 8, "%c%c%c", b36[(k / 1296) % 36], b36[(k / 36) % 36], b36[k % 36]);
}

/* The thread's short id; *fresh says it was given now. */
static uint32_t id_for(struct map *mp, uint32_t tid, bool *fresh)
{
	uint64_t *v = htab64__find(&mp->id_of, (uint64_t)tid + 1);

	*fresh = !v;
	if (v)
		return (uint32_t)*v - 1;
	if (htab64__insert(&mp->id_of, (uint64_t)tid + 1, (uint64_t)mp->nids + 1))
		mp->err = -ENOMEM;
	return mp->nids++;
}

static bool shown_cpu(const struct map *mp, uint32_t cpu)
{
	for (unsigned int i = 0; i < mp->ncols; i++)
		if (mp->col[i] == cpu)
			return true;
	return false;
}

/* The columns: -C's CPUs, else every CPU the trace has events on (up to MAP_MAX_COLUMNS). */
static void columns(struct map *mp, const struct st_reader *r)
{
	const struct filter *f = &mp->a->f;

	if (f->ncpus) {
		for (unsigned int i = 0; i < f->ncpus && mp->ncols < MAP_MAX_COLUMNS; i++)
			mp->col[mp->ncols++] = f->cpus[i];
		return;
	}
	uint32_t n = st_reader__info(r)->ncpus_seen;
	for (uint32_t c = 0; c < n && mp->ncols < MAP_MAX_COLUMNS; c++)
		mp->col[mp->ncols++] = c;
}

static bool wanted(struct map *mp, const struct st_event *e)
{
	const struct filter *f = &mp->a->f;

	if (e->ts < f->begin || e->ts >= f->end || !shown_cpu(mp, e->cpu))
		return false;
	if (!f->npids && !f->ntids && !f->has_comm)
		return true;
	const struct thread *p = e->sw.prev_tid ? model__find(mp->m, e->sw.prev_tid) : NULL;
	const struct thread *n = e->sw.next_tid ? model__find(mp->m, e->sw.next_tid) : NULL;
	return (p && filter__thread(f, p)) || (n && filter__thread(f, n));
}

static void on_switch(struct map *mp, const struct st_event *e)
{
	bool fresh = false;
	char id[8];

	if (e->cpu >= mp->ncpus) {
		size_t had = mp->ncpus;
		if (grow(&mp->cur, &mp->cap, (size_t)e->cpu + 1, sizeof(*mp->cur))) {
			mp->err = -ENOMEM;
			return;
		}
		mp->ncpus = e->cpu + 1;
		for (size_t c = had; c < mp->ncpus; c++)
			mp->cur[c] = UINT32_MAX;
	}
	mp->cur[e->cpu] = e->sw.next_tid;
	if (!wanted(mp, e))
		return;
	uint32_t next = e->sw.next_tid;
	uint32_t k = next ? id_for(mp, next, &fresh) : 0;
	uint64_t rel = e->ts - mp->t0;
	const struct thread *t = next ? model__find(mp->m, next) : NULL;

	if (mp->a->json) {
		printf("%s[%llu,%u,%u]", mp->lines ? "," : "", (unsigned long long)rel, e->cpu, next);
		mp->lines++;
		return;
	}
	for (unsigned int i = 0; i < mp->ncols; i++) {
		uint32_t c = mp->col[i], tid = c < mp->ncpus ? mp->cur[c] : UINT32_MAX;
		bool b;
		if (tid == UINT32_MAX)
			snprintf(id, sizeof(id), " ");
		else if (tid == 0)
			snprintf(id, sizeof(id), ".");
		else
			id_text(id_for(mp, tid, &b), id);
		printf("%c%-3s", c == e->cpu ? '*' : ' ', id);
	}
	printf("  %6llu.%06llu", (unsigned long long)(rel / 1000000000ull),
	       (unsigned long long)(rel % 1000000000ull / 1000));
	if (fresh) {
		id_text(k, id);
		printf("  %s => %s:%u", id, t ? tx(t->comm) : "?", next);
	}
	putchar('\n');
	mp->lines++;
}

/* After the model has the event: its threads' names are known. */
static void on_event(void *ctx, const struct st_event *e)
{
	struct map *mp = ctx;

	if (e->type == ST_REC_SWITCH && !mp->err)
		on_switch(mp, e);
}

/* JSON: the threads behind the ids, at the end (their last names). */
static void json_threads(struct map *mp)
{
	printf("],\"threads\":{");
	uint32_t n = 0;
	for (size_t i = 0; i < mp->id_of.cap; i++) {
		const struct htab64_slot *s = &mp->id_of.slots[i];
		if (!s->key)
			continue;
		char id[8];
		uint32_t tid = (uint32_t)(s->key - 1);
		const struct thread *t = model__find(mp->m, tid);
		id_text((uint32_t)s->value - 1, id);
		printf("%s\"%u\":{\"id\":\"%s\",\"pid\":%u,\"comm\":", n++ ? "," : "", tid, id,
		       t ? t->pid : 0);
		json__str(stdout, t ? t->comm : "");
		printf("}");
	}
	printf("},\"cpus\":[");
	for (unsigned int i = 0; i < mp->ncols; i++)
		printf("%s%u", i ? "," : "", mp->col[i]);
	printf("]}\n");
}

int cmd_map(int argc, char **argv)
{
	static const struct option opts[] = { ANALYZE_LONG_OPTS, { 0 } };
	struct analyze_args a = { 0 };
	struct map mp = { .a = &a };
	struct st_reader *r = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS, opts, NULL)) != -1) {
		if ((ret = analyze_args__events_only("map", c)))
			goto out;
		ret = analyze_args__opt(&a, "map", c, optarg);
		if (ret == 1)
			continue;
		ret = ret ? ret : EXIT_USAGE;
		goto out;
	}
	if (a.help) {
		printf("Usage: %s map [OPTIONS] FILE\n"
		       "Which thread ran on each CPU over time (perf sched map): one column per CPU,\n"
		       "one line per context switch; '*' marks the CPU that switched, '.' an idle CPU,\n"
		       "blank a CPU not seen yet. A thread's short name (A0, B0, ...) is explained the\n"
		       "first time it runs: 'A0 => comm:tid'.\n"
		       "  -C, --cpu CPU[,CPU]   only these CPUs' columns and switches (default: all,\n"
		       "                        up to 256)\n"
		       "  -p, -t, -c            only switches from or to these processes, threads, names\n"
		       "      --begin S, --end S  only switches in this window\n"
		       "      --json            {\"switches\":[[ns, cpu, next tid]...], \"threads\":{tid:\n"
		       "                        {id, pid, comm}}, \"cpus\":[...]}\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "map", argc, argv);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	a.f.untraced = true;
	mp.m = analyze_args__model(&a, r, interval__ignore, NULL);
	if (!mp.m)
		goto out;
	mp.t0 = model__start(mp.m);
	columns(&mp, r);
	if (a.json)
		printf("{\"switches\":[");
	int err = model__run_each(mp.m, r, on_event, true, &mp);
	if (!err && a.json)
		json_threads(&mp);
	err = err ? err : mp.err;
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	if (!a.json && !mp.lines)
		printf("no context switches in the window\n");
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	free(mp.cur);
	htab64__free(&mp.id_of);
	model__free(mp.m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
