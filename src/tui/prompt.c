/* A one-line input on the status line (search text, file name), as in less and vi. */
#include "internal.h"

#include <stdbool.h>
#include <string.h>
#include <wctype.h>

enum { MAX_CHARS = 255 };

/* Appends wc as UTF-8 if it fits (with the NUL); returns the new length. */
static size_t put_utf8(char *out, size_t len, size_t outsz, wchar_t wc)
{
    unsigned long v = (unsigned long)wc;
    char b[4];
    size_t n;
    if (v < 0x80) {
        b[0] = (char)v; n = 1;
    } else if (v < 0x800) {
        b[0] = (char)(0xc0 | (v >> 6)); b[1] = (char)(0x80 | (v & 0x3f)); n = 2;
    } else if (v < 0x10000) {
        b[0] = (char)(0xe0 | (v >> 12)); b[1] = (char)(0x80 | ((v >> 6) & 0x3f));
        b[2] = (char)(0x80 | (v & 0x3f)); n = 3;
    } else if (v <= 0x10ffff) {
        b[0] = (char)(0xf0 | (v >> 18)); b[1] = (char)(0x80 | ((v >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((v >> 6) & 0x3f)); b[3] = (char)(0x80 | (v & 0x3f)); n = 4;
    } else {
        return len;
    }
    if (n >= outsz - len)
        return len;
    memcpy(out + len, b, n);
    return len + n;
}

/* The line being edited: the text, the cursor, and whether the text is still the suggested
 * one, shown selected (the first printable key replaces it, as in a GUI file dialog). */
struct line {
    wchar_t buf[MAX_CHARS + 1];
    size_t n, cur;
    bool selected;
};

static int width_of(wchar_t wc)
{
    int cw = wcwidth(wc);
    return cw < 0 ? 1 : cw;
}

static void show(const struct tui_ui *ui, int y, const char *label, const struct line *l)
{
    int width = getmaxx(stdscr);
    tui_clear_to(stdscr, ui, y, 0, TP_NORMAL, 0);
    int x = tui_text(stdscr, ui, y, 0, label, width - 1, TP_BOLD, 0);
    /* From the start when it fits, else so that the cursor stays on the line. */
    int room = width - x - 1, cols = 0;
    size_t from = 0;
    for (size_t i = 0; i < l->cur; i++)
        cols += width_of(l->buf[i]);
    while (from < l->cur && cols > room)
        cols -= width_of(l->buf[from++]);
    size_t to = l->cur;
    for (int c = cols; to < l->n && c + width_of(l->buf[to]) <= room; to++)
        c += width_of(l->buf[to]);
    tui_paint(stdscr, ui, TP_NORMAL, l->selected ? A_REVERSE : 0);
    if (to > from)
        mvwaddnwstr(stdscr, y, x, l->buf + from, (int)(to - from));
    tui_paint(stdscr, ui, TP_NORMAL, 0);
    wmove(stdscr, y, x + cols);
    wrefresh(stdscr);
}

/* A function key: moves the cursor or edits; each one keeps the text (no more selected). */
static void edit_key(struct line *l, wint_t k)
{
    l->selected = false;
    if (k == KEY_LEFT && l->cur > 0)
        l->cur--;
    else if (k == KEY_RIGHT && l->cur < l->n)
        l->cur++;
    else if (k == KEY_HOME)
        l->cur = 0;
    else if (k == KEY_END)
        l->cur = l->n;
    else if (k == KEY_BACKSPACE && l->cur > 0) {
        memmove(l->buf + l->cur - 1, l->buf + l->cur, (l->n - l->cur + 1) * sizeof *l->buf);
        l->cur--, l->n--;
    } else if (k == KEY_DC && l->cur < l->n) {
        memmove(l->buf + l->cur, l->buf + l->cur + 1, (l->n - l->cur) * sizeof *l->buf);
        l->n--;
    }
}

static void insert(struct line *l, wchar_t wc)
{
    if (l->selected)
        l->n = l->cur = 0, l->buf[0] = 0; /* typing replaces the suggestion */
    l->selected = false;
    if (l->n >= MAX_CHARS)
        return;
    memmove(l->buf + l->cur + 1, l->buf + l->cur, (l->n - l->cur + 1) * sizeof *l->buf);
    l->buf[l->cur++] = wc;
    l->n++;
}

bool tui_prompt(const struct tui_ui *ui, int y, const char *label, const char *initial,
                char *out, size_t outsz)
{
    struct line l = {.n = 0};
    /* The initial text is ASCII (a default file name, the last search). */
    for (const char *p = initial; p && *p && l.n < MAX_CHARS; p++)
        if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
            l.buf[l.n++] = (wchar_t)*p;
    l.buf[l.n] = 0;
    l.cur = l.n;
    l.selected = l.n > 0;

    curs_set(1);
    timeout(-1);
    bool accepted = false;
    /* Bounded only by the user: each turn waits for a key. */
    for (;;) {
        show(ui, y, label, &l);
        wint_t wc;
        int kind = get_wch(&wc);
        if (kind == ERR)
            continue;
        if (kind == KEY_CODE_YES) {
            if (wc == KEY_ENTER) {
                accepted = true;
                break;
            }
            edit_key(&l, wc); /* other function keys (and KEY_RESIZE) change nothing */
            continue;
        }
        if (wc == L'\n' || wc == L'\r') {
            accepted = true;
            break;
        }
        if (wc == 27 || wc == 3 || wc == 7)
            break;
        if (wc == 127 || wc == 8)
            edit_key(&l, KEY_BACKSPACE);
        else if (wc == 1 || wc == 5)
            edit_key(&l, wc == 1 ? KEY_HOME : KEY_END); /* C-a, C-e */
        else if (wc == 21)
            l.n = l.cur = 0, l.buf[0] = 0, l.selected = false; /* C-u */
        else if (iswprint((wint_t)wc))
            insert(&l, (wchar_t)wc);
    }
    curs_set(0);
    if (!accepted)
        return false;
    size_t len = 0;
    for (size_t i = 0; i < l.n; i++)
        len = put_utf8(out, len, outsz, l.buf[i]);
    out[len] = '\0';
    return true;
}
