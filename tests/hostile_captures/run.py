#!/usr/bin/env python3
"""Runs hstrace -r on every case gen.py wrote and checks what it did.

usage: run.py HSTRACE SCHEMA CASEDIR [--report FILE] [--only REGEX]

Per case, two runs: `--json` and `--plain --color never`.  Each must: exit with the case's code
(0 read whole, 1 truncated/corrupt, 2 not a capture), say why on stderr when it is not 0, end
within the case's time bound, stay under its peak-memory bound (maximum resident set, measured
by GNU /usr/bin/time, or by a python wrapper's
getrusage(RUSAGE_CHILDREN) when it is absent: a fresh process per run either way), print no raw control character (text,
JSON and stderr; newline allowed), print valid UTF-8, and (JSON) validate against the schema
and pass the case's checks on the document.  Prints "ok - NAME" / "not ok - NAME" lines;
--report writes one line per run: case, mode, exit code, seconds, peak MB.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

DEFAULT_MAX_S = 10.0      # per run, on a loaded 2-core machine
DEFAULT_MAX_RSS_MB = 64   # per run
TIMEOUT_S = 120           # a run still going after this is killed (a hang)
TIME = "/usr/bin/time"    # GNU time: exit code, seconds, peak RSS; else the python wrapper

# What a terminal must never receive: C0 controls but newline, DEL, C1 controls, and the code
# points that reorder or hide text (the same set as tests/hostile/check.py).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
                    "\ufeff\u2028\u2029]")

WRAPPER = r"""
import resource, subprocess, sys, time
t = time.monotonic()
with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
    rc = subprocess.call(sys.argv[4:], stdout=out, stderr=err, stdin=subprocess.DEVNULL)
t = time.monotonic() - t
kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
open(sys.argv[3], "w").write("%d %f %d\n" % (rc, t, kb))
"""


def measure(cmd, out, err):
    """(exit code, seconds, peak RSS in MB) of cmd, its stdout and stderr in files; a fresh
    wrapper process per run, so RUSAGE_CHILDREN is this run's alone."""
    with tempfile.NamedTemporaryFile("r", suffix=".m") as m:
        try:
            if os.access(TIME, os.X_OK):
                with open(out, "wb") as o, open(err, "wb") as e:
                    p = subprocess.run([TIME, "-o", m.name, "-f", "%x %e %M"] + cmd, stdout=o,
                                       stderr=e, stdin=subprocess.DEVNULL, timeout=TIMEOUT_S,
                                       check=False)
            else:
                subprocess.run([sys.executable, "-c", WRAPPER, out, err, m.name] + cmd,
                               timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            return None, TIMEOUT_S, 0
        # GNU time puts "Command exited with non-zero status N" (or "... terminated by
        # signal N") on a line before the format's.
        lines = m.read().strip().splitlines()
        fields = lines[-1].split() if lines else []
        if len(fields) != 3:
            return -1, 0.0, 0.0
        rc, secs, kb = fields
        if "signal" in " ".join(lines[:-1]):
            rc = -1
        return int(rc), float(secs), int(kb) / 1024.0


def unsafe(text):
    return [m.start() for m in UNSAFE.finditer(text) if m.group() != "\n"]


def walk_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from walk_strings(v)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from walk_strings(v)


def tls_rows(doc, conn=0):
    """["client ClientHello", "server ServerHello", ...] of one connection."""
    conns = doc.get("connections") or []
    if len(conns) <= conn:
        return []
    return ["%s %s" % (e["from"], e["type"]) for e in conns[conn]["events"]
            if e.get("layer") == "tls"]


def compare(value, spec):
    m = re.fullmatch(r"(==|<=|>=|>|<)(-?\d+)", spec)
    op, n = m.group(1), int(m.group(2))
    return {"==": value == n, "<=": value <= n, ">=": value >= n, ">": value > n,
            "<": value < n}[op]


def check_doc(doc, case, base_types):
    """Problems with the JSON document against the case's checks."""
    bad = []
    want = case.get("types")
    got = tls_rows(doc)
    if want == "base":
        if got != base_types:
            bad.append("TLS rows %s, want %s" % (", ".join(got), ", ".join(base_types)))
    elif want:
        rest = [r.split(" ", 1)[1] for r in got]
        for name in want:
            if name in rest:
                rest.remove(name)
            else:
                bad.append("no %s row (rows: %s)" % (name, " ".join(got) or "none"))
                break
    for field, spec in (case.get("tcp") or {}).items():
        conns = doc.get("connections") or []
        v = conns[0].get("tcp", {}).get(field) if conns else None
        if v is None or not compare(v, spec):
            bad.append("tcp.%s is %s, want %s" % (field, v, spec))
    for field, spec in (case.get("source") or {}).items():
        v = doc.get("source", {}).get(field)
        if v is None or not compare(v, spec):
            bad.append("source.%s is %s, want %s" % (field, v, spec))
    for s in walk_strings(doc):
        if unsafe(s):
            bad.append("a JSON string holds a control character: %r" % s[:80])
            break
    return bad


def run_case(hstrace, validator, case, casedir, base_types, report, work):
    path = os.path.join(casedir, case["file"])
    problems = []
    for mode, flags in (("json", ["--json"]), ("text", ["--plain", "--color", "never"])):
        out, err = os.path.join(work, "out"), os.path.join(work, "err")
        cmd = [hstrace, "-r", path] + case["args"] + flags
        rc, secs, mb = measure(cmd, out, err)
        report.append("%-60s %-4s rc=%-4s %6.2fs %7.1fMB" % (case["name"][:60], mode, rc, secs, mb))
        max_s = case.get("max_s", DEFAULT_MAX_S)
        max_mb = case.get("max_rss_mb", DEFAULT_MAX_RSS_MB)
        if os.environ.get("SANITIZE") == "1":  # ASan's shadow memory and slower code
            max_s, max_mb = max_s * 10, max_mb * 4 + 256
        if rc is None:
            problems.append("%s: still running after %d s (killed)" % (mode, TIMEOUT_S))
            continue
        if rc != case["rc"]:
            problems.append("%s: exit %s, want %s" % (mode, rc, case["rc"]))
        if secs > max_s:
            problems.append("%s: %.1f s, bound %.0f s" % (mode, secs, max_s))
        if mb > max_mb:
            problems.append("%s: peak RSS %.0f MB, bound %d MB" % (mode, mb, max_mb))
        outb, errb = open(out, "rb").read(), open(err, "rb").read()
        for what, data in (("stdout", outb), ("stderr", errb)):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as e:
                problems.append("%s %s: invalid UTF-8 at byte %d" % (mode, what, e.start))
                continue
            hits = unsafe(text)
            if hits:
                p = hits[0]
                problems.append("%s %s: raw control character: %r" % (mode, what,
                                                                     text[max(0, p - 30):p + 30]))
        if rc is not None and rc != 0 and not errb.strip():
            problems.append("%s: exit %d with nothing on stderr" % (mode, rc))
        if case.get("err") and not re.search(case["err"], errb.decode("utf-8", "replace")):
            problems.append("%s: stderr %r does not match %r" % (mode, errb[:200], case["err"]))
        if mode == "json" and rc in (0, 1, 2):
            try:
                doc = json.loads(outb)
            except ValueError as e:
                problems.append("json: not JSON: %s" % e)
                continue
            if validator is not None:
                errs = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
                for e in errs[:3]:
                    where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                    problems.append("json: schema: %s: %s" % (where, e.message[:200]))
            if rc != 2:
                problems += ["json: " + b for b in check_doc(doc, case, base_types)]
            elif (doc.get("error") or {}).get("stage") != "usage" or doc.get("events"):
                # Nothing was read: the usage document, with the reason and no events.
                problems.append("json: exit 2 without the usage document: %r" %
                                json.dumps(doc)[:200])
    return problems


def main():
    args = sys.argv[1:]
    report_path = only = None
    if "--report" in args:
        i = args.index("--report")
        report_path = args[i + 1]
        del args[i:i + 2]
    if "--only" in args:
        i = args.index("--only")
        only = re.compile(args[i + 1])
        del args[i:i + 2]
    hstrace, schema_path, casedir = args
    manifest = json.load(open(os.path.join(casedir, "cases.json")))
    try:
        from jsonschema import Draft202012Validator
        validator = Draft202012Validator(json.load(open(schema_path)))
    except ImportError:
        validator = None
        print("skip - schema validation (python3-jsonschema is not installed)")

    # The TLS rows of the source capture itself: what an intact copy must show.
    repo_src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                            manifest["source"] + ".pcap")
    r = subprocess.run([hstrace, "-r", repo_src, "--keylog", manifest["keys"], "--json"],
                       capture_output=True, check=False)
    base_types = tls_rows(json.loads(r.stdout))

    report = []
    failed = 0
    with tempfile.TemporaryDirectory() as work:
        for case in manifest["cases"]:
            if only and not only.search(case["name"]):
                continue
            problems = run_case(hstrace, validator, case, casedir, base_types, report, work)
            if problems:
                failed += 1
                print("not ok - %s (%s)" % (case["name"], case["file"]))
                for p in problems[:6]:
                    print("#   " + p)
            else:
                print("ok - %s" % case["name"])
    if report_path:
        with open(report_path, "w") as f:
            f.write("\n".join(report) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
