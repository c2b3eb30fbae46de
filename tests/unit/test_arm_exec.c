/* ARM core execution: small hand-assembled programs in RAM on a private bus
 * (flags, modes and banking, exceptions, semihosting, self-modifying code,
 * Thumb, two independent CPUs, save/load). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/host.h"
#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "machine/bus.h"
#include "machine/state.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_state.h"

#define RAM_SIZE 0x10000u

struct env {
    struct bus bus;
    struct cpu *cpu;
    struct arm_cpu *arm;
    struct host_io host;
    char out[256];
    size_t outlen;
};

static void capture(void *opaque, const uint8_t *buf, size_t len)
{
    struct env *e = opaque;
    for (size_t i = 0; i < len && e->outlen + 1 < sizeof e->out; i++)
        e->out[e->outlen++] = (char)buf[i];
}

static struct env *env_new(const char *model)
{
    struct env *e = calloc(1, sizeof *e);
    struct orr_error err;
    ck_assert_ptr_nonnull(e);
    bus_init(&e->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&e->bus, "ram", 0, RAM_SIZE, &err), 0);
    e->host = (struct host_io){ .opaque = e, .console_write = capture };
    const struct cpu_model *m = NULL;
    for (size_t i = 0; i < arm_cpu_model_count; i++)
        if (strcmp(arm_cpu_models[i]->name, model) == 0)
            m = arm_cpu_models[i];
    ck_assert_ptr_nonnull(m);
    struct cpu_config cfg = { .bus = &e->bus, .host = &e->host, .semihosting = true,
                              .ram_base = 0, .ram_size = RAM_SIZE };
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

static void load_words(struct env *e, uint32_t addr, const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(bus_write(&e->bus, addr + 4 * i, 4, w[i]), 0);
}

static uint32_t reg(struct env *e, const char *name)
{
    int i = cpu_reg_find(e->cpu, name);
    ck_assert_int_ge(i, 0);
    return (uint32_t)e->cpu->ops->reg_get(e->cpu, (unsigned)i);
}

START_TEST(reset_state)
{
    struct env *e = env_new("arm7tdmi");
    ck_assert_uint_eq(reg(e, "cpsr"), 0xd3);   /* SVC, I and F set, ARM */
    ck_assert_uint_eq(reg(e, "pc"), 0);
    env_free(e);
}
END_TEST

START_TEST(flags)
{
    struct env *e = env_new("arm7tdmi");
    static const uint32_t prog[] = {
        0xe3e00000, /* mvn r0, #0          */
        0xe2901001, /* adds r1, r0, #1     -> 0, Z C        */
        0xe3a02102, /* mov r2, #0x80000000 */
        0xe2523001, /* subs r3, r2, #1     -> 0x7fffffff, C V */
        0xe1b04062, /* rrxs r4, r2         -> 0x40000000 + C in bit 31 */
        0xe3a05001, /* mov r5, #1          */
        0xe3a06021, /* mov r6, #33         */
        0xe1b07615, /* lsls r7, r5, r6     -> 0, C = 0, Z */
    };
    load_words(e, 0, prog, 4);
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 2);
    ck_assert_uint_eq(rr.executed, 2);
    ck_assert_uint_eq(reg(e, "r1"), 0);
    ck_assert_uint_eq(reg(e, "cpsr") & 0xf0000000u, PSR_Z | PSR_C);
    load_words(e, 0, prog, 8);
    e->cpu->ops->reset(e->cpu);
    rr = e->cpu->ops->run(e->cpu, 4);
    ck_assert_uint_eq(reg(e, "r3"), 0x7fffffffu);
    ck_assert_uint_eq(reg(e, "cpsr") & 0xf0000000u, PSR_C | PSR_V);
    rr = e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(reg(e, "r4"), 0xc0000000u);   /* carry in, bit 0 out (0) */
    ck_assert_uint_eq(reg(e, "cpsr") & 0xf0000000u, PSR_N | PSR_V);   /* V untouched */
    rr = e->cpu->ops->run(e->cpu, 3);
    ck_assert_uint_eq(reg(e, "r7"), 0);
    ck_assert_uint_eq(reg(e, "cpsr") & 0xf0000000u, PSR_Z | PSR_V);
    env_free(e);
}
END_TEST

START_TEST(modes_and_banking)
{
    struct env *e = env_new("arm7tdmi");
    static const uint32_t prog[] = {
        0xe3a0da01, /* mov sp, #0x1000     (SVC) */
        0xe321f0d2, /* msr cpsr_c, #0xd2   -> IRQ */
        0xe3a0da02, /* mov sp, #0x2000     (IRQ) */
        0xe321f0d1, /* msr cpsr_c, #0xd1   -> FIQ */
        0xe3a08005, /* mov r8, #5          (FIQ r8) */
        0xe321f0d3, /* msr cpsr_c, #0xd3   -> SVC */
    };
    load_words(e, 0, prog, 6);
    e->cpu->ops->reg_set(e->cpu, 8, 7) == 0 ? (void)0 : ck_abort();
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 6);
    ck_assert_uint_eq(rr.executed, 6);
    ck_assert_uint_eq(reg(e, "sp"), 0x1000);
    ck_assert_uint_eq(reg(e, "sp_irq"), 0x2000);
    ck_assert_uint_eq(reg(e, "sp_svc"), 0x1000);
    ck_assert_uint_eq(reg(e, "r8"), 7);
    ck_assert_uint_eq(reg(e, "r8_fiq"), 5);
    ck_assert_uint_eq(reg(e, "cpsr") & 0x1f, MODE_SVC);
    env_free(e);
}
END_TEST

START_TEST(undefined_and_irq_exceptions)
{
    struct env *e = env_new("arm7tdmi");
    static const uint32_t vectors[] = {
        0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, /* b . at every vector */
        0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe,
    };
    load_words(e, 0, vectors, 8);
    static const uint32_t prog[] = {
        0xe321f013, /* msr cpsr_c, #0x13: SVC, interrupts enabled */
        0xee000a10, /* mcr p10 (no coprocessor): UND */
    };
    load_words(e, 0x100, prog, 2);
    e->cpu->ops->set_entry(e->cpu, 0x100);
    e->cpu->ops->run(e->cpu, 2);
    ck_assert_uint_eq(reg(e, "pc"), 0x04);
    ck_assert_uint_eq(reg(e, "cpsr") & 0xff, 0x80 | MODE_UND);
    ck_assert_uint_eq(reg(e, "lr_und"), 0x108);
    ck_assert_uint_eq(reg(e, "spsr_und"), 0x13);
    /* IRQ is masked in UND (I set): nothing happens. */
    e->cpu->ops->set_irq(e->cpu, 0, true);
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(reg(e, "pc"), 0x04);
    /* Return with movs pc, lr (SPSR -> CPSR): the IRQ is then taken. */
    static const uint32_t ret[] = { 0xe1b0f00e };
    load_words(e, 0x04, ret, 1);
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(reg(e, "pc"), 0x108);
    e->cpu->ops->run(e->cpu, 1);   /* the IRQ entry, then b . at 0x18 */
    ck_assert_uint_eq(reg(e, "pc"), 0x18);
    ck_assert_uint_eq(reg(e, "cpsr") & 0x1f, MODE_IRQ);
    ck_assert_uint_eq(reg(e, "lr_irq"), 0x10c);
    env_free(e);
}
END_TEST

START_TEST(semihosting_write_and_exit)
{
    struct env *e = env_new("arm926ej-s");
    static const uint32_t prog[] = {
        0xe3a00004, /* mov r0, #4  (SYS_WRITE0) */
        0xe3a01c01, /* mov r1, #0x100 */
        0xef123456, /* svc 0x123456 */
        0xe3a00018, /* mov r0, #0x18 (SYS_EXIT) */
        0xe3a01802, /* mov r1, #0x20000 */
        0xe3811026, /* orr r1, r1, #0x26: ADP_Stopped_ApplicationExit */
        0xef123456, /* svc 0x123456 */
    };
    load_words(e, 0, prog, 7);
    ck_assert_int_eq(bus_write_block(&e->bus, 0x100, "hi\n", 4, false), 0);
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 100);
    ck_assert_int_eq(rr.reason, CPU_STOP_EXIT);
    ck_assert_int_eq(e->cpu->exit_code, 0);
    ck_assert_uint_eq(rr.executed, 7);
    ck_assert_str_eq(e->out, "hi\n");
    /* Any other reason exits with status 1. */
    e->cpu->ops->reset(e->cpu);
    static const uint32_t fail[] = { 0xe3a01000 /* mov r1, #0 */ };
    load_words(e, 0x14, fail, 1);
    rr = e->cpu->ops->run(e->cpu, 100);
    ck_assert_int_eq(rr.reason, CPU_STOP_EXIT);
    ck_assert_int_eq(e->cpu->exit_code, 1);
    /* A bad pointer returns -1 rather than faulting the host. */
    e->cpu->ops->reset(e->cpu);
    static const uint32_t bad[] = {
        0xe3a00005, /* mov r0, #5 (SYS_WRITE) */
        0xe3e01000, /* mvn r1, #0: block at 0xffffffff */
        0xef123456,
    };
    load_words(e, 0, bad, 3);
    rr = e->cpu->ops->run(e->cpu, 3);
    ck_assert_uint_eq(reg(e, "r0"), 0xffffffffu);
    env_free(e);
}
END_TEST

START_TEST(self_modifying_code)
{
    struct env *e = env_new("arm7tdmi");
    static const uint32_t prog[] = {
        0xe3a00001, /* 0x100: mov r0, #1 */
        0xe5843000, /* 0x104: str r3, [r4] */
        0xeafffffc, /* 0x108: b 0x100 */
    };
    load_words(e, 0x100, prog, 3);
    ck_assert_int_eq(e->cpu->ops->reg_set(e->cpu, 3, 0xe3a00002), 0);  /* mov r0, #2 */
    ck_assert_int_eq(e->cpu->ops->reg_set(e->cpu, 4, 0x100), 0);
    e->cpu->ops->set_entry(e->cpu, 0x100);
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(reg(e, "r0"), 1);
    e->cpu->ops->run(e->cpu, 3);   /* store over decoded code, branch back, rerun */
    ck_assert_uint_eq(reg(e, "r0"), 2);
    ck_assert_uint_eq(reg(e, "pc"), 0x104);
    env_free(e);
}
END_TEST

/* A store over the very next instruction, in straight-line code of the same
 * decoded page, is seen by the fetch of that instruction (the record chain
 * is broken by the invalidation); and code written by a block write (the
 * DMA and loader path) replaces decoded code too. */
START_TEST(self_modifying_next_instruction_and_dma)
{
    static const char *const models[] = { "arm926ej-s", "cortex-a15" };
    for (size_t m = 0; m < 2; m++) {
        struct env *e = env_new(models[m]);
        static const uint32_t prog[] = {
            0xe3a00000, /* 0x100: mov r0, #0 */
            0xe5843000, /* 0x104: str r3, [r4] */
            0xe3a00001, /* 0x108: mov r0, #1 (replaced by mov r0, #2) */
            0xe2800010, /* 0x10c: add r0, r0, #16 */
            0xeafffffa, /* 0x110: b 0x100 */
        };
        load_words(e, 0x100, prog, 5);
        ck_assert_int_eq(e->cpu->ops->reg_set(e->cpu, 3, 0xe3a00002), 0);
        ck_assert_int_eq(e->cpu->ops->reg_set(e->cpu, 4, 0x108), 0);
        e->cpu->ops->set_entry(e->cpu, 0x100);
        e->cpu->ops->run(e->cpu, 4);
        ck_assert_uint_eq(reg(e, "r0"), 18);
        /* Block write over the decoded add: the next pass adds 32. */
        static const uint8_t add32[4] = { 0x20, 0x00, 0x80, 0xe2 };  /* add r0, r0, #32 */
        ck_assert_int_eq(bus_write_block(&e->bus, 0x10c, add32, 4, false), 0);
        e->cpu->ops->run(e->cpu, 5);
        ck_assert_uint_eq(reg(e, "r0"), 34);
        ck_assert_uint_eq(reg(e, "pc"), 0x110);
        env_free(e);
    }
}
END_TEST

START_TEST(thumb_program)
{
    struct env *e = env_new("arm7tdmi");
    static const uint16_t prog[] = {
        0x2005, /* movs r0, #5 */
        0x3003, /* adds r0, #3 */
        0x0081, /* lsls r1, r0, #2 */
        0xf000, 0xf802, /* bl +4 (to 0x20e) */
        0x2018, /* 0x20a: movs r0, #0x18 */
        0xe7fe, /* b . (never reached) */
        0x1c4a, /* 0x20e: adds r2, r1, #1 */
        0x4770, /* bx lr */
    };
    for (size_t i = 0; i < sizeof prog / 2; i++)
        ck_assert_int_eq(bus_write(&e->bus, 0x200 + 2 * i, 2, prog[i]), 0);
    e->cpu->ops->set_entry(e->cpu, 0x201);
    e->cpu->ops->run(e->cpu, 7);
    ck_assert_uint_eq(reg(e, "r1"), 32);
    ck_assert_uint_eq(reg(e, "r2"), 33);
    ck_assert_uint_eq(reg(e, "lr"), 0x20b);
    ck_assert_uint_eq(reg(e, "pc"), 0x20a);
    ck_assert(reg(e, "cpsr") & PSR_T);
    char buf[64];
    ck_assert_int_eq(e->cpu->ops->disasm(e->cpu, 0x20a, buf, sizeof buf), 2);
    ck_assert_ptr_nonnull(strstr(buf, "mov"));
    env_free(e);
}
END_TEST

START_TEST(two_cpus_independent)
{
    struct env *a = env_new("arm7tdmi"), *b = env_new("arm926ej-s");
    static const uint32_t pa[] = { 0xe2800001, 0xeafffffd };   /* add r0, #1; b . -4 */
    static const uint32_t pb[] = { 0xe2811002, 0xeafffffd };   /* add r1, #2; b . -4 */
    load_words(a, 0, pa, 2);
    load_words(b, 0, pb, 2);
    for (int i = 0; i < 10; i++) {
        a->cpu->ops->run(a->cpu, 2);
        b->cpu->ops->run(b->cpu, 4);
    }
    ck_assert_uint_eq(reg(a, "r0"), 10);
    ck_assert_uint_eq(reg(a, "r1"), 0);
    ck_assert_uint_eq(reg(b, "r1"), 40);
    ck_assert_uint_eq(reg(b, "r0"), 0);
    env_free(a);
    env_free(b);
}
END_TEST

START_TEST(save_load_round_trip)
{
    struct env *a = env_new("arm926ej-s"), *b = env_new("arm926ej-s");
    static const uint32_t prog[] = {
        0xe321f0d1, /* msr cpsr_c, #0xd1 (FIQ) */
        0xe3a08011, /* mov r8, #0x11 */
        0xe3a0d0ff, /* mov sp, #0xff */
        0xe321f0d3, /* back to SVC */
        0xe2800003, /* add r0, r0, #3 */
        0xeafffffd, /* b . -4 */
    };
    load_words(a, 0, prog, 6);
    load_words(b, 0, prog, 6);
    a->cpu->ops->run(a->cpu, 9);
    a->cpu->ops->set_irq(a->cpu, 0, true);   /* pending, masked by I */
    unit_cpu_state_copy(a->cpu, b->cpu);
    for (unsigned i = 0; i < a->cpu->nregs; i++)
        ck_assert_uint_eq(a->cpu->ops->reg_get(a->cpu, i), b->cpu->ops->reg_get(b->cpu, i));
    ck_assert_uint_eq(reg(b, "r8_fiq"), 0x11);
    /* Unmask IRQ on both: only a restored line level makes b take it too. */
    ck_assert_int_eq(a->cpu->ops->reg_set(a->cpu, 16, 0x13), 0);
    ck_assert_int_eq(b->cpu->ops->reg_set(b->cpu, 16, 0x13), 0);
    a->cpu->ops->run(a->cpu, 5);
    b->cpu->ops->run(b->cpu, 5);
    for (unsigned i = 0; i < a->cpu->nregs; i++)
        ck_assert_uint_eq(a->cpu->ops->reg_get(a->cpu, i), b->cpu->ops->reg_get(b->cpu, i));
    ck_assert_uint_eq(reg(b, "cpsr") & 0x1f, MODE_IRQ);
    env_free(a);
    env_free(b);
}
END_TEST

START_TEST(prefetch_abort_and_double_fault)
{
    struct env *e = env_new("arm926ej-s");
    static const uint32_t vec[] = { 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe };
    load_words(e, 0, vec, 4);
    e->cpu->ops->set_entry(e->cpu, 0x40000000);   /* unmapped */
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(reg(e, "cpsr") & 0x1f, MODE_ABT);
    ck_assert_uint_eq(reg(e, "lr_abt"), 0x40000004);
    ck_assert_uint_eq(reg(e, "pc"), 0x0c);
    /* High vectors (SCTLR.V) at an unmapped address: a fatal stop, not a hang. */
    static const uint32_t prog[] = {
        0xe3a00a02, /* mov r0, #0x2000 (V) */
        0xe3800078, /* orr r0, r0, #0x78 */
        0xee010f10, /* mcr p15, 0, r0, c1, c0, 0 */
        0xe7f000f0, /* undefined: vector 0xffff0004 */
    };
    load_words(e, 0x100, prog, 4);
    e->cpu->ops->set_entry(e->cpu, 0x100);
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 100);
    ck_assert_int_eq(rr.reason, CPU_STOP_FATAL);
    ck_assert_uint_eq(reg(e, "lr_und"), 0x110);
    env_free(e);
}
END_TEST

START_TEST(wait_for_interrupt)
{
    struct env *e = env_new("arm926ej-s");
    static const uint32_t prog[] = {
        0xee070f90, /* mcr p15, 0, r0, c7, c0, 4: wait for interrupt */
        0xe3a00007, /* mov r0, #7 */
    };
    load_words(e, 0x100, prog, 2);
    e->cpu->ops->set_entry(e->cpu, 0x100);
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 10);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
    ck_assert_uint_eq(rr.executed, 1);
    ck_assert_uint_eq(reg(e, "pc"), 0x104);
    /* Still waiting: no interrupt has arrived. */
    rr = e->cpu->ops->run(e->cpu, 10);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
    ck_assert_uint_eq(rr.executed, 0);
    /* A masked IRQ (reset state has I set) still ends the wait; no
     * exception is taken and execution continues after the WFI. */
    e->cpu->ops->set_irq(e->cpu, 0, true);
    rr = e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(rr.executed, 1);
    ck_assert_uint_eq(reg(e, "r0"), 7);
    /* With the line already asserted, WFI completes at once. */
    e->cpu->ops->set_entry(e->cpu, 0x100);
    rr = e->cpu->ops->run(e->cpu, 2);
    ck_assert_int_eq(rr.reason, CPU_STOP_BUDGET);
    ck_assert_uint_eq(rr.executed, 2);
    /* On the arm7tdmi the same encoding has no coprocessor: UND. */
    struct env *o = env_new("arm7tdmi");
    load_words(o, 0x100, prog, 2);
    o->cpu->ops->set_entry(o->cpu, 0x100);
    o->cpu->ops->run(o->cpu, 1);
    ck_assert_uint_eq(reg(o, "cpsr") & 0x1f, MODE_UND);
    env_free(o);
    env_free(e);
}
END_TEST

static void put_block(struct env *e, uint32_t addr, const void *p, size_t n)
{
    ck_assert_int_eq(bus_write_block(&e->bus, addr, p, n, false), 0);
}

START_TEST(semihosting_console_files_and_data_abort)
{
    struct env *e = env_new("arm926ej-s");
    static const uint32_t vec[] = { 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe };
    load_words(e, 0, vec, 5);
    static const uint32_t prog[] = {
        0xe3a00001, /* mov r0, #1 (SYS_OPEN) */
        0xe3a01c02, /* mov r1, #0x200: {":tt", mode 4 (w), 3} */
        0xef123456,
        0xe3a02e21, /* mov r2, #0x210 */
        0xe5820000, /* str r0, [r2]: handle into the SYS_WRITE block */
        0xe3a00005, /* mov r0, #5 (SYS_WRITE) */
        0xe1a01002, /* mov r1, r2 */
        0xef123456,
        0xe1a07000, /* mov r7, r0 */
        0xe3a00016, /* mov r0, #0x16 (SYS_HEAPINFO) */
        0xe3a01e22, /* mov r1, #0x220 -> pointer to the block at 0x230 */
        0xef123456,
        0xe3a00001, /* mov r0, #1 (SYS_OPEN "foo": refused) */
        0xe3a01e24, /* mov r1, #0x240 */
        0xef123456,
        0xe1a08000, /* mov r8, r0 */
        0xe3a05101, /* mov r5, #0x40000000 (unmapped) */
        0xe5956000, /* ldr r6, [r5]: data abort */
    };
    load_words(e, 0x100, prog, 18);
    const uint32_t open_blk[] = { 0x300, 4, 3 }, write_blk[] = { 0, 0x310, 5 };
    const uint32_t heap_ptr = 0x230, open_foo[] = { 0x320, 0, 3 };
    put_block(e, 0x200, open_blk, sizeof open_blk);
    put_block(e, 0x210, write_blk, sizeof write_blk);
    put_block(e, 0x220, &heap_ptr, 4);
    put_block(e, 0x240, open_foo, sizeof open_foo);
    put_block(e, 0x300, ":tt", 3);
    put_block(e, 0x310, "hello", 5);
    put_block(e, 0x320, "foo", 3);
    e->cpu->ops->set_entry(e->cpu, 0x100);
    struct cpu_run_result rr = e->cpu->ops->run(e->cpu, 18);
    ck_assert_uint_eq(rr.executed, 18);
    ck_assert_str_eq(e->out, "hello");
    ck_assert_uint_eq(reg(e, "r7"), 0);            /* all bytes written */
    ck_assert_uint_eq(reg(e, "r8"), 0xffffffffu);  /* host files refused */
    uint64_t w[4];
    for (unsigned i = 0; i < 4; i++)
        ck_assert_int_eq(bus_read(&e->bus, 0x230 + 4 * i, 4, &w[i]), 0);
    ck_assert_uint_eq(w[0], RAM_SIZE / 2);          /* heap base */
    ck_assert_uint_le(w[0], w[1]);                  /* heap limit above it */
    ck_assert_uint_eq(w[2], RAM_SIZE);              /* stack base at the top */
    ck_assert_uint_eq(w[3], w[1]);
    ck_assert_uint_eq(reg(e, "pc"), 0x10);          /* data abort vector */
    ck_assert_uint_eq(reg(e, "lr_abt"), 0x144 + 8);
    ck_assert_uint_eq(reg(e, "r6"), 0);             /* not loaded */
    env_free(e);
}
END_TEST

static Suite *exec_suite(void)
{
    Suite *s = suite_create("arm_exec");
    TCase *tc = tcase_create("exec");
    tcase_add_test(tc, reset_state);
    tcase_add_test(tc, flags);
    tcase_add_test(tc, modes_and_banking);
    tcase_add_test(tc, undefined_and_irq_exceptions);
    tcase_add_test(tc, semihosting_write_and_exit);
    tcase_add_test(tc, self_modifying_code);
    tcase_add_test(tc, self_modifying_next_instruction_and_dma);
    tcase_add_test(tc, thumb_program);
    tcase_add_test(tc, two_cpus_independent);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, prefetch_abort_and_double_fault);
    tcase_add_test(tc, wait_for_interrupt);
    tcase_add_test(tc, semihosting_console_files_and_data_abort);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(exec_suite());
}
