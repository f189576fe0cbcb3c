/* The trace: events in time order plus what was learned about the connection. */
#include "trace.h"

#include "escape.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hs_trace *hs_trace_new(void)
{
    struct hs_trace *t = hs_xcalloc(1, sizeof *t);
    t->verified = -1;
    t->dns_ms = t->tcp_ms = t->tls_ms = t->total_ms = t->setup_ms = t->starttls_ms = -1;
    t->round_trips = -1;
    t->http_ttfb_ms = -1;
    t->version_id = t->cipher_suite_id = t->group_id = -1;
    return t;
}

static char *dup_or_null(const char *s)
{
    return s ? hs_xstrdup(s) : NULL;
}

void hs_trace_copy_header(struct hs_trace *dst, const struct hs_trace *src)
{
    free(dst->host);
    free(dst->address);
    free(dst->sni);
    free(dst->client_address);
    free(dst->error_message);
    free(dst->alpn);
    free(dst->hint);
    hs_field_free(dst->chain);
    hs_field_free(dst->problems);
    hs_field_free(dst->key_schedule);
    hs_field_free(dst->fingerprints);
    hs_field_free(dst->decryption);
    hs_field_free(dst->http);
    hs_field_free(dst->probe);
    hs_field_free(dst->quic);
    hs_field_free(dst->ech);
    dst->host = dup_or_null(src->host);
    dst->port = src->port;
    dst->address = dup_or_null(src->address);
    dst->sni = dup_or_null(src->sni);
    dst->client_address = dup_or_null(src->client_address);
    dst->error_stage = src->error_stage;
    dst->error_message = dup_or_null(src->error_message);
    dst->exit_code = src->exit_code;
    dst->handshake_done = src->handshake_done;
    memcpy(dst->version, src->version, sizeof dst->version);
    memcpy(dst->cipher_suite, src->cipher_suite, sizeof dst->cipher_suite);
    memcpy(dst->group, src->group, sizeof dst->group);
    dst->version_id = src->version_id;
    dst->cipher_suite_id = src->cipher_suite_id;
    dst->group_id = src->group_id;
    dst->alpn = dup_or_null(src->alpn);
    dst->resumed = src->resumed;
    dst->chain = hs_field_clone(src->chain);
    dst->verified = src->verified;
    dst->problems = hs_field_clone(src->problems);
    dst->dns_ms = src->dns_ms;
    dst->tcp_ms = src->tcp_ms;
    dst->tls_ms = src->tls_ms;
    dst->total_ms = src->total_ms;
    dst->setup_ms = src->setup_ms;
    dst->starttls_ms = src->starttls_ms;
    dst->round_trips = src->round_trips;
    dst->tcp_inferred = src->tcp_inferred;
    dst->hint = dup_or_null(src->hint);
    dst->key_schedule = hs_field_clone(src->key_schedule);
    dst->fingerprints = hs_field_clone(src->fingerprints);
    dst->decryption = hs_field_clone(src->decryption);
    dst->http = hs_field_clone(src->http);
    dst->http_ttfb_ms = src->http_ttfb_ms;
    dst->probe = hs_field_clone(src->probe);
    dst->quic = hs_field_clone(src->quic);
    dst->ech = hs_field_clone(src->ech);
}

void hs_trace_free(struct hs_trace *t)
{
    if (t == NULL)
        return;
    struct hs_event *e = t->first;
    while (e) {
        struct hs_event *n = e->next;
        hs_event_free(e);
        e = n;
    }
    free(t->host);
    free(t->address);
    free(t->sni);
    free(t->client_address);
    free(t->error_message);
    free(t->alpn);
    free(t->hint);
    hs_field_free(t->chain);
    hs_field_free(t->problems);
    hs_field_free(t->key_schedule);
    hs_field_free(t->fingerprints);
    hs_field_free(t->decryption);
    hs_field_free(t->http);
    hs_field_free(t->probe);
    hs_field_free(t->quic);
    hs_field_free(t->ech);
    free(t);
}

struct hs_event *hs_event_new(enum hs_side from, enum hs_layer layer, const char *type,
                              double t_ms)
{
    struct hs_event *ev = hs_xcalloc(1, sizeof *ev);
    ev->from = from;
    ev->layer = layer;
    ev->t_ms = t_ms;
    snprintf(ev->type, sizeof ev->type, "%s", type ? type : "");
    ev->fields = hs_field_new_object();
    return ev;
}

void hs_event_free(struct hs_event *ev)
{
    if (ev == NULL)
        return;
    free(ev->summary);
    free(ev->explain);
    hs_field_free(ev->fields);
    free(ev->bytes);
    free(ev->wire);
    free(ev->frames);
    free(ev);
}

struct hs_event *hs_event_clone(const struct hs_event *ev)
{
    struct hs_event *c = hs_xmalloc(sizeof *c);
    *c = *ev;
    c->prev = c->next = NULL;
    c->summary = ev->summary ? hs_xstrdup(ev->summary) : NULL;
    c->explain = ev->explain ? hs_xstrdup(ev->explain) : NULL;
    c->fields = hs_field_clone(ev->fields);
    c->bytes = ev->bytes ? hs_xmemdup(ev->bytes, ev->nbytes) : NULL;
    c->wire = ev->wire ? hs_xmemdup(ev->wire, ev->nwire) : NULL;
    c->frames = ev->frames ? hs_xmemdup(ev->frames, ev->nframes * sizeof *ev->frames) : NULL;
    return c;
}

void hs_event_summary(struct hs_event *ev, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *tmp = hs_xvasprintf(fmt, ap);
    va_end(ap);
    free(ev->summary);
    ev->summary = hs_escape_str(tmp);
    free(tmp);
}

void hs_event_set_bytes(struct hs_event *ev, const uint8_t *p, size_t n)
{
    free(ev->bytes);
    ev->bytes = hs_xmemdup(p, n);
    ev->nbytes = n;
}

void hs_event_set_wire(struct hs_event *ev, const uint8_t *p, size_t n)
{
    free(ev->wire);
    ev->wire = hs_xmemdup(p, n);
    ev->nwire = n;
}

void hs_event_add_frame(struct hs_event *ev, uint64_t frame)
{
    if (ev->nframes > 0 && ev->frames[ev->nframes - 1] == frame)
        return;
    ev->frames = hs_xrealloc(ev->frames, (ev->nframes + 1) * sizeof *ev->frames);
    ev->frames[ev->nframes++] = frame;
}

void hs_trace_add(struct hs_trace *t, struct hs_event *ev)
{
    struct hs_event *after = t->last;
    while (after && after->t_ms > ev->t_ms)
        after = after->prev;
    ev->prev = after;
    ev->next = after ? after->next : t->first;
    if (ev->next)
        ev->next->prev = ev;
    else
        t->last = ev;
    if (after)
        after->next = ev;
    else
        t->first = ev;
    t->nevents++;
    if (t->listener)
        t->listener(t->listener_ctx, t, ev);
}

static int stage_exit(enum hs_stage s)
{
    switch (s) {
    case HS_STAGE_NONE: return HS_EXIT_OK;
    case HS_STAGE_DNS:
    case HS_STAGE_CONNECT: return HS_EXIT_CONNECT;
    case HS_STAGE_TIMEOUT: return HS_EXIT_TIMEOUT;
    case HS_STAGE_TLS:
    case HS_STAGE_STARTTLS: return HS_EXIT_TLS;
    case HS_STAGE_VERIFY: return HS_EXIT_VERIFY;
    case HS_STAGE_USAGE: return HS_EXIT_USAGE;
    }
    return HS_EXIT_TLS;
}

void hs_trace_fail(struct hs_trace *t, enum hs_stage stage, const char *fmt, ...)
{
    if (t->error_stage != HS_STAGE_NONE)
        return;
    va_list ap;
    va_start(ap, fmt);
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->error_stage = stage;
    free(t->error_message);
    t->error_message = hs_escape_again(buf); /* peer parts were escaped by the caller */
    t->exit_code = stage_exit(stage);
}

const char *hs_stage_name(enum hs_stage s)
{
    switch (s) {
    case HS_STAGE_NONE: return NULL;
    case HS_STAGE_DNS: return "dns";
    case HS_STAGE_CONNECT: return "connect";
    case HS_STAGE_TIMEOUT: return "timeout";
    case HS_STAGE_TLS: return "tls";
    case HS_STAGE_VERIFY: return "verify";
    case HS_STAGE_USAGE: return "usage";
    case HS_STAGE_STARTTLS: return "starttls";
    }
    return NULL;
}

const char *hs_side_name(enum hs_side s) { return s == HS_CLIENT ? "client" : "server"; }

const char *hs_layer_name(enum hs_layer l)
{
    switch (l) {
    case HS_LAYER_TCP: return "tcp";
    case HS_LAYER_TLS: return "tls";
    case HS_LAYER_STARTTLS: return "starttls";
    case HS_LAYER_QUIC: return "quic";
    case HS_LAYER_LIBRARY: break;
    }
    return "library";
}

double hs_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double hs_wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
