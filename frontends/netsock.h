/* Listening sockets for the debuggers (GDB stub, monitor socket): a TCP
 * port on the loopback interface only, or a Unix socket path. */
#ifndef ORRERY_FRONTENDS_NETSOCK_H
#define ORRERY_FRONTENDS_NETSOCK_H

#include <stdbool.h>
#include <poll.h>
#include <stddef.h>

#include "cpu/error.h"

/* spec: "PORT", "localhost:PORT" or "127.0.0.1:PORT" (TCP), or with
 * unix_ok anything else is a Unix socket path (a stale socket file there
 * is replaced; any other file is an error). Non-blocking, close-on-exec.
 * Returns the descriptor, or -1 with one line in err. */
int netsock_listen(const char *spec, bool unix_ok, struct orr_error *err);
/* Accepts one pending client (non-blocking, close-on-exec), or -1. */
int netsock_accept(int listen_fd);
/* A server for one client at a time (the GDB stub, the monitor socket):
 * while a client is connected only its socket is polled, so a second one
 * waits in the listen backlog. */
struct netsock_server {
    int listen_fd;
    int fd;                      /* the client, or -1 */
};

#define NETSOCK_ACCEPTED (-2)    /* netsock_server_read: a new client came */
#define NETSOCK_GONE (-1)        /* netsock_server_read: the client left; drop it */

int netsock_server_open(struct netsock_server *s, const char *spec, bool unix_ok,
                        struct orr_error *err);
void netsock_server_close(struct netsock_server *s);
/* Closes the client's connection, if any. */
void netsock_server_drop(struct netsock_server *s);
/* The descriptor to poll for reading. */
struct pollfd netsock_server_pollfd(const struct netsock_server *s);
/* After poll said readable: accepts a client (NETSOCK_ACCEPTED), or reads
 * what the client sent (bytes, 0 for nothing yet, NETSOCK_GONE). Never
 * blocks. */
long netsock_server_read(struct netsock_server *s, void *buf, size_t len);

/* Writes all of buf to a (non-blocking) socket, waiting while it is full,
 * at most timeout_ms each time; -1 when the peer is gone or too slow. */
int netsock_send_all(int fd, const void *buf, size_t len, int timeout_ms);

#endif
