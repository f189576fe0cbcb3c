#!/usr/bin/env bash
# Live traces against openssl s_server on loopback: every TLS 1.3 AEAD, the TLS 1.2 key
# exchanges, HelloRetryRequest, ALPN, SNI and a CertificateRequest.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
EC=(-cert "$PKI/ec.crt" -key "$PKI/ec.key")
RSA=(-cert "$PKI/rsa.crt" -key "$PKI/rsa.key")

# A full TLS 1.3 handshake, every message decrypted.
TLS13_SEQ='ClientHello ServerHello (ChangeCipherSpec )?EncryptedExtensions Certificate CertificateVerify Finished (ChangeCipherSpec )?Finished'
for suite in TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256 TLS_AES_128_CCM_SHA256; do
    start_openssl "${EC[@]}" -tls1_3 -ciphersuites "$suite"
    trace_json "${CA[@]}" "localhost:$PORT"
    check "TLS 1.3 $suite: full handshake decrypted" eval '
        rc_is 0 && [ "$(q .result)" = ok ] && [ "$(q .tls.version)" = "TLS 1.3" ] &&
        [ "$(q .tls.cipher_suite)" = '"$suite"' ] && [ "$(q .tls.group)" = x25519 ] &&
        tls_types | grep -Eq "^$TLS13_SEQ" &&
        [ "$(q "[.events[] | select(.type==\"Finished\" and .encrypted and .decrypted)] | length")" = 2 ] &&
        [ "$(q "[.events[] | select(.type==\"EncryptedExtensions\" or .type==\"CertificateVerify\") | select(.decrypted)] | length")" = 2 ] &&
        jq_true ".certificate.verified" && [ "$(q ".certificate.chain[0].subject")" = "CN=localhost" ]'
    stop_pid "$LAST_PID"
done

# NewSessionTickets after the handshake and the client's close_notify are rows too.
start_openssl "${EC[@]}" -tls1_3
trace_json "${CA[@]}" "localhost:$PORT"
check "TLS 1.3: NewSessionTicket and close_notify rows" eval '
    rc_is 0 && tls_types | grep -q "NewSessionTicket" &&
    [ "$(q "[.events[] | select(.type==\"Alert\" and .from==\"client\")] | length")" -ge 1 ] &&
    [ "$(q "[.events[] | select(.layer==\"tcp\") | .type] | .[0:3] | join(\" \")")" = "SYN SYN-ACK ACK" ]'
stop_pid "$LAST_PID"

# TLS 1.2 key exchanges: ECDHE-ECDSA, ECDHE-RSA, RSA; the Finished messages are decrypted.
tls12() {
    local name=$1 cipher=$2 want=$3 seq=$4
    shift 4
    start_openssl "$@" -tls1_2 -cipher "$cipher"
    trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
    check "TLS 1.2 $name" eval '
        rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] && [ "$(q .tls.cipher_suite)" = '"$want"' ] &&
        tls_types | grep -Eq "^'"$seq"'" &&
        [ "$(q "[.events[] | select(.type==\"Finished\" and .decrypted)] | length")" = 2 ]'
    stop_pid "$LAST_PID"
}
tls12 ECDHE-ECDSA ECDHE-ECDSA-AES128-GCM-SHA256 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 \
    'ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone ClientKeyExchange ChangeCipherSpec Finished (NewSessionTicket )?ChangeCipherSpec Finished' "${EC[@]}"
tls12 ECDHE-RSA ECDHE-RSA-AES256-GCM-SHA384 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 \
    'ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone ClientKeyExchange ChangeCipherSpec Finished (NewSessionTicket )?ChangeCipherSpec Finished' "${RSA[@]}"
tls12 RSA-kx AES128-GCM-SHA256 TLS_RSA_WITH_AES_128_GCM_SHA256 \
    'ClientHello ServerHello Certificate ServerHelloDone ClientKeyExchange ChangeCipherSpec Finished (NewSessionTicket )?ChangeCipherSpec Finished' "${RSA[@]}"
tls12 ECDHE-ECDSA-CHACHA20 ECDHE-ECDSA-CHACHA20-POLY1305 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 \
    'ClientHello ServerHello Certificate ServerKeyExchange' "${EC[@]}"

# A TLS 1.2-only server with an RSA certificate, the client offering 1.2 and 1.3: the server
# must be able to sign its ServerKeyExchange with an algorithm mbedTLS accepts in TLS 1.2.
start_openssl "${RSA[@]}" -tls1_2
trace_json "${CA[@]}" "localhost:$PORT"
check "TLS 1.2-only server, RSA certificate, client offering 1.2 and 1.3" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] && tls_types | grep -q ServerKeyExchange'
stop_pid "$LAST_PID"

# HelloRetryRequest: the server only accepts P-384.
start_openssl "${EC[@]}" -tls1_3 -groups P-384
trace_json "${CA[@]}" "localhost:$PORT"
check "TLS 1.3 HelloRetryRequest to secp384r1" eval '
    rc_is 0 && tls_types | grep -Eq "^ClientHello HelloRetryRequest (ChangeCipherSpec )*ClientHello ServerHello" &&
    [ "$(q .tls.group)" = secp384r1 ]'
stop_pid "$LAST_PID"

# ALPN and SNI.
start_openssl "${EC[@]}" -alpn h2
trace_json "${CA[@]}" --alpn h2,http/1.1 "localhost:$PORT"
check "ALPN h2 negotiated, SNI sent" eval '
    rc_is 0 && [ "$(q .tls.alpn)" = h2 ] && [ "$(q .target.sni)" = localhost ] &&
    q "[.events[] | select(.type==\"ClientHello\") | .summary][0]" | grep -q localhost'
trace_json "${CA[@]}" --no-sni -k "localhost:$PORT"
check "--no-sni sends no server_name" eval '
    rc_is 0 && [ "$(q .target.sni)" = null ] &&
    ! q "[.events[] | select(.type==\"ClientHello\")][0].fields | tostring" | grep -q "\"server_name\""'
stop_pid "$LAST_PID"

# The server asks for a client certificate; the client has none and says so.
start_openssl "${EC[@]}" -verify 1
trace_json "${CA[@]}" "localhost:$PORT"
check "CertificateRequest shown, empty client Certificate" eval '
    rc_is 0 && tls_types | grep -q CertificateRequest &&
    [ "$(q "[.events[] | select(.type==\"Certificate\" and .from==\"client\")] | length")" = 1 ]'
stop_pid "$LAST_PID"
