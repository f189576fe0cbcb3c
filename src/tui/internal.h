/* What the interactive view's parts share: drawing helpers, pane states, the live feed. */
#ifndef HS_TUI_INTERNAL_H
#define HS_TUI_INTERNAL_H

#define NCURSES_WIDECHAR 1
#include "tui.h"

#include "../core/trace.h"
#include "../view/glyphs.h"

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

/* ---- draw.c: colours, glyphs, safe text ---- */

enum tui_paint {
    TP_NORMAL, TP_CLIENT, TP_SERVER, TP_ENC, TP_PROBLEM, TP_LIB, TP_GOOD, TP_DIM, TP_BOLD,
    TP_BAR,     /* footer and pane title bars */
    TP_KEY,     /* a key name in the footer */
    TP_HILITE,  /* the selected field's bytes in the hex dump */
    TP_COUNT
};

/* view/glyphs.h's table in wide characters, for curses. */
struct tui_glyphs {
#define TUI_GLYPH_FIELD(name, uni, ascii) const wchar_t *name;
    HS_GLYPHS(TUI_GLYPH_FIELD)
#undef TUI_GLYPH_FIELD
};

struct tui_ui {
    bool color;           /* colour pairs in use (never the only sign of anything) */
    bool ascii;           /* ASCII lines, non-ASCII text escaped */
    int debug;            /* > 0: library "debug" rows are shown */
    enum hs_notes notes;  /* which library notes are shown (--notes; the L key cycles it) */
    const struct tui_glyphs *g;
    attr_t attr[TP_COUNT];
    short pair[TP_COUNT];
};

/* After the terminal is set up: picks glyphs and colours (o->color, NO_COLOR, has_colors). */
void tui_ui_init(struct tui_ui *ui, const struct hs_tui_opts *o);
void tui_paint(WINDOW *w, const struct tui_ui *ui, enum tui_paint p, attr_t extra);
/*
 * Draws the model string s (passed through hs_view_safe once more) at (y, x) in at most
 * maxcols columns, cut at a character with an ellipsis when longer; returns the columns used.
 */
int tui_text(WINDOW *w, const struct tui_ui *ui, int y, int x, const char *s, int maxcols,
             enum tui_paint p, attr_t extra);
/* Draws glyph g count times from (y, x). */
void tui_glyph(WINDOW *w, const struct tui_ui *ui, int y, int x, const wchar_t *g, int count,
               enum tui_paint p, attr_t extra);
/* Fills the rest of line y from column x with blanks in paint p. */
void tui_clear_to(WINDOW *w, const struct tui_ui *ui, int y, int x, enum tui_paint p,
                  attr_t extra);
/* Columns taken by a (safe) string. */
int tui_cols(const char *s);

/* ---- doc.c: the rows a trace shows ---- */

struct tui_doc {
    struct hs_trace *trace;
    const struct hs_event **rows;  /* the shown events, in order */
    size_t nrows, cap;
};
void tui_doc_rebuild(struct tui_doc *d, const struct tui_ui *ui);
void tui_doc_free(struct tui_doc *d);
/* The next --notes setting (all, short, none, all ...); the rows rebuilt.  Returns the row
 * of `keep` now, or of the nearest shown row before it (0 when none). */
size_t tui_doc_cycle_notes(struct tui_doc *d, struct tui_ui *ui, const struct hs_event *keep);

/* ---- ladder.c ---- */

struct tui_ladder {
    size_t sel, top;      /* selected row, first row shown */
    bool delta;           /* time column: since the previous row instead of since the start */
    bool follow;          /* live: keep the newest row selected until the user moves */
};
/* Lines the pane uses above its rows (the lane titles). */
#define TUI_LADDER_HEAD 1
void tui_ladder_draw(WINDOW *w, const struct tui_ui *ui, const struct tui_doc *d,
                     struct tui_ladder *l, bool focused, bool running);
/* Keys that move the selection; true when handled. */
bool tui_ladder_key(struct tui_ladder *l, const struct tui_doc *d, int key, int page);
/* The row at pane line y, or -1. */
long tui_ladder_hit(const struct tui_ladder *l, const struct tui_doc *d, int y);

/* ---- detail.c: field tree and hex dump ---- */

struct tui_tree_row {
    const struct hs_field *f;
    int depth;
    long index;           /* position in its parent array, or -1 */
};

struct tui_detail {
    const struct hs_event *ev;
    const struct hs_field **open;  /* containers unfolded */
    size_t nopen, capopen;
    struct tui_tree_row *rows;
    size_t nrows, caprows;
    size_t sel, top;
    bool hex;             /* hex dump shown */
    bool explain_off;     /* (e) the explanations of the message and field hidden */
    long hex_top;         /* first hex line shown */
    bool hex_follow;      /* scroll the hex dump to the selected field's bytes */
    int tree_y0;          /* pane line of the first tree row at the last draw */
    int tree_h, hex_h;    /* lines given to each at the last draw */
};
/* Shows ev (keeps the fold state when it is the same event). */
void tui_detail_set(struct tui_detail *d, const struct hs_event *ev);
void tui_detail_reset(struct tui_detail *d);
/* Shows ev, the same message as the one shown but from a new copy of the trace (the live
 * run's final trace replacing the view's copy): the fold state and selected field follow. */
void tui_detail_move(struct tui_detail *d, const struct hs_event *ev);
void tui_detail_free(struct tui_detail *d);
/* The explanation of the selected field (hs_explain_field), or NULL; *key (when key is not
 * NULL) gets the name it was looked up by. */
const char *tui_detail_field_explain(const struct tui_detail *d, const char **key);
/* focus: 0 none, 1 the tree, 2 the hex dump. */
void tui_detail_draw(WINDOW *w, const struct tui_ui *ui, struct tui_detail *d, int focus);
/* Tree keys (↑↓, PgUp/PgDn, Home/End, Enter/→ unfold, ← fold/parent); true when handled.
 * *leave is set when ← is pressed on a top-level folded row (back to the ladder). */
bool tui_detail_tree_key(struct tui_detail *d, int key, bool *leave);
bool tui_detail_hex_key(struct tui_detail *d, int key);
/* Selects the tree row at pane line y (mouse); true when it hit one. */
bool tui_detail_hit(struct tui_detail *d, int y);
/* Unfolds f's ancestors and selects f. */
void tui_detail_reveal(struct tui_detail *d, const struct hs_field *f);
/* Hex dump lines for a byte count (for tests of the layout, and the scroll bound). */
int tui_hex_per_line(int width);

/* ---- search.c ---- */

/* True when ev's type, summary, or any field name or value holds pat (case-insensitive);
 * *where gets the first matching field (NULL when the match is in the type or summary). */
bool tui_event_matches(const struct hs_event *ev, const char *pat, const struct hs_field **where);

/* ---- connlist.c ---- */

struct tui_connlist {
    size_t sel, top;
};
void tui_connlist_draw(WINDOW *w, const struct tui_ui *ui, struct hs_trace *const *t, size_t n,
                       struct tui_connlist *c);
bool tui_connlist_key(struct tui_connlist *c, size_t n, int key, int page);
long tui_connlist_hit(const struct tui_connlist *c, size_t n, int y);
/* The connection's result in a few words ("ok", "failed at tls", ...). */
const char *tui_trace_result(const struct hs_trace *t);

/* ---- prompt.c ---- */

/* Reads a line on screen line y (label first); false on Esc or Ctrl-C.  out is UTF-8.  A
 * non-empty initial text is shown selected: the first printable key replaces it, while
 * Left/Right, Home/End (C-a/C-e), Backspace and Delete edit it; C-u clears the line. */
bool tui_prompt(const struct tui_ui *ui, int y, const char *label, const char *initial,
                char *out, size_t outsz);

/* ---- help.c ---- */

/* Draws the key help in a box over the screen (on stdscr, after the panes). */
void tui_help_draw(const struct tui_ui *ui, bool live, bool list);

/* ---- keysbox.c ---- */
/* Draws the key schedule box of t (or why there is none) from line *top (kept in range). */
void tui_keys_draw(const struct tui_ui *ui, const struct hs_trace *t, int *top);
/* Scroll keys of the box; false for a key that closes it. */
bool tui_keys_key(int key, int *top);

/* ---- feed.c: the live source in a worker thread ---- */

struct tui_feed;
/* Starts src's run in a new thread (step: stepped, one message shown); NULL if the thread
 * cannot start. */
struct tui_feed *tui_feed_start(const struct hs_tui_source *src, bool step);
/* Step mode: the user asks for this many messages (SIZE_MAX: all, run to the end); the
 * worker goes on until that many arrived. */
void tui_feed_allow(struct tui_feed *f, size_t wanted);
/* Step mode: the worker waits for the user. */
bool tui_feed_waiting(struct tui_feed *f);
/*
 * Moves the events that arrived since the last call into view (a trace the UI owns), with the
 * connection's header as the source knows it now; true when anything changed.
 */
bool tui_feed_drain(struct tui_feed *f, struct hs_trace *view);
bool tui_feed_done(struct tui_feed *f);
/* Once done: joins the thread and hands over the finished trace; *code gets the exit code,
 * *kept (if not NULL) what the run kept for saving, or NULL. */
struct hs_trace *tui_feed_finish(struct tui_feed *f, int *code, void **kept);
void tui_feed_free(struct tui_feed *f);

#endif
