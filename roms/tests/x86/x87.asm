; x87 checks, run in real mode on every model. Detection as Linux does it
; (FNINIT, then FNSTSW and FNSTCW to memory: a present FPU stores status 0
; and a control word whose bits 0x103f read 0x003f; without one the memory
; keeps its old contents). Without an FPU the program prints "x87: absent"
; and passes; with one it prints "x87: present" and checks a few results
; bit for bit: addition, division under the four rounding modes, FSQRT,
; FLDPI, comparisons through FNSTSW AX/SAHF, masked division by zero,
; FABS/FCHS, and an 80-bit store and reload.
%include "common.inc"

%define SW      0x0500
%define CW      0x0502
%define RESULT  0x0510           ; 16 bytes
%define NEWCW   0x0520

section .text start=0 vstart=0
bits 16
start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov ds, ax
    mov es, ax
    cld
    PUTS `x87: self-check\n`

    GROUP 1, '  x87: '
    mov eax, cr0
    and eax, ~0x0c               ; TS and EM clear: x87 instructions execute
    mov cr0, eax
    mov word [SW], 0xffff
    mov word [CW], 0xffff
    fninit
    fnstsw [SW]
    fnstcw [CW]
    cmp word [SW], 0
    jne absent
    mov ax, [CW]
    and ax, 0x103f
    cmp ax, 0x003f
    jne absent
    PUTS `present\n`

    GROUP 2, '  arithmetic'
    CHECK word [CW], 0x037f, 1   ; FNINIT: all masked, 64-bit precision, nearest
    fld1
    fld1
    faddp st1, st0
    fistp word [RESULT]
    CHECK word [RESULT], 2, 2
    fild word [cs:ten]           ; 10 / 3 = 3.33..
    fild word [cs:three]
    fdivp st1, st0
    fist word [RESULT]           ; nearest: 3
    CHECK word [RESULT], 3, 3
    fchs                         ; -3.33..
    mov word [NEWCW], 0x077f     ; round down: -4
    fldcw [NEWCW]
    fist word [RESULT]
    CHECK word [RESULT], -4, 4
    mov word [NEWCW], 0x0b7f     ; round up: -3
    fldcw [NEWCW]
    fist word [RESULT]
    CHECK word [RESULT], -3, 5
    mov word [NEWCW], 0x0f7f     ; toward zero: -3
    fldcw [NEWCW]
    fabs
    fistp word [RESULT]          ; 3.33.. toward zero: 3
    CHECK word [RESULT], 3, 6
    fninit
    fild word [cs:two]
    fsqrt
    fstp qword [RESULT]          ; sqrt(2) rounded to double
    CHECK dword [RESULT], 0x667f3bcd, 7
    CHECK dword [RESULT + 4], 0x3ff6a09e, 8
    fldpi
    fstp qword [RESULT]
    CHECK dword [RESULT], 0x54442d18, 9
    CHECK dword [RESULT + 4], 0x400921fb, 10
    fldpi                        ; 80-bit store and reload keep every bit
    fstp tword [RESULT]
    CHECK dword [RESULT], 0x2168c235, 11
    CHECK dword [RESULT + 4], 0xc90fdaa2, 12
    CHECK word [RESULT + 8], 0x4000, 13
    fld tword [RESULT]
    fldpi
    fcompp                       ; equal: C3 set, C2 C0 clear
    fnstsw ax
    and ax, 0x4500
    CHECK ax, 0x4000, 14
    fld1
    fldz
    fcompp                       ; 0 < 1: C0, so CF after SAHF
    fnstsw ax
    sahf
    CHECKF b, 15
    fnclex
    fld1
    fldz
    fdivp st1, st0               ; 1 / 0, masked: +infinity, ZE set
    fstp qword [RESULT]
    CHECK dword [RESULT], 0, 16
    CHECK dword [RESULT + 4], 0x7ff00000, 17
    fnstsw ax
    test ax, 0x0004
    CHECKF nz, 18
    fnstsw ax                    ; the stack is empty again: TOP = 0
    and ax, 0x3800
    CHECK ax, 0, 19
    fild dword [cs:minus5]
    fabs
    fistp dword [RESULT]
    CHECK dword [RESULT], 5, 20
    GROUP_OK
    jmp pass

absent:
    PUTS `absent\n`
    jmp pass

ten:    dw 10
three:  dw 3
two:    dw 2
minus5: dd -5

    EXITS

    RESET_VECTOR
