/* The interactive view's state, shared by its loop (app.c) and its frame (frame.c). */
#ifndef HS_TUI_APP_H
#define HS_TUI_APP_H

#include "internal.h"

enum { WIDE_COLS = 150, DETAIL_W = 76, MIN_COLS = 60, MIN_LINES = 16, POLL_MS = 40 };
enum focus { F_LADDER, F_TREE, F_HEX };

/* Step mode (--step, step.c): the ladder shows the first `shown` messages (TCP and TLS rows;
 * library notes follow the message before them), the current one selected. */
struct tui_step {
    bool on;
    bool all;          /* End: every message shown, new ones too */
    size_t shown;      /* messages shown, from 1 */
    size_t wanted;     /* messages asked for: shown, or one more while it is on its way */
    size_t total;      /* messages in the trace so far */
    size_t placed;     /* the shown count the selection was last put on */
};

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
    struct tui_step step;

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
/* step.c: after each tui_doc_rebuild, hides the messages not shown yet (and lets a stepped
 * live run go on when the user has seen all it produced). */
void tui_step_begin(struct app *a);
void tui_step_apply(struct app *a);
/* Space/Right next, Left/Backspace back, End all; true when the key was step mode's. */
bool tui_step_key(struct app *a, int key);
/* The status line while stepping ("message 3 of 9 ..."), or false when not stepping. */
bool tui_step_status(const struct app *a, char *out, size_t outsz);
/* Redraws everything: header, panes, status, footer, help. */
void tui_app_draw(struct app *a);

#endif
