#!/usr/bin/env python3
"""Hold the analyzer's per-thread numbers against the kernel's own accounting.

The truth comes from outside schedtape: /proc/PID/task/TID/schedstat (on-CPU
ns, run-queue wait ns, timeslices) and the voluntary / involuntary switch
counters in .../status, read by this script (snapshot) or printed by the
threads of samples/workload themselves (k_* keys).

  truth.py snapshot PID                    JSON of every thread of PID, with CLOCK_MONOTONIC
  truth.py server NAME BEFORE AFTER STATES [PERF_TIMEHIST|- [LOST_EVENTS]]
  truth.py workload NAME W.OUT TRACE SCHEDTAPE

Prints one PASS/FAIL line per thread checked, and the table to stderr.

Tolerances, each from a stated cause:
- on-CPU: 1% or 1 ms, plus 1 us per switch (the kernel starts and ends a
  thread's on-CPU time where __schedule takes the run-queue clock, the trace
  where the sched_switch tracepoint fires, a little later, on both ends), plus
  the host's steal time during the run (the kernel leaves stolen time out of a
  task's runtime; a trace cannot see it). Where the kernel omitted some of
  the thread's switches, the truth lies between run and run + UNKNOWN.
- queue wait: 2% or 1 ms of the run delay; where the kernel switched the
  thread in without the tracepoint, the truth lies between run delay and run
  delay + UNKNOWN, as for on-CPU time.
- switches: +-2 of voluntary + involuntary; wakeups: +-2 of voluntary.
- migrations (runs on another CPU than the run before): at most the kernel's
  se.nr_migrations (+2), which also counts moves that a later move undid.
- UNKNOWN under 1% of the window, where the model met no anomaly for it.
"""
import json
import os
import subprocess
import sys
import time


def snapshot(pid):
    threads = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        base = f"/proc/{pid}/task/{tid}"
        try:
            with open(base + "/schedstat") as f:
                run, wait, slices = (int(x) for x in f.read().split()[:3])
            vol = invol = 0
            with open(base + "/status") as f:
                for line in f:
                    if line.startswith("voluntary_ctxt_switches:"):
                        vol = int(line.split()[1])
                    elif line.startswith("nonvoluntary_ctxt_switches:"):
                        invol = int(line.split()[1])
            with open(base + "/comm") as f:
                comm = f.read().strip()
            migr = None
            try:  # CONFIG_SCHED_DEBUG's per-task counters
                with open(base + "/sched") as f:
                    for line in f:
                        if line.startswith("se.nr_migrations"):
                            migr = int(line.split(":")[1])
            except OSError:
                pass
        except OSError:
            continue  # exited meanwhile
        threads[tid] = dict(comm=comm, run=run, wait=wait, slices=slices, vol=vol, invol=invol,
                            migr=migr)
    return dict(ts=time.clock_gettime_ns(time.CLOCK_MONOTONIC), threads=threads)


def states_rows(path):
    with open(path) as f:
        doc = json.load(f)
    return {str(r["tid"]): r for r in doc["threads"]}


def check(name, tid, comm, k, row, out, exited=False, lost=0):
    """k: the kernel's counts over the window; row: states --json of the thread;
    lost: events the trace says it lost (each may hide one switch or wakeup)."""
    problems = []
    # A thread that read its own counters before exiting has one more switch,
    # its last, that the counters could not include.
    switches = row["switches"] - (1 if exited else 0)
    run_tol = max(0.01 * k["run"], 1e6) + 1000 * max(switches, k["vol"] + k["invol"])
    # On-CPU time as the kernel charges it, slice by slice, carried by the
    # trace: the truth lies between what is known and that plus the slices
    # and UNKNOWN time it is not known for.
    lo = row["kernel_run_ns"]
    hi = lo + row["kernel_run_unknown_ns"] + row["unknown_ns"]
    run_tol = max(0.01 * k["run"], 1e6)
    if not (lo - run_tol <= k["run"] <= hi + run_tol):
        problems.append(f"kernel run {lo} (+unknown {hi - lo}) vs kernel {k['run']}")
    # run_delay_ns is the kernel's own measure carried by the trace; queue_wait_ns
    # is the part of it inside runnable intervals, so never more.
    q, rd = row.get("queue_wait_ns"), row.get("run_delay_ns")
    if q is None or rd is None:
        problems.append("no queue wait in the trace")
    else:
        # A switch-in the kernel made without its tracepoint (docs/MODEL.md,
        # switch_out_not_running) carried the run delay of the wait it ended;
        # the model has that wait UNKNOWN, so the truth lies between the run
        # delay the trace carries and that plus the thread's UNKNOWN time.
        rd_tol = max(0.02 * k["wait"], 1e6)
        if not (rd - rd_tol <= k["wait"] <= rd + row["unknown_ns"] + rd_tol):
            problems.append(f"run delay {rd} (+unknown {row['unknown_ns']}) vs kernel {k['wait']}")
        if q > rd or q > row["runnable_ns"]:
            problems.append(f"queue wait {q} over run delay {rd} or runnable {row['runnable_ns']}")
    # A switch the kernel made without its tracepoint shows as an anomaly of the thread.
    if abs(switches - (k["vol"] + k["invol"])) > 2 + lost + row.get("anomalies", 0):
        problems.append(f"switches {switches} vs kernel {k['vol']}+{k['invol']}")
    # A sleep the kernel ended with no sched_waking (this kernel does, see
    # docs/MODEL.md) is UNKNOWN and an anomaly of the thread, not a wakeup.
    if abs(row["wakeups"] - k["vol"]) > 2 + lost + row.get("anomalies", 0):
        problems.append(f"wakeups {row['wakeups']} vs voluntary {k['vol']}")
    # A run on another CPU than the last means the kernel moved the thread at least once
    # (it counts every move, also two between runs): never more than the kernel's count.
    if "migr" in k and row.get("migrations", 0) > k["migr"] + 2 + lost + row.get("anomalies", 0):
        problems.append(f"migrations {row['migrations']} over the kernel's {k['migr']}")
    window = k.get("window") or (row["run_ns"] + row["runnable_ns"] + row["sleep_ns"] + row["block_ns"]
                                 + row["unknown_ns"])
    if window and row["unknown_ns"] > 0.01 * window and not lost and not row.get("anomalies", 0):
        problems.append(f"unknown {row['unknown_ns']} of {window}")
    out.append((tid, comm, k, row))
    label = f"live/truth_{name}_{comm}_{tid}"
    if problems:
        print(f"FAIL {label}: " + "; ".join(problems))
    else:
        print(f"PASS {label}")
    return not problems


def table(rows, timehist=None):
    ms = lambda ns: ns / 1e6
    hdr = f"{'TID':>7} {'COMM':<15} {'k_run':>9} {'krun':>9} {'run':>9} {'steal':>8} {'k_wait':>9} {'queue':>9} {'wakelat':>9} " \
          f"{'k_sw':>7} {'sw':>7} {'k_vol':>7} {'wakeups':>7} {'unknown':>8} {'k_migr':>6} {'migr':>6}"
    if timehist:
        hdr += f" {'perf_run':>9} {'perf_wait':>9}"
    print(hdr, file=sys.stderr)
    for tid, comm, k, r in rows:
        line = (f"{tid:>7} {comm:<15} {ms(k['run']):9.3f} {ms(r['kernel_run_ns']):9.3f} {ms(r['run_ns']):9.3f} "
                f"{ms(r.get('steal_ns', 0)):8.3f} {ms(k['wait']):9.3f} "
                f"{ms(r.get('queue_wait_ns') or 0):9.3f} {ms(r.get('wakeup_latency_ns') or 0):9.3f} "
                f"{k['vol'] + k['invol']:7d} {r['switches']:7d} {k['vol']:7d} {r['wakeups']:7d} "
                f"{ms(r['unknown_ns']):8.3f} {k.get('migr', '-'):>6} {r.get('migrations', '-'):>6}")
        if timehist:
            p = timehist.get(tid, {})
            line += f" {ms(p.get('run', 0)):9.3f} {ms(p.get('wait', 0)):9.3f}"
        print(line, file=sys.stderr)
    print("(ms; k_ = the kernel's schedstat and switch counters; krun = the kernel's charge carried\n"
          " by the trace; run = switch to switch; queue = run-queue wait inside runnable intervals)",
          file=sys.stderr)


def perf_timehist(path):
    """perf sched timehist's per-thread run and wait (sch delay) columns, summed: for comparison only."""
    per = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            # time cpu task[tid/pid] wait sch_delay run
            if len(parts) < 6 or "[" not in parts[2]:
                continue
            try:
                tid = parts[2].rsplit("[", 1)[1].split("/")[0].rstrip("]")
                wait, delay, run = (float(x) for x in parts[3:6])
            except ValueError:
                continue
            p = per.setdefault(tid, dict(run=0.0, wait=0.0))
            p["run"] += run * 1e6
            p["wait"] += delay * 1e6
    return per


def main():
    mode = sys.argv[1]
    if mode == "snapshot":
        json.dump(snapshot(sys.argv[2]), sys.stdout)
        return 0
    if mode == "server":
        name, before, after, states = sys.argv[2:6]
        timehist = perf_timehist(sys.argv[6]) if len(sys.argv) > 6 and sys.argv[6] != "-" else None
        lost = int(sys.argv[7]) if len(sys.argv) > 7 else 0
        if lost:
            print(f"note: the trace lost {lost} events: tolerances widened by them", file=sys.stderr)
        with open(before) as f:
            b = json.load(f)
        with open(after) as f:
            a = json.load(f)
        rows = states_rows(states)
        ok, out = True, []
        for tid, t1 in sorted(a["threads"].items(), key=lambda x: int(x[0])):
            t0 = b["threads"].get(tid)
            if not t0:
                continue
            k = {key: t1[key] - t0[key] for key in ("run", "wait", "slices", "vol", "invol")}
            if t0.get("migr") is not None and t1.get("migr") is not None:
                k["migr"] = t1["migr"] - t0["migr"]
            k["window"] = a["ts"] - b["ts"]
            if k["run"] < 1e6 and k["vol"] + k["invol"] < 10:
                continue  # idle threads say nothing
            row = rows.get(tid)
            if row is None:
                print(f"FAIL live/truth_{name}_{t1['comm']}_{tid}: not in the trace "
                      f"(the kernel counted {k['run']} ns on CPU)")
                ok = False
                continue
            ok &= check(name, tid, t1["comm"], k, row, out, lost=lost)
        table(out, timehist)
        if not out:
            print(f"FAIL live/truth_{name}: no busy thread to compare")
            return 1
        return 0 if ok else 1
    if mode == "workload":
        name, wout, trace, schedtape = sys.argv[2:6]
        info = json.loads(subprocess.run([schedtape, "info", "--json", trace], check=True,
                                         capture_output=True, text=True).stdout)
        start = int(info["meta"]["start_ts"])
        lost = info["lost_events"]
        if lost:
            print(f"note: the trace lost {lost} events: tolerances widened by them", file=sys.stderr)
        vals = {}
        with open(wout) as f:
            for line in f:
                if "=" in line:
                    key, v = line.strip().split("=", 1)
                    vals[key] = int(v)
        ok, out = True, []
        for who in sorted({key.split(".")[0] for key in vals if key.endswith(".k_run_ns")}):
            tid = str(vals[who + ".tid"])
            # schedstat's runtime lags the slice in progress by up to a tick;
            # the thread's CPU clock, read just after, does not.
            k = dict(run=max(vals[who + ".k_run_ns"], vals.get(who + ".k_cputime_ns", 0)),
                     wait=vals[who + ".k_wait_ns"],
                     slices=vals[who + ".k_timeslices"], vol=vals[who + ".k_voluntary"],
                     invol=vals[who + ".k_involuntary"])
            # The thread's life up to the moment it read its counters.
            end = (vals[who + ".k_ts_ns"] - start) / 1e9
            doc = subprocess.run([schedtape, "states", "--json", "-t", tid, "--end", f"{end:.9f}",
                                  trace], check=True, capture_output=True, text=True).stdout
            row = {str(r["tid"]): r for r in json.loads(doc)["threads"]}.get(tid)
            if row is None:
                print(f"FAIL live/truth_{name}_{who}: thread {tid} not in the trace")
                ok = False
                continue
            ok &= check(name, tid, who, k, row, out, lost=lost)
        table(out)
        return 0 if ok else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
