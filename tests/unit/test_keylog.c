/* Key log: NSS line parsing (good and bad), format -> parse round trip, lookup, files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tls/keylog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CR_HEX "cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7"
#define SECRET32 "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21"

static const uint8_t cr[32] = {0xcb, 0x34, 0xec, 0xb1, 0xe7, 0x81, 0x63, 0xba, 0x1c, 0x38, 0xc6,
                               0xda, 0xcb, 0x19, 0x6a, 0x6d, 0xff, 0xa2, 0x1a, 0x8d, 0x99, 0x12,
                               0xec, 0x18, 0xa2, 0xef, 0x62, 0x83, 0x02, 0x4d, 0xec, 0xe7};
static const uint8_t secret32[32] = {0xb3, 0xed, 0xdb, 0x12, 0x6e, 0x06, 0x7f, 0x35, 0xa7, 0x80, 0xb3,
                                     0xab, 0xf4, 0x5e, 0x2d, 0x8f, 0x3b, 0x1a, 0x95, 0x07, 0x38, 0xf5,
                                     0x2e, 0x96, 0x00, 0x74, 0x6a, 0x0e, 0x27, 0xa5, 0x5a, 0x21};

static int parse(struct hs_keylog *kl, const char *line)
{
    return hs_keylog_parse_line(kl, line, strlen(line));
}

static void test_good_lines(void **state)
{
    (void)state;
    struct hs_keylog *kl = hs_keylog_new();
    assert_int_equal(parse(kl, "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR_HEX " " SECRET32), HS_OK);
    /* CRLF, surrounding blanks, tabs, upper-case hex */
    assert_int_equal(parse(kl, "  SERVER_HANDSHAKE_TRAFFIC_SECRET\t" CR_HEX "  "
                               "B3EDDB126E067F35A780B3ABF45E2D8F3B1A950738F52E9600746A0E27A55A21 \r\n"),
                     HS_OK);
    /* 48-byte master secret */
    char line[400];
    snprintf(line, sizeof line, "CLIENT_RANDOM %s %s%s\n", CR_HEX, SECRET32,
             "00112233445566778899aabbccddeeff");
    assert_int_equal(parse(kl, line), HS_OK);
    /* comments, blank lines, unknown labels: ignored */
    assert_int_equal(parse(kl, "# SSL/TLS secrets log file"), HS_OK);
    assert_int_equal(parse(kl, "   # indented comment"), HS_OK);
    assert_int_equal(parse(kl, ""), HS_OK);
    assert_int_equal(parse(kl, " \t\r\n"), HS_OK);
    assert_int_equal(parse(kl, "RSA 0011223344556677 zz"), HS_OK);
    assert_int_equal(parse(kl, "CLIENT_TRAFFIC_SECRET_1 " CR_HEX " " SECRET32), HS_OK);

    size_t len = 0;
    const uint8_t *s = hs_keylog_find(kl, HS_SECRET_CLIENT_HANDSHAKE, cr, &len);
    assert_non_null(s);
    assert_int_equal(len, 32);
    assert_memory_equal(s, secret32, 32);
    s = hs_keylog_find(kl, HS_SECRET_SERVER_HANDSHAKE, cr, &len);
    assert_non_null(s);
    assert_memory_equal(s, secret32, 32);
    s = hs_keylog_find(kl, HS_SECRET_TLS12_MASTER, cr, &len);
    assert_non_null(s);
    assert_int_equal(len, 48);
    assert_int_equal(s[47], 0xff);
    assert_null(hs_keylog_find(kl, HS_SECRET_CLIENT_TRAFFIC_0, cr, &len));
    uint8_t other[32];
    memcpy(other, cr, 32);
    other[31] ^= 1;
    assert_null(hs_keylog_find(kl, HS_SECRET_CLIENT_HANDSHAKE, other, &len));
    hs_keylog_free(kl);
}

static void test_bad_lines(void **state)
{
    (void)state;
    struct hs_keylog *kl = hs_keylog_new();
    static const char *const bad[] = {
        "CLIENT_RANDOM",                                              /* fields missing */
        "CLIENT_RANDOM " CR_HEX,                                      /* secret missing */
        "CLIENT_RANDOM " CR_HEX " " SECRET32 " extra",               /* trailing field */
        "CLIENT_RANDOM " CR_HEX "00 " SECRET32,                      /* random 33 bytes */
        "CLIENT_RANDOM cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece " SECRET32,
        "CLIENT_RANDOM " CR_HEX " b3e",                              /* odd secret */
        "CLIENT_RANDOM " CR_HEX " zz",                               /* not hex */
        "CLIENT_RANDOM xb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7 " SECRET32,
        "EXPORTER_SECRET " CR_HEX " " SECRET32 SECRET32 "00",       /* 65-byte secret */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse(kl, bad[i]), HS_ERR_INVALID);
    /* a NUL inside the line */
    char withnul[] = "CLIENT_RANDOM " CR_HEX " " SECRET32;
    withnul[20] = '\0';
    assert_int_equal(hs_keylog_parse_line(kl, withnul, sizeof withnul - 1), HS_ERR_INVALID);
    /* the longest secret is fine */
    assert_int_equal(parse(kl, "EXPORTER_SECRET " CR_HEX " " SECRET32 SECRET32), HS_OK);
    /* labels are case-sensitive, as in NSS: an unknown label is ignored */
    assert_int_equal(parse(kl, "client_random " CR_HEX " " SECRET32), HS_OK);
    size_t len;
    assert_null(hs_keylog_find(kl, HS_SECRET_TLS12_MASTER, cr, &len));
    /* adds with bad lengths */
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_EXPORTER, cr, secret32, 0), HS_ERR_INVALID);
    uint8_t big[65] = {0};
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_EXPORTER, cr, big, 65), HS_ERR_INVALID);
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_COUNT, cr, secret32, 32), HS_ERR_INVALID);
    hs_keylog_free(kl);
}

static void test_format_roundtrip(void **state)
{
    (void)state;
    char out[2 * 32 + 2 * HS_SECRET_MAX + 40];
    for (int k = 0; k < HS_SECRET_COUNT; k++) {
        uint8_t secret[HS_SECRET_MAX];
        size_t len = (size_t)(k * 9 + 1); /* 1 .. 55 */
        for (size_t i = 0; i < len; i++)
            secret[i] = (uint8_t)(i * 31 + k);
        size_t n = hs_keylog_format((enum hs_secret)k, cr, secret, len, out, sizeof out);
        assert_true(n > 0);
        assert_int_equal(n, strlen(out));
        assert_int_equal(out[n - 1], '\n');
        assert_int_equal(strncmp(out, hs_secret_label((enum hs_secret)k),
                                 strlen(hs_secret_label((enum hs_secret)k))), 0);
        struct hs_keylog *kl = hs_keylog_new();
        assert_int_equal(hs_keylog_parse_line(kl, out, n), HS_OK);
        size_t got_len = 0;
        const uint8_t *got = hs_keylog_find(kl, (enum hs_secret)k, cr, &got_len);
        assert_non_null(got);
        assert_int_equal(got_len, len);
        assert_memory_equal(got, secret, len);
        hs_keylog_free(kl);
    }
    /* exact text for one line */
    size_t n = hs_keylog_format(HS_SECRET_CLIENT_HANDSHAKE, cr, secret32, 32, out, sizeof out);
    assert_string_equal(out, "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR_HEX " " SECRET32 "\n");
    /* too small: 0, exactly enough (text + NUL): n */
    assert_int_equal(hs_keylog_format(HS_SECRET_CLIENT_HANDSHAKE, cr, secret32, 32, out, n), 0);
    assert_int_equal(hs_keylog_format(HS_SECRET_CLIENT_HANDSHAKE, cr, secret32, 32, out, n + 1),
                     n);
    assert_int_equal(hs_keylog_format(HS_SECRET_CLIENT_HANDSHAKE, cr, secret32, 0, out,
                                      sizeof out), 0);
    assert_string_equal(hs_secret_plain(HS_SECRET_SERVER_HANDSHAKE),
                        "server handshake traffic secret");
}

static void test_replace_and_order(void **state)
{
    (void)state;
    struct hs_keylog *kl = hs_keylog_new();
    uint8_t r1[32], r2[32], s1[32], s2[32];
    memset(r1, 1, 32);
    memset(r2, 2, 32);
    memset(s1, 0x11, 32);
    memset(s2, 0x22, 32);
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_SERVER_TRAFFIC_0, r1, s1, 32), HS_OK);
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_CLIENT_TRAFFIC_0, r2, s1, 32), HS_OK);
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_SERVER_TRAFFIC_0, r1, s2, 16), HS_OK);

    size_t len;
    const uint8_t *s = hs_keylog_find(kl, HS_SECRET_SERVER_TRAFFIC_0, r1, &len);
    assert_non_null(s);
    assert_int_equal(len, 16);
    assert_memory_equal(s, s2, 16);

    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    assert_int_equal(hs_keylog_write(kl, f), HS_OK);
    fclose(f);
    /* two lines, the replaced one still first */
    assert_non_null(buf);
    assert_int_equal(strncmp(buf, "SERVER_TRAFFIC_SECRET_0 0101", 28), 0);
    const char *second = strchr(buf, '\n');
    assert_non_null(second);
    assert_int_equal(strncmp(second + 1, "CLIENT_TRAFFIC_SECRET_0 0202", 28), 0);
    assert_int_equal(strchr(second + 1, '\n')[1], '\0');

    /* and the text parses back into the same store */
    struct hs_keylog *back = hs_keylog_new();
    size_t bad = 0;
    assert_int_equal(hs_keylog_parse(back, buf, size, &bad, NULL), HS_OK);
    assert_int_equal(bad, 0);
    s = hs_keylog_find(back, HS_SECRET_CLIENT_TRAFFIC_0, r2, &len);
    assert_non_null(s);
    assert_memory_equal(s, s1, 32);
    free(buf);
    hs_keylog_free(back);
    hs_keylog_free(kl);
}

static void test_many_entries(void **state)
{
    (void)state;
    struct hs_keylog *kl = hs_keylog_new();
    uint8_t r[32] = {0}, s[32];
    for (uint32_t i = 0; i < HS_KEYLOG_MAX_ENTRIES; i++) {
        memcpy(r, &i, sizeof i);
        memset(s, (int)(i & 0xff), sizeof s);
        assert_int_equal(hs_keylog_add(kl, (enum hs_secret)(i % HS_SECRET_COUNT), r, s, 32),
                         HS_OK);
    }
    uint32_t i = HS_KEYLOG_MAX_ENTRIES;
    memcpy(r, &i, sizeof i);
    assert_int_equal(hs_keylog_add(kl, HS_SECRET_EXPORTER, r, s, 32), HS_ERR_LIMIT);
    /* replacing an existing one still works when full */
    i = 7;
    memcpy(r, &i, sizeof i);
    assert_int_equal(hs_keylog_add(kl, (enum hs_secret)(7 % HS_SECRET_COUNT), r, s, 32), HS_OK);
    for (i = 0; i < HS_KEYLOG_MAX_ENTRIES; i += 997) {
        memcpy(r, &i, sizeof i);
        size_t len;
        const uint8_t *got = hs_keylog_find(kl, (enum hs_secret)(i % HS_SECRET_COUNT), r, &len);
        assert_non_null(got);
        assert_int_equal(got[0], i == 7 ? s[0] : (uint8_t)i);
        assert_null(hs_keylog_find(kl, (enum hs_secret)((i + 1) % HS_SECRET_COUNT), r, &len));
    }
    hs_keylog_free(kl);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[] = "/tmp/hstrace-keylog-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("# comment\r\n", f);
    fputs("CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR_HEX " " SECRET32 "\r\n", f);
    fputs("CLIENT_RANDOM nothex " SECRET32 "\n", f);   /* bad */
    fputs("SERVER_HANDSHAKE_TRAFFIC_SECRET ", f);      /* too long: bad */
    for (int i = 0; i < 3000; i++)
        fputc('a', f);
    fputc('\n', f);
    fputs("\n", f);
    fputs("CLIENT_TRAFFIC_SECRET_0 " CR_HEX " " SECRET32, f); /* no final newline */
    fclose(f);

    struct hs_keylog *kl = hs_keylog_new();
    size_t bad = 0, len;
    char err[256];
    assert_int_equal(hs_keylog_load(kl, path, &bad, err, sizeof err), HS_OK);
    assert_int_equal(bad, 2);
    assert_non_null(hs_keylog_find(kl, HS_SECRET_CLIENT_HANDSHAKE, cr, &len));
    assert_non_null(hs_keylog_find(kl, HS_SECRET_CLIENT_TRAFFIC_0, cr, &len));
    assert_null(hs_keylog_find(kl, HS_SECRET_SERVER_HANDSHAKE, cr, &len));
    unlink(path);
    assert_int_equal(hs_keylog_load(kl, path, &bad, err, sizeof err), HS_ERR_IO);
    assert_non_null(strstr(err, "cannot open"));
    hs_keylog_free(kl);
}

/* Where a file is meant, a device or a FIFO is refused at once: /dev/zero never ends and a
 * FIFO with no writer blocks the open. */
static void test_load_not_regular(void **state)
{
    (void)state;
    char dir[] = "/tmp/hstrace-keylog-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo[64];
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct hs_keylog *kl = hs_keylog_new();
    size_t bad = 0;
    char err[256];
    assert_int_equal(hs_keylog_load(kl, fifo, &bad, err, sizeof err), HS_ERR_IO);
    assert_non_null(strstr(err, "not a regular file (a FIFO)"));
    assert_int_equal(hs_keylog_load(kl, "/dev/zero", &bad, err, sizeof err), HS_ERR_IO);
    assert_non_null(strstr(err, "not a regular file (a character device)"));
    assert_int_equal(hs_keylog_load(kl, dir, &bad, err, sizeof err), HS_ERR_IO);
    assert_int_equal(hs_keylog_count(kl), 0);
    hs_keylog_free(kl);
    unlink(fifo);
    rmdir(dir);
}

/* A key log larger than HS_KEYLOG_MAX_FILE: the secrets before the bound are used, reading
 * stops there and says so. */
static void test_load_size_bound(void **state)
{
    (void)state;
    char path[] = "/tmp/hstrace-keylog-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char line[] = "CLIENT_RANDOM " CR_HEX " " SECRET32 "\n";
    assert_int_equal(write(fd, line, sizeof line - 1), (ssize_t)(sizeof line - 1));
    /* The rest is a hole: zeros, no newline, past the bound (sparse, no disk used). */
    assert_int_equal(ftruncate(fd, (off_t)HS_KEYLOG_MAX_FILE + 4096), 0);
    close(fd);
    struct hs_keylog *kl = hs_keylog_new();
    size_t bad = 0, len;
    char err[256];
    assert_int_equal(hs_keylog_load(kl, path, &bad, err, sizeof err), HS_ERR_LIMIT);
    assert_non_null(strstr(err, "only its first 64 MiB are read"));
    assert_non_null(hs_keylog_find(kl, HS_SECRET_TLS12_MASTER, cr, &len));
    hs_keylog_free(kl);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_lines),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_format_roundtrip),
        cmocka_unit_test(test_replace_and_order),
        cmocka_unit_test(test_many_entries),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_not_regular),
        cmocka_unit_test(test_load_size_bound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
