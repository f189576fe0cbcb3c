/*
 * The record header tests shared by the decoder and where-TLS-starts (tls/record.c), and the
 * decoder finding a record again after a gap whatever its content type (20 to 24).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/trace.h"
#include "tls/decoder.h"
#include "tls/record.h"

#include <string.h>

static void test_header_shapes(void **state)
{
    (void)state;
    for (unsigned t = 0; t < 256; t++)
        assert_int_equal(hs_record_type_known((uint8_t)t), t >= 20 && t <= 24);
    const uint8_t hb[] = {24, 3, 3, 0, 3};
    const uint8_t empty[] = {23, 3, 3, 0, 0};
    const uint8_t big[] = {23, 3, 3, 0x48, 0x01}; /* 18433 = 16384 + 2048 + 1 */
    const uint8_t v35[] = {22, 3, 5, 0, 10};
    const uint8_t ack[] = {26, 3, 3, 0, 10};
    assert_true(hs_record_plausible(hb, HS_REC_MAX_BODY12));
    assert_true(hs_record_shaped(empty));
    assert_false(hs_record_plausible(empty, HS_REC_MAX_BODY12));
    assert_false(hs_record_plausible(big, HS_REC_MAX_BODY12));
    assert_false(hs_record_plausible(v35, HS_REC_MAX_BODY12));
    assert_false(hs_record_shaped(ack));
    const uint8_t ch[] = {22, 3, 1, 0, 4, 1}, sh[] = {22, 3, 3, 0, 4, 2}, tiny[] = {22, 3, 3, 0, 3, 1};
    assert_true(hs_record_hello(ch, HS_CLIENT, HS_REC_MAX_BODY12));
    assert_false(hs_record_hello(ch, HS_SERVER, HS_REC_MAX_BODY12));
    assert_true(hs_record_hello(sh, HS_SERVER, HS_REC_MAX_BODY12));
    assert_false(hs_record_hello(tiny, HS_CLIENT, HS_REC_MAX_BODY12));
    const uint8_t v2[] = {0x80, 0x2e, 1, 3, 1}, v2short[] = {0x80, 0x08, 1, 3, 1};
    const uint8_t v2ver[] = {0x80, 0x2e, 1, 3, 5}, v2type[] = {0x80, 0x2e, 2, 3, 1};
    assert_true(hs_record_sslv2_hello(v2, HS_REC_MAX_BODY12));
    assert_false(hs_record_sslv2_hello(v2short, HS_REC_MAX_BODY12));
    assert_false(hs_record_sslv2_hello(v2ver, HS_REC_MAX_BODY12));
    assert_false(hs_record_sslv2_hello(v2type, HS_REC_MAX_BODY12));
}

/* After a gap the decoder takes a heartbeat record (type 24, which it decodes in order) as a
 * record start too, rather than skipping it as garbage. */
static void test_resync_on_heartbeat(void **state)
{
    (void)state;
    static const uint8_t alert[] = {21, 3, 3, 0, 2, 1, 0};
    static const uint8_t junk_hb[] = {0x99, 0x98, 24, 3, 3, 0, 3, 1, 0, 0};
    struct hs_trace *t = hs_trace_new();
    struct hs_decoder *d = hs_decoder_new(t, NULL);
    hs_decoder_feed(d, HS_SERVER, 1, alert, sizeof alert, 0);
    hs_decoder_gap(d, HS_SERVER, 2, 100);
    hs_decoder_feed(d, HS_SERVER, 3, junk_hb, sizeof junk_hb, 0);
    hs_decoder_feed(d, HS_SERVER, 4, alert, sizeof alert, 0);
    hs_decoder_finish(d, 5);
    bool skipped2 = false, heartbeat = false;
    for (struct hs_event *e = t->first; e; e = e->next) {
        if (e->summary && strstr(e->summary, "skipped 2 bytes"))
            skipped2 = true;
        if (strcmp(e->type, "Heartbeat") == 0)
            heartbeat = true;
    }
    assert_true(skipped2);
    assert_true(heartbeat);
    assert_string_equal(t->last->type, "Alert");
    hs_decoder_free(d);
    hs_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_shapes),
        cmocka_unit_test(test_resync_on_heartbeat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
