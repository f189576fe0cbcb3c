#!/usr/bin/env python3
"""Builds the seed inputs of the fuzz harnesses (see tests/fuzz/README.md).

    tests/fuzz/make_seeds.py OUTDIR [CAPTURE.pcap|.pcapng ...] [--der CERT.der ...]
                             [--keylog FILE ...] [--keys-header FILE.h]

Writes OUTDIR/NAME/<seed> for NAME in decoder, x509, capture, keylog, target.  Sources: the
RFC 8448 vectors in tests/data (records -> decoder streams, a synthetic capture, the
certificate), the captures given (loopback sessions recorded with `hstrace -w`: copied as
capture seeds, their TCP payloads turned into decoder streams), DER certificates, key logs,
and hand-written URL strings.  --keys-header writes the key log the decoder and capture
harnesses load (the RFC 8448 secrets and the given key logs) as a C string.  Minimise the result with -merge=1 before committing.

Decoder input format (fuzz_decoder.c): byte 0 = mode, then chunks of
ctl(1) len(2, big-endian) data(len): ctl bit 0 = direction (1 = server), ctl & 0x0e == 0x0e =
a gap of len bytes (no data), ctl bit 6 = key log arrives before this chunk (mode 2), ctl
bits 7 and 5 = hs_decoder_no_more_keys before this chunk.
"""
import hashlib
import os
import zlib
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def vectors():
    out = {}
    with open(os.path.join(ROOT, "tests/data/rfc8448-simple-1rtt.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or ":" not in line:
                continue
            k, v = line.split(":", 1)
            v = v.strip()
            try:
                out[k] = bytes.fromhex(v)
            except ValueError:
                out[k] = v
    return out


def chunk(side, data, ctl=0):
    return bytes([side | ctl]) + struct.pack(">H", len(data)) + data


def gap(side, n):
    return bytes([side | 0x0e]) + struct.pack(">H", n)


def stream(mode, feeds):
    """feeds: list of (side, bytes) -> one decoder input."""
    return bytes([mode]) + b"".join(chunk(s, d) for s, d in feeds)


def write(outdir, name, seed, data):
    d = os.path.join(outdir, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, seed), "wb") as f:
        f.write(data)


# ---- captures ----

def frames(path):
    """(linktype, frame bytes) of a pcap or pcapng file."""
    d = open(path, "rb").read()
    out = []
    magic = d[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        lt = struct.unpack("<I", d[20:24])[0]
        off = 24
        while off + 16 <= len(d):
            _, _, incl, _ = struct.unpack("<IIII", d[off:off + 16])
            out.append((lt, d[off + 16:off + 16 + incl]))
            off += 16 + incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        off, ifaces = 0, []
        while off + 12 <= len(d):
            t, blen = struct.unpack("<II", d[off:off + 8])
            body = d[off + 8:off + blen - 4]
            if t == 1:
                ifaces.append(struct.unpack("<H", body[:2])[0])
            elif t == 6:
                iface, _, _, cap, _ = struct.unpack("<IIIII", body[:20])
                out.append((ifaces[iface], body[20:20 + cap]))
            off += blen
    return out


def tcp_payloads(path):
    """In-order TCP payloads of the first connection: [(side, bytes)], side 0 = SYN sender."""
    feeds, client = [], None
    for lt, fr in frames(path):
        if lt == 1:
            ethertype, ip = struct.unpack(">H", fr[12:14])[0], fr[14:]
        elif lt == 0:
            ethertype, ip = (0x0800 if fr[0] == 2 else 0x86dd), fr[4:]
        elif lt in (101, 12, 228, 229):
            ethertype, ip = (0x0800 if fr[0] >> 4 == 4 else 0x86dd), fr
        else:
            continue
        if ethertype == 0x0800:
            ihl, proto = (ip[0] & 15) * 4, ip[9]
            src, dst, seg = ip[12:16], ip[16:20], ip[ihl:]
        elif ethertype == 0x86dd:
            proto, src, dst, seg = ip[6], ip[8:24], ip[24:40], ip[40:]
        else:
            continue
        if proto != 6 or len(seg) < 20:
            continue
        sport, dport = struct.unpack(">HH", seg[:4])
        flags, doff = seg[13], (seg[12] >> 4) * 4
        if flags & 0x02 and not flags & 0x10 and client is None:
            client = (src, sport)
        payload = seg[doff:]
        if payload and client is not None:
            feeds.append((0 if (src, sport) == client else 1, payload))
    return feeds


def link_wrap(ip, linktype, v6):
    """An IP packet framed for a link type (Ethernet, VLAN, BSD loopback, SLL, SLL2, raw)."""
    et = struct.pack(">H", 0x86dd if v6 else 0x0800)
    mac = bytes.fromhex("020000000001020000000002")
    if linktype == 1:
        return mac + et + ip
    if linktype == "vlan":
        return mac + b"\x81\x00\x00\x07" + et + ip
    if linktype == 0:
        return struct.pack("<I", 30 if v6 else 2) + ip
    if linktype == 113:
        return struct.pack(">HHH", 0, 772, 6) + mac[:6] + b"\x00\x00" + et + ip
    if linktype == 276:
        return et + b"\x00\x00" + struct.pack(">IHBB", 1, 772, 0, 6) + mac[:6] + \
            b"\x00\x00" + ip
    return ip


def tcp_frames(segments, snap=65535, server_port=443, v6=False):
    """[(ts, frame)] of one TCP connection as raw IP packets (see pcap_file)."""
    out = []
    if v6:
        addr = [bytes(15) + b"\x01", bytes.fromhex("20010db8") + bytes(11) + b"\x02"]
    else:
        addr = [bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])]
    port = [40000, server_port]
    seq = [1000, 5000]
    t = [1700000000.0]

    def pkt(side, flags, payload=b"", how=""):
        ack = seq[1 - side] if flags & 0x10 else 0
        if how == "retx":
            seq[side] = (seq[side] - len(payload)) & 0xffffffff
        tcp = struct.pack(">HHIIBBHHH", port[side], port[1 - side], seq[side], ack,
                          (15 if how == "doff" else 5) << 4, flags, 65535, 0, 0) + payload
        if v6:
            ip = struct.pack(">IHBB", 6 << 28, len(tcp), 6, 64) + addr[side] + \
                addr[1 - side] + tcp
        else:
            ip = struct.pack(">BBHHHBBH4s4s", 0x4f if how == "ihl" else 0x45, 0, 20 + len(tcp),
                             0, 0, 64, 6, 0, addr[side], addr[1 - side]) + tcp
        seq[side] = (seq[side] + len(payload) + (1 if flags & 0x03 else 0)) & 0xffffffff
        t[0] += 0.001
        out.append((t[0], ip))

    pkt(0, 0x02)
    pkt(1, 0x12)
    pkt(0, 0x10)
    for seg in segments:
        pkt(seg[0], 0x18, seg[1], seg[2] if len(seg) > 2 else "")
    pkt(0, 0x11)
    pkt(1, 0x11)
    pkt(0, 0x10)
    return out


def pcap_variant(segments, linktype, v6=False, nano=False, big=False):
    """A pcap in another link type, address family, timestamp resolution or byte order."""
    e = ">" if big else "<"
    lt = {"vlan": 1}.get(linktype, linktype)
    out = [struct.pack(e + "IHHiIII", 0xa1b23c4d if nano else 0xa1b2c3d4, 2, 4, 0, 0, 65535,
                       lt)]
    for ts, ip in tcp_frames(segments, v6=v6):
        fr = link_wrap(ip, linktype, v6)
        sec = int(ts)
        frac = int((ts - sec) * (1e9 if nano else 1e6))
        out.append(struct.pack(e + "IIII", sec, frac, len(fr), len(fr)) + fr)
    return b"".join(out)


def pcapng_file(segments, keylog, big=False):
    """A pcapng: SHB, two interfaces (Ethernet in microseconds, raw IP in nanoseconds), a
    Decryption Secrets Block, EPBs on both, a Simple Packet Block, a Name Resolution Block,
    an Interface Statistics Block, an unknown block, then a second section."""
    e = ">" if big else "<"

    def block(typ, body):
        body += b"\x00" * (-len(body) % 4)
        n = len(body) + 12
        return struct.pack(e + "II", typ, n) + body + struct.pack(e + "I", n)

    def opt(code, val):
        return struct.pack(e + "HH", code, len(val)) + val + b"\x00" * (-len(val) % 4)

    end = struct.pack(e + "HH", 0, 0)
    shb = block(0x0a0d0d0a, struct.pack(e + "IHHq", 0x1a2b3c4d, 1, 0, -1) +
                opt(2, b"hstrace seeds") + end)
    idb0 = block(1, struct.pack(e + "HHI", 1, 0, 65535) + opt(2, b"eth0") + end)
    idb1 = block(1, struct.pack(e + "HHI", 101, 0, 65535) + opt(9, b"\x09") + end)
    kl = keylog.encode()
    dsb = block(10, struct.pack(e + "II", 0x544c534b, len(kl)) + kl)
    out = [shb, idb0, idb1, dsb]
    for i, (ts, ip) in enumerate(tcp_frames(segments)):
        iface = i % 2
        fr = link_wrap(ip, 1, False) if iface == 0 else ip
        units = int(ts * (1e6 if iface == 0 else 1e9))
        if i == 4:
            out.append(block(3, struct.pack(e + "I", len(fr)) + fr))  # SPB: interface 0
            continue
        fr = link_wrap(ip, 1, False) if iface == 0 else ip
        out.append(block(6, struct.pack(e + "IIIII", iface, units >> 32, units & 0xffffffff,
                                        len(fr), len(fr)) + fr + opt(1, b"seed") + end))
    out.append(block(4, struct.pack(e + "HH", 1, 8) + bytes([10, 0, 0, 2]) + b"srv\x00" +
                     struct.pack(e + "HH", 0, 0)))
    out.append(block(5, struct.pack(e + "III", 0, 0, 0) + end))
    out.append(block(0x0bad, b"custom"))
    out.append(shb + idb0)
    return b"".join(out)


def pcap_file(segments, snap=65535, server_port=443):
    """A pcap (raw IPv4 link type) of one TCP connection carrying the given payloads:
    (side, data) or (side, data, how), how = "retx" (sent again at the previous sequence
    number: a retransmission, contradicting if the bytes differ), "ihl" or "doff" (a bogus
    IP or TCP header length).  Frames are cut to snap bytes."""
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101)]
    addr = [bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])]
    port = [40000, server_port]
    seq = [1000, 5000]
    t = [1700000000.0]

    def pkt(side, flags, payload=b"", how=""):
        ack = seq[1 - side] if flags & 0x10 else 0
        if how == "retx":
            seq[side] = (seq[side] - len(payload)) & 0xffffffff
        tcp = struct.pack(">HHIIBBHHH", port[side], port[1 - side], seq[side], ack,
                          (15 if how == "doff" else 5) << 4, flags, 65535, 0, 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x4f if how == "ihl" else 0x45, 0, 20 + len(tcp), 0,
                         0, 64, 6, 0, addr[side], addr[1 - side]) + tcp
        seq[side] = (seq[side] + len(payload) + (1 if flags & 0x03 else 0)) & 0xffffffff
        t[0] += 0.001
        s = int(t[0])
        cap = min(len(ip), snap)
        out.append(struct.pack("<IIII", s, int((t[0] - s) * 1e6), cap, len(ip)) + ip[:cap])

    pkt(0, 0x02)
    pkt(1, 0x12)
    pkt(0, 0x10)
    for seg in segments:
        pkt(seg[0], 0x18, seg[1], seg[2] if len(seg) > 2 else "")
    pkt(0, 0x11)
    pkt(1, 0x11)
    pkt(0, 0x10)
    return b"".join(out)


def dup_extensions(sh):
    """A ServerHello record whose extensions appear twice."""
    body = sh[4:]
    sid = body[34]
    head = body[:35 + sid + 3]
    exts = body[35 + sid + 3 + 2:]
    body = head + struct.pack(">H", 2 * len(exts)) + exts + exts
    msg = b"\x02" + len(body).to_bytes(3, "big") + body
    return b"\x16\x03\x03" + struct.pack(">H", len(msg)) + msg


def hs(typ, body):
    return bytes([typ]) + len(body).to_bytes(3, "big") + body


def vec(n, data):
    return len(data).to_bytes(n, "big") + data


def record(typ, frag):
    return bytes([typ]) + b"\x03\x03" + struct.pack(">H", len(frag)) + frag


def der_issuer(cert):
    """The issuer Name of a DER certificate (walks TBSCertificate by hand)."""
    def tlv(b, off):
        ln, hl = b[off + 1], 2
        if ln & 0x80:
            k = ln & 0x7f
            ln, hl = int.from_bytes(b[off + 2:off + 2 + k], "big"), 2 + k
        return off + hl, off + hl + ln
    start, _ = tlv(cert, 0)
    off, _ = tlv(cert, start)          # inside TBSCertificate
    fields = []
    while len(fields) < 4:
        body, end = tlv(cert, off)
        fields.append((off, end))
        off = end
    if cert[fields[0][0]] == 0xa0:     # [0] version present: serial, sigalg, issuer
        return cert[fields[3][0]:fields[3][1]]
    return cert[fields[2][0]:fields[2][1]]


def crafted(v, ch):
    """Decoder seeds with messages no seed session has: TLS 1.3 CertificateRequest,
    CompressedCertificate and KeyUpdate (encrypted with the RFC 8448 keys, so they decrypt),
    a TLS 1.2 CertificateRequest and NextProtocol in the clear, an SSLv2 ClientHello."""
    out = {}
    cert_msg = v["certificate"]
    der = cert_msg[11:11 + int.from_bytes(cert_msg[8:11], "big")]
    issuer = der_issuer(der)
    sigalgs = vec(2, bytes.fromhex("0403080408050806040105010601"))
    cr13 = hs(13, b"\x00" + vec(2, b"\x00\x0d" + vec(2, sigalgs) +
                                  b"\x00\x2f" + vec(2, vec(2, vec(2, issuer)))))
    comp = hs(25, struct.pack(">H", 1) + (len(cert_msg) - 4).to_bytes(3, "big") +
              vec(3, zlib.compress(cert_msg[4:])))
    ku_req, ku = hs(24, b"\x01"), hs(24, b"\x00")
    cr12 = hs(13, vec(1, b"\x01\x40") + sigalgs + vec(2, vec(2, issuer)))
    npn = hs(67, vec(1, b"h2") + vec(1, b"\x00" * 30))
    sh12 = hs(2, b"\x03\x03" + v["server_random"] + b"\x00\xc0\x2f\x00")
    cert12 = hs(11, vec(3, vec(3, der)))
    cke = hs(16, vec(1, b"\x04" + b"\x11" * 64))
    out["tls12-certreq-npn"] = [ch, (1, record(22, sh12 + cert12 + cr12 + hs(14, b""))),
                                (0, record(22, hs(11, vec(3, b"")) + cke + npn)),
                                (0, record(20, b"\x01")), (0, record(22, b"\x55" * 40))]
    specs = bytes.fromhex("0000ff00c02f010080")
    sslv2 = b"\x01\x03\x03" + struct.pack(">HHH", len(specs), 0, 16) + specs + b"\xab" * 16
    out["sslv2-clienthello"] = [(0, bytes([0x80, len(sslv2)]) + sslv2), (1, v["server_hello_record"])]
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
    except ImportError:
        return out

    def expand_label(secret, label, n):
        info = struct.pack(">H", n) + vec(1, b"tls13 " + label) + b"\x00"
        return HKDFExpand(hashes.SHA256(), n, info).derive(secret)

    def protect(key, iv, seq, inner_type, payload):
        nonce = bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))
        inner = payload + bytes([inner_type])
        aad = b"\x17\x03\x03" + struct.pack(">H", len(inner) + 16)
        return aad + AESGCM(key).encrypt(nonce, inner, aad)

    def keys(secret):
        return expand_label(secret, b"key", 16), expand_label(secret, b"iv", 12)

    shk, cak = keys(v["server_handshake_traffic_secret"]), keys(v["client_handshake_traffic_secret"])
    s_app = v["server_application_traffic_secret_0"]
    c_app = v["client_application_traffic_secret_0"]
    flight = (v["encrypted_extensions"] + cr13 + comp + v["certificate"] +
              v["certificate_verify"] + v["server_finished"])
    s_next = expand_label(s_app, b"traffic upd", 32)
    c_next = expand_label(c_app, b"traffic upd", 32)
    out["tls13-certreq-keyupdate"] = [
        ch, (1, v["server_hello_record"]), (1, protect(*shk, 0, 22, flight)),
        (0, protect(*cak, 0, 22, hs(11, b"\x00" + vec(3, b"")) + v["client_finished"])),
        (1, protect(*keys(s_app), 0, 22, v["new_session_ticket"] + ku_req)),
        (1, protect(*keys(s_next), 0, 23, b"after the server's key update")),
        (0, protect(*keys(c_app), 0, 22, ku)),
        (0, protect(*keys(c_next), 0, 23, b"after the client's key update")),
        (1, protect(*keys(s_next), 1, 21, b"\x01\x00"))]
    return out


def main():
    args = sys.argv[1:]
    outdir, caps, ders, keylogs, header = args[0], [], [], [], []
    dest = caps
    for a in args[1:]:
        if a == "--keys-header":
            dest = header
        elif a == "--der":
            dest = ders
        elif a == "--keylog":
            dest = keylogs
        else:
            dest.append(a)

    v = vectors()
    rfc = [(0, v["client_hello_record"]), (1, v["server_hello_record"]),
           (1, v["server_encrypted_record"]), (0, v["client_finished_record"]),
           (1, v["new_session_ticket_record"]), (0, v["client_application_data_record"]),
           (1, v["server_application_data_record"]), (0, v["client_alert_record"]),
           (1, v["server_alert_record"])]

    cr = v["client_random"].hex()
    rfc_log = "".join("%s %s %s\n" % (label, cr, v[name].hex()) for label, name in [
        ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "client_handshake_traffic_secret"),
        ("SERVER_HANDSHAKE_TRAFFIC_SECRET", "server_handshake_traffic_secret"),
        ("CLIENT_TRAFFIC_SECRET_0", "client_application_traffic_secret_0"),
        ("SERVER_TRAFFIC_SECRET_0", "server_application_traffic_secret_0"),
        ("EXPORTER_SECRET", "exporter_master_secret")])
    # decoder: the RFC 8448 conversation, with keys, without, keys late, split small, a gap.
    write(outdir, "decoder", "rfc8448-keys", stream(1, rfc))
    write(outdir, "decoder", "rfc8448-nokeys", stream(0, rfc))
    late = bytes([2]) + b"".join(chunk(s, d, 0x40 if i == 3 else 0) for i, (s, d) in
                                 enumerate(rfc))
    write(outdir, "decoder", "rfc8448-latekeys", late)
    small = [(s, d[i:i + 7]) for s, d in rfc[:4] for i in range(0, len(d), 7)]
    write(outdir, "decoder", "rfc8448-split7", stream(1, small))
    gapped = bytes([1]) + chunk(0, rfc[0][1]) + chunk(1, rfc[1][1]) + gap(1, 100) + \
        chunk(1, rfc[2][1][100:]) + chunk(0, rfc[3][1])
    write(outdir, "decoder", "rfc8448-gap", gapped)
    write(outdir, "decoder", "rfc8448-wrongkeys", stream(3, rfc[:4]))
    for name, rec in [("ch", rfc[0]), ("sh", rfc[1])]:
        write(outdir, "decoder", "rfc8448-" + name, stream(0, [rec]))
    # Plaintext handshake messages as if unencrypted (TLS 1.2 style framing of each message).
    plain = b"".join(b"\x16\x03\x03" + struct.pack(">H", len(v[m])) + v[m] for m in
                     ("encrypted_extensions", "certificate", "certificate_verify",
                      "server_finished"))
    write(outdir, "decoder", "rfc8448-plainflight", stream(0, [rfc[0], rfc[1], (1, plain)]))
    write(outdir, "decoder", "http", stream(0, [(0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
                                                (1, b"HTTP/1.1 400 Bad Request\r\n\r\n")]))
    write(outdir, "decoder", "sslv2", stream(0, [(0, rfc[0][1]), (1, b"\x80\x2e\x02\x00\x02")]))
    # The hostile-server cases (issue 5), as server replies to the RFC ClientHello.
    ch = rfc[0]
    sh = v["server_hello"]
    hostile = {
        "short-header": b"\x16\x03\x03\x00",
        "len0": b"\x16\x03\x03\x00\x00",
        "len16385": b"\x16\x03\x03\x40\x01" + b"\x00" * 64,
        "len65535": b"\x17\x03\x03\xff\xff" + b"\x41" * 64,
        "hs-longer-than-record": b"\x16\x03\x03\x00\x08\x02\x00\x10\x00" + sh[4:8],
        "hs-2p24": b"\x16\x03\x03\x00\x08\x02\xff\xff\xff" + sh[4:8],
        "unknown-type": b"\x63\x03\x03\x00\x02\xab\xcd",
        "dup-ext": dup_extensions(sh),
        "one-byte-records": b"".join(b"\x16\x03\x03\x00\x01" + bytes([c]) for c in sh),
        "alert-every": b"".join(b"\x15\x03\x03\x00\x02\x02" + bytes([c]) for c in range(0, 256, 7)),
        "bad-ccs": b"\x14\x03\x03\x00\x03\x01\x01\x01",
        "heartbeat": b"\x18\x03\x03\x00\x03\x01\x40\x00",
    }
    for name, feeds in crafted(v, ch).items():
        write(outdir, "decoder", name, stream(1, feeds))
        write(outdir, "capture", name + ".pcap", pcap_file(feeds))
    for name, reply in hostile.items():
        write(outdir, "decoder", "hostile-" + name, stream(1, [ch, (1, reply)]))
    for cap in caps:
        base = os.path.basename(cap).split(".")[0]
        feeds = tcp_payloads(cap)
        if feeds:
            write(outdir, "decoder", base + "-keys", stream(1, feeds))
            write(outdir, "decoder", base + "-nokeys", stream(0, feeds))

    # x509: the RFC 8448 server certificate and the given DER files.
    cert_msg = v["certificate"]
    clen = int.from_bytes(cert_msg[8:11], "big")
    write(outdir, "x509", "rfc8448-rsa", cert_msg[11:11 + clen])
    for der in ders:
        write(outdir, "x509", os.path.basename(der), open(der, "rb").read())

    # capture: the given captures, the RFC conversation as a pcap, a truncated one.
    for cap in caps:
        write(outdir, "capture", os.path.basename(cap), open(cap, "rb").read())
    synth = pcap_file(rfc)
    write(outdir, "capture", "rfc8448.pcap", synth)
    write(outdir, "capture", "rfc8448-cut.pcap", synth[:len(synth) * 2 // 3])
    write(outdir, "capture", "rfc8448-snap96.pcap", pcap_file(rfc, snap=96))
    write(outdir, "capture", "rfc8448-retx.pcap", pcap_file(
        rfc[:2] + [(1, rfc[1][1][:40] + b"X" * (len(rfc[1][1]) - 40), "retx")] + rfc[2:4]))
    write(outdir, "capture", "rfc8448-badlen.pcap", pcap_file(
        [rfc[0], (1, rfc[1][1], "ihl"), (1, rfc[2][1], "doff"), rfc[3]]))
    starttls = {
        "smtp": (25, [(1, b"220 mx.test ESMTP\r\n"), (0, b"EHLO c.test\r\n"),
                      (1, b"250-mx.test\r\n250 STARTTLS\r\n"), (0, b"STARTTLS\r\n"),
                      (1, b"220 2.0.0 Ready to start TLS\r\n")]),
        "imap": (143, [(1, b"* OK IMAP4rev1 ready\r\n"), (0, b"a1 STARTTLS\r\n"),
                       (1, b"a1 OK Begin TLS negotiation now\r\n")]),
        "pop3": (110, [(1, b"+OK POP3 ready\r\n"), (0, b"STLS\r\n"),
                       (1, b"+OK Begin TLS\r\n")]),
        "ftp": (21, [(1, b"220 FTP ready\r\n"), (0, b"AUTH TLS\r\n"),
                     (1, b"234 AUTH TLS OK.\r\n")]),
        "xmpp": (5222, [(0, b"<stream:stream to='x.test'>"),
                        (1, b"<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
                            b"</stream:features>"),
                        (0, b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
                        (1, b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")]),
    }
    for name, (port_, pre) in starttls.items():
        write(outdir, "capture", "starttls-%s.pcap" % name,
              pcap_file(pre + rfc[:4], server_port=port_))
    # No SYN: the capture starts mid-connection, with the server's packets first.
    write(outdir, "capture", "midstream.pcap", pcap_file(rfc[1:5])[:24] +
          pcap_file(rfc[1:5])[24 + 3 * 56:])
    for name, kw in [("eth", {"linktype": 1}), ("vlan6", {"linktype": "vlan", "v6": True}),
                     ("null", {"linktype": 0}), ("sll-nano", {"linktype": 113, "nano": True}),
                     ("sll2-be", {"linktype": 276, "big": True}),
                     ("raw6", {"linktype": 101, "v6": True})]:
        write(outdir, "capture", "rfc8448-%s.pcap" % name, pcap_variant(rfc, **kw))
    write(outdir, "capture", "rfc8448-blocks.pcapng", pcapng_file(rfc, rfc_log))
    write(outdir, "capture", "rfc8448-blocks-be.pcapng", pcapng_file(rfc, rfc_log, big=True))
    noise, h = b"", b"hstrace"
    while len(noise) < 2000:
        h = hashlib.sha256(h).digest()
        noise += h
    write(outdir, "capture", "noise-after-header.pcap", synth[:24] + noise)
    write(outdir, "capture", "noise-after-shb.pcapng", open(caps[0], "rb").read()[:52] + noise
          if caps else synth[:24])
    write(outdir, "capture", "rfc8448-segments.pcap",
          pcap_file([(s, d[i:i + 50]) for s, d in rfc[:4] for i in range(0, len(d), 50)]))

    # keylog: the given key logs, the RFC 8448 secrets, a few malformed lines.
    write(outdir, "keylog", "rfc8448.keys", rfc_log.encode())
    write(outdir, "keylog", "mixed.keys", (
        "# comment\n\nCLIENT_RANDOM " + cr + " " + "ab" * 48 + "\r\n"
        "CLIENT_EARLY_TRAFFIC_SECRET " + cr + " " + "01" * 32 + "\n"
        "CLIENT_RANDOM " + cr[:-2] + " " + "ab" * 48 + "\n"
        "SERVER_HANDSHAKE_TRAFFIC_SECRET " + cr + " " + "zz" * 32 + "\n"
        "UNKNOWN_LABEL 00 11\n"
        "CLIENT_TRAFFIC_SECRET_0  " + cr + "\t" + "02" * 65 + "\n"
        "EXPORTER_SECRET " + cr + " " + "03" * 48).encode())
    for kl in keylogs:
        write(outdir, "keylog", os.path.basename(kl), open(kl, "rb").read())
    if header:
        text = rfc_log + "".join(open(kl).read() for kl in keylogs)
        with open(header[0], "w") as f:
            f.write("/* Generated by tests/fuzz/make_seeds.py: the secrets of the seed "
                    "sessions (RFC 8448 and\n * loopback captures), in the NSS key log "
                    "format. */\n#ifndef HS_FUZZ_KEYS_H\n#define HS_FUZZ_KEYS_H\n\n"
                    "static const char fuzz_keylog_text[] =\n")
            for line in text.splitlines():
                f.write('    "%s\\n"\n' % line)
            f.write("    ;\n\n#endif\n")

    # target: what users type, and what they should not.
    for i, s in enumerate([
            "example.com", "example.com:8443", "https://example.com/", "https://example.com:444/a?b#c",
            "[2001:db8::1]:443", "2001:db8::1", "::1", "127.0.0.1:1", "https://[::1]:65535/x",
            "http://example.com", "example.com:0", "example.com:65536", "exa mple.com",
            "a." * 130 + "com", "[::1", "https://user@host:1/", "HTTPS://Example.COM.", ":443",
            "fe80::1%eth0", "xn--bcher-kva.example", "example.com:443:1", "-", ""]):
        write(outdir, "target", "t%02d" % i, s.encode())


if __name__ == "__main__":
    main()
