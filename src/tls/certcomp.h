/* RFC 8879 CompressedCertificate: decompression of its body into the Certificate message. */
#ifndef HS_CERTCOMP_H
#define HS_CERTCOMP_H

#include <stddef.h>
#include <stdint.h>

enum { HS_CERTCOMP_ZLIB = 1, HS_CERTCOMP_BROTLI = 2, HS_CERTCOMP_ZSTD = 3 };

enum hs_certcomp_result {
    HS_CERTCOMP_OK,
    HS_CERTCOMP_UNKNOWN, /* an algorithm hstrace does not know */
    HS_CERTCOMP_LENGTH,  /* the data decompresses to more or less than announced */
    HS_CERTCOMP_CORRUPT,
};

/* "zlib", "brotli", "zstd", or NULL. */
const char *hs_certcomp_name(uint16_t alg);
/* Decompresses in/n into out, which holds exactly want bytes (the announced length, already
 * bounded by the caller); OK only when the data fills it exactly. */
enum hs_certcomp_result hs_certcomp_decompress(uint16_t alg, const uint8_t *in, size_t n,
                                               uint8_t *out, size_t want);
const char *hs_certcomp_result_text(enum hs_certcomp_result r);

#endif
