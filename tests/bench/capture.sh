#!/usr/bin/env bash
# Benchmark (not a test): reading a large capture of many connections mixed with bulk data.
# hstrace -r (text and JSON) against tshark's TLS handshake dissection of the same file:
# wall time, throughput and peak memory.  Usage: tests/bench/capture.sh [BYTES] [--no-tshark]
cd "$(dirname "$0")/../.." || exit 1
BYTES=${1:-1000000000}
HSTRACE=${HSTRACE:-./hstrace}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gen=$(python3 tests/bench/gen-capture.py "$work/big.pcap" "$BYTES")
size=$(stat -c %s "$work/big.pcap")
measure() { # NAME CMD...: wall seconds, MB/s, peak RSS (MB)
    local name=$1
    shift
    /usr/bin/time -f '%e %M' -o "$work/t" "$@" >/dev/null 2>"$work/err"
    read -r secs kb <"$work/t"
    awk -v n="$name" -v s="$secs" -v kb="$kb" -v b="$size" \
        'BEGIN {printf "%-34s %8.2f s %9.1f MB/s %8.1f MB peak\n", n, s, b / 1e6 / (s > 0 ? s : 0.01), kb / 1024}'
}
echo "capture: $size bytes ($gen, plus 80 bulk connections of up to 10 MB)"
measure "hstrace -r --plain" "$HSTRACE" -r "$work/big.pcap" --plain --color never
measure "hstrace -r --json" "$HSTRACE" -r "$work/big.pcap" --json
if [ "${2:-}" != --no-tshark ] && command -v tshark >/dev/null; then
    measure "tshark -r -Y tls.handshake (fields)" tshark -r "$work/big.pcap" -n -Y tls.handshake \
        -T fields -e frame.number -e tls.handshake.type
fi
