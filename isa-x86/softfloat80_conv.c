/* 80-bit soft float: partial remainder, rounding to integer, FSCALE,
 * comparison, and the conversions to and from the memory formats.
 * Intel SDM Vol. 1 §4.8.3, §8.2, §8.5; Vol. 2A FPREM, FPREM1, FRNDINT,
 * FSCALE, FCOM, FIST, FBSTP. */
#include "isa-x86/softfloat80_internal.h"

static struct f80 invalid(struct f80_env *e)
{
    e->flags |= F80_IE;
    return f80_indefinite;
}

static bool is_denormal_class(enum f80_class c)
{
    return c == F80_CLASS_DENORMAL || c == F80_CLASS_PSEUDO_DENORMAL;
}

static bool is_nan_class(enum f80_class c)
{
    return c == F80_CLASS_QNAN || c == F80_CLASS_SNAN;
}

/* Long division of a * 2^shift by b (both normalized significands):
 * the low 64 bits of the quotient and the remainder (< b). */
static uint64_t long_div(uint64_t a, uint64_t b, uint32_t shift, uint64_t *rem_out)
{
    uint64_t rem = a, quo = 0;
    bool top = false;
    for (uint32_t i = 0;; i++) {
        quo <<= 1;
        if (top || rem >= b) {
            rem -= b;
            quo |= 1;
        }
        if (i == shift)
            break;
        top = rem >> 63;
        rem <<= 1;
    }
    *rem_out = rem;
    return quo;
}

/* FPREM/FPREM1 (SDM Vol. 2A): exact. When the exponent difference is 64
 * or more, a partial remainder reduces it by N = 32 + (difference mod 32)
 * (the SDM allows any N from 32 to 63) and C2 reports the incompleteness. */
struct f80 f80_rem(struct f80_env *e, struct f80 a, struct f80 b, bool ieee,
                   unsigned *quotient, bool *partial)
{
    *quotient = 0;
    *partial = false;
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_UNSUPPORTED || cb == F80_CLASS_UNSUPPORTED)
        return invalid(e);
    if (is_nan_class(ca) || is_nan_class(cb))
        return sf_propagate_nan(e, a, b);
    if (ca == F80_CLASS_INF || cb == F80_CLASS_ZERO)
        return invalid(e);
    if (is_denormal_class(ca) || is_denormal_class(cb))
        e->flags |= F80_DE;
    if (ca == F80_CLASS_ZERO)
        return a;
    if (cb == F80_CLASS_INF)
        return a;
    struct sf_unpacked ua = sf_unpack(a), ub = sf_unpack(b);
    bool sign = ua.sign;
    int32_t d = ua.exp - ub.exp;
    uint64_t rem, q;
    int32_t rexp;          /* remainder = rem * 2^(rexp - 16383 - 63) */
    if (d >= 64) {
        int32_t n = 32 + d % 32;
        q = long_div(ua.sig, ub.sig, (uint32_t)n, &rem);
        rexp = ua.exp - n;
        *partial = true;
    } else if (d >= 0) {
        q = long_div(ua.sig, ub.sig, (uint32_t)d, &rem);
        rexp = ub.exp;
    } else {
        q = 0;
        rem = ua.sig;
        rexp = ua.exp;
    }
    if (ieee && !*partial) {
        /* FPREM1: quotient rounded to nearest, ties to even. */
        bool round_up;
        if (d >= 0)
            round_up = (rem >> 63) || (rem << 1) > ub.sig
                    || ((rem << 1) == ub.sig && (q & 1));
        else
            round_up = d == -1 && ua.sig > ub.sig;
        if (round_up) {
            q++;
            if (d >= 0) {
                rem = ub.sig - rem;
            } else {
                /* |a| in (|b|/2, |b|): remainder |b| - |a| at a's scale */
                rem = ub.sig - (ua.sig - ub.sig);
                rexp = ua.exp;
            }
            sign = !sign;
        }
    }
    /* The quotient bits are reported (as zero) only... see the SDM: C0,
     * C3, C1 hold Q2, Q1, Q0 when the reduction is complete; silicon
     * clears them for a partial remainder. */
    *quotient = *partial ? 0 : (unsigned)(q & 7);
    if (rem == 0)
        return f80_make(ua.sign, 0, 0);
    /* Exact; a tiny remainder is denormalized (UE only when unmasked). */
    return sf_round_pack64(e, sign, rexp, (struct u128){ rem, 0 });
}

/* Rounds sig (normalized, value sig * 2^(exp-16383-63)) to an integer;
 * returns the integer's magnitude as a 65-bit number (*overflow for bit
 * 64 or a value too large for 64 bits). */
static uint64_t round_to_integer(struct f80_env *e, bool sign, int32_t exp, uint64_t sig,
                                 bool *inexact, bool *overflow)
{
    int32_t frac_bits = F80_EXP_BIAS + 63 - exp;    /* bits below the binary point */
    *overflow = false;
    e->round_up = false;
    if (frac_bits <= 0) {
        *inexact = false;
        if (frac_bits < 0)
            *overflow = true;
        return sig;
    }
    uint64_t ipart, rem, half;
    if (frac_bits >= 64) {
        ipart = 0;
        /* rem compared with half: fold to 64 bits keeping order */
        if (frac_bits == 64) {
            rem = sig;
            half = 1ull << 63;
        } else {
            rem = 1;       /* below one half, nonzero */
            half = 2;
        }
    } else {
        ipart = sig >> frac_bits;
        rem = sig << (64 - frac_bits);
        half = 1ull << 63;
    }
    *inexact = rem != 0;
    bool inc;
    switch (e->round) {
    case F80_NEAREST: inc = rem > half || (rem == half && (ipart & 1)); break;
    case F80_UP:      inc = !sign && rem; break;
    case F80_DOWN:    inc = sign && rem; break;
    default:          inc = false; break;
    }
    if (inc) {
        ipart++;
        e->round_up = true;
        if (ipart == 0)
            *overflow = true;
    }
    return ipart;
}

struct f80 f80_round_to_int(struct f80_env *e, struct f80 a)
{
    enum f80_class c = f80_classify(a);
    switch (c) {
    case F80_CLASS_UNSUPPORTED: return invalid(e);
    case F80_CLASS_QNAN:
    case F80_CLASS_SNAN:        return sf_propagate_nan(e, a, a);
    case F80_CLASS_ZERO:
    case F80_CLASS_INF:         return a;
    case F80_CLASS_DENORMAL:
    case F80_CLASS_PSEUDO_DENORMAL: e->flags |= F80_DE; break;
    default: break;
    }
    struct sf_unpacked u = sf_unpack(a);
    if (u.exp >= F80_EXP_BIAS + 63)
        return a;
    bool inexact, overflow;
    uint64_t v = round_to_integer(e, u.sign, u.exp, u.sig, &inexact, &overflow);
    if (inexact)
        e->flags |= F80_PE;
    if (overflow)      /* 2^64 */
        return f80_make(u.sign, F80_EXP_BIAS + 64, 1ull << 63);
    if (v == 0)
        return f80_make(u.sign, 0, 0);
    unsigned s = sf_clz64(v);
    return f80_make(u.sign, F80_EXP_BIAS + 63 - s, v << s);
}

struct f80 f80_scale(struct f80_env *e, struct f80 a, struct f80 b)
{
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_UNSUPPORTED || cb == F80_CLASS_UNSUPPORTED)
        return invalid(e);
    if (is_nan_class(ca) || is_nan_class(cb))
        return sf_propagate_nan(e, a, b);
    if (is_denormal_class(ca) || is_denormal_class(cb))
        e->flags |= F80_DE;
    bool sa = f80_sign(a);
    if (cb == F80_CLASS_INF) {
        if (f80_sign(b)) {             /* 2^-inf */
            if (ca == F80_CLASS_INF)
                return invalid(e);
            return f80_make(sa, 0, 0);
        }
        if (ca == F80_CLASS_ZERO)
            return invalid(e);
        return f80_make(sa, 0x7FFF, 1ull << 63);
    }
    if (ca == F80_CLASS_ZERO || ca == F80_CLASS_INF)
        return a;
    int32_t n = 0;
    if (cb != F80_CLASS_ZERO) {
        struct sf_unpacked ub = sf_unpack(b);
        int32_t eb = ub.exp - F80_EXP_BIAS;
        if (eb >= 20)
            n = 1 << 20;          /* far beyond any exponent: overflows or underflows */
        else if (eb >= 0)
            n = (int32_t)(ub.sig >> (63 - eb));
        if (ub.sign)
            n = -n;
    }
    struct sf_unpacked ua = sf_unpack(a);
    return sf_round_pack64(e, sa, ua.exp + n, (struct u128){ ua.sig, 0 });
}

enum f80_relation f80_compare(struct f80_env *e, struct f80 a, struct f80 b, bool signaling)
{
    enum f80_class ca = f80_classify(a), cb = f80_classify(b);
    if (ca == F80_CLASS_UNSUPPORTED || cb == F80_CLASS_UNSUPPORTED) {
        e->flags |= F80_IE;
        return F80_UNORDERED;
    }
    if (is_nan_class(ca) || is_nan_class(cb)) {
        if (signaling || ca == F80_CLASS_SNAN || cb == F80_CLASS_SNAN)
            e->flags |= F80_IE;
        return F80_UNORDERED;
    }
    if (is_denormal_class(ca) || is_denormal_class(cb))
        e->flags |= F80_DE;
    if (ca == F80_CLASS_ZERO && cb == F80_CLASS_ZERO)
        return F80_EQUAL;
    bool sa = f80_sign(a), sb = f80_sign(b);
    if (ca == F80_CLASS_ZERO)
        return sb ? F80_GREATER : F80_LESS;
    if (cb == F80_CLASS_ZERO)
        return sa ? F80_LESS : F80_GREATER;
    if (sa != sb)
        return sa ? F80_LESS : F80_GREATER;
    struct sf_unpacked ua = sf_unpack(a), ub = sf_unpack(b);
    int mag;
    if (ua.exp != ub.exp)
        mag = ua.exp > ub.exp ? 1 : -1;
    else
        mag = ua.sig == ub.sig ? 0 : ua.sig > ub.sig ? 1 : -1;
    if (sa)
        mag = -mag;
    return mag == 0 ? F80_EQUAL : mag > 0 ? F80_GREATER : F80_LESS;
}

struct f80 f80_from_int(int64_t v)
{
    if (v == 0)
        return f80_zero;
    bool sign = v < 0;
    uint64_t m = sign ? 0 - (uint64_t)v : (uint64_t)v;
    unsigned s = sf_clz64(m);
    return f80_make(sign, F80_EXP_BIAS + 63 - s, m << s);
}

int64_t f80_to_int(struct f80_env *e, struct f80 a, unsigned bits)
{
    int64_t indefinite = (int64_t)(~0ull << (bits - 1));
    enum f80_class c = f80_classify(a);
    e->round_up = false;
    if (c == F80_CLASS_UNSUPPORTED || c == F80_CLASS_INF || is_nan_class(c)) {
        e->flags |= F80_IE;
        return indefinite;
    }
    if (c == F80_CLASS_ZERO)
        return 0;
    /* No DE for a denormal source (silicon agrees with SDM Vol. 2A FIST). */
    struct sf_unpacked u = sf_unpack(a);
    bool inexact, overflow;
    struct f80_env t = *e;
    uint64_t v = round_to_integer(&t, u.sign, u.exp, u.sig, &inexact, &overflow);
    uint64_t limit = 1ull << (bits - 1);   /* magnitude bound: 2^(bits-1) - 1 or 2^(bits-1) */
    if (overflow || v > limit || (v == limit && !u.sign)) {
        e->flags |= F80_IE;
        return indefinite;
    }
    if (inexact)
        e->flags |= F80_PE;
    e->round_up = t.round_up;
    return u.sign ? (int64_t)(0 - v) : (int64_t)v;
}

/* IEEE binary formats as the rounding sees them. */
static const struct sf_format f32_format = { 24, F80_EXP_BIAS - 126, F80_EXP_BIAS + 127, false };
static const struct sf_format f64_format = { 53, F80_EXP_BIAS - 1022, F80_EXP_BIAS + 1023, false };

/* A binary format's load: frac bits, exponent bits. */
static struct f80 from_ieee(struct f80_env *e, bool sign, uint32_t exp, uint64_t frac,
                            unsigned frac_bits, uint32_t exp_max, int32_t bias)
{
    if (exp == exp_max) {
        uint64_t sig = (1ull << 63) | (frac << (63 - frac_bits));
        if (frac == 0)
            return f80_make(sign, 0x7FFF, 1ull << 63);
        if (!((frac >> (frac_bits - 1)) & 1))
            e->flags |= F80_IE;       /* SNaN: quieted (SDM Vol. 2A FLD #IA) */
        return f80_make(sign, 0x7FFF, sig | (1ull << 62));
    }
    if (exp == 0) {
        if (frac == 0)
            return f80_make(sign, 0, 0);
        e->flags |= F80_DE;
        unsigned s = sf_clz64(frac);
        /* frac * 2^(1 - bias - frac_bits) */
        int32_t ex = 1 - bias - (int32_t)frac_bits + 63 - (int32_t)s + F80_EXP_BIAS;
        return f80_make(sign, (unsigned)ex, frac << s);
    }
    return f80_make(sign, (unsigned)((int32_t)exp - bias + F80_EXP_BIAS),
                    (1ull << 63) | (frac << (63 - frac_bits)));
}

struct f80 f80_from_f32(struct f80_env *e, uint32_t v)
{
    return from_ieee(e, v >> 31, (v >> 23) & 0xFF, v & 0x7FFFFF, 23, 0xFF, 127);
}

struct f80 f80_from_f64(struct f80_env *e, uint64_t v)
{
    return from_ieee(e, v >> 63, (v >> 52) & 0x7FF, v & 0xFFFFFFFFFFFFFull, 52, 0x7FF, 1023);
}

/* A store to a binary format: returns sign, biased exponent and fraction
 * packed by the caller. */
static uint64_t to_ieee(struct f80_env *e, struct f80 a, const struct sf_format *fmt,
                        unsigned frac_bits, unsigned exp_bits)
{
    uint64_t exp_max = (1ull << exp_bits) - 1;
    uint64_t sign = (uint64_t)f80_sign(a) << (frac_bits + exp_bits);
    uint64_t inf = sign | (exp_max << frac_bits);
    uint64_t qbit = 1ull << (frac_bits - 1);
    enum f80_class c = f80_classify(a);
    e->round_up = false;
    switch (c) {
    case F80_CLASS_UNSUPPORTED:
        e->flags |= F80_IE;
        return (1ull << (frac_bits + exp_bits)) | (exp_max << frac_bits) | qbit;
    case F80_CLASS_SNAN:
        e->flags |= F80_IE;
        /* fall through */
    case F80_CLASS_QNAN:
        return inf | qbit | ((a.sig << 1) >> (64 - frac_bits));
    case F80_CLASS_INF:
        return inf;
    case F80_CLASS_ZERO:
        return sign;
    default:
        break;
    }
    struct sf_unpacked u = sf_unpack(a);
    struct sf_rounded r = sf_round(e, fmt, u.sign, u.exp, (struct u128){ u.sig, 0 });
    if (r.sig == 0)
        return sign;
    if (r.exp > fmt->emax)
        return inf;
    if (!(r.sig >> 63))            /* denormal of the format */
        return sign | (r.sig >> (63 - frac_bits));
    uint64_t bexp = (uint64_t)(r.exp - fmt->emin + 1);
    return sign | (bexp << frac_bits) | ((r.sig << 1) >> (64 - frac_bits));
}

uint32_t f80_to_f32(struct f80_env *e, struct f80 a)
{
    return (uint32_t)to_ieee(e, a, &f32_format, 23, 8);
}

uint64_t f80_to_f64(struct f80_env *e, struct f80 a)
{
    return to_ieee(e, a, &f64_format, 52, 11);
}

struct f80 f80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    struct f80 r = f80_from_int((int64_t)v);
    if (bcd[9] & 0x80)
        r.sign_exp |= 0x8000;
    return r;
}

void f80_to_bcd(struct f80_env *e, struct f80 a, uint8_t bcd[10])
{
    static const uint8_t indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
    enum f80_class c = f80_classify(a);
    uint64_t v = 0;
    e->round_up = false;
    if (c == F80_CLASS_UNSUPPORTED || c == F80_CLASS_INF || is_nan_class(c)) {
        e->flags |= F80_IE;
        for (int i = 0; i < 10; i++)
            bcd[i] = indefinite[i];
        return;
    }
    if (c != F80_CLASS_ZERO) {
        struct sf_unpacked u = sf_unpack(a);
        bool inexact, overflow;
        struct f80_env t = *e;
        v = round_to_integer(&t, u.sign, u.exp, u.sig, &inexact, &overflow);
        if (overflow || v > 999999999999999999ull) {
            e->flags |= F80_IE;
            for (int i = 0; i < 10; i++)
                bcd[i] = indefinite[i];
            return;
        }
        if (inexact)
            e->flags |= F80_PE;
        e->round_up = t.round_up;
    }
    for (int i = 0; i < 9; i++) {
        unsigned lo = (unsigned)(v % 10), hi = (unsigned)(v / 10 % 10);
        v /= 100;
        bcd[i] = (uint8_t)(hi << 4 | lo);
    }
    bcd[9] = f80_sign(a) ? 0x80 : 0;
}

struct f80 f80_from_bytes(const uint8_t b[10])
{
    struct f80 r = { 0, (uint16_t)(b[8] | b[9] << 8) };
    for (int i = 7; i >= 0; i--)
        r.sig = r.sig << 8 | b[i];
    return r;
}

void f80_to_bytes(struct f80 a, uint8_t b[10])
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(a.sig >> (8 * i));
    b[8] = (uint8_t)a.sign_exp;
    b[9] = (uint8_t)(a.sign_exp >> 8);
}
