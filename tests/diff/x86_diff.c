/* orrery-unicorn-diff-x86: runs blocks of random x86 instructions on
 * Orrery's x86 core (model pentium-pro) and on Unicorn 2 (QEMU's i386
 * translator, model UC_CPU_X86_PENTIUM2, the nearest P6 it offers) from the
 * same state, in 32-bit flat protected mode (CPL 0, paging off) and in
 * 16-bit real mode, and compares the general registers, EIP, EFLAGS (the
 * flags the SDM leaves undefined masked, tests/diff/x86_gen.c), the segment
 * selectors, the x87 (control and status words, which registers are empty,
 * the contents of the others) and the data region after each block; or,
 * when both stop at an exception, the vector and the state before the
 * faulting instruction. A divergence is narrowed to its first instruction
 * and printed. docs/testing.md describes the options, the filters and the
 * Unicorn errata.
 *
 *   orrery-unicorn-diff-x86 --x32 N --x16 N [--seed S] [--block K]
 *                           [--only LIST] [--verbose] [--max-reports N]
 *                           [--max-divergences N] [--list]
 *
 * Exit status: 0 no divergence, 1 divergences, 2 usage or setup error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include "isa-x86/x86.h"
#include "isa-x86/x86_internal.h"
#include "machine/bus.h"
#include "tests/diff/x86_gen.h"

#define SEL_CODE32 0x08
#define SEL_DATA32 0x10
#define REAL_CS    (XD_CODE_BASE >> 4)
#define REAL_STUB_CS (XD_STUB_BASE >> 4)

struct fpu_state {
    uint16_t cw, sw;           /* sw with TOP */
    uint8_t valid;             /* bit i: physical register i is not empty */
    uint64_t sig[8];
    uint16_t se[8];
};

struct xstate {
    uint32_t gpr[8];
    uint32_t eip, eflags;
    uint16_t sel[6];           /* ES CS SS DS FS GS */
    struct fpu_state fpu;
    int vector;                /* -1: ran to the end of the block */
};

struct options {
    uint64_t seed;
    uint64_t count[2];         /* [0] 32-bit protected mode, [1] real mode */
    unsigned block;
    const char *only;
    bool verbose, list;
    unsigned max_reports;
    uint64_t max_divergences;
};

struct tester {
    struct options opt;
    bool code32;
    /* Orrery */
    struct bus bus;
    struct cpu *cpu;
    struct x86_cpu *c;
    /* Unicorn */
    uc_engine *uc[2];
    uint8_t *umem[2];
    uc_hook hook[2];
    uc_context *clean[2];      /* the state after uc_open, restored before each run */
    int uc_vector;
    /* Shared */
    struct xgen gen;
    struct xblock blk;
    struct xstate init;
    uint8_t data0[XD_CMP_SIZE];       /* the data region before the block */
    uint8_t omem[XD_CMP_SIZE];
    csh cs[2];
    bool enabled[64];
    /* Figures */
    uint64_t blocks[2], insns[2], divergences[2], faults_agreed[2][32];
    uint64_t erratum_limits[2];
    uint64_t setups[2];        /* of insns: the setup instructions */
    uint64_t per_template[64], div_template[64];
    unsigned reported;
};

/* ---- Orrery -------------------------------------------------------------- */

static void sys_tables(uint8_t *mem, bool code32)
{
    memset(mem + XD_SYS_BASE, 0, XD_MEM_SIZE - XD_SYS_BASE);
    for (unsigned v = 0; v < 256; v++) {
        mem[XD_STUB_BASE + v] = 0xf4;   /* HLT */
        uint8_t *g = mem + XD_SYS_BASE + (code32 ? v * 8 : v * 4);
        if (code32) {
            uint32_t off = XD_STUB_BASE + v;
            g[0] = (uint8_t)off; g[1] = (uint8_t)(off >> 8);
            g[2] = SEL_CODE32; g[3] = 0;
            g[4] = 0; g[5] = 0x8e;      /* present 32-bit interrupt gate, DPL 0 */
            g[6] = (uint8_t)(off >> 16); g[7] = (uint8_t)(off >> 24);
        } else {
            g[0] = (uint8_t)v; g[1] = 0;
            g[2] = (uint8_t)REAL_STUB_CS; g[3] = (uint8_t)(REAL_STUB_CS >> 8);
        }
    }
    static const uint8_t gdt[24] = {
        0, 0, 0, 0, 0, 0, 0, 0,
        0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,    /* 08: code, flat, 32-bit, accessed */
        0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0,    /* 10: data, flat, 32-bit, accessed */
    };
    memcpy(mem + XD_GDT_BASE, gdt, sizeof gdt);
}

static void orr_set_state(struct tester *t, const struct xstate *s)
{
    struct x86_cpu *c = t->c;
    memcpy(c->gpr, s->gpr, sizeof c->gpr);
    c->gdt_base = XD_GDT_BASE;
    c->gdt_limit = 23;
    c->idt_base = XD_SYS_BASE;
    c->idt_limit = t->code32 ? 256 * 8 - 1 : 0x3ff;
    if (t->code32) {
        x86_set_cr0(c, CR0_PE | CR0_ET);
        struct x86_seg *cs = &c->seg[SEG_CS];
        cs->sel = SEL_CODE32;
        cs->base = 0;
        cs->limit = 0xffffffffu;
        cs->attr = 0xc09b;
        x86_seg_derive(cs);
        x86_set_cpl(c, 0);
        for (unsigned seg = 0; seg < SEG_COUNT; seg++)
            if (seg != SEG_CS && x86_load_seg(c, seg, SEL_DATA32))
                fprintf(stderr, "orrery-unicorn-diff-x86: cannot load a data segment\n");
    } else {
        x86_set_cr0(c, CR0_ET);
        /* The descriptor caches as after reset (SDM Vol. 3A 9.1.1): a real
         * mode segment load keeps the cached limit and attributes, which
         * the 32-bit runs left flat. */
        for (unsigned seg = 0; seg < SEG_COUNT; seg++) {
            struct x86_seg *sg = &c->seg[seg];
            sg->limit = 0xffff;
            sg->attr = seg == SEG_CS ? 0x009b : 0x0093;
            x86_set_seg_real(c, seg, seg == SEG_CS ? REAL_CS : 0);
            sg->limit = 0xffff;
            sg->attr = seg == SEG_CS ? 0x009b : 0x0093;
            x86_seg_derive(sg);
        }
        x86_set_cpl(c, 0);
    }
    c->eip = c->next_eip = s->eip;
    c->lf_op = LF_NONE;
    c->eflags = s->eflags;
    c->halted = false;
    c->inhibit_irq = false;
    c->fpu.cw = s->fpu.cw;
    c->fpu.sw = s->fpu.sw & ~0x3800u;
    c->fpu.top = (s->fpu.sw >> 11) & 7u;
    c->fpu.valid = s->fpu.valid;
    for (unsigned i = 0; i < 8; i++) {
        c->fpu.st[i].sig = s->fpu.sig[i];
        c->fpu.st[i].sign_exp = s->fpu.se[i];
    }
    c->fast_valid = false;
}

static void orr_get_state(struct tester *t, struct xstate *s)
{
    struct x86_cpu *c = t->c;
    memcpy(s->gpr, c->gpr, sizeof s->gpr);
    s->eip = c->eip;
    s->eflags = x86_get_flags(c);
    for (unsigned i = 0; i < 6; i++)
        s->sel[i] = c->seg[i].sel;
    s->fpu.cw = c->fpu.cw;
    s->fpu.sw = (uint16_t)((c->fpu.sw & ~0x3800u) | (unsigned)c->fpu.top << 11);
    s->fpu.valid = c->fpu.valid;
    for (unsigned i = 0; i < 8; i++) {
        s->fpu.sig[i] = c->fpu.st[i].sig;
        s->fpu.se[i] = c->fpu.st[i].sign_exp;
    }
    s->vector = -1;
}

/* Runs the first `limit` instructions of the block (all: ~0u) one step
 * at a time, up to the address of the next (the blocks are straight-line
 * code; a REP instruction takes a step per iteration). An exception is
 * seen as the CPU arriving in a stub; the state is then put back as it was
 * before the faulting instruction (the frame it pushed is undone from a
 * copy of the bytes under the stack pointer). */
static void orr_run(struct tester *t, const struct xstate *init, unsigned limit, struct xstate *out)
{
    struct x86_cpu *c = t->c;
    bus_write_block(&t->bus, XD_DATA_BASE, t->data0, XD_CMP_SIZE, false);
    orr_set_state(t, init);
    uint32_t end = init->eip + (limit < t->blk.n ? t->blk.off[limit] : t->blk.len);
    uint32_t stub_cs = t->code32 ? SEL_CODE32 : REAL_STUB_CS;
    uint32_t stub_lo = t->code32 ? XD_STUB_BASE : 0;
    for (unsigned steps = 0; c->eip != end && steps < 4096; steps++) {
        struct xstate before;
        orr_get_state(t, &before);
        uint32_t sp = c->gpr[ESP] & (t->code32 ? 0xffffffffu : 0xffffu);
        uint8_t under[16];
        uint32_t under_at = (sp - 16) & (t->code32 ? 0xffffffffu : 0xffffu);
        bool under_ok = under_at + 16 <= XD_DATA_SIZE;
        if (under_ok)
            bus_read_block(&t->bus, under_at, under, 16);
        t->cpu->ops->run(t->cpu, 1);
        if (c->seg[SEG_CS].sel == stub_cs && c->eip >= stub_lo && c->eip < stub_lo + 256) {
            *out = before;
            out->vector = (int)(c->eip - stub_lo);
            if (under_ok)
                bus_write_block(&t->bus, under_at, under, 16, false);
            bus_read_block(&t->bus, XD_DATA_BASE, t->omem, XD_CMP_SIZE);
            return;
        }
    }
    orr_get_state(t, out);
    bus_read_block(&t->bus, XD_DATA_BASE, t->omem, XD_CMP_SIZE);
}

/* ---- Unicorn ------------------------------------------------------------- */

static void uc_on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct tester *t = user;
    t->uc_vector = (int)intno;
    uc_emu_stop(uc);
}

static const int uc_gpr[8] = {
    UC_X86_REG_EAX, UC_X86_REG_ECX, UC_X86_REG_EDX, UC_X86_REG_EBX,
    UC_X86_REG_ESP, UC_X86_REG_EBP, UC_X86_REG_ESI, UC_X86_REG_EDI,
};
static const int uc_sreg[6] = {
    UC_X86_REG_ES, UC_X86_REG_CS, UC_X86_REG_SS, UC_X86_REG_DS, UC_X86_REG_FS, UC_X86_REG_GS,
};

static void uc_teardown(struct tester *t, unsigned m)
{
    if (t->clean[m])
        uc_context_free(t->clean[m]);
    if (t->uc[m])
        uc_close(t->uc[m]);
    free(t->umem[m]);
    t->clean[m] = NULL;
    t->uc[m] = NULL;
    t->umem[m] = NULL;
}

static int uc_setup(struct tester *t, unsigned m)
{
    uc_err e = uc_open(UC_ARCH_X86, m == 0 ? UC_MODE_32 : UC_MODE_16, &t->uc[m]);
    if (e == UC_ERR_OK)
        e = uc_ctl_set_cpu_model(t->uc[m], UC_CPU_X86_PENTIUM2);
    t->umem[m] = calloc(1, XD_MEM_SIZE);
    if (!t->umem[m])
        return -1;
    if (e == UC_ERR_OK)
        e = uc_mem_map_ptr(t->uc[m], 0, XD_MEM_SIZE, UC_PROT_ALL, t->umem[m]);
    if (e == UC_ERR_OK)
        e = uc_hook_add(t->uc[m], &t->hook[m], UC_HOOK_INTR, (void *)uc_on_intr, t, 1, 0);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "orrery-unicorn-diff-x86: unicorn: %s\n", uc_strerror(e));
        return -1;
    }
    sys_tables(t->umem[m], m == 0);
    if (uc_context_alloc(t->uc[m], &t->clean[m]) != UC_ERR_OK ||
        uc_context_save(t->uc[m], t->clean[m]) != UC_ERR_OK)
        return -1;
    return 0;
}

static void uc_set_state(struct tester *t, uc_engine *uc, const struct xstate *s)
{
    uc_x86_mmr gdtr = { 0, XD_GDT_BASE, 23, 0 };
    uc_x86_mmr idtr = { 0, XD_SYS_BASE, t->code32 ? 256 * 8 - 1 : 0x3ff, 0 };
    uc_reg_write(uc, UC_X86_REG_GDTR, &gdtr);
    uc_reg_write(uc, UC_X86_REG_IDTR, &idtr);
    for (unsigned i = 0; i < 6; i++) {
        uint32_t sel = t->code32 ? (i == SEG_CS ? SEL_CODE32 : SEL_DATA32) : (i == SEG_CS ? REAL_CS : 0);
        uc_reg_write(uc, uc_sreg[i], &sel);
    }
    for (unsigned i = 0; i < 8; i++)
        uc_reg_write(uc, uc_gpr[i], &s->gpr[i]);
    uint32_t fl = s->eflags;
    uc_reg_write(uc, UC_X86_REG_EFLAGS, &fl);
    uint32_t v = s->fpu.cw;
    uc_reg_write(uc, UC_X86_REG_FPCW, &v);
    v = s->fpu.sw;
    uc_reg_write(uc, UC_X86_REG_FPSW, &v);
    uint32_t tag = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (!((s->fpu.valid >> i) & 1u))
            tag |= 3u << (2 * i);
        uint8_t f[16] = { 0 };
        memcpy(f, &s->fpu.sig[i], 8);
        memcpy(f + 8, &s->fpu.se[i], 2);
        uc_reg_write(uc, UC_X86_REG_FP0 + (int)i, f);
    }
    uc_reg_write(uc, UC_X86_REG_FPTAG, &tag);
}

static void uc_get_state(struct tester *t, uc_engine *uc, struct xstate *s)
{
    for (unsigned i = 0; i < 8; i++)
        uc_reg_read(uc, uc_gpr[i], &s->gpr[i]);
    uint32_t v = 0;
    uc_reg_read(uc, UC_X86_REG_EIP, &v);
    s->eip = t->code32 ? v : v & 0xffffu;
    uc_reg_read(uc, UC_X86_REG_EFLAGS, &s->eflags);
    for (unsigned i = 0; i < 6; i++) {
        v = 0;
        uc_reg_read(uc, uc_sreg[i], &v);
        s->sel[i] = (uint16_t)v;
    }
    v = 0;
    uc_reg_read(uc, UC_X86_REG_FPCW, &v);
    s->fpu.cw = (uint16_t)v;
    v = 0;
    uc_reg_read(uc, UC_X86_REG_FPSW, &v);
    s->fpu.sw = (uint16_t)v;
    uint32_t tag = 0;
    uc_reg_read(uc, UC_X86_REG_FPTAG, &tag);
    s->fpu.valid = 0;
    for (unsigned i = 0; i < 8; i++) {
        if (((tag >> (2 * i)) & 3u) != 3u)
            s->fpu.valid |= (uint8_t)(1u << i);
        uint8_t f[16] = { 0 };
        uc_reg_read(uc, UC_X86_REG_FP0 + (int)i, f);
        memcpy(&s->fpu.sig[i], f, 8);
        memcpy(&s->fpu.se[i], f + 8, 2);
    }
    s->vector = -1;
}

/* Runs the first `limit` instructions of the block (all: ~0u), up to the
 * address of the next (the blocks are straight-line code). */
static void uc_run(struct tester *t, const struct xstate *init, unsigned limit, struct xstate *out)
{
    unsigned m = t->code32 ? 0 : 1;
    uc_engine *uc = t->uc[m];
    memcpy(t->umem[m] + XD_DATA_BASE, t->data0, XD_CMP_SIZE);
    /* Harness note H1 (docs/testing.md): an exception stopped in the
     * interrupt hook stays Unicorn's "previous exception", so the next
     * run's first exception would become a double fault; every run starts
     * from the context saved after uc_open. */
    uc_context_restore(uc, t->clean[m]);
    uc_set_state(t, uc, init);
    t->uc_vector = -1;
    uint64_t cs_base = t->code32 ? 0 : (uint64_t)REAL_CS << 4;
    uint64_t begin = t->code32 ? XD_CODE_BASE : 0;   /* offset in CS */
    unsigned stop = limit < t->blk.n ? t->blk.off[limit] : t->blk.len;
    /* Harness note H2: neither a shorter run nor a new block may reuse
     * the translations of the last (uc_mem_write into memory mapped with
     * uc_mem_map_ptr does not always drop them). */
    uc_ctl_remove_cache(uc, cs_base + begin, cs_base + begin + XD_MAX_CODE + 16);
    /* Both addresses are linear (in 16-bit mode Unicorn sets IP to begin
     * minus CS * 16). */
    uc_err err = uc_emu_start(uc, cs_base + begin, cs_base + begin + stop, 0, 0);
    uc_get_state(t, uc, out);
    /* An error of Unicorn's shows as vector 1000 + the error code. */
    out->vector = err != UC_ERR_OK ? 1000 + (int)err : t->uc_vector;
}

/* ---- state --------------------------------------------------------------- */

static void random_f80(struct xgen *g, uint64_t *sig, uint16_t *se)
{
    unsigned k = xgen_below(g, 16);
    uint16_t sign = (uint16_t)((xgen_next(g) & 1) << 15);
    *sig = xgen_next(g) | (1ull << 63);
    if (k == 0) {
        *se = sign;
        *sig = 0;
    } else if (k == 1) {
        /* Infinities and quiet NaNs: signalling NaNs in registers are
         * left out (Unicorn erratum E8: FST m32/m64 of one stores it
         * without setting the quiet bit). */
        *se = sign | 0x7fff;
        *sig = xgen_below(g, 2) ? 1ull << 63 : *sig | 1ull << 62;
    } else if (k < 8) {
        *se = (uint16_t)(sign | (16383 - 40 + xgen_below(g, 80)));   /* moderate */
        if (k == 2)
            *sig &= ~0xffffffffull;   /* exactly representable in double */
    } else {
        *se = (uint16_t)(sign | (1 + xgen_below(g, 0x7ffe)));
    }
}

static void random_state(struct tester *t, struct xstate *s)
{
    struct xgen *g = &t->gen;
    for (unsigned i = 0; i < 8; i++)
        s->gpr[i] = (uint32_t)xgen_next(g);
    s->gpr[ESP] = 0x6000 + (xgen_below(g, 0x4000) & ~3u);
    if (!t->code32)
        s->gpr[ESP] |= (uint32_t)xgen_next(g) & 0xffff0000u;
    s->eip = t->code32 ? XD_CODE_BASE : 0;
    s->eflags = ((uint32_t)xgen_next(g) & 0x8d5u) | 2u;   /* arithmetic flags and DF */
    /* x87: exceptions masked, random rounding and precision control. */
    s->fpu.cw = t->blk.fcw;
    s->fpu.sw = (uint16_t)(xgen_below(g, 8) << 11);
    /* The stack holds fdepth values from TOP up (x86_gen.c keeps every
     * instruction within it: no stack faults). */
    unsigned top = (s->fpu.sw >> 11) & 7u;
    s->fpu.valid = 0;
    for (unsigned i = 0; i < t->blk.fdepth; i++)
        s->fpu.valid |= (uint8_t)(1u << ((top + i) & 7u));
    for (unsigned i = 0; i < 8; i++) {
        if ((s->fpu.valid >> i) & 1u)
            random_f80(g, &s->fpu.sig[i], &s->fpu.se[i]);
        else
            s->fpu.sig[i] = 0, s->fpu.se[i] = 0;
    }
    for (unsigned i = 0; i < XD_CMP_SIZE; i += 8) {
        uint64_t r = xgen_next(g);
        memcpy(t->data0 + i, &r, 8);
    }
    /* Some 80-bit values in memory that are real numbers. */
    for (unsigned i = 0; i < 64; i++) {
        uint32_t at = xgen_below(g, XD_DATA_SIZE - 16);
        uint64_t sig;
        uint16_t se;
        random_f80(g, &sig, &se);
        memcpy(t->data0 + at, &sig, 8);
        memcpy(t->data0 + at + 8, &se, 2);
    }
}

/* ---- comparison ---------------------------------------------------------- */

/* EFLAGS bits compared: the arithmetic ones, DF, and IF/TF/IOPL/NT/AC/ID
 * (which nothing generated changes); RF and VM and the reserved bits are
 * not. The undefined ones are taken out per block. */
#define FLAGS_COMPARED 0x00244fd5u

/* Unicorn erratum E3 (docs/testing.md): QEMU 5.0's x87 sets none of the
 * status word's exception flags (IE DE ZE OE UE PE, ES and B) nor C1 from
 * its arithmetic, conversions and stores; they are not compared. */
#define FSW_NOT_COMPARED 0x82bfu

static bool fpu_equal(const struct fpu_state *a, const struct fpu_state *b, uint16_t cc_undef)
{
    if (a->cw != b->cw || ((a->sw ^ b->sw) & ~(FSW_NOT_COMPARED | cc_undef)) || a->valid != b->valid)
        return false;
    for (unsigned i = 0; i < 8; i++)
        if (((a->valid >> i) & 1u) && (a->sig[i] != b->sig[i] || a->se[i] != b->se[i]))
            return false;
    return true;
}

static bool states_equal(const struct xstate *a, const struct xstate *b, uint32_t undef)
{
    if (a->vector != b->vector || memcmp(a->gpr, b->gpr, sizeof a->gpr) || a->eip != b->eip ||
        memcmp(a->sel, b->sel, sizeof a->sel))
        return false;
    if ((a->eflags ^ b->eflags) & FLAGS_COMPARED & ~undef)
        return false;
    return fpu_equal(&a->fpu, &b->fpu, (uint16_t)(undef >> 16));
}

static const char *const gpr_names[8] = { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" };
static const char *const sreg_names[6] = { "es", "cs", "ss", "ds", "fs", "gs" };

static void print_state(const char *who, const struct xstate *s)
{
    printf("  %-8s", who);
    for (unsigned i = 0; i < 8; i++)
        printf(" %s=%08" PRIx32, gpr_names[i], s->gpr[i]);
    printf("\n           eip=%08" PRIx32 " eflags=%08" PRIx32, s->eip, s->eflags);
    for (unsigned i = 0; i < 6; i++)
        printf(" %s=%04x", sreg_names[i], s->sel[i]);
    if (s->vector >= 0)
        printf(" exception=%d", s->vector);
    printf("\n           fcw=%04x fsw=%04x valid=%02x", s->fpu.cw, s->fpu.sw, s->fpu.valid);
    for (unsigned i = 0; i < 8; i++)
        if ((s->fpu.valid >> i) & 1u)
            printf(" r%u=%04x:%016" PRIx64, i, s->fpu.se[i], s->fpu.sig[i]);
    printf("\n");
}

static void print_insn(struct tester *t, unsigned k)
{
    const struct xblock *b = &t->blk;
    unsigned off = b->off[k], len = b->off[k + 1] - off;
    printf("  #%u %-10s", k, xgen_template_name(b->tmpl[k]));
    for (unsigned i = 0; i < len; i++)
        printf(" %02x", b->code[off + i]);
    cs_insn *insn;
    size_t n = cs_disasm(t->cs[t->code32 ? 0 : 1], b->code + off, len, off, 1, &insn);
    if (n) {
        printf("   %s %s", insn[0].mnemonic, insn[0].op_str);
        cs_free(insn, n);
    }
    printf("\n");
}

static uint32_t undef_for(const struct tester *t, const struct xstate *s, unsigned upto);

/* Finds the first instruction after which the two differ and prints it. */
static void report(struct tester *t, const struct xstate *init, const struct xstate *fo,
                   const struct xstate *fu)
{
    const struct xblock *b = &t->blk;
    unsigned bad = b->n ? b->n - 1 : 0;
    struct xstate o, u, prev_o = *init;
    for (unsigned k = 1; k <= b->n; k++) {
        orr_run(t, init, k, &o);
        uc_run(t, init, k, &u);
        bool mem_same = memcmp(t->omem, t->umem[t->code32 ? 0 : 1] + XD_DATA_BASE, XD_CMP_SIZE) == 0;
        if (!states_equal(&o, &u, undef_for(t, &o, k)) || !mem_same) {
            bad = k - 1;
            break;
        }
        prev_o = o;
    }
    printf("divergence (%s, block %" PRIu64 "):\n", t->code32 ? "32-bit protected" : "real mode",
           t->blocks[t->code32 ? 0 : 1]);
    for (unsigned k = 0; k < b->n; k++)
        if (t->opt.verbose || k == bad)
            print_insn(t, k);
    print_state("before", &prev_o);
    print_state("orrery", &o);
    print_state("unicorn", &u);
    if (t->opt.verbose) {
        printf("  at the end of the block:\n");
        print_state("orrery", fo);
        print_state("unicorn", fu);
    }
    const uint8_t *um = t->umem[t->code32 ? 0 : 1] + XD_DATA_BASE;
    unsigned shown = 0;
    for (unsigned i = 0; i < XD_CMP_SIZE && shown < 8; i++)
        if (t->omem[i] != um[i]) {
            printf("  mem[%05x] before %02x orrery %02x unicorn %02x\n", i, t->data0[i], t->omem[i], um[i]);
            shown++;
        }
}

/* The EFLAGS bits undefined in a state: at an exception, those undefined
 * before the faulting instruction; at the end, those undefined at the end. */
static uint32_t undef_for(const struct tester *t, const struct xstate *s, unsigned upto)
{
    const struct xblock *b = &t->blk;
    unsigned k = upto;
    if (s->vector >= 0) {
        k = 0;
        while (k < b->n && b->off[k] != s->eip)
            k++;
    }
    /* Unicorn erratum E10: at an exception stopped in the interrupt hook,
     * Unicorn's EFLAGS as read is stale or garbage (QEMU computes it from
     * its lazy state only when it delivers the exception), and so, at
     * times, are the x87 condition codes: not compared. */
    uint32_t at_fault = s->vector >= 0 ? FLAGS_COMPARED | XG_FPU_CC_UNDEF : 0;
    if (k == 0)
        return at_fault;
    uint32_t undef = b->undef_at[k - 1] | at_fault;
    /* Unicorn erratum E9: after a CMPXCHG8B, until an instruction sets all
     * six arithmetic flags, Unicorn's EFLAGS as read by uc_reg_read is
     * garbage (it shows bits of EAX). */
    if (undef & XG_E9)
        undef |= FLAGS_COMPARED;
    return undef;
}

/* ---- Unicorn errata ------------------------------------------------------ */

/* E1: QEMU checks no segment limits: in real mode a word or dword access
 * that runs past offset 0xFFFF (or a 32-bit address above it) is #GP, or
 * #SS through SS (SDM Vol. 3A 20.1.6 and each instruction's "Real-Address
 * Mode Exceptions"), where Unicorn wraps or reads past the limit. Such a
 * block is counted apart and its instructions are not counted as
 * compared. */
static bool erratum_segment_limit(const struct tester *t, const struct xstate *o, const struct xstate *u)
{
    return !t->code32 && (o->vector == X86_GP || o->vector == X86_SS) && u->vector != o->vector;
}

/* ---- main loop ----------------------------------------------------------- */

static int run_mode(struct tester *t, unsigned m)
{
    t->code32 = m == 0;
    sys_tables(t->umem[m], t->code32);
    uint8_t sys[XD_MEM_SIZE - XD_SYS_BASE];
    memcpy(sys, t->umem[m] + XD_SYS_BASE, sizeof sys);
    bus_write_block(&t->bus, XD_SYS_BASE, sys, sizeof sys, false);
    xgen_seed(&t->gen, t->opt.seed * 2 + m);
    t->gen.code32 = t->code32;
    uint64_t done = 0;
    uint64_t since_open = 0;
    while (done < t->opt.count[m]) {
        /* Harness note H5: after some 600,000 blocks one Unicorn instance
         * stops reporting exceptions and fails to run; a fresh one is
         * opened every 100,000 blocks. */
        if (++since_open > 100000) {
            since_open = 0;
            uc_teardown(t, m);
            if (uc_setup(t, m))
                return -1;
        }
        xgen_block(&t->gen, &t->blk, t->opt.block, t->enabled);
        struct xblock *b = &t->blk;
        uint8_t code[XD_MAX_CODE + 16];
        memcpy(code, b->code, b->len);
        memset(code + b->len, 0xf4, 16);
        bus_write_block(&t->bus, XD_CODE_BASE, code, sizeof code, false);
        /* Through uc_mem_write, which drops Unicorn's translations of the
         * previous block's code. */
        uc_mem_write(t->uc[m], XD_CODE_BASE, code, sizeof code);
        struct xstate init, o, u;
        random_state(t, &init);
        init.vector = -1;
        orr_run(t, &init, ~0u, &o);
        uc_run(t, &init, ~0u, &u);
        /* The instructions executed: up to and including a faulting one. */
        unsigned ran = b->n;
        if (o.vector >= 0)
            for (ran = 0; ran < b->n && b->off[ran] + (t->code32 ? XD_CODE_BASE : 0) != o.eip; ran++)
                ;
        ran = ran < b->n ? ran + (o.vector >= 0) : b->n;
        bool mem_same = memcmp(t->omem, t->umem[m] + XD_DATA_BASE, XD_CMP_SIZE) == 0;
        uint32_t undef = undef_for(t, &o, b->n);
        if (erratum_segment_limit(t, &o, &u)) {
            t->erratum_limits[m]++;   /* not counted as compared */
            continue;
        }
        t->blocks[m]++;
        done += ran;
        t->insns[m] += ran;
        for (unsigned k = 0; k < ran; k++) {
            if (b->tmpl[k] != XG_SETUP)
                t->per_template[b->tmpl[k]]++;
            else
                t->setups[m]++;
        }
        if (states_equal(&o, &u, undef) && mem_same) {
            if (o.vector >= 0 && o.vector < 32)
                t->faults_agreed[m][o.vector]++;
            continue;
        }
        t->divergences[m]++;
        for (unsigned k = 0; k < b->n; k++)
            if (b->tmpl[k] != XG_SETUP)
                t->div_template[b->tmpl[k]]++;
        if (t->reported < t->opt.max_reports) {
            t->reported++;
            report(t, &init, &o, &u);
        }
        if (t->divergences[m] >= t->opt.max_divergences)
            break;
    }
    return 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    char *end;
    *v = strtoull(s, &end, 0);
    return *s && !*end;
}

static int usage(void)
{
    fprintf(stderr, "usage: orrery-unicorn-diff-x86 [--x32 N] [--x16 N] [--seed S] [--block K]\n"
                    "         [--only T1,T2,...] [--verbose] [--max-reports N]\n"
                    "         [--max-divergences N] [--list]\n");
    return 2;
}

static bool name_in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        p += len + (comma ? 1 : 0);
    }
    return false;
}

int main(int argc, char **argv)
{
    static struct tester tester;
    struct tester *t = &tester;
    t->opt = (struct options){ .seed = 1, .count = { 100000, 100000 }, .block = 12,
                               .max_reports = 10, .max_divergences = UINT64_MAX };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        bool has = i + 1 < argc;
        if (strcmp(a, "--verbose") == 0)
            t->opt.verbose = true;
        else if (strcmp(a, "--list") == 0)
            t->opt.list = true;
        else if (has && strcmp(a, "--only") == 0)
            t->opt.only = argv[++i];
        else if (has && parse_u64(argv[i + 1], &v)) {
            i++;
            if (strcmp(a, "--x32") == 0) t->opt.count[0] = v;
            else if (strcmp(a, "--x16") == 0) t->opt.count[1] = v;
            else if (strcmp(a, "--seed") == 0) t->opt.seed = v;
            else if (strcmp(a, "--block") == 0 && v >= 1 && v <= 40) t->opt.block = (unsigned)v;
            else if (strcmp(a, "--max-reports") == 0) t->opt.max_reports = (unsigned)v;
            else if (strcmp(a, "--max-divergences") == 0) t->opt.max_divergences = v ? v : 1;
            else return usage();
        } else
            return usage();
    }
    unsigned nt = xgen_template_count();
    if (t->opt.list) {
        for (unsigned k = 0; k < nt; k++)
            printf("%s\n", xgen_template_name(k));
        return 0;
    }
    bool any = false;
    for (unsigned k = 0; k < nt; k++) {
        t->enabled[k] = !t->opt.only || name_in_list(t->opt.only, xgen_template_name(k));
        any |= t->enabled[k];
    }
    if (!any) {
        fprintf(stderr, "orrery-unicorn-diff-x86: --only selects no template (see --list)\n");
        return 2;
    }
    struct orr_error err;
    bus_init(&t->bus, NULL);
    if (bus_add_ram(&t->bus, "ram", 0, XD_MEM_SIZE, &err))
        return 2;
    const struct cpu_model *model = NULL;
    for (size_t i = 0; i < x86_cpu_model_count; i++)
        if (strcmp(x86_cpu_models[i]->name, "pentium-pro") == 0)
            model = x86_cpu_models[i];
    struct cpu_config cfg = { .bus = &t->bus };
    if (!model || model->create(model, &cfg, &t->cpu, &err))
        return 2;
    t->c = (struct x86_cpu *)t->cpu;
    if (uc_setup(t, 0) || uc_setup(t, 1))
        return 2;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &t->cs[0]) != CS_ERR_OK ||
        cs_open(CS_ARCH_X86, CS_MODE_16, &t->cs[1]) != CS_ERR_OK)
        return 2;
    clock_t t0 = clock();
    for (unsigned m = 0; m < 2; m++)
        if (t->opt.count[m])
            run_mode(t, m);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    static const char *const mode_names[2] = { "32-bit protected mode", "real mode" };
    uint64_t total_div = 0;
    for (unsigned m = 0; m < 2; m++) {
        if (!t->opt.count[m])
            continue;
        printf("%s: %" PRIu64 " instructions (%" PRIu64 " of them setups) in %" PRIu64
               " blocks, %" PRIu64 " divergences",
               mode_names[m], t->insns[m], t->setups[m], t->blocks[m], t->divergences[m]);
        if (t->erratum_limits[m])
            printf(", %" PRIu64 " blocks discarded as erratum E1 (segment limits)", t->erratum_limits[m]);
        printf("\n  exceptions agreed:");
        for (unsigned v = 0; v < 32; v++)
            if (t->faults_agreed[m][v])
                printf(" #%u x%" PRIu64, v, t->faults_agreed[m][v]);
        printf("\n");
        total_div += t->divergences[m];
    }
    if (t->opt.verbose || total_div) {
        printf("per template (instructions, in divergent blocks):\n");
        for (unsigned k = 0; k < nt; k++)
            printf("  %-10s %10" PRIu64 " %8" PRIu64 "\n", xgen_template_name(k), t->per_template[k],
                   t->div_template[k]);
    }
    printf("seed %" PRIu64 ", %.1f s\n", t->opt.seed, secs);
    cs_close(&t->cs[0]);
    cs_close(&t->cs[1]);
    for (unsigned m = 0; m < 2; m++)
        uc_teardown(t, m);
    t->cpu->ops->destroy(t->cpu);
    bus_destroy(&t->bus);
    return total_div ? 1 : 0;
}
