/* The monitor: Orrery's command language for stepping and inspecting a
 * guest (docs/debugging.md). One interpreter serves the terminal (--monitor,
 * Ctrl-A c), the monitor socket (--monitor-socket) and GDB's `monitor`
 * command; it prints only through the output it is given. */
#ifndef ORRERY_FRONTENDS_MONITOR_H
#define ORRERY_FRONTENDS_MONITOR_H

#include <stdbool.h>

#include "frontends/debugger.h"

struct monitor;

/* What the monitor asks of the frontend around it. */
struct monitor_hooks {
    /* `trace on [FILE]` / `trace off`: returns 0, or -1 after writing why
     * to out. NULL: tracing is not available here. */
    int (*trace)(void *opaque, bool on, const char *file, const struct dbg_output *out);
    /* `loadvm FILE`: replaces the machine state (the frontend also resets
     * what depends on it: record/replay, reverse history). NULL: not here. */
    int (*loadvm)(void *opaque, const char *file, const struct dbg_output *out);
    /* `input NAME 1|0`: drive an external input (machine_set_input), as an
     * outside input the frontend journals. NULL: not here. */
    int (*input)(void *opaque, const char *name, bool level, const struct dbg_output *out);
    /* screendump, sendkey, type, mouse, touch (argv as typed): the
     * frontend's display and input queue. NULL: not here. */
    int (*ui)(void *opaque, int argc, char **argv, const struct dbg_output *out);
    void *opaque;
    bool explain_json;        /* `step` prints JSON lines (--explain-format json) */
};

int monitor_create(struct monitor **out, struct debugger *d, const struct monitor_hooks *hooks);
void monitor_destroy(struct monitor *mon);

/* Runs one command line. Returns 0 when it succeeded, -1 otherwise (the
 * reason was written to out). Empty lines repeat nothing and succeed. */
int monitor_exec(struct monitor *mon, const char *line, const struct dbg_output *out);

/* A one-line description of a stop ("breakpoint 1 at 0x... <main+4>"). */
void monitor_describe_stop(struct monitor *mon, const struct dbg_stop *stop, char *buf,
                           size_t len);

#endif
