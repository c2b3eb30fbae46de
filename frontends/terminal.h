/* The host terminal as the guest's console: stdout for output, stdin for
 * input. A tty on stdin is put in raw mode (keys go to the guest, Ctrl-A is
 * the escape prefix) and restored on every way out, signals included. */
#ifndef ORRERY_FRONTENDS_TERMINAL_H
#define ORRERY_FRONTENDS_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TERMINAL_ESCAPE 0x01    /* Ctrl-A */

struct terminal {
    bool is_tty;          /* stdin is a terminal (raw mode while open) */
    bool raw;             /* raw mode is in effect */
    bool eof;             /* stdin has ended (or is closed) */
    bool escape;          /* the previous key was Ctrl-A */
    bool quit;            /* Ctrl-A x was typed */
    bool monitor_request; /* Ctrl-A c was typed: the monitor wants the terminal */
    /* Guest-bound bytes read from stdin but not yet delivered. */
    uint8_t pending[4096];
    size_t pending_len;
};

/* Saves the tty state and enters raw mode if stdin is a tty; installs the
 * restore-on-signal handlers. Never fails: without a tty there is nothing
 * to change. */
void terminal_open(struct terminal *t);
/* Restores the tty (idempotent). */
void terminal_close(struct terminal *t);
/* Leaves raw mode for a while (the monitor's line editing) and enters it
 * again; nothing happens without a tty. */
void terminal_set_raw(struct terminal *t, bool raw);

/* Writes all of buf to stdout, unbuffered. */
void terminal_output(const uint8_t *buf, size_t len);

/* Waits up to timeout_ms (0: just look, -1: forever) for stdin, then reads
 * what is there into pending, applying the escape keys on a tty. Returns 1
 * if anything was read (or EOF/quit was seen), 0 on timeout. Does nothing
 * (returns 0 at once) when stdin has ended or pending is full. */
int terminal_poll(struct terminal *t, int timeout_ms);

/* The two halves of terminal_poll, for a caller that polls stdin together
 * with other descriptors: whether stdin should be polled now, and reading
 * it once poll said it is readable (returns as terminal_poll). */
bool terminal_wants_input(const struct terminal *t);
int terminal_read(struct terminal *t);

/* Removes the first n pending bytes (they were delivered). */
void terminal_consume(struct terminal *t, size_t n);

#endif
