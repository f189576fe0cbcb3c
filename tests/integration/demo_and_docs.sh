#!/usr/bin/env bash
# The offline demo, the text ladder's safety, the man page and the help text.
. "$(dirname "$0")/../lib.sh"

trace_json --demo
check "--demo: a full verified TLS 1.3 handshake offline" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.3" ] && jq_true .certificate.verified &&
    tls_types | grep -Eq "^ClientHello ServerHello (ChangeCipherSpec )?EncryptedExtensions Certificate CertificateVerify Finished (ChangeCipherSpec )?Finished"'

"$HSTRACE" --demo --color never >"$WORK/demo.txt" 2>&1
RC=$?
check "--demo text ladder: lanes, arrows, header and footer" eval '
    rc_is 0 && grep -q Client "$WORK/demo.txt" && grep -q Server "$WORK/demo.txt" &&
    grep -q ClientHello "$WORK/demo.txt" && grep -q "TLS 1.3" "$WORK/demo.txt" &&
    grep -qi "total" "$WORK/demo.txt"'
check "--demo text has no control characters" eval '! LC_ALL=C grep -q "[[:cntrl:]]" <(tr -d "\n" <"$WORK/demo.txt")'

"$HSTRACE" --demo --ascii --color never >"$WORK/ascii.txt" 2>&1
RC=$?
check "--ascii output is pure ASCII" eval 'rc_is 0 && ! LC_ALL=C grep -q "[^ -~]" <(tr -d "\n" <"$WORK/ascii.txt")'

if command -v mandoc >/dev/null; then
    lint=$(mandoc -Tlint -W warning man/hstrace.1 2>&1)
    RC=$?
    check "man page passes mandoc -Tlint" eval '[ -z "$lint" ]'
else
    skip "man page lint" "mandoc not installed"
fi

missing=""
for o in $("$HSTRACE" --help | grep -oE -- '--[a-z][a-z0-9.-]+' | sort -u); do
    grep -qF -- "$o" <(sed 's/\\-/-/g' man/hstrace.1) || missing+=" $o(man)"
    grep -qF -- "$o" README.md || missing+=" $o(README)"
done
RC=0
check "every --help option is in the man page and README" eval '[ -z "$missing" ] || { echo "# missing:$missing"; false; }'

"$HSTRACE" >/dev/null 2>&1; RC=$?
check "no target: usage error, exit 2" rc_is 2
"$HSTRACE" --bogus x >/dev/null 2>&1; RC=$?
check "unknown option: exit 2" rc_is 2
"$HSTRACE" "[::1" >/dev/null 2>&1; RC=$?
check "malformed target: exit 2" rc_is 2
