/* The field tree shared by the decoder and every view. */
#include "field.h"

#include "escape.h"
#include "mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static struct hs_field *node(enum hs_field_kind kind)
{
    struct hs_field *f = hs_xcalloc(1, sizeof *f);
    f->kind = kind;
    return f;
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
    f->str = hs_escape_str(s);
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_text(struct hs_field *parent, const char *name, const uint8_t *p, size_t n)
{
    struct hs_field *f = node(HS_F_STRING);
    f->str = hs_escape(p, n);
    return hs_f_attach(parent, name, f);
}

struct hs_field *hs_f_hex(struct hs_field *parent, const char *name, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    struct hs_field *f = node(HS_F_STRING);
    f->str = hs_xmalloc(2 * n + 1);
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
    va_list ap;
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
    c->str = f->str ? hs_xstrdup(f->str) : NULL;
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
    free(f->str);
    free(f);
}
