/* The client randoms of the ClientHellos a capture file holds, from a second read of it: the
 * secrets worth keeping when a file carries more than the key log holds. */
#ifndef HS_HELLORAND_H
#define HS_HELLORAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hs_randoms {
    uint8_t (*r)[32];  /* sorted, distinct */
    size_t n;          /* at most HS_KEYLOG_MAX_ENTRIES */
};

/* Reads path again (not "-": standard input cannot be read twice); 0, or -1. */
int hs_randoms_read(const char *path, struct hs_randoms *out);
/* Whether random is one of them (ctx: a struct hs_randoms); for hs_keylog_restrict. */
bool hs_randoms_has(void *ctx, const uint8_t random[32]);
void hs_randoms_free(struct hs_randoms *rs);

#endif
