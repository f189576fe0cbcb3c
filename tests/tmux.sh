# The tmux helpers of the interactive-view scripts (tui.sh, step.sh): a private tmux server,
# screens read with capture-pane, keys sent with send-keys, every wait polled with a deadline.
# Sourced after tests/lib.sh; sets the EXIT trap (tmux server, then cleanup).

# One private tmux server per session (hstrace-test-PID-N), killed when the next starts.
NSESS=0
SOCK=hstrace-test-$$-0
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; cleanup' EXIT

# A fresh session running a plain shell with a UTF-8 locale.
new_session() { # COLS LINES [ENV...]
    local cols=$1 lines=$2
    shift 2
    T kill-server 2>/dev/null
    NSESS=$((NSESS + 1))
    SOCK=hstrace-test-$$-$NSESS
    T -f /dev/null new-session -d -s t -x "$cols" -y "$lines" \
        env -u NO_COLOR LANG=C.UTF-8 LC_ALL=C.UTF-8 PS1='$ ' "$@" bash --norc --noprofile
    T set-option -t t -g window-size manual >/dev/null 2>&1
    wait_for '^\$ ' 5
}

screen() { T capture-pane -p -t t; }
screen_e() { T capture-pane -p -e -t t; }
keys() { T send-keys -t t "$@"; }

# Polls the screen until the extended regex matches (default deadline 8 s).
wait_for() {
    local re=$1 secs=${2:-8} end
    end=$(($(date +%s%N) / 1000000 + secs * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt "$end" ]; do
        screen | grep -Eq -- "$re" && return 0
        sleep 0.05
    done
    return 1
}

# Polls until the regex no longer matches.
wait_gone() {
    local re=$1 secs=${2:-5} end
    end=$(($(date +%s%N) / 1000000 + secs * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt "$end" ]; do
        screen | grep -Eq -- "$re" || return 0
        sleep 0.05
    done
    return 1
}

run() { keys "clear; $*; echo EXIT=\$?" Enter; }

# click X Y [BUTTON]: a mouse press at column X, screen line Y (both from 0) in the xterm
# (X10) encoding a terminal sends once the program asks for mouse events, and for a button
# its release (code 3), as a terminal does; wheel steps have none.  BUTTON: 0 left, 64 wheel
# up, 65 wheel down.
click() {
    local b=${3:-0} x y
    x=$(printf %x $((33 + $1)))
    y=$(printf %x $((33 + $2)))
    keys -H 1b 5b 4d "$(printf %x $((32 + b)))" "$x" "$y"
    [ "$b" -ge 64 ] || keys -H 1b 5b 4d 23 "$x" "$y"
}
# The screen line (from 0) of the first line matching the regex, or nothing.
line_of() { screen | grep -nE -- "$1" | head -1 | awk -F: '{print $1 - 1}'; }

# expect NAME REGEX [SECS]: ok when the screen shows REGEX in time.
expect() {
    if wait_for "$2" "${3:-8}"; then
        ok "$1"
    else
        notok "$1" "wanted: $2" "screen:" "$(screen | sed 's/^/    /')"
    fi
}

# The rows (type names) in screen order, one line: "SYN SYN-ACK ACK ClientHello ...".
arrow_names() {
    screen | grep -oE '[─╌◄<.-]+ [A-Za-z-]+…? [─╌►>.-]+' |
        sed -E 's/[─╌◄<.-]+ ([A-Za-z-]+…?) [─╌►>.-]+/\1/' |
        tr '\n' ' '
}

# True when any SGR sequence on screen sets a foreground or background colour.
has_colour() {
    screen_e | python3 -c '
import re, sys
for params in re.findall(r"\x1b\[([0-9;]*)m", sys.stdin.read()):
    for p in params.split(";"):
        if p and (30 <= int(p) <= 37 or 40 <= int(p) <= 47 or 90 <= int(p) <= 107):
            sys.exit(0)
sys.exit(1)'
}

