/* The explain view (explain.h). Register changes come from comparing the
 * CPU's register table before and after the step; everything else from the
 * observer the ISA filled and its description of the instruction. */
#include "frontends/explain.h"

#include <stdlib.h>
#include <string.h>

#define EXPLAIN_MAX_REGS 256

struct explain_ctx {
    struct debugger *d;
    struct cpu *cpu;
    struct cpu_insn_info insn;
    char sym[160];
    unsigned nregs;
    uint64_t before[EXPLAIN_MAX_REGS], after[EXPLAIN_MAX_REGS];
    struct cpu_observer obs;
};

/* Registers past the flags register are banked copies (ARM: r13_svc...).
 * One that changed exactly as a register in use did is that register seen
 * through its bank: shown once, under the name in use. */
static bool shown_change(const struct explain_ctx *x, unsigned i)
{
    if (x->before[i] == x->after[i])
        return false;
    int flags = cpu_reg_index_with_flag(x->cpu, CPU_REG_FLAGS);
    if (flags < 0 || i <= (unsigned)flags)
        return true;
    for (unsigned j = 0; j < (unsigned)flags; j++)
        if (x->before[j] == x->before[i] && x->after[j] == x->after[i])
            return false;
    return true;
}

static void snapshot(struct cpu *cpu, uint64_t *regs, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        regs[i] = cpu->ops->reg_get(cpu, i);
}

static unsigned hex_digits(unsigned bits)
{
    return bits >= 64 ? 16 : (bits + 3) / 4;
}

/* The "NAME=VALUE" tokens of a flags description that differ. */
static void flag_changes(struct cpu *cpu, uint64_t old, uint64_t now, char *out, size_t len,
                         bool json)
{
    char a[256], b[256];
    out[0] = '\0';
    if (!cpu->ops->describe_flags)
        return;
    cpu->ops->describe_flags(cpu, old, a, sizeof a);
    cpu->ops->describe_flags(cpu, now, b, sizeof b);
    char *sa, *sb;
    char *ta = strtok_r(a, " ", &sa), *tb = strtok_r(b, " ", &sb);
    size_t used = 0;
    while (ta && tb) {
        if (strcmp(ta, tb) != 0) {
            char *ea = strchr(ta, '='), *eb = strchr(tb, '=');
            if (ea && eb) {
                *ea = *eb = '\0';
                int n = json ? snprintf(out + used, len - used, "%s\"%s\":[\"%s\",\"%s\"]",
                                        used ? "," : "", ta, ea + 1, eb + 1)
                             : snprintf(out + used, len - used, "%s%s %s->%s",
                                        used ? ", " : "", ta, ea + 1, eb + 1);
                if (n < 0 || (size_t)n >= len - used)
                    break;
                used += (size_t)n;
            }
        }
        ta = strtok_r(NULL, " ", &sa);
        tb = strtok_r(NULL, " ", &sb);
    }
}

static const char *access_name(unsigned a)
{
    return a == CPU_ACCESS_WRITE ? "write" : a == CPU_ACCESS_EXEC ? "fetch" : "read";
}

/* ---- plain text ------------------------------------------------------------ */

static void print_text(const struct explain_ctx *x, const struct dbg_stop *stop, FILE *out)
{
    const struct cpu_insn_info *in = &x->insn;
    struct cpu *cpu = x->cpu;
    fprintf(out, "0x%08llx", (unsigned long long)in->va);
    if (x->sym[0])
        fprintf(out, " <%s>", x->sym);
    fputs(":  ", out);
    if (in->bytes_form)
        for (unsigned i = 0; i < in->len && i < sizeof in->bytes; i++)
            fprintf(out, "%02x", in->bytes[i]);
    else
        fprintf(out, "%0*llx", (int)(2 * in->len), (unsigned long long)in->encoding);
    fprintf(out, "  %s\n", in->text);
    for (unsigned i = 0; i < in->nfields; i++)
        fprintf(out, "    %-13s %s\n", in->field[i].name, in->field[i].value);
    bool header = false;
    for (unsigned i = 0; i < x->nregs; i++) {
        if (!shown_change(x, i))
            continue;
        if (!header)
            fputs("  changed:\n", out);
        header = true;
        unsigned w = hex_digits(cpu->regs[i].bits);
        fprintf(out, "    %-13s 0x%0*llx -> 0x%0*llx", cpu->regs[i].name, (int)w,
                (unsigned long long)x->before[i], (int)w, (unsigned long long)x->after[i]);
        if (cpu->regs[i].flags & CPU_REG_FLAGS) {
            char f[256];
            flag_changes(cpu, x->before[i], x->after[i], f, sizeof f, false);
            if (f[0])
                fprintf(out, "  (%s)", f);
        }
        fputc('\n', out);
    }
    if (!header)
        fputs("  changed: nothing\n", out);
    for (unsigned i = 0; i < x->obs.nwalks; i++) {
        const struct cpu_walk_event *w = &x->obs.walk[i];
        fprintf(out, "  mmu walk (TLB miss): %s of 0x%08llx, %s\n", access_name(w->access),
                (unsigned long long)w->va, w->user ? "unprivileged" : "privileged");
        for (unsigned l = 0; l < w->nlevels; l++)
            fprintf(out, "    level %u  [0x%08llx] = 0x%08llx  %s\n", l + 1,
                    (unsigned long long)w->level[l].desc_addr,
                    (unsigned long long)w->level[l].desc, w->level[l].what);
        fprintf(out, "    %s  %s\n", w->fault ? "fault " : "result", w->result);
    }
    for (unsigned i = 0; i < x->obs.nmem; i++) {
        const struct cpu_mem_event *e = &x->obs.mem[i];
        fprintf(out, "  memory: %-5s %u byte%s at 0x%08llx", e->kind == CPU_MEM_WRITE ? "write" : "read",
                e->size, e->size == 1 ? " " : "s", (unsigned long long)e->va);
        if (e->pa != UINT64_MAX)
            fprintf(out, " (pa 0x%08llx)", (unsigned long long)e->pa);
        if (e->fault)
            fputs(": faulted\n", out);
        else
            fprintf(out, ": 0x%0*llx\n", (int)(e->size * 2), (unsigned long long)e->value);
    }
    for (unsigned i = 0; i < x->obs.nexc; i++) {
        const struct cpu_exc_event *e = &x->obs.exc[i];
        fprintf(out, "  exception: %s, vector 0x%08llx, mode %s -> %s, return address 0x%08llx, "
                "saved psr 0x%08llx\n", e->name, (unsigned long long)e->vector, e->from_mode,
                e->to_mode, (unsigned long long)e->return_addr, (unsigned long long)e->saved_psr);
    }
    if (x->obs.dropped)
        fprintf(out, "  (%u more events not shown)\n", x->obs.dropped);
    switch (stop->kind) {
    case DBG_STOP_WATCHPOINT:
        fprintf(out, "  stopped before it: watchpoint on %s of %u bytes at 0x%08llx\n",
                stop->watch.write ? "write" : "read", stop->watch.size,
                (unsigned long long)stop->watch.addr);
        break;
    case DBG_STOP_BREAKPOINT:
        fputs("  stopped at a breakpoint before it\n", out);
        break;
    case DBG_STOP_EXITED:
        fprintf(out, "  the guest exited with status %d\n", stop->exit_code);
        break;
    case DBG_STOP_ERROR:
        fprintf(out, "  error: %s\n", stop->message);
        break;
    default:
        break;
    }
}

/* ---- JSON lines -------------------------------------------------------------- */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void json_hex(FILE *out, const char *key, uint64_t v, bool comma)
{
    fprintf(out, "%s\"%s\":\"0x%llx\"", comma ? "," : "", key, (unsigned long long)v);
}

static void print_json(const struct explain_ctx *x, const struct dbg_stop *stop, FILE *out)
{
    const struct cpu_insn_info *in = &x->insn;
    struct cpu *cpu = x->cpu;
    fputc('{', out);
    json_hex(out, "pc", in->va, false);
    fputs(",\"symbol\":", out);
    json_string(out, x->sym);
    fputs(",\"bytes\":\"", out);
    for (unsigned i = 0; i < in->len; i++)
        fprintf(out, "%02x", in->bytes[i]);
    fputs("\",\"text\":", out);
    json_string(out, in->text);
    fputs(",\"fields\":{", out);
    for (unsigned i = 0; i < in->nfields; i++) {
        if (i)
            fputc(',', out);
        json_string(out, in->field[i].name);
        fputc(':', out);
        json_string(out, in->field[i].value);
    }
    fputs("},\"changed\":[", out);
    bool first = true;
    for (unsigned i = 0; i < x->nregs; i++) {
        if (!shown_change(x, i))
            continue;
        fprintf(out, "%s{\"reg\":", first ? "" : ",");
        json_string(out, cpu->regs[i].name);
        json_hex(out, "old", x->before[i], true);
        json_hex(out, "new", x->after[i], true);
        if (cpu->regs[i].flags & CPU_REG_FLAGS) {
            char f[512];
            flag_changes(cpu, x->before[i], x->after[i], f, sizeof f, true);
            fprintf(out, ",\"flags\":{%s}", f);
        }
        fputc('}', out);
        first = false;
    }
    fputs("],\"mem\":[", out);
    for (unsigned i = 0; i < x->obs.nmem; i++) {
        const struct cpu_mem_event *e = &x->obs.mem[i];
        fprintf(out, "%s{\"op\":\"%s\"", i ? "," : "", e->kind == CPU_MEM_WRITE ? "write" : "read");
        json_hex(out, "va", e->va, true);
        if (e->pa != UINT64_MAX)
            json_hex(out, "pa", e->pa, true);
        fprintf(out, ",\"size\":%u", e->size);
        if (e->fault)
            fputs(",\"fault\":true", out);
        else
            json_hex(out, "value", e->value, true);
        fputc('}', out);
    }
    fputs("],\"walks\":[", out);
    for (unsigned i = 0; i < x->obs.nwalks; i++) {
        const struct cpu_walk_event *w = &x->obs.walk[i];
        fprintf(out, "%s{\"access\":\"%s\"", i ? "," : "", access_name(w->access));
        json_hex(out, "va", w->va, true);
        fprintf(out, ",\"user\":%s,\"fault\":%s,\"levels\":[", w->user ? "true" : "false",
                w->fault ? "true" : "false");
        for (unsigned l = 0; l < w->nlevels; l++) {
            fputs(l ? ",{" : "{", out);
            json_hex(out, "addr", w->level[l].desc_addr, false);
            json_hex(out, "desc", w->level[l].desc, true);
            fputs(",\"what\":", out);
            json_string(out, w->level[l].what);
            fputc('}', out);
        }
        fputs("],\"result\":", out);
        json_string(out, w->result);
        if (!w->fault)
            json_hex(out, "pa", w->pa, true);
        fputc('}', out);
    }
    fputs("],\"exceptions\":[", out);
    for (unsigned i = 0; i < x->obs.nexc; i++) {
        const struct cpu_exc_event *e = &x->obs.exc[i];
        fputs(i ? ",{\"kind\":" : "{\"kind\":", out);
        json_string(out, e->name);
        json_hex(out, "vector", e->vector, true);
        fputs(",\"from_mode\":", out);
        json_string(out, e->from_mode);
        fputs(",\"to_mode\":", out);
        json_string(out, e->to_mode);
        json_hex(out, "return_addr", e->return_addr, true);
        json_hex(out, "saved_psr", e->saved_psr, true);
        fputc('}', out);
    }
    fputc(']', out);
    if (x->obs.dropped)
        fprintf(out, ",\"dropped\":%u", x->obs.dropped);
    if (stop->kind == DBG_STOP_WATCHPOINT) {
        fprintf(out, ",\"stop\":{\"kind\":\"watchpoint\",\"write\":%s",
                stop->watch.write ? "true" : "false");
        json_hex(out, "addr", stop->watch.addr, true);
        fprintf(out, ",\"size\":%u}", stop->watch.size);
    } else if (stop->kind == DBG_STOP_BREAKPOINT) {
        fputs(",\"stop\":{\"kind\":\"breakpoint\"}", out);
    } else if (stop->kind == DBG_STOP_EXITED) {
        fprintf(out, ",\"stop\":{\"kind\":\"exited\",\"status\":%d}", stop->exit_code);
    } else if (stop->kind == DBG_STOP_ERROR) {
        fputs(",\"stop\":{\"kind\":\"error\",\"message\":", out);
        json_string(out, stop->message);
        fputc('}', out);
    }
    fputs("}\n", out);
}

int explain_step(struct debugger *d, enum explain_format fmt, FILE *out, struct dbg_stop *stop)
{
    struct explain_ctx *x = calloc(1, sizeof *x);
    if (!x) {
        memset(stop, 0, sizeof *stop);
        stop->kind = DBG_STOP_ERROR;
        snprintf(stop->message, sizeof stop->message, "out of memory");
        return -1;
    }
    x->d = d;
    x->cpu = d->m->cpus[d->cpu];
    x->nregs = x->cpu->nregs < EXPLAIN_MAX_REGS ? x->cpu->nregs : EXPLAIN_MAX_REGS;
    uint64_t pc = debugger_pc(d, d->cpu);
    if (x->cpu->ops->describe)
        x->cpu->ops->describe(x->cpu, pc, &x->insn);
    else
        x->insn.va = pc;
    debugger_symbolize(d, pc, x->sym, sizeof x->sym);
    snapshot(x->cpu, x->before, x->nregs);
    int rc = debugger_step(d, &x->obs, stop);
    snapshot(x->cpu, x->after, x->nregs);
    if (fmt == EXPLAIN_JSON)
        print_json(x, stop, out);
    else
        print_text(x, stop, out);
    free(x);
    return rc;
}
