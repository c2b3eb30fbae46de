/* The monitor's command interpreter (monitor.h). Every command is a row of
 * the command table with its usage and help; `help` prints them. */
#include "frontends/monitor.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/le.h"
#include "cpu/tlb.h"
#include "frontends/cli.h"
#include "frontends/explain.h"
#include "frontends/keymap.h"
#include "machine/snapshot.h"

#define MON_MAX_POINTS 64
#define MON_MAX_ARGS 8

enum point_kind { POINT_BREAK, POINT_WATCH, POINT_TEMP };

struct point {
    unsigned id;
    enum point_kind kind;
    uint64_t addr, len;
    unsigned watch;           /* enum cpu_watch_kind */
};

struct monitor {
    struct debugger *d;
    struct monitor_hooks hooks;
    struct point points[MON_MAX_POINTS];
    unsigned npoints;
    unsigned next_id;
};

/* ---- output ------------------------------------------------------------- */

static void out_printf(const struct dbg_output *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void out_printf(const struct dbg_output *out, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    out->write(out->opaque, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static int fail(const struct dbg_output *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(const struct dbg_output *out, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    out_printf(out, "error: %s\n", buf);
    return -1;
}

/* Runs fn with a FILE whose contents then go to out (the explain view
 * writes to a FILE). */
static int with_stream(const struct dbg_output *out,
                       int (*fn)(void *arg, FILE *f), void *arg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return fail(out, "out of memory");
    int rc = fn(arg, f);
    fclose(f);
    if (text && len)
        out->write(out->opaque, text, len);
    free(text);
    return rc;
}

/* ---- helpers -------------------------------------------------------------- */

static struct cpu *cur_cpu(struct monitor *mon)
{
    return mon->d->m->cpus[mon->d->cpu];
}

static int parse_addr(struct monitor *mon, const char *s, uint64_t *v,
                      const struct dbg_output *out)
{
    if (debugger_parse_addr(mon->d, s, v) != 0)
        return fail(out, "'%s' is not an address, register or known symbol", s);
    return 0;
}

static const char *sym(struct monitor *mon, uint64_t addr, char *buf, size_t len)
{
    char s[160];
    debugger_symbolize(mon->d, addr, s, sizeof s);
    if (s[0])
        snprintf(buf, len, " <%s>", s);
    else
        buf[0] = '\0';
    return buf;
}

void monitor_describe_stop(struct monitor *mon, const struct dbg_stop *stop, char *buf,
                           size_t len)
{
    char where[200];
    sym(mon, stop->pc, where, sizeof where);
    const char *cpu = mon->d->m->ncpus > 1 ? "cpu" : NULL;
    char cpus[16] = "";
    if (cpu)
        snprintf(cpus, sizeof cpus, " (cpu%u)", stop->cpu);
    unsigned id = 0;
    for (unsigned i = 0; i < mon->npoints; i++)
        if (mon->points[i].kind != POINT_TEMP &&
            ((stop->kind == DBG_STOP_BREAKPOINT && mon->points[i].kind == POINT_BREAK &&
              mon->points[i].addr == stop->pc) ||
             (stop->kind == DBG_STOP_WATCHPOINT && mon->points[i].kind == POINT_WATCH &&
              stop->watch.addr < mon->points[i].addr + mon->points[i].len &&
              mon->points[i].addr < stop->watch.addr + stop->watch.size)))
            id = mon->points[i].id;
    char ids[16] = "";
    if (id)
        snprintf(ids, sizeof ids, " %u", id);
    switch (stop->kind) {
    case DBG_STOP_BREAKPOINT:
        if (id)
            snprintf(buf, len, "breakpoint%s at 0x%08llx%s%s", ids, (unsigned long long)stop->pc,
                     where, cpus);
        else        /* until, next, or GDB's own */
            snprintf(buf, len, "stopped at 0x%08llx%s%s", (unsigned long long)stop->pc, where,
                     cpus);
        break;
    case DBG_STOP_WATCHPOINT:
        snprintf(buf, len, "watchpoint%s: %s of %u byte%s at 0x%08llx by the instruction at "
                 "0x%08llx%s%s (not yet executed)", ids, stop->watch.write ? "write" : "read",
                 stop->watch.size, stop->watch.size == 1 ? "" : "s",
                 (unsigned long long)stop->watch.addr, (unsigned long long)stop->pc, where, cpus);
        break;
    case DBG_STOP_EXITED:
        snprintf(buf, len, "the guest exited with status %d", stop->exit_code);
        break;
    case DBG_STOP_ERROR:
        snprintf(buf, len, "guest error: %s", stop->message);
        break;
    case DBG_STOP_START:
        snprintf(buf, len, "stopped before the first instruction, at 0x%08llx%s%s",
                 (unsigned long long)stop->pc, where, cpus);
        break;
    default:
        snprintf(buf, len, "stopped at 0x%08llx%s%s", (unsigned long long)stop->pc, where, cpus);
        break;
    }
}

static void print_stop(struct monitor *mon, const struct dbg_stop *stop,
                       const struct dbg_output *out)
{
    char line[600];
    monitor_describe_stop(mon, stop, line, sizeof line);
    out_printf(out, "%s\n", line);
}

/* Temporary breakpoints (until, next) go when the guest stops anywhere. */
static void drop_temporaries(struct monitor *mon)
{
    for (unsigned i = 0; i < mon->npoints;) {
        struct point *p = &mon->points[i];
        if (p->kind != POINT_TEMP) {
            i++;
            continue;
        }
        bool user = false;
        for (unsigned j = 0; j < mon->npoints; j++)
            user |= mon->points[j].kind == POINT_BREAK && mon->points[j].addr == p->addr;
        if (!user)
            (void)machine_break_remove(mon->d->m, p->addr);
        mon->points[i] = mon->points[--mon->npoints];
    }
}

static void on_stop(void *opaque, const struct dbg_stop *stop)
{
    (void)stop;
    drop_temporaries(opaque);
}

static int add_point(struct monitor *mon, enum point_kind kind, uint64_t addr, uint64_t len,
                     unsigned watch, const struct dbg_output *out)
{
    if (mon->npoints >= MON_MAX_POINTS)
        return fail(out, "at most %u breakpoints and watchpoints", MON_MAX_POINTS);
    struct orr_error err = { { 0 } };
    int rc = kind == POINT_WATCH ? machine_watch_insert(mon->d->m, addr, len, watch, &err)
                                 : machine_break_insert(mon->d->m, addr, &err);
    if (rc)
        return fail(out, "%s", err.msg);
    struct point *p = &mon->points[mon->npoints++];
    *p = (struct point){ kind == POINT_TEMP ? 0 : ++mon->next_id, kind, addr, len, watch };
    return (int)p->id;
}

/* ---- run control ------------------------------------------------------- */

static int stepped(struct monitor *mon, const struct dbg_stop *stop, const struct dbg_output *out)
{
    if (stop->kind != DBG_STOP_STEP) {
        print_stop(mon, stop, out);
        return stop->kind == DBG_STOP_ERROR ? -1 : 0;
    }
    return 0;
}

struct step_args {
    struct monitor *mon;
    struct dbg_stop stop;
    int rc;
};

static int explain_one(void *arg, FILE *f)
{
    struct step_args *a = arg;
    a->rc = explain_step(a->mon->d, a->mon->hooks.explain_json ? EXPLAIN_JSON : EXPLAIN_TEXT, f,
                         &a->stop);
    return a->rc;
}

static int cmd_step(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    uint64_t n = 1;
    if (argc > 1 && (parse_u64(argv[1], &n) || n == 0))
        return fail(out, "step: '%s' is not a positive count", argv[1]);
    if (mon->d->exited)
        return fail(out, "the guest has ended");
    for (uint64_t i = 0; i < n; i++) {
        struct step_args a = { .mon = mon };
        with_stream(out, explain_one, &a);
        if (a.rc != 0 || a.stop.kind != DBG_STOP_STEP)
            return stepped(mon, &a.stop, out);
    }
    return 0;
}

static int cmd_continue(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    (void)argc;
    (void)argv;
    if (mon->d->exited)
        return fail(out, "the guest has ended");
    debugger_continue(mon->d);
    if (mon->d->stopped)            /* stepping off the stop ended the run */
        print_stop(mon, &mon->d->last, out);
    return 0;
}

static int run_to(struct monitor *mon, uint64_t addr, const struct dbg_output *out)
{
    if (add_point(mon, POINT_TEMP, addr, 0, 0, out) < 0)
        return -1;
    return cmd_continue(mon, 0, NULL, out);
}

static int cmd_next(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    struct cpu *cpu = cur_cpu(mon);
    struct cpu_insn_info info;
    uint64_t pc = debugger_pc(mon->d, mon->d->cpu);
    if (cpu->ops->describe && cpu->ops->describe(cpu, pc, &info) == 0 && info.call && info.len)
        return run_to(mon, pc + info.len, out);
    return cmd_step(mon, 1, argv, out);
    (void)argc;
}

static int cmd_until(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    uint64_t addr;
    if (argc != 2)
        return fail(out, "usage: until ADDR");
    if (parse_addr(mon, argv[1], &addr, out))
        return -1;
    return run_to(mon, addr, out);
}

static int cmd_stop(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    (void)argc;
    (void)argv;
    if (mon->d->stopped) {
        out_printf(out, "already stopped\n");
        return 0;
    }
    struct dbg_stop stop = { .kind = DBG_STOP_INTERRUPT, .cpu = mon->d->cpu,
                             .pc = debugger_pc(mon->d, mon->d->cpu) };
    debugger_stop(mon->d, &stop, NULL);
    return 0;
}

/* ---- registers and memory ------------------------------------------------ */

static int cmd_regs(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    struct cpu *cpu = cur_cpu(mon);
    bool all = argc > 1 && strcmp(argv[1], "all") == 0;
    if (argc > 1 && !all)
        return fail(out, "usage: regs [all]");
    /* The registers up to the flags register are the ones in use; the
     * rest (banked copies) with `regs all`. */
    int flags = cpu_reg_index_with_flag(cpu, CPU_REG_FLAGS);
    unsigned shown = all || flags < 0 ? cpu->nregs : (unsigned)flags;
    unsigned col = 0;
    for (unsigned i = 0; i < shown; i++) {
        if ((int)i == flags)
            continue;
        uint64_t v = cpu->ops->reg_get(cpu, i);
        unsigned w = cpu->regs[i].bits >= 64 ? 16 : (cpu->regs[i].bits + 3) / 4;
        out_printf(out, "%-8s 0x%0*llx%s", cpu->regs[i].name, (int)w, (unsigned long long)v,
                   ++col % 4 == 0 ? "\n" : "   ");
    }
    if (col % 4)
        out_printf(out, "\n");
    if (flags >= 0 && cpu->ops->describe_flags) {
        char f[256];
        cpu->ops->describe_flags(cpu, cpu->ops->reg_get(cpu, (unsigned)flags), f, sizeof f);
        out_printf(out, "%-8s 0x%08llx  %s\n", cpu->regs[flags].name,
                   (unsigned long long)cpu->ops->reg_get(cpu, (unsigned)flags), f);
    }
    return 0;
}

static int cmd_set(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc != 3)
        return fail(out, "usage: set REG VALUE");
    struct cpu *cpu = cur_cpu(mon);
    const char *name = argv[1][0] == '$' ? argv[1] + 1 : argv[1];
    int reg = cpu_reg_find(cpu, name);
    if (reg < 0)
        return fail(out, "no register '%s' (see `regs all`)", name);
    uint64_t v;
    if (parse_addr(mon, argv[2], &v, out))
        return -1;
    if (cpu->regs[reg].flags & CPU_REG_READONLY)
        return fail(out, "%s is read-only", name);
    debugger_modified(mon->d);
    if (cpu->ops->reg_set(cpu, (unsigned)reg, v) != 0)
        return fail(out, "cannot set %s", name);
    return 0;
}

/* x/FMT ADDR [N]: FMT letters b h w g (unit), x d u c s i (format), p
 * (physical address); a count may lead ("x/4xw"). */
static int cmd_x(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    const char *fmt = strchr(argv[0], '/');
    unsigned unit = 4;
    char kind = 'x';
    bool phys = false;
    uint64_t count = 1;
    if (fmt) {
        fmt++;
        char *end;
        if (isdigit((unsigned char)*fmt)) {
            count = strtoull(fmt, &end, 10);
            fmt = end;
        }
        for (; *fmt; fmt++) {
            switch (*fmt) {
            case 'b': unit = 1; break;
            case 'h': unit = 2; break;
            case 'w': unit = 4; break;
            case 'g': unit = 8; break;
            case 'x': case 'd': case 'u': case 'c': case 's': case 'i': kind = *fmt; break;
            case 'p': phys = true; break;
            default: return fail(out, "x: unknown format letter '%c' (see `help x`)", *fmt);
            }
        }
    }
    if (argc < 2 || argc > 3)
        return fail(out, "usage: x/FMT ADDR [N]");
    uint64_t addr;
    if (parse_addr(mon, argv[1], &addr, out))
        return -1;
    if (argc == 3 && (parse_u64(argv[2], &count) || count == 0))
        return fail(out, "x: '%s' is not a positive count", argv[2]);
    if (count > 4096)
        return fail(out, "x: at most 4096 units at a time");
    struct cpu *cpu = cur_cpu(mon);
    char where[200];
    if (kind == 'i') {
        if (phys)
            return fail(out, "x/i reads instructions at virtual addresses");
        for (uint64_t i = 0; i < count; i++) {
            char text[200];
            int len = cpu->ops->disasm(cpu, addr, text, sizeof text);
            if (len <= 0)
                return fail(out, "cannot read memory at 0x%08llx", (unsigned long long)addr);
            out_printf(out, "0x%08llx%s:  %s\n", (unsigned long long)addr,
                       sym(mon, addr, where, sizeof where), text);
            addr += (uint64_t)len;
        }
        return 0;
    }
    if (kind == 's') {
        char s[1024];
        size_t n = machine_debug_read(mon->d->m, mon->d->cpu, addr, phys, s, sizeof s - 1);
        if (n == 0)
            return fail(out, "cannot read memory at 0x%08llx", (unsigned long long)addr);
        s[n] = '\0';
        out_printf(out, "0x%08llx:  \"", (unsigned long long)addr);
        for (size_t i = 0; i < n && s[i]; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch == '\n')
                out_printf(out, "\\n");
            else if (ch == '"' || ch == '\\')
                out_printf(out, "\\%c", ch);
            else
                out_printf(out, isprint(ch) ? "%c" : "\\x%02x", ch);
        }
        out_printf(out, "\"\n");
        return 0;
    }
    if (kind == 'c')
        unit = 1;
    unsigned per_line = unit == 1 ? 16 : unit == 2 ? 8 : unit == 4 ? 4 : 2;
    for (uint64_t i = 0; i < count; i++) {
        uint8_t b[8];
        uint64_t a = addr + i * unit;
        if (machine_debug_read(mon->d->m, mon->d->cpu, a, phys, b, unit) != unit) {
            if (i % per_line)
                out_printf(out, "\n");
            return fail(out, "cannot read %smemory at 0x%08llx", phys ? "physical " : "",
                        (unsigned long long)a);
        }
        if (i % per_line == 0)
            out_printf(out, "%s0x%08llx%s:", i ? "\n" : "", (unsigned long long)a,
                       phys ? "" : sym(mon, a, where, sizeof where));
        uint64_t v = le_load(b, unit);
        if (kind == 'x')
            out_printf(out, " 0x%0*llx", (int)unit * 2, (unsigned long long)v);
        else if (kind == 'u')
            out_printf(out, " %llu", (unsigned long long)v);
        else if (kind == 'c')
            out_printf(out, isprint((int)v) ? " '%c'" : " \\x%02x", (unsigned)v);
        else {
            int64_t sv = unit == 8 ? (int64_t)v : (int64_t)(v << (64 - 8 * unit)) >> (64 - 8 * unit);
            out_printf(out, " %lld", (long long)sv);
        }
    }
    out_printf(out, "\n");
    return 0;
}

static int cmd_disas(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    uint64_t pc = debugger_pc(mon->d, mon->d->cpu), addr = pc, n = 8;
    if (argc > 3)
        return fail(out, "usage: disas [ADDR] [N]");
    if (argc > 1 && parse_addr(mon, argv[1], &addr, out))
        return -1;
    if (argc > 2 && (parse_u64(argv[2], &n) || n == 0 || n > 4096))
        return fail(out, "disas: '%s' is not a count from 1 to 4096", argv[2]);
    struct cpu *cpu = cur_cpu(mon);
    for (uint64_t i = 0; i < n; i++) {
        struct cpu_insn_info info;
        if (!cpu->ops->describe || cpu->ops->describe(cpu, addr, &info) != 0 || !info.len)
            return fail(out, "cannot read memory at 0x%08llx", (unsigned long long)addr);
        char where[200], bytes[40];
        snprintf(bytes, sizeof bytes, "%0*llx", (int)(2 * info.len),
                 (unsigned long long)info.encoding);
        out_printf(out, "%s0x%08llx%s:  %-8s  %s\n", addr == pc ? "=> " : "   ",
                   (unsigned long long)addr, sym(mon, addr, where, sizeof where), bytes, info.text);
        addr += info.len;
    }
    return 0;
}

/* ---- breakpoints and watchpoints ------------------------------------------- */

static int cmd_break(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    uint64_t addr;
    if (argc != 2)
        return fail(out, "usage: break ADDR|SYMBOL");
    if (parse_addr(mon, argv[1], &addr, out))
        return -1;
    int id = add_point(mon, POINT_BREAK, addr, 0, 0, out);
    if (id < 0)
        return -1;
    char where[200];
    out_printf(out, "breakpoint %d at 0x%08llx%s\n", id, (unsigned long long)addr,
               sym(mon, addr, where, sizeof where));
    return 0;
}

static int cmd_watch(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    unsigned kind = CPU_WATCH_WRITE;
    int a = 1;
    if (argc > 1 && (strcmp(argv[1], "r") == 0 || strcmp(argv[1], "w") == 0 ||
                     strcmp(argv[1], "rw") == 0)) {
        kind = argv[1][1] ? CPU_WATCH_ACCESS : argv[1][0] == 'r' ? CPU_WATCH_READ
                                                                  : CPU_WATCH_WRITE;
        a = 2;
    }
    if (argc - a < 1 || argc - a > 2)
        return fail(out, "usage: watch [r|w|rw] ADDR [LEN]");
    uint64_t addr, len = 4;
    if (parse_addr(mon, argv[a], &addr, out))
        return -1;
    if (argc - a == 2 && (parse_u64(argv[a + 1], &len) || len == 0))
        return fail(out, "watch: '%s' is not a positive length", argv[a + 1]);
    int id = add_point(mon, POINT_WATCH, addr, len, kind, out);
    if (id < 0)
        return -1;
    char where[200];
    out_printf(out, "watchpoint %d: %s of 0x%08llx%s, %llu byte%s\n", id,
               kind == CPU_WATCH_ACCESS ? "read or write" : kind == CPU_WATCH_READ ? "read" : "write",
               (unsigned long long)addr, sym(mon, addr, where, sizeof where),
               (unsigned long long)len, len == 1 ? "" : "s");
    return 0;
}

static void remove_point(struct monitor *mon, unsigned i)
{
    struct point *p = &mon->points[i];
    if (p->kind == POINT_WATCH)
        (void)machine_watch_remove(mon->d->m, p->addr, p->len, p->watch);
    else
        (void)machine_break_remove(mon->d->m, p->addr);
    mon->points[i] = mon->points[--mon->npoints];
}

static int cmd_delete(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc == 1) {
        while (mon->npoints)
            remove_point(mon, 0);
        return 0;
    }
    for (int a = 1; a < argc; a++) {
        uint64_t id;
        if (parse_u64(argv[a], &id))
            return fail(out, "delete: '%s' is not a breakpoint number", argv[a]);
        unsigned i = 0;
        while (i < mon->npoints && (mon->points[i].kind == POINT_TEMP || mon->points[i].id != id))
            i++;
        if (i == mon->npoints)
            return fail(out, "no breakpoint or watchpoint %llu", (unsigned long long)id);
        remove_point(mon, i);
    }
    return 0;
}

/* ---- info --------------------------------------------------------------------- */

static int info_breakpoints(struct monitor *mon, const struct dbg_output *out)
{
    char where[200];
    unsigned shown = 0;
    for (unsigned i = 0; i < mon->npoints; i++) {
        const struct point *p = &mon->points[i];
        if (p->kind == POINT_TEMP)
            continue;
        if (p->kind == POINT_BREAK)
            out_printf(out, "%-3u breakpoint  0x%08llx%s\n", p->id, (unsigned long long)p->addr,
                       sym(mon, p->addr, where, sizeof where));
        else
            out_printf(out, "%-3u watchpoint  0x%08llx%s, %llu bytes, %s\n", p->id,
                       (unsigned long long)p->addr, sym(mon, p->addr, where, sizeof where),
                       (unsigned long long)p->len,
                       p->watch == CPU_WATCH_ACCESS ? "read or write"
                       : p->watch == CPU_WATCH_READ ? "read" : "write");
        shown++;
    }
    /* Those another debugger (GDB) set. */
    struct cpu *cpu = cur_cpu(mon);
    for (unsigned i = 0; i < cpu->nbreakpoints; i++) {
        bool mine = false;
        for (unsigned j = 0; j < mon->npoints; j++)
            mine |= mon->points[j].kind != POINT_WATCH && mon->points[j].addr == cpu->breakpoints[i];
        if (!mine) {
            out_printf(out, "-   breakpoint  0x%08llx%s (set by GDB)\n",
                       (unsigned long long)cpu->breakpoints[i],
                       sym(mon, cpu->breakpoints[i], where, sizeof where));
            shown++;
        }
    }
    if (!shown)
        out_printf(out, "no breakpoints or watchpoints\n");
    return 0;
}

static int info_devices(struct monitor *mon, const struct dbg_output *out)
{
    const struct machine *m = mon->d->m;
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct machine_device *md = &m->devices[i];
        out_printf(out, "%-28s %-14s 0x%08llx", md->path, md->model->name,
                   (unsigned long long)md->base);
        for (unsigned j = 0; j < md->nirqs; j++)
            out_printf(out, "%s irq%u=%s", j ? "," : "  ", j, md->irqs[j].level ? "high" : "low");
        out_printf(out, "\n");
    }
    return 0;
}

static int info_irq(struct monitor *mon, const struct dbg_output *out)
{
    const struct machine *m = mon->d->m;
    unsigned high = 0;
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct machine_device *md = &m->devices[i];
        for (unsigned j = 0; j < md->nirqs; j++) {
            const struct irq_line *l = &md->irqs[j];
            const char *sink = "unconnected";
            for (unsigned k = 0; k < m->ndevices; k++)
                if (l->set && l->opaque == m->devices[k].dev)
                    sink = m->devices[k].path;
            for (unsigned c = 0; c < m->ncpus; c++)
                if (l->set && l->opaque == m->cpus[c])
                    sink = "cpu";
            out_printf(out, "%-28s out %u -> %s input %u: %s\n", md->path, j, sink, l->input,
                       l->level ? "HIGH" : "low");
            high += l->level;
        }
    }
    out_printf(out, "%u line%s high\n", high, high == 1 ? "" : "s");
    return 0;
}

static int info_events(struct monitor *mon, const struct dbg_output *out)
{
    const struct vclock *clk = &mon->d->m->clock;
    out_printf(out, "time now: %llu ns (%s clock); %llu instructions executed\n",
               (unsigned long long)clk->now_ns,
               clk->mode == CLOCK_MODE_VIRTUAL ? "virtual" : "realtime",
               (unsigned long long)mon->d->m->executed);
    /* The queue is a heap: list in deadline order by selection. */
    const struct clock_event *done[CLOCK_MAX_EVENTS];
    unsigned n = clk->nheap;
    for (unsigned k = 0; k < n; k++) {
        const struct clock_event *best = NULL;
        for (unsigned i = 0; i < n; i++) {
            const struct clock_event *e = clk->heap[i];
            bool used = false;
            for (unsigned j = 0; j < k; j++)
                used |= done[j] == e;
            if (!used && (!best || e->deadline < best->deadline ||
                          (e->deadline == best->deadline && e->seq < best->seq)))
                best = e;
        }
        done[k] = best;
        out_printf(out, "  %-24s at %llu ns (in %llu ns)\n", best->name,
                   (unsigned long long)best->deadline,
                   (unsigned long long)(best->deadline > clk->now_ns ? best->deadline - clk->now_ns
                                                                       : 0));
    }
    if (n == 0)
        out_printf(out, "  no events pending\n");
    return 0;
}

static void print_walk(const struct cpu_walk_event *w, const struct dbg_output *out)
{
    for (unsigned l = 0; l < w->nlevels; l++)
        out_printf(out, "  level %u  [0x%08llx] = 0x%08llx  %s\n", l + 1,
                   (unsigned long long)w->level[l].desc_addr,
                   (unsigned long long)w->level[l].desc, w->level[l].what);
    out_printf(out, "  %s  %s\n", w->fault ? "fault " : "result", w->result);
}

static int info_mmu(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc < 3)
        return fail(out, "usage: info mmu ADDR [read|write|exec] [user]");
    uint64_t addr;
    if (parse_addr(mon, argv[2], &addr, out))
        return -1;
    struct cpu *cpu = cur_cpu(mon);
    enum cpu_access acc = CPU_ACCESS_READ;
    bool user = cpu->ops->privilege ? cpu->ops->privilege(cpu) == 0 : false;
    for (int a = 3; a < argc; a++) {
        if (strcmp(argv[a], "read") == 0)
            acc = CPU_ACCESS_READ;
        else if (strcmp(argv[a], "write") == 0)
            acc = CPU_ACCESS_WRITE;
        else if (strcmp(argv[a], "exec") == 0)
            acc = CPU_ACCESS_EXEC;
        else if (strcmp(argv[a], "user") == 0)
            user = true;
        else
            return fail(out, "info mmu: unknown word '%s'", argv[a]);
    }
    if (!cpu->ops->walk)
        return fail(out, "this CPU has no table walk to show");
    struct cpu_walk_event w;
    cpu->ops->walk(cpu, addr, acc, user, &w);
    out_printf(out, "%s of 0x%08llx, %s:\n",
               acc == CPU_ACCESS_WRITE ? "write" : acc == CPU_ACCESS_EXEC ? "fetch" : "read",
               (unsigned long long)addr, user ? "unprivileged" : "privileged");
    print_walk(&w, out);
    return 0;
}

static int info_tlb(struct monitor *mon, const struct dbg_output *out)
{
    struct cpu *cpu = cur_cpu(mon);
    if (!cpu->ops->soft_tlb)
        return fail(out, "this CPU has no soft TLB");
    const struct soft_tlb *t = cpu->ops->soft_tlb(cpu);
    static const char *const kinds[TLB_KINDS] = { "read", "write", "exec" };
    unsigned n = 0;
    for (unsigned p = 0; p < TLB_PRIVS; p++)
        for (unsigned k = 0; k < TLB_KINDS; k++)
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                const struct tlb_entry *e = &t->e[p][k][i];
                if (e->tag == TLB_INVALID_TAG)
                    continue;
                out_printf(out, "  %-13s %-5s va 0x%08llx -> pa 0x%08llx  attrs 0x%05x\n",
                           p ? "privileged" : "unprivileged", kinds[k],
                           (unsigned long long)e->tag, (unsigned long long)e->ppage, e->attrs);
                n++;
            }
    out_printf(out, "%u entries valid; %llu fills since reset\n", n,
               (unsigned long long)t->misses);
    return 0;
}

static int cmd_info(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc < 2)
        return fail(out, "usage: info breakpoints|devices|mmu ADDR|tlb|irq|events|cpus");
    const char *what = argv[1];
    if (strcmp(what, "breakpoints") == 0 || strcmp(what, "break") == 0 ||
        strcmp(what, "watchpoints") == 0)
        return info_breakpoints(mon, out);
    if (strcmp(what, "devices") == 0)
        return info_devices(mon, out);
    if (strcmp(what, "mmu") == 0)
        return info_mmu(mon, argc, argv, out);
    if (strcmp(what, "tlb") == 0)
        return info_tlb(mon, out);
    if (strcmp(what, "irq") == 0)
        return info_irq(mon, out);
    if (strcmp(what, "events") == 0)
        return info_events(mon, out);
    if (strcmp(what, "cpus") == 0) {
        for (unsigned i = 0; i < mon->d->m->ncpus; i++) {
            char where[200];
            uint64_t pc = debugger_pc(mon->d, i);
            out_printf(out, "%s cpu%u  %-12s pc 0x%08llx%s\n", i == mon->d->cpu ? "*" : " ", i,
                       mon->d->m->cpus[i]->model->name, (unsigned long long)pc,
                       sym(mon, pc, where, sizeof where));
        }
        return 0;
    }
    return fail(out, "info: unknown subject '%s' (breakpoints, devices, mmu, tlb, irq, events, "
                "cpus)", what);
}

/* ---- the rest ------------------------------------------------------------------ */

static int cmd_cpu(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    uint64_t n;
    if (argc != 2 || parse_u64(argv[1], &n))
        return fail(out, "usage: cpu N");
    if (n >= mon->d->m->ncpus)
        return fail(out, "no cpu%llu (the machine has %u)", (unsigned long long)n, mon->d->m->ncpus);
    mon->d->cpu = (unsigned)n;
    return 0;
}

static int cmd_symbols(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc != 2)
        return fail(out, "usage: symbols FILE");
    struct orr_error err = { { 0 } };
    long n = symtab_load_file(&mon->d->syms, argv[1], &err);
    if (n < 0)
        return fail(out, "%s", err.msg);
    out_printf(out, "%ld symbols from %s\n", n, argv[1]);
    return 0;
}

static int cmd_trace(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc < 2 || argc > 3 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")) ||
        (argc == 3 && strcmp(argv[1], "on")))
        return fail(out, "usage: trace on [FILE] | trace off");
    if (!mon->hooks.trace)
        return fail(out, "tracing is not available here");
    return mon->hooks.trace(mon->hooks.opaque, argv[1][1] == 'n', argc == 3 ? argv[2] : NULL, out);
}

static int cmd_savevm(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc != 2)
        return fail(out, "usage: savevm FILE");
    struct orr_error err = { { 0 } };
    if (snapshot_save(mon->d->m, argv[1], &err))
        return fail(out, "%s", err.msg);
    out_printf(out, "saved to %s\n", argv[1]);
    return 0;
}

static int cmd_loadvm(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc != 2)
        return fail(out, "usage: loadvm FILE");
    if (!mon->hooks.loadvm)
        return fail(out, "loading a snapshot is not available here");
    return mon->hooks.loadvm(mon->hooks.opaque, argv[1], out);
}

/* screendump, sendkey, type, mouse, touch: the frontend's (it owns the
 * input queue and the journal). */
static int cmd_ui(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (!mon->hooks.ui)
        return fail(out, "%s is not available here", argv[0]);
    return mon->hooks.ui(mon->hooks.opaque, argc, argv, out);
}

static int cmd_input(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc != 3 || (strcmp(argv[2], "1") && strcmp(argv[2], "0")))
        return fail(out, "usage: input NAME 1|0");
    if (!mon->hooks.input)
        return fail(out, "external inputs are not available here");
    return mon->hooks.input(mon->hooks.opaque, argv[1], argv[2][0] == '1', out);
}

/* screen [PATH]: what a display shows in a text mode, as text
 * (device_model.text_screen), of the first device that has one or of the
 * device at node PATH. */
static int cmd_screen(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    if (argc > 2)
        return fail(out, "usage: screen [PATH]");
    const struct machine *m = mon->d->m;
    const struct machine_device *md = NULL;
    for (unsigned i = 0; i < m->ndevices && !md; i++)
        if (m->devices[i].model->text_screen &&
            (argc < 2 || strcmp(m->devices[i].path, argv[1]) == 0))
            md = &m->devices[i];
    if (!md)
        return argc < 2 ? fail(out, "this machine has no display with a text screen")
                        : fail(out, "%s is not a display with a text screen", argv[1]);
    size_t n = md->model->text_screen(md->dev, NULL, 0);
    if (n == 0) {
        out_printf(out, "%s is not in a text mode\n", md->path);
        return 0;
    }
    char *text = malloc(n + 1);
    if (!text)
        return fail(out, "out of memory");
    n = md->model->text_screen(md->dev, text, n + 1);
    out->write(out->opaque, text, n);
    free(text);
    return 0;
}

/* rstep and rcontinue: where the guest is now, back in time. */
static int reversed(struct monitor *mon, bool to_hit, uint64_t count,
                    const struct dbg_output *out)
{
    struct dbg_stop stop;
    char msg[300];
    if (debugger_reverse(mon->d, to_hit, count, &stop, msg, sizeof msg))
        return fail(out, "%s", msg);
    if (stop.kind == DBG_STOP_STEP) {
        char where[200], text[160];
        sym(mon, stop.pc, where, sizeof where);
        struct cpu *cpu = mon->d->m->cpus[stop.cpu];
        if (cpu->ops->disasm(cpu, stop.pc, text, sizeof text) < 0)
            snprintf(text, sizeof text, "(cannot read the instruction)");
        out_printf(out, "back at 0x%08llx%s: %s\n", (unsigned long long)stop.pc, where, text);
    } else {
        print_stop(mon, &stop, out);
    }
    out_printf(out, "(instruction %llu%s)\n", (unsigned long long)mon->d->m->executed,
               stop.history_begin ? ", the oldest point in the history" : "");
    return 0;
}

static int cmd_rstep(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    uint64_t n = 1;
    if (argc > 2 || (argc == 2 && (parse_u64(argv[1], &n) || n == 0)))
        return fail(out, "usage: rstep [N]");
    return reversed(mon, false, n, out);
}

static int cmd_rcontinue(struct monitor *mon, int argc, char **argv,
                         const struct dbg_output *out)
{
    (void)argv;
    if (argc != 1)
        return fail(out, "usage: rcontinue");
    return reversed(mon, true, 0, out);
}

static int cmd_quit(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    (void)argc;
    (void)argv;
    (void)out;
    mon->d->quit = true;
    return 0;
}

static int cmd_help(struct monitor *mon, int argc, char **argv, const struct dbg_output *out);

struct command {
    const char *name;
    const char *alias;
    int (*fn)(struct monitor *mon, int argc, char **argv, const struct dbg_output *out);
    const char *usage;
    const char *help;
};

static const struct command commands[] = {
    { "step", "s", cmd_step, "step [N]",
      "Execute N instructions (default 1) of the selected CPU, showing for each what it did: "
      "the decoded fields, the registers and flags it changed, its memory accesses, any table "
      "walk and any exception taken." },
    { "next", "n", cmd_next, "next",
      "Like step, but a call (ARM BL/BLX) runs until it returns to the next instruction." },
    { "continue", "c", cmd_continue, "continue",
      "Let the guest run (and the terminal go back to the guest's console) until a breakpoint, "
      "a watchpoint or Ctrl-A c." },
    { "until", "u", cmd_until, "until ADDR",
      "Run until the PC reaches ADDR (or something else stops the guest)." },
    { "stop", NULL, cmd_stop, "stop", "Stop a running guest (for the monitor socket)." },
    { "regs", "r", cmd_regs, "regs [all]",
      "Show the registers of the selected CPU, the flags decoded; `all` adds the banked ones." },
    { "set", NULL, cmd_set, "set REG VALUE", "Set a register (VALUE may be a symbol)." },
    { "x", NULL, cmd_x, "x/FMT ADDR [N]",
      "Examine N units of memory at ADDR. FMT: unit b h w g (1, 2, 4, 8 bytes; default w), "
      "format x d u c (default x), s (string) or i (instructions), and p for a physical ADDR "
      "(default: virtual, through the CPU's MMU). A leading count also works: x/16xb." },
    { "disas", "d", cmd_disas, "disas [ADDR] [N]",
      "Disassemble N instructions (default 8) from ADDR (default the PC), in the CPU's current "
      "instruction set; => marks the PC." },
    { "break", "b", cmd_break, "break ADDR|SYMBOL", "Stop before the instruction at ADDR." },
    { "watch", "w", cmd_watch, "watch [r|w|rw] ADDR [LEN]",
      "Stop before an instruction that reads (r), writes (w, the default) or does either (rw) "
      "any of the LEN bytes (default 4) at virtual address ADDR." },
    { "delete", NULL, cmd_delete, "delete [ID...]",
      "Delete the given breakpoints and watchpoints, or all of them." },
    { "info", "i", cmd_info, "info breakpoints|devices|mmu ADDR|tlb|irq|events|cpus",
      "breakpoints: the breakpoints and watchpoints. devices: every device, its first "
      "register window and its interrupt outputs. mmu ADDR [read|write|exec] [user]: the table "
      "walk for ADDR, level by level. tlb: the soft TLB's valid entries. irq: every interrupt "
      "line and its level. events: the clock's pending events. cpus: the CPUs and their PCs." },
    { "cpu", NULL, cmd_cpu, "cpu N", "Select the CPU that step, regs, x and disas use." },
    { "symbols", NULL, cmd_symbols, "symbols FILE",
      "Load symbols from an ELF file or a System.map, for addresses and names." },
    { "trace", NULL, cmd_trace, "trace on [FILE] | trace off",
      "Start (to FILE, default orrery-trace.txt) or stop an instruction trace." },
    { "savevm", NULL, cmd_savevm, "savevm FILE",
      "Save the whole machine (CPUs, devices, memory, copy-on-write disk blocks) to FILE; "
      "`orrery run --snapshot-load FILE` or `loadvm FILE` starts from it again." },
    { "loadvm", NULL, cmd_loadvm, "loadvm FILE",
      "Replace the machine's state with the snapshot in FILE (checked first: a file for "
      "another board, or a disk image that changed since, is refused and nothing changes)." },
    { "input", NULL, cmd_input, "input NAME 1|0",
      "Drive an external input: a gpio-keys key by its label or node name (`input poweroff 1` "
      "presses arm-virt's power button, `input poweroff 0` releases it), or PATH:N, input N of "
      "the device at node PATH. Recorded by --record like typed input." },
    { "screendump", NULL, cmd_ui, "screendump FILE.png",
      "Write what the display shows now to FILE.png (the picture a window would show, at the "
      "guest's own resolution)." },
    { "sendkey", NULL, cmd_ui, "sendkey KEY[-KEY...] [HOLD_MS]",
      "Press the keys together and release them (after HOLD_MS of guest time, default 100): "
      "`sendkey ctrl-alt-delete`. Names as QEMU's (a, ret, spc, ctrl, shift, alt, f1, up, "
      "kp_add...); `help keys` lists them." },
    { "type", NULL, cmd_ui, "type \"TEXT\"",
      "Type TEXT on the guest's keyboard (US layout), key by key; quoted text may use \\n, "
      "\\t, \\e, \\\\, \\\" and \\xHH." },
    { "mouse", NULL, cmd_ui, "mouse X Y [BUTTONS]",
      "Move the pointer to pixel X, Y of the display, with BUTTONS held (bit 0 left, 1 right, "
      "2 middle; default none): through a tablet when the guest has one, else as a mouse "
      "movement." },
    { "touch", NULL, cmd_ui, "touch X Y [down|move|up] [SLOT]",
      "Touch the screen at pixel X, Y: a tap (down, then up after 50 ms), or one contact "
      "change of finger SLOT (default 0)." },
    { "screen", NULL, cmd_screen, "screen [PATH]",
      "Show the text on the screen of a display in a text mode (a VGA's 80x25), one line per "
      "row: the first display's, or that of the device at node PATH." },
    { "rstep", "rs", cmd_rstep, "rstep [N]",
      "Step back N instructions (default 1): the machine returns to the state it had then, "
      "by restoring an earlier in-memory snapshot and running forward again." },
    { "rcontinue", "rc", cmd_rcontinue, "rcontinue",
      "Run backwards to the previous breakpoint or watchpoint hit (or the oldest point in the "
      "history)." },
    { "quit", "q", cmd_quit, "quit", "End the emulator." },
    { "help", "h", cmd_help, "help [COMMAND]", "List the commands, or explain one." },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const struct command *find_command(const char *word)
{
    char name[32];
    size_t n = strcspn(word, "/");
    if (n >= sizeof name)
        return NULL;
    memcpy(name, word, n);
    name[n] = '\0';
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0 ||
            (commands[i].alias && strcmp(commands[i].alias, name) == 0))
            return &commands[i];
    return NULL;
}

static int cmd_help(struct monitor *mon, int argc, char **argv, const struct dbg_output *out)
{
    (void)mon;
    if (argc > 1 && strcmp(argv[1], "keys") == 0) {
        const char *names[256];
        size_t n = keymap_names(names, 256);
        for (size_t i = 0; i < n && i < 256; i++)
            out_printf(out, "%s%s", names[i], i + 1 < n ? " " : "\n");
        return 0;
    }
    if (argc > 1) {
        const struct command *c = find_command(argv[1]);
        if (!c)
            return fail(out, "no command '%s'", argv[1]);
        out_printf(out, "%s%s%s%s\n  %s\n", c->usage, c->alias ? "   (short: " : "",
                   c->alias ? c->alias : "", c->alias ? ")" : "", c->help);
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        out_printf(out, "  %-34s %.*s\n", commands[i].usage,
                   (int)strcspn(commands[i].help, "."), commands[i].help);
    out_printf(out, "`help COMMAND` explains one. ADDR is a number, a symbol or a register "
               "($pc), optionally +/-N.\n");
    return 0;
}

/* Commands that need the guest stopped stop it first. */
static bool needs_stop(const struct command *c)
{
    return c->fn == cmd_step || c->fn == cmd_next || c->fn == cmd_set ||
           c->fn == cmd_loadvm || c->fn == cmd_rstep || c->fn == cmd_rcontinue;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Splits line into words in place: blanks separate words; a word in
 * double quotes may hold blanks and the escapes \n \t \r \b \e \\ \"
 * and \xHH. Returns the word count, or -1 with why in *msg. */
static int split_words(char *line, char **argv, int max, const char **msg)
{
    int argc = 0;
    char *r = line;
    for (;;) {
        while (*r == ' ' || *r == '\t' || *r == '\r' || *r == '\n')
            r++;
        if (!*r)
            return argc;
        if (argc == max) {
            *msg = "too many words";
            return -1;
        }
        if (*r != '"') {
            argv[argc++] = r;
            while (*r && *r != ' ' && *r != '\t' && *r != '\r' && *r != '\n')
                r++;
            if (*r)
                *r++ = '\0';
            continue;
        }
        char *w = ++r;      /* the unescaped word overwrites the quoted one */
        argv[argc++] = w;
        for (;;) {
            char c = *r++;
            if (c == '\0') {
                *msg = "a quoted word has no closing quote";
                return -1;
            }
            if (c == '"')
                break;
            if (c == '\\') {
                char e = *r++;
                switch (e) {
                case 'n': c = '\n'; break;
                case 't': c = '\t'; break;
                case 'r': c = '\r'; break;
                case 'b': c = '\b'; break;
                case 'e': c = 0x1b; break;
                case '\\': case '"': c = e; break;
                case 'x': {
                    int h = hex_digit(r[0]), l = h >= 0 ? hex_digit(r[1]) : -1;
                    if (h < 0 || l < 0) {
                        *msg = "\\x wants two hex digits";
                        return -1;
                    }
                    c = (char)(h * 16 + l);
                    r += 2;
                    break;
                }
                default:
                    *msg = "unknown escape in a quoted word";
                    return -1;
                }
            }
            *w++ = c;
        }
        *w = '\0';
        if (*r && *r != ' ' && *r != '\t' && *r != '\r' && *r != '\n') {
            *msg = "a quoted word must end at a blank";
            return -1;
        }
    }
}

int monitor_exec(struct monitor *mon, const char *line, const struct dbg_output *out)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", line);
    char *argv[MON_MAX_ARGS];
    const char *why = NULL;
    int argc = split_words(buf, argv, MON_MAX_ARGS, &why);
    if (argc < 0)
        return fail(out, "%s", why);
    if (argc == 0 || argv[0][0] == '#')
        return 0;
    const struct command *c = find_command(argv[0]);
    if (!c)
        return fail(out, "unknown command '%s' (try `help`)", argv[0]);
    if (strchr(argv[0], '/') && c->fn != cmd_x)
        return fail(out, "%s takes no /FMT", c->name);
    if (needs_stop(c) && !mon->d->stopped)
        cmd_stop(mon, 0, NULL, out);
    return c->fn(mon, argc, argv, out);
}

int monitor_create(struct monitor **out, struct debugger *d, const struct monitor_hooks *hooks)
{
    struct monitor *mon = calloc(1, sizeof *mon);
    if (!mon)
        return -1;
    mon->d = d;
    if (hooks)
        mon->hooks = *hooks;
    if (debugger_add_listener(d, on_stop, mon)) {
        free(mon);
        return -1;
    }
    *out = mon;
    return 0;
}

void monitor_destroy(struct monitor *mon)
{
    free(mon);
}
