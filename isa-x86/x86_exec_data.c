/* Data movement, stack, flag and miscellaneous instructions (SDM Vol. 2:
 * MOV, LEA, XCHG, MOVZX/MOVSX, CBW..CDQ, LAHF/SAHF, XLAT, PUSH/POP and
 * their all-register and flags forms, ENTER/LEAVE, BOUND, LDS..LGS,
 * SETcc, CMOVcc, BSWAP, the flag instructions, SALC, the x87 escapes). */
#include "isa-x86/x86_internal.h"

int x86_exec_nop(struct x86_cpu *c, const struct x86_rec *r)
{
    return X86_OK;
}

/* ---- the x87 escapes (docs/x87.md) ----------------------------------- */

/* Memory for the x87 unit: size bytes at offset in the operand's segment,
 * with the segment's checks over the whole range first. */
struct x87_access {
    struct x86_cpu *c;
    unsigned seg;
};

/* The x87's memory operands are checked and accessed as the integer
 * instructions' are: the effective address was truncated to the address
 * size, and the operand's bytes follow it without wrapping; one that
 * reaches past the segment limit (in real mode, past offset FFFFh) faults
 * (SDM Vol. 3A 5.3, 20.1.1). */
static int x87_mem(void *ctx, uint32_t offset, unsigned size, uint8_t *buf, bool write)
{
    struct x87_access *a = ctx;
    /* Every page first: a store that faults on its second page must not
     * have written its first (faults are restartable, SDM Vol. 3A 6.5). */
    int rc = x86_probe(a->c, a->seg, offset, size, write);
    if (rc)
        return rc;
    for (unsigned i = 0; i < size; i++) {
        uint32_t v = buf[i];
        rc = write ? x86_write(a->c, a->seg, offset + i, 1, v)
                   : x86_read(a->c, a->seg, offset + i, 1, &v);
        if (rc)
            return rc;
        buf[i] = (uint8_t)v;
    }
    return X86_OK;
}

static int x87_read_cb(void *ctx, uint32_t offset, unsigned size, void *buf)
{
    return x87_mem(ctx, offset, size, buf, false);
}

static int x87_write_cb(void *ctx, uint32_t offset, unsigned size, const void *buf)
{
    uint8_t copy[160];
    if (size > sizeof copy)
        return x86_gp0(((struct x87_access *)ctx)->c);
    memcpy(copy, buf, size);
    return x87_mem(ctx, offset, size, copy, true);
}

/* FCMOVcc and FCOMI/FUCOMI(P) arrived with the P6 (SDM Vol. 2A FCMOVcc). */
static bool p6_only_escape(const struct x86_rec *r)
{
    if (r->attr & X86_A_MEM)
        return false;
    unsigned m = r->modrm;
    return (r->opc == 0xda && m < 0xe0) || (r->opc == 0xdb && (m < 0xe0 || (m >= 0xe8 && m < 0xf8))) ||
           (r->opc == 0xdf && m >= 0xe8 && m < 0xf8);
}

static int run_x87(struct x86_cpu *c, const struct x86_rec *r, uint8_t opcode)
{
    struct x87_access acc = { c, r->seg };
    struct x87_insn in = {
        .opcode = opcode, .modrm = r->modrm, .mem = (r->attr & X86_A_MEM) != 0,
        .op32 = (r->attr & X86_A_O32) != 0, .offset = opcode == 0x9b ? 0 : x86_ea(c, r),
        .data_sel = c->seg[r->seg].sel, .cs = c->seg[SEG_CS].sel, .eip = c->eip,
    };
    struct x87_env env = {
        .mode = !x86_protected(c) ? X87_MODE_REAL : x86_v86(c) ? X87_MODE_V86 : X87_MODE_PROTECTED,
        .eflags = x86_get_flags(c), .ctx = &acc, .read = x87_read_cb, .write = x87_write_cb,
    };
    enum x87_result xr = x87_execute(&c->fpu, &in, &env);
    x86_update_ferr(c);
    switch (xr) {
    case X87_OK:
        if (env.outputs & X87_OUT_AX)
            set_reg(c, EAX, 2, env.ax);
        if (env.outputs & X87_OUT_EFLAGS)
            x86_set_arith(c, env.eflags);
        return X86_OK;
    case X87_RAISE_MF:
        /* CR0.NE = 1: #MF. Otherwise the instruction waits for the
         * external interrupt FERR# raises (SDM Vol. 1 D.2.1; the board
         * wires irq_output 0): it is retried at each boundary until an
         * interrupt handler clears the error. */
        if (c->cr0 & CR0_NE)
            return x86_fault(c, X86_MF, false, 0);
        c->next_eip = c->eip;
        return X86_OK;
    case X87_MEM_FAULT:
        return env.fault;
    case X87_GENERAL_PROTECTION:
        return x86_gp0(c);
    default:
        return x86_ud(c);
    }
}

/* D8-DF: CR0.EM = 1 or CR0.TS = 1 raises #NM (SDM Vol. 3A 2.5, table
 * 2-2). With no x87 attached (the i386 model) nothing happens beyond the
 * operand's address check: a memory operand whose first word lies beyond
 * the segment limit faults as a word access would (what the 80286 vectors
 * show for a processor with no coprocessor answering). */
int x86_exec_esc(struct x86_cpu *c, const struct x86_rec *r)
{
    if (c->cr0 & (CR0_EM | CR0_TS))
        return x86_fault(c, X86_NM, false, 0);
    if (c->has_fpu) {
        if (!(c->features & X86_F_P6) && p6_only_escape(r))
            return x86_ud(c);
        return run_x87(c, r, 0xd8 | (r->opc & 7));
    }
    if (r->attr & X86_A_MEM)
        return x86_check_seg(c, r->seg, x86_ea(c, r), 2, false);
    return X86_OK;
}

/* WAIT: #NM when CR0.MP and CR0.TS are both set; then a pending unmasked
 * x87 exception is reported. */
int x86_exec_wait(struct x86_cpu *c, const struct x86_rec *r)
{
    if ((c->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        return x86_fault(c, X86_NM, false, 0);
    return c->has_fpu ? run_x87(c, r, 0x9b) : X86_OK;
}

int x86_exec_mov_rm_r(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    return write_rm(c, r, size, get_reg(c, rec_reg(r), size));
}

int x86_exec_mov_r_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t v;
    int rc = read_rm(c, r, size, &v);
    if (!rc)
        set_reg(c, rec_reg(r), size, v);
    return rc;
}

int x86_exec_mov_rm_imm(struct x86_cpu *c, const struct x86_rec *r)
{
    return write_rm(c, r, rec_wsize(r), r->imm);
}

int x86_exec_mov_r_imm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = r->opc >= 0xb8 ? rec_osize(r) : 1;
    set_reg(c, r->opc & 7, size, r->imm);
    return X86_OK;
}

int x86_exec_mov_moffs(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    if (r->opc < 0xa2) {
        uint32_t v;
        int rc = x86_read(c, r->seg, r->disp, size, &v);
        if (!rc)
            set_reg(c, EAX, size, v);
        return rc;
    }
    return x86_write(c, r->seg, r->disp, size, get_reg(c, EAX, size));
}

/* MOV r/m, Sreg: a register destination with a 32-bit operand size gets
 * the selector zero-extended (Pentium Pro and later; the i386/i486 leave
 * the upper half undefined, here also zero). A memory destination is
 * always 16 bits (SDM Vol. 2B MOV). */
int x86_exec_mov_rm_sreg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned sreg = rec_reg(r);
    if (sreg >= SEG_COUNT)
        return x86_ud(c);
    uint32_t v = c->seg[sreg].sel;
    if (!(r->attr & X86_A_MEM)) {
        set_reg(c, rec_rm(r), rec_osize(r), v);
        return X86_OK;
    }
    return x86_write(c, r->seg, x86_ea(c, r), 2, v);
}

int x86_exec_mov_sreg_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned sreg = rec_reg(r);
    if (sreg >= SEG_COUNT || sreg == SEG_CS)
        return x86_ud(c);
    uint32_t v;
    int rc = read_rm(c, r, 2, &v);
    if (!rc)
        rc = x86_load_seg(c, sreg, (uint16_t)v);
    /* A load of SS inhibits interrupts until after the next instruction
     * (SDM Vol. 3A 6.8.3). */
    if (!rc && sreg == SEG_SS)
        c->inhibit_irq = true;
    return rc;
}

int x86_exec_lea(struct x86_cpu *c, const struct x86_rec *r)
{
    set_reg(c, rec_reg(r), rec_osize(r), x86_ea(c, r));
    return X86_OK;
}

int x86_exec_xchg_rm_r(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    rc = write_rm(c, r, size, get_reg(c, rec_reg(r), size));
    if (!rc)
        set_reg(c, rec_reg(r), size, a);
    return rc;
}

int x86_exec_xchg_acc(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r), n = r->opc & 7;
    uint32_t a = get_reg(c, EAX, size);
    set_reg(c, EAX, size, get_reg(c, n, size));
    set_reg(c, n, size, a);
    return X86_OK;
}

int x86_exec_movx(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned src = (r->opc & 1) ? 2 : 1;
    uint32_t v;
    int rc = read_rm(c, r, src, &v);
    if (rc)
        return rc;
    if (r->opc >= 0xbe)
        v = src == 1 ? (uint32_t)(int32_t)(int8_t)v : (uint32_t)(int32_t)(int16_t)v;
    set_reg(c, rec_reg(r), rec_osize(r), v);
    return X86_OK;
}

int x86_exec_cbw(struct x86_cpu *c, const struct x86_rec *r)
{
    if (r->attr & X86_A_O32)
        c->gpr[EAX] = (uint32_t)(int32_t)(int16_t)c->gpr[EAX];
    else
        set_reg(c, EAX, 2, (uint32_t)(int32_t)(int8_t)c->gpr[EAX]);
    return X86_OK;
}

int x86_exec_cwd(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t sign = (size_mask(size) >> 1) + 1;
    set_reg(c, EDX, size, (get_reg(c, EAX, size) & sign) ? 0xffffffffu : 0);
    return X86_OK;
}

/* LAHF/SAHF: SF ZF - AF - PF - CF in AH (bits 7 6 4 2 0; bit 1 reads 1). */
int x86_exec_lahf(struct x86_cpu *c, const struct x86_rec *r)
{
    set_reg(c, 4, 1, (x86_get_flags(c) & 0xd5u) | FL_R1);
    return X86_OK;
}

int x86_exec_sahf(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t ah = (c->gpr[EAX] >> 8) & 0xd5u;
    x86_set_arith(c, (x86_get_flags(c) & ~0xd5u) | ah);
    return X86_OK;
}

/* SALC (D6, undocumented on every model): AL = CF ? 0xFF : 0. */
int x86_exec_salc(struct x86_cpu *c, const struct x86_rec *r)
{
    set_reg(c, EAX, 1, x86_cf(c) ? 0xffu : 0);
    return X86_OK;
}

int x86_exec_xlat(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t off = c->gpr[EBX] + (c->gpr[EAX] & 0xffu);
    if (!(r->attr & X86_A_A32))
        off &= 0xffffu;
    uint32_t v;
    int rc = x86_read(c, r->seg, off, 1, &v);
    if (!rc)
        set_reg(c, EAX, 1, v);
    return rc;
}

/* CMC CLC STC CLI STI CLD STD (F5, F8-FD). CLI/STI are IOPL-sensitive in
 * protected and virtual-8086 mode (SDM Vol. 2A CLI). */
int x86_exec_flagop(struct x86_cpu *c, const struct x86_rec *r)
{
    if ((r->opc == 0xfa || r->opc == 0xfb) && x86_protected(c) &&
        ((c->eflags >> 12) & 3) < (x86_v86(c) ? 3u : c->cpl))
        return x86_gp0(c);
    uint32_t f = x86_get_flags(c);
    switch (r->opc) {
    case 0xf5: f ^= FL_CF; break;
    case 0xf8: f &= ~FL_CF; break;
    case 0xf9: f |= FL_CF; break;
    case 0xfa: f &= ~FL_IF; break;
    case 0xfb:
        if (!(f & FL_IF))
            c->inhibit_irq = true;   /* SDM Vol. 2B STI: one more instruction first */
        f |= FL_IF;
        break;
    case 0xfc: f &= ~FL_DF; break;
    default: f |= FL_DF; break;
    }
    c->eflags = f;
    return X86_OK;
}

int x86_exec_setcc(struct x86_cpu *c, const struct x86_rec *r)
{
    return write_rm(c, r, 1, x86_cond(c, r->opc & 15) ? 1 : 0);
}

/* CMOVcc reads its source whether or not the condition holds (a memory
 * source faults either way); a 32-bit destination is written only when
 * the condition holds (SDM Vol. 2A CMOVcc). */
int x86_exec_cmovcc(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t v;
    int rc = read_rm(c, r, size, &v);
    if (!rc && x86_cond(c, r->opc & 15))
        set_reg(c, rec_reg(r), size, v);
    return rc;
}

/* BSWAP with a 16-bit operand size is undefined; it zeroes the low word
 * as Intel processors do. */
int x86_exec_bswap(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned n = r->opc & 7;
    if (r->attr & X86_A_O32)
        c->gpr[n] = __builtin_bswap32(c->gpr[n]);
    else
        set_reg(c, n, 2, 0);
    return X86_OK;
}

/* LES LDS LSS LFS LGS: offset then selector from memory. */
int x86_exec_lfar(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    unsigned seg = r->opc == 0xc4 ? SEG_ES : r->opc == 0xc5 ? SEG_DS
                 : r->opc == 0xb2 ? SEG_SS : r->opc == 0xb4 ? SEG_FS : SEG_GS;
    uint32_t ea = x86_ea(c, r), off, sel;
    uint32_t ea2 = ea + size;
    if (!(r->attr & X86_A_A32))
        ea2 &= 0xffffu;
    int rc = x86_read(c, r->seg, ea, size, &off);
    if (!rc)
        rc = x86_read(c, r->seg, ea2, 2, &sel);
    if (!rc)
        rc = x86_load_seg(c, seg, (uint16_t)sel);
    if (rc)
        return rc;
    if (seg == SEG_SS)
        c->inhibit_irq = true;
    set_reg(c, rec_reg(r), size, off);
    return X86_OK;
}

/* ---- stack ------------------------------------------------------------- */

int x86_exec_push_reg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    /* PUSH eSP pushes the value before the push (SDM Vol. 2B PUSH). */
    return x86_push(c, size, get_reg(c, r->opc & 7, size));
}

int x86_exec_pop_reg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t v;
    int rc = x86_pop(c, size, &v);
    if (!rc)
        set_reg(c, r->opc & 7, size, v);
    return rc;
}

int x86_exec_push_imm(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_push(c, rec_osize(r), r->imm);
}

int x86_exec_push_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t v;
    int rc = read_rm(c, r, size, &v);
    return rc ? rc : x86_push(c, size, v);
}

/* POP r/m: the address is computed with the incremented ESP when ESP is
 * its base (SDM Vol. 2B POP). */
int x86_exec_pop_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t sp = x86_sp(c), v;
    int rc = x86_pop_at(c, &sp, size, &v);
    if (rc)
        return rc;
    uint32_t old = c->gpr[ESP];
    x86_set_sp(c, sp);
    rc = write_rm(c, r, size, v);
    if (rc)
        c->gpr[ESP] = old;
    return rc;
}

static unsigned sreg_of_push(const struct x86_rec *r)
{
    if (r->attr & X86_A_0F)
        return r->opc < 0xa8 ? SEG_FS : SEG_GS;
    return (r->opc >> 3) & 3;
}

int x86_exec_push_sreg(struct x86_cpu *c, const struct x86_rec *r)
{
    return x86_push(c, rec_osize(r), c->seg[sreg_of_push(r)].sel);
}

int x86_exec_pop_sreg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned seg = sreg_of_push(r), size = rec_osize(r);
    uint32_t sp = x86_sp(c), v;
    int rc = x86_pop_at(c, &sp, size, &v);
    if (!rc)
        rc = x86_load_seg(c, seg, (uint16_t)v);
    if (rc)
        return rc;
    x86_set_sp(c, sp);
    if (seg == SEG_SS)
        c->inhibit_irq = true;
    return X86_OK;
}

int x86_exec_pusha(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t sp = x86_sp(c), orig = c->gpr[ESP];
    for (unsigned n = 0; n < 8; n++) {
        int rc = x86_push_at(c, &sp, size, n == ESP ? orig : c->gpr[n]);
        if (rc)
            return rc;
    }
    x86_set_sp(c, sp);
    return X86_OK;
}

int x86_exec_popa(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t sp = x86_sp(c), v[8];
    for (unsigned n = 8; n-- > 0;) {
        int rc = x86_pop_at(c, &sp, size, &v[n]);
        if (rc)
            return rc;
    }
    for (unsigned n = 0; n < 8; n++)
        if (n != ESP)
            set_reg(c, n, size, v[n]);
    x86_set_sp(c, sp);
    return X86_OK;
}

/* PUSHF/POPF: IOPL-sensitive in virtual-8086 mode (SDM Vol. 2B). PUSHF
 * pushes EFLAGS with VM and RF cleared. */
int x86_exec_pushf(struct x86_cpu *c, const struct x86_rec *r)
{
    if (x86_v86(c) && ((c->eflags >> 12) & 3) < 3)
        return x86_gp0(c);
    return x86_push(c, rec_osize(r), x86_get_flags(c) & ~(FL_VM | FL_RF));
}

int x86_exec_popf(struct x86_cpu *c, const struct x86_rec *r)
{
    if (x86_v86(c) && ((c->eflags >> 12) & 3) < 3)
        return x86_gp0(c);
    unsigned size = rec_osize(r);
    uint32_t v;
    int rc = x86_pop(c, size, &v);
    if (!rc)
        x86_write_flags(c, v, x86_popf_mask(c, size));
    return rc;
}

/* ENTER (SDM Vol. 2A): level taken modulo 32; the frame pointer chain is
 * copied from the old frame for levels above 1. */
int x86_exec_enter(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r), level = r->disp & 31;
    bool s32 = x86_stack32(c);
    uint32_t sp = x86_sp(c);
    uint32_t bp = s32 ? c->gpr[EBP] : c->gpr[EBP] & 0xffffu;
    int rc = x86_push_at(c, &sp, size, get_reg(c, EBP, size));
    if (rc)
        return rc;
    uint32_t frame = sp;
    for (unsigned i = 1; i < level; i++) {
        bp = (bp - size) & (s32 ? 0xffffffffu : 0xffffu);
        uint32_t v;
        rc = x86_read(c, SEG_SS, bp, size, &v);
        if (!rc)
            rc = x86_push_at(c, &sp, size, v);
        if (rc)
            return rc;
    }
    if (level > 0) {
        rc = x86_push_at(c, &sp, size, frame);
        if (rc)
            return rc;
    }
    uint32_t nsp = (sp - r->imm) & (s32 ? 0xffffffffu : 0xffffu);
    /* The new stack top must be writable (the i386 checks it). */
    if (r->imm) {
        rc = x86_check_seg(c, SEG_SS, nsp, 1, true);
        if (rc)
            return rc;
    }
    set_reg(c, EBP, size, frame);
    x86_set_sp(c, nsp);
    return X86_OK;
}

int x86_exec_leave(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t sp = x86_stack32(c) ? c->gpr[EBP] : c->gpr[EBP] & 0xffffu, v;
    int rc = x86_pop_at(c, &sp, size, &v);
    if (rc)
        return rc;
    x86_set_sp(c, sp);
    set_reg(c, EBP, size, v);
    return X86_OK;
}

/* BOUND: #BR when the index lies outside [lower, upper] (signed). */
int x86_exec_bound(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t ea = x86_ea(c, r), lo, hi;
    uint32_t ea2 = ea + size;
    if (!(r->attr & X86_A_A32))
        ea2 &= 0xffffu;
    int rc = x86_read(c, r->seg, ea, size, &lo);
    if (!rc)
        rc = x86_read(c, r->seg, ea2, size, &hi);
    if (rc)
        return rc;
    int32_t idx, l, h;
    if (size == 2) {
        idx = (int16_t)get_reg(c, rec_reg(r), 2);
        l = (int16_t)lo;
        h = (int16_t)hi;
    } else {
        idx = (int32_t)c->gpr[rec_reg(r)];
        l = (int32_t)lo;
        h = (int32_t)hi;
    }
    if (idx < l || idx > h)
        return x86_fault(c, X86_BR, false, 0);
    return X86_OK;
}
