/* 80-bit soft float: classification, rounding, the four basic operations,
 * square root. Remainder, rounding to integer, comparison and conversions
 * are in softfloat80_conv.c. Intel SDM Vol. 1 §4.8, §4.9, §8.5. */
#include "isa-x86/softfloat80_internal.h"

const struct f80 f80_indefinite = { 0xC000000000000000ull, 0xFFFF };
const struct f80 f80_zero = { 0, 0 };
const struct f80 f80_one = { 0x8000000000000000ull, 0x3FFF };

static const struct sf_format sf_ext_format[3] = {
    { 24, 1, 0x7FFE, true },
    { 53, 1, 0x7FFE, true },
    { 64, 1, 0x7FFE, true },
};

static const struct sf_format *ext_format(const struct f80_env *e)
{
    return e->prec == 24 ? &sf_ext_format[0] : e->prec == 53 ? &sf_ext_format[1]
                                                             : &sf_ext_format[2];
}

enum f80_class f80_classify(struct f80 a)
{
    unsigned exp = f80_exp(a);
    bool integer = a.sig >> 63;
    if (exp == 0) {
        if (a.sig == 0)
            return F80_CLASS_ZERO;
        return integer ? F80_CLASS_PSEUDO_DENORMAL : F80_CLASS_DENORMAL;
    }
    /* 387+: a clear integer bit with a nonzero exponent is unsupported
     * (unnormal, pseudo-infinity, pseudo-NaN), SDM Vol. 1 §8.2.2. */
    if (!integer)
        return F80_CLASS_UNSUPPORTED;
    if (exp == F80_EXP_MAX) {
        if ((a.sig << 1) == 0)
            return F80_CLASS_INF;
        return (a.sig >> 62) & 1 ? F80_CLASS_QNAN : F80_CLASS_SNAN;
    }
    return F80_CLASS_NORMAL;
}

bool f80_is_nan(struct f80 a)
{
    enum f80_class c = f80_classify(a);
    return c == F80_CLASS_QNAN || c == F80_CLASS_SNAN;
}

bool f80_is_snan(struct f80 a)
{
    return f80_classify(a) == F80_CLASS_SNAN;
}

struct f80 sf_quiet(struct f80 a)
{
    a.sig |= 1ull << 62;
    return a;
}

/* SDM Vol. 1 Table 4-7, x87 column: an SNaN raises IE; with two NaNs of
 * the same kind the larger significand wins, with one of each the QNaN.
 * Equal significands: the positive one (the smaller sign/exponent word). */
struct f80 sf_propagate_nan(struct f80_env *e, struct f80 a, struct f80 b)
{
    bool a_nan = f80_is_nan(a), b_nan = f80_is_nan(b);
    bool a_snan = a_nan && f80_is_snan(a), b_snan = b_nan && f80_is_snan(b);
    if (a_snan || b_snan)
        e->flags |= F80_IE;
    if (!b_nan)
        return sf_quiet(a);
    if (!a_nan)
        return sf_quiet(b);
    if (a_snan != b_snan)
        return a_snan ? sf_quiet(b) : sf_quiet(a);
    if (a.sig != b.sig)
        return sf_quiet(a.sig > b.sig ? a : b);
    return sf_quiet(a.sign_exp <= b.sign_exp ? a : b);
}

/* Rounds the top `prec` bits of sig:lo in place per mode; returns whether
 * the magnitude was increased. *carry is set when the increment overflowed
 * (sig becomes 2^63, the caller adds one to the exponent). */
static bool round_bits(unsigned mode, bool sign, unsigned prec, uint64_t *sig, uint64_t lo,
                       bool *inexact, bool *carry)
{
    uint64_t rem, half, unit;
    bool odd;
    if (prec == 64) {
        rem = lo;
        half = 1ull << 63;
        unit = 1;
        odd = *sig & 1;
    } else {
        uint64_t mask = ~0ull >> prec;
        unit = mask + 1;
        rem = (*sig & mask) | (lo != 0);
        half = unit >> 1;
        odd = (*sig & unit) != 0;
        *sig &= ~mask;
    }
    *inexact = rem != 0;
    *carry = false;
    bool inc;
    switch (mode) {
    case F80_NEAREST: inc = rem > half || (rem == half && odd); break;
    case F80_UP:      inc = !sign && rem; break;
    case F80_DOWN:    inc = sign && rem; break;
    default:          inc = false; break;
    }
    if (inc) {
        *sig += unit;
        if (*sig == 0) {
            *sig = 1ull << 63;
            *carry = true;
        }
    }
    return inc;
}

/* The one rounding routine (SDM Vol. 1 §4.9.1.4, §4.9.1.5, §8.5.4,
 * §8.5.5): tininess is detected after rounding with an unbounded
 * exponent; a masked underflow is reported only with a loss of accuracy;
 * unmasked, a register destination receives the result with the exponent
 * wrapped by 24576. */
struct sf_rounded sf_round(struct f80_env *e, const struct sf_format *fmt, bool sign,
                           int32_t exp, struct u128 sig)
{
    struct sf_rounded r = { sign, 0, 0 };
    e->round_up = false;
    if (sig.hi == 0 && sig.lo == 0)
        return r;
    unsigned shift = sig.hi ? sf_clz64(sig.hi) : 64 + sf_clz64(sig.lo);
    sig = sf_shl128(sig, shift);
    exp -= (int32_t)shift;

    uint64_t s = sig.hi;
    bool inexact, carry;
    bool up = round_bits(e->round, sign, fmt->prec, &s, sig.lo, &inexact, &carry);
    int32_t rexp = exp + carry;

    if (rexp > fmt->emax) {
        if (!(e->masks & F80_OE)) {
            if (!fmt->wrap) {
                /* memory destination: nothing is stored, only OE */
                e->flags |= F80_OE;
                r.exp = fmt->emax + 1;
                r.sig = 1ull << 63;
                return r;
            }
            if (rexp - F80_EXP_WRAP <= fmt->emax) {
                e->flags |= F80_OE | (inexact ? F80_PE : 0);
                e->round_up = up;
                r.exp = rexp - F80_EXP_WRAP;
                r.sig = s;
                return r;
            }
            /* Beyond even the wrapped range (FSCALE): silicon delivers
             * infinity whatever the rounding mode. */
            e->flags |= F80_OE | F80_PE;
            e->round_up = true;
            r.exp = fmt->emax + 1;
            r.sig = 1ull << 63;
            return r;
        }
        e->flags |= F80_OE | F80_PE;
        bool to_inf = e->round == F80_NEAREST || (e->round == F80_UP && !sign)
                   || (e->round == F80_DOWN && sign);
        if (to_inf) {
            r.exp = fmt->emax + 1;
            r.sig = 1ull << 63;
            e->round_up = true;
        } else {
            r.exp = fmt->emax;
            r.sig = ~0ull << (64 - fmt->prec);
        }
        return r;
    }
    if (rexp < fmt->emin) {
        if (!(e->masks & F80_UE)) {
            if (!fmt->wrap) {
                /* memory destination: nothing is stored, only UE */
                e->flags |= F80_UE;
                return r;
            }
            if (rexp + F80_EXP_WRAP >= fmt->emin) {
                e->flags |= F80_UE | (inexact ? F80_PE : 0);
                e->round_up = up;
                r.exp = rexp + F80_EXP_WRAP;
                r.sig = s;
                return r;
            }
            /* Beyond even the wrapped range (FSCALE): zero, by symmetry
             * with the overflow case. */
            e->flags |= F80_UE | F80_PE;
            return r;
        }
        /* Masked (or memory destination): denormalize, round again. */
        struct u128 d = sf_shr128_jam(sig, (unsigned)(fmt->emin - exp) > 200
                                               ? 200 : (unsigned)(fmt->emin - exp));
        s = d.hi;
        up = round_bits(e->round, sign, fmt->prec, &s, d.lo, &inexact, &carry);
        if (carry)
            s = 1ull << 63;        /* rounded up out of the denormals */
        if (inexact)
            e->flags |= F80_UE | F80_PE;
        e->round_up = up;
        r.sig = s;
        r.exp = (s >> 63) ? fmt->emin : fmt->emin - 1;
        if (s == 0)
            r.exp = 0;
        return r;
    }
    if (inexact)
        e->flags |= F80_PE;
    e->round_up = up;
    r.exp = rexp;
    r.sig = s;
    return r;
}

static struct f80 pack_ext(struct sf_rounded r)
{
    if (r.sig == 0)
        return f80_make(r.sign, 0, 0);
    if (r.exp > 0x7FFE)
        return f80_make(r.sign, 0x7FFF, 1ull << 63);
    if (r.exp < 1)
        return f80_make(r.sign, 0, r.sig);
    return f80_make(r.sign, (unsigned)r.exp, r.sig);
}

struct f80 f80_round_pack(struct f80_env *e, bool sign, int32_t exp, uint64_t sig, uint64_t lo)
{
    struct u128 v = { sig, lo };
    return pack_ext(sf_round(e, ext_format(e), sign, exp, v));
}

/* Full-precision rounding to the register format (FSCALE, the
 * transcendentals): precision control does not apply. */
struct f80 sf_round_pack64(struct f80_env *e, bool sign, int32_t exp, struct u128 sig)
{
    return pack_ext(sf_round(e, &sf_ext_format[2], sign, exp, sig));
}

/* Operand screening shared by the binary operations: true when the result
 * is decided (unsupported operand or NaN). Raises DE for denormals. */
static bool screen2(struct f80_env *e, struct f80 a, struct f80 b, struct f80 *out)
{
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_UNSUPPORTED || cb == F80_CLASS_UNSUPPORTED) {
        e->flags |= F80_IE;
        *out = f80_indefinite;
        return true;
    }
    if (ca == F80_CLASS_QNAN || ca == F80_CLASS_SNAN || cb == F80_CLASS_QNAN
        || cb == F80_CLASS_SNAN) {
        *out = sf_propagate_nan(e, a, b);
        return true;
    }
    if (ca == F80_CLASS_DENORMAL || ca == F80_CLASS_PSEUDO_DENORMAL
        || cb == F80_CLASS_DENORMAL || cb == F80_CLASS_PSEUDO_DENORMAL)
        e->flags |= F80_DE;
    return false;
}

static struct f80 invalid(struct f80_env *e)
{
    e->flags |= F80_IE;
    return f80_indefinite;
}

static struct f80 add_signed(struct f80_env *e, struct f80 a, struct f80 b, bool negate_b)
{
    struct f80 out;
    if (screen2(e, a, b, &out))
        return out;
    bool sa = f80_sign(a), sb = f80_sign(b) ^ negate_b;
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_INF || cb == F80_CLASS_INF) {
        if (ca == F80_CLASS_INF && cb == F80_CLASS_INF && sa != sb)
            return invalid(e);
        return ca == F80_CLASS_INF ? a : f80_make(sb, 0x7FFF, 1ull << 63);
    }
    if (ca == F80_CLASS_ZERO && cb == F80_CLASS_ZERO) {
        /* IEEE 754 §6.3: exact zero sums are +0 except when rounding down. */
        bool sign = sa == sb ? sa : e->round == F80_DOWN;
        return f80_make(sign, 0, 0);
    }
    if (cb == F80_CLASS_ZERO) {
        struct sf_unpacked ua = sf_unpack(a);
        return f80_round_pack(e, sa, ua.exp, ua.sig, 0);
    }
    if (ca == F80_CLASS_ZERO) {
        struct sf_unpacked ub = sf_unpack(b);
        return f80_round_pack(e, sb, ub.exp, ub.sig, 0);
    }
    struct sf_unpacked ua = sf_unpack(a), ub = sf_unpack(b);
    ua.sign = sa;
    ub.sign = sb;
    if (ua.exp < ub.exp || (ua.exp == ub.exp && ua.sig < ub.sig)) {
        struct sf_unpacked t = ua;
        ua = ub;
        ub = t;
    }
    /* |a| >= |b|. One guard bit above (sums may carry), 64 below. */
    unsigned d = (unsigned)(ua.exp - ub.exp);
    struct u128 x = { ua.sig >> 1, ua.sig << 63 };
    struct u128 y = sf_shr128_jam((struct u128){ ub.sig >> 1, ub.sig << 63 }, d > 200 ? 200 : d);
    struct u128 r;
    if (ua.sign == ub.sign) {
        r = sf_add128(x, y);
    } else {
        r = sf_sub128(x, y);
        if (r.hi == 0 && r.lo == 0)
            return f80_make(e->round == F80_DOWN, 0, 0);
    }
    /* r * 2^(ua.exp - 16383 - 62 - 64) */
    return f80_round_pack(e, ua.sign, ua.exp + 1, r.hi, r.lo);
}

struct f80 f80_add(struct f80_env *e, struct f80 a, struct f80 b)
{
    return add_signed(e, a, b, false);
}

struct f80 f80_sub(struct f80_env *e, struct f80 a, struct f80 b)
{
    return add_signed(e, a, b, true);
}

struct f80 f80_mul(struct f80_env *e, struct f80 a, struct f80 b)
{
    struct f80 out;
    if (screen2(e, a, b, &out))
        return out;
    bool sign = f80_sign(a) ^ f80_sign(b);
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_INF || cb == F80_CLASS_INF) {
        if (ca == F80_CLASS_ZERO || cb == F80_CLASS_ZERO)
            return invalid(e);
        return f80_make(sign, 0x7FFF, 1ull << 63);
    }
    if (ca == F80_CLASS_ZERO || cb == F80_CLASS_ZERO)
        return f80_make(sign, 0, 0);
    struct sf_unpacked ua = sf_unpack(a), ub = sf_unpack(b);
    struct u128 p = sf_mul64(ua.sig, ub.sig);
    /* p * 2^(ea + eb - 2*16383 - 126) = p * 2^(E - 16383 - 127) */
    return f80_round_pack(e, sign, ua.exp + ub.exp - F80_EXP_BIAS + 1, p.hi, p.lo);
}

/* Quotient of two normalized significands: 64 bits from the first 1, two
 * more bits and a sticky bit in lo. Returns whether a >= b (the quotient's
 * first bit has weight 2^0, else 2^-1). */
static bool div_sig(uint64_t a, uint64_t b, struct u128 *q)
{
    bool ge = a >= b;
    uint64_t rem = a;
    bool top = false;       /* bit 64 of rem */
    if (!ge) {
        top = rem >> 63;
        rem <<= 1;
    }
    uint64_t quo = 0, extra = 0;
    for (unsigned i = 0; i < 66; i++) {
        unsigned bit = 0;
        if (top || rem >= b) {
            rem -= b;
            bit = 1;
        }
        if (i < 64)
            quo = (quo << 1) | bit;
        else
            extra |= (uint64_t)bit << (63 - (i - 64));
        top = rem >> 63;
        rem <<= 1;
    }
    q->hi = quo;
    q->lo = extra | (rem != 0 || top);
    return ge;
}

struct f80 f80_div(struct f80_env *e, struct f80 a, struct f80 b)
{
    struct f80 out;
    uint8_t flags_before = e->flags;
    if (screen2(e, a, b, &out))
        return out;
    bool sign = f80_sign(a) ^ f80_sign(b);
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_INF) {
        if (cb == F80_CLASS_INF)
            return invalid(e);
        return f80_make(sign, 0x7FFF, 1ull << 63);
    }
    if (cb == F80_CLASS_INF)
        return f80_make(sign, 0, 0);
    if (cb == F80_CLASS_ZERO) {
        if (ca == F80_CLASS_ZERO)
            return invalid(e);
        /* Silicon reports only ZE for a denormal dividend over zero. */
        e->flags = (uint8_t)((e->flags & ~F80_DE) | (flags_before & F80_DE) | F80_ZE);
        return f80_make(sign, 0x7FFF, 1ull << 63);
    }
    if (ca == F80_CLASS_ZERO)
        return f80_make(sign, 0, 0);
    struct sf_unpacked ua = sf_unpack(a), ub = sf_unpack(b);
    struct u128 q;
    bool ge = div_sig(ua.sig, ub.sig, &q);
    return f80_round_pack(e, sign, ua.exp - ub.exp + F80_EXP_BIAS - (ge ? 0 : 1), q.hi, q.lo);
}

/* Integer square root of a 128-bit value: 64-bit root and the remainder
 * (at most 2*root, so 65 bits: *rem_top holds bit 64). */
static uint64_t isqrt128(struct u128 x, uint64_t *rem, bool *rem_top)
{
    uint64_t root = 0;
    struct u128 r = { 0, 0 };
    for (int i = 63; i >= 0; i--) {
        /* bring down the next two bits */
        r = sf_shl128(r, 2);
        r.lo |= (i >= 32 ? x.hi >> (2 * (i - 32)) : x.lo >> (2 * i)) & 3;
        struct u128 t = sf_shl128((struct u128){ 0, root }, 2);
        t.lo |= 1;               /* 4*root + 1 */
        root <<= 1;
        if (!sf_lt128(r, t)) {
            r = sf_sub128(r, t);
            root |= 1;
        }
    }
    *rem = r.lo;
    *rem_top = r.hi != 0;
    return root;
}

struct f80 f80_sqrt(struct f80_env *e, struct f80 a)
{
    enum f80_class c = f80_classify(a);
    switch (c) {
    case F80_CLASS_UNSUPPORTED:
        return invalid(e);
    case F80_CLASS_QNAN:
    case F80_CLASS_SNAN:
        return sf_propagate_nan(e, a, a);
    case F80_CLASS_ZERO:
        return a;
    case F80_CLASS_INF:
        return f80_sign(a) ? invalid(e) : a;
    default:
        break;
    }
    /* A negative operand is invalid before it is a denormal (as silicon). */
    if (f80_sign(a))
        return invalid(e);
    if (c == F80_CLASS_DENORMAL || c == F80_CLASS_PSEUDO_DENORMAL)
        e->flags |= F80_DE;
    struct sf_unpacked u = sf_unpack(a);
    /* value = sig * 2^E, E = exp - 16383 - 63; shift sig left by k in
     * {63, 64} so that E - k is even. */
    int32_t E = u.exp - F80_EXP_BIAS - 63;
    unsigned k = ((E - 63) & 1) ? 64 : 63;
    struct u128 x = sf_shl128((struct u128){ 0, u.sig }, k);
    uint64_t rem;
    bool rem_top;
    uint64_t root = isqrt128(x, &rem, &rem_top);
    /* The root is never exactly halfway: the next bit is 1 iff rem > root. */
    uint64_t lo = ((rem_top || rem > root) ? 1ull << 63 : 0) | (rem_top || rem != 0);
    int32_t rexp = (E - (int32_t)k) / 2;       /* root * 2^rexp */
    return f80_round_pack(e, false, rexp + F80_EXP_BIAS + 63, root, lo);
}
