/* The Linux boot protocol: image headers (zImage, uImage, raw), placement
 * as QEMU's virt puts things, the device tree's fixups, bad inputs, and
 * the CPU state a real boot leaves on the arm-virt board. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/boards.h"
#include "machine/linux_boot.h"
#include "machine/machine.h"
#include "tests/unit/unit.h"

#define RAM 0x40000000u
#define MiB (1u << 20)

static void put32le(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put32be(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* A zImage-shaped file of len bytes: magic, start 0, end len. */
static uint8_t *make_zimage(size_t len)
{
    uint8_t *z = calloc(1, len);
    put32le(z + 0x24, ZIMAGE_MAGIC);
    put32le(z + 0x28, 0);
    put32le(z + 0x2c, (uint32_t)len);
    return z;
}

static uint8_t *make_uimage(uint32_t load, uint32_t ep, uint8_t type, uint8_t comp,
                            uint32_t size, size_t file_len)
{
    uint8_t *u = calloc(1, file_len);
    put32be(u, UIMAGE_MAGIC);
    put32be(u + 12, size);
    put32be(u + 16, load);
    put32be(u + 20, ep);
    u[28] = 5;   /* Linux */
    u[29] = 2;   /* ARM */
    u[30] = type;
    u[31] = comp;
    for (size_t i = UIMAGE_HEADER_SIZE; i < file_len; i++)
        u[i] = (uint8_t)i;
    return u;
}

START_TEST(identifies_images)
{
    struct orr_error err = { { 0 } };
    struct boot_image k;
    uint8_t *z = make_zimage(4096);
    ck_assert_int_eq(boot_identify(z, 4096, &k, &err), 0);
    ck_assert_int_eq(k.kind, BOOT_IMAGE_ZIMAGE);
    ck_assert_uint_eq(k.payload_len, 4096);
    /* end beyond the file: truncated */
    put32le(z + 0x2c, 8192);
    ck_assert_int_eq(boot_identify(z, 4096, &k, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "zImage"));
    free(z);

    uint8_t raw[64] = { 1, 2, 3 };
    ck_assert_int_eq(boot_identify(raw, sizeof raw, &k, &err), 0);
    ck_assert_int_eq(k.kind, BOOT_IMAGE_RAW);
    ck_assert_int_eq(boot_identify(raw, 0, &k, &err), -1);

    uint8_t *u = make_uimage(RAM + 0x8000, RAM + 0x8040, 2, 0, 256, 64 + 256);
    ck_assert_int_eq(boot_identify(u, 64 + 256, &k, &err), 0);
    ck_assert_int_eq(k.kind, BOOT_IMAGE_UIMAGE);
    ck_assert(k.fixed_address);
    ck_assert_uint_eq(k.load_addr, RAM + 0x8000);
    ck_assert_uint_eq(k.entry, RAM + 0x8040);
    ck_assert_uint_eq(k.payload_offset, 64);
    ck_assert_uint_eq(k.payload_len, 256);
    /* size beyond the file, gzip, a ramdisk type, another architecture */
    ck_assert_int_eq(boot_identify(u, 64 + 255, &k, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));
    u[31] = 1;
    ck_assert_int_eq(boot_identify(u, 64 + 256, &k, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "compression"));
    u[31] = 0;
    u[30] = 3;
    ck_assert_int_eq(boot_identify(u, 64 + 256, &k, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "type"));
    u[30] = 2;
    u[29] = 22;
    ck_assert_int_eq(boot_identify(u, 64 + 256, &k, &err), -1);
    free(u);
}
END_TEST

START_TEST(places_as_qemu_virt)
{
    struct orr_error err = { { 0 } };
    struct boot_image k = { .kind = BOOT_IMAGE_ZIMAGE, .payload_len = 5 * MiB };
    struct boot_layout l;
    /* 256 MiB: kernel at +64K, initrd at +128M, DTB right after it. */
    ck_assert_int_eq(boot_plan(&k, 1000, 2000, RAM, 256 * MiB, &l, &err), 0);
    ck_assert_uint_eq(l.kernel_addr, RAM + 0x10000);
    ck_assert_uint_eq(l.entry, RAM + 0x10000);
    ck_assert_uint_eq(l.initrd_addr, RAM + 128 * MiB);
    ck_assert_uint_eq(l.initrd_end, RAM + 128 * MiB + 1000);
    ck_assert_uint_eq(l.dtb_addr, RAM + 128 * MiB + 0x1000);
    /* 1 GiB: still 128M. 64 MiB: half of RAM. */
    ck_assert_int_eq(boot_plan(&k, 0, 2000, RAM, 1024 * MiB, &l, &err), 0);
    ck_assert_uint_eq(l.initrd_addr, RAM + 128 * MiB);
    ck_assert_uint_eq(l.dtb_addr, RAM + 128 * MiB);
    ck_assert_int_eq(boot_plan(&k, 0, 2000, RAM, 64 * MiB, &l, &err), 0);
    ck_assert_uint_eq(l.initrd_addr, RAM + 32 * MiB);
    /* 8 MiB: half is inside the kernel, so the initrd follows it, aligned. */
    ck_assert_int_eq(boot_plan(&k, 100, 2000, RAM, 8 * MiB, &l, &err), 0);
    ck_assert_uint_eq(l.initrd_addr, RAM + 0x10000 + 5 * MiB);
    ck_assert_uint_eq(l.dtb_addr, RAM + 0x10000 + 5 * MiB + 0x1000);
    /* too small: the kernel, the initrd, the DTB each get a message */
    ck_assert_int_eq(boot_plan(&k, 0, 2000, RAM, 4 * MiB, &l, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "kernel"));
    ck_assert_int_eq(boot_plan(&k, 3 * MiB, 2000, RAM, 8 * MiB, &l, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "initrd"));
    ck_assert_int_eq(boot_plan(&k, 0, 3 * MiB, RAM, 8 * MiB, &l, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "device tree"));

    /* uImage: type kernel at its own address; kernel_noload's data at
     * +32M + 64 (after its header) with the entry relative to it; either
     * outside RAM is an error. */
    struct boot_image u = { .kind = BOOT_IMAGE_UIMAGE, .fixed_address = true,
                            .load_addr = RAM + 0x8000, .entry = RAM + 0x8000,
                            .payload_len = 4096 };
    ck_assert_int_eq(boot_plan(&u, 0, 100, RAM, 256 * MiB, &l, &err), 0);
    ck_assert_uint_eq(l.kernel_addr, RAM + 0x8000);
    ck_assert_uint_eq(l.entry, RAM + 0x8000);
    u.load_addr = 0x1000;
    ck_assert_int_eq(boot_plan(&u, 0, 100, RAM, 256 * MiB, &l, &err), -1);
    u.load_addr = RAM;
    u.entry = RAM + 4096;           /* one past the image */
    ck_assert_int_eq(boot_plan(&u, 0, 100, RAM, 256 * MiB, &l, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "entry"));
    u.fixed_address = false;
    u.noload = true;
    u.entry = 0x40;
    ck_assert_int_eq(boot_plan(&u, 0, 100, RAM, 256 * MiB, &l, &err), 0);
    ck_assert_uint_eq(l.kernel_addr, RAM + 32 * MiB + 64);
    ck_assert_uint_eq(l.entry, RAM + 32 * MiB + 64 + 0x40);
}
END_TEST

static uint64_t cells64(const void *p, int len)
{
    const fdt32_t *c = p;
    return len == 8 ? (uint64_t)fdt32_to_cpu(c[0]) << 32 | fdt32_to_cpu(c[1])
                    : fdt32_to_cpu(c[0]);
}

START_TEST(fixes_up_the_tree)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(b);
    struct orr_error err = { { 0 } };
    void *t;
    size_t tl;
    ck_assert_int_eq(boot_make_dtb(b->dtb, b->dtb_size, RAM, 512 * MiB, "console=ttyAMA0",
                                   RAM + 128 * MiB, RAM + 128 * MiB + 77, &t, &tl, &err), 0);
    ck_assert_int_eq(fdt_check_full(t, tl), 0);
    int mem = fdt_node_offset_by_prop_value(t, -1, "device_type", "memory", 7);
    ck_assert_int_ge(mem, 0);
    int len;
    const fdt32_t *reg = fdt_getprop(t, mem, "reg", &len);
    ck_assert_int_eq(len, 16);
    ck_assert_uint_eq(cells64(reg, 8), RAM);
    ck_assert_uint_eq(cells64(reg + 2, 8), 512 * MiB);
    int chosen = fdt_path_offset(t, "/chosen");
    ck_assert_str_eq(fdt_getprop(t, chosen, "bootargs", NULL), "console=ttyAMA0");
    const void *p = fdt_getprop(t, chosen, "linux,initrd-start", &len);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(len, 4);                    /* one cell, as QEMU 7.2 */
    ck_assert_uint_eq(cells64(p, len), RAM + 128 * MiB);
    p = fdt_getprop(t, chosen, "linux,initrd-end", &len);
    ck_assert_uint_eq(cells64(p, len), RAM + 128 * MiB + 77);
    ck_assert_str_eq(fdt_getprop(t, chosen, "stdout-path", NULL), "/pl011@9000000");
    free(t);

    /* No cmdline, no initrd: neither property appears. */
    ck_assert_int_eq(boot_make_dtb(b->dtb, b->dtb_size, RAM, 64 * MiB, NULL, 0, 0, &t, &tl,
                                   &err), 0);
    chosen = fdt_path_offset(t, "/chosen");
    ck_assert_ptr_null(fdt_getprop(t, chosen, "bootargs", NULL));
    ck_assert_ptr_null(fdt_getprop(t, chosen, "linux,initrd-start", NULL));
    free(t);

    /* Garbage and truncated trees are refused. */
    uint8_t junk[64] = { 0xd0, 0x0d };
    ck_assert_int_eq(boot_make_dtb(junk, sizeof junk, RAM, MiB, NULL, 0, 0, &t, &tl, &err), -1);
    ck_assert_int_eq(boot_make_dtb(b->dtb, b->dtb_size / 2, RAM, MiB, NULL, 0, 0, &t, &tl,
                                   &err), -1);
}
END_TEST

START_TEST(one_cell_tree_without_memory_or_chosen)
{
    char fdt[256];
    ck_assert_int_eq(fdt_create(fdt, sizeof fdt), 0);
    ck_assert_int_eq(fdt_finish_reservemap(fdt), 0);
    ck_assert_int_eq(fdt_begin_node(fdt, ""), 0);
    ck_assert_int_eq(fdt_property_u32(fdt, "#address-cells", 1), 0);
    ck_assert_int_eq(fdt_property_u32(fdt, "#size-cells", 1), 0);
    ck_assert_int_eq(fdt_end_node(fdt), 0);
    ck_assert_int_eq(fdt_finish(fdt), 0);
    struct orr_error err = { { 0 } };
    void *t;
    size_t tl;
    ck_assert_int_eq(boot_make_dtb(fdt, sizeof fdt, RAM, 64 * MiB, "quiet", RAM + 0x100000,
                                   RAM + 0x100010, &t, &tl, &err), 0);
    int mem = fdt_path_offset(t, "/memory");
    ck_assert_int_ge(mem, 0);
    int len;
    const fdt32_t *reg = fdt_getprop(t, mem, "reg", &len);
    ck_assert_int_eq(len, 8);
    ck_assert_uint_eq(fdt32_to_cpu(reg[0]), RAM);
    ck_assert_uint_eq(fdt32_to_cpu(reg[1]), 64 * MiB);
    int chosen = fdt_path_offset(t, "/chosen");
    const void *p = fdt_getprop(t, chosen, "linux,initrd-end", &len);
    ck_assert_int_eq(len, 4);
    ck_assert_uint_eq(cells64(p, len), RAM + 0x100010);
    ck_assert_ptr_null(fdt_getprop(t, chosen, "stdout-path", NULL));   /* no alias */
    free(t);
    /* RAM above 4 GiB cannot be written in one cell */
    ck_assert_int_eq(boot_make_dtb(fdt, sizeof fdt, 0x100000000ull, MiB, NULL, 0, 0, &t, &tl,
                                   &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "RAM"));
}
END_TEST

static struct machine *make_machine(uint64_t ram)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    struct machine_config cfg = {
        .dtb = b->dtb, .dtb_size = b->dtb_size, .board_name = b->name,
        .cpu_model = "cortex-a15", .ram_size = ram, .clock_mode = CLOCK_MODE_VIRTUAL,
    };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    return m;
}

START_TEST(boots_a_zimage_on_arm_virt)
{
    struct machine *m = make_machine(256 * MiB);
    struct cpu *cpu = m->cpus[0];
    struct orr_error err = { { 0 } };
    uint8_t *z = make_zimage(8192);
    z[0] = 0xaa;
    uint8_t initrd[100];
    memset(initrd, 0x5c, sizeof initrd);
    struct linux_boot_args a = { .kernel = z, .kernel_len = 8192, .initrd = initrd,
                                 .initrd_len = sizeof initrd, .cmdline = "root=/dev/ram" };
    struct boot_layout l;
    ck_assert_msg(machine_boot_linux(m, &a, &l, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 15), RAM + 0x10000);
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 0), 0);
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 1), 0xffffffffu);
    ck_assert_uint_eq(cpu->ops->reg_get(cpu, 2), l.dtb_addr);
    ck_assert_uint_eq(l.dtb_addr, RAM + 128 * MiB + 0x1000);
    uint32_t cpsr = (uint32_t)cpu->ops->reg_get(cpu, 16);
    ck_assert_uint_eq(cpsr & 0x1f, 0x13);        /* SVC */
    ck_assert_uint_eq(cpsr & 0xe0, 0xc0);        /* I, F set; ARM state */
    uint8_t byte;
    ck_assert_int_eq(bus_read_block(&m->bus, RAM + 0x10000, &byte, 1), 0);
    ck_assert_uint_eq(byte, 0xaa);
    ck_assert_int_eq(bus_read_block(&m->bus, l.initrd_addr + 99, &byte, 1), 0);
    ck_assert_uint_eq(byte, 0x5c);
    uint8_t hdr[40];
    ck_assert_int_eq(bus_read_block(&m->bus, l.dtb_addr, hdr, sizeof hdr), 0);
    ck_assert_int_eq(fdt_check_header(hdr), 0);

    /* A uImage-wrapped ramdisk is unwrapped (QEMU does the same). */
    uint8_t *ur = make_uimage(0, 0, 3, 0, 100, 64 + 100);
    struct linux_boot_args b = { .kernel = z, .kernel_len = 8192, .initrd = ur,
                                 .initrd_len = 64 + 100 };
    machine_reset(m);
    ck_assert_msg(machine_boot_linux(m, &b, &l, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(l.initrd_end - l.initrd_addr, 100);
    ck_assert_int_eq(bus_read_block(&m->bus, l.initrd_addr, &byte, 1), 0);
    ck_assert_uint_eq(byte, 64);               /* the first data byte, not the magic */
    ur[31] = 1;                                /* gzip: refused */
    ck_assert_int_eq(machine_boot_linux(m, &b, &l, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "initrd"));
    free(ur);

    /* The same machine with too little RAM for the kernel. */
    machine_destroy(m);
    m = make_machine(0x4000);
    ck_assert_int_eq(machine_boot_linux(m, &a, NULL, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "does not fit"));
    machine_destroy(m);
    free(z);
}
END_TEST

static Suite *linux_boot_suite(void)
{
    Suite *s = suite_create("linux_boot");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, identifies_images);
    tcase_add_test(tc, places_as_qemu_virt);
    tcase_add_test(tc, fixes_up_the_tree);
    tcase_add_test(tc, one_cell_tree_without_memory_or_chosen);
    tcase_add_test(tc, boots_a_zimage_on_arm_virt);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(linux_boot_suite());
}
