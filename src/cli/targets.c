/* The target list of -f FILE and the command line (see targets.h). */
#include "targets.h"

#include "../core/escape.h"
#include "../core/infile.h"
#include "../core/mem.h"
#include "../live/target.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HS_STR_(x) #x
#define HS_STR(x) HS_STR_(x)

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* err gets "WHERE: WHAT 'TEXT'" with the text escaped (it is a stranger's, for a terminal). */
static int list_error(char *err, size_t errsz, const char *where, const char *what,
                      const char *s, size_t len)
{
    char *esc = hs_escape((const uint8_t *)s, len > 200 ? 200 : len);
    snprintf(err, errsz, "%s: %s '%.200s%s'", where, what, esc, len > 200 ? "..." : "");
    free(esc);
    return -1;
}

int hs_target_list_add(struct hs_target_list *l, const char *s, size_t len, unsigned port,
                       const char *where, char *err, size_t errsz)
{
    if (l->n >= HS_TARGETS_MAX) {
        snprintf(err, errsz, "%s: more than %d targets (the limit)", where, HS_TARGETS_MAX);
        return -1;
    }
    if (memchr(s, '\0', len) != NULL)
        return list_error(err, errsz, where, "a NUL byte in target", s, len);
    char *t = hs_xmalloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    struct hs_target tg;
    char why[128], what[160];
    if (hs_target_parse(t, port, &tg, why, sizeof why) != 0) {
        free(t);
        snprintf(what, sizeof what, "invalid target (%s):", why);
        return list_error(err, errsz, where, what, s, len);
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = hs_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = t;
    return 0;
}

/* One line (without its newline): the target it holds, if any. */
static int parse_line(struct hs_target_list *l, const char *p, size_t n, const char *where,
                      unsigned port, char *err, size_t errsz)
{
    if (n > HS_TARGET_LINE_MAX)
        return list_error(err, errsz, where, "line longer than " HS_STR(HS_TARGET_LINE_MAX) " bytes:", p, n);
    size_t a = 0;
    while (a < n && blank(p[a]))
        a++;
    size_t b = a;
    while (b < n && !blank(p[b]) && !(p[b] == '#' && b == a))
        b++;
    /* After the target: blanks, then nothing or a comment. */
    size_t c = b;
    while (c < n && blank(p[c]))
        c++;
    if (c < n && p[c] != '#')
        return list_error(err, errsz, where, "one target a line; after the target:", p + c,
                          n - c);
    if (a == b)
        return 0; /* blank, or a comment */
    return hs_target_list_add(l, p + a, b - a, port, where, err, errsz);
}

int hs_target_list_parse(struct hs_target_list *l, const char *text, size_t len,
                         const char *name, unsigned port, char *err, size_t errsz)
{
    size_t line = 0;
    char *esc = hs_escape_str(name);
    int r = 0;
    for (size_t i = 0; i < len && r == 0;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        char where[96];
        snprintf(where, sizeof where, "%.60s line %zu", esc, ++line);
        r = parse_line(l, text + i, end - i, where, port, err, errsz);
        i = end + 1;
    }
    free(esc);
    return r;
}

int hs_target_list_read(struct hs_target_list *l, const char *path, unsigned port, char *err,
                        size_t errsz)
{
    bool std_in = strcmp(path, "-") == 0;
    size_t len;
    char *text = std_in ? hs_infile_read_fd(STDIN_FILENO, "standard input",
                                            HS_TARGETS_FILE_MAX, &len, err, errsz)
                        : hs_infile_read(path, HS_TARGETS_FILE_MAX, &len, err, errsz);
    if (text == NULL)
        return -1;
    int r = hs_target_list_parse(l, text, len, std_in ? "standard input" : path, port, err,
                                 errsz);
    free(text);
    return r;
}

void hs_target_list_free(struct hs_target_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}
