/* Thumb-2 (T32) 32-bit encodings of ARMv7-A without VFP/Advanced SIMD,
 * ARM ARM v7-A/R (DDI 0406C) A6.3. The instruction is hw1 << 16 | hw2, so
 * the manual's hw1 bit n is bit n + 16 here. The top-level table mirrors
 * A6.3 (table A6-9); each group then decodes its own table (A6.3.1 to
 * A6.3.18) the same way: rows tried in order, first match wins.
 *
 * Encodings are mapped onto the A32 executors and the shared v6/v7 ones of
 * arm_exec_v6.h, with the records filled exactly as arm_decode.c fills
 * them; thumb2_exec.c holds the few whose semantics exist only in Thumb.
 *
 * UNPREDICTABLE policy: every register choice an instruction page calls
 * UNPREDICTABLE (r13/r15 as an operand, writeback to the transfer
 * register, an LDM/STM list that is too short or holds SP...) and the
 * UNPREDICTABLE encodings themselves (a B<c>, CBZ, CPS or IT inside an IT
 * block) decode to arm_exec_undefined: the guest gets the Undefined
 * Instruction exception, a behaviour the architecture permits. Two cases
 * are not detectable at decode time and run normally: an instruction that
 * must be the last of an IT block (B, BL, BLX, BX, LDR/LDM/POP to PC,
 * TBB/TBH, MOV/ADD to PC) but is not, and SUBS PC, LR in User/System mode
 * (arm_exec_dp sets the flags then). A modified immediate whose replicated
 * byte is zero (ThumbExpandImm, A6.3.2) is UNPREDICTABLE and UNDEFINED
 * here too. Should-be-one/zero bits ("(1)", "(0)") are ignored, except the
 * second copy of Rm in REV/REV16/RBIT/REVSH/CLZ, which must match. */
#include "isa-arm/arm_internal.h"
#include "isa-arm/thumb2_exec.h"

typedef void (*t32_decoder)(uint32_t insn, bool in_it, struct arm_rec *r);

struct t32_pattern {
    uint32_t mask, value;
    t32_decoder decode;
    const char *name;
};

static inline unsigned bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static void reject_if(struct arm_rec *r, bool unpredictable)
{
    if (unpredictable)
        r->fn = arm_exec_undefined;
}

static inline bool sp_or_pc(unsigned n) { return n == 13 || n == 15; }

static void run_table(const struct t32_pattern *t, size_t n, uint32_t i, bool in_it,
                      struct arm_rec *r)
{
    for (size_t k = 0; k < n; k++) {
        if ((i & t[k].mask) == t[k].value) {
            t[k].decode(i, in_it, r);
            return;
        }
    }
    r->fn = arm_exec_undefined;
}
#define RUN(table, i, in_it, r) run_table(table, sizeof table / sizeof table[0], i, in_it, r)

static void dec_und(uint32_t i, bool in_it, struct arm_rec *r) { r->fn = arm_exec_undefined; }

/* ---- data processing (A6.3.1, A6.3.11) ---------------------------------- */

/* ThumbExpandImm_C (A6.3.2): imm12 = i:imm3:imm8. Returns false for the
 * UNPREDICTABLE zero byte patterns. *rotated: the carry out is bit 31 of
 * the constant (otherwise it is the carry in). */
static bool thumb_expand_imm(unsigned imm12, uint32_t *value, bool *rotated)
{
    uint32_t b = imm12 & 0xff;
    *rotated = false;
    if ((imm12 >> 10) == 0) {
        switch ((imm12 >> 8) & 3) {
        case 0: *value = b; return true;
        case 1: *value = b << 16 | b; break;
        case 2: *value = b << 24 | b << 8; break;
        default: *value = b << 24 | b << 16 | b << 8 | b; break;
        }
        return b != 0;
    }
    uint32_t unrot = 0x80u | (imm12 & 0x7f);
    unsigned n = imm12 >> 7;
    *value = (unrot >> n) | (unrot << (32 - n));
    *rotated = true;
    return true;
}

/* T32 data-processing opcode (bits 24:21) to the A32 one arm_exec_dp
 * takes; -1 is unallocated, 16 is ORN (thumb2_exec_orn), 17 is PKH. */
enum { T32_ORN = 16, T32_PKH = 17 };
static const int8_t t32_dp_op[16] = {
    0x0, 0xe, 0xc, T32_ORN, 0x1, -1, T32_PKH, -1,
    0x4, -1, 0x5, 0x6, -1, 0x2, 0x3, -1,
};

/* The operation, with the Rd = 15 (test) and Rn = 15 (move) variants
 * resolved, and the register rules of the A8 pages. */
static void dp_common(uint32_t i, struct arm_rec *r, bool imm_form)
{
    unsigned t32op = bits(i, 24, 21), rn = bits(i, 19, 16), rd = bits(i, 11, 8), rm = bits(i, 3, 0);
    bool s = bits(i, 20, 20);
    int op = t32_dp_op[t32op];
    if (op < 0 || (imm_form && op == T32_PKH)) {
        r->fn = arm_exec_undefined;
        return;
    }
    r->rn = (uint8_t)rn; r->rd = (uint8_t)rd; r->rm = (uint8_t)rm;
    r->flags = s ? RF_S : 0;
    r->fn = arm_exec_dp;
    if (op == T32_PKH) {   /* PKHBT/PKHTB (A8.8.125): S must be 0, T = bit 5 */
        r->fn = arm_exec_pkh;
        r->op = bits(i, 5, 5);
        r->imm = bits(i, 14, 12) << 2 | bits(i, 7, 6);
        reject_if(r, s || bits(i, 4, 4) || sp_or_pc(rd) || sp_or_pc(rn) || sp_or_pc(rm));
        return;
    }
    bool test = rd == 15 && s && (op == 0x0 || op == 0x1 || op == 0x4 || op == 0x2);
    bool move = rn == 15 && (op == 0xc || op == T32_ORN);
    if (test) {
        static const uint8_t test_op[5] = { 0x8, 0x9, 0xa, 0, 0xb };   /* AND EOR SUB - ADD */
        op = test_op[op];
        r->rd = 0;   /* no destination: keeps arm_exec_dp's "Rd = 15 with S" path away */
    } else if (move) {
        op = op == 0xc ? 0xd : 0xf;
        r->rn = 0;
    }
    if (op == T32_ORN)
        r->fn = thumb2_exec_orn;
    r->op = (uint8_t)(op & 15);

    bool arith_sp = (op == 0x4 || op == 0x2 || op == 0xa || op == 0xb) && rn == 13;
    bool bad = false;
    if (test)
        bad = rn == 15 || ((op == 0x8 || op == 0x9) && rn == 13);
    else if (move)
        bad = rd == 15 || (rd == 13 && (imm_form || s));
    else
        bad = rd == 15 || rn == 15 || (rd == 13 && !arith_sp) ||
              (rn == 13 && !arith_sp);
    if (!imm_form) {
        /* MOV (register) without flags may use SP, but not SP to SP. */
        if (move && !s && op == 0xd)
            bad = rd == 15 || rm == 15 || (rd == 13 && rm == 13);
        else
            bad = bad || sp_or_pc(rm);
    }
    reject_if(r, bad);
}

/* Data processing (modified immediate), A6.3.1. */
static void dec_dp_modimm(uint32_t i, bool in_it, struct arm_rec *r)
{
    uint32_t value;
    bool rotated;
    unsigned imm12 = bits(i, 26, 26) << 11 | bits(i, 14, 12) << 8 | bits(i, 7, 0);
    dp_common(i, r, true);
    r->flags |= RF_IMM;
    r->imm = 0;
    r->rm = 0;
    if (!thumb_expand_imm(imm12, &value, &rotated)) {
        r->fn = arm_exec_undefined;
        return;
    }
    r->imm = value;
    r->shift = rotated ? (uint8_t)(imm12 >> 7) : 0;   /* non-zero: C = bit 31 */
}

/* Data processing (shifted register), A6.3.11: DecodeImmShift is the A32
 * one (LSR/ASR #0 mean 32, ROR #0 is RRX). */
static void dec_dp_shreg(uint32_t i, bool in_it, struct arm_rec *r)
{
    dp_common(i, r, false);
    if (r->fn == arm_exec_pkh)
        return;
    r->shift = bits(i, 5, 4);
    r->imm = bits(i, 14, 12) << 2 | bits(i, 7, 6);
    /* The immediate shifts (LSL/LSR/ASR/ROR/RRX #n, A8.8.94...) have no SP
     * exception, unlike MOV (register). */
    if (r->fn == arm_exec_dp && r->op == 0xd && (r->shift || r->imm) && (r->rd == 13 || r->rm == 13))
        r->fn = arm_exec_undefined;
    /* ADD/SUB SP, SP, Rm: only LSL #0-3 are predictable (A8.8.9). */
    if (r->rd == 13 && r->op != 0xd && (r->shift != 0 || r->imm > 3))
        r->fn = arm_exec_undefined;
}

/* ---- data processing (plain binary immediate), A6.3.3 ------------------- */

static unsigned imm12_plain(uint32_t i)
{
    return bits(i, 26, 26) << 11 | bits(i, 14, 12) << 8 | bits(i, 7, 0);
}

/* ADDW/SUBW (A8.8.4/A8.8.222 T4) and ADR (A8.8.12 T2/T3) for Rn = 15. */
static void dec_addw_subw(uint32_t i, bool in_it, struct arm_rec *r)
{
    bool sub = bits(i, 23, 23);
    unsigned rn = bits(i, 19, 16), rd = bits(i, 11, 8), imm = imm12_plain(i);
    r->rd = (uint8_t)rd;
    if (rn == 15) {
        r->fn = thumb_exec_adr;
        r->imm = sub ? (uint32_t)-imm : imm;
        reject_if(r, sp_or_pc(rd));
        return;
    }
    r->fn = arm_exec_dp;
    r->op = sub ? 0x2 : 0x4;
    r->rn = (uint8_t)rn;
    r->flags = RF_IMM;
    r->imm = imm;
    reject_if(r, rd == 15 || (rd == 13 && rn != 13));
}

static void dec_movw_movt(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_movw_movt;
    r->rd = bits(i, 11, 8); r->op = bits(i, 23, 23);
    r->imm = bits(i, 19, 16) << 12 | imm12_plain(i);
    reject_if(r, sp_or_pc(r->rd));
}

/* SSAT/USAT (A8.8.152/252), SSAT16/USAT16 when sh = 1 and the amount is 0. */
static void dec_sat(uint32_t i, bool in_it, struct arm_rec *r)
{
    bool u = bits(i, 23, 23), sh = bits(i, 21, 21);
    unsigned amount = bits(i, 14, 12) << 2 | bits(i, 7, 6);
    r->fn = arm_exec_sat;
    r->rd = bits(i, 11, 8); r->rn = bits(i, 19, 16);
    if (sh && amount == 0) {
        r->op = u ? SAT_USAT16 : SAT_SSAT16;
        r->rs = (uint8_t)(bits(i, 3, 0) + (u ? 0 : 1));
        reject_if(r, bits(i, 5, 4) != 0);
    } else {
        r->op = u ? SAT_USAT : SAT_SSAT;
        r->rs = (uint8_t)(bits(i, 4, 0) + (u ? 0 : 1));
        r->shift = sh ? 2 : 0;
        r->imm = amount;
    }
    reject_if(r, sp_or_pc(r->rd) || sp_or_pc(r->rn));
}

static void dec_bfx(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned lsb = bits(i, 14, 12) << 2 | bits(i, 7, 6), widthm1 = bits(i, 4, 0);
    r->fn = arm_exec_bitfield;
    r->op = bits(i, 23, 23) ? BF_UBFX : BF_SBFX;
    r->rd = bits(i, 11, 8); r->rn = bits(i, 19, 16);
    r->imm = lsb; r->shift = (uint8_t)(widthm1 + 1);
    reject_if(r, sp_or_pc(r->rd) || sp_or_pc(r->rn) || lsb + widthm1 > 31);
}

static void dec_bfi(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned lsb = bits(i, 14, 12) << 2 | bits(i, 7, 6), msb = bits(i, 4, 0);
    r->fn = arm_exec_bitfield;
    r->rd = bits(i, 11, 8); r->rn = bits(i, 19, 16);
    r->op = r->rn == 15 ? BF_BFC : BF_BFI;
    r->imm = lsb; r->shift = (uint8_t)(msb - lsb + 1);
    reject_if(r, sp_or_pc(r->rd) || r->rn == 13 || msb < lsb);
}

static const struct t32_pattern plain_imm_table[] = {
    /* mask        value       decoder          encoding (A6.3.3, op = bits 24:20) */
    { 0x01f00000, 0x00000000, dec_addw_subw, "ADDW / ADR (A8.8.4, A8.8.12 T3)" },
    { 0x01f00000, 0x00a00000, dec_addw_subw, "SUBW / ADR (A8.8.222, A8.8.12 T2)" },
    { 0x01f00000, 0x00400000, dec_movw_movt, "MOVW (A8.8.102 T3)" },
    { 0x01f00000, 0x00c00000, dec_movw_movt, "MOVT (A8.8.106)" },
    { 0x01d00000, 0x01000000, dec_sat,       "SSAT, SSAT16 (A8.8.152/153)" },
    { 0x01d00000, 0x01800000, dec_sat,       "USAT, USAT16 (A8.8.252/253)" },
    { 0x01f00000, 0x01400000, dec_bfx,       "SBFX (A8.8.164)" },
    { 0x01f00000, 0x01c00000, dec_bfx,       "UBFX (A8.8.237)" },
    { 0x01f00000, 0x01600000, dec_bfi,       "BFI, BFC (A8.8.20/19)" },
};

static void dec_plain_imm(uint32_t i, bool in_it, struct arm_rec *r)
{
    RUN(plain_imm_table, i, in_it, r);
}

/* ---- branches and miscellaneous control, A6.3.4 -------------------------- */

/* I1 = NOT(J1 EOR S), I2 = NOT(J2 EOR S) (A8.8.18 T4). */
static uint32_t branch_imm25(uint32_t i)
{
    unsigned s = bits(i, 26, 26), j1 = bits(i, 13, 13), j2 = bits(i, 11, 11);
    unsigned i1 = !(j1 ^ s), i2 = !(j2 ^ s);
    uint32_t v = s << 24 | i1 << 23 | i2 << 22 | bits(i, 25, 16) << 12 | bits(i, 10, 0) << 1;
    return (uint32_t)((int32_t)(v << 7) >> 7);
}

static void dec_b_t4(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_b; r->imm = branch_imm25(i);
}

static void dec_bl(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_b; r->op = 1; r->imm = branch_imm25(i);
}

static void dec_blx_imm(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = thumb2_exec_blx_imm; r->imm = branch_imm25(i) & ~3u;
    reject_if(r, bits(i, 0, 0));   /* H = 1: UNDEFINED (A8.8.25 T2) */
}

/* B<c> T3 (A8.8.18): S:J2:J1:imm6:imm11:'0'; UNPREDICTABLE in an IT block. */
static void dec_bcond(uint32_t i, bool in_it, struct arm_rec *r)
{
    uint32_t v = bits(i, 26, 26) << 20 | bits(i, 11, 11) << 19 | bits(i, 13, 13) << 18 |
                 bits(i, 21, 16) << 12 | bits(i, 10, 0) << 1;
    r->fn = arm_exec_b;
    r->cond = (uint8_t)bits(i, 25, 22);
    r->imm = (uint32_t)((int32_t)(v << 11) >> 11);
    reject_if(r, in_it);
}

/* MSR (register), B9.3.12 T1: R in bit 20, mask in 11:8. Banked forms
 * (bit 5) need the Virtualization Extensions: UNDEFINED. */
static void dec_msr(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_msr;
    r->op = bits(i, 20, 20); r->shift = bits(i, 11, 8); r->rm = bits(i, 19, 16);
    reject_if(r, bits(i, 5, 5) || r->shift == 0 || sp_or_pc(r->rm));
}

static void dec_mrs(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_mrs;
    r->op = bits(i, 20, 20); r->rd = bits(i, 11, 8);
    reject_if(r, bits(i, 5, 5) || sp_or_pc(r->rd));
}

/* CPS (B9.3.2 T2) when bits 10:8 are not 000, otherwise the hints (A6.3.4
 * table A6-12): NOP, YIELD, WFE, WFI, SEV; DBG and unallocated hints are NOPs. */
static void dec_cps_hint(uint32_t i, bool in_it, struct arm_rec *r)
{
    if (bits(i, 10, 8) == 0) {
        switch (bits(i, 7, 0)) {
        case 2: r->fn = arm_exec_wfe; break;
        case 3: r->fn = arm_exec_wfi; break;
        case 4: r->fn = arm_exec_sev; break;
        default: r->fn = arm_exec_nop; break;
        }
        return;
    }
    unsigned imod = bits(i, 10, 9), m = bits(i, 8, 8), aif = bits(i, 7, 5), mode = bits(i, 4, 0);
    r->fn = arm_exec_cps;
    r->op = (uint8_t)imod; r->shift = (uint8_t)aif; r->imm = mode;
    r->flags = m ? RF_W : 0;
    reject_if(r, (mode && !m) || ((imod & 2) && !aif) || (!(imod & 2) && aif) || imod == 1 ||
                 (m && !arm_mode_valid(mode)) || in_it);
}

/* Miscellaneous control (A6.3.4 table A6-13): CLREX, DSB, DMB, ISB. */
static void dec_misc_ctl(uint32_t i, bool in_it, struct arm_rec *r)
{
    switch (bits(i, 7, 4)) {
    case 2: r->fn = arm_exec_clrex; break;
    case 4: case 5: case 6: r->fn = arm_exec_nop; break;
    default: r->fn = arm_exec_undefined; break;
    }
}

/* BXJ (A8.8.34): the trivial Jazelle implementation makes it BX. */
static void dec_bxj(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_bx; r->rm = bits(i, 19, 16);
    reject_if(r, sp_or_pc(r->rm));
}

/* SUBS PC, LR, #imm8 (B9.3.19): SUB with S to r15, the exception return
 * path of arm_exec_dp. */
static void dec_subs_pc_lr(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_dp;
    r->op = 0x2; r->rd = 15; r->rn = 14;
    r->flags = RF_S | RF_IMM; r->imm = bits(i, 7, 0);
}

static void dec_smc(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_smc; r->imm = bits(i, 19, 16);
}

static void dec_hvc(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_hvc; r->imm = bits(i, 19, 16) << 12 | bits(i, 11, 0);
    reject_if(r, in_it);
}

static const struct t32_pattern branch_table[] = {
    /* mask        value       decoder          encoding (A6.3.4) */
    { 0xf800d000, 0xf000d000, dec_bl,         "BL (A8.8.25 T1)" },
    { 0xf800d000, 0xf000c000, dec_blx_imm,    "BLX imm (A8.8.25 T2)" },
    { 0xf800d000, 0xf0009000, dec_b_t4,       "B T4 (A8.8.18)" },
    { 0xffe0d000, 0xf3808000, dec_msr,        "MSR reg (B9.3.12)" },
    { 0xfff0d000, 0xf3a08000, dec_cps_hint,   "CPS, hints (B9.3.2, A6.3.4)" },
    { 0xfff0d000, 0xf3b08000, dec_misc_ctl,   "CLREX/DSB/DMB/ISB" },
    { 0xfff0d000, 0xf3c08000, dec_bxj,        "BXJ (A8.8.34)" },
    { 0xfff0d000, 0xf3d08000, dec_subs_pc_lr, "SUBS PC, LR (B9.3.19)" },
    { 0xffe0d000, 0xf3e08000, dec_mrs,        "MRS (B9.3.9)" },
    { 0xfff0f000, 0xf7e08000, dec_hvc,        "HVC (B9.3.4)" },
    { 0xfff0f000, 0xf7f08000, dec_smc,        "SMC (B9.3.14)" },
    { 0xfff0f000, 0xf7f0a000, dec_und,        "UDF (A8.8.247 T2)" },
    { 0xfb80d000, 0xf3808000, dec_und,        "op x111xxx: unallocated" },
    { 0xf800d000, 0xf0008000, dec_bcond,      "B<c> T3 (A8.8.18)" },
};

static void dec_branch(uint32_t i, bool in_it, struct arm_rec *r)
{
    RUN(branch_table, i, in_it, r);
}

/* ---- load/store multiple, A6.3.5 ---------------------------------------- */

static void dec_srs_rfe(uint32_t i, bool in_it, struct arm_rec *r)
{
    bool ia = bits(i, 24, 23) == 3;
    r->flags = (uint8_t)((ia ? RF_U : RF_P) | (bits(i, 21, 21) ? RF_W : 0));
    if (bits(i, 20, 20)) {
        r->fn = arm_exec_rfe;
        r->rn = bits(i, 19, 16);
        reject_if(r, r->rn == 15);
    } else {
        r->fn = arm_exec_srs;
        r->rn = 13; r->imm = bits(i, 4, 0);
        reject_if(r, !arm_mode_valid(r->imm));
    }
}

/* LDM/STM IA (op 01) and DB (op 10), PUSH/POP (A8.8.57-60, A8.8.197-200). */
static void dec_ldm_stm(uint32_t i, bool in_it, struct arm_rec *r)
{
    uint32_t list = bits(i, 15, 0);
    bool load = bits(i, 20, 20), wb = bits(i, 21, 21);
    r->fn = arm_exec_ldm_stm;
    r->rn = bits(i, 19, 16); r->imm = list;
    r->flags = (uint8_t)((bits(i, 23, 23) ? RF_U : RF_P) | (wb ? RF_W : 0) | (load ? RF_L : 0));
    bool bad = r->rn == 15 || __builtin_popcount(list) < 2 || (list & 0x2000) ||
               (wb && ((list >> r->rn) & 1));
    if (load)
        bad = bad || (list & 0xc000) == 0xc000;
    else
        bad = bad || (list & 0x8000);
    reject_if(r, bad);
}

static const struct t32_pattern ldm_table[] = {
    { 0x01800000, 0x00000000, dec_srs_rfe,  "SRS DB / RFE DB (B9.3.16/13)" },
    { 0x01800000, 0x01800000, dec_srs_rfe,  "SRS IA / RFE IA" },
    { 0x00000000, 0x00000000, dec_ldm_stm,  "LDM/STM/PUSH/POP" },
};

static void dec_ldm(uint32_t i, bool in_it, struct arm_rec *r)
{
    RUN(ldm_table, i, in_it, r);
}

/* ---- load/store dual, exclusive, table branch, A6.3.6 -------------------- */

/* LDRD/STRD (immediate, literal), A8.8.72/74, A8.8.210: P, U, W in bits
 * 24, 23, 21; Rt 15:12, Rt2 11:8, imm8 * 4. */
static void dec_ldrd_strd(uint32_t i, bool in_it, struct arm_rec *r)
{
    bool load = bits(i, 20, 20), wb = bits(i, 21, 21);
    r->fn = arm_exec_ldrh_strh;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rs = bits(i, 11, 8);
    r->op = load ? 4 : 5;
    r->imm = bits(i, 7, 0) * 4;
    r->flags = (uint8_t)(RF_IMM | (bits(i, 24, 24) ? RF_P : 0) | (bits(i, 23, 23) ? RF_U : 0) |
                         (wb ? RF_W : 0) | (load ? RF_L : 0));
    bool bad = sp_or_pc(r->rd) || sp_or_pc(r->rs) || (wb && (r->rn == r->rd || r->rn == r->rs));
    if (load) {
        bad = bad || r->rd == r->rs;
        if (r->rn == 15) {
            r->fn = thumb2_exec_ldrh_lit;
            bad = bad || wb || !bits(i, 24, 24);
        }
    } else {
        bad = bad || r->rn == 15;
    }
    reject_if(r, bad);
}

/* LDREX/STREX word (A8.8.75, A8.8.212): offset imm8 * 4. */
static void dec_ldrex_strex(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->imm = bits(i, 7, 0) * 4;
    r->op = 4;
    if (bits(i, 20, 20)) {
        r->fn = arm_exec_ldrex;
        reject_if(r, sp_or_pc(r->rd) || r->rn == 15);
    } else {
        r->fn = arm_exec_strex;
        r->rm = bits(i, 11, 8);
        reject_if(r, sp_or_pc(r->rd) || r->rn == 15 || sp_or_pc(r->rm) ||
                     r->rm == r->rn || r->rm == r->rd);
    }
}

/* LDREXB/H/D, STREXB/H/D (op3 = bits 7:4: 0100 B, 0101 H, 0111 D). */
static void dec_excl_bhd(uint32_t i, bool in_it, struct arm_rec *r)
{
    static const uint8_t sizes[4] = { 1, 2, 0, 8 };
    bool load = bits(i, 20, 20);
    unsigned size = sizes[bits(i, 5, 4)];
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12);
    r->op = (uint8_t)size;
    r->rs = size == 8 ? (uint8_t)bits(i, 11, 8) : 0;
    bool bad = size == 0 || r->rn == 15 || sp_or_pc(r->rd) || (size == 8 && sp_or_pc(r->rs));
    if (load) {
        r->fn = arm_exec_ldrex;
        bad = bad || (size == 8 && r->rd == r->rs);
    } else {
        r->fn = arm_exec_strex;
        r->rm = bits(i, 3, 0);
        bad = bad || sp_or_pc(r->rm) || r->rm == r->rn || r->rm == r->rd ||
              (size == 8 && r->rm == r->rs);
    }
    reject_if(r, bad);
}

static void dec_tbb(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = thumb2_exec_tbb;
    r->rn = bits(i, 19, 16); r->rm = bits(i, 3, 0); r->op = bits(i, 4, 4);
    reject_if(r, r->rn == 13 || sp_or_pc(r->rm));
}

static const struct t32_pattern dual_table[] = {
    /* mask        value       decoder            encoding (A6.3.6: op1 24:23, op2 21:20, op3 7:4) */
    { 0x01200000, 0x00200000, dec_ldrd_strd,   "LDRD/STRD post-indexed" },
    { 0x01000000, 0x01000000, dec_ldrd_strd,   "LDRD/STRD offset, pre-indexed, literal" },
    { 0x01b00000, 0x00000000, dec_ldrex_strex, "STREX (A8.8.212)" },
    { 0x01b00000, 0x00100000, dec_ldrex_strex, "LDREX (A8.8.75)" },
    { 0x01b000e0, 0x00900000, dec_tbb,         "TBB/TBH (A8.8.238)" },
    { 0x01a000c0, 0x00800040, dec_excl_bhd,    "LDREX/STREX B/H/D" },
};

static void dec_dual(uint32_t i, bool in_it, struct arm_rec *r)
{
    RUN(dual_table, i, in_it, r);
}

/* ---- load/store single, A6.3.7-A6.3.10 ----------------------------------- */

/* size = bits 22:21 (0 byte, 1 halfword, 2 word), sign = bit 24, L = bit 20.
 * Forms: Rn = 15 literal (loads); bit 23 imm12; bits 11:8 1PUW imm8 (1110:
 * the unprivileged T form); bits 11:6 000000 register, LSL #imm2. */
static void dec_ldst_single(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned size = bits(i, 22, 21), rn = bits(i, 19, 16), rt = bits(i, 15, 12);
    bool load = bits(i, 20, 20), sign = bits(i, 24, 24);
    bool hint = load && rt == 15 && size < 2;   /* PLD/PLDW/PLI, unallocated hints */
    bool wb = false, reg = false;
    r->rn = (uint8_t)rn; r->rd = (uint8_t)rt;
    r->flags = load ? RF_L : 0;
    if (size == 3 || (sign && (!load || size == 2))) {
        r->fn = arm_exec_undefined;
        return;
    }
    if (rn == 15) {
        if (!load) {
            r->fn = arm_exec_undefined;
            return;
        }
        r->flags |= RF_IMM | RF_P | (bits(i, 23, 23) ? RF_U : 0);
        r->imm = bits(i, 11, 0);
    } else if (bits(i, 23, 23)) {
        r->flags |= RF_IMM | RF_P | RF_U;
        r->imm = bits(i, 11, 0);
    } else if (bits(i, 11, 11)) {
        unsigned puw = bits(i, 10, 8);
        if ((puw & 5) == 0) {   /* P = 0, W = 0 */
            r->fn = arm_exec_undefined;
            return;
        }
        r->flags |= RF_IMM | ((puw & 4) ? RF_P : 0) | ((puw & 2) ? RF_U : 0) | ((puw & 1) ? RF_W : 0);
        r->imm = bits(i, 7, 0);
        if (puw == 6)
            r->flags |= RF_T;
        wb = (puw & 1) != 0;
        if (hint && puw != 4) {   /* only the negative offset form is a hint */
            r->fn = arm_exec_undefined;
            return;
        }
    } else if (bits(i, 11, 6) == 0) {
        reg = true;
        r->flags |= RF_P | RF_U;
        r->rm = bits(i, 3, 0);
        r->rs = bits(i, 5, 4);   /* LSL amount */
    } else {
        r->fn = arm_exec_undefined;
        return;
    }
    if (hint) {
        r->fn = arm_exec_nop;
        reject_if(r, reg && sp_or_pc(r->rm));
        return;
    }
    bool bad = (wb && rn == rt) || (reg && sp_or_pc(r->rm)) || ((r->flags & RF_T) && rt == 15);
    if (size == 2) {
        r->fn = arm_exec_ldr_str;
        if (rn == 15)
            r->op = 2;   /* base Align(PC, 4) */
        bad = bad || (!load && rt == 15);
    } else {
        bad = bad || rt == 13 || (!load && rt == 15);
        if (size == 0 && !sign) {
            r->fn = arm_exec_ldr_str;
            r->flags |= RF_B;
            if (rn == 15)
                r->op = 2;
        } else {
            r->fn = arm_exec_ldrh_strh;
            r->op = (uint8_t)(!load ? 0 : size == 1 ? (sign ? 3 : 1) : 2);
            if (rn == 15)
                r->fn = thumb2_exec_ldrh_lit;
            else if (reg && r->rs)
                r->fn = thumb2_exec_ldrh_lsl;
        }
    }
    /* arm_exec_ldr_str: rs = the shift amount, shift = LSL. */
    reject_if(r, bad);
}

/* ---- data processing (register), A6.3.12-A6.3.15 ------------------------- */

/* LSL/LSR/ASR/ROR (register), A8.8.95 etc.: MOV{S} Rd, Rn, <type> Rm. */
static void dec_shift_reg(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_dp;
    r->op = 0xd; r->rd = bits(i, 11, 8); r->rm = bits(i, 19, 16); r->rs = bits(i, 3, 0);
    r->shift = bits(i, 22, 21);
    r->flags = RF_REGSH | (bits(i, 20, 20) ? RF_S : 0);
    reject_if(r, sp_or_pc(r->rd) || sp_or_pc(r->rm) || sp_or_pc(r->rs));
}

/* SXTAH/SXTH, UXTAH/UXTH, SXTAB16/SXTB16, UXTAB16/UXTB16, SXTAB/SXTB,
 * UXTAB/UXTB (A6.3.12 op1 0000-0101): Rn = 15 is the plain form. */
static void dec_extend(uint32_t i, bool in_it, struct arm_rec *r)
{
    static const int8_t ops[8] = {
        EXT_SXTH, EXT_UXTH, EXT_SXTB16, EXT_UXTB16, EXT_SXTB, EXT_UXTB, -1, -1,
    };
    int op = ops[bits(i, 22, 20)];
    r->rn = bits(i, 19, 16); r->rd = bits(i, 11, 8); r->rm = bits(i, 3, 0);
    r->shift = (uint8_t)(bits(i, 5, 4) * 8);
    if (op < 0 || bits(i, 6, 6)) {
        r->fn = arm_exec_undefined;
        return;
    }
    r->fn = arm_exec_extend;
    r->op = (uint8_t)op;
    reject_if(r, sp_or_pc(r->rd) || sp_or_pc(r->rm) || r->rn == 13);
}

/* Parallel addition and subtraction (A6.3.13/14): op1 = bits 22:20, bit 6
 * unsigned, bits 5:4 the prefix (00 S/U, 01 Q/UQ, 10 SH/UH). */
static void dec_parallel(uint32_t i, bool in_it, struct arm_rec *r)
{
    static const int8_t ops[8] = {
        PAR_ADD8, PAR_ADD16, PAR_ASX, -1, PAR_SUB8, PAR_SUB16, PAR_SAX, -1,
    };
    int op = ops[bits(i, 22, 20)];
    unsigned prefix = bits(i, 5, 4);
    r->rn = bits(i, 19, 16); r->rd = bits(i, 11, 8); r->rm = bits(i, 3, 0);
    if (op < 0 || prefix == 3) {
        r->fn = arm_exec_undefined;
        return;
    }
    r->fn = arm_exec_parallel;
    r->op = (uint8_t)(((bits(i, 6, 6) ? PAR_U : PAR_S) + prefix) * 8 + (unsigned)op);
    reject_if(r, sp_or_pc(r->rd) || sp_or_pc(r->rn) || sp_or_pc(r->rm));
}

/* Miscellaneous operations (A6.3.15): op1 = bits 21:20, op2 = bits 5:4.
 * REV/REV16/RBIT/REVSH/CLZ encode Rm twice (bits 19:16 and 3:0). */
static void dec_misc(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned op1 = bits(i, 21, 20), op2 = bits(i, 5, 4);
    unsigned rn = bits(i, 19, 16), rd = bits(i, 11, 8), rm = bits(i, 3, 0);
    r->rd = (uint8_t)rd; r->rm = (uint8_t)rm;
    bool bad = sp_or_pc(rd) || sp_or_pc(rm);
    switch (op1) {
    case 0: {   /* QADD, QDADD, QSUB, QDSUB: arm_exec_qarith op = double:sub */
        static const uint8_t qop[4] = { 0, 2, 1, 3 };
        r->fn = arm_exec_qarith;
        r->rn = (uint8_t)rn; r->op = qop[op2];
        bad = bad || sp_or_pc(rn);
        break;
    }
    case 1: {
        static const uint8_t rop[4] = { REV_REV, REV_REV16, REV_RBIT, REV_REVSH };
        r->fn = arm_exec_rev;
        r->op = rop[op2];
        bad = bad || rn != rm;
        break;
    }
    case 2:
        r->fn = arm_exec_sel;
        r->rn = (uint8_t)rn;
        bad = bad || op2 != 0 || sp_or_pc(rn);
        break;
    default:
        r->fn = arm_exec_clz;
        bad = bad || op2 != 0 || rn != rm;
        break;
    }
    reject_if(r, bad);
}

static const struct t32_pattern dp_reg_table[] = {
    /* mask        value       decoder         encoding (A6.3.12: op1 23:20, op2 7:4) */
    { 0x0080f0f0, 0x0000f000, dec_shift_reg, "LSL/LSR/ASR/ROR (register)" },
    { 0x0080f080, 0x0000f080, dec_extend,    "SXTA*/UXTA*, SXT*/UXT*" },
    { 0x0080f0c0, 0x0080f000, dec_parallel,  "parallel add/sub, signed (A6.3.13)" },
    { 0x0080f0c0, 0x0080f040, dec_parallel,  "parallel add/sub, unsigned (A6.3.14)" },
    { 0x00c0f0c0, 0x0080f080, dec_misc,      "miscellaneous (A6.3.15)" },
};

static void dec_dp_reg(uint32_t i, bool in_it, struct arm_rec *r)
{
    RUN(dp_reg_table, i, in_it, r);
}

/* ---- multiplies, A6.3.16/A6.3.17 ----------------------------------------- */

/* Multiply, multiply accumulate, absolute difference (A6.3.16): Rn 19:16,
 * Ra 15:12 (15: the non-accumulating form), Rd 11:8, Rm 3:0; op1 = bits
 * 22:20, op2 = bits 5:4. */
static void dec_mul(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned op1 = bits(i, 22, 20), op2 = bits(i, 5, 4);
    unsigned rn = bits(i, 19, 16), ra = bits(i, 15, 12), rd = bits(i, 11, 8), rm = bits(i, 3, 0);
    bool bad = sp_or_pc(rd) || sp_or_pc(rn) || sp_or_pc(rm) || ra == 13 || bits(i, 7, 6);
    r->rd = (uint8_t)rd;
    switch (op1) {
    case 0:   /* MUL, MLA, MLS (A8.8.114/100/101) */
        r->fn = arm_exec_mul;
        r->rm = (uint8_t)rn; r->rs = (uint8_t)rm; r->rn = (uint8_t)ra;
        r->op = op2 == 1 ? 2 : ra != 15;
        bad = bad || op2 > 1 || (op2 == 1 && ra == 15);
        break;
    case 1:   /* SMLA<x><y>, SMUL<x><y> (A8.8.176/A8.8.196) */
        r->fn = arm_exec_smulxy;
        r->rm = (uint8_t)rn; r->rs = (uint8_t)rm; r->rn = (uint8_t)ra;
        r->op = ra == 15 ? 3 : 0;
        r->shift = (uint8_t)(bits(i, 5, 5) | bits(i, 4, 4) << 1);
        break;
    case 3:   /* SMLAW<y>, SMULW<y> (A8.8.181/A8.8.199): shift bit 0 = no accumulate */
        r->fn = arm_exec_smulxy;
        r->rm = (uint8_t)rn; r->rs = (uint8_t)rm; r->rn = (uint8_t)ra;
        r->op = 1;
        r->shift = (uint8_t)((ra == 15) | bits(i, 4, 4) << 1);
        bad = bad || bits(i, 5, 5);
        break;
    case 2: case 4: case 5: case 6:   /* SMLAD/SMUAD, SMLSD/SMUSD, SMMLA/SMMUL, SMMLS */
        r->fn = arm_exec_dsp_mul;
        r->rm = (uint8_t)rn; r->rs = (uint8_t)rm; r->rn = (uint8_t)ra;
        r->shift = bits(i, 4, 4);
        r->op = op1 == 2 ? DSPM_SMLAD : op1 == 4 ? DSPM_SMLSD : op1 == 5 ? DSPM_SMMLA : DSPM_SMMLS;
        bad = bad || bits(i, 5, 5) || (op1 == 6 && ra == 15);
        break;
    default:  /* USADA8, USAD8 (A8.8.254/255) */
        r->fn = arm_exec_usad8;
        r->rn = (uint8_t)rn; r->rm = (uint8_t)rm; r->rs = (uint8_t)ra;
        bad = bad || op2 != 0;
        break;
    }
    reject_if(r, bad);
}

/* Long multiply, long multiply accumulate, divide (A6.3.17): Rn 19:16,
 * RdLo 15:12, RdHi 11:8, Rm 3:0; op1 = bits 22:20, op2 = bits 7:4. */
static void dec_mull(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned op1 = bits(i, 22, 20), op2 = bits(i, 7, 4);
    unsigned rn = bits(i, 19, 16), lo = bits(i, 15, 12), hi = bits(i, 11, 8), rm = bits(i, 3, 0);
    bool bad = sp_or_pc(rn) || sp_or_pc(rm);
    static const int8_t mull_op[8] = { 2, -1, 0, -1, 3, -1, 1, -1 };   /* arm_exec_mull op */
    if ((op1 == 1 || op1 == 3) && op2 == 0xf) {   /* SDIV, UDIV (A8.8.165/248) */
        r->fn = arm_exec_div;
        r->rd = (uint8_t)hi; r->rn = (uint8_t)rn; r->rm = (uint8_t)rm; r->op = op1 == 3;
        reject_if(r, bad || sp_or_pc(hi) || lo != 15);
        return;
    }
    bad = bad || sp_or_pc(lo) || sp_or_pc(hi) || lo == hi;
    r->rm = (uint8_t)rn; r->rs = (uint8_t)rm;
    if (op2 == 0 && mull_op[op1] >= 0) {   /* SMULL, UMULL, SMLAL, UMLAL */
        r->fn = arm_exec_mull;
        r->rd = (uint8_t)lo; r->rn = (uint8_t)hi; r->op = (uint8_t)mull_op[op1];
    } else if (op1 == 6 && op2 == 6) {     /* UMAAL (A8.8.255) */
        r->fn = arm_exec_mull;
        r->rd = (uint8_t)lo; r->rn = (uint8_t)hi; r->op = 4;
    } else if (op1 == 4 && (op2 & 0xc) == 8) {   /* SMLAL<x><y> (A8.8.178) */
        r->fn = arm_exec_smulxy;
        r->rd = (uint8_t)hi; r->rn = (uint8_t)lo; r->op = 2;
        r->shift = (uint8_t)(bits(i, 5, 5) | bits(i, 4, 4) << 1);
    } else if ((op1 == 4 || op1 == 5) && (op2 & 0xe) == 0xc) {   /* SMLALD, SMLSLD */
        r->fn = arm_exec_dsp_mul;
        r->rd = (uint8_t)hi; r->rn = (uint8_t)lo; r->shift = bits(i, 4, 4);
        r->op = op1 == 4 ? DSPM_SMLALD : DSPM_SMLSLD;
    } else {
        r->fn = arm_exec_undefined;
        return;
    }
    reject_if(r, bad);
}

/* ---- coprocessor, A6.3.18 ------------------------------------------------ */

/* MCR/MRC p15 and p14 (B9.3.x, same fields as the A32 encoding); MCRR/MRRC p15.
 * cp10/cp11 (VFP, Advanced SIMD) and every other coprocessor: UNDEFINED. */
static void dec_mcr(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned cp = bits(i, 11, 8);
    r->fn = cp == 14 ? arm_exec_cp14 : arm_exec_cp15;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 19, 16); r->rm = bits(i, 3, 0);
    r->op = bits(i, 23, 21); r->shift = bits(i, 7, 5); r->flags = bits(i, 20, 20) ? RF_L : 0;
    reject_if(r, (cp != 15 && cp != 14) || r->rd == 13 || (!(r->flags & RF_L) && r->rd == 15));
}

static void dec_mcrr(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_cp15_64;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 19, 16); r->rm = bits(i, 3, 0);
    r->op = bits(i, 7, 4); r->flags = bits(i, 20, 20) ? RF_L : 0;
    reject_if(r, bits(i, 11, 8) != 15 || sp_or_pc(r->rd) || sp_or_pc(r->rn) ||
                 ((r->flags & RF_L) && r->rd == r->rn));
}

/* ---- the top level, A6.3 table A6-9 -------------------------------------- */

static const struct t32_pattern t32_table[] = {
    /* mask        value       decoder          encoding group (A6.3) */
    { 0xfe400000, 0xe8000000, dec_ldm,         "load/store multiple (A6.3.5)" },
    { 0xfe400000, 0xe8400000, dec_dual,        "load/store dual, exclusive, TBB (A6.3.6)" },
    { 0xfe000000, 0xea000000, dec_dp_shreg,    "data processing, shifted reg (A6.3.11)" },
    { 0xff000010, 0xee000010, dec_mcr,         "MCR/MRC (A8.8.107/A8.8.116)" },
    { 0xffe00000, 0xec400000, dec_mcrr,        "MCRR/MRRC (A8.8.109/A8.8.117)" },
    { 0xec000000, 0xec000000, dec_und,         "other coprocessor, VFP, Advanced SIMD" },
    { 0xfa008000, 0xf0000000, dec_dp_modimm,   "data processing, modified imm (A6.3.1)" },
    { 0xfa008000, 0xf2000000, dec_plain_imm,   "data processing, plain imm (A6.3.3)" },
    { 0xf8008000, 0xf0008000, dec_branch,      "branches, misc control (A6.3.4)" },
    { 0xff100000, 0xf8000000, dec_ldst_single, "store single (A6.3.10)" },
    { 0xfe700000, 0xf8100000, dec_ldst_single, "load byte, hints (A6.3.9)" },
    { 0xfe700000, 0xf8300000, dec_ldst_single, "load halfword, hints (A6.3.8)" },
    { 0xfe700000, 0xf8500000, dec_ldst_single, "load word (A6.3.7)" },
    { 0xff000000, 0xfa000000, dec_dp_reg,      "data processing, register (A6.3.12)" },
    { 0xff800000, 0xfb000000, dec_mul,         "multiply, absolute difference (A6.3.16)" },
    { 0xff800000, 0xfb800000, dec_mull,        "long multiply, divide (A6.3.17)" },
};

void thumb2_decode(enum arm_arch arch, uint32_t insn, bool in_it, struct arm_rec *out)
{
    memset(out, 0, sizeof *out);
    out->insn = insn;
    out->cond = 14;
    if (arch < ARM_V7) {
        out->fn = arm_exec_undefined;
        return;
    }
    RUN(t32_table, insn, in_it, out);
}
