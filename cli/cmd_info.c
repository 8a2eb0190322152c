// SPDX-License-Identifier: MIT
/* schedtape info: what a trace holds. */
#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze/model.h"
#include "base/text.h"
#include "cli.h"

#define NCAUSES 4

struct cpu_loss {
	uint64_t events, windows, ns;
	uint64_t by_cause[NCAUSES];
};

struct totals {
	uint64_t events, by_type[256];
	uint64_t chunks_by_type[ST_CHUNK_TYPE_MAX + 2]; /* last slot: unknown types */
	uint64_t unreadable_chunks;
	struct cpu_loss *loss;
	uint32_t ncpus;
	uint64_t lost_events, loss_windows;
	uint64_t kstacks, ustacks;
	uint64_t anomalies[AN_NKINDS], anomalies_total;
	bool split;
};

/* The model's anomalies, by kind: what `states --anomalies` lists. */
static int totals__model(struct st_reader *r, struct totals *t)
{
	struct model *m;
	int err = model__new(r, interval__ignore, NULL, &m);

	if (err)
		return err;
	err = model__run(m, r);
	for (int k = 0; k < AN_NKINDS; k++)
		t->anomalies[k] = model__anomalies_of(m, k);
	t->anomalies_total = model__anomalies(m);
	t->split = model__has_split(m);
	model__free(m);
	return err;
}

static const uint8_t event_types[] = { ST_REC_SWITCH, ST_REC_WAKING, ST_REC_WAKEUP_NEW,
				       ST_REC_FORK,   ST_REC_EXEC,   ST_REC_EXIT,
				       ST_REC_RENAME, ST_REC_LOSS };

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Count records chunk by chunk: no merge needed, and it reads every chunk once. */
static int totals__collect(struct st_reader *r, struct totals *t)
{
	t->ncpus = st_reader__info(r)->ncpus_seen;
	t->loss = calloc(t->ncpus ? t->ncpus : 1, sizeof(*t->loss));
	if (!t->loss)
		return -ENOMEM;
	for (size_t i = 0; i < st_reader__nchunks(r); i++) {
		const struct st_chunk_info *c = st_reader__chunk(r, i);
		const uint8_t *raw, *body;
		size_t len, blen;
		uint8_t type;

		t->chunks_by_type[c->type <= ST_CHUNK_TYPE_MAX ? c->type : ST_CHUNK_TYPE_MAX + 1]++;
		if (c->type != ST_CHUNK_EVENTS)
			continue;
		if (st_reader__load(r, i, &raw, &len)) {
			t->unreadable_chunks++;
			continue;
		}
		struct st_rec_iter it = { raw, len };
		struct st_decode_state ds;
		st_decode_state__init(&ds, c->first_ts, c->cpu, st_reader__info(r)->incompat);
		uint32_t records = 0;
		while (st_rec_iter__next(&it, &type, &body, &blen) > 0) {
			struct st_event e;
			records++;
			if (st_decode_event_padded(type, body, blen, &ds, &e))
				continue;
			t->events++;
			t->by_type[e.type]++;
			if (type != ST_REC_LOSS)
				continue;
			struct cpu_loss *l = &t->loss[c->cpu];
			/* Sums that saturate: a file may claim any count. */
			l->events = sat_add(l->events, e.loss.count);
			l->windows++;
			l->ns = sat_add(l->ns, e.loss.end_ts - e.ts);
			l->by_cause[e.loss.cause < NCAUSES ? e.loss.cause : 0] += e.loss.count;
			t->lost_events = sat_add(t->lost_events, e.loss.count);
			t->loss_windows++;
		}
		int err = st_reader__chunk_done(r, i, records, ds.prev_ts);
		if (err)
			return err;
	}
	for (size_t i = 0; i < st_reader__nstacks(r); i++) {
		if (st_reader__stack_at(r, i)->kind == ST_STACK_KERNEL)
			t->kstacks++;
		else
			t->ustacks++;
	}
	return 0;
}

/* Wall-clock time of trace timestamp @ts, if the trace says how. */
static bool wall_time(struct st_reader *r, uint64_t ts, char *out, size_t n)
{
	const char *off = st_reader__meta(r, "clock_offset_ns");
	char *end;

	if (!off)
		return false;
	errno = 0;
	long long o = strtoll(off, &end, 10), wall;
	if (*end || end == off || errno || ts > INT64_MAX ||
	    __builtin_add_overflow((long long)ts, o, &wall) || wall < 0)
		return false;
	time_t sec = (time_t)(wall / 1000000000LL);
	struct tm tm;
	/* A clock that says 1970 or the far future is a broken (or hostile) file. */
	if (!gmtime_r(&sec, &tm) || tm.tm_year < 71 || tm.tm_year > 8000)
		return false;
	strftime(out, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return true;
}

static const char *meta_or(struct st_reader *r, const char *key, const char *dflt)
{
	const char *v = st_reader__meta(r, key);
	return v ? tx(v) : dflt;
}

/* A flight recorder's dump: why it was written and, for a trigger, which wait fired it. */
static void print_dump(struct st_reader *r)
{
	const char *reason = st_reader__meta(r, "dump_reason");
	const char *ring = st_reader__meta(r, "ring");
	uint64_t start = 0, ts = 0, ns = 0;
	char *end;

	if (!reason)
		return;
	printf("dump:       %s", tx(reason));
	if (ring)
		printf(" (flight recorder, --ring %s)", tx(ring));
	printf("\n");
	const char *spec = st_reader__meta(r, "trigger");
	if (!spec)
		return;
	const char *v = st_reader__meta(r, "start_ts");
	if (v)
		start = strtoull(v, &end, 10);
	if ((v = st_reader__meta(r, "trigger_ts")))
		ts = strtoull(v, &end, 10);
	if ((v = st_reader__meta(r, "trigger_wait_ns")))
		ns = strtoull(v, &end, 10);
	printf("trigger:    %s: %s (pid %s, tid %s) %s %.3f ms, ended %.6f s into this trace\n",
	       tx(spec), meta_or(r, "trigger_comm", "?"), meta_or(r, "trigger_pid", "?"),
	       meta_or(r, "trigger_tid", "?"), meta_or(r, "trigger_kind", "?"), (double)ns / 1e6,
	       ts >= start ? (double)(ts - start) / 1e9 : 0.0);
}

static void print_text(const char *path, struct st_reader *r, const struct totals *t)
{
	const struct st_file_info *fi = st_reader__info(r);
	char when[64];
	double span = fi->last_ts > fi->first_ts ? (double)(fi->last_ts - fi->first_ts) / 1e9 : 0;

	printf("file:       %s, %s, %s\n", path, fmt__bytes(fi->file_size),
	       fi->finalized ? "finalized" : "NOT finalized (recording did not end cleanly)");
	if (fi->truncated_at)
		printf("truncated:  at offset %llu; %llu bytes of an incomplete chunk ignored\n",
		       (unsigned long long)fi->truncated_at,
		       (unsigned long long)(fi->file_size - fi->truncated_at));
	printf("format:     %u.%u, features compat %#llx incompat %#llx\n", fi->major, fi->minor,
	       (unsigned long long)fi->compat, (unsigned long long)fi->incompat);
	printf("host:       %s, kernel %s, %s, %s CPUs\n", meta_or(r, "host", "?"),
	       meta_or(r, "kernel", "?"), meta_or(r, "machine", "?"), meta_or(r, "ncpus", "?"));
	if (st_reader__meta(r, "cmdline"))
		printf("command:    %s\n", tx(st_reader__meta(r, "cmdline")));
	print_dump(r);
	if (!t->events)
		printf("started:    (no events)\n");
	else if (wall_time(r, fi->first_ts, when, sizeof(when)))
		printf("started:    %s\n", when);
	else if (st_reader__meta(r, "clock_offset_ns"))
		printf("started:    unknown (the clock offset %s is not a plausible date)\n",
		       tx(st_reader__meta(r, "clock_offset_ns")));
	printf("span:       %.6f s (clock %s, %llu .. %llu ns)\n", span,
	       meta_or(r, "clock", "?"), (unsigned long long)fi->first_ts,
	       (unsigned long long)fi->last_ts);
	const char *sep = " (";
	printf("chunks:     %s", fmt__count(st_reader__nchunks(r)));
	for (int k = 1; k <= ST_CHUNK_TYPE_MAX + 1; k++)
		if (t->chunks_by_type[k])
			printf("%s%s %s", sep, fmt__count(t->chunks_by_type[k]),
			       k <= ST_CHUNK_TYPE_MAX ? st_chunk_type_name((uint16_t)k) : "unknown"),
				sep = ", ";
	printf("%s\n", sep[0] == ',' ? ")" : "");
	printf("events:     %s", fmt__count(t->events - t->by_type[ST_REC_LOSS]));
	sep = " (";
	for (size_t k = 0; k < sizeof(event_types); k++) {
		if (event_types[k] == ST_REC_LOSS || !t->by_type[event_types[k]])
			continue;
		printf("%s%s %s", sep, st_rec_type_name(event_types[k]),
		       fmt__count(t->by_type[event_types[k]]));
		sep = ", ";
	}
	printf("%s\n", sep[0] == ',' ? ")" : "");
	if (!t->lost_events) {
		printf("losses:     none\n");
	} else {
		printf("losses:     %s events in %s windows\n", fmt__count(t->lost_events),
		       fmt__count(t->loss_windows));
		for (uint32_t c = 0; c < t->ncpus; c++) {
			const struct cpu_loss *l = &t->loss[c];
			if (!l->events)
				continue;
			printf("  cpu %-4u %s events in %s windows covering %.6f s (", c,
			       fmt__count(l->events), fmt__count(l->windows), (double)l->ns / 1e9);
			sep = "";
			for (int k = 0; k < NCAUSES; k++)
				if (l->by_cause[k]) {
					printf("%s%s %s", sep,
					       k ? st_loss_cause_name((uint8_t)k) : "unknown cause",
					       fmt__count(l->by_cause[k]));
					sep = ", ";
				}
			printf(")\n");
		}
	}
	if (t->unreadable_chunks)
		printf("unreadable: %s event chunks (see warnings)\n", fmt__count(t->unreadable_chunks));
	printf("model:      runnable %s; ", t->split ? "split into wakeup latency and queue wait"
						     : "not split (no run-queue waits recorded)");
	if (!t->anomalies_total) {
		printf("no anomalies\n");
	} else {
		printf("%s events did not fit (", fmt__count(t->anomalies_total));
		sep = "";
		for (int k = 0; k < AN_NKINDS; k++)
			if (t->anomalies[k]) {
				printf("%s%s %s", sep, anomaly_name((uint8_t)k), fmt__count(t->anomalies[k]));
				sep = ", ";
			}
		printf("; states --anomalies lists them)\n");
	}
	printf("tables:     %s stacks (%s kernel, %s user), %s tasks, %s maps, %s kernel symbols, "
	       "%s user symbols, %s cgroups\n",
	       fmt__count(t->kstacks + t->ustacks), fmt__count(t->kstacks), fmt__count(t->ustacks),
	       fmt__count(st_reader__ntasks(r)), fmt__count(st_reader__nmaps(r)),
	       fmt__count(st_reader__nksyms(r)), fmt__count(st_reader__nusyms(r)),
	       fmt__count(st_reader__ncgroups(r)));
	uint64_t ev = t->events ? t->events : 1;
	printf("size:       %s raw, %s on disk, ratio %.1fx, %.2f bytes/event on disk\n",
	       fmt__bytes(fi->raw_bytes), fmt__bytes(fi->file_size),
	       fi->file_size ? (double)fi->raw_bytes / (double)fi->file_size : 0,
	       (double)fi->file_size / (double)ev);
	if (st_reader__nstats(r)) {
		printf("recorder:  ");
		for (size_t i = 0; i < st_reader__nstats(r); i++) {
			const char *k;
			uint64_t v;
			st_reader__stat_at(r, i, &k, &v);
			printf(" %s=%llu", tx(k), (unsigned long long)v);
		}
		printf("\n");
	}
}

static void print_json(const char *path, struct st_reader *r, const struct totals *t)
{
	const struct st_file_info *fi = st_reader__info(r);
	size_t nprob;
	const struct st_problem *prob = st_reader__problems(r, &nprob);

	printf("{\"file\":");
	json__str(stdout, path);
	printf(",\"size\":%llu,\"finalized\":%s,\"truncated_at\":%llu", (unsigned long long)fi->file_size,
	       fi->finalized ? "true" : "false", (unsigned long long)fi->truncated_at);
	printf(",\"version\":\"%u.%u\",\"compat\":%llu,\"incompat\":%llu", fi->major, fi->minor,
	       (unsigned long long)fi->compat, (unsigned long long)fi->incompat);
	printf(",\"meta\":{");
	for (size_t i = 0; i < st_reader__nmeta(r); i++) {
		const char *k, *v;
		st_reader__meta_at(r, i, &k, &v);
		printf("%s", i ? "," : "");
		json__str(stdout, k);
		putchar(':');
		json__str(stdout, v);
	}
	printf("},\"first_ts\":%llu,\"last_ts\":%llu,\"chunks\":%zu", (unsigned long long)fi->first_ts,
	       (unsigned long long)fi->last_ts, st_reader__nchunks(r));
	printf(",\"events\":%llu,\"events_by_type\":{",
	       (unsigned long long)(t->events - t->by_type[ST_REC_LOSS]));
	const char *sep = "";
	for (size_t k = 0; k < sizeof(event_types); k++) {
		if (event_types[k] == ST_REC_LOSS)
			continue;
		printf("%s\"%s\":%llu", sep, st_rec_type_name(event_types[k]),
		       (unsigned long long)t->by_type[event_types[k]]);
		sep = ",";
	}
	printf("},\"lost_events\":%llu,\"losses\":[", (unsigned long long)t->lost_events);
	sep = "";
	for (uint32_t c = 0; c < t->ncpus; c++) {
		const struct cpu_loss *l = &t->loss[c];
		if (!l->windows)
			continue;
		printf("%s{\"cpu\":%u,\"events\":%llu,\"windows\":%llu,\"ns\":%llu}", sep, c,
		       (unsigned long long)l->events, (unsigned long long)l->windows,
		       (unsigned long long)l->ns);
		sep = ",";
	}
	printf("],\"stacks\":{\"kernel\":%llu,\"user\":%llu},\"tasks\":%zu,\"maps\":%zu",
	       (unsigned long long)t->kstacks, (unsigned long long)t->ustacks, st_reader__ntasks(r),
	       st_reader__nmaps(r));
	printf(",\"ksyms\":%zu,\"usyms\":%zu,\"cgroups\":%zu,\"raw_bytes\":%llu,\"unreadable_chunks\":%llu",
	       st_reader__nksyms(r), st_reader__nusyms(r), st_reader__ncgroups(r), (unsigned long long)fi->raw_bytes,
	       (unsigned long long)t->unreadable_chunks);
	printf(",\"runnable_split\":%s,\"anomalies\":%llu,\"anomalies_by_kind\":{",
	       t->split ? "true" : "false", (unsigned long long)t->anomalies_total);
	for (int k = 0; k < AN_NKINDS; k++)
		printf("%s\"%s\":%llu", k ? "," : "", anomaly_name((uint8_t)k),
		       (unsigned long long)t->anomalies[k]);
	printf("}");
	printf(",\"stats\":{");
	for (size_t i = 0; i < st_reader__nstats(r); i++) {
		const char *k;
		uint64_t v;
		st_reader__stat_at(r, i, &k, &v);
		printf("%s", i ? "," : "");
		json__str(stdout, k);
		printf(":%llu", (unsigned long long)v);
	}
	printf("},\"problems\":[");
	for (size_t i = 0; i < nprob; i++) {
		printf("%s{\"offset\":%llu,\"error\":", i ? "," : "",
		       (unsigned long long)prob[i].offset);
		json__str(stdout, st_strerror(prob[i].err));
		printf(",\"detail\":");
		json__str(stdout, prob[i].detail);
		printf("}");
	}
	printf("]}\n");
}

static void print_maps(struct st_reader *r)
{
	printf("%6s %7s %-40s %s\n", "MAP", "PID", "BUILD-ID", "PATH");
	for (size_t i = 0; i < st_reader__nmaps(r); i++) {
		const struct st_map *m = st_reader__map_at(r, i);
		char hex[2 * ST_MAX_BUILD_ID + 1] = "-";
		if (m->build_id_len)
			text__hex(hex, m->build_id, m->build_id_len);
		printf("%6u %7u %-40s %s\n", m->id, m->pid, hex, tx(m->path));
	}
}

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ "maps", no_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false, maps = false;
	unsigned int flags = 0;
	int c;

	while ((c = getopt_long(argc, argv, "jsmh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			maps = true;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			flags |= ST_READ_STRICT;
			break;
		case 'h':
			printf("Usage: %s info [--json] [--maps] [--strict] FILE\n"
			       "  --json     one JSON object\n"
			       "  --maps     the mapped files user frames refer to, with build-ids\n"
			       "  --strict   fail on the first problem instead of skipping it\n",
			       prog_name);
			return EXIT_OK;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		cli__error("info", "expects one trace file");
		return EXIT_USAGE;
	}
	const char *path = argv[optind];
	struct st_reader *r = cli__open_trace(path, flags);
	if (!r)
		return EXIT_FAIL;
	struct totals t = { 0 };
	int err = totals__collect(r, &t);
	if (!err && !maps)
		err = totals__model(r, &t);
	if (err) {
		cli__error(path, "%s", st_strerror(err));
	} else if (maps) {
		print_maps(r);
	} else if (json) {
		print_json(path, r, &t);
	} else {
		print_text(path, r, &t);
	}
	free(t.loss);
	cli__warn_problems(path, r);
	st_reader__free(r);
	return err ? EXIT_FAIL : EXIT_OK;
}
