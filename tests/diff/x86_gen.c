/* Random x86 instruction blocks: the templates of orrery-unicorn-diff-x86.
 *
 * Every template emits one valid encoding with random operands. Memory
 * operands are kept inside the data region: 16-bit addresses wrap in their
 * 64 KiB segment (base 0) by themselves; 32-bit addresses get "setup"
 * instructions (MOV r32, imm32) before them that put the base and index
 * registers where the sum lands in the region. ESP is never a destination
 * of a random write, so the stack stays in the region too.
 *
 * Undefined flags: each template records which EFLAGS bits the SDM
 * (Vol. 2, the instruction's "Flags Affected") leaves undefined after it.
 * Before a template that reads a flag still undefined, a CMP AL, imm8
 * (all six arithmetic flags defined) is emitted, so an undefined flag never
 * flows into a register or memory; at the end of the block the flags still
 * undefined are masked out of the comparison (struct xblock.undef). */
#include "tests/diff/x86_gen.h"

#include <string.h>

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u
#define ARITH (CF | PF | AF | ZF | SF | OF)

void xgen_seed(struct xgen *g, uint64_t seed)
{
    g->s[0] = seed * 0x9e3779b97f4a7c15ull + 1;
    g->s[1] = (seed ^ 0xdeadbeefcafef00dull) * 0xbf58476d1ce4e5b9ull + 3;
    for (int i = 0; i < 8; i++)
        xgen_next(g);
}

uint64_t xgen_next(struct xgen *g)
{
    uint64_t a = g->s[0], b = g->s[1];
    g->s[0] = b;
    a ^= a << 23;
    a ^= a >> 17;
    a ^= b ^ (b >> 26);
    g->s[1] = a;
    return a + b;
}

uint32_t xgen_below(struct xgen *g, uint32_t n)
{
    return n ? (uint32_t)(xgen_next(g) % n) : 0;
}

/* ---- emission ------------------------------------------------------------ */

struct emit {
    struct xgen *g;
    struct xblock *b;
    unsigned tmpl;
};

static uint32_t rnd(struct emit *e, uint32_t n) { return xgen_below(e->g, n); }
static bool coin(struct emit *e) { return xgen_next(e->g) & 1; }

static void byte(struct emit *e, uint32_t v)
{
    if (e->b->len < XD_MAX_CODE)
        e->b->code[e->b->len++] = (uint8_t)v;
}
static void imm(struct emit *e, uint32_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        byte(e, v >> (8 * i));
}

static void begin(struct emit *e, unsigned tmpl)
{
    struct xblock *b = e->b;
    if (b->n)
        b->undef_at[b->n - 1] = e->g->undef;
    if (b->n < XD_MAX_INSNS) {
        b->off[b->n] = (uint16_t)b->len;
        b->tmpl[b->n] = (uint16_t)tmpl;
        b->n++;
    }
}

/* MOV r32, imm32 (B8+r), with 66 in real mode. */
static void setup_mov(struct emit *e, unsigned reg, uint32_t v)
{
    begin(e, XG_SETUP);
    if (!e->g->code32)
        byte(e, 0x66);
    byte(e, 0xb8 + reg);
    imm(e, v, 4);
}

/* Before an instruction that reads flags: define any still undefined. */
static void reads(struct emit *e, uint32_t mask)
{
    if (e->g->undef & mask) {
        begin(e, XG_SETUP);
        byte(e, 0x3c);                  /* CMP AL, imm8 */
        byte(e, rnd(e, 256));
        e->g->undef &= ~(ARITH | XG_E9);
    }
}
/* After it: the flags it defines and those it leaves undefined. */
static void flags(struct emit *e, uint32_t defined, uint32_t undefined)
{
    if ((defined & ARITH) == ARITH)
        e->g->undef &= ~XG_E9;
    e->g->undef = (e->g->undef & ~defined) | undefined;
}

/* Operand size of this instruction: true for 32 bits. */
static bool pick_o32(struct emit *e)
{
    return rnd(e, 4) ? e->g->code32 : !e->g->code32;
}
static void osize_prefix(struct emit *e, bool o32)
{
    if (o32 != e->g->code32)
        byte(e, 0x66);
}

/* A ModRM operand: a register, or a memory operand with its SIB and
 * displacement bytes; a32 tells the address size (67 when it differs from
 * the mode's). */
struct rm {
    bool mem, a32;
    uint8_t mod, rm;
    uint8_t tail[5];
    unsigned ntail;
    uint8_t segpfx;     /* 0 or a segment override prefix */
};

/* A register that may be written at size: not ESP/SP (the stack). */
static unsigned dest_reg(struct emit *e, unsigned size)
{
    unsigned r = rnd(e, 8);
    if (size != 1 && r == 4)
        r = rnd(e, 4);
    return r;
}

static void mem_operand(struct emit *e, struct rm *o)
{
    static const uint8_t segs[] = { 0x26, 0x36, 0x3e, 0x64, 0x65 };  /* not CS */
    o->mem = true;
    o->ntail = 0;
    o->segpfx = rnd(e, 4) == 0 ? segs[rnd(e, 5)] : 0;
    o->a32 = rnd(e, 5) ? e->g->code32 : !e->g->code32;
    if (!o->a32) {
        /* 16-bit addressing: anything goes (an operand reaching past
         * the segment limit faults on both sides). */
        o->mod = (uint8_t)rnd(e, 3);
        o->rm = (uint8_t)rnd(e, 8);
        if (o->mod == 1)
            o->tail[o->ntail++] = (uint8_t)rnd(e, 256);
        else if (o->mod == 2 || (o->mod == 0 && o->rm == 6)) {
            uint32_t d = rnd(e, 0x10000);
            o->tail[o->ntail++] = (uint8_t)d;
            o->tail[o->ntail++] = (uint8_t)(d >> 8);
        }
        return;
    }
    /* 32-bit addressing: base in [0x2000, 0xd000), index < 0x400,
     * displacement within +-0x400 (disp32 alone: in the region). */
    unsigned base = rnd(e, 8), index = rnd(e, 8), scale = rnd(e, 4);
    bool sib = coin(e) || base == 4;
    o->mod = (uint8_t)rnd(e, 3);
    int32_t disp = o->mod == 1 ? (int32_t)rnd(e, 256) - 128 : (int32_t)rnd(e, 0x800) - 0x400;
    bool no_base = o->mod == 0 && base == 5;
    if (no_base)
        disp = (int32_t)(0x1000 + rnd(e, 0xd000));
    if (sib && index != 4) {
        if (index == base && !no_base) {
            scale = 0;
            if (base != 4)
                setup_mov(e, base, 0x1000 + rnd(e, 0x5000));
        } else {
            if (!no_base && base != 4)
                setup_mov(e, base, 0x2000 + rnd(e, 0xb000));
            setup_mov(e, index, rnd(e, 0x400));
        }
    } else if (!no_base && base != 4) {
        setup_mov(e, base, 0x2000 + rnd(e, 0xb000));
    }
    if (sib) {
        o->rm = 4;
        o->tail[o->ntail++] = (uint8_t)(scale << 6 | index << 3 | base);
    } else {
        o->rm = (uint8_t)base;
    }
    if (o->mod == 1)
        o->tail[o->ntail++] = (uint8_t)disp;
    else if (o->mod == 2 || no_base) {
        for (int i = 0; i < 4; i++)
            o->tail[o->ntail++] = (uint8_t)((uint32_t)disp >> (8 * i));
    }
}

/* A ModRM operand: memory with probability 1/2 (always when mem_only),
 * else a register (a destination one when dest and size != 1). */
static void pick_rm(struct emit *e, struct rm *o, bool mem_only, bool dest, unsigned size)
{
    if (mem_only || coin(e)) {
        mem_operand(e, o);
        return;
    }
    o->mem = false;
    o->a32 = e->g->code32;
    o->mod = 3;
    o->rm = (uint8_t)(dest ? dest_reg(e, size) : rnd(e, 8));
    o->ntail = 0;
    o->segpfx = 0;
}

/* Whether the memory operand's address depends on register reg. */
static bool rm_uses(const struct rm *o, unsigned reg)
{
    static const uint8_t regs16[8] = { 0xc8, 0x88, 0xe0, 0xa0, 0x40, 0x80, 0x20, 0x08 };
    if (!o->mem)
        return false;
    if (!o->a32)
        return !(o->mod == 0 && o->rm == 6) && ((regs16[o->rm] >> reg) & 1u);
    if (o->rm != 4)
        return !(o->mod == 0 && o->rm == 5) && o->rm == reg;
    unsigned base = o->tail[0] & 7u, index = (o->tail[0] >> 3) & 7u;
    return (index != 4 && index == reg) || (!(o->mod == 0 && base == 5) && base == reg);
}

/* Prefixes of a ModRM instruction (after begin). */
static void prefixes(struct emit *e, const struct rm *o, bool o32)
{
    if (o->segpfx)
        byte(e, o->segpfx);
    if (o->mem && o->a32 != e->g->code32)
        byte(e, 0x67);
    osize_prefix(e, o32);
}
static void modrm(struct emit *e, const struct rm *o, unsigned reg)
{
    byte(e, (uint32_t)o->mod << 6 | (reg & 7u) << 3 | o->rm);
    for (unsigned i = 0; i < o->ntail; i++)
        byte(e, o->tail[i]);
}

/* ---- templates ----------------------------------------------------------- */

/* ADD OR ADC SBB AND SUB XOR CMP: AF is undefined after the logic ones
 * (SDM Vol. 2A: AND, OR, XOR "The state of the AF flag is undefined"). */
static uint32_t alu_undef(unsigned op) { return (op == 1 || op == 4 || op == 6) ? AF : 0; }
static uint32_t alu_reads(unsigned op) { return (op == 2 || op == 3) ? CF : 0; }

static void t_alu_rm(struct emit *e)
{
    unsigned op = rnd(e, 8), dir = rnd(e, 2), w = rnd(e, 2);
    bool o32 = pick_o32(e);
    unsigned size = w ? (o32 ? 4 : 2) : 1;
    struct rm o;
    bool rm_dest = dir == 0 && op != 7;
    pick_rm(e, &o, false, rm_dest, size);
    unsigned reg = (dir == 1 && op != 7) ? dest_reg(e, size) : rnd(e, 8);
    reads(e, alu_reads(op));
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, op << 3 | dir << 1 | w);
    modrm(e, &o, reg);
    flags(e, ARITH, alu_undef(op));
}

static void t_alu_acc(struct emit *e)
{
    unsigned op = rnd(e, 8), w = rnd(e, 2);
    bool o32 = pick_o32(e);
    reads(e, alu_reads(op));
    begin(e, e->tmpl);
    osize_prefix(e, o32);
    byte(e, op << 3 | 4 | w);
    imm(e, (uint32_t)xgen_next(e->g), w ? (o32 ? 4 : 2) : 1);
    flags(e, ARITH, alu_undef(op));
}

static void t_alu_grp1(struct emit *e)
{
    static const uint8_t opc[] = { 0x80, 0x81, 0x83 };
    unsigned op = rnd(e, 8), k = rnd(e, 3);
    bool o32 = pick_o32(e);
    unsigned size = k == 0 ? 1 : (o32 ? 4 : 2);
    struct rm o;
    pick_rm(e, &o, false, op != 7, size);
    reads(e, alu_reads(op));
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, opc[k]);
    modrm(e, &o, op);
    imm(e, (uint32_t)xgen_next(e->g), k == 1 ? size : 1);
    flags(e, ARITH, alu_undef(op));
}

/* TEST: AF undefined (SDM Vol. 2B TEST). */
static void t_test(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1, form = rnd(e, 3);
    struct rm o;
    if (form != 1)
        pick_rm(e, &o, false, false, size);
    begin(e, e->tmpl);
    if (form == 1) {
        osize_prefix(e, o32);
        byte(e, 0xa8 | w);
    } else {
        prefixes(e, &o, o32);
        byte(e, form == 0 ? 0x84 | w : 0xf6 | w);
        modrm(e, &o, form == 0 ? rnd(e, 8) : 0);
    }
    if (form != 0)
        imm(e, (uint32_t)xgen_next(e->g), size);
    flags(e, ARITH, AF);
}

/* INC/DEC: CF unaffected. NOT: no flags. NEG: all defined. */
static void t_incdec(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1;
    if (coin(e) && w) {
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        byte(e, 0x40 + rnd(e, 2) * 8 + dest_reg(e, 4));
    } else {
        struct rm o;
        pick_rm(e, &o, false, true, size);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, 0xfe | w);
        modrm(e, &o, rnd(e, 2));
    }
    flags(e, ARITH & ~CF, 0);
}

static void t_notneg(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1, neg = rnd(e, 2);
    struct rm o;
    pick_rm(e, &o, false, true, size);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, 0xf6 | w);
    modrm(e, &o, 2 + neg);
    if (neg)
        flags(e, ARITH, 0);
}

/* MUL/IMUL (one operand): SF ZF AF PF undefined. DIV/IDIV: all six
 * undefined (SDM Vol. 2A DIV, IDIV; 2A IMUL; 2B MUL). */
static void t_muldiv(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1, op = 4 + rnd(e, 4);
    struct rm o;
    pick_rm(e, &o, false, false, size);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, 0xf6 | w);
    modrm(e, &o, op);
    if (op < 6)
        flags(e, CF | OF, SF | ZF | AF | PF);
    else
        flags(e, 0, ARITH);
}

static void t_imul2(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned size = o32 ? 4 : 2, form = rnd(e, 3);
    struct rm o;
    pick_rm(e, &o, false, false, size);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    if (form == 0) {
        byte(e, 0x0f);
        byte(e, 0xaf);
    } else {
        byte(e, form == 1 ? 0x69 : 0x6b);
    }
    modrm(e, &o, dest_reg(e, size));
    if (form)
        imm(e, (uint32_t)xgen_next(e->g), form == 1 ? size : 1);
    flags(e, CF | OF, SF | ZF | AF | PF);
}

/* Shifts and rotates with the count known (an immediate, 1, or CL set by
 * a setup). The flags per SDM Vol. 2B SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR:
 * a masked count of 0 changes nothing; OF is defined only for a count of
 * 1; AF is undefined after a non-zero shift; CF is undefined when a
 * SHL/SHR count is not less than the operand size. Rotates leave SF ZF AF
 * PF alone. */
static void t_shift(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1, bits = size * 8;
    unsigned op = rnd(e, 8), form = rnd(e, 3);
    if (op == 6)
        op = 4;
    unsigned count = form == 1 ? 1 : rnd(e, 4) == 0 ? rnd(e, 256) : rnd(e, 34);
    struct rm o;
    pick_rm(e, &o, false, true, size);
    if (form == 2) {
        /* CL: set by a setup (MOV ECX, imm32) after the operand's own,
         * on an operand that does not depend on ECX. */
        if (rm_uses(&o, 1) || (!o.mem && o.rm == 1 && size == 1))
            o = (struct rm){ .mem = false, .a32 = e->g->code32, .mod = 3, .rm = 0 };
        setup_mov(e, 1, (uint32_t)(xgen_next(e->g) & ~0xffull) | count);
    }
    unsigned masked = count & 31u;
    if (op == 2 || op == 3)
        reads(e, CF);
    else if (masked)
        reads(e, 0);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, (form == 0 ? 0xc0 : form == 1 ? 0xd0 : 0xd2) | w);
    modrm(e, &o, op);
    if (form == 0)
        byte(e, count);
    if (masked == 0)
        return;
    uint32_t of = masked == 1 ? 0 : OF;
    if (op < 4) {
        /* Rotates: CF and OF only. RCL/RCR 8/16 rotate count mod 9/17;
         * ROL/ROR mod size; OF undefined unless the masked count is 1. */
        flags(e, CF | OF, of);
    } else {
        uint32_t cf = (op != 7 && masked >= bits) ? CF : 0;
        flags(e, ARITH, AF | of | cf);
    }
}

/* SHLD/SHRD (SDM Vol. 2B): count masked to 5 bits; 0: nothing; beyond the
 * operand size (16-bit forms): result and flags undefined, so the 16-bit
 * forms get counts up to 16. OF undefined unless the count is 1, AF
 * undefined. */
static void t_shxd(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned size = o32 ? 4 : 2, cl = rnd(e, 2), right = rnd(e, 2);
    unsigned count = rnd(e, size == 4 ? 32 : 17);
    if (rnd(e, 4) == 0 && size == 4)
        count += 32 * rnd(e, 8);
    struct rm o;
    pick_rm(e, &o, false, true, size);
    if (cl) {
        if (rm_uses(&o, 1))
            o = (struct rm){ .mem = false, .a32 = e->g->code32, .mod = 3, .rm = 0 };
        setup_mov(e, 1, (uint32_t)(xgen_next(e->g) & ~0xffull) | count);
    }
    unsigned reg = rnd(e, 8);
    reads(e, 0);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, 0x0f);
    byte(e, 0xa4 + right * 8 + cl);
    modrm(e, &o, reg);
    if (!cl)
        byte(e, count);
    if (count & 31u)
        flags(e, ARITH, AF | ((count & 31u) == 1 ? 0 : OF));
}

/* DAA/DAS: OF undefined. AAA/AAS: OF SF ZF PF undefined. AAM/AAD: OF AF CF
 * undefined (SDM Vol. 2A). */
static void t_bcd(struct emit *e)
{
    static const uint8_t opc[] = { 0x27, 0x2f, 0x37, 0x3f, 0xd4, 0xd5 };
    unsigned k = rnd(e, 6);
    reads(e, k < 4 ? CF | AF : 0);
    begin(e, e->tmpl);
    byte(e, opc[k]);
    if (k >= 4)
        byte(e, rnd(e, 4) ? 10 : rnd(e, 256));
    if (k < 2)
        flags(e, ARITH, OF);
    else if (k < 4)
        flags(e, ARITH, OF | SF | ZF | PF);
    else
        flags(e, ARITH, OF | AF | CF);
}

/* BT/BTS/BTR/BTC: CF defined, OF SF AF PF undefined (ZF unaffected).
 * A register bit offset addresses memory beyond the operand (SDM Vol. 2A
 * BT): a setup keeps it within +-0x200 bytes. */
static void t_bitop(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned size = o32 ? 4 : 2, op = rnd(e, 4), form = rnd(e, 2);
    unsigned reg = rnd(e, 8);
    struct rm o;
    if (form == 0) {
        pick_rm(e, &o, false, op != 0, size);
        if (o.mem) {
            /* The bit offset: a register the address does not use, set
             * within +-0x800 bits. */
            while (reg == 4 || rm_uses(&o, reg))
                reg = (reg + 1) & 7u;
            setup_mov(e, reg, (uint32_t)((int32_t)rnd(e, 0x1000) - 0x800));
        }
    } else {
        pick_rm(e, &o, false, op != 0, size);
    }
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, 0x0f);
    if (form == 0) {
        byte(e, 0xa3 + op * 8);
        modrm(e, &o, reg);
    } else {
        byte(e, 0xba);
        modrm(e, &o, 4 + op);
        byte(e, rnd(e, 256));
    }
    flags(e, CF, OF | SF | AF | PF);
}

/* BSF/BSR: ZF defined, the others undefined; the destination is undefined
 * for a zero source (SDM Vol. 2A BSF): the source is made non-zero by
 * a setup when it is a register. */
static void t_bsf(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned size = o32 ? 4 : 2;
    struct rm o;
    pick_rm(e, &o, false, false, size);
    if (!o.mem && o.rm != 4)
        setup_mov(e, o.rm, (uint32_t)xgen_next(e->g) | (1u << rnd(e, size * 8)));
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, 0x0f);
    byte(e, 0xbc + rnd(e, 2));
    modrm(e, &o, dest_reg(e, size));
    flags(e, ZF, CF | OF | SF | AF | PF);
}

static void t_setcc(struct emit *e)
{
    struct rm o;
    pick_rm(e, &o, false, true, 1);
    reads(e, ARITH);
    begin(e, e->tmpl);
    prefixes(e, &o, e->g->code32);
    byte(e, 0x0f);
    byte(e, 0x90 + rnd(e, 16));
    modrm(e, &o, 0);
}

static void t_cmovcc(struct emit *e)
{
    bool o32 = pick_o32(e);
    struct rm o;
    pick_rm(e, &o, false, false, o32 ? 4 : 2);
    reads(e, ARITH);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    byte(e, 0x0f);
    byte(e, 0x40 + rnd(e, 16));
    modrm(e, &o, dest_reg(e, o32 ? 4 : 2));
}

/* XCHG, XADD (flags as ADD), CMPXCHG (flags as CMP). */
static void t_xchg(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1, k = rnd(e, 4);
    if (k == 3 && w) {
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        byte(e, 0x90 + dest_reg(e, 4));
        return;
    }
    if (k == 3)
        k = 0;
    struct rm o;
    pick_rm(e, &o, false, true, size);
    begin(e, e->tmpl);
    prefixes(e, &o, o32);
    if (k == 0)
        byte(e, 0x86 | w);
    else {
        byte(e, 0x0f);
        byte(e, (k == 1 ? 0xc0 : 0xb0) | w);
    }
    modrm(e, &o, dest_reg(e, size));
    if (k)
        flags(e, ARITH, 0);
}

static void t_cmpxchg8b(struct emit *e)
{
    struct rm o;
    pick_rm(e, &o, true, false, 8);
    begin(e, e->tmpl);
    prefixes(e, &o, e->g->code32);
    byte(e, 0x0f);
    byte(e, 0xc7);
    modrm(e, &o, 1);
    /* The SDM leaves CF PF AF SF OF unaffected; Unicorn loses them
     * (erratum E9), so they count as undefined from here. */
    flags(e, ZF, CF | PF | AF | SF | OF | XG_E9);
}

static void t_bswap(struct emit *e)
{
    begin(e, e->tmpl);
    osize_prefix(e, true);
    byte(e, 0x0f);
    byte(e, 0xc8 + dest_reg(e, 4));
}

/* String instructions: ESI/EDI (SI/DI) set inside the region, and for REP
 * a count of 0..8 in ECX (CX). REP with CMPS/SCAS stops on ZF. */
static void t_string(struct emit *e)
{
    static const uint8_t opc[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
    bool o32 = pick_o32(e);
    bool a32 = rnd(e, 5) ? e->g->code32 : !e->g->code32;
    unsigned k = rnd(e, 5), w = rnd(e, 2), rep = rnd(e, 3);
    setup_mov(e, 6, 0x2000 + rnd(e, 0xb000));
    setup_mov(e, 7, 0x2000 + rnd(e, 0xb000));
    unsigned count = rnd(e, 9);
    if (rep)
        setup_mov(e, 1, (a32 ? 0 : (uint32_t)xgen_next(e->g) & 0xffff0000u) + count);
    begin(e, e->tmpl);
    if (rep)
        byte(e, rep == 1 ? 0xf3 : 0xf2);
    if (rnd(e, 4) == 0)
        byte(e, 0x26 + 8 * rnd(e, 4));
    if (a32 != e->g->code32)
        byte(e, 0x67);
    osize_prefix(e, o32);
    byte(e, opc[k] | w);
    /* CMPS/SCAS set the flags; with REP and a count of 0 they are left
     * as they were. */
    if ((k == 1 || k == 4) && (!rep || count))
        flags(e, ARITH, 0);
}

/* PUSH/POP (registers but ESP, immediates, memory), PUSHA/POPA, PUSH
 * segment registers, PUSHF, and POPF of a known value (no TF). */
static void t_stack(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned k = rnd(e, 9);
    struct rm o;
    switch (k) {
    case 0: case 1:
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        byte(e, (k ? 0x58 : 0x50) + (k ? dest_reg(e, 4) : rnd(e, 8)));
        return;
    case 2:
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        if (coin(e)) {
            byte(e, 0x68);
            imm(e, (uint32_t)xgen_next(e->g), o32 ? 4 : 2);
        } else {
            byte(e, 0x6a);
            byte(e, rnd(e, 256));
        }
        return;
    case 3: case 4:
        pick_rm(e, &o, false, k == 4, o32 ? 4 : 2);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, k == 3 ? 0xff : 0x8f);
        modrm(e, &o, k == 3 ? 6 : 0);
        return;
    case 5:
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        byte(e, coin(e) ? 0x60 : 0x61);
        return;
    case 6: {
        static const uint8_t sregs[] = { 0x06, 0x0e, 0x16, 0x1e };
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        if (coin(e))
            byte(e, sregs[rnd(e, 4)]);
        else {
            byte(e, 0x0f);
            byte(e, 0xa0 + 8 * rnd(e, 2));
        }
        return;
    }
    case 7:
        reads(e, ARITH);
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        byte(e, 0x9c);
        return;
    default: {
        /* PUSH imm32 then POPF: arithmetic flags and DF random. */
        uint32_t v = ((uint32_t)xgen_next(e->g) & (ARITH | 0x400u)) | 2u;
        begin(e, XG_SETUP);
        osize_prefix(e, o32);
        byte(e, 0x68);
        imm(e, v, o32 ? 4 : 2);
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        byte(e, 0x9d);
        flags(e, ARITH, 0);
        return;
    }
    }
}

/* MOV in its forms, LEA, MOVZX/MOVSX, MOV r/m, Sreg. */
static void t_mov(struct emit *e)
{
    bool o32 = pick_o32(e);
    unsigned k = rnd(e, 7), w = rnd(e, 2), size = w ? (o32 ? 4 : 2) : 1;
    struct rm o;
    switch (k) {
    case 0: case 1: {
        unsigned dir = rnd(e, 2);
        pick_rm(e, &o, false, dir == 0, size);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, 0x88 | dir << 1 | w);
        modrm(e, &o, dir ? dest_reg(e, size) : rnd(e, 8));
        return;
    }
    case 2:
        pick_rm(e, &o, false, true, size);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, 0xc6 | w);
        modrm(e, &o, 0);
        imm(e, (uint32_t)xgen_next(e->g), size);
        return;
    case 3:
        begin(e, e->tmpl);
        osize_prefix(e, o32);
        if (w) {
            byte(e, 0xb8 + dest_reg(e, 4));
            imm(e, (uint32_t)xgen_next(e->g), size);
        } else {
            byte(e, 0xb0 + rnd(e, 8));
            byte(e, rnd(e, 256));
        }
        return;
    case 4:
        pick_rm(e, &o, true, false, 4);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, 0x8d);
        modrm(e, &o, dest_reg(e, 4));   /* LEA has no byte form: never ESP */
        return;
    case 5:
        pick_rm(e, &o, false, false, 2);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, 0x0f);
        byte(e, 0xb6 + 8 * rnd(e, 2) + w);
        modrm(e, &o, dest_reg(e, 4));
        return;
    default:
        pick_rm(e, &o, false, true, 2);
        begin(e, e->tmpl);
        prefixes(e, &o, o32);
        byte(e, 0x8c);
        modrm(e, &o, rnd(e, 6));
        return;
    }
}

/* CBW/CWDE, CWD/CDQ, CLC STC CMC CLD STD, LAHF, SAHF, XLAT, NOP. */
static void t_misc(struct emit *e)
{
    static const uint8_t opc[] = { 0x98, 0x99, 0xf8, 0xf9, 0xf5, 0xfc, 0xfd, 0x9f, 0x9e, 0xd7, 0x90 };
    unsigned k = rnd(e, 11);
    bool o32 = pick_o32(e);
    if (k == 9)
        setup_mov(e, 3, 0x2000 + rnd(e, 0xb000));
    if (k == 4 || k == 7)
        reads(e, ARITH);
    begin(e, e->tmpl);
    if (k == 9 && rnd(e, 4) == 0)
        byte(e, 0x67);
    osize_prefix(e, o32);
    byte(e, opc[k]);
    if (k == 8)
        flags(e, CF | PF | AF | ZF | SF, 0);
}

/* x87: loads and stores of every format, arithmetic (memory and register
 * forms), compares, FXCH, constants, FCHS/FABS/FTST/FXAM/FSQRT/FRNDINT,
 * FNSTSW AX/m16, FNSTCW. Exceptions stay masked (random_state's control
 * word), so no #MF. The generator follows the stack depth (g->fdepth) and
 * keeps every instruction within it: no stack overflow or underflow
 * (Unicorn erratum E2 in docs/testing.md). */
static void fpu_push(struct emit *e) { e->g->fdepth++; }
static void fpu_pop(struct emit *e, unsigned n) { e->g->fdepth -= n; }
static void fpu_cc_undefined(struct emit *e) { e->g->undef |= XG_FPU_CC_UNDEF; }

/* Pushes 10 bytes (lo, hi, se) and loads them with FLD m80 (DB /5) or
 * FBLD (DF /4) from [ESP] (real mode: [BP] after MOV BP, SP), then drops
 * them with LEA: extended values Unicorn treats correctly (no unnormals,
 * erratum E7) and packed BCD with valid digits (SDM Vol. 2A FBLD: other
 * digits give an undefined result). */
static void push_imm(struct emit *e, uint32_t v, bool o32)
{
    begin(e, XG_SETUP);
    osize_prefix(e, o32);
    byte(e, 0x68);
    imm(e, v, o32 ? 4 : 2);
}

static void load_pushed(struct emit *e, const uint32_t *dw, unsigned nbytes, uint8_t opc, unsigned reg)
{
    bool c32 = e->g->code32;
    if (nbytes == 10)
        push_imm(e, dw[2], false);
    if (nbytes >= 8)
        push_imm(e, dw[1], true);
    push_imm(e, dw[0], true);
    if (!c32) {
        begin(e, XG_SETUP);
        byte(e, 0x89);
        byte(e, 0xe5);               /* MOV BP, SP */
    }
    begin(e, e->tmpl);
    byte(e, opc);
    if (c32) {
        byte(e, 0x04 | reg << 3);    /* [ESP]: SIB */
        byte(e, 0x24);
    } else {
        byte(e, 0x46 | reg << 3);    /* [BP+0] */
        byte(e, 0);
    }
    begin(e, XG_SETUP);
    byte(e, 0x8d);
    if (c32) {
        byte(e, 0x64);               /* LEA ESP, [ESP+n] */
        byte(e, 0x24);
    } else {
        byte(e, 0x66);               /* LEA SP, [BP+n] */
    }
    byte(e, nbytes);
    fpu_push(e);
    fpu_cc_undefined(e);
}

/* FLD m32fp / m64fp of random bits, signalling NaNs made quiet (E8). */
static void load_m32_m64(struct emit *e, bool m64)
{
    uint64_t v = xgen_next(e->g);
    if (m64 && ((v >> 52) & 0x7ff) == 0x7ff)
        v |= 1ull << 51;
    if (!m64 && ((v >> 23) & 0xff) == 0xff)
        v |= 1ull << 22;
    uint32_t dw[2] = { (uint32_t)v, (uint32_t)(v >> 32) };
    load_pushed(e, dw, m64 ? 8 : 4, m64 ? 0xdd : 0xd9, 0);
}

static void load_m80(struct emit *e)
{
    uint64_t sig = xgen_next(e->g) | 1ull << 63;
    uint16_t se = (uint16_t)((xgen_next(e->g) & 0x8000u) | (16383 - 70 + rnd(e, 140)));
    unsigned k = rnd(e, 8);
    if (k == 0) {
        sig = 0;
        se &= 0x8000u;
    } else if (k == 1) {
        se |= 0x7fff;           /* infinity or a quiet NaN (E8) */
        sig = coin(e) ? 1ull << 63 : sig | 1ull << 62;
    } else if (k == 2) {
        se = (uint16_t)((se & 0x8000u) | (1 + rnd(e, 0x7ffe)));
    }
    uint32_t dw[3] = { (uint32_t)sig, (uint32_t)(sig >> 32), se };
    load_pushed(e, dw, 10, 0xdb, 5);
}

static void load_bcd(struct emit *e)
{
    uint8_t d[10];
    for (unsigned i = 0; i < 9; i++)
        d[i] = (uint8_t)(rnd(e, 10) | rnd(e, 10) << 4);
    d[9] = coin(e) ? 0x80 : 0;
    uint32_t lo = d[0] | d[1] << 8 | d[2] << 16 | (uint32_t)d[3] << 24;
    uint32_t hi = d[4] | d[5] << 8 | d[6] << 16 | (uint32_t)d[7] << 24;
    uint32_t dw[3] = { lo, hi, (uint32_t)(d[8] | d[9] << 8) };
    load_pushed(e, dw, 10, 0xdf, 4);
}

static void fnstsw_setup(struct emit *e)
{
    begin(e, XG_SETUP);
    byte(e, 0xdb);
    byte(e, 0xe2);     /* FNCLEX */
    begin(e, XG_SETUP);
    byte(e, 0xd9);
    byte(e, 0xe5);     /* FXAM */
    e->g->undef &= ~XG_FPU_CC_UNDEF;
}

static void t_x87(struct emit *e)
{
    struct rm o;
    unsigned d = e->g->fdepth;
    unsigned k = rnd(e, 8);
    if (d == 8 && (k == 0 || k == 5))
        k = 1;                 /* full: no pushes */
    if (d == 0 && k >= 1 && k <= 4)
        k = 0;                 /* empty: nothing to read */
    if (d < 2 && k == 3 && coin(e))
        k = 0;
    switch (k) {
    case 0: {   /* loads: m32fp m64fp m80fp m16int m32int m64int m80bcd */
        static const uint8_t op[][2] = {
            { 0xd9, 0 }, { 0xdd, 0 }, { 0xdb, 5 }, { 0xdf, 0 }, { 0xdb, 0 }, { 0xdf, 5 }, { 0xdf, 4 },
        };
        unsigned f = rnd(e, 8);
        if (f == 0 || f == 1 || f == 2 || f == 6) {
            if (f == 2)
                load_m80(e);
            else if (f == 6)
                load_bcd(e);
            else
                load_m32_m64(e, f == 1);
            return;
        }
        if (f == 7) {   /* FLD ST(i) */
            if (d == 0) {
                load_m32_m64(e, false);
                return;
            } else {
                begin(e, e->tmpl);
                byte(e, 0xd9);
                byte(e, 0xc0 + rnd(e, d));
                fpu_push(e);
                fpu_cc_undefined(e);
                return;
            }
        }
        pick_rm(e, &o, true, false, 10);
        begin(e, e->tmpl);
        prefixes(e, &o, e->g->code32);
        byte(e, op[f][0]);
        modrm(e, &o, op[f][1]);
        fpu_push(e);
        fpu_cc_undefined(e);
        return;
    }
    case 1: {   /* stores: fst/fstp m32 m64, fstp m80, fist/fistp m16 m32, fistp m64, fbstp; FSTP ST(i) */
        static const uint8_t op[][3] = {
            { 0xd9, 2, 0 }, { 0xd9, 3, 1 }, { 0xdd, 2, 0 }, { 0xdd, 3, 1 }, { 0xdb, 7, 1 },
            { 0xdf, 2, 0 }, { 0xdf, 3, 1 }, { 0xdb, 2, 0 }, { 0xdb, 3, 1 }, { 0xdf, 7, 1 },
            { 0xdf, 6, 1 },
        };
        unsigned f = rnd(e, 12);
        if (f == 11) {
            begin(e, e->tmpl);
            byte(e, 0xdd);
            byte(e, (coin(e) ? 0xd8 : 0xd0) + rnd(e, d));   /* FSTP / FST ST(i) */
            if (e->b->code[e->b->len - 1] >= 0xd8)
                fpu_pop(e, 1);
            fpu_cc_undefined(e);
            return;
        }
        if (f == 10) {
            /* FBSTP of an out-of-range value: erratum E6. Store a value
             * loaded by FILD m32int (within 18 digits) instead. */
            if (d == 8) {
                f = 3;
            } else {
                pick_rm(e, &o, true, false, 4);
                begin(e, XG_SETUP);
                prefixes(e, &o, e->g->code32);
                byte(e, 0xdb);
                modrm(e, &o, 0);
                fpu_push(e);
            }
        }
        pick_rm(e, &o, true, true, 10);
        begin(e, e->tmpl);
        prefixes(e, &o, e->g->code32);
        byte(e, op[f][0]);
        modrm(e, &o, op[f][1]);
        fpu_pop(e, op[f][2]);
        fpu_cc_undefined(e);
        return;
    }
    case 2: {   /* arithmetic with memory: D8 m32fp, DC m64fp, DA m32int, DE m16int */
        static const uint8_t op[] = { 0xd8, 0xdc, 0xda, 0xde };
        unsigned sub = rnd(e, 8);
        pick_rm(e, &o, true, false, 8);
        begin(e, e->tmpl);
        prefixes(e, &o, e->g->code32);
        byte(e, op[rnd(e, 4)]);
        modrm(e, &o, sub);
        if (sub == 3)
            fpu_pop(e, 1);     /* FCOMP / FICOMP */
        if (sub == 2 || sub == 3)
            e->g->undef &= ~XG_FPU_CC_UNDEF;
        else
            fpu_cc_undefined(e);
        return;
    }
    case 3: {   /* arithmetic on the stack: D8 st,st(i); DC st(i),st; DE st(i),st and pop */
        static const uint8_t op[] = { 0xd8, 0xdc, 0xde };
        unsigned f = d >= 2 ? rnd(e, 3) : rnd(e, 2), sub = rnd(e, 8);
        if (sub == 2 || sub == 3)
            sub = rnd(e, 2);   /* the compares are case 4's */
        unsigned i = f == 2 ? 1 + rnd(e, d - 1) : rnd(e, d);
        begin(e, e->tmpl);
        byte(e, op[f]);
        byte(e, 0xc0 | sub << 3 | i);
        if (f == 2)
            fpu_pop(e, 1);
        fpu_cc_undefined(e);
        return;
    }
    case 4: {   /* compares: FCOM/FCOMP, FCOMPP, FUCOM/FUCOMP, FUCOMPP; FXCH */
        unsigned f = rnd(e, 5);
        if (d < 2 && (f == 1 || f == 3))
            f = 4;
        begin(e, e->tmpl);
        if (f == 0 || f == 2) {
            unsigned p = rnd(e, 2);
            byte(e, f == 0 ? 0xd8 : 0xdd);
            byte(e, (f == 0 ? 0xd0 : 0xe0) + p * 8 + rnd(e, d));
            fpu_pop(e, p);
        } else if (f == 1 || f == 3) {
            byte(e, f == 1 ? 0xde : 0xda);
            byte(e, 0xd9 + (f == 3) * 0x10);
            fpu_pop(e, 2);
        } else {
            byte(e, 0xd9);
            byte(e, 0xc8 + rnd(e, d ? d : 1));   /* FXCH (an empty stack: ST(0), see above) */
            fpu_cc_undefined(e);
            return;
        }
        e->g->undef &= ~XG_FPU_CC_UNDEF;
        return;
    }
    case 5: {   /* constants (push); FCHS FABS FTST FXAM FSQRT FRNDINT (on ST(0)) */
        static const uint8_t op[] = { 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee,
                                      0xe0, 0xe1, 0xe4, 0xe5, 0xfa, 0xfc };
        unsigned f = d ? rnd(e, 13) : rnd(e, 7);
        /* L2T L2E PI LG2 LN2 are rounded per RC; Unicorn does not (E4):
         * only with round to nearest. */
        if (f >= 1 && f <= 5 && ((e->g->fcw >> 10) & 3u) != 0)
            f = coin(e) ? 0 : 6;
        if (f == 13)
            f = 7;
        begin(e, e->tmpl);
        byte(e, 0xd9);
        byte(e, op[f]);
        if (f < 7)
            fpu_push(e);
        if (f == 9 || f == 10)
            e->g->undef &= ~XG_FPU_CC_UNDEF;   /* FTST, FXAM */
        else
            fpu_cc_undefined(e);
        return;
    }
    case 6:     /* FNSTSW AX, after FNCLEX and FXAM (E3; C0-C3 defined) */
        fnstsw_setup(e);
        begin(e, e->tmpl);
        byte(e, 0xdf);
        byte(e, 0xe0);
        return;
    default: {  /* FNSTCW / FNSTSW m16 */
        bool sw = coin(e);
        if (sw)
            fnstsw_setup(e);
        pick_rm(e, &o, true, true, 2);
        begin(e, e->tmpl);
        prefixes(e, &o, e->g->code32);
        byte(e, sw ? 0xdd : 0xd9);
        modrm(e, &o, 7);
        return;
    }
    }
}

struct xtemplate {
    const char *name;
    void (*emit)(struct emit *e);
    unsigned weight;
};

static const struct xtemplate templates[] = {
    { "alu-rm", t_alu_rm, 6 },     { "alu-acc", t_alu_acc, 2 },   { "alu-imm", t_alu_grp1, 4 },
    { "test", t_test, 2 },         { "incdec", t_incdec, 2 },     { "notneg", t_notneg, 2 },
    { "muldiv", t_muldiv, 3 },     { "imul", t_imul2, 2 },        { "shift", t_shift, 5 },
    { "shxd", t_shxd, 2 },         { "bcd", t_bcd, 2 },           { "bitop", t_bitop, 3 },
    { "bsf", t_bsf, 1 },           { "setcc", t_setcc, 2 },       { "cmovcc", t_cmovcc, 2 },
    { "xchg", t_xchg, 3 },         { "cmpxchg8b", t_cmpxchg8b, 1 }, { "bswap", t_bswap, 1 },
    { "string", t_string, 3 },     { "stack", t_stack, 4 },       { "mov", t_mov, 4 },
    { "misc", t_misc, 3 },         { "x87", t_x87, 6 },
};
#define NTEMPLATES (sizeof templates / sizeof templates[0])

unsigned xgen_template_count(void) { return NTEMPLATES; }
const char *xgen_template_name(unsigned t) { return t < NTEMPLATES ? templates[t].name : "setup"; }

void xgen_block(struct xgen *g, struct xblock *b, unsigned want, const bool *enabled)
{
    unsigned total = 0;
    for (unsigned t = 0; t < NTEMPLATES; t++)
        total += enabled[t] ? templates[t].weight : 0;
    memset(b, 0, sizeof *b);
    g->undef = 0;
    g->fdepth = b->fdepth = xgen_below(g, 9);
    /* Exceptions masked; random rounding and precision control (01 is
     * reserved). */
    g->fcw = (uint16_t)(0x103fu | (xgen_below(g, 16) << 8));
    if (((g->fcw >> 8) & 3u) == 1u)
        g->fcw |= 0x300u;
    b->fcw = g->fcw;
    struct emit e = { g, b, 0 };
    for (unsigned i = 0; i < want && total; i++) {
        if (b->n + 8 >= XD_MAX_INSNS || b->len + 64 >= XD_MAX_CODE)
            break;
        unsigned pick = xgen_below(g, total), t = 0;
        for (; t < NTEMPLATES; t++) {
            unsigned w = enabled[t] ? templates[t].weight : 0;
            if (pick < w)
                break;
            pick -= w;
        }
        e.tmpl = t;
        templates[t].emit(&e);
    }
    b->off[b->n] = (uint16_t)b->len;
    if (b->n)
        b->undef_at[b->n - 1] = g->undef;
    b->undef = g->undef;
}
