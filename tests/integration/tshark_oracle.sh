#!/usr/bin/env bash
# tshark as an independent oracle: capture a live trace on loopback, decrypt it with the key log
# hstrace wrote, and require the same handshake messages, in the same order and directions.
. "$(dirname "$0")/../lib.sh"
if ! command -v tshark >/dev/null; then skip "tshark oracle" "tshark not installed"; exit 0; fi
make_pki

# Handshake type numbers of hstrace's event names.
num_of() {
    case $1 in
    ClientHello) echo 1 ;; ServerHello | HelloRetryRequest) echo 2 ;; NewSessionTicket) echo 4 ;;
    EndOfEarlyData) echo 5 ;; EncryptedExtensions) echo 8 ;; Certificate) echo 11 ;;
    ServerKeyExchange) echo 12 ;; CertificateRequest) echo 13 ;; ServerHelloDone) echo 14 ;;
    CertificateVerify) echo 15 ;; ClientKeyExchange) echo 16 ;; Finished) echo 20 ;;
    KeyUpdate) echo 24 ;; *) echo "" ;;
    esac
}

oracle_case() {
    local name=$1
    shift
    start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" "$@"
    local srv=$LAST_PID cap=$WORK/cap-$PORT.pcapng keys=$WORK/keys-$PORT.txt
    tshark -i lo -f "tcp port $PORT" -w "$cap" >"$WORK/tshark.log" 2>&1 &
    local tpid=$!
    PIDS+=("$tpid")
    local i
    # tshark starts slowly on a loaded machine: wait for it (30 s at most), then a little more
    # for the capture filter to be in place.
    for i in $(seq 1 600); do grep -q Capturing "$WORK/tshark.log" && break; sleep 0.05; done
    if ! grep -q Capturing "$WORK/tshark.log"; then
        notok "tshark agrees: $name" "tshark did not start capturing: $(head -c 300 "$WORK/tshark.log")"
        stop_pid "$tpid"
        stop_pid "$srv"
        return
    fi
    sleep 0.5
    trace_json --cafile "$PKI/ca.crt" --keylog "$keys" "localhost:$PORT"
    sleep 1
    stop_pid "$tpid"
    stop_pid "$srv"
    local ours theirs
    ours=$(jq -r '.events[] | select(.layer=="tls") | "\(.from) \(.type)"' "$OUT" |
        while read -r from type; do
            n=$(num_of "$type")
            [ -n "$n" ] && printf '%s:%s ' "${from:0:1}" "$n"
        done)
    theirs=$(tshark -r "$cap" -n -o "tls.keylog_file:$keys" -Y tls.handshake.type \
        -T fields -e tcp.srcport -e tls.handshake.type 2>/dev/null |
        while IFS=$'\t' read -r sport types; do
            d=c
            [ "$sport" = "$PORT" ] && d=s
            for t in ${types//,/ }; do printf '%s:%s ' "$d" "$t"; done
        done)
    if rc_is 0 && [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
        ok "tshark agrees: $name"
    else
        notok "tshark agrees: $name" "hstrace: $ours" "tshark:  $theirs"
    fi
}
oracle_case "TLS 1.3" -tls1_3
oracle_case "TLS 1.2 ECDHE-ECDSA" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
oracle_case "TLS 1.3 HelloRetryRequest" -tls1_3 -groups P-384
