/* hstrace: parse the command line, give up root where it must, run the chosen source. */
#include "compare.h"
#include "many.h"
#include "options.h"
#include "run.h"
#include "textopts.h"
#include "usage.h"

#include "../core/outfile.h"
#include "../core/result.h"
#include "../core/stdfds.h"
#include "../live/privs.h"
#include "../live/tap.h"

#include <locale.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    /* Before anything is opened: a closed 0, 1 or 2 would be taken by a file or the socket. */
    if (hs_stdfds_ensure() != 0)
        return HS_EXIT_WRITE;
    setlocale(LC_CTYPE, "");
    struct hs_options o;
    int r = hs_options_parse(&o, argc, argv);
    if (r < 0) { /* --help, --version, through a stream that keeps a write error's reason */
        FILE *out = hs_outfile_watch(stdout);
        if (o.help)
            hs_usage(out);
        else
            fprintf(out, "hstrace %s\n", HS_VERSION);
        return hs_outfile_watch_end(out, "standard output") != 0 ? HS_EXIT_WRITE : 0;
    }
    if (r > 0)
        return hs_usage_failed(&o, o.error);
    if (o.step && !hs_tui_wanted(&o))
        return hs_usage_failed(&o, hs_step_refused());

    /* Who to become is known now: a -Z that cannot be honoured stops here, before anything. */
    struct hs_privs privs;
    char err[256];
    if (hs_privs_plan(o.live.user, &privs, err, sizeof err) != 0 ||
        /* A capture file is a stranger's bytes: parse it as the invoking user, not as root. */
        (o.read_path && hs_privs_drop(&privs, err, sizeof err) != 0) ||
        /* Several targets capture no packets (cli/many.h): nothing to keep privileges for. */
        (hs_cli_many_wanted(&o) && hs_privs_drop(&privs, err, sizeof err) != 0)) {
        fprintf(stderr, "hstrace: %s\n", err);
        return hs_usage_failed(&o, err);
    }
    int code = hs_cli_many_wanted(&o) ? hs_cli_run_many(&o)
               : o.compare               ? hs_cli_run_compare(&o)
               : o.read_path             ? hs_cli_run_capture(&o)
                                         : hs_cli_run_live(&o);
    hs_tap_close_pending(); /* the live captures' closers: never waits for a packet socket */
    return code;
}
