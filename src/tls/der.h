/* A minimal DER reader for the certificate code (bounds-checked, definite lengths only). */
#ifndef HS_DER_H
#define HS_DER_H

#include "../core/field.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct der {
    const uint8_t *p;
    size_t off, end;
};

struct tlv {
    uint8_t tag;
    const uint8_t *v;
    size_t len;
    const uint8_t *start; /* the tag byte */
    size_t total;         /* header + value */
};

static inline bool der_next(struct der *d, struct tlv *t)
{
    size_t off = d->off;
    if (d->end - off < 2)
        return false;
    t->start = d->p + off;
    t->tag = d->p[off++];
    if ((t->tag & 0x1f) == 0x1f)
        return false; /* multi-byte tags do not occur in certificates */
    size_t len = d->p[off++];
    if (len & 0x80) {
        size_t nb = len & 0x7f;
        if (nb == 0 || nb > 4 || nb > d->end - off)
            return false;
        len = 0;
        for (size_t i = 0; i < nb; i++)
            len = (len << 8) | d->p[off++];
    }
    if (len > d->end - off)
        return false;
    t->v = d->p + off;
    t->len = len;
    t->total = off + len - d->off;
    d->off = off + len;
    return true;
}

static inline struct der der_in(const uint8_t *p, size_t n)
{
    struct der d = {p, 0, n};
    return d;
}

static inline struct der der_inside(const struct tlv *t) { return der_in(t->v, t->len); }

/* Dotted form of an OID's value bytes into out (at least 32 bytes); a cut ends with "…". */
void hs_oid_dotted(const uint8_t *p, size_t n, char *out, size_t outsz);

/* True when the OID TLV's value is the given hex. */
bool hs_oid_is(const uint8_t *v, size_t len, const char *hex);

/* One GeneralName (its tag and content) appended to the array arr as prefix + "DNS:x",
 * "URI:x", "IP:x", ... (escaped). */
void hs_x509_general_name(struct hs_field *arr, const char *prefix, uint8_t tag,
                          const uint8_t *p, size_t n);

#endif
