/* Control transfer (SDM Vol. 2: Jcc, JMP, CALL, RET, IRET, LOOP, JCXZ,
 * INT n/INT3/INTO, HLT) and the stack helpers they share with the rest. */
#include "isa-x86/x86_internal.h"

/* ---- stack ------------------------------------------------------------- */

uint32_t x86_sp(const struct x86_cpu *c)
{
    return x86_stack32(c) ? c->gpr[ESP] : c->gpr[ESP] & 0xffffu;
}

void x86_set_sp(struct x86_cpu *c, uint32_t sp)
{
    if (x86_stack32(c))
        c->gpr[ESP] = sp;
    else
        c->gpr[ESP] = (c->gpr[ESP] & 0xffff0000u) | (sp & 0xffffu);
}

int x86_push_at(struct x86_cpu *c, uint32_t *sp, unsigned size, uint32_t v)
{
    uint32_t nsp = *sp - size;
    if (!x86_stack32(c))
        nsp &= 0xffffu;
    int rc = x86_write(c, SEG_SS, nsp, size, v);
    if (!rc)
        *sp = nsp;
    return rc;
}

int x86_pop_at(struct x86_cpu *c, uint32_t *sp, unsigned size, uint32_t *v)
{
    int rc = x86_read(c, SEG_SS, *sp, size, v);
    if (!rc) {
        *sp += size;
        if (!x86_stack32(c))
            *sp &= 0xffffu;
    }
    return rc;
}

int x86_push(struct x86_cpu *c, unsigned size, uint32_t v)
{
    uint32_t sp = x86_sp(c);
    int rc = x86_push_at(c, &sp, size, v);
    if (!rc)
        x86_set_sp(c, sp);
    return rc;
}

int x86_pop(struct x86_cpu *c, unsigned size, uint32_t *v)
{
    uint32_t sp = x86_sp(c);
    int rc = x86_pop_at(c, &sp, size, v);
    if (!rc)
        x86_set_sp(c, sp);
    return rc;
}

/* ---- near transfers ---------------------------------------------------- */

/* A near branch target: truncated to 16 bits with a 16-bit operand size,
 * and #GP(0) beyond the CS limit (SDM Vol. 2A JMP). */
static int branch(struct x86_cpu *c, const struct x86_rec *r, uint32_t target)
{
    if (!(r->attr & X86_A_O32))
        target &= 0xffffu;
    if (target > c->seg[SEG_CS].limit)
        return x86_fault(c, X86_GP, x86_protected(c) && !x86_v86(c), 0);
    c->next_eip = target;
    return X86_OK;
}

int x86_exec_jcc(struct x86_cpu *c, const struct x86_rec *r)
{
    if (!x86_cond(c, r->opc & 15))
        return X86_OK;
    return branch(c, r, c->next_eip + r->imm);
}

int x86_exec_jmp_rel(struct x86_cpu *c, const struct x86_rec *r)
{
    return branch(c, r, c->next_eip + r->imm);
}

int x86_exec_call_rel(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t target = c->next_eip + r->imm;
    if (size == 2)
        target &= 0xffffu;
    if (target > c->seg[SEG_CS].limit)
        return x86_fault(c, X86_GP, x86_protected(c) && !x86_v86(c), 0);
    int rc = x86_push(c, size, c->next_eip);
    if (!rc)
        c->next_eip = target;
    return rc;
}

int x86_exec_jmp_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t target;
    int rc = read_rm(c, r, rec_osize(r), &target);
    return rc ? rc : branch(c, r, target);
}

int x86_exec_call_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t target;
    int rc = read_rm(c, r, size, &target);
    if (rc)
        return rc;
    if (target > c->seg[SEG_CS].limit)
        return x86_fault(c, X86_GP, x86_protected(c) && !x86_v86(c), 0);
    rc = x86_push(c, size, c->next_eip);
    if (!rc)
        c->next_eip = target;
    return rc;
}

/* RET [imm16]: the immediate is added to the popped stack pointer. */
int x86_exec_ret(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t sp = x86_sp(c), target;
    int rc = x86_pop_at(c, &sp, size, &target);
    if (rc)
        return rc;
    if (target > c->seg[SEG_CS].limit)
        return x86_fault(c, X86_GP, x86_protected(c) && !x86_v86(c), 0);
    if (r->opc == 0xc2)
        sp += r->imm;
    x86_set_sp(c, sp);
    c->next_eip = target;
    return X86_OK;
}

/* ---- far transfers ----------------------------------------------------- */

int x86_exec_jmp_far(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_far_jmp(c, (uint16_t)r->disp, r->imm);
}

int x86_exec_call_far(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_far_call(c, (uint16_t)r->disp, r->imm, rec_osize(r));
}

/* JMP/CALL m16:16 / m16:32: offset then selector. */
static int read_far_ptr(struct x86_cpu *c, const struct x86_rec *r, uint16_t *sel, uint32_t *off)
{
    unsigned size = rec_osize(r);
    uint32_t ea = x86_ea(c, r), ea2 = ea + size, s = 0;
    if (!(r->attr & X86_A_A32))
        ea2 &= 0xffffu;
    int rc = x86_read(c, r->seg, ea, size, off);
    if (!rc)
        rc = x86_read(c, r->seg, ea2, 2, &s);
    *sel = (uint16_t)s;
    return rc;
}

int x86_exec_jmp_far_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    uint16_t sel = 0;
    uint32_t off = 0;
    int rc = read_far_ptr(c, r, &sel, &off);
    return rc ? rc : x86_far_jmp(c, sel, off);
}

int x86_exec_call_far_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    uint16_t sel = 0;
    uint32_t off = 0;
    int rc = read_far_ptr(c, r, &sel, &off);
    return rc ? rc : x86_far_call(c, sel, off, rec_osize(r));
}

int x86_exec_retf(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_far_ret(c, rec_osize(r), r->opc == 0xca ? r->imm : 0);
}

/* IRET: IOPL-sensitive in virtual-8086 mode (SDM Vol. 3A 20.2.7). NMIs
 * are unblocked by any IRET (SDM Vol. 3A 6.7.1). */
int x86_exec_iret(struct x86_cpu *c, const struct x86_rec *r)
{
    if (x86_v86(c) && ((c->eflags >> 12) & 3) < 3)
        return x86_gp0(c);
    return x86_iret(c, rec_osize(r));
}

/* LOOP/LOOPE/LOOPNE: the counter is CX or ECX by address size. */
int x86_exec_loop(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned asz = (r->attr & X86_A_A32) ? 4 : 2;
    uint32_t cnt = (get_reg(c, ECX, asz) - 1) & size_mask(asz);
    set_reg(c, ECX, asz, cnt);
    bool take = cnt != 0;
    if (r->opc == 0xe0)
        take = take && !(x86_get_flags(c) & FL_ZF);
    else if (r->opc == 0xe1)
        take = take && (x86_get_flags(c) & FL_ZF);
    return take ? branch(c, r, c->next_eip + r->imm) : X86_OK;
}

int x86_exec_jcxz(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned asz = (r->attr & X86_A_A32) ? 4 : 2;
    return get_reg(c, ECX, asz) == 0 ? branch(c, r, c->next_eip + r->imm) : X86_OK;
}

/* INT n (and INT1/ICEBP, F1): virtual-8086 mode with IOPL < 3 raises
 * #GP(0) (SDM Vol. 3A 20.2.7). */
int x86_exec_int(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned vector = r->opc == 0xf1 ? X86_DB : r->imm & 0xffu;
    if (r->opc != 0xf1 && x86_v86(c) && ((c->eflags >> 12) & 3) < 3)
        return x86_gp0(c);
    return x86_interrupt(c, vector, r->opc != 0xf1, false, 0, c->next_eip);
}

int x86_exec_int3(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_interrupt(c, X86_BP, true, false, 0, c->next_eip);
}

int x86_exec_into(struct x86_cpu *c, const struct x86_rec *r)
{
    if (!(x86_get_flags(c) & FL_OF))
        return X86_OK;
    return x86_interrupt(c, X86_OF, true, false, 0, c->next_eip);
}

/* HLT is privileged (CPL 0) in protected mode. */
int x86_exec_hlt(struct x86_cpu *c, const struct x86_rec *r)
{
    if (x86_protected(c) && c->cpl != 0)
        return x86_gp0(c);
    return X86_HALT;
}
