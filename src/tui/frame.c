/*
 * The interactive view's frame: the panes' layout for the terminal's size, the header (target
 * and negotiated result), the status line, the footer of keys, and one full redraw.
 *
 *   hstrace 0.1.0  localhost:4433 → 127.0.0.1 (SNI localhost)               done 17.2 ms
 *   TLS 1.3 · TLS_AES_128_GCM_SHA256 · x25519 · ALPN h2 · certificate verified
 *   ┌ ladder pane (ladder.c) ──────────────────────────────────────────────────────┐
 *   └──────────────────────────────────────────────────────────────────────────────┘
 *   ┌ detail pane (detail.c): field tree, hex dump (x) ────────────────────────────┐
 *   └──────────────────────────────────────────────────────────────────────────────┘
 *   status line: search and save results, the failure reason, timings
 *   footer: the keys that work here
 *
 * At 150 columns and more the detail pane sits to the right of the ladder.
 */
#include "app.h"

#include "../core/mem.h"
#include "../core/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HS_VERSION
#define HS_VERSION "0.0.0"
#endif

const struct hs_event *tui_app_selected(const struct app *a)
{
    return a->doc.nrows && a->lad.sel < a->doc.nrows ? a->doc.rows[a->lad.sel] : NULL;
}

/* ---- layout ---- */

void tui_app_layout(struct app *a)
{
    if (a->wl)
        delwin(a->wl);
    if (a->wd)
        delwin(a->wd);
    a->wl = a->wd = NULL;
    a->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
    if (a->too_small)
        return;
    int body_y = 2, body_h = LINES - 4;
    a->wide = COLS >= WIDE_COLS;
    if (a->in_list) {
        a->wl = newwin(body_h, COLS, body_y, 0);
    } else if (a->wide) {
        a->wl = newwin(body_h, COLS - DETAIL_W - 1, body_y, 0);
        a->wd = newwin(body_h, DETAIL_W, body_y, COLS - DETAIL_W);
    } else {
        /* The hex dump needs lines more than the ladder does. */
        int ladder_h = body_h * (a->det.hex ? 40 : 55) / 100;
        a->wl = newwin(ladder_h, COLS, body_y, 0);
        a->wd = newwin(body_h - ladder_h, COLS, body_y + ladder_h, 0);
    }
    if ((a->wl == NULL) || (!a->in_list && a->wd == NULL))
        a->too_small = true;
}

/* ---- header, status, footer ---- */

const struct hs_trace *tui_app_current(const struct app *a)
{
    if (a->in_list)
        return a->ntraces ? a->traces[a->list.sel] : NULL;
    return a->doc.trace;
}

static void draw_header(struct app *a)
{
    const struct tui_ui *ui = &a->ui;
    const struct hs_trace *t = tui_app_current(a);
    int x = tui_text(stdscr, ui, 0, 0, "hstrace " HS_VERSION, COLS, TP_BOLD, 0) + 2;

    /* Right: the state of the run, or where this connection comes from. */
    char right[160] = "";
    if (a->live && a->running)
        snprintf(right, sizeof right, "running...");
    else if (a->live && t && t->total_ms >= 0)
        snprintf(right, sizeof right, "%s in %.1f ms", t->error_stage ? "failed" : "done",
                 t->total_ms);
    else if (!a->live && a->in_list)
        snprintf(right, sizeof right, "%zu TLS connections", a->ntraces);
    else if (!a->live && a->ntraces > 1)
        snprintf(right, sizeof right, "connection %zu of %zu", a->list.sel + 1, a->ntraces);
    int right_w = tui_cols(right);
    if (right_w > COLS / 3)
        right_w = COLS / 3;

    if (a->in_list) {
        tui_text(stdscr, ui, 0, x, a->title ? a->title : "capture", COLS - x - right_w - 2,
                 TP_BOLD, 0);
    } else if (t) {
        const char *host = t->host ? t->host : t->address ? t->address : "?";
        bool v6 = strchr(host, ':') && host[0] != '[';
        char *target = v6 ? hs_xasprintf("[%s]:%u", host, t->port)
                          : hs_xasprintf("%s:%u", host, t->port);
        char *line;
        if (!t->host && t->client_address)
            line = hs_xasprintf("%s \xe2\x86\x92 %s", t->client_address, target);
        else if (t->address && t->host && strcmp(t->address, t->host) != 0)
            line = hs_xasprintf("%s \xe2\x86\x92 %s", target, t->address);
        else
            line = hs_xstrdup(target);
        char *full = hs_xasprintf("%s (%s%s)%s%s", line, t->sni ? "SNI " : "no SNI",
                                  t->sni ? t->sni : "", t->host && t->client_address ? " from " : "",
                                  t->host && t->client_address ? t->client_address : "");
        tui_text(stdscr, ui, 0, x, full, COLS - x - right_w - 2, TP_BOLD, 0);
        free(full);
        free(line);
        free(target);
    }
    if (right[0])
        tui_text(stdscr, ui, 0, COLS - right_w, right, right_w,
                 a->running ? TP_ENC : t && t->error_stage ? TP_PROBLEM : TP_DIM, 0);

    /* Line 2: the negotiated result, words first, colour second. */
    if (t == NULL || a->in_list)
        return;
    struct {
        char text[96];
        enum tui_paint p;
    } items[8];
    int n = 0;
    bool failed = !a->running && (t->error_stage != HS_STAGE_NONE || !t->handshake_done);
    if (failed) {
        const char *stage = hs_stage_name(t->error_stage);
        snprintf(items[n].text, sizeof items[n].text, "%s%s", stage ? "handshake failed at " :
                 "handshake not completed", stage ? stage : "");
        items[n++].p = TP_PROBLEM;
    }
    /* Verification first: on a narrow screen the cipher suite is what gets cut. */
    int tone;
    const char *cert = hs_view_cert_words(t, !a->running && !failed, &tone);
    if (cert) {
        snprintf(items[n].text, sizeof items[n].text, "%s", cert);
        items[n++].p = tone > 0 ? TP_GOOD : tone == 0 ? TP_PROBLEM : TP_NORMAL;
    }
    const char *known[] = {t->version, t->cipher_suite, t->group};
    for (int i = 0; i < 3; i++) {
        if (known[i][0] == '\0')
            continue;
        snprintf(items[n].text, sizeof items[n].text, "%s", known[i]);
        items[n++].p = TP_NORMAL;
    }
    if (t->alpn) {
        snprintf(items[n].text, sizeof items[n].text, "ALPN %s", t->alpn);
        items[n++].p = TP_NORMAL;
    } else if (!failed && !a->running) {
        snprintf(items[n].text, sizeof items[n].text, "no ALPN");
        items[n++].p = TP_NORMAL;
    }
    if (t->resumed) {
        snprintf(items[n].text, sizeof items[n].text, "resumed");
        items[n++].p = TP_NORMAL;
    }
    if (n == 0 && a->running) {
        snprintf(items[n].text, sizeof items[n].text, "negotiating...");
        items[n++].p = TP_DIM;
    }
    x = 0;
    for (int i = 0; i < n && x < COLS; i++) {
        if (i > 0) {
            int sw = (int)wcslen(ui->g->sep);
            tui_glyph(stdscr, ui, 1, x, ui->g->sep, 1, TP_DIM, 0);
            x += sw;
        }
        x += tui_text(stdscr, ui, 1, x, items[i].text, COLS - x, items[i].p, 0);
    }
}

static void draw_status(struct app *a)
{
    const struct tui_ui *ui = &a->ui;
    int y = LINES - 2;
    const struct hs_trace *t = tui_app_current(a);
    if (a->status[0]) {
        tui_text(stdscr, ui, y, 0, a->status, COLS, a->status_paint, 0);
        return;
    }
    char steps[256];
    if (tui_step_status(a, steps, sizeof steps)) {
        tui_text(stdscr, ui, y, 0, steps, COLS, TP_ENC, 0);
        return;
    }
    if (t == NULL || a->running)
        return;
    if (t->error_stage != HS_STAGE_NONE || t->error_message) {
        const char *stage = hs_stage_name(t->error_stage);
        char *line = hs_xasprintf("failed%s%s: %s", stage ? " at " : "", stage ? stage : "",
                                  t->error_message ? t->error_message : "unknown error");
        tui_glyph(stdscr, ui, y, 0, ui->g->fail, 1, TP_PROBLEM, A_BOLD);
        tui_text(stdscr, ui, y, 2, line, COLS - 2, TP_PROBLEM, 0);
        free(line);
        return;
    }
    char line[256] = "";
    size_t len = 0;
    const char *names[] = {"DNS", "TCP", "STARTTLS", "TLS", "total"};
    double ms[] = {t->dns_ms, t->tcp_ms, t->starttls_ms, t->tls_ms, t->total_ms};
    for (int i = 0; i < 5; i++)
        if (ms[i] >= 0 && len < sizeof line)
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %.2f ms",
                                    len ? " \xc2\xb7 " : "", names[i], ms[i]);
    if (t->round_trips >= 0 && len < sizeof line)
        snprintf(line + len, sizeof line - len, "%s%d round trip%s", len ? " \xc2\xb7 " : "",
                 t->round_trips, t->round_trips == 1 ? "" : "s");
    tui_text(stdscr, ui, y, 0, line, COLS, TP_DIM, 0);
}

/* Key and word pairs; the last pairs (r, q) always show, the others while they fit. */
static int footer_item(const struct tui_ui *ui, int y, int x, const char *key, const char *what)
{
    int x0 = x;
    x += tui_text(stdscr, ui, y, x, key, COLS - x, TP_KEY, 0);
    x += tui_text(stdscr, ui, y, x, " ", COLS - x, TP_BAR, 0);
    x += tui_text(stdscr, ui, y, x, what, COLS - x, TP_BAR, 0);
    x += tui_text(stdscr, ui, y, x, "  ", COLS - x, TP_BAR, 0);
    return x - x0;
}

static void draw_footer(struct app *a)
{
    const struct tui_ui *ui = &a->ui;
    int y = LINES - 1;
    static const char *const list_keys[] = {"Enter", "open", "\xe2\x86\x91\xe2\x86\x93", "select",
                                            "s", "save", "?", "help", NULL};
    static const char *const ladder_keys[] = {
        "\xe2\x86\x91\xe2\x86\x93", "move", "Enter", "fields", "Tab", "pane", "x", "hex", "t",
        "time", "/", "find", "?", "help", "s", "save", "n/N", "next", NULL};
    static const char *const tree_keys[] = {
        "\xe2\x86\x91\xe2\x86\x93", "move", "Enter", "fold", "\xe2\x86\x90", "close", "Tab",
        "pane", "x", "hex", "/", "find", "?", "help", NULL};
    static const char *const step_keys[] = {
        "Space", "next", "Bksp", "back", "End", "all", "Enter", "fields", "?", "help", NULL};
    const char *const *keys = a->in_list                 ? list_keys
                              : a->focus != F_LADDER     ? tree_keys
                              : a->step.on               ? step_keys
                                                         : ladder_keys;
    bool again = a->live && !a->running && !a->in_list;
    const char *q = a->in_list || (a->focus == F_LADDER && a->ntraces <= 1) ? "quit" : "back";
    int tail = (again ? tui_cols("r again  ") : 0) + tui_cols("q   ") + tui_cols(q);

    tui_clear_to(stdscr, ui, y, 0, TP_BAR, 0);
    int x = 0;
    for (int i = 0; keys[i]; i += 2) {
        int w = tui_cols(keys[i]) + 1 + tui_cols(keys[i + 1]) + 2;
        if (x + w + tail > COLS)
            break;
        x += footer_item(ui, y, x, keys[i], keys[i + 1]);
    }
    if (again)
        x += footer_item(ui, y, x, "r", "again");
    footer_item(ui, y, x, "q", q);
}

void tui_app_draw(struct app *a)
{
    const struct tui_ui *ui = &a->ui;
    werase(stdscr);
    if (a->too_small) {
        tui_text(stdscr, ui, 0, 0, "hstrace: the terminal is too small (needs 60x16, best 80x24)",
                 COLS, TP_PROBLEM, 0);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    draw_header(a);
    draw_status(a);
    draw_footer(a);
    if (a->wide && !a->in_list)
        for (int y = 2; y < LINES - 2; y++)
            tui_glyph(stdscr, ui, y, COLS - DETAIL_W - 1, ui->g->vline, 1, TP_DIM, 0);
    wnoutrefresh(stdscr);

    if (a->in_list) {
        tui_connlist_draw(a->wl, ui, a->traces, a->ntraces, &a->list);
        wnoutrefresh(a->wl);
    } else {
        tui_ladder_draw(a->wl, ui, &a->doc, &a->lad, a->focus == F_LADDER, a->running);
        tui_detail_set(&a->det, tui_app_selected(a));
        tui_detail_draw(a->wd, ui, &a->det,
                        a->focus == F_TREE ? 1 : a->focus == F_HEX ? 2 : 0);
        wnoutrefresh(a->wl);
        wnoutrefresh(a->wd);
    }
    if (a->keys && !a->in_list)
        tui_keys_draw(ui, tui_app_current(a), &a->keys_top);
    if (a->help)
        tui_help_draw(ui, a->live, a->ntraces > 1);
    doupdate();
}
