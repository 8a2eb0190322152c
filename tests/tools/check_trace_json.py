#!/usr/bin/env python3
"""Check a Chrome trace-event JSON file as schedtape export writes it.

Every event has a phase, integer pid/tid, numeric microsecond timestamps;
complete slices have non-negative durations; every B has its E; every flow
start has its finish; thread tracks of the named threads exist.
Usage: check_trace_json.py FILE [THREAD_NAME...]
"""
import json
import sys

doc = json.load(open(sys.argv[1]))
events = doc["traceEvents"]
problems = []
open_b = {}
flows = {}
names = set()
for e in events:
    ph = e.get("ph")
    if not isinstance(e.get("pid"), int) or ("tid" in e and not isinstance(e["tid"], int)):
        problems.append("non-integer pid/tid: %r" % e)
    if ph in ("X", "B", "E", "s", "f", "i"):
        if not isinstance(e.get("ts"), (int, float)) or e["ts"] < 0:
            problems.append("bad ts: %r" % e)
    if ph == "X" and not (isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0):
        problems.append("bad dur: %r" % e)
    if ph == "B":
        open_b.setdefault((e["pid"], e["tid"]), []).append(e)
    if ph == "E":
        stack = open_b.get((e["pid"], e["tid"]))
        if not stack:
            problems.append("E without B: %r" % e)
        else:
            stack.pop()
    if ph in ("s", "f"):
        flows.setdefault(e["id"], set()).add(ph)
    if ph == "M" and e.get("name") == "thread_name":
        names.add(e["args"]["name"])
problems += ["B without E on %r" % (k,) for k, v in open_b.items() if v]
problems += ["flow %r is missing its start or finish" % k for k, v in flows.items() if v != {"s", "f"}]
problems += ["no track for thread %r" % n for n in sys.argv[2:] if n not in names]
for p in problems[:10]:
    print(p)
print("%d events, %d flows, %d problems" % (len(events), len(flows), len(problems)))
sys.exit(1 if problems else 0)
