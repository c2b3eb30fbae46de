/* ARM core internals shared by the decoder, the executors and the CPU glue.
 * References: ARM Architecture Reference Manual, DDI 0100I ("ARM ARM"). */
#ifndef ORRERY_ISA_ARM_INTERNAL_H
#define ORRERY_ISA_ARM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/dcache.h"
#include "cpu/tlb.h"
#include "isa-arm/arm_gtimer.h"

struct state_writer;
struct state_reader;

/* Architecture versions. ARM_V7 is ARMv7-A with Thumb-2, the Security
 * Extensions' absence and no VFP/NEON (coprocessors 10/11 are UNDEFINED). */
enum arm_arch { ARM_V4T = 4, ARM_V5TE = 5, ARM_V6 = 6, ARM_V7 = 7 };

/* CPU models (struct cpu_model.variant): each has an architecture and its
 * own identification registers. */
enum arm_model {
    ARM_MODEL_ARM7TDMI, ARM_MODEL_ARM926, ARM_MODEL_CORTEX_A15, ARM_MODEL_CORTEX_A7,
};

/* CPSR bits, ARM ARM A2.5. */
#define PSR_N (1u << 31)
#define PSR_Z (1u << 30)
#define PSR_C (1u << 29)
#define PSR_V (1u << 28)
#define PSR_Q (1u << 27)
#define PSR_J (1u << 24)
#define PSR_GE 0x000f0000u          /* GE[3:0], bits 19:16 (v6 SIMD) */
#define PSR_E (1u << 9)             /* data endianness (v6) */
#define PSR_A (1u << 8)             /* asynchronous abort mask (v6) */
#define PSR_I (1u << 7)
#define PSR_F (1u << 6)
#define PSR_T (1u << 5)
#define PSR_MODE 0x1fu
/* ITSTATE (ARM ARM v7 A2.5.2): IT[1:0] in bits 26:25, IT[7:2] in 15:10. */
#define PSR_IT_MASK 0x0600fc00u

static inline unsigned arm_itstate(uint32_t cpsr)
{
    return ((cpsr >> 8) & 0xfcu) | ((cpsr >> 25) & 3u);
}

static inline uint32_t arm_with_itstate(uint32_t cpsr, unsigned it)
{
    return (cpsr & ~PSR_IT_MASK) | ((uint32_t)(it & 0xfcu) << 8) | ((uint32_t)(it & 3u) << 25);
}

/* ITAdvance() (v7 A2.5.2): the next instruction's condition and mask. */
static inline unsigned arm_it_advance(unsigned it)
{
    return (it & 7u) == 0 ? 0 : (it & 0xe0u) | ((it << 1) & 0x1fu);
}

enum arm_mode {
    MODE_USR = 0x10, MODE_FIQ = 0x11, MODE_IRQ = 0x12, MODE_SVC = 0x13,
    MODE_ABT = 0x17, MODE_UND = 0x1b, MODE_SYS = 0x1f,
};

/* Register banks: 0 = USR/SYS, then one per exception mode. */
enum arm_bank { BANK_USR, BANK_FIQ, BANK_IRQ, BANK_SVC, BANK_ABT, BANK_UND, BANK_COUNT };

/* Result of an executor. */
enum arm_exec_result {
    ARM_OK = 0,
    ARM_STOP_EXIT,     /* semihosting exit: cpu.exit_code set */
    ARM_STOP_IDLE,     /* wait for interrupt */
};

struct arm_cpu;
struct arm_rec;
typedef int (*arm_exec_fn)(struct arm_cpu *c, const struct arm_rec *r);

/* A decoded instruction: handler plus pre-extracted operands. The meaning of
 * the small fields is the handler's (documented at each decoder), except
 * cond, whose bits 3:0 are the condition and bits 7:4 the instruction's
 * length in bytes (2 or 4; set by arm_decode/thumb_decode, read through
 * arm_rec_cond/arm_rec_len). An all-zero record (fn == NULL) is "not
 * decoded yet". */
struct arm_rec {
    arm_exec_fn fn;
    uint32_t insn;     /* raw encoding (Thumb: the halfword) */
    uint32_t imm;
    uint8_t rd, rn, rm, rs;
    uint8_t op, shift, flags, cond;
};

/* struct arm_rec.flags bits shared by several decoders. */
#define RF_S      0x01   /* set flags / signed */
#define RF_IMM    0x02   /* immediate operand */
#define RF_REGSH  0x04   /* register-specified shift */
#define RF_P      0x08   /* pre-index */
#define RF_U      0x10   /* add offset */
#define RF_W      0x20   /* writeback */
#define RF_L      0x40   /* load */
#define RF_B      0x80   /* byte / user-bank (^) */
/* Loads and stores only (where RF_S has no meaning): the unprivileged
 * (LDRT/STRT family) access. */
#define RF_T      RF_S

static inline unsigned arm_rec_cond(const struct arm_rec *r) { return r->cond & 15u; }
static inline unsigned arm_rec_len(const struct arm_rec *r) { return r->cond >> 4; }

/* Decoded-cache modes. Thumb code inside an IT block decodes differently
 * (16-bit data processing does not set flags there), so it has its own. */
enum { ARM_DC_ARM = 0, ARM_DC_THUMB = 1, ARM_DC_THUMB_IT = 2 };

/* The ARMv7 CP15 system registers (ARM ARM v7 B4.1; arm_cp15.c). */
struct arm_cp15 {
    uint32_t actlr, cpacr;
    uint32_t ttbr0, ttbr1, ttbcr;
    uint32_t dacr;
    uint32_t dfsr, ifsr, dfar, ifar, adfsr, aifsr;
    uint32_t par;
    uint32_t prrr, nmrr;
    uint32_t vbar, contextidr;
    uint32_t tpidrurw, tpidruro, tpidrprw;
    uint32_t csselr;
    uint32_t l2ctlr, l2ectlr;   /* Cortex-A15/A7 L2 control (IMPLEMENTATION DEFINED) */
};

/* The CP14 debug registers (ARM ARM v7 C11; arm_debug.c). */
struct arm_debug {
    uint32_t dscr, vcr, wfar;
    uint32_t bvr[6], bcr[6], wvr[4], wcr[4];
    uint8_t claim, os_double_lock;
    bool os_lock;
};

struct arm_cpu {
    struct cpu cpu;          /* common head: must be first */
    enum arm_arch arch;
    enum arm_model model;
    uint32_t r[16];          /* current registers; r[15] = pc + 8 (+4 Thumb) while executing */
    uint32_t pc;             /* address of the next instruction to execute */
    uint32_t next_pc;        /* executors set it to branch */
    uint32_t cpsr;
    uint32_t spsr[BANK_COUNT];      /* [BANK_USR] unused */
    uint32_t bank_r8_12[2][5];      /* [0] everyone but FIQ, [1] FIQ */
    uint32_t bank_sp[BANK_COUNT], bank_lr[BANK_COUNT];
    bool irq_line, fiq_line;
    bool waiting;       /* in WFI until an IRQ or FIQ line is asserted */
    /* The Generic Timer (cortex-a15/a7). While run() executes, run_executed
     * points at its instruction count (the timer's notion of now); end_run
     * asks it to return at the next boundary (a new clock event may be due
     * before the budget it was given ends). */
    struct arm_gtimer gt;
    const uint64_t *run_executed;
    bool end_run;
    /* ARMv6K WFE/SEV (ARM ARM v7 B1.8.13): the event register, and whether
     * the wait in progress is a WFE one (which the event also ends). */
    bool event;
    bool waiting_event;
    /* The local exclusive monitor (A3.4.1): Open Access when !excl_open,
     * else Exclusive Access to excl_addr (set by LDREX*, cleared by
     * STREX*, CLREX). */
    bool excl_open;
    uint32_t excl_addr;
    /* ITSTATE of the instruction executing inside an IT block (the CPSR
     * already holds the advanced state); 0 outside IT blocks. Synchronous
     * exceptions save this one so the faulting instruction is retried. */
    unsigned it_cur;
    /* CP15 (arm_cp15.c). SCTLR on every model with CP15 (arm926ej-s:
     * only V has an effect); the rest is the ARMv7 system registers. */
    uint32_t sctlr;
    struct arm_cp15 cp15;
    struct arm_debug dbg;
    /* The last MMU/alignment/external fault of a data access or fetch
     * (short-descriptor FSR with WnR and domain, and the faulting address),
     * recorded by arm_read/arm_write/arm_fetch for arm_data_abort and the
     * prefetch abort. */
    uint32_t fault_fsr, fault_addr;
    /* Largest block (bytes) entered in the soft TLB since the last full
     * flush: TLB maintenance by address drops that whole aligned block. */
    uint32_t tlb_max_block;
    /* Semihosting state. */
    int semi_errno;
    bool tt_open[3];
    /* Debugging (arm_explain.c). While cpu.observer is set, run() swaps the
     * soft TLB out to obs_tlb and fills nothing in c->tlb, so that every
     * access takes the slow path, which reports it (and the walk when
     * obs_tlb misses). tlb_epoch counts TLB maintenance, so that a copy
     * saved across such a run is only put back when nothing was dropped.
     * watch_abort: the access in progress hit a watchpoint; the data abort
     * it returns abandons the instruction instead of being taken. */
    bool observing;
    bool watch_abort;
    struct soft_tlb *obs_tlb;
    uint64_t tlb_epoch;
    size_t cs_handle[4];        /* Capstone handles ([Thumb][detail]), opened on first use */
    /* Decoding caches. */
    struct soft_tlb tlb;
    struct dcache dc;
    struct arm_rec slow_rec;     /* decoded without caching (MMIO fetch) */
    /* Memo of the code page being executed: valid while the dcache
     * generation, the state/privilege key and the TLB stay the same. */
    bool fast_valid;
    unsigned fast_key;
    uint32_t fast_vpage;
    uint64_t fast_gen;
    struct arm_rec *fast_recs;
};

static inline enum arm_bank arm_mode_bank(uint32_t mode)
{
    switch (mode & PSR_MODE) {
    case MODE_FIQ: return BANK_FIQ;
    case MODE_IRQ: return BANK_IRQ;
    case MODE_SVC: return BANK_SVC;
    case MODE_ABT: return BANK_ABT;
    case MODE_UND: return BANK_UND;
    default: return BANK_USR;
    }
}

static inline bool arm_mode_valid(uint32_t mode)
{
    switch (mode & PSR_MODE) {
    case MODE_USR: case MODE_FIQ: case MODE_IRQ: case MODE_SVC:
    case MODE_ABT: case MODE_UND: case MODE_SYS:
        return true;
    default:
        return false;
    }
}

static inline bool arm_thumb(const struct arm_cpu *c) { return (c->cpsr & PSR_T) != 0; }
static inline bool arm_privileged(const struct arm_cpu *c) { return (c->cpsr & PSR_MODE) != MODE_USR; }

/* Flag helpers. */
static inline void arm_set_nz(struct arm_cpu *c, uint32_t v)
{
    c->cpsr = (c->cpsr & ~(PSR_N | PSR_Z)) | (v & PSR_N) | (v == 0 ? PSR_Z : 0);
}
static inline void arm_set_c(struct arm_cpu *c, bool v)
{
    c->cpsr = (c->cpsr & ~PSR_C) | (v ? PSR_C : 0);
}
static inline void arm_set_v(struct arm_cpu *c, bool v)
{
    c->cpsr = (c->cpsr & ~PSR_V) | (v ? PSR_V : 0);
}

/* arm_cond_table[cond] bit NZCV is set when cond passes with those flags
 * (ARM ARM A3.2.1); built from arm_cond_eval at compile time. */
extern const uint16_t arm_cond_table[16];
bool arm_cond_eval(uint32_t cpsr, unsigned cond);

static inline bool arm_cond_passed(uint32_t cpsr, unsigned cond)
{
    return (arm_cond_table[cond & 15] >> (cpsr >> 28)) & 1;
}

/* The fetch key of the decoded-code memo: state, privilege, IT block. */
static inline unsigned arm_fetch_key(uint32_t cpsr)
{
    return ((cpsr & PSR_T) ? 2u : 0u) | ((cpsr & PSR_MODE) != MODE_USR ? 1u : 0u) |
           ((cpsr & PSR_IT_MASK) ? 4u : 0u);
}

/* arm_cpu.c: models, modes and banking. */
enum arm_arch arm_model_arch(enum arm_model model);
void arm_switch_mode(struct arm_cpu *c, uint32_t new_mode);
void arm_write_cpsr(struct arm_cpu *c, uint32_t value);   /* switches banks as needed */
uint32_t arm_user_reg(struct arm_cpu *c, unsigned n);
void arm_set_user_reg(struct arm_cpu *c, unsigned n, uint32_t v);

/* arm_mem.c: data accesses through the soft TLB (size 1, 2 or 4). acc is
 * a set of ARM_ACC_* attributes; -1 means the access faulted and the fault
 * is recorded for arm_data_abort. */
#define ARM_ACC_USER    1u   /* unprivileged: user mode, or an LDRT-class access */
#define ARM_ACC_ALIGNED 2u   /* alignment fault if not size-aligned, whatever SCTLR.A
                                says (LDREX/STREX, LDRD/STRD, LDM/STM, SRS/RFE...) */
int arm_read(struct arm_cpu *c, uint32_t addr, unsigned size, unsigned acc,
             uint32_t *value) ORR_MUST_CHECK;
int arm_write(struct arm_cpu *c, uint32_t addr, unsigned size, unsigned acc,
              uint32_t value) ORR_MUST_CHECK;
/* Fetch of the record for c->pc; NULL after a prefetch abort was taken.
 * arm_fetch_record is the hot path (the memo of the current code page);
 * arm_fetch is its miss path (TLB, decoded cache, decode, bus). */
const struct arm_rec *arm_fetch(struct arm_cpu *c);

static inline const struct arm_rec *arm_fetch_record(struct arm_cpu *c)
{
    uint32_t pc = c->pc;
    if (c->fast_valid && c->fast_vpage == (pc & ~(uint32_t)GUEST_PAGE_MASK) &&
        c->fast_key == arm_fetch_key(c->cpsr) && c->fast_gen == c->dc.generation) {
        uint32_t align = (c->cpsr & PSR_T) ? 1u : 3u;
        const struct arm_rec *r = &c->fast_recs[(pc & GUEST_PAGE_MASK & ~align) / 2];
        if (r->fn)
            return r;
    }
    return arm_fetch(c);
}
void arm_mem_flush(struct arm_cpu *c);
int arm_mem_init(struct arm_cpu *c, struct orr_error *err) ORR_MUST_CHECK;

/* arm_exceptions.c */
enum arm_exception {
    EXC_RESET, EXC_UND, EXC_SWI, EXC_PABT, EXC_DABT, EXC_IRQ, EXC_FIQ,
};
void arm_take_exception(struct arm_cpu *c, enum arm_exception e);
int arm_exec_undefined(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_swi(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_bkpt(struct arm_cpu *c, const struct arm_rec *r);
int arm_data_abort(struct arm_cpu *c);   /* takes the abort, returns ARM_OK */
uint32_t arm_vector_base(const struct arm_cpu *c);
void arm_prefetch_abort(struct arm_cpu *c);   /* with the recorded fault */

/* arm_cp15.c: the system control coprocessor. */
void arm_cp15_reset(struct arm_cpu *c);
void arm_cp15_save(const struct arm_cpu *c, struct state_writer *w);
void arm_cp15_load(struct arm_cpu *c, struct state_reader *r);
/* arm_debug.c: CP14 (debug and Jazelle registers), ARMv7 models; reset,
 * saved and loaded with CP15. */
void arm_debug_reset(struct arm_cpu *c);
void arm_debug_save(const struct arm_cpu *c, struct state_writer *w);
void arm_debug_load(struct arm_cpu *c, struct state_reader *r);

/* arm_mmu.c: VMSAv7 short-descriptor translation (ARM ARM v7 B3). */
#define SCTLR_M   (1u << 0)
#define SCTLR_A   (1u << 1)
#define SCTLR_CP15BEN (1u << 5)
#define SCTLR_SW  (1u << 10)   /* SWP/SWPB enable (Multiprocessing Extensions) */
#define SCTLR_V   (1u << 13)
#define SCTLR_EE  (1u << 25)
#define SCTLR_TRE (1u << 28)
#define SCTLR_AFE (1u << 29)
#define SCTLR_TE  (1u << 30)
/* Short-descriptor fault status values FS[4:0] (B3.13.3, table B3-23). */
enum arm_fs {
    FS_ALIGNMENT = 0x01, FS_DEBUG = 0x02, FS_ACCESS_FLAG_SECTION = 0x03,
    FS_TRANSLATION_SECTION = 0x05, FS_ACCESS_FLAG_PAGE = 0x06,
    FS_TRANSLATION_PAGE = 0x07, FS_SYNC_EXTERNAL = 0x08, FS_DOMAIN_SECTION = 0x09,
    FS_DOMAIN_PAGE = 0x0b, FS_WALK_EXTERNAL_L1 = 0x0c, FS_PERMISSION_SECTION = 0x0d,
    FS_WALK_EXTERNAL_L2 = 0x0e, FS_PERMISSION_PAGE = 0x0f,
};
/* An FSR value in the short-descriptor format: FS[4] in bit 10, FS[3:0] in
 * bits 3:0, the domain in bits 7:4, WnR in bit 11. */
static inline uint32_t arm_fsr(unsigned fs, unsigned domain, bool write)
{
    return ((fs & 0x10u) << 6) | (fs & 0xfu) | ((domain & 0xfu) << 4) | (write ? 1u << 11 : 0);
}
/* Soft-TLB attribute bits of an ARM entry (tlb_fill): bit d for domain d,
 * ARM_TLB_NG for a non-global mapping; 0 with the MMU off. */
#define ARM_TLB_NG (1u << 16)
struct arm_mmu_result {
    /* The descriptors the walk read (for the debugger): level 1, then 2. */
    unsigned nlevels;
    uint32_t desc_addr[2], desc[2];
    uint32_t pa;
    uint32_t block;     /* size of the mapping (4 KiB .. 16 MiB), for the soft TLB */
    uint32_t tlb_attrs; /* ARM_TLB_NG and the domain bit */
    uint32_t par;       /* the PAR value of a successful translation (B4.1.112) */
    uint32_t fsr;       /* on a fault: arm_fsr(...) */
};
/* Translates va for an access of the given kind at the given privilege,
 * with every permission check. debug: no side effects (host memory only,
 * never MMIO). Returns 0, or -1 with res->fsr set. */
int arm_mmu_translate(struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                      bool debug, struct arm_mmu_result *res) ORR_MUST_CHECK;
/* arm_explain.c: the debugging parts of the cpu interface. */
int arm_disasm(struct cpu *cpu, uint64_t va, char *buf, size_t buflen);
int arm_describe(struct cpu *cpu, uint64_t va, struct cpu_insn_info *info);
void arm_describe_flags(struct cpu *cpu, uint64_t value, char *buf, size_t len);
int arm_walk(struct cpu *cpu, uint64_t va, enum cpu_access access, bool user,
             struct cpu_walk_event *out);
unsigned arm_privilege(struct cpu *cpu);
uint32_t arm_decode_key(struct cpu *cpu);
void arm_debug_update(struct cpu *cpu);
const struct soft_tlb *arm_soft_tlb(struct cpu *cpu);
const struct cpu_gdb_target *arm_gdb_target(struct cpu *cpu);
void arm_explain_destroy(struct arm_cpu *c);
/* Around a run with cpu.observer set: the soft TLB set aside and put back. */
struct arm_observation {
    bool on;
    uint32_t max_block;
    uint64_t epoch;
};
struct arm_observation arm_observe_begin(struct arm_cpu *c);
void arm_observe_end(struct arm_cpu *c, const struct arm_observation *o);
/* Reports a data access to the observer (c->observing only). */
void arm_observe_access(struct arm_cpu *c, uint32_t va, uint64_t pa, bool pa_valid,
                        unsigned size, bool write, uint32_t value, bool fault);
/* Reports the walk behind a translation unless the TLB the observed run
 * saved would have hit (c->observing only). */
void arm_observe_walk(struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                      const struct arm_mmu_result *res, bool ok);
void arm_observe_exception(struct arm_cpu *c, const char *name, uint32_t vector,
                           uint32_t lr, uint32_t saved_psr, uint32_t from_mode);
const char *arm_mode_name(uint32_t mode);

/* Drops every soft-TLB entry and the decoded-code memo. */
void arm_tlb_flush(struct arm_cpu *c);
/* Drops the soft-TLB entries that may hold va (the whole largest block). */
void arm_tlb_flush_va(struct arm_cpu *c, uint32_t va);
/* Drops the soft-TLB entries with any of these attribute bits. */
void arm_tlb_flush_attrs(struct arm_cpu *c, uint32_t mask);

#include "isa-arm/arm_exec_v6.h"

/* arm_decode.c / thumb_decode.c */
void arm_decode(enum arm_arch arch, uint32_t insn, struct arm_rec *out);
/* thumb_decode: insn is a 16-bit halfword, or for a 32-bit encoding
 * (first halfword 0b11101/0b11110/0b11111 on ARMv6T2+) hw1 << 16 | hw2;
 * in_it selects the IT-block meaning of 16-bit data processing. */
void thumb_decode(enum arm_arch arch, uint32_t insn, bool in_it, struct arm_rec *out);
/* thumb2_decode.c: the 32-bit T32 encodings (hw1 << 16 | hw2). */
void thumb2_decode(enum arm_arch arch, uint32_t insn, bool in_it, struct arm_rec *out);

static inline bool thumb_is_32bit(enum arm_arch arch, uint32_t hw1)
{
    return arch >= ARM_V7 && (hw1 >> 11) >= 0x1du;
}

/* Executors. */
int arm_exec_dp(struct arm_cpu *c, const struct arm_rec *r);
/* Replaces arm_exec_dp in a decoded record by an executor specialised for
 * its operation and operand form, where one exists (the decoded cache calls
 * it; decoders and tests see the general executor). */
void arm_dp_specialize(struct arm_rec *r);
int arm_exec_mul(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_mull(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_smulxy(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_qarith(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_clz(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_ldr_str(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_ldrh_strh(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_ldm_stm(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_swp(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_b(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_blx_imm(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_bx(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_mrs(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_msr(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_cp15(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_cp14(struct arm_cpu *c, const struct arm_rec *r);
int arm_exec_nop(struct arm_cpu *c, const struct arm_rec *r);

/* thumb_decode.c: Thumb-only executors. */
int thumb_exec_adr(struct arm_cpu *c, const struct arm_rec *r);
int thumb_exec_bl_prefix(struct arm_cpu *c, const struct arm_rec *r);
int thumb_exec_bl_suffix(struct arm_cpu *c, const struct arm_rec *r);

/* semihosting.c: r0 = operation, r1 = parameter; returns an arm_exec_result. */
int arm_semihosting(struct arm_cpu *c);

static inline void arm_branch(struct arm_cpu *c, uint32_t target)
{
    c->next_pc = target;
}

/* BXWritePC (ARM ARM v7 A2.3.1): bit 0 selects Thumb state. */
static inline void arm_bx_write_pc(struct arm_cpu *c, uint32_t target)
{
    if (target & 1)
        c->cpsr |= PSR_T;
    else
        c->cpsr &= ~PSR_T;
    arm_branch(c, target & ~1u);
}

/* Writes a result register; writing r15 branches. The ARM7TDMI keeps the
 * written value in r15 as is (its address bus ignores bits 1:0 in ARM state
 * and bit 0 in Thumb state), so alignment is applied at fetch, not here. */
static inline void arm_set_reg(struct arm_cpu *c, unsigned n, uint32_t v)
{
    if (n == 15)
        arm_branch(c, v);
    else
        c->r[n] = v;
}

#endif
