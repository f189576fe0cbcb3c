#!/usr/bin/env python3
"""Writes QUIC captures that no well-behaved peer sends, for tests/integration/quic_captures.sh.

usage: quic_synth.py SOURCE.pcap OUTDIR

Takes the client's ClientHello from SOURCE (the first Initial of a QUIC v1 capture, e.g.
captures/quic-v1-aes128gcm.pcap), and writes, protected as QUIC v1 Initial packets (RFC 9001
5: keys from the Destination Connection ID, AES-128-GCM, AES header protection):

  split.pcap     the ClientHello cut into CRYPTO frames out of order over two Initials, one
                 piece sent twice, zero padding after the first packet in its datagram
  hostile.pcap   CRYPTO at an offset past 1 MiB, a CRYPTO length past the payload, 100 pieces
                 ahead of a hole, a packet with a damaged tag, a non-zero tail after a packet
  not-quic.pcap  a 1300-byte datagram whose first bytes look like a long header of an unknown
                 version, then bytes that open as nothing: not QUIC
"""
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SALT_V1 = bytes.fromhex("38762cf7f55934b34d179ae6a4c80cadccbb7f0a")


def expand_label(secret, label, length):
    full = b"tls13 " + label.encode()
    info = struct.pack("!HB", length, len(full)) + full + b"\x00"
    out, block, i = b"", b"", 1
    while len(out) < length:
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
        i += 1
    return out[:length]


def initial_keys(dcid, who):
    secret = expand_label(hmac.new(SALT_V1, dcid, hashlib.sha256).digest(), who, 32)
    return (expand_label(secret, "quic key", 16), expand_label(secret, "quic iv", 12),
            expand_label(secret, "quic hp", 16))


def varint(v, size=None):
    size = size or (1 if v < 64 else 2 if v < 16384 else 4 if v < 2**30 else 8)
    prefix = {1: 0, 2: 0x40, 4: 0x80, 8: 0xc0}[size]
    b = bytearray(v.to_bytes(size, "big"))
    b[0] |= prefix
    return bytes(b)


def read_varint(p, off):
    size = 1 << (p[off] >> 6)
    v = p[off] & 0x3f
    for i in range(1, size):
        v = v << 8 | p[off + i]
    return v, off + size


def mask(hp, sample):
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    return enc.update(sample)[:5]


def nonce(iv, pn):
    return bytes(a ^ b for a, b in zip(iv, pn.to_bytes(12, "big")))


def protect(keys, dcid, scid, pn, payload):
    """A client Initial packet, pn on 2 bytes, payload padded to hold a sample."""
    key, iv, hp = keys
    payload = payload + bytes(max(0, 20 - len(payload)))
    hdr = (bytes([0xc1]) + struct.pack("!I", 1) + bytes([len(dcid)]) + dcid + bytes([len(scid)])
           + scid + varint(0) + varint(2 + len(payload) + 16, 2) + pn.to_bytes(2, "big"))
    pkt = bytearray(hdr + AESGCM(key).encrypt(nonce(iv, pn), payload, hdr))
    at = len(hdr) - 2
    m = mask(hp, bytes(pkt[at + 4:at + 20]))
    pkt[0] ^= m[0] & 0x0f
    pkt[at] ^= m[1]
    pkt[at + 1] ^= m[2]
    return bytes(pkt)


def client_hello(path):
    """The first client Initial's CRYPTO bytes, and its connection IDs and addresses."""
    data = open(path, "rb").read()
    endian = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    _, _, caplen, _ = struct.unpack(endian + "IIII", data[24:40])
    frame = data[40:40 + caplen]
    ip = frame[14:] if linktype == 1 else frame
    udp = ip[(ip[0] & 0x0f) * 4:]
    p = udp[8:]
    dl = p[5]
    dcid = p[6:6 + dl]
    sl = p[6 + dl]
    scid = p[7 + dl:7 + dl + sl]
    off = 7 + dl + sl
    tl, off = read_varint(p, off)
    off += tl
    length, off = read_varint(p, off)
    key, iv, hp = initial_keys(dcid, "client in")
    m = mask(hp, p[off + 4:off + 20])
    first = p[0] ^ (m[0] & 0x0f)
    pnl = (first & 3) + 1
    pn = int.from_bytes(bytes(p[off + i] ^ m[1 + i] for i in range(pnl)), "big")
    hdr = bytes([first]) + p[1:off] + bytes(p[off + i] ^ m[1 + i] for i in range(pnl))
    plain = AESGCM(key).decrypt(nonce(iv, pn), p[off + pnl:off + length], hdr)
    crypto, i = {}, 0
    while i < len(plain):
        if plain[i] == 0:
            i += 1
            continue
        if plain[i] != 6:
            raise SystemExit("quic_synth: frame %d in the source's first Initial" % plain[i])
        o, i = read_varint(plain, i + 1)
        n, i = read_varint(plain, i)
        crypto[o] = plain[i:i + n]
        i += n
    ch = b"".join(crypto[o] for o in sorted(crypto))
    return ch, dcid, scid, ip[12:16], ip[16:20], udp[0:2], udp[2:4]


def crypto(off, data):
    return b"\x06" + varint(off) + varint(len(data)) + data


def write(path, ends, datagrams):
    src, dst, sport, dport = ends
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)]
    for k, d in enumerate(datagrams):
        udp = sport + dport + struct.pack("!HH", 8 + len(d), 0) + d
        ip = (struct.pack("!BBHHHBBH", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0) + src + dst
              + udp)
        out.append(struct.pack("<IIII", 1700000000, 1000 * k, len(ip), len(ip)) + ip)
    open(path, "wb").write(b"".join(out))


def main():
    ch, dcid, scid, src, dst, sport, dport = client_hello(sys.argv[1])
    outdir = sys.argv[2]
    keys = initial_keys(dcid, "client in")
    ends = (src, dst, sport, dport)
    n = len(ch)

    one = protect(keys, dcid, scid, 0, crypto(200, ch[200:]) + crypto(0, ch[:100]) + bytes(700))
    two = protect(keys, dcid, scid, 1, crypto(100, ch[100:200]) + crypto(0, ch[:50]) + b"\x01"
                  + bytes(1000))
    write(outdir + "/split.pcap", ends, [one + bytes(1200 - len(one)), two])

    pieces = b"".join(crypto(1000 + 4 * k, b"abcd") for k in range(100))
    bad = bytearray(protect(keys, dcid, scid, 2, crypto(0, ch[:10]) + bytes(1100)))
    bad[-1] ^= 0xff  # the tag
    hostile = [
        protect(keys, dcid, scid, 0, crypto(2**21, b"far") + bytes(1200)),
        protect(keys, dcid, scid, 1, pieces + bytes(1000)) + b"\x17garbage after a packet",
        bytes(bad),
        protect(keys, dcid, scid, 3, crypto(0, ch[:20]) + b"\x06\x00\x48\x00" + bytes(1100)),
    ]
    write(outdir + "/hostile.pcap", ends, hostile)

    fake = b"\xc3\x12\x34\x56\x78\x08" + bytes(range(8)) + b"\x00" + bytes((7 * k) % 251 for k in range(1285))
    write(outdir + "/not-quic.pcap", ends, [fake])
    print("ClientHello %d bytes" % n)


if __name__ == "__main__":
    main()
