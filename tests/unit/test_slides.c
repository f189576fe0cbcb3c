/* The slides (view/slides.h: SVG, Mermaid, Markdown) on traces built by hand, hostile ones
 * included: a view must not trust the model's strings to be escaped already. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/mem.h"
#include "core/trace.h"
#include "view/safe.h"
#include "view/slides.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Markup, a newline, DEL, a byte that is not UTF-8, U+FFFE and U+202E, raw in the model. */
#define HOSTILE "<b>&\"';#|\\x\n\x7f\xff\xef\xbf\xbe\xe2\x80\xae|end"

static struct hs_event *add(struct hs_trace *t, double ms, enum hs_side from,
                            enum hs_layer layer, const char *type, const char *summary)
{
    struct hs_event *ev = hs_event_new(from, layer, type, ms);
    free(ev->summary);
    ev->summary = hs_xstrdup(summary); /* raw: not through hs_event_summary's escaping */
    hs_trace_add(t, ev);
    return ev;
}

/* A failed TLS 1.3 handshake whose strings a hostile peer chose. */
static struct hs_trace *hostile_trace(void)
{
    struct hs_trace *t = hs_trace_new();
    t->host = hs_xstrdup("evil.example" HOSTILE);
    t->port = 443;
    t->address = hs_xstrdup("2001:db8::1");
    t->sni = hs_xstrdup(HOSTILE);
    t->client_address = hs_xstrdup("[2001:db8::2]:50000");
    snprintf(t->version, sizeof t->version, "TLS 1.3");
    t->alpn = hs_xstrdup(HOSTILE);
    t->verified = 0;
    t->dns_ms = t->tcp_ms = t->tls_ms = t->total_ms = -1;
    t->round_trips = -1;
    hs_trace_fail(t, HS_STAGE_VERIFY, "certificate verification failed: %s", HOSTILE);
    add(t, 0, HS_CLIENT, HS_LAYER_TCP, "SYN", "mss 1460");
    add(t, 0.5, HS_CLIENT, HS_LAYER_TLS, "ClientHello", HOSTILE);
    add(t, 0.6, HS_CLIENT, HS_LAYER_LIBRARY, "note", "state: server hello");
    struct hs_event *ev = add(t, 1, HS_SERVER, HS_LAYER_TLS, "Certificate", "1 cert: CN=" HOSTILE);
    ev->encrypted = ev->decrypted = true;
    ev = add(t, 1.1, HS_CLIENT, HS_LAYER_LIBRARY, "note", "verification failed " HOSTILE);
    ev->problem = true;
    ev = add(t, 1.2, HS_CLIENT, HS_LAYER_TLS, "Alert", "fatal bad_certificate " HOSTILE);
    ev->problem = true;
    /* A summary far wider than a slide. */
    char wide[600];
    memset(wide, 'w', sizeof wide - 1);
    wide[sizeof wide - 1] = '\0';
    add(t, 2, HS_SERVER, HS_LAYER_TCP, "FIN", wide);
    return t;
}

typedef int (*render_fn)(FILE *, const struct hs_trace *, const struct hs_slide_opts *);

static char *render(render_fn fn, const struct hs_trace *t, const struct hs_slide_opts *o)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    assert_non_null(f);
    assert_int_equal(fn(f, t, o), 0);
    fclose(f);
    return buf;
}

static size_t count(const char *s, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* No control byte but newline, no raw U+FFFE / U+202E, no byte of invalid UTF-8. */
static void assert_clean(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        assert_true(*p >= 0x20 || *p == '\n');
    assert_null(strstr(s, "\xef\xbf\xbe"));
    assert_null(strstr(s, "\xe2\x80\xae"));
    assert_null(strstr(s, "\xff"));
}

static void test_svg_hostile(void **state)
{
    (void)state;
    struct hs_trace *t = hostile_trace();
    struct hs_slide_opts o = {0};
    char *svg = render(hs_view_svg, t, &o);
    assert_clean(svg);
    /* Markup from the trace only as entities: the one element hstrace did not write would
     * start with "<b"; every '&' starts an entity. */
    assert_null(strstr(svg, "<b>"));
    assert_non_null(strstr(svg, "1 cert: CN=&lt;b&gt;&amp;&quot;&apos;;#|\\x\\x0a\\x7f\\xff"
                                "\\u{fffe}\\u{202e}|end</text>"));
    for (const char *p = strchr(svg, '&'); p; p = strchr(p + 1, '&'))
        assert_true(strncmp(p, "&lt;", 4) == 0 || strncmp(p, "&gt;", 4) == 0 ||
                    strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&quot;", 6) == 0 ||
                    strncmp(p, "&apos;", 6) == 0);
    /* Rows: 4 arrows (the plain note left out, the problem note kept), dashed once. */
    assert_int_equal(count(svg, "<polygon"), 5);
    assert_int_equal(count(svg, "stroke-dasharray"), 1);
    assert_int_equal(count(svg, "<circle"), 1);
    /* The summary cut with an ellipsis, the failure at the bottom. */
    assert_non_null(strstr(svg, "wwwwwww\xe2\x80\xa6</text>"));
    assert_null(strstr(svg, "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww"));
    assert_non_null(strstr(svg, "failed at verify: certificate verification failed"));
    assert_non_null(strstr(svg, "[2001:db8::1]:443"));
    assert_non_null(strstr(svg, "</svg>\n"));
    free(svg);

    o.notes = true;
    svg = render(hs_view_svg, t, &o);
    assert_int_equal(count(svg, "<circle"), 2);
    free(svg);
    hs_trace_free(t);
}

static void test_mermaid_hostile(void **state)
{
    (void)state;
    struct hs_trace *t = hostile_trace();
    struct hs_slide_opts o = {0};
    char *mm = render(hs_view_mermaid, t, &o);
    assert_clean(mm);
    assert_true(strncmp(mm, "sequenceDiagram\n", 16) == 0);
    size_t messages = 0, lines = 0;
    for (char *line = strtok(mm, "\n"); line; line = strtok(NULL, "\n")) {
        lines++;
        /* '#' only opens an entity code; each ';' closes one. */
        for (const char *p = strchr(line, '#'); p; p = strchr(p + 1, '#'))
            assert_true(strncmp(p, "#35;", 4) == 0 || strncmp(p, "#59;", 4) == 0 ||
                        strncmp(p, "#lt;", 4) == 0 || strncmp(p, "#gt;", 4) == 0 ||
                        strncmp(p, "#amp;", 5) == 0);
        for (const char *p = strchr(line, ';'); p; p = strchr(p + 1, ';'))
            assert_true(p - line >= 3 && (strncmp(p - 3, "#35", 3) == 0 ||
                        strncmp(p - 3, "#59", 3) == 0 || strncmp(p - 3, "#lt", 3) == 0 ||
                        strncmp(p - 3, "#gt", 3) == 0 || strncmp(p - 4, "#amp", 4) == 0));
        /* Past the statement (up to the first ": "), no '<' or '>' is left raw. */
        const char *text = strstr(line, ": ");
        if (text)
            assert_null(strpbrk(text, "<>"));
        messages += strstr(line, "Client->>Server: ") == line + 4 ||
                    strstr(line, "Server-->>Client: ") == line + 4 ||
                    strstr(line, "Client-xServer: ") == line + 4 ||
                    strstr(line, "Server->>Client: ") == line + 4;
    }
    /* SYN, ClientHello, Certificate (dotted), Alert (cross), FIN. */
    assert_int_equal(messages, 5);
    /* sequenceDiagram, title, 2 participants, the result note, 5 messages, the problem note,
     * the failure note. */
    assert_int_equal(lines, 12);
    free(mm);
    hs_trace_free(t);
}

static void test_markdown_hostile(void **state)
{
    (void)state;
    struct hs_trace *t = hostile_trace();
    struct hs_slide_opts o = {.ascii = true};
    char *md = render(hs_view_markdown, t, &o);
    assert_clean(md);
    for (const unsigned char *p = (const unsigned char *)md; *p; p++)
        assert_true(*p < 0x80); /* --ascii */
    assert_non_null(strstr(md, "| 0.500 | Client -> Server | ClientHello | \\<b>\\&\"';#\\|"
                               "\\\\x\\\\x0a\\\\x7f\\\\xff\\\\u{fffe}\\\\u{202e}\\|end |\n"));
    assert_non_null(strstr(md, "| 1.200 | Client -> Server | **Alert** | **!! fatal "));
    assert_non_null(strstr(md, "| 1.000 | Client <- Server | *Certificate* | \\[decrypted\\] "));
    size_t rows = 0;
    for (char *line = strtok(md, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != '|')
            continue;
        rows++;
        /* 5 cell borders: the '|' not escaped by a backslash (a "\\" pair escapes itself). */
        size_t bars = 0;
        for (size_t i = 0, bs = 0; line[i]; i++) {
            if (line[i] == '|' && bs % 2 == 0)
                bars++;
            bs = line[i] == '\\' ? bs + 1 : 0;
        }
        assert_int_equal(bars, 5);
    }
    /* Header, delimiter, 4 messages and the problem note (FIN too: 5 messages). */
    assert_int_equal(rows, 2 + 5 + 1);
    free(md);
    hs_trace_free(t);
}

static void test_cut(void **state)
{
    (void)state;
    char *s = hs_slide_cut("abcdef", 6, false);
    assert_string_equal(s, "abcdef");
    free(s);
    s = hs_slide_cut("abcdefg", 6, false);
    assert_string_equal(s, "abcde\xe2\x80\xa6");
    free(s);
    s = hs_slide_cut("abcdefg", 6, true);
    assert_string_equal(s, "abc...");
    free(s);
    /* Wide characters count two columns and are never split. */
    s = hs_slide_cut("\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad", 6, false);
    assert_string_equal(s, "\xe4\xb8\xad\xe4\xb8\xad\xe2\x80\xa6");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svg_hostile),
        cmocka_unit_test(test_mermaid_hostile),
        cmocka_unit_test(test_markdown_hostile),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
