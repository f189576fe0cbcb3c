/*
 * The X.509 summary and the DER Name printer on arbitrary bytes; the summary is then put in
 * a trace's chain and rendered, so certificate strings go through every view.
 */
#include "fuzz_common.h"

#include "core/field.h"
#include "core/trace.h"
#include "tls/x509.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct hs_field *summary = hs_x509_summary(data, size);
    FUZZ_CHECK(summary != NULL && summary->kind == HS_F_OBJECT);
    FUZZ_CHECK(hs_f_get_str(summary, "sha256") != NULL);

    char *dn = hs_x509_dn_string(data, size);
    if (dn)
        FUZZ_CHECK(fuzz_printable(dn, strlen(dn), NULL));
    free(dn);

    struct hs_trace *t = hs_trace_new();
    t->chain = hs_field_new_array();
    hs_f_attach(t->chain, NULL, summary);
    hs_f_attach(t->chain, NULL, hs_field_clone(summary));
    struct hs_event *ev = hs_event_new(HS_SERVER, HS_LAYER_TLS, "Certificate", 1.0);
    hs_f_attach(hs_f_arr(ev->fields, "certificates"), NULL, hs_field_clone(summary));
    hs_event_summary(ev, "1 cert: %s", hs_f_get_str(summary, "subject") ?
                     hs_f_get_str(summary, "subject") : "?");
    hs_trace_add(t, ev);
    fuzz_render(t, size > 0 ? data[0] : 0);
    hs_trace_free(t);
    return 0;
}
