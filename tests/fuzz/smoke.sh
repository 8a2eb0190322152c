#!/bin/sh
# A short libFuzzer run of every target over the corpus: a smoke test for CI.
cd "$(dirname "$0")/../.." || exit 1
SECS=${FUZZ_SMOKE_SECS:-15}
for src in tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	test=fuzz/${name#fuzz_}_smoke
	if ! make -j"$(nproc)" --no-print-directory "build/fuzz/$name" >/dev/null 2>build/fuzz-build.log; then
		if grep -q "fsanitize=fuzzer" build/fuzz-build.log; then
			echo "SKIP $test: clang has no libFuzzer runtime (libclang-rt-dev)"
		else
			echo "FAIL $test: build failed: $(tail -3 build/fuzz-build.log)"
		fi
		continue
	fi
	mkdir -p "build/fuzz/corpus-smoke-$name"
	out=$("build/fuzz/$name" -max_total_time="$SECS" -max_len=6000 -close_fd_mask=2 \
		-artifact_prefix=build/fuzz/ \
		"build/fuzz/corpus-smoke-$name" tests/corpus/good tests/corpus/bad 2>&1)
	st=$?
	runs=$(printf '%s\n' "$out" | sed -n 's/^#\([0-9]*\).*DONE.*/\1/p' | tail -1)
	if [ $st = 0 ]; then
		echo "PASS $test (${runs:-?} executions in ${SECS}s)"
	else
		printf '%s\n' "$out" | tail -30 >&2
		echo "FAIL $test: libFuzzer found a crash (exit $st; input saved under build/fuzz/)"
	fi
done
