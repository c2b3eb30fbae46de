/* Thumb-state self-checks (ARMv5TE Thumb): arithmetic and flags, shifts,
 * high-register operations, conditional branches, loads/stores of every
 * size and signedness with immediate, register, sp- and pc-relative
 * addressing, PUSH/POP and LDMIA/STMIA, and interworking with ARM code
 * through BX and BLX (both directions).
 *
 * Each group is a Thumb function the ARM runner calls through BLX; it
 * returns 0 or the number of its first failed check. r7 is the scratch
 * register of the check macros. */
    .syntax unified
    .arch armv5te
    .thumb

/* Compare a low register with a value; on mismatch return check n.
 * CMP changes the flags, so flag checks come before value checks. */
.macro expect reg, val, n
    ldr     r7, =\val
    cmp     \reg, r7
    beq     1f
    movs    r0, #\n
    b       fail
1:
.endm

/* N Z C V into r7 (via the ARM helper, Thumb-1 has no MRS), compare. */
.macro expect_flags val, n
    blx     read_flags
    ldr     r6, =\val
    cmp     r7, r6
    beq     1f
    movs    r0, #\n
    b       fail
1:
.endm

.macro group_begin name
    .text
    .thumb
    .type   \name, %function
    .thumb_func
\name:
    push    {r4-r7, lr}
    mov     r4, r8                  @ r8-r11 are callee-saved too
    mov     r5, r9
    mov     r6, r10
    mov     r7, r11
    push    {r4-r7}
.endm

.macro group_end
    movs    r0, #0
    b       fail
    .ltorg
.endm

#define N 0x80000000
#define Z 0x40000000
#define C 0x20000000
#define V 0x10000000

    .text
    .thumb_func
fail:                               @ also the normal exit, with r0 = 0
    pop     {r4-r7}
    mov     r8, r4
    mov     r9, r5
    mov     r10, r6
    mov     r11, r7
    pop     {r4-r7, pc}

/* ---- arithmetic and flags --------------------------------------------------- */
group_begin t_alu
    ldr     r1, =0x7fffffff
    adds    r2, r1, #1
    expect_flags (N | V), 1
    expect  r2, 0x80000000, 2
    movs    r1, #0
    subs    r1, r1, #1              @ 0 - 1: borrow
    expect_flags N, 3
    expect  r1, 0xffffffff, 4
    adds    r2, r1, #1
    expect_flags (Z | C), 5
    movs    r1, #200
    movs    r2, #55
    adds    r3, r1, r2
    expect  r3, 255, 6
    subs    r3, r1, r2
    expect  r3, 145, 7
    adds    r3, #100
    expect  r3, 245, 8
    subs    r3, #45
    expect  r3, 200, 9
    negs    r3, r2
    expect  r3, -55, 10
    muls    r3, r2, r3
    expect  r3, -3025, 11
    movs    r1, #1
    cmp     r1, #2                  @ borrow: C clear, N set
    movs    r2, #10
    movs    r3, #3
    adcs    r2, r3                  @ 10 + 3 + 0
    expect  r2, 13, 12
    cmp     r1, #1                  @ C set
    sbcs    r2, r3                  @ 13 - 3 - 0
    expect  r2, 10, 13
    cmp     r1, #2
    sbcs    r2, r3                  @ 10 - 3 - 1
    expect  r2, 6, 14
    movs    r1, #0xf0
    movs    r2, #0x3c
    ands    r2, r1
    expect  r2, 0x30, 15
    movs    r2, #0x0f
    orrs    r2, r1
    expect  r2, 0xff, 16
    eors    r2, r1
    expect  r2, 0x0f, 17
    movs    r2, #0x30
    bics    r1, r2
    expect  r1, 0xc0, 18
    mvns    r2, r1
    expect  r2, 0xffffff3f, 19
    tst     r1, r2
    expect_flags (Z | C), 20        @ C from the earlier compare
    cmn     r1, r2                  @ 0xc0 + 0xffffff3f = 0xffffffff
    expect_flags N, 21
    /* shifts, immediate and by register */
    ldr     r1, =0x80000001
    lsls    r2, r1, #1
    expect_flags C, 22
    expect  r2, 2, 23
    lsrs    r2, r1, #1
    expect_flags C, 24
    expect  r2, 0x40000000, 25
    asrs    r2, r1, #31
    expect  r2, 0xffffffff, 26
    lsrs    r2, r1, #32
    expect_flags (Z | C), 27
    movs    r3, #4
    movs    r2, r1
    rors    r2, r3
    expect  r2, 0x18000000, 28
    movs    r3, #33
    movs    r2, r1
    lsls    r2, r3
    expect_flags Z, 29
    movs    r3, #0
    movs    r2, r1
    lsrs    r2, r3                  @ by 0: unchanged, C unchanged
    expect  r2, 0x80000001, 30
group_end

/* ---- high registers and branches --------------------------------------------- */
group_begin t_hireg
    mov     r8, sp
    movs    r1, #40
    mov     r9, r1
    add     r9, r9                  @ high + high
    mov     r2, r9
    expect  r2, 80, 40
    mov     r10, r2
    cmp     r10, r9
    beq     1f
    movs    r0, #41
    b       fail
1:  add     r2, sp, #16             @ sp-relative address
    mov     r3, sp
    subs    r2, r2, r3
    expect  r2, 16, 42
    sub     sp, #8
    add     sp, #8
    mov     r3, sp
    cmp     r3, r8
    beq     2f
    movs    r0, #43
    b       fail
2:  adr     r2, 3f
    movs    r3, #0
    movs    r1, #5
4:  adds    r3, #2                  @ a counted loop: bne backwards
    subs    r1, #1
    bne     4b
    expect  r3, 10, 44
    movs    r1, #1
    cmp     r1, #2
    bge     5f                      @ not taken
    blt     6f
5:  movs    r0, #45
    b       fail
6:  cmp     r1, #0
    bls     5b
    bhi     3f
    b       5b
    .align  2
3:
group_end

/* ---- loads and stores ---------------------------------------------------------- */
group_begin t_ldst
    ldr     r4, =tbuf
    ldr     r1, =0x8899aabb
    str     r1, [r4]
    ldr     r2, [r4]
    expect  r2, 0x8899aabb, 50
    ldrb    r2, [r4, #1]
    expect  r2, 0xaa, 51
    ldrh    r2, [r4, #2]
    expect  r2, 0x8899, 52
    movs    r3, #1
    ldrsb   r2, [r4, r3]
    expect  r2, 0xffffffaa, 53
    movs    r3, #2
    ldrsh   r2, [r4, r3]
    expect  r2, 0xffff8899, 54
    ldrb    r2, [r4, r3]
    expect  r2, 0x99, 55
    ldrh    r2, [r4, r3]
    expect  r2, 0x8899, 56
    movs    r3, #4
    movs    r1, #0x5a
    strb    r1, [r4, r3]
    movs    r3, #5
    strb    r1, [r4, r3]
    ldr     r1, =0x1234
    strh    r1, [r4, #6]
    ldr     r2, [r4, #4]
    expect  r2, 0x12345a5a, 57
    movs    r3, #8
    str     r2, [r4, r3]
    ldr     r1, [r4, r3]
    expect  r1, 0x12345a5a, 58
    movs    r3, #6
    ldr     r1, =0xfedc
    strh    r1, [r4, r3]
    ldrsh   r2, [r4, r3]
    expect  r2, 0xfffffedc, 59
    /* sp-relative and pc-relative */
    sub     sp, #8
    ldr     r1, =0x600d
    str     r1, [sp, #4]
    ldr     r2, [sp, #4]
    add     sp, #8
    expect  r2, 0x600d, 60
    ldr     r2, literal
    expect  r2, 0xcafef00d, 61
    /* multiple */
    movs    r0, #1
    movs    r1, #2
    movs    r2, #3
    movs    r5, #16
    adds    r5, r4, r5
    stmia   r5!, {r0-r2}
    subs    r3, r5, r4
    expect  r3, 28, 62
    movs    r5, #16
    adds    r5, r4, r5
    movs    r0, #0
    movs    r1, #0
    movs    r2, #0
    ldmia   r5!, {r0-r2}
    expect  r0, 1, 63
    expect  r2, 3, 64
    subs    r3, r5, r4
    expect  r3, 28, 65
    mov     r6, sp
    movs    r1, #0x77
    push    {r1, r2}
    mov     r5, sp
    subs    r5, r6, r5
    pop     {r2, r3}
    expect  r5, 8, 66
    expect  r2, 0x77, 67
    expect  r3, 3, 68
group_end
    .align  2
literal:
    .word   0xcafef00d

/* ---- interworking -------------------------------------------------------------- */
group_begin t_interwork
    movs    r0, #10
    blx     arm_add5                @ BLX immediate: to ARM
    expect  r0, 15, 70
    ldr     r1, =arm_add5
    blx     r1                      @ BLX register, bit 0 clear: ARM
    expect  r0, 20, 71
    ldr     r1, =arm_add5
    adr     r2, 1f
    adds    r2, #1                  @ return to Thumb
    mov     lr, r2
    bx      r1                      @ BX to ARM, returns by BX lr
    .align  2
1:  expect  r0, 25, 72
    ldr     r1, =thumb_sub1
    blx     r1                      @ bit 0 set: stays Thumb
    expect  r0, 24, 73
    bl      thumb_sub1
    expect  r0, 23, 74
    blx     read_flags              @ still in Thumb with sane state
    movs    r0, #0
group_end

    .thumb_func
    .type   thumb_sub1, %function
thumb_sub1:
    subs    r0, #1
    bx      lr

/* ---- ARM helpers --------------------------------------------------------------- */
    .arm
    .type   arm_add5, %function
arm_add5:
    mrs     r3, cpsr
    tst     r3, #0x20               @ really in ARM state
    addeq   r0, r0, #5
    bx      lr

/* r7 = N Z C V of the caller (flags preserved). */
    .type   read_flags, %function
read_flags:
    mrs     r7, cpsr
    and     r7, r7, #0xf0000000
    bx      lr

/* ---- the table the runner walks -------------------------------------------------- */
    .section .rodata
    .global test_program_name
test_program_name:
    .asciz  "thumb"
s_alu:      .asciz  "alu, flags, shifts"
s_hireg:    .asciz  "high registers and branches"
s_ldst:     .asciz  "loads, stores, push/pop"
s_iw:       .asciz  "interworking"
    .align  2
    .global test_groups
test_groups:
    .word   s_alu, t_alu
    .word   s_hireg, t_hireg
    .word   s_ldst, t_ldst
    .word   s_iw, t_interwork
    .word   0, 0

    .bss
    .align  3
tbuf:
    .space  64
