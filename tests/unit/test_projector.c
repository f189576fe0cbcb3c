/* The projector: round-trip labels and --notes (the wrapping is in test_view.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/mem.h"
#include "core/trace.h"
#include "net/roundtrips.h"
#include "view/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs_event *add(struct hs_trace *t, enum hs_side from, enum hs_layer layer,
                            const char *type, const char *summary)
{
    struct hs_event *ev = hs_event_new(from, layer, type, (double)t->nevents);
    hs_event_summary(ev, "%s", summary);
    hs_trace_add(t, ev);
    return ev;
}

/* Rows of a handshake: "C:" or "S:" then the type; "N:" a library note. */
static struct hs_trace *trace_of(const char *const *rows, size_t n)
{
    struct hs_trace *t = hs_trace_new();
    for (size_t i = 0; i < n; i++) {
        const char *type = rows[i] + 2;
        enum hs_layer layer = !strcmp(type, "SYN") || !strcmp(type, "SYN-ACK") ||
                                      !strcmp(type, "ACK") || !strcmp(type, "FIN")
                                  ? HS_LAYER_TCP : HS_LAYER_TLS;
        if (rows[i][0] == 'N')
            add(t, HS_CLIENT, HS_LAYER_LIBRARY, "note", type);
        else
            add(t, rows[i][0] == 'C' ? HS_CLIENT : HS_SERVER, layer, type, type);
    }
    return t;
}

static void assert_labels(const struct hs_trace *t, const int *want, size_t n)
{
    size_t i = 0;
    for (const struct hs_event *e = t->first; e; e = e->next, i++) {
        assert_true(i < n);
        if (e->round_trip != want[i])
            fail_msg("row %zu (%s): round trip %d, want %d", i, e->type, e->round_trip, want[i]);
    }
    assert_int_equal(i, n);
}

/* The rows' labels, the count, and how many rows hs_view_round_trip_label marks. */
static void check_handshake(const char *const *rows, const int *want, size_t n, int count,
                            int nlabels)
{
    struct hs_trace *t = trace_of(rows, n);
    assert_int_equal(hs_count_round_trips(t, -1), count);
    assert_labels(t, want, n);
    int labelled = 0;
    for (const struct hs_event *e = t->first; e; e = e->next)
        if (hs_view_round_trip_label(e))
            labelled++, assert_int_equal(e->from, HS_CLIENT);
    assert_int_equal(labelled, nlabels);
    hs_trace_free(t);
}

static void test_round_trips_tls13(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "C:SYN", "S:SYN-ACK", "C:ACK", "C:ClientHello", "S:ServerHello", "S:Finished",
        "N:handshake done", "C:ChangeCipherSpec", "C:Finished", "S:NewSessionTicket", "C:FIN"};
    static const int want[] = {0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0};
    check_handshake(rows, want, 11, 2, 1); /* TCP + TLS 1.3; one label */
}

static void test_round_trips_tls12(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "C:SYN", "S:SYN-ACK", "C:ClientHello", "S:ServerHello", "S:ServerHelloDone",
        "C:ClientKeyExchange", "C:ChangeCipherSpec", "C:Finished", "S:ChangeCipherSpec",
        "S:Finished", "C:Alert"};
    static const int want[] = {0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 0};
    check_handshake(rows, want, 11, 3, 2); /* TCP + TLS 1.2; two labels */
}

/* A ClientHello without an answer is no round trip: nothing is labelled. */
static void test_round_trips_unanswered(void **state)
{
    (void)state;
    static const char *const rows[] = {"C:SYN", "S:SYN-ACK", "C:ClientHello"};
    static const int want[] = {0, 0, 0};
    check_handshake(rows, want, 3, 1, 0);
}

static void test_notes(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "C:ClientHello", "N:key exchange with x25519", "N:reading with handshake keys",
        "N:derived handshake traffic keys", "N:certificate verified", "N:handshake done",
        "N:stored a session ticket", "N:ignored the compatibility ChangeCipherSpec"};
    struct hs_trace *t = trace_of(rows, 8);
    add(t, HS_CLIENT, HS_LAYER_LIBRARY, "note", "certificate verification failed: expired")
        ->problem = true;
    add(t, HS_CLIENT, HS_LAYER_LIBRARY, "debug", "raw line");
    size_t count[3] = {0};
    for (int n = HS_NOTES_ALL; n <= HS_NOTES_NONE; n++)
        for (const struct hs_event *e = t->first; e; e = e->next)
            count[n] += hs_view_row_shown(e, (enum hs_notes)n, 0);
    assert_int_equal(count[HS_NOTES_ALL], 9);
    assert_int_equal(count[HS_NOTES_SHORT], 7); /* not "reading with", not "ignored" */
    assert_int_equal(count[HS_NOTES_NONE], 1);
    assert_true(hs_view_row_shown(t->last, HS_NOTES_NONE, 1)); /* --debug rows stay */
    enum hs_notes parsed;
    assert_true(hs_notes_parse("short", &parsed));
    assert_int_equal(parsed, HS_NOTES_SHORT);
    assert_false(hs_notes_parse("some", &parsed));
    assert_string_equal(hs_notes_name(HS_NOTES_NONE), "none");
    hs_trace_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips_tls13),
        cmocka_unit_test(test_round_trips_tls12),
        cmocka_unit_test(test_round_trips_unanswered),
        cmocka_unit_test(test_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
