/* SPDX-License-Identifier: MIT */
/*
 * The flight recorder's task table: what each live thread's TASK records
 * said, kept from the ring's start on (and the latest before it), so that a
 * dump of any window in the ring carries the names of every thread in it.
 * Memory: the threads alive, or gone within the ring's window.
 */
#ifndef SCHEDTAPE_RECORD_TASKLOG_H
#define SCHEDTAPE_RECORD_TASKLOG_H

#include <stdint.h>

#include "format/tape.h"

struct tasklog;

struct tasklog *tasklog__new(void);
void tasklog__free(struct tasklog *l);

/* Keep a copy of @t. Returns 0 or -ENOMEM. */
int tasklog__add(struct tasklog *l, const struct st_task *t);
/* Thread @tid exited at @ts. */
void tasklog__exit(struct tasklog *l, uint32_t tid, uint64_t ts);
/* Thread @tid took the name @comm at @ts (a record like its latest, renamed). */
int tasklog__rename(struct tasklog *l, uint32_t tid, uint32_t pid, uint64_t ts,
		    const char *comm);
/* The latest record of @tid, or NULL. */
const struct st_task *tasklog__latest(const struct tasklog *l, uint32_t tid);
/* Forget what no window starting at @ts or later needs. */
void tasklog__prune(struct tasklog *l, uint64_t ts);
/*
 * The TASK records a trace of [@from, @to] needs, into @c: per thread alive
 * at @from or born by @to, its latest record at or before @from (flagged as
 * there when the trace starts) and those after, up to @to.
 */
int tasklog__checkpoint(const struct tasklog *l, uint64_t from, uint64_t to, struct st_chunk *c);
/* Threads held. */
size_t tasklog__threads(const struct tasklog *l);

#endif
