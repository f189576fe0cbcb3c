/*
 * Drawing helpers for the interactive view: the glyph sets (Unicode box drawing, ASCII), the
 * colour scheme with its monochrome fallback, and the one way text reaches the screen: model
 * strings go through hs_view_safe() again, are decoded from UTF-8 here (not through the
 * locale) and drawn with the wide-character API, cut at the pane's edge.
 */
#include "internal.h"

#include "../view/safe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The one glyph table (view/glyphs.h) as wide strings: L"" "x" is the wide literal L"x". */
#define UNI(name, uni, ascii) .name = L"" uni,
#define ASCII(name, uni, ascii) .name = L"" ascii,
static const struct tui_glyphs uni_glyphs = {HS_GLYPHS(UNI)};
static const struct tui_glyphs ascii_glyphs = {HS_GLYPHS(ASCII)};
#undef UNI
#undef ASCII

enum { PAIR_CLIENT = 1, PAIR_SERVER, PAIR_ENC, PAIR_PROBLEM, PAIR_LIB, PAIR_BAR, PAIR_HILITE };

static bool colour_wanted(const struct hs_tui_opts *o)
{
    if (o->color == HS_COLOR_NEVER)
        return false;
    if (o->color != HS_COLOR_ALWAYS) {
        const char *no = getenv("NO_COLOR");
        if (no && *no)
            return false;
    }
    return has_colors();
}

void tui_ui_init(struct tui_ui *ui, const struct hs_tui_opts *o)
{
    memset(ui, 0, sizeof *ui);
    ui->ascii = o->ascii || !hs_view_locale_utf8();
    ui->g = ui->ascii ? &ascii_glyphs : &uni_glyphs;
    ui->debug = o->debug;
    ui->notes = o->text.notes;
    ui->color = colour_wanted(o);

    /* Monochrome: attributes and markers carry everything. */
    ui->attr[TP_PROBLEM] = A_BOLD;
    ui->attr[TP_GOOD] = A_BOLD;
    ui->attr[TP_BOLD] = A_BOLD;
    ui->attr[TP_DIM] = A_DIM;
    ui->attr[TP_BAR] = A_REVERSE;
    ui->attr[TP_KEY] = A_REVERSE | A_BOLD;
    ui->attr[TP_HILITE] = A_REVERSE | A_BOLD;
    if (!ui->color)
        return;

    start_color();
    short bg = COLOR_BLACK;
    if (use_default_colors() == OK)
        bg = -1;
    init_pair(PAIR_CLIENT, COLOR_CYAN, bg);
    init_pair(PAIR_SERVER, COLOR_MAGENTA, bg);
    init_pair(PAIR_ENC, COLOR_YELLOW, bg);
    init_pair(PAIR_PROBLEM, COLOR_RED, bg);
    init_pair(PAIR_LIB, COLOR_GREEN, bg);
    init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
    init_pair(PAIR_HILITE, COLOR_BLACK, COLOR_YELLOW);
    ui->pair[TP_CLIENT] = PAIR_CLIENT;
    ui->pair[TP_SERVER] = PAIR_SERVER;
    ui->pair[TP_ENC] = PAIR_ENC;
    ui->pair[TP_PROBLEM] = PAIR_PROBLEM;
    ui->pair[TP_LIB] = PAIR_LIB;
    ui->pair[TP_GOOD] = PAIR_LIB;
    ui->pair[TP_BAR] = PAIR_BAR;
    ui->pair[TP_KEY] = PAIR_BAR;
    ui->pair[TP_HILITE] = PAIR_HILITE;
    ui->attr[TP_BAR] = A_NORMAL;
    ui->attr[TP_KEY] = A_BOLD;
    ui->attr[TP_HILITE] = A_BOLD;
}

void tui_paint(WINDOW *w, const struct tui_ui *ui, enum tui_paint p, attr_t extra)
{
    wattr_set(w, ui->attr[p] | extra, ui->pair[p], NULL);
}

/* Decodes one well-formed UTF-8 character (hs_view_safe output is valid UTF-8); returns its
 * length, or 1 with U+FFFD for anything else. */
static size_t utf8_next(const unsigned char *p, size_t n, wchar_t *out)
{
    unsigned char c = p[0];
    size_t len = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (len == 0 || len > n) {
        *out = 0xfffd;
        return 1;
    }
    uint32_t v = len == 1 ? c : c & (0x3fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            *out = 0xfffd;
            return 1;
        }
        v = (v << 6) | (p[i] & 0x3fu);
    }
    *out = (wchar_t)v;
    return len;
}

static int wc_cols(wchar_t wc)
{
    int w = wcwidth(wc);
    return w < 0 ? 1 : w;
}

int tui_cols(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    int cols = 0;
    while (n > 0) {
        wchar_t wc;
        size_t len = utf8_next(p, n, &wc);
        cols += wc_cols(wc);
        p += len;
        n -= len;
    }
    return cols;
}

static int put_wide(WINDOW *w, const wchar_t *ws, int maxcols)
{
    int used = 0;
    for (; *ws && used < maxcols; ws++) {
        int cw = wc_cols(*ws);
        if (used + cw > maxcols)
            break;
        waddnwstr(w, ws, 1);
        used += cw;
    }
    return used;
}

int tui_text(WINDOW *w, const struct tui_ui *ui, int y, int x, const char *s, int maxcols,
             enum tui_paint p, attr_t extra)
{
    if (maxcols <= 0 || s == NULL)
        return 0;
    char *safe = hs_view_safe(s, ui->ascii);
    int total = tui_cols(safe);
    int ell = (int)wcslen(ui->g->ellipsis);
    int budget = total <= maxcols ? maxcols : maxcols - ell;
    if (budget < 0)
        budget = 0;

    tui_paint(w, ui, p, extra);
    wmove(w, y, x);
    const unsigned char *q = (const unsigned char *)safe;
    size_t n = strlen(safe);
    int used = 0;
    while (n > 0) {
        wchar_t wc[2] = {0, 0};
        size_t len = utf8_next(q, n, &wc[0]);
        int cw = wc_cols(wc[0]);
        if (used + cw > budget)
            break;
        waddnwstr(w, wc, 1);
        used += cw;
        q += len;
        n -= len;
    }
    if (n > 0 && maxcols - used >= ell)
        used += put_wide(w, ui->g->ellipsis, maxcols - used);
    free(safe);
    return used;
}

void tui_glyph(WINDOW *w, const struct tui_ui *ui, int y, int x, const wchar_t *g, int count,
               enum tui_paint p, attr_t extra)
{
    tui_paint(w, ui, p, extra);
    wmove(w, y, x);
    for (int i = 0; i < count; i++)
        waddwstr(w, g);
}

void tui_clear_to(WINDOW *w, const struct tui_ui *ui, int y, int x, enum tui_paint p,
                  attr_t extra)
{
    int width = getmaxx(w);
    tui_paint(w, ui, p, extra);
    for (int i = x; i < width; i++)
        mvwaddch(w, y, i, ' ');
}
