/* Integer arithmetic and logic (SDM Vol. 2: ADD..CMP, TEST, INC, DEC, NEG,
 * NOT, MUL, IMUL, DIV, IDIV, the shifts and rotates, SHLD/SHRD, the BCD
 * adjustments, BT*, BSF/BSR, XADD, CMPXCHG, CMPXCHG8B). Where the SDM
 * leaves a flag undefined the value written here is documented in
 * docs/isa-x86.md. */
#include "isa-x86/x86_internal.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

/* One of the eight group-1 operations on a and b (size bytes); records the
 * flags lazily and returns the result (CMP: the difference, not written). */
static uint32_t alu(struct x86_cpu *c, unsigned op, unsigned size, uint32_t a, uint32_t b)
{
    uint32_t m = size_mask(size), res;
    a &= m;
    b &= m;
    switch (op) {
    case ALU_ADD:
        res = (a + b) & m;
        x86_lazy(c, LF_ADD, size, a, b, res);
        break;
    case ALU_ADC: {
        bool cin = x86_cf(c);
        res = (a + b + cin) & m;
        x86_lazy(c, cin ? LF_ADC : LF_ADD, size, a, b, res);
        break;
    }
    case ALU_SBB: {
        bool cin = x86_cf(c);
        res = (a - b - cin) & m;
        x86_lazy(c, cin ? LF_SBB : LF_SUB, size, a, b, res);
        break;
    }
    case ALU_SUB:
    case ALU_CMP:
        res = (a - b) & m;
        x86_lazy(c, LF_SUB, size, a, b, res);
        break;
    case ALU_OR:
        res = a | b;
        x86_lazy(c, LF_LOGIC, size, a, b, res);
        break;
    case ALU_AND:
        res = a & b;
        x86_lazy(c, LF_LOGIC, size, a, b, res);
        break;
    default:
        res = a ^ b;
        x86_lazy(c, LF_LOGIC, size, a, b, res);
        break;
    }
    return res;
}

/* ALU r/m, reg (00, 01, 08, ... 39): opcode bits 5:3 are the operation. */
int x86_exec_alu_rm_r(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r), op = (r->opc >> 3) & 7;
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    uint32_t res = alu(c, op, size, a, get_reg(c, rec_reg(r), size));
    return op == ALU_CMP ? X86_OK : write_rm(c, r, size, res);
}

int x86_exec_alu_r_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r), op = (r->opc >> 3) & 7;
    uint32_t b;
    int rc = read_rm(c, r, size, &b);
    if (rc)
        return rc;
    uint32_t res = alu(c, op, size, get_reg(c, rec_reg(r), size), b);
    if (op != ALU_CMP)
        set_reg(c, rec_reg(r), size, res);
    return X86_OK;
}

int x86_exec_alu_acc_imm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r), op = (r->opc >> 3) & 7;
    uint32_t res = alu(c, op, size, get_reg(c, EAX, size), r->imm);
    if (op != ALU_CMP)
        set_reg(c, EAX, size, res);
    return X86_OK;
}

/* 80-83 (group 1): ModRM.reg is the operation. */
int x86_exec_alu_grp1(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = r->opc == 0x80 || r->opc == 0x82 ? 1 : rec_osize(r), op = rec_reg(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    uint32_t res = alu(c, op, size, a, r->imm);
    return op == ALU_CMP ? X86_OK : write_rm(c, r, size, res);
}

int x86_exec_test_rm_r(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    alu(c, ALU_AND, size, a, get_reg(c, rec_reg(r), size));
    return X86_OK;
}

int x86_exec_test_acc_imm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    alu(c, ALU_AND, size, get_reg(c, EAX, size), r->imm);
    return X86_OK;
}

int x86_exec_grp3_test(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    alu(c, ALU_AND, size, a, r->imm);
    return X86_OK;
}

/* INC/DEC leave CF as it was (SDM Vol. 2A INC): the current CF goes into
 * eflags, where LF_INC/LF_DEC find it (the other flags are all replaced). */
static uint32_t incdec(struct x86_cpu *c, bool dec, unsigned size, uint32_t a)
{
    c->eflags = (c->eflags & ~FL_CF) | (x86_cf(c) ? FL_CF : 0);
    uint32_t res = (dec ? a - 1 : a + 1) & size_mask(size);
    x86_lazy(c, dec ? LF_DEC : LF_INC, size, a, 1, res);
    return res;
}

int x86_exec_incdec_reg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r), n = r->opc & 7;
    set_reg(c, n, size, incdec(c, r->opc >= 0x48, size, get_reg(c, n, size)));
    return X86_OK;
}

int x86_exec_incdec_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    return write_rm(c, r, size, incdec(c, rec_reg(r) == 1, size, a));
}

int x86_exec_not(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    return write_rm(c, r, size, ~a & size_mask(size));
}

int x86_exec_neg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t a;
    int rc = read_rm(c, r, size, &a);
    if (rc)
        return rc;
    return write_rm(c, r, size, alu(c, ALU_SUB, size, 0, a));
}

/* MUL/IMUL leave SF, ZF, AF and PF undefined: they are set from the low
 * half of the product, AF cleared (docs/isa-x86.md). */
static void mul_flags(struct x86_cpu *c, bool overflow, uint32_t low, unsigned size)
{
    uint32_t fl = x86_szp(low, size);
    if (overflow)
        fl |= FL_CF | FL_OF;
    x86_set_arith(c, fl);
}

int x86_exec_mul(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t b;
    int rc = read_rm(c, r, size, &b);
    if (rc)
        return rc;
    uint64_t p = (uint64_t)get_reg(c, EAX, size) * b;
    if (size == 1) {
        set_reg(c, EAX, 2, (uint32_t)p);
        mul_flags(c, (p >> 8) != 0, (uint32_t)p, 1);
    } else {
        unsigned bits = 8 * size;
        set_reg(c, EAX, size, (uint32_t)p);
        set_reg(c, EDX, size, (uint32_t)(p >> bits));
        mul_flags(c, (p >> bits) != 0, (uint32_t)p, size);
    }
    return X86_OK;
}

static int64_t sx(uint32_t v, unsigned size)
{
    return size == 1 ? (int8_t)v : size == 2 ? (int16_t)v : (int32_t)v;
}

int x86_exec_imul1(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t b;
    int rc = read_rm(c, r, size, &b);
    if (rc)
        return rc;
    int64_t p = sx(get_reg(c, EAX, size), size) * sx(b, size);
    bool ovf = p != sx((uint32_t)p, size);
    if (size == 1) {
        set_reg(c, EAX, 2, (uint32_t)p);
    } else {
        set_reg(c, EAX, size, (uint32_t)p);
        set_reg(c, EDX, size, (uint32_t)((uint64_t)p >> (8 * size)));
    }
    mul_flags(c, ovf, (uint32_t)p, size);
    return X86_OK;
}

static void imul_to_reg(struct x86_cpu *c, const struct x86_rec *r, uint32_t a, uint32_t b)
{
    unsigned size = rec_osize(r);
    int64_t p = sx(a, size) * sx(b, size);
    set_reg(c, rec_reg(r), size, (uint32_t)p);
    mul_flags(c, p != sx((uint32_t)p, size), (uint32_t)p, size);
}

int x86_exec_imul_r_rm(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t b;
    int rc = read_rm(c, r, rec_osize(r), &b);
    if (rc)
        return rc;
    imul_to_reg(c, r, get_reg(c, rec_reg(r), rec_osize(r)), b);
    return X86_OK;
}

int x86_exec_imul_imm(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t a;
    int rc = read_rm(c, r, rec_osize(r), &a);
    if (rc)
        return rc;
    imul_to_reg(c, r, a, r->imm);
    return X86_OK;
}

/* Where DIV and IDIV leave their results: AL and AH for a byte divisor,
 * else (E)AX and (E)DX. */
static void store_quotient(struct x86_cpu *c, unsigned size, uint32_t q, uint32_t rem)
{
    if (size == 1) {
        set_reg(c, EAX, 2, (q & 0xffu) | (rem & 0xffu) << 8);
    } else {
        set_reg(c, EAX, size, q);
        set_reg(c, EDX, size, rem);
    }
}

/* DIV/IDIV: #DE for a zero divisor or a quotient that does not fit (SDM
 * Vol. 2A DIV). The flags are undefined and left unchanged. */
int x86_exec_div(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r), bits = 8 * size;
    uint32_t b;
    int rc = read_rm(c, r, size, &b);
    if (rc)
        return rc;
    if (b == 0)
        return x86_fault(c, X86_DE, false, 0);
    uint64_t n = size == 1 ? get_reg(c, EAX, 2)
                           : ((uint64_t)get_reg(c, EDX, size) << bits) | get_reg(c, EAX, size);
    uint64_t q = n / b, rem = n % b;
    if (q > size_mask(size))
        return x86_fault(c, X86_DE, false, 0);
    store_quotient(c, size, (uint32_t)q, (uint32_t)rem);
    return X86_OK;
}

int x86_exec_idiv(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r), bits = 8 * size;
    uint32_t b;
    int rc = read_rm(c, r, size, &b);
    if (rc)
        return rc;
    int64_t d = sx(b, size);
    if (d == 0)
        return x86_fault(c, X86_DE, false, 0);
    int64_t n = size == 1 ? (int16_t)get_reg(c, EAX, 2)
                          : size == 2 ? (int32_t)(get_reg(c, EDX, 2) << 16 | get_reg(c, EAX, 2))
                                      : (int64_t)((uint64_t)c->gpr[EDX] << 32 | c->gpr[EAX]);
    if (size == 4 && n == INT64_MIN && d == -1)
        return x86_fault(c, X86_DE, false, 0);
    int64_t q = n / d, rem = n % d;
    int64_t lim = (int64_t)1 << (bits - 1);
    if (q >= lim || q < -lim)
        return x86_fault(c, X86_DE, false, 0);
    store_quotient(c, size, (uint32_t)q, (uint32_t)rem);
    return X86_OK;
}

/* ---- shifts and rotates (group 2) ------------------------------------- */

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

/* One shift or rotate by count (already masked to 5 bits, non-zero).
 * Flags per SDM Vol. 2B SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR: OF is defined
 * for a count of 1 only and is computed with the same formula for larger
 * counts; shifts leave AF undefined (cleared here); rotates change CF and
 * OF only. */
static uint32_t shift(struct x86_cpu *c, unsigned op, unsigned size, uint32_t v, unsigned count)
{
    unsigned bits = 8 * size;
    uint32_t m = size_mask(size), sign = (m >> 1) + 1;
    uint32_t fl = x86_get_flags(c);
    uint32_t res;
    bool cf, of;
    v &= m;
    switch (op) {
    case SH_ROL: {
        unsigned n = count % bits;
        res = n ? ((v << n) | (v >> (bits - n))) & m : v;
        cf = res & 1;
        of = ((res & sign) != 0) != cf;
        break;
    }
    case SH_ROR: {
        unsigned n = count % bits;
        res = n ? ((v >> n) | (v << (bits - n))) & m : v;
        cf = (res & sign) != 0;
        of = cf != ((res & (sign >> 1)) != 0);
        break;
    }
    case SH_RCL:
    case SH_RCR: {
        unsigned n = count % (bits + 1);
        uint64_t x = (uint64_t)v | ((uint64_t)((fl & FL_CF) != 0) << bits);
        uint64_t wm = ((uint64_t)1 << (bits + 1)) - 1;
        if (n) {
            if (op == SH_RCL)
                x = ((x << n) | (x >> (bits + 1 - n))) & wm;
            else
                x = ((x >> n) | (x << (bits + 1 - n))) & wm;
        }
        res = (uint32_t)x & m;
        cf = (x >> bits) & 1;
        if (op == SH_RCL)
            of = ((res & sign) != 0) != cf;
        else
            of = ((res & sign) != 0) != ((res & (sign >> 1)) != 0);
        break;
    }
    case SH_SHL:
    case SH_SAL: {
        uint64_t w = (uint64_t)v << count;
        res = (uint32_t)w & m;
        cf = (w >> bits) & 1;
        of = ((res & sign) != 0) != cf;
        break;
    }
    case SH_SHR: {
        uint64_t w = (uint64_t)v;
        res = (uint32_t)(w >> count) & m;
        cf = (w >> (count - 1)) & 1;
        /* The two top bits of the result differ: the MSB of the operand
         * for a count of 1 (the SDM's definition), 0 for larger counts,
         * as the 80286 vectors show for the undefined case. */
        of = ((res & sign) != 0) != ((res & (sign >> 1)) != 0);
        break;
    }
    default: {
        int64_t w = sx(v, size);
        res = (uint32_t)(w >> count) & m;
        cf = (w >> (count - 1)) & 1;
        of = false;
        break;
    }
    }
    if (op <= SH_RCR) {
        fl &= ~(FL_CF | FL_OF);
    } else {
        fl &= ~FL_ARITH;
        fl |= x86_szp(res, size);
    }
    fl |= (cf ? FL_CF : 0) | (of ? FL_OF : 0);
    x86_set_arith(c, fl);
    return res;
}

int x86_exec_shift(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    unsigned count = r->opc >= 0xd2 ? c->gpr[ECX] & 0xffu : r->opc >= 0xd0 ? 1 : r->imm;
    /* The count is masked to 5 bits (SDM Vol. 2B SAL: "IA-32 processors
     * starting with the Intel 286"). */
    count &= 31;
    uint32_t v;
    int rc = read_rm(c, r, size, &v);
    if (rc || count == 0)
        return rc;
    return write_rm(c, r, size, shift(c, rec_reg(r), size, v, count));
}

/* SHLD/SHRD (SDM Vol. 2B): a count above the operand size (16-bit forms)
 * leaves the result undefined; here the operands are shifted as the
 * 32-bit concatenation of destination and source. */
int x86_exec_shld_shrd(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r), bits = 8 * size;
    unsigned count = ((r->opc & 1) ? c->gpr[ECX] : r->imm) & 31;
    bool left = r->opc < 0xa8;
    uint32_t d;
    int rc = read_rm(c, r, size, &d);
    if (rc || count == 0)
        return rc;
    uint64_t s = get_reg(c, rec_reg(r), size);
    uint32_t m = size_mask(size), sign = (m >> 1) + 1;
    uint64_t res;
    bool cf;
    if (left) {
        uint64_t x = ((uint64_t)d << bits | s) << count;   /* used for 16-bit operands only */
        if (size == 4) {
            uint64_t hi = ((uint64_t)d << count) | (count ? s >> (32 - count) : 0);
            res = hi & m;
            cf = (d >> (32 - count)) & 1;
        } else {
            res = (x >> bits) & m;
            cf = (x >> (2 * bits)) & 1;
        }
    } else {
        uint64_t x = (s << bits | d);
        res = (x >> count) & m;
        cf = (x >> (count - 1)) & 1;
    }
    uint32_t fl = x86_szp((uint32_t)res, size) | (cf ? FL_CF : 0);
    if ((((uint32_t)res ^ d) & sign) != 0)
        fl |= FL_OF;
    x86_set_arith(c, fl);
    return write_rm(c, r, size, (uint32_t)res);
}

/* ---- BCD (SDM Vol. 2A DAA, DAS, AAA, AAS, AAM, AAD) ------------------- */

int x86_exec_daa_das(struct x86_cpu *c, const struct x86_rec *r)
{
    bool sub = r->opc == 0x2f;
    uint32_t fl = x86_get_flags(c);
    uint32_t al = c->gpr[EAX] & 0xffu, old_al = al;
    bool old_cf = fl & FL_CF, cf = false, af = false;
    if ((al & 0xf) > 9 || (fl & FL_AF)) {
        cf = old_cf || (sub ? al < 6 : al + 6 > 0xff);
        al = (sub ? al - 6 : al + 6) & 0xffu;
        af = true;
    }
    if (old_al > 0x99 || old_cf) {
        al = (sub ? al - 0x60 : al + 0x60) & 0xffu;
        cf = true;
    } else if (!sub) {
        cf = false;
    }
    set_reg(c, EAX, 1, al);
    /* OF is undefined: the i386 leaves it as an add/subtract of the
     * adjustment would, which is not modelled; it is cleared. */
    x86_set_arith(c, x86_szp(al, 1) | (cf ? FL_CF : 0) | (af ? FL_AF : 0));
    return X86_OK;
}

int x86_exec_aaa_aas(struct x86_cpu *c, const struct x86_rec *r)
{
    bool sub = r->opc == 0x3f;
    uint32_t fl = x86_get_flags(c);
    uint32_t ax = c->gpr[EAX] & 0xffffu;
    bool adjust = (ax & 0xf) > 9 || (fl & FL_AF);
    if (adjust) {
        /* SDM Vol. 2A AAA/AAS: AX +/- 6 (a carry or borrow reaches AH),
         * then AH +/- 1. */
        ax = sub ? (ax - 6 - 0x100) & 0xffffu : (ax + 0x106) & 0xffffu;
    }
    ax &= 0xff0fu;
    set_reg(c, EAX, 2, ax);
    fl &= ~(FL_CF | FL_AF);
    if (adjust)
        fl |= FL_CF | FL_AF;
    x86_set_arith(c, fl);
    return X86_OK;
}

int x86_exec_aam(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t base = r->imm & 0xffu;
    if (base == 0)
        return x86_fault(c, X86_DE, false, 0);
    uint32_t al = c->gpr[EAX] & 0xffu;
    set_reg(c, EAX, 2, (al / base) << 8 | (al % base));
    x86_set_arith(c, x86_szp(al % base, 1));
    return X86_OK;
}

int x86_exec_aad(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t al = c->gpr[EAX] & 0xffu, ah = (c->gpr[EAX] >> 8) & 0xffu;
    uint32_t res = (al + ah * (r->imm & 0xffu)) & 0xffu;
    set_reg(c, EAX, 2, res);
    x86_set_arith(c, x86_szp(res, 1));
    return X86_OK;
}

/* ---- bit instructions ------------------------------------------------- */

/* BT/BTS/BTR/BTC (SDM Vol. 2A BT): with a register bit offset and a memory
 * operand the offset is signed and selects any bit relative to the
 * address; with an immediate it is taken modulo the operand size. CF is
 * the bit; OF, SF, AF and PF are undefined and left unchanged. */
int x86_exec_bt(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r), bits = 8 * size;
    bool imm = r->opc == 0xba;
    unsigned op = imm ? rec_reg(r) - 4 : (r->opc >> 3) & 3;   /* 0 BT, 1 BTS, 2 BTR, 3 BTC */
    uint32_t off = imm ? r->imm : get_reg(c, rec_reg(r), size);
    uint32_t v, bit;
    int rc;
    if (!imm && (r->attr & X86_A_MEM)) {
        int32_t soff = size == 2 ? (int16_t)off : (int32_t)off;
        int32_t unit = soff >= 0 ? soff / (int32_t)bits : -((-(soff + 1)) / (int32_t)bits) - 1;
        uint32_t addr = x86_ea(c, r) + (uint32_t)(unit * (int32_t)size);
        if (!(r->attr & X86_A_A32))
            addr &= 0xffffu;
        bit = (uint32_t)(soff - unit * (int32_t)bits);
        rc = x86_read(c, r->seg, addr, size, &v);
        if (rc)
            return rc;
        bool cf = (v >> bit) & 1;
        x86_set_arith(c, (x86_get_flags(c) & ~FL_CF) | (cf ? FL_CF : 0));
        if (op == 0)
            return X86_OK;
        v = op == 1 ? v | (1u << bit) : op == 2 ? v & ~(1u << bit) : v ^ (1u << bit);
        return x86_write(c, r->seg, addr, size, v);
    }
    bit = off & (bits - 1);
    rc = read_rm(c, r, size, &v);
    if (rc)
        return rc;
    bool cf = (v >> bit) & 1;
    x86_set_arith(c, (x86_get_flags(c) & ~FL_CF) | (cf ? FL_CF : 0));
    if (op == 0)
        return X86_OK;
    v = op == 1 ? v | (1u << bit) : op == 2 ? v & ~(1u << bit) : v ^ (1u << bit);
    return write_rm(c, r, size, v);
}

/* BSF/BSR: a zero source sets ZF and leaves the destination unchanged (the
 * SDM says undefined; Intel processors keep it). */
int x86_exec_bsf_bsr(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_osize(r);
    uint32_t v;
    int rc = read_rm(c, r, size, &v);
    if (rc)
        return rc;
    uint32_t fl = x86_get_flags(c) & ~FL_ZF;
    if (v == 0) {
        x86_set_arith(c, fl | FL_ZF);
        return X86_OK;
    }
    unsigned idx = r->opc == 0xbc ? (unsigned)__builtin_ctz(v) : 31u - (unsigned)__builtin_clz(v);
    set_reg(c, rec_reg(r), size, idx);
    x86_set_arith(c, fl);
    return X86_OK;
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP, in that order, so
 * that XADD r,r with the same register leaves the sum (SDM Vol. 2B XADD). */
int x86_exec_xadd(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t d;
    int rc = read_rm(c, r, size, &d);
    if (rc)
        return rc;
    uint32_t s = get_reg(c, rec_reg(r), size);
    uint32_t sum = (d + s) & size_mask(size);
    if (r->attr & X86_A_MEM) {
        rc = x86_write(c, r->seg, x86_ea(c, r), size, sum);
        if (rc)
            return rc;
        set_reg(c, rec_reg(r), size, d);
    } else {
        set_reg(c, rec_reg(r), size, d);
        set_reg(c, rec_rm(r), size, sum);
    }
    x86_lazy(c, LF_ADD, size, d, s, sum);
    return X86_OK;
}

/* CMPXCHG: the destination is written in both cases (the old value back
 * when the comparison fails), as the locked bus cycle does (SDM Vol. 2A). */
int x86_exec_cmpxchg(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned size = rec_wsize(r);
    uint32_t d;
    int rc = read_rm(c, r, size, &d);
    if (rc)
        return rc;
    uint32_t acc = get_reg(c, EAX, size);
    bool eq = acc == d;
    rc = write_rm(c, r, size, eq ? get_reg(c, rec_reg(r), size) : d);
    if (rc)
        return rc;
    alu(c, ALU_CMP, size, acc, d);
    if (!eq)
        set_reg(c, EAX, size, d);
    return X86_OK;
}

int x86_exec_cmpxchg8b(struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t ea = x86_ea(c, r), lo, hi;
    int rc = x86_read(c, r->seg, ea, 4, &lo);
    if (!rc)
        rc = x86_read(c, r->seg, ea + 4, 4, &hi);
    if (!rc)
        rc = x86_check_seg(c, r->seg, ea, 8, true);
    if (rc)
        return rc;
    bool eq = lo == c->gpr[EAX] && hi == c->gpr[EDX];
    uint32_t nlo = eq ? c->gpr[EBX] : lo, nhi = eq ? c->gpr[ECX] : hi;
    rc = x86_write(c, r->seg, ea, 4, nlo);
    if (!rc)
        rc = x86_write(c, r->seg, ea + 4, 4, nhi);
    if (rc)
        return rc;
    if (!eq) {
        c->gpr[EAX] = lo;
        c->gpr[EDX] = hi;
    }
    x86_set_arith(c, (x86_get_flags(c) & ~FL_ZF) | (eq ? FL_ZF : 0));
    return X86_OK;
}
