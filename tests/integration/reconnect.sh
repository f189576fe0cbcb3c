#!/usr/bin/env bash
# --reconnect: a second connection resumes the first one's session (TLS 1.3 ticket, TLS 1.2
# ticket or session id) against openssl s_server, gnutls-serv, nginx and the demo; when it does
# not, the reason says why.  --early-data: a usage error with this build's mbedTLS.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
SRV=(-cert "$PKI/ec.crt" -key "$PKI/ec.key")

# The reconnect document: two connections, the second's tls.resumed, the reconnect object.
resumed_doc() { # HOW
    rc_is 0 && [ "$(q '.connections | length')" = 2 ] &&
        [ "$(q '.connections[0].tls.resumed')" = false ] &&
        [ "$(q '.connections[1].tls.resumed')" = true ] &&
        [ "$(q .reconnect.resumed)" = true ] && [ "$(q .reconnect.how)" = "$1" ] &&
        [ "$(q '.reconnect.saved_ms | type')" = number ] && [ "$(q .reconnect.reason)" = null ] &&
        [ "$(q '(.connections[0].timing.tls_ms - .connections[1].timing.tls_ms - .reconnect.saved_ms) | fabs < 0.01')" = true ]
}
not_resumed_doc() { # REASON-PATTERN
    rc_is 0 && [ "$(q '.connections | length')" = 2 ] &&
        [ "$(q '.connections[1].tls.resumed')" = false ] &&
        [ "$(q .reconnect.resumed)" = false ] && [ "$(q .reconnect.saved_ms)" = null ] &&
        q .reconnect.reason | grep -q -- "$1"
}

start_openssl "${SRV[@]}" -tls1_3
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "openssl TLS 1.3: the second connection resumes with a PSK from the ticket" eval '
    resumed_doc "TLS 1.3 PSK from a NewSessionTicket" &&
    [ "$(q "[.connections[1].events[] | select(.type==\"Certificate\")] | length")" = 0 ] &&
    [ "$(q "[.connections[0].events[] | select(.type==\"NewSessionTicket\")] | length > 0")" = true ]'
run_text "${CA[@]}" --reconnect --plain "localhost:$PORT"
check "openssl TLS 1.3 text: two ladders and the time saved" eval '
    rc_is 0 && grep -q "^── connection 1:" "$OUT" && grep -q "^── connection 2:" "$OUT" &&
    grep -q "^── --reconnect: 2 connections; the second resumed the first one.s session: TLS [0-9.]* ms → [0-9.]* ms, -\?[0-9.]* ms saved (TLS 1.3 PSK from a NewSessionTicket) ──$" "$OUT"'
stop_pid "$LAST_PID"

# OpenSSL's -no_ticket still sends TLS 1.3 tickets (stateful ones, naming its session cache).
start_openssl "${SRV[@]}" -tls1_3 -no_ticket
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "openssl TLS 1.3 -no_ticket: resumed with a stateful ticket" eval '
    resumed_doc "TLS 1.3 PSK from a NewSessionTicket"'
stop_pid "$LAST_PID"

start_openssl "${SRV[@]}" -tls1_3 -num_tickets 0
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "openssl TLS 1.3 -num_tickets 0: not resumed, no NewSessionTicket is the reason" eval '
    not_resumed_doc "the server sent no NewSessionTicket" &&
    [ "$(q "[.connections[0].events[] | select(.type==\"NewSessionTicket\")] | length")" = 0 ]'
run_text "${CA[@]}" --reconnect --plain "localhost:$PORT"
check "openssl TLS 1.3 -num_tickets 0 text: the footer says why" eval '
    rc_is 0 && grep -q "the second did not resume the session: the server sent no NewSessionTicket" "$OUT"'
stop_pid "$LAST_PID"

start_openssl "${SRV[@]}" -tls1_2
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "openssl TLS 1.2: the second connection resumes with the session ticket" eval '
    resumed_doc "TLS 1.2 session ticket" && [ "$(q ".connections[1].tls.version")" = "TLS 1.2" ]'
stop_pid "$LAST_PID"

start_openssl "${SRV[@]}" -tls1_2 -no_ticket
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "openssl TLS 1.2 -no_ticket: resumed with the session id" eval '
    resumed_doc "TLS 1.2 session id" &&
    [ "$(q "[.connections[1].events[] | select(.type==\"ServerKeyExchange\")] | length")" = 0 ]'
stop_pid "$LAST_PID"

start_openssl "${SRV[@]}" -tls1_2 -no_ticket -no_cache
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "openssl TLS 1.2 without ticket or cache: not resumed, and why" eval '
    not_resumed_doc "session id"'
stop_pid "$LAST_PID"

start_gnutls --x509certfile "$PKI/ec.crt" --x509keyfile "$PKI/ec.key"
trace_json "${CA[@]}" --reconnect "localhost:$PORT"
check "gnutls-serv: the second connection resumes" eval 'resumed_doc "TLS 1.3 PSK from a NewSessionTicket"'
stop_pid "$LAST_PID"

start_nginx hello 'ssl_session_cache shared:S:1m; ssl_session_tickets on;'
case $? in
0)
        trace_json "${CA[@]}" --reconnect "localhost:$NPORT"
        check "nginx TLS 1.3: the second connection resumes" eval 'resumed_doc "TLS 1.3 PSK from a NewSessionTicket"'
        trace_json "${CA[@]}" --reconnect --tls1.2 "localhost:$NPORT"
        check "nginx TLS 1.2: the second connection resumes with the ticket" eval 'resumed_doc "TLS 1.2 session ticket"'
        stop_pid "$LAST_PID" ;;
1) skip "nginx --reconnect" "nginx is not installed" ;;
*) skip "nginx --reconnect" "nginx did not start: $(head -c 200 "$NGINX_LOG")"; stop_pid "$LAST_PID" ;;
esac

trace_json --demo --reconnect
check "--demo --reconnect: the demo server's ticket is resumed" eval '
    resumed_doc "TLS 1.3 PSK from a NewSessionTicket" && [ "$(q .source.file)" = "--demo tls13 --reconnect" ] &&
    [ "$(q .demo)" = null ]'
trace_json --demo tls12 --reconnect
check "--demo tls12 --reconnect: the demo keeps no TLS 1.2 sessions, and the reason says so" eval '
    not_resumed_doc "did not accept the session id"'

P=$(free_port)
trace_json --reconnect --timeout 2 "127.0.0.1:$P"
check "--reconnect: a first connection that fails makes no second one" eval '
    rc_is 3 && [ "$(q ".connections | length")" = 1 ] && [ "$(q .reconnect.resumed)" = false ] &&
    q .reconnect.reason | grep -q "no second connection: the first one failed"'

run_text --reconnect -w "$WORK/x.pcap" localhost
check "--reconnect with -w: usage error" eval 'rc_is 2 && grep -q "not with --reconnect" "$OUT.err"'
run_text --reconnect -r "$WORK/x.pcap"
check "--reconnect with -r: usage error" eval 'rc_is 2 && grep -q "not with -r" "$OUT.err"'
run_text --reconnect --compare localhost
check "--reconnect with --compare: usage error" eval 'rc_is 2 && grep -q "exclude each other" "$OUT.err"'
run_text --demo compare --reconnect
check "--reconnect with --demo compare: usage error" eval 'rc_is 2 && grep -q "exclude each other" "$OUT.err"'

# 0-RTT: Debian's mbedTLS 3.6 is built without MBEDTLS_SSL_EARLY_DATA.
if grep -q '^#define MBEDTLS_SSL_EARLY_DATA' /usr/include/mbedtls/mbedtls_config.h 2>/dev/null; then
    EXPECT="not implemented in this version of hstrace"
else
    EXPECT="built without MBEDTLS_SSL_EARLY_DATA"
fi
run_text --early-data localhost
check "--early-data: a usage error saying why 0-RTT is unavailable" eval '
    rc_is 2 && grep -q -- "--early-data is not available: .*$EXPECT" "$OUT.err" && [ ! -s "$OUT" ]'
trace_json --early-data --reconnect localhost
check "--early-data --json: the usage document, exit 2" eval '
    rc_is 2 && [ "$(q .error.stage)" = usage ] && q .error.message | grep -q "0-RTT"'
