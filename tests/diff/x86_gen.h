/* Random x86 instruction blocks for orrery-unicorn-diff-x86: templates
 * that emit valid encodings for 16-bit real mode and 32-bit flat protected
 * mode, each with the EFLAGS bits the SDM leaves undefined after it. */
#ifndef ORRERY_TESTS_DIFF_X86_GEN_H
#define ORRERY_TESTS_DIFF_X86_GEN_H

#include <stdbool.h>
#include <stdint.h>

/* Guest memory layout (both modes): the data region at linear 0 (every
 * segment but CS has base 0, so every 16-bit offset lands in it), the code
 * at 0x11000, the descriptor tables and the exception stubs at 0x20000. */
#define XD_DATA_BASE   0x00000u
#define XD_DATA_SIZE   0x10000u
#define XD_CODE_BASE   0x11000u    /* a gap after the data: see XD_CMP_SIZE */
#define XD_CODE_SIZE   0x0f000u
/* Compared after each block: the data region and the gap above it, which
 * a 16-bit-address operand near 0xFFFF reaches in 32-bit mode (its bytes
 * go on past the offset's wrap, SDM Vol. 1 3.3.7), so such stores never
 * touch the code. */
#define XD_CMP_SIZE    XD_CODE_BASE
#define XD_SYS_BASE    0x20000u    /* IDT (32-bit) or IVT (real mode) */
#define XD_GDT_BASE    0x21000u
#define XD_STUB_BASE   0x22000u    /* vector n's handler: a HLT at STUB_BASE + n */
#define XD_MEM_SIZE    0x30000u

#define XD_MAX_INSNS 64
#define XD_MAX_CODE  1024

struct xgen {
    uint64_t s[2];   /* xorshift128+ state */
    bool code32;     /* 32-bit protected mode (false: real mode) */
    uint32_t undef;  /* EFLAGS bits undefined now (SDM per instruction) */
    unsigned fdepth; /* x87 registers in use, from ST(0) up */
    uint16_t fcw;    /* x87 control word of the block */
};

struct xblock {
    uint8_t code[XD_MAX_CODE];
    unsigned len;
    unsigned n;                         /* instructions (setups included) */
    uint16_t off[XD_MAX_INSNS + 1];     /* offset of each instruction */
    uint16_t tmpl[XD_MAX_INSNS];        /* template index of each (setups: XG_SETUP) */
    uint32_t undef_at[XD_MAX_INSNS];    /* EFLAGS bits undefined after each */
    uint32_t undef;                     /* EFLAGS bits undefined at the end */
    unsigned fdepth;                    /* x87 values on the stack at the start */
    uint16_t fcw;                       /* x87 control word at the start */
};

#define XG_SETUP 0xffffu
/* x87 condition codes C0 C2 C3 undefined (SDM Vol. 1 8.1.3.1, table 8-4:
 * loads, stores and arithmetic leave them undefined), carried in
 * xblock.undef as the status word bits shifted left by 16. */
#define XG_FPU_CC_UNDEF (0x4500u << 16)
/* Unicorn erratum E9 state: since a CMPXCHG8B, no instruction has set all
 * six arithmetic flags, and Unicorn's EFLAGS as read is garbage. */
#define XG_E9 (1u << 20)

void xgen_seed(struct xgen *g, uint64_t seed);
uint64_t xgen_next(struct xgen *g);
uint32_t xgen_below(struct xgen *g, uint32_t n);
/* A block of about want template instructions (plus the setup moves they
 * need), enabled[t] selecting the templates. */
void xgen_block(struct xgen *g, struct xblock *b, unsigned want, const bool *enabled);

unsigned xgen_template_count(void);
const char *xgen_template_name(unsigned t);

#endif
