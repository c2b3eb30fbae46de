/* Exception entry and return (ARMv5TE): SWI from ARM state, from Thumb
 * state and from User mode; undefined instructions in ARM state, in Thumb
 * state and to an absent coprocessor. Each check looks at what the
 * handler saw on entry (mode, I and F bits, SPSR, the return link, its
 * banked stack pointer, the instruction that trapped) and at what the
 * caller has after the handler's `MOVS pc, lr` (flags, mode, state,
 * registers).
 *
 * ARM ARM (DDI 0100I) A2.6: on entry CPSR.I is set and CPSR.F is left
 * alone for SWI and undefined instructions; R14 of the new mode holds the
 * address of the next instruction (ARM: the trapping one + 4, Thumb: + 2);
 * SPSR holds the caller's CPSR.
 *
 * The vectors: an ARMv5 core takes exceptions at address 0 (SCTLR.V
 * clear), so the table is copied there; an ARMv7 core with the Security
 * Extensions (QEMU's Cortex-A15) is pointed at it through VBAR instead,
 * since QEMU's `virt` has flash at 0. So this program needs writable
 * memory at address 0 on an ARMv5 core (docs/roms.md).
 *
 * Each group returns 0 or the number of its first failed check. */
    .syntax unified
    .arch armv5te
    .arm

#define N 0x80000000
#define Z 0x40000000
#define C 0x20000000
#define V 0x10000000
#define I_BIT 0x80
#define F_BIT 0x40
#define T_BIT 0x20
#define IF 0xc0
#define M_USR 0x10
#define M_SVC 0x13
#define M_UND 0x1b
#define M_SYS 0x1f

/* SWI numbers the handler treats specially. */
#define SWI_TO_SYS 0x99           /* return to the caller in SYS mode */

/* Compare a register with a value; on mismatch return check number n. */
.macro expect reg, val, n
    ldr     ip, =\val
    cmp     \reg, ip
    movne   r0, #\n
    bne     leave
.endm

/* Compare a PSR value's flags, mask bits, state and mode (bits 31:28 and
 * 7:0) with val; ARMv6 and later add bits (A, E, GE) this does not look at. */
.macro expect_psr reg, val, n
    ldr     ip, =0xf00000ff
    and     \reg, \reg, ip
    expect  \reg, \val, \n
.endm

/* A group runs in SYS mode on its own stack, with IRQ and FIQ enabled
 * (nothing on the board raises either: the test checks how entry changes
 * the mask bits). r10 and r11 keep the runner's CPSR and SP. */
.macro group_begin name
    .text
    .type   \name, %function
\name:
    push    {r4-r11, lr}
    mrs     r10, cpsr
    mov     r11, sp
    msr     cpsr_c, #(IF | M_UND)
    ldr     sp, =und_stack_top
    msr     cpsr_c, #M_SYS
    ldr     sp, =sys_stack_top
.endm

.macro group_end
    mov     r0, #0
    b       leave
    .ltorg
.endm

    .text
/* Back to the runner's mode and stack with r0 as the result. */
leave:
    msr     cpsr_fsxc, r10
    mov     sp, r11
    pop     {r4-r11, pc}

/* ---- the vector table --------------------------------------------------- */
/* Position independent: each entry loads its handler's address from the
 * word 32 bytes further on, so the table works wherever it is copied. */
    .align  5
vector_table:
    ldr     pc, [pc, #24]           @ 0x00 reset
    ldr     pc, [pc, #24]           @ 0x04 undefined instruction
    ldr     pc, [pc, #24]           @ 0x08 SWI
    ldr     pc, [pc, #24]           @ 0x0c prefetch abort
    ldr     pc, [pc, #24]           @ 0x10 data abort
    ldr     pc, [pc, #24]           @ 0x14 reserved
    ldr     pc, [pc, #24]           @ 0x18 IRQ
    ldr     pc, [pc, #24]           @ 0x1c FIQ
    .word   unexpected_reset, undef_handler, swi_handler, unexpected_pabt
    .word   unexpected_dabt, unexpected_reserved, unexpected_irq, unexpected_fiq
vector_table_end:

/* An exception nobody expected ends the run with 900 + its vector number. */
unexpected_reset:
    ldr     r0, =900
    b       unexpected
unexpected_pabt:
    ldr     r0, =903
    b       unexpected
unexpected_dabt:
    ldr     r0, =904
    b       unexpected
unexpected_reserved:
    ldr     r0, =905
    b       unexpected
unexpected_irq:
    ldr     r0, =906
    b       unexpected
unexpected_fiq:
    ldr     r0, =907
unexpected:
    ldr     sp, =exc_stack_top
    mov     r4, r0
    adr     r0, s_unexpected
    bl      uart_puts
    mov     r0, r4
    bl      rt_exit
s_unexpected:
    .asciz  "unexpected exception\n"
    .align  2

/* SWI: records what it saw in swi_seen, returns r0 + its comment field.
 * The handler's own flags differ from the caller's, which the return must
 * restore from SPSR. */
swi_handler:
    push    {r1-r4}
    ldr     r1, =swi_seen
    mrs     r2, cpsr
    str     r2, [r1, #0]
    mrs     r2, spsr
    str     r2, [r1, #4]
    str     lr, [r1, #8]
    add     r3, sp, #16             @ SP on entry, before the push
    str     r3, [r1, #12]
    tst     r2, #T_BIT
    ldrhne  r3, [lr, #-2]           @ Thumb: SWI imm8
    andne   r3, r3, #0xff
    ldreq   r3, [lr, #-4]           @ ARM: SWI imm24
    biceq   r3, r3, #0xff000000
    str     r3, [r1, #16]
    add     r0, r0, r3
    cmp     r3, #SWI_TO_SYS         @ from User mode: come back privileged
    biceq   r2, r2, #0x1f
    orreq   r2, r2, #M_SYS
    msreq   spsr_fsxc, r2
    cmp     r0, r0                  @ Z set, C set: not the caller's flags
    pop     {r1-r4}
    movs    pc, lr

/* Undefined instruction: records what it saw in und_seen, counts, and
 * resumes after the instruction. */
undef_handler:
    push    {r1-r3}
    ldr     r1, =und_seen
    mrs     r2, cpsr
    str     r2, [r1, #0]
    mrs     r2, spsr
    str     r2, [r1, #4]
    str     lr, [r1, #8]
    add     r3, sp, #12
    str     r3, [r1, #12]
    tst     r2, #T_BIT
    ldrhne  r3, [lr, #-2]
    ldreq   r3, [lr, #-4]
    str     r3, [r1, #16]
    ldr     r3, [r1, #20]
    add     r3, r3, #1
    str     r3, [r1, #20]
    msr     cpsr_f, #(N | V)        @ not the caller's flags
    pop     {r1-r3}
    movs    pc, lr

/* ---- installing the vectors --------------------------------------------- */
group_begin test_vectors
    mrc     p15, 0, r0, c1, c0, 0   @ SCTLR: low vectors
    bic     r0, r0, #0x2000
    mcr     p15, 0, r0, c1, c0, 0
    mrc     p15, 0, r0, c0, c0, 0   @ MIDR
    and     r0, r0, #0x000f0000
    cmp     r0, #0x000f0000         @ CPUID scheme: ARMv7 or later
    bne     1f
    ldr     r0, =vector_table
    mcr     p15, 0, r0, c12, c0, 0  @ VBAR
    b       2f
1:  ldr     r0, =vector_table       @ ARMv5: copy the table to address 0
    mov     r1, #0
    ldmia   r0!, {r2-r9}
    stmia   r1!, {r2-r9}
    ldmia   r0!, {r2-r9}
    stmia   r1!, {r2-r9}
    mov     r1, #0                  @ and check it is there
    ldr     r2, [r1, #0x28]
    expect  r2, swi_handler, 1
2:  ldr     r0, =und_seen
    mov     r1, #0
    str     r1, [r0, #20]
group_end

/* ---- SWI ---------------------------------------------------------------- */
group_begin test_swi
    ldr     lr, =0x1234abcd         @ SYS LR must survive
    ldr     r4, =0x44444444
    mov     r5, #0x55
    ldr     r9, =0x99999999
    msr     cpsr_f, #(N | C)
    mov     r0, #5
    svc     #0x42
swi_ret_arm:
    mrs     r1, cpsr
    expect_psr r1, (N | C | M_SYS), 10    @ flags, mode, I, F, T as before
    expect  r0, 5 + 0x42, 11
    expect  lr, 0x1234abcd, 12
    expect  r4, 0x44444444, 13
    expect  r5, 0x55, 14
    expect  r9, 0x99999999, 15
    ldr     r6, =swi_seen
    ldr     r1, [r6, #0]
    and     r1, r1, #0xff
    expect  r1, (I_BIT | M_SVC), 16    @ SVC mode, IRQ masked, F unchanged, ARM
    ldr     r1, [r6, #4]
    expect_psr r1, (N | C | M_SYS), 17    @ SPSR = caller's CPSR
    ldr     r1, [r6, #8]
    expect  r1, swi_ret_arm, 18        @ LR = next instruction
    ldr     r1, [r6, #12]
    cmp     r1, r11                    @ SVC's own banked SP
    movne   r0, #19
    bne     leave
    ldr     r1, [r6, #16]
    expect  r1, 0x42, 20

    /* from Thumb state */
    msr     cpsr_f, #0
    blx     thumb_swi
    mrs     r1, cpsr
    expect_psr r1, M_SYS, 30              @ back in ARM state after the BX
    expect  r0, 7 + 0x12, 31
    ldr     r1, [r6, #4]
    and     r1, r1, #0xff
    expect  r1, (T_BIT | M_SYS), 32    @ SPSR.T: the caller was Thumb
    ldr     r1, [r6, #8]
    expect  r1, thumb_swi_ret, 33      @ Thumb: the SWI + 2
    ldr     r1, [r6, #16]
    expect  r1, 0x12, 34
    ldr     r1, [r6, #0]
    tst     r1, #T_BIT                 @ handlers run in ARM state
    movne   r0, #35
    bne     leave

    /* from User mode, returning to SYS through the handler (no checks
     * while in User mode: only the SWI leads back) */
    msr     cpsr_c, #M_USR
    mrs     r7, cpsr
    mov     r0, #1
    svc     #SWI_TO_SYS
    mrs     r1, cpsr
    and     r7, r7, #0x1f
    expect  r7, M_USR, 40
    and     r1, r1, #0xff
    expect  r1, M_SYS, 41
    expect  r0, 1 + SWI_TO_SYS, 42
    ldr     r1, [r6, #4]
    and     r1, r1, #0x1f
    expect  r1, M_USR, 43
group_end

    .thumb
    .type   thumb_swi, %function
    .thumb_func
thumb_swi:
    movs    r0, #7
    svc     #0x12
thumb_swi_ret:
    bx      lr
    .arm

/* ---- undefined instructions --------------------------------------------- */
group_begin test_undef
    ldr     r6, =und_seen
    mov     r0, #0
    str     r0, [r6, #20]
    mov     r4, #0x44
    msr     cpsr_f, #(Z | C)
udf_arm:
    .word   0xe7f000f0              @ UDF #0 (v7); undefined space on v5 (A3.16.5)
    mrs     r1, cpsr
    expect_psr r1, (Z | C | M_SYS), 50
    expect  r4, 0x44, 51
    ldr     r1, [r6, #20]
    expect  r1, 1, 52                  @ trapped once, resumed after it
    ldr     r1, [r6, #0]
    and     r1, r1, #0xff
    expect  r1, (I_BIT | M_UND), 53
    ldr     r1, [r6, #4]
    expect_psr r1, (Z | C | M_SYS), 54
    ldr     r1, [r6, #8]
    expect  r1, udf_arm + 4, 55
    ldr     r1, [r6, #12]
    expect  r1, und_stack_top, 56      @ UND's own banked SP
    ldr     r1, [r6, #16]
    expect  r1, 0xe7f000f0, 57

    /* in Thumb state */
    blx     thumb_udf
    expect  r0, 0x77, 60               @ the code after it ran
    ldr     r1, [r6, #20]
    expect  r1, 2, 61
    ldr     r1, [r6, #4]
    and     r1, r1, #0xff
    expect  r1, (T_BIT | M_SYS), 62
    ldr     r1, [r6, #8]
    expect  r1, thumb_udf_insn + 2, 63
    ldr     r1, [r6, #16]
    expect  r1, 0xde00, 64

    /* a coprocessor that is not there */
    mov     r0, #0x5a
udf_cp:
    mrc     p6, 0, r0, c0, c0, 0
    ldr     r1, [r6, #20]
    expect  r1, 3, 70
    expect  r0, 0x5a, 71               @ no coprocessor wrote r0
    ldr     r1, [r6, #8]
    expect  r1, udf_cp + 4, 72
group_end

    .thumb
    .type   thumb_udf, %function
    .thumb_func
thumb_udf:
    movs    r0, #0
thumb_udf_insn:
    .short  0xde00                  @ UDF (v7); undefined B<cond> 0b1110 (v5)
    movs    r0, #0x77
    bx      lr
    .arm

/* ---- the table the runner walks ----------------------------------------- */
    .section .rodata
    .global test_program_name
test_program_name:
    .asciz  "exceptions"
s_vectors:  .asciz  "vectors installed"
s_swi:      .asciz  "SWI entry and return"
s_undef:    .asciz  "undefined instruction trap and return"
    .align  2
    .global test_groups
test_groups:
    .word   s_vectors, test_vectors
    .word   s_swi, test_swi
    .word   s_undef, test_undef
    .word   0, 0

    .bss
    .align  3
swi_seen:
    .space  32
und_seen:
    .space  32
    .space  1024
sys_stack_top:
    .space  256
und_stack_top:
    .space  256
exc_stack_top:
