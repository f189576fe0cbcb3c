/*
 * Slides: the ladder of a finished trace as an SVG picture, a Mermaid sequenceDiagram or a
 * Markdown table, for talks and write-ups.  Every string of the trace is peer-influenced and
 * is made safe for the target syntax (XML, Mermaid's message text, a Markdown table cell).
 *
 * Rows: TCP and TLS messages always; library notes (layer "library") only with notes set,
 * except those that flag a problem (a gap, a clamped time stamp), which are always kept.
 */
#ifndef HS_VIEW_SLIDES_H
#define HS_VIEW_SLIDES_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stdio.h>

struct hs_slide_opts {
    bool notes; /* the library notes too (--debug) */
    bool ascii; /* hstrace's own glyphs as ASCII, every non-ASCII peer character \u{NNNN} */
};

/* Each writes one complete document; 0, or -1 when the stream reports a write error. */
int hs_view_svg(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o);
int hs_view_mermaid(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o);
int hs_view_markdown(FILE *out, const struct hs_trace *t, const struct hs_slide_opts *o);

/* ---- shared by the three (slides.c) ---- */

/* Whether ev is drawn on a slide. */
bool hs_slide_shown(const struct hs_event *ev, const struct hs_slide_opts *o);

/* The safe (hs_view_safe) text s cut to at most cols columns, ending with the ellipsis glyph
 * when it was cut.  A new string. */
char *hs_slide_cut(const char *s, size_t cols, bool ascii);

/* New safe strings: "host:port -> address (SNI name)"; the result line "TLS 1.3 · suite ·
 * group · ALPN h2 · certificate verified" (or what is known on failure); the failure line
 * "failed at STAGE: reason" or NULL; the timings "DNS 0.16 ms · ..." or NULL; one end's
 * address ("127.0.0.1:443") or NULL. */
char *hs_slide_target(const struct hs_trace *t, bool ascii);
char *hs_slide_result(const struct hs_trace *t, bool ascii);
char *hs_slide_failure(const struct hs_trace *t, bool ascii);
char *hs_slide_timings(const struct hs_trace *t, bool ascii);
char *hs_slide_endpoint(const struct hs_trace *t, enum hs_side side, bool ascii);

/* A row's markers and summary as one safe line: "!! (inferred) [decrypted] summary". */
char *hs_slide_detail(const struct hs_event *ev, bool ascii);

/* A row's message name (safe; "unknown" when empty). */
char *hs_slide_name(const struct hs_event *ev, bool ascii);

#endif
