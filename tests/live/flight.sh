#!/bin/sh
# Live tests of always-on capture: the flight recorder (--ring, triggers,
# SIGUSR1, --rotate/--keep), cgroups and containers in the file, --start-at.
# Ground truth: the spike workload's own clock (tests/tools/spike.c), the
# kernel's schedstat of the workload's threads, the cgroups the test made.
# Needs root and BPF: without them every test here is a SKIP with the reason.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
CGS=""
cleanup() {
	for c in $CGS; do rmdir "$c" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

TESTS="ring_trigger_once ring_trigger_window ring_trigger_states ring_signal_dumps ring_exit_dump \
ring_file_modes ring_sleep_trigger ring_rss_bound rotate_keep cgroup_split cgroup_truth container_named hist_by_cgroup \
cgroup_record_keeps_wakers \
start_at_aligned flight_usage_errors systemd_unit"
SUITE=flight
. tests/live/lib.sh
need_recording

J="python3 -c"
meta() { $ST info --json "$1" | $J "import json,sys; print(json.load(sys.stdin)['meta'].get('$2',''))"; }
count() { ls "$T/$1" 2>/dev/null | grep -c -- "$2"; }

# --- usage errors: one line, exit 2 -------------------------------------------
ok=0
for args in "--trigger runnable>1ms" "--ring 30s --trigger nap>1ms" "--ring 30s --trigger runnable>fast" \
	"--ring 5s --pre 10s --trigger runnable>1ms" "--ring 1ms" "--rotate 10K" "--ring 30s -o -" \
	"--keep 3" "--start-at 12" "--start-at +0:0:x" "--ring 30s -f"; do
	$ST record $args -d 1 >"$T/u.out" 2>"$T/u.err"
	st=$?
	if [ $st != 2 ] || [ "$(wc -l <"$T/u.err")" -gt 2 ]; then
		ok=1
		echo "record $args: exit $st: $(cat "$T/u.err")" >&2
	fi
done
check flight_usage_errors $ok "see stderr"

# --- the spike: a 60 s run, a 50 ms wait for a CPU at 40 s ----------------------
cc -O2 -o "$T/spike" tests/tools/spike.c -lpthread || skip_all "cannot build tests/tools/spike.c"
mkdir "$T/ring"
# A shared host can stall the victim's CPU by itself (a VM's vCPU descheduled: CI saw a
# real 169 ms wait at 15 s): the cooldown is short, so such a wait cannot hide the spike,
# and the test wants exactly one dump for the spike, whatever else the host did.
$ST record --ring 30s,16M -b 2M -o "$T/ring" --trigger 'runnable>30ms,comm=^victim$' \
	--pre 5s --post 2s --cooldown 1s -- "$T/spike" 60 40 50 1 >"$T/spike.out" 2>"$T/ring.err" &
rec=$!
sleep 15
kill -USR1 $rec
sleep 30
kill -USR1 $rec
wait $rec
rst=$?
programs_left || echo "FAIL live/no_programs_left_flight: programs still loaded after the flight recorder"
[ $rst = 0 ] || { cat "$T/ring.err" >&2; fail ring_trigger_once "recorder exit $rst"; }
victim=$(sed -n 's/^victim.tid=//p' "$T/spike.out")
s0=$(sed -n 's/^spike_start_ns=//p' "$T/spike.out")
s1=$(sed -n 's/^spike_end_ns=//p' "$T/spike.out")

# The spike's dump: the one whose wait ended within the spike (to 5 ms after it).
trig="" n=0 others=""
for f in "$T/ring"/*-trigger.tape; do
	[ -f "$f" ] || continue
	e=$(meta "$f" trigger_ts)
	if [ "$e" -ge "$s0" ] && [ "$e" -le $((s1 + 5000000)) ]; then
		trig=$f
		n=$((n + 1))
	else
		others="$others $(meta "$f" trigger_wait_ns)ns@$(( (e - s0) / 1000000 ))ms"
	fi
done
[ -n "$others" ] && echo "  flight: trigger dumps besides the spike's (the host's own waits):$others" >&2
check ring_trigger_once "$([ "$n" = 1 ] && [ "$(meta "$trig" trigger_tid)" = "$victim" ]; echo $?)" \
	"$n trigger dumps for the spike (others:$others); trigger_tid $(meta "$trig" trigger_tid), victim $victim; $(cat "$T/ring.err")"

# The window: from the wait's start - 5 s to its end + 2 s, by the workload's own clock.
from=$(meta "$trig" start_ts)
tts=$(meta "$trig" trigger_ts)
wait_ns=$(meta "$trig" trigger_wait_ns)
$ST info --json "$trig" >"$T/trig.json"
first=$($J "import json; print(json.load(open('$T/trig.json'))['first_ts'])" 2>/dev/null)
last=$($J "import json; print(json.load(open('$T/trig.json'))['last_ts'])" 2>/dev/null)
end=$($J "import json; print(json.load(open('$T/trig.json'))['stats']['end_ts'])" 2>/dev/null)
$J "
s0,s1,fr,to,tts,w,first,last=$s0,$s1,$from,$end,$tts,$wait_ns,$first,$last
ms=1e6
bad=[]
if not (45*ms <= w <= 60*ms): bad.append('wait %.3f ms, want ~50' % (w/ms))
if abs((s0 - 5e9) - fr) > 5*ms: bad.append('start %.3f ms from spike_start - 5 s' % (((s0-5e9)-fr)/ms))
if abs((s1 + 2e9) - to) > 5*ms: bad.append('end %.3f ms from spike_end + 2 s' % (((s1+2e9)-to)/ms))
if fr != tts - w - 5e9 or to != tts + 2e9: bad.append('window not [wait start - pre, end + post]')
if first < fr or first - fr > 200*ms: bad.append('first event %.3f ms after the start' % ((first-fr)/ms))
if last > to: bad.append('an event after the end')
print('; '.join(bad)); raise SystemExit(1 if bad else 0)
" >"$T/win.txt"
check ring_trigger_window $? "$(cat "$T/win.txt")"

# The dump alone shows the wait: states and latency on the victim.
$ST states -t "$victim" --json "$trig" >"$T/v.json"
$ST latency -t "$victim" --json "$trig" >"$T/vl.json" 2>/dev/null
$J "
import json
v=json.load(open('$T/v.json'))['threads'][0]
w=$wait_ns; fr=$from; s0=$s0
bad=[]
if abs(v['max_runnable_ns'] - w) > 2e6: bad.append('max wait %.3f ms vs the kernel %.3f ms' % (v['max_runnable_ns']/1e6, w/1e6))
if v['comm'] != 'victim': bad.append('comm ' + v['comm'])
print('; '.join(bad)); raise SystemExit(1 if bad else 0)
" >"$T/vs.txt"
check ring_trigger_states $? "$(cat "$T/vs.txt") $(head -c 300 "$T/v.json")"

# SIGUSR1 twice, 30 s apart with a 30 s ring: two windows, each whole, not overlapping.
ok=0
sigs=$(ls "$T/ring"/*-signal.tape 2>/dev/null)
[ "$(echo "$sigs" | grep -c tape)" = 2 ] || ok=1
prev_end=0
for f in $sigs; do
	$ST info --json "$f" >"$T/s.json" || ok=1
	grep -q '"finalized":true' "$T/s.json" || ok=1
	$ST states "$f" >/dev/null || ok=1
	$ST timeline -t "$victim" "$f" >/dev/null || ok=1
	st=$(meta "$f" start_ts)
	en=$($J "import json; print(json.load(open('$T/s.json'))['stats']['end_ts'])")
	[ $((en - st)) -le 30100000000 ] || ok=1
	[ "$st" -ge "$prev_end" ] || ok=1
	prev_end=$en
done
check ring_signal_dumps $ok "$(ls "$T/ring") $(cat "$T/ring.err")"

ex=$(ls "$T/ring"/*-exit.tape 2>/dev/null)
check ring_exit_dump "$([ -n "$ex" ] && $ST info "$ex" | grep -q finalized &&
	$ST states -c victim "$ex" | grep -q victim; echo $?)" "$(ls "$T/ring")"

ok=0
for f in "$T/ring"/*.tape; do [ "$(stat -c %a "$f")" = 600 ] || ok=1; done
check ring_file_modes $ok "$(stat -c '%a %n' "$T/ring"/*.tape)"

# --- a sleep trigger: the BPF side's time asleep, against what the command asked ------
mkdir "$T/sl"
$ST record -q --ring 20s -o "$T/sl" --trigger 'sleep>300ms,comm=^sleep$' --pre 1s --post 500ms \
	-- sh -c 'sleep 0.1; sleep 0.5; sleep 0.1' 2>"$T/sl.err"
sf=$(ls "$T/sl"/*-trigger.tape 2>/dev/null)
n=$(count sl -trigger.tape)
w=$( [ -n "$sf" ] && meta "$sf" trigger_wait_ns)
check ring_sleep_trigger "$([ "$n" = 1 ] && [ "$(meta "$sf" trigger_kind)" = sleep ] &&
	[ "${w:-0}" -ge 495000000 ] && [ "${w:-0}" -le 530000000 ]; echo $?)" \
	"$n trigger dumps, slept ${w:-?} ns for 'sleep 0.5'; $(cat "$T/sl.err")"

# --- memory: a 1 MiB ring under load keeps 1 MiB, whatever the events ----------------
mkdir "$T/rss"
# A 2 MiB writer queue: the ring must empty it as it takes chunks, or the
# recorder would soon drop everything as "writer behind".
SCHEDTAPE_QUEUE_BYTES=2097152 $ST record --ring 60s,1M -o "$T/rss" -d 12 >"$T/rss.out" 2>&1 &
rec=$!
sleep 1
end=$(($(date +%s) + 9))
while [ "$(date +%s)" -lt "$end" ]; do $W all >/dev/null; done &
load=$!
hwm=0
while kill -0 $rec 2>/dev/null; do
	h=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$rec/status 2>/dev/null)
	[ -n "$h" ] && hwm=$h
	sleep 0.5
done
wait $rec
wait $load
rf=$(ls "$T/rss"/*-exit.tape)
ev=$($ST info --json "$rf" | $J "import json,sys; print(json.load(sys.stdin)['events'])")
# The size bound dropped the oldest chunks: the dump starts after the recording did.
evicted=$(( $(meta "$rf" start_ts) - $(meta "$rf" recording_start_ts) ))
# The bound: the ring (1 MiB) plus 40 MiB for the recorder itself (libbpf, BTF, buffers).
check ring_rss_bound "$([ "$hwm" -gt 0 ] && [ "$hwm" -le $((1024 + 40960)) ] &&
	[ "$evicted" -gt 1000000000 ] && grep -q 'no events lost' "$T/rss.out"; echo $?)" \
	"VmHWM $hwm kB for a 1 MiB ring; exit dump $ev events, from $evicted ns after the start; $(cat "$T/rss.out")"
echo "  flight: VmHWM ${hwm} kB with --ring 60s,1M under load; exit dump: $ev events, starting $((evicted / 1000000)) ms into the recording" >&2

# --- rotation: files of 256 KiB, the newest 2 kept, each standalone ---------------
mkdir "$T/rot"
$ST record --rotate 256K --keep 2 -o "$T/rot" -- sh -c "for i in 1 2; do $W all >/dev/null; done" \
	>"$T/rot.out" 2>"$T/rot.err"
ok=0
n=$(ls "$T/rot" | grep -c 'rotate.tape')
written=$(grep -c 'rotate: wrote' "$T/rot.err")
[ "$n" = 2 ] && [ "$written" -ge 3 ] || ok=1
prev_end=0
for f in $(ls "$T/rot"/*.tape | sort); do
	$ST info --json "$f" >"$T/r.json" || ok=1
	grep -q '"finalized":true' "$T/r.json" || ok=1
	$ST states "$f" >/dev/null || ok=1
	st=$(meta "$f" start_ts)
	[ "$st" -gt "$prev_end" ] || ok=1
	prev_end=$($J "import json; print(json.load(open('$T/r.json'))['stats']['end_ts'])")
done
check rotate_keep $ok "$n files kept of $written written: $(ls "$T/rot") $(cat "$T/rot.err")"

# --- cgroups: two workloads in two cgroups made here, one named as a container --------
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
ID=$(printf '%064d' 0 | tr 0 c)
ID12=$(echo "$ID" | cut -c1-12)
A="$CG/schedtape-a-$$"
B="$CG/schedtape-slice-$$.slice/docker-$ID.scope"
if [ -n "$CG" ] && mkdir "$A" 2>/dev/null && mkdir -p "$B" 2>/dev/null; then
	CGS="$B $CG/schedtape-slice-$$.slice $A"
	$ST record -q -o "$T/cg.tape" -d 5 2>"$T/cg.err" &
	rec=$!
	sleep 1.5
	sh -c "echo \$\$ > $A/cgroup.procs; exec $W hogs" >"$T/a.out" &
	pa=$!
	sh -c "echo \$\$ > $B/cgroup.procs; exec $W pingpong" >"$T/b.out" &
	pb=$!
	wait $pa $pb $rec
	pathA="/schedtape-a-$$"
	pathB="/schedtape-slice-$$.slice/docker-$ID.scope"
	$ST states --cgroup "$pathA" --json "$T/cg.tape" >"$T/sa.json"
	$ST states --cgroup "/schedtape-slice-$$.slice" --json "$T/cg.tape" >"$T/sb.json"
	$ST states --json "$T/cg.tape" >"$T/sall.json"
	# Before moving, the workloads' shells were where this script runs.
	here=$(sed -n 's/^0:://p' /proc/self/cgroup)
	$ST states --cgroup "^$here\$" --json "$T/cg.tape" >"$T/sroot.json"
	$ST states --by container --json "$T/cg.tape" >"$T/sc.json"
	$ST states --container "$ID12" --json "$T/cg.tape" >"$T/sd.json"
	$J "
import json
def rows(f): return json.load(open(f))['threads']
def kv(f):
    d={}
    for l in open(f):
        k,_,v=l.strip().partition('='); d[k]=v
    return d
a,b,al,root=rows('$T/sa.json'),rows('$T/sb.json'),rows('$T/sall.json'),rows('$T/sroot.json')
pa,pb=$pa,$pb
bad=[]
if {r['pid'] for r in a}!={pa}: bad.append('--cgroup A has pids %s, want %d' % (sorted({r['pid'] for r in a}),pa))
if {r['pid'] for r in b}!={pb}: bad.append('--cgroup B has pids %s, want %d' % (sorted({r['pid'] for r in b}),pb))
both=[r for r in al if r['pid'] in (pa,pb)]
key=lambda r:(r['tid'],r['generation'])
if sorted(map(key,a+b))!=sorted(map(key,both)): bad.append('A and B do not hold the two processes threads')
# Exactly split: a thread's time in its cgroup plus its time before it moved there (in the root) is all of it.
for o in both:
    mine=[x for x in a+b if key(x)==key(o)]
    before=[x for x in root if key(x)==key(o)]
    for k in ('run_ns','runnable_ns','sleep_ns','block_ns','unknown_ns','switches'):
        if sum(x[k] for x in mine+before)!=o[k]: bad.append('%s %s: %d in cgroups, %d in all' % (o['tid'],k,sum(x[k] for x in mine+before),o[k]))
for r in a+b:
    want='$pathA' if r['pid']==pa else '$pathB'
    if r['cgroup']!=want: bad.append('tid %d cgroup %s, want %s' % (r['tid'],r['cgroup'],want))
print('; '.join(bad[:6])); raise SystemExit(1 if bad else 0)
" >"$T/split.txt"
	check cgroup_split $? "$(cat "$T/split.txt")"
	# The kernel's own runtime of each worker thread, against the cgroup's rows.
	$J "
import json
def kv(f):
    d={}
    for l in open(f):
        k,_,v=l.strip().partition('='); d[k]=v
    return d
bad=[]
for f,js,names in (('$T/a.out','$T/sa.json',('hog1','hog2')),('$T/b.out','$T/sb.json',('ping','pong'))):
    k=kv(f); rows={r['tid']:r for r in json.load(open(js))['threads']}
    for n in names:
        tid=int(k[n+'.tid']); kr=int(k[n+'.k_run_ns'])
        if tid not in rows: bad.append('%s (tid %d) not in its cgroup' % (n,tid)); continue
        run=rows[tid]['run_ns']
        if abs(run-kr) > max(0.02*kr, 5e6): bad.append('%s run %.1f ms, kernel %.1f ms' % (n,run/1e6,kr/1e6))
print('; '.join(bad)); raise SystemExit(1 if bad else 0)
" >"$T/truth.txt"
	check cgroup_truth $? "$(cat "$T/truth.txt")"
	$J "
import json
c=[r for r in json.load(open('$T/sc.json'))['containers'] if r['container']=='docker:$ID12']
d=json.load(open('$T/sd.json'))['threads']
ok=len(c)==1 and {r['pid'] for r in d}=={$pb} and all(r['container']=='docker:$ID12' for r in d)
print(c, [r['pid'] for r in d]); raise SystemExit(0 if ok else 1)
" >"$T/cn.txt"
	check container_named $? "$(cat "$T/cn.txt")"
	# hist per cgroup: each group's waits are those --cgroup selects.
	$ST hist --by cgroup --json "$T/cg.tape" >"$T/hb.json"
	$ST hist --cgroup "$pathA" --json "$T/cg.tape" >"$T/ha.json"
	$J "
import json
g=[h for h in json.load(open('$T/hb.json'))['histograms'] if h['cgroup']=='$pathA']
a=json.load(open('$T/ha.json'))['histograms'][0]
ok=len(g)==1 and g[0]['count']==a['count'] and g[0]['total_ns']==a['total_ns'] and a['count']>0
print(len(g), g and g[0]['count'], a['count']); raise SystemExit(0 if ok else 1)
" >"$T/hb.txt"
	check hist_by_cgroup $? "$(cat "$T/hb.txt")"
	# record -G: a reader in the cgroup, woken by a writer outside it. The wakeups
	# name the writer; per-thread reports leave the writer (outside) out.
	mkfifo "$T/fifo"
	sh -c "echo \$\$ > $A/cgroup.procs; exec cat $T/fifo" >/dev/null &
	reader=$!
	sleep 0.2
	$ST record -q -G "$A" -d 2 -o "$T/g.tape" 2>"$T/g.err" &
	rec=$!
	sleep 0.5
	sh -c 'echo $$ >'"$T/writer.pid"'; i=0; while [ $i -lt 20 ]; do echo x; sleep 0.02; i=$((i + 1)); done' >"$T/fifo"
	wait $rec $reader
	writer=$(cat "$T/writer.pid")
	$ST timeline -t "$reader" --json "$T/g.tape" >"$T/g.json" 2>>"$T/g.err"
	$ST states --json "$T/g.tape" >"$T/gs.json" 2>>"$T/g.err"
	$J "
import json
iv=json.load(open('$T/g.json'))['intervals']
woken=[i for i in iv if i.get('waker_pid')==$writer]
rows=json.load(open('$T/gs.json'))['threads']
ok=len(woken)>=10 and all(r['pid']!=$writer for r in rows) and any(r['tid']==$reader for r in rows)
print('%d wakeups of the reader by the writer %d outside; states pids %s' % (len(woken),$writer,sorted({r['pid'] for r in rows})))
raise SystemExit(0 if ok else 1)
" >"$T/gw.txt"
	check cgroup_record_keeps_wakers $? "$(cat "$T/gw.txt" "$T/g.err")"
else
	for t in cgroup_split cgroup_truth container_named hist_by_cgroup cgroup_record_keeps_wakers; do
		echo "SKIP live/$t: no writable cgroup v2 hierarchy here"
	done
fi

# --- two recorders, one instant ------------------------------------------------------
$ST record -q --start-at +2 -d 1 -o "$T/s1.tape" 2>"$T/s1.err" &
r1=$!
$ST record -q --start-at +2 -d 1 -o "$T/s2.tape" 2>"$T/s2.err" &
r2=$!
wait $r1 $r2
$J "
import json,subprocess
def info(f): return json.loads(subprocess.check_output(['$ST','info','--json',f]))
a,b=info('$T/s1.tape'),info('$T/s2.tape')
sa,sb=int(a['meta']['start_ts']),int(b['meta']['start_ts'])
at=a['meta']['start_at']
want=float(at)*1e9
wall=sa+int(a['meta']['clock_offset_ns'])
bad=[]
if a['meta']['start_at']!=b['meta']['start_at']: bad.append('asked for different instants')
if abs(sa-sb)>10e6: bad.append('starts %.3f ms apart' % (abs(sa-sb)/1e6))
if abs(a['first_ts']-b['first_ts'])>10e6: bad.append('first events %.3f ms apart' % (abs(a['first_ts']-b['first_ts'])/1e6))
if abs(wall-want)>10e6: bad.append('started %.3f ms from the instant' % ((wall-want)/1e6))
if int(round(want/1e9))%2: bad.append('instant %s is not a multiple of 2 s' % at)
print('; '.join(bad) or 'starts %.3f ms apart' % (abs(sa-sb)/1e6)); raise SystemExit(1 if bad else 0)
" >"$T/sa.txt"
check start_at_aligned $? "$(cat "$T/sa.txt" "$T/s1.err" "$T/s2.err")"

# --- the unit in the tree checks out with systemd's own verifier -------------------
if command -v systemd-analyze >/dev/null; then
	sed "s|/usr/bin/schedtape|$(pwd)/schedtape|" packaging/schedtape-flight.service >"$T/schedtape-flight.service"
	systemd-analyze verify --man=no "$T/schedtape-flight.service" >"$T/sd.out" 2>&1
	st=$?
	# And the recorder takes its command line: run it for 2 s into a scratch directory.
	mkdir "$T/unit"
	cmd=$(sed -n 's/^ExecStart=//p' packaging/schedtape-flight.service |
		sed "s|/usr/bin/schedtape|$ST|; s|/var/lib/schedtape|$T/unit|")
	$cmd -d 2 >>"$T/sd.out" 2>&1
	ust=$?
	check systemd_unit "$([ $st = 0 ] && [ $ust = 0 ] && ls "$T/unit" | grep -q exit.tape &&
		! grep -qi 'unknown\|invalid' "$T/sd.out"; echo $?)" "verify $st, run $ust: $(cat "$T/sd.out")"
else
	echo "SKIP live/systemd_unit: systemd-analyze not installed"
fi
