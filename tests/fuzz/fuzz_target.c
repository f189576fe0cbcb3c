/*
 * The target parser (HOST, HOST:PORT, https://HOST[:PORT]/path, [V6]:PORT, V6) on arbitrary
 * strings, with and without a -p override; a success names a bounded host and a valid port,
 * a failure gives a reason.
 */
#include "fuzz_common.h"

#include "live/target.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void target_check(const char *s, unsigned port_override)
{
    struct hs_target t;
    memset(&t, 0xa5, sizeof t);
    char err[128];
    memset(err, 0xa5, sizeof err);
    if (hs_target_parse(s, port_override, &t, err, sizeof err) == 0) {
        size_t n = strnlen(t.host, sizeof t.host);
        FUZZ_CHECK(n > 0 && n < sizeof t.host);
        FUZZ_CHECK(t.port >= 1 && t.port <= 65535);
        FUZZ_CHECK(port_override == 0 || t.port == port_override);
        FUZZ_CHECK(fuzz_printable(t.host, n, NULL));
    } else {
        size_t n = strnlen(err, sizeof err);
        FUZZ_CHECK(n > 0 && n < sizeof err);
    }
    /* A bare error buffer of size 0 or NULL must be accepted too. */
    (void)hs_target_parse(s, port_override, &t, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    target_check(s, 0);
    target_check(s, 8443);
    free(s);
    return 0;
}
