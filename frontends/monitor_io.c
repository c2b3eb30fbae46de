/* The monitor's terminal and socket front ends (monitor_io.h).
 *
 * Line editing and history come from libedit (Debian's libedit-dev, the
 * BSD-licensed editline library) through its readline-compatible callback
 * interface, which lets the run loop keep polling the GDB and monitor
 * sockets while a line is being typed. That interface hands a finished
 * line to a callback that receives nothing else, so the line is parked in
 * the file-scope variables below until rl_callback_read_char returns: the
 * frontend's only file-scope mutable state besides terminal.c's saved tty
 * settings, and only ever touched from mon_term_input. */
#include "frontends/monitor_io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <editline/readline.h>

#include "frontends/netsock.h"

#define MON_PROMPT "(orrery) "
#define MON_LINE_MAX 1024

static char *edited_line;
static bool edited_ready;

static void on_edited_line(char *line)
{
    edited_line = line;
    edited_ready = true;
}

void mon_term_write(void *opaque, const char *text, size_t len)
{
    (void)opaque;
    terminal_output((const uint8_t *)text, len);
}

void mon_term_init(struct mon_term *mt, struct monitor *mon, struct debugger *d,
                   struct terminal *t)
{
    memset(mt, 0, sizeof *mt);
    mt->mon = mon;
    mt->d = d;
    mt->t = t;
}

static void prompt(struct mon_term *mt)
{
    if (mt->t->is_tty) {
        if (!mt->editing) {
            rl_callback_handler_install(MON_PROMPT, on_edited_line);
            mt->editing = true;
        }
    }
}

void mon_term_enter(struct mon_term *mt, const struct dbg_stop *why)
{
    if (mt->active)
        return;
    mt->active = true;            /* first: stopping tells listeners, who may call here */
    struct dbg_stop stop;
    if (!mt->d->stopped) {
        stop = (struct dbg_stop){ .kind = DBG_STOP_INTERRUPT, .cpu = mt->d->cpu,
                                  .pc = debugger_pc(mt->d, mt->d->cpu) };
        debugger_stop(mt->d, &stop, NULL);
        why = &stop;
    }
    terminal_set_raw(mt->t, false);
    if (why) {
        char line[600], text[640];
        monitor_describe_stop(mt->mon, why, line, sizeof line);
        int n = snprintf(text, sizeof text, "%s%s\n", mt->t->is_tty ? "\n" : "", line);
        mon_term_write(NULL, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
    }
    prompt(mt);
}

void mon_term_leave(struct mon_term *mt)
{
    if (!mt->active)
        return;
    if (mt->editing) {
        rl_callback_handler_remove();
        mt->editing = false;
    }
    mt->active = false;
    terminal_set_raw(mt->t, true);
}

/* Runs one line; leaves the terminal when the guest runs again. */
static void run_line(struct mon_term *mt, const char *line)
{
    struct dbg_output out = { mon_term_write, NULL };
    monitor_exec(mt->mon, line, &out);
    if (!mt->d->stopped || mt->d->quit)
        mon_term_leave(mt);
}

void mon_term_input(struct mon_term *mt)
{
    struct terminal *t = mt->t;
    if (t->is_tty) {
        rl_callback_read_char();
        if (!edited_ready)
            return;
        char *line = edited_line;
        edited_ready = false;
        edited_line = NULL;
        if (!line) {                       /* Ctrl-D */
            mon_term_write(NULL, "quit\n", 5);
            mt->d->quit = true;
            mon_term_leave(mt);
            return;
        }
        if (line[0])
            add_history(line);
        /* libedit re-prints the prompt once the handler returns; the
         * output of a command that resumes the guest should not be
         * followed by it. */
        rl_callback_handler_remove();
        mt->editing = false;
        run_line(mt, line);
        free(line);
        if (mt->active)
            prompt(mt);
        return;
    }
    if (terminal_read(t) < 0)
        return;
    mon_term_run_pending(mt);
}

/* Not a tty: commands are the lines of stdin, echoed after the prompt so a
 * transcript reads like a session. */
void mon_term_run_pending(struct mon_term *mt)
{
    struct terminal *t = mt->t;
    while (mt->active) {
        uint8_t *nl = memchr(t->pending, '\n', t->pending_len);
        if (!nl) {
            if (t->eof) {
                mt->d->quit = true;
                mon_term_leave(mt);
            }
            return;
        }
        size_t n = (size_t)(nl - t->pending);
        char line[MON_LINE_MAX];
        size_t copy = n < sizeof line - 1 ? n : sizeof line - 1;
        memcpy(line, t->pending, copy);
        line[copy] = '\0';
        terminal_consume(t, n + 1);
        char echo[MON_LINE_MAX + 16];
        int e = snprintf(echo, sizeof echo, MON_PROMPT "%s\n", line);
        mon_term_write(NULL, echo, (size_t)e < sizeof echo ? (size_t)e : sizeof echo - 1);
        run_line(mt, line);
    }
}

/* ---- the monitor socket ------------------------------------------------------ */

struct mon_socket {
    struct monitor *mon;
    struct debugger *d;
    struct netsock_server srv;
    char line[MON_LINE_MAX];
    size_t len;
    bool overlong;            /* the current line is too long: dropped */
    bool in_command;          /* a stop now is this client's command's doing */
};

static void sock_write(void *opaque, const char *text, size_t len)
{
    struct mon_socket *s = opaque;
    if (s->srv.fd >= 0 && netsock_send_all(s->srv.fd, text, len, 2000) != 0)
        netsock_server_drop(&s->srv);
}

static void sock_on_stop(void *opaque, const struct dbg_stop *stop)
{
    struct mon_socket *s = opaque;
    if (s->srv.fd < 0)
        return;
    char line[600], text[640];
    monitor_describe_stop(s->mon, stop, line, sizeof line);
    /* A stop that happened while the guest ran comes after the prompt:
     * give the client a new one. */
    int n = snprintf(text, sizeof text, "stopped: %s\n%s", line, s->in_command ? "" : MON_PROMPT);
    sock_write(s, text, (size_t)n < sizeof text ? (size_t)n : sizeof text - 1);
}

int mon_socket_open(struct mon_socket **out, struct monitor *mon, struct debugger *d,
                    const char *spec, struct orr_error *err)
{
    struct mon_socket *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "out of memory");
    s->mon = mon;
    s->d = d;
    if (netsock_server_open(&s->srv, spec, true, err)) {
        free(s);
        return orr_fail_prefix(err, "--monitor-socket");
    }
    if (debugger_add_listener(d, sock_on_stop, s)) {
        netsock_server_close(&s->srv);
        free(s);
        return orr_fail(err, "--monitor-socket: too many debuggers");
    }
    *out = s;
    return 0;
}

void mon_socket_close(struct mon_socket *s)
{
    if (!s)
        return;
    netsock_server_close(&s->srv);
    free(s);
}

int mon_socket_pollfds(struct mon_socket *s, struct pollfd *fds, int max)
{
    if (max < 1)
        return 0;
    fds[0] = netsock_server_pollfd(&s->srv);
    return 1;
}

void mon_socket_service(struct mon_socket *s)
{
    char buf[4096];
    long n = netsock_server_read(&s->srv, buf, sizeof buf);
    if (n == NETSOCK_ACCEPTED) {
        s->len = 0;
        s->overlong = false;
        sock_write(s, "orrery monitor; `help` lists the commands\n" MON_PROMPT,
                   sizeof "orrery monitor; `help` lists the commands\n" MON_PROMPT - 1);
        return;
    }
    if (n == NETSOCK_GONE) {
        netsock_server_drop(&s->srv);
        return;
    }
    struct dbg_output out = { sock_write, s };
    for (long i = 0; i < n && s->srv.fd >= 0; i++) {
        char c = buf[i];
        if (c != '\n') {
            if (s->len < sizeof s->line - 1)
                s->line[s->len++] = c;
            else
                s->overlong = true;
            continue;
        }
        s->line[s->len] = '\0';
        if (s->overlong)
            sock_write(s, "error: line too long\n", 21);
        else {
            s->in_command = true;
            monitor_exec(s->mon, s->line, &out);
            s->in_command = false;
        }
        s->len = 0;
        s->overlong = false;
        if (s->srv.fd >= 0 && !s->d->quit)
            sock_write(s, MON_PROMPT, sizeof MON_PROMPT - 1);
    }
}
