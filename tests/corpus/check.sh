#!/bin/sh
# Good traces must read cleanly; each bad trace must give its expected error
# (NAME.expect: exit status of `schedtape info`, then text its stderr holds),
# and no command may crash on any of them.
cd "$(dirname "$0")/../.." || exit 1
ST=${ST:-./schedtape}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
CMDS="info dump states hist offcpu offwake"

for f in tests/corpus/good/*.tape; do
	n=corpus/good/$(basename "$f" .tape)
	$ST info "$f" >/dev/null 2>"$out"
	st=$?
	for c in states offcpu offwake hist "timeline -t 1"; do
		# shellcheck disable=SC2086
		$ST $c "$f" >/dev/null 2>>"$out" || st="$st/$c"
	done
	# Notes (how to name user frames) are not problems; warnings and errors are.
	if [ "$st" = 0 ] && ! grep -qv ': note: ' "$out"; then echo "PASS $n"; else echo "FAIL $n: exit $st: $(cat "$out")"; fi
done
for f in tests/corpus/bad/*.tape; do
	n=corpus/bad/$(basename "$f" .tape)
	exp=${f%.tape}.expect
	want_st=$(sed -n 1p "$exp")
	want_text=$(sed -n 2p "$exp")
	$ST info "$f" >/dev/null 2>"$out"
	st=$?
	if [ "$st" != "$want_st" ]; then
		echo "FAIL $n: exit $st, expected $want_st: $(cat "$out")"
		continue
	fi
	# An empty expected text means: nothing on stderr.
	if { [ -n "$want_text" ] && ! grep -qF "$want_text" "$out"; } ||
		{ [ -z "$want_text" ] && [ -s "$out" ]; }; then
		echo "FAIL $n: stderr lacks '$want_text': $(cat "$out")"
		continue
	fi
	crashed=""
	for c in $CMDS "timeline -t 1"; do
		# shellcheck disable=SC2086
		$ST $c "$f" >/dev/null 2>&1
		[ $? -ge 128 ] && crashed="$crashed $c"
	done
	if [ -n "$crashed" ]; then echo "FAIL $n: crashed:$crashed"; else echo "PASS $n"; fi
done
