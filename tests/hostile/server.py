#!/usr/bin/env python3
"""A hostile TLS "server" on 127.0.0.1 for hstrace's hardening tests (Python 3 stdlib only).

usage: server.py CASE PORT
Listens on 127.0.0.1:PORT, prints "ready" on stdout, then serves every connection the same way
(the "alert-sweep" case answers connection N with fatal alert code N): it reads the ClientHello
and answers with the crafted bytes of CASE.  It runs until killed.  `server.py --list` names
the cases.

Nothing here is a real TLS server: certificates carry garbage signatures and the TLS 1.3 cases
stop right after the ServerHello.  What must be right is only what the client checks before the
point each case attacks.
"""
import hashlib
import os
import random
import socket
import struct
import sys
import threading
import time

# ---------------------------------------------------------------- X25519 (RFC 7748, 5)

P25519 = 2**255 - 19
A24 = 121665


def x25519(k: bytes, u: bytes) -> bytes:
    """The X25519 function: scalar k times the point with u-coordinate u (Montgomery ladder)."""
    kb = bytearray(k)
    kb[0] &= 248
    kb[31] &= 127
    kb[31] |= 64
    scalar = int.from_bytes(kb, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        bit = (scalar >> t) & 1
        swap ^= bit
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = bit
        a, b = (x2 + z2) % P25519, (x2 - z2) % P25519
        aa, bb = a * a % P25519, b * b % P25519
        e = (aa - bb) % P25519
        c, d = (x3 + z3) % P25519, (x3 - z3) % P25519
        da, cb = d * a % P25519, c * b % P25519
        x3 = (da + cb) ** 2 % P25519
        z3 = x1 * (da - cb) ** 2 % P25519
        x2 = aa * bb % P25519
        z2 = e * (aa + A24 * e) % P25519
    if swap:
        x2, x3, z2, z3 = x3, x2, z3, z2
    return (x2 * pow(z2, P25519 - 2, P25519) % P25519).to_bytes(32, "little")


def x25519_public(private: bytes) -> bytes:
    return x25519(private, (9).to_bytes(32, "little"))


# ---------------------------------------------------------------- DER and X.509

def der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body


def seq(*items: bytes) -> bytes:
    return der(0x30, b"".join(items))


def oid(dotted: str) -> bytes:
    parts = [int(x) for x in dotted.split(".")]
    out = bytearray([parts[0] * 40 + parts[1]])
    for v in parts[2:]:
        chunk = [v & 0x7F]
        v >>= 7
        while v:
            chunk.append(0x80 | (v & 0x7F))
            v >>= 7
        out += bytes(reversed(chunk))
    return der(0x06, bytes(out))


def name(cn: bytes, org: bytes = None) -> bytes:
    """An X.509 Name with a CN (UTF8String, raw bytes: they may be anything) and an O."""
    rdns = [der(0x31, seq(oid("2.5.4.3"), der(0x0C, cn)))]
    if org is not None:
        rdns.append(der(0x31, seq(oid("2.5.4.10"), der(0x0C, org))))
    return seq(*rdns)


# The P-256 base point: a public key every parser accepts as on the curve.
P256_G = bytes.fromhex(
    "04"
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5")
SPKI_EC = seq(seq(oid("1.2.840.10045.2.1"), oid("1.2.840.10045.3.1.7")),
              der(0x03, b"\x00" + P256_G))
ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))


def certificate(subject: bytes, issuer: bytes, serial: int = 1, sans=(), pad: int = 0,
                subject_org: bytes = None) -> bytes:
    """A v3 certificate with an EC P-256 key and a garbage signature.  `pad` adds an unknown
    non-critical extension of that many bytes (to make huge certificates)."""
    exts = []
    if sans:
        exts.append(seq(oid("2.5.29.17"), der(0x04, seq(*[der(0x82, s) for s in sans]))))
    if pad:
        exts.append(seq(oid("1.3.6.1.4.1.99999.1"), der(0x04, der(0x04, b"\xa5" * pad))))
    tbs_items = [
        der(0xA0, der(0x02, b"\x02")),                                  # version v3
        der(0x02, serial.to_bytes((serial.bit_length() + 8) // 8, "big")),
        ECDSA_SHA256,
        name(issuer),
        seq(der(0x17, b"250101000000Z"), der(0x17, b"350101000000Z")),
        name(subject, subject_org),
        SPKI_EC,
    ]
    if exts:
        tbs_items.append(der(0xA3, seq(*exts)))
    tbs = seq(*tbs_items)
    signature = der(0x03, b"\x00" + seq(der(0x02, b"\x01" * 32), der(0x02, b"\x02" * 32)))
    return seq(tbs, ECDSA_SHA256, signature)


def small_certificate(i: int) -> bytes:
    """A short v1 certificate (no extensions), for long chains."""
    tbs = seq(der(0x02, i.to_bytes(2, "big")), ECDSA_SHA256, name(b"c%d" % (i + 1)),
              seq(der(0x17, b"250101000000Z"), der(0x17, b"350101000000Z")),
              name(b"c%d" % i), SPKI_EC)
    return seq(tbs, ECDSA_SHA256, der(0x03, b"\x00\x30\x06\x02\x01\x01\x02\x01\x01"))


# ---------------------------------------------------------------- TLS framing

def u8(v): return struct.pack("!B", v)
def u16(v): return struct.pack("!H", v)
def u24(v): return struct.pack("!I", v)[1:]
def vec8(b): return u8(len(b)) + b
def vec16(b): return u16(len(b)) + b
def vec24(b): return u24(len(b)) + b


def record(ctype: int, body: bytes, version: int = 0x0303) -> bytes:
    return u8(ctype) + u16(version) + u16(len(body)) + body


def records(ctype: int, body: bytes, size: int = 16384) -> bytes:
    return b"".join(record(ctype, body[i:i + size]) for i in range(0, len(body), size))


def handshake(htype: int, body: bytes) -> bytes:
    return u8(htype) + vec24(body)


def ext(etype: int, body: bytes) -> bytes:
    return u16(etype) + vec16(body)


HRR_RANDOM = hashlib.sha256(b"HelloRetryRequest").digest()


class ClientHello:
    """The fields of a ClientHello a server needs to answer it (parsed leniently)."""

    def __init__(self, body: bytes):
        self.session_id = b""
        self.suites = []
        self.exts = {}
        try:
            off = 2 + 32
            n = body[off]
            self.session_id = body[off + 1:off + 1 + n]
            off += 1 + n
            n = int.from_bytes(body[off:off + 2], "big")
            raw = body[off + 2:off + 2 + n]
            self.suites = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, n, 2)]
            off += 2 + n
            off += 1 + body[off]
            end = off + 2 + int.from_bytes(body[off:off + 2], "big")
            off += 2
            while off + 4 <= end:
                et, el = struct.unpack("!HH", body[off:off + 4])
                self.exts[et] = body[off + 4:off + 4 + el]
                off += 4 + el
        except IndexError:
            pass


def read_client_hello(conn) -> ClientHello:
    """Reads one handshake message (the ClientHello) from whole records; None at EOF."""
    buf = b""
    msg = b""
    conn.settimeout(5)
    try:
        while True:
            while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
                chunk = conn.recv(65536)
                if not chunk:
                    return None
                buf += chunk
            n = int.from_bytes(buf[3:5], "big")
            if buf[0] == 22:
                msg += buf[5:5 + n]
            buf = buf[5 + n:]
            if len(msg) >= 4 and len(msg) >= 4 + int.from_bytes(msg[1:4], "big"):
                return ClientHello(msg[4:4 + int.from_bytes(msg[1:4], "big")])
    except (socket.timeout, OSError):
        return None


def server_hello12(ch: ClientHello, suite: int = 0xC02B, version: int = 0x0303,
                   exts: bytes = b"") -> bytes:
    # A new session id: echoing the client's would claim a TLS 1.2 resumption.
    body = u16(version) + os.urandom(32) + vec8(os.urandom(32)) + u16(suite) + b"\x00"
    if exts:
        body += vec16(exts)
    return handshake(2, body)


def server_hello13(ch: ClientHello, key: bytes, suite: int = 0x1301, extra: bytes = b"",
                   random_: bytes = None, version: int = 0x0304) -> bytes:
    exts = ext(43, u16(version)) + ext(51, u16(0x001D) + vec16(key)) + extra
    body = (u16(0x0303) + (random_ or os.urandom(32)) + vec8(ch.session_id) + u16(suite) +
            b"\x00" + vec16(exts))
    return handshake(2, body)


def hello_retry(ch: ClientHello, group: int) -> bytes:
    exts = ext(43, u16(0x0304)) + ext(51, u16(group))
    body = (u16(0x0303) + HRR_RANDOM + vec8(ch.session_id) + u16(0x1301) + b"\x00" +
            vec16(exts))
    return handshake(2, body)


def certificate12(chain) -> bytes:
    return handshake(11, vec24(b"".join(vec24(c) for c in chain)))


def certificate12_of_size(size: int, subject: bytes) -> bytes:
    """A Certificate message of exactly `size` bytes (one padded certificate)."""
    for extra in range(4):
        base = len(certificate(subject + b"x" * extra, b"pad CA", pad=1))
        for pad in range(max(1, size - 10 - base - 40), size - 10 - base + 8):
            msg = certificate12([certificate(subject + b"x" * extra, b"pad CA", pad=pad)])
            if len(msg) == size:
                return msg
    raise ValueError(f"no certificate message of {size} bytes")


ESCAPES = b"\x1b[2J\x1b]52;c;cHduZWQ=\x07\x00\xff\xfe\xc3\x28\xed\xa0\x80\x9b\xc2\x9b31m"


# ---------------------------------------------------------------- the cases

def send(conn, data):
    conn.sendall(data)


def drip(conn, data, pause):
    for i in range(len(data)):
        conn.sendall(data[i:i + 1])
        time.sleep(pause)


def linger_reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def sh12(ch):
    return record(22, server_hello12(ch))


def case_truncated_header(conn, ch):
    send(conn, b"\x16\x03\x03")


def case_truncated_header_silent(conn, ch):
    send(conn, b"\x16\x03\x03")
    time.sleep(30)


def case_record_len_0(conn, ch):
    send(conn, record(22, b""))


def case_record_len_16385(conn, ch):
    # One byte over the plaintext limit: a ServerHello and a Certificate in a 16385-byte record.
    hello = server_hello12(ch)
    send(conn, record(22, hello + certificate12_of_size(16385 - len(hello), b"big.test")))


def case_record_len_65535(conn, ch):
    send(conn, b"\x16\x03\x03\xff\xff" + bytes(65535))


def case_hs_longer_than_record(conn, ch):
    send(conn, record(22, u8(2) + u24(1000) + b"\x03\x03" + b"\x00" * 20))


def case_hs_len_max(conn, ch):
    # A Certificate announcing 2^24-1 bytes, then 40 full records of continuation.
    body = u8(11) + u24(0xFFFFFF) + b"\x00" * (16384 - 4)
    data = record(22, body) + records(22, b"\x00" * (16384 * 40))
    send(conn, data)


def case_unknown_content_type(conn, ch):
    send(conn, record(99, b"\x01\x02\x03\x04\x05"))


def case_sslv2_reply(conn, ch):
    # An SSLv2 SERVER-HELLO: 2-byte header with the high bit set, type 4.
    body = b"\x04\x00\x01\x00\x02" + u16(0) + u16(3) + u16(16) + b"\x07\x00\xc0" + os.urandom(16)
    send(conn, u16(0x8000 | len(body)) + body)


def case_http_reply(conn, ch):
    send(conn, b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: 20\r\n"
               b"Connection: close\r\n\r\n<h1>not TLS</h1>\r\n\r\n")


def case_escape_reply(conn, ch):
    send(conn, b"\x1b[2J\x1b]52;c;cHduZWQ=\x07HTTP/1.1 200 \x1b[31mOK\r\n\r\n")


def case_garbage(conn, ch):
    send(conn, random.Random(5).randbytes(4096))


def case_silence(conn, ch):
    time.sleep(30)


def case_one_byte_per_second(conn, ch):
    drip(conn, sh12(ch), 1.0)


def case_rst_mid_flight(conn, ch):
    # Most of the ServerHello + Certificate flight, then close with SO_LINGER 0: an RST.
    flight = sh12(ch) + record(22, certificate12([certificate(b"rst.test", b"rst CA")]))
    send(conn, flight[:len(flight) - 40])
    time.sleep(0.2)
    linger_reset(conn)
    return "reset"


def case_close_after_server_hello(conn, ch):
    send(conn, sh12(ch))


def case_one_byte_records(conn, ch):
    # ServerHello, Certificate, ServerHelloDone (10 000 bytes) in 10 000 one-byte records.
    hello, done = server_hello12(ch), handshake(14, b"")
    flight = hello + certificate12_of_size(10000 - len(hello) - len(done), b"tiny.test") + done
    send(conn, b"".join(record(22, flight[i:i + 1]) for i in range(len(flight))))


def case_empty_message_flood(conn, ch):
    # 4 MB of zeros after the ServerHello: a million empty HelloRequest messages.
    send(conn, sh12(ch) + records(22, bytes(4 * 1024 * 1024)))


def case_warning_alert_flood(conn, ch):
    # 100 000 warning alerts (unrecognized_name) after the ServerHello, 4 per record.
    alerts = record(21, b"\x01\x70" * 4)
    send(conn, sh12(ch) + alerts * 25000)


def case_chain_150(conn, ch):
    chain = [small_certificate(i) for i in range(150)]
    send(conn, sh12(ch) + records(22, certificate12(chain)))


def case_cert_1mb(conn, ch):
    cert = certificate(b"huge.test", b"huge CA", pad=1024 * 1024)
    send(conn, sh12(ch) + records(22, certificate12([cert])))


def case_cert_escapes(conn, ch):
    # Subject, issuer, O and SANs with CSI, OSC 52, BEL, NUL, invalid UTF-8, C1 CSI.
    leaf = certificate(b"evil" + ESCAPES + b".test", b"CA" + ESCAPES, serial=0x1b1b,
                       sans=[b"a\x1b[2J.test", b"b\x00\xff.test"], subject_org=ESCAPES)
    root = certificate(b"CA" + ESCAPES, b"CA" + ESCAPES, serial=7)
    send(conn, sh12(ch) + record(22, certificate12([leaf, root])))


def case_duplicate_extensions(conn, ch):
    key = x25519_public(os.urandom(32))
    dup = ext(51, u16(0x001D) + vec16(key))
    send(conn, record(22, server_hello13(ch, key, extra=dup)))


def case_suite_not_offered(conn, ch):
    send(conn, record(22, server_hello12(ch, suite=0x0005)))


def case_version_not_offered(conn, ch):
    send(conn, record(22, server_hello12(ch, version=0x0300), version=0x0300))


def case_version13_not_offered(conn, ch):
    send(conn, record(22, server_hello13(ch, x25519_public(os.urandom(32)), version=0x0305)))


def case_two_hrr(conn, ch):
    # HelloRetryRequest for secp256r1, then again (for secp384r1) after the second ClientHello.
    send(conn, record(22, hello_retry(ch, 0x0017)))
    ch2 = read_client_hello(conn)
    if ch2 is not None:
        send(conn, record(22, hello_retry(ch2, 0x0018)))


def case_alert_warning(conn, ch):
    send(conn, record(21, b"\x01\x00"))


COUNTER = [0]
COUNTER_LOCK = threading.Lock()


def case_alert_sweep(conn, ch):
    # Connection N gets a fatal alert with description code N % 256.
    with COUNTER_LOCK:
        code = COUNTER[0] % 256
        COUNTER[0] += 1
    send(conn, record(21, bytes([2, code])))


def case_bad_decrypt(conn, ch):
    # A TLS 1.3 ServerHello with a real X25519 share (the client derives handshake keys),
    # then 60 random bytes as an encrypted record: its AEAD tag cannot verify.
    key = x25519_public(os.urandom(32))
    send(conn, record(22, server_hello13(ch, key)) + record(20, b"\x01") +
         record(23, os.urandom(60)))


def case_escape_alpn(conn, ch):
    alpn = ext(16, vec16(vec8(b"h2\x1b[2J\x1b]52;c;eA==\x07")))
    send(conn, record(22, server_hello12(ch, exts=alpn)))


CASES = {name[5:].replace("_", "-"): fn for name, fn in globals().items()
         if name.startswith("case_")}


def serve(conn, fn):
    try:
        ch = read_client_hello(conn)
        if ch is None:
            return
        conn.settimeout(None)
        if fn(conn, ch) == "reset":
            return
        # FIN, then read until the client closes: closing with unread bytes would send an RST,
        # which could reach the client before it read our answer.
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(2)
        while conn.recv(65536):
            pass
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    if len(sys.argv) == 2 and sys.argv[1] == "--list":
        print("\n".join(sorted(CASES)))
        return 0
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.stderr.write("usage: server.py CASE PORT (server.py --list)\n")
        return 2
    fn = CASES[sys.argv[1]]
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", int(sys.argv[2])))
    lsock.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=serve, args=(conn, fn), daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
