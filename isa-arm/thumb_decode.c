/* Thumb (T16) decoder for ARMv4T and ARMv5TE (ARM ARM chapter A6/A7).
 * Thumb instructions are mapped onto the ARM executors wherever the
 * semantics match (a Thumb ADD is the ARM ADDS with the same operands);
 * only PC-relative address generation and the two-halfword BL/BLX have
 * executors of their own. The table is tried in order, first match wins. */
#include "isa-arm/arm_internal.h"
#include "isa-arm/thumb2_exec.h"

typedef void (*thumb_decoder)(uint32_t insn, struct arm_rec *r);

struct thumb_pattern {
    uint16_t mask, value;
    uint8_t min_arch;
    thumb_decoder decode;
    const char *name;
};

static inline unsigned bits(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

/* ADR / ADD Rd, PC, #imm (A7.1.6): Align(PC, 4) + imm. */
int thumb_exec_adr(struct arm_cpu *c, const struct arm_rec *r)
{
    c->r[r->rd] = (c->r[15] & ~3u) + r->imm;
    return ARM_OK;
}

/* BL/BLX first half (A7.1.17): LR = PC + (signed offset << 12). */
int thumb_exec_bl_prefix(struct arm_cpu *c, const struct arm_rec *r)
{
    c->r[14] = c->r[15] + r->imm;
    return ARM_OK;
}

/* BL second half (op 0) or BLX second half (op 1, ARMv5: to ARM state). */
int thumb_exec_bl_suffix(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t target = c->r[14] + r->imm;
    c->r[14] = c->next_pc | 1;
    if (r->op) {
        c->cpsr &= ~PSR_T;
        target &= ~3u;
    }
    arm_branch(c, target);
    return ARM_OK;
}

static void dp(struct arm_rec *r, unsigned op, unsigned rd, unsigned rn, bool s)
{
    r->fn = arm_exec_dp;
    r->op = (uint8_t)op;
    r->rd = (uint8_t)rd;
    r->rn = (uint8_t)rn;
    r->flags = s ? RF_S : 0;
}

static void dec_und(uint32_t i, struct arm_rec *r) { r->fn = arm_exec_undefined; }

/* LSL/LSR/ASR Rd, Rm, #imm5 (A7.1.38 etc.): MOVS Rd, Rm, <shift> #imm. */
static void dec_shift_imm(uint32_t i, struct arm_rec *r)
{
    dp(r, 0xd, bits(i, 2, 0), 0, true);
    r->rm = bits(i, 5, 3);
    r->shift = bits(i, 12, 11);
    r->imm = bits(i, 10, 6);
}

/* ADD/SUB Rd, Rn, Rm|#imm3 (A7.1.3/A7.1.65). */
static void dec_add_sub3(uint32_t i, struct arm_rec *r)
{
    dp(r, bits(i, 9, 9) ? 0x2 : 0x4, bits(i, 2, 0), bits(i, 5, 3), true);
    if (bits(i, 10, 10)) {
        r->flags |= RF_IMM;
        r->imm = bits(i, 8, 6);
    } else {
        r->rm = bits(i, 8, 6);
    }
}

/* MOV/CMP/ADD/SUB Rd, #imm8. */
static void dec_imm8(uint32_t i, struct arm_rec *r)
{
    static const uint8_t ops[4] = { 0xd, 0xa, 0x4, 0x2 };
    unsigned rd = bits(i, 10, 8);
    dp(r, ops[bits(i, 12, 11)], rd, rd, true);
    r->flags |= RF_IMM;
    r->imm = bits(i, 7, 0);
}

/* Data-processing register forms (A7.1, format 4). */
static void dec_alu(uint32_t i, struct arm_rec *r)
{
    unsigned op = bits(i, 9, 6), rd = bits(i, 2, 0), rm = bits(i, 5, 3);
    switch (op) {
    case 0x2: case 0x3: case 0x4: case 0x7: /* LSL, LSR, ASR, ROR by register */
        dp(r, 0xd, rd, 0, true);
        r->flags |= RF_REGSH;
        r->rm = (uint8_t)rd;
        r->rs = (uint8_t)rm;
        r->shift = op == 0x2 ? 0 : op == 0x3 ? 1 : op == 0x4 ? 2 : 3;
        break;
    case 0x9: /* NEG: RSBS Rd, Rm, #0 */
        dp(r, 0x3, rd, rm, true);
        r->flags |= RF_IMM;
        r->imm = 0;
        break;
    case 0xd: /* MULS Rd, Rm, Rd */
        r->fn = arm_exec_mul;
        r->rd = (uint8_t)rd; r->rm = (uint8_t)rm; r->rs = (uint8_t)rd;
        r->flags = RF_S;
        break;
    default: /* AND EOR ADC SBC TST CMP CMN ORR BIC MVN: same numbers as ARM */
        dp(r, op, rd, rd, true);
        r->rm = (uint8_t)rm;
        break;
    }
}

/* ADD/CMP/MOV with high registers, BX/BLX (format 5). */
static void dec_hireg(uint32_t i, struct arm_rec *r)
{
    unsigned rd = bits(i, 2, 0) | (bits(i, 7, 7) << 3), rm = bits(i, 6, 3);
    switch (bits(i, 9, 8)) {
    case 0: dp(r, 0x4, rd, rd, false); r->rm = (uint8_t)rm; break;
    case 1: dp(r, 0xa, rd, rd, true); r->rm = (uint8_t)rm; break;
    case 2: dp(r, 0xd, rd, 0, false); r->rm = (uint8_t)rm; break;
    default:
        r->fn = arm_exec_bx;
        r->rm = (uint8_t)rm;
        r->op = bits(i, 7, 7);   /* BLX Rm (v5; the table rejects it on v4) */
        break;
    }
}

static void dec_blx_reg_v4(uint32_t i, struct arm_rec *r) { r->fn = arm_exec_undefined; }

/* LDR Rd, [PC, #imm8*4] (A7.1.30). */
static void dec_ldr_lit(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldr_str;
    r->rd = bits(i, 10, 8); r->rn = 15; r->op = 2;
    r->flags = RF_IMM | RF_P | RF_U | RF_L;
    r->imm = bits(i, 7, 0) * 4;
}

/* Register-offset loads and stores (format 7/8). */
static void dec_ldst_reg(uint32_t i, struct arm_rec *r)
{
    unsigned op = bits(i, 11, 9);
    r->rd = bits(i, 2, 0); r->rn = bits(i, 5, 3); r->rm = bits(i, 8, 6);
    r->flags = RF_P | RF_U;
    switch (op) {
    case 0: r->fn = arm_exec_ldr_str; break;                              /* STR */
    case 1: r->fn = arm_exec_ldrh_strh; r->op = 0; break;                 /* STRH */
    case 2: r->fn = arm_exec_ldr_str; r->flags |= RF_B; break;            /* STRB */
    case 3: r->fn = arm_exec_ldrh_strh; r->op = 2; r->flags |= RF_L; break; /* LDRSB */
    case 4: r->fn = arm_exec_ldr_str; r->flags |= RF_L; break;            /* LDR */
    case 5: r->fn = arm_exec_ldrh_strh; r->op = 1; r->flags |= RF_L; break; /* LDRH */
    case 6: r->fn = arm_exec_ldr_str; r->flags |= RF_L | RF_B; break;     /* LDRB */
    default: r->fn = arm_exec_ldrh_strh; r->op = 3; r->flags |= RF_L; break; /* LDRSH */
    }
}

/* LDR/STR/LDRB/STRB Rd, [Rn, #imm5] (format 9). */
static void dec_ldst_imm(uint32_t i, struct arm_rec *r)
{
    bool byte = bits(i, 12, 12);
    r->fn = arm_exec_ldr_str;
    r->rd = bits(i, 2, 0); r->rn = bits(i, 5, 3);
    r->flags = RF_IMM | RF_P | RF_U | (bits(i, 11, 11) ? RF_L : 0) | (byte ? RF_B : 0);
    r->imm = bits(i, 10, 6) * (byte ? 1 : 4);
}

/* LDRH/STRH Rd, [Rn, #imm5*2] (format 10). */
static void dec_ldst_half(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldrh_strh;
    r->rd = bits(i, 2, 0); r->rn = bits(i, 5, 3);
    r->op = bits(i, 11, 11);
    r->flags = RF_IMM | RF_P | RF_U | (r->op ? RF_L : 0);
    r->imm = bits(i, 10, 6) * 2;
}

/* LDR/STR Rd, [SP, #imm8*4] (format 11). */
static void dec_ldst_sp(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_ldr_str;
    r->rd = bits(i, 10, 8); r->rn = 13;
    r->flags = RF_IMM | RF_P | RF_U | (bits(i, 11, 11) ? RF_L : 0);
    r->imm = bits(i, 7, 0) * 4;
}

/* ADD Rd, PC|SP, #imm8*4 (format 12). */
static void dec_add_pc_sp(uint32_t i, struct arm_rec *r)
{
    if (bits(i, 11, 11)) {
        dp(r, 0x4, bits(i, 10, 8), 13, false);
        r->flags |= RF_IMM;
    } else {
        r->fn = thumb_exec_adr;
        r->rd = bits(i, 10, 8);
    }
    r->imm = bits(i, 7, 0) * 4;
}

/* ADD/SUB SP, #imm7*4 (format 13). */
static void dec_adj_sp(uint32_t i, struct arm_rec *r)
{
    dp(r, bits(i, 7, 7) ? 0x2 : 0x4, 13, 13, false);
    r->flags |= RF_IMM;
    r->imm = bits(i, 6, 0) * 4;
}

/* PUSH {list, LR} = STMDB SP!; POP {list, PC} = LDMIA SP! (format 14). */
static void dec_push_pop(uint32_t i, struct arm_rec *r)
{
    bool pop = bits(i, 11, 11), extra = bits(i, 8, 8);
    r->fn = arm_exec_ldm_stm;
    r->rn = 13;
    r->imm = bits(i, 7, 0) | (extra ? (pop ? 0x8000u : 0x4000u) : 0);
    r->flags = RF_W | (pop ? (RF_L | RF_U) : RF_P);
}

/* LDMIA/STMIA Rn!, {list} (format 15); a load of Rn itself skips writeback. */
static void dec_ldm_stm(uint32_t i, struct arm_rec *r)
{
    bool load = bits(i, 11, 11);
    r->fn = arm_exec_ldm_stm;
    r->rn = bits(i, 10, 8);
    r->imm = bits(i, 7, 0);
    r->flags = RF_U | (load ? RF_L : 0);
    if (!load || !(r->imm & (1u << r->rn)))
        r->flags |= RF_W;
}

/* B<cond> (format 16); the run loop evaluates cond. */
static void dec_bcond(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_b;
    r->cond = bits(i, 11, 8);
    r->imm = (uint32_t)((int32_t)(int8_t)bits(i, 7, 0) * 2);
}

static void dec_swi(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_swi; r->imm = bits(i, 7, 0);
}

static void dec_bkpt(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_bkpt; r->imm = bits(i, 7, 0);
}

static void dec_b(uint32_t i, struct arm_rec *r)
{
    r->fn = arm_exec_b;
    r->imm = (uint32_t)(((int32_t)(bits(i, 10, 0) << 21)) >> 20);
}

static void dec_bl_prefix(uint32_t i, struct arm_rec *r)
{
    r->fn = thumb_exec_bl_prefix;
    r->imm = (uint32_t)(((int32_t)(bits(i, 10, 0) << 21)) >> 9);
}

static void dec_bl_suffix(uint32_t i, struct arm_rec *r)
{
    r->fn = thumb_exec_bl_suffix;
    r->imm = bits(i, 10, 0) * 2;
    r->op = bits(i, 12, 11) == 1;   /* 0b11101: BLX */
}

static void dec_blx_suffix(uint32_t i, struct arm_rec *r)
{
    if (i & 1) {
        r->fn = arm_exec_undefined;   /* A7.1.18: bit 0 set is UNDEFINED */
        return;
    }
    dec_bl_suffix(i, r);
}

/* ---- ARMv6, ARMv6T2 and ARMv7 additions (ARM ARM v7 A6.2) ---------------
 * A table of their own, tried before the ARMv4T/v5TE one from ARMv6; their
 * decoders know whether the instruction is inside an IT block. */

typedef void (*thumb_v6_decoder)(uint32_t insn, bool in_it, struct arm_rec *r);

struct thumb_v6_pattern {
    uint16_t mask, value;
    uint8_t min_arch;
    thumb_v6_decoder decode;
    const char *name;
};

static void dec_und_v6(uint32_t i, bool in_it, struct arm_rec *r) { r->fn = arm_exec_undefined; }

/* CBZ/CBNZ (v7 A8.8.29): i:imm5:'0' forward; UNPREDICTABLE in an IT block. */
static void dec_cbz(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = thumb_exec_cbz;
    r->rn = bits(i, 2, 0);
    r->imm = (bits(i, 9, 9) << 6) | (bits(i, 7, 3) << 1);
    r->op = bits(i, 11, 11);
    if (in_it)
        r->fn = arm_exec_undefined;
}

/* IT (v7 A8.8.55) and, with mask 0000, the hints (A6.2.5 table A6-10):
 * NOP, YIELD, WFE, WFI, SEV; the other hints execute as NOP. IT inside an
 * IT block, and firstcond 1111 (or 1110 with a mask that is not a single
 * '1'), are UNPREDICTABLE: UNDEFINED here. */
static void dec_it_hint(uint32_t i, bool in_it, struct arm_rec *r)
{
    unsigned firstcond = bits(i, 7, 4), mask = bits(i, 3, 0);
    if (mask == 0) {
        switch (firstcond) {
        case 2: r->fn = arm_exec_wfe; break;
        case 3: r->fn = arm_exec_wfi; break;
        case 4: r->fn = arm_exec_sev; break;
        default: r->fn = arm_exec_nop; break;
        }
        return;
    }
    r->fn = thumb_exec_it;
    r->imm = bits(i, 7, 0);
    if (in_it || firstcond == 15 || (firstcond == 14 && __builtin_popcount(mask) != 1))
        r->fn = arm_exec_undefined;
}

/* REV/REV16/REVSH (v7 A8.8.141-143): bits 7:6 = 00, 01, 11. */
static void dec_rev16(uint32_t i, bool in_it, struct arm_rec *r)
{
    static const uint8_t ops[4] = { REV_REV, REV_REV16, 0, REV_REVSH };
    r->fn = arm_exec_rev;
    r->op = ops[bits(i, 7, 6)];
    r->rd = bits(i, 2, 0); r->rm = bits(i, 5, 3);
}

/* SXTH/SXTB/UXTH/UXTB (v7 A8.8.232/230/276/274): no rotation, no Rn. */
static void dec_extend16(uint32_t i, bool in_it, struct arm_rec *r)
{
    static const uint8_t ops[4] = { EXT_SXTH, EXT_SXTB, EXT_UXTH, EXT_UXTB };
    r->fn = arm_exec_extend;
    r->op = ops[bits(i, 7, 6)];
    r->rd = bits(i, 2, 0); r->rm = bits(i, 5, 3); r->rn = 15;
}

/* CPS (B9.3.2 T1): im = disable; A/I/F in bits 2:0; UNPREDICTABLE without
 * any of them or inside an IT block. */
static void dec_cps16(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_cps;
    r->op = bits(i, 4, 4) ? 3 : 2;
    r->shift = bits(i, 2, 0);
    if (r->shift == 0 || in_it)
        r->fn = arm_exec_undefined;
}

static void dec_setend16(uint32_t i, bool in_it, struct arm_rec *r)
{
    r->fn = arm_exec_setend;
    r->op = bits(i, 3, 3);
    if (in_it)   /* UNPREDICTABLE (A8.8.156) */
        r->fn = arm_exec_undefined;
}

static void dec_svc_v6(uint32_t i, bool in_it, struct arm_rec *r)
{
    dec_swi(i, r);
}

/* B<cond> inside an IT block is UNPREDICTABLE (v7 A8.8.18 T1). */
static void dec_bcond_v7(uint32_t i, bool in_it, struct arm_rec *r)
{
    dec_bcond(i, r);
    if (in_it)
        r->fn = arm_exec_undefined;
}

#define V4 ARM_V4T
#define V5 ARM_V5TE
#define V6 ARM_V6
#define V7 ARM_V7
static const struct thumb_v6_pattern thumb_v6_patterns[] = {
    /* mask    value   arch decoder          encoding */
    { 0xf500, 0xb100, V7, dec_cbz,        "CBZ/CBNZ (v7 A8.8.29)" },
    { 0xff00, 0xbf00, V7, dec_it_hint,    "IT, NOP/YIELD/WFE/WFI/SEV (v7 A6.2.5)" },
    { 0xffc0, 0xba80, V6, dec_und_v6,     "REV space, op 10: UNDEFINED" },
    { 0xff00, 0xba00, V6, dec_rev16,      "REV/REV16/REVSH (v7 A8.8.141-143)" },
    { 0xff00, 0xb200, V6, dec_extend16,   "SXTH/SXTB/UXTH/UXTB (v7 A6.2.5)" },
    { 0xffe8, 0xb660, V6, dec_cps16,      "CPS (v7 B9.3.2)" },
    { 0xfff7, 0xb650, V6, dec_setend16,   "SETEND (v7 A8.8.156)" },
    { 0xff00, 0xde00, V7, dec_und_v6,     "UDF (v7 A8.8.247)" },
    { 0xff00, 0xdf00, V7, dec_svc_v6,     "SVC (v7 A8.8.228)" },
    { 0xf000, 0xd000, V7, dec_bcond_v7,   "B<cond>, not in an IT block (v7)" },
};

static const struct thumb_pattern thumb_patterns[] = {
    /* mask    value   arch decoder          encoding */
    { 0xf800, 0x1800, V4, dec_add_sub3,   "ADD/SUB reg/imm3" },
    { 0xe000, 0x0000, V4, dec_shift_imm,  "LSL/LSR/ASR #imm" },
    { 0xe000, 0x2000, V4, dec_imm8,       "MOV/CMP/ADD/SUB #imm8" },
    { 0xfc00, 0x4000, V4, dec_alu,        "data processing (register)" },
    { 0xff80, 0x4780, V5, dec_hireg,      "BLX Rm (v5)" },
    { 0xff80, 0x4780, V4, dec_blx_reg_v4, "BLX Rm on v4: UNDEFINED" },
    { 0xfc00, 0x4400, V4, dec_hireg,      "ADD/CMP/MOV high, BX" },
    { 0xf800, 0x4800, V4, dec_ldr_lit,    "LDR [PC, #imm]" },
    { 0xf000, 0x5000, V4, dec_ldst_reg,   "load/store register offset" },
    { 0xe000, 0x6000, V4, dec_ldst_imm,   "LDR/STR/LDRB/STRB #imm5" },
    { 0xf000, 0x8000, V4, dec_ldst_half,  "LDRH/STRH #imm5" },
    { 0xf000, 0x9000, V4, dec_ldst_sp,    "LDR/STR [SP, #imm]" },
    { 0xf000, 0xa000, V4, dec_add_pc_sp,  "ADD Rd, PC|SP, #imm" },
    { 0xff00, 0xb000, V4, dec_adj_sp,     "ADD/SUB SP, #imm" },
    { 0xf600, 0xb400, V4, dec_push_pop,   "PUSH/POP" },
    { 0xff00, 0xbe00, V5, dec_bkpt,       "BKPT (v5)" },
    { 0xf000, 0xc000, V4, dec_ldm_stm,    "LDMIA/STMIA" },
    { 0xff00, 0xde00, V4, dec_und,        "B<cond> with cond 1110: UNDEFINED" },
    { 0xff00, 0xdf00, V4, dec_swi,        "SWI" },
    { 0xf000, 0xd000, V4, dec_bcond,      "B<cond>" },
    { 0xf800, 0xe000, V4, dec_b,          "B" },
    { 0xf800, 0xe800, V5, dec_blx_suffix, "BLX suffix (v5)" },
    { 0xf800, 0xf000, V4, dec_bl_prefix,  "BL/BLX prefix" },
    { 0xf800, 0xf800, V4, dec_bl_suffix,  "BL suffix" },
};

void thumb_decode(enum arm_arch arch, uint32_t insn, bool in_it, struct arm_rec *out)
{
    if (thumb_is_32bit(arch, insn >> 16)) {
        thumb2_decode(arch, insn, in_it, out);
        out->cond = (uint8_t)((out->cond & 15u) | (4u << 4));
        return;
    }
    memset(out, 0, sizeof *out);
    insn &= 0xffff;
    out->insn = insn;
    out->cond = 14;
    out->fn = arm_exec_undefined;
    bool done = false;
    for (size_t k = 0; arch >= ARM_V6 && k < sizeof thumb_v6_patterns / sizeof thumb_v6_patterns[0]; k++) {
        const struct thumb_v6_pattern *p = &thumb_v6_patterns[k];
        if ((insn & p->mask) != p->value || arch < (enum arm_arch)p->min_arch)
            continue;
        p->decode(insn, in_it, out);
        done = true;
        break;
    }
    for (size_t k = 0; !done && k < sizeof thumb_patterns / sizeof thumb_patterns[0]; k++) {
        const struct thumb_pattern *p = &thumb_patterns[k];
        if ((insn & p->mask) != p->value || arch < (enum arm_arch)p->min_arch)
            continue;
        p->decode(insn, out);
        break;
    }
    /* From ARMv6 a 16-bit ADD/MOV to the PC clears bit 0 of the target
     * (BranchWritePC); the ARMv4T/v5TE cores keep it in r15 as written. */
    if (arch >= ARM_V6 && out->fn == arm_exec_dp && out->rd == 15 && !(out->flags & RF_S))
        out->fn = thumb_exec_alu_write_pc;
    /* ARMv7 (A6.2.1): inside an IT block the 16-bit data-processing
     * instructions do not set the flags, except CMP, CMN and TST. */
    if (in_it && arch >= ARM_V7 && (out->flags & RF_S) &&
        ((out->fn == arm_exec_dp && (out->op < 0x8 || out->op > 0xb)) || out->fn == arm_exec_mul))
        out->flags &= (uint8_t)~RF_S;
    out->cond = (uint8_t)((out->cond & 15u) | (2u << 4));
}
