#!/usr/bin/env bash
# The files hstrace writes and the privileges it keeps.  Key logs: created 0600, appended to
# when they exist (ours, regular), never through a symlink, never another user's, a warning
# on stderr.  -w and the interactive view's save: never over an existing file without
# --force (then replaced, not written through), never through a symlink, pcapng 0600.  A
# refused key log or -w file is an output not written: exit status 6.  Run as
# root through sudo (SUDO_UID/SUDO_GID) or with -Z USER: the capture is opened as root (TCP
# rows are captured, not inferred) and everything after runs as the user (the files it
# writes are theirs).
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh
umask 022

# demo ARGS...: a --json demo trace (OUT, RC set; the JSON validated).
demo() { trace_json --demo "$@"; }
# refused ARGS...: a --json demo run that must stop with a usage error (no JSON to validate).
refused() { trace_json --demo "$@"; JSON_INVALID=""; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
mode() { stat -c %a "$1"; }
owner() { stat -c %u:%g "$1"; }
WARN='^hstrace: writing TLS secrets to .*: anyone with this file can decrypt the connection$'

# ---- key logs ----
K=$WORK/keys.log
demo --keylog "$K"
check "--keylog: a new key log is 0600, with a warning that it is a secret" eval '
    rc_is 0 && [ "$(mode "$K")" = 600 ] && [ "$(wc -l <"$K")" -ge 4 ] && grep -q "$WARN" "$OUT.err"'
before=$(wc -l <"$K")
chmod 644 "$K"
demo --keylog "$K"
check "--keylog: an existing key log is appended to (NSS convention) and made 0600" eval '
    rc_is 0 && [ "$(wc -l <"$K")" -ge $((before + 4)) ] && [ "$(mode "$K")" = 600 ]'
SSLKEYLOGFILE=$WORK/env.log demo
check "SSLKEYLOGFILE: created 0600, with the warning" eval '
    rc_is 0 && [ "$(mode "$WORK/env.log")" = 600 ] && grep -q "$WARN" "$OUT.err"'

echo "precious" >"$WORK/victim"
ln -s "$WORK/victim" "$WORK/link.log"
demo --keylog "$WORK/link.log"
check "--keylog onto a symlink: refused (not followed), the trace still runs, exit 6" eval '
    rc_is 6 && [ "$(cat "$WORK/victim")" = precious ] &&
    grep -q "key log not written: .*symbolic link" "$OUT.err" && ! grep -q "$WARN" "$OUT.err"'
ln -s "$WORK/nowhere" "$WORK/dangling.log"
demo --keylog "$WORK/dangling.log"
check "--keylog onto a dangling symlink: refused, nothing created at its target" eval '
    rc_is 6 && ! [ -e "$WORK/nowhere" ] && grep -q "symbolic link" "$OUT.err"'
mkfifo "$WORK/fifo.log"
OUT=$WORK/fifo.json
timeout 60 "$HSTRACE" --json --demo --keylog "$WORK/fifo.log" >"$OUT" 2>"$OUT.err"
RC=$?
check "--keylog onto a fifo: refused at once (no hang)" eval '
    rc_is 6 && grep -q "not a regular file" "$OUT.err"'
if [ "$(id -u)" -eq 0 ]; then
    echo "theirs" >"$WORK/theirs.log"
    chown 65534:65534 "$WORK/theirs.log"
    demo --keylog "$WORK/theirs.log"
    check "--keylog onto another user's file: refused, untouched" eval '
        rc_is 6 && [ "$(cat "$WORK/theirs.log")" = theirs ] &&
        grep -q "belongs to another user" "$OUT.err"'
fi

# ---- -w and --force ----
HAVE_CAPTURE=false
demo -w "$WORK/first.pcap"
[ "$RC" -eq 0 ] && [ -s "$WORK/first.pcap" ] && HAVE_CAPTURE=true
if ! $HAVE_CAPTURE; then
    skip "-w files" "no packet capture permission here"
else
    check "-w x.pcap: 0644 (umask 022)" eval '[ "$(mode "$WORK/first.pcap")" = 644 ]'
    demo -w "$WORK/first.pcapng"
    check "-w x.pcapng: 0600 (its Decryption Secrets Block is a key log)" eval '
        rc_is 0 && [ "$(mode "$WORK/first.pcapng")" = 600 ]'
    old=$(sum "$WORK/first.pcap")
    demo -w "$WORK/first.pcap"
    check "-w over an existing file: refused without --force, the file untouched" eval '
        rc_is 6 && [ "$(sum "$WORK/first.pcap")" = "$old" ] &&
        grep -q "cannot create .*first.pcap: it exists (--force overwrites it)" "$OUT.err"'
    ln "$WORK/first.pcap" "$WORK/hardlink.pcap"
    demo --force -w "$WORK/first.pcap"
    check "-w --force: the file is replaced by a new one (a hard link keeps the old content)" eval '
        rc_is 0 && [ "$(sum "$WORK/first.pcap")" != "$old" ] &&
        [ "$(sum "$WORK/hardlink.pcap")" = "$old" ] && ! [ -s "$OUT.err" ]'
    ln -s "$WORK/victim" "$WORK/link.pcapng"
    demo --force -w "$WORK/link.pcapng"
    check "-w --force onto a symlink: still refused, the target untouched" eval '
        rc_is 6 && [ "$(cat "$WORK/victim")" = precious ] && grep -q "symbolic link" "$OUT.err"'
    mkdir "$WORK/adir.pcap"
    demo --force -w "$WORK/adir.pcap"
    check "-w --force onto a directory: refused" eval '
        rc_is 6 && [ -d "$WORK/adir.pcap" ] && grep -q "not a regular file" "$OUT.err"'
fi

# ---- -Z and --force on the command line ----
refused -Z no-such-user-hstrace
check "-Z with an unknown user: usage error before anything runs" eval '
    rc_is 2 && [ "$(q .error.stage)" = usage ] && [ "$(q ".events | length")" = 0 ] && grep -q "unknown user" "$OUT.err"'
# -r parses the file as the -Z user: a file only root may read cannot be opened, a public one can.
if [ "$(id -u)" -eq 0 ]; then
    cp captures/tls13-hrr.pcap "$WORK/rootonly.pcap" && chmod 600 "$WORK/rootonly.pcap"
    "$HSTRACE" -r "$WORK/rootonly.pcap" -Z nobody --plain >/dev/null 2>"$WORK/zr.err"
    RC=$?
    JSON_INVALID=""
    check "-Z with -r: the file is opened as that user" eval 'rc_is 2 && grep -qi "permission denied" "$WORK/zr.err"'
    "$HSTRACE" -r captures/tls13-hrr.pcap -Z nobody --plain >"$WORK/zr.out" 2>"$WORK/zr.err"
    RC=$?
    check "-Z with -r: a readable capture is read" eval 'rc_is 0 && grep -q ClientHello "$WORK/zr.out"'
else
    skip "-Z with -r" "needs root"
fi

# ---- privileges: root through sudo, -Z ----
if [ "$(id -u)" -ne 0 ] || ! id -u nobody >/dev/null 2>&1 || ! $HAVE_CAPTURE; then
    skip "privilege drop" "needs root, packet capture and the nobody user"
else
    NOBODY=$(id -u nobody):$(id -g nobody)
    chmod 755 "$WORK"
    P=$WORK/pub
    mkdir -m 0777 "$P"
    # Exactly what sudo sets for a user with uid and gid 65534.
    SUDO_UID=65534 SUDO_GID=65534 demo --keylog "$P/sudo.log" -w "$P/sudo.pcapng"
    check "sudo (SUDO_UID/GID): captured TCP rows (capture opened as root)" eval '
        rc_is 0 && [ "$(q .tcp_inferred)" = false ] &&
        [ "$(q "[.events[] | select(.layer==\"tcp\" and .inferred)] | length")" = 0 ] &&
        [ "$(q "[.events[] | select(.layer==\"tcp\")] | length")" -ge 3 ]'
    check "sudo: the key log and the capture belong to the user (written after the drop)" eval '
        [ "$(owner "$P/sudo.log")" = 65534:65534 ] && [ "$(mode "$P/sudo.log")" = 600 ] &&
        [ "$(owner "$P/sudo.pcapng")" = 65534:65534 ] && [ "$(mode "$P/sudo.pcapng")" = 600 ]'
    demo -Z nobody --keylog "$P/z.log"
    check "-Z nobody: the same without sudo" eval '
        rc_is 0 && [ "$(q .tcp_inferred)" = false ] && [ "$(owner "$P/z.log")" = "$NOBODY" ]'
    SUDO_UID=65534 SUDO_GID=65534 demo -Z root --keylog "$P/root.log"
    check "-Z root: keeps root even under sudo" eval '
        rc_is 0 && [ "$(owner "$P/root.log")" = 0:0 ]'
    SUDO_UID=0 SUDO_GID=0 demo --keylog "$P/sudo-root.log"
    check "SUDO_UID=0 (sudo by root): stays root" eval '
        rc_is 0 && [ "$(owner "$P/sudo-root.log")" = 0:0 ]'
    demo --keylog "$P/plain.log"
    check "plain root (no sudo, no -Z): stays root" eval '
        rc_is 0 && [ "$(owner "$P/plain.log")" = 0:0 ]'
    SUDO_UID=12x SUDO_GID=65534 refused
    check "SUDO_UID that is not a number: usage error (never a silent root)" eval '
        rc_is 2 && grep -q "SUDO_UID" "$OUT.err"'
    # The user cannot write where only root can: the drop is real.
    mkdir -m 0755 "$WORK/rootonly"
    SUDO_UID=65534 SUDO_GID=65534 demo --keylog "$WORK/rootonly/k.log"
    check "sudo: after the drop, a root-only directory cannot be written" eval '
        rc_is 6 && ! [ -e "$WORK/rootonly/k.log" ] && grep -q "Permission denied" "$OUT.err"'
    if command -v setpriv >/dev/null; then
        OUT=$WORK/np.json
        setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
            "$HSTRACE" --json --demo -Z root >"$OUT" 2>"$OUT.err"
        RC=$?
        JSON_INVALID=""
        check "-Z root when not root: usage error" eval '
            rc_is 2 && grep -q "only root can change user" "$OUT.err"'
    fi
fi

# ---- the interactive view's save: refuses an existing file unless --force ----
if ! command -v tmux >/dev/null; then
    skip "interactive save" "tmux is not installed"
    exit 0
fi
SOCK=hstrace-fp-$$
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; cleanup' EXIT
wait_screen() { # REGEX [SECONDS]
    local end=$(($(date +%s) + ${2:-15}))
    while [ "$(date +%s)" -le "$end" ]; do
        T capture-pane -p -t t | grep -Eq -- "$1" && return 0
        sleep 0.1
    done
    return 1
}
tui_save() { # NAME FILE EXPECT-REGEX [HSTRACE-ARGS...]
    local name=$1 file=$2 re=$3
    shift 3
    T kill-server 2>/dev/null
    T -f /dev/null new-session -d -s t -x 120 -y 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        "$HSTRACE" --demo "$@"
    # Saving waits for the trace to end ("done in" in the header).
    if wait_screen 'done in [0-9.]+ ms' 30; then
        T send-keys -t t s
        wait_screen 'save as' 10 && T send-keys -t t C-u "$file" Enter
        if wait_screen "$re" 10; then ok "$name"; else
            notok "$name" "$(T capture-pane -p -t t | grep -v '^ *$' | tail -3)"
        fi
    else
        notok "$name" "the view did not show the trace: $(T capture-pane -p -t t | tail -3)"
    fi
    T kill-server 2>/dev/null
}
echo "keep me" >"$WORK/saved.json"
tui_save "view: save onto an existing file is refused without --force" "$WORK/saved.json" \
    'exists \(--force overwrites it\)'
RC=0
JSON_INVALID=""
check "view: the existing file is untouched" eval '[ "$(cat "$WORK/saved.json")" = "keep me" ]'
tui_save "view: with --force the save replaces it" "$WORK/saved.json" 'saved the JSON document' \
    --force
check "view: the file now holds the trace" eval '
    jq -e ".result == \"ok\"" "$WORK/saved.json" >/dev/null'
