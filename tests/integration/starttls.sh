#!/usr/bin/env bash
# --starttls: the plaintext exchange before TLS against scripted local peers
# (tests/peers/starttls_server.py, Python's ssl module for the TLS part), one per protocol:
# the rows (layer starttls), the handshake after them, and the failures (no STARTTLS offered,
# STARTTLS refused, bytes injected after it was accepted, a closed connection, a silent
# server, an endless line), each with its stage, reason and exit status.
. "$(dirname "$0")/../lib.sh"
make_pki
PEER=$PWD/tests/peers/starttls_server.py

# start_peer PROTO MODE: the scripted server on a free port; sets PORT.
start_peer() {
    PORT=$(free_port)
    start_bg python3 "$PEER" "$1" "$2" "$PORT" "$PKI/ec.crt" "$PKI/ec.key"
    wait_port "$PORT"
}

st_types() { jq -r '[.events[] | select(.layer=="starttls") | .from[0:1] + ":" + .type] | join(" ")' "$OUT"; }
reason() { jq -r '.error.message // ""' "$OUT"; }

# What each protocol's successful exchange looks like (c: client row, s: server row).
declare -A ROWS=(
    [smtp]="s:Greeting c:EHLO s:Reply c:STARTTLS s:Reply"
    [imap]="s:Greeting c:CAPABILITY s:Reply c:STARTTLS s:Reply"
    [pop3]="s:Greeting c:CAPA s:Reply c:STLS s:Reply"
    [ftp]="s:Greeting c:FEAT s:Reply c:AUTH TLS s:Reply"
    [xmpp]="c:stream s:features c:starttls s:proceed"
    [ldap]="c:ExtendedRequest s:ExtendedResponse"
    [postgres]="c:SSLRequest s:SSLAccepted"
)
# The reason when the server does not offer it, and when it refuses it.
declare -A NOOFFER=(
    [smtp]="does not offer STARTTLS" [imap]="does not offer STARTTLS" [pop3]="does not offer STLS"
    [ftp]="does not offer AUTH TLS" [xmpp]="does not offer STARTTLS"
    [ldap]="refused StartTLS: protocolError (2)" [postgres]="refused SSLRequest"
)
declare -A REFUSE=(
    [smtp]="refused STARTTLS: 454 4.7.0" [imap]="refused STARTTLS: a2 NO STARTTLS disabled"
    [pop3]="refused STLS: -ERR" [ftp]="refused AUTH TLS: 534" [xmpp]="refused STARTTLS (it answered <failure/>"
    [ldap]="refused StartTLS: unavailable (52)" [postgres]="refused SSLRequest"
)

for proto in smtp imap pop3 ftp xmpp ldap postgres; do
    start_peer "$proto" ok
    trace_json --cafile "$PKI/ca.crt" --starttls "$proto" "localhost:$PORT"
    check "$proto: the exchange as rows, then a verified TLS handshake" eval '
        rc_is 0 && [ "$(q .result)" = ok ] && [ "$(st_types)" = "${ROWS[$proto]}" ] &&
        types_contain "ClientHello ServerHello" && jq_true ".certificate.verified" &&
        [ "$(q "[.events[] | select(.layer==\"starttls\" and (.summary | length) > 0)] | length")" -ge 2 ] &&
        [ "$(q ".timing.starttls_ms | type")" = number ] &&
        [ "$(q "[.events[] | select(.layer==\"tls\")][0].type")" = ClientHello ] &&
        [ "$(q "[.events[] | select(.layer==\"tls\" and .problem)] | length")" = 0 ]'
    stop_pid "$LAST_PID"

    for mode in nooffer refuse; do
        if [ $mode = nooffer ]; then
            want=${NOOFFER[$proto]} what="a server without STARTTLS"
        else
            want=${REFUSE[$proto]} what="a server refusing STARTTLS"
        fi
        start_peer "$proto" $mode
        trace_json --cafile "$PKI/ca.crt" --starttls "$proto" "localhost:$PORT"
        check "$proto: $what: stage starttls, exit 1, a reason quoting its reply" eval '
            rc_is 1 && [ "$(q .error.stage)" = starttls ] && reason | grep -qF -- "$want" &&
            [ "$(q "[.events[] | select(.layer==\"starttls\" and .problem)] | length")" -ge 1 ] &&
            [ "$(q "[.events[] | select(.layer==\"tls\")] | length")" = 0 ]'
        stop_pid "$LAST_PID"
    done
done

# Bytes after the server accepted STARTTLS, before the client's first TLS byte: refused.
for proto in smtp postgres; do
    start_peer "$proto" inject
    trace_json --cafile "$PKI/ca.crt" --starttls "$proto" "localhost:$PORT"
    check "$proto: bytes injected after the acceptance are refused" eval '
        rc_is 1 && [ "$(q .error.stage)" = starttls ] && reason | grep -q "more bytes after accepting" &&
        [ "$(q "[.events[] | select(.layer==\"tls\")] | length")" = 0 ]'
    stop_pid "$LAST_PID"
done

start_peer smtp close
trace_json --starttls smtp "localhost:$PORT"
check "smtp: the server closes during the exchange: stage starttls, says what it waited for" eval '
    rc_is 1 && [ "$(q .error.stage)" = starttls ] &&
    reason | grep -q "closed the connection during the SMTP STARTTLS exchange (waiting for the reply to EHLO)"'
stop_pid "$LAST_PID"

start_peer imap silent
trace_json --timeout 1 --starttls imap "localhost:$PORT"
check "imap: a silent server: timeout after --timeout, exit 4" eval '
    rc_is 4 && [ "$(q .error.stage)" = timeout ] &&
    reason | grep -q "IMAP STARTTLS exchange timed out after 1 s (waiting for the greeting)"'
stop_pid "$LAST_PID"

start_peer smtp flood
trace_json --starttls smtp "localhost:$PORT"
check "smtp: an endless line is cut at the bound, no row of it reaches the TLS decoder" eval '
    rc_is 1 && [ "$(q .error.stage)" = starttls ] && reason | grep -q "line over 4096 bytes" &&
    [ "$(q "[.events[] | select(.layer==\"tls\")] | length")" = 0 ]'
stop_pid "$LAST_PID"

start_peer smtp evil
run_text --plain --cafile "$PKI/ca.crt" --starttls smtp "localhost:$PORT"
check "a reply's terminal controls and bidi override are escaped in the text ladder" eval '
    rc_is 0 && grep -qF "220 mail.test \\x1b[2J\\x1b]0;owned\\x07 \\u{202e} evil" "$OUT" &&
    ! grep -q "$(printf "\033")" "$OUT"'
trace_json --cafile "$PKI/ca.crt" --starttls smtp "localhost:$PORT"
check "... and in JSON (summary and lines)" eval '
    rc_is 0 && [ "$(q "[.events[] | select(.type==\"Greeting\")][0].fields.lines[0]")" = "220 mail.test \\x1b[2J\\x1b]0;owned\\x07 \\u{202e} evil" ]'
stop_pid "$LAST_PID"

start_peer smtp longline
trace_json --starttls smtp "localhost:$PORT"
check "smtp: a whole line over the bound (in one read) is refused, not copied" eval '
    rc_is 1 && [ "$(q .error.stage)" = starttls ] && reason | grep -q "line over 4096 bytes"'
stop_pid "$LAST_PID"

# Text: the rows and the timing line; the default port of each protocol; usage errors.
start_peer pop3 ok
run_text --plain --cafile "$PKI/ca.crt" --starttls pop3 "localhost:$PORT"
check "text: the STARTTLS rows, then the handshake; the footer times STARTTLS" eval '
    rc_is 0 && grep -q "STLS ───.*►│  STLS" "$OUT" && grep -q "◄.* Reply .*│  +OK Begin TLS negotiation" "$OUT" &&
    grep -q "ClientHello" "$OUT" && grep -q "· STARTTLS [0-9.]* ms · TLS" "$OUT"'
stop_pid "$LAST_PID"

trace_json --timeout 2 --starttls smtp 127.0.0.1
check "the port defaults to the protocol's (smtp 25)" eval '[ "$(q .target.port)" = 25 ]'
trace_json --timeout 2 --starttls postgres "127.0.0.1:1"
check "a port in the target wins over the protocol's default" eval '[ "$(q .target.port)" = 1 ]'
run_text --starttls smtpx localhost
check "an unknown protocol is a usage error naming the ones known" eval '
    rc_is 2 && grep -q "bad --starttls .smtpx. (one of: smtp, imap, pop3, ftp, xmpp, ldap, postgres)" "$OUT.err"'
run_text --starttls smtp --demo
check "--starttls goes with a target, not --demo" eval 'rc_is 2 && grep -q "starttls" "$OUT.err"'
