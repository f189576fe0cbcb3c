/* hstrace: pick the source (live target or demo), run it, render the trace, exit. */
#include "../capture/replay.h"
#include "../core/trace.h"
#include "../live/live.h"
#include "../live/privs.h"
#include "../tui/tui.h"
#include "../view/view.h"
#include "options.h"

#include <locale.h>
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

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "");
    struct hs_options o;
    int r = hs_options_parse(&o, argc, argv);
    if (r < 0)
        return 0;
    if (r > 0)
        return r;

    if (o.read_path) {
        /* A capture file is a stranger's bytes: parse it as the invoking user, not as root. */
        char err[256];
        if (hs_privs_become_user(o.user, err, sizeof err) != 0) {
            fprintf(stderr, "hstrace: %s\n", err);
            return HS_EXIT_USAGE;
        }
    }
    if (o.read_path && hs_tui_wanted(&o)) {
        int code = hs_tui_run_capture(&o);
        if (code != HS_TUI_UNAVAILABLE)
            return code;
    }
    if (o.read_path) {
        /* A capture: one ladder (or JSON object) per TLS connection, streamed as they end. */
        struct hs_view_opts vo = {
            .color = want_color(o.color),
            .ascii = o.ascii,
            .explain = o.explain,
            .debug = o.debug,
            .width = out_width(),
        };
        return hs_replay_run(&o, stdout, &vo);
    }

    /* On a terminal (and unless --json/--plain): the interactive view, same exit codes. */
    if (hs_tui_wanted(&o)) {
        int code = hs_tui_run_live(&o);
        if (code != HS_TUI_UNAVAILABLE)
            return code;
    }

    struct hs_trace *t = hs_trace_new();
    int code = o.demo ? hs_demo_run(&o, t) : hs_live_run(&o, t);
    if (code == HS_EXIT_USAGE) {
        /* The source already said what was wrong with the request; there is no trace. */
        hs_trace_free(t);
        return code;
    }

    if (o.json) {
        if (hs_view_json(stdout, t) != 0)
            code = code ? code : 1;
    } else {
        struct hs_view_opts vo = {
            .color = want_color(o.color),
            .ascii = o.ascii,
            .explain = o.explain,
            .debug = o.debug,
            .width = out_width(),
        };
        hs_view_text(stdout, t, &vo);
    }
    fflush(stdout);
    hs_trace_free(t);
    return code;
}
