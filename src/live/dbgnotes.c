/* Known mbedTLS 3.6 debug lines, in plain words.  Only annotations: wire rows never use them. */
#include "dbgnotes.h"

#include <ctype.h>
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

/* States that say nothing to a reader. */
static const char *const quiet_states[] = {"HELLO_REQUEST", "FLUSH_BUFFERS", "HANDSHAKE_OVER",
                                           "HANDSHAKE_WRAPUP"};

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "client state: MBEDTLS_SSL_SERVER_HELLO" -> "state: server hello". */
static int state_note(const char *name, char *out, size_t outsz)
{
    if (starts(name, "MBEDTLS_SSL_"))
        name += strlen("MBEDTLS_SSL_");
    if (starts(name, "TLS1_3_"))
        name += strlen("TLS1_3_");
    for (size_t i = 0; i < sizeof quiet_states / sizeof quiet_states[0]; i++)
        if (strcmp(name, quiet_states[i]) == 0)
            return 0;
    size_t k = (size_t)snprintf(out, outsz, "state: ");
    for (; *name && k + 1 < outsz; name++) {
        unsigned char c = (unsigned char)*name;
        if (!isalnum(c) && c != '_')
            break;
        out[k++] = c == '_' ? ' ' : (char)tolower(c);
    }
    out[k < outsz ? k : outsz - 1] = '\0';
    return 1;
}

int hs_dbgnote(int level, const char *line, char *out, size_t outsz)
{
    (void)level;
    if (outsz == 0)
        return 0;
    if (starts(line, "client state: "))
        return state_note(line + strlen("client state: "), out, outsz);
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
