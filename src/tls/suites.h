/* Cipher suites: IANA names and, for the ones hstrace can decrypt, their record protection. */
#ifndef HS_SUITES_H
#define HS_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hs_aead {
    HS_AEAD_NONE = 0,            /* not an AEAD suite: CBC (see hs_cbc), stream, NULL */
    HS_AEAD_AES_128_GCM,
    HS_AEAD_AES_256_GCM,
    HS_AEAD_CHACHA20_POLY1305,
    HS_AEAD_AES_128_CCM,
    HS_AEAD_AES_128_CCM_8,
    HS_AEAD_AES_256_CCM,
    HS_AEAD_AES_256_CCM_8,
};

enum hs_hash { HS_HASH_SHA256 = 0, HS_HASH_SHA384 = 1 };

/* The block cipher of a CBC suite hstrace decrypts (TLS 1.0-1.2, RFC 5246 6.2.3.2). */
enum hs_cbc {
    HS_CBC_NONE = 0,             /* AEAD, stream, NULL, or a block cipher hstrace lacks */
    HS_CBC_AES_128,
    HS_CBC_AES_256,
    HS_CBC_3DES,                 /* 3DES-EDE, three keys */
    HS_CBC_CAMELLIA_128,
    HS_CBC_CAMELLIA_256,
    HS_CBC_ARIA_128,
    HS_CBC_ARIA_256,
};

/* The record MAC (HMAC) of a CBC suite (MD5: stream and NULL suites only, see hs_stream). */
enum hs_mac { HS_MAC_NONE = 0, HS_MAC_SHA1, HS_MAC_SHA256, HS_MAC_SHA384, HS_MAC_MD5 };

/* The non-block, non-AEAD suites hstrace decrypts (TLS 1.0-1.2, RFC 5246 6.2.3.1): RC4 with
 * a 128-bit key, and NULL (no encryption, a MAC only). */
enum hs_stream { HS_STREAM_NONE = 0, HS_STREAM_RC4_128, HS_STREAM_NULL };

struct hs_suite {
    uint16_t id;
    const char *name;   /* IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *kx;     /* key exchange as in the name: "ECDHE_RSA", "RSA", "DHE_RSA", ...; "" for 1.3 */
    enum hs_aead aead;  /* HS_AEAD_NONE: not AEAD; decrypted only if cbc is set */
    enum hs_hash hash;  /* PRF hash (1.2) or HKDF hash (1.3) */
    bool tls13;
    enum hs_cbc cbc;    /* HS_CBC_NONE unless a CBC suite hstrace can decrypt */
    enum hs_mac mac;    /* its record MAC (HS_MAC_NONE when cbc is) */
};

/* The suite with that code point, or NULL if not in the IANA registry as hstrace knows it. */
const struct hs_suite *hs_suite_find(uint16_t id);
/* IANA name; NULL when unknown (callers print "0x%04x"). */
const char *hs_suite_name(uint16_t id);
/* Code point for an IANA or OpenSSL-style name (case-insensitive), or -1. */
int hs_suite_by_name(const char *name);
/* AEAD key length in bytes (0 for HS_AEAD_NONE), tag length, and hash length. */
unsigned hs_aead_key_len(enum hs_aead a);
unsigned hs_aead_tag_len(enum hs_aead a);
unsigned hs_hash_len(enum hs_hash h);
const char *hs_aead_name(enum hs_aead a); /* "AES-128-GCM", ... ("none" for HS_AEAD_NONE) */
/* CBC key and block lengths (0 for HS_CBC_NONE), HMAC output length (0 for HS_MAC_NONE). */
unsigned hs_cbc_key_len(enum hs_cbc c);
unsigned hs_cbc_block_len(enum hs_cbc c);
unsigned hs_mac_len(enum hs_mac m);
/* "AES-128-CBC HMAC-SHA1", with " encrypt-then-MAC" when etm; a static string. */
const char *hs_cbc_name(enum hs_cbc c, enum hs_mac m, bool etm);
/* s's stream cipher (from its IANA name: _WITH_RC4_128_ or _WITH_NULL_, not export), and
 * *mac its record MAC (mac may be NULL); HS_STREAM_NONE (and HS_MAC_NONE) for the others. */
enum hs_stream hs_suite_stream(const struct hs_suite *s, enum hs_mac *mac);
/* Key length in bytes (16, 0 for NULL) and a static "RC4-128 HMAC-SHA1" name. */
unsigned hs_stream_key_len(enum hs_stream c);
const char *hs_stream_name(enum hs_stream c, enum hs_mac m);
/* Why hstrace cannot decrypt the records of suite s negotiated at `version` (a static
 * "not decrypted (...)" text), or NULL when it can. */
const char *hs_suite_why_opaque(const struct hs_suite *s, uint16_t version);

/* The whole table, in code point order (for listings and tests). */
size_t hs_suite_count(void);
const struct hs_suite *hs_suite_at(size_t i); /* NULL past the end */

#endif
