/* Parsing the target argument into a host and a port. */
#include "target.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errsz, const char *why)
{
    if (err && errsz)
        snprintf(err, errsz, "%s", why);
    return -1;
}

/* Digits only, 1..65535. */
static int parse_port(const char *p, size_t n, unsigned *out)
{
    if (n == 0 || n > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *out = v;
    return 0;
}

/* A DNS name as resolvers take it: letters, digits, '-', '_', dots between non-empty labels. */
static bool valid_name(const char *h, size_t n)
{
    if (n == 0 || n >= HS_HOST_MAX)
        return false;
    size_t label = 0;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
        if (!ok || ++label > 63)
            return false;
    }
    return true;
}

int hs_target_parse(const char *s, unsigned port_override, struct hs_target *out, char *err,
                    size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (s == NULL || *s == '\0')
        return fail(err, errsz, "no target given");
    if (port_override > 65535)
        return fail(err, errsz, "port out of range (1-65535)");

    bool url = false;
    const char *scheme_end = strstr(s, "://");
    if (scheme_end) {
        if ((size_t)(scheme_end - s) != 5 || strncasecmp(s, "https", 5) != 0)
            return fail(err, errsz, "only https:// URLs are supported");
        s = scheme_end + 3;
        url = true;
    }
    /* The authority ends at the path, query or fragment. */
    size_t alen = strcspn(s, "/?#");
    const char *a = s;
    if (alen == 0)
        return fail(err, errsz, url ? "URL has no host" : "empty host");
    if (memchr(a, '@', alen))
        return fail(err, errsz, "user names in the target are not supported");

    const char *host = a;
    size_t hlen = alen;
    const char *port = NULL;
    size_t plen = 0;
    bool bracketed = false;

    if (a[0] == '[') {
        const char *close = memchr(a, ']', alen);
        if (close == NULL)
            return fail(err, errsz, "missing ']' after IPv6 address");
        host = a + 1;
        hlen = (size_t)(close - host);
        size_t rest = alen - (size_t)(close + 1 - a);
        if (rest > 0) {
            if (close[1] != ':')
                return fail(err, errsz, "unexpected text after ']'");
            port = close + 2;
            plen = rest - 1;
            if (plen == 0)
                return fail(err, errsz, "empty port");
        }
        bracketed = true;
    } else {
        const char *c1 = memchr(a, ':', alen);
        const char *c2 = c1 ? memchr(c1 + 1, ':', alen - (size_t)(c1 + 1 - a)) : NULL;
        if (c1 && !c2) {
            hlen = (size_t)(c1 - a);
            port = c1 + 1;
            plen = alen - hlen - 1;
            if (plen == 0)
                return fail(err, errsz, "empty port");
        }
        /* Two or more colons: a bare IPv6 literal, checked below. */
    }

    if (hlen == 0)
        return fail(err, errsz, "empty host");
    if (hlen >= HS_HOST_MAX)
        return fail(err, errsz, "host name too long");
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';

    unsigned char buf[16];
    if (inet_pton(AF_INET6, out->host, buf) == 1) {
        out->is_ip = true;
    } else if (bracketed || memchr(out->host, ':', hlen)) {
        return fail(err, errsz, "invalid IPv6 address");
    } else if (inet_pton(AF_INET, out->host, buf) == 1) {
        out->is_ip = true;
    } else if (!valid_name(out->host, hlen)) {
        return fail(err, errsz, "invalid host name");
    }

    out->port = 443;
    if (port && parse_port(port, plen, &out->port) != 0)
        return fail(err, errsz, "invalid port (1-65535)");
    if (port_override)
        out->port = port_override;
    out->port_given = port != NULL || port_override != 0;
    return 0;
}
