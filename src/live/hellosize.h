/* Whether the ClientHello that --ciphers, --groups, --alpn and the SNI make fits mbedTLS. */
#ifndef HS_HELLOSIZE_H
#define HS_HELLOSIZE_H

#include <stddef.h>
#include <stdint.h>

#define HS_HELLO_MAX 16384     /* mbedTLS's output buffer (MBEDTLS_SSL_OUT_CONTENT_LEN) */
#define HS_HELLO_FIXED 512     /* the rest of a ClientHello, with room to spare */
#define HS_HELLO_DEFAULT_GROUPS 16 /* bound on mbedTLS's default group list */
#define HS_HELLO_MAX_SHARE 1024    /* the largest key share (ffdhe8192) */

/*
 * An upper bound on the ClientHello's size in bytes: suites and groups are zero-terminated
 * lists (an empty one means mbedTLS's defaults), alpn a NULL-terminated list or NULL, sni_len
 * the server name's length (0 for none).
 */
size_t hs_hello_bound(const int *suites, const uint16_t *groups, const char *const *alpn,
                      size_t sni_len);

#endif
