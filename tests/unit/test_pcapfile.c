/*
 * Capture files: write -> read round trips in pcap and pcapng (with a Decryption Secrets
 * Block), hand-written big-endian and nanosecond pcap, pcapng with two sections of different
 * byte order and timestamp resolutions, every truncation of small files, corrupt lengths and
 * garbage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/packet.h"
#include "capture/pcapread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/hs-pcapfile.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
    static char p[4][128]; /* a few at once, for calls with two paths */
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *b = malloc(1 << 20);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* ---- a byte builder in either order ---- */

struct bb {
    uint8_t b[8192];
    size_t n;
    bool big;
};

static void b8(struct bb *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void b16(struct bb *b, unsigned v)
{
    if (b->big) {
        b8(b, v >> 8);
        b8(b, v);
    } else {
        b8(b, v);
        b8(b, v >> 8);
    }
}
static void b32(struct bb *b, uint32_t v)
{
    if (b->big) {
        b16(b, v >> 16);
        b16(b, v & 0xffff);
    } else {
        b16(b, v & 0xffff);
        b16(b, v >> 16);
    }
}
static void bbytes(struct bb *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
    while (b->n % 4)
        b8(b, 0);
}

/* A pcapng block: type, length, body (padded), length. */
static void block(struct bb *b, uint32_t type, const struct bb *body)
{
    uint32_t len = (uint32_t)(12 + body->n);
    b32(b, type);
    b32(b, len);
    memcpy(b->b + b->n, body->b, body->n);
    b->n += body->n;
    b32(b, len);
}

static void shb(struct bb *b)
{
    struct bb body = {.n = 0, .big = b->big};
    b32(&body, 0x1A2B3C4D);
    b16(&body, 1);
    b16(&body, 0);
    b32(&body, 0xffffffff);
    b32(&body, 0xffffffff);
    block(b, 0x0A0D0D0A, &body);
}

/* An IDB, with if_tsresol when tsresol >= 0. */
static void idb(struct bb *b, unsigned linktype, uint32_t snaplen, int tsresol)
{
    struct bb body = {.n = 0, .big = b->big};
    b16(&body, linktype);
    b16(&body, 0);
    b32(&body, snaplen);
    b16(&body, 2); /* if_name, to be skipped */
    b16(&body, 3);
    bbytes(&body, "lo0", 3);
    if (tsresol >= 0) {
        b16(&body, 9);
        b16(&body, 1);
        uint8_t v = (uint8_t)tsresol;
        bbytes(&body, &v, 1);
    }
    b32(&body, 0);
    block(b, 1, &body);
}

static void epb(struct bb *b, uint32_t ifid, uint64_t ticks, const void *data, uint32_t caplen,
                uint32_t origlen)
{
    struct bb body = {.n = 0, .big = b->big};
    b32(&body, ifid);
    b32(&body, (uint32_t)(ticks >> 32));
    b32(&body, (uint32_t)ticks);
    b32(&body, caplen);
    b32(&body, origlen);
    bbytes(&body, data, caplen);
    block(b, 6, &body);
}

/* ---- reading helpers ---- */

struct got {
    int n;
    double ts[16];
    int linktype[16];
    uint32_t caplen[16], origlen[16];
    uint8_t first[16];
    int end;             /* the last return: 0 or an error */
    char err[256];
    char secrets[1024];
    int secrets_at[4];   /* frames read when each secrets text was taken */
    int nsecrets;
};

static void read_file(const char *path, struct got *g)
{
    memset(g, 0, sizeof *g);
    char err[256];
    struct hs_pcap_reader *r = hs_pcap_open(path, err, sizeof err);
    if (r == NULL)
        print_error("open %s: %s\n", path, err);
    assert_non_null(r);
    struct hs_frame f;
    int rc;
    for (;;) {
        rc = hs_pcap_next(r, &f);
        size_t n;
        const char *s = hs_pcap_take_secrets(r, &n);
        if (s) {
            assert_true(strlen(g->secrets) + n < sizeof g->secrets);
            strncat(g->secrets, s, n);
            if (g->nsecrets < 4)
                g->secrets_at[g->nsecrets++] = g->n + (rc == 1);
            assert_null(hs_pcap_take_secrets(r, &n));
        }
        if (rc != 1)
            break;
        assert_int_equal(f.number, (uint64_t)g->n + 1);
        if (g->n < 16) {
            g->ts[g->n] = f.ts;
            g->linktype[g->n] = f.linktype;
            g->caplen[g->n] = f.caplen;
            g->origlen[g->n] = f.origlen;
            g->first[g->n] = f.caplen ? f.data[0] : 0;
        }
        g->n++;
    }
    g->end = rc;
    if (rc < 0) {
        snprintf(g->err, sizeof g->err, "%s", hs_pcap_error(r));
        assert_int_equal(hs_pcap_next(r, &f), rc); /* the error stays */
    } else {
        assert_null(hs_pcap_error(r));
        assert_int_equal(hs_pcap_next(r, &f), 0);
    }
    hs_pcap_close(r);
}

/* ---- tests ---- */

static const char KEYLOG[] =
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET 0102 0304\nSERVER_HANDSHAKE_TRAFFIC_SECRET 0102 05\n";

static void write_sample(const char *path, bool ng, bool secrets)
{
    char err[256];
    struct hs_pcap_writer *w = hs_pcap_create(path, ng, false, 1, 65535, err, sizeof err);
    assert_non_null(w);
    if (secrets)
        assert_int_equal(hs_pcap_write_secrets(w, KEYLOG, sizeof KEYLOG - 1), HS_OK);
    uint8_t frame[100];
    for (int i = 0; i < 3; i++) {
        memset(frame, 'a' + i, sizeof frame);
        assert_int_equal(hs_pcap_write(w, 1700000000.25 + i * 0.000123, frame,
                                       (uint32_t)(10 + i * 7), (uint32_t)(10 + i * 7 + i)),
                         HS_OK);
    }
    assert_int_equal(hs_pcap_finish(w), HS_OK);
}

static void check_sample(const struct got *g)
{
    assert_int_equal(g->end, 0);
    assert_int_equal(g->n, 3);
    for (int i = 0; i < 3; i++) {
        assert_true(g->ts[i] > 1700000000.25 + i * 0.000123 - 1e-6);
        assert_true(g->ts[i] < 1700000000.25 + i * 0.000123 + 1e-6);
        assert_int_equal(g->linktype[i], 1);
        assert_int_equal(g->caplen[i], 10 + i * 7);
        assert_int_equal(g->origlen[i], 10 + i * 7 + i);
        assert_int_equal(g->first[i], 'a' + i);
    }
}

static void test_round_trip(void **state)
{
    (void)state;
    struct got g;
    write_sample(path_of("a.pcap"), false, false);
    read_file(path_of("a.pcap"), &g);
    check_sample(&g);
    assert_int_equal(g.nsecrets, 0);

    write_sample(path_of("a.pcapng"), true, true);
    read_file(path_of("a.pcapng"), &g);
    check_sample(&g);
    assert_int_equal(g.nsecrets, 1);
    assert_int_equal(g.secrets_at[0], 1); /* there with the first frame */
    assert_string_equal(g.secrets, KEYLOG);

    char err[256];
    struct hs_pcap_reader *r = hs_pcap_open(path_of("a.pcapng"), err, sizeof err);
    assert_true(hs_pcap_is_pcapng(r));
    hs_pcap_close(r);
    r = hs_pcap_open(path_of("a.pcap"), err, sizeof err);
    assert_false(hs_pcap_is_pcapng(r));
    hs_pcap_close(r);

    /* secrets are for pcapng only */
    struct hs_pcap_writer *w = hs_pcap_create(path_of("b.pcap"), false, false, 1, 100, err, sizeof err);
    assert_int_equal(hs_pcap_write_secrets(w, "x\n", 2), HS_ERR_UNSUPPORTED);
    assert_int_equal(hs_pcap_finish(w), HS_OK);
}

static void test_writer_refuses(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(hs_pcap_create(path_of("no/such/dir.pcap"), false, false, 1, 100, err, sizeof err));
    assert_non_null(strstr(err, "cannot create"));
    /* never through a symlink */
    assert_int_equal(symlink(path_of("target"), path_of("link.pcap")), 0);
    err[0] = '\0';
    assert_null(hs_pcap_create(path_of("link.pcap"), false, false, 1, 100, err, sizeof err));
    assert_true(err[0] != '\0');
    assert_int_equal(access(path_of("target"), F_OK), -1);
}

static void test_pcap_by_hand(void **state)
{
    (void)state;
    /* big-endian, microseconds, FCS bits in the link type field */
    struct bb b = {.n = 0, .big = true};
    b32(&b, 0xa1b2c3d4);
    b16(&b, 2);
    b16(&b, 4);
    b32(&b, 0);
    b32(&b, 0);
    b32(&b, 64); /* snaplen 64, yet a record of 100: tolerated */
    b32(&b, 0x14000000u | 1);
    b32(&b, 1000);
    b32(&b, 999999);
    b32(&b, 100);
    b32(&b, 1500);
    for (int i = 0; i < 100; i++)
        b8(&b, 0x42);
    write_bytes(path_of("be.pcap"), b.b, b.n);
    struct got g;
    read_file(path_of("be.pcap"), &g);
    assert_int_equal(g.end, 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.linktype[0], 1);
    assert_int_equal(g.caplen[0], 100);
    assert_int_equal(g.origlen[0], 1500);
    assert_true(g.ts[0] > 1000.999998 && g.ts[0] < 1001.0);

    /* little-endian, nanoseconds */
    struct bb n = {.n = 0, .big = false};
    b32(&n, 0xa1b23c4d);
    b16(&n, 2);
    b16(&n, 4);
    b32(&n, 0);
    b32(&n, 0);
    b32(&n, 65535);
    b32(&n, 101);
    for (int i = 0; i < 2; i++) {
        b32(&n, 5);
        b32(&n, 123456789u + (uint32_t)i);
        b32(&n, 4);
        b32(&n, 4);
        b32(&n, 0x45454545);
    }
    write_bytes(path_of("ns.pcap"), n.b, n.n);
    read_file(path_of("ns.pcap"), &g);
    assert_int_equal(g.end, 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.linktype[1], 101);
    assert_true(g.ts[0] > 5.1234567885 && g.ts[0] < 5.1234567895);

    /* a record over the frame limit */
    b32(&n, 5);
    b32(&n, 0);
    b32(&n, HS_PCAP_MAX_FRAME + 1);
    b32(&n, HS_PCAP_MAX_FRAME + 1);
    write_bytes(path_of("big.pcap"), n.b, n.n);
    read_file(path_of("big.pcap"), &g);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.end, HS_ERR_LIMIT);
    assert_non_null(strstr(g.err, "frame 3"));

    /* an unknown version */
    n.b[4] = 3;
    write_bytes(path_of("v3.pcap"), n.b, n.n);
    char err[256];
    assert_null(hs_pcap_open(path_of("v3.pcap"), err, sizeof err));
    assert_non_null(strstr(err, "version"));
}

static void test_pcapng_sections(void **state)
{
    (void)state;
    uint8_t data[64];
    memset(data, 0x99, sizeof data);
    struct bb b = {.n = 0, .big = false};
    shb(&b);
    idb(&b, 1, 0, -1); /* microseconds by default */
    epb(&b, 0, 1500000000ull * 1000000 + 250000, data, 60, 60);
    /* a name resolution block and a custom block: skipped */
    struct bb skip = {.n = 0};
    b32(&skip, 0);
    block(&b, 4, &skip);
    block(&b, 0x00000BAD, &skip);
    /* a DSB of another secrets type: ignored; then a TLS key log */
    struct bb dsb = {.n = 0, .big = false};
    b32(&dsb, 0x57474b4c); /* WireGuard */
    b32(&dsb, 3);
    bbytes(&dsb, "abc", 3);
    block(&b, 0x0A, &dsb);
    dsb.n = 0;
    b32(&dsb, 0x544c534b);
    b32(&dsb, 6);
    bbytes(&dsb, "first\n", 6);
    block(&b, 0x0A, &dsb);

    /* a second section, big-endian, with its own interfaces */
    b.big = true;
    shb(&b);
    idb(&b, 101, 20, 0x80 | 10); /* 2^-10 s ticks, snaplen 20 */
    idb(&b, 229, 0, 3);          /* milliseconds */
    epb(&b, 1, 12345, data, 40, 40);
    epb(&b, 0, 2048 + 512, data, 16, 16);
    /* a simple packet block: interface 0, cut to its snaplen */
    struct bb spb = {.n = 0, .big = true};
    b32(&spb, 30);
    bbytes(&spb, data, 20);
    block(&b, 3, &spb);
    /* an obsolete packet block on interface 1 */
    struct bb opb = {.n = 0, .big = true};
    b16(&opb, 1);
    b16(&opb, 0);
    b32(&opb, 0);
    b32(&opb, 7000);
    b32(&opb, 8);
    b32(&opb, 9);
    bbytes(&opb, data, 8);
    block(&b, 2, &opb);
    dsb.n = 0;
    dsb.big = true;
    b32(&dsb, 0x544c534b);
    b32(&dsb, 7);
    bbytes(&dsb, "second\n", 7);
    block(&b, 0x0A, &dsb);
    write_bytes(path_of("two.pcapng"), b.b, b.n);

    struct got g;
    read_file(path_of("two.pcapng"), &g);
    assert_int_equal(g.end, 0);
    assert_int_equal(g.n, 5);
    assert_true(g.ts[0] > 1500000000.249999 && g.ts[0] < 1500000000.250001);
    assert_int_equal(g.linktype[0], 1);
    assert_int_equal(g.linktype[1], 229);
    assert_true(g.ts[1] > 12.3449 && g.ts[1] < 12.3451);
    assert_int_equal(g.linktype[2], 101);
    assert_true(g.ts[2] == 2.5);
    assert_int_equal(g.caplen[3], 20); /* SPB: min(original 30, snaplen 20) */
    assert_int_equal(g.origlen[3], 30);
    assert_true(g.ts[3] == 2.5);       /* an SPB has no time: the last one */
    assert_int_equal(g.linktype[4], 229);
    assert_true(g.ts[4] > 6.9999 && g.ts[4] < 7.0001);
    assert_int_equal(g.caplen[4], 8);
    assert_string_equal(g.secrets, "first\nsecond\n");
    assert_int_equal(g.nsecrets, 2);
    assert_int_equal(g.secrets_at[0], 2); /* came before frame 2 */
    assert_int_equal(g.secrets_at[1], 5); /* after the last frame: taken at the end */

    /* a packet on an interface the section did not describe */
    struct bb c = {.n = 0, .big = false};
    shb(&c);
    idb(&c, 1, 0, -1);
    epb(&c, 0, 1, data, 4, 4);
    epb(&c, 1, 1, data, 4, 4);
    write_bytes(path_of("noif.pcapng"), c.b, c.n);
    read_file(path_of("noif.pcapng"), &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.end, HS_ERR_INVALID);
    assert_non_null(strstr(g.err, "interface 1"));
}

/* Corrupt lengths in an otherwise good pcapng file. */
static void test_pcapng_corrupt(void **state)
{
    (void)state;
    uint8_t data[8] = {0};
    struct bb b = {.n = 0, .big = false};
    shb(&b);
    idb(&b, 1, 0, -1);
    size_t at = b.n;
    epb(&b, 0, 1, data, 8, 8); /* 40 bytes */
    struct got g;
    struct bb x;
    static const struct { size_t off; uint32_t v; const char *why; } cases[] = {
        {4, 41, "length 41"},            /* not a multiple of 4 */
        {4, 8, "length 8"},              /* below 12 */
        {4, HS_PCAP_MAX_BLOCK + 4, "length"},
        {36, 44, "trailing"},            /* trailing length differs */
        {20, 100, "exceeds"},            /* captured length past the block */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        x = b;
        x.n = at;
        memcpy(x.b + at, b.b + at, 40);
        x.n += 40;
        uint32_t v = cases[i].v;
        memcpy(x.b + at + cases[i].off, &v, 4); /* little-endian host assumed, as the file */
        write_bytes(path_of("bad.pcapng"), x.b, x.n);
        read_file(path_of("bad.pcapng"), &g);
        assert_int_equal(g.n, 0);
        assert_true(g.end < 0);
        if (strstr(g.err, cases[i].why) == NULL)
            print_error("case %zu: %s\n", i, g.err);
        assert_non_null(strstr(g.err, cases[i].why));
    }
    /* a bad byte-order magic in a later section */
    x = b;
    shb(&x);
    x.b[x.n - 20] = 0x77;
    write_bytes(path_of("bom.pcapng"), x.b, x.n);
    read_file(path_of("bom.pcapng"), &g);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.end, HS_ERR_INVALID);
}

/* Every prefix of a file: never a crash, the good frames, then the truncation where it is. */
static void truncations(const char *name, bool ng)
{
    write_sample(path_of(name), ng, ng);
    size_t n;
    uint8_t *full = read_all(path_of(name), &n);
    /* the reader opens after the file header (pcap) or the first section header (pcapng) */
    uint32_t hdr = 24;
    if (ng)
        memcpy(&hdr, full + 4, 4); /* the SHB length, written in host order */
    for (size_t cut = 0; cut < n; cut++) {
        write_bytes(path_of("cut"), full, cut);
        char err[256];
        struct hs_pcap_reader *r = hs_pcap_open(path_of("cut"), err, sizeof err);
        assert_int_equal(r == NULL, cut < hdr);
        if (r == NULL) {
            assert_true(err[0] != '\0');
            continue;
        }
        struct hs_frame f;
        int rc, frames = 0;
        while ((rc = hs_pcap_next(r, &f)) == 1) {
            assert_int_equal(f.caplen, 10 + frames * 7);
            frames++;
        }
        if (rc < 0) {
            char want[64];
            snprintf(want, sizeof want, "truncated at byte %zu in frame %d", cut, frames + 1);
            if (strcmp(hs_pcap_error(r), want) != 0)
                print_error("cut %zu: '%s', wanted '%s'\n", cut, hs_pcap_error(r), want);
            assert_string_equal(hs_pcap_error(r), want);
            assert_int_equal(rc, HS_ERR_TRUNCATED);
        } else {
            assert_int_equal(rc, 0); /* cut exactly at a record boundary */
        }
        hs_pcap_close(r);
    }
    free(full);
}

static void test_truncated(void **state)
{
    (void)state;
    truncations("t.pcap", false);
    truncations("t.pcapng", true);
}

static void test_garbage(void **state)
{
    (void)state;
    char err[256];
    assert_null(hs_pcap_open(path_of("missing"), err, sizeof err));
    assert_non_null(strstr(err, "cannot open"));
    write_bytes(path_of("empty"), (const uint8_t *)"", 0);
    assert_null(hs_pcap_open(path_of("empty"), err, sizeof err));
    assert_non_null(strstr(err, "empty"));
    write_bytes(path_of("gz"), (const uint8_t *)"\x1f\x8b\x08\x00rest", 8);
    assert_null(hs_pcap_open(path_of("gz"), err, sizeof err));
    assert_non_null(strstr(err, "gzip"));
    write_bytes(path_of("text"), (const uint8_t *)"hello world\n", 12);
    assert_null(hs_pcap_open(path_of("text"), err, sizeof err));
    assert_non_null(strstr(err, "not a pcap"));

    /* random bytes after a valid header, many times: never a crash, always an end */
    srand(12345);
    uint8_t buf[4096];
    for (int round = 0; round < 300; round++) {
        struct bb b = {.n = 0, .big = round % 2};
        size_t len;
        if (round % 3 == 0) {
            b32(&b, 0xa1b2c3d4);
            b16(&b, 2);
            b16(&b, 4);
            b32(&b, 0);
            b32(&b, 0);
            b32(&b, 65535);
            b32(&b, 1);
        } else {
            shb(&b);
            if (round % 3 == 1)
                idb(&b, 1, 0, rand() % 256);
        }
        memcpy(buf, b.b, b.n);
        len = b.n + (size_t)(rand() % 2000);
        for (size_t i = b.n; i < len; i++)
            buf[i] = (uint8_t)rand();
        /* plausible block lengths now and then, so the parsers are reached */
        if (round % 3 != 0 && len > b.n + 8) {
            uint32_t type = (uint32_t)(rand() % 8), blen = (uint32_t)((len - b.n) & ~3u);
            memcpy(buf + b.n, &type, 4);
            memcpy(buf + b.n + 4, &blen, 4);
            if (blen >= 12 && b.n + blen <= len)
                memcpy(buf + b.n + blen - 4, &blen, 4);
        }
        write_bytes(path_of("rnd"), buf, len);
        struct hs_pcap_reader *r = hs_pcap_open(path_of("rnd"), err, sizeof err);
        if (r == NULL)
            continue;
        struct hs_frame f;
        int rc, k = 0;
        while ((rc = hs_pcap_next(r, &f)) == 1 && k < 10000) {
            assert_true(f.caplen <= HS_PCAP_MAX_FRAME);
            k++;
        }
        assert_true(rc <= 0);
        if (rc < 0)
            assert_non_null(hs_pcap_error(r));
        size_t n;
        (void)hs_pcap_take_secrets(r, &n);
        hs_pcap_close(r);
    }
}

/*
 * `test_pcapfile --count FILE...`: for the integration script that compares with tshark, one
 * line per file: "frames N tcp N udp N secrets N" then "error: ..." if the file ended badly.
 */
/* `test_pcapfile --segments FILE`: "frame sport dport seq payload_wire flags" per TCP frame. */
static int list_segments(const char *path)
{
    char err[256];
    struct hs_pcap_reader *r = hs_pcap_open(path, err, sizeof err);
    if (r == NULL) {
        printf("error: %s\n", err);
        return 1;
    }
    struct hs_frame f;
    int rc;
    while ((rc = hs_pcap_next(r, &f)) == 1) {
        struct hs_tcp_seg s = {0};
        if (hs_packet_parse(f.linktype, f.data, f.caplen, f.origlen, &s) == HS_PKT_TCP)
            printf("%llu %u %u %u %u 0x%04x\n", (unsigned long long)f.number, s.sport, s.dport,
                   s.seq, s.payload_wire, s.flags);
    }
    hs_pcap_close(r);
    return rc < 0;
}

static int count_files(int argc, char **argv)
{
    int bad = 0;
    for (int i = 2; i < argc; i++) {
        char err[256];
        struct hs_pcap_reader *r = hs_pcap_open(argv[i], err, sizeof err);
        if (r == NULL) {
            printf("%s: error: %s\n", argv[i], err);
            bad = 1;
            continue;
        }
        unsigned long long frames = 0, tcp = 0, udp = 0, secrets = 0;
        struct hs_frame f;
        int rc;
        while ((rc = hs_pcap_next(r, &f)) == 1) {
            frames++;
            struct hs_tcp_seg s = {0};
            enum hs_packet_status st = hs_packet_parse(f.linktype, f.data, f.caplen, f.origlen, &s);
            tcp += st == HS_PKT_TCP;
            udp += st == HS_PKT_UDP;
            size_t n;
            if (hs_pcap_take_secrets(r, &n))
                secrets += n;
        }
        size_t n;
        if (hs_pcap_take_secrets(r, &n))
            secrets += n;
        printf("%s: frames %llu tcp %llu udp %llu secrets %llu\n", argv[i], frames, tcp, udp,
               secrets);
        if (rc < 0) {
            printf("%s: error: %s\n", argv[i], hs_pcap_error(r));
            bad = 1;
        }
        hs_pcap_close(r);
    }
    return bad;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--count") == 0)
        return count_files(argc, argv);
    if (argc == 3 && strcmp(argv[1], "--segments") == 0)
        return list_segments(argv[2]);

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),     cmocka_unit_test(test_writer_refuses),
        cmocka_unit_test(test_pcap_by_hand),   cmocka_unit_test(test_pcapng_sections),
        cmocka_unit_test(test_pcapng_corrupt), cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
