#!/usr/bin/env bash
# --keys: the key schedule of the traced connection, with both Finished recomputed, for the
# demo (TLS 1.3), openssl s_server TLS 1.3, TLS 1.2 ECDHE and TLS 1.2 RSA key exchange, live
# and read back with -r from the -w pcapng (its embedded secrets) and from a pcap with a key
# log; a wrong key log line never gives "verified"; a missing one is named.  The text tree and
# the interactive view's K box.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")
EC=(-cert "$PKI/ec.crt" -key "$PKI/ec.key")
RSA=(-cert "$PKI/rsa.crt" -key "$PKI/rsa.key")

fin() { q ".key_schedule.finished.$1"; }
step() { q "[.key_schedule.steps[] | select(.name==\"$1\")][0].$2"; }
both_verified() { [ "$(fin client)" = verified ] && [ "$(fin server)" = verified ]; }
# No Finished is called verified.
none_verified() { [ "$(fin client)" != verified ] && [ "$(fin server)" != verified ]; }

trace_json --keys --demo
check "--demo --keys: TLS 1.3 key schedule, both Finished verified" eval '
    rc_is 0 && [ "$(q .key_schedule.version)" = "TLS 1.3" ] && both_verified &&
    [ "$(step client_handshake_traffic_secret source)" = "key log" ] &&
    [ "$(step handshake_secret value)" = null ] && [ -n "$(step handshake_secret reason)" ] &&
    [ "$(step early_secret source)" = computed ]'
trace_json --demo
check "--demo without --keys: no key_schedule" eval '
    rc_is 0 && [ "$(q "has(\"key_schedule\")")" = false ]'

run_text --keys --demo --plain
check "--demo --keys --plain: the tree under the ladder, marked secret" eval '
    [ "$RC" -eq 0 ] && grep -q "^key schedule (secret material" "$OUT" &&
    grep -q "^Finished: client verified, server verified" "$OUT" &&
    grep -q "client_handshake_traffic_secret" "$OUT"'
run_text --keys --demo --plain --ascii
check "--keys --ascii: the tree in ASCII" eval '
    [ "$RC" -eq 0 ] && grep -q "^|- early_secret" "$OUT" && ! LC_ALL=C grep -q "[^ -~]" "$OUT"'

# live_case NAME VERSION SUITE-ID [hstrace options --] [s_server options]
CAN_CAPTURE=true
live_case() {
    local name=$1 version=$2 want=$3
    shift 3
    local hopts=()
    while [ "$1" != -- ]; do hopts+=("$1"); shift; done
    shift
    start_openssl "$@"
    local f=$WORK/$name.pcapng
    trace_json "${CA[@]}" --keys "${hopts[@]}" -w "$f" "localhost:$PORT"
    if grep -q 'needs packet capture' "$OUT.err"; then
        CAN_CAPTURE=false
        trace_json "${CA[@]}" --keys "${hopts[@]}" "localhost:$PORT"
    fi
    check "$name live: key schedule, both Finished verified" eval '
        rc_is 0 && [ "$(q .key_schedule.version)" = "'"$version"'" ] &&
        [ "$(q .key_schedule.cipher_suite)" = "'"$want"'" ] && both_verified'
    LIVE_OUT=$OUT
    stop_pid "$LAST_PID"
    if ! $CAN_CAPTURE; then
        skip "$name from the pcapng" "no packet capture permission here"
        return
    fi
    trace_json --keys -r "$f"
    check "$name from -w pcapng with -r --keys: both Finished verified, same keys" eval '
        rc_is 0 && [ "$(q ".connections | length")" = 1 ] &&
        [ "$(q ".connections[0].key_schedule.finished.client")" = verified ] &&
        [ "$(q ".connections[0].key_schedule.finished.server")" = verified ] &&
        [ "$(q -c ".connections[0].key_schedule.steps")" = "$(jq -c .key_schedule.steps "$LIVE_OUT")" ]'
}

live_case tls13 "TLS 1.3" TLS_AES_128_GCM_SHA256 -- "${EC[@]}" -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
live_case tls12-ecdhe "TLS 1.2" TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 --tls1.2 -- \
    "${EC[@]}" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
check "tls12-ecdhe: extended master secret with its session hash" eval '
    [ "$(jq -r "[.key_schedule.steps[] | select(.name==\"master_secret\")][0].label" "$LIVE_OUT")" = "extended master secret" ] &&
    jq -r "[.key_schedule.steps[] | select(.name==\"session_hash\")][0].value" "$LIVE_OUT" | grep -Eq "^[0-9a-f]{64}$"'
live_case tls12-rsa "TLS 1.2" TLS_RSA_WITH_AES_128_GCM_SHA256 \
    --tls1.2 --ciphers TLS_RSA_WITH_AES_128_GCM_SHA256 -- "${RSA[@]}" -tls1_2
check "tls12-rsa: the pre-master secret is RSA key transport, its value unavailable" eval '
    [ "$(jq -r "[.key_schedule.steps[] | select(.name==\"pre_master_secret\")][0].label" "$LIVE_OUT")" = "RSA key transport (ClientKeyExchange)" ] &&
    [ "$(jq -r "[.key_schedule.steps[] | select(.name==\"pre_master_secret\")][0].value" "$LIVE_OUT")" = null ]'
live_case tls12-cbc "TLS 1.2" TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 \
    --tls1.2 --ciphers TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 -- "${EC[@]}" -tls1_2

# A pcap (no secrets inside) and a key log written live; then the same key log with one
# secret changed, and with one line left out.
if $CAN_CAPTURE; then
    for kind in tls13 tls12; do
        if [ $kind = tls13 ]; then
            start_openssl "${EC[@]}" -tls1_3
            opts=()
            label=CLIENT_HANDSHAKE_TRAFFIC_SECRET
        else
            start_openssl "${EC[@]}" -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256
            opts=(--tls1.2)
            label=CLIENT_RANDOM
        fi
        P=$WORK/$kind.pcap
        K=$WORK/$kind.keys
        trace_json "${CA[@]}" "${opts[@]}" -w "$P" --keylog "$K" "localhost:$PORT"
        stop_pid "$LAST_PID"
        trace_json --keys -r "$P" --keylog "$K"
        check "$kind pcap + key log: both Finished verified" eval '
            rc_is 0 && [ "$(q ".connections[0].key_schedule.finished.client")" = verified ] &&
            [ "$(q ".connections[0].key_schedule.finished.server")" = verified ]'
        # Flip the last hex digit of that secret.
        awk -v l="$label" '$1 == l { c = substr($3, length($3)); $3 = substr($3, 1, length($3) - 1) (c == "0" ? "1" : "0") } { print }' \
            "$K" >"$K.bad"
        trace_json --keys -r "$P" --keylog "$K.bad"
        check "$kind pcap + a wrong $label: the client Finished a mismatch or unavailable with a reason" eval '
            ! cmp -s "$K" "$K.bad" && c=$(q ".connections[0].key_schedule.finished.client") &&
            { [ "$c" = mismatch ] || { [ "$c" = unavailable ] &&
              [ -n "$(q ".connections[0].key_schedule.finished.client_reason // empty")" ]; }; }'
        grep -v "^$label " "$K" >"$K.less"
        trace_json --keys -r "$P" --keylog "$K.less"
        check "$kind pcap + key log without $label: named as missing, not verified" eval '
            [ "$(q ".connections[0].key_schedule.finished.client")" = unavailable ] &&
            q ".connections[0].key_schedule.missing[]" | grep -qx "$label"'
    done
    trace_json --keys -r "$WORK/tls12.pcap"
    check "a pcap without any key log: the master secret missing, nothing verified" eval '
        [ "$(q ".connections[0].key_schedule.finished.client")" = unavailable ] &&
        [ "$(q ".connections[0].key_schedule.finished.server")" = unavailable ] &&
        q ".connections[0].key_schedule.missing[]" | grep -qx CLIENT_RANDOM'
else
    skip "key logs with -r" "no packet capture permission here"
fi

# The interactive view: K opens the box, any other key closes it.
if command -v tmux >/dev/null; then
    SOCK=hstrace-keys-$$
    T() { tmux -L "$SOCK" "$@"; }
    T -f /dev/null new-session -d -s t -x 120 -y 40 \
        env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 "$HSTRACE" --demo --keys
    seen() { # REGEX: polls the screen for 8 s
        local i
        for i in $(seq 1 160); do
            T capture-pane -p -t t 2>/dev/null | grep -Eq -- "$1" && return 0
            sleep 0.05
        done
        return 1
    }
    gone() {
        local i
        for i in $(seq 1 100); do
            T capture-pane -p -t t 2>/dev/null | grep -Eq -- "$1" || return 0
            sleep 0.05
        done
        return 1
    }
    seen "Finished" && T send-keys -t t K
    check "interactive view: K opens the key schedule box" seen "key schedule \\(secret material"
    T send-keys -t t End
    check "interactive view: End scrolls the box to the Finished verdicts" \
        seen "Finished: client verified, server verified"
    T send-keys -t t x
    check "interactive view: another key closes it" gone "Finished: client verified"
    T send-keys -t t q
    T kill-server 2>/dev/null || true
else
    skip "interactive view K" "tmux is not installed"
fi
