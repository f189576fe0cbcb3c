/* The field tree shared by the decoder and every view. */
#include "field.h"

#include "escape.h"
#include "mem.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/*
 * Node pool.  Reading a capture makes and frees a few hundred nodes per connection, millions
 * in all; through malloc that was a quarter of the time.  Freed nodes go on a list of their
 * thread; a thread with many spare nodes gives a batch back to a shared list, and a thread
 * that runs out takes a batch from it (one lock per batch), so memory follows the most nodes
 * alive at once even when one thread makes trees another frees.  The blocks are never given
 * back to the system, and stay reachable from `blocks` (no leak for a leak checker).
 * Sanitizer builds use malloc for each node, so that a use after free is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define HS_FIELD_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define HS_FIELD_POOL 0
#endif
#endif
#ifndef HS_FIELD_POOL
#define HS_FIELD_POOL 1
#endif

#if HS_FIELD_POOL
#define POOL_BATCH 256 /* nodes per block, and per batch moved between lists */

struct pool_block {
    struct pool_block *next;
    struct hs_field nodes[POOL_BATCH];
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pool_block *blocks;    /* every block made (under pool_lock) */
static struct hs_field *shared_free; /* spare nodes given back by threads (under pool_lock) */
static size_t shared_n;
static _Thread_local struct hs_field *local_free;
static _Thread_local size_t local_n;

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static pthread_key_t pool_key;
static _Thread_local bool local_registered;

/* Moves the first n (1..local_n) of the thread's spare nodes to the shared list. */
static void give_back(size_t n)
{
    struct hs_field *first = local_free, *last = first;
    for (size_t k = 1; k < n; k++)
        last = last->next;
    local_free = last->next;
    local_n -= n;
    pthread_mutex_lock(&pool_lock);
    last->next = shared_free;
    shared_free = first;
    shared_n += n;
    pthread_mutex_unlock(&pool_lock);
}

/* A thread ends: its spare nodes go to the shared list. */
static void pool_thread_end(void *unused)
{
    (void)unused;
    if (local_n > 0)
        give_back(local_n);
}

static void pool_key_make(void)
{
    (void)pthread_key_create(&pool_key, pool_thread_end);
}

/* The thread's spare nodes are given back when it ends. */
static void pool_register(void)
{
    local_registered = true;
    (void)pthread_once(&pool_once, pool_key_make);
    (void)pthread_setspecific(pool_key, &local_registered);
}

/* Takes a batch from the shared list, or makes a block: local_free is empty on entry. */
static void pool_refill(void)
{
    if (!local_registered)
        pool_register();
    pthread_mutex_lock(&pool_lock);
    if (shared_n > 0) {
        struct hs_field *first = shared_free, *last = first;
        size_t n = 1;
        while (n < POOL_BATCH && last->next) {
            last = last->next;
            n++;
        }
        shared_free = last->next;
        shared_n -= n;
        last->next = NULL;
        local_free = first;
        local_n = n;
        pthread_mutex_unlock(&pool_lock);
        return;
    }
    struct pool_block *b = hs_xmalloc(sizeof *b);
    b->next = blocks;
    blocks = b;
    pthread_mutex_unlock(&pool_lock);
    for (size_t i = 0; i + 1 < POOL_BATCH; i++)
        b->nodes[i].next = &b->nodes[i + 1];
    b->nodes[POOL_BATCH - 1].next = NULL;
    local_free = &b->nodes[0];
    local_n = POOL_BATCH;
}
#endif

static struct hs_field *node_alloc(void)
{
#if HS_FIELD_POOL
    if (local_free == NULL)
        pool_refill();
    struct hs_field *f = local_free;
    local_free = f->next;
    local_n--;
    memset(f, 0, sizeof *f);
    return f;
#else
    return hs_xcalloc(1, sizeof(struct hs_field));
#endif
}

static void node_release(struct hs_field *f)
{
#if HS_FIELD_POOL
    if (!local_registered)
        pool_register();
    f->next = local_free;
    local_free = f;
    if (++local_n < 4 * POOL_BATCH)
        return;
    give_back(POOL_BATCH); /* many spare nodes here: a batch for the other threads */
#else
    free(f);
#endif
}

size_t hs_field_pool_nodes(void)
{
    size_t n = 0;
#if HS_FIELD_POOL
    pthread_mutex_lock(&pool_lock);
    for (const struct pool_block *b = blocks; b; b = b->next)
        n += POOL_BATCH;
    pthread_mutex_unlock(&pool_lock);
#endif
    return n;
}

static struct hs_field *node(enum hs_field_kind kind)
{
    struct hs_field *f = node_alloc();
    f->kind = kind;
    return f;
}

static void drop_str(struct hs_field *f)
{
    if (f->str != f->str_inl)
        free(f->str);
    f->str = NULL;
}

/* Printable ASCII other than the backslash: the text escapes to itself. */
static bool plain_ascii(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\')
            return false;
    return true;
}

/* Stores p[0..n) as the node's string: kept in the node when short and plain, else escaped
 * (own_text: hstrace's own text, whose drawing characters stay; hs_escape_str's rules). */
static void set_str(struct hs_field *f, const uint8_t *p, size_t n, bool own_text)
{
    if (n < sizeof f->str_inl && plain_ascii(p, n)) {
        memcpy(f->str_inl, p, n);
        f->str_inl[n] = '\0';
        f->str = f->str_inl;
        return;
    }
    char *e;
    if (own_text) {
        /* hs_escape_str wants a C string: p[n] is NUL for every caller. */
        e = hs_escape_str((const char *)p);
    } else {
        e = hs_escape(p, n);
    }
    size_t len = strlen(e);
    if (len < sizeof f->str_inl) {
        memcpy(f->str_inl, e, len + 1);
        f->str = f->str_inl;
        free(e);
    } else {
        f->str = e;
    }
}

struct hs_field *hs_field_new_object(void) { return node(HS_F_OBJECT); }

struct hs_field *hs_field_new_array(void) { return node(HS_F_ARRAY); }

static void drop_name(struct hs_field *f)
{
    if (f->name != f->name_inl)
        free(f->name);
    f->name = NULL;
}

static void set_name(struct hs_field *f, const char *name)
{
    size_t n = strlen(name);
    if (n < sizeof f->name_inl) {
        memcpy(f->name_inl, name, n + 1);
        f->name = f->name_inl;
    } else {
        f->name = hs_xstrdup(name);
    }
}

struct hs_field *hs_f_attach(struct hs_field *parent, const char *name, struct hs_field *f)
{
    if (f == NULL)
        return NULL;
    drop_name(f);
    if (parent == NULL)
        return f;
    if (parent->kind == HS_F_OBJECT)
        set_name(f, name ? name : "");
    if (parent->last_child)
        parent->last_child->next = f;
    else
        parent->child = f;
    parent->last_child = f;
    return f;
}

struct hs_field *hs_f_obj(struct hs_field *parent, const char *name)
{
    return hs_f_attach(parent, name, node(HS_F_OBJECT));
}

struct hs_field *hs_f_arr(struct hs_field *parent, const char *name)
{
    return hs_f_attach(parent, name, node(HS_F_ARRAY));
}

struct hs_field *hs_f_str(struct hs_field *parent, const char *name, const char *s)
{
    if (s == NULL)
        return hs_f_null(parent, name);
    struct hs_field *f = node(HS_F_STRING);
    set_str(f, (const uint8_t *)s, strlen(s), true);
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_str_escaped(struct hs_field *parent, const char *name, char *s)
{
    if (s == NULL)
        return hs_f_null(parent, name);
    struct hs_field *f = node(HS_F_STRING);
    f->str = s;
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_text(struct hs_field *parent, const char *name, const uint8_t *p, size_t n)
{
    struct hs_field *f = node(HS_F_STRING);
    set_str(f, p, n, false);
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_hex(struct hs_field *parent, const char *name, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    struct hs_field *f = node(HS_F_STRING);
    f->str = 2 * n + 1 <= sizeof f->str_inl ? f->str_inl : hs_xmalloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        f->str[2 * i] = digits[p[i] >> 4];
        f->str[2 * i + 1] = digits[p[i] & 15];
    }
    f->str[2 * n] = '\0';
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_int(struct hs_field *parent, const char *name, long long v)
{
    struct hs_field *f = node(HS_F_INT);
    f->num = v;
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_bool(struct hs_field *parent, const char *name, bool v)
{
    struct hs_field *f = node(HS_F_BOOL);
    f->num = v ? 1 : 0;
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_null(struct hs_field *parent, const char *name)
{
    return hs_f_attach(parent, name, node(HS_F_NULL));
}

struct hs_field *hs_f_fmt(struct hs_field *parent, const char *name, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof buf)
        return hs_f_str(parent, name, buf);
    va_start(ap, fmt);
    char *tmp = hs_xvasprintf(fmt, ap);
    va_end(ap);
    struct hs_field *f = hs_f_str(parent, name, tmp);
    free(tmp);
    return f;
}

struct hs_field *hs_f_span(struct hs_field *f, size_t off, size_t len)
{
    if (f && off <= UINT32_MAX && len <= UINT32_MAX - off) {
        f->off = (uint32_t)off;
        f->len = (uint32_t)len;
    } else if (f) {
        f->off = f->len = 0; /* beyond any message: no span */
    }
    return f;
}

const struct hs_field *hs_f_get(const struct hs_field *obj, const char *name)
{
    if (obj == NULL || obj->kind != HS_F_OBJECT)
        return NULL;
    for (const struct hs_field *c = obj->child; c; c = c->next)
        if (c->name && strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const char *hs_f_get_str(const struct hs_field *obj, const char *name)
{
    const struct hs_field *f = hs_f_get(obj, name);
    return f && f->kind == HS_F_STRING ? f->str : NULL;
}

bool hs_f_get_int(const struct hs_field *obj, const char *name, long long *out)
{
    const struct hs_field *f = hs_f_get(obj, name);
    if (f == NULL || (f->kind != HS_F_INT && f->kind != HS_F_BOOL))
        return false;
    *out = f->num;
    return true;
}

size_t hs_f_count(const struct hs_field *n)
{
    size_t k = 0;
    for (const struct hs_field *c = n ? n->child : NULL; c; c = c->next)
        k++;
    return k;
}

struct hs_field *hs_field_clone(const struct hs_field *f)
{
    if (f == NULL)
        return NULL;
    struct hs_field *c = node(f->kind);
    if (f->name)
        set_name(c, f->name);
    if (f->str == f->str_inl) {
        memcpy(c->str_inl, f->str_inl, sizeof c->str_inl);
        c->str = c->str_inl;
    } else {
        c->str = f->str ? hs_xstrdup(f->str) : NULL;
    }
    c->num = f->num;
    c->off = f->off;
    c->len = f->len;
    for (const struct hs_field *k = f->child; k; k = k->next) {
        struct hs_field *kc = hs_field_clone(k);
        if (c->last_child)
            c->last_child->next = kc;
        else
            c->child = kc;
        c->last_child = kc;
    }
    return c;
}

void hs_field_free(struct hs_field *f)
{
    if (f == NULL)
        return;
    struct hs_field *c = f->child;
    while (c) {
        struct hs_field *next = c->next;
        hs_field_free(c);
        c = next;
    }
    drop_name(f);
    drop_str(f);
    node_release(f);
}
