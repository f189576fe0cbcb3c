/*
 * A bound on the size of the ClientHello mbedTLS will write, computed before connecting: a
 * hello larger than mbedTLS's output buffer fails every handshake ("A buffer is too small"),
 * so such a combination of options is a usage error instead.
 */
#include "hellosize.h"

#include <mbedtls/ssl.h>
#include <string.h>

/* The key share mbedTLS would send for a group (its first one, or the one a
 * HelloRetryRequest asks for): finite-field groups send the whole modulus. */
static size_t share_len(uint16_t group)
{
    switch (group) {
    case 256: return 256;   /* ffdhe2048 */
    case 257: return 384;   /* ffdhe3072 */
    case 258: return 512;   /* ffdhe4096 */
    case 259: return 768;   /* ffdhe6144 */
    case 260: return 1024;  /* ffdhe8192 */
    default: return 133;    /* an uncompressed secp521r1 point is the largest curve share */
    }
}

size_t hs_hello_bound(const int *suites, const uint16_t *groups, const char *const *alpn,
                      size_t sni_len)
{
    size_t n = 0;
    if (suites[0] == 0)
        suites = mbedtls_ssl_list_ciphersuites();
    while (suites[n] != 0)
        n++;
    size_t total = HS_HELLO_FIXED + 2 * (n + 1); /* + the renegotiation SCSV */

    size_t share = 0;
    if (groups[0] == 0) {
        total += 2 * HS_HELLO_DEFAULT_GROUPS;
        share = HS_HELLO_MAX_SHARE;
    } else {
        for (n = 0; groups[n] != 0; n++) {
            size_t len = share_len(groups[n]);
            if (len > share)
                share = len;
        }
        total += 2 * n;
    }
    total += share;

    if (sni_len > 0)
        total += 9 + sni_len;
    if (alpn != NULL && alpn[0] != NULL) {
        total += 6;
        for (n = 0; alpn[n] != NULL; n++)
            total += 1 + strlen(alpn[n]);
    }
    return total;
}
