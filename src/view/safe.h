/*
 * Display helpers shared by the views: a last sanitising pass over model strings (they are
 * escaped already, but a view must never trust that), and display-width arithmetic for
 * cutting and wrapping text at column boundaries.
 */
#ifndef HS_VIEW_SAFE_H
#define HS_VIEW_SAFE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A new string holding s with every invalid UTF-8 byte, C0 control and DEL written as \xNN
 * and every other code point hs_cp_unsafe() lists (C1, format and default-ignorable
 * characters, which hide or reorder text) as \u{NNNN}, as hs_escape() does.  Backslashes
 * are kept as they are, so a string that hs_escape() produced comes back unchanged.  With
 * ascii, every non-ASCII code point becomes \u{NNNN} too.
 * s == NULL gives "".  The caller frees it.
 */
char *hs_view_safe(const char *s, bool ascii);
/* hs_view_safe for hstrace's own prose (explanations): with ascii, the section sign of an RFC
 * reference ("RFC 8446 \u00a74.4.4") is written "section " instead of being escaped. */
char *hs_view_prose(const char *s, bool ascii);

/* Whether the character set of the locale (LC_CTYPE, as set up by setlocale) is UTF-8; when
 * it is not, the views draw with ASCII and escape every non-ASCII character. */
bool hs_view_locale_utf8(void);

/* Terminal columns taken by the valid UTF-8 string s[0..n) (wide East Asian and emoji: 2,
 * combining marks: 0, others: 1). */
size_t hs_view_cols(const char *s, size_t n);

/* Bytes of the longest prefix of the valid UTF-8 string s that fits in cols columns, never
 * splitting a character; *used gets its width (may be NULL). */
size_t hs_view_fit(const char *s, size_t cols, size_t *used);

#endif
