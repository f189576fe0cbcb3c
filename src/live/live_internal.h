/* Between the live client and the demo: a trace with a CA given in memory. */
#ifndef HS_LIVE_INTERNAL_H
#define HS_LIVE_INTERNAL_H

#include "../core/trace.h"
#include "live.h"
#include "saved.h"

#include <mbedtls/x509_crt.h>

struct hs_live_extra {
    const char *target;            /* used instead of o->target */
    mbedtls_x509_crt *ca;          /* trusted CAs instead of --cafile / the system bundle */
    struct hs_live_saved **keep;   /* if not NULL: gets the packets and secrets (or NULL) */
};

/* hs_live_run with overrides (extra may be NULL). */
int hs_live_trace(const struct hs_live_opts *o, const struct hs_live_extra *extra,
                  struct hs_trace *trace);

#endif
