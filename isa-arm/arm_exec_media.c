/* The ARMv6/ARMv7 media and integer additions shared by A32 and T32:
 * MOVW/MOVT, extends, reversals, bit fields, saturation, packing, the
 * parallel (SIMD) add/subtract family, SEL, USAD8, division and the signed
 * dual/most-significant-word multiplies. Record fields are the contract of
 * arm_exec_v6.h. References: ARM ARM v7-A/R (DDI 0406C) chapter A8. */
#include "isa-arm/arm_internal.h"

static inline uint32_t ror32(uint32_t v, unsigned n)
{
    n &= 31;
    return n ? (v >> n) | (v << (32 - n)) : v;
}

/* MOVW (A8.8.102) / MOVT (A8.8.106). */
int arm_exec_movw_movt(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = r->op ? (r->imm << 16) | (c->r[r->rd] & 0xffffu) : r->imm;
    arm_set_reg(c, r->rd, v);
    return ARM_OK;
}

/* SXTB/SXTH/SXTB16/UXTB/UXTH/UXTB16 and their accumulating forms. */
int arm_exec_extend(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = ror32(c->r[r->rm], r->shift);
    uint32_t acc = r->rn == 15 ? 0 : c->r[r->rn];
    uint32_t res;
    switch (r->op) {
    case EXT_SXTB16: case EXT_UXTB16: {
        /* Two bytes (bits 7:0 and 23:16) widened to halfwords, each added
         * to its halfword of Rn without carry between them (A8.8.221). */
        uint32_t lo = v & 0xffu, hi = (v >> 16) & 0xffu;
        if (r->op == EXT_SXTB16) {
            lo = (uint32_t)(int32_t)(int8_t)lo;
            hi = (uint32_t)(int32_t)(int8_t)hi;
        }
        res = ((acc + lo) & 0xffffu) | (((acc >> 16) + hi) << 16);
        break;
    }
    case EXT_SXTB: res = acc + (uint32_t)(int32_t)(int8_t)v; break;
    case EXT_SXTH: res = acc + (uint32_t)(int32_t)(int16_t)v; break;
    case EXT_UXTB: res = acc + (v & 0xffu); break;
    default: res = acc + (v & 0xffffu); break;   /* EXT_UXTH */
    }
    arm_set_reg(c, r->rd, res);
    return ARM_OK;
}

/* REV, REV16, REVSH (A8.8.141-143), RBIT (A8.8.139). */
int arm_exec_rev(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = c->r[r->rm], res;
    switch (r->op) {
    case REV_REV: res = __builtin_bswap32(v); break;
    case REV_REV16: res = ((v & 0x00ff00ffu) << 8) | ((v >> 8) & 0x00ff00ffu); break;
    case REV_REVSH: res = (uint32_t)(int32_t)(int16_t)(uint16_t)(((v & 0xffu) << 8) | ((v >> 8) & 0xffu)); break;
    default:
        res = 0;
        for (unsigned i = 0; i < 32; i++)
            res |= ((v >> i) & 1u) << (31 - i);
        break;
    }
    arm_set_reg(c, r->rd, res);
    return ARM_OK;
}

/* BFC, BFI (A8.8.19/20), SBFX (A8.8.164), UBFX (A8.8.237). The decoders
 * guarantee lsb + width <= 32 (anything else is UNPREDICTABLE). */
int arm_exec_bitfield(struct arm_cpu *c, const struct arm_rec *r)
{
    unsigned lsb = r->imm & 31, width = r->shift;
    uint32_t mask = width >= 32 ? 0xffffffffu : (1u << width) - 1;
    uint32_t res;
    switch (r->op) {
    case BF_BFC: res = c->r[r->rd] & ~(mask << lsb); break;
    case BF_BFI: res = (c->r[r->rd] & ~(mask << lsb)) | ((c->r[r->rn] & mask) << lsb); break;
    case BF_SBFX: {
        uint32_t field = (c->r[r->rn] >> lsb) & mask;
        uint32_t sign = width >= 32 ? 0 : ~mask;
        res = (width < 32 && (field >> (width - 1)) & 1u) ? field | sign : field;
        break;
    }
    default: res = (c->r[r->rn] >> lsb) & mask; break;   /* BF_UBFX */
    }
    arm_set_reg(c, r->rd, res);
    return ARM_OK;
}

/* SignedSatQ / UnsignedSatQ (A2.2.1): clamp v to n bits; *sat says so. */
static int64_t signed_sat(int64_t v, unsigned n, bool *sat)
{
    int64_t max = ((int64_t)1 << (n - 1)) - 1, min = -((int64_t)1 << (n - 1));
    if (v > max) { *sat = true; return max; }
    if (v < min) { *sat = true; return min; }
    return v;
}

static int64_t unsigned_sat(int64_t v, unsigned n, bool *sat)
{
    int64_t max = ((int64_t)1 << n) - 1;
    if (v > max) { *sat = true; return max; }
    if (v < 0) { *sat = true; return 0; }
    return v;
}

/* SSAT/USAT (A8.8.152/A8.8.252), SSAT16/USAT16 (A8.8.153/A8.8.253). */
int arm_exec_sat(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = c->r[r->rn], res;
    unsigned n = r->rs;
    bool sat = false;
    switch (r->op) {
    case SAT_SSAT: case SAT_USAT: {
        /* The shift's carry out is not used (A8.8.152). */
        int64_t operand;
        if (r->shift == 2)
            operand = (int32_t)v >> (r->imm >= 32 ? 31 : r->imm);
        else
            operand = (int32_t)(v << (r->imm & 31));
        int64_t s = r->op == SAT_SSAT ? signed_sat(operand, n, &sat)
                                      : unsigned_sat(operand, n, &sat);
        res = (uint32_t)s;
        break;
    }
    default: {
        int64_t lo = (int16_t)v, hi = (int16_t)(v >> 16);
        if (r->op == SAT_SSAT16) {
            lo = signed_sat(lo, n, &sat);
            hi = signed_sat(hi, n, &sat);
        } else {
            lo = unsigned_sat(lo, n, &sat);
            hi = unsigned_sat(hi, n, &sat);
        }
        res = ((uint32_t)lo & 0xffffu) | ((uint32_t)hi << 16);
        break;
    }
    }
    arm_set_reg(c, r->rd, res);
    if (sat)
        c->cpsr |= PSR_Q;
    return ARM_OK;
}

/* PKHBT/PKHTB (A8.8.125). */
int arm_exec_pkh(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t n = c->r[r->rn], m = c->r[r->rm], res;
    if (r->op) {   /* PKHTB: top from Rn, bottom from Rm ASR imm (0 = 32) */
        unsigned sh = r->imm == 0 || r->imm >= 32 ? 31 : r->imm;
        uint32_t op2 = (uint32_t)((int32_t)m >> sh);
        res = (n & 0xffff0000u) | (op2 & 0xffffu);
    } else {       /* PKHBT: bottom from Rn, top from Rm LSL imm */
        res = (n & 0xffffu) | ((m << (r->imm & 31)) & 0xffff0000u);
    }
    arm_set_reg(c, r->rd, res);
    return ARM_OK;
}

/* The parallel add/subtract family (A8.8.*16, *8, *ASX, *SAX with the S,
 * Q, SH, U, UQ, UH prefixes). Each lane's result is computed exactly in an
 * int32_t, then the prefix decides: S/U keep the low bits and set GE from
 * the lane (signed: result >= 0; unsigned add: carry out; unsigned
 * subtract: no borrow), Q/UQ saturate, SH/UH halve. */
int arm_exec_parallel(struct arm_cpu *c, const struct arm_rec *r)
{
    unsigned prefix = r->op >> 3, op = r->op & 7;
    uint32_t a = c->r[r->rn], b = c->r[r->rm];
    bool sign = prefix <= PAR_SH;
    bool bytes = op == PAR_ADD8 || op == PAR_SUB8;
    unsigned width = bytes ? 8 : 16, lanes = bytes ? 4 : 2;
    uint32_t lane_mask = bytes ? 0xffu : 0xffffu;
    uint32_t res = 0, ge = 0;
    for (unsigned i = 0; i < lanes; i++) {
        /* ASX: lane 0 = a0 - b1, lane 1 = a1 + b0; SAX: the opposite. */
        unsigned j = (op == PAR_ASX || op == PAR_SAX) ? 1 - i : i;
        bool sub = op == PAR_SUB16 || op == PAR_SUB8 || (op == PAR_ASX && i == 0) ||
                   (op == PAR_SAX && i == 1);
        uint32_t ua = (a >> (i * width)) & lane_mask, ub = (b >> (j * width)) & lane_mask;
        int32_t x, y;
        if (sign) {
            x = bytes ? (int8_t)ua : (int16_t)ua;
            y = bytes ? (int8_t)ub : (int16_t)ub;
        } else {
            x = (int32_t)ua;
            y = (int32_t)ub;
        }
        int32_t v = sub ? x - y : x + y;
        bool lane_ge;
        bool sat = false;
        switch (prefix) {
        case PAR_S: lane_ge = v >= 0; break;
        case PAR_U: lane_ge = sub ? v >= 0 : v >= (int32_t)1 << width; break;
        case PAR_Q: v = (int32_t)signed_sat(v, width, &sat); lane_ge = false; break;
        case PAR_UQ: v = (int32_t)unsigned_sat(v, width, &sat); lane_ge = false; break;
        default: v >>= 1; lane_ge = false; break;   /* SH, UH: exact halving */
        }
        res |= ((uint32_t)v & lane_mask) << (i * width);
        if (lane_ge)
            ge |= (bytes ? 1u : 3u) << (i * (bytes ? 1 : 2));
    }
    arm_set_reg(c, r->rd, res);
    if (prefix == PAR_S || prefix == PAR_U)
        c->cpsr = (c->cpsr & ~PSR_GE) | (ge << 16);
    return ARM_OK;
}

/* SEL (A8.8.150): each byte from Rn where its GE bit is set, else Rm. */
int arm_exec_sel(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t ge = (c->cpsr & PSR_GE) >> 16, mask = 0;
    for (unsigned i = 0; i < 4; i++)
        if (ge & (1u << i))
            mask |= 0xffu << (8 * i);
    arm_set_reg(c, r->rd, (c->r[r->rn] & mask) | (c->r[r->rm] & ~mask));
    return ARM_OK;
}

/* USAD8/USADA8 (A8.8.254/255): sum of absolute byte differences. */
int arm_exec_usad8(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t a = c->r[r->rn], b = c->r[r->rm];
    uint32_t sum = r->rs == 15 ? 0 : c->r[r->rs];
    for (unsigned i = 0; i < 32; i += 8) {
        int32_t d = (int32_t)((a >> i) & 0xffu) - (int32_t)((b >> i) & 0xffu);
        sum += (uint32_t)(d < 0 ? -d : d);
    }
    arm_set_reg(c, r->rd, sum);
    return ARM_OK;
}

/* SDIV/UDIV (A8.8.165/A8.8.248): rd = rn / rm, rounding towards zero.
 * Division by zero gives 0; INT_MIN / -1 gives INT_MIN (the low 32 bits
 * of +2^31). */
int arm_exec_div(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t n = c->r[r->rn], m = c->r[r->rm], res;
    if (m == 0)
        res = 0;
    else if (r->op)
        res = n / m;
    else if (n == 0x80000000u && m == 0xffffffffu)
        res = 0x80000000u;
    else
        res = (uint32_t)((int32_t)n / (int32_t)m);
    arm_set_reg(c, r->rd, res);
    return ARM_OK;
}

/* SMLAD/SMUAD, SMLSD/SMUSD, SMLALD, SMLSLD (A8.8.177-184) and SMMLA/SMMUL/
 * SMMLS (A8.8.185-189). The products are of rm's and rs's halfwords (rs
 * halves swapped when shift bit 0 = X) or of the whole registers. */
int arm_exec_dsp_mul(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t n = c->r[r->rm], m = c->r[r->rs];
    bool x = r->shift & 1;
    if (r->op == DSPM_SMMLA || r->op == DSPM_SMMLS) {
        /* Bits 63:32 of (Ra << 32) +/- Rn * Rm (+ 2^31 to round): the sum
         * taken modulo 2^64 has the same top word. */
        uint64_t prod = (uint64_t)((int64_t)(int32_t)n * (int64_t)(int32_t)m);
        uint64_t acc = r->rn == 15 ? 0 : (uint64_t)c->r[r->rn] << 32;
        uint64_t res = r->op == DSPM_SMMLA ? acc + prod : acc - prod;
        if (x)
            res += 0x80000000u;
        arm_set_reg(c, r->rd, (uint32_t)(res >> 32));
        return ARM_OK;
    }
    if (x)
        m = ror32(m, 16);
    int64_t p1 = (int64_t)(int16_t)n * (int16_t)m;
    int64_t p2 = (int64_t)(int16_t)(n >> 16) * (int16_t)(m >> 16);
    bool dual_sub = r->op == DSPM_SMLSD || r->op == DSPM_SMLSLD;
    int64_t sum = dual_sub ? p1 - p2 : p1 + p2;
    if (r->op == DSPM_SMLALD || r->op == DSPM_SMLSLD) {
        /* 64-bit accumulate into RdHi:RdLo; wraps, no Q. */
        uint64_t acc = ((uint64_t)c->r[r->rd] << 32) | c->r[r->rn];
        acc += (uint64_t)sum;
        arm_set_reg(c, r->rn, (uint32_t)acc);
        arm_set_reg(c, r->rd, (uint32_t)(acc >> 32));
        return ARM_OK;
    }
    if (r->rn != 15)
        sum += (int32_t)c->r[r->rn];
    /* Q on signed overflow of the 32-bit result (SMUSD cannot overflow). */
    if (sum != (int32_t)sum)
        c->cpsr |= PSR_Q;
    arm_set_reg(c, r->rd, (uint32_t)sum);
    return ARM_OK;
}
