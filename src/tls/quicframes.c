/* The frames of a decrypted QUIC payload (RFC 9000 19), as one line (quic.h). */
#include "quic.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_FRAMES 4096 /* frames read per packet (a payload of 1-byte PINGs is ~1500) */

/* The line being written: runs of one frame name are merged ("NEW_CONNECTION_ID x6"). */
struct line {
    struct hs_quic_frames *f;
    char last[48];
    unsigned run;
    bool full;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
    if (l->full)
        return;
    size_t used = strlen(l->f->line), room = sizeof l->f->line - used;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(l->f->line + used, room, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= room) {
        /* No room: end the line with an ellipsis (and its NUL) that fits. */
        static const char more[] = ", ...";
        size_t cut = sizeof l->f->line - sizeof more;
        if (cut > used)
            cut = used;
        memcpy(l->f->line + cut, more, sizeof more);
        l->full = true;
    }
}

static void flush_run(struct line *l)
{
    if (l->run > 1)
        put(l, " x%u", l->run);
    l->run = 0;
}

/* A frame without details: merged with the previous one when it has the same name. */
static void simple(struct line *l, const char *name)
{
    if (l->run > 0 && strcmp(l->last, name) == 0) {
        l->run++;
        return;
    }
    flush_run(l);
    put(l, "%s%s", l->f->line[0] ? ", " : "", name);
    snprintf(l->last, sizeof l->last, "%s", name);
    l->run = 1;
}

static void detailed(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void detailed(struct line *l, const char *fmt, ...)
{
    flush_run(l);
    l->last[0] = '\0';
    char buf[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    put(l, "%s%s", l->f->line[0] ? ", " : "", buf);
}

/* Reads n varints into v (NULL: skipped). */
static bool varints(const uint8_t *p, size_t n, size_t *off, unsigned count, uint64_t *v)
{
    uint64_t x;
    for (unsigned i = 0; i < count; i++) {
        if (!hs_quic_varint(p, n, off, &x))
            return false;
        if (v)
            v[i] = x;
    }
    return true;
}

static bool skip_bytes(size_t n, size_t *off, uint64_t len)
{
    if (len > n - *off)
        return false;
    *off += (size_t)len;
    return true;
}

/* ACK and ACK_ECN: largest, delay, range count, first range, ranges, ECN counts. */
static bool ack_frame(const uint8_t *p, size_t n, size_t *off, bool ecn, struct line *l)
{
    uint64_t h[4];
    if (!varints(p, n, off, 4, h))
        return false;
    for (uint64_t i = 0; i < h[2]; i++)
        if (!varints(p, n, off, 2, NULL))
            return false;
    if (ecn && !varints(p, n, off, 3, NULL))
        return false;
    if (h[3] > h[0])
        return false;
    if (h[3] == 0)
        detailed(l, "ACK[%llu]", (unsigned long long)h[0]);
    else
        detailed(l, "ACK[%llu-%llu]", (unsigned long long)(h[0] - h[3]),
                 (unsigned long long)h[0]);
    return true;
}

static const char *const names_10_17[] = {"MAX_DATA", "MAX_STREAM_DATA", "MAX_STREAMS",
                                          "MAX_STREAMS", "DATA_BLOCKED", "STREAM_DATA_BLOCKED",
                                          "STREAMS_BLOCKED", "STREAMS_BLOCKED"};
static const unsigned args_10_17[] = {1, 2, 1, 1, 1, 2, 1, 1};

/* One frame at *off; false when it does not parse. */
static bool frame(const uint8_t *p, size_t n, size_t *off, uint64_t type, hs_quic_crypto_fn crypto,
                  void *ctx, struct line *l)
{
    struct hs_quic_frames *f = l->f;
    uint64_t v[3];
    if (type != 0x00 && type != 0x02 && type != 0x03 && type != 0x1c && type != 0x1d)
        f->ack_eliciting = true;
    if (type == 0x00) {
        while (*off < n && p[*off] == 0) /* a run of padding is one frame for the line */
            (*off)++;
        simple(l, "PADDING");
        return true;
    }
    if (type == 0x01) {
        simple(l, "PING");
        return true;
    }
    if (type == 0x02 || type == 0x03)
        return ack_frame(p, n, off, type == 0x03, l);
    if (type == 0x04 || type == 0x05) {
        if (!varints(p, n, off, type == 0x04 ? 3 : 2, v))
            return false;
        detailed(l, "%s(%llu)", type == 0x04 ? "RESET_STREAM" : "STOP_SENDING",
                 (unsigned long long)v[0]);
        return true;
    }
    if (type == 0x06) {
        if (!varints(p, n, off, 2, v) || v[1] > n - *off)
            return false;
        if (crypto)
            crypto(ctx, v[0], p + *off, (size_t)v[1]);
        *off += (size_t)v[1];
        detailed(l, "CRYPTO[%llu+%llu]", (unsigned long long)v[0], (unsigned long long)v[1]);
        return true;
    }
    if (type == 0x07) {
        if (!varints(p, n, off, 1, v) || !skip_bytes(n, off, v[0]))
            return false;
        detailed(l, "NEW_TOKEN(%llu bytes)", (unsigned long long)v[0]);
        return true;
    }
    if (type >= 0x08 && type <= 0x0f) { /* STREAM: OFF, LEN, FIN bits */
        uint64_t id, o = 0, len;
        if (!varints(p, n, off, 1, &id) || ((type & 4) && !varints(p, n, off, 1, &o)))
            return false;
        if (type & 2) {
            if (!varints(p, n, off, 1, &len))
                return false;
        } else {
            len = n - *off;
        }
        if (!skip_bytes(n, off, len))
            return false;
        detailed(l, "STREAM(%llu)[%llu+%llu%s]", (unsigned long long)id, (unsigned long long)o,
                 (unsigned long long)len, type & 1 ? ",FIN" : "");
        return true;
    }
    if (type >= 0x10 && type <= 0x17) {
        if (!varints(p, n, off, args_10_17[type - 0x10], NULL))
            return false;
        simple(l, names_10_17[type - 0x10]);
        return true;
    }
    if (type == 0x18) { /* NEW_CONNECTION_ID: seq, retire prior to, cid, reset token */
        if (!varints(p, n, off, 2, NULL) || *off >= n)
            return false;
        size_t cl = p[(*off)++];
        if (cl < 1 || cl > HS_QUIC_MAX_CID || !skip_bytes(n, off, cl + 16))
            return false;
        simple(l, "NEW_CONNECTION_ID");
        return true;
    }
    if (type == 0x19) {
        if (!varints(p, n, off, 1, NULL))
            return false;
        simple(l, "RETIRE_CONNECTION_ID");
        return true;
    }
    if (type == 0x1a || type == 0x1b) {
        if (!skip_bytes(n, off, 8))
            return false;
        simple(l, type == 0x1a ? "PATH_CHALLENGE" : "PATH_RESPONSE");
        return true;
    }
    if (type == 0x1c || type == 0x1d) { /* CONNECTION_CLOSE: error, [frame type], reason */
        if (!varints(p, n, off, type == 0x1c ? 2 : 1, v) ||
            !varints(p, n, off, 1, &v[2]) || !skip_bytes(n, off, v[2]))
            return false;
        f->close = true;
        f->close_error = v[0];
        detailed(l, "CONNECTION_CLOSE(%s 0x%llx)", type == 0x1c ? "transport" : "application",
                 (unsigned long long)v[0]);
        return true;
    }
    if (type == 0x1e) {
        f->handshake_done = true;
        simple(l, "HANDSHAKE_DONE");
        return true;
    }
    if (type == 0x30 || type == 0x31) { /* DATAGRAM (RFC 9221) */
        uint64_t len = n - *off;
        if (type == 0x31 && !varints(p, n, off, 1, &len))
            return false;
        if (!skip_bytes(n, off, len))
            return false;
        simple(l, "DATAGRAM");
        return true;
    }
    return false;
}

void hs_quic_frames(const uint8_t *p, size_t n, hs_quic_crypto_fn crypto, void *ctx,
                    struct hs_quic_frames *out)
{
    memset(out, 0, sizeof *out);
    struct line l = {.f = out};
    size_t off = 0;
    while (off < n && out->count < MAX_FRAMES) {
        size_t at = off;
        uint64_t type = 0;
        if (!hs_quic_varint(p, n, &off, &type) || !frame(p, n, &off, type, crypto, ctx, &l)) {
            flush_run(&l);
            out->malformed = true;
            detailed(&l, "malformed frame 0x%llx at byte %zu", (unsigned long long)type, at);
            return;
        }
        out->count++;
    }
    flush_run(&l);
    if (off < n)
        detailed(&l, "... (%zu more bytes)", n - off);
}
