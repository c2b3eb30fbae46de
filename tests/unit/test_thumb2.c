/* Thumb-2: the T32 decoder (one or more encodings per A6.3 group, and the
 * 16-bit additions of A6.2) and execution checks whose expected values were
 * worked out by hand from the ARM ARM v7-A/R (DDI 0406C) pseudocode. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/host.h"
#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "isa-arm/thumb2_exec.h"
#include "machine/bus.h"
#include "tests/unit/unit.h"

#define RAM_SIZE 0x10000u

/* ---- decoding ------------------------------------------------------------ */

static struct arm_rec dec32(uint32_t insn, bool in_it)
{
    struct arm_rec r;
    thumb_decode(ARM_V7, insn, in_it, &r);
    ck_assert_uint_eq(arm_rec_len(&r), 4);
    return r;
}

static struct arm_rec dec16(enum arm_arch arch, uint32_t insn, bool in_it)
{
    struct arm_rec r;
    thumb_decode(arch, insn, in_it, &r);
    ck_assert_uint_eq(arm_rec_len(&r), 2);
    return r;
}

START_TEST(decode_data_processing)
{
    struct arm_rec r = dec32(0xf04f4000, false);   /* mov.w r0, #0x80000000 */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0xd);
    ck_assert_uint_eq(r.imm, 0x80000000u);
    ck_assert_uint_ne(r.shift, 0);                 /* rotated: C = bit 31 */
    ck_assert_uint_eq(r.flags, RF_IMM);
    r = dec32(0xf04f33ab, false);                  /* mov.w r3, #0xabababab */
    ck_assert_uint_eq(r.imm, 0xababababu);
    ck_assert_uint_eq(r.shift, 0);                 /* not rotated: C unchanged */
    ck_assert_ptr_eq(dec32(0xf04f3300, false).fn, arm_exec_undefined);   /* 0x00000000 pattern 3 */
    r = dec32(0xf0110f01, false);                  /* tst.w r1, #1 */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0x8);
    ck_assert_uint_eq(r.rd, 0);
    ck_assert_uint_eq(r.flags, RF_IMM | RF_S);
    ck_assert_ptr_eq(dec32(0xf06100ff, false).fn, thumb2_exec_orn);   /* orn r0, r1, #0xff */
    r = dec32(0xf60170ff, false);                  /* addw r0, r1, #0xfff */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0x4);
    ck_assert_uint_eq(r.imm, 0xfffu);
    ck_assert_uint_eq(r.flags, RF_IMM);
    r = dec32(0xf2412234, false);                  /* movw r2, #0x1234 */
    ck_assert_ptr_eq(r.fn, arm_exec_movw_movt);
    ck_assert_uint_eq(r.imm, 0x1234);
    ck_assert_uint_eq(r.rd, 2);
    ck_assert_uint_eq(r.op, 0);
    r = dec32(0xf2c56278, false);                  /* movt r2, #0x5678 */
    ck_assert_uint_eq(r.imm, 0x5678);
    ck_assert_uint_eq(r.op, 1);
    r = dec32(0xf3c11007, false);                  /* ubfx r0, r1, #4, #8 */
    ck_assert_ptr_eq(r.fn, arm_exec_bitfield);
    ck_assert_uint_eq(r.op, BF_UBFX);
    ck_assert_uint_eq(r.imm, 4);
    ck_assert_uint_eq(r.shift, 8);
    r = dec32(0xf3011007, false);                  /* ssat r0, #8, r1, lsl #4 */
    ck_assert_ptr_eq(r.fn, arm_exec_sat);
    ck_assert_uint_eq(r.op, SAT_SSAT);
    ck_assert_uint_eq(r.rs, 8);
    ck_assert_uint_eq(r.imm, 4);
    r = dec32(0xea4f0121, false);                  /* mov.w r1, r1, asr #32 (asr r1, r1, #32) */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0xd);
    ck_assert_uint_eq(r.shift, 2);
    ck_assert_uint_eq(r.imm, 0);
    ck_assert_ptr_eq(dec32(0xea4f0d0d, false).fn, arm_exec_undefined);   /* mov.w sp, sp */
    ck_assert_ptr_eq(dec32(0xeb0f0001, false).fn, arm_exec_undefined);   /* add.w r0, pc, r1 */
    r = dec32(0xfa01f002, false);                  /* lsl.w r0, r1, r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.flags, RF_REGSH);
    ck_assert_uint_eq(r.rm, 1);
    ck_assert_uint_eq(r.rs, 2);
    r = dec32(0xfa5ff081, false);                  /* uxtb.w r0, r1 */
    ck_assert_ptr_eq(r.fn, arm_exec_extend);
    ck_assert_uint_eq(r.op, EXT_UXTB);
    ck_assert_uint_eq(r.rn, 15);
    r = dec32(0xfa81f042, false);                  /* uadd8 r0, r1, r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_parallel);
    ck_assert_uint_eq(r.op, PAR_U * 8 + PAR_ADD8);
    ck_assert_ptr_eq(dec32(0xfa91f081, false).fn, arm_exec_rev);     /* rev.w r0, r1 */
    ck_assert_ptr_eq(dec32(0xfa91f082, false).fn, arm_exec_undefined); /* Rm fields differ */
    ck_assert_ptr_eq(dec32(0xfab1f081, false).fn, arm_exec_clz);     /* clz r0, r1 */
    r = dec32(0xfa82f090, false);                  /* qdadd r0, r0, r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_qarith);
    ck_assert_uint_eq(r.op, 2);
}
END_TEST

START_TEST(decode_multiply)
{
    struct arm_rec r = dec32(0xfb013002, false);   /* mla r0, r1, r2, r3 */
    ck_assert_ptr_eq(r.fn, arm_exec_mul);
    ck_assert_uint_eq(r.op, 1);
    ck_assert_uint_eq(r.rn, 3);
    r = dec32(0xfb01f002, false);                  /* mul r0, r1, r2 */
    ck_assert_uint_eq(r.op, 0);
    r = dec32(0xfba20103, false);                  /* umull r0, r1, r2, r3 */
    ck_assert_ptr_eq(r.fn, arm_exec_mull);
    ck_assert_uint_eq(r.op, 0);
    ck_assert_uint_eq(r.rd, 0);
    ck_assert_uint_eq(r.rn, 1);
    ck_assert_ptr_eq(dec32(0xfba20003, false).fn, arm_exec_undefined);   /* RdHi = RdLo */
    r = dec32(0xfb91f0f2, false);                  /* sdiv r0, r1, r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_div);
    ck_assert_uint_eq(r.rn, 1);
    ck_assert_uint_eq(r.rm, 2);
    ck_assert_uint_eq(r.op, 0);
    r = dec32(0xfb11f023, false);                  /* smultb r0, r1, r3 */
    ck_assert_ptr_eq(r.fn, arm_exec_smulxy);
    ck_assert_uint_eq(r.op, 3);
    ck_assert_uint_eq(r.shift, 1);
    r = dec32(0xfb51f012, false);                  /* smmulr r0, r1, r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_dsp_mul);
    ck_assert_uint_eq(r.op, DSPM_SMMLA);
    ck_assert_uint_eq(r.rn, 15);
    ck_assert_uint_eq(r.shift, 1);
}
END_TEST

START_TEST(decode_branch_and_control)
{
    struct arm_rec r = dec32(0xf0008080, false);   /* beq.w +0x100 */
    ck_assert_ptr_eq(r.fn, arm_exec_b);
    ck_assert_uint_eq(arm_rec_cond(&r), 0);
    ck_assert_uint_eq(r.imm, 0x100);
    ck_assert_ptr_eq(dec32(0xf0008080, true).fn, arm_exec_undefined);   /* in an IT block */
    r = dec32(0xf7ffbffe, false);                  /* b.w . (-4) */
    ck_assert_uint_eq(r.imm, (uint32_t)-4);
    ck_assert_uint_eq(arm_rec_cond(&r), 14);
    r = dec32(0xf000f87e, false);                  /* bl +0xfc */
    ck_assert_ptr_eq(r.fn, arm_exec_b);
    ck_assert_uint_eq(r.op, 1);
    ck_assert_uint_eq(r.imm, 0xfc);
    ck_assert_ptr_eq(dec32(0xf000e87e, false).fn, thumb2_exec_blx_imm);
    ck_assert_ptr_eq(dec32(0xf000e87f, false).fn, arm_exec_undefined);  /* BLX with H = 1 */
    r = dec32(0xf3ef8000, false);                  /* mrs r0, cpsr */
    ck_assert_ptr_eq(r.fn, arm_exec_mrs);
    r = dec32(0xf3808900, false);                  /* msr cpsr_fc, r0 */
    ck_assert_ptr_eq(r.fn, arm_exec_msr);
    ck_assert_uint_eq(r.shift, 9);
    r = dec32(0xf3af8640, false);                  /* cpsid i */
    ck_assert_ptr_eq(r.fn, arm_exec_cps);
    ck_assert_uint_eq(r.op, 3);
    ck_assert_uint_eq(r.shift, 2);
    ck_assert_ptr_eq(dec32(0xf3af8003, false).fn, arm_exec_wfi);
    ck_assert_ptr_eq(dec32(0xf3af8000, false).fn, arm_exec_nop);
    ck_assert_ptr_eq(dec32(0xf3bf8f5f, false).fn, arm_exec_nop);      /* dmb sy */
    ck_assert_ptr_eq(dec32(0xf3bf8f2f, false).fn, arm_exec_clrex);
    r = dec32(0xf3de8f04, false);                  /* subs pc, lr, #4 */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.rd, 15);
    ck_assert_uint_eq(r.rn, 14);
    ck_assert_uint_eq(r.imm, 4);
    ck_assert_ptr_eq(dec32(0xf7f08000, false).fn, arm_exec_smc);
    ck_assert_ptr_eq(dec32(0xf7f0a000, false).fn, arm_exec_undefined);  /* udf.w */
}
END_TEST

START_TEST(decode_load_store)
{
    struct arm_rec r = dec32(0xf8510e04, false);   /* ldrt r0, [r1, #4] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldr_str);
    ck_assert_uint_eq(r.flags, RF_L | RF_IMM | RF_P | RF_U | RF_T);
    r = dec32(0xf8510022, false);                  /* ldr.w r0, [r1, r2, lsl #2] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldr_str);
    ck_assert_uint_eq(r.rm, 2);
    ck_assert_uint_eq(r.rs, 2);
    ck_assert_ptr_eq(dec32(0xf891f004, false).fn, arm_exec_nop);      /* pld [r1, #4] */
    r = dec32(0xf9310012, false);                  /* ldrsh.w r0, [r1, r2, lsl #1] */
    ck_assert_ptr_eq(r.fn, thumb2_exec_ldrh_lsl);
    ck_assert_uint_eq(r.op, 3);
    r = dec32(0xf8410d04, false);                  /* str r0, [r1, #-4]! */
    ck_assert_ptr_eq(r.fn, arm_exec_ldr_str);
    ck_assert_uint_eq(r.flags, RF_IMM | RF_P | RF_W);
    ck_assert_ptr_eq(dec32(0xf8cf0004, false).fn, arm_exec_undefined); /* str.w r0, [pc, #4] */
    ck_assert_ptr_eq(dec32(0xf8411b04, false).fn, arm_exec_undefined); /* str r1, [r1], #4 */
    r = dec32(0xe9d01702, false);                  /* ldrd r1, r7, [r0, #8] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldrh_strh);
    ck_assert_uint_eq(r.op, 4);
    ck_assert_uint_eq(r.rd, 1);
    ck_assert_uint_eq(r.rs, 7);
    ck_assert_uint_eq(r.imm, 8);
    r = dec32(0xe8510f01, false);                  /* ldrex r0, [r1, #4] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldrex);
    ck_assert_uint_eq(r.imm, 4);
    ck_assert_uint_eq(r.op, 4);
    r = dec32(0xe8410200, false);                  /* strex r2, r0, [r1] */
    ck_assert_ptr_eq(r.fn, arm_exec_strex);
    ck_assert_uint_eq(r.rm, 2);
    ck_assert_uint_eq(r.rd, 0);
    r = dec32(0xe8d10f4f, false);                  /* ldrexb r0, [r1] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldrex);
    ck_assert_uint_eq(r.op, 1);
    r = dec32(0xe8d0f001, false);                  /* tbb [r0, r1] */
    ck_assert_ptr_eq(r.fn, thumb2_exec_tbb);
    ck_assert_uint_eq(r.op, 0);
    r = dec32(0xe8b00006, false);                  /* ldm.w r0!, {r1, r2} */
    ck_assert_ptr_eq(r.fn, arm_exec_ldm_stm);
    ck_assert_uint_eq(r.flags, RF_U | RF_W | RF_L);
    ck_assert_ptr_eq(dec32(0xe8900001, false).fn, arm_exec_undefined); /* one register */
    ck_assert_ptr_eq(dec32(0xe92d2006, false).fn, arm_exec_undefined); /* push.w with SP */
    r = dec32(0xe82dc013, false);                  /* srsdb sp!, #19 */
    ck_assert_ptr_eq(r.fn, arm_exec_srs);
    ck_assert_uint_eq(r.flags, RF_P | RF_W);
    ck_assert_uint_eq(r.imm, 0x13);
    r = dec32(0xe990c000, false);                  /* rfeia r0 */
    ck_assert_ptr_eq(r.fn, arm_exec_rfe);
    ck_assert_uint_eq(r.flags, RF_U);
}
END_TEST

START_TEST(decode_coprocessor)
{
    struct arm_rec r = dec32(0xee110f10, false);   /* mrc p15, 0, r0, c1, c0, 0 */
    ck_assert_ptr_eq(r.fn, arm_exec_cp15);
    ck_assert_uint_eq(r.flags, RF_L);
    ck_assert_uint_eq(r.rn, 1);
    ck_assert_ptr_eq(dec32(0xee010f10, false).fn, arm_exec_cp15);       /* mcr */
    ck_assert_ptr_eq(dec32(0xee000a10, false).fn, arm_exec_undefined);  /* vmov s0, r0 */
    ck_assert_ptr_eq(dec32(0xee110e10, false).fn, arm_exec_cp14);       /* mrc p14 */
    ck_assert_ptr_eq(dec32(0xee110d10, false).fn, arm_exec_undefined);  /* mrc p13 */
    r = dec32(0xec410f02, false);                  /* mcrr p15, 0, r0, r1, c2 */
    ck_assert_ptr_eq(r.fn, arm_exec_cp15_64);
    ck_assert_uint_eq(r.rd, 0);
    ck_assert_uint_eq(r.rn, 1);
    ck_assert_ptr_eq(dec32(0xed900a00, false).fn, arm_exec_undefined);  /* vldr */
}
END_TEST

START_TEST(decode_t16_additions)
{
    struct arm_rec r = dec16(ARM_V7, 0xb110, false);   /* cbz r0, +4 */
    ck_assert_ptr_eq(r.fn, thumb_exec_cbz);
    ck_assert_uint_eq(r.imm, 4);
    ck_assert_uint_eq(r.op, 0);
    ck_assert_ptr_eq(dec16(ARM_V7, 0xb110, true).fn, arm_exec_undefined);
    r = dec16(ARM_V7, 0xbf08, false);                  /* it eq */
    ck_assert_ptr_eq(r.fn, thumb_exec_it);
    ck_assert_uint_eq(r.imm, 0x08);
    ck_assert_ptr_eq(dec16(ARM_V7, 0xbf08, true).fn, arm_exec_undefined);
    ck_assert_ptr_eq(dec16(ARM_V7, 0xbf00, false).fn, arm_exec_nop);
    ck_assert_ptr_eq(dec16(ARM_V7, 0xbf10, false).fn, arm_exec_nop);   /* yield */
    ck_assert_ptr_eq(dec16(ARM_V7, 0xbf20, false).fn, arm_exec_wfe);
    ck_assert_ptr_eq(dec16(ARM_V7, 0xbf30, false).fn, arm_exec_wfi);
    ck_assert_ptr_eq(dec16(ARM_V7, 0xbf40, false).fn, arm_exec_sev);
    r = dec16(ARM_V7, 0xba48, false);                  /* rev16 r0, r1 */
    ck_assert_ptr_eq(r.fn, arm_exec_rev);
    ck_assert_uint_eq(r.op, REV_REV16);
    r = dec16(ARM_V7, 0xb2c8, false);                  /* uxtb r0, r1 */
    ck_assert_ptr_eq(r.fn, arm_exec_extend);
    ck_assert_uint_eq(r.op, EXT_UXTB);
    r = dec16(ARM_V7, 0xb672, false);                  /* cpsid i */
    ck_assert_ptr_eq(r.fn, arm_exec_cps);
    ck_assert_uint_eq(r.op, 3);
    ck_assert_uint_eq(r.shift, 2);
    r = dec16(ARM_V7, 0xb658, false);                  /* setend be */
    ck_assert_ptr_eq(r.fn, arm_exec_setend);
    ck_assert_uint_eq(r.op, 1);
    /* Inside an IT block only CMP/CMN/TST keep setting flags. */
    ck_assert_uint_eq(dec16(ARM_V7, 0x3001, true).flags & RF_S, 0);    /* adds r0, #1 */
    ck_assert_uint_eq(dec16(ARM_V7, 0x3001, false).flags & RF_S, RF_S);
    ck_assert_uint_eq(dec16(ARM_V7, 0x2801, true).flags & RF_S, RF_S); /* cmp r0, #1 */
    ck_assert_uint_eq(dec16(ARM_V7, 0x4348, true).flags & RF_S, 0);    /* muls */
    ck_assert_ptr_eq(dec16(ARM_V7, 0xd0fe, true).fn, arm_exec_undefined); /* beq in IT */
    /* ARMv5TE/ARMv4T Thumb is unchanged. */
    ck_assert_ptr_eq(dec16(ARM_V5TE, 0xb110, false).fn, arm_exec_undefined);
    ck_assert_ptr_eq(dec16(ARM_V5TE, 0xbf08, false).fn, arm_exec_undefined);
    ck_assert_ptr_eq(dec16(ARM_V5TE, 0xba08, false).fn, arm_exec_undefined);
    ck_assert_ptr_eq(dec16(ARM_V4T, 0xf000, false).fn, thumb_exec_bl_prefix);
    ck_assert_ptr_eq(dec16(ARM_V5TE, 0xe87e, false).fn, thumb_exec_bl_suffix);
}
END_TEST

/* ---- execution ----------------------------------------------------------- */

struct env {
    struct bus bus;
    struct cpu *cpu;
    struct arm_cpu *arm;
    struct host_io host;
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
    struct cpu_config cfg = { .bus = &e->bus, .host = &e->host, .ram_base = 0, .ram_size = RAM_SIZE };
    ck_assert_int_eq(m->create(m, &cfg, &e->cpu, &err), 0);
    e->arm = (struct arm_cpu *)e->cpu;
    return e;
}

static void env_free(struct env *e)
{
    e->cpu->ops->destroy(e->cpu);
    bus_destroy(&e->bus);
    free(e);
}

/* Halfwords in program order; a 32-bit encoding is two entries hw1, hw2. */
static void put_code(struct env *e, uint32_t addr, const uint16_t *hw, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(bus_write(&e->bus, addr + 2 * i, 2, hw[i]), 0);
}

static void put_word(struct env *e, uint32_t addr, uint32_t v)
{
    ck_assert_int_eq(bus_write(&e->bus, addr, 4, v), 0);
}

static uint32_t get_word(struct env *e, uint32_t addr)
{
    uint64_t v;
    ck_assert_int_eq(bus_read(&e->bus, addr, 4, &v), 0);
    return (uint32_t)v;
}

/* A Cortex-A15 in SVC mode, Thumb state at addr. */
static struct env *thumb_env(uint32_t addr)
{
    struct env *e = env_new("cortex-a15");
    e->cpu->ops->set_entry(e->cpu, addr | 1);
    return e;
}

static void step(struct env *e, unsigned n)
{
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, n);
    ck_assert_uint_eq(rr.executed, n);
}

#define NZCV(e) ((e)->arm->cpsr & 0xf0000000u)

START_TEST(exec_modified_immediate_carry)
{
    static const uint16_t prog[] = {
        0xf05f, 0x4100,   /* movs.w r1, #0x80000000: rotated, C = 1 */
        0xf05f, 0x33ab,   /* movs.w r3, #0xabababab: C unchanged */
        0xf05f, 0x42ff,   /* movs.w r2, #0x7f800000: rotated, C = 0 */
        0xf05f, 0x04ab,   /* movs.w r4, #0xab: C unchanged */
        0xf071, 0x05ff,   /* orns r5, r1, #0xff: 0x80000000 | 0xffffff00 */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[1], 0x80000000u);
    ck_assert_uint_eq(NZCV(e), PSR_N | PSR_C);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[3], 0xababababu);
    ck_assert_uint_eq(NZCV(e), PSR_N | PSR_C);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[2], 0x7f800000u);
    ck_assert_uint_eq(NZCV(e), 0);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[4], 0xabu);
    ck_assert_uint_eq(NZCV(e), 0);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[5], 0xffffff00u);
    ck_assert_uint_eq(NZCV(e), PSR_N);   /* 0xff is not rotated: C stays 0 */
    ck_assert_uint_eq(e->arm->pc, 0x114);
    env_free(e);
}
END_TEST

START_TEST(exec_it_block)
{
    static const uint16_t prog[] = {
        0x2000,   /* movs r0, #0 -> Z */
        0xbf06,   /* itte eq */
        0x3101,   /* adds r1, #1 (no flags inside IT) */
        0x2205,   /* movs r2, #5 (no flags) */
        0x2307,   /* movs r3, #7: NE, skipped */
        0x2409,   /* movs r4, #9: outside, sets flags */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    step(e, 2);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0x06);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[1], 1);
    ck_assert_uint_eq(NZCV(e), PSR_Z);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0x0c);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[2], 5);
    ck_assert_uint_eq(NZCV(e), PSR_Z);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0x18);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[3], 0);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[4], 9);
    ck_assert_uint_eq(NZCV(e), 0);
    ck_assert_uint_eq(e->arm->pc, 0x10c);
    env_free(e);
}
END_TEST

START_TEST(exec_exception_in_it_block_keeps_itstate)
{
    static const uint16_t prog[] = {
        0x2000,   /* movs r0, #0 -> Z */
        0xbf04,   /* itt eq */
        0xde00,   /* udf #0: taken with ITSTATE 0x04 */
        0x2101,
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    step(e, 3);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0);
    ck_assert_uint_eq(arm_itstate(e->arm->spsr[BANK_UND]), 0x04);
    ck_assert_uint_ne(e->arm->spsr[BANK_UND] & PSR_T, 0);
    ck_assert_uint_eq(e->arm->r[14], 0x106);   /* UDF at 0x104, + 2 */
    env_free(e);
}
END_TEST

START_TEST(exec_cbz_cbnz)
{
    static const uint16_t prog[] = {
        0x2000,   /* 100 movs r0, #0 */
        0xb110,   /* 102 cbz r0, 0x10a: taken */
        0x2101,   /* 104 skipped */
        0x2102,   /* 106 skipped */
        0xbf00,   /* 108 */
        0xb908,   /* 10a cbnz r0, 0x110: not taken */
        0x2203,   /* 10c movs r2, #3 */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    step(e, 2);
    ck_assert_uint_eq(e->arm->pc, 0x10a);
    step(e, 2);
    ck_assert_uint_eq(e->arm->r[1], 0);
    ck_assert_uint_eq(e->arm->r[2], 3);
    ck_assert_uint_eq(e->arm->pc, 0x10e);
    env_free(e);
}
END_TEST

START_TEST(exec_bl_blx_links)
{
    static const uint16_t bl[] = { 0xf000, 0xf87e };    /* 100: bl 0x200 */
    static const uint16_t blx[] = { 0xf000, 0xe87e };   /* 202: blx 0x300 (Align(0x206, 4) + 0xfc) */
    static const uint16_t back[] = { 0xf7ff, 0xbffe };  /* 400: b.w 0x400 */
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, bl, 2);
    put_code(e, 0x200, (const uint16_t[]){ 0xbf00 }, 1);
    put_code(e, 0x202, blx, 2);
    put_code(e, 0x400, back, 2);
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x200);
    ck_assert_uint_eq(e->arm->r[14], 0x105);
    step(e, 2);
    ck_assert_uint_eq(e->arm->pc, 0x300);
    ck_assert_uint_eq(e->arm->r[14], 0x207);
    ck_assert_uint_eq(e->arm->cpsr & PSR_T, 0);
    e->cpu->ops->set_entry(e->cpu, 0x401);
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x400);
    env_free(e);
}
END_TEST

START_TEST(exec_literal_alignment)
{
    static const uint16_t prog[] = {
        0x4903,           /* 100 ldr r1, [pc, #12] -> [0x110] */
        0xf8df, 0x2010,   /* 102 ldr.w r2, [pc, #16]: Align(0x106, 4) + 16 = 0x114 */
        0xf8bf, 0x300e,   /* 106 ldrh.w r3, [pc, #14]: 0x108 + 14 = 0x116 */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    put_word(e, 0x110, 0x11111111u);
    put_word(e, 0x114, 0xabcd2222u);
    step(e, 3);
    ck_assert_uint_eq(e->arm->r[1], 0x11111111u);
    ck_assert_uint_eq(e->arm->r[2], 0xabcd2222u);
    ck_assert_uint_eq(e->arm->r[3], 0xabcdu);
    env_free(e);
}
END_TEST

START_TEST(exec_ldrd_strd_any_rt2)
{
    static const uint16_t prog[] = {
        0xe9d0, 0x1702,   /* ldrd r1, r7, [r0, #8] */
        0xe960, 0x7101,   /* strd r7, r1, [r0, #-4]! */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, 4);
    e->arm->r[0] = 0x800;
    put_word(e, 0x808, 0xaaaa0001u);
    put_word(e, 0x80c, 0xbbbb0002u);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[1], 0xaaaa0001u);
    ck_assert_uint_eq(e->arm->r[7], 0xbbbb0002u);
    ck_assert_uint_eq(e->arm->r[0], 0x800);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[0], 0x7fc);
    ck_assert_uint_eq(get_word(e, 0x7fc), 0xbbbb0002u);
    ck_assert_uint_eq(get_word(e, 0x800), 0xaaaa0001u);
    env_free(e);
}
END_TEST

START_TEST(exec_push_pop)
{
    static const uint16_t prog[] = {
        0xe92d, 0x4006,   /* push.w {r1, r2, lr} */
        0xe8bd, 0x8018,   /* pop.w {r3, r4, pc} */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, 4);
    e->arm->r[13] = 0x1000;
    e->arm->r[1] = 11;
    e->arm->r[2] = 22;
    e->arm->r[14] = 0x201;
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[13], 0xff4);
    ck_assert_uint_eq(get_word(e, 0xff4), 11);
    ck_assert_uint_eq(get_word(e, 0xff8), 22);
    ck_assert_uint_eq(get_word(e, 0xffc), 0x201);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[13], 0x1000);
    ck_assert_uint_eq(e->arm->r[3], 11);
    ck_assert_uint_eq(e->arm->r[4], 22);
    ck_assert_uint_eq(e->arm->pc, 0x200);
    ck_assert_uint_ne(e->arm->cpsr & PSR_T, 0);
    env_free(e);
}
END_TEST

START_TEST(exec_tbb_tbh)
{
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, (const uint16_t[]){ 0xe8df, 0xf000 }, 2);   /* tbb [pc, r0] */
    put_code(e, 0x104, (const uint16_t[]){ 0x0402 }, 1);           /* bytes 2, 4 */
    e->arm->r[0] = 1;
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x104 + 2 * 4);
    put_code(e, 0x200, (const uint16_t[]){ 0xe8df, 0xf010, 0x0003, 0x0010 }, 4); /* tbh [pc, r0, lsl #1] */
    e->cpu->ops->set_entry(e->cpu, 0x201);
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x204 + 2 * 0x10);
    e->arm->r[0] = 0;
    e->cpu->ops->set_entry(e->cpu, 0x201);
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x204 + 2 * 3);
    env_free(e);
}
END_TEST

/* Every 32-bit encoding decodes to some executor, with length 4 (a sample
 * of second halfwords for each first halfword). */
START_TEST(decode_t32_total)
{
    static const uint16_t hw2s[] = {
        0x0000, 0xffff, 0x8000, 0xf000, 0x0f00, 0xa5a5, 0x5a5a, 0x1234, 0xc000, 0xe87e,
    };
    uint32_t seed = 12345;
    for (uint32_t hw1 = 0xe800; hw1 <= 0xffff; hw1++) {
        for (size_t k = 0; k < sizeof hw2s / sizeof hw2s[0] + 8; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t hw2 = k < sizeof hw2s / sizeof hw2s[0] ? hw2s[k] : (seed >> 8) & 0xffff;
            struct arm_rec r;
            thumb_decode(ARM_V7, hw1 << 16 | hw2, (k & 1) != 0, &r);
            ck_assert_ptr_nonnull(r.fn);
            ck_assert_uint_eq(arm_rec_len(&r), 4);
            ck_assert_uint_lt(r.rd, 16);
            ck_assert_uint_lt(r.rn, 16);
            ck_assert_uint_lt(r.rm, 16);
        }
    }
}
END_TEST

/* Outside IT blocks, ARMv7 decodes every 16-bit encoding as ARMv5TE does,
 * except the v6/v7 additions (CBZ/CBNZ, IT/hints, REV*, extends, CPS,
 * SETEND), which ARMv5TE leaves UNDEFINED. */
START_TEST(decode_t16_same_as_v5_elsewhere)
{
    unsigned added = 0;
    for (uint32_t insn = 0; insn < 0xe800; insn++) {
        struct arm_rec v5, v7;
        thumb_decode(ARM_V5TE, insn, false, &v5);
        thumb_decode(ARM_V7, insn, false, &v7);
        unsigned top = insn >> 8;
        bool addition = top == 0xb1 || top == 0xb3 || top == 0xb9 || top == 0xbb ||
                        top == 0xbf || top == 0xba || top == 0xb2 ||
                        (insn & 0xffe8) == 0xb660 || (insn & 0xfff7) == 0xb650;
        if (addition) {
            ck_assert_ptr_eq(v5.fn, arm_exec_undefined);
            added += v7.fn != arm_exec_undefined;
            continue;
        }
        if (v7.fn == thumb_exec_alu_write_pc) {   /* ADD/MOV pc, Rm */
            ck_assert_ptr_eq(v5.fn, arm_exec_dp);
            ck_assert_uint_eq(v5.rd, 15);
            continue;
        }
        ck_assert_msg(memcmp(&v5, &v7, sizeof v5) == 0, "0x%04x decodes differently", (unsigned)insn);
    }
    /* CBZ/CBNZ; IT/hints but IT with firstcond 1111 (15) or AL with an
     * else (11); REV* but op 10; extends; CPS with some of A, I, F; SETEND. */
    ck_assert_uint_eq(added, 4 * 256 + (256 - 15 - 11) + 192 + 256 + 14 + 2);
}
END_TEST

START_TEST(exec_mov_add_pc_clear_bit0)
{
    static const uint16_t prog[] = {
        0x46af,   /* 100 mov pc, r5 */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, 1);
    put_code(e, 0x13e, (const uint16_t[]){ 0x44bf }, 1);   /* 13e add pc, r7 */
    e->arm->r[5] = 0x13f;
    e->arm->r[7] = 0x21;
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x13e);
    ck_assert_uint_ne(e->arm->cpsr & PSR_T, 0);
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x142 + 0x20);   /* PC (0x142) + 0x21, bit 0 cleared */
    env_free(e);
}
END_TEST

START_TEST(exec_bkpt_in_it_block_is_unconditional)
{
    static const uint16_t prog[] = {
        0x2001,   /* 100 movs r0, #1 -> Z clear */
        0xbf08,   /* 102 it eq */
        0xbe01,   /* 104 bkpt #1: taken although EQ fails */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, 3);
    step(e, 3);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_ABT);
    ck_assert_uint_eq(arm_itstate(e->arm->spsr[BANK_ABT]), 0x08);
    ck_assert_uint_eq(e->arm->r[14], 0x108);
    env_free(e);
}
END_TEST

START_TEST(disasm_t32)
{
    static const uint16_t prog[] = {
        0xf241, 0x2234,   /* 100 movw r2, #0x1234 */
        0xbf08,           /* 104 it eq */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    char buf[64];
    ck_assert_int_eq(e->cpu->ops->disasm(e->cpu, 0x100, buf, sizeof buf), 4);
    ck_assert_str_eq(buf, "movw r2, #0x1234");
    ck_assert_int_eq(e->cpu->ops->disasm(e->cpu, 0x104, buf, sizeof buf), 2);
    ck_assert_str_eq(buf, "it eq");
    env_free(e);
}
END_TEST

/* Random 32-bit and 16-bit encodings, one at a time with random register values
 * (most of them addresses in RAM): every one executes as one instruction
 * (or its exception) and leaves a valid mode; run under the sanitizers this
 * also checks that no guest value reaches the host unchecked. */
START_TEST(exec_random_t32_single_steps)
{
    struct env *e = thumb_env(0x100);
    uint32_t seed = 777;
    for (unsigned n = 0; n < 20000; n++) {
        uint32_t words[18];
        for (unsigned k = 0; k < 18; k++) {
            seed = seed * 1664525u + 1013904223u;
            words[k] = seed;
        }
        uint32_t insn = words[0] | 0xe8000000u;   /* a 32-bit T32 first halfword */
        bool t16 = n & 1;
        if (t16)   /* or a 16-bit one, then a NOP */
            insn = 0xbf000000u | ((words[0] >> 8) & 0xffff) % 0xe800u;
        put_code(e, 0x100, (const uint16_t[]){ (uint16_t)(t16 ? insn : insn >> 16),
                                               (uint16_t)(t16 ? insn >> 16 : insn) }, 2);
        e->arm->cpsr = MODE_SVC | PSR_T | (words[1] & 0xf80f0000u);
        e->arm->pc = 0x100;
        for (unsigned k = 0; k < 15; k++)
            e->arm->r[k] = (words[2 + k] & 3) ? 0x1000 + (words[2 + k] & 0xeffc) : words[2 + k];
        e->arm->r[13] = 0x8000;
        e->arm->spsr[BANK_SVC] = MODE_USR | PSR_T;
        step(e, 1);
        /* RFE loads the CPSR from memory, an invalid mode being
         * UNPREDICTABLE (B9.3.13): the executor's choice. */
        if (!t16 && dec32(insn, false).fn == arm_exec_rfe)
            continue;
        ck_assert_msg(arm_mode_valid(e->arm->cpsr), "%08x -> cpsr %08x", (unsigned)insn,
                      (unsigned)e->arm->cpsr);
    }
    env_free(e);
}
END_TEST

START_TEST(exec_t32_across_a_page_boundary)
{
    struct env *e = thumb_env(0xffe);
    put_code(e, 0xffe, (const uint16_t[]){ 0xf241, 0x2234, 0xf2c5, 0x6278 }, 4);  /* movw/movt r2 */
    step(e, 2);
    ck_assert_uint_eq(e->arm->r[2], 0x56781234u);
    ck_assert_uint_eq(e->arm->pc, 0x1006);
    env_free(e);
}
END_TEST

START_TEST(exec_it_block_with_t32)
{
    static const uint16_t prog[] = {
        0x2001,           /* 100 movs r0, #1 */
        0x2801,           /* 102 cmp r0, #1 -> Z C */
        0xbf14,           /* 104 ite ne */
        0xf04f, 0x0155,   /* 106 mov.w r1, #0x55: NE, skipped */
        0xf241, 0x2234,   /* 10a movw r2, #0x1234: EQ */
        0x2303,           /* 10e movs r3, #3 */
    };
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, prog, sizeof prog / 2);
    step(e, 3);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0x14);
    step(e, 1);
    ck_assert_uint_eq(e->arm->pc, 0x10a);
    ck_assert_uint_eq(e->arm->r[1], 0);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0x08);
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[2], 0x1234);
    ck_assert_uint_eq(arm_itstate(e->arm->cpsr), 0);
    ck_assert_uint_eq(NZCV(e), PSR_Z | PSR_C);
    step(e, 1);
    ck_assert_uint_eq(NZCV(e), PSR_C);
    ck_assert_uint_eq(e->arm->pc, 0x110);
    env_free(e);
}
END_TEST

START_TEST(exec_subs_pc_lr_returns)
{
    struct env *e = thumb_env(0x100);
    put_code(e, 0x100, (const uint16_t[]){ 0xf3de, 0x8f00 }, 2);   /* subs pc, lr, #0 */
    e->arm->spsr[BANK_SVC] = MODE_USR | PSR_T | PSR_N;
    e->arm->r[14] = 0x201;
    step(e, 1);
    ck_assert_uint_eq(e->arm->cpsr, MODE_USR | PSR_T | PSR_N);
    ck_assert_uint_eq(e->arm->pc, 0x200);
    env_free(e);
}
END_TEST

START_TEST(exec_extra_loads_literal_and_shifted)
{
    static const uint16_t prog[] = {
        0xf91f, 0x000a,   /* 20a ldrsb.w r0, [pc, #-10]: Align(0x20e, 4) - 10 = 0x202 */
        0xf832, 0x1013,   /* 20e ldrh.w r1, [r2, r3, lsl #1] */
        0xea71, 0x0452,   /* 212 orns r4, r1, r2, lsr #1 */
    };
    struct env *e = thumb_env(0x20a);
    put_word(e, 0x200, 0x00f00000u);
    put_word(e, 0x204, 0x0000beefu);
    put_code(e, 0x20a, prog, sizeof prog / 2);
    e->arm->r[2] = 0x200;
    e->arm->r[3] = 2;
    step(e, 2);
    ck_assert_uint_eq(e->arm->r[0], 0xfffffff0u);
    ck_assert_uint_eq(e->arm->r[1], 0xbeefu);
    e->arm->r[1] = 0;
    e->arm->r[2] = 0xffffffffu;
    step(e, 1);
    ck_assert_uint_eq(e->arm->r[4], 0x80000000u);   /* ~(0xffffffff >> 1) */
    ck_assert_uint_eq(NZCV(e), PSR_N | PSR_C);      /* carry: the bit shifted out */
    env_free(e);
}
END_TEST

static Suite *thumb2_suite(void)
{
    Suite *s = suite_create("thumb2");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, decode_data_processing);
    tcase_add_test(tc, decode_multiply);
    tcase_add_test(tc, decode_branch_and_control);
    tcase_add_test(tc, decode_load_store);
    tcase_add_test(tc, decode_coprocessor);
    tcase_add_test(tc, decode_t16_additions);
    tcase_add_test(tc, decode_t32_total);
    tcase_add_test(tc, decode_t16_same_as_v5_elsewhere);
    suite_add_tcase(s, tc);
    tc = tcase_create("exec");
    tcase_add_test(tc, exec_modified_immediate_carry);
    tcase_add_test(tc, exec_it_block);
    tcase_add_test(tc, exec_exception_in_it_block_keeps_itstate);
    tcase_add_test(tc, exec_cbz_cbnz);
    tcase_add_test(tc, exec_bl_blx_links);
    tcase_add_test(tc, exec_literal_alignment);
    tcase_add_test(tc, exec_ldrd_strd_any_rt2);
    tcase_add_test(tc, exec_push_pop);
    tcase_add_test(tc, exec_tbb_tbh);
    tcase_add_test(tc, exec_it_block_with_t32);
    tcase_add_test(tc, exec_mov_add_pc_clear_bit0);
    tcase_add_test(tc, disasm_t32);
    tcase_add_test(tc, exec_t32_across_a_page_boundary);
    tcase_add_test(tc, exec_random_t32_single_steps);
    tcase_add_test(tc, exec_bkpt_in_it_block_is_unconditional);
    tcase_add_test(tc, exec_subs_pc_lr_returns);
    tcase_add_test(tc, exec_extra_loads_literal_and_shifted);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(thumb2_suite());
}
