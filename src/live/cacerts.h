/*
 * Trust anchors read cheaply (cacerts.c): the same certificates and return values as
 * mbedtls_x509_crt_parse, _parse_file and _parse_path, without mbedTLS's constant-time base64
 * for PEM blocks that are plain base64 (public certificates hold no secret).
 */
#ifndef HS_LIVE_CACERTS_H
#define HS_LIVE_CACERTS_H

#include <mbedtls/x509_crt.h>
#include <stddef.h>

/* As mbedtls_x509_crt_parse: buf is DER, or PEM with its terminating NUL counted. */
int hs_ca_parse(mbedtls_x509_crt *chain, const unsigned char *buf, size_t buflen);
/* As mbedtls_x509_crt_parse_file. */
int hs_ca_parse_file(mbedtls_x509_crt *chain, const char *path);
/* As mbedtls_x509_crt_parse_path: every regular file of the directory. */
int hs_ca_parse_path(mbedtls_x509_crt *chain, const char *path);

#endif
