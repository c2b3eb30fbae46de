/* ARM-state self-checks (ARMv5TE): arithmetic and flags, shifts,
 * condition codes, loads/stores of every size and signedness, LDM/STM,
 * multiplies (long too), the v5E DSP instructions, mode switches with
 * banked registers, and interworking. Exception entry and return (SWI,
 * undefined instruction) are checked by exceptions.S, which installs its
 * own vectors (docs/roms.md).
 *
 * Each group is a function returning 0 or the number of its first failed
 * check; check numbers are unique across this file. */
    .syntax unified
    .arch armv5te
    .arm

/* Compare a register with a value; on mismatch return check number n. */
.macro expect reg, val, n
    ldr     ip, =\val
    cmp     \reg, ip
    movne   r0, #\n
    bne     fail
.endm

/* Compare N Z C V Q (CPSR[31:27]) with val. */
.macro expect_flags val, n
    mrs     ip, cpsr
    and     ip, ip, #0xf8000000
    cmp     ip, #\val
    movne   r0, #\n
    bne     fail
.endm

.macro expect_q val, n
    mrs     ip, cpsr
    and     ip, ip, #0x08000000
    cmp     ip, #\val
    movne   r0, #\n
    bne     fail
.endm

.macro group_begin name
    .text
    .type   \name, %function
\name:
    push    {r4-r11, lr}
.endm

.macro group_end
    mov     r0, #0
    pop     {r4-r11, pc}
    .ltorg
.endm

#define N 0x80000000
#define Z 0x40000000
#define C 0x20000000
#define V 0x10000000
#define Q 0x08000000

    .text
fail:
    pop     {r4-r11, pc}

/* ---- data processing and flags --------------------------------------- */
group_begin test_alu
    msr     cpsr_f, #0
    ldr     r1, =0x7fffffff
    adds    r2, r1, #1              @ signed overflow
    expect_flags (N|V), 2
    expect  r2, 0x80000000, 1
    mvn     r1, #0
    adds    r2, r1, #1              @ unsigned carry, zero
    expect_flags (Z|C), 4
    expect  r2, 0, 3
    mov     r1, #5
    subs    r2, r1, #7              @ borrow: C clear
    expect_flags N, 6
    expect  r2, -2, 5
    subs    r2, r1, #5
    expect_flags (Z|C), 7
    msr     cpsr_f, #C
    adcs    r2, r1, #10             @ 5 + 10 + 1
    expect  r2, 16, 8
    msr     cpsr_f, #0
    sbcs    r2, r1, #2              @ 5 - 2 - 1
    expect_flags C, 10
    expect  r2, 2, 9
    rsb     r2, r1, #100
    expect  r2, 95, 11
    msr     cpsr_f, #0
    rsc     r2, r1, #100            @ 100 - 5 - 1
    expect  r2, 94, 12
    ldr     r1, =0x80000000
    subs    r2, r1, #1              @ overflow the other way
    expect_flags (C|V), 13
    mov     r1, #0xf0
    and     r2, r1, #0x3c
    expect  r2, 0x30, 14
    orr     r2, r1, #0x0f
    expect  r2, 0xff, 15
    eor     r2, r1, #0xff
    expect  r2, 0x0f, 16
    bic     r2, r1, #0x30
    expect  r2, 0xc0, 17
    mvn     r2, r1
    expect  r2, 0xffffff0f, 18
    msr     cpsr_f, #0              @ immediates without rotation keep C
    tst     r1, #0x0f
    expect_flags Z, 19
    msr     cpsr_f, #0
    teq     r1, #0xf0
    expect_flags (Z), 20
    cmn     r1, #0x10
    expect_flags 0, 21
    /* shifter operand and its carry out */
    ldr     r1, =0x80000001
    movs    r2, r1, lsl #1
    expect_flags C, 23
    expect  r2, 2, 22
    movs    r2, r1, lsr #1
    expect_flags C, 25
    expect  r2, 0x40000000, 24
    movs    r2, r1, asr #1
    expect_flags (N|C), 27
    expect  r2, 0xc0000000, 26
    movs    r2, r1, ror #1
    expect_flags (N|C), 29
    expect  r2, 0xc0000000, 28
    msr     cpsr_f, #C
    movs    r2, r1, rrx
    expect_flags (N|C), 31
    expect  r2, 0xc0000000, 30
    movs    r2, r1, lsr #32
    expect_flags (Z|C), 33
    expect  r2, 0, 32
    movs    r2, r1, asr #32
    expect  r2, 0xffffffff, 34
    mov     r3, #33
    movs    r2, r1, lsl r3          @ register shift >= 32: result 0, C 0
    expect_flags Z, 36
    expect  r2, 0, 35
    mov     r3, #32
    movs    r2, r1, lsl r3          @ by exactly 32: C = bit 0
    expect_flags (Z|C), 37
    mov     r3, #0x104              @ only the bottom byte counts: 4
    mov     r2, r1, ror r3
    expect  r2, 0x18000000, 38
    mov     r3, #3
    add     r2, r3, r3, lsl #4      @ 3 + 48
    expect  r2, 51, 39
    movs    r2, #0x80000000         @ immediate with rotation: C = bit 31
    expect_flags (N|C), 40
group_end

/* ---- condition codes --------------------------------------------------- */
group_begin test_cond
    mov     r2, #0
    msr     cpsr_f, #Z
    addeq   r2, r2, #1
    addne   r2, r2, #0x100
    msr     cpsr_f, #C
    addcs   r2, r2, #1
    addhi   r2, r2, #1
    addls   r2, r2, #0x100
    msr     cpsr_f, #(C|Z)
    addls   r2, r2, #1
    addhi   r2, r2, #0x100
    msr     cpsr_f, #N
    addmi   r2, r2, #1
    addlt   r2, r2, #1
    addge   r2, r2, #0x100
    msr     cpsr_f, #(N|V)
    addge   r2, r2, #1
    addgt   r2, r2, #1
    addvs   r2, r2, #1
    addmi   r2, r2, #1
    addle   r2, r2, #0x100
    msr     cpsr_f, #(Z|N|V)
    addle   r2, r2, #1
    addgt   r2, r2, #0x100
    msr     cpsr_f, #0
    addvc   r2, r2, #1
    addcc   r2, r2, #1
    addal   r2, r2, #1
    expect  r2, 14, 50
group_end

/* ---- loads and stores -------------------------------------------------- */
group_begin test_ldst
    ldr     r4, =buffer
    ldr     r1, =0x8899aabb
    str     r1, [r4]
    ldr     r2, [r4]
    expect  r2, 0x8899aabb, 60
    ldrb    r2, [r4]                @ little-endian
    expect  r2, 0xbb, 61
    ldrb    r2, [r4, #3]
    expect  r2, 0x88, 62
    ldrsb   r2, [r4, #1]
    expect  r2, 0xffffffaa, 63
    ldrh    r2, [r4, #2]
    expect  r2, 0x8899, 64
    ldrsh   r2, [r4]
    expect  r2, 0xffffaabb, 65
    mov     r1, #0x7f
    strb    r1, [r4, #1]
    ldrsb   r2, [r4, #1]
    expect  r2, 0x7f, 66
    ldr     r1, =0x1234
    strh    r1, [r4, #2]
    ldr     r2, [r4]
    expect  r2, 0x12347fbb, 67
    /* addressing modes and write-back */
    add     r5, r4, #8
    mov     r1, #0x11
    str     r1, [r5], #4            @ post-index
    sub     r2, r5, r4
    expect  r2, 12, 68
    mov     r1, #0x22
    str     r1, [r5, #4]!           @ pre-index with write-back
    sub     r2, r5, r4
    expect  r2, 16, 69
    ldr     r2, [r5, #-8]
    expect  r2, 0x11, 70
    mov     r3, #2
    ldr     r2, [r4, r3, lsl #3]    @ buffer + 16
    expect  r2, 0x22, 71
    mov     r3, #8
    ldr     r2, [r5, -r3]
    expect  r2, 0x11, 72
    ldrh    r2, [r5], #-2
    expect  r2, 0x22, 73
    sub     r2, r5, r4
    expect  r2, 14, 74
    ldrsh   r2, [r5, #2]!
    expect  r2, 0x22, 75
    mov     r3, #8
    ldrb    r2, [r5, -r3]!
    expect  r2, 0x11, 76
    sub     r2, r5, r4
    expect  r2, 8, 77
    /* doubleword (v5TE) */
    ldr     r2, =0xdeadbeef
    ldr     r3, =0x0badf00d
    strd    r2, r3, [r4, #24]
    ldr     r1, [r4, #28]
    expect  r1, 0x0badf00d, 78
    mov     r2, #0
    mov     r3, #0
    add     r6, r4, #16
    ldrd    r2, r3, [r6, #8]!
    expect  r2, 0xdeadbeef, 79
    expect  r3, 0x0badf00d, 80
    sub     r1, r6, r4
    expect  r1, 24, 81
    /* a load into pc */
    adr     r1, 1f
    str     r1, [r4]
    ldr     pc, [r4]
    mov     r0, #82
    b       fail
1:
group_end

/* ---- load/store multiple ----------------------------------------------- */
group_begin test_ldm
    ldr     r4, =buffer
    mov     r0, #1
    mov     r1, #2
    mov     r2, #3
    mov     r3, #4
    add     r5, r4, #32
    stmia   r5!, {r0-r3}
    sub     r6, r5, r4
    expect  r6, 48, 90
    ldr     r6, [r4, #44]
    expect  r6, 4, 91
    stmdb   r5!, {r2, r3}           @ overwrite +40, +44 with 3, 4
    sub     r6, r5, r4
    expect  r6, 40, 92
    mov     r0, #0
    mov     r1, #0
    mov     r2, #0
    mov     r3, #0
    add     r5, r4, #32
    ldmib   r5, {r0, r1}            @ +36, +40
    expect  r0, 2, 93
    expect  r1, 3, 94
    add     r5, r4, #44
    ldmda   r5!, {r2, r3}           @ +40, +44
    expect  r2, 3, 95
    expect  r3, 4, 96
    sub     r6, r5, r4
    expect  r6, 36, 97
    add     r5, r4, #48
    mov     r7, #7
    mov     r8, #8
    stmdb   r5, {r7, r8}            @ no write-back
    sub     r6, r5, r4
    expect  r6, 48, 98
    ldr     r6, [r4, #40]
    expect  r6, 7, 99
    /* stacking through sp, and a return through ldm into pc */
    mov     r9, sp
    mov     r0, #0x55
    push    {r0, r7, r8}
    sub     r6, r9, sp
    expect  r6, 12, 100
    pop     {r1, r2, r3}
    expect  r1, 0x55, 101
    expect  r3, 8, 102
    cmp     sp, r9
    movne   r0, #103
    bne     fail
    adr     r1, 1f
    push    {r1}
    pop     {pc}
    mov     r0, #104
    b       fail
1:
group_end

/* ---- multiplies ---------------------------------------------------------- */
group_begin test_mul
    mov     r1, #7
    mov     r2, #6
    mul     r3, r1, r2
    expect  r3, 42, 110
    mla     r3, r1, r2, r1
    expect  r3, 49, 111
    mvn     r1, #0
    msr     cpsr_f, #0              @ v5: MULS leaves C and V alone
    muls    r3, r1, r2              @ -6
    expect_flags N, 113
    expect  r3, -6, 112
    mov     r1, #0
    msr     cpsr_f, #0
    muls    r3, r1, r2
    expect_flags Z, 114
    ldr     r1, =0x80000000
    mov     r2, #4
    umull   r3, r4, r1, r2          @ 0x2_0000_0000
    expect  r3, 0, 115
    expect  r4, 2, 116
    smull   r3, r4, r1, r2          @ -0x2_0000_0000
    expect  r3, 0, 117
    expect  r4, 0xfffffffe, 118
    mvn     r3, #0
    mov     r4, #0
    mov     r1, #1
    mov     r2, #1
    umlal   r3, r4, r1, r2          @ 0xffffffff + 1
    expect  r3, 0, 119
    expect  r4, 1, 120
    mvn     r1, #0
    mov     r2, #3
    mov     r3, #10
    mov     r4, #0
    smlal   r3, r4, r1, r2          @ 10 + (-3)
    expect  r3, 7, 121
    expect  r4, 0, 122
    msr     cpsr_f, #0
    umulls  r3, r4, r1, r2
    expect_flags 0, 124
    expect  r4, 2, 123
group_end

/* ---- v5E DSP: halfword multiplies, saturation, CLZ ------------------------ */
group_begin test_dsp
    msr     cpsr_f, #0
    ldr     r1, =0x0003fffe         @ top 3, bottom -2
    ldr     r2, =0xfffb0007         @ top -5, bottom 7
    smulbb  r3, r1, r2              @ -2 * 7
    expect  r3, -14, 130
    smulbt  r3, r1, r2              @ -2 * -5
    expect  r3, 10, 131
    smultb  r3, r1, r2              @ 3 * 7
    expect  r3, 21, 132
    smultt  r3, r1, r2              @ 3 * -5
    expect  r3, -15, 133
    mov     r4, #100
    smlabb  r3, r1, r2, r4
    expect  r3, 86, 134
    ldr     r5, =0x40000000
    smulwb  r3, r5, r2              @ (0x40000000 * 7) >> 16
    expect  r3, 0x1c000, 135
    smulwt  r3, r5, r2              @ (0x40000000 * -5) >> 16
    expect  r3, -0x14000, 136
    smlawb  r3, r5, r2, r4
    expect  r3, 0x1c064, 137
    mvn     r3, #0
    mov     r4, #0
    smlalbb r3, r4, r1, r2          @ 0xffffffff + (-14)
    expect_q 0, 140
    expect  r3, 0xfffffff1, 138
    expect  r4, 0, 139
    /* saturating arithmetic sets Q, which stays set until cleared */
    mov     r1, #1
    mov     r2, #2
    qadd    r3, r1, r2
    expect_q 0, 142
    expect  r3, 3, 141
    ldr     r1, =0x7fffffff
    qadd    r3, r1, r2
    expect_q Q, 144
    expect  r3, 0x7fffffff, 143
    qadd    r3, r2, r2              @ Q is sticky
    expect_q Q, 145
    msr     cpsr_f, #0
    expect_q 0, 146
    ldr     r1, =0x80000000
    qsub    r3, r1, r2
    expect_q Q, 148
    expect  r3, 0x80000000, 147
    msr     cpsr_f, #0
    ldr     r1, =0x40000000
    qdadd   r3, r2, r1              @ 2 + sat(2 * 0x40000000)
    expect_q Q, 150
    expect  r3, 0x7fffffff, 149
    msr     cpsr_f, #0
    mov     r1, #100
    qdsub   r3, r1, r2              @ 100 - 4
    expect_q 0, 152
    expect  r3, 96, 151
    ldr     r1, =0xc0000000         @ smlaxy overflow sets Q
    ldr     r2, =0x7fff7fff
    smlabb  r3, r2, r2, r1
    expect_q 0, 153
    ldr     r1, =0x7fffffff
    smlabb  r3, r2, r2, r1
    expect_q Q, 154
    msr     cpsr_f, #0
    /* count leading zeros */
    mov     r1, #0
    clz     r2, r1
    expect  r2, 32, 155
    mov     r1, #1
    clz     r2, r1
    expect  r2, 31, 156
    ldr     r1, =0x00f00000
    clz     r2, r1
    expect  r2, 8, 157
    mvn     r1, #0
    clz     r2, r1
    expect  r2, 0, 158
group_end

/* ---- processor modes and banked registers ------------------------------- */
#define M_USR 0x10
#define M_FIQ 0x11
#define M_IRQ 0x12
#define M_SVC 0x13
#define M_ABT 0x17
#define M_UND 0x1b
#define M_SYS 0x1f
#define IF 0xc0

group_begin test_modes
    mrs     r10, cpsr               @ the mode we came in with (privileged)
    and     r1, r10, #0x1f
    cmp     r1, #M_USR
    moveq   r0, #170                @ these checks need a privileged mode
    beq     fail
    mov     r11, sp
    ldr     r7, =results            @ r0-r7 are shared by every mode
    /* give each mode its own sp, lr and spsr */
    msr     cpsr_c, #(IF | M_IRQ)
    ldr     sp, =0x1111
    ldr     lr, =0x1112
    msr     spsr_fsxc, #(IF | M_IRQ)
    msr     cpsr_c, #(IF | M_ABT)
    ldr     sp, =0x2221
    ldr     lr, =0x2222
    msr     spsr_fsxc, #(IF | M_ABT)
    msr     cpsr_c, #(IF | M_UND)
    ldr     sp, =0x3331
    ldr     lr, =0x3332
    msr     spsr_fsxc, #(IF | M_UND)
    msr     cpsr_c, #(IF | M_FIQ)
    mov     r8, #0x88
    mov     r12, #0xcc
    ldr     sp, =0x4441
    ldr     lr, =0x4442
    msr     spsr_fsxc, #(IF | M_FIQ)
    msr     cpsr_c, #(IF | M_SYS)   @ SYS uses the User registers
    mov     r8, #0x08
    mov     r12, #0x0c
    ldr     sp, =0x5551
    ldr     lr, =0x5552
    /* read everything back into results[] */
    msr     cpsr_c, #(IF | M_IRQ)
    mrs     r0, spsr
    stmia   r7!, {r0, sp, lr}
    msr     cpsr_c, #(IF | M_ABT)
    mrs     r0, spsr
    stmia   r7!, {r0, sp, lr}
    msr     cpsr_c, #(IF | M_UND)
    mrs     r0, spsr
    stmia   r7!, {r0, sp, lr}
    msr     cpsr_c, #(IF | M_FIQ)
    mrs     r0, spsr
    stmia   r7!, {r0, r8, r12, sp, lr}
    msr     cpsr_c, #(IF | M_SYS)
    stmia   r7!, {r8, r12, sp, lr}
    /* an exception return: SPSR -> CPSR along with the branch */
    msr     cpsr_c, #(IF | M_IRQ)
    ldr     r0, =(Z | C | IF | M_SYS)
    msr     spsr_fsxc, r0
    adr     lr, 1f
    movs    pc, lr
    mov     r0, #171
    b       3f
1:  mrs     r0, cpsr
    str     r0, [r7]
    mov     r0, #0
3:  /* back to the original mode before checking anything */
    msr     cpsr_fsxc, r10
    mov     sp, r11
    cmp     r0, #0
    bne     fail
    ldr     r7, =results
    ldmia   r7!, {r0-r2}
    expect  r0, (IF | M_IRQ), 172
    expect  r1, 0x1111, 173
    expect  r2, 0x1112, 174
    ldmia   r7!, {r0-r2}
    expect  r0, (IF | M_ABT), 175
    expect  r1, 0x2221, 176
    expect  r2, 0x2222, 177
    ldmia   r7!, {r0-r2}
    expect  r0, (IF | M_UND), 178
    expect  r1, 0x3331, 179
    expect  r2, 0x3332, 180
    ldmia   r7!, {r0-r4}
    expect  r0, (IF | M_FIQ), 181
    expect  r1, 0x88, 182
    expect  r2, 0xcc, 183
    expect  r3, 0x4441, 184
    expect  r4, 0x4442, 185
    ldmia   r7!, {r0-r3}
    expect  r0, 0x08, 186
    expect  r1, 0x0c, 187
    expect  r2, 0x5551, 188
    expect  r3, 0x5552, 189
    ldr     r4, [r7]
    and     r4, r4, #0xf0000000     @ the flags the SPSR gave
    expect  r4, (Z | C), 190
    ldr     r4, [r7]
    and     r4, r4, #0x1f
    expect  r4, M_SYS, 191
group_end

/* ---- interworking --------------------------------------------------------- */
group_begin test_interwork
    adr     r1, thumb_add1 + 1
    mov     r0, #41
    blx     r1                      @ to Thumb by register
    expect  r0, 42, 200
    blx     thumb_add1              @ to Thumb by immediate
    expect  r0, 43, 201
    adr     r1, thumb_add1 + 1
    mov     lr, pc                  @ the v4T idiom: BX, return by BX lr
    bx      r1
    expect  r0, 44, 202
    ldr     r4, =buffer
    adr     r1, thumb_add1 + 1
    str     r1, [r4]
    adr     lr, 1f
    ldr     pc, [r4]                @ v5: a load into pc interworks
1:  expect  r0, 45, 203
    adr     lr, 2f
    push    {r1}
    pop     {pc}                    @ so does LDM
2:  expect  r0, 46, 204
    mrs     r1, cpsr
    tst     r1, #0x20               @ back in ARM state
    movne   r0, #205
    bne     fail
group_end

    .thumb
    .type   thumb_add1, %function
thumb_add1:
    adds    r0, r0, #1
    bx      lr
    .arm

/* ---- the table the runner walks -------------------------------------------- */
    .section .rodata
    .global test_program_name
test_program_name:
    .asciz  "arm"
s_alu:      .asciz  "alu and flags"
s_cond:     .asciz  "condition codes"
s_ldst:     .asciz  "loads and stores"
s_ldm:      .asciz  "load/store multiple"
s_mul:      .asciz  "multiplies"
s_dsp:      .asciz  "v5E DSP"
s_modes:    .asciz  "modes and banked registers"
s_iw:       .asciz  "interworking"
    .align  2
    .global test_groups
test_groups:
    .word   s_alu, test_alu
    .word   s_cond, test_cond
    .word   s_ldst, test_ldst
    .word   s_ldm, test_ldm
    .word   s_mul, test_mul
    .word   s_dsp, test_dsp
    .word   s_modes, test_modes
    .word   s_iw, test_interwork
    .word   0, 0

    .bss
    .align  3
buffer:
    .space  64
results:
    .space  96
