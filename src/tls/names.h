/* Value-to-name tables from the IANA TLS registries (unknown values: NULL). */
#ifndef HS_NAMES_H
#define HS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

const char *hs_name_handshake(uint8_t type);     /* "ClientHello", ... */
const char *hs_name_content_type(uint8_t type);  /* "handshake", "alert", ... */
const char *hs_name_extension(uint16_t type);    /* "server_name", ... */
const char *hs_name_group(uint16_t group);       /* "x25519", "secp256r1", ... */
const char *hs_name_sigscheme(uint16_t scheme);  /* "ecdsa_secp256r1_sha256", ... */
const char *hs_name_alert(uint8_t desc);         /* "handshake_failure", ... */
const char *hs_alert_cause(uint8_t desc);        /* a plain sentence on the likely cause */
const char *hs_name_version(uint16_t v);         /* "TLS 1.2", "SSL 3.0", ... */
int hs_group_by_name(const char *name);          /* code point or -1 */
bool hs_is_grease(uint16_t v);                   /* RFC 8701 */

#endif
