#!/usr/bin/env python3
"""tshark as the oracle for hstrace -r.

usage: tshark_oracle.py CAPTURE HSTRACE_JSON [KEYLOG]

Decodes CAPTURE with tshark (-T pdml, with the key log when given; a pcapng's own Decryption
Secrets Block is used by tshark without one) and compares, connection by connection, the TLS
messages tshark sees (in TLS records over TCP, or in QUIC CRYPTO frames) with the events of hstrace's JSON document for the same file:
frame, direction and type of every handshake message, ChangeCipherSpec and alert; for hellos
the versions, cipher suite(s), SNI and ALPN; for EncryptedExtensions the ALPN; for alerts the
level and description.  Prints the disagreements (at most 20) and exits 1 if there are any.
"""
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
HS_TYPES = {
    1: "ClientHello", 2: "ServerHello", 4: "NewSessionTicket", 5: "EndOfEarlyData",
    8: "EncryptedExtensions", 11: "Certificate", 12: "ServerKeyExchange",
    13: "CertificateRequest", 14: "ServerHelloDone", 15: "CertificateVerify",
    16: "ClientKeyExchange", 20: "Finished", 24: "KeyUpdate",
}
VERSIONS = {0x0300: "SSL 3.0", 0x0301: "TLS 1.0", 0x0302: "TLS 1.1", 0x0303: "TLS 1.2",
            0x0304: "TLS 1.3"}
LEVELS = {1: "warning", 2: "fatal"}


def version_name(show):
    try:
        v = int(show, 16)
    except ValueError:
        return show
    return VERSIONS.get(v, "0x%04x" % v)


def suite_name(showname):
    # "Cipher Suite: TLS_AES_128_GCM_SHA256 (0x1301)" -> "TLS_AES_128_GCM_SHA256"
    s = showname.split(": ", 1)[-1]
    return s.rsplit(" (", 1)[0]


def fields(elem, name):
    return [f for f in elem.iter("field") if f.get("name") == name]


def first(elem, name, attr="show"):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f.get(attr)
    return None


def hello_details(hs, kind):
    """The compared details of a hello from tshark's tree."""
    d = {"version": version_name(first(hs, "tls.handshake.version") or "")}
    sv = [version_name(f.get("show")) for f in fields(hs, "tls.handshake.extensions.supported_version")]
    suites = [suite_name(f.get("showname", "")) for f in fields(hs, "tls.handshake.ciphersuite")]
    if kind == "ClientHello":
        d["supported_versions"] = sv
        d["cipher_suites"] = suites
        d["sni"] = first(hs, "tls.handshake.extensions_server_name")
    else:
        d["selected_version"] = sv[0] if sv else None
        d["cipher_suite"] = suites[0] if suites else None
    d["alpn"] = [f.get("show") for f in fields(hs, "tls.handshake.extensions_alpn_str")]
    return d


def endpoint(ip, port):
    return ("[%s]:%s" % (ip, port)) if ":" in ip else ("%s:%s" % (ip, port))


def handshakes(hss, frame, src, dst, out):
    """The handshake messages hss (tls.handshake elements) of one frame, into out."""
    for hs in hss:
        t = first(hs, "tls.handshake.type")
        if t is None:
            out.append((frame, src, dst, "(opaque handshake)", {}))
            continue
        kind = HS_TYPES.get(int(t), "handshake type %s" % t)
        d = {}
        if kind in ("ClientHello", "ServerHello"):
            rnd = (first(hs, "tls.handshake.random", "value") or "").lower()
            if kind == "ServerHello" and rnd == HRR_RANDOM:
                kind = "HelloRetryRequest"
            d = hello_details(hs, kind)
        elif kind == "EncryptedExtensions":
            d = {"alpn": [f.get("show") for f in fields(hs, "tls.handshake.extensions_alpn_str")]}
        out.append((frame, src, dst, kind, d))


def tshark_messages(capture, keylog):
    cmd = ["tshark", "-r", capture, "-n", "-o", "tcp.reassemble_out_of_order:TRUE", "-T", "pdml"]
    if keylog:
        cmd[3:3] = ["-o", "tls.keylog_file:" + keylog]
    pdml = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=True).stdout
    out = []  # (frame, src, dst, type, details)
    for pkt in ET.fromstring(pdml).iter("packet"):
        frame = int(first(pkt, "frame.number") or 0)
        ip_src = first(pkt, "ip.src") or first(pkt, "ipv6.src")
        ip_dst = first(pkt, "ip.dst") or first(pkt, "ipv6.dst")
        src = endpoint(ip_src, first(pkt, "tcp.srcport") or first(pkt, "udp.srcport"))
        dst = endpoint(ip_dst, first(pkt, "tcp.dstport") or first(pkt, "udp.dstport"))
        for proto in pkt.findall("proto"):
            if proto.get("name") != "tls":
                continue
            for rec in proto.iter("field"):
                if rec.get("name") != "tls.record":
                    continue
                ctype = first(rec, "tls.record.content_type")
                if ctype == "20":
                    out.append((frame, src, dst, "ChangeCipherSpec", {}))
                elif ctype == "21":
                    lvl = first(rec, "tls.alert_message.level")
                    desc = first(rec, "tls.alert_message.desc")
                    d = {}
                    if lvl is not None:
                        d = {"level": LEVELS.get(int(lvl), lvl), "code": int(desc)}
                    out.append((frame, src, dst, "Alert", d))
                elif ctype == "22":
                    handshakes([h for h in rec if h.get("name") == "tls.handshake"],
                               frame, src, dst, out)
        # QUIC: handshake messages straight in CRYPTO frames, no record layer.
        for quic in (p for p in pkt.findall("proto") if p.get("name") == "quic"):
            for tls in (p for p in quic.iter("proto") if p.get("name") == "tls"):
                handshakes([h for h in tls if h.get("name") == "tls.handshake"],
                           frame, src, dst, out)
    return out


def ext(ev, name):
    for e in ev.get("fields", {}).get("extensions", []) or []:
        if e.get("type") == name:
            return e
    return None


def hstrace_details(ev):
    t, f = ev["type"], ev.get("fields", {})
    alpn = ext(ev, "application_layer_protocol_negotiation")
    alpn = list(alpn.get("protocols", [])) if alpn else []
    if t == "ClientHello":
        sv = ext(ev, "supported_versions")
        sni = ext(ev, "server_name")
        return {"version": f.get("version"), "supported_versions": sv.get("versions", []) if sv else [],
                "cipher_suites": f.get("cipher_suites", []),
                "sni": sni.get("host_name") if sni else None, "alpn": alpn}
    if t in ("ServerHello", "HelloRetryRequest"):
        sv = ext(ev, "supported_versions")
        return {"version": f.get("version"), "selected_version": sv.get("selected_version") if sv else None,
                "cipher_suite": f.get("cipher_suite"), "alpn": alpn}
    if t == "EncryptedExtensions":
        return {"alpn": alpn}
    if t == "Alert":
        return {"level": f.get("level"), "code": f.get("code")} if "code" in f else {}
    return {}


def difference(theirs, ours):
    """Says how two values differ; for long lists, where."""
    if isinstance(theirs, list) and isinstance(ours, list) and max(len(theirs), len(ours)) > 4:
        i = next((i for i, (a, b) in enumerate(zip(theirs, ours)) if a != b), min(len(theirs), len(ours)))
        return "tshark %d items, hstrace %d; item %d: tshark %r | hstrace %r" % (
            len(theirs), len(ours), i, theirs[i] if i < len(theirs) else None,
            ours[i] if i < len(ours) else None)
    return "tshark %r | hstrace %r" % (theirs, ours)


def main():
    capture, doc_path = sys.argv[1], sys.argv[2]
    keylog = sys.argv[3] if len(sys.argv) > 3 else None
    theirs = tshark_messages(capture, keylog)
    doc = json.load(open(doc_path, encoding="utf-8"))
    bad, agreed = [], 0
    for conn in doc["connections"]:
        client = conn["target"]["client_address"]
        ours = []
        # ECH accepted: the key log's secrets are keyed by the ClientHelloInner's random and
        # tshark 4.0 looks them up by the outer one, so it reads only what is in the clear.
        ech_inner_keys = (conn.get("ech") or {}).get("status") == "accepted"
        for ev in conn["events"]:
            if ev["layer"] != "tls" or ev["type"] in ("ApplicationData", "EncryptedHandshake", "Error", "NotTLS"):
                continue
            if ech_inner_keys and ev["encrypted"]:
                continue
            t = ev["type"]
            if ev["encrypted"] and not ev["decrypted"] and t != "Alert":
                t = "(opaque handshake)"
            ours.append((ev.get("frames") or [0], ev["from"], t, hstrace_details(ev)))
        tl = [(fr, "client" if s == client else "server", t, d)
              for fr, s, dst, t, d in theirs if client in (s, dst)]
        for i in range(max(len(tl), len(ours))):
            t = tl[i] if i < len(tl) else None
            o = ours[i] if i < len(ours) else None
            where = "%s #%d" % (client, i)
            if not t or not o:
                bad.append("%s: tshark %s | hstrace %s" % (where, t[:3] if t else "-", o[:3] if o else "-"))
                continue
            # tshark names the frame that completed a reassembled message.
            frame_ok = t[0] in o[0] or t[0] > max(o[0])
            if not frame_ok or t[1] != o[1] or t[2] != o[2]:
                bad.append("%s: tshark frame %d %s %s | hstrace frames %s %s %s"
                           % (where, t[0], t[1], t[2], o[0], o[1], o[2]))
                continue
            for k, v in t[3].items():
                if o[3].get(k) != v:
                    bad.append("%s %s %s: %s" % (where, t[2], k, difference(v, o[3].get(k))))
            agreed += 1
    if not doc["connections"] and theirs:
        bad.append("hstrace found no connection; tshark saw %d messages" % len(theirs))
    for b in bad[:20]:
        print(b)
    if not bad:
        print("%d messages agree" % agreed)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
