#!/usr/bin/env bash
# --http [PATH]: a GET after the handshake against openssl s_server -www, gnutls-serv --http,
# nginx and scripted TLS peers (a 404, a server that closes without answering, a hostile
# header); the status, header fields, time to first byte, the application data rows.
. "$(dirname "$0")/../lib.sh"
make_pki
CA=(--cafile "$PKI/ca.crt")

# A Python TLS server on a free port (sets PORT): for each connection `c`, after the
# handshake, runs the Python statement $1.
start_py_tls() {
    PORT=$(free_port)
    start_bg python3 -c 'import socket,ssl,sys
ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[3], sys.argv[4])
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
while True:
    raw,_=s.accept()
    try:
        c=ctx.wrap_socket(raw, server_side=True)
        exec(sys.argv[2])
    except Exception as e:
        print(e, flush=True)' "$PORT" "$1" "$PKI/ec.crt" "$PKI/ec.key"
    wait_port "$PORT"
}
# The client's and the server's first ApplicationData rows' "http" field.
app_http() { q "[.events[] | select(.type==\"ApplicationData\" and .from==\"$1\") | .fields.http][0]"; }

start_openssl -cert "$PKI/ec.crt" -key "$PKI/ec.key" -www
trace_json "${CA[@]}" --http "localhost:$PORT"
check "openssl -www: status 200, headers, time to first byte" eval '
    rc_is 0 && [ "$(q .http.status)" = 200 ] && [ "$(q .http.request)" = "GET / HTTP/1.1" ] &&
    q .http.status_line | grep -q "^HTTP/1.[01] 200" && [ "$(q ".http.ttfb_ms | type")" = number ] &&
    [ "$(q ".http.headers | length > 0")" = true ] && [ "$(q .http.error)" = null ] &&
    [ "$(q ".http.headers[0] | keys | join(\",\")")" = "name,value" ]'
check "openssl -www: the application data rows say the request and status lines" eval '
    [ "$(app_http client)" = "GET / HTTP/1.1" ] && app_http server | grep -q "^HTTP/1.[01] 200" &&
    [ "$(q "[.events[] | select(.type==\"ApplicationData\")][0] | .encrypted and .decrypted")" = true ]'
check "openssl -www: the tickets that came while reading are rows" eval '
    [ "$(q "[.events[] | select(.type==\"NewSessionTicket\")] | length > 0")" = true ]'
check "--http offers only http/1.1 in ALPN" eval '
    q "[.events[] | select(.type==\"ClientHello\")][0].summary" | grep -q "ALPN http/1.1$"'
trace_json "${CA[@]}" --tls1.2 --http /abc "localhost:$PORT"
check "openssl -www TLS 1.2, --http PATH as the next word" eval '
    rc_is 0 && [ "$(q .tls.version)" = "TLS 1.2" ] && [ "$(q .http.request)" = "GET /abc HTTP/1.1" ] &&
    [ "$(q .http.status)" = 200 ]'
trace_json "${CA[@]}" "localhost:$PORT" --http=/x%20y
check "--http=PATH after the target" eval 'rc_is 0 && [ "$(q .http.request)" = "GET /x%20y HTTP/1.1" ]'
run_text "${CA[@]}" --plain --http "localhost:$PORT"
check "text: the http line and the header fields under the timings" eval '
    rc_is 0 && grep -q "^http: GET / HTTP/1.1 → HTTP/1.[01] 200 .* · first byte [0-9.]* ms · [0-9]* headers\?, [0-9]* bytes$" "$OUT" &&
    grep -q "^  [A-Za-z-]*: " "$OUT" &&
    grep -q "ApplicationData .*GET / HTTP/1.1$" "$OUT"'
stop_pid "$LAST_PID"

start_gnutls --x509certfile "$PKI/ec.crt" --x509keyfile "$PKI/ec.key" --http
trace_json "${CA[@]}" --http "localhost:$PORT"
check "gnutls-serv --http: status 200 and its headers" eval '
    rc_is 0 && [ "$(q .http.status)" = 200 ] && [ "$(q ".http.ttfb_ms | type")" = number ] &&
    [ "$(q ".http.headers | length > 0")" = true ]'
stop_pid "$LAST_PID"

start_nginx '<p>hello from nginx</p>' 'add_header X-Test "hstrace";'
case $? in
0)
        trace_json "${CA[@]}" --http /index.html "localhost:$NPORT"
        check "nginx: 200 for the static page, Content-Length and its own header" eval '
            rc_is 0 && [ "$(q .http.status)" = 200 ] && [ "$(q .http.status_line)" = "HTTP/1.1 200 OK" ] &&
            [ "$(q ".http.headers[] | select(.name==\"Content-Length\") | .value")" = 24 ] &&
            [ "$(q ".http.headers[] | select(.name==\"X-Test\") | .value")" = hstrace ] &&
            [ "$(q .http.error)" = null ] && [ "$(q ".http.bytes > 24")" = true ]'
        trace_json "${CA[@]}" --http /missing "localhost:$NPORT"
        check "nginx: a 404 is reported, the exit status stays 0" eval '
            rc_is 0 && [ "$(q .http.status)" = 404 ] && [ "$(q .http.status_line)" = "HTTP/1.1 404 Not Found" ] &&
            [ "$(app_http server)" = "HTTP/1.1 404 Not Found" ]'
        trace_json "${CA[@]}" --tls1.2 --http "localhost:$NPORT"
        check "nginx TLS 1.2: 200 for /" eval 'rc_is 0 && [ "$(q .http.status)" = 200 ] && [ "$(q .tls.version)" = "TLS 1.2" ]'
        stop_pid "$LAST_PID" ;;
1) skip "nginx --http" "nginx is not installed" ;;
*) skip "nginx --http" "nginx did not start: $(head -c 200 "$NGINX_LOG")"; stop_pid "$LAST_PID" ;;
esac

start_py_tls 'c.recv(4096); c.close()'
trace_json "${CA[@]}" --http "localhost:$PORT"
check "a server that closes without a response: said, status null, exit 0" eval '
    rc_is 0 && [ "$(q .http.status)" = null ] && [ "$(q .http.headers)" = "[]" ] &&
    [ "$(q .http.error)" = "the server closed the connection without a response" ] &&
    [ "$(q .http.ttfb_ms)" = null ]'
run_text "${CA[@]}" --plain --http "localhost:$PORT"
check "text: no response, and why" eval '
    grep -q "^http: GET / HTTP/1.1 → no response · 0 headers, 0 bytes · the server closed the connection without a response$" "$OUT"'
stop_pid "$LAST_PID"

start_py_tls 'import time; c.recv(4096); time.sleep(5); c.close()'
trace_json "${CA[@]}" --timeout 1 --http "localhost:$PORT"
check "a server that never answers: bounded by --timeout" eval '
    rc_is 0 && [ "$(q .http.error)" = "no response within 1 s" ] && [ "$(q .http.status)" = null ]'
stop_pid "$LAST_PID"

start_py_tls 'c.recv(4096); c.sendall(b"HTTP/1.1 200 OK\r\nX-Evil: \x1b[31mred\x07\r\nSet-Cookie: a=1\r\nContent-Length: 2\r\n\r\nhi"); c.close()'
trace_json "${CA[@]}" --http "localhost:$PORT"
check "hostile header: escaped in JSON, the body length honoured" eval '
    rc_is 0 && [ "$(q .http.status)" = 200 ] &&
    [ "$(q ".http.headers[0].value")" = "\\x1b[31mred\\x07" ] && [ "$(q .http.bytes)" = 76 ]'
run_text "${CA[@]}" --plain --http "localhost:$PORT"
check "hostile header: no control character reaches the terminal" eval '
    rc_is 0 && ! grep -q "$(printf "\x1b")" "$OUT" && ! grep -q "$(printf "\x07")" "$OUT" &&
    grep -qF "X-Evil: \\x1b[31mred\\x07" "$OUT"'
stop_pid "$LAST_PID"

start_py_tls 'c.recv(4096); c.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"); c.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")'
trace_json "${CA[@]}" --http "localhost:$PORT"
check "an interim 1xx response is skipped: the final status, Content-Length 0 ends the read" eval '
    rc_is 0 && [ "$(q .http.status)" = 201 ] && [ "$(q .http.interim)" = 1 ] &&
    [ "$(q .http.error)" = null ] && [ "$(q .http.headers[0].name)" = Content-Length ]'
stop_pid "$LAST_PID"

start_py_tls 'c.recv(4096); c.sendall(b"SSH-2.0-nope\r\n"); c.close()'
trace_json "${CA[@]}" --http "localhost:$PORT"
check "a response that is not HTTP: said" eval '
    rc_is 0 && [ "$(q .http.error)" = "the response is not HTTP/1.x" ] && [ "$(q .http.status)" = null ]'
stop_pid "$LAST_PID"

trace_json --demo --http /hello
check "--demo --http: the built-in server answers" eval '
    rc_is 0 && [ "$(q .http.status)" = 200 ] && [ "$(q .tls.alpn)" = "http/1.1" ] &&
    [ "$(q .http.request)" = "GET /hello HTTP/1.1" ]'
trace_json --demo --http --alpn h2
check "--demo --http --alpn h2: ALPN chose h2, no request, said plainly" eval '
    rc_is 0 && [ "$(q .tls.alpn)" = h2 ] && q .http.error | grep -q "ALPN chose h2: --http speaks HTTP/1.1 only" &&
    [ "$(q "[.events[] | select(.type==\"ApplicationData\")] | length")" = 0 ]'
trace_json --demo --http --reconnect
check "--demo --http --reconnect: both connections GET, the second resumed" eval '
    rc_is 0 && [ "$(q "[.connections[].http.status] | join(\",\")")" = "200,200" ] &&
    [ "$(q .reconnect.resumed)" = true ]'

run_text --http=nopath localhost
check "--http=PATH must start with /" eval 'rc_is 2 && grep -q "bad --http path" "$OUT.err"'
run_text "--http=/a b" localhost
check "--http PATH: no spaces" eval 'rc_is 2 && grep -q "bad --http path" "$OUT.err"'
run_text --http -r "$WORK/none.pcap"
check "--http with -r: usage error" eval 'rc_is 2 && grep -q "not with -r" "$OUT.err"'
