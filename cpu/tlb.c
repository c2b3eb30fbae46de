#include "cpu/tlb.h"

void tlb_flush_all(struct soft_tlb *t)
{
    for (unsigned p = 0; p < TLB_PRIVS; p++)
        for (unsigned k = 0; k < TLB_KINDS; k++)
            for (unsigned i = 0; i < TLB_SIZE; i++)
                t->e[p][k][i].tag = TLB_INVALID_TAG;
}

void tlb_flush_va(struct soft_tlb *t, uint64_t va)
{
    for (unsigned p = 0; p < TLB_PRIVS; p++)
        for (unsigned k = 0; k < TLB_KINDS; k++) {
            struct tlb_entry *e = tlb_slot(t, p, (enum tlb_kind)k, va);
            if (e->tag == (va & ~GUEST_PAGE_MASK))
                e->tag = TLB_INVALID_TAG;
        }
}

void tlb_flush_range(struct soft_tlb *t, uint64_t va, uint64_t size)
{
    va &= ~GUEST_PAGE_MASK;
    uint64_t pages = (size + GUEST_PAGE_MASK) >> GUEST_PAGE_BITS;
    if (pages <= TLB_SIZE) {
        for (uint64_t i = 0; i < pages; i++)
            tlb_flush_va(t, va + (i << GUEST_PAGE_BITS));
        return;
    }
    /* Larger than the TLB: one pass over every entry. */
    for (unsigned p = 0; p < TLB_PRIVS; p++)
        for (unsigned k = 0; k < TLB_KINDS; k++)
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                struct tlb_entry *e = &t->e[p][k][i];
                if (e->tag != TLB_INVALID_TAG && e->tag - va < size)
                    e->tag = TLB_INVALID_TAG;
            }
}

void tlb_flush_attrs(struct soft_tlb *t, uint32_t mask)
{
    for (unsigned p = 0; p < TLB_PRIVS; p++)
        for (unsigned k = 0; k < TLB_KINDS; k++)
            for (unsigned i = 0; i < TLB_SIZE; i++) {
                struct tlb_entry *e = &t->e[p][k][i];
                if (e->attrs & mask)
                    e->tag = TLB_INVALID_TAG;
            }
}

void tlb_flush_phys_page(struct soft_tlb *t, enum tlb_kind kind, uint64_t ppage)
{
    ppage &= ~GUEST_PAGE_MASK;
    for (unsigned p = 0; p < TLB_PRIVS; p++)
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            struct tlb_entry *e = &t->e[p][kind][i];
            if (e->tag != TLB_INVALID_TAG && e->ppage == ppage)
                e->tag = TLB_INVALID_TAG;
        }
}
