/* A server that speaks only versions older than TLS 1.2, which mbedTLS 3.6 cannot complete. */
#ifndef HS_OLDTLS_H
#define HS_OLDTLS_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * When the handshake failed because the server speaks only SSL 3.0, TLS 1.0 or 1.1 (its
 * ServerHello picked one, or it refused the client's TLS 1.2 and 1.3 with a protocol_version
 * alert), writes the reason line into out and returns true.  first_version is the header
 * version of the server's first record (0: none), which may name the version it speaks.
 */
bool hs_old_tls_reason(const struct hs_trace *t, uint16_t first_version, char *out, size_t n);

#endif
