/* Lazy arithmetic flags (SDM Vol. 1 3.4.3.1; each instruction's "Flags
 * Affected" in Vol. 2). The common ALU operations record their inputs and
 * result; CF, PF, AF, ZF, SF and OF are computed only when an instruction
 * or the debugger reads them. */
#include "isa-x86/x86_internal.h"

uint32_t x86_szp(uint32_t res, unsigned size)
{
    uint32_t m = size_mask(size);
    uint32_t sign = (m >> 1) + 1;
    res &= m;
    uint32_t fl = 0;
    if (res & sign)
        fl |= FL_SF;
    if (res == 0)
        fl |= FL_ZF;
    if (!__builtin_parity(res & 0xffu))
        fl |= FL_PF;
    return fl;
}

/* The arithmetic flags of the recorded operation. LF_ADC/LF_SBB are the
 * forms with a carry (borrow) in of 1; with a carry in of 0 they are
 * recorded as LF_ADD/LF_SUB. */
static uint32_t lazy_flags(const struct x86_cpu *c)
{
    unsigned size = c->lf_size;
    uint32_t m = size_mask(size), sign = (m >> 1) + 1;
    uint32_t a = c->lf_a & m, b = c->lf_b & m, res = c->lf_res & m;
    uint32_t fl = x86_szp(res, size);
    switch (c->lf_op) {
    case LF_ADD:
    case LF_ADC:
        if (c->lf_op == LF_ADD ? res < a : res <= a)
            fl |= FL_CF;
        if ((a ^ res) & (b ^ res) & sign)
            fl |= FL_OF;
        fl |= (a ^ b ^ res) & FL_AF;
        break;
    case LF_SUB:
    case LF_SBB:
        if (c->lf_op == LF_SUB ? a < b : a <= b)
            fl |= FL_CF;
        if ((a ^ b) & (a ^ res) & sign)
            fl |= FL_OF;
        fl |= (a ^ b ^ res) & FL_AF;
        break;
    case LF_INC:
        fl |= c->eflags & FL_CF;
        if (res == sign)
            fl |= FL_OF;
        fl |= (a ^ 1u ^ res) & FL_AF;
        break;
    case LF_DEC:
        fl |= c->eflags & FL_CF;
        if (res == sign - 1)
            fl |= FL_OF;
        fl |= (a ^ 1u ^ res) & FL_AF;
        break;
    case LF_LOGIC:
    default:
        /* AND/OR/XOR/TEST: CF = OF = 0; AF is undefined and reads 0. */
        break;
    }
    return fl;
}

uint32_t x86_get_flags(struct x86_cpu *c)
{
    if (c->lf_op != LF_NONE) {
        c->eflags = (c->eflags & ~FL_ARITH) | lazy_flags(c);
        c->lf_op = LF_NONE;
    }
    return c->eflags;
}

/* CF alone, without computing the other flags (INC/DEC, ADC/SBB). */
bool x86_cf(struct x86_cpu *c)
{
    uint32_t m = size_mask(c->lf_size);
    uint32_t a = c->lf_a & m, b = c->lf_b & m, res = c->lf_res & m;
    switch (c->lf_op) {
    case LF_ADD: return res < a;
    case LF_ADC: return res <= a;
    case LF_SUB: return a < b;
    case LF_SBB: return a <= b;
    case LF_LOGIC: return false;
    default: return (c->eflags & FL_CF) != 0;
    }
}

/* SDM Vol. 1 B.1, table B-1: cc is the low nibble of Jcc/SETcc/CMOVcc. */
bool x86_cond(struct x86_cpu *c, unsigned cc)
{
    /* JZ/JNZ after an ALU operation: ZF straight from the result. */
    if (c->lf_op != LF_NONE && ((cc >> 1) & 7) == 2) {
        bool z = (c->lf_res & size_mask(c->lf_size)) == 0;
        return (cc & 1) ? !z : z;
    }
    uint32_t f = x86_get_flags(c);
    bool v;
    switch ((cc >> 1) & 7) {
    case 0: v = f & FL_OF; break;
    case 1: v = f & FL_CF; break;
    case 2: v = f & FL_ZF; break;
    case 3: v = f & (FL_CF | FL_ZF); break;
    case 4: v = f & FL_SF; break;
    case 5: v = f & FL_PF; break;
    case 6: v = !(f & FL_SF) != !(f & FL_OF); break;
    default: v = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF)); break;
    }
    return (cc & 1) ? !v : v;
}

void x86_write_flags(struct x86_cpu *c, uint32_t value, uint32_t mask)
{
    uint32_t f = x86_get_flags(c);
    c->eflags = ((f & ~mask) | (value & mask) | FL_R1) & ~0xffc08028u;
}

/* POPF (SDM Vol. 2B): in real mode and at CPL 0 every flag but VM, RF (and
 * the VIP/VIF pair) changes; IOPL only at CPL 0; IF only when CPL <= IOPL;
 * in virtual-8086 mode with IOPL = 3, neither IOPL nor VM. A 16-bit POPF
 * changes the low 16 bits only. The i386 has no AC and no ID flag (the
 * i486 added AC, the Pentium ID). */
uint32_t x86_popf_mask(struct x86_cpu *c, unsigned size)
{
    uint32_t mask = FL_ARITH | FL_TF | FL_DF | FL_IF | FL_IOPL | FL_NT;
    if (c->features & X86_F_I486)
        mask |= FL_AC;
    if (c->features & X86_F_P5)
        mask |= FL_ID;
    if (x86_protected(c)) {
        unsigned iopl = (c->eflags >> 12) & 3;
        if (x86_v86(c) || c->cpl > 0)
            mask &= ~FL_IOPL;
        if (c->cpl > iopl && !x86_v86(c))
            mask &= ~FL_IF;
    }
    if (size == 2)
        mask &= 0xffffu;
    return mask;
}
