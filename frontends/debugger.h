/* A debugging session over a running machine, shared by the monitor, the
 * GDB stub and the tracer: whether the guest runs or is stopped, the
 * selected CPU, the symbols, why it last stopped, and who wants to hear
 * about stops. The frontend's run loop (cli_run.c) runs the machine while
 * the session says so and polls the debuggers' sockets between slices.
 *
 * All-stop: a stop stops every CPU; stepping steps the selected CPU only. */
#ifndef ORRERY_FRONTENDS_DEBUGGER_H
#define ORRERY_FRONTENDS_DEBUGGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/debug.h"
#include "machine/debug.h"
#include "machine/machine.h"
#include "machine/symbols.h"

enum dbg_stop_kind {
    DBG_STOP_NONE,        /* running, or never stopped */
    DBG_STOP_START,       /* stopped before the first instruction (--gdb-wait, --monitor) */
    DBG_STOP_STEP,        /* a step finished */
    DBG_STOP_BREAKPOINT,
    DBG_STOP_WATCHPOINT,  /* watch: the access; the instruction has not executed */
    DBG_STOP_INTERRUPT,   /* asked to stop (Ctrl-C in GDB, `stop` in the monitor) */
    DBG_STOP_EXITED,      /* the guest ended the run: exit_code */
    DBG_STOP_ERROR,       /* the CPU cannot continue: message */
};

struct dbg_stop {
    enum dbg_stop_kind kind;
    unsigned cpu;
    uint64_t pc;
    struct cpu_watch_hit watch;       /* WATCHPOINT */
    unsigned watch_kind;              /* the watchpoint's enum cpu_watch_kind */
    int exit_code;                    /* EXITED */
    char message[256];                /* ERROR */
    bool history_begin;               /* a reverse run reached the oldest recorded point */
};

/* Output of a monitor command: text pieces, already formatted. */
struct dbg_output {
    void (*write)(void *opaque, const char *text, size_t len);
    void *opaque;
};

#define DBG_MAX_LISTENERS 4

struct debugger {
    struct machine *m;
    bool stopped;                 /* the guest waits for the debuggers */
    unsigned cpu;                 /* selected CPU */
    struct dbg_stop last;
    bool exited;                  /* the guest has ended: nothing can run again */
    struct symtab syms;
    /* Told when the guest stops after running (not after a step, which
     * reports to whoever asked for it). */
    struct {
        void (*on_stop)(void *opaque, const struct dbg_stop *stop);
        void *opaque;
    } listeners[DBG_MAX_LISTENERS];
    unsigned nlisteners;
    /* The monitor's command interpreter, for GDB's `monitor` (qRcmd);
     * NULL when there is none. Returns 0 when the command succeeded. */
    int (*command)(void *opaque, const char *line, const struct dbg_output *out);
    void *command_opaque;
    /* Set by a command that ends the session (`quit`, GDB's kill). */
    bool quit;
    /* The machine's recorded history (reverse execution, record/replay),
     * installed by the frontend when it keeps one; all NULL otherwise. */
    struct dbg_history {
        /* Goes back count instructions, or (to_hit) to the previous
         * breakpoint or watchpoint hit. Fills stop; returns 0, or -1 with
         * the reason in msg (the machine is then where it was). */
        int (*reverse)(void *opaque, bool to_hit, uint64_t count, struct dbg_stop *stop,
                       char *msg, size_t len);
        /* The machine moved forward outside the run loop (a step): apply
         * what the history has due now. */
        void (*stepped)(void *opaque);
        /* A debugger changed registers or memory: the recorded future no
         * longer follows from this state. */
        void (*modified)(void *opaque);
        void *opaque;
    } history;
};

void debugger_init(struct debugger *d, struct machine *m);
void debugger_destroy(struct debugger *d);
int debugger_add_listener(struct debugger *d, void (*on_stop)(void *, const struct dbg_stop *),
                          void *opaque);

/* Current program counter of CPU `index`. */
uint64_t debugger_pc(const struct debugger *d, unsigned index);

/* Stops the guest (if running) and tells every listener but `from`
 * (pass NULL to tell all) why. */
void debugger_stop(struct debugger *d, const struct dbg_stop *stop, void *from);

/* Executes one instruction on the selected CPU (obs: report what it did),
 * stepping off a breakpoint or watchpoint it is stopped at. Leaves the
 * guest stopped and fills *stop (STEP, BREAKPOINT, WATCHPOINT, EXITED,
 * ERROR). Returns 0, or -1 when the guest cannot run (exited). */
int debugger_step(struct debugger *d, struct cpu_observer *obs, struct dbg_stop *stop);

/* Reverse execution through d->history (see there); on success the guest
 * is stopped and d->last is the stop. */
int debugger_reverse(struct debugger *d, bool to_hit, uint64_t count, struct dbg_stop *stop,
                     char *msg, size_t len);

/* Registers or memory were changed by a debugger (tells the history). */
void debugger_modified(struct debugger *d);

/* Lets the guest run: steps the selected CPU off its stop (a breakpoint or
 * watchpoint it stopped at, or a breakpoint at its PC), then marks the
 * session running; the run loop reports the next stop to the listeners. */
void debugger_continue(struct debugger *d);

/* The run loop's report of a machine_run that ended for a debugging
 * reason (BREAKPOINT, WATCHPOINT): stops the session and tells everyone. */
void debugger_machine_stopped(struct debugger *d, const struct machine_run_result *res);

/* "name+0x10" for addr when a symbol covers it, else "" (buf is returned). */
const char *debugger_symbolize(const struct debugger *d, uint64_t addr, char *buf, size_t len);

/* Parses an address expression: a number (0x.. hex, else decimal), a symbol,
 * a register name ($pc or pc), optionally "+N"/"-N". Returns 0 or -1. */
int debugger_parse_addr(const struct debugger *d, const char *text, uint64_t *addr);

#endif
