/*
 * The interactive view's loop: screens (connection list, ladder), keys and mouse, search,
 * save, rerun, and the hand-back of the terminal.  The frame it draws is frame.c's.
 */
#include "tui.h"

#include "app.h"

#include "../core/mem.h"
#include "../core/outfile.h"
#include "../view/safe.h"
#include "../view/view.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---- small helpers ---- */

static void say(struct app *a, enum tui_paint p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(struct app *a, enum tui_paint p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_paint = p;
}

static void open_trace(struct app *a, struct hs_trace *t)
{
    tui_detail_reset(&a->det);
    a->doc.trace = t;
    tui_doc_rebuild(&a->doc, &a->ui);
    a->lad.sel = a->lad.top = 0;
    a->focus = F_LADDER;
    tui_step_begin(a);
}

/* ---- live runs ---- */

static bool start_run(struct app *a)
{
    a->feed = tui_feed_start(a->src, a->o->step);
    if (a->feed == NULL) {
        say(a, TP_PROBLEM, "cannot start the trace thread");
        return false;
    }
    tui_detail_reset(&a->det);
    hs_trace_free(a->own);
    a->own = hs_trace_new();
    a->doc.trace = a->own;
    tui_doc_rebuild(&a->doc, &a->ui);
    a->lad = (struct tui_ladder){.delta = a->lad.delta, .follow = true};
    a->focus = F_LADDER;
    a->running = true;
    tui_step_begin(a);
    return true;
}

/* ev's position in t's event list (SIZE_MAX when absent). */
static size_t event_place(const struct hs_trace *t, const struct hs_event *ev)
{
    size_t i = 0;
    for (const struct hs_event *e = t->first; e && ev; e = e->next, i++)
        if (e == ev)
            return i;
    return SIZE_MAX;
}

/* Selects the ladder row of the event at position at, when it is shown. */
static void select_place(struct app *a, size_t at)
{
    const struct hs_event *ev = a->own->first;
    for (size_t i = 0; ev && i < at; i++)
        ev = ev->next;
    for (size_t r = 0; ev && r < a->doc.nrows; r++)
        if (a->doc.rows[r] == ev)
            a->lad.sel = r;
}

/* Takes what the worker produced; at the end, the worker's own trace replaces the copy. */
static void pump(struct app *a)
{
    if (!a->running)
        return;
    bool done = tui_feed_done(a->feed);
    bool changed = tui_feed_drain(a->feed, a->own);
    struct hs_trace *copy = NULL; /* the view's copy, freed once nothing points into it */
    size_t at = SIZE_MAX;         /* the selected event's place in it */
    if (done) {
        int code;
        if (a->kept)
            a->src->free_kept(a->kept);
        a->kept = NULL;
        struct hs_trace *fin = tui_feed_finish(a->feed, &code, &a->kept);
        tui_feed_free(a->feed);
        a->feed = NULL;
        copy = a->own;
        at = event_place(copy, tui_app_selected(a));
        a->own = fin;
        a->doc.trace = fin;
        a->code = code;
        a->running = false;
        changed = true;
        if (code == HS_EXIT_USAGE && fin->nevents == 0)
            a->quit = true; /* the source said why on stderr; nothing to show */
        if (a->quit_when_done)
            a->quit = true;
    }
    if (!changed)
        return;
    tui_doc_rebuild(&a->doc, &a->ui);
    tui_step_apply(a);
    if (copy) {
        /* The user may be reading a message: keep the same row, fold state and field. */
        if (!a->lad.follow)
            select_place(a, at);
        const struct hs_event *now = tui_app_selected(a);
        if (at != SIZE_MAX && event_place(a->own, now) == at)
            tui_detail_move(&a->det, now);
        else
            tui_detail_reset(&a->det);
        hs_trace_free(copy);
    }
    if (a->lad.follow && a->doc.nrows)
        a->lad.sel = a->doc.nrows - 1;
    if (done && a->lad.follow) {
        /* Land on the first problem (where it went wrong), else show the handshake from its
         * first row. */
        a->lad.sel = a->lad.top = 0;
        for (size_t i = 0; i < a->doc.nrows; i++) {
            if (a->doc.rows[i]->problem) {
                a->lad.sel = i;
                break;
            }
        }
        a->lad.follow = false;
    }
}

/* q while the trace runs: it ends first (a stepped one no longer waits for keys). */
static void quit_when_done(struct app *a)
{
    a->quit_when_done = true;
    if (a->feed)
        tui_feed_allow(a->feed, SIZE_MAX);
}

/* ---- search and save ---- */

static void search_step(struct app *a, int dir)
{
    size_t n = a->doc.nrows;
    if (a->search[0] == '\0') {
        say(a, TP_DIM, "no search yet: press / to search");
        return;
    }
    if (n == 0)
        return;
    size_t total = 0, found = n, rank = 0;
    const struct hs_field *where = NULL;
    for (size_t k = 1; k <= n && found == n; k++) {
        size_t i = dir > 0 ? (a->lad.sel + k) % n : (a->lad.sel + n - (k % n)) % n;
        if (tui_event_matches(a->doc.rows[i], a->search, &where))
            found = i;
    }
    if (found == n) {
        say(a, TP_PROBLEM, "not found: %s", a->search);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const struct hs_field *w;
        if (tui_event_matches(a->doc.rows[i], a->search, &w)) {
            total++;
            if (i <= found)
                rank++;
        }
    }
    a->lad.sel = found;
    a->lad.follow = false;
    tui_detail_set(&a->det, a->doc.rows[found]);
    if (where)
        tui_detail_reveal(&a->det, where);
    say(a, TP_NORMAL, "match %zu of %zu for \"%s\" (n next, N previous)", rank, total, a->search);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static void save(struct app *a)
{
    const struct hs_trace *t = tui_app_current(a);
    if (t == NULL)
        return;
    if (a->running) {
        say(a, TP_PROBLEM, "the trace is still running: save it when it has finished");
        return;
    }
    char def[128] = "hstrace.json";
    const char *host = t->host ? t->host : t->address;
    if (host) {
        size_t k = snprintf(def, sizeof def, "hstrace-");
        for (const char *p = host; *p && k + 6 < sizeof def; p++)
            def[k++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-",
                               *p) ? *p : '_');
        snprintf(def + k, sizeof def - k, ".json");
    }
    char path[1024];
    if (!tui_prompt(&a->ui, LINES - 2, "save as (.json, .pcap, .pcapng): ", def, path,
                    sizeof path) || path[0] == '\0') {
        say(a, TP_DIM, "not saved");
        return;
    }
    if (ends_with(path, ".pcap") || ends_with(path, ".pcapng")) {
        char msg[512];
        if (a->kept == NULL)
            say(a, TP_PROBLEM, "no packets to save: %s",
                a->live ? "packet capture was not permitted" : "open the capture file itself");
        else if (a->src->save(a->kept, path, a->o->force, msg, sizeof msg) != 0)
            say(a, TP_PROBLEM, "%s", msg);
        else
            say(a, TP_GOOD, "saved %s to %s", msg, path);
        return;
    }
    if (!ends_with(path, ".json")) {
        say(a, TP_PROBLEM, "unknown file type: %s (use .json, .pcap or .pcapng)", path);
        return;
    }
    char err[1200];
    FILE *f = hs_outfile_fopen(path, a->o->force ? HS_OUT_REPLACE : HS_OUT_NEW, 0644, err,
                               sizeof err);
    if (f == NULL) {
        say(a, TP_PROBLEM, "%s", err);
        return;
    }
    (void)hs_view_json(f, t, !hs_view_locale_utf8()); /* a write error shows when closing */
    if (hs_outfile_close(f, path, 0) != 0) /* an incomplete file is removed */
        say(a, TP_PROBLEM, "cannot write %s: %s", path, strerror(errno));
    else
        say(a, TP_GOOD, "saved the JSON document to %s", path);
}

/* ---- keys ---- */

static void on_mouse(struct app *a)
{
    MEVENT m;
    if (getmouse(&m) != OK || a->too_small)
        return;
    int key = m.bstate & BUTTON4_PRESSED ? KEY_UP : m.bstate & BUTTON5_PRESSED ? KEY_DOWN : 0;
    int y = m.y, x = m.x;
    if (a->wl && wmouse_trafo(a->wl, &y, &x, FALSE)) {
        if (a->in_list) {
            long i = key ? -1 : tui_connlist_hit(&a->list, a->ntraces, y);
            if (key)
                tui_connlist_key(&a->list, a->ntraces, key, 1);
            else if (i >= 0)
                a->list.sel = (size_t)i;
            return;
        }
        a->focus = F_LADDER;
        long i = key ? -1 : tui_ladder_hit(&a->lad, &a->doc, y);
        if (key)
            tui_ladder_key(&a->lad, &a->doc, key, 1);
        else if (i >= 0)
            a->lad.sel = (size_t)i, a->lad.follow = false;
        return;
    }
    y = m.y, x = m.x;
    if (a->wd && wmouse_trafo(a->wd, &y, &x, FALSE)) {
        bool leave;
        if (key)
            tui_detail_tree_key(&a->det, key, &leave);
        else if (tui_detail_hit(&a->det, y))
            a->focus = F_TREE;
    }
}

static void ladder_screen_key(struct app *a, int key)
{
    int page = a->wl ? getmaxy(a->wl) - TUI_LADDER_HEAD : 1;
    if (tui_step_key(a, key))
        return;
    switch (key) {
    case 'q': case 27:
        if (a->focus != F_LADDER) {
            a->focus = F_LADDER;
        } else if (a->ntraces > 1) {
            a->in_list = true;
            tui_app_layout(a);
        } else if (a->running) {
            quit_when_done(a);
            say(a, TP_ENC, "finishing the trace before quitting (at most %.0f s)...",
                a->src->timeout_s > 0 ? a->src->timeout_s : 10);
        } else {
            a->quit = true;
        }
        return;
    case 'K':
        a->keys = true;
        a->keys_top = 0;
        return;
    case '\t':
        a->focus = a->focus == F_LADDER ? F_TREE
                   : a->focus == F_TREE && a->det.hex ? F_HEX
                                                      : F_LADDER;
        return;
    case KEY_BTAB:
        a->focus = a->focus == F_LADDER ? (a->det.hex ? F_HEX : F_TREE)
                   : a->focus == F_HEX ? F_TREE
                                       : F_LADDER;
        return;
    case 'x':
        a->det.hex = !a->det.hex;
        a->det.hex_follow = true;
        tui_app_layout(a);
        if (!a->det.hex && a->focus == F_HEX)
            a->focus = F_TREE;
        return;
    case 'e':
        a->det.explain_off = !a->det.explain_off;
        say(a, TP_DIM, "explanations %s", a->det.explain_off ? "hidden" : "shown");
        return;
    case 't':
        a->lad.delta = !a->lad.delta;
        say(a, TP_DIM, "time column: %s", a->lad.delta ? "since the previous row (+ms)"
                                                        : "since the start (ms)");
        return;
    case '/': {
        char pat[sizeof a->search];
        if (tui_prompt(&a->ui, LINES - 2, "/", "", pat, sizeof pat) && pat[0]) {
            snprintf(a->search, sizeof a->search, "%s", pat);
            search_step(a, 1);
        } else {
            a->status[0] = '\0';
        }
        return;
    }
    case 'L':
        a->lad.sel = tui_doc_cycle_notes(&a->doc, &a->ui, tui_app_selected(a));
        a->lad.follow = false;
        say(a, TP_DIM, "library notes: %s", hs_notes_name(a->ui.notes));
        return;
    case 'n': search_step(a, 1); return;
    case 'N': search_step(a, -1); return;
    case 's': save(a); return;
    case 'r':
        if (!a->live)
            say(a, TP_DIM, "r runs a live trace again; this one comes from a capture");
        else if (a->running)
            say(a, TP_ENC, "the trace is still running");
        else if (start_run(a))
            say(a, TP_DIM, "running the trace again");
        return;
    default:
        break;
    }
    if (a->focus == F_LADDER) {
        if (key == '\n' || key == '\r' || key == KEY_ENTER || key == KEY_RIGHT || key == 'l') {
            a->focus = F_TREE;
            return;
        }
        tui_ladder_key(&a->lad, &a->doc, key, page);
    } else if (a->focus == F_TREE) {
        bool leave = false;
        tui_detail_tree_key(&a->det, key, &leave);
        if (leave)
            a->focus = F_LADDER;
    } else {
        tui_detail_hex_key(&a->det, key);
    }
}

static void list_screen_key(struct app *a, int key)
{
    int page = a->wl ? getmaxy(a->wl) - 1 : 1;
    switch (key) {
    case 'q': case 27:
        a->quit = true;
        return;
    case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: case 'l':
        if (a->ntraces == 0)
            return;
        a->in_list = false;
        open_trace(a, a->traces[a->list.sel]);
        tui_app_layout(a);
        return;
    case 's':
        save(a);
        return;
    default:
        tui_connlist_key(&a->list, a->ntraces, key, page);
    }
}

static void on_key(struct app *a, int key)
{
    if (key == KEY_RESIZE) {
        tui_app_layout(a);
        return;
    }
    if (a->help) {
        a->help = false;
        return;
    }
    if (a->keys) {
        a->keys = tui_keys_key(key, &a->keys_top);
        return;
    }
    if (key == KEY_MOUSE) {
        on_mouse(a);
        return;
    }
    a->status[0] = '\0';
    if (key == '?' || key == KEY_F(1)) {
        a->help = true;
        return;
    }
    if (a->too_small) {
        /* q still quits (after a running trace ends, so the exit code is its own). */
        if ((key == 'q' || key == 27) && a->running)
            quit_when_done(a);
        else if (key == 'q' || key == 27)
            a->quit = true;
        return;
    }
    if (a->in_list)
        list_screen_key(a, key);
    else
        ladder_screen_key(a, key);
}

/* ---- the terminal ---- */

struct term {
    SCREEN *screen;
    int saved_stderr;     /* the real stderr while curses owns the screen */
    FILE *held;           /* what was written to stderr meanwhile */
};

static bool term_open(struct term *tm)
{
    memset(tm, 0, sizeof *tm);
    tm->saved_stderr = -1;
    tm->screen = newterm(NULL, stdout, stdin);
    if (tm->screen == NULL)
        return false;
    /* Messages from the source would scribble over the screen: hold them until the end. */
    fflush(stderr);
    tm->held = tmpfile();
    if (tm->held) {
        tm->saved_stderr = dup(STDERR_FILENO);
        if (tm->saved_stderr < 0 || dup2(fileno(tm->held), STDERR_FILENO) < 0) {
            fclose(tm->held);
            tm->held = NULL;
        }
    }
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    mouseinterval(0);
    return true;
}

static void term_close(struct term *tm)
{
    endwin();
    delscreen(tm->screen);
    fflush(stderr);
    if (tm->held && tm->saved_stderr >= 0) {
        dup2(tm->saved_stderr, STDERR_FILENO);
        close(tm->saved_stderr);
        rewind(tm->held);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, tm->held)) > 0)
            fwrite(buf, 1, n, stderr);
    }
    if (tm->held)
        fclose(tm->held);
}

static void loop(struct app *a)
{
    tui_app_layout(a);
    while (!a->quit) {
        pump(a);
        if (a->quit)
            break;
        tui_app_draw(a);
        timeout(a->running ? POLL_MS : -1);
        wint_t wc;
        int kind = get_wch(&wc);
        if (kind == ERR)
            continue;
        /* Characters beyond Latin-1 are no command key. */
        if (kind == OK && wc > 0xff)
            continue;
        on_key(a, (int)wc);
    }
    if (a->wl)
        delwin(a->wl);
    if (a->wd)
        delwin(a->wd);
    a->wl = a->wd = NULL;
}

int hs_tui_run_live(const struct hs_tui_opts *o, const struct hs_tui_source *src)
{
    struct term tm;
    if (!term_open(&tm))
        return HS_TUI_UNAVAILABLE;
    struct app a = {.o = o, .src = src, .live = true, .code = HS_EXIT_TLS};
    tui_ui_init(&a.ui, o);
    if (start_run(&a))
        loop(&a);
    tui_feed_free(a.feed); /* only set if the loop ended some other way */
    term_close(&tm);

    int code = a.code;
    if (a.own && !(code == HS_EXIT_USAGE && a.own->nevents == 0)) {
        hs_view_text(stdout, a.own, &o->text);
        fflush(stdout);
    }
    tui_detail_free(&a.det);
    tui_doc_free(&a.doc);
    hs_trace_free(a.own);
    if (a.kept)
        src->free_kept(a.kept);
    return code;
}

int hs_tui_run_traces(const struct hs_tui_opts *o, struct hs_trace **t, size_t n,
                      const char *title)
{
    struct term tm;
    if (!term_open(&tm))
        return HS_TUI_UNAVAILABLE;
    struct app a = {.o = o, .traces = t, .ntraces = n, .title = title, .in_list = n > 1};
    tui_ui_init(&a.ui, o);
    if (n == 1)
        open_trace(&a, t[0]);
    loop(&a);
    term_close(&tm);

    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', stdout);
        hs_view_text(stdout, t[i], &o->text);
    }
    fflush(stdout);
    tui_detail_free(&a.det);
    tui_doc_free(&a.doc);
    return 0;
}
