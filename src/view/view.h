/* Views render a finished trace; they never look at bytes other than through the model. */
#ifndef HS_VIEW_H
#define HS_VIEW_H

#include "../core/trace.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

struct hs_view_opts {
    bool color;    /* ANSI colours */
    bool ascii;    /* no Unicode line drawing */
    bool explain;  /* a plain-words line under each row */
    int debug;     /* show library "debug" rows too */
    int width;     /* terminal width, 0 = 100 */
};

/* The annotated ladder: header, rows, footer. */
void hs_view_text(FILE *out, const struct hs_trace *t, const struct hs_view_opts *o);

/* The JSON document of the live contract (man/hstrace-json.schema.json). */
json_t *hs_trace_to_json(const struct hs_trace *t);
/* Writes it (indented) with a trailing newline; 0 on success. */
int hs_view_json(FILE *out, const struct hs_trace *t);

#endif
