#!/usr/bin/env bash
# The hostile-server suite: run.py drives every case of server.py through hstrace (JSON and
# text ladder: exit code, error stage, rows, schema, no raw control characters, peak memory,
# run time), then the interactive view is shown the certificate whose subject holds escape
# sequences, in tmux, and must neither pass them to the terminal nor set the clipboard.
# Usage: tests/hostile/run.sh [-v] [CASE...]   (-v: a table of exit codes, memory and times)
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh

status=0
# The binary, not lib.sh's --json wrapper: run.py reads its libraries to pick the memory bound.
python3 tests/hostile/run.py "$HSTRACE_BIN" "$SCHEMA" "$@" || status=1

# Only the full run (no case names given) drives the TUI.
for a in "$@"; do [ "$a" = -v ] || exit $status; done

if ! command -v tmux >/dev/null; then
    skip "hostile: TUI with an escape-laden certificate" "tmux is not installed"
    exit $status
fi

SOCK=hstrace-hostile-$$
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; cleanup' EXIT
screen() { T capture-pane -p -t t; }
wait_for() { # REGEX [SECS]: polls the screen
    local end=$(($(date +%s%N) / 1000000 + ${2:-8} * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt "$end" ]; do
        screen | grep -Eq -- "$1" && return 0
        sleep 0.05
    done
    return 1
}
tui_check() { # NAME REGEX [SECS]
    if wait_for "$2" "${3:-8}"; then ok "$1"; else notok "$1" "wanted: $2" "$(screen)"; status=1; fi
}

PORT=$(free_port)
python3 tests/hostile/server.py cert-escapes "$PORT" >"$WORK/server.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 1 100); do grep -q ready "$WORK/server.log" 2>/dev/null && break; sleep 0.05; done

RAW=${HOSTILE_PTY_RAW:-$WORK/pty.raw}
T -f /dev/null new-session -d -s t -x 160 -y 45 \
    env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='$ ' bash --norc --noprofile
T set-option -g set-clipboard on   # an OSC 52 reaching tmux would become a paste buffer
wait_for '^\$ ' 5
T pipe-pane -t t -o "cat >> '$RAW'" # every byte hstrace writes to the terminal
T send-keys -t t "clear; '$HSTRACE' --timeout 3 127.0.0.1:$PORT; echo EXIT=\$?" Enter
tui_check "hostile TUI: the Certificate row shows the subject escaped" \
    'Certificate .*CN=evil\\x1b\[2J\\x1b\]52;c;cHduZWQ=\\x07' 10
T send-keys -t t / '2 certs' Enter
tui_check "hostile TUI: the detail pane opens on the Certificate" 'Certificate · server → client'
T send-keys -t t Enter
tui_check "hostile TUI: the tree lists the two certificates" 'certificates \[2\]'
T send-keys -t t Enter
tui_check "hostile TUI: the leaf unfolds, its subject escaped" '\[0\] CN=evil\\x1b'
T send-keys -t t j Enter
tui_check "hostile TUI: the field tree shows the subject escaped" \
    'subject: CN=evil\\x1b\[2J\\x1b\]52;c;cHduZWQ=\\x07\\x00\\xff'
T send-keys -t t q
sleep 0.3
T send-keys -t t q
tui_check "hostile TUI: exit code 5 (verify)" '^EXIT=5$'

# The raw terminal stream: the view's own escape sequences only, none of the peer's.
if python3 - "$RAW" <<'EOF'; then
import sys
raw = open(sys.argv[1], "rb").read()
bad = [s for s in (b"\x1b]52", b"evil\x1b", b"=CA\x1b", b"\x9b31m", b"\x00\xff", b"\x07\x00")
       if s in raw]
if bad or b"evil\\x1b[2J" not in raw:
    print(f"peer bytes on the terminal: {bad!r}; escaped subject drawn: {b'evil' in raw}")
    sys.exit(1)
EOF
    ok "hostile TUI: no peer control sequence reached the terminal"
else
    notok "hostile TUI: no peer control sequence reached the terminal"
    status=1
fi
if [ -z "$(T list-buffers 2>/dev/null)" ]; then
    ok "hostile TUI: the clipboard was not set (OSC 52)"
else
    notok "hostile TUI: the clipboard was not set (OSC 52)" "$(T list-buffers)"
    status=1
fi
exit $status
