#!/usr/bin/env bash
# Several targets (TARGET..., -f FILE, --jobs): JSON Lines and summary lines in input order,
# failures as lines like any other, the worst exit status, SIGINT/SIGTERM, the bounds.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")

# Peers: a good server, one whose certificate comes from an unknown CA, one that accepts and
# says nothing, a port nobody listens on.  (openssl s_server serves one connection at a time.)
start_server() {
    PORT=$(free_port)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet "$@"
    wait_port "$PORT"
}
start_server -cert "$PKI/ec.crt" -key "$PKI/ec.key"
GOOD=localhost:$PORT
start_server -cert "$PKI/unknown.crt" -key "$PKI/ec.key"
BADCERT=localhost:$PORT
start_py_server 'pass'
SILENT=127.0.0.1:$PORT
REFUSED=127.0.0.1:$(free_port)
NODNS=nonexistent.invalid

# Runs hstrace with the arguments: OUT (stdout), OUT.err, RC.
run() {
    OUT=$WORK/out-$RANDOM
    "$HSTRACE" "$@" >"$OUT" 2>"$OUT.err"
    RC=$?
}

# Every line of OUT is one JSON document that the schema accepts; true when all are.
lines_valid() {
    local n=0 line
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s\n' "$line" >"$OUT.line"
        if ! python3 "$VALIDATE" "$SCHEMA" "$OUT.line" >"$OUT.schema" 2>&1; then
            echo "#   line $n: $(head -c 300 "$OUT.schema")"
            return 1
        fi
    done <"$OUT"
    [ "$n" -gt 0 ]
}

# The documents' "host:port" (or the error) in output order, one line.
hosts() { jq -r '"\(.target.host):\(.target.port)"' "$OUT" | tr '\n' ' '; }

expect() { # NAME CONDITION...: ok when the condition holds
    local name=$1
    shift
    if "$@"; then ok "$name"; else
        notok "$name" "rc=$RC out: $(head -c 400 "$OUT")" "stderr: $(head -c 300 "$OUT.err")"
    fi
}

# ---- JSON Lines, input order, a slow target first ----
run --json "${CA[@]}" --timeout 1 --jobs 8 "$SILENT" "$GOOD" "$GOOD" "$REFUSED" "$GOOD" \
    "$NODNS" "$GOOD"
expect "JSON Lines: one document a line, each valid" lines_valid
expect "JSON Lines: one line per target, in input order (slow first, --jobs 8)" eval '
    [ "$(wc -l <"$OUT")" -eq 7 ] &&
    [ "$(hosts)" = "127.0.0.1:${SILENT#*:} localhost:${GOOD#*:} localhost:${GOOD#*:} 127.0.0.1:${REFUSED#*:} localhost:${GOOD#*:} nonexistent.invalid:443 localhost:${GOOD#*:} " ]'
expect "JSON Lines: each result as a single trace gives it" eval '
    [ "$(jq -r .result "$OUT" | tr "\n" " ")" = "failed ok ok failed ok failed ok " ] &&
    [ "$(jq -r ".error.stage // \"-\"" "$OUT" | tr "\n" " ")" = "timeout - - connect - dns - " ]'
expect "exit status: the worst (connect over timeout)" eval 'rc_is 3'
expect "no packet capture with several targets: TCP rows inferred, hint says why" eval '
    [ "$(jq -r "select(.result == \"ok\") | .tcp_inferred" "$OUT" | sort -u)" = true ] &&
    jq -r .hint "$OUT" | grep -q "several targets"'

# ---- the worst exit status ----
run --json "${CA[@]}" "$GOOD" "$GOOD"
expect "exit status: all good is 0" eval 'rc_is 0 && [ "$(wc -l <"$OUT")" -eq 2 ]'
run --json "${CA[@]}" "$GOOD" "$BADCERT" "$GOOD"
expect "exit status: a verify failure is 5" eval '
    rc_is 5 && [ "$(jq -r .error.stage "$OUT" | sed -n 2p)" = verify ]'
run --json "${CA[@]}" --timeout 1 "$BADCERT" "$SILENT"
expect "exit status: timeout (4) is worse than verify (5)" eval 'rc_is 4'
run --json "${CA[@]}" -k "$GOOD" "$BADCERT"
expect "exit status: -k makes the verify failure a success" eval 'rc_is 0'

# ---- timing: the jobs run at once ----
start=$(date +%s%N)
run --json --timeout 1 --jobs 4 "$SILENT" "$SILENT" "$SILENT" "$SILENT"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "--jobs 4: four 1 s timeouts take about 1 s, not 4" eval '
    rc_is 4 && [ "$(wc -l <"$OUT")" -eq 4 ] && [ "$took_ms" -lt 3000 ]'
start=$(date +%s%N)
run --json --timeout 1 --jobs 1 "$SILENT" "$SILENT" "$SILENT"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "--jobs 1: one at a time" eval 'rc_is 4 && [ "$took_ms" -ge 2900 ]'

# ---- -f: comments, blank lines, '-', with targets on the command line ----
printf '# the list\n\n  %s   # good\n%s\n\t# indented comment\n%s' "$GOOD" "$REFUSED" "$BADCERT" \
    >"$WORK/list"
run --json "${CA[@]}" -f "$WORK/list"
expect "-f FILE: comments and blank lines skipped, order kept" eval '
    lines_valid && [ "$(wc -l <"$OUT")" -eq 3 ] &&
    [ "$(hosts)" = "localhost:${GOOD#*:} 127.0.0.1:${REFUSED#*:} localhost:${BADCERT#*:} " ] &&
    rc_is 3'
OUT=$WORK/out-stdin
"$HSTRACE" --json "${CA[@]}" "$GOOD" -f - <"$WORK/list" >"$OUT" 2>"$OUT.err"
RC=$?
expect "-f -: standard input, after the command line's targets" eval '
    [ "$(wc -l <"$OUT")" -eq 4 ] &&
    [ "$(hosts)" = "localhost:${GOOD#*:} localhost:${GOOD#*:} 127.0.0.1:${REFUSED#*:} localhost:${BADCERT#*:} " ]'
printf '%s\n' "$GOOD" >"$WORK/one"
run --json "${CA[@]}" -f "$WORK/one"
expect "-f with one target: still one JSON line" eval 'rc_is 0 && [ "$(wc -l <"$OUT")" -eq 1 ] && lines_valid'
run --json "${CA[@]}" "$GOOD"
expect "one target without -f: today's indented document" eval '
    rc_is 0 && [ "$(wc -l <"$OUT")" -gt 20 ] && [ "$(jq -s length "$OUT")" -eq 1 ]'

# ---- text: summary lines, --ladders ----
run "${CA[@]}" --timeout 1 "$GOOD" "$BADCERT" "$REFUSED" "$SILENT" "$NODNS"
expect "summary lines: a header and one aligned line per target" eval '
    [ "$(wc -l <"$OUT")" -eq 6 ] && head -1 "$OUT" | grep -q "^TARGET *RESULT *VERSION *SUITE *GROUP *CERTIFICATE *TLS$" &&
    [ "$(awk "{print index(\$0, \$2)}" "$OUT" | sort -u | wc -l)" -eq 1 ]'
expect "summary lines: result, version, suite, group, certificate, TLS time" eval '
    sed -n 2p "$OUT" | grep -Eq "^$GOOD +ok +TLS 1\.3 +TLS_[A-Z0-9_]+ +[a-z0-9]+ +verified +[0-9.]+ ms$"'
expect "summary lines: each failure with its reason" eval '
    sed -n 3p "$OUT" | grep -Eq "^$BADCERT +verify .*NOT-VERIFIED .*certificate verification failed" &&
    sed -n 4p "$OUT" | grep -Eq "^$REFUSED +connect .*connection refused" &&
    sed -n 5p "$OUT" | grep -Eq "^$SILENT +timeout .*timed out" &&
    sed -n 6p "$OUT" | grep -Eq "^$NODNS +dns .*cannot resolve" && rc_is 3'
run --probe "$GOOD" "$GOOD"
expect "summary lines of --probe: result probe (no handshake completed), never ok" eval '
    rc_is 0 && [ "$(grep -cE "^$GOOD +probe +TLS 1\.3 .*not-checked" "$OUT")" -eq 2 ] &&
    ! grep -qE "^$GOOD +ok " "$OUT"'
run "${CA[@]}" --ladders --color never "$GOOD" "$REFUSED" "$GOOD"
expect "--ladders: each ladder under its line, in input order" eval '
    [ "$(grep -c "ClientHello" "$OUT")" -eq 2 ] && [ "$(grep -c "connection refused" "$OUT")" -ge 2 ] &&
    awk "/^$REFUSED /{r=NR} /ClientHello/{c[++n]=NR} END{exit !(c[1] < r && r < c[2])}" "$OUT"'

# ---- SIGINT / SIGTERM mid-run ----
interrupt() { # SIGNAL: runs good, silent (5 s), good, good with --jobs 2, signals after 1 s
    OUT=$WORK/out-sig-$1
    "$HSTRACE" --json "${CA[@]}" --timeout 5 --jobs 2 "$GOOD" "$SILENT" "$GOOD" "$GOOD" \
        >"$OUT" 2>"$OUT.err" &
    local pid=$!
    sleep 1
    THREADS=$(ls "/proc/$pid/task" 2>/dev/null | wc -l)
    local start
    start=$(date +%s%N)
    kill -"$1" "$pid"
    wait "$pid"
    RC=$?
    TOOK_MS=$(( ($(date +%s%N) - start) / 1000000 ))
    GONE=no
    [ -e "/proc/$pid" ] || GONE=yes
}
interrupt INT
expect "SIGINT: what is done is printed, in order, up to the first unfinished target" eval '
    rc_is 130 && [ "$(wc -l <"$OUT")" -eq 1 ] && lines_valid &&
    [ "$(hosts)" = "localhost:${GOOD#*:} " ] &&
    grep -q "interrupted by SIGINT: 1 of 4 targets printed; not printed from target 2" "$OUT.err"'
expect "SIGINT: the running trace is cut at once, no thread left" eval '
    [ "$THREADS" -ge 2 ] && [ "$TOOK_MS" -lt 1500 ] && [ "$GONE" = yes ]'
interrupt TERM
expect "SIGTERM: exit status 143, the same output" eval '
    [ "$RC" -eq 143 ] && [ "$(wc -l <"$OUT")" -eq 1 ] && [ "$TOOK_MS" -lt 1500 ] &&
    grep -q "interrupted by SIGTERM" "$OUT.err"'

# ---- usage errors stay usage errors ----
usage() { # NAME WORDS ARGS...: exit 2, nothing traced, WORDS on stderr
    local name=$1 words=$2
    shift 2
    run "$@"
    expect "usage error: $name" eval 'rc_is 2 && grep -q -- "$words" "$OUT.err" && ! grep -q "^TARGET" "$OUT"'
}
usage "--jobs 0" "bad --jobs" --jobs 0 "$GOOD" "$GOOD"
usage "--jobs 65" "bad --jobs" --jobs 65 "$GOOD" "$GOOD"
usage "-f missing file" "cannot open" -f "$WORK/nonexistent"
usage "-f a FIFO" "not a regular file" -f /dev/stdin
printf '%s\nbad:99999\n' "$GOOD" >"$WORK/badlist"
usage "-f a bad line names its line" "line 2: invalid target" -f "$WORK/badlist"
printf '%s extra\n' "$GOOD" >"$WORK/twolist"
usage "-f two targets on a line" "one target a line" -f "$WORK/twolist"
printf '# nothing\n\n' >"$WORK/empty"
usage "-f an empty list" "list is empty" -f "$WORK/empty"
usage "-w with several targets" "-w saves one connection" -w "$WORK/x.pcap" "$GOOD" "$GOOD"
usage "-r with -f" "-r reads a capture" -r "$WORK/x.pcap" -f "$WORK/list"
usage "--reconnect with several targets" "--reconnect draws two connections" --reconnect "$GOOD" "$GOOD"
usage "--json --ladders" "--ladders goes with the text" --json --ladders "$GOOD" "$GOOD"
usage "a bad argument target" "argument 2: invalid target" "$GOOD" "bad:0"
head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' '#' >"$WORK/huge"
usage "-f larger than 4 MiB" "larger than" -f "$WORK/huge"
