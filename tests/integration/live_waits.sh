#!/usr/bin/env bash
# What a live trace waits for after the handshake (man page, "What a live trace waits for"):
# the TLS 1.3 tickets for about one measured round trip, not a fixed 300 ms; every ticket of
# the server's flight still becomes a row; the capture file still holds every packet.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")

# ms from the client's Finished to the trace's last row (the server's FIN): the tickets and
# the close.
ticket_wait_ms() {
    q '([.events[] | select(.type=="Finished" and .from=="client")][0].t_ms) as $f |
       (.events[-1].t_ms) - $f'
}

# A TLS server (Python's ssl) that sends $1 tickets, then says nothing until the client
# closes, as a web server waiting for a request does; it answers close_notify with its own
# and a FIN.
quiet_server() {
    start_py_server "import ssl
x = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
x.load_cert_chain('$PKI/ec.crt', '$PKI/ec.key')
x.num_tickets = $1
t = None
try:
    t = x.wrap_socket(c, server_side=True)
    t.settimeout(5)
    t.recv(1)
    t = t.unwrap()
except (OSError, ssl.SSLError):
    pass  # wait_port's probe, a client that gave up
(t or c).close()"
}

# A TLS 1.3 server that sends no ticket: on loopback the trace closes after a few ms (it
# waited the whole 300 ms before); 150 ms leaves room for a loaded machine.
quiet_server 0
for i in 1 2 3; do
    trace_json "${CA[@]}" "localhost:$PORT"
    w=$(ticket_wait_ms)
    check "no ticket (run $i): no 300 ms wait after the handshake (waited ${w} ms)" eval '
        rc_is 0 && ! types_contain NewSessionTicket && awk -v w="$w" "BEGIN {exit !(w < 150)}"'
done
stop_pid "$LAST_PID"

# Two tickets, four (OpenSSL sends them with its Finished, as RFC 8446 4.6.1 allows): each
# is a row, and -w keeps the packets up to the end.
for n in 2 4; do
    quiet_server "$n"
    trace_json "${CA[@]}" -w "$WORK/t$n.pcap" "localhost:$PORT"
    got=$(q '[.events[] | select(.type=="NewSessionTicket")] | length')
    # Senders of a FIN (a retransmitted FIN counts once).
    fins=$(tshark -r "$WORK/t$n.pcap" -Y 'tcp.flags.fin==1' -T fields -e tcp.srcport 2>/dev/null |
        sort -u | wc -l)
    alerts=$(q '[.events[] | select(.type=="Alert")] | length')
    check "$n tickets sent: $n rows ($got), close_notify both ways ($alerts), FINs from both sides in the -w file ($fins)" eval '
        rc_is 0 && [ "$got" = "$n" ] && [ "$alerts" = 2 ] && [ "$fins" = 2 ]'
    stop_pid "$LAST_PID"
done

# TLS 1.2 has no tickets to wait for after Finished: the close follows at once.
quiet_server 0
trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
w=$(ticket_wait_ms)
check "TLS 1.2: no wait after the handshake (${w} ms)" eval '
    rc_is 0 && awk -v w="$w" "BEGIN {exit !(w < 150)}"'
stop_pid "$LAST_PID"
