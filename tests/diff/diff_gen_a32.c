/* A32 templates of the differential tester: every ARMv7-A integer class
 * (ARM ARM v7-A/R, DDI 0406C, chapter A5), with the UNPREDICTABLE register
 * choices of each instruction page as reject predicates. */
#include "tests/diff/diff_gen.h"

#define RD(i) bits32(i, 15, 12)
#define RN(i) bits32(i, 19, 16)
#define RM(i) bits32(i, 3, 0)
#define RS(i) bits32(i, 11, 8)

/* ---- data processing (A5.2.1-A5.2.3) ----------------------------------- */

/* TST/TEQ/CMP/CMN (opcode 10xx) only exist with S = 1 (S = 0 is the
 * miscellaneous space) and have Rd = (0); MOV/MVN have Rn = (0). */
static void fix_dp(struct gen *g, uint32_t *i)
{
    unsigned op = bits32(*i, 24, 21);
    if ((op & 0xcu) == 0x8u)
        *i = (*i | (1u << 20)) & ~0xf000u;
    if (op == 0xd || op == 0xf)
        *i &= ~0xf0000u;
}

static enum filter_reason rej_dp(const struct gen *g, uint32_t i)
{
    /* Rd = 15 is a branch (ALUWritePC), or with S an exception return. */
    if (RD(i) == 15 && (bits32(i, 24, 21) & 0xcu) != 0x8u)
        return F_PC_WRITE;
    return F_NONE;
}

static enum filter_reason rej_dp_regshift(const struct gen *g, uint32_t i)
{
    unsigned op = bits32(i, 24, 21);
    bool has_rd = (op & 0xcu) != 0x8u, has_rn = op != 0xd && op != 0xf;
    /* A8.8.*: "if d == 15 || n == 15 || m == 15 || s == 15 then UNPREDICTABLE". */
    if (has_rd && RD(i) == 15)
        return F_PC_DEST;
    if ((has_rn && RN(i) == 15) || RM(i) == 15 || RS(i) == 15)
        return F_PC_OPERAND;
    return F_NONE;
}

/* ---- multiplies (A5.2.5, A5.2.7, A5.4.4) ----------------------------- */

static void fix_mul(struct gen *g, uint32_t *i)
{
    if (!bits32(*i, 21, 21))     /* MUL: Ra is (0) */
        *i &= ~0xf000u;
}

static enum filter_reason rej_mul(const struct gen *g, uint32_t i)
{
    /* A8.8.100/101/114: MUL/MLA/MLS: no r15 anywhere. */
    if (RN(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15 || RS(i) == 15 || (bits32(i, 22, 21) != 0 && RD(i) == 15))
        return F_PC_OPERAND;
    return F_NONE;
}

static enum filter_reason rej_mull(const struct gen *g, uint32_t i)
{
    /* A8.8.178 SMLAL, A8.8.190 SMULL, A8.8.255 UMAAL, A8.8.256 UMLAL,
     * A8.8.257 UMULL: no r15, RdHi != RdLo. */
    if (RN(i) == 15 || RD(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15 || RS(i) == 15)
        return F_PC_OPERAND;
    if (RN(i) == RD(i))
        return F_MUL_REGS;
    return F_NONE;
}

/* SMLAxy (00), SMLAWy/SMULWy (01), SMLALxy (10), SMULxy (11). */
static void fix_smulxy(struct gen *g, uint32_t *i)
{
    unsigned op = bits32(*i, 22, 21);
    if (op == 3 || (op == 1 && bits32(*i, 5, 5)))
        *i &= ~0xf000u;          /* SMULxy, SMULWy: Ra is (0) */
}

static enum filter_reason rej_smulxy(const struct gen *g, uint32_t i)
{
    unsigned op = bits32(i, 22, 21);
    bool acc = op == 0 || op == 2 || (op == 1 && !bits32(i, 5, 5));
    if (RN(i) == 15 || (op == 2 && RD(i) == 15))
        return F_PC_DEST;
    if (RM(i) == 15 || RS(i) == 15 || (acc && RD(i) == 15))
        return F_PC_OPERAND;
    if (op == 2 && RN(i) == RD(i))
        return F_MUL_REGS;
    return F_NONE;
}

/* SMLAD/SMLSD/SMUAD/SMUSD, SMMLA/SMMUL/SMMLS, USAD8/USADA8, SDIV/UDIV:
 * Rd 19:16, Ra 15:12, Rm 11:8, Rn 3:0; Ra = 15 is the non-accumulating form
 * except for SMMLS (bits 7:6 = 11). */
static enum filter_reason rej_media_mul(const struct gen *g, uint32_t i)
{
    if (RN(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15 || RS(i) == 15)
        return F_PC_OPERAND;
    if (bits32(i, 22, 20) == 5 && bits32(i, 7, 6) == 3 && RD(i) == 15)
        return F_PC_OPERAND;
    return F_NONE;
}

static enum filter_reason rej_smlald(const struct gen *g, uint32_t i)
{
    /* A8.8.181/A8.8.183: no r15, RdHi != RdLo. */
    if (RN(i) == 15 || RD(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15 || RS(i) == 15)
        return F_PC_OPERAND;
    if (RN(i) == RD(i))
        return F_MUL_REGS;
    return F_NONE;
}

/* ---- saturation, parallel, extend, pack, reverse, bit fields ---------- */

/* Three-register media instructions: "if d == 15 || n == 15 || m == 15". */
static enum filter_reason rej_three(const struct gen *g, uint32_t i)
{
    if (RD(i) == 15)
        return F_PC_DEST;
    if (RN(i) == 15 || RM(i) == 15)
        return F_PC_OPERAND;
    return F_NONE;
}

static enum filter_reason rej_dm(const struct gen *g, uint32_t i)
{
    if (RD(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15)
        return F_PC_OPERAND;
    return F_NONE;
}

static enum filter_reason rej_d(const struct gen *g, uint32_t i)
{
    return RD(i) == 15 ? F_PC_DEST : F_NONE;
}

/* Parallel add/subtract: op1 (bits 21:20) 00 and op2 (7:5) 101/110 are holes. */
static void fix_parallel(struct gen *g, uint32_t *i)
{
    static const uint8_t ops[6] = { 0, 1, 2, 3, 4, 7 };
    *i = (*i & ~0xe0u) | ((uint32_t)ops[rng_below(&g->rng, 6)] << 5);
    if (!bits32(*i, 21, 20))
        *i |= (1u + rng_below(&g->rng, 3)) << 20;
}

/* Extends: op (22:20) 001 and 101 are other instructions. */
static void fix_extend(struct gen *g, uint32_t *i)
{
    static const uint8_t ops[6] = { 0, 2, 3, 4, 6, 7 };
    *i = (*i & ~0x700000u) | ((uint32_t)ops[rng_below(&g->rng, 6)] << 20);
    if (rng_pct(&g->rng, 40))
        *i |= 0xf0000u;          /* Rn = 15: the plain SXTB/UXTH/... forms */
}

static enum filter_reason rej_sat(const struct gen *g, uint32_t i)
{
    if (RD(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15)
        return F_PC_OPERAND;
    return F_NONE;
}

static enum filter_reason rej_bfi(const struct gen *g, uint32_t i)
{
    if (RD(i) == 15)
        return F_PC_DEST;
    if (bits32(i, 20, 16) < bits32(i, 11, 7))
        return F_BITFIELD;
    return F_NONE;
}

static enum filter_reason rej_bfx(const struct gen *g, uint32_t i)
{
    if (RD(i) == 15)
        return F_PC_DEST;
    if (RM(i) == 15)
        return F_PC_OPERAND;
    if (bits32(i, 11, 7) + bits32(i, 20, 16) > 31)
        return F_BITFIELD;
    return F_NONE;
}

/* ---- status registers (B9.3.9, A8.8.104/105) ------------------------- */

/* MSR APSR: mask (19:18) != 00 (mask = 0 is UNPREDICTABLE, and in the
 * immediate form it is the hint space). */
static enum filter_reason rej_msr_reg(const struct gen *g, uint32_t i)
{
    if (bits32(i, 19, 18) == 0)
        return F_MSR_MASK;
    return RM(i) == 15 ? F_PC_OPERAND : F_NONE;
}

static enum filter_reason rej_msr_imm(const struct gen *g, uint32_t i)
{
    return bits32(i, 19, 18) == 0 ? F_MSR_MASK : F_NONE;
}

/* MSR CPSR_c, #imm (B9.3.11): a mode change with I and F kept set and T
 * clear; only the modes that exist (others are UNPREDICTABLE), and
 * unconditional, so the generator knows a change may have happened. User
 * mode ignores the write (CPSRWriteByInstr). */
static void fix_msr_mode(struct gen *g, uint32_t *i)
{
    static const uint8_t modes[7] = { 0x10, 0x11, 0x12, 0x13, 0x17, 0x1b, 0x1f };
    *i = 0xe321f0c0u | modes[rng_below(&g->rng, 7)];
    g->mode_changed = true;
    for (unsigned r = 8; r < 15; r++)
        gen_note_dest(g, r);
}

/* ---- loads and stores (A5.3, A5.2.8) --------------------------------- */

static bool wback(uint32_t i)
{
    return !bits32(i, 24, 24) || bits32(i, 21, 21);
}

static enum filter_reason rej_ldr(const struct gen *g, uint32_t i)
{
    bool load = bits32(i, 20, 20), byte = bits32(i, 22, 22), reg = bits32(i, 25, 25);
    bool unpriv = !bits32(i, 24, 24) && bits32(i, 21, 21);
    /* A8.8.62-71, A8.8.203-208. */
    if (RD(i) == 15 && (byte || unpriv))
        return F_PC_DEST;
    if (RD(i) == 15 && load)
        return F_PC_WRITE;
    if (wback(i) && RN(i) == 15)
        return F_WB_BASE_PC;
    if (!load && RN(i) == 15)
        return F_CODE_STORE;
    if (wback(i) && RN(i) == RD(i))
        return F_WB_BASE_IS_RT;
    if (reg && RM(i) == 15)
        return F_PC_OPERAND;
    return F_NONE;
}

/* Extra loads/stores: bits 6:5 (op2) 00 is the multiply/SWP space; with
 * L = 0, op2 1x are LDRD/STRD (their own template). */
static void fix_ldrh(struct gen *g, uint32_t *i)
{
    unsigned op2 = bits32(*i, 20, 20) ? 1u + rng_below(&g->rng, 3) : 1u;
    *i = (*i & ~0x60u) | (op2 << 5);
    if (!bits32(*i, 22, 22))
        *i &= ~0xf00u;           /* register form: bits 11:8 are (0) */
}

static enum filter_reason rej_ldrh(const struct gen *g, uint32_t i)
{
    /* A8.8.80-94, A8.8.217-220 (and the T forms, P = 0 W = 1). */
    bool unpriv = !bits32(i, 24, 24) && bits32(i, 21, 21);
    if (RD(i) == 15)
        return F_PC_DEST;
    if ((wback(i) || unpriv) && RN(i) == 15)
        return F_WB_BASE_PC;
    if (wback(i) && RN(i) == RD(i))
        return F_WB_BASE_IS_RT;
    if (!bits32(i, 22, 22) && RM(i) == 15)
        return F_PC_OPERAND;
    if (!bits32(i, 20, 20) && RN(i) == 15)
        return F_CODE_STORE;
    return F_NONE;
}

static void fix_ldrd(struct gen *g, uint32_t *i)
{
    if (!bits32(*i, 22, 22)) {
        *i &= ~0xf00u;
        /* The offset register a multiple of 4 too (Unicorn errata). */
        if (!g->in_it && RM(*i) != 15)
            gen_align_reg(g, RM(*i));
    } else {
        *i &= ~0x3u;            /* imm8 = imm4H:imm4L, a multiple of 4 */
    }
    /* Rt even most of the time: the odd ones are the filter's business. */
    if (rng_pct(&g->rng, 90))
        *i &= ~0x1000u;
}

static enum filter_reason rej_ldrd(const struct gen *g, uint32_t i)
{
    unsigned t = RD(i), n = RN(i);
    bool load = !bits32(i, 5, 5);   /* op2 10 LDRD, 11 STRD */
    if (!bits32(i, 24, 24) && bits32(i, 21, 21))
        return F_LDRD_REGS;          /* P = 0, W = 1 */
    if ((t & 1u) || t == 14)
        return F_LDRD_REGS;
    if (wback(i) && n == 15)
        return F_WB_BASE_PC;
    if (!load && n == 15)
        return F_CODE_STORE;
    if (wback(i) && (n == t || n == t + 1))
        return F_WB_BASE_IS_RT;
    if (!bits32(i, 22, 22) && (RM(i) == 15 || (load && (RM(i) == t || RM(i) == t + 1))))
        return F_LDRD_REGS;
    return F_NONE;
}

static enum filter_reason rej_ldm(const struct gen *g, uint32_t i)
{
    unsigned n = RN(i), list = i & 0xffffu;
    bool load = bits32(i, 20, 20), wb = bits32(i, 21, 21), user = bits32(i, 22, 22);
    if (n == 15)
        return F_WB_BASE_PC;
    if (list == 0)
        return F_LDM_LIST;
    if (user) {
        /* B9.3.5/6/17: UNPREDICTABLE in USR/SYS, or with writeback;
         * LDM with PC is an exception return (policy). After an MSR the
         * mode may be any. */
        if (load && (list & 0x8000u))
            return F_PC_WRITE;
        if (wb || g->b->mode == 0x10 || g->b->mode == 0x1f || g->mode_changed)
            return F_LDM_USER;
    }
    if (load && (list & 0x8000u))
        return F_PC_WRITE;
    if (wb && ((list >> n) & 1u)) {
        if (load || (list & ((1u << n) - 1u)))
            return F_LDM_WB_IN_LIST;
    }
    return F_NONE;
}

/* PLD/PLDW/PLI register forms: Rm = 15 is UNPREDICTABLE (A8.8.128/131). */
static enum filter_reason rej_pld_reg(const struct gen *g, uint32_t i)
{
    return RM(i) == 15 ? F_PC_OPERAND : F_NONE;
}

/* SWP/SWPB: UNDEFINED on the Cortex-A15/A7 while SCTLR.SW = 0 (B4.1.130,
 * the Multiprocessing Extensions); Unicorn executes them (errata E2). */
static enum filter_reason rej_swp(const struct gen *g, uint32_t i)
{
    return F_SWP;
}

/* DSB/DMB/ISB (A8.8.43/44/53): option 0111 of bits 7:4 is unallocated. */
static void fix_barrier(struct gen *g, uint32_t *i)
{
    if (bits32(*i, 5, 4) == 3)
        *i &= ~0x10u;
}

/* ---- sequences ----------------------------------------------------------- */

/* LDREX{B,H,D}/STREX{B,H,D} on one base, same size, a few instructions
 * apart (A3.4); the size and base agree so the outcome is the
 * architecture's, not an IMPLEMENTATION DEFINED mismatch case. */
static void emit_exclusive(struct gen *g, int tmpl)
{
    static const uint32_t sz[4] = { 0x0, 0x200000u, 0x400000u, 0x600000u };  /* W, D, B, H */
    static const uint32_t align[4] = { 4, 8, 1, 2 };
    unsigned k = rng_below(&g->rng, 4);
    unsigned from = g->b->n;
    unsigned n = gen_pick_reg(g, RK_PTR, 15);
    bool aligned = rng_pct(&g->rng, 85);
    if (aligned) {
        /* BIC Rn, Rn, #7: align the pointer most of the time. */
        gen_push(g, 0xe3c00007u | (n << 16) | (n << 12), 4, -1);
        g->kind[n] = RK_APTR;
    }
    unsigned t = rng_below(&g->rng, 15), d, t2;
    if (k == 1) {
        t &= ~1u;
        if (t == 14) {
            g->filtered[F_EXCL_REGS]++;
            t = 0;
        }
    }
    t2 = k == 1 ? t + 1 : 16;
    if (t == n || t2 == n) {
        /* LDREX into its own base is allowed, but the STREX would then
         * use a clobbered base; pick another register. */
        t = (n + 2) & ~1u;
        if (t >= 14)
            t = 0;
        t2 = k == 1 ? t + 1 : 16;
    }
    gen_push(g, 0xe1900f9fu | sz[k] | (n << 16) | (t << 12), 4, tmpl);
    gen_note_dest(g, t);
    if (k == 1)
        gen_note_dest(g, t2);
    if (!aligned) {
        gen_group(g, from);
        return;   /* a possibly unaligned LDREX alone: see the Unicorn errata */
    }
    do {
        d = rng_below(&g->rng, 15);
        if (d == n || d == t || d == t2)
            g->filtered[F_STREX_STATUS]++;
    } while (d == n || d == t || d == t2);
    unsigned st = rng_below(&g->rng, 15) & (k == 1 ? ~1u : ~0u);
    if (st == 14 || st == n || st == d || (k == 1 && st + 1 == d))
        st = t;
    gen_push(g, 0xe1800f90u | sz[k] | (n << 16) | (d << 12) | st, 4, tmpl);
    gen_note_dest(g, d);
    gen_group(g, from);
    (void)align;
}

/* B/BL with a condition, forward inside the block. */
static void emit_branch(struct gen *g, int tmpl)
{
    uint32_t cond = rng_pct(&g->rng, 40) ? 14u : rng_below(&g->rng, 15);
    bool link = rng_pct(&g->rng, 25);
    gen_push_branch(g, cond << 28 | (link ? 0x0b000000u : 0x0a000000u), 4, tmpl,
                    link ? BR_A32_BL : BR_A32_B, 1);
    if (link)
        gen_note_dest(g, 14);
}

/* ADR Rx, label; then BX Rx, BLX Rx or MOV pc, Rx (A8.8.12, A8.8.27, A8.8.26,
 * A8.8.103: ALUWritePC, an interworking branch on ARMv7). */
static void emit_bx(struct gen *g, int tmpl)
{
    unsigned x = rng_below(&g->rng, 15), from = g->b->n;
    uint32_t cond = rng_pct(&g->rng, 60) ? 14u : rng_below(&g->rng, 15);
    gen_push_branch(g, 0xe0000000u | (x << 12), 4, -1, BR_A32_ADR, 2);
    unsigned kind = rng_below(&g->rng, 3);
    if (kind == 1 && x == 14)
        kind = 0;
    static const uint32_t ops[3] = { 0x012fff10u, 0x012fff30u, 0x01a0f000u };
    gen_push(g, cond << 28 | ops[kind] | x, 4, tmpl);
    gen_group(g, from);
    gen_note_dest(g, x);
    if (kind == 1)
        gen_note_dest(g, 14);
}

/* Interworking (A4.1.1, A8.8.27): ADR Rx, pad + 1; BX<c>/BLX<c> Rx into a
 * Thumb landing pad that returns at once with BX pc (to ARM at pad + 4);
 * an unconditional B skips the pad when the BX does not branch. Or BLX
 * (immediate) straight into the pad. */
static void emit_interwork(struct gen *g, int tmpl)
{
    unsigned x = rng_below(&g->rng, 15), from = g->b->n;
    if (rng_pct(&g->rng, 30)) {
        /* BLX (immediate) A2 (A8.8.25) into the pad right after it, which
         * returns to the next instruction. */
        unsigned blx = g->b->n;
        gen_push_branch(g, 0xfa000000u, 4, tmpl, BR_A32_BL, 1);
        g->b->insn[blx].target = (int16_t)(blx + 1);
        gen_push(g, 0xbf004778u, 4, -1);   /* Thumb: BX pc; NOP (never reached) */
        gen_group(g, from);
        gen_note_dest(g, 14);
        return;
    }
    uint32_t cond = rng_pct(&g->rng, 60) ? 14u : rng_below(&g->rng, 15);
    bool link = rng_pct(&g->rng, 40) && x != 14;
    /* MOV pc, Rx: ALUWritePC is BXWritePC in ARM state from ARMv7 (A2.3.1). */
    bool mov = !link && rng_pct(&g->rng, 30);
    unsigned adr = g->b->n;
    gen_push_branch(g, 0xe0000000u | (x << 12), 4, -1, BR_A32_ADR_THUMB, 3);
    g->b->insn[adr].target = (int16_t)(adr + 3);
    gen_push(g, cond << 28 | (mov ? 0x01a0f000u : link ? 0x012fff30u : 0x012fff10u) | x, 4, tmpl);
    unsigned skip = g->b->n;
    gen_push_branch(g, 0xea000000u, 4, -1, BR_A32_B, 2);
    g->b->insn[skip].target = (int16_t)(skip + 2);
    gen_push(g, 0xbf004778u, 4, -1);   /* Thumb: BX pc; NOP (never reached) */
    gen_group(g, from);
    gen_note_dest(g, x);
    if (link)
        gen_note_dest(g, 14);
}

const struct gen_template diff_a32_templates[] = {
    /* class    name            picture (ARM ARM v7 A5)                              weight */
    { "dp", "dp-imm",        "cccc 001 oooo S nnnn dddd iiii iiiiiiii",           60, 0, fix_dp, rej_dp, NULL },
    { "dp", "dp-shift-imm",  "cccc 000 oooo S nnnn dddd iiiii yy 0 mmmm",          60, 0, fix_dp, rej_dp, NULL },
    { "dp", "dp-shift-reg",  "cccc 000 oooo S nnnn dddd ssss 0 yy 1 mmmm",         40, 0, fix_dp, rej_dp_regshift, NULL },
    { "dp", "movw-movt",     "cccc 0011 0x00 iiii dddd iiii iiii iiii",            10, 0, NULL, rej_d, NULL },
    { "mul", "mul-mla-mls",  "cccc 0000 00yS dddd aaaa ssss 1001 mmmm",            20, 0, fix_mul, rej_mul, NULL },
    { "mul", "mls",          "cccc 0000 0110 dddd aaaa ssss 1001 mmmm",             6, 0, NULL, rej_mul, NULL },
    { "mul", "mull",         "cccc 0000 1xyS hhhh llll ssss 1001 mmmm",            20, 0, NULL, rej_mull, NULL },
    { "mul", "umaal",        "cccc 0000 0100 hhhh llll ssss 1001 mmmm",             5, 0, NULL, rej_mull, NULL },
    { "mul", "smulxy",       "cccc 0001 0xx0 dddd aaaa ssss 1yy0 mmmm",            20, 0, fix_smulxy, rej_smulxy, NULL },
    { "mul", "smlad",        "cccc 0111 0000 dddd aaaa ssss 00x1 mmmm",            10, 0, NULL, rej_media_mul, NULL },
    { "mul", "smlsd",        "cccc 0111 0000 dddd aaaa ssss 01x1 mmmm",             8, 0, NULL, rej_media_mul, NULL },
    { "mul", "smlald",       "cccc 0111 0100 hhhh llll ssss 0yx1 mmmm",            10, 0, NULL, rej_smlald, NULL },
    { "mul", "smmla",        "cccc 0111 0101 dddd aaaa ssss 00x1 mmmm",            10, 0, NULL, rej_media_mul, NULL },
    { "mul", "smmls",        "cccc 0111 0101 dddd aaaa ssss 11x1 mmmm",             6, 0, NULL, rej_media_mul, NULL },
    { "mul", "usad8",        "cccc 0111 1000 dddd aaaa ssss 0001 mmmm",             6, 0, NULL, rej_media_mul, NULL },
    { "div", "sdiv-udiv",    "cccc 0111 00x1 dddd 1111 ssss 0001 mmmm",            20, 0, NULL, rej_media_mul, NULL },
    { "sat", "qadd",         "cccc 0001 0xx0 nnnn dddd 0000 0101 mmmm",            12, 0, NULL, rej_three, NULL },
    { "sat", "ssat-usat",    "cccc 0110 1x1i iiii dddd iiii iy01 mmmm",            12, 0, NULL, rej_sat, NULL },
    { "sat", "ssat16-usat16","cccc 0110 1x10 iiii dddd 1111 0011 mmmm",             8, 0, NULL, rej_sat, NULL },
    { "parallel", "par-addsub", "cccc 0110 0xyy nnnn dddd 1111 ppp1 mmmm",          40, 0, fix_parallel, rej_three, NULL },
    { "parallel", "sel",     "cccc 0110 1000 nnnn dddd 1111 1011 mmmm",            10, 0, NULL, rej_three, NULL },
    { "extend", "extend",    "cccc 0110 1ooo nnnn dddd rr00 0111 mmmm",            20, 0, fix_extend, rej_dm, NULL },
    { "extend", "pkh",       "cccc 0110 1000 nnnn dddd iiii ix01 mmmm",            10, 0, NULL, rej_three, NULL },
    { "extend", "rev",       "cccc 0110 1x11 1111 dddd 1111 y011 mmmm",            12, 0, NULL, rej_dm, NULL },
    { "extend", "clz",       "cccc 0001 0110 1111 dddd 1111 0001 mmmm",             6, 0, NULL, rej_dm, NULL },
    { "bitfield", "bfi-bfc", "cccc 0111 110w wwww dddd qqqq q001 mmmm",            12, 0, NULL, rej_bfi, NULL },
    { "bitfield", "sbfx-ubfx", "cccc 0111 1x1w wwww dddd qqqq q101 mmmm",          12, 0, NULL, rej_bfx, NULL },
    { "status", "mrs",       "cccc 0001 0000 1111 dddd 0000 0000 0000",             6, 0, NULL, rej_d, NULL },
    { "status", "msr-reg",   "cccc 0001 0010 xx00 1111 0000 0000 mmmm",             8, 0, NULL, rej_msr_reg, NULL },
    { "status", "msr-imm",   "cccc 0011 0010 xx00 1111 iiii iiii iiii",             6, 0, NULL, rej_msr_imm, NULL },
    { "status", "msr-mode",  "1110 0011 0010 0001 1111 0000 1100 0000",             2, 0, fix_msr_mode, NULL, NULL },
    { "mem", "ldr-str-imm",  "cccc 010P UBWL nnnn dddd oooo oooo oooo",            50, T_MEM, NULL, rej_ldr, NULL },
    { "mem", "ldr-str-reg",  "cccc 011P UBWL nnnn dddd kkkk kyy0 mmmm",            30, T_MEM | T_REGWB, NULL, rej_ldr, NULL },
    { "mem", "ldrh-imm",     "cccc 000P U1WL nnnn dddd oooo 1xx1 oooo",            30, T_MEM, fix_ldrh, rej_ldrh, NULL },
    { "mem", "ldrh-reg",     "cccc 000P U0WL nnnn dddd 0000 1xx1 mmmm",            20, T_MEM | T_REGWB, fix_ldrh, rej_ldrh, NULL },
    { "mem", "ldrd-strd-imm","cccc 000P U1W0 nnnn dddd oooo 11x1 oooo",            15, T_MEM | T_ALIGN4, fix_ldrd, rej_ldrd, NULL },
    { "mem", "ldrd-strd-reg","cccc 000P U0W0 nnnn dddd 0000 11x1 mmmm",            10, T_MEM | T_ALIGN4 | T_REGWB, fix_ldrd, rej_ldrd, NULL },
    { "mem", "ldm-stm",      "cccc 100P UxWL nnnn rrrr rrrr rrrr rrrr",            25, T_MEM | T_ALIGN4, NULL, rej_ldm, NULL },
    { "mem", "pld-pli-imm",  "1111 010x U101 nnnn 1111 oooo oooo oooo",             3, T_MEM, NULL, NULL, NULL },
    { "mem", "pld-pli-reg",  "1111 011x U101 nnnn 1111 kkkk kyy0 mmmm",             2, T_MEM, NULL, rej_pld_reg, NULL },
    { "excl", "ldrex-strex", "",                                                   15, 0, NULL, NULL, emit_exclusive },
    { "branch", "b-bl",      "",                                                   20, 0, NULL, NULL, emit_branch },
    { "branch", "bx-blx",    "",                                                    8, 0, NULL, NULL, emit_bx },
    { "branch", "interwork", "",                                                    4, 0, NULL, NULL, emit_interwork },
    { "misc", "svc",         "cccc 1111 iiii iiii iiii iiii iiii iiii",             1, 0, NULL, NULL, NULL },
    { "misc", "bkpt",        "1110 0001 0010 iiii iiii iiii 0111 iiii",             1, 0, NULL, NULL, NULL },
    { "misc", "udf",         "1110 0111 1111 iiii iiii iiii 1111 iiii",             1, 0, NULL, NULL, NULL },
    { "misc", "swp",         "cccc 0001 0x00 nnnn dddd 0000 1001 mmmm",             1, T_MEM, NULL, rej_swp, NULL },
    { "misc", "setend",      "1111 0001 0000 0001 0000 00x0 0000 0000",             2, 0, NULL, NULL, NULL },
    { "misc", "barrier-nop", "1111 0101 0111 1111 1111 0000 01xx 1111",             2, 0, fix_barrier, NULL, NULL },
    { "misc", "clrex",       "1111 0101 0111 1111 1111 0000 0001 1111",             1, 0, NULL, NULL, NULL },
};
const size_t diff_a32_template_count = sizeof diff_a32_templates / sizeof diff_a32_templates[0];
