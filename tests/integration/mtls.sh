#!/usr/bin/env bash
# Servers that require a client certificate (openssl s_server -Verify 1, gnutls-serv
# --require-client-cert), TLS 1.3 and 1.2: without one the connection fails (exit 1) with the
# server's fatal alert and what it means, even when it arrives after the handshake; the same
# verdict from a capture of it.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
NOCERT="the server requires a client certificate and the client sent none"

# no_cert_case NAME [hstrace options]: the last peer started needs a client certificate.
no_cert_case() {
    local name=$1
    shift
    trace_json "${CA[@]}" "$@" "localhost:$PORT"
    check "$name: no client certificate, exit 1 and the reason" eval '
        rc_is 1 && [ "$(q .result)" = failed ] && [ "$(q .error.stage)" = tls ] &&
        q .error.message | grep -q "^the server sent fatal alert .*: $NOCERT\$" &&
        [ "$(q "[.events[] | select(.type==\"Alert\" and .from==\"server\" and .fields.level==\"fatal\")] | length")" = 1 ] &&
        [ "$(q "[.events[] | select(.type==\"Certificate\" and .from==\"client\")][0].fields.count")" = 0 ]'
}

start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" -tls1_3 -Verify 1 -CAfile "$PKI/ca.crt"
OPENSSL13=$PORT
no_cert_case "openssl TLS 1.3"
check "openssl TLS 1.3: certificate_required after the handshake" eval '
    [ "$(q .error.message)" = "the server sent fatal alert certificate_required after the handshake: $NOCERT" ]'

start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" -tls1_2 -Verify 1 -CAfile "$PKI/ca.crt"
OPENSSL12=$PORT
no_cert_case "openssl TLS 1.2"

start_gnutls --x509certfile "$PKI/ec.crt" --x509keyfile "$PKI/ec.key" --x509cafile "$PKI/ca.crt" \
    --require-client-cert
GNUTLS=$PORT
no_cert_case "gnutls TLS 1.3"
no_cert_case "gnutls TLS 1.2" --tls1.2

# -w then -r: the capture reader gives the same verdict from the same rows.
PORT=$OPENSSL13
F=$WORK/nocert.pcapng
trace_json "${CA[@]}" --keylog "$WORK/nocert.keys" -w "$F" "localhost:$PORT"
if grep -q 'needs packet capture' "$OUT.err"; then
    skip "capture of a refused client" "no packet capture permission here"
else
    LIVE=$OUT
    trace_json -r "$F" --keylog "$WORK/nocert.keys"
    # Rows in the same order but for the server's alert against the client's last flight:
    # the live client stamps a row when it reads it, the capture when the packet passed.
    rows() { jq -r "[$1.events[] | select(.layer==\"tls\") | .from + \" \" + .type] | sort | join(\",\")" "$2"; }
    check "-r of the refused client: same verdict and rows" eval '
        [ "$(q ".connections | length")" = 1 ] &&
        [ "$(q .connections[0].result)" = failed ] &&
        [ "$(jq -c .connections[0].error "$OUT")" = "$(jq -c .error "$LIVE")" ] &&
        [ "$(rows .connections[0] "$OUT")" = "$(rows "" "$LIVE")" ]'
fi
