/* CP15, the system control coprocessor.
 *
 * ARMv7 models (ARM ARM v7 DDI 0406C B4.1, the register summaries of B3.17
 * and B3.18; identification values from the Cortex-A15 (DDI 0438) and
 * Cortex-A7 (DDI 0464) TRMs, adjusted to what this core implements: no
 * Security or Virtualization Extensions, no LPAE, no VFP/NEON, no ThumbEE,
 * no memory-mapped debug or trace, no performance monitors; CP14 debug in
 * arm_debug.c). Registers are found in
 * a table by (CRn, opc1, CRm, opc2) and carry their access rights; an
 * unknown encoding, a PL0 access to a PL1-only register, a read of a
 * write-only operation or a write of a read-only register is UNDEFINED
 * (B3.17.1). CRn = 14 belongs to the Generic Timer (arm_gtimer.c).
 *
 * The arm926ej-s keeps its lenient ARMv5 subset (DDI 0198E §2.3): unknown
 * registers read as zero and ignore writes. */
#include "isa-arm/arm_gtimer.h"
#include "isa-arm/arm_internal.h"

#include "machine/state.h"

/* ---- identification (per model) ------------------------------------- */

struct arm_id_regs {
    uint32_t midr, ctr, tcmtr, tlbtr, revidr, aidr, clidr;
    uint32_t ccsidr[3];          /* L1 data, L1 instruction, L2 unified */
    uint32_t pfr[2], dfr0, afr0, mmfr[4], isar[6];
};

/* Values that differ from the TRMs, on purpose (the features are absent):
 * ID_PFR0.State3 (ThumbEE) = 0; ID_PFR1 = ARMv4 programmers' model and the
 * Generic Timer only (no Security/Virtualization); ID_DFR0 = 5 (v7.1
 * debug through CP14 only: no memory-mapped debug, no trace, no PMU);
 * ID_MMFR0.VMSA = 4 (VMSAv7 with PXN, no LPAE);
 * ID_MMFR3.CMemSz = 0 (32-bit physical addresses); ID_ISAR3.ThumbEE = 0;
 * ID_ISAR4.SMC = 0. ID_ISAR0.Divide = 2 (SDIV/UDIV in ARM and Thumb). */
static const struct arm_id_regs cortex_a15_ids = {
    .midr = 0x412fc0f1u, .ctr = 0x8444c004u, .tcmtr = 0, .tlbtr = 0, .revidr = 0, .aidr = 0,
    .clidr = 0x0a200023u, .ccsidr = { 0x701fe00au, 0x201fe00au, 0x711fe07au },
    .pfr = { 0x00000131u, 0x00010001u }, .dfr0 = 0x5u, .afr0 = 0,
    .mmfr = { 0x10201104u, 0x20000000u, 0x01240000u, 0x00102211u },
    .isar = { 0x02101110u, 0x13112111u, 0x21232041u, 0x01112131u, 0x10010142u, 0 },
};

static const struct arm_id_regs cortex_a7_ids = {
    .midr = 0x410fc075u, .ctr = 0x84448003u, .tcmtr = 0, .tlbtr = 0, .revidr = 0, .aidr = 0,
    .clidr = 0x0a200023u, .ccsidr = { 0x701fe00au, 0x201fe00au, 0x707fe07au },
    .pfr = { 0x00000131u, 0x00010001u }, .dfr0 = 0x5u, .afr0 = 0,
    .mmfr = { 0x10101104u, 0x40000000u, 0x01240000u, 0x00102211u },
    .isar = { 0x02101110u, 0x13112111u, 0x21232041u, 0x01112131u, 0x10010142u, 0 },
};

static const struct arm_id_regs *model_ids(const struct arm_cpu *c)
{
    return c->model == ARM_MODEL_CORTEX_A7 ? &cortex_a7_ids : &cortex_a15_ids;
}

/* MPIDR (Cortex-A15/A7 TRM 4.3.5): Multiprocessing Extensions format
 * (bit 31), U = 0 (both TRMs give only "part of a multiprocessor system"),
 * cluster ID in bits 11:8, CPU ID in bits 1:0 (up to four per cluster). */
static uint32_t mpidr_value(const struct arm_cpu *c)
{
    unsigned index = c->cpu.index;
    return 0x80000000u | ((index >> 2) & 0xfu) << 8 | (index & 3u);
}

/* ---- the register table ------------------------------------------------ */

#define CP15_ENC(crn, opc1, crm, opc2) ((crn) << 12 | (opc1) << 8 | (crm) << 4 | (opc2))

enum cp15_access {
    PL1_R = 1, PL1_W = 2, PL0_R = 4, PL0_W = 8,
    PL1_RW = PL1_R | PL1_W, PL0_RW = PL0_R | PL0_W | PL1_RW,
    BARRIER = 16,   /* a write at PL0 or PL1, if SCTLR.CP15BEN is set */
};

enum cp15_reg {
    R_MIDR, R_CTR, R_TCMTR, R_TLBTR, R_MPIDR, R_REVIDR,
    R_ID_PFR0, R_ID_PFR1, R_ID_DFR0, R_ID_AFR0, R_ID_MMFR0, R_ID_MMFR1, R_ID_MMFR2,
    R_ID_MMFR3, R_ID_ISAR0, R_ID_ISAR1, R_ID_ISAR2, R_ID_ISAR3, R_ID_ISAR4, R_ID_ISAR5,
    R_RAZ, R_CCSIDR, R_CLIDR, R_AIDR, R_CSSELR,
    R_SCTLR, R_ACTLR, R_CPACR, R_TTBR0, R_TTBR1, R_TTBCR, R_DACR,
    R_DFSR, R_IFSR, R_ADFSR, R_AIFSR, R_DFAR, R_IFAR,
    R_NOP, R_CACHE_OP, R_PAR, R_ATS1C, R_BARRIER, R_L2CTLR, R_L2ECTLR,
    R_TLBI_ALL, R_TLBI_MVA, R_TLBI_ASID, R_TLBI_MVAA,
    R_PRRR, R_NMRR, R_VBAR, R_FCSEIDR, R_CONTEXTIDR, R_TPIDRURW, R_TPIDRURO, R_TPIDRPRW,
};

struct cp15_desc {
    uint16_t enc;        /* CP15_ENC(CRn, opc1, CRm, opc2) */
    uint8_t reg;         /* enum cp15_reg */
    uint8_t access;      /* enum cp15_access */
};

/* Every ARMv7 CP15 register and operation of these models, sorted by
 * (CRn, opc1, CRm, opc2) as in B3.17.2 (cp15_find relies on the order).
 * CRn = 0, opc1 = 0, CRm = c3..c7 and the unused c2 slots read as zero
 * (B3.17.2, "RAZ"); the two MIDR aliases are opc2 = 4 and 7 (B4.1.105).
 * ATS12NSO* (c7, 0, c8, 4..7) need the Security Extensions: absent, so
 * UNDEFINED. */
static const struct cp15_desc cp15_table[] = {
    { CP15_ENC(0, 0, 0, 0), R_MIDR, PL1_R },       /* MIDR */
    { CP15_ENC(0, 0, 0, 1), R_CTR, PL1_R },        /* CTR */
    { CP15_ENC(0, 0, 0, 2), R_TCMTR, PL1_R },      /* TCMTR */
    { CP15_ENC(0, 0, 0, 3), R_TLBTR, PL1_R },      /* TLBTR */
    { CP15_ENC(0, 0, 0, 4), R_MIDR, PL1_R },       /* MIDR alias */
    { CP15_ENC(0, 0, 0, 5), R_MPIDR, PL1_R },      /* MPIDR */
    { CP15_ENC(0, 0, 0, 6), R_REVIDR, PL1_R },     /* REVIDR */
    { CP15_ENC(0, 0, 0, 7), R_MIDR, PL1_R },       /* MIDR alias */
    { CP15_ENC(0, 0, 1, 0), R_ID_PFR0, PL1_R },
    { CP15_ENC(0, 0, 1, 1), R_ID_PFR1, PL1_R },
    { CP15_ENC(0, 0, 1, 2), R_ID_DFR0, PL1_R },
    { CP15_ENC(0, 0, 1, 3), R_ID_AFR0, PL1_R },
    { CP15_ENC(0, 0, 1, 4), R_ID_MMFR0, PL1_R },
    { CP15_ENC(0, 0, 1, 5), R_ID_MMFR1, PL1_R },
    { CP15_ENC(0, 0, 1, 6), R_ID_MMFR2, PL1_R },
    { CP15_ENC(0, 0, 1, 7), R_ID_MMFR3, PL1_R },
    { CP15_ENC(0, 0, 2, 0), R_ID_ISAR0, PL1_R },
    { CP15_ENC(0, 0, 2, 1), R_ID_ISAR1, PL1_R },
    { CP15_ENC(0, 0, 2, 2), R_ID_ISAR2, PL1_R },
    { CP15_ENC(0, 0, 2, 3), R_ID_ISAR3, PL1_R },
    { CP15_ENC(0, 0, 2, 4), R_ID_ISAR4, PL1_R },
    { CP15_ENC(0, 0, 2, 5), R_ID_ISAR5, PL1_R },
    { CP15_ENC(0, 0, 2, 6), R_RAZ, PL1_R },
    { CP15_ENC(0, 0, 2, 7), R_RAZ, PL1_R },
    { CP15_ENC(0, 1, 0, 0), R_CCSIDR, PL1_R },     /* CCSIDR (selected by CSSELR) */
    { CP15_ENC(0, 1, 0, 1), R_CLIDR, PL1_R },
    { CP15_ENC(0, 1, 0, 7), R_AIDR, PL1_R },
    { CP15_ENC(0, 2, 0, 0), R_CSSELR, PL1_RW },
    { CP15_ENC(1, 0, 0, 0), R_SCTLR, PL1_RW },
    { CP15_ENC(1, 0, 0, 1), R_ACTLR, PL1_RW },
    { CP15_ENC(1, 0, 0, 2), R_CPACR, PL1_RW },
    { CP15_ENC(2, 0, 0, 0), R_TTBR0, PL1_RW },
    { CP15_ENC(2, 0, 0, 1), R_TTBR1, PL1_RW },
    { CP15_ENC(2, 0, 0, 2), R_TTBCR, PL1_RW },
    { CP15_ENC(3, 0, 0, 0), R_DACR, PL1_RW },
    { CP15_ENC(5, 0, 0, 0), R_DFSR, PL1_RW },
    { CP15_ENC(5, 0, 0, 1), R_IFSR, PL1_RW },
    { CP15_ENC(5, 0, 1, 0), R_ADFSR, PL1_RW },
    { CP15_ENC(5, 0, 1, 1), R_AIFSR, PL1_RW },
    { CP15_ENC(6, 0, 0, 0), R_DFAR, PL1_RW },
    { CP15_ENC(6, 0, 0, 2), R_IFAR, PL1_RW },
    { CP15_ENC(7, 0, 0, 4), R_NOP, PL1_W },        /* was CP15WFI: a NOP on v7 (B1.6.9) */
    { CP15_ENC(7, 0, 1, 0), R_CACHE_OP, PL1_W },   /* ICIALLUIS */
    { CP15_ENC(7, 0, 1, 6), R_CACHE_OP, PL1_W },   /* BPIALLIS */
    { CP15_ENC(7, 0, 4, 0), R_PAR, PL1_RW },       /* PAR */
    { CP15_ENC(7, 0, 5, 0), R_CACHE_OP, PL1_W },   /* ICIALLU */
    { CP15_ENC(7, 0, 5, 1), R_CACHE_OP, PL1_W },   /* ICIMVAU */
    { CP15_ENC(7, 0, 5, 4), R_BARRIER, BARRIER },  /* CP15ISB */
    { CP15_ENC(7, 0, 5, 6), R_CACHE_OP, PL1_W },   /* BPIALL */
    { CP15_ENC(7, 0, 5, 7), R_CACHE_OP, PL1_W },   /* BPIMVA */
    { CP15_ENC(7, 0, 6, 1), R_CACHE_OP, PL1_W },   /* DCIMVAC */
    { CP15_ENC(7, 0, 6, 2), R_CACHE_OP, PL1_W },   /* DCISW */
    { CP15_ENC(7, 0, 8, 0), R_ATS1C, PL1_W },      /* ATS1CPR */
    { CP15_ENC(7, 0, 8, 1), R_ATS1C, PL1_W },      /* ATS1CPW */
    { CP15_ENC(7, 0, 8, 2), R_ATS1C, PL1_W },      /* ATS1CUR */
    { CP15_ENC(7, 0, 8, 3), R_ATS1C, PL1_W },      /* ATS1CUW */
    { CP15_ENC(7, 0, 10, 1), R_CACHE_OP, PL1_W },  /* DCCMVAC */
    { CP15_ENC(7, 0, 10, 2), R_CACHE_OP, PL1_W },  /* DCCSW */
    { CP15_ENC(7, 0, 10, 4), R_BARRIER, BARRIER }, /* CP15DSB */
    { CP15_ENC(7, 0, 10, 5), R_BARRIER, BARRIER }, /* CP15DMB */
    { CP15_ENC(7, 0, 11, 1), R_CACHE_OP, PL1_W },  /* DCCMVAU */
    { CP15_ENC(7, 0, 14, 1), R_CACHE_OP, PL1_W },  /* DCCIMVAC */
    { CP15_ENC(7, 0, 14, 2), R_CACHE_OP, PL1_W },  /* DCCISW */
    { CP15_ENC(8, 0, 3, 0), R_TLBI_ALL, PL1_W },   /* TLBIALLIS */
    { CP15_ENC(8, 0, 3, 1), R_TLBI_MVA, PL1_W },   /* TLBIMVAIS */
    { CP15_ENC(8, 0, 3, 2), R_TLBI_ASID, PL1_W },  /* TLBIASIDIS */
    { CP15_ENC(8, 0, 3, 3), R_TLBI_MVAA, PL1_W },  /* TLBIMVAAIS */
    { CP15_ENC(8, 0, 5, 0), R_TLBI_ALL, PL1_W },   /* ITLBIALL */
    { CP15_ENC(8, 0, 5, 1), R_TLBI_MVA, PL1_W },   /* ITLBIMVA */
    { CP15_ENC(8, 0, 5, 2), R_TLBI_ASID, PL1_W },  /* ITLBIASID */
    { CP15_ENC(8, 0, 6, 0), R_TLBI_ALL, PL1_W },   /* DTLBIALL */
    { CP15_ENC(8, 0, 6, 1), R_TLBI_MVA, PL1_W },   /* DTLBIMVA */
    { CP15_ENC(8, 0, 6, 2), R_TLBI_ASID, PL1_W },  /* DTLBIASID */
    { CP15_ENC(8, 0, 7, 0), R_TLBI_ALL, PL1_W },   /* TLBIALL */
    { CP15_ENC(8, 0, 7, 1), R_TLBI_MVA, PL1_W },   /* TLBIMVA */
    { CP15_ENC(8, 0, 7, 2), R_TLBI_ASID, PL1_W },  /* TLBIASID */
    { CP15_ENC(8, 0, 7, 3), R_TLBI_MVAA, PL1_W },  /* TLBIMVAA */
    { CP15_ENC(9, 1, 0, 2), R_L2CTLR, PL1_RW },    /* L2CTLR (A15/A7 TRM 4.3.x) */
    { CP15_ENC(9, 1, 0, 3), R_L2ECTLR, PL1_RW },   /* L2ECTLR */
    { CP15_ENC(10, 0, 2, 0), R_PRRR, PL1_RW },
    { CP15_ENC(10, 0, 2, 1), R_NMRR, PL1_RW },
    { CP15_ENC(12, 0, 0, 0), R_VBAR, PL1_RW },
    { CP15_ENC(13, 0, 0, 0), R_FCSEIDR, PL1_RW },  /* FCSE absent: RAZ/WI */
    { CP15_ENC(13, 0, 0, 1), R_CONTEXTIDR, PL1_RW },
    { CP15_ENC(13, 0, 0, 2), R_TPIDRURW, PL0_RW },
    { CP15_ENC(13, 0, 0, 3), R_TPIDRURO, PL1_RW | PL0_R },
    { CP15_ENC(13, 0, 0, 4), R_TPIDRPRW, PL1_RW },
};

static const struct cp15_desc *cp15_find(unsigned crn, unsigned opc1, unsigned crm, unsigned opc2)
{
    static const struct cp15_desc raz = { 0, R_RAZ, PL1_R };
    unsigned enc = CP15_ENC(crn, opc1, crm, opc2);
    /* Binary search: the table is in encoding order (TPIDRURO is read on
     * every `current` of a Linux guest, cache set/way loops issue tens of
     * thousands of operations). */
    size_t lo = 0, hi = sizeof cp15_table / sizeof cp15_table[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp15_table[mid].enc == enc)
            return &cp15_table[mid];
        if (cp15_table[mid].enc < enc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (crn == 0 && opc1 == 0 && crm >= 3 && crm <= 7)
        return &raz;   /* reserved feature ID space: RAZ (B3.17.2) */
    return NULL;
}

/* ---- SCTLR (B4.1.130) ---------------------------------------------------- */

/* Writable: M, A, C, CP15BEN, SW, Z, I, V, RR, FI, EE, TRE, AFE, TE. Read as
 * one: bits 3, 4, 6, 16, 18, U (22) and XP (23); everything else (B, HA,
 * WXN, UWXN, VE, NMFI) reads as zero. SCTLR.EE = 1 is supported: exceptions
 * are then taken with CPSR.E = 1 and translation table walks are
 * big-endian. */
#define SCTLR_V7_WRITABLE 0x72207c27u
#define SCTLR_V7_ONES     0x00c50058u
#define SCTLR_V7_RESET    0x00c50078u

/* ---- ARMv7 reads and writes -------------------------------------------- */

static uint32_t ccsidr_value(const struct arm_cpu *c)
{
    const struct arm_id_regs *id = model_ids(c);
    switch (c->cp15.csselr & 0xfu) {
    case 0: return id->ccsidr[0];   /* level 1 data */
    case 1: return id->ccsidr[1];   /* level 1 instruction */
    case 2: return id->ccsidr[2];   /* level 2 unified */
    default: return 0;              /* no such cache: UNKNOWN */
    }
}

static uint32_t cp15_read(struct arm_cpu *c, enum cp15_reg reg)
{
    const struct arm_id_regs *id = model_ids(c);
    const struct arm_cp15 *p = &c->cp15;
    switch (reg) {
    case R_MIDR: return id->midr;
    case R_CTR: return id->ctr;
    case R_TCMTR: return id->tcmtr;
    case R_TLBTR: return id->tlbtr;
    case R_MPIDR: return mpidr_value(c);
    case R_REVIDR: return id->revidr;
    case R_ID_PFR0: return id->pfr[0];
    case R_ID_PFR1: return id->pfr[1];
    case R_ID_DFR0: return id->dfr0;
    case R_ID_AFR0: return id->afr0;
    case R_ID_MMFR0: case R_ID_MMFR1: case R_ID_MMFR2: case R_ID_MMFR3:
        return id->mmfr[reg - R_ID_MMFR0];
    case R_ID_ISAR0: case R_ID_ISAR1: case R_ID_ISAR2: case R_ID_ISAR3: case R_ID_ISAR4:
    case R_ID_ISAR5:
        return id->isar[reg - R_ID_ISAR0];
    case R_CCSIDR: return ccsidr_value(c);
    case R_CLIDR: return id->clidr;
    case R_AIDR: return id->aidr;
    case R_CSSELR: return p->csselr;
    case R_SCTLR: return c->sctlr;
    case R_ACTLR: return p->actlr;
    case R_CPACR: return p->cpacr;
    case R_TTBR0: return p->ttbr0;
    case R_TTBR1: return p->ttbr1;
    case R_TTBCR: return p->ttbcr;
    case R_DACR: return p->dacr;
    case R_DFSR: return p->dfsr;
    case R_IFSR: return p->ifsr;
    case R_ADFSR: return p->adfsr;
    case R_AIFSR: return p->aifsr;
    case R_DFAR: return p->dfar;
    case R_IFAR: return p->ifar;
    case R_PAR: return p->par;
    case R_PRRR: return p->prrr;
    case R_NMRR: return p->nmrr;
    case R_VBAR: return p->vbar;
    case R_CONTEXTIDR: return p->contextidr;
    case R_TPIDRURW: return p->tpidrurw;
    case R_TPIDRURO: return p->tpidruro;
    case R_TPIDRPRW: return p->tpidrprw;
    case R_L2CTLR: return p->l2ctlr;   /* bits 25:24 (cores - 1) read 0 */
    case R_L2ECTLR: return p->l2ectlr;
    default: return 0;   /* R_RAZ, R_FCSEIDR */
    }
}

/* ATS1CPR/ATS1CPW/ATS1CUR/ATS1CUW (B4.2.4): translates va as a PL1/PL0
 * read/write would and puts the result in PAR (B4.1.112): PA[31:12] and
 * the attributes, or F = 1 with FS (bits 6:1 = FSR bits 12, 10, 3:0).
 * Only an external abort on the walk is taken, as a data abort with
 * DFSR/DFAR (PAR UNKNOWN: left as it was); every other fault goes to PAR
 * alone (B4.2.6). Returns true when the abort was taken. */
static bool address_translate(struct arm_cpu *c, unsigned opc2, uint32_t va)
{
    struct arm_mmu_result res;
    bool user = opc2 >= 2, write = opc2 & 1u;
    if (arm_mmu_translate(c, va, write ? TLB_WRITE : TLB_READ, user, false, &res) == 0) {
        c->cp15.par = res.par;
        return false;
    }
    unsigned fs = (res.fsr & 0xfu) | ((res.fsr >> 6) & 0x10u);
    if (fs == FS_WALK_EXTERNAL_L1 || fs == FS_WALK_EXTERNAL_L2) {
        c->fault_fsr = res.fsr;
        c->fault_addr = va;
        (void)arm_data_abort(c);
        return true;
    }
    c->cp15.par = (uint32_t)fs << 1 | 1u;
    return false;
}

static void cp15_write(struct arm_cpu *c, enum cp15_reg reg, uint32_t v)
{
    struct arm_cp15 *p = &c->cp15;
    switch (reg) {
    case R_CSSELR: p->csselr = v & 0xfu; break;
    case R_SCTLR: {
        uint32_t nv = (v & SCTLR_V7_WRITABLE) | SCTLR_V7_ONES;
        if (nv != c->sctlr)
            arm_tlb_flush(c);   /* M, AFE, TRE, EE change translations */
        c->sctlr = nv;
        break;
    }
    case R_ACTLR: p->actlr = v; break;
    case R_CPACR: break;        /* no coprocessor to grant: cp10/cp11 read as zero */
    case R_TTBR0: case R_TTBR1:
        /* The architecture asks software to maintain the TLB after a table
         * change; the non-global entries go here anyway (a new table
         * usually comes with a new address space), the global ones (the
         * kernel's, the same in every table) stay. */
        if (reg == R_TTBR0)
            p->ttbr0 = v;
        else
            p->ttbr1 = v;
        arm_tlb_flush_attrs(c, ARM_TLB_NG);
        break;
    case R_TTBCR:
        /* Only N: EAE is RAZ/WI without LPAE, PD0/PD1 without the Security
         * Extensions (B4.1.153). */
        p->ttbcr = v & 7u;
        arm_tlb_flush(c);
        break;
    case R_DACR: {
        /* Only the entries of the domains whose field changed (an entry's
         * rights depend on its own domain alone): a guest that toggles the
         * user domain around every user access keeps its kernel entries. */
        uint32_t changed = v ^ p->dacr, domains = 0;
        for (unsigned d = 0; d < 16; d++)
            if ((changed >> (2 * d)) & 3u)
                domains |= 1u << d;
        if (domains)
            arm_tlb_flush_attrs(c, domains);
        p->dacr = v;
        break;
    }
    case R_DFSR: p->dfsr = v & 0x3cffu; break;   /* CM, ExT, WnR, FS, domain */
    case R_IFSR: p->ifsr = v & 0x140fu; break;   /* ExT, FS */
    case R_ADFSR: p->adfsr = v; break;
    case R_AIFSR: p->aifsr = v; break;
    case R_DFAR: p->dfar = v; break;
    case R_IFAR: p->ifar = v; break;
    case R_PAR: p->par = v & 0xfffff6ffu; break;
    case R_ATS1C: break;        /* cp15_v7 */
    case R_TLBI_ALL:
        arm_tlb_flush(c);
        break;
    case R_TLBI_ASID:
        /* The soft TLB keeps no ASID tags: it only ever holds non-global
         * entries of the current ASID (they go whenever CONTEXTIDR
         * changes), so by-ASID drops every non-global entry, whatever the
         * ASID given. Global entries stay, as the architecture says. */
        arm_tlb_flush_attrs(c, ARM_TLB_NG);
        break;
    case R_TLBI_MVA: case R_TLBI_MVAA:
        arm_tlb_flush_va(c, v & 0xfffff000u);
        break;
    case R_PRRR: p->prrr = v; break;   /* attributes only reach the PAR */
    case R_NMRR: p->nmrr = v; break;
    case R_VBAR: p->vbar = v & ~0x1fu; break;
    case R_CONTEXTIDR:
        if ((v ^ p->contextidr) & 0xffu)
            arm_tlb_flush_attrs(c, ARM_TLB_NG);   /* a new ASID: non-global entries go */
        p->contextidr = v;
        break;
    case R_TPIDRURW: p->tpidrurw = v; break;
    case R_TPIDRURO: p->tpidruro = v; break;
    case R_TPIDRPRW: p->tpidrprw = v; break;
    /* The L2 RAM latencies and the L2ECTLR controls are stored without
     * effect (there is no L2 model); the processor count field is read-only. */
    case R_L2CTLR: p->l2ctlr = v & ~0x03000000u; break;
    case R_L2ECTLR: p->l2ectlr = v; break;
    default: break;             /* NOP, cache and barrier operations, RAZ/WI */
    }
}

/* MRC p15 with Rt = 15 sets the APSR flags from bits 31:28 (A8.8.108). */
static void mrc_result(struct arm_cpu *c, unsigned rt, uint32_t v)
{
    if (rt == 15)
        c->cpsr = (c->cpsr & 0x0fffffffu) | (v & 0xf0000000u);
    else
        c->r[rt] = v;
}

static int undefined(struct arm_cpu *c)
{
    arm_take_exception(c, EXC_UND);
    return ARM_OK;
}

static int cp15_v7(struct arm_cpu *c, const struct arm_rec *r)
{
    bool read = r->flags & RF_L;
    bool pl0 = !arm_privileged(c);
    if (r->rn == 14) {
        uint32_t v = read ? 0 : c->r[r->rd];
        int rc = read ? arm_gtimer_mrc(c, r->op, r->rm, r->shift, &v)
                      : arm_gtimer_mcr(c, r->op, r->rm, r->shift, v);
        if (rc)
            return undefined(c);
        if (read)
            mrc_result(c, r->rd, v);
        return ARM_OK;
    }
    const struct cp15_desc *d = cp15_find(r->rn, r->op, r->rm, r->shift);
    if (!d)
        return undefined(c);
    unsigned need = read ? (pl0 ? PL0_R : PL1_R) : (pl0 ? PL0_W : PL1_W);
    if (d->access & BARRIER) {
        /* CP15ISB/DSB/DMB: writes only, at any level, while CP15BEN is
         * set (B4.1.130); a single in-order core needs nothing done. */
        if (read || !(c->sctlr & SCTLR_CP15BEN))
            return undefined(c);
        return ARM_OK;
    }
    if (!(d->access & need))
        return undefined(c);
    if (read)
        mrc_result(c, r->rd, cp15_read(c, (enum cp15_reg)d->reg));
    else if (d->reg == R_ATS1C)
        address_translate(c, r->shift, c->r[r->rd]);
    else
        cp15_write(c, (enum cp15_reg)d->reg, c->r[r->rd]);
    return ARM_OK;
}

/* ---- arm926ej-s (DDI 0198E §2.3) ---------------------------------------- */

static int cp15_arm926(struct arm_cpu *c, const struct arm_rec *r)
{
    if (!arm_privileged(c) || r->op != 0)
        return undefined(c);
    if (r->flags & RF_L) {
        uint32_t v;
        if (r->rn == 0 && r->shift == 0)
            v = 0x41069265u;          /* MIDR: ARM, v5TEJ, ARM926, r0p5 */
        else if (r->rn == 0 && r->shift == 1)
            v = 0x1dd20d2u;           /* CTR: 16 KiB I/D caches, 8 words/line */
        else if (r->rn == 1 && r->shift == 0)
            v = c->sctlr;
        else
            v = 0;                    /* unimplemented registers read as zero */
        mrc_result(c, r->rd, v);
        return ARM_OK;
    }
    uint32_t v = c->r[r->rd];
    if (r->rn == 1 && r->shift == 0) {
        /* Only V (high vectors) has an effect without an MMU; the SBO bits
         * 6:3 and 16/18 read as one. */
        c->sctlr = (v & 0x0000f385u) | 0x00050078u;
    } else if (r->rn == 7 && r->rm == 0 && r->shift == 4) {
        /* Wait for interrupt (ARM926EJ-S TRM 2.3.8): the core stops until
         * an IRQ or FIQ is asserted, whether or not CPSR masks it; one that
         * is already asserted makes it complete at once. */
        if (c->irq_line || c->fiq_line)
            return ARM_OK;
        c->waiting = true;
        return ARM_STOP_IDLE;
    }
    /* Cache and TLB maintenance: nothing is cached that needs it. */
    return ARM_OK;
}

/* MRC/MCR p15: rd = Rt, rn = CRn, rm = CRm, op = opc1, shift = opc2,
 * RF_L = MRC. */
int arm_exec_cp15(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->arch >= ARM_V7)
        return cp15_v7(c, r);
    return cp15_arm926(c, r);
}

/* MCRR/MRRC p15 (B3.17.1: 64-bit registers): without LPAE the only ones
 * are the Generic Timer's (CRm = 14); everything else is UNDEFINED, as is
 * every 64-bit access on the arm926ej-s. */
int arm_exec_cp15_64(struct arm_cpu *c, const struct arm_rec *r)
{
    if (c->arch < ARM_V7 || r->rm != 14)
        return undefined(c);
    if (r->flags & RF_L) {
        uint64_t v;
        if (arm_gtimer_mrrc(c, r->op, &v))
            return undefined(c);
        c->r[r->rd] = (uint32_t)v;
        c->r[r->rn] = (uint32_t)(v >> 32);
        return ARM_OK;
    }
    uint64_t v = (uint64_t)c->r[r->rn] << 32 | c->r[r->rd];
    if (arm_gtimer_mcrr(c, r->op, v))
        return undefined(c);
    return ARM_OK;
}

/* ---- reset and save/load --------------------------------------------- */

/* Reset values (B4.1.130 and the TRMs): MMU, caches and alignment checks
 * off, low vectors (VINITHI low), little-endian exceptions in ARM state. */
void arm_cp15_reset(struct arm_cpu *c)
{
    memset(&c->cp15, 0, sizeof c->cp15);
    if (c->arch >= ARM_V7)
        c->sctlr = SCTLR_V7_RESET;
    else
        c->sctlr = c->arch >= ARM_V5TE ? 0x00050078u : 0;
    /* PRRR/NMRR, TTBRs, DACR, VBAR...: UNKNOWN or zero at reset (B4.1);
     * zero here. */
    c->fault_fsr = c->fault_addr = 0;
    arm_debug_reset(c);
}

void arm_cp15_save(const struct arm_cpu *c, struct state_writer *w)
{
    const struct arm_cp15 *p = &c->cp15;
    const uint32_t fields[] = {
        p->actlr, p->cpacr, p->ttbr0, p->ttbr1, p->ttbcr, p->dacr, p->dfsr, p->ifsr,
        p->dfar, p->ifar, p->adfsr, p->aifsr, p->par, p->prrr, p->nmrr, p->vbar,
        p->contextidr, p->tpidrurw, p->tpidruro, p->tpidrprw, p->csselr, p->l2ctlr,
        p->l2ectlr, c->fault_fsr, c->fault_addr,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        state_put_u32(w, fields[i]);
    arm_debug_save(c, w);
}

void arm_cp15_load(struct arm_cpu *c, struct state_reader *r)
{
    struct arm_cp15 *p = &c->cp15;
    uint32_t *const fields[] = {
        &p->actlr, &p->cpacr, &p->ttbr0, &p->ttbr1, &p->ttbcr, &p->dacr, &p->dfsr, &p->ifsr,
        &p->dfar, &p->ifar, &p->adfsr, &p->aifsr, &p->par, &p->prrr, &p->nmrr, &p->vbar,
        &p->contextidr, &p->tpidrurw, &p->tpidruro, &p->tpidrprw, &p->csselr, &p->l2ctlr,
        &p->l2ectlr, &c->fault_fsr, &c->fault_addr,
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = state_get_u32(r);
    arm_debug_load(c, r);
    /* Registers with fixed bits keep them whatever the snapshot says. */
    p->ttbcr &= 7u;
    p->vbar &= ~0x1fu;
    p->csselr &= 0xfu;
    p->cpacr = 0;
    p->l2ctlr &= ~0x03000000u;
    if (c->arch >= ARM_V7)
        c->sctlr = (c->sctlr & SCTLR_V7_WRITABLE) | SCTLR_V7_ONES;
}
