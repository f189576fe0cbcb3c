/* Cipher suites: IANA names and, for the ones hstrace can decrypt, their record protection. */
#ifndef HS_SUITES_H
#define HS_SUITES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hs_aead {
    HS_AEAD_NONE = 0,            /* not an AEAD suite (CBC, stream, NULL): not decrypted */
    HS_AEAD_AES_128_GCM,
    HS_AEAD_AES_256_GCM,
    HS_AEAD_CHACHA20_POLY1305,
    HS_AEAD_AES_128_CCM,
    HS_AEAD_AES_128_CCM_8,
    HS_AEAD_AES_256_CCM,
    HS_AEAD_AES_256_CCM_8,
};

enum hs_hash { HS_HASH_SHA256 = 0, HS_HASH_SHA384 = 1 };

struct hs_suite {
    uint16_t id;
    const char *name;   /* IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *kx;     /* key exchange as in the name: "ECDHE_RSA", "RSA", "DHE_RSA", ...; "" for 1.3 */
    enum hs_aead aead;  /* HS_AEAD_NONE: hstrace cannot decrypt records of this suite */
    enum hs_hash hash;  /* PRF hash (1.2) or HKDF hash (1.3) */
    bool tls13;
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

/* The whole table, in code point order (for listings and tests). */
size_t hs_suite_count(void);
const struct hs_suite *hs_suite_at(size_t i); /* NULL past the end */

#endif
