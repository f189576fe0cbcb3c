/* Between the live client and the demo: a trace with a CA given in memory. */
#ifndef HS_LIVE_INTERNAL_H
#define HS_LIVE_INTERNAL_H

#include "../core/trace.h"
#include "live.h"
#include "saved.h"

#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

struct hs_live_extra {
    const char *target;            /* used instead of o->target */
    mbedtls_x509_crt *ca;          /* trusted CAs instead of --cafile / the system bundle */
    struct hs_live_saved **keep;   /* if not NULL: gets the packets and secrets (or NULL) */
    mbedtls_x509_crt *own_cert;    /* the client's certificate (made in memory), or NULL */
    mbedtls_pk_context *own_key;   /* ... and its key */
    const mbedtls_ssl_session *resume; /* a session to resume, or NULL */
    mbedtls_ssl_session *session;  /* if not NULL: gets the session once the handshake is done
                                      (its tickets read) */
    bool *have_session;            /* if not NULL: whether *session was filled */
    bool tickets_first;            /* read the TLS 1.3 tickets before the close (the demo: a
                                      ladder in the order a lesson tells it), not during it */
};

/* hs_live_run with overrides (extra may be NULL). */
int hs_live_trace(const struct hs_live_opts *o, const struct hs_live_extra *extra,
                  struct hs_trace *trace);

/* One connection of several (reconnect.c): traces into t, resuming `resume` if not NULL,
 * filling `session` (if not NULL) for the next; *keep as hs_live_extra's keep. */
typedef int (*hs_conn_tracer)(void *tctx, struct hs_trace *t, struct hs_live_saved **keep,
                              const mbedtls_ssl_session *resume, mbedtls_ssl_session *session,
                              bool *have_session);

/* Traces n connections (at most HS_DEMO_MAX_CONNS counted in sum) with tracer, each offering
 * to resume the session of the one before, stopping after a failed one; each trace goes to
 * fn.  sum says whether the second resumed, how, or why not.  The first failing exit code,
 * or 0. */
int hs_live_each(unsigned n, hs_conn_tracer tracer, void *tctx,
                 void (*fn)(void *ctx, struct hs_trace *t, const struct hs_capture_conn *c),
                 void *ctx, struct hs_demo_summary *sum);

#endif
