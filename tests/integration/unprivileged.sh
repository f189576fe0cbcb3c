#!/usr/bin/env bash
# Without capture permission the TCP rows are inferred from connect() timing, marked so, with a
# hint on how to allow capture.
. "$(dirname "$0")/../lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    skip "unprivileged capture fallback" "needs root to drop to nobody"
    exit 0
fi
chmod 755 "$WORK"
OUT=$WORK/nobody.json
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$HSTRACE" --json --demo >"$OUT" 2>"$OUT.err"
RC=$?
JSON_INVALID=""
python3 "$VALIDATE" "$SCHEMA" "$OUT" >/dev/null 2>&1 || JSON_INVALID="schema"
check "no CAP_NET_RAW: inferred TCP rows and a hint" eval '
    rc_is 0 && [ "$(q "[.events[] | select(.layer==\"tcp\" and .inferred)] | length")" -ge 3 ] &&
    q .hint | grep -q setcap'
