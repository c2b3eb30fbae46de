/* Common startup: ARM state, SVC mode as after reset. Sets the stack,
 * clears .bss, calls main() and hands its result to rt_exit(). */
    .syntax unified
    .arm
    .section .text.start, "ax"
    .global _start
_start:
    ldr     sp, =__stack_top
    ldr     r0, =__bss_start
    ldr     r1, =__bss_end
    mov     r2, #0
1:  cmp     r0, r1
    strlo   r2, [r0], #4
    blo     1b
    bl      main
    bl      rt_exit
2:  b       2b

/* Semihosting (ARM state: SVC 0x123456). r0 = operation, r1 = argument. */
    .text
    .global semihost
semihost:
    svc     0x123456
    bx      lr
