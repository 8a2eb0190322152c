#!/bin/sh
# Naming user frames off-host: stripped binaries with debug files found by
# build-id, .gnu_debuglink, MiniDebugInfo, inline frames and lines, JIT perf
# maps, 5 ms processes, code without frame pointers, and the buildids and
# symbolize commands. The expected names are the functions of
# tests/tools/symprog.c; build-ids come from readelf, not from us.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
DBG=/usr/lib/debug/.build-id
trap 'rm -rf "$T"; [ -n "$SYSDBG" ] && rm -f "$SYSDBG"; rm -f /tmp/perf-*.map.symtest' EXIT
unset DEBUGINFOD_URLS

TESTS="symbols_buildid_symfs symbols_buildid_debug_dir symbols_buildid_system symbols_debuglink \
symbols_minidebuginfo symbols_inline symbols_lines symbols_jit_offhost symbols_short_process \
symbols_no_frame_pointers symbols_buildids_cmd symbols_symbolize_cmd symbols_compile_job"
SUITE=symbols
. tests/live/lib.sh
need_recording
for tool in objcopy strip nm xz readelf gcc; do
	command -v $tool >/dev/null || skip_all "$tool is missing (binutils, xz-utils, gcc)"
done

SRC=tests/tools/symprog.c
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: //p'; }
# frames TRACE ARGS...: the folded off-CPU stacks of symprog's processes.
frames() { tr=$1; shift; $ST offcpu "$@" "$tr" 2>"$T/err" | grep '^symprog' ; }

# A stripped binary and its debug file, as Debian's dbgsym packages lay them out.
mkdir -p "$T/bin" "$T/symfs" "$T/dd"
gcc -O2 -g -fno-omit-frame-pointer -o "$T/full" $SRC || skip_all "gcc cannot build $SRC"
objcopy --only-keep-debug "$T/full" "$T/full.debug"
objcopy --strip-all "$T/full" "$T/bin/symprog"
ID=$(build_id "$T/full")
for d in "$T/symfs/.build-id" "$T/dd/.build-id"; do
	mkdir -p "$d/$(echo "$ID" | cut -c1-2)"
	cp "$T/full.debug" "$d/$(echo "$ID" | cut -c1-2)/$(echo "$ID" | cut -c3-).debug"
done
$ST record -q -o "$T/strip.tape" -- "$T/bin/symprog" sleep 100 >/dev/null 2>"$T/rec.err" ||
	skip_all "recording failed here: $(tail -1 "$T/rec.err")"
# Off-host: the binary is gone, only the debug file is left.
rm "$T/bin/symprog"

frames "$T/strip.tape" --symfs "$T/symfs" | grep -q 'sym_outer;sym_leaf\|sym_outer;' 
check symbols_buildid_symfs $? "with --symfs: $(frames "$T/strip.tape" --symfs "$T/symfs" | head -1 | cut -c1-200)"
frames "$T/strip.tape" --debug-dir "$T/dd" | grep -q 'main;sym_outer'
check symbols_buildid_debug_dir $? "with --debug-dir: $(frames "$T/strip.tape" --debug-dir "$T/dd" | head -1 | cut -c1-200)"
# Without any option: where Debian's dbgsym packages put it.
SYSDBG="$DBG/$(echo "$ID" | cut -c1-2)/$(echo "$ID" | cut -c3-).debug"
if [ -e "$SYSDBG" ]; then SYSDBG=; fi
if [ -n "$SYSDBG" ]; then
	mkdir -p "$(dirname "$SYSDBG")" && cp "$T/full.debug" "$SYSDBG"
	frames "$T/strip.tape" | grep -q 'main;sym_outer'
	check symbols_buildid_system $? "$(frames "$T/strip.tape" | head -1 | cut -c1-200)"
	rm -f "$SYSDBG"
else
	fail symbols_buildid_system "a debug file for build-id $ID is already installed"
fi

# .gnu_debuglink: the debug file next to the binary under .debug/, found by name and CRC.
mkdir -p "$T/link/.debug"
cp "$T/full.debug" "$T/link/.debug/symprog.debug"
objcopy --strip-all --add-gnu-debuglink="$T/link/.debug/symprog.debug" "$T/full" "$T/link/symprog"
$ST record -q -o "$T/link.tape" -- "$T/link/symprog" sleep 50 >/dev/null 2>&1
frames "$T/link.tape" --local-binaries | grep -q 'main;sym_outer'
check symbols_debuglink $? "$(frames "$T/link.tape" --local-binaries | head -1 | cut -c1-200)"

# MiniDebugInfo (Fedora's recipe): the functions .dynsym lacks, xz-compressed in .gnu_debugdata.
mkdir -p "$T/mini"
nm -D "$T/full" --format=posix --defined-only | awk '{print $1}' | sort >"$T/dynsyms"
nm "$T/full" --format=posix --defined-only | awk '$2 ~ /[Tt]/ {print $1}' | sort >"$T/funcsyms"
comm -13 "$T/dynsyms" "$T/funcsyms" >"$T/keep"
objcopy -S --remove-section .gdb_index --remove-section .comment --keep-symbols="$T/keep" \
	"$T/full.debug" "$T/minidbg"
xz -f "$T/minidbg"
strip --strip-all -R .comment -o "$T/mini/symprog" "$T/full"
objcopy --add-section .gnu_debugdata="$T/minidbg.xz" "$T/mini/symprog"
$ST record -q -o "$T/mini.tape" -- "$T/mini/symprog" sleep 50 >/dev/null 2>&1
frames "$T/mini.tape" --local-binaries | grep -q 'main;sym_outer'
check symbols_minidebuginfo $? "$(frames "$T/mini.tape" --local-binaries | head -1 | cut -c1-200)"

# Inline frames and lines, from the debug file's DWARF.
frames "$T/strip.tape" --debug-dir "$T/dd" --inline | grep -q 'sym_outer;sym_inlined'
check symbols_inline $? "$(frames "$T/strip.tape" --debug-dir "$T/dd" --inline | head -1 | cut -c1-200)"
# The line of sym_inlined's call in sym_outer, read from the source.
L=$(grep -n 'sym_inlined(how, i);' $SRC | cut -d: -f1)
frames "$T/strip.tape" --debug-dir "$T/dd" --inline --lines | grep -q "sym_outer (symprog.c:$L);sym_inlined"
check symbols_lines $? "want sym_outer (symprog.c:$L): $(frames "$T/strip.tape" --debug-dir "$T/dd" --inline --lines | head -1 | cut -c1-250)"

# JIT: the program names its generated code in /tmp/perf-PID.map; the trace keeps it.
mkdir -p "$T/jit" && cp "$T/full" "$T/jit/symprog"
$ST record -q -o "$T/jit.tape" -- "$T/jit/symprog" jit 50 >/dev/null 2>&1
for f in /tmp/perf-*.map; do [ -f "$f" ] && grep -q jit_sleeper_fn "$f" && rm -f "$f"; done
frames "$T/jit.tape" | grep -q 'jit_sleeper_fn;entry_SYSCALL'
check symbols_jit_offhost $? "$(frames "$T/jit.tape" | head -1 | cut -c1-200)"

# 5 ms processes from a shell loop: their maps are read while they live (a few
# stacks from just before an exec still go unnamed: at least 90% named).
cat >"$T/loop.sh" <<LOOP
i=0; while [ \$i -lt 40 ]; do "$T/full" sleep 2; i=\$((i + 1)); done
LOOP
$ST record -q -o "$T/short.tape" -- sh "$T/loop.sh" >/dev/null 2>&1
n=$($ST dump -g --json --local-binaries "$T/short.tape" 2>/dev/null | python3 -c "
import json, sys
d = json.load(sys.stdin)
sl = [e for e in d['events'] if e['type'] == 'switch' and e.get('prev_comm') == 'full'
      and e.get('prev_state') == 'S' and e.get('user_stack')]
named = [e for e in sl if any(f['name'] == 'sym_outer' for f in e['user_stack'])]
print(len(named), len(sl))")
set -- $n
check symbols_short_process "$([ "${2:-0}" -ge 40 ] && [ $(( ${1:-0} * 100 )) -ge $(( ${2:-1} * 90 )) ]; echo $?)" \
	"$1 of $2 sleeps of 40 short processes named sym_outer"

# No frame pointers: the stacks are one frame deep, and the command says why.
gcc -O2 -g -fomit-frame-pointer -o "$T/nofp" $SRC
$ST record -q -o "$T/nofp.tape" -- "$T/nofp" raw 50 >/dev/null 2>&1
$ST dump -g --json --local-binaries "$T/nofp.tape" >"$T/nofp.json" 2>"$T/nofp.err"
python3 -c "
import json, sys
d = json.load(open('$T/nofp.json'))
w = ' '.join(d['symbols']['warnings'])
named = any(f['name'] == 'sym_leaf' for e in d['events'] for f in e.get('user_stack') or [])
sys.exit(0 if 'without frame pointers' in w and 'nofp' in w and named else 1)"
check symbols_no_frame_pointers "$([ $? = 0 ] && grep -q 'nofp.*frame\|frame pointers.*nofp' "$T/nofp.err"; echo $?)" \
	"warning missing or sym_leaf unnamed: $(cat "$T/nofp.err")"

# buildids: the stripped binary's build-id (readelf's), found by debug file.
$ST buildids --json --debug-dir "$T/dd" "$T/strip.tape" >"$T/ids.json"
python3 -c "
import json, sys
d = json.load(open('$T/ids.json'))
b = [x for x in d['binaries'] if x['build_id'] == '$ID']
sys.exit(0 if b and b[0]['symbols'] == 'debug file' and b[0]['unnamed'] == 0 and
         b[0]['path'].endswith('/bin/symprog') else 1)"
check symbols_buildids_cmd $? "$(cat "$T/ids.json" | head -c 400)"

# symbolize: a copy that names its frames with no option at all, anywhere.
$ST symbolize --debug-dir "$T/dd" -o "$T/named.tape" "$T/strip.tape" 2>"$T/sym.err" &&
	frames "$T/named.tape" | grep -q 'main;sym_outer' &&
	[ "$($ST info "$T/named.tape" | grep -c events)" -ge 1 ]
check symbols_symbolize_cmd $? "$(cat "$T/sym.err")"

# A compile job (make -j2 of this project's analyzer sources): at most 5% of the
# user frames of its events in binaries that have symbols go unnamed (frames
# as the events carry them, the way a flamegraph weighs them; "[unmapped]"
# return addresses of code without frame pointers are not frames of any binary).
mkdir -p "$T/proj"
cp -r base format symbolize analyze export "$T/proj/"
cat >"$T/proj/Makefile" <<'MK'
OBJS := $(patsubst %.c,%.o,$(filter-out export/report.c,$(wildcard base/*.c format/*.c symbolize/*.c analyze/*.c export/*.c)))
all: $(OBJS)
%.o: %.c
	$(CC) -O1 -I. -c -o $@ $<
MK
$ST record -q -o "$T/make.tape" -- make -s -j2 -C "$T/proj" >/dev/null 2>&1
$ST buildids --local-binaries --json "$T/make.tape" >"$T/make.ids"
$ST dump -g --json --local-binaries "$T/make.tape" >"$T/make.json" 2>/dev/null
res=$(python3 -c "
import json
ids = json.load(open('$T/make.ids'))
skip = {b['path'] for b in ids['binaries'] if b['no_symbols']} | {'[unmapped]'}
n = bad = 0
for e in json.load(open('$T/make.json'))['events']:
    for f in e.get('user_stack') or []:
        if f['binary'] in skip:
            continue
        n += 1
        bad += '+0x' in f['name'] or f['name'].startswith('[unknown]')
print(bad, n)")
set -- $res
check symbols_compile_job "$([ "${2:-0}" -ge 200 ] && [ $(( ${1:-0} * 100 )) -le $(( ${2:-1} * 5 )) ]; echo $?)" \
	"$1 of $2 user frames in binaries with symbols unnamed"
