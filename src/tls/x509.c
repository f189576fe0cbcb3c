/*
 * Certificate summaries.  mbedTLS parses the DER; the pieces a user reads (names, key, SANs)
 * are rendered here from the raw DER it located, so odd bytes in a name are escaped rather
 * than altered.  When mbedTLS refuses a certificate (e.g. an Ed25519 key it does not know),
 * a small DER walk of our own locates the same pieces so the row is still informative.
 */
#include "x509.h"
#include "der.h"

#include "../core/escape.h"
#include "../core/mem.h"

#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Past these, the rest is counted (still bounded by the DER) and the cut is said. */
#define DER_MAX_NAME_PARTS 64 /* attributes printed per Name */
#define DER_MAX_SANS 1000     /* GeneralNames listed per certificate */

/* ---- a growable byte buffer for building strings before escaping ---- */

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void buf_put(struct buf *b, const void *s, size_t n)
{
    if (n > b->cap - b->len || b->p == NULL) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap - b->len < n + 1)
            cap *= 2;
        b->p = hs_xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_str(struct buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_utf8(struct buf *b, uint32_t cp)
{
    uint8_t o[4];
    size_t n = hs_utf8_encode(cp, o);
    buf_put(b, o, n);
}

/* ---- OIDs ---- */

struct oid_name {
    const char *der_hex;
    const char *name;
};

bool hs_oid_is(const uint8_t *v, size_t len, const char *hex)
{
    size_t n = strlen(hex) / 2;
    if (len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned x;
        /* NOLINTNEXTLINE(cert-err34-c): our own OID constants, and the count is checked */
        if (sscanf(hex + 2 * i, "%2x", &x) != 1 || v[i] != x)
            return false;
    }
    return true;
}

static bool oid_is(const struct tlv *t, const char *hex) { return hs_oid_is(t->v, t->len, hex); }

static const char *oid_lookup(const struct oid_name *tab, size_t n, const struct tlv *t)
{
    for (size_t i = 0; i < n; i++)
        if (oid_is(t, tab[i].der_hex))
            return tab[i].name;
    return NULL;
}

/* Dotted form of an OID's value bytes, into out (at least 32 bytes).  An OID too long for
 * out, an arc over 64 bits or an unfinished last arc ends with "…", so a cut never passes
 * for the whole OID. */
void hs_oid_dotted(const uint8_t *p, size_t n, char *out, size_t outsz)
{
    /* Kept free before each arc: the longest one ("2." and 20 digits) and the mark. */
    enum { ARC_MAX = 24, MARK = sizeof "…" };
    size_t len = 0;
    uint64_t v = 0;
    bool first = true, cut = false, pending = false;
    out[0] = '\0';
    if (outsz < ARC_MAX + MARK)
        return;
    for (size_t i = 0; i < n; i++) {
        if (len + ARC_MAX + MARK > outsz || v > (UINT64_MAX >> 7)) {
            cut = true;
            break;
        }
        v = (v << 7) | (p[i] & 0x7f);
        pending = (p[i] & 0x80) != 0;
        if (pending)
            continue;
        if (first) {
            unsigned a = v < 40 ? 0 : v < 80 ? 1 : 2;
            len += (size_t)snprintf(out + len, outsz - len, "%u.%llu", a,
                                    (unsigned long long)(v - 40u * a));
            first = false;
        } else {
            len += (size_t)snprintf(out + len, outsz - len, ".%llu", (unsigned long long)v);
        }
        v = 0;
    }
    if (cut || pending)
        snprintf(out + len, outsz - len, "…");
}

static const struct oid_name attr_names[] = {
    {"550403", "CN"}, {"550406", "C"}, {"550407", "L"}, {"550408", "ST"}, {"55040a", "O"},
    {"55040b", "OU"}, {"550405", "serialNumber"}, {"550404", "SN"}, {"55042a", "GN"},
    {"550409", "street"}, {"550411", "postalCode"}, {"55040c", "title"},
    {"55042e", "dnQualifier"}, {"550441", "pseudonym"}, {"550461", "organizationIdentifier"},
    {"55040f", "businessCategory"}, {"2a864886f70d010901", "emailAddress"},
    {"0992268993f22c640119", "DC"}, {"0992268993f22c640101", "UID"},
    {"2b0601040182373c020103", "jurisdictionC"}, {"2b0601040182373c020102", "jurisdictionST"},
    {"2b0601040182373c020101", "jurisdictionL"},
};

static const struct oid_name sig_names[] = {
    {"2a864886f70d010105", "sha1WithRSAEncryption"},
    {"2a864886f70d01010b", "sha256WithRSAEncryption"},
    {"2a864886f70d01010c", "sha384WithRSAEncryption"},
    {"2a864886f70d01010d", "sha512WithRSAEncryption"},
    {"2a864886f70d01010e", "sha224WithRSAEncryption"},
    {"2a864886f70d010104", "md5WithRSAEncryption"},
    {"2a864886f70d010102", "md2WithRSAEncryption"},
    {"2a864886f70d01010a", "rsassaPss"},
    {"2a8648ce3d0401", "ecdsa-with-SHA1"},
    {"2a8648ce3d040301", "ecdsa-with-SHA224"},
    {"2a8648ce3d040302", "ecdsa-with-SHA256"},
    {"2a8648ce3d040303", "ecdsa-with-SHA384"},
    {"2a8648ce3d040304", "ecdsa-with-SHA512"},
    {"2b6570", "ED25519"},
    {"2b6571", "ED448"},
    {"2a8648ce380403", "dsa-with-SHA1"},
    {"608648016503040302", "dsa_with_SHA256"},
    {"608648016503040311", "ML-DSA-44"},
    {"608648016503040312", "ML-DSA-65"},
    {"608648016503040313", "ML-DSA-87"},
    {"2a811ccf55018375", "SM2-with-SM3"},
};

static const struct oid_name curve_names[] = {
    {"2a8648ce3d030107", "P-256"},     {"2b81040022", "P-384"},      {"2b81040023", "P-521"},
    {"2b8104000a", "secp256k1"},       {"2a8648ce3d030101", "P-192"}, {"2b81040021", "P-224"},
    {"2b2403030208010107", "brainpoolP256r1"}, {"2b240303020801010b", "brainpoolP384r1"},
    {"2b240303020801010d", "brainpoolP512r1"}, {"2a811ccf5501822d", "SM2"},
};

static const char *name_or_dotted(const struct oid_name *tab, size_t n, const struct tlv *t,
                                  char *tmp, size_t tmpsz)
{
    const char *s = oid_lookup(tab, n, t);
    if (s)
        return s;
    hs_oid_dotted(t->v, t->len, tmp, tmpsz);
    return tmp;
}

/* ---- Names ---- */

/* One attribute value, converted to UTF-8 where the string type says how (BMP, Universal);
 * other types are passed through as bytes and escaped later. */
static void put_value(struct buf *b, const struct tlv *v)
{
    if (v->tag == 0x1e) { /* BMPString: UCS-2 big-endian */
        for (size_t i = 0; i + 1 < v->len; i += 2)
            buf_utf8(b, (uint32_t)v->v[i] << 8 | v->v[i + 1]);
        if (v->len % 2) /* a stray last byte: shown, not dropped */
            buf_str(b, "?");
        return;
    }
    if (v->tag == 0x1c) { /* UniversalString: UCS-4 big-endian */
        for (size_t i = 0; i + 3 < v->len; i += 4) {
            uint32_t cp = (uint32_t)v->v[i] << 24 | (uint32_t)v->v[i + 1] << 16 |
                          (uint32_t)v->v[i + 2] << 8 | v->v[i + 3];
            if (cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff))
                buf_utf8(b, cp);
            else
                buf_str(b, "?");
        }
        if (v->len % 4)
            buf_str(b, "?");
        return;
    }
    buf_put(b, v->v, v->len);
}

/* A DER Name (the SEQUENCE TLV itself) into raw "CN=..., O=..." bytes; false if malformed.
 * Attributes past DER_MAX_NAME_PARTS are still checked and counted but not printed; the
 * string then ends with ", … (N more attributes not shown)" so it never looks complete. */
static bool name_raw(const uint8_t *der, size_t n, struct buf *out)
{
    struct der d = der_in(der, n);
    struct tlv seq;
    if (!der_next(&d, &seq) || seq.tag != 0x30)
        return false;
    struct der rdns = der_inside(&seq);
    struct tlv set;
    size_t parts = 0;
    while (rdns.off < rdns.end) {
        if (!der_next(&rdns, &set) || set.tag != 0x31)
            return false;
        struct der atvs = der_inside(&set);
        struct tlv atv;
        bool first_in_set = true;
        while (atvs.off < atvs.end) {
            if (!der_next(&atvs, &atv) || atv.tag != 0x30)
                return false;
            struct der in = der_inside(&atv);
            struct tlv oid, val;
            if (!der_next(&in, &oid) || oid.tag != 0x06 || !der_next(&in, &val))
                return false;
            if (++parts > DER_MAX_NAME_PARTS)
                continue;
            if (out->len > 0)
                buf_str(out, first_in_set ? ", " : " + ");
            first_in_set = false;
            char tmp[96];
            buf_str(out, name_or_dotted(attr_names, sizeof attr_names / sizeof attr_names[0],
                                        &oid, tmp, sizeof tmp));
            buf_str(out, "=");
            put_value(out, &val);
        }
    }
    if (parts > DER_MAX_NAME_PARTS) {
        char tmp[64];
        size_t more = parts - DER_MAX_NAME_PARTS;
        snprintf(tmp, sizeof tmp, ", … (%zu more attribute%s not shown)", more,
                 more == 1 ? "" : "s");
        buf_str(out, tmp);
    }
    return true;
}

char *hs_x509_dn_string(const uint8_t *der, size_t n)
{
    struct buf b = {0};
    if (!name_raw(der, n, &b)) {
        free(b.p);
        return NULL;
    }
    char *s = hs_escape(b.p ? b.p : (const uint8_t *)"", b.len);
    free(b.p);
    return s;
}

static void add_name(struct hs_field *o, const char *key, const uint8_t *der, size_t n)
{
    struct buf b = {0};
    if (name_raw(der, n, &b))
        hs_f_text(o, key, b.p ? b.p : (const uint8_t *)"", b.len);
    else
        hs_f_str(o, key, "(unparseable name)");
    free(b.p);
}

/* ---- the other pieces ---- */

static void add_serial(struct hs_field *o, const uint8_t *p, size_t n)
{
    while (n > 1 && p[0] == 0) {
        p++;
        n--;
    }
    hs_f_hex(o, "serial", p, n);
}

static void add_time(struct hs_field *o, const char *key, int y, int mo, int d, int h, int mi,
                     int s)
{
    hs_f_fmt(o, key, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
}

/* UTCTime (0x17) or GeneralizedTime (0x18) in their DER forms. */
static void add_der_time(struct hs_field *o, const char *key, const struct tlv *t)
{
    int v[7] = {0};
    const uint8_t *p = t->v;
    size_t need = t->tag == 0x17 ? 13 : 15;
    if ((t->tag != 0x17 && t->tag != 0x18) || t->len < need) {
        hs_f_str(o, key, "invalid");
        return;
    }
    for (size_t i = 0; i + 1 < need; i++)
        if (p[i] < '0' || p[i] > '9') {
            hs_f_str(o, key, "invalid");
            return;
        }
#define D2(i) ((p[i] - '0') * 10 + (p[(i) + 1] - '0'))
    size_t k = 0;
    if (t->tag == 0x17) {
        v[0] = D2(0);
        v[0] += v[0] < 50 ? 2000 : 1900;
        k = 2;
    } else {
        v[0] = D2(0) * 100 + D2(2);
        k = 4;
    }
    for (int i = 1; i <= 5; i++, k += 2)
        v[i] = D2(k);
#undef D2
    add_time(o, key, v[0], v[1], v[2], v[3], v[4], v[5]);
}

static unsigned int_bits(const uint8_t *p, size_t n)
{
    while (n > 0 && p[0] == 0) {
        p++;
        n--;
    }
    if (n == 0)
        return 0;
    unsigned bits = (unsigned)(n - 1) * 8;
    for (uint8_t x = p[0]; x; x >>= 1)
        bits++;
    return bits;
}

/* SubjectPublicKeyInfo (the SEQUENCE TLV) → "RSA 2048", "EC P-256", "Ed25519", ... */
static void add_public_key(struct hs_field *o, const uint8_t *der, size_t n)
{
    struct der d = der_in(der, n);
    struct tlv spki, alg, bits, oid, params = {0};
    if (!der_next(&d, &spki) || spki.tag != 0x30) {
        hs_f_str(o, "public_key", "unparseable");
        return;
    }
    struct der in = der_inside(&spki);
    if (!der_next(&in, &alg) || alg.tag != 0x30 || !der_next(&in, &bits) || bits.tag != 0x03) {
        hs_f_str(o, "public_key", "unparseable");
        return;
    }
    struct der a = der_inside(&alg);
    if (!der_next(&a, &oid) || oid.tag != 0x06) {
        hs_f_str(o, "public_key", "unparseable");
        return;
    }
    bool has_params = der_next(&a, &params);
    /* The key bits, past the "unused bits" octet. */
    const uint8_t *kp = bits.len > 0 ? bits.v + 1 : bits.v;
    size_t kn = bits.len > 0 ? bits.len - 1 : 0;
    bool rsa = oid_is(&oid, "2a864886f70d010101"), pss = oid_is(&oid, "2a864886f70d01010a");
    if (rsa || pss) {
        struct der k = der_in(kp, kn);
        struct tlv seq, mod;
        unsigned nbits = 0;
        if (der_next(&k, &seq) && seq.tag == 0x30) {
            struct der ks = der_inside(&seq);
            if (der_next(&ks, &mod) && mod.tag == 0x02)
                nbits = int_bits(mod.v, mod.len);
        }
        hs_f_fmt(o, "public_key", "%s %u", rsa ? "RSA" : "RSA-PSS", nbits);
    } else if (oid_is(&oid, "2a8648ce3d0201")) {
        char tmp[96];
        const char *curve = has_params && params.tag == 0x06
                                ? name_or_dotted(curve_names,
                                                 sizeof curve_names / sizeof curve_names[0],
                                                 &params, tmp, sizeof tmp)
                                : "explicit curve";
        hs_f_fmt(o, "public_key", "EC %s", curve);
    } else if (oid_is(&oid, "2b6570")) {
        hs_f_str(o, "public_key", "Ed25519");
    } else if (oid_is(&oid, "2b6571")) {
        hs_f_str(o, "public_key", "Ed448");
    } else if (oid_is(&oid, "2b656e")) {
        hs_f_str(o, "public_key", "X25519");
    } else if (oid_is(&oid, "2b656f")) {
        hs_f_str(o, "public_key", "X448");
    } else if (oid_is(&oid, "2a8648ce380401")) {
        unsigned pbits = 0;
        if (has_params && params.tag == 0x30) {
            struct der pd = der_inside(&params);
            struct tlv p;
            if (der_next(&pd, &p) && p.tag == 0x02)
                pbits = int_bits(p.v, p.len);
        }
        hs_f_fmt(o, "public_key", "DSA %u", pbits);
    } else {
        char tmp[96];
        const char *s = name_or_dotted(sig_names, sizeof sig_names / sizeof sig_names[0], &oid,
                                       tmp, sizeof tmp);
        hs_f_fmt(o, "public_key", "%s (%zu-byte key)", s, kn);
    }
}

static void add_sig_alg(struct hs_field *o, const uint8_t *oidv, size_t n)
{
    struct tlv t = {.tag = 0x06, .v = oidv, .len = n};
    char tmp[96];
    hs_f_str(o, "signature_algorithm",
             name_or_dotted(sig_names, sizeof sig_names / sizeof sig_names[0], &t, tmp, sizeof tmp));
}

void hs_x509_general_name(struct hs_field *arr, const char *prefix, uint8_t tag,
                          const uint8_t *p, size_t n)
{
    struct buf b = {0};
    buf_str(&b, prefix);
    switch (tag & 0x1f) {
    case 1: buf_str(&b, "email:"); buf_put(&b, p, n); break;
    case 2: buf_str(&b, "DNS:"); buf_put(&b, p, n); break;
    case 6: buf_str(&b, "URI:"); buf_put(&b, p, n); break;
    case 7: {
        char ip[INET6_ADDRSTRLEN] = "?";
        if (n == 4)
            inet_ntop(AF_INET, p, ip, sizeof ip);
        else if (n == 16)
            inet_ntop(AF_INET6, p, ip, sizeof ip);
        else if (n == 8 || n == 32)
            snprintf(ip, sizeof ip, "(%zu-byte range)", n);
        buf_str(&b, "IP:");
        buf_str(&b, ip);
        break;
    }
    case 4: {
        buf_str(&b, "DirName:");
        struct buf nb = {0};
        if (name_raw(p, n, &nb))
            buf_put(&b, nb.p ? nb.p : (const uint8_t *)"", nb.len);
        else
            buf_str(&b, "(unparseable name)");
        free(nb.p);
        break;
    }
    case 0: buf_str(&b, "otherName"); break;
    case 8: {
        char tmp[96];
        hs_oid_dotted(p, n, tmp, sizeof tmp);
        buf_str(&b, "RID:");
        buf_str(&b, tmp);
        break;
    }
    default: {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "GeneralName(%u)", (unsigned)(tag & 0x1fu));
        buf_str(&b, tmp);
        break;
    }
    }
    hs_f_text(arr, NULL, b.p ? b.p : (const uint8_t *)"", b.len);
    free(b.p);
}

/* ---- the fallback: locate the pieces in the DER ourselves ---- */

struct pieces {
    struct tlv serial, sig_oid, issuer, not_before, not_after, subject, spki, exts;
    bool have_exts;
};

static bool locate(const uint8_t *der, size_t n, struct pieces *pc)
{
    memset(pc, 0, sizeof *pc);
    struct der d = der_in(der, n);
    struct tlv cert, tbs, t;
    if (!der_next(&d, &cert) || cert.tag != 0x30)
        return false;
    struct der c = der_inside(&cert);
    if (!der_next(&c, &tbs) || tbs.tag != 0x30)
        return false;
    struct der b = der_inside(&tbs);
    if (!der_next(&b, &t))
        return false;
    if (t.tag == 0xa0 && !der_next(&b, &t)) /* [0] version */
        return false;
    if (t.tag != 0x02)
        return false;
    pc->serial = t;
    struct tlv alg;
    if (!der_next(&b, &alg) || alg.tag != 0x30)
        return false;
    struct der a = der_inside(&alg);
    if (!der_next(&a, &pc->sig_oid) || pc->sig_oid.tag != 0x06)
        return false;
    if (!der_next(&b, &pc->issuer) || pc->issuer.tag != 0x30)
        return false;
    struct tlv validity;
    if (!der_next(&b, &validity) || validity.tag != 0x30)
        return false;
    struct der v = der_inside(&validity);
    if (!der_next(&v, &pc->not_before) || !der_next(&v, &pc->not_after))
        return false;
    if (!der_next(&b, &pc->subject) || pc->subject.tag != 0x30)
        return false;
    if (!der_next(&b, &pc->spki) || pc->spki.tag != 0x30)
        return false;
    while (b.off < b.end) {
        if (!der_next(&b, &t))
            break;
        if (t.tag == 0xa3) {
            struct der e = der_inside(&t);
            if (der_next(&e, &pc->exts) && pc->exts.tag == 0x30)
                pc->have_exts = true;
        }
    }
    return true;
}

/* After the SAN list: how many were left out of it, when some were. */
static void add_sans_not_listed(struct hs_field *o, size_t count)
{
    if (count > DER_MAX_SANS)
        hs_f_int(o, "san_not_listed", (long long)(count - DER_MAX_SANS));
}

/* SANs out of the Extensions SEQUENCE (every subjectAltName extension, should there be
 * several); returns how many GeneralNames there were, listed or not. */
static size_t sans_from_exts(struct hs_field *arr, const struct tlv *exts)
{
    size_t count = 0;
    struct der e = der_inside(exts);
    struct tlv ext;
    while (e.off < e.end && der_next(&e, &ext)) {
        struct der x = der_inside(&ext);
        struct tlv oid, val;
        if (!der_next(&x, &oid) || oid.tag != 0x06 || !oid_is(&oid, "551d11"))
            continue;
        if (!der_next(&x, &val))
            continue;
        if (val.tag == 0x01 && !der_next(&x, &val)) /* critical flag */
            continue;
        struct der os = der_inside(&val);
        struct tlv seq, gn;
        if (val.tag != 0x04 || !der_next(&os, &seq) || seq.tag != 0x30)
            continue;
        struct der g = der_inside(&seq);
        while (g.off < g.end && der_next(&g, &gn))
            if (count++ < DER_MAX_SANS)
                hs_x509_general_name(arr, "", gn.tag, gn.v, gn.len);
    }
    return count;
}

/* Accept unknown critical extensions: we summarise, we do not verify. */
static int accept_ext(void *ctx, mbedtls_x509_crt const *crt, mbedtls_x509_buf const *oid,
                      int critical, const unsigned char *p, const unsigned char *end)
{
    return 0;
}

struct hs_field *hs_x509_summary(const uint8_t *der, size_t n)
{
    struct hs_field *o = hs_field_new_object();
    uint8_t digest[32];
    mbedtls_x509_crt crt;
    mbedtls_x509_crt_init(&crt);
    int rc = n > 0 ? mbedtls_x509_crt_parse_der_with_ext_cb(&crt, der, n, 1, accept_ext, NULL)
                   : -1;
    struct pieces pc;
    bool own = locate(der, n, &pc);
    if (rc == 0) {
        add_name(o, "subject", crt.subject_raw.p, crt.subject_raw.len);
        add_name(o, "issuer", crt.issuer_raw.p, crt.issuer_raw.len);
        add_serial(o, crt.serial.p, crt.serial.len);
        const mbedtls_x509_time *f = &crt.valid_from, *t = &crt.valid_to;
        add_time(o, "not_before", f->year, f->mon, f->day, f->hour, f->min, f->sec);
        add_time(o, "not_after", t->year, t->mon, t->day, t->hour, t->min, t->sec);
        struct hs_field *san = hs_f_arr(o, "san");
        size_t count = 0;
        /* mbedTLS's list is as long as the DER allows; past the limit it is only counted. */
        for (const mbedtls_x509_sequence *s = &crt.subject_alt_names; s; s = s->next)
            if (s->buf.p != NULL && count++ < DER_MAX_SANS)
                hs_x509_general_name(san, "", (uint8_t)s->buf.tag, s->buf.p, s->buf.len);
        add_sans_not_listed(o, count);
        add_public_key(o, crt.pk_raw.p, crt.pk_raw.len);
        add_sig_alg(o, crt.sig_oid.p, crt.sig_oid.len);
        hs_f_bool(o, "self_signed", crt.subject_raw.len == crt.issuer_raw.len &&
                                        memcmp(crt.subject_raw.p, crt.issuer_raw.p,
                                               crt.subject_raw.len) == 0);
    } else if (own) {
        add_name(o, "subject", pc.subject.start, pc.subject.total);
        add_name(o, "issuer", pc.issuer.start, pc.issuer.total);
        add_serial(o, pc.serial.v, pc.serial.len);
        add_der_time(o, "not_before", &pc.not_before);
        add_der_time(o, "not_after", &pc.not_after);
        struct hs_field *san = hs_f_arr(o, "san");
        if (pc.have_exts)
            add_sans_not_listed(o, sans_from_exts(san, &pc.exts));
        add_public_key(o, pc.spki.start, pc.spki.total);
        add_sig_alg(o, pc.sig_oid.v, pc.sig_oid.len);
        hs_f_bool(o, "self_signed", pc.subject.total == pc.issuer.total &&
                                        memcmp(pc.subject.start, pc.issuer.start,
                                               pc.subject.total) == 0);
        hs_f_fmt(o, "note", "mbedTLS could not parse this certificate (-0x%04x)",
                 (unsigned)-rc);
    } else {
        hs_f_fmt(o, "error", "unparseable certificate (-0x%04x)", (unsigned)(rc < 0 ? -rc : rc));
    }
    if (rc == 0 || own) /* the extensions from our own walk, on both paths */
        hs_x509_extensions(o, own && pc.have_exts ? pc.exts.start : NULL,
                           own && pc.have_exts ? pc.exts.total : 0);
    mbedtls_x509_crt_free(&crt);
    if (mbedtls_sha256(der, n, digest, 0) == 0)
        hs_f_hex(o, "sha256", digest, sizeof digest);
    return o;
}
