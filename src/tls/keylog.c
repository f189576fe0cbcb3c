/*
 * The key log: secrets by (kind, client random), kept in the order they were added so a
 * written file reads like the session; NSS key log lines in and out.
 */
#include "keylog.h"

#include "../core/infile.h"
#include "../core/mem.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KEYLOG_LINE_MAX 1024 /* longer lines in a key log file are malformed */

struct keylog_entry {
    uint8_t kind;
    uint8_t len;
    uint8_t client_random[32];
    uint8_t secret[HS_SECRET_MAX];
};

struct hs_keylog {
    struct keylog_entry *entries; /* insertion order */
    size_t count, cap;
    uint32_t *slots;              /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;                /* a power of two, at least twice count */
    bool (*want)(void *ctx, const uint8_t random[32]); /* hs_keylog_restrict, or NULL */
    void *want_ctx;
    struct hs_ech_key *ech;       /* ECH_SECRET / ECH_CONFIG, by inner random */
    size_t nech;
};

size_t hs_keylog_count(const struct hs_keylog *kl)
{
    return kl ? kl->count : 0;
}

static const char *const labels[HS_SECRET_COUNT] = {
    [HS_SECRET_TLS12_MASTER] = "CLIENT_RANDOM",
    [HS_SECRET_CLIENT_EARLY] = "CLIENT_EARLY_TRAFFIC_SECRET",
    [HS_SECRET_CLIENT_HANDSHAKE] = "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    [HS_SECRET_SERVER_HANDSHAKE] = "SERVER_HANDSHAKE_TRAFFIC_SECRET",
    [HS_SECRET_CLIENT_TRAFFIC_0] = "CLIENT_TRAFFIC_SECRET_0",
    [HS_SECRET_SERVER_TRAFFIC_0] = "SERVER_TRAFFIC_SECRET_0",
    [HS_SECRET_EXPORTER] = "EXPORTER_SECRET",
};

static const char *const plain_names[HS_SECRET_COUNT] = {
    [HS_SECRET_TLS12_MASTER] = "master secret",
    [HS_SECRET_CLIENT_EARLY] = "client early traffic secret",
    [HS_SECRET_CLIENT_HANDSHAKE] = "client handshake traffic secret",
    [HS_SECRET_SERVER_HANDSHAKE] = "server handshake traffic secret",
    [HS_SECRET_CLIENT_TRAFFIC_0] = "client application traffic secret",
    [HS_SECRET_SERVER_TRAFFIC_0] = "server application traffic secret",
    [HS_SECRET_EXPORTER] = "exporter secret",
};

const char *hs_secret_label(enum hs_secret kind)
{
    return (unsigned)kind < HS_SECRET_COUNT ? labels[kind] : "UNKNOWN";
}

const char *hs_secret_plain(enum hs_secret kind)
{
    return (unsigned)kind < HS_SECRET_COUNT ? plain_names[kind] : "unknown secret";
}

struct hs_keylog *hs_keylog_new(void)
{
    return hs_xcalloc(1, sizeof(struct hs_keylog));
}

void hs_keylog_free(struct hs_keylog *kl)
{
    if (!kl)
        return;
    /* secrets: do not leave them in freed memory */
    if (kl->entries)
        memset(kl->entries, 0, kl->cap * sizeof *kl->entries);
    free(kl->entries);
    free(kl->slots);
    if (kl->ech)
        memset(kl->ech, 0, kl->nech * sizeof *kl->ech);
    free(kl->ech);
    free(kl);
}

/* FNV-1a over the kind and the client random (the random is already uniform; this mixes
 * in the kind). */
static size_t slot_hash(enum hs_secret kind, const uint8_t client_random[32])
{
    uint32_t h = 2166136261u ^ (uint32_t)kind;
    for (size_t i = 0; i < 32; i++) {
        h ^= client_random[i];
        h *= 16777619u;
    }
    return h;
}

/* The slot holding (kind, client_random), or the empty slot where it would go. */
static size_t slot_find(const struct hs_keylog *kl, enum hs_secret kind,
                        const uint8_t client_random[32])
{
    size_t mask = kl->nslots - 1;
    size_t i = slot_hash(kind, client_random) & mask;
    while (kl->slots[i] != 0) {
        const struct keylog_entry *e = &kl->entries[kl->slots[i] - 1];
        if (e->kind == (uint8_t)kind && memcmp(e->client_random, client_random, 32) == 0)
            return i;
        i = (i + 1) & mask;
    }
    return i;
}

static void rehash(struct hs_keylog *kl, size_t nslots)
{
    free(kl->slots);
    kl->slots = hs_xcalloc(nslots, sizeof *kl->slots);
    kl->nslots = nslots;
    for (size_t k = 0; k < kl->count; k++) {
        const struct keylog_entry *e = &kl->entries[k];
        size_t i = slot_find(kl, (enum hs_secret)e->kind, e->client_random);
        kl->slots[i] = (uint32_t)(k + 1);
    }
}

int hs_keylog_add(struct hs_keylog *kl, enum hs_secret kind, const uint8_t client_random[32],
                  const uint8_t *secret, size_t len)
{
    HS_ENSURE(kl && client_random && secret, HS_ERR_INVALID);
    HS_ENSURE((unsigned)kind < HS_SECRET_COUNT, HS_ERR_INVALID);
    HS_ENSURE(len >= 1 && len <= HS_SECRET_MAX, HS_ERR_INVALID);

    if (kl->nslots != 0) {
        size_t i = slot_find(kl, kind, client_random);
        if (kl->slots[i] != 0) {
            /* replace in place: the entry keeps its first position */
            struct keylog_entry *e = &kl->entries[kl->slots[i] - 1];
            memset(e->secret, 0, sizeof e->secret);
            memcpy(e->secret, secret, len);
            e->len = (uint8_t)len;
            return HS_OK;
        }
    }
    HS_ENSURE(kl->count < HS_KEYLOG_MAX_ENTRIES, HS_ERR_LIMIT);
    HS_ENSURE(kl->want == NULL || kl->want(kl->want_ctx, client_random), HS_ERR_LIMIT);

    if (kl->count == kl->cap) {
        size_t cap = kl->cap ? kl->cap * 2 : 16;
        if (cap > HS_KEYLOG_MAX_ENTRIES)
            cap = HS_KEYLOG_MAX_ENTRIES;
        kl->entries = hs_xrealloc(kl->entries, cap * sizeof *kl->entries);
        kl->cap = cap;
    }
    struct keylog_entry *e = &kl->entries[kl->count];
    memset(e, 0, sizeof *e);
    e->kind = (uint8_t)kind;
    e->len = (uint8_t)len;
    memcpy(e->client_random, client_random, 32);
    memcpy(e->secret, secret, len);
    kl->count++;

    if (kl->count * 2 > kl->nslots)
        rehash(kl, kl->nslots ? kl->nslots * 2 : 64);
    else
        kl->slots[slot_find(kl, kind, client_random)] = (uint32_t)kl->count;
    return HS_OK;
}

size_t hs_keylog_restrict(struct hs_keylog *kl, bool (*want)(void *ctx, const uint8_t random[32]),
                        void *ctx)
{
    kl->want = want;
    kl->want_ctx = ctx;
    size_t kept = 0;
    for (size_t k = 0; k < kl->count; k++)
        if (want(ctx, kl->entries[k].client_random))
            kl->entries[kept++] = kl->entries[k];
    memset(kl->entries + kept, 0, (kl->count - kept) * sizeof *kl->entries);
    size_t dropped = kl->count - kept;
    kl->count = kept;
    if (kl->nslots != 0)
        rehash(kl, kl->nslots);
    return dropped;
}

const uint8_t *hs_keylog_find(const struct hs_keylog *kl, enum hs_secret kind,
                              const uint8_t client_random[32], size_t *len)
{
    if (!kl || !client_random || kl->nslots == 0 || (unsigned)kind >= HS_SECRET_COUNT)
        return NULL;
    size_t i = slot_find(kl, kind, client_random);
    if (kl->slots[i] == 0)
        return NULL;
    const struct keylog_entry *e = &kl->entries[kl->slots[i] - 1];
    if (len)
        *len = e->len;
    return e->secret;
}

bool hs_keylog_entry(const struct hs_keylog *kl, size_t i, enum hs_secret *kind,
                     const uint8_t **client_random, const uint8_t **secret, size_t *len)
{
    if (kl == NULL || i >= kl->count)
        return false;
    const struct keylog_entry *e = &kl->entries[i];
    *kind = (enum hs_secret)e->kind;
    *client_random = e->client_random;
    *secret = e->secret;
    *len = e->len;
    return true;
}

int hs_keylog_add_ech(struct hs_keylog *kl, bool config, const uint8_t client_random[32],
                      const uint8_t *v, size_t len)
{
    HS_ENSURE(kl && client_random && v && len >= 1, HS_ERR_INVALID);
    HS_ENSURE(len <= (config ? HS_ECH_CONFIG_MAX : HS_SECRET_MAX), HS_ERR_INVALID);
    struct hs_ech_key *e = NULL;
    for (size_t i = 0; i < kl->nech && e == NULL; i++)
        if (memcmp(kl->ech[i].client_random, client_random, 32) == 0)
            e = &kl->ech[i];
    if (e == NULL) {
        HS_ENSURE(kl->nech < HS_KEYLOG_MAX_ECH, HS_ERR_LIMIT);
        if (kl->nech % 16 == 0)
            kl->ech = hs_xrealloc(kl->ech, (kl->nech + 16) * sizeof *kl->ech);
        e = &kl->ech[kl->nech++];
        memset(e, 0, sizeof *e);
        memcpy(e->client_random, client_random, 32);
        e->ordinal = (unsigned)kl->nech;
    }
    if (config) {
        memcpy(e->config, v, len);
        e->config_len = len;
    } else {
        memcpy(e->secret, v, len);
        e->secret_len = len;
    }
    return HS_OK;
}

size_t hs_keylog_ech_count(const struct hs_keylog *kl)
{
    return kl ? kl->nech : 0;
}

const struct hs_ech_key *hs_keylog_ech_get(const struct hs_keylog *kl, size_t i)
{
    return kl && i < kl->nech ? &kl->ech[i] : NULL;
}

/* ---- parsing ---- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes exactly n hex digits into n / 2 bytes; false on odd length, a bad digit or a
 * result longer than outsz. */
static bool hex_decode(const char *s, size_t n, uint8_t *out, size_t outsz)
{
    if (n % 2 != 0 || n / 2 > outsz)
        return false;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_value(s[i]), lo = hex_value(s[i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* The next whitespace-separated token at or after *off in line[0..n). */
static bool next_token(const char *line, size_t n, size_t *off, const char **tok, size_t *len)
{
    size_t i = *off;
    while (i < n && is_blank(line[i]))
        i++;
    if (i == n)
        return false;
    size_t start = i;
    while (i < n && !is_blank(line[i]))
        i++;
    *tok = line + start;
    *len = i - start;
    *off = i;
    return true;
}

static int label_kind(const char *tok, size_t len)
{
    for (int k = 0; k < HS_SECRET_COUNT; k++)
        if (strlen(labels[k]) == len && memcmp(labels[k], tok, len) == 0)
            return k;
    return -1;
}

int hs_keylog_parse_line(struct hs_keylog *kl, const char *line, size_t n)
{
    HS_ENSURE(kl && (line || n == 0), HS_ERR_INVALID);
    size_t off = 0;
    const char *label, *random_hex, *secret_hex, *extra;
    size_t label_len, random_len, secret_len, extra_len;

    if (!next_token(line, n, &off, &label, &label_len) || label[0] == '#')
        return HS_OK; /* blank or comment */
    int kind = label_kind(label, label_len);
    bool ech_secret = label_len == 10 && memcmp(label, "ECH_SECRET", 10) == 0;
    bool ech_config = label_len == 10 && memcmp(label, "ECH_CONFIG", 10) == 0;
    if (kind < 0 && !ech_secret && !ech_config)
        return HS_OK; /* a label we do not use (e.g. "RSA", later traffic secrets) */

    HS_ENSURE(next_token(line, n, &off, &random_hex, &random_len), HS_ERR_INVALID);
    HS_ENSURE(next_token(line, n, &off, &secret_hex, &secret_len), HS_ERR_INVALID);
    HS_ENSURE(!next_token(line, n, &off, &extra, &extra_len), HS_ERR_INVALID);

    uint8_t client_random[32], secret[HS_ECH_CONFIG_MAX];
    size_t room = ech_config ? HS_ECH_CONFIG_MAX : HS_SECRET_MAX;
    HS_ENSURE(random_len == 64, HS_ERR_INVALID);
    HS_ENSURE(hex_decode(random_hex, random_len, client_random, sizeof client_random),
              HS_ERR_INVALID);
    HS_ENSURE(secret_len >= 2 && hex_decode(secret_hex, secret_len, secret, room),
              HS_ERR_INVALID);
    int r = kind < 0 ? hs_keylog_add_ech(kl, ech_config, client_random, secret, secret_len / 2)
                     : hs_keylog_add(kl, (enum hs_secret)kind, client_random, secret,
                                     secret_len / 2);
    memset(secret, 0, sizeof secret);
    return r;
}

int hs_keylog_parse(struct hs_keylog *kl, const char *text, size_t n, size_t *bad,
                    size_t *over)
{
    HS_ENSURE(kl && (text || n == 0), HS_ERR_INVALID);
    size_t off = 0;
    int status = HS_OK;
    while (off < n) {
        const char *nl = memchr(text + off, '\n', n - off);
        size_t line_len = nl ? (size_t)(nl - (text + off)) : n - off;
        int r = hs_keylog_parse_line(kl, text + off, line_len);
        if (r == HS_ERR_LIMIT) {
            status = r;
            if (over)
                (*over)++;
        } else if (r != HS_OK && bad) {
            (*bad)++;
        }
        off += line_len + (nl ? 1 : 0);
    }
    return status;
}

int hs_keylog_load(struct hs_keylog *kl, const char *path, size_t *bad, char *err,
                   size_t errsz)
{
    HS_ENSURE(kl && path && err && errsz > 0, HS_ERR_INVALID);
    err[0] = '\0';
    /* A regular file only: a FIFO, /dev/zero or a terminal would never end. */
    int fd = hs_infile_open(path, err, errsz);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (f == NULL) {
        if (fd >= 0) {
            snprintf(err, errsz, "cannot open %s: %s", path, strerror(errno));
            close(fd);
        }
        return HS_ERR_IO;
    }

    /* Byte by byte into a bounded buffer: a line longer than KEYLOG_LINE_MAX is counted as
     * bad and skipped, and a NUL byte stays part of the line (so it is rejected). */
    char buf[KEYLOG_LINE_MAX];
    size_t len = 0;
    bool too_long = false;
    int r = HS_OK;
    size_t total = 0;
    for (;;) {
        int c = getc(f);
        if (c != EOF && ++total > HS_KEYLOG_MAX_FILE) {
            snprintf(err, errsz, "%s: only its first %u MiB are read (the limit)", path,
                     HS_KEYLOG_MAX_FILE / (1024u * 1024u));
            r = HS_ERR_LIMIT;
            break; /* the line being read is incomplete: it is not used */
        }
        if (c != EOF && c != '\n') {
            if (len < sizeof buf)
                buf[len++] = (char)c;
            else
                too_long = true;
            continue;
        }
        if (c == EOF && len == 0 && !too_long)
            break;
        int lr = too_long ? HS_ERR_INVALID : hs_keylog_parse_line(kl, buf, len);
        if (lr == HS_ERR_LIMIT) {
            snprintf(err, errsz, "%s: only its first %u secrets are used (the limit)", path,
                     (unsigned)HS_KEYLOG_MAX_ENTRIES);
            r = lr;
            break;
        }
        if (lr != HS_OK && bad)
            (*bad)++;
        len = 0;
        too_long = false;
        if (c == EOF)
            break;
    }
    if (r == HS_OK && ferror(f)) {
        snprintf(err, errsz, "cannot read %s: %s", path, strerror(errno));
        r = HS_ERR_IO;
    }
    memset(buf, 0, sizeof buf);
    fclose(f);
    return r;
}

/* ---- writing ---- */

static char *hex_encode(char *p, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        *p++ = digits[b[i] >> 4];
        *p++ = digits[b[i] & 15];
    }
    return p;
}

size_t hs_keylog_format(enum hs_secret kind, const uint8_t client_random[32],
                        const uint8_t *secret, size_t len, char *out, size_t outsz)
{
    if ((unsigned)kind >= HS_SECRET_COUNT || !client_random || !secret || !out || len < 1 ||
        len > HS_SECRET_MAX)
        return 0;
    size_t label_len = strlen(labels[kind]);
    size_t need = label_len + 1 + 64 + 1 + 2 * len + 1; /* text incl. '\n' */
    if (need >= outsz)
        return 0; /* no room for the text and its NUL */
    char *p = out;
    memcpy(p, labels[kind], label_len);
    p += label_len;
    *p++ = ' ';
    p = hex_encode(p, client_random, 32);
    *p++ = ' ';
    p = hex_encode(p, secret, len);
    *p++ = '\n';
    *p = '\0';
    return (size_t)(p - out);
}

int hs_keylog_write(const struct hs_keylog *kl, FILE *f)
{
    HS_ENSURE(kl && f, HS_ERR_INVALID);
    char line[2 * 32 + 2 * HS_SECRET_MAX + 40];
    for (size_t k = 0; k < kl->count; k++) {
        const struct keylog_entry *e = &kl->entries[k];
        size_t n = hs_keylog_format((enum hs_secret)e->kind, e->client_random, e->secret,
                                    e->len, line, sizeof line);
        if (n == 0 || fwrite(line, 1, n, f) != n) {
            memset(line, 0, sizeof line);
            return HS_ERR_IO;
        }
    }
    memset(line, 0, sizeof line);
    return fflush(f) == 0 ? HS_OK : HS_ERR_IO;
}
