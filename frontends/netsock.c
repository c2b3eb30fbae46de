/* Listening sockets (netsock.h). */
#include "frontends/netsock.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>


static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int listen_tcp(const char *spec, const char *port_text, struct orr_error *err)
{
    char *end;
    long port = strtol(port_text, &end, 10);
    if (*end || port < 1 || port > 65535)
        return orr_fail(err, "'%s': not a TCP port (1-65535)", spec);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return orr_fail(err, "'%s': socket: %s", spec, strerror(errno));
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0 || nonblocking(fd)) {
        int e = errno;
        close(fd);
        return orr_fail(err, "cannot listen on 127.0.0.1:%ld: %s", port, strerror(e));
    }
    return fd;
}

static int listen_unix(const char *path, struct orr_error *err)
{
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path)
        return orr_fail(err, "'%s': socket path too long", path);
    memcpy(a.sun_path, path, strlen(path) + 1);
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            return orr_fail(err, "'%s' exists and is not a socket", path);
        unlink(path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return orr_fail(err, "'%s': socket: %s", path, strerror(errno));
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0 || nonblocking(fd)) {
        int e = errno;
        close(fd);
        return orr_fail(err, "cannot listen on '%s': %s", path, strerror(e));
    }
    return fd;
}

int netsock_listen(const char *spec, bool unix_ok, struct orr_error *err)
{
    if (all_digits(spec))
        return listen_tcp(spec, spec, err);
    const char *colon = strrchr(spec, ':');
    if (colon && all_digits(colon + 1)) {
        size_t hl = (size_t)(colon - spec);
        if ((hl == 9 && strncmp(spec, "localhost", 9) == 0) ||
            (hl == 9 && strncmp(spec, "127.0.0.1", 9) == 0) || hl == 0)
            return listen_tcp(spec, colon + 1, err);
        if (!unix_ok)
            return orr_fail(err, "'%s': only 127.0.0.1 (localhost) can be listened on", spec);
    }
    if (!unix_ok)
        return orr_fail(err, "'%s' is not PORT or localhost:PORT", spec);
    return listen_unix(spec, err);
}

int netsock_accept(int listen_fd)
{
    int fd = accept(listen_fd, NULL, NULL);
    if (fd < 0)
        return -1;
    if (nonblocking(fd)) {
        close(fd);
        return -1;
    }
    /* Small replies go out at once: with Nagle's algorithm a reply written
     * after a small ack waits for that ack's acknowledgement (a delayed
     * ACK, tens of ms a packet while GDB steps). Harmless failure on Unix
     * sockets. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int netsock_send_all(int fd, const void *buf, size_t len, int timeout_ms)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf = { .fd = fd, .events = POLLOUT };
            int r = poll(&pf, 1, timeout_ms);
            if (r <= 0)
                return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

int netsock_server_open(struct netsock_server *s, const char *spec, bool unix_ok,
                        struct orr_error *err)
{
    s->fd = -1;
    s->listen_fd = netsock_listen(spec, unix_ok, err);
    return s->listen_fd < 0 ? -1 : 0;
}

void netsock_server_drop(struct netsock_server *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

void netsock_server_close(struct netsock_server *s)
{
    netsock_server_drop(s);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
}

struct pollfd netsock_server_pollfd(const struct netsock_server *s)
{
    return (struct pollfd){ .fd = s->fd >= 0 ? s->fd : s->listen_fd, .events = POLLIN };
}

long netsock_server_read(struct netsock_server *s, void *buf, size_t len)
{
    if (s->fd < 0) {
        s->fd = netsock_accept(s->listen_fd);
        return s->fd >= 0 ? NETSOCK_ACCEPTED : 0;
    }
    ssize_t n = recv(s->fd, buf, len, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return 0;
    return n > 0 ? (long)n : NETSOCK_GONE;
}
