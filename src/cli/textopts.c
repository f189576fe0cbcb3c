/* Which view, and each view's options (see textopts.h). */
#include "textopts.h"

#include "slides.h"
#include "../view/safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static bool want_color(enum hs_color c)
{
    if (c == HS_COLOR_ALWAYS)
        return true;
    if (c == HS_COLOR_NEVER)
        return false;
    const char *no = getenv("NO_COLOR");
    if (no && *no)
        return false;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return false;
    return isatty(STDOUT_FILENO);
}

/* The terminal's width, or -1 (unlimited) when stdout is not a terminal. */
static int out_width(void)
{
    if (!isatty(STDOUT_FILENO))
        return -1;
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 80;
}

struct hs_view_opts hs_text_opts(const struct hs_options *o)
{
    /* A terminal that does not take UTF-8 gets ASCII only: an 8-bit one would read the bytes
     * 0x80-0x9f of UTF-8 text as C1 controls. */
    bool utf8 = hs_view_locale_utf8();
    return (struct hs_view_opts){
        .color = want_color(o->color),
        .ascii = o->ascii || !utf8,
        .json_ascii = !utf8,
        .explain = o->explain,
        .debug = o->live.debug,
        .width = out_width(),
        .notes = o->notes,
    };
}

bool hs_tui_wanted(const struct hs_options *o)
{
    if (o->json || o->plain || hs_cli_slides_any(o))
        return false;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
        return false;
    const char *term = getenv("TERM");
    return term && *term && strcmp(term, "dumb") != 0;
}

const char *hs_step_refused(void)
{
    static const char why[] = "--step needs the interactive view (standard input and output "
                              "on a terminal, without --json, --plain or a slide)";
    fprintf(stderr, "hstrace: %s\n", why);
    return why;
}

struct hs_tui_opts hs_tui_opts(const struct hs_options *o)
{
    return (struct hs_tui_opts){
        .color = o->color,
        .ascii = o->ascii,
        .debug = o->live.debug,
        .force = o->live.force,
        .step = o->step,
        .text = hs_text_opts(o),
    };
}
