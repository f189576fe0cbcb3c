#!/usr/bin/env bash
# Explanations (--explain, JSON "explain"): every TLS row of real traces has one that ends with
# the RFC section it follows, and it is written for the connection: the demo (TLS 1.3), openssl
# s_server with TLS 1.2 ECDHE and RSA key exchange, a HelloRetryRequest, a server alert, and
# every capture in captures/ (resumption, mTLS, failures, several connections).
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
EC=(-cert "$PKI/ec.crt" -key "$PKI/ec.key")
RSA=(-cert "$PKI/rsa.crt" -key "$PKI/rsa.key")

# The TLS rows of $OUT (one trace or a capture's connections) whose explanation is missing or
# does not end with "(RFC N §S...)", as "type: explanation" lines; none is the expected answer.
RFC_END='\(RFC [0-9]+ §[A-Z0-9][0-9.]*[^()]*\)$'
uncited() {
    jq -r --arg re "$RFC_END" '[.connections[]?.events[]?, .events[]?] | .[] |
        select(.layer == "tls") | select((.explain // "") | test($re) | not) |
        "\(.type): \(.explain)"' "$OUT"
}
tls_rows() { jq '[[.connections[]?.events[]?, .events[]?] | .[] | select(.layer == "tls")] | length' "$OUT"; }
# The explanation of the first TLS row of type $1 (from side $2, if given).
explain_of() {
    jq -r --arg t "$1" --arg f "${2:-}" '[.events[] | select(.layer == "tls" and .type == $t and
        ($f == "" or .from == $f))][0].explain // ""' "$OUT"
}
cited() { [ "$(tls_rows)" -gt 0 ] && [ -z "$(uncited)" ]; }

# ---- the demo: TLS 1.3 ----
trace_json --demo
check "demo TLS 1.3: every TLS row explained with an RFC section" eval 'rc_is 0 && cited'
check "demo: the ClientHello mentions key_share, the Finished cites RFC 8446 §4.4.4" eval '
    explain_of ClientHello | grep -q key_share &&
    explain_of Finished server | grep -q "RFC 8446 §4.4.4"'
check "demo: the compatibility ChangeCipherSpec is explained as a no-op (§D.4)" eval '
    explain_of ChangeCipherSpec | grep -q "changes nothing.*§D.4"'

# ---- TLS 1.2: ECDHE and RSA key exchange ----
start_openssl "${RSA[@]}" -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
check "TLS 1.2 ECDHE: every TLS row explained with an RFC section" eval 'rc_is 0 && cited'
check "TLS 1.2 ECDHE: ClientKeyExchange is the client's ECDH public key (RFC 8422 §5.7)" eval '
    explain_of ClientKeyExchange | grep -q "ephemeral ECDH public key on x25519" &&
    explain_of ClientKeyExchange | grep -q "RFC 8422 §5.7" &&
    ! explain_of ClientKeyExchange | grep -q "encrypted to" &&
    explain_of ServerKeyExchange | grep -q "RFC 8422 §5.4"'
stop_pid "$LAST_PID"

start_openssl "${RSA[@]}" -tls1_2 -cipher AES128-GCM-SHA256
trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
check "TLS 1.2 RSA key exchange: every TLS row explained with an RFC section" eval 'rc_is 0 && cited'
check "TLS 1.2 RSA: the client alone makes the pre-master secret, encrypted to the server's key" eval '
    explain_of ClientKeyExchange | grep -q "client alone made the 48-byte pre-master secret" &&
    explain_of ClientKeyExchange | grep -q "encrypted to the RSA key" &&
    explain_of ClientKeyExchange | grep -q "RFC 5246 §7.4.7.1" &&
    explain_of ServerHello | grep -q "no Diffie-Hellman"'
stop_pid "$LAST_PID"

# ---- HelloRetryRequest ----
start_openssl "${EC[@]}" -tls1_3 -groups P-384
trace_json "${CA[@]}" "localhost:$PORT"
check "HelloRetryRequest: every TLS row explained; it names the group (RFC 8446 §4.1.4)" eval '
    rc_is 0 && cited && explain_of HelloRetryRequest | grep -q "key_share for secp384r1" &&
    explain_of HelloRetryRequest | grep -q "RFC 8446 §4.1.4"'
stop_pid "$LAST_PID"

# ---- an alert: the server only speaks TLS 1.3, the client only 1.2 ----
start_openssl "${EC[@]}" -tls1_3
trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
check "server alert: explained as fatal, from the server, with its meaning and section" eval '
    rc_is 1 && cited &&
    explain_of Alert server | grep -q "fatal alert from the server" &&
    explain_of Alert server | grep -q "protocol_version: .*(RFC 8446 §6.2)"'
stop_pid "$LAST_PID"

# ---- the capture files, with and without their key logs ----
for cap in captures/*.pcap captures/*.pcapng; do
    name=$(basename "${cap%.*}")
    trace_json -r "$cap" --keylog "${cap%.*}.keys"
    check "capture $name: every TLS row explained with an RFC section" eval 'cited'
    trace_json -r "$cap"
    check "capture $name without keys: every TLS row explained with an RFC section" eval 'cited'
done
trace_json -r captures/tls13-resumption.pcap --keylog captures/tls13-resumption.keys
check "TLS 1.3 resumption: the ServerHello accepts the pre-shared key (RFC 8446 §4.1.3)" eval '
    q "[.connections[].events[] | select(.type==\"ServerHello\") | .explain] | .[]" |
        grep -q "accepts the pre-shared key"'
trace_json -r captures/tls12-resumption.pcap --keylog captures/tls12-resumption.keys
check "TLS 1.2 resumption: the session id is not sold as replay protection" eval '
    q "[.connections[].events[] | select(.type==\"ServerHello\") | .explain] | .[]" |
        grep -q "resumes that earlier session" &&
    ! q "[.connections[].events[] | .explain // empty] | .[]" | grep -qi "session id.*prevent"'

# ---- the text ladder: --explain prints them, --ascii spells the section sign ----
run_text --demo --explain --ascii
check "--explain --ascii: 'RFC 8446 section 4.1.2' under the ClientHello, pure ASCII" eval '
    rc_is 0 && grep -q "(RFC 8446 section 4.1.2)" "$OUT" && ! LC_ALL=C grep -q "[^ -~]" "$OUT"'
