/*
 * The certificate extensions engineers check, from our own DER walk: basic constraints, key
 * usage, extended key usage, authority information access, CRL distribution points and the
 * embedded Signed Certificate Timestamps (RFC 6962).  Each key is null when the extension is
 * absent and a "malformed: ..." string when its value does not parse; every length is
 * checked against what holds it.
 */
#include "der.h"
#include "x509.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Past these, entries are counted, not listed. */
#define EXT_MAX_ITEMS 64 /* names, usages, access descriptions, points per extension */
#define EXT_MAX_SCTS 64

#define OID_BASIC_CONSTRAINTS "551d13"
#define OID_KEY_USAGE "551d0f"
#define OID_EXT_KEY_USAGE "551d25"
#define OID_AIA "2b06010505070101"
#define OID_CRL_DP "551d1f"
#define OID_SCT_LIST "2b06010401d679020402"

struct ext_val {
    bool found, critical;
    struct tlv os; /* the extnValue OCTET STRING */
};

/* The first extension with this OID. */
static struct ext_val find_ext(const uint8_t *exts, size_t n, const char *oid_hex)
{
    struct ext_val r = {0};
    struct der d = der_in(exts, n), seq;
    struct tlv all, ext;
    if (exts == NULL || !der_next(&d, &all) || all.tag != 0x30)
        return r;
    seq = der_inside(&all);
    while (seq.off < seq.end && der_next(&seq, &ext)) {
        struct der x = der_inside(&ext);
        struct tlv oid, val;
        if (ext.tag != 0x30 || !der_next(&x, &oid) || oid.tag != 0x06 ||
            !hs_oid_is(oid.v, oid.len, oid_hex) || !der_next(&x, &val))
            continue;
        r.found = true;
        if (val.tag == 0x01) {
            r.critical = val.len == 1 && val.v[0] != 0;
            if (!der_next(&x, &val))
                val.tag = 0;
        }
        r.os = val;
        return r;
    }
    return r;
}

static void malformed(struct hs_field *o, const char *key, const char *what)
{
    hs_f_fmt(o, key, "malformed: %s", what);
}

/* The SEQUENCE inside an extension's OCTET STRING, or false. */
static bool inner_seq(const struct ext_val *e, struct der *out)
{
    struct der os = der_inside(&e->os);
    struct tlv seq;
    if (e->os.tag != 0x04 || !der_next(&os, &seq) || seq.tag != 0x30 || os.off != os.end)
        return false;
    *out = der_inside(&seq);
    return true;
}

static void basic_constraints(struct hs_field *o, const struct ext_val *e)
{
    const char *key = "basic_constraints";
    struct der in;
    struct tlv it[2];
    size_t k = 0, i = 0;
    bool ok = inner_seq(e, &in);
    while (ok && in.off < in.end)
        ok = k < 2 && der_next(&in, &it[k++]);
    bool ca = false, have_len = false;
    long long path_len = 0;
    if (ok && i < k && it[i].tag == 0x01) { /* cA BOOLEAN DEFAULT FALSE */
        ok = it[i].len == 1;
        ca = ok && it[i].v[0] != 0;
        i++;
    }
    if (ok && i < k && it[i].tag == 0x02) { /* pathLenConstraint INTEGER (0..MAX) */
        ok = it[i].len >= 1 && it[i].len <= 4 && !(it[i].v[0] & 0x80);
        for (size_t b = 0; ok && b < it[i].len; b++)
            path_len = path_len << 8 | it[i].v[b];
        have_len = true;
        i++;
    }
    if (!ok || i != k) {
        malformed(o, key, "not a SEQUENCE of cA and pathLenConstraint");
        return;
    }
    struct hs_field *b = hs_f_obj(o, key);
    hs_f_bool(b, "critical", e->critical);
    hs_f_bool(b, "ca", ca);
    if (have_len)
        hs_f_int(b, "path_len", path_len);
    else
        hs_f_null(b, "path_len");
}

static void key_usage(struct hs_field *o, const struct ext_val *e)
{
    static const char *const bits[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                       "dataEncipherment", "keyAgreement",   "keyCertSign",
                                       "cRLSign",          "encipherOnly",   "decipherOnly"};
    struct der os = der_inside(&e->os);
    struct tlv bs;
    if (e->os.tag != 0x04 || !der_next(&os, &bs) || bs.tag != 0x03 || bs.len < 1 ||
        os.off != os.end || bs.v[0] > 7) {
        malformed(o, "key_usage", "not a BIT STRING");
        return;
    }
    struct hs_field *arr = hs_f_arr(o, "key_usage");
    size_t nbits = (bs.len - 1) * 8 - bs.v[0];
    for (size_t i = 0; i < nbits; i++) {
        if (!(bs.v[1 + i / 8] & (0x80 >> (i % 8))))
            continue;
        if (i < sizeof bits / sizeof bits[0])
            hs_f_str(arr, NULL, bits[i]);
        else
            hs_f_fmt(arr, NULL, "bit %zu", i);
        if (hs_f_count(arr) >= EXT_MAX_ITEMS)
            break;
    }
}

static void ext_key_usage(struct hs_field *o, const struct ext_val *e)
{
    static const struct {
        const char *hex, *name;
    } names[] = {
        {"2b06010505070301", "serverAuth"},  {"2b06010505070302", "clientAuth"},
        {"2b06010505070303", "codeSigning"}, {"2b06010505070304", "emailProtection"},
        {"2b06010505070308", "timeStamping"}, {"2b06010505070309", "OCSPSigning"},
        {"551d2500", "anyExtendedKeyUsage"},
    };
    struct der in;
    struct tlv oid;
    if (!inner_seq(e, &in)) {
        malformed(o, "ext_key_usage", "not a SEQUENCE");
        return;
    }
    struct hs_field *arr = hs_field_new_array();
    size_t count = 0;
    while (in.off < in.end) {
        if (!der_next(&in, &oid) || oid.tag != 0x06) {
            hs_field_free(arr);
            malformed(o, "ext_key_usage", "not a list of OIDs");
            return;
        }
        if (count++ >= EXT_MAX_ITEMS)
            continue;
        const char *name = NULL;
        for (size_t i = 0; i < sizeof names / sizeof names[0] && name == NULL; i++)
            if (hs_oid_is(oid.v, oid.len, names[i].hex))
                name = names[i].name;
        char tmp[96];
        if (name == NULL)
            hs_oid_dotted(oid.v, oid.len, tmp, sizeof tmp);
        hs_f_str(arr, NULL, name ? name : tmp);
    }
    hs_f_attach(o, "ext_key_usage", arr);
}

/* AuthorityInfoAccessSyntax: SEQUENCE OF { accessMethod OID, accessLocation GeneralName }. */
static void authority_info_access(struct hs_field *o, const struct ext_val *e)
{
    struct der in;
    struct tlv ad, method, loc;
    if (!inner_seq(e, &in)) {
        malformed(o, "authority_info_access", "not a SEQUENCE");
        return;
    }
    struct hs_field *arr = hs_field_new_array();
    size_t count = 0;
    while (in.off < in.end) {
        struct der a;
        bool ok = der_next(&in, &ad) && ad.tag == 0x30;
        if (ok) {
            a = der_inside(&ad);
            ok = der_next(&a, &method) && method.tag == 0x06 && der_next(&a, &loc) &&
                 a.off == a.end;
        }
        if (!ok) {
            hs_field_free(arr);
            malformed(o, "authority_info_access", "not a list of access descriptions");
            return;
        }
        if (count++ >= EXT_MAX_ITEMS)
            continue;
        char tmp[96 + 2];
        const char *m = hs_oid_is(method.v, method.len, "2b06010505073001") ? "OCSP "
                        : hs_oid_is(method.v, method.len, "2b06010505073002") ? "caIssuers "
                                                                               : NULL;
        if (m == NULL) {
            hs_oid_dotted(method.v, method.len, tmp, sizeof tmp - 2);
            size_t k = strlen(tmp);
            snprintf(tmp + k, sizeof tmp - k, " ");
            m = tmp;
        }
        hs_x509_general_name(arr, m, loc.tag, loc.v, loc.len);
    }
    hs_f_attach(o, "authority_info_access", arr);
}

/* CRLDistributionPoints: SEQUENCE OF DistributionPoint; the fullName URIs are what is read. */
static void crl_distribution_points(struct hs_field *o, const struct ext_val *e)
{
    struct der in;
    struct tlv dp, t;
    if (!inner_seq(e, &in)) {
        malformed(o, "crl_distribution_points", "not a SEQUENCE");
        return;
    }
    struct hs_field *arr = hs_field_new_array();
    size_t count = 0;
    bool ok = true;
    while (ok && in.off < in.end) {
        ok = der_next(&in, &dp) && dp.tag == 0x30;
        struct der d = ok ? der_inside(&dp) : der_in(NULL, 0);
        while (ok && d.off < d.end) {
            ok = der_next(&d, &t);
            if (!ok || t.tag != 0xa0) /* reasons [1], cRLIssuer [2]: not listed */
                continue;
            struct der name = der_inside(&t);
            struct tlv full, gn;
            ok = der_next(&name, &full) && name.off == name.end;
            if (ok && full.tag != 0xa0) {
                if (count++ < EXT_MAX_ITEMS)
                    hs_f_str(arr, NULL, "(a name relative to the CRL issuer)");
                continue;
            }
            struct der g = der_inside(&full);
            while (ok && g.off < g.end) {
                ok = der_next(&g, &gn);
                if (ok && count++ < EXT_MAX_ITEMS)
                    hs_x509_general_name(arr, "", gn.tag, gn.v, gn.len);
            }
        }
    }
    if (!ok) {
        hs_field_free(arr);
        malformed(o, "crl_distribution_points", "not a list of distribution points");
        return;
    }
    hs_f_attach(o, "crl_distribution_points", arr);
}

/* ---- RFC 6962 SignedCertificateTimestampList (TLS encoding inside an OCTET STRING) ---- */

struct tls_in {
    const uint8_t *p;
    size_t off, end;
};

static bool tls_uint(struct tls_in *c, size_t nbytes, uint64_t *v)
{
    if (c->end - c->off < nbytes)
        return false;
    *v = 0;
    for (size_t i = 0; i < nbytes; i++)
        *v = *v << 8 | c->p[c->off++];
    return true;
}

/* A vector with a 2-byte length: its contents as a reader of their own. */
static bool tls_vec16(struct tls_in *c, struct tls_in *out)
{
    uint64_t len;
    if (!tls_uint(c, 2, &len) || len > c->end - c->off)
        return false;
    *out = (struct tls_in){c->p, c->off, c->off + (size_t)len};
    c->off += (size_t)len;
    return true;
}

/* Milliseconds since 1970 as ISO 8601 UTC with milliseconds; false past year 9999. */
static bool sct_time(uint64_t ms, char *out, size_t n)
{
    if (ms / 1000 > 253402300799ULL)
        return false;
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL)
        return false;
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(ms % 1000));
    return true;
}

/* One SerializedSCT; NULL when it does not parse. */
static const char *one_sct(struct tls_in *s, struct hs_field *arr, bool list)
{
    uint64_t version, ts, hash, sig;
    struct tls_in exts, signature;
    if (!tls_uint(s, 1, &version))
        return "truncated SCT";
    struct hs_field *o = list ? hs_f_obj(arr, NULL) : NULL;
    if (version != 0) { /* only v1 is defined: the rest is not read */
        if (o)
            hs_f_fmt(o, "version", "unknown (%u)", (unsigned)version);
        return NULL;
    }
    if (s->end - s->off < 32)
        return "truncated log id";
    const uint8_t *log_id = s->p + s->off;
    s->off += 32;
    char when[64];
    if (!tls_uint(s, 8, &ts))
        return "truncated timestamp";
    if (!tls_vec16(s, &exts))
        return "truncated SCT extensions";
    if (!tls_uint(s, 1, &hash) || !tls_uint(s, 1, &sig) || !tls_vec16(s, &signature))
        return "truncated signature";
    if (s->off != s->end)
        return "bytes after the signature";
    if (o) {
        hs_f_str(o, "version", "v1");
        hs_f_hex(o, "log_id", log_id, 32);
        if (sct_time(ts, when, sizeof when))
            hs_f_str(o, "time", when);
        else
            hs_f_fmt(o, "time", "invalid (%llu ms)", (unsigned long long)ts);
    }
    return NULL;
}

/* Parses the list into a new array; NULL and *why when it is malformed. */
static struct hs_field *sct_list(const uint8_t *p, size_t n, const char **why)
{
    struct tls_in c = {p, 0, n}, list, one;
    if (!tls_vec16(&c, &list) || c.off != c.end) {
        *why = "list length does not match";
        return NULL;
    }
    struct hs_field *arr = hs_field_new_array();
    size_t count = 0;
    while (list.off < list.end) {
        if (!tls_vec16(&list, &one)) {
            *why = "truncated SCT length";
            hs_field_free(arr);
            return NULL;
        }
        bool listed = count++ < EXT_MAX_SCTS;
        *why = one_sct(&one, arr, listed);
        if (*why) {
            hs_field_free(arr);
            return NULL;
        }
    }
    return arr;
}

static void scts(struct hs_field *o, const struct ext_val *e)
{
    struct der os = der_inside(&e->os);
    struct tlv inner;
    if (e->os.tag != 0x04 || !der_next(&os, &inner) || inner.tag != 0x04 || os.off != os.end) {
        malformed(o, "scts", "not an OCTET STRING");
        return;
    }
    const char *why = NULL;
    struct hs_field *arr = sct_list(inner.v, inner.len, &why);
    if (arr)
        hs_f_attach(o, "scts", arr);
    else
        malformed(o, "scts", why);
}

void hs_x509_extensions(struct hs_field *o, const uint8_t *exts, size_t n)
{
    static const struct {
        const char *key, *oid;
        void (*decode)(struct hs_field *, const struct ext_val *);
    } tab[] = {
        {"basic_constraints", OID_BASIC_CONSTRAINTS, basic_constraints},
        {"key_usage", OID_KEY_USAGE, key_usage},
        {"ext_key_usage", OID_EXT_KEY_USAGE, ext_key_usage},
        {"authority_info_access", OID_AIA, authority_info_access},
        {"crl_distribution_points", OID_CRL_DP, crl_distribution_points},
        {"scts", OID_SCT_LIST, scts},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        struct ext_val e = find_ext(exts, n, tab[i].oid);
        if (!e.found)
            hs_f_null(o, tab[i].key);
        else
            tab[i].decode(o, &e);
    }
}
