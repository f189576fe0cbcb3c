/* The rows a trace shows in the ladder: every event but mbedTLS "debug" lines (unless --debug)
 * and the library notes --notes (or the L key) hides. */
#include "internal.h"

#include "../core/mem.h"

#include <stdlib.h>
#include <string.h>

void tui_doc_rebuild(struct tui_doc *d, const struct tui_ui *ui)
{
    d->nrows = 0;
    if (d->trace == NULL)
        return;
    for (const struct hs_event *ev = d->trace->first; ev; ev = ev->next) {
        if (!hs_view_row_shown(ev, ui->notes, ui->debug))
            continue;
        if (d->nrows == d->cap) {
            d->cap = d->cap ? 2 * d->cap : 64;
            d->rows = hs_xrealloc(d->rows, d->cap * sizeof *d->rows);
        }
        d->rows[d->nrows++] = ev;
    }
}

void tui_doc_free(struct tui_doc *d)
{
    free(d->rows);
    d->rows = NULL;
    d->nrows = d->cap = 0;
}

size_t tui_doc_cycle_notes(struct tui_doc *d, struct tui_ui *ui, const struct hs_event *keep)
{
    ui->notes = ui->notes == HS_NOTES_ALL ? HS_NOTES_SHORT
                : ui->notes == HS_NOTES_SHORT ? HS_NOTES_NONE
                                              : HS_NOTES_ALL;
    tui_doc_rebuild(d, ui);
    size_t at = 0;
    for (const struct hs_event *ev = d->trace ? d->trace->first : NULL; ev; ev = ev->next) {
        if (at < d->nrows && d->rows[at] == ev) {
            if (ev == keep)
                return at;
            at++;
        } else if (ev == keep) {
            break;
        }
    }
    return at > 0 ? at - 1 : 0;
}
