/*
 * TLS fingerprints of the hellos: JA3 and JA3S (Salesforce: the decimal string and its MD5)
 * and JA4 and JA4S (FoxIO), computed from the message bytes as sent, GREASE (RFC 8701) left
 * out as each specification says.
 */
#ifndef HS_FINGERPRINT_H
#define HS_FINGERPRINT_H

#include "../core/field.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A ClientHello (p/n: the whole handshake message, header included): adds "ja3_string",
 * "ja3" and "ja4" to obj.  Returns false, adding nothing, when the message cannot be read
 * far enough (the fingerprints would be of something else). */
bool hs_fp_client_hello(struct hs_field *obj, const uint8_t *p, size_t n);
/* A ServerHello (or HelloRetryRequest): adds "ja3s_string", "ja3s" and "ja4s" to obj. */
bool hs_fp_server_hello(struct hs_field *obj, const uint8_t *p, size_t n);

#endif
