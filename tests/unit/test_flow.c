/* TCP reassembly and the connection table: order, holes, overlaps, wrap, roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/flow.h"

#include <stdlib.h>
#include <string.h>

/* What reassembly delivered: the bytes, with '?' for each byte of a declared gap. */
struct sink {
    char buf[4096];
    size_t n;
    size_t gaps;
    uint64_t last_frame;
};

static void on_data(void *ctx, int dir, const uint8_t *p, size_t n, double ts, uint64_t frame)
{
    struct sink *s = ctx;
    (void)dir;
    (void)ts;
    assert_true(n <= sizeof s->buf - s->n);
    memcpy(s->buf + s->n, p, n);
    s->n += n;
    s->last_frame = frame;
}

static void on_gap(void *ctx, int dir, size_t n, double ts)
{
    struct sink *s = ctx;
    (void)dir;
    (void)ts;
    assert_true(n <= sizeof s->buf - s->n);
    memset(s->buf + s->n, '?', n);
    s->n += n;
    s->gaps++;
}

static struct hs_tcp_seg seg(uint32_t seq, const char *data, uint8_t flags)
{
    struct hs_tcp_seg s;
    memset(&s, 0, sizeof s);
    s.seq = seq;
    s.flags = flags ? flags : HS_TCP_ACK;
    s.data = (const uint8_t *)data;
    s.payload = s.payload_wire = data ? (uint32_t)strlen(data) : 0;
    s.mss = s.wscale = -1;
    return s;
}

struct fixture {
    struct hs_reasm r;
    struct sink sink;
    struct hs_reasm_out out;
};

static void setup_fx(struct fixture *fx, size_t max_held)
{
    memset(fx, 0, sizeof *fx);
    hs_reasm_init(&fx->r, HS_CLIENT, max_held);
    fx->out = (struct hs_reasm_out){.data = on_data, .gap = on_gap, .ctx = &fx->sink};
}

static void add(struct fixture *fx, struct hs_tcp_seg s)
{
    hs_reasm_add(&fx->r, &s, &fx->out);
}

static void expect(struct fixture *fx, const char *want)
{
    hs_reasm_flush(&fx->r, 0, &fx->out);
    fx->sink.buf[fx->sink.n] = '\0';
    assert_string_equal(fx->sink.buf, want);
    hs_reasm_free(&fx->r);
}

static void test_in_order_and_syn(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(1000, NULL, HS_TCP_SYN)); /* the SYN takes seq 1000: data starts at 1001 */
    add(&fx, seg(1001, "hello ", 0));
    add(&fx, seg(1007, "world", 0));
    add(&fx, seg(1012, NULL, HS_TCP_ACK | HS_TCP_FIN));
    assert_int_equal(fx.r.st.out_of_order, 0);
    assert_int_equal(fx.r.st.retransmissions, 0);
    expect(&fx, "hello world");
}

static void test_out_of_order(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(0, NULL, HS_TCP_SYN));
    add(&fx, seg(7, "CD", 0));
    add(&fx, seg(5, "B", 0) );
    assert_int_equal(fx.sink.n, 0); /* waiting for byte 1 */
    add(&fx, seg(1, "AAAA", 0));
    assert_int_equal(fx.sink.n, 4 + 1 + 0);
    add(&fx, seg(6, "x", 0));
    assert_int_equal(fx.r.st.out_of_order, 2);
    expect(&fx, "AAAABxCD");
}

static void test_retransmission(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(0, NULL, HS_TCP_SYN));
    add(&fx, seg(1, "abcd", 0));
    add(&fx, seg(1, "abcd", 0)); /* a full repeat */
    add(&fx, seg(3, "cdef", 0)); /* half old, half new */
    assert_int_equal(fx.r.st.retransmissions, 2);
    assert_int_equal(fx.r.st.conflicts, 0);
    expect(&fx, "abcdef");
}

static void test_overlap_conflict(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(0, NULL, HS_TCP_SYN));
    add(&fx, seg(5, "EFGH", 0));  /* held */
    add(&fx, seg(7, "xyZZ", 0));  /* overlaps "GH" with different bytes: first copy wins */
    add(&fx, seg(1, "ABCD", 0));
    assert_int_equal(fx.r.st.conflicts, 1);
    expect(&fx, "ABCDEFGHZZ");
}

static void test_gap_at_end_and_overflow(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(0, NULL, HS_TCP_SYN));
    add(&fx, seg(1, "ab", 0));
    add(&fx, seg(6, "fg", 0)); /* bytes 3..5 never come */
    expect(&fx, "ab???fg");
    assert_int_equal(fx.r.st.gaps, 1);
    assert_int_equal(fx.r.st.gap_bytes, 3);

    /* A bound of 4 held bytes: the hole is given up as soon as more wait. */
    setup_fx(&fx, 4);
    add(&fx, seg(0, NULL, HS_TCP_SYN));
    add(&fx, seg(3, "cde", 0));
    assert_int_equal(fx.sink.n, 0);
    add(&fx, seg(6, "fg", 0));
    assert_int_equal(fx.sink.n, 7);
    add(&fx, seg(1, "ab", 0)); /* too late: already skipped */
    assert_int_equal(fx.r.st.retransmissions, 1);
    expect(&fx, "??cdefg");
}

static void test_wrap(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(0xfffffff0u, NULL, HS_TCP_SYN));
    add(&fx, seg(0xfffffff1u, "0123456789abcde", 0)); /* 15 bytes: up to 0xffffffff */
    add(&fx, seg(0x00000004u, "TAIL", 0));             /* after the wrap, ahead of a hole */
    add(&fx, seg(0x00000000u, "WXYZ", 0));
    add(&fx, seg(0xfffffffcu, "cdeWX", 0));            /* retransmission across the wrap */
    assert_int_equal(fx.r.st.retransmissions, 1);
    assert_int_equal(fx.r.st.out_of_order, 1);
    expect(&fx, "0123456789abcdeWXYZTAIL");
}

static void test_midstream(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(5000, NULL, 0));       /* a bare ACK: the stream is not started by it */
    add(&fx, seg(777777, "late", 0));   /* no SYN: the stream starts here */
    add(&fx, seg(777781, "r", 0));
    expect(&fx, "later");
}

static void test_snaplen_cut(void **state)
{
    (void)state;
    struct fixture fx;
    setup_fx(&fx, 1 << 20);
    add(&fx, seg(0, NULL, HS_TCP_SYN));
    struct hs_tcp_seg s = seg(1, "abc", 0);
    s.payload_wire = 6; /* 3 bytes captured of 6 */
    add(&fx, s);
    add(&fx, seg(7, "g", 0));
    assert_int_equal(fx.r.st.gap_bytes, 3);
    /* Cut while out of order: the lost tail waits in place and becomes a gap on delivery. */
    s = seg(10, "jk", 0);
    s.payload_wire = 4;
    add(&fx, s);
    add(&fx, seg(8, "hi", 0));
    add(&fx, seg(14, "n", 0));
    expect(&fx, "abc???ghijk??n");
}

static struct hs_tcp_seg tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
                             uint8_t flags, double ts)
{
    struct hs_tcp_seg s = seg(1, NULL, flags);
    s.src.family = s.dst.family = 4;
    for (int i = 0; i < 4; i++) {
        s.src.a[i] = (uint8_t)src[i];
        s.dst.a[i] = (uint8_t)dst[i];
    }
    s.sport = sport;
    s.dport = dport;
    s.ts = ts;
    return s;
}

static void test_table_roles(void **state)
{
    (void)state;
    struct hs_flow_table *t = hs_flow_table_new(2, 0);
    const char a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    enum hs_flow_lookup how;

    /* The SYN's sender is the client, whatever the ports. */
    struct hs_tcp_seg s = tcp(a, 80, b, 50000, HS_TCP_SYN, 1);
    struct hs_flow *f = hs_flow_lookup(t, &s, &how);
    assert_int_equal(how, HS_FLOW_NEW);
    assert_false(s.from_server);
    assert_int_equal(f->port[HS_CLIENT], 80);
    assert_int_equal(f->number, 1);
    s = tcp(b, 50000, a, 80, HS_TCP_SYN | HS_TCP_ACK, 1.1);
    assert_ptr_equal(hs_flow_lookup(t, &s, &how), f);
    assert_int_equal(how, HS_FLOW_OPEN);
    assert_true(s.from_server);

    /* Without a SYN: the higher port is the client. */
    s = tcp(b, 443, a, 40000, HS_TCP_ACK, 2);
    struct hs_flow *g = hs_flow_lookup(t, &s, &how);
    assert_int_equal(how, HS_FLOW_NEW);
    assert_true(s.from_server);
    assert_int_equal(g->port[HS_CLIENT], 40000);
    assert_int_equal(g->number, 2);
    hs_flow_swap(g);
    assert_int_equal(g->port[HS_CLIENT], 443);

    /* Full: a third connection is dropped. */
    s = tcp(a, 1, b, 2, HS_TCP_SYN, 3);
    assert_null(hs_flow_lookup(t, &s, &how));
    assert_int_equal(how, HS_FLOW_FULL);

    /* Closed: stray segments land on the tombstone, a new SYN starts connection 3. */
    hs_flow_close(t, f, 3);
    s = tcp(a, 80, b, 50000, HS_TCP_ACK, 3.5);
    assert_ptr_equal(hs_flow_lookup(t, &s, &how), f);
    assert_int_equal(how, HS_FLOW_CLOSED);
    s = tcp(a, 80, b, 50000, HS_TCP_SYN, 4);
    struct hs_flow *h = hs_flow_lookup(t, &s, &how);
    assert_int_equal(how, HS_FLOW_NEW);
    assert_int_equal(h->number, 3);
    assert_int_equal(hs_flow_open_count(t), 2);
    hs_flow_table_free(t);
}

static void test_table_many(void **state)
{
    (void)state;
    /* Enough connections to grow the hash table several times; each is found again. */
    struct hs_flow_table *t = hs_flow_table_new(20000, 0);
    const char a[4] = {192, 168, 0, 1};
    enum hs_flow_lookup how;
    for (unsigned i = 0; i < 10000; i++) {
        char b[4] = {10, 1, (char)(i >> 8), (char)i};
        struct hs_tcp_seg s = tcp(a, (uint16_t)(1024 + i), b, 443, HS_TCP_SYN, i);
        assert_non_null(hs_flow_lookup(t, &s, &how));
        assert_int_equal(how, HS_FLOW_NEW);
    }
    for (unsigned i = 0; i < 10000; i += 97) {
        char b[4] = {10, 1, (char)(i >> 8), (char)i};
        struct hs_tcp_seg s = tcp(b, 443, a, (uint16_t)(1024 + i), HS_TCP_ACK, 10000);
        struct hs_flow *f = hs_flow_lookup(t, &s, &how);
        assert_int_equal(how, HS_FLOW_OPEN);
        assert_int_equal(f->number, i + 1);
        assert_true(s.from_server);
    }
    hs_flow_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order_and_syn),
        cmocka_unit_test(test_out_of_order),
        cmocka_unit_test(test_retransmission),
        cmocka_unit_test(test_overlap_conflict),
        cmocka_unit_test(test_gap_at_end_and_overflow),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_midstream),
        cmocka_unit_test(test_snaplen_cut),
        cmocka_unit_test(test_table_roles),
        cmocka_unit_test(test_table_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
