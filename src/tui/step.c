/*
 * Step mode (--step): the ladder grows one message per key press.  A finished trace (a
 * capture) is revealed a row at a time; a live run is held by the feed's gate before each
 * handshake step until the user has been shown every message it produced, so the handshake
 * itself advances with the keys.  Going back only hides rows: a handshake cannot be undone.
 */
#include "app.h"

#include <stdint.h>
#include <stdio.h>

static bool is_message(const struct hs_event *ev)
{
    return ev->layer != HS_LAYER_LIBRARY;
}

void tui_step_begin(struct app *a)
{
    a->step = (struct tui_step){.on = a->o->step, .shown = 1, .wanted = 1};
    if (!a->step.on)
        return;
    a->det.explain_off = false; /* the current message's explanation is the point */
    a->lad.follow = false;
    tui_step_apply(a);
}

void tui_step_apply(struct app *a)
{
    struct tui_step *s = &a->step;
    if (!s->on)
        return;
    struct tui_doc *d = &a->doc;
    size_t total = 0, cut = d->nrows, current = 0;
    for (size_t i = 0; i < d->nrows; i++)
        total += is_message(d->rows[i]);
    if (total >= s->wanted && s->shown < s->wanted)
        s->shown = s->wanted; /* the message asked for has come */
    if (s->all)
        s->shown = s->wanted = total > 0 ? total : 1;
    total = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        if (!is_message(d->rows[i]))
            continue;
        total++;
        if (!s->all && total == s->shown + 1 && cut == d->nrows)
            cut = i;
        if (cut == d->nrows)
            current = i;
    }
    s->total = total;
    d->nrows = cut;
    if (a->feed)
        tui_feed_allow(a->feed, s->all || a->quit_when_done ? SIZE_MAX : s->wanted);
    /* Put the selection on the current message once it is there; then the user may move. */
    if (s->placed != s->shown && total >= s->shown) {
        a->lad.sel = current;
        s->placed = s->shown;
    }
    if (a->lad.sel >= d->nrows)
        a->lad.sel = d->nrows ? d->nrows - 1 : 0;
}

static void reshow(struct app *a)
{
    tui_doc_rebuild(&a->doc, &a->ui);
    tui_step_apply(a);
}

bool tui_step_key(struct app *a, int key)
{
    struct tui_step *s = &a->step;
    if (!s->on || a->in_list)
        return false;
    bool ladder = a->focus == F_LADDER;
    if (key == ' ' || (ladder && key == KEY_RIGHT)) {
        if (s->shown <= s->total)
            s->wanted = s->shown + 1; /* shown when it is there */
    } else if (key == KEY_BACKSPACE || key == 127 || key == 8 || (ladder && key == KEY_LEFT)) {
        s->all = false;
        if (s->shown > 1)
            s->shown--;
        s->wanted = s->shown;
    } else if (ladder && key == KEY_END) {
        s->all = true;
    } else {
        return false;
    }
    reshow(a);
    a->focus = F_LADDER;
    return true;
}

bool tui_step_status(const struct app *a, char *out, size_t outsz)
{
    const struct tui_step *s = &a->step;
    if (!s->on || a->in_list || (!a->running && s->shown >= s->total))
        return false;
    const char *state = !a->running       ? ""
                        : a->feed && tui_feed_waiting(a->feed) ? " \xc2\xb7 handshake paused"
                                                                : " \xc2\xb7 handshake running";
    size_t shown = s->shown < s->total ? s->shown : s->total;
    snprintf(out, outsz, "step: message %zu of %zu%s \xc2\xb7 Space next, Backspace back, End all",
             shown, s->total, state);
    return true;
}
