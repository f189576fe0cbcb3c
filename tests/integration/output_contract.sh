#!/usr/bin/env bash
# The output contract: a usage error under --json is still a JSON document (stage "usage",
# exit 2, the message also on stderr), found by the parser or later by a source; and library
# notes say only what the library did: no note names a handshake message the ladder lacks.
# Peers: the built-in demo server (TLS 1.3) and openssl s_server (TLS 1.2, ECDHE and RSA).
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
make_pki
CA=(--cafile "$PKI/ca.crt")

# ---- usage errors under --json ----

# usage_doc NAME ARGS...: exit 2, one valid document on stdout with result failed and
# error.stage usage, its message non-empty and said on stderr too.
usage_doc() {
    local name=$1
    shift
    trace_json "$@"
    local msg
    msg=$(jq -r '.error.message // empty' "$OUT" 2>/dev/null)
    check "$name" eval 'rc_is 2 && [ "$(q .result)" = failed ] &&
        [ "$(q .error.stage)" = usage ] && [ "$(q .exit_code)" = 2 ] &&
        [ -n "$msg" ] && grep -qF -- "$msg" "$OUT.err" && [ "$(q ".events | length")" = 0 ]'
}

usage_doc "--json with an unknown option: the usage document" --bogus-option
# --json after the error still counts (getopt reads on).
OUT=$WORK/late.json
"$HSTRACE" --timeout nope --json >"$OUT" 2>"$OUT.err"
RC=$?
JSON_INVALID=""
python3 "$VALIDATE" "$SCHEMA" "$OUT" >"$OUT.schema" 2>&1 || JSON_INVALID=$(head -c 600 "$OUT.schema")
check "--json given after the bad option: the usage document" eval \
    'rc_is 2 && [ "$(q .error.stage)" = usage ] && q .error.message | grep -q "bad timeout"'
# Two targets are traced (many_targets.sh); a request they cannot meet is still a document.
usage_doc "--json with two targets and -w: the usage document" -w "$WORK/x.pcap" 127.0.0.1 127.0.0.2
usage_doc "--json --tls1.2 --tls1.3: the usage document" --tls1.2 --tls1.3 --demo
usage_doc "--json --demo --ciphers NOPE (found by the live source)" --demo --ciphers NOPE-SUITE
usage_doc "--json -Z unknown user (found before any source)" -Z no-such-user-hstrace --demo

start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
usage_doc "--json --groups bogus against a real peer" "${CA[@]}" --groups no-such-group \
    "127.0.0.1:$PORT"
usage_doc "--json --cafile unreadable against a real peer" --cafile "$WORK/missing-ca.pem" \
    "127.0.0.1:$PORT"
check "the usage document names the unreadable CA file" eval \
    'q .error.message | grep -q "missing-ca.pem"'

usage_doc "-r --json with --demo: the usage document" -r "$ROOT/captures/tls13-hrr.pcap" --demo
usage_doc "-r --json with a file that cannot be opened" -r "$WORK/no-such.pcap"
usage_doc "-r --json --conn 0: the usage document" -r "$ROOT/captures/tls13-hrr.pcap" --conn 0

run_text --bogus-option
check "without --json a usage error prints nothing on stdout" eval \
    'rc_is 2 && [ ! -s "$OUT" ] && grep -q "unknown option" "$OUT.err"'

# ---- library notes only when true ----

# Every note that names a handshake message must have that message in the ladder (with the
# right sender where the note says which).  Prints the notes that break this.
false_notes() {
    jq -r '
      def has($t; $from): [.events[] | select(.layer == "tls" and .type == $t and
                                               ($from == null or .from == $from))] | length > 0;
      [["server hello done", "ServerHelloDone", null], ["client hello", "ClientHello", null],
       ["server hello", "ServerHello", null], ["encrypted extensions", "EncryptedExtensions", null],
       ["certificate request", "CertificateRequest", null],
       ["server certificate", "Certificate", "server"], ["client certificate", "Certificate", "client"],
       ["certificate verify", "CertificateVerify", null],
       ["server key exchange", "ServerKeyExchange", null],
       ["client key exchange", "ClientKeyExchange", null],
       ["new session ticket", "NewSessionTicket", null],
       ["server finished", "Finished", "server"], ["client finished", "Finished", "client"],
       ["change cipher spec", "ChangeCipherSpec", null], ["ccs", "ChangeCipherSpec", null]] as $names
      | . as $doc
      | .events[] | select(.layer == "library" and .type == "note") | .summary as $s
      | $names[] as $n
      | select(($s | ascii_downcase | contains($n[0])) and ($doc | has($n[1]; $n[2]) | not))
      | "\($s) (no \($n[1]))"' "$OUT" || echo "(jq failed)"
}

# notes_true NAME NEEDED-NOTE: the trace succeeded, no note is false, and a note that
# describes what the library did (NEEDED-NOTE) is still there.
notes_true() {
    local name=$1 needed=$2 bad
    bad=$(false_notes)
    if [ -z "$JSON_INVALID" ] && rc_is 0 && [ -z "$bad" ] &&
        jq -e --arg n "$needed" '[.events[] | select(.layer == "library" and .summary == $n)]
                                 | length > 0' "$OUT" >/dev/null; then
        ok "$name"
    else
        notok "$name" "rc=$RC types: $(tls_types 2>/dev/null)" "false notes: ${bad//$'\n'/; }" \
            "notes: $(jq -r '[.events[] | select(.layer=="library") | .summary] | join("; ")' \
                "$OUT" 2>/dev/null | head -c 600)" "schema: $JSON_INVALID"
    fi
}

trace_json --demo
notes_true "demo (TLS 1.3): no note names a message absent from the ladder" \
    "derived handshake traffic keys"

trace_json "${CA[@]}" --tls1.2 "127.0.0.1:$PORT"
notes_true "openssl TLS 1.2 ECDHE: no note names a message absent from the ladder" \
    "derived session keys from the master secret"
check "openssl TLS 1.2 ECDHE: the key exchange note is there (ServerKeyExchange seen)" eval \
    'types_contain ServerKeyExchange && jq -e "[.events[] | select(.layer==\"library\") |
        .summary | startswith(\"key exchange with\")] | any" "$OUT" >/dev/null'

start_openssl -cert "$PKI/rsa.crt" -key "$PKI/rsa.key"
trace_json "${CA[@]}" --tls1.2 --ciphers TLS_RSA_WITH_AES_128_GCM_SHA256 "127.0.0.1:$PORT"
notes_true "openssl TLS 1.2 RSA key exchange: no note names a message absent from the ladder" \
    "derived session keys from the master secret"
check "openssl TLS 1.2 RSA key exchange: no ServerKeyExchange, no key exchange group note" eval \
    '! types_contain ServerKeyExchange && ! jq -e "[.events[] | select(.layer==\"library\") |
        .summary | startswith(\"key exchange with\")] | any" "$OUT" >/dev/null'

# ---- the docs say what the commands do ----

# claim NAME CONDITION: ok when the condition (a shell string) holds.
claim() { if eval "$2"; then ok "$1"; else notok "$1" "false: $2"; fi; }

# make run is ./hstrace --demo: piped it prints the text ladder (no terminal control), and the
# README says so, and that a terminal gets the interactive view.
"$HSTRACE" --demo 2>&1 | cat >"$WORK/piped.txt"
claim "README: make run opens the interactive view on a terminal, prints the ladder piped" '
    grep -Eq "^run:" "$ROOT/Makefile" && grep -A3 "^run:" "$ROOT/Makefile" | grep -q "hstrace --demo$" &&
    grep -q "ClientHello" "$WORK/piped.txt" && ! grep -q $'"'"'\e\['"'"' "$WORK/piped.txt" &&
    tr "\n" " " <"$ROOT/README.md" | grep -Eq "make run. runs .\./hstrace --demo.: on a terminal that opens the +interactive +view" &&
    tr "\n" " " <"$ROOT/README.md" | grep -Eq "piped .{0,40}it +prints +the +text +ladder"'

claim "README: make deps adds a Debian 13 source pinned at priority 100 (as .ci/deps does)" '
    grep -q "Suites: trixie" "$ROOT/.ci/deps" && grep -q "Pin-Priority: 100" "$ROOT/.ci/deps" &&
    tr "\n" " " <"$ROOT/README.md" | grep -Eq "Debian 13 \(trixie\) apt +source" &&
    tr "\n" " " <"$ROOT/README.md" | grep -Eq "pinned +at +priority +100"'

claim "README: how long make check takes" \
    'tr "\n" " " <"$ROOT/README.md" | grep -Eq "make check. takes about [0-9]+( to [0-9]+)? minutes"'

# captures/README.md on the expired-certificate capture: the alert is as the capture has it.
trace_json -r "$ROOT/captures/fail-verify-expired.pcap"
enc=$(q '[.connections[0].events[] | select(.type == "Alert" and .from == "client") | .encrypted] | first')
row=$(grep 'fail-verify-expired.pcap' "$ROOT/captures/README.md")
claim "captures/README.md: the expired-certificate alert is described as the capture has it" '
    if [ "$enc" = false ]; then
        grep -q plaintext <<<"$row" && ! grep -Eq "sent encrypted|alert, encrypted" <<<"$row"
    else
        [ "$enc" = true ] && ! grep -q plaintext <<<"$row"
    fi'
