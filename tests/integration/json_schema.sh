#!/usr/bin/env bash
# The JSON contract: the schema is valid and names the version the program writes; it is
# complete where it says so (a document with a key it does not know, anywhere, is refused);
# every name of a registry value has its number beside it, the same for live traces and
# captures; and the run-wide check of lib.sh (json_audit) catches a document that breaks it.
# Peers: the built-in demo server; the goldens in captures/.
. "$(dirname "$0")/../lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# ---- the schema and schema_version ----
code_version=$(sed -n 's/^#define HS_JSON_SCHEMA_VERSION "\(.*\)"$/\1/p' "$ROOT/src/view/view.h")
schema_version=$(jq -r '."$defs".schema_version.const' "$SCHEMA")
if python3 -c 'import json,sys
from jsonschema import Draft202012Validator
Draft202012Validator.check_schema(json.load(open(sys.argv[1])))' "$SCHEMA" 2>"$WORK/check.err" &&
    [ -n "$code_version" ] && [ "$code_version" = "$schema_version" ]; then
    ok "the schema is valid draft 2020-12 and describes schema_version $code_version, the program's"
else
    notok "the schema is valid draft 2020-12 and describes the program's schema_version" \
        "code: '$code_version' schema: '$schema_version'" "$(head -c 300 "$WORK/check.err")"
fi

trace_json --demo tls12
LIVE=$OUT
check "a live document starts with hstrace and schema_version" eval \
    '[ "$(jq -r "keys_unsorted[0:2] | join(\",\")" "$LIVE")" = "hstrace,schema_version" ] &&
     [ "$(q .schema_version)" = "$code_version" ]'
trace_json -r "$ROOT/captures/tls13-hrr.pcap" --keylog "$ROOT/captures/tls13-hrr.keys"
CAPTURE=$OUT
check "a capture document starts with hstrace and schema_version, not repeated per connection" \
    eval '[ "$(jq -r "keys_unsorted[0:2] | join(\",\")" "$CAPTURE")" = "hstrace,schema_version" ] &&
          [ "$(jq "[.connections[] | has(\"schema_version\")] | any" "$CAPTURE")" = false ]'
trace_json --demo resumption
check "a demo scenario document has schema_version too" eval \
    '[ "$(q .schema_version)" = "$code_version" ] && [ "$(q ".connections | length")" = 2 ]'
trace_json --bogus-option
check "a usage-error document has schema_version too" eval \
    'rc_is 2 && [ "$(q .schema_version)" = "$code_version" ]'

# ---- completeness: an unknown key anywhere is refused ----
# doctored NAME DOC JQ-EDIT: the edited document must fail validation (the untouched passes).
doctored() {
    local name=$1 doc=$2 edit=$3 bad=$WORK/doctored.json
    if ! jq "$edit" "$doc" >"$bad" 2>"$WORK/jq.err"; then
        notok "$name" "jq: $(head -c 200 "$WORK/jq.err")"
    elif python3 "$VALIDATE" "$SCHEMA" "$bad" >"$bad.out" 2>&1; then
        notok "$name" "the doctored document validated"
    elif ! python3 "$VALIDATE" "$SCHEMA" "$doc" >/dev/null 2>&1; then
        notok "$name" "the untouched document does not validate either"
    else
        ok "$name ($(head -n 1 "$bad.out" | cut -c1-90))"
    fi
}
first() { printf '(.events | map(.type == "%s") | index(true)) as $i | .events[$i]' "$1"; }
doctored "refused: an unknown top-level key" "$LIVE" '.extra = 1'
doctored "refused: an unknown key in tls" "$LIVE" '.tls.extra = 1'
doctored "refused: an unknown key in an event" "$LIVE" '.events[0].extra = 1'
doctored "refused: an unknown key in a TCP row's fields" "$LIVE" '.events[0].fields.extra = 1'
doctored "refused: an unknown key in ClientHello fields" "$LIVE" "$(first ClientHello).fields.extra = 1"
doctored "refused: an unknown key in an extension" "$LIVE" "$(first ClientHello).fields.extensions[0].extra = 1"
doctored "refused: a key_share key in supported_versions" "$LIVE" \
    "$(first ClientHello).fields.extensions |= map(if .type == \"supported_versions\" then .shares = [] else . end)"
doctored "refused: content in an extension hstrace does not decode" "$LIVE" \
    "$(first ClientHello).fields.extensions += [{type: \"unknown(64000)\", id: 64000, length: 1, value: 1}]"
doctored "refused: a ClientHello without cipher_suite_ids" "$LIVE" "del($(first ClientHello).fields.cipher_suite_ids)"
doctored "refused: an id that is not a number" "$LIVE" "$(first ServerHello).fields.cipher_suite_id = \"4865\""
doctored "refused: an unknown key in ServerKeyExchange fields" "$LIVE" "$(first ServerKeyExchange).fields.extra = 1"
doctored "refused: an unknown key in a certificate of the chain" "$LIVE" '.certificate.chain[0].extra = 1'
doctored "refused: an unknown key in a library note" "$LIVE" \
    '(.events | map(.type == "note") | index(true)) as $i | .events[$i].fields.extra = 1'
doctored "refused: another schema_version" "$LIVE" '.schema_version = "2.0"'
doctored "refused: an unknown key in a capture connection" "$CAPTURE" '.connections[0].extra = 1'
doctored "refused: an unknown key in a capture's source" "$CAPTURE" '.source.extra = 1'
doctored "refused: an unknown key in HelloRetryRequest fields" "$CAPTURE" \
    '.connections[0] |= ((.events | map(.type == "HelloRetryRequest") | index(true)) as $i | .events[$i].fields.extra = 1)'

# Encrypted Client Hello and hybrid key shares (the Go captures' goldens): closed as well, and
# the decrypted inner hello is held to the ClientHello's definition.
ECH_OK=$ROOT/captures/go-ech-accepted.json
ECH_REJ=$ROOT/captures/go-ech-rejected.json
ch0='.connections[0] |= ((.events | map(.type == "ClientHello") | index(true)) as $i | .events[$i]'
ext_in() { printf '.extensions |= map(if .type == "%s" then %s else . end)' "$1" "$2"; }
doctored "refused: an unknown key in the connection's ech object" "$ECH_OK" '.connections[0].ech.extra = 1'
doctored "refused: an unknown key in client_hello_inner" "$ECH_OK" "$ch0.fields.client_hello_inner.extra = 1)"
doctored "refused: a client_hello_inner without cipher_suite_ids (a ClientHello's rules)" "$ECH_OK" \
    "$ch0.fields.client_hello_inner |= del(.cipher_suite_ids))"
doctored "refused: a client_hello_inner inside client_hello_inner" "$ECH_OK" \
    "$ch0 |= (.fields.client_hello_inner.client_hello_inner = .fields.client_hello_inner))"
doctored "refused: an unknown key in the outer encrypted_client_hello" "$ECH_OK" \
    "$ch0.fields |= ($(ext_in encrypted_client_hello '.extra = 1')))"
doctored "refused: an unknown key in a hybrid key share's parts" "$ECH_OK" \
    "$ch0.fields |= ($(ext_in key_share '.shares[0].parts[0].extra = 1')))"
doctored "refused: an unknown key in a retry config" "$ECH_REJ" \
    '.connections[0] |= ((.events | map(.type == "EncryptedExtensions") | index(true)) as $i
     | .events[$i].fields.extensions[0].retry_configs[0].cipher_suites[0].extra = 1)'
# ech_outer_extensions is seen only when sent in the clear (no peer does): the shape the decoder
# writes (tests/unit/test_ech.c) is accepted, another key is not.
outer='{type: "ech_outer_extensions", id: 64768, length: 5,
        outer_extensions: ["supported_versions", "supported_groups"], outer_extension_ids: [43, 10]}'
jq "$ch0.fields.extensions += [$outer])" "$ECH_OK" >"$WORK/outer.json"
check "ech_outer_extensions in the clear: its outer_extensions and ids validate" \
    python3 "$VALIDATE" "$SCHEMA" "$WORK/outer.json"
doctored "refused: an unknown key in ech_outer_extensions" "$WORK/outer.json" \
    "$ch0.fields.extensions[-1].extra = 1)"

# ---- the numbers beside the names ----
# Every name list has its id list of the same length, and a name means one number everywhere.
ids_consistent() {
    python3 - "$@" <<'PY'
import json, sys
seen, bad, pairs = {}, [], 0
def walk(o, where):
    global pairs
    if isinstance(o, dict):
        for k, v in o.items():
            if k.endswith("_ids") and isinstance(v, list):
                names = o.get(k[:-4] + "s") if k[:-4] + "s" in o else o.get(k[:-4])
                if k == "cipher_spec_ids":
                    names = o.get("cipher_specs")
                if not isinstance(names, list) or len(names) != len(v):
                    bad.append("%s: %s has no name list of its length" % (where, k))
                else:
                    for n, i in zip(names, v):
                        pairs += 1
                        if seen.setdefault((k, n), i) != i:
                            bad.append("%s: %s %s is %s and %s" % (where, k, n, i, seen[(k, n)]))
            elif k.endswith("_id") and k[:-3] in o:
                pairs += 1
                if seen.setdefault((k + "s", o[k[:-3]]), o[k]) != o[k]:
                    bad.append("%s: %s %s is %s" % (where, k, o[k[:-3]], o[k]))
            walk(v, where)
    elif isinstance(o, list):
        for v in o:
            walk(v, where)
for path in sys.argv[1:]:
    walk(json.load(open(path)), path.rsplit("/", 1)[-1])
print("%d name/number pairs" % pairs)
for b in bad[:10]:
    print(b)
sys.exit(1 if bad or pairs == 0 else 0)
PY
}
if report=$(ids_consistent "$ROOT"/captures/*.json "$LIVE" "$CAPTURE" 2>&1); then
    ok "each name list has its id list, and a name has one number in every document ($report)"
else
    notok "each name list has its id list, and a name has one number in every document" "$report"
fi

# Live and capture: the same handshake, written with -w and read back, has the same fields.
"$HSTRACE" --demo tls12 -w "$WORK/demo.pcapng" --json >"$WORK/live.json" 2>"$WORK/live.err"
"$HSTRACE" -r "$WORK/demo.pcapng" --json >"$WORK/read.json" 2>"$WORK/read.err"
same=$(jq -n --slurpfile a "$WORK/live.json" --slurpfile b "$WORK/read.json" '
    def hellos: [.events[] | select(.type == "ClientHello" or .type == "ServerHello"
                 or .type == "ServerKeyExchange" or .type == "CertificateVerify") | .fields];
    ($a[0] | hellos) as $l | ($b[0].connections[0] | hellos) as $r
    | ($l | length) >= 3 and $l == $r' 2>&1)
if [ "$same" = true ]; then
    ok "live and capture give the same fields, ids included (--demo tls12 -w, then -r)"
else
    notok "live and capture give the same fields, ids included" "$same" \
        "$(head -c 200 "$WORK/live.err" "$WORK/read.err")"
fi

# ---- the other features' keys are closed too: --http, --reconnect, QUIC in captures ----
trace_json --demo --http
HTTP=$OUT
check "--demo --http validates, with http rows" eval \
    '[ "$(q ".events | map(select(.fields.http_kind)) | length")" -ge 2 ]'
doctored "refused: an unknown key in the http object" "$HTTP" '.http.extra = 1'
doctored "refused: an unknown key in an HTTP application data row" "$HTTP" \
    '(.events | map(.fields.http_kind != null) | index(true)) as $i | .events[$i].fields.extra = 1'
doctored "refused: an http_kind that is neither request nor response" "$HTTP" \
    '(.events | map(.fields.http_kind != null) | index(true)) as $i | .events[$i].fields.http_kind = "push"'
trace_json --demo --reconnect
doctored "refused: an unknown key in the reconnect object" "$OUT" '.reconnect.extra = 1'
QUIC=$ROOT/captures/quic-retry.json
doctored "refused: an unknown key in the quic object" "$QUIC" '.connections[0].quic.extra = 1'
doctored "refused: an unknown key in a QUIC packet row's fields" "$QUIC" \
    '.connections[0].events[0].fields.extra = 1'
doctored "refused: a QUIC version_id that is not a number" "$QUIC" \
    '.connections[0].events[0].fields.version_id = "1"'
doctored "refused: an unknown key in a transport parameter" "$QUIC" \
    '.connections[0] |= ((.events | map(.type == "ClientHello") | index(true)) as $i | .events[$i].fields.extensions |= map(if .type == "quic_transport_parameters" then .parameters[0].extra = 1 else . end))'
doctored "refused: an unknown layer" "$LIVE" '.events[0].layer = "udp"'

# ---- lib.sh's json_audit: every --json output written to a file is checked ----
audit_run() { # DOCTOR(0/1): a script that writes a --json document, doctored or not
    NO_JSON_AUDIT='' HSTRACE=$HSTRACE_BIN bash -c '. tests/lib.sh
        "$HSTRACE" --demo --json >"$WORK/a.json" 2>/dev/null
        [ "$1" = 1 ] && jq ".events[0].fields.extra = 1" "$WORK/a.json" >"$WORK/b" && cat "$WORK/b" >"$WORK/a.json"
        true' audit "$1" 2>&1
}
good=$(cd "$ROOT" && audit_run 0)
bad=$(cd "$ROOT" && audit_run 1)
if grep -q '^ok - audit: every --json document' <<<"$good" &&
    grep -q '^not ok - audit: every --json document' <<<"$bad" && grep -q "'extra' was unexpected" <<<"$bad"; then
    ok "json_audit: a script's --json outputs are checked at its end, a doctored one fails"
else
    notok "json_audit: a script's --json outputs are checked at its end" "good: $good" "bad: $bad"
fi
