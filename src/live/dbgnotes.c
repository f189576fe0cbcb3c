/*
 * Known mbedTLS 3.6 debug lines, in plain words.  Only annotations: wire rows never use them.
 * Notes say what the library did (keys derived and switched, a key exchange, a ticket kept),
 * never which state its handshake loop passes through: mbedTLS steps through "server key
 * exchange", "certificate request", "client certificate" and "certificate verify" even when no
 * such message is sent or received, and the ladder already shows every message there is.
 */
#include "dbgnotes.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

struct known {
    const char *line;   /* the line starts with this (after the context prefix) */
    const char *note;
};

static const struct known known[] = {
    {"<= ssl_tls13_generate_handshake_keys", "derived handshake traffic keys"},
    {"<= derive application traffic keys", "derived application traffic keys"},
    {"<= derive keys", "derived session keys from the master secret"},
    {"Switch to handshake keys for inbound", "reading with handshake keys"},
    {"Switch to handshake traffic keys for outbound", "writing with handshake keys"},
    {"Switch to application keys for inbound", "reading with application keys"},
    {"Switch to application keys for outbound", "writing with application keys"},
    {"Ignore ChangeCipherSpec in TLS 1.3 compatibility mode",
     "ignored the compatibility ChangeCipherSpec"},
    {"received HelloRetryRequest", "the server asked for another key share"},
    {"<= parse new session ticket", "stored a session ticket"},
    {"handshake: done", "handshake done"},
};

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int hs_dbgnote(int level, const char *line, char *out, size_t outsz)
{
    (void)level;
    if (outsz == 0)
        return 0;
    const char *group = NULL;
    if (starts(line, "DHE group name: "))
        group = line + strlen("DHE group name: ");
    else if (starts(line, "ECDH curve: "))
        group = line + strlen("ECDH curve: ");
    if (group) {
        snprintf(out, outsz, "key exchange with %.40s", group);
        return 1;
    }
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (starts(line, known[i].line)) {
            snprintf(out, outsz, "%s", known[i].note);
            return 1;
        }
    return 0;
}
