#!/usr/bin/env bash
# Benchmark section (make bench, tests/bench/run): many targets.  N targets (default 200) on
# local openssl s_server -www peers on free ports, traced with --jobs 1, 8 and 32; prints one
# Markdown section: traces per second (the median of RUNS runs, default 3) and the median TLS
# time the traces report, to show what concurrency does to the times.  Twice: all targets on
# one server (openssl s_server handles one connection at a time, so it sets the pace), then
# spread over 8 servers.  Usage: tests/bench/section-many.sh [N] [RUNS]
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh
N=${1:-200}
RUNS=${2:-3}
make_pki >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR%2) printf "%.2f\n", a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# The table rows for N targets spread over $1 servers.
measure() {
    local servers=$1 ports=() pids=() i jobs s e bad ok rows=""
    for i in $(seq 1 "$servers"); do
        PORT=$(free_port)
        start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet -www -cert "$PKI/ec.crt" \
            -key "$PKI/ec.key"
        wait_port "$PORT" || { echo "section-many: openssl s_server did not start" >&2; exit 1; }
        ports+=("$PORT")
        pids+=("$LAST_PID")
    done
    for i in $(seq 0 $((N - 1))); do echo "localhost:${ports[i % servers]}"; done >"$WORK/targets"
    for jobs in 1 8 32; do
        : >"$WORK/rates"
        : >"$WORK/tls"
        bad=0
        for _ in $(seq 1 "$RUNS"); do
            s=$(date +%s%N)
            "$HSTRACE" --json --cafile "$PKI/ca.crt" --jobs "$jobs" -f "$WORK/targets" \
                >"$WORK/out" 2>/dev/null || bad=$((bad + 1))
            e=$(date +%s%N)
            awk -v n="$N" -v d=$((e - s)) 'BEGIN {printf "%.2f\n", n / (d / 1e9)}' >>"$WORK/rates"
            jq -r .timing.tls_ms "$WORK/out" >>"$WORK/tls"
        done
        ok=$(jq -r 'select(.result == "ok") | 1' "$WORK/out" | wc -l)
        rows+="| $servers | $jobs | $(median <"$WORK/rates") | $(median <"$WORK/tls") | $ok / $N$([ "$bad" -gt 0 ] && echo " ($bad runs not all ok)") |"$'\n'
    done
    for i in "${pids[@]}"; do stop_pid "$i"; done
    printf '%s' "$rows"
}

one=$(measure 1)
eight=$(measure 8)

cat <<MD
## Many targets (--jobs)

$N targets, \`localhost\` on local \`openssl s_server -www\` peers (TLS 1.3, ECDSA P-256
certificate from a test CA), traced with \`hstrace --json --cafile ca.crt --jobs J -f list\`;
the median of $RUNS runs on $(nproc) CPUs ($(uname -m)), on a machine others may be using.
Traces per second count the whole process (start to exit). \`openssl s_server\` serves one
connection at a time, so with one server it sets the pace; spread over 8 servers, the
client's own work and waits are what is left. The TLS time is the median of what the traces
report (\`timing.tls_ms\`): it grows with concurrency, as the traces share the CPUs and wait
for busy servers.

| servers | --jobs | traces/s | median TLS ms | ok (last run) |
|---:|---:|---:|---:|---:|
$one
$eight
MD
