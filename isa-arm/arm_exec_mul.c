/* Multiplies (ARM ARM A3.5, A4.1.40 etc.) and the ARMv5E DSP additions
 * (saturating arithmetic, 16-bit multiplies, CLZ). */
#include "isa-arm/arm_internal.h"

/* MUL/MLA/MLS: op 0 MUL, 1 MLA, 2 MLS (ARMv6T2, A8.8.101: Ra - Rn * Rm);
 * rd = destination, rn = accumulator. */
/* Operands are read after the first internal cycle: r15 reads pc + 12. */
static inline uint32_t mul_reg(const struct arm_cpu *c, unsigned n)
{
    return c->r[n] + (n == 15 ? 4 : 0);
}

int arm_exec_mul(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t res = mul_reg(c, r->rm) * mul_reg(c, r->rs);
    if (r->op == 1)
        res += mul_reg(c, r->rn);
    else if (r->op == 2)
        res = mul_reg(c, r->rn) - res;
    arm_set_reg(c, r->rd, res);
    /* C is UNPREDICTABLE on v4 (the ARM7TDMI vectors keep it), unchanged
     * from v5 (A8.8.114); V is unchanged. */
    if (r->flags & RF_S)
        arm_set_nz(c, res);
    return ARM_OK;
}

/* UMULL/UMLAL/SMULL/SMLAL: rd = RdLo, rn = RdHi; op bit 0 accumulate, bit 1
 * signed; op 4 UMAAL (ARMv6, A8.8.255: Rn * Rm + RdHi + RdLo, which cannot
 * overflow 64 bits). */
int arm_exec_mull(struct arm_cpu *c, const struct arm_rec *r)
{
    uint64_t res;
    if (r->op == 4) {
        res = (uint64_t)c->r[r->rm] * c->r[r->rs] + c->r[r->rn] + c->r[r->rd];
        arm_set_reg(c, r->rd, (uint32_t)res);
        arm_set_reg(c, r->rn, (uint32_t)(res >> 32));
        return ARM_OK;
    }
    if (r->op & 2)
        res = (uint64_t)((int64_t)(int32_t)mul_reg(c, r->rm) * (int64_t)(int32_t)mul_reg(c, r->rs));
    else
        res = (uint64_t)mul_reg(c, r->rm) * mul_reg(c, r->rs);
    if (r->op & 1)
        res += ((uint64_t)mul_reg(c, r->rn) << 32) | mul_reg(c, r->rd);
    arm_set_reg(c, r->rd, (uint32_t)res);
    arm_set_reg(c, r->rn, (uint32_t)(res >> 32));
    if (r->flags & RF_S) {
        c->cpsr = (c->cpsr & ~(PSR_N | PSR_Z)) | ((uint32_t)(res >> 32) & PSR_N) |
                  (res == 0 ? PSR_Z : 0);
    }
    return ARM_OK;
}

static inline int32_t half(uint32_t v, bool top)
{
    return top ? (int32_t)(int16_t)(v >> 16) : (int32_t)(int16_t)v;
}

/* SMLAxy/SMULWy/SMLAWy/SMLALxy/SMULxy (A4.1.74 etc.): op = bits 22:21,
 * shift bit 0 = x (bit 5), bit 1 = y (bit 6); rd = Rd (RdHi), rn = Rn (RdLo). */
int arm_exec_smulxy(struct arm_cpu *c, const struct arm_rec *r)
{
    bool x = r->shift & 1, y = (r->shift & 2) != 0;
    uint32_t rm = c->r[r->rm], rs = c->r[r->rs];
    switch (r->op) {
    case 0: { /* SMLAxy */
        int64_t p = (int64_t)half(rm, x) * half(rs, y);
        int64_t sum = p + (int32_t)c->r[r->rn];
        if (sum != (int32_t)sum)
            c->cpsr |= PSR_Q;
        arm_set_reg(c, r->rd, (uint32_t)sum);
        break;
    }
    case 1: { /* SMLAWy (x = 0) or SMULWy (x = 1) */
        int64_t p = ((int64_t)(int32_t)rm * half(rs, y)) >> 16;
        if (!x) {
            int64_t sum = (int64_t)(int32_t)p + (int32_t)c->r[r->rn];
            if (sum != (int32_t)sum)
                c->cpsr |= PSR_Q;
            p = sum;
        }
        arm_set_reg(c, r->rd, (uint32_t)p);
        break;
    }
    case 2: { /* SMLALxy */
        int64_t p = (int64_t)half(rm, x) * half(rs, y);
        uint64_t acc = ((uint64_t)c->r[r->rd] << 32) | c->r[r->rn];
        acc += (uint64_t)p;
        arm_set_reg(c, r->rn, (uint32_t)acc);
        arm_set_reg(c, r->rd, (uint32_t)(acc >> 32));
        break;
    }
    default: /* SMULxy */
        arm_set_reg(c, r->rd, (uint32_t)(half(rm, x) * half(rs, y)));
        break;
    }
    return ARM_OK;
}

static int32_t sat32(struct arm_cpu *c, int64_t v)
{
    if (v > INT32_MAX) { c->cpsr |= PSR_Q; return INT32_MAX; }
    if (v < INT32_MIN) { c->cpsr |= PSR_Q; return INT32_MIN; }
    return (int32_t)v;
}

/* QADD/QSUB/QDADD/QDSUB, A4.1.45-48: op = bits 22:21. */
int arm_exec_qarith(struct arm_cpu *c, const struct arm_rec *r)
{
    int64_t a = (int32_t)c->r[r->rm];
    int64_t b = (int32_t)c->r[r->rn];
    if (r->op & 2)
        b = sat32(c, b * 2);
    int32_t res = sat32(c, (r->op & 1) ? a - b : a + b);
    arm_set_reg(c, r->rd, (uint32_t)res);
    return ARM_OK;
}

int arm_exec_clz(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = c->r[r->rm];
    arm_set_reg(c, r->rd, v ? (uint32_t)__builtin_clz(v) : 32);
    return ARM_OK;
}
