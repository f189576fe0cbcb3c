/*
 * Trust anchors read cheaply.  mbedTLS decodes PEM with a constant-time base64 decoder (made
 * for private keys), which is most of a trace's CPU for a system bundle of ~150 public
 * certificates.  Here a PEM block whose body is plain base64 (lines of the alphabet, "=" only
 * at its end, a multiple of 4 digits) is decoded with an ordinary table and its DER given to
 * mbedtls_x509_crt_parse_der; any other block goes to mbedtls_x509_crt_parse as it is, so the
 * certificates loaded and the values returned are those of mbedTLS.
 */
#include "cacerts.h"

#include "../core/mem.h"

#include <dirent.h>
#include <errno.h>
#include <mbedtls/pem.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEADER "-----BEGIN CERTIFICATE-----"
#define FOOTER "-----END CERTIFICATE-----"
#define PATH_MAX_LEN 512 /* as MBEDTLS_X509_MAX_FILE_PATH_LEN */
#define FILE_MAX (64u * 1024u * 1024u)

/* The value of a base64 digit, -1 for anything else. */
static int digit(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Decodes p..end (lines ending in LF or CRLF) into out (room for 3/4 of the length); the
 * number of bytes, or -1 when the text is not plain base64 (mbedTLS then decides).
 */
static long decode_plain(const unsigned char *p, const unsigned char *end, unsigned char *out)
{
    size_t ndig = 0, pad = 0, n = 0;
    uint32_t acc = 0;
    for (; p < end; p++) {
        if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
            continue;
        if (*p == '=') {
            if (++pad > 2)
                return -1;
        } else {
            int v = digit(*p);
            if (v < 0 || pad != 0)
                return -1;
            acc = acc << 6 | (uint32_t)v;
        }
        if (*p == '=')
            acc <<= 6;
        if (++ndig % 4 == 0) {
            out[n++] = (unsigned char)(acc >> 16);
            out[n++] = (unsigned char)(acc >> 8);
            out[n++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (ndig == 0 || ndig % 4 != 0)
        return -1;
    return (long)(n - pad);
}

/* The block at data as mbedtls_pem_read_buffer finds it: false when there is none (the
 * parse ends); else its body and how far it reaches. */
static bool find_block(const unsigned char *data, const unsigned char **body,
                       const unsigned char **body_end, size_t *use_len)
{
    const char *s1 = strstr((const char *)data, HEADER);
    const char *s2 = strstr((const char *)data, FOOTER);
    if (s1 == NULL || s2 == NULL || s2 <= s1)
        return false;
    s1 += strlen(HEADER);
    if (*s1 == ' ')
        s1++;
    if (*s1 == '\r')
        s1++;
    if (*s1 != '\n')
        return false;
    s1++;
    const char *end = s2 + strlen(FOOTER);
    if (*end == ' ')
        end++;
    if (*end == '\r')
        end++;
    if (*end == '\n')
        end++;
    *body = (const unsigned char *)s1;
    *body_end = (const unsigned char *)s2;
    *use_len = (size_t)(end - (const char *)data);
    return true;
}

/* One block: decoded here when plain, else by mbedTLS from a copy of the block alone. */
static int parse_block(mbedtls_x509_crt *chain, const unsigned char *data, size_t use_len,
                       const unsigned char *body, const unsigned char *body_end)
{
    if (body < body_end) {
        unsigned char *der = hs_xmalloc((size_t)(body_end - body) / 4 * 3 + 3);
        long n = decode_plain(body, body_end, der);
        if (n > 0) {
            int r = mbedtls_x509_crt_parse_der(chain, der, (size_t)n);
            free(der);
            return r;
        }
        free(der);
    }
    unsigned char *copy = hs_xmalloc(use_len + 1);
    memcpy(copy, data, use_len);
    copy[use_len] = '\0';
    int r = mbedtls_x509_crt_parse(chain, copy, use_len + 1);
    free(copy);
    return r;
}

int hs_ca_parse(mbedtls_x509_crt *chain, const unsigned char *buf, size_t buflen)
{
    if (chain == NULL || buf == NULL || buflen == 0 || buf[buflen - 1] != '\0' ||
        strstr((const char *)buf, HEADER) == NULL)
        return mbedtls_x509_crt_parse(chain, buf, buflen); /* DER, or mbedTLS's answer */
    int success = 0, first_error = 0, failed = 0;
    while (buflen > 1) {
        const unsigned char *body, *body_end;
        size_t use_len;
        if (!find_block(buf, &body, &body_end, &use_len))
            break;
        int r = parse_block(chain, buf, use_len, body, body_end);
        buflen -= use_len;
        buf += use_len;
        if (r == MBEDTLS_ERR_X509_ALLOC_FAILED)
            return r;
        if (r != 0) {
            if (first_error == 0)
                first_error = r;
            failed++;
            continue;
        }
        success = 1;
    }
    if (success)
        return failed;
    return first_error ? first_error : MBEDTLS_ERR_X509_CERT_UNKNOWN_FORMAT;
}

int hs_ca_parse_file(mbedtls_x509_crt *chain, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return MBEDTLS_ERR_X509_FILE_IO_ERROR;
    size_t cap = 64 * 1024, n = 0;
    unsigned char *buf = hs_xmalloc(cap);
    for (;;) {
        if (cap - n < 2) {
            if (cap >= FILE_MAX) {
                fclose(f);
                free(buf);
                return MBEDTLS_ERR_X509_FILE_IO_ERROR;
            }
            cap *= 2;
            buf = hs_xrealloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        free(buf);
        return MBEDTLS_ERR_X509_FILE_IO_ERROR;
    }
    buf[n] = '\0';
    /* As mbedTLS reads a file: PEM is parsed with its NUL, DER without. */
    if (strstr((const char *)buf, "-----BEGIN ") != NULL)
        n++;
    int r = hs_ca_parse(chain, buf, n);
    free(buf);
    return r;
}

int hs_ca_parse_path(mbedtls_x509_crt *chain, const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL)
        return MBEDTLS_ERR_X509_FILE_IO_ERROR;
    int ret = 0;
    struct dirent *e;
    /* readdir on a stream of this call's own is thread-safe (readdir_r is deprecated). */
    while ((e = readdir(dir)) != NULL) { // cppcheck-suppress readdirCalled
        char name[PATH_MAX_LEN];
        int w = snprintf(name, sizeof name, "%s/%s", path, e->d_name);
        if (w < 0 || (size_t)w >= sizeof name) {
            ret = MBEDTLS_ERR_X509_BUFFER_TOO_SMALL;
            break;
        }
        struct stat sb;
        if (stat(name, &sb) == -1) {
            if (errno == ENOENT)
                continue; /* a broken symbolic link */
            ret = MBEDTLS_ERR_X509_FILE_IO_ERROR;
            break;
        }
        if (!S_ISREG(sb.st_mode))
            continue;
        int r = hs_ca_parse_file(chain, name);
        ret += r < 0 ? 1 : r; /* a file that does not parse is counted, not fatal */
    }
    closedir(dir);
    return ret;
}
