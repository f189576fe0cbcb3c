/* Where TLS starts in a stream: at byte 0, after STARTTLS preambles, SSLv2 hellos, never in
 * plain text or random bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/tlsstart.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t client_hello[] = {0x16, 0x03, 0x01, 0x00, 0x30, 0x01, 0x00, 0x00, 0x2c};
static const uint8_t server_hello[] = {0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c};

/* Feeds text then bytes in chunks of `chunk`; returns the state and checks that the TLS stream
 * handed back (hold + rest of the chunk) begins with `bytes`. */
static enum hs_tlsstart_state run(enum hs_side side, bool midstream, const char *text,
                                  const uint8_t *bytes, size_t nbytes, size_t chunk,
                                  struct hs_tlsstart *st)
{
    size_t nt = strlen(text);
    size_t n = nt + nbytes;
    uint8_t *all = malloc(n + 1);
    memcpy(all, text, nt);
    if (nbytes)
        memcpy(all + nt, bytes, nbytes);
    hs_tlsstart_init(st, side, midstream);
    uint8_t out[64];
    size_t nout = 0;
    enum hs_tlsstart_state r = HS_TLSSTART_MORE;
    for (size_t off = 0; off < n && r == HS_TLSSTART_MORE; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        size_t used;
        r = hs_tlsstart_feed(st, all + off, k, &used);
        if (r == HS_TLSSTART_FOUND) {
            memcpy(out, st->hold, st->nhold);
            nout = st->nhold;
            size_t rest = k - used < sizeof out - nout ? k - used : sizeof out - nout;
            memcpy(out + nout, all + off + used, rest);
            nout += rest;
            /* The rest of the stream, after this chunk. */
            size_t tail = n - off - k;
            tail = tail < sizeof out - nout ? tail : sizeof out - nout;
            memcpy(out + nout, all + off + k, tail);
            nout += tail;
        }
    }
    if (r == HS_TLSSTART_MORE) {
        hs_tlsstart_end(st);
        r = st->state;
    }
    if (r == HS_TLSSTART_FOUND) {
        assert_true(nout >= nbytes);
        assert_memory_equal(out, bytes, nbytes);
        assert_int_equal(st->tls_offset, nt);
    }
    free(all);
    return r;
}

static void test_tls_at_zero(void **state)
{
    (void)state;
    struct hs_tlsstart st;
    for (size_t chunk = 1; chunk <= 9; chunk++) {
        assert_int_equal(run(HS_CLIENT, false, "", client_hello, sizeof client_hello, chunk, &st),
                         HS_TLSSTART_FOUND);
        assert_int_equal(st.hs_type, 0); /* only the header is looked at for byte 0 */
        assert_false(st.preamble);
    }
    assert_int_equal(run(HS_SERVER, false, "", server_hello, sizeof server_hello, 4, &st),
                     HS_TLSSTART_FOUND);
    /* An alert as the first thing the server says is TLS too. */
    static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
    assert_int_equal(run(HS_SERVER, false, "", alert, sizeof alert, 7, &st), HS_TLSSTART_FOUND);
    assert_int_equal(st.content_type, 21);
    /* A bad version or a zero length is not. */
    static const uint8_t bad[] = {0x16, 0x05, 0x01, 0x00, 0x30, 0x01};
    assert_int_equal(run(HS_CLIENT, false, "", bad, sizeof bad, 6, &st), HS_TLSSTART_NONE);
}

static void test_sslv2_hello(void **state)
{
    (void)state;
    struct hs_tlsstart st;
    /* RFC 5246 E.2: length 0x802e, msg_type 1, version 3.1 */
    static const uint8_t v2[] = {0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10};
    assert_int_equal(run(HS_CLIENT, false, "", v2, sizeof v2, 3, &st), HS_TLSSTART_FOUND);
    assert_true(st.sslv2);
    assert_int_equal(st.hs_type, 1);
    /* From the server it is not a hello. */
    assert_int_equal(run(HS_SERVER, false, "", v2, sizeof v2, 3, &st), HS_TLSSTART_NONE);
}

struct preamble {
    const char *client, *server, *proto;
};

static void test_starttls(void **state)
{
    (void)state;
    static const struct preamble cases[] = {
        {"EHLO me\r\nSTARTTLS\r\n", "220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 2.0.0 Ready\r\n",
         "SMTP"},
        {"a001 CAPABILITY\r\na002 STARTTLS\r\n",
         "* OK IMAP4rev1 ready\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\na002 OK Begin TLS\r\n",
         "IMAP"},
        {"CAPA\r\nSTLS\r\n", "+OK POP3 ready\r\n+OK\r\nSTLS\r\n.\r\n+OK Begin TLS\r\n", "POP3"},
        {"AUTH TLS\r\n", "220 FTP ready\r\n234 AUTH TLS successful\r\n", "FTP"},
        {"<?xml version='1.0'?><stream:stream to='x'><starttls xmlns='urn:ietf:params:xml:ns:"
         "xmpp-tls'/>",
         "<?xml version='1.0'?><stream:stream from='x'><stream:features><starttls/>"
         "</stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
         "XMPP"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (size_t chunk = 1; chunk <= 13; chunk += 6) {
            struct hs_tlsstart c, s;
            assert_int_equal(run(HS_CLIENT, false, cases[i].client, client_hello,
                                 sizeof client_hello, chunk, &c),
                             HS_TLSSTART_FOUND);
            assert_true(c.preamble);
            assert_int_equal(c.hs_type, 1);
            assert_int_equal(run(HS_SERVER, false, cases[i].server, server_hello,
                                 sizeof server_hello, chunk, &s),
                             HS_TLSSTART_FOUND);
            assert_int_equal(s.hs_type, 2);
            const char *p = hs_starttls_protocol(c.keywords, s.keywords);
            assert_non_null(p);
            assert_string_equal(p, cases[i].proto);
        }
    }
}

static void test_no_tls(void **state)
{
    (void)state;
    struct hs_tlsstart st;
    /* Plain HTTP: text, no hello at any line start. */
    assert_int_equal(run(HS_CLIENT, false, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 0, 7, &st),
                     HS_TLSSTART_NONE);
    /* A 0x16 at a line start that is not a ClientHello header. */
    static const uint8_t not_hello[] = {0x16, 0x03, 0x01, 0x00, 0x30, 0x02, 'x', '\n'};
    assert_int_equal(run(HS_CLIENT, false, "HELLO\n", not_hello, sizeof not_hello, 3, &st),
                     HS_TLSSTART_NONE);
    /* A hello header inside a line (not after a line end) does not count. */
    assert_int_equal(run(HS_CLIENT, false, "abc", client_hello, sizeof client_hello, 4, &st),
                     HS_TLSSTART_NONE);
    /* Random binary bytes: no TLS (and no mid-stream record found in them). */
    uint8_t rnd[4096];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof rnd; i++) {
        x = x * 1103515245u + 12345u;
        rnd[i] = (uint8_t)(x >> 16);
    }
    rnd[0] = 0x9a; /* not a TLS type, not text, not SSLv2 with a valid type */
    assert_int_equal(run(HS_CLIENT, false, "", rnd, sizeof rnd, 1500, &st), HS_TLSSTART_NONE);
    assert_int_equal(run(HS_SERVER, true, "", rnd, sizeof rnd, 1500, &st), HS_TLSSTART_NONE);
    /* Endless text gives up at the bound. */
    char *big = malloc(HS_TLSSTART_MAX_PREAMBLE + 100);
    memset(big, 'a', HS_TLSSTART_MAX_PREAMBLE + 99);
    big[HS_TLSSTART_MAX_PREAMBLE + 99] = '\0';
    assert_int_equal(run(HS_CLIENT, false, big, client_hello, sizeof client_hello, 4096, &st),
                     HS_TLSSTART_NONE);
    free(big);
}

static void test_midstream(void **state)
{
    (void)state;
    struct hs_tlsstart st;
    /* The capture began inside a record: the next whole records are found in the chunk. */
    uint8_t buf[3 + 5 + 20 + 5 + 10];
    memset(buf, 0xee, sizeof buf);
    uint8_t *r1 = buf + 3;
    r1[0] = 23, r1[1] = 3, r1[2] = 3, r1[3] = 0, r1[4] = 20;
    uint8_t *r2 = r1 + 25;
    r2[0] = 23, r2[1] = 3, r2[2] = 3, r2[3] = 0, r2[4] = 10;
    hs_tlsstart_init(&st, HS_SERVER, true);
    size_t used;
    assert_int_equal(hs_tlsstart_feed(&st, buf, sizeof buf, &used), HS_TLSSTART_FOUND);
    assert_int_equal(st.tls_offset, 3);
    assert_int_equal(st.nhold, 5);
    assert_memory_equal(st.hold, r1, 5);
    assert_int_equal(used, 8);
}

/* Mid-stream, a heartbeat record (content type 24) is a record boundary like the others. */
static void test_midstream_heartbeat(void **state)
{
    (void)state;
    struct hs_tlsstart st;
    static const uint8_t buf[] = {0xee, 0xee, 0xee, 24, 3, 3, 0, 3, 1, 0, 0, 21, 3, 3, 0, 2, 1, 0};
    hs_tlsstart_init(&st, HS_SERVER, true);
    size_t used;
    assert_int_equal(hs_tlsstart_feed(&st, buf, sizeof buf, &used), HS_TLSSTART_FOUND);
    assert_int_equal(st.tls_offset, 3);
    assert_int_equal(st.content_type, 24);
    assert_int_equal(used, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tls_at_zero),
        cmocka_unit_test(test_sslv2_hello),
        cmocka_unit_test(test_starttls),
        cmocka_unit_test(test_no_tls),
        cmocka_unit_test(test_midstream),
        cmocka_unit_test(test_midstream_heartbeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
