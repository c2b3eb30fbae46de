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
