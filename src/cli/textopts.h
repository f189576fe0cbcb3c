/* Which view, and the views' options from the command line and the terminal. */
#ifndef HS_TEXTOPTS_H
#define HS_TEXTOPTS_H

#include "../tui/tui.h"
#include "../view/view.h"
#include "options.h"

#include <stdbool.h>

/* True when the interactive view is the right output: stdin and stdout are terminals, TERM is
 * not "dumb", and neither --json, --plain nor a slide (--svg, ...) was given. */
bool hs_tui_wanted(const struct hs_options *o);

/* Says on stderr that --step needs the interactive view; returns the reason. */
const char *hs_step_refused(void);
/* Colour as --color, NO_COLOR and TERM=dumb say (auto: only on a terminal); width of the
 * terminal, or unlimited when stdout is not one. */
struct hs_view_opts hs_text_opts(const struct hs_options *o);

/* The interactive view's options (and the text ladder it prints on quit). */
struct hs_tui_opts hs_tui_opts(const struct hs_options *o);

#endif
