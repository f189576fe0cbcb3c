/*
 * Shared by the harnesses: render a trace with every view and check the views' promises
 * (text without colour holds no control byte but '\n' and no layout-changing code point;
 * the JSON document is valid, parses back, and every string in it is printable).  A broken
 * promise aborts, which libFuzzer reports as a crash with the input that caused it.
 * Header-only (static functions) because each harness is built from a single .c file.
 */
#ifndef HS_FUZZ_COMMON_H
#define HS_FUZZ_COMMON_H

#include "core/escape.h"
#include "core/trace.h"
#include "view/jsonw.h"
#include "view/view.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Aborts with a message: unlike assert(), never compiled out. */
#define FUZZ_CHECK(cond)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                       \
        }                                                                                  \
    } while (0)

/* True when s[0..n) is valid UTF-8 without C0 (but allowed), DEL, C1 or layout-changing
 * code points. */
static inline int fuzz_printable(const char *s, size_t n, const char *allowed)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        if (c < 0x80) {
            if ((c < 0x20 || c == 0x7f) && (allowed == NULL || c == 0 || !strchr(allowed, c)))
                return 0;
            i++;
            continue;
        }
        uint32_t cp;
        size_t len = hs_utf8_decode(p + i, n - i, &cp);
        if (len == 0 || hs_cp_unsafe(cp))
            return 0;
        i += len;
    }
    return 1;
}

/* Every string and key of a parsed JSON value is printable. */
static inline void fuzz_json_strings(const json_t *j)
{
    if (json_is_string(j)) {
        FUZZ_CHECK(fuzz_printable(json_string_value(j), json_string_length(j), NULL));
    } else if (json_is_object(j)) {
        const char *key;
        json_t *v;
        json_object_foreach((json_t *)j, key, v) {
            FUZZ_CHECK(fuzz_printable(key, strlen(key), NULL));
            fuzz_json_strings(v);
        }
    } else if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
            fuzz_json_strings(v);
    }
}

/* The JSON document of t (with c: that capture connection's object), written into memory
 * with flags (HS_JSONW_*): it parses back and its strings are printable. */
static inline void fuzz_check_json(const struct hs_trace *t, const struct hs_capture_conn *c,
                                   unsigned flags)
{
    struct hs_jsonw w;
    hs_jsonw_init(&w, NULL, flags, 0);
    hs_view_json_write(&w, t, c);
    size_t len;
    char *s = hs_jsonw_take(&w, &len);
    hs_jsonw_free(&w);
    FUZZ_CHECK(s != NULL && strlen(s) == len);
    json_error_t e;
    json_t *back = json_loadb(s, len, 0, &e);
    if (back == NULL)
        fprintf(stderr, "JSON does not parse back: %s (line %d col %d)\n", e.text, e.line,
                e.column);
    FUZZ_CHECK(back != NULL);
    fuzz_json_strings(back);
    json_decref(back);
    free(s);
}

/* The text ladder with options chosen by sel, into memory, checked. */
static inline void fuzz_check_text(const struct hs_trace *t, unsigned sel)
{
    struct hs_view_opts o = {.color = false, .ascii = sel & 1, .explain = (sel >> 1) & 1,
                             .debug = (sel >> 2) & 1,
                             .width = (sel >> 3) % 3 == 0 ? 0 : (sel >> 3) % 3 == 1 ? -1 : 20};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f != NULL);
    hs_view_text(f, t, &o);
    FUZZ_CHECK(fclose(f) == 0);
    FUZZ_CHECK(fuzz_printable(buf, len, "\n"));
    if (o.ascii)
        for (size_t i = 0; i < len; i++)
            FUZZ_CHECK((uint8_t)buf[i] < 0x80);
    free(buf);
}

/* Every view of t: text (plain, and coloured to /dev/null) and JSON.  With HS_FUZZ_PRINT
 * set in the environment, the ladder is also printed on stdout (to look at one input). */
static inline void fuzz_render(const struct hs_trace *t, unsigned sel)
{
    static FILE *devnull;
    static int print = -1;
    if (devnull == NULL)
        devnull = fopen("/dev/null", "w");
    FUZZ_CHECK(devnull != NULL);
    if (print < 0)
        print = getenv("HS_FUZZ_PRINT") != NULL;
    if (print) {
        struct hs_view_opts plain = {.width = -1};
        hs_view_text(stdout, t, &plain);
    }
    fuzz_check_text(t, sel);
    struct hs_view_opts col = {.color = true, .explain = true, .width = 80};
    hs_view_text(devnull, t, &col);
    fuzz_check_json(t, NULL, sel & (HS_JSONW_ASCII | HS_JSONW_COMPACT));
}

#endif
