/* The ARM cpu interface: models, reset, register banking, the run loop,
 * register table, disassembly and save/load. */
#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"

#include <stdio.h>
#include <stdlib.h>

#include "machine/bus.h"
#include "machine/state.h"

/* ---- banking (ARM ARM A2.3) ------------------------------------------ */

void arm_switch_mode(struct arm_cpu *c, uint32_t new_mode)
{
    enum arm_bank ob = arm_mode_bank(c->cpsr), nb = arm_mode_bank(new_mode);
    if (ob != nb) {
        if ((ob == BANK_FIQ) != (nb == BANK_FIQ)) {
            memcpy(c->bank_r8_12[ob == BANK_FIQ], &c->r[8], sizeof c->bank_r8_12[0]);
            memcpy(&c->r[8], c->bank_r8_12[nb == BANK_FIQ], sizeof c->bank_r8_12[0]);
        }
        c->bank_sp[ob] = c->r[13];
        c->bank_lr[ob] = c->r[14];
        c->r[13] = c->bank_sp[nb];
        c->r[14] = c->bank_lr[nb];
    }
    c->cpsr = (c->cpsr & ~PSR_MODE) | (new_mode & PSR_MODE);
}

void arm_write_cpsr(struct arm_cpu *c, uint32_t value)
{
    if ((value ^ c->cpsr) & PSR_MODE)
        arm_switch_mode(c, value);
    c->cpsr = value;
}

/* Register n of the given bank as stored now (8 <= n <= 14). */
static uint32_t *bank_slot(struct arm_cpu *c, enum arm_bank bank, unsigned n)
{
    enum arm_bank cur = arm_mode_bank(c->cpsr);
    if (n <= 12) {
        if ((bank == BANK_FIQ) == (cur == BANK_FIQ))
            return &c->r[n];
        return &c->bank_r8_12[bank == BANK_FIQ][n - 8];
    }
    if (bank == cur)
        return &c->r[n];
    return n == 13 ? &c->bank_sp[bank] : &c->bank_lr[bank];
}

uint32_t arm_user_reg(struct arm_cpu *c, unsigned n)
{
    return (n < 8 || n == 15) ? c->r[n] : *bank_slot(c, BANK_USR, n);
}

void arm_set_user_reg(struct arm_cpu *c, unsigned n, uint32_t v)
{
    if (n < 8 || n == 15)
        c->r[n] = v;
    else
        *bank_slot(c, BANK_USR, n) = v;
}

/* ---- register table -------------------------------------------------- */

enum {
    REG_CPSR = 16, REG_SPSR_FIQ = 17,   /* 17..21: spsr fiq, irq, svc, abt, und */
    REG_FIQ_R8 = 22,                     /* 22..28: r8_fiq..r14_fiq */
    REG_SP_IRQ = 29,                     /* 29..36: sp/lr of irq, svc, abt, und */
    REG_USR_R8 = 37,                     /* 37..43: r8_usr..r14_usr */
    ARM_NREGS = 44,
};

static const struct cpu_reg_desc arm_regs[ARM_NREGS] = {
    { "r0", 32, 0 }, { "r1", 32, 0 }, { "r2", 32, 0 }, { "r3", 32, 0 },
    { "r4", 32, 0 }, { "r5", 32, 0 }, { "r6", 32, 0 }, { "r7", 32, 0 },
    { "r8", 32, 0 }, { "r9", 32, 0 }, { "r10", 32, 0 }, { "r11", 32, 0 },
    { "r12", 32, 0 }, { "sp", 32, CPU_REG_SP }, { "lr", 32, 0 }, { "pc", 32, CPU_REG_PC },
    { "cpsr", 32, CPU_REG_FLAGS },
    { "spsr_fiq", 32, 0 }, { "spsr_irq", 32, 0 }, { "spsr_svc", 32, 0 },
    { "spsr_abt", 32, 0 }, { "spsr_und", 32, 0 },
    { "r8_fiq", 32, 0 }, { "r9_fiq", 32, 0 }, { "r10_fiq", 32, 0 }, { "r11_fiq", 32, 0 },
    { "r12_fiq", 32, 0 }, { "sp_fiq", 32, 0 }, { "lr_fiq", 32, 0 },
    { "sp_irq", 32, 0 }, { "lr_irq", 32, 0 }, { "sp_svc", 32, 0 }, { "lr_svc", 32, 0 },
    { "sp_abt", 32, 0 }, { "lr_abt", 32, 0 }, { "sp_und", 32, 0 }, { "lr_und", 32, 0 },
    { "r8_usr", 32, 0 }, { "r9_usr", 32, 0 }, { "r10_usr", 32, 0 }, { "r11_usr", 32, 0 },
    { "r12_usr", 32, 0 }, { "sp_usr", 32, 0 }, { "lr_usr", 32, 0 },
};

static uint32_t *reg_ptr(struct arm_cpu *c, unsigned index)
{
    static const enum arm_bank spsr_banks[5] = { BANK_FIQ, BANK_IRQ, BANK_SVC, BANK_ABT, BANK_UND };
    if (index < 15)
        return &c->r[index];
    if (index == 15)
        return &c->pc;
    if (index == REG_CPSR)
        return &c->cpsr;
    if (index < REG_FIQ_R8)
        return &c->spsr[spsr_banks[index - REG_SPSR_FIQ]];
    if (index < REG_SP_IRQ)
        return bank_slot(c, BANK_FIQ, 8 + index - REG_FIQ_R8);
    if (index < REG_USR_R8) {
        unsigned k = index - REG_SP_IRQ;
        return bank_slot(c, spsr_banks[1 + k / 2], 13 + k % 2);
    }
    if (index < ARM_NREGS)
        return bank_slot(c, BANK_USR, 8 + index - REG_USR_R8);
    return NULL;
}

static uint64_t arm_reg_get(struct cpu *cpu, unsigned index)
{
    uint32_t *p = reg_ptr((struct arm_cpu *)cpu, index);
    return p ? *p : 0;
}

static int arm_reg_set(struct cpu *cpu, unsigned index, uint64_t value)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (index == REG_CPSR) {
        arm_write_cpsr(c, (uint32_t)value);
        return 0;
    }
    uint32_t *p = reg_ptr(c, index);
    if (!p)
        return -1;
    *p = (uint32_t)value;
    return 0;
}

/* ---- reset and run ---------------------------------------------------- */

static void arm_reset(struct cpu *cpu)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    memset(c->r, 0, sizeof c->r);
    memset(c->spsr, 0, sizeof c->spsr);
    memset(c->bank_r8_12, 0, sizeof c->bank_r8_12);
    memset(c->bank_sp, 0, sizeof c->bank_sp);
    memset(c->bank_lr, 0, sizeof c->bank_lr);
    c->irq_line = c->fiq_line = false;
    c->waiting = false;
    c->event = c->waiting_event = false;
    c->excl_open = false;
    c->excl_addr = 0;
    c->it_cur = 0;
    arm_cp15_reset(c);
    c->semi_errno = 0;
    arm_gtimer_reset(c);
    memset(c->tt_open, 0, sizeof c->tt_open);
    /* A2.6.1: SVC mode, IRQ and FIQ disabled, ARM state, PC = reset vector;
     * ARMv7 (B1.9.2) also masks asynchronous aborts. */
    c->cpsr = MODE_SVC | PSR_I | PSR_F | (c->arch >= ARM_V7 ? PSR_A : 0);
    c->pc = c->next_pc = arm_vector_base(c);
    arm_mem_flush(c);
}

static void arm_set_entry(struct cpu *cpu, uint64_t entry)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (entry & 1)
        c->cpsr |= PSR_T;
    else
        c->cpsr &= ~PSR_T;
    c->pc = (uint32_t)entry & ~1u;
}

static void arm_set_irq(struct cpu *cpu, unsigned line, bool level)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (line == 0)
        c->irq_line = level;
    else if (line == 1)
        c->fiq_line = level;
}

/* The record of the next instruction when execution went straight on
 * (no branch, exception or state change) from r, a record of the current
 * decoded page, to its neighbour in the same page and that page's records
 * are still valid; NULL when the next instruction must be fetched. This is
 * the block chaining of the decoded cache: a run of straight-line code in
 * one page costs no TLB or memo lookups. */
static inline const struct arm_rec *chain_next(const struct arm_cpu *c,
                                               const struct arm_rec *r,
                                               uint32_t next, uint32_t cpsr_before)
{
    if (c->pc != next || (next & GUEST_PAGE_MASK) == 0 || r == &c->slow_rec ||
        ((c->cpsr ^ cpsr_before) & (PSR_T | PSR_MODE | PSR_IT_MASK)) != 0 ||
        !c->fast_valid || c->fast_gen != c->dc.generation)
        return NULL;
    const struct arm_rec *n = r + arm_rec_len(r) / 2;
    return n->fn ? n : NULL;
}

/* An instruction asked to end the run (c->end_run). If it was abandoned
 * because its access hit a watchpoint (see arm_data_abort), the run stops
 * before it and it does not count. An abandoned access that reached no
 * abort (semihosting) is dropped here too. */
static void end_run(struct arm_cpu *c, struct cpu_run_result *res)
{
    c->end_run = false;
    if (c->watch_abort || c->cpu.watch_hit.size) {
        c->watch_abort = false;
        if (c->cpu.watch_hit.size) {
            res->executed--;       /* it was counted when it started */
            res->reason = CPU_STOP_WATCHPOINT;
        }
    }
}

static struct cpu_run_result arm_run_loop(struct cpu *cpu, uint64_t budget,
                                          struct cpu_run_result res)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    unsigned fetch_faults = 0;
    c->run_executed = &res.executed;
    if (c->waiting) {
        /* WFI ends on an interrupt line; WFE also on the event register,
         * which the wake-up consumes. */
        bool by_event = c->waiting_event && c->event;
        if (!c->irq_line && !c->fiq_line && !by_event) {
            res.reason = CPU_STOP_IDLE;
            return res;
        }
        if (by_event)
            c->event = false;
        c->waiting = c->waiting_event = false;
    }
    /* r is the record of the instruction at c->pc when it is known without
     * a fetch: straight-line code chains from one record to its neighbour
     * in the same decoded page (see chain_next). */
    const struct arm_rec *r = NULL;
    while (res.executed < budget) {
        if (cpu->exit_request) {
            cpu->exit_request = false;
            res.reason = CPU_STOP_EXIT;
            return res;
        }
        if (c->end_run) {
            end_run(c, &res);
            return res;
        }
        if (__builtin_expect(c->fiq_line | c->irq_line, 0)) {
            if (c->fiq_line && !(c->cpsr & PSR_F)) {
                arm_take_exception(c, EXC_FIQ);
                r = NULL;
                continue;
            }
            if (c->irq_line && !(c->cpsr & PSR_I)) {
                arm_take_exception(c, EXC_IRQ);
                r = NULL;
                continue;
            }
        }
        if (cpu->nbreakpoints && cpu_is_breakpoint(cpu, c->pc)) {
            res.reason = CPU_STOP_BREAKPOINT;
            return res;
        }
        if (!r) {
            r = arm_fetch_record(c);
            if (!r) {
                /* The prefetch abort was taken. If its own vector cannot be
                 * fetched either, nothing can ever run again. */
                if (++fetch_faults > 2) {
                    snprintf(cpu->fatal, sizeof cpu->fatal,
                             "arm: cannot fetch the prefetch abort vector at 0x%08x", c->pc);
                    res.reason = CPU_STOP_FATAL;
                    return res;
                }
                continue;
            }
            fetch_faults = 0;
        }
        /* r stays readable even if this instruction's own store drops its
         * page from the decoded cache (see dcache_invalidate_phys_page). */
        int rc = ARM_OK;
        uint32_t pc = c->pc, cpsr = c->cpsr;
        uint32_t next = pc + arm_rec_len(r);
        res.executed++;
        c->next_pc = next;
        if (__builtin_expect((cpsr & PSR_IT_MASK) != 0, 0)) {
            /* Inside an IT block (v7 A8.8.54): the condition is ITSTATE's,
             * and the state advances whether or not it passes. */
            unsigned it = arm_itstate(cpsr);
            c->cpsr = arm_with_itstate(cpsr, arm_it_advance(it));
            /* BKPT is unconditional even there (v7 A8.8.24). */
            if (arm_cond_passed(cpsr, it >> 4) || r->fn == arm_exec_bkpt) {
                c->it_cur = it;
                c->r[15] = pc + 4;
                rc = r->fn(c, r);
                c->it_cur = 0;
            }
        } else {
            unsigned cond = arm_rec_cond(r);
            if (cond >= 14 || arm_cond_passed(cpsr, cond)) {
                c->r[15] = pc + ((cpsr & PSR_T) ? 4 : 8);
                rc = r->fn(c, r);
            }
        }
        c->pc = c->next_pc;
        r = chain_next(c, r, next, cpsr);
        if (rc == ARM_STOP_EXIT) {
            res.reason = CPU_STOP_EXIT;
            return res;
        }
        if (rc == ARM_STOP_IDLE) {
            res.reason = CPU_STOP_IDLE;
            return res;
        }
    }
    /* The budget's last instruction may have ended the run itself, or
     * asked for the exit (a PSCI call): that boundary is this one. */
    if (c->end_run)
        end_run(c, &res);
    else if (cpu->exit_request) {
        cpu->exit_request = false;
        res.reason = CPU_STOP_EXIT;
    }
    return res;
}

/* The test arm_run_loop makes before each instruction: an asserted FIQ or
 * IRQ line that CPSR.F / CPSR.I does not mask (B1.8.6). */
static bool arm_interrupt_pending(struct cpu *cpu)
{
    const struct arm_cpu *c = (const struct arm_cpu *)cpu;
    return (c->fiq_line && !(c->cpsr & PSR_F)) || (c->irq_line && !(c->cpsr & PSR_I));
}

static struct cpu_run_result arm_run(struct cpu *cpu, uint64_t budget)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    struct arm_observation obs = { .on = false };
    if (__builtin_expect(cpu->observer != NULL, 0))
        obs = arm_observe_begin(c);
    cpu->watch_hit.size = 0;
    c->end_run = false;
    struct cpu_run_result res = arm_run_loop(cpu, budget,
                                             (struct cpu_run_result){ .reason = CPU_STOP_BUDGET });
    arm_observe_end(c, &obs);
    c->run_executed = NULL;
    return res;
}

static struct irq_line *arm_irq_output(struct cpu *cpu, unsigned n)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    return c->gt.present && n < GT_OUT_COUNT ? &c->gt.out[n] : NULL;
}

/* The debugger's view of the MMU at the current privilege: a walk through
 * RAM/ROM only, no TLB fill, no fault recorded or taken. */
static int arm_cpu_translate(struct cpu *cpu, uint64_t va, enum cpu_access access, uint64_t *pa)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (va > UINT32_MAX)
        return -1;
    enum tlb_kind kind = access == CPU_ACCESS_WRITE ? TLB_WRITE
                       : access == CPU_ACCESS_EXEC ? TLB_EXEC : TLB_READ;
    struct arm_mmu_result res;
    if (arm_mmu_translate(c, (uint32_t)va, kind, !arm_privileged(c), true, &res))
        return -1;
    *pa = res.pa;
    return 0;
}

/* ---- save/load: the fields of the machine's "cpuN" section ------------- */

static int arm_save(struct cpu *cpu, struct state_writer *w)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    for (unsigned i = 0; i < 15; i++)
        state_put_u32(w, c->r[i]);
    state_put_u32(w, c->pc);
    state_put_u32(w, c->cpsr);
    for (unsigned b = 0; b < BANK_COUNT; b++) {
        state_put_u32(w, c->spsr[b]);
        state_put_u32(w, c->bank_sp[b]);
        state_put_u32(w, c->bank_lr[b]);
    }
    for (unsigned k = 0; k < 2; k++)
        for (unsigned i = 0; i < 5; i++)
            state_put_u32(w, c->bank_r8_12[k][i]);
    state_put_bool(w, c->irq_line);
    state_put_bool(w, c->fiq_line);
    state_put_bool(w, c->waiting);
    state_put_bool(w, c->waiting_event);
    state_put_bool(w, c->event);
    state_put_bool(w, c->excl_open);
    state_put_u32(w, c->excl_addr);
    state_put_u32(w, c->sctlr);
    state_put_u32(w, (uint32_t)c->semi_errno);
    for (unsigned i = 0; i < 3; i++)
        state_put_bool(w, c->tt_open[i]);
    arm_cp15_save(c, w);
    arm_gtimer_save(c, w);
    return w->failed ? -1 : 0;
}

static int arm_load(struct cpu *cpu, struct state_reader *r, struct orr_error *err)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    (void)err;
    for (unsigned i = 0; i < 15; i++)
        c->r[i] = state_get_u32(r);
    c->pc = state_get_u32(r);
    c->cpsr = state_get_u32(r);
    for (unsigned b = 0; b < BANK_COUNT; b++) {
        c->spsr[b] = state_get_u32(r);
        c->bank_sp[b] = state_get_u32(r);
        c->bank_lr[b] = state_get_u32(r);
    }
    for (unsigned k = 0; k < 2; k++)
        for (unsigned i = 0; i < 5; i++)
            c->bank_r8_12[k][i] = state_get_u32(r);
    c->irq_line = state_get_bool(r);
    c->fiq_line = state_get_bool(r);
    c->waiting = state_get_bool(r);
    c->waiting_event = state_get_bool(r);
    c->event = state_get_bool(r);
    c->excl_open = state_get_bool(r);
    c->excl_addr = state_get_u32(r);
    c->sctlr = state_get_u32(r);
    c->semi_errno = (int)state_get_u32(r);
    for (unsigned i = 0; i < 3; i++)
        c->tt_open[i] = state_get_bool(r);
    arm_cp15_load(c, r);
    arm_gtimer_load(c, r);
    if (state_reader_check(r))
        return -1;
    c->next_pc = c->pc;
    arm_mem_flush(c);
    return 0;
}

static void arm_destroy(struct cpu *cpu)
{
    struct arm_cpu *c = (struct arm_cpu *)cpu;
    if (!c)
        return;
    for (unsigned t = 0; t < GT_TIMERS; t++)
        if (c->cpu.clock)
            clock_event_cancel(c->cpu.clock, &c->gt.t[t].ev);
    dcache_destroy(&c->dc);
    arm_explain_destroy(c);
    free(c);
}

static const struct cpu_ops arm_ops = {
    .reset = arm_reset, .set_entry = arm_set_entry, .run = arm_run,
    .set_irq = arm_set_irq, .irq_output = arm_irq_output, .reg_get = arm_reg_get, .reg_set = arm_reg_set,
    .translate = arm_cpu_translate, .disasm = arm_disasm, .describe = arm_describe,
    .describe_flags = arm_describe_flags, .walk = arm_walk, .privilege = arm_privilege, .decode_key = arm_decode_key,
    .interrupt_pending = arm_interrupt_pending,
    .debug_update = arm_debug_update, .soft_tlb = arm_soft_tlb, .gdb_target = arm_gdb_target,
    .save = arm_save,
    .load = arm_load, .destroy = arm_destroy,
};

static int arm_create(const struct cpu_model *model, const struct cpu_config *cfg,
                      struct cpu **out, struct orr_error *err)
{
    struct arm_cpu *c = calloc(1, sizeof *c);
    if (!c)
        return orr_fail(err, "arm: out of memory");
    cpu_init_common(&c->cpu, &arm_ops, model, cfg);
    c->cpu.regs = arm_regs;
    c->cpu.nregs = ARM_NREGS;
    c->model = (enum arm_model)model->variant;
    c->arch = arm_model_arch(c->model);
    arm_gtimer_init(c, cfg->timer_hz);
    if (arm_mem_init(c, err)) {
        free(c);
        return -1;
    }
    arm_reset(&c->cpu);
    *out = &c->cpu;
    return 0;
}

static const char *const arm7tdmi_compat[] = { "arm,arm7tdmi", NULL };
static const char *const arm926_compat[] = { "arm,arm926ej-s", NULL };

static const char *const cortex_a15_compat[] = { "arm,cortex-a15", NULL };
static const char *const cortex_a7_compat[] = { "arm,cortex-a7", NULL };

enum arm_arch arm_model_arch(enum arm_model model)
{
    switch (model) {
    case ARM_MODEL_ARM7TDMI: return ARM_V4T;
    case ARM_MODEL_ARM926: return ARM_V5TE;
    default: return ARM_V7;
    }
}

static const struct cpu_model arm7tdmi_model = {
    .name = "arm7tdmi", .isa = "arm", .compatible = arm7tdmi_compat,
    .summary = "ARM7TDMI (ARMv4T): ARM and Thumb, no MMU",
    .create = arm_create, .variant = ARM_MODEL_ARM7TDMI,
};

static const struct cpu_model arm926_model = {
    .name = "arm926ej-s", .isa = "arm", .compatible = arm926_compat,
    .summary = "ARM926EJ-S (ARMv5TE): ARM and Thumb, DSP extensions, CP15 (no MMU yet)",
    .create = arm_create, .variant = ARM_MODEL_ARM926,
};

static const struct cpu_model cortex_a15_model = {
    .name = "cortex-a15", .isa = "arm", .compatible = cortex_a15_compat,
    .summary = "Cortex-A15 (ARMv7-A): ARM and Thumb-2, VMSAv7 MMU, generic timer; no VFP/NEON",
    .create = arm_create, .variant = ARM_MODEL_CORTEX_A15,
};

static const struct cpu_model cortex_a7_model = {
    .name = "cortex-a7", .isa = "arm", .compatible = cortex_a7_compat,
    .summary = "Cortex-A7 (ARMv7-A): ARM and Thumb-2, VMSAv7 MMU, generic timer; no VFP/NEON",
    .create = arm_create, .variant = ARM_MODEL_CORTEX_A7,
};

const struct cpu_model *const arm_cpu_models[] = {
    &arm7tdmi_model, &arm926_model, &cortex_a15_model, &cortex_a7_model,
};
const size_t arm_cpu_model_count = sizeof arm_cpu_models / sizeof arm_cpu_models[0];
