/* Making untrusted bytes safe to print on a terminal and to put in JSON. */
#ifndef HS_ESCAPE_H
#define HS_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Returns a new NUL-terminated string holding p[0..n), bytes from a peer, as printable, valid
 * UTF-8: well-formed UTF-8 characters are kept unless hs_cp_unsafe() or hs_cp_drawing() says
 * otherwise; C0 controls, NUL, DEL and the bytes of invalid or overlong UTF-8 become \xNN, the
 * other code points escaped (C1 controls included) \u{NNNN}; a backslash becomes "\\".  The
 * caller frees it.
 */
char *hs_escape(const uint8_t *p, size_t n);

/* Length (2..4) of a well-formed, non-overlong UTF-8 sequence (no surrogates) at p[0..n)
 * whose lead byte is >= 0x80, or 0; *cp gets its code point. */
size_t hs_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);

/* Writes the UTF-8 form (1..4 bytes) of cp (at most 0x10ffff) to out; its length. */
size_t hs_utf8_encode(uint32_t cp, uint8_t out[4]);

/* The one list of code points never shown raw: controls (C0, DEL, C1), line and paragraph
 * separators, Unicode's format characters (general category Cf: bidirectional controls,
 * zero-width characters, tags, ...) and default-ignorable code points (variation selectors,
 * fillers, soft hyphen, ...), which hide or reorder text on a terminal, and the noncharacters
 * (U+FDD0..U+FDEF, U+xxFFFE and U+xxFFFF), which are never text. */
bool hs_cp_unsafe(uint32_t cp);

/* hstrace's own drawing characters (arrows, the middle dot, the cross, box drawing and the
 * triangles of the ladder and the field tree): a peer's text may not show them raw, so
 * whatever a view draws with them is hstrace's, and --ascii can turn them into ASCII. */
bool hs_cp_drawing(uint32_t cp);

/* The same escaping for text hstrace wrote itself (a summary, a reason line), in which peer
 * text was escaped already: unsafe code points are escaped, drawing characters kept. */
char *hs_escape_str(const char *s);

/* A last pass over a string whose peer parts were escaped already (by hs_escape): controls,
 * unsafe code points and invalid UTF-8 are escaped, backslashes and drawing characters are
 * kept, so an escaped string comes back unchanged.  s == NULL gives "". */
char *hs_escape_again(const char *s);

#endif
