#!/usr/bin/env bash
# -w: live traces against openssl s_server written as pcap and pcapng.  tshark reads both with
# no warning, decrypts the pcapng handshake from its Decryption Secrets Block alone (no key log
# option, no user preferences), and the packets are the connection's, SYN first, nothing but
# ACKs after the last FIN/RST.  Without capture permission -w fails before connecting.
. "$(dirname "$0")/../lib.sh"
if ! command -v tshark >/dev/null; then
    skip "pcap writer" "tshark not installed"
    exit 0
fi
make_pki
mkdir -p "$WORK/home"
# tshark with no preferences of the user running the tests (no key log configured anywhere).
ts() { HOME=$WORK/home XDG_CONFIG_HOME=$WORK/home tshark -n "$@"; }
# tshark's stderr minus the notice it prints when run as root.
ts_warnings() { grep -v 'Running as user "root"' "$1"; }

start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" -tls1_3
SERVER_PID=$LAST_PID
F=$WORK/probe.pcap
trace_json --cafile "$PKI/ca.crt" -w "$F" "localhost:$PORT"
if grep -q 'needs packet capture' "$OUT.err"; then
    skip "pcap writer (live)" "no packet capture permission here"
    CAN_CAPTURE=false
else
    CAN_CAPTURE=true
fi

# write_case NAME FORMAT-IN-CAPINFOS
write_case() {
    local name=$1 kind=$2
    F=$WORK/$name
    trace_json --cafile "$PKI/ca.crt" -w "$F" "localhost:$PORT"
    local port=$PORT
    check "-w $name: the trace runs, the file is written, nothing on stderr" eval '
        rc_is 0 && [ "$(q .result)" = ok ] && [ -s "$F" ] && ! [ -s "$OUT.err" ]'
    check "-w $name: $kind, tshark reads it with no warning" eval '
        capinfos -t "$F" | grep -q -- "- $kind\$" &&
        ts -r "$F" >"$F.txt" 2>"$F.err" && [ -s "$F.txt" ] && [ -z "$(ts_warnings "$F.err")" ]'
    # Every frame is the connection's; SYN first; after the last FIN or RST only empty ACKs;
    # the ladder's TCP rows point at the frames that carried them.
    ts -r "$F" -T fields -e frame.number -e tcp.srcport -e tcp.dstport -e tcp.flags.syn \
        -e tcp.flags.ack -e tcp.flags.fin -e tcp.flags.reset -e tcp.len >"$F.tcp" 2>/dev/null
    check "-w $name: the packets are the connection's, SYN first, FIN/RST last" eval '
        awk -v port='"$port"' -v cport="$(q .target.client_address | sed "s/.*://")" "
            NR == 1 && !(\$4 == 1 && \$5 == 0) { bad = \"first is not a SYN\" }
            !((\$2 == port && \$3 == cport) || (\$3 == port && \$2 == cport)) { bad = \"frame \" \$1 \" is another connection\" }
            \$6 == 1 || \$7 == 1 { last = NR }
            { len[NR] = \$8 }
            END {
                if (!last) bad = bad \" no FIN/RST\"
                for (i = last + 1; i <= NR; i++) if (len[i] != 0) bad = bad \" data after the close\"
                if (bad) { print bad; exit 1 }
            }" "$F.tcp" &&
        [ "$(q "[.events[] | select(.layer==\"tcp\" and .type==\"SYN\") | .frames[0]] | .[0]")" = 1 ] &&
        [ "$(q "[.events[] | select(.layer==\"tcp\") | .frames[0]] | max")" -le "$(wc -l <"$F.tcp")" ]'
}

if $CAN_CAPTURE; then
    write_case x.pcap pcap
    check "-w x.pcap: no decryption without keys (the pcapng test below means something)" eval '
        [ -z "$(ts -r "$F" -Y "tls.handshake.type==8" 2>/dev/null)" ]'

    for name in x.pcapng X.PcapNG; do
        write_case "$name" pcapng
        check "-w $name: tshark decrypts EncryptedExtensions from the DSB alone" eval '
            ts -r "$F" -Y "tls.handshake.type==8" >"$F.ee" 2>"$F.ee.err" &&
            grep -q "Encrypted Extensions" "$F.ee" && [ -z "$(ts_warnings "$F.ee.err")" ]'
        check "-w $name: both Finished messages decrypted too (the whole key log is there)" eval '
            [ "$(ts -r "$F" -Y "tls.handshake.type==20" -T fields -e frame.number 2>/dev/null | wc -l)" -ge 2 ]'
    done

    # A path that cannot be written: the trace still runs and says so on stderr.
    trace_json --cafile "$PKI/ca.crt" -w "$WORK/no/such/dir.pcap" "localhost:$PORT"
    check "-w into a missing directory: trace ok, the write error on stderr, exit 6" eval '
        rc_is 6 && [ "$(q .result)" = ok ] && grep -q "cannot create" "$OUT.err"'
    # Never through a symlink (someone else's file).
    ln -s "$WORK/victim" "$WORK/link.pcap"
    trace_json --cafile "$PKI/ca.crt" -w "$WORK/link.pcap" "localhost:$PORT"
    check "-w onto a symlink: refused, the target untouched" eval '
        rc_is 6 && grep -q "cannot create" "$OUT.err" && ! [ -e "$WORK/victim" ]'
fi
stop_pid "$SERVER_PID"

# Without capture permission: exit 2 before connecting, with the reason and the fix.
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    skip "-w without capture permission" "needs root to drop to nobody"
    exit 0
fi
chmod 755 "$WORK"
# A listener that notes whether anybody connected.
LPORT=$(free_port)
start_bg python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5); s.settimeout(20)
open(sys.argv[2] + ".ready", "w").close()
c, _ = s.accept(); open(sys.argv[2], "w").write("connected\n")
' "$LPORT" "$WORK/accepted"
for i in $(seq 1 100); do [ -e "$WORK/accepted.ready" ] && break; sleep 0.05; done
OUT=$WORK/nobody.out
setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$HSTRACE" -w "$WORK/nobody.pcapng" "127.0.0.1:$LPORT" >"$OUT" 2>"$OUT.err"
RC=$?
sleep 0.2
JSON_INVALID=""
check "-w without capture permission: exit 2 before connecting, reason and fix said" eval '
    rc_is 2 && ! [ -s "$OUT" ] && ! [ -e "$WORK/nobody.pcapng" ] && ! [ -e "$WORK/accepted" ] &&
    grep -q "^hstrace: -w needs packet capture: .*; run as root or: sudo setcap cap_net_raw,cap_net_admin=eip /" "$OUT.err"'
