/* hstrace: pick the source (live target or demo), run it, render the trace, exit. */
#include "../capture/replay.h"
#include "../core/outfile.h"
#include "../core/stdfds.h"
#include "../core/trace.h"
#include "../live/live.h"
#include "../live/privs.h"
#include "../tui/tui.h"
#include "../view/view.h"
#include "options.h"
#include "textopts.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    /* Before anything is opened: a closed 0, 1 or 2 would be taken by a file or the socket. */
    if (hs_stdfds_ensure() != 0)
        return HS_EXIT_WRITE;
    setlocale(LC_CTYPE, "");
    struct hs_options o;
    int r = hs_options_parse(&o, argc, argv);
    if (r < 0) /* --help, --version */
        return hs_outfile_finish_stream(stdout, "standard output") ? HS_EXIT_WRITE : 0;
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
        struct hs_view_opts vo = hs_text_opts(&o);
        FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
        int code = hs_replay_run(&o, out, &vo);
        return hs_outfile_watch_end(out, "standard output") != 0 ? HS_EXIT_WRITE : code;
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

    FILE *out = hs_outfile_watch(stdout); /* keeps the reason of a write error */
    if (o.json) {
        (void)hs_view_json(out, t); /* a write error is found when closing */
    } else {
        struct hs_view_opts vo = hs_text_opts(&o);
        hs_view_text(out, t, &vo);
    }
    if (hs_outfile_watch_end(out, "standard output") != 0)
        code = HS_EXIT_WRITE;
    hs_trace_free(t);
    return code;
}
