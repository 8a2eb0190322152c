/* SPDX-License-Identifier: MIT */
/*
 * Multi-hop wakeup chains: for each time a thread blocked and was woken, who
 * woke it, what that waker was itself blocked on before, who woke the waker,
 * and so on, with the stacks at every hop.
 *
 * Found in passes over the trace, one per hop: each pass keeps only the
 * blocked intervals of the threads asked about, so memory follows the
 * chains, not the trace.
 */
#ifndef SCHEDTAPE_ANALYZE_CHAINS_H
#define SCHEDTAPE_ANALYZE_CHAINS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "format/tape.h"

#define CHAIN_MAX_DEPTH 16
#define NO_THREAD_INDEX UINT32_MAX

/* Why a chain stops where it does. */
enum chain_end {
	CE_OPEN = 0,	      /* not decided yet (internal) */
	CE_DEPTH,	      /* the depth asked for was reached */
	CE_IRQ,		      /* the last wakeup came from an interrupt */
	CE_NO_WAKER,	      /* the waker is not a thread of the model (idle, recorder) */
	CE_WAKER_RUNNING,     /* the waker had not blocked since the trace began */
	CE_WAKER_UNKNOWN,     /* events were lost: what the waker did before is unknown */
	CE_BEFORE_TRACE,      /* the waker was already blocked when the trace began */
};

struct chain_waker {
	uint32_t thread; /* model thread index, or NO_THREAD_INDEX */
	uint32_t tid, pid;
	char comm[ST_COMM_LEN];
	uint8_t ctx;
	uint32_t kstack, ustack;
};

/* One hop: a thread's blocked interval and what ended it. */
struct chain_hop {
	uint32_t thread, tid, pid;
	char comm[ST_COMM_LEN];
	uint64_t start, end;
	uint8_t state; /* TS_SLEEPING or TS_BLOCKED */
	char off_state;
	uint32_t kstack, ustack; /* where it blocked */
	struct chain_waker waker;
};

struct chain {
	struct chain_hop *hop; /* room for the depth asked */
	uint8_t n;
	uint8_t end; /* enum chain_end */
};

struct chain_set {
	struct chain *c;
	size_t n, cap;
	uint64_t start; /* the trace's start, for relative times */
	unsigned int depth; /* hops each chain has room for */
};

/*
 * Chains of up to @depth hops for the blocked intervals of the threads
 * @f selects (its states default to sleep and block). Memory: the chains
 * themselves (depth hops each), and per pass one interval per thread; the
 * wakers' histories are not kept. Returns 0 or a negative error.
 */
int chains__find(struct st_reader *r, struct filter *f, unsigned int depth, struct chain_set *out);

/*
 * The same chains in batches of at most @batch (0: what fits in about
 * CHAIN_BATCH_BYTES), each handed to @fn and freed after: memory stays
 * bounded whatever the number of wakeups, and every batch reruns the passes.
 * @fn sees at least one (maybe empty) batch. Returns 0, @fn's error, or a
 * negative error.
 */
#define CHAIN_BATCH_BYTES (16u << 20)
typedef int (*chain_batch_fn)(void *ctx, const struct chain_set *s);
int chains__each_batch(struct st_reader *r, struct filter *f, unsigned int depth, size_t batch,
		       chain_batch_fn fn, void *ctx);
void chains__free(struct chain_set *s);

const char *chain_end_text(uint8_t end);

#endif
