#!/bin/sh
# The SQL export (--parquet, --csv) read by a real engine, DuckDB from the npm
# registry (tests/npm.sh): the writer's every value, a trace against its own
# CLI, and a fleet of 50 recordings queried together.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"; [ -n "$MC" ] && kill $MC 2>/dev/null' EXIT
TESTS="sql_writer_duckdb sql_sample_duckdb sql_stable_id sql_errors sql_hostile_readable sql_system_duckdb sql_fleet"
SUITE=sql
. tests/live/lib.sh
[ -d build/node/node_modules/@duckdb/node-api ] && command -v node >/dev/null ||
	skip_all "DuckDB (@duckdb/node-api) not installed in build/node: tests/npm.sh installs it"

out=$(make --no-print-directory build/mkparquet 2>&1 >/dev/null && build/mkparquet "$T" &&
	node tests/tools/parquet_check.mjs "$T" 2>&1)
check sql_writer_duckdb $? "$out"

$ST export --parquet "$T/pq" samples/workload.tape && $ST export --csv "$T/csv" samples/workload.tape &&
	out=$(node tests/tools/sql_check.mjs $ST samples/workload.tape "$T/pq" "$T/csv" 2>&1)
check sql_sample_duckdb $? "$out"

# The same trace exported again: the same id, the same bytes.
$ST export --parquet "$T/pq2" samples/workload.tape
out=$(diff -r "$T/pq" "$T/pq2" 2>&1)
check sql_stable_id $? "$out"

# Errors: one line naming the problem, exit 1, nothing half-written left.
ok=0
msg=$($ST export --parquet /proc/nope samples/workload.tape 2>&1) && ok=1
[ "$(echo "$msg" | wc -l)" = 1 ] || ok=1
head -c 3000 samples/workload.tape >"$T/cut.tape"
$ST export --parquet "$T/pq3" tests/corpus/bad/*.tape >/dev/null 2>&1 && ok=1
[ -z "$(find "$T/pq3" -name '*.tmp' 2>/dev/null)" ] || ok=1
check sql_errors $ok "$msg"

# Crafted traces (odd bytes in names, wild counts): whatever is exported, DuckDB reads all of it.
out="cannot build mkhostile" ok=1
if make --no-print-directory build/mkhostile >/dev/null 2>&1 && mkdir -p "$T/h" && build/mkhostile "$T/h"; then
	for f in "$T"/h/*.tape; do $ST export --parquet "$T/hpq" "$f" >/dev/null 2>&1; done
	out=$(node tests/tools/parquet_read_all.mjs "$T/hpq" 2>&1) && ok=0
fi
check sql_hostile_readable $ok "$out"

need_recording
# 5 s system-wide while Debian's memcached serves memcslap.
memcached -u nobody -l 127.0.0.1 -p 22198 -t 4 & MC=$!
$ST record -q -d 5 -o "$T/sys.tape" 2>"$T/sys.err" & REC=$!
sleep 1
memcslap --servers=127.0.0.1:22198 --concurrency=8 --execute-number=3000 >/dev/null 2>&1
wait $REC
kill $MC 2>/dev/null; MC=
$ST export --parquet "$T/sys" "$T/sys.tape" &&
	out=$(node tests/tools/sql_check.mjs $ST "$T/sys.tape" "$T/sys" 2>&1)
check sql_system_duckdb $? "$out"

# A fleet: 50 recordings of different programs, each exported under its own host name.
: >"$T/manifest"
i=0
while [ $i -lt 50 ]; do
	case $((i % 10)) in
	0) cmd="$W pingpong" ;;
	1) cmd="$W relay" ;;
	2) cmd="$W threads" ;;
	3) cmd="$W blockio" ;;
	4) cmd="perf bench sched pipe -l 5000" ;;
	5) cmd="perf bench sched messaging -g 1 -l 10" ;;
	6) cmd="sh -c 'tar cf - /usr/share/doc/libc6 | gzip -1 | wc -c'" ;;
	7) cmd="sh -c 'dd if=/dev/zero bs=64k count=500 | md5sum'" ;;
	8) cmd="find /usr/share/zoneinfo -type f" ;;
	9) cmd="sh -c 'seq 1 20000 | sort -r | uniq | wc -l'" ;;
	esac
	eval "$ST record -q -o $T/f$i.tape -- $cmd" >/dev/null 2>&1 &&
		$ST export --parquet "$T/fleet" --host "host-$i" "$T/f$i.tape" &&
		echo "$T/f$i.tape host-$i" >>"$T/manifest"
	i=$((i + 1))
done
n=$(wc -l <"$T/manifest")
if [ "$n" -lt 50 ]; then
	fail sql_fleet "only $n of 50 recordings exported"
else
	out=$(node tests/tools/fleet_check.mjs $ST "$T/fleet" "$T/manifest" 2>&1)
	check sql_fleet $? "$out"
	echo "$out" | tail -1 >&2
fi
