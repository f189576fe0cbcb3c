#!/usr/bin/env bash
# Step mode (--step), driven in tmux: a capture is revealed one message per key press (Space
# adds exactly one row, Backspace takes it away, End shows all), with the current message's
# explanation in the detail pane; a live --demo handshake waits for the keys (it does not get
# past its first flight before one is pressed, nor while the user reads longer than --timeout)
# and still ends with exit code 0.  Without a terminal --step is a usage error.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh

CAP=captures/tls13-aes128gcm

# ---- no interactive view: a usage error ----
err=$("$HSTRACE" -r "$CAP.pcap" --keylog "$CAP.keys" --step </dev/null 2>&1 >/dev/null)
rc=$?
if [ "$rc" -eq 2 ] && [[ $err == *"--step needs the interactive view"* ]]; then
    ok "--step without a terminal: usage error (2) that says why"
else
    notok "--step without a terminal: usage error (2) that says why" "rc $rc: $err"
fi
doc=$("$HSTRACE" --demo --step --json 2>/dev/null)
rc=$?
if [ "$rc" -eq 2 ] && [ "$(jq -r .error.stage <<<"$doc")" = usage ]; then
    ok "--step --json: usage error as a JSON document"
else
    notok "--step --json: usage error as a JSON document" "rc $rc: $doc"
fi

if ! command -v tmux >/dev/null; then
    skip "step" "tmux is not installed"
    exit 0
fi
# shellcheck source=../tmux.sh
. tests/tmux.sh

status_line() { screen | grep -E '^step: ' | head -1; }
nrows() { arrow_names | wc -w; }
# Polls (5 s at most) until the status line is no longer $1.
wait_change() {
    local end=$(($(date +%s) + 5))
    while [ "$(date +%s)" -le "$end" ] && [ "$(status_line)" = "$1" ]; do
        sleep 0.05
    done
}

# ---- a capture, one message at a time ----
new_session 100 40
run "$HSTRACE" -r "$CAP.pcap" --keylog "$CAP.keys" --step
expect "capture: step status on the first screen" '^step: message 1 of 18 ' 10
names=$(arrow_names)
if [ "$names" = "SYN " ]; then
    ok "capture: the first screen shows only the first row"
else
    notok "capture: the first screen shows only the first row" "got: $names" "$(screen)"
fi
good=true
for n in 2 3 4 5; do
    keys Space
    if ! wait_for "^step: message $n of 18 " 5 || [ "$(nrows)" -ne "$n" ]; then
        good=false
        notok "capture: Space adds exactly one row (to $n)" "got: $(arrow_names)" "$(screen)"
        break
    fi
done
$good && ok "capture: each Space adds exactly one row ($(arrow_names))"
expect "capture: the current message is selected in the detail pane" \
    '^ ServerHello · server → client · [0-9]+ bytes'
expect "capture: its explanation is shown" 'The server picks TLS 1\.3'
keys BSpace
if wait_for '^step: message 4 of 18 ' 5 && [ "$(nrows)" -eq 4 ]; then
    ok "capture: Backspace removes the last row"
else
    notok "capture: Backspace removes the last row" "got: $(arrow_names)" "$(screen)"
fi
expect "capture: the ClientHello is current again, explained" \
    '^ ClientHello · client → server' 5
expect "capture: ClientHello explanation with its RFC section" 'RFC 8446 §4\.1\.2'
keys Right
expect "capture: Right is next too" '^step: message 5 of 18 ' 5
keys Left
expect "capture: Left is back too" '^step: message 4 of 18 ' 5
keys End
wait_gone '^step: ' 5
if [ "$(nrows)" -ge 15 ] && screen | grep -Eq 'round trip'; then
    ok "capture: End shows every row and the timings"
else
    notok "capture: End shows every row and the timings" "$(screen)"
fi
keys q
expect "capture: q quits with 0" '^EXIT=0' 5

# ---- the live demo: the handshake waits for the keys ----
new_session 100 40
run "$HSTRACE" --demo --step --timeout 1
expect "demo: paused before the first handshake step" \
    '^step: message 1 of [0-9]+ · handshake paused' 10
sleep 1.5 # longer than --timeout, no key pressed
line=$(status_line)
total=$(sed -E 's/^step: message [0-9]+ of ([0-9]+) .*/\1/' <<<"$line")
if [ "${total:-99}" -le 4 ] && screen | grep -q 'negotiating' && [[ $line == *paused* ]]; then
    ok "demo: no key, no handshake: $total messages, nothing from the server yet"
else
    notok "demo: no key, no handshake" "status: $line" "$(screen)"
fi

# Presses Space until the run has ended and every row is shown (the status line is gone);
# after the ServerHello appears, waits longer than --timeout once more.
presses=0 waited=false stalled=false
while [ $presses -lt 80 ] && screen | grep -Eq '^step: '; do
    before=$(status_line)
    keys Space
    presses=$((presses + 1))
    wait_change "$before"
    if ! $waited && screen | grep -Eq '│◄─+ ServerHello ─+│'; then
        waited=true
        sleep 0.3
        at=$(status_line)
        sleep 1.5
        [[ $at == *paused* ]] && [ "$at" = "$(status_line)" ] || stalled=true
    fi
done
if $waited && ! $stalled; then
    ok "demo: after the ServerHello the handshake stays paused while the user reads"
else
    notok "demo: after the ServerHello the handshake stays paused while the user reads" \
        "waited=$waited stalled=$stalled" "$(screen)"
fi
if ! screen | grep -Eq '^step: ' && screen | grep -Eq 'TLS [0-9.]+ ms'; then
    ok "demo: the handshake completes after $presses presses"
else
    notok "demo: the handshake completes after the presses" "$(screen)"
fi
tls=$(screen | grep -oE 'TLS [0-9.]+ ms' | head -1 | grep -oE '[0-9.]+')
if [ -n "$tls" ] && awk -v t="$tls" 'BEGIN { exit !(t < 1000) }'; then
    ok "demo: the TLS time leaves the waits out ($tls ms, after > 3 s of waits)"
else
    notok "demo: the TLS time leaves the waits out" "TLS: $tls" "$(screen)"
fi
keys q
expect "demo: waits longer than --timeout, still exit code 0" '^EXIT=0' 10
expect "demo: the text ladder says the trace was stepped" 'stepped: [0-9.]+ s of waits for keys'
