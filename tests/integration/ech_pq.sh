#!/usr/bin/env bash
# Encrypted Client Hello and post-quantum key shares on captures from real peers: the Go 1.24
# captures of captures/ (X25519MLKEM768, a HelloRetryRequest for it, ECH accepted with the
# key log's ECH_SECRET / ECH_CONFIG, ECH rejected), the key log's ECH lines missing or wrong,
# key share groups and lengths against tshark, and the shared modern captures
# (../shared/captures-modern) when they are there.
. "$(dirname "$0")/../lib.sh"
CAPS=$(cd "$(dirname "$0")/../../captures" && pwd)
MODERN=${HS_MODERN_CAPTURES:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/captures-modern}

# c JQ: jq on the first connection of the last -r output.
c() { jq -r "[.connections[]? // .][0] | $1" "$OUT"; }
# share GROUP FROM: "key_length parts" of the first key share of GROUP sent by FROM.
share() {
    c "[.events[] | select(.from == \"$2\" and (.type == \"ClientHello\" or .type == \"ServerHello\"))
       | .fields.extensions[]? | select(.type == \"key_share\")
       | (.shares // [.])[] | select(.group == \"$1\")][0]
       | \"\\(.key_length) \\([.parts[]?.length] | join(\"+\"))\""
}
violations() { c '[.events[] | .fields.violations[]?] | length'; }

cap=$CAPS/go-tls13-x25519mlkem768.pcap
trace_json -r "$cap" --keylog "${cap%.pcap}.keys"
check "X25519MLKEM768: client share 1216 = 1184 ML-KEM + 32 X25519" \
    test "$(share X25519MLKEM768 client)" = "1216 1184+32"
check "X25519MLKEM768: server share 1120 = 1088 + 32, no violation" \
    test "$(share X25519MLKEM768 server) $(violations)" = "1120 1088+32 0"
check "X25519MLKEM768: the ClientHello spans two TCP segments" \
    test "$(c '[.events[] | select(.type == "ClientHello")][0].frames | length')" = 2
check "X25519MLKEM768: the group in the header, the handshake decrypted" \
    test "$(c '.tls.group + " " + .decryption.status')" = "X25519MLKEM768 decrypted"

cap=$CAPS/go-tls13-hrr-x25519mlkem768.pcap
trace_json -r "$cap"
check "HelloRetryRequest asks for X25519MLKEM768" \
    test "$(c '[.events[] | select(.type == "HelloRetryRequest")][0].fields.extensions[]
             | select(.type == "key_share") | .selected_group')" = X25519MLKEM768
check "HelloRetryRequest: the second ClientHello's hybrid share, the server's" \
    test "$(share X25519MLKEM768 client) / $(share X25519MLKEM768 server)" = "1216 1184+32 / 1120 1088+32"

cap=$CAPS/go-ech-accepted.pcap
trace_json -r "$cap" --keylog "${cap%.pcap}.keys"
check "ECH accepted: verdict, inner SNI, key log entry" \
    test "$(c '.ech | "\(.status) \(.inner_sni) \(.key_log_entry) \(.kdf) \(.aead)"')" = \
    "accepted secret.example 1 HKDF-SHA256 AES-128-GCM"
check "ECH accepted: the outer hello names the public name, the inner one the real name" \
    test "$(c '[.events[] | select(.type == "ClientHello")][0].fields
             | [(.extensions[] | select(.type == "server_name") | .host_name),
                (.client_hello_inner.extensions[] | select(.type == "server_name") | .host_name),
                (.client_hello_inner.extensions[] | select(.type == "encrypted_client_hello") | .ech_type)]
             | join(" ")')" = "public.example secret.example inner"
check "ECH accepted: the ServerHello's confirmation matches, the handshake decrypts (inner random)" \
    test "$(c '([.events[] | select(.type == "ServerHello")][0].fields.ech_confirmation | startswith("matches"))
             and .decryption.status == "decrypted"')" = true
run_text -r "$cap" --keylog "${cap%.pcap}.keys" --plain --color never
check "ECH accepted: text row and footer" \
    grep -q "ECH, outer SNI public.example, inner SNI secret.example" "$OUT"
grep -q "^ECH: accepted" "$OUT" || notok "ECH accepted: footer line" "$(grep ECH "$OUT")"

run_text -r "$cap" --keylog "${cap%.pcap}.keys" --keys --plain --color never
check "ECH accepted: --keys verifies both Finished over the inner transcript" \
    grep -q "Finished: client verified, server verified" "$OUT"
grep -v '^ECH_' "${cap%.pcap}.keys" >"$WORK/no-ech.keys"
inner=$(awk '$1 == "SERVER_HANDSHAKE_TRAFFIC_SECRET" { print $2; exit }' "$WORK/no-ech.keys")
trace_json -r "$cap" --keylog "$WORK/no-ech.keys"
check "ECH without ECH lines: the inner random's secrets found by trial decryption" \
    test "$(c '"\(.ech.status) \(.ech.key_log_random) \(.decryption.status)"')" = \
    "accepted $inner decrypted"
# the traffic secrets only for the outer random's neighbours: nothing matches, nothing claimed
grep -v '^ECH_' "${cap%.pcap}.keys" | grep -v '^SERVER_HANDSHAKE' >"$WORK/no-sh.keys"
trace_json -r "$cap" --keylog "$WORK/no-sh.keys"
check "ECH without ECH lines or a matching secret: real or GREASE, needs the key log" \
    test "$(c '.ech | "\(.status): \(.reason)"')" = "unknown: real or GREASE: needs the key log"
trace_json -r "$cap"
check "ECH without a key log: unknown, the outer hello's fields still decoded" \
    test "$(c '.ech.status + " " + ([.events[] | select(.type == "ClientHello")][0].fields.extensions[]
             | select(.type == "encrypted_client_hello") | "\(.ech_type) \(.config_id) \(.enc_length)")')" = \
    "unknown outer 7 32"
# the ECH_SECRET with one byte changed: the trial decryption fails and says so
awk '$1 == "ECH_SECRET" { $3 = (substr($3,1,1) == "0" ? "1" : "0") substr($3,2) } { print }' \
    "${cap%.pcap}.keys" >"$WORK/bad-ech.keys"
trace_json -r "$cap" --keylog "$WORK/bad-ech.keys"
check "ECH with a wrong ECH_SECRET: the inner hello not decrypted, says why (the traffic by trial)" \
    test "$(c '.ech | "\(.status) / \(.not_decrypted)"')" = \
    "accepted / none of the key log's 1 ECH entries for config id 7 decrypts it"

cap=$CAPS/go-ech-hrr.pcap
trace_json -r "$cap" --keylog "${cap%.pcap}.keys"
check "ECH after a HelloRetryRequest: both confirmations match, the second inner hello decrypted" \
    test "$(c '[.events[] | select(.type == "HelloRetryRequest" or .type == "ServerHello")
             | .fields.ech_confirmation | split(":")[0]] | join(" ")') $(c '[.events[]
             | select(.type == "ClientHello") | .fields.client_hello_inner.extensions[]?
             | select(.type == "server_name") | .host_name] | join(" ")') $(c '.ech.status + " "
             + .decryption.status')" = "matches matches secret.example secret.example accepted decrypted"

run_text -r "$cap" --keylog "${cap%.pcap}.keys" --keys --plain --color never
check "ECH after a HelloRetryRequest: --keys verifies both Finished" \
    grep -q "Finished: client verified, server verified" "$OUT"

cap=$CAPS/go-ech-rejected.pcap
trace_json -r "$cap" --keylog "${cap%.pcap}.keys"
check "ECH rejected: retry_configs decoded, ech_required seen" \
    test "$(c '.ech.status + " " + ([.events[] | select(.type == "EncryptedExtensions")][0].fields.extensions[]
             | select(.type == "encrypted_client_hello") | .retry_configs[0]
             | "\(.version) \(.config_id) \(.kem) \(.public_key_length) \(.cipher_suites[0].kdf) \(.public_name)")
             + " " + ([.events[] | select(.type == "Alert")][0].fields.description)')" = \
    "rejected 0xfe0d 7 DHKEM(X25519, HKDF-SHA256) 32 HKDF-SHA256 public.example ech_required"

# What no real peer sends, in a capture written here (the TCP framing of the hostile-capture
# generator): a hybrid share of the wrong length, the inner marker and ech_outer_extensions in
# the clear, an ECH type that does not exist.  Their fields validate like the rest (trace_json).
python3 - "$WORK/odd-ech.pcap" <<'PY'
import struct, sys
sys.path.insert(0, "tests/hostile_captures")
from gen import Conv, write_pcap, CLIENT
def ext(t, body): return struct.pack(">HH", t, len(body)) + body
def hello(exts):
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    body += struct.pack(">H", len(exts)) + exts
    msg = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(msg)) + msg
share = struct.pack(">HH", 0x11ec, 1000) + bytes(1000)          # 1216 wanted
odd = (ext(43, b"\x02\x03\x04") + ext(10, b"\x00\x02\x11\xec")
       + ext(51, struct.pack(">H", len(share)) + share)
       + ext(0xfe0d, b"\x01") + ext(0xfd00, b"\x04\x00\x2b\x00\x0a"))
frames = []
for n, exts in enumerate((odd, ext(43, b"\x02\x03\x04") + ext(0xfe0d, b"\x05"))):
    c = Conv(frames, n=n)
    c.handshake()
    c.packet(CLIENT, 0x18, hello(exts))
    c.close()
write_pcap(sys.argv[1], frames)
PY
trace_json -r "$WORK/odd-ech.pcap"
ext_of() { c "[.events[] | select(.type == \"ClientHello\")][0].fields.extensions[] | select(.type == \"$1\") | $2"; }
check "a hybrid share of the wrong length: expected_key_length, parts, a violation" \
    test "$(ext_of key_share '.shares[0] | "\(.key_length) \(.expected_key_length) \([.parts[].length] | join("+"))"') $(violations)" = \
    "1000 1216 1184+32 1"
check "ech_outer_extensions in the clear: names and numbers; the inner marker on the wire" \
    test "$(ext_of ech_outer_extensions '"\(.outer_extensions | join(",")) \(.outer_extension_ids | join(","))"') $(c .ech.status)" = \
    "supported_versions,supported_groups 43,10 inner on the wire"
check "an ECH type that does not exist: unknown(5)" \
    test "$(jq -r '.connections[1].events[] | select(.type == "ClientHello") | .fields.extensions[]
                  | select(.type == "encrypted_client_hello") | .ech_type' "$OUT")" = "unknown(5)"

# Key share groups and lengths, hstrace against tshark 4.0 (it knows 0x11ec by number only).
ours_shares() {
    jq -r '[.connections[]? // .] | .[] | .events[]
           | select(.type == "ClientHello" or .type == "ServerHello")
           | [.fields.extensions[]? | select(.type == "key_share") | (.shares // [.])[] | .key_length]
           | map(tostring) | join(",")' "$1" | grep -v '^$'
}
theirs_shares() {
    tshark -r "$1" -n -Y 'tls.handshake.type == 1 || tls.handshake.type == 2' -T fields \
        -E occurrence=a -E aggregator=, -e tls.handshake.extensions_key_share_key_exchange_length \
        2>/dev/null | grep -v '^$'
}
compare_shares() {
    local name=$1 cap=$2
    shift 2
    if ! command -v tshark >/dev/null; then skip "key shares vs tshark: $name" "tshark not installed"; return; fi
    "$HSTRACE" -r "$cap" "$@" --json >"$WORK/shares.json" 2>/dev/null
    local a b
    a=$(ours_shares "$WORK/shares.json")
    b=$(theirs_shares "$cap")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "key share lengths agree with tshark: $name"
    else notok "key share lengths agree with tshark: $name" "hstrace: $(echo $a)" "tshark: $(echo $b)"; fi
}
for cap in "$CAPS"/go-*.pcap; do compare_shares "$(basename "$cap")" "$cap"; done

# The shared modern captures, when present: their .truth.txt lines "key_share=[0x11ec(...)/1216 ...]".
if [ ! -d "$MODERN" ]; then
    skip "modern captures" "no $MODERN"
    exit 0
fi
for cap in "$MODERN"/hp-*mlkem*.pcapng "$MODERN"/ndpi-firefox-google-chat-ech.pcapng; do
    [ -f "$cap" ] || continue
    name=$(basename "$cap" .pcapng)
    keys=()
    [ -f "${cap%.pcapng}.keys" ] && keys=(--keylog "${cap%.pcapng}.keys")
    case $name in
    hp-tlsserver-*) ;; # its port 9000 is not one tshark reads as TLS without -d: the truth file
    *) compare_shares "$name" "$cap" "${keys[@]}" ;;
    esac
    trace_json -r "$cap" "${keys[@]}"
    # section A of the truth file: one line per message, "key_share=[0x11ec(Unknown)/1216 ...]"
    truth=$(sed '/^## B/q' "${cap%.pcapng}.truth.txt" | grep -o 'key_share=\[0x.*\];' |
        sed 's/;.*//' | grep -o '/[0-9]*' | tr -d / | paste -sd,)
    mine=$(ours_shares "$OUT" | paste -sd,)
    check "$name: no key share violation, lengths as in the truth file ($truth)" \
        test "$(violations)" = 0 -a -n "$truth" -a "$truth" = "$mine"
    case $name in
    hp-tls13-x25519mlkem768 | hp-chrome-http1-mlkem-ech)
        check "$name: X25519MLKEM768 parts" test "$(share X25519MLKEM768 client)" = "1216 1184+32" ;;
    hp-tls13-secp384r1mlkem1024)
        check "$name: SecP384r1MLKEM1024 parts (ECDH first)" \
            test "$(share SecP384r1MLKEM1024 client)" = "1665 97+1568" ;;
    hp-tls13-mlkem1024)
        check "$name: MLKEM1024 share" test "$(share MLKEM1024 client)" = "1568 " ;;
    esac
    case $name in
    hp-chrome-http1-mlkem-ech)
        check "$name: GREASE ECH with the handshake under the outer random: not accepted" \
            test "$(c .ech.status)" = "not accepted"
        trace_json -r "$cap"
        check "$name: without keys: real or GREASE" test "$(c .ech.status)" = unknown ;;
    ndpi-firefox-google-chat-ech)
        check "$name: ECH outer, unknown without keys" \
            test "$(c '.ech.status + " " + ([.events[] | select(.type == "ClientHello")][0].summary)')" = \
            "unknown TLS 1.3, ECH, outer SNI chat.google.com, 17 suites, key_share x25519+secp256r1, ALPN h2,http/1.1" ;;
    esac
done
