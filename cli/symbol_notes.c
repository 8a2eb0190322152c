// SPDX-License-Identifier: MIT
/* What the user should know about a command's user frames: unnamed ones, cut stacks. */
#include <stdio.h>
#include <string.h>

#include "analyze/symbols.h"
#include "base/text.h"
#include "cli.h"

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s && s[1] ? s + 1 : p;
}


/* The lines to say, into @lines (at most three of @len bytes). */
static size_t notes__make(const struct sym_survey *sv, const struct sym_opts *o,
			  char lines[][600], const char **kinds, size_t len)
{
	size_t n = 0, at = 0;
	uint64_t made_up = 0;

	/* Addresses a broken frame-pointer chain made up are no frames to name: said apart. */
	for (size_t i = 0; i < sv->n; i++)
		if (sv->bins[i].not_code)
			made_up += sv->bins[i].frames;
	uint64_t frames = sv->frames - made_up, unnamed = sv->unnamed - made_up;
	if (unnamed) {
		at = (size_t)snprintf(lines[0], len, "%llu of %llu user frames (%.1f%%) unnamed:",
				      (unsigned long long)unnamed, (unsigned long long)frames,
				      100.0 * (double)unnamed / (double)frames);
		/* The three worst binaries, with build-id and why. */
		const struct sym_binary *worst[3] = { 0 };
		for (size_t i = 0; i < sv->n; i++) {
			const struct sym_binary *b = &sv->bins[i];
			for (int k = 0; k < 3 && b->unnamed && !b->not_code; k++)
				if (!worst[k] || b->unnamed > worst[k]->unnamed) {
					memmove(&worst[k + 1], &worst[k], (2 - (size_t)k) * sizeof(*worst));
					worst[k] = b;
					break;
				}
		}
		for (int k = 0; k < 3 && worst[k] && at < len; k++) {
			const struct sym_binary *b = worst[k];
			char hex[2 * ST_MAX_BUILD_ID + 1] = "";
			if (b->map)
				text__hex(hex, b->map->build_id,
					  b->map->build_id_len > 8 ? 8 : b->map->build_id_len);
			at += (size_t)snprintf(lines[0] + at, len - at, "%s %llu in %s%s%s%s (%s)",
					       k ? ";" : "", (unsigned long long)b->unnamed,
					       b->map ? base_name(b->map->path) : "[unknown]",
					       hex[0] ? " [" : "", hex, hex[0] ? "...]" : "",
					       b->why ? b->why : "?");
		}
		if (at < len)
			snprintf(lines[0] + at, len - at,
				 "; 'schedtape buildids' lists them; --symfs, --debug-dir%s or "
				 "DEBUGINFOD_URLS name them",
				 o->local_binaries ? "" : ", --local-binaries (on the recording host)");
		kinds[n++] = "note";
	}
	if (made_up) {
		snprintf(lines[n++], len,
			 "%llu more user frames are addresses in no mapping: return addresses read "
			 "through code built without frame pointers",
			 (unsigned long long)made_up);
		kinds[n - 1] = "note";
	}
	/* One line for every binary that cut stacks short, the worst first. */
	const struct sym_binary *cut[4] = { 0 };
	size_t ncut = 0;
	for (size_t i = 0; i < sv->n; i++) {
		const struct sym_binary *b = &sv->bins[i];
		if (!b->no_frame_pointers)
			continue;
		ncut++;
		for (int k = 0; k < 4; k++)
			if (!cut[k] || b->cut > cut[k]->cut) {
				memmove(&cut[k + 1], &cut[k], (3 - (size_t)k) * sizeof(*cut));
				cut[k] = b;
				break;
			}
	}
	if (ncut) {
		at = (size_t)snprintf(lines[n], len,
				      "user stacks are cut short in %zu binar%s built without frame "
				      "pointers (stacks cut of those through it):",
				      ncut, ncut == 1 ? "y" : "ies");
		for (int k = 0; k < 4 && cut[k] && at < len; k++)
			at += (size_t)snprintf(lines[n] + at, len - at, "%s %s (%llu of %llu)",
					       k ? "," : "", base_name(cut[k]->map->path),
					       (unsigned long long)cut[k]->cut,
					       (unsigned long long)cut[k]->stacks);
		if (at < len)
			snprintf(lines[n] + at, len - at, "%s; -fno-omit-frame-pointer keeps them",
				 ncut > 4 ? ", ..." : "");
		kinds[n++] = "warning";
	}
	return n;
}

void cli__symbols_hint(const char *path, struct symbolizer *sym, const struct sym_opts *o,
		       FILE *json)
{
	static bool said;
	struct sym_survey sv;
	char lines[3][600];
	size_t n = 0;

	/* Said already, and no JSON to fill: the survey would go unread. */
	if (!sym || (said && !json) || symbolizer__survey(sym, &sv))
		return;
	const char *kinds[3];
	n = notes__make(&sv, o, lines, kinds, sizeof(lines[0]));
	for (size_t i = 0; i < n && !said; i++)
		fprintf(stderr, "%s: %s: %s: %s\n", prog_name, path, kinds[i], lines[i]);
	said = true;
	if (json) {
		fprintf(json, ",\"symbols\":{\"user_frames\":%llu,\"unnamed\":%llu,\"warnings\":[",
			(unsigned long long)sv.frames, (unsigned long long)sv.unnamed);
		for (size_t i = 0; i < n; i++) {
			if (i)
				fputc(',', json);
			json__str(json, lines[i]);
		}
		fputs("]}", json);
	}
	sym_survey__free(&sv);
}
