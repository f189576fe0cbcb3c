/*
 * The one glyph table of every view (the text ladder, the interactive view, the -r headers):
 * each glyph's name, its Unicode form and its ASCII form (--ascii, or a locale that is not
 * UTF-8).  An X-macro, so the interactive view can build its wide-character copy from the
 * same list: HS_GLYPHS(X) calls X(name, unicode, ascii) once per glyph.
 */
#ifndef HS_VIEW_GLYPHS_H
#define HS_VIEW_GLYPHS_H

#include <stdbool.h>

#define HS_GLYPHS(X)                                                                           \
    X(bar, "\u2502", "|")            /* a column's lifeline */                                 \
    X(solid, "\u2500", "-")          /* a plaintext arrow's shaft */                           \
    X(dashed, "\u254c", ".")         /* an encrypted arrow's shaft */                          \
    X(right, "\u25ba", ">")          /* arrow heads */                                         \
    X(left, "\u25c4", "<")                                                                     \
    X(dot, "\u00b7", "*")            /* a library note beside the client's bar */              \
    X(sep, " \u00b7 ", " | ")        /* between the parts of a header line */                 \
    X(to, "\u2192", "->")            /* "client -> server", "issued by" */                     \
    X(from, "\u2190", "<-")                                                                    \
    X(ellipsis, "\u2026", "...")     /* text cut short */                                      \
    X(fail, "\u2717", "X")           /* where a handshake failed */                            \
    X(hline, "\u2500", "-")          /* frames and rules */                                    \
    X(vline, "\u2502", "|")                                                                    \
    X(rule, "\u2500\u2500", "--")    /* around a capture's connection header */                \
    X(opened, "\u25be", "-")         /* field tree folds */                                    \
    X(closed, "\u25b8", "+")                                                                   \
    X(tee, "\u251c", "|")            /* key schedule tree: a step, the last step */            \
    X(corner, "\u2514", "`")                                                                   \
    X(up, "\u2191", "^")             /* key names */                                           \
    X(down, "\u2193", "v")

/* The table in UTF-8. */
struct hs_glyphs {
#define HS_GLYPH_FIELD(name, uni, ascii) const char *name;
    HS_GLYPHS(HS_GLYPH_FIELD)
#undef HS_GLYPH_FIELD
};

/* The Unicode set, or the ASCII one. */
const struct hs_glyphs *hs_glyphs(bool ascii);

#endif
