/* The ARMv6/ARMv7 A32 additions: decoding (fields, architecture gating,
 * UNPREDICTABLE choices) and execution of every executor of
 * isa-arm/arm_exec_v6.h, with expected values worked out by hand from the
 * ARM ARM v7 (DDI 0406C) pseudocode. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "machine/bus.h"
#include "machine/state.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_state.h"

#define RAM_SIZE 0x10000u
#define CODE 0x1000u

struct env {
    struct bus bus;
    struct cpu *cpu;
    struct arm_cpu *arm;
    unsigned fw_calls;
    unsigned fw_conduit;
    uint32_t fw_imm;
    bool fw_answer;
};

static struct env *env_new(const char *model)
{
    struct env *e = calloc(1, sizeof *e);
    struct orr_error err;
    ck_assert_ptr_nonnull(e);
    bus_init(&e->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&e->bus, "ram", 0, RAM_SIZE, &err), 0);
    const struct cpu_model *m = NULL;
    for (size_t i = 0; i < arm_cpu_model_count; i++)
        if (strcmp(arm_cpu_models[i]->name, model) == 0)
            m = arm_cpu_models[i];
    ck_assert_ptr_nonnull(m);
    struct cpu_config cfg = { .bus = &e->bus, .ram_base = 0, .ram_size = RAM_SIZE };
    ck_assert_int_eq(m->create(m, &cfg, &e->cpu, &err), 0);
    e->arm = (struct arm_cpu *)e->cpu;
    for (uint32_t v = 0; v < 0x20; v += 4)   /* b . at every vector */
        ck_assert_int_eq(bus_write(&e->bus, v, 4, 0xeafffffe), 0);
    return e;
}

static void env_free(struct env *e)
{
    e->cpu->ops->destroy(e->cpu);
    bus_destroy(&e->bus);
    free(e);
}

static void poke(struct env *e, uint32_t addr, uint32_t v)
{
    ck_assert_int_eq(bus_write(&e->bus, addr, 4, v), 0);
}

static uint32_t peek(struct env *e, uint32_t addr, unsigned size)
{
    uint64_t v;
    ck_assert_int_eq(bus_read(&e->bus, addr, size, &v), 0);
    return (uint32_t)v;
}

/* Runs the instructions at CODE (ARM state), one run call per instruction. */
static void run_prog(struct env *e, const uint32_t *prog, size_t n)
{
    for (size_t i = 0; i < n; i++)
        poke(e, CODE + 4 * (uint32_t)i, prog[i]);
    e->cpu->ops->set_entry(e->cpu, CODE);
    for (size_t i = 0; i < n; i++) {
        struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 1);
        ck_assert_uint_eq(rr.executed, 1);
    }
}

static void step(struct env *e, uint32_t insn)
{
    run_prog(e, &insn, 1);
}

static struct arm_rec dec(enum arm_arch arch, uint32_t insn)
{
    struct arm_rec r;
    arm_decode(arch, insn, &r);
    return r;
}

#define GE_OF(c) (((c)->cpsr & PSR_GE) >> 16)

/* ---- decoding ----------------------------------------------------------- */

START_TEST(decode_fields)
{
    struct arm_rec r = dec(ARM_V7, 0xe34a0bcd);        /* movt r0, #0xabcd */
    ck_assert_ptr_eq(r.fn, arm_exec_movw_movt);
    ck_assert_uint_eq(r.op, 1);
    ck_assert_uint_eq(r.imm, 0xabcd);
    r = dec(ARM_V7, 0xe6b31472);                       /* sxtah r1, r3, r2, ror #8 */
    ck_assert_ptr_eq(r.fn, arm_exec_extend);
    ck_assert_uint_eq(r.op, EXT_SXTH);
    ck_assert_uint_eq(r.rn, 3);
    ck_assert_uint_eq(r.shift, 8);
    r = dec(ARM_V7, 0xe6af1052);                       /* ssat r1, #16, r2, asr #32 */
    ck_assert_ptr_eq(r.fn, arm_exec_sat);
    ck_assert_uint_eq(r.op, SAT_SSAT);
    ck_assert_uint_eq(r.rs, 16);
    ck_assert_uint_eq(r.shift, 2);
    ck_assert_uint_eq(r.imm, 32);
    r = dec(ARM_V7, 0xe6e41f32);                       /* usat16 r1, #4, r2 */
    ck_assert_uint_eq(r.op, SAT_USAT16);
    ck_assert_uint_eq(r.rs, 4);
    r = dec(ARM_V7, 0xe7cb1412);                       /* bfi r1, r2, #8, #4 */
    ck_assert_ptr_eq(r.fn, arm_exec_bitfield);
    ck_assert_uint_eq(r.op, BF_BFI);
    ck_assert_uint_eq(r.imm, 8);
    ck_assert_uint_eq(r.shift, 4);
    r = dec(ARM_V7, 0xe7df101f);                       /* bfc r1, #0, #32 */
    ck_assert_uint_eq(r.op, BF_BFC);
    ck_assert_uint_eq(r.shift, 32);
    r = dec(ARM_V7, 0xe6621ff3);                       /* uqsub8 r1, r2, r3 */
    ck_assert_ptr_eq(r.fn, arm_exec_parallel);
    ck_assert_uint_eq(r.op, PAR_UQ * 8 + PAR_SUB8);
    r = dec(ARM_V7, 0xe7014332);                       /* smladx r1, r2, r3, r4 */
    ck_assert_ptr_eq(r.fn, arm_exec_dsp_mul);
    ck_assert_uint_eq(r.op, DSPM_SMLAD);
    ck_assert_uint_eq(r.rd, 1);
    ck_assert_uint_eq(r.rn, 4);
    ck_assert_uint_eq(r.rm, 2);
    ck_assert_uint_eq(r.rs, 3);
    ck_assert_uint_eq(r.shift, 1);
    r = dec(ARM_V7, 0xe731f312);                       /* udiv r1, r2, r3 */
    ck_assert_ptr_eq(r.fn, arm_exec_div);
    ck_assert_uint_eq(r.op, 1);
    ck_assert_uint_eq(r.rn, 2);
    ck_assert_uint_eq(r.rm, 3);
    r = dec(ARM_V7, 0xe0410392);                       /* umaal r0, r1, r2, r3 */
    ck_assert_ptr_eq(r.fn, arm_exec_mull);
    ck_assert_uint_eq(r.op, 4);
    ck_assert_uint_eq(r.rd, 0);
    ck_assert_uint_eq(r.rn, 1);
    r = dec(ARM_V7, 0xe0614392);                       /* mls r1, r2, r3, r4 */
    ck_assert_ptr_eq(r.fn, arm_exec_mul);
    ck_assert_uint_eq(r.op, 2);
    r = dec(ARM_V7, 0xe1a23f96);                       /* strexd r3, r6, r7, [r2] */
    ck_assert_ptr_eq(r.fn, arm_exec_strex);
    ck_assert_uint_eq(r.op, 8);
    ck_assert_uint_eq(r.rd, 6);
    ck_assert_uint_eq(r.rs, 7);
    ck_assert_uint_eq(r.rm, 3);
    ck_assert_uint_eq(r.rn, 2);
    r = dec(ARM_V7, 0xe1d21f9f);                       /* ldrexb r1, [r2] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldrex);
    ck_assert_uint_eq(r.op, 1);
    r = dec(ARM_V7, 0xe0f210b2);                       /* ldrht r1, [r2], #2 */
    ck_assert_ptr_eq(r.fn, arm_exec_ldrh_strh);
    ck_assert(r.flags & RF_T);
    ck_assert_uint_eq(r.op, 1);
    r = dec(ARM_V7, 0xe1c240d0);                       /* ldrd r4, r5, [r2] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldrh_strh);
    ck_assert_uint_eq(r.rs, 5);
    r = dec(ARM_V7, 0xf10e01d2);                       /* cpsid aif, #0x12 */
    ck_assert_ptr_eq(r.fn, arm_exec_cps);
    ck_assert_uint_eq(r.op, 3);
    ck_assert_uint_eq(r.shift, 7);
    ck_assert(r.flags & RF_W);
    ck_assert_uint_eq(r.imm, 0x12);
    r = dec(ARM_V7, 0xf96d0513);                       /* srsdb sp!, #0x13 */
    ck_assert_ptr_eq(r.fn, arm_exec_srs);
    ck_assert_uint_eq(r.flags, RF_P | RF_W);
    ck_assert_uint_eq(r.imm, 0x13);
    r = dec(ARM_V7, 0xf8bd0a00);                       /* rfeia sp! */
    ck_assert_ptr_eq(r.fn, arm_exec_rfe);
    ck_assert_uint_eq(r.flags, RF_U | RF_W);
    ck_assert_uint_eq(r.rn, 13);
    r = dec(ARM_V7, 0xe1412374);                       /* hvc #0x1234 */
    ck_assert_ptr_eq(r.fn, arm_exec_hvc);
    ck_assert_uint_eq(r.imm, 0x1234);
    r = dec(ARM_V7, 0xe1600075);                       /* smc #5 */
    ck_assert_ptr_eq(r.fn, arm_exec_smc);
    ck_assert_uint_eq(r.imm, 5);
    r = dec(ARM_V7, 0xf1010200);                       /* setend be */
    ck_assert_ptr_eq(r.fn, arm_exec_setend);
    ck_assert_uint_eq(r.op, 1);
    r = dec(ARM_V7, 0xec510f0e);                       /* mrrc p15, 0, r0, r1, c14 */
    ck_assert_ptr_eq(r.fn, arm_exec_cp15_64);
    ck_assert(r.flags & RF_L);
    ck_assert_uint_eq(r.rd, 0);
    ck_assert_uint_eq(r.rn, 1);
    ck_assert_uint_eq(r.rm, 14);
    ck_assert_uint_eq(r.op, 0);
    r = dec(ARM_V7, 0xec432f3e);                       /* mcrr p15, 3, r2, r3, c14 */
    ck_assert_ptr_eq(r.fn, arm_exec_cp15_64);
    ck_assert(!(r.flags & RF_L));
    ck_assert_uint_eq(r.op, 3);
    ck_assert_ptr_eq(dec(ARM_V7, 0xec510e0e).fn, arm_exec_undefined);   /* p14 */
    ck_assert_ptr_eq(dec(ARM_V7, 0xec500f0e).fn, arm_exec_undefined);   /* mrrc r0, r0 */
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xec510f0e).fn, arm_exec_undefined);
    r = dec(ARM_V7, 0xe12fff22);                       /* bxj r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_bx);
    ck_assert_uint_eq(r.op, 0);
    ck_assert_uint_eq(r.rm, 2);
}
END_TEST

START_TEST(decode_hints_barriers_and_hint_space)
{
    ck_assert_ptr_eq(dec(ARM_V7, 0xe320f000).fn, arm_exec_nop);    /* nop */
    ck_assert_ptr_eq(dec(ARM_V7, 0xe320f001).fn, arm_exec_nop);    /* yield */
    ck_assert_ptr_eq(dec(ARM_V7, 0xe320f002).fn, arm_exec_wfe);
    ck_assert_ptr_eq(dec(ARM_V7, 0xe320f003).fn, arm_exec_wfi);
    ck_assert_ptr_eq(dec(ARM_V7, 0xe320f004).fn, arm_exec_sev);
    ck_assert_ptr_eq(dec(ARM_V7, 0xe320f0f5).fn, arm_exec_nop);    /* dbg #5 */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf57ff01f).fn, arm_exec_clrex);
    ck_assert_ptr_eq(dec(ARM_V7, 0xf57ff04f).fn, arm_exec_nop);    /* dsb sy */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf57ff05f).fn, arm_exec_nop);    /* dmb sy */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf57ff06f).fn, arm_exec_nop);    /* isb sy */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf5d2f010).fn, arm_exec_nop);    /* pld [r2, #16] */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf592f010).fn, arm_exec_nop);    /* pldw [r2, #16] */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf4d2f010).fn, arm_exec_nop);    /* pli [r2, #16] */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf7d2f003).fn, arm_exec_nop);    /* pld [r2, r3] */
    ck_assert_ptr_eq(dec(ARM_V7, 0xe7f000f0).fn, arm_exec_undefined);  /* udf #0 */
    /* The other unconditional encodings stay UNDEFINED (no coprocessors). */
    ck_assert_ptr_eq(dec(ARM_V7, 0xfe000000).fn, arm_exec_undefined);  /* cdp2 */
    ck_assert_ptr_eq(dec(ARM_V7, 0xf57ff07f).fn, arm_exec_undefined);
    /* MRS banked (Virtualization Extensions) is not modelled. */
    ck_assert_ptr_eq(dec(ARM_V7, 0xe10f0200).fn, arm_exec_undefined);
}
END_TEST

START_TEST(decode_gated_by_architecture)
{
    /* ARMv4T/v5TE keep decoding as before. */
    static const uint32_t v7_only[] = {
        0xe3010234, /* movw */ 0xe6bf1f32, /* rev */ 0xe1921f9f, /* ldrex */
        0xe7e71252, /* ubfx */ 0xe711f312, /* sdiv */ 0xe0614392, /* mls */
        0xe6121f13, /* sadd16 */ 0xe12fff22, /* bxj */ 0xe1600070, /* smc */
    };
    for (size_t i = 0; i < sizeof v7_only / sizeof v7_only[0]; i++) {
        ck_assert_ptr_eq(dec(ARM_V5TE, v7_only[i]).fn, arm_exec_undefined);
        ck_assert_ptr_eq(dec(ARM_V4T, v7_only[i]).fn, arm_exec_undefined);
        ck_assert_ptr_ne(dec(ARM_V7, v7_only[i]).fn, arm_exec_undefined);
    }
    /* The hint space is MSR with an empty field mask before v6K. */
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xe320f003).fn, arm_exec_msr);
    /* ARMv5 LDRD keeps its P=0 W=1 decoding; v7 calls it UNPREDICTABLE. */
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xe0e240d8).fn, arm_exec_ldrh_strh);
    ck_assert_ptr_eq(dec(ARM_V7, 0xe0e240d8).fn, arm_exec_undefined);
    /* v4/v5 CPS space is unconditional-space UNDEFINED. */
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xf10c0080).fn, arm_exec_undefined);
    /* LDRH with P=0 W=1 is the v7 LDRHT; v5 decodes it as LDRH. */
    ck_assert(!(dec(ARM_V5TE, 0xe0f210b2).flags & RF_T));
}
END_TEST

START_TEST(decode_unpredictable_is_undefined)
{
    static const uint32_t bad[] = {
        0xe300f001, /* movw pc, #1 */
        0xe19f1f9f, /* ldrex r1, [pc] */
        0xe1821f91, /* strex r1, r1, [r2]: Rd = Rt */
        0xe1822f93, /* strex r2, r3, [r2]: Rd = Rn */
        0xe1b21f9f, /* ldrexd r1, r2, [r2]: odd Rt */
        0xe1a24f9e, /* strexd r4, lr, pc, [r2]: Rt = 14 */
        0xe7c31412, /* bfi r1, r2, #8, msb 3 < lsb */
        0xe7fc1e52, /* ubfx r1, r2, #28, #29: past bit 31 */
        0xe6bfff32, /* rev pc, r2 */
        0xe711ff12, /* sdiv r1, r2, pc */
        0xe041139f, /* umaal r1, r1, pc, r3 */
        0xe0411392, /* umaal r1, r1, r2, r3: RdHi = RdLo */
        0xe6121f1f, /* sadd16 r1, r2, pc */
        0xe6121fb3, /* op2 101: unallocated */
        0xe6021f13, /* op1 00: unallocated */
        0xe6921072, /* op1 001 extend: unallocated */
        0xe75f43d2, /* smmls with Ra = pc */
        0xf1000000, /* cps with no effect */
        0xf1040080, /* cps imod 01 */
        0xf1020015, /* cps #0x15: no such mode */
        0xf96d0515, /* srsdb sp!, #0x15 */
        0xf8bf0a00, /* rfeia pc! */
        0xe0f2f0b2, /* ldrht pc, [r2], #2 */
        0xe0f220b2, /* ldrht r2, [r2], #2: Rn = Rt */
        0xe1a240d4, /* ldrd r4, r5, [r2, r4]!: Rm = Rt */
        0xe5f2f001, /* ldrb pc, [r2, #1]! */
        0xe5b22004, /* ldr r2, [r2, #4]!: writeback to Rt */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(dec(ARM_V7, bad[i]).fn == arm_exec_undefined, "%08x", bad[i]);
}
END_TEST

/* ---- media executors ---------------------------------------------------- */

START_TEST(movw_movt_extend_rev)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    static const uint32_t mov[] = { 0xe3010234, 0xe34a0bcd };   /* movw r0, #0x1234; movt r0, #0xabcd */
    run_prog(e, mov, 2);
    ck_assert_uint_eq(c->r[0], 0xabcd1234u);

    c->r[2] = 0x80;        step(e, 0xe6af1072);     /* sxtb r1, r2 */
    ck_assert_uint_eq(c->r[1], 0xffffff80u);
    c->r[2] = 0x8000;      step(e, 0xe6af1472);     /* sxtb r1, r2, ror #8 */
    ck_assert_uint_eq(c->r[1], 0xffffff80u);
    c->r[2] = 0x1234abcd;  step(e, 0xe6ff1072);     /* uxth r1, r2 */
    ck_assert_uint_eq(c->r[1], 0xabcdu);
    c->r[2] = 0x1ff; c->r[3] = 0x100; step(e, 0xe6e31072);   /* uxtab r1, r3, r2 */
    ck_assert_uint_eq(c->r[1], 0x1ffu);
    /* sxtab16: halves add without carry between them: 0x0001 + 0xff80,
     * 0x0001 + 0xffff (carry out of bit 15 dropped). */
    c->r[2] = 0x00ff0080; c->r[3] = 0x00010001; step(e, 0xe6831072);
    ck_assert_uint_eq(c->r[1], 0x0000ff81u);
    c->r[2] = 0x12345678;  step(e, 0xe6cf1072);     /* uxtb16 r1, r2 */
    ck_assert_uint_eq(c->r[1], 0x00340078u);
    c->r[2] = 0xffff; c->r[3] = 1; step(e, 0xe6b31072);      /* sxtah r1, r3, r2 */
    ck_assert_uint_eq(c->r[1], 0);

    c->r[2] = 0x12345678;
    step(e, 0xe6bf1f32);  ck_assert_uint_eq(c->r[1], 0x78563412u);   /* rev */
    step(e, 0xe6bf1fb2);  ck_assert_uint_eq(c->r[1], 0x34127856u);   /* rev16 */
    step(e, 0xe6ff1f32);  ck_assert_uint_eq(c->r[1], 0x1e6a2c48u);   /* rbit */
    c->r[2] = 0x12345680;
    step(e, 0xe6ff1fb2);  ck_assert_uint_eq(c->r[1], 0xffff8056u);   /* revsh */
    c->r[2] = 1;
    step(e, 0xe6ff1f32);  ck_assert_uint_eq(c->r[1], 0x80000000u);   /* rbit */
    env_free(e);
}
END_TEST

START_TEST(bitfields)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    c->r[2] = 0x12345678;
    step(e, 0xe7e71252); ck_assert_uint_eq(c->r[1], 0x67);          /* ubfx r1, r2, #4, #8 */
    step(e, 0xe7a71252); ck_assert_uint_eq(c->r[1], 0x67);          /* sbfx r1, r2, #4, #8 */
    c->r[2] = 0x00000f80;
    step(e, 0xe7a71252); ck_assert_uint_eq(c->r[1], 0xfffffff8u);   /* sign bit 11 set */
    c->r[2] = 0x80000000;
    step(e, 0xe7ff1052); ck_assert_uint_eq(c->r[1], 0x80000000u);   /* ubfx r1, r2, #0, #32 */
    step(e, 0xe7a01fd2); ck_assert_uint_eq(c->r[1], 0xffffffffu);   /* sbfx r1, r2, #31, #1 */
    c->r[1] = 0xffffffff; c->r[2] = 0x5;
    step(e, 0xe7cb1412); ck_assert_uint_eq(c->r[1], 0xfffff5ffu);   /* bfi r1, r2, #8, #4 */
    c->r[1] = 0xffffffff;
    step(e, 0xe7c7121f); ck_assert_uint_eq(c->r[1], 0xffffff0fu);   /* bfc r1, #4, #4 */
    c->r[1] = 0xdeadbeef;
    step(e, 0xe7df101f); ck_assert_uint_eq(c->r[1], 0);             /* bfc r1, #0, #32 */
    env_free(e);
}
END_TEST

START_TEST(saturation_and_q)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    c->r[2] = 100;
    step(e, 0xe6a71012);                         /* ssat r1, #8, r2: in range */
    ck_assert_uint_eq(c->r[1], 100);
    ck_assert(!(c->cpsr & PSR_Q));
    c->r[2] = 200;
    step(e, 0xe6a71012);
    ck_assert_uint_eq(c->r[1], 127);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    c->r[2] = (uint32_t)-200;
    step(e, 0xe6a71012);
    ck_assert_uint_eq(c->r[1], 0xffffff80u);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    c->r[2] = 255;
    step(e, 0xe6e81012);                         /* usat r1, #8, r2: edge, no Q */
    ck_assert_uint_eq(c->r[1], 255);
    ck_assert(!(c->cpsr & PSR_Q));
    c->r[2] = 300;
    step(e, 0xe6e81012);
    ck_assert_uint_eq(c->r[1], 255);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    c->r[2] = (uint32_t)-5;
    step(e, 0xe6e81012);
    ck_assert_uint_eq(c->r[1], 0);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    c->r[2] = 5;
    step(e, 0xe6e01012);                         /* usat r1, #0, r2: only 0 fits */
    ck_assert_uint_eq(c->r[1], 0);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    c->r[2] = 0x80000000;
    step(e, 0xe6af1052);                         /* ssat r1, #16, r2, asr #32 */
    ck_assert_uint_eq(c->r[1], 0xffffffffu);
    ck_assert(!(c->cpsr & PSR_Q));
    c->r[2] = 0x00010000;
    step(e, 0xe6bf1812);                         /* ssat r1, #32, r2, lsl #16: wraps, no Q */
    ck_assert_uint_eq(c->r[1], 0);
    ck_assert(!(c->cpsr & PSR_Q));
    c->r[2] = 0x0100ff00;
    step(e, 0xe6a71f32);                         /* ssat16 r1, #8, r2 */
    ck_assert_uint_eq(c->r[1], 0x007fff80u);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    c->r[2] = 0x0010fff0;
    step(e, 0xe6e41f32);                         /* usat16 r1, #4, r2 */
    ck_assert_uint_eq(c->r[1], 0x000f0000u);
    ck_assert(c->cpsr & PSR_Q);
    env_free(e);
}
END_TEST

START_TEST(pack_select_usad)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    c->r[2] = 0x11112222; c->r[3] = 0x00334455;
    step(e, 0xe6821413);                         /* pkhbt r1, r2, r3, lsl #8 */
    ck_assert_uint_eq(c->r[1], 0x33442222u);
    c->r[3] = 0x80000000;
    step(e, 0xe6821053);                         /* pkhtb r1, r2, r3, asr #32 */
    ck_assert_uint_eq(c->r[1], 0x1111ffffu);
    c->r[3] = 0xabcd0000;
    step(e, 0xe6821853);                         /* pkhtb r1, r2, r3, asr #16 */
    ck_assert_uint_eq(c->r[1], 0x1111abcdu);

    c->r[2] = 0x11223344; c->r[3] = 0xaabbccdd;
    c->cpsr = (c->cpsr & ~PSR_GE) | (0x5u << 16);
    step(e, 0xe6821fb3);                         /* sel r1, r2, r3 */
    ck_assert_uint_eq(c->r[1], 0xaa22cc44u);

    c->r[2] = 0x01020304; c->r[3] = 0x04030201; c->r[4] = 100;
    step(e, 0xe781f312);                         /* usad8 r1, r2, r3 */
    ck_assert_uint_eq(c->r[1], 8);
    step(e, 0xe7814312);                         /* usada8 r1, r2, r3, r4 */
    ck_assert_uint_eq(c->r[1], 108);
    c->r[2] = 0xff00ff00; c->r[3] = 0x00ff00ff;
    step(e, 0xe781f312);
    ck_assert_uint_eq(c->r[1], 4 * 255);
    env_free(e);
}
END_TEST

START_TEST(parallel_add_subtract)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    /* sadd16: 32767 + 1 = 32768 (0x8000, >= 0: GE 11); -32768 + -32768
     * = -65536 (0x0000, < 0: GE 00). */
    c->r[2] = 0x7fff8000; c->r[3] = 0x00018000;
    step(e, 0xe6121f13);
    ck_assert_uint_eq(c->r[1], 0x80000000u);
    ck_assert_uint_eq(GE_OF(c), 0xc);
    step(e, 0xe6221f13);                         /* qadd16: both lanes saturate */
    ck_assert_uint_eq(c->r[1], 0x7fff8000u);
    ck_assert_uint_eq(GE_OF(c), 0xc);             /* Q forms leave GE alone */
    step(e, 0xe6321f13);                         /* shadd16: exact halves */
    ck_assert_uint_eq(c->r[1], 0x40008000u);
    /* uadd16: both lanes carry out: GE 1111. */
    c->r[2] = 0xffff0001; c->r[3] = 0x0001ffff;
    step(e, 0xe6521f13);
    ck_assert_uint_eq(c->r[1], 0);
    ck_assert_uint_eq(GE_OF(c), 0xf);
    /* sasx: lane 0 = 3 - 4, lane 1 = 5 + 2. */
    c->r[2] = 0x00050003; c->r[3] = 0x00040002;
    step(e, 0xe6121f33);
    ck_assert_uint_eq(c->r[1], 0x0007ffffu);
    ck_assert_uint_eq(GE_OF(c), 0xc);
    /* usax: lane 0 = 3 + 2 (no carry), lane 1 = 1 - 0xffff (borrow). */
    c->r[2] = 0x00010003; c->r[3] = 0x0002ffff;
    step(e, 0xe6521f53);
    ck_assert_uint_eq(c->r[1], 0x00020005u);
    ck_assert_uint_eq(GE_OF(c), 0);
    /* usub16: 5 - 3 (no borrow, GE 11), 1 - 2 (borrow, GE 00). */
    c->r[2] = 0x00050001; c->r[3] = 0x00030002;
    step(e, 0xe6521f73);
    ck_assert_uint_eq(c->r[1], 0x0002ffffu);
    ck_assert_uint_eq(GE_OF(c), 0xc);
    /* ssub8: 0-4, 127-3, 1-2, -128-1 (wraps to 0x7f). */
    c->r[2] = 0x80017f00; c->r[3] = 0x01020304;
    step(e, 0xe6121ff3);
    ck_assert_uint_eq(c->r[1], 0x7fff7cfcu);
    ck_assert_uint_eq(GE_OF(c), 0x2);
    /* uqsub8 clamps at 0; uhadd8 halves the 9-bit sums. */
    c->r[2] = 0x10203040; c->r[3] = 0x20102030;
    step(e, 0xe6621ff3);
    ck_assert_uint_eq(c->r[1], 0x00101010u);
    c->r[2] = 0xff01ff02; c->r[3] = 0x01030104;
    step(e, 0xe6721f93);
    ck_assert_uint_eq(c->r[1], 0x80028003u);
    /* uadd8 GE per byte from the carries, then sel picks by them. */
    c->r[2] = 0x80ff0180; c->r[3] = 0x80010101;
    step(e, 0xe6521f93);
    ck_assert_uint_eq(c->r[1], 0x00000281u);
    ck_assert_uint_eq(GE_OF(c), 0xc);
    env_free(e);
}
END_TEST

START_TEST(division)
{
    struct env *e = env_new("cortex-a7");
    struct arm_cpu *c = e->arm;
    c->r[2] = (uint32_t)-7; c->r[3] = 2;
    step(e, 0xe711f312);                         /* sdiv: rounds towards zero */
    ck_assert_uint_eq(c->r[1], (uint32_t)-3);
    c->r[3] = 0;
    step(e, 0xe711f312);                         /* by zero: 0 */
    ck_assert_uint_eq(c->r[1], 0);
    c->r[2] = 0x80000000; c->r[3] = 0xffffffff;
    step(e, 0xe711f312);                         /* INT_MIN / -1 = INT_MIN */
    ck_assert_uint_eq(c->r[1], 0x80000000u);
    c->r[2] = 0xffffffff; c->r[3] = 2;
    step(e, 0xe731f312);                         /* udiv */
    ck_assert_uint_eq(c->r[1], 0x7fffffffu);
    c->r[3] = 0;
    step(e, 0xe731f312);
    ck_assert_uint_eq(c->r[1], 0);
    ck_assert_uint_eq(c->cpsr & 0xf8000000u, 0);  /* no flags */
    env_free(e);
}
END_TEST

START_TEST(multiplies)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    c->r[2] = 0x00020003; c->r[3] = 0x00040005; c->r[4] = 100;
    step(e, 0xe7014312); ck_assert_uint_eq(c->r[1], 123);   /* smlad: 15 + 8 + 100 */
    step(e, 0xe7014332); ck_assert_uint_eq(c->r[1], 122);   /* smladx: 12 + 10 + 100 */
    step(e, 0xe7014352); ck_assert_uint_eq(c->r[1], 107);   /* smlsd: 15 - 8 + 100 */
    step(e, 0xe701f352); ck_assert_uint_eq(c->r[1], 7);     /* smusd */
    ck_assert(!(c->cpsr & PSR_Q));
    c->r[2] = c->r[3] = 0x80008000;
    step(e, 0xe701f312);                                    /* smuad: 2^31 overflows */
    ck_assert_uint_eq(c->r[1], 0x80000000u);
    ck_assert(c->cpsr & PSR_Q);
    c->cpsr &= ~PSR_Q;
    /* smlald/smlsld r0, r1, r2, r3: 64-bit accumulate, no Q. */
    c->r[0] = 0xffffffff; c->r[1] = 0; c->r[2] = 0x00020003; c->r[3] = 0x00040005;
    step(e, 0xe7410312);
    ck_assert_uint_eq(c->r[0], 0x16);
    ck_assert_uint_eq(c->r[1], 1);
    c->r[0] = 0xffffffff; c->r[1] = 0;
    step(e, 0xe7410352);
    ck_assert_uint_eq(c->r[0], 6);
    ck_assert_uint_eq(c->r[1], 1);
    /* smmul/smmla/smmls: the top word of 0x40000000 * 6 = 0x1_8000_0000. */
    c->r[2] = 0x40000000; c->r[3] = 6; c->r[4] = 5;
    step(e, 0xe751f312); ck_assert_uint_eq(c->r[1], 1);     /* smmul */
    step(e, 0xe751f332); ck_assert_uint_eq(c->r[1], 2);     /* smmulr rounds up */
    step(e, 0xe7514312); ck_assert_uint_eq(c->r[1], 6);     /* smmla: 5 << 32 + ... */
    step(e, 0xe75143d2); ck_assert_uint_eq(c->r[1], 3);     /* smmls: 0x3_8000_0000 */
    step(e, 0xe75143f2); ck_assert_uint_eq(c->r[1], 4);     /* smmlsr */
    c->r[2] = 0xffffffff; c->r[3] = 1;
    step(e, 0xe751f312); ck_assert_uint_eq(c->r[1], 0xffffffffu);   /* -1 * 1 */
    ck_assert(!(c->cpsr & PSR_Q));
    /* mls r1, r2, r3, r4 = 100 - 3 * 5. */
    c->r[2] = 3; c->r[3] = 5; c->r[4] = 100;
    step(e, 0xe0614392); ck_assert_uint_eq(c->r[1], 85);
    /* umaal r0, r1, r2, r3: (2^32-1)^2 + 2 (2^32-1) = 2^64 - 1, no overflow. */
    c->r[0] = c->r[1] = c->r[2] = c->r[3] = 0xffffffff;
    step(e, 0xe0410392);
    ck_assert_uint_eq(c->r[0], 0xffffffffu);
    ck_assert_uint_eq(c->r[1], 0xffffffffu);
    c->r[0] = 1; c->r[1] = 2; c->r[2] = 0x10000; c->r[3] = 0x10000;
    step(e, 0xe0410392);
    ck_assert_uint_eq(c->r[0], 3);
    ck_assert_uint_eq(c->r[1], 1);
    /* muls leaves C (and V) unchanged from ARMv6. */
    c->cpsr |= PSR_C | PSR_V;
    c->r[2] = 0; c->r[3] = 7;
    step(e, 0xe0110392);                                    /* muls r1, r2, r3 */
    ck_assert_uint_eq(c->cpsr & 0xf0000000u, PSR_Z | PSR_C | PSR_V);
    env_free(e);
}
END_TEST

/* ---- exclusives, events, firmware calls --------------------------------- */

START_TEST(exclusive_monitor)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    poke(e, 0x2000, 0x11111111);
    poke(e, 0x2004, 0x22222222);
    c->r[2] = 0x2000; c->r[4] = 0xabcd1234;
    static const uint32_t pass[] = {
        0xe1921f9f, /* ldrex r1, [r2] */
        0xe1823f94, /* strex r3, r4, [r2]: passes */
        0xe1825f94, /* strex r5, r4, [r2]: the monitor is now open: fails */
    };
    c->r[5] = 7;
    run_prog(e, pass, 3);
    ck_assert_uint_eq(c->r[1], 0x11111111u);
    ck_assert_uint_eq(c->r[3], 0);
    ck_assert_uint_eq(c->r[5], 1);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0xabcd1234u);

    static const uint32_t cleared[] = {
        0xe1921f9f, /* ldrex r1, [r2] */
        0xf57ff01f, /* clrex */
        0xe1823f94, /* strex r3, r4, [r2]: fails */
    };
    c->r[4] = 0x5555;
    run_prog(e, cleared, 3);
    ck_assert_uint_eq(c->r[3], 1);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0xabcd1234u);

    static const uint32_t other_addr[] = {
        0xe1921f9f, /* ldrex r1, [r2] */
        0xe1863f94, /* strex r3, r4, [r6]: another address fails */
    };
    c->r[6] = 0x2004;
    run_prog(e, other_addr, 2);
    ck_assert_uint_eq(c->r[3], 1);
    ck_assert_uint_eq(peek(e, 0x2004, 4), 0x22222222u);

    static const uint32_t dword[] = {
        0xe1b24f9f, /* ldrexd r4, r5, [r2] */
        0xe1a23f96, /* strexd r3, r6, r7, [r2] */
    };
    c->r[6] = 0x01020304; c->r[7] = 0x05060708;
    run_prog(e, dword, 2);
    ck_assert_uint_eq(c->r[4], 0xabcd1234u);
    ck_assert_uint_eq(c->r[5], 0x22222222u);
    ck_assert_uint_eq(c->r[3], 0);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0x01020304u);
    ck_assert_uint_eq(peek(e, 0x2004, 4), 0x05060708u);

    static const uint32_t bytes[] = {
        0xe1d21f9f, /* ldrexb r1, [r2] */
        0xe1c23f94, /* strexb r3, r4, [r2] */
        0xe1f21f9f, /* ldrexh r1, [r2] */
        0xe1e23f94, /* strexh r3, r4, [r2] */
    };
    c->r[4] = 0xaabbccdd;
    run_prog(e, bytes, 2);
    ck_assert_uint_eq(c->r[1], 0x04);
    ck_assert_uint_eq(c->r[3], 0);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0x010203ddu);
    run_prog(e, bytes + 2, 2);
    ck_assert_uint_eq(c->r[1], 0x03dd);
    ck_assert_uint_eq(c->r[3], 0);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0x0102ccddu);

    /* A faulting LDREX (unmapped) takes the data abort and opens nothing. */
    c->excl_open = false;
    c->r[2] = 0x20000000;
    step(e, 0xe1921f9f);
    ck_assert_uint_eq(c->pc, 0x10);
    ck_assert(!c->excl_open);
    env_free(e);
}
END_TEST

START_TEST(wfe_sev_wfi)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    static const uint32_t prog[] = {
        0xe320f004, /* sev */
        0xe320f002, /* wfe: the event is consumed, no wait */
        0xe320f002, /* wfe: waits */
        0xe320f001, /* yield */
    };
    for (size_t i = 0; i < 4; i++)
        poke(e, CODE + 4 * (uint32_t)i, prog[i]);
    e->cpu->ops->set_entry(e->cpu, CODE);
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 10);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
    ck_assert_uint_eq(rr.executed, 3);
    ck_assert(!c->event);
    ck_assert_uint_eq(c->pc, CODE + 12);
    rr = e->cpu->ops->run(e->cpu, 10);            /* still waiting */
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
    ck_assert_uint_eq(rr.executed, 0);
    c->event = true;                              /* an event from elsewhere */
    rr = e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(rr.executed, 1);
    ck_assert(!c->event);                         /* consumed by the wake-up */
    ck_assert_uint_eq(c->pc, CODE + 16);

    /* WFE also ends on an interrupt line, masked or not (I is set here). */
    step(e, 0xe320f002);
    ck_assert(c->waiting);
    e->cpu->ops->set_irq(e->cpu, 0, true);
    rr = e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(rr.executed, 1);
    ck_assert(!c->waiting);
    /* With the line still asserted, WFE and WFI complete at once. */
    step(e, 0xe320f002);
    ck_assert(!c->waiting);
    step(e, 0xe320f003);
    ck_assert(!c->waiting);
    e->cpu->ops->set_irq(e->cpu, 0, false);
    /* WFI ignores the event register. */
    poke(e, CODE + 4, 0xe320f000);                /* nop after the WFI */
    c->event = true;
    step(e, 0xe320f003);
    ck_assert(c->waiting);
    rr = e->cpu->ops->run(e->cpu, 1);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
    ck_assert_uint_eq(rr.executed, 0);
    e->cpu->ops->set_irq(e->cpu, 1, true);        /* FIQ, masked by F */
    rr = e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(rr.executed, 1);
    ck_assert(c->event);                          /* still pending for a WFE */
    env_free(e);
}
END_TEST

static bool fw_hook(void *opaque, struct cpu *cpu, unsigned conduit, uint32_t imm)
{
    struct env *e = opaque;
    e->fw_calls++;
    e->fw_conduit = conduit;
    e->fw_imm = imm;
    if (e->fw_answer)
        ck_assert_int_eq(cpu->ops->reg_set(cpu, 0, 0x600dcafe), 0);
    return e->fw_answer;
}

START_TEST(smc_hvc_firmware_hook)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    /* No firmware: UNDEFINED. */
    step(e, 0xe1600075);                          /* smc #5 */
    ck_assert_uint_eq(c->pc, 0x04);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(c->r[14], CODE + 4);
    c->cpsr = (c->cpsr & ~PSR_MODE) | MODE_SVC;
    arm_write_cpsr(c, (c->cpsr & ~PSR_MODE) | MODE_SVC);

    e->cpu->firmware = (struct cpu_firmware){ fw_hook, e };
    e->fw_answer = true;
    step(e, 0xe1412374);                          /* hvc #0x1234 */
    ck_assert_uint_eq(e->fw_calls, 1);
    ck_assert_uint_eq(e->fw_conduit, CPU_FW_HVC);
    ck_assert_uint_eq(e->fw_imm, 0x1234);
    ck_assert_uint_eq(c->r[0], 0x600dcafeu);
    ck_assert_uint_eq(c->pc, CODE + 4);
    step(e, 0xe1600075);
    ck_assert_uint_eq(e->fw_conduit, CPU_FW_SMC);
    ck_assert_uint_eq(e->fw_imm, 5);
    ck_assert_uint_eq(c->pc, CODE + 4);

    /* The hook declines: UNDEFINED. */
    e->fw_answer = false;
    step(e, 0xe1600070);
    ck_assert_uint_eq(e->fw_calls, 3);
    ck_assert_uint_eq(c->pc, 0x04);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);

    /* User mode: UNDEFINED without asking the firmware. */
    e->fw_answer = true;
    arm_write_cpsr(c, MODE_USR);
    step(e, 0xe1600070);
    ck_assert_uint_eq(e->fw_calls, 3);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    env_free(e);
}
END_TEST

/* ---- system instructions ------------------------------------------------ */

START_TEST(srs_rfe_round_trip)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    c->r[13] = 0x8000;                            /* sp_svc */
    arm_write_cpsr(c, MODE_IRQ | PSR_I | PSR_F);
    c->r[13] = 0x7000;                            /* sp_irq, untouched */
    c->r[14] = 0x2000;
    c->spsr[BANK_IRQ] = 0x80000010u;              /* N, user mode */
    step(e, 0xf96d0513);                          /* srsdb sp!, #0x13 */
    ck_assert_uint_eq(peek(e, 0x7ff8, 4), 0x2000);
    ck_assert_uint_eq(peek(e, 0x7ffc, 4), 0x80000010u);
    ck_assert_uint_eq(c->bank_sp[BANK_SVC], 0x7ff8);
    ck_assert_uint_eq(c->r[13], 0x7000);
    step(e, 0xf1020013);                          /* cps #0x13 */
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_SVC);
    ck_assert_uint_eq(c->r[13], 0x7ff8);
    step(e, 0xf8bd0a00);                          /* rfeia sp! */
    ck_assert_uint_eq(c->pc, 0x2000);
    ck_assert_uint_eq(c->cpsr, 0x80000010u);
    ck_assert_uint_eq(c->bank_sp[BANK_SVC], 0x8000);

    /* The four addressing modes, without writeback, from SVC: IA stores at
     * sp, IB at sp + 4, DA at sp - 4, DB at sp - 8 (B9.3.16). */
    static const struct { uint32_t insn, addr; } modes[] = {
        { 0xf8cd0513, 0x8000 }, { 0xf9cd0513, 0x8004 },
        { 0xf84d0513, 0x7ffc }, { 0xf94d0513, 0x7ff8 },
    };
    for (size_t i = 0; i < 4; i++) {
        arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
        c->r[13] = 0x8000;
        c->r[14] = 0x100 + (uint32_t)i;
        c->spsr[BANK_SVC] = 0x1d3;
        step(e, modes[i].insn);
        ck_assert_uint_eq(peek(e, modes[i].addr, 4), 0x100 + i);
        ck_assert_uint_eq(peek(e, modes[i].addr + 4, 4), 0x1d3);
        ck_assert_uint_eq(c->r[13], 0x8000);
    }
    /* RFE into Thumb state clears bit 0 of the loaded address; DA without
     * writeback reads sp - 4 and sp. */
    poke(e, 0x8ffc, 0x3001);
    poke(e, 0x9000, 0x00000030u);                 /* user, Thumb */
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    c->r[5] = 0x9000;
    step(e, 0xf8150a00);                          /* rfeda r5 */
    ck_assert_uint_eq(c->pc, 0x3000);
    ck_assert_uint_eq(c->cpsr, 0x30);
    ck_assert_uint_eq(c->r[5], 0x9000);

    /* A loaded PSR naming no mode (0x15): the mode stays SVC, the rest loads. */
    poke(e, 0x8ffc, 0x4000);
    poke(e, 0x9000, 0x400001d5u);
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    step(e, 0xf8150a00);                          /* rfeda r5 */
    ck_assert_uint_eq(c->pc, 0x4000);
    ck_assert_uint_eq(c->cpsr, 0x400001d3u);

    /* In User mode both are UNDEFINED (UNPREDICTABLE in the ARM ARM). */
    arm_write_cpsr(c, MODE_USR);
    step(e, 0xf8bd0a00);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(c->pc, 0x04);
    arm_write_cpsr(c, MODE_SYS);
    step(e, 0xf96d0513);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    env_free(e);
}
END_TEST

START_TEST(cps_setend)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    arm_write_cpsr(c, MODE_SVC);
    step(e, 0xf10c0080);                          /* cpsid i */
    ck_assert_uint_eq(c->cpsr & (PSR_A | PSR_I | PSR_F), PSR_I);
    step(e, 0xf10e01d2);                          /* cpsid aif, #0x12 */
    ck_assert_uint_eq(c->cpsr & (PSR_A | PSR_I | PSR_F), PSR_A | PSR_I | PSR_F);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_IRQ);
    step(e, 0xf10800c0);                          /* cpsie if */
    ck_assert_uint_eq(c->cpsr & (PSR_A | PSR_I | PSR_F), PSR_A);
    step(e, 0xf102001f);                          /* cps #0x1f */
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_SYS);
    ck_assert_uint_eq(c->cpsr & (PSR_A | PSR_I | PSR_F), PSR_A);
    /* User mode: no effect at all. */
    arm_write_cpsr(c, MODE_USR);
    step(e, 0xf10e01d3);                          /* cpsid aif, #0x13 */
    ck_assert_uint_eq(c->cpsr, MODE_USR);
    /* SETEND works in any mode. */
    step(e, 0xf1010200);                          /* setend be */
    ck_assert(c->cpsr & PSR_E);
    step(e, 0xf1010000);                          /* setend le */
    ck_assert(!(c->cpsr & PSR_E));
    env_free(e);
}
END_TEST

START_TEST(msr_mrs_v7)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    /* User mode: NZCVQ, GE and E only (B9.3.12: E is user-writable). */
    arm_write_cpsr(c, MODE_USR);
    c->r[0] = 0xffffffff;
    step(e, 0xe12ff000);                          /* msr cpsr_fsxc, r0 */
    ck_assert_uint_eq(c->cpsr, 0xf80f0210u);
    /* Privileged: A, I, F and the mode too; never T, J, IT or bits 23:20. */
    arm_write_cpsr(c, MODE_SVC);
    step(e, 0xe12ff000);
    ck_assert_uint_eq(c->cpsr, 0xf80f03dfu);
    /* Only the named fields: cpsr_c clears I and F, and with a bad mode
     * keeps the mode; E and A (field x) stay. */
    c->r[0] = 0x00000015;
    step(e, 0xe121f000);                          /* msr cpsr_c, r0 */
    ck_assert_uint_eq(c->cpsr, 0xf80f031fu);
    /* SPSR: whole bytes, reserved bits 23:20 excluded. */
    arm_write_cpsr(c, MODE_SVC);
    c->r[0] = 0xffffffff;
    step(e, 0xe16ff000);                          /* msr spsr_fsxc, r0 */
    ck_assert_uint_eq(c->spsr[BANK_SVC], 0xff0fffffu);
    /* MRS: the execution-state bits read as zero on v7. */
    c->cpsr |= PSR_J;
    step(e, 0xe10f1000);                          /* mrs r1, cpsr */
    ck_assert_uint_eq(c->r[1], MODE_SVC);
    step(e, 0xe14f2000);                          /* mrs r2, spsr */
    ck_assert_uint_eq(c->r[2], 0xff0fffffu);
    env_free(e);
}
END_TEST

START_TEST(interworking_and_bxj)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    c->r[2] = 0x2001;
    step(e, 0xe1a0f002);                          /* mov pc, r2: v7 interworks */
    ck_assert(c->cpsr & PSR_T);
    ck_assert_uint_eq(c->pc, 0x2000);
    c->cpsr &= ~PSR_T;
    c->r[2] = 0x2000; c->r[3] = 0x11;
    step(e, 0xe082f003);                          /* add pc, r2, r3 */
    ck_assert(c->cpsr & PSR_T);
    ck_assert_uint_eq(c->pc, 0x2010);
    c->cpsr &= ~PSR_T;
    c->r[2] = 0x3001;
    step(e, 0xe12fff22);                          /* bxj r2: as BX */
    ck_assert(c->cpsr & PSR_T);
    ck_assert_uint_eq(c->pc, 0x3000);
    ck_assert_uint_eq(c->r[14], 0);               /* no link */
    env_free(e);

    /* ARMv5: a data-processing write to pc does not interwork. */
    e = env_new("arm926ej-s");
    c = e->arm;
    c->r[2] = 0x2001;
    step(e, 0xe1a0f002);
    ck_assert(!(c->cpsr & PSR_T));
    ck_assert_uint_eq(c->pc & ~3u, 0x2000);
    env_free(e);
}
END_TEST

START_TEST(unaligned_and_pc_stores)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    poke(e, 0x2000, 0x44332211);
    poke(e, 0x2004, 0x88776655);
    c->r[2] = 0x2001;
    step(e, 0xe5921000);                          /* ldr r1, [r2] */
    ck_assert_uint_eq(c->r[1], 0x55443322u);      /* v7: a real unaligned load */
    step(e, 0xe1d210b0);                          /* ldrh r1, [r2] */
    ck_assert_uint_eq(c->r[1], 0x3322);
    c->r[2] = 0x2003;
    step(e, 0xe1d210f0);                          /* ldrsh r1, [r2] */
    ck_assert_uint_eq(c->r[1], 0x5544);
    c->r[2] = 0x2001; c->r[1] = 0xaabbccdd;
    step(e, 0xe5821000);                          /* str r1, [r2] */
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0xbbccdd11u);
    ck_assert_uint_eq(peek(e, 0x2004, 4), 0x887766aau);
    c->r[2] = 0x2005; c->r[1] = 0x1234;
    step(e, 0xe1c210b0);                          /* strh r1, [r2] */
    ck_assert_uint_eq(peek(e, 0x2004, 4), 0x881234aau);
    /* STR pc stores the instruction's address + 8 on v7. */
    c->r[2] = 0x2010;
    step(e, 0xe582f000);                          /* str pc, [r2] */
    ck_assert_uint_eq(peek(e, 0x2010, 4), CODE + 8);
    c->r[2] = 0x2020;
    step(e, 0xe8828000);                          /* stm r2, {pc} */
    ck_assert_uint_eq(peek(e, 0x2020, 4), CODE + 8);
    /* LDRHT: post-indexed, unprivileged. */
    poke(e, 0x2030, 0xbeef);
    c->r[2] = 0x2030;
    step(e, 0xe0f210b2);                          /* ldrht r1, [r2], #2 */
    ck_assert_uint_eq(c->r[1], 0xbeef);
    ck_assert_uint_eq(c->r[2], 0x2032);
    /* LDRD/STRD pair registers through rs. */
    c->r[2] = 0x2000; c->r[6] = 0x01234567; c->r[7] = 0x89abcdef;
    step(e, 0xe1c260f8);                          /* strd r6, r7, [r2, #8] */
    step(e, 0xe1c240d8);                          /* ldrd r4, r5, [r2, #8] */
    ck_assert_uint_eq(c->r[4], 0x01234567u);
    ck_assert_uint_eq(c->r[5], 0x89abcdefu);
    env_free(e);

    /* The ARMv4T and ARMv5 behaviours stay: a rotated aligned word and a
     * store of pc + 12. */
    e = env_new("arm926ej-s");
    c = e->arm;
    poke(e, 0x2000, 0x44332211);
    c->r[2] = 0x2001;
    step(e, 0xe5921000);
    ck_assert_uint_eq(c->r[1], 0x11443322u);
    c->r[2] = 0x2010;
    step(e, 0xe582f000);
    ck_assert_uint_eq(peek(e, 0x2010, 4), CODE + 12);
    env_free(e);
}
END_TEST

/* The accesses that must be aligned take the alignment fault (DFSR FS 1,
 * DFAR the address); plain LDR/STR only when SCTLR.A is set. */
static void expect_alignment_abort(struct env *e, uint32_t insn, uint32_t addr, bool write)
{
    struct arm_cpu *c = e->arm;
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    step(e, insn);
    ck_assert_msg(c->pc == 0x10, "%08x: pc %08x", insn, c->pc);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_ABT);
    ck_assert_uint_eq(c->cp15.dfsr, arm_fsr(FS_ALIGNMENT, 0, write));
    ck_assert_uint_eq(c->cp15.dfar, addr);
    ck_assert_uint_eq(c->r[14], CODE + 8);
}

START_TEST(alignment_faults)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    c->r[2] = 0x2004;
    expect_alignment_abort(e, 0xe1b24f9f, 0x2004, false);   /* ldrexd r4, r5, [r2] */
    c->excl_open = false;
    expect_alignment_abort(e, 0xe1a23f96, 0x2004, true);    /* strexd: even when failing */
    c->r[2] = 0x2002;
    expect_alignment_abort(e, 0xe1921f9f, 0x2002, false);   /* ldrex r1, [r2] */
    expect_alignment_abort(e, 0xe1823f94, 0x2002, true);    /* strex r3, r4, [r2] */
    expect_alignment_abort(e, 0xe1c240d0, 0x2002, false);   /* ldrd r4, r5, [r2] */
    expect_alignment_abort(e, 0xe8920003, 0x2002, false);   /* ldm r2, {r0, r1} */
    expect_alignment_abort(e, 0xe8820003, 0x2002, true);    /* stm r2, {r0, r1} */
    c->r[2] = 0x2001;
    c->sctlr |= SCTLR_SW;
    expect_alignment_abort(e, 0xe1021093, 0x2001, false);   /* swp r1, r3, [r2] */
    c->r[5] = 0x2002;
    expect_alignment_abort(e, 0xf8950a00, 0x2002, false);   /* rfeia r5 */
    /* The base is left alone by a faulting writeback form. */
    c->r[2] = 0x2002;
    expect_alignment_abort(e, 0xe8b20003, 0x2002, false);   /* ldm r2!, {r0, r1} */
    ck_assert_uint_eq(c->r[2], 0x2002);
    /* LDR/LDRH are fine unaligned unless SCTLR.A = 1. */
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    c->r[2] = 0x2001;
    step(e, 0xe5921000);
    ck_assert_uint_eq(c->pc, CODE + 4);
    c->sctlr |= SCTLR_A;
    expect_alignment_abort(e, 0xe5921000, 0x2001, false);   /* ldr r1, [r2] */
    expect_alignment_abort(e, 0xe1c210b0, 0x2001, true);    /* strh r1, [r2] */
    env_free(e);
}
END_TEST

/* LDRT/STRT and LDRHT/STRHT are checked with User permissions even in a
 * privileged mode: with the MMU on and the whole RAM one PL1-only section
 * (AP = 0b001), the plain forms work and the T forms take a permission
 * fault (B3.7.1). */
START_TEST(unprivileged_forms_use_user_permissions)
{
    struct env *e = env_new("cortex-a15");
    struct arm_cpu *c = e->arm;
    poke(e, 0x8000, 0x00000402);     /* section 0 -> PA 0, domain 0, AP 0b001 */
    poke(e, 0x2000, 0xcafef00d);
    c->cp15.ttbr0 = 0x8000;
    c->cp15.ttbcr = 0;
    c->cp15.dacr = 1;                /* domain 0: client */
    c->sctlr |= SCTLR_M;
    arm_tlb_flush(c);
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    c->r[2] = 0x2000;
    step(e, 0xe5921000);                          /* ldr r1, [r2] */
    ck_assert_uint_eq(c->r[1], 0xcafef00du);
    static const struct { uint32_t insn; bool write; } t_forms[] = {
        { 0xe4b21004, false },   /* ldrt r1, [r2], #4 */
        { 0xe4a21004, true },    /* strt r1, [r2], #4 */
        { 0xe4f21001, false },   /* ldrbt r1, [r2], #1 */
        { 0xe0f210b2, false },   /* ldrht r1, [r2], #2 */
        { 0xe0e210b2, true },    /* strht r1, [r2], #2 */
        { 0xe0f210d1, false },   /* ldrsbt r1, [r2], #1 */
    };
    for (size_t i = 0; i < sizeof t_forms / sizeof t_forms[0]; i++) {
        arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
        c->r[2] = 0x2000;
        step(e, t_forms[i].insn);
        ck_assert_msg(c->pc == 0x10, "%08x", t_forms[i].insn);
        ck_assert_uint_eq(c->cp15.dfsr, arm_fsr(FS_PERMISSION_SECTION, 0, t_forms[i].write));
        ck_assert_uint_eq(c->cp15.dfar, 0x2000);
        ck_assert_uint_eq(c->r[2], 0x2000);       /* base restored */
    }
    env_free(e);
}
END_TEST

/* SWP/SWPB on the v7 models (Multiprocessing Extensions): UNDEFINED
 * unless SCTLR.SW is set. */
START_TEST(swp_needs_sctlr_sw)
{
    struct env *e = env_new("cortex-a7");
    struct arm_cpu *c = e->arm;
    poke(e, 0x2000, 0x12345678);
    c->r[2] = 0x2000; c->r[3] = 0xaa;
    step(e, 0xe1021093);                          /* swp r1, r3, [r2] */
    ck_assert_uint_eq(c->pc, 0x04);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0x12345678u);
    arm_write_cpsr(c, MODE_SVC | PSR_I | PSR_F);
    c->sctlr |= SCTLR_SW;
    step(e, 0xe1421093);                          /* swpb r1, r3, [r2] */
    ck_assert_uint_eq(c->r[1], 0x78);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0x123456aau);
    step(e, 0xe1021093);                          /* swp r1, r3, [r2] */
    ck_assert_uint_eq(c->r[1], 0x123456aau);
    ck_assert_uint_eq(peek(e, 0x2000, 4), 0xaa);
    env_free(e);
}
END_TEST

START_TEST(save_load_v6_state)
{
    struct env *a = env_new("cortex-a15"), *b = env_new("cortex-a15");
    a->arm->event = true;
    a->arm->excl_open = true;
    a->arm->excl_addr = 0x1234;
    a->arm->waiting = a->arm->waiting_event = true;
    unit_cpu_state_copy(a->cpu, b->cpu);
    ck_assert(b->arm->event);
    ck_assert(b->arm->excl_open);
    ck_assert_uint_eq(b->arm->excl_addr, 0x1234);
    ck_assert(b->arm->waiting_event);
    /* Reset clears them. */
    a->cpu->ops->reset(a->cpu);
    ck_assert(!a->arm->event && !a->arm->excl_open && !a->arm->waiting_event);
    env_free(a);
    env_free(b);
}
END_TEST

static Suite *v6_suite(void)
{
    Suite *s = suite_create("arm_v6");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, decode_fields);
    tcase_add_test(tc, decode_hints_barriers_and_hint_space);
    tcase_add_test(tc, decode_gated_by_architecture);
    tcase_add_test(tc, decode_unpredictable_is_undefined);
    suite_add_tcase(s, tc);
    tc = tcase_create("exec");
    tcase_add_test(tc, movw_movt_extend_rev);
    tcase_add_test(tc, bitfields);
    tcase_add_test(tc, saturation_and_q);
    tcase_add_test(tc, pack_select_usad);
    tcase_add_test(tc, parallel_add_subtract);
    tcase_add_test(tc, division);
    tcase_add_test(tc, multiplies);
    tcase_add_test(tc, exclusive_monitor);
    tcase_add_test(tc, wfe_sev_wfi);
    tcase_add_test(tc, smc_hvc_firmware_hook);
    tcase_add_test(tc, srs_rfe_round_trip);
    tcase_add_test(tc, cps_setend);
    tcase_add_test(tc, msr_mrs_v7);
    tcase_add_test(tc, interworking_and_bxj);
    tcase_add_test(tc, unaligned_and_pc_stores);
    tcase_add_test(tc, alignment_faults);
    tcase_add_test(tc, swp_needs_sctlr_sw);
    tcase_add_test(tc, unprivileged_forms_use_user_permissions);
    tcase_add_test(tc, save_load_v6_state);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(v6_suite());
}
