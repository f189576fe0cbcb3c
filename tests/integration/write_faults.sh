#!/usr/bin/env bash
# Faults that used to lose data or end the process in silence: closed standard descriptors,
# a peer gone before the server writes (SIGPIPE), outputs that cannot be written (/dev/full,
# a full tmpfs: exit status 6, a message naming the file and the reason, no incomplete file
# left), and inputs that never end (a FIFO or a device where a file is meant).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh

# A capture with no packet: enough for -r to read a key log and write its output.
python3 -c 'import struct,sys; sys.stdout.buffer.write(struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,65535,1))' \
    >"$WORK/empty.pcap"
only_keylog_lines() { ! grep -qv '^[A-Z_0-9]* [0-9a-f]\{64\} [0-9a-f]*$' "$1"; }

# ---- closed standard descriptors ----
K=$WORK/closed2.log
OUT=$WORK/closed2.json
: >"$OUT.err" # stderr is closed: nothing to show
"$HSTRACE" --json --demo --keylog "$K" >"$OUT" 2>&-
RC=$?
JSON_INVALID=""
check "2>&-: the trace runs (no SIGPIPE), the key log holds only secrets" eval '
    rc_is 0 && [ "$(q .result)" = ok ] && [ "$(wc -l <"$K")" -ge 4 ] && only_keylog_lines "$K"'

K=$WORK/closed1.log
"$HSTRACE" --json --demo --keylog "$K" >&- 2>"$WORK/closed1.err"
RC=$?
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$K")" -ge 4 ] && only_keylog_lines "$K"; then
    ok ">&-: exit 0, the document went nowhere, not into the key log"
else
    notok ">&-: exit 0, the document went nowhere, not into the key log" "rc=$RC" \
        "key log: $(head -c 200 "$K")" "stderr: $(head -c 300 "$WORK/closed1.err")"
fi

trace_json --demo <&-
check "<&-: the trace runs" eval 'rc_is 0 && [ "$(q .result)" = ok ]'

make_pki
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
K=$WORK/live2.log
OUT=$WORK/live2.json
: >"$OUT.err"
"$HSTRACE" --json --cafile "$PKI/ca.crt" --keylog "$K" "localhost:$PORT" >"$OUT" 2>&- <&-
RC=$?
JSON_INVALID=""
check "openssl s_server, 2>&- <&-: the trace runs, the key log holds only secrets" eval '
    rc_is 0 && [ "$(q .result)" = ok ] && [ "$(wc -l <"$K")" -ge 2 ] && only_keylog_lines "$K"'

# ---- the demo server writing to a client that gave up ----
bad=""
for i in 1 2 3 4 5 6 7 8; do
    trace_json --demo --timeout 0.001
    # Usually a timeout; on a fast machine the handshake may beat even 1 ms.
    if ! { rc_is 4 || rc_is 0; } || [ -n "$JSON_INVALID" ] || [ "$(q .exit_code)" != "$RC" ]; then
        bad="run $i: rc=$RC exit_code=$(q .exit_code 2>/dev/null) $JSON_INVALID"
        break
    fi
done
if [ -z "$bad" ]; then
    ok "--demo --timeout 0.001: never killed by SIGPIPE, a complete document each time"
else
    notok "--demo --timeout 0.001: never killed by SIGPIPE, a complete document each time" "$bad"
fi

# ---- standard output that cannot be written ----
# full_case NAME ARGS...: standard output to /dev/full: status 6 and the reason, nothing else.
full_case() {
    local name=$1
    shift
    "$HSTRACE" "$@" >/dev/full 2>"$WORK/full.err"
    RC=$?
    if [ "$RC" -eq 6 ] &&
        grep -qx 'hstrace: cannot write standard output: No space left on device' "$WORK/full.err" &&
        ! grep -q ': $' "$WORK/full.err"; then
        ok "$name"
    else
        notok "$name" "rc=$RC" "stderr: $(head -c 400 "$WORK/full.err")"
    fi
}
full_case "the text ladder to /dev/full: exit 6, said" --demo --plain
full_case "--json to /dev/full: exit 6, said" --demo --json
full_case "-r to /dev/full: exit 6, said" -r "$WORK/empty.pcap"
full_case "-r --json to /dev/full: exit 6, the capture not blamed" -r "$WORK/empty.pcap" --json
full_case "--help to /dev/full: exit 6, said" --help

# A reader that has gone, with SIGPIPE ignored (as some parents leave it): quiet, status 6.
python3 - "$HSTRACE" >"$WORK/pipe.out" <<'EOF'
import signal, subprocess, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
p = subprocess.Popen([sys.argv[1], "--demo", "--plain"], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, restore_signals=False)
p.stdout.close()
err = p.stderr.read()
print(p.wait(), len(err))
EOF
if [ "$(cat "$WORK/pipe.out")" = "6 0" ]; then
    ok "closed pipe with SIGPIPE ignored: exit 6, no message"
else
    notok "closed pipe with SIGPIPE ignored: exit 6, no message" "got: $(cat "$WORK/pipe.out")"
fi

# ---- a full file system (a 64 KiB tmpfs) ----
MNT=$WORK/mnt
mkdir -p "$MNT"
if [ "$(id -u)" -ne 0 ] || ! mount -t tmpfs -o size=64k,mode=0777 hstrace-test "$MNT" 2>/dev/null; then
    skip "full file system" "cannot mount a tmpfs here (needs root)"
else
    trap 'umount "$MNT" 2>/dev/null; cleanup' EXIT
    dd if=/dev/zero of="$MNT/fill" bs=4k >/dev/null 2>&1
    trace_json --demo --keylog "$MNT/keys.log"
    check "key log on a full disk: warned at once with the reason, exit 6, the trace complete" eval '
        rc_is 6 && [ "$(q .exit_code)" = 6 ] && [ "$(q .result)" = ok ] &&
        grep -qx "hstrace: cannot write key log $MNT/keys.log: No space left on device" "$OUT.err"'
    check "key log on a full disk: the empty file it created is removed" eval '! [ -e "$MNT/keys.log" ]'

    trace_json --demo -w "$MNT/x.pcapng"
    if grep -q 'needs packet capture' "$OUT.err"; then
        skip "-w on a full disk" "no packet capture permission here"
    else
        check "-w on a full disk: exit 6, the file and the reason said, no file left" eval '
            rc_is 6 && [ "$(q .result)" = ok ] && ! [ -e "$MNT/x.pcapng" ] &&
            grep -qx "hstrace: -w: cannot write $MNT/x.pcapng: No space left on device" "$OUT.err"'
        rm -f "$MNT/fill"
        trace_json --demo -w "$MNT/x.pcapng"
        check "-w again with room: the same name is free (no 0-byte file refused as existing)" eval '
            rc_is 0 && [ -s "$MNT/x.pcapng" ]'
    fi
fi

# ---- inputs where a file is meant ----
mkfifo "$WORK/fifo"
# refuse_case NAME PATTERN ARGS...: exit status 2 or 0 at once (no hang) with PATTERN on stderr.
refuse_case() {
    local name=$1 pattern=$2
    shift 2
    timeout 30 "$HSTRACE" "$@" >"$WORK/in.out" 2>"$WORK/in.err" </dev/null
    RC=$?
    if [ "$RC" -ne 124 ] && grep -q -- "$pattern" "$WORK/in.err"; then
        ok "$name"
    else
        notok "$name" "rc=$RC" "stderr: $(head -c 300 "$WORK/in.err")"
    fi
}
refuse_case "-r --keylog /dev/zero: refused at once" "key log not read: /dev/zero is not a regular file" \
    -r "$WORK/empty.pcap" --keylog /dev/zero
refuse_case "-r --keylog /dev/urandom: refused at once" "is not a regular file (a character device)" \
    -r "$WORK/empty.pcap" --keylog /dev/urandom
refuse_case "-r --keylog FIFO with no writer: refused at once" "$WORK/fifo is not a regular file (a FIFO)" \
    -r "$WORK/empty.pcap" --keylog "$WORK/fifo"
refuse_case "-r FIFO with no writer: refused at once, -r - suggested" "not a regular file (a FIFO).*-r -" \
    -r "$WORK/fifo"
refuse_case "--cafile FIFO with no writer: refused at once" "CA file not read: .*not a regular file (a FIFO)" \
    --plain --cafile "$WORK/fifo" "localhost:$PORT"
check_rc2() { [ "$RC" -eq 2 ]; }
if check_rc2; then ok "--cafile FIFO: a usage error (2)"; else notok "--cafile FIFO: a usage error (2)" "rc=$RC"; fi
cat "$WORK/empty.pcap" | "$HSTRACE" -r - --json >"$WORK/stdin.json" 2>"$WORK/stdin.err"
RC=$?
if [ "$RC" -eq 0 ] && [ "$(jq -r .source.packets "$WORK/stdin.json")" = 0 ]; then
    ok "-r - still reads standard input"
else
    notok "-r - still reads standard input" "rc=$RC $(head -c 300 "$WORK/stdin.err")"
fi
