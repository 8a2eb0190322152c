// SPDX-License-Identifier: MIT
/* Naming frames from what a trace carries: kernel modules, JIT maps, frames of no file. */
#include <string.h>
#include <unistd.h>

#include "analyze/symbols.h"
#include "harness.h"
#include "synth.h"

#define MOD_FN 0xffffffffc0a01000ull
#define CORE_FN 0xffffffff81100000ull
#define JIT_FN 0x7f0000001000ull

static struct st_reader *open_symbol_trace(int *fd)
{
	struct st_writer *w;
	struct st_chunk c;

	*fd = synth__open(&w);
	st_chunk__init(&c, ST_CHUNK_META, ST_CPU_NONE);
	st_chunk__add_kv(&c, "start_ts", "1");
	synth__put(w, &c);
	st_chunk__free(&c);
	/* Kernel symbols as the recorder writes them: a module's with " [module]". */
	st_chunk__init(&c, ST_CHUNK_KSYMS, ST_CPU_NONE);
	struct st_sym k1 = { .addr = MOD_FN, .size = 0x200, .name = "e1000_clean [e1000]" };
	struct st_sym k2 = { .addr = CORE_FN, .size = 0x100, .name = "schedule" };
	st_chunk__add_sym(&c, &k1);
	st_chunk__add_sym(&c, &k2);
	synth__put(w, &c);
	st_chunk__free(&c);
	/* A process's JIT code (//anon, offsets are addresses), and a frame in no mapping. */
	st_chunk__init(&c, ST_CHUNK_MAPS, ST_CPU_NONE);
	struct st_map anon = { .id = 1, .pid = 42, .path = "//anon" };
	struct st_map unmapped = { .id = 2, .path = "[unmapped]" };
	st_chunk__add_map(&c, &anon);
	st_chunk__add_map(&c, &unmapped);
	synth__put(w, &c);
	st_chunk__free(&c);
	st_chunk__init(&c, ST_CHUNK_USYMS, ST_CPU_NONE);
	struct st_sym jit = { .map = 1, .addr = JIT_FN, .size = 0x40, .name = "LazyCompile:*work app.js:7" };
	st_chunk__add_sym(&c, &jit);
	synth__put(w, &c);
	st_chunk__free(&c);
	st_chunk__init(&c, ST_CHUNK_STACKS, ST_CPU_NONE);
	struct st_frame kf[2] = { { .addr = MOD_FN + 0x10 }, { .addr = CORE_FN + 0x8 } };
	struct st_frame uf[2] = { { .map = 1, .addr = JIT_FN + 0x11 }, { .map = 2, .addr = 0x1234 } };
	struct st_stack ks = { .id = 1, .kind = ST_STACK_KERNEL, .nframes = 2, .frames = kf };
	struct st_stack us = { .id = 2, .kind = ST_STACK_USER, .nframes = 2, .frames = uf };
	st_chunk__add_stack(&c, &ks);
	st_chunk__add_stack(&c, &us);
	synth__put(w, &c);
	st_chunk__free(&c);
	st_writer__finish(w);
	st_writer__free(w);
	struct st_reader *r = NULL;
	CHECK_EQ(st_reader__open_fd(*fd, ST_READ_STRICT, &r), 0);
	return r;
}

TEST(symbols_kernel_module_and_jit_frames)
{
	int fd;
	struct st_reader *r = open_symbol_trace(&fd);
	struct symbolizer *s = NULL;
	struct sym_opts o = { .no_debug_dir = true };

	CHECK_EQ(symbolizer__new(r, &o, &s), 0);
	const struct st_stack *ks = st_reader__stack(r, 1), *us = st_reader__stack(r, 2);
	CHECK(ks && us);
	CHECK_STR(symbolizer__name(s, ST_STACK_KERNEL, &ks->frames[0]), "e1000_clean [e1000]");
	CHECK_STR(symbolizer__name(s, ST_STACK_KERNEL, &ks->frames[1]), "schedule");
	CHECK_STR(symbolizer__name(s, ST_STACK_USER, &us->frames[0]), "LazyCompile:*work app.js:7");
	CHECK_STR(symbolizer__name(s, ST_STACK_USER, &us->frames[1]), "[unmapped]+0x1234");
	/* The survey: the JIT frame named from the trace, the made-up one not code. */
	struct sym_survey sv;
	CHECK_EQ(symbolizer__survey(s, &sv), 0);
	CHECK_EQ(sv.frames, 2);
	CHECK_EQ(sv.unnamed, 1);
	CHECK_EQ(sv.bins[0].unnamed, 0);
	CHECK_STR(sv.bins[0].source, "trace");
	CHECK(sv.bins[1].not_code);
	CHECK(sv.bins[1].why != NULL);
	/* Neither reached a root: the stack was cut, but no binary is blamed without its code. */
	CHECK(!sv.bins[0].no_frame_pointers && !sv.bins[1].no_frame_pointers);
	sym_survey__free(&sv);
	symbolizer__free(s);
	st_reader__free(r);
	close(fd);
}
