/* The 32-bit ARM Linux boot protocol (Linux Documentation/arm/booting.rst):
 * a kernel image (zImage, legacy U-Boot uImage, or raw Image), an optional
 * initrd and a device tree are placed in RAM the way QEMU 7.2's
 * hw/arm/boot.c places them for its `virt` machine, the tree is fixed up
 * (/memory, /chosen), and CPU 0 starts at the kernel with r0 = 0,
 * r1 = 0xffffffff (no machine type: DT boot), r2 = the tree's address.
 *
 * The steps are separate so they can be tested without a machine:
 * boot_identify reads the image header, boot_plan computes addresses,
 * boot_make_dtb builds the tree handed to the guest. */
#ifndef ORRERY_MACHINE_LINUX_BOOT_H
#define ORRERY_MACHINE_LINUX_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct machine;

/* QEMU's offsets from the start of RAM (the "loader start"). */
#define BOOT_KERNEL_OFFSET 0x00010000u         /* zImage and raw Image */
#define BOOT_NOLOAD_OFFSET 0x02000000u         /* uImage of type kernel_noload */
#define BOOT_INITRD_MAX_OFFSET (128u << 20)    /* initrd at min(RAM/2, 128 MiB) */
#define BOOT_PAGE 0x1000u                      /* initrd and DTB alignment */

#define ZIMAGE_MAGIC 0x016f2818u
#define UIMAGE_MAGIC 0x27051956u
#define UIMAGE_HEADER_SIZE 64

enum boot_image_kind { BOOT_IMAGE_ZIMAGE, BOOT_IMAGE_UIMAGE, BOOT_IMAGE_RAW };

struct boot_image {
    enum boot_image_kind kind;
    size_t payload_offset, payload_len;  /* the bytes to copy, inside the file */
    bool fixed_address;                  /* uImage type kernel: load at load_addr */
    bool noload;                         /* uImage type kernel_noload */
    uint32_t load_addr, entry;           /* uImage header fields */
};

/* Reads the header of a kernel file (not ELF: the caller checks that
 * first). Every offset is checked against len. */
int boot_identify(const uint8_t *data, size_t len, struct boot_image *out,
                  struct orr_error *err) ORR_MUST_CHECK;

/* The bytes of an initrd to place: the data of a uImage of type ramdisk
 * (compression none), as QEMU unwraps it, else the whole file. */
int boot_initrd_payload(const uint8_t *data, size_t len, size_t *offset, size_t *payload_len,
                        struct orr_error *err) ORR_MUST_CHECK;

struct boot_layout {
    uint64_t kernel_addr, kernel_end;    /* [addr, end) */
    uint64_t entry;
    uint64_t initrd_addr, initrd_end;    /* equal when there is no initrd */
    uint64_t dtb_addr;                   /* first byte after initrd, page aligned */
};

/* Kernel and initrd addresses, and where the DTB goes; checks everything
 * fits in [ram_base, ram_base + ram_size). dtb_len is checked too. */
int boot_plan(const struct boot_image *k, size_t initrd_len, size_t dtb_len,
              uint64_t ram_base, uint64_t ram_size, struct boot_layout *out,
              struct orr_error *err) ORR_MUST_CHECK;

/* The tree handed to the guest: a copy of fdt with the first memory node's
 * reg set to [ram_base, ram_base + ram_size), and /chosen given bootargs
 * (if cmdline is non-empty), linux,initrd-start/end (if initrd_end >
 * initrd_start) and stdout-path (from /aliases/serial0 if missing). The
 * result is malloc'ed and packed. */
int boot_make_dtb(const void *fdt, size_t fdt_len, uint64_t ram_base, uint64_t ram_size,
                  const char *cmdline, uint64_t initrd_start, uint64_t initrd_end,
                  void **out, size_t *out_len, struct orr_error *err) ORR_MUST_CHECK;

struct linux_boot_args {
    const uint8_t *kernel;
    size_t kernel_len;
    const uint8_t *initrd;        /* NULL: none */
    size_t initrd_len;
    const char *cmdline;          /* NULL: none */
    const void *dtb;              /* NULL: the board's tree */
    size_t dtb_len;
};

/* Copies len bytes to guest RAM at addr; "cannot write the WHAT..." when
 * the range is not all RAM. */
int boot_write_ram(struct machine *m, uint64_t addr, const void *data, size_t len,
                   const char *what, struct orr_error *err) ORR_MUST_CHECK;

/* Loads everything into a freshly reset machine and sets CPU 0 up for the
 * kernel. *layout (may be NULL) says where things went. On an x86 machine
 * this is the x86 boot protocol (machine/linux_boot_x86.h; the tree and
 * the layout do not apply). */
int machine_boot_linux(struct machine *m, const struct linux_boot_args *a,
                       struct boot_layout *layout, struct orr_error *err) ORR_MUST_CHECK;

/* Firmware boot. The board's tree says where the image goes:
 * - a boot ROM node (compatible "orrery,bios-rom", x86-bare): the image is
 *   copied to the end of each of its windows, and the CPUs start at their
 *   reset vector; nothing else is placed;
 * - otherwise the cfi-flash bank at address 0 (QEMU's -bios on virt):
 *   machine_boot_firmware_dtb (at start and after every reset) puts the
 *   tree (dtb, or NULL for the board's), fixed up as above, at the start of
 *   RAM and starts CPU 0 at address 0.
 * machine_load_bios loads the image (once: ROM and flash keep it across
 * resets); machine_start_bios does the rest, at start and after every
 * reset. */
int machine_load_bios(struct machine *m, const uint8_t *data, size_t len,
                      struct orr_error *err) ORR_MUST_CHECK;
int machine_boot_firmware_dtb(struct machine *m, const void *dtb, size_t dtb_len,
                              uint64_t *dtb_addr, struct orr_error *err) ORR_MUST_CHECK;
int machine_start_bios(struct machine *m, const void *dtb, size_t dtb_len,
                       struct orr_error *err) ORR_MUST_CHECK;

#endif
