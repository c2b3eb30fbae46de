; Real-mode checks: arithmetic and flags, string instructions with REP,
; the interrupt vector table with INT/IRET and exceptions.
; Runs entirely in real mode from F000:xxxx, RAM from 0 for data and stack.
%include "common.inc"

%define FLAGS_MASK 0x08d5        ; OF SF ZF AF PF CF
%define BUF_A 0x1000
%define BUF_B 0x2000
%define COUNTER 0x0500           ; interrupt handlers count here

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
    PUTS `realmode: self-check\n`

    ; ---- arithmetic and flags -------------------------------------------
    GROUP 1, '  arithmetic and flags'
    mov al, 0x7f
    add al, 1                    ; 0x80: OF SF AF, odd parity
    pushf
    pop dx
    and dx, FLAGS_MASK
    CHECK al, 0x80, 1
    CHECK dx, 0x0890, 2
    mov al, 0
    sub al, 1                    ; 0xFF: CF SF AF PF
    pushf
    pop dx
    and dx, FLAGS_MASK
    CHECK al, 0xff, 3
    CHECK dx, 0x0095, 4
    mov ax, 0x8000
    add ax, 0x8000               ; 0: CF ZF PF OF
    pushf
    pop dx
    and dx, FLAGS_MASK
    CHECK ax, 0, 5
    CHECK dx, 0x0845, 6
    stc
    mov ax, 5
    adc ax, 7                    ; 13
    CHECK ax, 13, 7
    stc
    mov ax, 5
    sbb ax, 7                    ; -3
    CHECK ax, 0xfffd, 8
    stc
    inc ax                       ; INC keeps CF
    CHECKF c, 9
    mov ax, 0x1234
    mov bx, 0x100
    mul bx                       ; DX:AX = 0x12:0x3400, CF = OF = 1
    CHECKF c, 10
    CHECK ax, 0x3400, 11
    CHECK dx, 0x0012, 12
    mov ax, -3
    mov bx, 5
    imul bx                      ; -15
    CHECK ax, 0xfff1, 13
    CHECK dx, 0xffff, 14
    xor dx, dx
    mov ax, 1000
    mov bx, 7
    div bx                       ; 142 r 6
    CHECK ax, 142, 15
    CHECK dx, 6, 16
    mov ax, -1000
    cwd
    mov bx, 7
    idiv bx                      ; -142 r -6
    CHECK ax, -142, 17
    CHECK dx, -6, 18
    mov al, 0x81
    rol al, 1                    ; 0x03, CF
    CHECKF c, 19
    CHECK al, 0x03, 20
    mov ax, 0x8001
    shr ax, 1                    ; 0x4000, CF
    CHECKF c, 21
    CHECK ax, 0x4000, 22
    mov ax, 0x8000
    sar ax, 15                   ; all ones
    CHECK ax, 0xffff, 23
    mov al, 0x19
    add al, 0x28                 ; 0x41 with AF: DAA gives 0x47
    daa
    CHECK al, 0x47, 24
    mov eax, 0x12345678          ; 32-bit operands in real mode
    add eax, 0x88888888
    CHECK eax, 0x9abcdf00, 25
    mov eax, 0x80000000
    bsr ecx, eax
    CHECK ecx, 31, 26
    mov ax, 0x00f0
    neg ax
    CHECKF c, 27
    CHECK ax, 0xff10, 28
    mov ax, 0x1234
    xchg ah, al
    CHECK ax, 0x3412, 29
    GROUP_OK

    ; ---- string instructions with REP -----------------------------------
    GROUP 2, '  string instructions'
    mov di, BUF_A
    mov al, 'A'
    mov cx, 100
    rep stosb
    CHECK cx, 0, 30
    CHECK di, BUF_A + 100, 31
    mov si, BUF_A
    mov di, BUF_B
    mov cx, 50
    rep movsw                    ; 100 bytes
    CHECK si, BUF_A + 100, 32
    CHECK di, BUF_B + 100, 33
    mov si, BUF_A
    mov di, BUF_B
    mov cx, 100
    repe cmpsb
    CHECKF e, 34
    CHECK cx, 0, 35
    mov byte [BUF_B + 60], 'B'
    mov si, BUF_A
    mov di, BUF_B
    mov cx, 100
    repe cmpsb                   ; stops after the 61st byte
    CHECKF ne, 36
    CHECK cx, 39, 37
    mov di, BUF_B
    mov al, 'B'
    mov cx, 100
    repne scasb
    CHECK di, BUF_B + 61, 38
    std                          ; backwards, dword elements
    mov dword [BUF_A + 96], 0x11223344
    mov si, BUF_A + 96
    mov di, BUF_B + 196
    mov cx, 25
    rep movsd
    cld
    CHECK si, BUF_A - 4, 39
    CHECK dword [BUF_B + 196], 0x11223344, 40
    CHECK dword [BUF_B + 100], 0x41414141, 41
    mov si, BUF_A
    lodsw
    CHECK ax, 0x4141, 42
    CHECK si, BUF_A + 2, 43
    xor cx, cx
    mov di, BUF_A
    rep stosb                    ; CX = 0: nothing
    CHECK di, BUF_A, 44
    GROUP_OK

    ; ---- IVT, INT and IRET ----------------------------------------------
    GROUP 3, '  IVT, INT and IRET'
    mov word [0x40 * 4], int40
    mov word [0x40 * 4 + 2], cs
    mov word [0 * 4], div_handler
    mov word [0 * 4 + 2], cs
    mov word [3 * 4], int3_handler
    mov word [3 * 4 + 2], cs
    mov word [4 * 4], into_handler
    mov word [4 * 4 + 2], cs
    mov word [COUNTER], 0
    sti
    mov ax, 0x1234
    int 0x40                     ; handler: checks its frame, returns AX + 1
    CHECK ax, 0x1235, 50
    CHECK word [COUNTER], 1, 51
    pushf
    pop dx
    test dx, 0x0200              ; IF back on after IRET
    CHECKF nz, 52
    CHECK bx, 0x0200, 53          ; the handler saw IF set in its saved flags
    CHECK cx, 0, 54               ; ...and IF clear inside
    cli
    mov bl, 0
    mov ax, 77
div_at:
    div bl                       ; #DE: the handler skips the 2 bytes
    CHECK word [COUNTER], 2, 55
    int3
    CHECK word [COUNTER], 3, 56
    mov al, 0x7f
    add al, 1                    ; OF
    into
    CHECK word [COUNTER], 4, 57
    mov al, 1
    add al, 1                    ; no OF: INTO does nothing
    into
    CHECK word [COUNTER], 4, 58
    GROUP_OK
    jmp pass

; INT 0x40: AX + 1; BX = IF in the saved flags, CX = IF now.
int40:
    inc word [COUNTER]
    push bp
    mov bp, sp
    mov bx, [bp + 6]             ; saved FLAGS (IP, CS, FLAGS above BP)
    and bx, 0x0200
    mov cx, [bp + 4]
    cmp cx, 0xf000               ; saved CS
    jne .bad
    pushf
    pop cx
    and cx, 0x0300               ; IF and TF cleared by the INT
    pop bp
    inc ax
    iret
.bad:
    mov ebx, 59
    jmp fail

; #DE is a fault: the saved IP is the DIV's; skip it.
div_handler:
    inc word [COUNTER]
    push bp
    mov bp, sp
    cmp word [bp + 2], div_at
    je .ok
    mov ebx, 60
    jmp fail
.ok:
    add word [bp + 2], 2
    pop bp
    iret

; INT3 and INTO are traps: the saved IP is the next instruction's.
int3_handler:
into_handler:
    inc word [COUNTER]
    iret

    EXITS

    RESET_VECTOR
