// SPDX-License-Identifier: MIT
/* schedtape chains: who really held a thread up, hop by hop, with stacks at every hop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/chains.h"
#include "analyze/folded.h"
#include "base/htab.h"
#include "analyze/model.h"
#include "analyze_args.h"
#include "cli.h"


/* What makes two chains the same for the summary: names and stacks at every hop. */
struct hop_key {
	char comm[ST_COMM_LEN], wcomm[ST_COMM_LEN];
	uint32_t kstack, ustack, wkstack, wustack;
	uint8_t state, wctx;
};

struct chain_key {
	struct hop_key hop[CHAIN_MAX_DEPTH];
	uint8_t n, end;
};

struct group {
	struct chain first; /* a copy, with hops of its own: batches come and go */
	uint64_t count;
	uint64_t ns[CHAIN_MAX_DEPTH]; /* blocked time summed per hop */
};

/* What the chains' batches add up to, per output mode. */
struct chains_out {
	struct st_reader *r;
	struct symbolizer *sym;
	enum { OUT_SUMMARY, OUT_EACH, OUT_JSON, OUT_FOLDED } mode;
	uint64_t total; /* chains seen */
	/* OUT_SUMMARY */
	struct htab idx; /* chain_key -> index in g */
	struct group *g;
	size_t ng, gcap;
	/* OUT_FOLDED */
	struct htab sums;
};

static void chain__key(const struct chain *c, struct chain_key *k)
{
	memset(k, 0, sizeof(*k));
	k->n = c->n;
	k->end = c->end;
	for (unsigned int i = 0; i < c->n; i++) {
		const struct chain_hop *h = &c->hop[i];
		struct hop_key *hk = &k->hop[i];
		memcpy(hk->comm, h->comm, sizeof(hk->comm));
		hk->kstack = h->kstack;
		hk->ustack = h->ustack;
		/* An interrupt's waker is whoever it interrupted: that is not what matters. */
		if (h->waker.ctx == ST_CTX_TASK) {
			memcpy(hk->wcomm, h->waker.comm, sizeof(hk->wcomm));
			hk->wkstack = h->waker.kstack;
			hk->wustack = h->waker.ustack;
		}
		hk->state = h->state;
		hk->wctx = h->waker.ctx;
	}
}

static int group__cmp(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	return x->ns[0] > y->ns[0] ? -1 : x->ns[0] < y->ns[0];
}

static void print_stack(struct st_reader *r, struct symbolizer *sym, const char *label,
			uint32_t kstack, uint32_t ustack)
{
	char *k = folded__stack_text(r, sym, kstack, true, " <- ", 8);
	char *u = ustack ? folded__stack_text(r, sym, ustack, true, " <- ", 6) : NULL;

	printf("        %-9s %s%s%s\n", label, k ? k : "?", u ? " <- " : "", u ? u : "");
	free(k);
	free(u);
}

static void print_hop(struct st_reader *r, struct symbolizer *sym, const struct chain_hop *h,
		      unsigned int depth, double avg_ms, const char *when)
{
	printf("  %*s%s/%u %s %.3f ms%s%s\n", (int)depth * 2, "", tx(h->comm), h->tid,
	       h->state == TS_BLOCKED ? "blocked (D)" : "slept (S)", avg_ms, when ? " " : "",
	       when ? when : "");
	print_stack(r, sym, "in:", h->kstack, h->ustack);
	if (h->waker.ctx != ST_CTX_TASK)
		printf("        woken from %s (interrupting %s/%u)\n", st_wake_ctx_name(h->waker.ctx),
		       h->waker.comm[0] ? tx(h->waker.comm) : "?", h->waker.tid);
	else
		printf("        woken by %s/%u\n", h->waker.comm[0] ? tx(h->waker.comm) : "?",
		       h->waker.tid);
	print_stack(r, sym, "waker at:", h->waker.kstack, h->waker.ustack);
}

/* Sum @s's chains into their kinds. */
static int summary__add(struct chains_out *o, const struct chain_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct chain *c = &s->c[i];
		struct chain_key k;
		chain__key(c, &k);
		uint64_t *at = htab__find(&o->idx, &k, sizeof(k));
		if (!at) {
			if (o->ng == o->gcap) {
				size_t cap = o->gcap ? o->gcap * 2 : 64;
				struct group *g = realloc(o->g, cap * sizeof(*g));
				if (!g)
					return -ENOMEM;
				o->g = g;
				o->gcap = cap;
			}
			struct group *gr = &o->g[o->ng];
			memset(gr, 0, sizeof(*gr));
			gr->first = *c;
			gr->first.hop = malloc(c->n * sizeof(*c->hop));
			if (!gr->first.hop || htab__insert(&o->idx, &k, sizeof(k), o->ng)) {
				free(gr->first.hop);
				return -ENOMEM;
			}
			memcpy(gr->first.hop, c->hop, c->n * sizeof(*c->hop));
			at = htab__find(&o->idx, &k, sizeof(k));
			o->ng++;
		}
		struct group *gr = &o->g[*at];
		gr->count++;
		for (unsigned int h = 0; h < c->n; h++)
			gr->ns[h] += c->hop[h].end - c->hop[h].start;
	}
	return 0;
}

static void print_summary(struct chains_out *o, unsigned int top)
{
	struct group *g = o->g;
	size_t ng = o->ng;

	if (ng > 1)
		qsort(g, ng, sizeof(*g), group__cmp);
	printf("%llu wakeup chains of %zu kinds", (unsigned long long)o->total, ng);
	if (ng > top)
		printf(" (the %u heaviest shown; --top N for more)", top);
	printf("\n");
	for (size_t i = 0; i < ng && i < top; i++) {
		const struct group *gr = &g[i];
		printf("\n#%zu: %llu times, %.3f ms blocked in all\n", i + 1,
		       (unsigned long long)gr->count, (double)gr->ns[0] / 1e6);
		for (unsigned int h = 0; h < gr->first.n; h++)
			print_hop(o->r, o->sym, &gr->first.hop[h], h,
				  (double)gr->ns[h] / (double)gr->count / 1e6, h ? "before that, on average" : "on average");
		printf("  (%s)\n", chain_end_text(gr->first.end));
	}
}

static void print_each(struct st_reader *r, struct symbolizer *sym, const struct chain_set *s)
{
	char when[64];

	for (size_t i = 0; i < s->n; i++) {
		const struct chain *c = &s->c[i];
		printf("\n");
		for (unsigned int h = 0; h < c->n; h++) {
			snprintf(when, sizeof(when), "from %.6f s",
				 (double)(c->hop[h].start - s->start) / 1e9);
			print_hop(r, sym, &c->hop[h], h,
				  (double)(c->hop[h].end - c->hop[h].start) / 1e6, when);
		}
		printf("  (%s)\n", chain_end_text(c->end));
	}
}

static void json_stack(struct st_reader *r, struct symbolizer *sym, const char *name, uint32_t id)
{
	const struct st_stack *st = st_reader__stack(r, id);

	printf(",\"%s\":[", name);
	for (unsigned int f = 0; st && f < st->nframes; f++) {
		printf("%s", f ? "," : "");
		json__str(stdout, symbolizer__name(sym, st->kind, &st->frames[f]));
	}
	printf("]");
}

/* @s's chains as elements of the "chains" array; @before: how many came before it. */
static void print_json(struct st_reader *r, struct symbolizer *sym, const struct chain_set *s,
		       uint64_t before)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct chain *c = &s->c[i];
		printf("%s{\"end\":", i || before ? "," : "");
		json__str(stdout, chain_end_text(c->end));
		printf(",\"hops\":[");
		for (unsigned int h = 0; h < c->n; h++) {
			const struct chain_hop *hp = &c->hop[h];
			printf("%s{\"tid\":%u,\"pid\":%u,\"comm\":", h ? "," : "", hp->tid, hp->pid);
			json__str(stdout, hp->comm);
			printf(",\"start_ns\":%llu,\"duration_ns\":%llu,\"state\":\"%s\"",
			       (unsigned long long)(hp->start - s->start),
			       (unsigned long long)(hp->end - hp->start), th_state_name(hp->state));
			json_stack(r, sym, "kernel_stack", hp->kstack);
			json_stack(r, sym, "user_stack", hp->ustack);
			printf(",\"waker\":{\"tid\":%u,\"pid\":%u,\"comm\":", hp->waker.tid, hp->waker.pid);
			json__str(stdout, hp->waker.comm);
			printf(",\"context\":\"%s\"", st_wake_ctx_name(hp->waker.ctx));
			json_stack(r, sym, "kernel_stack", hp->waker.kstack);
			json_stack(r, sym, "user_stack", hp->waker.ustack);
			printf("}}");
		}
		printf("]}");
	}
}

static int print_folded(struct chains_out *o)
{
	struct fold_line *lines;
	long n = folded__sums_lines(&o->sums, &lines);

	if (n < 0)
		return (int)n;
	for (long i = 0; i < n; i++)
		if (lines[i].ns >= 1000)
			printf("%s %llu\n", lines[i].stack, (unsigned long long)(lines[i].ns / 1000));
	folded__free_lines(lines, n);
	return 0;
}

/* One batch of chains into the output (chains__each_batch). */
static int chains_out__batch(void *ctx, const struct chain_set *s)
{
	struct chains_out *o = ctx;
	int err = 0;

	switch (o->mode) {
	case OUT_SUMMARY: err = summary__add(o, s); break;
	case OUT_EACH: print_each(o->r, o->sym, s); break;
	case OUT_JSON: print_json(o->r, o->sym, s, o->total); break;
	case OUT_FOLDED: err = folded__chains_add(s, o->r, o->sym, &o->sums); break;
	}
	o->total += s->n;
	return err;
}

static void chains_out__free(struct chains_out *o)
{
	for (size_t i = 0; i < o->ng; i++)
		free(o->g[i].first.hop);
	free(o->g);
	htab__free(&o->idx);
	htab__free(&o->sums);
}

int cmd_chains(int argc, char **argv)
{
	enum { OPT_DEPTH = OPT_FIRST_OWN, OPT_FOLDED, OPT_EACH, OPT_TOP };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ "folded", no_argument, NULL, OPT_FOLDED },
		{ "each", no_argument, NULL, OPT_EACH },
		{ "top", required_argument, NULL, OPT_TOP },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct chains_out o = { 0 };
	struct symbolizer *sym = NULL;
	struct st_reader *r = NULL;
	bool folded = false, each = false;
	unsigned int depth = 4, top = 10;
	int c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS, opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "chains", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		switch (c) {
		case OPT_DEPTH:
			depth = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || depth < 1 || depth > CHAIN_MAX_DEPTH) {
				cli__error("chains", "--depth: '%s' is not 1-%d", optarg, CHAIN_MAX_DEPTH);
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_TOP:
			top = (unsigned int)strtoul(optarg, &end, 10);
			if (*end || !top) {
				cli__error("chains", "--top: '%s' is not a positive number", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_FOLDED: folded = true; break;
		case OPT_EACH: each = true; break;
		default:
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("Usage: %s chains -t TID [OPTIONS] FILE\n"
		       "Multi-hop wakeup chains: for each time the thread blocked, who woke it,\n"
		       "what that waker had been blocked on, who woke it, ... with both stacks at\n"
		       "every hop. Chains of the same shape are summed (heaviest first).\n" ANALYZE_HELP
		       "      --depth N         hops to follow (default 4)\n"
		       "      --each            every chain with its times, not the summary\n"
		       "      --top N           kinds of chains in the summary (default 10)\n"
		       "      --folded          chain-graph input for flamegraph.pl (waker frames _[w])\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "chains", argc, argv);
	if (ret)
		goto out;
	if ((ret = analyze_args__need_threads(&a.f, "chains")))
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	int err = symbolizer__new(r, &a.sym, &sym);
	/* Chains come in batches, so memory does not grow with the wakeups chained. */
	const char *batch = getenv("SCHEDTAPE_CHAINS_BATCH"); /* tests make it small */
	o.r = r;
	o.sym = sym;
	o.mode = a.json ? OUT_JSON : folded ? OUT_FOLDED : each ? OUT_EACH : OUT_SUMMARY;
	if (!err && o.mode == OUT_JSON)
		printf("{\"chains\":[");
	if (!err)
		err = chains__each_batch(r, &a.f, depth, batch ? strtoul(batch, NULL, 10) : 0,
					 chains_out__batch, &o);
	if (!err && o.mode == OUT_JSON) {
		printf("]");
		cli__symbols_hint(a.path, sym, &a.sym, stdout);
		printf("}\n");
	}
	else if (!err && o.mode == OUT_FOLDED)
		err = print_folded(&o);
	else if (!err && o.mode == OUT_SUMMARY)
		print_summary(&o, top);
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	chains_out__free(&o);
	cli__symbols_hint(a.path, sym, &a.sym, NULL);
	symbolizer__free(sym);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
