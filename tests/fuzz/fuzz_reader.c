// SPDX-License-Identifier: MIT
/* libFuzzer: any bytes through open, every table, and the merged event stream. */
#define _GNU_SOURCE /* memfd_create */
#include <stdint.h>

#include "analyze/symbols.h"
#include "format/tape.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st_reader *r;
	int fd = fuzz__open(data, size, &r);

	if (fd >= 0) {
		struct symbolizer *sym = NULL;
		struct st_event_iter *it;
		struct st_event e;

		symbolizer__new(r, &(struct sym_opts){ .no_debug_dir = true }, &sym);
		for (size_t i = 0; i < st_reader__nstacks(r); i++) {
			const struct st_stack *s = st_reader__stack_at(r, i);
			for (unsigned int k = 0; sym && k < s->nframes; k++)
				symbolizer__name(sym, s->kind, &s->frames[k]);
		}
		for (size_t i = 0; i < st_reader__nmeta(r); i++) {
			const char *k, *v;
			st_reader__meta_at(r, i, &k, &v);
		}
		if (st_event_iter__new(r, &it) == 0) {
			while (st_event_iter__next(it, &e) > 0)
				if (e.type == ST_REC_SWITCH)
					st_reader__stack(r, e.sw.kstack);
			st_event_iter__free(it);
		}
		symbolizer__free(sym);
		st_reader__free(r);
		close(fd);
	}
	return 0;
}
