/* The soft TLB: per privilege and access kind, a direct-mapped array from a
 * guest virtual page to a host pointer. A hit is one compare and one add.
 *
 * The tag is the page-aligned virtual address; lookups compare it against
 * va with the access's alignment bits kept, so a misaligned access (the only
 * kind that can cross a page) never hits and takes the ISA's slow path.
 * Only RAM/ROM pages are ever entered; MMIO always takes the slow path.
 * Write entries are never filled for a page holding decoded code (see
 * bus_page_has_code), so such writes reach the bus, which invalidates it. */
#ifndef ORRERY_CPU_TLB_H
#define ORRERY_CPU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#define GUEST_PAGE_BITS 12
#define GUEST_PAGE_SIZE (1u << GUEST_PAGE_BITS)
#define GUEST_PAGE_MASK ((uint64_t)GUEST_PAGE_SIZE - 1)

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)
#define TLB_PRIVS 2            /* 0 = unprivileged, 1 = privileged */
#define TLB_INVALID_TAG UINT64_MAX

enum tlb_kind { TLB_READ, TLB_WRITE, TLB_EXEC, TLB_KINDS };

struct tlb_entry {
    uint64_t tag;          /* virtual page address, or TLB_INVALID_TAG */
    uintptr_t addend;      /* host pointer = va + addend */
    uint64_t ppage;        /* physical page address, for targeted flushes */
    uint32_t attrs;        /* ISA-defined bits for selective flushes (tlb_flush_attrs) */
};

struct soft_tlb {
    struct tlb_entry e[TLB_PRIVS][TLB_KINDS][TLB_SIZE];
    uint64_t misses;       /* statistics for `info tlb` and benchmarks */
};

static inline struct tlb_entry *tlb_slot(struct soft_tlb *t, unsigned priv,
                                         enum tlb_kind kind, uint64_t va)
{
    return &t->e[priv][kind][(va >> GUEST_PAGE_BITS) & (TLB_SIZE - 1)];
}

/* Host pointer for an access of size bytes (a power of two) at va, or NULL. */
static inline uint8_t *tlb_lookup(struct soft_tlb *t, unsigned priv,
                                  enum tlb_kind kind, uint64_t va, unsigned size)
{
    const struct tlb_entry *e = tlb_slot(t, priv, kind, va);
    if (e->tag == (va & (~GUEST_PAGE_MASK | (uint64_t)(size - 1))))
        return (uint8_t *)(uintptr_t)(va + e->addend);
    return 0;
}

/* Enters va's page, mapped to the host page at host_page (page-aligned
 * physical page ppage), with the ISA's attribute bits (ARM: the domain and
 * whether the mapping is non-global). */
static inline void tlb_fill(struct soft_tlb *t, unsigned priv, enum tlb_kind kind,
                            uint64_t va, uint8_t *host_page, uint64_t ppage, uint32_t attrs)
{
    struct tlb_entry *e = tlb_slot(t, priv, kind, va);
    e->tag = va & ~GUEST_PAGE_MASK;
    e->addend = (uintptr_t)host_page - (uintptr_t)(va & ~GUEST_PAGE_MASK);
    e->ppage = ppage & ~GUEST_PAGE_MASK;
    e->attrs = attrs;
    t->misses++;
}

void tlb_flush_all(struct soft_tlb *t);
void tlb_flush_va(struct soft_tlb *t, uint64_t va);
/* Drops every entry whose virtual page lies in [va, va + size). */
void tlb_flush_range(struct soft_tlb *t, uint64_t va, uint64_t size);
/* Drops every entry whose attrs share a bit with mask. */
void tlb_flush_attrs(struct soft_tlb *t, uint32_t mask);
/* Drops every entry of the given kind mapping physical page ppage. */
void tlb_flush_phys_page(struct soft_tlb *t, enum tlb_kind kind, uint64_t ppage);

#endif
