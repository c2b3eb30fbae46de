/* Executors whose semantics exist only in Thumb state (ARM ARM v7-A/R,
 * DDI 0406C): IT, CBZ/CBNZ, TBB/TBH, BLX (immediate) from Thumb, ORN, and
 * the literal and shifted-register forms of the extra loads and stores.
 * During execution r[15] holds the instruction's address + 4 (A2.3.1). */
#include "isa-arm/arm_internal.h"
#include "isa-arm/thumb2_exec.h"

/* IT (A8.8.55): the next one to four instructions are conditional; the
 * run loop takes their condition from ITSTATE (A2.5.2). */
int thumb_exec_it(struct arm_cpu *c, const struct arm_rec *r)
{
    c->cpsr = arm_with_itstate(c->cpsr, r->imm & 0xffu);
    return ARM_OK;
}

int thumb_exec_cbz(struct arm_cpu *c, const struct arm_rec *r)
{
    bool nonzero = c->r[r->rn] != 0;
    if (nonzero == (r->op != 0))
        arm_branch(c, c->r[15] + r->imm);
    return ARM_OK;
}

/* TBB/TBH: PC + 2 * the unsigned byte/halfword at Rn + Rm (TBH: + 2 * Rm). */
int thumb2_exec_tbb(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t base = c->r[r->rn], index = c->r[r->rm], v;
    bool user = !arm_privileged(c);
    int rc = r->op ? arm_read(c, base + 2 * index, 2, user, &v)
                   : arm_read(c, base + index, 1, user, &v);
    if (rc)
        return arm_data_abort(c);
    arm_branch(c, c->r[15] + 2 * v);
    return ARM_OK;
}

int thumb2_exec_blx_imm(struct arm_cpu *c, const struct arm_rec *r)
{
    c->r[14] = c->next_pc | 1;
    c->cpsr &= ~PSR_T;
    arm_branch(c, ((c->r[15] & ~3u) + r->imm) & ~3u);
    return ARM_OK;
}

/* Shift_C with an immediate amount (A8.4.3, DecodeImmShift: LSR/ASR #0
 * mean 32, ROR #0 is RRX). */
static uint32_t shift_imm_c(uint32_t v, unsigned type, unsigned n, bool cin, bool *cout)
{
    switch (type) {
    case 0:
        if (n == 0) { *cout = cin; return v; }
        *cout = (v >> (32 - n)) & 1;
        return v << n;
    case 1:
        if (n == 0) { *cout = v >> 31; return 0; }
        *cout = (v >> (n - 1)) & 1;
        return v >> n;
    case 2:
        if (n == 0) n = 32;
        *cout = n == 32 ? v >> 31 : (v >> (n - 1)) & 1;
        return n == 32 ? (uint32_t)((int32_t)v >> 31) : (uint32_t)((int32_t)v >> n);
    default:
        if (n == 0) {
            *cout = v & 1;
            return (v >> 1) | ((uint32_t)cin << 31);
        }
        *cout = (v >> (n - 1)) & 1;
        return (v >> n) | (v << (32 - n));
    }
}

int thumb2_exec_orn(struct arm_cpu *c, const struct arm_rec *r)
{
    bool cin = (c->cpsr & PSR_C) != 0, cout = cin;
    uint32_t b;
    if (r->flags & RF_IMM) {
        b = r->imm;
        if (r->shift)
            cout = b >> 31;
    } else {
        b = shift_imm_c(c->r[r->rm], r->shift, r->imm, cin, &cout);
    }
    uint32_t res = c->r[r->rn] | ~b;
    c->r[r->rd] = res;
    if (r->flags & RF_S) {
        arm_set_nz(c, res);
        arm_set_c(c, cout);
    }
    return ARM_OK;
}

int thumb2_exec_ldrh_lit(struct arm_cpu *c, const struct arm_rec *r)
{
    struct arm_rec t = *r;
    uint32_t base = c->r[15] & ~3u;
    /* base + offset = r[15] + (offset - (r[15] & 2)), as an added offset. */
    uint32_t off = (r->flags & RF_U) ? r->imm : (uint32_t)-r->imm;
    t.imm = base + off - c->r[15];
    t.flags = (uint8_t)(r->flags | RF_U | RF_IMM | RF_P);
    t.flags &= (uint8_t)~RF_W;
    return arm_exec_ldrh_strh(c, &t);
}

int thumb2_exec_ldrh_lsl(struct arm_cpu *c, const struct arm_rec *r)
{
    struct arm_rec t = *r;
    t.imm = c->r[r->rm] << (r->rs & 3);
    t.flags |= RF_IMM;
    return arm_exec_ldrh_strh(c, &t);
}

/* ADD PC, Rm / MOV PC, Rm (16-bit, A8.8.6 T2, A8.8.103 T1) from ARMv6:
 * ALUWritePC in Thumb state is BranchWritePC, which clears bit 0 (A2.3.1).
 * op 0x4 ADD (rn + rm), 0xd MOV (rm). */
int thumb_exec_alu_write_pc(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = c->r[r->rm];
    if (r->op == 0x4)
        v += c->r[r->rn];
    arm_branch(c, v & ~1u);
    return ARM_OK;
}
