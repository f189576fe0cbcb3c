/*
 * A streaming JSON writer: values go into a growable memory buffer, written out in large
 * chunks (or kept, for a document wanted in memory).  Its bytes are those jansson 2.14 dumps
 * with hstrace's flags (hs_json_flags: JSON_INDENT(2), JSON_REAL_PRECISION(12), optionally
 * JSON_ENSURE_ASCII; or JSON_COMPACT without indent), so documents did not change when the
 * views stopped building a jansson tree:
 *
 *  - indented: "{" newline, each member on its own line two spaces deeper than its
 *    container, "key": value, members separated by ",", the closing bracket on its own line;
 *    an empty object or array is "{}" / "[]"; compact: no newline, no space (",", ":");
 *  - strings: \" \\ \b \f \n \r \t, other C0 controls \u00XX (upper-case hex), everything
 *    else as it is, or with HS_JSONW_ASCII every non-ASCII character \uXXXX (a surrogate pair
 *    above U+FFFF);
 *  - a string that is not valid UTF-8 (jansson refused it) is written as its hs_view_safe()
 *    copy, which is; reals "%.12g", ".0" added when that has neither '.' nor 'e', the
 *    exponent without '+' and without leading zeros; integers in decimal.
 *
 * Nothing is checked about the order of calls: the caller writes a key before each member
 * of an object.  Writes to the FILE happen between values only; the first failure is kept.
 */
#ifndef HS_VIEW_JSONW_H
#define HS_VIEW_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define HS_JSONW_ASCII 1u   /* every non-ASCII character as \uXXXX (JSON_ENSURE_ASCII) */
#define HS_JSONW_COMPACT 2u /* one line, no spaces (JSON Lines) */

struct hs_jsonw {
    FILE *out;           /* where the buffer goes; NULL: kept in memory (hs_jsonw_take) */
    char *buf;
    size_t len, cap;
    unsigned char *open; /* per open container: 1 once it holds a member */
    size_t nopen, open_cap;
    int base;            /* depth of the first value (its members are one deeper) */
    bool ascii, compact;
    bool after_key;      /* the next value follows a key: no separator */
    bool err;            /* a write failed */
};

/* A writer to out (NULL: into memory) with HS_JSONW_* flags; depth: how deep the first
 * value sits in an enclosing document written by someone else (0 for a whole document;
 * each level is two spaces). */
void hs_jsonw_init(struct hs_jsonw *w, FILE *out, unsigned flags, int depth);
/* Frees the buffer (without writing it: see hs_jsonw_flush). */
void hs_jsonw_free(struct hs_jsonw *w);
/* Writes what is buffered to out; 0, or -1 if this or any earlier write failed. */
int hs_jsonw_flush(struct hs_jsonw *w);
/* Memory mode: the text so far (NUL-terminated, *len bytes if len is not NULL), which the
 * caller frees; the writer is left empty. */
char *hs_jsonw_take(struct hs_jsonw *w, size_t *len);

/* Bytes written as they are, between values (the glue of a document written partly by hand). */
void hs_jsonw_raw(struct hs_jsonw *w, const char *s, size_t n);

void hs_jsonw_obj(struct hs_jsonw *w);
void hs_jsonw_obj_end(struct hs_jsonw *w);
void hs_jsonw_arr(struct hs_jsonw *w);
void hs_jsonw_arr_end(struct hs_jsonw *w);
/* The key of the next member.  false: it was not valid UTF-8 and its hs_view_safe() copy was
 * written instead (jansson refused such a key; hstrace stored the safe key with null). */
bool hs_jsonw_key(struct hs_jsonw *w, const char *k);
/* A string (NULL: null). */
void hs_jsonw_str(struct hs_jsonw *w, const char *s);
void hs_jsonw_int(struct hs_jsonw *w, long long v);
/* A real; not finite (jansson has no such value): null. */
void hs_jsonw_real(struct hs_jsonw *w, double v);
void hs_jsonw_bool(struct hs_jsonw *w, bool v);
void hs_jsonw_null(struct hs_jsonw *w);

/* Whether jansson takes s as a string: valid UTF-8 (no overlong form, no surrogate, nothing
 * above U+10FFFF). */
bool hs_jsonw_utf8_ok(const char *s);

#endif
