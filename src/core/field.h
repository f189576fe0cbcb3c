/*
 * A decoded message's fields, as a small tree (object / array / string / int / bool / null)
 * that every view renders: JSON maps it one to one, the text ladder reads a few named fields,
 * the interactive view folds it.  Every string stored here has passed through hs_escape(), so
 * a view may print it as it is.  Each node may name the bytes of its message it came from
 * (off, len), for the hex dump's highlight.
 */
#ifndef HS_FIELD_H
#define HS_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hs_field_kind { HS_F_OBJECT, HS_F_ARRAY, HS_F_STRING, HS_F_INT, HS_F_BOOL, HS_F_NULL };

#define HS_FIELD_NAME_INLINE 24 /* names shorter than this live inside the node */
#define HS_FIELD_STR_INLINE 40  /* so do string values shorter than this */

struct hs_field {
    enum hs_field_kind kind;
    uint32_t off, len; /* span in the message bytes; len 0 = no span (hs_f_span) */
    char *name;      /* key inside an object; NULL for array elements and the root */
    char *str;       /* HS_F_STRING: escaped, printable UTF-8 */
    long long num;   /* HS_F_INT value; HS_F_BOOL 0 or 1 */
    struct hs_field *child, *last_child, *next;
    /* A short name and a short string are kept here rather than in blocks of their own (an
     * allocation less per node: a decoded handshake has hundreds).  Set names and strings
     * only through this API. */
    char name_inl[HS_FIELD_NAME_INLINE];
    char str_inl[HS_FIELD_STR_INLINE];
};

/* A new, empty object (a root). */
struct hs_field *hs_field_new_object(void);
/* A new, empty array (a root). */
struct hs_field *hs_field_new_array(void);

/*
 * Adders: append a node to parent (an object: name is its key; an array: name is ignored)
 * and return it.  parent may be NULL, in which case the node is created, not attached, and
 * returned (the caller owns it).
 */
struct hs_field *hs_f_obj(struct hs_field *parent, const char *name);
struct hs_field *hs_f_arr(struct hs_field *parent, const char *name);
/* s is escaped on the way in (NULL stores null). */
struct hs_field *hs_f_str(struct hs_field *parent, const char *name, const char *s);
/* Untrusted bytes meant as text (a certificate name, an SNI): escaped. */
struct hs_field *hs_f_text(struct hs_field *parent, const char *name, const uint8_t *p, size_t n);
/* A string that is escaped already (hs_escape): stored as it is; the node takes s, which must
 * come from malloc (NULL stores null). */
struct hs_field *hs_f_str_escaped(struct hs_field *parent, const char *name, char *s);
/* Bytes shown as lowercase hex ("" for n == 0). */
struct hs_field *hs_f_hex(struct hs_field *parent, const char *name, const uint8_t *p, size_t n);
struct hs_field *hs_f_int(struct hs_field *parent, const char *name, long long v);
struct hs_field *hs_f_bool(struct hs_field *parent, const char *name, bool v);
struct hs_field *hs_f_null(struct hs_field *parent, const char *name);
struct hs_field *hs_f_fmt(struct hs_field *parent, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Attach an existing node (e.g. a subtree built elsewhere) under name; parent NULL: the node
 * only loses its name (a root has none). */
struct hs_field *hs_f_attach(struct hs_field *parent, const char *name, struct hs_field *node);

/* Sets the node's byte span in its message and returns it. */
struct hs_field *hs_f_span(struct hs_field *f, size_t off, size_t len);

/* Look-ups (first match, NULL when absent or of another kind). */
const struct hs_field *hs_f_get(const struct hs_field *obj, const char *name);
const char *hs_f_get_str(const struct hs_field *obj, const char *name);
bool hs_f_get_int(const struct hs_field *obj, const char *name, long long *out);
size_t hs_f_count(const struct hs_field *node);

/* Deep copy and free (both accept NULL).  Nodes are recycled through a pool (field.c): a
 * decoded capture makes and frees millions of them. */
struct hs_field *hs_field_clone(const struct hs_field *f);
void hs_field_free(struct hs_field *f);
/* Nodes the pool holds, in use or spare (0 in sanitizer builds, which have none). */
size_t hs_field_pool_nodes(void);

#endif
