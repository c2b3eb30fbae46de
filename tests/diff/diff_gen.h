/* The random instruction generator of the differential tester (A32 and
 * T32 streams): a weighted table of encoding templates per instruction set,
 * each a bit picture with random fields, register fields biased toward
 * registers that hold pointers into the data region or small values, and a
 * predicate naming the UNPREDICTABLE encodings it must not produce.
 * References: ARM ARM v7-A/R (DDI 0406C). */
#ifndef ORRERY_TESTS_DIFF_GEN_H
#define ORRERY_TESTS_DIFF_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The guest memory map both emulators share. Nothing is mapped at 0, so an
 * exception entry (VBAR = 0) stops the run. The code region is filled with
 * UDF around the block, so a stray jump ends in the same undefined
 * instruction in both. */
#define DIFF_CODE_BASE 0x00010000u
#define DIFF_CODE_SIZE 0x00010000u
#define DIFF_DATA_BASE 0x00100000u
#define DIFF_DATA_SIZE 0x00008000u
/* Pointers the generator hands out lie in the middle of the data region, so
 * an immediate offset of up to 4095 and a few writebacks stay inside. */
#define DIFF_PTR_LO (DIFF_DATA_BASE + 0x1800u)
#define DIFF_PTR_HI (DIFF_DATA_BASE + DIFF_DATA_SIZE - 0x1800u)

#define DIFF_MAX_BLOCK 1024   /* instructions per block, before setup code */
#define DIFF_MAX_INSNS (DIFF_MAX_BLOCK * 4 + 16)

/* splitmix64: small, fast, and the same sequence on every host. */
struct diff_rng {
    uint64_t s;
};

static inline uint64_t rng_next(struct diff_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint32_t rng_u32(struct diff_rng *r) { return (uint32_t)(rng_next(r) >> 32); }
static inline uint32_t rng_below(struct diff_rng *r, uint32_t n)
{
    return n ? (uint32_t)(((rng_next(r) >> 32) * n) >> 32) : 0;
}
static inline bool rng_pct(struct diff_rng *r, unsigned percent) { return rng_below(r, 100) < percent; }

/* What the generator believes a register holds at this point of the block. */
/* RK_APTR: a pointer known to be word-aligned (what LDM/STM/LDRD/STRD
 * need: see the Unicorn errata in docs/testing.md). */
enum reg_kind { RK_OTHER, RK_PTR, RK_SMALL, RK_APTR };

/* The banked registers of the compared state besides the current ones:
 * User r8-r14 (what LDM/STM ^ reach), FIQ r8-r14, and r13/r14 of IRQ, SVC,
 * ABT and UND (reached by MSR mode changes). */
enum diff_bank {
    BK_USR_R13, BK_USR_R14, BK_FIQ_R8, BK_FIQ_R14 = BK_FIQ_R8 + 6,
    BK_IRQ_R13, BK_IRQ_R14, BK_SVC_R13, BK_SVC_R14, BK_ABT_R13, BK_ABT_R14,
    BK_UND_R13, BK_UND_R14, BK_USR_R8, BK_COUNT = BK_USR_R8 + 5,
};

/* Reasons an encoding was not generated: the UNPREDICTABLE filter (ARM ARM
 * rules) and the generator's own policy (control flow that would leave the
 * block, or instructions that stop the emulation loop). The table with the
 * sections is diff_filter_reasons[] in diff_gen.c. */
enum filter_reason {
    F_NONE = 0,
    F_PC_DEST,        /* Rd/Rt = 15 in an instruction where the page calls it UNPREDICTABLE */
    F_PC_OPERAND,     /* Rn/Rm/Rs/Ra = 15 where UNPREDICTABLE */
    F_SP_T32,         /* T32: r13 (or a register pair) the page forbids (UNPREDICTABLE) */
    F_WB_BASE_IS_RT,  /* writeback with Rn = Rt (or Rt2) */
    F_WB_BASE_PC,     /* writeback with Rn = 15 */
    F_LDRD_REGS,      /* LDRD/STRD: odd Rt, Rt = 14, Rm = Rt/Rt2 */
    F_LDM_WB_IN_LIST, /* LDM with writeback and Rn in the list; STM wb, Rn in list not lowest */
    F_LDM_LIST,       /* empty list, single register in T32 forms, PC/SP rules of T32 lists */
    F_LDM_USER,       /* LDM/STM (user registers) in USR/SYS mode, or with writeback */
    F_MUL_REGS,       /* RdHi = RdLo in long multiplies */
    F_STREX_STATUS,   /* STREX status register = Rt, Rt2 or Rn */
    F_EXCL_REGS,      /* exclusives: odd/14 Rt for the doubleword forms */
    F_BITFIELD,       /* msb < lsb (BFI/BFC), lsb + width > 32 (SBFX/UBFX) */
    F_SBZ_SBO,        /* (0)/(1) bits not as the encoding diagram shows them */
    F_IT_RULES,       /* IT: firstcond = 1111, AL with a non-trivial mask, branches inside */
    F_MSR_MASK,       /* MSR with mask = 0 */
    F_PC_WRITE,       /* policy: writes r15 with an uncontrolled target */
    F_HINT_STOP,      /* policy: WFI/WFE/YIELD/SEV/BKPT/SVC/SMC/HVC/CPS/SRS/RFE (stop or trap) */
    F_SWP,            /* policy: SWP/SWPB (A15: UNDEFINED unless SCTLR.SW) */
    F_CODE_STORE,     /* policy: PC-relative stores (they write into the code) */
    F_UNICORN,        /* Unicorn errata (see the errata list) */
    F_COUNT
};

struct filter_reason_desc {
    const char *name;
    const char *section;   /* ARM ARM v7-A/R section */
    const char *why;
};

extern const struct filter_reason_desc diff_filter_reasons[F_COUNT];

/* One generated instruction. */
struct gen_insn {
    uint32_t enc;        /* A32 word; T32 16-bit halfword, or hw1 << 16 | hw2 */
    uint8_t size;        /* 2 or 4 bytes */
    int16_t tmpl;        /* template index, -1 for setup code */
    /* Forward branch fixup: the branch targets instruction index target
     * (or the end of the block); fixup is the template's encoder. */
    int16_t target;
    uint8_t fixup;       /* enum branch_kind, 0 = none */
    uint8_t min_ahead;   /* the nearest allowed target (1: the next instruction) */
    /* Not a branch target: the instruction relies on the ones just before
     * it (its setup code, the LDREX of a STREX, the IT of an IT block). */
    uint8_t no_target;
    uint8_t arm;         /* an A32 word inside a T32 block (interworking pad) */
    uint32_t addr;
    uint32_t aux;        /* TBB/TBH: the address of the table entry used */
};

enum branch_kind {
    BR_NONE, BR_A32_B, BR_A32_BL, BR_A32_ADR, BR_T16_B_COND, BR_T16_B, BR_T32_B_COND, BR_T32_B,
    BR_T32_BL, BR_T16_CBZ, BR_T32_ADR, BR_TBB, BR_TBH, BR_A32_ADR_THUMB, BR_T32_ADR_ARM,
    BR_T32_BLX,          /* BLX (immediate) T2 to a word-aligned ARM target */
    BR_ALIGN_PAD,        /* not a branch: a NOP dropped at layout unless it aligns what follows */
};

struct gen_block {
    bool thumb;
    uint32_t mode;              /* initial CPSR mode (USR or SVC) */
    uint32_t cpsr;              /* initial CPSR */
    uint32_t regs[16];          /* initial r0-r15 (r15 = the start address) */
    /* The banked registers hidden in the block's mode (enum diff_bank). */
    uint32_t bank[22];
    unsigned n;                 /* instructions (setup included) */
    struct gen_insn insn[DIFF_MAX_INSNS];
    uint32_t start, end;        /* [start, end): the block; end is where both stop */
    /* Data region contents: a seed into the shared random pool, plus the
     * bytes the generator placed (TBB/TBH tables). */
    uint32_t data_seed;
    unsigned npatch;
    struct { uint32_t addr; uint8_t byte; } patch[64];
};

struct gen_template;

/* The generator's working state for one block. */
struct gen {
    struct diff_rng rng;
    struct gen_block *b;
    uint8_t kind[16];
    const char *only;           /* class filter, or NULL */
    uint64_t *filtered;         /* [F_COUNT] */
    uint64_t *per_template;     /* generated count per template index */
    bool in_it;                 /* T32: generating the instructions of an IT block */
    uint16_t it_aligned;        /* registers word-aligned by the IT block's prologue */
    bool setend_seen;           /* the block may run big-endian (no TBH then) */
    bool t16_only;              /* 16-bit code only, setup code included */
    bool mode_changed;          /* an MSR may have changed the mode: LDM/STM ^ no more */
    /* Where each register's kind was last established (-1: the initial
     * state), and where the forward branches are: a kind set up after a
     * branch that may jump past the setup is not relied on. */
    int set_at[16];
    unsigned nbranches;
    uint16_t branch_at[DIFF_MAX_INSNS];
};

/* A template: a bit picture (A32: 32 characters; T32: 16 or 32), spaces
 * ignored. '0'/'1' fixed; register fields: d (destination), t/u (Rt/Rt2 of
 * loads and stores), h/l (RdHi/RdLo), a (accumulator), n (base or first
 * operand), m, s (operands); 'c' a condition; 'r' a register list; 'o' an
 * offset (biased small); 'k' a shift amount (mostly 0-3); any other letter
 * random bits. A field is a run of one letter (3 bits: r0-r7; 4 bits:
 * r0-r15). Fields d, t, u, h, l and a lose what the generator knew of them. */
struct gen_template {
    const char *cls;           /* class name (--only, statistics) */
    const char *name;
    const char *pattern;
    uint16_t weight;
    uint16_t flags;
    /* Adjusts the fields the picture cannot express (SBZ bits, operation
     * fields with holes); may be NULL. */
    void (*fix)(struct gen *g, uint32_t *insn);
    /* F_NONE, or why this encoding must not be generated. */
    enum filter_reason (*reject)(const struct gen *g, uint32_t insn);
    /* Custom emitter for sequences (exclusive pairs, IT blocks, table
     * branches, forward branches); NULL = one instruction from the picture. */
    void (*emit)(struct gen *g, int tmpl);
};

#define T_MEM     0x01   /* n is a base register: prefer pointers */
#define T_NOIT    0x02   /* T32: not allowed inside an IT block */
#define T_SETSF   0x04   /* T16: sets flags outside IT only (different meaning inside) */
#define T_ITLAST  0x08   /* T32: allowed inside IT only as the last instruction */
#define T_ALIGN4  0x10   /* the address must be word-aligned: n is an aligned pointer */
#define T_REGWB   0x20   /* A32 register offset: writeback (P = 0 or W = 1) makes Rn unknown */

extern const struct gen_template diff_a32_templates[];
extern const size_t diff_a32_template_count;
extern const struct gen_template diff_t32_templates[];
extern const size_t diff_t32_template_count;

/* diff_gen.c */
void gen_block(struct gen *g, bool thumb, unsigned k, uint64_t seed);
uint32_t gen_pattern(struct gen *g, const char *pattern, uint16_t flags);
int gen_one(struct gen *g, int tmpl);   /* one instruction from template tmpl; -1 if filtered */
/* Marks instructions [from, n) but the first as not branch targets. */
void gen_group(struct gen *g, unsigned from);
void gen_push(struct gen *g, uint32_t enc, unsigned size, int tmpl);
/* gen_push of a forward branch resolved once the block is laid out. */
void gen_push_branch(struct gen *g, uint32_t enc, unsigned size, int tmpl,
                     enum branch_kind kind, unsigned min_ahead);
unsigned gen_pick_reg(struct gen *g, enum reg_kind want, unsigned max);
void gen_make_ptr(struct gen *g, unsigned reg, uint32_t align);
void gen_make_small(struct gen *g, unsigned reg, uint32_t value);
void gen_note_dest(struct gen *g, unsigned reg);
/* BIC reg, reg, #3 (not inside an IT block). */
void gen_align_reg(struct gen *g, unsigned reg);
const struct gen_template *gen_templates(bool thumb, size_t *count);
/* --only: a comma-separated list of classes and template names (NULL: all). */
bool gen_selected(const char *only, const struct gen_template *t);
uint32_t gen_field(const char *pattern, char letter, uint32_t insn);
bool gen_is_mem_ptr(uint32_t v);

static inline unsigned bits32(uint32_t v, unsigned hi, unsigned lo)
{
    return (v >> lo) & (uint32_t)((1ull << (hi - lo + 1)) - 1);
}

#endif
