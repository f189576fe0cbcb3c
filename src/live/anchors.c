/*
 * Trust anchors loaded once for the traces of one thread (live.h).  Several targets traced
 * one after another by a worker of cli/many.c need the same CAs: parsing them is most of a
 * trace's own CPU with a system bundle, so the worker parses them once and every trace of
 * that worker verifies against the same chain.  One chain per thread, not per process:
 * mbedTLS's verification takes the CA chain as a mutable object and may write into a CA's
 * public key while it computes with it (a cached ECP table for the base point, RSA's cached
 * Montgomery constant), so a chain is only used by one trace at a time.
 */
#include "live.h"
#include "live_internal.h"
#include "tlsconfig.h"

#include "../core/mem.h"

#include <mbedtls/x509_crt.h>
#include <stdlib.h>

struct hs_live_anchors {
    mbedtls_x509_crt chain;
};

struct hs_live_anchors *hs_live_anchors_load(const struct hs_live_opts *o)
{
    struct hs_live_anchors *a = hs_xcalloc(1, sizeof *a);
    mbedtls_x509_crt_init(&a->chain);
    char why[512];
    if (hs_tls_load_cas_quiet(o, &a->chain, why, sizeof why) != 0) {
        hs_live_anchors_free(a);
        return NULL; /* each trace loads them itself and says why they cannot be loaded */
    }
    return a;
}

void hs_live_anchors_free(struct hs_live_anchors *a)
{
    if (a == NULL)
        return;
    mbedtls_x509_crt_free(&a->chain);
    free(a);
}

int hs_live_run_anchored(const struct hs_live_opts *o, struct hs_live_anchors *a,
                         struct hs_trace *trace)
{
    if (a == NULL)
        return hs_live_run(o, trace);
    struct hs_live_extra extra = {.ca = &a->chain};
    return hs_live_trace(o, &extra, trace);
}
