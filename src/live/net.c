/* Sockets for the live trace. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int hs_net_resolve(const char *host, unsigned port, int family, struct hs_addr *out, char *err,
                   size_t errsz)
{
    struct addrinfo hints = {0};
    hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_ADDRCONFIG;
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo *res = NULL;
    int r = getaddrinfo(host, service, &hints, &res);
    if (r != 0) {
        /* AI_ADDRCONFIG hides every address of a family the host has only on loopback (a
         * loopback-only machine, a container): ask again without it. */
        hints.ai_flags = 0;
        r = getaddrinfo(host, service, &hints, &res);
    }
    if (r != 0) {
        snprintf(err, errsz, "%s", r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
        return -1;
    }
    if (res == NULL || res->ai_addrlen > sizeof out->ss) {
        if (res)
            freeaddrinfo(res); /* POSIX leaves freeaddrinfo(NULL) undefined */
        snprintf(err, errsz, "no usable address");
        return -1;
    }
    memset(out, 0, sizeof *out);
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static void set_port(struct hs_addr *a, unsigned port)
{
    if (a->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

unsigned hs_net_port(const struct hs_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

int hs_net_source(const struct hs_addr *dst, struct hs_addr *src)
{
    int fd = socket(dst->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(src, 0, sizeof *src);
    src->len = sizeof src->ss;
    int r = connect(fd, (const struct sockaddr *)&dst->ss, dst->len);
    if (r == 0)
        r = getsockname(fd, (struct sockaddr *)&src->ss, &src->len);
    int saved = errno;
    close(fd);
    errno = saved;
    if (r != 0)
        return -1;
    set_port(src, 0);
    return 0;
}

int hs_net_bound_socket(const struct hs_addr *src, struct hs_addr *bound)
{
    int fd = socket(src->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP);
    if (fd < 0)
        return -1;
    int one = 1;
    /* Each write is one segment, so the ladder's timing is the handshake's, not Nagle's. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    /* Arrival times of received data, on the capture's clock. */
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    memset(bound, 0, sizeof *bound);
    bound->len = sizeof bound->ss;
    if (bind(fd, (const struct sockaddr *)&src->ss, src->len) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound->ss, &bound->len) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

int hs_net_connect(int fd, const struct hs_addr *dst, int timeout_ms, const atomic_bool *cancel)
{
    if (connect(fd, (const struct sockaddr *)&dst->ss, dst->len) == 0)
        return 0;
    if (errno != EINPROGRESS)
        return errno;
    struct pollfd pfd = {.fd = fd, .events = POLLOUT};
    int r, left = timeout_ms;
    do { /* in slices of 50 ms when it may be cancelled */
        int slice = cancel && left > 50 ? 50 : left;
        r = poll(&pfd, 1, slice);
        if (r == 0) {
            left -= slice;
            if (left <= 0 || (cancel && atomic_load(cancel)))
                break;
        }
    } while (r == 0 || (r < 0 && errno == EINTR));
    if (r == 0)
        return ETIMEDOUT;
    if (r < 0)
        return errno;
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
        return errno;
    return soerr;
}

void hs_net_ntop(const struct hs_addr *a, char *buf, size_t n)
{
    const void *p = a->ss.ss_family == AF_INET
                        ? (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr
                        : (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr;
    if (inet_ntop(a->ss.ss_family, p, buf, (socklen_t)n) == NULL && n)
        buf[0] = '\0';
}
