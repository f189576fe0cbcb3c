#!/usr/bin/env bash
# Re-records the sample captures of captures/ from local peers on loopback, each with its NSS
# key log, then writes their golden outputs (NAME.txt, NAME.json).
#
#   tests/captures/record.sh [DIR]                  record into DIR (default captures/)
#   tests/captures/record.sh --goldens-only [DIR]   only regenerate the goldens of DIR
#
# Needs: openssl, gnutls-serv, gnutls-cli, nginx, dumpcap, ss, and root (or capture rights) for
# dumpcap and for hstrace -w.  Uses $HSTRACE (default ./hstrace).  When it can, it runs in a network
# namespace of its own whose only interface is lo, so no peer can be reached from elsewhere even
# though gnutls-serv binds every address; all peers listen on 127.0.0.1 and are stopped by PID.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HSTRACE=${HSTRACE:-$ROOT/hstrace}
. "$ROOT/tests/captures/common.sh"

goldens_only=0
if [ "${1:-}" = --goldens-only ]; then goldens_only=1; shift; fi
DEST=${1:-$ROOT/captures}
mkdir -p "$DEST" && DEST=$(cd "$DEST" && pwd) || exit 2
case $HSTRACE in /*) ;; *) HSTRACE=$PWD/$HSTRACE ;; esac
[ -x "$HSTRACE" ] || { echo "record.sh: no hstrace at $HSTRACE (make hstrace)" >&2; exit 2; }

if [ "$goldens_only" = 1 ]; then
    render_goldens "$HSTRACE" "$DEST" "$DEST"
    echo "goldens written in $DEST"
    exit 0
fi

# Into a fresh network namespace (only lo) when possible; HS_RECORD_NO_NETNS=1 stays outside.
if [ -z "${HS_RECORD_IN_NETNS:-}" ] && [ -z "${HS_RECORD_NO_NETNS:-}" ] &&
    unshare -n true 2>/dev/null; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    exec env HS_RECORD_IN_NETNS=1 HSTRACE="$HSTRACE" unshare -n \
        bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" "$DEST"
fi

for tool in openssl gnutls-serv gnutls-cli nginx dumpcap ss; do
    command -v "$tool" >/dev/null || { echo "record.sh: $tool is needed" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/hstrace-record.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "${HS_RECORD_KEEP:-}" ] || rm -rf "$T"; [ -n "${HS_RECORD_KEEP:-}" ] && echo "kept $T"
}
trap cleanup EXIT
die() { echo "record.sh: $*" >&2; exit 1; }
step() { echo "== $*"; }

# A port nobody listens on.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Waits until something listens on TCP port $1, without connecting (a probe connection would
# end up in the capture and use up a server's accept).
wait_listen() {
    for _ in $(seq 1 100); do
        [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0
        sleep 0.05
    done
    die "nothing listens on port $1 (see $T/*.log)"
}

# bg LOG CMD...: starts CMD in the background; its PID in LAST_PID.
bg() {
    local log=$1
    shift
    "$@" >"$T/$log" 2>&1 </dev/null &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

stop() { kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; return 0; }

# capture_start FILE PORT...: dumpcap on lo for these ports, pcap format; PID in CAP_PID.
capture_start() {
    local file=$1 filter="" p
    shift
    for p in "$@"; do filter+="${filter:+ or }tcp port $p"; done
    rm -f "$file"
    bg dumpcap.log dumpcap -q -i lo -f "$filter" -P -w "$file"
    CAP_PID=$LAST_PID
    for _ in $(seq 1 600); do grep -q Capturing "$T/dumpcap.log" 2>/dev/null && break; sleep 0.05; done
    sleep 0.3
}

capture_stop() {
    sleep 0.5 # the last FIN/ACK
    kill -INT "$CAP_PID" 2>/dev/null
    wait "$CAP_PID" 2>/dev/null
    [ -s "$1" ] || die "dumpcap wrote nothing to $1: $(tail -3 "$T/dumpcap.log")"
}

# hs_client NAME EXT ARGS...: hstrace traces the connection, writes NAME.EXT and NAME.keys.
hs_client() {
    local name=$1 ext=$2
    shift 2
    rm -f "$DEST/$name.$ext" "$DEST/$name.keys"
    "$HSTRACE" --cafile "$P/ca.crt" -w "$DEST/$name.$ext" --keylog "$DEST/$name.keys" --sni localhost \
        --plain --color never "$@" >"$T/$name.hstrace.log" 2>&1
    local rc=$?
    [ -s "$DEST/$name.$ext" ] || die "hstrace wrote no capture for $name (rc $rc): $(tail -3 "$T/$name.hstrace.log")"
    HS_RC=$rc
}

# ossl_server LOG PORT ARGS...: openssl s_server on 127.0.0.1:PORT; PID in SRV_PID.
ossl_server() {
    local log=$1 port=$2
    shift 2
    bg "$log" openssl s_server -accept "127.0.0.1:$port" -naccept 10 -quiet "$@"
    SRV_PID=$LAST_PID
    wait_listen "$port"
}

# s_client ARGS...: one connection that stays up for half a second (long enough for TLS 1.3
# tickets), then closes with close_notify.  Extra stdin lines come from $SEND.
s_client() {
    { printf '%b' "${SEND:-}"; sleep 0.5; } |
        openssl s_client -connect "127.0.0.1:$PORT" -servername localhost -CAfile "$P/ca.crt" \
            -verify_return_error "$@" >>"$T/s_client.log" 2>&1
}

# nginx_start CONF-BODY PORT: nginx in the foreground (daemon off) with its config, pid and
# logs in a temp dir; PID in NGX_PID.
nginx_start() {
    local body=$1 port=$2 d=$T/nginx-$2
    mkdir -p "$d/logs" "$d/tmp"
    cat >"$d/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
events { worker_connections 64; }
http {
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    ssl_session_tickets on;
    ssl_session_cache shared:hs:1m;
$body
}
CONF
    bg "nginx-$port.log" nginx -p "$d" -c "$d/nginx.conf" -e "$d/logs/error.log"
    NGX_PID=$LAST_PID
    wait_listen "$port"
}

# --- Certificates: fresh keys each run, fixed subjects. -------------------------------------
P=$T/pki
mkdir -p "$P"
(
    cd "$P" || exit 1
    q() { "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; }
    ec() { q openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"; }
    sign() { # NAME DAYS SAN [MORE-EXTENSION-LINE]
        printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n%s\n' "$3" "${4:-}" >"$1.ext"
        q openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$2" \
            -extfile "$1.ext" -out "$1.crt"
    }
    q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
        -out ca.crt -subj "/O=hstrace samples/CN=hstrace sample CA" -days 3650
    ec ec "/O=hstrace samples/CN=localhost"
    sign ec 3650 "DNS:localhost,IP:127.0.0.1"
    q openssl req -newkey rsa:2048 -nodes -keyout rsa.key -out rsa.csr -subj "/O=hstrace samples/CN=localhost"
    sign rsa 3650 "DNS:localhost,IP:127.0.0.1"
    # Valid from yesterday to yesterday: expired.
    cp ec.csr expired.csr
    sign expired -1 "DNS:localhost,IP:127.0.0.1"
    ec client "/O=hstrace samples/CN=hstrace sample client"
    sign client 3650 "DNS:client.test" "extendedKeyUsage=clientAuth"
    ec alpha "/O=hstrace samples/CN=alpha.test"
    sign alpha 3650 "DNS:alpha.test,DNS:localhost"
    ec beta "/O=hstrace samples/CN=beta.test"
    sign beta 3650 "DNS:beta.test,DNS:localhost"
) || die "certificate generation failed"

# --- The captures. --------------------------------------------------------------------------

step "tls13-aes128gcm: nginx, TLS 1.3 AES-128-GCM"
PORT=$(free_port)
nginx_start "    server {
        listen 127.0.0.1:$PORT ssl http2;
        server_name localhost;
        ssl_certificate $P/ec.crt;
        ssl_certificate_key $P/ec.key;
        ssl_protocols TLSv1.3;
        ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
        location / { return 200 \"hello from nginx\\n\"; }
    }" "$PORT"
hs_client tls13-aes128gcm pcap --alpn h2,http/1.1 "127.0.0.1:$PORT"
stop "$NGX_PID"

step "tls13-chacha20: gnutls-serv, TLS 1.3 ChaCha20-Poly1305 (pcapng, secrets embedded)"
PORT=$(free_port)
bg gnutls.log gnutls-serv --port "$PORT" --quiet --disable-client-cert --x509certfile "$P/ec.crt" --x509keyfile "$P/ec.key" \
    --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305"
SRV_PID=$LAST_PID
wait_listen "$PORT"
hs_client tls13-chacha20 pcapng "127.0.0.1:$PORT"
stop "$SRV_PID"

step "tls13-hrr: openssl s_server, groups P-384 only -> HelloRetryRequest"
PORT=$(free_port)
ossl_server hrr.log "$PORT" -cert "$P/ec.crt" -key "$P/ec.key" -tls1_3 -groups P-384
hs_client tls13-hrr pcap "127.0.0.1:$PORT"
stop "$SRV_PID"

step "tls13-resumption: openssl s_server, s_client full then resumed with the ticket"
PORT=$(free_port)
ossl_server resume13.log "$PORT" -cert "$P/ec.crt" -key "$P/ec.key" -tls1_3
rm -f "$DEST/tls13-resumption.keys" "$T/sess13.pem"
capture_start "$DEST/tls13-resumption.pcap" "$PORT"
s_client -tls1_3 -keylogfile "$DEST/tls13-resumption.keys" -sess_out "$T/sess13.pem"
s_client -tls1_3 -keylogfile "$DEST/tls13-resumption.keys" -sess_in "$T/sess13.pem"
capture_stop "$DEST/tls13-resumption.pcap"
stop "$SRV_PID"
grep -q 'Reused, TLSv1.3' "$T/s_client.log" || die "TLS 1.3 session was not resumed"

step "tls12-ecdhe-rsa: nginx, TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256"
PORT=$(free_port)
nginx_start "    server {
        listen 127.0.0.1:$PORT ssl;
        server_name localhost;
        ssl_certificate $P/rsa.crt;
        ssl_certificate_key $P/rsa.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;
        location / { return 200 \"hello from nginx\\n\"; }
    }" "$PORT"
hs_client tls12-ecdhe-rsa pcap --alpn h2,http/1.1 "127.0.0.1:$PORT"
stop "$NGX_PID"

step "tls12-ecdhe-ecdsa: openssl s_server, TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 (pcapng)"
PORT=$(free_port)
ossl_server ecdsa12.log "$PORT" -cert "$P/ec.crt" -key "$P/ec.key" -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384
hs_client tls12-ecdhe-ecdsa pcapng "127.0.0.1:$PORT"
stop "$SRV_PID"

step "tls12-rsa-kx: openssl s_server, TLS 1.2 RSA key exchange AES128-GCM-SHA256"
PORT=$(free_port)
ossl_server rsa12.log "$PORT" -cert "$P/rsa.crt" -key "$P/rsa.key" -tls1_2 -cipher AES128-GCM-SHA256
hs_client tls12-rsa-kx pcap --tls1.2 --ciphers TLS_RSA_WITH_AES_128_GCM_SHA256 "127.0.0.1:$PORT"
stop "$SRV_PID"

step "tls12-resumption: nginx, s_client TLS 1.2 with a GET, full then resumed with the ticket"
PORT=$(free_port)
nginx_start "    server {
        listen 127.0.0.1:$PORT ssl;
        server_name localhost;
        ssl_certificate $P/ec.crt;
        ssl_certificate_key $P/ec.key;
        ssl_protocols TLSv1.2;
        location / { return 200 \"hello from nginx\\n\"; }
    }" "$PORT"
rm -f "$DEST/tls12-resumption.keys" "$T/sess12.pem"
: >"$T/s_client.log"
capture_start "$DEST/tls12-resumption.pcap" "$PORT"
SEND='GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'
s_client -tls1_2 -alpn http/1.1 -keylogfile "$DEST/tls12-resumption.keys" -sess_out "$T/sess12.pem"
s_client -tls1_2 -alpn http/1.1 -keylogfile "$DEST/tls12-resumption.keys" -sess_in "$T/sess12.pem"
SEND=
capture_stop "$DEST/tls12-resumption.pcap"
stop "$NGX_PID"
grep -q 'Reused, TLSv1.2' "$T/s_client.log" || die "TLS 1.2 session was not resumed"

step "tls13-mtls: openssl s_server -Verify 1, s_client presents a certificate"
PORT=$(free_port)
ossl_server mtls.log "$PORT" -cert "$P/ec.crt" -key "$P/ec.key" -tls1_3 -Verify 1 -CAfile "$P/ca.crt"
rm -f "$DEST/tls13-mtls.keys"
: >"$T/s_client.log"
capture_start "$DEST/tls13-mtls.pcap" "$PORT"
s_client -tls1_3 -keylogfile "$DEST/tls13-mtls.keys" -cert "$P/client.crt" -key "$P/client.key"
capture_stop "$DEST/tls13-mtls.pcap"
stop "$SRV_PID"
grep -q 'Verify return code: 0' "$T/s_client.log" || die "mutual TLS handshake failed"

step "fail-server-alert: gnutls-serv TLS 1.3 only, hstrace offers TLS 1.2 only"
PORT=$(free_port)
bg gnutls-alert.log gnutls-serv --port "$PORT" --quiet --disable-client-cert --x509certfile "$P/ec.crt" --x509keyfile "$P/ec.key" \
    --priority "NORMAL:-VERS-ALL:+VERS-TLS1.3"
SRV_PID=$LAST_PID
wait_listen "$PORT"
hs_client fail-server-alert pcap --tls1.2 "127.0.0.1:$PORT"
stop "$SRV_PID"
[ "$HS_RC" -ne 0 ] || die "fail-server-alert: the handshake succeeded"

step "fail-verify-expired: openssl s_server with an expired certificate; hstrace aborts"
PORT=$(free_port)
ossl_server expired.log "$PORT" -cert "$P/expired.crt" -key "$P/ec.key" -tls1_3
hs_client fail-verify-expired pcap "127.0.0.1:$PORT"
stop "$SRV_PID"
[ "$HS_RC" -eq 5 ] || die "fail-verify-expired: hstrace exited $HS_RC, not 5"

step "multi-sni: nginx with two names on one port, openssl s_server on another; 3 connections"
PORT=$(free_port)
nginx_start "    server {
        listen 127.0.0.1:$PORT ssl;
        server_name alpha.test;
        ssl_certificate $P/alpha.crt;
        ssl_certificate_key $P/alpha.key;
        location / { return 200 \"alpha\\n\"; }
    }
    server {
        listen 127.0.0.1:$PORT ssl;
        server_name beta.test;
        ssl_certificate $P/beta.crt;
        ssl_certificate_key $P/beta.key;
        location / { return 200 \"beta\\n\"; }
    }" "$PORT"
PORT2=$(free_port)
ossl_server multi.log "$PORT2" -cert "$P/ec.crt" -key "$P/ec.key" -tls1_2
rm -f "$DEST/multi-sni.keys"
capture_start "$DEST/multi-sni.pcap" "$PORT" "$PORT2"
for args in "--sni alpha.test 127.0.0.1:$PORT" "--sni beta.test 127.0.0.1:$PORT" "--sni localhost 127.0.0.1:$PORT2"; do
    # shellcheck disable=SC2086 # the words of $args are the options
    "$HSTRACE" --cafile "$P/ca.crt" --keylog "$DEST/multi-sni.keys" --plain --color never $args \
        >>"$T/multi.hstrace.log" 2>&1 || die "multi-sni: hstrace $args failed: $(tail -3 "$T/multi.hstrace.log")"
done
capture_stop "$DEST/multi-sni.pcap"
stop "$NGX_PID"
stop "$SRV_PID"

step "tls12-rc4-sha: gnutls-serv and gnutls-cli, TLS 1.2 RSA key exchange with RC4-128 and HMAC-SHA1"
PORT=$(free_port)
RC4_PRIO="NORMAL:-VERS-ALL:+VERS-TLS1.2:-CIPHER-ALL:+ARCFOUR-128:-KX-ALL:+RSA"
bg gnutls-rc4.log gnutls-serv --port "$PORT" --http --disable-client-cert \
    --x509certfile "$P/rsa.crt" --x509keyfile "$P/rsa.key" --priority "$RC4_PRIO"
SRV_PID=$LAST_PID
wait_listen "$PORT"
rm -f "$DEST/tls12-rc4-sha.keys"
capture_start "$DEST/tls12-rc4-sha.pcap" "$PORT"
printf 'GET / HTTP/1.0\r\n\r\n' | SSLKEYLOGFILE=$DEST/tls12-rc4-sha.keys gnutls-cli \
    --x509cafile "$P/ca.crt" --priority "$RC4_PRIO" -p "$PORT" localhost >"$T/rc4.log" 2>&1
capture_stop "$DEST/tls12-rc4-sha.pcap"
stop "$SRV_PID"
grep -q 'ARCFOUR-128' "$T/rc4.log" || die "tls12-rc4-sha: no RC4 handshake: $(tail -3 "$T/rc4.log")"

step "tls12-null-sha256: openssl s_server and s_client, TLS 1.2 NULL-SHA256 (no encryption, a MAC)"
PORT=$(free_port)
ossl_server null.log "$PORT" -cert "$P/rsa.crt" -key "$P/rsa.key" -tls1_2 \
    -cipher 'NULL-SHA256:@SECLEVEL=0'
rm -f "$DEST/tls12-null-sha256.keys"
: >"$T/s_client.log"
capture_start "$DEST/tls12-null-sha256.pcap" "$PORT"
SEND='hello over a NULL cipher\n'
s_client -tls1_2 -cipher 'NULL-SHA256:@SECLEVEL=0' -keylogfile "$DEST/tls12-null-sha256.keys"
SEND=
capture_stop "$DEST/tls12-null-sha256.pcap"
stop "$SRV_PID"
grep -q 'NULL-SHA256' "$T/s_client.log" || die "tls12-null-sha256: no NULL-SHA256 handshake"

step "goldens"
render_goldens "$HSTRACE" "$DEST" "$DEST"
chmod a+r,go-w "$DEST"/*  # dumpcap and the key logs are created owner-only
du -ch "$DEST"/*.pcap "$DEST"/*.pcapng | tail -1
echo "recorded into $DEST"
