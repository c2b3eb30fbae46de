/* ARM (A32) decoder for ARMv4T and ARMv5TE. The pattern table mirrors the
 * encoding diagrams of ARM ARM A3.1 (figure A3-1) and A4; rows are tried in
 * order and the first match wins, so the more specific encodings that live
 * inside the data-processing and load/store spaces (multiplies, SWP, extra
 * loads/stores, MRS/MSR, BX, the v5E DSP group) come first. */
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
    /* A4.1.26: an odd Rd is UNDEFINED; r14 makes the pair run into r15. */
    if ((r->rd & 1) || r->rd == 14)
        r->fn = arm_exec_undefined;
}

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

/* LDR/STR/LDRB/STRB (A5.2); op 1 marks the T (user) forms. */
static void dec_ldr(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldr_str;
    r->rn = bits(i, 19, 16); r->rd = bits(i, 15, 12); r->rm = bits(i, 3, 0);
    r->flags = pu_w_flags(i) | (bits(i, 22, 22) ? RF_B : 0);
    r->op = (!bits(i, 24, 24) && bits(i, 21, 21)) ? 1 : 0;
    if (!bits(i, 25, 25)) {
        r->flags |= RF_IMM;
        r->imm = bits(i, 11, 0);
    } else {
        r->rs = bits(i, 11, 7);
        r->shift = bits(i, 6, 5);
    }
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
    if (bits(i, 11, 8) != 15) {
        r->fn = arm_exec_undefined;
        return;
    }
    r->fn = arm_exec_cp15;
    r->rd = bits(i, 15, 12); r->rn = bits(i, 19, 16); r->rm = bits(i, 3, 0);
    r->op = bits(i, 23, 21); r->shift = bits(i, 7, 5); r->flags = bits(i, 20, 20) ? RF_L : 0;
}

#define V4 ARM_V4T
#define V5 ARM_V5TE
static const struct arm_pattern arm_patterns[] = {
    /*  mask        value       arch decoder      encoding (ARM ARM section) */
    { 0xfe000000, 0xfa000000, V5, dec_blx_imm, "BLX imm (A4.1.9)" },
    { 0xfd70f000, 0xf550f000, V5, dec_nop,     "PLD (A4.1.45, a hint)" },
    { 0xf0000000, 0xf0000000, V5, dec_und,     "unconditional space (A3.13)" },
    { 0x0fc000f0, 0x00000090, V4, dec_mul,     "MUL/MLA (A4.1.40/A4.1.34)" },
    { 0x0f8000f0, 0x00800090, V4, dec_mull,    "UMULL/UMLAL/SMULL/SMLAL" },
    { 0x0fb00ff0, 0x01000090, V4, dec_swp,     "SWP/SWPB (A4.1.108)" },
    { 0x0e1000f0, 0x001000b0, V4, dec_ldrh,    "LDRH (A4.1.28)" },
    { 0x0e1000d0, 0x001000d0, V4, dec_ldrh,    "LDRSB/LDRSH (A4.1.29/30)" },
    { 0x0e1000f0, 0x000000b0, V4, dec_ldrh,    "STRH (A4.1.104)" },
    { 0x0e1000d0, 0x000000d0, V5, dec_ldrd,    "LDRD/STRD (A4.1.26/A4.1.102)" },
    { 0x0e000090, 0x00000090, V4, dec_und,     "other multiply/extra-load space" },
    { 0x0ff000f0, 0x01200010, V4, dec_bx,      "BX (A4.1.10)" },
    { 0x0ff000f0, 0x01200030, V5, dec_bx,      "BLX reg (A4.1.9)" },
    { 0x0ff000f0, 0x01600010, V5, dec_clz,     "CLZ (A4.1.13)" },
    { 0x0f9000f0, 0x01000050, V5, dec_qarith,  "QADD/QSUB/QDADD/QDSUB" },
    { 0x0ff000f0, 0x01200070, V5, dec_bkpt,    "BKPT (A4.1.7)" },
    { 0x0f900090, 0x01000080, V5, dec_smulxy,  "SMLAxy/SMLAWy/SMULWy/SMLALxy/SMULxy" },
    { 0x0fb000f0, 0x01000000, V4, dec_mrs,     "MRS (A4.1.38)" },
    { 0x0fb000f0, 0x01200000, V4, dec_msr,     "MSR reg (A4.1.39)" },
    { 0x0fb00000, 0x03200000, V4, dec_msr,     "MSR imm (A4.1.39)" },
    { 0x0f900000, 0x01000000, V4, dec_und,     "misc. space with S=0 (A3.16)" },
    { 0x0fb00000, 0x03000000, V4, dec_und,     "undefined imm space (A3.13)" },
    { 0x0c000000, 0x00000000, V4, dec_dp,      "data processing (A5.1)" },
    { 0x0e000010, 0x06000010, V4, dec_und,     "media/undefined (A3.13.1)" },
    { 0x0c000000, 0x04000000, V4, dec_ldr,     "LDR/STR/LDRB/STRB (A5.2)" },
    { 0x0e000000, 0x08000000, V4, dec_ldm,     "LDM/STM (A5.4)" },
    { 0x0e000000, 0x0a000000, V4, dec_b,       "B/BL (A4.1.5)" },
    { 0x0f000010, 0x0e000010, V4, dec_mcr,     "MCR/MRC (A4.1.32/A4.1.41)" },
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
        if (out->fn == arm_exec_cp15 && arch < ARM_V5TE)
            out->fn = arm_exec_undefined;
        if (arch >= ARM_V5TE && out->cond == 15)
            out->cond = 14;   /* v5: the unconditional space is always executed */
        out->cond |= 4u << 4;
        return;
    }
    out->fn = arm_exec_undefined;
    out->cond |= 4u << 4;
}
