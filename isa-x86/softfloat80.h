/* 80-bit extended-precision soft float with the x87's own rules: rounding
 * control, precision control (24/53/64-bit significands with the extended
 * exponent range), the six exception flags with their masked responses and
 * the unmasked overflow/underflow exponent wrap, the 387+ treatment of the
 * unsupported encodings, and the x87 NaN propagation rules (Intel SDM
 * Vol. 1 §4.8, §4.9, §8.2, §8.5, Table 4-7).
 *
 * Everything is integer arithmetic on uint64_t: results are bit-identical
 * on every host. docs/x87.md says why this is home-made. */
#ifndef ORRERY_ISA_X86_SOFTFLOAT80_H
#define ORRERY_ISA_X86_SOFTFLOAT80_H

#include <stdbool.h>
#include <stdint.h>

/* An 80-bit value: significand with explicit integer bit (63) and
 * sign (bit 15) + biased exponent (bits 14..0, bias 16383). */
struct f80 {
    uint64_t sig;
    uint16_t sign_exp;
};

#define F80_EXP_BIAS 16383
#define F80_EXP_MAX 0x7FFF
/* The wrap applied to the exponent of an overflowed or underflowed result
 * delivered with the exception unmasked (SDM Vol. 1 §8.5.4, §8.5.5). */
#define F80_EXP_WRAP 24576

/* Exception flags: the same bits as the status word. */
#define F80_IE 0x01u
#define F80_DE 0x02u
#define F80_ZE 0x04u
#define F80_OE 0x08u
#define F80_UE 0x10u
#define F80_PE 0x20u

/* Rounding control: the encoding of CW.RC. */
enum f80_round { F80_NEAREST = 0, F80_DOWN = 1, F80_UP = 2, F80_ZERO = 3 };

/* The rounding environment of one operation and what it raised. */
struct f80_env {
    uint8_t round;        /* enum f80_round */
    uint8_t prec;         /* significand bits of results: 24, 53 or 64 */
    uint8_t masks;        /* CW bits 0..5: which exceptions are masked */
    uint8_t flags;        /* out: F80_* raised (accumulates) */
    bool round_up;        /* out: the last inexact rounding increased the magnitude */
};

/* Value classes (FXAM's, plus the unsupported encodings). */
enum f80_class {
    F80_CLASS_ZERO,
    F80_CLASS_DENORMAL,       /* exponent 0, integer bit 0, fraction nonzero */
    F80_CLASS_PSEUDO_DENORMAL,/* exponent 0, integer bit 1 */
    F80_CLASS_NORMAL,
    F80_CLASS_INF,
    F80_CLASS_QNAN,
    F80_CLASS_SNAN,
    F80_CLASS_UNSUPPORTED,    /* unnormal, pseudo-NaN, pseudo-infinity */
};

static inline bool f80_sign(struct f80 a) { return a.sign_exp >> 15; }
static inline unsigned f80_exp(struct f80 a) { return a.sign_exp & 0x7FFF; }
static inline struct f80 f80_make(bool sign, unsigned exp, uint64_t sig)
{
    return (struct f80){ sig, (uint16_t)((sign ? 0x8000u : 0) | (exp & 0x7FFF)) };
}

enum f80_class f80_classify(struct f80 a);
bool f80_is_nan(struct f80 a);          /* QNaN or SNaN (not pseudo-NaN) */
bool f80_is_snan(struct f80 a);

/* The real indefinite: the QNaN an invalid operation delivers when masked. */
extern const struct f80 f80_indefinite;
extern const struct f80 f80_zero, f80_one;

/* Arithmetic, rounded per env (round, prec). Operand checks: an
 * unsupported operand or an SNaN raises IE; a denormal (or pseudo-denormal)
 * operand raises DE; NaNs propagate per SDM Vol. 1 Table 4-7. Results when
 * OE/UE are unmasked carry the wrapped exponent. */
struct f80 f80_add(struct f80_env *e, struct f80 a, struct f80 b);
struct f80 f80_sub(struct f80_env *e, struct f80 a, struct f80 b);
struct f80 f80_mul(struct f80_env *e, struct f80 a, struct f80 b);
struct f80 f80_div(struct f80_env *e, struct f80 a, struct f80 b);
struct f80 f80_sqrt(struct f80_env *e, struct f80 a);

/* FPREM (ieee false: quotient truncated) and FPREM1 (ieee true: quotient
 * rounded to nearest even). *quotient gets the low three bits of the
 * quotient; *partial is set when the exponent difference was 64 or more
 * and only a partial remainder was computed (C2=1). Exact: no rounding. */
struct f80 f80_rem(struct f80_env *e, struct f80 a, struct f80 b, bool ieee,
                   unsigned *quotient, bool *partial);

/* FRNDINT: to an integer in the current rounding mode (precision control
 * does not apply). */
struct f80 f80_round_to_int(struct f80_env *e, struct f80 a);

/* FSCALE: a * 2^trunc(b). */
struct f80 f80_scale(struct f80_env *e, struct f80 a, struct f80 b);

/* Compare. Returns F80_LESS/EQUAL/GREATER/UNORDERED. signaling: any NaN
 * raises IE (FCOM, FCOMI, FICOM, FTST); else only an SNaN does (FUCOM).
 * Unsupported operands raise IE and compare unordered. */
enum f80_relation { F80_LESS, F80_EQUAL, F80_GREATER, F80_UNORDERED };
enum f80_relation f80_compare(struct f80_env *e, struct f80 a, struct f80 b, bool signaling);

/* Integers: loading is exact; storing rounds per env->round and raises IE
 * (result: the integer indefinite, the most negative value) on NaN,
 * infinity, unsupported or out-of-range, PE when inexact. bits: 16/32/64. */
struct f80 f80_from_int(int64_t v);
int64_t f80_to_int(struct f80_env *e, struct f80 a, unsigned bits);

/* IEEE single and double. Loads: exact, DE for a denormal, IE and quieting
 * for an SNaN. Stores: rounded per env->round to the format's precision and
 * exponent range (precision control does not apply); OE/UE/PE/IE as the
 * SDM says for a memory destination (the caller does not store when
 * an unmasked exception other than PE was raised). */
struct f80 f80_from_f32(struct f80_env *e, uint32_t v);
struct f80 f80_from_f64(struct f80_env *e, uint64_t v);
uint32_t f80_to_f32(struct f80_env *e, struct f80 a);
uint64_t f80_to_f64(struct f80_env *e, struct f80 a);

/* Packed BCD (FBLD/FBSTP): 18 digits + sign byte, 10 bytes little-endian.
 * Storing rounds per env->round; out of range, NaN, infinity or
 * unsupported raise IE with the BCD indefinite (FF FF C0 00.. from the top). */
struct f80 f80_from_bcd(const uint8_t bcd[10]);
void f80_to_bcd(struct f80_env *e, struct f80 a, uint8_t bcd[10]);

/* The 80-bit memory image. */
struct f80 f80_from_bytes(const uint8_t b[10]);
void f80_to_bytes(struct f80 a, uint8_t b[10]);

/* Rounds an exact value sign * sig:lo * 2^(exp - 63 - 64) (sig with bit 63
 * set, or sig = 0 meaning zero) to the register format per env (prec,
 * round), with the unmasked OE/UE wrap. For the transcendental functions,
 * which compute wider and round once. */
struct f80 f80_round_pack(struct f80_env *e, bool sign, int32_t exp, uint64_t sig, uint64_t lo);

#endif
