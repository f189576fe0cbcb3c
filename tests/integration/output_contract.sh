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
usage_doc "--json with two targets: the usage document" 127.0.0.1 127.0.0.2
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
