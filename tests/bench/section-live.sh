#!/usr/bin/env bash
# Bench section (tests/bench/run): live handshakes, hstrace against openssl s_client and curl
# on the same server (openssl s_server -www, ECDSA P-256), TLS 1.3 and 1.2, on loopback and on
# a path with a 20 ms round trip (tests/bench/delay-path.py).  Prints Markdown.
# ROUNDS (21) and PATH_ROUNDS (11) set the interleaved runs.
cd "$(dirname "$0")/../.." || exit 1
NO_JSON_AUDIT=1 # figures, not tests: no schema audit (and no wrapper around hstrace)
. tests/lib.sh
ROUNDS=${ROUNDS:-21}
PATH_ROUNDS=${PATH_ROUNDS:-11}
MEASURE=(python3 tests/bench/measure.py)
NETNS=hsbench$$

# A CA, a server certificate for localhost, 127.0.0.1 and the far end of the delayed path,
# and the CA file every client trusts: the system bundle plus this CA (as a user's would be).
pki() {
    local d=$WORK/pki
    mkdir -p "$d"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" \
        -out "$d/ca.crt" -subj "/CN=hstrace bench CA" -days 30 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ec.key" \
        -out "$d/ec.csr" -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:10.201.0.2\nbasicConstraints=CA:FALSE\n' \
        >"$d/san.ext"
    openssl x509 -req -in "$d/ec.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
        -days 30 -extfile "$d/san.ext" -out "$d/ec.crt" 2>/dev/null
    cat /etc/ssl/certs/ca-certificates.crt "$d/ca.crt" >"$d/bundle.crt" 2>/dev/null ||
        cp "$d/ca.crt" "$d/bundle.crt"
    chmod 755 "$WORK" "$d" && chmod 644 "$d"/*.crt
    PKI=$d
}

# measure ROUNDS HOST PORT HOSTNAME-CHECK...: the four clients against one server.
measure() {
    local rounds=$1 host=$2 port=$3 target=$2
    local -a oscheck=(-verify_hostname localhost) cmds=()
    [ "$host" = 127.0.0.1 ] && target=localhost
    [ "$host" = 127.0.0.1 ] || oscheck=(-verify_ip "$host")
    if [ "$(id -u)" = 0 ]; then
        cmds+=("hstrace (root: packet capture)=$HSTRACE --plain --color never --cafile $PKI/bundle.crt $target:$port")
        cmds+=("hstrace (no capture: as nobody)=setpriv --reuid=65534 --regid=65534 --clear-groups $HSTRACE --plain --color never --cafile $PKI/bundle.crt $target:$port")
    else
        cmds+=("hstrace (no capture)=$HSTRACE --plain --color never --cafile $PKI/bundle.crt $target:$port")
    fi
    cmds+=("openssl s_client=openssl s_client -connect $host:$port -servername localhost -CAfile $PKI/bundle.crt -verify_return_error ${oscheck[*]}")
    cmds+=("curl=curl -s -o /dev/null --cacert $PKI/bundle.crt https://$target:$port/")
    "${MEASURE[@]}" --rounds "$rounds" --ref curl "${cmds[@]}"
}

pki
echo "## Live handshakes"
echo
echo "One trace per process against \`openssl s_server -www\` (ECDSA P-256 certificate) on this"
echo "machine; every client trusts the same CA file: the system bundle plus the test CA"
echo "($(grep -c 'BEGIN CERTIFICATE' "$PKI/bundle.crt") certificates).  Commands, interleaved round by round:"
echo
echo '```'
echo "hstrace --plain --color never --cafile BUNDLE HOST:PORT      (as root: with packet capture)"
echo "setpriv --reuid=65534 --regid=65534 --clear-groups hstrace ...  (as nobody: no capture)"
echo "openssl s_client -connect HOST:PORT -servername localhost -CAfile BUNDLE -verify_return_error  </dev/null"
echo "curl -s -o /dev/null --cacert BUNDLE https://HOST:PORT/"
echo '```'
echo
echo "What each does after the handshake differs: hstrace sends close_notify and its FIN at once"
echo "and reads the TLS 1.3 tickets, the server's close_notify and its FIN (one round trip);"
echo "openssl s_client reads until its standard input ends, then closes; curl sends a GET and"
echo "reads the reply (one round trip).  The no-capture row includes setpriv's own start-up"
echo "(about 1 ms)."
echo

for v in 1.3 1.2; do
    PORT=$(free_port)
    start_bg openssl s_server -accept "127.0.0.1:$PORT" -cert "$PKI/ec.crt" -key "$PKI/ec.key" \
        -www -quiet "-tls${v/./_}"
    wait_port "$PORT" || { echo "(s_server did not start)"; exit 1; }
    echo "### TLS $v, loopback ($ROUNDS rounds)"
    echo
    measure "$ROUNDS" 127.0.0.1 "$PORT"
    echo
    stop_pid "$LAST_PID"
done

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || [ ! -c /dev/net/tun ]; then
    echo "### 20 ms round trip"
    echo
    echo "(skipped: needs root, ip and /dev/net/tun)"
    echo
    exit 0
fi
python3 tests/bench/delay-path.py "$NETNS" 10 >"$WORK/path.log" 2>&1 &
PIDS+=("$!")
DELAY_PID=$!
for _ in $(seq 1 100); do grep -q ready "$WORK/path.log" && break; sleep 0.1; done
if ! grep -q ready "$WORK/path.log"; then
    echo "### 20 ms round trip"
    echo
    echo "(skipped: the delayed path could not be set up: $(head -c 300 "$WORK/path.log"))"
    echo
    exit 0
fi
echo "### The 20 ms round trip"
echo
echo "No netem on this kernel: tests/bench/delay-path.py makes a network namespace for the"
echo "server and two TUN devices, 10.201.0.1 here and 10.201.0.2 in the namespace, and relays"
echo "every IP packet between them 10 ms late each way (so SYN, data and ACKs all see a 20 ms"
echo "round trip).  hstrace captures on the TUN device (raw IP)."
echo
for v in 1.3 1.2; do
    PORT=$(free_port)
    start_bg ip netns exec "$NETNS" openssl s_server -accept "10.201.0.2:$PORT" \
        -cert "$PKI/ec.crt" -key "$PKI/ec.key" -www -quiet "-tls${v/./_}"
    srv=$LAST_PID
    wait_port "$PORT" 10.201.0.2 || { echo "(s_server in the namespace did not start)"; break; }
    echo "#### TLS $v, 20 ms round trip ($PATH_ROUNDS rounds)"
    echo
    measure "$PATH_ROUNDS" 10.201.0.2 "$PORT"
    echo
    stop_pid "$srv"
done
stop_pid "$DELAY_PID"
