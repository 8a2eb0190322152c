// SPDX-License-Identifier: MIT
/* schedtape dump: every event in time order, one line each (like perf script), or JSON. */
#include <stdlib.h>
#include <string.h>

#include "analyze/folded.h"
#include "analyze/model.h"
#include "analyze/symbols.h"
#include "analyze_args.h"
#include "cli.h"

struct dump {
	struct analyze_args *a;
	struct st_reader *r;
	struct model *m;	/* for the threads' names at each event, and the filters */
	struct symbolizer *sym; /* with -g */
	bool trim;		/* leave out the tracer's own frames */
	uint64_t t0, n;
};

/* The name a thread had at this point of the trace ("?" for threads not modelled: the recorder). */
static const char *comm_of(struct dump *d, uint32_t tid)
{
	const struct thread *t = tid ? model__find(d->m, tid) : NULL;

	return t ? t->comm : tid ? "?" : "swapper";
}

/* With thread filters, an event is shown if any thread it names passes them. */
static bool names_one(struct dump *d, uint32_t tid)
{
	const struct thread *t = tid ? model__find(d->m, tid) : NULL;

	return t && filter__thread(&d->a->f, t);
}

static bool wanted(struct dump *d, const struct st_event *e)
{
	const struct filter *f = &d->a->f;

	if (e->ts < f->begin || e->ts >= f->end)
		return false;
	if (!f->npids && !f->ntids && !f->has_comm)
		return true;
	switch (e->type) {
	case ST_REC_SWITCH: return names_one(d, e->sw.prev_tid) || names_one(d, e->sw.next_tid);
	case ST_REC_WAKING:
	case ST_REC_WAKEUP_NEW:
		return names_one(d, e->wake.waker_tid) || names_one(d, e->wake.wakee_tid);
	case ST_REC_FORK: return names_one(d, e->fork.parent_tid) || names_one(d, e->fork.child_tid);
	case ST_REC_EXEC:
	case ST_REC_EXIT:
	case ST_REC_RENAME: return names_one(d, e->task.tid);
	}
	return false; /* losses belong to CPUs */
}

/* Frame @i of @s as "name (binary)" for user frames, "name ([kernel])" for kernel ones. */
static const char *frame_binary(struct dump *d, const struct st_stack *s, unsigned int i)
{
	if (s->kind == ST_STACK_KERNEL)
		return "[kernel]";
	const struct st_map *m = st_reader__map(d->r, s->frames[i].map);
	return m && m->path && m->path[0] ? m->path : "[unknown]";
}

/* The first frame shown: past the tracer's own (BPF programs, trampolines), unless --no-trim. */
static unsigned int first_frame(struct dump *d, const struct st_stack *s)
{
	unsigned int k = 0;

	if (d->trim && s->kind == ST_STACK_KERNEL)
		while (k < s->nframes &&
		       folded__tracer_frame(symbolizer__name(d->sym, s->kind, &s->frames[k])))
			k++;
	return k;
}

static void print_stack(struct dump *d, uint32_t id)
{
	const struct st_stack *s = st_reader__stack(d->r, id);

	if (id == ST_STACK_LOST) {
		printf("\t[stack not captured]\n");
		return;
	}
	if (!s) {
		if (id != ST_STACK_NONE)
			printf("\t[stack %u missing from the file]\n", id);
		return;
	}
	for (unsigned int i = first_frame(d, s); i < s->nframes; i++)
		printf("\t%16llx %s (%s)\n", (unsigned long long)s->frames[i].addr,
		       symbolizer__name(d->sym, s->kind, &s->frames[i]), tx(frame_binary(d, s, i)));
	if (s->flags & ST_STACK_TRUNCATED)
		printf("\t[truncated]\n");
}

static void json_stack(struct dump *d, const char *key, uint32_t id)
{
	const struct st_stack *s = st_reader__stack(d->r, id);

	if (id == ST_STACK_NONE)
		return;
	printf(",\"%s\":", key);
	if (!s) {
		printf("null");
		return;
	}
	printf("[");
	for (unsigned int i = first_frame(d, s), n = 0; i < s->nframes; i++, n++) {
		printf("%s{\"addr\":%llu,\"name\":", n ? "," : "", (unsigned long long)s->frames[i].addr);
		json__str(stdout, symbolizer__name(d->sym, s->kind, &s->frames[i]));
		printf(",\"binary\":");
		json__str(stdout, frame_binary(d, s, i));
		printf("}");
	}
	printf("]");
}

/* An EXEC's file name: it points into the chunk, @filename_len bytes, not terminated. */
static const char *filename(const struct st_event *e)
{
	static char b[4096];
	size_t n = e->task.filename && e->task.filename_len < sizeof(b) ? e->task.filename_len : 0;

	if (e->task.filename && e->task.filename_len >= sizeof(b))
		n = sizeof(b) - 1;
	memcpy(b, e->task.filename ? e->task.filename : "", n);
	b[n] = 0;
	return b;
}

static void print_text(struct dump *d, const struct st_event *e)
{
	uint64_t rel = e->ts > d->t0 ? e->ts - d->t0 : 0;

	printf("%6llu.%06llu [%03u] %-10s ", (unsigned long long)(rel / 1000000000ull),
	       (unsigned long long)(rel % 1000000000ull / 1000), e->cpu, st_rec_type_name(e->type));
	switch (e->type) {
	case ST_REC_SWITCH:
		printf("%s %u/%u %c prio=%u => %s %u/%u prio=%u", tx(comm_of(d, e->sw.prev_tid)),
		       e->sw.prev_pid, e->sw.prev_tid, e->sw.prev_state, e->sw.prev_prio,
		       tx(comm_of(d, e->sw.next_tid)), e->sw.next_pid, e->sw.next_tid,
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
		printf("%s %u/%u wakes %s %u/%u target_cpu=%u ctx=%s",
		       tx(comm_of(d, e->wake.waker_tid)), e->wake.waker_pid, e->wake.waker_tid,
		       tx(comm_of(d, e->wake.wakee_tid)), e->wake.wakee_pid, e->wake.wakee_tid,
		       e->wake.target_cpu, st_wake_ctx_name(e->wake.ctx));
		if (e->wake.kstack || e->wake.ustack)
			printf(" kstack=%u ustack=%u", e->wake.kstack, e->wake.ustack);
		break;
	case ST_REC_FORK:
		printf("%s %u/%u forks %u/%u", tx(comm_of(d, e->fork.parent_tid)), e->fork.parent_pid,
		       e->fork.parent_tid, e->fork.child_pid, e->fork.child_tid);
		break;
	case ST_REC_EXEC:
		printf("%u/%u comm=%s file=%s", e->task.pid, e->task.tid, tx(e->task.comm),
		       tx(filename(e)));
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
	if (!d->sym)
		return;
	if (e->type == ST_REC_SWITCH) {
		print_stack(d, e->sw.kstack);
		print_stack(d, e->sw.ustack);
	} else if (e->type == ST_REC_WAKING) {
		print_stack(d, e->wake.kstack);
		print_stack(d, e->wake.ustack);
	}
}

static void json_thread(struct dump *d, const char *role, uint32_t pid, uint32_t tid)
{
	printf(",\"%s_pid\":%u,\"%s_tid\":%u,\"%s_comm\":", role, pid, role, tid, role);
	json__str(stdout, comm_of(d, tid));
}

static void print_json(struct dump *d, const struct st_event *e)
{
	printf("%s{\"ts_ns\":%llu,\"cpu\":%u,\"type\":\"%s\"", d->n ? "," : "",
	       (unsigned long long)(e->ts > d->t0 ? e->ts - d->t0 : 0), e->cpu,
	       st_rec_type_name(e->type));
	switch (e->type) {
	case ST_REC_SWITCH:
		json_thread(d, "prev", e->sw.prev_pid, e->sw.prev_tid);
		printf(",\"prev_state\":");
		json__str(stdout, (char[]){ e->sw.prev_state, 0 });
		printf(",\"prev_prio\":%u", e->sw.prev_prio);
		json_thread(d, "next", e->sw.next_pid, e->sw.next_tid);
		printf(",\"next_prio\":%u", e->sw.next_prio);
		if (e->sw.has_queued)
			printf(",\"next_queued_ns\":%llu", (unsigned long long)e->sw.next_queued);
		if (e->sw.has_charged)
			printf(",\"prev_charged_ns\":%llu", (unsigned long long)e->sw.prev_charged);
		if (e->sw.prev_excluded)
			printf(",\"prev_steal_ns\":%llu", (unsigned long long)e->sw.prev_excluded);
		if (d->sym) {
			json_stack(d, "kernel_stack", e->sw.kstack);
			json_stack(d, "user_stack", e->sw.ustack);
		}
		break;
	case ST_REC_WAKING:
	case ST_REC_WAKEUP_NEW:
		json_thread(d, "waker", e->wake.waker_pid, e->wake.waker_tid);
		json_thread(d, "wakee", e->wake.wakee_pid, e->wake.wakee_tid);
		printf(",\"target_cpu\":%u,\"context\":\"%s\"", e->wake.target_cpu,
		       st_wake_ctx_name(e->wake.ctx));
		if (d->sym && e->type == ST_REC_WAKING) {
			json_stack(d, "kernel_stack", e->wake.kstack);
			json_stack(d, "user_stack", e->wake.ustack);
		}
		break;
	case ST_REC_FORK:
		json_thread(d, "parent", e->fork.parent_pid, e->fork.parent_tid);
		printf(",\"child_pid\":%u,\"child_tid\":%u", e->fork.child_pid, e->fork.child_tid);
		break;
	case ST_REC_EXEC:
	case ST_REC_EXIT:
	case ST_REC_RENAME:
		printf(",\"pid\":%u,\"tid\":%u,\"comm\":", e->task.pid, e->task.tid);
		json__str(stdout, e->task.comm);
		if (e->type == ST_REC_EXEC) {
			printf(",\"filename\":");
			json__str(stdout, filename(e));
		}
		break;
	case ST_REC_LOSS:
		printf(",\"lost\":%llu,\"end_ns\":%llu,\"cause\":\"%s\"",
		       (unsigned long long)e->loss.count,
		       (unsigned long long)(e->loss.end_ts > d->t0 ? e->loss.end_ts - d->t0 : 0),
		       st_loss_cause_name(e->loss.cause));
		break;
	}
	printf("}");
}

/* After the model has the event: the names it gives are known (a fork's child, a rename). */
static void on_event(void *ctx, const struct st_event *e)
{
	struct dump *d = ctx;

	if (!wanted(d, e))
		return;
	if (d->a->json)
		print_json(d, e);
	else
		print_text(d, e);
	d->n++;
}

static void usage(void)
{
	printf("Usage: %s dump [OPTIONS] FILE\n"
	       "Every event in time order: seconds from the start of the trace, [CPU], type,\n"
	       "and the threads it names as comm pid/tid (like perf script).\n"
	       "  -p, --pid PID[,PID]   only events naming these processes\n"
	       "  -t, --tid TID[,TID]   only events naming these threads\n"
	       "  -c, --comm REGEX      only events naming a thread whose name matches\n"
	       "      --begin S, --end S  only events in this window (seconds from the start)\n"
	       "  -g, --stacks          the stacks of switches and wakings: frame (binary)\n"
	       "      --no-trim         keep the tracer's own frames (BPF programs)\n"
	       "      --symfs DIR       look for binaries under DIR (user frames)\n"
	       "      --local-binaries  read binaries at the paths the trace recorded\n" SYMBOL_OPTS_HELP
	       "      --strict          fail on the first problem in the file\n"
	       "      --json            {\"events\":[...]}, one object per event\n",
	       prog_name);
}

int cmd_dump(int argc, char **argv)
{
	enum { OPT_NO_TRIM = OPT_FIRST_OWN };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "stacks", no_argument, NULL, 'g' },
		{ "no-trim", no_argument, NULL, OPT_NO_TRIM },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct dump d = { .a = &a, .trim = true };
	bool stacks = false;
	int c, ret, err = 0;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "g", opts, NULL)) != -1) {
		if ((ret = analyze_args__events_only("dump", c)))
			goto out;
		ret = analyze_args__opt(&a, "dump", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c == 'g') {
			stacks = true;
		} else if (c == OPT_NO_TRIM) {
			d.trim = false;
		} else {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		usage();
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "dump", argc, argv);
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	d.r = analyze_args__open(&a);
	if (!d.r)
		goto out;
	a.f.untraced = true; /* dump shows every thread it is asked about */
	d.m = analyze_args__model(&a, d.r, interval__ignore, NULL);
	if (!d.m)
		goto out;
	d.t0 = model__start(d.m);
	if (stacks)
		err = symbolizer__new(d.r, &a.sym, &d.sym);
	if (a.json)
		printf("{\"events\":[");
	if (!err)
		err = model__run_each(d.m, d.r, on_event, true, &d);
	if (a.json)
		printf("],\"count\":%llu", (unsigned long long)d.n);
	cli__symbols_hint(a.path, d.sym, &a.sym, a.json ? stdout : NULL);
	if (a.json)
		printf("}\n");
	cli__warn_problems(a.path, d.r);
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	ret = EXIT_OK;
out:
	symbolizer__free(d.sym);
	model__free(d.m);
	st_reader__free(d.r);
	analyze_args__free(&a);
	return ret;
}
