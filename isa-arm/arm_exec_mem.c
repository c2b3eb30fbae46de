/* Loads and stores: addressing modes 2-4 (ARM ARM A5.2-A5.4), SWP. Aborts
 * follow the "base restored" model (A2.6.5): a faulting instruction leaves
 * its registers as they were, except registers an LDM already loaded.
 *
 * Alignment by architecture (ARM ARM v7 A3.2): up to ARMv5 an unaligned
 * word load rotates the aligned word and halfword/word stores ignore the
 * low address bits; from ARMv6 LDR/STR/LDRH/STRH (and LDRT...) are real
 * unaligned accesses (arm_read/arm_write perform them, or raise the
 * alignment fault when SCTLR.A is set), while LDM/STM, LDRD/STRD and SWP
 * must be aligned (ARM_ACC_ALIGNED: MemA in the v7 pseudocode). */
#include "isa-arm/arm_internal.h"

static inline uint32_t ror32(uint32_t v, unsigned n)
{
    n &= 31;
    return n ? (v >> n) | (v << (32 - n)) : v;
}

/* The access attributes of a load/store record: RF_T marks the
 * unprivileged forms (LDRT/STRT/LDRBT/STRBT, LDRHT/LDRSBT/LDRSHT/STRHT). */
static inline unsigned rec_acc(const struct arm_cpu *c, const struct arm_rec *r)
{
    return ((r->flags & RF_T) || !arm_privileged(c)) ? ARM_ACC_USER : 0;
}

static inline bool unaligned_ok(const struct arm_cpu *c)
{
    return c->arch >= ARM_V6;
}

/* The alignment attribute of the accesses that must be aligned from ARMv6
 * (before that, the callers clear the low bits of the address). */
static inline unsigned aligned_acc(const struct arm_cpu *c)
{
    return c->arch >= ARM_V6 ? ARM_ACC_ALIGNED : 0;
}

/* The value a store of r15 writes, relative to the r15 read (pc + 8):
 * the ARM7TDMI and ARM9 store pc + 12; ARMv7 stores pc + 8 (PCStoreValue,
 * ARM ARM v7 A2.3.1; v6 cores such as the ARM11 do the same). */
static inline uint32_t pc_store_extra(const struct arm_cpu *c)
{
    return c->arch >= ARM_V6 ? 0 : 4;
}

/* Register offset of addressing mode 2: rm shifted by an immediate (`rs`
 * holds the amount, `shift` the type; LSR/ASR #0 mean 32, ROR #0 is RRX). */
static uint32_t mode2_offset(struct arm_cpu *c, const struct arm_rec *r)
{
    if (r->flags & RF_IMM)
        return r->imm;
    uint32_t v = c->r[r->rm];
    unsigned n = r->rs;
    switch (r->shift) {
    case 0: return v << n;
    case 1: return n ? v >> n : 0;
    case 2: return (uint32_t)((int32_t)v >> (n ? n : 31));
    default:
        if (n == 0)
            return (v >> 1) | ((c->cpsr & PSR_C) ? 0x80000000u : 0);
        return ror32(v, n);
    }
}

/* Loads to r15: ARMv5 interworks on bit 0 (A4.1.23), ARMv4 ignores bits 1:0. */
static void load_pc(struct arm_cpu *c, uint32_t v)
{
    if (c->arch >= ARM_V5TE) {
        if (v & 1)
            c->cpsr |= PSR_T;
        else
            c->cpsr &= ~PSR_T;
        v &= ~1u;
    }
    arm_branch(c, v);
}

/* LDR, LDRB, STR, STRB and their T forms (A4.1.23 etc.). */
int arm_exec_ldr_str(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t base = c->r[r->rn];
    if (r->op == 2)
        base &= ~3u;      /* Thumb LDR (literal): Align(PC, 4), A7.1.30 */
    uint32_t off = mode2_offset(c, r);
    uint32_t moved = (r->flags & RF_U) ? base + off : base - off;
    uint32_t addr = (r->flags & RF_P) ? moved : base;
    bool wb = !(r->flags & RF_P) || (r->flags & RF_W);
    unsigned user = rec_acc(c, r);
    uint32_t v;
    if (r->flags & RF_L) {
        if (r->flags & RF_B) {
            if (arm_read(c, addr, 1, user, &v))
                return arm_data_abort(c);
        } else if (unaligned_ok(c)) {
            if (arm_read(c, addr, 4, user, &v))
                return arm_data_abort(c);
        } else {
            if (arm_read(c, addr & ~3u, 4, user, &v))
                return arm_data_abort(c);
            v = ror32(v, (addr & 3) * 8);   /* A4.1.23: unaligned word loads rotate */
        }
        if (wb)
            arm_set_reg(c, r->rn, moved);
        if (r->rd == 15)
            load_pc(c, v);
        else
            c->r[r->rd] = v;
        return ARM_OK;
    }
    v = c->r[r->rd] + (r->rd == 15 ? pc_store_extra(c) : 0);
    int rc = (r->flags & RF_B) ? arm_write(c, addr, 1, user, v & 0xff)
             : arm_write(c, unaligned_ok(c) ? addr : addr & ~3u, 4, user, v);
    if (rc)
        return arm_data_abort(c);
    if (wb)
        arm_set_reg(c, r->rn, moved);
    return ARM_OK;
}

/* Addressing mode 3 (A5.3): op 0 STRH, 1 LDRH, 2 LDRSB, 3 LDRSH, 4 LDRD,
 * 5 STRD (rs = the second register, Rt2); RF_T: LDRHT/LDRSBT/LDRSHT/STRHT. */
int arm_exec_ldrh_strh(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t base = c->r[r->rn];
    uint32_t off = (r->flags & RF_IMM) ? r->imm : c->r[r->rm];
    uint32_t moved = (r->flags & RF_U) ? base + off : base - off;
    uint32_t addr = (r->flags & RF_P) ? moved : base;
    bool wb = !(r->flags & RF_P) || (r->flags & RF_W);
    unsigned user = rec_acc(c, r);
    bool v6 = unaligned_ok(c);
    uint32_t v, v2;
    switch (r->op) {
    case 0:
        if (arm_write(c, v6 ? addr : addr & ~1u, 2, user,
                      (c->r[r->rd] + (r->rd == 15 ? pc_store_extra(c) : 0)) & 0xffff))
            return arm_data_abort(c);
        break;
    case 1:
        if (v6) {
            if (arm_read(c, addr, 2, user, &v))
                return arm_data_abort(c);
            goto load;
        }
        if (arm_read(c, addr & ~1u, 2, user, &v))
            return arm_data_abort(c);
        /* ARM7TDMI: an odd address rotates the halfword (unpredictable in A4.1.28). */
        if (addr & 1)
            v = ror32(v, 8);
        goto load;
    case 2:
        if (arm_read(c, addr, 1, user, &v))
            return arm_data_abort(c);
        v = (uint32_t)(int32_t)(int8_t)v;
        goto load;
    case 3:
        if ((addr & 1) && !v6) {   /* ARM7TDMI: odd LDRSH loads the sign-extended byte */
            if (arm_read(c, addr, 1, user, &v))
                return arm_data_abort(c);
            v = (uint32_t)(int32_t)(int8_t)v;
        } else {
            if (arm_read(c, addr, 2, user, &v))
                return arm_data_abort(c);
            v = (uint32_t)(int32_t)(int16_t)v;
        }
        goto load;
    case 4: /* LDRD, A4.1.26: Rd even, Rd != 14 (else UNDEFINED at decode) */
        if (!v6)
            addr &= ~3u;
        if (arm_read(c, addr, 4, user | aligned_acc(c), &v) ||
            arm_read(c, addr + 4, 4, user | aligned_acc(c), &v2))
            return arm_data_abort(c);
        if (wb)
            arm_set_reg(c, r->rn, moved);
        arm_set_reg(c, r->rd, v);
        arm_set_reg(c, r->rs, v2);
        return ARM_OK;
    default: /* STRD */
        if (!v6)
            addr &= ~3u;
        if (arm_write(c, addr, 4, user | aligned_acc(c), c->r[r->rd]) ||
            arm_write(c, addr + 4, 4, user | aligned_acc(c),
                      c->r[r->rs] + (r->rs == 15 ? pc_store_extra(c) : 0)))
            return arm_data_abort(c);
        break;
    }
    if (wb)
        arm_set_reg(c, r->rn, moved);
    return ARM_OK;
load:
    if (wb)
        arm_set_reg(c, r->rn, moved);
    arm_set_reg(c, r->rd, v);
    return ARM_OK;
}

/* LDM/STM, addressing mode 4 (A5.4); imm = register list, RF_B = the S bit. */
int arm_exec_ldm_stm(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t list = r->imm & 0xffff;
    uint32_t base = c->r[r->rn];
    unsigned n = (unsigned)__builtin_popcount(list);
    if (list == 0) {
        /* ARMv4 (ARM7TDMI) with an empty list transfers r15 and moves the
         * base by 0x40, as if all sixteen registers were listed. */
        list = 1u << 15;
        n = 16;
    }
    uint32_t span = 4 * n;
    bool up = r->flags & RF_U, pre = r->flags & RF_P;
    uint32_t addr = up ? base : base - span;
    if (c->arch < ARM_V6)
        addr &= ~3u;                                    /* word aligned on the bus */
    if (pre == up)
        addr += 4;
    uint32_t newbase = up ? base + span : base - span;
    unsigned user = (arm_privileged(c) ? 0 : ARM_ACC_USER) | aligned_acc(c);
    bool sbit = r->flags & RF_B;
    bool wb = r->flags & RF_W;

    if (!(r->flags & RF_L)) {
        /* STM; with ^ the user-mode registers are stored (A4.1.97). */
        bool first = true;
        for (unsigned i = 0; i < 16; i++) {
            if (!(list & (1u << i)))
                continue;
            uint32_t v;
            if (i == 15)
                v = c->r[15] + pc_store_extra(c);
            else if (sbit)
                v = arm_user_reg(c, i);
            else
                v = c->r[i];
            /* ARM7TDMI: the base, listed but not first, is stored written
             * back; from ARMv6 the value is UNKNOWN (v7 A8.8.199) and the
             * original base is stored. */
            if (i == r->rn && !first && wb && c->arch < ARM_V6)
                v = newbase;
            if (arm_write(c, addr, 4, user, v))
                return arm_data_abort(c);
            addr += 4;
            first = false;
        }
        if (wb && sbit)
            arm_set_user_reg(c, r->rn, newbase);   /* the transfer ran in the user bank */
        else if (wb)
            arm_set_reg(c, r->rn, newbase);
        return ARM_OK;
    }

    /* LDM: load everything first so an abort leaves the base intact. */
    uint32_t vals[16];
    for (unsigned i = 0; i < 16; i++) {
        if (!(list & (1u << i)))
            continue;
        if (arm_read(c, addr, 4, user, &vals[i]))
            return arm_data_abort(c);
        addr += 4;
    }
    bool user_bank = sbit && !(list & (1u << 15));
    if (wb && user_bank)
        arm_set_user_reg(c, r->rn, newbase);
    else if (wb)
        arm_set_reg(c, r->rn, newbase);
    for (unsigned i = 0; i < 15; i++) {
        if (!(list & (1u << i)))
            continue;
        if (user_bank)
            arm_set_user_reg(c, i, vals[i]);
        else
            c->r[i] = vals[i];
    }
    if (list & (1u << 15)) {
        if (sbit) {
            /* LDM (3), A4.1.22: exception return copies SPSR to CPSR. */
            enum arm_bank bank = arm_mode_bank(c->cpsr);
            if (bank != BANK_USR)
                arm_write_cpsr(c, c->spsr[bank]);
            arm_branch(c, c->arch >= ARM_V7 ? vals[15] & (arm_thumb(c) ? ~1u : ~3u) : vals[15]);
        } else {
            load_pc(c, vals[15]);
        }
    }
    return ARM_OK;
}

/* SWP/SWPB, A4.1.108: RF_B = byte. The ARMv7 models have the
 * Multiprocessing Extensions, where SWP/SWPB are UNDEFINED unless SCTLR.SW
 * is set (ARM ARM v7 A8.8.229, B4.1.130). */
int arm_exec_swp(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->arch >= ARM_V7 && !(c->sctlr & SCTLR_SW))
        return arm_exec_undefined(c, r);
    uint32_t addr = c->r[r->rn] + (r->rn == 15 ? 4 : 0), v;
    uint32_t src = c->r[r->rm] + (r->rm == 15 ? 4 : 0);   /* read in the store cycle: pc + 12 */
    unsigned user = arm_privileged(c) ? 0 : ARM_ACC_USER;
    if (r->flags & RF_B) {
        if (arm_read(c, addr, 1, user, &v) || arm_write(c, addr, 1, user, src & 0xff))
            return arm_data_abort(c);
    } else if (c->arch >= ARM_V6) {
        /* A8.8.229: MemA, so an aligned word (the rotation is then by 0). */
        if (arm_read(c, addr, 4, user | ARM_ACC_ALIGNED, &v) ||
            arm_write(c, addr, 4, user | ARM_ACC_ALIGNED, src))
            return arm_data_abort(c);
    } else {
        if (arm_read(c, addr & ~3u, 4, user, &v))
            return arm_data_abort(c);
        v = ror32(v, (addr & 3) * 8);
        if (arm_write(c, addr & ~3u, 4, user, src))
            return arm_data_abort(c);
    }
    arm_set_reg(c, r->rd, v);
    return ARM_OK;
}
