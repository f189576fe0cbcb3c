#!/usr/bin/env python3
"""The hostile-server suite: hstrace against server.py, one case at a time, JSON and text.

usage: run.py HSTRACE SCHEMA [-v] [CASE...]
Prints "ok - ..." / "not ok - ..." per check (with "#" lines under a failure); -v adds a
"#" table of exit codes, stages, peak memory and run times.  Exit status 0 when all passed.
"""
import concurrent.futures
import json
import os
import re
import shutil
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from check import check  # noqa: E402

RSS_BOUND_KB = 64 * 1024       # peak resident memory of one hstrace run
RSS_BOUND_SAN_KB = 768 * 1024  # the same under ASan (shadow memory, quarantine)
SLACK_S = 2.0                  # a run ends within its --timeout plus this

# The case table.  rc and stage: what the man page documents for what the case does (1 tls for
# protocol errors and peers that are not TLS, 4 timeout when the server stalls, 5 verify when
# mbedTLS got as far as verifying a chain it could parse).  rows: a regex over the TLS rows of
# the JSON document ("ClientHello ServerHello ...", in order) and over the text ladder's arrow
# names: what arrived up to the failure.  msg: a regex over error.message.
#   name                       timeout rc stage      rows                                   msg
CASES = [
    ("truncated-header",           3, 1, "tls",     r"^ClientHello Error$",                r"closed the connection"),
    ("truncated-header-silent",    3, 4, "timeout", r"^ClientHello Error$",                r"timed out after 3 s"),
    ("record-len-0",               3, 1, "tls",     r"^ClientHello Error",                 r"invalid SSL record"),
    ("record-len-16385",           3, 1, "tls",     r"^ClientHello Error ServerHello Certificate$", r"invalid SSL record"),
    ("record-len-65535",           3, 1, "tls",     r"^ClientHello (Error|NotTLS)",        r"."),
    ("hs-longer-than-record",      3, 1, "tls",     r"^ClientHello Error$",                r"closed the connection"),
    ("hs-len-max",                 3, 1, "tls",     r"^ClientHello Certificate",           r"."),
    ("unknown-content-type",       3, 1, "tls",     r"^ClientHello (Error|NotTLS)",        r"."),
    ("sslv2-reply",                3, 1, "tls",     r"^ClientHello NotTLS",                r"does not speak TLS"),
    ("http-reply",                 3, 1, "tls",     r"^ClientHello NotTLS",                r"plain HTTP: \"HTTP/1\.1 400"),
    ("escape-reply",               3, 1, "tls",     r"^ClientHello NotTLS",                r"does not speak TLS"),
    ("garbage",                    3, 1, "tls",     r"^ClientHello NotTLS",                r"does not speak TLS"),
    ("silence",                    3, 4, "timeout", r"^ClientHello$",                      r"timed out after 3 s"),
    ("one-byte-per-second",        2, 4, "timeout", r"^ClientHello( Error)?$",             r"timed out after 2 s"),
    ("rst-mid-flight",             3, 1, "tls",     r"^ClientHello ServerHello Error$",    r"reset the connection"),
    ("close-after-server-hello",   3, 1, "tls",     r"^ClientHello ServerHello$",          r"closed the connection"),
    ("one-byte-records",           3, 1, "tls",     r"^ClientHello ServerHello Certificate ServerHelloDone", r"."),
    ("empty-message-flood",        3, 1, "tls",     r"^ClientHello ServerHello (HelloRequest )+Error", r"."),
    ("warning-alert-flood",        3, 1, "tls",     r"^ClientHello ServerHello (Alert )+",  r"."),
    ("chain-150",                  3, 1, "tls",     r"^ClientHello ServerHello Certificate", r"."),
    ("cert-1mb",                   3, 1, "tls",     r"^ClientHello ServerHello Certificate", r"."),
    ("cert-escapes",               3, 5, "verify",  r"^ClientHello ServerHello Certificate Alert$", r"verification failed"),
    ("escape-alpn",                3, 1, "tls",     r"^ClientHello ServerHello Alert$",    r"unsupported extension"),
    ("duplicate-extensions",       3, 1, "tls",     r"^ClientHello ServerHello",           r"."),
    ("suite-not-offered",          3, 1, "tls",     r"^ClientHello ServerHello Alert$",    r"ServerHello broke the protocol: cipher suite TLS_RSA_WITH_RC4_128_SHA was not offered.*fatal alert internal_error"),
    ("version-not-offered",        3, 1, "tls",     r"^ClientHello ServerHello Alert$",    r"version SSL 3\.0 was not in .*min/max"),
    ("version13-not-offered",      3, 1, "tls",     r"^ClientHello ServerHello Alert$",    r"version 0x0305 was not in the client.s supported_versions"),
    ("two-hrr",                    3, 1, "tls",     r"^ClientHello HelloRetryRequest ChangeCipherSpec ClientHello HelloRetryRequest Alert$", r"a second HelloRetryRequest.*unexpected message"),
    ("alert-warning",              3, 1, "tls",     r"^ClientHello Alert$",                r"."),
    ("bad-decrypt",                3, 1, "tls",     r"^ClientHello ServerHello ChangeCipherSpec Error Alert$", r"MAC"),
]

# Extra checks on single cases, on the JSON document: (case, description, predicate).
def _chain(doc):
    return (doc.get("certificate") or {}).get("chain") or []


def _server_rows(doc, kind):
    return [e for e in doc.get("events", []) if e.get("from") == "server" and e.get("type") == kind]


EXTRA = [
    ("cert-escapes", "the chain is shown with its subjects escaped",
     lambda d: len(_chain(d)) == 2 and "\\x1b[2J" in _chain(d)[0].get("subject", "")
     and "\\x00" in _chain(d)[0].get("subject", "")),
    ("cert-escapes", "the verification problem is named",
     lambda d: "unknown_ca" in json.dumps(d.get("certificate", {}).get("problems"))
     or "unknown CA" in json.dumps(d.get("certificate", {}).get("problems"))),
    ("chain-150", "the Certificate row counts 150 certificates",
     lambda d: any("150" in (e.get("summary") or "") for e in _server_rows(d, "Certificate"))),
    ("cert-1mb", "the over-long Certificate is a problem row",
     lambda d: any(e.get("problem") for e in _server_rows(d, "Certificate"))),
    ("hs-len-max", "the 2^24-1 message is a problem row",
     lambda d: any(e.get("problem") and "16777215" in (e.get("summary") or "")
                   for e in _server_rows(d, "Certificate"))),
    ("record-len-16385", "the over-long record is a problem row",
     lambda d: any(e.get("problem") and "16385" in (e.get("summary") or "")
                   for e in _server_rows(d, "Error"))),
    ("duplicate-extensions", "the ServerHello is marked as a problem",
     lambda d: any(e.get("problem") for e in _server_rows(d, "ServerHello"))),
    ("close-after-server-hello", "no resumption is claimed",
     lambda d: (d.get("tls") or {}).get("resumed") is False),
    ("version13-not-offered", "no resumption is claimed",
     lambda d: (d.get("tls") or {}).get("resumed") is False),
    ("empty-message-flood", "the rows of one peer are bounded",
     lambda d: len(d.get("events", [])) < 2200),
    ("warning-alert-flood", "the rows of one peer are bounded",
     lambda d: len(d.get("events", [])) < 2200),
    ("bad-decrypt", "the client sent bad_record_mac",
     lambda d: any(e.get("from") == "client" and "bad_record_mac" in (e.get("summary") or "")
                   for e in d.get("events", []))),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """server.py CASE on a free port, ready when it printed "ready"."""

    def __init__(self, case):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), case,
                                      str(self.port)], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        if not ready or self.proc.stdout.readline().strip() != b"ready":
            self.stop()
            raise RuntimeError(f"server.py {case} did not start")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


TIME = "/usr/bin/time"  # GNU time: its %M is the child's own peak RSS


def measured(hstrace, args, hard_limit, scratch):
    """Runs hstrace; returns (rc, stdout, stderr, peak RSS in KB or None, seconds).  Killed
    after hard_limit seconds.  The peak RSS comes from GNU time when it is installed (a child
    forked from this Python process would count Python's pages as its own)."""
    cmd = [hstrace] + args
    rss_file = None
    if os.access(TIME, os.X_OK):
        rss_file = scratch + ".rss"
        cmd = [TIME, "-f", "%M", "-o", rss_file] + cmd
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    try:
        out, err = proc.communicate(timeout=hard_limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    elapsed = time.monotonic() - t0
    rss = None
    if rss_file:
        try:
            with open(rss_file, encoding="ascii") as f:
                lines = f.read().split()
            rss = int(lines[-1])
            os.unlink(rss_file)
        except (OSError, ValueError, IndexError):
            pass
    return proc.returncode, out, err, rss, elapsed


def is_sanitized(hstrace):
    try:
        libs = subprocess.run(["ldd", hstrace], capture_output=True, text=True).stdout
    except OSError:
        libs = ""
    return "libasan" in libs or "libubsan" in libs


def load_validator(schema_path):
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        return None
    with open(schema_path, encoding="utf-8") as f:
        return Draft202012Validator(json.load(f))


class Suite:
    def __init__(self, hstrace, schema, verbose):
        self.hstrace = hstrace
        self.validator = load_validator(schema)
        self.verbose = verbose
        self.rss_bound = RSS_BOUND_SAN_KB if is_sanitized(hstrace) else RSS_BOUND_KB
        self.lines = []       # output, printed in case order at the end
        self.table = []
        self.failed = 0
        self.worst_rss = (0, "")
        self.no_rss = False
        self.scratch = tempfile.mkdtemp(prefix="hstrace-hostile.")

    def result(self, name, problems):
        if problems:
            self.failed += 1
            return [f"not ok - hostile: {name}"] + [f"#   {p}" for p in problems[:8]]
        return [f"ok - hostile: {name}"]

    def one_run(self, server, case, mode, timeout, rc_want, stage, rows, msg):
        args = ["--timeout", str(timeout)]
        args += ["--json"] if mode == "json" else ["--plain", "--color", "never"]
        args.append(f"127.0.0.1:{server.port}")
        scratch = os.path.join(self.scratch, f"run-{threading.get_ident()}-{time.monotonic_ns()}")
        rc, out, err, rss, secs = measured(self.hstrace, args, timeout + 15, scratch)
        problems = check(mode, out, err, rc, rc_want, stage, rows,
                         msg if mode == "json" else None,
                         self.validator if mode == "json" else None)
        if rss is None:
            self.no_rss = True
            rss = 0
        elif rss > self.rss_bound:
            problems.append(f"peak memory {rss} KB over the bound of {self.rss_bound} KB")
        if secs > timeout + SLACK_S:
            problems.append(f"ran {secs:.2f} s, over --timeout {timeout} + {SLACK_S:.0f} s")
        doc = None
        if mode == "json":
            try:
                doc = json.loads(out)
            except ValueError:
                pass
        return rc, out, doc, rss, secs, problems

    def run_case(self, spec):
        case, timeout, rc_want, stage, rows, msg = spec
        lines = []
        try:
            server = Server(case)
        except RuntimeError as e:
            self.failed += 1
            return [f"not ok - hostile: {case}", f"#   {e}"], []
        table = []
        try:
            for mode in ("json", "text"):
                rc, out, doc, rss, secs, problems = self.one_run(
                    server, case, mode, timeout, rc_want, stage, rows, msg)
                lines += self.result(f"{case} ({mode}): exit {rc_want} {stage}, rows, "
                                     f"no raw controls, memory, time", problems)
                got_stage = ((doc or {}).get("error") or {}).get("stage", "-") if doc else "-"
                table.append((case, mode, rc, got_stage, rss, secs))
                if self.worst_rss[0] < rss:
                    self.worst_rss = (rss, f"{case} ({mode})")
                if mode == "json":
                    for c, what, pred in EXTRA:
                        if c != case:
                            continue
                        try:
                            good = doc is not None and pred(doc)
                        except (KeyError, TypeError, AttributeError):
                            good = False
                        lines += self.result(f"{case}: {what}", [] if good else ["no"])
        finally:
            server.stop()
        return lines, table

    def alert_sweep(self, mode):
        """Fatal alerts 0..255: 256 connections to one server that answers its Nth connection
        with code N % 256; runs overlap, so the codes are collected and must all be seen."""
        server = Server("alert-sweep")
        problems = []

        def one(_):
            rc, out, doc, rss, secs, bad = self.one_run(
                server, "alert-sweep", mode, 3, 1, "tls", r"^ClientHello Alert$",
                r"^the server sent fatal alert " if mode == "json" else None)
            code = None
            if mode == "json" and doc is not None:
                alerts = [e for e in doc.get("events", [])
                          if e.get("from") == "server" and e.get("type") == "Alert"]
                code = alerts[0].get("fields", {}).get("code") if alerts else None
            elif mode == "text":
                m = re.search(rb"Alert .*fatal ([A-Za-z_]+(\(\d+\))?)", out)
                code = m.group(1).decode() if m else None
            if code is None:
                bad.append("no fatal Alert row from the server")
            return code, rss, secs, bad

        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
                results = list(pool.map(one, range(256)))
        finally:
            server.stop()
        codes = {code for code, _, _, _ in results if code is not None}
        for code, _, _, bad in results:
            problems += [f"code {code}: {b}" for b in bad[:2]]
        if len(codes) != 256:
            problems.append(f"{len(codes)} distinct alert rows in 256 runs, expected 256")
        worst = max(rss for _, rss, _, _ in results)
        slowest = max(secs for _, _, secs, _ in results)
        if self.worst_rss[0] < worst:
            self.worst_rss = (worst, f"alert-sweep ({mode})")
        lines = self.result(f"alert-sweep ({mode}): every description code 0..255 gives exit 1 "
                            f"tls, its Alert row, no raw controls, memory, time", problems[:20])
        return lines, [("alert-sweep (max)", mode, 1, "tls", worst, slowest)]


def main():
    args = [a for a in sys.argv[1:] if a != "-v"]
    verbose = "-v" in sys.argv[1:]
    if len(args) < 2:
        sys.stderr.write(__doc__)
        return 2
    hstrace, schema, only = args[0], args[1], set(args[2:])
    suite = Suite(hstrace, schema, verbose)
    if suite.validator is None:
        print("not ok - hostile: python3-jsonschema is needed to validate the JSON")
        return 1
    t0 = time.monotonic()
    jobs = [spec for spec in CASES if not only or spec[0] in only]
    sweeps = [] if only and "alert-sweep" not in only else ["json", "text"]
    # The slow cases (timeouts) overlap with the rest; two CPUs are enough for this.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(suite.run_case, spec) for spec in
                   sorted(jobs, key=lambda s: s[2] != 4)]
        futures += [pool.submit(suite.alert_sweep, m) for m in sweeps]
        results = [f.result() for f in futures]
    shutil.rmtree(suite.scratch, ignore_errors=True)
    for lines, _ in results:
        print("\n".join(lines))
    if suite.no_rss:
        print("skip - hostile: peak memory (GNU time is not installed: package time)")
    if verbose:
        print(f"# {'case':28} {'mode':5} {'rc':>3} {'stage':8} {'peak KB':>8} {'secs':>6}")
        for _, table in results:
            for case, mode, rc, stage, rss, secs in table:
                print(f"# {case:28} {mode:5} {rc:>3} {stage:8} {rss:>8} {secs:>6.2f}")
        print(f"# worst peak memory: {suite.worst_rss[0]} KB ({suite.worst_rss[1]}); "
              f"bound {suite.rss_bound} KB; suite took {time.monotonic() - t0:.1f} s")
    return 1 if suite.failed else 0


if __name__ == "__main__":
    sys.exit(main())
