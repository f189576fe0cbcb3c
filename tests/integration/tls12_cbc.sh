#!/usr/bin/env bash
# CBC suites (TLS 1.0, 1.1, 1.2), MAC-then-encrypt and encrypt-then-MAC: the encrypted
# Finished, alerts and application data are decrypted like AEAD records, live and from
# captures.  (a) live against openssl s_server; (b) the same written with -w and read back;
# (c) TLS 1.0/1.1 between two openssl peers captured with dumpcap and read with -r --keylog,
# tshark agreeing; (d) the public Illustrated TLS 1.2 capture, when present.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
RSA=(-cert "$PKI/rsa.crt" -key "$PKI/rsa.key")
CAPS=${HS_CAPTURES_PUBLIC:-$PWD/../shared/captures-public}

# The TLS rows as a comparable list: the client's in order, then the server's.  Across the two
# sides the order may differ when messages cross within a fraction of a millisecond (both
# close_notify alerts, here: s_server closes as soon as its stdin ends): live, a server row
# is timed by the kernel's stamp on the read that returned it, which can be later than the
# packet's capture time.
SEL='[.events[] | select(.layer=="tls") | {type, from, encrypted, decrypted, summary, cipher: .fields.cipher}] | [(.[] | select(.from=="client")), (.[] | select(.from=="server"))]'

# read_json NAME ARGS...: hstrace -r ARGS --json into $WORK/NAME.json; sets OUT, RC and, for
# check (lib.sh), JSON_INVALID.
read_json() {
    OUT=$WORK/$1.json
    shift
    "$HSTRACE" -r "$@" --json >"$OUT" 2>"$OUT.err"
    RC=$?
    # shellcheck disable=SC2034 # read by check in lib.sh
    JSON_INVALID=""
    if ! python3 "$VALIDATE" "$SCHEMA" "$OUT" >"$OUT.schema" 2>&1; then
        JSON_INVALID=$(head -c 600 "$OUT.schema")
    fi
}

# fin_ok [JQ-PREFIX] CIPHER: both Finished rows decrypted with that cipher, verify_data
# decoded, and no decryption failure anywhere.
fin_ok() {
    local pre=$1 cipher=$2
    [ "$(q "[$pre.events[] | select(.type==\"Finished\" and .encrypted and .decrypted and
            .fields.cipher==\"$cipher\" and .fields.keys==\"master secret\" and
            (.fields.verify_data | type == \"string\" and length == 24))] | length")" = 2 ] &&
        [ "$(q "[$pre.events[] | select(.fields.error==\"decryption failed\" or .fields.not_decrypted)] | length")" = 0 ]
}

# ---- (a) live, (b) written with -w and read back ----
CAN_CAPTURE=unknown
live_case() {
    local name=$1 want=$2 cipher=$3
    shift 3
    start_openssl "${RSA[@]}" -tls1_2 "$@"
    trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
    check "live TLS 1.2 $name: Finished decrypted ($cipher)" eval '
        rc_is 0 && [ "$(q .result)" = ok ] && [ "$(q .tls.version)" = "TLS 1.2" ] &&
        [ "$(q .tls.cipher_suite)" = '"$want"' ] && fin_ok "" "'"$cipher"'" &&
        [ "$(q "[.events[] | select(.type==\"Alert\" and .decrypted and .fields.cipher==\"'"$cipher"'\")] | length")" -ge 1 ]'

    if [ "$CAN_CAPTURE" = false ]; then
        stop_pid "$LAST_PID"
        return
    fi
    local cap=$WORK/live-$PORT.pcapng keys=$WORK/live-$PORT.keys
    trace_json "${CA[@]}" --tls1.2 -w "$cap" --keylog "$keys" "localhost:$PORT"
    stop_pid "$LAST_PID"
    if grep -q 'needs packet capture' "$OUT.err"; then
        CAN_CAPTURE=false
        skip "-w then -r (CBC)" "no packet capture permission here"
        return
    fi
    CAN_CAPTURE=true
    local live=$OUT
    check "live TLS 1.2 $name with -w: Finished decrypted" eval 'rc_is 0 && fin_ok "" "'"$cipher"'"'
    # The pcapng's Decryption Secrets Block alone, then the pcapng and the key log.
    local k
    for k in dsb keylog; do
        local args=()
        [ "$k" = keylog ] && args=(--keylog "$keys")
        read_json "replay-$PORT-$k" "$cap" "${args[@]}"
        local a b
        a=$(jq -c "$SEL" "$live")
        b=$(jq -c ".connections[0] | $SEL" "$OUT")
        if [ -z "$JSON_INVALID" ] && rc_is 0 && [ -n "$a" ] && [ "$a" = "$b" ] &&
            fin_ok ".connections[0]" "$cipher"; then
            ok "-w then -r ($k) TLS 1.2 $name: the same TLS rows, decrypted"
        else
            notok "-w then -r ($k) TLS 1.2 $name: the same TLS rows, decrypted" "rc=$RC" \
                "$(diff <(jq -c '.[]' <<<"$a") <(jq -c '.[]' <<<"$b") | head -12 | tr '\n' ' ')"
        fi
    done
}
live_case "ECDHE-RSA-AES128-SHA (encrypt-then-MAC)" TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA \
    "AES-128-CBC HMAC-SHA1 encrypt-then-MAC" -cipher ECDHE-RSA-AES128-SHA
live_case "ECDHE-RSA-AES128-SHA -no_etm (MAC-then-encrypt)" TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA \
    "AES-128-CBC HMAC-SHA1" -cipher ECDHE-RSA-AES128-SHA -no_etm
live_case "ECDHE-RSA-AES256-SHA384 (encrypt-then-MAC)" TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 \
    "AES-256-CBC HMAC-SHA384 encrypt-then-MAC" -cipher ECDHE-RSA-AES256-SHA384
live_case "ECDHE-RSA-AES256-SHA384 -no_etm (MAC-then-encrypt)" TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384 \
    "AES-256-CBC HMAC-SHA384" -cipher ECDHE-RSA-AES256-SHA384 -no_etm

# ---- (c) TLS 1.0 and 1.1: two openssl peers, dumpcap, hstrace -r --keylog, tshark ----
if ! command -v dumpcap >/dev/null; then
    skip "TLS 1.0/1.1 captures" "dumpcap not installed"
    PAIR=false
else
    PAIR=true
fi

# Waits until something listens on 127.0.0.1:$1 without connecting (a probe would use up the
# server's single accept and end up in the capture).
wait_listen() {
    if ! command -v ss >/dev/null; then sleep 1; return 0; fi
    for _ in $(seq 1 100); do
        [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    return 1
}

# pair_case NAME VERSION-OPTION CIPHER [SERVER-OPTIONS...]: the client sends an HTTP request,
# the server (-www) answers with its status page and closes.  Sets CAP and KEYS.
pair_case() {
    local name=$1 vopt=$2 cipher=$3
    shift 3
    PORT=$(free_port)
    CAP=$WORK/pair-$PORT.pcapng
    KEYS=$WORK/pair-$PORT.keys
    dumpcap -q -i lo -f "tcp port $PORT" -w "$CAP" >"$WORK/dumpcap-$PORT.log" 2>&1 </dev/null &
    local dpid=$!
    PIDS+=("$dpid")
    for _ in $(seq 1 600); do grep -q Capturing "$WORK/dumpcap-$PORT.log" && break; sleep 0.05; done
    if ! grep -q Capturing "$WORK/dumpcap-$PORT.log"; then
        stop_pid "$dpid"
        skip "TLS pair $name" "dumpcap cannot capture here: $(head -c 200 "$WORK/dumpcap-$PORT.log")"
        CAP=""
        return
    fi
    sleep 0.3 # the capture filter in place
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -www "${RSA[@]}" \
        "$vopt" -cipher "$cipher:@SECLEVEL=0" "$@"
    local spid=$LAST_PID
    wait_listen "$PORT"
    printf 'GET / HTTP/1.0\r\n\r\n' |
        timeout 10 openssl s_client -connect "127.0.0.1:$PORT" "$vopt" \
            -cipher "$cipher:@SECLEVEL=0" -keylogfile "$KEYS" -quiet -ign_eof \
            >"$WORK/s_client-$PORT.log" 2>&1
    sleep 0.5 # the last FIN/ACK
    kill -INT "$dpid" 2>/dev/null
    wait "$dpid" 2>/dev/null
    stop_pid "$spid"
    if [ ! -s "$CAP" ] || [ ! -s "$KEYS" ]; then
        notok "TLS pair $name" "no capture or key log: $(head -c 300 "$WORK/s_client-$PORT.log")"
        CAP=""
    fi
}

pair_check() {
    local name=$1 version=$2 want=$3 cipher=$4
    [ -n "$CAP" ] || return
    read_json "pair-$PORT" "$CAP" --keylog "$KEYS"
    # The request is 18 bytes, the answer the server's status page; in TLS 1.0 every record
    # continues the CBC chain of the one before.
    check "$name: Finished, request, answer and alerts decrypted ($cipher)" eval '
        rc_is 0 && [ "$(q ".connections | length")" = 1 ] &&
        [ "$(q .connections[0].tls.version)" = "'"$version"'" ] &&
        [ "$(q .connections[0].tls.cipher_suite)" = "'"$want"'" ] &&
        fin_ok ".connections[0]" "'"$cipher"'" &&
        [ "$(q "[.connections[0].events[] | select(.type==\"ApplicationData\" and .from==\"client\" and .decrypted) | .fields.bytes] | add")" = 18 ] &&
        [ "$(q "[.connections[0].events[] | select(.type==\"ApplicationData\" and .from==\"server\" and .decrypted) | .fields.bytes] | add")" -gt 100 ] &&
        [ "$(q "[.connections[0].events[] | select(.type==\"ApplicationData\" and (.decrypted | not))] | length")" = 0 ] &&
        [ "$(q "[.connections[0].events[] | select(.type==\"Alert\" and .decrypted)] | length")" -ge 1 ]'
    if command -v tshark >/dev/null; then
        local n
        n=$(HOME=$WORK tshark -n -r "$CAP" -o "tls.keylog_file:$KEYS" -Y "tls.handshake.type==20" \
            -T fields -e frame.number 2>/dev/null | wc -l)
        if [ "$n" = 2 ]; then ok "$name: tshark decrypts both Finished too"; else
            notok "$name: tshark decrypts both Finished too" "tshark found $n"; fi
    fi
}

if $PAIR; then
    pair_case "TLS 1.0" -tls1 AES128-SHA
    pair_check "TLS 1.0 AES128-SHA (encrypt-then-MAC)" "TLS 1.0" TLS_RSA_WITH_AES_128_CBC_SHA \
        "AES-128-CBC HMAC-SHA1 encrypt-then-MAC"
    TLS10_CAP=$CAP TLS10_KEYS=$KEYS
    pair_case "TLS 1.0 -no_etm" -tls1 AES128-SHA -no_etm
    pair_check "TLS 1.0 AES128-SHA -no_etm (MAC-then-encrypt)" "TLS 1.0" \
        TLS_RSA_WITH_AES_128_CBC_SHA "AES-128-CBC HMAC-SHA1"
    pair_case "TLS 1.1" -tls1_1 AES128-SHA
    pair_check "TLS 1.1 AES128-SHA (encrypt-then-MAC)" "TLS 1.1" TLS_RSA_WITH_AES_128_CBC_SHA \
        "AES-128-CBC HMAC-SHA1 encrypt-then-MAC"
    pair_case "TLS 1.1 -no_etm" -tls1_1 AES256-SHA -no_etm
    pair_check "TLS 1.1 AES256-SHA -no_etm (MAC-then-encrypt)" "TLS 1.1" \
        TLS_RSA_WITH_AES_256_CBC_SHA "AES-256-CBC HMAC-SHA1"
    pair_case "TLS 1.0 Camellia" -tls1 CAMELLIA256-SHA -no_etm
    pair_check "TLS 1.0 CAMELLIA256-SHA -no_etm" "TLS 1.0" TLS_RSA_WITH_CAMELLIA_256_CBC_SHA \
        "CAMELLIA-256-CBC HMAC-SHA1"

    if [ -n "${TLS10_CAP:-}" ]; then
        # Without keys: "no key", nothing claims the suite cannot be decrypted.
        read_json nokeys "$TLS10_CAP"
        check "TLS 1.0 without keys: Finished rows say no key" eval '
            [ "$(q "[.connections[0].events[] | select(.type==\"Finished\" and .encrypted and (.decrypted | not) and .fields.not_decrypted==\"no key\")] | length")" = 2 ]'
        # A wrong master secret: every protected record is a "decryption failed" row.
        awk '$1 == "CLIENT_RANDOM" { s = $3; $3 = (substr(s, 1, 1) == "0" ? "1" : "0") substr(s, 2) } { print }' \
            "$TLS10_KEYS" >"$WORK/bad.keys"
        read_json badkeys "$TLS10_CAP" --keylog "$WORK/bad.keys"
        check "TLS 1.0 with a wrong master secret: decryption failed rows, nothing decrypted" eval '
            [ "$(q "[.connections[0].events[] | select(.decrypted)] | length")" = 0 ] &&
            [ "$(q "[.connections[0].events[] | select(.type==\"Error\" and .fields.error==\"decryption failed\" and .fields.record_type==\"handshake\")] | length")" = 2 ]'
    fi
fi

# ---- (d) the Illustrated TLS 1.2 Connection (ECDHE-RSA-AES128-CBC-SHA, MAC-then-encrypt) ----
ill=$CAPS/ill-tls12-ipv6.pcap
if [ ! -f "$ill" ]; then
    skip "Illustrated TLS 1.2 capture" "$ill is absent"
else
    read_json ill "$ill" --keylog "${ill%.pcap}.keys"
    # The verify_data values came out of records whose MACs checked; "ping" and "pong".
    check "Illustrated TLS 1.2: Finished, data and close_notify decrypted" eval '
        rc_is 0 && fin_ok ".connections[0]" "AES-128-CBC HMAC-SHA1" &&
        [ "$(q "[.connections[0].events[] | select(.type==\"Finished\") | .fields.verify_data] | join(\",\")")" = "cf919626f1360c536aaad73a,844d3c10746dd722f92f0c7e" ] &&
        [ "$(q "[.connections[0].events[] | select(.type==\"ApplicationData\" and .decrypted) | \"\(.from) \(.fields.bytes)\"] | join(\",\")")" = "client 4,server 4" ] &&
        [ "$(q "[.connections[0].events[] | select(.type==\"Alert\" and .decrypted) | .summary] | join(\",\")")" = "warning close_notify" ]'
fi
