/* The 32-bit x86 Linux boot protocol (Linux Documentation/x86/boot.rst,
 * "32-bit boot protocol"; zero-page.rst for boot_params), as a loader
 * that replaces the BIOS and the kernel's real-mode setup code:
 *
 * - a bzImage (boot protocol 2.10 or later, LOADED_HIGH): its
 *   protected-mode part is loaded at 1 MiB and entered there, and its
 *   setup header is copied into boot_params;
 * - an uncompressed vmlinux ELF (one carrying Linux's own ELF note): its
 *   segments are loaded at their physical addresses and it is entered at
 *   startup_32's physical address, with a setup header the loader writes.
 *   This skips the decompressor's billions of instructions.
 *
 * boot_params (the "zero page") gets the e820 map made from the board's
 * RAM (banks in the legacy area 640 KiB-1 MiB are reserved: a PC's BIOS
 * area), the command line, the initrd (placed at the top of the first RAM
 * bank, below initrd_addr_max), screen_info for an 80x25 VGA text screen
 * when the board has a VGA, and the ACPI tables' address when the board
 * has ACPI power management (machine/acpi.h). The CPU starts in flat
 * 32-bit protected mode with paging and interrupts off, CS = 0x10, the
 * data segments 0x18 (a GDT the loader writes), ESI = boot_params and EBX,
 * EDI, EBP zero. */
#ifndef ORRERY_MACHINE_LINUX_BOOT_X86_H
#define ORRERY_MACHINE_LINUX_BOOT_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct machine;
struct linux_boot_args;

/* Where the loader puts its own structures (all below 640 KiB). */
#define X86_BOOT_GDT_ADDR     0x00001000u
#define X86_BOOT_PARAMS_ADDR  0x00010000u
#define X86_BOOT_CMDLINE_ADDR 0x00020000u
#define X86_BOOT_CMDLINE_MAX  0x00010000u   /* bytes, with the NUL */
#define X86_BOOT_KERNEL_ADDR  0x00100000u   /* bzImage protected-mode part */
#define X86_BOOT_CS 0x10u                   /* __BOOT_CS */
#define X86_BOOT_DS 0x18u                   /* __BOOT_DS */

struct x86_boot_image {
    bool elf;                   /* vmlinux; the rest is for bzImage */
    uint16_t version;           /* boot protocol, e.g. 0x020f */
    size_t setup_len;           /* real-mode part: (setup_sects + 1) * 512 */
    size_t header_end;          /* end of the setup header in the file */
    uint32_t initrd_addr_max;
    uint32_t cmdline_size;
    uint32_t init_size;         /* memory the kernel needs from its load address */
};

/* Reads a bzImage's setup header, or recognises a vmlinux ELF. Every
 * offset is checked against len; unsupported kernels get one line saying
 * why (too old a protocol, not LOADED_HIGH, truncated). */
int x86_boot_identify(const uint8_t *data, size_t len, struct x86_boot_image *out,
                      struct orr_error *err) ORR_MUST_CHECK;

/* An i386 ELF with a PT_NOTE whose owner is "Linux": a vmlinux. */
bool x86_boot_is_vmlinux(const uint8_t *data, size_t len);

struct x86_boot_layout {
    uint32_t kernel_addr, kernel_end, entry;
    uint32_t initrd_addr, initrd_end;     /* equal when there is no initrd */
    uint32_t acpi_addr;                   /* 0: the board has no ACPI PM */
    unsigned e820_entries;
};

int machine_boot_linux_x86(struct machine *m, const struct linux_boot_args *a,
                           struct x86_boot_layout *layout, struct orr_error *err) ORR_MUST_CHECK;

#endif
