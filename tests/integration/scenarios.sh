#!/usr/bin/env bash
# The demo's scenarios (--demo NAME), all offline against the built-in server: for each, the
# exit code and the exact sequence of TLS messages (who sent what), the TCP rows around them,
# and what the scenario is about (the group of a HelloRetryRequest, the resumed session, the
# alert); --demo list, an unknown scenario, and the scenarios in --help, the man page and the
# README.
. "$(dirname "$0")/../lib.sh"

# rows [PATH]: "from:type" of every TLS row of the document at PATH (default: the top), one line.
rows() { jq -r "[${1:-}.events[] | select(.layer==\"tls\") | .from + \":\" + .type] | join(\" \")" "$OUT"; }
# side WHO: the rows WHO sent, in order (the compatibility ChangeCipherSpec the server sends
# after a HelloRetryRequest may be read after the client's answer: each side's order is fixed,
# the interleaving of two flights in flight at once is not).
side() { rows | tr " " "\n" | grep "^$1:" | tr "\n" " " | sed "s/ $//"; }
# rows_to_alert: the TLS rows up to and including the first alert.
rows_to_alert() { rows | sed 's/\(:Alert\).*/\1/'; }
# alert_is WHO DESCRIPTION: the first alert was sent by WHO with that description.
alert_is() {
    [ "$(q "[.events[] | select(.type==\"Alert\")][0] | .from + \" \" + .fields.level + \" \" + .fields.description")" = "$1 fatal $2" ]
}
# same WANT GOT: says the difference when they are not equal.
same() { [ "$1" = "$2" ] || { echo "#   want: $1"; echo "#   got:  $2"; false; }; }

TLS13_FULL="client:ClientHello server:ServerHello server:ChangeCipherSpec server:EncryptedExtensions server:Certificate server:CertificateVerify server:Finished client:ChangeCipherSpec client:Finished"
CLOSE="client:Alert server:Alert"
# A refused certificate: the client's alert comes once it has read the Certificate; the rest
# of the server's flight (CertificateVerify, Finished) may be read before or after it, and
# the server's answer to a plaintext alert is a record the client has no key for.
CERT_FAIL="client:ClientHello server:ServerHello server:ChangeCipherSpec server:EncryptedExtensions server:Certificate client:Alert"
CERT_FAIL_ALL="$CERT_FAIL server:CertificateVerify server:Finished"
# (the server's own alert, under application keys the client never derived, may arrive
# before the close or not: an encrypted ApplicationData row from the server is left out)
sorted() { tr " " "\n" | grep -v "^server:ApplicationData$" | sort | tr "\n" " "; }

trace_json --demo tls13
check "tls13: exit 0, the TLS 1.3 handshake, a ticket, close_notify both ways" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.3" ] &&
    same "$TLS13_FULL server:NewSessionTicket $CLOSE" "$(rows)"'

trace_json --demo tls12
check "tls12: exit 0, ECDHE with ServerKeyExchange, two round trips" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] && q .tls.cipher_suite | grep -q "^TLS_ECDHE_ECDSA_" &&
    same "client:ClientHello server:ServerHello server:Certificate server:ServerKeyExchange server:ServerHelloDone client:ClientKeyExchange client:ChangeCipherSpec client:Finished server:ChangeCipherSpec server:Finished $CLOSE" "$(rows)"'

# The classic twelve steps, exactly, then the closing alerts and FINs (whose order between the
# two directions depends on scheduling: compared as a set, the client's alert first).
TWELVE="client:SYN server:SYN-ACK client:ACK client:ClientHello server:ServerHello server:Certificate server:ServerHelloDone client:ClientKeyExchange client:ChangeCipherSpec client:Finished server:ChangeCipherSpec server:Finished"
trace_json --demo tls12-rsa
all_rows() { q '[.events[] | select(.layer=="tls" or .layer=="tcp") | .from + ":" + .type] | .[:12] | join(" ")'; }
# (unique: a FIN retransmitted on a loaded machine is a second row)
closing() { q '[.events[] | select(.layer=="tls" or .layer=="tcp") | .from + ":" + .type] | .[12:] | unique | join(" ")'; }
if jq -e '[.events[] | select(.layer=="tcp" and .inferred)] | length > 0' "$OUT" >/dev/null; then
    WANT_CLOSE="client:Alert server:Alert" # no capture here: the SYN rows are inferred, no FIN rows
else
    WANT_CLOSE="client:Alert client:FIN server:Alert server:FIN"
fi
check "tls12-rsa: exit 0, RSA key exchange with an RSA 2048 certificate" eval '
    rc_is 0 && [ "$(q .tls.cipher_suite)" = TLS_RSA_WITH_AES_128_GCM_SHA256 ] &&
    [ "$(q .certificate.chain[0].public_key)" = "RSA 2048" ] && [ "$(q .tls.group)" = null ]'
check "tls12-rsa: exactly the twelve steps, then the closing alerts and FINs" eval '
    same "$TWELVE" "$(all_rows)" && same "$WANT_CLOSE" "$(closing)" &&
    same "client:Alert server:Alert" "$(rows | grep -o "[a-z]*:Alert" | tr "\n" " " | sed "s/ $//")"'

trace_json --demo hrr
check "hrr: exit 0, HelloRetryRequest for secp256r1, a second ClientHello with that share" eval '
    rc_is 0 && [ "$(q .tls.group)" = secp256r1 ] &&
    q "[.events[] | select(.type==\"HelloRetryRequest\")][0].summary" | grep -q secp256r1 &&
    q "[.events[] | select(.type==\"ClientHello\")][0].summary" | grep -q "key_share x25519" &&
    q "[.events[] | select(.type==\"ClientHello\")][1].summary" | grep -q "key_share secp256r1" &&
    same "client:ClientHello server:HelloRetryRequest" "$(rows | cut -d" " -f1-2)" &&
    same "server:HelloRetryRequest server:ChangeCipherSpec server:ServerHello server:EncryptedExtensions server:Certificate server:CertificateVerify server:Finished server:Alert" "$(side server)" &&
    same "client:ClientHello client:ChangeCipherSpec client:ClientHello client:Finished client:Alert" "$(side client)"'

trace_json --demo resumption
check "resumption: exit 0, two connections, the second resumed without a certificate" eval '
    rc_is 0 && [ "$(q ".connections | length")" = 2 ] &&
    [ "$(q "[.connections[].connection] | join(\",\")")" = 1,2 ] &&
    [ "$(q .connections[0].tls.resumed)" = false ] && [ "$(q .connections[1].tls.resumed)" = true ] &&
    same "$TLS13_FULL server:NewSessionTicket $CLOSE" "$(rows ".connections[0]")" &&
    same "client:ClientHello server:ServerHello server:ChangeCipherSpec server:EncryptedExtensions server:Finished client:ChangeCipherSpec client:Finished server:NewSessionTicket $CLOSE" "$(rows ".connections[1]")"'
check "resumption: the demo object says the time saved" eval '
    [ "$(q .demo.scenario)" = resumption ] && [ "$(q .demo.resumed)" = true ] &&
    [ "$(q ".demo.saved_ms | type")" = number ] &&
    [ "$(q "(.connections[0].timing.tls_ms - .connections[1].timing.tls_ms - .demo.saved_ms) | fabs < 0.01")" = true ] &&
    [ "$(q .source.file)" = "--demo resumption" ] && [ "$(q .source.tls_connections)" = 2 ]'
run_text --demo resumption --plain --color never
check "resumption text: two ladders as -r prints them, and the time saved" eval '
    rc_is 0 && [ "$(grep -c "connection [12]: 127.0.0.1:" "$OUT")" = 2 ] &&
    grep -q "the second resumed the first one.s session: TLS [0-9.]* ms → [0-9.]* ms, -\?[0-9.]* ms saved" "$OUT"'
run_text --demo resumption -w "$WORK/two.pcap"
check "resumption with -w: a usage error (one connection per file)" eval 'rc_is 2 && [ ! -e "$WORK/two.pcap" ]'

trace_json --demo mtls
check "mtls: exit 0, CertificateRequest, the client's Certificate and CertificateVerify" eval '
    rc_is 0 &&
    same "client:ClientHello server:ServerHello server:ChangeCipherSpec server:EncryptedExtensions server:CertificateRequest server:Certificate server:CertificateVerify server:Finished client:ChangeCipherSpec client:Certificate client:CertificateVerify client:Finished $CLOSE" "$(rows)" &&
    [ "$(q "[.events[] | select(.type==\"Certificate\" and .from==\"client\")][0].fields.count")" = 1 ]'

# cert_case NAME ALERT REASON: the client refuses the certificate (exit 5) with ALERT.
cert_case() {
    ALERT=$2 REASON=$3
    trace_json --demo "$1"
    check "$1: exit 5, the client sends fatal $2 after the server's flight" eval '
        rc_is 5 && [ "$(q .error.stage)" = verify ] && q .error.message | grep -q "$REASON" &&
        alert_is client "$ALERT" &&
        same "$CERT_FAIL" "$(rows_to_alert | sed "s/ server:\(CertificateVerify\|Finished\)//g")" &&
        same "$(sorted <<<"$CERT_FAIL_ALL")" "$(rows | sorted)"'
}
cert_case expired certificate_expired "expired on"
cert_case wrong-name bad_certificate "does not match the certificate (DNS:wrong.example)"
cert_case unknown-ca unknown_ca "unknown CA"

trace_json --demo version-mismatch
check "version-mismatch: exit 1, the server answers a TLS 1.2 hello with protocol_version" eval '
    rc_is 1 && [ "$(q .error.stage)" = tls ] && alert_is server protocol_version &&
    q "[.events[] | select(.type==\"ClientHello\")][0].summary" | grep -q "^TLS 1.2" &&
    same "client:ClientHello server:Alert" "$(rows)"'

trace_json --demo no-shared-cipher
check "no-shared-cipher: exit 1, handshake_failure" eval '
    rc_is 1 && [ "$(q .error.stage)" = tls ] && alert_is server handshake_failure &&
    same "client:ClientHello server:Alert" "$(rows)"'

# 0-RTT needs MBEDTLS_SSL_EARLY_DATA: without it the scenario is listed as unavailable and
# asking for it is a usage error saying why.
if grep -q '^#define MBEDTLS_SSL_EARLY_DATA' /usr/include/mbedtls/mbedtls_config.h 2>/dev/null; then
    skip "early-data" "this mbedTLS has 0-RTT, which the demo does not run yet"
else
    trace_json --demo early-data
    check "early-data: unavailable here, a usage error saying why" eval '
        rc_is 2 && [ "$(q .error.stage)" = usage ] && q .error.message | grep -q "MBEDTLS_SSL_EARLY_DATA" &&
        "$HSTRACE" --demo list | grep -q "^early-data .*unavailable"'
fi

# The list: one line per scenario, its name and a lesson; exit 0.
run_text --demo list
NAMES="tls13 tls12 tls12-rsa hrr resumption mtls expired wrong-name unknown-ca version-mismatch no-shared-cipher early-data"
check "--demo list: every scenario with a lesson, exit 0" eval '
    rc_is 0 && [ "$(awk "{print \$1}" "$OUT" | tr "\n" " " | sed "s/ $//")" = "$NAMES" ] &&
    awk "NF < 4 { bad = 1 } END { exit bad }" "$OUT"'

# all_named FILE: every scenario name is in FILE.
all_named() {
    local n
    for n in $NAMES; do grep -q -- "$n" "$1" || return 1; done
}
run_text --demo no-such-thing
check "--demo with an unknown scenario: usage error naming the scenarios" eval '
    rc_is 2 && grep -q "unknown demo scenario .no-such-thing." "$OUT.err" &&
    all_named "$OUT.err"'
trace_json --demo no-such-thing
check "--demo with an unknown scenario under --json: the usage document" eval '
    rc_is 2 && [ "$(q .error.stage)" = usage ]'
run_text --demo tls12 tls13
check "--demo takes one scenario" eval 'rc_is 2 && grep -q "one scenario" "$OUT.err"'

missing=""
for n in $NAMES; do
    "$HSTRACE" --help | grep -qw -- "$n" || missing+=" $n(help)"
    sed 's/\\-/-/g' man/hstrace.1 | grep -q -- "^\.It Cm $n\$" || missing+=" $n(man)"
    grep -q -- "^| \`$n\` |" README.md || missing+=" $n(README)"
done
check "every scenario is in --help, the man page and the README" eval '[ -z "$missing" ] || { echo "# missing:$missing"; false; }'

# A resumed handshake sends no certificate: the header says whose verdict it shows.
run_text --demo resumption --plain
check "resumption: the second header does not claim a certificate it never saw" eval '
    rc_is 0 && grep -q "resumed · certificate verified when the session was made (none sent on resumption)" "$OUT" &&
    [ "$(grep -c "· certificate verified$" "$OUT")" = 1 ]'

# After the server's Finished was read, its next record is not its handshake flight again.
trace_json --demo expired
check "expired: the server's record after its Finished is not named EncryptedHandshake" eval '
    rc_is 5 && [ -z "$(q ".events[] | select(.type == \"EncryptedHandshake\") | .type")" ]'
