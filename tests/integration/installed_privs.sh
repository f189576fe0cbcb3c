#!/usr/bin/env bash
# The two installs the man page names for capture without sudo — set-user-ID root, and file
# capabilities (setcap) — run by an ordinary user (nobody).  Who ran hstrace is the real uid:
# -Z is refused, and once the capture is open every thread drops to that user with no
# capability left, before any file the user named (CA files, key logs, -w, -r) is opened.
cd "$(dirname "$0")/../.." || exit 1
# shellcheck source=../lib.sh
. tests/lib.sh
umask 022

if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null || ! id -u nobody >/dev/null 2>&1; then
    skip "set-user-ID and setcap installs" "needs root, setpriv and the nobody user"
    exit 0
fi
NOBODY_UID=$(id -u nobody)
NOBODY_GID=$(id -g nobody)
chmod 755 "$WORK"
make_pki
chmod -R a+rX "$PKI"
P=$WORK/pub # where nobody may write
mkdir -m 0777 "$P"
mkdir -m 0755 "$WORK/rootonly" # where only root may write
echo "TOPSECRET-$$-line" >"$WORK/secret.txt" # "54 4f 50 53" in hex
chmod 600 "$WORK/secret.txt"
cp "$PKI/ca.crt" "$WORK/rootca.crt"
chmod 600 "$WORK/rootca.crt"
mkdir -m 0700 "$WORK/rootcadir"
cp "$PKI/ca.crt" "$WORK/rootcadir/"
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
chmod a+r "$PKI/ec.key" # s_server has it open already; nobody reads nothing of it

as_nobody() { setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups "$@"; }
# run NAME ARGS...: the install NAME run by nobody with --json (OUT, RC; schema not checked).
run() {
    local b=$BIN/$1
    shift
    OUT=$WORK/out-$RANDOM.json
    as_nobody "$b" --json "$@" >"$OUT" 2>"$OUT.err" </dev/null
    RC=$?
    JSON_INVALID=""
}
captured() {
    rc_is 0 && [ "$(q .tcp_inferred)" = false ] &&
        [ "$(q "[.events[] | select(.layer==\"tcp\" and .inferred)] | length")" = 0 ] &&
        [ "$(q "[.events[] | select(.layer==\"tcp\")] | length")" -ge 3 ]
}
# threads_unprivileged PID SETS: every thread of PID has ids all nobody's, nothing in the
# capability sets matched by the regex SETS, no_new_privs.
threads_unprivileged() {
    local st bad=0
    for st in /proc/"$1"/task/*/status; do
        awk -v u="$NOBODY_UID" -v sets="^Cap($2):" '
            /^Uid:/ { if ($2 != u || $3 != u || $4 != u || $5 != u) bad = 1 }
            $0 ~ sets { if ($2 !~ /^0+$/) bad = 1 }
            /^NoNewPrivs:/ { if ($2 != 1) bad = 1 }
            END { exit bad }' "$st" || { bad=1; sed -n '/^Uid/p;/^Cap/p;/^NoNew/p' "$st" >&2; }
    done
    return "$bad"
}

BIN=$WORK/bin
mkdir -m 0755 "$BIN"
cp "$HSTRACE_BIN" "$BIN/suid"
chown 0:0 "$BIN/suid"
chmod 4755 "$BIN/suid"
INSTALLS="suid"
if [ "$(findmnt -no OPTIONS -T "$BIN" 2>/dev/null | grep -c nosuid)" -ne 0 ]; then
    skip "set-user-ID install" "$BIN is on a nosuid mount"
    INSTALLS=""
fi
cp "$HSTRACE_BIN" "$BIN/cap"
if command -v setcap >/dev/null && setcap cap_net_raw,cap_net_admin=eip "$BIN/cap" 2>/dev/null; then
    INSTALLS="$INSTALLS cap"
else
    skip "setcap install" "setcap is missing or not permitted here"
fi

for I in $INSTALLS; do
    # A plain trace still captures (the handle is opened before the drop).
    run "$I" --cafile "$PKI/ca.crt" --keylog "$P/$I.log" -w "$P/$I.pcapng" "localhost:$PORT"
    check "$I, run by nobody: a trace works, its TCP rows captured (not inferred)" captured
    check "$I: the key log and the capture belong to nobody" eval '
        [ "$(stat -c %u "$P/$I.log")" = "$NOBODY_UID" ] &&
        [ "$(stat -c %u "$P/$I.pcapng")" = "$NOBODY_UID" ]'

    run "$I" --demo -Z root
    check "$I: -Z root by an ordinary user is a usage error" eval '
        rc_is 2 && [ "$(q .error.stage)" = usage ] && [ "$(q ".events | length")" = 0 ] && grep -q "only root can change user" "$OUT.err"'
    run "$I" --demo -Z daemon
    check "$I: -Z another user is a usage error" eval '
        rc_is 2 && grep -q "only root can change user" "$OUT.err"'
    SUDO_UID=0 SUDO_GID=0 run "$I" --demo --keylog "$P/$I-sudo.log"
    check "$I: SUDO_UID from the caller is ignored (the keylog is nobody's)" eval '
        rc_is 0 && [ "$(stat -c %u "$P/$I-sudo.log")" = "$NOBODY_UID" ]'

    run "$I" --demo -w "$WORK/rootonly/$I.pcap"
    check "$I: -w into a root-only directory fails and creates nothing" eval '
        ! [ -e "$WORK/rootonly/$I.pcap" ] && grep -q "Permission denied" "$OUT.err"'
    run "$I" --demo -Z root -w "$WORK/rootonly/$I.pcap"
    check "$I: -Z root -w into a root-only directory: refused, nothing created" eval '
        rc_is 2 && ! [ -e "$WORK/rootonly/$I.pcap" ]'

    echo "root's" >"$WORK/root-$I.log"
    chmod 644 "$WORK/root-$I.log"
    run "$I" --demo --keylog "$WORK/root-$I.log"
    check "$I: --keylog on a root-owned file: refused, mode and content unchanged" eval '
        [ "$(stat -c %a "$WORK/root-$I.log")" = 644 ] &&
        [ "$(cat "$WORK/root-$I.log")" = "root'"'"'s" ] && grep -q "key log not written" "$OUT.err"'
    run "$I" --demo -Z root --keylog "$WORK/root-$I.log"
    check "$I: -Z root --keylog on a root-owned file: refused, mode and content unchanged" eval '
        rc_is 2 && [ "$(stat -c %a "$WORK/root-$I.log")" = 644 ] &&
        [ "$(cat "$WORK/root-$I.log")" = "root'"'"'s" ]'
    SSLKEYLOGFILE=$WORK/root-$I.log run "$I" --demo
    check "$I: SSLKEYLOGFILE naming a root-owned file: refused, unchanged" eval '
        [ "$(stat -c %a "$WORK/root-$I.log")" = 644 ] &&
        [ "$(cat "$WORK/root-$I.log")" = "root'"'"'s" ] && grep -q "key log not written" "$OUT.err"'

    run "$I" -r "$WORK/secret.txt"
    check "$I: -r on a root-only file: permission denied, no byte of it shown" eval '
        rc_is 2 && grep -qi "permission denied" "$OUT.err" && ! grep -q TOPSECRET "$OUT" "$OUT.err"'
    run "$I" -r "$WORK/secret.txt" --keylog "$WORK/secret.txt" -Z root
    check "$I: -Z root -r on a root-only file: refused, no byte of it shown" eval '
        rc_is 2 && ! grep -qi "TOPSECRET\|54 4f 50 53" "$OUT" "$OUT.err"'
    run "$I" -r captures/tls13-hrr.pcap --keylog "$WORK/secret.txt"
    check "$I: -r --keylog on a root-only file: not read" eval '
        grep -q "key log not read" "$OUT.err" && ! grep -q TOPSECRET "$OUT" "$OUT.err"'

    run "$I" --cafile "$WORK/rootca.crt" "localhost:$PORT"
    check "$I: --cafile of a root-only file: refused (not trusted)" eval '
        rc_is 2 && grep -q "CA file not read" "$OUT.err" && [ "$(q .error.stage)" = usage ] && [ "$(q ".events | length")" = 0 ]'
    run "$I" --capath "$WORK/rootcadir" "localhost:$PORT"
    check "$I: --capath of a root-only directory: refused (not trusted)" eval '
        rc_is 2 && grep -q "cannot read CA directory" "$OUT.err"'
    run "$I" --cafile "$WORK/rootca.crt" "no-such-host.invalid"
    check "$I: --cafile of a root-only file with an unknown host: still a usage error" eval '
        rc_is 2 && grep -q "CA file not read" "$OUT.err"'

    # Mid-handshake (the peer never answers): every thread is nobody, with no capability.
    start_py_server 'import time; time.sleep(4); c.close()'
    setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups \
        "$BIN/$I" --json --timeout 3 -k "127.0.0.1:$PORT" >"$WORK/hang.json" 2>&1 &
    HPID=$!
    PIDS+=("$HPID")
    for _ in $(seq 1 40); do
        [ "$(ls /proc/$HPID/task 2>/dev/null | wc -l)" -ge 2 ] && break
        sleep 0.05
    done
    sleep 0.2
    # Only root may empty the bounding set (CAP_SETPCAP), so only the set-user-ID run does.
    sets="Inh|Prm|Eff|Amb"
    [ "$I" = suid ] && sets="$sets|Bnd"
    name="$I: during the handshake every thread is nobody, no capability ($sets), no_new_privs"
    if threads_unprivileged "$HPID" "$sets" 2>"$WORK/threads.err"; then
        ok "$name"
    else
        notok "$name" \
            "$(head -c 400 "$WORK/threads.err")"
    fi
    stop_pid "$HPID"
    stop_pid "$LAST_PID"
    start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key"
done
