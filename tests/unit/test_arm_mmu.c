/* The ARMv7 MMU (VMSAv7 short-descriptor, ARM ARM v7 B3): page tables
 * built in RAM on a private bus, every descriptor type, every fault and its
 * FSR, domains and access permissions, the TTBCR.N split, TLB maintenance
 * and context changes, unaligned and big-endian accesses, PAR results and
 * the debugger's side-effect-free translation. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "machine/bus.h"
#include "tests/unit/unit.h"

#define RAM_SIZE 0x200000u      /* physical RAM at 0 .. 2 MiB */
#define L1_BASE 0x4000u         /* TTBR0's 16 KiB first-level table */
#define L2_BASE 0x8000u         /* a second-level table */
#define UNMAPPED_PA 0x80000000u

struct env {
    struct bus bus;
    struct cpu *cpu;
    struct arm_cpu *arm;
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
    return e;
}

static void env_free(struct env *e)
{
    e->cpu->ops->destroy(e->cpu);
    bus_destroy(&e->bus);
    free(e);
}

static void poke(struct env *e, uint32_t pa, uint32_t v)
{
    ck_assert_int_eq(bus_write(&e->bus, pa, 4, v), 0);
}

static uint32_t peek(struct env *e, uint32_t pa, unsigned size)
{
    uint64_t v;
    ck_assert_int_eq(bus_read(&e->bus, pa, size, &v), 0);
    return (uint32_t)v;
}

/* Executes MCR/MRC p15, opc1, Rt(r0), CRn, CRm, opc2 as the CPU would. */
static void exec_cp15(struct env *e, bool read, unsigned crn, unsigned opc1, unsigned crm,
                      unsigned opc2)
{
    uint32_t insn = 0xee000f10u | opc1 << 21 | (read ? 1u << 20 : 0) | crn << 16 | opc2 << 5 | crm;
    struct arm_rec r;
    arm_decode(e->arm->arch, insn, &r);
    e->arm->r[15] = e->arm->pc + 8;
    e->arm->next_pc = e->arm->pc + 4;
    ck_assert_int_eq(r.fn(e->arm, &r), ARM_OK);
}

static void mcr(struct env *e, unsigned crn, unsigned opc1, unsigned crm, unsigned opc2,
                uint32_t v)
{
    uint32_t mode = e->arm->cpsr & PSR_MODE;
    e->arm->r[0] = v;
    exec_cp15(e, false, crn, opc1, crm, opc2);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, mode);   /* not UNDEFINED */
}

static uint32_t mrc(struct env *e, unsigned crn, unsigned opc1, unsigned crm, unsigned opc2)
{
    uint32_t mode = e->arm->cpsr & PSR_MODE;
    exec_cp15(e, true, crn, opc1, crm, opc2);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, mode);
    return e->arm->r[0];
}

#define SCTLR_BITS(extra) (0x00c50078u | (extra))

/* Domain 0 and 1 clients, 2 manager, 3 no access. */
static void mmu_on(struct env *e, uint32_t sctlr_extra)
{
    mcr(e, 2, 0, 0, 0, L1_BASE);               /* TTBR0 */
    mcr(e, 3, 0, 0, 0, 0x00000035u);           /* DACR: d0, d1 client, d2 manager, d3 none */
    mcr(e, 1, 0, 0, 0, SCTLR_BITS(SCTLR_M | sctlr_extra));
}

/* First-level section descriptor: PA, domain, AP[2:0], XN, PXN. */
static uint32_t section(uint32_t pa, unsigned domain, unsigned ap, bool xn, bool pxn)
{
    return (pa & 0xfff00000u) | 2u | (pxn ? 1u : 0) | (xn ? 1u << 4 : 0) | domain << 5 |
           (ap & 3u) << 10 | (ap & 4u) << 13 | 1u << 2 | 1u << 3;   /* B, C: write-back */
}

static uint32_t small_page(uint32_t pa, unsigned ap, bool xn)
{
    return (pa & 0xfffff000u) | 2u | (xn ? 1u : 0) | (ap & 3u) << 4 | (ap & 4u) << 7;
}

static void map_l1(struct env *e, uint32_t va, uint32_t desc)
{
    poke(e, L1_BASE + (va >> 20) * 4, desc);
}

/* A page table for va's megabyte at L2_BASE, domain 1. */
static void map_table(struct env *e, uint32_t va, unsigned domain)
{
    map_l1(e, va, L2_BASE | domain << 5 | 1u);
}

static void map_l2(struct env *e, uint32_t va, uint32_t desc)
{
    poke(e, L2_BASE + ((va >> 12) & 0xffu) * 4, desc);
}

static int rd(struct env *e, uint32_t va, unsigned size, bool user, uint32_t *v)
{
    return arm_read(e->arm, va, size, user ? ARM_ACC_USER : 0, v);
}

static int wr(struct env *e, uint32_t va, unsigned size, bool user, uint32_t v)
{
    return arm_write(e->arm, va, size, user ? ARM_ACC_USER : 0, v);
}

/* The access faults with this FSR (and records the address). */
static void expect_fault(struct env *e, uint32_t va, unsigned size, bool write, bool user,
                         uint32_t fsr)
{
    uint32_t v = 0;
    int rc = write ? wr(e, va, size, user, 0xdeadbeefu) : rd(e, va, size, user, &v);
    ck_assert_int_eq(rc, -1);
    ck_assert_uint_eq(e->arm->fault_fsr, fsr);
    ck_assert_uint_eq(e->arm->fault_addr, va);
}

START_TEST(sections_and_supersections)
{
    struct env *e = env_new("cortex-a15");
    map_l1(e, 0x10000000u, section(0x00100000u, 0, 3, false, false));
    /* A supersection is 16 consecutive identical entries (B3.5.1). */
    for (unsigned i = 0; i < 16; i++)
        map_l1(e, 0x20000000u + (i << 20), (0u & 0xff000000u) | 2u | 1u << 18 | 3u << 10);
    mmu_on(e, 0);
    poke(e, 0x00100010u, 0x11223344u);
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x10000010u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x11223344u);
    ck_assert_int_eq(rd(e, 0x20100010u, 4, false, &v), 0);   /* PA 0x100010 again */
    ck_assert_uint_eq(v, 0x11223344u);
    ck_assert_int_eq(wr(e, 0x20100014u, 2, true, 0xbeefu), 0);
    ck_assert_uint_eq(peek(e, 0x100014u, 2), 0xbeefu);
    /* Unmapped virtual addresses: section translation fault, no domain. */
    expect_fault(e, 0x30000000u, 4, false, false, 0x005u);
    /* The debugger sees the same mapping. */
    uint64_t pa;
    ck_assert_int_eq(e->cpu->ops->translate(e->cpu, 0x20123456u, CPU_ACCESS_READ, &pa), 0);
    ck_assert_uint_eq(pa, 0x00123456u);
    ck_assert_int_ne(e->cpu->ops->translate(e->cpu, 0x30000000u, CPU_ACCESS_READ, &pa), 0);
    /* Code runs through the MMU: a program at PA 0x100000 seen at VA
     * 0x10000000 (mov r0, #5; b .). */
    poke(e, 0x00100000u, 0xe3a00005u);
    poke(e, 0x00100004u, 0xeafffffeu);
    e->arm->pc = 0x10000000u;
    e->cpu->ops->run(e->cpu, 3);
    ck_assert_uint_eq(e->arm->r[0], 5);
    ck_assert_uint_eq(e->arm->pc, 0x10000004u);
    /* SCTLR.EE: translation tables are read big-endian. */
    map_l1(e, 0x50000000u, __builtin_bswap32(section(0x00100000u, 0, 3, false, false)));
    mcr(e, 1, 0, 0, 0, SCTLR_BITS(SCTLR_M | SCTLR_EE));
    ck_assert_int_eq(rd(e, 0x50000010u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x11223344u);
    env_free(e);
}
END_TEST

START_TEST(large_and_small_pages)
{
    struct env *e = env_new("cortex-a7");
    map_table(e, 0x30000000u, 1);
    /* Large page (64 KiB): 16 identical entries; AP = 011, TEX 000. */
    for (unsigned i = 0; i < 16; i++)
        map_l2(e, 0x30010000u + (i << 12), 0x00110000u | 1u | 3u << 4);
    map_l2(e, 0x30020000u, small_page(0x00120000u, 3, false));
    mmu_on(e, 0);
    poke(e, 0x0011abc0u, 0xcafe0001u);
    poke(e, 0x00120ff0u, 0xcafe0002u);
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x3001abc0u, 4, true, &v), 0);
    ck_assert_uint_eq(v, 0xcafe0001u);
    ck_assert_int_eq(rd(e, 0x30020ff0u, 4, true, &v), 0);
    ck_assert_uint_eq(v, 0xcafe0002u);
    /* Empty second-level entry: page translation fault with the domain. */
    expect_fault(e, 0x30030000u, 4, false, false, 0x017u);
    expect_fault(e, 0x30030004u, 4, true, false, 0x817u);   /* WnR */
    env_free(e);
}
END_TEST

START_TEST(domains_and_permissions)
{
    struct env *e = env_new("cortex-a15");
    map_l1(e, 0x10000000u, section(0x00100000u, 3, 3, false, false));   /* no-access domain */
    map_l1(e, 0x10100000u, section(0x00100000u, 2, 0, true, false));    /* manager, AP 000 */
    map_l1(e, 0x10200000u, section(0x00100000u, 0, 1, false, false));   /* PL1 RW only */
    map_l1(e, 0x10300000u, section(0x00100000u, 0, 2, false, false));   /* PL0 RO */
    map_l1(e, 0x10400000u, section(0x00100000u, 0, 5, false, false));   /* PL1 RO only */
    map_l1(e, 0x10500000u, section(0x00100000u, 0, 7, false, false));   /* RO everywhere */
    map_l1(e, 0x10600000u, section(0x00100000u, 0, 0, false, false));   /* no access */
    map_table(e, 0x10700000u, 3);
    map_l2(e, 0x10700000u, small_page(0x00100000u, 3, false));
    map_l1(e, 0x10800000u, section(0x00100000u, 1, 3, true, false));    /* XN */
    map_l1(e, 0x10900000u, section(0x00100000u, 1, 3, false, true));    /* PXN */
    mmu_on(e, 0);
    uint32_t v;
    expect_fault(e, 0x10000000u, 4, false, false, 0x039u);     /* domain, section, d3 */
    expect_fault(e, 0x10700000u, 4, false, false, 0x03bu);     /* domain, page, d3 */
    ck_assert_int_eq(rd(e, 0x10100000u, 4, true, &v), 0);     /* manager ignores AP */
    ck_assert_int_eq(wr(e, 0x10100000u, 4, true, 1), 0);
    ck_assert_int_eq(rd(e, 0x10200000u, 4, false, &v), 0);
    ck_assert_int_eq(wr(e, 0x10200000u, 4, false, 1), 0);
    expect_fault(e, 0x10200000u, 4, false, true, 0x00du);      /* permission, section */
    ck_assert_int_eq(rd(e, 0x10300000u, 4, true, &v), 0);
    expect_fault(e, 0x10300000u, 4, true, true, 0x80du);
    ck_assert_int_eq(wr(e, 0x10300000u, 4, false, 1), 0);
    ck_assert_int_eq(rd(e, 0x10400000u, 4, false, &v), 0);
    expect_fault(e, 0x10400000u, 4, true, false, 0x80du);
    expect_fault(e, 0x10400000u, 4, false, true, 0x00du);
    ck_assert_int_eq(rd(e, 0x10500000u, 4, true, &v), 0);
    expect_fault(e, 0x10500000u, 4, true, false, 0x80du);
    expect_fault(e, 0x10600000u, 4, false, false, 0x00du);
    /* Execute-never and privileged-execute-never (fetch permission). */
    struct arm_mmu_result res;
    ck_assert_int_eq(arm_mmu_translate(e->arm, 0x10800000u, TLB_EXEC, false, false, &res), -1);
    ck_assert_uint_eq(res.fsr, 0x01du);
    ck_assert_int_eq(arm_mmu_translate(e->arm, 0x10800000u, TLB_READ, false, false, &res), 0);
    ck_assert_int_eq(arm_mmu_translate(e->arm, 0x10900000u, TLB_EXEC, false, false, &res), -1);
    ck_assert_int_eq(arm_mmu_translate(e->arm, 0x10900000u, TLB_EXEC, true, false, &res), 0);
    /* A fetch from an XN page: prefetch abort with IFSR/IFAR. */
    e->arm->pc = 0x10800000u;
    ck_assert_ptr_null(arm_fetch(e->arm));
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_ABT);
    ck_assert_uint_eq(e->arm->cp15.ifsr, 0x00du);
    ck_assert_uint_eq(e->arm->cp15.ifar, 0x10800000u);
    ck_assert_uint_eq(e->arm->r[14], 0x10800004u);
    env_free(e);
}
END_TEST

START_TEST(access_flag_simplified_model)
{
    struct env *e = env_new("cortex-a15");
    /* With AFE, AP[0] is the access flag and AP[2:1] the permissions. */
    map_l1(e, 0x10000000u, section(0x00100000u, 0, 2, false, false));   /* AF = 0 */
    map_l1(e, 0x10100000u, section(0x00100000u, 0, 3, false, false));   /* AF = 1, RW all */
    map_l1(e, 0x10200000u, section(0x00100000u, 0, 5, false, false));   /* AF = 1, PL1 RO */
    map_table(e, 0x10300000u, 1);
    map_l2(e, 0x10300000u, small_page(0x00100000u, 2, false));
    mmu_on(e, SCTLR_AFE);
    uint32_t v;
    expect_fault(e, 0x10000000u, 4, false, false, 0x003u);
    expect_fault(e, 0x10300000u, 4, true, false, 0x816u);
    ck_assert_int_eq(wr(e, 0x10100000u, 4, true, 1), 0);
    ck_assert_int_eq(rd(e, 0x10200000u, 4, false, &v), 0);
    expect_fault(e, 0x10200000u, 4, false, true, 0x00du);
    expect_fault(e, 0x10200000u, 4, true, false, 0x80du);
    /* The access flag is checked by the walk, before the domain (B3.15
     * TranslationTableWalkSD, then CheckDomain): AF = 0 in a no-access
     * domain is an access flag fault. */
    map_l1(e, 0x10400000u, section(0x00100000u, 3, 0, false, false));
    expect_fault(e, 0x10400000u, 4, false, false, 0x033u);
    env_free(e);
}
END_TEST

START_TEST(external_aborts_and_alignment)
{
    struct env *e = env_new("cortex-a15");
    map_l1(e, 0x10000000u, section(UNMAPPED_PA, 0, 3, false, false));
    map_l1(e, 0x10100000u, UNMAPPED_PA | 1u << 5 | 1u);   /* page table nowhere */
    map_l1(e, 0x10200000u, section(0x00100000u, 0, 3, false, false));
    mmu_on(e, 0);
    expect_fault(e, 0x10000000u, 4, false, false, 0x008u);
    expect_fault(e, 0x10000008u, 1, true, false, 0x808u);
    expect_fault(e, 0x10100000u, 4, false, false, 0x01eu);  /* walk, level 2 (FS 01110) */
    /* Alignment: only with SCTLR.A or a must-be-aligned access. */
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x10200001u, 4, false, &v), 0);
    ck_assert_int_eq(arm_read(e->arm, 0x10200002u, 4, ARM_ACC_ALIGNED, &v), -1);
    ck_assert_uint_eq(e->arm->fault_fsr, 0x001u);
    mcr(e, 1, 0, 0, 0, SCTLR_BITS(SCTLR_M | SCTLR_A));
    expect_fault(e, 0x10200001u, 2, false, false, 0x001u);
    /* Alignment comes before translation (B3.12.1). */
    expect_fault(e, 0x30000001u, 4, true, false, 0x801u);
    ck_assert_int_eq(rd(e, 0x10200002u, 2, false, &v), 0);
    /* The first-level table itself nowhere: FS 01100 on the walk. */
    mcr(e, 2, 0, 0, 0, UNMAPPED_PA);
    mcr(e, 8, 0, 7, 0, 0);                        /* TLBIALL after a table change */
    expect_fault(e, 0x10200000u, 4, false, false, 0x00cu);
    /* The abort takes DFSR/DFAR. */
    e->arm->pc = 0x1000;
    ck_assert_int_eq(arm_data_abort(e->arm), ARM_OK);
    ck_assert_uint_eq(e->arm->cp15.dfsr, 0x00cu);
    ck_assert_uint_eq(e->arm->cp15.dfar, 0x10200000u);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_ABT);
    ck_assert_uint_eq(e->arm->r[14], 0x1008u);
    ck_assert_uint_eq(mrc(e, 5, 0, 0, 0), 0x00cu);
    ck_assert_uint_eq(mrc(e, 6, 0, 0, 0), 0x10200000u);
    env_free(e);
}
END_TEST

START_TEST(ttbcr_split)
{
    struct env *e = env_new("cortex-a15");
    /* N = 2: TTBR0 covers 0..1 GiB with a 4 KiB table, TTBR1 the rest. */
    const uint32_t t0 = 0x10000u, t1 = L1_BASE;
    poke(e, t0 + (0x00000000u >> 20) * 4, section(0x00100000u, 0, 3, false, false));
    poke(e, t0 + (0x3ff00000u >> 20) * 4, section(0x00100000u, 0, 3, false, false));
    poke(e, t1 + (0x40000000u >> 20) * 4, section(0x00000000u, 0, 3, false, false));
    poke(e, t1 + (0x00000000u >> 20) * 4, section(0x00000000u, 0, 3, false, false));
    mcr(e, 2, 0, 0, 2, 2 | 1u << 4 | 1u << 5 | 1u << 31);   /* PD0/PD1/EAE ignored */
    ck_assert_uint_eq(mrc(e, 2, 0, 0, 2), 2);
    mcr(e, 2, 0, 0, 0, t0);
    mcr(e, 2, 0, 0, 1, t1);
    mcr(e, 3, 0, 0, 0, 1);
    mcr(e, 1, 0, 0, 0, SCTLR_BITS(SCTLR_M));
    poke(e, 0x00100040u, 0xaaaa0000u);
    poke(e, 0x00000040u, 0xbbbb0000u);
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x00000040u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0xaaaa0000u);           /* through TTBR0 */
    ck_assert_int_eq(rd(e, 0x3ff00040u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0xaaaa0000u);
    ck_assert_int_eq(rd(e, 0x40000040u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0xbbbb0000u);           /* through TTBR1 */
    expect_fault(e, 0x80000000u, 4, false, false, 0x005u);   /* TTBR1 entry empty */
    env_free(e);
}
END_TEST

START_TEST(tlb_maintenance_and_context_changes)
{
    struct env *e = env_new("cortex-a15");
    map_table(e, 0x30000000u, 0);
    map_l2(e, 0x30000000u, small_page(0x00100000u, 3, false));
    map_l2(e, 0x30001000u, small_page(0x00101000u, 3, false));
    map_l1(e, 0x40000000u, section(0x00100000u, 0, 3, false, false));
    mmu_on(e, 0);
    mcr(e, 13, 0, 0, 1, 5);                       /* CONTEXTIDR: ASID 5 */
    poke(e, 0x00100000u, 1);
    poke(e, 0x00101000u, 2);
    poke(e, 0x00102000u, 3);
    poke(e, 0x00102004u, 4);
    poke(e, 0x00109000u, 0x77u);
    poke(e, 0x00009000u, 0x88u);
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    /* Remap both pages to PA 0x102000 (non-global) without maintenance:
     * the TLB still holds the old translations. */
    map_l2(e, 0x30000000u, small_page(0x00102000u, 3, false) | 1u << 11);
    map_l2(e, 0x30001000u, small_page(0x00102000u, 3, false) | 1u << 11);
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 1);
    /* TLBIMVA of one page (only small pages in the TLB): that page only. */
    mcr(e, 8, 0, 7, 1, 0x30000000u | 5);
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 3);
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 2);
    /* TLBIMVA of a section's first page drops the whole section. */
    int rc = rd(e, 0x40009000u, 4, false, &v);
    ck_assert_uint_eq(e->arm->fault_fsr, 0);
    ck_assert_int_eq(rc, 0);
    ck_assert_uint_eq(v, 0x77u);
    map_l1(e, 0x40000000u, section(0x00000000u, 0, 3, false, false));
    ck_assert_int_eq(rd(e, 0x40009000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x77u);
    mcr(e, 8, 0, 3, 1, 0x40000000u);              /* TLBIMVAIS */
    ck_assert_int_eq(rd(e, 0x40009000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x88u);
    /* A new ASID: the non-global entries go, the global ones may stay. */
    mcr(e, 8, 0, 7, 0, 0);                        /* TLBIALL */
    map_l2(e, 0x30000000u, small_page(0x00101000u, 3, false));
    map_l2(e, 0x30001000u, small_page(0x00102000u, 3, false) | 1u << 11);
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 2);
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 3);
    map_l2(e, 0x30000000u, small_page(0x00100000u, 3, false));
    map_l2(e, 0x30001000u, small_page(0x00100000u, 3, false) | 1u << 11);
    mcr(e, 13, 0, 0, 1, 6);
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 2);                      /* global: still cached */
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 1);                      /* non-global: walked again */
    map_l2(e, 0x30001000u, small_page(0x00102000u, 3, false) | 1u << 11);
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 1);
    /* A DACR change drops only the entries of the domains it changes. */
    map_l1(e, 0x40000000u, section(0x00100000u, 1, 3, false, false));
    mcr(e, 8, 0, 7, 0, 0);
    ck_assert_int_eq(rd(e, 0x40009000u, 4, false, &v), 0);   /* domain 1 */
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);   /* domain 0 */
    map_l1(e, 0x40000000u, section(0x00000000u, 1, 3, false, false));
    map_l2(e, 0x30000000u, small_page(0x00101000u, 3, false));
    mcr(e, 3, 0, 0, 0, 0x3du);                    /* domain 1: client -> manager */
    ck_assert_int_eq(rd(e, 0x40009000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x88u);                  /* walked again */
    ck_assert_int_eq(rd(e, 0x30000000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 1);                      /* domain 0 entry kept */
    mcr(e, 3, 0, 0, 0, 0x35u);
    /* TLBIASID (non-global entries), TLBIMVAA, TLBIALL, DACR. */
    map_l2(e, 0x30001000u, small_page(0x00101000u, 3, false));
    mcr(e, 8, 0, 7, 2, 6);                        /* TLBIASID */
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 2);
    map_l2(e, 0x30001000u, small_page(0x00102000u, 3, false));
    mcr(e, 8, 0, 7, 3, 0x30001000u);              /* TLBIMVAA */
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 3);
    map_l2(e, 0x30001000u, small_page(0x00101000u, 3, false));
    mcr(e, 8, 0, 7, 0, 0);                        /* TLBIALL */
    ck_assert_int_eq(rd(e, 0x30001000u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 2);
    mcr(e, 3, 0, 0, 0, 0x3u);                     /* domain 0 becomes manager */
    map_l2(e, 0x30001000u, small_page(0x00101000u, 0, false));
    ck_assert_int_eq(rd(e, 0x30001000u, 4, true, &v), 0);   /* fresh walk: manager */
    mcr(e, 3, 0, 0, 0, 0x1u);                     /* client again: AP 000 applies */
    expect_fault(e, 0x30001000u, 4, false, true, 0x00fu);
    /* SCTLR.M off: flat again. */
    mcr(e, 1, 0, 0, 0, SCTLR_BITS(0));
    ck_assert_int_eq(rd(e, 0x00102004u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 4);
    env_free(e);
}
END_TEST

START_TEST(unaligned_across_pages_and_big_endian)
{
    struct env *e = env_new("cortex-a7");
    map_table(e, 0x30000000u, 0);
    map_l2(e, 0x30020000u, small_page(0x00120000u, 3, false));
    map_l2(e, 0x30021000u, small_page(0x00150000u, 3, false));   /* not contiguous */
    map_l2(e, 0x30023000u, small_page(0x00130000u, 3, false));
    mmu_on(e, 0);
    ck_assert_int_eq(wr(e, 0x30020ffeu, 4, false, 0x44332211u), 0);
    ck_assert_uint_eq(peek(e, 0x00120ffeu, 2), 0x2211u);
    ck_assert_uint_eq(peek(e, 0x00150000u, 2), 0x4433u);
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x30020ffeu, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x44332211u);
    ck_assert_int_eq(rd(e, 0x30020fffu, 2, true, &v), 0);
    ck_assert_uint_eq(v, 0x3322u);
    /* The second page unmapped: the fault names it, nothing is written. */
    poke(e, 0x00150ffcu, 0x55555555u);
    ck_assert_int_eq(wr(e, 0x30021ffeu, 4, false, 0x12345678u), -1);
    ck_assert_uint_eq(e->arm->fault_fsr, 0x807u);
    ck_assert_uint_eq(e->arm->fault_addr, 0x30022000u);   /* in the page that faulted */
    ck_assert_uint_eq(peek(e, 0x00150ffcu, 4), 0x55555555u);
    /* CPSR.E: every data access byte-reversed per size, TLB unused. */
    poke(e, 0x00130010u, 0x11223344u);
    ck_assert_int_eq(rd(e, 0x30023010u, 4, false, &v), 0);   /* fills the TLB */
    e->arm->cpsr |= PSR_E;
    ck_assert_int_eq(rd(e, 0x30023010u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x44332211u);
    ck_assert_int_eq(rd(e, 0x30023010u, 2, false, &v), 0);
    ck_assert_uint_eq(v, 0x4433u);
    ck_assert_int_eq(rd(e, 0x30023013u, 1, false, &v), 0);
    ck_assert_uint_eq(v, 0x11u);
    ck_assert_int_eq(wr(e, 0x30023020u, 4, false, 0xa1b2c3d4u), 0);
    ck_assert_uint_eq(peek(e, 0x00130020u, 4), 0xd4c3b2a1u);
    ck_assert_int_eq(wr(e, 0x30020fffu, 2, false, 0x0102u), 0);  /* BE, across pages */
    ck_assert_uint_eq(peek(e, 0x00120fffu, 1), 0x01u);
    ck_assert_uint_eq(peek(e, 0x00150000u, 1), 0x02u);
    e->arm->cpsr &= ~PSR_E;
    ck_assert_int_eq(rd(e, 0x30023020u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0xd4c3b2a1u);
    env_free(e);
}
END_TEST

START_TEST(par_results)
{
    struct env *e = env_new("cortex-a15");
    map_l1(e, 0x10000000u, section(0x00100000u, 0, 2, false, false));   /* WB, PL0 RO */
    /* Small page TEX=001 C=1 B=1 (write-back write-allocate), shareable. */
    map_table(e, 0x20000000u, 1);
    map_l2(e, 0x20003000u, small_page(0x00133000u, 3, false) | 1u << 6 | 3u << 2 | 1u << 10);
    map_l2(e, 0x20004000u, small_page(0x00134000u, 3, false) | 1u << 2);   /* device */
    for (unsigned i = 0; i < 16; i++)
        map_l1(e, 0x30000000u + (i << 20), 2u | 1u << 18 | 3u << 10);
    mmu_on(e, 0);
    mcr(e, 7, 0, 8, 0, 0x10012345u);              /* ATS1CPR */
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), 0x00112000u | 7u << 4 | 3u << 2);
    mcr(e, 7, 0, 8, 3, 0x10012345u);              /* ATS1CUW: permission fault */
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), (0x0du << 1) | 1u);
    mcr(e, 7, 0, 8, 2, 0x10012345u);              /* ATS1CUR: fine */
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0) & 1u, 0);
    mcr(e, 7, 0, 8, 1, 0x20003abcu);              /* ATS1CPW */
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), 0x00133000u | 5u << 4 | 1u << 2 | 1u << 7);
    mcr(e, 7, 0, 8, 0, 0x20004000u);
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), 0x00134000u | 3u << 4 | 1u << 7);
    mcr(e, 7, 0, 8, 0, 0x30567000u);              /* supersection: SS */
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), 0x00567000u | 1u << 1 | 1u << 4 | 1u << 7);
    mcr(e, 7, 0, 8, 0, 0x50000000u);              /* translation fault in PAR */
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), (0x05u << 1) | 1u);
    /* TEX remap: index TEX[0]:C:B = 7 -> PRRR TR7 normal, NMRR IR7 = WT,
     * OR7 = WB-WA; the S bit selects PRRR.NS1. */
    mcr(e, 10, 0, 2, 0, 2u << 14 | 1u << 19);
    mcr(e, 10, 0, 2, 1, 2u << 14 | 1u << 30);
    mcr(e, 1, 0, 0, 0, SCTLR_BITS(SCTLR_M | SCTLR_TRE));
    mcr(e, 7, 0, 8, 0, 0x20003000u);
    ck_assert_uint_eq(mrc(e, 7, 0, 4, 0), 0x00133000u | 6u << 4 | 1u << 2 | 1u << 7);
    /* An external abort on the walk is the one fault ATS takes, as a data
     * abort (B4.2.6); PAR keeps its value. */
    map_l1(e, 0x60000000u, UNMAPPED_PA | 1u);
    e->arm->pc = 0x2000;
    e->arm->r[0] = 0x60000123u;
    exec_cp15(e, false, 7, 0, 8, 1);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_ABT);
    ck_assert_uint_eq(e->arm->cp15.dfsr, 0x80eu);
    ck_assert_uint_eq(e->arm->cp15.dfar, 0x60000123u);
    ck_assert_uint_eq(e->arm->r[14], 0x2008u);
    ck_assert_uint_eq(e->arm->cp15.par, 0x00133000u | 6u << 4 | 1u << 2 | 1u << 7);
    arm_write_cpsr(e->arm, MODE_SVC);
    /* ATS12NSO* need the Security Extensions: UNDEFINED. */
    e->arm->r[0] = 0;
    exec_cp15(e, false, 7, 0, 8, 4);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_UND);
    env_free(e);
}
END_TEST

START_TEST(debugger_translate_has_no_side_effects)
{
    struct env *e = env_new("cortex-a15");
    map_l1(e, 0x10000000u, section(0x00100000u, 0, 1, false, false));   /* PL1 only */
    map_l1(e, 0x20000000u, 0x40000000u | 1u);                            /* L2 where no memory is */
    mmu_on(e, 0);
    e->arm->fault_fsr = 0x1234;
    uint64_t misses = e->arm->tlb.misses, pa;
    ck_assert_int_eq(e->cpu->ops->translate(e->cpu, 0x10000004u, CPU_ACCESS_WRITE, &pa), 0);
    ck_assert_uint_eq(pa, 0x00100004u);
    ck_assert_int_ne(e->cpu->ops->translate(e->cpu, 0x20000000u, CPU_ACCESS_READ, &pa), 0);
    ck_assert_uint_eq(e->arm->tlb.misses, misses);
    ck_assert_uint_eq(e->arm->fault_fsr, 0x1234);
    ck_assert_uint_eq(e->arm->cpsr & PSR_MODE, MODE_SVC);
    /* From user mode the PL1-only section is not visible. */
    ck_assert_int_eq(e->cpu->ops->reg_set(e->cpu, 16, MODE_USR), 0);
    ck_assert_int_ne(e->cpu->ops->translate(e->cpu, 0x10000004u, CPU_ACCESS_READ, &pa), 0);
    env_free(e);
}
END_TEST

START_TEST(older_models_keep_the_identity)
{
    struct env *e = env_new("arm926ej-s");
    e->arm->sctlr |= SCTLR_M | SCTLR_A;   /* no MMU model on the ARMv5 core */
    poke(e, 0x100u, 0x01020304u);
    uint32_t v;
    ck_assert_int_eq(rd(e, 0x101u, 4, false, &v), 0);   /* no alignment fault on v5 */
    /* Misaligned across the end of RAM: the bus path, an external abort,
     * never a host access past the region. */
    ck_assert_int_eq(rd(e, RAM_SIZE - 2, 4, false, &v), -1);
    ck_assert_int_eq(wr(e, RAM_SIZE - 1, 2, false, 0xffff), -1);
    e->arm->cpsr |= PSR_E;   /* bit 9 has no meaning before ARMv6 */
    ck_assert_int_eq(rd(e, 0x100u, 4, false, &v), 0);
    ck_assert_uint_eq(v, 0x01020304u);
    env_free(e);
}
END_TEST

/* The whole chain with real instructions: a user-mode load faults on an
 * unmapped page, the abort handler reads DFSR/DFAR, maps the page, drops
 * the TLB entry and returns with SUBS pc, lr, #8, and the load is retried. */
START_TEST(user_fault_handled_and_retried)
{
    struct env *e = env_new("cortex-a15");
    map_l1(e, 0x00000000u, section(0x00000000u, 0, 3, false, false));
    map_table(e, 0x30000000u, 0);
    static const uint32_t user[] = {
        0xe5910000u, /* ldr r0, [r1] */
        0xe3a02007u, /* mov r2, #7 */
        0xeafffffeu, /* b . */
    };
    static const uint32_t handler[] = {
        0xee154f10u, /* mrc p15, 0, r4, c5, c0, 0   DFSR */
        0xee165f10u, /* mrc p15, 0, r5, c6, c0, 0   DFAR */
        0xe5889000u, /* str r9, [r8]                the page's descriptor */
        0xee08af37u, /* mcr p15, 0, r10, c8, c7, 1  TLBIMVA */
        0xe25ef008u, /* subs pc, lr, #8 */
    };
    for (unsigned i = 0; i < 3; i++)
        poke(e, 0x2000u + 4 * i, user[i]);
    for (unsigned i = 0; i < 5; i++)
        poke(e, 0x3000u + 4 * i, handler[i]);
    poke(e, 0x10u, 0xea000bfau);                 /* data abort vector: b 0x3000 */
    poke(e, 0x00100010u, 0x5a5a5a5au);
    mmu_on(e, 0);
    struct arm_cpu *c = e->arm;
    arm_write_cpsr(c, MODE_USR);
    c->r[1] = 0x30000010u;
    c->r[8] = L2_BASE;                           /* the entry of VA 0x30000000 */
    c->r[9] = small_page(0x00100000u, 3, false);
    c->r[10] = 0x30000000u;
    c->pc = 0x2000u;
    e->cpu->ops->run(e->cpu, 12);
    ck_assert_uint_eq(c->cpsr & PSR_MODE, MODE_USR);
    ck_assert_uint_eq(c->r[4], 0x007u);          /* translation fault, page, domain 0 */
    ck_assert_uint_eq(c->r[5], 0x30000010u);
    ck_assert_uint_eq(c->r[0], 0x5a5a5a5au);
    ck_assert_uint_eq(c->r[2], 7);
    ck_assert_uint_eq(c->pc, 0x2008u);
    env_free(e);
}
END_TEST

static Suite *mmu_suite(void)
{
    Suite *s = suite_create("arm_mmu");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, sections_and_supersections);
    tcase_add_test(tc, large_and_small_pages);
    tcase_add_test(tc, domains_and_permissions);
    tcase_add_test(tc, access_flag_simplified_model);
    tcase_add_test(tc, external_aborts_and_alignment);
    tcase_add_test(tc, ttbcr_split);
    tcase_add_test(tc, tlb_maintenance_and_context_changes);
    tcase_add_test(tc, unaligned_across_pages_and_big_endian);
    tcase_add_test(tc, par_results);
    tcase_add_test(tc, debugger_translate_has_no_side_effects);
    tcase_add_test(tc, older_models_keep_the_identity);
    tcase_add_test(tc, user_fault_handled_and_retried);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(mmu_suite());
}
