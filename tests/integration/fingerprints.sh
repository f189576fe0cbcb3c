#!/usr/bin/env bash
# JA3/JA3S against tshark on the same capture: every hello of every capture in captures/ and of
# a live --demo run written with -w; JA4/JA4S are checked against the specification's examples
# in the unit tests, here only for their shape and for being in the text header.
. "$(dirname "$0")/../lib.sh"
JSON_INVALID= OUT=$WORK/demo.json; : >"$OUT.err"
if ! command -v tshark >/dev/null; then skip "fingerprints vs tshark" "tshark not installed"; exit 0; fi
CAPS=$(dirname "$0")/../../captures

# "ja3 ja3_string" per ClientHello and "ja3s ja3s_string" per ServerHello (HelloRetryRequests
# too), in capture order, one per line.
theirs() {
    tshark -r "$1" -n -Y 'tls.handshake.type == 1 || tls.handshake.type == 2' -T fields \
        -e tls.handshake.ja3 -e tls.handshake.ja3_full -e tls.handshake.ja3s \
        -e tls.handshake.ja3s_full 2>/dev/null | tr '\t' ' ' | sed 's/^ *//; s/ *$//; s/  */ /g'
}
ours() {
    jq -r '[.connections[]? // .] | .[] | .events[]
           | select(.type == "ClientHello" or .type == "ServerHello" or .type == "HelloRetryRequest")
           | .fields.fingerprints // {} | [.ja3, .ja3_string, .ja3s, .ja3s_string]
           | map(select(. != null)) | join(" ")' "$1"
}

compare() {
    local name=$1 cap=$2 json=$3 a b
    a=$(ours "$json")
    b=$(theirs "$cap")
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        ok "ja3/ja3s agree with tshark: $name ($(echo "$a" | wc -l) hellos)"
    else
        notok "ja3/ja3s agree with tshark: $name" "hstrace: $a" "tshark:  $b"
    fi
}

for cap in "$CAPS"/*.pcap "$CAPS"/*.pcapng; do
    [ -e "$cap" ] || continue
    name=$(basename "$cap")
    "$HSTRACE" -r "$cap" --json >"$WORK/$name.json" 2>"$WORK/err"
    compare "$name" "$cap" "$WORK/$name.json"
done

"$HSTRACE" --demo -w "$WORK/demo.pcapng" --json >"$WORK/demo.json" 2>"$WORK/err"
RC=$?
if [ "$RC" -eq 0 ] && [ -s "$WORK/demo.pcapng" ]; then
    compare "live --demo -w" "$WORK/demo.pcapng" "$WORK/demo.json"
    check "the JSON header carries the first hellos' fingerprints" eval '
        [ "$(jq -r ".fingerprints.ja3" "$WORK/demo.json")" = \
          "$(jq -r "[.events[] | select(.type==\"ClientHello\")][0].fields.fingerprints.ja3" "$WORK/demo.json")" ] &&
        jq -e ".fingerprints | (.ja3|test(\"^[0-9a-f]{32}$\")) and (.ja3s|test(\"^[0-9a-f]{32}$\"))
               and (.ja4|test(\"^t1[0-3][di][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$\"))
               and (.ja4s|test(\"^t1[0-3][0-9]{2}[0-9a-z]{2}_[0-9a-f]{4}_[0-9a-f]{12}$\"))" \
            "$WORK/demo.json" >/dev/null'
    "$HSTRACE" --demo --color never >"$WORK/demo.txt" 2>&1
    ja4=$(jq -r .fingerprints.ja4 "$WORK/demo.json")
    check "the text header shows JA3 and JA4" eval 'grep -q "JA3 [0-9a-f]\{32\}" "$WORK/demo.txt" && grep -qF "JA4 $ja4" "$WORK/demo.txt"'
else
    notok "live --demo -w" "exit $RC: $(head -c 300 "$WORK/err")"
fi

"$HSTRACE" -r "$CAPS/tls13-hrr.pcap" --json >"$WORK/hrr.json" 2>/dev/null
check "a HelloRetryRequest is not the header's ServerHello" eval '
    [ "$(jq -r ".connections[0].fingerprints.ja3s" "$WORK/hrr.json")" = \
      "$(jq -r "[.. | objects | select(.type? == \"ServerHello\")][0].fields.fingerprints.ja3s" "$WORK/hrr.json")" ]'
