/* The soft float against real silicon: on an x86 host, random operands in
 * every rounding mode and precision go through both the host's x87 (inline
 * assembly, exceptions masked) and softfloat80, and the result bits, the
 * six exception flags and C1 must agree. On other hosts the test passes
 * without checking (the fixed vectors in test_softfloat80.c still run). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "isa-x86/softfloat80.h"
#include "isa-x86/x87.h"
#include "tests/unit/unit.h"

#if defined(__x86_64__) || defined(__i386__)
#define HOST_X87 1
#endif

/* xorshift64*: deterministic operands. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

/* Operands biased toward the interesting places: exponent near the
 * reference (cancellation), near the denormal range, near overflow,
 * specials. */
static struct f80 random_operand(uint64_t *s, unsigned ref_exp)
{
    uint64_t r = next_random(s);
    uint64_t sig = next_random(s) | (1ull << 63);
    bool sign = r & 1;
    unsigned kind = (unsigned)(r >> 8) % 32;
    unsigned exp;
    switch (kind) {
    case 0: return f80_make(sign, 0, 0);
    case 1: return f80_make(sign, 0x7FFF, 1ull << 63);
    case 2: return f80_make(sign, 0x7FFF, sig | (1ull << 62));              /* QNaN */
    case 3: return f80_make(sign, 0x7FFF, (sig & ~(1ull << 62)) | 1);       /* SNaN */
    case 4: return f80_make(sign, 0, sig >> (1 + (r >> 16) % 63));           /* denormal */
    case 5: exp = 1 + (unsigned)(r >> 16) % 80; break;                        /* tiny */
    case 6: exp = 0x7FFE - (unsigned)(r >> 16) % 80; break;                   /* huge */
    case 7: sig &= ~0ull << ((r >> 16) % 64); exp = 0x3FFF + (unsigned)(r >> 24) % 130 - 65; break;
    case 8: return f80_make(sign, 0x3FFF + (unsigned)(r >> 24) % 20, (1ull << 63) | ((r >> 30) << 40));
    default:
        exp = (unsigned)((int)ref_exp + (int)((r >> 16) % 140) - 70);
        if (kind > 20)
            exp = 1 + (unsigned)(r >> 16) % 0x7FFE;
        break;
    }
    if (exp < 1)
        exp = 1;
    if (exp > 0x7FFE)
        exp = 0x7FFE;
    return f80_make(sign, exp, sig);
}

#ifdef HOST_X87
enum host_op { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_PREM, OP_PREM1, OP_RNDINT,
               OP_SCALE, OP_COUNT };

struct host_result {
    struct f80 value;
    uint16_t sw;
};

/* ST0 = a, ST1 = b; the operation; its status word and ST0. */
static struct host_result host_binop(enum host_op op, uint16_t cw, struct f80 a, struct f80 b)
{
    uint8_t ab[10], bb[10], out[10];
    uint16_t sw = 0;
    f80_to_bytes(a, ab);
    f80_to_bytes(b, bb);
#define HOST_SEQ(insn)                                                             \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfnclex\n\t" \
                     insn "\n\tfnstsw %[sw]\n\tfstpt %[out]\n\tfstp %%st(0)"       \
                     : [sw] "=m"(sw), [out] "=m"(out)                              \
                     : [cw] "m"(cw), [a] "m"(ab), [b] "m"(bb))
    switch (op) {
    case OP_ADD:    HOST_SEQ("fadd %%st(1), %%st"); break;
    case OP_SUB:    HOST_SEQ("fsub %%st(1), %%st"); break;
    case OP_MUL:    HOST_SEQ("fmul %%st(1), %%st"); break;
    case OP_DIV:    HOST_SEQ("fdiv %%st(1), %%st"); break;
    case OP_SQRT:   HOST_SEQ("fsqrt"); break;
    case OP_PREM:   HOST_SEQ("fprem"); break;
    case OP_PREM1:  HOST_SEQ("fprem1"); break;
    case OP_RNDINT: HOST_SEQ("frndint"); break;
    case OP_SCALE:  HOST_SEQ("fscale"); break;
    default: break;
    }
#undef HOST_SEQ
    struct host_result r = { f80_from_bytes(out), sw };
    return r;
}

static struct host_result soft_binop(enum host_op op, uint16_t cw, struct f80 a, struct f80 b)
{
    static const uint8_t prec[4] = { 24, 64, 53, 64 };
    struct f80_env e = { (uint8_t)((cw >> 10) & 3), prec[(cw >> 8) & 3], (uint8_t)(cw & 0x3F), 0,
                         false };
    struct host_result r = { f80_zero, 0 };
    unsigned q = 0;
    bool partial = false;
    bool c1_round = true;
    switch (op) {
    case OP_ADD:    r.value = f80_add(&e, a, b); break;
    case OP_SUB:    r.value = f80_sub(&e, a, b); break;
    case OP_MUL:    r.value = f80_mul(&e, a, b); break;
    case OP_DIV:    r.value = f80_div(&e, a, b); break;
    case OP_SQRT:   r.value = f80_sqrt(&e, a); break;
    case OP_RNDINT: e.prec = 64; r.value = f80_round_to_int(&e, a); break;
    case OP_SCALE:  e.prec = 64; r.value = f80_scale(&e, a, b); break;
    case OP_PREM:
    case OP_PREM1:
        r.value = f80_rem(&e, a, b, op == OP_PREM1, &q, &partial);
        c1_round = false;
        break;
    default: break;
    }
    r.sw = e.flags;
    if (c1_round) {
        if (e.round_up && (e.flags & F80_PE))
            r.sw |= 0x200;
    } else if (!(e.flags & F80_IE)) {
        r.sw |= (partial ? 0x400 : 0) | ((q & 1) ? 0x200 : 0) | ((q & 2) ? 0x4000 : 0)
              | ((q & 4) ? 0x100 : 0);
    }
    return r;
}
#endif

static const char *const op_names[] = { "add", "sub", "mul", "div", "sqrt", "prem", "prem1",
                                        "rndint", "scale" };

START_TEST(binary_ops_match_host)
{
#ifdef HOST_X87
    enum host_op op = (enum host_op)_i;
    uint64_t seed = 0x9E3779B97F4A7C15ull + (uint64_t)_i;
    unsigned failures = 0;
    for (unsigned n = 0; n < 40000; n++) {
        uint16_t cw = (uint16_t)(0x007F | ((n & 3) << 10) | (((n >> 2) % 3 == 0 ? 0 : (n >> 2) % 3 == 1 ? 2 : 3) << 8));
        struct f80 a = random_operand(&seed, 0x3FFF);
        struct f80 b = random_operand(&seed, f80_exp(a) ? f80_exp(a) : 0x3FFF);
        struct host_result h = host_binop(op, cw, a, b);
        struct host_result s = soft_binop(op, cw, a, b);
        uint16_t mask = 0x473F | 0x80;   /* C3 C2 C1 C0, ES, flags (SF never here) */
        if (op != OP_PREM && op != OP_PREM1)
            mask &= ~0x4500;             /* C0 C2 C3 undefined */
        if (h.value.sig != s.value.sig || h.value.sign_exp != s.value.sign_exp
            || (h.sw & mask) != (s.sw & mask)) {
            if (failures++ < 8)
                fprintf(stderr, "%s cw=%04x a=%04x:%016llx b=%04x:%016llx host=%04x:%016llx sw=%04x"
                        " soft=%04x:%016llx sw=%04x\n", op_names[op], cw, a.sign_exp,
                        (unsigned long long)a.sig, b.sign_exp, (unsigned long long)b.sig,
                        h.value.sign_exp, (unsigned long long)h.value.sig, h.sw & mask,
                        s.value.sign_exp, (unsigned long long)s.value.sig, s.sw & mask);
        }
    }
    ck_assert_msg(failures == 0, "%s: %u mismatches with the host x87", op_names[op], failures);
#endif
}
END_TEST

#ifdef HOST_X87
enum conv_op { CV_FIST16, CV_FIST32, CV_FIST64, CV_FST32, CV_FST64, CV_FBSTP, CV_FLD32,
               CV_FLD64, CV_FCOM, CV_FUCOM, CV_COUNT };

/* A conversion on the host: stores give their memory bytes, loads and
 * compares ST0 and the status word. */
static void host_conv(enum conv_op op, uint16_t cw, struct f80 a, struct f80 b, uint64_t raw,
                      uint8_t out[10], uint16_t *sw)
{
    uint8_t ab[10], bb[10];
    f80_to_bytes(a, ab);
    f80_to_bytes(b, bb);
    memset(out, 0, 10);
#define HOST_STORE(insn)                                                               \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfnclex\n\t" insn " %[out]\n\t" \
                     "fnstsw %[sw]\n\tfninit"                                          \
                     : [sw] "=m"(*sw), [out] "=m"(*(uint8_t(*)[10])out)                \
                     : [cw] "m"(cw), [a] "m"(ab))
#define HOST_LOAD(insn)                                                                \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfnclex\n\t" insn " %[raw]\n\t"           \
                     "fnstsw %[sw]\n\tfstpt %[out]"                                    \
                     : [sw] "=m"(*sw), [out] "=m"(*(uint8_t(*)[10])out)                \
                     : [cw] "m"(cw), [raw] "m"(raw))
#define HOST_CMP(insn)                                                                 \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfnclex\n\t" insn \
                     "\n\tfnstsw %[sw]\n\tfninit"                                      \
                     : [sw] "=m"(*sw)                                                  \
                     : [cw] "m"(cw), [a] "m"(ab), [b] "m"(bb))
    switch (op) {
    case CV_FIST16: HOST_STORE("fistps"); break;
    case CV_FIST32: HOST_STORE("fistpl"); break;
    case CV_FIST64: HOST_STORE("fistpll"); break;
    case CV_FST32:  HOST_STORE("fstps"); break;
    case CV_FST64:  HOST_STORE("fstpl"); break;
    case CV_FBSTP:  HOST_STORE("fbstp"); break;
    case CV_FLD32:  HOST_LOAD("flds"); break;
    case CV_FLD64:  HOST_LOAD("fldl"); break;
    case CV_FCOM:   HOST_CMP("fcom %%st(1)"); break;
    case CV_FUCOM:  HOST_CMP("fucom %%st(1)"); break;
    default: break;
    }
#undef HOST_STORE
#undef HOST_LOAD
#undef HOST_CMP
}

static void soft_conv(enum conv_op op, uint16_t cw, struct f80 a, struct f80 b, uint64_t raw,
                      uint8_t out[10], uint16_t *sw)
{
    struct f80_env e = { (uint8_t)((cw >> 10) & 3), 64, (uint8_t)(cw & 0x3F), 0, false };
    memset(out, 0, 10);
    uint64_t v = 0;
    unsigned bytes = 0;
    *sw = 0;
    switch (op) {
    case CV_FIST16: v = (uint64_t)f80_to_int(&e, a, 16); bytes = 2; break;
    case CV_FIST32: v = (uint64_t)f80_to_int(&e, a, 32); bytes = 4; break;
    case CV_FIST64: v = (uint64_t)f80_to_int(&e, a, 64); bytes = 8; break;
    case CV_FST32:  v = f80_to_f32(&e, a); bytes = 4; break;
    case CV_FST64:  v = f80_to_f64(&e, a); bytes = 8; break;
    case CV_FBSTP:  f80_to_bcd(&e, a, out); break;
    case CV_FLD32:  f80_to_bytes(f80_from_f32(&e, (uint32_t)raw), out); break;
    case CV_FLD64:  f80_to_bytes(f80_from_f64(&e, raw), out); break;
    case CV_FCOM:
    case CV_FUCOM: {
        static const uint16_t cc[4] = { 0x0100, 0x4000, 0x0000, 0x4500 };
        *sw = cc[f80_compare(&e, a, b, op == CV_FCOM)];
        break;
    }
    default: break;
    }
    for (unsigned i = 0; i < bytes; i++)
        out[i] = (uint8_t)(v >> (8 * i));
    *sw |= e.flags;
    if (e.round_up && (e.flags & F80_PE))
        *sw |= 0x200;
}

static uint64_t random_raw(uint64_t *s, bool f32)
{
    uint64_t r = next_random(s), k = next_random(s) % 8;
    if (f32) {
        uint32_t v = (uint32_t)r;
        if (k == 0) v &= 0x807FFFFF;           /* denormal / zero */
        if (k == 1) v |= 0x7F800000;           /* inf / NaN */
        return v;
    }
    if (k == 0) r &= 0x800FFFFFFFFFFFFFull;
    if (k == 1) r |= 0x7FF0000000000000ull;
    if (k == 2) r &= 0xFFF0000000000000ull | (r & 0xFF);
    return r;
}
#endif

static const char *const conv_names[] = { "fist16", "fist32", "fist64", "fst32", "fst64",
                                          "fbstp", "fld32", "fld64", "fcom", "fucom" };

START_TEST(conversions_match_host)
{
#ifdef HOST_X87
    enum conv_op op = (enum conv_op)_i;
    uint64_t seed = 0x1234567 + (uint64_t)_i * 77;
    unsigned failures = 0;
    for (unsigned n = 0; n < 40000; n++) {
        uint16_t cw = (uint16_t)(0x037F | ((n & 3) << 10));
        struct f80 a = random_operand(&seed, 0x3FFF + (unsigned)(n % 70));
        if (op == CV_FST32 && n % 2)
            a.sign_exp = (uint16_t)((a.sign_exp & 0x8000) | (0x3FFF - 126 + (n % 60) - 30));
        if (op == CV_FST64 && n % 2)
            a.sign_exp = (uint16_t)((a.sign_exp & 0x8000) | (0x3FFF - 1022 + (n % 120) - 60));
        struct f80 b = (n % 3 == 0) ? a : random_operand(&seed, f80_exp(a));
        if (op == CV_FCOM || op == CV_FUCOM) {
            if (n % 5 == 0)
                b = f80_make(!f80_sign(a), f80_exp(a), a.sig);
        }
        uint64_t raw = random_raw(&seed, op == CV_FLD32);
        uint8_t hout[10], sout[10];
        uint16_t hsw, ssw;
        host_conv(op, cw, a, b, raw, hout, &hsw);
        soft_conv(op, cw, a, b, raw, sout, &ssw);
        uint16_t mask = 0x473F;
        if (op != CV_FCOM && op != CV_FUCOM)
            mask &= ~0x4500;
        if (memcmp(hout, sout, 10) != 0 || (hsw & mask) != (ssw & mask)) {
            if (failures++ < 8) {
                fprintf(stderr, "%s cw=%04x a=%04x:%016llx b=%04x:%016llx raw=%016llx sw host=%04x soft=%04x\n  host:",
                        conv_names[op], cw, a.sign_exp, (unsigned long long)a.sig, b.sign_exp,
                        (unsigned long long)b.sig, (unsigned long long)raw, hsw & mask, ssw & mask);
                for (int i = 9; i >= 0; i--)
                    fprintf(stderr, "%02x", hout[i]);
                fprintf(stderr, " soft:");
                for (int i = 9; i >= 0; i--)
                    fprintf(stderr, "%02x", sout[i]);
                fprintf(stderr, "\n");
            }
        }
    }
    ck_assert_msg(failures == 0, "%s: %u mismatches with the host x87", conv_names[op], failures);
#endif
}
END_TEST

/* Transcendentals through x87_execute: ST0 (and ST1) in, D9 xx, ST0 out. */
static const uint8_t trans_modrm[] = { 0xFE, 0xFF, 0xF2, 0xF3, 0xF0, 0xF1, 0xF9, 0xFB };
static const char *const trans_names[] = { "fsin", "fcos", "fptan", "fpatan", "f2xm1", "fyl2x",
                                           "fyl2xp1", "fsincos" };

static int no_memory(void *ctx, uint32_t offset, unsigned size, void *buf)
{
    (void)ctx; (void)offset; (void)size; (void)buf;
    return 1;
}

static int no_memory_write(void *ctx, uint32_t offset, unsigned size, const void *buf)
{
    (void)ctx; (void)offset; (void)size; (void)buf;
    return 1;
}

static void soft_trans(uint8_t modrm, uint16_t cw, struct f80 a, struct f80 b, struct f80 *r0,
                       struct f80 *r1, uint16_t *sw)
{
    struct x87 f;
    x87_reset(&f);
    x87_init(&f);
    f.cw = cw;
    x87_set_st(&f, 0, b);       /* pushed order: b then a */
    f.top = (f.top - 1) & 7;
    f.valid = 0;
    f.st[(f.top + 1) & 7] = b;
    f.st[f.top] = a;
    f.valid = (uint8_t)((1u << f.top) | (1u << ((f.top + 1) & 7)));
    struct x87_insn insn = { 0xD9, modrm, false, true, 0, 0, 0, 0 };
    struct x87_env env = { X87_MODE_PROTECTED, 0, 0, 0, 0, NULL, no_memory, no_memory_write };
    ck_assert_int_eq(x87_execute(&f, &insn, &env), X87_OK);
    *r0 = x87_get_st(&f, 0);
    *r1 = x87_get_st(&f, 1);
    *sw = x87_status_word(&f);
}

#ifdef HOST_X87
static void host_trans(uint8_t modrm, uint16_t cw, struct f80 a, struct f80 b, struct f80 *r0,
                       struct f80 *r1, uint16_t *sw)
{
    uint8_t ab[10], bb[10], o0[10], o1[10];
    f80_to_bytes(a, ab);
    f80_to_bytes(b, bb);
#define HOST_T(insn)                                                                     \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\tfnclex\n\t" insn    \
                     "\n\tfnstsw %[sw]\n\tfstpt %[o0]\n\tfstpt %[o1]\n\tfninit"          \
                     : [sw] "=m"(*sw), [o0] "=m"(o0), [o1] "=m"(o1)                      \
                     : [cw] "m"(cw), [a] "m"(ab), [b] "m"(bb))
    switch (modrm) {
    case 0xFE: HOST_T("fsin"); break;
    case 0xFF: HOST_T("fcos"); break;
    case 0xF2: HOST_T("fptan"); break;
    case 0xF3: HOST_T("fpatan\n\tfld1"); break;
    case 0xF0: HOST_T("f2xm1"); break;
    case 0xF1: HOST_T("fyl2x\n\tfld1"); break;
    case 0xF9: HOST_T("fyl2xp1\n\tfld1"); break;
    default:   HOST_T("fsincos"); break;
    }
#undef HOST_T
    *r0 = f80_from_bytes(o0);
    *r1 = f80_from_bytes(o1);
}

/* Distance in units of the last place between two finite values of the
 * same sign (large for anything else). */
static uint64_t ulp_distance(struct f80 a, struct f80 b)
{
    if (a.sign_exp == b.sign_exp && a.sig == b.sig)
        return 0;
    if (f80_sign(a) != f80_sign(b) || f80_exp(a) == 0x7FFF || f80_exp(b) == 0x7FFF)
        return ~0ull;
    /* as a 79-bit ordered integer: exponent then significand */
    int64_t ea = f80_exp(a), eb = f80_exp(b);
    if (ea == eb)
        return a.sig > b.sig ? a.sig - b.sig : b.sig - a.sig;
    if (ea == eb + 1 || eb == ea + 1) {
        struct f80 hi = ea > eb ? a : b, lo = ea > eb ? b : a;
        return (hi.sig - (1ull << 63)) * 2 + (~lo.sig + 1 - (1ull << 63)) ;
    }
    return ~0ull;
}
#endif

START_TEST(transcendentals_match_host)
{
#ifdef HOST_X87
    unsigned which = (unsigned)_i;
    uint8_t modrm = trans_modrm[which];
    uint64_t seed = 0xABCDEF + which;
    unsigned exact = 0, one_ulp = 0, worse = 0, n;
    for (n = 0; n < 3000; n++) {
        uint16_t cw = (uint16_t)(0x037F | ((n & 3) << 10));
        struct f80 a, b;
        uint64_t r = next_random(&seed);
        unsigned e;
        switch (modrm) {
        case 0xF0: e = 0x3FFF - 1 - (unsigned)(r % 40); break;          /* |x| < 1 */
        case 0xF9: e = 0x3FFD - (unsigned)(r % 40); break;              /* |x| < 0.25 */
        case 0xF1: case 0xF3: e = 0x3FFF + (unsigned)(r % 200) - 100; break;
        default:   e = 0x3FFF + (unsigned)(r % 122) - 60; break;         /* up to 2^62 */
        }
        a = f80_make((r >> 40) & 1, e, next_random(&seed) | (1ull << 63));
        if (modrm == 0xF1)
            a.sign_exp &= 0x7FFF;
        b = f80_make((r >> 41) & 1, 0x3FFF + (unsigned)(r >> 50) % 8 - 4,
                     next_random(&seed) | (1ull << 63));
        struct f80 h0, h1, s0, s1;
        uint16_t hsw, ssw;
        host_trans(modrm, cw, a, b, &h0, &h1, &hsw);
        soft_trans(modrm, cw, a, b, &s0, &s1, &ssw);
        if (modrm == 0xF3 || modrm == 0xF1 || modrm == 0xF9)
            h0 = h1;        /* the host pushed 1.0 over the result */
        uint64_t d = ulp_distance(h0, s0);
        if (modrm == 0xFB || modrm == 0xF2) {
            uint64_t d1 = ulp_distance(h1, s1);
            d = d1 > d ? d1 : d;
        }
        if ((hsw & 0x3F) != (ssw & 0x3F))
            d = ~0ull;          /* the flags must agree exactly */
        if (d == 0)
            exact++;
        else if (d == 1)
            one_ulp++;
        else if (worse++ < 5)
            fprintf(stderr, "%s cw=%04x a=%04x:%016llx b=%04x:%016llx host=%04x:%016llx %04x:%016llx soft=%04x:%016llx %04x:%016llx\n",
                    trans_names[which], cw, a.sign_exp, (unsigned long long)a.sig, b.sign_exp,
                    (unsigned long long)b.sig, h0.sign_exp, (unsigned long long)h0.sig, h1.sign_exp,
                    (unsigned long long)h1.sig, s0.sign_exp, (unsigned long long)s0.sig, s1.sign_exp,
                    (unsigned long long)s1.sig);
    }
    fprintf(stderr, "%-8s vs host: %u identical, %u one ulp apart, %u further\n",
            trans_names[which], exact, one_ulp, worse);
    ck_assert_msg(worse == 0, "%s: %u results more than one ulp from the host", trans_names[which],
                  worse);
#endif
}
END_TEST

/* The same instructions with special and edge operands (zeros, infinities,
 * NaNs, denormals, unsupported encodings, out-of-range arguments): the
 * six exception flags and C2 must agree exactly, special results
 * bit for bit, finite nonzero results within one ulp (silicon's FPTAN of a
 * denormal is itself one ulp off in the directed modes). Arguments where the
 * SDM leaves the result undefined (F2XM1 beyond +-1, FYL2XP1 beyond its
 * range) are skipped. */
START_TEST(transcendental_specials_match_host)
{
#ifdef HOST_X87
    unsigned which = (unsigned)_i;
    uint8_t modrm = trans_modrm[which];
    uint64_t seed = 0x777 + which;
    unsigned bad = 0, checked = 0;
    for (unsigned n = 0; n < 20000 && checked < 5000; n++) {
        uint16_t cw = (uint16_t)(0x037F | ((n & 3) << 10));
        struct f80 a = random_operand(&seed, 0x3FFF), b = random_operand(&seed, 0x3FFF);
        enum f80_class ca = f80_classify(a);
        bool a_finite = ca == F80_CLASS_NORMAL || ca == F80_CLASS_DENORMAL
                     || ca == F80_CLASS_PSEUDO_DENORMAL;
        if (modrm == 0xF0 && a_finite && f80_exp(a) >= 0x3FFF)
            continue;
        if (modrm == 0xF9 && a_finite && f80_exp(a) >= 0x3FFD)
            continue;
        checked++;
        struct f80 h0, h1, s0, s1;
        uint16_t hsw, ssw;
        host_trans(modrm, cw, a, b, &h0, &h1, &hsw);
        soft_trans(modrm, cw, a, b, &s0, &s1, &ssw);
        if (modrm == 0xF3 || modrm == 0xF1 || modrm == 0xF9)
            h0 = h1;
        bool two = modrm == 0xFB || modrm == 0xF2;
        uint16_t mask = 0x3F | X87_SW_C2;
        bool ok = (hsw & mask) == (ssw & mask);
        struct f80 hv[2] = { h0, h1 }, sv[2] = { s0, s1 };
        for (unsigned k = 0; k < (two ? 2u : 1u); k++) {
            enum f80_class c = f80_classify(hv[k]);
            if (c == F80_CLASS_NORMAL || c == F80_CLASS_DENORMAL)
                ok = ok && ulp_distance(hv[k], sv[k]) <= 1;
            else
                ok = ok && hv[k].sig == sv[k].sig && hv[k].sign_exp == sv[k].sign_exp;
        }
        if (!ok && bad++ < 6)
            fprintf(stderr, "%s cw=%04x a=%04x:%016llx b=%04x:%016llx host=%04x:%016llx %04x:%016llx"
                    " sw %04x soft=%04x:%016llx %04x:%016llx sw %04x\n", trans_names[which], cw,
                    a.sign_exp, (unsigned long long)a.sig, b.sign_exp, (unsigned long long)b.sig,
                    h0.sign_exp, (unsigned long long)h0.sig, h1.sign_exp,
                    (unsigned long long)h1.sig, hsw, s0.sign_exp, (unsigned long long)s0.sig,
                    s1.sign_exp, (unsigned long long)s1.sig, ssw);
    }
    ck_assert_msg(bad == 0, "%s: %u of %u special cases differ from the host", trans_names[which],
                  bad, checked);
#endif
}
END_TEST

/* Random instruction sequences (everything but the transcendentals, which
 * are within one ulp rather than identical, and the loads of control state,
 * which could unmask exceptions) run on the host as generated machine code
 * and through x87_execute; the final FNSAVE images (without the pointer
 * fields) and the scratch memory must be identical. Memory operands are
 * [rbx + disp32] with rbx pointing at the data block. */
enum { DATA_SIZE = 1024, SCRATCH = 128, SAVE_AREA = 512, SEQ_LEN = 40 };

struct seq_insn {
    uint8_t opcode, modrm;
    uint32_t disp;
    bool mem;
};

/* FCOMI and friends: the SDM has them clear C1, AMD leaves it; FINCSTP
 * and FDECSTP after each (on both sides) clear C1 and change nothing else. */
static bool is_fcomi(struct seq_insn in)
{
    return !in.mem && (in.opcode == 0xDB || in.opcode == 0xDF) && in.modrm >= 0xE8
        && in.modrm <= 0xF7;
}

static bool excluded_reg_form(uint8_t op, uint8_t modrm)
{
    /* D9 D8+i: an alias of FSTP on Intel; AMD's FSTPNCE takes no stack
     * fault with ST0 empty. */
    if (op == 0xD9 && modrm >= 0xD8 && modrm <= 0xDF)
        return true;
    if (op == 0xD9 && modrm >= 0xF0)
        return !(modrm == 0xF4 || modrm == 0xF5 || modrm == 0xF6 || modrm == 0xF7
                 || modrm == 0xF8 || modrm == 0xFA || modrm == 0xFC || modrm == 0xFD);
    return false;
}

static struct seq_insn random_insn(uint64_t *s, bool unmasked)
{
    for (;;) {
        uint64_t r = next_random(s);
        struct seq_insn in = { (uint8_t)(0xD8 + r % 8), (uint8_t)(r >> 8), 0, false };
        if ((r >> 20) % 3 == 0) {
            unsigned reg = (in.modrm >> 3) & 7;
            in.mem = true;
            in.modrm = (uint8_t)(0x80 | reg << 3 | 3);
            in.disp = SCRATCH + 16 * (uint32_t)((r >> 24) % 16);
            /* control-state loads and the reserved forms */
            if ((in.opcode == 0xD9 && (reg == 1 || reg == 4 || reg == 5 || reg == 6))
                || (in.opcode == 0xDB && (reg == 1 || reg == 4 || reg == 6))
                || (in.opcode == 0xDD && (reg == 1 || reg == 4 || reg == 5 || reg == 6))
                || (in.opcode == 0xDF && reg == 1))
                continue;
            return in;
        }
        in.modrm |= 0xC0;
        if (excluded_reg_form(in.opcode, in.modrm))
            continue;
        /* the FINCSTP/FDECSTP after FCOMI would trap on a pending exception */
        if (unmasked && is_fcomi(in))
            continue;
        /* reserved encodings are x87_execute's X87_UNDEFINED: skip */
        struct x87 probe;
        x87_reset(&probe);
        x87_init(&probe);
        struct x87_insn pi = { in.opcode, in.modrm, false, true, 0, 0, 0, 0 };
        struct x87_env pe = { X87_MODE_PROTECTED, 0, 0, 0, 0, NULL, no_memory, no_memory_write };
        if (x87_execute(&probe, &pi, &pe) == X87_UNDEFINED)
            continue;
        return in;
    }
}

static int data_read(void *ctx, uint32_t offset, unsigned size, void *buf)
{
    if (offset + size > DATA_SIZE)
        return 7;
    memcpy(buf, (uint8_t *)ctx + offset, size);
    return 0;
}

static int data_write(void *ctx, uint32_t offset, unsigned size, const void *buf)
{
    if (offset + size > DATA_SIZE)
        return 7;
    memcpy((uint8_t *)ctx + offset, buf, size);
    return 0;
}

static void emit_mem(uint8_t **p, uint8_t op, unsigned reg, uint32_t disp)
{
    *(*p)++ = op;
    *(*p)++ = (uint8_t)(0x80 | reg << 3 | 3);
    memcpy(*p, &disp, 4);
    *p += 4;
}

#if defined(__x86_64__)
/* Runs seq[0..len) after FNINIT, FLDCW [0] and nload FLD m80 from [16..]
 * on the host and through x87_execute, both on copies of init; returns
 * whether the data blocks agree afterwards (pointer fields aside). */
static bool run_sequence(uint8_t *code, const uint8_t *init, unsigned nload,
                         const struct seq_insn *seq, unsigned len, bool report)
{
    static uint8_t host_data[DATA_SIZE], soft_data[DATA_SIZE];
    memcpy(host_data, init, DATA_SIZE);
    memcpy(soft_data, init, DATA_SIZE);
    uint8_t *p = code;
    *p++ = 0x53;                                  /* push rbx */
    *p++ = 0x48; *p++ = 0x89; *p++ = 0xFB;        /* mov rbx, rdi */
    *p++ = 0x31; *p++ = 0xC0;                     /* xor eax, eax: ZF PF set */
    /* The same contents in all eight registers on both sides (FNINIT
     * keeps them; FXAM of an empty register shows its sign). */
    *p++ = 0xDB; *p++ = 0xE3;                     /* fninit */
    for (unsigned k = 0; k < 8; k++)
        emit_mem(&p, 0xDB, 5, 16 + 10 * k);       /* fld m80 */
    *p++ = 0xDB; *p++ = 0xE3;                     /* fninit */
    emit_mem(&p, 0xD9, 5, 0);                     /* fldcw [rbx] */
    for (unsigned k = 0; k < nload; k++)
        emit_mem(&p, 0xDB, 5, 16 + 10 * k);       /* fld m80 */
    for (unsigned i = 0; i < len; i++) {
        if (seq[i].mem) {
            emit_mem(&p, seq[i].opcode, (seq[i].modrm >> 3) & 7, seq[i].disp);
        } else {
            *p++ = seq[i].opcode;
            *p++ = seq[i].modrm;
            if (is_fcomi(seq[i])) {
                *p++ = 0xD9;
                *p++ = 0xF7;
                *p++ = 0xD9;
                *p++ = 0xF6;
            }
        }
    }
    emit_mem(&p, 0xDD, 6, SAVE_AREA);             /* fnsave */
    *p++ = 0x5B;                                  /* pop rbx */
    *p++ = 0xC3;                                  /* ret */
    ((void (*)(uint8_t *))(void *)code)(host_data);

    struct x87 f;
    x87_reset(&f);
    struct x87_env env = { X87_MODE_PROTECTED, 0x46, 0, 0, 0, soft_data, data_read, data_write };
    struct x87_insn in = { 0xDB, 0xE3, false, true, 0, 0, 0, 0 };
    ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
    for (unsigned k = 0; k < 8; k++) {
        in = (struct x87_insn){ 0xDB, 0xAB, true, true, 16 + 10 * k, 0, 0, 0 };
        ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
    }
    in = (struct x87_insn){ 0xDB, 0xE3, false, true, 0, 0, 0, 0 };
    ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
    in = (struct x87_insn){ 0xD9, 0xAB, true, true, 0, 0, 0, 0 };
    ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
    for (unsigned k = 0; k < nload; k++) {
        in = (struct x87_insn){ 0xDB, 0xAB, true, true, 16 + 10 * k, 0, 0, 0 };
        ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
    }
    for (unsigned i = 0; i < len; i++) {
        in = (struct x87_insn){ seq[i].opcode, seq[i].modrm, seq[i].mem, true, seq[i].disp, 0, 0,
                                0 };
        if (report && i == len - 1) {
            struct f80 a = x87_get_st(&f, 0), b = x87_get_st(&f, 1);
            fprintf(stderr, "  before: ST0 %04x:%016llx%s ST1 %04x:%016llx%s sw %04x\n",
                    a.sign_exp, (unsigned long long)a.sig, (f.valid >> f.top) & 1 ? "" : " (empty)",
                    b.sign_exp, (unsigned long long)b.sig,
                    (f.valid >> ((f.top + 1) & 7)) & 1 ? "" : " (empty)", x87_status_word(&f));
        }
        ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
        if (is_fcomi(seq[i])) {
            in = (struct x87_insn){ 0xD9, 0xF7, false, true, 0, 0, 0, 0 };
            ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
            in = (struct x87_insn){ 0xD9, 0xF6, false, true, 0, 0, 0, 0 };
            ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);
        }
    }
    in = (struct x87_insn){ 0xDD, 0xB3, true, true, SAVE_AREA, 0, 0, 0 };
    ck_assert_int_eq(x87_execute(&f, &in, &env), X87_OK);

    /* the pointer fields (12..27 of the image) differ by design */
    memset(host_data + SAVE_AREA + 12, 0, 16);
    memset(soft_data + SAVE_AREA + 12, 0, 16);
    if (memcmp(host_data, soft_data, DATA_SIZE) == 0)
        return true;
    if (report) {
        for (unsigned i = 0; i < DATA_SIZE; i++) {
            if (host_data[i] != soft_data[i])
                fprintf(stderr, "  byte %u: host %02x soft %02x\n", i, host_data[i], soft_data[i]);
        }
    }
    return false;
}
#endif

START_TEST(sequences_match_host)
{
#if defined(__x86_64__)
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED)
        return;       /* no executable memory here: nothing to compare with */
    uint64_t seed = 0x5EED0000u + (uint64_t)_i;
    bool unmasked = _i >= 4;
    unsigned mismatches = 0;
    for (unsigned round = 0; round < 2000; round++) {
        static uint8_t init[DATA_SIZE];
        for (unsigned i = 0; i < DATA_SIZE; i += 8) {
            uint64_t r = next_random(&seed);
            memcpy(init + i, &r, 8);
        }
        uint16_t cw = (uint16_t)(0x007F | (next_random(&seed) % 4) << 10
                                 | (uint16_t[]){ 0x000, 0x200, 0x300 }[next_random(&seed) % 3]);
        /* The unmasked variant: one instruction with random masks; the
         * final FNSAVE does not wait, so a pending exception never traps,
         * and its FNINIT clears it. */
        if (unmasked)
            cw = (uint16_t)((cw & ~0x3F) | (next_random(&seed) & 0x3F));
        memcpy(init, &cw, 2);
        unsigned nload = (unsigned)(next_random(&seed) % 9);
        for (unsigned k = 0; k < 8; k++)
            f80_to_bytes(random_operand(&seed, 0x3FFF), init + 16 + 10 * k);
        /* scratch: a mix of random bytes and plausible numbers */
        for (unsigned k = 0; k < 24; k++) {
            struct f80 v = random_operand(&seed, 0x3FFF);
            if (k % 3 == 0) {
                struct f80_env e = { 0, 64, 0x3F, 0, false };
                uint64_t d = f80_to_f64(&e, v);
                memcpy(init + SCRATCH + 16 * k, &d, 8);
            } else if (k % 3 == 1) {
                f80_to_bytes(v, init + SCRATCH + 16 * k);
            }
        }
        struct seq_insn seq[SEQ_LEN];
        unsigned len = unmasked ? 1 : 1 + round % SEQ_LEN;
        for (unsigned i = 0; i < len; i++)
            seq[i] = random_insn(&seed, unmasked);
        if (run_sequence(code, init, nload, seq, len, false))
            continue;
        if (mismatches++ < 4) {
            unsigned first = 1;
            while (first < len && run_sequence(code, init, nload, seq, first, false))
                first++;
            fprintf(stderr, "sequence %u/%u (cw %04x, %u loads) first differs after:", _i, round,
                    cw, nload);
            for (unsigned i = 0; i < first; i++)
                fprintf(stderr, " %02x%02x%s", seq[i].opcode, seq[i].modrm, seq[i].mem ? "m" : "");
            fprintf(stderr, "\n");
            if (seq[first - 1].mem) {
                fprintf(stderr, "  operand:");
                for (unsigned i = 0; i < 10; i++)
                    fprintf(stderr, " %02x", init[seq[first - 1].disp + i]);
                fprintf(stderr, "\n");
            }
            run_sequence(code, init, nload, seq, first, true);
        }
    }
    munmap(code, 4096);
    ck_assert_msg(mismatches == 0, "%u of 2000 sequences differ from the host", mismatches);
#endif
}
END_TEST

/* FRSTOR of random images (random tags, status and control words, register
 * encodings of every class), then FNSTENV (which masks every exception)
 * and FNSAVE, on the host and through
 * x87_execute, in the 32-bit and (with a 66 prefix) the 16-bit protected
 * layout: the stored images must be identical. FNSAVE does not wait and
 * reinitialises, so an unmasked exception loaded by FRSTOR never traps. */
START_TEST(frstor_fnsave_match_host)
{
#if defined(__x86_64__)
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED)
        return;
    bool op16 = _i == 1;
    uint64_t seed = 0xF5A4E + (uint64_t)_i;
    unsigned mismatches = 0;
    for (unsigned round = 0; round < 3000; round++) {
        static uint8_t host_data[DATA_SIZE], soft_data[DATA_SIZE];
        memset(host_data, 0, DATA_SIZE);
        unsigned env = op16 ? 14 : 28, step = op16 ? 2 : 4;
        for (unsigned i = 0; i < env; i += 2) {
            uint16_t r = (uint16_t)next_random(&seed);
            memcpy(host_data + 64 + i, &r, 2);
        }
        uint16_t cw = (uint16_t)next_random(&seed), sw = (uint16_t)next_random(&seed);
        uint16_t tw = (uint16_t)next_random(&seed);
        memcpy(host_data + 64, &cw, 2);
        memcpy(host_data + 64 + step, &sw, 2);
        memcpy(host_data + 64 + 2 * step, &tw, 2);
        for (unsigned k = 0; k < 8; k++)
            f80_to_bytes(random_operand(&seed, 0x3FFF), host_data + 64 + env + 10 * k);
        memcpy(soft_data, host_data, DATA_SIZE);

        uint8_t *p = code;
        *p++ = 0x53;                                  /* push rbx */
        *p++ = 0x48; *p++ = 0x89; *p++ = 0xFB;        /* mov rbx, rdi */
        if (op16)
            *p++ = 0x66;
        emit_mem(&p, 0xDD, 4, 64);                    /* frstor [rbx+64] */
        if (op16)
            *p++ = 0x66;
        emit_mem(&p, 0xD9, 6, 192);                   /* fnstenv [rbx+192] */
        if (op16)
            *p++ = 0x66;
        emit_mem(&p, 0xDD, 6, 256);                   /* fnsave [rbx+256] */
        *p++ = 0x5B;
        *p++ = 0xC3;
        ((void (*)(uint8_t *))(void *)code)(host_data);

        struct x87 f;
        x87_reset(&f);
        struct x87_env e = { X87_MODE_PROTECTED, 0, 0, 0, 0, soft_data, data_read, data_write };
        struct x87_insn in = { 0xDD, 0xA3, true, !op16, 64, 0, 0, 0 };
        ck_assert_int_eq(x87_execute(&f, &in, &e), X87_OK);
        in = (struct x87_insn){ 0xD9, 0xB3, true, !op16, 192, 0, 0, 0 };
        ck_assert_int_eq(x87_execute(&f, &in, &e), X87_OK);
        in = (struct x87_insn){ 0xDD, 0xB3, true, !op16, 256, 0, 0, 0 };
        ck_assert_int_eq(x87_execute(&f, &in, &e), X87_OK);
        /* A context switch between the host's instructions goes through
         * XSAVE, which on AMD drops FOP/FIP/FDP unless ES is set: compare
         * the pointer fields only with ES set. */
        if (!(host_data[256 + step] & 0x80)) {
            unsigned from = op16 ? 6 : 12, to = op16 ? 14 : 28;
            for (unsigned base = 192; base <= 256; base += 64) {
                memset(host_data + base + from, 0, to - from);
                memset(soft_data + base + from, 0, to - from);
            }
        }
        if (memcmp(host_data + 192, soft_data + 192, env) != 0 && mismatches++ < 4)
            fprintf(stderr, "fnstenv image differs in round %u\n", round);
        if (memcmp(host_data + 256, soft_data + 256, env + 80) != 0 && mismatches++ < 4) {
            fprintf(stderr, "frstor/fnsave%s round %u:\n  image:", op16 ? "16" : "32", round);
            for (unsigned i = 0; i < env; i++)
                fprintf(stderr, " %02x", host_data[64 + i]);
            fprintf(stderr, "\n");
            for (unsigned i = 0; i < env + 80; i++) {
                if (host_data[256 + i] != soft_data[256 + i])
                    fprintf(stderr, "  byte %u: host %02x soft %02x\n", i, host_data[256 + i],
                            soft_data[256 + i]);
            }
        }
    }
    munmap(code, 4096);
    ck_assert_msg(mismatches == 0, "%u of 3000 FRSTOR/FNSAVE round trips differ", mismatches);
#endif
}
END_TEST

/* FXRSTOR of random images, then FXSAVE, on the host and through
 * x87_fxrstor/x87_fxsave: the x87 part (bytes 0..159 without MXCSR_MASK)
 * must be identical. */
START_TEST(fxrstor_fxsave_match_host)
{
#if defined(__x86_64__)
    uint8_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED)
        return;
    static uint8_t host_data[DATA_SIZE + 1024], soft_data[DATA_SIZE + 1024];
    uint32_t in_off = (uint32_t)(64 - ((uintptr_t)host_data % 16));    /* 16-aligned */
    uint32_t out_off = in_off + 512;
    uint64_t seed = 0xF75A4E;
    unsigned mismatches = 0;
    for (unsigned round = 0; round < 3000; round++) {
        memset(host_data, 0, sizeof(host_data));
        for (unsigned i = 0; i < 32; i += 2) {
            uint16_t r = (uint16_t)next_random(&seed);
            memcpy(host_data + in_off + i, &r, 2);
        }
        uint32_t mxcsr = 0x1F80;
        memcpy(host_data + in_off + 24, &mxcsr, 4);
        for (unsigned k = 0; k < 8; k++)
            f80_to_bytes(random_operand(&seed, 0x3FFF), host_data + in_off + 32 + 16 * k);
        memcpy(soft_data, host_data, sizeof(host_data));

        uint8_t *p = code;
        *p++ = 0x53;                                  /* push rbx */
        *p++ = 0x48; *p++ = 0x89; *p++ = 0xFB;        /* mov rbx, rdi */
        *p++ = 0x0F; emit_mem(&p, 0xAE, 1, in_off);   /* fxrstor [rbx+in] */
        *p++ = 0x0F; emit_mem(&p, 0xAE, 0, out_off);  /* fxsave [rbx+out] */
        *p++ = 0xDB; *p++ = 0xE3;                     /* fninit: nothing pending */
        *p++ = 0x5B;
        *p++ = 0xC3;
        ((void (*)(uint8_t *))(void *)code)(host_data);

        struct x87 f;
        x87_reset(&f);
        struct x87_env e = { X87_MODE_PROTECTED, 0, 0, 0, 0, soft_data, data_read, data_write };
        uint32_t loaded;
        ck_assert_int_eq(x87_fxrstor(&f, &e, in_off, 0xFFFF, &loaded), X87_OK);
        ck_assert_int_eq(x87_fxsave(&f, &e, out_off, loaded, 0), X87_OK);
        memset(host_data + out_off + 28, 0, 4);       /* MXCSR_MASK: the core's */
        /* AMD saves FOP, FIP and FDP only with ES set (its documented
         * FXSAVE behaviour; Intel always saves them, as the unit does). */
        if (!(host_data[out_off + 2] & 0x80)) {
            memset(host_data + out_off + 6, 0, 18);
            memset(soft_data + out_off + 6, 0, 18);
        }
        /* A 64-bit host may deprecate FCS and FDS (stored as zero). */
        memset(host_data + out_off + 12, 0, 2);
        memset(soft_data + out_off + 12, 0, 2);
        memset(host_data + out_off + 20, 0, 2);
        memset(soft_data + out_off + 20, 0, 2);
        if (memcmp(host_data + out_off, soft_data + out_off, 160) != 0 && mismatches++ < 4) {
            fprintf(stderr, "fxrstor/fxsave round %u:\n", round);
            for (unsigned i = 0; i < 160; i++) {
                if (host_data[out_off + i] != soft_data[out_off + i])
                    fprintf(stderr, "  byte %u: host %02x soft %02x\n", i, host_data[out_off + i],
                            soft_data[out_off + i]);
            }
        }
    }
    munmap(code, 4096);
    ck_assert_msg(mismatches == 0, "%u of 3000 FXRSTOR/FXSAVE round trips differ", mismatches);
#endif
}
END_TEST

static Suite *hostdiff_suite(void)
{
    Suite *s = suite_create("x87_hostdiff");
    TCase *tc = tcase_create("ops");
#ifdef HOST_X87
    tcase_add_loop_test(tc, binary_ops_match_host, 0, OP_COUNT);
    tcase_add_loop_test(tc, conversions_match_host, 0, CV_COUNT);
    tcase_add_loop_test(tc, transcendentals_match_host, 0, 8);
    tcase_add_loop_test(tc, transcendental_specials_match_host, 0, 8);
    tcase_add_loop_test(tc, sequences_match_host, 0, 8);
    tcase_add_loop_test(tc, frstor_fnsave_match_host, 0, 2);
    tcase_add_test(tc, fxrstor_fxsave_match_host);
#else
    tcase_add_loop_test(tc, binary_ops_match_host, 0, 1);
    tcase_add_loop_test(tc, conversions_match_host, 0, 1);
#endif
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(hostdiff_suite());
}
