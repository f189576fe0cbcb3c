#!/usr/bin/env bash
# --probe: hstrace's own ClientHello (X25519MLKEM768 and x25519 shares, GREASE ECH) against
# Go's crypto/tls (Go 1.24 accepts X25519MLKEM768), openssl s_server 3.0 (no ML-KEM: x25519,
# or a HelloRetryRequest for P-256), a server that is not TLS and one that never answers.
. "$(dirname "$0")/../lib.sh"
GO=${GO:-/usr/lib/go-1.24/bin/go}
make_pki

probe_is() { [ "$(q ".probe.$1")" = "$2" ]; }
note_says() { [ "$(q '[.events[] | select(.layer=="library") | .summary] | join(" ")' | grep -c "$1")" -ge 1 ]; }

# ---- Go's crypto/tls, built here from tests/peers/go-server (standard library only) ----
GO_SERVER=""
if [ ! -x "$GO" ]; then
    skip "probe go server" "no Go toolchain at $GO (golang-1.24-go, see .ci/deps)"
else
    # The build cache lives in the build tree when there is one (the first build takes ~30 s).
    CACHE=${BUILD:-$WORK}/go-cache
    mkdir -p "$CACHE" "$WORK/gopath"
    if (cd tests/peers/go-server && GOCACHE=$CACHE GOPATH=$WORK/gopath GOFLAGS=-mod=mod \
            GOPROXY=off GOTOOLCHAIN=local "$GO" build -o "$WORK/go-server" main.go) \
            >"$WORK/go-build.log" 2>&1; then
        GO_SERVER=$WORK/go-server
    else
        notok "probe go server builds" "$(head -c 600 "$WORK/go-build.log")"
    fi
fi

start_go() {
    PORT=$(free_port)
    start_bg "$GO_SERVER" -addr "127.0.0.1:$PORT" "$@"
    wait_port "$PORT"
}

if [ -n "$GO_SERVER" ]; then
    start_go
    trace_json --probe "localhost:$PORT"
    check "probe go: X25519MLKEM768 chosen, post-quantum" eval '
        rc_is 0 && [ "$(q .result)" = probe ] && [ "$(q .error)" = null ] &&
        probe_is selected_group X25519MLKEM768 && probe_is pq true &&
        probe_is key_share_len 1120 && probe_is hrr false &&
        probe_is selected_version "TLS 1.3" && [ "$(q .tls.group)" = X25519MLKEM768 ] &&
        [ "$(q .probe.records)" -ge 1 ] && [ "$(q .probe.server_flight_bytes)" -gt 100 ] &&
        [ "$(q ".probe.key_shares | join(\",\")")" = "X25519MLKEM768,x25519" ] &&
        probe_is decrypted false && probe_is ech unknown'
    check "probe go: numbers beside the names (version, suite, group, lists)" eval '
        probe_is selected_version_id 772 && probe_is selected_group_id 4588 &&
        [ "$(q .probe.cipher_suite_id)" = "$(q .tls.cipher_suite_id)" ] &&
        [ "$(q ".probe.key_share_ids | join(\",\")")" = "4588,29" ] &&
        [ "$(q ".probe.offered_group_ids | length")" = "$(q ".probe.offered_groups | length")" ]'
    check "probe go: the ladder shows the hellos, a note says the handshake was left" eval '
        tls_types | grep -q "^ClientHello ServerHello" &&
        [ "$(q "[.events[] | select(.type==\"ClientHello\")][0].fields.extensions | map(.type) | index(\"encrypted_client_hello\") != null")" = true ] &&
        note_says "handshake not completed"'
    run_text --probe --plain "localhost:$PORT"
    check "probe go: the text says not completed, and post-quantum" eval '
        rc_is 0 && grep -q "handshake not completed" "$OUT" &&
        grep -q "probe: X25519MLKEM768 chosen (post-quantum" "$OUT"'
    trace_json --probe --groups secp384r1,ffdhe2048 "localhost:$PORT"
    check "probe go: --groups sets the groups and shares (secp384r1 chosen)" eval '
        rc_is 0 && probe_is selected_group secp384r1 && probe_is pq false &&
        probe_is key_share_len 97 && [ "$(q ".probe.key_shares | join(\",\")")" = secp384r1 ] &&
        [ "$(q ".probe.offered_groups | join(\",\")")" = "secp384r1,ffdhe2048" ]'
    trace_json --probe --sni probe.example --alpn http/1.1 "127.0.0.1:$PORT"
    check "probe go: --sni and --alpn go into the ClientHello" eval '
        rc_is 0 && [ "$(q .target.sni)" = probe.example ] &&
        [ "$(q "[.events[] | select(.type==\"ClientHello\")][0].fields.extensions[] | select(.type==\"server_name\") | .host_name")" = probe.example ] &&
        [ "$(q "[.events[] | select(.type==\"ClientHello\")][0].fields.extensions[] | select(.type==\"application_layer_protocol_negotiation\") | .protocols | join(\",\")")" = http/1.1 ]'
    stop_pid "$LAST_PID"

    start_go -curves P256
    trace_json --probe "localhost:$PORT"
    check "probe go -curves P256: HelloRetryRequest for secp256r1, answered" eval '
        rc_is 0 && probe_is hrr true && probe_is hrr_group secp256r1 &&
        probe_is hrr_answered true && probe_is selected_group secp256r1 &&
        probe_is key_share_len 65 &&
        tls_types | grep -Eq "^ClientHello HelloRetryRequest (ChangeCipherSpec )?ClientHello ServerHello"'
    check "probe go -curves P256: the flight decrypted with the probe's own key, nothing verified" eval '
        probe_is decrypted true && probe_is ech none && [ "$(q .tls.alpn)" = h2 ] &&
        tls_types | grep -q "EncryptedExtensions Certificate CertificateVerify Finished" &&
        [ "$(q "[.events[] | select(.type==\"Finished\" and .decrypted)] | length")" = 1 ] &&
        [ "$(q ".certificate.chain | length")" = 1 ] && [ "$(q .certificate.verified)" = null ]'
    stop_pid "$LAST_PID"
fi

# ---- openssl s_server (OpenSSL 3.0: no ML-KEM) ----
SRV=(-cert "$PKI/ec.crt" -key "$PKI/ec.key")
start_openssl "${SRV[@]}"
trace_json --probe "localhost:$PORT"
check "probe openssl: x25519 chosen, not post-quantum" eval '
    rc_is 0 && [ "$(q .result)" = probe ] && probe_is selected_group x25519 &&
    probe_is pq false && probe_is key_share_len 32 && probe_is hrr false &&
    [ "$(q .probe.records)" -ge 1 ] && probe_is decrypted true && probe_is ech none &&
    [ "$(q "[.events[] | select(.type==\"EncryptedExtensions\" and .decrypted)] | length")" = 1 ]'
# -w: the pcapng holds the secrets the probe derived; hstrace -r and tshark decrypt the flight
# with them (tshark: an independent check of the key schedule).
F=$WORK/probe.pcapng
trace_json --probe -w "$F" "localhost:$PORT"
if grep -q 'needs packet capture' "$OUT.err"; then
    skip "probe -w" "no packet capture permission here"
else
    check "probe -w: hstrace -r decrypts the saved flight" eval '
        rc_is 0 && "$HSTRACE" -r "$F" --json |
            jq -e "[.connections[0].events[] | select(.type==\"Certificate\" and .decrypted)] | length == 1" >/dev/null'
    if command -v tshark >/dev/null; then
        check "probe -w: tshark decrypts the saved flight with the embedded secrets" eval '
            HOME=$WORK XDG_CONFIG_HOME=$WORK tshark -n -r "$F" -Y "tls.handshake.type == 11" \
                -T fields -e frame.number 2>/dev/null | grep -q .'
    else
        skip "probe -w tshark" "tshark not installed"
    fi
fi
stop_pid "$LAST_PID"

# TLS 1.2: the group comes in ServerKeyExchange; the alert the server answers the probe's
# close with is no failure of the probe.
start_openssl "${SRV[@]}" -no_tls1_3
trace_json --probe "localhost:$PORT"
check "probe openssl TLS 1.2: version, suite and group read, exit 0" eval '
    rc_is 0 && [ "$(q .result)" = probe ] && probe_is selected_version "TLS 1.2" &&
    probe_is selected_group x25519 && probe_is key_share_len null && probe_is ech none &&
    tls_types | grep -q "^ClientHello ServerHello Certificate ServerKeyExchange ServerHelloDone"'
stop_pid "$LAST_PID"

start_openssl "${SRV[@]}" -groups P-256
trace_json --probe "localhost:$PORT"
check "probe openssl -groups P-256: HelloRetryRequest, then secp256r1" eval '
    rc_is 0 && probe_is hrr true && probe_is hrr_group secp256r1 &&
    probe_is hrr_answered true && probe_is selected_group secp256r1 &&
    tls_types | grep -Eq "^ClientHello HelloRetryRequest (ChangeCipherSpec )?ClientHello ServerHello"'
trace_json --probe --groups x25519 "localhost:$PORT"
check "probe openssl -groups P-256, only x25519 offered: a clear failure" eval '
    rc_is 1 && [ "$(q .result)" = failed ] && [ "$(q .error.stage)" = tls ] &&
    q .error.message | grep -q handshake_failure && probe_is selected_group null &&
    note_says "probe failed"'
stop_pid "$LAST_PID"

# ---- not TLS, no answer ----
start_py_server 'c.recv(4096); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()'
trace_json --probe "127.0.0.1:$PORT"
check "probe a plain HTTP server: not TLS, exit 1" eval '
    rc_is 1 && [ "$(q .result)" = failed ] && q .error.message | grep -q "does not speak TLS"'
stop_pid "$LAST_PID"
# TLS records, but a Certificate where the ServerHello must be.
start_py_server 'c.recv(4096); c.sendall(bytes.fromhex("160303000a0b000006000003000000")); c.close()'
trace_json --probe "127.0.0.1:$PORT"
check "probe a server whose first message is no ServerHello: exit 1" eval '
    rc_is 1 && q .error.message | grep -q "is not a ServerHello"'
stop_pid "$LAST_PID"
start_py_server 'c.recv(4096)'
trace_json --probe --timeout 1 "127.0.0.1:$PORT"
check "probe a server that never answers: timeout, exit 4" eval '
    rc_is 4 && [ "$(q .error.stage)" = timeout ]'
stop_pid "$LAST_PID"

# ---- what --probe does not go with ----
trace_json --probe --demo
check "probe with --demo: usage error" eval 'rc_is 2 && [ "$(q .error.stage)" = usage ]'
trace_json --probe --tls1.2 localhost:1
check "probe with --tls1.2: usage error" eval 'rc_is 2 && q .error.message | grep -q "not with --tls1.2"'
trace_json --probe --starttls smtp localhost:1
check "probe with --starttls: usage error" eval 'rc_is 2 && q .error.message | grep -q "not with --starttls"'
trace_json --probe --http localhost:1
check "probe with --http: usage error" eval 'rc_is 2 && q .error.message | grep -q "not with --reconnect or --http"'
