#!/usr/bin/env bash
# The command-line options against openssl s_server on loopback: -6, --groups, --ciphers,
# --keylog and SSLKEYLOGFILE, --explain, --color and NO_COLOR, -p, and `make install`.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
make_pki
CA=(--cafile "$PKI/ca.crt")
EC=(-cert "$PKI/ec.crt" -key "$PKI/ec.key")

# A free port on ::1, or nothing when ::1 cannot be bound.
free_port6() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0)); print(s.getsockname()[1])' 2>/dev/null
}

wait_port6() {
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/::1/$1") 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# ---- IPv6 ----
PORT=$(free_port6)
if [ -z "$PORT" ]; then
    skip "-6 to [::1]" "::1 is not usable here"
else
    start_bg openssl s_server -accept "[::1]:$PORT" -naccept 5 -quiet "${EC[@]}"
    if ! wait_port6 "$PORT"; then
        skip "-6 to [::1]" "openssl s_server did not listen on [::1]:$PORT"
    else
        trace_json -6 "${CA[@]}" "https://[::1]:$PORT/"
        check "-6 https://[::1]:PORT/: verified, TCP rows" eval '
            rc_is 0 && [ "$(q .result)" = ok ] && [ "$(q .target.address)" = "::1" ] &&
            [ "$(q .target.port)" = "$PORT" ] && jq_true ".certificate.verified" &&
            [ "$(q "[.events[] | select(.layer==\"tcp\") | .type] | .[0:3] | join(\" \")")" = "SYN SYN-ACK ACK" ] &&
            tls_types | grep -q "^ClientHello ServerHello"'
    fi
    stop_pid "$LAST_PID"
fi

# ---- --groups ----
start_openssl "${EC[@]}" -tls1_3
trace_json "${CA[@]}" --groups secp384r1 "localhost:$PORT"
check "--groups secp384r1: that group, no HelloRetryRequest" eval '
    rc_is 0 && [ "$(q .tls.group)" = secp384r1 ] && ! tls_types | grep -q HelloRetryRequest &&
    [ "$(q "[.events[] | select(.type==\"ClientHello\")] | length")" = 1 ]'
run_text "${CA[@]}" --groups no-such-group "localhost:$PORT"
check "--groups with an unknown name: exit 2, no stdout" eval '
    rc_is 2 && [ ! -s "$OUT" ] && [ -s "$OUT.err" ]'

# ---- --ciphers ----
# The ClientHello offers that suite only (mbedTLS adds the renegotiation SCSV while 1.2 is on).
trace_json "${CA[@]}" --ciphers TLS_AES_256_GCM_SHA384 "localhost:$PORT"
check "--ciphers TLS_AES_256_GCM_SHA384 (TLS 1.3)" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.3" ] && [ "$(q .tls.cipher_suite)" = TLS_AES_256_GCM_SHA384 ] &&
    [ "$(q "[.events[] | select(.type==\"ClientHello\")][0].fields.cipher_suites | map(select(. != \"TLS_EMPTY_RENEGOTIATION_INFO_SCSV\")) | join(\",\")")" = TLS_AES_256_GCM_SHA384 ]'
stop_pid "$LAST_PID"

start_openssl "${EC[@]}" -tls1_2
trace_json "${CA[@]}" --tls1.2 --ciphers ECDHE-ECDSA-AES128-GCM-SHA256 "localhost:$PORT"
check "--tls1.2 --ciphers with an OpenSSL name" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] &&
    [ "$(q .tls.cipher_suite)" = TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ]'
stop_pid "$LAST_PID"

# ---- --keylog and SSLKEYLOGFILE ----
NSS_LINE='^(CLIENT_RANDOM|CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET|CLIENT_EARLY_TRAFFIC_SECRET) [0-9a-f]{64} [0-9a-f]+$'
# keylog_ok FILE: mode 0600, every line NSS format, the four 1.3 traffic secrets, and the
# client random of every line is the ClientHello random of the last trace.
keylog_ok() {
    local f=$1 label random
    [ -f "$f" ] && [ "$(stat -c %a "$f")" = 600 ] && [ -s "$f" ] || return 1
    ! grep -Evq "$NSS_LINE" "$f" || return 1
    for label in CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET \
        CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0; do
        grep -q "^$label " "$f" || return 1
    done
    random=$(q '[.events[] | select(.type=="ClientHello")][0].fields.random')
    [[ $random =~ ^[0-9a-f]{64}$ ]] || return 1
    [ "$(cut -d' ' -f2 "$f" | sort -u)" = "$random" ]
}
start_openssl "${EC[@]}" -tls1_3
trace_json "${CA[@]}" --keylog "$WORK/keys.log" "localhost:$PORT"
check "--keylog FILE: 0600, NSS format, TLS 1.3 secrets, client random = ClientHello random" eval '
    rc_is 0 && keylog_ok "$WORK/keys.log"'
SSLKEYLOGFILE=$WORK/env-keys.log trace_json "${CA[@]}" "localhost:$PORT"
check "SSLKEYLOGFILE: the same" eval 'rc_is 0 && keylog_ok "$WORK/env-keys.log"'

# ---- --explain, --color, NO_COLOR ----
# The line after the ClientHello row: no timestamp, a sentence after the two lanes.
after_clienthello() { awk 'f { print; exit } /ClientHello/ { f = 1 }' "$OUT"; }
run_text "${CA[@]}" --explain "localhost:$PORT"
check "--explain: an explanation line under ClientHello" eval '
    rc_is 0 && after_clienthello | grep -Eq "^ +[^ 0-9]+ +[^ ]+ +[A-Z][a-z]+ .*[a-z]{4}" &&
    ! after_clienthello | grep -Eq "^ *[0-9]+\.[0-9]+ "'
run_text "${CA[@]}" "localhost:$PORT"
check "no --explain: the next row follows ClientHello directly" eval '
    rc_is 0 && after_clienthello | grep -Eq "^ *[0-9]+\.[0-9]+ "'
run_text "${CA[@]}" --color always "localhost:$PORT"
check "--color always: ANSI escapes" eval 'rc_is 0 && grep -q $'"'"'\e\['"'"' "$OUT"'
run_text "${CA[@]}" --color never "localhost:$PORT"
check "--color never: no escapes" eval 'rc_is 0 && [ -s "$OUT" ] && ! grep -q $'"'"'\e'"'"' "$OUT"'
NO_COLOR=1 run_text "${CA[@]}" "localhost:$PORT"
check "NO_COLOR=1: no escapes" eval 'rc_is 0 && [ -s "$OUT" ] && ! grep -q $'"'"'\e'"'"' "$OUT"'
# On a terminal (script(1) gives hstrace a pty), auto colours unless NO_COLOR is set.
if command -v script >/dev/null; then
    tty_run() {
        OUT=$WORK/out-$RANDOM.txt
        JSON_INVALID=""
        TERM=xterm script -qec "$(printf '%q ' env "$@" "$HSTRACE" --plain "${CA[@]}" "localhost:$PORT")" \
            /dev/null >"$OUT" 2>"$OUT.err" </dev/null
        RC=$?
    }
    tty_run
    check "--color auto on a terminal: ANSI escapes" eval 'rc_is 0 && grep -q $'"'"'\e\['"'"' "$OUT"'
    tty_run NO_COLOR=1
    check "NO_COLOR=1 on a terminal: no escapes" eval '
        rc_is 0 && grep -q ClientHello "$OUT" && ! grep -q $'"'"'\e'"'"' "$OUT"'
else
    skip "--color auto on a terminal" "no script(1)"
fi

# ---- -p ----
trace_json "${CA[@]}" -p "$PORT" "localhost:1"
check "-p overrides the port in the target" eval '
    rc_is 0 && [ "$(q .target.port)" = "$PORT" ] && [ "$(q .target.host)" = localhost ]'
stop_pid "$LAST_PID"
run_text -p 0 x
check "-p 0: exit 2" eval 'rc_is 2 && [ ! -s "$OUT" ]'
run_text -p 70000 x
check "-p 70000: exit 2" eval 'rc_is 2 && [ ! -s "$OUT" ]'

# ---- make install ----
# Installs the ./hstrace that `make check` just built; -o keeps make from rebuilding it with
# other flags, and SANITIZE is dropped so the plain install rule runs.
RC=0 JSON_INVALID="" OUT=$WORK/install.log
if [ ! -x "$ROOT/hstrace" ]; then
    skip "make install" "no $ROOT/hstrace built"
else
    env -u SANITIZE make -s -C "$ROOT" -o hstrace install PREFIX=/usr DESTDIR="$WORK/inst" >"$OUT" 2>&1
    RC=$?
    version=$(sed -n 's/^VERSION *:*= *//p' "$ROOT/Makefile")
    check "make install PREFIX=/usr DESTDIR=: binary, man page, schema" eval '
        rc_is 0 && [ -x "$WORK/inst/usr/bin/hstrace" ] &&
        [ -s "$WORK/inst/usr/share/man/man1/hstrace.1" ] &&
        [ -s "$WORK/inst/usr/share/hstrace/hstrace-json.schema.json" ] &&
        "$WORK/inst/usr/bin/hstrace" -V | grep -q "$version"'
fi
