# schedtape — build, test, fuzz. `make V=1` shows the commands.
#
# `record` is built in only where libbpf, clang and bpftool are present;
# otherwise the analyzer alone is built (format/ + analyze/ + export/ need zstd, libelf, zlib).

OUT      ?= build
BIN      ?= schedtape
CC       ?= cc
CLANG    ?= clang
BPFTOOL  ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/;s/ppc64le/powerpc/;s/mips.*/mips/;s/riscv64/riscv/;s/loongarch64/loongarch/')

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers -fno-omit-frame-pointer
ifeq ($(CI),true)
CFLAGS   += -Werror
endif
CPPFLAGS += -I. -I$(OUT) -MMD -MP
LDLIBS   += -lzstd -ldw -ldebuginfod -lelf -lz -lpthread -lm

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

HAVE_LIBBPF := $(shell pkg-config --exists libbpf 2>/dev/null && command -v $(CLANG) >/dev/null && test -x $(BPFTOOL) && echo 1)

BASE_SRCS    := $(wildcard base/*.c)
SYMBOLIZE_SRCS := $(wildcard symbolize/*.c)
FORMAT_SRCS  := $(wildcard format/*.c)
ANALYZE_SRCS := $(wildcard analyze/*.c)
EXPORT_SRCS  := $(wildcard export/*.c)
CLI_SRCS     := $(filter-out cli/cmd_record.c cli/record_ring.c,$(wildcard cli/*.c))
RECORD_SRCS  := $(wildcard record/*.c) cli/cmd_record.c cli/record_ring.c

LIB_OBJS := $(patsubst %.c,$(OUT)/%.o,$(BASE_SRCS) $(SYMBOLIZE_SRCS) $(FORMAT_SRCS) $(ANALYZE_SRCS) $(EXPORT_SRCS))
CLI_OBJS := $(patsubst %.c,$(OUT)/%.o,$(CLI_SRCS))

ifeq ($(HAVE_LIBBPF),1)
CPPFLAGS += -DHAVE_RECORD=1
CLI_OBJS += $(patsubst %.c,$(OUT)/%.o,$(RECORD_SRCS))
LDLIBS   += $(shell pkg-config --libs libbpf)
BPF_SKEL := $(OUT)/schedtape.skel.h
endif

.DELETE_ON_ERROR:
.PHONY: all deps test unit live fuzz clean demo format-check sanitize sanitize-bin corpus bench \
	man install uninstall deb

WORKLOAD := $(OUT)/samples/workload

all: $(BIN) $(WORKLOAD)
ifneq ($(HAVE_LIBBPF),1)
	@echo "note: libbpf, clang or bpftool missing: built the analyzer only (no 'record'); 'make deps' installs them"
endif

$(BIN): $(CLI_OBJS) $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(OUT)/%.o: %.c | $(BPF_SKEL)
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# The report page's style and script, built in as C strings.
$(OUT)/export/report_assets.h: export/report.css export/report.js
	@mkdir -p $(@D)
	$(call msg,EMBED,$@)
	$(Q)for f in $^; do \
		n=$$(basename $$f | tr . _); echo "static const char $$n[] ="; \
		sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $$f; echo ";"; \
	done >$@
$(OUT)/export/report.o: $(OUT)/export/report_assets.h

# Sample workloads: frame pointers so that user stacks unwind.
$(WORKLOAD): samples/workload.c
	@mkdir -p $(@D)
	$(call msg,CC,$<)
	$(Q)$(CC) -O2 -g -fno-omit-frame-pointer -Wall -Wextra $(if $(filter true,$(CI)),-Werror) -pthread -o $@ $<

# BPF: clang -target bpf -> bpftool gen object (static link) -> gen skeleton.
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	-I$(OUT) -Ibpf -I/usr/include/$(shell uname -m)-linux-gnu -MMD -MP

$(OUT)/bpf/%.bpf.o: bpf/%.bpf.c
	@mkdir -p $(@D)
	$(call msg,BPF,$<)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp
	$(Q)rm -f $@.tmp

$(OUT)/%.skel.h: $(OUT)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@

# Tests. Every runner prints PASS/FAIL/SKIP lines; tests/run.sh sums them.
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(OUT)/tests/unit_tests

# The flight recorder's parts that need no BPF are unit-tested too.
UNIT_RECORD_OBJS := $(patsubst %,$(OUT)/record/%.o,ring tasklog trigger dumpfile cgroup)
$(UNIT_BIN): $(patsubst %.c,$(OUT)/%.o,$(UNIT_SRCS)) $(LIB_OBJS) $(UNIT_RECORD_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

deps:
	@sh tests/deps.sh

test: deps
	@sh tests/npm.sh
	@$(MAKE) --no-print-directory schedtape $(WORKLOAD) $(UNIT_BIN)
	@sh tests/run.sh

# The main job: record the sample workload for real, then analyze it.
DEMO_TAPE ?= $(OUT)/demo.tape
demo: deps
	@$(MAKE) --no-print-directory schedtape $(WORKLOAD)
	./schedtape record -f --symbols=embed -o $(DEMO_TAPE) -- $(WORKLOAD) all
	./schedtape info $(DEMO_TAPE)
	./schedtape states $(DEMO_TAPE)
	./schedtape hist --state runnable $(DEMO_TAPE)
	./schedtape offwake --comm '^pong$$' $(DEMO_TAPE)

unit: $(UNIT_BIN)
	$(UNIT_BIN)

# libFuzzer targets under ASan+UBSan: FUZZ_TIME seconds each (default 60),
# or FUZZ_RUNS executions each when given (the long run: FUZZ_RUNS=10000000).
FUZZ_TIME ?= 60
FUZZ_MAX_LEN ?= 6000
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_TIME))
# A 256 KiB chunk cap instead of 16 MiB: the same size checks, and zstd bombs
# that cost a millisecond instead of dozens, so ~3x the executions.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -I. -I$(OUT) -Itests/fuzz \
	-DST_MAX_RAW="(1u << 18)"
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(OUT)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
# The library and CLI objects are instrumented once and shared by every target.
comma := ,
FUZZ_OBJ_FLAGS := $(subst -fsanitize=fuzzer$(comma),-fsanitize=fuzzer-no-link$(comma),$(FUZZ_FLAGS)) -MMD -MP
FUZZ_LIB_OBJS := $(patsubst %.c,$(OUT)/fuzz-obj/%.o,$(BASE_SRCS) $(SYMBOLIZE_SRCS) $(FORMAT_SRCS) $(ANALYZE_SRCS) $(EXPORT_SRCS))
$(OUT)/fuzz-obj/%.o: %.c | $(OUT)/export/report_assets.h
	@mkdir -p $(@D)
	$(call msg,FUZZCC,$<)
	$(Q)$(CLANG) $(FUZZ_OBJ_FLAGS) -c -o $@ $<

$(OUT)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -o $@ $^ -lzstd -ldw -ldebuginfod -lelf -lz -lpthread -lm

# The command fuzzers: structure-aware traces (tracegen.c) through the CLI's own functions.
FUZZ_CLI_SRCS := $(filter-out cli/schedtape.c,$(CLI_SRCS)) tests/fuzz/tracegen.c
FUZZ_CLI_OBJS := $(patsubst %.c,$(OUT)/fuzz-obj/%.o,$(FUZZ_CLI_SRCS))
$(OUT)/fuzz/fuzz_cmd_%: tests/fuzz/fuzz_cmd_%.c $(FUZZ_CLI_OBJS) $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -o $@ $^ -lzstd -ldw -ldebuginfod -lelf -lz -lpthread -lm

fuzz: $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(OUT)/fuzz/corpus-$$(basename $$t); \
		$$t $(FUZZ_LIMIT) -print_final_stats=1 -max_len=$(FUZZ_MAX_LEN) -close_fd_mask=2 -artifact_prefix=$(OUT)/fuzz/ \
			$(OUT)/fuzz/corpus-$$(basename $$t) tests/corpus/good tests/corpus/bad || exit 1; \
	done

# Benchmarks against perf sched, trace-cmd and offcputime (root; never part of make test).
bench: deps $(BIN) $(WORKLOAD)
	@sh tests/deps.sh linux-perf trace-cmd libbpf-tools bpftrace bc
	bash bench/run.sh

# Hostile traces for tests/corpus/hostile.sh, written by the format library.
$(OUT)/mkhostile: tests/tools/mkhostile.c $(OUT)/tests/unit/events.o $(patsubst %.c,$(OUT)/%.o,$(BASE_SRCS) $(FORMAT_SRCS))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ -lzstd

# Regenerate the crafted bad traces (their bytes are committed).
corpus: $(LIB_OBJS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $(OUT)/mkcorpus tests/tools/mkcorpus.c $(LIB_OBJS) $(LDLIBS)
	$(OUT)/mkcorpus tests/corpus/bad
	python3 tests/corpus/make_bad.py

format-check:
	@clang-format --dry-run --Werror $(FORMAT_SRCS) format/*.h

# Unit tests, corpus and analyzer commands under ASan+UBSan (leaks included).
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
sanitize-bin:
	@$(MAKE) --no-print-directory OUT=build-san BIN=build-san/schedtape CC=clang \
		CFLAGS="$(SAN_FLAGS)" LDFLAGS="-fsanitize=address,undefined" \
		build-san/schedtape build-san/tests/unit_tests

sanitize: sanitize-bin
	build-san/tests/unit_tests
	ST=build-san/schedtape sh tests/corpus/check.sh

clean:
	rm -rf $(OUT) build-san build-asan schedtape

# Installing: FHS paths under PREFIX, staged under DESTDIR (packaging/ holds the pieces).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man
DOCDIR  ?= $(DATADIR)/doc/schedtape
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCS    := README.md docs/FORMAT.md docs/MODEL.md docs/BUILD.md docs/PERFETTO.md docs/SCHEMA.md \
	docs/REPORT.md docs/FLIGHT.md docs/PERFORMANCE.md docs/report.png

# Man pages from the binary's own --help (help2man): a page never disagrees with --help.
man: $(BIN)
	$(call msg,MAN,$(OUT)/man)
	$(Q)rm -rf $(OUT)/man && sh packaging/man.sh ./$(BIN) $(OUT)/man

install: $(BIN) man
	install -D -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/schedtape
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)
	install -m 0644 $(OUT)/man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -D -m 0644 packaging/schedtape.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/schedtape
	install -D -m 0644 packaging/_schedtape $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_schedtape
	install -m 0644 $(DOCS) $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/bin/schedtape|$(BINDIR)/schedtape|' packaging/schedtape-flight.service \
		>$(DESTDIR)$(UNITDIR)/schedtape-flight.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/schedtape $(DESTDIR)$(MANDIR)/man1/schedtape.1 \
		$(DESTDIR)$(MANDIR)/man1/schedtape-*.1 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/schedtape \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions/_schedtape \
		$(DESTDIR)$(UNITDIR)/schedtape-flight.service
	rm -rf $(DESTDIR)$(DOCDIR)

# A Debian package from this tree (debian/): ../schedtape_VERSION_ARCH.deb.
deb:
	dpkg-buildpackage -us -uc -b

-include $(shell find $(OUT) -name '*.d' 2>/dev/null)

# Parquet files for checking the writer with DuckDB (tests/live/sql.sh).
$(OUT)/mkparquet: tests/tools/mkparquet.c $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $^ $(LDLIBS)
