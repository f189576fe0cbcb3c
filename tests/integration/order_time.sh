#!/usr/bin/env bash
# Order and time: rows of one direction in the order they were sent (live and from the -w
# file), the stages adding up to the total, no Nagle stall in the demo, one definition of a
# round trip for every outcome.
. "$(dirname "$0")/../lib.sh"

# "from:type" of every row but the library notes, one per line.
rows() { jq -r "${2:-.}"' | .events[] | select(.layer != "library") | "\(.from):\(.type)"' "$1"; }

# True when no FIN/RST row of a direction comes before a TLS row of the same direction.
in_send_order() {
    jq -e "${2:-.}"' | [.events[] | select(.layer != "library")] | to_entries as $r |
        all(("client", "server"); . as $side |
            ([$r[] | select(.value.from == $side and .value.layer == "tls") | .key] | max // -1) <
            ([$r[] | select(.value.from == $side and (.value.type == "FIN" or .value.type == "RST"))
              | .key] | min // 1e9))' "$1" >/dev/null
}

# The demo's TLS 1.2 RSA failure: the server's alert, then its FIN (issue 10).  The wrong
# order depended on which thread won a race: several runs.
if [ "$(id -u)" -ne 0 ]; then
    skip "demo failure: FIN after the alert, live and from -w" "needs packet capture (root)"
else
    live_bad="" replay_bad=""
    for i in 1 2 3 4 5; do
        trace_json --demo --tls1.2 --ciphers TLS_RSA_WITH_AES_128_GCM_SHA256 -w "$WORK/fail$i.pcap"
        LIVE=$OUT
        if ! rc_is 1 || [ -n "$JSON_INVALID" ] || ! in_send_order "$LIVE" ||
            ! rows "$LIVE" | grep -qx "server:Alert" || ! rows "$LIVE" | grep -qx "server:FIN"; then
            live_bad="$live_bad [run $i: $(rows "$LIVE" | tr '\n' ' ')]"
        fi
        trace_json -r "$WORK/fail$i.pcap"
        if ! in_send_order "$OUT" ".connections[0]" ||
            [ "$(rows "$LIVE")" != "$(rows "$OUT" ".connections[0]")" ]; then
            replay_bad="$replay_bad [run $i: $(rows "$OUT" ".connections[0]" | tr '\n' ' ')]"
        fi
    done
    if [ -z "$live_bad" ]; then ok "demo failure: the server's alert before its FIN, live"
    else notok "demo failure: the server's alert before its FIN, live" "$live_bad"; fi
    if [ -z "$replay_bad" ]; then ok "demo failure: the same rows in the same order from -w then -r"
    else notok "demo failure: the same rows in the same order from -w then -r" "$replay_bad"; fi
fi

# The stages add up to the total (the capture set-up is apart).
adds_up() {
    jq -e '.timing | .dns_ms + .tcp_ms + (.tls_ms // 0) - .total_ms | fabs < 0.01' "$OUT" \
        >/dev/null
}
trace_json --demo
check "timing: dns + tcp + tls = total (demo)" eval 'rc_is 0 && adds_up'
make_pki
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
trace_json --cafile "$PKI/ca.crt" "localhost:$PORT"
check "timing: dns + tcp + tls = total (openssl s_server)" eval 'rc_is 0 && adds_up'
stop_pid "$LAST_PID"

# TLS 1.2 with the demo: no stall between the client's Finished and the server's
# ChangeCipherSpec (Nagle against a delayed ACK cost ~40 ms).
gaps=""
for i in 1 2 3 4 5; do
    trace_json --demo --tls1.2
    gaps="$gaps $(jq -r '[.events[] | select(.layer == "tls")] as $e |
        ([$e[] | select(.from == "client" and .type == "Finished")][0].t_ms) as $f |
        ([$e[] | select(.from == "server" and .type == "ChangeCipherSpec")][0].t_ms) - $f' "$OUT")"
done
check "demo TLS 1.2: the server's ChangeCipherSpec within 30 ms of the client's Finished" \
    eval 'echo "$gaps" | tr " " "\n" | grep . | awk "\$1 < 0 || \$1 > 30 {bad=1} END {exit bad}" ||
          { echo "# gaps (ms):$gaps"; false; }'

# Round trips: one definition for every outcome.
start_py_server 'import struct; c.recv(4096); c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)); c.close()'
trace_json "127.0.0.1:$PORT"
check "round trips: a reset after the ClientHello is 2" eval '[ "$(q .timing.round_trips)" = 2 ]'
stop_pid "$LAST_PID"
start_py_server 'c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()'
trace_json "127.0.0.1:$PORT"
check "round trips: a reply that is not TLS is 2" eval '[ "$(q .timing.round_trips)" = 2 ]'
stop_pid "$LAST_PID"
PORT=$(free_port)
trace_json "127.0.0.1:$PORT"
if [ "$(id -u)" -ne 0 ]; then
    check "round trips: a refused port is 1 (inferred rows: 0)" eval 'rc_is 3 && [ "$(q .timing.round_trips)" = 0 ]'
else
    check "round trips: a refused port is 1" eval 'rc_is 3 && [ "$(q .timing.round_trips)" = 1 ]'
fi

# Capture connections are numbered by when they begin: B begins after A and ends first.
python3 - "$PWD" "$WORK/order.pcap" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/tests/hostile_captures")
import gen
exchange = gen.source_exchange(sys.argv[1] + "/" + gen.SOURCE + ".pcap")
frames, clock = [], [1700000000.0]
a = gen.Conv(frames, n=1, clock=clock)
b = gen.Conv(frames, n=2, clock=clock)
a.handshake()
b.handshake()
for conv in (b, a):  # B's whole exchange first, then A's
    for d, payload in exchange:
        conv.packet(d, 0x18, payload)
    conv.close()
gen.write_pcap(sys.argv[2], frames)
PY
trace_json -r "$WORK/order.pcap"
check "capture: connections numbered by when they began" eval '
    [ "$(q "[.connections[] | \"\\(.connection)=\\(.target.client_address)\"] | join(\" \")")" = \
      "1=10.0.0.1:1025 2=10.0.0.2:1026" ]'
# The text ladders too: B is rendered when it ends, and printed after A, numbered 2.
"$HSTRACE" -r "$WORK/order.pcap" --plain --color never >"$WORK/order.txt" 2>&1
check "capture text: connections printed and numbered by when they began" eval '
    [ "$(grep -o "connection [0-9]*: [0-9.:]*" "$WORK/order.txt" | tr "\n" " ")" = \
      "connection 1: 10.0.0.1:1025 connection 2: 10.0.0.2:1026 " ]'
