; CPU identification, run in real mode on every model: EFLAGS.AC (i486 and
; later) and EFLAGS.ID (CPUID) detection, CPUID leaves 0 and 1 (vendor,
; family, feature bits consistent with the family), RDTSC advancing when
; the TSC is advertised, CMOVcc and CMPXCHG8B when advertised. Prints one
; line the test compares per model:
;   "  cpuid: none, AC fixed"                  (i386)
;   "  cpuid: family F, features XXXXXXXX"     (leaf 1 EAX[11:8], EDX)
%include "common.inc"

%define SCRATCH 0x0500

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
    PUTS `cpuid: self-check\n`

    GROUP 1, '  cpuid: '
    mov ebx, 0x40000             ; AC
    call flag_sticks
    mov esi, eax                 ; 1: AC can be changed (i486 and later)
    mov ebx, 0x200000            ; ID
    call flag_sticks
    test eax, eax
    jnz have_cpuid
    PUTS 'none, AC '
    test esi, esi
    jz .fixed
    PUTS `changes\n`
    jmp pass
.fixed:
    PUTS `fixed\n`
    jmp pass

have_cpuid:
    CHECK esi, 1, 1              ; CPUID implies an i486 or later
    xor eax, eax
    cpuid
    CHECK ebx, 'Genu', 2
    CHECK edx, 'ineI', 3
    CHECK ecx, 'ntel', 4
    cmp eax, 1
    CHECKF ae, 5
    mov eax, 1
    cpuid
    mov edi, edx                 ; features
    mov ebp, eax                 ; signature
    PUTS 'family '
    mov eax, ebp
    shr eax, 8
    and al, 0x0f
    add al, '0'
    out PORT_CONSOLE, al
    PUTS ', features '
    mov ebx, edi
    call puthex
    mov al, 10
    out PORT_CONSOLE, al
    mov eax, ebp
    shr eax, 8
    and eax, 0x0f
    mov ebp, eax                 ; family
    cmp ebp, 4
    CHECKF ae, 6

    GROUP 2, '  features by family'
    cmp ebp, 5
    jb .no_p5
    test edi, 1 << 4             ; TSC from the Pentium on
    CHECKF nz, 10
    test edi, 1 << 8             ; CMPXCHG8B
    CHECKF nz, 11
.no_p5:
    cmp ebp, 6
    jb .no_p6
    test edi, 1 << 15            ; CMOV from the P6 on
    CHECKF nz, 12
.no_p6:
    cmp ebp, 5
    jae .p5
    test edi, (1 << 4) | (1 << 8) | (1 << 15)
    CHECKF z, 13                 ; an i486 has none of them
.p5:
    GROUP_OK

    test edi, 1 << 4
    jz .no_tsc
    GROUP 3, '  rdtsc advances'
    rdtsc
    mov esi, eax
    mov ebx, edx
    ; Spin until it moves (at most 2^25 rounds): the counter follows the
    ; machine's virtual clock, which may step in coarse units.
    mov ecx, 1 << 25
.spin:
    rdtsc
    cmp eax, esi
    jne .moved
    cmp edx, ebx
    jne .moved
    dec ecx
    jnz .spin
    mov ebx, 20                  ; never moved
    jmp fail
.moved:
    sub eax, esi
    sbb edx, ebx                 ; EDX:EAX = later - earlier: forward, and
    CHECK edx, 0, 21             ; by less than 2^32 ns
    GROUP_OK
.no_tsc:

    test edi, 1 << 15
    jz .no_cmov
    GROUP 4, '  cmov'
    mov eax, 1
    mov ebx, 2
    cmp eax, ebx
    cmovb eax, ebx
    CHECK eax, 2, 30
    cmova eax, ecx               ; not above: unchanged
    CHECK eax, 2, 31
    GROUP_OK
.no_cmov:

    test edi, 1 << 8
    jz .no_cx8
    GROUP 5, '  cmpxchg8b'
    mov dword [SCRATCH], 0x11111111
    mov dword [SCRATCH + 4], 0x22222222
    mov eax, 0x11111111
    mov edx, 0x22222222
    mov ebx, 0x33333333
    mov ecx, 0x44444444
    cmpxchg8b [SCRATCH]          ; equal: stores ECX:EBX, ZF
    CHECKF z, 40
    CHECK dword [SCRATCH], 0x33333333, 41
    CHECK dword [SCRATCH + 4], 0x44444444, 42
    cmpxchg8b [SCRATCH]          ; not equal: loads EDX:EAX, ZF clear
    CHECKF nz, 43
    CHECK eax, 0x33333333, 44
    CHECK edx, 0x44444444, 45
    GROUP_OK
.no_cx8:
    jmp pass

; flag_sticks: EAX = 1 if the EFLAGS bits in EBX can be flipped, else 0.
flag_sticks:
    pushfd
    pop eax
    mov ecx, eax
    xor eax, ebx
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    and eax, ebx
    jz .no
    mov eax, 1
.no:
    ret

    EXITS

    RESET_VECTOR
