#!/usr/bin/env python3
"""A scripted STARTTLS server for the tests: speaks the plaintext part of one protocol, then
wraps the socket in TLS (Python's ssl module) and completes the handshake.

usage: starttls_server.py PROTO MODE PORT CERT KEY
PROTO: smtp imap pop3 ftp xmpp ldap postgres
MODE:  ok        offer STARTTLS and accept it
       nooffer   do not offer it (the capability list lacks it)
       refuse    offer it, then refuse it
       inject    accept it, and send extra bytes before the TLS handshake
       close     close the connection after the first read
       silent    say nothing (the client's timeout)
       flood     an endless reply line
       evil      (smtp) terminal controls in the greeting, then as ok
       longline  a complete reply line of 6000 bytes (over the client's bound)
Listens on 127.0.0.1:PORT, serves connections one at a time until killed.
"""
import socket
import ssl
import sys

PROTO, MODE, PORT, CERT, KEY = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]


def recv_line(c, buf):
    while b"\n" not in buf[0]:
        d = c.recv(4096)
        if not d:
            raise EOFError
        buf[0] += d
    line, _, rest = buf[0].partition(b"\n")
    buf[0] = rest
    return line.rstrip(b"\r")


def recv_until(c, buf, mark):
    while mark not in buf[0]:
        d = c.recv(4096)
        if not d:
            raise EOFError
        buf[0] += d
    i = buf[0].index(mark) + len(mark)
    got, buf[0] = buf[0][:i], buf[0][i:]
    return got


def smtp(c, buf):
    if MODE == "evil":  # terminal controls and a bidirectional override in the greeting
        c.sendall(b"220 mail.test \x1b[2J\x1b]0;owned\x07 \xe2\x80\xae evil\r\n")
    else:
        c.sendall(b"220 mail.test ESMTP scripted\r\n")
    if MODE == "close":
        recv_line(c, buf)
        return False
    recv_line(c, buf)  # EHLO
    ext = [b"250-mail.test greets you", b"250-PIPELINING", b"250-SIZE 1000000"]
    if MODE != "nooffer":
        ext.append(b"250-STARTTLS")
    ext.append(b"250 8BITMIME")
    c.sendall(b"\r\n".join(ext) + b"\r\n")
    if MODE == "nooffer":
        recv_line(c, buf)
        return False
    recv_line(c, buf)  # STARTTLS
    if MODE == "refuse":
        c.sendall(b"454 4.7.0 TLS not available due to temporary reason\r\n")
        return False
    c.sendall(b"220 2.0.0 Ready to start TLS\r\n" + (b"250 injected\r\n" if MODE == "inject" else b""))
    return True


def ftp(c, buf):
    c.sendall(b"220-Welcome to the scripted FTP server\r\n220-second line\r\n220 ready\r\n")
    recv_line(c, buf)  # FEAT
    feats = b"211-Features:\r\n MDTM\r\n" + (b"" if MODE == "nooffer" else b" AUTH TLS\r\n") + b" UTF8\r\n211 End\r\n"
    c.sendall(feats)
    if MODE == "nooffer":
        recv_line(c, buf)
        return False
    recv_line(c, buf)  # AUTH TLS
    if MODE == "refuse":
        c.sendall(b"534 Request denied for policy reasons.\r\n")
        return False
    c.sendall(b"234 AUTH TLS OK.\r\n")
    return True


def pop3(c, buf):
    c.sendall(b"+OK POP3 scripted ready\r\n")
    recv_line(c, buf)  # CAPA
    c.sendall(b"+OK Capability list follows\r\nUSER\r\n" + (b"" if MODE == "nooffer" else b"STLS\r\n") + b"UIDL\r\n.\r\n")
    if MODE == "nooffer":
        recv_line(c, buf)
        return False
    recv_line(c, buf)  # STLS
    if MODE == "refuse":
        c.sendall(b"-ERR Command not permitted when TLS active\r\n")
        return False
    c.sendall(b"+OK Begin TLS negotiation\r\n")
    return True


def imap(c, buf):
    c.sendall(b"* OK [CAPABILITY IMAP4rev1] scripted IMAP ready\r\n")
    line = recv_line(c, buf)  # a1 CAPABILITY
    tag = line.split(b" ")[0]
    caps = b"IMAP4rev1 LITERAL+" + (b"" if MODE == "nooffer" else b" STARTTLS") + b" LOGINDISABLED"
    c.sendall(b"* CAPABILITY " + caps + b"\r\n" + tag + b" OK CAPABILITY completed\r\n")
    if MODE == "nooffer":
        recv_line(c, buf)
        return False
    line = recv_line(c, buf)  # a2 STARTTLS
    tag = line.split(b" ")[0]
    if MODE == "refuse":
        c.sendall(tag + b" NO STARTTLS disabled by policy\r\n")
        return False
    c.sendall(tag + b" OK Begin TLS negotiation now\r\n")
    return True


def xmpp(c, buf):
    recv_until(c, buf, b">")  # <?xml ...?>
    recv_until(c, buf, b">")  # <stream:stream ...>
    c.sendall(b"<?xml version='1.0'?><stream:stream from='localhost' id='s1' version='1.0' "
              b"xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>")
    tls = b"" if MODE == "nooffer" else b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
    c.sendall(b"<stream:features>" + tls + b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
              b"<mechanism>PLAIN</mechanism></mechanisms></stream:features>")
    if MODE == "nooffer":
        c.recv(4096)
        return False
    recv_until(c, buf, b"/>")
    if MODE == "refuse":
        c.sendall(b"<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>")
        return False
    c.sendall(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
    return True


def ber(tag, body):
    n = len(body)
    if n < 128:
        return bytes([tag, n]) + body
    return bytes([tag, 0x82, n >> 8, n & 0xff]) + body


def recv_atleast(c, buf, n):
    while len(buf[0]) < n:
        d = c.recv(4096)
        if not d:
            raise EOFError
        buf[0] += d


def ldap(c, buf):
    recv_atleast(c, buf, 2)
    need = 2 + buf[0][1]
    recv_atleast(c, buf, need)
    req = buf[0][:need]
    buf[0] = buf[0][need:]
    if b"1.3.6.1.4.1.1466.20037" not in req:
        return False
    if MODE in ("nooffer", "refuse"):
        code, msg = (2, b"unsupported extended operation") if MODE == "nooffer" else (52, b"StartTLS not available now")
    else:
        code, msg = 0, b""
    resp = ber(0x0a, bytes([code])) + ber(0x04, b"") + ber(0x04, msg)
    if code == 0:
        resp += ber(0x8a, b"1.3.6.1.4.1.1466.20037")
    c.sendall(ber(0x30, ber(0x02, b"\x01") + ber(0x78, resp)))
    return code == 0


def postgres(c, buf):
    recv_atleast(c, buf, 8)
    if buf[0][:8] != b"\x00\x00\x00\x08\x04\xd2\x16\x2f":
        return False
    buf[0] = buf[0][8:]
    if MODE in ("nooffer", "refuse"):
        c.sendall(b"N")
        return False
    c.sendall(b"S" + (b"E" if MODE == "inject" else b""))
    return True


def serve(c, ctx):
    buf = [b""]
    if MODE == "silent":
        c.recv(4096)
        return
    if MODE == "longline":
        c.sendall(b"220-" + b"y" * 6000 + b"\r\n220 ok\r\n")
        c.recv(4096)
        return
    if MODE == "flood":
        c.sendall(b"220-" + b"x" * 70000)
        c.recv(4096)
        return
    if MODE == "close" and PROTO != "smtp":
        c.recv(4096)
        return
    if not globals()[PROTO](c, buf):
        return
    if MODE == "inject":
        c.recv(4096)
        return
    t = ctx.wrap_socket(c, server_side=True)
    t.sendall(b"")
    try:
        t.recv(1024)
    except (ssl.SSLError, OSError):
        pass
    t.close()


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERT, KEY)
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", PORT))
    s.listen(8)
    while True:
        c, _ = s.accept()
        c.settimeout(20)
        try:
            serve(c, ctx)
        except (EOFError, OSError, ssl.SSLError):
            pass
        finally:
            try:
                c.close()
            except OSError:
                pass


main()
