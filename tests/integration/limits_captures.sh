#!/usr/bin/env bash
# The capture limits of the LIMITS section: packets whose capture time is wrong (one stamped
# 10^6 s ahead, all stamped in reverse) stay in their connection, in order, with no negative
# time and the anomaly flagged.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SRC=$ROOT/captures/tls12-ecdhe-rsa

# retime MODE OUT: the source capture with the middle packet's time moved 10^6 s ahead
# (jump), or with the packets' times in reverse order (reverse).
retime() {
    python3 - "$SRC.pcap" "$2" "$1" <<'PY'
import struct, sys
src, dst, mode = sys.argv[1:4]
data = open(src, "rb").read()
end = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
recs, off = [], 24
while off + 16 <= len(data):
    sec, usec, cap, orig = struct.unpack(end + "IIII", data[off:off + 16])
    recs.append([sec, usec, data[off + 16:off + 16 + cap], orig])
    off += 16 + cap
if mode == "jump":
    recs[len(recs) // 2][0] += 1000000
else:
    times = [(r[0], r[1]) for r in recs]
    for r, (sec, usec) in zip(recs, reversed(times)):
        r[0], r[1] = sec, usec
out = bytearray(data[:24])
for sec, usec, payload, orig in recs:
    out += struct.pack(end + "IIII", sec, usec, len(payload), orig) + payload
open(dst, "wb").write(out)
PY
}

# One connection, handshake complete, no negative or huge time, the anomaly counted and on a
# problem row.
one_conn_flagged() {
    [ "$(q '.connections | length')" = 1 ] && [ "$(q '.connections[0].result')" = ok ] &&
        [ "$(q '[.connections[0].events[].t_ms] | map(select(. < 0 or . > 60000)) | length')" = 0 ] &&
        [ "$(q '.connections[0].tcp.time_anomalies')" -ge "$1" ] &&
        q '.connections[0].events[] | select(.problem) | .summary' | grep -q "capture time anomalies"
}

retime jump "$WORK/jump.pcap"
trace_json -r "$WORK/jump.pcap" --keylog "$SRC.keys"
check "one packet stamped 10^6 s ahead: one connection, decrypted, times clamped, flagged" eval '
    rc_is 0 && one_conn_flagged 1 && [ "$(q ".connections[0].tcp.time_anomalies")" = 1 ] &&
    q ".connections[0].events[] | select(.decrypted) | .type" | grep -q Finished'

retime reverse "$WORK/reverse.pcap"
trace_json -r "$WORK/reverse.pcap" --keylog "$SRC.keys"
check "timestamps in reverse: one connection, no negative t_ms, flagged" eval '
    rc_is 0 && one_conn_flagged 2'

trace_json -r "$SRC.pcap" --keylog "$SRC.keys"
check "the untouched capture: no time anomaly" eval '
    rc_is 0 && [ "$(q ".connections[0].tcp.time_anomalies")" = 0 ] &&
    ! q ".connections[0].events[] | select(.problem) | .summary" | grep -q "time anomalies"'

# ---- more secrets than the key log holds, the real ones last ----
TLS13=$ROOT/captures/tls13-chacha20
python3 "$(dirname "$0")/many_secrets.py" "$TLS13.pcapng" "$TLS13.keys" "$WORK/many.pcapng" 100001
trace_json -r "$WORK/many.pcapng"
check "100001 junk secrets before the real ones: the connection is decrypted, the limit named" eval '
    rc_is 0 && [ "$(q ".connections[0].result")" = ok ] &&
    [ "$(q "[.connections[0].events[] | select(.decrypted)] | length")" -gt 0 ] &&
    grep -q "limit (100000): only those of the 1 ClientHello in the file are kept" "$OUT.err" &&
    ! grep -q malformed "$OUT.err"'
OUT=$WORK/stdin.json
"$HSTRACE" --json -r - <"$WORK/many.pcapng" >"$OUT" 2>"$OUT.err"
RC=$? JSON_INVALID=""
check "the same on standard input (cannot be read twice): the limit named, no false malformed count" eval '
    rc_is 0 && grep -q "limit (100000): the first were kept, [0-9]* later ones dropped" "$OUT.err" &&
    ! grep -q malformed "$OUT.err"'
