#!/bin/sh
# Run every test suite; each prints PASS/FAIL/SKIP lines. Ends with the totals line.
cd "$(dirname "$0")/.." || exit 1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

build/tests/unit_tests | tee -a "$log"
for t in tests/live/*.sh tests/corpus/check.sh tests/corpus/hostile.sh; do
	[ -f "$t" ] && [ "$t" != tests/live/lib.sh ] || continue
	sh "$t" 2>&1 | tee -a "$log"
done
if [ -n "$FUZZ_SMOKE" ] || [ "$CI" = true ]; then
	sh tests/fuzz/smoke.sh 2>&1 | tee -a "$log"
fi

passed=$(grep -c '^PASS ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^SKIP ' "$log")
echo
grep '^SKIP ' "$log" | sed 's/^/  /'
grep '^FAIL ' "$log" | sed 's/^/  /'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
