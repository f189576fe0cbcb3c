/* --compare TARGET and --demo compare: one server traced with TLS 1.2, then with TLS 1.3. */
#ifndef HS_CLI_COMPARE_H
#define HS_CLI_COMPARE_H

#include "options.h"

/* True (and o->compare set) when a --demo scenario name is "compare". */
bool hs_cli_compare_claims(struct hs_options *o, const char *name);

/* With o->compare and `rest` words left after the options: what is wrong, or NULL. */
const char *hs_cli_compare_conflict(const struct hs_options *o, int rest);

/* Both traces, side by side at 160 columns and more, else one above the other, with a line
 * comparing them; --json: the connections document.  The exit code of the first that
 * failed. */
int hs_cli_run_compare(const struct hs_options *o);

#endif
