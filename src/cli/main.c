/* hstrace: parse the command line, give up root where it must, run the chosen source. */
#include "options.h"
#include "run.h"

#include "../core/result.h"
#include "../live/privs.h"

#include <locale.h>
#include <stdio.h>

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
        return hs_cli_run_capture(&o);
    }
    return hs_cli_run_live(&o);
}
