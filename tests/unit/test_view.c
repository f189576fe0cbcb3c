/* The text ladder and the JSON document, on traces built by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/escape.h"
#include "core/field.h"
#include "core/mem.h"
#include "core/trace.h"
#include "view/safe.h"
#include "view/view.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- building traces ---- */

static struct hs_event *add(struct hs_trace *t, double ms, enum hs_side from, enum hs_layer layer,
                            const char *type, const char *summary)
{
    struct hs_event *ev = hs_event_new(from, layer, type, ms);
    hs_event_summary(ev, "%s", summary);
    hs_trace_add(t, ev);
    return ev;
}

static struct hs_field *cert(struct hs_field *chain, const char *subject, const char *issuer)
{
    struct hs_field *c = hs_f_obj(chain, NULL);
    hs_f_str(c, "subject", subject);
    hs_f_str(c, "issuer", issuer);
    hs_f_str(c, "serial", "01ab");
    hs_f_str(c, "not_before", "2025-01-01T00:00:00Z");
    hs_f_str(c, "not_after", "2027-01-01T00:00:00Z");
    struct hs_field *san = hs_f_arr(c, "san");
    hs_f_str(san, NULL, "DNS:example.com");
    hs_f_str(c, "public_key", "EC P-256");
    hs_f_str(c, "signature_algorithm", "ecdsa-with-SHA256");
    hs_f_str(c, "sha256", "00ff");
    hs_f_bool(c, "self_signed", false);
    return c;
}

/* The fields a hello always has when it decoded whole (the schema requires them). */
static void hello_fields(struct hs_event *ev, bool client)
{
    struct hs_field *f = ev->fields;
    hs_f_str(f, "version", "TLS 1.2");
    hs_f_int(f, "version_id", 0x0303);
    hs_f_str(f, "random", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
    hs_f_str(f, "session_id", "");
    if (client) {
        hs_f_str(hs_f_arr(f, "cipher_suites"), NULL, "TLS_AES_128_GCM_SHA256");
        hs_f_int(hs_f_arr(f, "cipher_suite_ids"), NULL, 0x1301);
        hs_f_int(f, "cipher_suite_count", 1);
        hs_f_str(hs_f_arr(f, "compression_methods"), NULL, "null");
        hs_f_int(hs_f_arr(f, "compression_method_ids"), NULL, 0);
    } else {
        hs_f_str(f, "cipher_suite", "TLS_AES_128_GCM_SHA256");
        hs_f_int(f, "cipher_suite_id", 0x1301);
        hs_f_str(f, "compression_method", "null");
        hs_f_int(f, "compression_method_id", 0);
    }
    hs_f_obj(f, "fingerprints");
}

static void alert_fields(struct hs_event *ev, const char *level, int level_id, const char *desc,
                         int desc_id)
{
    hs_f_str(ev->fields, "level", level);
    hs_f_int(ev->fields, "level_id", level_id);
    hs_f_str(ev->fields, "description", desc);
    hs_f_int(ev->fields, "description_id", desc_id);
    hs_f_int(ev->fields, "code", desc_id);
}

/* The keys the schema requires of the other messages a hand-built trace holds. */
static void message_fields(struct hs_event *ev)
{
    struct hs_field *f = ev->fields;
    if (strcmp(ev->type, "EncryptedExtensions") == 0) {
        hs_f_arr(f, "extensions");
    } else if (strcmp(ev->type, "Certificate") == 0) {
        hs_f_arr(f, "certificates");
        hs_f_int(f, "count", 0);
    } else if (strcmp(ev->type, "CertificateVerify") == 0) {
        hs_f_int(f, "signature_length", 64);
    } else if (strcmp(ev->type, "Finished") == 0) {
        hs_f_str(f, "verify_data", "00ff");
    } else if (strcmp(ev->type, "NewSessionTicket") == 0) {
        hs_f_int(f, "lifetime", 7200);
        hs_f_int(f, "ticket_length", 192);
    } else if (strcmp(ev->type, "ApplicationData") == 0) {
        hs_f_int(f, "records", 1);
        hs_f_int(f, "bytes", 40);
    }
}

/* A complete TLS 1.3 handshake, as the live source would record it. */
static struct hs_trace *full_trace(void)
{
    struct hs_trace *t = hs_trace_new();
    t->host = hs_xstrdup("example.com");
    t->port = 443;
    t->address = hs_xstrdup("93.184.216.34");
    t->sni = hs_xstrdup("example.com");
    t->handshake_done = true;
    snprintf(t->version, sizeof t->version, "TLS 1.3");
    snprintf(t->cipher_suite, sizeof t->cipher_suite, "TLS_AES_128_GCM_SHA256");
    snprintf(t->group, sizeof t->group, "x25519");
    t->alpn = hs_xstrdup("h2");
    t->verified = 1;
    t->chain = hs_field_new_array();
    cert(t->chain, "CN=example.com", "CN=Example CA");
    cert(t->chain, "CN=Example CA", "CN=Example Root");
    t->problems = hs_field_new_array();
    t->dns_ms = 1.2;
    t->tcp_ms = 0.061;
    t->tls_ms = 4.8;
    t->total_ms = 6.1;
    t->round_trips = 2;

    struct hs_event *ev = add(t, 0, HS_CLIENT, HS_LAYER_TCP, "SYN", "mss 1460, wscale 7, sack");
    struct hs_field *opts = hs_f_obj(ev->fields, "options");
    hs_f_int(opts, "mss", 1460);
    hs_f_bool(opts, "sack_permitted", true);
    hs_f_null(opts, "timestamps");
    add(t, 0.061, HS_SERVER, HS_LAYER_TCP, "SYN-ACK", "mss 65495, wscale 7");
    add(t, 0.07, HS_CLIENT, HS_LAYER_TCP, "ACK", "");
    ev = add(t, 0.2, HS_CLIENT, HS_LAYER_TLS, "ClientHello",
             "TLS 1.3, 3 suites, SNI example.com, ALPN h2,http/1.1, key_share x25519");
    ev->length = 512;
    ev->explain = hs_xstrdup("The client says hello: the versions, ciphers and key shares it "
                             "supports, and the name of the site it wants to reach.");
    hello_fields(ev, true);
    hs_f_null((struct hs_field *)hs_f_get(ev->fields, "fingerprints"), "ja3");
    struct hs_field *ext = hs_f_arr(ev->fields, "extensions");
    struct hs_field *sn = hs_f_obj(ext, NULL);
    hs_f_str(sn, "type", "server_name");
    hs_f_int(sn, "id", 0);
    hs_f_int(sn, "length", 16);
    hs_f_str(hs_f_arr(sn, "names"), NULL, "example.com");
    hs_f_str(sn, "host_name", "example.com");
    add(t, 0.3, HS_CLIENT, HS_LAYER_LIBRARY, "note", "state: server hello");
    ev = add(t, 0.31, HS_CLIENT, HS_LAYER_LIBRARY, "debug", "ssl_tls13_client.c:1234: raw debug");
    hs_f_int(ev->fields, "level", 3);
    hs_f_str(ev->fields, "source", "ssl_tls13_client.c:1234");
    ev = add(t, 1.5, HS_SERVER, HS_LAYER_TLS, "ServerHello",
             "TLS 1.3, TLS_AES_128_GCM_SHA256, key_share x25519");
    ev->length = 90;
    hello_fields(ev, false);
    add(t, 1.51, HS_SERVER, HS_LAYER_TLS, "ChangeCipherSpec", "compatibility (TLS 1.3)");
    const char *enc[] = {"EncryptedExtensions", "Certificate", "CertificateVerify", "Finished"};
    for (size_t i = 0; i < 4; i++) {
        ev = add(t, 1.6 + 0.01 * (double)i, HS_SERVER, HS_LAYER_TLS, enc[i],
                 "server handshake traffic keys");
        ev->encrypted = ev->decrypted = true;
        message_fields(ev);
    }
    ev = add(t, 2.0, HS_CLIENT, HS_LAYER_TLS, "Finished", "verify_data 32 bytes");
    ev->encrypted = ev->decrypted = true;
    message_fields(ev);
    ev = add(t, 3.0, HS_SERVER, HS_LAYER_TLS, "NewSessionTicket",
             "lifetime 7200 s, ticket 192 bytes");
    ev->encrypted = ev->decrypted = true;
    message_fields(ev);
    ev = add(t, 3.1, HS_SERVER, HS_LAYER_TLS, "ApplicationData", "1 record, 40 bytes");
    ev->encrypted = true;
    message_fields(ev);
    ev = add(t, 3.2, HS_CLIENT, HS_LAYER_TLS, "Alert", "warning close_notify");
    ev->encrypted = true;
    alert_fields(ev, "warning", 1, "close_notify", 0);
    add(t, 3.3, HS_CLIENT, HS_LAYER_TCP, "FIN", "");
    ev = add(t, 3.4, HS_SERVER, HS_LAYER_TCP, "FIN", "");
    hs_event_add_frame(ev, 17);
    return t;
}

/* A TLS failure: the server's alert ends the handshake. */
static struct hs_trace *failed_trace(void)
{
    struct hs_trace *t = hs_trace_new();
    t->host = hs_xstrdup("::1");
    t->port = 8443;
    t->address = hs_xstrdup("::1");
    t->tcp_inferred = true;
    t->hint = hs_xstrdup("to see real TCP packets: sudo setcap cap_net_raw,cap_net_admin=eip "
                         "/usr/local/bin/hstrace");
    snprintf(t->version, sizeof t->version, "TLS 1.2");
    snprintf(t->cipher_suite, sizeof t->cipher_suite, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    snprintf(t->group, sizeof t->group, "secp256r1");
    t->alpn = hs_xstrdup("http/1.1");
    t->tcp_ms = 0.1;
    t->total_ms = 2;
    add(t, 0, HS_CLIENT, HS_LAYER_TCP, "SYN", "")->inferred = true;
    add(t, 0.1, HS_SERVER, HS_LAYER_TCP, "SYN-ACK", "")->inferred = true;
    add(t, 0.1, HS_CLIENT, HS_LAYER_TCP, "ACK", "")->inferred = true;
    hello_fields(add(t, 0.3, HS_CLIENT, HS_LAYER_TLS, "ClientHello", "TLS 1.2 only"), true);
    struct hs_event *ev = add(t, 1.0, HS_SERVER, HS_LAYER_TLS, "Alert",
                              "fatal protocol_version: the server does not speak TLS 1.2");
    ev->problem = true;
    alert_fields(ev, "fatal", 2, "protocol_version", 70);
    hs_trace_fail(t, HS_STAGE_TLS, "the server sent alert protocol_version");
    return t;
}

static struct hs_trace *dns_failed_trace(void)
{
    struct hs_trace *t = hs_trace_new();
    t->host = hs_xstrdup("no-such-host.invalid");
    t->port = 443;
    hs_trace_fail(t, HS_STAGE_DNS,
                  "could not resolve no-such-host.invalid: Name or service not known");
    return t;
}

/* Peer strings that try to drive the terminal: clear screen, NUL, OSC 52, invalid UTF-8. */
static const uint8_t evil[] = "CN=\x1b[2Jevil\0hidden\x1b]52;c;SGVsbG8=\x07\xff\xc3\x28\xe2\x80\xae"
                              "end";

static struct hs_trace *hostile_trace(void)
{
    struct hs_trace *t = full_trace();
    hs_field_free(t->chain);
    t->chain = hs_field_new_array();
    struct hs_field *c = cert(t->chain, "placeholder", "CN=\x1b[31mred issuer");
    /* Replace the subject with the hostile bytes, through the escaping adder. */
    struct hs_field *subject = (struct hs_field *)hs_f_get(c, "subject");
    if (subject->str != subject->str_inl)
        free(subject->str);
    subject->str = hs_escape(evil, sizeof evil - 1); /* what hs_f_text stores */
    /* And a field string that bypassed escaping altogether (a bug elsewhere must not leak). */
    struct hs_event *ev = t->first->next;
    hs_f_str_escaped(ev->fields, "raw", hs_xmemdup("bad\xff\xfe\x1b[2J", 10));
    /* Model strings set without escaping by a careless source. */
    free(t->host);
    t->host = hs_xstrdup("evil\x1b]52;c;AAAA\x07.example");
    free(t->alpn);
    t->alpn = hs_xstrdup("h2\xff\x1b[5m");
    snprintf(ev->type, sizeof ev->type, "SYN\x1b[2J\xc3");
    free(ev->summary);
    ev->summary = hs_xstrdup("raw \x1b[2J summary \x9b 31m \xc2\x9b");
    free(ev->explain);
    ev->explain = hs_xstrdup("explained\x1b[2J");
    return t;
}

/* ---- rendering ---- */

static char *render(const struct hs_trace *t, struct hs_view_opts o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hs_view_text(f, t, &o);
    fclose(f);
    if (getenv("HS_TEST_SHOW")) /* to look at the output: HS_TEST_SHOW=1 test_view */
        fputs(buf, stderr);
    return buf;
}

static char *render_json(const struct hs_trace *t)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(hs_view_json(f, t, false), 0);
    fclose(f);
    return buf;
}

/* The line of text holding needle (a new string), or NULL. */
static char *line_with(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    if (hit == NULL)
        return NULL;
    const char *start = hit;
    while (start > text && start[-1] != '\n')
        start--;
    const char *end = strchr(hit, '\n');
    size_t n = end ? (size_t)(end - start) : strlen(start);
    char *line = hs_xmalloc(n + 1);
    memcpy(line, start, n);
    line[n] = '\0';
    return line;
}

static void assert_line_has(const char *text, const char *needle, const char *also)
{
    char *line = line_with(text, needle);
    if (line == NULL)
        fail_msg("no line with \"%s\" in:\n%s", needle, text);
    if (also && strstr(line, also) == NULL)
        fail_msg("line \"%s\" lacks \"%s\"", line, also);
    free(line);
}

/* No control bytes but newline; valid UTF-8 (checked by round-tripping through the safe pass). */
static void assert_terminal_safe(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            fail_msg("control byte 0x%02x at offset %td", *p, (const char *)p - text);
    char *again = hs_view_safe(text, false);
    /* hs_view_safe keeps valid printable UTF-8 as is; newlines are its only change. */
    for (size_t i = 0, j = 0; text[i]; i++, j++) {
        if (text[i] == '\n') {
            assert_memory_equal(again + j, "\\x0a", 4);
            j += 3;
        } else if (again[j] != text[i]) {
            fail_msg("invalid or unsafe UTF-8 near offset %zu", i);
        }
    }
    free(again);
}

static void assert_width(const char *text, size_t width)
{
    const char *line = text;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        size_t cols = hs_view_cols(line, n);
        if (cols > width)
            fail_msg("line of %zu columns > %zu: %.*s", cols, width, (int)n, line);
        if (n > 0 && line[n - 1] == ' ')
            fail_msg("trailing blank: \"%.*s\"", (int)n, line);
        line += n + (end ? 1 : 0);
    }
}

static char *repo_path(const char *rel)
{
    const char *root = getenv("HS_SRCDIR");
    if (root && root[0])
        return hs_xasprintf("%s/%s", root, rel);
    /* This file is compiled as tests/unit/test_view.c relative to the repository's root. */
    const char *self = __FILE__;
    const char *tail = strstr(self, "tests/unit/test_view.c");
    int root_len = tail ? (int)(tail - self) : 0;
    return hs_xasprintf("%.*s%s", root_len, self, rel);
}

/* Parses the JSON back and validates it against the schema with the python tool. */
static json_t *check_json(const char *doc)
{
    json_error_t err;
    json_t *j = json_loads(doc, 0, &err);
    if (j == NULL)
        fail_msg("JSON does not parse: %s (line %d)\n%s", err.text, err.line, doc);

    char *tool = repo_path("tests/tools/validate-json");
    char *schema = repo_path("man/hstrace-json.schema.json");
    if (access(tool, R_OK) != 0 || access(schema, R_OK) != 0)
        fail_msg("%s or %s not found: run from the repository's root or set HS_SRCDIR", tool,
                 schema);
    char path[] = "/tmp/hstrace-test-view-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(doc);
    assert_int_equal(write(fd, doc, len), (ssize_t)len);
    close(fd);
    char *cmd = hs_xasprintf("python3 '%s' '%s' '%s'", tool, schema, path);
    int rc = system(cmd);
    unlink(path);
    free(cmd);
    free(tool);
    free(schema);
    if (rc != 0)
        fail_msg("validate-json rejected the document (status %d):\n%s", rc, doc);
    return j;
}

/* ---- tests ---- */

static void test_text_full(void **state)
{
    (void)state;
    struct hs_trace *t = full_trace();
    char *text = render(t, (struct hs_view_opts){0});

    assert_non_null(strstr(text, "hstrace "));
    assert_line_has(text, "example.com:443 \u2192 93.184.216.34 (SNI example.com)", NULL);
    assert_line_has(text, "TLS 1.3 \u00b7 TLS_AES_128_GCM_SHA256 \u00b7 x25519 \u00b7 ALPN h2 "
                          "\u00b7 certificate verified", NULL);
    assert_line_has(text, "Client", "Server");
    /* Client to server: the head on the right; server to client: on the left. */
    assert_line_has(text, " SYN ", "\u25ba\u2502  mss 1460");
    assert_line_has(text, "    0.000 \u2502", " SYN ");
    assert_line_has(text, " SYN-ACK ", "\u2502\u25c4");
    assert_line_has(text, " ClientHello ", "\u25ba\u2502  TLS 1.3, 3 suites");
    /* Encrypted rows: dashed, and say they were decrypted. */
    assert_line_has(text, " EncryptedExtensions ", "\u254c");
    assert_line_has(text, " EncryptedExtensions ", "[decrypted] server handshake");
    assert_line_has(text, " ApplicationData ", "[encrypted] 1 record");
    assert_line_has(text, "state: server hello", "\u2502 \u00b7 ");
    assert_null(strstr(text, "raw debug"));
    assert_null(strstr(text, "The client says hello"));
    /* The summary column starts at column 44 on every arrow row. */
    char *row = line_with(text, " ServerHello ");
    const char *sum = strstr(row, "TLS 1.3, TLS_AES");
    assert_non_null(sum);
    assert_int_equal(hs_view_cols(row, (size_t)(sum - row)), 44);
    free(row);
    /* Footer. */
    assert_line_has(text, "certificate: verified", NULL);
    assert_line_has(text, "CN=example.com \u2190 CN=Example CA", NULL);
    assert_line_has(text, "DNS 1.20 ms \u00b7 TCP 0.06 ms \u00b7 TLS 4.80 ms \u00b7 total 6.10 ms "
                          "\u00b7 2 round trips", NULL);
    assert_null(strstr(text, "failed"));
    assert_terminal_safe(text);
    assert_width(text, 100);
    free(text);

    /* --debug shows the library's raw lines; --explain adds the plain-words line. */
    text = render(t, (struct hs_view_opts){.debug = 1, .explain = true});
    assert_line_has(text, "raw debug", "\u00b7 debug");
    assert_line_has(text, "The client says hello", "\u2502");
    assert_line_has(text, "name of the site it wants", NULL); /* wrapped onto a second line */
    assert_width(text, 100);
    free(text);
    hs_trace_free(t);
}

static void test_text_ascii_color_width(void **state)
{
    (void)state;
    struct hs_trace *t = full_trace();
    char *text = render(t, (struct hs_view_opts){.ascii = true, .width = 60});
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p >= 0x80)
            fail_msg("non-ASCII byte in ASCII mode at %td:\n%s", (const char *)p - text, text);
    assert_line_has(text, " SYN ", ">|");
    assert_line_has(text, " SYN-ACK ", "|<");
    assert_line_has(text, " Finished ", "|<.........");
    assert_line_has(text, "example.com:443 -> 93.184.216.34", NULL);
    /* Summaries wrap under their column, never cut. */
    assert_line_has(text, " ClientHello ", "|  TLS 1.3, 3");
    assert_line_has(text, "key_share", "|  ");
    assert_line_has(text, " Finished ", "[decrypted]");
    assert_line_has(text, "server handshake", "|  ");
    assert_width(text, 60);
    assert_terminal_safe(text);
    free(text);

    /* Unlimited width: nothing is cut. */
    text = render(t, (struct hs_view_opts){.width = -1});
    assert_line_has(text, " ClientHello ", "key_share x25519");
    assert_null(strstr(text, "\u2026"));
    free(text);

    /* Colour: escape sequences appear, and the words stay. */
    text = render(t, (struct hs_view_opts){.color = true});
    assert_non_null(strstr(text, "\x1b["));
    assert_non_null(strstr(text, "certificate verified"));
    free(text);
    hs_trace_free(t);
}

static char *strip_spaces(const char *s)
{
    char *out = hs_xstrdup(s);
    size_t k = 0;
    for (const char *p = s; *p; p++)
        if (*p != ' ')
            out[k++] = *p;
    out[k] = '\0';
    return out;
}

/* At 80 columns a long summary goes on under its column: every word is there, in order, no
 * line is wider than 80 columns and nothing is cut; in a pipe it stays on one line. */
static void test_text_wrap(void **state)
{
    (void)state;
    struct hs_trace *t = hs_trace_new();
    const char *summary = "TLS 1.3, SNI a-rather-long-host-name.example.com, 109 suites, "
                          "key_share x25519, ALPN h2,http/1.1, "
                          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256_AND_MORE_TO_COME";
    add(t, 0, HS_CLIENT, HS_LAYER_TLS, "ClientHello", summary);
    char *text = render(t, (struct hs_view_opts){.ascii = true, .width = 80});
    char joined[1024] = "";
    size_t lines = 0;
    for (char *row = strtok(text, "\n"); row; row = strtok(NULL, "\n")) {
        if (strlen(row) > 80)
            fail_msg("line wider than 80: %s", row);
        /* The summary column starts at 44, after the server's bar and two spaces. */
        bool more = lines > 0 && strspn(row, " ") == 10 && strlen(row) > 44;
        if (strstr(row, "ClientHello") || more)
            strncat(joined, row + 44, sizeof joined - strlen(joined) - 1), lines++;
    }
    assert_true(lines >= 3);
    assert_null(strstr(joined, "..."));
    /* The words, without the spaces where the lines broke. */
    char *want = strip_spaces(summary), *got = strip_spaces(joined);
    assert_string_equal(got, want);
    free(want);
    free(got);
    free(text);

    text = render(t, (struct hs_view_opts){.ascii = true, .width = -1});
    const char *hello = strstr(text, "ClientHello");
    assert_non_null(hello);
    assert_non_null(strstr(hello, summary));
    free(text);
    hs_trace_free(t);
}

static void test_text_failed(void **state)
{
    (void)state;
    struct hs_trace *t = failed_trace();
    char *text = render(t, (struct hs_view_opts){0});
    assert_line_has(text, "[::1]:8443", NULL);
    assert_line_has(text, "handshake failed at tls", "TLS 1.2 \u00b7 TLS_ECDHE_RSA");
    assert_line_has(text, "  ALPN http/1.1", NULL); /* wrapped, not cut */
    assert_line_has(text, " SYN ", "(inferred)");
    assert_line_has(text, " Alert ", "!! fatal protocol_version");
    assert_line_has(text, "\u2717 failed at tls: the server sent alert protocol_version", NULL);
    assert_line_has(text, "hint: to see real TCP packets", NULL);
    assert_null(strstr(text, "certificate:"));
    assert_terminal_safe(text);
    assert_width(text, 100);
    free(text);
    hs_trace_free(t);

    t = dns_failed_trace();
    text = render(t, (struct hs_view_opts){.ascii = true});
    assert_line_has(text, "no-such-host.invalid:443", "(no SNI)");
    assert_line_has(text, "X failed at dns: could not resolve", NULL);
    assert_terminal_safe(text);
    free(text);
    hs_trace_free(t);
}

static void test_text_hostile(void **state)
{
    (void)state;
    struct hs_trace *t = hostile_trace();
    char *text = render(t, (struct hs_view_opts){.explain = true, .width = -1});
    assert_terminal_safe(text);
    assert_null(strstr(text, "hidden\x1b"));
    assert_line_has(text, "CN=\\x1b[2Jevil\\x00hidden\\x1b]52;c;SGVsbG8=\\x07\\xff", NULL);
    assert_line_has(text, "\\u{202e}end", NULL);
    assert_line_has(text, "evil\\x1b]52;c;AAAA\\x07.example:443", NULL);
    free(text);
    text = render(t, (struct hs_view_opts){.ascii = true});
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        assert_true(*p < 0x80 && (*p >= 0x20 || *p == '\n'));
    free(text);
    hs_trace_free(t);
}

static void test_json_full(void **state)
{
    (void)state;
    struct hs_trace *t = full_trace();
    char *doc = render_json(t);
    json_t *j = check_json(doc);
    assert_string_equal(json_string_value(json_object_get(j, "result")), "ok");
    assert_true(json_is_null(json_object_get(j, "error")));
    json_t *tls = json_object_get(j, "tls");
    assert_string_equal(json_string_value(json_object_get(tls, "version")), "TLS 1.3");
    assert_string_equal(json_string_value(json_object_get(tls, "group")), "x25519");
    assert_string_equal(json_string_value(json_object_get(tls, "alpn")), "h2");
    json_t *cert = json_object_get(j, "certificate");
    assert_true(json_is_true(json_object_get(cert, "verified")));
    json_t *chain = json_object_get(cert, "chain");
    assert_int_equal(json_array_size(chain), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(chain, 0), "subject")),
                        "CN=example.com");
    json_t *timing = json_object_get(j, "timing");
    assert_true(json_number_value(json_object_get(timing, "tcp_ms")) == 0.061);
    assert_int_equal(json_integer_value(json_object_get(timing, "round_trips")), 2);
    assert_non_null(strstr(doc, "\"tcp_ms\": 0.061,"));

    json_t *events = json_object_get(j, "events");
    assert_int_equal(json_array_size(events), t->nevents);
    json_t *syn = json_array_get(events, 0);
    assert_string_equal(json_string_value(json_object_get(syn, "type")), "SYN");
    assert_string_equal(json_string_value(json_object_get(syn, "from")), "client");
    assert_string_equal(json_string_value(json_object_get(syn, "layer")), "tcp");
    json_t *opts = json_object_get(json_object_get(syn, "fields"), "options");
    assert_int_equal(json_integer_value(json_object_get(opts, "mss")), 1460);
    assert_null(json_object_get(syn, "frames"));
    json_t *ch = json_array_get(events, 3);
    assert_string_equal(json_string_value(json_object_get(ch, "type")), "ClientHello");
    assert_int_equal(json_integer_value(json_object_get(ch, "length")), 512);
    json_t *ext0 = json_array_get(json_object_get(json_object_get(ch, "fields"), "extensions"), 0);
    assert_string_equal(json_string_value(json_object_get(ext0, "type")), "server_name");
    json_t *fp = json_object_get(json_object_get(ch, "fields"), "fingerprints");
    assert_true(json_is_null(json_object_get(fp, "ja3")));
    assert_non_null(json_string_value(json_object_get(ch, "explain")));
    json_t *last = json_array_get(events, json_array_size(events) - 1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(last, "frames"), 0)), 17);
    json_t *ee = json_array_get(events, 8);
    assert_string_equal(json_string_value(json_object_get(ee, "type")), "EncryptedExtensions");
    assert_true(json_is_true(json_object_get(ee, "encrypted")));
    assert_true(json_is_true(json_object_get(ee, "decrypted")));
    json_decref(j);
    free(doc);
    hs_trace_free(t);
}

static void test_json_failed(void **state)
{
    (void)state;
    struct hs_trace *t = failed_trace();
    char *doc = render_json(t);
    json_t *j = check_json(doc);
    assert_string_equal(json_string_value(json_object_get(j, "result")), "failed");
    json_t *err = json_object_get(j, "error");
    assert_string_equal(json_string_value(json_object_get(err, "stage")), "tls");
    assert_int_equal(json_integer_value(json_object_get(j, "exit_code")), 1);
    json_t *tls = json_object_get(j, "tls");
    assert_string_equal(json_string_value(json_object_get(tls, "group")), "secp256r1");
    assert_true(json_is_false(json_object_get(tls, "resumed")));
    assert_true(json_is_null(json_object_get(json_object_get(j, "certificate"), "verified")));
    assert_true(json_is_null(json_object_get(json_object_get(j, "timing"), "dns_ms")));
    assert_true(json_is_true(json_object_get(j, "tcp_inferred")));
    json_t *syn = json_array_get(json_object_get(j, "events"), 0);
    assert_true(json_is_true(json_object_get(syn, "inferred")));
    json_t *alert = json_array_get(json_object_get(j, "events"), 4);
    assert_true(json_is_true(json_object_get(alert, "problem")));
    json_decref(j);
    free(doc);
    hs_trace_free(t);

    t = dns_failed_trace();
    doc = render_json(t);
    j = check_json(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "stage")),
                        "dns");
    assert_int_equal(json_array_size(json_object_get(j, "events")), 0);
    assert_true(json_is_null(json_object_get(json_object_get(j, "target"), "address")));
    json_decref(j);
    free(doc);
    hs_trace_free(t);
}

static void test_json_hostile(void **state)
{
    (void)state;
    struct hs_trace *t = hostile_trace();
    char *doc = render_json(t);
    json_t *j = check_json(doc);
    json_t *c0 = json_array_get(json_object_get(json_object_get(j, "certificate"), "chain"), 0);
    const char *subject = json_string_value(json_object_get(c0, "subject"));
    assert_non_null(subject);
    assert_non_null(strstr(subject, "\\x00hidden"));
    assert_null(strchr(subject, '\x1b'));
    /* The invalid UTF-8 that bypassed escaping comes out escaped, the document still valid. */
    json_t *ev = json_array_get(json_object_get(j, "events"), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(ev, "fields"), "raw")),
                        "bad\\xff\\xfe\\x1b[2J");
    const char *alpn = json_string_value(json_object_get(json_object_get(j, "tls"), "alpn"));
    assert_non_null(alpn);
    json_decref(j);
    free(doc);
    hs_trace_free(t);
}

static void test_safe(void **state)
{
    (void)state;
    char *s = hs_view_safe("a\\b \x1b \xff caf\xc3\xa9 \xe2\x80\xae", false);
    assert_string_equal(s, "a\\b \\x1b \\xff caf\xc3\xa9 \\u{202e}");
    free(s);
    s = hs_view_safe("caf\xc3\xa9", true);
    assert_string_equal(s, "caf\\u{00e9}");
    free(s);
    s = hs_view_safe(NULL, false);
    assert_string_equal(s, "");
    free(s);
    assert_int_equal(hs_view_cols("a\xe4\xb8\xad" "b", 5), 4); /* a, CJK (2), b */
    size_t used;
    assert_int_equal(hs_view_fit("ab\xe4\xb8\xad", 3, &used), 2);
    assert_int_equal(used, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_safe),
        cmocka_unit_test(test_text_full),
        cmocka_unit_test(test_text_ascii_color_width),
        cmocka_unit_test(test_text_wrap),
        cmocka_unit_test(test_text_failed),
        cmocka_unit_test(test_text_hostile),
        cmocka_unit_test(test_json_full),
        cmocka_unit_test(test_json_failed),
        cmocka_unit_test(test_json_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
