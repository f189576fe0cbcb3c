/* The --help text (kept in one place so man page, README and --help can be compared). */
#ifndef HS_USAGE_H
#define HS_USAGE_H

#include <stdio.h>

void hs_usage(FILE *out);

struct hs_options;
/* A usage error, already said on stderr: with --json, also the document that says so (result
 * failed, error.stage "usage") on stdout.  Returns the exit code, 2. */
int hs_usage_failed(const struct hs_options *o, const char *msg);

#endif
