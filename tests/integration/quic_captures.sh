#!/usr/bin/env bash
# QUIC in captures (-r), beyond the goldens of captures/quic-*: the rows and fields of a QUIC
# connection; a ClientHello cut into CRYPTO frames out of order over two Initials, one piece
# sent twice, zero padding after a packet (tests/captures/quic_synth.py builds them from the
# sample's ClientHello); hostile CRYPTO data and damaged packets; the transport parameters by
# name; and, when ../shared/captures-modern is there, public captures of other stacks
# (quic-go 0-RTT, Chrome's ClientHello over 14 CRYPTO frames, a Retry, a draft-32 DoQ capture
# with embedded secrets), with tshark's reading where it can read them.
. "$(dirname "$0")/../lib.sh"
CAPS=$PWD/captures
DATA=$PWD/tests/data/quic
V1=$CAPS/quic-v1-aes128gcm

# oracle NAME CAPTURE [KEYLOG]: tshark reads the same TLS messages as hstrace from the file.
oracle() {
    local name=$1 cap=$2 json=$WORK/oracle-$1.json res
    shift 2
    "$HSTRACE" -r "$cap" ${1:+--keylog "$1"} --json >"$json" 2>/dev/null
    res=$(python3 tests/captures/tshark_oracle.py "$cap" "$json" "$@" 2>&1) &&
        { ok "tshark oracle: $name ($res)"; return; }
    mapfile -t lines <<<"$res"
    notok "tshark oracle: $name" "${lines[@]}"
}

# jq on the first connection of the last output.
c1() { q ".connections[0]$1"; }
quic_line() { c1 "| [.events[] | select(.layer==\"quic\") | .summary] | .[$1]"; }

trace_json -r "$V1.pcap" --keylog "$V1.keys"
check "QUIC v1: transport, version and connection IDs, rows in the quic layer" eval '
    rc_is 0 && [ "$(c1 .transport)" = quic ] && [ "$(c1 .quic.version_name)" = "QUIC v1" ] &&
    [ "$(c1 .quic.client_cid | wc -c)" -gt 2 ] && [ "$(c1 .quic.server_cid | wc -c)" -gt 2 ] &&
    [ "$(c1 .quic.retry)" = false ] && [ "$(q .source.quic_connections)" = 1 ] &&
    [ "$(quic_line 0)" = "#0: CRYPTO[0+371], PADDING" ] &&
    [ "$(c1 .quic.version_id)" = 1 ] &&
    [ "$(c1 "| [.events[] | select(.layer==\"quic\" and .type==\"Initial\") | .fields.version_id] | unique | join(\",\")")" = 1 ] &&
    [ "$(c1 "| [.events[] | select(.layer==\"quic\") | .type] | unique | join(\" \")")" = "1-RTT Handshake Initial" ]'
check "QUIC v1: the TLS messages come from the CRYPTO frames, all decrypted" eval '
    [ "$(c1 "| [.events[] | select(.layer==\"tls\") | .type] | join(\" \")")" = "ClientHello ServerHello EncryptedExtensions Certificate CertificateVerify Finished Finished NewSessionTicket" ] &&
    [ "$(c1 .decryption.status)" = decrypted ] && [ "$(c1 .result)" = ok ] &&
    [ "$(c1 .timing.round_trips)" = 1 ]'
check "QUIC v1: quic_transport_parameters decoded by name" eval '
    c1 "| .events[] | select(.type==\"EncryptedExtensions\") | .fields.extensions[] | select(.type==\"quic_transport_parameters\") | .parameters[].name" |
        grep -qx initial_source_connection_id &&
    c1 "| .events[] | select(.type==\"ClientHello\") | .fields.extensions[] | select(.type==\"quic_transport_parameters\") | .parameters[] | select(.name==\"initial_max_data\") | .value" |
        grep -qx "[0-9][0-9]*"'
trace_json -r "$V1.pcap"
check "QUIC v1 without keys: hellos from the Initials, the rest encrypted, no keys" eval '
    [ "$(c1 "| [.events[] | select(.layer==\"tls\") | .type] | join(\" \")")" = "ClientHello ServerHello" ] &&
    [ "$(c1 .decryption.status)" = "no keys" ] &&
    c1 "| .events[] | select(.type==\"Handshake\") | .fields.opaque" | grep -qx "no key"'

trace_json -r "$CAPS/quic-retry.pcap" --keylog "$CAPS/quic-retry.keys"
check "Retry: its row, then the Initial again with the token" eval '
    [ "$(c1 .quic.retry)" = true ] &&
    [ "$(c1 "| [.events[] | select(.layer==\"quic\") | .type] | .[0:3] | join(\" \")")" = "Initial Retry Initial" ] &&
    quic_line 2 | grep -q "^#[0-9]* (token [0-9]* bytes): CRYPTO\[0+" && [ "$(c1 .result)" = ok ]'
trace_json -r "$DATA/quic-version-negotiation.pcap" --keylog "$DATA/quic-version-negotiation.keys"
check "Version Negotiation: the first attempt fails with the offer, the second completes" eval '
    [ "$(q ".connections | length")" = 2 ] &&
    c1 "| .events[] | select(.type==\"VersionNegotiation\") | .summary" | grep -q "QUIC v1" &&
    c1 "| .events[] | select(.type==\"VersionNegotiation\") | .fields | [.versions, .version_ids] | transpose[] | select(.[0] == \"QUIC v1\") | .[1]" | grep -qx 1 &&
    c1 .error.message | grep -q "Version Negotiation" &&
    [ "$(q ".connections[1].result")" = ok ]'

trace_json -r "$DATA/quic-0rtt.pcap" --keylog "$DATA/quic-0rtt.keys"
check "0-RTT: the resumption's early packet decrypted with the early traffic secret" eval '
    [ "$(q ".connections[1].tls.resumed")" = true ] &&
    [ "$(q "[.connections[1].events[] | select(.type==\"0-RTT\" and .decrypted)] | length")" -ge 1 ] &&
    q ".connections[1].decryption.found[]" | grep -qx CLIENT_EARLY_TRAFFIC_SECRET &&
    [ "$(q ".connections[1].decryption.status")" = decrypted ]'

trace_json -r "$DATA/quic-key-update.pcap" --keylog "$DATA/quic-key-update.keys"
check "a key update: later 1-RTT packets of both sides open with the next keys" eval '
    [ "$(c1 .decryption.status)" = decrypted ] &&
    [ "$(c1 "| [.events[] | select(.layer==\"quic\" and .fields.key_generation==1) | .from] | unique | join(\" \")")" = "client server" ] &&
    [ "$(c1 "| [.events[] | select(.problem)] | length")" = 0 ]'

trace_json -r "$DATA/quic-chacha20.pcap" --keylog "$DATA/quic-chacha20.keys"
check "ChaCha20-Poly1305: Handshake and 1-RTT packets decrypted (ChaCha20 header protection)" eval '
    [ "$(c1 .tls.cipher_suite)" = TLS_CHACHA20_POLY1305_SHA256 ] &&
    [ "$(c1 .decryption.status)" = decrypted ] && [ "$(c1 .result)" = ok ] &&
    [ "$(c1 "| [.events[] | select(.layer==\"quic\" and .type==\"Handshake\") | .fields.cipher] | unique | join(\" \")")" = CHACHA20-POLY1305 ]'

# tshark's reading of tests/data/quic/ (those of captures/ are compared by captures.sh).
if command -v tshark >/dev/null; then
    for f in "$DATA"/*.pcap; do oracle "$(basename "$f" .pcap)" "$f" "${f%.pcap}.keys"; done
else
    skip "tshark oracle on tests/data/quic" "tshark not installed"
fi

# Synthetic Initials from the sample's ClientHello.
if ! python3 -c "import cryptography" 2>/dev/null; then
    skip "QUIC synthetic captures" "python3-cryptography not installed"
elif ! python3 tests/captures/quic_synth.py "$V1.pcap" "$WORK" >"$WORK/synth.log" 2>&1; then
    notok "QUIC synthetic captures" "$(cat "$WORK/synth.log")"
else
    trace_json -r "$WORK/split.pcap"
    check "a ClientHello over two Initials, out of order, one piece twice, padding after a packet" eval '
        [ "$(c1 "| [.events[] | .type] | join(\" \")")" = "Initial Initial ClientHello" ] &&
        [ "$(quic_line 0)" = "#0: CRYPTO[200+171], CRYPTO[0+100], PADDING" ] &&
        [ "$(c1 .tcp.out_of_order)" = 1 ] && [ "$(c1 .tcp.retransmissions)" = 1 ] &&
        [ "$(c1 .target.sni)" = localhost ] &&
        [ "$(c1 "| .events[] | select(.type==\"ClientHello\") | .frames | join(\",\")")" = 1,2 ]'
    trace_json -r "$WORK/hostile.pcap"
    check "hostile CRYPTO data and packets: bounded, each said, nothing else decoded" eval '
        [ "$(q ".connections | length")" = 1 ] &&
        quic_line 0 | grep -q "^#0: CRYPTO\[2097152+3\]" &&
        quic_line 1 | grep -q ", \.\.\.$" &&
        c1 "| .events[] | select(.layer==\"quic\" and .problem) | .summary" | grep -q "decryption failed" &&
        c1 "| .events[] | select(.layer==\"quic\" and .problem) | .summary" | grep -q "malformed frame 0x6" &&
        [ "$(c1 .tcp.gaps)" -ge 37 ] &&
        [ "$(c1 "| [.events[] | select(.type==\"ClientHello\")] | length")" = 0 ]'
    trace_json -r "$WORK/not-quic.pcap"
    check "a datagram that only starts like a long header of an unknown version is not QUIC" eval '
        [ "$(q ".connections | length")" = 0 ] && [ "$(q .source.udp_packets)" = 1 ]'
fi

# Public captures of other QUIC stacks, when the shared folder is there (never copied here).
M=${HS_MODERN_CAPTURES:-$PWD/../shared/captures-modern}
if [ ! -f "$M/tcpd-quic-retry.pcap" ]; then
    skip "public QUIC captures" "no $M"
    exit 0
fi
trace_json -r "$M/tcpd-quic-retry.pcap"
check "tcpdump's Retry capture (IPv6, BSD loopback): 128-byte token, the Initial again" eval '
    [ "$(c1 .quic.retry_token_length)" = 128 ] &&
    quic_line 2 | grep -q "(token 128 bytes)" && [ "$(c1 .target.sni)" = localhost ]'
trace_json -r "$M/suri-quic-chrome-ech-mlkem-unordered.pcap"
check "Chrome's ClientHello over 14 CRYPTO frames out of order in 2 Initials" eval '
    [ "$(c1 .tcp.out_of_order)" -ge 10 ] &&
    [ "$(c1 "| .events[] | select(.type==\"ClientHello\") | .frames | join(\",\")")" = 1,2 ] &&
    [ "$(c1 "| .events[] | select(.type==\"ClientHello\") | .length")" = 1728 ] &&
    [ "$(c1 .target.sni)" = mastodon.social ] &&
    c1 "| .events[] | select(.type==\"ClientHello\") | .summary" | grep -q X25519MLKEM768'
trace_json -r "$M/zeek-quic-go-interop-zerortt.pcap"
check "quic-go over PPP: a full handshake, then a resumption with 0-RTT packets" eval '
    [ "$(q ".connections | length")" = 2 ] && [ "$(q ".connections[1].tls.resumed")" = true ] &&
    [ "$(q "[.connections[1].events[] | select(.type==\"0-RTT\")] | length")" -ge 20 ] &&
    [ "$(q "[.connections[].result] | join(\" \")")" = "ok ok" ]'
trace_json -r "$M/ndpi-doq-draft32-dsb.pcapng"
check "draft-32 DNS over QUIC with the pcapng's secrets: decrypted, CertificateVerify over 2 packets" eval '
    [ "$(c1 .quic.version_name)" = draft-32 ] && [ "$(c1 .decryption.status)" = decrypted ] &&
    [ "$(c1 "| .events[] | select(.type==\"CertificateVerify\") | .frames | length")" = 2 ] &&
    c1 "| .events[] | select(.type==\"EncryptedExtensions\") | .fields.extensions[].type" |
        grep -qx quic_transport_parameters_draft'
if command -v tshark >/dev/null; then
    for f in zeek-quic-go-interop-zerortt suri-quic-chrome-ech-mlkem-unordered; do
        oracle "$f" "$M/$f.pcap"
    done
else
    skip "tshark oracle on public QUIC captures" "tshark not installed"
fi
