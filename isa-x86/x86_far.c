/* Far transfers of control in every mode (SDM Vol. 2A CALL, JMP, RET,
 * IRET; Vol. 3A 5.8 privilege level checking when transferring program
 * control between code segments, 5.8.5 stack switching, 20.2 virtual-8086
 * mode). A TSS or task gate as the target, and IRET with NT set, switch
 * tasks (x86_task.c). */
#include "isa-x86/x86_internal.h"

enum {
    SYS_TSS16 = 1, SYS_TSS16_BUSY = 3, SYS_CALLGATE16 = 4, SYS_TASKGATE = 5,
    SYS_TSS32 = 9, SYS_TSS32_BUSY = 11, SYS_CALLGATE32 = 12,
};

static inline unsigned desc_attr(uint32_t hi) { return (hi >> 8) & 0xffu; }
static inline unsigned desc_dpl(uint32_t hi) { return (hi >> 13) & 3u; }
static inline bool desc_present(uint32_t hi) { return (hi & 0x8000u) != 0; }
static inline bool desc_code(uint32_t hi) { return (hi & 0x1800u) == 0x1800u; }
static inline bool desc_conforming(uint32_t hi) { return (hi & 0x1c00u) == 0x1c00u; }

static int gp_sel(struct x86_cpu *c, uint16_t sel)
{
    return x86_fault(c, X86_GP, true, sel & 0xfffcu);
}

int x86_tss_stack(struct x86_cpu *c, unsigned dpl, uint16_t *ss, uint32_t *esp)
{
    const struct x86_seg *tr = &c->seg[SEG_TR];
    unsigned type = tr->attr & 0xfu;
    bool tss32 = type == SYS_TSS32 || type == SYS_TSS32_BUSY;
    uint32_t at = tss32 ? 4 + dpl * 8 : 2 + dpl * 4;
    uint32_t size = tss32 ? 8 : 4;
    if (!(tr->sel & ~3u) || at + size - 1 > tr->limit)
        return x86_fault(c, X86_TS, true, tr->sel & 0xfffcu);
    uint32_t sp, sel;
    int rc = x86_read_lin(c, tr->base + at, tss32 ? 4 : 2, &sp);
    if (!rc)
        rc = x86_read_lin(c, tr->base + at + (tss32 ? 4 : 2), 2, &sel);
    if (rc)
        return rc;
    *ss = (uint16_t)sel;
    *esp = sp;
    return X86_OK;
}

/* The stack segment of an inner or outer privilege level: a present,
 * writable data segment with RPL = DPL = cpl. Faults with vector (#TS for
 * a stack from the TSS, #GP for one popped by a return). */
static int check_stack_seg(struct x86_cpu *c, uint16_t sel, unsigned cpl, unsigned vector,
                           struct x86_seg *out)
{
    uint32_t lo, hi;
    if (!(sel & ~3u))
        return x86_fault(c, vector, true, 0);
    int rc = x86_read_descriptor(c, sel, &lo, &hi);
    if (rc)
        return rc;
    unsigned attr = desc_attr(hi);
    if ((sel & 3u) != cpl || desc_dpl(hi) != cpl || !(attr & SEG_ATTR_S) || (attr & 8) ||
        !(attr & 2))
        return x86_fault(c, vector, true, sel & 0xfffcu);
    if (!desc_present(hi))
        return x86_fault(c, X86_SS, true, sel & 0xfffcu);
    rc = x86_set_accessed(c, sel, hi);
    if (rc)
        return rc;
    x86_seg_from_descriptor(out, sel, lo, hi | 0x100u);
    return X86_OK;
}

/* Loads a code segment descriptor (already checked) as CS at privilege cpl. */
static int enter_code(struct x86_cpu *c, uint16_t sel, uint32_t lo, uint32_t hi, unsigned cpl,
                      uint32_t off)
{
    struct x86_seg ns;
    x86_seg_from_descriptor(&ns, (uint16_t)((sel & ~3u) | cpl), lo, hi | 0x100u);
    if (off > ns.limit)
        return x86_gp0(c);
    int rc = x86_set_accessed(c, sel, hi);
    if (rc)
        return rc;
    c->seg[SEG_CS] = ns;
    x86_set_cpl(c, cpl);
    c->next_eip = off;
    return X86_OK;
}

/* A call gate's target code segment (SDM Vol. 3A 5.8.6). */
static int gate_target(struct x86_cpu *c, uint32_t glo, uint32_t ghi, uint16_t *sel,
                       uint32_t *off, uint32_t *lo, uint32_t *hi)
{
    *sel = (uint16_t)(glo >> 16);
    *off = (glo & 0xffffu) | ((ghi & 0x800u) ? ghi & 0xffff0000u : 0);
    if (!(*sel & ~3u))
        return x86_gp0(c);
    int rc = x86_read_descriptor(c, *sel, lo, hi);
    if (rc)
        return rc;
    if (!desc_code(*hi) || desc_dpl(*hi) > c->cpl)
        return gp_sel(c, *sel);
    if (!desc_present(*hi))
        return x86_fault(c, X86_NP, true, *sel & 0xfffcu);
    return X86_OK;
}

/* Checks a call gate itself: DPL >= CPL and RPL, present. */
static int check_gate(struct x86_cpu *c, uint16_t sel, uint32_t hi)
{
    if (desc_dpl(hi) < c->cpl || desc_dpl(hi) < (sel & 3u))
        return gp_sel(c, sel);
    if (!desc_present(hi))
        return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    return X86_OK;
}

/* JMP/CALL to a TSS or a task gate (SDM Vol. 3A 7.3): DPL >= CPL and RPL. */
static int task_target(struct x86_cpu *c, uint16_t sel, uint32_t lo, uint32_t hi,
                       enum x86_task_reason why)
{
    unsigned type = desc_attr(hi) & 0xfu;
    if (desc_dpl(hi) < c->cpl || desc_dpl(hi) < (sel & 3u))
        return gp_sel(c, sel);
    if (!desc_present(hi))
        return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    uint16_t tss = type == SYS_TASKGATE ? (uint16_t)(lo >> 16) : sel;
    return x86_task_switch(c, tss, why, false, 0, c->next_eip);
}

static bool is_task_type(unsigned type)
{
    return type == SYS_TSS16 || type == SYS_TSS32 || type == SYS_TASKGATE;
}

int x86_far_jmp(struct x86_cpu *c, uint16_t sel, uint32_t off)
{
    if (!x86_protected(c) || x86_v86(c))
        return x86_load_cs(c, sel, off);
    if (!(sel & ~3u))
        return x86_gp0(c);
    uint32_t lo, hi;
    int rc = x86_read_descriptor(c, sel, &lo, &hi);
    if (rc)
        return rc;
    if (desc_attr(hi) & SEG_ATTR_S)
        return x86_load_cs(c, sel, off);
    unsigned type = desc_attr(hi) & 0xfu;
    if (is_task_type(type))
        return task_target(c, sel, lo, hi, X86_TASK_JMP);
    if (type != SYS_CALLGATE16 && type != SYS_CALLGATE32)
        return gp_sel(c, sel);
    if ((rc = check_gate(c, sel, hi)) != X86_OK)
        return rc;
    uint16_t tsel;
    uint32_t toff, tlo, thi;
    if ((rc = gate_target(c, lo, hi, &tsel, &toff, &tlo, &thi)) != X86_OK)
        return rc;
    /* JMP through a gate never changes privilege. */
    if (!desc_conforming(thi) && desc_dpl(thi) != c->cpl)
        return gp_sel(c, tsel);
    if (type == SYS_CALLGATE16)
        toff &= 0xffffu;
    return enter_code(c, tsel, tlo, thi, c->cpl, toff);
}

/* A far CALL that keeps the privilege (real and V86 mode, or straight to
 * a code segment): push CS and the return EIP, then load CS:EIP; a fault
 * leaves CS and the stack as they were. */
static int call_same_level(struct x86_cpu *c, uint16_t sel, uint32_t off, unsigned size,
                           uint32_t ret)
{
    struct x86_seg old_cs = c->seg[SEG_CS];
    uint32_t sp = x86_sp(c);
    int rc = x86_push_at(c, &sp, size, old_cs.sel);
    if (!rc)
        rc = x86_push_at(c, &sp, size, ret);
    if (!rc)
        rc = x86_load_cs(c, sel, off);
    if (rc) {
        c->seg[SEG_CS] = old_cs;
        return rc;
    }
    x86_set_sp(c, sp);
    return X86_OK;
}

int x86_far_call(struct x86_cpu *c, uint16_t sel, uint32_t off, unsigned size)
{
    uint32_t ret = c->next_eip;
    struct x86_seg old_cs = c->seg[SEG_CS];
    unsigned old_cpl = c->cpl;
    uint32_t sp = x86_sp(c);
    int rc;
    if (!x86_protected(c) || x86_v86(c))
        return call_same_level(c, sel, off, size, ret);
    if (!(sel & ~3u))
        return x86_gp0(c);
    uint32_t lo, hi;
    if ((rc = x86_read_descriptor(c, sel, &lo, &hi)) != X86_OK)
        return rc;
    if (desc_attr(hi) & SEG_ATTR_S)
        return call_same_level(c, sel, off, size, ret);   /* a code segment */
    unsigned type = desc_attr(hi) & 0xfu;
    if (is_task_type(type))
        return task_target(c, sel, lo, hi, X86_TASK_CALL);
    if (type != SYS_CALLGATE16 && type != SYS_CALLGATE32)
        return gp_sel(c, sel);
    if ((rc = check_gate(c, sel, hi)) != X86_OK)
        return rc;
    uint16_t tsel;
    uint32_t toff, tlo, thi;
    if ((rc = gate_target(c, lo, hi, &tsel, &toff, &tlo, &thi)) != X86_OK)
        return rc;
    unsigned gsize = type == SYS_CALLGATE32 ? 4 : 2;
    if (gsize == 2)
        toff &= 0xffffu;
    unsigned dpl = desc_dpl(thi);
    if (desc_conforming(thi) || dpl == c->cpl) {
        rc = x86_push_at(c, &sp, gsize, old_cs.sel);
        if (!rc)
            rc = x86_push_at(c, &sp, gsize, ret);
        if (!rc)
            rc = enter_code(c, tsel, tlo, thi, c->cpl, toff);
        if (rc) {
            c->seg[SEG_CS] = old_cs;
            return rc;
        }
        x86_set_sp(c, sp);
        return X86_OK;
    }
    /* More privileged: the stack from the TSS; the gate's parameter count
     * of words/dwords is copied from the old stack (SDM Vol. 3A 5.8.5). */
    uint16_t nss;
    uint32_t nesp;
    struct x86_seg ss_new, old_ss = c->seg[SEG_SS];
    if ((rc = x86_tss_stack(c, dpl, &nss, &nesp)) != X86_OK)
        return rc;
    if ((rc = check_stack_seg(c, nss, dpl, X86_TS, &ss_new)) != X86_OK)
        return rc;
    unsigned count = (hi >> 0) & 0x1fu;
    uint32_t params[32];
    uint32_t osp = sp;
    for (unsigned i = 0; i < count; i++) {
        uint32_t at = osp + i * gsize;
        if (!x86_stack32(c))
            at &= 0xffffu;
        if ((rc = x86_read(c, SEG_SS, at, gsize, &params[i])) != X86_OK)
            return rc;
    }
    uint32_t old_esp = c->gpr[ESP];
    c->seg[SEG_SS] = ss_new;
    x86_set_cpl(c, dpl);
    uint32_t nsp = (ss_new.attr & SEG_ATTR_DB) ? nesp : nesp & 0xffffu;
    rc = x86_push_at(c, &nsp, gsize, old_ss.sel);
    if (!rc)
        rc = x86_push_at(c, &nsp, gsize, old_esp);
    for (unsigned i = count; !rc && i-- > 0;)
        rc = x86_push_at(c, &nsp, gsize, params[i]);
    if (!rc)
        rc = x86_push_at(c, &nsp, gsize, old_cs.sel);
    if (!rc)
        rc = x86_push_at(c, &nsp, gsize, ret);
    if (!rc)
        rc = enter_code(c, tsel, tlo, thi, dpl, toff);
    if (rc) {
        c->seg[SEG_SS] = old_ss;
        c->seg[SEG_CS] = old_cs;
        x86_set_cpl(c, old_cpl);
        c->gpr[ESP] = old_esp;
        return rc;
    }
    c->gpr[ESP] = nesp;
    x86_set_sp(c, nsp);
    return X86_OK;
}

/* After a return to an outer level, data segment registers the new level
 * may not use are loaded with null (SDM Vol. 2A RET, "RETURN-TO-OUTER-
 * PRIVILEGE-LEVEL"). */
static void drop_inner_segments(struct x86_cpu *c)
{
    static const uint8_t segs[4] = { SEG_ES, SEG_DS, SEG_FS, SEG_GS };
    for (unsigned i = 0; i < 4; i++) {
        struct x86_seg *s = &c->seg[segs[i]];
        unsigned type = s->attr & 0xfu, dpl = (s->attr >> 5) & 3u;
        bool conforming_code = (s->attr & SEG_ATTR_S) && (type & 0xcu) == 0xcu;
        if (!conforming_code && dpl < c->cpl) {
            s->sel = 0;
            s->attr = 0;
            x86_seg_derive(s);
        }
    }
}

/* The checks on a popped CS for RETF/IRET (SDM Vol. 2A RET). */
static int check_return_cs(struct x86_cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    unsigned rpl = sel & 3u;
    if (!(sel & ~3u))
        return x86_gp0(c);
    int rc = x86_read_descriptor(c, sel, lo, hi);
    if (rc)
        return rc;
    if (rpl < c->cpl || !desc_code(*hi))
        return gp_sel(c, sel);
    if (desc_conforming(*hi) ? desc_dpl(*hi) > rpl : desc_dpl(*hi) != rpl)
        return gp_sel(c, sel);
    if (!desc_present(*hi))
        return x86_fault(c, X86_NP, true, sel & 0xfffcu);
    return X86_OK;
}

/* Completes a protected-mode return to sel:off with the stack at sp
 * (past CS/EIP and, for IRET, EFLAGS): same level, or outer with SS:ESP
 * popped next. imm: RETF's byte count, released on both stacks. */
static int return_to(struct x86_cpu *c, uint16_t sel, uint32_t off, uint32_t sp, unsigned size,
                     uint32_t imm, uint32_t *new_sp_out, bool *outer)
{
    uint32_t lo, hi;
    int rc = check_return_cs(c, sel, &lo, &hi);
    if (rc)
        return rc;
    unsigned rpl = sel & 3u;
    *outer = rpl > c->cpl;
    if (!*outer) {
        rc = enter_code(c, sel, lo, hi, c->cpl, off);
        *new_sp_out = sp + imm;
        return rc;
    }
    sp += imm;
    if (!x86_stack32(c))
        sp &= 0xffffu;
    uint32_t nesp, nss;
    rc = x86_pop_at(c, &sp, size, &nesp);
    if (!rc)
        rc = x86_pop_at(c, &sp, size, &nss);
    if (rc)
        return rc;
    struct x86_seg ss_new;
    if ((rc = check_stack_seg(c, (uint16_t)nss, rpl, X86_GP, &ss_new)) != X86_OK)
        return rc;
    struct x86_seg old_cs = c->seg[SEG_CS];
    unsigned old_cpl = c->cpl;
    if ((rc = enter_code(c, sel, lo, hi, rpl, off)) != X86_OK) {
        c->seg[SEG_CS] = old_cs;
        x86_set_cpl(c, old_cpl);
        return rc;
    }
    c->seg[SEG_SS] = ss_new;
    c->gpr[ESP] = (ss_new.attr & SEG_ATTR_DB) ? nesp + imm
                                              : (c->gpr[ESP] & 0xffff0000u) | ((nesp + imm) & 0xffffu);
    drop_inner_segments(c);
    return X86_OK;
}

int x86_far_ret(struct x86_cpu *c, unsigned size, uint32_t imm)
{
    uint32_t sp = x86_sp(c), off, sel;
    int rc = x86_pop_at(c, &sp, size, &off);
    if (!rc)
        rc = x86_pop_at(c, &sp, size, &sel);
    if (rc)
        return rc;
    if (!x86_protected(c) || x86_v86(c)) {
        if ((rc = x86_load_cs(c, (uint16_t)sel, off)) != X86_OK)
            return rc;
        x86_set_sp(c, sp + imm);
        return X86_OK;
    }
    struct x86_seg old_cs = c->seg[SEG_CS];
    uint32_t nsp;
    bool outer;
    rc = return_to(c, (uint16_t)sel, off, sp, size, imm, &nsp, &outer);
    if (rc) {
        c->seg[SEG_CS] = old_cs;
        return rc;
    }
    if (!outer)
        x86_set_sp(c, nsp);
    return X86_OK;
}

/* IRET to virtual-8086 mode from CPL 0 (SDM Vol. 2A IRET,
 * "RETURN-TO-VIRTUAL-8086-MODE"): EIP CS EFLAGS ESP SS ES DS FS GS. */
static int iret_to_v86(struct x86_cpu *c, uint32_t sp, uint32_t off, uint32_t sel,
                       uint32_t flags)
{
    uint32_t v[6];
    for (unsigned i = 0; i < 6; i++) {
        int rc = x86_pop_at(c, &sp, 4, &v[i]);
        if (rc)
            return rc;
    }
    c->lf_op = LF_NONE;
    c->eflags = (flags | FL_R1 | FL_VM) & ~0xffc08028u;
    x86_set_cpl(c, 3);
    x86_set_seg_real(c, SEG_CS, (uint16_t)sel);
    x86_set_seg_real(c, SEG_SS, (uint16_t)v[1]);
    x86_set_seg_real(c, SEG_ES, (uint16_t)v[2]);
    x86_set_seg_real(c, SEG_DS, (uint16_t)v[3]);
    x86_set_seg_real(c, SEG_FS, (uint16_t)v[4]);
    x86_set_seg_real(c, SEG_GS, (uint16_t)v[5]);
    c->gpr[ESP] = v[0];
    c->next_eip = off & 0xffffu;
    c->fast_valid = false;
    return X86_OK;
}

int x86_iret(struct x86_cpu *c, unsigned size)
{
    uint32_t sp = x86_sp(c), off, sel, flags;
    bool pm = x86_protected(c) && !x86_v86(c);
    if (pm && (c->eflags & FL_NT)) {
        /* Return to the task in the back link (SDM Vol. 2A IRET, TASK-RETURN). */
        uint32_t link;
        int rc = x86_read_lin(c, c->seg[SEG_TR].base, 2, &link);
        if (rc)
            return rc;
        rc = x86_task_switch(c, (uint16_t)link, X86_TASK_IRET, false, 0, c->next_eip);
        if (!rc)
            c->nmi_blocked = false;
        return rc;
    }
    int rc = x86_pop_at(c, &sp, size, &off);
    if (!rc)
        rc = x86_pop_at(c, &sp, size, &sel);
    if (!rc)
        rc = x86_pop_at(c, &sp, size, &flags);
    if (rc)
        return rc;
    if (!pm) {
        /* Real mode, and virtual-8086 mode with IOPL = 3 (checked by the
         * executor), where IOPL cannot change. */
        if ((rc = x86_load_cs(c, (uint16_t)sel, off)) != X86_OK)
            return rc;
        x86_set_sp(c, sp);
        uint32_t mask = x86_popf_mask(c, size);
        if (x86_v86(c))
            mask &= ~FL_IOPL;
        if (size == 4)
            mask |= FL_RF;
        x86_write_flags(c, flags, mask);
        c->nmi_blocked = false;
        return X86_OK;
    }
    if (size == 4 && (flags & FL_VM) && c->cpl == 0) {
        rc = iret_to_v86(c, sp, off, sel, flags);
        if (!rc)
            c->nmi_blocked = false;
        return rc;
    }
    /* The flags IRET may change depend on the privilege it runs at. */
    uint32_t mask = x86_popf_mask(c, size) | (size == 4 ? FL_RF : 0);
    struct x86_seg old_cs = c->seg[SEG_CS];
    uint32_t nsp;
    bool outer;
    rc = return_to(c, (uint16_t)sel, off, sp, size, 0, &nsp, &outer);
    if (rc) {
        c->seg[SEG_CS] = old_cs;
        return rc;
    }
    if (!outer)
        x86_set_sp(c, nsp);
    x86_write_flags(c, flags, mask);
    c->nmi_blocked = false;
    return X86_OK;
}
