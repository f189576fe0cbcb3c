#!/usr/bin/env bash
# Live traces against gnutls-serv: a second, independent TLS implementation.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
start_gnutls --x509certfile "$PKI/ec.crt" --x509keyfile "$PKI/ec.key" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.3'
trace_json "${CA[@]}" "localhost:$PORT"
check "gnutls TLS 1.3" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.3" ] &&
    tls_types | grep -Eq "^ClientHello ServerHello (ChangeCipherSpec )?EncryptedExtensions (CertificateRequest )?Certificate CertificateVerify Finished"'
stop_pid "$LAST_PID"
start_gnutls --x509certfile "$PKI/rsa.crt" --x509keyfile "$PKI/rsa.key" --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.2'
trace_json "${CA[@]}" "localhost:$PORT"
check "gnutls TLS 1.2 ECDHE-RSA" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] &&
    tls_types | grep -q "ServerKeyExchange" &&
    [ "$(q "[.events[] | select(.type==\"Finished\" and .decrypted)] | length")" = 2 ]'
stop_pid "$LAST_PID"
