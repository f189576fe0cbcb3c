#!/usr/bin/env bash
# The interactive view, driven for real in tmux (a private server socket) at 80x24 and 160x50:
# screens are read with capture-pane, keys sent with send-keys; every wait polls with a
# deadline.  Against the demo, a local openssl s_server, a refused port and a capture with
# two connections.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh

if ! command -v tmux >/dev/null; then
    skip "tui" "tmux is not installed"
    exit 0
fi

# shellcheck source=../tmux.sh
. tests/tmux.sh

# ---- the demo at 80x24 ----
new_session 80 24
run "$HSTRACE" --demo
expect "demo: header with target, version, verification" \
    'localhost:[0-9]+ → 127\.0\.0\.1 \(SNI localhost\)' 10
expect "demo: negotiated line" 'certificate verified · TLS 1\.3 · TLS_[A-Z0-9_]+ · x25519 · ALPN h2'
wait_for 'done in' 10
keys Home
expect "demo: lanes" '^ +ms Client +Server'
names=$(arrow_names)
if [[ $names == "SYN SYN-ACK ACK ClientHello ServerHello"* ]]; then
    ok "demo: arrows in order from the top ($names)"
else
    notok "demo: arrows in order from the top" "got: $names" "$(screen)"
fi
if screen | grep -Eq '│─+ ClientHello ─+►│' && screen | grep -Eq '│◄─+ ServerHello ─+│'; then
    ok "demo: arrows point from the sender"
else
    notok "demo: arrows point from the sender" "$(screen)"
fi
expect "demo: detail pane shows the first row" '^ SYN · client → server'
keys j
expect "j selects the next message" '^ SYN-ACK · server → client'
keys k
expect "k goes back" '^ SYN · client → server'

keys / ClientHello Enter
expect "search finds the ClientHello" '^ ClientHello · client → server · [0-9]+ bytes'
keys Enter
expect "Enter opens the field tree (its keys in the footer)" 'Enter fold .*q back'
keys j j j j Enter
expect "Enter unfolds cipher_suites" '▾ cipher_suites'
expect "unfolded elements are shown" '^ +\[0\]: TLS_'
keys x
expect "x shows the hex dump" '^ [0-9a-f]{4}  ([0-9a-f]{2} ){8} ([0-9a-f]{2} ){7}[0-9a-f]{2}  '
expect "the span of the selected field is named" 'bytes [0-9]+\.\.[0-9]+ \([0-9]+\) of [0-9]+: cipher_suites'
if screen_e | grep -q $'\e\[[0-9;]*7m\|\e\[1m\e\[30m\e\[43m\|43m'; then
    ok "the selected field's bytes are highlighted"
else
    notok "the selected field's bytes are highlighted" "$(screen_e | head -30 | cat -v)"
fi
keys x Escape
expect "x again hides the dump, Esc goes back to the ladder" 'Enter fields'
wait_gone '^ 0000  ' 3 && ok "hex dump hidden" || notok "hex dump hidden" "$(screen)"

keys / Certificate Enter
expect "search for Certificate" 'match 1 of [0-9]+ for "Certificate"'
first=$(screen | grep -E '^ [A-Za-z]+ · ' | head -1)
keys n
expect "n goes to the next match" 'match 2 of [0-9]+ for "Certificate"'
second=$(screen | grep -E '^ [A-Za-z]+ · ' | head -1)
keys N
expect "N goes back" 'match 1 of [0-9]+ for "Certificate"'
[ "$first" != "$second" ] && ok "n selected another message" ||
    notok "n selected another message" "$first / $second"

keys t
expect "t switches to delta times" '^ +\+ms Client'
expect "delta rows" '^ +\+[0-9]+\.[0-9]{3} │'
keys t
expect "t switches back" '^ +ms Client'

keys '?'
expect "? shows the help" 'hstrace keys'
expect "the help names every format s saves in a live view" \
    's +save as \.json, \.pcap or \.pcapng'
keys Space
wait_gone 'hstrace keys' && ok "a key closes the help" || notok "a key closes the help" "$(screen)"

if has_colour; then ok "colours on a colour terminal"; else notok "colours on a colour terminal" "no SGR colour"; fi

T resize-window -t t -x 160 -y 50
if wait_for '^ +ms Client +Server +│ [A-Za-z]+ · ' 5 && [ "$(screen | wc -l)" -ge 50 ]; then
    ok "resize to 160x50: the detail pane moves beside the ladder"
else
    notok "resize to 160x50: the detail pane moves beside the ladder" "$(screen)"
fi
names=$(arrow_names)
if [[ $names == *"ClientHello ServerHello ChangeCipherSpec EncryptedExtensions Certificate CertificateVerify Finished"* ]]; then
    ok "160x50: the whole handshake in order"
else
    notok "160x50: the whole handshake in order" "got: $names"
fi
T resize-window -t t -x 80 -y 24
expect "resize back to 80x24" '^ [A-Za-z-]+ · .*[^│]$'

# Mouse: a click selects a ladder row, the wheel moves the selection, a click in the field
# tree moves the focus there.  The target is a row whose name is on screen once.
target=$(arrow_names | tr ' ' '\n' | sort | uniq -u | grep -vx '' | head -1)
y=$(line_of "│[─╌◄<]+ $target [─╌►>]+│")
if [ -n "$target" ] && [ -n "$y" ]; then
    click 20 "$y"
    expect "mouse: a click selects the $target row" "^ $target · "
    click 20 "$y" 65
    wait_gone "^ $target · " 3 && ok "mouse: the wheel moves the selection down" ||
        notok "mouse: the wheel moves the selection down" "$(screen)"
    click 20 "$y" 64
    expect "mouse: the wheel moves it back up" "^ $target · "
    y=$(line_of '^ +[a-z_]+: ')
    click 10 "${y:-0}"
    expect "mouse: a click in the field tree moves the focus there" 'Enter fold .*q back'
    keys Escape
    expect "Esc leaves the tree" 'Enter fields'
else
    notok "mouse: a row to click" "$(screen)"
fi

keys s
expect "s asks for a file name" 'save as \(\.json, \.pcap, \.pcapng\): hstrace-localhost\.json'
keys C-u "$WORK/saved.pcapng" Enter
expect "s saves the packets and secrets as pcapng" 'saved [0-9]+ packets and the TLS secrets to'
if command -v tshark >/dev/null &&
    tshark -r "$WORK/saved.pcapng" -Y tls.handshake.type==8 2>/dev/null | grep -q .; then
    ok "the saved pcapng decrypts with no key log option"
else
    notok "the saved pcapng decrypts with no key log option"
fi
keys s C-u "$WORK/saved.json" Enter
expect "s saves the JSON document" 'saved the JSON document to'
if jq -e '.result == "ok" and (.events | length) > 10' "$WORK/saved.json" >/dev/null 2>&1; then
    ok "the saved JSON is the trace"
else
    notok "the saved JSON is the trace" "$(head -c 300 "$WORK/saved.json" 2>&1)"
fi

# The suggested name is shown selected: typing replaces it; Home/End/Backspace edit it.
keys s
wait_for 'save as .*hstrace-localhost\.json' 5
if screen_e | grep -a 'save as' | grep -aqE $'\e\\[([0-9;]*;)?7(;[0-9;]*)?m(\e\[[0-9;]*m)*hstrace-localhost\.json'; then
    ok "the suggested file name is shown selected"
else
    notok "the suggested file name is shown selected" "$(screen_e | grep -a 'save as' | cat -v)"
fi
keys "$WORK/typed.json" Enter
if wait_for 'saved the JSON document to' 5 && [ -s "$WORK/typed.json" ]; then
    ok "typing replaces the suggested name"
else
    notok "typing replaces the suggested name" "$(screen | tail -2)"
fi
keys s Home "$WORK/" End BSpace BSpace BSpace BSpace pcapng Enter
if wait_for 'saved [0-9]+ packets and the TLS secrets to' 5 &&
    [ -s "$WORK/hstrace-localhost.pcapng" ]; then
    ok "Home, End and Backspace edit the suggested name"
else
    notok "Home, End and Backspace edit the suggested name" "$(screen | tail -2)" "$(ls "$WORK")"
fi

port1=$(screen | sed -nE '1s/.*localhost:([0-9]+).*/\1/p')
keys r
if wait_for "localhost:[0-9]+ → .*done in" 10 && port2=$(screen | sed -nE '1s/.*localhost:([0-9]+).*/\1/p') &&
    [ -n "$port2" ] && [ "$port2" != "$port1" ]; then
    ok "r runs the trace again (demo port $port1 then $port2)"
else
    notok "r runs the trace again" "$(screen | head -3)"
fi

keys q
expect "q quits with the exit code" '^EXIT=0$'
if screen | grep -Eq '│─+ FIN ─+►│' && screen | grep -q 'certificate: verified' &&
    screen | grep -Eq '^\$ ?$'; then
    ok "the text ladder stays on the normal screen, the prompt is back"
else
    notok "the text ladder stays on the normal screen, the prompt is back" "$(screen)"
fi

# ---- monochrome and ASCII ----
new_session 80 24 NO_COLOR=1
run "$HSTRACE" --demo --ascii
wait_for 'done in' 10
keys Home
expect "--ascii: ASCII lanes and arrows" '\|-+ ClientHello -+>\|'
if screen | grep -q '[│─►◄╌▸▾]'; then
    notok "--ascii: no box drawing" "$(screen)"
else
    ok "--ascii: no box drawing"
fi
if has_colour; then
    notok "NO_COLOR: no colour" "$(screen_e | head -5 | cat -v)"
else
    ok "NO_COLOR: no colour"
fi
keys q
expect "--ascii: exit code" '^EXIT=0$'

# ---- a live trace against openssl s_server, at 160x50 ----
if make_pki && start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"; then
    new_session 160 50
    run "$HSTRACE" --cafile "$PKI/ca.crt" "localhost:$PORT"
    expect "openssl: header" "localhost:$PORT → 127\\.0\\.0\\.1 \\(SNI localhost\\)" 10
    expect "openssl: verified" 'certificate verified'
    expect "openssl: encrypted rows are marked" '╌ Certificate ╌+│ +\[decrypted\]'
    keys q
    expect "openssl: exit code" '^EXIT=0$' 10
else
    skip "openssl: live trace" "cannot start openssl s_server"
fi

# ---- a refused connection: the reason in the view, exit code 3 ----
new_session 80 24
run "$HSTRACE" "127.0.0.1:$(free_port)"
expect "refused: the reason where it happened" '✗ failed at connect: connection refused' 10
expect "refused: header says so" 'handshake failed at connect'
keys q
expect "refused: exit code 3" '^EXIT=3$'

# ---- a failure followed by the closing segments: the ✗ failed row keeps the time order ----
new_session 100 40
run "$HSTRACE" --demo --tls1.2 --ciphers TLS_RSA_WITH_AES_128_GCM_SHA256
if wait_for '✗ failed at tls' 10; then
    times=$(screen | grep -oE '^ *[0-9]+\.[0-9]{3} ' | tr -d ' ' | tr '\n' ' ')
    if [ -n "$times" ] && echo "$times" | tr ' ' '\n' | grep . |
        awk 'NR > 1 && $1 + 0 < prev {bad = 1} {prev = $1 + 0} END {exit bad}'; then
        ok "failed row: the time column never goes back ($times)"
    else
        notok "failed row: the time column never goes back" "times: $times" "$(screen)"
    fi
else
    notok "failed row: the time column never goes back" "no failed row" "$(screen)"
fi
keys q
wait_for '^EXIT=' 5

# ---- a silent server: rows appear while the trace runs; q waits for it; timeout exit code ----
SILENT=$(free_port)
start_bg python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(4)
c, _ = s.accept()
time.sleep(60)' "$SILENT"
if wait_port "$SILENT"; then
    new_session 80 24
    run "$HSTRACE" --timeout 3 -k "127.0.0.1:$SILENT"
    expect "live: rows appear while it runs" 'ClientHello ─+►│' 5
    expect "live: the header says it runs" 'running\.\.\.'
    expect "live: the ladder says it goes on" '\.\.\. tracing'
    keys q
    expect "live: q waits for the trace to end" 'finishing the trace before quitting'
    expect "live: timeout exit code" '^EXIT=4$' 10
    screen | grep -q 'failed at timeout' && ok "live: the text ladder names the timeout" ||
        notok "live: the text ladder names the timeout" "$(screen)"
else
    skip "live: silent server" "cannot start the listener"
fi

# ---- a capture with two connections (-w twice, merged) ----
if command -v mergecap >/dev/null &&
    "$HSTRACE" --demo --plain -w "$WORK/a.pcapng" >/dev/null 2>&1 &&
    "$HSTRACE" --demo --plain -w "$WORK/b.pcapng" >/dev/null 2>&1 &&
    mergecap -w "$WORK/two.pcapng" "$WORK/a.pcapng" "$WORK/b.pcapng" 2>/dev/null; then
    new_session 80 24
    run "$HSTRACE" -r "$WORK/two.pcapng"
    expect "-r: the connection list" '2 TLS connections' 10
    expect "-r: list columns" '# +Client → Server +SNI +TLS +Msgs Result'
    rows=$(screen | grep -cE '^ +[12]  127\.0\.0\.1:[0-9]+ → 127\.0\.0\.1:[0-9]+ +localhost +TLS 1\.3 +[0-9]+ ok')
    [ "$rows" -eq 2 ] && ok "-r: one row per connection" || notok "-r: one row per connection" "$(screen)"
    keys j Enter
    expect "-r: Enter opens the second ladder" 'connection 2 of 2'
    expect "-r: its arrows" '│─+ ClientHello ─+►│'
    keys q
    expect "-r: q goes back to the list" '2 TLS connections'
    click 10 "$(line_of '^ +1  127\.0\.0\.1:')"
    keys Enter
    expect "-r: a mouse click picks the first connection" 'connection 1 of 2'
    keys q
    expect "-r: back to the list again" '2 TLS connections'
    keys q
    expect "-r: q quits with the exit code" '^EXIT=0$'
    screen | grep -q 'Finished' && ok "-r: the ladders stay on screen" ||
        notok "-r: the ladders stay on screen" "$(screen)"
else
    skip "-r: connection list" "cannot write captures with -w (or mergecap is missing)"
fi

# ---- a finished live run from its first row; L cycles the library notes ----
new_session 160 60
run "$HSTRACE" --demo
wait_for 'done in' 10
expect "a finished live run selects its first row" '(^|│) SYN · client → server'
first_row=$(screen | grep -E '^ +[0-9]+\.[0-9]+ │' | head -1)
[[ $first_row == *" SYN "* ]] && ok "a finished live run shows the ladder from its first row" ||
    notok "a finished live run shows the ladder from its first row" "$first_row"
note_rows() { screen | grep -cE '^ +[0-9]+\.[0-9]+ │ ·'; }
declare -A seen
for n in short none all; do
    keys L
    expect "L: library notes $n" "library notes: $n"
    seen[$n]=$(note_rows)
done
if [ "${seen[all]}" -gt "${seen[short]}" ] && [ "${seen[short]}" -gt 0 ] && [ "${seen[none]}" -eq 0 ]; then
    ok "L: all ${seen[all]} > short ${seen[short]} > none 0 note rows"
else
    notok "L: note rows" "all ${seen[all]} short ${seen[short]} none ${seen[none]}" "$(screen)"
fi
expect "the round trip labelled on the ClientHello" 'ClientHello ─+►│  \[RT 1\] TLS 1\.3'
keys q
expect "q after L quits with the exit code" '^EXIT=0$'

# ---- no terminal: the text view, never the TUI ----
out=$("$HSTRACE" --demo </dev/null | head -3)
if [[ $out == "hstrace "* ]] && ! grep -q $'\e\[?1049h' <<<"$out"; then
    ok "a pipe keeps the text ladder"
else
    notok "a pipe keeps the text ladder" "$out"
fi
