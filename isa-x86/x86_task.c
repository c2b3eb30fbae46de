/* Task switching (SDM Vol. 3A chapter 7): JMP/CALL to a TSS or task gate,
 * interrupts and exceptions through a task gate, IRET with EFLAGS.NT set.
 * 32-bit TSSs (types 9/11) and 16-bit TSSs (types 1/3) are supported. */
#include "isa-x86/x86_internal.h"

enum { TSS16_AVAIL = 1, TSS16_BUSY = 3, TSS32_AVAIL = 9, TSS32_BUSY = 11 };
#define DESC_BUSY 0x200u   /* bit 9 of the high dword: the B bit of a TSS type */

/* Offsets in a 32-bit TSS (SDM Vol. 3A 7.2.1, figure 7-2) and a 16-bit one
 * (7.6, figure 7-11): the dynamic fields. */
struct tss_layout {
    unsigned eip, eflags, gpr, gpr_size, seg, ldt, min_limit, size;
};
static const struct tss_layout layout32 = { 0x20, 0x24, 0x28, 4, 0x48, 0x60, 0x67, 4 };
static const struct tss_layout layout16 = { 0x0e, 0x10, 0x12, 2, 0x22, 0x2a, 0x2b, 2 };

/* Selector order of the TSS's segment fields (ES CS SS DS FS GS). */
static const uint8_t tss_segs[6] = { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS };

static bool is_tss32(uint32_t hi)
{
    return (((hi >> 8) & 0xfu) & ~2u) == TSS32_AVAIL;
}

static int ts_fault(struct x86_cpu *c, uint16_t sel)
{
    return x86_fault(c, X86_TS, true, sel & 0xfffcu);
}

/* Writes the current task's dynamic state into its TSS. */
static int save_task(struct x86_cpu *c, uint32_t eip, uint32_t eflags)
{
    const struct x86_seg *tr = &c->seg[SEG_TR];
    unsigned type = tr->attr & 0xfu;
    const struct tss_layout *l = (type & ~2u) == TSS32_AVAIL ? &layout32 : &layout16;
    int rc = x86_write_lin(c, tr->base + l->eip, l->size, eip);
    if (!rc)
        rc = x86_write_lin(c, tr->base + l->eflags, l->size, eflags);
    for (unsigned i = 0; i < 8 && !rc; i++)
        rc = x86_write_lin(c, tr->base + l->gpr + i * l->gpr_size, l->gpr_size, c->gpr[i]);
    unsigned nsegs = l == &layout32 ? 6 : 4;
    for (unsigned i = 0; i < nsegs && !rc; i++)
        rc = x86_write_lin(c, tr->base + l->seg + i * l->size, 2, c->seg[tss_segs[i]].sel);
    return rc;
}

/* Sets or clears the busy bit of the TSS descriptor of sel in the GDT. */
static int set_busy(struct x86_cpu *c, uint16_t sel, bool busy)
{
    uint32_t at = c->gdt_base + (sel & ~7u) + 4, hi;
    int rc = x86_read_lin(c, at, 4, &hi);
    if (rc)
        return rc;
    hi = busy ? hi | DESC_BUSY : hi & ~DESC_BUSY;
    return x86_write_lin(c, at, 4, hi);
}

/* Loads a segment register of the new task; a fault in it is #TS with
 * the selector (SDM Vol. 3A 7.3, step 13), except not-present ones. */
static int load_task_seg(struct x86_cpu *c, unsigned seg, uint16_t sel)
{
    int rc = x86_load_seg(c, seg, sel);
    if (rc && c->exc.vector == X86_GP)
        c->exc = (struct x86_exc){ X86_TS, true, sel & 0xfffcu };
    return rc;
}

int x86_task_switch(struct x86_cpu *c, uint16_t sel, enum x86_task_reason why, bool has_code,
                    uint32_t code, uint32_t return_eip)
{
    uint32_t lo, hi;
    if (sel & 4)
        return ts_fault(c, sel);   /* a TSS descriptor lives in the GDT */
    int rc = x86_read_descriptor(c, sel, &lo, &hi);
    if (rc)
        return rc;
    unsigned type = (hi >> 8) & 0x1fu;
    bool busy = (type & 2) != 0;
    if ((type & ~2u) != TSS16_AVAIL && (type & ~2u) != TSS32_AVAIL)
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    if (why == X86_TASK_IRET ? !busy : busy)
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    if (!(hi & 0x8000u))
        return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    struct x86_seg ntr;
    x86_seg_from_descriptor(&ntr, sel, lo, hi);
    const struct tss_layout *l = is_tss32(hi) ? &layout32 : &layout16;
    if (ntr.limit < l->min_limit)
        return ts_fault(c, sel);

    /* Read the new task's state first, so that nothing changes if the
     * TSS cannot be read. */
    uint32_t neip, nflags, ngpr[8], nseg[6] = { 0 }, nldt, ncr3 = c->cr3;
    rc = x86_read_lin(c, ntr.base + l->eip, l->size, &neip);
    if (!rc)
        rc = x86_read_lin(c, ntr.base + l->eflags, l->size, &nflags);
    for (unsigned i = 0; i < 8 && !rc; i++)
        rc = x86_read_lin(c, ntr.base + l->gpr + i * l->gpr_size, l->gpr_size, &ngpr[i]);
    unsigned nsegs = l == &layout32 ? 6 : 4;
    for (unsigned i = 0; i < nsegs && !rc; i++)
        rc = x86_read_lin(c, ntr.base + l->seg + i * l->size, 2, &nseg[i]);
    if (!rc)
        rc = x86_read_lin(c, ntr.base + l->ldt, 2, &nldt);
    if (!rc && l == &layout32)
        rc = x86_read_lin(c, ntr.base + 0x1c, 4, &ncr3);
    if (rc)
        return rc;

    /* The outgoing task (SDM Vol. 3A 7.3, steps 7-10). */
    uint32_t oflags = x86_get_flags(c);
    uint16_t old_tr = c->seg[SEG_TR].sel;
    if (why == X86_TASK_IRET)
        oflags &= ~FL_NT;
    if ((rc = save_task(c, return_eip, oflags)) != X86_OK)
        return rc;
    if (why == X86_TASK_JMP || why == X86_TASK_IRET)
        if ((rc = set_busy(c, old_tr, false)) != X86_OK)
            return rc;
    if (why == X86_TASK_CALL || why == X86_TASK_INT) {
        nflags |= FL_NT;
        if ((rc = x86_write_lin(c, ntr.base, 2, old_tr)) != X86_OK)
            return rc;
    }
    if (why != X86_TASK_IRET) {
        if ((rc = set_busy(c, sel, true)) != X86_OK)
            return rc;
        ntr.attr |= 0x2u;
    }
    x86_seg_derive(&ntr);

    /* The incoming task: from here on faults are taken in its context. */
    c->seg[SEG_TR] = ntr;
    if (l == &layout32 && (c->cr0 & CR0_PG) && ncr3 != c->cr3) {
        c->cr3 = ncr3;
        x86_tlb_flush_nonglobal(c);
    } else if (l == &layout32) {
        c->cr3 = ncr3;
    }
    for (unsigned i = 0; i < 8; i++)
        c->gpr[i] = l == &layout32 ? ngpr[i] : (c->gpr[i] & 0xffff0000u) | (ngpr[i] & 0xffffu);
    c->lf_op = LF_NONE;
    c->eflags = ((l == &layout32 ? nflags : (c->eflags & 0xffff0000u) | (nflags & 0xffffu)) |
                 FL_R1) & ~0xffc08028u;
    c->cr0 |= CR0_TS;
    c->eip = c->next_eip = neip;
    /* Segment registers: selectors first, so that a fault reports them. */
    for (unsigned i = 0; i < 6; i++)
        c->seg[tss_segs[i]].sel = (uint16_t)nseg[i];
    if (c->eflags & FL_VM) {
        x86_set_cpl(c, 3);
        for (unsigned i = 0; i < 6; i++)
            x86_set_seg_real(c, tss_segs[i], (uint16_t)nseg[i]);
        c->fast_valid = false;
        goto pushed;
    }
    /* LDT, then CS (which sets CPL), then the data segments. */
    struct x86_seg *ldt = &c->seg[SEG_LDTR];
    ldt->sel = (uint16_t)nldt;
    if (nldt & ~3u) {
        uint32_t llo, lhi;
        if ((nldt & 4) || x86_read_descriptor(c, (uint16_t)nldt, &llo, &lhi) ||
            ((lhi >> 8) & 0x1fu) != 2)
            return ts_fault(c, (uint16_t)nldt);
        if (!(lhi & 0x8000u))
            return ts_fault(c, (uint16_t)nldt);
        x86_seg_from_descriptor(ldt, (uint16_t)nldt, llo, lhi);
    } else {
        ldt->attr = 0;
        ldt->base = ldt->limit = 0;
        x86_seg_derive(ldt);
    }
    uint16_t cs = (uint16_t)nseg[1];
    x86_set_cpl(c, cs & 3u);
    {
        uint32_t clo, chi;
        if (!(cs & ~3u) || x86_read_descriptor(c, cs, &clo, &chi) || (chi & 0x1800u) != 0x1800u)
            return ts_fault(c, cs);
        unsigned dpl = (chi >> 13) & 3u;
        bool conforming = (chi & 0x400u) != 0;
        if (conforming ? dpl > (cs & 3u) : dpl != (cs & 3u))
            return ts_fault(c, cs);
        if (!(chi & 0x8000u))
            return x86_fault(c, X86_NP, true, cs & 0xfffcu);
        x86_seg_from_descriptor(&c->seg[SEG_CS], cs, clo, chi);
    }
    if ((rc = load_task_seg(c, SEG_SS, (uint16_t)nseg[2])) != X86_OK)
        return rc;
    static const uint8_t data[4] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
    static const uint8_t data_index[4] = { 0, 3, 4, 5 };
    for (unsigned i = 0; i < 4; i++)
        if ((rc = load_task_seg(c, data[i], (uint16_t)nseg[data_index[i]])) != X86_OK)
            return rc;
    c->fast_valid = false;
pushed:
    if (c->eip > c->seg[SEG_CS].limit)
        return x86_gp0(c);
    if (has_code)
        return x86_push(c, l->size, code);
    return X86_OK;
}
