/* The x86 Linux boot protocol (machine/linux_boot_x86.c) on the pc board,
 * with synthetic kernels: a bzImage whose protected-mode part is a few
 * instructions, and a vmlinux ELF with Linux's note. The CPU state, the
 * zero page, the e820 map, the command line, the initrd and the ACPI RSDP
 * are checked where the kernel would read them. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/le.h"
#include "isa-x86/x86.h"
#include "machine/bus.h"
#include "machine/linux_boot.h"
#include "machine/linux_boot_x86.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

#define SETUP_SECTS 4
#define PM_OFFSET ((SETUP_SECTS + 1) * 512)

/* A bzImage of boot protocol `version` whose protected-mode part is `pm`. */
static uint8_t *make_bzimage(uint16_t version, const uint8_t *pm, size_t pm_len, size_t *len)
{
    *len = PM_OFFSET + pm_len;
    uint8_t *k = calloc(1, *len);
    ck_assert_ptr_nonnull(k);
    k[0x1f1] = SETUP_SECTS;
    le_store(k + 0x1f4, 4, (pm_len + 15) / 16);          /* syssize */
    le_store(k + 0x1fe, 2, 0xaa55);
    k[0x200] = 0xeb;
    k[0x201] = 0x66;                                     /* header ends at 0x268 */
    memcpy(k + 0x202, "HdrS", 4);
    le_store(k + 0x206, 2, version);
    k[0x211] = 0x01;                                     /* LOADED_HIGH */
    le_store(k + 0x214, 4, 0x100000);                    /* code32_start */
    le_store(k + 0x22c, 4, 0x37ffffff);                  /* initrd_addr_max */
    le_store(k + 0x238, 4, 2047);                        /* cmdline_size */
    le_store(k + 0x260, 4, 0x20000);                     /* init_size */
    memcpy(k + PM_OFFSET, pm, pm_len);
    return k;
}

static struct machine *pc(void)
{
    return unit_machine("pc", (struct machine_config){ .clock_mode = CLOCK_MODE_VIRTUAL });
}

static uint32_t rd32(struct machine *m, uint64_t addr)
{
    uint8_t b[4];
    ck_assert_int_eq(bus_read_block(&m->bus, addr, b, 4), BUS_OK);
    return (uint32_t)le_load(b, 4);
}

static uint64_t reg(struct machine *m, const char *name)
{
    struct cpu *c = m->cpus[0];
    int i = cpu_reg_find(c, name);
    ck_assert_int_ge(i, 0);
    return c->ops->reg_get(c, (unsigned)i);
}

START_TEST(bzimage_boots_in_flat_protected_mode)
{
    /* mov eax,[esi+228h] (cmd_line_ptr); mov ebx,[eax]; out 0f4h,al... :
     * simply: mov eax,0x12345678; hlt */
    static const uint8_t pm[] = { 0xb8, 0x78, 0x56, 0x34, 0x12, 0xf4 };
    size_t klen;
    uint8_t *k = make_bzimage(0x020f, pm, sizeof pm, &klen);
    uint8_t initrd[10000];
    for (size_t i = 0; i < sizeof initrd; i++)
        initrd[i] = (uint8_t)i;
    struct machine *m = pc();
    struct linux_boot_args a = { .kernel = k, .kernel_len = klen, .initrd = initrd,
                                 .initrd_len = sizeof initrd, .cmdline = "console=ttyS0" };
    struct x86_boot_layout l;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_boot_linux_x86(m, &a, &l, &err) == 0, "%s", err.msg);

    /* CPU: EIP at 1 MiB, CS 0x10, DS 0x18, ESI the zero page, IF clear. */
    ck_assert_uint_eq(reg(m, "eip"), 0x100000);
    ck_assert_uint_eq(reg(m, "cs"), 0x10);
    ck_assert_uint_eq(reg(m, "ds"), 0x18);
    ck_assert_uint_eq(reg(m, "ss"), 0x18);
    ck_assert_uint_eq(reg(m, "esi"), X86_BOOT_PARAMS_ADDR);
    ck_assert_uint_eq(reg(m, "ebx") | reg(m, "edi") | reg(m, "ebp"), 0);
    ck_assert_uint_eq(reg(m, "eflags") & 0x200, 0);
    ck_assert_uint_eq(reg(m, "cr0") & 0x80000001u, 1);  /* PE, no PG */

    /* Zero page: the header copied, type_of_loader, command line, initrd. */
    const uint32_t bp = X86_BOOT_PARAMS_ADDR;
    ck_assert_uint_eq(rd32(m, bp + 0x202), 0x53726448);  /* "HdrS" */
    ck_assert_uint_eq(rd32(m, bp + 0x210) & 0xff, 0xff);
    ck_assert_uint_eq(rd32(m, bp + 0x228), X86_BOOT_CMDLINE_ADDR);
    char cmd[16] = { 0 };
    ck_assert_int_eq(bus_read_block(&m->bus, X86_BOOT_CMDLINE_ADDR, cmd, 14), BUS_OK);
    ck_assert_str_eq(cmd, "console=ttyS0");
    uint32_t ird = rd32(m, bp + 0x218);
    ck_assert_uint_eq(ird, l.initrd_addr);
    ck_assert_uint_eq(rd32(m, bp + 0x21c), sizeof initrd);
    ck_assert_uint_eq(ird % 4096, 0);
    ck_assert_uint_le(ird + sizeof initrd, 0x10000000u);     /* below the top of RAM */
    ck_assert_uint_gt(ird + sizeof initrd, 0x10000000u - 4096);
    ck_assert_uint_eq(rd32(m, ird + 4), 0x07060504u);

    /* e820: 0-640K usable, the BIOS area reserved, 1 MiB up usable. */
    uint8_t n = 0;
    ck_assert_int_eq(bus_read_block(&m->bus, bp + 0x1e8, &n, 1), BUS_OK);
    ck_assert_uint_eq(n, 3);
    static const uint32_t expect[3][3] = {
        { 0, 0xa0000, 1 }, { 0xe0000, 0x20000, 2 }, { 0x100000, 0xff00000, 1 } };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t e = bp + 0x2d0 + 20 * i;
        ck_assert_uint_eq(rd32(m, e), expect[i][0]);
        ck_assert_uint_eq(rd32(m, e + 8), expect[i][1]);
        ck_assert_uint_eq(rd32(m, e + 16), expect[i][2]);
    }
    /* The RSDP where the kernel's scan finds it, and its address. */
    ck_assert_uint_eq(rd32(m, 0xe0000), 0x20445352);     /* "RSD " */
    ck_assert_uint_eq(rd32(m, bp + 0x70), 0xe0000);
    /* screen_info: 80x25 VGA text. */
    uint8_t si[16];
    ck_assert_int_eq(bus_read_block(&m->bus, bp, si, 16), BUS_OK);
    ck_assert_uint_eq(si[7], 80);
    ck_assert_uint_eq(si[14], 25);
    ck_assert_uint_eq(si[15], 1);

    /* The kernel runs. */
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    ck_assert_uint_eq(reg(m, "eax"), 0x12345678u);
    machine_destroy(m);
    free(k);
}
END_TEST

START_TEST(bad_kernels_are_refused)
{
    static const uint8_t pm[] = { 0xf4 };
    size_t klen;
    struct x86_boot_image img;
    struct orr_error err = { { 0 } };
    uint8_t *k = make_bzimage(0x0209, pm, sizeof pm, &klen);
    ck_assert_int_ne(x86_boot_identify(k, klen, &img, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "older than 2.10"));
    free(k);
    k = make_bzimage(0x020f, pm, sizeof pm, &klen);
    k[0x211] = 0;
    ck_assert_int_ne(x86_boot_identify(k, klen, &img, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "zImage"));
    k[0x211] = 1;
    le_store(k + 0x1f4, 4, 0x100000);                    /* syssize past the end */
    ck_assert_int_ne(x86_boot_identify(k, klen, &img, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
    ck_assert_int_ne(x86_boot_identify(k, 0x100, &img, &err), 0);
    memcpy(k + 0x202, "XXXX", 4);
    ck_assert_int_ne(x86_boot_identify(k, klen, &img, &err), 0);
    free(k);

    /* A command line longer than the kernel takes. */
    k = make_bzimage(0x020f, pm, sizeof pm, &klen);
    le_store(k + 0x238, 4, 8);
    struct machine *m = pc();
    struct linux_boot_args a = { .kernel = k, .kernel_len = klen, .cmdline = "console=ttyS0" };
    ck_assert_int_ne(machine_boot_linux_x86(m, &a, NULL, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "command line"));
    machine_destroy(m);
    free(k);
}
END_TEST

/* A minimal i386 ELF: one PT_LOAD at virtual 0xC1000000, physical
 * 0x1000000 (entry virtual), and a PT_NOTE with owner `owner`. */
static size_t make_vmlinux(uint8_t *f, size_t cap, const char *owner)
{
    memset(f, 0, cap);
    static const uint8_t code[] = { 0xb8, 0xef, 0xbe, 0xad, 0xde, 0xf4 };
    memcpy(f, "\177ELF\1\1\1", 7);
    le_store(f + 16, 2, 2);                  /* ET_EXEC */
    le_store(f + 18, 2, 3);                  /* EM_386 */
    le_store(f + 20, 4, 1);
    le_store(f + 24, 4, 0xc1000000u);        /* e_entry, virtual */
    le_store(f + 28, 4, 52);                 /* e_phoff */
    le_store(f + 40, 2, 52);
    le_store(f + 42, 2, 32);
    le_store(f + 44, 2, 2);                  /* two program headers */
    uint8_t *ph = f + 52;
    le_store(ph, 4, 1);                      /* PT_LOAD */
    le_store(ph + 4, 4, 0x100);
    le_store(ph + 8, 4, 0xc1000000u);
    le_store(ph + 12, 4, 0x01000000u);
    le_store(ph + 16, 4, sizeof code);
    le_store(ph + 20, 4, 0x1000);
    ph += 32;
    le_store(ph, 4, 4);                      /* PT_NOTE */
    le_store(ph + 4, 4, 0x200);
    le_store(ph + 16, 4, 24);
    memcpy(f + 0x100, code, sizeof code);
    uint8_t *note = f + 0x200;
    le_store(note, 4, strlen(owner) + 1);
    le_store(note + 4, 4, 4);
    le_store(note + 8, 4, 0x100);
    memcpy(note + 12, owner, strlen(owner));
    return 0x220;
}

START_TEST(vmlinux_is_recognised_and_entered_physically)
{
    uint8_t f[0x300];
    size_t len = make_vmlinux(f, sizeof f, "Linux");
    ck_assert(x86_boot_is_vmlinux(f, len));
    struct machine *m = pc();
    struct linux_boot_args a = { .kernel = f, .kernel_len = len, .cmdline = "quiet" };
    struct x86_boot_layout l;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_boot_linux_x86(m, &a, &l, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(l.entry, 0x1000000);
    ck_assert_uint_eq(reg(m, "eip"), 0x1000000);
    /* The loader wrote a setup header: "HdrS", LOADED_HIGH, the loader ID. */
    ck_assert_uint_eq(rd32(m, X86_BOOT_PARAMS_ADDR + 0x202), 0x53726448);
    ck_assert_uint_eq(rd32(m, X86_BOOT_PARAMS_ADDR + 0x210) & 0xffff, 0x01ff);
    struct machine_run_result res;
    machine_run(m, 1000000, &res);
    ck_assert_uint_eq(reg(m, "eax"), 0xdeadbeefu);
    machine_destroy(m);

    /* Another owner's note: a plain ELF program, not a kernel. */
    len = make_vmlinux(f, sizeof f, "GNU");
    ck_assert(!x86_boot_is_vmlinux(f, len));
    struct x86_boot_image img;
    ck_assert_int_ne(x86_boot_identify(f, len, &img, &err), 0);
    /* A note running past the segment is not read past it. */
    len = make_vmlinux(f, sizeof f, "Linux");
    le_store(f + 0x200, 4, 0x7fffffff);
    ck_assert(!x86_boot_is_vmlinux(f, len));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("linux_boot_x86");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, bzimage_boots_in_flat_protected_mode);
    tcase_add_test(tc, bad_kernels_are_refused);
    tcase_add_test(tc, vmlinux_is_recognised_and_entered_physically);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
