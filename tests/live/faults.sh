#!/bin/sh
# Faults while recording: what the file keeps and what the recorder says.
# FAULT_TRIALS (default 5) SIGKILL trials; LOAD_SECS (default 8) of overload.
# The long suite: FAULT_TRIALS=50 LOAD_SECS=60 sh tests/live/faults.sh
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
TRIALS=${FAULT_TRIALS:-5}
LOAD_SECS=${LOAD_SECS:-8}
cleanup() {
	mountpoint -q "$T/small" && umount "$T/small"
	rm -rf "$T"
}
trap cleanup EXIT

TESTS="thread_burst_counts disk_full_counts sigkill_trials disk_full stdout_reader_exits command_crashes two_recorders \
btf_missing btf_garbage overload_losses_add_up analyzer_closed_pipe analyzer_full_disk"
SUITE=fault
. tests/live/lib.sh
need_recording
command -v python3 >/dev/null || skip_all "python3 missing (make deps installs it)"

mono_ns() { python3 -c 'import time; print(time.monotonic_ns())'; }
json_num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }

# 1. SIGKILL at random moments: every file reads, is not finalized, and covers
# the run up to about a second before the kill.
bad=""
i=0
while [ $i -lt "$TRIALS" ]; do
	i=$((i + 1))
	$W all >/dev/null 2>&1 &
	wl=$!
	$ST record -q -o "$T/k$i.tape" >/dev/null 2>&1 &
	rec=$!
	sleep "$(awk -v s="$i$$" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 2 }')"
	killed=$(mono_ns)
	kill -KILL $rec
	wait $rec 2>/dev/null
	wait $wl 2>/dev/null
	if ! $ST info --json "$T/k$i.tape" >"$T/k.json" 2>"$T/k.err"; then
		bad="$bad [trial $i: unreadable: $(cat "$T/k.err")]"
		continue
	fi
	last=$(json_num last_ts <"$T/k.json")
	# Killed before the first flush: no events yet, the file covers from its start.
	[ "${last:-0}" -gt 0 ] || last=$(sed -n 's/.*"start_ts":"\([0-9]*\)".*/\1/p' "$T/k.json")
	grep -q '"finalized":false' "$T/k.json" || bad="$bad [trial $i: claims finalized]"
	$ST info "$T/k$i.tape" 2>/dev/null | grep -q 'NOT finalized' || bad="$bad [trial $i: info does not say]"
	gap=$(( (killed - ${last:-0}) / 1000000 ))
	[ "$gap" -le 1200 ] || bad="$bad [trial $i: covers up to ${gap} ms before the kill]"
	rm -f "$T/k$i.tape"
done
programs_left || bad="$bad [programs left loaded]"
check sigkill_trials "$([ -z "$bad" ]; echo $?)" "$TRIALS trials:$bad"

# 1b. A burst of 2000 threads: every FORK and EXIT is in the file, or counted lost.
$ST record -q -o "$T/burst.tape" -- $W threads >"$T/burst.out" 2>"$T/burst.err"
made=$(sed -n 's/^threads.created=//p' "$T/burst.out")
$ST info --json "$T/burst.tape" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["events_by_type"]["fork"], d["events_by_type"]["exit"], d["lost_events"])' >"$T/burst.counts"
read -r forks exits lost <"$T/burst.counts"
# The process itself exits too; the forks of the command start (taskset-free) are ours only.
check thread_burst_counts "$([ -n "$made" ] && [ "$lost" = 0 ] && [ "$forks" -ge "$made" ] &&
	[ "$exits" -ge "$made" ] || { [ "$lost" != 0 ] && [ $((forks + lost)) -ge "$made" ]; }; echo $?)" \
	"created $made threads; the file holds $forks forks, $exits exits; $lost lost"

# 2. Disk full: stop, keep what fits, exit non-zero, say how much; the file reads.
mkdir -p "$T/small"
if mount -t tmpfs -o size=256k tmpfs "$T/small" 2>/dev/null; then
	$W all >/dev/null 2>&1 &
	wl=$!
	timeout 60 $ST record -o "$T/small/full.tape" >/dev/null 2>"$T/full.err"
	st=$?
	kill $wl 2>/dev/null
	wait $wl 2>/dev/null
	$ST info "$T/small/full.tape" >"$T/full.info" 2>&1
	ist=$?
	check disk_full "$([ $st = 1 ] && grep -q 'disk full' "$T/full.err" &&
		grep -q 'kept' "$T/full.err" && [ $ist = 0 ]; echo $?)" \
		"exit $st: $(cat "$T/full.err"); info exit $ist: $(head -3 "$T/full.info")"
	# The summary's count is what the file holds; the rest is counted as lost.
	said=$(sed -n 's/.*recorded \([0-9,]*\) events.*/\1/p' "$T/full.err" | tr -d ,)
	held=$($ST info --json "$T/small/full.tape" 2>/dev/null | python3 -c \
		'import json,sys; d=json.load(sys.stdin); print(d["events"])')
	check disk_full_counts "$([ -n "$said" ] && [ "$said" = "$held" ] &&
		grep -q 'not written' "$T/full.err"; echo $?)" \
		"summary says $said, the file holds $held: $(grep LOST "$T/full.err")"
	umount "$T/small"
else
	echo "SKIP live/disk_full: cannot mount a small tmpfs here"
fi
programs_left || fail disk_full "programs left loaded"

# 3. -o - into a pipe whose reader goes away: a clear message and no hang.
timeout 30 sh -c "$ST record -q -o - 2>'$T/pipe.err' | head -c 2000 >/dev/null"
st=$?
check stdout_reader_exits "$([ $st != 124 ] && grep -q 'went away' "$T/pipe.err"; echo $?)" \
	"timeout status $st: $(cat "$T/pipe.err")"
programs_left || fail stdout_reader_exits "programs left loaded"

# 4. The traced command crashes: recording ends cleanly and says why.
$ST record -q -o "$T/crash.tape" -- sh -c 'sleep 0.3; kill -SEGV $$' >/dev/null 2>"$T/crash.err"
st=$?
check command_crashes "$([ $st = 139 ] && grep -q 'signal 11' "$T/crash.err" &&
	$ST info --json "$T/crash.tape" | grep -q '"finalized":true'; echo $?)" \
	"exit $st: $(cat "$T/crash.err")"

# 5. Two recorders at once: both work.
$ST record -q -d 2 -o "$T/two-a.tape" 2>"$T/two-a.err" &
a=$!
$ST record -q -d 2 -o "$T/two-b.tape" 2>"$T/two-b.err" &
b=$!
sleep 0.3
$W sleeper >/dev/null
wait $a
sa=$?
wait $b
sb=$?
ok=0
for f in a b; do
	$ST info --json "$T/two-$f.tape" | grep -q '"finalized":true' || ok=1
	n=$($ST info --json "$T/two-$f.tape" | sed -n 's/.*"switch":\([0-9]*\).*/\1/p')
	[ "${n:-0}" -gt 50 ] || ok=1
done
check two_recorders "$([ $sa = 0 ] && [ $sb = 0 ] && [ $ok = 0 ]; echo $?)" \
	"exits $sa $sb: $(cat "$T/two-a.err" "$T/two-b.err")"
programs_left || fail two_recorders "programs left loaded"

# 6. BTF unavailable or unreadable: one clear line, non-zero, nothing left loaded.
$ST record -d 1 --btf /nonexistent/vmlinux -o "$T/nobtf.tape" >/dev/null 2>"$T/nobtf.err"
st=$?
check btf_missing "$([ $st != 0 ] && [ "$(wc -l <"$T/nobtf.err")" = 1 ] &&
	grep -q 'BTF' "$T/nobtf.err" && [ ! -e "$T/nobtf.tape" ] && programs_left; echo $?)" \
	"exit $st: $(cat "$T/nobtf.err")"
head -c 4096 /dev/urandom >"$T/garbage.btf"
$ST record -d 1 --btf "$T/garbage.btf" -o "$T/badbtf.tape" >/dev/null 2>"$T/badbtf.err"
st=$?
check btf_garbage "$([ $st != 0 ] && [ "$(wc -l <"$T/badbtf.err")" = 1 ] &&
	[ ! -e "$T/badbtf.tape" ] && programs_left; echo $?)" "exit $st: $(cat "$T/badbtf.err")"

# 7. Overload: the machine's full switch rate on every CPU with a small buffer.
# Memory stays bounded; every loss is a loss record, and their counts add up
# to what the kernel reported; the analyzer shows UNKNOWN time for them.
/usr/bin/time -f %M -o "$T/rss" $ST record -q -b 64K -d "$LOAD_SECS" -o "$T/load.tape" \
	>/dev/null 2>"$T/load.err" &
rec=$!
sleep 0.5
for c in $(seq "$(nproc)"); do
	timeout "$LOAD_SECS" sh -c "while :; do perf bench sched pipe -l 200000 >/dev/null 2>&1 ||
		$W pingpong >/dev/null; done" &
done
wait $rec
wait
rss_kb=$(cat "$T/rss")
$ST info --json "$T/load.tape" >"$T/load.json"
records=$(json_num lost_events <"$T/load.json")
kernel=$(sed -n 's/.*"lost_buffer_full":\([0-9]*\).*/\1/p' "$T/load.json")
writer=$(sed -n 's/.*"lost_writer_behind":\([0-9]*\).*/\1/p' "$T/load.json")
# The kernel counts refused batches; the BPF side counted the same refusals, and their events.
refused=$(sed -n 's/.*"bpf_output_errors":\([0-9]*\).*/\1/p' "$T/load.json")
perf_lost=$(sed -n 's/.*"perf_records_lost":\([0-9]*\).*/\1/p' "$T/load.json")
unknown=$($ST states --json "$T/load.tape" | python3 -c "
import json, sys
print(sum(t['unknown_ns'] for t in json.load(sys.stdin)['threads']))")
ok=0
[ "${rss_kb:-999999}" -lt 400000 ] || ok=1
[ "${records:-x}" = "$((${kernel:-0} + ${writer:-0}))" ] || ok=1
[ "${records:-0}" -gt 0 ] && [ "${unknown:-0}" = 0 ] && ok=1
# Every batch the kernel reported lost was seen refused by BPF (the last report may not come).
[ "${perf_lost:-x}" -le "${refused:-0}" ] 2>/dev/null || ok=1
[ "${kernel:-0}" = 0 ] || [ "${refused:-0}" -gt 0 ] || ok=1
check overload_losses_add_up $ok \
	"peak RSS ${rss_kb} KB; loss records ${records}, in-band ${kernel}, writer ${writer}; batches refused ${refused}, kernel-reported ${perf_lost}; unknown ${unknown} ns"
echo "overload: ${LOAD_SECS}s, peak RSS ${rss_kb} KB, lost ${records} (in-band ${kernel}, writer ${writer}; batches refused ${refused}, kernel-reported ${perf_lost})" >&2

# 8. The analyzer's output to a closed pipe or a full disk is an error, not silence.
# (With SIGPIPE at its default the kernel ends the process; ignored, write fails.)
sh -c "trap '' PIPE; $ST dump '$T/load.tape' 2>'$T/epipe.err' | head -c 10 >/dev/null"
check analyzer_closed_pipe "$(grep -q 'Broken pipe' "$T/epipe.err"; echo $?)" "$(cat "$T/epipe.err")"
$ST dump "$T/load.tape" >/dev/full 2>"$T/full2.err"
st=$?
check analyzer_full_disk "$([ $st = 1 ] && grep -q 'No space' "$T/full2.err"; echo $?)" \
	"exit $st: $(cat "$T/full2.err")"
