#!/bin/sh
# The HTML report (schedtape report) in a real browser: Debian's chromium driven by
# playwright-core from the npm registry (tests/npm.sh), offline, every request refused.
# tests/tools/report_check.mjs says what is checked: every section drawn, no console error,
# the tables equal to `states --json`, a click on a wait showing its waker, names that try
# to run as script shown as text. Then a 10 s system-wide recording of a busy host: the
# same checks, and the page's size bound (3 MB).
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "$MC" ] && kill $MC 2>/dev/null' EXIT
TESTS="report_sample report_firefox report_hostile report_hostile_pages report_system report_system_size"
SUITE=report
. tests/live/lib.sh

# Errors: one line naming what is wrong; no half-written page; usage errors exit 2.
ok=0 why=
msg=$($ST report -o /proc/nope.html samples/workload.tape 2>&1)
[ $? = 1 ] && [ "$(echo "$msg" | wc -l)" = 1 ] || { ok=1; why="unwritable output: $msg"; }
msg=$($ST report -o /dev/full samples/workload.tape 2>&1)
echo "$msg" | grep -q "No space left on device" || { ok=1; why="$why; /dev/full: $msg"; }
$ST report samples/workload.tape >/dev/null 2>&1; [ $? = 2 ] || { ok=1; why="$why; no -o accepted"; }
$ST report --json -o "$T/x.html" samples/workload.tape >/dev/null 2>&1; [ $? = 2 ] || { ok=1; why="$why; --json accepted"; }
$ST report --top 0 -o "$T/x.html" samples/workload.tape >/dev/null 2>&1; [ $? = 2 ] || { ok=1; why="$why; --top 0 accepted"; }
head -c 4096 /dev/urandom >"$T/bad_magic.tape"
msg=$($ST report -o "$T/bad.html" "$T/bad_magic.tape" 2>&1)
[ $? = 1 ] && [ ! -e "$T/bad.html" ] && echo "$msg" | grep -q bad_magic.tape || { ok=1; why="$why; bad trace: $msg"; }
check report_errors $ok "$why"

[ -x /usr/bin/chromium ] || skip_all "chromium is not installed (make deps installs it)"
[ -d build/node/node_modules/playwright-core ] && command -v node >/dev/null ||
	skip_all "playwright-core not installed in build/node: tests/npm.sh installs it"

# The sample trace; its screenshot is the one docs/report.png shows.
out=$($ST report -o "$T/sample.html" samples/workload.tape 2>&1 &&
	node tests/tools/report_check.mjs --screenshot "$T/sample.png" $ST samples/workload.tape "$T/sample.html" 2>&1)
check report_sample $? "$out"
[ -n "$REPORT_SCREENSHOT" ] && cp "$T/sample.png" "$REPORT_SCREENSHOT"

# Firefox (Debian's firefox-esr) draws the same page: a blank screenshot would mean its
# script failed there (headless Firefox keeps no console for a test to read).
if command -v firefox-esr >/dev/null; then
	mkdir -p "$T/ff"
	timeout 120 firefox-esr --headless --no-remote --profile "$T/ff" --window-size 1400,2400 \
		--screenshot "$T/ff.png" "file://$T/sample.html" >/dev/null 2>&1
	out=$(python3 tests/tools/png_nonblank.py "$T/ff.png" 0.25 2>&1)
	check report_firefox $? "$out"
else
	echo "SKIP live/report_firefox: firefox-esr is not installed (make deps installs it)"
fi

# Names, symbols and metadata written to break out of the page (tests/tools/mkhostile.c).
out="cannot build mkhostile" ok=1
if make --no-print-directory build/mkhostile >/dev/null 2>&1 && mkdir -p "$T/h" && build/mkhostile "$T/h"; then
	out=$($ST report -o "$T/h.html" "$T/h/script_names.tape" 2>&1 &&
		node tests/tools/report_check.mjs --hostile $ST "$T/h/script_names.tape" "$T/h.html" 2>&1) && ok=0
fi
check report_hostile $ok "$out"

# Every crafted trace the report takes: its page draws with no script error and no request.
for f in "$T"/h/*.tape; do $ST report -o "$T/h/$(basename "$f" .tape).html" "$f" >/dev/null 2>&1; done
out=$(node tests/tools/report_check.mjs --load-only "$T"/h/*.html 2>&1)
check report_hostile_pages $? "$out"

need_recording
# 10 s system-wide on a busy host: Debian's memcached under memcslap, perf's scheduler
# benchmark and a compression pipe, all at once on the 2 CPUs.
memcached -u nobody -l 127.0.0.1 -p 22197 -t 4 & MC=$!
$ST record -q -d 10 -o "$T/sys.tape" 2>"$T/sys.err" & REC=$!
sleep 0.5
memcslap --servers=127.0.0.1:22197 --concurrency=8 --execute-number=20000 >/dev/null 2>&1 &
timeout 9 perf bench sched messaging -l 100000 >/dev/null 2>&1 &
timeout 9 sh -c 'tar cf - /usr/include 2>/dev/null | gzip >/dev/null' &
wait $REC
kill $MC 2>/dev/null; MC=
wait
t0=$(date +%s%N)
out=$($ST report -o "$T/sys.html" "$T/sys.tape" 2>&1)
rc=$?
t1=$(date +%s%N)
size=$(stat -c %s "$T/sys.html" 2>/dev/null || echo 0)
[ $rc = 0 ] && out=$(node tests/tools/report_check.mjs $ST "$T/sys.tape" "$T/sys.html" 2>&1)
check report_system $? "$out"
events=$($ST info --json "$T/sys.tape" | sed -n 's/.*"events":\([0-9]*\),"events_by_type".*/\1/p')
note="$size bytes for $events events over 10 s, made in $(((t1 - t0) / 1000000)) ms"
echo "     report_system: $note"
[ "$size" -gt 0 ] && [ "$size" -le 3000000 ]
check report_system_size $? "$note: over the 3 MB bound"
