/* Benchmark: a tight integer loop (add, shifted eor, count down, branch),
 * 25 million iterations = 100 million instructions, then semihosting
 * SYS_EXIT with status 0. */
    .syntax unified
    .arm
    .global _start
_start:
    ldr     r0, =25000000
    mov     r1, #0
    mov     r2, #1
1:  add     r1, r1, r2
    eor     r2, r2, r1, lsl #3
    subs    r0, r0, #1
    bne     1b
    mov     r0, #0x18           /* SYS_EXIT */
    ldr     r1, =0x20026        /* ADP_Stopped_ApplicationExit */
    svc     0x123456
    b       .
