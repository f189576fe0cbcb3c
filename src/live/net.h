/* Sockets for the live trace: resolve, find the source address, bind, connect with a deadline. */
#ifndef HS_NET_H
#define HS_NET_H

#include <stdatomic.h>
#include <stddef.h>
#include <sys/socket.h>

struct hs_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

/* The first address for host:port (family 0, 4 or 6).  0, or the getaddrinfo error text in err. */
int hs_net_resolve(const char *host, unsigned port, int family, struct hs_addr *out, char *err,
                   size_t errsz);

/* The local address the kernel would use to reach dst (a connected UDP socket); port 0. */
int hs_net_source(const struct hs_addr *dst, struct hs_addr *src);

/* A non-blocking TCP socket with TCP_NODELAY, bound to src (port 0, so the kernel picks one);
 * *bound gets the address and port it got.  Returns the fd, or -1 (errno set). */
int hs_net_bound_socket(const struct hs_addr *src, struct hs_addr *bound);

/* Connects fd to dst within timeout_ms; 0, or an errno value (ETIMEDOUT on the deadline, or
 * once *cancel is set when cancel is not NULL). */
int hs_net_connect(int fd, const struct hs_addr *dst, int timeout_ms, const atomic_bool *cancel);

/* "1.2.3.4" or "2001:db8::1" (no port). */
void hs_net_ntop(const struct hs_addr *a, char *buf, size_t n);
unsigned hs_net_port(const struct hs_addr *a);

#endif
