/*
 * The demo's scenarios (hstrace --demo NAME): each is one table entry saying how the built-in
 * server is set up, what the client is made to offer, and how many connections are traced.
 */
#ifndef HS_LIVE_SCENARIO_H
#define HS_LIVE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HS_DEMO_DEFAULT "tls13"
#define HS_DEMO_MAX_CONNS 2

/* What is wrong with the server's certificate, on purpose. */
enum hs_demo_cert {
    HS_DEMO_CERT_GOOD,
    HS_DEMO_CERT_EXPIRED,    /* notAfter in the past */
    HS_DEMO_CERT_WRONG_NAME, /* a SAN that is not localhost */
    HS_DEMO_CERT_UNKNOWN_CA, /* signed by a CA the client is not given */
};

struct hs_demo_scenario {
    const char *name;
    const char *lesson;      /* one line: what it teaches */
    const char *unavailable; /* why it cannot run with this build, or NULL */
    /* the server */
    uint16_t min_version, max_version; /* 0x0303 TLS 1.2, 0x0304 TLS 1.3 */
    const int *suites;                 /* IANA numbers, 0-terminated; NULL = mbedTLS's */
    const uint16_t *groups;            /* IANA numbers, 0-terminated; NULL = mbedTLS's */
    bool rsa;                          /* an RSA 2048 certificate, else ECDSA P-256 */
    enum hs_demo_cert cert;
    bool client_auth;                  /* requires a client certificate (one is made) */
    bool tickets;                      /* issues session tickets */
    /* what the client is made to offer (NULL/false: the command line's choice) */
    const char *client_ciphers, *client_groups;
    bool client_tls12, client_tls13;
    unsigned connections;              /* 1, or 2: the second resumes the first */
};

/* The scenario called name (NULL = the default), or NULL when there is none. */
const struct hs_demo_scenario *hs_demo_find(const char *name);

/* One line per scenario: the name and its lesson (or why it is unavailable). */
void hs_demo_list(FILE *out);

/* Why 0-RTT (--early-data, --demo early-data) cannot run with this build. */
const char *hs_early_data_unavailable(void);

/* The names, comma-separated, into buf. */
void hs_demo_names(char *buf, size_t size);

#endif
