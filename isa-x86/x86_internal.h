/* x86 core internals shared by the decoder, the executors and the CPU glue.
 * References: Intel 64 and IA-32 Architectures Software Developer's Manual
 * ("SDM"), Vol. 1 (basic architecture), Vol. 2 (instruction set) and
 * Vol. 3A (system programming). */
#ifndef ORRERY_ISA_X86_INTERNAL_H
#define ORRERY_ISA_X86_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/dcache.h"
#include "cpu/tlb.h"
#include "isa-x86/x87.h"
#include "machine/irq.h"

/* CPU models (struct cpu_model.variant). */
enum x86_model { X86_MODEL_I386, X86_MODEL_I486, X86_MODEL_PENTIUM, X86_MODEL_PENTIUM_PRO };

/* What a model implements beyond the i386, as decoder and executors ask it. */
#define X86_F_I486   (1u << 0)   /* BSWAP, XADD, CMPXCHG, INVD, WBINVD, INVLPG, CPUID */
#define X86_F_P5     (1u << 1)   /* RDTSC, RDMSR, WRMSR, CMPXCHG8B */
#define X86_F_P6     (1u << 2)   /* CMOVcc, RDPMC */

/* General registers in encoding order (SDM Vol. 2A 2.1.5, table 2-2). */
enum x86_gpr { EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI };

/* Segment registers in the encoding order of MOV Sreg (SDM Vol. 2A 3.1.1.3). */
enum x86_sreg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_COUNT };
#define SEG_LDTR 6   /* descriptor caches beyond the six segment registers */
#define SEG_TR   7
#define X86_NSEGS 8

/* EFLAGS (SDM Vol. 1 3.4.3). */
#define FL_CF   (1u << 0)
#define FL_R1   (1u << 1)    /* reserved, always 1 */
#define FL_PF   (1u << 2)
#define FL_AF   (1u << 4)
#define FL_ZF   (1u << 6)
#define FL_SF   (1u << 7)
#define FL_TF   (1u << 8)
#define FL_IF   (1u << 9)
#define FL_DF   (1u << 10)
#define FL_OF   (1u << 11)
#define FL_IOPL (3u << 12)
#define FL_NT   (1u << 14)
#define FL_RF   (1u << 16)
#define FL_VM   (1u << 17)
#define FL_AC   (1u << 18)
#define FL_ID   (1u << 21)
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Control registers (SDM Vol. 3A 2.5). */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PGE (1u << 7)
#define PERFCTR_MASK ((1ull << 40) - 1)   /* P6 counters are 40 bits */

/* Exception vectors (SDM Vol. 3A 6.3.1, table 6-1). */
enum x86_vector {
    X86_DE = 0, X86_DB = 1, X86_NMI = 2, X86_BP = 3, X86_OF = 4, X86_BR = 5, X86_UD = 6,
    X86_NM = 7, X86_DF = 8, X86_TS = 10, X86_NP = 11, X86_SS = 12, X86_GP = 13, X86_PF = 14,
    X86_MF = 16, X86_AC = 17,
};

/* A segment register and its descriptor cache (SDM Vol. 3A 3.4.3). attr
 * holds bytes 5 and 6 of the descriptor as bits 7:0 (type, S, DPL, P) and
 * 15:12 (AVL, L, D/B, G); limit is the byte-granular limit. lo and hi are
 * the offsets an access may touch (expand-down segments lie above the
 * limit), and rw says whether reads (bit 0) and writes (bit 1) are
 * allowed: executors check these on every access, so they are derived once
 * when the segment is loaded. */
struct x86_seg {
    uint16_t sel;
    uint16_t attr;
    uint32_t base, limit;
    uint32_t lo, hi;
    uint8_t rw;
};
#define SEG_ATTR_P   0x0080u
#define SEG_ATTR_S   0x0010u
#define SEG_ATTR_DB  0x4000u
#define SEG_ATTR_G   0x8000u
#define SEG_RW_READ  1u
#define SEG_RW_WRITE 2u

/* Lazy flags: the last flag-setting ALU operation's inputs and result,
 * from which CF/PF/AF/ZF/SF/OF are computed when someone asks (SDM Vol. 1
 * 3.4.3.1 and each instruction's "Flags Affected"). LF_NONE: the flags in
 * eflags are current. */
enum x86_lazy_op { LF_NONE, LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC };

/* Result of an executor: 0, or one of these. */
enum x86_exec_result {
    X86_OK = 0,
    X86_FAULT,    /* c->exc holds an exception to deliver at the instruction's start */
    X86_HALT,     /* HLT: stop idle until an interrupt */
    X86_STOP,     /* end the run at this boundary (cpu.exit_request or a mode change) */
};

struct x86_cpu;
struct x86_rec;
typedef int (*x86_exec_fn)(struct x86_cpu *c, const struct x86_rec *r);

/* A decoded instruction (24 bytes). The opcode fields tell executors which
 * form they run; operand size and address size are resolved at decode time
 * (attr). Memory operands are seg:[base + index << scale + disp] with
 * X86_NOREG for an absent base or index; 16-bit addressing uses the same
 * fields (base and index from table 2-1) and wraps the sum at 64 KiB. An
 * all-zero record (fn == NULL) is "not decoded yet". */
struct x86_rec {
    x86_exec_fn fn;
    uint32_t imm;      /* immediate (sign-extended as the encoding says); far pointer: offset */
    uint32_t disp;     /* displacement; far pointer: selector; ENTER: nesting level */
    uint8_t len;       /* bytes, prefixes included */
    uint8_t opc;       /* opcode byte (the second one in the 0F map) */
    uint8_t modrm;
    uint8_t attr;      /* X86_A_* */
    uint8_t seg;       /* segment of the memory operand / string source (overrides applied) */
    uint8_t base, index;
    uint8_t scale;
};
#define X86_NOREG 0xffu

#define X86_A_O32   0x01u   /* 32-bit operand size */
#define X86_A_A32   0x02u   /* 32-bit address size */
#define X86_A_MEM   0x04u   /* ModRM names memory (mod != 3) */
#define X86_A_REP   0x08u   /* F3 */
#define X86_A_REPNE 0x10u   /* F2 */
#define X86_A_LOCK  0x20u   /* F0 */
#define X86_A_0F    0x40u   /* two-byte map */
#define X86_A_SEGOV 0x80u   /* a segment override prefix was given */

static inline unsigned rec_reg(const struct x86_rec *r) { return (r->modrm >> 3) & 7u; }
static inline unsigned rec_rm(const struct x86_rec *r) { return r->modrm & 7u; }
static inline unsigned rec_osize(const struct x86_rec *r) { return (r->attr & X86_A_O32) ? 4u : 2u; }
/* Byte forms have opcode bit 0 clear (SDM Vol. 2A B.1.4.3, the w bit). */
static inline unsigned rec_wsize(const struct x86_rec *r) { return (r->opc & 1) ? rec_osize(r) : 1u; }

/* Decoded-cache modes: the default operand/address size (CS.D), protected
 * mode and virtual-8086 mode: what the decoder's result depends on. */
#define X86_DC_D32  1u
#define X86_DC_PE   2u
#define X86_DC_VM   4u

/* An exception to deliver. */
struct x86_exc {
    uint8_t vector;
    bool has_code;
    uint32_t code;
};

struct x86_cpu {
    struct cpu cpu;          /* common head: must be first */
    enum x86_model model;
    unsigned features;       /* X86_F_* */
    bool has_fpu;            /* an x87 is attached (CPUID.1:EDX.FPU, CR0.ET) */
    struct x87 fpu;          /* its state (isa-x86/x87.h), when has_fpu */
    /* The FERR# output (irq_output 0): an unmasked x87 exception is
     * pending while CR0.NE = 0 (a PC wires it to IRQ 13). */
    struct irq_line ferr;
    uint32_t gpr[8];
    uint32_t eip;            /* offset in CS of the instruction to execute */
    uint32_t next_eip;       /* executors set it to branch */
    uint32_t eflags;         /* arithmetic flags stale while lf_op != LF_NONE */
    struct x86_seg seg[X86_NSEGS];
    uint32_t gdt_base, idt_base;
    uint16_t gdt_limit, idt_limit;
    uint32_t cr0, cr2, cr3, cr4;
    uint32_t dr[8];          /* DR0-DR3, DR6 (index 6), DR7 (index 7); 4-5 unused */
    uint64_t tsc_offset;     /* TSC = virtual clock (ns) + tsc_offset */
    const uint64_t *run_executed;   /* while run() runs: its count so far */
    bool end_run;                   /* an event was scheduled mid-run: end it here */
    uint64_t *run_stall;            /* while run() runs: its stall_ns */
    uint32_t sysenter_cs, sysenter_esp, sysenter_eip;
    /* P6 performance monitoring (SDM Vol. 3B 19.6.8 / 20.6.8 in later
     * editions, "Performance Monitoring (P6 Family Processor)"): two 40-bit
     * counters and their event selects, kept as written. No event is
     * modelled, so the counters do not advance. */
    uint64_t perfctr[2];            /* PERFCTR_MASK bits */
    uint32_t evntsel[2];
    unsigned cpl;
    /* Lazy flags (enum x86_lazy_op). */
    uint8_t lf_op, lf_size;
    uint32_t lf_a, lf_b, lf_res;
    /* Interrupt inputs. intr_ack returns the vector of the interrupt being
     * acknowledged (an 8259's INTA cycle), or -1 when none is pending any
     * more (spurious: nothing is taken). */
    bool intr_line, nmi_pending, nmi_blocked;
    /* A20M# (X86_IRQ_A20M) and the mask it puts on every physical address
     * the walk forms: ~(1 << 20) while asserted, all ones otherwise. */
    bool a20m;
    uint32_t a20_mask;
    int (*intr_ack)(void *opaque);
    void *intr_ack_opaque;
    bool halted;
    /* The instruction after MOV SS/POP SS/STI sees interrupts inhibited
     * (SDM Vol. 3A 6.8.3). */
    bool inhibit_irq;
    struct x86_exc exc;      /* set by whatever returned X86_FAULT */
    unsigned exc_depth;      /* exceptions raised while delivering one */
    /* Decoding caches. */
    struct soft_tlb tlb;
    struct dcache dc;
    struct x86_rec slow_rec;  /* decoded without caching (MMIO, page-straddling) */
    bool fast_valid;
    unsigned fast_mode;
    uint32_t fast_lpage;      /* linear page of fast_recs */
    uint64_t fast_gen;
    struct x86_rec *fast_recs;
    size_t cs_handle[2];      /* Capstone handles (16-bit, 32-bit), opened on first use */
    /* While cpu.observer is set, run() empties the soft TLB and fills
     * nothing in it, so every access takes the miss path, which reports
     * it (with the walk behind it) to the observer. */
    bool observing;
    /* Debug-register breakpoints (SDM Vol. 3A 17.2): which of DR0-DR3 are
     * enabled instruction and data breakpoints (derived from DR7), and the
     * data breakpoints hit by the instruction executing. While any data
     * breakpoint is enabled the soft TLB is not filled, so every access
     * takes the miss path, which compares. */
    uint8_t dr_exec, dr_data, dr_hits;
};

static inline bool x86_protected(const struct x86_cpu *c) { return (c->cr0 & CR0_PE) != 0; }
static inline bool x86_v86(const struct x86_cpu *c) { return (c->eflags & FL_VM) != 0; }
static inline bool x86_code32(const struct x86_cpu *c) { return (c->seg[SEG_CS].attr & SEG_ATTR_DB) != 0; }
static inline bool x86_stack32(const struct x86_cpu *c) { return (c->seg[SEG_SS].attr & SEG_ATTR_DB) != 0; }
static inline unsigned x86_dc_mode(const struct x86_cpu *c)
{
    return (x86_code32(c) ? X86_DC_D32 : 0) | (x86_protected(c) ? X86_DC_PE : 0) |
           (x86_v86(c) ? X86_DC_VM : 0);
}

/* Raises exception vector (with an error code when has_code) for the
 * executor to return X86_FAULT. */
static inline int x86_fault(struct x86_cpu *c, unsigned vector, bool has_code, uint32_t code)
{
    c->exc = (struct x86_exc){ (uint8_t)vector, has_code, code };
    return X86_FAULT;
}
static inline int x86_gp0(struct x86_cpu *c) { return x86_fault(c, X86_GP, true, 0); }
static inline int x86_ud(struct x86_cpu *c) { return x86_fault(c, X86_UD, false, 0); }

/* ---- registers by size ---------------------------------------------- */

static inline uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : size == 2 ? 0xffffu : 0xffu;
}

/* Register n of an operand of size bytes: for bytes, AL CL DL BL AH CH DH BH. */
static inline uint32_t get_reg(const struct x86_cpu *c, unsigned n, unsigned size)
{
    if (size == 1)
        return n < 4 ? c->gpr[n] & 0xffu : (c->gpr[n - 4] >> 8) & 0xffu;
    return c->gpr[n] & size_mask(size);
}

static inline void set_reg(struct x86_cpu *c, unsigned n, unsigned size, uint32_t v)
{
    if (size == 4)
        c->gpr[n] = v;
    else if (size == 2)
        c->gpr[n] = (c->gpr[n] & 0xffff0000u) | (v & 0xffffu);
    else if (n < 4)
        c->gpr[n] = (c->gpr[n] & 0xffffff00u) | (v & 0xffu);
    else
        c->gpr[n - 4] = (c->gpr[n - 4] & 0xffff00ffu) | ((v & 0xffu) << 8);
}

/* ---- x86_flags.c: lazy flags ----------------------------------------- */

uint32_t x86_get_flags(struct x86_cpu *c);           /* materialised EFLAGS */
bool x86_cf(struct x86_cpu *c);
/* Condition cc (SDM Vol. 1 B.1, table B-1) with the current flags. */
bool x86_cond(struct x86_cpu *c, unsigned cc);
static inline void x86_lazy(struct x86_cpu *c, unsigned op, unsigned size, uint32_t a,
                            uint32_t b, uint32_t res)
{
    c->lf_op = (uint8_t)op;
    c->lf_size = (uint8_t)size;
    c->lf_a = a;
    c->lf_b = b;
    c->lf_res = res;
}
/* Sets the arithmetic flags to fl (only the FL_ARITH bits of fl count). */
static inline void x86_set_arith(struct x86_cpu *c, uint32_t fl)
{
    c->lf_op = LF_NONE;
    c->eflags = (c->eflags & ~FL_ARITH) | (fl & FL_ARITH);
}
uint32_t x86_szp(uint32_t res, unsigned size);       /* SF, ZF, PF of a result */
/* Writes EFLAGS as POPF/IRET do: only the bits in mask change. */
void x86_write_flags(struct x86_cpu *c, uint32_t value, uint32_t mask);
/* The bits POPF may change at the current privilege (SDM Vol. 2B POPF). */
uint32_t x86_popf_mask(struct x86_cpu *c, unsigned size);

/* ---- x86_mem.c: segmentation, paging, soft TLB, fetch ---------------- */

/* Data access of size 1, 2 or 4 bytes at seg:off with the segment's limit
 * and type checks (SDM Vol. 3A 5.3); X86_FAULT on #GP/#SS/#PF. */
int x86_read(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned size,
             uint32_t *value) ORR_MUST_CHECK;
int x86_write(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned size,
              uint32_t value) ORR_MUST_CHECK;
/* Checks that len bytes at off in segment seg can be accessed (segment
 * checks and every page translated, raising the fault if not), so that a
 * multi-part access can then move its bytes without a fault half way. */
int x86_probe(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned len, bool write);
/* Checks that seg:off..off+len-1 may be written (or read), without access. */
int x86_check_seg(struct x86_cpu *c, unsigned seg, uint32_t off, unsigned len,
                  bool write) ORR_MUST_CHECK;
/* Linear accesses at privilege 0 (descriptor tables, the IVT, the TSS). */
int x86_read_lin(struct x86_cpu *c, uint32_t lin, unsigned size, uint32_t *value) ORR_MUST_CHECK;
int x86_write_lin(struct x86_cpu *c, uint32_t lin, unsigned size, uint32_t value) ORR_MUST_CHECK;
/* The record of the instruction at CS:EIP; NULL after a fault (c->exc).
 * x86_fetch_record is the hot path (the memo of the current code page);
 * x86_fetch its miss path (TLB, decoded cache, decode, bus). */
const struct x86_rec *x86_fetch(struct x86_cpu *c);
static inline const struct x86_rec *x86_fetch_record(struct x86_cpu *c)
{
    const struct x86_seg *cs = &c->seg[SEG_CS];
    uint32_t eip = c->eip, lin = cs->base + eip;
    if (c->fast_valid && c->fast_lpage == (lin & ~(uint32_t)GUEST_PAGE_MASK) &&
        c->fast_gen == c->dc.generation && c->fast_mode == x86_dc_mode(c)) {
        const struct x86_rec *r = &c->fast_recs[lin & GUEST_PAGE_MASK];
        uint32_t last = eip + r->len - 1;
        /* Within the CS limit, and no 16-bit wrap (SDM Vol. 3A 5.3). */
        if (r->fn && last <= cs->limit && last >= eip && (x86_code32(c) || last <= 0xffffu))
            return r;
    }
    return x86_fetch(c);
}
/* Linear to physical for the debugger: no side effects. */
int x86_translate_debug(struct x86_cpu *c, uint32_t lin, bool write, bool user, uint32_t *pa);
void x86_tlb_flush(struct x86_cpu *c);
void x86_tlb_flush_nonglobal(struct x86_cpu *c);
void x86_tlb_flush_page(struct x86_cpu *c, uint32_t lin);
void x86_mem_flush(struct x86_cpu *c);
/* Drives A20M# (X86_IRQ_A20M): the soft TLB and the fetch shortcut hold
 * translations made under the old mask, so a change drops them. */
void x86_set_a20m(struct x86_cpu *c, bool level);
int x86_mem_init(struct x86_cpu *c, struct orr_error *err) ORR_MUST_CHECK;

/* Effective address of a record's memory operand (offset in r->seg). */
static inline uint32_t x86_ea(const struct x86_cpu *c, const struct x86_rec *r)
{
    uint32_t ea = r->disp;
    if (r->base != X86_NOREG)
        ea += c->gpr[r->base];
    if (r->index != X86_NOREG)
        ea += c->gpr[r->index] << r->scale;
    return (r->attr & X86_A_A32) ? ea : ea & 0xffffu;
}

/* The r/m operand of size bytes: a register or memory. */
static inline int read_rm(struct x86_cpu *c, const struct x86_rec *r, unsigned size, uint32_t *v)
{
    if (!(r->attr & X86_A_MEM)) {
        *v = get_reg(c, rec_rm(r), size);
        return X86_OK;
    }
    return x86_read(c, r->seg, x86_ea(c, r), size, v);
}

static inline int write_rm(struct x86_cpu *c, const struct x86_rec *r, unsigned size, uint32_t v)
{
    if (!(r->attr & X86_A_MEM)) {
        set_reg(c, rec_rm(r), size, v);
        return X86_OK;
    }
    return x86_write(c, r->seg, x86_ea(c, r), size, v);
}

/* ---- stack (x86_exec_control.c) -------------------------------------- */

/* Pushes/pops through SS with the stack's address size (SS.B). Multi-push
 * sequences use x86_push_at with a running stack pointer and commit ESP
 * at the end, so a fault leaves ESP untouched (SDM Vol. 3A 6.5, faults
 * are restartable). */
int x86_push(struct x86_cpu *c, unsigned size, uint32_t v) ORR_MUST_CHECK;
int x86_pop(struct x86_cpu *c, unsigned size, uint32_t *v) ORR_MUST_CHECK;
uint32_t x86_sp(const struct x86_cpu *c);
void x86_set_sp(struct x86_cpu *c, uint32_t sp);
int x86_push_at(struct x86_cpu *c, uint32_t *sp, unsigned size, uint32_t v) ORR_MUST_CHECK;
int x86_pop_at(struct x86_cpu *c, uint32_t *sp, unsigned size, uint32_t *v) ORR_MUST_CHECK;

/* ---- x86_seg.c: segment loads, interrupts ---------------------------- */

/* Loads a segment register as MOV/POP/LDS do in the current mode. */
int x86_load_seg(struct x86_cpu *c, unsigned seg, uint16_t sel) ORR_MUST_CHECK;
/* Real-mode/V86 segment value (base = sel << 4, limit kept). */
void x86_set_seg_real(struct x86_cpu *c, unsigned seg, uint16_t sel);
void x86_seg_derive(struct x86_seg *s);
/* Descriptor access for the protected-mode transfers (x86_far.c). */
int x86_read_descriptor(struct x86_cpu *c, uint16_t sel, uint32_t *lo, uint32_t *hi) ORR_MUST_CHECK;
void x86_seg_from_descriptor(struct x86_seg *s, uint16_t sel, uint32_t lo, uint32_t hi);
int x86_set_accessed(struct x86_cpu *c, uint16_t sel, uint32_t hi) ORR_MUST_CHECK;
/* x86_far.c: far JMP/CALL (code segments and call gates), RETF and IRET
 * in every mode (SDM Vol. 2A CALL, JMP, RET, IRET). The return address of
 * a CALL is c->next_eip; success sets c->next_eip to the target. */
int x86_far_jmp(struct x86_cpu *c, uint16_t sel, uint32_t off) ORR_MUST_CHECK;
int x86_far_call(struct x86_cpu *c, uint16_t sel, uint32_t off, unsigned size) ORR_MUST_CHECK;
int x86_far_ret(struct x86_cpu *c, unsigned size, uint32_t imm) ORR_MUST_CHECK;
int x86_iret(struct x86_cpu *c, unsigned size) ORR_MUST_CHECK;
/* x86_task.c: a task switch to the TSS sel (SDM Vol. 3A 7.3); the
 * outgoing task's EIP is saved as return_eip; has_code pushes an error
 * code on the new task's stack (an exception through a task gate). */
enum x86_task_reason { X86_TASK_JMP, X86_TASK_CALL, X86_TASK_IRET, X86_TASK_INT };
int x86_task_switch(struct x86_cpu *c, uint16_t sel, enum x86_task_reason why, bool has_code,
                    uint32_t code, uint32_t return_eip) ORR_MUST_CHECK;
/* The stack pointer of privilege level dpl from the current TSS. */
int x86_tss_stack(struct x86_cpu *c, unsigned dpl, uint16_t *ss, uint32_t *esp) ORR_MUST_CHECK;
/* A far transfer of control to a code segment sel:off at the current
 * privilege (real mode: any selector). */
int x86_load_cs(struct x86_cpu *c, uint16_t sel, uint32_t off) ORR_MUST_CHECK;
/* Delivers an interrupt or exception: return_eip is what is pushed (the
 * faulting instruction for faults, the next one for traps and INT n).
 * soft: INT n/INT3/INTO (privilege checks against the gate's DPL). */
int x86_interrupt(struct x86_cpu *c, unsigned vector, bool soft, bool has_code,
                  uint32_t code, uint32_t return_eip) ORR_MUST_CHECK;
/* Delivers c->exc for the instruction at c->eip; the double/triple-fault
 * escalation of SDM Vol. 3A 6.15 (interrupt 8). Returns false on a triple
 * fault (the machine resets). */
bool x86_deliver_exception(struct x86_cpu *c);
void x86_set_cr0(struct x86_cpu *c, uint32_t v);
/* Drives FERR# from the x87 state and CR0.NE. */
void x86_update_ferr(struct x86_cpu *c);
/* Writes DR7 and derives the enabled breakpoints. */
void x86_set_dr7(struct x86_cpu *c, uint32_t v);
void x86_set_cpl(struct x86_cpu *c, unsigned cpl);

/* ---- x86_decode.c ----------------------------------------------------- */

/* Decodes the instruction in bytes[0..avail) for a code segment of default
 * size code32 into r. Returns the length, or 0 when avail bytes do not
 * hold the whole instruction (and avail < 15). An instruction longer than
 * 15 bytes decodes to a #GP executor (SDM Vol. 2A 2.3.11); an undefined
 * opcode to a #UD executor. */
unsigned x86_decode(const uint8_t *bytes, unsigned avail, bool code32, unsigned features,
                    struct x86_rec *r);

/* ---- executors ------------------------------------------------------- */

int x86_exec_ud(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_too_long(struct x86_cpu *c, const struct x86_rec *r);
/* x86_alu.c */
int x86_exec_alu_rm_r(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_alu_r_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_alu_acc_imm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_alu_grp1(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_test_rm_r(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_test_acc_imm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_incdec_reg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_incdec_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_grp3_test(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_not(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_neg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mul(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_imul1(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_div(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_idiv(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_imul_r_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_imul_imm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_shift(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_shld_shrd(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_daa_das(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_aaa_aas(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_aam(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_aad(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_bt(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_bsf_bsr(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_xadd(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_cmpxchg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_cmpxchg8b(struct x86_cpu *c, const struct x86_rec *r);
/* x86_exec_data.c */
int x86_exec_mov_rm_r(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_r_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_rm_imm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_r_imm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_moffs(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_rm_sreg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_sreg_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_lea(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_xchg_rm_r(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_xchg_acc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_movx(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_cbw(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_cwd(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_lahf(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_sahf(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_salc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_xlat(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_flagop(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_setcc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_cmovcc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_bswap(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_lfar(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_push_reg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_pop_reg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_push_imm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_push_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_pop_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_push_sreg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_pop_sreg(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_pusha(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_popa(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_pushf(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_popf(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_enter(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_leave(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_bound(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_nop(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_esc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_wait(struct x86_cpu *c, const struct x86_rec *r);
/* x86_exec_control.c */
int x86_exec_jcc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_jmp_rel(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_call_rel(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_jmp_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_call_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_jmp_far(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_call_far(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_jmp_far_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_call_far_rm(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_ret(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_retf(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_iret(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_loop(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_jcxz(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_int(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_int3(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_into(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_hlt(struct x86_cpu *c, const struct x86_rec *r);
/* x86_string.c */
int x86_exec_string(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_in_out(struct x86_cpu *c, const struct x86_rec *r);
/* x86_system.c */
int x86_exec_cpuid(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_rdtsc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_rdpmc(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_rdmsr(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_wrmsr(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_cr(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_mov_dr(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_grp6(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_grp7(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_clts(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_cache(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_lar_lsl(struct x86_cpu *c, const struct x86_rec *r);
int x86_exec_arpl(struct x86_cpu *c, const struct x86_rec *r);
uint64_t x86_tsc(struct x86_cpu *c);
/* x86_cpu.c / x86_explain.c: the debugging side of the cpu interface. */
int x86_disasm(struct cpu *cpu, uint64_t va, char *buf, size_t buflen);
int x86_describe(struct cpu *cpu, uint64_t va, struct cpu_insn_info *info);
int x86_walk(struct cpu *cpu, uint64_t va, enum cpu_access access, bool user,
             struct cpu_walk_event *out);
/* Reports to the observer (c->observing only). */
void x86_observe_access(struct x86_cpu *c, uint32_t lin, unsigned size, bool write,
                        uint32_t value, bool fault);
void x86_observe_exception(struct x86_cpu *c, unsigned vector, uint32_t return_eip,
                           uint32_t flags, unsigned from_cpl);

#endif
