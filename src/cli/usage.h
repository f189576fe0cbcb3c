/* The --help text (kept in one place so man page, README and --help can be compared). */
#ifndef HS_USAGE_H
#define HS_USAGE_H

#include <stdio.h>

void hs_usage(FILE *out);

#endif
