/* The mbedTLS client configuration from the live options (see tlsconfig.h). */
#include "tlsconfig.h"

#include "cacerts.h"
#include "hellosize.h"
#include "verify.h"

#include "../core/escape.h"
#include "../core/mem.h"
#include "../core/result.h"
#include "../tls/names.h"
#include "../tls/suites.h"

#include <mbedtls/error.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void hs_live_usage_error(struct hs_trace *t, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "hstrace: %s\n", msg);
    /* What the user typed is in it, unescaped: escaped once here, for the trace (--json). */
    char *esc = hs_escape_str(msg);
    hs_trace_fail(t, HS_STAGE_USAGE, "%s", esc);
    free(esc);
}

/* Splits a comma list into at most max-1 trimmed, non-empty items (a copy in *store). */
/* Splits a comma-separated option value; the count, or SPLIT_TOO_MANY (a usage error). */
#define SPLIT_TOO_MANY ((size_t)-1)
static size_t split_list(const char *s, char **store, char **items, size_t max)
{
    *store = hs_xstrdup(s);
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(*store, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        char *end = tok + strlen(tok);
        while (end > tok && end[-1] == ' ')
            *--end = '\0';
        if (*tok == '\0')
            continue;
        if (n + 1 >= max) {
            items[0] = NULL;
            return SPLIT_TOO_MANY;
        }
        items[n++] = tok;
    }
    items[n] = NULL;
    return n;
}


void hs_tls_setup_init(struct hs_tls_setup *s)
{
    mbedtls_entropy_init(&s->entropy);
    mbedtls_ctr_drbg_init(&s->drbg);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_ssl_init(&s->ssl);
    mbedtls_x509_crt_init(&s->ca);
    mbedtls_x509_crt_init(&s->own_cert);
    mbedtls_pk_init(&s->own_key);
    s->alpn_store = NULL;
}

void hs_tls_setup_free(struct hs_tls_setup *s)
{
    mbedtls_ssl_free(&s->ssl);
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_ctr_drbg_free(&s->drbg);
    mbedtls_entropy_free(&s->entropy);
    mbedtls_x509_crt_free(&s->ca);
    mbedtls_x509_crt_free(&s->own_cert);
    mbedtls_pk_free(&s->own_key);
    free(s->alpn_store);
}

/* Loads the trusted CAs into ca; 0, or -1 with the reason in why. */
int hs_tls_load_cas_quiet(const struct hs_live_opts *o, mbedtls_x509_crt *ca, char *why,
                          size_t whysz)
{
    int r;
    if (o->cafile && hs_verify_load_cafile(ca, o->cafile, why, whysz) != 0)
        return -1;
    if (o->capath && (r = hs_ca_parse_path(ca, o->capath)) < 0) {
        char msg[160];
        mbedtls_strerror(r, msg, sizeof msg);
        snprintf(why, whysz, "cannot read CA directory %s: %s", o->capath, msg);
        return -1;
    }
    if (!o->cafile && !o->capath &&
        hs_ca_parse_file(ca, "/etc/ssl/certs/ca-certificates.crt") < 0)
        (void)hs_ca_parse_path(ca, "/etc/ssl/certs");
    return 0;
}

/* Loads the trusted CAs into ca; 0, or -1 after a usage error. */
int hs_tls_load_cas(const struct hs_live_opts *o, mbedtls_x509_crt *ca, struct hs_trace *t)
{
    char why[512];
    if (hs_tls_load_cas_quiet(o, ca, why, sizeof why) == 0)
        return 0;
    hs_live_usage_error(t, "%s", why);
    return -1;
}

/*
 * Signature algorithms, PKCS#1 before PSS: mbedTLS offers RSA-PSS in a ClientHello that also
 * offers TLS 1.2, but rejects it when a TLS 1.2 server picks it for its ServerKeyExchange
 * (illegal_parameter).  Servers that follow the client's order then pick PKCS#1 in TLS 1.2,
 * while TLS 1.3 servers must still pick PSS, which mbedTLS supports there.
 */
static const uint16_t sig_algs[] = {
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP256R1_SHA256, MBEDTLS_TLS1_3_SIG_ECDSA_SECP384R1_SHA384,
    MBEDTLS_TLS1_3_SIG_ECDSA_SECP521R1_SHA512, MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA256,
    MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA384,       MBEDTLS_TLS1_3_SIG_RSA_PKCS1_SHA512,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA256,    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA384,
    MBEDTLS_TLS1_3_SIG_RSA_PSS_RSAE_SHA512,    MBEDTLS_TLS1_3_SIG_NONE,
};

/* Splits a comma list of names (--ciphers, --groups) and looks each one up: a result above
 * `unknown` is its id.  ids[] gets them and a closing 0; the count (at least 1), or -1 after
 * a usage error naming the `what` ("cipher suite", "group"). */
static int ids_from_names(const char *list, int (*lookup)(const char *), int unknown,
                          const char *what, int *ids, struct hs_trace *t)
{
    char *items[HS_TLS_MAX_LIST];
    char *store = NULL;
    size_t n = split_list(list, &store, items, HS_TLS_MAX_LIST);
    int r = (int)n;
    if (n == SPLIT_TOO_MANY) {
        hs_live_usage_error(t, "too many %ss (at most %d)", what, HS_TLS_MAX_LIST - 1);
        r = -1;
    } else if (n == 0) {
        hs_live_usage_error(t, "empty %s list", what);
        r = -1;
    }
    for (size_t i = 0; r > 0 && i < n; i++) {
        ids[i] = lookup(items[i]);
        if (ids[i] <= unknown) {
            hs_live_usage_error(t, "unknown %s: %s", what, items[i]);
            r = -1;
        }
    }
    if (r > 0)
        ids[n] = 0;
    free(store);
    return r;
}

/* Applies --tls1.x, --ciphers, --groups, --alpn; 0, or -1 after a usage error. */
int hs_tls_apply_options(const struct hs_live_opts *o, struct hs_tls_setup *s, struct hs_trace *t)
{
    mbedtls_ssl_config *c = &s->conf;
    mbedtls_ssl_conf_sig_algs(c, sig_algs);
    if (o->only_tls12) {
        mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
        mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
    } else if (o->only_tls13) {
        mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
        mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_3);
    }
    if (o->ciphers) {
        if (ids_from_names(o->ciphers, hs_suite_by_name, -1, "cipher suite", s->suites, t) < 0)
            return -1;
        mbedtls_ssl_conf_ciphersuites(c, s->suites);
    }
    if (o->groups) {
        int ids[HS_TLS_MAX_LIST];
        int n = ids_from_names(o->groups, hs_group_by_name, 0, "group", ids, t);
        if (n < 0)
            return -1;
        for (int i = 0; i <= n; i++) /* the closing 0 too */
            s->groups[i] = (uint16_t)ids[i];
        mbedtls_ssl_conf_groups(c, s->groups);
    }
    if (o->alpn) {
        char *alpn_items[HS_TLS_MAX_LIST];
        size_t n = split_list(o->alpn, &s->alpn_store, alpn_items, HS_TLS_MAX_LIST);
        if (n == SPLIT_TOO_MANY) {
            hs_live_usage_error(t, "too many ALPN protocols (at most 63)");
            return -1;
        }
        for (size_t i = 0; i < n; i++) {
            if (strlen(alpn_items[i]) > 255) {
                hs_live_usage_error(t, "ALPN protocol name too long: %s", alpn_items[i]);
                return -1;
            }
            s->alpn[i] = alpn_items[i];
        }
        s->alpn[n] = NULL;
        if (n == 0) {
            hs_live_usage_error(t, "empty ALPN list");
            return -1;
        }
        if (mbedtls_ssl_conf_alpn_protocols(c, s->alpn) != 0) {
            hs_live_usage_error(t, "bad ALPN list: %s", o->alpn);
            return -1;
        }
    }
    return 0;
}

/* A ClientHello larger than mbedTLS can send would fail every handshake: a usage error. */
int hs_tls_check_hello_size(const struct hs_live_opts *o, const struct hs_target *tg,
                            const struct hs_tls_setup *s, struct hs_trace *t)
{
    size_t sni = o->no_sni ? 0 : strlen(o->sni ? o->sni : tg->host);
    size_t bound = hs_hello_bound(s->suites, s->groups, o->alpn ? s->alpn : NULL, sni);
    if (bound <= HS_HELLO_MAX)
        return 0;
    hs_live_usage_error(t, "--alpn, --ciphers, --groups and the server name make a ClientHello "
                        "of up to %zu bytes; it must fit in %d (see LIMITS in hstrace(1))", bound,
                        HS_HELLO_MAX);
    return -1;
}
