/*
 * Several connections in a row, each offering to resume the session of the one before: the
 * demo's resumption scenario and --reconnect against any server.  Besides each trace, a
 * summary: whether the second connection resumed, by which mechanism and the time saved, or
 * why it did not, told from what the first connection received.
 */
#include "live.h"
#include "live_internal.h"
#include "scenario.h"

#include "../core/conn.h"

#include <mbedtls/ssl.h>
#include <stdio.h>
#include <string.h>

/* What the first connection left to resume, read before its trace is handed on. */
struct offered {
    bool tls13;
    size_t tickets;      /* NewSessionTicket rows from the server */
    bool session_id;     /* the server's (TLS 1.2) ServerHello carried a session id */
    bool kept;           /* mbedTLS exported a session to offer */
};

static void look_at_first(const struct hs_trace *t, bool kept, struct offered *of)
{
    memset(of, 0, sizeof *of);
    of->tls13 = strcmp(t->version, "TLS 1.3") == 0;
    of->kept = kept;
    bool hello = false;
    for (const struct hs_event *e = t->first; e; e = e->next) {
        if (e->from != HS_SERVER || e->layer != HS_LAYER_TLS)
            continue;
        if (strcmp(e->type, "NewSessionTicket") == 0)
            of->tickets++;
        if (!hello && strcmp(e->type, "ServerHello") == 0) {
            const char *sid = hs_f_get_str(e->fields, "session_id");
            of->session_id = sid && *sid;
            hello = true;
        }
    }
}

/* How the second connection resumed, or why it did not. */
static void judge_second(struct hs_demo_summary *sum, const struct offered *of,
                         const struct hs_trace *t)
{
    bool tls13 = strcmp(t->version, "TLS 1.3") == 0;
    if (t->resumed) {
        sum->how = tls13         ? "TLS 1.3 PSK from a NewSessionTicket"
                   : of->tickets ? "TLS 1.2 session ticket"
                                 : "TLS 1.2 session id";
        return;
    }
    const char *offer = of->tls13 ? "ticket" : of->tickets ? "session ticket" : "session id";
    if (!t->handshake_done)
        snprintf(sum->why, sizeof sum->why, "the second connection failed");
    else if (of->tls13 && of->tickets == 0)
        snprintf(sum->why, sizeof sum->why, "the server sent no NewSessionTicket: there was no "
                 "session to resume");
    else if (!of->tls13 && of->tickets == 0 && !of->session_id)
        snprintf(sum->why, sizeof sum->why, "the server gave neither a session ticket nor a "
                 "session id: there was no session to resume");
    else if (!of->kept)
        snprintf(sum->why, sizeof sum->why, "the client kept no session from the first "
                 "connection");
    else if (tls13 != of->tls13)
        snprintf(sum->why, sizeof sum->why, "the second connection negotiated %s, the first "
                 "%s: the %s was not used", t->version, of->tls13 ? "TLS 1.3" : "TLS 1.2",
                 offer);
    else
        snprintf(sum->why, sizeof sum->why, "the server did not accept the %s the client "
                 "offered: full handshake", offer);
}

int hs_live_each(unsigned n, hs_conn_tracer tracer, void *tctx,
                 void (*fn)(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c),
                 void *ctx, struct hs_demo_summary *sum)
{
    memset(sum, 0, sizeof *sum);
    mbedtls_ssl_session sess[2]; /* the one offered, the one being filled */
    mbedtls_ssl_session_init(&sess[0]);
    mbedtls_ssl_session_init(&sess[1]);
    bool have = false;
    struct offered first = {0};
    int code = 0;
    for (unsigned i = 0; i < n; i++) {
        struct hs_trace *t = hs_trace_new();
        struct hs_live_saved *sv = NULL;
        bool last = i + 1 == n, got = false;
        int c = tracer(tctx, t, &sv, have ? &sess[0] : NULL, last ? NULL : &sess[1], &got);
        if (code == 0)
            code = c;
        if (i < HS_DEMO_MAX_CONNS) {
            sum->tls_ms[i] = t->tls_ms;
            sum->packets[i] = sv ? sv->packets.n : 0;
        }
        if (i == 0)
            look_at_first(t, got, &first);
        if (i == 1) {
            sum->resumed = t->resumed;
            judge_second(sum, &first, t);
        }
        sum->connections++;
        bool failed = c != 0;
        struct hs_capture_conn cc = {.number = i + 1, .packets = sv ? sv->packets.n : 0};
        hs_live_saved_free(sv);
        fn(ctx, t, &cc); /* fn owns t now */
        /* The session just filled is the next one's offer. */
        mbedtls_ssl_session_free(&sess[0]);
        sess[0] = sess[1];
        mbedtls_ssl_session_init(&sess[1]);
        have = got && !failed;
        if (failed)
            break;
    }
    if (sum->connections == 1 && n > 1)
        snprintf(sum->why, sizeof sum->why, "no second connection: the first one failed");
    mbedtls_ssl_session_free(&sess[0]);
    mbedtls_ssl_session_free(&sess[1]);
    return code;
}

/* A plain target: each connection as hstrace HOST would trace it. */
static int trace_target(void *tctx, struct hs_trace *t, struct hs_live_saved **keep,
                        const mbedtls_ssl_session *resume, mbedtls_ssl_session *session,
                        bool *have_session)
{
    const struct hs_live_opts *o = tctx;
    struct hs_live_extra extra = {.keep = keep, .resume = resume, .session = session,
                                  .have_session = have_session};
    return hs_live_trace(o, &extra, t);
}

int hs_live_run_each(const struct hs_live_opts *o,
                     void (*fn)(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c),
                     void *ctx, struct hs_demo_summary *sum)
{
    return hs_live_each(2, trace_target, (void *)o, fn, ctx, sum);
}
