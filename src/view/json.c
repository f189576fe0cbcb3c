/*
 * The JSON document (contract: man/hstrace-json.schema.json), built with jansson.  Every
 * string goes through str_json(): jansson refuses invalid UTF-8, so a string it refuses is
 * replaced by its hs_view_safe() copy, which is valid by construction; the document is
 * therefore always complete and valid, on failures too.  Output is UTF-8, not ASCII-escaped
 * (names stay readable, and every string in it is printable once decoded), unless the locale
 * is not UTF-8: then every non-ASCII character is written as \uXXXX.
 */
#include "view.h"

#include "safe.h"

#include <math.h>
#include <stdlib.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

static json_t *str_json(const char *s)
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

/* The string, or null when empty (fixed-size "unknown" fields of the trace). */
static json_t *str_or_null(const char *s)
{
    return s && s[0] ? str_json(s) : json_null();
}

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
static json_t *ms_json(double ms)
{
    if (ms < 0 || !isfinite(ms))
        return json_null();
    return json_real(round_us(ms));
}

static void set_new(json_t *obj, const char *key, json_t *value)
{
    if (json_object_set_new(obj, key, value) == 0)
        return;
    /* The key was not valid UTF-8 (json_object_set_new consumed value): store it safe. */
    char *safe = hs_view_safe(key, false);
    (void)json_object_set_new(obj, safe, json_null());
    free(safe);
}

/* The field tree, one to one: objects, arrays, strings, integers, booleans, nulls. */
static json_t *field_json(const struct hs_field *f)
{
    if (f == NULL)
        return json_null();
    switch (f->kind) {
    case HS_F_OBJECT: {
        json_t *obj = json_object();
        for (const struct hs_field *k = f->child; k; k = k->next)
            set_new(obj, k->name ? k->name : "", field_json(k));
        return obj;
    }
    case HS_F_ARRAY: {
        json_t *arr = json_array();
        for (const struct hs_field *k = f->child; k; k = k->next)
            json_array_append_new(arr, field_json(k));
        return arr;
    }
    case HS_F_STRING:
        return str_json(f->str ? f->str : "");
    case HS_F_INT:
        return json_integer((json_int_t)f->num);
    case HS_F_BOOL:
        return json_boolean(f->num != 0);
    case HS_F_NULL:
        return json_null();
    }
    return json_null();
}

/* An array node (or NULL) as a JSON array, never null. */
static json_t *array_json(const struct hs_field *f)
{
    if (f == NULL || f->kind != HS_F_ARRAY)
        return json_array();
    return field_json(f);
}

static json_t *event_json(const struct hs_event *ev)
{
    json_t *e = json_object();
    set_new(e, "t_ms", json_real(round_us(ev->t_ms)));
    set_new(e, "from", json_string(hs_side_name(ev->from)));
    set_new(e, "layer", json_string(hs_layer_name(ev->layer)));
    set_new(e, "type", str_json(ev->type[0] ? ev->type : "unknown"));
    set_new(e, "encrypted", json_boolean(ev->encrypted));
    set_new(e, "decrypted", json_boolean(ev->decrypted));
    set_new(e, "inferred", json_boolean(ev->inferred));
    set_new(e, "problem", json_boolean(ev->problem));
    set_new(e, "length", json_integer((json_int_t)ev->length));
    set_new(e, "round_trip", ev->round_trip > 0 ? json_integer(ev->round_trip) : json_null());
    json_t *fields = field_json(ev->fields);
    if (!json_is_object(fields)) {
        json_decref(fields);
        fields = json_object();
    }
    set_new(e, "fields", fields);
    set_new(e, "summary", str_json(ev->summary ? ev->summary : ""));
    set_new(e, "explain", str_json(ev->explain));
    if (ev->nframes > 0) {
        json_t *frames = json_array();
        for (size_t i = 0; i < ev->nframes; i++)
            json_array_append_new(frames, json_integer((json_int_t)ev->frames[i]));
        set_new(e, "frames", frames);
    }
    return e;
}

json_t *hs_trace_to_json(const struct hs_trace *t)
{
    json_t *doc = json_object();
    set_new(doc, "hstrace", json_string(HS_VERSION));
    set_new(doc, "schema_version", json_string(HS_JSON_SCHEMA_VERSION));

    json_t *target = json_object();
    set_new(target, "host", str_json(t->host));
    set_new(target, "port", json_integer(t->port));
    set_new(target, "address", str_json(t->address));
    set_new(target, "sni", str_json(t->sni));
    if (t->client_address)
        set_new(target, "client_address", str_json(t->client_address));
    set_new(doc, "target", target);
    if (t->quic) { /* a QUIC connection of a capture; absent: TCP */
        set_new(doc, "transport", json_string("quic"));
        set_new(doc, "quic", field_json(t->quic));
    }

    bool ok = t->error_stage == HS_STAGE_NONE && t->handshake_done;
    /* --probe: a ServerHello read is what a probe is for; it never completes a handshake. */
    bool probed = t->probe && t->error_stage == HS_STAGE_NONE;
    set_new(doc, "result", json_string(ok ? "ok" : probed ? "probe" : "failed"));
    const char *stage = hs_stage_name(t->error_stage);
    if (stage) {
        json_t *err = json_object();
        set_new(err, "stage", json_string(stage));
        set_new(err, "message", str_json(t->error_message ? t->error_message : ""));
        set_new(doc, "error", err);
    } else {
        set_new(doc, "error", json_null());
    }
    set_new(doc, "exit_code", json_integer(t->exit_code));

    json_t *tls = json_object();
    set_new(tls, "version", str_or_null(t->version));
    set_new(tls, "cipher_suite", str_or_null(t->cipher_suite));
    set_new(tls, "group", str_or_null(t->group));
    set_new(tls, "version_id", t->version_id >= 0 ? json_integer(t->version_id) : json_null());
    set_new(tls, "cipher_suite_id",
            t->cipher_suite_id >= 0 ? json_integer(t->cipher_suite_id) : json_null());
    set_new(tls, "group_id", t->group_id >= 0 ? json_integer(t->group_id) : json_null());
    set_new(tls, "alpn", str_json(t->alpn));
    set_new(tls, "resumed", json_boolean(t->resumed));
    set_new(doc, "tls", tls);

    static const char *const fp_keys[] = {"ja3", "ja3_string", "ja3s", "ja3s_string", "ja4",
                                          "ja4s"};
    json_t *fp = json_object();
    for (size_t i = 0; i < sizeof fp_keys / sizeof fp_keys[0]; i++)
        set_new(fp, fp_keys[i], str_json(t->fingerprints ? hs_f_get_str(t->fingerprints,
                                                                          fp_keys[i]) : NULL));
    set_new(doc, "fingerprints", fp);

    json_t *cert = json_object();
    set_new(cert, "verified", t->verified < 0 ? json_null() : json_boolean(t->verified == 1));
    set_new(cert, "problems", array_json(t->problems));
    set_new(cert, "chain", array_json(t->chain));
    set_new(doc, "certificate", cert);

    json_t *timing = json_object();
    set_new(timing, "dns_ms", ms_json(t->dns_ms));
    set_new(timing, "tcp_ms", ms_json(t->tcp_ms));
    if (t->starttls_ms >= 0) /* --starttls only */
        set_new(timing, "starttls_ms", ms_json(t->starttls_ms));
    set_new(timing, "tls_ms", ms_json(t->tls_ms));
    set_new(timing, "total_ms", ms_json(t->total_ms));
    set_new(timing, "setup_ms", ms_json(t->setup_ms));
    set_new(timing, "round_trips", t->round_trips < 0 ? json_null() : json_integer(t->round_trips));
    set_new(doc, "timing", timing);

    set_new(doc, "tcp_inferred", json_boolean(t->tcp_inferred));
    set_new(doc, "hint", str_json(t->hint));
    if (t->key_schedule) /* only with --keys: secret material */
        set_new(doc, "key_schedule", field_json(t->key_schedule));
    if (t->decryption) /* captures (-r) only */
        set_new(doc, "decryption", field_json(t->decryption));
    if (t->http) { /* --http only */
        json_t *http = field_json(t->http);
        set_new(http, "ttfb_ms", ms_json(t->http_ttfb_ms));
        set_new(doc, "http", http);
    }
    if (t->probe) /* --probe only */
        set_new(doc, "probe", field_json(t->probe));
    if (t->ech) /* a ClientHello offered Encrypted Client Hello */
        set_new(doc, "ech", field_json(t->ech));

    json_t *events = json_array();
    for (const struct hs_event *ev = t->first; ev; ev = ev->next)
        json_array_append_new(events, event_json(ev));
    set_new(doc, "events", events);
    return doc;
}

size_t hs_json_flags(bool ascii)
{
    /* 12 significant digits: enough for microseconds over hours, no binary noise. */
    return JSON_INDENT(2) | JSON_REAL_PRECISION(12) | (ascii ? JSON_ENSURE_ASCII : 0);
}

int hs_view_json(FILE *out, const struct hs_trace *t, bool ascii)
{
    json_t *doc = hs_trace_to_json(t);
    int r = json_dumpf(doc, out, hs_json_flags(ascii));
    json_decref(doc);
    if (r != 0 || fputc('\n', out) == EOF || fflush(out) != 0)
        return -1;
    return 0;
}
