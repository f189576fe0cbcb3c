/* The command line, parsed. */
#ifndef HS_OPTIONS_H
#define HS_OPTIONS_H

#include "../view/view.h" /* enum hs_color */

#define HS_SNI_MAX 255 /* --sni: mbedTLS takes host names up to 255 bytes */

#include <stdbool.h>

struct hs_options {
    const char *target;    /* HOST[:PORT], [V6]:PORT or https://HOST[:PORT]/..., or NULL */
    unsigned port;         /* -p; 0 = from the target, else 443 */
    int family;            /* 0 any, 4, 6 */
    const char *sni;       /* --sni; NULL = the host name (not for IP literals) */
    bool no_sni;
    const char *alpn;      /* comma-separated protocol list, or NULL */
    bool only_tls12, only_tls13;
    const char *ciphers;   /* comma-separated IANA (or OpenSSL) suite names, or NULL */
    const char *groups;    /* comma-separated group names, or NULL */
    const char *cafile, *capath;
    bool insecure;         /* -k */
    double timeout_s;      /* connect and handshake, default 10 */
    bool json;
    bool plain;            /* --plain: the text ladder even on a terminal */
    enum hs_color color;
    bool ascii;
    bool explain;          /* a plain-words line under each row */
    const char *keylog;    /* --keylog FILE, else $SSLKEYLOGFILE, else NULL */
    int debug;             /* --debug N: mbedTLS debug threshold, 0 = off */
    bool demo;
    const char *write_path; /* -w FILE: the traced connection's packets (pcap, or pcapng) */
    const char *read_path;  /* -r FILE: decode a capture instead of connecting */
    long conn;              /* --conn N (1-based), 0 = all */
    const char *filter;     /* --filter HOST[:PORT] */
    const char *user;       /* -Z USER: who to become once the capture is open, or NULL */
    bool force;             /* --force: -w and saves may replace an existing file */
};

/* Parses argv; returns 0, or 2 (usage error, message printed), or -1 (-h/-V printed, exit 0).
 */
int hs_options_parse(struct hs_options *o, int argc, char **argv);

#endif
