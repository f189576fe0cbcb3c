/*
 * The key schedule as text: the title, the version and suite, one tree entry per step
 * ("name  label <- inputs  [source]" and its value or why it is missing underneath), the
 * Finished verdicts and the key log labels that were missing.
 */
#include "keys.h"

#include "../core/mem.h"
#include "glyphs.h"
#include "safe.h"

#include <stdlib.h>
#include <string.h>

struct out {
    bool ascii;
    hs_keys_line_fn fn;
    void *ctx;
};

/* Emits the formatted line made safe. */
static void emit(const struct out *o, bool problem, char *line)
{
    char *safe = hs_view_safe(line, o->ascii);
    o->fn(o->ctx, safe, problem);
    free(safe);
    free(line);
}

static const char *str_or(const struct hs_field *f, const char *name, const char *dflt)
{
    const char *s = hs_f_get_str(f, name);
    return s ? s : dflt;
}

/* "a, b" from an array of strings. */
static char *joined(const struct hs_field *arr)
{
    char *s = hs_xstrdup("");
    for (const struct hs_field *c = arr ? arr->child : NULL; c; c = c->next) {
        char *n = hs_xasprintf("%s%s%s", s, *s ? ", " : "", c->str ? c->str : "");
        free(s);
        s = n;
    }
    return s;
}

static void put_step(const struct out *o, const struct hs_glyphs *g, const struct hs_field *st,
                     bool last)
{
    char *in = joined(hs_f_get(st, "inputs"));
    emit(o, false,
         hs_xasprintf("%s%s %s  \"%s\" %s %s  [%s]", last ? g->corner : g->tee, g->hline, str_or(st, "name", "?"), str_or(st, "label", ""), g->from, in,
                      str_or(st, "source", "?")));
    free(in);
    char *lead = hs_xasprintf("%s    ", last ? " " : g->vline);
    const char *value = hs_f_get_str(st, "value");
    const char *check = hs_f_get_str(st, "check");
    if (value == NULL)
        emit(o, false, hs_xasprintf("%snot available: %s", lead, str_or(st, "reason", "")));
    else
        emit(o, false, hs_xasprintf("%s%s", lead, value));
    if (value && check)
        emit(o, strcmp(check, "verified") != 0,
             hs_xasprintf("%sreceived %s: %s", lead, str_or(st, "received", ""), check));
    free(lead);
}

void hs_view_keys(const struct hs_field *ks, bool ascii, hs_keys_line_fn fn, void *ctx)
{
    if (ks == NULL)
        return;
    const struct out o = {.ascii = ascii, .fn = fn, .ctx = ctx};
    const struct hs_glyphs *g = hs_glyphs(ascii);
    emit(&o, false, hs_xstrdup(HS_KEYS_TITLE));
    emit(&o, false, hs_xasprintf("%s%s%s", str_or(ks, "version", "?"), g->sep,
                                 str_or(ks, "cipher_suite", "?")));
    const struct hs_field *steps = hs_f_get(ks, "steps");
    for (const struct hs_field *st = steps ? steps->child : NULL; st; st = st->next)
        put_step(&o, g, st, st->next == NULL);
    const struct hs_field *fin = hs_f_get(ks, "finished");
    const char *verdict[2] = {str_or(fin, "client", "unavailable"),
                              str_or(fin, "server", "unavailable")};
    bool bad = strcmp(verdict[0], "verified") != 0 || strcmp(verdict[1], "verified") != 0;
    emit(&o, bad, hs_xasprintf("Finished: client %s, server %s", verdict[0], verdict[1]));
    static const struct {
        const char *key, *who;
    } reasons[] = {{"client_reason", "client"}, {"server_reason", "server"}, {"reason", "both"}};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
        if (hs_f_get_str(fin, reasons[i].key))
            emit(&o, false, hs_xasprintf("  %s: %s", reasons[i].who,
                                         hs_f_get_str(fin, reasons[i].key)));
    char *missing = joined(hs_f_get(ks, "missing"));
    if (*missing)
        emit(&o, false, hs_xasprintf("missing from the key log: %s", missing));
    free(missing);
}
