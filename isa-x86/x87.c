/* The x87 instruction set: dispatch of the escapes D8..DF and WAIT, loads
 * and stores of every memory format, arithmetic in every operand form,
 * comparisons, FCMOVcc, stack and control instructions. Environment and
 * state images are in x87_state.c, the transcendentals in x87_trans.c.
 * Intel SDM Vol. 1 chapter 8, Vol. 2A/2B instruction pages. */
#include <string.h>

#include "isa-x86/x87_internal.h"

/* Operand formats of the memory forms. */
enum x87_format { FMT_F32, FMT_F64, FMT_F80, FMT_I16, FMT_I32, FMT_I64, FMT_BCD };

static const uint8_t format_size[] = { 4, 8, 10, 2, 4, 8, 10 };

static uint64_t le_get(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | b[i];
    return v;
}

static void le_put(uint8_t *b, unsigned n, uint64_t v)
{
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* A memory operand as an arithmetic source. An SNaN stays signaling so
 * that the operation applies the NaN rules to it; a denormal single or
 * double raises DE (it is normal once extended). */
static struct f80 load_operand(enum x87_format fmt, const uint8_t *b, unsigned *flags)
{
    struct f80_env e = { 0, 64, 0x3F, 0, false };
    struct f80 v;
    switch (fmt) {
    case FMT_F32: {
        uint32_t raw = (uint32_t)le_get(b, 4);
        v = f80_from_f32(&e, raw);
        if ((raw & 0x7F800000) == 0x7F800000 && (raw & 0x7FFFFF) && !(raw & 0x400000))
            v.sig &= ~(1ull << 62);
        break;
    }
    case FMT_F64: {
        uint64_t raw = le_get(b, 8);
        v = f80_from_f64(&e, raw);
        if ((raw & 0x7FF0000000000000ull) == 0x7FF0000000000000ull
            && (raw & 0xFFFFFFFFFFFFFull) && !(raw & 0x8000000000000ull))
            v.sig &= ~(1ull << 62);
        break;
    }
    case FMT_F80: v = f80_from_bytes(b); break;
    case FMT_I16: v = f80_from_int((int16_t)le_get(b, 2)); break;
    case FMT_I32: v = f80_from_int((int32_t)le_get(b, 4)); break;
    case FMT_I64: v = f80_from_int((int64_t)le_get(b, 8)); break;
    default:      v = f80_from_bcd(b); break;
    }
    *flags = e.flags & F80_DE;
    return v;
}

/* Arithmetic selected by ModRM.reg, always as "ST0 op other": reg 4 is
 * ST0 - other, 5 other - ST0, 6 ST0 / other, 7 other / ST0. With DC and
 * DE the destination is ST(i), which gives FSUBR ST(i),ST0 for reg 4 and
 * FSUB ST(i),ST0 for reg 5 exactly as the SDM's opcode tables say. */
static struct f80 arith(struct f80_env *e, unsigned reg, struct f80 st0, struct f80 other)
{
    switch (reg) {
    case 0:  return f80_add(e, st0, other);
    case 1:  return f80_mul(e, st0, other);
    case 4:  return f80_sub(e, st0, other);
    case 5:  return f80_sub(e, other, st0);
    case 6:  return f80_div(e, st0, other);
    default: return f80_div(e, other, st0);
    }
}

/* Stores a result with its flags: unless a pre-computation exception is
 * unmasked, writes ST(dest) and sets C1 from the rounding; then pops. */
static void deliver(struct x87 *f, const struct f80_env *e, unsigned dest, struct f80 v, bool pop)
{
    if (x87_raise(f, e->flags))
        return;
    x87_write_st(f, dest, v);
    x87_set_c1(f, e->round_up && (e->flags & F80_PE));
    if (pop)
        x87_pop(f);
}

/* FADD etc. with two register operands (D8, DC, DE register forms). */
static void exec_arith_reg(struct x87 *f, unsigned reg, unsigned i, bool to_sti, bool pop)
{
    unsigned dest = to_sti ? i : 0;
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        if (x87_stack_fault(f, false)) {
            x87_write_st(f, dest, f80_indefinite);
            if (pop)
                x87_pop(f);
        }
        return;
    }
    struct f80_env e = x87_fenv(f, true);
    struct f80 r = arith(&e, reg, x87_st(f, 0), x87_st(f, i));
    deliver(f, &e, dest, r, pop);
}

/* FCOM/FCOMP/FUCOM.. condition codes (SDM Vol. 2A FCOM Table 3-21). */
static void set_compare_cc(struct x87 *f, enum f80_relation rel)
{
    switch (rel) {
    case F80_GREATER:   x87_set_cc(f, false, false, false, false); break;
    case F80_LESS:      x87_set_cc(f, false, false, false, true); break;
    case F80_EQUAL:     x87_set_cc(f, true, false, false, false); break;
    default:            x87_set_cc(f, true, true, false, true); break;
    }
}

/* FCOM-family: compares ST0 with `other` (already fetched), pops `pops`
 * times. An empty ST0 (or empty register operand, `other_empty`) is a stack
 * underflow. The condition codes are written even when the exception is
 * unmasked (unordered for an invalid operand, as silicon does); the pops
 * happen only when it is masked. */
static void exec_compare(struct x87 *f, struct f80 other, bool other_empty, bool signaling,
                         unsigned pops, unsigned operand_flags)
{
    if (x87_empty(f, 0) || other_empty) {
        bool masked = x87_stack_fault(f, false);
        set_compare_cc(f, F80_UNORDERED);
        if (!masked)
            return;
    } else {
        struct f80_env e = x87_fenv(f, false);
        enum f80_relation rel = f80_compare(&e, x87_st(f, 0), other, signaling);
        set_compare_cc(f, rel);
        if (x87_raise(f, e.flags | operand_flags))
            return;
    }
    while (pops--)
        x87_pop(f);
}

/* FCOMI/FUCOMI(P): the relation in ZF, PF, CF; OF, SF, AF cleared
 * (SDM Vol. 2A FCOMI Table 3-25). */
static void exec_compare_eflags(struct x87 *f, struct x87_env *env, unsigned i, bool signaling,
                                bool pop)
{
    enum f80_relation rel = F80_UNORDERED;
    x87_set_c1(f, false);
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        if (!x87_stack_fault(f, false))
            return;
    } else {
        struct f80_env e = x87_fenv(f, false);
        rel = f80_compare(&e, x87_st(f, 0), x87_st(f, i), signaling);
        if (x87_raise(f, e.flags))
            return;
    }
    uint32_t fl = env->eflags & ~(uint32_t)(X87_EFLAGS_CF | X87_EFLAGS_PF | X87_EFLAGS_ZF
                                           | X87_EFLAGS_OF | X87_EFLAGS_SF | X87_EFLAGS_AF);
    switch (rel) {
    case F80_LESS:      fl |= X87_EFLAGS_CF; break;
    case F80_EQUAL:     fl |= X87_EFLAGS_ZF; break;
    case F80_UNORDERED: fl |= X87_EFLAGS_ZF | X87_EFLAGS_PF | X87_EFLAGS_CF; break;
    default: break;
    }
    env->eflags = fl;
    env->outputs |= X87_OUT_EFLAGS;
    if (pop)
        x87_pop(f);
}

/* FCMOVcc (DA/DB C0..DF): the condition from EFLAGS (SDM Vol. 2A FCMOVcc). */
static void exec_fcmov(struct x87 *f, const struct x87_env *env, unsigned cond, bool negate,
                       unsigned i)
{
    uint32_t fl = env->eflags;
    bool take;
    switch (cond) {
    case 0:  take = fl & X87_EFLAGS_CF; break;                          /* B */
    case 1:  take = fl & X87_EFLAGS_ZF; break;                          /* E */
    case 2:  take = fl & (X87_EFLAGS_CF | X87_EFLAGS_ZF); break;        /* BE */
    default: take = fl & X87_EFLAGS_PF; break;                          /* U */
    }
    take ^= negate;
    /* C1 changes only on a stack fault (SDM Vol. 2A FCMOVcc). */
    if (x87_empty(f, 0) || x87_empty(f, i)) {
        /* Masked, silicon writes the indefinite whatever the condition. */
        if (x87_stack_fault(f, false))
            x87_write_st(f, 0, f80_indefinite);
        return;
    }
    if (take)
        x87_write_st(f, 0, x87_st(f, i));
}

/* FXAM (SDM Vol. 2A FXAM Table 3-46): C3 C2 C0 class, C1 sign. */
static void exec_fxam(struct x87 *f)
{
    struct f80 v = x87_st(f, 0);
    bool c3, c2, c0;
    if (x87_empty(f, 0)) {
        c3 = true; c2 = false; c0 = true;
    } else {
        switch (f80_classify(v)) {
        case F80_CLASS_UNSUPPORTED:     c3 = false; c2 = false; c0 = false; break;
        case F80_CLASS_QNAN:
        case F80_CLASS_SNAN:            c3 = false; c2 = false; c0 = true; break;
        case F80_CLASS_NORMAL:          c3 = false; c2 = true; c0 = false; break;
        case F80_CLASS_INF:             c3 = false; c2 = true; c0 = true; break;
        case F80_CLASS_ZERO:            c3 = true; c2 = false; c0 = false; break;
        default:                        c3 = true; c2 = true; c0 = false; break;
        }
    }
    x87_set_cc(f, c3, c2, f80_sign(v), c0);
}

/* FLD1..FLDZ (SDM Vol. 1 §8.3.8): the constants rounded to 64 bits by
 * RC; down and toward zero agree (all are positive). Rounding to nearest
 * is from the exact value: log10(2) is just above a tie at 66 bits, and
 * silicon rounds it up. */
struct x87_constant {
    uint16_t sign_exp;
    uint64_t nearest, down, up;
};

static const struct x87_constant x87_constants[7] = {
    { 0x3FFF, 0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull }, /* 1 */
    { 0x4000, 0xD49A784BCD1B8AFEull, 0xD49A784BCD1B8AFEull, 0xD49A784BCD1B8AFFull }, /* log2(10) */
    { 0x3FFF, 0xB8AA3B295C17F0BCull, 0xB8AA3B295C17F0BBull, 0xB8AA3B295C17F0BCull }, /* log2(e) */
    { 0x4000, 0xC90FDAA22168C235ull, 0xC90FDAA22168C234ull, 0xC90FDAA22168C235ull }, /* pi */
    { 0x3FFD, 0x9A209A84FBCFF799ull, 0x9A209A84FBCFF798ull, 0x9A209A84FBCFF799ull }, /* log10(2) */
    { 0x3FFE, 0xB17217F7D1CF79ACull, 0xB17217F7D1CF79ABull, 0xB17217F7D1CF79ACull }, /* ln(2) */
    { 0, 0, 0, 0 },                                                                   /* +0 */
};

static struct f80 constant_value(const struct x87 *f, unsigned index)
{
    const struct x87_constant *c = &x87_constants[index];
    unsigned rc = (f->cw >> X87_CW_RC_SHIFT) & 3;
    uint64_t sig = rc == F80_NEAREST ? c->nearest : rc == F80_UP ? c->up : c->down;
    return (struct f80){ sig, c->sign_exp };
}

/* Pushes v; a full stack is a stack overflow (masked: the indefinite is
 * pushed). */
static void push_checked(struct x87 *f, struct f80 v)
{
    if (!x87_empty(f, 7)) {
        if (x87_stack_fault(f, true))
            x87_push(f, f80_indefinite);
        return;
    }
    x87_set_c1(f, false);
    x87_push(f, v);
}

static void exec_fxch(struct x87 *f, unsigned i)
{
    bool fault = x87_empty(f, 0) || x87_empty(f, i);
    if (fault && !x87_stack_fault(f, false))
        return;
    struct f80 a = x87_empty(f, 0) ? f80_indefinite : x87_st(f, 0);
    struct f80 b = x87_empty(f, i) ? f80_indefinite : x87_st(f, i);
    x87_write_st(f, 0, b);
    x87_write_st(f, i, a);
    if (!fault)
        x87_set_c1(f, false);
}

/* FST/FSTP ST(i). */
static void exec_fst_reg(struct x87 *f, unsigned i, bool pop)
{
    if (x87_empty(f, 0)) {
        if (!x87_stack_fault(f, false))
            return;
        x87_write_st(f, i, f80_indefinite);
    } else {
        x87_write_st(f, i, x87_st(f, 0));
        x87_set_c1(f, false);
    }
    if (pop)
        x87_pop(f);
}

/* FXTRACT (SDM Vol. 2A): ST0 = exponent, then push the significand. */
static void exec_fxtract(struct x87 *f)
{
    if (x87_empty(f, 0)) {
        if (x87_stack_fault(f, false)) {
            x87_write_st(f, 0, f80_indefinite);
            push_checked(f, f80_indefinite);
        }
        return;
    }
    if (!x87_empty(f, 7)) {
        if (x87_stack_fault(f, true)) {
            x87_write_st(f, 0, f80_indefinite);
            x87_push(f, f80_indefinite);
        }
        return;
    }
    struct f80 v = x87_st(f, 0), exponent, significand;
    unsigned flags = 0;
    switch (f80_classify(v)) {
    case F80_CLASS_UNSUPPORTED:
        flags = F80_IE;
        exponent = significand = f80_indefinite;
        break;
    case F80_CLASS_SNAN:
        flags = F80_IE;
        /* fall through */
    case F80_CLASS_QNAN:
        v.sig |= 1ull << 62;
        exponent = significand = v;
        break;
    case F80_CLASS_ZERO:
        /* ZE; the exponent is -infinity, the significand the zero. */
        flags = F80_ZE;
        exponent = f80_make(true, 0x7FFF, 1ull << 63);
        significand = v;
        break;
    case F80_CLASS_INF:
        exponent = f80_make(false, 0x7FFF, 1ull << 63);
        significand = v;
        break;
    default: {
        if (f80_classify(v) != F80_CLASS_NORMAL)
            flags = F80_DE;
        unsigned e = f80_exp(v) ? f80_exp(v) : 1;
        uint64_t sig = v.sig;
        int32_t unbiased = (int32_t)e - F80_EXP_BIAS;
        while (!(sig >> 63)) {
            sig <<= 1;
            unbiased--;
        }
        exponent = f80_from_int(unbiased);
        significand = f80_make(f80_sign(v), F80_EXP_BIAS, sig);
        break;
    }
    }
    if (x87_raise(f, flags))
        return;
    x87_set_c1(f, false);
    x87_write_st(f, 0, exponent);
    x87_push(f, significand);
}

/* D9 E0..FF and the other one-byte register forms without operands. */
static void exec_d9_reg(struct x87 *f, uint8_t modrm)
{
    switch (modrm) {
    case 0xE0:      /* FCHS */
    case 0xE1:      /* FABS */
        if (x87_empty(f, 0)) {
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return;
        }
        {
            struct f80 v = x87_st(f, 0);
            v.sign_exp = modrm == 0xE0 ? (uint16_t)(v.sign_exp ^ 0x8000)
                                       : (uint16_t)(v.sign_exp & 0x7FFF);
            x87_write_st(f, 0, v);
            x87_set_c1(f, false);
        }
        return;
    case 0xE4:      /* FTST */
        exec_compare(f, f80_zero, false, true, 0, 0);
        return;
    case 0xE5:
        exec_fxam(f);
        return;
    case 0xF4:
        exec_fxtract(f);
        return;
    case 0xF5:      /* FPREM1 */
    case 0xF8: {    /* FPREM */
        if (x87_empty(f, 0) || x87_empty(f, 1)) {
            f->sw &= (uint16_t)~X87_SW_C2;
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return;
        }
        struct f80_env e = x87_fenv(f, false);
        unsigned q;
        bool partial;
        struct f80 r = f80_rem(&e, x87_st(f, 0), x87_st(f, 1), modrm == 0xF5, &q, &partial);
        if (x87_raise(f, e.flags))
            return;
        x87_write_st(f, 0, r);
        if (f80_is_nan(r))      /* NaN or invalid: C0, C3 stay, C1 C2 cleared (as silicon) */
            f->sw &= (uint16_t)~(X87_SW_C2 | X87_SW_C1);
        else
            x87_set_cc(f, q & 2, partial, q & 1, q & 4);
        return;
    }
    case 0xF6:      /* FDECSTP */
        f->top = (f->top - 1) & 7;
        x87_set_c1(f, false);
        return;
    case 0xF7:      /* FINCSTP */
        f->top = (f->top + 1) & 7;
        x87_set_c1(f, false);
        return;
    case 0xFA: {    /* FSQRT */
        if (x87_empty(f, 0)) {
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return;
        }
        struct f80_env e = x87_fenv(f, true);
        deliver(f, &e, 0, f80_sqrt(&e, x87_st(f, 0)), false);
        return;
    }
    case 0xFC: {    /* FRNDINT */
        if (x87_empty(f, 0)) {
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return;
        }
        struct f80_env e = x87_fenv(f, false);
        deliver(f, &e, 0, f80_round_to_int(&e, x87_st(f, 0)), false);
        return;
    }
    case 0xFD: {    /* FSCALE */
        if (x87_empty(f, 0) || x87_empty(f, 1)) {
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return;
        }
        struct f80_env e = x87_fenv(f, false);
        deliver(f, &e, 0, f80_scale(&e, x87_st(f, 0), x87_st(f, 1)), false);
        return;
    }
    default:
        if (modrm >= 0xE8 && modrm <= 0xEE) {
            push_checked(f, constant_value(f, modrm - 0xE8u));
            return;
        }
        x87_exec_transcendental(f, modrm);   /* F0-F3, F9, FB, FE, FF */
        return;
    }
}

/* Whether a register-form encoding is reserved (#UD). The undocumented
 * aliases (FSTP1 D9 D8+i, FCOM2 DC D0+i, FCOMP3 DC D8+i, FXCH4 DD C8+i,
 * FCOMP5 DE D0+i, FFREEP DF C0+i, FXCH7 DF C8+i, FSTP8/9 DF D0/D8+i) and
 * the 8087/287 leftovers FENI, FDISI, FSETPM (no-ops on the 387+) execute. */
static bool reserved_reg_form(uint8_t op, uint8_t modrm)
{
    switch (op) {
    case 0xD9:
        return (modrm >= 0xD1 && modrm <= 0xD7) || modrm == 0xE2 || modrm == 0xE3
            || modrm == 0xE6 || modrm == 0xE7 || modrm == 0xEF;
    case 0xDA:
        return modrm >= 0xE0 && modrm != 0xE9;
    case 0xDB:
        return (modrm >= 0xE5 && modrm <= 0xE7) || modrm >= 0xF8;
    case 0xDD:
        return modrm >= 0xF0;
    case 0xDE:
        return modrm >= 0xD8 && modrm <= 0xDF && modrm != 0xD9;
    case 0xDF:
        return (modrm >= 0xE1 && modrm <= 0xE7) || modrm >= 0xF8;
    default:
        return false;
    }
}

static bool reserved_mem_form(uint8_t op, unsigned reg)
{
    /* FISTTP (SSE3) is not on the models emulated: DB /1, DD /1, DF /1. */
    switch (op) {
    case 0xD9: return reg == 1;
    case 0xDB: return reg == 1 || reg == 4 || reg == 6;
    case 0xDD: return reg == 1 || reg == 5;
    case 0xDF: return reg == 1;
    default:   return false;
    }
}

/* Non-waiting instructions: run with an exception pending and leave the
 * instruction and data pointers alone (control instructions, SDM Vol. 1
 * §8.3.11, §8.1.8). */
static bool is_no_wait(uint8_t op, uint8_t modrm, bool mem)
{
    unsigned reg = (modrm >> 3) & 7;
    if (mem)
        return (op == 0xD9 && (reg == 6 || reg == 7)) || (op == 0xDD && (reg == 6 || reg == 7));
    return (op == 0xDB && modrm >= 0xE0 && modrm <= 0xE4) || (op == 0xDF && modrm == 0xE0);
}

/* Control instructions: they do not update FIP/FDP/FOP. */
static bool is_control(uint8_t op, uint8_t modrm, bool mem)
{
    unsigned reg = (modrm >> 3) & 7;
    if (mem)
        return (op == 0xD9 && reg >= 4) || (op == 0xDD && (reg == 4 || reg >= 6));
    return is_no_wait(op, modrm, mem);
}

/* The register forms (ModRM.mod = 3) by escape byte and ModRM.reg, as in
 * the SDM's escape opcode map (Vol. 2B Appendix A.4.2, register forms);
 * i = ModRM.rm. */
enum reg_kind {
    REG_ARITH,          /* ST0 = ST0 op ST(i); arg: the operation (see arith) */
    REG_ARITH_STI,      /* ST(i) = ST0 op ST(i) */
    REG_ARITH_STI_POP,  /* the same, then pop */
    REG_FCOM,           /* compare ST0 with ST(i); arg: pops */
    REG_FUCOM,          /* unordered compare; arg: pops */
    REG_FCOMI,          /* compare into EFLAGS; arg: pop */
    REG_FUCOMI,         /* unordered compare into EFLAGS; arg: pop */
    REG_FCMOV,          /* arg: condition (0 B, 1 E, 2 BE, 3 U) | 4 to negate */
    REG_FLD,
    REG_FXCH,
    REG_FST,            /* arg: pop */
    REG_FFREE,          /* arg: pop (FFREEP) */
    REG_BY_MODRM,       /* one instruction per ModRM byte: exec_single */
};

struct reg_form {
    uint8_t kind;       /* enum reg_kind */
    uint8_t arg;
};

static const struct reg_form reg_forms[8][8] = {
    /* D8 */ {
        { REG_ARITH, 0 },           /* FADD ST0, ST(i) */
        { REG_ARITH, 1 },           /* FMUL ST0, ST(i) */
        { REG_FCOM, 0 },            /* FCOM ST(i) */
        { REG_FCOM, 1 },            /* FCOMP ST(i) */
        { REG_ARITH, 4 },           /* FSUB ST0, ST(i) */
        { REG_ARITH, 5 },           /* FSUBR ST0, ST(i) */
        { REG_ARITH, 6 },           /* FDIV ST0, ST(i) */
        { REG_ARITH, 7 },           /* FDIVR ST0, ST(i) */
    },
    /* D9 */ {
        { REG_FLD, 0 },             /* FLD ST(i) */
        { REG_FXCH, 0 },            /* FXCH ST(i) */
        { REG_BY_MODRM, 0 },        /* D0 FNOP */
        { REG_FST, 1 },             /* FSTP1 ST(i) (alias) */
        { REG_BY_MODRM, 0 },        /* E0 FCHS, E1 FABS, E4 FTST, E5 FXAM */
        { REG_BY_MODRM, 0 },        /* E8..EE the constants */
        { REG_BY_MODRM, 0 },        /* F0..F7 F2XM1 .. FINCSTP */
        { REG_BY_MODRM, 0 },        /* F8..FF FPREM .. FCOS */
    },
    /* DA */ {
        { REG_FCMOV, 0 },           /* FCMOVB ST0, ST(i) */
        { REG_FCMOV, 1 },           /* FCMOVE */
        { REG_FCMOV, 2 },           /* FCMOVBE */
        { REG_FCMOV, 3 },           /* FCMOVU */
        { REG_BY_MODRM, 0 },        /* reserved */
        { REG_BY_MODRM, 0 },        /* E9 FUCOMPP */
        { REG_BY_MODRM, 0 },        /* reserved */
        { REG_BY_MODRM, 0 },        /* reserved */
    },
    /* DB */ {
        { REG_FCMOV, 4 | 0 },       /* FCMOVNB ST0, ST(i) */
        { REG_FCMOV, 4 | 1 },       /* FCMOVNE */
        { REG_FCMOV, 4 | 2 },       /* FCMOVNBE */
        { REG_FCMOV, 4 | 3 },       /* FCMOVNU */
        { REG_BY_MODRM, 0 },        /* E0 FNENI, E1 FNDISI, E2 FNCLEX, E3 FNINIT, E4 FNSETPM */
        { REG_FUCOMI, 0 },          /* FUCOMI ST0, ST(i) */
        { REG_FCOMI, 0 },           /* FCOMI ST0, ST(i) */
        { REG_BY_MODRM, 0 },        /* reserved */
    },
    /* DC */ {
        { REG_ARITH_STI, 0 },       /* FADD ST(i), ST0 */
        { REG_ARITH_STI, 1 },       /* FMUL ST(i), ST0 */
        { REG_FCOM, 0 },            /* FCOM2 ST(i) (alias) */
        { REG_FCOM, 1 },            /* FCOMP3 ST(i) (alias) */
        { REG_ARITH_STI, 4 },       /* FSUBR ST(i), ST0 */
        { REG_ARITH_STI, 5 },       /* FSUB ST(i), ST0 */
        { REG_ARITH_STI, 6 },       /* FDIVR ST(i), ST0 */
        { REG_ARITH_STI, 7 },       /* FDIV ST(i), ST0 */
    },
    /* DD */ {
        { REG_FFREE, 0 },           /* FFREE ST(i) */
        { REG_FXCH, 0 },            /* FXCH4 ST(i) (alias) */
        { REG_FST, 0 },             /* FST ST(i) */
        { REG_FST, 1 },             /* FSTP ST(i) */
        { REG_FUCOM, 0 },           /* FUCOM ST(i) */
        { REG_FUCOM, 1 },           /* FUCOMP ST(i) */
        { REG_BY_MODRM, 0 },        /* reserved */
        { REG_BY_MODRM, 0 },        /* reserved */
    },
    /* DE */ {
        { REG_ARITH_STI_POP, 0 },   /* FADDP ST(i), ST0 */
        { REG_ARITH_STI_POP, 1 },   /* FMULP ST(i), ST0 */
        { REG_FCOM, 1 },            /* FCOMP5 ST(i) (alias) */
        { REG_BY_MODRM, 0 },        /* D9 FCOMPP */
        { REG_ARITH_STI_POP, 4 },   /* FSUBRP ST(i), ST0 */
        { REG_ARITH_STI_POP, 5 },   /* FSUBP ST(i), ST0 */
        { REG_ARITH_STI_POP, 6 },   /* FDIVRP ST(i), ST0 */
        { REG_ARITH_STI_POP, 7 },   /* FDIVP ST(i), ST0 */
    },
    /* DF */ {
        { REG_FFREE, 1 },           /* FFREEP ST(i) (alias) */
        { REG_FXCH, 0 },            /* FXCH7 ST(i) (alias) */
        { REG_FST, 1 },             /* FSTP8 ST(i) (alias) */
        { REG_FST, 1 },             /* FSTP9 ST(i) (alias) */
        { REG_BY_MODRM, 0 },        /* E0 FNSTSW AX */
        { REG_FUCOMI, 1 },          /* FUCOMIP ST0, ST(i) */
        { REG_FCOMI, 1 },           /* FCOMIP ST0, ST(i) */
        { REG_BY_MODRM, 0 },        /* reserved */
    },
};

/* The register forms that are one instruction per ModRM byte (the
 * reserved ones never get here: reserved_reg_form). */
static void exec_single(struct x87 *f, struct x87_env *env, uint8_t op, uint8_t modrm)
{
    switch (op << 8 | modrm) {
    case 0xD9D0:                                      /* FNOP */
        break;
    case 0xDAE9:                                      /* FUCOMPP */
        exec_compare(f, x87_st(f, 1), x87_empty(f, 1), false, 2, 0);
        break;
    case 0xDBE2:                                      /* FNCLEX */
        f->sw &= (uint16_t)~(0x00FF | X87_SW_B);
        break;
    case 0xDBE3:                                      /* FNINIT */
        x87_init(f);
        break;
    case 0xDED9:                                      /* FCOMPP */
        exec_compare(f, x87_st(f, 1), x87_empty(f, 1), true, 2, 0);
        break;
    case 0xDFE0:                                      /* FNSTSW AX */
        env->ax = x87_status_word(f);
        env->outputs |= X87_OUT_AX;
        break;
    default:
        if (op == 0xD9)
            exec_d9_reg(f, modrm);                    /* D9 E0..FF */
        /* DB E0 FNENI, E1 FNDISI, E4 FNSETPM: no-ops on the 387+ */
        break;
    }
}

static enum x87_result exec_register_form(struct x87 *f, struct x87_env *env, uint8_t op,
                                          uint8_t modrm)
{
    const struct reg_form *form = &reg_forms[op - 0xD8][(modrm >> 3) & 7];
    unsigned i = modrm & 7, arg = form->arg;
    switch ((enum reg_kind)form->kind) {
    case REG_ARITH:         exec_arith_reg(f, arg, i, false, false); break;
    case REG_ARITH_STI:     exec_arith_reg(f, arg, i, true, false); break;
    case REG_ARITH_STI_POP: exec_arith_reg(f, arg, i, true, true); break;
    case REG_FCOM:   exec_compare(f, x87_st(f, i), x87_empty(f, i), true, arg, 0); break;
    case REG_FUCOM:  exec_compare(f, x87_st(f, i), x87_empty(f, i), false, arg, 0); break;
    case REG_FCOMI:  exec_compare_eflags(f, env, i, true, arg); break;
    case REG_FUCOMI: exec_compare_eflags(f, env, i, false, arg); break;
    case REG_FCMOV:  exec_fcmov(f, env, arg & 3, arg & 4, i); break;
    case REG_FLD:
        if (x87_empty(f, i)) {
            /* Underflow wins over a full stack (as silicon): C1 = 0. */
            if (x87_stack_fault(f, false))
                x87_push(f, f80_indefinite);
            break;
        }
        push_checked(f, x87_st(f, i));
        break;
    case REG_FXCH:   exec_fxch(f, i); break;
    case REG_FST:    exec_fst_reg(f, i, arg); break;
    case REG_FFREE:
        /* C0..C3 undefined (SDM); silicon clears C1. */
        f->valid &= (uint8_t)~(1u << x87_phys(f, i));
        x87_set_c1(f, false);
        if (arg)
            x87_pop(f);
        break;
    default:         exec_single(f, env, op, modrm); break;
    }
    return X87_OK;
}

/* Memory forms that load a value: FLD m32/m64/m80, FILD, FBLD. */
static void exec_load(struct x87 *f, enum x87_format fmt, const uint8_t *b)
{
    struct f80_env e = x87_fenv(f, false);
    struct f80 v;
    switch (fmt) {
    case FMT_F32: v = f80_from_f32(&e, (uint32_t)le_get(b, 4)); break;
    case FMT_F64: v = f80_from_f64(&e, le_get(b, 8)); break;
    default: {
        unsigned unused;
        v = load_operand(fmt, b, &unused);
        break;
    }
    }
    if (!x87_empty(f, 7)) {
        if (x87_stack_fault(f, true))
            x87_push(f, f80_indefinite);
        return;
    }
    /* A denormal single or double is loaded even with DE unmasked (as
     * silicon does); an unmasked IE (SNaN) stops the load. */
    if (x87_raise(f, e.flags) && (e.flags & ~f->cw & F80_IE))
        return;
    x87_set_c1(f, false);
    x87_push(f, v);
}

/* Memory forms that store ST0: builds the image in out; returns false when
 * nothing is to be written (unmasked exception). */
static bool prepare_store(const struct x87 *f, enum x87_format fmt, uint8_t *out,
                          unsigned *flags, bool *round_up, bool *underflow)
{
    *underflow = x87_empty(f, 0);
    struct f80_env e = x87_fenv(f, false);
    struct f80 v = x87_st(f, 0);
    if (*underflow) {
        if (!(f->cw & X87_CW_IM))
            return false;
        v = f80_indefinite;
    }
    switch (fmt) {
    case FMT_F32: le_put(out, 4, f80_to_f32(&e, v)); break;
    case FMT_F64: le_put(out, 8, f80_to_f64(&e, v)); break;
    case FMT_F80: f80_to_bytes(v, out); break;
    case FMT_I16: le_put(out, 2, (uint64_t)f80_to_int(&e, v, 16)); break;
    case FMT_I32: le_put(out, 4, (uint64_t)f80_to_int(&e, v, 32)); break;
    case FMT_I64: le_put(out, 8, (uint64_t)f80_to_int(&e, v, 64)); break;
    default:      f80_to_bcd(&e, v, out); break;
    }
    if (*underflow)
        e.flags = 0;
    *flags = e.flags;
    *round_up = e.round_up && (e.flags & F80_PE);
    /* A memory destination takes nothing when IE, OE or UE is unmasked
     * (SDM Vol. 1 §4.9.2, §8.5.4, §8.5.5). */
    return !(e.flags & ~f->cw & (F80_IE | F80_OE | F80_UE));
}

/* The format and operation of a memory form, by escape byte and
 * ModRM.reg (SDM Vol. 2A Table A-7, the escape opcode map). */
enum mem_kind { MEM_ARITH, MEM_LOAD, MEM_STORE, MEM_STORE_POP, MEM_OTHER };

struct mem_form {
    uint8_t kind;     /* enum mem_kind */
    uint8_t fmt;      /* enum x87_format */
};

static const struct mem_form mem_forms[4][8] = {
    /* D9: FLD m32, -, FST m32, FSTP m32, FLDENV, FLDCW, FNSTENV, FNSTCW */
    { { MEM_LOAD, FMT_F32 }, { MEM_OTHER, 0 }, { MEM_STORE, FMT_F32 }, { MEM_STORE_POP, FMT_F32 },
      { MEM_OTHER, 0 }, { MEM_OTHER, 0 }, { MEM_OTHER, 0 }, { MEM_OTHER, 0 } },
    /* DB: FILD m32, -, FIST m32, FISTP m32, -, FLD m80, -, FSTP m80 */
    { { MEM_LOAD, FMT_I32 }, { MEM_OTHER, 0 }, { MEM_STORE, FMT_I32 }, { MEM_STORE_POP, FMT_I32 },
      { MEM_OTHER, 0 }, { MEM_LOAD, FMT_F80 }, { MEM_OTHER, 0 }, { MEM_STORE_POP, FMT_F80 } },
    /* DD: FLD m64, -, FST m64, FSTP m64, FRSTOR, -, FNSAVE, FNSTSW m16 */
    { { MEM_LOAD, FMT_F64 }, { MEM_OTHER, 0 }, { MEM_STORE, FMT_F64 }, { MEM_STORE_POP, FMT_F64 },
      { MEM_OTHER, 0 }, { MEM_OTHER, 0 }, { MEM_OTHER, 0 }, { MEM_OTHER, 0 } },
    /* DF: FILD m16, -, FIST m16, FISTP m16, FBLD, FILD m64, FBSTP, FISTP m64 */
    { { MEM_LOAD, FMT_I16 }, { MEM_OTHER, 0 }, { MEM_STORE, FMT_I16 }, { MEM_STORE_POP, FMT_I16 },
      { MEM_LOAD, FMT_BCD }, { MEM_LOAD, FMT_I64 }, { MEM_STORE_POP, FMT_BCD },
      { MEM_STORE_POP, FMT_I64 } },
};

/* D8, DA, DC, DE: arithmetic with m32real, m32int, m64real, m16int. */
static const uint8_t arith_formats[4] = { FMT_F32, FMT_I32, FMT_F64, FMT_I16 };

static enum mem_kind mem_form(uint8_t op, unsigned reg, enum x87_format *fmt)
{
    unsigned row = (op - 0xD8u) >> 1;
    if (!(op & 1)) {
        *fmt = (enum x87_format)arith_formats[row];
        return MEM_ARITH;
    }
    *fmt = (enum x87_format)mem_forms[row][reg].fmt;
    return (enum mem_kind)mem_forms[row][reg].kind;
}

static enum x87_result exec_memory_form(struct x87 *f, const struct x87_insn *insn,
                                        struct x87_env *env)
{
    uint8_t op = insn->opcode;
    unsigned reg = (insn->modrm >> 3) & 7;
    uint8_t buf[108];
    enum x87_format fmt;
    enum mem_kind kind = mem_form(op, reg, &fmt);
    int rc;

    if (kind == MEM_ARITH || kind == MEM_LOAD) {
        unsigned size = format_size[fmt];
        rc = env->read(env->ctx, insn->offset, size, buf);
        if (rc) {
            env->fault = rc;
            return X87_MEM_FAULT;
        }
        if (kind == MEM_LOAD) {
            exec_load(f, fmt, buf);
            return X87_OK;
        }
        unsigned flags;
        struct f80 other = load_operand(fmt, buf, &flags);
        /* A denormal memory operand raises DE unless ST0 decides the
         * result (NaN or unsupported), as for register operands. */
        enum f80_class c0 = f80_classify(x87_st(f, 0));
        if (c0 == F80_CLASS_QNAN || c0 == F80_CLASS_SNAN || c0 == F80_CLASS_UNSUPPORTED)
            flags = 0;
        if (reg == 2 || reg == 3) {
            exec_compare(f, other, false, true, reg - 2, flags);
            return X87_OK;
        }
        if (x87_empty(f, 0)) {
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return X87_OK;
        }
        struct f80_env e = x87_fenv(f, true);
        struct f80 r = arith(&e, reg, x87_st(f, 0), other);
        /* A zero divisor takes precedence over the denormal (as for
         * registers, see f80_div). */
        if (!(e.flags & F80_ZE))
            e.flags |= (uint8_t)flags;
        deliver(f, &e, 0, r, false);
        return X87_OK;
    }
    if (kind == MEM_STORE || kind == MEM_STORE_POP) {
        unsigned flags;
        bool round_up, underflow;
        bool store = prepare_store(f, fmt, buf, &flags, &round_up, &underflow);
        if (store) {
            rc = env->write(env->ctx, insn->offset, format_size[fmt], buf);
            if (rc) {
                env->fault = rc;
                return X87_MEM_FAULT;
            }
        }
        if (underflow) {
            if (x87_stack_fault(f, false) && kind == MEM_STORE_POP)
                x87_pop(f);
            return X87_OK;
        }
        x87_raise(f, flags);
        if (!store)
            return X87_OK;
        x87_set_c1(f, round_up);
        if (kind == MEM_STORE_POP)
            x87_pop(f);
        return X87_OK;
    }

    /* The control forms. */
    bool op32 = insn->op32;
    switch (op == 0xD9 ? reg : 8 + reg) {
    case 4:           /* FLDENV */
    case 8 + 4: {     /* FRSTOR */
        unsigned size = x87_env_size(op32) + (op == 0xDD ? 80 : 0);
        rc = env->read(env->ctx, insn->offset, size, buf);
        if (rc) {
            env->fault = rc;
            return X87_MEM_FAULT;
        }
        x87_env_load(f, env->mode, op32, buf);
        if (op == 0xDD) {
            for (unsigned i = 0; i < 8; i++)
                f->st[x87_phys(f, i)] = f80_from_bytes(buf + x87_env_size(op32) + 10 * i);
        }
        return X87_OK;
    }
    case 5:           /* FLDCW */
        rc = env->read(env->ctx, insn->offset, 2, buf);
        if (rc) {
            env->fault = rc;
            return X87_MEM_FAULT;
        }
        f->cw = (uint16_t)((le_get(buf, 2) & 0x1F3F) | 0x40);
        x87_update_es(f);
        return X87_OK;
    case 6:           /* FNSTENV */
    case 8 + 6: {     /* FNSAVE */
        unsigned size = x87_env_size(op32);
        x87_env_store(f, env->mode, op32, buf);
        if (op == 0xDD) {
            for (unsigned i = 0; i < 8; i++)
                f80_to_bytes(x87_st(f, i), buf + size + 10 * i);
            size += 80;
        }
        rc = env->write(env->ctx, insn->offset, size, buf);
        if (rc) {
            env->fault = rc;
            return X87_MEM_FAULT;
        }
        if (op == 0xDD) {
            x87_init(f);
        } else {
            /* FNSTENV masks all exceptions afterwards (SDM Vol. 2A FSTENV). */
            f->cw |= 0x3F;
            x87_update_es(f);
        }
        return X87_OK;
    }
    case 7:           /* FNSTCW */
    case 8 + 7:       /* FNSTSW m16 */
        le_put(buf, 2, op == 0xD9 ? f->cw : x87_status_word(f));
        rc = env->write(env->ctx, insn->offset, 2, buf);
        if (rc) {
            env->fault = rc;
            return X87_MEM_FAULT;
        }
        return X87_OK;
    default:
        return X87_UNDEFINED;
    }
}

enum x87_result x87_execute(struct x87 *f, const struct x87_insn *insn, struct x87_env *env)
{
    env->outputs = 0;
    if (insn->opcode == 0x9B)
        return (f->sw & X87_SW_ES) ? X87_RAISE_MF : X87_OK;
    if (insn->opcode < 0xD8 || insn->opcode > 0xDF)
        return X87_UNDEFINED;
    uint8_t op = insn->opcode, modrm = insn->modrm;
    bool mem = insn->mem;
    if (mem ? reserved_mem_form(op, (modrm >> 3) & 7) : reserved_reg_form(op, modrm))
        return X87_UNDEFINED;
    if (!is_no_wait(op, modrm, mem) && (f->sw & X87_SW_ES))
        return X87_RAISE_MF;

    /* State before the instruction, for the pointer bookkeeping after a
     * memory fault (which must leave everything unchanged). */
    enum x87_result r = mem ? exec_memory_form(f, insn, env)
                            : exec_register_form(f, env, op, modrm);
    if (r != X87_OK || is_control(op, modrm, mem))
        return r;
    /* SDM Vol. 1 §8.1.8, §8.1.9: the last non-control instruction. */
    f->fcs = insn->cs;
    f->fip = insn->eip;
    f->fop = (uint16_t)(((op & 7u) << 8) | modrm);
    if (mem) {
        f->fds = insn->data_sel;
        f->fdp = insn->offset;
    }
    return X87_OK;
}

void x87_reset(struct x87 *f)
{
    memset(f, 0, sizeof(*f));
    f->cw = 0x0040;
    f->valid = 0xFF;      /* tag word 0x5555: every register +0.0 */
}

void x87_init(struct x87 *f)
{
    f->cw = 0x037F;
    f->sw = 0;
    f->top = 0;
    f->valid = 0;
    f->fop = 0;
    f->fcs = f->fds = 0;
    f->fip = f->fdp = 0;
}

uint16_t x87_status_word(const struct x87 *f)
{
    return (uint16_t)((f->sw & ~(7u << X87_SW_TOP_SHIFT)) | ((unsigned)f->top << X87_SW_TOP_SHIFT));
}

/* SDM Vol. 1 §8.1.7 Figure 8-7: 00 valid, 01 zero, 10 special, 11 empty. */
uint16_t x87_tag_word(const struct x87 *f)
{
    uint16_t tw = 0;
    for (unsigned p = 0; p < 8; p++) {
        unsigned tag;
        if (!((f->valid >> p) & 1)) {
            tag = 3;
        } else {
            enum f80_class c = f80_classify(f->st[p]);
            tag = c == F80_CLASS_NORMAL ? 0 : c == F80_CLASS_ZERO ? 1 : 2;
        }
        tw |= (uint16_t)(tag << (2 * p));
    }
    return tw;
}

bool x87_error_pending(const struct x87 *f)
{
    return (f->sw & X87_SW_ES) != 0;
}

struct f80 x87_get_st(const struct x87 *f, unsigned i)
{
    return x87_st(f, i & 7);
}

void x87_set_st(struct x87 *f, unsigned i, struct f80 v)
{
    x87_write_st(f, i & 7, v);
}
