/* ARM and Thumb decoder: representative encodings map to the right
 * executor with the right operands; undefined and version-gated encodings
 * map to the undefined-instruction trap. */
#include <check.h>
#include <stdlib.h>

#include "isa-arm/arm_internal.h"
#include "tests/unit/unit.h"

static struct arm_rec dec(enum arm_arch arch, uint32_t insn)
{
    struct arm_rec r;
    arm_decode(arch, insn, &r);
    return r;
}

static struct arm_rec tdec(enum arm_arch arch, uint32_t insn)
{
    struct arm_rec r;
    thumb_decode(arch, insn, false, &r);
    return r;
}

START_TEST(data_processing)
{
    /* adds r1, r2, r3, lsl #4 */
    struct arm_rec r = dec(ARM_V4T, 0xe0921203);
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0x4);
    ck_assert_uint_eq(r.rd, 1);
    ck_assert_uint_eq(r.rn, 2);
    ck_assert_uint_eq(r.rm, 3);
    ck_assert_uint_eq(r.imm, 4);
    ck_assert(r.flags & RF_S);
    ck_assert(!(r.flags & (RF_IMM | RF_REGSH)));
    /* mov r0, #0xff000000 (0xff ror 8) */
    r = dec(ARM_V4T, 0xe3a004ff);
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert(r.flags & RF_IMM);
    ck_assert_uint_eq(r.imm, 0xff000000u);
    /* orrne r4, r5, r6, ror r7 */
    r = dec(ARM_V4T, 0x11854776);
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert(r.flags & RF_REGSH);
    ck_assert_uint_eq(r.rs, 7);
    ck_assert_uint_eq(r.shift, 3);
    ck_assert_uint_eq(arm_rec_cond(&r), 1);
}
END_TEST

START_TEST(multiply_and_swap_precede_data_processing)
{
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe0010392).fn, arm_exec_mul);    /* mul r1, r2, r3 */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe0c10392).fn, arm_exec_mull);   /* smull r0, r1, r2, r3 */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe1020091).fn, arm_exec_swp);    /* swp r0, r1, [r2] */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe1d200b4).fn, arm_exec_ldrh_strh); /* ldrh r0, [r2, #4] */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe12fff1e).fn, arm_exec_bx);     /* bx lr */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe10f0000).fn, arm_exec_mrs);    /* mrs r0, cpsr */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe321f0d2).fn, arm_exec_msr);    /* msr cpsr_c, #0xd2 */
}
END_TEST

START_TEST(loads_stores_branches)
{
    struct arm_rec r = dec(ARM_V4T, 0xe5bd1004);   /* ldr r1, [sp, #4]! */
    ck_assert_ptr_eq(r.fn, arm_exec_ldr_str);
    ck_assert_uint_eq(r.flags & (RF_P | RF_U | RF_W | RF_L | RF_IMM),
                      RF_P | RF_U | RF_W | RF_L | RF_IMM);
    ck_assert_uint_eq(r.imm, 4);
    r = dec(ARM_V4T, 0xe4e10001);                  /* strbt r0, [r1], #1 */
    ck_assert(r.flags & RF_T);
    r = dec(ARM_V4T, 0xe8bd8ff0);                  /* pop {r4-r11, pc} */
    ck_assert_ptr_eq(r.fn, arm_exec_ldm_stm);
    ck_assert_uint_eq(r.imm, 0x8ff0);
    r = dec(ARM_V4T, 0xebfffffe);                  /* bl . */
    ck_assert_ptr_eq(r.fn, arm_exec_b);
    ck_assert_uint_eq(r.op, 1);
    ck_assert_uint_eq(r.imm, (uint32_t)-8);
    ck_assert_ptr_eq(dec(ARM_V4T, 0xef123456).fn, arm_exec_swi);
}
END_TEST

START_TEST(undefined_and_version_gated)
{
    ck_assert_ptr_eq(dec(ARM_V4T, 0xe7f000f0).fn, arm_exec_undefined);  /* udf space */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xee000a10).fn, arm_exec_undefined);  /* mcr p10: no cp */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xed900a00).fn, arm_exec_undefined);  /* ldc p10 */
    ck_assert_ptr_eq(dec(ARM_V4T, 0xee010f10).fn, arm_exec_undefined);  /* mcr p15 on v4 */
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xee010f10).fn, arm_exec_cp15);      /* mcr p15 on v5 */
    /* clz, qadd, smulbb, bkpt, blx: ARMv5 only */
    static const uint32_t v5[] = { 0xe16f0f11, 0xe1020051, 0xe1600281, 0xe1200070, 0xe12fff33 };
    for (unsigned i = 0; i < 5; i++) {
        ck_assert_ptr_eq(dec(ARM_V4T, v5[i]).fn, arm_exec_undefined);
        ck_assert_ptr_ne(dec(ARM_V5TE, v5[i]).fn, arm_exec_undefined);
    }
    /* ldrd with an odd register is UNDEFINED even on v5 */
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xe1c010d0).fn, arm_exec_undefined);
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xe1c020d0).fn, arm_exec_ldrh_strh);
    /* cond NV: never executes on v4, BLX imm on v5 */
    { struct arm_rec nv = dec(ARM_V4T, 0xfa000000); ck_assert_uint_eq(arm_rec_cond(&nv), 15); }
    ck_assert_ptr_eq(dec(ARM_V5TE, 0xfa000000).fn, arm_exec_blx_imm);
}
END_TEST

START_TEST(thumb)
{
    struct arm_rec r = tdec(ARM_V4T, 0x1889);     /* adds r1, r1, r2 */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0x4);
    ck_assert_uint_eq(r.rm, 2);
    r = tdec(ARM_V4T, 0x0081);                     /* lsls r1, r0, #2 */
    ck_assert_ptr_eq(r.fn, arm_exec_dp);
    ck_assert_uint_eq(r.op, 0xd);
    ck_assert_uint_eq(r.imm, 2);
    r = tdec(ARM_V4T, 0x4a01);                     /* ldr r2, [pc, #4] */
    ck_assert_ptr_eq(r.fn, arm_exec_ldr_str);
    ck_assert_uint_eq(r.op, 2);
    ck_assert_uint_eq(r.imm, 4);
    r = tdec(ARM_V4T, 0xd0fe);                     /* beq . */
    ck_assert_ptr_eq(r.fn, arm_exec_b);
    ck_assert_uint_eq(arm_rec_cond(&r), 0);
    ck_assert_uint_eq(r.imm, (uint32_t)-4);
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xb510).fn, arm_exec_ldm_stm);   /* push {r4, lr} */
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xf000).fn, thumb_exec_bl_prefix);
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xf800).fn, thumb_exec_bl_suffix);
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xdfab).fn, arm_exec_swi);
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xde00).fn, arm_exec_undefined);
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xbe00).fn, arm_exec_undefined);  /* bkpt: v5 */
    ck_assert_ptr_eq(tdec(ARM_V5TE, 0xbe00).fn, arm_exec_bkpt);
    ck_assert_ptr_eq(tdec(ARM_V4T, 0xe800).fn, arm_exec_undefined);  /* blx suffix: v5 */
    ck_assert_ptr_eq(tdec(ARM_V4T, 0x4788).fn, arm_exec_undefined);  /* blx r1: v5 */
    ck_assert_ptr_eq(tdec(ARM_V5TE, 0x4788).fn, arm_exec_bx);
}
END_TEST

START_TEST(condition_table_matches_reference)
{
    for (unsigned cond = 0; cond < 16; cond++)
        for (uint32_t f = 0; f < 16; f++)
            ck_assert_int_eq(arm_cond_passed(f << 28, cond), arm_cond_eval(f << 28, cond));
    ck_assert(arm_cond_passed(PSR_Z, 0x0));          /* EQ */
    ck_assert(!arm_cond_passed(PSR_N, 0xa));         /* GE with N != V */
    ck_assert(arm_cond_passed(PSR_N | PSR_V, 0xc));  /* GT */
}
END_TEST

static Suite *decode_suite(void)
{
    Suite *s = suite_create("arm_decode");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, data_processing);
    tcase_add_test(tc, multiply_and_swap_precede_data_processing);
    tcase_add_test(tc, loads_stores_branches);
    tcase_add_test(tc, undefined_and_version_gated);
    tcase_add_test(tc, thumb);
    tcase_add_test(tc, condition_table_matches_reference);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(decode_suite());
}
