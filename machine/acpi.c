/* ACPI table builder (machine/acpi.h). Layouts and field offsets are those
 * of ACPI 6.4 chapter 5: 5.2.5.3 (RSDP), 5.2.6 (system description table
 * header), 5.2.7 (RSDT), 5.2.9 (FADT), 5.2.10 (FACS). */
#include "machine/acpi.h"

#include <stdbool.h>
#include <string.h>

#include "cpu/le.h"

/* The DSDT's AML, compiled from machine/acpi/pc-dsdt.asl. */
extern const unsigned char acpi_pc_dsdt[];
extern const size_t acpi_pc_dsdt_size;

#define RSDP_SIZE 20                /* revision 0: no XSDT pointer */
#define HEADER_SIZE 36
#define RSDT_SIZE (HEADER_SIZE + 4) /* one entry: the FADT */
#define FADT_SIZE 116               /* revision 1 layout, up to Flags */
#define FACS_SIZE 64
#define FACS_ALIGN 64               /* 5.2.10: 64-byte aligned */

static uint8_t checksum(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + p[i]);
    return (uint8_t)(0u - sum);
}

/* 5.2.6: signature, length, revision, checksum (filled last), OEM ID,
 * OEM table ID, OEM revision, creator ID and revision. */
static void put_header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
    memcpy(t, sig, 4);
    le_store(t + 4, 4, len);
    t[8] = rev;
    memcpy(t + 10, "ORRERY", 6);
    memcpy(t + 16, "PC      ", 8);
    le_store(t + 24, 4, 1);
    memcpy(t + 28, "ORRY", 4);
    le_store(t + 32, 4, 1);
}

static size_t align_up(size_t v, size_t a)
{
    return (v + a - 1) & ~(a - 1);
}

int acpi_build_tables(const struct acpi_board *b, uint32_t base, uint8_t *buf, size_t cap,
                      size_t *len, struct orr_error *err)
{
    const size_t rsdt_off = align_up(RSDP_SIZE, 16);
    const size_t fadt_off = rsdt_off + align_up(RSDT_SIZE, 16);
    const size_t facs_off = align_up(fadt_off + FADT_SIZE, FACS_ALIGN);
    const size_t dsdt_off = facs_off + FACS_SIZE;
    const size_t total = dsdt_off + acpi_pc_dsdt_size;
    if (base & 15u)
        return orr_fail(err, "ACPI tables at 0x%x: not 16-byte aligned", base);
    if (total > cap)
        return orr_fail(err, "ACPI tables need %zu bytes, %zu are free", total, cap);
    memset(buf, 0, total);

    /* DSDT: the compiled AML, as it is (iasl set its checksum). */
    memcpy(buf + dsdt_off, acpi_pc_dsdt, acpi_pc_dsdt_size);

    /* FACS: signature, length; the rest (hardware signature, waking
     * vector, global lock) zero: no S4BIOS, no lock owner. */
    uint8_t *facs = buf + facs_off;
    memcpy(facs, "FACS", 4);
    le_store(facs + 4, 4, FACS_SIZE);

    /* FADT (5.2.9, table 5.9). SMI_CMD = 0: the machine is always in ACPI
     * mode (SCI_EN reads 1), so the OS never asks for the switch. */
    uint8_t *fadt = buf + fadt_off;
    put_header(fadt, "FACP", FADT_SIZE, 1);
    le_store(fadt + 36, 4, base + facs_off);                 /* FIRMWARE_CTRL */
    le_store(fadt + 40, 4, base + dsdt_off);                 /* DSDT */
    le_store(fadt + 46, 2, b->sci_irq);                      /* SCI_INT */
    le_store(fadt + 56, 4, (uint32_t)b->pm_base + ACPI_PM1_EVT_OFFSET); /* PM1a_EVT_BLK */
    le_store(fadt + 64, 4, (uint32_t)b->pm_base + ACPI_PM1_CNT_OFFSET); /* PM1a_CNT_BLK */
    le_store(fadt + 76, 4, (uint32_t)b->pm_base + ACPI_PM_TMR_OFFSET);  /* PM_TMR_BLK */
    fadt[88] = 4;                                            /* PM1_EVT_LEN */
    fadt[89] = 2;                                            /* PM1_CNT_LEN */
    fadt[91] = 4;                                            /* PM_TMR_LEN */
    /* No C2/C3 states: latencies above 100 and 1000 us say so. */
    le_store(fadt + 96, 2, 101);                             /* P_LVL2_LAT */
    le_store(fadt + 98, 2, 1001);                            /* P_LVL3_LAT */
    fadt[108] = b->century;                                  /* CENTURY */
    /* IAPC_BOOT_ARCH: LEGACY_DEVICES (ISA devices the OS cannot
     * enumerate), 8042. */
    le_store(fadt + 109, 2, 1u | (b->has_i8042 ? 2u : 0u));
    /* Flags: WBINVD works; C1 supported; the sleep button, if any, is a
     * control-method one (there is none); the RTC cannot wake the machine
     * from S4 (FIX_RTC clear, RTC_S4 clear). The power button is the fixed
     * feature (PWR_BUTTON clear). */
    le_store(fadt + 112, 4, (1u << 0) | (1u << 2) | (1u << 5));
    fadt[9] = checksum(fadt, FADT_SIZE);

    /* RSDT: one entry, the FADT (which leads to the FACS and DSDT). */
    uint8_t *rsdt = buf + rsdt_off;
    put_header(rsdt, "RSDT", RSDT_SIZE, 1);
    le_store(rsdt + HEADER_SIZE, 4, base + fadt_off);
    rsdt[9] = checksum(rsdt, RSDT_SIZE);

    /* RSDP, revision 0 (ACPI 1.0): signature, checksum over its 20 bytes,
     * OEM ID, revision, RSDT address. */
    uint8_t *rsdp = buf;
    memcpy(rsdp, "RSD PTR ", 8);
    memcpy(rsdp + 9, "ORRERY", 6);
    rsdp[15] = 0;
    le_store(rsdp + 16, 4, base + rsdt_off);
    rsdp[8] = checksum(rsdp, RSDP_SIZE);

    *len = total;
    return 0;
}
