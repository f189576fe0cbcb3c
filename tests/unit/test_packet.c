/*
 * Frame parsing: every link type, VLAN stacks, IPv4 options and fragments, IPv6 extension
 * headers, TCP options, UDP, bogus lengths, and every truncation of each frame (in a buffer of
 * exactly the captured size, so the sanitizer build catches any read past it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/packet.h"

#include <stdlib.h>
#include <string.h>

#include "bytebuf.h"

/* ---- frame builders ---- */

static void set16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static const uint8_t PAYLOAD[] = "\x16\x03\x01\x00\x05hello";
#define PAYLOAD_LEN (sizeof PAYLOAD - 1)

/* A TCP SYN+ACK... header with MSS, SACK-permitted, timestamps, NOP, window scale (40 bytes),
 * then the payload. */
static void tcp(struct buf *b, bool options, const uint8_t *data, size_t n)
{
    put16(b, 50000);
    put16(b, 443);
    put32(b, 0x01020304);
    put32(b, 0x0a0b0c0d);
    put8(b, (options ? 10 : 5) << 4);
    put8(b, 0x18); /* PSH ACK */
    put16(b, 512);
    put16(b, 0); /* checksum */
    put16(b, 0);
    if (options) {
        static const uint8_t opt[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 7,
                                      0, 0, 0, 9, 1, 3, 3, 7};
        put(b, opt, sizeof opt);
    }
    put(b, data, n);
}

static size_t l4_ip4(struct buf *b, const struct buf *l4, uint8_t proto, size_t optlen)
{
    size_t start = b->n;
    put8(b, 0x40 | (uint8_t)(5 + optlen / 4));
    put8(b, 0);
    put16(b, (unsigned)(20 + optlen + l4->n));
    put16(b, 1);
    put16(b, 0x4000); /* DF only: not a fragment */
    put8(b, 64);
    put8(b, proto);
    put16(b, 0);
    put32(b, 0xc0000201); /* 192.0.2.1 */
    put32(b, 0xc6336402); /* 198.51.100.2 */
    for (size_t i = 0; i < optlen; i++)
        put8(b, 1); /* NOP options */
    put(b, l4->b, l4->n);
    return start;
}

static void ip6_header(struct buf *b, uint8_t next, size_t plen)
{
    put32(b, 0x60000000);
    put16(b, (unsigned)plen);
    put8(b, next);
    put8(b, 64);
    static const uint8_t src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
    put(b, src, 16);
    put(b, dst, 16);
}

/* The standard TCP test segment. */
static struct buf tcp_seg(void)
{
    struct buf t = {.n = 0};
    tcp(&t, true, PAYLOAD, PAYLOAD_LEN);
    return t;
}

static struct buf ip4_tcp(void)
{
    struct buf t = tcp_seg(), b = {.n = 0};
    l4_ip4(&b, &t, 6, 0);
    return b;
}

static struct buf ip6_tcp(void)
{
    struct buf t = tcp_seg(), b = {.n = 0};
    ip6_header(&b, 6, t.n);
    put(&b, t.b, t.n);
    return b;
}

static struct buf ether(const struct buf *ip, const unsigned *tags, size_t ntags, unsigned type)
{
    struct buf b = {.n = 0};
    static const uint8_t macs[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    put(&b, macs, 12);
    for (size_t i = 0; i < ntags; i++) {
        put16(&b, tags[i]);
        put16(&b, (unsigned)(100 + i)); /* VLAN id */
    }
    put16(&b, type);
    put(&b, ip->b, ip->n);
    return b;
}

/* ---- checks ---- */

/* Parses from a heap copy of exactly caplen bytes. */
static enum hs_packet_status parse(int lt, const struct buf *f, size_t caplen, size_t origlen,
                                   struct hs_tcp_seg *s)
{
    uint8_t *copy = malloc(caplen ? caplen : 1);
    if (caplen)
        memcpy(copy, f->b, caplen);
    s->ts = 1.5;
    s->frame = 7;
    enum hs_packet_status st = hs_packet_parse(lt, copy, caplen, origlen, s);
    if (st == HS_PKT_TCP || st == HS_PKT_UDP)
        s->data = s->payload ? (const uint8_t *)f->b + (s->data - copy) : NULL;
    free(copy);
    return st;
}

static void expect_tcp(int lt, const struct buf *f, int family)
{
    struct hs_tcp_seg s;
    assert_int_equal(parse(lt, f, f->n, f->n, &s), HS_PKT_TCP);
    assert_true(s.ts == 1.5);
    assert_int_equal(s.frame, 7);
    assert_int_equal(s.src.family, family);
    assert_int_equal(s.sport, 50000);
    assert_int_equal(s.dport, 443);
    assert_int_equal(s.seq, 0x01020304);
    assert_int_equal(s.ack, 0x0a0b0c0d);
    assert_int_equal(s.flags, HS_TCP_PSH | HS_TCP_ACK);
    assert_int_equal(s.window, 512);
    assert_int_equal(s.mss, 1460);
    assert_int_equal(s.wscale, 7);
    assert_true(s.sack_permitted);
    assert_true(s.has_ts);
    assert_int_equal(s.tsval, 7);
    assert_int_equal(s.tsecr, 9);
    assert_int_equal(s.payload, PAYLOAD_LEN);
    assert_int_equal(s.payload_wire, PAYLOAD_LEN);
    assert_int_equal(s.seg_len, 40 + PAYLOAD_LEN);
    assert_memory_equal(s.data, PAYLOAD, PAYLOAD_LEN);
    char buf[64];
    hs_ip_port_str(&s.src, s.sport, buf, sizeof buf);
    assert_string_equal(buf, family == 4 ? "192.0.2.1:50000" : "[2001:db8::1]:50000");

    /*
     * Every truncation: cut by a snaplen (origlen intact) it is TRUNCATED or TCP with less
     * payload; a frame that really is that short (origlen too) is INVALID or short TCP.
     */
    size_t full_hdr = f->n - PAYLOAD_LEN;
    for (size_t cut = 0; cut < f->n; cut++) {
        enum hs_packet_status st = parse(lt, f, cut, f->n, &s);
        if (cut >= full_hdr) {
            assert_int_equal(st, HS_PKT_TCP);
            assert_int_equal(s.payload, cut - full_hdr);
            assert_int_equal(s.payload_wire, PAYLOAD_LEN);
        } else if (st != HS_PKT_TRUNCATED) {
            print_error("link %d cut at %zu of %zu: status %d\n", lt, cut, f->n, st);
            fail();
        }
        st = parse(lt, f, cut, cut, &s);
        assert_true(st == HS_PKT_INVALID || st == HS_PKT_OTHER);
    }
}

static void test_ethernet(void **state)
{
    (void)state;
    struct buf ip = ip4_tcp(), ip6 = ip6_tcp();
    struct buf f = ether(&ip, NULL, 0, 0x0800);
    expect_tcp(HS_LINK_ETHERNET, &f, 4);
    f = ether(&ip6, NULL, 0, 0x86dd);
    expect_tcp(HS_LINK_ETHERNET, &f, 6);
    /* Padding after the datagram (short frames are padded to 60 bytes) is not payload. */
    struct buf t = {.n = 0}, p = {.n = 0};
    tcp(&t, false, NULL, 0);
    l4_ip4(&p, &t, 6, 0);
    f = ether(&p, NULL, 0, 0x0800);
    memset(f.b + f.n, 0xee, 20);
    f.n += 20;
    struct hs_tcp_seg s;
    assert_int_equal(parse(HS_LINK_ETHERNET, &f, f.n, f.n + 4, &s), HS_PKT_TCP);
    assert_int_equal(s.payload, 0);
    assert_int_equal(s.payload_wire, 0);
    assert_int_equal(s.mss, -1);
    assert_int_equal(s.wscale, -1);
    assert_false(s.has_ts);
    /* ARP, and an 802.3 length field */
    f = ether(&ip, NULL, 0, 0x0806);
    assert_int_equal(parse(HS_LINK_ETHERNET, &f, f.n, f.n, &s), HS_PKT_OTHER);
    f = ether(&ip, NULL, 0, 0x0040);
    assert_int_equal(parse(HS_LINK_ETHERNET, &f, f.n, f.n, &s), HS_PKT_OTHER);
    /* The link type says IPv4, the header says 6 */
    f = ether(&ip6, NULL, 0, 0x0800);
    assert_int_equal(parse(HS_LINK_ETHERNET, &f, f.n, f.n, &s), HS_PKT_INVALID);
}

static void test_vlan(void **state)
{
    (void)state;
    struct buf ip = ip4_tcp(), ip6 = ip6_tcp();
    static const unsigned one[] = {0x8100};
    static const unsigned qinq[] = {0x88a8, 0x8100};
    static const unsigned old[] = {0x9100, 0x8100, 0x8100};
    struct buf f = ether(&ip, one, 1, 0x0800);
    expect_tcp(HS_LINK_ETHERNET, &f, 4);
    f = ether(&ip6, qinq, 2, 0x86dd);
    expect_tcp(HS_LINK_ETHERNET, &f, 6);
    f = ether(&ip, old, 3, 0x0800);
    expect_tcp(HS_LINK_ETHERNET, &f, 4);
}

static void test_cooked(void **state)
{
    (void)state;
    struct buf ip = ip4_tcp(), ip6 = ip6_tcp();
    for (int v = 0; v < 2; v++) {
        const struct buf *x = v ? &ip6 : &ip;
        unsigned type = v ? 0x86dd : 0x0800;
        struct buf f = {.n = 0};
        put16(&f, 0);     /* packet type: to us */
        put16(&f, 1);     /* ARPHRD_ETHER */
        put16(&f, 6);
        put32(&f, 0x01020304);
        put32(&f, 0x05060000);
        put16(&f, type);
        put(&f, x->b, x->n);
        expect_tcp(HS_LINK_LINUX_SLL, &f, v ? 6 : 4);

        struct buf g = {.n = 0};
        put16(&g, type);
        put16(&g, 0);     /* reserved */
        put32(&g, 2);     /* interface index */
        put16(&g, 1);     /* ARPHRD_ETHER */
        put8(&g, 4);      /* outgoing */
        put8(&g, 6);
        put32(&g, 0x01020304);
        put32(&g, 0x05060000);
        put(&g, x->b, x->n);
        expect_tcp(HS_LINK_LINUX_SLL2, &g, v ? 6 : 4);
    }
}

static void test_raw_and_loopback(void **state)
{
    (void)state;
    struct buf ip = ip4_tcp(), ip6 = ip6_tcp();
    static const int raws[] = {HS_LINK_RAW, 12, 14};
    for (size_t i = 0; i < 3; i++) {
        expect_tcp(raws[i], &ip, 4);
        expect_tcp(raws[i], &ip6, 6);
    }
    expect_tcp(HS_LINK_IPV4, &ip, 4);
    expect_tcp(HS_LINK_IPV6, &ip6, 6);
    struct hs_tcp_seg s;
    assert_int_equal(parse(HS_LINK_IPV4, &ip6, ip6.n, ip6.n, &s), HS_PKT_INVALID);
    assert_int_equal(parse(HS_LINK_IPV6, &ip, ip.n, ip.n, &s), HS_PKT_INVALID);
    struct buf junk = {.b = {0x10, 0, 0, 0}, .n = 4};
    assert_int_equal(parse(HS_LINK_RAW, &junk, junk.n, junk.n, &s), HS_PKT_INVALID);

    /* BSD loopback: the family in either byte order; LOOP: network order only. */
    static const uint32_t afs[] = {2, 24, 28, 30};
    for (size_t i = 0; i < 4; i++) {
        const struct buf *x = afs[i] == 2 ? &ip : &ip6;
        for (int be = 0; be < 2; be++) {
            struct buf f = {.n = 0};
            uint32_t af = afs[i];
            uint8_t h[4] = {(uint8_t)af, 0, 0, 0};
            if (be) {
                h[0] = 0;
                h[3] = (uint8_t)af;
            }
            put(&f, h, 4);
            put(&f, x->b, x->n);
            expect_tcp(HS_LINK_NULL, &f, afs[i] == 2 ? 4 : 6);
            if (be)
                expect_tcp(HS_LINK_LOOP, &f, afs[i] == 2 ? 4 : 6);
            else
                assert_int_equal(parse(HS_LINK_LOOP, &f, f.n, f.n, &s), HS_PKT_OTHER);
        }
    }
    struct buf f = {.b = {7, 0, 0, 0}, .n = 4};
    put(&f, ip.b, ip.n);
    assert_int_equal(parse(HS_LINK_NULL, &f, f.n, f.n, &s), HS_PKT_OTHER);
    assert_int_equal(parse(147, &f, f.n, f.n, &s), HS_PKT_UNSUPPORTED);
}

static void test_ipv4_options_and_lengths(void **state)
{
    (void)state;
    struct buf t = tcp_seg(), b = {.n = 0};
    l4_ip4(&b, &t, 6, 8); /* 8 bytes of options: IHL 7 */
    expect_tcp(HS_LINK_RAW, &b, 4);

    struct hs_tcp_seg s;
    struct buf x;
    /* IHL below 5 */
    x = b;
    x.b[0] = 0x44;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* IHL past the total length */
    x = b;
    x.b[0] = 0x4f;
    set16(x.b + 2, 40);
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* total length past the frame */
    x = b;
    set16(x.b + 2, (unsigned)x.n + 1);
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* total length below the header */
    x = b;
    set16(x.b + 2, 19);
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* total length that ends inside the TCP header */
    x = b;
    set16(x.b + 2, 28 + 30);
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* total length 0: segmentation offload, the frame's length counts */
    x = b;
    set16(x.b + 2, 0);
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_TCP);
    assert_int_equal(s.payload_wire, PAYLOAD_LEN);
    /* a shorter total length than the frame: the rest is a trailer */
    x = b;
    set16(x.b + 2, (unsigned)x.n - 3);
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_TCP);
    assert_int_equal(s.payload, PAYLOAD_LEN - 3);
    /* version 5 */
    x = b;
    x.b[0] = 0x57;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
}

static void test_fragments(void **state)
{
    (void)state;
    struct buf b = ip4_tcp(), x;
    struct hs_tcp_seg s;
    x = b;
    set16(x.b + 6, 0x2000); /* first fragment: MF, offset 0 */
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_FRAGMENT);
    assert_int_equal(s.src.family, 4);
    x = b;
    set16(x.b + 6, 0x0010); /* a later one, last */
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_FRAGMENT);

    struct buf t = tcp_seg(), f = {.n = 0};
    ip6_header(&f, 44, 8 + t.n);
    put8(&f, 6);
    put8(&f, 0);
    put16(&f, 0);
    put32(&f, 0x1234);
    put(&f, t.b, t.n);
    assert_int_equal(parse(HS_LINK_RAW, &f, f.n, f.n, &s), HS_PKT_FRAGMENT);
}

static void test_ipv6_extensions(void **state)
{
    (void)state;
    struct buf t = tcp_seg(), f = {.n = 0};
    /* hop-by-hop (8) -> routing (24) -> destination options (16) -> AH (16) -> TCP */
    ip6_header(&f, 0, 8 + 24 + 16 + 16 + t.n);
    uint8_t hbh[8] = {43, 0, 1, 4, 0, 0, 0, 0};
    put(&f, hbh, 8);
    uint8_t rt[24] = {60, 2, 0, 0};
    put(&f, rt, 24);
    uint8_t dst[16] = {51, 1, 1, 10};
    put(&f, dst, 16);
    uint8_t ah[16] = {6, 2};
    put(&f, ah, 16);
    put(&f, t.b, t.n);
    expect_tcp(HS_LINK_RAW, &f, 6);

    struct hs_tcp_seg s;
    /* an extension header longer than the payload */
    struct buf x = f;
    x.b[40 + 1] = 200;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* payload length past the frame */
    x = f;
    set16(x.b + 4, (unsigned)(x.n - 40 + 1));
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* ESP and no-next-header: nothing to see */
    x = f;
    x.b[6] = 50;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_OTHER);
    x.b[6] = 59;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_OTHER);
    /* a chain of destination options longer than the walk allows */
    struct buf c = {.n = 0};
    ip6_header(&c, 60, 20 * 8 + t.n);
    for (int i = 0; i < 20; i++) {
        uint8_t opt[8] = {i < 19 ? 60 : 6, 0, 1, 4};
        put(&c, opt, 8);
    }
    put(&c, t.b, t.n);
    assert_int_equal(parse(HS_LINK_RAW, &c, c.n, c.n, &s), HS_PKT_INVALID);
}

static void test_tcp_header(void **state)
{
    (void)state;
    struct buf b = ip4_tcp(), x;
    struct hs_tcp_seg s;
    /* data offset below 5 */
    x = b;
    x.b[20 + 12] = 4 << 4;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_INVALID);
    /* data offset past the segment */
    struct buf t = {.n = 0}, y = {.n = 0};
    tcp(&t, true, NULL, 0);
    t.b[12] = 15 << 4;
    l4_ip4(&y, &t, 6, 0);
    assert_int_equal(parse(HS_LINK_RAW, &y, y.n, y.n, &s), HS_PKT_INVALID);
    /* malformed options: a zero length, then an overrun: the walk stops, nothing read past */
    x = b;
    x.b[20 + 20 + 1] = 0; /* MSS length 0 */
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_TCP);
    assert_int_equal(s.mss, -1);
    assert_false(s.has_ts);
    x = b;
    x.b[20 + 20 + 4 + 2 + 1] = 30; /* timestamps option longer than the options */
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_TCP);
    assert_int_equal(s.mss, 1460);
    assert_true(s.sack_permitted);
    assert_false(s.has_ts);
    assert_int_equal(s.wscale, -1);
    /* an odd option kind is skipped by its length; end-of-options stops */
    x = b;
    x.b[20 + 20] = 0; /* end of options first */
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_TCP);
    assert_int_equal(s.mss, -1);
    assert_int_equal(s.wscale, -1);
    /* flags */
    x = b;
    x.b[20 + 13] = HS_TCP_SYN | HS_TCP_FIN | HS_TCP_RST;
    assert_int_equal(parse(HS_LINK_RAW, &x, x.n, x.n, &s), HS_PKT_TCP);
    assert_int_equal(s.flags, HS_TCP_SYN | HS_TCP_FIN | HS_TCP_RST);
}

static void test_udp_and_others(void **state)
{
    (void)state;
    struct buf u = {.n = 0}, b = {.n = 0};
    put16(&u, 5353);
    put16(&u, 443);
    put16(&u, 8 + 4);
    put16(&u, 0);
    put32(&u, 0xdeadbeef);
    l4_ip4(&b, &u, 17, 0);
    struct hs_tcp_seg s;
    assert_int_equal(parse(HS_LINK_RAW, &b, b.n, b.n, &s), HS_PKT_UDP);
    assert_int_equal(s.sport, 5353);
    assert_int_equal(s.dport, 443);
    assert_int_equal(s.payload, 4);
    for (size_t cut = 0; cut < b.n; cut++) {
        enum hs_packet_status st = parse(HS_LINK_RAW, &b, cut, b.n, &s);
        assert_true(st == HS_PKT_TRUNCATED || st == HS_PKT_UDP);
    }
    struct buf v = {.n = 0};
    ip6_header(&v, 17, u.n);
    put(&v, u.b, u.n);
    assert_int_equal(parse(HS_LINK_RAW, &v, v.n, v.n, &s), HS_PKT_UDP);
    assert_int_equal(s.src.family, 6);
    /* ICMP */
    b.n = 0;
    l4_ip4(&b, &u, 1, 0);
    assert_int_equal(parse(HS_LINK_RAW, &b, b.n, b.n, &s), HS_PKT_OTHER);
    /* empty frames */
    assert_int_equal(hs_packet_parse(HS_LINK_ETHERNET, NULL, 0, 0, &s), HS_PKT_INVALID);
    assert_int_equal(hs_packet_parse(HS_LINK_ETHERNET, NULL, 0, 60, &s), HS_PKT_TRUNCATED);
}

static void test_addresses(void **state)
{
    (void)state;
    struct hs_ip_addr a = {.family = 4, .a = {127, 0, 0, 1}}, b = a;
    char buf[64];
    hs_ip_ntop(&a, buf, sizeof buf);
    assert_string_equal(buf, "127.0.0.1");
    assert_true(hs_ip_equal(&a, &b));
    b.a[3] = 2;
    assert_false(hs_ip_equal(&a, &b));
    struct hs_ip_addr c = {.family = 6, .a = {[15] = 1}};
    hs_ip_port_str(&c, 443, buf, sizeof buf);
    assert_string_equal(buf, "[::1]:443");
    assert_false(hs_ip_equal(&a, &c));
    hs_ip_port_str(&c, 443, buf, 5); /* cut, still terminated */
    assert_string_equal(buf, "[::1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet),
        cmocka_unit_test(test_vlan),
        cmocka_unit_test(test_cooked),
        cmocka_unit_test(test_raw_and_loopback),
        cmocka_unit_test(test_ipv4_options_and_lengths),
        cmocka_unit_test(test_fragments),
        cmocka_unit_test(test_ipv6_extensions),
        cmocka_unit_test(test_tcp_header),
        cmocka_unit_test(test_udp_and_others),
        cmocka_unit_test(test_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
