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

# A client certificate from the same CA; its key also encrypted (PKCS#8 PEM, DER), the
# certificate also as DER.
(
    cd "$PKI" || exit 1
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key \
        -out client.csr -subj "/CN=hstrace test client" 2>/dev/null
    openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
        -out client.crt 2>/dev/null
    openssl x509 -in client.crt -outform DER -out client.der
    KEYPASS='correct horse' openssl pkcs8 -topk8 -in client.key -out client-enc.pem \
        -passout env:KEYPASS -v2 aes-256-cbc
    KEYPASS='correct horse' openssl pkcs8 -topk8 -in client.key -outform DER \
        -out client-enc.der -passout env:KEYPASS -v2 aes-256-cbc
    printf 'correct horse\nnot this line\n' >pass.txt
    printf 'wrong horse\n' >wrong.txt
)
ME=(--cert "$PKI/client.crt" --key "$PKI/client.key")

# with_cert_case NAME ROWS-REGEX [hstrace options]: accepted, the client's rows present.
with_cert_case() {
    local name=$1 rows=$2
    shift 2
    trace_json "${CA[@]}" "$@" "localhost:$PORT"
    check "$name: with a client certificate, accepted and the client's rows" eval '
        rc_is 0 && [ "$(q .result)" = ok ] &&
        [ "$(q "[.events[] | select(.layer==\"tls\" and .from==\"client\") | .type] | join(\" \")")" = "$rows" ] &&
        [ "$(q "[.events[] | select(.type==\"Certificate\" and .from==\"client\")][0].fields.certificates[0].subject")" = "CN=hstrace test client" ] &&
        ! q "[.events[] | select(.type==\"Alert\") | .fields.level] | join(\" \")" | grep -q fatal'
}
# cr_case NAME ALGS-JQ CAS-JQ: the last trace's CertificateRequest names the CA and its
# signature algorithms, in the fields and on the row.
cr_case() {
    local name=$1 algs=$2 cas=$3
    check "$name: the CertificateRequest row shows the CA names and signature algorithms" eval '
        cr=$(q "[.events[] | select(.type==\"CertificateRequest\")][0]") &&
        [ "$(jq -r "$cas | join(\";\")" <<<"$cr")" = "CN=hstrace test CA" ] &&
        [ "$(jq -r "$algs | index(\"ecdsa_secp256r1_sha256\") != null" <<<"$cr")" = true ] &&
        jq -r .summary <<<"$cr" | grep -q "signature algorithms, CA: CN=hstrace test CA$"'
}
ROWS13="ClientHello ChangeCipherSpec Certificate CertificateVerify Finished Alert"
ROWS12="ClientHello Certificate ClientKeyExchange CertificateVerify ChangeCipherSpec Finished Alert"
PORT=$OPENSSL13
with_cert_case "openssl TLS 1.3" "$ROWS13" "${ME[@]}"
check "openssl TLS 1.3: the client's Certificate and CertificateVerify decrypted" eval '
    [ "$(q "[.events[] | select(.from==\"client\" and (.type==\"Certificate\" or .type==\"CertificateVerify\")) | .decrypted] | join(\" \")")" = "true true" ]'
cr_case "openssl TLS 1.3" '[.fields.extensions[] | select(.type=="signature_algorithms") | .schemes[]]' \
    '[.fields.extensions[] | select(.type=="certificate_authorities") | .authorities[]]'
PORT=$OPENSSL12
with_cert_case "openssl TLS 1.2" "$ROWS12" "${ME[@]}"
cr_case "openssl TLS 1.2" .fields.signature_algorithms .fields.certificate_authorities
PORT=$GNUTLS
with_cert_case "gnutls TLS 1.3" "$ROWS13" --cert "$PKI/client.der" --key "$PKI/client.key"
with_cert_case "gnutls TLS 1.2" "$ROWS12" --tls1.2 "${ME[@]}"

# Encrypted keys: --pass env: and file: (its first line), PEM and DER; a wrong or missing
# passphrase is a usage error that names the key and never shows the passphrase.
PORT=$OPENSSL13
export HSTRACE_TEST_PASS='correct horse'
with_cert_case "encrypted PEM key, --pass env:" "$ROWS13" --cert "$PKI/client.crt" \
    --key "$PKI/client-enc.pem" --pass env:HSTRACE_TEST_PASS
with_cert_case "encrypted DER key, --pass file:" "$ROWS13" --cert "$PKI/client.crt" \
    --key "$PKI/client-enc.der" --pass "file:$PKI/pass.txt"
run_text "${CA[@]}" --cert "$PKI/client.crt" --key "$PKI/client-enc.pem" \
    --pass "file:$PKI/wrong.txt" "localhost:$PORT"
check "wrong passphrase: usage error naming the key" eval '
    rc_is 2 && ! [ -s "$OUT" ] && grep -q "wrong passphrase for the key .*client-enc.pem" "$OUT.err" &&
    ! grep -q "horse" "$OUT.err"'
run_text "${CA[@]}" --cert "$PKI/client.crt" --key "$PKI/client-enc.pem" "localhost:$PORT" </dev/null
check "encrypted key, no --pass and no terminal: usage error" eval '
    rc_is 2 && grep -q "client-enc.pem is encrypted: give its passphrase with --pass" "$OUT.err"'
run_text "${CA[@]}" --cert "$PKI/client.crt" --key "$PKI/ec.key" "localhost:$PORT"
check "a key that is not the certificate's: usage error" eval '
    rc_is 2 && grep -q "does not belong to the certificate" "$OUT.err"'
run_text "${CA[@]}" --cert "$PKI/client.crt" --key /dev/null "localhost:$PORT"
check "a key that is no regular file: usage error" eval '
    rc_is 2 && grep -q "not a regular file" "$OUT.err"'
run_text "${CA[@]}" --cert "$PKI/client.crt" --key "$PKI/client.key" --pass 'correct horse' \
    "localhost:$PORT"
check "--pass with the passphrase itself: usage error" eval '
    rc_is 2 && grep -q -- "--pass takes env:VAR or file:PATH" "$OUT.err"'

# Runs hstrace on a pty and types $1 (Python bytes escapes) at its passphrase prompt; prints
# what it wrote, then the pty's echo flag, how it ended, and its exit status.
at_prompt() {
    python3 - "$1" "$HSTRACE" "${CA[@]}" --cert "$PKI/client.crt" --key "$PKI/client-enc.pem" \
        "${@:2}" "localhost:$PORT" <<'PY'
import codecs, os, pty, select, sys, termios, time
answer = codecs.escape_decode(sys.argv[1])[0]
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[2], sys.argv[2:])
out, sent, end = b"", False, time.time() + 20
while time.time() < end:
    if select.select([fd], [], [], 0.2)[0]:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
    if not sent and b"Passphrase for" in out:
        time.sleep(0.2)
        os.write(fd, answer)
        sent = True
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
lflag = termios.tcgetattr(fd)[3]
sys.stdout.write("\necho %s\n" % ("on" if lflag & termios.ECHO else "off"))
sys.stdout.write("signal %d\n" % (os.WTERMSIG(st) if os.WIFSIGNALED(st) else 0))
sys.stdout.write("exit %d\n" % os.waitstatus_to_exitcode(st))
PY
}

# On a terminal without --pass, hstrace asks (no echo) and goes on.
OUT=$WORK/prompt.out
at_prompt 'correct horse\n' --json >"$OUT"
check "encrypted key on a terminal: asked without echo, accepted" eval '
    grep -q "^Passphrase for .*client-enc.pem: " "$OUT" && ! grep -q horse "$OUT" &&
    grep -q "\"result\": *\"ok\"" "$OUT" && grep -q "^exit 0" "$OUT"'

# Ctrl-C at the passphrase prompt: the terminal gets its echo back.
OUT=$WORK/prompt-int.out
at_prompt '\x03' --plain >"$OUT"
check "Ctrl-C at the passphrase prompt: echo restored, ended by SIGINT" eval '
    grep -q "^echo on" "$OUT" && grep -q "^signal 2" "$OUT"'

# -w then -r of the mutual TLS connection: the same verdict and rows from the capture.
F=$WORK/mtls.pcapng
trace_json "${CA[@]}" "${ME[@]}" --keylog "$WORK/mtls.keys" -w "$F" "localhost:$PORT"
if grep -q 'needs packet capture' "$OUT.err"; then
    skip "capture of mutual TLS" "no packet capture permission here"
else
    LIVE=$OUT
    trace_json -r "$F" --keylog "$WORK/mtls.keys"
    check "-r of mutual TLS: same verdict and rows" eval '
        [ "$(q .connections[0].result)" = ok ] && [ "$(jq -r .result "$LIVE")" = ok ] &&
        [ "$(rows .connections[0] "$OUT")" = "$(rows "" "$LIVE")" ] &&
        [ "$(q "[.connections[0].events[] | select(.from==\"client\" and .type==\"CertificateVerify\" and .decrypted)] | length")" = 1 ]'
fi
