/* The debugging session (debugger.h). */
#include "frontends/debugger.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/cli.h"

void debugger_init(struct debugger *d, struct machine *m)
{
    memset(d, 0, sizeof *d);
    d->m = m;
}

void debugger_destroy(struct debugger *d)
{
    symtab_free(&d->syms);
}

int debugger_add_listener(struct debugger *d, void (*on_stop)(void *, const struct dbg_stop *),
                          void *opaque)
{
    if (d->nlisteners >= DBG_MAX_LISTENERS)
        return -1;
    d->listeners[d->nlisteners].on_stop = on_stop;
    d->listeners[d->nlisteners].opaque = opaque;
    d->nlisteners++;
    return 0;
}

uint64_t debugger_pc(const struct debugger *d, unsigned index)
{
    if (index >= d->m->ncpus)
        return 0;
    struct cpu *cpu = d->m->cpus[index];
    int pc = cpu_reg_index_with_flag(cpu, CPU_REG_PC);
    return pc >= 0 ? cpu->ops->reg_get(cpu, (unsigned)pc) : 0;
}

void debugger_stop(struct debugger *d, const struct dbg_stop *stop, void *from)
{
    d->stopped = true;
    d->last = *stop;
    if (stop->kind == DBG_STOP_EXITED || stop->kind == DBG_STOP_ERROR)
        d->exited = true;
    for (unsigned i = 0; i < d->nlisteners; i++)
        if (d->listeners[i].opaque != from || from == NULL)
            d->listeners[i].on_stop(d->listeners[i].opaque, stop);
}

/* The stop a machine run or step result describes. */
static void stop_from_result(struct debugger *d, const struct machine_run_result *res,
                             enum dbg_stop_kind otherwise, struct dbg_stop *stop)
{
    memset(stop, 0, sizeof *stop);
    stop->cpu = res->cpu < d->m->ncpus ? res->cpu : d->cpu;
    struct cpu *cpu = d->m->cpus[stop->cpu];
    switch (res->reason) {
    case CPU_STOP_BREAKPOINT:
        stop->kind = DBG_STOP_BREAKPOINT;
        break;
    case CPU_STOP_WATCHPOINT:
        stop->kind = DBG_STOP_WATCHPOINT;
        stop->watch = cpu->watch_hit;
        if (stop->watch.index < cpu->nwatchpoints)
            stop->watch_kind = cpu->watchpoints[stop->watch.index].kind;
        break;
    case CPU_STOP_EXIT:
        stop->kind = DBG_STOP_EXITED;
        stop->exit_code = res->exit_code;
        break;
    case CPU_STOP_FATAL:
        stop->kind = DBG_STOP_ERROR;
        snprintf(stop->message, sizeof stop->message, "%s",
                 res->message[0] ? res->message : "the CPU cannot continue");
        break;
    case CPU_STOP_RESET:
        /* The run loop reloads the guest; the debugger sees a stop. */
        stop->kind = otherwise;
        break;
    default:
        stop->kind = otherwise;
        break;
    }
    stop->pc = debugger_pc(d, stop->cpu);
}

int debugger_step(struct debugger *d, struct cpu_observer *obs, struct dbg_stop *stop)
{
    if (d->exited) {
        memset(stop, 0, sizeof *stop);
        stop->kind = d->last.kind;
        stop->exit_code = d->last.exit_code;
        snprintf(stop->message, sizeof stop->message, "the guest has ended");
        return -1;
    }
    struct machine_run_result res;
    machine_step(d->m, d->cpu, obs, true, &res);
    if (d->history.stepped)
        d->history.stepped(d->history.opaque);
    stop_from_result(d, &res, DBG_STOP_STEP, stop);
    d->stopped = true;
    d->last = *stop;
    if (stop->kind == DBG_STOP_EXITED || stop->kind == DBG_STOP_ERROR)
        d->exited = true;
    return 0;
}

int debugger_reverse(struct debugger *d, bool to_hit, uint64_t count, struct dbg_stop *stop,
                     char *msg, size_t len)
{
    if (!d->history.reverse) {
        snprintf(msg, len, "no history is being kept (reverse execution needs --clock virtual, "
                 "one CPU, and a debugger attached: --gdb, --monitor, --monitor-socket or "
                 "Ctrl-A c, from which point the history starts)");
        return -1;
    }
    if (d->history.reverse(d->history.opaque, to_hit, count, stop, msg, len))
        return -1;
    d->stopped = true;
    d->exited = false;
    d->cpu = stop->cpu;
    d->last = *stop;
    return 0;
}

void debugger_modified(struct debugger *d)
{
    if (d->history.modified)
        d->history.modified(d->history.opaque);
}

void debugger_continue(struct debugger *d)
{
    if (d->exited)
        return;
    struct cpu *cpu = d->m->cpus[d->cpu];
    if (d->last.kind == DBG_STOP_BREAKPOINT || d->last.kind == DBG_STOP_WATCHPOINT ||
        cpu_is_breakpoint(cpu, debugger_pc(d, d->cpu))) {
        /* Step off the stop with breakpoints and watchpoints ignored. */
        struct dbg_stop stop;
        if (debugger_step(d, NULL, &stop) == 0 && stop.kind != DBG_STOP_STEP) {
            debugger_stop(d, &stop, NULL);
            return;
        }
    }
    d->stopped = false;
    d->last.kind = DBG_STOP_NONE;
}

void debugger_machine_stopped(struct debugger *d, const struct machine_run_result *res)
{
    struct dbg_stop stop;
    stop_from_result(d, res, DBG_STOP_INTERRUPT, &stop);
    d->cpu = stop.cpu;
    debugger_stop(d, &stop, NULL);
}

const char *debugger_symbolize(const struct debugger *d, uint64_t addr, char *buf, size_t len)
{
    uint64_t off;
    const struct symbol *s = symtab_lookup(&d->syms, addr, &off);
    if (!s || len == 0) {
        if (len)
            buf[0] = '\0';
        return buf;
    }
    if (off)
        snprintf(buf, len, "%s+0x%llx", s->name, (unsigned long long)off);
    else
        snprintf(buf, len, "%s", s->name);
    return buf;
}

int debugger_parse_addr(const struct debugger *d, const char *text, uint64_t *addr)
{
    char base[128];
    const char *op = NULL;
    for (const char *p = text + 1; *p; p++)
        if (*p == '+' || *p == '-') {
            op = p;
            break;
        }
    size_t n = op ? (size_t)(op - text) : strlen(text);
    if (n == 0 || n >= sizeof base)
        return -1;
    memcpy(base, text, n);
    base[n] = '\0';
    while (n > 0 && isspace((unsigned char)base[n - 1]))
        base[--n] = '\0';
    uint64_t v, off = 0;
    if (op) {
        const char *o = op + 1;
        while (isspace((unsigned char)*o))
            o++;
        if (parse_u64(o, &off))
            return -1;
    }
    const char *name = base[0] == '$' ? base + 1 : base;
    const struct symbol *s;
    struct cpu *cpu = d->m->cpus[d->cpu < d->m->ncpus ? d->cpu : 0];
    int reg;
    if (parse_u64(base, &v) == 0) {
        /* a number */
    } else if ((reg = cpu_reg_find(cpu, name)) >= 0) {
        v = cpu->ops->reg_get(cpu, (unsigned)reg);
        if (cpu->regs[reg].flags & CPU_REG_PC)
            v = debugger_pc(d, d->cpu);
    } else if ((s = symtab_find(&d->syms, name)) != NULL) {
        v = s->addr;
    } else {
        return -1;
    }
    *addr = op && *op == '-' ? v - off : v + off;
    return 0;
}
