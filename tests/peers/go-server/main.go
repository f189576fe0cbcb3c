// A small TLS server for hstrace's tests, on Go's crypto/tls (standard library only): it
// makes its own ECDSA certificate at start, accepts connections on -addr and runs the
// handshake of each (Go 1.24 offers and accepts X25519MLKEM768 by default).  -curves limits
// the groups (e.g. "P256" to make a client that offered no P-256 share retry).
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"flag"
	"fmt"
	"log"
	"math/big"
	"net"
	"os"
	"strings"
	"time"
)

func certificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

var curveNames = map[string]tls.CurveID{
	"X25519MLKEM768": tls.X25519MLKEM768,
	"X25519":         tls.X25519,
	"P256":           tls.CurveP256,
	"P384":           tls.CurveP384,
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "where to listen")
	curves := flag.String("curves", "", "comma-separated groups (X25519MLKEM768, X25519, P256, P384); default: Go's")
	flag.Parse()
	cert, err := certificate()
	if err != nil {
		log.Fatal(err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	if *curves != "" {
		for _, name := range strings.Split(*curves, ",") {
			id, ok := curveNames[name]
			if !ok {
				log.Fatalf("unknown curve %q", name)
			}
			conf.CurvePreferences = append(conf.CurvePreferences, id)
		}
	}
	ln, err := tls.Listen("tcp", *addr, conf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintln(os.Stderr, "listening on", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func(c net.Conn) {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			if err := c.(*tls.Conn).Handshake(); err != nil {
				return
			}
			_, _ = c.Write([]byte("hello from the go test server\n"))
		}(c)
	}
}
