// SPDX-License-Identifier: MIT
/* schedtape report: one self-contained HTML page of a trace, to attach to a bug report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/chains.h"
#include "analyze_args.h"
#include "cli.h"
#include "export/report.h"

static int parse_count(const char *opt, const char *arg, unsigned int lo, unsigned int hi,
		       unsigned int *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (end == arg || *end || v < lo || v > hi) {
		cli__error("report", "%s: '%s' is not a number from %u to %u", opt, arg, lo, hi);
		return EXIT_USAGE;
	}
	*out = (unsigned int)v;
	return 0;
}

/*
 * The options as given but the output (getopt has moved the trace after them):
 * the page says what it was made with.
 */
static void filters_text(char **argv, int nopts, const char *output, char *buf, size_t cap)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 1; i < nopts; i++) {
		size_t len = strlen(argv[i]);
		if (output >= argv[i] && output <= argv[i] + len)
			continue; /* "-oFILE", "--output=FILE" */
		if (i + 1 < nopts && argv[i + 1] == output) {
			i++; /* "-o FILE" */
			continue;
		}
		int w = snprintf(buf + n, cap - n, "%s%s", n ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= cap - n)
			break;
		n += (size_t)w;
	}
}

static void usage(void)
{
	printf("Usage: %s report -o OUT.html [OPTIONS] FILE\n"
	       "One self-contained HTML page of the trace, to attach to a bug report: it opens\n"
	       "offline in a browser and requests nothing. It shows the host, span and losses;\n"
	       "per-thread and per-process tables (sortable); a zoomable timeline of the top\n"
	       "threads and of every CPU, with the waker of each wait; off-CPU and off-wake\n"
	       "flamegraphs; the run-queue latency histogram; the worst sleeps' wakeup chains;\n"
	       "and findings computed from the data, with their evidence.\n" ANALYZE_HELP
	       "  -o, --output FILE     the page ('-' for stdout)\n"
	       "      --top N           threads in the timeline (default 12)\n"
	       "      --chains N        worst sleeps whose wakeup chains are shown (default 5)\n"
	       "      --depth N         hops a chain follows (default 4)\n",
	       prog_name);
}

int cmd_report(int argc, char **argv)
{
	enum { OPT_TOP = OPT_FIRST_OWN, OPT_CHAINS, OPT_DEPTH };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "chains", required_argument, NULL, OPT_CHAINS },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct report_opts ro = { .version = "schedtape " SCHEDTAPE_VERSION };
	struct st_reader *r = NULL;
	const char *output = NULL;
	char filters[512], *page = NULL;
	size_t page_len = 0;
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "o:", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "report", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		switch (c) {
		case 'o': output = optarg; break;
		case OPT_TOP: ret = parse_count("--top", optarg, 1, 200, &ro.top); break;
		case OPT_CHAINS: ret = parse_count("--chains", optarg, 1, 32, &ro.chains); break;
		case OPT_DEPTH: ret = parse_count("--depth", optarg, 1, CHAIN_MAX_DEPTH, &ro.depth); break;
		default: ret = EXIT_USAGE;
		}
		if (ret)
			goto out;
	}
	if (a.help) {
		usage();
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "report", argc, argv);
	if (!ret && a.json) {
		cli__error("report", "--json: the report is an HTML page (its data is JSON inside it)");
		ret = EXIT_USAGE;
	}
	if (!ret && !output) {
		cli__error("report", "name the page with -o FILE.html (or -o - for stdout)");
		ret = EXIT_USAGE;
	}
	if (ret)
		goto out;
	ret = EXIT_FAIL;
	r = analyze_args__open(&a);
	if (!r)
		goto out;
	filters_text(argv, optind, output, filters, sizeof(filters));
	ro.name = a.path;
	ro.filters = filters;
	/* The page is built in memory (it is bounded): a failed report leaves no half a file. */
	FILE *mem = open_memstream(&page, &page_len);
	int err = mem ? report__write(mem, r, &a.f, &a.sym, &ro) : -ENOMEM;
	if (mem && fclose(mem) && !err)
		err = -ENOMEM;
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	FILE *f = cli__open_output(output);
	if (!f)
		goto out;
	size_t wrote = fwrite(page, 1, page_len, f);
	err = wrote == page_len ? 0 : -errno;
	int cerr = cli__close_output(f);
	if (!err)
		err = cerr;
	if (err) {
		cli__error(output, "%s", strerror(-err ? -err : EIO));
		goto out;
	}
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	free(page);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
