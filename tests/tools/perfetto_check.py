#!/usr/bin/python3
"""Decode `schedtape export --perfetto` output independently and hold it
against the analyzer.

usage: perfetto_check.py SCHEDTAPE TAPE PFTRACE

The protobuf is parsed with python3-protobuf from tests/tools/perfetto_trace.proto
(compiled here with protoc), never with schedtape's code. Thread states are
rebuilt the way Perfetto's trace processor builds thread_state: events of all
bundles ordered by time (a bundle's compact switches, then its compact wakings,
then its full events, as its tokenizer reads them); a compact switch's prev is
the task the CPU's last switch put there (a CPU's first compact switch only sets
it); a compact waking's waker is that task, a full event's its common pid; a
waking of a running or runnable (not preempted) thread is ignored; task_newtask
makes a new thread, runnable. UNKNOWN slices on thread tracks and the
"recording" slice (the span) come from the track events. Per thread the run,
runnable, sleep and block time outside UNKNOWN must equal `states --json` to the
nanosecond, every wakeup (ts, waker) `timeline --json`'s, and every callstack
used must be defined, its frames named as `offcpu` names them.
"""
import bisect
import gzip
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def load_module():
    out = tempfile.mkdtemp()
    subprocess.run(["protoc", "-I", HERE, "--python_out", out, "perfetto_trace.proto"], check=True)
    sys.path.insert(0, out)
    import perfetto_trace_pb2
    return perfetto_trace_pb2


def kind_of(state):
    if state == "Running":
        return "run"
    if state in ("R", "R+"):
        return "runnable"
    if state == "D":
        return "block"
    if state in ("X", "Z", "?"):
        return None
    return "sleep"


def state_str(bits):
    if bits & 0xfe00:
        return "?"  # trace processor: invalid for kernels 4.14+
    if bits & 0x100:
        return "R+"
    if bits == 0:
        return "R"
    for bit, c in ((1, "S"), (2, "D"), (4, "T"), (8, "t"), (16, "X"), (32, "Z"), (64, "P"), (128, "I")):
        if bits & bit:
            return c
    return "?"


class Decoder:
    def __init__(self, pb, data):
        self.trace = pb.Trace()
        self.trace.ParseFromString(data)
        self.events = []      # (ts, order, cpu, kind, fields)
        self.unknown = defaultdict(list)  # tid -> [(start, end)]
        self.span = None
        self.tracks = {}      # uuid -> tid
        self.callstacks, self.frames, self.fnames = {}, {}, {}
        self.used_callstacks = set()
        self.offcpu_frames = set()
        self.counts = defaultdict(int)
        self.event_names = {}
        self.comm_at = defaultdict(list)  # tid -> [(ts, comm)] from the events
        self.offcpu_slices = []  # (tid, start, end, callstack)
        self.traced = set()

    def read(self):
        order = 0
        open_slices = {}
        for pkt in self.trace.packet:
            if pkt.HasField("interned_data"):
                idata = pkt.interned_data
                for s in idata.function_names:
                    self.fnames[s.iid] = s.str.decode("utf-8", "replace")
                for f in idata.frames:
                    self.frames[f.iid] = f.function_name_id
                for c in idata.callstacks:
                    self.callstacks[c.iid] = list(c.frame_ids)
                for n in idata.event_names:
                    self.event_names[n.iid] = n.name
            if pkt.HasField("track_descriptor"):
                td = pkt.track_descriptor
                if td.HasField("thread"):
                    self.tracks[td.uuid] = td.thread.tid

            if pkt.HasField("track_event"):
                te = pkt.track_event
                if te.callstack_iid:
                    self.used_callstacks.add(te.callstack_iid)
                if te.type == 1:
                    open_slices[te.track_uuid] = (pkt.timestamp, te.name_iid, te.callstack_iid)
                elif te.type == 2:
                    start, name_iid, cs = open_slices.pop(te.track_uuid)
                    name = self.event_names[name_iid]
                    if name == "UNKNOWN":
                        self.unknown[self.tracks[te.track_uuid]].append((start, pkt.timestamp))
                    elif name == "recording":
                        self.span = (start, pkt.timestamp)
                    elif name.startswith("off-CPU"):
                        self.counts["offcpu_slices"] += 1
                        if self.tracks.get(te.track_uuid) in self.traced:
                            self.offcpu_slices.append((self.tracks[te.track_uuid], start,
                                                       pkt.timestamp, cs))
                else:
                    self.counts["instants"] += 1
            if not pkt.HasField("ftrace_events"):
                continue
            b = pkt.ftrace_events
            cpu = b.cpu
            if b.HasField("compact_sched"):
                cs = b.compact_sched
                ts = 0
                for i in range(len(cs.switch_timestamp)):
                    ts += cs.switch_timestamp[i]
                    self.comm_at[cs.switch_next_pid[i]].append((ts, cs.intern_table[cs.switch_next_comm_index[i]]))
                    self.events.append((ts, order, cpu, "cswitch",
                                        (cs.switch_prev_state[i], cs.switch_next_pid[i])))
                    order += 1
                ts = 0
                for i in range(len(cs.waking_timestamp)):
                    ts += cs.waking_timestamp[i]
                    self.comm_at[cs.waking_pid[i]].append((ts, cs.intern_table[cs.waking_comm_index[i]]))
                    self.events.append((ts, order, cpu, "cwaking",
                                        (cs.waking_pid[i], cs.waking_common_flags[i])))
                    order += 1
            for ev in b.event:
                which = ev.WhichOneof("event")
                if which == "sched_switch":
                    s = ev.sched_switch
                    self.comm_at[s.next_pid].append((ev.timestamp, s.next_comm))
                    self.events.append((ev.timestamp, order, cpu, "switch",
                                        (s.prev_pid, s.prev_state, s.next_pid)))
                elif which == "task_rename":
                    self.comm_at[ev.task_rename.pid].append((ev.timestamp, ev.task_rename.newcomm))
                elif which == "sched_waking":
                    self.comm_at[ev.sched_waking.pid].append((ev.timestamp, ev.sched_waking.comm))
                    self.events.append((ev.timestamp, order, cpu, "waking",
                                        (ev.sched_waking.pid, ev.pid, ev.common_flags)))
                elif which == "task_newtask":
                    self.events.append((ev.timestamp, order, cpu, "newtask",
                                        (ev.task_newtask.pid, ev.pid)))
                elif which == "sched_process_exit":
                    self.events.append((ev.timestamp, order, cpu, "exit", (ev.sched_process_exit.pid,)))
                order += 1

    def rebuild(self):
        """thread_state as trace processor makes it; per (tid, generation)."""
        gen = defaultdict(int)
        seen = set()
        cur = {}          # tid -> (state, since)
        totals = defaultdict(lambda: defaultdict(list))  # (tid, gen) -> kind -> [(a, b)]
        wakeups = defaultdict(list)  # tid -> [(ts, waker)]
        cpu_cur = {}

        def close(tid, ts):
            if tid in cur:
                st, since = cur[tid]
                k = kind_of(st)
                if k and ts > since:
                    totals[(tid, gen[tid])][k].append((since, ts))

        def open_(tid, st, ts):
            if tid == 0:
                return
            seen.add(tid)
            cur[tid] = (st, ts)

        def waking(ts, tid, waker):
            if tid == 0:
                return
            if tid in cur and cur[tid][0] in ("Running", "R"):
                self.counts["spurious"] += 1
                return
            # A wakeup ends a sleep (the first state of a thread is no sleep).
            slept = tid in cur and kind_of(cur[tid][0]) in ("sleep", "block")
            close(tid, ts)
            open_(tid, "R", ts)
            if slept and not any(a < ts <= b for a, b in self.unknown.get(tid, [])):
                wakeups[tid].append((ts, waker))

        def switch(ts, cpu, prev, bits, nxt):
            if prev:
                close(prev, ts)
                open_(prev, state_str(bits), ts)
            if nxt:
                close(nxt, ts)
                open_(nxt, "Running", ts)
            cpu_cur[cpu] = nxt

        for ts, _, cpu, kind, f in sorted(self.events, key=lambda e: (e[0], e[1])):
            self.counts[kind] += 1
            if kind == "cswitch":
                if cpu not in cpu_cur:
                    cpu_cur[cpu] = f[1]
                    self.counts["first_compact_skipped"] += 1
                    continue
                switch(ts, cpu, cpu_cur[cpu], f[0], f[1])
            elif kind == "switch":
                switch(ts, cpu, f[0], f[1], f[2])
            elif kind == "cwaking":
                if cpu not in cpu_cur:
                    self.counts["waking_skipped"] += 1
                    continue
                waking(ts, f[0], cpu_cur[cpu])
            elif kind == "waking":
                waking(ts, f[0], f[1])
            elif kind == "newtask":
                tid = f[0]
                if tid in seen:
                    close(tid, ts)
                    gen[tid] += 1
                    cur.pop(tid, None)
                open_(tid, "R", ts)
            elif kind == "exit":
                pass
        end = self.span[1]
        for tid in list(cur):
            close(tid, end)
        return totals, wakeups


def overlap(iv, cuts):
    total = 0
    for a, b in iv:
        total += b - a
        for c, d in cuts:
            lo, hi = max(a, c), min(b, d)
            if hi > lo:
                total -= hi - lo
    return total


def main():
    schedtape, tape, path = sys.argv[1:4]
    pb = load_module()
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    d = Decoder(pb, data)
    states = json.loads(subprocess.run([schedtape, "states", "--json", tape], check=True,
                                       capture_output=True).stdout)
    d.traced = {t["tid"] for t in states["threads"]}
    d.read()
    assert d.span, "no recording slice"
    totals, wakeups = d.rebuild()
    failures = 0
    compared = 0
    keys = {"run": "run_ns", "runnable": "runnable_ns", "sleep": "sleep_ns", "block": "block_ns"}
    for t in states["threads"]:
        tid, g = t["tid"], t["generation"]
        mine = totals.get((tid, g), {})
        for k, key in keys.items():
            got = overlap(mine.get(k, []), d.unknown.get(tid, []))
            if got != t[key]:
                failures += 1
                if failures <= 10:
                    print(f"perfetto_check: tid {tid} gen {g} {t['comm']}: {k} {got} in the export, "
                          f"{t[key]} in states", file=sys.stderr)
        compared += 1
    # Wakers: every wakeup of the analyzer's, in the export with the same waker.
    tids = sorted({t["tid"] for t in states["threads"]})
    nwake = 0
    for i in range(0, len(tids), 64):
        batch = ",".join(str(x) for x in tids[i:i + 64])
        tl = json.loads(subprocess.run([schedtape, "timeline", "--json", "-t", batch, tape], check=True,
                                       capture_output=True).stdout)
        ours = defaultdict(list)
        for iv in tl["intervals"]:
            if iv["state"] in ("sleep", "block") and "waker_tid" in iv:
                ours[iv["tid"]].append((iv["start_ns"] + iv["duration_ns"], iv["waker_tid"]))
        for tid, lst in ours.items():
            theirs = wakeups.get(tid, [])
            t0 = d.span[0]
            got = sorted((ts - t0, w) for ts, w in theirs)
            want = sorted(lst)
            nwake += len(want)
            if got != want:
                failures += 1
                missing = sorted(set(want) - set(got))[:3]
                extra = sorted(set(got) - set(want))[:3]
                print(f"perfetto_check: tid {tid}: wakeups differ ({len(got)} in the export, {len(want)} "
                      f"in timeline; missing {missing}, extra {extra})", file=sys.stderr)
    # Stacks: every callstack used is defined, every frame named.
    for cs in d.used_callstacks:
        if cs not in d.callstacks:
            failures += 1
            print(f"perfetto_check: callstack {cs} used but not defined", file=sys.stderr)
            continue
        for fr in d.callstacks[cs]:
            if fr not in d.frames or d.frames[fr] not in d.fnames:
                failures += 1
                print(f"perfetto_check: frame {fr} not defined or unnamed", file=sys.stderr)
    # Off-CPU slices' stacks, named frame by frame, are the stacks offcpu folds
    # (it prints those of 1 us or more in all, per thread name and stack).
    def stack_str(cs):
        return ";".join(d.fnames.get(d.frames.get(fr), "?") for fr in d.callstacks.get(cs, []))
    # Folded lines start with the thread's name when the sleep ended, as its events name it.
    for lst in d.comm_at.values():
        lst.sort(key=lambda x: x[0])
    def comm_at(tid, ts):
        lst = d.comm_at.get(tid, [])
        i = bisect.bisect_right(lst, ts, key=lambda x: x[0])
        return lst[i - 1][1] if i else ""
    ours = defaultdict(int)
    for tid, start, end, cs in d.offcpu_slices:
        ours[comm_at(tid, end) + ";" + stack_str(cs)] += end - start
    ours = {k for k, ns in ours.items() if ns >= 1000}
    folded = subprocess.run([schedtape, "offcpu", tape], check=True, capture_output=True,
                            text=True).stdout
    theirs = {line.rsplit(" ", 1)[0] for line in folded.splitlines() if ";" in line}
    if ours != theirs:
        failures += 1
        print(f"perfetto_check: off-CPU stacks differ: {len(ours - theirs)} only in the export "
              f"(e.g. {sorted(ours - theirs)[:1]}), {len(theirs - ours)} only in offcpu "
              f"(e.g. {sorted(theirs - ours)[:1]})", file=sys.stderr)
    c = d.counts
    print(f"perfetto_check: {compared} threads, {nwake} wakeups, {len(d.used_callstacks)} callstacks; "
          f"events: {c['cswitch']} compact switches, {c['switch']} full, {c['cwaking']} compact wakings, "
          f"{c['waking']} full; {c['spurious']} wakings of running threads; "
          f"{sum(len(v) for v in d.unknown.values())} UNKNOWN slices; "
          f"{'OK' if not failures else str(failures) + ' FAILURES'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
