#!/bin/sh
# A short libFuzzer run of every target over the corpus: a smoke test for CI.
cd "$(dirname "$0")/../.." || exit 1
SECS=${FUZZ_SMOKE_SECS:-20}
if ! make --no-print-directory build/fuzz/fuzz_reader >/dev/null 2>build/fuzz-build.log; then
	if grep -q "fsanitize=fuzzer" build/fuzz-build.log; then
		echo "SKIP fuzz/reader_smoke: clang has no libFuzzer runtime (libclang-rt-dev)"
	else
		echo "FAIL fuzz/reader_smoke: build failed: $(tail -3 build/fuzz-build.log)"
	fi
	exit 0
fi
mkdir -p build/fuzz/corpus-smoke
out=$(build/fuzz/fuzz_reader -max_total_time="$SECS" -max_len=65536 \
	build/fuzz/corpus-smoke tests/corpus/good tests/corpus/bad 2>&1)
st=$?
runs=$(printf '%s\n' "$out" | sed -n 's/^#\([0-9]*\).*DONE.*/\1/p' | tail -1)
if [ $st = 0 ]; then
	echo "PASS fuzz/reader_smoke (${runs:-?} executions in ${SECS}s)"
else
	printf '%s\n' "$out" | tail -30 >&2
	echo "FAIL fuzz/reader_smoke: libFuzzer found a crash (exit $st)"
fi
