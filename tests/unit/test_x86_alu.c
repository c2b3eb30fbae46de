/* x86 execution: flags of representative ALU operations (all six
 * arithmetic flags exact, lazily computed), shifts, BCD, multiply and
 * divide with #DE through the real-mode IVT, string instructions with REP,
 * and save/load of the CPU state. Each test runs a few instructions ending
 * in HLT in real mode. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "isa-x86/x86.h"
#include "isa-x86/x86_internal.h"
#include "machine/bus.h"
#include "machine/state.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_state.h"

struct rig {
    struct bus bus;
    struct cpu *cpu;
    struct x86_cpu *c;
};

static void rig_init(struct rig *g, const char *model)
{
    struct orr_error err;
    bus_init(&g->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&g->bus, "ram", 0, 1u << 20, &err), 0);
    struct cpu_config cfg = { .bus = &g->bus };
    const struct cpu_model *m = NULL;
    for (size_t i = 0; i < x86_cpu_model_count; i++)
        if (strcmp(x86_cpu_models[i]->name, model) == 0)
            m = x86_cpu_models[i];
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->create(m, &cfg, &g->cpu, &err), 0);
    g->c = (struct x86_cpu *)g->cpu;
    /* Real mode at 0100:0000 (linear 0x1000), stack at 0000:8000. */
    x86_set_seg_real(g->c, SEG_CS, 0x100);
    g->c->eip = 0;
    g->c->gpr[ESP] = 0x8000;
}

static void rig_free(struct rig *g)
{
    g->cpu->ops->destroy(g->cpu);
    bus_destroy(&g->bus);
}

/* Runs code (hex bytes, HLT appended) from 0100:0000 to its HLT. */
static void run(struct rig *g, const char *hex)
{
    uint8_t b[64];
    unsigned n = 0;
    for (const char *p = hex; *p && n < sizeof b - 1;) {
        unsigned v;
        if (*p == ' ') {
            p++;
            continue;
        }
        ck_assert_int_eq(sscanf(p, "%2x", &v), 1);
        b[n++] = (uint8_t)v;
        p += 2;
    }
    b[n++] = 0xf4;
    ck_assert_int_eq(bus_write_block(&g->bus, 0x1000, b, n, false), 0);
    x86_set_seg_real(g->c, SEG_CS, 0x100);
    g->c->eip = 0;
    g->c->halted = false;
    struct cpu_run_result rr = g->cpu->ops->run(g->cpu, 10000);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
}

static uint32_t flags(struct rig *g)
{
    return x86_get_flags(g->c) & FL_ARITH;
}

START_TEST(add_sub_flags)
{
    struct rig g;
    rig_init(&g, "i386");
    run(&g, "b0ff 0401");                 /* mov al,0ffh; add al,1 */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0);
    ck_assert_uint_eq(flags(&g), FL_CF | FL_ZF | FL_AF | FL_PF);
    run(&g, "b07f 0401");                 /* 7f + 1: signed overflow, half carry */
    ck_assert_uint_eq(flags(&g), FL_OF | FL_SF | FL_AF);
    run(&g, "b80080 2d0100");             /* 8000h - 1 = 7fffh: OF, AF */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 0x7fff);
    ck_assert_uint_eq(flags(&g), FL_OF | FL_AF | FL_PF);
    run(&g, "b001 2c02");                 /* 1 - 2 = ffh: CF SF AF PF */
    ck_assert_uint_eq(flags(&g), FL_CF | FL_SF | FL_AF | FL_PF);
    run(&g, "f9 b0fe 1401");              /* stc; fe + 1 + CF = 0: CF ZF AF PF */
    ck_assert_uint_eq(flags(&g), FL_CF | FL_ZF | FL_AF | FL_PF);
    run(&g, "f9 b000 1c00");              /* stc; 0 - 0 - CF = ffh */
    ck_assert_uint_eq(flags(&g), FL_CF | FL_SF | FL_AF | FL_PF);
    run(&g, "66b8ffffffff 6683c001");     /* eax = -1 + 1 (32-bit) */
    ck_assert_uint_eq(g.c->gpr[EAX], 0);
    ck_assert_uint_eq(flags(&g), FL_CF | FL_ZF | FL_AF | FL_PF);
    rig_free(&g);
}
END_TEST

START_TEST(inc_dec_keep_cf_logic_clears)
{
    struct rig g;
    rig_init(&g, "i386");
    run(&g, "f9 b0ff fec0");              /* stc; mov al,ffh; inc al */
    ck_assert_uint_eq(flags(&g), FL_CF | FL_ZF | FL_AF | FL_PF);
    run(&g, "f8 b080 fec8");              /* clc; 80h - 1 = 7fh: OF AF */
    ck_assert_uint_eq(flags(&g), FL_OF | FL_AF);
    run(&g, "f9 b0f0 0c0f");              /* stc; or al,0fh: CF OF cleared */
    ck_assert_uint_eq(flags(&g), FL_SF | FL_PF);
    rig_free(&g);
}
END_TEST

START_TEST(shifts_rotates)
{
    struct rig g;
    rig_init(&g, "i386");
    run(&g, "b081 d0e0");                 /* shl al,1: 81h -> 02h, CF=1, OF=1 */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x02);
    ck_assert_uint_eq(flags(&g) & (FL_CF | FL_OF | FL_ZF | FL_SF), FL_CF | FL_OF);
    run(&g, "b081 d0f8");                 /* sar al,1: c0h, CF=1, OF=0 */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0xc0);
    ck_assert_uint_eq(flags(&g) & (FL_CF | FL_OF | FL_SF), FL_CF | FL_SF);
    run(&g, "f8 b081 d0d0");              /* clc; rcl al,1: 02h, CF=1 */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x02);
    ck_assert_uint_eq(flags(&g) & FL_CF, FL_CF);
    run(&g, "b8 3412 c1c804");            /* ror ax,4: 4123h */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 0x4123);
    run(&g, "b8 0080 b101 d3e8 b100 d3e0");  /* shr ax,1 then a zero-count shift keeps flags */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 0x4000);
    ck_assert_uint_eq(flags(&g) & (FL_OF | FL_CF), FL_OF);
    run(&g, "66b8 78563412 66ba 00000000 660fa4d008");  /* shld eax,edx,8 */
    ck_assert_uint_eq(g.c->gpr[EAX], 0x34567800u);
    rig_free(&g);
}
END_TEST

START_TEST(xadd_same_register)
{
    struct rig g;
    rig_init(&g, "i486");
    run(&g, "66b8 05000000 660fc1c0");        /* xadd eax,eax: the sum, not the old value */
    ck_assert_uint_eq(g.c->gpr[EAX], 10);
    run(&g, "b4 03 0fc0e4");                  /* xadd ah,ah */
    ck_assert_uint_eq((g.c->gpr[EAX] >> 8) & 0xff, 6);
    rig_free(&g);
}
END_TEST

START_TEST(bcd_and_mul)
{
    struct rig g;
    rig_init(&g, "i386");
    run(&g, "b019 0428 27");              /* 19h + 28h = 41h; daa -> 47h */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x47);
    run(&g, "b8 0901 0403 37");           /* aaa: ax=0109h+3 -> 0202h */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 0x0202);
    ck_assert_uint_eq(flags(&g) & (FL_CF | FL_AF), FL_CF | FL_AF);
    run(&g, "b8 0300 b90500 f7e1");       /* mul cx: 15, CF=OF=0 */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 15);
    ck_assert_uint_eq(flags(&g) & (FL_CF | FL_OF), 0);
    run(&g, "b8 0080 b90200 f7e9");       /* imul cx: -32768 * 2 overflows 16 bits */
    ck_assert_uint_eq(g.c->gpr[EDX] & 0xffff, 0xffff);
    ck_assert_uint_eq(flags(&g) & (FL_CF | FL_OF), FL_CF | FL_OF);
    rig_free(&g);
}
END_TEST

START_TEST(divide_error_through_ivt)
{
    struct rig g;
    rig_init(&g, "i386");
    /* IVT[0] -> 0200:0000, which holds HLT. */
    uint8_t ivt[4] = { 0x00, 0x00, 0x00, 0x02 }, hlt = 0xf4;
    ck_assert_int_eq(bus_write_block(&g.bus, 0, ivt, 4, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x2000, &hlt, 1, false), 0);
    run(&g, "31c9 f7f1");                 /* xor cx,cx; div cx */
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x200);
    ck_assert_uint_eq(g.c->eip, 1);
    /* The pushed IP is the faulting DIV (offset 2), then CS 0100. */
    uint8_t stack[4];
    ck_assert_int_eq(bus_read_block(&g.bus, 0x8000 - 6, stack, 4), 0);
    ck_assert_uint_eq(stack[0] | stack[1] << 8, 2);
    ck_assert_uint_eq(stack[2] | stack[3] << 8, 0x100);
    rig_free(&g);
}
END_TEST

START_TEST(rep_movs_and_scas)
{
    struct rig g;
    rig_init(&g, "i386");
    uint8_t src[5] = { 1, 2, 3, 4, 5 };
    ck_assert_int_eq(bus_write_block(&g.bus, 0x3000, src, 5, false), 0);
    /* ds=es=0; si=3000h; di=4000h; cx=5; cld; rep movsb */
    run(&g, "31c0 8ed8 8ec0 be0030 bf0040 b90500 fc f3a4");
    uint8_t dst[5];
    ck_assert_int_eq(bus_read_block(&g.bus, 0x4000, dst, 5), 0);
    ck_assert_mem_eq(dst, src, 5);
    ck_assert_uint_eq(g.c->gpr[ECX] & 0xffff, 0);
    ck_assert_uint_eq(g.c->gpr[EDI] & 0xffff, 0x4005);
    /* repne scasb for 3: stops after the third byte with ZF set. */
    run(&g, "bf0040 b90500 b003 f2ae");
    ck_assert_uint_eq(g.c->gpr[ECX] & 0xffff, 2);
    ck_assert_uint_eq(flags(&g) & FL_ZF, FL_ZF);
    rig_free(&g);
}
END_TEST

START_TEST(cpuid_by_model)
{
    struct rig g;
    rig_init(&g, "i386");
    /* #UD on the i386: IVT[6] -> 0200:0000 (HLT). */
    uint8_t ivt6[4] = { 0x00, 0x00, 0x00, 0x02 }, hlt = 0xf4;
    ck_assert_int_eq(bus_write_block(&g.bus, 6 * 4, ivt6, 4, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x2000, &hlt, 1, false), 0);
    run(&g, "0fa2");
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x200);
    rig_free(&g);
    rig_init(&g, "pentium-pro");
    run(&g, "66b8 01000000 0fa2");
    ck_assert_uint_eq((g.c->gpr[EAX] >> 8) & 0xf, 6);
    ck_assert(g.c->gpr[EDX] & (1u << 15));   /* CMOV */
    ck_assert(g.c->gpr[EDX] & (1u << 8));    /* CX8 */
    ck_assert(g.c->gpr[EDX] & 1u);           /* the x87 on chip */
    rig_free(&g);
}
END_TEST

START_TEST(x87_escapes)
{
    struct rig g;
    rig_init(&g, "pentium-pro");
    /* ds=0; fninit; fld1; fadd st0,st0; fistp word [3000h]; fldpi;
     * fld1; fcomip st0,st1 (1 < pi: CF=1); fnstsw ax */
    run(&g, "31c0 8ed8 dbe3 d9e8 d8c0 df1e0030 d9eb d9e8 dff1 dfe0");
    uint8_t w[2];
    ck_assert_int_eq(bus_read_block(&g.bus, 0x3000, w, 2), 0);
    ck_assert_uint_eq(w[0] | w[1] << 8, 2);
    ck_assert_uint_eq(flags(&g) & (FL_CF | FL_ZF), FL_CF);
    ck_assert_uint_eq((g.c->gpr[EAX] >> 11) & 7, 7);     /* TOP after one push left */
    rig_free(&g);
    /* FCOMI is #UD before the P6; with CR0.EM every escape is #NM. */
    rig_init(&g, "pentium");
    uint8_t ivt[8] = { 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x10, 0x02 }, hlt = 0xf4;
    ck_assert_int_eq(bus_write_block(&g.bus, 6 * 4, ivt, 8, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x2000, &hlt, 1, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x2100, &hlt, 1, false), 0);
    run(&g, "dbe3 d9e8 d9e8 dff1");
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x200);      /* #UD handler */
    g.c->cr0 |= CR0_EM;
    run(&g, "d9e8");
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x210);      /* #NM handler */
    rig_free(&g);
}
END_TEST

static int ack_vector(void *opaque)
{
    int *calls = opaque;
    (*calls)++;
    return 0x20;
}

static void ferr_sink(void *opaque, unsigned input, bool level)
{
    *(int *)opaque = level;
}

START_TEST(ferr_output)
{
    struct rig g;
    rig_init(&g, "i486");
    int level = -1;
    struct irq_line *ferr = g.cpu->ops->irq_output(g.cpu, X86_IRQ_OUT_FERR);
    ck_assert_ptr_nonnull(ferr);
    irq_connect(ferr, ferr_sink, &level, 13);
    /* CR0.NE = 0; fninit; unmask ZE (fldcw [3000h] = 037bh); fld1; fldz;
     * fdivp: an unmasked divide by zero is now pending: FERR# rises. */
    uint8_t cw[2] = { 0x7b, 0x03 };
    ck_assert_int_eq(bus_write_block(&g.bus, 0x3000, cw, 2, false), 0);
    g.c->cr0 &= ~CR0_NE;
    run(&g, "31c0 8ed8 dbe3 d92e0030 d9e8 d9ee def9");
    ck_assert_int_eq(level, 1);
    run(&g, "dbe2");                          /* fnclex */
    ck_assert_int_eq(level, 0);
    rig_free(&g);
}
END_TEST

START_TEST(external_interrupts)
{
    struct rig g;
    rig_init(&g, "i386");
    int calls = 0;
    x86_set_intack(g.cpu, ack_vector, &calls);
    /* IVT[20h] -> 0300:0000 (HLT), IVT[2] (NMI) -> 0310:0000 (HLT). */
    uint8_t v20[4] = { 0x00, 0x00, 0x00, 0x03 }, v2[4] = { 0x00, 0x00, 0x10, 0x03 }, hlt = 0xf4;
    ck_assert_int_eq(bus_write_block(&g.bus, 0x20 * 4, v20, 4, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 2 * 4, v2, 4, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x3000, &hlt, 1, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x3100, &hlt, 1, false), 0);
    /* HLT with IF = 0: INTR does not wake it. */
    run(&g, "fa");
    g.cpu->ops->set_irq(g.cpu, X86_IRQ_INTR, true);
    ck_assert_int_eq(g.cpu->ops->run(g.cpu, 100).reason, CPU_STOP_IDLE);
    ck_assert_int_eq(calls, 0);
    /* STI: the instruction after it still runs before the interrupt. */
    g.cpu->ops->set_irq(g.cpu, X86_IRQ_INTR, false);
    run(&g, "fb 40");                         /* sti; inc ax; hlt */
    g.cpu->ops->set_irq(g.cpu, X86_IRQ_INTR, true);
    ck_assert_int_eq(g.cpu->ops->run(g.cpu, 100).reason, CPU_STOP_IDLE);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x300);
    ck_assert(!(g.c->eflags & FL_IF));        /* cleared by the interrupt */
    /* NMI is taken whatever IF says. */
    g.cpu->ops->set_irq(g.cpu, X86_IRQ_INTR, false);
    g.cpu->ops->set_irq(g.cpu, X86_IRQ_NMI, true);
    ck_assert_int_eq(g.cpu->ops->run(g.cpu, 100).reason, CPU_STOP_IDLE);
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x310);
    rig_free(&g);
}
END_TEST

START_TEST(sti_shadow)
{
    struct rig g;
    rig_init(&g, "i386");
    int calls = 0;
    x86_set_intack(g.cpu, ack_vector, &calls);
    uint8_t v20[4] = { 0x00, 0x00, 0x00, 0x03 }, hlt = 0xf4;
    ck_assert_int_eq(bus_write_block(&g.bus, 0x20 * 4, v20, 4, false), 0);
    ck_assert_int_eq(bus_write_block(&g.bus, 0x3000, &hlt, 1, false), 0);
    g.c->gpr[EAX] = 0;
    g.cpu->ops->set_irq(g.cpu, X86_IRQ_INTR, true);
    /* cli; sti; inc ax; inc ax: the interrupt comes after the first INC. */
    uint8_t prog[] = { 0xfa, 0xfb, 0x40, 0x40, 0xf4 };
    ck_assert_int_eq(bus_write_block(&g.bus, 0x1000, prog, sizeof prog, false), 0);
    ck_assert_int_eq(g.cpu->ops->run(g.cpu, 100).reason, CPU_STOP_IDLE);
    ck_assert_int_eq(calls, 1);
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xffff, 1);
    ck_assert_uint_eq(g.c->seg[SEG_CS].sel, 0x300);
    /* The pushed return address is the second INC (offset 3). */
    uint8_t ret[2];
    ck_assert_int_eq(bus_read_block(&g.bus, 0x8000 - 6, ret, 2), 0);
    ck_assert_uint_eq(ret[0] | ret[1] << 8, 3);
    rig_free(&g);
}
END_TEST

START_TEST(save_load_round_trip)
{
    struct rig g, h;
    rig_init(&g, "pentium");
    run(&g, "66b8 78563412 bb3412 8ec3 b07f 0401");
    rig_init(&h, "pentium");
    unit_cpu_state_copy(g.cpu, h.cpu);
    for (unsigned i = 0; i < g.cpu->nregs; i++)
        ck_assert_uint_eq(g.cpu->ops->reg_get(g.cpu, i), h.cpu->ops->reg_get(h.cpu, i));
    ck_assert_uint_eq(h.c->seg[SEG_ES].base, 0x12340);
    rig_free(&g);
    rig_free(&h);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("x86_alu");
    TCase *tc = tcase_create("exec");
    tcase_add_test(tc, add_sub_flags);
    tcase_add_test(tc, inc_dec_keep_cf_logic_clears);
    tcase_add_test(tc, shifts_rotates);
    tcase_add_test(tc, xadd_same_register);
    tcase_add_test(tc, bcd_and_mul);
    tcase_add_test(tc, divide_error_through_ivt);
    tcase_add_test(tc, rep_movs_and_scas);
    tcase_add_test(tc, cpuid_by_model);
    tcase_add_test(tc, x87_escapes);
    tcase_add_test(tc, ferr_output);
    tcase_add_test(tc, external_interrupts);
    tcase_add_test(tc, sti_shadow);
    tcase_add_test(tc, save_load_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
