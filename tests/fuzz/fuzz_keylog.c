/*
 * The key log parser on arbitrary text, then the writer: what was parsed is kl_written out,
 * parsed back without a malformed line, and kl_written again byte for byte the same.
 */
#include "fuzz_common.h"

#include "tls/keylog.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The key log in the NSS format, in memory; the caller frees it. */
static char *kl_written(const struct hs_keylog *kl, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(hs_keylog_write(kl, f) == HS_OK);
    FUZZ_CHECK(fclose(f) == 0);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *devnull;
    if (devnull == NULL)
        devnull = fopen("/dev/null", "w");
    FUZZ_CHECK(devnull != NULL);

    struct hs_keylog *kl = hs_keylog_new();
    size_t bad = 0;
    int r = hs_keylog_parse(kl, (const char *)data, size, &bad, NULL);
    FUZZ_CHECK(r == HS_OK || r < 0);
    FUZZ_CHECK(hs_keylog_write(kl, devnull) == HS_OK);

    size_t len1, len2;
    char *out1 = kl_written(kl, &len1);
    struct hs_keylog *again = hs_keylog_new();
    size_t bad2 = 0;
    FUZZ_CHECK(hs_keylog_parse(again, out1, len1, &bad2, NULL) == HS_OK);
    FUZZ_CHECK(bad2 == 0);
    FUZZ_CHECK(hs_keylog_count(again) == hs_keylog_count(kl));
    char *out2 = kl_written(again, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(out1, out2, len1) == 0);
    free(out1);
    free(out2);
    hs_keylog_free(again);
    hs_keylog_free(kl);
    return 0;
}
