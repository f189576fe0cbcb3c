/*
 * --probe: when the server picks a group the probe holds the private key of (x25519,
 * secp256r1, secp384r1, secp521r1; not ML-KEM, whose decapsulation key nobody keeps), the
 * probe computes the TLS 1.3 handshake traffic secrets itself (RFC 8446 section 7.1), so that
 * the decoder decrypts the server's flight: EncryptedExtensions (ALPN, ECH retry_configs),
 * Certificate, CertificateVerify, Finished.
 */
#ifndef HS_LIVE_PROBE_KEYS_H
#define HS_LIVE_PROBE_KEYS_H

#include "../tls/suites.h"

#include <stddef.h>
#include <stdint.h>

/* The handshake messages hashed so far (headers included); hrr NULL without a retry, when
 * ch1 is the only ClientHello and ch2 is unused. */
struct hs_probe_transcript {
    const uint8_t *ch1, *hrr, *ch2, *sh;
    size_t ch1_len, hrr_len, ch2_len, sh_len;
};

/* client and server handshake traffic secrets (hs_hash_len(h) bytes each) from the (EC)DHE
 * shared secret and the transcript; 0, or -1. */
int hs_probe_tls13_secrets(enum hs_hash h, const uint8_t *shared, size_t shared_len,
                           const struct hs_probe_transcript *tr, uint8_t *c_hs, uint8_t *s_hs);

#endif
