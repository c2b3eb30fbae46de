/* Data processing, branches and status-register transfers (ARM ARM A3.4,
 * A5.1 addressing mode 1, A4.1 instruction pages). */
#include "isa-arm/arm_internal.h"

/* Row = condition, bit = NZCV (N = bit 3). */
#define COND_ROW(f) \
    (uint16_t)((f(0) << 0) | (f(1) << 1) | (f(2) << 2) | (f(3) << 3) | (f(4) << 4) | \
               (f(5) << 5) | (f(6) << 6) | (f(7) << 7) | (f(8) << 8) | (f(9) << 9) | \
               (f(10) << 10) | (f(11) << 11) | (f(12) << 12) | (f(13) << 13) | \
               (f(14) << 14) | (f(15) << 15))
#define N_(x) (((x) >> 3) & 1)
#define Z_(x) (((x) >> 2) & 1)
#define C_(x) (((x) >> 1) & 1)
#define V_(x) ((x) & 1)
#define EQ(x) Z_(x)
#define NE(x) (!Z_(x))
#define CS(x) C_(x)
#define CC(x) (!C_(x))
#define MI(x) N_(x)
#define PL(x) (!N_(x))
#define VS(x) V_(x)
#define VC(x) (!V_(x))
#define HI(x) (C_(x) && !Z_(x))
#define LS(x) (!C_(x) || Z_(x))
#define GE(x) (N_(x) == V_(x))
#define LT(x) (N_(x) != V_(x))
#define GT(x) (!Z_(x) && N_(x) == V_(x))
#define LE(x) (Z_(x) || N_(x) != V_(x))
#define AL(x) 1
#define NV(x) 0

const uint16_t arm_cond_table[16] = {
    COND_ROW(EQ), COND_ROW(NE), COND_ROW(CS), COND_ROW(CC), COND_ROW(MI), COND_ROW(PL),
    COND_ROW(VS), COND_ROW(VC), COND_ROW(HI), COND_ROW(LS), COND_ROW(GE), COND_ROW(LT),
    COND_ROW(GT), COND_ROW(LE), COND_ROW(AL), COND_ROW(NV),
};

/* Reference evaluation, ARM ARM table A3-1 (the unit tests check the table
 * against it). */
bool arm_cond_eval(uint32_t cpsr, unsigned cond)
{
    bool n = cpsr & PSR_N, z = cpsr & PSR_Z, cf = cpsr & PSR_C, v = cpsr & PSR_V;
    switch (cond & 15) {
    case 0x0: return z;
    case 0x1: return !z;
    case 0x2: return cf;
    case 0x3: return !cf;
    case 0x4: return n;
    case 0x5: return !n;
    case 0x6: return v;
    case 0x7: return !v;
    case 0x8: return cf && !z;
    case 0x9: return !cf || z;
    case 0xa: return n == v;
    case 0xb: return n != v;
    case 0xc: return !z && n == v;
    case 0xd: return z || n != v;
    case 0xe: return true;
    default: return false;   /* NV: never on ARMv4 (v5 handles it in decode) */
    }
}

/* Barrel shifter, ARM ARM A5.1.4-A5.1.13. by_reg selects the
 * register-specified forms, where amounts of 32 and more are meaningful. */
static uint32_t arm_shift(uint32_t v, unsigned type, unsigned amount, bool by_reg,
                          bool cin, bool *cout)
{
    switch (type) {
    case 0: /* LSL */
        if (amount == 0) { *cout = cin; return v; }
        if (amount < 32) { *cout = (v >> (32 - amount)) & 1; return v << amount; }
        *cout = amount == 32 ? (v & 1) : 0;
        return 0;
    case 1: /* LSR; immediate 0 encodes 32 */
        if (amount == 0) {
            if (by_reg) { *cout = cin; return v; }
            amount = 32;
        }
        if (amount < 32) { *cout = (v >> (amount - 1)) & 1; return v >> amount; }
        *cout = amount == 32 ? (v >> 31) : 0;
        return 0;
    case 2: /* ASR; immediate 0 encodes 32 */
        if (amount == 0) {
            if (by_reg) { *cout = cin; return v; }
            amount = 32;
        }
        if (amount < 32) {
            *cout = (v >> (amount - 1)) & 1;
            return (uint32_t)((int32_t)v >> amount);
        }
        *cout = v >> 31;
        return (v & 0x80000000u) ? 0xffffffffu : 0;
    default: /* ROR; immediate 0 encodes RRX */
        if (amount == 0) {
            if (by_reg) { *cout = cin; return v; }
            *cout = v & 1;
            return (v >> 1) | ((uint32_t)cin << 31);
        }
        amount &= 31;
        if (amount == 0) { *cout = v >> 31; return v; }
        *cout = (v >> (amount - 1)) & 1;
        return (v >> amount) | (v << (32 - amount));
    }
}

/* Shifter operand of a data-processing record (shared with the Thumb decoder):
 * RF_IMM: imm is the value, shift the rotate (carry out = bit 31 when non-zero);
 * RF_REGSH: rm shifted by the bottom byte of rs (PC reads +12, A5.1.6);
 * otherwise rm shifted by the immediate in imm. op2 type in `shift`. */
static inline uint32_t dp_operand2(struct arm_cpu *c, const struct arm_rec *r, bool *cout)
{
    bool cin = (c->cpsr & PSR_C) != 0;
    if (r->flags & RF_IMM) {
        *cout = r->shift ? (r->imm >> 31) : cin;
        return r->imm;
    }
    if (r->flags & RF_REGSH) {
        uint32_t rm = c->r[r->rm] + (r->rm == 15 ? 4 : 0);
        unsigned amount = c->r[r->rs] & 0xff;
        return arm_shift(rm, r->shift, amount, true, cin, cout);
    }
    return arm_shift(c->r[r->rm], r->shift, r->imm, false, cin, cout);
}

int arm_exec_dp(struct arm_cpu *c, const struct arm_rec *r)
{
    bool shc;
    uint32_t b = dp_operand2(c, r, &shc);
    uint32_t a = c->r[r->rn];
    if ((r->flags & RF_REGSH) && r->rn == 15)
        a += 4;
    bool cin = (c->cpsr & PSR_C) != 0;
    uint64_t wide = 0;
    uint32_t res;
    bool logical = false, write = true;
    switch (r->op) {
    case 0x0: res = a & b; logical = true; break;                 /* AND */
    case 0x1: res = a ^ b; logical = true; break;                 /* EOR */
    case 0x2: wide = (uint64_t)a + (uint32_t)~b + 1; res = (uint32_t)wide; break; /* SUB */
    case 0x3: wide = (uint64_t)b + (uint32_t)~a + 1; res = (uint32_t)wide; break; /* RSB */
    case 0x4: wide = (uint64_t)a + b; res = (uint32_t)wide; break;             /* ADD */
    case 0x5: wide = (uint64_t)a + b + cin; res = (uint32_t)wide; break;       /* ADC */
    case 0x6: wide = (uint64_t)a + (uint32_t)~b + cin; res = (uint32_t)wide; break; /* SBC */
    case 0x7: wide = (uint64_t)b + (uint32_t)~a + cin; res = (uint32_t)wide; break; /* RSC */
    case 0x8: res = a & b; logical = true; write = false; break;  /* TST */
    case 0x9: res = a ^ b; logical = true; write = false; break;  /* TEQ */
    case 0xa: wide = (uint64_t)a + (uint32_t)~b + 1; res = (uint32_t)wide; write = false; break; /* CMP */
    case 0xb: wide = (uint64_t)a + b; res = (uint32_t)wide; write = false; break; /* CMN */
    case 0xc: res = a | b; logical = true; break;                 /* ORR */
    case 0xd: res = b; logical = true; break;                     /* MOV */
    case 0xe: res = a & ~b; logical = true; break;                /* BIC */
    default: res = ~b; logical = true; break;                     /* MVN */
    }
    if (write && r->rd == 15 && c->arch >= ARM_V7 && !arm_thumb(c) &&
        !((r->flags & RF_S) && arm_mode_bank(c->cpsr) != BANK_USR))
        arm_bx_write_pc(c, res);   /* v7 ALUWritePC interworks in ARM state (A2.3.1) */
    else if (write)
        arm_set_reg(c, r->rd, res);
    if (!(r->flags & RF_S))
        return ARM_OK;
    if (r->rd == 15 && arm_mode_bank(c->cpsr) != BANK_USR) {
        /* A4.1.*: "if d == 15 and S" copies SPSR to CPSR (exception return).
         * The ARM7TDMI does this for TST/TEQ/CMP/CMN with Rd = 15 as well
         * (the old 26-bit "P" forms). USR/SYS have no SPSR (UNPREDICTABLE):
         * the flags are then set from the result as usual. */
        arm_write_cpsr(c, c->spsr[arm_mode_bank(c->cpsr)]);
        if (c->arch >= ARM_V7)   /* BranchWritePC (A2.3.1) in the new state */
            arm_branch(c, c->next_pc & (arm_thumb(c) ? ~1u : ~3u));
        return ARM_OK;
    }
    arm_set_nz(c, res);
    if (logical) {
        arm_set_c(c, shc);
        return ARM_OK;
    }
    /* Arithmetic: carry from the 33-bit sum, overflow from the sign rules. */
    uint32_t x = a, y = b;
    switch (r->op) {
    case 0x3: case 0x7: x = b; y = ~a; break;
    case 0x2: case 0x6: case 0xa: y = ~b; break;
    default: break;
    }
    arm_set_c(c, (wide >> 32) & 1);
    arm_set_v(c, ((~(x ^ y) & (x ^ res)) >> 31) & 1);
    return ARM_OK;
}

/* ---- specialised data processing ---------------------------------------
 * The decoded cache replaces arm_exec_dp in a record by one of these when it
 * can (arm_dp_specialize): one function per operation and operand form, so
 * the operation switch and the shifter's type dispatch are resolved at
 * decode time. Records that write r15 or use a register-specified shift
 * keep the general executor. */

enum dp_form { DPF_IMM, DPF_REG, DPF_SHIFTED };

static inline __attribute__((always_inline)) int dp_fast(struct arm_cpu *c,
                                                         const struct arm_rec *r,
                                                         unsigned op, enum dp_form form)
{
    uint32_t cpsr = c->cpsr;
    bool cin = (cpsr & PSR_C) != 0, shc = cin;
    uint32_t b;
    if (form == DPF_IMM) {
        b = r->imm;
        if (r->shift)
            shc = r->imm >> 31;
    } else if (form == DPF_REG) {
        b = c->r[r->rm];
    } else {
        b = arm_shift(c->r[r->rm], r->shift, r->imm, false, cin, &shc);
    }
    uint32_t a = c->r[r->rn], res;
    uint64_t wide = 0;
    uint32_t x = a, y = b;   /* the addends, for overflow */
    bool logical = false;
    switch (op) {
    case 0x0: case 0x8: res = a & b; logical = true; break;
    case 0x1: case 0x9: res = a ^ b; logical = true; break;
    case 0x2: case 0xa: y = ~b; wide = (uint64_t)a + y + 1; break;
    case 0x3: x = b; y = ~a; wide = (uint64_t)x + y + 1; break;
    case 0x4: case 0xb: wide = (uint64_t)a + b; break;
    case 0x5: wide = (uint64_t)a + b + cin; break;
    case 0x6: y = ~b; wide = (uint64_t)a + y + cin; break;
    case 0x7: x = b; y = ~a; wide = (uint64_t)x + y + cin; break;
    case 0xc: res = a | b; logical = true; break;
    case 0xd: res = b; logical = true; break;
    case 0xe: res = a & ~b; logical = true; break;
    default: res = ~b; logical = true; break;
    }
    if (!logical)
        res = (uint32_t)wide;
    if (op < 0x8 || op > 0xb)
        c->r[r->rd] = res;
    if (!(r->flags & RF_S))
        return ARM_OK;
    cpsr = (cpsr & ~(PSR_N | PSR_Z | PSR_C)) | (res & PSR_N) | (res == 0 ? PSR_Z : 0);
    if (logical) {
        c->cpsr = cpsr | (shc ? PSR_C : 0);
        return ARM_OK;
    }
    cpsr = (cpsr & ~PSR_V) | ((uint32_t)(wide >> 32) & 1u ? PSR_C : 0);
    c->cpsr = cpsr | ((~(x ^ y) & (x ^ res)) >> 31 ? PSR_V : 0);
    return ARM_OK;
}

static int dp_and_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x0, DPF_IMM); }
static int dp_and_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x0, DPF_REG); }
static int dp_and_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x0, DPF_SHIFTED); }
static int dp_eor_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x1, DPF_IMM); }
static int dp_eor_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x1, DPF_REG); }
static int dp_eor_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x1, DPF_SHIFTED); }
static int dp_sub_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x2, DPF_IMM); }
static int dp_sub_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x2, DPF_REG); }
static int dp_sub_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x2, DPF_SHIFTED); }
static int dp_rsb_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x3, DPF_IMM); }
static int dp_rsb_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x3, DPF_REG); }
static int dp_rsb_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x3, DPF_SHIFTED); }
static int dp_add_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x4, DPF_IMM); }
static int dp_add_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x4, DPF_REG); }
static int dp_add_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x4, DPF_SHIFTED); }
static int dp_adc_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x5, DPF_IMM); }
static int dp_adc_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x5, DPF_REG); }
static int dp_adc_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x5, DPF_SHIFTED); }
static int dp_sbc_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x6, DPF_IMM); }
static int dp_sbc_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x6, DPF_REG); }
static int dp_sbc_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x6, DPF_SHIFTED); }
static int dp_rsc_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x7, DPF_IMM); }
static int dp_rsc_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x7, DPF_REG); }
static int dp_rsc_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x7, DPF_SHIFTED); }
static int dp_tst_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x8, DPF_IMM); }
static int dp_tst_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x8, DPF_REG); }
static int dp_tst_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x8, DPF_SHIFTED); }
static int dp_teq_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x9, DPF_IMM); }
static int dp_teq_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x9, DPF_REG); }
static int dp_teq_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0x9, DPF_SHIFTED); }
static int dp_cmp_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xa, DPF_IMM); }
static int dp_cmp_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xa, DPF_REG); }
static int dp_cmp_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xa, DPF_SHIFTED); }
static int dp_cmn_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xb, DPF_IMM); }
static int dp_cmn_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xb, DPF_REG); }
static int dp_cmn_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xb, DPF_SHIFTED); }
static int dp_orr_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xc, DPF_IMM); }
static int dp_orr_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xc, DPF_REG); }
static int dp_orr_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xc, DPF_SHIFTED); }
static int dp_mov_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xd, DPF_IMM); }
static int dp_mov_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xd, DPF_REG); }
static int dp_mov_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xd, DPF_SHIFTED); }
static int dp_bic_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xe, DPF_IMM); }
static int dp_bic_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xe, DPF_REG); }
static int dp_bic_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xe, DPF_SHIFTED); }
static int dp_mvn_imm(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xf, DPF_IMM); }
static int dp_mvn_reg(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xf, DPF_REG); }
static int dp_mvn_shifted(struct arm_cpu *c, const struct arm_rec *r) { return dp_fast(c, r, 0xf, DPF_SHIFTED); }

static const arm_exec_fn dp_specialized[16][3] = {
    { dp_and_imm, dp_and_reg, dp_and_shifted },
    { dp_eor_imm, dp_eor_reg, dp_eor_shifted },
    { dp_sub_imm, dp_sub_reg, dp_sub_shifted },
    { dp_rsb_imm, dp_rsb_reg, dp_rsb_shifted },
    { dp_add_imm, dp_add_reg, dp_add_shifted },
    { dp_adc_imm, dp_adc_reg, dp_adc_shifted },
    { dp_sbc_imm, dp_sbc_reg, dp_sbc_shifted },
    { dp_rsc_imm, dp_rsc_reg, dp_rsc_shifted },
    { dp_tst_imm, dp_tst_reg, dp_tst_shifted },
    { dp_teq_imm, dp_teq_reg, dp_teq_shifted },
    { dp_cmp_imm, dp_cmp_reg, dp_cmp_shifted },
    { dp_cmn_imm, dp_cmn_reg, dp_cmn_shifted },
    { dp_orr_imm, dp_orr_reg, dp_orr_shifted },
    { dp_mov_imm, dp_mov_reg, dp_mov_shifted },
    { dp_bic_imm, dp_bic_reg, dp_bic_shifted },
    { dp_mvn_imm, dp_mvn_reg, dp_mvn_shifted },
};

void arm_dp_specialize(struct arm_rec *r)
{
    if (r->fn != arm_exec_dp || r->rd == 15 || (r->flags & RF_REGSH))
        return;
    enum dp_form form = (r->flags & RF_IMM) ? DPF_IMM
                        : (r->shift == 0 && r->imm == 0) ? DPF_REG : DPF_SHIFTED;
    r->fn = dp_specialized[r->op & 15][form];
}

/* B, BL (ARM ARM A4.1.5): imm = sign-extended byte offset; op 1 = link. */
int arm_exec_b(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t pc = c->r[15];
    if (r->op)
        c->r[14] = arm_thumb(c) ? c->next_pc | 1 : c->next_pc;
    arm_branch(c, pc + r->imm);
    return ARM_OK;
}

/* BLX (immediate), A4.1.9: always links and enters Thumb. */
int arm_exec_blx_imm(struct arm_cpu *c, const struct arm_rec *r)
{
    c->r[14] = c->pc + 4;
    c->cpsr |= PSR_T;
    arm_branch(c, (c->r[15] + r->imm) & ~1u);
    return ARM_OK;
}

/* BX / BLX (register), A4.1.10 and A4.1.8: op 1 = link. */
int arm_exec_bx(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t target = c->r[r->rm];
    if (r->op)
        c->r[14] = arm_thumb(c) ? c->next_pc | 1 : c->next_pc;
    if (target & 1)
        c->cpsr |= PSR_T;
    else
        c->cpsr &= ~PSR_T;
    arm_branch(c, target & ~1u);
    return ARM_OK;
}

/* MRS, A4.1.38: op 1 = SPSR. From ARMv7 the execution-state bits (IT, J,
 * T) of the CPSR read as zero (ARM ARM v7 B9.3.9: CPSR AND 0xf8ff03df). */
int arm_exec_mrs(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = c->cpsr;
    if (r->op) {
        enum arm_bank bank = arm_mode_bank(c->cpsr);
        v = bank == BANK_USR ? c->cpsr : c->spsr[bank];
    } else if (c->arch >= ARM_V7) {
        v &= 0xf8ff03dfu;
    }
    arm_set_reg(c, r->rd, v);
    return ARM_OK;
}

/* MSR to the CPSR from ARMv6 (ARM ARM v7 B9.3.12, CPSRWriteByInstr with
 * is_excpt_return FALSE): per field, N Z C V Q; GE[3:0]; E (any mode) and A
 * (privileged); I, F (privileged; F only cleared when SCTLR.NMFI is 0) and
 * the mode (privileged). The execution-state bits T, J and IT are never
 * written; neither are the reserved bits 23:20. An invalid mode is
 * UNPREDICTABLE: the mode is then left as it is. */
static void msr_cpsr_v6(struct arm_cpu *c, uint32_t v, unsigned fields)
{
    bool priv = arm_privileged(c);
    uint32_t w = 0;
    if (fields & 8)
        w |= 0xf8000000u;
    if (fields & 4)
        w |= PSR_GE;
    if (fields & 2)
        w |= PSR_E | (priv ? PSR_A : 0);
    if ((fields & 1) && priv) {
        w |= PSR_I;
        if (!(c->sctlr & (1u << 27)) || (v & PSR_F))
            w |= PSR_F;
        if (arm_mode_valid(v))
            w |= PSR_MODE;
    }
    arm_write_cpsr(c, (c->cpsr & ~w) | (v & w));
}

/* MSR, A4.1.39: op 1 = SPSR; shift = field mask (bit 0 control .. bit 3 flags). */
int arm_exec_msr(struct arm_cpu *c, const struct arm_rec *r)
{
    uint32_t v = (r->flags & RF_IMM) ? r->imm : c->r[r->rm];
    uint32_t mask = 0;
    if (r->shift & 1) mask |= 0x000000ffu;
    if (r->shift & 2) mask |= 0x0000ff00u;
    if (r->shift & 4) mask |= 0x00ff0000u;
    if (r->shift & 8) mask |= 0xff000000u;
    if (c->arch >= ARM_V6)
        mask &= ~0x00f00000u;    /* reserved bits 23:20 */
    if (r->op) {
        enum arm_bank bank = arm_mode_bank(c->cpsr);
        if (bank != BANK_USR)
            c->spsr[bank] = (c->spsr[bank] & ~mask) | (v & mask);
        return ARM_OK;
    }
    if (c->arch >= ARM_V6) {
        msr_cpsr_v6(c, v, r->shift);
        return ARM_OK;
    }
    if (!arm_privileged(c))
        mask &= 0xff000000u;     /* user mode may only write the flags */
    /* M[4] is always 1: these cores have no 26-bit modes (A2.5.7). */
    uint32_t old = c->cpsr;
    arm_write_cpsr(c, (c->cpsr & ~mask) | (v & mask) | 0x10u);
    /* Changing T with MSR is UNPREDICTABLE (A4.1.39). The ARM7TDMI does not
     * refill its pipeline: the word fetched at pc + 8 is the next one run,
     * as a Thumb instruction stream from there. */
    if ((old ^ c->cpsr) & PSR_T)
        arm_branch(c, c->pc + 8);
    return ARM_OK;
}

int arm_exec_nop(struct arm_cpu *c, const struct arm_rec *r)
{
    return ARM_OK;
}
