#!/usr/bin/env bash
# Benchmark (not a test): median wall time of N full handshakes by hstrace and by
# `openssl s_client` against the same local openssl s_server, plus hstrace's own measured
# TLS handshake time.  Usage: tests/bench/handshake.sh [N] [extra s_server args...]
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
N=${1:-20}
shift || true
make_pki
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" "$@"

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000 )) | awk '{printf "%.3f\n", $1/1000}'; }

: >"$WORK/h" ; : >"$WORK/o" ; : >"$WORK/t"
for i in $(seq 1 "$N"); do
    s=$(date +%s%N)
    "$HSTRACE" --json --cafile "$PKI/ca.crt" "localhost:$PORT" >"$WORK/j" 2>/dev/null
    ms_since "$s" >>"$WORK/h"
    jq -r .timing.tls_ms "$WORK/j" >>"$WORK/t"
    s=$(date +%s%N)
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$PKI/ca.crt" \
        -verify_return_error </dev/null >/dev/null 2>&1
    ms_since "$s" >>"$WORK/o"
done
echo "runs: $N each, server: openssl s_server $*"
echo "hstrace process wall time, median ms:        $(median <"$WORK/h")"
echo "openssl s_client process wall time, median ms: $(median <"$WORK/o")"
echo "hstrace measured TLS handshake, median ms:    $(median <"$WORK/t")"
