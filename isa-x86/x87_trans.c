/* The x87 transcendental instructions: FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
 * F2XM1, FYL2X, FYL2XP1 (SDM Vol. 2A/2B instruction pages, Vol. 1 §8.3.10).
 *
 * Everything is integer arithmetic on a 128-bit-significand "wide" float;
 * each result is computed to about 120 correct bits and rounded once to
 * the 64-bit register format per RC (precision control does not apply).
 * Argument reduction for FSIN/FCOS/FSINCOS/FPTAN is done exactly against
 * the 66-bit value of pi the x87 uses internally (SDM Vol. 1 §8.3.10), so
 * large arguments give the same results as silicon rather than the
 * mathematically exact ones. docs/x87.md states the measured accuracy. */
#include <stddef.h>

#include "isa-x86/softfloat80_internal.h"
#include "isa-x86/x87_internal.h"

/* value = m * 2^(e - 127), m with bit 127 set; m == 0 is zero. */
struct wide {
    bool neg;
    int32_t e;
    struct u128 m;
};

/* 128-bit constants (rounded to nearest). */
static const struct wide wide_ln2 = { false, -1, { 0xB17217F7D1CF79ABull, 0xC9E3B39803F2F6AFull } };
static const struct wide wide_pi = { false, 1, { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull } };
static const struct wide wide_inv_ln2 = { false, 0,
                                           { 0xB8AA3B295C17F0BBull, 0xBE87FED0691D3E89ull } };
/* atan(k/8), k = 1..8 */
static const struct wide wide_atan_eighths[8] = {
    { false, -4, { 0xFEADD4D5617B6E32ull, 0xC897989F3E888EF8ull } },
    { false, -3, { 0xFADBAFC96406EB15ull, 0x6DC79EF5F7A217E6ull } },
    { false, -2, { 0xB7B0CA0F26F78473ull, 0x8AA32122DCFE4483ull } },
    { false, -2, { 0xED63382B0DDA7B45ull, 0x6FE445ECBC3A8D03ull } },
    { false, -1, { 0x8F005D5EF7F59F9Bull, 0x5C835E1665C43748ull } },
    { false, -1, { 0xA4BC7D1934F70924ull, 0x19A87F2A457DAC9Full } },
    { false, -1, { 0xB8053E2BC2319E73ull, 0xCB2DA55210A4443Dull } },
    { false, -1, { 0xC90FDAA22168C234ull, 0xC4C6628B80DC1CD1ull } },
};
/* pi rounded to 66 bits, times 2^64: the x87's internal pi. */
static const struct u128 pi66_scaled = { 0x3ull, 0x243F6A8885A308D3ull };

static bool wide_is_zero(struct wide a)
{
    return a.m.hi == 0 && a.m.lo == 0;
}

static struct wide wide_normalize(bool neg, int32_t e, struct u128 m)
{
    struct wide r = { neg, e, m };
    if (m.hi == 0 && m.lo == 0)
        return r;
    unsigned s = m.hi ? sf_clz64(m.hi) : 64 + sf_clz64(m.lo);
    r.m = sf_shl128(m, s);
    r.e = e - (int32_t)s;
    return r;
}

static struct wide wide_from_f80(struct f80 a)
{
    struct sf_unpacked u = sf_unpack(a);
    struct wide r = { u.sign, u.exp - F80_EXP_BIAS, { u.sig, 0 } };
    return r;
}

static struct wide wide_from_int(int32_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)(int64_t)v : (uint64_t)v;
    return wide_normalize(v < 0, 127, (struct u128){ 0, mag });
}

static struct f80 wide_to_f80(struct f80_env *e, struct wide a)
{
    if (wide_is_zero(a))
        return f80_make(a.neg, 0, 0);
    /* Keep the approximation visible as inexact even when the top bits
     * happen to be exact. */
    struct u128 m = a.m;
    m.lo |= 1;
    return sf_round_pack64(e, a.neg, a.e + F80_EXP_BIAS, m);
}

static struct wide wide_mul(struct wide a, struct wide b)
{
    struct wide r = { a.neg != b.neg, 0, { 0, 0 } };
    if (wide_is_zero(a) || wide_is_zero(b))
        return r;
    struct u128 ll = sf_mul64(a.m.lo, b.m.lo), lh = sf_mul64(a.m.lo, b.m.hi);
    struct u128 hl = sf_mul64(a.m.hi, b.m.lo), hh = sf_mul64(a.m.hi, b.m.hi);
    /* bits 64..191 of the middle sum */
    struct u128 mid = sf_add128((struct u128){ 0, lh.lo }, (struct u128){ 0, hl.lo });
    mid = sf_add128(mid, (struct u128){ 0, ll.hi });
    struct u128 top = sf_add128(hh, (struct u128){ 0, lh.hi });
    top = sf_add128(top, (struct u128){ 0, hl.hi });
    top = sf_add128(top, (struct u128){ 0, mid.hi });
    uint64_t below = mid.lo;   /* bits 64..127 of the product */
    if (top.hi >> 63) {
        r.e = a.e + b.e + 1;
        r.m = top;
    } else {
        r.e = a.e + b.e;
        r.m = sf_shl128(top, 1);
        r.m.lo |= below >> 63;
    }
    return r;
}

static struct wide wide_add(struct wide a, struct wide b)
{
    if (wide_is_zero(a))
        return b;
    if (wide_is_zero(b))
        return a;
    if (a.e < b.e || (a.e == b.e && sf_lt128(a.m, b.m))) {
        struct wide t = a;
        a = b;
        b = t;
    }
    unsigned d = (unsigned)(a.e - b.e);
    /* One guard bit at the top for the carry. */
    struct u128 x = sf_shr128_jam(a.m, 1);
    struct u128 y = sf_shr128_jam(b.m, d + 1 > 200 ? 200 : d + 1);
    struct u128 s = a.neg == b.neg ? sf_add128(x, y) : sf_sub128(x, y);
    return wide_normalize(a.neg, a.e + 1, s);
}

static struct wide wide_sub(struct wide a, struct wide b)
{
    b.neg = !b.neg;
    return wide_add(a, b);
}

static struct wide wide_div_small(struct wide a, uint32_t d)
{
    /* a.m / d by 32-bit limbs; the quotient keeps 128 - log2(d) bits. */
    uint64_t limbs[4] = { a.m.hi >> 32, (uint32_t)a.m.hi, a.m.lo >> 32, (uint32_t)a.m.lo };
    uint64_t rem = 0, q[4];
    for (int i = 0; i < 4; i++) {
        uint64_t cur = rem << 32 | limbs[i];
        q[i] = cur / d;
        rem = cur % d;
    }
    struct u128 m = { q[0] << 32 | q[1], q[2] << 32 | q[3] };
    return wide_normalize(a.neg, a.e, m);
}

static struct wide wide_div(struct wide a, struct wide b)
{
    struct wide r = { a.neg != b.neg, 0, { 0, 0 } };
    if (wide_is_zero(a))
        return r;
    bool ge = !sf_lt128(a.m, b.m);
    struct u128 rem = a.m, q = { 0, 0 };
    bool top = false;
    if (!ge) {
        top = rem.hi >> 63;
        rem = sf_shl128(rem, 1);
    }
    for (unsigned i = 0; i < 128; i++) {
        q = sf_shl128(q, 1);
        if (top || !sf_lt128(rem, b.m)) {
            rem = sf_sub128(rem, b.m);
            q.lo |= 1;
        }
        top = rem.hi >> 63;
        rem = sf_shl128(rem, 1);
    }
    r.e = a.e - b.e - (ge ? 0 : 1);
    r.m = q;
    return r;
}

/* sin(r) and cos(r) for |r| <= about pi/4 by their Taylor series. Every
 * series adds its first negligible term too: the sticky bit it leaves
 * tells the final rounding on which side of the sum the true value lies
 * (sin x is just below x, cos x just below 1). */
static struct wide wide_sin_series(struct wide r)
{
    struct wide r2 = wide_mul(r, r), term = r, sum = r;
    for (uint32_t k = 1; k < 40 && !wide_is_zero(term); k++) {
        term = wide_div_small(wide_mul(term, r2), (2 * k) * (2 * k + 1));
        term.neg = !term.neg;
        sum = wide_add(sum, term);
        if (term.e < sum.e - 135)
            break;
    }
    return sum;
}

static struct wide wide_cos_series(struct wide r)
{
    struct wide r2 = wide_mul(r, r), one = wide_from_int(1), term = one, sum = one;
    for (uint32_t k = 1; k < 40 && !wide_is_zero(term); k++) {
        term = wide_div_small(wide_mul(term, r2), (2 * k - 1) * (2 * k));
        term.neg = !term.neg;
        sum = wide_add(sum, term);
        if (term.e < -135)
            break;
    }
    return sum;
}

/* e^t - 1 for |t| below about 1. */
static struct wide wide_expm1_series(struct wide t)
{
    struct wide term = t, sum = t;
    for (uint32_t n = 2; n < 60 && !wide_is_zero(term); n++) {
        term = wide_div_small(wide_mul(term, t), n);
        sum = wide_add(sum, term);
        if (term.e < sum.e - 135)
            break;
    }
    return sum;
}

/* 2 * atanh(s) = ln((1+s)/(1-s)) for small |s|. */
static struct wide wide_atanh2_series(struct wide s)
{
    struct wide s2 = wide_mul(s, s), power = s, sum = s;
    for (uint32_t k = 1; k < 80 && !wide_is_zero(power); k++) {
        power = wide_mul(power, s2);
        struct wide term = wide_div_small(power, 2 * k + 1);
        sum = wide_add(sum, term);
        if (term.e < sum.e - 135)
            break;
    }
    sum.e += 1;
    return sum;
}

/* atan(u) for |u| <= 1/16 (after the table step). */
static struct wide wide_atan_series(struct wide u)
{
    struct wide u2 = wide_mul(u, u), power = u, sum = u;
    for (uint32_t k = 1; k < 60 && !wide_is_zero(power); k++) {
        power = wide_mul(power, u2);
        power.neg = !power.neg;
        struct wide term = wide_div_small(power, 2 * k + 1);
        sum = wide_add(sum, term);
        if (term.e < sum.e - 135)
            break;
    }
    return sum;
}

/* atan(t) for 0 <= t <= 1: atan(c) + atan((t - c) / (1 + t c)), c = k/8. */
static struct wide wide_atan_unit(struct wide t)
{
    if (wide_is_zero(t))
        return t;
    /* k = round(8 t) */
    int32_t k = 0;
    if (t.e >= -4) {
        unsigned shift = (unsigned)(127 - (t.e + 4));   /* floor(16 t); t <= 1: >= 123 */
        uint64_t sixteenths = t.m.hi >> (shift - 64);
        k = (int32_t)((sixteenths + 1) >> 1);
        if (k > 8)
            k = 8;
    }
    if (k == 0)
        return wide_atan_series(t);
    struct wide c = wide_div_small(wide_from_int(k), 8);
    struct wide u = wide_div(wide_sub(t, c), wide_add(wide_from_int(1), wide_mul(t, c)));
    return wide_add(wide_atan_eighths[k - 1], wide_atan_series(u));
}

/* ln(x) for x > 0 finite: x = m 2^k with m in [sqrt(1/2), sqrt(2)),
 * ln m = 2 atanh((m - 1) / (m + 1)). */
static struct wide wide_ln(struct wide x)
{
    int32_t k = x.e;
    struct wide m = x;
    m.e = 0;
    /* sqrt(2) = 1.0110101... : compare with the top bits 0xB504F333F9DE6484 */
    if (m.m.hi > 0xB504F333F9DE6484ull) {
        m.e = -1;
        k++;
    }
    struct wide one = wide_from_int(1);
    struct wide s = wide_div(wide_sub(m, one), wide_add(m, one));
    struct wide r = wide_atanh2_series(s);
    if (k)
        r = wide_add(r, wide_mul(wide_from_int(k), wide_ln2));
    return r;
}

/* Exact reduction of |x| (finite, below 2^63) modulo the 66-bit pi/2:
 * the remainder in [0, pi66/2) and the quotient's low two bits. */
static struct wide reduce_pi66(struct f80 x, unsigned *quadrant)
{
    struct sf_unpacked u = sf_unpack(x);
    int32_t E = u.exp - F80_EXP_BIAS - 63;       /* |x| = sig * 2^E */
    *quadrant = 0;
    if (E < -65) {
        struct wide r = { false, u.exp - F80_EXP_BIAS, { u.sig, 0 } };
        return r;
    }
    /* |x| * 2^65 = sig << (E + 65) is an integer; divide by pi66 * 2^64
     * (= (pi66 / 2) * 2^65) bit by bit. */
    struct u128 rem = { 0, 0 };
    uint32_t total = 64 + (uint32_t)(E + 65);
    unsigned q = 0;
    for (uint32_t i = 0; i < total; i++) {
        unsigned bit = i < 64 ? (unsigned)(u.sig >> (63 - i)) & 1 : 0;
        rem = sf_shl128(rem, 1);
        rem.lo |= bit;
        q <<= 1;
        if (!sf_lt128(rem, pi66_scaled)) {
            rem = sf_sub128(rem, pi66_scaled);
            q |= 1;
        }
    }
    *quadrant = q & 3;
    return wide_normalize(false, 127 - 65, rem);
}

/* sin and cos of x (|x| < 2^63), both wanted or one. */
static void sin_cos(struct f80 x, struct wide *s, struct wide *c)
{
    unsigned q;
    struct wide r = reduce_pi66(x, &q);
    /* Into [-pi66/4, pi66/4]: r - pi66/2 when r > pi66/4. */
    struct wide half_pi66 = wide_normalize(false, 127 - 65, pi66_scaled);
    struct wide quarter = half_pi66;
    quarter.e -= 1;
    if (!wide_is_zero(r) && (r.e > quarter.e || (r.e == quarter.e && !sf_lt128(r.m, quarter.m)))) {
        r = wide_sub(r, half_pi66);
        q = (q + 1) & 3;
    }
    /* Only the series the quadrant needs. */
    bool odd = q & 1;
    struct wide zero = { false, 0, { 0, 0 } };
    struct wide sr = (s && !odd) || (c && odd) ? wide_sin_series(r) : zero;
    struct wide cr = (s && odd) || (c && !odd) ? wide_cos_series(r) : zero;
    struct wide sv, cv;
    switch (q) {
    case 0:  sv = sr; cv = cr; break;
    case 1:  sv = cr; cv = sr; cv.neg = !cv.neg; break;
    case 2:  sv = sr; sv.neg = !sv.neg; cv = cr; cv.neg = !cv.neg; break;
    default: sv = cr; sv.neg = !sv.neg; cv = sr; break;
    }
    if (f80_sign(x))
        sv.neg = !sv.neg;
    if (s)
        *s = sv;
    if (c)
        *c = cv;
}

/* Operand screening for the one-operand functions: true when the result
 * is decided (NaN, unsupported, infinity when inf_invalid). */
static bool screen1(struct f80_env *e, struct f80 a, struct f80 *out)
{
    switch (f80_classify(a)) {
    case F80_CLASS_UNSUPPORTED:
        e->flags |= F80_IE;
        *out = f80_indefinite;
        return true;
    case F80_CLASS_QNAN:
    case F80_CLASS_SNAN:
        *out = sf_propagate_nan(e, a, a);
        return true;
    case F80_CLASS_DENORMAL:
    case F80_CLASS_PSEUDO_DENORMAL:
        e->flags |= F80_DE;
        return false;
    default:
        return false;
    }
}

/* True when |x| >= 2^63: FSIN and friends leave ST0 alone and set C2. */
static bool out_of_range(struct f80 a)
{
    return f80_classify(a) == F80_CLASS_NORMAL && f80_exp(a) >= F80_EXP_BIAS + 63;
}

static void exec_sin_cos_tan(struct x87 *f, uint8_t modrm)
{
    bool pushes = modrm == 0xFB || modrm == 0xF2;     /* FSINCOS, FPTAN */
    if (x87_empty(f, 0)) {
        if (x87_stack_fault(f, false)) {
            x87_write_st(f, 0, f80_indefinite);
            if (pushes)
                x87_push(f, f80_indefinite);
        }
        return;
    }
    if (pushes && !x87_empty(f, 7)) {
        if (x87_stack_fault(f, true)) {
            x87_write_st(f, 0, f80_indefinite);
            x87_push(f, f80_indefinite);
        }
        return;
    }
    struct f80 x = x87_st(f, 0);
    if (out_of_range(x)) {
        x87_set_cc(f, f->sw & X87_SW_C3, true, false, f->sw & X87_SW_C0);
        return;
    }
    struct f80_env e = x87_fenv(f, false);
    struct f80 first, second = f80_one;    /* ST0 result, pushed result */
    enum f80_class c = f80_classify(x);
    if (screen1(&e, x, &first)) {
        second = first;
    } else if (c == F80_CLASS_INF) {
        e.flags |= F80_IE;
        first = second = f80_indefinite;
    } else if (c == F80_CLASS_ZERO) {
        first = x;                                  /* sin, tan: the signed zero */
        if (modrm == 0xFF)
            first = f80_one;                        /* cos 0 */
        if (modrm == 0xFB)
            second = f80_one;                       /* FSINCOS: cos pushed */
    } else {
        struct wide s = { false, 0, { 0, 0 } }, co = s;
        sin_cos(x, modrm != 0xFF ? &s : NULL, modrm != 0xFE ? &co : NULL);
        struct f80_env e2 = e;
        switch (modrm) {
        case 0xFE: first = wide_to_f80(&e, s); break;
        case 0xFF: first = wide_to_f80(&e, co); break;
        case 0xF2: first = wide_to_f80(&e, wide_div(s, co)); break;
        default:   /* FSINCOS */
            first = wide_to_f80(&e, s);
            second = wide_to_f80(&e2, co);
            e.flags |= e2.flags;
            break;
        }
    }
    if (x87_raise(f, e.flags))
        return;
    x87_set_cc(f, f->sw & X87_SW_C3, false, e.round_up && (e.flags & F80_PE), f->sw & X87_SW_C0);
    if (modrm == 0xFB) {
        /* FSINCOS: ST0 = sin, then push cos (SDM Vol. 2A FSINCOS). */
        x87_write_st(f, 0, first);
        x87_push(f, second);
    } else if (modrm == 0xF2) {
        x87_write_st(f, 0, first);
        x87_push(f, second);       /* 1.0, or the NaN/indefinite */
    } else {
        x87_write_st(f, 0, first);
    }
}

/* F2XM1: 2^x - 1 (defined for -1 <= x <= 1). */
static struct f80 f2xm1(struct f80_env *e, struct f80 x)
{
    struct f80 out;
    if (screen1(e, x, &out))
        return out;
    switch (f80_classify(x)) {
    case F80_CLASS_ZERO: return x;
    case F80_CLASS_INF:  return f80_sign(x) ? f80_make(true, F80_EXP_BIAS, 1ull << 63) : x;
    default: break;
    }
    /* Exact cases: x = 1 and x = -1. */
    if (x.sig == 1ull << 63 && f80_exp(x) == F80_EXP_BIAS)
        return f80_sign(x) ? f80_make(true, F80_EXP_BIAS - 1, 1ull << 63) : f80_one;
    struct wide w = wide_from_f80(x);
    if (w.e > 14) {
        /* far outside the defined range: overflow or -1 */
        if (w.neg)
            return f80_make(true, F80_EXP_BIAS, 1ull << 63);
        return sf_round_pack64(e, false, F80_EXP_MAX + 100, (struct u128){ 1ull << 63, 0 });
    }
    if (w.e >= 0) {
        /* 2^x = 2^n * 2^f with n = trunc(x): outside the defined range, but
         * computed as the function. */
        int32_t n = (int32_t)(w.m.hi >> (63 - w.e));
        struct wide frac = wide_sub(w, wide_from_int(w.neg ? -n : n));
        struct wide p = wide_add(wide_expm1_series(wide_mul(frac, wide_ln2)), wide_from_int(1));
        p.e += w.neg ? -n : n;
        return wide_to_f80(e, wide_sub(p, wide_from_int(1)));
    }
    return wide_to_f80(e, wide_expm1_series(wide_mul(w, wide_ln2)));
}

/* What the two-operand transcendentals give before looking at values: an
 * unsupported encoding is invalid (indefinite), a NaN propagates (SDM
 * Vol. 1 4.8.3.7, table 4-7). Returns true with the result in *out. */
static bool two_operand_special(struct f80_env *e, struct f80 x, struct f80 y,
                                enum f80_class cx, enum f80_class cy, struct f80 *out)
{
    if (cx == F80_CLASS_UNSUPPORTED || cy == F80_CLASS_UNSUPPORTED) {
        e->flags |= F80_IE;
        *out = f80_indefinite;
        return true;
    }
    if (f80_is_nan(x) || f80_is_nan(y)) {
        *out = sf_propagate_nan(e, x, y);
        return true;
    }
    return false;
}

/* FYL2X: y * log2(x) (SDM Vol. 2B FYL2X table). */
static struct f80 fyl2x(struct f80_env *e, struct f80 x, struct f80 y)
{
    enum f80_class cx = f80_classify(x), cy = f80_classify(y);
    struct f80 special;
    if (two_operand_special(e, x, y, cx, cy, &special))
        return special;
    bool sy = f80_sign(y);
    struct f80 inf_pos = f80_make(false, 0x7FFF, 1ull << 63);
    /* The domain errors come before the denormal check (as silicon). */
    if (f80_sign(x) && cx != F80_CLASS_ZERO) {
        e->flags |= F80_IE;
        return f80_indefinite;
    }
    if (cx == F80_CLASS_ZERO) {
        if (cy == F80_CLASS_ZERO) {
            e->flags |= F80_IE;
            return f80_indefinite;
        }
        if (cy != F80_CLASS_INF)
            e->flags |= F80_ZE;
        inf_pos.sign_exp ^= sy ? 0 : 0x8000;     /* -inf * sign(y) */
        return inf_pos;
    }
    if (cx == F80_CLASS_DENORMAL || cx == F80_CLASS_PSEUDO_DENORMAL
        || cy == F80_CLASS_DENORMAL || cy == F80_CLASS_PSEUDO_DENORMAL)
        e->flags |= F80_DE;
    if (cx == F80_CLASS_INF) {
        if (cy == F80_CLASS_ZERO) {
            e->flags |= F80_IE;
            return f80_indefinite;
        }
        inf_pos.sign_exp ^= sy ? 0x8000 : 0;
        return inf_pos;
    }
    /* x finite positive: log2(x) is 0 (x = 1), negative or positive. */
    bool is_one = x.sig == 1ull << 63 && f80_exp(x) == F80_EXP_BIAS;
    bool below_one = f80_exp(x) < F80_EXP_BIAS;
    if (cy == F80_CLASS_INF) {
        if (is_one) {
            e->flags |= F80_IE;
            return f80_indefinite;
        }
        inf_pos.sign_exp ^= (sy != below_one) ? 0x8000 : 0;
        return inf_pos;
    }
    if (cy == F80_CLASS_ZERO || is_one)
        return f80_make(sy != below_one, 0, 0);
    struct wide wx = wide_from_f80(x);
    /* exact powers of two: log2 is the exponent */
    struct wide l;
    if (wx.m.hi == 1ull << 63 && wx.m.lo == 0)
        l = wide_from_int(wx.e);
    else
        l = wide_mul(wide_ln(wx), wide_inv_ln2);
    struct wide r = wide_mul(l, wide_from_f80(y));
    if (wx.m.hi == 1ull << 63 && wx.m.lo == 0) {
        /* y * integer: exact in 128 bits, round without a forced sticky */
        return sf_round_pack64(e, r.neg, r.e + F80_EXP_BIAS, r.m);
    }
    return wide_to_f80(e, r);
}

/* FYL2XP1: y * log2(x + 1), |x| < 1 - sqrt(2)/2 (SDM Vol. 2B FYL2XP1). */
static struct f80 fyl2xp1(struct f80_env *e, struct f80 x, struct f80 y)
{
    enum f80_class cx = f80_classify(x), cy = f80_classify(y);
    struct f80 special;
    if (two_operand_special(e, x, y, cx, cy, &special))
        return special;
    struct wide wx = wide_from_f80(x);
    /* Outside the defined range: as FYL2X of 1 + x (its own checks). */
    if (cx == F80_CLASS_INF || (cx != F80_CLASS_ZERO && wx.e > 70))
        return fyl2x(e, x, y);      /* 1 + x rounds to x */
    if (cx == F80_CLASS_DENORMAL || cx == F80_CLASS_PSEUDO_DENORMAL
        || cy == F80_CLASS_DENORMAL || cy == F80_CLASS_PSEUDO_DENORMAL)
        e->flags |= F80_DE;
    if (cx == F80_CLASS_ZERO) {
        if (cy == F80_CLASS_INF) {
            e->flags |= F80_IE;
            return f80_indefinite;
        }
        return f80_make(f80_sign(x) != f80_sign(y), 0, 0);
    }
    if (wx.e >= -1) {
        struct wide s = wide_add(wx, wide_from_int(1));
        if (s.neg || wide_is_zero(s))
            return fyl2x(e, s.neg ? f80_make(true, F80_EXP_BIAS, 1ull << 63) : f80_zero, y);
        if (cy == F80_CLASS_INF || cy == F80_CLASS_ZERO) {
            struct f80_env t = *e;
            struct f80 xp1 = wide_to_f80(&t, s);
            return fyl2x(e, xp1, y);
        }
        return wide_to_f80(e, wide_mul(wide_mul(wide_ln(s), wide_inv_ln2), wide_from_f80(y)));
    }
    if (cy == F80_CLASS_INF) {
        struct f80 r = f80_make(f80_sign(x) != f80_sign(y), 0x7FFF, 1ull << 63);
        return r;
    }
    if (cy == F80_CLASS_ZERO)
        return f80_make(f80_sign(x) != f80_sign(y), 0, 0);
    /* ln(1 + x) = 2 atanh(x / (2 + x)) */
    struct wide s = wide_div(wx, wide_add(wx, wide_from_int(2)));
    struct wide l = wide_mul(wide_atanh2_series(s), wide_inv_ln2);
    return wide_to_f80(e, wide_mul(l, wide_from_f80(y)));
}

/* FPATAN: atan2(y, x) with y = ST1, x = ST0 (SDM Vol. 2A FPATAN table). */
static struct f80 fpatan(struct f80_env *e, struct f80 x, struct f80 y)
{
    enum f80_class cx = f80_classify(x), cy = f80_classify(y);
    struct f80 special;
    if (two_operand_special(e, x, y, cx, cy, &special))
        return special;
    if (cx == F80_CLASS_DENORMAL || cx == F80_CLASS_PSEUDO_DENORMAL
        || cy == F80_CLASS_DENORMAL || cy == F80_CLASS_PSEUDO_DENORMAL)
        e->flags |= F80_DE;
    bool sx = f80_sign(x), sy = f80_sign(y);
    struct wide angle;
    struct wide pi = wide_pi, half_pi = wide_pi, quarter_pi = wide_pi;
    half_pi.e -= 1;
    quarter_pi.e -= 2;
    if (cy == F80_CLASS_ZERO) {
        if (!sx)
            return y;                                     /* ±0 */
        angle = pi;                                       /* ±pi */
    } else if (cy == F80_CLASS_INF) {
        if (cx == F80_CLASS_INF)
            angle = sx ? wide_add(half_pi, quarter_pi) : quarter_pi;
        else
            angle = half_pi;
    } else if (cx == F80_CLASS_INF) {
        if (!sx)
            return f80_make(sy, 0, 0);
        angle = pi;
    } else if (cx == F80_CLASS_ZERO) {
        angle = half_pi;
    } else {
        struct wide wx = wide_from_f80(x), wy = wide_from_f80(y);
        wx.neg = wy.neg = false;
        bool swap = wy.e > wx.e || (wy.e == wx.e && sf_lt128(wx.m, wy.m));
        struct wide t = swap ? wide_div(wx, wy) : wide_div(wy, wx);
        angle = wide_atan_unit(t);
        if (swap)
            angle = wide_sub(half_pi, angle);
        if (sx)
            angle = wide_sub(pi, angle);
    }
    angle.neg = sy;
    return wide_to_f80(e, angle);
}

void x87_exec_transcendental(struct x87 *f, uint8_t modrm)
{
    if (modrm == 0xFE || modrm == 0xFF || modrm == 0xFB || modrm == 0xF2) {
        exec_sin_cos_tan(f, modrm);
        return;
    }
    if (modrm == 0xF0) {      /* F2XM1 */
        if (x87_empty(f, 0)) {
            if (x87_stack_fault(f, false))
                x87_write_st(f, 0, f80_indefinite);
            return;
        }
        struct f80_env e = x87_fenv(f, false);
        struct f80 r = f2xm1(&e, x87_st(f, 0));
        if (x87_raise(f, e.flags))
            return;
        x87_write_st(f, 0, r);
        x87_set_c1(f, e.round_up && (e.flags & F80_PE));
        return;
    }
    /* F1 FYL2X, F3 FPATAN, F9 FYL2XP1: ST1 = f(ST0, ST1), pop. */
    if (x87_empty(f, 0) || x87_empty(f, 1)) {
        if (x87_stack_fault(f, false)) {
            x87_write_st(f, 1, f80_indefinite);
            x87_pop(f);
        }
        return;
    }
    struct f80_env e = x87_fenv(f, false);
    struct f80 x = x87_st(f, 0), y = x87_st(f, 1), r;
    switch (modrm) {
    case 0xF1: r = fyl2x(&e, x, y); break;
    case 0xF3: r = fpatan(&e, x, y); break;
    default:   r = fyl2xp1(&e, x, y); break;
    }
    if (x87_raise(f, e.flags))
        return;
    x87_write_st(f, 1, r);
    x87_set_c1(f, e.round_up && (e.flags & F80_PE));
    x87_pop(f);
}
