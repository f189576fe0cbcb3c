/* Certificate verification results in plain words: per-certificate checks and the summary. */
#ifndef HS_VERIFY_H
#define HS_VERIFY_H

#include "../core/field.h"

#include <mbedtls/x509_crt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HS_CAFILE_MAX (16u * 1024u * 1024u) /* bytes of a --cafile */

/* One certificate a reason names: its depth (0 = the leaf), subject and a date or names. */
struct hs_verify_cert {
    bool set;
    int depth;
    char subject[256];      /* escaped */
    char detail[512];       /* escaped: a date, the names it holds, its issuer */
};

struct hs_verify {
    const mbedtls_x509_crt *trusted; /* the CA list in use (for the bad-signature guess) */
    const char *name;       /* the name to check ourselves, or NULL when mbedTLS checks it */
    const char *host;       /* the name verified, whoever checks it (for the reason) */
    bool checked;           /* the chain was verified (the leaf's callback ran) */
    bool leaf_self_signed;
    bool issuer_known;      /* an untrusted certificate's issuer is a trusted CA by name */
    /* What the reason line names (see hs_verify_reason). */
    struct hs_verify_cert expired, future, mismatch, top;
    bool top_self_signed;   /* the last certificate of the chain built is self-signed */
    bool top_issuer_sent;   /* ... and its issuer is among the certificates sent */
    mbedtls_x509_buf top_issuer_raw; /* during the callbacks only: that issuer's name */
};

/* For mbedtls_ssl_conf_verify: records what each certificate's check found and, when
 * v->name is set, adds the name mismatch flag for the leaf. */
int hs_verify_cb(void *v, mbedtls_x509_crt *crt, int depth, uint32_t *flags);

/* Adds one plain reason per problem in flags to problems (an array). */
void hs_verify_problems(const struct hs_verify *v, uint32_t flags, struct hs_field *problems);

/* The alert a browser-like client sends for these flags (RFC 8446 alert numbers). */
int hs_verify_alert(const struct hs_verify *v, uint32_t flags);

/* The first reason, for the failure line, naming its cause: "certificate 0 (CN=x) expired
 * on 2024-01-01 00:00:00 UTC", "the name x does not match the certificate (DNS:y)",
 * "unknown CA: the chain ends at CN=x, whose issuer CN=y was not sent and is not trusted
 * (...)"; the plain words ("expired") when the callback did not see the certificate. */
void hs_verify_reason(const struct hs_verify *v, uint32_t flags, char *out, size_t n);

/* Adds the certificates of a CA file (PEM or DER) to ca: a regular file only (a FIFO or a
 * device is refused rather than waited on), HS_CAFILE_MAX bytes at most.  0, or -1 with the
 * reason in why. */
int hs_verify_load_cafile(mbedtls_x509_crt *ca, const char *path, char *why, size_t whysz);

/* True when crt's SANs (or CN without SANs) match name: DNS with one left-most wildcard
 * label, or an IP literal against IP SANs. */
bool hs_verify_name_matches(const mbedtls_x509_crt *crt, const char *name);

#endif
