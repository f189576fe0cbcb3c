#!/usr/bin/env python3
"""usage: many_secrets.py SRC.pcapng KEYS OUT.pcapng N

Writes SRC's blocks with its Decryption Secrets Blocks replaced, after the first interface,
by N random (junk) CLIENT_RANDOM secrets in blocks of 10000 lines, then the real KEYS last."""
import struct, sys, os
src, keys, dst, njunk = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
data = open(src, "rb").read()
end = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
blocks, off = [], 0
while off + 12 <= len(data):
    btype, blen = struct.unpack(end + "II", data[off:off + 8])
    blocks.append((btype, data[off:off + blen]))
    off += blen
def dsb(text):
    pad = (-len(text)) % 4
    body = struct.pack(end + "II", 0x544c534b, len(text)) + text + b"\0" * pad
    blen = 12 + len(body)
    return struct.pack(end + "II", 0x0A, blen) + body + struct.pack(end + "I", blen)
rnd = os.urandom
junk = [b"CLIENT_RANDOM %s %s\n" % (rnd(32).hex().encode(), rnd(48).hex().encode())
        for _ in range(njunk)]
real = open(keys, "rb").read()
out = bytearray()
for btype, b in blocks:
    if btype == 0x0A:
        continue
    out += b
    if btype == 1:  # after the first interface: the secrets, junk first, the real ones last
        for i in range(0, njunk, 10000):
            out += dsb(b"".join(junk[i:i + 10000]))
        out += dsb(real)
open(dst, "wb").write(out)
