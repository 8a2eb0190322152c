#!/usr/bin/env python3
"""Checks of the CLI's views against other views of the same trace, computed here.

  cli_check.py latency SCHEDTAPE TRACE   latency == hist per thread; p50/p99 from timeline
  cli_check.py hist_ms SCHEDTAPE TRACE   hist -m buckets == log2 ms of timeline's waits
  cli_check.py cpu_split SCHEDTAPE TRACE states -C c summed over CPUs == states
  cli_check.py map SCHEDTAPE TRACE       map's lines and '*' columns == dump's switches
  cli_check.py timeline SCHEDTAPE TRACE  several threads: END ascending, TID/COMM shown
  cli_check.py procstat SCHEDTAPE TRACE BEFORE AFTER   cpus' busy % vs /proc/stat
  cli_check.py diff_names SCHEDTAPE TRACE NAME   diff keeps NAME's threads apart, as states

Exit 0 when every check holds; prints what differs otherwise.
"""
import json
import subprocess
import sys


def run(st, *args):
    return subprocess.run([st, *args], check=True, capture_output=True).stdout.decode()


def js(st, *args):
    return json.loads(run(st, *args))


def runnable_waits(st, trace):
    """Whole runnable waits per tid from timeline --json (the window is the whole trace)."""
    waits = {}
    for iv in js(st, "timeline", "--comm", ".", "--state", "runnable", "--json", trace)["intervals"]:
        waits.setdefault(iv["tid"], []).append((iv["duration_ns"], iv["start_ns"]))
    return waits


def nearest_rank(values, q):
    v = sorted(values)
    rank = max(1, min(len(v), -(-int(q * len(v) * 1e6) // 1000000)))
    return v[rank - 1]


def check_latency(st, trace):
    bad = []
    lat = {r["tid"]: r for r in js(st, "latency", "--json", trace)["threads"]}
    hist = {h["tid"]: h for h in js(st, "hist", "--per-thread", "--json", trace)["histograms"]}
    waits = runnable_waits(st, trace)
    if set(lat) != set(hist):
        bad.append(f"threads: latency {sorted(lat)[:5]} hist {sorted(hist)[:5]}")
    for tid, r in lat.items():
        h = hist.get(tid)
        if h and (r["waits"], r["total_ns"], r["max_ns"]) != (h["count"], h["total_ns"], h["max_ns"]):
            bad.append(f"{tid}: latency {r['waits']}/{r['total_ns']}/{r['max_ns']}, "
                       f"hist {h['count']}/{h['total_ns']}/{h['max_ns']}")
        w = [d for d, _ in waits.get(tid, [])]
        if len(w) != r["waits"]:
            bad.append(f"{tid}: {r['waits']} waits, timeline has {len(w)}")
            continue
        worst = max(waits[tid])
        if worst[1] != r["max_at_ns"]:
            bad.append(f"{tid}: worst wait at {r['max_at_ns']}, timeline {worst[1]}")
        for q, key in ((0.5, "p50"), (0.99, "p99")):
            exact = nearest_rank(w, q)
            got = r[key + "_ns"]
            ok = got == exact if r[key + "_exact"] else exact <= got <= exact * 1.0625 + 1
            if not ok:
                bad.append(f"{tid} {key}: {got} (exact flag {r[key + '_exact']}), exact {exact}")
    return bad, f"{len(lat)} threads' latency equal hist and timeline"


def check_hist_ms(st, trace):
    h = js(st, "hist", "-m", "--json", trace)["histograms"][0]
    counts = {}
    for ws in runnable_waits(st, trace).values():
        for d, _ in ws:
            ms = d // 1000000
            k = max(ms.bit_length() - 1, 0)
            counts[k] = counts.get(k, 0) + 1
    got = {i: b["count"] for i, b in enumerate(h["buckets"]) if b["count"]}
    ok = got == counts and all(b["low_ms"] == (1 << i if i else 0) for i, b in enumerate(h["buckets"]))
    return ([] if ok else [f"hist -m {got}, timeline {counts}"]), f"{h['count']} waits in ms slots"


def check_cpu_split(st, trace):
    bad = []
    whole = {r["tid"]: r for r in js(st, "states", "--json", trace)["threads"]}
    cpus = js(st, "info", "--json", trace)
    n = int(cpus["meta"].get("ncpus", "2"))
    sums = {}
    for c in range(n):
        for r in js(st, "states", "-C", str(c), "--json", trace)["threads"]:
            s = sums.setdefault(r["tid"], {})
            for k in ("run_ns", "runnable_ns", "sleep_ns", "block_ns"):
                s[k] = s.get(k, 0) + r[k]
    for tid, r in whole.items():
        for k in ("run_ns", "runnable_ns", "sleep_ns", "block_ns"):
            if sums.get(tid, {}).get(k, 0) != r[k]:
                bad.append(f"{tid} {k}: {sums.get(tid, {}).get(k, 0)} over -C, {r[k]} in all")
    return bad, f"{len(whole)} threads' time splits exactly over {n} CPUs"


def check_map(st, trace):
    bad = []
    switches = [e for e in js(st, "dump", "--json", trace)["events"] if e["type"] == "switch"]
    lines = [l for l in run(st, "map", trace).splitlines() if "*" in l]
    if len(lines) != len(switches):
        bad.append(f"{len(lines)} map lines, {len(switches)} switches")
    for k, (line, e) in enumerate(zip(lines, switches)):
        col = line.index("*") // 4
        if col != e["cpu"] or line.count("*") != 1:
            bad.append(f"line {k}: '*' in column {col}, the switch was on CPU {e['cpu']}: {line}")
            break
    return bad, f"{len(lines)} lines, one per switch, '*' on its CPU"


def check_timeline(st, trace):
    out = run(st, "timeline", "--comm", ".", "--state", "runnable", "--min-us", "1000", trace).splitlines()
    head, rows = out[0].split(), [l.split() for l in out[1:] if l.strip()]
    bad = []
    if head[:5] != ["START(s)", "END(s)", "DURATION(us)", "TID", "COMM"]:
        bad.append(f"header {head}")
    ends = [float(r[1]) for r in rows]
    if ends != sorted(ends):
        bad.append(f"END not in order: {ends[:10]}")
    if len({r[3] for r in rows}) < 2:
        bad.append("fewer than two threads")
    return bad, f"{len(rows)} waits of {len({r[3] for r in rows})} threads, END ascending"


def check_procstat(st, trace, before, after):
    """The kernel's per-CPU time (/proc/stat, USER_HZ) against cpus' busy share of the window."""
    def load(path):
        cpu = {}
        for line in open(path):
            f = line.split()
            if f[0].startswith("cpu") and f[0] != "cpu":
                v = list(map(int, f[1:9]))
                cpu[int(f[0][3:])] = (sum(v) - v[3] - v[4], sum(v))  # busy, all (idle, iowait out)
        return cpu
    b, a = load(before), load(after)
    got = js(st, "cpus", "-i", "1000000", "--json", trace)  # one bucket: the whole window
    bad, msg = [], []
    for bk in got["buckets"]:
        c = bk["cpu"]
        kb = (a[c][0] - b[c][0]) / max(1, a[c][1] - b[c][1]) * 100
        mine = bk["busy_ns"] / bk["len_ns"] * 100
        msg.append(f"CPU{c} {mine:.1f}% vs kernel {kb:.1f}%")
        if abs(mine - kb) > 5:
            bad.append(f"CPU {c}: busy {mine:.1f}% in the trace, {kb:.1f}% in /proc/stat")
    return bad, "; ".join(msg)


def check_diff_names(st, trace, name):
    d = js(st, "diff", "--json", trace, trace)
    rows = [t for t in d["threads"] if t["name"].split("/", 1)[-1].split("#")[0] == name]
    workers = [r["run_ns"] for r in js(st, "states", "--json", trace)["threads"] if r["comm"] == name]
    want = sorted(round(w / d["span_ns"][0] * 1e3, 3) for w in workers)
    got = sorted(t["run_ms_per_s"][0] for t in rows)
    bad = []
    if len(rows) != len(workers) or len(rows) < 2:
        bad.append(f"{len(rows)} rows for {len(workers)} threads named {name}")
    if any(t["match"] != "by_order" or t["run_ms_per_s"][0] != t["run_ms_per_s"][1] for t in rows):
        bad.append(f"matches {[t['match'] for t in rows]}")
    if any(abs(a - b) > 0.002 for a, b in zip(got, want)):
        bad.append(f"run ms/s {got}, states {want}")
    return bad, f"{len(rows)} {name} rows, matched by order, each its own thread's time"


def main():
    what, st, trace = sys.argv[1:4]
    fn = {"latency": check_latency, "hist_ms": check_hist_ms, "cpu_split": check_cpu_split,
          "map": check_map, "timeline": check_timeline, "procstat": check_procstat,
          "diff_names": check_diff_names}[what]
    bad, summary = fn(st, trace, *sys.argv[4:])
    if bad:
        print("; ".join(bad[:8]))
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
