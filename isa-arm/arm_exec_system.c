/* System-level instructions added by ARMv6: SRS, RFE, CPS (ARM ARM v7
 * B9.3.16, B9.3.13, B9.3.2) and SETEND (A8.8.156). */
#include "isa-arm/arm_internal.h"

/* SP of the given mode's bank as stored now: the live r13 if that bank is
 * the current one. */
static uint32_t *banked_sp(struct arm_cpu *c, uint32_t mode)
{
    enum arm_bank bank = arm_mode_bank(mode);
    return bank == arm_mode_bank(c->cpsr) ? &c->r[13] : &c->bank_sp[bank];
}

/* The lowest address of the two-word block of SRS/RFE and the written-back
 * base: DA (P=0 U=0) base-4, IA base, DB base-8, IB base+4. */
static uint32_t block_address(uint32_t base, unsigned flags, uint32_t *wb)
{
    bool up = flags & RF_U, pre = flags & RF_P;
    *wb = up ? base + 8 : base - 8;
    uint32_t addr = up ? base : base - 8;
    if (pre == up)
        addr += 4;
    return addr;
}

static inline unsigned srs_rfe_acc(const struct arm_cpu *c)
{
    return ARM_ACC_ALIGNED | (arm_privileged(c) ? 0 : ARM_ACC_USER);
}

/* SRS (B9.3.16): stores LR and SPSR of the current mode on the stack of
 * the mode in imm. User and System modes have no SPSR: UNPREDICTABLE, taken
 * as UNDEFINED here. */
int arm_exec_srs(struct arm_cpu *c, const struct arm_rec *r)
{
    enum arm_bank cur = arm_mode_bank(c->cpsr);
    if (cur == BANK_USR)
        return arm_exec_undefined(c, r);
    uint32_t *sp = banked_sp(c, r->imm);
    uint32_t wb, addr = block_address(*sp, r->flags, &wb);
    unsigned acc = srs_rfe_acc(c);
    if (arm_write(c, addr, 4, acc, c->r[14]) ||
        arm_write(c, addr + 4, 4, acc, c->spsr[cur]))
        return arm_data_abort(c);
    if (r->flags & RF_W)
        *sp = wb;
    return ARM_OK;
}

/* RFE (B9.3.13): loads PC and CPSR from memory (an exception return: every
 * CPSR bit is written, CPSRWriteByInstr with is_excpt_return). UNPREDICTABLE
 * in User mode: UNDEFINED here. A loaded mode field that names no mode is
 * UNPREDICTABLE (B1.3.1); the mode stays as it is, as MSR does. */
int arm_exec_rfe(struct arm_cpu *c, const struct arm_rec *r)
{
    if (!arm_privileged(c))
        return arm_exec_undefined(c, r);
    uint32_t wb, addr = block_address(c->r[r->rn], r->flags, &wb);
    uint32_t pc, psr;
    unsigned acc = srs_rfe_acc(c);
    if (arm_read(c, addr, 4, acc, &pc) || arm_read(c, addr + 4, 4, acc, &psr))
        return arm_data_abort(c);
    if (r->flags & RF_W)
        c->r[r->rn] = wb;   /* in the bank of the mode executing RFE */
    if (!arm_mode_valid(psr))
        psr = (psr & ~PSR_MODE) | (c->cpsr & PSR_MODE);
    arm_write_cpsr(c, psr);
    /* BranchWritePC in the new state: word aligned in ARM, halfword in Thumb. */
    arm_branch(c, pc & ((psr & PSR_T) ? ~1u : ~3u));
    return ARM_OK;
}

/* CPS (B9.3.2): no effect in User mode. op = imod (2 enable, 3 disable),
 * shift = the A/I/F mask (CPSR bits 8:6 >> 6), RF_W = change to mode imm. */
int arm_exec_cps(struct arm_cpu *c, const struct arm_rec *r)
{
    if (!arm_privileged(c))
        return ARM_OK;
    uint32_t v = c->cpsr;
    uint32_t aif = (uint32_t)(r->shift & 7u) << 6;
    if (r->op == 2)
        v &= ~aif;
    else if (r->op == 3)
        v |= aif;
    if (r->flags & RF_W)
        v = (v & ~PSR_MODE) | (r->imm & PSR_MODE);
    arm_write_cpsr(c, v);
    return ARM_OK;
}

/* SETEND (A8.8.156): CPSR.E, unprivileged. */
int arm_exec_setend(struct arm_cpu *c, const struct arm_rec *r)
{
    c->cpsr = r->op ? c->cpsr | PSR_E : c->cpsr & ~PSR_E;
    return ARM_OK;
}
