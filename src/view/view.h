/* Views render a finished trace; they never look at bytes other than through the model. */
#ifndef HS_VIEW_H
#define HS_VIEW_H

#include "../core/trace.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* --color: auto is on a terminal unless NO_COLOR is set (or TERM=dumb for the text view). */
enum hs_color { HS_COLOR_AUTO, HS_COLOR_ALWAYS, HS_COLOR_NEVER };

struct hs_view_opts {
    bool color;    /* ANSI colours (never the only sign: words and markers stay) */
    bool ascii;    /* ASCII only: no Unicode line drawing, non-ASCII peer text escaped */
    bool json_ascii; /* JSON with \u escapes for every non-ASCII character (the locale's
                      * character set is not UTF-8) */
    bool explain;  /* a plain-words line under each row (ev->explain), wrapped */
    int debug;     /* > 0: show library "debug" rows too */
    int width;     /* columns: 0 = 100; < 0 = unlimited (for pipes: nothing is cut) */
};

/*
 * The annotated ladder: header (target, negotiated result), one row per event (time, arrow,
 * summary cut to the width), footer (failure reason, certificate, timings, hint).  o may be
 * NULL (defaults).  Without colour, the output holds no control byte but '\n'.
 */
void hs_view_text(FILE *out, const struct hs_trace *t, const struct hs_view_opts *o);

/*
 * The header's words on the server's certificate: "certificate verified" (*tone 1),
 * "certificate NOT VERIFIED" (0), "certificate not checked" (-1, only when say_unchecked) or
 * NULL.  A resumed handshake carries no certificate: its verdict is the original session's,
 * and the words say so.
 */
const char *hs_view_cert_words(const struct hs_trace *t, bool say_unchecked, int *tone);

/* The JSON document of the live contract (man/hstrace-json.schema.json); always complete
 * and valid UTF-8, whatever the trace holds.  The caller json_decref()s it. */
json_t *hs_trace_to_json(const struct hs_trace *t);
/* Writes it (indented, UTF-8; pure ASCII with \uXXXX escapes when ascii) with a trailing
 * newline; 0 on success, -1 on a write error. */
int hs_view_json(FILE *out, const struct hs_trace *t, bool ascii);
/* The jansson dump flags of hstrace's documents. */
size_t hs_json_flags(bool ascii);

#endif
