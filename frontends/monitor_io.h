/* Where the monitor's commands come from: the terminal (--monitor, Ctrl-A
 * c), with line editing and history when it is a tty, or a socket
 * (--monitor-socket) for scripts. */
#ifndef ORRERY_FRONTENDS_MONITOR_IO_H
#define ORRERY_FRONTENDS_MONITOR_IO_H

#include <poll.h>
#include <stdbool.h>

#include "frontends/monitor.h"
#include "frontends/terminal.h"

/* The monitor on the terminal. While active, stdin is the monitor's and
 * the guest is stopped; `continue` (or anything else that lets the guest
 * run) hands the terminal back to the guest's console. */
struct mon_term {
    struct monitor *mon;
    struct debugger *d;
    struct terminal *t;
    bool active;
    bool editing;          /* libedit's callback interface is installed */
};

void mon_term_init(struct mon_term *mt, struct monitor *mon, struct debugger *d,
                   struct terminal *t);
/* Takes the terminal (stopping the guest if it runs) and shows why it
 * stopped and the prompt. */
void mon_term_enter(struct mon_term *mt, const struct dbg_stop *why);
/* stdin is readable while active: reads and runs complete lines. */
void mon_term_input(struct mon_term *mt);
/* Not a tty: runs the complete lines already read (stdin is the monitor's
 * script; at its end the session quits). */
void mon_term_run_pending(struct mon_term *mt);
/* Gives the terminal back to the guest. */
void mon_term_leave(struct mon_term *mt);
/* Writes text on the terminal (the monitor's output). */
void mon_term_write(void *opaque, const char *text, size_t len);

struct mon_socket;

int mon_socket_open(struct mon_socket **out, struct monitor *mon, struct debugger *d,
                    const char *spec, struct orr_error *err) ORR_MUST_CHECK;
void mon_socket_close(struct mon_socket *s);
int mon_socket_pollfds(struct mon_socket *s, struct pollfd *fds, int max);
void mon_socket_service(struct mon_socket *s);

#endif
