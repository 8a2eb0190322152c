// SPDX-License-Identifier: MIT
/* schedtape flame: a self-contained interactive SVG flamegraph; no Perl needed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/chains.h"
#include "export/flame_svg.h"
#include "analyze/folded.h"
#include "analyze_args.h"
#include "cli.h"

enum mode { M_OFFCPU, M_OFFWAKE, M_CHAINS };

/* Chains, batch by batch, into folded sums (bounded memory). */
struct chain_fold {
	struct st_reader *r;
	struct symbolizer *sym;
	struct htab sums;
};

static int chain_fold__batch(void *ctx, const struct chain_set *s)
{
	struct chain_fold *cf = ctx;

	return folded__chains_add(s, cf->r, cf->sym, &cf->sums);
}

int cmd_flame(int argc, char **argv)
{
	enum { OPT_OFFCPU = OPT_FIRST_OWN, OPT_OFFWAKE, OPT_CHAINS, OPT_TITLE, OPT_COUNTNAME,
	       OPT_WIDTH, OPT_DEPTH };
	static const struct option opts[] = {
		ANALYZE_LONG_OPTS,
		{ "offcpu", no_argument, NULL, OPT_OFFCPU },
		{ "offwake", no_argument, NULL, OPT_OFFWAKE },
		{ "chains", no_argument, NULL, OPT_CHAINS },
		{ "output", required_argument, NULL, 'o' },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "unit", required_argument, NULL, OPT_COUNTNAME },
		{ "countname", required_argument, NULL, OPT_COUNTNAME }, /* the old name of --unit */
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "depth", required_argument, NULL, OPT_DEPTH },
		{ 0 },
	};
	struct analyze_args a = { 0 };
	struct flame_opts fo = { .countname = "us", .width = 1200 };
	struct fold_opts fold = { .user = true, .kernel = true, .trim = true, .annotate = true };
	struct fold_line *lines = NULL;
	struct flame_line *fl = NULL;
	struct symbolizer *sym = NULL;
	struct st_reader *r = NULL;
	const char *output = NULL, *picked = NULL;
	enum mode mode = M_OFFCPU;
	unsigned int depth = 4;
	long n = 0;
	int c, ret;
	char *end;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS "o:", opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "flame", c, optarg);
		if (ret == 1)
			continue;
		if (ret)
			goto out;
		switch (c) {
		case OPT_OFFCPU: mode = M_OFFCPU; ret = cli__pick("flame", &picked, "--offcpu"); break;
		case OPT_OFFWAKE: mode = M_OFFWAKE; ret = cli__pick("flame", &picked, "--offwake"); break;
		case OPT_CHAINS: mode = M_CHAINS; ret = cli__pick("flame", &picked, "--chains"); break;
		case 'o': output = optarg; break;
		case OPT_TITLE: fo.title = optarg; break;
		case OPT_COUNTNAME:
			/* The values are microseconds: a unit scales what is shown, never relabels it. */
			if (!strcmp(optarg, "us") || !strcmp(optarg, "ms") || !strcmp(optarg, "s")) {
				fo.countname = !strcmp(optarg, "us") ? "us" : !strcmp(optarg, "ms") ? "ms" : "s";
				fo.per_unit = optarg[0] == 'u' ? 1 : optarg[0] == 'm' ? 1000 : 1000000;
			} else {
				cli__error("flame", "--unit: 'us', 'ms' or 's', not '%s'", optarg);
				ret = EXIT_USAGE;
			}
			break;
		case OPT_WIDTH:
		case OPT_DEPTH: {
			unsigned long v = strtoul(optarg, &end, 10);
			bool w = c == OPT_WIDTH;
			if (*end || (w ? v < 200 || v > 100000 : v < 1 || v > CHAIN_MAX_DEPTH)) {
				cli__error("flame", "%s: '%s' is out of range", w ? "--width" : "--depth",
					   optarg);
				ret = EXIT_USAGE;
				goto out;
			}
			*(w ? &fo.width : &depth) = (unsigned int)v;
			break;
		}
		default:
			ret = EXIT_USAGE;
			goto out;
		}
		if (ret)
			goto out;
	}
	if (a.help) {
		printf("Usage: %s flame [--offcpu|--offwake|--chains] -o OUT.svg [OPTIONS] FILE\n"
		       "An interactive SVG flamegraph (hover, click to zoom, search); kernel,\n"
		       "user and waker frames in their own colours.\n" ANALYZE_HELP
		       "  -o, --output FILE     the SVG ('-' for stdout)\n"
		       "      --offcpu          off-CPU stacks (default)\n"
		       "      --offwake         off-wake stacks: sleeper, then its waker\n"
		       "      --chains          wakeup chains (needs -t/-p/--comm; --depth N)\n"
		       "      --title TEXT      the picture's title\n"
		       "      --unit us|ms|s    the unit times are shown in (default us)\n"
		       "      --width PIXELS    the picture's width (default 1200)\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	ret = analyze_args__file(&a, "flame", argc, argv);
	if (!ret && a.json) {
		cli__error("flame", "--json: the output is an SVG picture");
		ret = EXIT_USAGE;
	}
	if (ret)
		goto out;
	if (!output) {
		cli__error("flame", "name the SVG with -o FILE (or -o - for stdout)");
		ret = EXIT_USAGE;
		goto out;
	}
	if (mode == M_CHAINS && (ret = analyze_args__need_threads(&a.f, "flame --chains")))
		goto out;
	ret = EXIT_FAIL;
	if (!fo.title)
		fo.title = mode == M_OFFCPU ? "Off-CPU Time" : mode == M_OFFWAKE ? "Off-Wake Time"
										   : "Wakeup Chains";
	int err = 0;
	if (mode == M_CHAINS) {
		r = analyze_args__open(&a);
		if (!r)
			goto out;
		struct chain_fold cf = { .r = r };
		err = symbolizer__new(r, &a.sym, &sym);
		cf.sym = sym;
		if (!err)
			err = chains__each_batch(r, &a.f, depth, 0, chain_fold__batch, &cf);
		if (!err) {
			n = folded__sums_lines(&cf.sums, &lines);
			err = n < 0 ? (int)n : 0;
		}
		htab__free(&cf.sums);
		if (err) {
			cli__error(a.path, "%s", st_strerror(err));
			goto out;
		}
	} else {
		fold.waker = mode == M_OFFWAKE;
		if (offcpu__collect(&a, mode == M_OFFWAKE, &fold, &r, &sym, &lines, &n))
			goto out;
	}
	fl = calloc(n > 0 ? (size_t)n : 1, sizeof(*fl));
	if (!fl) {
		cli__error("flame", "%s", strerror(ENOMEM));
		goto out;
	}
	long k = 0;
	for (long i = 0; i < n; i++)
		if (lines[i].ns >= 1000)
			fl[k++] = (struct flame_line){ lines[i].stack, lines[i].ns / 1000, 0 };
	FILE *f = cli__open_output(output);
	if (!f)
		goto out;
	err = flame_svg__write(f, fl, k, &fo);
	int cerr = cli__close_output(f);
	err = err ? err : cerr;
	if (err) {
		cli__error(output, "%s", st_strerror(err));
		goto out;
	}
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	free(fl);
	if (lines)
		folded__free_lines(lines, n);
	cli__symbols_hint(a.path, sym, &a.sym, NULL);
	symbolizer__free(sym);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
