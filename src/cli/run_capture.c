/*
 * -r FILE: the capture reader (capture/replay.c) hands over each selected connection as it
 * ends; here they become text ladders or the capture JSON document as they come, or, on a
 * terminal, are collected for the interactive view's connection list.
 */
#include "run.h"

#include "slides.h"
#include "textopts.h"
#include "usage.h"

#include "../capture/flow.h" /* HS_FLOW_MAX_HELD_TOTAL */
#include "../capture/replay.h"
#include "../core/mem.h"
#include "../core/outfile.h"
#include "../core/result.h"
#include "../tui/tui.h"
#include "../view/glyphs.h"
#include "../view/safe.h"
#include "../view/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct hs_replay_opts replay_opts(const struct hs_options *o)
{
    return (struct hs_replay_opts){.path = o->read_path, .keylog = o->live.keylog, .conn = o->conn,
                                   .filter = o->filter, .key_schedule = o->keys};
}

/* What the file held beyond its connections, on stderr (after the view, if any). */
static void say_udp(uint64_t n)
{
    if (n > 0)
        fprintf(stderr, "hstrace: %llu UDP packet%s ignored (DTLS and QUIC are not decoded)\n",
                (unsigned long long)n, n == 1 ? "" : "s");
}

/* ---- the interactive view: collect every connection, then show the list ---- */

void hs_cli_collect(void *ctx, struct hs_trace *trace, const struct hs_capture_conn *c)
{
    (void)c;
    struct hs_collected *col = ctx;
    if (col->n == col->cap) {
        col->cap = col->cap ? 2 * col->cap : 16;
        col->t = hs_xrealloc(col->t, col->cap * sizeof *col->t);
    }
    col->t[col->n++] = trace;
}

void hs_cli_collected_free(struct hs_collected *col)
{
    for (size_t i = 0; i < col->n; i++)
        hs_trace_free(col->t[i]);
    free(col->t);
}

/* HS_TUI_UNAVAILABLE when the text view should run instead (no terminal, nothing to show). */
static int run_tui(const struct hs_options *o)
{
    struct hs_replay_opts ro = replay_opts(o);
    struct hs_collected col = {0};
    struct hs_replay_summary sum;
    int status = hs_replay(&ro, hs_cli_collect, &col, &sum);
    if (status == 2) {
        fprintf(stderr, "hstrace: %s: %s\n", o->read_path, sum.error);
        hs_cli_collected_free(&col);
        return 2;
    }
    struct hs_tui_opts to = hs_tui_opts(o);
    if (col.n == 0 || hs_tui_run_traces(&to, col.t, col.n, o->read_path) == HS_TUI_UNAVAILABLE) {
        /* Nothing to walk through, or no terminal: the text view says why. */
        hs_cli_collected_free(&col);
        return HS_TUI_UNAVAILABLE;
    }
    say_udp(sum.src.udp_packets);
    if (status == 1)
        fprintf(stderr, "hstrace: %s: %s\n", o->read_path, sum.error);
    hs_cli_collected_free(&col);
    return status;
}

/* ---- text ladders or the JSON document, streamed ---- */

void hs_cli_json_begin(struct hs_conn_printer *rc)
{
    if (!rc->begun)
        hs_capture_json_begin(&rc->js, rc->out, rc->vo->json_ascii);
    rc->begun = true;
}

/* The start of a connection's text: "connection N:". */
static void text_number(const struct hs_conn_printer *rc, unsigned long number)
{
    fprintf(rc->out, "%s connection %lu:", hs_glyphs(rc->vo->ascii)->rule, number);
}

/* A connection's text after "connection N:": its ends, the SNI, the ladder. */
static void text_conn(const struct hs_conn_printer *rc, FILE *out, const struct hs_trace *t)
{
    const struct hs_glyphs *g = hs_glyphs(rc->vo->ascii);
    char server[64];
    bool v6 = t->address && strchr(t->address, ':');
    snprintf(server, sizeof server, "%s%s%s:%u", v6 ? "[" : "", t->address ? t->address : "?",
             v6 ? "]" : "", t->port);
    fprintf(out, " %s %s %s", t->client_address ? t->client_address : "?", g->to, server);
    if (t->sni) {
        char *sni = hs_view_safe(t->sni, rc->vo->ascii);
        fprintf(out, " (SNI %s)", sni);
        free(sni);
    }
    fprintf(out, " %s\n", g->rule);
    hs_view_text(out, t, rc->vo);
    fputc('\n', out);
}

void hs_cli_print_conn(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c)
{
    struct hs_conn_printer *rc = ctx;
    if (rc->o && hs_cli_slides_any(rc->o) && hs_cli_slides_write(rc->o, t, rc->out) != 0)
        rc->slides_code = HS_EXIT_WRITE;
    if (rc->quiet) {
        (void)0; /* a slide ('-') takes standard output */
    } else if (rc->json) {
        hs_cli_json_begin(rc);
        hs_capture_json_conn(&rc->js, t, c);
    } else {
        text_number(rc, c->number);
        text_conn(rc, rc->out, t);
        fflush(rc->out);
    }
    hs_trace_free(t);
}

/* A connection that ended, rendered at once (while its trace is in the cache, and smaller
 * than it) and printed when the reader numbers it (hs_replay_opts.prepare). */
struct rendered {
    char *text;
    size_t len;
};

static void *prepare_text(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c)
{
    (void)c;
    struct rendered *r = hs_xcalloc(1, sizeof *r);
    FILE *m = hs_xmemstream(&r->text, &r->len);
    text_conn(ctx, m, t);
    fclose(m);
    hs_trace_free(t);
    return r;
}

static void *prepare_json(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c)
{
    const struct hs_conn_printer *rc = ctx;
    struct hs_json_prepared *p = hs_capture_json_prepare(t, c, rc->vo->json_ascii);
    hs_trace_free(t);
    return p;
}

static void put_json(void *ctx, void *prepared, const struct hs_capture_conn *c)
{
    struct hs_conn_printer *rc = ctx;
    hs_cli_json_begin(rc);
    hs_capture_json_put(&rc->js, prepared, c);
}

static void discard_json(void *ctx, void *prepared)
{
    (void)ctx;
    hs_capture_json_discard(prepared);
}

static void discard_text(void *ctx, void *prepared)
{
    (void)ctx;
    struct rendered *r = prepared;
    free(r->text);
    free(r);
}

static void put_text(void *ctx, void *prepared, const struct hs_capture_conn *c)
{
    struct hs_conn_printer *rc = ctx;
    struct rendered *r = prepared;
    text_number(rc, c->number);
    fwrite(r->text, 1, r->len, rc->out);
    fflush(rc->out);
    discard_text(ctx, r);
}

static int run_plain(const struct hs_options *o, FILE *out, const struct hs_view_opts *vo)
{
    struct hs_replay_opts ro = replay_opts(o);
    struct hs_conn_printer rc = {.out = out, .vo = vo, .json = o->json, .o = o,
                                 .quiet = hs_cli_slides_stdout(o)};
    if (!rc.quiet && !hs_cli_slides_any(o)) {
        ro.prepare = rc.json ? prepare_json : prepare_text;
        ro.put = rc.json ? put_json : put_text;
        ro.discard = rc.json ? discard_json : discard_text;
    }
    struct hs_replay_summary sum;
    int status = hs_replay(&ro, hs_cli_print_conn, &rc, &sum);
    if (status == 2) {
        /* Nothing was read: the reason, and with --json the usage document that says it. */
        char msg[sizeof sum.error + 1100];
        snprintf(msg, sizeof msg, "%.1024s: %s", o->read_path, sum.error);
        fprintf(stderr, "hstrace: %s\n", msg);
        return hs_usage_failed(o, msg);
    }
    if (hs_cli_slides_any(o) && sum.selected == 0) {
        fprintf(stderr, "hstrace: %s: no TLS connection %ld (--conn/--filter): no slide written\n",
                o->read_path, o->conn);
        rc.slides_code = HS_EXIT_WRITE;
    }
    if (rc.quiet) {
        (void)0; /* a slide ('-') takes standard output */
    } else if (rc.json) {
        hs_cli_json_begin(&rc);
        (void)hs_capture_json_end(&rc.js, &sum.src); /* a write error is found by the caller */
    } else {
        const char *rule = hs_glyphs(vo->ascii)->rule;
        fprintf(out, "%s %s: %llu packets, %llu TCP connection%s, %llu with TLS", rule,
                o->read_path, (unsigned long long)sum.src.packets,
                (unsigned long long)sum.src.connections, sum.src.connections == 1 ? "" : "s",
                (unsigned long long)sum.src.tls_connections);
        if (sum.src.quic_connections > 0)
            fprintf(out, " (%llu over QUIC)", (unsigned long long)sum.src.quic_connections);
        if (sum.selected != sum.src.tls_connections)
            fprintf(out, ", %llu shown", (unsigned long long)sum.selected);
        fprintf(out, " %s\n", rule);
        if (sum.src.tls_connections == 0)
            fprintf(out, "No TLS connection found in %s.\n", o->read_path);
        else if (sum.selected == 0)
            fprintf(out, "No TLS connection matches the selection (--conn/--filter).\n");
    }
    fflush(out); /* a write error is the caller's to find and say */
    say_udp(sum.udp_tls_like);
    if (sum.not_decoded > 0)
        fprintf(stderr, "hstrace: %llu TLS connection%s not decoded: more than %u were open at "
                "once\n", (unsigned long long)sum.not_decoded, sum.not_decoded == 1 ? "" : "s",
                HS_REPLAY_MAX_DECODING);
    if (sum.hold_evictions > 0)
        fprintf(stderr, "hstrace: out-of-order data over %u MiB across connections: %llu "
                "time%s the longest wait was given up (reported as gaps)\n",
                HS_FLOW_MAX_HELD_TOTAL / (1024u * 1024u),
                (unsigned long long)sum.hold_evictions, sum.hold_evictions == 1 ? "" : "s");
    if (status == 1)
        fprintf(stderr, "hstrace: %s: %s\n", o->read_path, sum.error);
    return rc.slides_code ? rc.slides_code : status;
}

int hs_cli_run_capture(const struct hs_options *o)
{
    if (hs_tui_wanted(o)) {
        int code = run_tui(o);
        if (code != HS_TUI_UNAVAILABLE)
            return code;
    }
    struct hs_view_opts vo = hs_text_opts(o);
    FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
    int code = run_plain(o, out, &vo);
    return hs_outfile_watch_end(out, "standard output") != 0 ? HS_EXIT_WRITE : code;
}
