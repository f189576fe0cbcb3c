/* The target as the user wrote it: HOST, HOST:PORT, https://HOST[:PORT]/path, [V6]:PORT, V6. */
#ifndef HS_TARGET_H
#define HS_TARGET_H

#include <stdbool.h>
#include <stddef.h>

#define HS_HOST_MAX 256

struct hs_target {
    char host[HS_HOST_MAX]; /* without brackets; an IPv6 literal is bare */
    unsigned port;          /* 1..65535 */
    bool is_ip;             /* host is an IPv4 or IPv6 literal (no SNI by default) */
    bool port_given;        /* the port came from s or port_override (not the default) */
};

/*
 * Parses s; port_override (non-zero, from -p) wins over a port in s; 443 otherwise.
 * Returns 0, or -1 with a reason in err.
 */
int hs_target_parse(const char *s, unsigned port_override, struct hs_target *out, char *err,
                    size_t errsz);

#endif
