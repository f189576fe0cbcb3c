/*
 * A bounds-checked read cursor over one message: offsets into a buffer, never pointers that
 * move.  Every read checks `n > end - off` before it moves, a failed read leaves the cursor
 * where it was, and a length-prefixed vector is read into a sub-cursor over the same buffer
 * (so offsets stay relative to the message start, for field spans).
 */
#ifndef HS_CURSOR_H
#define HS_CURSOR_H

#include "../core/result.h"

#include <stddef.h>
#include <stdint.h>

struct hs_cur {
    const uint8_t *buf; /* the whole message */
    size_t off;         /* next byte to read */
    size_t end;         /* one past the last readable byte */
};

static inline struct hs_cur hs_cur_make(const uint8_t *p, size_t n)
{
    struct hs_cur c = {p, 0, n};
    return c;
}

static inline size_t hs_cur_left(const struct hs_cur *c) { return c->end - c->off; }

static inline const uint8_t *hs_cur_ptr(const struct hs_cur *c) { return c->buf + c->off; }

HS_MUST_CHECK static inline int hs_cur_skip(struct hs_cur *c, size_t n)
{
    HS_ENSURE(n <= c->end - c->off, HS_ERR_TRUNCATED);
    c->off += n;
    return HS_OK;
}

HS_MUST_CHECK static inline int hs_cur_uint(struct hs_cur *c, unsigned nbytes, uint32_t *v)
{
    HS_ENSURE(nbytes <= c->end - c->off, HS_ERR_TRUNCATED);
    uint32_t x = 0;
    for (unsigned i = 0; i < nbytes; i++)
        x = (x << 8) | c->buf[c->off + i];
    c->off += nbytes;
    *v = x;
    return HS_OK;
}

HS_MUST_CHECK static inline int hs_cur_u8(struct hs_cur *c, uint8_t *v)
{
    uint32_t x;
    HS_TRY(hs_cur_uint(c, 1, &x));
    *v = (uint8_t)x;
    return HS_OK;
}

HS_MUST_CHECK static inline int hs_cur_u16(struct hs_cur *c, uint16_t *v)
{
    uint32_t x;
    HS_TRY(hs_cur_uint(c, 2, &x));
    *v = (uint16_t)x;
    return HS_OK;
}

HS_MUST_CHECK static inline int hs_cur_u24(struct hs_cur *c, uint32_t *v)
{
    return hs_cur_uint(c, 3, v);
}

HS_MUST_CHECK static inline int hs_cur_u32(struct hs_cur *c, uint32_t *v)
{
    return hs_cur_uint(c, 4, v);
}

/* n raw bytes: *p points at them. */
HS_MUST_CHECK static inline int hs_cur_bytes(struct hs_cur *c, size_t n, const uint8_t **p)
{
    HS_ENSURE(n <= c->end - c->off, HS_ERR_TRUNCATED);
    *p = c->buf + c->off;
    c->off += n;
    return HS_OK;
}

/* A sub-cursor over the next n bytes. */
HS_MUST_CHECK static inline int hs_cur_sub(struct hs_cur *c, size_t n, struct hs_cur *sub)
{
    HS_ENSURE(n <= c->end - c->off, HS_ERR_TRUNCATED);
    sub->buf = c->buf;
    sub->off = c->off;
    sub->end = c->off + n;
    c->off += n;
    return HS_OK;
}

/*
 * A TLS vector <min..max> with a `lenbytes`-byte length prefix, as a sub-cursor.  A length
 * that runs past the enclosing unit is invalid (the unit is complete), as is one outside
 * [min, max].  On failure the cursor does not move.
 */
HS_MUST_CHECK static inline int hs_cur_vec(struct hs_cur *c, unsigned lenbytes, size_t min,
                                           size_t max, struct hs_cur *sub)
{
    size_t save = c->off;
    uint32_t n;
    HS_TRY(hs_cur_uint(c, lenbytes, &n));
    if (n > c->end - c->off || n < min || n > max) {
        c->off = save;
        return HS_ERR_INVALID;
    }
    return hs_cur_sub(c, n, sub);
}

#endif
