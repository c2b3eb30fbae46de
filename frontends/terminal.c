/* Terminal handling for the guest console.
 *
 * The only file-scope mutable state of the frontend lives here: the saved
 * tty settings. It has to be global because a signal handler (SIGINT,
 * SIGTERM, SIGHUP, ...) must be able to put the user's terminal back before
 * the process dies, and a handler receives nothing but the signal number.
 * It is written once before raw mode is entered and only read afterwards. */
#include "frontends/terminal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tty;
static volatile sig_atomic_t saved_tty_valid;

static void restore_tty(void)
{
    if (saved_tty_valid)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
}

/* Restores the terminal, then lets the signal do what it would have done. */
static void fatal_signal(int sig)
{
    int saved_errno = errno;
    restore_tty();
    signal(sig, SIG_DFL);
    raise(sig);     /* blocked until this handler returns, then fatal */
    errno = saved_errno;
}

static const int restore_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };

static void install_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fatal_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof restore_signals / sizeof restore_signals[0]; i++)
        sigaddset(&sa.sa_mask, restore_signals[i]);
    for (size_t i = 0; i < sizeof restore_signals / sizeof restore_signals[0]; i++) {
        struct sigaction old;
        /* A signal the parent chose to ignore (nohup, background jobs)
         * stays ignored. */
        if (sigaction(restore_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(restore_signals[i], &sa, NULL);
    }
}

void terminal_open(struct terminal *t)
{
    memset(t, 0, sizeof *t);
    install_handlers();
    if (!isatty(STDIN_FILENO))
        return;
    t->is_tty = true;

    struct termios tty;
    if (tcgetattr(STDIN_FILENO, &tty) != 0)
        return;
    saved_tty = tty;
    saved_tty_valid = 1;
    atexit(restore_tty);     /* a safety net; every path also calls terminal_close */
    terminal_set_raw(t, true);
}

/* Raw input: every key, Ctrl-C included, goes to the guest. Output
 * post-processing stays on so a guest's bare "\n" still starts a new line,
 * as QEMU's stdio console does. */
void terminal_set_raw(struct terminal *t, bool raw)
{
    if (!t->is_tty || !saved_tty_valid)
        return;
    if (!raw && t->raw) {
        restore_tty();
        t->raw = false;
    } else if (raw && !t->raw) {
        struct termios tty = saved_tty;
        tty.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
                                   IXON);
        tty.c_oflag |= OPOST;
        tty.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        tty.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
        tty.c_cflag |= CS8;
        tty.c_cc[VMIN] = 1;
        tty.c_cc[VTIME] = 0;
        if (tcsetattr(STDIN_FILENO, TCSANOW, &tty) == 0)
            t->raw = true;
    }
}

void terminal_close(struct terminal *t)
{
    if (t->raw) {
        restore_tty();
        t->raw = false;
    }
}

void terminal_output(const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = STDOUT_FILENO, .events = POLLOUT };
            poll(&p, 1, -1);
        } else {
            return;   /* stdout is gone: the guest's output has nowhere to go */
        }
    }
}

static void print_escape_help(void)
{
    static const char help[] =
        "\n"
        "C-a h    print this help\n"
        "C-a c    switch to the monitor (the guest stops; `continue` goes back)\n"
        "C-a x    exit the emulator\n"
        "C-a C-a  send C-a to the guest\n";
    terminal_output((const uint8_t *)help, sizeof help - 1);
}

static void add_pending(struct terminal *t, uint8_t c)
{
    if (t->pending_len < sizeof t->pending)
        t->pending[t->pending_len++] = c;
}

/* The escape keys, as QEMU's: Ctrl-A then a command letter. */
static void handle_key(struct terminal *t, uint8_t c)
{
    if (!t->escape) {
        if (c == TERMINAL_ESCAPE)
            t->escape = true;
        else
            add_pending(t, c);
        return;
    }
    t->escape = false;
    switch (c) {
    case TERMINAL_ESCAPE:
        add_pending(t, c);
        break;
    case 'x':
    case 'X':
        t->quit = true;
        break;
    case 'c':
    case 'C':
        t->monitor_request = true;
        break;
    case 'h':
    case 'H':
    case '?':
        print_escape_help();
        break;
    default:
        break;      /* unknown command: dropped, like QEMU */
    }
}

bool terminal_wants_input(const struct terminal *t)
{
    if (t->eof || t->quit)
        return false;
    /* A full buffer stops reading a pipe (the guest catches up first); a
     * tty is always read so the escape keys keep working. */
    return t->is_tty || t->pending_len < sizeof t->pending;
}

int terminal_read(struct terminal *t)
{
    size_t room = t->is_tty ? sizeof t->pending : sizeof t->pending - t->pending_len;
    uint8_t buf[sizeof t->pending];
    ssize_t n = read(STDIN_FILENO, buf, room);
    if (n < 0) {
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        t->eof = true;
        return 1;
    }
    if (n == 0) {
        t->eof = true;
        return 1;
    }
    if (t->is_tty) {
        for (ssize_t i = 0; i < n && !t->quit; i++)
            handle_key(t, buf[i]);
    } else {
        memcpy(t->pending + t->pending_len, buf, (size_t)n);
        t->pending_len += (size_t)n;
    }
    return 1;
}

int terminal_poll(struct terminal *t, int timeout_ms)
{
    if (!terminal_wants_input(t))
        return 0;
    struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
    int r = poll(&p, 1, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : (t->eof = true, 1);
    if (r == 0)
        return 0;
    if (p.revents & POLLNVAL) {
        t->eof = true;
        return 1;
    }
    return terminal_read(t);
}

void terminal_consume(struct terminal *t, size_t n)
{
    if (n >= t->pending_len) {
        t->pending_len = 0;
        return;
    }
    memmove(t->pending, t->pending + n, t->pending_len - n);
    t->pending_len -= n;
}
