/* ARM PrimeCell UART (PL011), after the PL011 Technical Reference Manual
 * (ARM DDI 0183). Revision r1p0 as far as the guest can tell: 16-entry
 * transmit and receive FIFOs and UARTPeriphID 0x00041011 (a r1p5 part has
 * 32-entry FIFOs and reports revision 3 in UARTPeriphID2; drivers size
 * their FIFO use from that field, so the two must agree).
 *
 * The line side is a host character stream (struct chardev) rather than a
 * wire:
 *   - transmit: a byte leaves the transmit FIFO as soon as the transmitter
 *     may send (UARTEN, TXE, no break, CTS if CTSEn), so the FIFO is only
 *     ever non-empty while the transmitter is held off;
 *   - receive: bytes are pulled from the chardev while the receiver is
 *     enabled and the FIFO has room, so host input is never lost to an
 *     overrun (the host side is flow-controlled by the FIFO);
 *   - framing (word length, parity, stop bits, IrDA) does not change the
 *     bytes; the baud divisor sets the receive-timeout period;
 *   - loopback (CR.LBE) routes transmitted bytes to the receive FIFO and
 *     the modem outputs to the modem inputs, as TRM 3.3.8 describes, which
 *     is also where overrun and break errors can happen;
 *   - outside loopback the modem inputs read as a connected terminal: CTS,
 *     DSR and DCD asserted, RI not.
 *
 * The combined interrupt UARTINTR (TRM 3.4) drives the device's first
 * interrupt line. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "cpu/clock.h"
#include "cpu/log.h"
#include "machine/chardev.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"

#define PL011_FIFO_DEPTH 16
#define PL011_DEFAULT_CLOCK_HZ 24000000u
#define PL011_REGION_SIZE 0x1000

/* Register offsets (TRM 3.2, table 3-1). */
enum {
    REG_DR = 0x000,
    REG_RSR = 0x004,     /* read: UARTRSR; write: UARTECR */
    REG_FR = 0x018,
    REG_ILPR = 0x020,
    REG_IBRD = 0x024,
    REG_FBRD = 0x028,
    REG_LCR_H = 0x02C,
    REG_CR = 0x030,
    REG_IFLS = 0x034,
    REG_IMSC = 0x038,
    REG_RIS = 0x03C,
    REG_MIS = 0x040,
    REG_ICR = 0x044,
    REG_DMACR = 0x048,
    REG_ID_FIRST = 0xFE0,   /* UARTPeriphID0..3, UARTPCellID0..3 */
};

/* UARTDR read: data and the error flags received with it (TRM 3.3.1). */
#define DR_FE (1u << 8)
#define DR_PE (1u << 9)
#define DR_BE (1u << 10)
#define DR_OE (1u << 11)
#define DR_ERRORS (DR_FE | DR_PE | DR_BE | DR_OE)

/* UARTRSR (TRM 3.3.2): the same flags, four bits down. */
#define RSR_OE (1u << 3)

/* UARTFR (TRM 3.3.3). */
#define FR_CTS (1u << 0)
#define FR_DSR (1u << 1)
#define FR_DCD (1u << 2)
#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define FR_RI (1u << 8)

/* UARTLCR_H (TRM 3.3.7). */
#define LCR_BRK (1u << 0)
#define LCR_FEN (1u << 4)

/* UARTCR (TRM 3.3.8). */
#define CR_UARTEN (1u << 0)
#define CR_LBE (1u << 7)
#define CR_TXE (1u << 8)
#define CR_RXE (1u << 9)
#define CR_DTR (1u << 10)
#define CR_RTS (1u << 11)
#define CR_OUT1 (1u << 12)
#define CR_OUT2 (1u << 13)
#define CR_RTSEN (1u << 14)
#define CR_CTSEN (1u << 15)
/* TRM 3.3.8 gives 0x0300 (TXE | RXE, UART disabled). Orrery resets to the
 * state boot firmware leaves the console UART in, enabled as well: programs
 * built for QEMU's virt board and Linux's pl011 earlycon write UARTDR
 * without ever setting UARTEN, and QEMU's model transmits regardless. A
 * guest that clears UARTEN still gets the TRM's gating. */
#define CR_RESET 0x0301u     /* TXE | RXE | UARTEN */
#define CR_MASK 0xFF87u      /* bits 6:3 are reserved */

/* Interrupt bits, shared by IMSC, RIS, MIS and ICR (TRM 3.3.10-3.3.13). */
#define INT_RI (1u << 0)
#define INT_CTS (1u << 1)
#define INT_DCD (1u << 2)
#define INT_DSR (1u << 3)
#define INT_RX (1u << 4)
#define INT_TX (1u << 5)
#define INT_RT (1u << 6)
#define INT_FE (1u << 7)
#define INT_PE (1u << 8)
#define INT_BE (1u << 9)
#define INT_OE (1u << 10)
#define INT_ALL 0x7FFu

#define IFLS_RESET 0x12u     /* both triggers at 1/2 */
#define DMACR_MASK 0x7u

/* Identification registers at 0xFE0..0xFFC (TRM 3.3.15-3.3.22). */
static const uint8_t pl011_id[8] = {
    /* UARTPeriphID0-3: part 0x011, designer 0x41, revision 1 as QEMU's
     * model reports (Linux takes revision 3, r1p5, for 32-byte FIFOs). */
    0x11, 0x10, 0x14, 0x00,
    0x0D, 0xF0, 0x05, 0xB1,   /* UARTPCellID0-3: 0xB105F00D */
};

struct pl011 {
    char path[128];
    char event_name[160];
    const struct logger *log;
    struct irq_line *irq;
    struct vclock *clock;
    struct chardev *chardev;
    uint32_t clock_hz;           /* UARTCLK, from the node's clocks */

    /* registers */
    uint32_t rsr;                /* FE PE BE OE, bits 3:0 */
    uint32_t ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;

    /* transmit FIFO: bytes; receive FIFO: 12-bit entries (data + errors) */
    uint8_t tx[PL011_FIFO_DEPTH];
    unsigned tx_head, tx_count;
    uint16_t rx[PL011_FIFO_DEPTH];
    unsigned rx_head, rx_count;
    bool overrun_pending;        /* next received entry carries OE */
    uint32_t modem_in;           /* FR_CTS|FR_DSR|FR_DCD|FR_RI as last seen */

    struct clock_event rx_timeout;
    bool in_service;             /* guards re-entry from rx_notify */
};

/* ---- helpers --------------------------------------------------------- */

static unsigned fifo_depth(const struct pl011 *s)
{
    /* With FEN clear each FIFO is a one-entry holding register (TRM 2.4.3). */
    return (s->lcr_h & LCR_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* IFLS field to a FIFO level: 1/8, 1/4, 1/2, 3/4, 7/8 (TRM 3.3.9). The
 * reserved encodings 5-7 act as 1/2 here. */
static unsigned ifls_level(unsigned sel)
{
    static const unsigned eighths[5] = { 1, 2, 4, 6, 7 };
    return PL011_FIFO_DEPTH * (sel < 5 ? eighths[sel] : 4) / 8;
}

/* The receive interrupt asserts when the FIFO reaches this many entries. */
static unsigned rx_trigger(const struct pl011 *s)
{
    return (s->lcr_h & LCR_FEN) ? ifls_level((s->ifls >> 3) & 7) : 1;
}

/* The transmit interrupt asserts when the FIFO drains to this many. */
static unsigned tx_trigger(const struct pl011 *s)
{
    return (s->lcr_h & LCR_FEN) ? ifls_level(s->ifls & 7) : 0;
}

static bool tx_enabled(const struct pl011 *s)
{
    return (s->cr & (CR_UARTEN | CR_TXE)) == (CR_UARTEN | CR_TXE);
}

static bool rx_enabled(const struct pl011 *s)
{
    return (s->cr & (CR_UARTEN | CR_RXE)) == (CR_UARTEN | CR_RXE);
}

/* nUARTRTS as driven: the CR bit, or with RTSEn asserted until the receive
 * FIFO reaches its trigger level (TRM 2.4.6, "RTS flow control"). */
static bool rts_out(const struct pl011 *s)
{
    if (s->cr & CR_RTSEN)
        return s->rx_count < rx_trigger(s);
    return (s->cr & CR_RTS) != 0;
}

/* The modem status inputs as FR bits. In loopback nUARTRTS feeds CTS,
 * nUARTDTR feeds DSR, nUARTOut1 feeds DCD and nUARTOut2 feeds RI (TRM
 * 3.3.8, LBE). */
static uint32_t modem_inputs(const struct pl011 *s)
{
    if (!(s->cr & CR_LBE))
        return FR_CTS | FR_DSR | FR_DCD;
    uint32_t v = 0;
    if (rts_out(s))
        v |= FR_CTS;
    if (s->cr & CR_DTR)
        v |= FR_DSR;
    if (s->cr & CR_OUT1)
        v |= FR_DCD;
    if (s->cr & CR_OUT2)
        v |= FR_RI;
    return v;
}

static void update_irq(struct pl011 *s)
{
    irq_set(s->irq, (s->ris & s->imsc) != 0);
}

/* A change on a modem input raises its modem status interrupt (TRM 3.4). */
static void update_modem(struct pl011 *s)
{
    uint32_t now = modem_inputs(s);
    uint32_t changed = now ^ s->modem_in;
    s->modem_in = now;
    if (changed & FR_CTS)
        s->ris |= INT_CTS;
    if (changed & FR_DSR)
        s->ris |= INT_DSR;
    if (changed & FR_DCD)
        s->ris |= INT_DCD;
    if (changed & FR_RI)
        s->ris |= INT_RI;
}

/* 32 bit periods at the programmed baud rate: the receive timeout (TRM
 * 3.4, UARTRTINTR). One bit lasts 16 * BAUDDIV UARTCLK cycles with
 * BAUDDIV = IBRD + FBRD/64 (TRM 2.4.3), so 32 bits last
 * 8 * (64 * IBRD + FBRD) cycles. A divisor of zero is invalid (TRM 3.3.6);
 * until one is programmed 115200 baud is assumed. */
static uint64_t rx_timeout_ns(const struct pl011 *s)
{
    uint64_t div64 = (uint64_t)s->ibrd * 64 + s->fbrd;
    uint64_t hz = s->clock_hz ? s->clock_hz : PL011_DEFAULT_CLOCK_HZ;
    if (s->ibrd == 0)
        div64 = (hz * 4 + 57600) / 115200;   /* 64 * hz / (16 * 115200) */
    if (div64 == 0)
        div64 = 1;
    return (8 * 1000000000ull * div64 + hz - 1) / hz;
}

static void rx_timeout_restart(struct pl011 *s)
{
    if (!s->clock)
        return;
    uint64_t now = s->clock->now_ns;
    if (clock_event_schedule(s->clock, &s->rx_timeout, now + rx_timeout_ns(s)) != 0)
        log_msg(s->log, LOG_DEV, "%s: event queue full, receive timeout lost", s->path);
}

static void rx_timeout_fire(void *opaque, uint64_t now_ns)
{
    struct pl011 *s = opaque;
    (void)now_ns;
    if (s->rx_count) {
        s->ris |= INT_RT;
        update_irq(s);
    }
}

/* Puts one received entry (data and DR error bits) into the receive FIFO,
 * or records an overrun when it is full: the entry is lost, the FIFO keeps
 * its contents and the next entry to arrive carries OE (TRM 3.3.1). */
static void rx_push(struct pl011 *s, uint16_t entry)
{
    if (s->rx_count >= fifo_depth(s)) {
        s->rsr |= RSR_OE;
        s->ris |= INT_OE;
        s->overrun_pending = true;
        return;
    }
    if (s->overrun_pending) {
        entry |= DR_OE;
        s->overrun_pending = false;
    }
    s->rx[(s->rx_head + s->rx_count) % PL011_FIFO_DEPTH] = entry;
    s->rx_count++;
    if (entry & DR_FE)
        s->ris |= INT_FE;
    if (entry & DR_PE)
        s->ris |= INT_PE;
    if (entry & DR_BE)
        s->ris |= INT_BE;
    /* Receive interrupt: the FIFO reached its trigger level (TRM 3.4). */
    if (s->rx_count >= rx_trigger(s))
        s->ris |= INT_RX;
    rx_timeout_restart(s);
}

/* Transmits one byte: to the host, or in loopback to our own receiver. */
static void tx_emit(struct pl011 *s, uint8_t byte)
{
    if (s->cr & CR_LBE) {
        if (rx_enabled(s))
            rx_push(s, byte);
        return;
    }
    chardev_write(s->chardev, &byte, 1);
}

/* Sends what the transmitter may send. The transmit interrupt asserts when
 * data leaving the FIFO brings it to its trigger level or below (TRM 3.4;
 * r1p5 notes that it is not asserted before any data has been written). */
static void tx_drain(struct pl011 *s)
{
    bool sent = false;
    while (s->tx_count && tx_enabled(s) && !(s->lcr_h & LCR_BRK)) {
        if ((s->cr & CR_CTSEN) && !(modem_inputs(s) & FR_CTS))
            break;   /* CTS flow control holds the transmitter (TRM 2.4.6) */
        uint8_t byte = s->tx[s->tx_head];
        s->tx_head = (s->tx_head + 1) % PL011_FIFO_DEPTH;
        s->tx_count--;
        tx_emit(s, byte);
        sent = true;
    }
    if (sent && s->tx_count <= tx_trigger(s))
        s->ris |= INT_TX;
}

/* Fills the receive FIFO from the host while the receiver is on. In
 * loopback the receive pin is disconnected from the outside. */
static void rx_fill(struct pl011 *s)
{
    if (!s->chardev || !rx_enabled(s) || (s->cr & CR_LBE))
        return;
    while (s->rx_count < fifo_depth(s)) {
        int c = chardev_pull(s->chardev);
        if (c < 0)
            break;
        rx_push(s, (uint16_t)c);
    }
}

/* Brings everything up to date after a register access or host input. */
static void service(struct pl011 *s)
{
    s->in_service = true;
    tx_drain(s);
    rx_fill(s);
    update_modem(s);
    tx_drain(s);     /* loopback flow control may have released CTS */
    s->in_service = false;
    update_irq(s);
}

static void rx_notify(void *opaque)
{
    struct pl011 *s = opaque;
    if (!s->in_service)
        service(s);
}

/* ---- register access ------------------------------------------------- */

static uint32_t read_dr(struct pl011 *s)
{
    if (!s->rx_count)
        return 0;   /* reading an empty FIFO returns no data (TRM 3.3.1) */
    uint16_t entry = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % PL011_FIFO_DEPTH;
    s->rx_count--;
    /* UARTRSR keeps the break, parity and framing status of the character
     * just read; overrun stays until cleared through UARTECR (TRM 3.3.2). */
    s->rsr = (s->rsr & RSR_OE) | ((entry >> 8) & 7u);
    if (s->rx_count < rx_trigger(s))
        s->ris &= ~INT_RX;
    if (!s->rx_count) {
        s->ris &= ~INT_RT;
        if (s->clock)
            clock_event_cancel(s->clock, &s->rx_timeout);
    }
    service(s);
    return entry & (0xFFu | DR_ERRORS);
}

static uint32_t read_fr(const struct pl011 *s)
{
    uint32_t v = s->modem_in;
    unsigned depth = fifo_depth(s);
    if (s->tx_count)
        v |= FR_BUSY;   /* set while the transmit FIFO is non-empty (TRM 3.3.3) */
    else
        v |= FR_TXFE;
    if (s->tx_count >= depth)
        v |= FR_TXFF;
    if (!s->rx_count)
        v |= FR_RXFE;
    if (s->rx_count >= depth)
        v |= FR_RXFF;
    return v;
}

/* The 32-bit register at a word-aligned offset; reads with side effects
 * (UARTDR) perform them. Unknown offsets read as zero. */
static uint32_t read_reg(struct pl011 *s, uint32_t off)
{
    switch (off) {
    case REG_DR: return read_dr(s);
    case REG_RSR: return s->rsr;
    case REG_FR: return read_fr(s);
    case REG_ILPR: return s->ilpr;
    case REG_IBRD: return s->ibrd;
    case REG_FBRD: return s->fbrd;
    case REG_LCR_H: return s->lcr_h;
    case REG_CR: return s->cr;
    case REG_IFLS: return s->ifls;
    case REG_IMSC: return s->imsc;
    case REG_RIS: return s->ris;
    case REG_MIS: return s->ris & s->imsc;
    case REG_DMACR: return s->dmacr;
    default:
        break;
    }
    if (off >= REG_ID_FIRST && off < PL011_REGION_SIZE)
        return pl011_id[(off - REG_ID_FIRST) / 4];
    log_msg(s->log, LOG_DEV, "%s: read of unknown register 0x%03x", s->path, off);
    return 0;
}

static void write_dr(struct pl011 *s, uint32_t value)
{
    if (s->tx_count >= fifo_depth(s)) {
        /* Writing a full FIFO loses the data; there is no error flag. */
        log_msg(s->log, LOG_DEV, "%s: transmit FIFO full, byte dropped", s->path);
        return;
    }
    s->tx[(s->tx_head + s->tx_count) % PL011_FIFO_DEPTH] = (uint8_t)value;
    s->tx_count++;
    /* Filling above the trigger level clears the transmit interrupt. */
    if (s->tx_count > tx_trigger(s))
        s->ris &= ~INT_TX;
}

static void write_lcr_h(struct pl011 *s, uint32_t value)
{
    uint32_t old = s->lcr_h;
    s->lcr_h = value & 0xFFu;
    /* Clearing FEN flushes the transmit FIFO (TRM 3.3.8, the procedure for
     * reprogramming the control register). */
    if ((old & LCR_FEN) && !(s->lcr_h & LCR_FEN)) {
        s->tx_head = s->tx_count = 0;
    }
    /* A break sent in loopback arrives as a break: one zero character
     * flagged BE (TRM 3.3.1). Outside loopback the host has no break. */
    if (!(old & LCR_BRK) && (s->lcr_h & LCR_BRK)) {
        if ((s->cr & CR_LBE) && tx_enabled(s) && rx_enabled(s))
            rx_push(s, DR_BE);
        else
            log_msg(s->log, LOG_DEV, "%s: break sent", s->path);
    }
}

static void write_reg(struct pl011 *s, uint32_t off, uint32_t value)
{
    switch (off) {
    case REG_DR:
        write_dr(s, value);
        break;
    case REG_RSR:
        /* UARTECR: any write clears the error status (TRM 3.3.2). */
        s->rsr = 0;
        break;
    case REG_ILPR:
        s->ilpr = value & 0xFFu;
        break;
    case REG_IBRD:
        s->ibrd = value & 0xFFFFu;
        break;
    case REG_FBRD:
        s->fbrd = value & 0x3Fu;
        break;
    case REG_LCR_H:
        write_lcr_h(s, value);
        break;
    case REG_CR:
        s->cr = value & CR_MASK;
        break;
    case REG_IFLS:
        s->ifls = value & 0x3Fu;
        break;
    case REG_IMSC:
        s->imsc = value & INT_ALL;
        break;
    case REG_ICR:
        s->ris &= ~(value & INT_ALL);
        break;
    case REG_DMACR:
        /* No DMA controller is attached: the enables are kept, nothing
         * ever requests a transfer. */
        s->dmacr = value & DMACR_MASK;
        if (s->dmacr)
            log_msg(s->log, LOG_DEV, "%s: DMA enabled (0x%x) but not modelled",
                    s->path, s->dmacr);
        break;
    default:
        log_msg(s->log, LOG_DEV, "%s: write of 0x%x to %s register 0x%03x ignored",
                s->path, value, off == REG_FR || off == REG_RIS || off == REG_MIS ||
                off >= REG_ID_FIRST ? "read-only" : "unknown", off);
        return;
    }
    service(s);
}

/* The PL011 sits on APB: every register is a word, and byte or halfword
 * reads return the addressed part of it. A write narrower than a word is
 * taken as a write of the zero-extended value to the word at an aligned
 * offset (a STRB to UARTDR sends that byte); other partial writes and
 * 64-bit accesses are refused. */
static int pl011_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t *value)
{
    struct pl011 *s = opaque;
    *value = 0;
    if (window != 0 || offset >= PL011_REGION_SIZE || (size != 1 && size != 2 && size != 4) ||
        (offset & (size - 1))) {
        log_msg(s->log, LOG_DEV, "%s: bad read of size %u at window %u offset 0x%llx",
                s->path, size, window, (unsigned long long)offset);
        return size == 8 ? BUS_ERROR : BUS_OK;
    }
    uint32_t word = read_reg(s, (uint32_t)offset & ~3u);
    unsigned shift = ((unsigned)offset & 3u) * 8;
    uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
    *value = (word >> shift) & mask;
    return BUS_OK;
}

static int pl011_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                       uint64_t value)
{
    struct pl011 *s = opaque;
    if (window != 0 || offset >= PL011_REGION_SIZE || (size != 1 && size != 2 && size != 4) ||
        (offset & 3)) {
        log_msg(s->log, LOG_DEV, "%s: bad write of size %u at window %u offset 0x%llx",
                s->path, size, window, (unsigned long long)offset);
        return size == 8 ? BUS_ERROR : BUS_OK;
    }
    write_reg(s, (uint32_t)offset, (uint32_t)value);
    return BUS_OK;
}

/* ---- lifecycle ------------------------------------------------------- */

static void pl011_reset(void *opaque)
{
    struct pl011 *s = opaque;
    /* Reset values from TRM table 3-1. */
    s->rsr = 0;
    s->ilpr = s->ibrd = s->fbrd = s->lcr_h = 0;
    s->cr = CR_RESET;
    s->ifls = IFLS_RESET;
    s->imsc = s->ris = s->dmacr = 0;
    s->tx_head = s->tx_count = 0;
    s->rx_head = s->rx_count = 0;
    s->overrun_pending = false;
    s->modem_in = modem_inputs(s);
    if (s->clock)
        clock_event_cancel(s->clock, &s->rx_timeout);
    update_irq(s);
}

/* UARTCLK from the node: the `clocks` entry named "uartclk" (else the
 * first), when it points at a node with `clock-frequency`. */
static uint32_t find_clock_hz(const void *fdt, int node)
{
    if (!fdt || node < 0)
        return PL011_DEFAULT_CLOCK_HZ;
    int len = 0;
    const fdt32_t *clocks = fdt_getprop(fdt, node, "clocks", &len);
    if (!clocks || len < 4)
        return PL011_DEFAULT_CLOCK_HZ;
    int index = fdt_stringlist_search(fdt, node, "clock-names", "uartclk");
    if (index < 0 || (size_t)index >= (size_t)len / 4)
        index = 0;
    /* Every clock provider on the boards we describe has #clock-cells = 0,
     * so entry i is cell i; with other providers the first cell is still
     * the first phandle. */
    uint32_t phandle = fdt32_to_cpu(clocks[index]);
    int clk = fdt_node_offset_by_phandle(fdt, phandle);
    if (clk < 0)
        return PL011_DEFAULT_CLOCK_HZ;
    const fdt32_t *freq = fdt_getprop(fdt, clk, "clock-frequency", &len);
    if (!freq || len < 4 || fdt32_to_cpu(*freq) == 0)
        return PL011_DEFAULT_CLOCK_HZ;
    return fdt32_to_cpu(*freq);
}

static int pl011_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: pl011 needs a reg window", ctx->path);
    if (ctx->window_size[0] < PL011_REGION_SIZE)
        return orr_fail(err, "%s: pl011 reg window is 0x%llx bytes, needs 0x%x",
                        ctx->path, (unsigned long long)ctx->window_size[0],
                        PL011_REGION_SIZE);
    struct pl011 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "pl011");
    snprintf(s->event_name, sizeof s->event_name, "%s rx-timeout", s->path);
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->clock = ctx->clock;
    s->chardev = ctx->chardev;
    s->clock_hz = find_clock_hz(ctx->fdt, ctx->node);
    clock_event_init(&s->rx_timeout, s->event_name, rx_timeout_fire, s);
    chardev_attach(s->chardev, rx_notify, s);
    pl011_reset(s);
    *dev = s;
    return 0;
}

static void pl011_destroy(void *opaque)
{
    struct pl011 *s = opaque;
    if (!s)
        return;
    if (s->clock)
        clock_event_cancel(s->clock, &s->rx_timeout);
    chardev_attach(s->chardev, NULL, NULL);
    free(s);
}

/* Section layout, version 1: the registers, both FIFOs in order (oldest
 * first), the pending-overrun flag, the modem inputs last seen, and the
 * receive-timeout deadline (0 when not pending). */
static int pl011_save(void *opaque, struct state_writer *w)
{
    struct pl011 *s = opaque;
    state_put_u32(w, s->rsr);
    state_put_u32(w, s->ilpr);
    state_put_u32(w, s->ibrd);
    state_put_u32(w, s->fbrd);
    state_put_u32(w, s->lcr_h);
    state_put_u32(w, s->cr);
    state_put_u32(w, s->ifls);
    state_put_u32(w, s->imsc);
    state_put_u32(w, s->ris);
    state_put_u32(w, s->dmacr);
    state_put_u8(w, (uint8_t)s->tx_count);
    for (unsigned i = 0; i < s->tx_count; i++)
        state_put_u8(w, s->tx[(s->tx_head + i) % PL011_FIFO_DEPTH]);
    state_put_u8(w, (uint8_t)s->rx_count);
    for (unsigned i = 0; i < s->rx_count; i++)
        state_put_u16(w, s->rx[(s->rx_head + i) % PL011_FIFO_DEPTH]);
    state_put_bool(w, s->overrun_pending);
    state_put_u32(w, s->modem_in);
    bool pending = clock_event_pending(&s->rx_timeout);
    state_put_u64(w, pending ? s->rx_timeout.deadline : 0);
    return w->failed ? -1 : 0;
}

static int pl011_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct pl011 *s = opaque;
    struct pl011 n = *s;
    n.rsr = state_get_u32(r) & 0xFu;
    n.ilpr = state_get_u32(r) & 0xFFu;
    n.ibrd = state_get_u32(r) & 0xFFFFu;
    n.fbrd = state_get_u32(r) & 0x3Fu;
    n.lcr_h = state_get_u32(r) & 0xFFu;
    n.cr = state_get_u32(r) & CR_MASK;
    n.ifls = state_get_u32(r) & 0x3Fu;
    n.imsc = state_get_u32(r) & INT_ALL;
    n.ris = state_get_u32(r) & INT_ALL;
    n.dmacr = state_get_u32(r) & DMACR_MASK;
    unsigned tx_count = state_get_u8(r);
    if (tx_count > PL011_FIFO_DEPTH)
        return orr_fail(err, "%s: saved transmit FIFO holds %u entries", s->path, tx_count);
    for (unsigned i = 0; i < tx_count; i++)
        n.tx[i] = state_get_u8(r);
    unsigned rx_count = state_get_u8(r);
    if (rx_count > PL011_FIFO_DEPTH)
        return orr_fail(err, "%s: saved receive FIFO holds %u entries", s->path, rx_count);
    for (unsigned i = 0; i < rx_count; i++)
        n.rx[i] = state_get_u16(r) & (0xFFu | DR_ERRORS);
    n.overrun_pending = state_get_bool(r);
    n.modem_in = state_get_u32(r) & (FR_CTS | FR_DSR | FR_DCD | FR_RI);
    uint64_t deadline = state_get_u64(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt pl011 section", s->path);

    /* Everything read and checked: commit. */
    n.tx_head = 0;
    n.tx_count = tx_count;
    n.rx_head = 0;
    n.rx_count = rx_count;
    *s = n;
    if (s->clock) {
        clock_event_cancel(s->clock, &s->rx_timeout);
        if (deadline && clock_event_schedule(s->clock, &s->rx_timeout, deadline) != 0)
            return orr_fail(err, "%s: event queue full", s->path);
    }
    service(s);   /* take host input that waits while the FIFO has room */
    return 0;
}

static const char *const pl011_compatible[] = { "arm,pl011", NULL };

const struct device_model pl011_model = {
    .name = "pl011",
    .compatible = pl011_compatible,
    .summary = "ARM PrimeCell UART (PL011), 16-byte FIFOs",
    .state_version = 1,
    .uses_chardev = true,
    .create = pl011_create,
    .reset = pl011_reset,
    .read = pl011_read,
    .write = pl011_write,
    .save = pl011_save,
    .load = pl011_load,
    .destroy = pl011_destroy,
};
