/* The text ladder's options for standard output: colour and width from the terminal. */
#ifndef HS_TEXTOPTS_H
#define HS_TEXTOPTS_H

#include "../view/view.h"
#include "options.h"

/* Colour as --color, NO_COLOR and TERM=dumb say (auto: only on a terminal); width of the
 * terminal, or unlimited when stdout is not one. */
struct hs_view_opts hs_text_opts(const struct hs_options *o);

#endif
