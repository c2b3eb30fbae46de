/* ACPI tables for boards without firmware (the pc board): the smallest set
 * that lets an operating system find the power-management hardware and
 * power the machine off (ACPI 6.4 chapter 5): RSDP, RSDT, FADT, FACS and a
 * DSDT holding \_S0 and \_S5 (machine/acpi/pc-dsdt.asl, compiled by iasl at
 * build time). The tables are ACPI 1.0 style (32-bit pointers, FADT
 * revision 1 with the 2.0 IAPC_BOOT_ARCH field), which every x86 Linux
 * and Windows since 98 reads. */
#ifndef ORRERY_MACHINE_ACPI_H
#define ORRERY_MACHINE_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

/* What the FADT describes: the PM1a event block (4 bytes: status,
 * enable) at pm_base, the PM1a control block (2 bytes) at pm_base + 4 and
 * the 24-bit PM timer at pm_base + 8 (machine/devices/acpi_pm.c); the SCI
 * on ISA IRQ sci_irq; the RTC's century byte at CMOS index century. */
struct acpi_board {
    uint16_t pm_base;
    uint8_t sci_irq;
    uint8_t century;
    bool has_i8042;          /* IAPC_BOOT_ARCH bit 1: an 8042 is present */
};

#define ACPI_PM1_EVT_OFFSET 0
#define ACPI_PM1_CNT_OFFSET 4
#define ACPI_PM_TMR_OFFSET 8
#define ACPI_PM_BLOCK_SIZE 12
/* SLP_TYP of \_S5 in the DSDT: the PM device powers off on it. */
#define ACPI_SLP_TYP_S5 5

/* Builds the tables for physical address base (16-byte aligned; the RSDP
 * is first, so an OS that scans 0xE0000-0xFFFFF finds it there) into buf.
 * *len gets the size used; fails if cap is too small. */
int acpi_build_tables(const struct acpi_board *b, uint32_t base, uint8_t *buf, size_t cap,
                      size_t *len, struct orr_error *err) ORR_MUST_CHECK;

#endif
