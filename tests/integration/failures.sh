#!/usr/bin/env bash
# Every failure draws the ladder up to where it broke, one reason, the documented exit code.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")

verify_case() {
    local name=$1 cert=$2 problem=$3
    start_openssl -cert "$PKI/$cert.crt" -key "$PKI/ec.key"
    trace_json "${CA[@]}" "localhost:$PORT"
    check "verify fails: $name" eval '
        rc_is 5 && [ "$(q .result)" = failed ] && [ "$(q .error.stage)" = verify ] &&
        [ "$(q .certificate.verified)" = false ] &&
        q ".certificate.problems[]" | grep -qx "'"$problem"'" &&
        [ "$(q "[.events[] | select(.type==\"Alert\" and .from==\"client\")] | length")" -ge 1 ] &&
        tls_types | grep -q Certificate'
    trace_json "${CA[@]}" -k "localhost:$PORT"
    check "verify fails but -k goes on: $name" eval '
        rc_is 0 && [ "$(q .result)" = ok ] && q ".certificate.problems[]" | grep -qx "'"$problem"'"'
    stop_pid "$LAST_PID"
}
verify_case expired expired expired
verify_case "wrong name" wrong "name mismatch"
verify_case "unknown CA" unknown "unknown CA"

# Version mismatch: the server speaks TLS 1.3 only, the client offers 1.2 only.
start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" -tls1_3
trace_json "${CA[@]}" --tls1.2 "localhost:$PORT"
check "version mismatch: server alert" eval '
    rc_is 1 && [ "$(q .error.stage)" = tls ] &&
    [ "$(q "[.events[] | select(.type==\"Alert\" and .from==\"server\")] | length")" = 1 ] &&
    q "[.events[] | select(.type==\"Alert\")][0].summary" | grep -q protocol_version'
stop_pid "$LAST_PID"

# Nobody listening.
PORT=$(free_port)
trace_json "127.0.0.1:$PORT"
check "connection refused" eval 'rc_is 3 && [ "$(q .error.stage)" = connect ] && q .error.message | grep -qi refused'

# A name that does not resolve.
trace_json "no-such-host.invalid"
check "DNS failure" eval 'rc_is 3 && [ "$(q .error.stage)" = dns ]'

# A server that accepts and says nothing: the handshake timeout holds.
start_py_server 'pass'
start=$(date +%s%N)
trace_json --timeout 1 "127.0.0.1:$PORT"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "silent server: timeout after --timeout" eval '
    rc_is 4 && [ "$(q .error.stage)" = timeout ] && tls_types | grep -q ClientHello &&
    [ "$took_ms" -lt 3500 ]'
stop_pid "$LAST_PID"

# A plain HTTP server: the peer does not speak TLS.
start_py_server 'c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"); c.close()'
trace_json "127.0.0.1:$PORT"
check "plain HTTP server: not TLS" eval '
    rc_is 1 && [ "$(q .error.stage)" = tls ] && q .error.message | grep -qi "not tls\|not speak tls\|HTTP"'
stop_pid "$LAST_PID"

# A server that reads the ClientHello and closes: "closed during the handshake".
start_py_server 'c.recv(4096); c.close()'
trace_json "127.0.0.1:$PORT"
check "server closes mid-handshake" eval '
    rc_is 1 && [ "$(q .error.stage)" = tls ] && q .error.message | grep -qi closed &&
    tls_types | grep -q ClientHello &&
    [ "$(q "[.events[] | select(.type==\"FIN\" and .from==\"server\")] | length")" -ge 1 ]'
stop_pid "$LAST_PID"

# A listener whose backlog is full and never accepts: SYNs go unanswered, connect times out.
PORT=$(free_port)
python3 -c 'import socket,sys,time
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(0)
fill=[]
for i in range(4):
    c=socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", int(sys.argv[1])))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.3)
print("ready", flush=True)
time.sleep(60)' "$PORT" >"$WORK/backlog.log" 2>&1 &
PIDS+=("$!")
LAST_PID=$!
for _ in $(seq 1 100); do grep -q ready "$WORK/backlog.log" && break; sleep 0.05; done
start=$(date +%s%N)
trace_json --timeout 1 "127.0.0.1:$PORT"
took_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "connect timeout after --timeout" eval '
    rc_is 4 && [ "$(q .error.stage)" = timeout ] && q .error.message | grep -qi connect &&
    [ "$took_ms" -lt 3500 ]'
stop_pid "$LAST_PID"
