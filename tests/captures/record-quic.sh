#!/usr/bin/env bash
# Records the QUIC captures, each with the client's key log, from ngtcp2's GnuTLS examples on
# loopback: the samples of captures/ (quic-v1-aes128gcm, quic-retry), with their goldens
# (NAME.txt, NAME.json), and those of tests/data/quic/ (0-RTT, ChaCha20, a key update, Version
# Negotiation), which tests/integration/quic_captures.sh checks without goldens (captures/
# stays small).  Apart from record.sh so that recording them leaves the TCP captures as they
# are.
#
#   tests/captures/record-quic.sh [NAME...]   record all of them, or only the NAMEs
#
# Needs: gtlsserver and gtlsclient (Debian: ngtcp2-server, ngtcp2-client; QUIC v1 over GnuTLS,
# the client writes SSLKEYLOGFILE), openssl, dumpcap, ss, and root or capture rights.  Runs in a
# network namespace of its own (only lo) when it can; every peer listens on 127.0.0.1.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HSTRACE=${HSTRACE:-$ROOT/hstrace}
. "$ROOT/tests/captures/common.sh"
ONLY=" $* "
DEST=$ROOT/captures
DATA=$ROOT/tests/data/quic
case $HSTRACE in /*) ;; *) HSTRACE=$PWD/$HSTRACE ;; esac
[ -x "$HSTRACE" ] || { echo "record-quic.sh: no hstrace at $HSTRACE (make hstrace)" >&2; exit 2; }

if [ -z "${HS_RECORD_IN_NETNS:-}" ] && [ -z "${HS_RECORD_NO_NETNS:-}" ] &&
    unshare -n true 2>/dev/null; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    exec env HS_RECORD_IN_NETNS=1 HSTRACE="$HSTRACE" unshare -n \
        bash -c 'ip link set lo up && exec bash "$0" "$@"' "$0" $ONLY
fi

for tool in gtlsserver gtlsclient openssl dumpcap ss; do
    command -v "$tool" >/dev/null || { echo "record-quic.sh: $tool is needed" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/hstrace-record-quic.XXXXXX")
OUT=$T/out
mkdir -p "$OUT" "$OUT/data"
PIDS=() # stopped (by PID) and the scratch dir removed at exit
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done; rm -rf "$T"' EXIT
die() { echo "record-quic.sh: $*" >&2; exit 1; }

(
    cd "$T" || exit 1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key \
        -out ec.crt -subj "/O=hstrace samples/CN=localhost" -days 3650 >/dev/null 2>&1
) || die "certificate generation failed"

# quic NAME PORT [SERVER-OPTION...] -- [CLIENT-OPTION...]: one HTTP/3 GET from gtlsclient to
# gtlsserver on 127.0.0.1:PORT, captured on lo (UDP PORT), the client's key log beside it.
# RUNS=2: two GETs, the second resuming the first's session with 0-RTT data.  DATA=1: for
# tests/data/quic/ (no goldens).
quic() {
    local name=$1 port=$2 srv=() i run
    shift 2
    [ "$ONLY" = "  " ] || [[ $ONLY == *" $name "* ]] || return 0
    local out=$OUT
    [ -n "${DATA_ONLY:-}" ] && out=$OUT/data
    while [ $# -gt 0 ] && [ "$1" != -- ]; do srv+=("$1"); shift; done
    shift
    echo "== $name"
    dumpcap -q -i lo -f "udp port $port" -P -w "$out/$name.pcap" >"$T/$name.dumpcap.log" 2>&1 &
    local cap=$!
    PIDS+=("$cap")
    for i in $(seq 1 600); do grep -q Capturing "$T/$name.dumpcap.log" && break; sleep 0.05; done
    gtlsserver -q -d "$T" "${srv[@]}" 127.0.0.1 "$port" "$T/ec.key" "$T/ec.crt" \
        >"$T/$name.server.log" 2>&1 </dev/null &
    local srvpid=$!
    PIDS+=("$srvpid")
    for i in $(seq 1 100); do [ -n "$(ss -Hlun "sport = :$port")" ] && break; sleep 0.05; done
    for run in $(seq 1 "${RUNS:-1}"); do
        SSLKEYLOGFILE=$out/$name.keys timeout 20 gtlsclient -q --exit-on-all-streams-close \
            --session-file="$T/$name.session" --tp-file="$T/$name.tp" "$@" \
            127.0.0.1 "$port" "https://127.0.0.1:$port/" >>"$T/$name.client.log" 2>&1 </dev/null ||
            die "$name: gtlsclient failed (run $run): $(tail -3 "$T/$name.client.log")"
        sleep 0.3
    done
    sleep 0.5
    kill "$srvpid" 2>/dev/null; wait "$srvpid" 2>/dev/null
    kill -INT "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
    [ -s "$out/$name.pcap" ] || die "$name: dumpcap wrote nothing"
}

quic quic-v1-aes128gcm 4431 --
quic quic-retry 4433 -V --
DATA_ONLY=1 quic quic-chacha20 4432 -- \
    --ciphers=NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+CHACHA20-POLY1305
DATA_ONLY=1 quic quic-version-negotiation 4434 -- -v 0x1a2a3a4a --preferred-versions=0x00000001
DATA_ONLY=1 RUNS=2 quic quic-0rtt 4435 --
DATA_ONLY=1 quic quic-key-update 4436 -- --key-update=20ms --delay-stream=100ms

compgen -G "$OUT/*.pcap" >/dev/null || compgen -G "$OUT/data/*.pcap" >/dev/null ||
    die "nothing recorded (names:$ONLY)"
render_goldens "$HSTRACE" "$OUT" "$OUT"
chmod -R a+r,go-w "$OUT"
mkdir -p "$DATA"
cp "$OUT"/*.* "$DEST"/ 2>/dev/null
cp "$OUT"/data/* "$DATA"/ 2>/dev/null
echo "recorded into $DEST and $DATA"
