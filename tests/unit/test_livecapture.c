/*
 * The live tap's queue of TCP segments for the main thread, fed frames by hand (no handle, no
 * thread, no privileges): what is queued, the room kept for SYN/FIN/RST, and that every
 * segment it has no room for is counted rather than lost without a word.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/packet.h"
#include "live/tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#define CLIENT_PORT 40000
#define SERVER_PORT 443

static struct hs_addr server_addr(void)
{
    struct hs_addr a;
    memset(&a, 0, sizeof a);
    struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(SERVER_PORT);
    sin->sin_addr.s_addr = htonl(0x7f000002);
    a.len = sizeof *sin;
    return a;
}

/* A raw IPv4 frame: 20-byte IP header, 20-byte TCP header, then payload bytes of zeros. */
static size_t frame(uint8_t *b, bool from_server, uint8_t flags, size_t payload)
{
    size_t total = 40 + payload;
    memset(b, 0, total);
    b[0] = 0x45;
    b[2] = (uint8_t)(total >> 8);
    b[3] = (uint8_t)total;
    b[8] = 64;
    b[9] = 6;
    static const uint8_t cli[4] = {127, 0, 0, 1}, srv[4] = {127, 0, 0, 2};
    memcpy(b + 12, from_server ? srv : cli, 4);
    memcpy(b + 16, from_server ? cli : srv, 4);
    uint8_t *t = b + 20;
    unsigned sp = from_server ? SERVER_PORT : CLIENT_PORT;
    unsigned dp = from_server ? CLIENT_PORT : SERVER_PORT;
    t[0] = (uint8_t)(sp >> 8);
    t[1] = (uint8_t)sp;
    t[2] = (uint8_t)(dp >> 8);
    t[3] = (uint8_t)dp;
    t[7] = 1;      /* seq */
    t[12] = 5 << 4; /* data offset */
    t[13] = flags;
    t[14] = 0xff;   /* window */
    return total;
}

static void feed(struct hs_tap *c, double ts, bool from_server, uint8_t flags,
                 size_t payload)
{
    uint8_t b[2048];
    size_t n = frame(b, from_server, flags, payload);
    hs_tap_feed(c, ts, b, (uint32_t)n, (uint32_t)n);
}

static size_t drain_all(struct hs_tap *c, size_t *control, size_t *from_server)
{
    struct hs_tcp_seg segs[64];
    size_t total = 0, k;
    *control = *from_server = 0;
    while ((k = hs_tap_drain(c, segs, 64)) > 0) {
        for (size_t i = 0; i < k; i++) {
            if (segs[i].flags & (HS_TCP_SYN | HS_TCP_FIN | HS_TCP_RST))
                (*control)++;
            if (segs[i].from_server)
                (*from_server)++;
        }
        total += k;
    }
    return total;
}

static void test_queue_and_sides(void **state)
{
    (void)state;
    struct hs_addr srv = server_addr();
    struct hs_tap *c = hs_tap_new_fed(HS_LINK_RAW, &srv);
    feed(c, 1.0, false, HS_TCP_SYN, 0);
    feed(c, 1.1, true, HS_TCP_SYN | HS_TCP_ACK, 0);
    feed(c, 1.2, false, HS_TCP_ACK, 0);
    feed(c, 1.3, false, HS_TCP_ACK | HS_TCP_PSH, 100); /* data: no row, but its time counts */
    feed(c, 1.4, true, HS_TCP_FIN | HS_TCP_ACK, 0);
    struct hs_tcp_seg segs[8];
    size_t n = hs_tap_drain(c, segs, 8);
    assert_int_equal(n, 5);
    assert_false(segs[0].from_server);
    assert_true(segs[1].from_server);
    assert_int_equal(segs[2].flags, HS_TCP_ACK);
    assert_int_equal(segs[3].payload_wire, 100);
    assert_int_equal(segs[3].frame, 4);
    assert_int_equal(segs[4].flags, HS_TCP_FIN | HS_TCP_ACK);
    assert_int_equal(segs[4].frame, 5); /* every frame is kept raw */
    assert_int_equal(hs_tap_packets(c)->n, 5);
    struct hs_tap_drops d;
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 0);
    assert_int_equal(d.control, 0);
    hs_tap_free(c);
}

static void test_full_queue_counts(void **state)
{
    (void)state;
    struct hs_addr srv = server_addr();
    struct hs_tap *c = hs_tap_new_fed(HS_LINK_RAW, &srv);
    const size_t acks = HS_TAP_QUEUE_MAX - HS_TAP_QUEUE_RESERVE;
    /* Pure ACKs fill the queue up to the reserve; the next ones are counted. */
    for (size_t i = 0; i < acks + 10; i++)
        feed(c, 2.0 + (double)i / 1e6, false, HS_TCP_ACK, 0);
    struct hs_tap_drops d;
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 10);
    assert_int_equal(d.control, 0);
    assert_true(d.first_ts > 2.0 + (double)(acks - 1) / 1e6);
    assert_false(d.first_from_server);

    /* The reserve still takes SYN/FIN/RST... */
    for (size_t i = 0; i < HS_TAP_QUEUE_RESERVE; i++)
        feed(c, 3.0, true, HS_TCP_FIN | HS_TCP_ACK, 0);
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 10);
    /* ... until the queue is full: then they are counted apart. */
    feed(c, 4.0, true, HS_TCP_RST, 0);
    feed(c, 4.1, false, HS_TCP_FIN | HS_TCP_ACK, 0);
    feed(c, 4.2, false, HS_TCP_ACK, 0);
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 13);
    assert_int_equal(d.control, 2);
    /* A data segment that finds no room costs its time stamp only: no row is missing. */
    feed(c, 4.3, false, HS_TCP_ACK | HS_TCP_PSH, 100);
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 13);

    size_t control, from_server;
    assert_int_equal(drain_all(c, &control, &from_server), HS_TAP_QUEUE_MAX);
    assert_int_equal(control, HS_TAP_QUEUE_RESERVE);
    assert_int_equal(from_server, HS_TAP_QUEUE_RESERVE);

    /* Drained, there is room again; the counts stay (they are the trace's total). */
    feed(c, 5.0, true, HS_TCP_RST, 0);
    assert_int_equal(drain_all(c, &control, &from_server), 1);
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 13);
    assert_int_equal(d.control, 2);
    hs_tap_free(c);
}

static void test_not_tcp(void **state)
{
    (void)state;
    struct hs_addr srv = server_addr();
    struct hs_tap *c = hs_tap_new_fed(HS_LINK_RAW, &srv);
    /* Garbage and a cut frame are kept raw but queue nothing and count no drop. */
    static const uint8_t junk[7] = {0x45, 1, 2, 3, 4, 5, 6};
    hs_tap_feed(c, 1.0, junk, sizeof junk, sizeof junk);
    uint8_t b[64];
    size_t n = frame(b, false, HS_TCP_SYN, 0);
    hs_tap_feed(c, 1.1, b, 30, (uint32_t)n);
    struct hs_tcp_seg seg;
    assert_int_equal(hs_tap_drain(c, &seg, 1), 0);
    struct hs_tap_drops d;
    hs_tap_queue_drops(c, &d);
    assert_int_equal(d.segments, 0);
    assert_int_equal(hs_tap_packets(c)->n, 2);
    hs_tap_stop(c); /* no thread: nothing to stop */
    hs_tap_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_and_sides),
        cmocka_unit_test(test_full_queue_counts),
        cmocka_unit_test(test_not_tcp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
