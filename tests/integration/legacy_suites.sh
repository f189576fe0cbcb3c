#!/usr/bin/env bash
# RC4 and NULL suites in captures: two peers that still speak them (openssl for NULL with
# @SECLEVEL=0, gnutls for ARCFOUR-128) on loopback, captured with dumpcap, read with -r
# --keylog: both Finished, the request, the answer and the alerts decrypted with the suite's
# cipher named, the decryption report "decrypted", tshark decrypting the same; a wrong key log
# is "wrong keys".
. "$(dirname "$0")/../lib.sh"
make_pki
if ! command -v dumpcap >/dev/null; then skip "legacy suites" "dumpcap not installed"; exit 0; fi

# Waits until something listens on 127.0.0.1:$1 without connecting (a probe would use up the
# server's single accept and end up in the capture).
wait_listen() {
    for _ in $(seq 1 100); do
        [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    return 1
}

REQ='GET /legacy HTTP/1.0'
# pair NAME SERVER-KIND CLIENT-KIND OPTIONS: a capture of one connection into CAP, its key
# log into KEYS (CAP empty when it could not be made, said).  KIND: openssl or gnutls; the
# OPTIONS go to both peers.
pair() {
    local name=$1 kind=$2
    shift 2
    PORT=$(free_port)
    CAP=$WORK/$PORT.pcap
    KEYS=$WORK/$PORT.keys
    dumpcap -q -i lo -f "tcp port $PORT" -P -w "$CAP" >"$WORK/dumpcap-$PORT.log" 2>&1 </dev/null &
    local dpid=$!
    PIDS+=("$dpid")
    for _ in $(seq 1 600); do grep -q Capturing "$WORK/dumpcap-$PORT.log" && break; sleep 0.05; done
    if ! grep -q Capturing "$WORK/dumpcap-$PORT.log"; then
        stop_pid "$dpid"
        skip "$name" "dumpcap cannot capture here: $(head -c 200 "$WORK/dumpcap-$PORT.log")"
        CAP=""
        return
    fi
    sleep 0.3 # the capture filter in place
    if [ "$kind" = openssl ]; then
        start_bg openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 -www \
            -cert "$PKI/rsa.crt" -key "$PKI/rsa.key" "$@"
        local spid=$LAST_PID
        wait_listen "$PORT"
        printf '%s\r\n\r\n' "$REQ" | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" \
            -keylogfile "$KEYS" -quiet -ign_eof "$@" >"$WORK/client-$PORT.log" 2>&1
    else
        start_bg gnutls-serv --port "$PORT" --http --x509certfile "$PKI/rsa.crt" \
            --x509keyfile "$PKI/rsa.key" --priority "$1"
        local spid=$LAST_PID
        wait_listen "$PORT"
        printf '%s\r\n\r\n' "$REQ" | SSLKEYLOGFILE=$KEYS timeout 10 gnutls-cli --insecure \
            --priority "$1" -p "$PORT" 127.0.0.1 >"$WORK/client-$PORT.log" 2>&1
    fi
    sleep 0.5 # the last FIN/ACK
    kill -INT "$dpid" 2>/dev/null
    wait "$dpid" 2>/dev/null
    stop_pid "$spid"
    if [ ! -s "$CAP" ] || [ ! -s "$KEYS" ]; then
        notok "$name" "no capture or key log: $(head -c 300 "$WORK/client-$PORT.log")"
        CAP=""
    fi
}

read_json() {
    OUT=$WORK/read-$RANDOM.json
    "$HSTRACE" -r "$@" --json >"$OUT" 2>"$OUT.err"
    RC=$?
    # shellcheck disable=SC2034 # read by check in lib.sh
    JSON_INVALID=""
    if ! python3 "$VALIDATE" "$SCHEMA" "$OUT" >"$OUT.schema" 2>&1; then
        JSON_INVALID=$(head -c 600 "$OUT.schema")
    fi
}

# legacy NAME VERSION SUITE CIPHER: the capture just made, read with its key log.
legacy() {
    local name=$1 version=$2 suite=$3 cipher=$4
    [ -n "$CAP" ] || return
    read_json "$CAP" --keylog "$KEYS"
    local c='.connections[0]'
    check "$name: $suite in $version, every record decrypted ($cipher)" eval '
        rc_is 0 && [ "$(q "$c.tls.version")" = "$version" ] &&
        [ "$(q "$c.tls.cipher_suite")" = "$suite" ] &&
        [ "$(q "[$c.events[] | select(.type==\"Finished\" and .decrypted and .fields.cipher==\"$cipher\" and (.fields.verify_data | length) == 24)] | length")" = 2 ] &&
        [ "$(q "[$c.events[] | select(.type==\"ApplicationData\" and .from==\"client\" and .decrypted) | .fields.bytes] | add")" = $((${#REQ} + 4)) ] &&
        [ "$(q "[$c.events[] | select(.type==\"ApplicationData\" and .from==\"server\" and .decrypted) | .fields.bytes] | add")" -gt 100 ] &&
        [ "$(q "[$c.events[] | select(.encrypted and (.decrypted | not))] | length")" = 0 ] &&
        [ "$(q "[$c.events[] | select(.type==\"Alert\" and .decrypted)] | length")" -ge 1 ] &&
        [ "$(q "$c.decryption.status")" = decrypted ]'
    read_json "$CAP" --keylog "$KEYS" --keys
    # (the TLS 1.0/1.1 Finished is not recomputed: only TLS 1.2's is checked)
    check "$name: --keys cuts the key block for it (no IVs), TLS 1.2 verifies both Finished" eval '
        [ "$(q "[$c.key_schedule.steps[] | select(.name == \"key_block\" and .source == \"computed\")] | length")" = 1 ] &&
        [ "$(q "[$c.key_schedule.steps[] | select(.name | endswith(\"_write_IV\"))] | length")" = 0 ] &&
        { [ "$version" != "TLS 1.2" ] || [ "$(q "$c.key_schedule.finished | .client + .server")" = verifiedverified ]; }'
    if command -v tshark >/dev/null; then
        local fin=0 req=0 try
        # once more when tshark found nothing at all (it has failed to start on a loaded machine)
        for try in 1 2; do
            fin=$(HOME=$WORK tshark -n -r "$CAP" -o "tls.keylog_file:$KEYS" \
                -Y "tls.handshake.type==20" -T fields -e frame.number 2>"$WORK/tshark-$try.err" |
                wc -l)
            req=$(HOME=$WORK tshark -n -r "$CAP" -o "tls.keylog_file:$KEYS" \
                -qz follow,tls,ascii,0 2>>"$WORK/tshark-$try.err" | grep -c "^$REQ")
            [ "$fin$req" = 00 ] || break
        done
        if [ "$fin" = 2 ] && [ "$req" = 1 ]; then ok "$name: tshark decrypts the same records"; else
            notok "$name: tshark decrypts the same records" "Finished: $fin, request: $req" \
                "$(head -c 300 "$WORK/tshark-$try.err")"; fi
    fi
}

pair "openssl NULL-SHA256" openssl -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0'
legacy "openssl NULL-SHA256" "TLS 1.2" TLS_RSA_WITH_NULL_SHA256 "NULL HMAC-SHA256"
NULL_CAP=$CAP NULL_KEYS=$KEYS
pair "openssl NULL-SHA" openssl -tls1_1 -cipher 'NULL-SHA:@SECLEVEL=0'
legacy "openssl NULL-SHA" "TLS 1.1" TLS_RSA_WITH_NULL_SHA "NULL HMAC-SHA1"
pair "openssl NULL-MD5" openssl -tls1 -cipher 'NULL-MD5:@SECLEVEL=0'
legacy "openssl NULL-MD5" "TLS 1.0" TLS_RSA_WITH_NULL_MD5 "NULL HMAC-MD5"

G='NORMAL:-VERS-ALL:-CIPHER-ALL:+ARCFOUR-128:-KX-ALL'
pair "gnutls RC4-SHA" gnutls "$G:+VERS-TLS1.2:+RSA"
legacy "gnutls RC4-SHA" "TLS 1.2" TLS_RSA_WITH_RC4_128_SHA "RC4-128 HMAC-SHA1"
RC4_CAP=$CAP RC4_KEYS=$KEYS
pair "gnutls ECDHE-RSA-RC4-SHA" gnutls "$G:+VERS-TLS1.1:+ECDHE-RSA"
legacy "gnutls ECDHE-RSA-RC4-SHA" "TLS 1.1" TLS_ECDHE_RSA_WITH_RC4_128_SHA "RC4-128 HMAC-SHA1"
pair "gnutls RC4-MD5" gnutls "$G:+VERS-TLS1.0:+RSA:-MAC-ALL:+MD5"
legacy "gnutls RC4-MD5" "TLS 1.0" TLS_RSA_WITH_RC4_128_MD5 "RC4-128 HMAC-MD5"

# The same captures with a master secret that is not theirs: "wrong keys", nothing decrypted.
for pairs in "RC4:${RC4_CAP:-}:${RC4_KEYS:-}" "NULL:${NULL_CAP:-}:${NULL_KEYS:-}"; do
    IFS=: read -r what cap keys <<<"$pairs"
    [ -n "$cap" ] || continue
    awk '{ $3 = "00" substr($3, 3); print }' "$keys" >"$WORK/wrong.keys"
    read_json "$cap" --keylog "$WORK/wrong.keys"
    check "$what with a wrong master secret: wrong keys, no record claims to be decrypted" eval '
        rc_is 0 && [ "$(q ".connections[0].decryption.status")" = "wrong keys" ] &&
        [ "$(q "[.connections[0].events[] | select(.decrypted)] | length")" = 0 ]'
done
