// SPDX-License-Identifier: MIT
/* schedtape buildids: the binaries a trace's user stacks need, and whether this machine names them. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analyze_args.h"
#include "base/text.h"
#include "cli.h"

static void print_text(const struct sym_survey *sv)
{
	uint64_t frames = 0, unnamed = 0;

	printf("%-40s %8s %8s  %-11s %s\n", "BUILD-ID", "FRAMES", "UNNAMED", "SYMBOLS", "BINARY");
	for (size_t i = 0; i < sv->n; i++) {
		const struct sym_binary *b = &sv->bins[i];
		char hex[2 * ST_MAX_BUILD_ID + 1] = "-";
		if (!b->frames)
			continue;
		if (b->map && b->map->build_id_len)
			text__hex(hex, b->map->build_id, b->map->build_id_len);
		printf("%-40s %8llu %8llu  %-11s %s%s%s%s\n", hex, (unsigned long long)b->frames,
		       (unsigned long long)b->unnamed, b->source ? b->source : "none",
		       b->map ? b->map->path : "[unknown]", b->why ? "  (" : "", b->why ? b->why : "",
		       b->why ? ")" : "");
		if (!b->no_symbols && !b->not_code) {
			frames += b->frames;
			unnamed += b->unnamed;
		}
	}
	printf("user frames: %llu, unnamed %llu (%.1f%%); in binaries that have symbols: "
	       "%llu of %llu unnamed (%.1f%%)\n",
	       (unsigned long long)sv->frames, (unsigned long long)sv->unnamed,
	       sv->frames ? 100.0 * (double)sv->unnamed / (double)sv->frames : 0.0,
	       (unsigned long long)unnamed, (unsigned long long)frames,
	       frames ? 100.0 * (double)unnamed / (double)frames : 0.0);
}

static void print_json(const struct sym_survey *sv)
{
	bool first = true;

	printf("{\"binaries\":[");
	for (size_t i = 0; i < sv->n; i++) {
		const struct sym_binary *b = &sv->bins[i];
		char hex[2 * ST_MAX_BUILD_ID + 1] = "";
		if (!b->frames)
			continue;
		if (b->map)
			text__hex(hex, b->map->build_id, b->map->build_id_len);
		printf("%s{\"build_id\":", first ? "" : ",");
		first = false;
		json__str(stdout, hex);
		printf(",\"path\":");
		json__str(stdout, b->map ? b->map->path : "[unknown]");
		printf(",\"frames\":%llu,\"unnamed\":%llu,\"stacks\":%llu,\"stacks_cut\":%llu,"
		       "\"no_frame_pointers\":%s,\"no_symbols\":%s,\"symbols\":",
		       (unsigned long long)b->frames, (unsigned long long)b->unnamed,
		       (unsigned long long)b->stacks, (unsigned long long)b->cut,
		       b->no_frame_pointers ? "true" : "false", b->no_symbols ? "true" : "false");
		if (b->source)
			json__str(stdout, b->source);
		else
			printf("null");
		printf(",\"why\":");
		if (b->why)
			json__str(stdout, b->why);
		else
			printf("null");
		printf("}");
	}
	printf("],\"user_frames\":%llu,\"unnamed\":%llu}\n", (unsigned long long)sv->frames,
	       (unsigned long long)sv->unnamed);
}

int cmd_buildids(int argc, char **argv)
{
	static const struct option opts[] = { ANALYZE_LONG_OPTS, { 0 } };
	struct analyze_args a = { 0 };
	struct symbolizer *sym = NULL;
	struct st_reader *r = NULL;
	struct sym_survey sv = { 0 };
	int c, ret;

	while ((c = getopt_long(argc, argv, ANALYZE_SHORT_OPTS, opts, NULL)) != -1) {
		ret = analyze_args__opt(&a, "buildids", c, optarg);
		if (ret == 1)
			continue;
		if (!ret)
			ret = EXIT_USAGE;
		goto out;
	}
	if (a.help) {
		printf("Usage: %s buildids [OPTIONS] FILE\n"
		       "Every binary the trace's user stacks need (like perf buildid-list), with\n"
		       "its build-id, its frames, how many this machine left unnamed and why, and\n"
		       "where the names came from. Symbol options:\n"
		       SYMBOL_SEARCH_HELP "      --json            machine-readable output\n",
		       prog_name);
		ret = EXIT_OK;
		goto out;
	}
	if ((ret = analyze_args__file(&a, "buildids", argc, argv)))
		goto out;
	ret = EXIT_FAIL;
	if (!(r = analyze_args__open(&a)))
		goto out;
	int err = symbolizer__new(r, &a.sym, &sym);
	if (!err)
		err = symbolizer__survey(sym, &sv);
	if (err) {
		cli__error(a.path, "%s", st_strerror(err));
		goto out;
	}
	if (a.json)
		print_json(&sv);
	else
		print_text(&sv);
	cli__warn_problems(a.path, r);
	ret = EXIT_OK;
out:
	sym_survey__free(&sv);
	symbolizer__free(sym);
	st_reader__free(r);
	analyze_args__free(&a);
	return ret;
}
