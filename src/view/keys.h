/*
 * The key schedule (--keys, trace->key_schedule) as lines of text, for the text ladder (a
 * small tree under it) and the interactive view (the box the K key opens).  The lines are
 * safe to print (hs_view_safe) and are never cut: a shortened secret is of no use.
 */
#ifndef HS_VIEW_KEYS_H
#define HS_VIEW_KEYS_H

#include "../core/field.h"

#include <stdbool.h>

/* The heading line, which says the material is secret. */
#define HS_KEYS_TITLE "key schedule (secret material: anyone with these can decrypt this connection)"

/* One line; problem marks a Finished that did not match (the views paint it). */
typedef void (*hs_keys_line_fn)(void *ctx, const char *line, bool problem);

/* Calls fn once per line, the title first; nothing when ks is NULL. */
void hs_view_keys(const struct hs_field *ks, bool ascii, hs_keys_line_fn fn, void *ctx);

#endif
