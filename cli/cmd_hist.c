// SPDX-License-Identifier: MIT
/* schedtape hist: log2 histograms of how long threads spent in a state (like runqlat). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/cgroups.h"
#include "analyze/hist.h"
#include "base/htab.h"
#include "analyze/model.h"
#include "analyze_args.h"
#include "cli.h"

/* G_THREAD.. in the order of enum analyze_by. */
enum group { G_ALL, G_THREAD, G_PROCESS, G_CGROUP, G_CONTAINER };


struct hists {
	struct analyze_args *a;
	const struct st_reader *r;
	struct htab64 group_keys; /* cgroup id + 1 -> its group's key + 1 (G_CONTAINER) */
	enum group group;
	enum wait_part part;
	bool ms; /* -m: slots of milliseconds (runqlat -m) */
	uint64_t unsplit; /* runnable intervals --part could not split */
	struct hist all;
	/* Per group key: the thread index, the pid, the cgroup or its container. */
	struct keyed {
		uint64_t key;
		uint64_t cgroup; /* the group's first */
		uint32_t pid, tid;
		char comm[ST_COMM_LEN];
		struct hist h;
	} *by;
	size_t n, cap;
	struct htab64 index; /* key + 1 -> position in by */
};

/* A thread's group key, as its cgroup is now (cached: a container's needs its path read). */
static uint64_t group_key(struct hists *hs, const struct thread *t)
{
	if (hs->group == G_THREAD)
		return t->index;
	if (hs->group == G_PROCESS)
		return t->pid;
	if (hs->group == G_CGROUP)
		return t->cgroup;
	uint64_t *at = htab64__find(&hs->group_keys, t->cgroup + 1);
	if (at)
		return *at - 1;
	uint64_t key = cgroup__group_key(hs->r, t->cgroup, true);
	htab64__insert(&hs->group_keys, t->cgroup + 1, key + 1);
	return key;
}

static struct hist *hists__slot(struct hists *hs, const struct thread *t)
{
	uint64_t key = group_key(hs, t);

	uint64_t *at = htab64__find(&hs->index, key + 1);
	if (at) {
		if (t->tid == t->pid || hs->group == G_THREAD)
			memcpy(hs->by[*at].comm, t->comm, sizeof(t->comm));
		return &hs->by[*at].h;
	}
	if (htab64__insert(&hs->index, key + 1, hs->n))
		return NULL;
	if (hs->n == hs->cap) {
		size_t cap = hs->cap ? hs->cap * 2 : 64;
		struct keyed *b = realloc(hs->by, cap * sizeof(*b));
		if (!b)
			return NULL;
		hs->by = b;
		hs->cap = cap;
	}
	struct keyed *k = &hs->by[hs->n++];
	memset(k, 0, sizeof(*k));
	k->key = key;
	k->cgroup = t->cgroup;
	k->pid = t->pid;
	k->tid = t->tid;
	memcpy(k->comm, t->comm, sizeof(k->comm));
	return &k->h;
}

static void on_interval(void *ctx, const struct interval *iv)
{
	struct hists *hs = ctx;
	uint64_t len;
	int got = hist__length(&hs->a->f, iv, hs->part, &len);

	if (got < 0)
		hs->unsplit++;
	if (got <= 0)
		return;
	struct hist *h = hs->group == G_ALL ? &hs->all : hists__slot(hs, iv->t);
	if (h)
		hist__add_in(h, len, hs->ms ? 1000000 : 1000);
}

static void print_hist(const struct hist *h, bool ms)
{
	int top = hist__top(h);
	uint64_t max = 0;

	for (int k = 0; k <= top; k++)
		if (h->slots[k] > max)
			max = h->slots[k];
	printf("%24s : %-9s distribution\n", ms ? "msecs" : "usecs", "count");
	for (int k = 0; k <= top; k++) {
		unsigned long long lo = k ? 1ull << k : 0, hi = (1ull << (k + 1)) - 1;
		int stars = max ? (int)(h->slots[k] * 40 / max) : 0;
		printf("%10llu -> %-10llu : %-9llu |", lo, hi, (unsigned long long)h->slots[k]);
		for (int i = 0; i < 40; i++)
			putchar(i < stars ? '*' : ' ');
		printf("|\n");
	}
	if (h->count)
		printf("count %llu, average %.*f %s, max %.*f %s\n", (unsigned long long)h->count,
		       ms ? 3 : 1, (double)h->total_ns / (double)h->count / (ms ? 1e6 : 1e3),
		       ms ? "ms" : "us", ms ? 3 : 1, (double)h->max_ns / (ms ? 1e6 : 1e3),
		       ms ? "ms" : "us");
}

static void json_hist(const struct hist *h, bool ms)
{
	int top = hist__top(h);

	printf("\"count\":%llu,\"total_ns\":%llu,\"max_ns\":%llu,\"buckets\":[",
	       (unsigned long long)h->count, (unsigned long long)h->total_ns,
	       (unsigned long long)h->max_ns);
	for (int k = 0; k <= top; k++)
		printf("%s{\"low_%s\":%llu,\"high_%s\":%llu,\"count\":%llu}", k ? "," : "",
		       ms ? "ms" : "us", k ? 1ull << k : 0ull, ms ? "ms" : "us", (1ull << (k + 1)) - 1, (unsigned long long)h->slots[k]);
	printf("]");
}

int cmd_hist(int argc, char **argv)
{
	enum { OPT_PER_THREAD = OPT_FIRST_OWN, OPT_PER_PROCESS, OPT_PART, OPT_BY };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "part", required_argument, NULL, OPT_PART },
		{ "per-thread", no_argument, NULL, OPT_PER_THREAD },
		{ "per-process", no_argument, NULL, OPT_PER_PROCESS },
		{ "by", required_argument, NULL, OPT_BY },
		{ "milliseconds", no_argument, NULL, 'm' },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct hists hs = { .a = &a };
	struct model *m = NULL;
	struct st_reader *r = NULL;
	const char *picked = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "TPm", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "hist", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c == OPT_PER_THREAD || c == 'T') {
			hs.group = G_THREAD;
			if ((ret = cli__pick("hist", &picked, "--per-thread")))
				goto out;
		} else if (c == OPT_PER_PROCESS || c == 'P') {
			hs.group = G_PROCESS;
			if ((ret = cli__pick("hist", &picked, "--per-process")))
				goto out;
		} else if (c == OPT_BY) {
			enum analyze_by by;
			if ((ret = analyze_args__by("hist", optarg, &by)))
				goto out;
			hs.group = (enum group)(by + 1); /* G_ALL comes first */
			if ((ret = cli__pick("hist", &picked, "--by")))
				goto out;
		} else if (c == 'm') {
			hs.ms = true;
		} else if (c == OPT_PART) {
			if (!strcmp(optarg, "all")) {
				hs.part = WP_ALL;
			} else if (!strcmp(optarg, "latency")) {
				hs.part = WP_LATENCY;
			} else if (!strcmp(optarg, "queue")) {
				hs.part = WP_QUEUE;
			} else {
				cli__error("hist", "--part: 'all', 'latency' or 'queue', not '%s'", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
		} else {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("Usage: %s hist --state STATE [OPTIONS] FILE\n"
		       "Log2 histogram of interval lengths in one state (default runnable:\n"
		       "waking, preemption or new task until on a CPU).\n" ANALYZE_HELP
		       "  -T, --per-thread      one histogram per thread\n"
		       "  -P, --per-process     one histogram per process\n"
		       "      --by WHAT         one histogram per thread, process, cgroup or container\n"
		       "  -m, --milliseconds    slots of milliseconds, not microseconds\n"
		       "      --part PART       of runnable waits: all (default), latency (waking until\n"
		       "                        on a run queue), queue (on a run queue until on a CPU:\n"
		       "                        what runqlat measures, the kernel's run delay)\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "hist", argc, argv);
	if (ret)
		goto out;
	if (!a.f.states)
		a.f.states = 1u << TS_RUNNABLE;
	if (hs.part != WP_ALL && a.f.states != 1u << TS_RUNNABLE) {
		cli__error("hist", "--part splits runnable waits: use it with --state runnable");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	hs.r = r;
	m = analyze_args__model(&a, r, on_interval, &hs);
	if (!m || analyze_args__run(&a, m, r))
		goto out;
	if (a.json) {
		printf("{\"histograms\":[");
		if (hs.group == G_ALL) {
			printf("{");
			json_hist(&hs.all, hs.ms);
			printf("}");
		}
		for (size_t i = 0; i < hs.n; i++) {
			char label[PATH_MAX];
			if (hs.group >= G_CGROUP) {
				printf("%s{\"%s\":", i ? "," : "",
				       hs.group == G_CGROUP ? "cgroup" : "container");
				json__str(stdout, cgroup__group_label(r, hs.by[i].cgroup,
								      hs.group == G_CONTAINER, label,
								      sizeof(label)));
				printf(",");
				json_hist(&hs.by[i].h, hs.ms);
				printf("}");
				continue;
			}
			printf("%s{\"pid\":%u,", i ? "," : "", hs.by[i].pid);
			if (hs.group == G_THREAD)
				printf("\"tid\":%u,", hs.by[i].tid);
			printf("\"comm\":");
			json__str(stdout, hs.by[i].comm);
			printf(",");
			json_hist(&hs.by[i].h, hs.ms);
			printf("}");
		}
		printf("]}\n");
	} else if (hs.group == G_ALL) {
		print_hist(&hs.all, hs.ms);
	} else {
		for (size_t i = 0; i < hs.n; i++) {
			char label[PATH_MAX];
			if (hs.group >= G_CGROUP)
				printf("\n%s = %s\n", hs.group == G_CGROUP ? "cgroup" : "container",
				       tx(cgroup__group_label(r, hs.by[i].cgroup,
							      hs.group == G_CONTAINER, label,
							      sizeof(label))));
			else if (hs.group == G_THREAD)
				printf("\ntid = %u %s (pid %u)\n", hs.by[i].tid, tx(hs.by[i].comm),
				       hs.by[i].pid);
			else
				printf("\npid = %u %s\n", hs.by[i].pid, tx(hs.by[i].comm));
			print_hist(&hs.by[i].h, hs.ms);
		}
	}
	if (hs.part != WP_ALL && hs.unsplit)
		fprintf(stderr, "%s: %s: %llu waits left out: the trace does not split them%s\n",
			prog_name, a.path, (unsigned long long)hs.unsplit,
			model__has_split(m) ? " (their start was not seen)"
					    : " (recorded without run-queue waits)");
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	free(hs.by);
	htab64__free(&hs.index);
	htab64__free(&hs.group_keys);
	model__free(m);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
