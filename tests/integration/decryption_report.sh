#!/usr/bin/env bash
# The decryption report of -r (one "decryption:" footer line, a decryption object per
# connection): the sample captures with their key logs are decrypted; without a key log: no
# keys; a key log with one line removed: partial, that label missing; a secret's bytes changed:
# wrong keys (TLS 1.3 and 1.2); a handshake that never reached encryption: not encrypted; a
# pcapng whose secrets are embedded (no key log given): decrypted.
. "$(dirname "$0")/../lib.sh"
CAPS=$PWD/captures
C13=$CAPS/tls13-aes128gcm
C12=$CAPS/tls12-ecdhe-rsa

dec() { q ".connections[0].decryption.$1"; }
labels() { q "[.connections[0].decryption.$1[]] | join(\" \")"; }
ALL13="CLIENT_HANDSHAKE_TRAFFIC_SECRET SERVER_HANDSHAKE_TRAFFIC_SECRET CLIENT_TRAFFIC_SECRET_0 SERVER_TRAFFIC_SECRET_0"

trace_json -r "$C13.pcap" --keylog "$C13.keys"
check "TLS 1.3 with its key log: decrypted, the four secrets found" eval '
    rc_is 0 && [ "$(dec status)" = decrypted ] && [ "$(labels found)" = "$ALL13" ] &&
    [ "$(labels missing)" = "" ] && dec reason | grep -q "^all [0-9]* encrypted records decrypted$"'
trace_json -r "$C12.pcap" --keylog "$C12.keys"
check "TLS 1.2 with its key log: decrypted, CLIENT_RANDOM found" eval '
    rc_is 0 && [ "$(dec status)" = decrypted ] && [ "$(labels found)" = CLIENT_RANDOM ] &&
    [ "$(labels missing)" = "" ]'

trace_json -r "$C13.pcap"
check "no key log: no keys, every secret missing" eval '
    [ "$(dec status)" = "no keys" ] && [ "$(labels found)" = "" ] &&
    [ "$(labels missing)" = "$ALL13" ] && [ "$(dec reason)" = "no key log" ]'
# A key log that holds only another connection's secrets.
grep -h . "$C12.keys" >"$WORK/other.keys"
trace_json -r "$C13.pcap" --keylog "$WORK/other.keys"
check "a key log without this client random: no keys" eval '
    [ "$(dec status)" = "no keys" ] && dec reason | grep -q "no secret for this client random"'

for l in $ALL13; do
    grep -v "^$l " "$C13.keys" >"$WORK/minus.keys"
    trace_json -r "$C13.pcap" --keylog "$WORK/minus.keys"
    check "key log without $l: partial, $l missing" eval '
        [ "$(dec status)" = partial ] && [ "$(labels missing)" = "$l" ] &&
        ! labels found | grep -qw "$l" && dec reason | grep -Eq "^[0-9]+ of [0-9]+ encrypted records decrypted$"'
done
run_text -r "$C13.pcap" --keylog "$WORK/minus.keys" --plain
check "text: one footer line, partial: found ...; missing SERVER_TRAFFIC_SECRET_0" eval '
    [ "$(grep -c "^decryption: " "$OUT")" = 1 ] &&
    grep -q "^decryption: partial: found CLIENT_HANDSHAKE_TRAFFIC_SECRET, SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0; missing SERVER_TRAFFIC_SECRET_0 (" "$OUT"'

# One secret's first hex digit changed (to another digit).
flip() { awk -v l="$1" '$1 == l { c = substr($3, 1, 1); $3 = (c == "0" ? "1" : "0") substr($3, 2) } { print }' "$2"; }
flip SERVER_HANDSHAKE_TRAFFIC_SECRET "$C13.keys" >"$WORK/bad13.keys"
trace_json -r "$C13.pcap" --keylog "$WORK/bad13.keys"
check "TLS 1.3, a changed server handshake secret: wrong keys, naming it" eval '
    [ "$(dec status)" = "wrong keys" ] && [ "$(labels found)" = "$ALL13" ] &&
    dec reason | grep -q "failed authentication with SERVER_HANDSHAKE_TRAFFIC_SECRET$"'
flip CLIENT_RANDOM "$C12.keys" >"$WORK/bad12.keys"
trace_json -r "$C12.pcap" --keylog "$WORK/bad12.keys"
check "TLS 1.2, a changed master secret: wrong keys" eval '
    [ "$(dec status)" = "wrong keys" ] && dec reason | grep -q "with CLIENT_RANDOM$"'
run_text -r "$C12.pcap" --keylog "$WORK/bad12.keys" --plain
check "text: decryption: wrong keys" eval 'grep -q "^decryption: wrong keys: found CLIENT_RANDOM (" "$OUT"'

trace_json -r "$CAPS/fail-server-alert.pcap" --keylog "$CAPS/fail-server-alert.keys"
check "a handshake refused before encryption: not encrypted" eval '
    [ "$(dec status)" = "not encrypted" ] && [ "$(labels missing)" = "" ]'

# Secrets embedded in a pcapng (Decryption Secrets Block): the sample, then a fresh one.
trace_json -r "$CAPS/tls13-chacha20.pcapng"
check "sample pcapng with embedded secrets, no key log: decrypted" eval '
    [ "$(dec status)" = decrypted ] && [ "$(labels found)" = "$ALL13" ]'
run_text --demo -w "$WORK/demo.pcapng" --plain
if grep -q "needs packet capture" "$OUT.err"; then
    skip "demo -w pcapng read back: decrypted" "no packet capture permission here"
else
    trace_json -r "$WORK/demo.pcapng"
    check "demo -w pcapng read back: decrypted from its embedded secrets" eval '
        rc_is 0 && [ "$(dec status)" = decrypted ] && [ "$(labels found)" = "$ALL13" ]'
fi

trace_json --demo
check "live traces have no decryption object" eval '
    rc_is 0 && [ "$(q "has(\"decryption\")")" = false ]'
