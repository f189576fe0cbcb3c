/*
 * The mbedTLS debug hook's lines, turned into library annotations: a few known lines become
 * plain "note" rows; with --debug N every line up to level N becomes a "debug" row.
 */
#ifndef HS_DBGNOTES_H
#define HS_DBGNOTES_H

#include <stddef.h>

/* The debug threshold needed to see the lines that hs_dbgnote() knows. */
#define HS_DBGNOTES_LEVEL 2

/* A plain note for a debug line (level as mbedTLS gave it), or 0 when it is not one we
 * annotate; the note is written into out. */
int hs_dbgnote(int level, const char *line, char *out, size_t outsz);

#endif
