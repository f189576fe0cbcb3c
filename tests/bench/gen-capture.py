# Benchmark input (not a test): a synthetic capture of about TARGET bytes — many TLS 1.3
# handshakes (the repo's captures/tls13-aes128gcm.pcap, re-addressed), TLS bulk connections
# (application-data records) and plain TCP bulk connections, interleaved.
# Usage: gen-capture.py OUT.pcap TARGET_BYTES [TEMPLATE.pcap]
import os, struct, sys, random
out_path, target = sys.argv[1], int(sys.argv[2])
here = os.path.dirname(os.path.abspath(__file__))
tmpl_path = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, '../../captures/tls13-aes128gcm.pcap')
b = open(tmpl_path, 'rb').read()
magic, _, _, _, _, _, linktype = struct.unpack('<IHHiIII', b[:24])
assert magic == 0xa1b2c3d4, 'a little-endian microsecond pcap is expected'
strip = {0: 4, 1: 14, 101: 0, 113: 16}[linktype]
off = 24; frames = []
while off < len(b):
    ts_s, ts_us, cap, orig = struct.unpack('<IIII', b[off:off+16]); off += 16
    d = b[off+strip:off+cap]; off += cap
    if d and d[0] >> 4 == 4:
        frames.append((ts_s + ts_us/1e6, d))
t0 = frames[0][0]
tmpl = [(t - t0, d) for t, d in frames]
# The template's client: the sender of its first packet (the SYN).
CLIENT = frames[0][1][12:16]
ihl0 = (frames[0][1][0] & 15) * 4
CPORT = struct.unpack('>H', frames[0][1][ihl0:ihl0+2])[0]

def ip_tcp(src, dst, sport, dport, seq, ack, flags, payload):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags, 65535, 0, 0)
    tot = 20 + len(tcp) + len(payload)
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, tot, 0, 0, 64, 6, 0, src, dst)
    return ip + tcp + payload

out = open(out_path, 'wb')
out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 101))
written = 0; now = 1700000000.0
def put(ts, frame):
    global written
    s = int(ts); us = int((ts - s) * 1e6)
    out.write(struct.pack('<IIII', s, us, len(frame), len(frame))); out.write(frame)
    written += 16 + len(frame)

def handshake_conn(k):
    cip = bytes([10, (k >> 16) & 255, (k >> 8) & 255, k & 255])
    cport = 1024 + (k % 60000)
    res = []
    for dt, d in tmpl:
        ihl = (d[0] & 15) * 4
        src, dst = d[12:16], d[16:20]
        f = bytearray(d)
        if src == CLIENT and struct.unpack('>H', d[ihl:ihl+2])[0] == CPORT:
            f[12:16] = cip; f[ihl:ihl+2] = struct.pack('>H', cport)
        else:
            f[16:20] = cip; f[ihl+2:ihl+4] = struct.pack('>H', cport)
        res.append((dt, bytes(f)))
    return res

class Bulk:
    def __init__(self, k, tls, size):
        self.c = bytes([172, 16, (k >> 8) & 255, k & 255]); self.s = bytes([192, 0, 2, 1])
        self.cp = 20000 + k; self.sp = 443 if tls else 9999
        self.tls = tls; self.left = size; self.seq = 1000; self.cseq = 5000; self.started = False
    def next(self):
        if not self.started:
            self.started = True
            hs = [ip_tcp(self.c, self.s, self.cp, self.sp, self.cseq - 1, 0, 0x02, b''),
                  ip_tcp(self.s, self.c, self.sp, self.cp, self.seq - 1, self.cseq, 0x12, b''),
                  ip_tcp(self.c, self.s, self.cp, self.sp, self.cseq, self.seq, 0x10, b'')]
            if self.tls:  # a ClientHello-looking record so the connection counts as TLS
                ch = bytes([0x16, 3, 1, 0, 8, 1, 0, 0, 4, 3, 3, 0, 0])
                hs.append(ip_tcp(self.c, self.s, self.cp, self.sp, self.cseq, self.seq, 0x18, ch))
                self.cseq += len(ch)
            return hs
        if self.left <= 0:
            return None
        if self.tls:
            body = random.randbytes(1443); p = bytes([23, 3, 3]) + struct.pack('>H', len(body)) + body
        else:
            p = random.randbytes(1448)
        self.left -= len(p)
        f = [ip_tcp(self.s, self.c, self.sp, self.cp, self.seq, self.cseq, 0x18, p)]
        self.seq += len(p)
        if self.left <= 0:
            f.append(ip_tcp(self.s, self.c, self.sp, self.cp, self.seq, self.cseq, 0x11, b''))
            f.append(ip_tcp(self.c, self.s, self.cp, self.sp, self.cseq, self.seq + 1, 0x11, b''))
        return f

random.seed(1)
random.randbytes = (lambda n, _r=random.Random(2): bytes(_r.getrandbits(8) for _ in range(n))) if not hasattr(random, 'randbytes') else random.randbytes
blob = random.randbytes(1 << 20)
def rb(n, _o=[0]):
    o = _o[0]; _o[0] = (o + 7919) % ((1 << 20) - n); return blob[o:o+n]
random.randbytes = rb
bulks = [Bulk(i, i % 2 == 0, 10 << 20) for i in range(80)]
k = 0
while written < target:
    alive = False
    for bk in bulks:
        fs = bk.next()
        if fs is None: continue
        alive = True
        for f in fs:
            now += 0.0001; put(now, f)
    if k < 20000:
        for dt, f in handshake_conn(k):
            put(now + dt, f)
        k += 1
    elif not alive:
        break
out.close()
print(written, 'bytes,', k, 'handshake connections')
