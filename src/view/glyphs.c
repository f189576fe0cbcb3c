/* The glyph table's two sets (see glyphs.h). */
#include "glyphs.h"

#define UNI(name, uni, ascii) .name = (uni),
#define ASCII(name, uni, ascii) .name = (ascii),
static const struct hs_glyphs uni_glyphs = {HS_GLYPHS(UNI)};
static const struct hs_glyphs ascii_glyphs = {HS_GLYPHS(ASCII)};
#undef UNI
#undef ASCII

const struct hs_glyphs *hs_glyphs(bool ascii)
{
    return ascii ? &ascii_glyphs : &uni_glyphs;
}
