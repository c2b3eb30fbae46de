/* System instructions (SDM Vol. 2 and Vol. 3A chapter 2): CPUID, RDTSC,
 * RDMSR/WRMSR, MOV to and from control and debug registers, group 6 (SLDT
 * STR LLDT LTR VERR VERW), group 7 (SGDT SIDT LGDT LIDT SMSW LMSW INVLPG),
 * CLTS, INVD/WBINVD, LAR/LSL, ARPL. */
#include "isa-x86/x86_internal.h"

#include "cpu/clock.h"

/* Privileged instructions need CPL 0 (#GP(0)); in virtual-8086 mode CPL
 * is 3 (SDM Vol. 3A 5.9). */
static int need_cpl0(struct x86_cpu *c)
{
    if (x86_protected(c) && (c->cpl != 0 || x86_v86(c)))
        return x86_gp0(c);
    return X86_OK;
}

/* Not recognised in real-address and virtual-8086 mode (#UD). */
static bool protected_only(const struct x86_cpu *c)
{
    return x86_protected(c) && !x86_v86(c);
}

/* The time-stamp counter counts the virtual clock's nanoseconds at the
 * executing instruction, so it moves within a run and is as reproducible
 * as the clock (SDM Vol. 3B 17.17). */
uint64_t x86_tsc(struct x86_cpu *c)
{
    /* *run_executed counts the instructions of the run before this one. */
    return clock_now_in_run(c->cpu.clock, c->run_executed ? *c->run_executed : 0) +
           c->tsc_offset;
}

/* CPUID (SDM Vol. 2A CPUID): vendor, and leaf 1's signature and feature
 * bits, truthful to what this core implements for the model: FPU only
 * with an x87 attached; no VME, DE, MCE, APIC, MTRR, PAE or SEP. */
int x86_exec_cpuid(struct x86_cpu *c, const struct x86_rec *r)
{
    static const uint32_t signature[] = {
        [X86_MODEL_I386] = 0x0308u, [X86_MODEL_I486] = 0x0480u,
        [X86_MODEL_PENTIUM] = 0x0525u, [X86_MODEL_PENTIUM_PRO] = 0x0619u,
    };
    uint32_t leaf = c->gpr[EAX];
    uint32_t a = 0, b = 0, cc = 0, d = 0;
    if (leaf == 0) {
        a = 1;
        b = 0x756e6547u;   /* "Genu" */
        d = 0x49656e69u;   /* "ineI" */
        cc = 0x6c65746eu;  /* "ntel" */
    } else if (leaf == 1) {
        a = signature[c->model];
        if (c->has_fpu)
            d |= 1u << 0;                                  /* FPU */
        if (c->features & X86_F_P5)
            d |= (1u << 3) | (1u << 4) | (1u << 5) | (1u << 8);   /* PSE TSC MSR CX8 */
        if (c->features & X86_F_P6)
            d |= (1u << 13) | (1u << 15);                  /* PGE CMOV */
    }
    c->gpr[EAX] = a;
    c->gpr[EBX] = b;
    c->gpr[ECX] = cc;
    c->gpr[EDX] = d;
    return X86_OK;
}

/* RDTSC: CR4.TSD makes it privileged. */
int x86_exec_rdtsc(struct x86_cpu *c, const struct x86_rec *r)
{
    if ((c->cr4 & (1u << 2)) && x86_protected(c) && c->cpl != 0)
        return x86_gp0(c);
    uint64_t t = x86_tsc(c);
    c->gpr[EAX] = (uint32_t)t;
    c->gpr[EDX] = (uint32_t)(t >> 32);
    return X86_OK;
}

#define MSR_TSC 0x10u
/* P6 family (SDM Vol. 4 table 2-1 and the P6 list): the platform ID and
 * the microcode update signature. No update is ever loaded, so the
 * signature reads 0 (a write, which an OS does before CPUID to learn the
 * revision, changes nothing), and the platform ID's bits 52:50 are 0. */
#define MSR_PLATFORM_ID 0x17u
#define MSR_BIOS_SIGN_ID 0x8bu

int x86_exec_rdmsr(struct x86_cpu *c, const struct x86_rec *r)
{
    int rc = need_cpl0(c);
    if (rc)
        return rc;
    uint64_t v;
    switch (c->gpr[ECX]) {
    case MSR_TSC: v = x86_tsc(c); break;
    case MSR_PLATFORM_ID:
    case MSR_BIOS_SIGN_ID:
        if (!(c->features & X86_F_P6))
            return x86_gp0(c);
        v = 0;
        break;
    default: return x86_gp0(c);
    }
    c->gpr[EAX] = (uint32_t)v;
    c->gpr[EDX] = (uint32_t)(v >> 32);
    return X86_OK;
}

int x86_exec_wrmsr(struct x86_cpu *c, const struct x86_rec *r)
{
    int rc = need_cpl0(c);
    if (rc)
        return rc;
    uint64_t v = (uint64_t)c->gpr[EDX] << 32 | c->gpr[EAX];
    switch (c->gpr[ECX]) {
    case MSR_TSC:
        c->tsc_offset = v - (x86_tsc(c) - c->tsc_offset);
        return X86_OK;
    case MSR_BIOS_SIGN_ID:
        if (!(c->features & X86_F_P6))
            return x86_gp0(c);
        return X86_OK;
    default:
        return x86_gp0(c);
    }
}

/* MOV CRn (SDM Vol. 2B): CR0, CR2, CR3 on every model, CR4 from the
 * Pentium; writes that change paging flush the TLB. */
int x86_exec_mov_cr(struct x86_cpu *c, const struct x86_rec *r)
{
    int rc = need_cpl0(c);
    if (rc)
        return rc;
    unsigned n = rec_reg(r), rm = rec_rm(r);
    bool has_cr4 = (c->features & X86_F_P5) != 0;
    if (n == 1 || n > 4 || (n == 4 && !has_cr4))
        return x86_ud(c);
    if (r->opc == 0x20) {
        uint32_t v = n == 0 ? c->cr0 : n == 2 ? c->cr2 : n == 3 ? c->cr3 : c->cr4;
        c->gpr[rm] = v;
        return X86_OK;
    }
    uint32_t v = c->gpr[rm];
    switch (n) {
    case 0:
        /* PG without PE, or NW without CD, is #GP(0). */
        if (((v & CR0_PG) && !(v & CR0_PE)) || ((v & CR0_NW) && !(v & CR0_CD)))
            return x86_gp0(c);
        x86_set_cr0(c, v);
        return X86_STOP;   /* the mode may have changed: refetch */
    case 2:
        c->cr2 = v;
        return X86_OK;
    case 3:
        c->cr3 = v;
        x86_tlb_flush_nonglobal(c);
        return X86_OK;
    default: {
        uint32_t allowed = CR4_PSE | (1u << 2) | ((c->features & X86_F_P6) ? CR4_PGE : 0);
        if (v & ~allowed)
            return x86_gp0(c);
        c->cr4 = v;
        x86_tlb_flush(c);
        return X86_OK;
    }
    }
}

/* MOV DRn: DR4/DR5 alias DR6/DR7 while CR4.DE is clear. */
int x86_exec_mov_dr(struct x86_cpu *c, const struct x86_rec *r)
{
    int rc = need_cpl0(c);
    if (rc)
        return rc;
    unsigned n = rec_reg(r), rm = rec_rm(r);
    if (n == 4 || n == 5)
        n += 2;
    if (r->opc == 0x21)
        c->gpr[rm] = c->dr[n];
    else if (n == 7)
        x86_set_dr7(c, c->gpr[rm]);
    else
        c->dr[n] = n == 6 ? (c->gpr[rm] | 0xffff0ff0u) : c->gpr[rm];
    return X86_OK;
}

/* The descriptor of sel for LAR/LSL/VERR/VERW (no fault: ZF says). */
static bool peek_descriptor(struct x86_cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    if (!(sel & ~3u))
        return false;
    uint32_t base = (sel & 4) ? c->seg[SEG_LDTR].base : c->gdt_base;
    uint32_t limit = (sel & 4) ? c->seg[SEG_LDTR].limit : c->gdt_limit;
    if ((sel & 4) && !(c->seg[SEG_LDTR].sel & ~3u))
        return false;
    if ((sel & ~7u) + 7 > limit)
        return false;
    struct x86_exc saved = c->exc;
    bool ok = x86_read_lin(c, base + (sel & ~7u), 4, lo) == X86_OK &&
              x86_read_lin(c, base + (sel & ~7u) + 4, 4, hi) == X86_OK;
    c->exc = saved;
    return ok;
}

static void set_zf(struct x86_cpu *c, bool z)
{
    x86_set_arith(c, (x86_get_flags(c) & ~FL_ZF) | (z ? FL_ZF : 0));
}

int x86_exec_grp6(struct x86_cpu *c, const struct x86_rec *r)
{
    if (!protected_only(c))
        return x86_ud(c);
    unsigned op = rec_reg(r);
    int rc;
    uint32_t v;
    switch (op) {
    case 0:                                             /* SLDT */
    case 1:                                             /* STR */
        v = c->seg[op == 0 ? SEG_LDTR : SEG_TR].sel;
        if (!(r->attr & X86_A_MEM)) {
            set_reg(c, rec_rm(r), rec_osize(r), v);
            return X86_OK;
        }
        return x86_write(c, r->seg, x86_ea(c, r), 2, v);
    case 2:                                             /* LLDT */
    case 3: {                                           /* LTR */
        if ((rc = need_cpl0(c)) != X86_OK || (rc = read_rm(c, r, 2, &v)) != X86_OK)
            return rc;
        uint16_t sel = (uint16_t)v;
        struct x86_seg *s = &c->seg[op == 2 ? SEG_LDTR : SEG_TR];
        if (!(sel & ~3u)) {
            if (op == 3)
                return x86_gp0(c);
            s->sel = sel;
            s->attr = 0;
            s->base = s->limit = 0;
            x86_seg_derive(s);
            return X86_OK;
        }
        uint32_t lo, hi;
        if ((sel & 4) || !peek_descriptor(c, sel, &lo, &hi))
            return x86_fault(c, X86_GP, true, sel & 0xfffcu);
        unsigned type = (hi >> 8) & 0x1fu;
        if (op == 2 ? type != 2 : (type != 1 && type != 9))
            return x86_fault(c, X86_GP, true, sel & 0xfffcu);
        if (!(hi & 0x8000u))
            return x86_fault(c, X86_NP, true, sel & 0xfffcu);
        if (op == 3) {
            /* Mark the TSS busy (SDM Vol. 2A LTR). */
            rc = x86_write_lin(c, c->gdt_base + (sel & ~7u) + 4, 4, hi | 0x200u);
            if (rc)
                return rc;
            hi |= 0x200u;
        }
        s->sel = sel;
        s->base = (lo >> 16) | ((hi & 0xffu) << 16) | (hi & 0xff000000u);
        s->attr = (uint16_t)((hi >> 8) & 0xf0ffu);
        uint32_t limit = (lo & 0xffffu) | (hi & 0xf0000u);
        s->limit = (s->attr & SEG_ATTR_G) ? (limit << 12) | 0xfffu : limit;
        x86_seg_derive(s);
        return X86_OK;
    }
    default: {                                          /* VERR, VERW */
        if ((rc = read_rm(c, r, 2, &v)) != X86_OK)
            return rc;
        uint32_t lo, hi;
        bool ok = peek_descriptor(c, (uint16_t)v, &lo, &hi);
        if (ok) {
            unsigned attr = (hi >> 8) & 0xffu, type = attr & 0xfu, dpl = (attr >> 5) & 3;
            bool code = type & 8, conforming = code && (type & 4);
            ok = (attr & SEG_ATTR_S) &&
                 (conforming || (dpl >= c->cpl && dpl >= (v & 3u))) &&
                 (op == 4 ? (!code || (type & 2)) : (!code && (type & 2)));
        }
        set_zf(c, ok);
        return X86_OK;
    }
    }
}

int x86_exec_grp7(struct x86_cpu *c, const struct x86_rec *r)
{
    unsigned op = rec_reg(r);
    uint32_t ea = x86_ea(c, r), ea2 = ea + 2, v, base;
    if (!(r->attr & X86_A_A32))
        ea2 &= 0xffffu;
    int rc;
    switch (op) {
    case 0:                                             /* SGDT */
    case 1:                                             /* SIDT */
        /* With a 16-bit operand size the i386 stores the top byte of the
         * base as 0 (SDM Vol. 2B SGDT). */
        base = op == 0 ? c->gdt_base : c->idt_base;
        if (!(r->attr & X86_A_O32))
            base &= 0x00ffffffu;
        rc = x86_check_seg(c, r->seg, ea, 6, true);
        if (!rc)
            rc = x86_write(c, r->seg, ea, 2, op == 0 ? c->gdt_limit : c->idt_limit);
        if (!rc)
            rc = x86_write(c, r->seg, ea2, 4, base);
        return rc;
    case 2:                                             /* LGDT */
    case 3:                                             /* LIDT */
        if ((rc = need_cpl0(c)) != X86_OK)
            return rc;
        rc = x86_read(c, r->seg, ea, 2, &v);
        if (!rc)
            rc = x86_read(c, r->seg, ea2, 4, &base);
        if (rc)
            return rc;
        if (!(r->attr & X86_A_O32))
            base &= 0x00ffffffu;
        if (op == 2) {
            c->gdt_limit = (uint16_t)v;
            c->gdt_base = base;
        } else {
            c->idt_limit = (uint16_t)v;
            c->idt_base = base;
        }
        return X86_OK;
    case 4:                                             /* SMSW */
        if (!(r->attr & X86_A_MEM)) {
            set_reg(c, rec_rm(r), rec_osize(r), c->cr0);
            return X86_OK;
        }
        return x86_write(c, r->seg, ea, 2, c->cr0 & 0xffffu);
    case 6:                                             /* LMSW */
        if ((rc = need_cpl0(c)) != X86_OK || (rc = read_rm(c, r, 2, &v)) != X86_OK)
            return rc;
        /* LMSW changes PE MP EM TS only, and cannot clear PE. */
        x86_set_cr0(c, (c->cr0 & ~0xeu) | (v & 0xfu) | (c->cr0 & CR0_PE));
        return X86_STOP;
    default:                                            /* INVLPG */
        if ((rc = need_cpl0(c)) != X86_OK)
            return rc;
        x86_tlb_flush_page(c, c->seg[r->seg].base + ea);
        return X86_OK;
    }
}

int x86_exec_clts(struct x86_cpu *c, const struct x86_rec *r)
{
    int rc = need_cpl0(c);
    if (!rc)
        c->cr0 &= ~CR0_TS;
    return rc;
}

/* INVD/WBINVD: there are no caches to write back. */
int x86_exec_cache(struct x86_cpu *c, const struct x86_rec *r)
{
    return need_cpl0(c);
}

/* LAR/LSL (SDM Vol. 2A): ZF set and the access rights or limit loaded for
 * a descriptor visible at CPL/RPL; system types as the SDM's tables list. */
int x86_exec_lar_lsl(struct x86_cpu *c, const struct x86_rec *r)
{
    if (!protected_only(c))
        return x86_ud(c);
    uint32_t v, lo, hi;
    int rc = read_rm(c, r, 2, &v);
    if (rc)
        return rc;
    bool ok = peek_descriptor(c, (uint16_t)v, &lo, &hi);
    if (ok) {
        unsigned attr = (hi >> 8) & 0xffu, type = attr & 0xfu, dpl = (attr >> 5) & 3;
        if (attr & SEG_ATTR_S) {
            bool conforming = (type & 0xcu) == 0xcu;
            ok = conforming || (dpl >= c->cpl && dpl >= (v & 3u));
        } else {
            /* LAR: TSSs, LDT, call and task gates; LSL: TSSs and LDT. */
            static const uint16_t lar_types = 0x1a3eu, lsl_types = 0x0a0eu;
            ok = ((r->opc == 0x02 ? lar_types : lsl_types) >> type) & 1;
            ok = ok && dpl >= c->cpl && dpl >= (v & 3u);
        }
    }
    if (ok) {
        unsigned size = rec_osize(r);
        if (r->opc == 0x02) {
            set_reg(c, rec_reg(r), size, hi & 0x00f0ff00u);
        } else {
            uint32_t limit = (lo & 0xffffu) | (hi & 0xf0000u);
            if (hi & (1u << 23))
                limit = (limit << 12) | 0xfffu;
            set_reg(c, rec_reg(r), size, limit);
        }
    }
    set_zf(c, ok);
    return X86_OK;
}

/* ARPL: #UD outside protected mode (SDM Vol. 2A ARPL). */
int x86_exec_arpl(struct x86_cpu *c, const struct x86_rec *r)
{
    if (!protected_only(c))
        return x86_ud(c);
    uint32_t d;
    int rc = read_rm(c, r, 2, &d);
    if (rc)
        return rc;
    uint32_t s = get_reg(c, rec_reg(r), 2);
    if ((d & 3u) < (s & 3u)) {
        rc = write_rm(c, r, 2, (d & ~3u) | (s & 3u));
        if (!rc)
            set_zf(c, true);
        return rc;
    }
    set_zf(c, false);
    return X86_OK;
}
