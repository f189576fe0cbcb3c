#!/usr/bin/env bash
# Benchmark (not a test): does tracing slow the handshake?  N handshakes by hstrace and N by
# `openssl s_client` against the same local openssl s_server, captured by tshark on loopback.
# The handshake time of each connection is read off the wire the same way for both clients:
# from the ClientHello frame to the frame carrying the client's Finished (decrypted with the
# key logs both clients write).  Also prints hstrace's own timing.tls_ms and the process wall
# times.  Usage: tests/bench/handshake.sh [N] [extra s_server args...]
cd "$(dirname "$0")/../.." || exit 1
NO_JSON_AUDIT=1 # figures, not tests: no schema audit (and no wrapper around hstrace)
. tests/lib.sh
N=${1:-20}
shift || true
make_pki
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" "$@"
srv=$LAST_PID
cap=$WORK/bench.pcapng
tshark -i lo -f "tcp port $PORT" -w "$cap" >"$WORK/tshark.log" 2>&1 &
tpid=$!
PIDS+=("$tpid")
for _ in $(seq 1 600); do grep -q Capturing "$WORK/tshark.log" && break; sleep 0.05; done
sleep 0.3

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) printf "%.3f\n", a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
ms_since() { awk -v d=$(( $(date +%s%N) - $1 )) 'BEGIN {printf "%.3f\n", d/1e6}'; }

: >"$WORK/wall-h"; : >"$WORK/wall-o"; : >"$WORK/tls-h"; : >"$WORK/ports-h"; : >"$WORK/ports-o"
for _ in $(seq 1 "$N"); do
    s=$(date +%s%N)
    "$HSTRACE" --json --keylog "$WORK/keys" --cafile "$PKI/ca.crt" "localhost:$PORT" >"$WORK/j" 2>/dev/null
    ms_since "$s" >>"$WORK/wall-h"
    jq -r .timing.tls_ms "$WORK/j" >>"$WORK/tls-h"
    jq -r ".target.client_address | sub(\"^.*:\"; \"\")" "$WORK/j" >>"$WORK/ports-h"
    s=$(date +%s%N)
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$PKI/ca.crt" \
        -keylogfile "$WORK/keys" -verify_return_error </dev/null >/dev/null 2>&1
    ms_since "$s" >>"$WORK/wall-o"
done
sleep 0.5
stop_pid "$tpid"
stop_pid "$srv"

# Per TCP stream: client port, ClientHello time, client Finished time (seconds).
tshark -r "$cap" -n -o "tls.keylog_file:$WORK/keys" -Y "tls.handshake.type" \
    -T fields -e tcp.srcport -e tcp.dstport -e frame.time_relative -e tls.handshake.type 2>/dev/null |
    awk -v sp="$PORT" -F'\t' '
        $2 == sp { n = split($4, t, ","); for (i = 1; i <= n; i++) {
            if (t[i] == 1 && !($1 in ch)) ch[$1] = $3
            if (t[i] == 20 && !($1 in fin)) fin[$1] = $3 } }
        END { for (p in ch) if (p in fin) printf "%s %.3f\n", p, (fin[p] - ch[p]) * 1000 }' \
    >"$WORK/wire"
# Which streams were hstrace's: their client ports are in the JSON when capture ran; else
# hstrace and s_client alternate, hstrace first.
sort -n "$WORK/wire" >"$WORK/wire.sorted"
if [ -s "$WORK/ports-h" ]; then
    grep -wFf "$WORK/ports-h" "$WORK/wire" | awk '{print $2}' >"$WORK/wire-h"
    grep -vwFf "$WORK/ports-h" "$WORK/wire" | awk '{print $2}' >"$WORK/wire-o"
fi
echo "runs: $N each against openssl s_server $*; $(wc -l <"$WORK/wire") handshakes seen on the wire"
echo "wire handshake (ClientHello -> client Finished), median ms: hstrace $(median <"$WORK/wire-h")  s_client $(median <"$WORK/wire-o")"
echo "hstrace timing.tls_ms, median ms:                          $(median <"$WORK/tls-h")"
echo "process wall time, median ms:                              hstrace $(median <"$WORK/wall-h")  s_client $(median <"$WORK/wall-o")"
