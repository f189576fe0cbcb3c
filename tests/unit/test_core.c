/* The core model: escaping of peer text, the field tree, event ordering in a trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/escape.h"
#include "core/field.h"
#include "core/mem.h"
#include "core/trace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_escape(const char *in, size_t n, const char *want)
{
    char *got = hs_escape((const uint8_t *)in, n);
    assert_string_equal(got, want);
    free(got);
}

static void test_escape_controls(void **state)
{
    (void)state;
    check_escape("plain", 5, "plain");
    check_escape("a\x1b[2Jb", 6, "a\\x1b[2Jb");
    check_escape("nul\0x", 5, "nul\\x00x");
    check_escape("\x1b]52;c;aGk=\x07", 12, "\\x1b]52;c;aGk=\\x07");
    check_escape("back\\slash", 10, "back\\\\slash");
    check_escape("tab\tnl\n", 7, "tab\\x09nl\\x0a");
    check_escape("\x7f", 1, "\\x7f");
}

static void test_escape_utf8(void **state)
{
    (void)state;
    check_escape("caf\xc3\xa9", 5, "caf\xc3\xa9");             /* valid: kept */
    check_escape("\xe2\x9c\x93", 3, "\xe2\x9c\x93");           /* U+2713 kept */
    check_escape("\xff\xfe", 2, "\\xff\\xfe");                 /* invalid bytes */
    check_escape("\xc0\xaf", 2, "\\xc0\\xaf");                 /* overlong */
    check_escape("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");        /* surrogate */
    check_escape("\xc2\x9b", 2, "\\u{009b}");                  /* C1 CSI */
    check_escape("\xe2\x80\xae", 3, "\\u{202e}");              /* RTL override */
    check_escape("\xe2\x9c", 2, "\\xe2\\x9c");                 /* cut sequence */
}

static void test_field_tree(void **state)
{
    (void)state;
    struct hs_field *root = hs_field_new_object();
    hs_f_int(root, "n", 42);
    struct hs_field *arr = hs_f_arr(root, "list");
    hs_f_str(arr, NULL, "a");
    hs_f_text(arr, "ignored", (const uint8_t *)"\x1b", 1);
    hs_f_span(hs_f_hex(root, "hex", (const uint8_t *)"\x01\xab", 2), 3, 2);
    long long v = 0;
    assert_true(hs_f_get_int(root, "n", &v));
    assert_int_equal(v, 42);
    assert_int_equal(hs_f_count(hs_f_get(root, "list")), 2);
    assert_null(arr->last_child->name);
    assert_string_equal(arr->last_child->str, "\\x1b");
    assert_string_equal(hs_f_get_str(root, "hex"), "01ab");
    assert_int_equal(hs_f_get(root, "hex")->off, 3);
    assert_null(hs_f_get(root, "absent"));
    struct hs_field *copy = hs_field_clone(root);
    hs_field_free(root);
    assert_string_equal(hs_f_get_str(copy, "hex"), "01ab");
    hs_field_free(copy);
}

/* Names short enough to live inside the node and longer ones in a block of their own: both
 * survive a clone and unnaming; a span past 4 GiB is no span. */
static void test_field_names(void **state)
{
    (void)state;
    char names[4][HS_FIELD_NAME_INLINE + 8];
    const size_t lens[4] = {0, HS_FIELD_NAME_INLINE - 1, HS_FIELD_NAME_INLINE,
                            HS_FIELD_NAME_INLINE + 7};
    struct hs_field *root = hs_field_new_object();
    for (int i = 0; i < 4; i++) {
        memset(names[i], 'a' + i, lens[i]);
        names[i][lens[i]] = '\0';
        hs_f_int(root, names[i], i);
    }
    struct hs_field *copy = hs_field_clone(root);
    for (int i = 0; i < 4; i++) {
        long long v = -1;
        assert_true(hs_f_get_int(copy, names[i], &v));
        assert_int_equal(v, i);
        assert_true(hs_f_get_int(root, names[i], &v));
        assert_int_equal(v, i);
    }
    struct hs_field *first = copy->child, *last = copy->last_child;
    hs_f_attach(NULL, NULL, first); /* unnamed: inline and allocated names alike */
    hs_f_attach(NULL, NULL, last);
    assert_null(first->name);
    assert_null(last->name);
    assert_non_null(hs_f_span(first, (size_t)UINT32_MAX, 2));
    assert_int_equal(first->len, 0);
    hs_f_span(first, 7, 5);
    assert_int_equal(first->off, 7);
    assert_int_equal(first->len, 5);
    hs_field_free(copy);
    hs_field_free(root);
}

/* Strings kept inside the node and strings of their own: the same text either way, escaped
 * alike, copied by a clone, and the boundary between the two. */
static void test_field_strings(void **state)
{
    (void)state;
    char s[HS_FIELD_STR_INLINE + 2];
    struct hs_field *root = hs_field_new_object();
    for (size_t n = HS_FIELD_STR_INLINE - 2; n <= HS_FIELD_STR_INLINE + 1; n++) {
        memset(s, 'x', n);
        s[n] = '\0';
        hs_f_str(root, "plain", s);
        s[0] = '\\'; /* escaped: one more byte */
        hs_f_str(root, "backslash", s);
        s[0] = 0x1b;
        hs_f_text(root, "control", (const uint8_t *)s, n);
        s[0] = 'x';
    }
    uint8_t bytes[HS_FIELD_STR_INLINE / 2 + 1];
    memset(bytes, 0xab, sizeof bytes);
    hs_f_hex(root, "hex_short", bytes, HS_FIELD_STR_INLINE / 2 - 1);
    hs_f_hex(root, "hex_long", bytes, sizeof bytes);
    hs_f_fmt(root, "long_fmt", "%0300d", 7);
    hs_f_str_escaped(root, "as_is", hs_xstrdup("kept\\x1b"));
    struct hs_field *copy = hs_field_clone(root);
    for (const struct hs_field *t = root; t; t = t == root ? copy : NULL) {
        const struct hs_field *c = t->child;
        for (size_t n = HS_FIELD_STR_INLINE - 2; n <= HS_FIELD_STR_INLINE + 1; n++) {
            static const char *const head[3] = {"x", "\\\\", "\\x1b"};
            for (int k = 0; k < 3; k++, c = c->next) {
                char want[HS_FIELD_STR_INLINE + 8];
                snprintf(want, sizeof want, "%s%.*s", head[k], (int)(n - 1), s + 1);
                assert_string_equal(c->str, want);
            }
        }
        const char *h = hs_f_get_str(t, "hex_short");
        assert_int_equal(strlen(h), HS_FIELD_STR_INLINE - 2);
        assert_int_equal(strspn(h, "ab"), strlen(h));
        assert_int_equal(strlen(hs_f_get_str(t, "hex_long")), 2 * sizeof bytes);
        assert_int_equal(strlen(hs_f_get_str(t, "long_fmt")), 300);
        assert_string_equal(hs_f_get_str(t, "as_is"), "kept\\x1b");
    }
    hs_field_free(copy);
    hs_field_free(root);
}

/* Trees made by one thread and freed by another (the many-target mode's workers and printer):
 * the nodes freed go back to the maker, the pool does not grow with every tree. */
static void *free_tree(void *arg)
{
    hs_field_free(arg);
    return NULL;
}

static void test_field_pool_threads(void **state)
{
    (void)state;
    size_t first = 0;
    for (int round = 0; round < 40; round++) {
        struct hs_field *root = hs_field_new_object();
        for (int i = 0; i < 5000; i++)
            hs_f_int(hs_f_obj(root, "o"), "v", i);
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, free_tree, root), 0);
        assert_int_equal(pthread_join(th, NULL), 0);
        if (round == 0)
            first = hs_field_pool_nodes();
    }
    if (first == 0)
        skip(); /* a sanitizer build: one malloc per node, no pool */
    /* 40 trees of 10,001 nodes: without the way back the pool would hold 400,000. */
    assert_true(hs_field_pool_nodes() <= 2 * first);
}

static void test_trace_order(void **state)
{
    (void)state;
    struct hs_trace *t = hs_trace_new();
    hs_trace_add(t, hs_event_new(HS_CLIENT, HS_LAYER_TLS, "B", 2.0));
    hs_trace_add(t, hs_event_new(HS_CLIENT, HS_LAYER_TCP, "A", 1.0));
    hs_trace_add(t, hs_event_new(HS_SERVER, HS_LAYER_TLS, "C", 2.0));
    hs_trace_add(t, hs_event_new(HS_SERVER, HS_LAYER_TLS, "D", 3.0));
    const char *want[] = {"A", "B", "C", "D"};
    size_t i = 0;
    for (struct hs_event *e = t->first; e; e = e->next, i++)
        assert_string_equal(e->type, want[i]);
    assert_int_equal(i, 4);
    assert_string_equal(t->last->type, "D");
    assert_string_equal(t->last->prev->type, "C");
    hs_trace_fail(t, HS_STAGE_TIMEOUT, "first %d", 1);
    hs_trace_fail(t, HS_STAGE_TLS, "second");
    assert_int_equal(t->exit_code, HS_EXIT_TIMEOUT);
    assert_string_equal(t->error_message, "first 1");
    hs_trace_free(t);
}

static size_t appendf(char *buf, size_t cap, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    len = hs_bufvf(buf, cap, len, fmt, ap);
    va_end(ap);
    return len;
}

/* Appending never writes past the buffer, cuts to fit and leaves a full buffer alone. */
static void test_bufvf(void **state)
{
    (void)state;
    char buf[8] = "";
    size_t n = appendf(buf, sizeof buf, 0, "%s", "abc");
    assert_int_equal(n, 3);
    n = appendf(buf, sizeof buf, n, "%d", 12345);
    assert_int_equal(n, 7);
    assert_string_equal(buf, "abc1234");
    assert_int_equal(appendf(buf, sizeof buf, n, "%s", "more"), 7);
    assert_string_equal(buf, "abc1234");
    assert_int_equal(appendf(buf, 0, 0, "%s", "x"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_controls),
        cmocka_unit_test(test_escape_utf8),
        cmocka_unit_test(test_field_tree),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_field_strings),
        cmocka_unit_test(test_field_pool_threads),
        cmocka_unit_test(test_trace_order),
        cmocka_unit_test(test_bufvf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
