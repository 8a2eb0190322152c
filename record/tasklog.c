// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/grow.h"
#include "base/htab.h"
#include "tasklog.h"

struct entry {
	uint32_t tid;
	uint64_t exit_ts; /* 0: alive */
	struct st_task *recs; /* in the order they came (time order, per thread) */
	size_t n, cap;
};

struct tasklog {
	struct htab64 by_tid; /* tid + 1 -> index in entries */
	struct entry *entries;
	size_t n, cap;
	size_t dead; /* entries emptied by pruning, still in the table */
};

struct tasklog *tasklog__new(void)
{
	return calloc(1, sizeof(struct tasklog));
}

static void entry__clear(struct entry *e)
{
	for (size_t i = 0; i < e->n; i++)
		free((char *)e->recs[i].cmdline);
	free(e->recs);
	e->recs = NULL;
	e->n = e->cap = 0;
}

void tasklog__free(struct tasklog *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		entry__clear(&l->entries[i]);
	free(l->entries);
	htab64__free(&l->by_tid);
	free(l);
}

static struct entry *entry__get(struct tasklog *l, uint32_t tid, bool create)
{
	uint64_t *at = htab64__find(&l->by_tid, (uint64_t)tid + 1);

	if (at)
		return &l->entries[*at];
	if (!create || grow(&l->entries, &l->cap, l->n + 1, sizeof(*l->entries)) ||
	    htab64__insert(&l->by_tid, (uint64_t)tid + 1, l->n))
		return NULL;
	struct entry *e = &l->entries[l->n++];
	memset(e, 0, sizeof(*e));
	e->tid = tid;
	return e;
}

int tasklog__add(struct tasklog *l, const struct st_task *t)
{
	struct entry *e = entry__get(l, t->tid, true);

	if (!e || grow(&e->recs, &e->cap, e->n + 1, sizeof(*e->recs)))
		return -ENOMEM;
	char *cmdline = strdup(t->cmdline ? t->cmdline : "");
	if (!cmdline)
		return -ENOMEM;
	if (e->exit_ts && t->ts >= e->exit_ts)
		e->exit_ts = 0; /* the tid was given to a new thread */
	/*
	 * In time order: CPUs' events arrive in batches of their own, so a fork
	 * (parent's CPU) can come after the child's rename (its own CPU), and
	 * the latest record must be the rename's.
	 */
	size_t at = e->n;
	while (at > 0 && e->recs[at - 1].ts > t->ts)
		at--;
	memmove(&e->recs[at + 1], &e->recs[at], (e->n - at) * sizeof(*e->recs));
	e->recs[at] = *t;
	e->recs[at].cmdline = cmdline;
	e->n++;
	return 0;
}

int tasklog__rename(struct tasklog *l, uint32_t tid, uint32_t pid, uint64_t ts,
		    const char *comm)
{
	const struct st_task *last = tasklog__latest(l, tid);
	struct st_task t = { .ts = ts, .tid = tid, .pid = pid, .cmdline = "" };

	if (last) {
		t = *last;
		t.ts = ts;
		t.flags &= ~(uint32_t)ST_TASK_SNAPSHOT;
	}
	snprintf(t.comm, sizeof(t.comm), "%s", comm);
	return tasklog__add(l, &t);
}

const struct st_task *tasklog__latest(const struct tasklog *l, uint32_t tid)
{
	const uint64_t *at = htab64__find(&l->by_tid, (uint64_t)tid + 1);

	if (!at || !l->entries[*at].n)
		return NULL;
	const struct entry *e = &l->entries[*at];
	return &e->recs[e->n - 1];
}

void tasklog__exit(struct tasklog *l, uint32_t tid, uint64_t ts)
{
	struct entry *e = entry__get(l, tid, false);

	if (e)
		e->exit_ts = ts;
}

/* Rebuild the index without the emptied entries. */
static void compact(struct tasklog *l)
{
	size_t k = 0;

	htab64__free(&l->by_tid);
	memset(&l->by_tid, 0, sizeof(l->by_tid));
	for (size_t i = 0; i < l->n; i++) {
		if (!l->entries[i].n)
			continue;
		l->entries[k] = l->entries[i];
		/* Cannot fail for lack of memory by more than it could at insert: keep going. */
		htab64__insert(&l->by_tid, (uint64_t)l->entries[k].tid + 1, k);
		k++;
	}
	l->n = k;
	l->dead = 0;
}

void tasklog__prune(struct tasklog *l, uint64_t ts)
{
	for (size_t i = 0; i < l->n; i++) {
		struct entry *e = &l->entries[i];
		if (!e->n)
			continue;
		if (e->exit_ts && e->exit_ts < ts) {
			entry__clear(e);
			l->dead++;
			continue;
		}
		/* Of the records at or before @ts only the latest still says anything. */
		size_t last_before = 0;
		while (last_before + 1 < e->n && e->recs[last_before + 1].ts <= ts)
			last_before++;
		if (!last_before)
			continue;
		for (size_t j = 0; j < last_before; j++)
			free((char *)e->recs[j].cmdline);
		memmove(e->recs, e->recs + last_before, (e->n - last_before) * sizeof(*e->recs));
		e->n -= last_before;
	}
	if (l->dead > 1024 && l->dead * 2 > l->n)
		compact(l);
}

int tasklog__checkpoint(const struct tasklog *l, uint64_t from, uint64_t to, struct st_chunk *c)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = &l->entries[i];
		if (!e->n || (e->exit_ts && e->exit_ts < from))
			continue;
		size_t first = 0;
		while (first + 1 < e->n && e->recs[first + 1].ts <= from)
			first++;
		for (size_t j = first; j < e->n && e->recs[j].ts <= to; j++) {
			struct st_task t = e->recs[j];
			if (t.ts <= from) {
				t.ts = from;
				t.flags |= ST_TASK_SNAPSHOT;
			}
			int err = st_chunk__add_task(c, &t);
			if (err)
				return err;
		}
	}
	return 0;
}

size_t tasklog__threads(const struct tasklog *l)
{
	return l->n - l->dead;
}
