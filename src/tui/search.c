/* Search: does an event hold a text, in its type, summary, or any field name or value? */
#include "internal.h"

#include <stdio.h>
#include <string.h>

enum { MAX_DEPTH = 32 };

static bool holds(const char *s, const char *pat)
{
    return s && strcasestr(s, pat) != NULL;
}

static const struct hs_field *find_field(const struct hs_field *node, const char *pat, int depth)
{
    for (const struct hs_field *c = node->child; c; c = c->next) {
        bool hit = holds(c->name, pat);
        if (!hit && c->kind == HS_F_STRING)
            hit = holds(c->str, pat);
        if (!hit && c->kind == HS_F_INT) {
            char buf[32];
            snprintf(buf, sizeof buf, "%lld", c->num);
            hit = holds(buf, pat);
        }
        if (hit)
            return c;
        if ((c->kind == HS_F_OBJECT || c->kind == HS_F_ARRAY) && depth < MAX_DEPTH) {
            const struct hs_field *f = find_field(c, pat, depth + 1);
            if (f)
                return f;
        }
    }
    return NULL;
}

bool tui_event_matches(const struct hs_event *ev, const char *pat, const struct hs_field **where)
{
    *where = NULL;
    if (pat == NULL || pat[0] == '\0')
        return false;
    if (ev->fields)
        *where = find_field(ev->fields, pat, 0);
    return *where || holds(ev->type, pat) || holds(ev->summary, pat);
}
