/*
 * The JSON document (contract: man/hstrace-json.schema.json), written as it is walked through
 * the streaming writer (jsonw.h), whose bytes are those jansson dumped when the document was
 * a jansson tree.  Every string that is not valid UTF-8 is written as its hs_view_safe() copy,
 * which is valid by construction; the document is therefore always complete and valid, on
 * failures too.  Output is UTF-8, not ASCII-escaped (names stay readable, and every string in
 * it is printable once decoded), unless the locale is not UTF-8: then every non-ASCII
 * character is written as \uXXXX.
 */
#include "view.h"

#include "jsonw.h"
#include "safe.h"

#include "../core/conn.h"
#include "../core/mem.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

/* Milliseconds rounded to the microsecond, so the output carries no binary noise (by hand:
 * the program does not link libm). */
static double round_us(double ms)
{
    if (!isfinite(ms) || ms > 1e12 || ms < -1e12)
        return 0;
    long long us = (long long)(ms * 1000.0 + (ms < 0 ? -0.5 : 0.5));
    return (double)us / 1000.0;
}

/* A duration, or null when unknown (< 0). */
static void ms_out(struct hs_jsonw *w, double ms)
{
    if (ms < 0 || !isfinite(ms))
        hs_jsonw_null(w);
    else
        hs_jsonw_real(w, round_us(ms));
}


/* A member: its key, then its value. */
static void key_str(struct hs_jsonw *w, const char *key, const char *s)
{
    hs_jsonw_key(w, key);
    hs_jsonw_str(w, s);
}

static void key_int(struct hs_jsonw *w, const char *key, long long v)
{
    hs_jsonw_key(w, key);
    hs_jsonw_int(w, v);
}

static void key_bool(struct hs_jsonw *w, const char *key, bool v)
{
    hs_jsonw_key(w, key);
    hs_jsonw_bool(w, v);
}

static void key_real(struct hs_jsonw *w, const char *key, double v)
{
    hs_jsonw_key(w, key);
    hs_jsonw_real(w, v);
}

static void key_ms(struct hs_jsonw *w, const char *key, double ms)
{
    hs_jsonw_key(w, key);
    ms_out(w, ms);
}

/* The string, or null when empty (fixed-size "unknown" fields of the trace). */
static void key_str_or_null(struct hs_jsonw *w, const char *key, const char *s)
{
    key_str(w, key, s && s[0] ? s : NULL);
}

/* An integer that is null when negative (unknown). */
static void key_int_or_null(struct hs_jsonw *w, const char *key, long long v)
{
    hs_jsonw_key(w, key);
    if (v < 0)
        hs_jsonw_null(w);
    else
        hs_jsonw_int(w, v);
}

static void field_out(struct hs_jsonw *w, const struct hs_field *f);

static const char *key_of(const struct hs_field *k)
{
    return k->name ? k->name : "";
}

/* ---- objects of the field tree, with jansson's semantics ----
 * An object took its members by json_object_set_new: a key given twice keeps its first
 * position and gets the last value; a key that is not valid UTF-8 was stored as its safe copy
 * with null.  Most objects are small with plain, distinct keys: written straight.  The others
 * go through a table of their distinct keys. */

#define SMALL_OBJECT 16

/* Whether the members can be written as they are: few, valid and distinct keys. */
static bool keys_plain(const struct hs_field *obj)
{
    size_t n = 0;
    for (const struct hs_field *k = obj->child; k; k = k->next) {
        if (++n > SMALL_OBJECT || !hs_jsonw_utf8_ok(key_of(k)))
            return false;
        const char *key = key_of(k);
        for (const struct hs_field *j = obj->child; j != k; j = j->next)
            if (key_of(j)[0] == key[0] && strcmp(key_of(j), key) == 0)
                return false;
    }
    return true;
}

struct member {
    const char *key;
    char *own;                /* the safe copy of an invalid key (then key points to it) */
    const struct hs_field *v; /* the value, NULL for the extra member */
    bool null;                /* the last key given was invalid: null */
};

static size_t key_hash(const char *s)
{
    static const char seed; /* its address: a per-process seed (address-space layout) */
    uint64_t h = 0xcbf29ce484222325ull ^ (uint64_t)(uintptr_t)&seed;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    return (size_t)(h ^ (h >> 29));
}

/* Adds key (with value v, NULL: the extra member) to the distinct members m[0..*nm). */
static void member_add(struct member *m, size_t *nm, size_t *slot, size_t mask, const char *key,
                       const struct hs_field *v)
{
    char *own = NULL;
    bool null = false;
    if (!hs_jsonw_utf8_ok(key)) {
        own = hs_view_safe(key, false);
        key = own;
        null = true;
    }
    size_t h = key_hash(key) & mask;
    while (slot[h] != SIZE_MAX && strcmp(m[slot[h]].key, key) != 0)
        h = (h + 1) & mask;
    if (slot[h] == SIZE_MAX) {
        slot[h] = *nm;
        m[(*nm)++] = (struct member){.key = key, .own = own, .v = v, .null = null};
    } else {
        m[slot[h]].v = v;
        m[slot[h]].null = null;
        free(own);
    }
}

/* The object f (NULL: empty), plus extra_key (if not NULL) set last to extra_ms. */
static void object_out(struct hs_jsonw *w, const struct hs_field *f, const char *extra_key,
                       double extra_ms)
{
    hs_jsonw_obj(w);
    if (extra_key == NULL && (f == NULL || keys_plain(f))) {
        for (const struct hs_field *k = f ? f->child : NULL; k; k = k->next) {
            hs_jsonw_key(w, key_of(k));
            field_out(w, k);
        }
        hs_jsonw_obj_end(w);
        return;
    }
    size_t n = (f ? hs_f_count(f) : 0) + (extra_key != NULL);
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    struct member *m = hs_xcalloc(n, sizeof *m);
    size_t *slot = hs_xmalloc(cap * sizeof *slot);
    memset(slot, 0xff, cap * sizeof *slot); /* SIZE_MAX: empty */
    size_t nm = 0, added = 0;
    for (const struct hs_field *k = f ? f->child : NULL; k && added < n; k = k->next, added++)
        member_add(m, &nm, slot, cap - 1, key_of(k), k);
    if (extra_key)
        member_add(m, &nm, slot, cap - 1, extra_key, NULL);
    for (size_t i = 0; i < nm; i++) {
        hs_jsonw_key(w, m[i].key);
        if (m[i].null)
            hs_jsonw_null(w);
        else if (m[i].v == NULL)
            ms_out(w, extra_ms);
        else
            field_out(w, m[i].v);
        free(m[i].own);
    }
    free(slot);
    free(m);
    hs_jsonw_obj_end(w);
}

/* The field tree, one to one: objects, arrays, strings, integers, booleans, nulls. */
static void field_out(struct hs_jsonw *w, const struct hs_field *f)
{
    if (f == NULL) {
        hs_jsonw_null(w);
        return;
    }
    switch (f->kind) {
    case HS_F_OBJECT:
        object_out(w, f, NULL, 0);
        return;
    case HS_F_ARRAY:
        hs_jsonw_arr(w);
        for (const struct hs_field *k = f->child; k; k = k->next)
            field_out(w, k);
        hs_jsonw_arr_end(w);
        return;
    case HS_F_STRING:
        hs_jsonw_str(w, f->str ? f->str : "");
        return;
    case HS_F_INT:
        hs_jsonw_int(w, f->num);
        return;
    case HS_F_BOOL:
        hs_jsonw_bool(w, f->num != 0);
        return;
    case HS_F_NULL:
        break;
    }
    hs_jsonw_null(w);
}

/* An array node (or NULL) as a JSON array, never null. */
static void array_out(struct hs_jsonw *w, const struct hs_field *f)
{
    if (f == NULL || f->kind != HS_F_ARRAY) {
        hs_jsonw_arr(w);
        hs_jsonw_arr_end(w);
    } else {
        field_out(w, f);
    }
}

/* ---- the document ---- */

static void event_out(struct hs_jsonw *w, const struct hs_event *ev, bool capture)
{
    hs_jsonw_obj(w);
    key_real(w, "t_ms", round_us(ev->t_ms));
    key_str(w, "from", hs_side_name(ev->from));
    key_str(w, "layer", hs_layer_name(ev->layer));
    key_str(w, "type", ev->type[0] ? ev->type : "unknown");
    key_bool(w, "encrypted", ev->encrypted);
    key_bool(w, "decrypted", ev->decrypted);
    key_bool(w, "inferred", ev->inferred);
    key_bool(w, "problem", ev->problem);
    key_int(w, "length", (long long)ev->length);
    hs_jsonw_key(w, "round_trip");
    if (ev->round_trip > 0)
        hs_jsonw_int(w, ev->round_trip);
    else
        hs_jsonw_null(w);
    hs_jsonw_key(w, "fields");
    object_out(w, ev->fields && ev->fields->kind == HS_F_OBJECT ? ev->fields : NULL, NULL, 0);
    key_str(w, "summary", ev->summary ? ev->summary : "");
    key_str(w, "explain", ev->explain);
    /* In a capture every event names its frames, if only as [] (notes, declared gaps). */
    if (ev->nframes > 0 || capture) {
        hs_jsonw_key(w, "frames");
        hs_jsonw_arr(w);
        for (size_t i = 0; i < ev->nframes; i++)
            hs_jsonw_int(w, (long long)ev->frames[i]);
        hs_jsonw_arr_end(w);
    }
    hs_jsonw_obj_end(w);
}

static void target_out(struct hs_jsonw *w, const struct hs_trace *t)
{
    hs_jsonw_key(w, "target");
    hs_jsonw_obj(w);
    key_str(w, "host", t->host);
    key_int(w, "port", t->port);
    key_str(w, "address", t->address);
    key_str(w, "sni", t->sni);
    if (t->client_address) {
        key_str(w, "client_address", t->client_address);
    }
    hs_jsonw_obj_end(w);
}

static void result_out(struct hs_jsonw *w, const struct hs_trace *t)
{
    bool ok = t->error_stage == HS_STAGE_NONE && t->handshake_done;
    /* --probe: a ServerHello read is what a probe is for; it never completes a handshake. */
    bool probed = t->probe && t->error_stage == HS_STAGE_NONE;
    key_str(w, "result", ok ? "ok" : probed ? "probe" : "failed");
    const char *stage = hs_stage_name(t->error_stage);
    hs_jsonw_key(w, "error");
    if (stage) {
        hs_jsonw_obj(w);
        key_str(w, "stage", stage);
        key_str(w, "message", t->error_message ? t->error_message : "");
        hs_jsonw_obj_end(w);
    } else {
        hs_jsonw_null(w);
    }
    key_int(w, "exit_code", t->exit_code);
}

static void tls_out(struct hs_jsonw *w, const struct hs_trace *t)
{
    hs_jsonw_key(w, "tls");
    hs_jsonw_obj(w);
    key_str_or_null(w, "version", t->version);
    key_str_or_null(w, "cipher_suite", t->cipher_suite);
    key_str_or_null(w, "group", t->group);
    key_int_or_null(w, "version_id", t->version_id);
    key_int_or_null(w, "cipher_suite_id", t->cipher_suite_id);
    key_int_or_null(w, "group_id", t->group_id);
    key_str(w, "alpn", t->alpn);
    key_bool(w, "resumed", t->resumed);
    hs_jsonw_obj_end(w);

    static const char *const fp_keys[] = {"ja3", "ja3_string", "ja3s", "ja3s_string", "ja4",
                                          "ja4s"};
    hs_jsonw_key(w, "fingerprints");
    hs_jsonw_obj(w);
    for (size_t i = 0; i < sizeof fp_keys / sizeof fp_keys[0]; i++) {
        hs_jsonw_key(w, fp_keys[i]);
        hs_jsonw_str(w, t->fingerprints ? hs_f_get_str(t->fingerprints, fp_keys[i]) : NULL);
    }
    hs_jsonw_obj_end(w);

    hs_jsonw_key(w, "certificate");
    hs_jsonw_obj(w);
    hs_jsonw_key(w, "verified");
    if (t->verified < 0)
        hs_jsonw_null(w);
    else
        hs_jsonw_bool(w, t->verified == 1);
    hs_jsonw_key(w, "problems");
    array_out(w, t->problems);
    hs_jsonw_key(w, "chain");
    array_out(w, t->chain);
    hs_jsonw_obj_end(w);
}

static void timing_out(struct hs_jsonw *w, const struct hs_trace *t)
{
    hs_jsonw_key(w, "timing");
    hs_jsonw_obj(w);
    key_ms(w, "dns_ms", t->dns_ms);
    key_ms(w, "tcp_ms", t->tcp_ms);
    if (t->starttls_ms >= 0) { /* --starttls only */
        key_ms(w, "starttls_ms", t->starttls_ms);
    }
    key_ms(w, "tls_ms", t->tls_ms);
    key_ms(w, "total_ms", t->total_ms);
    key_ms(w, "setup_ms", t->setup_ms);
    key_int_or_null(w, "round_trips", t->round_trips);
    hs_jsonw_obj_end(w);
}

/* A member that is there only when f is (the optional parts: each when its mode gave it). */
static void key_field(struct hs_jsonw *w, const char *key, const struct hs_field *f)
{
    if (f) {
        hs_jsonw_key(w, key);
        field_out(w, f);
    }
}

/* The optional parts. */
static void optional_out(struct hs_jsonw *w, const struct hs_trace *t)
{
    key_field(w, "key_schedule", t->key_schedule); /* only with --keys: secret material */
    key_field(w, "decryption", t->decryption); /* captures (-r) only */
    if (t->http) { /* --http only; "ttfb_ms" is set on it when it is an object */
        hs_jsonw_key(w, "http");
        if (t->http->kind == HS_F_OBJECT)
            object_out(w, t->http, "ttfb_ms", t->http_ttfb_ms);
        else
            field_out(w, t->http);
    }
    key_field(w, "probe", t->probe); /* --probe only */
    key_field(w, "ech", t->ech); /* a ClientHello offered Encrypted Client Hello */
}

static void u64_out(struct hs_jsonw *w, const char *key, uint64_t v)
{
    hs_jsonw_key(w, key);
    hs_jsonw_int(w, v > (uint64_t)INT64_MAX ? INT64_MAX : (long long)v);
}

/* A capture connection's own keys, after the events; returns where its number starts in w's
 * buffer. */
static size_t conn_out(struct hs_jsonw *w, const struct hs_capture_conn *c)
{
    hs_jsonw_key(w, "connection");
    size_t at = w->len;
    hs_jsonw_int(w, (long long)c->number);
    hs_jsonw_key(w, "tcp");
    hs_jsonw_obj(w);
    u64_out(w, "packets", c->packets);
    u64_out(w, "retransmissions", c->retransmissions);
    u64_out(w, "out_of_order", c->out_of_order);
    u64_out(w, "conflicting_overlaps", c->conflicts);
    u64_out(w, "gaps", c->gaps);
    u64_out(w, "gap_bytes", c->gap_bytes);
    u64_out(w, "time_anomalies", c->time_anomalies);
    hs_jsonw_obj_end(w);
    return at;
}

size_t hs_view_json_write(struct hs_jsonw *w, const struct hs_trace *t,
                          const struct hs_capture_conn *c)
{
    size_t number_at = 0;
    hs_jsonw_obj(w);
    if (c == NULL) {
        key_str(w, "hstrace", HS_VERSION);
        key_str(w, "schema_version", HS_JSON_SCHEMA_VERSION);
    }
    target_out(w, t);
    if (t->quic) { /* a QUIC connection of a capture; absent: TCP */
        key_str(w, "transport", "quic");
        hs_jsonw_key(w, "quic");
        field_out(w, t->quic);
    }
    result_out(w, t);
    tls_out(w, t);
    timing_out(w, t);
    key_bool(w, "tcp_inferred", t->tcp_inferred);
    key_str(w, "hint", t->hint);
    optional_out(w, t);
    hs_jsonw_key(w, "events");
    hs_jsonw_arr(w);
    for (const struct hs_event *ev = t->first; ev; ev = ev->next)
        event_out(w, ev, c != NULL);
    hs_jsonw_arr_end(w);
    if (c)
        number_at = conn_out(w, c);
    hs_jsonw_obj_end(w);
    return number_at;
}

size_t hs_json_flags(bool ascii)
{
    /* 12 significant digits: enough for microseconds over hours, no binary noise. */
    return JSON_INDENT(2) | JSON_REAL_PRECISION(12) | (ascii ? JSON_ENSURE_ASCII : 0);
}

/* The document through a writer of its own, a newline after it, then flushed. */
static int json_doc(FILE *out, const struct hs_trace *t, unsigned flags)
{
    struct hs_jsonw w;
    hs_jsonw_init(&w, out, flags, 0);
    (void)hs_view_json_write(&w, t, NULL);
    hs_jsonw_raw(&w, "\n", 1);
    int r = hs_jsonw_flush(&w);
    hs_jsonw_free(&w);
    return r != 0 || fflush(out) != 0 ? -1 : 0;
}

int hs_view_json(FILE *out, const struct hs_trace *t, bool ascii)
{
    return json_doc(out, t, ascii ? HS_JSONW_ASCII : 0);
}

int hs_view_json_line(FILE *out, const struct hs_trace *t, bool ascii)
{
    return json_doc(out, t, HS_JSONW_COMPACT | (ascii ? HS_JSONW_ASCII : 0));
}
