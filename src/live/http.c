/*
 * --http: one HTTP/1.1 GET after the handshake, through the same connection (so its records
 * become ladder rows like any other), and what came back: the status line, the header
 * fields and the time to the first byte, into trace->http.  The response is a peer's bytes:
 * read up to HTTP_MAX bytes and until --timeout, parsed with bounds (tls/httpline.h).
 */
#include "client_internal.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "../tls/httpline.h"

#include <mbedtls/error.h>
#include <mbedtls/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_MAX (256u * 1024u) /* response bytes read at most */
#define INTERIM_MAX 8           /* 1xx responses skipped before the final one, at most */

/* The Host header: the name the certificate was checked against, with the port unless 443. */
static char *host_header(const struct live *l)
{
    const struct hs_trace *t = l->trace;
    const char *name = t->sni ? t->sni : l->verify.host ? l->verify.host : t->host;
    bool v6 = strchr(name, ':') != NULL;
    if (t->port == 443)
        return hs_xasprintf(v6 ? "[%s]" : "%s", name);
    return hs_xasprintf(v6 ? "[%s]:%u" : "%s:%u", name, t->port);
}

/* Whether the response is over: its head and the body its head announced. */
static bool complete(const uint8_t *p, size_t n, const struct hs_http_head *h)
{
    if (h->status < 200 || h->status == 204 || h->status == 304)
        return h->status >= 200; /* no body; a 1xx is followed by the real response */
    size_t body = n - h->head_len;
    if (h->content_length >= 0)
        return body >= (unsigned long long)h->content_length;
    if (h->chunked) /* the last chunk: "0" CRLF, then an empty line (no trailers) */
        return body >= 5 && memcmp(p + n - 5, "0\r\n\r\n", 5) == 0;
    return false; /* read until the server closes */
}

/* Writes the whole request; false on error (said in the http object). */
static bool send_request(struct live *l, mbedtls_ssl_context *ssl, const char *req)
{
    size_t len = strlen(req), done = 0;
    while (done < len) {
        int r = mbedtls_ssl_write(ssl, (const unsigned char *)req + done, len - done);
        if (r == MBEDTLS_ERR_SSL_WANT_WRITE || r == MBEDTLS_ERR_SSL_WANT_READ ||
            r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
            continue;
        if (r < 0) {
            char msg[120];
            mbedtls_strerror(r, msg, sizeof msg);
            hs_f_fmt(l->trace->http, "error", "the request could not be sent: %s%s", msg,
                     l->timed_out ? " (timed out)" : "");
            return false;
        }
        done += (size_t)r;
    }
    return true;
}

/* What reading stopped on, in the http object. */
static void read_end(struct live *l, int r, size_t n, bool head_done)
{
    struct hs_field *h = l->trace->http;
    if (r == MBEDTLS_ERR_SSL_TIMEOUT || l->timed_out) {
        hs_f_fmt(h, "error", "%s within %g s", n == 0 ? "no response" : "the response did not end",
                 l->o->timeout_s);
    } else if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF) {
        if (n == 0)
            hs_f_str(h, "error", "the server closed the connection without a response");
        else if (!head_done)
            hs_f_str(h, "error", "the server closed the connection inside the response head");
    } else if (r < 0) {
        char msg[120];
        mbedtls_strerror(r, msg, sizeof msg);
        hs_f_fmt(h, "error", "reading the response failed: %s", msg);
    }
}

/* The keys every http object has: status and headers (null and [] without a response), and
 * error (null when none). */
static void finish(struct hs_field *h)
{
    if (hs_f_get(h, "status") == NULL) {
        hs_f_null(h, "status");
        hs_f_arr(h, "headers");
    }
    if (hs_f_get(h, "error") == NULL)
        hs_f_null(h, "error");
}

void live_http_stage(struct live *l, mbedtls_ssl_context *ssl)
{
    struct hs_trace *t = l->trace;
    t->http = hs_field_new_object();
    char *host = host_header(l);
    char *req = hs_xasprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: hstrace/%s\r\n"
                             "Accept: */*\r\nConnection: close\r\n\r\n",
                             l->o->http_path, host, HS_VERSION);
    free(host);
    hs_f_text(t->http, "request", (const uint8_t *)req, strcspn(req, "\r"));
    const char *alpn = mbedtls_ssl_get_alpn_protocol(ssl);
    l->deadline = hs_wall_s() + l->o->timeout_s;
    if (alpn && strcmp(alpn, "http/1.1") != 0) {
        hs_f_fmt(t->http, "error", "ALPN chose %s: --http speaks HTTP/1.1 only, no request "
                 "was sent", alpn);
        free(req);
        finish(t->http);
        return;
    }
    bool sent = send_request(l, ssl, req);
    free(req);
    if (!sent) {
        finish(t->http);
        return;
    }
    double sent_ms = live_now_ms(l);
    uint8_t *buf = hs_xmalloc(HTTP_MAX);
    size_t n = 0, base = 0; /* base: where the final response starts, after any 1xx */
    long long interim = 0;
    struct hs_http_head head;
    int parsed = 0, r = 0;
    while (n < HTTP_MAX) {
        r = mbedtls_ssl_read(ssl, buf + n, HTTP_MAX - n);
        if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET || r == MBEDTLS_ERR_SSL_WANT_READ ||
            r == MBEDTLS_ERR_SSL_WANT_WRITE)
            continue;
        if (r <= 0)
            break;
        if (n == 0)
            t->http_ttfb_ms = live_now_ms(l) - sent_ms;
        n += (size_t)r;
        if (parsed == 0)
            parsed = hs_http_head_parse(buf + base, n - base, &head, NULL);
        /* Interim responses (100 Continue, 103 Early Hints) come before the final one. */
        while (parsed > 0 && head.status < 200 && interim < INTERIM_MAX) {
            base += head.head_len;
            interim++;
            parsed = hs_http_head_parse(buf + base, n - base, &head, NULL);
        }
        if (parsed < 0 || (parsed > 0 && complete(buf + base, n - base, &head)))
            break;
    }
    read_end(l, r, n, parsed > 0);
    size_t k;
    if (parsed > 0)
        (void)hs_http_head_parse(buf + base, n - base, &head, t->http);
    else if (parsed < 0)
        hs_f_str(t->http, "error", hs_http_first_line(buf + base, n - base, &k, NULL) ==
                                           HS_HTTP_STATUS
                                       ? "the response head is longer than 64 KiB"
                                       : "the response is not HTTP/1.x");
    if (interim)
        hs_f_int(t->http, "interim", interim);
    hs_f_int(t->http, "bytes", (long long)n);
    if (n == HTTP_MAX)
        hs_f_bool(t->http, "truncated", true);
    free(buf);
    finish(t->http);
    l->timed_out = false; /* the handshake's verdict stands; the http object says the rest */
}
