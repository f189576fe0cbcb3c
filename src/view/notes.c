/* Which rows the ladders show (--notes, --debug), and where their round-trip labels go. */
#include "view.h"

#include <string.h>

static const char *const names[] = {
    [HS_NOTES_ALL] = "all", [HS_NOTES_SHORT] = "short", [HS_NOTES_NONE] = "none"};

const char *hs_notes_name(enum hs_notes n)
{
    return (size_t)n < sizeof names / sizeof names[0] ? names[n] : "all";
}

bool hs_notes_parse(const char *s, enum hs_notes *out)
{
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (enum hs_notes)i;
            return true;
        }
    }
    return false;
}

/* The milestones --notes short keeps, by the start of the note's text. */
static bool milestone(const char *summary)
{
    static const char *const starts[] = {
        "key exchange", "derived ", "certificate verified", "handshake done",
        "stored a session ticket",
        "probe over", /* --probe: the handshake was left there */
    };
    for (size_t i = 0; summary && i < sizeof starts / sizeof starts[0]; i++)
        if (strncmp(summary, starts[i], strlen(starts[i])) == 0)
            return true;
    return false;
}

bool hs_view_row_shown(const struct hs_event *ev, enum hs_notes notes, int debug)
{
    if (ev->layer != HS_LAYER_LIBRARY)
        return true;
    if (strcmp(ev->type, "debug") == 0)
        return debug > 0;
    if (notes == HS_NOTES_NONE)
        return false;
    return notes == HS_NOTES_ALL || ev->problem || milestone(ev->summary);
}

int hs_view_round_trip_label(const struct hs_event *ev)
{
    if (ev->round_trip <= 0)
        return 0;
    /* Labels only grow along a trace, with rows of none (notes) between them. */
    const struct hs_event *e = ev->prev;
    while (e && e->round_trip == 0)
        e = e->prev;
    return e && e->round_trip >= ev->round_trip ? 0 : ev->round_trip;
}
