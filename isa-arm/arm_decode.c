/* ARM (A32) decoder for ARMv4T, ARMv5TE and ARMv6/ARMv7-A. The pattern
 * table mirrors the encoding diagrams of ARM ARM A3.1 (figure A3-1) and A4
 * (DDI 0100I), and for the ARMv6/v7 additions ARM ARM v7 (DDI 0406C)
 * chapter A5; rows are tried in order and the first match wins, so the more
 * specific encodings that live inside the data-processing and load/store
 * spaces (multiplies, SWP, extra loads/stores, MRS/MSR, BX, the v5E DSP
 * group) come first.
 *
 * Rows carry the oldest architecture with the encoding; ARM_V6 stands for
 * ARMv6K (hints, CLREX and the byte/halfword/doubleword exclusives
 * included), ARM_V7 for ARMv6T2/ARMv7 (MOVW/MOVT, bit fields, RBIT, MLS,
 * the unprivileged halfword loads/stores, barriers) plus what the modelled
 * ARMv7 cores add (SDIV/UDIV, PLDW, HVC). An older architecture skips the
 * row and decodes the encoding exactly as before.
 *
 * UNPREDICTABLE register choices of the ARMv6/v7 encodings (Rd = 15 and the
 * like, as each instruction page lists them) decode to arm_exec_undefined:
 * a program that uses one gets a clean trap instead of a silently chosen
 * behaviour. Each such check is marked "UNPREDICTABLE" below. */
#include "isa-arm/arm_internal.h"

typedef void (*arm_decoder)(uint32_t insn, struct arm_rec *r);

struct arm_pattern {
    uint32_t mask, value;
    uint8_t min_arch;        /* enum arm_arch */
    arm_decoder decode;
    const char *name;
};

static inline unsigned bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static void dec_und(uint32_t i, struct arm_rec *r) { r->fn = arm_exec_undefined; }
static void dec_nop(uint32_t i, struct arm_rec *r) { r->fn = arm_exec_nop; }

static void dec_mul(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_mul;
    r->rd = bits(i, 19, 16); r->rn = bits(i, 15, 12); r->rs = bits(i, 11, 8); r->rm = bits(i, 3, 0);
    r->op = bits(i, 21, 21); r->flags = bits(i, 20, 20) ? RF_S : 0;
}

static void dec_mull(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_mull;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rs = bits(i, 11, 8); r->rm = bits(i, 3, 0);
    r->op = bits(i, 22, 21); r->flags = bits(i, 20, 20) ? RF_S : 0;
}

static void dec_swp(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_swp;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    r->flags = bits(i, 22, 22) ? RF_B : 0;
}

static uint8_t pu_w_flags(uint32_t i)
{
    return (uint8_t)((bits(i, 24, 24) ? RF_P : 0) | (bits(i, 23, 23) ? RF_U : 0) |
                     (bits(i, 21, 21) ? RF_W : 0) | (bits(i, 20, 20) ? RF_L : 0));
}

/* Extra load/store (A5.3): op from L and bits 6:5. */
static void dec_ldrh(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldrh_strh;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    r->flags = pu_w_flags(i);
    if (bits(i, 22, 22)) {
        r->flags |= RF_IMM;
        r->imm = (bits(i, 11, 8) << 4) | bits(i, 3, 0);
    }
    unsigned sh = bits(i, 6, 5);
    if (r->flags & RF_L)
        r->op = (uint8_t)sh;                 /* 1 LDRH, 2 LDRSB, 3 LDRSH */
    else if (sh == 1)
        r->op = 0;                           /* STRH */
    else
        r->op = sh == 2 ? 4 : 5;             /* LDRD, STRD */
}

static void dec_ldrd(uint32_t i, struct arm_rec *r)
{
    dec_ldrh(i, r);
    r->rs = (uint8_t)(r->rd + 1);   /* Rt2 */
    /* A4.1.26: an odd Rd is UNDEFINED; r14 makes the pair run into r15. */
    if ((r->rd & 1) || r->rd == 14)
        r->fn = arm_exec_undefined;
}

/* LDRD/STRD on ARMv7 (A8.8.72-74, A8.8.210/211): the ARMv5 decoding plus
 * the register overlaps the v7 pages call UNPREDICTABLE: writeback to Rt,
 * Rt2 or r15, and a register offset that is r15, Rt or Rt2. */
static void dec_ldrd_v7(uint32_t i, struct arm_rec *r)
{
    dec_ldrd(i, r);
    bool wb = !(r->flags & RF_P) || (r->flags & RF_W);
    if (wb && (r->rn == 15 || r->rn == r->rd || r->rn == r->rs))
        r->fn = arm_exec_undefined;
    if (!(r->flags & RF_IMM) && (r->rm == 15 || (r->op == 4 && (r->rm == r->rd || r->rm == r->rs))))
        r->fn = arm_exec_undefined;
}

/* LDRHT/LDRSBT/LDRSHT/STRHT (v7 A8.8.83/89/93/219): the extra loads and
 * stores with P = 0, W = 1, post-indexed and unprivileged. */
static void dec_ldrht(uint32_t i, struct arm_rec *r)
{
    dec_ldrh(i, r);
    r->flags |= RF_T;
    /* UNPREDICTABLE: Rt or Rn = 15, Rn = Rt, register offset Rm = 15. */
    if (r->rd == 15 || r->rn == 15 || r->rn == r->rd || (!(r->flags & RF_IMM) && r->rm == 15))
        r->fn = arm_exec_undefined;
}

/* UMAAL (v7 A8.8.255): the long multiply fields, op 4. */
static void dec_umaal(uint32_t i, struct arm_rec *r)
{
    dec_mull(i, r);
    r->op = 4;
    r->flags = 0;
    /* UNPREDICTABLE: any register 15, RdHi = RdLo. */
    if (r->rd == 15 || r->rn == 15 || r->rs == 15 || r->rm == 15 || r->rd == r->rn)
        r->fn = arm_exec_undefined;
}

/* MLS (v7 A8.8.101): Rd = Ra - Rn * Rm, the MLA fields, op 2. */
static void dec_mls(uint32_t i, struct arm_rec *r)
{
    dec_mul(i, r);
    r->op = 2;
    r->flags = 0;
    if (r->rd == 15 || r->rn == 15 || r->rs == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* Synchronization primitives (v7 A5.2.10): bits 22:20 select the size and
 * L. rd = Rt, rs = Rt2 (doubleword), rm = the STREX status register. */
static void dec_excl(uint32_t i, struct arm_rec *r)
{
    static const uint8_t sizes[4] = { 4, 8, 1, 2 };
    bool load = bits(i, 20, 20);
    r->op = sizes[bits(i, 22, 21)];
    r->rn = bits(i, 19, 16);
    if (load) {
        r->fn = arm_exec_ldrex;
        r->rd = bits(i, 15, 12);
    } else {
        r->fn = arm_exec_strex;
        r->rm = bits(i, 15, 12);
        r->rd = bits(i, 3, 0);
    }
    r->rs = (uint8_t)(r->rd + 1);
    /* UNPREDICTABLE (A8.8.75-78, A8.8.210-213): Rn or Rt = 15; a
     * doubleword Rt odd or r14; a status register that is 15 or overlaps
     * Rn, Rt or Rt2. */
    bool bad = r->rn == 15 || r->rd == 15;
    if (r->op == 8 && ((r->rd & 1) || r->rd == 14))
        bad = true;
    if (!load && (r->rm == 15 || r->rm == r->rn || r->rm == r->rd ||
                  (r->op == 8 && r->rm == r->rs)))
        bad = true;
    if (bad)
        r->fn = arm_exec_undefined;
}

/* BXJ (A8.8.34): with the trivial Jazelle implementation, BX. */
static void dec_bxj(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_bx; r->rm = bits(i, 3, 0); r->op = 0;
    if (r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

static void dec_smc(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_smc; r->imm = bits(i, 3, 0);
}

static void dec_hvc(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_hvc; r->imm = (bits(i, 19, 8) << 4) | bits(i, 3, 0);
}

/* The MSR-immediate hint space (v7 A5.2.11, op2 = bits 7:0): NOP, YIELD,
 * WFE, WFI, SEV; DBG (0xf0-0xff) and the unallocated hints run as NOP. */
static void dec_hint(uint32_t i, struct arm_rec *r)
{
    switch (bits(i, 7, 0)) {
    case 2: r->fn = arm_exec_wfe; break;
    case 3: r->fn = arm_exec_wfi; break;
    case 4: r->fn = arm_exec_sev; break;
    default: r->fn = arm_exec_nop; break;
    }
}

/* MOVW/MOVT (A8.8.102/A8.8.106): imm4:imm12. */
static void dec_movw_movt(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_movw_movt;
    r->rd = bits(i, 15, 12); r->op = bits(i, 22, 22);
    r->imm = (bits(i, 19, 16) << 12) | bits(i, 11, 0);
    if (r->rd == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* ---- media instructions (v7 A5.4) -------------------------------------- */

/* Parallel add/subtract (A5.4.1/A5.4.2): bit 22 unsigned, bits 21:20 the
 * prefix (01 S/U, 10 Q/UQ, 11 SH/UH), bits 7:5 the operation. */
static void dec_parallel(uint32_t i, struct arm_rec *r)
{
    static const int8_t ops[8] = {
        PAR_ADD16, PAR_ASX, PAR_SAX, PAR_SUB16, PAR_ADD8, -1, -1, PAR_SUB8,
    };
    unsigned op1 = bits(i, 21, 20);
    int op = ops[bits(i, 7, 5)];
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    if (op1 == 0 || op < 0 || r->rd == 15 || r->rn == 15 || r->rm == 15) {
        r->fn = arm_exec_undefined;   /* unallocated, or UNPREDICTABLE registers */
        return;
    }
    r->fn = arm_exec_parallel;
    r->op = (uint8_t)(((bits(i, 22, 22) ? PAR_U : PAR_S) + op1 - 1) * 8 + (unsigned)op);
}

static void dec_pkh(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_pkh;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    r->imm = bits(i, 11, 7); r->op = bits(i, 6, 6);
    if (r->rd == 15 || r->rn == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

static void dec_sel(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_sel;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    if (r->rd == 15 || r->rn == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* Extend and extend-and-add: bits 22:20 select the operation, Rn = 15 is
 * the plain form, bits 11:10 the rotation. */
static void dec_extend(uint32_t i, struct arm_rec *r)
{
    static const int8_t ops[8] = {
        EXT_SXTB16, -1, EXT_SXTB, EXT_SXTH, EXT_UXTB16, -1, EXT_UXTB, EXT_UXTH,
    };
    int op = ops[bits(i, 22, 20)];
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    r->shift = (uint8_t)(bits(i, 11, 10) * 8);
    if (op < 0 || r->rd == 15 || r->rm == 15) {   /* unallocated, or UNPREDICTABLE */
        r->fn = arm_exec_undefined;
        return;
    }
    r->fn = arm_exec_extend;
    r->op = (uint8_t)op;
}

/* SSAT/USAT: bit 22 unsigned, sat_imm in bits 20:16 (SSAT: saturate_to =
 * sat_imm + 1), bit 6 the shift type, bits 11:7 the amount. */
static void dec_sat(uint32_t i, struct arm_rec *r)
{
    bool u = bits(i, 22, 22);
    r->fn = arm_exec_sat;
    r->op = u ? SAT_USAT : SAT_SSAT;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 3, 0);
    r->rs = (uint8_t)(bits(i, 20, 16) + (u ? 0 : 1));
    r->shift = bits(i, 6, 6) ? 2 : 0;
    r->imm = bits(i, 11, 7);
    if (r->shift == 2 && r->imm == 0)
        r->imm = 32;
    if (r->rd == 15 || r->rn == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

static void dec_sat16(uint32_t i, struct arm_rec *r)
{
    bool u = bits(i, 22, 22);
    r->fn = arm_exec_sat;
    r->op = u ? SAT_USAT16 : SAT_SSAT16;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 3, 0);
    r->rs = (uint8_t)(bits(i, 19, 16) + (u ? 0 : 1));
    if (r->rd == 15 || r->rn == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* REV (op1 011, op2 001), REV16 (011, 101), RBIT (111, 001), REVSH (111, 101). */
static void dec_rev(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_rev;
    r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    if (bits(i, 22, 22))
        r->op = bits(i, 7, 7) ? REV_REVSH : REV_RBIT;
    else
        r->op = bits(i, 7, 7) ? REV_REV16 : REV_REV;
    if (r->rd == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* The signed multiplies of A5.4.4 put Rd in bits 19:16, Ra in 15:12, the
 * ARM ARM's Rm in 11:8 (record rs) and its Rn in 3:0 (record rm). */
static void dec_media_mul_regs(uint32_t i, struct arm_rec *r)
{
    r->rd = bits(i, 19, 16); r->rn = bits(i, 15, 12); r->rs = bits(i, 11, 8); r->rm = bits(i, 3, 0);
    r->shift = bits(i, 5, 5);
}

/* SMLAD/SMUAD/SMLSD/SMUSD: bit 6 subtracts; Ra = 15 is the non-accumulating form. */
static void dec_smlad(uint32_t i, struct arm_rec *r)
{
    dec_media_mul_regs(i, r);
    r->fn = arm_exec_dsp_mul;
    r->op = bits(i, 6, 6) ? DSPM_SMLSD : DSPM_SMLAD;
    if (r->rd == 15 || r->rs == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* SMLALD/SMLSLD: rd = RdHi (19:16), rn = RdLo (15:12). */
static void dec_smlald(uint32_t i, struct arm_rec *r)
{
    dec_media_mul_regs(i, r);
    r->fn = arm_exec_dsp_mul;
    r->op = bits(i, 6, 6) ? DSPM_SMLSLD : DSPM_SMLALD;
    /* UNPREDICTABLE: any register 15, RdHi = RdLo. */
    if (r->rd == 15 || r->rn == 15 || r->rs == 15 || r->rm == 15 || r->rd == r->rn)
        r->fn = arm_exec_undefined;
}

/* SMMLA/SMMUL (bits 7:6 = 00) and SMMLS (11); bit 5 rounds. */
static void dec_smmla(uint32_t i, struct arm_rec *r)
{
    dec_media_mul_regs(i, r);
    r->fn = arm_exec_dsp_mul;
    bool sub = bits(i, 7, 6) == 3;
    r->op = sub ? DSPM_SMMLS : DSPM_SMMLA;
    /* UNPREDICTABLE: Rd, Rn, Rm = 15; SMMLS with Ra = 15. */
    if (r->rd == 15 || r->rs == 15 || r->rm == 15 || (sub && r->rn == 15))
        r->fn = arm_exec_undefined;
}

/* SDIV/UDIV: Rd in 19:16, the dividend Rn in 3:0 (record rn), the divisor
 * Rm in 11:8 (record rm); bit 21 unsigned. */
static void dec_div(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_div;
    r->rd = bits(i, 19, 16); r->rn = bits(i, 3, 0); r->rm = bits(i, 11, 8);
    r->op = bits(i, 21, 21);
    if (r->rd == 15 || r->rn == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* USAD8/USADA8: Rd 19:16, Ra 15:12 (record rs; 15 = USAD8), Rm 11:8, Rn 3:0. */
static void dec_usad8(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_usad8;
    r->rd = bits(i, 19, 16); r->rs = bits(i, 15, 12); r->rm = bits(i, 11, 8); r->rn = bits(i, 3, 0);
    if (r->rd == 15 || r->rn == 15 || r->rm == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* SBFX/UBFX (bit 22 unsigned): widthm1 in 20:16, lsb in 11:7. */
static void dec_bfx(uint32_t i, struct arm_rec *r)
{
    unsigned lsb = bits(i, 11, 7), widthm1 = bits(i, 20, 16);
    r->fn = arm_exec_bitfield;
    r->op = bits(i, 22, 22) ? BF_UBFX : BF_SBFX;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 3, 0);
    r->imm = lsb; r->shift = (uint8_t)(widthm1 + 1);
    /* UNPREDICTABLE: Rd or Rn = 15, a field past bit 31. */
    if (r->rd == 15 || r->rn == 15 || lsb + widthm1 > 31)
        r->fn = arm_exec_undefined;
}

/* BFI, and BFC when Rn = 15: msb in 20:16, lsb in 11:7. */
static void dec_bfi(uint32_t i, struct arm_rec *r)
{
    unsigned lsb = bits(i, 11, 7), msb = bits(i, 20, 16);
    r->fn = arm_exec_bitfield;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 3, 0);
    r->op = r->rn == 15 ? BF_BFC : BF_BFI;
    r->imm = lsb; r->shift = (uint8_t)(msb - lsb + 1);
    if (r->rd == 15 || msb < lsb)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

/* ---- the unconditional space (v7 A5.7) ---------------------------------- */

/* CPS: imod in 19:18, M in 17, A/I/F in 8:6, mode in 4:0. */
static void dec_cps(uint32_t i, struct arm_rec *r)
{
    unsigned imod = bits(i, 19, 18), m = bits(i, 17, 17), aif = bits(i, 8, 6), mode = bits(i, 4, 0);
    r->fn = arm_exec_cps;
    r->op = (uint8_t)imod; r->shift = (uint8_t)aif; r->imm = mode;
    r->flags = m ? RF_W : 0;
    /* UNPREDICTABLE (B9.3.2): a mode without M, A/I/F without an enable or
     * disable (or the reverse), no effect at all, imod 01; and a mode that
     * does not exist. */
    if ((mode && !m) || ((imod & 2) && !aif) || (!(imod & 2) && aif) ||
        (imod == 0 && !m) || imod == 1 || (m && !arm_mode_valid(mode)))
        r->fn = arm_exec_undefined;
}

static void dec_setend(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_setend; r->op = bits(i, 9, 9);
}

/* SRS: P, U, W as in LDM; the mode in 4:0. */
static void dec_srs(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_srs;
    r->rn = 13; r->imm = bits(i, 4, 0);
    r->flags = pu_w_flags(i) & (RF_P | RF_U | RF_W);
    if (!arm_mode_valid(r->imm))   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

static void dec_rfe(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_rfe;
    r->rn = bits(i, 19, 16);
    r->flags = pu_w_flags(i) & (RF_P | RF_U | RF_W);
    if (r->rn == 15)   /* UNPREDICTABLE */
        r->fn = arm_exec_undefined;
}

static void dec_clrex(uint32_t i, struct arm_rec *r) { r->fn = arm_exec_clrex; }

static void dec_mrs(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_mrs;
    r->rd = bits(i, 15, 12); r->op = bits(i, 22, 22);
}

static void dec_msr(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_msr;
    r->op = bits(i, 22, 22); r->shift = bits(i, 19, 16); r->rm = bits(i, 3, 0);
    if (bits(i, 25, 25)) {
        unsigned rot = bits(i, 11, 8) * 2, imm = bits(i, 7, 0);
        r->flags = RF_IMM;
        r->imm = rot ? (imm >> rot) | (imm << (32 - rot)) : imm;
    }
}

static void dec_bx(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_bx; r->rm = bits(i, 3, 0); r->op = bits(i, 5, 5);
}

static void dec_clz(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_clz; r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
}

static void dec_qarith(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_qarith;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0); r->op = bits(i, 22, 21);
}

static void dec_smulxy(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_smulxy;
    r->rd = bits(i, 19, 16); r->rn = bits(i, 15, 12); r->rs = bits(i, 11, 8); r->rm = bits(i, 3, 0);
    r->op = bits(i, 22, 21); r->shift = (uint8_t)(bits(i, 5, 5) | (bits(i, 6, 6) << 1));
}

static void dec_bkpt(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_bkpt; r->imm = (bits(i, 19, 8) << 4) | bits(i, 3, 0);
}

/* Data processing (A5.1): imm (rotated), immediate shift, or register shift. */
static void dec_dp(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_dp;
    r->op = bits(i, 24, 21); r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12);
    r->rm = bits(i, 3, 0); r->rs = bits(i, 11, 8);
    r->flags = bits(i, 20, 20) ? RF_S : 0;
    if (bits(i, 25, 25)) {
        unsigned rot = bits(i, 11, 8) * 2, imm = bits(i, 7, 0);
        r->flags |= RF_IMM;
        r->shift = (uint8_t)rot;
        r->imm = rot ? (imm >> rot) | (imm << (32 - rot)) : imm;
    } else {
        r->shift = bits(i, 6, 5);
        if (bits(i, 4, 4))
            r->flags |= RF_REGSH;
        else
            r->imm = bits(i, 11, 7);
    }
}

/* LDR/STR/LDRB/STRB (A5.2); RF_T marks the T (user) forms. */
static void dec_ldr(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldr_str;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    r->flags = pu_w_flags(i) | (bits(i, 22, 22) ? RF_B : 0);
    if (!bits(i, 24, 24) && bits(i, 21, 21))
        r->flags |= RF_T;
    if (!bits(i, 25, 25)) {
        r->flags |= RF_IMM;
        r->imm = bits(i, 11, 0);
    } else {
        r->rs = bits(i, 11, 7);
        r->shift = bits(i, 6, 5);
    }
}

/* LDR/STR/LDRB/STRB on ARMv7 (A8.8.62-71, A8.8.203-208): the same fields,
 * with the register choices the v7 pages call UNPREDICTABLE rejected:
 * writeback to Rn = 15 or Rn = Rt, a register offset in r15, and r15 as the
 * byte forms' Rt. */
static void dec_ldr_v7(uint32_t i, struct arm_rec *r)
{
    dec_ldr(i, r);
    bool wb = !(r->flags & RF_P) || (r->flags & RF_W);
    if ((wb && (r->rn == 15 || r->rn == r->rd)) ||
        (!(r->flags & RF_IMM) && r->rm == 15) || ((r->flags & RF_B) && r->rd == 15))
        r->fn = arm_exec_undefined;
}

static void dec_ldm(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldm_stm;
    r->rn = bits(i, 19, 16); r->imm = bits(i, 15, 0);
    r->flags = pu_w_flags(i) | (bits(i, 22, 22) ? RF_B : 0);
}

static void dec_b(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_b;
    r->op = bits(i, 24, 24);
    r->imm = (uint32_t)(((int32_t)(i << 8)) >> 6);
}

static void dec_blx_imm(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_blx_imm;
    r->imm = (uint32_t)(((int32_t)(i << 8)) >> 6) | (bits(i, 24, 24) << 1);
}

static void dec_swi(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_swi; r->imm = bits(i, 23, 0);
}

/* MCR/MRC: only CP15 exists, and only on ARMv5 models (checked at decode). */
static void dec_mcr(uint32_t i, struct arm_rec *r)
{
    unsigned cp = bits(i, 11, 8);
    if (cp != 15 && cp != 14) {
        r->fn = arm_exec_undefined;
        return;
    }
    r->fn = cp == 15 ? arm_exec_cp15 : arm_exec_cp14;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 19, 16); r->rm = bits(i, 3, 0);
    r->op = bits(i, 23, 21); r->shift = bits(i, 7, 5); r->flags = bits(i, 20, 20) ? RF_L : 0;
}

/* ---- ARMv6/v7 UNPREDICTABLE choices in the older encodings ------------
 * The same fields as the ARMv4/v5 decoders; the rows run only from ARMv6
 * (ARMv7 where the rule is v7's), so the ARM7TDMI and ARM926 behaviours the
 * conformance vectors check are kept. */

static void reject_if(struct arm_rec *r, bool unpredictable)
{
    if (unpredictable)
        r->fn = arm_exec_undefined;
}

static void dec_mul_v6(uint32_t i, struct arm_rec *r)   /* v7 A8.8.114/100 */
{
    dec_mul(i, r);
    reject_if(r, r->rd == 15 || r->rm == 15 || r->rs == 15 || (r->op && r->rn == 15));
}

static void dec_mull_v6(uint32_t i, struct arm_rec *r)  /* v7 A8.8.257/177 */
{
    dec_mull(i, r);
    reject_if(r, r->rd == 15 || r->rn == 15 || r->rm == 15 || r->rs == 15 || r->rd == r->rn);
}

static void dec_swp_v6(uint32_t i, struct arm_rec *r)   /* v7 A8.8.229 */
{
    dec_swp(i, r);
    reject_if(r, r->rd == 15 || r->rm == 15 || r->rn == 15 || r->rn == r->rm || r->rn == r->rd);
}

/* LDRH/LDRSB/LDRSH/STRH (v7 A8.8.80-94, A8.8.217): Rt = 15, writeback to
 * r15 or Rt, a register offset in r15. */
static void dec_ldrh_v7(uint32_t i, struct arm_rec *r)
{
    dec_ldrh(i, r);
    bool wb = !(r->flags & RF_P) || (r->flags & RF_W);
    reject_if(r, r->rd == 15 || (wb && (r->rn == 15 || r->rn == r->rd)) ||
                 (!(r->flags & RF_IMM) && r->rm == 15));
}

static void dec_blx_reg_v6(uint32_t i, struct arm_rec *r)   /* v7 A8.8.26 */
{
    dec_bx(i, r);
    reject_if(r, r->rm == 15);
}

static void dec_clz_v6(uint32_t i, struct arm_rec *r)       /* v7 A8.8.33 */
{
    dec_clz(i, r);
    reject_if(r, r->rd == 15 || r->rm == 15);
}

static void dec_qarith_v6(uint32_t i, struct arm_rec *r)    /* v7 A8.8.134... */
{
    dec_qarith(i, r);
    reject_if(r, r->rd == 15 || r->rn == 15 || r->rm == 15);
}

/* SMLAxy/SMLAWy/SMULWy/SMLALxy/SMULxy (v7 A8.8.176-206): no r15; the
 * accumulator too where there is one; SMLALxy RdHi = RdLo. */
static void dec_smulxy_v6(uint32_t i, struct arm_rec *r)
{
    dec_smulxy(i, r);
    bool acc = r->op == 0 || r->op == 2 || (r->op == 1 && !(r->shift & 1));
    reject_if(r, r->rd == 15 || r->rm == 15 || r->rs == 15 || (acc && r->rn == 15) ||
                 (r->op == 2 && r->rd == r->rn));
}

static void dec_mrs_v6(uint32_t i, struct arm_rec *r)       /* v7 B9.3.9 */
{
    dec_mrs(i, r);
    reject_if(r, r->rd == 15);
}

/* Data processing with a register-shifted register (v7 A8.8.*): no r15 at
 * all (MOV/MVN have no Rn). */
static void dec_dp_regshift_v6(uint32_t i, struct arm_rec *r)
{
    dec_dp(i, r);
    bool has_rn = r->op != 0xd && r->op != 0xf;
    reject_if(r, r->rd == 15 || r->rm == 15 || r->rs == 15 || (has_rn && r->rn == 15));
}

/* LDM/STM (v7 A8.8.57-60, A8.8.197-200, B9.3.5/6/17): base r15, an empty
 * list, an LDM writing back to a base it loads, and writeback in the
 * user-register forms. */
static void dec_ldm_v7(uint32_t i, struct arm_rec *r)
{
    dec_ldm(i, r);
    uint32_t list = r->imm & 0xffff;
    bool load = r->flags & RF_L, wb = r->flags & RF_W, user_regs = r->flags & RF_B;
    reject_if(r, r->rn == 15 || list == 0 || (load && wb && ((list >> r->rn) & 1)) ||
                 (user_regs && wb && !(load && (list & 0x8000))));
}

/* MCRR/MRRC (v7 A8.8.109/A8.8.110): only CP15 exists. rd = Rt, rn = Rt2,
 * rm = CRm, op = opc1, RF_L = MRRC. */
static void dec_mcrr(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_cp15_64;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 19, 16); r->rm = bits(i, 3, 0);
    r->op = bits(i, 7, 4); r->flags = bits(i, 20, 20) ? RF_L : 0;
    /* Another coprocessor; UNPREDICTABLE: r15, MRRC with Rt = Rt2. */
    reject_if(r, bits(i, 11, 8) != 15 || r->rd == 15 || r->rn == 15 ||
                 ((r->flags & RF_L) && r->rd == r->rn));
}

#define V4 ARM_V4T
#define V5 ARM_V5TE
#define V6 ARM_V6
#define V7 ARM_V7
static const struct arm_pattern arm_patterns[] = {
    /*  mask        value       arch decoder      encoding (ARM ARM section; v7: DDI 0406C) */
    { 0xfff10020, 0xf1000000, V6, dec_cps,     "CPS (v7 B9.3.2)" },
    { 0xfff100f0, 0xf1010000, V6, dec_setend,  "SETEND (v7 A8.8.156)" },
    { 0xfe500000, 0xf8400000, V6, dec_srs,     "SRS (v7 B9.3.16)" },
    { 0xfe500000, 0xf8100000, V6, dec_rfe,     "RFE (v7 B9.3.13)" },
    { 0xfff000f0, 0xf5700010, V6, dec_clrex,   "CLREX (v7 A8.8.32)" },
    { 0xfff000e0, 0xf5700040, V7, dec_nop,     "DSB/DMB (v7 A8.8.44/43)" },
    { 0xfff000f0, 0xf5700060, V7, dec_nop,     "ISB (v7 A8.8.54)" },
    { 0xff300000, 0xf5100000, V7, dec_nop,     "PLD/PLDW imm/literal (v7 A8.8.126/127)" },
    { 0xff300010, 0xf7100000, V7, dec_nop,     "PLD/PLDW reg (v7 A8.8.128)" },
    { 0xff700000, 0xf4500000, V7, dec_nop,     "PLI imm/literal (v7 A8.8.130)" },
    { 0xff700010, 0xf6500000, V7, dec_nop,     "PLI reg (v7 A8.8.131)" },
    { 0xff700000, 0xf4100000, V7, dec_nop,     "unallocated memory hint (v7 A5.7.1)" },
    { 0xff700010, 0xf6100000, V7, dec_nop,     "unallocated memory hint (v7 A5.7.1)" },
    { 0xfe000000, 0xfa000000, V5, dec_blx_imm, "BLX imm (A4.1.9)" },
    { 0xfd70f000, 0xf550f000, V5, dec_nop,     "PLD (A4.1.45, a hint)" },
    { 0xf0000000, 0xf0000000, V5, dec_und,     "unconditional space (A3.13)" },
    { 0x0fc000f0, 0x00000090, V6, dec_mul_v6,  "MUL/MLA (v7 A8.8.114/100)" },
    { 0x0fc000f0, 0x00000090, V4, dec_mul,     "MUL/MLA (A4.1.40/A4.1.34)" },
    { 0x0f8000f0, 0x00800090, V6, dec_mull_v6, "UMULL/UMLAL/SMULL/SMLAL (v7)" },
    { 0x0f8000f0, 0x00800090, V4, dec_mull,    "UMULL/UMLAL/SMULL/SMLAL" },
    { 0x0ff000f0, 0x00400090, V6, dec_umaal,   "UMAAL (v7 A8.8.255)" },
    { 0x0ff000f0, 0x00600090, V7, dec_mls,     "MLS (v7 A8.8.101)" },
    { 0x0f8000f0, 0x01800090, V6, dec_excl,    "LDREX/STREX{,B,H,D} (v7 A5.2.10)" },
    { 0x0f2000f0, 0x002000b0, V7, dec_ldrht,   "LDRHT/STRHT (v7 A8.8.83/A8.8.219)" },
    { 0x0f3000d0, 0x003000d0, V7, dec_ldrht,   "LDRSBT/LDRSHT (v7 A8.8.89/93)" },
    { 0x0f3000d0, 0x002000d0, V7, dec_und,     "LDRD/STRD P=0 W=1: UNPREDICTABLE" },
    { 0x0fb00ff0, 0x01000090, V6, dec_swp_v6,  "SWP/SWPB (v7 A8.8.229)" },
    { 0x0fb00ff0, 0x01000090, V4, dec_swp,     "SWP/SWPB (A4.1.108)" },
    { 0x0e1000b0, 0x001000b0, V7, dec_ldrh_v7, "LDRH/LDRSH (v7 A8.8.80-94)" },
    { 0x0e1000d0, 0x001000d0, V7, dec_ldrh_v7, "LDRSB (v7 A8.8.86-88)" },
    { 0x0e1000f0, 0x000000b0, V7, dec_ldrh_v7, "STRH (v7 A8.8.217/218)" },
    { 0x0e1000f0, 0x001000b0, V4, dec_ldrh,    "LDRH (A4.1.28)" },
    { 0x0e1000d0, 0x001000d0, V4, dec_ldrh,    "LDRSB/LDRSH (A4.1.29/30)" },
    { 0x0e1000f0, 0x000000b0, V4, dec_ldrh,    "STRH (A4.1.104)" },
    { 0x0e1000d0, 0x000000d0, V7, dec_ldrd_v7, "LDRD/STRD (v7 A8.8.72/A8.8.210)" },
    { 0x0e1000d0, 0x000000d0, V5, dec_ldrd,    "LDRD/STRD (A4.1.26/A4.1.102)" },
    { 0x0e000090, 0x00000090, V4, dec_und,     "other multiply/extra-load space" },
    { 0x0ff000f0, 0x01200010, V4, dec_bx,      "BX (A4.1.10)" },
    { 0x0ff000f0, 0x01200030, V6, dec_blx_reg_v6, "BLX reg (v7 A8.8.26)" },
    { 0x0ff000f0, 0x01200030, V5, dec_bx,      "BLX reg (A4.1.9)" },
    { 0x0ff000f0, 0x01200020, V6, dec_bxj,     "BXJ (v7 A8.8.34)" },
    { 0x0ff000f0, 0x01400070, V7, dec_hvc,     "HVC (v7 B9.3.4)" },
    { 0x0ff000f0, 0x01600070, V6, dec_smc,     "SMC (v7 B9.3.14)" },
    { 0x0f9002f0, 0x01000200, V7, dec_und,     "MRS/MSR banked: no Virtualization Ext." },
    { 0x0ff000f0, 0x01600010, V6, dec_clz_v6,  "CLZ (v7 A8.8.33)" },
    { 0x0ff000f0, 0x01600010, V5, dec_clz,     "CLZ (A4.1.13)" },
    { 0x0f9000f0, 0x01000050, V6, dec_qarith_v6, "QADD/QSUB/QDADD/QDSUB (v7)" },
    { 0x0f9000f0, 0x01000050, V5, dec_qarith,  "QADD/QSUB/QDADD/QDSUB" },
    { 0x0ff000f0, 0x01200070, V5, dec_bkpt,    "BKPT (A4.1.7)" },
    { 0x0f900090, 0x01000080, V6, dec_smulxy_v6, "SMLAxy/.../SMULxy (v7)" },
    { 0x0f900090, 0x01000080, V5, dec_smulxy,  "SMLAxy/SMLAWy/SMULWy/SMLALxy/SMULxy" },
    { 0x0fb000f0, 0x01000000, V6, dec_mrs_v6,  "MRS (v7 B9.3.9)" },
    { 0x0fb000f0, 0x01000000, V4, dec_mrs,     "MRS (A4.1.38)" },
    { 0x0fb000f0, 0x01200000, V4, dec_msr,     "MSR reg (A4.1.39)" },
    { 0x0fff0000, 0x03200000, V6, dec_hint,    "NOP/YIELD/WFE/WFI/SEV/DBG (v7 A5.2.11)" },
    { 0x0fb00000, 0x03200000, V4, dec_msr,     "MSR imm (A4.1.39)" },
    { 0x0fb00000, 0x03000000, V7, dec_movw_movt, "MOVW/MOVT (v7 A8.8.102/106)" },
    { 0x0f900000, 0x01000000, V4, dec_und,     "misc. space with S=0 (A3.16)" },
    { 0x0fb00000, 0x03000000, V4, dec_und,     "undefined imm space (A3.13)" },
    { 0x0e000090, 0x00000010, V6, dec_dp_regshift_v6, "data processing, register shift (v7)" },
    { 0x0c000000, 0x00000000, V4, dec_dp,      "data processing (A5.1)" },
    { 0x0f800010, 0x06000010, V6, dec_parallel, "parallel add/subtract (v7 A5.4.1/2)" },
    { 0x0ff00030, 0x06800010, V6, dec_pkh,     "PKHBT/PKHTB (v7 A8.8.125)" },
    { 0x0ff000f0, 0x068000b0, V6, dec_sel,     "SEL (v7 A8.8.150)" },
    { 0x0f8000f0, 0x06800070, V6, dec_extend,  "SXT*/UXT*, SXTA*/UXTA* (v7 A5.4.3)" },
    { 0x0fa00030, 0x06a00010, V6, dec_sat,     "SSAT/USAT (v7 A8.8.152/252)" },
    { 0x0fb000f0, 0x06a00030, V6, dec_sat16,   "SSAT16/USAT16 (v7 A8.8.153/253)" },
    { 0x0ff00070, 0x06b00030, V6, dec_rev,     "REV/REV16 (v7 A8.8.141/142)" },
    { 0x0ff000f0, 0x06f000b0, V6, dec_rev,     "REVSH (v7 A8.8.143)" },
    { 0x0ff000f0, 0x06f00030, V7, dec_rev,     "RBIT (v7 A8.8.139)" },
    { 0x0ff00090, 0x07000010, V6, dec_smlad,   "SMLAD/SMUAD/SMLSD/SMUSD (v7 A8.8.177/...)" },
    { 0x0fd000f0, 0x07100010, V7, dec_div,     "SDIV/UDIV (v7 A8.8.165/248)" },
    { 0x0ff00090, 0x07400010, V6, dec_smlald,  "SMLALD/SMLSLD (v7 A8.8.179/...)" },
    { 0x0ff000d0, 0x07500010, V6, dec_smmla,   "SMMLA/SMMUL (v7 A8.8.185/189)" },
    { 0x0ff000d0, 0x075000d0, V6, dec_smmla,   "SMMLS (v7 A8.8.187)" },
    { 0x0ff000f0, 0x07800010, V6, dec_usad8,   "USAD8/USADA8 (v7 A8.8.254/255)" },
    { 0x0fa00070, 0x07a00050, V7, dec_bfx,     "SBFX/UBFX (v7 A8.8.164/237)" },
    { 0x0fe00070, 0x07c00010, V7, dec_bfi,     "BFC/BFI (v7 A8.8.19/20)" },
    { 0x0e000010, 0x06000010, V4, dec_und,     "media/undefined, UDF (A3.13.1, v7 A8.8.247)" },
    { 0x0c000000, 0x04000000, V7, dec_ldr_v7,  "LDR/STR/LDRB/STRB (v7 A5.3)" },
    { 0x0c000000, 0x04000000, V4, dec_ldr,     "LDR/STR/LDRB/STRB (A5.2)" },
    { 0x0e000000, 0x08000000, V7, dec_ldm_v7,  "LDM/STM (v7 A8.8.57-60, A8.8.197-200)" },
    { 0x0e000000, 0x08000000, V4, dec_ldm,     "LDM/STM (A5.4)" },
    { 0x0e000000, 0x0a000000, V4, dec_b,       "B/BL (A4.1.5)" },
    { 0x0f000010, 0x0e000010, V4, dec_mcr,     "MCR/MRC (A4.1.32/A4.1.41)" },
    { 0x0fe00000, 0x0c400000, V7, dec_mcrr,    "MCRR/MRRC (v7 A8.8.109/110)" },
    { 0x0e000000, 0x0c000000, V4, dec_und,     "LDC/STC: no such coprocessor" },
    { 0x0f000010, 0x0e000000, V4, dec_und,     "CDP: no such coprocessor" },
    { 0x0f000000, 0x0f000000, V4, dec_swi,     "SWI (A4.1.107)" },
};

void arm_decode(enum arm_arch arch, uint32_t insn, struct arm_rec *out)
{
    memset(out, 0, sizeof *out);
    out->insn = insn;
    out->cond = (uint8_t)(insn >> 28);
    for (size_t k = 0; k < sizeof arm_patterns / sizeof arm_patterns[0]; k++) {
        const struct arm_pattern *p = &arm_patterns[k];
        if ((insn & p->mask) != p->value || arch < (enum arm_arch)p->min_arch)
            continue;
        p->decode(insn, out);
        if ((out->fn == arm_exec_cp15 && arch < ARM_V5TE) ||
            (out->fn == arm_exec_cp14 && arch < ARM_V7))
            out->fn = arm_exec_undefined;   /* CP14 is modelled from ARMv7 */
        if (arch >= ARM_V5TE && out->cond == 15)
            out->cond = 14;   /* v5: the unconditional space is always executed */
        out->cond |= 4u << 4;
        return;
    }
    out->fn = arm_exec_undefined;
    out->cond |= 4u << 4;
}
