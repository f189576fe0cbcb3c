/* Target parsing: every accepted form, -p overriding, and the usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "live/target.h"

#include <string.h>

static void expect_ok(const char *s, unsigned override, const char *host, unsigned port,
                      bool is_ip)
{
    struct hs_target t;
    char err[128] = "";
    int r = hs_target_parse(s, override, &t, err, sizeof err);
    if (r != 0)
        print_error("'%s' rejected: %s\n", s, err);
    assert_int_equal(r, 0);
    assert_string_equal(t.host, host);
    assert_int_equal(t.port, port);
    assert_int_equal(t.is_ip, is_ip);
}

static void expect_bad(const char *s)
{
    struct hs_target t;
    char err[128] = "";
    if (hs_target_parse(s, 0, &t, err, sizeof err) != -1)
        print_error("'%s' accepted\n", s ? s : "(null)");
    assert_int_equal(hs_target_parse(s, 0, &t, err, sizeof err), -1);
    assert_true(err[0] != '\0');
}

static void test_host_forms(void **state)
{
    (void)state;
    expect_ok("example.com", 0, "example.com", 443, false);
    expect_ok("example.com:8443", 0, "example.com", 8443, false);
    expect_ok("localhost", 0, "localhost", 443, false);
    expect_ok("example.com.", 0, "example.com.", 443, false);
    expect_ok("127.0.0.1:4433", 0, "127.0.0.1", 4433, true);
    expect_ok("10.1.2.3", 0, "10.1.2.3", 443, true);
}

static void test_urls(void **state)
{
    (void)state;
    expect_ok("https://example.com/", 0, "example.com", 443, false);
    expect_ok("https://example.com", 0, "example.com", 443, false);
    expect_ok("HTTPS://example.com:8443/a/b?c=d#e", 0, "example.com", 8443, false);
    expect_ok("https://[2001:db8::1]:8443/x", 0, "2001:db8::1", 8443, true);
    expect_ok("https://example.com?q", 0, "example.com", 443, false);
}

static void test_ipv6(void **state)
{
    (void)state;
    expect_ok("[2001:db8::1]:8443", 0, "2001:db8::1", 8443, true);
    expect_ok("[::1]", 0, "::1", 443, true);
    expect_ok("::1", 0, "::1", 443, true);
    expect_ok("2001:db8::1", 0, "2001:db8::1", 443, true);
    expect_ok("fe80::1:2:3:4", 0, "fe80::1:2:3:4", 443, true);
}

static void test_port_override(void **state)
{
    (void)state;
    expect_ok("example.com:8443", 9000, "example.com", 9000, false);
    expect_ok("example.com", 1, "example.com", 1, false);
    expect_ok("[::1]:5", 65535, "::1", 65535, true);
    struct hs_target t;
    char err[64];
    assert_int_equal(hs_target_parse("example.com", 65536, &t, err, sizeof err), -1);
}

/* --starttls takes the protocol's port only when neither the target nor -p names one. */
static void test_port_given(void **state)
{
    (void)state;
    struct hs_target t;
    char err[128];
    assert_int_equal(hs_target_parse("mail.example", 0, &t, err, sizeof err), 0);
    assert_false(t.port_given);
    assert_int_equal(t.port, 443);
    assert_int_equal(hs_target_parse("mail.example:587", 0, &t, err, sizeof err), 0);
    assert_true(t.port_given);
    assert_int_equal(hs_target_parse("[::1]", 0, &t, err, sizeof err), 0);
    assert_false(t.port_given);
    assert_int_equal(hs_target_parse("mail.example", 465, &t, err, sizeof err), 0);
    assert_true(t.port_given);
}

static void test_invalid(void **state)
{
    (void)state;
    expect_bad(NULL);
    expect_bad("");
    expect_bad(":443");
    expect_bad("example.com:");
    expect_bad("example.com:0");
    expect_bad("example.com:65536");
    expect_bad("example.com:12a");
    expect_bad("example.com:-1");
    expect_bad("example.com:0443443");
    expect_bad("http://example.com/");
    expect_bad("ftp://example.com/");
    expect_bad("https://");
    expect_bad("https:///path");
    expect_bad("[2001:db8::1");
    expect_bad("[2001:db8::1]x");
    expect_bad("[2001:db8::1]:");
    expect_bad("[example.com]:443");
    expect_bad("[]:443");
    expect_bad("2001:db8::zz");
    expect_bad("a:b:c");
    expect_bad("user@example.com");
    expect_bad("exa mple.com");
    expect_bad("example..com");
    expect_bad(".example.com");
    expect_bad("exa\x1b[31mmple.com");
    char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    expect_bad(longname);
    char longlabel[80];
    memset(longlabel, 'b', sizeof longlabel - 1);
    longlabel[sizeof longlabel - 1] = '\0';
    expect_bad(longlabel);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_forms), cmocka_unit_test(test_urls),
        cmocka_unit_test(test_ipv6),       cmocka_unit_test(test_port_override),
        cmocka_unit_test(test_invalid),    cmocka_unit_test(test_port_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
