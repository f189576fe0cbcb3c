#!/usr/bin/env python3
"""Writes hostile capture files and a manifest of what hstrace must do with each.

usage: gen.py REPO OUTDIR

The TLS bytes are real: they are taken from REPO/captures/tls12-ecdhe-rsa.pcap (client and
server streams, in the order the packets carried them), then re-sent over a TCP exchange this
script writes itself (Ethernet + IPv4 or IPv6 + TCP, no checksums: hstrace does not check them)
and mangled one way per case.  OUTDIR/cases.json lists each case: the file, extra arguments, the
exit code, a stderr pattern, and checks on the JSON document (run.py reads it).
Everything is deterministic (fixed seeds), so a failure reproduces.
"""
import json
import os
import random
import struct
import sys

SOURCE = "captures/tls12-ecdhe-rsa"
HS_NAMES = {1: "ClientHello", 2: "ServerHello", 11: "Certificate", 12: "ServerKeyExchange",
            13: "CertificateRequest", 14: "ServerHelloDone", 16: "ClientKeyExchange",
            4: "NewSessionTicket", 8: "EncryptedExtensions", 15: "CertificateVerify"}
CLIENT, SERVER = 0, 1

# ---- reading the source capture ----


def read_pcap(path):
    """(linktype, [(ts, frame bytes)]) of a little- or big-endian microsecond pcap."""
    data = open(path, "rb").read()
    end = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off, frames = 24, []
    while off + 16 <= len(data):
        sec, usec, cap, _orig = struct.unpack(end + "IIII", data[off:off + 16])
        frames.append((sec + usec / 1e6, data[off + 16:off + 16 + cap]))
        off += 16 + cap
    return linktype, frames


def source_exchange(path):
    """The data segments of the one connection in path: [(dir, payload)] in capture order,
    retransmissions removed.  The client is the SYN's sender."""
    linktype, frames = read_pcap(path)
    assert linktype == 1, "the source capture must be Ethernet"
    client, out, nxt = None, [], {}
    for _ts, f in frames:
        if struct.unpack(">H", f[12:14])[0] != 0x0800:
            continue
        ip = f[14:]
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        tcp = ip[ihl:total]
        sport, = struct.unpack(">H", tcp[0:2])
        seq, = struct.unpack(">I", tcp[4:8])
        flags = tcp[13]
        payload = tcp[(tcp[12] >> 4) * 4:]
        if flags & 0x02 and not flags & 0x10:
            client = sport
        d = CLIENT if sport == client else SERVER
        if flags & 0x02:
            nxt[d] = seq + 1
        if payload and seq == nxt.get(d):
            out.append((d, payload))
            nxt[d] = seq + len(payload)
    return out


def plaintext_messages(stream):
    """[(end offset of the record, name)] of the handshake messages before ChangeCipherSpec
    (they are readable without keys), and the ChangeCipherSpec itself."""
    off, out = 0, []
    while off + 5 <= len(stream):
        ctype = stream[off]
        rlen = struct.unpack(">H", stream[off + 3:off + 5])[0]
        end = off + 5 + rlen
        if end > len(stream):
            break
        if ctype == 20:
            out.append((end, "ChangeCipherSpec"))
            break
        if ctype == 22:
            body, p = stream[off + 5:end], 0
            while p + 4 <= len(body):
                mlen = int.from_bytes(body[p + 1:p + 4], "big")
                out.append((end, HS_NAMES.get(body[p], "Handshake")))
                p += 4 + mlen
        off = end
    return out


# ---- writing packets ----


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_header(sport, dport, seq, ack, flags, opts=b"", doff=None):
    hl = 20 + len(opts)
    if doff is None:
        doff = hl // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                       doff << 4, flags, 65535, 0, 0) + opts


def ipv4_packet(src, dst, l4, proto=6, ihl=5, total=None, version=4, frag=0x4000):
    if total is None:
        total = ihl * 4 + len(l4) if ihl >= 5 else 20 + len(l4)
    h = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total & 0xFFFF, 0, frag, 64, proto,
                    0, src, dst)
    h = h[:10] + struct.pack("!H", ip_checksum(h)) + h[12:]
    return h + l4


def ipv6_packet(src, dst, l4, nh=6, plen=None, ext=b""):
    if plen is None:
        plen = len(ext) + len(l4)
    return struct.pack("!IHBB16s16s", 6 << 28, plen & 0xFFFF, nh, 64, src, dst) + ext + l4


def ether(payload, v6=False):
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01" + \
        struct.pack("!H", 0x86DD if v6 else 0x0800) + payload


SYN_OPTS = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x03\x03\x07"


class Conv:
    """One TCP connection's packets, appended to a shared frame list with rising times."""

    def __init__(self, frames, n=0, v6=False, isn=(1000, 700000), clock=None):
        self.frames, self.v6 = frames, v6
        self.clock = clock if clock is not None else [1700000000.0]
        if v6:
            self.addr = (b"\x20\x01\x0d\xb8" + b"\x00" * 8 + struct.pack("!I", n + 1),
                         b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x99")
        else:
            self.addr = (bytes([10, n >> 16 & 0xFF, n >> 8 & 0xFF, n & 0xFF]),
                         bytes([192, 0, 2, 1]))
        self.port = (1024 + n % 64000, 443)
        self.isn = list(isn)
        self.next = [isn[0] + 1, isn[1] + 1]

    def packet(self, d, flags, payload=b"", seq=None, opts=b"", mangle=None):
        """Appends one segment from side d; the sequence advances unless seq is given."""
        if seq is None:
            seq = self.next[d]
            self.next[d] += len(payload) + (1 if flags & 0x03 else 0)
        ack = self.next[1 - d] if flags & 0x10 else 0
        tcp = tcp_header(self.port[d], self.port[1 - d], seq, ack, flags, opts) + payload
        src, dst = self.addr[d], self.addr[1 - d]
        if mangle:
            frame = mangle(self, src, dst, tcp)
        elif self.v6:
            frame = ether(ipv6_packet(src, dst, tcp), True)
        else:
            frame = ether(ipv4_packet(src, dst, tcp))
        self.clock[0] += 0.0001
        self.frames.append((self.clock[0], frame))

    def handshake(self):
        self.packet(CLIENT, 0x02, seq=self.isn[0], opts=SYN_OPTS)
        self.next[CLIENT] = self.isn[0] + 1
        self.packet(SERVER, 0x12, seq=self.isn[1], opts=SYN_OPTS)
        self.next[SERVER] = self.isn[1] + 1
        self.packet(CLIENT, 0x10)

    def close(self):
        self.packet(SERVER, 0x11)
        self.packet(CLIENT, 0x11)
        self.packet(SERVER, 0x10)


def write_pcap(path, frames, snaplen=None, linktype=1):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen or 262144, linktype))
        for ts, data in frames:
            cap = data if snaplen is None else data[:snaplen]
            sec = int(ts)
            f.write(struct.pack("<IIII", sec, int(round((ts - sec) * 1e6)), len(cap), len(data)))
            f.write(cap)


def record_bounds(path):
    """Byte offsets where each pcap record ends (plus the header's end)."""
    data = open(path, "rb").read()
    off, out = 24, [24]
    while off + 16 <= len(data):
        cap = struct.unpack("<I", data[off + 8:off + 12])[0]
        off += 16 + cap
        out.append(off)
    return out


def ng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def ng_shb():
    return ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))


def ng_idb(linktype=1, snaplen=0, opts=b""):
    return ng_block(1, struct.pack("<HHI", linktype, 0, snaplen) + opts)


def ng_epb(ts, data, ifid=0, caplen=None):
    t = int(ts * 1e6)
    cap = len(data) if caplen is None else caplen
    return ng_block(6, struct.pack("<IIIII", ifid, t >> 32, t & 0xFFFFFFFF, cap, len(data)) + data)


def ng_dsb(text, stype=0x544C534B, slen=None):
    n = len(text) if slen is None else slen
    return ng_block(0x0A, struct.pack("<II", stype, n) + text)


def write_pcapng(path, frames, secrets=None, extra_head=b""):
    with open(path, "wb") as f:
        f.write(ng_shb() + ng_idb() + extra_head)
        if secrets is not None:
            f.write(ng_dsb(secrets))
        for ts, data in frames:
            f.write(ng_epb(ts, data))


# ---- the cases ----


class Gen:
    def __init__(self, repo, out):
        self.repo, self.out, self.cases = repo, out, []
        self.exchange = source_exchange(os.path.join(repo, SOURCE + ".pcap"))
        self.keys = os.path.join(repo, SOURCE + ".keys")
        self.streams = [b"".join(p for d, p in self.exchange if d == s) for s in (CLIENT, SERVER)]
        self.msgs = [plaintext_messages(s) for s in self.streams]

    def path(self, name):
        return os.path.join(self.out, name)

    def add(self, name, file, rc, err=None, keys=True, args=(), **checks):
        """One case.  checks: types ("base": the source's TLS rows exactly; or a list that
        must appear in order), tcp/source ({field: ">0" | "==N" | "<=N"}), max_rss_mb, max_s."""
        a = list(args) + (["--keylog", self.keys] if keys else [])
        self.cases.append(dict(name=name, file=file, args=a, rc=rc, err=err, **checks))

    def base_frames(self, v6=False, segments=None, mangle=None, close=True):
        """The source exchange over a fresh connection: segments(conv, d, payload) sends one
        data segment (default: as is)."""
        frames = []
        c = Conv(frames, v6=v6)
        c.handshake()
        for d, p in self.exchange:
            if segments:
                segments(c, d, p)
            else:
                c.packet(d, 0x18, p, mangle=mangle)
        if close:
            c.close()
        return frames

    # Every case family below writes files and adds cases.

    def valid(self):
        write_pcap(self.path("base.pcap"), self.base_frames())
        self.add("valid pcap (IPv4)", "base.pcap", 0, types="base")
        write_pcap(self.path("base6.pcap"), self.base_frames(v6=True))
        self.add("valid pcap (IPv6)", "base6.pcap", 0, types="base")
        keys = open(self.keys, "rb").read()
        write_pcapng(self.path("base.pcapng"), self.base_frames(), secrets=keys)
        self.add("valid pcapng with a secrets block", "base.pcapng", 0, keys=False, types="base")

    def expected_at(self, bounds, cut, frames_data_end):
        """Handshake messages whose records lie wholly in the frames before cut."""
        done = [0, 0]
        for i, (d, end) in enumerate(frames_data_end):
            if bounds[i + 1] <= cut and end is not None:
                done[d] = max(done[d], end)
        want = []
        for d in (CLIENT, SERVER):
            want += [n for end, n in self.msgs[d] if end <= done[d]]
        return want

    def truncated(self):
        frames = self.base_frames()
        path = self.path("base.pcap")
        bounds = record_bounds(path)
        size = bounds[-1]
        # Stream offset reached by each frame's data, per direction.
        sent = [0, 0]
        data_end = []
        ex = iter(self.exchange)
        for _ts, f in frames:
            tcp = f[14 + 20:]
            plen = len(tcp) - (tcp[12] >> 4) * 4
            if plen:
                d, p = next(ex)
                sent[d] += len(p)
                data_end.append((d, sent[d]))
            else:
                data_end.append((0, None))
        cuts = {0, 3, 4, 10, 23}
        for b in bounds[1:]:
            cuts.update({b, b + 1, b + 8, b + 15, b + 16, b + 17, b + 40})
        rnd = random.Random(1)
        cuts.update(rnd.randrange(24, size) for _ in range(20))
        data = open(path, "rb").read()
        for cut in sorted(c for c in cuts if c <= size):
            name = "cut-%05d.pcap" % cut
            with open(self.path(name), "wb") as f:
                f.write(data[:cut])
            if cut == 0:
                self.add("truncated at 0 (empty)", name, 2, err="empty")
            elif cut < 24:
                self.add("truncated at %d (in the file header)" % cut, name, 2, err="truncated")
            elif cut in bounds:
                self.add("truncated at %d (a record boundary)" % cut, name, 0,
                         types=self.expected_at(bounds, cut, data_end) or None)
            else:
                self.add("truncated at %d" % cut, name, 1, err=r"truncated at byte %d" % cut,
                         types=self.expected_at(bounds, cut, data_end) or None)
        # The pcapng form, cut inside its blocks: the secrets block first, then packets.
        write_pcapng(self.path("base-secrets.pcapng"), frames, secrets=open(self.keys, "rb").read())
        ng = open(self.path("base-secrets.pcapng"), "rb").read()
        for cut in sorted({30, 60, 100, 200, 400, len(ng) // 3, len(ng) // 2, len(ng) - 500,
                           len(ng) - 4, len(ng) - 1}):
            name = "cut-%05d.pcapng" % cut
            with open(self.path(name), "wb") as f:
                f.write(ng[:cut])
            self.add("pcapng truncated at %d" % cut, name, 1 if cut >= 28 else 2,
                     err="truncated", keys=False)

    def snaplen(self):
        frames = self.base_frames()
        for snap in (40, 60, 100, 200, 1000):
            name = "snap-%d.pcap" % snap
            write_pcap(self.path(name), frames, snaplen=snap)
            if snap <= 54:  # the TCP header is cut: no segment at all
                self.add("snaplen %d" % snap, name, 0, source={"tls_connections": "==0"})
            else:
                self.add("snaplen %d" % snap, name, 0, source={"tls_connections": "==1"},
                         tcp={"gap_bytes": ">0"}, types=["ClientHello"] if snap >= 1000 else None)

    def bogus_headers(self):
        def v4(**kw):
            return lambda c, s, d, tcp: ether(ipv4_packet(s, d, tcp, **kw))

        def v6(**kw):
            return lambda c, s, d, tcp: ether(ipv6_packet(s, d, tcp, **kw), True)

        def doff(n):
            def m(c, s, d, tcp):
                tcp = tcp[:12] + bytes([n << 4]) + tcp[13:]
                return ether(ipv6_packet(s, d, tcp, plen=len(tcp)) if c.v6 else
                             ipv4_packet(s, d, tcp))
            return m

        hop = b"\x00\x00" + b"\x01\x04\x00\x00\x00\x00"  # hop-by-hop, next: hop-by-hop again
        manglers = {
            "IPv4 IHL 0": (v4(ihl=0), False), "IPv4 IHL 4": (v4(ihl=4), False),
            "IPv4 IHL 15": (v4(ihl=15), False), "IPv4 IHL 15, short packet": (v4(ihl=15, total=40), False),
            "IPv4 total length 10": (v4(total=10), False), "IPv4 total length 65535": (v4(total=65535), False),
            "IPv4 total length 0": (v4(total=0), False), "IPv4 version 6": (v4(version=6), False),
            "IPv4 fragment": (v4(frag=0x2000), False),
            "IPv6 payload length 0": (v6(plen=0), True), "IPv6 payload length 7": (v6(plen=7), True),
            "IPv6 payload length 65535": (v6(plen=65535), True),
            "IPv6 17 hop-by-hop headers": (v6(nh=0, ext=hop * 16 + b"\x06\x00" + b"\x01\x04\x00\x00\x00\x00"), True),
            "IPv6 extension header past the end": (v6(nh=0, ext=b"\x06\xff"), True),
            "TCP data offset 0": (doff(0), False), "TCP data offset 4": (doff(4), False),
            "TCP data offset 15": (doff(15), False), "TCP data offset 15 (IPv6)": (doff(15), True),
        }
        for i, (label, (m, is6)) in enumerate(manglers.items()):
            # Every data packet mangled, and only the server's first flight mangled.
            name = "bogus-%02d-all.pcap" % i
            write_pcap(self.path(name), self.base_frames(v6=is6, mangle=m))
            self.add(label + " (every data packet)", name, 0)
            name = "bogus-%02d-one.pcap" % i
            first = [True]

            def seg(c, d, p, m=m, first=first):
                if d == SERVER and first[0]:
                    first[0] = False
                    c.packet(d, 0x18, p, mangle=m)
                else:
                    c.packet(d, 0x18, p)
            write_pcap(self.path(name), self.base_frames(v6=is6, segments=seg))
            self.add(label + " (the server's flight)", name, 0, types=["ClientHello"])

    def retransmissions(self):
        def dup(c, d, p):
            s = c.next[d]
            c.packet(d, 0x18, p)
            c.packet(d, 0x18, p, seq=s)
        write_pcap(self.path("retx-dup.pcap"), self.base_frames(segments=dup))
        self.add("every segment sent twice", "retx-dup.pcap", 0, types="base",
                 tcp={"retransmissions": ">0"})

        def contra_after(c, d, p):
            s = c.next[d]
            c.packet(d, 0x18, p)
            c.packet(d, 0x18, bytes(b ^ 0x55 for b in p), seq=s)
        write_pcap(self.path("retx-contra-after.pcap"), self.base_frames(segments=contra_after))
        self.add("a contradicting copy after each segment", "retx-contra-after.pcap", 0,
                 types="base", tcp={"retransmissions": ">0"})

        def contra_before(c, d, p):
            s = c.next[d]
            c.packet(d, 0x18, bytes(b ^ 0x55 for b in p), seq=s)
            c.next[d] = s
            c.packet(d, 0x18, p)
        write_pcap(self.path("retx-contra-before.pcap"), self.base_frames(segments=contra_before))
        self.add("a contradicting copy before each segment", "retx-contra-before.pcap", 0,
                 source={"connections": "==1"})

        # Overlapping pieces: the odd pieces first (held), then the even ones stretched over
        # their neighbours with different bytes: the first copy must win.
        def overlaps(c, d, p):
            s = c.next[d]
            c.next[d] += len(p)
            cuts = list(range(0, len(p), 37)) + [len(p)]
            pieces = list(zip(cuts, cuts[1:]))
            for a, b in pieces[1::2]:
                c.packet(d, 0x18, p[a:b], seq=s + a)
            for a, b in pieces[0::2]:
                lo, hi = max(0, a - 11), min(len(p), b + 13)
                junk = bytes(x ^ 0xA5 for x in p[lo:hi])
                body = junk[:a - lo] + p[a:b] + junk[b - lo:]
                c.packet(d, 0x18, body, seq=s + lo)
            # One more copy over everything, all wrong, after the fact.
            c.packet(d, 0x18, bytes(x ^ 0xFF for x in p), seq=s)
        write_pcap(self.path("retx-overlaps.pcap"), self.base_frames(segments=overlaps))
        self.add("partial overlaps with different bytes", "retx-overlaps.pcap", 0, types="base",
                 tcp={"conflicting_overlaps": ">0", "retransmissions": ">0"})

        # A big wrong segment over several held pieces, sent while they wait for a hole.
        def spanning(c, d, p):
            s = c.next[d]
            c.next[d] += len(p)
            if len(p) < 40:
                c.packet(d, 0x18, p, seq=s)
                return
            for a in range(10, len(p), 20):
                c.packet(d, 0x18, p[a:a + 10], seq=s + a)
            c.packet(d, 0x18, bytes(x ^ 0x33 for x in p[5:]), seq=s + 5)
            c.packet(d, 0x18, p[:10], seq=s)
        write_pcap(self.path("retx-spanning.pcap"), self.base_frames(segments=spanning))
        self.add("one wrong segment spanning held pieces", "retx-spanning.pcap", 0,
                 tcp={"conflicting_overlaps": ">0"})

        # Segments far ahead (2^30) and far behind, and a SYN repeated mid-stream.
        def far(c, d, p):
            s = c.next[d]
            c.packet(d, 0x18, p[:100], seq=s + 0x40000000)
            c.packet(d, 0x18, p[:100], seq=s - 0x40000000)
            c.packet(d, 0x18, p)
            c.packet(d, 0x02, seq=s + 5)
        write_pcap(self.path("retx-far.pcap"), self.base_frames(segments=far))
        self.add("segments 2^30 ahead and behind, repeated SYNs", "retx-far.pcap", 0)

    def midstream(self):
        """No SYN, and the server on the higher port: the sides are guessed wrong first and
        swapped when the ClientHello shows up, while bytes may be waiting out of order."""
        def conv():
            frames = []
            c = Conv(frames)
            c.port = (40000, 50000)
            return frames, c

        frames, c = conv()
        for d, p in self.exchange:
            c.packet(d, 0x18, p)
        write_pcap(self.path("mid-inorder.pcap"), frames)
        self.add("no SYN, server on the higher port", "mid-inorder.pcap", 0, types="base")

        # The stream starts at its first segment (no SYN): its first byte comes first, then
        # the end of the ClientHello (held), then the middle, which settles the sides while
        # the held end waits to be delivered.
        frames2, c2 = conv()
        first = True
        for d, p in self.exchange:
            s = c2.next[d]
            c2.next[d] += len(p)
            if first:
                c2.packet(d, 0x18, p[:1], seq=s)
                c2.packet(d, 0x18, p[100:], seq=s + 100)
                c2.packet(d, 0x18, p[1:100], seq=s + 1)
                first = False
            else:
                c2.packet(d, 0x18, p, seq=s)
        write_pcap(self.path("mid-held.pcap"), frames2)
        self.add("no SYN, server on the higher port, ClientHello out of order", "mid-held.pcap", 0,
                 types="base")

    def tiny_segments(self):
        def ones(c, d, p):
            for i in range(len(p)):
                c.packet(d, 0x18, p[i:i + 1])
        write_pcap(self.path("tiny-inorder.pcap"), self.base_frames(segments=ones))
        self.add("1-byte segments, in order", "tiny-inorder.pcap", 0, types="base")

        def reversed_blocks(c, d, p):
            s = c.next[d]
            c.next[d] += len(p)
            idx = list(range(len(p)))
            for k in range(0, len(idx), 32):
                for i in reversed(idx[k:k + 32]):
                    c.packet(d, 0x18, p[i:i + 1], seq=s + i)
        write_pcap(self.path("tiny-rev32.pcap"), self.base_frames(segments=reversed_blocks))
        self.add("1-byte segments, each 32 reversed", "tiny-rev32.pcap", 0, types="base",
                 tcp={"out_of_order": ">0"})

        rnd = random.Random(7)

        def shuffled(c, d, p):
            s = c.next[d]
            c.next[d] += len(p)
            idx = list(range(len(p)))
            rnd.shuffle(idx)
            for i in idx:
                c.packet(d, 0x18, p[i:i + 1], seq=s + i)
        write_pcap(self.path("tiny-shuffled.pcap"), self.base_frames(segments=shuffled))
        self.add("1-byte segments, each flight shuffled", "tiny-shuffled.pcap", 0, types="base",
                 tcp={"out_of_order": ">0"})

        def backwards(c, d, p):
            s = c.next[d]
            c.next[d] += len(p)
            for i in reversed(range(len(p))):
                c.packet(d, 0x18, p[i:i + 1], seq=s + i)
        write_pcap(self.path("tiny-backwards.pcap"), self.base_frames(segments=backwards))
        self.add("1-byte segments, each flight backwards", "tiny-backwards.pcap", 0, types="base",
                 tcp={"out_of_order": ">0"})

        def back_overlapping(c, d, p):
            s = c.next[d]
            c.next[d] += len(p)
            for i in reversed(range(0, len(p), 2)):
                c.packet(d, 0x18, p[i:i + 3], seq=s + i)
        write_pcap(self.path("tiny-back-overlap.pcap"), self.base_frames(segments=back_overlapping))
        self.add("3-byte segments backwards, each overlapping the next", "tiny-back-overlap.pcap", 0,
                 types="base", tcp={"retransmissions": ">0"})

    def held_many_pieces(self):
        """One connection, a hole at the start, then 1-byte pieces ascending (each lands at the
        end of a long held list) and every other byte (nothing ever joins up)."""
        frames = []
        c = Conv(frames)
        c.handshake()
        s = c.next[CLIENT]
        for i in range(1, 200001):
            c.packet(CLIENT, 0x18, b"\x16", seq=s + i)
        for i in range(400002, 800002, 2):
            c.packet(CLIENT, 0x18, b"\x16", seq=s + i)
        write_pcap(self.path("held-pieces.pcap"), frames)
        self.add("400 000 one-byte pieces held behind a hole", "held-pieces.pcap", 0,
                 max_s=10, max_rss_mb=32)
        # 1024 separate pieces (the bound), then 200 000 segments into the middle of them:
        # each must find its place in the list, whose length is what bounds the work.
        frames = []
        c = Conv(frames)
        c.handshake()
        s = c.next[CLIENT]
        for i in range(2, 2050, 2):
            c.packet(CLIENT, 0x18, b"\x16", seq=s + i)
        rnd = random.Random(11)
        for _ in range(200000):
            c.packet(CLIENT, 0x18, b"\x17", seq=s + 3 + 2 * rnd.randrange(1000))
        write_pcap(self.path("held-middle.pcap"), frames)
        self.add("200 000 segments into the middle of 1024 held pieces", "held-middle.pcap", 0,
                 max_s=15, max_rss_mb=32)

    def many_connections(self, n=120000):
        """n connections open at once, each with a ClientHello and no end."""
        ch = self.exchange[0][1]
        frames, clock = [], [1700000000.0]
        for i in range(n):
            c = Conv(frames, n=i, clock=clock)
            c.packet(CLIENT, 0x02, seq=c.isn[0], opts=SYN_OPTS)
            c.next[CLIENT] = c.isn[0] + 1
            c.packet(CLIENT, 0x18, ch)
        write_pcap(self.path("conns-%d.pcap" % n), frames)
        del frames
        self.add("%d connections open at once" % n, "conns-%d.pcap" % n, 0,
                 err=r"more than 100000 connections", keys=False, args=["--conn", "3"],
                 source={"connections": "==100000", "dropped_packets": ">0"},
                 max_rss_mb=400, max_s=40)

    def held_everywhere(self, conns=300):
        """conns connections that each hold 1 MiB behind a hole in the client's stream."""
        clock = [1700000000.0]
        path = self.path("held-%d.pcap" % conns)
        chunk = b"\x17" * 1448
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
            for i in range(conns):
                frames = []
                c = Conv(frames, n=i, clock=clock)
                c.handshake()
                s = c.next[CLIENT] + 1448
                for k in range((1 << 20) // 1448):
                    c.packet(CLIENT, 0x18, chunk, seq=s + k * 1448)
                for ts, data in frames:
                    sec = int(ts)
                    f.write(struct.pack("<IIII", sec, int((ts - sec) * 1e6), len(data), len(data)))
                    f.write(data)
        self.add("%d connections each holding 1 MiB out of order" % conns, "held-%d.pcap" % conns,
                 0, err=r"out-of-order data over 128 MiB", keys=False, max_rss_mb=160, max_s=30)

    def garbage(self):
        rnd = random.Random(3)
        hdr = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        for seed, size in ((1, 1000), (2, 65536), (3, 1 << 20)):
            r = random.Random(seed)
            name = "random-%d.pcap" % seed
            with open(self.path(name), "wb") as f:
                f.write(hdr + r.randbytes(size))
            self.add("random bytes after a pcap header (%d)" % size, name, 1,
                     err="corrupt|truncated")
        ng_head = ng_shb() + ng_idb()
        for seed, size in ((4, 1000), (5, 65536)):
            r = random.Random(seed)
            name = "random-%d.pcapng" % seed
            with open(self.path(name), "wb") as f:
                f.write(ng_head + r.randbytes(size))
            self.add("random bytes after a pcapng SHB+IDB (%d)" % size, name, 1,
                     err="corrupt|truncated")
        # Valid records whose frames are random bytes of every length.
        frames = [(1700000000 + i / 1000, rnd.randbytes(rnd.randrange(0, 1600)))
                  for i in range(3000)]
        for lt in (1, 0, 101, 113, 276):
            name = "random-frames-%d.pcap" % lt
            write_pcap(self.path(name), frames, linktype=lt)
            self.add("random frames, link type %d" % lt, name, 0)
        # Random TCP payloads on a real connection (random TLS-ish stream).
        def junk(c, d, p):
            c.packet(d, 0x18, bytes([0x16, 3, 3]) + rnd.randbytes(len(p)))
        write_pcap(self.path("random-payload.pcap"), self.base_frames(segments=junk))
        self.add("random bytes after a record header on a TCP connection", "random-payload.pcap", 0)
        # Not captures at all.
        for name, content in (("text.pcap", b"GET / HTTP/1.1\r\n" * 10),
                              ("gzip.pcap", b"\x1f\x8b\x08\x00" + bytes(100)),
                              ("control.pcap", b"\x1b[2J\x1b]52;c;aGVsbG8=\x07" + bytes(40)),
                              ("short.pcap", b"\xd4\xc3\xb2")):
            with open(self.path(name), "wb") as f:
                f.write(content)
            self.add("not a capture: " + name, name, 2)
        with open(self.path("version3.pcap"), "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 3, 0, 0, 0, 65535, 1))
        self.add("pcap version 3", "version3.pcap", 2, err="version")

    def pcapng_blocks(self):
        frames = self.base_frames()
        keys = open(self.keys, "rb").read()
        packets = b"".join(ng_epb(ts, d) for ts, d in frames)
        cases = [
            ("huge block length", ng_shb() + ng_idb() + struct.pack("<II", 6, 0xFFFFFFF0) + packets,
             1, "corrupt block.*length"),
            ("16 MiB block length, short file", ng_shb() + ng_idb() +
             struct.pack("<II", 0xBAD, 16 << 20) + packets, 1, "truncated"),
            ("block length 13", ng_shb() + ng_idb() + struct.pack("<III", 6, 13, 0) + packets,
             1, "corrupt block"),
            ("EPB without an IDB", ng_shb() + packets, 1, "interface 0 was not described"),
            ("EPB captured length over the block", ng_shb() + ng_idb() +
             ng_epb(1.0, b"\x00" * 64, caplen=5000) + packets, 1, "exceeds the block"),
            ("EPB on interface 7", ng_shb() + ng_idb() + ng_epb(1.0, b"\x00" * 64, ifid=7),
             1, "interface 7"),
            ("DSB with garbage key log", ng_shb() + ng_idb() +
             ng_dsb(bytes(range(256)) * 4 + b"\nCLIENT_RANDOM \x1b[2J zz\n") + packets,
             0, "malformed"),
            ("DSB with garbage then the real keys", ng_shb() + ng_idb() +
             ng_dsb(random.Random(9).randbytes(3000)) + ng_dsb(keys) +
             packets, 0, None),
            ("DSB secrets length over the block", ng_shb() + ng_idb() +
             ng_dsb(b"x" * 16, slen=1 << 30) + packets, 1, "exceeds the block"),
            ("DSB of an unknown type", ng_shb() + ng_idb() + ng_dsb(b"\x00" * 40, stype=7) +
             packets, 0, None),
            ("SHB with a bad byte-order magic", struct.pack("<II", 0x0A0D0D0A, 28) +
             b"\x01\x02\x03\x04" + bytes(16) + struct.pack("<I", 28) + packets, 2, "byte-order"),
            ("second section, big-endian", ng_shb() + ng_idb() + packets[:2000] +
             big_section(frames), 1, None),
            ("300 interfaces", ng_shb() + ng_idb() * 300 + packets, 1, "interfaces"),
            ("IDB with odd timestamp options", ng_shb() +
             ng_idb(opts=b"\x09\x00\x01\x00\xff\x00\x00\x00\x0e\x00\x08\x00" +
                    struct.pack("<q", -(1 << 62)) + b"\x00\x00\x00\x00") + packets, 0, None),
            ("IDB with tsresol 10^0", ng_shb() +
             ng_idb(opts=b"\x09\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00") + packets, 0, None),
            ("unknown link type", ng_shb() + ng_idb(linktype=999) + packets, 0, None),
            ("simple packet blocks, snaplen 80", ng_shb() + ng_idb(snaplen=80) +
             b"".join(ng_block(3, struct.pack("<I", len(d)) + d) for _ts, d in frames), 0, None),
        ]
        for i, (label, content, rc, err) in enumerate(cases):
            name = "ng-%02d.pcapng" % i
            with open(self.path(name), "wb") as f:
                f.write(content)
            self.add("pcapng: " + label, name, rc, err=err, keys=False)


def big_section(frames):
    """A big-endian section whose one record is cut short (the file ends inside it)."""
    def blk(btype, body):
        body += b"\x00" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack(">II", btype, n) + body + struct.pack(">I", n)
    shb = blk(0x0A0D0D0A, struct.pack(">IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb = blk(1, struct.pack(">HHI", 1, 0, 0))
    out = shb + idb
    for ts, d in frames[:6]:
        t = int(ts * 1e6)
        out += blk(6, struct.pack(">IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(d), len(d)) + d)
    return out[:-7]


def main():
    repo, out = sys.argv[1], sys.argv[2]
    only = set(sys.argv[3:])
    os.makedirs(out, exist_ok=True)
    g = Gen(repo, out)
    families = ["valid", "midstream", "truncated", "snaplen", "bogus_headers", "retransmissions",
                "tiny_segments", "garbage", "pcapng_blocks", "held_many_pieces",
                "held_everywhere", "many_connections"]
    for fam in families:
        if not only or fam in only:
            start = len(g.cases)
            getattr(g, fam)()
            for c in g.cases[start:]:
                c["family"] = fam
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"source": SOURCE, "keys": g.keys, "cases": g.cases}, f, indent=1)


if __name__ == "__main__":
    main()
