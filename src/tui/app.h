/* The interactive view's state, shared by its loop (app.c) and its frame (frame.c). */
#ifndef HS_TUI_APP_H
#define HS_TUI_APP_H

#include "internal.h"

enum { WIDE_COLS = 150, DETAIL_W = 76, MIN_COLS = 60, MIN_LINES = 16, POLL_MS = 40 };
enum focus { F_LADDER, F_TREE, F_HEX };

struct app {
    const struct hs_tui_opts *o;
    const struct hs_tui_source *src; /* live mode: what `r` runs */
    struct tui_ui ui;

    /* Live mode: the worker and the UI's own trace (a copy while it runs, then the result). */
    bool live;
    struct tui_feed *feed;
    struct hs_trace *own;
    bool running, quit_when_done;
    int code;
    void *kept;        /* what the finished run kept for saving (src->save), or NULL */

    /* Capture mode: finished traces, a list when there are several. */
    struct hs_trace *const *traces;
    size_t ntraces;
    const char *title;
    bool in_list;
    struct tui_connlist list;

    struct tui_doc doc;
    struct tui_ladder lad;
    struct tui_detail det;
    enum focus focus;
    bool help, quit;
    bool keys;         /* the key schedule box (K) is open */
    int keys_top;      /* its first line shown */

    char status[512];
    enum tui_paint status_paint;
    char search[256];

    WINDOW *wl, *wd;   /* ladder (or list) pane, detail pane */
    bool wide, too_small;
};

/* The trace shown (the connection open in capture mode, the live run's otherwise), or NULL. */
const struct hs_trace *tui_app_current(const struct app *a);
/* The event of the selected ladder row, or NULL. */
const struct hs_event *tui_app_selected(const struct app *a);
/* Makes the pane windows for the terminal's size (too_small when it cannot). */
void tui_app_layout(struct app *a);
/* Redraws everything: header, panes, status, footer, help. */
void tui_app_draw(struct app *a);

#endif
