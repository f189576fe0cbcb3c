#!/usr/bin/env bash
# A live trace with packet capture ends as soon as its result is printed (man page, "What a
# live trace waits for"): closing the packet socket (an RCU grace period in the kernel,
# 10-30 ms) is left to a child that holds none of the caller's descriptors and ends on its
# own; where no child can be made, a thread closes it and the trace still succeeds.
. "$(dirname "$0")/../lib.sh"
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    skip "live_exit" "needs root (packet capture) and setpriv (the run without capture)"
    exit 0
fi
make_pki
# The run without capture is nobody's: it must read the CA.
chmod 755 "$WORK" "$PKI" && chmod 644 "$PKI/ca.crt"
PORT=$(free_port)
start_bg openssl s_server -accept "127.0.0.1:$PORT" -cert "$PKI/ec.crt" -key "$PKI/ec.key" \
    -www -quiet
wait_port "$PORT"
TARGET=(--plain --color never --cafile "$PKI/ca.crt" "localhost:$PORT")
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# The gaps from the last output to the end, with capture (-w too, and --reconnect: two
# captures in one process) and without (as nobody): the exit's own cost is in both.  (A
# sanitizer build's leak check at exit takes longer than the close, and varies: off here.)
ASAN_OPTIONS=${ASAN_OPTIONS:-}:detect_leaks=0 python3 "$(dirname "$0")/exit_gap.py" 5 "cap=$HSTRACE_BIN ${TARGET[*]}" \
    "write=$HSTRACE_BIN --force -w $WORK/t.pcap ${TARGET[*]}" "reconnect=$HSTRACE_BIN --reconnect ${TARGET[*]}" \
    "nocap=${NOBODY[*]} $HSTRACE_BIN ${TARGET[*]}" >"$WORK/gaps" 2>"$WORK/gaps.err"
field() { awk -v l="$1" -v f="$2" '$1 == l { for (i = 2; i < NF; i++) if ($i == f) print $(i + 1) }' "$WORK/gaps"; }
CLOSE=$(awk '$1 == "close_ms" { print $2 }' "$WORK/gaps")
NOCAP=$(field nocap exit_ms)
if [ -z "$CLOSE" ] || [ -z "$NOCAP" ] || [ "$(field nocap failed)" != 0 ]; then
    notok "live_exit: the runs could be timed" "$(head -c 600 "$WORK/gaps")"
    exit 0
fi

# pass NAME CONDITION...: ok, or not ok with the figures.
pass() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else notok "$name" "$(tr '\n' ';' <"$WORK/gaps")"; fi
}
for run in cap write reconnect; do
    ex=$(field "$run" exit_ms) eof=$(field "$run" eof_ms) failed=$(field "$run" failed)
    if awk -v c="$CLOSE" 'BEGIN { exit !(c < 2) }'; then
        skip "$run: ends before the packet socket is closed" \
            "closing a packet socket takes only $CLOSE ms here: nothing to tell apart"
    else
        # Before, the exit waited the whole close: the gap was the close's time, not a half.
        pass "$run: ends ${ex} ms after its last output, end of file after ${eof} ms (without capture: ${NOCAP} ms; closing a packet socket: ${CLOSE} ms)" \
            awk -v e="$ex" -v f="$eof" -v n="$NOCAP" -v c="$CLOSE" -v rc="$failed" \
            'BEGIN { exit !(rc == 0 && e >= 0 && e - n < c / 2 && f - n < c / 2) }'
    fi
    left=$(field "$run" left) late=$(field "$run" late_ms)
    pass "$run: whatever closes the socket ends on its own (${late} ms after hstrace)" \
        awk -v n="$left" -v t="$late" 'BEGIN { exit !(n == 0 && t < 1000) }'
done

# The interactive view traces again and again in one process: each closing child is reaped
# (without waiting) when the next capture is given up, so no more than the last one is ever
# left to reap.
if command -v tmux >/dev/null; then
    # shellcheck source=../tmux.sh
    . "$(dirname "$0")/../tmux.sh"
    new_session 120 30
    run "$HSTRACE_BIN" --cafile "$PKI/ca.crt" "localhost:$PORT"
    from() { screen | sed -nE '1s/.* from 127\.0\.0\.1:([0-9]+) .*done in.*/\1/p'; }
    wait_for 'done in' 10
    hs=$(pgrep -P "$(T display -p -t t '#{pane_pid}')" | head -1)
    traces=1 last=$(from)
    for _ in 1 2 3 4 5 6; do
        keys r
        for _ in $(seq 1 100); do # a new client port: the trace is done
            now=$(from)
            [ -n "$now" ] && [ "$now" != "$last" ] && break
            sleep 0.05
        done
        [ -n "$now" ] && [ "$now" != "$last" ] && traces=$((traces + 1))
        last=$now
        sleep 0.1 # (the close takes 10-30 ms)
    done
    kids=$(ps -o pid= --ppid "${hs:-0}" | wc -l)
    if [ -n "$hs" ] && [ "$traces" = 7 ] && [ "$kids" -le 1 ]; then
        ok "interactive view: $traces traces in one process leave $kids child to reap"
    else
        notok "interactive view: 7 traces in one process leave at most one child to reap" \
            "pid ${hs:-none}, $traces traces, $kids children: $(ps -o pid=,stat=,comm= --ppid "${hs:-0}" | tr '\n' ' ')"
    fi
    keys q
    expect "interactive view: exit code" '^EXIT=0$' 10
else
    skip "live_exit: interactive view" "tmux is not installed"
fi

# Where no child can be made (fork fails, or no close_range on an old kernel), a thread
# closes the socket: the trace and its capture are whole.  A library in front of libc's
# makes the call fail.
if ! command -v cc >/dev/null; then
    skip "live_exit: fallbacks" "no C compiler for the failing fork and close_range"
    exit 0
fi
cat >"$WORK/fail.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
pid_t fork(void) { errno = EAGAIN; return -1; }
EOF
cat >"$WORK/norange.c" <<'EOF'
#define _GNU_SOURCE
#include <errno.h>
#include <unistd.h>
int close_range(unsigned first, unsigned last, int flags) { errno = ENOSYS; return -1; }
EOF
REAL=$HSTRACE
for f in fail norange; do
    cc -shared -fPIC -o "$WORK/$f.so" "$WORK/$f.c" 2>"$WORK/$f.cc.log" ||
        { notok "live_exit: $f.so builds" "$(head -c 300 "$WORK/$f.cc.log")"; continue; }
    # Only hstrace gets it.  (A sanitizer build wants its runtime first: the library only
    # replaces one call.)
    printf '#!/bin/sh\nLD_PRELOAD=%s ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 exec %s "$@"\n' \
        "$WORK/$f.so" "$HSTRACE_BIN" >"$WORK/hstrace-$f"
    chmod 755 "$WORK/hstrace-$f"
    HSTRACE=$WORK/hstrace-$f
    trace_json --cafile "$PKI/ca.crt" "localhost:$PORT"
    HSTRACE=$REAL
    tcp=$(q '[.events[] | select(.layer=="tcp")] | length')
    check "$f: the trace succeeds with its TCP rows ($tcp) when a thread closes the socket" \
        eval 'rc_is 0 && [ "$tcp" -ge 4 ]'
done
stop_pid "$LAST_PID"
