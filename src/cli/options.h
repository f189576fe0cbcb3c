/* The command line, parsed. */
#ifndef HS_OPTIONS_H
#define HS_OPTIONS_H

#include "../live/live.h"
#include "../view/view.h" /* enum hs_color */

#define HS_SNI_MAX 255 /* --sni: mbedTLS takes host names up to 255 bytes */

#include <stdbool.h>

struct hs_options {
    struct hs_live_opts live; /* the target and everything about the connection; also
                                 --keylog, --debug, --timeout, -Z and --force for -r */
    bool json;
    bool plain;            /* --plain: the text ladder even on a terminal */
    enum hs_color color;
    bool ascii;
    bool explain;          /* a plain-words line under each row */
    bool keys;             /* --keys: the key schedule (secret material) */
    bool step;             /* --step: the interactive view advances one message per key */
    bool demo;
    bool help, version;    /* -h / -V: print it and exit (main does, so a write error is said) */
    bool demo_list;        /* --demo list: print the scenarios and exit */
    const char *read_path;  /* -r FILE: decode a capture instead of connecting */
    long conn;              /* --conn N (1-based), 0 = all */
    const char *filter;     /* --filter HOST[:PORT] */
    char error[256];        /* the usage error hs_options_parse found, or "" */
    const char *svg, *mermaid, *markdown; /* slides (cli/slides.h): a file, "-" = stdout */
    enum hs_notes notes;    /* --notes none|short|all */
    bool compare;           /* --compare TARGET, --demo compare (cli/compare.h) */
    /* Several targets (cli/many.h): the command line's, then -f FILE's ("-" = stdin). */
    char **targets;         /* argv's targets (ntargets of them) */
    int ntargets;
    const char *targets_file; /* -f FILE, or NULL */
    long jobs;              /* --jobs N, 0 = the default */
    bool ladders;           /* --ladders: each target's ladder under its summary line */
};

/* Parses argv; returns 0, or 2 (usage error, message printed), or -1 (-h/-V printed, exit 0).
 */
int hs_options_parse(struct hs_options *o, int argc, char **argv);

#endif
