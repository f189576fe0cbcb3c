#!/usr/bin/env python3
"""Checks one hostile-server run of hstrace.  Prints one line per failed check, exits 1 if any.

usage: check.py --mode json|text --out FILE --err FILE --rc N --want-rc N --want-stage STAGE
                [--rows REGEX] [--text REGEX]
(run.py imports check() from here; it also checks the document against the schema.)

--rows is matched (re.search) against the TLS rows "type type ..." of the JSON document, or
against the arrow names of the text ladder; --text against the whole text output (or the JSON
document's error message in json mode).
"""
import argparse
import json
import re
import sys

# What a terminal must never receive from the peer: C0 controls (but newline in text), DEL,
# C1 controls, and the code points that reorder or hide text (as hs_cp_unsafe lists them).
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069"
                    "\ufeff\u2028\u2029]")


def unsafe_in(text, allow_newline):
    hits = []
    for m in UNSAFE.finditer(text):
        if allow_newline and m.group() == "\n":
            continue
        hits.append(m.start())
    return hits


def show(text, pos):
    return repr(text[max(0, pos - 30):pos + 30])


def walk_strings(value, path="$"):
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk_strings(v, f"{path}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield f"{path}.<key>", k
            yield from walk_strings(v, f"{path}.{k}")


TCP_ROWS = {"SYN", "SYN-ACK", "ACK", "FIN", "RST"}


def text_rows(text):
    """The TLS message names on the arrows of a text ladder, in order."""
    names = []
    for line in text.splitlines():
        m = re.search(r"[─╌<>.-]+ ([A-Za-z-]+)…? [─╌►>.-]+", line)
        if m and m.group(1) not in TCP_ROWS and ("│" in line or "|" in line):
            names.append(m.group(1))
    return " ".join(names)


def check(mode, raw, err, rc, want_rc, want_stage, rows=None, text_re=None, validator=None):
    """The problems with one run (an empty list when it passed).  raw/err: stdout/stderr bytes;
    validator: a jsonschema validator for the JSON document (json mode)."""
    bad = []
    if rc != want_rc:
        bad.append(f"exit code {rc}, expected {want_rc}")
    for what, data in (("stdout", raw), ("stderr", err)):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            bad.append(f"{what} is not valid UTF-8: {e}")
            continue
        for pos in unsafe_in(text, allow_newline=True)[:3]:
            bad.append(f"raw control character in {what} at {pos}: {show(text, pos)}")

    if mode == "json":
        try:
            doc = json.loads(raw.decode("utf-8", "replace"))
        except ValueError as e:
            return bad + [f"stdout is not one JSON document: {e}"]
        if validator is not None:
            for e in list(validator.iter_errors(doc))[:3]:
                bad.append(f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
        n = 0
        for path, s in walk_strings(doc):
            for pos in unsafe_in(s, allow_newline=False):
                if n < 3:
                    bad.append(f"decoded JSON string {path} holds a control character: "
                               f"{show(s, pos)}")
                n += 1
        stage = (doc.get("error") or {}).get("stage", "none")
        if stage != want_stage:
            bad.append(f"error.stage {stage}, expected {want_stage}")
        got = " ".join(e.get("type", "?") for e in doc.get("events", [])
                       if e.get("layer") == "tls")
        if rows and not re.search(rows, got):
            bad.append(f"TLS rows /{rows}/ not found in: {got[:300]}")
        msg = (doc.get("error") or {}).get("message", "")
        if text_re and not re.search(text_re, msg):
            bad.append(f"error message /{text_re}/ not found in: {msg[:200]}")
    else:
        text = raw.decode("utf-8", "replace")
        if "\x1b" in text:
            bad.append("an escape sequence in the --color never output")
        want = "failed at " + want_stage if want_stage != "none" else None
        if want and want not in text:
            bad.append(f"'{want}' not in the text output")
        got = text_rows(text)
        if rows and not re.search(rows, got):
            bad.append(f"rows /{rows}/ not found in the ladder: {got[:300]}")
        if text_re and not re.search(text_re, text):
            bad.append(f"/{text_re}/ not found in the text output")
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["json", "text"], required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--err", required=True)
    ap.add_argument("--rc", type=int, required=True)
    ap.add_argument("--want-rc", type=int, required=True)
    ap.add_argument("--want-stage", required=True)
    ap.add_argument("--rows")
    ap.add_argument("--text")
    a = ap.parse_args()
    bad = check(a.mode, open(a.out, "rb").read(), open(a.err, "rb").read(), a.rc, a.want_rc,
                a.want_stage, a.rows, a.text)
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
