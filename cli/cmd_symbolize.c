// SPDX-License-Identifier: MIT
/*
 * schedtape symbolize: a copy of a trace whose user frames carry their names
 * (USYM records) from this machine's binaries and debug files, so that it
 * needs nothing but itself wherever it is read next.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze_args.h"
#include "base/htab.h"
#include "cli.h"

#define USYM_CHUNK_BYTES (1u << 20)

struct embed {
	struct st_writer *w;
	struct st_chunk c;
	struct htab done; /* (map, start) already written */
	uint64_t added;
	int err;
};

static void embed__flush(struct embed *e)
{
	if (e->c.count && !e->err)
		e->err = st_writer__add(e->w, &e->c);
	st_chunk__reset(&e->c);
}

static void embed__stack(struct embed *e, const struct st_reader *r, struct symbolizer *sym,
			 const struct st_stack *st)
{
	for (unsigned int k = 0; k < st->nframes && !e->err; k++) {
		const struct st_frame *f = &st->frames[k];
		uint64_t off = f->addr ? f->addr - 1 : 0, start, size;
		if (!f->map || st_reader__usym(r, f->map, off))
			continue;
		const char *name = symbolizer__local_function(sym, f->map, off, &start, &size);
		uint64_t key[2] = { f->map, name ? start : 0 };
		if (!name || htab__find(&e->done, key, sizeof(key)))
			continue;
		if (htab__insert(&e->done, key, sizeof(key), 1)) {
			e->err = -ENOMEM;
			return;
		}
		struct st_sym s = { .map = f->map, .addr = start, .size = size, .name = name };
		st_chunk__add_sym(&e->c, &s);
		e->added++;
		if (e->c.buf.len >= USYM_CHUNK_BYTES)
			embed__flush(e);
	}
}

/* Every chunk as it was (but the index, written anew), then the new names. */
static int copy_with_names(struct st_reader *r, struct symbolizer *sym, int fd, uint64_t *added,
			   size_t *skipped)
{
	struct embed e = { .w = st_writer__new(fd, 3) };

	if (!e.w)
		return -errno;
	st_chunk__init(&e.c, ST_CHUNK_USYMS, ST_CPU_NONE);
	for (size_t i = 0; i < st_reader__nchunks(r) && !e.err; i++) {
		const struct st_chunk_info *ci = st_reader__chunk(r, i);
		const uint8_t *raw;
		size_t len;
		if (ci->type == ST_CHUNK_INDEX)
			continue;
		if (st_reader__load(r, i, &raw, &len)) {
			(*skipped)++;
			continue;
		}
		/* A view of the stored records: the writer only reads them. */
		struct st_chunk view = { .type = ci->type, .cpu = ci->cpu, .count = ci->count,
					 .first_ts = ci->first_ts, .last_ts = ci->last_ts,
					 .buf = { .data = (uint8_t *)raw, .len = len, .cap = len } };
		e.err = st_writer__add(e.w, &view);
	}
	for (size_t i = 0; i < st_reader__nstacks(r) && !e.err; i++) {
		const struct st_stack *st = st_reader__stack_at(r, i);
		if (st->kind == ST_STACK_USER)
			embed__stack(&e, r, sym, st);
	}
	embed__flush(&e);
	if (!e.err)
		e.err = st_writer__finish(e.w);
	*added = e.added;
	st_chunk__free(&e.c);
	htab__free(&e.done);
	st_writer__free(e.w);
	return e.err;
}

int cmd_symbolize(int argc, char **argv)
{
	enum { OPT_OUTPUT = OPT_FIRST_OWN };
	static const struct option opts[] = { ANALYZE_LONG_OPTS,
					      { "output", required_argument, NULL, 'o' },
					      { "force", no_argument, NULL, 'f' },
					      { 0 } };
	struct analyze_args a = { 0 };
	struct symbolizer *sym = NULL;
	struct st_reader *r = NULL;
	const char *out = NULL;
	bool force = false;
	int c, ret, fd = -1;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "o:f", opts, NULL)) != -1) {
		if (c == 'o') {
			out = optarg;
			continue;
		}
		if (c == 'f') {
			force = true;
			continue;
		}
		ret = analyze_args__opt(&a, "symbolize", c, optarg);
		if (ret == 1)
			continue;
		if (!ret)
			ret = EXIT_USAGE;
		goto out;
	}
	if (a.help) {
		printf("Usage: %s symbolize [OPTIONS] FILE -o OUT\n"
		       "Write OUT, a copy of the trace FILE with the names of its user frames\n"
		       "embedded, from this machine's binaries and debug files: OUT then names\n"
		       "them anywhere, as if recorded with --symbols=embed.\n"
		       "  -o, --output OUT      the copy (never FILE itself)\n"
		       "  -f, --force           overwrite OUT\n"
		       SYMBOL_SEARCH_HELP,
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	if ((ret = analyze_args__file(&a, "symbolize", argc, argv)))
		goto out;
	if (!out) {
		cli__error("symbolize", "-o OUT is required");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_FAIL;
	if (!(r = analyze_args__open(&a)))
		goto out;
	fd = open(out, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | (force ? O_TRUNC : O_EXCL), 0644);
	if (fd < 0) {
		cli__error(out, "cannot create: %s%s", strerror(errno),
			   errno == EEXIST ? " (-f overwrites it)" : "");
		goto out;
	}
	uint64_t added = 0;
	size_t skipped = 0;
	int err = symbolizer__new(r, &a.sym, &sym);
	if (!err)
		err = copy_with_names(r, sym, fd, &added, &skipped);
	if (!err && fsync(fd) && errno != EINVAL)
		err = -errno;
	if (err) {
		struct stat st;
		cli__error(out, "%s", st_strerror(err));
		/* Only a half-written file of ours goes: never a device or a pipe. */
		if (!fstat(fd, &st) && S_ISREG(st.st_mode))
			unlink(out);
		goto out;
	}
	cli__warn_problems(a.path, r);
	fprintf(stderr, "%s: %s: %llu user symbols embedded%s\n", prog_name, out,
		(unsigned long long)added, skipped ? " (unreadable chunks of the input left out)" : "");
	cli__symbols_hint(a.path, sym, &a.sym, NULL);
	ret = EXIT_OK;
out:
	if (fd >= 0)
		close(fd);
	symbolizer__free(sym);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
