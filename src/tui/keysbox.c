/* The key schedule box (K, with --keys): view/keys.h's lines over the screen, scrolled with
 * the arrow keys (j/k), PgUp/PgDn (space), Home and End (G); any other key closes it. */
#include "internal.h"

#include "../core/mem.h"
#include "../view/keys.h"

#include <stdlib.h>
#include <string.h>

struct lines {
    char **v;
    bool *problem;
    size_t n, cap;
};

static void add_line(void *ctx, const char *line, bool problem)
{
    struct lines *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = hs_xrealloc(l->v, l->cap * sizeof *l->v);
        l->problem = hs_xrealloc(l->problem, l->cap * sizeof *l->problem);
    }
    l->v[l->n] = hs_xstrdup(line);
    l->problem[l->n++] = problem;
}

bool tui_keys_key(int key, int *top)
{
    switch (key) {
    case KEY_UP: case 'k': *top -= 1; break;
    case KEY_DOWN: case 'j': *top += 1; break;
    case KEY_PPAGE: *top -= LINES / 2; break;
    case KEY_NPAGE: case ' ': *top += LINES / 2; break;
    case KEY_HOME: *top = 0; break;
    case KEY_END: case 'G': *top = 1 << 20; break; /* drawing clamps it */
    default: return false;
    }
    if (*top < 0)
        *top = 0;
    return true;
}

void tui_keys_draw(const struct tui_ui *ui, const struct hs_trace *t, int *top)
{
    struct lines l = {0};
    if (t && t->key_schedule)
        hs_view_keys(t->key_schedule, ui->ascii, add_line, &l);
    else
        add_line(&l, "no key schedule: run hstrace with --keys (it shows secret material)",
                 false);
    int rows = LINES - 2, cols = COLS - 2;
    int body = rows - 2;
    if (body < 1 || cols < 10)
        goto out;
    if (*top > (int)l.n - body)
        *top = (int)l.n - body > 0 ? (int)l.n - body : 0;
    WINDOW *w = newwin(rows, cols, 1, 1);
    if (w == NULL)
        goto out;
    werase(w);
    tui_glyph(w, ui, 0, 0, ui->g->hline, cols, TP_BOLD, 0);
    tui_glyph(w, ui, rows - 1, 0, ui->g->hline, cols, TP_BOLD, 0);
    tui_text(w, ui, 0, 2, " key schedule (K): arrows, PgUp/PgDn, Home/End scroll; any other key closes ", cols - 4,
             TP_BOLD, 0);
    for (int y = 0; y < body && (size_t)*top + (size_t)y < l.n; y++) {
        size_t i = (size_t)*top + (size_t)y;
        tui_text(w, ui, y + 1, 1, l.v[i], cols - 2,
                 l.problem[i] ? TP_PROBLEM : i == 0 ? TP_ENC : TP_NORMAL, 0);
    }
    wnoutrefresh(w);
    delwin(w);
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i]);
    free(l.v);
    free(l.problem);
}
