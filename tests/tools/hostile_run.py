#!/usr/bin/env python3
"""Run every analyzer command over hostile traces and judge what comes out.

  hostile_run.py SCHEDTAPE TRACE...

For each trace and command: no crash (exit 0 or 1 only), no run over 10 s,
no RSS over 512 MB; an error is one line naming the file; output is what it
claims to be: JSON parses and is UTF-8, SVG is well-formed XML, folded
stacks are `frame;frame count` lines, text has no control bytes and is
UTF-8. Prints one PASS/FAIL line per trace (every command's verdict in it).
"""
import json
import shutil
import os
import re
import subprocess
import sys
import tempfile
import time
import xml.dom.minidom

LIMIT_S = 10
LIMIT_RSS_KB = int(os.environ.get("RSS_LIMIT_MB", "512")) * 1024
SUITE = os.environ.get("SUITE", "hostile")
peak = 0
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")
FOLDED = re.compile(rb"^[^;\s][^\n]*[^;\s] [0-9]+$|^[^;\s] [0-9]+$")


def commands(tmp):
    svg = os.path.join(tmp, "out.svg")
    pf = os.path.join(tmp, "out.json")
    pb = os.path.join(tmp, "out.pftrace")
    html = os.path.join(tmp, "report.html")
    return [
        (["info"], "text"), (["info", "--json"], "json"), (["info", "--maps"], "text"),
        (["dump"], "text"), (["dump", "-g"], "text"), (["dump", "-g", "--json"], "json"),
        (["latency"], "text"), (["latency", "--json", "-P"], "json"),
        (["map"], "text"), (["map", "--json"], "json"),
        (["cpus"], "text"), (["cpus", "--json", "-i", "0.5"], "json"),
        (["states"], "text"), (["states", "--json"], "json"), (["states", "--anomalies"], "text"),
        (["states", "--per-process", "--json"], "json"),
        (["states", "--by", "container", "--json"], "json"), (["states", "--by", "cgroup"], "text"),
        (["hist", "--by", "container", "--json"], "json"),
        (["hist"], "text"), (["hist", "--json", "--per-thread"], "json"),
        (["timeline", "--comm", "."], "text"), (["timeline", "--json", "--comm", "."], "json"),
        (["offcpu"], "folded"), (["offwake"], "folded"),
        (["flame", "--offcpu", "-o", svg], ("svg", svg)), (["flame", "--offwake", "-o", svg], ("svg", svg)),
        (["chains", "--comm", "."], "text"), (["chains", "--json", "--comm", "."], "json"),
        (["waitfor", "--comm", "."], "text"), (["waitfor", "--json", "--comm", "."], "json"),
        (["export", "--format", "json", "-o", pf], ("json", pf)),
        (["export", "--perfetto", "--no-progress", "-o", pb], ("pftrace", pb)),
        (["export", "--parquet", os.path.join(tmp, "pq")], "text"),
        (["export", "--csv", os.path.join(tmp, "csv")], "text"),
        (["report", "-o", html], ("html", html)),
        (["buildids"], "text"), (["buildids", "--json"], "json"),
        (["symbolize", "-f", "-o", os.path.join(tmp, "sym.tape")], "text"),
        (["diff", "@", "@"], "text"), (["diff", "--json", "@", "@"], "json"),
    ]


def judge(kind, out, err, path):
    problems = []
    for name, data in (("stdout", out), ("stderr", err)):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(f"{name} is not UTF-8 ({e.reason} at {e.start})")
        if CONTROL.search(data) and not (name == "stdout" and kind == "folded-bin"):
            problems.append(f"{name} has control bytes: {CONTROL.search(data).group()!r}")
    if isinstance(kind, tuple):
        kind, file = kind
        try:
            with open(file, "rb") as f:
                out = f.read()
        except OSError:
            return problems  # nothing written: judged by the exit status
        if kind == "pftrace":
            # Whatever was written decodes as Perfetto's Trace (tests/tools/perfetto_trace.proto).
            if out and shutil.which("protoc"):
                here = os.path.dirname(os.path.abspath(__file__))
                r = subprocess.run(["protoc", "-I", here, "--decode=perfetto.protos.Trace",
                                    "perfetto_trace.proto"], input=out, capture_output=True)
                if r.returncode:
                    problems.append(f"{file} does not decode: {r.stderr.decode()[:200]}")
            return problems
        try:
            out.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(f"{file} is not UTF-8")
        if kind == "html":
            # The page's only scripts are its own two: a name can never open a third.
            page = out.decode("utf-8", "replace")
            if page.count("<script") != 2:
                problems.append(f"{file} has {page.count('<script')} <script tags, not 2")
            m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
            try:
                json.loads(m.group(1) if m else "")
            except ValueError as e:
                problems.append(f"{file}: the report's data is not JSON: {e}")
            return problems
    if kind == "json" and out:
        try:
            json.loads(out.decode("utf-8", "replace"))
        except ValueError as e:
            problems.append(f"invalid JSON: {e}")
    elif kind == "svg" and out:
        try:
            xml.dom.minidom.parseString(out)
        except Exception as e:  # noqa: BLE001 - any parse error is the verdict
            problems.append(f"ill-formed SVG: {e}")
    elif kind == "folded":
        for line in out.split(b"\n"):
            if line and not FOLDED.match(line):
                problems.append(f"not a folded line: {line[:80]!r}")
                break
    return problems


def run(st, trace, args, kind):
    argv = [st] + [trace if a == "@" else a for a in args]
    if "@" not in args:
        argv.append(trace)
    # GNU time gives the command's own peak RSS (a forked child's counts the parent's too).
    fd, rssfile = tempfile.mkstemp(prefix="rss")
    os.close(fd)
    argv = ["/usr/bin/time", "-q", "-f", "%M", "-o", rssfile] + argv
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        return [f"over {LIMIT_S} s"]
    rc = p.returncode
    try:
        with open(rssfile) as f:
            lines = f.read().split()
        rss = int(lines[-1]) if lines else 0
        # GNU time reports a child killed by a signal as "Command terminated by signal N".
        if "signal" in lines:
            rc = 128 + int(lines[lines.index("signal") + 1])
    except (OSError, ValueError, IndexError):
        rss = 0
    os.unlink(rssfile)
    took = time.monotonic() - t0
    problems = []
    if rc not in (0, 1):
        problems.append(f"exit {rc}" + (" (crash)" if rc < 0 or rc >= 128 else ""))
    if rc == 1:
        lines = [l for l in err.decode("utf-8", "replace").splitlines() if "error" in l or trace in l]
        if not any(trace in l for l in lines):
            problems.append(f"error does not name the file: {err[-200:]!r}")
    if rss > LIMIT_RSS_KB:
        problems.append(f"RSS {rss // 1024} MB")
    if took > LIMIT_S:
        problems.append(f"took {took:.1f} s")
    if rc == 0:
        problems += judge(kind, out, err, trace)
    return problems


def main():
    st, traces = sys.argv[1], sys.argv[2:]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for trace in traces:
            bad = []
            for args, kind in commands(tmp):
                for f in ("out.svg", "out.json", "out.pftrace"):
                    try:
                        os.unlink(os.path.join(tmp, f))
                    except OSError:
                        pass
                problems = run(st, trace, args, kind)
                if problems:
                    bad.append(" ".join(a for a in args if not a.startswith(tmp)) + ": " + "; ".join(problems))
            name = os.path.basename(trace).rsplit(".", 1)[0]
            if bad:
                ok = False
                print(f"FAIL corpus/{SUITE}/{name}: " + " | ".join(bad))
            else:
                print(f"PASS corpus/{SUITE}/{name}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
