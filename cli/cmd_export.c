// SPDX-License-Identifier: MIT
/*
 * schedtape export: options, then a writer from export/. --perfetto writes
 * Perfetto's native protobuf (export/perfetto.c); --format json the legacy
 * Chrome trace-event JSON (export/chrome_json.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/model.h"
#include "analyze/symbols.h"
#include "analyze_args.h"
#include "cli.h"
#include "export/chrome_json.h"
#include "export/perfetto.h"
#include "export/sql.h"

static void progress(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	fprintf(stderr, "\rexport: %3u%% of %llu events", total ? (unsigned)(done * 100 / total) : 100,
		(unsigned long long)total);
	if (done >= total)
		fputc('\n', stderr);
}

/* The legacy JSON: slices the model's intervals make. */
static int export_json(struct analyze_args *a, struct st_reader *r, FILE *f)
{
	struct chrome_json *x = NULL;
	struct model *m = NULL;
	int err = chrome_json__new(f, &a->f, &x);

	if (err)
		return err;
	m = analyze_args__model(a, r, chrome_json__interval, x);
	if (!m) {
		chrome_json__free(x);
		return -EAGAIN; /* printed */
	}
	chrome_json__begin(x, model__start(m));
	err = model__run(m, r);
	if (!err)
		err = st_reader__each_loss(r, chrome_json__loss, x);
	if (!err)
		chrome_json__end(x, m);
	model__free(m);
	chrome_json__free(x);
	return err;
}

/* The protobuf: the whole trace, streamed through the model. */
static int export_perfetto(struct analyze_args *a, struct st_reader *r, FILE *f, bool gzip,
			   bool show_progress)
{
	struct perfetto_opts o = { .gzip = gzip, .progress = show_progress ? progress : NULL };
	struct symbolizer *sym = NULL;
	struct perfetto *p = NULL;
	struct model *m = NULL;
	int err = symbolizer__new(r, &a->sym, &sym);

	if (!err)
		err = perfetto__new(f, r, sym, &o, &p);
	if (!err) {
		m = analyze_args__model(a, r, perfetto__interval, p);
		err = m ? perfetto__run(p, r, m) : -EAGAIN;
	}
	model__free(m);
	perfetto__free(p);
	symbolizer__free(sym);
	return err;
}

/* Whom an error is about: the trace for the reader's own codes, else what was being written. */
static const char *blame(int err, const char *trace, const char *output)
{
	return -err > ST_E_BASE && -err < ST_E_END ? trace : output;
}

/* The SQL tables of each trace in @paths, into one dataset directory. */
static int export_sql(struct analyze_args *a, char **paths, int n, const struct sql_opts *o)
{
	for (int i = 0; i < n; i++) {
		struct symbolizer *sym = NULL;
		struct sql_export *x = NULL;
		struct model *m = NULL;
		int err;

		a->path = paths[i];
		struct st_reader *r = analyze_args__open(a);
		if (!r)
			return EXIT_FAIL;
		err = symbolizer__new(r, &a->sym, &sym);
		if (!err)
			err = sql__new(r, sym, paths[i], o, &x);
		if (!err && !(m = analyze_args__model(a, r, sql__interval, x)))
			err = -EAGAIN; /* printed */
		if (!err)
			err = sql__run(x, r, m);
		if (err && err != -EAGAIN)
			cli__error(blame(err, paths[i], o->dir), "%s", st_strerror(err));
		if (!err)
			cli__warn_problems(paths[i], r);
		model__free(m);
		sql__free(x);
		symbolizer__free(sym);
		st_reader__free(r);
		if (err)
			return EXIT_FAIL;
	}
	return EXIT_OK;
}

static bool filtered(const struct filter *f)
{
	return f->npids || f->ntids || f->has_comm || f->has_begin || f->has_end || f->states ||
	       f->min_ns || f->max_ns;
}

int cmd_export(int argc, char **argv)
{
	enum { OPT_PERFETTO = OPT_FIRST_OWN, OPT_FORMAT, OPT_COMPRESS, OPT_NO_PROGRESS, OPT_PARQUET,
	       OPT_CSV, OPT_HOST };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "perfetto", no_argument, NULL, OPT_PERFETTO },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "compress", no_argument, NULL, OPT_COMPRESS },
		{ "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
		{ "parquet", required_argument, NULL, OPT_PARQUET },
		{ "csv", required_argument, NULL, OPT_CSV },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "output", required_argument, NULL, 'o' },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct st_reader *r = NULL;
	const char *output = NULL;
	bool json = false, gzip = false, quiet = false;
	struct sql_opts sql = { 0 };
	const char *picked = NULL;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "o:", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "export", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		if (c == 'o') {
			output = optarg;
		} else if (c == OPT_FORMAT) {
			if (strcmp(optarg, "json") && strcmp(optarg, "protobuf")) {
				cli__error("export", "--format %s: say protobuf or json", optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			json = !strcmp(optarg, "json");
		} else if (c == OPT_COMPRESS) {
			gzip = true;
		} else if (c == OPT_NO_PROGRESS) {
			quiet = true;
		} else if (c == OPT_PARQUET || c == OPT_CSV) {
			if ((ret = cli__pick("export", &picked, c == OPT_PARQUET ? "--parquet" : "--csv")))
				goto out;
			sql.dir = optarg;
			sql.format = c == OPT_PARQUET ? TABLE_PARQUET : TABLE_CSV;
		} else if (c == OPT_HOST) {
			sql.host = optarg;
		} else if (c == OPT_PERFETTO) {
			if ((ret = cli__pick("export", &picked, "--perfetto")))
				goto out;
		} else {
			ret = EXIT_USAGE;
			goto out;
		}
	}
	if (a.help) {
		printf("Usage: %s export --perfetto -o OUT.pftrace [OPTIONS] FILE\n"
		       "Perfetto's native trace for ui.perfetto.dev and trace_processor: CPU\n"
		       "tracks, thread states with their wakers, off-CPU and waker stacks,\n"
		       "UNKNOWN time and loss windows. The whole trace: select with SQL there.\n"
		       "  -o, --output FILE     the trace ('-' for stdout)\n"
		       "      --compress        gzip it (Perfetto reads .gz)\n"
		       "      --format json     Chrome trace-event JSON instead (legacy: slices\n"
		       "                        only; the filters below apply to it)\n"
		       "      --no-progress     no progress line on a terminal\n"
		       "   or: %s export --parquet DIR [--host NAME] FILE...\n"
		       "SQL tables (docs/SCHEMA.md) of each trace as DIR/TABLE/TRACE_ID.parquet:\n"
		       "trace, thread, interval, stack, frame, loss; a directory of many traces\n"
		       "is one dataset (read_parquet('DIR/interval/*.parquet')).\n"
		       "      --csv DIR         the same tables as CSV\n"
		       "      --host NAME       the host name the trace table gives\n" ANALYZE_HELP,
		       prog_name, prog_name);
		ret = EXIT_OK;
		goto out;
	}
	if (sql.dir) {
		ret = EXIT_USAGE;
		if (optind >= argc)
			cli__error("export", "name the traces to export");
		else if (output || json || gzip)
			cli__error("export", "--parquet/--csv write a directory: no -o, --format or --compress");
		else if (filtered(&a.f))
			cli__error("export", "the tables hold the whole trace (select in SQL)");
		else
			ret = export_sql(&a, argv + optind, argc - optind, &sql);
		goto out;
	}
	ret = analyze_args__file(&a, "export", argc, argv);
	if (ret)
		goto out;
	if (!output) {
		cli__error("export", "name the output with -o FILE (or -o - for stdout)");
		ret = EXIT_USAGE;
		goto out;
	}
	if (!json && filtered(&a.f)) {
		cli__error("export", "the protobuf is the whole trace (select in trace_processor's "
				     "SQL); filters apply to --format json");
		ret = EXIT_USAGE;
		goto out;
	}
	if (json && gzip) {
		cli__error("export", "--compress is for the protobuf");
		ret = EXIT_USAGE;
		goto out;
	}
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	FILE *f = cli__open_output(output);
	if (!f)
		goto out;
	int err = json ? export_json(&a, r, f)
		       : export_perfetto(&a, r, f, gzip, !quiet && isatty(STDERR_FILENO));
	int cerr = cli__close_output(f);
	if (err == -EAGAIN)
		goto out;
	err = err ? err : cerr;
	if (err) {
		cli__error(blame(err, a.path, output), "%s", st_strerror(err));
		goto out;
	}
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
