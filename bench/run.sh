#!/bin/bash
# schedtape benchmarks against perf sched, trace-cmd and libbpf-tools offcputime,
# all measured in the same run on the same workloads. Needs root. Prints one
# table and rewrites docs/PERFORMANCE.md. Every figure is a median of PAIRS
# runs; every overhead a ratio of traced to untraced wall time, pair by pair.
#
#   bench/run.sh              # PAIRS=3
#   PAIRS=5 LOOPS=600000 bench/run.sh
#   TOOLS="schedtape trace-cmd" WORKLOADS=pipe ANALYSIS=0 DOC=/dev/null bench/run.sh
#
# Benchmarks are not tests: nothing here fails the build.
set -u
cd "$(dirname "$0")/.." || exit 1
ST=$PWD/schedtape
PAIRS=${PAIRS:-3}
LOOPS=${LOOPS:-600000}
MSG_LOOPS=${MSG_LOOPS:-1000}
OUT=${OUT:-bench/out}
DOC=${DOC:-docs/PERFORMANCE.md}
mkdir -p "$OUT"
rm -f "$OUT"/*.tape "$OUT"/*.data "$OUT"/*.dat

[ "$(id -u)" = 0 ] || { echo "bench: needs root" >&2; exit 1; }
[ -x "$ST" ] || { echo "bench: build first (make)" >&2; exit 1; }
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
for t in perf trace-cmd offcputime bpftrace; do
	command -v $t >/dev/null || echo "bench: $t not installed: its rows are skipped (make bench-deps)" >&2
done

WL_PIPE="taskset -c 0 perf bench sched pipe -l $LOOPS"
WL_MSG="perf bench sched messaging -g 4 -l $MSG_LOOPS"

now() { date +%s.%N; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# Wall time of a workload, in seconds.
timed() {
	local t0 t1
	t0=$(now)
	$1 >/dev/null 2>&1
	t1=$(now)
	echo "$t1 - $t0" | bc -l
}

# Start a tracer in the background and wait until it is recording.
# $1: name, then the command. Sets TPID and TLOG.
tracer_start() {
	local name=$1
	shift
	TLOG=$OUT/$name.log
	"$@" >"$TLOG" 2>&1 &
	TPID=$!
	case $name in
	schedtape*) for _ in $(seq 100); do grep -q 'recording' "$TLOG" && break; sleep 0.05; done ;;
	trace-cmd*) for _ in $(seq 100); do grep -q 'Ctrl' "$TLOG" && break; sleep 0.05; done ;;
	offcputime*) for _ in $(seq 100); do grep -q 'Tracing' "$TLOG" && break; sleep 0.05; done ;;
	*) sleep 1.5 ;;
	esac
	sleep 0.2
}

tracer_stop() {
	# /usr/bin/time ignores SIGINT while it waits: signal what it runs too.
	pkill -INT -P "$TPID" 2>/dev/null
	kill -INT "$TPID" 2>/dev/null
	wait "$TPID" 2>/dev/null
	# trace-cmd leaves tracing off when it ends here: turn it back on.
	echo 1 >/sys/kernel/tracing/tracing_on 2>/dev/null
}

# Recorders, by name: the command that records system-wide into $OUT/<name>.*
recorder_cmd() {
	case $1 in
	schedtape) echo "/usr/bin/time -f %U+%S -o $OUT/schedtape.cpu $ST record -q -f -o $OUT/schedtape.tape" ;;
	schedtape-nostacks) echo "/usr/bin/time -f %U+%S -o $OUT/schedtape-nostacks.cpu $ST record -q -f --no-stacks -o $OUT/schedtape-nostacks.tape" ;;
	perf-sched) echo "perf sched record -o $OUT/perf-sched.data" ;;
	perf-sched-g) echo "perf sched record -g -o $OUT/perf-sched-g.data" ;;
	trace-cmd) echo "trace-cmd record -d --no-filter -e sched_switch -e sched_waking -e sched_wakeup -o $OUT/trace-cmd.dat" ;;
	trace-cmd-T) echo "trace-cmd record -d --no-filter -e sched_switch -e sched_waking -e sched_wakeup -T -o $OUT/trace-cmd-T.dat" ;;
	offcputime) echo "offcputime" ;;
	bpf-empty) echo "bpftrace -e tracepoint:sched:sched_switch,tracepoint:sched:sched_waking{}" ;;
	bpf-stacks) echo "bpftrace -e tracepoint:sched:sched_switch,tracepoint:sched:sched_waking{@[kstack,ustack]=count();}" ;;
	esac
}

available() {
	case $1 in
	schedtape*) true ;;
	perf-*) command -v perf >/dev/null ;;
	trace-cmd*) command -v trace-cmd >/dev/null ;;
	offcputime) command -v offcputime >/dev/null ;;
	bpf-*) command -v bpftrace >/dev/null ;;
	esac
}

TOOLS=${TOOLS:-schedtape schedtape-nostacks perf-sched perf-sched-g trace-cmd trace-cmd-T offcputime bpf-empty bpf-stacks}
WORKLOADS=${WORKLOADS:-pipe messaging}
ANALYSIS=${ANALYSIS:-1}
declare -A RATIO EVENTS LOST BYTES CPU

overhead() {
	local wl_name=$1 wl=$2 tool=$3 ratios="" i base traced
	for i in $(seq "$PAIRS"); do
		base=$(timed "$wl")
		# shellcheck disable=SC2046
		tracer_start "$tool" $(recorder_cmd "$tool")
		if [ "$tool" = schedtape ] && [ "$wl_name" = pipe ] && [ "$i" = 1 ]; then
			sysctl -qw kernel.bpf_stats_enabled=1
			bpftool prog show --json >"$OUT/prog-before.json" 2>/dev/null
		fi
		traced=$(timed "$wl")
		if [ "$tool" = schedtape ] && [ "$wl_name" = pipe ] && [ "$i" = 1 ]; then
			bpftool prog show --json >"$OUT/prog-after.json" 2>/dev/null
			sysctl -qw kernel.bpf_stats_enabled=0
		fi
		tracer_stop
		ratios="$ratios $(echo "$traced / $base" | bc -l)"
	done
	RATIO[$wl_name,$tool]=$(echo "$ratios" | tr ' ' '\n' | grep . | median)
	# The last pair's file tells events, losses and bytes.
	case $tool in
	schedtape*)
		local j
		j=$($ST info --json "$OUT/$tool.tape" 2>/dev/null)
		EVENTS[$wl_name,$tool]=$(echo "$j" | sed -n 's/.*"events":\([0-9]*\),.*/\1/p')
		LOST[$wl_name,$tool]=$(echo "$j" | sed -n 's/.*"lost_events":\([0-9]*\).*/\1/p')
		BYTES[$wl_name,$tool]=$(stat -c %s "$OUT/$tool.tape")
		CPU[$wl_name,$tool]=$(bc -l <"$OUT/$tool.cpu" 2>/dev/null)
		;;
	perf-*)
		EVENTS[$wl_name,$tool]=$(perf report -i "$OUT/$tool.data" --stats 2>/dev/null | awk '/SAMPLE events:/ {print $3; exit}')
		LOST[$wl_name,$tool]=$(perf report -i "$OUT/$tool.data" --stats 2>/dev/null | awk '/LOST_SAMPLES events:|LOST events:/ {s += $3} END {print s + 0}')
		BYTES[$wl_name,$tool]=$(stat -c %s "$OUT/$tool.data")
		;;
	trace-cmd*)
		EVENTS[$wl_name,$tool]=$(trace-cmd report -i "$OUT/$tool.dat" 2>/dev/null | grep -c 'sched_')
		LOST[$wl_name,$tool]=$(trace-cmd report -i "$OUT/$tool.dat" --stat 2>/dev/null | awk '/overrun:/ {s += $2} END {print s + 0}')
		BYTES[$wl_name,$tool]=$(stat -c %s "$OUT/$tool.dat")
		;;
	esac
}

echo "bench: $PAIRS pairs per figure; workloads: pipe ($WL_PIPE), messaging ($WL_MSG)" >&2
for wl_name in $WORKLOADS; do
	wl=$WL_PIPE
	[ $wl_name = messaging ] && wl=$WL_MSG
	for tool in $TOOLS; do
		available "$tool" || continue
		echo "bench: $wl_name under $tool" >&2
		overhead "$wl_name" "$wl" "$tool"
	done
done

# Analysis speed on the same workload: schedtape on its pipe recording, perf on its own.
analyze_time() { # $1 label, rest: command; prints "seconds peak_kb"
	local label=$1 s m
	shift
	/usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>&1
	read -r s m <"$OUT/time.txt"
	echo "$s $m"
}
declare -A AT AM AEV
run_analysis() { # label events command...
	local label=$1 ev=$2 runs="" mems="" i r
	shift 2
	for i in $(seq "$PAIRS"); do
		r=$(analyze_time "$label" "$@")
		runs="$runs ${r% *}"
		mems="$mems ${r#* }"
	done
	AT[$label]=$(echo "$runs" | tr ' ' '\n' | grep . | median)
	AM[$label]=$(echo "$mems" | tr ' ' '\n' | grep . | median)
	AEV[$label]=$ev
}
[ "$ANALYSIS" = 1 ] && echo "bench: analysis" >&2
[ "$ANALYSIS" = 1 ] && $ST record -q -f -o "$OUT/an.tape" -- $WL_PIPE >/dev/null 2>&1
[ "$ANALYSIS" = 1 ] && an_events=$($ST info --json "$OUT/an.tape" | sed -n 's/.*"events":\([0-9]*\),.*/\1/p')
[ "$ANALYSIS" = 1 ] && run_analysis "schedtape states" "$an_events" "$ST" states "$OUT/an.tape"
[ "$ANALYSIS" = 1 ] && run_analysis "schedtape offcpu" "$an_events" "$ST" offcpu "$OUT/an.tape"
# The exports of the same recording (issues 14, 16): time, and size next to the tape's.
if [ "$ANALYSIS" = 1 ]; then
	run_analysis "export --perfetto" "$an_events" "$ST" export --perfetto --no-progress -o "$OUT/an.pftrace" "$OUT/an.tape"
	run_analysis "export --parquet" "$an_events" sh -c "rm -rf '$OUT/an-pq' && '$ST' export --parquet '$OUT/an-pq' '$OUT/an.tape'"
	run_analysis "export --format json" "$an_events" "$ST" export --format json -o "$OUT/an.json" "$OUT/an.tape"
	run_analysis "report (HTML)" "$an_events" "$ST" report -o "$OUT/an.html" "$OUT/an.tape"
	mb() { du -sb "$1" | awk '{printf "%.1f", $1 / 1048576}'; }
	export_sizes="tape $(mb "$OUT/an.tape") MiB; protobuf $(mb "$OUT/an.pftrace") MiB; parquet $(mb "$OUT/an-pq") MiB; JSON $(mb "$OUT/an.json") MiB; HTML report $(mb "$OUT/an.html") MiB"
	rm -f "$OUT/an.json"
fi
if [ "$ANALYSIS" = 1 ] && command -v perf >/dev/null; then
	perf sched record -o "$OUT/an.data" -- $WL_PIPE >/dev/null 2>&1
	perf sched record -g -o "$OUT/an-g.data" -- $WL_PIPE >/dev/null 2>&1
	ev=$(perf report -i "$OUT/an.data" --stats 2>/dev/null | awk '/SAMPLE events:/ {print $3; exit}')
	evg=$(perf report -i "$OUT/an-g.data" --stats 2>/dev/null | awk '/SAMPLE events:/ {print $3; exit}')
	run_analysis "perf sched timehist" "$ev" perf sched timehist -i "$OUT/an.data"
	run_analysis "perf sched timehist -g" "$evg" perf sched timehist -g -i "$OUT/an-g.data"
	run_analysis "perf report -g folded" "$evg" perf report -i "$OUT/an-g.data" -g folded --stdio
fi

# The flight recorder's cost (issue 15): recorder CPU per hour and peak RSS with the
# service's ring, idle and under load, beside a plain recording of the same.
FLIGHT=${FLIGHT:-1}
FLIGHT_SECS=${FLIGHT_SECS:-60}
flight_cost() { # label load(0/1) record-args...
	local label=$1 load=$2 dir="$OUT/flight" pid lpid=""
	shift 2
	rm -rf "$dir"; mkdir -p "$dir"
	"$ST" record -q "$@" 2>"$dir/err" &
	pid=$!
	sleep 2
	local t0 c0
	t0=$(now)
	c0=$(awk '{print $14 + $15}' /proc/$pid/stat)
	if [ "$load" = 1 ]; then
		(end=$(( $(date +%s) + FLIGHT_SECS )); while [ "$(date +%s)" -lt "$end" ]; do
			perf bench sched messaging -g 2 -l 2000 >/dev/null 2>&1 || "$WORKLOAD_BIN" all >/dev/null; done) &
		lpid=$!
	fi
	sleep "$FLIGHT_SECS"
	local c1 t1 hwm
	c1=$(awk '{print $14 + $15}' /proc/$pid/stat)
	t1=$(now)
	hwm=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status)
	[ -n "$lpid" ] && { kill $lpid 2>/dev/null; wait $lpid 2>/dev/null; }
	kill -INT $pid; wait $pid
	local hz secs cpu
	hz=$(getconf CLK_TCK)
	secs=$(echo "$t1 - $t0" | bc -l)
	cpu=$(echo "($c1 - $c0) / $hz" | bc -l)
	FL[$label]=$(printf "| %s | %.0f | %.2f | %.1f | %.2f%% | %.1f |" "$label" "$secs" "$cpu" \
		"$(echo "$cpu * 3600 / $secs" | bc -l)" "$(echo "$cpu * 100 / $secs" | bc -l)" \
		"$(echo "$hwm / 1024" | bc -l)")
	FLORDER="${FLORDER:-} $label"
}
WORKLOAD_BIN=$PWD/build/samples/workload
declare -A FL
if [ "$FLIGHT" = 1 ]; then
	flight_cost "ring 60s,256M, idle" 0 --ring 60s,256M -o "$OUT/flight"
	flight_cost "plain recording, idle" 0 -o "$OUT/flight/plain.tape"
	flight_cost "ring 60s,256M, under load" 1 --ring 60s,256M -o "$OUT/flight"
	flight_cost "plain recording, under load" 1 -o "$OUT/flight/plain.tape"
fi

# ns per BPF program run while recording the pipe workload.
bpf_ns=$(python3 - "$OUT/prog-before.json" "$OUT/prog-after.json" <<'EOF' 2>/dev/null
import json, sys
before = {p["id"]: p for p in json.load(open(sys.argv[1]))}
rows = []
for p in json.load(open(sys.argv[2])):
    name = p.get("name", "")
    if not (name.startswith("btf_") or name.startswith("raw_")):
        continue
    b = before.get(p["id"], {})
    runs = p.get("run_cnt", 0) - b.get("run_cnt", 0)
    ns = p.get("run_time_ns", 0) - b.get("run_time_ns", 0)
    if runs:
        rows.append("%s %.0f ns x %d" % (name, ns / runs, runs))
print("; ".join(rows))
EOF
)

# Each target of issue 6 as "figure vs bound: met / missed".
ratio_of() { [ -n "${1:-}" ] && [ -n "${2:-}" ] && echo "$1 / $2" | bc -l 2>/dev/null; }
verdict() { # value op bound
	[ -n "$1" ] || { echo "not measured"; return; }
	if [ "$(echo "$1 $2 $3" | bc -l)" = 1 ]; then echo "met"; else echo "missed"; fi
}
eps_of() { [ -n "${AT[$1]:-}" ] && echo "${AEV[$1]:-0} / ${AT[$1]}" | bc -l 2>/dev/null; }
targets() {
	local ns=${RATIO[pipe,schedtape-nostacks]:-} tc=${RATIO[pipe,trace-cmd]:-}
	local st=${RATIO[pipe,schedtape]:-} oc=${RATIO[pipe,offcputime]:-} pg=${RATIO[pipe,perf-sched-g]:-}
	local ev=${EVENTS[pipe,schedtape]:-} evn=${EVENTS[pipe,schedtape-nostacks]:-}
	local bs="" bn="" cpu="" r1="" r2=""
	[ -n "$ev" ] && bs=$(echo "${BYTES[pipe,schedtape]} / $ev" | bc -l)
	[ -n "$evn" ] && bn=$(echo "${BYTES[pipe,schedtape-nostacks]} / $evn" | bc -l)
	[ -n "$ev" ] && [ -n "${CPU[pipe,schedtape]:-}" ] && cpu=$(echo "${CPU[pipe,schedtape]} * 1000000 / $ev" | bc -l)
	r1=$(ratio_of "$(eps_of "schedtape states")" "$(eps_of "perf sched timehist")")
	r2=$(ratio_of "$(eps_of "schedtape offcpu")" "$(eps_of "perf report -g folded")")
	printf -- "- without stacks, overhead %.2f vs trace-cmd %.2f: %s\n" "${ns:-0}" "${tc:-0}" "$(verdict "$ns" "<=" "${tc:-0}")"
	printf -- "- with stacks, overhead %.2f vs offcputime %.2f: %s; vs perf sched -g %.2f: %s\n" "${st:-0}" "${oc:-0}" \
		"$(verdict "$st" "<=" "${oc:-0}")" "${pg:-0}" "$(verdict "$st" "<=" "${pg:-0}")"
	printf -- "- lost events at full rate, default buffers: %s (stacks), %s (no stacks)\n" "${LOST[pipe,schedtape]:--}" "${LOST[pipe,schedtape-nostacks]:--}"
	printf -- "- bytes/event %.2f without stacks (<= 2: %s), %.2f with (<= 4: %s)\n" "${bn:-0}" "$(verdict "$bn" "<=" 2)" "${bs:-0}" "$(verdict "$bs" "<=" 4)"
	printf -- "- recorder CPU %.3f s per M events (<= 0.2: %s)\n" "${cpu:-0}" "$(verdict "$cpu" "<=" 0.2)"
	printf -- "- states %.1fx perf sched timehist events/s (>= 10: %s); offcpu %.1fx perf report -g folded (>= 20: %s)\n" \
		"${r1:-0}" "$(verdict "$r1" ">=" 10)" "${r2:-0}" "$(verdict "$r2" ">=" 20)"
	# perf sched records about 1.7 events per schedtape event of the same run (sched_wakeup
	# beside sched_waking, and more): per recorded workload the multiple is larger.
	[ -n "${AT[schedtape states]:-}" ] && [ -n "${AT[perf sched timehist]:-}" ] &&
		printf -- "- the same workload analysed: states %.2f s, perf sched timehist %.2f s (%.1fx)\n" \
			"${AT[schedtape states]}" "${AT[perf sched timehist]}" \
			"$(echo "${AT[perf sched timehist]} / ${AT[schedtape states]}" | bc -l)"
	printf -- "- analyzer peak memory %s / %s KB (< 64 MB)\n" "${AM[schedtape states]:--}" "${AM[schedtape offcpu]:--}"
}

# --- the table ---------------------------------------------------------------
{
	echo "# Performance"
	echo
	echo "Measured by \`bench/run.sh\` ($(date -u +%Y-%m-%d), $(uname -r), $(nproc) CPUs, $PAIRS pairs per"
	echo "figure, medians). Workloads: pipe = \`$WL_PIPE\`; messaging = \`$WL_MSG\`."
	echo "Overhead is traced / untraced wall time of the workload, paired run by run."
	echo
	echo "| tool | pipe overhead | messaging overhead | pipe events | lost | bytes/event | recorder CPU s per M events |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for tool in $TOOLS; do
		available "$tool" || continue
		ev=${EVENTS[pipe,$tool]:-}
		by=${BYTES[pipe,$tool]:-}
		bpe="-"
		[ -n "$ev" ] && [ "$ev" -gt 0 ] 2>/dev/null && [ -n "$by" ] && bpe=$(echo "scale=2; $by / $ev" | bc -l)
		cpu="-"
		[ -n "${CPU[pipe,$tool]:-}" ] && [ -n "$ev" ] && [ "$ev" -gt 0 ] 2>/dev/null &&
			cpu=$(echo "scale=3; ${CPU[pipe,$tool]} * 1000000 / $ev" | bc -l)
		printf "| %s | %.2f | %.2f | %s | %s | %s | %s |\n" "$tool" "${RATIO[pipe,$tool]:-0}" \
			"${RATIO[messaging,$tool]:-0}" "${ev:--}" "${LOST[pipe,$tool]:--}" "$bpe" "$cpu"
	done
	echo
	echo "bpf-empty and bpf-stacks are the floor: bpftrace programs on the same tracepoints that do"
	echo "nothing, or only take kernel and user stacks. offcputime aggregates in the kernel and"
	echo "records nothing. perf and trace-cmd files are uncompressed as written (trace-cmd's are"
	echo "zstd by default)."
	echo
	echo "BPF cost per program run (kernel.bpf_stats_enabled) while recording pipe: ${bpf_ns:-not measured}"
	echo
	echo "| analysis | events | seconds | events/s | peak RSS MB |"
	echo "|---|---:|---:|---:|---:|"
	for label in "schedtape states" "schedtape offcpu" "export --perfetto" "export --parquet" \
		"export --format json" "report (HTML)" "perf sched timehist" "perf sched timehist -g" "perf report -g folded"; do
		[ -n "${AT[$label]:-}" ] || continue
		eps=$(echo "${AEV[$label]:-0} / ${AT[$label]}" | bc -l 2>/dev/null)
		printf "| %s | %s | %.2f | %.2f M | %.0f |\n" "$label" "${AEV[$label]}" "${AT[$label]}" \
			"$(echo "${eps:-0} / 1000000" | bc -l)" "$(echo "${AM[$label]} / 1024" | bc -l)"
	done
	echo
	echo "Export sizes of that recording: ${export_sizes:-not measured}"
	echo
	if [ -n "${FLORDER:-}" ]; then
		echo "The flight recorder (issue 15), system-wide on this host: recorder CPU (user + system)"
		echo "over ${FLIGHT_SECS} s, per hour, and peak RSS; load = \`perf bench sched messaging -g 2\` in a loop."
		echo
		echo "| recorder | seconds | CPU s | CPU s per hour | CPU | peak RSS MB |"
		echo "|---|---:|---:|---:|---:|---:|"
		for l in "ring 60s,256M, idle" "plain recording, idle" "ring 60s,256M, under load" "plain recording, under load"; do
			[ -n "${FL[$l]:-}" ] && echo "${FL[$l]}"
		done
		echo
	fi
	echo "Targets (issue 6), from the figures above:"
	echo
	targets
} >"$OUT/table.md"
cat "$OUT/table.md"
cp "$OUT/table.md" "$DOC"
echo "bench: wrote $DOC" >&2
