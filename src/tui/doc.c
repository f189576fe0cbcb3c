/* The rows a trace shows in the ladder: every event but mbedTLS "debug" lines (unless --debug). */
#include "internal.h"

#include "../core/mem.h"

#include <stdlib.h>
#include <string.h>

static bool shown(const struct hs_event *ev, int debug)
{
    if (ev->layer == HS_LAYER_LIBRARY && strcmp(ev->type, "debug") == 0)
        return debug > 0;
    return true;
}

void tui_doc_rebuild(struct tui_doc *d, int debug)
{
    d->nrows = 0;
    if (d->trace == NULL)
        return;
    for (const struct hs_event *ev = d->trace->first; ev; ev = ev->next) {
        if (!shown(ev, debug))
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
