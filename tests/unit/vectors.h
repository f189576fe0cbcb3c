/*
 * The RFC 8448 "simple 1-RTT" vector file (tests/data/rfc8448-simple-1rtt.txt, `name: value`
 * lines) for the unit tests: load it as a cmocka group setup, look vectors up by name, free it
 * as the group teardown.  Header-only with static functions because each test binary is built
 * from a single .c file; include it after <cmocka.h>.
 */
#ifndef HS_TEST_VECTORS_H
#define HS_TEST_VECTORS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VECTORS_MAX 128

struct vector {
    char name[64];
    uint8_t *bytes; /* NULL for values that are not hex (cipher_suite, group) */
    size_t len;
};

static struct vector vectors[VECTORS_MAX];
static size_t vector_count;

static inline int vector_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes n hex digits into a new buffer (caller frees); NULL if s is not even-length hex. */
static inline uint8_t *vector_unhex(const char *s, size_t n, size_t *len)
{
    if (n % 2 != 0)
        return NULL;
    uint8_t *b = malloc(n / 2 + 1);
    assert_non_null(b);
    for (size_t i = 0; i < n; i += 2) {
        int hi = vector_hexval((unsigned char)s[i]), lo = vector_hexval((unsigned char)s[i + 1]);
        if (hi < 0 || lo < 0) {
            free(b);
            return NULL;
        }
        b[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return b;
}

/* Group setup: reads $HS_TESTDATA (or tests/data)/rfc8448-simple-1rtt.txt. */
static inline int vectors_load(void **state)
{
    (void)state;
    const char *dir = getenv("HS_TESTDATA");
    char path[512];
    snprintf(path, sizeof path, "%s/rfc8448-simple-1rtt.txt", dir ? dir : "tests/data");
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        print_error("cannot open %s\n", path);
        return -1;
    }
    static char line[8192];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *colon = strchr(line, ':');
        if (colon == NULL || vector_count == VECTORS_MAX)
            continue;
        struct vector *v = &vectors[vector_count++];
        snprintf(v->name, sizeof v->name, "%.*s", (int)(colon - line), line);
        const char *val = colon + 1;
        while (*val == ' ')
            val++;
        v->len = 0;
        v->bytes = vector_unhex(val, strlen(val), &v->len);
    }
    fclose(f);
    return vector_count > 0 ? 0 : -1;
}

/* Group teardown. */
static inline int vectors_free(void **state)
{
    (void)state;
    for (size_t i = 0; i < vector_count; i++) {
        free(vectors[i].bytes);
        vectors[i].bytes = NULL;
    }
    vector_count = 0;
    return 0;
}

/* The hex vector called name; fails the running test if there is none. */
static inline const struct vector *vector_get(const char *name)
{
    for (size_t i = 0; i < vector_count; i++)
        if (strcmp(vectors[i].name, name) == 0 && vectors[i].bytes != NULL)
            return &vectors[i];
    fail_msg("test data has no hex vector %s", name);
    return NULL;
}

/* The same, as bytes and length (len may be NULL). */
static inline const uint8_t *vector_bytes(const char *name, size_t *len)
{
    const struct vector *v = vector_get(name);
    if (len != NULL)
        *len = v->len;
    return v->bytes;
}

#ifdef HS_KEYLOG_H
/* RFC 8448's four traffic secrets into kl under its client random; the one of kind `flip`
 * (HS_SECRET_COUNT: none) gets its first bit flipped, to make a wrong key log. */
static inline void vectors_add_secrets(struct hs_keylog *kl, enum hs_secret flip)
{
    const uint8_t *cr = vector_get("client_random")->bytes;
    static const struct {
        enum hs_secret kind;
        const char *name;
    } secrets[] = {
        {HS_SECRET_CLIENT_HANDSHAKE, "client_handshake_traffic_secret"},
        {HS_SECRET_SERVER_HANDSHAKE, "server_handshake_traffic_secret"},
        {HS_SECRET_CLIENT_TRAFFIC_0, "client_application_traffic_secret_0"},
        {HS_SECRET_SERVER_TRAFFIC_0, "server_application_traffic_secret_0"},
    };
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        const struct vector *e = vector_get(secrets[i].name);
        uint8_t s[64];
        assert_true(e->len <= sizeof s);
        memcpy(s, e->bytes, e->len);
        if (secrets[i].kind == flip)
            s[0] ^= 1;
        assert_int_equal(hs_keylog_add(kl, secrets[i].kind, cr, s, e->len), HS_OK);
    }
}
#endif

#endif
