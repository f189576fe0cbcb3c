/*
 * The mbedTLS client configuration a live trace asks for: trust anchors, versions, cipher
 * suites, groups, ALPN and signature algorithms from struct hs_live_opts, and the check that
 * the ClientHello they make fits mbedTLS's buffer.  Errors in what was asked for are usage
 * errors, said on stderr with the trace's exit code set.
 */
#ifndef HS_LIVE_TLSCONFIG_H
#define HS_LIVE_TLSCONFIG_H

#include "live.h"
#include "target.h"

#include "../core/trace.h"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <stdint.h>

#define HS_TLS_MAX_LIST 64 /* --ciphers / --groups / --alpn entries */

/* The mbedTLS objects of one client connection and the lists they point into. */
struct hs_tls_setup {
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    mbedtls_x509_crt ca;
    mbedtls_x509_crt own_cert; /* --cert, --key */
    mbedtls_pk_context own_key;
    int suites[HS_TLS_MAX_LIST];
    uint16_t groups[HS_TLS_MAX_LIST];
    char *alpn_store;
    const char *alpn[HS_TLS_MAX_LIST];
};

void hs_tls_setup_init(struct hs_tls_setup *s);
void hs_tls_setup_free(struct hs_tls_setup *s);

/* Loads the trusted CAs (--cafile, --capath, else the system bundle) into ca; 0, or -1 after
 * a usage error. */
int hs_tls_load_cas(const struct hs_live_opts *o, mbedtls_x509_crt *ca, struct hs_trace *t);
/* The same without a trace: 0, or -1 with the reason in why (nothing said). */
int hs_tls_load_cas_quiet(const struct hs_live_opts *o, mbedtls_x509_crt *ca, char *why,
                          size_t whysz);

/* Versions, suites, groups, ALPN and signature algorithms into s->conf; 0, or -1 after a
 * usage error. */
int hs_tls_apply_options(const struct hs_live_opts *o, struct hs_tls_setup *s,
                         struct hs_trace *t);

/* A ClientHello larger than mbedTLS can send would fail every handshake: 0, or -1 after a
 * usage error. */
int hs_tls_check_hello_size(const struct hs_live_opts *o, const struct hs_target *tg,
                            const struct hs_tls_setup *s, struct hs_trace *t);

/* The request cannot be met: says the message on stderr and keeps it as the trace's error
 * (stage usage, exit status 2), so --json prints it too. */
void hs_live_usage_error(struct hs_trace *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
