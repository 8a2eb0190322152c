#!/bin/sh
# Hostile traces (valid checksums, crafted contents: tests/tools/mkhostile.c)
# and every other corpus file, through every analyzer command: no crash, no
# run over 10 s, no RSS over 512 MB, output valid for its format
# (tests/tools/hostile_run.py). With clang, again under ASan+UBSan.
cd "$(dirname "$0")/../.." || exit 1
ST=${ST:-./schedtape}
H=build/hostile
mkdir -p "$H"
if ! make --no-print-directory build/mkhostile >/dev/null 2>"$H/build.log"; then
	echo "FAIL corpus/hostile_build: $(tail -3 "$H/build.log")"
	exit 0
fi
build/mkhostile "$H" || { echo "FAIL corpus/hostile_generate"; exit 0; }
# What some classes must say, beyond the rules every file and command obey.
expect() { # NAME WHAT-IT-MUST-SAY COMMAND...
	n=$1 want=$2
	shift 2
	out=$("$@" 2>&1)
	if printf '%s' "$out" | grep -qF -- "$want"; then
		echo "PASS corpus/hostile_says/$n"
	else
		echo "FAIL corpus/hostile_says/$n: '$*' does not say '$want': $(printf '%s' "$out" | head -3)"
	fi
}
expect zero_bomb "compression bomb" "$ST" info "$H/zero_bomb.tape"
expect wild_cpus "malformed record" "$ST" info "$H/wild_cpus.tape"
expect wild_counts_span "implausible timestamps" "$ST" info "$H/wild_counts.tape"
expect wild_counts_loss "malformed record" "$ST" info "$H/wild_counts.tape"
expect wild_meta_date "not a plausible date" "$ST" info "$H/wild_meta.tape"
expect wild_meta_escape 'evil\x1b[2J' "$ST" info "$H/wild_meta.tape"
expect no_events "(no events)" "$ST" info "$H/no_events.tape"
expect many_forks "100000 threads" "$ST" states "$H/many_forks.tape"
expect wild_cgroups_escape 'evil\x1b[2J' "$ST" states --by cgroup "$H/wild_cgroups.tape"
expect wild_cgroups_unnamed "cgroup:7" "$ST" states --by cgroup "$H/wild_cgroups.tape"

FILES="$H/*.tape tests/corpus/bad/*.tape tests/corpus/good/*.tape samples/workload.tape"
# shellcheck disable=SC2086
python3 tests/tools/hostile_run.py "$ST" $FILES
if command -v clang >/dev/null && [ -z "$NO_SANITIZE" ]; then
	if make --no-print-directory sanitize-bin >"$H/san.log" 2>&1; then
		# ASan's shadow memory and quarantine inflate RSS: its limit is not ours.
		# shellcheck disable=SC2086
		ASAN_OPTIONS=detect_leaks=0 RSS_LIMIT_MB=4096 SUITE=hostile_asan \
			python3 tests/tools/hostile_run.py build-san/schedtape $FILES
	else
		echo "FAIL corpus/hostile_asan_build: $(tail -3 "$H/san.log")"
	fi
fi
