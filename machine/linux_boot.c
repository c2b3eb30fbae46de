/* The 32-bit ARM Linux boot protocol. References: Linux
 * Documentation/arm/booting.rst (register state at entry, zImage header,
 * DTB rules); the legacy U-Boot image header (include/image.h in U-Boot:
 * 64 bytes, big-endian); the placement rules of QEMU 7.2 hw/arm/boot.c for
 * 32-bit guests (the addresses are listed in docs/boards.md). */
#include "machine/linux_boot.h"
#include "machine/linux_boot_x86.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/devices/cfi_flash.h"
#include "machine/devices/devices.h"
#include "machine/machine.h"

/* uImage header fields (big-endian). */
#define UIH_SIZE 12
#define UIH_LOAD 16
#define UIH_EP 20
#define UIH_OS 28
#define UIH_ARCH 29
#define UIH_TYPE 30
#define UIH_COMP 31
#define UIH_ARCH_ARM 2
#define UIH_TYPE_KERNEL 2
#define UIH_TYPE_KERNEL_NOLOAD 14
#define UIH_TYPE_RAMDISK 3
#define UIH_COMP_NONE 0

/* zImage header (arch/arm/boot/compressed/head.S): magic, start, end. */
#define ZI_MAGIC 0x24
#define ZI_START 0x28
#define ZI_END 0x2c

#define DTB_ROOM 4096        /* slack for the properties added to /chosen */

static uint32_t rd32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rd32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int boot_identify(const uint8_t *d, size_t len, struct boot_image *out, struct orr_error *err)
{
    memset(out, 0, sizeof *out);
    if (len == 0)
        return orr_fail(err, "kernel image is empty");
    if (len >= UIMAGE_HEADER_SIZE && rd32be(d) == UIMAGE_MAGIC) {
        uint32_t size = rd32be(d + UIH_SIZE);
        if (d[UIH_ARCH] != UIH_ARCH_ARM)
            return orr_fail(err, "uImage is for architecture %u, not ARM (%u)", d[UIH_ARCH],
                            UIH_ARCH_ARM);
        if (d[UIH_TYPE] != UIH_TYPE_KERNEL && d[UIH_TYPE] != UIH_TYPE_KERNEL_NOLOAD)
            return orr_fail(err, "uImage type %u is not a kernel (2) or kernel_noload (14)",
                            d[UIH_TYPE]);
        if (d[UIH_COMP] != UIH_COMP_NONE)
            return orr_fail(err, "uImage compression %u is not supported (only none, 0)",
                            d[UIH_COMP]);
        if (size > len - UIMAGE_HEADER_SIZE)
            return orr_fail(err, "truncated uImage: header says %u bytes of data, the file "
                            "has %zu", size, len - UIMAGE_HEADER_SIZE);
        if (size == 0)
            return orr_fail(err, "uImage has no data");
        out->kind = BOOT_IMAGE_UIMAGE;
        out->payload_offset = UIMAGE_HEADER_SIZE;
        out->payload_len = size;
        out->noload = d[UIH_TYPE] == UIH_TYPE_KERNEL_NOLOAD;
        out->fixed_address = !out->noload;
        out->load_addr = rd32be(d + UIH_LOAD);
        out->entry = rd32be(d + UIH_EP);
        return 0;
    }
    out->payload_offset = 0;
    out->payload_len = len;
    out->kind = BOOT_IMAGE_RAW;
    if (len >= ZI_END + 4 && rd32le(d + ZI_MAGIC) == ZIMAGE_MAGIC) {
        /* start/end are the link addresses of the image (start 0: position
         * independent); the difference is its size, which must be there. */
        uint32_t start = rd32le(d + ZI_START), end = rd32le(d + ZI_END);
        if (end < start || end - start > len)
            return orr_fail(err, "zImage header says the image is 0x%x-0x%x (%u bytes) but "
                            "the file has %zu bytes", start, end, end - start, len);
        out->kind = BOOT_IMAGE_ZIMAGE;
    }
    return 0;
}

int boot_initrd_payload(const uint8_t *d, size_t len, size_t *offset, size_t *payload_len,
                        struct orr_error *err)
{
    *offset = 0;
    *payload_len = len;
    if (len < UIMAGE_HEADER_SIZE || rd32be(d) != UIMAGE_MAGIC || d[UIH_TYPE] != UIH_TYPE_RAMDISK)
        return 0;
    uint32_t size = rd32be(d + UIH_SIZE);
    if (d[UIH_COMP] != UIH_COMP_NONE)
        return orr_fail(err, "initrd: uImage ramdisk compression %u is not supported (only "
                        "none, 0)", d[UIH_COMP]);
    if (size > len - UIMAGE_HEADER_SIZE)
        return orr_fail(err, "initrd: truncated uImage: header says %u bytes of data, the "
                        "file has %zu", size, len - UIMAGE_HEADER_SIZE);
    *offset = UIMAGE_HEADER_SIZE;
    *payload_len = size;
    return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

int boot_plan(const struct boot_image *k, size_t initrd_len, size_t dtb_len,
              uint64_t ram_base, uint64_t ram_size, struct boot_layout *out,
              struct orr_error *err)
{
    memset(out, 0, sizeof *out);
    const uint64_t ram_end = ram_base + ram_size;
    uint64_t kaddr, entry;
    if (k->kind == BOOT_IMAGE_UIMAGE && k->fixed_address) {
        kaddr = k->load_addr;
        entry = k->entry;
    } else if (k->kind == BOOT_IMAGE_UIMAGE) {
        /* kernel_noload: as if the whole file were at +32 MiB, so the data
         * follows its 64-byte header there; the entry is relative to it. */
        kaddr = ram_base + BOOT_NOLOAD_OFFSET + UIMAGE_HEADER_SIZE;
        entry = kaddr + k->entry;
    } else {
        kaddr = ram_base + BOOT_KERNEL_OFFSET;
        entry = kaddr;
    }
    uint64_t kend = kaddr + k->payload_len;
    if (kaddr < ram_base || kend > ram_end || k->payload_len > ram_size)
        return orr_fail(err, "the kernel (%zu bytes at 0x%llx) does not fit in RAM "
                        "(0x%llx-0x%llx); more memory (-m) may help", k->payload_len,
                        (unsigned long long)kaddr, (unsigned long long)ram_base,
                        (unsigned long long)(ram_end - 1));
    if (entry < kaddr || entry >= kend)
        return orr_fail(err, "the uImage entry point 0x%llx is outside its image "
                        "(0x%llx-0x%llx)", (unsigned long long)entry,
                        (unsigned long long)kaddr, (unsigned long long)(kend - 1));
    /* QEMU: the initrd goes at min(RAM/2, 128 MiB), but never below the end
     * of the kernel, page aligned; the DTB follows it, page aligned (some
     * kernels trash the rest of the initrd's last page). */
    uint64_t iaddr = ram_base + (ram_size / 2 < BOOT_INITRD_MAX_OFFSET
                                 ? ram_size / 2 : BOOT_INITRD_MAX_OFFSET);
    if (kend > iaddr)
        iaddr = kend;
    iaddr = align_up(iaddr, BOOT_PAGE);
    if (initrd_len && (iaddr >= ram_end || initrd_len > ram_end - iaddr))
        return orr_fail(err, "the initrd (%zu bytes) does not fit in RAM after the kernel "
                        "(it would start at 0x%llx; RAM ends at 0x%llx); more memory (-m) "
                        "may help", initrd_len, (unsigned long long)iaddr,
                        (unsigned long long)ram_end);
    uint64_t daddr = align_up(iaddr + initrd_len, BOOT_PAGE);
    if (daddr >= ram_end || dtb_len > ram_end - daddr)
        return orr_fail(err, "the device tree (%zu bytes) does not fit in RAM after the "
                        "kernel and initrd (it would start at 0x%llx; RAM ends at 0x%llx)",
                        dtb_len, (unsigned long long)daddr, (unsigned long long)ram_end);
    out->kernel_addr = kaddr;
    out->kernel_end = kend;
    out->entry = entry;
    out->initrd_addr = iaddr;
    out->initrd_end = iaddr + initrd_len;
    out->dtb_addr = daddr;
    return 0;
}

/* Writes n cells (1 or 2) of value, big-endian, into buf; false if the
 * value does not fit. */
static bool put_cells(fdt32_t *buf, int n, uint64_t value)
{
    if (n == 1) {
        if (value > UINT32_MAX)
            return false;
        buf[0] = cpu_to_fdt32((uint32_t)value);
        return true;
    }
    buf[0] = cpu_to_fdt32((uint32_t)(value >> 32));
    buf[1] = cpu_to_fdt32((uint32_t)value);
    return true;
}

static int fdt_fail(struct orr_error *err, const char *what, int rc)
{
    return orr_fail(err, "device tree: %s: %s", what, fdt_strerror(rc));
}

static int set_memory(void *fdt, uint64_t base, uint64_t size, struct orr_error *err)
{
    int ac = fdt_address_cells(fdt, 0), sc = fdt_size_cells(fdt, 0);
    if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
        return orr_fail(err, "device tree: the root's #address-cells/#size-cells must be 1 "
                        "or 2");
    int node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory",
                                             sizeof "memory");
    if (node < 0) {
        node = fdt_add_subnode(fdt, 0, "memory");
        if (node < 0)
            return fdt_fail(err, "adding /memory", node);
        int rc = fdt_setprop_string(fdt, node, "device_type", "memory");
        if (rc)
            return fdt_fail(err, "adding /memory", rc);
    }
    fdt32_t reg[4];
    if (!put_cells(reg, ac, base) || !put_cells(reg + ac, sc, size))
        return orr_fail(err, "device tree: RAM at 0x%llx (%llu bytes) does not fit the "
                        "root's #address-cells/#size-cells", (unsigned long long)base,
                        (unsigned long long)size);
    int rc = fdt_setprop(fdt, node, "reg", reg, (int)sizeof(fdt32_t) * (ac + sc));
    return rc ? fdt_fail(err, "setting /memory reg", rc) : 0;
}

static int set_chosen(void *fdt, const char *cmdline, uint64_t istart, uint64_t iend,
                      struct orr_error *err)
{
    int chosen = fdt_path_offset(fdt, "/chosen");
    if (chosen < 0) {
        chosen = fdt_add_subnode(fdt, 0, "chosen");
        if (chosen < 0)
            return fdt_fail(err, "adding /chosen", chosen);
    }
    int rc;
    if (cmdline && *cmdline && (rc = fdt_setprop_string(fdt, chosen, "bootargs", cmdline)))
        return fdt_fail(err, "setting bootargs", rc);
    if (iend > istart) {
        /* One 32-bit cell each, as QEMU 7.2 writes them on virt whatever
         * the root's #address-cells (Linux reads either size); two cells
         * only for an initrd above 4 GiB. */
        int ac = iend > UINT32_MAX ? 2 : 1;
        fdt32_t v[2];
        if (!put_cells(v, ac, istart))
            return orr_fail(err, "device tree: cannot express the initrd address");
        if ((rc = fdt_setprop(fdt, chosen, "linux,initrd-start", v, 4 * ac)))
            return fdt_fail(err, "setting linux,initrd-start", rc);
        if (!put_cells(v, ac, iend))
            return orr_fail(err, "device tree: cannot express the initrd address");
        if ((rc = fdt_setprop(fdt, chosen, "linux,initrd-end", v, 4 * ac)))
            return fdt_fail(err, "setting linux,initrd-end", rc);
    }
    if (!fdt_getprop(fdt, chosen, "stdout-path", NULL)) {
        const char *serial = fdt_get_alias(fdt, "serial0");
        if (serial && (rc = fdt_setprop_string(fdt, chosen, "stdout-path", serial)))
            return fdt_fail(err, "setting stdout-path", rc);
    }
    return 0;
}

int boot_make_dtb(const void *fdt, size_t fdt_len, uint64_t ram_base, uint64_t ram_size,
                  const char *cmdline, uint64_t initrd_start, uint64_t initrd_end,
                  void **out, size_t *out_len, struct orr_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (fdt_len < sizeof(struct fdt_header) || fdt_check_header(fdt) != 0 ||
        fdt_totalsize(fdt) > fdt_len || fdt_check_full(fdt, fdt_totalsize(fdt)) != 0)
        return orr_fail(err, "device tree: not a valid device tree blob");
    size_t extra = DTB_ROOM + (cmdline ? strlen(cmdline) : 0);
    size_t size = fdt_totalsize(fdt) + extra;
    if (size > INT32_MAX)
        return orr_fail(err, "device tree: too large");
    void *buf = malloc(size);
    if (!buf)
        return orr_fail(err, "out of memory");
    int rc = fdt_open_into(fdt, buf, (int)size);
    if (rc) {
        free(buf);
        return fdt_fail(err, "copying", rc);
    }
    if (set_memory(buf, ram_base, ram_size, err) ||
        set_chosen(buf, cmdline, initrd_start, initrd_end, err)) {
        free(buf);
        return -1;
    }
    fdt_pack(buf);
    *out = buf;
    *out_len = fdt_totalsize(buf);
    return 0;
}

/* Booting.rst "CPU register settings": r0 = 0, r1 = machine type (~0: none,
 * the DTB says what the machine is), r2 = physical address of the DTB. The
 * rest (SVC mode, IRQ/FIQ masked, MMU and caches off, ARM state) is the
 * state machine_reset leaves (A2.6.1 reset state). */
static int set_boot_registers(struct cpu *cpu, uint64_t entry, uint64_t dtb,
                              struct orr_error *err)
{
    cpu->ops->set_entry(cpu, entry);
    if (cpu->ops->reg_set(cpu, 0, 0) || cpu->ops->reg_set(cpu, 1, 0xffffffffu) ||
        cpu->ops->reg_set(cpu, 2, dtb))
        return orr_fail(err, "cannot set the boot registers");
    return 0;
}

int boot_write_ram(struct machine *m, uint64_t addr, const void *data, size_t len,
                   const char *what, struct orr_error *err)
{
    if (len == 0)
        return 0;
    if (!bus_host_ptr(&m->bus, addr, len, NULL) ||
        bus_write_block(&m->bus, addr, data, len, false) != BUS_OK)
        return orr_fail(err, "cannot write the %s at 0x%llx (%zu bytes): not RAM", what,
                        (unsigned long long)addr, len);
    return 0;
}

int machine_boot_linux(struct machine *m, const struct linux_boot_args *a,
                       struct boot_layout *layout, struct orr_error *err)
{
    if (m->ncpus && strcmp(m->cpus[0]->model->isa, "x86") == 0)
        return machine_boot_linux_x86(m, a, NULL, err);
    struct boot_image k;
    size_t ioff = 0, ilen = 0;
    if (boot_identify(a->kernel, a->kernel_len, &k, err) ||
        (a->initrd && boot_initrd_payload(a->initrd, a->initrd_len, &ioff, &ilen, err)))
        return -1;
    const void *src = a->dtb ? a->dtb : m->dtb;
    size_t src_len = a->dtb ? a->dtb_len : m->dtb_size;
    /* The initrd's place does not depend on the tree's size, so plan once
     * with no tree to learn it, build the tree, then check it fits. */
    struct boot_layout l;
    if (boot_plan(&k, ilen, 0, m->ram_base, m->ram_size, &l, err))
        return -1;
    void *dtb;
    size_t dtb_len;
    if (boot_make_dtb(src, src_len, m->ram_base, m->ram_size, a->cmdline, l.initrd_addr,
                      l.initrd_end, &dtb, &dtb_len, err))
        return -1;
    int rc = boot_plan(&k, ilen, dtb_len, m->ram_base, m->ram_size, &l, err);
    if (rc == 0)
        rc = boot_write_ram(m, l.kernel_addr, a->kernel + k.payload_offset, k.payload_len,
                       "kernel", err);
    if (rc == 0 && a->initrd)
        rc = boot_write_ram(m, l.initrd_addr, a->initrd + ioff, ilen, "initrd", err);
    if (rc == 0)
        rc = boot_write_ram(m, l.dtb_addr, dtb, dtb_len, "device tree", err);
    free(dtb);
    if (rc == 0)
        rc = set_boot_registers(m->cpus[0], l.entry, l.dtb_addr, err);
    if (rc == 0 && layout)
        *layout = l;
    return rc;
}

/* The board's boot ROM (a bios-rom node), or NULL. */
static void *boot_rom(const struct machine *m)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        if (m->devices[i].model == &bios_rom_model)
            return m->devices[i].dev;
    return NULL;
}

int machine_load_bios(struct machine *m, const uint8_t *data, size_t len,
                      struct orr_error *err)
{
    void *rom = boot_rom(m);
    if (rom) {
        if (bios_rom_load(rom, data, len, err))
            return orr_fail_prefix(err, "--bios");
        return 0;
    }
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct machine_device *md = &m->devices[i];
        if (strcmp(md->model->name, "cfi-flash") != 0 || md->base != 0)
            continue;
        if (cfi_flash_load(md->dev, 0, data, len, err))
            return orr_fail_prefix(err, "--bios");
        return 0;
    }
    return orr_fail(err, "--bios: board %s has neither a boot ROM (orrery,bios-rom) nor a "
                    "cfi-flash bank at address 0", m->board_name);
}

int machine_boot_firmware_dtb(struct machine *m, const void *src, size_t src_len,
                              uint64_t *dtb_addr, struct orr_error *err)
{
    void *dtb;
    size_t dtb_len;
    if (boot_make_dtb(src ? src : m->dtb, src ? src_len : m->dtb_size, m->ram_base,
                      m->ram_size, NULL, 0, 0, &dtb, &dtb_len, err))
        return -1;
    int rc = 0;
    if (dtb_len > m->ram_size)
        rc = orr_fail(err, "the device tree (%zu bytes) is larger than RAM", dtb_len);
    if (rc == 0)
        rc = boot_write_ram(m, m->ram_base, dtb, dtb_len, "device tree", err);
    free(dtb);
    if (rc == 0)
        m->cpus[0]->ops->set_entry(m->cpus[0], 0);
    if (rc == 0 && dtb_addr)
        *dtb_addr = m->ram_base;
    return rc;
}

int machine_start_bios(struct machine *m, const void *dtb, size_t dtb_len,
                       struct orr_error *err)
{
    if (!boot_rom(m))
        return machine_boot_firmware_dtb(m, dtb, dtb_len, NULL, err);
    /* The CPU starts at its own reset vector, inside the ROM. */
    if (dtb)
        return orr_fail(err, "--dtb: board %s starts its ROM at the CPU's reset vector and "
                        "hands it no device tree", m->board_name);
    return 0;
}
