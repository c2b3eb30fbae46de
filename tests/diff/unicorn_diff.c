/* orrery-unicorn-diff: runs blocks of random A32 and T32 instructions on
 * Orrery's ARM core and on Unicorn 2 (QEMU's ARM translator) from the same
 * state, and compares r0-r15, the CPSR, every banked register, the data
 * region and the code region after each block, or the state before the
 * instruction at which both stopped with the same exception. A divergence
 * is narrowed to its first instruction (Unicorn traced, Orrery stepped) and
 * printed with the state before it and both results. docs/testing.md
 * describes the options, the UNPREDICTABLE filter and the Unicorn errata.
 *
 *   orrery-unicorn-diff --a32 N --t32 N [--seed S] [--block K] [--only LIST]
 *                       [--cpu cortex-a15|cortex-a7] [--first B] [--verbose]
 *
 * Exit status: 0 no divergence, 1 divergences, 2 usage or setup error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <capstone/capstone.h>
#include <unicorn/unicorn.h>

#include "cpu/cpu.h"
#include "machine/bus.h"
#include "tests/diff/diff_gen.h"

#define REG_CPSR 16   /* Orrery's register table index of the CPSR */
/* Orrery's register table indices of the bank entries (enum diff_bank):
 * r8_fiq..lr_fiq 22-28, sp/lr irq, svc, abt, und 29-36, r8_usr..lr_usr 37-43. */
static const uint8_t orr_bank_index[BK_COUNT] = {
    42, 43, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41,
};
#define PSR_Q_BIT 0x08000000u

enum stop_kind { STOP_END, STOP_UNDEF, STOP_SVC, STOP_PABT, STOP_DABT, STOP_OTHER, STOP_COUNT };
static const char *const stop_names[STOP_COUNT] = {
    "end of block", "undefined instruction", "supervisor call", "prefetch abort",
    "data abort", "other stop",
};

struct arch_state {
    uint32_t r[16];
    uint32_t cpsr;
    uint32_t bank[BK_COUNT];  /* every banked register (enum diff_bank) */
    bool banks_valid;         /* false in Unicorn's trace (the hook cannot read them) */
    enum stop_kind stop;
};

struct options {
    uint64_t seed;
    uint64_t a32, t32;
    unsigned block;
    const char *only;
    const char *only_stream[2];   /* --only-a32 / --only-t32: override --only per stream */
    const char *cpu;
    uint64_t first;
    bool verbose;
    bool unicorn_only;        /* generator check: where does Unicorn stop? */
    bool compare_smc;         /* narrow blocks that stored into their code too */
    unsigned max_reports;
    uint64_t max_divergences;   /* per stream; then the stream stops */
};

struct stats {
    uint64_t blocks[2], insns[2];
    uint64_t divergences[2];
    uint64_t smc_discarded;   /* blocks that stored into their own code */
    uint64_t late_faults;     /* unmapped accesses in IT blocks Unicorn reported late */
    uint64_t narrowed;        /* blocks re-run with the trace */
    uint64_t errata_seen[8];  /* differences classified as a data-dependent Unicorn erratum */
    uint64_t uc_stops[2][STOP_COUNT];   /* how Unicorn ended each block */
    uint64_t stops_agreed[STOP_COUNT];
    uint64_t filtered[F_COUNT];
    uint64_t *per_template[2];
    uint64_t *div_template[2];
    unsigned reported;
};

struct trace {
    unsigned n, cap;
    struct arch_state *s;
    uint64_t *hash;        /* of the data region before each instruction */
    int snap_at;           /* the step whose data region to keep in snap (-1: none) */
    bool hashing;          /* hash the data region at every step (slow; second pass) */
    uint8_t *snap;
    uint8_t *final_mem;
};

struct tester {
    struct options opt;
    struct trace trace;
    bool smc_block;             /* the block being narrowed stored into its code */
    struct stats st;
    /* Orrery */
    struct bus bus;
    struct cpu *cpu;
    uint8_t *o_data;            /* host pointer of the data region */
    uint8_t *o_code;            /* host pointer of the code region */
    /* Unicorn */
    uc_engine *uc;
    uint8_t *u_data;            /* mapped with uc_mem_map_ptr */
    uint8_t *u_code;            /* mapped with uc_mem_map_ptr, written with uc_mem_write */
    uc_hook intr_hook;
    int uc_intno;
    bool uc_unmapped;           /* the last run stopped at an unmapped access */
    bool uc_unmapped_seen;      /* the last run made an unmapped data access */
    uc_hook unmapped_hook;
    /* Shared */
    uint8_t *pool;              /* random bytes the data region is filled from */
    uint8_t *code;              /* the code region image */
    uint32_t code_dirty_lo, code_dirty_hi;
    csh cs_arm, cs_thumb;
    struct gen_block block;
    struct gen gen;
};

/* ---- Unicorn ------------------------------------------------------------ */

static const int uc_regs[16] = {
    UC_ARM_REG_R0, UC_ARM_REG_R1, UC_ARM_REG_R2, UC_ARM_REG_R3, UC_ARM_REG_R4,
    UC_ARM_REG_R5, UC_ARM_REG_R6, UC_ARM_REG_R7, UC_ARM_REG_R8, UC_ARM_REG_R9,
    UC_ARM_REG_R10, UC_ARM_REG_R11, UC_ARM_REG_R12, UC_ARM_REG_R13, UC_ARM_REG_R14,
    UC_ARM_REG_R15,
};

static void uc_on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct tester *t = user;
    t->uc_intno = (int)intno;
    uc_emu_stop(uc);
}

static bool uc_on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t address, int size,
                           int64_t value, void *user)
{
    struct tester *t = user;
    t->uc_unmapped_seen = true;
    return false;   /* not handled: Unicorn stops with its error */
}

static int uc_setup(struct tester *t)
{
    uc_err e = uc_open(UC_ARCH_ARM, UC_MODE_ARM, &t->uc);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "orrery-unicorn-diff: uc_open: %s\n", uc_strerror(e));
        return -1;
    }
    int model = strcmp(t->opt.cpu, "cortex-a7") == 0 ? UC_CPU_ARM_CORTEX_A7 : UC_CPU_ARM_CORTEX_A15;
    e = uc_ctl_set_cpu_model(t->uc, model);
    if (e == UC_ERR_OK)
        e = uc_mem_map_ptr(t->uc, DIFF_CODE_BASE, DIFF_CODE_SIZE, UC_PROT_ALL, t->u_code);
    if (e == UC_ERR_OK)
        e = uc_mem_map_ptr(t->uc, DIFF_DATA_BASE, DIFF_DATA_SIZE, UC_PROT_ALL, t->u_data);
    if (e == UC_ERR_OK)
        e = uc_hook_add(t->uc, &t->intr_hook, UC_HOOK_INTR, (void *)uc_on_intr, t, 1, 0);
    if (e == UC_ERR_OK)
        e = uc_hook_add(t->uc, &t->unmapped_hook, UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED,
                        (void *)uc_on_unmapped, t, 1, 0);
    if (e != UC_ERR_OK) {
        fprintf(stderr, "orrery-unicorn-diff: unicorn setup: %s\n", uc_strerror(e));
        return -1;
    }
    return 0;
}

/* Which registers of which mode hold which bank entries. */
struct uc_bank_mode {
    uint32_t mode;
    unsigned first_reg, count;
    uint8_t bank[7];
};
static const struct uc_bank_mode uc_bank_modes[] = {
    { 0x10, 8, 7, { BK_USR_R8, BK_USR_R8 + 1, BK_USR_R8 + 2, BK_USR_R8 + 3, BK_USR_R8 + 4,
                    BK_USR_R13, BK_USR_R14 } },
    { 0x11, 8, 7, { BK_FIQ_R8, BK_FIQ_R8 + 1, BK_FIQ_R8 + 2, BK_FIQ_R8 + 3, BK_FIQ_R8 + 4,
                    BK_FIQ_R8 + 5, BK_FIQ_R14 } },
    { 0x12, 13, 2, { BK_IRQ_R13, BK_IRQ_R14 } },
    { 0x13, 13, 2, { BK_SVC_R13, BK_SVC_R14 } },
    { 0x17, 13, 2, { BK_ABT_R13, BK_ABT_R14 } },
    { 0x1b, 13, 2, { BK_UND_R13, BK_UND_R14 } },
};

static void uc_load_state(struct tester *t, const struct arch_state *s)
{
    /* The banks through CPSR writes of each mode (Unicorn switches banks
     * on a mode change). */
    for (unsigned k = 0; k < sizeof uc_bank_modes / sizeof uc_bank_modes[0]; k++) {
        const struct uc_bank_mode *m = &uc_bank_modes[k];
        uint32_t c = (s->cpsr & ~0x1fu) | m->mode;
        uc_reg_write(t->uc, UC_ARM_REG_CPSR, &c);
        for (unsigned r = 0; r < m->count; r++)
            uc_reg_write(t->uc, uc_regs[m->first_reg + r], &s->bank[m->bank[r]]);
    }
    uint32_t cpsr = s->cpsr;
    uc_reg_write(t->uc, UC_ARM_REG_CPSR, &cpsr);
    for (unsigned i = 0; i < 15; i++)
        uc_reg_write(t->uc, uc_regs[i], &s->r[i]);
    uint32_t pc = s->r[15] | ((s->cpsr >> 5) & 1u);
    uc_reg_write(t->uc, UC_ARM_REG_PC, &pc);
}

/* banks: also the User-mode r13/r14 (not from a hook: it writes the CPSR). */
static void uc_save_state(struct tester *t, struct arch_state *s, bool banks)
{
    for (unsigned i = 0; i < 16; i++)
        uc_reg_read(t->uc, uc_regs[i], &s->r[i]);
    uc_reg_read(t->uc, UC_ARM_REG_CPSR, &s->cpsr);
    s->banks_valid = banks;
    if (!banks)
        return;
    for (unsigned k = 0; k < sizeof uc_bank_modes / sizeof uc_bank_modes[0]; k++) {
        const struct uc_bank_mode *m = &uc_bank_modes[k];
        uint32_t c = (s->cpsr & ~0x1fu) | m->mode;
        uc_reg_write(t->uc, UC_ARM_REG_CPSR, &c);
        for (unsigned r = 0; r < m->count; r++)
            uc_reg_read(t->uc, uc_regs[m->first_reg + r], &s->bank[m->bank[r]]);
    }
    uint32_t cpsr = s->cpsr;
    uc_reg_write(t->uc, UC_ARM_REG_CPSR, &cpsr);
}

/* Runs Unicorn from its current state until `until` (count 0: no limit). */
static enum stop_kind uc_run(struct tester *t, uint32_t until, size_t count)
{
    uint32_t pc, cpsr;
    uc_reg_read(t->uc, UC_ARM_REG_PC, &pc);
    uc_reg_read(t->uc, UC_ARM_REG_CPSR, &cpsr);
    t->uc_intno = -1;
    t->uc_unmapped = false;
    t->uc_unmapped_seen = false;
    uc_err e = uc_emu_start(t->uc, pc | ((cpsr >> 5) & 1u), until, 0, count);
    if (t->uc_intno >= 0) {
        switch (t->uc_intno) {
        case 1: return STOP_UNDEF;       /* EXCP_UDEF */
        case 2: return STOP_SVC;         /* EXCP_SWI: see stop_view */
        case 3: return STOP_PABT;        /* EXCP_PREFETCH_ABORT */
        case 4: return STOP_DABT;        /* EXCP_DATA_ABORT */
        case 7: return STOP_PABT;        /* EXCP_BKPT: a debug event, taken as a
                                            prefetch abort without a debugger (C3.1) */
        default: return STOP_OTHER;
        }
    }
    switch (e) {
    case UC_ERR_OK: return STOP_END;
    case UC_ERR_INSN_INVALID: return STOP_UNDEF;
    case UC_ERR_READ_UNMAPPED: case UC_ERR_WRITE_UNMAPPED:
        t->uc_unmapped = true;
        return STOP_DABT;
    case UC_ERR_READ_UNALIGNED: case UC_ERR_WRITE_UNALIGNED:
    case UC_ERR_READ_PROT: case UC_ERR_WRITE_PROT:
        return STOP_DABT;
    case UC_ERR_FETCH_UNMAPPED: case UC_ERR_FETCH_PROT: case UC_ERR_FETCH_UNALIGNED:
        return STOP_PABT;
    default: return STOP_OTHER;
    }
}

/* ---- Orrery ------------------------------------------------------------- */

static int orr_setup(struct tester *t)
{
    struct orr_error err;
    bus_init(&t->bus, NULL);
    if (bus_add_ram(&t->bus, "code", DIFF_CODE_BASE, DIFF_CODE_SIZE, &err) ||
        bus_add_ram(&t->bus, "data", DIFF_DATA_BASE, DIFF_DATA_SIZE, &err)) {
        fprintf(stderr, "orrery-unicorn-diff: %s\n", err.msg);
        return -1;
    }
    bool rom;
    t->o_data = bus_host_ptr(&t->bus, DIFF_DATA_BASE, DIFF_DATA_SIZE, &rom);
    t->o_code = bus_host_ptr(&t->bus, DIFF_CODE_BASE, DIFF_CODE_SIZE, &rom);
    const struct cpu_model *m = cpu_model_find(t->opt.cpu);
    if (!m || !t->o_data || !t->o_code) {
        fprintf(stderr, "orrery-unicorn-diff: no CPU model %s\n", t->opt.cpu);
        return -1;
    }
    struct cpu_config cfg = { .bus = &t->bus, .ram_base = DIFF_DATA_BASE,
                              .ram_size = DIFF_DATA_SIZE };
    if (m->create(m, &cfg, &t->cpu, &err)) {
        fprintf(stderr, "orrery-unicorn-diff: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static void orr_load_state(struct tester *t, const struct arch_state *s)
{
    const struct cpu_ops *ops = t->cpu->ops;
    int rc = ops->reg_set(t->cpu, REG_CPSR, s->cpsr);
    for (unsigned k = 0; k < BK_COUNT; k++)
        rc |= ops->reg_set(t->cpu, orr_bank_index[k], s->bank[k]);
    for (unsigned i = 0; i < 15; i++)
        rc |= ops->reg_set(t->cpu, i, s->r[i]);
    ops->set_entry(t->cpu, s->r[15] | ((s->cpsr >> 5) & 1u));
    (void)rc;
}

static void orr_save_state(struct tester *t, struct arch_state *s)
{
    for (unsigned i = 0; i < 16; i++)
        s->r[i] = (uint32_t)t->cpu->ops->reg_get(t->cpu, i);
    s->cpsr = (uint32_t)t->cpu->ops->reg_get(t->cpu, REG_CPSR);
    for (unsigned k = 0; k < BK_COUNT; k++)
        s->bank[k] = (uint32_t)t->cpu->ops->reg_get(t->cpu, orr_bank_index[k]);
    s->banks_valid = true;
}

/* With VBAR = 0 and nothing mapped there, an exception entry leaves the pc
 * at its vector (B1.8.1); which vector tells the kind. */
static enum stop_kind orr_vector_kind(uint32_t pc)
{
    switch (pc) {
    case 0x04: return STOP_UNDEF;
    case 0x08: return STOP_SVC;
    case 0x0c: return STOP_PABT;
    case 0x10: return STOP_DABT;
    default: return STOP_OTHER;
    }
}

/* Runs the block; STOP_END when the pc reached `end` with no exception. */
static enum stop_kind orr_run_block(struct tester *t, uint32_t end, uint64_t budget,
                                    uint64_t *executed)
{
    struct cpu *cpu = t->cpu;
    static const uint32_t vectors[] = { 0x00, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c };
    cpu->nbreakpoints = 0;
    cpu->breakpoints[cpu->nbreakpoints++] = end;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++)
        cpu->breakpoints[cpu->nbreakpoints++] = vectors[i];
    struct cpu_run_result rr = cpu->ops->run(cpu, budget);
    cpu->nbreakpoints = 0;
    *executed = rr.executed;
    uint32_t pc = (uint32_t)cpu->ops->reg_get(cpu, 15);
    if (rr.reason == CPU_STOP_BREAKPOINT && pc == end)
        return STOP_END;
    if (rr.reason == CPU_STOP_BREAKPOINT)
        return orr_vector_kind(pc);
    return STOP_OTHER;
}

/* One instruction; the state before it is in *before. */
static enum stop_kind orr_step(struct tester *t)
{
    struct cpu_run_result rr = t->cpu->ops->run(t->cpu, 1);
    uint32_t pc = (uint32_t)t->cpu->ops->reg_get(t->cpu, 15);
    if (pc < 0x20)
        return orr_vector_kind(pc);
    return rr.executed == 1 ? STOP_END : STOP_OTHER;
}

/* ---- the block ---------------------------------------------------------- */

static void initial_state(const struct gen_block *b, struct arch_state *s)
{
    memcpy(s->r, b->regs, sizeof s->r);
    s->cpsr = b->cpsr;
    memcpy(s->bank, b->bank, sizeof s->bank);
    s->banks_valid = true;
    s->stop = STOP_END;
}

/* The block's data region contents: the random pool at the block's offset,
 * then the bytes the generator placed (jump tables). */
static void fill_data(const struct tester *t, uint8_t *buf)
{
    const struct gen_block *b = &t->block;
    memcpy(buf, t->pool + (b->data_seed % DIFF_DATA_SIZE), DIFF_DATA_SIZE);
    for (unsigned i = 0; i < b->npatch; i++)
        buf[b->patch[i].addr - DIFF_DATA_BASE] = b->patch[i].byte;
}

static void load_orrery_data(struct tester *t)
{
    fill_data(t, t->o_data);
    bus_notify_write(&t->bus, DIFF_DATA_BASE, DIFF_DATA_SIZE);
}

static void load_data(struct tester *t)
{
    fill_data(t, t->u_data);
    load_orrery_data(t);
}

static void fill_udf(uint8_t *p, size_t len, bool thumb)
{
    for (size_t i = 0; i + 1 < len; i += thumb ? 2 : 4) {
        if (thumb) {
            p[i] = 0x00;
            p[i + 1] = 0xde;            /* UDF #0 (T1, A8.8.247) */
        } else {
            uint32_t w = 0xe7f000f0u;   /* UDF #0 (A1) */
            memcpy(p + i, &w, 4);
        }
    }
}

/* Writes the block over the UDF-filled code region in both emulators. */
static void load_code(struct tester *t, bool thumb_changed)
{
    const struct gen_block *b = &t->block;
    uint8_t *img = t->code;
    uint32_t lo = t->code_dirty_lo, hi = t->code_dirty_hi;
    if (thumb_changed) {
        fill_udf(img, DIFF_CODE_SIZE, b->thumb);
        lo = DIFF_CODE_BASE;
        hi = DIFF_CODE_BASE + DIFF_CODE_SIZE;
    } else if (hi > lo) {
        fill_udf(img + (lo - DIFF_CODE_BASE), hi - lo, b->thumb);
    }
    for (unsigned i = 0; i < b->n; i++) {
        const struct gen_insn *in = &b->insn[i];
        uint8_t *p = img + (in->addr - DIFF_CODE_BASE);
        if (in->size == 0)
            continue;
        if (in->size == 2) {
            p[0] = (uint8_t)in->enc;
            p[1] = (uint8_t)(in->enc >> 8);
        } else if (b->thumb && !in->arm) {
            uint32_t hw1 = in->enc >> 16, hw2 = in->enc & 0xffffu;
            p[0] = (uint8_t)hw1; p[1] = (uint8_t)(hw1 >> 8);
            p[2] = (uint8_t)hw2; p[3] = (uint8_t)(hw2 >> 8);
        } else {
            memcpy(p, &in->enc, 4);
        }
    }
    if (lo > b->start || hi <= lo)
        lo = b->start;
    if (hi < b->end)
        hi = b->end;
    size_t off = lo - DIFF_CODE_BASE, len = hi - lo;
    if (bus_write_block(&t->bus, lo, img + off, len, false) != BUS_OK)
        fprintf(stderr, "orrery-unicorn-diff: code write failed\n");
    uc_mem_write(t->uc, lo, img + off, len);
    /* uc_mem_write alone does not always drop the old translations
     * (blocks chained to each other survive; see the errata). */
    uc_ctl_remove_cache(t->uc, lo, hi);
    t->code_dirty_lo = b->start;
    t->code_dirty_hi = b->end;
}

/* True when a store of the block wrote into the code region of either
 * emulator. */
static bool code_modified(const struct tester *t)
{
    return memcmp(t->o_code, t->code, DIFF_CODE_SIZE) != 0 ||
           memcmp(t->u_code, t->code, DIFF_CODE_SIZE) != 0;
}

/* Puts the block's code back after a store overwrote some of it. */
static void restore_code(struct tester *t)
{
    if (memcmp(t->o_code, t->code, DIFF_CODE_SIZE) != 0 &&
        bus_write_block(&t->bus, DIFF_CODE_BASE, t->code, DIFF_CODE_SIZE, false) != BUS_OK)
        fprintf(stderr, "orrery-unicorn-diff: code write failed\n");
    if (memcmp(t->u_code, t->code, DIFF_CODE_SIZE) != 0) {
        uc_mem_write(t->uc, DIFF_CODE_BASE, t->code, DIFF_CODE_SIZE);
        uc_ctl_remove_cache(t->uc, DIFF_CODE_BASE, DIFF_CODE_BASE + DIFF_CODE_SIZE);
    }
}

static const char *const bank_names[BK_COUNT] = {
    "sp_usr", "lr_usr", "r8_fiq", "r9_fiq", "r10_fiq", "r11_fiq", "r12_fiq", "sp_fiq", "lr_fiq",
    "sp_irq", "lr_irq", "sp_svc", "lr_svc", "sp_abt", "lr_abt", "sp_und", "lr_und",
    "r8_usr", "r9_usr", "r10_usr", "r11_usr", "r12_usr",
};

static void state_diff(FILE *f, const struct arch_state *o, const struct arch_state *u)
{
    for (unsigned i = 0; i < 16; i++)
        if (o->r[i] != u->r[i])
            fprintf(f, "    r%-2u orrery 0x%08x  unicorn 0x%08x\n", i, o->r[i], u->r[i]);
    for (unsigned i = 0; i < BK_COUNT && o->banks_valid && u->banks_valid; i++)
        if (o->bank[i] != u->bank[i])
            fprintf(f, "    %-8s orrery 0x%08x  unicorn 0x%08x\n", bank_names[i], o->bank[i],
                    u->bank[i]);
    if (o->cpsr != u->cpsr)
        fprintf(f, "    cpsr orrery 0x%08x  unicorn 0x%08x (diff 0x%08x)\n", o->cpsr, u->cpsr,
                o->cpsr ^ u->cpsr);
    if (o->stop != u->stop)
        fprintf(f, "    stop orrery %s  unicorn %s\n", stop_names[o->stop], stop_names[u->stop]);
}

/* Orrery's state before the instruction that stopped it, as Unicorn
 * reports the same stop: an SVC in its return state (the pc past it,
 * ITSTATE advanced, what the exception entry saves; QEMU raises SVC so);
 * at an unmapped access without the IT bits (Unicorn leaves them as they
 * were at the start of the translation block, and may have called the next
 * instruction's hook before it noticed the fault). */
static void stop_view(const struct tester *t, struct arch_state *o, struct arch_state *u)
{
    if (o->stop == STOP_SVC) {
        uint32_t c = o->cpsr;
        unsigned it = ((c >> 8) & 0xfcu) | ((c >> 25) & 3u);
        unsigned next = (it & 7u) == 0 ? 0 : (it & 0xe0u) | ((it << 1) & 0x1fu);
        o->cpsr = (c & ~0x0600fc00u) | ((uint32_t)(next & 0xfcu) << 8) | ((uint32_t)(next & 3u) << 25);
        o->r[15] += (c & 0x20u) ? 2u : 4u;
    }
    if (o->stop == STOP_DABT && u->stop == STOP_DABT && t->uc_unmapped) {
        o->cpsr &= ~0x0600fc00u;
        u->cpsr &= ~0x0600fc00u;
    }
}

static bool states_equal(const struct arch_state *o, const struct arch_state *u)
{
    return memcmp(o->r, u->r, sizeof o->r) == 0 && o->cpsr == u->cpsr && o->stop == u->stop &&
           (!o->banks_valid || !u->banks_valid || memcmp(o->bank, u->bank, sizeof o->bank) == 0);
}

static void print_state(FILE *f, const char *title, const struct arch_state *s)
{
    fprintf(f, "  %s:\n", title);
    for (unsigned i = 0; i < 16; i++)
        fprintf(f, "%s r%-2u=%08x%s", i % 4 == 0 ? "   " : "", i, s->r[i], i % 4 == 3 ? "\n" : "");
    fprintf(f, "    cpsr=%08x\n", s->cpsr);
}

static void disasm(struct tester *t, const struct gen_insn *in, bool thumb, char *buf, size_t n)
{
    uint8_t bytes[4];
    size_t len = in->size;
    if (in->size == 2) {
        bytes[0] = (uint8_t)in->enc; bytes[1] = (uint8_t)(in->enc >> 8);
    } else if (thumb && !in->arm) {
        bytes[0] = (uint8_t)(in->enc >> 16); bytes[1] = (uint8_t)(in->enc >> 24);
        bytes[2] = (uint8_t)in->enc; bytes[3] = (uint8_t)(in->enc >> 8);
    } else {
        memcpy(bytes, &in->enc, 4);
    }
    cs_insn *ci;
    size_t k = cs_disasm(thumb && !in->arm ? t->cs_thumb : t->cs_arm, bytes, len, in->addr, 1, &ci);
    if (k == 1) {
        snprintf(buf, n, "%s %s", ci->mnemonic, ci->op_str);
        cs_free(ci, k);
    } else {
        snprintf(buf, n, "(capstone: no decoding)");
    }
}

static const char *insn_name(const struct tester *t, const struct gen_insn *in, bool thumb)
{
    size_t count;
    const struct gen_template *tp = gen_templates(thumb, &count);
    return in->tmpl >= 0 ? tp[in->tmpl].name : "setup";
}

static void print_block(struct tester *t, FILE *f, int mark)
{
    const struct gen_block *b = &t->block;
    for (unsigned i = 0; i < b->n; i++) {
        char text[192];
        const struct gen_insn *in = &b->insn[i];
        if (!in->size)
            continue;
        disasm(t, in, b->thumb, text, sizeof text);
        fprintf(f, "  %s %08x: %0*x  %-32s [%s]\n", (int)i == mark ? "=>" : "  ", in->addr,
                in->size == 2 ? 4 : 8, in->enc, text, insn_name(t, in, b->thumb));
    }
}

static int find_insn(const struct gen_block *b, uint32_t pc)
{
    for (unsigned i = 0; i < b->n; i++)
        if (b->insn[i].addr == pc && b->insn[i].size)
            return (int)i;
    return -1;
}

static long mem_diff(const uint8_t *a, const uint8_t *b)
{
    if (memcmp(a, b, DIFF_DATA_SIZE) == 0)
        return -1;
    for (long i = 0; i < (long)DIFF_DATA_SIZE; i++)
        if (a[i] != b[i])
            return i;
    return -1;
}

/* First differing byte of the two data regions, or -1. */
static long data_diff(const struct tester *t)
{
    return mem_diff(t->o_data, t->u_data);
}

/* Both stopped with the same exception: Orrery alone is stepped again to
 * the instruction that raised it; the state before it must be Unicorn's
 * state at its stop, and the data regions equal. */
static bool same_stop(struct tester *t, const struct arch_state *u_final)
{
    const struct gen_block *b = &t->block;
    struct arch_state init, before;
    initial_state(b, &init);
    restore_code(t);
    load_orrery_data(t);
    orr_load_state(t, &init);
    for (unsigned step = 0; step < 4 * b->n + 16; step++) {
        orr_save_state(t, &before);
        enum stop_kind k = orr_step(t);
        if (k == STOP_END)
            continue;
        before.stop = k;
        struct arch_state u = *u_final;
        stop_view(t, &before, &u);
        if (states_equal(&before, &u) && data_diff(t) < 0) {
            t->st.stops_agreed[k]++;
            return true;
        }
        if (k == STOP_DABT && (before.cpsr & 0x0600fc00u) && t->uc_unmapped_seen) {
            t->st.late_faults++;   /* as in narrow: Unicorn's report is late */
            return true;
        }
        return false;
    }
    return false;
}

/* A hash of the data region (64-bit words, multiply and rotate). */
static uint64_t data_hash(const uint8_t *p)
{
    uint64_t h = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < DIFF_DATA_SIZE; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h = h << 29 | h >> 35;
    }
    return h;
}

/* Unicorn's trace of a block: the state before each instruction and the
 * data region then, recorded by a code hook that exists only while a
 * divergence is narrowed (Unicorn decides at translation time whether an
 * instruction calls hooks or stops at an address, so it cannot be stepped
 * cheaply through code it has already translated). QEMU writes the IT
 * bits back to the CPSR only at the end of a translation block, so they
 * are not compared in the trace, only in the final state. */
static void uc_on_code(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    struct tester *t = user;
    struct trace *tr = &t->trace;
    if (tr->n >= tr->cap)
        return;
    uc_save_state(t, &tr->s[tr->n], false);
    tr->s[tr->n].stop = STOP_END;
    tr->hash[tr->n] = tr->hashing ? data_hash(t->u_data) : 0;
    if ((int)tr->n == tr->snap_at)
        memcpy(tr->snap, t->u_data, DIFF_DATA_SIZE);
    tr->n++;
}

static bool trace_equal(const struct arch_state *o, const struct arch_state *u)
{
    return memcmp(o->r, u->r, sizeof o->r) == 0 &&
           ((o->cpsr ^ u->cpsr) & ~0x0600fc00u) == 0;
}

static int32_t sext16(uint32_t v)
{
    return (int32_t)(int16_t)(uint16_t)v;
}

/* Unicorn errata that depend on operand values and so cannot be avoided by
 * not generating an encoding; recognised only on the exact operands and
 * the exact difference (docs/testing.md, errata list):
 * E4: SMLAD/SMLADX whose two products are both 0x8000 * 0x8000 (sum 2^31)
 * with an accumulator that brings the sum back into range: QEMU 5 sets Q
 * on the intermediate sum; A8.8.177 sets Q only when the final result
 * overflows. Returns the erratum number, or 0. */
static int known_erratum(const struct tester *t, const struct arch_state *before,
                         const struct arch_state *o, const struct arch_state *u)
{
    const struct gen_block *b = &t->block;
    int idx = find_insn(b, before->r[15]);
    if (idx < 0)
        return 0;
    uint32_t i = b->insn[idx].enc;
    unsigned n, m, a;
    bool x;
    if (!b->thumb && (i & 0x0ff000d0u) == 0x07000010u) {
        n = i & 15u; m = (i >> 8) & 15u; a = (i >> 12) & 15u; x = (i >> 5) & 1u;
    } else if (b->thumb && b->insn[idx].size == 4 && (i & 0xfff000e0u) == 0xfb200000u) {
        n = (i >> 16) & 15u; m = i & 15u; a = (i >> 12) & 15u; x = (i >> 4) & 1u;
    } else {
        return 0;
    }
    if (a == 15)
        return 0;   /* SMUAD: the same result in both */
    uint32_t rn = before->r[n], rm = before->r[m];
    if (x)
        rm = rm >> 16 | rm << 16;
    int64_t p1 = (int64_t)sext16(rn) * sext16(rm), p2 = (int64_t)sext16(rn >> 16) * sext16(rm >> 16);
    if (p1 + p2 != 0x80000000ll)
        return 0;
    if (memcmp(o->r, u->r, sizeof o->r) != 0 || (o->cpsr ^ u->cpsr) != PSR_Q_BIT ||
        (o->cpsr & PSR_Q_BIT))
        return 0;
    return 4;
}

static void report_divergence(struct tester *t, uint64_t blockno, const char *why,
                              const struct arch_state *before, const struct arch_state *o,
                              const struct arch_state *u, const uint8_t *u_mem)
{
    const struct gen_block *b = &t->block;
    if (t->smc_block) {
        t->st.smc_discarded++;
        if (t->opt.verbose)
            printf("block %" PRIu64 ": stored into its code; results differ; not compared\n",
                   blockno);
        return;
    }
    int erratum = known_erratum(t, before, o, u);
    if (erratum && mem_diff(t->o_data, u_mem) < 0) {
        t->st.errata_seen[erratum]++;
        return;
    }
    int idx = find_insn(b, before->r[15]);
    const struct gen_insn *in = idx >= 0 ? &b->insn[idx] : NULL;
    int which = b->thumb ? 1 : 0;
    t->st.divergences[which]++;
    if (in && in->tmpl >= 0)
        t->st.div_template[which][in->tmpl]++;
    if (t->st.reported++ >= t->opt.max_reports)
        return;
    char text[192] = "?";
    if (in)
        disasm(t, in, b->thumb, text, sizeof text);
    printf("DIVERGENCE (%s) %s block %" PRIu64 ": %08x: %0*x  %s [%s]\n", why,
           b->thumb ? "T32" : "A32", blockno, before->r[15], in && in->size == 2 ? 4 : 8,
           in ? in->enc : 0, text, in ? insn_name(t, in, b->thumb) : "?");
    print_state(stdout, "state before", before);
    state_diff(stdout, o, u);
    long dd = mem_diff(t->o_data, u_mem);
    if (dd >= 0)
        printf("    data[0x%08lx] orrery %02x  unicorn %02x\n",
               (unsigned long)(DIFF_DATA_BASE + dd), t->o_data[dd], u_mem[dd]);
    if (t->opt.verbose) {
        struct arch_state init;
        initial_state(b, &init);
        print_state(stdout, "block's initial state", &init);
        print_block(t, stdout, idx);
    }
    printf("  reproduce: --%s 1 --first %" PRIu64 " --seed %" PRIu64 " --block %u%s%s --verbose\n",
           b->thumb ? "t32" : "a32", blockno, t->opt.seed, t->opt.block,
           t->gen.only ? " --only " : "", t->gen.only ? t->gen.only : "");
}

/* Finds the first instruction after which the two emulators differ: Unicorn
 * runs the block once more with its trace, Orrery is stepped alongside.
 * Returns true when a divergence was found and reported. */
/* Runs the block on Unicorn from its initial state with the trace hook;
 * snap_at selects the step whose data region is kept. uf gets the final
 * state, tr->final_mem the final data region. */
static void uc_trace_block(struct tester *t, int snap_at, struct arch_state *uf)
{
    const struct gen_block *b = &t->block;
    struct trace *tr = &t->trace;
    struct arch_state init;
    initial_state(b, &init);
    restore_code(t);
    fill_data(t, t->u_data);   /* Unicorn's only: Orrery's may be under comparison */
    uc_load_state(t, &init);
    tr->n = 0;
    tr->snap_at = snap_at;
    uc_hook h;
    uf->stop = STOP_OTHER;
    if (uc_hook_add(t->uc, &h, UC_HOOK_CODE, (void *)uc_on_code, t, DIFF_CODE_BASE,
                    DIFF_CODE_BASE + DIFF_CODE_SIZE - 1) != UC_ERR_OK)
        return;
    uc_ctl_remove_cache(t->uc, b->start, b->end);
    uf->stop = uc_run(t, b->end, 0);
    enum stop_kind k = uf->stop;
    uc_save_state(t, uf, true);
    uf->stop = k;
    uc_hook_del(t->uc, h);
    uc_ctl_remove_cache(t->uc, b->start, b->end);
    memcpy(tr->final_mem, t->u_data, DIFF_DATA_SIZE);
}

/* The data region Unicorn had before step j (traced again to keep it). */
static const uint8_t *uc_data_at(struct tester *t, unsigned j)
{
    struct trace *tr = &t->trace;
    if (j >= tr->n)
        return tr->final_mem;
    struct arch_state uf;
    uc_trace_block(t, (int)j, &uf);
    return tr->snap;
}

/* The first pass compares registers at every step and the memory at the
 * end; only a difference in memory alone needs the second pass, which
 * hashes the data region at every step to find the store. */
static bool narrow_pass(struct tester *t, uint64_t blockno, const char *why, bool hashing);

static bool narrow(struct tester *t, uint64_t blockno, const char *why)
{
    return narrow_pass(t, blockno, why, false);
}

static bool mem_step_differs(struct tester *t, unsigned k)
{
    return t->trace.hashing && data_hash(t->o_data) != t->trace.hash[k];
}

static bool narrow_pass(struct tester *t, uint64_t blockno, const char *why, bool hashing)
{
    const struct gen_block *b = &t->block;
    struct trace *tr = &t->trace;
    struct arch_state init, uf, prev, o;
    initial_state(b, &init);
    t->st.narrowed++;
    tr->hashing = hashing;
    uc_trace_block(t, -1, &uf);

    restore_code(t);
    load_orrery_data(t);
    orr_load_state(t, &init);
    prev = init;
    /* j counts Orrery's steps, k the trace's entries: Unicorn calls no hook
     * for an instruction of an IT block whose condition fails, so such an
     * Orrery step has no entry; it must then change nothing but the pc and
     * the IT bits. */
    unsigned k = 0;
    for (unsigned j = 0; j < tr->cap; j++) {
        orr_save_state(t, &o);
        o.stop = STOP_END;
        bool skipped_slot = false;
        if (k < tr->n) {
            if (o.r[15] != tr->s[k].r[15] && (o.cpsr & 0x0600fc00u) && o.r[15] < tr->s[k].r[15]) {
                skipped_slot = true;
            } else if (!trace_equal(&o, &tr->s[k]) || mem_step_differs(t, k)) {
                if (j == 0)
                    break;
                struct arch_state u = tr->s[k];
                report_divergence(t, blockno, why, &prev, &o, &u, uc_data_at(t, k));
                return true;
            } else {
                k++;
            }
        } else if (uf.stop != STOP_END && j > 0) {
            /* Unicorn stopped at the previous instruction, Orrery did not. */
            report_divergence(t, blockno, why, &prev, &o, &uf, tr->final_mem);
            return true;
        } else if (uf.stop == STOP_END || o.r[15] == b->end) {
            /* Unicorn ran to the end after k instructions. */
            if (states_equal(&o, &uf) && mem_diff(t->o_data, tr->final_mem) < 0)
                return false;
            if (!hashing && states_equal(&o, &uf))
                return narrow_pass(t, blockno, why, true);
            report_divergence(t, blockno, why, &prev, &o, &uf, tr->final_mem);
            return true;
        }
        if (o.r[15] == b->end)
            break;
        enum stop_kind sk = orr_step(t);
        if (sk != STOP_END) {
            /* Orrery stopped at this instruction: Unicorn must have
             * stopped there too, in the same state. */
            struct arch_state stopped = o, ufv = uf;
            stopped.stop = sk;
            stop_view(t, &stopped, &ufv);
            bool late = t->uc_unmapped && k + 1 == tr->n;
            if (!skipped_slot && (k == tr->n || late) && states_equal(&stopped, &ufv)) {
                if (mem_diff(t->o_data, tr->final_mem) < 0) {
                    t->st.stops_agreed[sk]++;
                    return false;
                }
                if (!hashing)
                    return narrow_pass(t, blockno, why, true);
            }
            if (sk == STOP_DABT && t->uc_unmapped_seen && (o.cpsr & 0x0600fc00u)) {
                /* Inside an IT block Unicorn reports an unmapped access
                 * late (after running on in its translation block) or,
                 * when a later exception comes first, not at all: its
                 * state is not the faulting instruction's. Counted, not
                 * compared (docs/testing.md). */
                t->st.late_faults++;
                return false;
            }
            struct arch_state u = k < tr->n && !late ? tr->s[k] : ufv;
            report_divergence(t, blockno, why, &o, &stopped, &u, uc_data_at(t, k));
            return true;
        }
        if (skipped_slot) {
            struct arch_state after;
            orr_save_state(t, &after);
            after.stop = STOP_END;
            after.r[15] = o.r[15];
            after.cpsr = (after.cpsr & ~0x0600fc00u) | (o.cpsr & 0x0600fc00u);
            if (!states_equal(&after, &o) || mem_step_differs(t, k)) {
                /* Orrery executed what Unicorn skipped. */
                struct arch_state now, u = tr->s[k];
                orr_save_state(t, &now);
                now.stop = STOP_END;
                report_divergence(t, blockno, why, &o, &now, &u, uc_data_at(t, k));
                return true;
            }
        }
        prev = o;
    }
    /* The whole-block results differ but no single step does. */
    if (t->smc_block) {
        t->st.smc_discarded++;
        return true;
    }
    int which = b->thumb ? 1 : 0;
    t->st.divergences[which]++;
    if (t->st.reported++ < t->opt.max_reports) {
        printf("DIVERGENCE (%s) %s block %" PRIu64 ": the block results differ but the "
               "instruction-by-instruction comparison found no difference\n", why,
               b->thumb ? "T32" : "A32", blockno);
        print_block(t, stdout, -1);
    }
    return true;
}

static uint64_t block_seed(uint64_t seed, bool thumb, uint64_t blockno)
{
    struct diff_rng r = { seed ^ (thumb ? 0x5432100000000000ull : 0) ^ (blockno * 0x9e3779b97f4a7c15ull) };
    return rng_next(&r);
}

static void run_stream(struct tester *t, bool thumb, uint64_t insns)
{
    int which = thumb ? 1 : 0;
    bool first = true;
    t->gen.b = &t->block;
    t->gen.only = t->opt.only_stream[which] ? t->opt.only_stream[which] : t->opt.only;
    t->gen.filtered = t->st.filtered;
    uint64_t done = 0;
    for (uint64_t blockno = t->opt.first; done < insns; blockno++) {
        if (t->st.divergences[which] >= t->opt.max_divergences) {
            printf("%s: stopped after %" PRIu64 " divergences (--max-divergences)\n",
                   thumb ? "T32" : "A32", t->st.divergences[which]);
            break;
        }
        struct gen_block *b = &t->block;
        /* Every block has the full size, so --first B reproduces block B
         * whatever the count asked for. */
        unsigned k = t->opt.block;
        gen_block(&t->gen, thumb, k, block_seed(t->opt.seed, thumb, blockno));
        for (unsigned i = 0; i < b->n; i++)
            if (b->insn[i].tmpl >= 0)
                t->st.per_template[which][b->insn[i].tmpl]++;
        load_code(t, first);
        first = false;
        if (t->opt.verbose && insns <= 4096) {
            printf("block %" PRIu64 " (%s, mode %02x, cpsr %08x)\n", blockno,
                   thumb ? "T32" : "A32", b->mode, b->cpsr);
            print_block(t, stdout, -1);
        }
        struct arch_state init, o, u;
        initial_state(b, &init);
        load_data(t);
        if (t->opt.unicorn_only) {
            uc_load_state(t, &init);
            enum stop_kind sk = uc_run(t, b->end, 0);
            t->st.blocks[which]++;
            t->st.uc_stops[which][sk]++;
            done += b->n;
            if (sk != STOP_END) {
                /* Once more with the trace: its last entry is the
                 * instruction that stopped Unicorn. */
                uint32_t pc;
                uc_hook h;
                load_data(t);
                uc_load_state(t, &init);
                t->trace.n = 0;
                if (uc_hook_add(t->uc, &h, UC_HOOK_CODE, (void *)uc_on_code, t, DIFF_CODE_BASE,
                                DIFF_CODE_BASE + DIFF_CODE_SIZE - 1) == UC_ERR_OK) {
                    uc_ctl_remove_cache(t->uc, b->start, b->end);
                    uc_run(t, b->end, 0);
                    uc_hook_del(t->uc, h);
                    uc_ctl_remove_cache(t->uc, b->start, b->end);
                }
                pc = t->trace.n ? t->trace.s[t->trace.n - 1].r[15] : 0;
                int idx = find_insn(b, pc);
                if (idx >= 0 && b->insn[idx].tmpl >= 0)
                    t->st.div_template[which][b->insn[idx].tmpl]++;
                if (t->opt.verbose && t->trace.n)
                    print_state(stdout, "unicorn before the stop", &t->trace.s[t->trace.n - 1]);
                if (t->opt.verbose && idx >= 0) {
                    char text[192];
                    disasm(t, &b->insn[idx], b->thumb, text, sizeof text);
                    printf("block %" PRIu64 ": %s at %08x: %s [%s]\n", blockno, stop_names[sk], pc,
                           text, insn_name(t, &b->insn[idx], b->thumb));
                }
            }
            if (code_modified(t))
                restore_code(t);
            continue;
        }
        orr_load_state(t, &init);
        uc_load_state(t, &init);
        uint64_t executed = 0;
        o.stop = orr_run_block(t, b->end, 4ull * b->n + 16, &executed);
        orr_save_state(t, &o);
        u.stop = uc_run(t, b->end, 0);
        uc_save_state(t, &u, true);

        t->st.blocks[which]++;
        t->st.uc_stops[which][u.stop]++;
        t->st.insns[which] += executed;
        /* Progress counts what Orrery executed (setup code included; a
         * block cut short by an exception counts what ran). */
        done += executed ? executed : 1;
        bool smc = code_modified(t);
        bool same_code = memcmp(t->o_code, t->u_code, DIFF_CODE_SIZE) == 0;
        if (o.stop == STOP_END && u.stop == STOP_END && states_equal(&o, &u) &&
            data_diff(t) < 0 && same_code) {
            if (smc)
                restore_code(t);
            continue;
        }
        /* Both stopped the same way: Orrery's state before the instruction
         * must be Unicorn's at its stop (same_stop puts the code back). */
        if (o.stop != STOP_END && same_stop(t, &u))
            continue;
        /* A store wrote into the code region: ARM ARM A3.5.4 and B2.2.5 leave
         * it UNPREDICTABLE whether later fetches of the written locations see
         * the new or the old instruction without cache maintenance and an
         * ISB. Such a block is still narrowed (the whole-block results of a
         * stop are not exact), but a difference found is counted apart. */
        t->smc_block = smc && !t->opt.compare_smc;
        if (o.stop == STOP_END && u.stop == STOP_END)
            narrow(t, blockno, "block result");
        else
            narrow(t, blockno, o.stop == u.stop ? "both stopped" : "stop");
        if (smc)
            restore_code(t);
        t->smc_block = false;
    }
}

/* ---- main -------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: orrery-unicorn-diff [--a32 N] [--t32 N] [--seed S] [--block K]\n"
            "                           [--only LIST] [--only-a32 LIST] [--only-t32 LIST]\n"
            "                           [--cpu cortex-a15|cortex-a7]\n"
            "                           [--first B] [--max-reports N] [--max-divergences N]\n"
            "                           [--verbose] [--list]\n"
            "                           [--unicorn-only] [--compare-smc]\n"
            "Runs about N random A32 and N random T32 instructions on Orrery and Unicorn\n"
            "and compares them (docs/testing.md).\n");
}

static bool parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!s || !*s)
        return false;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end)
        return false;
    *out = v;
    return true;
}

static void list_templates(void)
{
    for (int thumb = 0; thumb < 2; thumb++) {
        size_t count;
        const struct gen_template *tp = gen_templates(thumb, &count);
        for (size_t i = 0; i < count; i++)
            printf("%s %-10s %-18s weight %u\n", thumb ? "T32" : "A32", tp[i].cls, tp[i].name,
                   tp[i].weight);
    }
    for (int i = 1; i < F_COUNT; i++)
        printf("filter %-18s %s: %s\n", diff_filter_reasons[i].name,
               diff_filter_reasons[i].section, diff_filter_reasons[i].why);
}

static void report(struct tester *t, double seconds)
{
    const char *names[2] = { "A32", "T32" };
    uint64_t total = t->st.insns[0] + t->st.insns[1];
    printf("\n== orrery-unicorn-diff: seed %" PRIu64 ", block %u, cpu %s\n", t->opt.seed,
           t->opt.block, t->opt.cpu);
    for (int w = 0; w < 2; w++) {
        if (!t->st.blocks[w])
            continue;
        printf("%s: %" PRIu64 " blocks, %" PRIu64 " instructions executed, %" PRIu64
               " divergences\n", names[w], t->st.blocks[w], t->st.insns[w], t->st.divergences[w]);
        printf("  blocks ending in Unicorn:");
        for (int k = 0; k < STOP_COUNT; k++)
            if (t->st.uc_stops[w][k])
                printf(" %s %" PRIu64 ";", stop_names[k], t->st.uc_stops[w][k]);
        printf("\n");
        size_t count;
        const struct gen_template *tp = gen_templates(w == 1, &count);
        for (size_t i = 0; i < count; i++)
            if (t->st.per_template[w][i])
                printf("  %-10s %-18s %10" PRIu64 " generated %8" PRIu64 " divergent blocks\n",
                       tp[i].cls, tp[i].name, t->st.per_template[w][i], t->st.div_template[w][i]);
    }
    printf("stops that agreed (both emulators, same instruction, same state):\n");
    for (int k = 1; k < STOP_COUNT; k++)
        if (t->st.stops_agreed[k])
            printf("  %-22s %" PRIu64 "\n", stop_names[k], t->st.stops_agreed[k]);
    for (int k = 0; k < 8; k++)
        if (t->st.errata_seen[k])
            printf("differences recognised as Unicorn erratum E%d (not counted): %" PRIu64 "\n", k,
                   t->st.errata_seen[k]);
    if (t->st.late_faults)
        printf("data aborts in IT blocks not compared (Unicorn reports them late): %" PRIu64 "\n",
               t->st.late_faults);
    if (t->st.smc_discarded)
        printf("blocks not compared (a store wrote into the code, with different results): %" PRIu64 "\n",
               t->st.smc_discarded);
    printf("encodings not generated (UNPREDICTABLE filter and policy):\n");
    for (int i = 1; i < F_COUNT; i++)
        if (t->st.filtered[i])
            printf("  %-18s %10" PRIu64 "  %s\n", diff_filter_reasons[i].name, t->st.filtered[i],
                   diff_filter_reasons[i].section);
    printf("time %.2f s, %.2f s per million instructions, %" PRIu64 " blocks traced\n", seconds,
           total ? seconds * 1e6 / (double)total : 0.0, t->st.narrowed);
    printf("RESULT: %" PRIu64 " instructions, %" PRIu64 " divergences\n", total,
           t->st.divergences[0] + t->st.divergences[1]);
}

int main(int argc, char **argv)
{
    struct tester *t = calloc(1, sizeof *t);
    if (!t)
        return 2;
    t->opt = (struct options){ .seed = 1, .block = 32, .cpu = "cortex-a15", .max_reports = 20,
                             .max_divergences = UINT64_MAX };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (strcmp(a, "--a32") == 0 && parse_u64(v, &t->opt.a32)) {
            i++;
        } else if (strcmp(a, "--t32") == 0 && parse_u64(v, &t->opt.t32)) {
            i++;
        } else if (strcmp(a, "--seed") == 0 && parse_u64(v, &t->opt.seed)) {
            i++;
        } else if (strcmp(a, "--first") == 0 && parse_u64(v, &t->opt.first)) {
            i++;
        } else if (strcmp(a, "--block") == 0 && parse_u64(v, &n) && n >= 1 && n <= DIFF_MAX_BLOCK) {
            t->opt.block = (unsigned)n;
            i++;
        } else if (strcmp(a, "--max-divergences") == 0 && parse_u64(v, &t->opt.max_divergences)) {
            i++;
        } else if (strcmp(a, "--max-reports") == 0 && parse_u64(v, &n)) {
            t->opt.max_reports = (unsigned)n;
            i++;
        } else if (strcmp(a, "--only") == 0 && v) {
            t->opt.only = v;
            i++;
        } else if (strcmp(a, "--only-a32") == 0 && v) {
            t->opt.only_stream[0] = v;
            i++;
        } else if (strcmp(a, "--only-t32") == 0 && v) {
            t->opt.only_stream[1] = v;
            i++;
        } else if (strcmp(a, "--cpu") == 0 && v &&
                   (strcmp(v, "cortex-a15") == 0 || strcmp(v, "cortex-a7") == 0)) {
            t->opt.cpu = v;
            i++;
        } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
            t->opt.verbose = true;
        } else if (strcmp(a, "--compare-smc") == 0) {
            t->opt.compare_smc = true;
        } else if (strcmp(a, "--unicorn-only") == 0) {
            t->opt.unicorn_only = true;
        } else if (strcmp(a, "--list") == 0) {
            list_templates();
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    t->u_data = aligned_alloc(4096, DIFF_DATA_SIZE);
    t->u_code = aligned_alloc(4096, DIFF_CODE_SIZE);
    t->pool = malloc(2 * DIFF_DATA_SIZE);
    t->code = malloc(DIFF_CODE_SIZE);
    size_t count;
    for (int w = 0; w < 2; w++) {
        gen_templates(w == 1, &count);
        t->st.per_template[w] = calloc(count, sizeof(uint64_t));
        t->st.div_template[w] = calloc(count, sizeof(uint64_t));
    }
    t->trace.cap = 2 * DIFF_MAX_INSNS;
    t->trace.s = calloc(t->trace.cap, sizeof *t->trace.s);
    t->trace.hash = calloc(t->trace.cap, sizeof *t->trace.hash);
    t->trace.snap = malloc(DIFF_DATA_SIZE);
    t->trace.final_mem = malloc(DIFF_DATA_SIZE);
    if (!t->trace.s || !t->trace.hash || !t->trace.snap || !t->trace.final_mem)
        return 2;
    if (!t->u_data || !t->u_code || !t->pool || !t->code || !t->st.per_template[1] || !t->st.div_template[1])
        return 2;
    struct diff_rng r = { t->opt.seed * 0x2545f4914f6cdd1dull + 7 };
    for (size_t i = 0; i < 2 * DIFF_DATA_SIZE; i += 8) {
        uint64_t v = rng_next(&r);
        memcpy(t->pool + i, &v, 8);
    }
    if (cs_open(CS_ARCH_ARM, CS_MODE_ARM, &t->cs_arm) != CS_ERR_OK ||
        cs_open(CS_ARCH_ARM, CS_MODE_THUMB, &t->cs_thumb) != CS_ERR_OK)
        return 2;
    if (orr_setup(t) || uc_setup(t))
        return 2;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (t->opt.a32)
        run_stream(t, false, t->opt.a32);
    if (t->opt.t32)
        run_stream(t, true, t->opt.t32);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    report(t, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    t->cpu->ops->destroy(t->cpu);
    bus_destroy(&t->bus);
    uc_close(t->uc);
    cs_close(&t->cs_arm);
    cs_close(&t->cs_thumb);
    for (int w = 0; w < 2; w++) {
        free(t->st.per_template[w]);
        free(t->st.div_template[w]);
    }
    free(t->u_data);
    free(t->u_code);
    free(t->pool);
    free(t->code);
    free(t->trace.s);
    free(t->trace.hash);
    free(t->trace.snap);
    free(t->trace.final_mem);
    int status = t->st.divergences[0] + t->st.divergences[1] ? 1 : 0;
    free(t);
    return status;
}
