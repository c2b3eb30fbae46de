/* The x87 unit through its API (x87_execute and friends), on any host:
 * stack faults, masked and unmasked exceptions and #MF reporting, the
 * environment and FSAVE images in all four layouts, FXSAVE, FXAM classes,
 * FPREM's partial remainder loop, the constants per rounding mode,
 * FCOMI/FCMOV, memory faults leaving the state alone, the reserved
 * encodings, pointer bookkeeping, save state, transcendental spot values. */
#include <check.h>
#include <string.h>

#include "isa-x86/x87.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

/* Guest memory for the callbacks: 4 KiB, with an optional faulting range. */
struct mem {
    uint8_t bytes[4096];
    uint32_t fault_from, fault_to;    /* [from, to) faults when to > from */
    unsigned reads, writes;
};

static bool faults(const struct mem *m, uint32_t offset, unsigned size)
{
    return offset + size > sizeof(m->bytes)
        || (m->fault_to > m->fault_from && offset < m->fault_to && offset + size > m->fault_from);
}

static int mem_read(void *ctx, uint32_t offset, unsigned size, void *buf)
{
    struct mem *m = ctx;
    m->reads++;
    if (faults(m, offset, size))
        return 14;
    memcpy(buf, m->bytes + offset, size);
    return 0;
}

static int mem_write(void *ctx, uint32_t offset, unsigned size, const void *buf)
{
    struct mem *m = ctx;
    m->writes++;
    if (faults(m, offset, size))
        return 14;
    memcpy(m->bytes + offset, buf, size);
    return 0;
}

struct rig {
    struct x87 f;
    struct mem mem;
    struct x87_env env;
};

static void rig_init(struct rig *r)
{
    memset(r, 0, sizeof(*r));
    x87_reset(&r->f);
    x87_init(&r->f);
    r->env.mode = X87_MODE_PROTECTED;
    r->env.ctx = &r->mem;
    r->env.read = mem_read;
    r->env.write = mem_write;
}

static enum x87_result reg_op(struct rig *r, uint8_t op, uint8_t modrm)
{
    struct x87_insn in = { op, modrm, false, true, 0, 0, 0x1B, 0x1000 };
    return x87_execute(&r->f, &in, &r->env);
}

/* Memory form with ModRM.reg = reg at offset. */
static enum x87_result mem_op(struct rig *r, uint8_t op, unsigned reg, uint32_t offset, bool op32)
{
    struct x87_insn in = { op, (uint8_t)(reg << 3 | 6), true, op32, offset, 0x23, 0x1B, 0x2000 };
    return x87_execute(&r->f, &in, &r->env);
}

static void put_f64(struct rig *r, uint32_t off, uint64_t v)
{
    memcpy(r->mem.bytes + off, &v, 8);
}

static void load_f64(struct rig *r, uint64_t bits)
{
    put_f64(r, 0x800, bits);
    ck_assert_int_eq(mem_op(r, 0xDD, 0, 0x800, true), X87_OK);
}

#define F64_ONE 0x3FF0000000000000ull
#define F64_TWO 0x4000000000000000ull
#define F64_THREE 0x4008000000000000ull

/* Field by field: the struct has padding. */
static bool same_state(const struct x87 *a, const struct x87 *b)
{
    for (unsigned i = 0; i < 8; i++) {
        if (a->st[i].sig != b->st[i].sig || a->st[i].sign_exp != b->st[i].sign_exp)
            return false;
    }
    return a->cw == b->cw && a->sw == b->sw && a->top == b->top && a->valid == b->valid
        && a->fop == b->fop && a->fcs == b->fcs && a->fds == b->fds && a->fip == b->fip
        && a->fdp == b->fdp;
}

static bool same(struct f80 a, uint16_t se, uint64_t sig)
{
    return a.sign_exp == se && a.sig == sig;
}

START_TEST(reset_and_init_state)
{
    struct x87 f;
    x87_reset(&f);
    ck_assert_uint_eq(f.cw, 0x0040);
    ck_assert_uint_eq(x87_tag_word(&f), 0x5555);
    ck_assert_uint_eq(x87_status_word(&f), 0);
    x87_init(&f);
    ck_assert_uint_eq(f.cw, 0x037F);
    ck_assert_uint_eq(x87_tag_word(&f), 0xFFFF);
    ck_assert(!x87_error_pending(&f));
}
END_TEST

/* FLDPI etc. in every rounding mode (SDM Vol. 1 §8.3.8). */
START_TEST(constants_per_rounding_mode)
{
    static const struct { uint8_t modrm; uint16_t se; uint64_t nearest, down, up; } k[] = {
        { 0xE8, 0x3FFF, 0x8000000000000000ull, 0x8000000000000000ull, 0x8000000000000000ull },
        { 0xE9, 0x4000, 0xD49A784BCD1B8AFEull, 0xD49A784BCD1B8AFEull, 0xD49A784BCD1B8AFFull },
        { 0xEA, 0x3FFF, 0xB8AA3B295C17F0BCull, 0xB8AA3B295C17F0BBull, 0xB8AA3B295C17F0BCull },
        { 0xEB, 0x4000, 0xC90FDAA22168C235ull, 0xC90FDAA22168C234ull, 0xC90FDAA22168C235ull },
        { 0xEC, 0x3FFD, 0x9A209A84FBCFF799ull, 0x9A209A84FBCFF798ull, 0x9A209A84FBCFF799ull },
        { 0xED, 0x3FFE, 0xB17217F7D1CF79ACull, 0xB17217F7D1CF79ABull, 0xB17217F7D1CF79ACull },
        { 0xEE, 0x0000, 0, 0, 0 },
    };
    for (unsigned rc = 0; rc < 4; rc++) {
        for (unsigned i = 0; i < 7; i++) {
            struct rig r;
            rig_init(&r);
            r.f.cw = (uint16_t)(0x037F | rc << 10);
            ck_assert_int_eq(reg_op(&r, 0xD9, k[i].modrm), X87_OK);
            uint64_t want = rc == 0 ? k[i].nearest : rc == 2 ? k[i].up : k[i].down;
            struct f80 v = x87_get_st(&r.f, 0);
            ck_assert_msg(same(v, k[i].se, want), "D9 %02X rc %u: %04x:%016llx", k[i].modrm, rc,
                          v.sign_exp, (unsigned long long)v.sig);
        }
    }
}
END_TEST

/* FXAM (SDM Vol. 2A Table 3-46): C3 C2 C0 and the sign in C1. */
START_TEST(fxam_classes)
{
    static const struct { uint16_t se; uint64_t sig; uint16_t cc; } cases[] = {
        { 0x3FFF, 0x8000000000000000ull, 0x0400 },            /* normal */
        { 0xBFFF, 0x8000000000000000ull, 0x0600 },            /* negative normal: C1 */
        { 0x0000, 0x0000000000000000ull, 0x4000 },            /* zero */
        { 0x0000, 0x0000000000000001ull, 0x4400 },            /* denormal */
        { 0x0000, 0x8000000000000001ull, 0x4400 },            /* pseudo-denormal */
        { 0x7FFF, 0x8000000000000000ull, 0x0500 },            /* infinity */
        { 0x7FFF, 0xC000000000000001ull, 0x0100 },            /* QNaN */
        { 0x7FFF, 0x8000000000000001ull, 0x0100 },            /* SNaN */
        { 0x3FFF, 0x4000000000000000ull, 0x0000 },            /* unnormal: unsupported */
        { 0x7FFF, 0x0000000000000000ull, 0x0000 },            /* pseudo-infinity */
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rig r;
        rig_init(&r);
        x87_set_st(&r.f, 0, (struct f80){ cases[i].sig, cases[i].se });
        ck_assert_int_eq(reg_op(&r, 0xD9, 0xE5), X87_OK);
        ck_assert_msg((x87_status_word(&r.f) & 0x4700) == cases[i].cc, "case %u: %04x", i,
                      x87_status_word(&r.f));
    }
    struct rig r;
    rig_init(&r);
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xE5), X87_OK);          /* empty */
    ck_assert_uint_eq(x87_status_word(&r.f) & 0x4500, 0x4100);
}
END_TEST

START_TEST(stack_overflow_and_underflow)
{
    struct rig r;
    rig_init(&r);
    for (unsigned i = 0; i < 8; i++)
        ck_assert_int_eq(reg_op(&r, 0xD9, 0xE8), X87_OK);     /* FLD1 x 8 */
    ck_assert_uint_eq(x87_status_word(&r.f) & 0x3F, 0);
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xEB), X87_OK);         /* FLDPI: overflow */
    uint16_t sw = x87_status_word(&r.f);
    ck_assert_uint_eq(sw & (X87_SW_IE | X87_SW_SF | X87_SW_C1), X87_SW_IE | X87_SW_SF | X87_SW_C1);
    ck_assert(same(x87_get_st(&r.f, 0), 0xFFFF, 0xC000000000000000ull));   /* indefinite */

    rig_init(&r);
    ck_assert_int_eq(reg_op(&r, 0xD8, 0xC1), X87_OK);         /* FADD ST0, ST1: both empty */
    sw = x87_status_word(&r.f);
    ck_assert_uint_eq(sw & (X87_SW_IE | X87_SW_SF | X87_SW_C1), X87_SW_IE | X87_SW_SF);
    ck_assert(same(x87_get_st(&r.f, 0), 0xFFFF, 0xC000000000000000ull));

    /* FISTP of an empty register stores the integer indefinite. */
    rig_init(&r);
    ck_assert_int_eq(mem_op(&r, 0xDF, 3, 0x100, true), X87_OK);
    ck_assert_uint_eq(r.mem.bytes[0x100] | r.mem.bytes[0x101] << 8, 0x8000);
}
END_TEST

START_TEST(integer_stores_and_indefinite)
{
    struct rig r;
    rig_init(&r);
    put_f64(&r, 0x10, 0x40E3880000000000ull);                  /* 40000.0 */
    ck_assert_int_eq(mem_op(&r, 0xDD, 0, 0x10, true), X87_OK);
    ck_assert_int_eq(mem_op(&r, 0xDF, 2, 0x20, true), X87_OK);   /* FIST m16: out of range */
    ck_assert_uint_eq(r.mem.bytes[0x20] | r.mem.bytes[0x21] << 8, 0x8000);
    ck_assert(x87_status_word(&r.f) & X87_SW_IE);
    ck_assert_int_eq(mem_op(&r, 0xDB, 2, 0x30, true), X87_OK);   /* FIST m32: fits */
    uint32_t v32;
    memcpy(&v32, r.mem.bytes + 0x30, 4);
    ck_assert_uint_eq(v32, 40000);

    /* 2.5 and -2.5 in every rounding mode */
    static const int16_t want[4][2] = { { 2, -2 }, { 2, -3 }, { 3, -2 }, { 2, -2 } };
    for (unsigned rc = 0; rc < 4; rc++) {
        for (unsigned s = 0; s < 2; s++) {
            rig_init(&r);
            r.f.cw = (uint16_t)(0x037F | rc << 10);
            put_f64(&r, 0x10, (s ? 0xC004000000000000ull : 0x4004000000000000ull));
            ck_assert_int_eq(mem_op(&r, 0xDD, 0, 0x10, true), X87_OK);
            ck_assert_int_eq(mem_op(&r, 0xDF, 3, 0x20, true), X87_OK);  /* FISTP m16 */
            int16_t got;
            memcpy(&got, r.mem.bytes + 0x20, 2);
            ck_assert_int_eq(got, want[rc][s]);
            ck_assert(x87_status_word(&r.f) & X87_SW_PE);
            ck_assert_uint_eq(x87_tag_word(&r.f), 0xFFFF);              /* popped */
        }
    }
}
END_TEST

START_TEST(bcd_round_trip)
{
    struct rig r;
    rig_init(&r);
    static const uint8_t bcd[10] = { 0x89, 0x67, 0x45, 0x23, 0x01, 0x89, 0x67, 0x45, 0x23, 0x80 };
    memcpy(r.mem.bytes + 0x40, bcd, 10);
    ck_assert_int_eq(mem_op(&r, 0xDF, 4, 0x40, true), X87_OK);   /* FBLD */
    struct f80 v = x87_get_st(&r.f, 0);
    ck_assert(f80_sign(v));
    ck_assert_int_eq(mem_op(&r, 0xDF, 6, 0x60, true), X87_OK);   /* FBSTP */
    ck_assert_mem_eq(r.mem.bytes + 0x60, bcd, 10);
    /* 1e18 does not fit: the BCD indefinite */
    put_f64(&r, 0x10, 0x43ABC16D674EC800ull);                     /* 1e18 */
    ck_assert_int_eq(mem_op(&r, 0xDD, 0, 0x10, true), X87_OK);
    ck_assert_int_eq(mem_op(&r, 0xDF, 6, 0x60, true), X87_OK);
    static const uint8_t indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xC0, 0xFF, 0xFF };
    ck_assert_mem_eq(r.mem.bytes + 0x60, indefinite, 10);
}
END_TEST

/* An unmasked invalid operation: the destination stays, ES is set, the
 * next waiting instruction reports #MF without executing, the no-wait
 * ones run (SDM Vol. 1 §8.7). */
START_TEST(unmasked_exception_is_reported_on_next_waiting_insn)
{
    struct rig r;
    rig_init(&r);
    r.f.cw = 0x037E;                                              /* IE unmasked */
    load_f64(&r, 0xBFF0000000000000ull);                          /* -1.0 */
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xFA), X87_OK);             /* FSQRT: invalid */
    ck_assert(same(x87_get_st(&r.f, 0), 0xBFFF, 0x8000000000000000ull));   /* unchanged */
    ck_assert(x87_error_pending(&r.f));
    ck_assert_uint_eq(x87_status_word(&r.f) & 0x80BF, X87_SW_B | X87_SW_ES | X87_SW_IE);

    struct x87 before = r.f;
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xE8), X87_RAISE_MF);      /* FLD1 */
    ck_assert(same_state(&before, &r.f));
    struct x87_insn fwait = { 0x9B, 0, false, true, 0, 0, 0, 0 };
    ck_assert_int_eq(x87_execute(&r.f, &fwait, &r.env), X87_RAISE_MF);

    ck_assert_int_eq(reg_op(&r, 0xDF, 0xE0), X87_OK);             /* FNSTSW AX */
    ck_assert(r.env.outputs & X87_OUT_AX);
    ck_assert_uint_eq(r.env.ax & 0x80FF, 0x8081);
    ck_assert_int_eq(mem_op(&r, 0xD9, 7, 0x10, true), X87_OK);    /* FNSTCW */
    ck_assert_uint_eq(r.mem.bytes[0x10], 0x7E);
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xE2), X87_OK);             /* FNCLEX */
    ck_assert(!x87_error_pending(&r.f));
    ck_assert_int_eq(x87_execute(&r.f, &fwait, &r.env), X87_OK);
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xE8), X87_OK);

    /* FLDCW unmasking a pending flag sets ES */
    rig_init(&r);
    load_f64(&r, 0xBFF0000000000000ull);
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xFA), X87_OK);             /* masked: indefinite */
    ck_assert(same(x87_get_st(&r.f, 0), 0xFFFF, 0xC000000000000000ull));
    ck_assert(!x87_error_pending(&r.f));
    r.mem.bytes[0x10] = 0x7E;
    r.mem.bytes[0x11] = 0x03;
    ck_assert_int_eq(mem_op(&r, 0xD9, 5, 0x10, true), X87_OK);    /* FLDCW */
    ck_assert(x87_error_pending(&r.f));
}
END_TEST

/* Unmasked overflow and underflow deliver the result with the exponent
 * wrapped by 24576 to a register; nothing to memory (SDM §8.5.4, §8.5.5). */
START_TEST(unmasked_overflow_underflow_wrap)
{
    struct rig r;
    rig_init(&r);
    r.f.cw = 0x0377;                                             /* OE unmasked */
    x87_set_st(&r.f, 0, (struct f80){ 0x8000000000000000ull, 0x7000 });
    ck_assert_int_eq(reg_op(&r, 0xD8, 0xC8), X87_OK);            /* FMUL ST0, ST0 */
    /* 2^(0x1001*2) = 2^0x2002 -> biased 0xA001 - 24576 = 0x4001 */
    ck_assert(same(x87_get_st(&r.f, 0), 0x4001, 0x8000000000000000ull));
    ck_assert(x87_status_word(&r.f) & X87_SW_OE);
    ck_assert(x87_error_pending(&r.f));

    rig_init(&r);
    r.f.cw = 0x036F;                                             /* UE unmasked */
    x87_set_st(&r.f, 0, (struct f80){ 0x8000000000000000ull, 0x1000 });
    ck_assert_int_eq(reg_op(&r, 0xD8, 0xC8), X87_OK);
    /* 2^((0x1000-0x3FFF)*2) biased = 0x2001 - 0x3FFF... = -0x1FFD + 24576 */
    ck_assert(same(x87_get_st(&r.f, 0), (uint16_t)(0x1000 * 2 - 0x3FFF + 24576),
                   0x8000000000000000ull));
    ck_assert(x87_status_word(&r.f) & X87_SW_UE);

    /* masked: infinity; FST m32 of a huge value with OE unmasked stores nothing */
    rig_init(&r);
    x87_set_st(&r.f, 0, (struct f80){ 0x8000000000000000ull, 0x7000 });
    ck_assert_int_eq(reg_op(&r, 0xD8, 0xC8), X87_OK);
    ck_assert(same(x87_get_st(&r.f, 0), 0x7FFF, 0x8000000000000000ull));
    ck_assert_uint_eq(x87_status_word(&r.f) & 0x3F, X87_SW_OE | X87_SW_PE);

    rig_init(&r);
    r.f.cw = 0x0377;
    load_f64(&r, 0x7FE0000000000000ull);                         /* 2^1023 */
    memset(r.mem.bytes + 0x10, 0xAA, 4);
    ck_assert_int_eq(mem_op(&r, 0xD9, 3, 0x10, true), X87_OK);   /* FSTP m32 */
    ck_assert_uint_eq(r.mem.bytes[0x10], 0xAA);
    ck_assert_uint_eq(x87_tag_word(&r.f) != 0xFFFF, 1);          /* not popped */
    ck_assert(x87_status_word(&r.f) & X87_SW_OE);
}
END_TEST

START_TEST(memory_faults_change_nothing)
{
    struct rig r;
    rig_init(&r);
    load_f64(&r, F64_TWO);
    r.mem.fault_from = 0x200;
    r.mem.fault_to = 0x300;
    struct x87 before = r.f;
    ck_assert_int_eq(mem_op(&r, 0xDD, 0, 0x2F8, true), X87_MEM_FAULT);   /* FLD m64 */
    ck_assert_int_eq(r.env.fault, 14);
    ck_assert(same_state(&before, &r.f));
    ck_assert_int_eq(mem_op(&r, 0xDD, 3, 0x200, true), X87_MEM_FAULT);   /* FSTP m64 */
    ck_assert(same_state(&before, &r.f));
    ck_assert_int_eq(mem_op(&r, 0xDD, 6, 0x1A0, true), X87_MEM_FAULT);   /* FNSAVE over it */
    ck_assert(same_state(&before, &r.f));
    ck_assert_int_eq(mem_op(&r, 0xD8, 0, 0x2FC, true), X87_MEM_FAULT);   /* FADD m32 */
    ck_assert(same_state(&before, &r.f));
    ck_assert_int_eq(mem_op(&r, 0xDD, 4, 0x2A0, true), X87_MEM_FAULT);   /* FRSTOR */
    ck_assert(same_state(&before, &r.f));
    ck_assert_int_eq(x87_fxsave(&r.f, &r.env, 0x1C0, 0x1F80, 0xFFFF), X87_MEM_FAULT);
    uint32_t mxcsr;
    ck_assert_int_eq(x87_fxrstor(&r.f, &r.env, 0x1C0, 0xFFFF, &mxcsr), X87_MEM_FAULT);
    ck_assert(same_state(&before, &r.f));
}
END_TEST

START_TEST(reserved_encodings)
{
    static const uint8_t reg_forms[][2] = {
        { 0xD9, 0xD1 }, { 0xD9, 0xE2 }, { 0xD9, 0xE7 }, { 0xD9, 0xEF }, { 0xDA, 0xE8 },
        { 0xDA, 0xF0 }, { 0xDB, 0xE5 }, { 0xDB, 0xF8 }, { 0xDD, 0xF0 }, { 0xDE, 0xD8 },
        { 0xDF, 0xE1 }, { 0xDF, 0xF8 },
    };
    struct rig r;
    rig_init(&r);
    for (unsigned i = 0; i < sizeof(reg_forms) / sizeof(reg_forms[0]); i++)
        ck_assert_int_eq(reg_op(&r, reg_forms[i][0], reg_forms[i][1]), X87_UNDEFINED);
    ck_assert_int_eq(mem_op(&r, 0xD9, 1, 0, true), X87_UNDEFINED);
    ck_assert_int_eq(mem_op(&r, 0xDB, 4, 0, true), X87_UNDEFINED);
    ck_assert_int_eq(mem_op(&r, 0xDD, 5, 0, true), X87_UNDEFINED);
    ck_assert_int_eq(mem_op(&r, 0xDF, 1, 0, true), X87_UNDEFINED);   /* FISTTP: SSE3 */
    /* the undocumented aliases execute */
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xE8), X87_OK);
    ck_assert_int_eq(reg_op(&r, 0xDD, 0xC9), X87_OK);                /* FXCH4 */
    ck_assert_int_eq(reg_op(&r, 0xDF, 0xC0), X87_OK);                /* FFREEP */
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xE4), X87_OK);                /* FSETPM: no-op */
}
END_TEST

START_TEST(pointers_recorded_for_non_control_insns)
{
    struct rig r;
    rig_init(&r);
    put_f64(&r, 0x30, F64_ONE);
    ck_assert_int_eq(mem_op(&r, 0xDD, 0, 0x30, true), X87_OK);   /* FLD m64 */
    ck_assert_uint_eq(r.f.fdp, 0x30);
    ck_assert_uint_eq(r.f.fds, 0x23);
    ck_assert_uint_eq(r.f.fip, 0x2000);
    ck_assert_uint_eq(r.f.fcs, 0x1B);
    ck_assert_uint_eq(r.f.fop, 0x5 << 8 | 0x06);
    ck_assert_int_eq(mem_op(&r, 0xD9, 7, 0x40, true), X87_OK);   /* FNSTCW: control */
    ck_assert_uint_eq(r.f.fdp, 0x30);
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xE0), X87_OK);            /* FCHS: register form */
    ck_assert_uint_eq(r.f.fop, 0x1E0);
    ck_assert_uint_eq(r.f.fip, 0x1000);
    ck_assert_uint_eq(r.f.fdp, 0x30);
}
END_TEST

/* A recognisable state for the image tests. */
static void sample_state(struct rig *r)
{
    load_f64(r, F64_THREE);
    load_f64(r, 0);                                  /* zero */
    load_f64(r, 0x7FF0000000000000ull);              /* infinity: special */
    r->f.cw = 0x0B7F;
    r->f.sw |= X87_SW_PE | X87_SW_C3;
    r->f.fip = 0x1234;
    r->f.fcs = 0x0100;
    r->f.fdp = 0x5678;
    r->f.fds = 0x0200;
    r->f.fop = 0x5AB;
}

/* FNSAVE then FRSTOR in each of the four layouts gives back the state;
 * the images have the documented fields at the documented offsets. */
START_TEST(fsave_frstor_every_layout)
{
    for (unsigned layout = 0; layout < 4; layout++) {
        bool op32 = layout & 1;
        enum x87_mode mode = layout & 2 ? X87_MODE_PROTECTED : X87_MODE_REAL;
        struct rig r;
        rig_init(&r);
        r.env.mode = mode;
        sample_state(&r);
        struct x87 before = r.f;
        ck_assert_int_eq(mem_op(&r, 0xDD, 6, 0x100, op32), X87_OK);   /* FNSAVE */
        const uint8_t *img = r.mem.bytes + 0x100;
        unsigned env = op32 ? 28 : 14, step = op32 ? 4 : 2;
        ck_assert_uint_eq(img[0] | img[1] << 8, 0x0B7F);
        uint16_t sw = (uint16_t)(img[step] | img[step + 1] << 8);
        ck_assert_uint_eq(sw, x87_status_word(&before));
        uint16_t tw = (uint16_t)(img[2 * step] | img[2 * step + 1] << 8);
        ck_assert_uint_eq(tw, 0x1BFF);    /* R7 valid (3.0), R6 zero, R5 special */
        /* ST0 first: the infinity */
        ck_assert_uint_eq(img[env + 9], 0x7F);
        ck_assert_uint_eq(img[env + 8], 0xFF);
        if (mode == X87_MODE_REAL) {
            uint32_t lin_ip = 0x1000 + 0x1234;
            if (op32) {
                ck_assert_uint_eq(img[12] | img[13] << 8, lin_ip & 0xFFFF);
                uint32_t w = img[16] | img[17] << 8 | (uint32_t)img[18] << 16 | (uint32_t)img[19] << 24;
                ck_assert_uint_eq(w & 0x7FF, 0x5AB);
                ck_assert_uint_eq(w >> 12, lin_ip >> 16);
            } else {
                ck_assert_uint_eq(img[6] | img[7] << 8, lin_ip & 0xFFFF);
                ck_assert_uint_eq((img[8] | img[9] << 8) & 0x7FF, 0x5AB);
                ck_assert_uint_eq(img[10] | img[11] << 8, (0x2000 + 0x5678) & 0xFFFF);
            }
        } else if (op32) {
            ck_assert_uint_eq(img[12] | img[13] << 8, 0x1234);
            ck_assert_uint_eq(img[16] | img[17] << 8, 0x0100);
            ck_assert_uint_eq((img[18] | img[19] << 8) & 0x7FF, 0x5AB);
            ck_assert_uint_eq(img[20] | img[21] << 8, 0x5678);
            ck_assert_uint_eq(img[24] | img[25] << 8, 0x0200);
        } else {
            ck_assert_uint_eq(img[6] | img[7] << 8, 0x1234);
            ck_assert_uint_eq(img[8] | img[9] << 8, 0x0100);
            ck_assert_uint_eq(img[10] | img[11] << 8, 0x5678);
            ck_assert_uint_eq(img[12] | img[13] << 8, 0x0200);
        }
        /* FNSAVE ends with FNINIT */
        ck_assert_uint_eq(r.f.cw, 0x037F);
        ck_assert_uint_eq(x87_tag_word(&r.f), 0xFFFF);

        ck_assert_int_eq(mem_op(&r, 0xDD, 4, 0x100, op32), X87_OK);   /* FRSTOR */
        ck_assert_uint_eq(r.f.cw, before.cw);
        ck_assert_uint_eq(x87_status_word(&r.f), x87_status_word(&before));
        ck_assert_uint_eq(x87_tag_word(&r.f), x87_tag_word(&before));
        for (unsigned i = 0; i < 8; i++) {
            struct f80 a = x87_get_st(&r.f, i), b = x87_get_st(&before, i);
            if (!((x87_tag_word(&before) >> (2 * ((before.top + i) & 7)) & 3) == 3))
                ck_assert(a.sig == b.sig && a.sign_exp == b.sign_exp);
        }
        if (layout != 2)             /* the 16-bit protected image has no opcode */
            ck_assert_uint_eq(r.f.fop, 0x5AB);
        if (mode == X87_MODE_PROTECTED) {
            ck_assert_uint_eq(r.f.fip, 0x1234);
            ck_assert_uint_eq(r.f.fcs, 0x0100);
            ck_assert_uint_eq(r.f.fdp, 0x5678);
            ck_assert_uint_eq(r.f.fds, 0x0200);
        } else {
            /* real mode keeps linear pointers */
            ck_assert_uint_eq(r.f.fip, 0x1000 + 0x1234);
            ck_assert_uint_eq(r.f.fdp, 0x2000 + 0x5678);
        }
        /* FNSTENV writes the environment only and masks everything */
        rig_init(&r);
        r.env.mode = mode;
        sample_state(&r);
        memset(r.mem.bytes + 0x300, 0xEE, 64);
        ck_assert_int_eq(mem_op(&r, 0xD9, 6, 0x300, op32), X87_OK);
        ck_assert_uint_eq(r.mem.bytes[0x300 + env], 0xEE);
        ck_assert_uint_eq(r.f.cw & 0x3F, 0x3F);
        ck_assert_int_eq(mem_op(&r, 0xD9, 4, 0x300, op32), X87_OK);   /* FLDENV */
        ck_assert_uint_eq(r.f.cw, 0x0B7F);
    }
}
END_TEST

START_TEST(fxsave_fxrstor)
{
    struct rig r;
    rig_init(&r);
    sample_state(&r);
    struct x87 before = r.f;
    ck_assert_int_eq(x87_fxsave(&r.f, &r.env, 0x200, 0x1F80, 0xFFBF), X87_OK);
    const uint8_t *img = r.mem.bytes + 0x200;
    ck_assert_uint_eq(img[0] | img[1] << 8, 0x0B7F);
    ck_assert_uint_eq(img[4], 0xE0);              /* abridged: R5, R6, R7 valid */
    ck_assert_uint_eq(img[6] | img[7] << 8, 0x5AB);
    ck_assert_uint_eq(img[24] | img[25] << 8, 0x1F80);
    ck_assert_uint_eq(img[32 + 9], 0x7F);         /* ST0 = +inf */
    x87_init(&r.f);
    uint32_t mxcsr = 0;
    ck_assert_int_eq(x87_fxrstor(&r.f, &r.env, 0x200, 0xFFBF, &mxcsr), X87_OK);
    ck_assert_uint_eq(mxcsr, 0x1F80);
    ck_assert(same_state(&before, &r.f));
    /* a reserved MXCSR bit: #GP, nothing loaded */
    r.mem.bytes[0x200 + 27] = 0x80;
    x87_init(&r.f);
    struct x87 inited = r.f;
    ck_assert_int_eq(x87_fxrstor(&r.f, &r.env, 0x200, 0xFFBF, &mxcsr), X87_GENERAL_PROTECTION);
    ck_assert(same_state(&inited, &r.f));
}
END_TEST

/* FPREM's partial remainder: 2^200 mod 3 needs several passes; C2 says
 * when to loop (SDM Vol. 2A FPREM). The result is exactly 1 and the
 * quotient (2^200 - 1) / 3 has low bits 101 (C0 C3 C1 = 1 0 1). */
START_TEST(fprem_partial_loop)
{
    struct rig r;
    rig_init(&r);
    r.f.top = 7;
    x87_set_st(&r.f, 0, (struct f80){ 0xC000000000000000ull, 0x4000 });         /* ST1 = 3 */
    r.f.top = 6;
    x87_set_st(&r.f, 0, (struct f80){ 0x8000000000000000ull, 0x3FFF + 200 });   /* ST0 = 2^200 */
    unsigned passes = 0;
    do {
        ck_assert_int_eq(reg_op(&r, 0xD9, 0xF8), X87_OK);
        passes++;
    } while ((x87_status_word(&r.f) & X87_SW_C2) && passes < 20);
    ck_assert_uint_gt(passes, 2);
    ck_assert(same(x87_get_st(&r.f, 0), 0x3FFF, 0x8000000000000000ull));
    uint16_t sw = x87_status_word(&r.f);
    /* (2^200 - 1) / 3 = 0x5555...5: low bits 101 */
    ck_assert_uint_eq(!!(sw & X87_SW_C0), 1);
    ck_assert_uint_eq(!!(sw & X87_SW_C3), 0);
    ck_assert_uint_eq(!!(sw & X87_SW_C1), 1);
}
END_TEST

START_TEST(fcomi_and_fcmov)
{
    struct rig r;
    rig_init(&r);
    load_f64(&r, F64_TWO);
    load_f64(&r, F64_ONE);                          /* ST0 = 1, ST1 = 2 */
    r.env.eflags = 0x8D5;                           /* OF SF AF ... set */
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xF1), X87_OK);   /* FCOMI ST0, ST1: less */
    ck_assert(r.env.outputs & X87_OUT_EFLAGS);
    ck_assert_uint_eq(r.env.eflags & 0x8D5, X87_EFLAGS_CF);
    ck_assert_int_eq(reg_op(&r, 0xDA, 0xC1), X87_OK);   /* FCMOVB: CF=1, taken */
    ck_assert(same(x87_get_st(&r.f, 0), 0x4000, 0x8000000000000000ull));
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xF1), X87_OK);   /* now equal */
    ck_assert_uint_eq(r.env.eflags & 0x45, X87_EFLAGS_ZF);
    x87_set_st(&r.f, 1, (struct f80){ 0xC000000000000000ull, 0x7FFF });   /* QNaN */
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xE9), X87_OK);   /* FUCOMI: unordered, no IE */
    ck_assert_uint_eq(r.env.eflags & 0x45, 0x45);
    ck_assert_uint_eq(x87_status_word(&r.f) & X87_SW_IE, 0);
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xF1), X87_OK);   /* FCOMI: IE */
    ck_assert_uint_eq(x87_status_word(&r.f) & X87_SW_IE, X87_SW_IE);
    ck_assert_int_eq(reg_op(&r, 0xDB, 0xC1), X87_OK);   /* FCMOVNB: CF=1, not taken */
    ck_assert(same(x87_get_st(&r.f, 0), 0x4000, 0x8000000000000000ull));
    ck_assert_int_eq(reg_op(&r, 0xDF, 0xF1), X87_OK);   /* FCOMIP pops */
    ck_assert(!(r.f.valid & (1u << ((r.f.top + 7) & 7))));
}
END_TEST

START_TEST(fcom_condition_codes)
{
    static const struct { uint64_t a, b; uint16_t cc; } cases[] = {
        { F64_TWO, F64_ONE, 0x0000 },                  /* ST0 > src */
        { F64_ONE, F64_TWO, 0x0100 },                  /* < */
        { F64_ONE, F64_ONE, 0x4000 },                  /* = */
        { F64_ONE, 0x7FF8000000000000ull, 0x4500 },    /* unordered */
    };
    for (unsigned i = 0; i < 4; i++) {
        struct rig r;
        rig_init(&r);
        load_f64(&r, cases[i].a);
        put_f64(&r, 0x10, cases[i].b);
        ck_assert_int_eq(mem_op(&r, 0xDC, 2, 0x10, true), X87_OK);   /* FCOM m64 */
        ck_assert_uint_eq(x87_status_word(&r.f) & 0x4700, cases[i].cc);
    }
}
END_TEST

/* Spot values (reference: the correctly rounded values from a 300-bit
 * computation). */
START_TEST(transcendental_spot_values)
{
    static const struct { uint8_t modrm; uint16_t x_se; uint64_t x; uint16_t y_se; uint64_t y;
                          uint16_t se; uint64_t sig; } cases[] = {
        { 0xFE, 0x3FFF, 0x8000000000000000ull, 0, 0, 0x3FFE, 0xD76AA47848677021ull },  /* sin 1 */
        { 0xFF, 0x3FFF, 0x8000000000000000ull, 0, 0, 0x3FFE, 0x8A51407DA8345C92ull },  /* cos 1 */
        { 0xF0, 0x3FFE, 0x8000000000000000ull, 0, 0, 0x3FFD, 0xD413CCCFE7799211ull },  /* 2^.5-1 */
        /* sin(1e10), reduced with the 66-bit pi as silicon does */
        { 0xFE, 0x4020, 0x9502F90000000000ull, 0, 0, 0xBFFD, 0xF99A63C49C6F2B1Aull },
        /* FPATAN(y=1, x=1) = pi/4; (y=1, x=-1) = 3pi/4 */
        { 0xF3, 0x3FFF, 0x8000000000000000ull, 0x3FFF, 0x8000000000000000ull,
          0x3FFE, 0xC90FDAA22168C235ull },
        { 0xF3, 0xBFFF, 0x8000000000000000ull, 0x3FFF, 0x8000000000000000ull,
          0x4000, 0x96CBE3F9990E91A8ull },
        /* FYL2X(x=10, y=1) = log2(10) */
        { 0xF1, 0x4002, 0xA000000000000000ull, 0x3FFF, 0x8000000000000000ull,
          0x4000, 0xD49A784BCD1B8AFEull },
        /* FYL2XP1(x=0.25, y=1) = log2(1.25) */
        { 0xF9, 0x3FFD, 0x8000000000000000ull, 0x3FFF, 0x8000000000000000ull,
          0x3FFD, 0xA4D3C25E68DC57F2ull },
        /* FYL2X(x=8, y=3): exactly 9 */
        { 0xF1, 0x4002, 0x8000000000000000ull, 0x4000, 0xC000000000000000ull,
          0x4002, 0x9000000000000000ull },
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct rig r;
        rig_init(&r);
        x87_set_st(&r.f, 0, (struct f80){ cases[i].y, cases[i].y_se });
        r.f.top = 7;
        x87_set_st(&r.f, 0, (struct f80){ cases[i].x, cases[i].x_se });
        ck_assert_int_eq(reg_op(&r, 0xD9, cases[i].modrm), X87_OK);
        struct f80 v = x87_get_st(&r.f, 0);
        ck_assert_msg(same(v, cases[i].se, cases[i].sig), "case %u: %04x:%016llx", i, v.sign_exp,
                      (unsigned long long)v.sig);
    }
    /* FPTAN pushes 1.0; FSIN of 2^63 is out of range: C2 and no change */
    struct rig r;
    rig_init(&r);
    x87_set_st(&r.f, 0, (struct f80){ 0x8000000000000000ull, 0x3FFF + 63 });
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xFE), X87_OK);
    ck_assert(x87_status_word(&r.f) & X87_SW_C2);
    ck_assert(same(x87_get_st(&r.f, 0), 0x3FFF + 63, 0x8000000000000000ull));
    x87_set_st(&r.f, 0, (struct f80){ 0x8000000000000000ull, 0x3FFE });
    ck_assert_int_eq(reg_op(&r, 0xD9, 0xF2), X87_OK);
    ck_assert(same(x87_get_st(&r.f, 0), 0x3FFF, 0x8000000000000000ull));
    ck_assert(same(x87_get_st(&r.f, 1), 0x3FFE, 0x8BDA7ADF9A3A5219ull));   /* tan 0.5 */
    ck_assert_uint_eq(x87_status_word(&r.f) & X87_SW_C2, 0);
}
END_TEST

START_TEST(save_state_round_trip)
{
    struct rig r;
    rig_init(&r);
    sample_state(&r);
    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "cpu0", 1);
    x87_save(&r.f, &w);
    state_end(&w);
    struct orr_error err;
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    struct state_reader rd;
    ck_assert_int_eq(state_reader_init(&rd, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd, "cpu0"), 0);
    struct x87 back;
    x87_reset(&back);
    ck_assert_int_eq(x87_load(&back, &rd, &err), 0);
    ck_assert(same_state(&back, &r.f));
    state_writer_free(&w);

    /* a bad TOP is refused and nothing changes */
    r.f.top = 9;
    state_writer_init(&w);
    state_begin(&w, "cpu0", 1);
    x87_save(&r.f, &w);
    state_end(&w);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    ck_assert_int_eq(state_reader_init(&rd, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd, "cpu0"), 0);
    struct x87 keep = back;
    ck_assert_int_eq(x87_load(&back, &rd, &err), -1);
    ck_assert(same_state(&keep, &back));
    state_writer_free(&w);
}
END_TEST

static Suite *x87_suite(void)
{
    Suite *s = suite_create("x87");
    TCase *tc = tcase_create("x87");
    tcase_add_test(tc, reset_and_init_state);
    tcase_add_test(tc, constants_per_rounding_mode);
    tcase_add_test(tc, fxam_classes);
    tcase_add_test(tc, stack_overflow_and_underflow);
    tcase_add_test(tc, integer_stores_and_indefinite);
    tcase_add_test(tc, bcd_round_trip);
    tcase_add_test(tc, unmasked_exception_is_reported_on_next_waiting_insn);
    tcase_add_test(tc, unmasked_overflow_underflow_wrap);
    tcase_add_test(tc, memory_faults_change_nothing);
    tcase_add_test(tc, reserved_encodings);
    tcase_add_test(tc, pointers_recorded_for_non_control_insns);
    tcase_add_test(tc, fsave_frstor_every_layout);
    tcase_add_test(tc, fxsave_fxrstor);
    tcase_add_test(tc, fprem_partial_loop);
    tcase_add_test(tc, fcomi_and_fcmov);
    tcase_add_test(tc, fcom_condition_codes);
    tcase_add_test(tc, transcendental_spot_values);
    tcase_add_test(tc, save_state_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(x87_suite());
}
