/* SPDX-License-Identifier: MIT */
/*
 * What the reader's files share (reader.c opens and scans, tables.c loads
 * and serves the tables) and the event merge needs; not part of the public
 * API.
 */
#ifndef SCHEDTAPE_FORMAT_READER_INTERNAL_H
#define SCHEDTAPE_FORMAT_READER_INTERNAL_H

#include <stdbool.h>
#include <zstd.h>

#include "tape.h"

#define MAX_PROBLEMS 256
/*
 * Caps on table sizes: a payload's records cannot make the reader hold more
 * than this, whatever the file says. Real traces are far below them.
 */
#define MAX_KV 65536
#define MAX_TABLE (1u << 24)
#define ARENA_BLOCK (64u << 10)

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(8) uint8_t data[];
};

struct kv {
	const char *key, *value;
};

struct stat_kv {
	const char *key;
	uint64_t value;
};

struct cpu_list {
	size_t *idx;
	size_t n, cap;
};

struct st_reader {
	int fd;
	int own_fd; /* the temporary copy of a pipe */
	unsigned int flags;
	struct st_file_info info;

	struct st_chunk_info *chunks;
	size_t nchunks, chunks_cap;

	struct st_problem problems[MAX_PROBLEMS];
	size_t nproblems;
	uint64_t problems_dropped;

	struct cpu_list *cpus;
	uint32_t ncpus;

	struct arena_block *arena;
	struct kv *meta;
	size_t nmeta, meta_cap;
	struct stat_kv *stats;
	size_t nstats, stats_cap;
	struct st_stack *stacks;
	size_t nstacks, stacks_cap;
	struct st_task *tasks;
	size_t ntasks, tasks_cap;
	struct st_cgroup *cgroups;
	size_t ncgroups, cgroups_cap;
	struct st_map *maps;
	size_t nmaps, maps_cap;
	struct st_sym *ksyms, *usyms;
	size_t nksyms, ksyms_cap, nusyms, usyms_cap;

	ZSTD_DCtx *dctx;
	struct st_buf stored, raw; /* for st_reader__load and table loading */
};

/* Grow *@arr (of @elem bytes each, *@cap of them) to hold @n + 1. Returns 0 or -ENOMEM. */
int reader__grow(void **arr, size_t *cap, size_t n, size_t elem);
/* Memory that lives as long as the reader; NULL when out of memory. */
void *reader__arena_alloc(struct st_reader *r, size_t size);
const char *reader__arena_str(struct st_reader *r, const struct st_str *s);
/* Load every table chunk, after the scan (tables.c). Returns 0 or an error. */
int reader__load_tables(struct st_reader *r);

/* Record a problem; returns @err in strict mode (the caller fails), else 0. */
int reader__problem(struct st_reader *r, uint64_t offset, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Verify and decompress chunk @i into @raw (growing it as needed), using
 * @stored as the read buffer. Returns 0 or a negative error, which the
 * caller reports.
 */
int reader__read_chunk(struct st_reader *r, size_t i, struct st_buf *stored, struct st_buf *raw);

/* Indices of the readable event chunks of each CPU, in file order. */
uint32_t reader__ncpus(const struct st_reader *r);
void reader__cpu_chunks(const struct st_reader *r, uint32_t cpu, const size_t **idx, size_t *n);

int buf__ensure(struct st_buf *b, size_t size);

#endif
