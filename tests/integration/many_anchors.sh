#!/usr/bin/env bash
# Several targets share trust anchors: each worker thread loads the CAs once for all of its
# targets (live/anchors.c).  Verification must not change: in one run, targets whose chain
# reaches the CA pass and targets signed by another CA fail, whichever worker traces them;
# and the CA file is read once per worker, not once per target.
. "$(dirname "$0")/../lib.sh"
make_pki

# Two openssl s_server peers: GOOD's chain reaches the test CA, BAD's another CA.
for cert in ec unknown; do
    PORT=$(free_port)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -quiet -cert "$PKI/$cert.crt" \
        -key "$PKI/ec.key"
    wait_port "$PORT"
    [ "$cert" = ec ] && GOOD=localhost:$PORT || BAD=localhost:$PORT
done

# Six targets, good and bad in turn, traced by two workers.
LIST=("$GOOD" "$BAD" "$GOOD" "$BAD" "$GOOD" "$BAD")
run() {
    OUT=$WORK/out-$RANDOM
    "$HSTRACE" --json --jobs 2 "$@" "${LIST[@]}" >"$OUT" 2>"$OUT.err"
    RC=$?
}
# The documents' results in input order ("ok/true", "verify/false": the result, else the
# stage that failed, and whether the certificate verified), one line.
results() { jq -r '"\(.error.stage // .result)/\(.certificate.verified)"' "$OUT" | tr '\n' ' '; }
expect() { # NAME WANTED-RESULTS
    if [ "$(results)" = "$2" ]; then ok "$1"; else
        notok "$1" "rc=$RC got: $(results)" "wanted: $2" "stderr: $(head -c 300 "$OUT.err")"
    fi
}

run --cafile "$PKI/ca.crt"
expect "--cafile CA, --jobs 2: the CA's chains verify, another CA's fail, in one run" \
    "ok/true verify/false ok/true verify/false ok/true verify/false "
[ "$RC" = 5 ] && ok "--cafile CA, --jobs 2: exit status 5 (verification failed)" ||
    notok "--cafile CA, --jobs 2: exit status 5 (verification failed)" "rc=$RC"
if [ "$(jq -r 'select(.error.stage == "verify") | .error.message' "$OUT" | grep -c 'unknown CA')" = 3 ]; then
    ok "--cafile CA: every refused target says unknown CA"
else
    notok "--cafile CA: every refused target says unknown CA" "$(jq -c .error "$OUT" | head -3)"
fi

# The other way round: only the other CA is trusted.
run --cafile "$PKI/other-ca.crt"
expect "--cafile the other CA: the roles swap" \
    "verify/false ok/true verify/false ok/true verify/false ok/true "

# A large bundle (the system's, when there is one) with the CA inside.
cat /etc/ssl/certs/ca-certificates.crt "$PKI/ca.crt" >"$WORK/bundle.pem" 2>/dev/null
run --cafile "$WORK/bundle.pem"
expect "--cafile of $(grep -c 'BEGIN CERTIFICATE' "$WORK/bundle.pem") certificates: same results" \
    "ok/true verify/false ok/true verify/false ok/true verify/false "

# --capath: a directory holding only the other CA.
mkdir -p "$WORK/capath"
cp "$PKI/other-ca.crt" "$WORK/capath/"
run --capath "$WORK/capath"
expect "--capath of the other CA: its chains verify, the CA's fail" \
    "verify/false ok/true verify/false ok/true verify/false ok/true "

# A CA file that cannot be read stays a usage error for every target.
run --cafile "$WORK/missing.pem"
if [ "$RC" = 2 ] && [ "$(jq -r .error.stage "$OUT" | sort -u)" = usage ] &&
    [ "$(jq -r .result "$OUT" | wc -l)" = 6 ]; then
    ok "a missing --cafile: every target is a usage error (exit 2)"
else
    notok "a missing --cafile: every target is a usage error (exit 2)" "rc=$RC $(results)"
fi

# Loaded once per worker: two workers open the CA file at most twice for six targets.
if command -v strace >/dev/null && strace -qq -o /dev/null true 2>/dev/null; then
    OUT=$WORK/strace-out
    strace -f -qq -e trace=open,openat -o "$WORK/strace" "$HSTRACE" --json --jobs 2 \
        --cafile "$PKI/ca.crt" "${LIST[@]}" >"$OUT" 2>/dev/null
    opens=$(grep -c "\"$PKI/ca.crt\"" "$WORK/strace")
    if [ "$opens" -ge 1 ] && [ "$opens" -le 2 ] && [ "$(jq -r .result "$OUT" | wc -l)" = 6 ]; then
        ok "the CA file is read once per worker ($opens times for 6 targets, --jobs 2)"
    else
        notok "the CA file is read once per worker" "opened $opens times for 6 targets"
    fi
else
    skip "the CA file is read once per worker" "strace missing or not permitted here"
fi
