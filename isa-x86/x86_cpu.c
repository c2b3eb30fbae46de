/* The x86 cpu interface: models, reset, the register table, the run loop,
 * disassembly (Capstone) and save/load. */
#include "isa-x86/x86.h"
#include "isa-x86/x86_gdb.h"
#include "isa-x86/x86_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include <capstone/capstone.h>

#include "cpu/clock.h"
#include "machine/bus.h"
#include "machine/state.h"

/* ---- register table ---------------------------------------------------- */

enum {
    REG_EIP = 8, REG_EFLAGS = 9, REG_CS = 10,   /* 10..15: cs ss ds es fs gs (GDB order) */
    REG_CR0 = 16, REG_CR2, REG_CR3, REG_CR4,
    REG_GDTR_BASE, REG_GDTR_LIMIT, REG_IDTR_BASE, REG_IDTR_LIMIT,
    REG_LDTR, REG_TR,
    REG_DR0, REG_DR1, REG_DR2, REG_DR3, REG_DR6, REG_DR7,
    REG_CS_BASE,                                  /* ..+5: segment bases, read-only */
    X86_NREGS = REG_CS_BASE + 6,
};

static const struct cpu_reg_desc x86_regs[X86_NREGS] = {
    { "eax", 32, 0 }, { "ecx", 32, 0 }, { "edx", 32, 0 }, { "ebx", 32, 0 },
    { "esp", 32, CPU_REG_SP }, { "ebp", 32, 0 }, { "esi", 32, 0 }, { "edi", 32, 0 },
    { "eip", 32, CPU_REG_PC }, { "eflags", 32, CPU_REG_FLAGS },
    { "cs", 16, 0 }, { "ss", 16, 0 }, { "ds", 16, 0 }, { "es", 16, 0 },
    { "fs", 16, 0 }, { "gs", 16, 0 },
    { "cr0", 32, 0 }, { "cr2", 32, 0 }, { "cr3", 32, 0 }, { "cr4", 32, 0 },
    { "gdtr_base", 32, 0 }, { "gdtr_limit", 16, 0 }, { "idtr_base", 32, 0 },
    { "idtr_limit", 16, 0 }, { "ldtr", 16, CPU_REG_READONLY }, { "tr", 16, CPU_REG_READONLY },
    { "dr0", 32, 0 }, { "dr1", 32, 0 }, { "dr2", 32, 0 }, { "dr3", 32, 0 },
    { "dr6", 32, 0 }, { "dr7", 32, 0 },
    { "cs_base", 32, CPU_REG_READONLY }, { "ss_base", 32, CPU_REG_READONLY },
    { "ds_base", 32, CPU_REG_READONLY }, { "es_base", 32, CPU_REG_READONLY },
    { "fs_base", 32, CPU_REG_READONLY }, { "gs_base", 32, CPU_REG_READONLY },
};

/* Table order cs ss ds es fs gs to enum x86_sreg. */
static const uint8_t table_seg[6] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES, SEG_FS, SEG_GS };

static uint64_t x86_reg_get(struct cpu *cpu, unsigned index)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    if (index < 8)
        return c->gpr[index];
    if (index >= REG_CS && index < REG_CS + 6)
        return c->seg[table_seg[index - REG_CS]].sel;
    if (index >= REG_CS_BASE && index < REG_CS_BASE + 6)
        return c->seg[table_seg[index - REG_CS_BASE]].base;
    switch (index) {
    case REG_EIP: return c->eip;
    case REG_EFLAGS: return x86_get_flags(c);
    case REG_CR0: return c->cr0;
    case REG_CR2: return c->cr2;
    case REG_CR3: return c->cr3;
    case REG_CR4: return c->cr4;
    case REG_GDTR_BASE: return c->gdt_base;
    case REG_GDTR_LIMIT: return c->gdt_limit;
    case REG_IDTR_BASE: return c->idt_base;
    case REG_IDTR_LIMIT: return c->idt_limit;
    case REG_LDTR: return c->seg[SEG_LDTR].sel;
    case REG_TR: return c->seg[SEG_TR].sel;
    case REG_DR0: case REG_DR1: case REG_DR2: case REG_DR3: return c->dr[index - REG_DR0];
    case REG_DR6: return c->dr[6];
    case REG_DR7: return c->dr[7];
    default: return 0;
    }
}

static int x86_reg_set(struct cpu *cpu, unsigned index, uint64_t value)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    uint32_t v = (uint32_t)value;
    if (index < 8) {
        c->gpr[index] = v;
        return 0;
    }
    if (index >= REG_CS && index < REG_CS + 6) {
        unsigned seg = table_seg[index - REG_CS];
        if (!x86_protected(c) || x86_v86(c)) {
            x86_set_seg_real(c, seg, (uint16_t)v);
            c->fast_valid = false;
            return 0;
        }
        /* Protected mode: a data segment is loaded with the ordinary checks;
         * CS cannot be set on its own. */
        if (seg == SEG_CS)
            return -1;
        struct x86_exc saved = c->exc;
        int rc = x86_load_seg(c, seg, (uint16_t)v);
        c->exc = saved;
        return rc ? -1 : 0;
    }
    switch (index) {
    case REG_EIP: c->eip = c->next_eip = v; return 0;
    case REG_EFLAGS:
        c->lf_op = LF_NONE;
        c->eflags = (v | FL_R1) & ~0xffc08028u;
        c->fast_valid = false;
        return 0;
    case REG_CR0: x86_set_cr0(c, v); c->fast_valid = false; return 0;
    case REG_CR2: c->cr2 = v; return 0;
    case REG_CR3: c->cr3 = v; x86_tlb_flush(c); return 0;
    case REG_CR4: c->cr4 = v; x86_tlb_flush(c); return 0;
    case REG_GDTR_BASE: c->gdt_base = v; return 0;
    case REG_GDTR_LIMIT: c->gdt_limit = (uint16_t)v; return 0;
    case REG_IDTR_BASE: c->idt_base = v; return 0;
    case REG_IDTR_LIMIT: c->idt_limit = (uint16_t)v; return 0;
    case REG_DR0: case REG_DR1: case REG_DR2: case REG_DR3: c->dr[index - REG_DR0] = v; return 0;
    case REG_DR6: c->dr[6] = v; return 0;
    case REG_DR7: x86_set_dr7(c, v); return 0;
    default: return -1;
    }
}

/* ---- reset ------------------------------------------------------------- */

static void reset_seg(struct x86_seg *s, uint16_t sel, uint32_t base, uint16_t attr)
{
    s->sel = sel;
    s->base = base;
    s->limit = 0xffff;
    s->attr = attr;
    x86_seg_derive(s);
}

/* SDM Vol. 3A 9.1.1, table 9-1: the state after RESET. */
static void x86_reset(struct cpu *cpu)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    static const uint32_t edx_signature[] = {
        [X86_MODEL_I386] = 0x0308u, [X86_MODEL_I486] = 0x0480u,
        [X86_MODEL_PENTIUM] = 0x0525u, [X86_MODEL_PENTIUM_PRO] = 0x0619u,
    };
    memset(c->gpr, 0, sizeof c->gpr);
    c->gpr[EDX] = edx_signature[c->model];
    c->eflags = FL_R1;
    c->lf_op = LF_NONE;
    c->lf_size = 1;
    c->lf_a = c->lf_b = c->lf_res = 0;
    c->eip = c->next_eip = 0xfff0;
    c->cpl = 0;
    /* CS: selector F000, base FFFF0000 (the first fetch is at FFFFFFF0);
     * data segments present, read/write, accessed (9.1.4). */
    reset_seg(&c->seg[SEG_CS], 0xf000, 0xffff0000u, 0x009b);
    for (unsigned s = 0; s < SEG_COUNT; s++)
        if (s != SEG_CS)
            reset_seg(&c->seg[s], 0, 0, 0x0093);
    reset_seg(&c->seg[SEG_LDTR], 0, 0, 0x0082);
    reset_seg(&c->seg[SEG_TR], 0, 0, 0x008b);
    for (unsigned s = 0; s < SEG_COUNT; s++)
        c->seg[s].rw = SEG_RW_READ | SEG_RW_WRITE;
    c->gdt_base = c->idt_base = 0;
    c->gdt_limit = c->idt_limit = 0xffff;
    c->cr0 = 0;
    x86_set_cr0(c, c->model == X86_MODEL_I386 ? 0 : CR0_CD | CR0_NW | CR0_ET);
    c->cr2 = c->cr3 = c->cr4 = 0;
    memset(c->dr, 0, sizeof c->dr);
    c->dr[6] = 0xffff0ff0u;
    c->dr_hits = 0;
    x86_set_dr7(c, 0);
    c->tsc_offset = 0;
    c->sysenter_cs = c->sysenter_esp = c->sysenter_eip = 0;
    c->intr_line = c->nmi_pending = c->nmi_blocked = false;
    c->halted = false;
    c->inhibit_irq = false;
    c->exc = (struct x86_exc){ 0, false, 0 };
    c->exc_depth = 0;
    x87_reset(&c->fpu);
    x86_update_ferr(c);
    x86_mem_flush(c);
}

/* A loaded image's entry point: real mode, CS = entry >> 4 (a flat
 * entry below 1 MiB), as a boot sector or BIOS would be entered. */
static void x86_set_entry(struct cpu *cpu, uint64_t entry)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    uint32_t e = (uint32_t)entry;
    if (x86_protected(c) || e >= 0x100000u) {
        c->eip = c->next_eip = e - c->seg[SEG_CS].base;
        return;
    }
    x86_set_seg_real(c, SEG_CS, (uint16_t)((e >> 4) & 0xf000u));
    c->eip = c->next_eip = e - c->seg[SEG_CS].base;
    c->fast_valid = false;
}

void x86_start_flat32(struct cpu *cpu, uint32_t gdt_base, uint16_t gdt_limit,
                      uint16_t code_sel, uint16_t data_sel, uint32_t entry)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    c->gdt_base = gdt_base;
    c->gdt_limit = gdt_limit;
    /* Caches on (CD = NW = 0), as firmware leaves them. */
    x86_set_cr0(c, (c->cr0 & ~(CR0_CD | CR0_NW | CR0_PG)) | CR0_PE);
    c->eflags = FL_R1;
    c->cpl = 0;
    const uint64_t code = X86_FLAT_CODE32_DESC, data = X86_FLAT_DATA32_DESC;
    for (unsigned s = 0; s < SEG_COUNT; s++) {
        uint64_t d = s == SEG_CS ? code : data;
        x86_seg_from_descriptor(&c->seg[s], s == SEG_CS ? code_sel : data_sel,
                                (uint32_t)d, (uint32_t)(d >> 32));
    }
    c->eip = c->next_eip = entry;
    c->halted = false;
    c->inhibit_irq = false;
    c->fast_valid = false;
    x86_mem_flush(c);
}

static void x86_set_irq(struct cpu *cpu, unsigned line, bool level)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    if (line == X86_IRQ_INTR)
        c->intr_line = level;
    else if (line == X86_IRQ_NMI && level)
        c->nmi_pending = true;
}

static struct irq_line *x86_irq_output(struct cpu *cpu, unsigned n)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    return n == X86_IRQ_OUT_FERR && c->has_fpu ? &c->ferr : NULL;
}

void x86_set_intack(struct cpu *cpu, int (*ack)(void *opaque), void *opaque)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    c->intr_ack = ack;
    c->intr_ack_opaque = opaque;
}

/* ---- the run loop ------------------------------------------------------ */

static bool intr_allowed(const struct x86_cpu *c)
{
    return c->intr_line && c->intr_ack && (c->eflags & FL_IF);
}

static bool x86_interrupt_pending(struct cpu *cpu)
{
    const struct x86_cpu *c = (const struct x86_cpu *)cpu;
    return !c->inhibit_irq && ((c->nmi_pending && !c->nmi_blocked) || intr_allowed(c));
}

/* Takes a pending NMI or INTR before the next instruction (SDM Vol. 3A
 * 6.9: NMI first). Returns false on a triple fault. */
static bool take_interrupt(struct x86_cpu *c, bool *taken)
{
    *taken = false;
    int vector = -1;
    if (c->nmi_pending && !c->nmi_blocked) {
        c->nmi_pending = false;
        c->nmi_blocked = true;
        vector = X86_NMI;
    } else if (intr_allowed(c)) {
        vector = c->intr_ack(c->intr_ack_opaque);
        if (vector < 0)
            return true;
    } else {
        return true;
    }
    *taken = true;
    c->halted = false;
    if (x86_interrupt(c, (unsigned)vector, false, false, 0, c->eip) == X86_OK)
        return true;
    return x86_deliver_exception(c);
}

struct flags_snapshot {
    uint32_t eflags, a, b, res;
    uint8_t op, size;
};

static inline struct flags_snapshot take_flags(const struct x86_cpu *c)
{
    return (struct flags_snapshot){ c->eflags, c->lf_a, c->lf_b, c->lf_res, c->lf_op, c->lf_size };
}

static inline void restore_flags(struct x86_cpu *c, const struct flags_snapshot *s)
{
    c->eflags = s->eflags;
    c->lf_a = s->a;
    c->lf_b = s->b;
    c->lf_res = s->res;
    c->lf_op = s->op;
    c->lf_size = s->size;
}

static struct cpu_run_result x86_run_loop(struct cpu *cpu, uint64_t budget);

/* With an observer, every access is reported: the soft TLB is emptied
 * and stays empty for the run (only the debugger single-steps this way). */
static struct cpu_run_result x86_run(struct cpu *cpu, uint64_t budget)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    if (__builtin_expect(cpu->observer == NULL, 1))
        return x86_run_loop(cpu, budget);
    x86_tlb_flush(c);
    c->observing = true;
    struct cpu_run_result res = x86_run_loop(cpu, budget);
    c->observing = false;
    return res;
}

/* The run itself, counting into *res as it goes: RDTSC reads the count
 * (c->run_executed) mid-run. */
static void run_counted(struct cpu *cpu, uint64_t budget, struct cpu_run_result *res)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    cpu->watch_hit.size = 0;
    if (c->halted) {
        if (!x86_interrupt_pending(cpu)) {
            res->reason = CPU_STOP_IDLE;
            return;
        }
        c->halted = false;
    }
    while (res->executed < budget) {
        if (__builtin_expect(cpu->exit_request || c->end_run, 0)) {
            if (c->end_run) {
                /* A device scheduled an event mid-run, maybe before the
                 * budget's end: the machine recomputes the budget. */
                c->end_run = false;
                if (!cpu->exit_request)
                    return;
            }
            cpu->exit_request = false;
            res->reason = CPU_STOP_EXIT;
            return;
        }
        bool inhibit = c->inhibit_irq;
        c->inhibit_irq = false;
        if (__builtin_expect(!inhibit && (c->nmi_pending || c->intr_line), 0)) {
            bool taken;
            if (!take_interrupt(c, &taken)) {
                res->reason = CPU_STOP_RESET;
                return;
            }
        }
        if (cpu->nbreakpoints && cpu_is_breakpoint(cpu, c->seg[SEG_CS].base + c->eip)) {
            res->reason = CPU_STOP_BREAKPOINT;
            return;
        }
        /* Instruction breakpoints: a fault before the instruction, unless
         * EFLAGS.RF says the handler is returning to it (SDM Vol. 3A 17.3.1.1). */
        if (__builtin_expect(c->dr_exec != 0, 0) && !(c->eflags & FL_RF)) {
            uint32_t lin = c->seg[SEG_CS].base + c->eip;
            unsigned hit = 0;
            for (unsigned i = 0; i < 4; i++)
                if (((c->dr_exec >> i) & 1u) && c->dr[i] == lin)
                    hit |= 1u << i;
            if (hit) {
                c->dr[6] = (c->dr[6] & ~0xfu) | hit;
                c->exc = (struct x86_exc){ X86_DB, false, 0 };
                if (!x86_deliver_exception(c)) {
                    res->reason = CPU_STOP_RESET;
                    return;
                }
                continue;
            }
        }
        const struct x86_rec *r = x86_fetch_record(c);
        if (!r) {
            if (!x86_deliver_exception(c)) {
                res->reason = CPU_STOP_RESET;
                return;
            }
            continue;
        }
        uint32_t next = c->eip + r->len;
        if (!x86_code32(c))
            next &= 0xffffu;
        c->next_eip = next;
        bool trap = (c->eflags & FL_TF) != 0;
        bool resume = (c->eflags & FL_RF) != 0;
        /* A fault leaves the flags as they were (SDM Vol. 3A 6.5: faults
         * are restartable): an instruction with a memory operand may
         * fault on its write after computing the flags. */
        struct flags_snapshot snap;
        if (r->attr & X86_A_MEM)
            snap = take_flags(c);
        int rc = r->fn(c, r);
        res->executed++;
        if (__builtin_expect(rc == X86_OK, 1)) {
            c->eip = c->next_eip;
            /* RF lasts for one instruction, unless that instruction (an
             * IRET) loaded it for the next (SDM Vol. 3A 17.3.1.1). */
            if (__builtin_expect(resume, 0))
                c->eflags &= ~FL_RF;
            /* Data breakpoints and single-step trap after the instruction
             * (SDM Vol. 3A 17.3.1.2, 17.3.1.4). */
            if (__builtin_expect(c->dr_hits != 0, 0)) {
                c->dr[6] = (c->dr[6] & ~0xfu) | c->dr_hits | (trap ? 1u << 14 : 0);
                c->dr_hits = 0;
                trap = true;
            } else if (__builtin_expect(trap, 0)) {
                c->dr[6] |= 1u << 14;
            }
            if (__builtin_expect(trap, 0)) {
                c->exc = (struct x86_exc){ X86_DB, false, 0 };
                if (x86_interrupt(c, X86_DB, false, false, 0, c->eip) != X86_OK &&
                    !x86_deliver_exception(c)) {
                    res->reason = CPU_STOP_RESET;
                    return;
                }
            }
            continue;
        }
        c->dr_hits = 0;
        switch (rc) {
        case X86_FAULT:
            if (r->attr & X86_A_MEM)
                restore_flags(c, &snap);
            if (!x86_deliver_exception(c)) {
                res->reason = CPU_STOP_RESET;
                return;
            }
            break;
        case X86_HALT:
            c->eip = c->next_eip;
            c->halted = true;
            res->reason = CPU_STOP_IDLE;
            return;
        default:
            if (cpu->watch_hit.size) {
                /* The access hit a watchpoint: the instruction is abandoned. */
                res->executed--;
                res->reason = CPU_STOP_WATCHPOINT;
                return;
            }
            c->eip = c->next_eip;
            c->fast_valid = false;
            break;
        }
    }
    /* The budget's last instruction may have asked for the exit (an exit
     * port): that boundary is this one. */
    if (cpu->exit_request) {
        cpu->exit_request = false;
        res->reason = CPU_STOP_EXIT;
    }
}

static struct cpu_run_result x86_run_loop(struct cpu *cpu, uint64_t budget)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    struct cpu_run_result res = { 0, CPU_STOP_BUDGET };
    struct vclock *clk = cpu->clock;
    c->run_executed = &res.executed;
    c->end_run = false;
    if (clk) {
        /* Devices read the time of the I/O instruction (clock_now). */
        clk->run_done = &res.executed;
        clk->run_end = &c->end_run;
    }
    run_counted(cpu, budget, &res);
    if (clk) {
        clk->run_done = NULL;
        clk->run_end = NULL;
    }
    c->run_executed = NULL;
    c->end_run = false;
    return res;
}

/* ---- debugger view ----------------------------------------------------- */

static int x86_cpu_translate(struct cpu *cpu, uint64_t va, enum cpu_access access, uint64_t *pa)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    if (va > UINT32_MAX)
        return -1;
    uint32_t p;
    if (x86_translate_debug(c, (uint32_t)va, access == CPU_ACCESS_WRITE, c->cpl == 3, &p))
        return -1;
    *pa = p;
    return 0;
}

/* Disassembles at linear address va, in 16- or 32-bit mode as CS.D says,
 * as the decoder does (real mode keeps D from the descriptor cache;
 * virtual-8086 mode clears it). */
int x86_disasm(struct cpu *cpu, uint64_t va, char *buf, size_t buflen)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    bool code32 = x86_code32(c);
    size_t *h = &c->cs_handle[code32];
    if (*h == 0) {
        csh handle;
        if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &handle) != CS_ERR_OK)
            return -1;
        *h = handle;
    }
    uint8_t bytes[15];
    unsigned n = 0;
    for (; n < sizeof bytes; n++) {
        uint32_t pa;
        uint64_t b;
        if (x86_translate_debug(c, (uint32_t)(va + n), false, false, &pa) ||
            bus_read(cpu->bus, pa, 1, &b) != BUS_OK)
            break;
        bytes[n] = (uint8_t)b;
    }
    cs_insn *ci = NULL;
    if (n == 0 || cs_disasm((csh)*h, bytes, n, va, 1, &ci) != 1) {
        snprintf(buf, buflen, "(bad)");
        return n ? 1 : -1;
    }
    snprintf(buf, buflen, "%s%s%s", ci->mnemonic, ci->op_str[0] ? " " : "", ci->op_str);
    int len = ci->size;
    cs_free(ci, 1);
    return len;
}

static unsigned x86_privilege(struct cpu *cpu)
{
    const struct x86_cpu *c = (const struct x86_cpu *)cpu;
    return 3u - c->cpl;
}

/* Breakpoints compare linear addresses (CS base + EIP): so do the
 * debuggers' views of the next instruction, in every mode. */
static uint64_t x86_fetch_address(struct cpu *cpu)
{
    const struct x86_cpu *c = (const struct x86_cpu *)cpu;
    return (uint32_t)(c->seg[SEG_CS].base + c->eip);
}

static uint32_t x86_decode_key(struct cpu *cpu)
{
    return x86_dc_mode((const struct x86_cpu *)cpu);
}

static void x86_debug_update(struct cpu *cpu)
{
    x86_tlb_flush((struct x86_cpu *)cpu);
}

static const struct soft_tlb *x86_soft_tlb(struct cpu *cpu)
{
    return &((struct x86_cpu *)cpu)->tlb;
}

static void x86_describe_flags(struct cpu *cpu, uint64_t v, char *buf, size_t len)
{
    snprintf(buf, len, "CF=%u PF=%u AF=%u ZF=%u SF=%u TF=%u IF=%u DF=%u OF=%u IOPL=%u",
             (unsigned)(v & 1), (unsigned)(v >> 2) & 1, (unsigned)(v >> 4) & 1,
             (unsigned)(v >> 6) & 1, (unsigned)(v >> 7) & 1, (unsigned)(v >> 8) & 1,
             (unsigned)(v >> 9) & 1, (unsigned)(v >> 10) & 1, (unsigned)(v >> 11) & 1,
             (unsigned)(v >> 12) & 3);
}

/* ---- save/load --------------------------------------------------------- */

static void save_seg(struct state_writer *w, const struct x86_seg *s)
{
    state_put_u16(w, s->sel);
    state_put_u16(w, s->attr);
    state_put_u32(w, s->base);
    state_put_u32(w, s->limit);
    state_put_u8(w, s->rw);
}

static void load_seg(struct state_reader *r, struct x86_seg *s)
{
    s->sel = state_get_u16(r);
    s->attr = state_get_u16(r);
    s->base = state_get_u32(r);
    s->limit = state_get_u32(r);
    uint8_t rw = state_get_u8(r);
    x86_seg_derive(s);
    s->rw = rw & (SEG_RW_READ | SEG_RW_WRITE);
}

static int x86_save(struct cpu *cpu, struct state_writer *w)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    for (unsigned i = 0; i < 8; i++)
        state_put_u32(w, c->gpr[i]);
    state_put_u32(w, c->eip);
    state_put_u32(w, x86_get_flags(c));
    for (unsigned s = 0; s < X86_NSEGS; s++)
        save_seg(w, &c->seg[s]);
    state_put_u32(w, c->gdt_base);
    state_put_u16(w, c->gdt_limit);
    state_put_u32(w, c->idt_base);
    state_put_u16(w, c->idt_limit);
    state_put_u32(w, c->cr0);
    state_put_u32(w, c->cr2);
    state_put_u32(w, c->cr3);
    state_put_u32(w, c->cr4);
    for (unsigned i = 0; i < 8; i++)
        state_put_u32(w, c->dr[i]);
    state_put_u64(w, c->tsc_offset);
    state_put_u32(w, c->sysenter_cs);
    state_put_u32(w, c->sysenter_esp);
    state_put_u32(w, c->sysenter_eip);
    state_put_u8(w, (uint8_t)c->cpl);
    state_put_bool(w, c->intr_line);
    state_put_bool(w, c->nmi_pending);
    state_put_bool(w, c->nmi_blocked);
    state_put_bool(w, c->halted);
    state_put_bool(w, c->inhibit_irq);
    x87_save(&c->fpu, w);
    return w->failed ? -1 : 0;
}

static int x86_load(struct cpu *cpu, struct state_reader *r, struct orr_error *err)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    for (unsigned i = 0; i < 8; i++)
        c->gpr[i] = state_get_u32(r);
    c->eip = c->next_eip = state_get_u32(r);
    c->eflags = (state_get_u32(r) | FL_R1) & ~0xffc08028u;
    c->lf_op = LF_NONE;
    for (unsigned s = 0; s < X86_NSEGS; s++)
        load_seg(r, &c->seg[s]);
    c->gdt_base = state_get_u32(r);
    c->gdt_limit = state_get_u16(r);
    c->idt_base = state_get_u32(r);
    c->idt_limit = state_get_u16(r);
    c->cr0 = state_get_u32(r);
    c->cr2 = state_get_u32(r);
    c->cr3 = state_get_u32(r);
    c->cr4 = state_get_u32(r);
    for (unsigned i = 0; i < 8; i++)
        c->dr[i] = state_get_u32(r);
    x86_set_dr7(c, c->dr[7]);
    c->dr_hits = 0;
    c->tsc_offset = state_get_u64(r);
    c->sysenter_cs = state_get_u32(r);
    c->sysenter_esp = state_get_u32(r);
    c->sysenter_eip = state_get_u32(r);
    c->cpl = state_get_u8(r) & 3u;
    c->intr_line = state_get_bool(r);
    c->nmi_pending = state_get_bool(r);
    c->nmi_blocked = state_get_bool(r);
    c->halted = state_get_bool(r);
    c->inhibit_irq = state_get_bool(r);
    if (x87_load(&c->fpu, r, err))
        return -1;
    x86_update_ferr(c);
    if (state_reader_check(r))
        return -1;
    x86_mem_flush(c);
    return 0;
}

static void x86_destroy(struct cpu *cpu)
{
    struct x86_cpu *c = (struct x86_cpu *)cpu;
    if (!c)
        return;
    for (unsigned i = 0; i < 2; i++)
        if (c->cs_handle[i]) {
            csh h = (csh)c->cs_handle[i];
            cs_close(&h);
        }
    dcache_destroy(&c->dc);
    free(c);
}

static const struct cpu_ops x86_ops = {
    .reset = x86_reset, .set_entry = x86_set_entry, .run = x86_run,
    .set_irq = x86_set_irq, .set_intack = x86_set_intack, .irq_output = x86_irq_output, .reg_get = x86_reg_get, .reg_set = x86_reg_set,
    .translate = x86_cpu_translate, .disasm = x86_disasm, .describe = x86_describe,
    .walk = x86_walk,
    .describe_flags = x86_describe_flags, .privilege = x86_privilege,
    .decode_key = x86_decode_key, .interrupt_pending = x86_interrupt_pending,
    .debug_update = x86_debug_update, .soft_tlb = x86_soft_tlb,
    .save = x86_save, .load = x86_load, .destroy = x86_destroy,
    .gdb_target = x86_gdb_target, .fetch_address = x86_fetch_address,
};

static unsigned model_features(enum x86_model m)
{
    switch (m) {
    case X86_MODEL_I386: return 0;
    case X86_MODEL_I486: return X86_F_I486;
    case X86_MODEL_PENTIUM: return X86_F_I486 | X86_F_P5;
    default: return X86_F_I486 | X86_F_P5 | X86_F_P6;
    }
}

static int x86_create(const struct cpu_model *model, const struct cpu_config *cfg,
                      struct cpu **out, struct orr_error *err)
{
    struct x86_cpu *c = calloc(1, sizeof *c);
    if (!c)
        return orr_fail(err, "x86: out of memory");
    cpu_init_common(&c->cpu, &x86_ops, model, cfg);
    c->cpu.regs = x86_regs;
    c->cpu.nregs = X86_NREGS;
    c->model = (enum x86_model)model->variant;
    c->features = model_features(c->model);
    /* The i386 model comes without a 387; the i486 (DX) and later have
     * the x87 on chip. */
    c->has_fpu = c->model != X86_MODEL_I386;
    if (x86_mem_init(c, err)) {
        free(c);
        return -1;
    }
    x86_reset(&c->cpu);
    *out = &c->cpu;
    return 0;
}

static const char *const i386_compat[] = { "intel,i386", NULL };
static const char *const i486_compat[] = { "intel,i486", NULL };
static const char *const pentium_compat[] = { "intel,pentium", NULL };
static const char *const ppro_compat[] = { "intel,pentium-pro", NULL };

static const struct cpu_model i386_model = {
    .name = "i386", .isa = "x86", .compatible = i386_compat,
    .summary = "Intel 386 (IA-32): real and protected mode, paging; no 387",
    .create = x86_create, .variant = X86_MODEL_I386,
};
static const struct cpu_model i486_model = {
    .name = "i486", .isa = "x86", .compatible = i486_compat,
    .summary = "Intel 486DX: i386 + x87, BSWAP, XADD, CMPXCHG, INVLPG, CPUID",
    .create = x86_create, .variant = X86_MODEL_I486,
};
static const struct cpu_model pentium_model = {
    .name = "pentium", .isa = "x86", .compatible = pentium_compat,
    .summary = "Intel Pentium: i486 + RDTSC, RDMSR/WRMSR, CMPXCHG8B, 4 MiB pages",
    .create = x86_create, .variant = X86_MODEL_PENTIUM,
};
static const struct cpu_model ppro_model = {
    .name = "pentium-pro", .isa = "x86", .compatible = ppro_compat,
    .summary = "Intel Pentium Pro (P6): Pentium + CMOVcc, FCMOVcc/FCOMI, global pages",
    .create = x86_create, .variant = X86_MODEL_PENTIUM_PRO,
};

const struct cpu_model *const x86_cpu_models[] = {
    &i386_model, &i486_model, &pentium_model, &ppro_model,
};
const size_t x86_cpu_model_count = sizeof x86_cpu_models / sizeof x86_cpu_models[0];
