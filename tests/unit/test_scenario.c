/* The demo scenarios' table and --demo [SCENARIO] on the command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/options.h"
#include "live/scenario.h"

#include <stdio.h>
#include <string.h>

/* Every listed name finds its entry, which has a lesson and 1 or 2 connections. */
static void test_table(void **state)
{
    (void)state;
    char names[512];
    hs_demo_names(names, sizeof names);
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(names, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save), n++) {
        const struct hs_demo_scenario *sc = hs_demo_find(tok);
        assert_non_null(sc);
        assert_string_equal(sc->name, tok);
        assert_true(strlen(sc->lesson) > 10);
        assert_true(sc->connections >= 1 && sc->connections <= HS_DEMO_MAX_CONNS);
        assert_true(sc->min_version <= sc->max_version);
    }
    assert_int_equal(n, 12);
    assert_string_equal(hs_demo_find(NULL)->name, "tls13");
    assert_null(hs_demo_find("list")); /* --demo list is no scenario */
    assert_null(hs_demo_find(""));
    assert_null(hs_demo_find("TLS13"));
}

/* A short buffer still holds a terminated prefix. */
static void test_names_bounded(void **state)
{
    (void)state;
    char small[8];
    memset(small, 'x', sizeof small);
    hs_demo_names(small, sizeof small);
    assert_true(memchr(small, '\0', sizeof small) != NULL);
    assert_int_equal(strncmp(small, "tls13, ", 7), 0);
}

static int parse(struct hs_options *o, int argc, char **argv)
{
    FILE *keep = stderr;
    stderr = fopen("/dev/null", "w"); /* the usage errors' own lines */
    int r = hs_options_parse(o, argc, argv);
    fclose(stderr);
    stderr = keep;
    return r;
}

static void test_options(void **state)
{
    (void)state;
    struct hs_options o;
    char *a1[] = {"hstrace", "--demo", "tls12-rsa", "--json", NULL};
    assert_int_equal(parse(&o, 4, a1), 0);
    assert_true(o.demo && o.json);
    assert_string_equal(o.live.scenario, "tls12-rsa");

    char *a2[] = {"hstrace", "--demo", NULL};
    assert_int_equal(parse(&o, 2, a2), 0);
    assert_null(o.live.scenario);
    assert_false(o.demo_list);

    char *a3[] = {"hstrace", "--demo", "list", NULL};
    assert_int_equal(parse(&o, 3, a3), 0);
    assert_true(o.demo_list);

    char *a4[] = {"hstrace", "--demo", "bogus", NULL};
    assert_int_equal(parse(&o, 3, a4), 2);
    assert_non_null(strstr(o.error, "unknown demo scenario 'bogus'"));
    assert_non_null(strstr(o.error, "no-shared-cipher"));

    char *a5[] = {"hstrace", "-w", "x.pcap", "--demo", "resumption", NULL};
    assert_int_equal(parse(&o, 5, a5), 2);

    char *a6[] = {"hstrace", "--demo", "tls12", "hrr", NULL};
    assert_int_equal(parse(&o, 4, a6), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_names_bounded),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
