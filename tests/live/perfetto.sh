#!/bin/sh
# The Perfetto protobuf export, decoded by protoc and rebuilt by an independent
# decoder (tests/tools/perfetto_check.py) the way trace processor builds
# thread_state: it must equal states --json and timeline --json to the ns.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "$MC" ] && kill $MC 2>/dev/null' EXIT
PY=/usr/bin/python3
TESTS="perfetto_sample_decode perfetto_sample_roundtrip perfetto_gzip_roundtrip perfetto_json_format \
perfetto_disk_full perfetto_orderings_roundtrip perfetto_corpus_roundtrip perfetto_workload_roundtrip perfetto_system_roundtrip"
SUITE=perfetto
. tests/live/lib.sh
command -v protoc >/dev/null && $PY -c 'import google.protobuf' 2>/dev/null ||
	skip_all "protoc or python3-protobuf missing (make deps installs them)"

decode() { protoc -I tests/tools --decode=perfetto.protos.Trace perfetto_trace.proto <"$1" >"$T/decoded.txt" 2>"$T/protoc.err"; }

# The bundled sample (no root needed).
$ST export --perfetto --no-progress -o "$T/s.pftrace" samples/workload.tape
decode "$T/s.pftrace"
check perfetto_sample_decode $? "$(head -3 "$T/protoc.err")"
out=$($PY tests/tools/perfetto_check.py $ST samples/workload.tape "$T/s.pftrace" 2>&1)
check perfetto_sample_roundtrip $? "$out"
$ST export --perfetto --compress -o "$T/s.pftrace.gz" samples/workload.tape
out=$(gzip -t "$T/s.pftrace.gz" 2>&1 && $PY tests/tools/perfetto_check.py $ST samples/workload.tape "$T/s.pftrace.gz" 2>&1)
check perfetto_gzip_roundtrip $? "$out"
$ST export --format json -o "$T/s.json" samples/workload.tape &&
	$PY -c "import json,sys; json.load(open('$T/s.json'))"
check perfetto_json_format $? "--format json is not JSON"

# A full disk: one line naming the output and the problem, exit 1.
msg=$($ST export --perfetto --no-progress -o /dev/full samples/workload.tape 2>&1); st=$?
[ $st = 1 ] && [ "$(echo "$msg" | wc -l)" = 1 ] && echo "$msg" | grep -q '/dev/full: No space left'
check perfetto_disk_full $? "exit $st: $msg"

# Every ordering the export must translate (tests/tools/mkhostile.c orderings), and the old formats.
out="cannot build mkhostile"
make --no-print-directory build/mkhostile >/dev/null 2>&1 && build/mkhostile "$T" &&
	$ST export --perfetto --no-progress -o "$T/o.pftrace" "$T/orderings.tape" &&
	out=$($PY tests/tools/perfetto_check.py $ST "$T/orderings.tape" "$T/o.pftrace" 2>&1)
check perfetto_orderings_roundtrip $? "$out"
ok=0
for f in tests/corpus/good/*.tape; do
	$ST export --perfetto --no-progress -o "$T/c.pftrace" "$f" &&
		out=$($PY tests/tools/perfetto_check.py $ST "$f" "$T/c.pftrace" 2>&1) || { ok=1; break; }
done
check perfetto_corpus_roundtrip $ok "$f: $out"

need_recording
# The sample workload recorded here, with stacks.
$ST record -q -o "$T/w.tape" -- $W all >/dev/null 2>"$T/w.err" ||
	skip_all "recording failed here: $(tail -1 "$T/w.err")"
$ST export --perfetto --no-progress -o "$T/w.pftrace" "$T/w.tape" && decode "$T/w.pftrace" &&
	out=$($PY tests/tools/perfetto_check.py $ST "$T/w.tape" "$T/w.pftrace" 2>&1)
check perfetto_workload_roundtrip $? "$out"

# 10 s system-wide while Debian's memcached serves memcslap and perf bench forks.
memcached -u nobody -l 127.0.0.1 -p 22199 -t 4 & MC=$!
$ST record -q -d 10 -o "$T/sys.tape" 2>"$T/sys.err" & REC=$!
sleep 1
memcslap --servers=127.0.0.1:22199 --concurrency=8 --execute-number=4000 >/dev/null 2>&1
perf bench sched messaging -g 2 -l 300 >/dev/null 2>&1
wait $REC
kill $MC 2>/dev/null; MC=
$ST export --perfetto --no-progress -o "$T/sys.pftrace" "$T/sys.tape" && decode "$T/sys.pftrace" &&
	out=$($PY tests/tools/perfetto_check.py $ST "$T/sys.tape" "$T/sys.pftrace" 2>&1)
check perfetto_system_roundtrip $? "$out"
echo "$out" | tail -1 >&2
