#!/usr/bin/env bash
# The capture reader and frame parser against tshark on real captures: for every file in
# ../shared/captures-public/ (skipped where absent), the same number of frames as capinfos, and
# the same TCP segments (frame, ports, raw sequence number, payload length, flags) as tshark.
# The reader is driven by the unit test binary's --count / --segments modes.
. "$(dirname "$0")/../lib.sh"
PUB=$(cd "$(dirname "$0")/../../.." && pwd)/shared/captures-public
TOOL=$BUILD/tests/test_pcapfile
if [ ! -d "$PUB" ]; then
    skip "public captures" "$PUB is absent"
    exit 0
fi
if ! command -v tshark >/dev/null || ! command -v capinfos >/dev/null; then
    skip "public captures" "tshark/capinfos not installed"
    exit 0
fi
if [ ! -x "$TOOL" ]; then
    skip "public captures" "$TOOL not built (make unit)"
    exit 0
fi
shopt -s nullglob
JSON_INVALID=""
RC=0
OUT=/dev/null
for f in "$PUB"/*.pcap "$PUB"/*.pcapng; do
    name=$(basename "$f")
    want=$(capinfos -c -M "$f" 2>/dev/null | awk '/Number of packets/ {print $NF}')
    got=$("$TOOL" --count "$f")
    frames=$(sed -n 's/.*: frames \([0-9]*\) .*/\1/p' <<<"$got")
    if [ -n "$want" ] && [ "$frames" = "$want" ] && ! grep -q 'error:' <<<"$got"; then
        ok "$name: $frames frames, as capinfos"
    else
        notok "$name: frames" "hstrace: $got" "capinfos: $want"
    fi
    "$TOOL" --segments "$f" >"$WORK/ours" 2>&1
    tshark -n -r "$f" -Y 'tcp && !icmp && !icmpv6' -T fields -E separator=' ' -e frame.number \
        -e tcp.srcport -e tcp.dstport -e tcp.seq_raw -e tcp.len -e tcp.flags >"$WORK/theirs" 2>/dev/null
    if [ -s "$WORK/theirs" ] && cmp -s "$WORK/ours" "$WORK/theirs"; then
        ok "$name: $(wc -l <"$WORK/ours") TCP segments, as tshark"
    else
        notok "$name: TCP segments differ from tshark" "$(diff "$WORK/ours" "$WORK/theirs" | head -5 | tr '\n' ' ')"
    fi
done
