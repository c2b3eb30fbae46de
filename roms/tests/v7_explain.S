/* A tour for the explain view (docs/debugging.md, tests/integration/
 * test_explain.py): one instruction of each kind the monitor's `step`
 * describes, each at a label to break at. ARMv7 (arm-virt, cortex-a15).
 *
 *   dp_insn     data processing with a shifted operand that sets flags
 *   load_wb     a load with pre-indexed writeback
 *   ldm_insn    a load multiple
 *   it_block    a Thumb IT block (ITE EQ, then both instructions)
 *   mmu_load    a load from a page mapped through a second-level table,
 *               right after TLBIALL: the table walk is shown
 *   svc_insn    SVC from User mode: the exception entry
 * The SVC handler ends the run with semihosting exit status 0. */
    .syntax unified
    .arch armv7-a
    .arm

    .section .text.start, "ax"
    .global _start
_start:
    ldr     sp, =__stack_top
    ldr     r0, =vectors
    mcr     p15, 0, r0, c12, c0, 0      @ VBAR (B4.1.156)
    mvn     r0, #0xd                    @ r0 = 0xfffffff2
    mov     r1, #7
    .global dp_insn
dp_insn:
    adds    r2, r0, r1, lsl #1          @ r2 = 0xfffffff2 + 14 = 0, carry out: Z and C set
    ldr     r4, =table
    .global load_wb
load_wb:
    ldr     r3, [r4, #4]!               @ r3 = table[1], r4 += 4
    .global ldm_insn
ldm_insn:
    ldmia   r4, {r5-r7}                 @ table[1..3]
    adr     r0, thumb_part + 1
    bx      r0

    .thumb
    .thumb_func
thumb_part:
    cmp     r5, #0x22
    .global it_block
it_block:
    ite     eq
    moveq   r1, #1
    movne   r1, #2
    ldr     r0, =mmu_part
    bx      r0

    .arm
mmu_part:
    ldr     r1, =data_page
    ldr     r2, =0xcafe0042
    str     r2, [r1, #16]
    /* Level 1 (B3.5.1): 16 MiB of RAM and the UART as identity sections
     * (AP = 0b011, domain 0), and VA 0x80000000 through a level-2 table
     * whose first entry is a small page mapping data_page. */
    ldr     r0, =l1_table
    ldr     r1, =0x40000c02
    add     r2, r0, #(0x400 * 4)
    mov     r3, #16
1:  str     r1, [r2], #4
    add     r1, r1, #0x100000
    subs    r3, r3, #1
    bne     1b
    ldr     r1, =0x09000c02
    str     r1, [r0, #(0x090 * 4)]
    ldr     r1, =l2_table
    orr     r1, r1, #1                  @ page table, domain 0
    add     r2, r0, #(0x800 * 4)
    str     r1, [r2]
    ldr     r2, =l2_table
    ldr     r1, =data_page
    orr     r1, r1, #0x32               @ small page, AP[1:0] = 0b11
    str     r1, [r2]
    mcr     p15, 0, r0, c2, c0, 0       @ TTBR0
    mov     r1, #0
    mcr     p15, 0, r1, c2, c0, 2       @ TTBCR: N = 0
    mov     r1, #1
    mcr     p15, 0, r1, c3, c0, 0       @ DACR: domain 0 client
    mcr     p15, 0, r1, c8, c7, 0       @ TLBIALL
    mrc     p15, 0, r1, c1, c0, 0
    orr     r1, r1, #1
    mcr     p15, 0, r1, c1, c0, 0       @ SCTLR.M
    isb
    ldr     r9, =0x80000010
    mcr     p15, 0, r1, c8, c7, 0       @ TLBIALL again: the load below walks
    .global mmu_load
mmu_load:
    ldr     r8, [r9]                    @ data_page word 4
    cps     #0x10                       @ User mode
    .global svc_insn
svc_insn:
    svc     #0x42
    b       .

    .balign 32
vectors:
    b       .                           @ reset
    b       .                           @ undefined
    b       svc_handler
    b       .                           @ prefetch abort
    b       .                           @ data abort
    b       .
    b       .                           @ irq
    b       .                           @ fiq

svc_handler:
    mov     r0, #0x18                   @ SYS_EXIT
    ldr     r1, =0x20026                @ ADP_Stopped_ApplicationExit
    svc     0x123456
    b       .

    .ltorg

    .data
    .balign 4
    .global table
table:
    .word   0x11, 0x22, 0x33, 0x44, 0x55

    .bss
    .balign 16384
l1_table:
    .space  16384
    .balign 1024
l2_table:
    .space  1024
    .balign 4096
data_page:
    .space  4096
