/* x86 decoder: instruction lengths, prefixes, ModRM/SIB forms for 16- and
 * 32-bit addressing, model-gated and undefined opcodes (#UD), the 15-byte
 * limit (#GP). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "isa-x86/x86_internal.h"
#include "tests/unit/unit.h"

#define ALL (X86_F_I486 | X86_F_P5 | X86_F_P6)

static unsigned dec(const char *hex, bool code32, unsigned features, struct x86_rec *r)
{
    uint8_t b[32];
    unsigned n = 0;
    for (const char *p = hex; *p && n < sizeof b;) {
        unsigned v;
        if (*p == ' ') {
            p++;
            continue;
        }
        ck_assert_int_eq(sscanf(p, "%2x", &v), 1);
        b[n++] = (uint8_t)v;
        p += 2;
    }
    return x86_decode(b, n, code32, features, r);
}

START_TEST(lengths_16bit)
{
    struct x86_rec r;
    ck_assert_uint_eq(dec("90", false, ALL, &r), 1);                 /* nop */
    ck_assert_ptr_eq(r.fn, x86_exec_nop);
    ck_assert_uint_eq(dec("b83412", false, ALL, &r), 3);             /* mov ax,1234h */
    ck_assert_uint_eq(r.imm, 0x1234);
    ck_assert_uint_eq(dec("66b878563412", false, ALL, &r), 6);       /* mov eax,12345678h */
    ck_assert_uint_eq(r.imm, 0x12345678u);
    ck_assert(r.attr & X86_A_O32);
    ck_assert_uint_eq(dec("8b4706", false, ALL, &r), 3);             /* mov ax,[bx+6] */
    ck_assert_uint_eq(dec("8b873412", false, ALL, &r), 4);           /* mov ax,[bx+1234h] */
    ck_assert_uint_eq(dec("8b063412", false, ALL, &r), 4);           /* mov ax,[1234h] */
    ck_assert_uint_eq(dec("c7063412cdab", false, ALL, &r), 6);       /* mov word [1234h],0abcdh */
    ck_assert_uint_eq(r.imm, 0xabcd);
    ck_assert_uint_eq(dec("83c0ff", false, ALL, &r), 3);             /* add ax,-1 */
    ck_assert_uint_eq(r.imm, 0xffffffffu);
    ck_assert_uint_eq(dec("ea00001000", false, ALL, &r), 5);         /* jmp 0010:0000 */
    ck_assert_uint_eq(r.disp, 0x10);
    ck_assert_uint_eq(dec("c8100001", false, ALL, &r), 4);           /* enter 16,1 */
    ck_assert_uint_eq(r.imm, 16);
    ck_assert_uint_eq(r.disp, 1);
    ck_assert_uint_eq(dec("f6c280", false, ALL, &r), 3);             /* test dl,80h */
    ck_assert_uint_eq(dec("f6d2", false, ALL, &r), 2);               /* not dl: no immediate */
    ck_assert_uint_eq(dec("f7c00080", false, ALL, &r), 4);           /* test ax,8000h */
    ck_assert_uint_eq(dec("a03412", false, ALL, &r), 3);             /* mov al,[1234h] */
    ck_assert_uint_eq(dec("67a078563412", false, ALL, &r), 6);       /* mov al,[12345678h] */
    ck_assert_uint_eq(dec("e9fdff", false, ALL, &r), 3);             /* jmp rel16 -3 */
    ck_assert_uint_eq(r.imm, 0xfffffffdu);
}
END_TEST

START_TEST(modrm_16bit_forms)
{
    struct x86_rec r;
    dec("8b02", false, ALL, &r);                                     /* mov ax,[bp+si] */
    ck_assert_uint_eq(r.base, EBP);
    ck_assert_uint_eq(r.index, ESI);
    ck_assert_uint_eq(r.seg, SEG_SS);
    ck_assert(r.attr & X86_A_MEM);
    dec("8b4e80", false, ALL, &r);                                   /* mov cx,[bp-80h] */
    ck_assert_uint_eq(r.base, EBP);
    ck_assert_uint_eq(r.index, X86_NOREG);
    ck_assert_uint_eq(r.disp, 0xffffff80u);
    ck_assert_uint_eq(r.seg, SEG_SS);
    dec("268b07", false, ALL, &r);                                   /* mov ax,es:[bx] */
    ck_assert_uint_eq(r.seg, SEG_ES);
    ck_assert(r.attr & X86_A_SEGOV);
    dec("2e3e8b02", false, ALL, &r);                                 /* the last override wins */
    ck_assert_uint_eq(r.seg, SEG_DS);
    dec("8bc3", false, ALL, &r);                                     /* mov ax,bx */
    ck_assert(!(r.attr & X86_A_MEM));
    ck_assert_uint_eq(rec_rm(&r), EBX);
}
END_TEST

START_TEST(modrm_32bit_forms)
{
    struct x86_rec r;
    ck_assert_uint_eq(dec("8b0424", true, ALL, &r), 3);              /* mov eax,[esp] */
    ck_assert_uint_eq(r.base, ESP);
    ck_assert_uint_eq(r.index, X86_NOREG);
    ck_assert_uint_eq(r.seg, SEG_SS);
    ck_assert_uint_eq(dec("8b448d10", true, ALL, &r), 4);            /* mov eax,[ebp+ecx*4+10h] */
    ck_assert_uint_eq(r.base, EBP);
    ck_assert_uint_eq(r.index, ECX);
    ck_assert_uint_eq(r.scale, 2);
    ck_assert_uint_eq(r.disp, 0x10);
    ck_assert_uint_eq(dec("8b04cd78563412", true, ALL, &r), 7);      /* mov eax,[ecx*8+12345678h] */
    ck_assert_uint_eq(r.base, X86_NOREG);
    ck_assert_uint_eq(r.index, ECX);
    ck_assert_uint_eq(r.scale, 3);
    ck_assert_uint_eq(r.disp, 0x12345678u);
    ck_assert_uint_eq(r.seg, SEG_DS);
    ck_assert_uint_eq(dec("8b0578563412", true, ALL, &r), 6);        /* mov eax,[12345678h] */
    ck_assert_uint_eq(r.base, X86_NOREG);
    ck_assert_uint_eq(dec("8b8478563412ff", true, ALL, &r), 7);    /* mov eax,[eax+edi*2+0ff123456h] */
    ck_assert_uint_eq(r.base, EAX);
    ck_assert_uint_eq(r.index, EDI);
    ck_assert_uint_eq(r.scale, 1);
    ck_assert_uint_eq(r.disp, 0xff123456u);
    ck_assert_uint_eq(dec("678b02", true, ALL, &r), 3);              /* 16-bit addressing in 32-bit code */
    ck_assert_uint_eq(r.base, EBP);
    ck_assert(!(r.attr & X86_A_A32));
    ck_assert_uint_eq(dec("66b83412", true, ALL, &r), 4);            /* mov ax,1234h */
    ck_assert(!(r.attr & X86_A_O32));
}
END_TEST

START_TEST(undefined_and_model_gated)
{
    struct x86_rec r;
    ck_assert_uint_eq(dec("0f0b", false, ALL, &r), 2);               /* ud2 */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("0fff", false, ALL, &r);                                     /* no such opcode */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("8d c0", false, ALL, &r);                                    /* lea ax,ax */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("c4c0", false, ALL, &r);                                     /* les with a register */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("fe d0", false, ALL, &r);                                    /* grp4 /2 */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("8f c8", false, ALL, &r);                                    /* pop /1 */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    /* LOCK: only lockable forms with a memory destination. */
    dec("f00107", false, ALL, &r);                                   /* lock add [bx],ax */
    ck_assert_ptr_eq(r.fn, x86_exec_alu_rm_r);
    dec("f001c0", false, ALL, &r);                                   /* lock add ax,ax */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("f08b07", false, ALL, &r);                                   /* lock mov ax,[bx] */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    /* Model gates: CPUID from the i486, RDTSC from the Pentium, CMOV P6. */
    dec("0fa2", false, 0, &r);
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("0fa2", false, X86_F_I486, &r);
    ck_assert_ptr_eq(r.fn, x86_exec_cpuid);
    dec("0f31", false, X86_F_I486, &r);
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("0f31", false, X86_F_I486 | X86_F_P5, &r);
    ck_assert_ptr_eq(r.fn, x86_exec_rdtsc);
    dec("0f44c1", false, X86_F_I486 | X86_F_P5, &r);
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
    dec("0f44c1", false, ALL, &r);
    ck_assert_ptr_eq(r.fn, x86_exec_cmovcc);
    dec("0fc70f", false, X86_F_I486 | X86_F_P5, &r);                 /* cmpxchg8b [bx] */
    ck_assert_ptr_eq(r.fn, x86_exec_cmpxchg8b);
    dec("0fc7c8", false, ALL, &r);                                   /* ... with a register */
    ck_assert_ptr_eq(r.fn, x86_exec_ud);
}
END_TEST

START_TEST(fifteen_byte_limit)
{
    struct x86_rec r;
    /* 14 prefixes + nop = 15 bytes: fine. */
    ck_assert_uint_eq(dec("2e2e2e2e2e2e2e2e2e2e2e2e2e2e90", false, ALL, &r), 15);
    ck_assert_ptr_eq(r.fn, x86_exec_nop);
    /* 15 prefixes + nop: #GP. */
    ck_assert_uint_eq(dec("2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e90", false, ALL, &r), 15);
    ck_assert_ptr_eq(r.fn, x86_exec_too_long);
    /* A long instruction made too long by prefixes. */
    ck_assert_uint_eq(dec("2e2e2e2e2e c78478 56341200 78563412", true, ALL, &r), 15);
    ck_assert_ptr_eq(r.fn, x86_exec_too_long);
    /* Too few bytes for a complete instruction (under 15): 0. */
    ck_assert_uint_eq(dec("b834", false, ALL, &r), 0);
    ck_assert_uint_eq(dec("0f", false, ALL, &r), 0);
}
END_TEST

START_TEST(mov_cr_ignores_mod)
{
    struct x86_rec r;
    /* mov eax,cr0 encoded with mod=00: still a register, no displacement. */
    ck_assert_uint_eq(dec("0f2000", true, ALL, &r), 3);
    ck_assert_ptr_eq(r.fn, x86_exec_mov_cr);
    ck_assert(!(r.attr & X86_A_MEM));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("x86_decode");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, lengths_16bit);
    tcase_add_test(tc, modrm_16bit_forms);
    tcase_add_test(tc, modrm_32bit_forms);
    tcase_add_test(tc, undefined_and_model_gated);
    tcase_add_test(tc, fifteen_byte_limit);
    tcase_add_test(tc, mov_cr_ignores_mod);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
