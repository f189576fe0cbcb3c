#!/usr/bin/env bash
# The projector: the text ladder at 80 columns (summaries wrapped under their column, never
# cut, no line wider than the screen), --notes none|short|all, the round-trip labels (TLS 1.3
# one, TLS 1.2 two) in the text and the JSON, and --compare / --demo compare.
. "$(dirname "$0")/../lib.sh"

# on_tty COLS CMD...: runs CMD on a terminal COLS wide (script(1) gives it a pty); OUT, RC.
on_tty() {
    local cols=$1
    shift
    OUT=$WORK/tty-$RANDOM.txt
    JSON_INVALID=""
    TERM=xterm script -qec "stty cols $cols rows 50; $(printf '%q ' env "$@")" /dev/null \
        </dev/null | tr -d '\r' >"$OUT"
    RC=${PIPESTATUS[0]}
}

# The longest line of a text ladder, in columns (not the capture's own "── file ──" lines).
widest() {
    python3 -c 'import sys; print(max((len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")
                                      if not l.startswith("── ")), default=0))' "$1"
}

# The summaries of a text ladder, one per row, wrapped lines joined, spaces dropped.
summaries() {
    python3 - "$1" <<'PY'
import re, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.rstrip("\n")
    if re.match(r"^ *-?[0-9]+(\.[0-9]+)? [│|]", line):
        rows.append(line[44:])
    elif rows and re.match(r"^ {10}[│|] {30}[│|]  \S", line):
        rows[-1] += line[44:]
for r in rows:
    print(r.replace(" ", ""))
PY
}

if ! command -v script >/dev/null; then
    skip "80 columns" "no script(1)"
else
    # ---- 80 columns: a capture, the same rows as in a pipe (unlimited width) ----
    cap=$PWD/captures/tls12-ecdhe-ecdsa.pcapng
    run_text -r "$cap" --plain --color never
    WIDE=$OUT
    on_tty 80 "$HSTRACE" -r "$cap" --plain --color never
    if [ "$RC" -eq 0 ] && [ "$(widest "$OUT")" -le 80 ] && [ "$(widest "$WIDE")" -gt 80 ]; then
        ok "80 columns: no line wider than the terminal (the pipe's are: $(widest "$WIDE"))"
    else
        notok "80 columns: no line wider than the terminal" "rc=$RC widest $(widest "$OUT")"
    fi
    if [ "$(summaries "$OUT" | wc -l)" -gt 10 ] && [ "$(summaries "$OUT")" = "$(summaries "$WIDE")" ] &&
        grep -qE '^ {10}│ {30}│  \S' "$OUT"; then
        ok "80 columns: every summary whole, wrapped under its column"
    else
        notok "80 columns: every summary whole, wrapped under its column" \
            "$(diff <(summaries "$WIDE") <(summaries "$OUT") | head -5)"
    fi
    if ! grep -qE '^ {10}[│|] {30}[│|]  \S' "$WIDE"; then
        ok "pipe: nothing wrapped"
    else
        notok "pipe: nothing wrapped" "$(grep -m2 -E '^ {10}│ {30}│  \S' "$WIDE")"
    fi

    # ---- compare at 80 and at 170 columns ----
    on_tty 80 "$HSTRACE" --demo compare --plain --color never
    if [ "$RC" -eq 0 ] && [ "$(widest "$OUT")" -le 80 ] && grep -q '^── TLS 1.2 ──$' "$OUT" &&
        grep -q '^── TLS 1.3 ──$' "$OUT"; then
        ok "--demo compare at 80 columns: one above the other, no line wider than 80"
        grep -qE "^  TLS 1\.3 against 1\.2: -1 round trip, [+-][0-9.]+ ms$" "$OUT" &&
            ok "--demo compare at 80 columns: the comparing line wrapped between its items" ||
            notok "--demo compare at 80 columns: the comparing line wrapped" "$(grep -A1 ^compare "$OUT")"
    else
        notok "--demo compare at 80 columns" "rc=$RC widest $(widest "$OUT")" "$(head -3 "$OUT")"
    fi
    on_tty 170 "$HSTRACE" --demo compare --plain --color never
    if [ "$RC" -eq 0 ] && [ "$(widest "$OUT")" -le 170 ] &&
        grep -qE '^── TLS 1\.2 ── +── TLS 1\.3 ──$' "$OUT" &&
        [ "$(grep -oE '│  \[RT [0-9]\]' "$OUT" | wc -l)" = 3 ] && grep -q "^compare: " "$OUT"; then
        ok "--demo compare at 170 columns: side by side"
    else
        notok "--demo compare at 170 columns: side by side" "rc=$RC" "$(head -3 "$OUT")"
    fi
fi

# ---- --notes ----
notes_rows() { grep -cE '^ +[0-9.]+ │ ·' "$OUT"; }
message_rows() { grep -cE '^ +[0-9.]+ │[^ ]' "$OUT"; }
declare -A NOTES MSGS
for n in all short none; do
    run_text --demo --plain --notes "$n"
    NOTES[$n]=$(notes_rows)
    MSGS[$n]=$(message_rows)
    cp "$OUT" "$WORK/notes-$n.txt"
done
# The message rows (times and details cut).  Each mode is its own demo run, so its TCP rows
# may differ by timing alone (a FIN sent again, the two FINs in either order): the TLS rows
# must be the same (in any order), and the same kinds of TCP row must be there.
rows() { sed -nE 's/^ +[0-9.]+ (│[^ ][^│]*│).*/\1/p' "$WORK/notes-$1.txt"; }
TCP_ROW=' (SYN|SYN-ACK|ACK|FIN|RST) '
tls_rows() { rows "$1" | grep -vE "$TCP_ROW" | sort; }
tcp_kinds() { rows "$1" | grep -E "$TCP_ROW" | sort -u; }
same_rows() { # MODE: the same TLS rows and TCP row kinds as --notes all
    [ "$(tls_rows "$1")" = "$(tls_rows all)" ] && [ "$(tcp_kinds "$1")" = "$(tcp_kinds all)" ]
}
if [ "${NOTES[all]}" -gt "${NOTES[short]}" ] && [ "${NOTES[short]}" -ge 4 ] &&
    [ "${NOTES[none]}" -eq 0 ] && [ "$(tls_rows all | wc -l)" -ge 8 ] &&
    same_rows short && same_rows none; then
    ok "--notes: all ${NOTES[all]} > short ${NOTES[short]} > none 0 notes, the same $(tls_rows all | wc -l) TLS messages each"
else
    notok "--notes row counts" \
        "notes: all ${NOTES[all]} short ${NOTES[short]} none ${NOTES[none]}" \
        "messages: all ${MSGS[all]} short ${MSGS[short]} none ${MSGS[none]}" \
        "short vs all: $(diff <(rows all) <(rows short) | grep '^[<>]' | head -4 | tr '\n' ' ')" \
        "none vs all: $(diff <(rows all) <(rows none) | grep '^[<>]' | head -4 | tr '\n' ' ')"
fi
if grep -q 'handshake done' "$WORK/notes-short.txt" && grep -q 'certificate verified' "$WORK/notes-short.txt" &&
    ! grep -q 'reading with' "$WORK/notes-short.txt" && grep -q 'reading with' "$WORK/notes-all.txt"; then
    ok "--notes short: the milestones, not the key switches"
else
    notok "--notes short: the milestones, not the key switches" "$(grep ' · ' "$WORK/notes-short.txt")"
fi
run_text --demo --plain
if [ "$(notes_rows)" -eq "${NOTES[all]}" ]; then ok "--notes all is the default"
else notok "--notes all is the default" "$(notes_rows) against ${NOTES[all]}"; fi
trace_json --demo --notes none
check "--notes none: the JSON keeps the library notes" eval \
    'rc_is 0 && [ "$(q "[.events[] | select(.layer == \"library\")] | length")" -gt 3 ]'
run_text --demo --notes some
check "--notes some: usage error" eval 'rc_is 2 && grep -q "none, short or all" "$OUT.err"'

# ---- round-trip labels ----
rt_labels() { grep -oE '│  \[RT [0-9]+\]' "$OUT" | tr -d ']' | awk '{print $NF}' | tr '\n' ' '; }
run_text --demo --plain
check "TLS 1.3 (demo): one round-trip label, on the ClientHello" eval \
    'rc_is 0 && [ "$(rt_labels)" = "1 " ] && grep -qE "ClientHello.*│  \\[RT 1\\] " "$OUT"'
run_text --demo --tls1.2 --plain
check "TLS 1.2 (demo --tls1.2): two labels, ClientHello and ClientKeyExchange" eval \
    'rc_is 0 && [ "$(rt_labels)" = "1 2 " ] && grep -qE "ClientKeyExchange.*│  \\[RT 2\\] " "$OUT"'
trace_json --demo
check "JSON round_trip (TLS 1.3): 1 on the handshake, null on TCP and notes" eval '
    rc_is 0 && [ "$(q "[.events[].round_trip] | max")" = 1 ] &&
    [ "$(q "[.events[] | select(.type == \"ClientHello\")][0].round_trip")" = 1 ] &&
    [ "$(q "[.events[] | select(.type == \"SYN\")][0].round_trip")" = null ] &&
    [ "$(q "[.events[] | select(.layer == \"library\") | .round_trip] | unique | tostring")" = "[null]" ]'

make_pki
start_openssl -tls1_2 -cert "$PKI/ec.crt" -key "$PKI/ec.key"
trace_json --cafile "$PKI/ca.crt" "localhost:$PORT"
check "JSON round_trip (openssl -tls1_2): 1 then 2, ClientKeyExchange in 2" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] && [ "$(q "[.events[].round_trip] | max")" = 2 ] &&
    [ "$(q "[.events[] | select(.type == \"ServerHelloDone\")][0].round_trip")" = 1 ] &&
    [ "$(q "[.events[] | select(.type == \"ClientKeyExchange\")][0].round_trip")" = 2 ]'
run_text --cafile "$PKI/ca.crt" --plain "localhost:$PORT"
check "text (openssl -tls1_2): RT 1 and RT 2" eval 'rc_is 0 && [ "$(rt_labels)" = "1 2 " ]'
stop_pid "$LAST_PID"

# ---- --compare ----
compared() { # the JSON of a comparison: two connections, 1.2 then 1.3, each verified, exit 0
    rc_is 0 && [ "$(q '.connections | length')" = 2 ] &&
        [ "$(q '[.connections[].tls.version] | join(",")')" = "TLS 1.2,TLS 1.3" ] &&
        [ "$(q '[.connections[].certificate.verified] | join(",")')" = "true,true" ] &&
        [ "$(q '[.connections[] | [.events[].round_trip] | max] | join(",")')" = "2,1" ]
}
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
trace_json --cafile "$PKI/ca.crt" --compare "localhost:$PORT"
check "--compare (openssl s_server): TLS 1.2 and TLS 1.3, both verified, exit 0" compared
run_text --cafile "$PKI/ca.crt" --compare "localhost:$PORT"
check "--compare text: both ladders, their times, a comparing line" eval '
    rc_is 0 && grep -q "^── TLS 1.2 ──" "$OUT" && grep -q "^── TLS 1.3 ──" "$OUT" &&
    [ "$(grep -c "^DNS .* ms · TCP .* ms · TLS .* ms" "$OUT")" = 2 ] &&
    grep -qE "^compare: TLS 1\.2 handshake [0-9.]+ ms, 2 round trips · TLS 1\.3 handshake [0-9.]+ ms, 1 round trip · TLS 1\.3 against 1\.2: -1 round trip, [+-][0-9.]+ ms$" "$OUT"'
stop_pid "$LAST_PID"
trace_json --demo compare
check "--demo compare: TLS 1.2 and TLS 1.3, both verified, exit 0" compared
run_text --compare localhost:1 --tls1.3
check "--compare with --tls1.3: usage error" eval 'rc_is 2 && grep -q "no --tls1.2 or --tls1.3" "$OUT.err"'
run_text --demo compare extra
check "--demo compare extra: usage error" eval 'rc_is 2'
run_text --demo other
check "--demo other: still a usage error" eval 'rc_is 2'
