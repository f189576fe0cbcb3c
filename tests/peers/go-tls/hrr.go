package main

// The hrr-mlkem mode: crypto/tls always sends an X25519MLKEM768 share when it supports the
// group, so the client here is written by hand: a first ClientHello that lists
// X25519MLKEM768 but carries an X25519 share only, the server's HelloRetryRequest naming
// X25519MLKEM768, a second ClientHello with a real hybrid share (crypto/mlkem + X25519), the
// server's ServerHello with its 1120-byte share; then the client closes (it never finishes:
// the capture is about the key exchange, and there is no key log).

import (
	"crypto/ecdh"
	"crypto/mlkem"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

func u16(b []byte, v int) []byte { return binary.BigEndian.AppendUint16(b, uint16(v)) }

func ext(b []byte, typ int, body []byte) []byte {
	b = u16(b, typ)
	b = u16(b, len(body))
	return append(b, body...)
}

// A TLS 1.3 ClientHello record with this key share (and cookie, when not nil).
func clientHello(random, sid []byte, group int, share, cookie []byte) []byte {
	var exts []byte
	name := []byte("localhost")
	sni := u16(nil, len(name)+3)
	sni = append(sni, 0)
	sni = u16(sni, len(name))
	exts = ext(exts, 0, append(sni, name...))
	exts = ext(exts, 10, []byte{0, 4, 0x11, 0xec, 0x00, 0x1d})             // X25519MLKEM768, x25519
	exts = ext(exts, 13, []byte{0, 6, 0x04, 0x03, 0x08, 0x04, 0x08, 0x07}) // ecdsa p256, rsa-pss, ed25519
	exts = ext(exts, 43, []byte{2, 0x03, 0x04})                            // TLS 1.3
	ks := u16(nil, group)
	ks = u16(ks, len(share))
	ks = append(ks, share...)
	exts = ext(exts, 51, append(u16(nil, len(ks)), ks...))
	if cookie != nil {
		exts = ext(exts, 44, cookie)
	}
	var body []byte
	body = u16(body, 0x0303)
	body = append(body, random...)
	body = append(body, byte(len(sid)))
	body = append(body, sid...)
	body = append(body, 0, 2, 0x13, 0x01, 1, 0) // TLS_AES_128_GCM_SHA256; null compression
	body = u16(body, len(exts))
	body = append(body, exts...)
	msg := []byte{1, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	msg = append(msg, body...)
	rec := []byte{22, 3, 1} // TLS 1.0 in the first record, 1.2 after (RFC 8446 5.1)
	if cookie != nil || group != 0x001d {
		rec[2] = 3
	}
	rec = u16(rec, len(msg))
	return append(rec, msg...)
}

// The first handshake message of the next record from c (a hello fits in one record).
func readHello(c net.Conn) ([]byte, error) {
	for {
		hdr := make([]byte, 5)
		if _, err := io.ReadFull(c, hdr); err != nil {
			return nil, err
		}
		body := make([]byte, binary.BigEndian.Uint16(hdr[3:]))
		if _, err := io.ReadFull(c, body); err != nil {
			return nil, err
		}
		if hdr[0] == 22 {
			return body, nil
		}
		if hdr[0] == 21 {
			return nil, fmt.Errorf("alert %v", body)
		}
	}
}

// The selected group and cookie of a HelloRetryRequest / the group of a ServerHello.
func helloExts(m []byte) (group int, cookie []byte) {
	if len(m) < 4+2+32+1 {
		return 0, nil
	}
	b := m[4+2+32:]
	b = b[1+int(b[0]):] // session id
	if len(b) < 5 {
		return 0, nil
	}
	b = b[3:] // suite, compression
	b = b[2:] // extensions length
	for len(b) >= 4 {
		t := int(binary.BigEndian.Uint16(b))
		l := int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+l {
			break
		}
		if t == 51 && l >= 2 {
			group = int(binary.BigEndian.Uint16(b[4:]))
		}
		if t == 44 {
			cookie = append([]byte{}, b[4:4+l]...)
		}
		b = b[4+l:]
	}
	return group, cookie
}

func hrrClient(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	random, sid := make([]byte, 32), make([]byte, 32)
	rand.Read(random)
	rand.Read(sid)
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	if _, err := c.Write(clientHello(random, sid, 0x001d, x.PublicKey().Bytes(), nil)); err != nil {
		return err
	}
	hrr, err := readHello(c)
	if err != nil {
		return fmt.Errorf("HelloRetryRequest: %v", err)
	}
	group, cookie := helloExts(hrr)
	if group != 0x11ec {
		return fmt.Errorf("the server asked for group 0x%04x, not X25519MLKEM768", group)
	}
	dk, err := mlkem.GenerateKey768()
	if err != nil {
		return err
	}
	share := append(dk.EncapsulationKey().Bytes(), x.PublicKey().Bytes()...)
	if _, err := c.Write(clientHello(random, sid, 0x11ec, share, cookie)); err != nil {
		return err
	}
	sh, err := readHello(c)
	if err != nil {
		return fmt.Errorf("ServerHello: %v", err)
	}
	if g, _ := helloExts(sh); g != 0x11ec {
		return fmt.Errorf("the ServerHello's group is 0x%04x", g)
	}
	fmt.Printf("client: HelloRetryRequest for X25519MLKEM768, then a ServerHello with it\n")
	return nil
}
