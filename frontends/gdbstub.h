/* The GDB remote serial protocol stub: one client at a time on a 127.0.0.1
 * TCP port; a client that goes away leaves the guest as it was (running
 * or stopped) and the port accepting the next one. */
#ifndef ORRERY_FRONTENDS_GDBSTUB_H
#define ORRERY_FRONTENDS_GDBSTUB_H

#include <poll.h>

#include "cpu/error.h"
#include "frontends/debugger.h"

struct gdbstub;

/* spec: a port number ("1234") or "HOST:PORT" with HOST 127.0.0.1 or
 * localhost. Registers itself as a listener of d. */
int gdbstub_open(struct gdbstub **out, struct debugger *d, const char *spec,
                 struct orr_error *err) ORR_MUST_CHECK;
void gdbstub_close(struct gdbstub *g);

/* The descriptors the run loop polls for it (at most 2): returns how many
 * it filled. */
int gdbstub_pollfds(struct gdbstub *g, struct pollfd *fds, int max);
/* Handles whatever is readable (a new client, packets, Ctrl-C); never
 * blocks. May step, stop or continue the session. */
void gdbstub_service(struct gdbstub *g);

#endif
