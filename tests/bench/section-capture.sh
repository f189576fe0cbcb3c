#!/usr/bin/env bash
# Bench section (tests/bench/run): reading a large generated capture (tests/bench/gen-capture,
# about BYTES = 600 MB of MTU-sized packets) with hstrace -r, against cat and, on a slice
# (tshark is ~30x slower), tshark -Y tls.handshake.  Prints Markdown.  ROUNDS (3) runs each.
cd "$(dirname "$0")/../.." || exit 1
NO_JSON_AUDIT=1 # figures, not tests: no schema audit (and no wrapper around hstrace)
. tests/lib.sh
ROUNDS=${ROUNDS_CAPTURE:-3}
BYTES=${CAPTURE_BYTES:-600000000}
SLICE=${CAPTURE_SLICE:-60000000}
MEASURE=(python3 tests/bench/measure.py --unit s)
gen=$(tests/bench/gen-capture "$WORK/big.pcap" "$BYTES")
size=$(stat -c %s "$WORK/big.pcap")
cat "$WORK/big.pcap" >/dev/null # into the page cache: every reader starts warm
echo "## Reading a capture"
echo
echo "\`tests/bench/gen-capture OUT $BYTES\`: $size bytes (MTU-sized bulk packets of 80 TLS and"
echo "TCP connections interleaved with ${gen##*, } (complete TLS 1.3 handshakes)), read from"
echo "the page cache (warm), output to /dev/null, $ROUNDS interleaved rounds:"
echo
echo '```'
echo "cat FILE"
echo "hstrace -r FILE --plain --color never"
echo "hstrace -r FILE --json"
echo '```'
echo
"${MEASURE[@]}" --rounds "$ROUNDS" --ref cat --bytes "$size" \
    "cat=cat $WORK/big.pcap" \
    "hstrace -r --plain=$HSTRACE -r $WORK/big.pcap --plain --color never" \
    "hstrace -r --json=$HSTRACE -r $WORK/big.pcap --json"
echo
if command -v tshark >/dev/null; then
    tests/bench/gen-capture "$WORK/slice.pcap" "$SLICE" >"$WORK/slice.txt"
    ssize=$(stat -c %s "$WORK/slice.pcap")
    slice=$(cat "$WORK/slice.txt")
    echo "tshark on a smaller capture from the same generator ($ssize bytes, ${slice##*, }),"
    echo "hstrace on the same file for the ratio (MB/s scale with size: both read every packet):"
    echo
    echo '```'
    echo "tshark -r FILE -n -Y tls.handshake -T fields -e frame.number -e tls.handshake.type"
    echo '```'
    echo
    "${MEASURE[@]}" --rounds "$ROUNDS" --ref tshark --bytes "$ssize" \
        "tshark=tshark -r $WORK/slice.pcap -n -Y tls.handshake -T fields -e frame.number -e tls.handshake.type" \
        "hstrace -r --plain=$HSTRACE -r $WORK/slice.pcap --plain --color never" \
        "hstrace -r --json=$HSTRACE -r $WORK/slice.pcap --json"
    echo
else
    echo "(tshark not installed: no comparison)"
    echo
fi
