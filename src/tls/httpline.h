/*
 * HTTP/1.x as it is carried in TLS application data: the first line of a message (a request
 * or a status line, or the HTTP/2 connection preface), for the decoder's summaries, and a
 * response head (status line and header fields), for --http.  Peer bytes, so every length is
 * bounded and every text escaped.
 */
#ifndef HS_TLS_HTTPLINE_H
#define HS_TLS_HTTPLINE_H

#include "../core/field.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_HTTP_LINE_MAX 8192     /* a first line longer than this is not taken as HTTP */
#define HS_HTTP_HEADERS_MAX 64    /* header fields kept in a response's summary */
#define HS_HTTP_VALUE_MAX 512     /* bytes of a header value kept (the rest is cut) */

enum hs_http_line { HS_HTTP_NONE, HS_HTTP_REQUEST, HS_HTTP_STATUS, HS_HTTP2_PREFACE };

/* What p[0..n) starts with: a request line ("GET / HTTP/1.1"), a status line ("HTTP/1.1 200
 * OK", *status set) or the HTTP/2 preface, ended by LF (or CRLF); *len is the line's length
 * without its end.  HS_HTTP_NONE when it starts with anything else. */
enum hs_http_line hs_http_first_line(const uint8_t *p, size_t n, size_t *len, int *status);

/* A response head once it is complete. */
struct hs_http_head {
    size_t head_len;          /* bytes up to and including the empty line */
    int status;               /* 100..999 */
    long long content_length; /* -1: none given (or not a number) */
    bool chunked;             /* Transfer-Encoding ends in chunked */
};

/* Parses the response head at p[0..n): 1 when complete (h filled; when out is not NULL, its
 * "status", "status_line", "headers" [{name, value}] and "headers_dropped" are added), 0 when
 * more bytes are needed, -1 when it is no HTTP/1.x response (or its head is too long). */
int hs_http_head_parse(const uint8_t *p, size_t n, struct hs_http_head *h, struct hs_field *out);

#endif
