/* Shared by the soft-float files: 128-bit helpers, the unpacked form and
 * the one rounding routine every result goes through. */
#ifndef ORRERY_ISA_X86_SOFTFLOAT80_INTERNAL_H
#define ORRERY_ISA_X86_SOFTFLOAT80_INTERNAL_H

#include "isa-x86/softfloat80.h"

/* A 128-bit unsigned integer as two halves. */
struct u128 {
    uint64_t hi, lo;
};

static inline unsigned sf_clz64(uint64_t v)
{
    return v ? (unsigned)__builtin_clzll(v) : 64;
}

static inline struct u128 sf_mul64(uint64_t a, uint64_t b)
{
    uint64_t a_lo = (uint32_t)a, a_hi = a >> 32, b_lo = (uint32_t)b, b_hi = b >> 32;
    uint64_t p0 = a_lo * b_lo, p1 = a_lo * b_hi, p2 = a_hi * b_lo, p3 = a_hi * b_hi;
    uint64_t mid = (p0 >> 32) + (uint32_t)p1 + (uint32_t)p2;
    struct u128 r;
    r.lo = (mid << 32) | (uint32_t)p0;
    r.hi = p3 + (p1 >> 32) + (p2 >> 32) + (mid >> 32);
    return r;
}

static inline struct u128 sf_add128(struct u128 a, struct u128 b)
{
    struct u128 r = { a.hi + b.hi, a.lo + b.lo };
    r.hi += r.lo < a.lo;
    return r;
}

static inline struct u128 sf_sub128(struct u128 a, struct u128 b)
{
    struct u128 r = { a.hi - b.hi, a.lo - b.lo };
    r.hi -= a.lo < b.lo;
    return r;
}

static inline bool sf_lt128(struct u128 a, struct u128 b)
{
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
}

static inline struct u128 sf_shl128(struct u128 a, unsigned n)
{
    if (n == 0)
        return a;
    if (n >= 128)
        return (struct u128){ 0, 0 };
    if (n >= 64)
        return (struct u128){ a.lo << (n - 64), 0 };
    return (struct u128){ (a.hi << n) | (a.lo >> (64 - n)), a.lo << n };
}

/* Shift right; any 1 shifted out is OR-ed into bit 0 (sticky). */
static inline struct u128 sf_shr128_jam(struct u128 a, unsigned n)
{
    if (n == 0)
        return a;
    if (n >= 128)
        return (struct u128){ 0, (a.hi | a.lo) != 0 };
    struct u128 r;
    if (n >= 64) {
        uint64_t lost = a.lo | (n > 64 ? a.hi << (128 - n) : 0);
        r.hi = 0;
        r.lo = (n == 64 ? a.hi : a.hi >> (n - 64)) | (lost != 0);
    } else {
        uint64_t lost = a.lo << (64 - n);
        r.hi = a.hi >> n;
        r.lo = (a.hi << (64 - n)) | (a.lo >> n) | (lost != 0);
    }
    return r;
}

/* A finite nonzero value unpacked: sig has bit 63 set and the value is
 * sig * 2^(exp - 16383 - 63). Denormals come out normalized (exp < 1). */
struct sf_unpacked {
    bool sign;
    int32_t exp;
    uint64_t sig;
};

static inline struct sf_unpacked sf_unpack(struct f80 a)
{
    struct sf_unpacked u = { f80_sign(a), (int32_t)f80_exp(a), a.sig };
    if (u.exp == 0)
        u.exp = 1;     /* denormals and pseudo-denormals: 2^-16382 scale */
    if (u.sig == 0)
        return u;      /* zero (callers handle zeros before unpacking) */
    unsigned shift = sf_clz64(u.sig);
    u.sig <<= shift;
    u.exp -= (int32_t)shift;
    return u;
}

/* Target of a rounding: precision in bits and the biased (extended)
 * exponents of the smallest and largest normal numbers of the format. */
struct sf_format {
    unsigned prec;
    int32_t emin, emax;
    bool wrap;     /* register destination: unmasked OE/UE deliver wrapped results */
};

/* A rounded result: exp in the extended bias; exp == fmt.emin - 1 with
 * bit 63 of sig clear means a denormal of the format; exp > emax means
 * infinity (masked overflow), sig 0 with exp 0 means zero. */
struct sf_rounded {
    bool sign;
    int32_t exp;
    uint64_t sig;
};

struct sf_rounded sf_round(struct f80_env *e, const struct sf_format *fmt, bool sign,
                           int32_t exp, struct u128 sig);

/* Rounds to the register format at full precision (precision control
 * does not apply: FSCALE, FPREM, the transcendentals). */
struct f80 sf_round_pack64(struct f80_env *e, bool sign, int32_t exp, struct u128 sig);
struct f80 sf_propagate_nan(struct f80_env *e, struct f80 a, struct f80 b);
struct f80 sf_quiet(struct f80 a);

#endif
