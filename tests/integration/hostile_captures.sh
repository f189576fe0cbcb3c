#!/usr/bin/env bash
# Hostile capture files (issue 5): tests/hostile_captures/gen.py writes them into the scratch
# dir at test time (truncated files, snaplen cuts, bogus IP/TCP header lengths, contradicting
# retransmissions and overlaps, 1-byte segments in and out of order, 120 000 connections,
# out-of-order data held on hundreds of connections, random bytes after valid headers, broken
# pcapng blocks), then run.py runs `hstrace -r FILE --json` and `--plain --color never` on each
# and checks the exit code, stderr, the schema, control characters, time and peak memory.
# HS_HOSTILE_REPORT=FILE keeps the per-run measurements (case, mode, exit, seconds, peak MB).
. "$(dirname "$0")/../lib.sh"
DIR=$PWD/tests/hostile_captures
if ! python3 "$DIR/gen.py" "$PWD" "$WORK/caps" >"$WORK/gen.log" 2>&1; then
    notok "hostile captures: generator" "$(tail -5 "$WORK/gen.log")"
    exit 0
fi
python3 "$DIR/run.py" "$HSTRACE" "$SCHEMA" "$WORK/caps" --report "${HS_HOSTILE_REPORT:-$WORK/report.txt}"
exit 0
