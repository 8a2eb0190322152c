#!/bin/sh
# The state model against the kernel's own per-thread accounting, on a real
# server nobody here wrote (Debian's memcached, loaded by memcslap from
# libmemcached-tools) and on the sample workload, whose threads print their
# own schedstat and switch counters when done. tests/tools/truth.py compares,
# with the tolerances it states. Without root, BTF or the packages: SKIP.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
MC_PID=
REC_PID=
cleanup() {
	[ -n "$REC_PID" ] && kill -INT "$REC_PID" 2>/dev/null
	[ -n "$MC_PID" ] && kill "$MC_PID" 2>/dev/null
	[ -n "$KEEP" ] && cp -r "$T" /tmp/truth-keep; rm -rf "$T"
}
trap cleanup EXIT

TESTS="truth_workload truth_memcached"
SUITE=truth
. tests/live/lib.sh
need_recording

# --- the sample workload: its threads report what the kernel counted ---------
if $ST record -q -o "$T/w.tape" -- $W all >"$T/w.out" 2>"$T/w.err"; then
	python3 tests/tools/truth.py workload workload "$T/w.out" "$T/w.tape" "$ST" 2>"$T/w.table"
	sed 's/^/  /' "$T/w.table"
else
	fail truth_workload "recording failed: $(tail -1 "$T/w.err")"
fi

# --- memcached under load ------------------------------------------------------
if ! command -v memcached >/dev/null || ! command -v memcslap >/dev/null; then
	echo "SKIP live/truth_memcached: memcached and memcslap (libmemcached-tools) are not installed"
	exit 0
fi
PORT=$((20000 + $$ % 20000))
memcached -u root -l 127.0.0.1 -p "$PORT" -t 4 -c 256 -m 64 -P "$T/mc.pid" -d ||
	{ fail truth_memcached "memcached did not start"; exit 0; }
i=0
while [ ! -s "$T/mc.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
MC_PID=$(cat "$T/mc.pid")

# Record system-wide; wait until the recorder says it is recording.
$ST record -o "$T/mc.tape" >"$T/rec.out" 2>"$T/rec.err" &
REC_PID=$!
i=0
until grep -q "recording" "$T/rec.err" 2>/dev/null || [ $i -ge 100 ]; do sleep 0.1; i=$((i + 1)); done
# A little load first, so every worker has been seen going to sleep; then the
# server is idle at both snapshots (its threads asleep in epoll), and all it
# did between them happened inside the recording.
memcslap --servers=127.0.0.1:"$PORT" --concurrency=8 --execute-number=50 --test=set >/dev/null 2>&1
sleep 0.3
python3 tests/tools/truth.py snapshot "$MC_PID" >"$T/before.json"
memcslap --servers=127.0.0.1:"$PORT" --concurrency=8 --execute-number=4000 --test=set \
	>"$T/slap.out" 2>&1
memcslap --servers=127.0.0.1:"$PORT" --concurrency=8 --execute-number=4000 --test=get \
	>>"$T/slap.out" 2>&1
sleep 0.3
python3 tests/tools/truth.py snapshot "$MC_PID" >"$T/after.json"
sleep 0.2
kill -INT "$REC_PID"
wait "$REC_PID"
REC_PID=

# The window between the snapshots, in seconds from the trace's start.
start=$($ST info --json "$T/mc.tape" | python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["start_ts"])')
b=$(python3 -c "import json; print((json.load(open('$T/before.json'))['ts'] - $start) / 1e9)")
e=$(python3 -c "import json; print((json.load(open('$T/after.json'))['ts'] - $start) / 1e9)")
$ST states --json -p "$MC_PID" --begin "$b" --end "$e" "$T/mc.tape" >"$T/mc.json"
lost=$($ST info --json "$T/mc.tape" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lost_events"])')
python3 tests/tools/truth.py server memcached "$T/before.json" "$T/after.json" "$T/mc.json" - "$lost" \
	2>"$T/mc.table"
sed 's/^/  /' "$T/mc.table"
