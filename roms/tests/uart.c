/* The PL011 seen from the guest (PL011 TRM, ARM DDI 0183): identification
 * registers, register read-back, flags with empty FIFOs, the transmit
 * interrupt through RIS/MIS/ICR, and byte-wide register reads. Only what
 * every PL011 revision and QEMU's model agree on is checked, so the same
 * program validates Orrery's model against QEMU. */
#include "rt.h"

struct test_group {
    const char *name;
    int (*run)(void);   /* 0, or the failed check number */
};

#define UART 0x09000000u
#define REG(off) (*(volatile uint32_t *)(UART + (off)))
#define REG8(off) (*(volatile uint8_t *)(UART + (off)))

enum {
    DR = 0x00, FR = 0x18, ILPR = 0x20, IBRD = 0x24, FBRD = 0x28, LCR_H = 0x2C,
    CR = 0x30, IFLS = 0x34, IMSC = 0x38, RIS = 0x3C, MIS = 0x40, ICR = 0x44,
    DMACR = 0x48,
};

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_TXFE (1u << 7)
#define INT_TX (1u << 5)

#define CHECK(cond, n) \
    do { \
        if (!(cond)) \
            return (n); \
    } while (0)

/* TRM 3.3.15-3.3.22: part number 0x011, designer 0x41 ('A'), and the
 * PrimeCell identification 0xB105F00D. The revision field (PeriphID2
 * bits 7:4) differs between revisions and models, so it is not checked. */
static int test_ids(void)
{
    CHECK(REG(0xFE0) == 0x11, 1);
    CHECK(REG(0xFE4) == 0x10, 2);
    CHECK((REG(0xFE8) & 0x0F) == 0x04, 3);
    CHECK(REG(0xFEC) == 0x00, 4);
    CHECK(REG(0xFF0) == 0x0D, 5);
    CHECK(REG(0xFF4) == 0xF0, 6);
    CHECK(REG(0xFF8) == 0x05, 7);
    CHECK(REG(0xFFC) == 0xB1, 8);
    return 0;
}

static int test_registers(void)
{
    /* 115200 baud from a 24 MHz UARTCLK, 8N1 with FIFOs: what a driver
     * writes. Written with the UART disabled, as the TRM asks. */
    uint32_t cr = REG(CR);
    REG(CR) = 0;
    REG(IBRD) = 13;
    REG(FBRD) = 1;
    REG(LCR_H) = 0x70;
    REG(IFLS) = 0x09;   /* receive 1/4, transmit 1/4 */
    REG(ILPR) = 0x5A;
    REG(CR) = cr;
    CHECK(REG(IBRD) == 13, 10);
    CHECK(REG(FBRD) == 1, 11);
    CHECK(REG(LCR_H) == 0x70, 12);
    CHECK(REG(IFLS) == 0x09, 13);
    CHECK(REG(ILPR) == 0x5A, 14);
    CHECK(REG(CR) == cr, 15);
    REG(IMSC) = 0x7F0;
    CHECK(REG(IMSC) == 0x7F0, 16);
    REG(IMSC) = 0;
    CHECK(REG(IMSC) == 0, 17);
    return 0;
}

static int test_flags(void)
{
    while (REG(FR) & FR_BUSY)
        ;
    uint32_t fr = REG(FR);
    CHECK(fr & FR_TXFE, 20);
    CHECK(!(fr & FR_TXFF), 21);
    CHECK(fr & FR_RXFE, 22);
    (void)REG(DR);                 /* reading an empty FIFO is harmless */
    CHECK(REG(FR) & FR_RXFE, 23);
    /* byte reads return the low byte of the register */
    CHECK(REG8(FR) == (REG(FR) & 0xFF), 24);
    CHECK(REG8(0xFE0) == 0x11, 25);
    return 0;
}

/* The transmit interrupt is raised once written data has left the FIFO;
 * RIS shows it whatever the mask, MIS only where IMSC allows, ICR clears. */
static int test_tx_interrupt(void)
{
    REG(IMSC) = 0;
    REG(ICR) = 0x7FF;
    CHECK((REG(RIS) & INT_TX) == 0, 30);
    REG(DR) = '.';
    while (REG(FR) & FR_BUSY)
        ;
    CHECK(REG(RIS) & INT_TX, 31);
    CHECK(REG(MIS) == 0, 32);
    REG(IMSC) = INT_TX;
    CHECK(REG(MIS) == INT_TX, 33);
    REG(ICR) = INT_TX;
    CHECK((REG(RIS) & INT_TX) == 0, 34);
    CHECK(REG(MIS) == 0, 35);
    REG(IMSC) = 0;
    uart_putc('\n');
    return 0;
}

const char test_program_name[] = "uart";

const struct test_group test_groups[] = {
    { "identification registers", test_ids },
    { "register read-back", test_registers },
    { "flags with empty FIFOs", test_flags },
    { "transmit interrupt status", test_tx_interrupt },
    { 0, 0 },
};
