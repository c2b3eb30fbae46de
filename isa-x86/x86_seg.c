/* Segment registers and interrupt delivery (SDM Vol. 3A chapters 3, 5 and
 * 6; real-address mode: chapter 20). */
#include "isa-x86/x86_internal.h"

/* Derives the access bounds of a descriptor cache (see struct x86_seg). */
void x86_seg_derive(struct x86_seg *s)
{
    unsigned type = s->attr & 0xfu;
    bool code = (s->attr & SEG_ATTR_S) && (type & 8);
    bool expand_down = (s->attr & SEG_ATTR_S) && !code && (type & 4);
    if (expand_down) {
        /* SDM Vol. 3A 5.3: offsets limit+1 .. 0xFFFF (or 0xFFFFFFFF with B). */
        s->lo = s->limit + 1;
        s->hi = (s->attr & SEG_ATTR_DB) ? 0xffffffffu : 0xffffu;
    } else {
        s->lo = 0;
        s->hi = s->limit;
    }
    if (!(s->attr & SEG_ATTR_P) || !(s->attr & SEG_ATTR_S))
        s->rw = 0;
    else if (code)
        s->rw = (type & 2) ? SEG_RW_READ : 0;
    else
        s->rw = (type & 2) ? SEG_RW_READ | SEG_RW_WRITE : SEG_RW_READ;
}

/* Real-address and virtual-8086 mode (SDM Vol. 3A 20.1.1): the base is the
 * selector times 16. In real mode the limit and attributes stay what they
 * were (hence "unreal" mode after a protected-mode round trip); every
 * access type is allowed. Virtual-8086 mode loads a 64 KiB read/write
 * segment at privilege 3 (20.2.1). */
void x86_set_seg_real(struct x86_cpu *c, unsigned seg, uint16_t sel)
{
    struct x86_seg *s = &c->seg[seg];
    s->sel = sel;
    s->base = (uint32_t)sel << 4;
    if (x86_v86(c)) {
        s->limit = 0xffff;
        s->attr = 0x00f3u | (seg == SEG_CS ? 0x8u : 0);
    }
    x86_seg_derive(s);
    if (!x86_v86(c))
        s->rw = SEG_RW_READ | SEG_RW_WRITE;
}

/* Reads the 8-byte descriptor of sel from the GDT or LDT; #GP(sel) when
 * it lies beyond the table's limit. */
int x86_read_descriptor(struct x86_cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    uint32_t base, limit;
    if (sel & 4) {
        base = c->seg[SEG_LDTR].base;
        limit = (c->seg[SEG_LDTR].attr & SEG_ATTR_P) ? c->seg[SEG_LDTR].limit : 0;
        if (!(c->seg[SEG_LDTR].sel & ~3u))
            return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    } else {
        base = c->gdt_base;
        limit = c->gdt_limit;
    }
    uint32_t off = sel & ~7u;
    if (off + 7 > limit)
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    int rc = x86_read_lin(c, base + off, 4, lo);
    if (!rc)
        rc = x86_read_lin(c, base + off + 4, 4, hi);
    return rc;
}

void x86_seg_from_descriptor(struct x86_seg *s, uint16_t sel, uint32_t lo, uint32_t hi)
{
    s->sel = sel;
    s->base = (lo >> 16) | ((hi & 0xffu) << 16) | (hi & 0xff000000u);
    uint32_t limit = (lo & 0xffffu) | (hi & 0xf0000u);
    s->attr = (uint16_t)((hi >> 8) & 0xf0ffu);
    s->limit = (s->attr & SEG_ATTR_G) ? (limit << 12) | 0xfffu : limit;
    x86_seg_derive(s);
}

/* Sets the accessed bit of a descriptor (SDM Vol. 3A 3.4.5.1). */
int x86_set_accessed(struct x86_cpu *c, uint16_t sel, uint32_t hi)
{
    if (hi & 0x100u)
        return X86_OK;
    uint32_t base = (sel & 4) ? c->seg[SEG_LDTR].base : c->gdt_base;
    return x86_write_lin(c, base + (sel & ~7u) + 4, 4, hi | 0x100u);
}

/* MOV/POP/LxS to a data or stack segment register (SDM Vol. 2B MOV, the
 * protected-mode checks). */
int x86_load_seg(struct x86_cpu *c, unsigned seg, uint16_t sel)
{
    if (!x86_protected(c) || x86_v86(c)) {
        x86_set_seg_real(c, seg, sel);
        return X86_OK;
    }
    struct x86_seg *s = &c->seg[seg];
    if (!(sel & ~3u)) {
        if (seg == SEG_SS)
            return x86_fault(c, X86_GP, true, 0);
        /* A null selector loads an unusable segment: any access #GP(0). */
        s->sel = sel;
        s->attr = 0;
        s->base = 0;
        s->limit = 0;
        x86_seg_derive(s);
        return X86_OK;
    }
    uint32_t lo, hi;
    int rc = x86_read_descriptor(c, sel, &lo, &hi);
    if (rc)
        return rc;
    unsigned attr = (hi >> 8) & 0xffu, type = attr & 0xfu;
    unsigned dpl = (attr >> 5) & 3, rpl = sel & 3;
    bool code = type & 8;
    if (seg == SEG_SS) {
        /* Writable data segment with RPL = DPL = CPL. */
        if (!(attr & SEG_ATTR_S) || code || !(type & 2) || rpl != c->cpl || dpl != c->cpl)
            return x86_fault(c, X86_GP, true, sel & 0xfffcu);
        if (!(attr & SEG_ATTR_P))
            return x86_fault(c, X86_SS, true, sel & 0xfffcu);
    } else {
        /* Data or readable code; non-conforming needs max(CPL, RPL) <= DPL. */
        if (!(attr & SEG_ATTR_S) || (code && !(type & 2)))
            return x86_fault(c, X86_GP, true, sel & 0xfffcu);
        bool conforming = code && (type & 4);
        if (!conforming && (rpl > dpl || c->cpl > dpl))
            return x86_fault(c, X86_GP, true, sel & 0xfffcu);
        if (!(attr & SEG_ATTR_P))
            return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    }
    rc = x86_set_accessed(c, sel, hi);
    if (rc)
        return rc;
    x86_seg_from_descriptor(s, sel, lo, hi | 0x100u);
    return X86_OK;
}

void x86_set_cpl(struct x86_cpu *c, unsigned cpl)
{
    if (cpl != c->cpl) {
        c->cpl = cpl;
        c->fast_valid = false;
    }
}

/* A far JMP/CALL/RET/IRET target: in real and virtual-8086 mode CS is
 * loaded as a real-mode segment; in protected mode the code segment
 * descriptor is checked (SDM Vol. 2A JMP, same-privilege transfers; gates
 * and task switches are not supported and raise #GP(sel)). */
int x86_load_cs(struct x86_cpu *c, uint16_t sel, uint32_t off)
{
    if (!x86_protected(c) || x86_v86(c)) {
        if (off > c->seg[SEG_CS].limit)
            return x86_fault(c, X86_GP, x86_v86(c), 0);
        x86_set_seg_real(c, SEG_CS, sel);
        c->next_eip = off;
        return X86_OK;
    }
    if (!(sel & ~3u))
        return x86_gp0(c);
    uint32_t lo, hi;
    int rc = x86_read_descriptor(c, sel, &lo, &hi);
    if (rc)
        return rc;
    unsigned attr = (hi >> 8) & 0xffu, type = attr & 0xfu, dpl = (attr >> 5) & 3;
    if (!(attr & SEG_ATTR_S) || !(type & 8))
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    bool conforming = type & 4;
    if (conforming ? dpl > c->cpl : (dpl != c->cpl || (sel & 3u) > c->cpl))
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    if (!(attr & SEG_ATTR_P))
        return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    struct x86_seg ns;
    x86_seg_from_descriptor(&ns, (uint16_t)((sel & ~3u) | c->cpl), lo, hi | 0x100u);
    if (off > ns.limit)
        return x86_gp0(c);
    rc = x86_set_accessed(c, sel, hi);
    if (rc)
        return rc;
    c->seg[SEG_CS] = ns;
    c->next_eip = off;
    return X86_OK;
}

/* Real-address-mode interrupt (SDM Vol. 3A 20.1.4): FLAGS, CS and IP are
 * pushed, IF, TF and AC cleared, and CS:IP loaded from the IVT entry. */
static int interrupt_real(struct x86_cpu *c, unsigned vector, uint32_t return_eip)
{
    uint32_t entry = vector * 4u;
    if (entry + 3 > c->idt_limit)
        return x86_fault(c, X86_GP, false, 0);
    uint32_t ip, cs;
    int rc = x86_read_lin(c, c->idt_base + entry, 2, &ip);
    if (!rc)
        rc = x86_read_lin(c, c->idt_base + entry + 2, 2, &cs);
    if (rc)
        return rc;
    uint32_t sp = x86_sp(c);
    uint32_t flags = x86_get_flags(c);
    rc = x86_push_at(c, &sp, 2, flags);
    if (!rc)
        rc = x86_push_at(c, &sp, 2, c->seg[SEG_CS].sel);
    if (!rc)
        rc = x86_push_at(c, &sp, 2, return_eip);
    if (rc)
        return rc;
    x86_set_sp(c, sp);
    c->eflags &= ~(FL_IF | FL_TF | FL_AC | FL_RF);
    x86_set_seg_real(c, SEG_CS, (uint16_t)cs);
    c->eip = c->next_eip = ip;
    return X86_OK;
}

/* Protected-mode interrupt through an interrupt or trap gate to a code
 * segment at the same privilege level, or from CPL 3 to a more privileged
 * one with the stack from the TSS (SDM Vol. 3A 6.12.1). Task gates and
 * virtual-8086 mode are not supported yet (#GP). */
static int interrupt_protected(struct x86_cpu *c, unsigned vector, bool soft, bool has_code,
                               uint32_t code, uint32_t return_eip)
{
    uint32_t idt_err = vector * 8u + 2u + (soft ? 0 : 1);
    if (vector * 8u + 7 > c->idt_limit)
        return x86_fault(c, X86_GP, true, idt_err);
    uint32_t lo, hi;
    int rc = x86_read_lin(c, c->idt_base + vector * 8u, 4, &lo);
    if (!rc)
        rc = x86_read_lin(c, c->idt_base + vector * 8u + 4, 4, &hi);
    if (rc)
        return rc;
    unsigned type = (hi >> 8) & 0x1fu, dpl = (hi >> 13) & 3;
    bool gate32 = type & 8;
    if ((type & 0x10) || ((type & 7) != 5 && (type & 7) != 6 && (type & 7) != 7))
        return x86_fault(c, X86_GP, true, idt_err);
    if (soft && dpl < c->cpl)
        return x86_fault(c, X86_GP, true, idt_err);
    if (!(hi & 0x8000u))
        return x86_fault(c, X86_NP, true, idt_err);
    if (type == 5)   /* a task gate (SDM Vol. 3A 6.12.2) */
        return x86_task_switch(c, (uint16_t)(lo >> 16), X86_TASK_INT, has_code, code, return_eip);
    bool from_v86 = x86_v86(c);
    uint16_t sel = (uint16_t)(lo >> 16);
    uint32_t off = (lo & 0xffffu) | (gate32 ? hi & 0xffff0000u : 0);
    if (!(sel & ~3u))
        return x86_fault(c, X86_GP, true, soft ? 0 : 1);
    uint32_t clo, chi;
    rc = x86_read_descriptor(c, sel, &clo, &chi);
    if (rc)
        return rc;
    unsigned cattr = (chi >> 8) & 0xffu, cdpl = (cattr >> 5) & 3;
    if (!(cattr & SEG_ATTR_S) || !(cattr & 8) || cdpl > c->cpl)
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    if (!(cattr & SEG_ATTR_P))
        return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    bool conforming = cattr & 4;
    /* From virtual-8086 mode only to a 32-bit gate and a non-conforming
     * privilege-0 code segment (SDM Vol. 3A 20.3.1.1). */
    if (from_v86 && (conforming || cdpl != 0 || !gate32))
        return x86_fault(c, X86_GP, true, sel & 0xfffcu);
    unsigned new_cpl = conforming ? c->cpl : cdpl;
    unsigned psize = gate32 ? 4 : 2;
    uint32_t flags = x86_get_flags(c);
    struct x86_seg old_cs = c->seg[SEG_CS], old_ss = c->seg[SEG_SS];
    uint32_t old_esp = c->gpr[ESP];
    unsigned old_cpl = c->cpl;
    uint32_t old_eflags = c->eflags;
    if (new_cpl < c->cpl) {
        /* Inner-privilege stack from the TSS (SDM Vol. 3A 6.12.1). */
        uint16_t nss;
        uint32_t nesp;
        rc = x86_tss_stack(c, new_cpl, &nss, &nesp);
        if (rc)
            return rc;
        x86_set_cpl(c, new_cpl);
        c->eflags &= ~FL_VM;
        rc = x86_load_seg(c, SEG_SS, (uint16_t)nss);
        if (rc) {
            x86_set_cpl(c, old_cpl);
            c->eflags = old_eflags;
            c->seg[SEG_SS] = old_ss;
            if (c->exc.vector == X86_GP || c->exc.vector == X86_SS)
                c->exc.vector = X86_TS;
            return rc;
        }
        c->gpr[ESP] = nesp;
        uint32_t sp = x86_sp(c);
        if (from_v86) {
            static const uint8_t v86_segs[4] = { SEG_GS, SEG_FS, SEG_DS, SEG_ES };
            for (unsigned i = 0; i < 4 && !rc; i++)
                rc = x86_push_at(c, &sp, 4, c->seg[v86_segs[i]].sel);
        }
        if (!rc)
            rc = x86_push_at(c, &sp, psize, old_ss.sel);
        if (!rc)
            rc = x86_push_at(c, &sp, psize, old_esp);
        if (!rc)
            x86_set_sp(c, sp);
    }
    uint32_t sp = x86_sp(c);
    if (!rc)
        rc = x86_push_at(c, &sp, psize, flags);
    if (!rc)
        rc = x86_push_at(c, &sp, psize, old_cs.sel);
    if (!rc)
        rc = x86_push_at(c, &sp, psize, return_eip);
    if (!rc && has_code)
        rc = x86_push_at(c, &sp, psize, code);
    if (rc) {
        x86_set_cpl(c, old_cpl);
        c->seg[SEG_SS] = old_ss;
        c->gpr[ESP] = old_esp;
        c->eflags = old_eflags;
        return rc;
    }
    x86_set_sp(c, sp);
    if (from_v86) {
        static const uint8_t data_segs[4] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
        for (unsigned i = 0; i < 4; i++) {
            c->seg[data_segs[i]].sel = 0;
            c->seg[data_segs[i]].attr = 0;
            x86_seg_derive(&c->seg[data_segs[i]]);
        }
    }
    struct x86_seg ns;
    x86_seg_from_descriptor(&ns, (uint16_t)((sel & ~3u) | new_cpl), clo, chi);
    c->seg[SEG_CS] = ns;
    x86_set_cpl(c, new_cpl);
    /* An interrupt gate clears IF, a trap gate does not (SDM Vol. 3A 6.12.1.3). */
    c->eflags &= ~(FL_TF | FL_NT | FL_RF | FL_VM | ((type & 1) ? 0 : FL_IF));
    c->eip = c->next_eip = off;
    return X86_OK;
}

int x86_interrupt(struct x86_cpu *c, unsigned vector, bool soft, bool has_code, uint32_t code,
                  uint32_t return_eip)
{
    c->halted = false;
    uint32_t flags = x86_get_flags(c);
    unsigned cpl = c->cpl;
    int rc = !x86_protected(c) ? interrupt_real(c, vector, return_eip)
                               : interrupt_protected(c, vector, soft, has_code, code, return_eip);
    if (rc == X86_OK && c->observing)
        x86_observe_exception(c, vector, return_eip, flags, cpl);
    return rc;
}

/* Exception classes for the double-fault rule (SDM Vol. 3A 6.15, table
 * 6-5): contributory ones and the page fault. */
static bool contributory(unsigned v)
{
    return v == X86_DE || v == X86_TS || v == X86_NP || v == X86_SS || v == X86_GP;
}

bool x86_deliver_exception(struct x86_cpu *c)
{
    struct x86_exc first = c->exc;
    bool has_code = first.has_code && x86_protected(c);
    if (x86_interrupt(c, first.vector, false, has_code, first.code, c->eip) == X86_OK)
        return true;
    struct x86_exc second = c->exc;
    bool dbl = (contributory(first.vector) && contributory(second.vector)) ||
               (first.vector == X86_PF && (contributory(second.vector) || second.vector == X86_PF));
    if (first.vector == X86_DF)
        return false;
    if (dbl) {
        if (x86_interrupt(c, X86_DF, false, x86_protected(c), 0, c->eip) == X86_OK)
            return true;
        return false;
    }
    /* Otherwise the second exception is handled serially. */
    if (x86_interrupt(c, second.vector, false, second.has_code && x86_protected(c), second.code,
                      c->eip) == X86_OK)
        return true;
    return x86_interrupt(c, X86_DF, false, x86_protected(c), 0, c->eip) == X86_OK;
}

void x86_update_ferr(struct x86_cpu *c)
{
    irq_set(&c->ferr, c->has_fpu && !(c->cr0 & CR0_NE) && x87_error_pending(&c->fpu));
}

void x86_set_cr0(struct x86_cpu *c, uint32_t v)
{
    uint32_t old = c->cr0;
    /* ET is fixed: 1 with an x87 (and on every i486 and later). */
    v |= CR0_ET;
    if (c->model == X86_MODEL_I386 && !c->has_fpu)
        v &= ~CR0_ET;
    c->cr0 = v;
    if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE))
        x86_tlb_flush(c);
    if ((old ^ v) & CR0_NE)
        x86_update_ferr(c);
}

/* DR7 (SDM Vol. 3A 17.2.4): L/G bit pairs enable DR0-DR3; R/W 00 is an
 * instruction breakpoint (length ignored), 01 data writes, 11 data reads
 * and writes; 10 (I/O) is not supported and never matches. */
void x86_set_dr7(struct x86_cpu *c, uint32_t v)
{
    c->dr[7] = v | 0x400u;
    c->dr_exec = c->dr_data = 0;
    for (unsigned i = 0; i < 4; i++) {
        if (!((v >> (2 * i)) & 3u))
            continue;
        unsigned rw = (v >> (16 + 4 * i)) & 3u;
        if (rw == 0)
            c->dr_exec |= (uint8_t)(1u << i);
        else if (rw == 1 || rw == 3)
            c->dr_data |= (uint8_t)(1u << i);
    }
    x86_tlb_flush(c);
}
