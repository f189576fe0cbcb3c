/*
 * The target list of a run with several targets: the command line's targets, then the lines
 * of -f FILE ("-" = standard input).  One target a line; a '#' at the start of a line or
 * after a blank begins a comment; blank lines and the blanks around a target are ignored.
 * Bounded: HS_TARGETS_MAX targets in all, lines of HS_TARGET_LINE_MAX bytes, files of
 * HS_TARGETS_FILE_MAX bytes.  Every target is checked (live/target.h) before anything runs.
 */
#ifndef HS_CLI_TARGETS_H
#define HS_CLI_TARGETS_H

#include <stddef.h>

#define HS_TARGETS_MAX 10000
#define HS_TARGET_LINE_MAX 1024
#define HS_TARGETS_FILE_MAX (4u << 20)

struct hs_target_list {
    char **v; /* malloc'd strings, as written (blanks and comment removed) */
    size_t n, cap;
};

/* Adds one target; where says where it came from in an error ("argument 3", "FILE line 7").
 * port is -p's (0 = none), for the check.  0, or -1 with the reason in err. */
int hs_target_list_add(struct hs_target_list *l, const char *s, size_t len, unsigned port,
                       const char *where, char *err, size_t errsz);

/* Adds the targets of text (len bytes, named name in errors).  0, or -1 with err. */
int hs_target_list_parse(struct hs_target_list *l, const char *text, size_t len,
                         const char *name, unsigned port, char *err, size_t errsz);

/* Reads path ("-": standard input) and adds its targets.  0, or -1 with err. */
int hs_target_list_read(struct hs_target_list *l, const char *path, unsigned port, char *err,
                        size_t errsz);

void hs_target_list_free(struct hs_target_list *l);

#endif
