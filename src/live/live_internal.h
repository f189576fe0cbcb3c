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
};

/* hs_live_run with overrides (extra may be NULL). */
int hs_live_trace(const struct hs_live_opts *o, const struct hs_live_extra *extra,
                  struct hs_trace *trace);

#endif
