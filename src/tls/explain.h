/*
 * Explanations for learners: one to three sentences on a TLS row, an alert or a field, written
 * for the connection at hand (version, key exchange, group, resumption, early data, side) and
 * ending with the RFC section they follow, e.g. "(RFC 8446 §4.4.4)".
 *
 *   explain.c         the context and the message texts (hs_explain_event)
 *   explain_alerts.c  one entry per alert description (hs_explain_alert)
 *   explain_fields.c  one entry per (message, field) (hs_explain_field)
 */
#ifndef HS_EXPLAIN_H
#define HS_EXPLAIN_H

#include "../core/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How the keys are agreed, from the negotiated suite and version. */
enum hs_kx_kind {
    HS_KXK_UNKNOWN = 0,
    HS_KXK_RSA,        /* TLS 1.2 and below: the client encrypts the pre-master secret */
    HS_KXK_ECDHE,      /* ephemeral elliptic-curve Diffie-Hellman (RFC 8422) */
    HS_KXK_DHE,        /* ephemeral finite-field Diffie-Hellman */
    HS_KXK_PSK,        /* TLS 1.2 pre-shared key suites (RFC 4279) */
    HS_KXK_OTHER,      /* static DH, SRP, ... */
    HS_KXK_TLS13,      /* TLS 1.3: (EC)DHE key_share, with or without a PSK */
};

/* What the decoder knows about the connection when a row is added. */
struct hs_explain_ctx {
    uint16_t version;        /* negotiated, 0 while unknown */
    uint16_t suite;          /* negotiated, 0 while unknown */
    enum hs_kx_kind kx;
    const char *suite_name;  /* IANA name, or NULL */
    const char *group;       /* key-exchange group name, or NULL */
    bool offers_tls13;       /* the ClientHello lists TLS 1.3 */
    unsigned hello_count;    /* ClientHellos seen (2 after a HelloRetryRequest) */
    unsigned hrr_count;      /* HelloRetryRequests seen */
    bool psk;                /* TLS 1.3: the server accepted a pre-shared key */
    bool resumed;            /* TLS 1.2: an earlier session resumed (id or ticket) */
    bool early_offered;      /* the client sent early_data (0-RTT) */
    bool early_accepted;     /* the server accepted it */
    bool early_ended;        /* EndOfEarlyData seen */
    bool client_finished;    /* the client's Finished seen */
    bool ems;                /* extended_master_secret in both hellos (RFC 7627) */
    bool server_certificate; /* the server sent a Certificate */
};

enum hs_kx_kind hs_kx_kind_of(uint16_t suite, uint16_t version);

/* The explanation of a TLS row ev (its type, side and fields) in the connection cx: a new
 * string (the caller frees it), or NULL for a row that is not TLS. */
char *hs_explain_event(const struct hs_event *ev, const struct hs_explain_ctx *cx);

/* The explanation of an alert: description code (or -1 when unreadable), level (1 warning,
 * 2 fatal, 0 unknown), sender.  Written into buf (n bytes); returns buf. */
const char *hs_explain_alert(int desc, int level, enum hs_side from, char *buf, size_t n);
/* The table entry for one description ("who sends it and what it means ... (RFC ...)"), or
 * NULL for a code hstrace has no entry for. */
const char *hs_alert_meaning(uint8_t desc);

/* One or two sentences on a field of a message (msg_type as in the row, e.g. "ServerHello";
 * field as named in the field tree, or an extension's type name such as "key_share"), ending
 * with its reference; NULL when hstrace has none. */
const char *hs_explain_field(const char *msg_type, const char *field);

#endif
