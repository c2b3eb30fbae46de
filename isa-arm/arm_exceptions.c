/* Exception entry (ARM ARM A2.6), SWI/BKPT/undefined traps and the minimal
 * CP15 of the ARMv5 model (B3.4: ID code, cache type, control register). */
#include "isa-arm/arm_internal.h"

uint32_t arm_vector_base(const struct arm_cpu *c)
{
    return (c->sctlr & (1u << 13)) ? 0xffff0000u : 0;
}

/* A2.6.2-A2.6.9: mode, return link, vector offset, and which of I/F get set.
 * Must be called with c->pc = address of the instruction that caused it
 * (or, for IRQ/FIQ, of the next instruction to execute). */
void arm_take_exception(struct arm_cpu *c, enum arm_exception e)
{
    static const struct { uint8_t mode, vector; } info[] = {
        [EXC_RESET] = { MODE_SVC, 0x00 }, [EXC_UND] = { MODE_UND, 0x04 },
        [EXC_SWI] = { MODE_SVC, 0x08 },   [EXC_PABT] = { MODE_ABT, 0x0c },
        [EXC_DABT] = { MODE_ABT, 0x10 },  [EXC_IRQ] = { MODE_IRQ, 0x18 },
        [EXC_FIQ] = { MODE_FIQ, 0x1c },
    };
    bool thumb = arm_thumb(c);
    uint32_t lr;
    switch (e) {
    case EXC_UND: case EXC_SWI: lr = c->pc + (thumb ? 2 : 4); break;
    case EXC_PABT: case EXC_IRQ: case EXC_FIQ: lr = c->pc + 4; break;
    case EXC_DABT: lr = c->pc + 8; break;
    default: lr = 0; break;
    }
    uint32_t old = c->cpsr;
    arm_switch_mode(c, info[e].mode);
    enum arm_bank bank = arm_mode_bank(info[e].mode);
    c->spsr[bank] = old;
    if (e != EXC_RESET)
        c->r[14] = lr;
    c->cpsr = (c->cpsr & ~(PSR_T | PSR_MODE)) | info[e].mode | PSR_I;
    if (e == EXC_RESET || e == EXC_FIQ)
        c->cpsr |= PSR_F;
    c->pc = c->next_pc = arm_vector_base(c) + info[e].vector;
}

int arm_exec_undefined(struct arm_cpu *c, const struct arm_rec *r)
{
    arm_take_exception(c, EXC_UND);
    return ARM_OK;
}

int arm_data_abort(struct arm_cpu *c)
{
    arm_take_exception(c, EXC_DABT);
    return ARM_OK;
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
 * BKPT 0xab is the semihosting trap in both states. */
int arm_exec_bkpt(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->cpu.semihosting && r->imm == 0xab)
        return arm_semihosting(c);
    arm_take_exception(c, EXC_PABT);
    return ARM_OK;
}

/* MRC/MCR p15 on arm926ej-s (DDI 0198E §2.3): rd = Rd, rn = CRn, rm = CRm,
 * op = opcode_1, shift = opcode_2, RF_L = MRC. User mode access is UND. */
int arm_exec_cp15(struct arm_cpu *c, const struct arm_rec *r)
{
    if (!arm_privileged(c) || r->op != 0) {
        arm_take_exception(c, EXC_UND);
        return ARM_OK;
    }
    if (r->flags & RF_L) {
        uint32_t v;
        if (r->rn == 0 && r->shift == 0)
            v = 0x41069265u;          /* MIDR: ARM, v5TEJ, ARM926, r0p5 */
        else if (r->rn == 0 && r->shift == 1)
            v = 0x1dd20d2u;           /* CTR: 16 KiB I/D caches, 8 words/line */
        else if (r->rn == 1 && r->shift == 0)
            v = c->sctlr;
        else
            v = 0;                    /* unimplemented registers read as zero */
        if (r->rd == 15)
            c->cpsr = (c->cpsr & 0x0fffffffu) | (v & 0xf0000000u);
        else
            c->r[r->rd] = v;
        return ARM_OK;
    }
    uint32_t v = c->r[r->rd];
    if (r->rn == 1 && r->shift == 0) {
        /* Only V (high vectors) has an effect without an MMU; the SBO bits
         * 6:3 and 16/18 read as one. */
        c->sctlr = (v & 0x0000f385u) | 0x00050078u;
    } else if (r->rn == 7 && r->rm == 0 && r->shift == 4) {
        /* Wait for interrupt (ARM926EJ-S TRM 2.3.8): the core stops until
         * an IRQ or FIQ is asserted, whether or not CPSR masks it; one that
         * is already asserted makes it complete at once. */
        if (c->irq_line || c->fiq_line)
            return ARM_OK;
        c->waiting = true;
        return ARM_STOP_IDLE;
    }
    /* Cache and TLB maintenance: nothing is cached that needs it. */
    return ARM_OK;
}
