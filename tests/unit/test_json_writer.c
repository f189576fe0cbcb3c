/*
 * The streaming JSON writer (view/jsonw.h) against jansson as an oracle: the documents used to
 * be jansson trees dumped with hs_json_flags() (or JSON_COMPACT for JSON Lines), and their
 * bytes must not change.  The oracle below builds the tree the way hstrace did: strings
 * jansson refuses replaced by their hs_view_safe() copy, a refused key stored safe with null,
 * a key set twice keeping its first place and its last value.  Hand-made and random values,
 * field trees and whole traces are written both ways and compared byte for byte, indented,
 * ASCII-only and compact.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/conn.h"
#include "core/mem.h"
#include "core/trace.h"
#include "view/json_capture.h"
#include "view/jsonw.h"
#include "view/safe.h"
#include "view/view.h"

#include <float.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

/* ---- the oracle: hstrace's jansson tree ---- */

static json_t *o_str(const char *s)
{
    if (s == NULL)
        return json_null();
    json_t *j = json_string(s);
    if (j == NULL) {
        char *safe = hs_view_safe(s, false);
        j = json_string(safe);
        free(safe);
    }
    return j ? j : json_string("");
}

static void o_set(json_t *obj, const char *key, json_t *value)
{
    if (json_object_set_new(obj, key, value) == 0)
        return;
    char *safe = hs_view_safe(key, false);
    (void)json_object_set_new(obj, safe, json_null());
    free(safe);
}

static double o_round_us(double ms)
{
    if (!isfinite(ms) || ms > 1e12 || ms < -1e12)
        return 0;
    long long us = (long long)(ms * 1000.0 + (ms < 0 ? -0.5 : 0.5));
    return (double)us / 1000.0;
}

static json_t *o_ms(double ms)
{
    return ms < 0 || !isfinite(ms) ? json_null() : json_real(o_round_us(ms));
}

static json_t *o_int_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer(v);
}

static json_t *o_field(const struct hs_field *f)
{
    if (f == NULL)
        return json_null();
    switch (f->kind) {
    case HS_F_OBJECT: {
        json_t *obj = json_object();
        for (const struct hs_field *k = f->child; k; k = k->next)
            o_set(obj, k->name ? k->name : "", o_field(k));
        return obj;
    }
    case HS_F_ARRAY: {
        json_t *arr = json_array();
        for (const struct hs_field *k = f->child; k; k = k->next)
            json_array_append_new(arr, o_field(k));
        return arr;
    }
    case HS_F_STRING: return o_str(f->str ? f->str : "");
    case HS_F_INT: return json_integer(f->num);
    case HS_F_BOOL: return json_boolean(f->num != 0);
    case HS_F_NULL: break;
    }
    return json_null();
}

static json_t *o_array(const struct hs_field *f)
{
    return f == NULL || f->kind != HS_F_ARRAY ? json_array() : o_field(f);
}

static json_t *o_event(const struct hs_event *ev, bool capture)
{
    json_t *e = json_object();
    o_set(e, "t_ms", json_real(o_round_us(ev->t_ms)));
    o_set(e, "from", json_string(hs_side_name(ev->from)));
    o_set(e, "layer", json_string(hs_layer_name(ev->layer)));
    o_set(e, "type", o_str(ev->type[0] ? ev->type : "unknown"));
    o_set(e, "encrypted", json_boolean(ev->encrypted));
    o_set(e, "decrypted", json_boolean(ev->decrypted));
    o_set(e, "inferred", json_boolean(ev->inferred));
    o_set(e, "problem", json_boolean(ev->problem));
    o_set(e, "length", json_integer((json_int_t)ev->length));
    o_set(e, "round_trip", ev->round_trip > 0 ? json_integer(ev->round_trip) : json_null());
    json_t *fields = o_field(ev->fields);
    if (!json_is_object(fields)) {
        json_decref(fields);
        fields = json_object();
    }
    o_set(e, "fields", fields);
    o_set(e, "summary", o_str(ev->summary ? ev->summary : ""));
    o_set(e, "explain", o_str(ev->explain));
    if (ev->nframes > 0 || capture) {
        json_t *frames = json_array();
        for (size_t i = 0; i < ev->nframes; i++)
            json_array_append_new(frames, json_integer((json_int_t)ev->frames[i]));
        o_set(e, "frames", frames);
    }
    return e;
}

static json_t *o_u64(uint64_t v)
{
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* The live document, or with c the capture connection's object (as hstrace made it: the
 * live one, its two head keys deleted, "connection" and "tcp" set at the end). */
static json_t *o_trace(const struct hs_trace *t, const struct hs_capture_conn *c)
{
    json_t *doc = json_object();
    o_set(doc, "hstrace", json_string(HS_VERSION));
    o_set(doc, "schema_version", json_string(HS_JSON_SCHEMA_VERSION));
    json_t *target = json_object();
    o_set(target, "host", o_str(t->host));
    o_set(target, "port", json_integer(t->port));
    o_set(target, "address", o_str(t->address));
    o_set(target, "sni", o_str(t->sni));
    if (t->client_address)
        o_set(target, "client_address", o_str(t->client_address));
    o_set(doc, "target", target);
    if (t->quic) {
        o_set(doc, "transport", json_string("quic"));
        o_set(doc, "quic", o_field(t->quic));
    }
    bool ok = t->error_stage == HS_STAGE_NONE && t->handshake_done;
    bool probed = t->probe && t->error_stage == HS_STAGE_NONE;
    o_set(doc, "result", json_string(ok ? "ok" : probed ? "probe" : "failed"));
    const char *stage = hs_stage_name(t->error_stage);
    json_t *err = json_null();
    if (stage) {
        err = json_object();
        o_set(err, "stage", json_string(stage));
        o_set(err, "message", o_str(t->error_message ? t->error_message : ""));
    }
    o_set(doc, "error", err);
    o_set(doc, "exit_code", json_integer(t->exit_code));
    json_t *tls = json_object();
    o_set(tls, "version", t->version[0] ? o_str(t->version) : json_null());
    o_set(tls, "cipher_suite", t->cipher_suite[0] ? o_str(t->cipher_suite) : json_null());
    o_set(tls, "group", t->group[0] ? o_str(t->group) : json_null());
    o_set(tls, "version_id", o_int_or_null(t->version_id));
    o_set(tls, "cipher_suite_id", o_int_or_null(t->cipher_suite_id));
    o_set(tls, "group_id", o_int_or_null(t->group_id));
    o_set(tls, "alpn", o_str(t->alpn));
    o_set(tls, "resumed", json_boolean(t->resumed));
    o_set(doc, "tls", tls);
    static const char *const fp_keys[] = {"ja3", "ja3_string", "ja3s", "ja3s_string", "ja4",
                                          "ja4s"};
    json_t *fp = json_object();
    for (size_t i = 0; i < sizeof fp_keys / sizeof fp_keys[0]; i++)
        o_set(fp, fp_keys[i], o_str(t->fingerprints ? hs_f_get_str(t->fingerprints, fp_keys[i])
                                                    : NULL));
    o_set(doc, "fingerprints", fp);
    json_t *cert = json_object();
    o_set(cert, "verified", t->verified < 0 ? json_null() : json_boolean(t->verified == 1));
    o_set(cert, "problems", o_array(t->problems));
    o_set(cert, "chain", o_array(t->chain));
    o_set(doc, "certificate", cert);
    json_t *timing = json_object();
    o_set(timing, "dns_ms", o_ms(t->dns_ms));
    o_set(timing, "tcp_ms", o_ms(t->tcp_ms));
    if (t->starttls_ms >= 0)
        o_set(timing, "starttls_ms", o_ms(t->starttls_ms));
    o_set(timing, "tls_ms", o_ms(t->tls_ms));
    o_set(timing, "total_ms", o_ms(t->total_ms));
    o_set(timing, "setup_ms", o_ms(t->setup_ms));
    o_set(timing, "round_trips", t->round_trips < 0 ? json_null() : json_integer(t->round_trips));
    o_set(doc, "timing", timing);
    o_set(doc, "tcp_inferred", json_boolean(t->tcp_inferred));
    o_set(doc, "hint", o_str(t->hint));
    if (t->key_schedule)
        o_set(doc, "key_schedule", o_field(t->key_schedule));
    if (t->decryption)
        o_set(doc, "decryption", o_field(t->decryption));
    if (t->http) {
        json_t *http = o_field(t->http);
        o_set(http, "ttfb_ms", o_ms(t->http_ttfb_ms));
        o_set(doc, "http", http);
    }
    if (t->probe)
        o_set(doc, "probe", o_field(t->probe));
    if (t->ech)
        o_set(doc, "ech", o_field(t->ech));
    json_t *events = json_array();
    for (const struct hs_event *ev = t->first; ev; ev = ev->next)
        json_array_append_new(events, o_event(ev, c != NULL));
    o_set(doc, "events", events);
    if (c) {
        json_object_del(doc, "hstrace");
        json_object_del(doc, "schema_version");
        json_object_set_new(doc, "connection", json_integer((json_int_t)c->number));
        json_t *tcp = json_object();
        json_object_set_new(tcp, "packets", o_u64(c->packets));
        json_object_set_new(tcp, "retransmissions", o_u64(c->retransmissions));
        json_object_set_new(tcp, "out_of_order", o_u64(c->out_of_order));
        json_object_set_new(tcp, "conflicting_overlaps", o_u64(c->conflicts));
        json_object_set_new(tcp, "gaps", o_u64(c->gaps));
        json_object_set_new(tcp, "gap_bytes", o_u64(c->gap_bytes));
        json_object_set_new(tcp, "time_anomalies", o_u64(c->time_anomalies));
        json_object_set_new(doc, "tcp", tcp);
    }
    return doc;
}

/* ---- comparing ---- */

enum mode { INDENTED, ASCII, COMPACT };
#define NMODES 3

static size_t o_flags(enum mode m)
{
    size_t f = hs_json_flags(m == ASCII);
    return m == COMPACT ? (f & ~(size_t)JSON_MAX_INDENT) | JSON_COMPACT : f;
}

static unsigned w_flags(enum mode m)
{
    return m == ASCII ? HS_JSONW_ASCII : m == COMPACT ? HS_JSONW_COMPACT : 0;
}

/* jansson's dump of j (consumed), each newline followed by pad spaces. */
static char *o_dump(json_t *j, enum mode m, size_t pad)
{
    assert_non_null(j);
    char *text = json_dumps(j, o_flags(m) | JSON_ENCODE_ANY);
    json_decref(j);
    assert_non_null(text);
    size_t nl = 0;
    for (const char *p = text; *p; p++)
        nl += *p == '\n';
    char *out = hs_xmalloc(strlen(text) + nl * pad + 1), *o = out;
    for (const char *p = text; *p; p++) {
        *o++ = *p;
        if (*p == '\n')
            for (size_t i = 0; i < pad; i++)
                *o++ = ' ';
    }
    *o = '\0';
    free(text);
    return out;
}

static void same(const char *what, const char *want, const char *got)
{
    if (strcmp(want, got) == 0)
        return;
    size_t i = 0;
    while (want[i] && want[i] == got[i])
        i++;
    size_t from = i > 60 ? i - 60 : 0;
    fail_msg("%s: differs at byte %zu\n  jansson: ...%.120s\n  writer:  ...%.120s", what, i,
             want + from, got + from);
}

static char *w_take(struct hs_jsonw *w)
{
    char *s = hs_jsonw_take(w, NULL);
    hs_jsonw_free(w);
    return s;
}

/* The trace through the writer and through the oracle, in every mode: the live document,
 * the capture connection's object (at depth 2 of its document), and hs_view_json /
 * hs_view_json_line to a FILE. */
static void check_trace(const struct hs_trace *t, const char *what)
{
    struct hs_capture_conn c = {.number = 7, .packets = UINT64_MAX, .gaps = 3,
                                .gap_bytes = (uint64_t)INT64_MAX + 1, .time_anomalies = 1};
    for (int m = 0; m < NMODES; m++) {
        for (int cap = 0; cap < 2; cap++) {
            struct hs_jsonw w;
            hs_jsonw_init(&w, NULL, w_flags(m), cap ? 2 : 0);
            hs_view_json_write(&w, t, cap ? &c : NULL);
            char *got = w_take(&w);
            char *want = o_dump(o_trace(t, cap ? &c : NULL), m, cap ? 4 : 0);
            char name[160];
            snprintf(name, sizeof name, "%s (mode %d%s)", what, m, cap ? ", capture" : "");
            same(name, want, got);
            free(got);
            free(want);
        }
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        if (m == COMPACT)
            assert_int_equal(hs_view_json_line(f, t, false), 0);
        else
            assert_int_equal(hs_view_json(f, t, m == ASCII), 0);
        assert_int_equal(fclose(f), 0);
        char *doc = o_dump(o_trace(t, NULL), m, 0);
        char *want = hs_xasprintf("%s\n", doc);
        same(what, want, buf);
        free(doc);
        free(want);
        free(buf);
    }
}

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* ---- strings, keys and numbers, made by hand ---- */

static const char *const strings[] = {
    "", "plain ASCII text", "quote \" backslash \\ slash /", "\b\f\n\r\t",
    "\x01\x02\x03\x04\x05\x06\x07\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
    "\x1c\x1d\x1e\x1f",
    "DEL \x7f", "caf\xc3\xa9", "\xe2\x82\xac 100", "\xef\xbf\xbf \xee\x80\x80",
    "\xf0\x9f\x98\x80 astral", "\xf4\x8f\xbf\xbf", "\xf0\x90\x80\x80",
    "\xc2\x80 C1 \xc2\x9f", "\\x00 as hstrace escapes it, \\u{202e}",
    /* refused by jansson: */
    "overlong \xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xf0\x80\x80\x80",
    "\xf0\x8f\xbf\xbf", "surrogate \xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80",
    "\xf5\x80\x80\x80", "\xff", "\xfe\xff", "bad continuation \xc3\x28", "\xe2\x28\xa1",
    "truncated \xe2\x82", "\xf0\x9f\x98", "lone \x80 continuation", "\xc3",
    "mixed \xc3\xa9 \xff \n \"\x01", "\xff\\xff", "\\xff",
};

static void test_strings_and_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        for (int m = 0; m < NMODES; m++) {
            struct hs_jsonw w;
            hs_jsonw_init(&w, NULL, w_flags(m), 0);
            hs_jsonw_str(&w, strings[i]);
            char *got = w_take(&w);
            char *want = o_dump(o_str(strings[i]), m, 0);
            char name[64];
            snprintf(name, sizeof name, "string %zu mode %d", i, m);
            same(name, want, got);
            free(got);
            free(want);
            /* As a key: a refused one is stored safe, with null. */
            hs_jsonw_init(&w, NULL, w_flags(m), 0);
            hs_jsonw_obj(&w);
            if (hs_jsonw_key(&w, strings[i]))
                hs_jsonw_int(&w, 1);
            else
                hs_jsonw_null(&w);
            hs_jsonw_obj_end(&w);
            got = w_take(&w);
            json_t *obj = json_object();
            o_set(obj, strings[i], json_integer(1));
            want = o_dump(obj, m, 0);
            snprintf(name, sizeof name, "key %zu mode %d", i, m);
            same(name, want, got);
            json_t *js = json_string(strings[i]);
            assert_int_equal(hs_jsonw_utf8_ok(strings[i]), js != NULL);
            json_decref(js);
            free(got);
            free(want);
        }
    }
}

static void test_numbers(void **state)
{
    (void)state;
    static const long long ints[] = {0, 1, -1, 9, 10, -10, 1234567890123LL, LLONG_MAX,
                                     LLONG_MIN, LLONG_MIN + 1, INT_MAX, INT_MIN};
    static const double reals[] = {0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1.0 / 3, 2.0 / 3, 100.0,
                                   123456789012.0, 1234567890123.0, 1e11, 1e12, 1e15, 1e16,
                                   1e20, 1e21, -1e20, 1e100, 1e300, DBL_MAX, -DBL_MAX, 1e-4,
                                   1e-5, 1.5e-7, 1e-300, DBL_MIN, 5e-324, -2.5e-7, 0.061,
                                   45.123, 999999999999.5, 9.99999999999e-5, 1e-10, 12.0,
                                   0.001, -0.001, 0.01, 0.1, 999999999.999, -999999999.999,
                                   1e9, 1e9 - 0.001, 123456.7, 1000.0, -1000.5, 0.0999};
    for (int m = 0; m < NMODES; m++) {
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
            struct hs_jsonw w;
            hs_jsonw_init(&w, NULL, w_flags(m), 0);
            hs_jsonw_int(&w, ints[i]);
            char *got = w_take(&w);
            char *want = o_dump(json_integer(ints[i]), m, 0);
            same("integer", want, got);
            free(got);
            free(want);
        }
        for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
            struct hs_jsonw w;
            hs_jsonw_init(&w, NULL, w_flags(m), 0);
            hs_jsonw_real(&w, reals[i]);
            char *got = w_take(&w);
            char *want = o_dump(json_real(reals[i]), m, 0);
            char name[64];
            snprintf(name, sizeof name, "real %.17g", reals[i]);
            same(name, want, got);
            free(got);
            free(want);
        }
    }
    /* Random reals, most of them milliseconds to the microsecond as hstrace writes them. */
    rng_state = 7;
    for (int i = 0; i < 200000; i++) {
        double v;
        uint64_t r = rnd();
        switch (i % 4) {
        case 0: v = (double)(long long)(r % 2000000000000ull - 1000000000000ll) / 1000.0; break;
        case 1: v = (double)(long long)(r % 20000 - 10000) / 1000.0; break;
        case 2: v = (double)(long long)(r % 2000000000ull) / (double)(1 + r % 7919); break;
        default: memcpy(&v, &r, sizeof v); break; /* any bit pattern */
        }
        if (!isfinite(v))
            continue;
        struct hs_jsonw w;
        hs_jsonw_init(&w, NULL, 0, 0);
        hs_jsonw_real(&w, v);
        char *got = w_take(&w);
        char *want = o_dump(json_real(v), INDENTED, 0);
        char name[64];
        snprintf(name, sizeof name, "real %.17g", v);
        same(name, want, got);
        free(got);
        free(want);
    }
    /* jansson has no such reals; the writer writes null. */
    struct hs_jsonw w;
    hs_jsonw_init(&w, NULL, 0, 0);
    hs_jsonw_arr(&w);
    hs_jsonw_real(&w, NAN);
    hs_jsonw_real(&w, INFINITY);
    hs_jsonw_arr_end(&w);
    char *got = w_take(&w);
    assert_string_equal(got, "[\n  null,\n  null\n]");
    free(got);
}

/* Containers: empty ones, nesting, and the start depth of an enclosed value. */
static void test_layout(void **state)
{
    (void)state;
    static const char *const want[] = {
        "{\n      \"a\": [],\n      \"b\": {},\n      \"c\": [\n        [\n          1\n"
        "        ],\n        {\n          \"d\": null\n        }\n      ]\n    }",
        "{\"a\":[],\"b\":{},\"c\":[[1],{\"d\":null}]}"};
    for (int m = 0; m < 2; m++) {
        struct hs_jsonw w;
        hs_jsonw_init(&w, NULL, m ? HS_JSONW_COMPACT : 0, 2);
        hs_jsonw_obj(&w);
        hs_jsonw_key(&w, "a");
        hs_jsonw_arr(&w);
        hs_jsonw_arr_end(&w);
        hs_jsonw_key(&w, "b");
        hs_jsonw_obj(&w);
        hs_jsonw_obj_end(&w);
        hs_jsonw_key(&w, "c");
        hs_jsonw_arr(&w);
        hs_jsonw_arr(&w);
        hs_jsonw_int(&w, 1);
        hs_jsonw_arr_end(&w);
        hs_jsonw_obj(&w);
        hs_jsonw_key(&w, "d");
        hs_jsonw_str(&w, NULL);
        hs_jsonw_obj_end(&w);
        hs_jsonw_arr_end(&w);
        hs_jsonw_obj_end(&w);
        char *got = w_take(&w);
        same("layout", want[m], got);
        free(got);
    }
}

/* ---- random field trees and traces ---- */

/* A string of fragments: the hand-made strings, words, random bytes. */
static char *rnd_string(void)
{
    char buf[512];
    size_t n = 0, parts = below(5);
    for (size_t i = 0; i < parts; i++) {
        size_t k = below(4);
        if (k == 0) {
            const char *s = strings[below(sizeof strings / sizeof strings[0])];
            size_t len = strlen(s);
            if (n + len < sizeof buf) {
                memcpy(buf + n, s, len);
                n += len;
            }
        } else if (k == 1) {
            for (size_t j = below(12); j > 0 && n + 1 < sizeof buf; j--)
                buf[n++] = (char)(1 + below(255));
        } else {
            for (size_t j = below(20); j > 0 && n + 1 < sizeof buf; j--)
                buf[n++] = (char)(' ' + below(95));
        }
    }
    buf[n] = '\0';
    return hs_xstrdup(buf);
}

/* Keys from a small set, so objects repeat them; some refused, one the safe form of another. */
static const char *rnd_key(void)
{
    static const char *const keys[] = {"a", "b", "type", "", "ttfb_ms", "value", "\xff",
                                       "\\xff", "k\x01", "caf\xc3\xa9", "\xed\xa0\x80",
                                       "\\xed\\xa0\\x80", "length", "x\"y"};
    return keys[below(sizeof keys / sizeof keys[0])];
}

static long long rnd_int(void)
{
    switch (below(4)) {
    case 0: return (long long)below(100);
    case 1: return -(long long)below(100000);
    case 2: return (long long)rnd();
    default: return below(2) ? LLONG_MIN : LLONG_MAX;
    }
}

static struct hs_field *rnd_field(struct hs_field *parent, const char *name, int depth);

static void rnd_children(struct hs_field *f, int depth)
{
    /* Now and then a big object or array (objects over 16 members take the table). */
    size_t n = below(8) == 0 ? 17 + below(40) : below(6);
    for (size_t i = 0; i < n; i++)
        rnd_field(f, rnd_key(), depth + 1);
}

static struct hs_field *rnd_field(struct hs_field *parent, const char *name, int depth)
{
    size_t kind = below(depth >= 4 ? 4 : 6);
    struct hs_field *f;
    switch (kind) {
    case 0: {
        /* raw: not escaped, as a view must never trust it is */
        return hs_f_str_escaped(parent, name, rnd_string());
    }
    case 1: return hs_f_int(parent, name, rnd_int());
    case 2: return hs_f_bool(parent, name, below(2));
    case 3: return hs_f_null(parent, name);
    case 4: f = hs_f_obj(parent, name); break;
    default: f = hs_f_arr(parent, name); break;
    }
    rnd_children(f, depth);
    return f;
}

static struct hs_field *rnd_tree_or_null(bool object)
{
    if (below(3) == 0)
        return NULL;
    struct hs_field *f = object || below(4) ? hs_field_new_object() : hs_field_new_array();
    rnd_children(f, 0);
    return f;
}

static char *rnd_string_or_null(void)
{
    return below(4) == 0 ? NULL : rnd_string();
}

static double rnd_ms(void)
{
    static const double odd[] = {-1.0, 0.0, -0.0, 1e13, -1e13, 1e-9, 0.0004999, 0.0005, NAN,
                                 INFINITY, -INFINITY, 1e20};
    if (below(3) == 0)
        return odd[below(sizeof odd / sizeof odd[0])];
    return (double)(rnd() % 100000000) / (double)(1 + below(100000));
}

static void rnd_fixed(char *dst, size_t size)
{
    char *s = rnd_string();
    snprintf(dst, size, "%s", below(3) ? s : "");
    free(s);
}

static struct hs_trace *rnd_trace(size_t nevents)
{
    struct hs_trace *t = hs_trace_new();
    t->host = rnd_string_or_null();
    t->port = (unsigned)rnd();
    t->address = rnd_string_or_null();
    t->sni = rnd_string_or_null();
    t->client_address = rnd_string_or_null();
    t->error_stage = (enum hs_stage)below(HS_STAGE_STARTTLS + 1);
    t->error_message = rnd_string_or_null();
    t->exit_code = (int)below(7);
    t->handshake_done = below(2);
    rnd_fixed(t->version, sizeof t->version);
    rnd_fixed(t->cipher_suite, sizeof t->cipher_suite);
    rnd_fixed(t->group, sizeof t->group);
    t->version_id = below(2) ? -1 : (int)below(70000);
    t->cipher_suite_id = below(2) ? -1 : (int)below(70000);
    t->group_id = below(2) ? -1 : (int)below(70000);
    t->alpn = rnd_string_or_null();
    t->resumed = below(2);
    t->chain = rnd_tree_or_null(false);
    t->verified = (int)below(4) - 1;
    t->problems = rnd_tree_or_null(false);
    t->dns_ms = rnd_ms();
    t->tcp_ms = rnd_ms();
    t->tls_ms = rnd_ms();
    t->total_ms = rnd_ms();
    t->setup_ms = rnd_ms();
    t->starttls_ms = rnd_ms();
    t->round_trips = (int)below(5) - 1;
    t->tcp_inferred = below(2);
    t->hint = rnd_string_or_null();
    t->key_schedule = rnd_tree_or_null(false);
    t->fingerprints = rnd_tree_or_null(true);
    if (t->fingerprints && below(2)) {
        hs_f_str_escaped(t->fingerprints, "ja3", rnd_string());
    }
    t->decryption = rnd_tree_or_null(false);
    t->http = rnd_tree_or_null(false);
    t->http_ttfb_ms = rnd_ms();
    t->probe = rnd_tree_or_null(false);
    t->quic = rnd_tree_or_null(false);
    t->ech = rnd_tree_or_null(false);
    for (size_t i = 0; i < nevents; i++) {
        char type[32];
        rnd_fixed(type, sizeof type);
        struct hs_event *ev = hs_event_new((enum hs_side)below(2),
                                           (enum hs_layer)below(HS_LAYER_QUIC + 1), "x",
                                           rnd_ms());
        memcpy(ev->type, type, sizeof type);
        ev->encrypted = below(2);
        ev->decrypted = below(2);
        ev->inferred = below(2);
        ev->problem = below(2);
        ev->length = below(4) ? below(100000) : (size_t)rnd();
        ev->round_trip = (int)below(4) - 1;
        ev->summary = rnd_string_or_null();
        ev->explain = rnd_string_or_null();
        if (below(4) == 0) { /* a root that is not an object, or none */
            hs_field_free(ev->fields);
            ev->fields = below(2) ? hs_field_new_array() : NULL;
        } else {
            rnd_children(ev->fields, 0);
        }
        for (size_t k = below(4); k > 0; k--)
            hs_event_add_frame(ev, below(2) ? rnd() : below(1000));
        hs_trace_add(t, ev);
    }
    return t;
}

static void test_random_traces(void **state)
{
    (void)state;
    for (unsigned seed = 1; seed <= 400; seed++) {
        rng_state = 0x9e3779b97f4a7c15ull * seed;
        struct hs_trace *t = rnd_trace(below(6));
        char what[32];
        snprintf(what, sizeof what, "random trace %u", seed);
        check_trace(t, what);
        hs_trace_free(t);
    }
}

/* A document over the writer's 64 KiB chunk: written out in pieces, the same bytes. */
static void test_big_trace(void **state)
{
    (void)state;
    rng_state = 42;
    struct hs_trace *t = rnd_trace(400);
    check_trace(t, "big trace");
    hs_trace_free(t);
}

/* A capture document through hs_capture_json_begin/conn/end: the connections as the old
 * stream wrote them (each object re-indented by four spaces); every other connection written
 * ahead of its number (hs_capture_json_prepare, then put with the number), with the same
 * bytes. */
static void test_capture_stream(void **state)
{
    (void)state;
    for (int ascii = 0; ascii < 2; ascii++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        struct hs_json_stream js;
        hs_capture_json_begin(&js, f, ascii);
        char *want = hs_xasprintf("{\n  \"hstrace\": \"%s\",\n  \"schema_version\": \"%s\",\n"
                                  "  \"connections\": [", HS_VERSION, HS_JSON_SCHEMA_VERSION);
        static const unsigned long numbers[] = {1, 9, 10, 4294967296UL, 123456789, 0};
        for (unsigned k = 1; k <= 6; k++) {
            rng_state = 1000 + k;
            struct hs_trace *t = rnd_trace(3);
            struct hs_capture_conn c = {.number = numbers[k - 1], .packets = 10 * k};
            if (k % 2 == 0) {
                struct hs_capture_conn early = c;
                early.number = 77; /* not known yet: ignored */
                struct hs_json_prepared *p = hs_capture_json_prepare(t, &early, ascii);
                hs_capture_json_discard(hs_capture_json_prepare(t, &early, ascii));
                hs_capture_json_put(&js, p, &c);
            } else {
                hs_capture_json_conn(&js, t, &c);
            }
            char *obj = o_dump(o_trace(t, &c), ascii ? ASCII : INDENTED, 4);
            char *more = hs_xasprintf("%s%s\n    %s", want, k > 1 ? "," : "", obj);
            free(want);
            free(obj);
            want = more;
            hs_trace_free(t);
        }
        (void)hs_capture_json_end(&js, &(struct hs_capture_source){.file = "x.pcap"});
        assert_int_equal(fclose(f), 0);
        assert_true(len > strlen(want));
        buf[strlen(want)] = '\0'; /* the tail ("source") is jansson's, as before */
        same("capture stream", want, buf);
        free(want);
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strings_and_keys),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_random_traces),
        cmocka_unit_test(test_big_trace),
        cmocka_unit_test(test_capture_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
