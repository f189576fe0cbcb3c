/* Making untrusted bytes safe to print on a terminal and to put in JSON. */
#ifndef HS_ESCAPE_H
#define HS_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Returns a new NUL-terminated string holding p[0..n) as printable, valid UTF-8: well-formed
 * UTF-8 printable characters are kept; control characters (C0, DEL, C1), bidirectional
 * overrides, invalid or overlong UTF-8 and NUL become \xNN (bytes) or \u{NNNN} (code points);
 * a backslash becomes "\\".  The caller frees it.
 */
char *hs_escape(const uint8_t *p, size_t n);

/* Length (2..4) of a well-formed, non-overlong UTF-8 sequence (no surrogates) at p[0..n)
 * whose lead byte is >= 0x80, or 0; *cp gets its code point. */
size_t hs_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);

/* Code points that change how a terminal lays out the text around them (C1 controls,
 * zero-width and bidirectional formatting, line/paragraph separators). */
bool hs_cp_unsafe(uint32_t cp);

/* Same, for a NUL-terminated string. */
char *hs_escape_str(const char *s);

#endif
