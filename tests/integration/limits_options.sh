#!/usr/bin/env bash
# The option limits of the LIMITS section against openssl s_server on loopback: the longest
# --sni works and one byte more is a usage error; an --alpn list (alone or with many --ciphers
# and --groups) that just fits mbedTLS's ClientHello buffer works, one byte more is exit 2.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")

# names N LEN: N comma-separated ALPN names of LEN bytes ("aaa…,bbb…,…").
names() {
    python3 -c 'import sys; n,l=int(sys.argv[1]),int(sys.argv[2])
print(",".join(chr(97+i%26)*l for i in range(n)))' "$1" "$2"
}

start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"

# ---- --sni ----
sni255=$(python3 -c 'print("s"*255)')
trace_json -k --sni "$sni255" "localhost:$PORT"
check "--sni of 255 bytes: the handshake completes" eval '
    rc_is 0 && [ "$(q .target.sni | wc -c)" = 256 ]'
run_text -k --sni "${sni255}x" "localhost:$PORT"
check "--sni of 256 bytes: exit 2, the limit named" eval '
    rc_is 2 && [ ! -s "$OUT" ] && grep -q "at most 255 bytes" "$OUT.err"'

# ---- --alpn: 63 names of 255 bytes (within the per-list limits) do not fit a ClientHello ----
run_text "${CA[@]}" --alpn "$(names 63 255)" "localhost:$PORT"
check "--alpn 63 names of 255 bytes: exit 2 before connecting, the bound named" eval '
    rc_is 2 && [ ! -s "$OUT" ] && grep -q "ClientHello of up to [0-9]* bytes; it must fit in 16384" "$OUT.err"'

# fit_alpn OPTIONS...: from the bound that 63×255 gives with OPTIONS, the list that makes the
# bound exactly 16384 (the last name shortened); sets FIT.
fit_alpn() {
    local all over
    all=$(names 63 255)
    "$HSTRACE" "$@" --alpn "$all" "localhost:$PORT" >/dev/null 2>"$WORK/fit.err"
    over=$(sed -n 's/.*ClientHello of up to \([0-9]*\) bytes.*/\1/p' "$WORK/fit.err")
    FIT=$(python3 -c 'import sys; names=sys.argv[1].split(","); cut=int(sys.argv[2])-16384
while cut > 0:
    last = names.pop()
    if cut < len(last): names.append(last[:len(last)-cut]); cut = 0
    else: cut -= len(last) + 1
print(",".join(names))' "$all" "${over:-0}")
}

fit_alpn "${CA[@]}"
trace_json "${CA[@]}" --alpn "$FIT" "localhost:$PORT"
check "--alpn at the bound exactly: the handshake completes" eval '
    rc_is 0 && [ "$(q .result)" = ok ] &&
    [ "$(q "[.events[] | select(.type==\"ClientHello\")] | length")" = 1 ]'
run_text "${CA[@]}" --alpn "${FIT}x" "localhost:$PORT"
check "--alpn one byte over the bound: exit 2" eval 'rc_is 2 && [ ! -s "$OUT" ]'

# ---- with 63 cipher suites and every group, the largest key share first ----
CIPHERS=TLS_AES_128_GCM_SHA256,$("$HSTRACE" --json "${CA[@]}" "localhost:$PORT" |
    jq -r '[.events[] | select(.type=="ClientHello") | .fields.cipher_suites[]
            | select(. != "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" and . != "TLS_AES_128_GCM_SHA256")]
           | .[0:62] | join(",")')
GROUP_LIST=ffdhe8192,ffdhe6144,ffdhe4096,ffdhe3072,ffdhe2048,x25519,secp256r1,secp384r1,secp521r1,x448
fit_alpn "${CA[@]}" --ciphers "$CIPHERS" --groups "$GROUP_LIST"
trace_json "${CA[@]}" --ciphers "$CIPHERS" --groups "$GROUP_LIST" --alpn "$FIT" "localhost:$PORT"
check "63 --ciphers, 10 --groups (ffdhe8192 first) and --alpn at the bound: completes" eval '
    rc_is 0 && [ "$(q .result)" = ok ] &&
    [ "$(q "[.events[] | select(.type==\"ClientHello\")][0].fields.cipher_suite_count")" -ge 63 ]'
run_text "${CA[@]}" --ciphers "$CIPHERS" --groups "$GROUP_LIST" --alpn "${FIT}x" "localhost:$PORT"
check "the same one byte over: exit 2" eval 'rc_is 2 && [ ! -s "$OUT" ]'
