#!/bin/sh
# The views on a real recording: chains through the relay, the SVG rendered by
# a real browser, the Perfetto JSON checked against the trace-event format.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

TESTS="views_chains_batched views_relay_chain views_waitfor_hogs views_svg_structure views_svg_renders \
views_perfetto_json views_diff"
SUITE=view
. tests/live/lib.sh
need_recording
$ST record -q -o "$T/w.tape" -- $W all >"$T/w.out" 2>"$T/w.err" ||
	skip_all "recording failed here: $(tail -1 "$T/w.err")"
val() { sed -n "s/^$1=//p" "$T/w.out"; }

# relayA wakes relayB wakes relayC: A stands at depth 2 of C's chains.
C=$(val relayC.tid)
A=$(val relayA.tid)
$ST chains -t "$C" --json "$T/w.tape" >"$T/chains.json"
n=$(python3 -c "
import json, sys
d = json.load(open('$T/chains.json'))
print(sum(1 for c in d['chains'] if len(c['hops']) >= 3 and c['hops'][2]['tid'] == $A
          and c['hops'][1]['comm'] == 'relayB'))")
check views_relay_chain "$([ "${n:-0}" -ge 45 ]; echo $?)" "$n of 50 chains reach relayA at depth 2"

# hog1 waited for hog2 most of its waiting time.
$ST waitfor -t "$(val hog1.tid)" --json "$T/w.tape" >"$T/wait.json"
share=$(python3 -c "
import json
d = json.load(open('$T/wait.json'))
held = sum(h['held_ns'] for h in d['holders'] if h['comm'] == 'hog2')
print(int(100 * held / d['waited_ns']))")
check views_waitfor_hogs "$([ "${share:-0}" -ge 80 ]; echo $?)" "hog2 held ${share}% of hog1's waits"

# The SVG: well-formed XML with frames of each kind.
$ST flame --offwake -o "$T/wake.svg" "$T/w.tape"
ok=0
xmllint --noout "$T/wake.svg" 2>"$T/xml.err" || ok=1
frames=$(grep -c '<g class="f">' "$T/wake.svg")
[ "$frames" -ge 50 ] || ok=1
grep -q 'function zoom' "$T/wake.svg" || ok=1
grep -q '<title>pong ' "$T/wake.svg" || ok=1
check views_svg_structure $ok "$frames frames; $(head -3 "$T/xml.err")"

# A real browser draws it: the picture is not blank.
if command -v chromium >/dev/null; then
	timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$T/chrome" --window-size=1200,800 --screenshot="$T/wake.png" \
		"file://$T/wake.svg" >/dev/null 2>&1
	out=$(python3 tests/tools/png_nonblank.py "$T/wake.png" 0.10 2>&1)
	check views_svg_renders $? "$out"
else
	echo "SKIP live/views_svg_renders: chromium is not installed (make deps installs it)"
fi

# Chains in small batches (bounded memory) say exactly what one batch says.
ok=0
for m in "" --each --json --folded; do
	$ST chains $m --comm . "$T/w.tape" >"$T/c1" 2>/dev/null
	SCHEDTAPE_CHAINS_BATCH=4999 $ST chains $m --comm . "$T/w.tape" >"$T/c2" 2>/dev/null
	cmp -s "$T/c1" "$T/c2" || ok=1
done
check views_chains_batched $ok "batches of 4999 differ from one batch"

# The legacy JSON export: valid trace-event JSON with the workload's threads.
$ST export --format json -o "$T/trace.json" "$T/w.tape"
out=$(python3 tests/tools/check_trace_json.py "$T/trace.json" ping pong relayA "CPU 0" 2>&1)
check views_perfetto_json $? "$out"

# diff of a trace with itself: no deltas.
$ST diff --json "$T/w.tape" "$T/w.tape" >"$T/diff.json"
moved=$(python3 -c "
import json
d = json.load(open('$T/diff.json'))
print(sum(1 for r in d['threads'] for k, v in r.items() if k.endswith('_per_s') and v[0] != v[1]))")
check views_diff "$([ "$moved" = 0 ]; echo $?)" "$moved values differ"
