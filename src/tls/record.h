/*
 * The TLS record header (RFC 8446 5.1, RFC 5246 6.2; SSLv2-format hellos, RFC 5246 E.2): its
 * constants, and the tests of what a header may look like that the record layer (framing,
 * resynchronisation) and where-TLS-starts (capture/tlsstart.c) share.
 */
#ifndef HS_RECORD_H
#define HS_RECORD_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_REC_HDR 5                          /* type(1) version(2) length(2) */
#define HS_REC_MAX_PLAIN 16384u               /* TLSPlaintext bound */
#define HS_REC_MAX_BODY12 (16384u + 2048u)    /* TLSCiphertext bound, TLS 1.2 and below */
#define HS_REC_MAX_BODY13 (16384u + 256u)     /* TLSCiphertext bound, TLS 1.3 */
#define HS_SSLV2_HDR 2                        /* SSLv2 record: 2-byte length, top bit set */
#define HS_SSLV2_MIN_BODY 9                   /* an SSLv2 ClientHello's fixed part */

/* Content types (RFC 8446 5.1; heartbeat RFC 6520). */
enum hs_content_type {
    HS_CT_CHANGE_CIPHER_SPEC = 20,
    HS_CT_ALERT = 21,
    HS_CT_HANDSHAKE = 22,
    HS_CT_APPLICATION_DATA = 23,
    HS_CT_HEARTBEAT = 24,
};

/* The length field of a record header (h: 5 bytes). */
static inline size_t hs_record_length(const uint8_t *h)
{
    return (size_t)h[3] << 8 | h[4];
}

/* The body length of an SSLv2-format record (h: 2 bytes). */
static inline size_t hs_sslv2_length(const uint8_t *h)
{
    return ((size_t)h[0] & 0x7f) << 8 | h[1];
}

/* A content type of TLS up to 1.3: 20 to 24. */
bool hs_record_type_known(uint8_t type);

/* A header shaped like TLS (h: 5 bytes): a known content type and version 3.0 to 3.4. */
bool hs_record_shaped(const uint8_t *h);

/* A header to trust in bytes of unknown alignment (h: 5 bytes): shaped, and a length from 1
 * to max_body. */
bool hs_record_plausible(const uint8_t *h, size_t max_body);

/* The start of `side`'s hello (h: 6 bytes, header and message type): a plausible handshake
 * record of at least a message header holding a ClientHello (client) or ServerHello. */
bool hs_record_hello(const uint8_t *h, enum hs_side side, size_t max_body);

/* An SSLv2-format ClientHello (h: 5 bytes): top bit set, a length from 9 to max_body,
 * msg_type 1 and version 2.0 or 3.0 to 3.4. */
bool hs_record_sslv2_hello(const uint8_t *h, size_t max_body);

#endif
