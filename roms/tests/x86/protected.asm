; Protected-mode checks: entering 32-bit protected mode (GDT, far jump),
; ring 3 entered with IRET and left through interrupt gates and a call
; gate, #GP from ring 3 with its error code, paging with page faults
; handled (CR2 and the error code checked, accessed/dirty bits), a double
; fault taken through a task gate into its own task and returned from with
; IRET (the way Linux handles #DF), and virtual-8086 mode left through the
; #GP of an IOPL-sensitive instruction.
;
; Memory (RAM from 0): GDT 0x1000, IDT 0x2000, TSSs 0x3000 and 0x3100,
; page directory 0x10000 and table 0x11000, stacks below 0x70000 (ring 0),
; 0x60000 (ring 0 from ring 3), 0x58000 (#DF task), 0x50000 (ring 3).
%include "common.inc"

%define GDT       0x1000
%define IDT       0x2000
%define TSS0      0x3000
%define TSS1      0x3100
%define PAGE_DIR  0x10000
%define PAGE_TAB  0x11000
%define VARS      0x0f00
%define GDTR      (VARS + 0x00)
%define IDTR      (VARS + 0x08)
%define SAVED_ESP (VARS + 0x10)
%define GP_COUNT  (VARS + 0x14)
%define GP_ERR    (VARS + 0x18)
%define PF_COUNT  (VARS + 0x1c)
%define PF_ADDR   (VARS + 0x20)  ; what the next #PF must report
%define PF_ERR    (VARS + 0x24)
%define DF_COUNT  (VARS + 0x28)
%define IS_386    (VARS + 0x2c)  ; EFLAGS.AC cannot be set: an i386
%define CG_FRAME  (VARS + 0x30)  ; the call gate's view: CS, ESP, SS of the caller
%define V86_CS    (VARS + 0x40)  ; what the virtual-8086 code saw and did
%define V86_SUM   (VARS + 0x42)
%define V86_EIP   (VARS + 0x44)  ; where its #GP came from
%define V86_FCS   (VARS + 0x48)

%define SEL_CODE0 0x08
%define SEL_DATA0 0x10
%define SEL_CODE3 0x1b
%define SEL_DATA3 0x23
%define SEL_TSS0  0x28
%define SEL_TSS1  0x30
%define SEL_GATE3 0x3b           ; call gate, DPL 3, to ring 0 (RPL 3)

%define GATE_INT0 0x8e00         ; 32-bit interrupt gate, DPL 0
%define GATE_INT3 0xee00         ; 32-bit interrupt gate, DPL 3
%define GATE_ABSENT 0x0e00       ; interrupt gate, not present

section .text start=0 vstart=0
bits 16
start:
    cli
    xor ax, ax
    mov ss, ax
    mov sp, 0x7000
    mov es, ax
    cld
    PUTS `protected: self-check\n`
    GROUP 1, '  entering protected mode'
    push cs
    pop ds
    mov si, gdt                  ; the GDT goes to RAM: the CPU sets busy bits
    mov di, GDT
    mov cx, gdt_end - gdt
    rep movsb
    xor ax, ax
    mov ds, ax
    mov word [GDTR], gdt_end - gdt - 1
    mov dword [GDTR + 2], GDT
    o32 lgdt [GDTR]
    mov eax, cr0
    or al, 1                     ; PE
    mov cr0, eax
    jmp dword SEL_CODE0:pm_entry

; Virtual-8086 code (CPL 3, IOPL 0, segments as in real mode): results go
; to memory; CLI is IOPL-sensitive and ends it with #GP(0).
v86_code:
    mov ax, cs
    mov [V86_CS], ax
    mov ax, 0x1234
    add ax, 0x4321
    mov [V86_SUM], ax
v86_cli:
    cli
    jmp v86_cli

align 8
gdt:
    dq 0
    dq 0x00cf9b000000ffff        ; 0x08 code, ring 0, flat (accessed)
    dq 0x00cf93000000ffff        ; 0x10 data, ring 0, flat
    dq 0x00cffb000000ffff        ; 0x18 code, ring 3, flat
    dq 0x00cff3000000ffff        ; 0x20 data, ring 3, flat
    dw 0x0067, TSS0              ; 0x28 TSS of the main task (available 32-bit)
    db 0x00, 0x89, 0x00, 0x00
    dw 0x0067, TSS1              ; 0x30 TSS of the #DF task
    db 0x00, 0x89, 0x00, 0x00
    dq 0                         ; 0x38 call gate, filled in by the 32-bit code
gdt_end:

section .text32 start=0x2000 vstart=0xf2000
bits 32
pm_entry:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov fs, ax
    mov gs, ax
    mov esp, 0x70000
    mov eax, cr0
    test al, 1
    CHECKF nz, 1
    mov ax, cs
    CHECK ax, SEL_CODE0, 2
    mov eax, [GDT + 0x18]        ; the table reads back through DS
    CHECK eax, 0x0000ffff, 3
    call pm_far_check
    pushfd                       ; AC (bit 18) sticks from the i486 on
    pop eax
    or eax, 0x40000
    push eax
    popfd
    pushfd
    pop eax
    shr eax, 18
    and eax, 1
    xor eax, 1
    mov [IS_386], eax
    push dword 2
    popfd
    GROUP_OK

    ; ---- ring 3 and back through interrupt gates ------------------------
    GROUP 2, '  ring 3 through interrupt and call gates'
    xor edx, edx
.fill:
    mov eax, unexpected
    mov ecx, GATE_INT0
    call set_gate
    inc edx
    cmp edx, 256
    jb .fill
    mov edx, 13
    mov eax, gp_handler
    call set_gate
    mov edx, 14
    mov eax, pf_handler
    call set_gate
    mov edx, 0x80
    mov eax, int80
    mov ecx, GATE_INT3
    call set_gate
    mov edx, 0x81
    mov eax, int81
    call set_gate
    mov edx, 0x82                ; DPL 0: INT 0x82 from ring 3 is #GP
    mov eax, unexpected
    mov ecx, GATE_INT0
    call set_gate
    mov word [IDTR], 256 * 8 - 1
    mov dword [IDTR + 2], IDT
    lidt [IDTR]

    mov edi, TSS0
    xor eax, eax
    mov ecx, 0x68 / 4
    rep stosd
    mov dword [TSS0 + 4], 0x60000       ; ESP0
    mov dword [TSS0 + 8], SEL_DATA0     ; SS0
    mov word [TSS0 + 0x66], 0x68        ; no I/O bitmap
    mov eax, call_gate_target           ; 0x38: 32-bit call gate, DPL 3, no parameters
    mov [GDT + 0x38], ax
    mov word [GDT + 0x3a], SEL_CODE0
    mov word [GDT + 0x3c], 0xec00
    shr eax, 16
    mov [GDT + 0x3e], ax
    mov ax, SEL_TSS0
    ltr ax
    str ax
    CHECK ax, SEL_TSS0, 10
    mov dword [GP_COUNT], 0
    mov [SAVED_ESP], esp
    push dword SEL_DATA3                ; SS
    push dword 0x50000                  ; ESP
    pushfd
    or dword [esp], 0x3000              ; IOPL 3: ring 3 may report on the ports
    push dword SEL_CODE3
    push dword ring3
    iretd

ring3:
    mov ax, SEL_DATA3
    mov ds, ax
    mov es, ax
    mov ax, cs
    CHECK ax, SEL_CODE3, 11
    mov ax, ss
    CHECK ax, SEL_DATA3, 12
    CHECK esp, 0x50000, 13
    mov eax, 0x1234
    int 0x80                     ; ring 0 checks its frame, returns EAX + 1
    CHECK eax, 0x1235, 14
    CHECK esp, 0x50000, 15
    mov ax, cs
    CHECK ax, SEL_CODE3, 16
gp_at:
    mov eax, cr0                 ; privileged: #GP(0), the handler skips it
    CHECK dword [GP_COUNT], 1, 17
    CHECK dword [GP_ERR], 0, 18
int82_at:
    int 0x82                     ; gate DPL 0 < CPL: #GP(vector * 8 + 2)
    CHECK dword [GP_COUNT], 2, 19
    CHECK dword [GP_ERR], 0x82 * 8 + 2, 20
    call SEL_GATE3:0             ; ring 0 through the call gate and back (RETF)
    mov ax, cs
    CHECK ax, SEL_CODE3, 22
    CHECK esp, 0x50000, 23
    CHECK dword [CG_FRAME], SEL_CODE3, 24
    CHECK dword [CG_FRAME + 4], 0x50000, 25
    CHECK dword [CG_FRAME + 8], SEL_DATA3, 26
    CHECK dword [CG_FRAME + 12], SEL_CODE0, 27
    int 0x81                     ; back to ring 0 for good

ring0_back:
    mov ax, SEL_DATA0
    mov ds, ax
    mov es, ax
    mov ax, cs
    CHECK ax, SEL_CODE0, 21
    GROUP_OK

    ; ---- paging and page faults -----------------------------------------
    GROUP 3, '  paging and page faults'
    mov edi, PAGE_DIR
    xor eax, eax
    mov ecx, 1024
    rep stosd
    mov dword [PAGE_DIR], PAGE_TAB | 7   ; 0-4 MiB: present, writable, user
    mov edi, PAGE_TAB
    mov eax, 7
    mov ecx, 1024
.pte:
    stosd
    add eax, 0x1000
    loop .pte
    mov dword [PAGE_TAB + 0x123 * 4], 0          ; not present
    mov dword [PAGE_TAB + 0x124 * 4], 0x124000 | 5   ; present, user, read-only
    mov dword [PAGE_TAB + 0x200 * 4], 0x300000 | 3   ; 0x200000 -> 0x300000
    mov dword [0x300010], 0x5a5a5a5a
    mov eax, PAGE_DIR
    mov cr3, eax
    mov dword [TSS0 + 0x1c], PAGE_DIR    ; CR3 of the main task, for task switches
    mov eax, cr0
    or eax, 0x80000000           ; PG
    cmp dword [IS_386], 0
    jne .no_wp                   ; CR0.WP is the i486's
    or eax, 0x00010000           ; WP
.no_wp:
    mov cr0, eax
    jmp .paged
.paged:
    CHECK dword [0x200010], 0x5a5a5a5a, 30   ; through the remapped page
    mov dword [PF_COUNT], 0
    mov dword [PF_ADDR], 0x123456
    mov dword [PF_ERR], 0        ; read, not present, supervisor
    mov eax, [0x123456]          ; #PF; the handler maps the page, the read retries
    CHECK dword [PF_COUNT], 1, 31
    cmp dword [IS_386], 0
    je .wp
    mov dword [PF_COUNT], 2      ; the i386 has no CR0.WP: ring 0 writes anyway
    mov eax, cr2
    mov [PF_ADDR], eax
.wp:
    mov dword [PF_ADDR], 0x124010
    mov dword [PF_ERR], 3        ; write, protection (present), supervisor
    mov dword [0x124010], 0x77   ; WP: #PF; the handler makes it writable
    CHECK dword [PF_COUNT], 2, 32
    CHECK dword [0x124010], 0x77, 33
    mov eax, [PAGE_TAB + 0x124 * 4]
    and eax, 0x60                ; accessed and dirty
    CHECK eax, 0x60, 34
    mov eax, [PAGE_TAB + 0x125 * 4]
    and eax, 0x60                ; never touched
    CHECK eax, 0, 35
    mov eax, cr2
    cmp dword [IS_386], 0
    jne .cr2_386
    CHECK eax, 0x124010, 36
    jmp .cr2_done
.cr2_386:
    CHECK eax, 0x123456, 37      ; the write did not fault
.cr2_done:
    GROUP_OK

    ; ---- double fault through a task gate -------------------------------
    GROUP 4, '  double fault through a task gate'
    mov edi, TSS1
    xor eax, eax
    mov ecx, 0x68 / 4
    rep stosd
    mov dword [TSS1 + 0x1c], PAGE_DIR    ; CR3
    mov dword [TSS1 + 0x20], df_task     ; EIP
    mov dword [TSS1 + 0x24], 0x00000002  ; EFLAGS
    mov dword [TSS1 + 0x38], 0x58000     ; ESP
    mov dword [TSS1 + 0x48], SEL_DATA0   ; ES
    mov dword [TSS1 + 0x4c], SEL_CODE0   ; CS
    mov dword [TSS1 + 0x50], SEL_DATA0   ; SS
    mov dword [TSS1 + 0x54], SEL_DATA0   ; DS
    mov dword [TSS1 + 0x58], SEL_DATA0   ; FS
    mov dword [TSS1 + 0x5c], SEL_DATA0   ; GS
    mov word [TSS1 + 0x66], 0x68
    ; vector 8: a task gate to the #DF task (type 5, present, DPL 0)
    mov dword [IDT + 8 * 8], SEL_TSS1 << 16
    mov dword [IDT + 8 * 8 + 4], 0x8500
    ; vector 0 not present: #DE then #NP while delivering it is a #DF
    ; (Intel SDM Vol. 3A 6.15, Table 6-5: contributory then contributory)
    mov edx, 0
    mov eax, unexpected
    mov ecx, GATE_ABSENT
    call set_gate
    mov dword [DF_COUNT], 0
    mov ebx, 0x1234abcd          ; must survive the round trip
    xor edx, edx
    mov eax, 1
    xor ecx, ecx
df_at:
    div ecx                      ; F7 F1: the #DF task skips these 2 bytes
    CHECK dword [DF_COUNT], 1, 40
    CHECK ebx, 0x1234abcd, 41
    str ax
    CHECK ax, SEL_TSS0, 42
    pushfd
    pop eax
    and eax, 0x4000              ; NT clear again in the main task
    CHECK eax, 0, 43
    mov al, [GDT + SEL_TSS1 + 5]
    CHECK al, 0x89, 44           ; the #DF task is no longer busy
    mov al, [GDT + SEL_TSS0 + 5]
    CHECK al, 0x8b, 45           ; the main task is
    CHECK esp, 0x70000, 46
    GROUP_OK

    ; ---- virtual-8086 mode ----------------------------------------------
    GROUP 5, '  virtual-8086 mode'
    mov dword [GP_COUNT], 0
    mov word [V86_CS], 0
    mov word [V86_SUM], 0
    mov [SAVED_ESP], esp
    push dword 0                 ; GS
    push dword 0                 ; FS
    push dword 0                 ; DS
    push dword 0                 ; ES
    push dword 0                 ; SS
    push dword 0x6000            ; SP
    push dword 0x00020002        ; EFLAGS: VM, IOPL 0
    push dword 0xf000            ; CS
    push dword v86_code          ; IP (in the 16-bit section)
    iretd                        ; to virtual-8086 mode

v86_back:                        ; from gp_handler, on the V86 code's CLI
    CHECK esp, 0x70000, 50
    CHECK dword [GP_COUNT], 1, 51
    CHECK dword [GP_ERR], 0, 52
    CHECK word [V86_CS], 0xf000, 53
    CHECK word [V86_SUM], 0x5555, 54
    CHECK dword [V86_EIP], v86_cli, 55
    CHECK dword [V86_FCS], 0xf000, 56
    GROUP_OK
    jmp pass

; The call gate's ring-0 side: the caller's EIP, CS, ESP, SS on the ring-0
; stack (Intel SDM Vol. 3A 5.8.5); RETF goes back to ring 3.
call_gate_target:
    push eax
    mov eax, [esp + 8]
    mov [CG_FRAME], eax
    mov eax, [esp + 12]
    mov [CG_FRAME + 4], eax
    mov eax, [esp + 16]
    mov [CG_FRAME + 8], eax
    mov ax, cs
    movzx eax, ax
    mov [CG_FRAME + 12], eax
    pop eax
    retf

; A far call and return within ring 0 (selector and offset on the stack).
pm_far_check:
    call SEL_CODE0:.far
    ret
.far:
    mov ax, cs
    CHECK ax, SEL_CODE0, 4
    retf

; set_gate: IDT entry EDX = a gate to EAX with attributes CX (type in
; bits 8-15). Clobbers EAX.
set_gate:
    push edi
    lea edi, [IDT + edx * 8]
    mov [edi], ax
    mov word [edi + 2], SEL_CODE0
    mov [edi + 4], cx
    shr eax, 16
    mov [edi + 6], ax
    pop edi
    ret

unexpected:
    mov ebx, 0xee
    jmp fail

; INT 0x80 from ring 3: the frame is EIP, CS, EFLAGS, ESP, SS on the
; ring-0 stack of the TSS.
int80:
    cmp dword [esp + 4], SEL_CODE3
    jne .bad
    cmp dword [esp + 12], 0x50000
    jne .bad
    cmp dword [esp + 16], SEL_DATA3
    jne .bad
    cmp esp, 0x60000 - 20
    jne .bad
    push eax
    mov ax, cs
    cmp ax, SEL_CODE0
    pop eax
    jne .bad
    inc eax
    iretd
.bad:
    mov ebx, 0x80
    jmp fail

; INT 0x81: the end of the ring-3 excursion; the ring-0 stack as it was.
int81:
    mov esp, [SAVED_ESP]
    jmp ring0_back

; #GP: error code, EIP, CS, EFLAGS (, ESP, SS). Skips the faulting
; instruction at gp_at (3 bytes) or int82_at (2 bytes).
gp_handler:
    push ds                      ; null when coming from virtual-8086 mode
    push eax
    mov ax, SEL_DATA0
    mov ds, ax
    mov eax, [esp + 8]           ; EAX, DS, error code, EIP, CS, EFLAGS
    mov [GP_ERR], eax
    inc dword [GP_COUNT]
    test dword [esp + 20], 0x20000
    jnz .v86
    mov eax, [esp + 12]
    cmp eax, gp_at
    je .skip3
    cmp eax, int82_at
    je .skip2
    mov ebx, 0x0d
    jmp fail
.skip3:
    add dword [esp + 12], 3
    jmp .out
.skip2:
    add dword [esp + 12], 2
.out:
    pop eax
    pop ds
    add esp, 4                   ; the error code
    iretd
.v86:                            ; the end of the virtual-8086 excursion
    mov eax, [esp + 12]
    mov [V86_EIP], eax
    mov eax, [esp + 16]
    mov [V86_FCS], eax
    mov ax, SEL_DATA0
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov esp, [SAVED_ESP]
    jmp v86_back

; #PF: checks CR2 and the error code against PF_ADDR and PF_ERR, then makes
; the page present and writable and retries.
pf_handler:
    push eax
    push ebx
    inc dword [PF_COUNT]
    mov eax, cr2
    cmp eax, [PF_ADDR]
    jne .bad_addr
    mov eax, [esp + 8]
    cmp eax, [PF_ERR]
    jne .bad_err
    mov eax, cr2
    shr eax, 12
    mov ebx, eax
    shl ebx, 12
    or ebx, 3
    mov [PAGE_TAB + eax * 4], ebx
    mov eax, cr3                 ; flush the TLB (INVLPG is the i486's)
    mov cr3, eax
    pop ebx
    pop eax
    add esp, 4
    iretd
.bad_addr:
    mov ebx, 0x0e1
    jmp fail
.bad_err:
    mov ebx, 0x0e2
    jmp fail

; The #DF task: entered through the task gate with the error code (0) on
; its stack, NT set and the main task as its back link.
df_task:
    inc dword [DF_COUNT]
    str ax
    cmp ax, SEL_TSS1
    jne .bad
    pop eax
    cmp eax, 0
    jne .bad
    cmp word [TSS1], SEL_TSS0
    jne .bad
    pushfd
    pop eax
    test eax, 0x4000
    jz .bad
    cmp dword [TSS0 + 0x20], df_at   ; the main task's EIP: the faulting DIV
    jne .bad
    add dword [TSS0 + 0x20], 2
    iretd                        ; NT: back to the main task
    jmp df_task                  ; a later #DF enters here
.bad:
    mov ebx, 0x08
    jmp fail

    EXITS

    RESET_VECTOR
