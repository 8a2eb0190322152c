// SPDX-License-Identifier: MIT
/* schedtape dump: every event in time order, one line each (like perf script). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/symbols.h"
#include "cli.h"


static void print_stack(struct st_reader *r, struct symbolizer *sym, uint32_t id)
{
	const struct st_stack *s = st_reader__stack(r, id);

	if (id == ST_STACK_LOST) {
		printf("\t[stack not captured]\n");
		return;
	}
	if (!s) {
		if (id != ST_STACK_NONE)
			printf("\t[stack %u missing from the file]\n", id);
		return;
	}
	for (unsigned int i = 0; i < s->nframes; i++)
		printf("\t%16llx %s%s\n", (unsigned long long)s->frames[i].addr,
		       symbolizer__name(sym, s->kind, &s->frames[i]),
		       s->kind == ST_STACK_KERNEL ? " ([kernel])" : "");
	if (s->flags & ST_STACK_TRUNCATED)
		printf("\t[truncated]\n");
}

static void print_event(const struct st_event *e, uint64_t t0)
{
	uint64_t rel = e->ts - t0;

	printf("%6llu.%06llu [%03u] %-10s ", (unsigned long long)(rel / 1000000000ull),
	       (unsigned long long)(rel % 1000000000ull / 1000), e->cpu, st_rec_type_name(e->type));
	switch (e->type) {
	case ST_REC_SWITCH:
		printf("%u/%u %c prio=%u => %u/%u prio=%u", e->sw.prev_pid, e->sw.prev_tid,
		       e->sw.prev_state, e->sw.prev_prio, e->sw.next_pid, e->sw.next_tid,
		       e->sw.next_prio);
		if (e->sw.kstack || e->sw.ustack)
			printf(" kstack=%u ustack=%u", e->sw.kstack, e->sw.ustack);
		if (e->sw.has_queued)
			printf(" queued=%lluns", (unsigned long long)e->sw.next_queued);
		if (e->sw.prev_excluded)
			printf(" steal=%lluns", (unsigned long long)e->sw.prev_excluded);
		if (e->sw.has_charged)
			printf(" charged=%lluns", (unsigned long long)e->sw.prev_charged);
		break;
	case ST_REC_WAKING:
	case ST_REC_WAKEUP_NEW:
		printf("%u/%u wakes %u/%u target_cpu=%u ctx=%s", e->wake.waker_pid,
		       e->wake.waker_tid, e->wake.wakee_pid, e->wake.wakee_tid, e->wake.target_cpu,
		       st_wake_ctx_name(e->wake.ctx));
		if (e->wake.kstack || e->wake.ustack)
			printf(" kstack=%u ustack=%u", e->wake.kstack, e->wake.ustack);
		break;
	case ST_REC_FORK:
		printf("%u/%u forks %u/%u", e->fork.parent_pid, e->fork.parent_tid,
		       e->fork.child_pid, e->fork.child_tid);
		break;
	case ST_REC_EXEC:
		printf("%u/%u comm=%s file=%.*s", e->task.pid, e->task.tid, tx(e->task.comm),
		       (int)e->task.filename_len, e->task.filename);
		break;
	case ST_REC_EXIT:
	case ST_REC_RENAME:
		printf("%u/%u comm=%s", e->task.pid, e->task.tid, tx(e->task.comm));
		break;
	case ST_REC_LOSS:
		printf("%llu events lost until +%llu ns (%s)", (unsigned long long)e->loss.count,
		       (unsigned long long)(e->loss.end_ts - e->ts), st_loss_cause_name(e->loss.cause));
		break;
	}
	putchar('\n');
}

static void print_stacks(struct st_reader *r, struct symbolizer *sym, const struct st_event *e)
{
	if (e->type == ST_REC_SWITCH) {
		print_stack(r, sym, e->sw.kstack);
		print_stack(r, sym, e->sw.ustack);
	} else if (e->type == ST_REC_WAKING) {
		print_stack(r, sym, e->wake.kstack);
		print_stack(r, sym, e->wake.ustack);
	}
}

int cmd_dump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "strict", no_argument, NULL, 's' },
		{ "stacks", no_argument, NULL, 'g' },
		{ "symfs", required_argument, NULL, 'S' },
		{ "local-binaries", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned int flags = 0;
	bool stacks = false;
	struct sym_opts so = { 0 };
	int c;

	while ((c = getopt_long(argc, argv, "sgh", opts, NULL)) != -1) {
		if (c == 's') {
			flags |= ST_READ_STRICT;
		} else if (c == 'g') {
			stacks = true;
		} else if (c == 'S') {
			so.symfs = optarg;
		} else if (c == 'L') {
			so.local_binaries = true;
		} else if (c == 'h') {
			printf("usage: %s dump [-g] [--symfs DIR] [--local-binaries] [--strict] FILE\n"
			       "Every event in time order: seconds from the start, [CPU], type, "
			       "pid/tid.\n"
			       "  -g, --stacks   print the stacks of switches and wakings\n"
			       "  --symfs DIR    look for binaries under DIR\n"
			       "  --local-binaries  read binaries at their recorded paths\n",
			       prog_name);
			return EXIT_OK;
		} else {
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli__error("dump", "expects one trace file");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];
	struct st_reader *r = cli__open_trace(path, flags);
	if (!r)
		return EXIT_FAIL;
	struct st_event_iter *it = NULL;
	struct symbolizer *sym = NULL;
	struct st_event e;
	int err = st_event_iter__new(r, &it), ret = 0;
	if (!err && stacks)
		err = symbolizer__new(r, &so, &sym);
	uint64_t t0 = st_reader__info(r)->first_ts;
	while (!err && (ret = st_event_iter__next(it, &e)) > 0) {
		print_event(&e, t0);
		if (sym)
			print_stacks(r, sym, &e);
	}
	cli__symbols_hint(path, sym, &so);
	symbolizer__free(sym);
	cli__warn_problems(path, r);
	if (err || ret < 0)
		cli__error(path, "%s", st_strerror(err ? err : ret));
	st_event_iter__free(it);
	st_reader__free(r);
	return err || ret < 0 ? EXIT_FAIL : EXIT_OK;
}
