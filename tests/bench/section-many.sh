#!/usr/bin/env bash
# Benchmark section (make bench, tests/bench/run): many targets.  N targets (default 200),
# all on ONE local server, traced with --jobs 1, 8 and 32; prints one Markdown section:
# traces per second and CPU per trace (the median of RUNS runs, default 3) and the median
# TLS time the traces report, to show what concurrency does to the times.  The server is
# nginx (one worker process, which serves many connections at once), verified against the
# test CA alone and against the system bundle with the test CA in it (the trust anchors are
# read once per --jobs thread); then, for comparison, openssl s_server, which serves one
# connection at a time and so sets the pace itself.
# Usage: tests/bench/section-many.sh [N] [RUNS]
cd "$(dirname "$0")/../.." || exit 1
NO_JSON_AUDIT=1 # figures, not tests: no schema audit (and no wrapper around hstrace)
. tests/lib.sh
N=${1:-200}
RUNS=${2:-3}
make_pki >/dev/null
BUNDLE=$WORK/bundle.pem
cat /etc/ssl/certs/ca-certificates.crt "$PKI/ca.crt" >"$BUNDLE" 2>/dev/null
NBUNDLE=$(grep -c 'BEGIN CERTIFICATE' "$BUNDLE")
TIME=$(command -v time || echo /usr/bin/time)

median() { sort -n | awk '{a[NR]=$1} END {if (NR == 0) print "n/a"; else if (NR%2) printf "%.2f\n", a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# The table rows for N targets on localhost:$PORT: $1 names the server, $2 the CA file,
# $3 how the CA file is named in the table.
measure() {
    local server=$1 cafile=$2 caname=$3 jobs s e bad ok rows="" u sy
    for _ in $(seq 1 "$N"); do echo "localhost:$PORT"; done >"$WORK/targets"
    for jobs in 1 8 32; do
        : >"$WORK/rates"
        : >"$WORK/cpu"
        : >"$WORK/tls"
        bad=0
        for _ in $(seq 1 "$RUNS"); do
            s=$(date +%s%N)
            "$TIME" -f '%U %S' -o "$WORK/time" "$HSTRACE" --json --cafile "$cafile" \
                --jobs "$jobs" -f "$WORK/targets" >"$WORK/out" 2>/dev/null || bad=$((bad + 1))
            e=$(date +%s%N)
            awk -v n="$N" -v d=$((e - s)) 'BEGIN {printf "%.2f\n", n / (d / 1e9)}' >>"$WORK/rates"
            read -r u sy < <(tail -1 "$WORK/time")
            awk -v n="$N" -v u="$u" -v s="$sy" 'BEGIN {printf "%.2f\n", (u + s) * 1000 / n}' \
                >>"$WORK/cpu"
            jq -r .timing.tls_ms "$WORK/out" >>"$WORK/tls"
        done
        ok=$(jq -r 'select(.result == "ok") | 1' "$WORK/out" | wc -l)
        rows+="| $server | $caname | $jobs | $(median <"$WORK/rates") | $(median <"$WORK/cpu") | $(median <"$WORK/tls") | $ok / $N$([ "$bad" -gt 0 ] && echo " ($bad runs not all ok)") |"$'\n'
    done
    printf '%s' "$rows"
}

rows=""
if start_nginx "" "" "backlog=512" && PORT=$NPORT; then
    rows+=$(measure "nginx (1 worker)" "$PKI/ca.crt" "test CA")$'\n'
    rows+=$(measure "nginx (1 worker)" "$BUNDLE" "bundle of $NBUNDLE")$'\n'
    stop_pid "$LAST_PID"
else
    rows+="| nginx: not installed or did not start | | | n/a | n/a | n/a | |"$'\n'
fi
PORT=$(free_port)
start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet -www -cert "$PKI/ec.crt" \
    -key "$PKI/ec.key"
wait_port "$PORT" || { echo "section-many: openssl s_server did not start" >&2; exit 1; }
rows+=$(measure "openssl s_server (serial)" "$PKI/ca.crt" "test CA")$'\n'
stop_pid "$LAST_PID"

cat <<MD
## Many targets (--jobs)

$N targets, all \`localhost\` on ONE local server (TLS 1.3, ECDSA P-256 certificate from a
test CA), traced with \`hstrace --json --cafile FILE --jobs J -f list\`; the median of $RUNS
runs on $(nproc) CPUs ($(uname -m)), on a machine others may be using. Traces per second
count the whole process (start to exit); CPU per trace is hstrace's user + system time
(all its threads) over $N. The server is nginx with one worker process: it serves many
connections at once and shares the CPUs with hstrace, so the figures are those of both
cores doing client and server work. The CA file is the test CA alone, or the system bundle
with the test CA in it ($NBUNDLE certificates): each \`--jobs\` thread reads it once for all
of its targets, so the bundle adds little per trace. The \`openssl s_server\` rows are for
comparison: it serves one connection at a time, so it sets the pace whatever \`--jobs\` is.
The TLS time is the median of what the traces report (\`timing.tls_ms\`): it grows with
concurrency, as the traces share the CPUs and wait for a busy server.

| server | CA file | --jobs | traces/s | CPU ms/trace | median TLS ms | ok (last run) |
|---|---|---:|---:|---:|---:|---:|
$rows
MD
