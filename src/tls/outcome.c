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

const char *hs_outcome_fatal_alert(const struct hs_trace *t, enum hs_side *from)
{
    for (const struct hs_event *e = t->first; e; e = e->next) {
        if (!is_alert(e))
            continue;
        const char *level = hs_f_get_str(e->fields, "level");
        if (level && strcmp(level, "fatal") == 0) {
            *from = e->from;
            const char *d = hs_f_get_str(e->fields, "description");
            return d ? d : "alert";
        }
    }
    return NULL;
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
