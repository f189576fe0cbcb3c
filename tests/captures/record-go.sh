#!/usr/bin/env bash
# Records the Go 1.24 captures of captures/ (post-quantum key exchange, Encrypted Client Hello)
# on loopback from tests/peers/go-tls (a crypto/tls client and server in one process), each
# with its key log, then writes their golden outputs (NAME.txt, NAME.json).
#
#   tests/captures/record-go.sh [DIR]        record into DIR (default captures/)
#
# Needs: Go 1.24 (GO, default /usr/lib/go-1.24/bin/go; standard library only, nothing is
# downloaded), dumpcap, ss, and root (or capture rights) for dumpcap.  Runs in a network
# namespace of its own (only lo, MTU 1280 and no segmentation offload, so that a ClientHello
# with a hybrid key share spans two TCP segments as on a real network) when unshare -n is
# allowed; the peers listen on 127.0.0.1, ports 61000-61999 (no well-known port that tshark
# would read as another protocol).
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HSTRACE=${HSTRACE:-$ROOT/hstrace}
GO=${GO:-/usr/lib/go-1.24/bin/go}
. "$ROOT/tests/captures/common.sh"

DEST=${1:-$ROOT/captures}
mkdir -p "$DEST" && DEST=$(cd "$DEST" && pwd) || exit 2
case $HSTRACE in /*) ;; *) HSTRACE=$PWD/$HSTRACE ;; esac
[ -x "$HSTRACE" ] || { echo "record-go.sh: no hstrace at $HSTRACE (make hstrace)" >&2; exit 2; }

if [ -z "${HS_RECORD_IN_NETNS:-}" ] && [ -z "${HS_RECORD_NO_NETNS:-}" ] &&
    unshare -n true 2>/dev/null; then
    setup='ip link set lo up && ip link set lo mtu 1280 gso_max_segs 1 &&
        sysctl -qw net.ipv4.ip_local_port_range="61000 61999"'
    # shellcheck disable=SC2016 # expanded by the inner bash
    exec env HS_RECORD_IN_NETNS=1 HSTRACE="$HSTRACE" GO="$GO" unshare -n \
        bash -c "$setup"' && exec bash "$0" "$@"' "$0" "$DEST"
fi

for tool in "$GO" dumpcap ss; do
    command -v "$tool" >/dev/null || { echo "record-go.sh: $tool is needed" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/hstrace-record-go.XXXXXX")
CAP_PID=
cleanup() {
    [ -n "$CAP_PID" ] && { kill "$CAP_PID" 2>/dev/null; wait "$CAP_PID" 2>/dev/null; }
    rm -rf "$T"
}
trap cleanup EXIT
die() { echo "record-go.sh: $*" >&2; exit 1; }

(cd "$ROOT/tests/peers/go-tls" && GOCACHE=$T/gocache GOPATH=$T/gopath GOFLAGS=-mod=mod \
    GOPROXY=off GOTOOLCHAIN=local "$GO" build -o "$T/go-tls" .) || die "go build failed"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# record NAME MODE: one connection of go-tls in MODE, captured into NAME.pcap, key log NAME.keys.
record() {
    local name=$1 mode=$2 port
    port=$(free_port)
    rm -f "$DEST/$name.pcap" "$DEST/$name.keys"
    dumpcap -q -i lo -f "tcp port $port" -P -w "$DEST/$name.pcap" >"$T/dumpcap.log" 2>&1 &
    CAP_PID=$!
    for _ in $(seq 1 600); do grep -q Capturing "$T/dumpcap.log" 2>/dev/null && break; sleep 0.05; done
    sleep 0.3
    "$T/go-tls" -mode "$mode" -port "$port" -keylog "$DEST/$name.keys" >"$T/$name.log" 2>&1 ||
        die "go-tls -mode $mode failed: $(tail -3 "$T/$name.log")"
    sleep 0.5
    kill -INT "$CAP_PID" 2>/dev/null
    wait "$CAP_PID" 2>/dev/null
    CAP_PID=
    [ -s "$DEST/$name.pcap" ] || die "dumpcap wrote nothing for $name"
    echo "== $name: $(head -1 "$T/$name.log")"
}

record go-tls13-x25519mlkem768 mlkem
record go-tls13-hrr-x25519mlkem768 hrr-mlkem
record go-ech-accepted ech
record go-ech-rejected ech-reject
record go-ech-hrr ech-hrr

render_goldens "$HSTRACE" "$DEST" "$DEST"
echo "captures and goldens written in $DEST"
