#!/usr/bin/env bash
# Failure reasons that name the cause (which certificate, which date, which names, which issuer
# is missing, which version the server speaks) and the X.509 extensions of the chain, against
# openssl s_server and gnutls-serv with certificates made here.
. "$(dirname "$0")/../lib.sh"

# A root, an intermediate, leaves signed by the intermediate: valid, expired, not yet valid,
# without SANs, and one carrying the extensions engineers check (with a synthetic SCT list).
make_reasons_pki() {
    local d=$WORK/rpki
    mkdir -p "$d/ca/newcerts" && cd "$d" || return 1
    touch ca/index.txt && echo 01 >ca/serial
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout root.key \
        -out root.crt -subj "/CN=Reasons Root CA" -days 30 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout int.key -out int.csr \
        -subj "/CN=Reasons Intermediate CA" 2>/dev/null
    printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' >int.ext
    openssl x509 -req -in int.csr -CA root.crt -CAkey root.key -CAcreateserial -days 30 \
        -extfile int.ext -out int.crt 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -out leaf.csr \
        -subj "/CN=localhost" 2>/dev/null
    # RFC 6962 SignedCertificateTimestampList: one v1 SCT, log id 0x11 * 32, 2024-01-02 03:04:05.678 UTC.
    local sct
    sct=$(python3 -c 'import struct
s = bytes([0]) + bytes([0x11]) * 32 + struct.pack(">Q", 1704164645678) + struct.pack(">H", 0) \
    + bytes([4, 3]) + struct.pack(">H", 4) + b"\x30\x02\x05\x00"
lst = struct.pack(">H", len(s)) + s
body = struct.pack(">H", len(lst)) + lst
print("04%02X" % len(body) + body.hex().upper())')
    cat >ca.cnf <<EOF
[ca]
default_ca = d
[d]
dir = $d/ca
database = \$dir/index.txt
new_certs_dir = \$dir/newcerts
serial = \$dir/serial
default_md = sha256
policy = p
unique_subject = no
[p]
commonName = supplied
[leaf]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = CA:FALSE
[nosan]
basicConstraints = CA:FALSE
[full]
subjectAltName = DNS:localhost,IP:127.0.0.1
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,clientAuth
authorityInfoAccess = OCSP;URI:http://ocsp.example.test/,caIssuers;URI:http://ca.example.test/int.crt
crlDistributionPoints = URI:http://crl.example.test/int.crl
1.3.6.1.4.1.11129.2.4.2 = DER:$sct
EOF
    local sign=(openssl ca -batch -config ca.cnf -cert int.crt -keyfile int.key -in leaf.csr)
    "${sign[@]}" -days 30 -extensions leaf -out leaf.crt 2>/dev/null
    "${sign[@]}" -startdate 20200101000000Z -enddate 20240101000000Z -extensions leaf -out expired.crt 2>/dev/null
    "${sign[@]}" -startdate 20990101000000Z -enddate 20991231000000Z -extensions leaf -out future.crt 2>/dev/null
    "${sign[@]}" -days 30 -extensions nosan -out nosan.crt 2>/dev/null
    "${sign[@]}" -days 30 -extensions full -out full.crt 2>/dev/null
    cd - >/dev/null || return 1
    R=$d
}
make_reasons_pki
CA=(--cafile "$R/root.crt")
WITH_INT=(-cert_chain "$R/int.crt" -key "$R/leaf.key")

# reason_case NAME SERVER-CERT REGEX [hstrace args...] (@PORT@ is the server's port): exit 5 at stage verify, the message
# matches REGEX in JSON and on the text footer.
reason_case() {
    local name=$1 cert=$2 re=$3
    shift 3
    start_openssl -cert "$R/$cert.crt" "${WITH_INT[@]}"
    set -- "${@//@PORT@/$PORT}"
    trace_json "${CA[@]}" "$@"
    check "reason: $name (json)" eval '
        rc_is 5 && [ "$(q .error.stage)" = verify ] && q .error.message | grep -Eq -- "$re"'
    run_text --plain "${CA[@]}" "$@"
    check "reason: $name (text)" eval 'rc_is 5 && grep -Eq -- "failed at verify: .*$re" "$OUT"'
    stop_pid "$LAST_PID"
}

reason_case "expired names the certificate and its notAfter" expired \
    'certificate 0 \(CN=localhost\) expired on 2024-01-01 00:00:00 UTC' "localhost:@PORT@"
reason_case "not yet valid names the certificate and its notBefore" future \
    'certificate 0 \(CN=localhost\) is not valid before 2099-01-01 00:00:00 UTC' "localhost:@PORT@"
reason_case "name mismatch lists the SANs" leaf \
    'the name wrong\.example does not match the certificate \(DNS:localhost, IP:127\.0\.0\.1\)' \
    --sni wrong.example "127.0.0.1:@PORT@"
reason_case "name mismatch without SANs names the CN" nosan \
    'the name wrong\.example does not match the certificate \(CN=localhost\)' \
    --sni wrong.example "127.0.0.1:@PORT@"
reason_case "name mismatch for an IP literal (no SNI: hstrace checks the name)" nosan \
    'the name 127\.0\.0\.1 does not match the certificate \(CN=localhost\)' "127.0.0.1:@PORT@"

# The server leaves out its intermediate: the chain ends at the leaf, whose issuer is unknown.
start_openssl -cert "$R/leaf.crt" -key "$R/leaf.key"
trace_json "${CA[@]}" "localhost:$PORT"
check "reason: missing intermediate names the issuer (json)" eval '
    rc_is 5 && [ "$(q .error.stage)" = verify ] &&
    q .error.message | grep -Fq "unknown CA: the chain ends at CN=localhost, whose issuer CN=Reasons Intermediate CA was not sent and is not trusted (the server may be missing an intermediate certificate)" &&
    q ".certificate.problems[]" | grep -qx "unknown CA"'
run_text --plain "${CA[@]}" "localhost:$PORT"
check "reason: missing intermediate names the issuer (text)" eval '
    rc_is 5 && grep -q "failed at verify: .*whose issuer CN=Reasons Intermediate CA was not sent" "$OUT"'
stop_pid "$LAST_PID"
# The whole chain but a root nobody trusts: the chain ends at the intermediate.
start_openssl -cert "$R/leaf.crt" "${WITH_INT[@]}"
trace_json --cafile "$R/leaf.crt" "localhost:$PORT"
check "reason: untrusted root names the last certificate sent" eval '
    rc_is 5 && q .error.message | grep -Fq "unknown CA: the chain ends at CN=Reasons Intermediate CA, whose issuer CN=Reasons Root CA was not sent and is not trusted"'
stop_pid "$LAST_PID"

# A server of TLS 1.0/1.1 only: say so, and that hstrace completes only TLS 1.2 and 1.3 live.
OLD_RE='only (offers|speaks) TLS 1\.[01].*hstrace \(mbedTLS 3\.6\) supports TLS 1\.2 and 1\.3 live.*-r'
if openssl s_server -help 2>&1 | grep -q -- '-tls1 '; then
    start_openssl -cert "$R/leaf.crt" "${WITH_INT[@]}" -tls1 -cipher 'DEFAULT:@SECLEVEL=0'
    trace_json "${CA[@]}" "localhost:$PORT"
    check "reason: openssl TLS 1.0-only server" eval '
        rc_is 1 && [ "$(q .error.stage)" = tls ] && q .error.message | grep -Eq -- "$OLD_RE"'
    stop_pid "$LAST_PID"
else
    skip "reason: openssl TLS 1.0-only server" "openssl s_server has no -tls1"
fi
start_gnutls --x509certfile "$R/leaf.crt" --x509keyfile "$R/leaf.key" \
    --priority 'NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0'
trace_json "${CA[@]}" "localhost:$PORT"
check "reason: gnutls TLS 1.1-only server, its ServerHello version shown" eval '
    rc_is 1 && [ "$(q .error.stage)" = tls ] && q .error.message | grep -Eq -- "$OLD_RE" &&
    [ "$(q ".events[] | select(.type==\"ServerHello\") | .fields.version")" = "TLS 1.1" ] &&
    [ "$(q .tls.version)" = "TLS 1.1" ]'
run_text --plain "${CA[@]}" "localhost:$PORT"
check "reason: gnutls TLS 1.1-only server (text)" eval '
    rc_is 1 && grep -Eq -- "failed at tls: .*$OLD_RE" "$OUT" && grep -q "ServerHello.*TLS 1.1" "$OUT"'
stop_pid "$LAST_PID"

# The extensions engineers check, in the chain (JSON) and in the Certificate row's fields.
start_openssl -cert "$R/full.crt" "${WITH_INT[@]}"
trace_json "${CA[@]}" "localhost:$PORT"
C0='.certificate.chain[0]'
check "extensions: basic constraints" eval '
    rc_is 0 && [ "$(q -c "$C0.basic_constraints")" = "{\"critical\":true,\"ca\":false,\"path_len\":null}" ] &&
    [ "$(q -c ".certificate.chain[1].basic_constraints")" = "{\"critical\":true,\"ca\":true,\"path_len\":0}" ]'
check "extensions: key usage and extended key usage" eval '
    [ "$(q -c "$C0.key_usage")" = "[\"digitalSignature\",\"keyEncipherment\"]" ] &&
    [ "$(q -c "$C0.ext_key_usage")" = "[\"serverAuth\",\"clientAuth\"]" ] &&
    [ "$(q -c ".certificate.chain[1].key_usage")" = "[\"keyCertSign\",\"cRLSign\"]" ] &&
    [ "$(q -c ".certificate.chain[1].ext_key_usage")" = null ]'
check "extensions: authority information access and CRL distribution points" eval '
    [ "$(q -c "$C0.authority_info_access")" = "[\"OCSP URI:http://ocsp.example.test/\",\"caIssuers URI:http://ca.example.test/int.crt\"]" ] &&
    [ "$(q -c "$C0.crl_distribution_points")" = "[\"URI:http://crl.example.test/int.crl\"]" ] &&
    [ "$(q -c ".certificate.chain[1].authority_info_access")" = null ]'
check "extensions: embedded SCTs" eval '
    [ "$(q -c "$C0.scts")" = "[{\"version\":\"v1\",\"log_id\":\"$(printf 11%.0s $(seq 32))\",\"time\":\"2024-01-02T03:04:05.678Z\"}]" ] &&
    [ "$(q -c ".certificate.chain[1].scts")" = null ]'
check "extensions: in the Certificate row fields" eval '
    q -c ".events[] | select(.type==\"Certificate\") | .fields.certificates[0] | [.key_usage, .scts[0].time]" |
        grep -Fqx "[[\"digitalSignature\",\"keyEncipherment\"],\"2024-01-02T03:04:05.678Z\"]"'
stop_pid "$LAST_PID"

# A peer's name in a reason line is escaped once: a backslash in the subject shows as "\\",
# not "\\\\" (the reason line's last pass must not escape the escaped name again).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -keyout "$R/bs.key" -out "$R/bs.crt" -subj '/CN=back\\slash' 2>/dev/null
start_openssl -cert "$R/bs.crt" -key "$R/bs.key"
trace_json "localhost:$PORT"
check "reason: a backslash in a certificate name is escaped once" eval '
    rc_is 5 && q .error.message | grep -Fq "(CN=back\\\\slash)" &&
    ! q .error.message | grep -Fq "back\\\\\\\\slash"'
stop_pid "$LAST_PID"
