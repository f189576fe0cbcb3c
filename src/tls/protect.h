/*
 * Record protection: key derivation (TLS 1.3 key schedule from traffic secrets, TLS 1.0-1.2 key
 * block from the master secret) and decryption of one record: AEAD (1.2, 1.3) or CBC block
 * cipher with HMAC (1.0-1.2, MAC-then-encrypt or RFC 7366 encrypt-then-MAC).  Uses mbedTLS
 * crypto only.
 */
#ifndef HS_PROTECT_H
#define HS_PROTECT_H

#include "../core/result.h"
#include "rc4.h"
#include "suites.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One direction's read state. */
struct hs_protect {
    bool active;
    enum hs_aead aead;      /* HS_AEAD_NONE in a CBC state */
    enum hs_hash hash;
    bool tls13;
    uint8_t key[32];
    unsigned key_len;
    uint8_t iv[16];         /* 1.3 and ChaCha20: 12-byte IV; 1.2 GCM/CCM: 4-byte salt;
                               CBC: one block, used only by TLS 1.0 (chained: the last
                               ciphertext block of the previous record) */
    unsigned iv_len;
    uint64_t seq;           /* next record's sequence number */
    uint8_t secret[64];     /* 1.3: the current traffic secret (for KeyUpdate) */
    unsigned secret_len;
    /* CBC suites (TLS 1.0-1.2) */
    enum hs_cbc cbc;        /* HS_CBC_NONE in an AEAD state */
    enum hs_mac mac;
    uint8_t mac_key[48];
    unsigned mac_key_len;
    bool etm;               /* encrypt_then_mac (RFC 7366): the MAC covers IV + ciphertext */
    bool explicit_iv;       /* TLS 1.1 and 1.2: each record starts with its own IV */
    /* RC4 and NULL suites (TLS 1.0-1.2): the MAC fields above, and for RC4 the keystream,
     * which runs on across the records of its direction */
    enum hs_stream stream;  /* HS_STREAM_NONE in an AEAD or CBC state */
    struct hs_rc4 rc4;
};

/* TLS 1.3: key = HKDF-Expand-Label(secret, "key"), iv = ...("iv"); seq = 0. */
int hs_protect_tls13(struct hs_protect *p, const struct hs_suite *s, const uint8_t *secret,
                     size_t len) HS_MUST_CHECK;
/* TLS 1.3 KeyUpdate: the next traffic secret, and keys from it. */
int hs_protect_tls13_update(struct hs_protect *p) HS_MUST_CHECK;
/*
 * TLS 1.0-1.2: both directions' states from the key block (RFC 5246 6.3; RFC 2246 6.3 with
 * the MD5/SHA-1 PRF for 1.0 and 1.1), seq = 0.  AEAD suites use the suite's PRF hash whatever
 * the version.  CBC, RC4 and NULL suites need version 0x0301-0x0303 (HS_ERR_UNSUPPORTED
 * otherwise, and for suites hstrace cannot decrypt: see hs_suite_why_opaque);
 * encrypt_then_mac says both hellos carried that extension (it applies to CBC suites only,
 * RFC 7366 3).
 */
int hs_protect_tls12(struct hs_protect *client, struct hs_protect *server,
                     const struct hs_suite *s, uint16_t version, bool encrypt_then_mac,
                     const uint8_t master[48], const uint8_t client_random[32],
                     const uint8_t server_random[32]) HS_MUST_CHECK;

/*
 * Decrypts one record: hdr is its 5-byte header, body/body_len the rest.  out must hold
 * body_len bytes.  On HS_OK: out[0..*out_len) is the plaintext content, *inner_type the
 * content type (1.3: from TLSInnerPlaintext, padding removed; 1.0-1.2: hdr[0]) and p->seq has
 * advanced (and a TLS 1.0 CBC state's IV, an RC4 state's keystream moved on).  On failure nothing changes
 * (HS_ERR_CRYPTO: authentication failed: a bad tag, MAC or CBC padding; HS_ERR_INVALID: a body
 * too short to hold a tag, a CBC body not made of whole blocks, or a bad state), except out,
 * which is scratch, and one case: a 1.3 record that authenticates but is all zero bytes (no
 * content type, RFC 8446 5.4) returns HS_ERR_INVALID with p->seq advanced, as the record was
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
/* The TLS 1.0/1.1 PRF (RFC 2246 5): P_MD5 over the secret's first half XOR P_SHA1 over its
 * second half (sharing the middle byte when the length is odd). */
int hs_tls10_prf(const uint8_t *secret, size_t secret_len, const char *label,
                 const uint8_t *seed, size_t seed_len, uint8_t *out,
                 size_t out_len) HS_MUST_CHECK;

/* One AEAD open (QUIC packets): nonce 12 bytes, the tag apart from the ciphertext; out holds
 * ct_len bytes.  HS_ERR_CRYPTO for a bad tag. */
int hs_aead_open(enum hs_aead a, const uint8_t *key, unsigned key_len, const uint8_t nonce[12],
                 const uint8_t *aad, size_t aad_len, const uint8_t *ct, size_t ct_len,
                 const uint8_t *tag, unsigned tag_len, uint8_t *out) HS_MUST_CHECK;

#endif
