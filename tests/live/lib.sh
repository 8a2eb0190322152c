# Shared by the live suites: result lines, and skipping loudly when recording
# is impossible here. Source after setting TESTS (the names to skip) and SUITE.
ST=${ST:-./schedtape}
W=build/samples/workload

pass() { echo "PASS live/$1"; }
fail() { echo "FAIL live/$1: $2"; }
check() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "$3"; fi; }

skip_all() {
	echo "live $SUITE tests SKIPPED: $1" >&2
	for t in $TESTS; do echo "SKIP live/$t: $1"; done
	exit 0
}

need_recording() {
	[ "$(id -u)" = 0 ] || skip_all "not root: recording needs root or CAP_BPF+CAP_PERFMON"
	[ -r /sys/kernel/btf/vmlinux ] || skip_all "kernel has no BTF (/sys/kernel/btf/vmlinux)"
	$ST --help | grep -q '^  record' || skip_all "this build has no 'record' (libbpf/clang/bpftool missing)"
}

# Our programs are named btf_*, raw_* (cut to 15 characters by the kernel) and ksym_lookup.
programs_left() {
	i=0
	while [ $i -lt 30 ]; do
		[ "$(bpftool prog list 2>/dev/null | grep -cE 'name ((btf|raw)_(sched|task_ren|cgroup_)|ksym_lookup)')" = 0 ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
