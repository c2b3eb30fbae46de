/* CP15 and ARMv7 exception entry: identification registers per model, the
 * PL0 and unknown-register rules, SCTLR/VBAR vectors, exception entry (LR,
 * SPSR, mode, masks) in ARM and Thumb states, exception return, BKPT, and
 * the save/load of the CP15 state. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "machine/bus.h"
#include "machine/state.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_state.h"

#define RAM_SIZE 0x20000u

struct env {
    struct bus bus;
    struct cpu *cpu;
    struct arm_cpu *arm;
};

static struct env *env_new(const char *model, unsigned index)
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
    struct cpu_config cfg = { .bus = &e->bus, .index = index, .ram_size = RAM_SIZE };
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

static void load_halves(struct env *e, uint32_t addr, const uint16_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(bus_write(&e->bus, addr + 2 * i, 2, h[i]), 0);
}

static uint32_t mcr_insn_cp(unsigned cp, bool read, unsigned crn, unsigned opc1, unsigned crm,
                            unsigned opc2, unsigned rt)
{
    return 0xee000010u | cp << 8 | opc1 << 21 | (read ? 1u << 20 : 0) | crn << 16 | rt << 12 | opc2 << 5 |
           crm;
}

/* Runs one MRC/MCR of coprocessor cp at address 0x100 in the current mode;
 * true if it was not UNDEFINED. The UND entry is undone (mode and CPSR
 * restored). */
static bool try_cp(struct env *e, unsigned cp, bool read, unsigned crn, unsigned opc1,
                   unsigned crm, unsigned opc2, uint32_t *value)
{
    struct arm_cpu *c = e->arm;
    load_words(e, 0x100, (uint32_t[]){ mcr_insn_cp(cp, read, crn, opc1, crm, opc2, 0) }, 1);
    uint32_t cpsr = c->cpsr;
    c->pc = 0x100;
    c->r[0] = value ? *value : 0;
    e->cpu->ops->run(e->cpu, 1);
    if ((c->cpsr & PSR_MODE) == MODE_UND && (cpsr & PSR_MODE) != MODE_UND) {
        ck_assert_uint_eq(c->pc, arm_vector_base(c) + 4);
        ck_assert_uint_eq(c->r[14], 0x104);
        ck_assert_uint_eq(c->spsr[BANK_UND], cpsr);
        arm_write_cpsr(c, cpsr);
        return false;
    }
    if (read && value)
        *value = c->r[0];
    return true;
}

static bool try_cp15(struct env *e, bool read, unsigned crn, unsigned opc1, unsigned crm,
                     unsigned opc2, uint32_t *value)
{
    return try_cp(e, 15, read, crn, opc1, crm, opc2, value);
}

static uint32_t mrc_ok(struct env *e, unsigned crn, unsigned opc1, unsigned crm, unsigned opc2)
{
    uint32_t v = 0;
    ck_assert(try_cp15(e, true, crn, opc1, crm, opc2, &v));
    return v;
}

static void mcr_ok(struct env *e, unsigned crn, unsigned opc1, unsigned crm, unsigned opc2,
                   uint32_t v)
{
    ck_assert(try_cp15(e, false, crn, opc1, crm, opc2, &v));
}

START_TEST(id_registers_per_model)
{
    struct env *a15 = env_new("cortex-a15", 0), *a7 = env_new("cortex-a7", 5);
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 0, 0), 0x412fc0f1u);
    ck_assert_uint_eq(mrc_ok(a7, 0, 0, 0, 0), 0x410fc075u);
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 0, 7), 0x412fc0f1u);   /* MIDR alias */
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 0, 5), 0x80000000u);
    ck_assert_uint_eq(mrc_ok(a7, 0, 0, 0, 5), 0x80000101u);    /* cluster 1, CPU 1 */
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 0, 1), 0x8444c004u);
    ck_assert_uint_eq(mrc_ok(a7, 0, 0, 0, 1), 0x84448003u);
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 1, 0), 0x00000131u);   /* ID_PFR0: no ThumbEE */
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 1, 1), 0x00010001u);   /* ID_PFR1: timer only */
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 1, 2), 5);             /* ID_DFR0: v7.1 CP14 */
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 1, 4) & 0xfu, 4);      /* VMSAv7 + PXN, no LPAE */
    ck_assert_uint_eq(mrc_ok(a7, 0, 0, 1, 4) & 0xfu, 4);
    ck_assert_uint_eq((mrc_ok(a15, 0, 0, 2, 0) >> 24) & 0xfu, 2);   /* ARM+Thumb divide */
    ck_assert_uint_eq((mrc_ok(a15, 0, 0, 2, 4) >> 12) & 0xfu, 0);   /* no SMC */
    ck_assert_uint_eq(mrc_ok(a15, 0, 0, 5, 3), 0);             /* reserved ID space RAZ */
    ck_assert_uint_eq(mrc_ok(a15, 0, 1, 0, 1), 0x0a200023u);   /* CLIDR */
    mcr_ok(a15, 0, 2, 0, 0, 1);                                /* CSSELR: L1 I */
    ck_assert_uint_eq(mrc_ok(a15, 0, 2, 0, 0), 1);
    ck_assert_uint_eq(mrc_ok(a15, 0, 1, 0, 0), 0x201fe00au);
    mcr_ok(a15, 0, 2, 0, 0, 2);                                /* L2 */
    ck_assert_uint_eq(mrc_ok(a15, 0, 1, 0, 0), 0x711fe07au);
    mcr_ok(a7, 0, 2, 0, 0, 2);
    ck_assert_uint_eq(mrc_ok(a7, 0, 1, 0, 0), 0x707fe07au);
    /* L2CTLR: the processor-count field is read-only. */
    mcr_ok(a7, 9, 1, 0, 2, 0x03000021u);
    ck_assert_uint_eq(mrc_ok(a7, 9, 1, 0, 2), 0x21u);
    /* CPACR: no VFP/NEON, cp10/cp11 stay zero. */
    mcr_ok(a15, 1, 0, 0, 2, 0x00f00000u);
    ck_assert_uint_eq(mrc_ok(a15, 1, 0, 0, 2), 0);
    /* ID registers are read-only. */
    ck_assert(!try_cp15(a15, false, 0, 0, 0, 0, &(uint32_t){ 0 }));
    /* SCTLR reset and fixed bits. */
    ck_assert_uint_eq(mrc_ok(a15, 1, 0, 0, 0), 0x00c50078u);
    mcr_ok(a15, 1, 0, 0, 0, 0xfffffffeu);                    /* all but M */
    ck_assert_uint_eq(mrc_ok(a15, 1, 0, 0, 0), 0x72e57c7eu);
    /* The arm926ej-s keeps its own subset. */
    struct env *old = env_new("arm926ej-s", 0);
    ck_assert_uint_eq(mrc_ok(old, 0, 0, 0, 0), 0x41069265u);
    ck_assert_uint_eq(mrc_ok(old, 15, 0, 0, 0), 0);            /* lenient: reads zero */
    env_free(old);
    env_free(a15);
    env_free(a7);
}
END_TEST

START_TEST(pl0_and_unknown_registers)
{
    struct env *e = env_new("cortex-a7", 0);
    uint32_t v = 0;
    /* Unknown on v7: UNDEFINED even at PL1. */
    ck_assert(!try_cp15(e, true, 15, 0, 0, 0, &v));
    ck_assert(!try_cp15(e, true, 9, 0, 12, 0, &v));     /* no PMU */
    ck_assert(!try_cp15(e, true, 1, 0, 1, 0, &v));      /* SCR: no Security Extensions */
    ck_assert(!try_cp15(e, true, 12, 0, 0, 1, &v));     /* MVBAR */
    ck_assert(!try_cp15(e, true, 2, 4, 0, 2, &v));      /* HTCR: no Virtualization */
    ck_assert(!try_cp15(e, true, 8, 0, 7, 0, &v));      /* TLBIALL is write-only */
    mcr_ok(e, 13, 0, 0, 2, 0x1111u);
    mcr_ok(e, 13, 0, 0, 3, 0x2222u);
    mcr_ok(e, 13, 0, 0, 4, 0x3333u);
    mcr_ok(e, 7, 0, 0, 4, 0);                           /* c7,c0,4 is a NOP on v7 */
    ck_assert(!e->arm->waiting);
    /* PL0. */
    arm_write_cpsr(e->arm, MODE_USR);
    ck_assert(!try_cp15(e, true, 1, 0, 0, 0, &v));      /* SCTLR */
    ck_assert(!try_cp15(e, true, 0, 0, 0, 0, &v));      /* MIDR */
    ck_assert(!try_cp15(e, false, 8, 0, 7, 0, &v));     /* TLBIALL */
    ck_assert(!try_cp15(e, false, 7, 0, 5, 0, &v));     /* ICIALLU */
    ck_assert(!try_cp15(e, true, 13, 0, 0, 4, &v));     /* TPIDRPRW */
    ck_assert_uint_eq(mrc_ok(e, 13, 0, 0, 2), 0x1111u);
    ck_assert_uint_eq(mrc_ok(e, 13, 0, 0, 3), 0x2222u);
    ck_assert(!try_cp15(e, false, 13, 0, 0, 3, &v));    /* TPIDRURO is read-only at PL0 */
    mcr_ok(e, 13, 0, 0, 2, 0x4444u);
    ck_assert_uint_eq(mrc_ok(e, 13, 0, 0, 2), 0x4444u);
    mcr_ok(e, 7, 0, 10, 5, 0);                          /* CP15DMB with CP15BEN */
    ck_assert(!try_cp15(e, true, 7, 0, 10, 5, &v));
    arm_write_cpsr(e->arm, MODE_SVC);
    mcr_ok(e, 1, 0, 0, 0, 0x00c50058u);                 /* CP15BEN off */
    ck_assert(!try_cp15(e, false, 7, 0, 5, 4, &v));     /* CP15ISB now UNDEFINED */
    /* MCRR/MRRC: only the timer's CRm = 14 exists (UNDEFINED until then). */
    struct arm_rec r = { .rd = 0, .rn = 1, .rm = 2, .op = 0, .flags = RF_L };
    e->arm->pc = 0x200;
    ck_assert_int_eq(arm_exec_cp15_64(e->arm, &r), ARM_OK);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(e->arm->r[14], 0x204);
    /* arm7tdmi: no CP15 at all. */
    struct env *old = env_new("arm7tdmi", 0);
    ck_assert(!try_cp15(old, true, 0, 0, 0, 0, &v));
    env_free(old);
    env_free(e);
}
END_TEST

START_TEST(vectors_from_sctlr_and_vbar)
{
    struct env *e = env_new("cortex-a15", 0);
    ck_assert_uint_eq(e->arm->cpsr, MODE_SVC | PSR_A | PSR_I | PSR_F);
    ck_assert_uint_eq(e->arm->pc, 0);
    /* SVC at 0x100 with VBAR = 0x8000. */
    mcr_ok(e, 12, 0, 0, 0, 0x800fu);
    ck_assert_uint_eq(mrc_ok(e, 12, 0, 0, 0), 0x8000u);
    load_words(e, 0x100, (uint32_t[]){ 0xef000001u }, 1);
    arm_write_cpsr(e->arm, MODE_USR | PSR_C);
    e->arm->pc = 0x100;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(e->arm->pc, 0x8008u);
    ck_assert_uint_eq(e->arm->r[14], 0x104u);
    ck_assert_uint_eq(e->arm->spsr[BANK_SVC], MODE_USR | PSR_C);
    ck_assert_uint_eq(e->arm->cpsr, MODE_SVC | PSR_C | PSR_I);   /* SVC leaves A alone */
    /* High vectors win over VBAR. */
    mcr_ok(e, 1, 0, 0, 0, 0x00c50078u | SCTLR_V);
    ck_assert_uint_eq(arm_vector_base(e->arm), 0xffff0000u);
    /* TE enters Thumb, EE sets CPSR.E; the IRQ handler is a Thumb "b .". */
    mcr_ok(e, 1, 0, 0, 0, 0x00c50078u | SCTLR_TE | SCTLR_EE);
    ck_assert_int_eq(bus_write(&e->bus, 0x8018u, 2, 0xe7feu), 0);
    e->arm->cpsr = MODE_USR | PSR_E;
    e->arm->pc = 0x100;
    e->cpu->ops->set_irq(e->cpu, 0, true);
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(e->arm->pc, 0x8018u);
    ck_assert_uint_eq(e->arm->r[14], 0x104u);
    ck_assert_uint_eq(e->arm->cpsr, MODE_IRQ | PSR_T | PSR_E | PSR_A | PSR_I);
    ck_assert_uint_eq(e->arm->spsr[BANK_IRQ], MODE_USR | PSR_E);
    env_free(e);
}
END_TEST

START_TEST(exception_entry_arm_and_thumb)
{
    struct env *e = env_new("cortex-a7", 0);
    struct arm_cpu *c = e->arm;
    static const uint32_t vectors[8] = {
        0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe,
        0xeafffffe, 0xeafffffe, 0xeafffffe, 0xeafffffe,
    };
    load_words(e, 0, vectors, 8);
    /* ARM UND: LR = address + 4. */
    load_words(e, 0x1000, (uint32_t[]){ 0xe7f000f0u }, 1);   /* UDF */
    c->cpsr = MODE_SYS;
    c->pc = 0x1000;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr, MODE_UND | PSR_I);
    ck_assert_uint_eq(c->r[14], 0x1004u);
    /* Thumb 16-bit UND: LR = address + 2. */
    load_halves(e, 0x2000, (uint16_t[]){ 0xde01u, 0xdf05u, 0xbe07u }, 3);
    c->cpsr = MODE_SYS | PSR_T;
    c->pc = 0x2000;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->r[14], 0x2002u);
    ck_assert_uint_eq(c->spsr[BANK_UND], MODE_SYS | PSR_T);
    ck_assert_uint_eq(c->cpsr & PSR_T, 0);
    /* Thumb SVC: LR = address + 2. */
    c->cpsr = MODE_USR | PSR_T;
    c->pc = 0x2002;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_SVC);
    ck_assert_uint_eq(c->r[14], 0x2004u);
    ck_assert_uint_eq(c->pc, 0x08u);
    /* BKPT with no debugger: prefetch abort, IFSR = debug event, LR + 4. */
    c->cpsr = MODE_SVC | PSR_T;
    c->cp15.ifar = 0x5555u;
    c->pc = 0x2004;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr, MODE_ABT | PSR_A | PSR_I);
    ck_assert_uint_eq(c->r[14], 0x2008u);
    ck_assert_uint_eq(c->cp15.ifsr, 0x002u);
    ck_assert_uint_eq(c->cp15.ifar, 0x5555u);
    /* A 32-bit T32 UDF (permanently UNDEFINED): LR = address + 2 still. */
    load_halves(e, 0x3000, (uint16_t[]){ 0xf7f0u, 0xa000u }, 2);
    c->cpsr = MODE_SVC | PSR_T;
    c->pc = 0x3000;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(c->r[14], 0x3002u);
    /* Inside an IT block: UND saves the faulting instruction's ITSTATE,
     * SVC the advanced one. ITSTATE 0x08 = "IT EQ", 0x04 = "ITT EQ". */
    c->cpsr = arm_with_itstate(MODE_SVC | PSR_T | PSR_Z, 0x08);
    c->pc = 0x2000;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_UND);
    ck_assert_uint_eq(arm_itstate(c->spsr[BANK_UND]), 0x08u);
    ck_assert_uint_eq(c->cpsr & PSR_IT_MASK, 0);
    c->cpsr = arm_with_itstate(MODE_USR | PSR_T | PSR_Z, 0x04);
    c->pc = 0x2002;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_SVC);
    ck_assert_uint_eq(arm_itstate(c->spsr[BANK_SVC]), 0x08u);
    /* Data abort in Thumb: LR = address + 8; FIQ: F set, LR = next + 4. */
    load_halves(e, 0x2010, (uint16_t[]){ 0x6808u }, 1);    /* ldr r0, [r1] */
    c->cpsr = MODE_SVC | PSR_T;
    c->r[1] = 0x40000000u;                                 /* nothing there */
    c->pc = 0x2010;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr, MODE_ABT | PSR_A | PSR_I);
    ck_assert_uint_eq(c->r[14], 0x2018u);
    ck_assert_uint_eq(c->cp15.dfsr, 0x008u);
    ck_assert_uint_eq(c->cp15.dfar, 0x40000000u);
    c->cpsr = MODE_SVC | PSR_T;
    c->pc = 0x2010;
    e->cpu->ops->set_irq(e->cpu, 1, true);
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr, MODE_FIQ | PSR_A | PSR_I | PSR_F);
    ck_assert_uint_eq(c->r[14], 0x2014u);
    ck_assert_uint_eq(c->pc, 0x1cu);
    env_free(e);
}
END_TEST

START_TEST(exception_return_restores_it_and_e)
{
    struct env *e = env_new("cortex-a15", 0);
    struct arm_cpu *c = e->arm;
    /* movs pc, lr in ABT with an SPSR holding Thumb, E and an IT state. */
    load_words(e, 0x100, (uint32_t[]){ 0xe1b0f00eu }, 1);
    load_halves(e, 0x2000, (uint16_t[]){ 0xbf00u, 0xbf00u }, 2);
    c->cpsr = MODE_ABT | PSR_A | PSR_I;
    uint32_t spsr = arm_with_itstate(MODE_USR | PSR_T | PSR_E | PSR_Z, 0x04);
    c->spsr[BANK_ABT] = spsr;
    c->r[14] = 0x2001u;                  /* bit 0 dropped for Thumb */
    c->pc = 0x100;
    e->cpu->ops->run(e->cpu, 1);
    ck_assert_uint_eq(c->cpsr, spsr);
    ck_assert_uint_eq(c->pc, 0x2000u);
    env_free(e);
}
END_TEST

START_TEST(cp15_state_round_trip)
{
    struct env *a = env_new("cortex-a15", 0), *b = env_new("cortex-a15", 0);
    mcr_ok(a, 2, 0, 0, 0, 0x4000u);
    mcr_ok(a, 2, 0, 0, 1, 0x8000u);
    mcr_ok(a, 2, 0, 0, 2, 1u);
    mcr_ok(a, 3, 0, 0, 0, 0x55u);
    mcr_ok(a, 12, 0, 0, 0, 0x1000u);
    mcr_ok(a, 13, 0, 0, 1, 0x42u);
    mcr_ok(a, 13, 0, 0, 3, 0x77u);
    mcr_ok(a, 10, 0, 2, 0, 0x12345678u);
    mcr_ok(a, 1, 0, 0, 0, 0x00c50078u | SCTLR_AFE | SCTLR_V);
    a->arm->cp15.dfsr = 0x80du;
    a->arm->cp15.ifar = 0xabcu;
    unit_cpu_state_copy(a->cpu, b->cpu);
    ck_assert_mem_eq(&a->arm->cp15, &b->arm->cp15, sizeof a->arm->cp15);
    ck_assert_uint_eq(b->arm->sctlr, a->arm->sctlr);
    ck_assert_uint_eq(mrc_ok(b, 13, 0, 0, 1), 0x42u);
    /* Reset brings everything back. */
    b->cpu->ops->reset(b->cpu);
    ck_assert_uint_eq(b->arm->cp15.ttbr0, 0);
    ck_assert_uint_eq(b->arm->sctlr, 0x00c50078u);
    env_free(a);
    env_free(b);
}
END_TEST

/* CP14 (arm_debug.c): the sequence Linux's hw_breakpoint runs at boot
 * (DBGDIDR, OS Lock, vector catch, breakpoint/watchpoint pairs, monitor
 * mode through DBGDSCRext, the 8-byte watchpoint probe), PL0 rules,
 * Jazelle, reset and save/load. */
START_TEST(cp14_debug_registers)
{
    struct env *e = env_new("cortex-a15", 0);
    uint32_t v = 0;
    ck_assert(try_cp(e, 14, true, 0, 0, 0, 0, &v));             /* DBGDIDR */
    ck_assert_uint_eq(v, 0x35154021u);      /* 4 WRPs, 6 BRPs, 2 CTX, v7.1, r2p1 */
    ck_assert(try_cp(e, 14, true, 1, 0, 1, 4, &v));             /* DBGOSLSR */
    ck_assert_uint_eq(v, 0xAu);                                  /* OSLM 0b10, locked */
    v = 0;
    ck_assert(try_cp(e, 14, false, 1, 0, 0, 4, &v));            /* DBGOSLAR unlock */
    ck_assert(try_cp(e, 14, true, 1, 0, 1, 4, &v));
    ck_assert_uint_eq(v, 0x8u);
    ck_assert(try_cp(e, 14, true, 1, 0, 3, 4, &v));             /* DBGOSDLR */
    ck_assert_uint_eq(v, 0);
    ck_assert(try_cp(e, 14, true, 1, 0, 5, 4, &v));             /* DBGPRSR */
    ck_assert_uint_eq(v & 1, 1);
    v = 0xFFFFFFFFu;
    ck_assert(try_cp(e, 14, false, 0, 0, 7, 0, &v));            /* DBGVCR */
    ck_assert(try_cp(e, 14, true, 0, 0, 7, 0, &v));
    ck_assert_uint_eq(v, 0xFEu);
    for (unsigned n = 0; n < 6; n++) {
        v = 0xFFFFFFFFu;
        ck_assert(try_cp(e, 14, false, 0, 0, n, 4, &v));        /* DBGBVRn */
        ck_assert(try_cp(e, 14, true, 0, 0, n, 4, &v));
        ck_assert_uint_eq(v, 0xFFFFFFFCu);
    }
    ck_assert(!try_cp(e, 14, true, 0, 0, 6, 4, &v));            /* no DBGBVR6 */
    ck_assert(!try_cp(e, 14, true, 0, 0, 4, 6, &v));            /* no DBGWVR4 */
    /* Monitor mode: written through DBGDSCRext, seen in DBGDSCRint. */
    v = 1u << 15;
    ck_assert(try_cp(e, 14, false, 0, 0, 2, 2, &v));
    ck_assert(try_cp(e, 14, true, 0, 0, 1, 0, &v));
    ck_assert_uint_eq(v, 1u << 15);
    /* The watchpoint length probe: BAS 0xFF sticks in DBGWCR0. */
    v = 0xFFu << 5 | 3u << 3 | 3u << 1 | 1u;
    ck_assert(try_cp(e, 14, false, 0, 0, 0, 7, &v));
    ck_assert(try_cp(e, 14, true, 0, 0, 0, 7, &v));
    ck_assert_uint_eq(v, 0xFFu << 5 | 3u << 3 | 3u << 1 | 1u);
    /* Read-only and unknown registers, other opc1: UNDEFINED. */
    ck_assert(!try_cp(e, 14, false, 0, 0, 0, 0, &v));           /* write DBGDIDR */
    ck_assert(!try_cp(e, 14, true, 3, 0, 0, 0, &v));
    ck_assert(!try_cp(e, 14, true, 0, 1, 0, 0, &v));            /* trace */
    ck_assert(!try_cp(e, 14, true, 0, 6, 0, 0, &v));            /* ThumbEE */
    ck_assert(try_cp(e, 14, true, 0, 7, 0, 0, &v));             /* JIDR */
    ck_assert_uint_eq(v, 0);
    /* PL0: only the baseline registers, and only while UDCCdis is clear. */
    arm_write_cpsr(e->arm, MODE_USR);
    ck_assert(try_cp(e, 14, true, 0, 0, 0, 0, &v));
    ck_assert(!try_cp(e, 14, true, 0, 0, 0, 4, &v));
    ck_assert(!try_cp(e, 14, true, 2, 7, 0, 0, &v));            /* JMCR */
    arm_write_cpsr(e->arm, MODE_SVC);
    v = 1u << 12;
    ck_assert(try_cp(e, 14, false, 0, 0, 2, 2, &v));            /* UDCCdis */
    arm_write_cpsr(e->arm, MODE_USR);
    ck_assert(!try_cp(e, 14, true, 0, 0, 0, 0, &v));
    arm_write_cpsr(e->arm, MODE_SVC);
    /* Save/load carries the registers; reset locks the OS Lock again. */
    struct env *b = env_new("cortex-a15", 0);
    unit_cpu_state_copy(e->cpu, b->cpu);
    ck_assert_mem_eq(&e->arm->dbg, &b->arm->dbg, sizeof e->arm->dbg);
    b->cpu->ops->reset(b->cpu);
    ck_assert(b->arm->dbg.os_lock);
    ck_assert_uint_eq(b->arm->dbg.dscr, 0);
    /* Before ARMv7 there is no CP14 here. */
    struct env *old = env_new("arm926ej-s", 0);
    ck_assert(!try_cp(old, 14, true, 0, 0, 0, 0, &v));
    env_free(old);
    env_free(b);
    env_free(e);
}
END_TEST

static Suite *cp15_suite(void)
{
    Suite *s = suite_create("arm_cp15");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, id_registers_per_model);
    tcase_add_test(tc, pl0_and_unknown_registers);
    tcase_add_test(tc, vectors_from_sctlr_and_vbar);
    tcase_add_test(tc, exception_entry_arm_and_thumb);
    tcase_add_test(tc, exception_return_restores_it_and_e);
    tcase_add_test(tc, cp15_state_round_trip);
    tcase_add_test(tc, cp14_debug_registers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(cp15_suite());
}
