/* The instruction tracer (trace.h).
 *
 * Line format (one per traced instruction; stable, tests parse it):
 *
 *   [cpuN ]PC  BYTES  DISASSEMBLY[  <symbol+offset>][  ; REG=OLD->NEW ...][  ; R|Wsize VA[=PA]:VALUE ...]
 *
 * PC is eight hex digits (sixteen above 4 GiB), BYTES the encoding as the
 * ISA's manual writes it (ARM: one word, a Thumb halfword, or a 32-bit
 * Thumb instruction as first:second halfword, as the explain view shows it), the cpu prefix only on machines with several CPUs. The
 * `;` groups appear with --trace-regs and --trace-mem. With --explain the
 * explain view (text or JSON lines) replaces the line.
 *
 * Before the start trigger the machine runs at full speed (machine_run,
 * with a breakpoint of the tracer's own at --trace-from); while tracing,
 * one instruction at a time through machine_step, round-robin over the
 * CPUs. Disassembly is cached per (address, bytes, decode key). */
#define _GNU_SOURCE   /* fopencookie, for gzip output through a FILE */
#include "frontends/trace.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define TRACE_CACHE_SIZE 16384           /* disassembly cache entries (power of two) */
#define TRACE_BUFFER (1u << 20)
#define TRACE_MAX_REGS 256
/* Instructions traced per trace_run at most, so that the run loop looks at
 * its inputs (Ctrl-A, the monitor socket's `trace off`) every few ms of
 * host time even when a slice of guest time is a million instructions. */
#define TRACE_SLICE_INSNS 65536

enum trace_state { TRACE_WAIT, TRACE_ON, TRACE_DONE };

struct dis_entry {
    uint64_t va;
    uint64_t encoding;                   /* as the explain view shows it */
    uint8_t bytes[16];                   /* bytes_form: the bytes, in memory order */
    bool bytes_form;
    uint32_t raw, key;
    uint8_t len;
    bool valid;
    char text[72];
};

struct tracer {
    struct trace_options o;
    struct debugger *d;
    FILE *f;
    gzFile gz;                           /* behind f when the path ends in .gz */
    bool own_file;
    char *buf;
    enum trace_state state;
    uint64_t skip_left;                  /* instructions still to skip (start_after) */
    bool own_break;                      /* start_addr is our breakpoint */
    unsigned next_cpu;
    uint64_t lines, bytes;
    bool failed;
    int error;
    struct dis_entry cache[TRACE_CACHE_SIZE];
    uint64_t before[TRACE_MAX_REGS];
};

/* ---- gzip through a FILE ------------------------------------------------------ */

static ssize_t gz_cookie_write(void *cookie, const char *buf, size_t len)
{
    struct tracer *t = cookie;
    if (len == 0)
        return 0;
    int n = gzwrite(t->gz, buf, (unsigned)len);
    if (n <= 0) {
        errno = EIO;
        return -1;
    }
    return n;
}

static int gz_cookie_close(void *cookie)
{
    struct tracer *t = cookie;
    int rc = gzclose(t->gz);
    t->gz = NULL;
    return rc == Z_OK ? 0 : EOF;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* ---- lifecycle ---------------------------------------------------------------- */

static void start_tracing(struct tracer *t)
{
    t->state = TRACE_ON;
}

int trace_open(struct tracer **out, const struct trace_options *o, struct debugger *d,
               struct orr_error *err)
{
    struct tracer *t = calloc(1, sizeof *t);
    if (!t)
        return orr_fail(err, "out of memory");
    t->o = *o;
    t->d = d;
    if (!o->path || strcmp(o->path, "-") == 0) {
        t->f = stdout;
    } else if (ends_with(o->path, ".gz")) {
        t->gz = gzopen(o->path, "wb1");
        if (!t->gz) {
            free(t);
            return orr_fail(err, "--trace: %s: %s", o->path, strerror(errno ? errno : EIO));
        }
        cookie_io_functions_t io = { .write = gz_cookie_write, .close = gz_cookie_close };
        t->f = fopencookie(t, "w", io);
        if (!t->f) {
            gzclose(t->gz);
            free(t);
            return orr_fail(err, "--trace: %s: cannot open", o->path);
        }
        t->own_file = true;
    } else {
        t->f = fopen(o->path, "w");
        if (!t->f) {
            int e = errno;
            free(t);
            return orr_fail(err, "--trace: %s: %s", o->path, strerror(e));
        }
        t->own_file = true;
    }
    t->buf = malloc(TRACE_BUFFER);
    if (t->buf)
        setvbuf(t->f, t->buf, _IOFBF, TRACE_BUFFER);
    t->skip_left = o->start_after;
    t->state = o->start_at_addr || o->start_after ? TRACE_WAIT : TRACE_ON;
    *out = t;
    return 0;
}

static void drop_own_break(struct tracer *t)
{
    if (t->own_break) {
        machine_break_remove(t->d->m, t->o.start_addr);
        t->own_break = false;
    }
}

int trace_close(struct tracer *t, struct orr_error *err)
{
    if (!t)
        return 0;
    drop_own_break(t);
    int rc = 0;
    if (fflush(t->f) != 0 || ferror(t->f))
        t->failed = true, t->error = errno;
    if (t->own_file && fclose(t->f) != 0)
        t->failed = true, t->error = errno;
    if (t->failed)
        rc = orr_fail(err, "--trace: writing %s failed: %s", t->o.path ? t->o.path : "stdout",
                      strerror(t->error ? t->error : EIO));
    free(t->buf);
    free(t);
    return rc;
}

bool trace_active(const struct tracer *t)
{
    return t->state != TRACE_DONE && !t->failed;
}

void trace_stats(const struct tracer *t, uint64_t *lines, uint64_t *bytes)
{
    *lines = t->lines;
    *bytes = t->bytes;
}

/* ---- one line -------------------------------------------------------------------- */

static const struct dis_entry *disassemble(struct tracer *t, struct cpu *cpu, unsigned index,
                                           uint64_t pc)
{
    uint8_t raw[4] = { 0 }, raw16[16];
    size_t got = machine_debug_read(t->d->m, index, pc, false, raw, 4);
    uint32_t word = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 |
                    (uint32_t)raw[3] << 24;
    uint32_t key = cpu->ops->decode_key ? cpu->ops->decode_key(cpu) : 0;
    struct dis_entry *e = &t->cache[((pc >> 1) ^ (pc >> 13) ^ key) & (TRACE_CACHE_SIZE - 1)];
    /* Longer instructions (x86) also compare their other bytes: code that
     * patches an immediate must not be traced with its old text. */
    if (e->valid && e->va == pc && e->raw == word && e->key == key &&
        (!e->bytes_form || e->len <= 4 ||
         (machine_debug_read(t->d->m, index, pc, false, raw16, e->len) == e->len &&
          memcmp(raw16, e->bytes, e->len) == 0)))
        return e;
    e->valid = true;
    e->va = pc;
    e->raw = word;
    e->key = key;
    /* A miss: the ISA's full description (text and encoding), once. */
    struct cpu_insn_info info;
    int len = -1;
    if (got && cpu->ops->describe && cpu->ops->describe(cpu, pc, &info) == 0 && info.len) {
        size_t tl = strnlen(info.text, sizeof e->text - 1);   /* long text: cut */
        memcpy(e->text, info.text, tl);
        e->text[tl] = '\0';
        len = (int)info.len;
        e->encoding = info.encoding;
        e->bytes_form = info.bytes_form;
        memcpy(e->bytes, info.bytes, sizeof e->bytes);
    } else if (got) {
        len = cpu->ops->disasm(cpu, pc, e->text, sizeof e->text);
        e->bytes_form = false;
        e->encoding = 0;
        for (int i = len; i-- > 0;)
            e->encoding = e->encoding << 8 | raw[i];
    }
    if (len <= 0) {
        snprintf(e->text, sizeof e->text, "(no memory)");
        len = 0;
    }
    e->len = (uint8_t)len;
    return e;
}

static void emit(struct tracer *t, const char *text, size_t len)
{
    if (fwrite(text, 1, len, t->f) != len) {
        t->failed = true;
        t->error = errno;
    }
    t->bytes += len;
}

struct line {
    char text[1024];
    size_t n;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(l->text + l->n, sizeof l->text - l->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        l->n = l->n + (size_t)k < sizeof l->text ? l->n + (size_t)k : sizeof l->text - 1;
}

static void write_line(struct tracer *t, struct cpu *cpu, unsigned index, uint64_t pc,
                       const struct dis_entry *e, const struct cpu_observer *obs)
{
    struct line line = { .n = 0 };
    if (t->d->m->ncpus > 1)
        put(&line, "cpu%u ", index);
    put(&line, pc > UINT32_MAX ? "%016llx  " : "%08llx  ", (unsigned long long)pc);
    if (e->bytes_form) {
        /* Bytes in memory order, padded to eight of them. */
        for (unsigned i = 0; i < e->len && i < sizeof e->bytes; i++)
            put(&line, "%02x", e->bytes[i]);
        put(&line, "%*s", e->len < 8 ? 2 * (8 - e->len) + 2 : 2, "");
    } else {
        put(&line, e->len == 2 ? "%04llx      " : "%08llx  ", (unsigned long long)e->encoding);
    }
    put(&line, "%s", e->text);
    char sym[160];
    debugger_symbolize(t->d, pc, sym, sizeof sym);
    if (sym[0])
        put(&line, "  <%s>", sym);
    if (t->o.regs) {
        bool first = true;
        unsigned nregs = cpu->nregs < TRACE_MAX_REGS ? cpu->nregs : TRACE_MAX_REGS;
        int flags = cpu_reg_index_with_flag(cpu, CPU_REG_FLAGS);
        for (unsigned i = 0; i < nregs; i++) {
            /* Banked copies (past the flags register) only as in explain. */
            if (flags >= 0 && i > (unsigned)flags)
                break;
            uint64_t now = cpu->ops->reg_get(cpu, i);
            if (now == t->before[i] || (cpu->regs[i].flags & CPU_REG_PC))
                continue;
            put(&line, "%s%s=%llx->%llx", first ? "  ; " : " ", cpu->regs[i].name,
                (unsigned long long)t->before[i], (unsigned long long)now);
            first = false;
        }
    }
    if (t->o.mem && obs) {
        for (unsigned i = 0; i < obs->nmem; i++) {
            const struct cpu_mem_event *m = &obs->mem[i];
            put(&line, "%s%c%u %llx", i ? " " : "  ; ", m->kind == CPU_MEM_WRITE ? 'W' : 'R', m->size,
                (unsigned long long)m->va);
            if (m->pa != UINT64_MAX && m->pa != m->va)
                put(&line, "=%llx", (unsigned long long)m->pa);
            if (m->fault)
                put(&line, ":fault");
            else
                put(&line, ":%llx", (unsigned long long)m->value);
        }
    }
    line.text[line.n++] = '\n';
    emit(t, line.text, line.n);
    t->lines++;
}

static bool wanted(const struct tracer *t, struct cpu *cpu, uint64_t pc)
{
    return (!t->o.range || (pc >= t->o.lo && pc < t->o.hi)) &&
           (t->o.privilege < 0 || !cpu->ops->privilege ||
            (int)cpu->ops->privilege(cpu) == t->o.privilege);
}

static void save_regs(struct tracer *t, struct cpu *cpu)
{
    unsigned nregs = cpu->nregs < TRACE_MAX_REGS ? cpu->nregs : TRACE_MAX_REGS;
    for (unsigned i = 0; i < nregs; i++)
        t->before[i] = cpu->ops->reg_get(cpu, i);
}

/* A step that takes an interrupt first executes the handler's first
 * instruction, not the one at the PC (which runs after the return): the
 * step is observed to learn the vector, and the line is the vector's,
 * filtered by it and by the handler's privilege. Its register column
 * includes what the exception entry changed. Interrupts are rare, so the
 * observer's cost is paid rarely. */
static bool trace_interrupt(struct tracer *t, unsigned index, uint64_t pc,
                            struct machine_run_result *res)
{
    struct cpu *cpu = t->d->m->cpus[index];
    struct cpu_observer obs;
    if (t->o.regs)
        save_regs(t, cpu);
    machine_step(t->d->m, index, &obs, false, res);
    if (res->reason != CPU_STOP_BUDGET && res->reason != CPU_STOP_EXIT)
        return false;
    uint64_t executed = obs.nexc ? obs.exc[0].vector : pc;
    if (wanted(t, cpu, executed)) {
        struct dis_entry e = *disassemble(t, cpu, index, executed);
        write_line(t, cpu, index, executed, &e, t->o.mem ? &obs : NULL);
        if (t->o.stop_after && t->lines >= t->o.stop_after)
            t->state = TRACE_DONE;
    }
    return res->reason == CPU_STOP_BUDGET && t->state == TRACE_ON;
}

/* Steps CPU `index` once, tracing it when the filters let it through.
 * Returns false when the step ended the slice (res says why). */
static bool trace_one(struct tracer *t, unsigned index, struct machine_run_result *res)
{
    struct machine *m = t->d->m;
    struct cpu *cpu = m->cpus[index];
    uint64_t pc = debugger_pc(t->d, index);
    if (t->o.stop_at_addr && pc == t->o.stop_addr) {
        t->state = TRACE_DONE;
        return false;
    }
    if (!t->o.explain && cpu->ops->interrupt_pending && cpu->ops->interrupt_pending(cpu))
        return trace_interrupt(t, index, pc, res);
    if (!wanted(t, cpu, pc)) {
        machine_step(m, index, NULL, false, res);
        return res->reason == CPU_STOP_BUDGET;
    }
    if (t->o.explain) {
        unsigned saved = t->d->cpu;
        t->d->cpu = index;
        struct dbg_stop stop;
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem) {
            t->failed = true;
            t->error = ENOMEM;
            return false;
        }
        explain_step(t->d, t->o.format, mem, &stop);
        fclose(mem);
        emit(t, text, len);
        free(text);
        t->d->cpu = saved;
        t->lines++;
        memset(res, 0, sizeof *res);
        res->cpu = index;
        res->wake_ns = CLOCK_NEVER;
        switch (stop.kind) {
        case DBG_STOP_STEP:
            res->reason = CPU_STOP_BUDGET;
            break;
        case DBG_STOP_BREAKPOINT:
            res->reason = CPU_STOP_BREAKPOINT;
            break;
        case DBG_STOP_WATCHPOINT:
            res->reason = CPU_STOP_WATCHPOINT;
            break;
        case DBG_STOP_EXITED:
            res->reason = CPU_STOP_EXIT;
            res->exit_code = stop.exit_code;
            break;
        default:
            res->reason = CPU_STOP_FATAL;
            snprintf(res->message, sizeof res->message, "%s", stop.message);
            break;
        }
    } else {
        const struct dis_entry *e = disassemble(t, cpu, index, pc);
        if (t->o.regs)
            save_regs(t, cpu);
        struct cpu_observer obs;
        struct dis_entry copy = *e;    /* the step may evict or change it */
        machine_step(m, index, t->o.mem ? &obs : NULL, false, res);
        /* A breakpoint stop executed nothing: no line. */
        if (res->reason != CPU_STOP_BREAKPOINT && res->reason != CPU_STOP_WATCHPOINT &&
            !(res->reason == CPU_STOP_IDLE && debugger_pc(t->d, index) == pc))
            write_line(t, cpu, index, pc, &copy, t->o.mem ? &obs : NULL);
    }
    if (t->o.stop_after && t->lines >= t->o.stop_after)
        t->state = TRACE_DONE;
    return res->reason == CPU_STOP_BUDGET && t->state == TRACE_ON;
}

/* ---- waiting for the start ------------------------------------------------------ */

static void wait_for_start(struct tracer *t, uint64_t slice_ns, struct machine_run_result *res)
{
    struct machine *m = t->d->m;
    if (t->skip_left) {
        /* Full speed for most of the way (virtual time: exact instruction
         * boundaries at ns_per_insn each), then single steps. */
        uint64_t npi = m->clock.ns_per_insn ? m->clock.ns_per_insn : 1;
        if (t->skip_left > 1000 && m->clock.mode == CLOCK_MODE_VIRTUAL && m->ncpus == 1) {
            uint64_t chunk = (t->skip_left - 1000) * npi;
            uint64_t before = m->executed;
            machine_run(m, chunk < slice_ns ? chunk : slice_ns, res);
            uint64_t done = m->executed - before;
            t->skip_left -= done < t->skip_left ? done : t->skip_left;
            return;
        }
        uint64_t before = m->executed;
        machine_step(m, t->next_cpu, NULL, false, res);
        t->next_cpu = (t->next_cpu + 1) % m->ncpus;
        uint64_t done = m->executed - before;
        t->skip_left -= done < t->skip_left ? done : t->skip_left;
        if (t->skip_left == 0 && !t->o.start_at_addr)
            start_tracing(t);
        return;
    }
    /* --trace-from: run until the PC reaches it. */
    for (unsigned i = 0; i < m->ncpus; i++)
        if (debugger_pc(t->d, i) == t->o.start_addr) {
            drop_own_break(t);
            start_tracing(t);
            res->reason = CPU_STOP_BUDGET;
            return;
        }
    if (!t->own_break && !cpu_is_breakpoint(m->cpus[0], t->o.start_addr)) {
        struct orr_error err = { { 0 } };
        if (machine_break_insert(m, t->o.start_addr, &err) == 0)
            t->own_break = true;
    }
    machine_run(m, slice_ns, res);
    if (res->reason == CPU_STOP_BREAKPOINT &&
        debugger_pc(t->d, res->cpu) == t->o.start_addr) {
        bool user = !t->own_break;
        drop_own_break(t);
        start_tracing(t);
        if (!user)
            res->reason = CPU_STOP_BUDGET;
    }
}

void trace_run(struct tracer *t, uint64_t slice_ns, struct machine_run_result *res)
{
    struct machine *m = t->d->m;
    memset(res, 0, sizeof *res);
    res->wake_ns = CLOCK_NEVER;
    if (t->state == TRACE_WAIT) {
        wait_for_start(t, slice_ns, res);
        return;
    }
    if (t->state == TRACE_DONE) {
        machine_run(m, slice_ns, res);
        return;
    }
    uint64_t end = m->clock.now_ns + slice_ns;
    res->reason = CPU_STOP_BUDGET;
    for (unsigned n = 0; n < TRACE_SLICE_INSNS && m->clock.now_ns < end; n++) {
        unsigned index = t->next_cpu;
        t->next_cpu = (t->next_cpu + 1) % m->ncpus;
        if (!trace_one(t, index, res))
            break;
    }
    if (t->state == TRACE_DONE) {
        fflush(t->f);
        if (res->reason == CPU_STOP_BUDGET || res->reason == CPU_STOP_IDLE)
            res->reason = CPU_STOP_BUDGET;
    }
}
