/*
 * The capture reader's window: records that straddle it, fill it exactly and outgrow it
 * (pcap), a pcapng block larger than it, and a cut inside the largest record.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "capture/pcapread.h"
#include "net/pcapwrite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/hs-pcapwin.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char p[128];
    const char *names[] = {"big.pcap", "big.pcapng"};
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    return rmdir(dir);
}

static const char *path_of(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static uint32_t big_caplen(int i)
{
    return i % 61 == 0 ? HS_PCAP_MAX_FRAME : (uint32_t)(i * 7919) % 9000u;
}

static uint8_t big_byte(int i, uint32_t j) { return (uint8_t)(i + j * 31u); }

/* Frame i's bytes: written, and checked when read back. */
static void put_data(FILE *f, int i, uint32_t len)
{
    static uint8_t data[HS_PCAP_MAX_FRAME];
    for (uint32_t j = 0; j < len; j++)
        data[j] = big_byte(i, j);
    assert_int_equal(fwrite(data, 1, len, f), len);
}

static void check_data(const struct hs_frame *f, int i)
{
    for (uint32_t j = 0; j < f->caplen; j++)
        if (f->data[j] != big_byte(i, j))
            fail_msg("frame %d byte %u differs", i + 1, j);
}

static void put32le(FILE *f, const uint32_t *v, int n)
{
    for (int k = 0; k < n; k++) {
        uint8_t b[4] = {(uint8_t)v[k], (uint8_t)(v[k] >> 8), (uint8_t)(v[k] >> 16),
                        (uint8_t)(v[k] >> 24)};
        assert_int_equal(fwrite(b, 1, 4, f), 4);
    }
}

/* A pcap of n records, some as large as a record may be; returns its size. */
static long write_big_pcap(const char *path, int n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static const uint32_t head[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 0x40000u, 1};
    put32le(f, head, 6);
    for (int i = 0; i < n; i++) {
        const uint32_t len = big_caplen(i), rec[4] = {(uint32_t)i, 0, len, len};
        put32le(f, rec, 4);
        put_data(f, i, len);
    }
    long size = ftell(f);
    assert_int_equal(fclose(f), 0);
    return size;
}

/* Reads path back: every frame whole and in order; the last return and error in *end/err. */
static int read_big(const char *path, int *end, char *err, size_t errsz)
{
    struct hs_pcap_reader *r = hs_pcap_open(path, err, errsz);
    assert_non_null(r);
    struct hs_frame f;
    int i = 0;
    while ((*end = hs_pcap_next(r, &f)) == 1) {
        assert_int_equal(f.caplen, big_caplen(i));
        assert_int_equal(f.ts, (double)i);
        check_data(&f, i++);
    }
    snprintf(err, errsz, "%s", *end < 0 ? hs_pcap_error(r) : "");
    hs_pcap_close(r);
    return i;
}

/* Records straddle the read window, fill it exactly and outgrow it; a cut inside a large
 * record is "truncated" at the file's last byte. */
static void test_window(void **state)
{
    (void)state;
    const int n = 306; /* the last one (i = 305) is as large as a record may be */
    long size = write_big_pcap(path_of("big.pcap"), n);
    int end;
    char err[256];
    assert_int_equal(read_big(path_of("big.pcap"), &end, err, sizeof err), n);
    assert_int_equal(end, 0);
    assert_int_equal(truncate(path_of("big.pcap"), size - 1000), 0);
    assert_int_equal(read_big(path_of("big.pcap"), &end, err, sizeof err), n - 1);
    assert_true(end < 0);
    char want[128];
    snprintf(want, sizeof want, "truncated at byte %ld in frame %d", size - 1000, n);
    assert_string_equal(err, want);
}

/* A pcapng block larger than the read window: it grows to hold it, frames stay whole. */
static void test_window_grows(void **state)
{
    (void)state;
    /* A Section Header Block (version 1.0, length unknown), an Ethernet interface. */
    static const uint32_t head[12] = {0x0A0D0D0Au, 28, 0x1A2B3C4Du, 1, 0xffffffffu,
                                      0xffffffffu, 28, 1, 20, 1, 0, 20};
    FILE *f = fopen(path_of("big.pcapng"), "wb");
    assert_non_null(f);
    put32le(f, head, 12);
    for (int i = 0; i < 3; i++) {
        uint32_t len = i == 1 ? HS_PCAP_MAX_FRAME : 100;
        const uint32_t fields[7] = {6, 32 + len, 0, 0, (uint32_t)i, len, len}, tail = 32 + len;
        put32le(f, fields, 7);
        put_data(f, i, len);
        put32le(f, &tail, 1);
    }
    assert_int_equal(fclose(f), 0);
    char err[256];
    struct hs_pcap_reader *r = hs_pcap_open(path_of("big.pcapng"), err, sizeof err);
    assert_non_null(r);
    struct hs_frame fr;
    for (int i = 0; i < 3; i++) {
        assert_int_equal(hs_pcap_next(r, &fr), 1);
        assert_int_equal(fr.caplen, i == 1 ? HS_PCAP_MAX_FRAME : 100);
        check_data(&fr, i);
    }
    assert_int_equal(hs_pcap_next(r, &fr), 0);
    hs_pcap_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_window_grows),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
