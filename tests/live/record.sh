#!/bin/sh
# Live tests: record the sample workloads with real BPF and check the files.
# Needs root (or CAP_BPF+CAP_PERFMON) and kernel BTF; without them every test
# here is reported as SKIP with the reason, never as PASS.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

TESTS="record_workload file_mode info_finalized sleeper_stacks pong_waker no_recorder_events \
embedded_symbols tiny_buffer_losses sigkill_readable sigint_finalized refuses_overwrite refuses_symlink \
pid_filter stdout_pipe cgroup_filter no_caps_error kernel_names_both_ways raw_tp_fallback no_programs_left"

SUITE=recorder
. tests/live/lib.sh
need_recording

left_ok=0

# 1. The whole workload, recorded as a command.
if ! $ST record -q -o "$T/w.tape" -- $W all >"$T/w.out" 2>"$T/w.err"; then
	cat "$T/w.err" >&2
	skip_all "recording failed here: $(tail -1 "$T/w.err")"
fi
programs_left || left_ok=1
pass record_workload

mode=$(stat -c %a "$T/w.tape")
check file_mode "$([ "$mode" = 600 ]; echo $?)" "mode $mode, want 600"

$ST info --json "$T/w.tape" >"$T/info.json"
ok=0
grep -q '"finalized":true' "$T/info.json" || ok=1
grep -q '"lost_events":0' "$T/info.json" || ok=1
grep -q '"host":' "$T/info.json" || ok=1
grep -q '"maps":0' "$T/info.json" && ok=1
grep -q '"tasks":0' "$T/info.json" && ok=1
check info_finalized $ok "$(cat "$T/info.json")"

tid() { sed -n "s/^$1.tid=//p" "$T/w.out"; }
SL=$(tid sleeper)
PING=$(tid ping)
PONG=$(tid pong)
$ST dump -g --local-binaries "$T/w.tape" >"$T/dump.txt"

# The sleeper's switch-outs carry the nanosleep path and the workload's own function.
awk -v t="/$SL S " 'index($0, t) && /switch/ {on=1; print; next} /^\t/ && on {print; next} {on=0}' \
	"$T/dump.txt" >"$T/sleeper.txt"
ok=0
n=$(grep -c switch "$T/sleeper.txt")
[ "$n" -ge 45 ] || ok=1
grep -q 'do_nanosleep' "$T/sleeper.txt" || ok=1
grep -q 'sleeper_main' "$T/sleeper.txt" || ok=1
check sleeper_stacks $ok "$n sleeper switch-outs; stacks: $(head -20 "$T/sleeper.txt")"

# Every wakeup of pong names ping.
grep -E "waking .* wakes [^ ]+ [0-9]+/$PONG " "$T/dump.txt" >"$T/pong.txt"
total=$(wc -l <"$T/pong.txt")
byping=$(grep -cE "waking +[^ ]+ [0-9]+/$PING wakes" "$T/pong.txt")
check pong_waker "$([ "$total" -ge 1000 ] && [ "$total" = "$byping" ]; echo $?)" \
	"$byping of $total pong wakeups by ping"

# Nothing in the file is about the recorder itself.
REC=$(sed -n 's/.*"recorder_pid":"\([0-9]*\)".*/\1/p' "$T/info.json")
bad=$(grep -cE "wakes [^ ]+ $REC/|(exec|exit|rename) +$REC/|fork +[^ ]+ $REC/|switch +[^ ]+ $REC/[0-9]+ . prio=[0-9]+ => [^ ]+ $REC/" \
	"$T/dump.txt")
check no_recorder_events "$([ -n "$REC" ] && [ "$bad" = 0 ]; echo $?)" \
	"recorder pid '$REC': $bad events"

# --symbols=embed names user frames in the file itself.
$ST record -q --symbols=embed -o "$T/sym.tape" -- $W sleeper >/dev/null 2>&1
programs_left || left_ok=1
usyms=$($ST info --json "$T/sym.tape" | sed -n 's/.*"usyms":\([0-9]*\).*/\1/p')
check embedded_symbols "$([ "${usyms:-0}" -gt 0 ]; echo $?)" "usyms=${usyms:-?}"

# 2. A one-page buffer under a heavy workload must lose events, and say so.
# Three ping-pong pairs on two CPUs starve the niced reader.
nice -n 19 $ST record -q -b 4K -o "$T/tiny.tape" -- \
	sh -c "$W pingpong & $W pingpong & $W pingpong; wait" >/dev/null 2>"$T/tiny.err"
programs_left || left_ok=1
$ST info --json "$T/tiny.tape" >"$T/tiny.json" 2>&1
lost=$(sed -n 's/.*"lost_events":\([0-9]*\).*/\1/p' "$T/tiny.json")
ok=0
[ "${lost:-0}" -gt 0 ] || ok=1
grep -q '"losses":\[{"cpu"' "$T/tiny.json" || ok=1
grep -q 'LOST' "$T/tiny.err" || ok=1
$ST info "$T/tiny.tape" | grep -q "^losses: .* events in" || ok=1
check tiny_buffer_losses $ok "lost=$lost; $(cat "$T/tiny.err")"

# 3. SIGKILL leaves a readable, unfinalized file.
$W all >/dev/null &
wl=$!
$ST record -q -o "$T/kill.tape" >/dev/null 2>&1 &
rec=$!
sleep 1.5
kill -KILL $rec
wait $rec 2>/dev/null
wait $wl
programs_left || left_ok=1
$ST info --json "$T/kill.tape" >"$T/kill.json" 2>"$T/kill.err"
st=$?
ev=$(sed -n 's/.*"events":\([0-9]*\),.*/\1/p' "$T/kill.json")
check sigkill_readable "$([ $st = 0 ] && grep -q '"finalized":false' "$T/kill.json" &&
	[ "${ev:-0}" -gt 0 ]; echo $?)" "exit $st, events ${ev:-?}: $(cat "$T/kill.err")"

# 4. SIGINT finalizes.
$ST record -q -o "$T/int.tape" 2>"$T/int.err" &
rec=$!
sleep 1
kill -INT $rec
wait $rec
st=$?
programs_left || left_ok=1
check sigint_finalized "$([ $st = 0 ] && $ST info --json "$T/int.tape" |
	grep -q '"finalized":true'; echo $?)" "exit $st: $(cat "$T/int.err")"

# 5. Existing files and planted symlinks are not written through.
$ST record -q -d 0.2 -o "$T/int.tape" 2>"$T/ow.err"
st=$?
check refuses_overwrite "$([ $st != 0 ] && grep -q 'exists' "$T/ow.err"; echo $?)" \
	"exit $st: $(cat "$T/ow.err")"
ln -s "$T/victim" "$T/link.tape"
$ST record -q -f -d 0.2 -o "$T/link.tape" 2>"$T/ln.err"
st=$?
check refuses_symlink "$([ $st != 0 ] && [ ! -e "$T/victim" ]; echo $?)" \
	"exit $st: $(cat "$T/ln.err")"

# 6. -p follows one process (and only it, beside what ran next to it).
$W sleeper >"$T/p.out" &
wl=$!
sleep 0.2
$ST record -q -p $wl -d 0.6 -o "$T/p.tape" 2>/dev/null
wait $wl
programs_left || left_ok=1
$ST dump "$T/p.tape" >"$T/p.txt"
others=$(grep -E 'waking' "$T/p.txt" | grep -cvE "wakes [^ ]+ $wl/")
mine=$(grep -cE "wakes [^ ]+ $wl/" "$T/p.txt")
check pid_filter "$([ "$mine" -ge 10 ] && [ "$others" = 0 ]; echo $?)" \
	"$mine wakeups of $wl, $others of others"

# 7. -o - streams into a pipe that another schedtape reads.
$ST record -q -o - -- $W sleeper 2>/dev/null | $ST info --json - >"$T/pipe.json" 2>"$T/pipe.err"
check stdout_pipe "$(grep -q '"finalized":true' "$T/pipe.json"; echo $?)" \
	"$(cat "$T/pipe.err") $(head -c 300 "$T/pipe.json")"

# 8. --cgroup follows what runs in a cgroup v2 directory.
CG=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$CG" ] && mkdir "$CG/schedtape-test-$$" 2>/dev/null; then
	CG="$CG/schedtape-test-$$"
	sh -c "echo \$\$ > $CG/cgroup.procs; exec $W sleeper" >"$T/cg.out" &
	wl=$!
	sleep 0.2
	$ST record -q -G "$CG" -d 0.6 -o "$T/cg.tape" 2>/dev/null
	wait $wl
	programs_left || left_ok=1
	rmdir "$CG"
	$ST dump "$T/cg.tape" >"$T/cg.txt"
	others=$(grep -E 'waking' "$T/cg.txt" | grep -cvE "wakes [^ ]+ $wl/")
	mine=$(grep -cE "wakes [^ ]+ $wl/" "$T/cg.txt")
	check cgroup_filter "$([ "$mine" -ge 10 ] && [ "$others" = 0 ]; echo $?)" \
		"$mine wakeups of $wl, $others of others"
else
	echo "SKIP live/cgroup_filter: no writable cgroup v2 hierarchy here"
fi

# 9. Without the capabilities: one clear line, non-zero, no file left.
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		$ST record -d 0.5 -o /tmp/schedtape-nocaps-$$.tape >"$T/nc.out" 2>"$T/nc.err"
	st=$?
	check no_caps_error "$([ $st != 0 ] && [ "$(wc -l <"$T/nc.err")" = 1 ] &&
		grep -q 'CAP_BPF' "$T/nc.err" && [ ! -e /tmp/schedtape-nocaps-$$.tape ]; echo $?)" \
		"exit $st: $(cat "$T/nc.err")"
else
	echo "SKIP live/no_caps_error: setpriv not installed"
fi

# 10. Kernel frames are named whether asked of the kernel one by one (the
# ksym_lookup program) or read from /proc/kallsyms (kernels before 5.14), alike.
ok=0
msg=""
for how in lookup kallsyms; do
	if [ $how = kallsyms ]; then export SCHEDTAPE_KALLSYMS=1; fi
	$ST record -q -f -o "$T/k-$how.tape" -- sleep 0.2 2>"$T/k-$how.err" || ok=1
	unset SCHEDTAPE_KALLSYMS
	# The kernel frames of the sleep's switch-outs, each name once.
	$ST dump -g "$T/k-$how.tape" | awk '!/^\t/ {on = $3 == "switch" && $6 == "S"} /^\t/ && on && $1 ~ /^ffff/ {print $2}' |
		grep -v '^bpf_prog_' | sort -u >"$T/k-$how.names"
	grep -qx do_nanosleep "$T/k-$how.names" || ok=1
	msg="$msg $how: $(wc -l <"$T/k-$how.names") names;"
done
# Aliases at one address may be named either way: compare what both named.
[ "$(comm -3 "$T/k-lookup.names" "$T/k-kallsyms.names" | wc -l)" -le 2 ] || ok=1
check kernel_names_both_ways $ok "$msg $(comm -3 "$T/k-lookup.names" "$T/k-kallsyms.names" | head -5)"

# 11. The raw_tp set, loaded where tp_btf cannot be, records the same things.
SCHEDTAPE_RAW_TP=1 $ST record -q -o "$T/raw.tape" -- $W sleeper >"$T/raw.out" 2>"$T/raw.err"
st=$?
RSL=$(sed -n 's/^sleeper.tid=//p' "$T/raw.out")
$ST dump -g --no-trim --local-binaries "$T/raw.tape" 2>/dev/null |
	awk -v t="/$RSL S " 'index($0, t) && /switch/ {on=1; print; next} /^\t/ && on {print; next} {on=0}' \
	>"$T/raw.txt"
n=$(grep -c switch "$T/raw.txt")
check raw_tp_fallback "$([ $st = 0 ] && [ "$n" -ge 45 ] && grep -q 'raw_sched_switch' "$T/raw.txt" &&
	grep -q do_nanosleep "$T/raw.txt" && grep -q sleeper_main "$T/raw.txt"; echo $?)" \
	"exit $st, $n sleeper switch-outs: $(tail -1 "$T/raw.err") $(head -12 "$T/raw.txt")"

programs_left || left_ok=1
check no_programs_left $left_ok "schedtape BPF programs still loaded: $(bpftool prog list | grep -E 'name ((btf|raw)_|ksym_lookup)')"
