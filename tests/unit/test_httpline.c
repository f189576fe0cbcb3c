/* HTTP/1.x first lines and response heads from untrusted bytes (tls/httpline.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/field.h"
#include "tls/httpline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum hs_http_line first(const char *s, size_t *len, int *status)
{
    return hs_http_first_line((const uint8_t *)s, strlen(s), len, status);
}

static void test_first_lines(void **state)
{
    (void)state;
    size_t len;
    int status = 0;
    assert_int_equal(first("GET /x HTTP/1.1\r\nHost: a\r\n\r\n", &len, &status), HS_HTTP_REQUEST);
    assert_int_equal(len, 15);
    assert_int_equal(first("HTTP/1.0 404 Not Found\r\n", &len, &status), HS_HTTP_STATUS);
    assert_int_equal(len, 22);
    assert_int_equal(status, 404);
    assert_int_equal(first("HTTP/1.1 204\n", &len, &status), HS_HTTP_STATUS);
    assert_int_equal(status, 204);
    assert_int_equal(first("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", &len, &status), HS_HTTP2_PREFACE);
    /* Not HTTP: no line end, a lower-case method, a bad version or code, binary. */
    assert_int_equal(first("GET / HTTP/1.1", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("get / HTTP/1.1\r\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("GET / HTTQ/1.1\r\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("GET  HTTP/1.1\r\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("HTTP/1.1 20x OK\r\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("HTTP/1.1 099 low\r\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("HTTP/1.1 2000\r\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(first("\x16\x03\x01\n", &len, &status), HS_HTTP_NONE);
    assert_int_equal(hs_http_first_line(NULL, 0, &len, &status), HS_HTTP_NONE);
}

static void test_head(void **state)
{
    (void)state;
    const char *resp = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\ncontent-length:  12 \r\n"
                       "X-Bad: \x1b[2J\r\nno colon here\r\n\r\nhello world!";
    struct hs_http_head h;
    struct hs_field *out = hs_field_new_object();
    /* Every prefix short of the empty line is incomplete, and adds nothing. */
    size_t head = strstr(resp, "\r\n\r\n") + 4 - resp;
    for (size_t n = 0; n < head; n++)
        assert_int_equal(hs_http_head_parse((const uint8_t *)resp, n, &h, out), 0);
    assert_null(out->child);
    assert_int_equal(hs_http_head_parse((const uint8_t *)resp, strlen(resp), &h, out), 1);
    assert_int_equal(h.head_len, head);
    assert_int_equal(h.status, 200);
    assert_int_equal(h.content_length, 12);
    assert_false(h.chunked);
    assert_string_equal(hs_f_get_str(out, "status_line"), "HTTP/1.1 200 OK");
    const struct hs_field *hd = hs_f_get(out, "headers");
    assert_int_equal(hs_f_count(hd), 3); /* the line without a colon is skipped */
    assert_string_equal(hs_f_get_str(hd->child->next, "value"), "12");
    assert_string_equal(hs_f_get_str(hd->child->next->next, "value"), "\\x1b[2J");
    hs_field_free(out);
}

static void test_head_limits(void **state)
{
    (void)state;
    struct hs_http_head h;
    /* Chunked, a huge Content-Length that is no number, many headers: bounded. */
    size_t cap = 200000, n = 0;
    char *buf = malloc(cap);
    n += (size_t)snprintf(buf + n, cap - n, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n"
                          "Content-Length: 99999999999999999999\r\n");
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(buf + n, cap - n, "X-%d: v\r\n", i);
    n += (size_t)snprintf(buf + n, cap - n, "\r\n");
    struct hs_field *out = hs_field_new_object();
    assert_int_equal(hs_http_head_parse((const uint8_t *)buf, n, &h, out), 1);
    assert_true(h.chunked);
    assert_int_equal(h.content_length, -1);
    assert_int_equal(hs_f_count(hs_f_get(out, "headers")), HS_HTTP_HEADERS_MAX);
    long long dropped = 0;
    assert_true(hs_f_get_int(out, "headers_dropped", &dropped));
    assert_int_equal(dropped, 102 - HS_HTTP_HEADERS_MAX);
    hs_field_free(out);
    /* A head that never ends is refused past its bound; not HTTP is refused at once. */
    memcpy(buf, "HTTP/1.1 200 OK\r\n", 17);
    memset(buf + 17, 'a', cap - 17);
    for (size_t i = 40; i < cap; i += 40)
        buf[i] = '\n';
    assert_int_equal(hs_http_head_parse((const uint8_t *)buf, cap, &h, NULL), -1);
    assert_int_equal(hs_http_head_parse((const uint8_t *)"SSH-2.0-x\r\n", 11, &h, NULL), -1);
    assert_int_equal(hs_http_head_parse((const uint8_t *)"HTT", 3, &h, NULL), 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_lines),
        cmocka_unit_test(test_head),
        cmocka_unit_test(test_head_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
