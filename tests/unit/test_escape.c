/* Code points that hide or reorder text: the escaper's table and the views' last pass agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/escape.h"
#include "view/safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UTF-8 of cp (not a surrogate) into b, NUL-terminated; its length. */
static size_t utf8(uint32_t cp, char b[5])
{
    size_t n = hs_utf8_encode(cp, (uint8_t *)b);
    b[n] = '\0';
    return n;
}

/* cp, between two letters, comes out of hs_escape() as "a\u{NNNN}b" (unsafe) or raw. */
static void check_cp(uint32_t cp, bool unsafe)
{
    char in[8] = "a", want[24];
    size_t n = 1 + utf8(cp, in + 1);
    in[n++] = 'b';
    in[n] = '\0';
    if (unsafe)
        snprintf(want, sizeof want, "a\\u{%04x}b", (unsigned)cp);
    else
        snprintf(want, sizeof want, "%s", in);
    char *got = hs_escape((const uint8_t *)in, n);
    if (strcmp(got, want) != 0)
        fail_msg("U+%04X: got \"%s\", want \"%s\"", (unsigned)cp, got, want);
    free(got);
    assert_int_equal(hs_cp_unsafe(cp), unsafe);
}

/* Each code point the issue names, the sets it names, and the rest of the table. */
static void test_named_code_points(void **state)
{
    (void)state;
    static const uint32_t named[][2] = {
        {0x061c, 0x061c},   /* Arabic letter mark */
        {0x2060, 0x206f},   /* word joiner .. nominal digit shapes */
        {0xe0000, 0xe007f}, /* tags */
        {0x00ad, 0x00ad},   /* soft hyphen */
        {0x180e, 0x180e},   /* Mongolian vowel separator */
        {0x3164, 0x3164},   /* Hangul filler */
        {0x115f, 0x1160},   /* Hangul choseong and jungseong fillers */
        {0xfff9, 0xfffb},   /* interlinear annotation */
        {0x034f, 0x034f},   /* combining grapheme joiner */
        {0xfe00, 0xfe0f},   /* variation selectors 1-16 */
        {0xe0100, 0xe01ef}, /* variation selectors 17-256 */
        {0x180b, 0x180f},   {0x200b, 0x200f}, {0x202a, 0x202e}, {0x2028, 0x2029},
        {0xfeff, 0xfeff},   {0xffa0, 0xffa0}, {0xfff0, 0xfff8}, {0x17b4, 0x17b5},
        {0x0600, 0x0605},   {0x06dd, 0x06dd}, {0x070f, 0x070f}, {0x0890, 0x0891},
        {0x08e2, 0x08e2},   {0x110bd, 0x110bd}, {0x110cd, 0x110cd}, {0x13430, 0x1343f},
        {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a}, {0xe0080, 0xe0fff},
        {0x0080, 0x009f},   /* C1 */
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        for (uint32_t cp = named[i][0]; cp <= named[i][1]; cp++)
            check_cp(cp, true);
}

/* The neighbours of each range stay as they are. */
static void test_boundaries(void **state)
{
    (void)state;
    static const uint32_t kept[] = {
        0xa0, 0xac, 0xae, 0x34e, 0x350, 0x5ff, 0x606, 0x61b, 0x61d, 0x6dc, 0x6de, 0x70e,
        0x710, 0x88f, 0x892, 0x8e1, 0x8e3, 0x115e, 0x1161, 0x17b3, 0x17b6, 0x180a, 0x1810,
        0x200a, 0x2010, 0x2027, 0x202f, 0x205f, 0x2070, 0x3163, 0x3165, 0xfdff, 0xfe10,
        0xfefe, 0xff9f, 0xffa1, 0xffef, 0xfffc, 0xfffd, 0x110bc, 0x110be, 0x110cc, 0x110ce,
        0x1342f, 0x13440, 0x1bc9f, 0x1bca4, 0x1d172, 0x1d17b, 0xdfffd, 0xe1000, 0x10fffd,
        0xe9, 0x4e2d, 0x1f600,
    };
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
        check_cp(kept[i], false);
    for (uint32_t cp = 0; cp < 0x20; cp++)
        assert_true(hs_cp_unsafe(cp));
    assert_true(hs_cp_unsafe(0x7f));
    assert_false(hs_cp_unsafe(0x20));
    assert_false(hs_cp_unsafe(0x7e));
}

/* Noncharacters (U+FDD0..U+FDEF and the last two code points of every plane) are never text. */
static void test_noncharacters(void **state)
{
    (void)state;
    for (uint32_t plane = 0; plane <= 0x10; plane++) {
        check_cp(plane << 16 | 0xfffe, true);
        check_cp(plane << 16 | 0xffff, true);
    }
    for (uint32_t cp = 0xfdd0; cp <= 0xfdef; cp++)
        check_cp(cp, true);
    check_cp(0xfdcf, false);
    check_cp(0xfdf0, false);
    char *s = hs_escape_str("a\xef\xbf\xbe" "b\xf4\x8f\xbf\xbf");
    assert_string_equal(s, "a\\u{fffe}b\\u{10ffff}");
    free(s);
}

/* A name that reads as another one on a terminal shows what it holds. */
static void test_lookalike_names(void **state)
{
    (void)state;
    char *s = hs_escape_str("pay\xe2\x81\xa0pal");
    assert_string_equal(s, "pay\\u{2060}pal");
    free(s);
    s = hs_escape_str("a\xc2\xad" "b\xef\xb8\x8f\xf3\xa0\x81\x81\xe2\x80\xae" "c");
    assert_string_equal(s, "a\\u{00ad}b\\u{fe0f}\\u{e0041}\\u{202e}c");
    free(s);
}

/* For every code point, the views' last pass and the escaper agree; with ascii, every
 * non-ASCII code point is escaped. */
static void test_view_safe_agrees(void **state)
{
    (void)state;
    for (uint32_t cp = 0x80; cp <= 0x10ffff; cp++) {
        if (cp >= 0xd800 && cp <= 0xdfff)
            continue;
        char in[5], want[16];
        utf8(cp, in);
        char *esc = hs_escape_str(in);
        char *safe = hs_view_safe(in, false);
        if (strcmp(esc, safe) != 0)
            fail_msg("U+%04X: hs_escape \"%s\", hs_view_safe \"%s\"", (unsigned)cp, esc, safe);
        free(esc);
        free(safe);
        snprintf(want, sizeof want, "\\u{%04x}", (unsigned)cp);
        if (strcmp(in, "\u2026") == 0 || hs_cp_drawing(cp)) /* hstrace's glyphs: below */
            continue;
        safe = hs_view_safe(in, true);
        if (strcmp(safe, want) != 0)
            fail_msg("U+%04X in ASCII: \"%s\"", (unsigned)cp, safe);
        free(safe);
    }
}

/* A peer cannot show hstrace's drawing characters raw; hstrace's own become ASCII with
 * --ascii, while peer text stays escaped. */
static void test_drawing_glyphs(void **state)
{
    (void)state;
    static const char from_peer[] = "CN=a \u2190 b \u2502 \u00b7";
    char *peer = hs_escape((const uint8_t *)from_peer, strlen(from_peer));
    assert_string_equal(peer, "CN=a \\u{2190} b \\u{2502} \\u{00b7}");
    char *own = hs_escape_str("2 certs: CN=a \u2190 CN=b");
    assert_string_equal(own, "2 certs: CN=a \u2190 CN=b");
    char *shown = hs_view_safe(own, true);
    assert_string_equal(shown, "2 certs: CN=a <- CN=b");
    free(shown);
    shown = hs_view_safe(peer, true);
    assert_string_equal(shown, peer); /* escaped text is ASCII already */
    free(shown);
    shown = hs_view_safe("zstd 10 \u2192 20 bytes, verify_data 0a1b\u2026 \u00e9", true);
    assert_string_equal(shown, "zstd 10 -> 20 bytes, verify_data 0a1b... \\u{00e9}");
    free(shown);
    shown = hs_view_safe(own, false); /* UTF-8: kept as written */
    assert_string_equal(shown, own);
    free(shown);
    free(own);
    free(peer);
    /* Every drawing character is either one of the glyph table's or escaped in ASCII. */
    for (uint32_t cp = 0x80; cp < 0x3000; cp++) {
        if (!hs_cp_drawing(cp))
            continue;
        char in[5];
        utf8(cp, in);
        shown = hs_view_safe(in, true);
        for (const char *c = shown; *c; c++)
            assert_true((unsigned char)*c < 0x80);
        free(shown);
    }
}

/* A reason line takes escaped peer text: its last pass changes nothing already escaped, and
 * still escapes what was not (a control, a bidi override, a bad byte). */
static void test_escape_again(void **state)
{
    (void)state;
    static const char *peer[] = {"CN=a\\b", "x\x1b[31m", "pay\u2060pal", "\xff\xfe",
                                 "\u202e\\\\x41", "CN=\u2190 \u00e9"};
    for (size_t i = 0; i < sizeof peer / sizeof peer[0]; i++) {
        char *once = hs_escape((const uint8_t *)peer[i], strlen(peer[i]));
        char *again = hs_escape_again(once);
        assert_string_equal(again, once);
        free(again);
        free(once);
    }
    char *raw = hs_escape_again("a\x07" "b\u202ec\\d \u2190 \xc3");
    assert_string_equal(raw, "a\\x07b\\u{202e}c\\d \u2190 \\xc3");
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_code_points),
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_lookalike_names),
        cmocka_unit_test(test_noncharacters),
        cmocka_unit_test(test_view_safe_agrees),
        cmocka_unit_test(test_drawing_glyphs),
        cmocka_unit_test(test_escape_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
