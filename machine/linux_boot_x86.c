/* The 32-bit x86 Linux boot protocol (machine/linux_boot_x86.h). Offsets
 * are those of Linux Documentation/x86/boot.rst ("The real-mode kernel
 * header") and zero-page.rst. */
#include "machine/linux_boot_x86.h"

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/le.h"
#include "isa-x86/x86.h"
#include "machine/acpi.h"
#include "machine/board_internal.h"
#include "machine/bus.h"
#include "machine/device.h"
#include "machine/linux_boot.h"
#include "machine/loader.h"
#include "machine/machine.h"

/* Setup header fields (offsets in the file and in boot_params alike). */
enum {
    HDR_START = 0x1f1,          /* setup_sects: the header's first byte */
    HDR_SETUP_SECTS = 0x1f1,
    HDR_SYSSIZE = 0x1f4,
    HDR_VID_MODE = 0x1fa,
    HDR_BOOT_FLAG = 0x1fe,
    HDR_JUMP = 0x200,           /* its second byte: the header's length - 2 */
    HDR_HEADER = 0x202,         /* "HdrS" */
    HDR_VERSION = 0x206,
    HDR_TYPE_OF_LOADER = 0x210,
    HDR_LOADFLAGS = 0x211,
    HDR_CODE32_START = 0x214,
    HDR_RAMDISK_IMAGE = 0x218,
    HDR_RAMDISK_SIZE = 0x21c,
    HDR_CMD_LINE_PTR = 0x228,
    HDR_INITRD_ADDR_MAX = 0x22c,
    HDR_KERNEL_ALIGNMENT = 0x230,
    HDR_RELOCATABLE = 0x234,
    HDR_CMDLINE_SIZE = 0x238,
    HDR_INIT_SIZE = 0x260,
    HDR_LIMIT = 0x280,          /* the header may not run past this */
};

/* boot_params fields outside the setup header (zero-page.rst). */
enum {
    BP_SCREEN_INFO = 0x000,
    BP_ACPI_RSDP_ADDR = 0x070,
    BP_EXT_RAMDISK_IMAGE = 0x0c0,
    BP_EXT_RAMDISK_SIZE = 0x0c4,
    BP_EXT_CMD_LINE_PTR = 0x0c8,
    BP_ALT_MEM_K = 0x1e0,
    BP_E820_ENTRIES = 0x1e8,
    BP_E820_TABLE = 0x2d0,
    BP_SIZE = 0x1000,
};

#define E820_MAX 128
#define E820_RAM 1
#define E820_RESERVED 2

#define LOADFLAG_LOADED_HIGH 0x01u
#define LOADFLAG_QUIET 0x20u
#define LOADER_UNDEFINED 0xffu       /* type_of_loader: no assigned ID */
#define MIN_PROTOCOL 0x020a          /* 2.10: initrd_addr_max, init_size... */
#define DEFAULT_INITRD_MAX 0x37ffffffu   /* boot.rst: before 2.03 */
#define LEGACY_LOW 0x000a0000u       /* 640 KiB */
#define LEGACY_HIGH 0x00100000u      /* 1 MiB */
#define PAGE 0x1000u

int x86_boot_identify(const uint8_t *d, size_t len, struct x86_boot_image *out,
                      struct orr_error *err)
{
    memset(out, 0, sizeof *out);
    if (loader_is_elf(d, len)) {
        if (!x86_boot_is_vmlinux(d, len))
            return orr_fail(err, "an ELF kernel must be a Linux vmlinux (with Linux's ELF note)");
        out->elf = true;
        out->version = 0x020f;
        out->initrd_addr_max = DEFAULT_INITRD_MAX;
        out->cmdline_size = X86_BOOT_CMDLINE_MAX - 1;
        return 0;
    }
    if (len < HDR_LIMIT)
        return orr_fail(err, "not a Linux kernel: %zu bytes is shorter than a bzImage header",
                        len);
    if (le_load(d + HDR_BOOT_FLAG, 2) != 0xaa55 || memcmp(d + HDR_HEADER, "HdrS", 4) != 0)
        return orr_fail(err, "not a Linux bzImage (no \"HdrS\" setup header) nor an ELF");
    out->version = (uint16_t)le_load(d + HDR_VERSION, 2);
    if (out->version < MIN_PROTOCOL)
        return orr_fail(err, "boot protocol %u.%02u is older than 2.10, the oldest supported",
                        out->version >> 8, out->version & 0xffu);
    if (!(d[HDR_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
        return orr_fail(err, "a zImage (loaded low) is not supported; use a bzImage");
    out->header_end = HDR_HEADER + d[HDR_JUMP + 1];
    if (out->header_end > HDR_LIMIT || out->header_end < HDR_INIT_SIZE + 4)
        return orr_fail(err, "bzImage setup header length %zu is not plausible",
                        out->header_end - HDR_START);
    unsigned sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
    out->setup_len = ((size_t)sects + 1) * 512;
    if (out->setup_len >= len)
        return orr_fail(err, "truncated bzImage: the setup code (%zu bytes) fills the file",
                        out->setup_len);
    uint64_t syssize = le_load(d + HDR_SYSSIZE, 4) * 16;
    if (syssize > len - out->setup_len)
        return orr_fail(err, "truncated bzImage: the header says %llu bytes of kernel, the "
                        "file has %zu", (unsigned long long)syssize, len - out->setup_len);
    out->initrd_addr_max = (uint32_t)le_load(d + HDR_INITRD_ADDR_MAX, 4);
    out->cmdline_size = (uint32_t)le_load(d + HDR_CMDLINE_SIZE, 4);
    out->init_size = (uint32_t)le_load(d + HDR_INIT_SIZE, 4);
    return 0;
}

/* gABI "Note Section": namesz, descsz, type, then the name and the
 * descriptor, each padded to 4 bytes. */
static bool notes_have_owner(const uint8_t *p, size_t n, const char *owner)
{
    size_t olen = strlen(owner) + 1;
    while (n >= 12) {
        uint32_t namesz = (uint32_t)le_load(p, 4), descsz = (uint32_t)le_load(p + 4, 4);
        uint64_t name_pad = ((uint64_t)namesz + 3) & ~3ull;
        uint64_t desc_pad = ((uint64_t)descsz + 3) & ~3ull;
        if (12 + name_pad + desc_pad > n)
            return false;
        if (namesz == olen && memcmp(p + 12, owner, olen) == 0)
            return true;
        p += 12 + name_pad + desc_pad;
        n -= (size_t)(12 + name_pad + desc_pad);
    }
    return false;
}

bool x86_boot_is_vmlinux(const uint8_t *d, size_t len)
{
    if (!loader_is_elf(d, len) || len < 52 || d[4] != 1 || d[5] != 1 ||
        le_load(d + 18, 2) != ELF_MACHINE_386)
        return false;
    uint32_t phoff = (uint32_t)le_load(d + 28, 4);
    unsigned phentsize = (unsigned)le_load(d + 42, 2), phnum = (unsigned)le_load(d + 44, 2);
    if (phentsize < 32 || phoff > len || (uint64_t)phentsize * phnum > len - phoff)
        return false;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (size_t)i * phentsize;
        if (le_load(ph, 4) != 4 /* PT_NOTE */)
            continue;
        uint32_t off = (uint32_t)le_load(ph + 4, 4), filesz = (uint32_t)le_load(ph + 16, 4);
        if (off <= len && filesz <= len - off && notes_have_owner(d + off, filesz, "Linux"))
            return true;
    }
    return false;
}

/* The ELF's entry as a physical address: the linker script of 32-bit
 * Linux makes e_entry physical already (phys_startup_32), but a virtual
 * one inside a segment is translated through that segment. */
static uint32_t vmlinux_entry(const uint8_t *d, size_t len)
{
    uint32_t entry = (uint32_t)le_load(d + 24, 4), phoff = (uint32_t)le_load(d + 28, 4);
    unsigned phentsize = (unsigned)le_load(d + 42, 2), phnum = (unsigned)le_load(d + 44, 2);
    for (int pass = 0; pass < 2; pass++)
        for (unsigned i = 0; i < phnum; i++) {
            const uint8_t *ph = d + phoff + (size_t)i * phentsize;
            if ((size_t)(ph - d) + 32 > len || le_load(ph, 4) != 1 /* PT_LOAD */)
                continue;
            uint32_t vaddr = (uint32_t)le_load(ph + 8, 4), paddr = (uint32_t)le_load(ph + 12, 4);
            uint32_t memsz = (uint32_t)le_load(ph + 20, 4);
            uint32_t start = pass == 0 ? paddr : vaddr;
            if (entry >= start && entry - start < memsz)
                return paddr + (entry - start);
        }
    return entry;
}

/* ---- the e820 map ------------------------------------------------------- */

struct e820 {
    uint64_t addr[E820_MAX], size[E820_MAX];
    uint32_t type[E820_MAX];
    unsigned n;
};

/* Every RAM region of the board, in address order (the bus keeps them
 * sorted); the ones in the legacy area are a PC's BIOS area: reserved. */
static void build_e820(const struct machine *m, struct e820 *map)
{
    map->n = 0;
    const struct bus_space *mem = &m->bus.mem;
    for (unsigned i = 0; i < mem->count && map->n < E820_MAX; i++) {
        const struct bus_region *r = &mem->regions[i];
        if (r->kind != REGION_RAM)
            continue;
        bool legacy = r->base >= LEGACY_LOW && r->base < LEGACY_HIGH;
        map->addr[map->n] = r->base;
        map->size[map->n] = r->size;
        map->type[map->n] = legacy ? E820_RESERVED : E820_RAM;
        map->n++;
    }
}

/* ---- ACPI --------------------------------------------------------------- */

/* The first ISA IRQ an `interrupts-extended` or `interrupts` property
 * names: the specifier's first cell (the pc board's PIC takes one). */
static int node_first_irq(const void *fdt, int node)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, "interrupts-extended", &len);
    if (p && len >= 8)
        return (int)fdt32_to_cpu(p[1]);
    p = fdt_getprop(fdt, node, "interrupts", &len);
    if (p && len >= 4)
        return (int)fdt32_to_cpu(p[0]);
    return -1;
}

/* The board's ACPI PM block, if it has one, described for the FADT. */
static int find_acpi_board(const struct machine *m, struct acpi_board *b, bool *found,
                           struct orr_error *err)
{
    *found = false;
    const void *fdt = m->dtb;
    int node = fdt_node_offset_by_compatible(fdt, -1, "orrery,acpi-pm");
    if (node < 0)
        return 0;
    uint64_t base[DEVICE_MAX_WINDOWS], size[DEVICE_MAX_WINDOWS];
    bool io[DEVICE_MAX_WINDOWS];
    unsigned n;
    if (board_reg_windows(fdt, node, base, size, io, DEVICE_MAX_WINDOWS, &n, err))
        return -1;
    int irq = node_first_irq(fdt, node);
    if (n < 1 || !io[0] || base[0] > 0xffff || irq < 0 || irq > 15)
        return orr_fail(err, "the ACPI PM node needs an I/O port window and an ISA IRQ");
    memset(b, 0, sizeof *b);
    b->pm_base = (uint16_t)base[0];
    b->sci_irq = (uint8_t)irq;
    b->century = 0x32;     /* the MC146818 century byte, as on a PC */
    b->has_i8042 = fdt_node_offset_by_compatible(fdt, -1, "intel,8042") >= 0;
    *found = true;
    return 0;
}

/* ---- loading ------------------------------------------------------------ */

static uint32_t align_down(uint32_t v, uint32_t a)
{
    return v & ~(a - 1);
}

/* screen_info (zero-page.rst; include/uapi/linux/screen_info.h): an
 * 80x25 colour text screen in mode 3 with 16-line characters, cursor at
 * the top left — what a BIOS leaves, and what the board's VGA presents. */
static void put_screen_info(uint8_t *bp)
{
    uint8_t *si = bp + BP_SCREEN_INFO;
    si[0x06] = 3;          /* orig_video_mode */
    si[0x07] = 80;         /* orig_video_cols */
    si[0x0e] = 25;         /* orig_video_lines */
    si[0x0f] = 1;          /* orig_video_isVGA: VGA text */
    le_store(si + 0x10, 2, 16);   /* orig_video_points */
}

int machine_boot_linux_x86(struct machine *m, const struct linux_boot_args *a,
                           struct x86_boot_layout *layout, struct orr_error *err)
{
    struct x86_boot_image k;
    if (x86_boot_identify(a->kernel, a->kernel_len, &k, err))
        return -1;
    struct x86_boot_layout l = { 0 };
    uint8_t *bp = calloc(1, BP_SIZE);
    if (!bp)
        return orr_fail(err, "out of memory");
    int rc = 0;

    /* The kernel. */
    if (k.elf) {
        struct loaded_image img;
        rc = load_elf(&m->bus, a->kernel, a->kernel_len, ELF_MACHINE_386, &img, err);
        if (rc)
            goto out;
        l.kernel_addr = (uint32_t)img.low;
        l.kernel_end = (uint32_t)img.high;
        l.entry = vmlinux_entry(a->kernel, a->kernel_len);
        /* The machine keeps the image (its symbols serve the debugger). */
        loaded_image_free(&m->image);
        m->image = img;
        /* A setup header for a kernel with none (boot.rst field list). */
        le_store(bp + HDR_BOOT_FLAG, 2, 0xaa55);
        memcpy(bp + HDR_HEADER, "HdrS", 4);
        le_store(bp + HDR_VERSION, 2, k.version);
        bp[HDR_LOADFLAGS] = LOADFLAG_LOADED_HIGH;
        le_store(bp + HDR_CODE32_START, 4, l.entry);
        le_store(bp + HDR_INITRD_ADDR_MAX, 4, k.initrd_addr_max);
        le_store(bp + HDR_CMDLINE_SIZE, 4, k.cmdline_size);
    } else {
        const uint8_t *pm = a->kernel + k.setup_len;
        size_t pm_len = a->kernel_len - k.setup_len;
        uint64_t need = pm_len > k.init_size ? pm_len : k.init_size;
        l.kernel_addr = X86_BOOT_KERNEL_ADDR;
        l.entry = X86_BOOT_KERNEL_ADDR;
        if (!bus_host_ptr(&m->bus, X86_BOOT_KERNEL_ADDR, need, NULL)) {
            rc = orr_fail(err, "the kernel needs %llu KiB of RAM from 1 MiB (its init_size); "
                          "the board has less there", (unsigned long long)(need >> 10));
            goto out;
        }
        l.kernel_end = (uint32_t)(X86_BOOT_KERNEL_ADDR + need);
        rc = boot_write_ram(m, X86_BOOT_KERNEL_ADDR, pm, pm_len, "kernel", err);
        if (rc)
            goto out;
        memcpy(bp + HDR_START, a->kernel + HDR_START, k.header_end - HDR_START);
    }
    bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
    bp[HDR_LOADFLAGS] = (uint8_t)((bp[HDR_LOADFLAGS] | LOADFLAG_LOADED_HIGH) & ~LOADFLAG_QUIET);
    le_store(bp + HDR_VID_MODE, 2, 0xffff);      /* "normal" */

    /* The command line. */
    const char *cmdline = a->cmdline ? a->cmdline : "";
    size_t clen = strlen(cmdline);
    uint32_t cmax = k.cmdline_size < X86_BOOT_CMDLINE_MAX - 1 ? k.cmdline_size
                                                               : X86_BOOT_CMDLINE_MAX - 1;
    if (clen > cmax) {
        rc = orr_fail(err, "the command line is %zu bytes; this kernel takes at most %u",
                      clen, cmax);
        goto out;
    }
    rc = boot_write_ram(m, X86_BOOT_CMDLINE_ADDR, cmdline, clen + 1, "command line", err);
    if (rc)
        goto out;
    le_store(bp + HDR_CMD_LINE_PTR, 4, X86_BOOT_CMDLINE_ADDR);

    /* The initrd: as high as the first RAM bank and initrd_addr_max
     * allow, page aligned, above the kernel. */
    if (a->initrd && a->initrd_len) {
        uint64_t top = m->ram_base + m->ram_size;
        if (top > (uint64_t)k.initrd_addr_max + 1)
            top = (uint64_t)k.initrd_addr_max + 1;
        if (a->initrd_len > top || top - a->initrd_len < l.kernel_end) {
            rc = orr_fail(err, "the initrd (%zu KiB) does not fit between the kernel and "
                          "0x%llx", a->initrd_len >> 10, (unsigned long long)top);
            goto out;
        }
        l.initrd_addr = align_down((uint32_t)(top - a->initrd_len), PAGE);
        l.initrd_end = l.initrd_addr + (uint32_t)a->initrd_len;
        rc = boot_write_ram(m, l.initrd_addr, a->initrd, a->initrd_len, "initrd", err);
        if (rc)
            goto out;
        le_store(bp + HDR_RAMDISK_IMAGE, 4, l.initrd_addr);
        le_store(bp + HDR_RAMDISK_SIZE, 4, (uint32_t)a->initrd_len);
    }

    /* The memory map, and the extended memory size for kernels that
     * would fall back to it. */
    struct e820 map;
    build_e820(m, &map);
    bp[BP_E820_ENTRIES] = (uint8_t)map.n;
    uint64_t ext_k = 0;
    for (unsigned i = 0; i < map.n; i++) {
        uint8_t *e = bp + BP_E820_TABLE + i * 20u;
        le_store(e, 8, map.addr[i]);
        le_store(e + 8, 8, map.size[i]);
        le_store(e + 16, 4, map.type[i]);
        if (map.type[i] == E820_RAM && map.addr[i] == LEGACY_HIGH)
            ext_k = map.size[i] >> 10;
    }
    le_store(bp + BP_ALT_MEM_K, 4, ext_k);
    l.e820_entries = map.n;

    if (fdt_node_offset_by_compatible(m->dtb, -1, "orrery,vga") >= 0)
        put_screen_info(bp);

    /* ACPI tables, in the first reserved RAM bank of the legacy area (a
     * BIOS's place for them; the RSDP scan covers 0xE0000-0xFFFFF). */
    struct acpi_board ab;
    bool has_acpi;
    rc = find_acpi_board(m, &ab, &has_acpi, err);
    if (rc)
        goto out;
    for (unsigned i = 0; has_acpi && i < map.n && !l.acpi_addr; i++) {
        if (map.type[i] != E820_RESERVED)
            continue;
        uint8_t tables[1024];
        size_t tlen;
        rc = acpi_build_tables(&ab, (uint32_t)map.addr[i], tables,
                               map.size[i] < sizeof tables ? (size_t)map.size[i] : sizeof tables,
                               &tlen, err);
        if (rc == 0)
            rc = boot_write_ram(m, map.addr[i], tables, tlen, "ACPI tables", err);
        if (rc)
            goto out;
        l.acpi_addr = (uint32_t)map.addr[i];
        le_store(bp + BP_ACPI_RSDP_ADDR, 8, l.acpi_addr);
    }
    if (has_acpi && !l.acpi_addr) {
        rc = orr_fail(err, "the board has ACPI power management but no RAM between 640 KiB "
                      "and 1 MiB for its tables");
        goto out;
    }

    /* The GDT: null, null, then __BOOT_CS and __BOOT_DS. */
    uint8_t gdt[32] = { 0 };
    le_store(gdt + X86_BOOT_CS, 8, X86_FLAT_CODE32_DESC);
    le_store(gdt + X86_BOOT_DS, 8, X86_FLAT_DATA32_DESC);
    rc = boot_write_ram(m, X86_BOOT_GDT_ADDR, gdt, sizeof gdt, "boot GDT", err);
    if (rc == 0)
        rc = boot_write_ram(m, X86_BOOT_PARAMS_ADDR, bp, BP_SIZE, "boot parameters", err);
    if (rc)
        goto out;

    struct cpu *cpu = m->cpus[0];
    x86_start_flat32(cpu, X86_BOOT_GDT_ADDR, sizeof gdt - 1, X86_BOOT_CS, X86_BOOT_DS, l.entry);
    static const char *const zero[] = { "eax", "ebx", "ecx", "edx", "edi", "ebp", "esp" };
    for (size_t i = 0; i < sizeof zero / sizeof zero[0] && rc == 0; i++) {
        int r = cpu_reg_find(cpu, zero[i]);
        if (r < 0 || cpu->ops->reg_set(cpu, (unsigned)r, 0))
            rc = orr_fail(err, "cannot set the boot registers");
    }
    int esi = cpu_reg_find(cpu, "esi");
    if (rc == 0 && (esi < 0 || cpu->ops->reg_set(cpu, (unsigned)esi, X86_BOOT_PARAMS_ADDR)))
        rc = orr_fail(err, "cannot set the boot registers");
    if (rc == 0 && layout)
        *layout = l;
out:
    free(bp);
    return rc;
}
