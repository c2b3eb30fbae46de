/* The x87 floating-point unit: state and the one entry point the x86 core
 * calls for the escape opcodes D8..DF and for WAIT/FWAIT (9B).
 *
 * The unit is self-contained: it knows nothing of segments, paging or the
 * core's exception machinery. The core decodes prefixes and ModRM, computes
 * the operand's effective offset, and hands the escape over in a struct
 * x87_insn; the unit reads and writes memory through the callbacks in
 * struct x87_env and reports what happened in its return value.
 *
 * What stays with the core (Intel SDM Vol. 3A §2.5 and the CR0.EM/MP/TS table
 * of the x87 chapter):
 *   - #NM: CR0.EM=1, or CR0.TS=1 (with MP=1 for WAIT), is checked by the
 *     core BEFORE calling x87_execute; the unit never sees it.
 *   - #MF or FERR#: x87_execute returns X87_RAISE_MF when a waiting
 *     instruction finds an unmasked exception pending (status word ES=1,
 *     SDM Vol. 1 §8.7); the core raises #MF when CR0.NE=1 and otherwise
 *     signals FERR# (IRQ 13 on a PC) as it sees fit. x87_error_pending says
 *     whether FERR# is asserted right now.
 *   - #UD: x87_execute returns X87_UNDEFINED for the reserved encodings.
 *   - FXSAVE/FXRSTOR (0F AE /0, /1) are not escapes: the core calls
 *     x87_fxsave / x87_fxrstor after its own alignment (#GP) and CR4.OSFXSR
 *     checks.
 *
 * Results are bit-identical on every host: all arithmetic is integer
 * arithmetic (softfloat80.h); nothing depends on the host's FPU. */
#ifndef ORRERY_ISA_X86_X87_H
#define ORRERY_ISA_X86_X87_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/error.h"
#include "isa-x86/softfloat80.h"

struct state_writer;
struct state_reader;
struct orr_error;

/* Control word fields (SDM Vol. 1 §8.1.5). */
#define X87_CW_IM 0x0001u
#define X87_CW_DM 0x0002u
#define X87_CW_ZM 0x0004u
#define X87_CW_OM 0x0008u
#define X87_CW_UM 0x0010u
#define X87_CW_PM 0x0020u
#define X87_CW_PC_SHIFT 8      /* 00 = 24 bits, 10 = 53 bits, 11 = 64 bits */
#define X87_CW_RC_SHIFT 10     /* 00 nearest, 01 down, 10 up, 11 toward zero */
#define X87_CW_X 0x1000u       /* infinity control: kept, no effect (387+) */

/* Status word bits (SDM Vol. 1 §8.1.3). TOP is kept apart in struct x87
 * and merged into the word when it is read. */
#define X87_SW_IE 0x0001u
#define X87_SW_DE 0x0002u
#define X87_SW_ZE 0x0004u
#define X87_SW_OE 0x0008u
#define X87_SW_UE 0x0010u
#define X87_SW_PE 0x0020u
#define X87_SW_SF 0x0040u
#define X87_SW_ES 0x0080u
#define X87_SW_C0 0x0100u
#define X87_SW_C1 0x0200u
#define X87_SW_C2 0x0400u
#define X87_SW_TOP_SHIFT 11
#define X87_SW_C3 0x4000u
#define X87_SW_B 0x8000u

/* EFLAGS bits the FCOMI family writes and FCMOVcc reads. */
#define X87_EFLAGS_CF 0x0001u
#define X87_EFLAGS_PF 0x0004u
#define X87_EFLAGS_AF 0x0010u
#define X87_EFLAGS_ZF 0x0040u
#define X87_EFLAGS_SF 0x0080u
#define X87_EFLAGS_OF 0x0800u

/* The whole architectural state of the unit. */
struct x87 {
    struct f80 st[8];            /* physical registers R0..R7 (ST(i) is R[(top+i)&7]) */
    uint16_t cw;              /* control word */
    uint16_t sw;              /* status word without TOP (bits 13..11 always 0 here) */
    uint8_t top;              /* TOP, 0..7 */
    /* Abridged tag: bit i set = R[i] holds a value. The full 2-bit tags
     * (valid/zero/special) are computed from the register contents when
     * they are stored, as the P6 does (SDM Vol. 1 §8.1.7, §10.5.1.1). */
    uint8_t valid;
    /* The last non-control instruction (SDM Vol. 1 §8.1.8, §8.1.9). */
    uint16_t fop;             /* 11 bits: low 3 bits of the escape byte, then ModRM */
    uint16_t fcs, fds;
    uint32_t fip, fdp;
};

/* Operating mode, for the layouts of FSTENV/FLDENV/FSAVE/FRSTOR
 * (SDM Vol. 1 §8.1.10, Figures 8-9 to 8-12). V86 uses the real-mode layout. */
enum x87_mode {
    X87_MODE_REAL,
    X87_MODE_V86,
    X87_MODE_PROTECTED,
};

/* One decoded escape instruction. */
struct x87_insn {
    uint8_t opcode;       /* D8..DF, or 9B for WAIT/FWAIT (other fields unused) */
    uint8_t modrm;
    bool mem;             /* ModRM.mod != 3: the operand is in memory at `offset` */
    bool op32;            /* 32-bit operand size (after any 66 prefix): FSTENV etc. layouts */
    /* The operand's effective offset in its segment (with any segment
     * override already chosen by the core), and that segment's selector,
     * for FDP/FDS. */
    uint32_t offset;
    uint16_t data_sel;
    /* The instruction's CS selector and offset (of its first prefix byte,
     * as the P6 records it), for FIP/FCS. */
    uint16_t cs;
    uint32_t eip;
};

/* Memory access for the current instruction. `offset` is the operand's
 * effective offset (insn->offset, or the FXSAVE area's); the core wraps
 * it to the address size and applies the segment (its limit and rights
 * checks, alignment, paging) to the whole `size` bytes.
 * size is 2, 4, 8, 10, 14, 28, 94, 108 or 160: each instruction makes at
 * most one read and one write call, the read first, so a fault leaves
 * memory untouched for loads and the unit's state untouched for every
 * instruction. Returns 0, or the core's fault code (nonzero), which
 * x87_execute hands back unchanged in env->fault. Bytes are little-endian
 * guest memory order. */
typedef int (*x87_read_fn)(void *ctx, uint32_t offset, unsigned size, void *buf);
typedef int (*x87_write_fn)(void *ctx, uint32_t offset, unsigned size, const void *buf);

/* What x87_execute changed outside the unit (env->outputs). */
#define X87_OUT_AX 0x1u       /* FNSTSW AX: env->ax holds the new AX */
#define X87_OUT_EFLAGS 0x2u   /* FCOMI family: env->eflags holds the new EFLAGS */

struct x87_env {
    enum x87_mode mode;
    uint32_t eflags;      /* in: current EFLAGS (FCMOVcc); out: see X87_OUT_EFLAGS */
    uint16_t ax;          /* out: see X87_OUT_AX */
    unsigned outputs;     /* out: X87_OUT_* set by this call */
    int fault;            /* out: the callback's code when X87_MEM_FAULT */
    void *ctx;
    x87_read_fn read;
    x87_write_fn write;
};

enum x87_result {
    X87_OK = 0,           /* executed (possibly with a masked exception, or an
                           * unmasked one now pending: see x87_error_pending) */
    X87_RAISE_MF,         /* not executed: an unmasked exception was pending
                           * before this waiting instruction */
    X87_MEM_FAULT,        /* not executed: a memory callback failed with env->fault */
    X87_UNDEFINED,        /* reserved encoding: the core raises #UD */
    X87_GENERAL_PROTECTION, /* FXRSTOR with a reserved MXCSR bit: #GP(0) */
};

/* Power-on / RESET state (SDM Vol. 3A §9.1.1, Table 9-1): CW 0x0040,
 * SW 0, tag word 0x5555 (every register holds +0.0), pointers 0. */
void x87_reset(struct x87 *f);
/* FNINIT (SDM Vol. 2A FINIT/FNINIT): CW 0x037F, SW 0, tag word 0xFFFF
 * (all empty), FIP/FDP/FCS/FDS/FOP 0; register contents are kept. */
void x87_init(struct x87 *f);

/* Executes one escape (or WAIT). See enum x87_result. */
enum x87_result x87_execute(struct x87 *f, const struct x87_insn *insn,
                            struct x87_env *env) ORR_MUST_CHECK;

/* FXSAVE / FXRSTOR of the first 160 bytes of the 512-byte area at
 * `offset` (SDM Vol. 2A FXSAVE, Table 3-53 (32-bit layout); Vol. 1
 * §10.5.1): FCW, abridged FTW, FSW, FOP, FIP/FCS, FDP/FDS, MXCSR,
 * MXCSR_MASK and ST0..ST7 (16 bytes each). The XMM registers (bytes
 * 160..415) are the core's business if it has SSE. The core checks
 * alignment (#GP) before calling. One write (160 bytes) / one read.
 * x87_fxrstor returns X87_GENERAL_PROTECTION, changing nothing, when the
 * loaded MXCSR has a bit set outside mxcsr_mask (SDM: #GP); else stores
 * the loaded MXCSR in *mxcsr. */
enum x87_result x87_fxsave(struct x87 *f, struct x87_env *env, uint32_t offset,
                           uint32_t mxcsr, uint32_t mxcsr_mask) ORR_MUST_CHECK;
enum x87_result x87_fxrstor(struct x87 *f, struct x87_env *env, uint32_t offset,
                            uint32_t mxcsr_mask, uint32_t *mxcsr) ORR_MUST_CHECK;

/* The status word as FNSTSW reads it (TOP merged in). */
uint16_t x87_status_word(const struct x87 *f);
/* The full tag word as FNSTENV writes it (2 bits per physical register). */
uint16_t x87_tag_word(const struct x87 *f);
/* ES is set: FERR# is asserted (the core's IRQ 13 logic when CR0.NE=0). */
bool x87_error_pending(const struct x87 *f);

/* ST(i) for the debugger, and writing it (marks it valid). */
struct f80 x87_get_st(const struct x87 *f, unsigned i);
void x87_set_st(struct x87 *f, unsigned i, struct f80 v);

/* Save state: explicit fields inside the caller's open section. */
void x87_save(const struct x87 *f, struct state_writer *w);
int x87_load(struct x87 *f, struct state_reader *r, struct orr_error *err) ORR_MUST_CHECK;

#endif
