/* HTTP/1.x first lines and response heads, from bytes a peer sent (see httpline.h). */
#include "httpline.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEAD_MAX 65536 /* a response head longer than this is refused */
#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

/* The length of the line at p[0..n) without its LF or CRLF, or -1 when no LF comes within
 * max bytes. */
static long line_len(const uint8_t *p, size_t n, size_t max)
{
    const uint8_t *nl = memchr(p, '\n', n < max + 2 ? n : max + 2);
    if (nl == NULL)
        return -1;
    size_t k = (size_t)(nl - p);
    if (k > 0 && p[k - 1] == '\r')
        k--;
    return (long)k;
}

/* "HTTP/d.d" at p[0..n). */
static bool http_version(const uint8_t *p, size_t n)
{
    return n == 8 && memcmp(p, "HTTP/", 5) == 0 && p[5] >= '0' && p[5] <= '9' && p[6] == '.' &&
           p[7] >= '0' && p[7] <= '9';
}

/* A status line "HTTP/d.d NNN[ reason]" of k bytes; its code, or -1. */
static int status_line(const uint8_t *p, size_t k)
{
    if (k < 12 || !http_version(p, 8) || p[8] != ' ')
        return -1;
    int code = 0;
    for (size_t i = 9; i < 12; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        code = code * 10 + (p[i] - '0');
    }
    if (code < 100 || (k > 12 && p[12] != ' '))
        return -1;
    return code;
}

/* A request line "METHOD TARGET HTTP/d.d" of k bytes. */
static bool request_line(const uint8_t *p, size_t k)
{
    size_t m = 0;
    while (m < k && m < 24 && ((p[m] >= 'A' && p[m] <= 'Z') || p[m] == '-'))
        m++;
    if (m == 0 || m >= k || p[m] != ' ' || k < m + 11)
        return false;
    const uint8_t *sp = memchr(p + m + 1, ' ', k - m - 1);
    if (sp == NULL || sp == p + m + 1)
        return false;
    size_t rest = k - (size_t)(sp + 1 - p);
    return http_version(sp + 1, rest);
}

enum hs_http_line hs_http_first_line(const uint8_t *p, size_t n, size_t *len, int *status)
{
    *len = 0;
    if (p == NULL || n == 0)
        return HS_HTTP_NONE;
    if (n >= sizeof PREFACE - 1 && memcmp(p, PREFACE, sizeof PREFACE - 1) == 0) {
        *len = 14; /* "PRI * HTTP/2.0" */
        return HS_HTTP2_PREFACE;
    }
    long k = line_len(p, n, HS_HTTP_LINE_MAX);
    if (k < 0)
        return HS_HTTP_NONE;
    int code = status_line(p, (size_t)k);
    if (code > 0) {
        if (status)
            *status = code;
        *len = (size_t)k;
        return HS_HTTP_STATUS;
    }
    if (!request_line(p, (size_t)k))
        return HS_HTTP_NONE;
    *len = (size_t)k;
    return HS_HTTP_REQUEST;
}

/* Strips spaces and tabs around p[*a..*b). */
static void trim(const uint8_t *p, size_t *a, size_t *b)
{
    while (*a < *b && (p[*a] == ' ' || p[*a] == '\t'))
        (*a)++;
    while (*b > *a && (p[*b - 1] == ' ' || p[*b - 1] == '\t'))
        (*b)--;
}

/* One "name: value" line of k bytes: its meaning for the reader, and a row in out. */
static bool header_line(const uint8_t *p, size_t k, struct hs_http_head *h, struct hs_field *arr,
                        long long *dropped)
{
    const uint8_t *colon = memchr(p, ':', k);
    if (colon == NULL || colon == p)
        return false;
    size_t nlen = (size_t)(colon - p);
    size_t va = nlen + 1, vb = k;
    trim(p, &va, &vb);
    const char *v = (const char *)p + va;
    size_t vlen = vb - va;
    if (nlen == 14 && strncasecmp((const char *)p, "content-length", 14) == 0) {
        long long cl = 0;
        bool ok = vlen > 0 && vlen <= 15;
        for (size_t i = 0; ok && i < vlen; i++) {
            ok = v[i] >= '0' && v[i] <= '9';
            cl = cl * 10 + (v[i] - '0');
        }
        h->content_length = ok ? cl : -1;
    } else if (nlen == 17 && strncasecmp((const char *)p, "transfer-encoding", 17) == 0) {
        h->chunked = vlen >= 7 && strncasecmp(v + vlen - 7, "chunked", 7) == 0;
    }
    if (arr == NULL)
        return true;
    if (hs_f_count(arr) >= HS_HTTP_HEADERS_MAX) {
        (*dropped)++;
        return true;
    }
    struct hs_field *row = hs_f_obj(arr, NULL);
    hs_f_text(row, "name", p, nlen > 256 ? 256 : nlen);
    hs_f_text(row, "value", (const uint8_t *)v, vlen > HS_HTTP_VALUE_MAX ? HS_HTTP_VALUE_MAX : vlen);
    return true;
}

int hs_http_head_parse(const uint8_t *p, size_t n, struct hs_http_head *h, struct hs_field *out)
{
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    size_t k;
    int code = 0;
    enum hs_http_line kind = hs_http_first_line(p, n, &k, &code);
    if (kind == HS_HTTP_NONE) {
        /* The start of a status line whose end has not come yet: wait for it. */
        bool partial = line_len(p, n, HS_HTTP_LINE_MAX) < 0 && n <= HS_HTTP_LINE_MAX &&
                       memcmp(p, "HTTP/", n < 5 ? n : 5) == 0;
        return partial ? 0 : -1;
    }
    if (kind != HS_HTTP_STATUS)
        return -1;
    /* Find the empty line first: nothing is added to out for an incomplete head. */
    size_t at = 0, end = 0;
    for (;;) {
        long len = line_len(p + at, n - at, n - at);
        if (len < 0)
            return n > HEAD_MAX ? -1 : 0;
        size_t next = at + (size_t)len + 1 + (p[at + (size_t)len] == '\r');
        if (at > 0 && len == 0) {
            end = next;
            break;
        }
        at = next;
        if (at >= HEAD_MAX)
            return -1;
    }
    h->head_len = end;
    h->status = code;
    struct hs_field *arr = NULL;
    if (out) {
        hs_f_int(out, "status", code);
        hs_f_text(out, "status_line", p, k);
        arr = hs_f_arr(out, "headers");
    }
    long long dropped = 0;
    at = k + 1 + (p[k] == '\r');
    while (at < end) {
        long len = line_len(p + at, end - at, end - at);
        if (len <= 0)
            break;
        /* A line that is no header field is skipped, not trusted. */
        (void)header_line(p + at, (size_t)len, h, arr, &dropped);
        at += (size_t)len + 1 + (p[at + (size_t)len] == '\r');
    }
    if (out && dropped)
        hs_f_int(out, "headers_dropped", dropped);
    return 1;
}
