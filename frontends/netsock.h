/* Listening sockets for the debuggers (GDB stub, monitor socket): a TCP
 * port on the loopback interface only, or a Unix socket path. */
#ifndef ORRERY_FRONTENDS_NETSOCK_H
#define ORRERY_FRONTENDS_NETSOCK_H

#include <stdbool.h>
#include <stddef.h>

#include "cpu/error.h"

/* spec: "PORT", "localhost:PORT" or "127.0.0.1:PORT" (TCP), or with
 * unix_ok anything else is a Unix socket path (a stale socket file there
 * is replaced; any other file is an error). Non-blocking, close-on-exec.
 * Returns the descriptor, or -1 with one line in err. */
int netsock_listen(const char *spec, bool unix_ok, struct orr_error *err);
/* Accepts one pending client (non-blocking, close-on-exec), or -1. */
int netsock_accept(int listen_fd);
/* Writes all of buf to a (non-blocking) socket, waiting while it is full,
 * at most timeout_ms each time; -1 when the peer is gone or too slow. */
int netsock_send_all(int fd, const void *buf, size_t len, int timeout_ms);

#endif
