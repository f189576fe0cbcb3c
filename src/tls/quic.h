/*
 * QUIC packet protection and parsing (RFC 9000, RFC 9001, QUIC v2 RFC 9369, and drafts 29-32):
 * long and short headers, Version Negotiation and Retry, the Initial keys every observer can
 * derive from the client's first Destination Connection ID, keys from TLS traffic secrets,
 * header protection removal, packet number recovery, AEAD opening, and the frames of a
 * decrypted payload (CRYPTO frames handed to a callback).  mbedTLS crypto only; every length
 * is checked against the datagram.
 */
#ifndef HS_QUIC_H
#define HS_QUIC_H

#include "../core/result.h"
#include "suites.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_QUIC_MAX_CID 20
#define HS_QUIC_TAG 16

enum hs_quic_ptype {
    HS_QPT_INITIAL, HS_QPT_0RTT, HS_QPT_HANDSHAKE, HS_QPT_RETRY, /* long headers */
    HS_QPT_1RTT,                                               /* short header */
    HS_QPT_VN                                                  /* Version Negotiation */
};

/* The version families hstrace can decrypt (0: unknown version). */
enum hs_quic_family { HS_QV_UNKNOWN = 0, HS_QV_1, HS_QV_2, HS_QV_DRAFT };

enum hs_quic_family hs_quic_family(uint32_t version);
/* "QUIC v1", "QUIC v2", "draft-32", "0x1a2a3a4a" (GREASE-like unknowns) into buf. */
const char *hs_quic_version_name(uint32_t version, char *buf, size_t n);
const char *hs_quic_ptype_name(enum hs_quic_ptype t); /* "Initial", "1-RTT", ... */

struct hs_quic_hdr {
    enum hs_quic_ptype type;
    bool long_hdr;
    uint32_t version;       /* 0 for Version Negotiation and short headers */
    uint8_t dcid[HS_QUIC_MAX_CID], scid[HS_QUIC_MAX_CID];
    size_t dcid_len, scid_len;
    const uint8_t *token;   /* Initial, Retry (without its integrity tag) */
    size_t token_len;
    const uint8_t *versions;/* Version Negotiation: the list (4 bytes each) */
    size_t nversions;
    size_t pn_offset;       /* where the protected packet number starts */
    size_t size;            /* bytes of this packet in the datagram (coalesced: the rest
                               follows); short headers and VN/Retry take the rest */
};

/*
 * Parses the header of the packet at the start of p/n.  short_dcid_len: the length of the
 * Destination Connection ID of short-header packets (not on the wire).  HS_ERR_INVALID for
 * anything not shaped like QUIC, HS_ERR_UNSUPPORTED for a long header of an unknown version
 * (its connection IDs and size are still filled when they can be read: size is n then).
 */
int hs_quic_parse_header(const uint8_t *p, size_t n, size_t short_dcid_len,
                         struct hs_quic_hdr *h) HS_MUST_CHECK;

/* A long header of any version (not 0) read in the QUIC v1 layout: clients that offer a
 * reserved version to force a Version Negotiation (RFC 9000 6.3) often use it, with the v1
 * Initial keys (hs_quic_initial_keys with version 1). */
int hs_quic_parse_header_v1(const uint8_t *p, size_t n, struct hs_quic_hdr *h) HS_MUST_CHECK;

/* One direction's packet protection at one encryption level. */
struct hs_quic_keys {
    bool ready;
    enum hs_aead aead;
    uint8_t key[32], iv[12], hp[32];
    unsigned key_len;
    uint32_t version;
    enum hs_hash hash;
    uint8_t secret[64];     /* the traffic secret they come from (for a key update) */
    unsigned secret_len;
};

/* The Initial keys of both sides from the client's first Destination Connection ID. */
int hs_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len,
                         struct hs_quic_keys *client, struct hs_quic_keys *server) HS_MUST_CHECK;
/* Keys from a TLS traffic secret (handshake, 0-RTT, 1-RTT) of a TLS 1.3 suite. */
int hs_quic_keys_from_secret(uint32_t version, const struct hs_suite *suite,
                             const uint8_t *secret, size_t len,
                             struct hs_quic_keys *k) HS_MUST_CHECK;

/* The next generation of 1-RTT keys (RFC 9001 6.1): the secret through "quic ku" ("quicv2
 * ku"), new key and IV, the same header protection key. */
int hs_quic_key_update(const struct hs_quic_keys *cur, struct hs_quic_keys *next) HS_MUST_CHECK;

/*
 * Removes header protection and opens the packet pkt/h->size (a copy the caller may change:
 * the header is unmasked in place).  largest: the largest packet number received so far in
 * this packet number space (-1: none).  On HS_OK: *pn, and out[0..*out_len) the payload (out
 * holds h->size bytes).  HS_ERR_CRYPTO: wrong keys or a damaged packet.
 */
int hs_quic_open(const struct hs_quic_keys *k, const struct hs_quic_hdr *h, uint8_t *pkt,
                 int64_t largest, uint64_t *pn, uint8_t *out, size_t *out_len) HS_MUST_CHECK;

/* What the frames of a payload say. */
struct hs_quic_frames {
    char line[240];         /* "CRYPTO[0+312], PADDING" (runs of one frame type merged) */
    unsigned count;         /* frames read */
    bool ack_eliciting;
    bool handshake_done;
    bool close;             /* CONNECTION_CLOSE */
    uint64_t close_error;
    bool malformed;         /* stopped at a frame that does not parse (line says where) */
};

/* Called for each CRYPTO frame: its offset in the level's stream and its bytes. */
typedef void (*hs_quic_crypto_fn)(void *ctx, uint64_t offset, const uint8_t *p, size_t n);

/* Reads the frames of a decrypted payload (bounded by its length). */
void hs_quic_frames(const uint8_t *p, size_t n, hs_quic_crypto_fn crypto, void *ctx,
                    struct hs_quic_frames *out);

/* A variable-length integer (RFC 9000 16); *off moves past it.  false when truncated. */
bool hs_quic_varint(const uint8_t *p, size_t n, size_t *off, uint64_t *v);

#endif
