#!/bin/sh
# The CLI as a perf / BCC user meets it (issue 18): each defect found by trying it, and the
# views perf sched has (map, latency, per-CPU), held against other views of the same trace
# (tests/tools/cli_check.py) and, for the per-CPU busy time, the kernel's /proc/stat.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "$HOG" ] && kill $HOG 2>/dev/null; [ -n "$MC" ] && kill $MC 2>/dev/null' EXIT
TESTS="cli_cpus_vs_procstat cli_diff_same_names"
SUITE=cli
. tests/live/lib.sh
S=samples/workload.tape
PY=python3

# 1. --json where the output cannot be JSON is refused, not ignored.
ok=0
for c in offcpu offwake "flame -o $T/f.svg" "report -o $T/r.html"; do
	# shellcheck disable=SC2086
	$ST $c --json $S >/dev/null 2>&1; [ $? = 2 ] || { ok=1; echo "  $c --json: not refused"; }
done
check cli_json_refused $ok "--json accepted where it is ignored"

# 2. A window past the end is an error; --end clamps (the rates of diff are per trace second).
msg=$($ST states --begin 100 $S 2>&1); st=$?
span=$($ST states --json $S | sed -n 's/.*"span_ns":\([0-9]*\).*/\1/p')
dspan=$($ST diff --json --end 100 $S $S | sed -n 's/^{"span_ns":\[\([0-9]*\),.*/\1/p')
check cli_window_clamped "$([ $st = 1 ] && echo "$msg" | grep -q "past the end" &&
	[ "$(echo "$msg" | wc -l)" = 1 ] && [ -n "$span" ] && [ "$dspan" = "$span" ]; echo $?)" \
	"exit $st: $msg; diff --end 100 spans $dspan ns, the trace $span ns"

# 3. record of nothing is an error (before any BPF: no root needed to say so).
m1=$($ST record -p 999999 -o "$T/x.tape" 2>&1); s1=$?
m2=$($ST record -o "$T/y.tape" -- 2>&1); s2=$?
check cli_record_nothing "$([ $s1 = 2 ] && [ $s2 = 2 ] && [ ! -e "$T/x.tape" ] && [ ! -e "$T/y.tape" ] &&
	echo "$m1" | grep -q "no process 999999" && echo "$m2" | grep -q "no command"; echo $?)" \
	"record -p 999999: exit $s1 ($m1); record --: exit $s2 ($m2)"

# 4. Options that pick one mode exclude each other.
ok=0
for c in "flame --offcpu --offwake -o $T/f.svg" "hist -T -P" "export --perfetto --parquet $T/pq -o $T/x"; do
	# shellcheck disable=SC2086
	m=$($ST $c $S 2>&1); [ $? = 2 ] && echo "$m" | grep -q "exclude each other" || { ok=1; echo "  $c: $m"; }
done
check cli_exclusive $ok "last option won"

# 5. dump takes the filters and --json; its lines name the threads.
SL=$($ST states --json $S | $PY -c 'import json,sys; print([r["tid"] for r in json.load(sys.stdin)["threads"] if r["comm"] == "sleeper"][0])')
n_text=$($ST dump -t "$SL" --begin 1 --end 1.5 $S | wc -l)
others=$($ST dump -t "$SL" --begin 1 --end 1.5 $S | grep -cvE "/$SL( |$)")
n_json=$($ST dump -t "$SL" --begin 1 --end 1.5 --json $S | $PY -c 'import json,sys; d=json.load(sys.stdin); print(d["count"] if d["count"] == len(d["events"]) else -1)')
frames=$($ST dump -g -t "$SL" $S | grep -c 'bpf_prog_\|bpf_trace_run')
check cli_dump_filters "$([ "$n_text" -ge 10 ] && [ "$others" = 0 ] && [ "$n_json" = "$n_text" ] &&
	[ "$frames" = 0 ] && $ST dump -t "$SL" $S | grep -q "sleeper"; echo $?)" \
	"$n_text lines ($others not naming $SL), $n_json in JSON, $frames tracer frames"

# 6. help CMD, getopt errors named and pointed to --help, regex errors, --version listed.
ok=0 why=
[ "$($ST help states)" = "$($ST states --help)" ] || { ok=1; why="help states differs"; }
m=$($ST states --bogus $S 2>&1)
echo "$m" | grep -q "^schedtape: states: unrecognized option" && echo "$m" | grep -q "Try 'schedtape states --help'" ||
	{ ok=1; why="$why; getopt: $m"; }
m=$($ST states --comm '(' $S 2>&1)
echo "$m" | grep -qi "parenthes\|unmatched" || { ok=1; why="$why; regex: $m"; }
$ST --help | grep -q -- "--version" || { ok=1; why="$why; --version not in --help"; }
check cli_help_and_errors $ok "$why"

# 7. flame --unit scales what it shows (--countname only relabelled microseconds).
$ST flame -o "$T/us.svg" $S && $ST flame --unit ms -o "$T/ms.svg" $S
us=$(grep -o '<title>[^<]* (\([0-9.]*\) us' "$T/us.svg" | head -1 | sed 's/.*(\([0-9.]*\) us/\1/')
ms=$(grep -o '<title>[^<]* (\([0-9.]*\) ms' "$T/ms.svg" | head -1 | sed 's/.*(\([0-9.]*\) ms/\1/')
check cli_flame_unit "$(awk -v u="$us" -v m="$ms" 'BEGIN { exit !(u > 0 && (u / 1000 - m) < 0.001 && (m - u / 1000) < 0.001) }';
	echo $?)" "first frame: $us us, $ms ms"

# 8. Tables fit the terminal; colour only on a terminal and never with NO_COLOR.
wide=$(COLUMNS=100 $ST states $S | sed '/^$/q' | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
note=$(COLUMNS=100 $ST states $S | grep -c "left out to fit 100 columns")
tty_esc=$(script -qc "$ST states $S" /dev/null | grep -c "$(printf '\033')\[1m")
no_esc=$(script -qc "NO_COLOR=1 $ST states $S" /dev/null | grep -c "$(printf '\033')")
pipe_esc=$($ST states $S | grep -c "$(printf '\033')")
check cli_terminal "$([ "$wide" -le 100 ] && [ "$note" = 1 ] && [ "$tty_esc" -ge 1 ] && [ "$no_esc" = 0 ] &&
	[ "$pipe_esc" = 0 ]; echo $?)" "widest table line $wide at COLUMNS=100 (note $note); ESC on a tty $tty_esc, with NO_COLOR $no_esc, piped $pipe_esc"

# 9. Progress on a terminal for the long passes (shown at once here: the sample is short),
# cleared at the end; nothing when stderr is not a terminal.
tty=$(SCHEDTAPE_PROGRESS_AFTER=0 script -qc "$ST report -o $T/p.html $S" /dev/null | tr '\r' '\n')
piped=$(SCHEDTAPE_PROGRESS_AFTER=0 $ST report -o "$T/p.html" $S 2>&1 | wc -c)
check cli_progress "$(echo "$tty" | grep -q "^schedtape report: .*%" &&
	echo "$tty" | grep -q "$(printf '\033')\[K" && [ "$piped" = 0 ]; echo $?)" \
	"on a tty: $(echo "$tty" | grep -c '%') progress lines; piped: $piped bytes"

# Views against other views of the same trace (tests/tools/cli_check.py).
for v in latency hist_ms cpu_split map timeline; do
	out=$($PY tests/tools/cli_check.py $v $ST $S 2>&1)
	check "cli_view_$v" $? "$out"
done

need_recording
# Per-CPU busy time against the kernel's own (/proc/stat) over a system-wide recording
# with one CPU kept busy by a shell loop pinned to it. The recorder runs on that CPU too:
# its own time (loading and verifying the BPF programs before the trace starts, draining
# after) is in /proc/stat but, by design, not in the trace, and there it changes nothing.
# (The kernel also counts IRQ time, which the trace cannot show: 5 points of tolerance.)
taskset -c 1 sh -c 'while :; do :; done' & HOG=$!
cat /proc/stat >"$T/stat.before"
taskset -c 1 $ST record -q -d 3 -o "$T/sys.tape" 2>"$T/rec.err"
cat /proc/stat >"$T/stat.after"
kill $HOG; HOG=
out=$($PY tests/tools/cli_check.py procstat $ST "$T/sys.tape" "$T/stat.before" "$T/stat.after" 2>&1)
check cli_cpus_vs_procstat $? "$out"
echo "     cli_cpus_vs_procstat: $out"

# diff keeps threads of one name apart, matched by order of creation: Debian's memcached
# has four worker threads of one name, kept busy a moment by memcslap.
memcached -u nobody -l 127.0.0.1 -p 22196 -t 4 & MC=$!
sleep 0.3
$ST record -q -d 2 -o "$T/mc.tape" 2>"$T/mc.err" & REC=$!
sleep 0.5
memcslap --servers=127.0.0.1:22196 --concurrency=4 --execute-number=1000 >/dev/null 2>&1
wait $REC
kill $MC; MC=
out=$($PY tests/tools/cli_check.py diff_names $ST "$T/mc.tape" mc-worker 2>&1)
check cli_diff_same_names $? "$out"
