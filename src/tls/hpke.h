/*
 * HPKE (RFC 9180), the part a passive reader with the shared secret needs: the mode_base key
 * schedule, the DHKEM shared secret from a Diffie-Hellman output, and Open.  mbedTLS crypto
 * (md, hkdf, cipher) only.  Used for Encrypted Client Hello (RFC 9849).
 */
#ifndef HS_HPKE_H
#define HS_HPKE_H

#include "../core/result.h"

#include <stddef.h>
#include <stdint.h>

#define HS_HPKE_KEM_P256 0x0010
#define HS_HPKE_KEM_P384 0x0011
#define HS_HPKE_KEM_P521 0x0012
#define HS_HPKE_KEM_X25519 0x0020
#define HS_HPKE_KEM_X448 0x0021

/* Names for the registry values ("DHKEM(X25519, HKDF-SHA256)", "HKDF-SHA256",
 * "AES-128-GCM"), NULL when unknown. */
const char *hs_hpke_kem_name(uint16_t kem);
const char *hs_hpke_kdf_name(uint16_t kdf);
const char *hs_hpke_aead_name(uint16_t aead);
/* Npk of a DHKEM (the length of its enc and public keys), 0 when unknown. */
size_t hs_hpke_kem_enc_len(uint16_t kem);

/* A receiver's context after the key schedule. */
struct hs_hpke_ctx {
    uint16_t kem, kdf, aead;
    uint8_t key[32];
    size_t key_len;
    uint8_t base_nonce[12];
    uint64_t seq;
};

/* DHKEM ExtractAndExpand (RFC 9180 4.1): shared_secret from dh and kem_context (enc || pkR).
 * out gets Nsecret bytes (*out_len).  HS_ERR_UNSUPPORTED for a KEM not listed above. */
int hs_hpke_dhkem_secret(uint16_t kem, const uint8_t *dh, size_t dh_len, const uint8_t *enc,
                         size_t enc_len, const uint8_t *pkr, size_t pkr_len, uint8_t *out,
                         size_t outsz, size_t *out_len) HS_MUST_CHECK;

/* KeySchedule for mode_base (RFC 9180 5.1): no PSK.  HS_ERR_UNSUPPORTED for a KDF or AEAD
 * hstrace does not have (export-only included). */
int hs_hpke_setup(struct hs_hpke_ctx *cx, uint16_t kem, uint16_t kdf, uint16_t aead,
                  const uint8_t *shared_secret, size_t ss_len, const uint8_t *info,
                  size_t info_len) HS_MUST_CHECK;

/* Open (RFC 9180 5.2): ct includes the tag; out gets ct_len - 16 bytes.  HS_ERR_CRYPTO when
 * authentication fails (the sequence number then does not move). */
int hs_hpke_open(struct hs_hpke_ctx *cx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
                 size_t ct_len, uint8_t *out, size_t *out_len) HS_MUST_CHECK;

#endif
