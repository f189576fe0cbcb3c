#!/usr/bin/env bash
# The CA certificates trusted, as read by hstrace's own PEM decoding (live/cacerts.c): the
# same chain verifies and a foreign one is refused, with --cafile holding many certificates,
# junk between blocks or CRLF lines, and with --capath directories.
. "$(dirname "$0")/../lib.sh"
make_pki
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
D=$WORK/anchors
mkdir -p "$D/good" "$D/bad"

verified() { rc_is 0 && jq_true .certificate.verified; }
refused() { rc_is 5 && [ "$(q .error.stage)" = verify ] && [ "$(q .certificate.verified)" = false ]; }

# The system bundle (when there is one) with the test CA in the middle, comments and junk around.
{
    echo "# a bundle"
    cat /etc/ssl/certs/ca-certificates.crt 2>/dev/null
    printf 'subject=CN = hstrace test CA\nnot base64 at all\n\n'
    cat "$PKI/ca.crt"
    echo "trailing words"
    cat "$PKI/other-ca.crt"
} >"$D/bundle.pem"
trace_json --cafile "$D/bundle.pem" "localhost:$PORT"
check "--cafile of $(grep -c 'BEGIN CERTIFICATE' "$D/bundle.pem") certificates with junk between: verified" verified

sed 's/$/\r/' "$PKI/ca.crt" >"$D/crlf.pem"
trace_json --cafile "$D/crlf.pem" "localhost:$PORT"
check "--cafile with CRLF lines: verified" verified

# A block that is not plain base64 (a space inside a line) is left to mbedTLS: it refuses it
# as before, and the good block after it still counts.
{ sed '2s/^\(....\)/\1 /' "$PKI/other-ca.crt"; cat "$PKI/ca.crt"; } >"$D/mixed.pem"
trace_json --cafile "$D/mixed.pem" "localhost:$PORT"
check "--cafile with a broken block before the CA: verified" verified

trace_json --cafile "$PKI/other-ca.crt" "localhost:$PORT"
check "--cafile of another CA: refused" refused

cp "$PKI/ca.crt" "$D/good/test-ca.pem"
openssl x509 -in "$PKI/other-ca.crt" -outform DER -out "$D/good/other.der" 2>/dev/null
echo "not a certificate" >"$D/good/README"
trace_json --capath "$D/good" "localhost:$PORT"
check "--capath with the CA, a DER file and junk: verified" verified

cp "$PKI/other-ca.crt" "$D/bad/other.pem"
trace_json --capath "$D/bad" "localhost:$PORT"
check "--capath with another CA only: refused" refused
