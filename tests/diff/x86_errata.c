/* orrery-unicorn-errata-x86: checks that Unicorn still has the x86 errata
 * orrery-unicorn-diff-x86 works around (docs/testing.md, "Unicorn x86
 * errata"). Each check runs a few instructions on Unicorn and expects the
 * documented wrong answer; when one fails, Unicorn was fixed and the
 * workaround in x86_gen.c / x86_diff.c can go. Exit status 0: all as
 * documented; 1: some erratum changed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <unicorn/unicorn.h>

#define CODE 0x1000u
#define DATA 0x8000u

struct run {
    uc_engine *uc;
    int vector;
};

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    ((struct run *)user)->vector = (int)intno;
    uc_emu_stop(uc);
}

static bool open_x86(struct run *r, uc_mode mode)
{
    static uc_hook hook;
    r->vector = -1;
    return uc_open(UC_ARCH_X86, mode, &r->uc) == UC_ERR_OK &&
           uc_ctl_set_cpu_model(r->uc, UC_CPU_X86_PENTIUM2) == UC_ERR_OK &&
           uc_mem_map(r->uc, 0, 0x20000, UC_PROT_ALL) == UC_ERR_OK &&
           uc_hook_add(r->uc, &hook, UC_HOOK_INTR, (void *)on_intr, r, 1, 0) == UC_ERR_OK;
}

static void run(struct run *r, const uint8_t *code, size_t n)
{
    uc_mem_write(r->uc, CODE, code, n);
    uint32_t esp = 0x7000;
    uc_reg_write(r->uc, UC_X86_REG_ESP, &esp);
    r->vector = -1;
    uc_emu_start(r->uc, CODE, CODE + n, 0, 0);
}

static uint32_t reg(struct run *r, int id)
{
    uint32_t v = 0;
    uc_reg_read(r->uc, id, &v);
    return v;
}

/* E1: no segment limit in real mode: MOV AX, [0xFFFF] reads across the
 * limit instead of #GP (SDM Vol. 3A 20.1.6: #GP for an operand past 0xFFFF). */
static bool e1(void)
{
    struct run r;
    if (!open_x86(&r, UC_MODE_16))
        return false;
    static const uint8_t code[] = { 0xa1, 0xff, 0xff };   /* mov ax, [0xffff] */
    run(&r, code, sizeof code);
    bool ok = r.vector == -1 && reg(&r, UC_X86_REG_EIP) == CODE + sizeof code;
    uc_close(r.uc);
    return ok;
}

/* E3: x87 status flags not raised: FLDPI then FSTP m32 is inexact (PE
 * expected, SDM Vol. 1 4.9.1.6), and the status word shows no PE. */
static bool e3(void)
{
    struct run r;
    if (!open_x86(&r, UC_MODE_32))
        return false;
    static const uint8_t code[] = { 0xdb, 0xe3, 0xd9, 0xeb,                  /* fninit; fldpi */
                                    0xd9, 0x1d, 0x10, 0x80, 0x00, 0x00 };    /* fstp dword [0x8010] */
    run(&r, code, sizeof code);
    bool ok = (reg(&r, UC_X86_REG_FPSW) & 0x20u) == 0;
    uc_close(r.uc);
    return ok;
}

/* E4: FLDPI ignores the rounding control: rounding down gives the same
 * value as to nearest (C90FDAA22168C235 rounded down is ...C234). */
static bool e4(void)
{
    struct run r;
    if (!open_x86(&r, UC_MODE_32))
        return false;
    uint16_t cw = 0x077f;   /* round down */
    uc_mem_write(r.uc, DATA, &cw, 2);
    static const uint8_t code[] = { 0xdb, 0xe3, 0xd9, 0x2d, 0x00, 0x80, 0x00, 0x00, 0xd9, 0xeb };
    run(&r, code, sizeof code);
    uint8_t f[16] = { 0 };
    unsigned top = (reg(&r, UC_X86_REG_FPSW) >> 11) & 7u;
    uc_reg_read(r.uc, UC_X86_REG_FP0 + (int)top, f);
    uint64_t sig;
    memcpy(&sig, f, 8);
    bool ok = sig == 0xc90fdaa22168c235ull;
    uc_close(r.uc);
    return ok;
}

/* E8: FST m32 of a signalling NaN stores it without setting the quiet bit
 * (SDM Vol. 1 4.8.3.4: the masked response converts it to a QNaN). */
static bool e8(void)
{
    struct run r;
    if (!open_x86(&r, UC_MODE_32))
        return false;
    uint8_t snan[10] = { 0, 0, 0, 0, 0, 0, 0, 0xa0, 0xff, 0x7f };   /* 7fff:a000000000000000 */
    uc_mem_write(r.uc, DATA, snan, sizeof snan);
    static const uint8_t code[] = { 0xdb, 0xe3, 0xdb, 0x2d, 0x00, 0x80, 0x00, 0x00,   /* fld tbyte [0x8000] */
                                    0xd9, 0x1d, 0x10, 0x80, 0x00, 0x00 };             /* fstp dword [0x8010] */
    run(&r, code, sizeof code);
    uint32_t v = 0;
    uc_mem_read(r.uc, DATA + 0x10, &v, 4);
    bool ok = v == 0x7fa00000u;   /* quiet would be 0x7fe00000 */
    uc_close(r.uc);
    return ok;
}

/* E9: after CMPXCHG8B, EFLAGS as read by uc_reg_read is garbage: ADD
 * EAX, 1 from 0xFFFFFFFF (CF AF PF ZF), then a failing CMPXCHG8B (clears
 * ZF only, SDM Vol. 2A CMPXCHG8B): expected CF AF PF set, ZF SF OF clear. */
static bool e9(void)
{
    struct run r;
    if (!open_x86(&r, UC_MODE_32))
        return false;
    uint64_t m = 0x1122334455667788ull;
    uc_mem_write(r.uc, DATA, &m, 8);
    static const uint8_t code[] = { 0x31, 0xd2, 0xb8, 0xff, 0xff, 0xff, 0xff,  /* xor edx; mov eax, -1 */
                                    0x83, 0xc0, 0x01,                          /* add eax, 1 */
                                    0x0f, 0xc7, 0x0d, 0x00, 0x80, 0x00, 0x00 };/* cmpxchg8b [0x8000] */
    run(&r, code, sizeof code);
    bool ok = (reg(&r, UC_X86_REG_EFLAGS) & 0x8d5u) != 0x015u;
    uc_close(r.uc);
    return ok;
}

/* H1: after an exception stopped in the interrupt hook, the next run's
 * first exception is reported as a double fault (8). */
static bool h1(void)
{
    struct run r;
    if (!open_x86(&r, UC_MODE_32))
        return false;
    static const uint8_t code[] = { 0x31, 0xc9, 0xf7, 0xf1 };   /* xor ecx, ecx; div ecx */
    run(&r, code, sizeof code);
    int first = r.vector;
    run(&r, code, sizeof code);
    bool ok = first == 0 && r.vector == 8;
    uc_close(r.uc);
    return ok;
}

int main(void)
{
    static const struct {
        const char *name;
        bool (*check)(void);
    } checks[] = {
        { "E1 real-mode segment limits not checked", e1 },
        { "E3 x87 PE not raised by FST m32", e3 },
        { "E4 x87 constants not rounded per RC", e4 },
        { "E8 FST m32 of an SNaN not quieted", e8 },
        { "E9 EFLAGS read after CMPXCHG8B is garbage", e9 },
        { "H1 exception after a hooked one becomes #DF", h1 },
    };
    int failed = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        bool ok = checks[i].check();
        printf("%s: %s\n", checks[i].name, ok ? "as documented" : "CHANGED");
        failed += !ok;
    }
    return failed ? 1 : 0;
}
