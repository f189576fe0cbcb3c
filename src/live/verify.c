/* Certificate verification results in plain words. */
#include "verify.h"
#include "cacerts.h"

#include "../core/escape.h"
#include "../core/infile.h"
#include "../tls/x509.h"

#include <arpa/inet.h>
#include <mbedtls/error.h>
#include <mbedtls/ssl.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Names listed in a name-mismatch reason; the rest are counted. */
#define REASON_MAX_NAMES 8

static bool same_buf(const mbedtls_x509_buf *a, const mbedtls_x509_buf *b)
{
    return a->len == b->len && a->len > 0 && memcmp(a->p, b->p, a->len) == 0;
}

/* One DNS name pattern from a certificate against the host (case-insensitive; "*.x.y"
 * matches exactly one label). */
static bool dns_match(const unsigned char *pat, size_t plen, const char *host)
{
    size_t hlen = strlen(host);
    if (hlen > 0 && host[hlen - 1] == '.')
        hlen--;
    if (plen >= 2 && pat[0] == '*' && pat[1] == '.') {
        const char *dot = memchr(host, '.', hlen);
        if (dot == NULL || dot == host)
            return false;
        size_t rest = hlen - (size_t)(dot - host);
        return rest == plen - 1 && strncasecmp((const char *)pat + 1, dot, rest) == 0;
    }
    return plen == hlen && strncasecmp((const char *)pat, host, hlen) == 0;
}

bool hs_verify_name_matches(const mbedtls_x509_crt *crt, const char *name)
{
    unsigned char ip[16];
    size_t iplen = 0;
    if (inet_pton(AF_INET, name, ip) == 1)
        iplen = 4;
    else if (inet_pton(AF_INET6, name, ip) == 1)
        iplen = 16;

    bool any_san = false;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
        uint8_t tag = s->buf.tag & MBEDTLS_ASN1_TAG_VALUE_MASK;
        any_san = true;
        if (tag == MBEDTLS_X509_SAN_DNS_NAME && iplen == 0 &&
            dns_match(s->buf.p, s->buf.len, name))
            return true;
        if (tag == MBEDTLS_X509_SAN_IP_ADDRESS && iplen && s->buf.len == iplen &&
            memcmp(s->buf.p, ip, iplen) == 0)
            return true;
    }
    if (any_san || iplen)
        return false;
    /* No SANs: the subject's common name, as older certificates do. */
    for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next)
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) == 0 &&
            dns_match(n->val.p, n->val.len, name))
            return true;
    return false;
}

/* Copies src into dst[0..n), cut at a UTF-8 boundary with "…" when it does not fit. */
static void copy_cut(char *dst, size_t n, const char *src)
{
    size_t len = strlen(src);
    if (len < n) {
        memcpy(dst, src, len + 1);
        return;
    }
    size_t keep = n - sizeof "…";
    while (keep > 0 && ((unsigned char)src[keep] & 0xc0) == 0x80)
        keep--;
    memcpy(dst, src, keep);
    memcpy(dst + keep, "…", sizeof "…");
}

static void copy_dn(char *dst, size_t n, const mbedtls_x509_buf *raw)
{
    char *s = hs_x509_dn_string(raw->p, raw->len);
    copy_cut(dst, n, s ? s : "(unparseable name)");
    free(s);
}

static void note_cert(struct hs_verify_cert *c, const mbedtls_x509_crt *crt, int depth)
{
    c->set = true;
    c->depth = depth;
    copy_dn(c->subject, sizeof c->subject, &crt->subject_raw);
}

static void note_time(struct hs_verify_cert *c, const mbedtls_x509_crt *crt, int depth,
                      const mbedtls_x509_time *t)
{
    note_cert(c, crt, depth);
    snprintf(c->detail, sizeof c->detail, "%04d-%02d-%02d %02d:%02d:%02d UTC", t->year, t->mon,
             t->day, t->hour, t->min, t->sec);
}

/* The names the leaf holds, as the summary shows them: its SANs, else its subject's CNs. */
static void note_names(struct hs_verify_cert *c, const mbedtls_x509_crt *crt)
{
    note_cert(c, crt, 0);
    char list[sizeof c->detail] = "";
    size_t k = 0, count = 0;
    struct hs_field *sum = hs_x509_summary(crt->raw.p, crt->raw.len);
    const struct hs_field *san = hs_f_get(sum, "san");
    for (const struct hs_field *e = san ? san->child : NULL; e; e = e->next)
        if (e->kind == HS_F_STRING && count++ < REASON_MAX_NAMES && k < sizeof list)
            k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", k ? ", " : "", e->str);
    for (const mbedtls_x509_name *nm = &crt->subject; count == 0 && nm; nm = nm->next) {
        if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &nm->oid) != 0 || nm->val.p == NULL)
            continue;
        char *cn = hs_escape(nm->val.p, nm->val.len);
        if (k < sizeof list)
            k += (size_t)snprintf(list + k, sizeof list - k, "%sCN=%s", k ? ", " : "", cn);
        free(cn);
    }
    hs_field_free(sum);
    if (count > REASON_MAX_NAMES && k < sizeof list)
        snprintf(list + k, sizeof list - k, ", … %zu more", count - REASON_MAX_NAMES);
    copy_cut(c->detail, sizeof c->detail, list[0] ? list : "no DNS name or IP address");
}

/* The last certificate of the chain mbedTLS could build (it calls back from the top down):
 * whether its issuer was among the certificates sent (crt lists them all, from the leaf). */
static bool issuer_sent(const mbedtls_x509_crt *leaf, const mbedtls_x509_buf *issuer)
{
    for (const mbedtls_x509_crt *c = leaf; c && c->raw.p; c = c->next)
        if (same_buf(&c->subject_raw, issuer))
            return true;
    return false;
}

int hs_verify_cb(void *ctx, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct hs_verify *v = ctx;
    if ((*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED) && v->trusted) {
        for (const mbedtls_x509_crt *ca = v->trusted; ca && ca->raw.p; ca = ca->next)
            if (same_buf(&ca->subject_raw, &crt->issuer_raw) &&
                !same_buf(&crt->subject_raw, &crt->issuer_raw))
                v->issuer_known = true;
    }
    if (!v->top.set || depth > v->top.depth) {
        note_cert(&v->top, crt, depth);
        copy_dn(v->top.detail, sizeof v->top.detail, &crt->issuer_raw);
        v->top_self_signed = same_buf(&crt->subject_raw, &crt->issuer_raw);
        v->top_issuer_raw = crt->issuer_raw;
    }
    if (*flags & MBEDTLS_X509_BADCERT_EXPIRED)
        note_time(&v->expired, crt, depth, &crt->valid_to);
    if (*flags & MBEDTLS_X509_BADCERT_FUTURE)
        note_time(&v->future, crt, depth, &crt->valid_from);
    if (depth == 0) {
        v->leaf_self_signed = same_buf(&crt->subject_raw, &crt->issuer_raw);
        if (v->name && !hs_verify_name_matches(crt, v->name))
            *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        if (*flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
            note_names(&v->mismatch, crt);
        v->top_issuer_sent = issuer_sent(crt, &v->top_issuer_raw);
        memset(&v->top_issuer_raw, 0, sizeof v->top_issuer_raw); /* not kept past the check */
        v->checked = true;
    }
    return 0;
}

struct reason {
    uint32_t flag;
    const char *text;
    int alert;
};

/* In the order a user should read them. */
static const struct reason reasons[] = {
    {MBEDTLS_X509_BADCERT_EXPIRED, "expired", MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED},
    {MBEDTLS_X509_BADCERT_FUTURE, "not yet valid", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_NOT_TRUSTED, "unknown CA", MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA},
    {MBEDTLS_X509_BADCERT_CN_MISMATCH, "name mismatch", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_REVOKED, "revoked", MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED},
    {MBEDTLS_X509_BADCERT_MISSING, "no certificate", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_SKIP_VERIFY, "not checked", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_KEY_USAGE, "key usage does not allow TLS",
     MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT},
    {MBEDTLS_X509_BADCERT_EXT_KEY_USAGE, "extended key usage does not allow TLS servers",
     MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT},
    {MBEDTLS_X509_BADCERT_NS_CERT_TYPE, "certificate type does not allow TLS servers",
     MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT},
    {MBEDTLS_X509_BADCERT_BAD_MD, "weak signature hash", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_BAD_PK, "unaccepted public key algorithm",
     MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_BAD_KEY, "weak key", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCRL_NOT_TRUSTED, "CRL not trusted", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCRL_EXPIRED, "CRL expired", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCRL_FUTURE, "CRL not yet valid", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCRL_BAD_MD, "CRL signed with a weak hash", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCRL_BAD_PK, "CRL signed with an unaccepted key",
     MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCRL_BAD_KEY, "CRL signed with a weak key", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
    {MBEDTLS_X509_BADCERT_OTHER, "other verification error", MBEDTLS_SSL_ALERT_MSG_BAD_CERT},
};

/* The words for NOT_TRUSTED depend on why the chain does not reach a trusted CA. */
static const char *untrusted_text(const struct hs_verify *v)
{
    if (v->leaf_self_signed)
        return "self-signed";
    if (v->issuer_known)
        return "bad signature";
    return "unknown CA";
}

static const char *reason_text(const struct hs_verify *v, const struct reason *r)
{
    return r->flag == MBEDTLS_X509_BADCERT_NOT_TRUSTED ? untrusted_text(v) : r->text;
}

void hs_verify_problems(const struct hs_verify *v, uint32_t flags, struct hs_field *problems)
{
    uint32_t known = 0;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        known |= reasons[i].flag;
        if (flags & reasons[i].flag)
            hs_f_str(problems, NULL, reason_text(v, &reasons[i]));
    }
    if (flags & ~known)
        hs_f_fmt(problems, NULL, "verification flags 0x%08x", (unsigned)(flags & ~known));
}

int hs_verify_alert(const struct hs_verify *v, uint32_t flags)
{
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (flags & reasons[i].flag) {
            if (reasons[i].flag == MBEDTLS_X509_BADCERT_NOT_TRUSTED && v->issuer_known &&
                !v->leaf_self_signed)
                return MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
            return reasons[i].alert;
        }
    return MBEDTLS_SSL_ALERT_MSG_BAD_CERT;
}

/* Why the chain reaches no trust anchor, naming where it ends. */
static void untrusted_reason(const struct hs_verify *v, char *out, size_t n)
{
    const struct hs_verify_cert *top = &v->top;
    if (v->leaf_self_signed && top->depth == 0)
        snprintf(out, n, "self-signed: certificate 0 (%s) is signed by itself and is not trusted",
                 top->subject);
    else if (v->issuer_known)
        snprintf(out, n, "bad signature: the chain ends at %s, whose issuer %s is trusted but "
                 "did not sign it", top->subject, top->detail);
    else if (v->top_self_signed)
        snprintf(out, n, "unknown CA: the chain ends at %s, a self-signed certificate that is "
                 "not trusted", top->subject);
    else if (v->top_issuer_sent)
        snprintf(out, n, "unknown CA: the chain ends at %s, whose issuer %s was sent but does "
                 "not verify it and is not trusted", top->subject, top->detail);
    else
        snprintf(out, n, "unknown CA: the chain ends at %s, whose issuer %s was not sent and "
                 "is not trusted (the server may be missing an intermediate certificate)",
                 top->subject, top->detail);
}

void hs_verify_reason(const struct hs_verify *v, uint32_t flags, char *out, size_t n)
{
    const struct reason *r = NULL;
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0] && r == NULL; i++)
        if (flags & reasons[i].flag)
            r = &reasons[i];
    if (r == NULL) {
        snprintf(out, n, "verification failed");
        return;
    }
    const struct hs_verify_cert *c = NULL;
    const char *when = NULL;
    if (r->flag == MBEDTLS_X509_BADCERT_EXPIRED) {
        c = &v->expired;
        when = "expired on";
    } else if (r->flag == MBEDTLS_X509_BADCERT_FUTURE) {
        c = &v->future;
        when = "is not valid before";
    }
    if (c && c->set) {
        snprintf(out, n, "certificate %d (%s) %s %s", c->depth, c->subject, when, c->detail);
    } else if (r->flag == MBEDTLS_X509_BADCERT_CN_MISMATCH && v->mismatch.set && v->host) {
        char *host = hs_escape_str(v->host);
        snprintf(out, n, "the name %s does not match the certificate (%s)", host,
                 v->mismatch.detail);
        free(host);
    } else if (r->flag == MBEDTLS_X509_BADCERT_NOT_TRUSTED && v->top.set) {
        untrusted_reason(v, out, n);
    } else {
        snprintf(out, n, "%s", reason_text(v, r));
    }
}

int hs_verify_load_cafile(mbedtls_x509_crt *ca, const char *path, char *why, size_t whysz)
{
    size_t n;
    char err[400];
    char *text = hs_infile_read(path, HS_CAFILE_MAX, &n, err, sizeof err);
    if (text == NULL) {
        snprintf(why, whysz, "CA file not read: %s", err);
        return -1;
    }
    /* As mbedTLS reads a file: PEM is parsed with its NUL, DER without. */
    if (strstr(text, "-----BEGIN ") != NULL)
        n++;
    int r = hs_ca_parse(ca, (const unsigned char *)text, n);
    free(text);
    if (r < 0) {
        char msg[160];
        mbedtls_strerror(r, msg, sizeof msg);
        snprintf(why, whysz, "cannot read CA file %s: %s", path, msg);
        return -1;
    }
    return 0;
}
