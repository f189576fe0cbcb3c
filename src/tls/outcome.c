/* Alerts and protocol violations read back from a trace's rows (see outcome.h). */
#include "outcome.h"

#include "names.h"

#include "../core/field.h"

#include <stdio.h>
#include <string.h>

static bool is_alert(const struct hs_event *e)
{
    return e->layer == HS_LAYER_TLS && strcmp(e->type, "Alert") == 0;
}

static const struct hs_event *first_fatal_alert(const struct hs_trace *t)
{
    for (const struct hs_event *e = t->first; e; e = e->next) {
        if (!is_alert(e))
            continue;
        const char *level = hs_f_get_str(e->fields, "level");
        if (level && strcmp(level, "fatal") == 0)
            return e;
    }
    return NULL;
}

static const char *alert_description(const struct hs_event *e)
{
    const char *d = hs_f_get_str(e->fields, "description");
    return d ? d : "alert";
}

static bool is_tls_msg(const struct hs_event *e, enum hs_side from, const char *type)
{
    return e->layer == HS_LAYER_TLS && e->from == from && strcmp(e->type, type) == 0;
}

bool hs_outcome_client_cert_missing(const struct hs_trace *t, const struct hs_event *until)
{
    bool requested = false;
    for (const struct hs_event *e = t->first; e && e != until; e = e->next) {
        if (is_tls_msg(e, HS_SERVER, "CertificateRequest"))
            requested = true;
        long long count;
        if (requested && is_tls_msg(e, HS_CLIENT, "Certificate") &&
            hs_f_get_int(e->fields, "count", &count))
            return count == 0;
    }
    return false;
}

const char *hs_outcome_alert_reason(const struct hs_trace *t, enum hs_side *from, char *buf,
                                    size_t n)
{
    const struct hs_event *e = first_fatal_alert(t);
    if (e == NULL)
        return NULL;
    if (from)
        *from = e->from;
    char meaning[160] = "";
    long long code;
    const char *cause = NULL;
    if (e->from == HS_SERVER && hs_outcome_client_cert_missing(t, e))
        cause = "the server requires a client certificate and the client sent none";
    else if (hs_f_get_int(e->fields, "code", &code) && code >= 0 && code <= 255)
        cause = hs_alert_cause((uint8_t)code);
    if (cause) {
        /* The sentence as a clause: no capital, no full stop. */
        snprintf(meaning, sizeof meaning, ": %s", cause);
        if (meaning[2] >= 'A' && meaning[2] <= 'Z')
            meaning[2] = (char)(meaning[2] - 'A' + 'a');
        size_t k = strlen(meaning);
        if (k > 0 && meaning[k - 1] == '.')
            meaning[k - 1] = '\0';
    }
    snprintf(buf, n, "the %s sent fatal alert %s%s%s", hs_side_name(e->from),
             alert_description(e), t->handshake_done ? " after the handshake" : "", meaning);
    return buf;
}

const char *hs_outcome_last_alert(const struct hs_trace *t, enum hs_side from, char *buf,
                                  size_t n)
{
    for (const struct hs_event *e = t->last; e; e = e->prev) {
        if (e->from != from || strcmp(e->type, "Alert") != 0)
            continue;
        const char *d = hs_f_get_str(e->fields, "description");
        long long code;
        if (d)
            snprintf(buf, n, "%s", d);
        else if (hs_f_get_int(e->fields, "description", &code) && hs_name_alert((uint8_t)code))
            snprintf(buf, n, "%s", hs_name_alert((uint8_t)code));
        else if (e->summary)
            snprintf(buf, n, "%s", e->summary);
        else
            return NULL;
        return buf;
    }
    return NULL;
}

const char *hs_outcome_violation(const struct hs_event *e)
{
    const struct hs_field *v = hs_f_get(e->fields, "violations");
    return v && v->child && v->child->kind == HS_F_STRING ? v->child->str : NULL;
}

const struct hs_event *hs_outcome_server_violation(const struct hs_trace *t)
{
    for (const struct hs_event *e = t->last; e; e = e->prev) {
        if (e->layer != HS_LAYER_TLS)
            continue;
        if (e->from == HS_CLIENT && strcmp(e->type, "Alert") != 0)
            return NULL;
        if (e->from == HS_SERVER && hs_outcome_violation(e))
            return e;
    }
    return NULL;
}
