/*
 * Record protection: key derivation (TLS 1.3 key schedule from traffic secrets, TLS 1.2 key
 * block from the master secret) and AEAD decryption of one record.  Uses mbedTLS crypto only.
 */
#ifndef HS_PROTECT_H
#define HS_PROTECT_H

#include "../core/result.h"
#include "suites.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One direction's read state. */
struct hs_protect {
    bool active;
    enum hs_aead aead;
    enum hs_hash hash;
    bool tls13;
    uint8_t key[32];
    unsigned key_len;
    uint8_t iv[12];         /* 1.3 and ChaCha20: 12-byte IV; 1.2 GCM/CCM: 4-byte salt */
    unsigned iv_len;
    uint64_t seq;           /* next record's sequence number */
    uint8_t secret[64];     /* 1.3: the current traffic secret (for KeyUpdate) */
    unsigned secret_len;
};

/* TLS 1.3: key = HKDF-Expand-Label(secret, "key"), iv = ...("iv"); seq = 0. */
int hs_protect_tls13(struct hs_protect *p, const struct hs_suite *s, const uint8_t *secret,
                     size_t len) HS_MUST_CHECK;
/* TLS 1.3 KeyUpdate: the next traffic secret, and keys from it. */
int hs_protect_tls13_update(struct hs_protect *p) HS_MUST_CHECK;
/* TLS 1.2 (AEAD suites): the key block from the master secret; both directions, seq = 0. */
int hs_protect_tls12(struct hs_protect *client, struct hs_protect *server,
                     const struct hs_suite *s, const uint8_t master[48],
                     const uint8_t client_random[32], const uint8_t server_random[32]) HS_MUST_CHECK;

/*
 * Decrypts one record: hdr is its 5-byte header, body/body_len the rest.  out must hold
 * body_len bytes.  On HS_OK: out[0..*out_len) is the plaintext content, *inner_type the
 * content type (1.3: from TLSInnerPlaintext, padding removed; 1.2: hdr[0]) and p->seq has
 * advanced.  On failure nothing changes (HS_ERR_CRYPTO: authentication failed;
 * HS_ERR_INVALID: a body too short to hold a tag, or a bad state), except out, which is
 * scratch, and one case: a 1.3 record that authenticates but is all zero bytes (no content
 * type, RFC 8446 5.4) returns HS_ERR_INVALID with p->seq advanced, as the record was
 * consumed.  HS_ERR_LIMIT once seq would wrap.  out must not overlap body.
 */
int hs_protect_decrypt(struct hs_protect *p, const uint8_t hdr[5], const uint8_t *body,
                       size_t body_len, uint8_t *out, size_t *out_len,
                       uint8_t *inner_type) HS_MUST_CHECK;

/* HKDF-Expand-Label (RFC 8446 7.1), exposed for tests. */
int hs_hkdf_expand_label(enum hs_hash h, const uint8_t *secret, size_t secret_len,
                         const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                         size_t out_len) HS_MUST_CHECK;
/* The TLS 1.2 PRF (RFC 5246 5): P_SHA256 or P_SHA384 of secret over label + seed, exposed
 * for tests and for whoever needs verify_data. */
int hs_tls12_prf(enum hs_hash h, const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out,
                 size_t out_len) HS_MUST_CHECK;

#endif
