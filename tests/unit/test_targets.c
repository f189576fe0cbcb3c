/* The target list of -f FILE: comments, blank lines, one target a line, and its bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/targets.h"

#include <stdlib.h>
#include <string.h>

static int parse(struct hs_target_list *l, const char *text, size_t len, char *err,
                 size_t errsz)
{
    return hs_target_list_parse(l, text, len, "list", 0, err, errsz);
}

static void test_comments_and_blanks(void **state)
{
    (void)state;
    struct hs_target_list l = {0};
    char err[256] = "";
    const char text[] = "# a comment\n\n  example.com  \r\n\t127.0.0.1:8443 # the lab\n"
                        "https://[::1]:4433/x\n   # indented comment\nlast.example";
    assert_int_equal(parse(&l, text, sizeof text - 1, err, sizeof err), 0);
    assert_int_equal(l.n, 4);
    assert_string_equal(l.v[0], "example.com");
    assert_string_equal(l.v[1], "127.0.0.1:8443");
    assert_string_equal(l.v[2], "https://[::1]:4433/x");
    assert_string_equal(l.v[3], "last.example"); /* no newline at the end */
    hs_target_list_free(&l);
    assert_int_equal(parse(&l, "", 0, err, sizeof err), 0);
    assert_int_equal(l.n, 0);
}

static void expect_bad(const char *text, size_t len, const char *words)
{
    struct hs_target_list l = {0};
    char err[512] = "";
    assert_int_equal(parse(&l, text, len, err, sizeof err), -1);
    if (strstr(err, words) == NULL)
        print_error("error '%s' lacks '%s'\n", err, words);
    assert_non_null(strstr(err, words));
    /* Nothing the user wrote reaches the message unescaped. */
    for (const char *p = err; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
    hs_target_list_free(&l);
}

static void test_bad_lines(void **state)
{
    (void)state;
#define BAD(text, words) expect_bad(text, sizeof text - 1, words)
    BAD("ok.example\ntwo targets\n", "list line 2: one target a line");
    BAD("a.example\nhost:99999\n", "list line 2: invalid target");
    BAD("x\x1b[2J.example\n", "\\x1b");
    BAD("a.example\0b\n", "NUL");
#undef BAD
}

static void test_bounds(void **state)
{
    (void)state;
    /* A line of HS_TARGET_LINE_MAX bytes is read (here mostly a comment), one more is not. */
    size_t n = HS_TARGET_LINE_MAX;
    char *line = malloc(n + 2);
    memset(line, ' ', n + 1);
    memcpy(line, "a.example #", 11);
    struct hs_target_list l = {0};
    char err[512] = "";
    assert_int_equal(parse(&l, line, n, err, sizeof err), 0);
    assert_int_equal(l.n, 1);
    hs_target_list_free(&l);
    expect_bad(line, n + 1, "line longer than 1024 bytes");
    free(line);

    /* HS_TARGETS_MAX targets are taken, one more is refused. */
    size_t each = strlen("a.example\n");
    char *many = malloc(each * (HS_TARGETS_MAX + 1));
    for (size_t i = 0; i <= HS_TARGETS_MAX; i++)
        memcpy(many + i * each, "a.example\n", each);
    assert_int_equal(parse(&l, many, each * HS_TARGETS_MAX, err, sizeof err), 0);
    assert_int_equal(l.n, HS_TARGETS_MAX);
    hs_target_list_free(&l);
    expect_bad(many, each * (HS_TARGETS_MAX + 1), "more than 10000 targets");
    free(many);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comments_and_blanks),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
