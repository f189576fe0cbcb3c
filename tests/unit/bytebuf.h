/*
 * Hand-made messages for the unit tests: a byte buffer and big-endian appenders (after
 * <cmocka.h>: a message that does not fit fails the test), and the fix-ups of length fields
 * written before their contents.
 */
#ifndef HS_TEST_BYTEBUF_H
#define HS_TEST_BYTEBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct buf {
    uint8_t b[8192];
    size_t n;
};

static inline void put(struct buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->b);
    if (n)
        memcpy(b->b + b->n, p, n);
    b->n += n;
}

static inline void put8(struct buf *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static inline void put16(struct buf *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}

static inline void put24(struct buf *b, unsigned v)
{
    put8(b, v >> 16);
    put16(b, v & 0xffff);
}

static inline void put32(struct buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}

/* The 16-bit (24-bit) length at `at` becomes the count of the bytes after it. */
static inline void fix16(struct buf *b, size_t at)
{
    size_t v = b->n - at - 2;
    b->b[at] = (uint8_t)(v >> 8);
    b->b[at + 1] = (uint8_t)v;
}

static inline void fix24(struct buf *b, size_t at)
{
    size_t v = b->n - at - 3;
    b->b[at] = (uint8_t)(v >> 16);
    b->b[at + 1] = (uint8_t)(v >> 8);
    b->b[at + 2] = (uint8_t)v;
}

#endif
