// SPDX-License-Identifier: MIT
/*
 * libFuzzer: any bytes through the reader into the analyzer: the state
 * machine with per-thread stats and off-wake folding, then wakeup chains.
 */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/chains.h"
#include "analyze/folded.h"
#include "analyze/model.h"
#include "analyze/symbols.h"
#include "analyze/thread_stats.h"
#include "format/tape.h"
#include "fuzz_input.h"

struct sink {
	struct stats_table stats;
	struct folded f;
};

static void on_interval(void *ctx, const struct interval *iv)
{
	struct sink *s = ctx;
	struct fold_key k;

	stats_table__interval(&s->stats, iv);
	if (iv->end < iv->start)
		__builtin_trap(); /* the model must never produce negative time */
	if (iv->state != TS_SLEEPING && iv->state != TS_BLOCKED)
		return;
	memset(&k, 0, sizeof(k));
	memcpy(k.comm, iv->t->comm, sizeof(k.comm));
	k.kstack = iv->kstack;
	k.ustack = iv->ustack;
	if (iv->woken) {
		memcpy(k.wcomm, iv->waker.comm, ST_COMM_LEN);
		k.wkstack = iv->waker.kstack;
		k.wustack = iv->waker.ustack;
	}
	folded__add(&s->f, &k, iv->end - iv->start);
}

static void run_model(struct st_reader *r)
{
	struct filter f = { 0 };
	struct sink s = { .stats.f = &f };
	struct model *m;

	if (model__new(r, on_interval, &s, &m))
		return;
	filter__resolve(&f, model__start(m), model__end(m));
	if (model__run(m, r) == 0) {
		struct fold_opts o = { .user = true, .kernel = true, .waker = true, .trim = true };
		struct symbolizer *sym = NULL;
		struct fold_line *lines;
		long n;

		stats_table__finish(&s.stats, m);
		if (symbolizer__new(r, &(struct sym_opts){ .no_debug_dir = true }, &sym) == 0) {
			n = folded__lines(&s.f, r, sym, &o, &lines);
			if (n >= 0)
				folded__free_lines(lines, n);
			symbolizer__free(sym);
		}
	}
	model__free(m);
	folded__free(&s.f);
	free(s.stats.rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_reader *r;
	int fd = fuzz__open(data, size, &r);

	if (fd >= 0) {
		struct filter f = { 0 };
		struct chain_set cs = { 0 };

		run_model(r);
		if (chains__find(r, &f, 4, &cs) == 0)
			chains__free(&cs);
		st_reader__free(r);
		close(fd);
	}
	return 0;
}
