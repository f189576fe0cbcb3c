/*
 * The ladder pane: one line per event between the Client and Server lanes.
 *
 *          ms Client                     Server
 *      8.895 │────────── SYN ──────────►│  mss 65495, wscale 10, SACK, TS
 *      8.972 │ ·                        │  key exchange with x25519
 *     13.572 │◄╌╌╌╌╌╌ Certificate ╌╌╌╌╌╌│  [decrypted] 2 certs: CN=localhost ← ...
 *     20.001 │ ✗ failed at connect: Connection refused
 *
 * Encrypted messages: dashed shaft, their own colour and an [encrypted]/[decrypted] marker;
 * problems: red and "!!"; library notes: a dot by the client lane.  The time column shows
 * milliseconds since the start, or (t) since the previous row.
 */
#include "internal.h"

#include "../core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TIME_W = 9, LANE_MIN = 16, LANE_MAX = 30 };

struct geo {
    int width, client_x, lane, server_x, sum_x;
};

static struct geo geometry(int width)
{
    struct geo g = {.width = width, .client_x = TIME_W + 1};
    g.lane = (width - 12) / 3;
    if (g.lane > LANE_MAX)
        g.lane = LANE_MAX;
    if (g.lane < LANE_MIN)
        g.lane = LANE_MIN;
    g.server_x = g.client_x + 1 + g.lane;
    g.sum_x = g.server_x + 3;
    return g;
}

static void put_time(WINDOW *w, const struct tui_ui *ui, int y, const struct hs_event *ev,
                     const struct hs_event *prev, bool delta, attr_t extra)
{
    char buf[32];
    if (delta && prev)
        snprintf(buf, sizeof buf, "+%.3f", ev->t_ms - prev->t_ms);
    else if (ev->t_ms < 99999.9995 && ev->t_ms > -9999.9995)
        snprintf(buf, sizeof buf, "%.3f", ev->t_ms);
    else
        snprintf(buf, sizeof buf, "%.0f", ev->t_ms);
    int len = (int)strlen(buf);
    tui_paint(w, ui, TP_NORMAL, extra);
    for (int i = 0; i < TIME_W - len; i++)
        mvwaddch(w, y, i, ' ');
    tui_text(w, ui, y, len < TIME_W ? TIME_W - len : 0, buf, TIME_W, TP_NORMAL, extra);
    tui_paint(w, ui, TP_NORMAL, extra);
    mvwaddch(w, y, TIME_W, ' ');
}

static enum tui_paint arrow_paint(const struct hs_event *ev)
{
    if (ev->problem)
        return TP_PROBLEM;
    if (ev->encrypted)
        return TP_ENC;
    return ev->from == HS_CLIENT ? TP_CLIENT : TP_SERVER;
}

static void put_arrow(WINDOW *w, const struct tui_ui *ui, int y, const struct geo *g,
                      const struct hs_event *ev, attr_t extra)
{
    const struct tui_glyphs *gl = ui->g;
    enum tui_paint p = arrow_paint(ev);
    bool right = ev->from == HS_CLIENT;
    const wchar_t *shaft = ev->encrypted ? gl->dashed : gl->solid;
    const char *type = ev->type[0] ? ev->type : "unknown";
    int label_max = g->lane - 4;
    int label_cols = tui_cols(type);
    if (label_cols > label_max)
        label_cols = label_max;
    int label_w = label_cols + 2;
    int start = (g->lane - label_w) / 2;

    tui_glyph(w, ui, y, g->client_x, gl->bar, 1, TP_NORMAL, extra);
    int x = g->client_x + 1;
    for (int i = 0; i < g->lane;) {
        if (i == 0 && !right) {
            tui_glyph(w, ui, y, x + i, gl->left, 1, p, extra);
            i++;
        } else if (i == g->lane - 1 && right) {
            tui_glyph(w, ui, y, x + i, gl->right, 1, p, extra);
            i++;
        } else if (i == start) {
            tui_glyph(w, ui, y, x + i, L" ", 1, p, extra);
            int used = tui_text(w, ui, y, x + i + 1, type, label_cols, p, extra | A_BOLD);
            tui_glyph(w, ui, y, x + i + 1 + used, L" ", label_w - 1 - used, p, extra);
            i += label_w;
        } else {
            tui_glyph(w, ui, y, x + i, shaft, 1, p, extra);
            i++;
        }
    }
    tui_glyph(w, ui, y, g->server_x, gl->bar, 1, TP_NORMAL, extra);
}

static void put_note(WINDOW *w, const struct tui_ui *ui, int y, const struct geo *g,
                     const struct hs_event *ev, attr_t extra)
{
    bool debug = strcmp(ev->type, "debug") == 0;
    tui_glyph(w, ui, y, g->client_x, ui->g->bar, 1, TP_NORMAL, extra);
    tui_glyph(w, ui, y, g->client_x + 1, L" ", g->lane, TP_NORMAL, extra);
    tui_glyph(w, ui, y, g->client_x + 2, ui->g->dot, 1, TP_LIB, extra);
    if (debug)
        tui_text(w, ui, y, g->client_x + 4, "debug", 5, TP_LIB, extra);
    tui_glyph(w, ui, y, g->server_x, ui->g->bar, 1, TP_NORMAL, extra);
}

/* Markers, then the summary. */
static void put_summary(WINDOW *w, const struct tui_ui *ui, int y, const struct geo *g,
                        const struct hs_event *ev, attr_t extra)
{
    int x = g->server_x + 1;
    tui_glyph(w, ui, y, x, L"  ", 1, TP_NORMAL, extra);
    x += 2;
    int room = g->width - x;
    struct seg {
        const char *text;
        enum tui_paint p;
    } segs[5];
    int n = 0;
    char label[16];
    int rt = hs_view_round_trip_label(ev);
    snprintf(label, sizeof label, "[RT %d]", rt);
    if (rt > 0)
        segs[n++] = (struct seg){label, TP_BOLD};
    if (ev->problem)
        segs[n++] = (struct seg){"!!", TP_PROBLEM};
    if (ev->inferred)
        segs[n++] = (struct seg){"(inferred)", TP_DIM};
    if (ev->encrypted)
        segs[n++] = (struct seg){ev->decrypted ? "[decrypted]" : "[encrypted]", TP_ENC};
    if (ev->summary && ev->summary[0]) {
        enum tui_paint sp = ev->problem ? TP_PROBLEM
                            : ev->layer == HS_LAYER_LIBRARY ? TP_LIB
                                                            : TP_NORMAL;
        segs[n++] = (struct seg){ev->summary, sp};
    }
    for (int i = 0; i < n && room > 0; i++) {
        if (i > 0) {
            tui_glyph(w, ui, y, x, L" ", 1, TP_NORMAL, extra);
            x++;
            room--;
        }
        int used = tui_text(w, ui, y, x, segs[i].text, room, segs[i].p, extra);
        x += used;
        room -= used;
    }
    if (x < g->width)
        tui_clear_to(w, ui, y, x, TP_NORMAL, extra);
}

static void put_row(WINDOW *w, const struct tui_ui *ui, int y, const struct geo *g,
                    const struct hs_event *ev, const struct hs_event *prev, bool delta,
                    bool selected, bool focused)
{
    attr_t extra = selected && focused ? A_REVERSE : A_NORMAL;
    put_time(w, ui, y, ev, prev, delta, selected ? A_REVERSE : A_NORMAL);
    if (ev->layer == HS_LAYER_LIBRARY)
        put_note(w, ui, y, g, ev, extra);
    else
        put_arrow(w, ui, y, g, ev, extra);
    put_summary(w, ui, y, g, ev, extra);
}

/* When the trace stopped on the ladder's clock: the end of the stages (after the live set-up),
 * never before the last row above it, so the time column never goes back. */
static double trailer_ms(const struct hs_trace *t, const struct hs_event *last)
{
    double end = t->total_ms + (t->setup_ms > 0 ? t->setup_ms : 0);
    return last && last->t_ms > end ? last->t_ms : end;
}

/* The line after the last row: the failure with its reason, or that the trace goes on. */
static bool put_trailer(WINDOW *w, const struct tui_ui *ui, int y, const struct geo *g,
                        const struct hs_trace *t, const struct hs_event *last, bool running)
{
    if (running) {
        tui_glyph(w, ui, y, g->client_x, ui->g->bar, 1, TP_NORMAL, 0);
        tui_text(w, ui, y, g->client_x + 2, "... tracing", g->lane - 2, TP_DIM, 0);
        tui_glyph(w, ui, y, g->server_x, ui->g->bar, 1, TP_NORMAL, 0);
        return true;
    }
    if (t == NULL || (t->error_stage == HS_STAGE_NONE && t->error_message == NULL))
        return false;
    if (t->total_ms >= 0) {
        char buf[32];
        snprintf(buf, sizeof buf, "%*.3f", TIME_W, trailer_ms(t, last));
        tui_text(w, ui, y, 0, buf, TIME_W, TP_PROBLEM, 0);
    }
    const char *stage = hs_stage_name(t->error_stage);
    char *line = stage ? hs_xasprintf("failed at %s: %s", stage,
                                      t->error_message ? t->error_message : "unknown error")
                       : hs_xasprintf("%s", t->error_message);
    tui_glyph(w, ui, y, g->client_x, ui->g->fail, 1, TP_PROBLEM, A_BOLD);
    tui_text(w, ui, y, g->client_x + 2, line, g->width - g->client_x - 2, TP_PROBLEM, 0);
    free(line);
    return true;
}

static bool has_trailer(const struct tui_doc *d, bool running)
{
    const struct hs_trace *t = d->trace;
    return running || (t && (t->error_stage != HS_STAGE_NONE || t->error_message));
}

void tui_ladder_draw(WINDOW *w, const struct tui_ui *ui, const struct tui_doc *d,
                     struct tui_ladder *l, bool focused, bool running)
{
    int h = getmaxy(w), width = getmaxx(w);
    struct geo g = geometry(width);
    werase(w);

    /* Lane titles. */
    tui_text(w, ui, 0, 0, l->delta ? "      +ms" : "       ms", TIME_W, TP_DIM, 0);
    tui_text(w, ui, 0, g.client_x, "Client", 6, TP_CLIENT, A_BOLD);
    tui_text(w, ui, 0, g.server_x - 5, "Server", 6, TP_SERVER, A_BOLD);

    int vis = h - TUI_LADDER_HEAD;
    if (vis <= 0)
        return;
    size_t total = d->nrows + (has_trailer(d, running) ? 1 : 0);
    if (d->nrows > 0 && l->sel >= d->nrows)
        l->sel = d->nrows - 1;
    if (l->follow && total > (size_t)vis)
        l->top = total - (size_t)vis;
    if (l->sel < l->top)
        l->top = l->sel;
    if (l->sel >= l->top + (size_t)vis)
        l->top = l->sel - (size_t)vis + 1;
    if (total <= (size_t)vis)
        l->top = 0;

    int y = TUI_LADDER_HEAD;
    for (size_t i = l->top; i < d->nrows && y < h; i++, y++) {
        const struct hs_event *prev = i > 0 ? d->rows[i - 1] : NULL;
        put_row(w, ui, y, &g, d->rows[i], prev, l->delta, i == l->sel, focused);
    }
    if (y < h && l->top <= d->nrows && put_trailer(w, ui, y, &g, d->trace,
                                                     d->nrows ? d->rows[d->nrows - 1] : NULL,
                                                     running))
        y++;
    for (; y < h; y++) {
        tui_glyph(w, ui, y, g.client_x, ui->g->bar, 1, TP_DIM, 0);
        tui_glyph(w, ui, y, g.server_x, ui->g->bar, 1, TP_DIM, 0);
    }
}

bool tui_ladder_key(struct tui_ladder *l, const struct tui_doc *d, int key, int page)
{
    if (d->nrows == 0)
        return false;
    size_t last = d->nrows - 1;
    size_t step = page > 1 ? (size_t)page - 1 : 1;
    switch (key) {
    case KEY_UP: case 'k':
        if (l->sel > 0)
            l->sel--;
        break;
    case KEY_DOWN: case 'j':
        if (l->sel < last)
            l->sel++;
        break;
    case KEY_PPAGE: case 'b' & 0x1f:
        l->sel = l->sel > step ? l->sel - step : 0;
        break;
    case KEY_NPAGE: case 'f' & 0x1f: case ' ':
        l->sel = l->sel + step < last ? l->sel + step : last;
        break;
    case KEY_HOME: case 'g':
        l->sel = 0;
        break;
    case KEY_END: case 'G':
        l->sel = last;
        break;
    default:
        return false;
    }
    l->follow = false;
    return true;
}

long tui_ladder_hit(const struct tui_ladder *l, const struct tui_doc *d, int y)
{
    if (y < TUI_LADDER_HEAD)
        return -1;
    size_t i = l->top + (size_t)(y - TUI_LADDER_HEAD);
    return i < d->nrows ? (long)i : -1;
}
