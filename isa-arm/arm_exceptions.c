/* Exception entry: ARMv4/v5 (ARM ARM DDI 0100I A2.6) and ARMv7 (ARM ARM
 * v7 DDI 0406C B1.8/B1.9), the SWI/BKPT/undefined traps and the aborts. */
#include "isa-arm/arm_internal.h"

uint32_t arm_vector_base(const struct arm_cpu *c)
{
    if (c->sctlr & SCTLR_V)
        return 0xffff0000u;
    /* B1.8.1: with SCTLR.V = 0 the vectors are at VBAR on ARMv7. */
    return c->arch >= ARM_V7 ? c->cp15.vbar : 0;
}

/* Entry to mode `mode` at vector offset `vector` with return link lr.
 * ARMv4/v5 (A2.6.2-A2.6.9): I set (and F on reset/FIQ), ARM state.
 * ARMv7 (B1.8.3-B1.8.5, the TakeXXXException pseudocode of B1.9): A set
 * for every exception but UND and SVC, IT and J cleared, T from SCTLR.TE,
 * E from SCTLR.EE. The SPSR gets the CPSR, except that an instruction
 * executing inside an IT block that takes UND or an abort saves its own
 * ITSTATE (c->it_cur), so that returning retries it in its IT block; SVC
 * saves the advanced ITSTATE the CPSR already holds. */
void arm_take_exception(struct arm_cpu *c, enum arm_exception e)
{
    static const struct { uint8_t mode, vector; } info[] = {
        [EXC_RESET] = { MODE_SVC, 0x00 }, [EXC_UND] = { MODE_UND, 0x04 },
        [EXC_SWI] = { MODE_SVC, 0x08 },   [EXC_PABT] = { MODE_ABT, 0x0c },
        [EXC_DABT] = { MODE_ABT, 0x10 },  [EXC_IRQ] = { MODE_IRQ, 0x18 },
        [EXC_FIQ] = { MODE_FIQ, 0x1c },
    };
    bool thumb = arm_thumb(c);
    /* Return links (B1.8.3, table B1-7): UND and SVC the next halfword or
     * word (Thumb +2 whatever the instruction's length, as the pseudocode
     * has it), prefetch abort, IRQ and FIQ +4, data abort +8. */
    uint32_t lr;
    switch (e) {
    case EXC_UND: case EXC_SWI: lr = c->pc + (thumb ? 2 : 4); break;
    case EXC_PABT: case EXC_IRQ: case EXC_FIQ: lr = c->pc + 4; break;
    case EXC_DABT: lr = c->pc + 8; break;
    default: lr = 0; break;
    }
    uint32_t old = c->cpsr;
    if (c->it_cur && (e == EXC_UND || e == EXC_PABT || e == EXC_DABT))
        old = arm_with_itstate(old, c->it_cur);
    if (c->cpu.observer) {
        static const char *const names[] = {
            [EXC_RESET] = "reset", [EXC_UND] = "undefined instruction",
            [EXC_SWI] = "supervisor call", [EXC_PABT] = "prefetch abort",
            [EXC_DABT] = "data abort", [EXC_IRQ] = "irq", [EXC_FIQ] = "fiq",
        };
        arm_observe_exception(c, names[e], arm_vector_base(c) + info[e].vector,
                              e == EXC_RESET ? 0 : lr, old, old & PSR_MODE);
    }
    arm_switch_mode(c, info[e].mode);
    enum arm_bank bank = arm_mode_bank(info[e].mode);
    c->spsr[bank] = old;
    if (e != EXC_RESET)
        c->r[14] = lr;
    if (c->arch >= ARM_V6) {
        uint32_t cpsr = c->cpsr & ~(PSR_T | PSR_MODE | PSR_IT_MASK | PSR_J | PSR_E);
        cpsr |= info[e].mode | PSR_I;
        if (e != EXC_UND && e != EXC_SWI)
            cpsr |= PSR_A;
        if (c->sctlr & SCTLR_TE)
            cpsr |= PSR_T;
        if (c->sctlr & SCTLR_EE)
            cpsr |= PSR_E;
        c->cpsr = cpsr;
    } else {
        c->cpsr = (c->cpsr & ~(PSR_T | PSR_MODE)) | info[e].mode | PSR_I;
    }
    if (e == EXC_RESET || e == EXC_FIQ)
        c->cpsr |= PSR_F;
    c->it_cur = 0;
    c->pc = c->next_pc = arm_vector_base(c) + info[e].vector;
}

int arm_exec_undefined(struct arm_cpu *c, const struct arm_rec *r)
{
    arm_take_exception(c, EXC_UND);
    return ARM_OK;
}

/* The data abort for the fault arm_read/arm_write recorded: DFSR and DFAR
 * on ARMv7 (B4.1, "DFSR" and "DFAR"). */
int arm_data_abort(struct arm_cpu *c)
{
    if (c->watch_abort) {
        /* A watchpoint, not a fault: the instruction is abandoned before
         * it completes, as a debug event would (v7 C5.2.2), and the run
         * loop stops at it. Its IT block state is put back. */
        c->watch_abort = false;
        if (c->it_cur)
            c->cpsr = arm_with_itstate(c->cpsr, c->it_cur);
        c->next_pc = c->pc;
        return ARM_OK;
    }
    if (c->arch >= ARM_V7) {
        c->cp15.dfsr = c->fault_fsr;
        c->cp15.dfar = c->fault_addr;
    }
    arm_take_exception(c, EXC_DABT);
    return ARM_OK;
}

/* The prefetch abort for the fault the fetch recorded: IFSR (no domain,
 * no WnR: B4.1, "IFSR") and IFAR on ARMv7. */
void arm_prefetch_abort(struct arm_cpu *c)
{
    if (c->arch >= ARM_V7) {
        c->cp15.ifsr = c->fault_fsr & 0x140fu;
        c->cp15.ifar = c->fault_addr;
    }
    arm_take_exception(c, EXC_PABT);
}

/* SWI; semihosting traps SWI 0x123456 (ARM) and 0xab (Thumb). */
int arm_exec_swi(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->cpu.semihosting && r->imm == (arm_thumb(c) ? 0xabu : 0x123456u))
        return arm_semihosting(c);
    arm_take_exception(c, EXC_SWI);
    return ARM_OK;
}

/* BKPT (v5): with no debugger attached it is a prefetch abort (A4.1.7);
 * on ARMv7 with no debug architecture it is a debug event taken as a
 * prefetch abort with IFSR = debug event and IFAR unchanged (C3.1,
 * B3.13.3). BKPT 0xab is the semihosting trap in both states. */
int arm_exec_bkpt(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->cpu.semihosting && r->imm == 0xab)
        return arm_semihosting(c);
    if (c->arch >= ARM_V7)
        c->cp15.ifsr = arm_fsr(FS_DEBUG, 0, false);
    arm_take_exception(c, EXC_PABT);
    return ARM_OK;
}
