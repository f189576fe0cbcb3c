/* A one-line input on the status line (search text, file name), as in less and vi. */
#include "internal.h"

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

static void show(const struct tui_ui *ui, int y, const char *label, const wchar_t *buf, size_t n)
{
    int width = getmaxx(stdscr);
    tui_clear_to(stdscr, ui, y, 0, TP_NORMAL, 0);
    int x = tui_text(stdscr, ui, y, 0, label, width - 1, TP_BOLD, 0);
    /* Show the end of the text when it is longer than the line. */
    int room = width - x - 1, cols = 0;
    size_t from = n;
    while (from > 0) {
        int cw = wcwidth(buf[from - 1]);
        cw = cw < 0 ? 1 : cw;
        if (cols + cw > room)
            break;
        cols += cw;
        from--;
    }
    tui_paint(stdscr, ui, TP_NORMAL, 0);
    if (n > from)
        mvwaddnwstr(stdscr, y, x, buf + from, (int)(n - from));
    wmove(stdscr, y, x + cols);
    wrefresh(stdscr);
}

bool tui_prompt(const struct tui_ui *ui, int y, const char *label, const char *initial,
                char *out, size_t outsz)
{
    wchar_t buf[MAX_CHARS + 1];
    size_t n = 0;
    /* The initial text is ASCII (a default file name, the last search). */
    for (const char *p = initial; p && *p && n < MAX_CHARS; p++)
        if ((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f)
            buf[n++] = (wchar_t)*p;
    buf[n] = 0;

    curs_set(1);
    timeout(-1);
    bool accepted = false;
    for (;;) {
        show(ui, y, label, buf, n);
        wint_t wc;
        int kind = get_wch(&wc);
        if (kind == ERR)
            continue;
        if (kind == KEY_CODE_YES) {
            if (wc == KEY_ENTER) {
                accepted = true;
                break;
            }
            if ((wc == KEY_BACKSPACE || wc == KEY_LEFT) && n > 0)
                buf[--n] = 0;
            continue; /* other function keys (and KEY_RESIZE) do nothing here */
        }
        if (wc == L'\n' || wc == L'\r') {
            accepted = true;
            break;
        }
        if (wc == 27 || wc == 3 || wc == 7)
            break;
        if ((wc == 127 || wc == 8) && n > 0)
            buf[--n] = 0;
        else if (wc == 21)
            n = 0, buf[0] = 0;
        else if (iswprint((wint_t)wc) && n < MAX_CHARS)
            buf[n++] = (wchar_t)wc, buf[n] = 0;
    }
    curs_set(0);
    if (!accepted)
        return false;
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len = put_utf8(out, len, outsz, buf[i]);
    out[len] = '\0';
    return true;
}
