/* The reason line for a server of TLS 1.0/1.1 (or SSL 3.0) only. */
#include "oldtls.h"

#include "../tls/names.h"
#include "../tls/outcome.h"

#include <stdio.h>
#include <string.h>

#define LIVE_VERSIONS "hstrace (mbedTLS 3.6) supports TLS 1.2 and 1.3 live; -r can still " \
                      "decode a capture of such a handshake"

static const struct hs_event *find_row(const struct hs_trace *t, enum hs_side from,
                                       const char *type)
{
    for (const struct hs_event *e = t->first; e; e = e->next)
        if (e->from == from && e->layer == HS_LAYER_TLS && strcmp(e->type, type) == 0)
            return e;
    return NULL;
}

static bool old_version_name(const char *v)
{
    return v && (strcmp(v, "SSL 3.0") == 0 || strcmp(v, "TLS 1.0") == 0 ||
                 strcmp(v, "TLS 1.1") == 0);
}

/* The versions the ClientHello offered ("TLS 1.3, TLS 1.2") into out; whether 1.2 and 1.3
 * were both among them. */
static bool offered(const struct hs_trace *t, char *out, size_t n)
{
    out[0] = '\0';
    const struct hs_event *ch = find_row(t, HS_CLIENT, "ClientHello");
    const struct hs_field *exts = ch ? hs_f_get(ch->fields, "extensions") : NULL;
    bool v12 = false, v13 = false;
    size_t k = 0;
    for (const struct hs_field *e = exts ? exts->child : NULL; e; e = e->next) {
        const char *type = hs_f_get_str(e, "type");
        const struct hs_field *vs = hs_f_get(e, "versions");
        if (type == NULL || strcmp(type, "supported_versions") != 0 || vs == NULL)
            continue;
        for (const struct hs_field *v = vs->child; v; v = v->next) {
            if (v->kind != HS_F_STRING)
                continue;
            v12 |= strcmp(v->str, "TLS 1.2") == 0;
            v13 |= strcmp(v->str, "TLS 1.3") == 0;
            if (k < n)
                k += (size_t)snprintf(out + k, n - k, "%s%s", k ? ", " : "", v->str);
        }
        break;
    }
    return v12 && v13;
}

bool hs_old_tls_reason(const struct hs_trace *t, uint16_t first_version, char *out, size_t n)
{
    char offer[128];
    bool both = offered(t, offer, sizeof offer);
    const struct hs_event *sh = find_row(t, HS_SERVER, "ServerHello");
    if (sh) {
        const char *v = hs_f_get_str(sh->fields, "version");
        if (!old_version_name(v) || !old_version_name(t->version))
            return false;
        const char *why = hs_outcome_violation(sh);
        snprintf(out, n, "the server only offers %s: its ServerHello picked %s where the client "
                 "offered %s%s%s%s; %s", v, v, offer[0] ? offer : "TLS 1.2", why ? " (" : "",
                 why ? why : "", why ? ")" : "", LIVE_VERSIONS);
        return true;
    }
    /* No ServerHello: a protocol_version alert to a client that offered 1.2 and 1.3. */
    const struct hs_event *alert = find_row(t, HS_SERVER, "Alert");
    const char *d = alert ? hs_f_get_str(alert->fields, "description") : NULL;
    if (!both || d == NULL || strcmp(d, "protocol_version") != 0)
        return false;
    /* A server that refuses both speaks something older; its alert's record header may say
     * which (OpenSSL writes it as TLS 1.2 whatever it speaks). */
    const char *rec = first_version >= 0x0300 && first_version <= 0x0302
                          ? hs_name_version(first_version)
                          : NULL;
    snprintf(out, n, "the server sent fatal alert protocol_version%s%s%s: it refused the client's "
             "%s, so it only speaks %s; %s", rec ? " in a " : "", rec ? rec : "",
             rec ? " record" : "", offer, rec ? rec : "TLS 1.0/1.1 (or older)", LIVE_VERSIONS);
    return true;
}
