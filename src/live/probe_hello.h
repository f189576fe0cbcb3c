/*
 * The probe's own ClientHello (written with a bounds-checked writer, not by mbedTLS), and the
 * reading of the server's answer to it: ServerHello or HelloRetryRequest.
 */
#ifndef HS_LIVE_PROBE_HELLO_H
#define HS_LIVE_PROBE_HELLO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A bounds-checked writer: once a write would pass cap, nothing more is written and
 * `overflow` stays set. */
struct hs_pw {
    uint8_t *p;
    size_t cap, len;
    bool overflow;
};

void hs_pw_u8(struct hs_pw *w, uint8_t v);
void hs_pw_u16(struct hs_pw *w, uint16_t v);
void hs_pw_bytes(struct hs_pw *w, const uint8_t *b, size_t n);
/* A length prefix of `bytes` bytes (1-3), filled in by hs_pw_close: returns where it is. */
size_t hs_pw_open(struct hs_pw *w, unsigned bytes);
/* Fills the prefix opened at `at`; a length too large for it sets overflow. */
void hs_pw_close(struct hs_pw *w, size_t at, unsigned bytes);

#define HS_PROBE_MAX_SHARES 4
#define HS_PROBE_MAX_LIST 64

struct hs_probe_share {
    uint16_t group;
    const uint8_t *key; /* the key_exchange bytes */
    size_t len;
};

/* What goes into one ClientHello. */
struct hs_probe_hello {
    uint8_t random[32];
    uint8_t session_id[32];        /* legacy_session_id, 32 bytes (middlebox compatibility) */
    const char *sni;               /* NULL: no server_name */
    const char *const *alpn;       /* NULL-terminated, or NULL: no ALPN */
    const int *suites;             /* 0-terminated cipher suites */
    const uint16_t *groups;        /* 0-terminated supported_groups */
    struct hs_probe_share shares[HS_PROBE_MAX_SHARES];
    size_t nshares;
    bool tls13_only;               /* supported_versions: 1.3 alone, else 1.3 and 1.2 */
    uint16_t grease[4];            /* RFC 8701 values: suite/group/version, two extensions */
    bool ech;                      /* a GREASE encrypted_client_hello (RFC 9849 section 6.2) */
    uint8_t ech_config_id;
    const uint8_t *ech_enc;        /* 32 bytes, or NULL (empty, after a HelloRetryRequest) */
    const uint8_t *ech_payload;
    size_t ech_payload_len;
    bool retry;                    /* the answer to a HelloRetryRequest: its one share only */
    const uint8_t *cookie;         /* the HelloRetryRequest's cookie to echo, or NULL */
    size_t cookie_len;
};

/* The ClientHello handshake message (header included) into out; its length, or 0 when it
 * does not fit (or a list is too long for its length prefix). */
size_t hs_probe_hello_write(const struct hs_probe_hello *h, uint8_t *out, size_t cap);

/* What the probe learns from a ServerHello or HelloRetryRequest. */
struct hs_probe_answer {
    bool hrr;
    uint16_t legacy_version, version; /* version: supported_versions, else legacy_version */
    uint16_t suite;
    uint16_t group;                   /* key_share's group (HRR: the one asked for), 0 none */
    const uint8_t *key_share;         /* the server's key_exchange (into the message) */
    size_t key_share_len;             /* its length (0 in an HRR) */
    bool ech;                         /* an encrypted_client_hello extension was there */
    size_t ech_len;
    const uint8_t *cookie;            /* into the message, or NULL */
    size_t cookie_len;
};

/* Reads a ServerHello body (after the 4-byte handshake header); 0, or -1 when malformed. */
int hs_probe_read_answer(const uint8_t *body, size_t n, struct hs_probe_answer *a);

#endif
