/*
 * RC4 (ARCFOUR), for reading old captures of TLS_*_WITH_RC4_128_* suites: mbedTLS 3.6 has
 * no ARC4 module any more.  The keystream is checked against RFC 6229's test vectors.
 */
#ifndef HS_RC4_H
#define HS_RC4_H

#include <stddef.h>
#include <stdint.h>

struct hs_rc4 {
    uint8_t s[256];
    uint8_t i, j;
};

/* The key schedule: key_len (1..256) bytes of key. */
void hs_rc4_init(struct hs_rc4 *st, const uint8_t *key, size_t key_len);
/* out[k] = in[k] XOR the next keystream byte, for n bytes (in and out may be the same). */
void hs_rc4_crypt(struct hs_rc4 *st, const uint8_t *in, uint8_t *out, size_t n);

#endif
