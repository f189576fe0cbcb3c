/*
 * --svg FILE, --mermaid FILE, --markdown FILE: the finished trace as slides (view/slides.h),
 * each written to its own new file ("-" = standard output) after the trace.
 */
#ifndef HS_CLI_SLIDES_H
#define HS_CLI_SLIDES_H

#include "options.h"

#include <stdbool.h>
#include <stdio.h>

/* Why the slide options do not go together with the rest of the command line, or NULL. */
const char *hs_cli_slides_conflict(const struct hs_options *o);

/* Whether any slide was asked for; whether one of them goes to standard output (then the
 * ladder or the JSON document does not). */
bool hs_cli_slides_any(const struct hs_options *o);
bool hs_cli_slides_stdout(const struct hs_options *o);

/*
 * Writes every slide asked for from t: a file through hs_outfile (no symlink, no overwrite
 * without --force, removed when it could not be completed), "-" to out.  A file that cannot
 * be written is said on stderr.  Returns 0, or HS_EXIT_WRITE.
 */
int hs_cli_slides_write(const struct hs_options *o, const struct hs_trace *t, FILE *out);

#endif
