/* The VMSAv7 MMU, short-descriptor format (ARM ARM v7 DDI 0406C B3):
 * first-level sections, supersections and page tables, second-level large
 * and small pages, domains, AP[2:0] with the simplified access-permission
 * model (SCTLR.AFE), XN/PXN, TEX remap (SCTLR.TRE) for the attributes
 * reported in PAR, and the TTBCR.N split between TTBR0 and TTBR1.
 *
 * Absent: the Large Physical Address Extension (TTBCR.EAE is RAZ/WI, no
 * long descriptors, supersection bits [23:20] and [8:5] (PA[39:32]) are
 * ignored: physical addresses are 32 bits), the Security Extensions (no NS
 * attribute, TTBCR.PD0/PD1 are RAZ/WI), the hardware access flag
 * (SCTLR.HA is RAZ). */
#include "isa-arm/arm_internal.h"

#include "machine/bus.h"

/* Reads one translation-table descriptor at physical address pa. A walk
 * that reaches no memory is a synchronous external abort on the walk
 * (B3.13.3); the debugger's walk (debug) reads RAM/ROM only, never MMIO. */
static int read_descriptor(struct arm_cpu *c, uint32_t pa, bool debug, uint32_t *out)
{
    uint32_t d;
    if (debug) {
        bool rom;
        const uint8_t *h = bus_host_ptr(c->cpu.bus, pa, 4, &rom);
        if (!h)
            return -1;
        d = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
    } else {
        uint64_t v;
        if (bus_read(c->cpu.bus, pa, 4, &v) != BUS_OK)
            return -1;
        d = (uint32_t)v;
    }
    /* SCTLR.EE also sets the endianness of translation table walks
     * (B4.1.130). */
    *out = (c->sctlr & SCTLR_EE) ? __builtin_bswap32(d) : d;
    return 0;
}

/* AP[2:0] (B3.7.1, table B3-8), or AP[2:1] with the simplified model
 * (SCTLR.AFE = 1, table B3-9): may this access go ahead? The reserved
 * encoding AP = 0b100 gives no access. */
static bool ap_allows(const struct arm_cpu *c, unsigned ap, bool user, bool write)
{
    if (c->sctlr & SCTLR_AFE) {
        switch (ap >> 1) {
        case 0: return !user;                  /* PL1 RW, PL0 none */
        case 1: return true;                   /* RW at both */
        case 2: return !user && !write;        /* PL1 RO, PL0 none */
        default: return !write;                /* RO at both */
        }
    }
    switch (ap) {
    case 1: return !user;
    case 2: return !user || !write;
    case 3: return true;
    case 5: return !user && !write;
    case 6: case 7: return !write;
    default: return false;                     /* 0: no access; 4: reserved */
    }
}

/* Memory type and cacheability, as the PAR reports them (B4.1.112):
 * Inner[2:0] in bits 6:4, Outer[1:0] in bits 3:2, SH in bit 7, NOS in
 * bit 10. Cacheability codes: 0 non-cacheable, 1 write-back write-allocate,
 * 2 write-through, 3 write-back no write-allocate. */
enum mem_type { MT_STRONGLY_ORDERED, MT_DEVICE, MT_NORMAL };

static uint32_t par_attributes(enum mem_type type, unsigned inner, unsigned outer, bool shareable,
                               bool not_outer)
{
    static const uint8_t normal_inner[4] = { 0, 5, 6, 7 };
    uint32_t v;
    if (type == MT_STRONGLY_ORDERED)
        return 1u << 4 | 1u << 7;              /* always shareable */
    if (type == MT_DEVICE)
        v = 3u << 4;
    else
        v = (uint32_t)normal_inner[inner & 3] << 4 | (outer & 3u) << 2;
    if (shareable)
        v |= 1u << 7 | (not_outer ? 1u << 10 : 0);
    return v;
}

/* B3.8.2 (TEX, C, B without remap, table B3-10) and B3.8.3 (TEX remap with
 * PRRR/NMRR when SCTLR.TRE = 1). */
static uint32_t region_attributes(const struct arm_cpu *c, unsigned tex, bool cbit, bool bbit,
                                  bool sbit)
{
    unsigned cb = (cbit ? 2u : 0u) | (bbit ? 1u : 0u);
    if (c->sctlr & SCTLR_TRE) {
        unsigned n = (tex & 1u) << 2 | cb;
        uint32_t prrr = c->cp15.prrr, nmrr = c->cp15.nmrr;
        unsigned tr = (prrr >> (2 * n)) & 3u;
        if (tr == 0 || tr == 3)                /* 0b11 is reserved: strongly-ordered */
            return par_attributes(MT_STRONGLY_ORDERED, 0, 0, true, false);
        if (tr == 1)
            return par_attributes(MT_DEVICE, 0, 0, (prrr >> (sbit ? 17 : 16)) & 1u, false);
        bool sh = (prrr >> (sbit ? 19 : 18)) & 1u;
        return par_attributes(MT_NORMAL, (nmrr >> (2 * n)) & 3u, (nmrr >> (16 + 2 * n)) & 3u,
                              sh, (prrr >> (24 + n)) & 1u);
    }
    /* Cacheability code of the TEX = 0b000 normal encodings. */
    static const uint8_t tex0_normal[4] = { 0, 0, 2, 3 };
    if (tex & 4u)
        return par_attributes(MT_NORMAL, cb, tex & 3u, sbit, false);
    switch (tex) {
    case 0:
        if (cb == 0)
            return par_attributes(MT_STRONGLY_ORDERED, 0, 0, true, false);
        if (cb == 1)
            return par_attributes(MT_DEVICE, 0, 0, true, false);
        return par_attributes(MT_NORMAL, tex0_normal[cb], tex0_normal[cb], sbit, false);
    case 1:
        if (cb == 0)
            return par_attributes(MT_NORMAL, 0, 0, sbit, false);
        if (cb == 3)
            return par_attributes(MT_NORMAL, 1, 1, sbit, false);
        break;                                 /* reserved / IMPLEMENTATION DEFINED */
    case 2:
        if (cb == 0)
            return par_attributes(MT_DEVICE, 0, 0, false, false);
        break;
    default:
        break;
    }
    return par_attributes(MT_STRONGLY_ORDERED, 0, 0, true, false);
}

static int fault(struct arm_mmu_result *res, unsigned fs, unsigned domain, bool write)
{
    res->fsr = arm_fsr(fs, domain, write);
    return -1;
}

int arm_mmu_translate(struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                      bool debug, struct arm_mmu_result *res)
{
    bool write = kind == TLB_WRITE;
    res->nlevels = 0;
    if (c->arch < ARM_V7 || !(c->sctlr & SCTLR_M)) {
        /* MMU off (B3.2.1): flat mapping, strongly-ordered data, no checks. */
        res->pa = va;
        res->block = GUEST_PAGE_SIZE;
        res->par = (va & 0xfffff000u) | par_attributes(MT_STRONGLY_ORDERED, 0, 0, true, false);
        res->tlb_attrs = 0;
        res->fsr = 0;
        return 0;
    }
    /* B3.5.4: TTBCR.N selects TTBR0 for va[31:32-N] == 0, else TTBR1. */
    unsigned n = c->cp15.ttbcr & 7u;
    uint32_t l1;
    if (n == 0 || (va >> (32 - n)) == 0) {
        uint32_t base = c->cp15.ttbr0 & (0xffffffffu << (14 - n));
        l1 = base | ((va & (0xffffffffu >> n)) >> 20) << 2;
    } else {
        l1 = (c->cp15.ttbr1 & 0xffffc000u) | (va >> 20) << 2;
    }
    uint32_t d1;
    if (read_descriptor(c, l1, debug, &d1))
        return fault(res, FS_WALK_EXTERNAL_L1, 0, write);
    res->desc_addr[0] = l1;
    res->desc[0] = d1;
    res->nlevels = 1;

    unsigned domain, ap, tex, level;
    bool xn, pxn, cbit, bbit, sbit, ng;
    uint32_t pa, block;
    switch (d1 & 3u) {
    case 0:
        return fault(res, FS_TRANSLATION_SECTION, 0, write);
    case 1: {
        /* Page table (B3.5.1): the second-level table holds 256 entries. */
        domain = (d1 >> 5) & 15u;
        pxn = (d1 >> 2) & 1u;
        uint32_t l2 = (d1 & 0xfffffc00u) | ((va >> 10) & 0x3fcu);
        uint32_t d2;
        if (read_descriptor(c, l2, debug, &d2))
            return fault(res, FS_WALK_EXTERNAL_L2, domain, write);
        res->desc_addr[1] = l2;
        res->desc[1] = d2;
        res->nlevels = 2;
        if ((d2 & 3u) == 0)
            return fault(res, FS_TRANSLATION_PAGE, domain, write);
        if ((d2 & 3u) == 1) {                  /* large page, 64 KiB */
            pa = (d2 & 0xffff0000u) | (va & 0xffffu);
            block = 0x10000u;
            xn = (d2 >> 15) & 1u;
            tex = (d2 >> 12) & 7u;
        } else {                               /* small page, 4 KiB; bit 0 is XN */
            pa = (d2 & 0xfffff000u) | (va & 0xfffu);
            block = 0x1000u;
            xn = d2 & 1u;
            tex = (d2 >> 6) & 7u;
        }
        ap = ((d2 >> 7) & 4u) | ((d2 >> 4) & 3u);
        cbit = (d2 >> 3) & 1u;
        bbit = (d2 >> 2) & 1u;
        sbit = (d2 >> 10) & 1u;
        ng = (d2 >> 11) & 1u;
        level = 2;
        break;
    }
    default:
        /* Section or supersection (bit 18); bit 0 is PXN (B3.5.1). */
        pxn = d1 & 1u;
        bbit = (d1 >> 2) & 1u;
        cbit = (d1 >> 3) & 1u;
        xn = (d1 >> 4) & 1u;
        ap = ((d1 >> 13) & 4u) | ((d1 >> 10) & 3u);
        tex = (d1 >> 12) & 7u;
        sbit = (d1 >> 16) & 1u;
        ng = (d1 >> 17) & 1u;
        if (d1 & (1u << 18)) {
            domain = 0;                        /* supersections are in domain 0 */
            pa = (d1 & 0xff000000u) | (va & 0x00ffffffu);
            block = 0x1000000u;
        } else {
            domain = (d1 >> 5) & 15u;
            pa = (d1 & 0xfff00000u) | (va & 0x000fffffu);
            block = 0x100000u;
        }
        level = 1;
        break;
    }

    /* The access flag (B3.7.3), checked by the walk before the domain and
     * permission checks (the order of the TranslationTableWalkSD and
     * CheckDomain/CheckPermission pseudocode, B3.15). */
    if ((c->sctlr & SCTLR_AFE) && !(ap & 1u))
        return fault(res, level == 1 ? FS_ACCESS_FLAG_SECTION : FS_ACCESS_FLAG_PAGE, domain,
                     write);
    /* Domains (B3.7.4): 0b00 no access, 0b01 client, 0b11 manager; the
     * reserved 0b10 is treated as no access. */
    unsigned dom = (c->cp15.dacr >> (2 * domain)) & 3u;
    if (dom == 0 || dom == 2)
        return fault(res, level == 1 ? FS_DOMAIN_SECTION : FS_DOMAIN_PAGE, domain, write);
    if (dom == 1) {
        /* Client: AP, and for fetches XN and PXN (B3.7.2). A manager
         * domain checks none of them. */
        bool ok = kind == TLB_EXEC ? !xn && !(pxn && !user) && ap_allows(c, ap, user, false)
                                   : ap_allows(c, ap, user, write);
        if (!ok)
            return fault(res, level == 1 ? FS_PERMISSION_SECTION : FS_PERMISSION_PAGE, domain,
                         write);
    }
    res->pa = pa;
    res->block = block;
    res->tlb_attrs = (1u << domain) | (ng ? ARM_TLB_NG : 0);
    res->par = (pa & 0xfffff000u) | (block == 0x1000000u ? 1u << 1 : 0) |
               region_attributes(c, tex, cbit, bbit, sbit);
    res->fsr = 0;
    return 0;
}

void arm_tlb_flush(struct arm_cpu *c)
{
    c->tlb_epoch++;
    tlb_flush_all(&c->tlb);
    c->fast_valid = false;
    c->tlb_max_block = GUEST_PAGE_SIZE;
}

void arm_tlb_flush_attrs(struct arm_cpu *c, uint32_t mask)
{
    c->tlb_epoch++;
    tlb_flush_attrs(&c->tlb, mask);
    c->fast_valid = false;
}

void arm_tlb_flush_va(struct arm_cpu *c, uint32_t va)
{
    uint32_t block = c->tlb_max_block;
    c->tlb_epoch++;
    tlb_flush_range(&c->tlb, va & ~(block - 1), block);
    c->fast_valid = false;
}
