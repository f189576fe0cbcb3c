// A Go 1.24 crypto/tls client and server on loopback, for hstrace's captures of post-quantum
// key exchange (X25519MLKEM768, Go's default) and Encrypted Client Hello (RFC 9849).
// Standard library only.
//
//	go run . -mode MODE -port PORT -keylog FILE
//
// MODE: mlkem      a plain TLS 1.3 handshake (X25519MLKEM768 + X25519 shares)
//
//	hrr-mlkem  a hand-written client (hrr.go) whose first share is X25519 only; the
//	           server wants X25519MLKEM768: a HelloRetryRequest for the hybrid group
//	ech        ECH accepted: public name public.example, inner SNI secret.example
//	ech-hrr    ECH accepted after a HelloRetryRequest (the server wants P-256)
//	ech-reject the client uses an ECHConfig whose key the server does not have: the
//	           server answers with retry_configs, the client aborts with ech_required
//
// The key log holds the client's secrets (keyed by the random of the hello the handshake
// used: the inner one when ECH is accepted) and, for ech, the lines NSS and Wireshark write:
// "ECH_SECRET <inner random> <HPKE shared secret>" and "ECH_CONFIG <inner random> <ECHConfig>".
// The server computes the shared secret from its private key and the enc of the
// ClientHelloOuter it read (DHKEM(X25519, HKDF-SHA256), RFC 9180 4.1).
package main

import (
	"bufio"
	"bytes"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"strings"
	"sync"
	"time"
)

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "go-tls: "+format+"\n", a...)
	os.Exit(1)
}

// A self-signed ECDSA certificate for the names.
func certificate(names ...string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		fail("key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: names[0], Organization: []string{"hstrace samples"}},
		DNSNames:     names,
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		fail("certificate: %v", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// ECHConfig (RFC 9849 4), version 0xfe0d, one suite: HKDF-SHA256, AES-128-GCM.
func echConfig(id uint8, pub []byte, publicName string) []byte {
	var c []byte
	c = append(c, id)
	c = binary.BigEndian.AppendUint16(c, 0x0020) // DHKEM(X25519, HKDF-SHA256)
	c = binary.BigEndian.AppendUint16(c, uint16(len(pub)))
	c = append(c, pub...)
	c = binary.BigEndian.AppendUint16(c, 4)
	c = binary.BigEndian.AppendUint16(c, 1) // HKDF-SHA256
	c = binary.BigEndian.AppendUint16(c, 1) // AES-128-GCM
	c = append(c, 0)                        // maximum_name_length
	c = append(c, uint8(len(publicName)))
	c = append(c, publicName...)
	c = binary.BigEndian.AppendUint16(c, 0) // no extensions
	out := binary.BigEndian.AppendUint16(nil, 0xfe0d)
	out = binary.BigEndian.AppendUint16(out, uint16(len(c)))
	return append(out, c...)
}

func configList(configs ...[]byte) []byte {
	n := 0
	for _, c := range configs {
		n += len(c)
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(n))
	for _, c := range configs {
		out = append(out, c...)
	}
	return out
}

// A net.Conn that keeps the first bytes it reads (the ClientHelloOuter).
type tap struct {
	net.Conn
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	t.mu.Lock()
	if t.buf.Len() < 1<<16 {
		t.buf.Write(p[:n])
	}
	t.mu.Unlock()
	return n, err
}

// The enc of the first ClientHello's outer encrypted_client_hello, from the raw records.
func outerEnc(raw []byte) ([]byte, error) {
	// The first handshake record (the hello fits in one).
	if len(raw) < 5 || raw[0] != 22 {
		return nil, errors.New("no handshake record")
	}
	rl := int(binary.BigEndian.Uint16(raw[3:5]))
	if len(raw) < 5+rl {
		return nil, errors.New("short record")
	}
	m := raw[5 : 5+rl]
	if len(m) < 4 || m[0] != 1 {
		return nil, errors.New("not a ClientHello")
	}
	b := m[4:]
	read := func(n int) []byte {
		if len(b) < n {
			b = nil
			return nil
		}
		v := b[:n]
		b = b[n:]
		return v
	}
	vec := func(lenBytes int) []byte {
		l := read(lenBytes)
		if l == nil {
			return nil
		}
		n := 0
		for _, x := range l {
			n = n<<8 | int(x)
		}
		return read(n)
	}
	read(2 + 32)
	vec(1)
	vec(2)
	vec(1)
	exts := vec(2)
	for len(exts) >= 4 {
		t := binary.BigEndian.Uint16(exts)
		l := int(binary.BigEndian.Uint16(exts[2:]))
		if len(exts) < 4+l {
			break
		}
		body := exts[4 : 4+l]
		exts = exts[4+l:]
		// type 0 (outer), kdf, aead, config_id, enc<2>
		if t == 0xfe0d && len(body) >= 8 && body[0] == 0 {
			el := int(binary.BigEndian.Uint16(body[6:8]))
			if len(body) >= 8+el {
				return body[8 : 8+el], nil
			}
		}
	}
	return nil, errors.New("no outer encrypted_client_hello")
}

// DHKEM(X25519, HKDF-SHA256) Decap (RFC 9180 4.1): the HPKE shared secret.
func sharedSecret(priv *ecdh.PrivateKey, enc []byte) ([]byte, error) {
	pkE, err := ecdh.X25519().NewPublicKey(enc)
	if err != nil {
		return nil, err
	}
	dh, err := priv.ECDH(pkE)
	if err != nil {
		return nil, err
	}
	suite := []byte{'K', 'E', 'M', 0x00, 0x20}
	ikm := append(append(append([]byte("HPKE-v1"), suite...), "eae_prk"...), dh...)
	prk, err := hkdf.Extract(sha256.New, ikm, nil)
	if err != nil {
		return nil, err
	}
	kemContext := append(append([]byte{}, enc...), priv.PublicKey().Bytes()...)
	info := append(append(append(binary.BigEndian.AppendUint16(nil, 32), "HPKE-v1"...),
		suite...), "shared_secret"...)
	info = append(info, kemContext...)
	return hkdf.Expand(sha256.New, prk, string(info), 32)
}

// The client random of the key log's handshake secrets.
func handshakeRandom(keylog []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(keylog))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "CLIENT_HANDSHAKE_TRAFFIC_SECRET" {
			return f[1]
		}
	}
	return ""
}

func main() {
	mode := flag.String("mode", "mlkem", "mlkem, hrr-mlkem, ech or ech-reject")
	port := flag.Int("port", 0, "TCP port on 127.0.0.1")
	keylogPath := flag.String("keylog", "", "key log to write")
	flag.Parse()
	if *keylogPath == "" {
		fail("-keylog FILE is needed")
	}

	serverName := "localhost"
	cert := certificate("localhost", "secret.example", "public.example")
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(cert.Certificate[0])
	pool.AddCert(leaf)

	var keylog bytes.Buffer
	server := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	client := &tls.Config{RootCAs: pool, ServerName: serverName, KeyLogWriter: &keylog,
		MinVersion: tls.VersionTLS13}

	var echPriv *ecdh.PrivateKey
	var echCfg []byte
	switch *mode {
	case "mlkem":
	case "hrr-mlkem":
		server.CurvePreferences = []tls.CurveID{tls.X25519MLKEM768}
	case "ech", "ech-reject", "ech-hrr":
		var err error
		if echPriv, err = ecdh.X25519().GenerateKey(rand.Reader); err != nil {
			fail("ech key: %v", err)
		}
		echCfg = echConfig(7, echPriv.PublicKey().Bytes(), "public.example")
		server.EncryptedClientHelloKeys = []tls.EncryptedClientHelloKey{
			{Config: echCfg, PrivateKey: echPriv.Bytes(), SendAsRetry: true}}
		serverName = "secret.example"
		client.ServerName = serverName
		offered := echCfg
		if *mode == "ech-reject" {
			other, _ := ecdh.X25519().GenerateKey(rand.Reader)
			offered = echConfig(7, other.PublicKey().Bytes(), "public.example")
		}
		client.EncryptedClientHelloConfigList = configList(offered)
		if *mode == "ech-hrr" {
			server.CurvePreferences = []tls.CurveID{tls.CurveP256}
		}
	default:
		fail("unknown mode %q", *mode)
	}

	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fail("listen: %v", err)
	}
	defer ln.Close()
	type result struct {
		raw []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- result{nil, err}
			return
		}
		t := &tap{Conn: c}
		s := tls.Server(t, server)
		s.SetDeadline(time.Now().Add(10 * time.Second))
		err = s.Handshake()
		if err == nil {
			_, err = s.Write([]byte("hello from the Go server\n"))
			io.Copy(io.Discard, s)
		}
		s.Close()
		t.mu.Lock()
		raw := append([]byte{}, t.buf.Bytes()...)
		t.mu.Unlock()
		done <- result{raw, err}
	}()

	if *mode == "hrr-mlkem" {
		herr := hrrClient(ln.Addr().String())
		r := <-done
		fmt.Printf("server: %v\n", r.err)
		if herr != nil {
			fail("%v", herr)
		}
		if err := os.WriteFile(*keylogPath, nil, 0o600); err != nil {
			fail("key log: %v", err)
		}
		return
	}
	conn, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		fail("dial: %v", err)
	}
	c := tls.Client(conn, client)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	herr := c.Handshake()
	if herr == nil {
		line, _ := bufio.NewReader(c).ReadString('\n')
		st := c.ConnectionState()
		fmt.Printf("client: %s, ECH accepted %v, read %q\n",
			tls.VersionName(st.Version), st.ECHAccepted, line)
		c.Close()
	} else {
		fmt.Printf("client: handshake failed: %v\n", herr)
		c.Close()
	}
	r := <-done
	if r.err != nil {
		fmt.Printf("server: %v\n", r.err)
	}

	if (*mode == "ech" || *mode == "ech-hrr") && herr == nil {
		enc, err := outerEnc(r.raw)
		if err != nil {
			fail("ClientHelloOuter: %v", err)
		}
		ss, err := sharedSecret(echPriv, enc)
		if err != nil {
			fail("shared secret: %v", err)
		}
		inner := handshakeRandom(keylog.Bytes())
		if inner == "" {
			fail("no handshake secret in the key log")
		}
		fmt.Fprintf(&keylog, "ECH_SECRET %s %s\n", inner, hex.EncodeToString(ss))
		fmt.Fprintf(&keylog, "ECH_CONFIG %s %s\n", inner, hex.EncodeToString(echCfg))
	}
	if err := os.WriteFile(*keylogPath, keylog.Bytes(), 0o600); err != nil {
		fail("key log: %v", err)
	}
	if (*mode == "ech-reject") != (herr != nil) {
		os.Exit(1)
	}
}
