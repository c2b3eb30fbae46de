/* Benchmark: a load/store loop copying a 256 KiB buffer to another, word
 * by word with post-indexed addressing, 100 times: 26 million instructions
 * of which half are memory accesses; then semihosting SYS_EXIT. */
    .syntax unified
    .arm
    .global _start
_start:
    mov     r5, #100
2:  ldr     r1, =0x40100000     /* source: 1 MiB into RAM */
    ldr     r2, =0x40200000     /* destination */
    mov     r4, #65536
1:  ldr     r3, [r1], #4
    str     r3, [r2], #4
    subs    r4, r4, #1
    bne     1b
    subs    r5, r5, #1
    bne     2b
    mov     r0, #0x18
    ldr     r1, =0x20026
    svc     0x123456
    b       .
