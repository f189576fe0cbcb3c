/* The help box (? or F1): every key, in the habits of sngrep, less and vi. */
#include "internal.h"

#include <string.h>

struct key_help {
    const char *keys, *what;
};

static const struct key_help ladder_keys[] = {
    {"Up/Down  k/j", "select a message"},
    {"PgUp/PgDn Home/End", "page, first, last"},
    {"Enter  Right", "open the field tree (Enter folds/unfolds)"},
    {"Left", "fold, go to the parent, back to the ladder"},
    {"Tab", "next pane: ladder, fields, bytes"},
    {"x", "show/hide the hex dump"},
    {"e", "show/hide the explanations of the message and the selected field"},
    {"K", "the key schedule, checked (with --keys; secret material)"},
    {"t", "time: since the start / since the previous row"},
    {"L", "library notes: all, short (key steps), none"},
    {"/", "search types, summaries, field names and values"},
    {"n  N", "next / previous match"},
    {"s", NULL}, /* save: what it can write depends on the source, see save_help */
    {"Space/\xe2\x86\x92 Bksp/\xe2\x86\x90", "--step: next / previous message (End: all)"},
    {"? F1", "this help"},
    {"q Esc", "back / quit (the text ladder stays on screen)"},
    {"mouse", "click a row to select it"},
};

/* A live trace keeps its packets; a capture's are in the file already. */
static const char *save_help(bool live)
{
    return live ? "save as .json, .pcap or .pcapng (+ TLS secrets)"
                : "save as .json (the packets are in the capture)";
}

void tui_help_draw(const struct tui_ui *ui, bool live, bool list)
{
    size_t n = sizeof ladder_keys / sizeof ladder_keys[0];
    int rows = (int)n + 5 + (live ? 1 : 0) + (list ? 1 : 0);
    int cols = 78;
    if (rows > LINES)
        rows = LINES;
    if (cols > COLS)
        cols = COLS;
    /* A window of its own, drawn last, so the panes under it stay as they are. */
    WINDOW *w = newwin(rows, cols, (LINES - rows) / 2, (COLS - cols) / 2);
    if (w == NULL)
        return;
    werase(w);
    tui_glyph(w, ui, 0, 0, ui->g->hline, cols, TP_BOLD, 0);
    tui_glyph(w, ui, rows - 1, 0, ui->g->hline, cols, TP_BOLD, 0);
    for (int y = 1; y < rows - 1; y++) {
        tui_glyph(w, ui, y, 0, ui->g->vline, 1, TP_BOLD, 0);
        tui_glyph(w, ui, y, cols - 1, ui->g->vline, 1, TP_BOLD, 0);
    }
    tui_text(w, ui, 0, 2, " hstrace keys ", cols - 4, TP_BOLD, 0);
    int y = 2;
    if (list) {
        tui_text(w, ui, y, 3, "Connection list: Enter opens a ladder, q quits", cols - 6,
                 TP_NORMAL, 0);
        y++;
    }
    for (size_t i = 0; i < n && y < rows - 1; i++, y++) {
        tui_text(w, ui, y, 3, ladder_keys[i].keys, 20, TP_KEY, 0);
        const char *what = ladder_keys[i].what ? ladder_keys[i].what : save_help(live);
        tui_text(w, ui, y, 24, what, cols - 26, TP_NORMAL, 0);
    }
    if (live && y < rows - 1) {
        tui_text(w, ui, y, 3, "r", 20, TP_KEY, 0);
        tui_text(w, ui, y, 24, "run the trace again (when it has finished)", cols - 26,
                 TP_NORMAL, 0);
        y++;
    }
    if (y + 1 < rows - 1)
        tui_text(w, ui, y + 1, 3, "Press any key to close this help.", cols - 6, TP_DIM, 0);
    wnoutrefresh(w);
    delwin(w);
}
