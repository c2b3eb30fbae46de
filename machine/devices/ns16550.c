/* National Semiconductor / TI PC16550D UART with FIFOs, and its FIFO-less
 * predecessors the NS16450 and INS8250, after the PC16550D datasheet
 * (register descriptions: LCR, LSR, FCR, IIR, IER, MCR, MSR, SCR, and the
 * "FIFO Interrupt Mode Operation" section).
 *
 * Eight byte-wide registers on the ISA I/O bus (the `reg` window is 8
 * ports); DLAB (LCR bit 7) puts the divisor latch at offsets 0 and 1.
 *
 * The line side is a host character stream (struct chardev):
 *   - transmit: the line is infinitely fast. A byte written to THR goes to
 *     the host at once, so THR and the transmitter shift register are
 *     empty again before the next instruction: LSR.THRE and LSR.TEMT
 *     always read 1, and the THR-empty interrupt is raised again by every
 *     THR write. The console (which polls THRE before each byte) never
 *     waits and takes no virtual time; interrupt-driven output moves a
 *     whole FIFO load per interrupt;
 *   - receive: bytes are pulled from the chardev whenever the receive FIFO
 *     (or, without FIFOs, RBR) has room, so host input is never lost to an
 *     overrun; the host side is flow-controlled by the FIFO. They arrive
 *     when the host queued them (the machine queues host input between
 *     runs, at the same instructions on a replay) or when the guest's read
 *     makes room, so a run in virtual mode receives deterministically;
 *   - the baud divisor and LCR frame format only set the character time,
 *     which paces the character timeout indication (4 character times);
 *   - loopback (MCR bit 4) sends transmitted bytes to our own receiver and
 *     the modem control outputs to the modem status inputs, as the MCR
 *     description says; this is where an overrun and a break can happen;
 *   - outside loopback the modem inputs read as a connected terminal: CTS,
 *     DSR and DCD asserted, RI not.
 *
 * Interrupt output. On the PC the UART's INTR pin reaches the ISA bus only
 * through a tri-state driver enabled by the UART's OUT2 output (IBM PC/AT
 * Technical Reference, Serial/Parallel Adapter: the interrupt line is
 * driven only while MCR bit 3 is set); software that leaves OUT2 clear
 * polls. In loopback the datasheet forces the OUT1 and OUT2 pins inactive
 * (MCR bit 4), so loopback also disconnects the interrupt from the bus.
 * The device's first line is INTR && OUT2 && !LOOP. */
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

#define UART_PORTS 8
#define FIFO_DEPTH 16
#define DEFAULT_CLOCK_HZ 1843200u
/* The divisor latch is not touched by MR (datasheet, reset table); it
 * starts at 12, 9600 baud from a 1.8432 MHz crystal, the PC's usual
 * default, so the character time is defined before a guest programs it. */
#define DIVISOR_RESET 12u

/* Register offsets. */
enum {
    REG_RBR_THR = 0,   /* DLAB: DLL */
    REG_IER = 1,       /* DLAB: DLM */
    REG_IIR_FCR = 2,
    REG_LCR = 3,
    REG_MCR = 4,
    REG_LSR = 5,
    REG_MSR = 6,
    REG_SCR = 7,
};

#define IER_ERBFI 0x01u    /* received data available */
#define IER_ETBEI 0x02u    /* transmitter holding register empty */
#define IER_ELSI 0x04u     /* receiver line status */
#define IER_EDSSI 0x08u    /* modem status */
#define IER_MASK 0x0Fu     /* bits 4-7 are always 0 */

#define IIR_NO_INT 0x01u
#define IIR_MODEM 0x00u
#define IIR_THRE 0x02u
#define IIR_RDA 0x04u
#define IIR_LINE 0x06u
#define IIR_TIMEOUT 0x0Cu
#define IIR_FIFOS 0xC0u    /* bits 6-7: FCR0 set */

#define FCR_ENABLE 0x01u
#define FCR_RX_RESET 0x02u
#define FCR_TX_RESET 0x04u
#define FCR_DMA 0x08u
#define FCR_KEPT (FCR_ENABLE | FCR_DMA | 0xC0u)

#define LCR_STB 0x04u
#define LCR_PEN 0x08u
#define LCR_BREAK 0x40u
#define LCR_DLAB 0x80u

#define MCR_DTR 0x01u
#define MCR_RTS 0x02u
#define MCR_OUT1 0x04u
#define MCR_OUT2 0x08u
#define MCR_LOOP 0x10u
#define MCR_MASK 0x1Fu

#define LSR_DR 0x01u
#define LSR_OE 0x02u
#define LSR_PE 0x04u
#define LSR_FE 0x08u
#define LSR_BI 0x10u
#define LSR_THRE 0x20u
#define LSR_TEMT 0x40u
#define LSR_FIFO_ERR 0x80u
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01u
#define MSR_DDSR 0x02u
#define MSR_TERI 0x04u
#define MSR_DDCD 0x08u
#define MSR_CTS 0x10u
#define MSR_DSR 0x20u
#define MSR_RI 0x40u
#define MSR_DCD 0x80u
#define MSR_DELTAS 0x0Fu

/* A receive FIFO entry: the byte, and in bits 8-15 the LSR error bits
 * (PE, FE, BI) that came with it. */
#define ENTRY_ERRORS(e) ((unsigned)((e) >> 8) & (LSR_PE | LSR_FE | LSR_BI))

enum variant { VARIANT_16550A, VARIANT_16450, VARIANT_8250 };

struct ns16550 {
    char path[128];
    char event_name[160];
    const struct logger *log;
    struct irq_line *irq;
    struct vclock *clock;
    struct chardev *chardev;
    uint32_t clock_hz;
    enum variant variant;

    uint8_t ier, lcr, mcr, scr, fcr;
    uint8_t lsr_errors;         /* OE PE FE BI as latched, cleared by reading LSR */
    uint8_t msr;                /* status bits 4-7 as last seen, deltas 0-3 */
    uint8_t rbr;                /* the last byte read (an empty RBR reads it) */
    uint16_t divisor;

    uint16_t rx[FIFO_DEPTH];
    unsigned rx_head, rx_count;

    bool thre_pending;          /* the THR-empty interrupt latch */
    bool timeout_pending;       /* character timeout indication */
    struct clock_event rx_timeout;
    bool in_service;            /* guards re-entry from rx_notify */
};

/* ---- helpers --------------------------------------------------------- */

static bool fifo_on(const struct ns16550 *s)
{
    return s->variant == VARIANT_16550A && (s->fcr & FCR_ENABLE);
}

static unsigned rx_depth(const struct ns16550 *s)
{
    return fifo_on(s) ? FIFO_DEPTH : 1;
}

/* FCR bits 7-6: 1, 4, 8 or 14 bytes (datasheet, FCR). */
static unsigned rx_trigger(const struct ns16550 *s)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    return fifo_on(s) ? levels[s->fcr >> 6] : 1;
}

static uint64_t now(const struct ns16550 *s)
{
    return clock_now(s->clock);
}

/* The highest-priority pending interrupt, as IIR bits 3-0 (datasheet,
 * IIR: line status > received data / character timeout > THR empty >
 * modem status). */
static unsigned iir_id(const struct ns16550 *s)
{
    if ((s->ier & IER_ELSI) && (s->lsr_errors & LSR_ERRORS))
        return IIR_LINE;
    if (s->ier & IER_ERBFI) {
        if (s->rx_count && s->rx_count >= rx_trigger(s))
            return IIR_RDA;
        if (s->timeout_pending)
            return IIR_TIMEOUT;
    }
    if ((s->ier & IER_ETBEI) && s->thre_pending)
        return IIR_THRE;
    if ((s->ier & IER_EDSSI) && (s->msr & MSR_DELTAS))
        return IIR_MODEM;
    return IIR_NO_INT;
}

static void update_irq(struct ns16550 *s)
{
    bool intr = iir_id(s) != IIR_NO_INT;
    irq_set(s->irq, intr && (s->mcr & MCR_OUT2) && !(s->mcr & MCR_LOOP));
}

/* The modem status inputs (MSR bits 4-7). In loopback RTS feeds CTS, DTR
 * DSR, OUT1 RI and OUT2 DCD (datasheet, MCR bit 4). */
static uint8_t modem_inputs(const struct ns16550 *s)
{
    if (!(s->mcr & MCR_LOOP))
        return MSR_CTS | MSR_DSR | MSR_DCD;
    uint8_t v = 0;
    if (s->mcr & MCR_RTS)
        v |= MSR_CTS;
    if (s->mcr & MCR_DTR)
        v |= MSR_DSR;
    if (s->mcr & MCR_OUT1)
        v |= MSR_RI;
    if (s->mcr & MCR_OUT2)
        v |= MSR_DCD;
    return v;
}

/* Records input changes as MSR deltas; TERI is RI going inactive. */
static void update_modem(struct ns16550 *s)
{
    uint8_t in = modem_inputs(s);
    uint8_t changed = in ^ (s->msr & 0xF0u);
    uint8_t deltas = 0;
    if (changed & MSR_CTS)
        deltas |= MSR_DCTS;
    if (changed & MSR_DSR)
        deltas |= MSR_DDSR;
    if ((changed & MSR_RI) && !(in & MSR_RI))
        deltas |= MSR_TERI;
    if (changed & MSR_DCD)
        deltas |= MSR_DDCD;
    s->msr = (uint8_t)(in | (s->msr & MSR_DELTAS) | deltas);
}

/* Four character times at the programmed divisor and frame (start bit,
 * 5-8 data bits, parity, 1, 1.5 or 2 stop bits), the second stop bit
 * included as the datasheet's FIFO timeout description says. One bit is
 * 16 * divisor clock cycles; a divisor of 0 counts as 65536. */
static uint64_t timeout_ns(const struct ns16550 *s)
{
    unsigned data_bits = 5 + (s->lcr & 3u);
    unsigned half_bits = 2 * (1 + data_bits + ((s->lcr & LCR_PEN) ? 1 : 0));
    if (!(s->lcr & LCR_STB))
        half_bits += 2;
    else
        half_bits += data_bits == 5 ? 3 : 4;
    uint64_t divisor = s->divisor ? s->divisor : 65536u;
    uint64_t hz = s->clock_hz ? s->clock_hz : DEFAULT_CLOCK_HZ;
    /* 4 characters * half_bits/2 bits * 16 cycles * divisor */
    uint64_t cycles = 32ull * half_bits * divisor;
    return (cycles * 1000000000ull + hz - 1) / hz;
}

static void timeout_restart(struct ns16550 *s)
{
    if (!s->clock)
        return;
    if (!fifo_on(s) || !s->rx_count) {
        clock_event_cancel(s->clock, &s->rx_timeout);
        return;
    }
    if (clock_event_schedule(s->clock, &s->rx_timeout, now(s) + timeout_ns(s)) != 0)
        log_msg(s->log, LOG_DEV, "%s: event queue full, receive timeout lost", s->path);
}

static void timeout_fire(void *opaque, uint64_t now_ns)
{
    struct ns16550 *s = opaque;
    (void)now_ns;
    if (fifo_on(s) && s->rx_count) {
        s->timeout_pending = true;
        update_irq(s);
    }
}

static void rx_clear(struct ns16550 *s)
{
    s->rx_head = s->rx_count = 0;
    s->timeout_pending = false;
    if (s->clock)
        clock_event_cancel(s->clock, &s->rx_timeout);
}

/* One character arrives at the receiver (the host, or loopback). With the
 * FIFO full an overrun loses it and the FIFO is kept; without FIFOs it
 * overwrites RBR (datasheet, LSR bit 1). A character's PE/FE/BI show in
 * LSR when it reaches the top of the FIFO. */
static void rx_push(struct ns16550 *s, uint16_t entry)
{
    if (s->rx_count >= rx_depth(s)) {
        s->lsr_errors |= LSR_OE;
        if (!fifo_on(s)) {
            s->rx[s->rx_head] = entry;
            s->lsr_errors |= (uint8_t)ENTRY_ERRORS(entry);
        }
        return;
    }
    s->rx[(s->rx_head + s->rx_count) % FIFO_DEPTH] = entry;
    if (s->rx_count++ == 0)
        s->lsr_errors |= (uint8_t)ENTRY_ERRORS(entry);
    timeout_restart(s);
}

/* Fills the receiver from the host while it has room; in loopback the
 * serial input is disconnected. */
static void rx_fill(struct ns16550 *s)
{
    if (!s->chardev || (s->mcr & MCR_LOOP))
        return;
    while (s->rx_count < rx_depth(s)) {
        int c = chardev_pull(s->chardev);
        if (c < 0)
            break;
        rx_push(s, (uint16_t)c);
    }
}

static void service(struct ns16550 *s)
{
    s->in_service = true;
    rx_fill(s);
    s->in_service = false;
    update_irq(s);
}

static void rx_notify(void *opaque)
{
    struct ns16550 *s = opaque;
    if (!s->in_service)
        service(s);
}

/* ---- registers ------------------------------------------------------- */

static uint8_t read_rbr(struct ns16550 *s)
{
    if (!s->rx_count)
        return s->rbr;
    uint16_t entry = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % FIFO_DEPTH;
    s->rx_count--;
    s->rbr = (uint8_t)entry;
    /* A read resets the timeout (datasheet, FIFO interrupt mode). */
    s->timeout_pending = false;
    if (s->rx_count)
        s->lsr_errors |= (uint8_t)ENTRY_ERRORS(s->rx[s->rx_head]);
    timeout_restart(s);
    service(s);
    return s->rbr;
}

static uint8_t read_lsr(struct ns16550 *s)
{
    uint8_t v = (uint8_t)(s->lsr_errors | LSR_THRE | LSR_TEMT);
    if (s->rx_count)
        v |= LSR_DR;
    if (fifo_on(s)) {
        for (unsigned i = 0; i < s->rx_count; i++)
            if (ENTRY_ERRORS(s->rx[(s->rx_head + i) % FIFO_DEPTH]))
                v |= LSR_FIFO_ERR;
    }
    s->lsr_errors = 0;
    update_irq(s);
    return v;
}

static uint8_t read_iir(struct ns16550 *s)
{
    unsigned id = iir_id(s);
    /* Reading IIR when THRE is the source clears it (datasheet, IIR). */
    if (id == IIR_THRE) {
        s->thre_pending = false;
        update_irq(s);
    }
    return (uint8_t)(id | (fifo_on(s) ? IIR_FIFOS : 0));
}

static uint8_t read_reg(struct ns16550 *s, unsigned off)
{
    bool dlab = (s->lcr & LCR_DLAB) != 0;
    switch (off) {
    case REG_RBR_THR:
        return dlab ? (uint8_t)s->divisor : read_rbr(s);
    case REG_IER:
        return dlab ? (uint8_t)(s->divisor >> 8) : s->ier;
    case REG_IIR_FCR:
        return read_iir(s);
    case REG_LCR:
        return s->lcr;
    case REG_MCR:
        return s->mcr;
    case REG_LSR:
        return read_lsr(s);
    case REG_MSR: {
        uint8_t v = s->msr;
        s->msr &= (uint8_t)~MSR_DELTAS;
        update_irq(s);
        return v;
    }
    default:
        /* The INS8250 has no scratch register. */
        return s->variant == VARIANT_8250 ? 0xFF : s->scr;
    }
}

/* A byte leaves the transmitter: to the host, or in loopback to our own
 * receiver. Either way THR is empty again at once. */
static void write_thr(struct ns16550 *s, uint8_t byte)
{
    if (s->mcr & MCR_LOOP)
        rx_push(s, byte);
    else
        chardev_write(s->chardev, &byte, 1);
    /* Writing THR clears the THRE interrupt; the byte moving on to the
     * (instantaneous) line empties THR, which raises it again. */
    s->thre_pending = true;
}

static void write_ier(struct ns16550 *s, uint8_t value)
{
    uint8_t old = s->ier;
    s->ier = value & IER_MASK;
    /* Setting ETBEI while THR is empty raises the THRE interrupt, even if
     * it had been cleared by reading IIR (the Linux driver's THRE test and
     * its transmit start rely on this; Windows' too). Taken on the rising
     * edge, as Bochs and QEMU do; clearing ETBEI drops the latch. */
    if ((s->ier & IER_ETBEI) && !(old & IER_ETBEI))
        s->thre_pending = true;
    else if (!(s->ier & IER_ETBEI))
        s->thre_pending = false;
}

static void write_fcr(struct ns16550 *s, uint8_t value)
{
    if (s->variant != VARIANT_16550A)
        return;   /* the 16450 and 8250 have no FCR: the write is lost */
    bool was_on = (s->fcr & FCR_ENABLE) != 0;
    bool on = (value & FCR_ENABLE) != 0;
    /* Changing FCR0 clears both FIFOs; with FCR0 clear the other bits are
     * not programmed (datasheet, FCR). */
    if (on != was_on)
        rx_clear(s);
    if (!on) {
        s->fcr = 0;
        return;
    }
    s->fcr = value & FCR_KEPT;
    if (value & FCR_RX_RESET)
        rx_clear(s);
    /* FCR_TX_RESET: the transmit FIFO is always empty here. */
}

static void write_lcr(struct ns16550 *s, uint8_t value)
{
    uint8_t old = s->lcr;
    s->lcr = value;
    /* A break sent in loopback reaches the receiver as a zero character
     * with BI. Outside loopback the host stream has no break. */
    if (!(old & LCR_BREAK) && (value & LCR_BREAK)) {
        if (s->mcr & MCR_LOOP)
            rx_push(s, (uint16_t)(LSR_BI << 8));
        else
            log_msg(s->log, LOG_DEV, "%s: break sent", s->path);
    }
}

static void write_reg(struct ns16550 *s, unsigned off, uint8_t value)
{
    bool dlab = (s->lcr & LCR_DLAB) != 0;
    switch (off) {
    case REG_RBR_THR:
        if (dlab)
            s->divisor = (uint16_t)((s->divisor & 0xFF00u) | value);
        else
            write_thr(s, value);
        break;
    case REG_IER:
        if (dlab)
            s->divisor = (uint16_t)((s->divisor & 0x00FFu) | (unsigned)value << 8);
        else
            write_ier(s, value);
        break;
    case REG_IIR_FCR:
        write_fcr(s, value);
        break;
    case REG_LCR:
        write_lcr(s, value);
        break;
    case REG_MCR:
        s->mcr = value & MCR_MASK;
        update_modem(s);
        break;
    case REG_LSR:
    case REG_MSR:
        /* Writable only for factory test on the real part. */
        log_msg(s->log, LOG_DEV, "%s: write of 0x%02x to read-only register %u ignored",
                s->path, value, off);
        return;
    default:
        if (s->variant != VARIANT_8250)
            s->scr = value;
        break;
    }
    service(s);
}

/* Byte-wide registers: a wider access (an IN AX from the port) is split
 * into byte cycles low address first, as the ISA bus does for an 8-bit
 * device; bytes past the eighth port read 0xFF. */
static int ns16550_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                        uint64_t *value)
{
    struct ns16550 *s = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t off = offset + i;
        uint8_t byte = 0xFF;
        if (window == 0 && off < UART_PORTS)
            byte = read_reg(s, (unsigned)off);
        v |= (uint64_t)byte << (8 * i);
    }
    *value = v;
    return BUS_OK;
}

static int ns16550_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                         uint64_t value)
{
    struct ns16550 *s = opaque;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t off = offset + i;
        if (window == 0 && off < UART_PORTS)
            write_reg(s, (unsigned)off, (uint8_t)(value >> (8 * i)));
    }
    return BUS_OK;
}

/* ---- lifecycle ------------------------------------------------------- */

static void ns16550_reset(void *opaque)
{
    struct ns16550 *s = opaque;
    /* MR clears IER, IIR, FCR, LCR, MCR, the LSR errors and MSR's deltas;
     * the divisor latch, RBR and SCR keep their contents (datasheet,
     * reset table). */
    s->ier = s->lcr = s->mcr = s->fcr = 0;
    s->lsr_errors = 0;
    s->thre_pending = false;
    rx_clear(s);
    s->msr = modem_inputs(s);
    update_irq(s);
    service(s);
}

static enum variant variant_of(const void *fdt, int node)
{
    if (!fdt || node < 0)
        return VARIANT_16550A;
    if (fdt_node_check_compatible(fdt, node, "ns16550a") == 0 ||
        fdt_node_check_compatible(fdt, node, "ns16550") == 0)
        return VARIANT_16550A;
    if (fdt_node_check_compatible(fdt, node, "ns16450") == 0)
        return VARIANT_16450;
    if (fdt_node_check_compatible(fdt, node, "ns8250") == 0)
        return VARIANT_8250;
    return VARIANT_16550A;
}

static int ns16550_create(const struct device_ctx *ctx, void **dev, struct orr_error *err)
{
    if (ctx->nwindows < 1)
        return orr_fail(err, "%s: ns16550 needs a reg window", ctx->path);
    if (ctx->window_size[0] < UART_PORTS)
        return orr_fail(err, "%s: ns16550 reg window is %llu ports, needs %u", ctx->path,
                        (unsigned long long)ctx->window_size[0], UART_PORTS);
    uint32_t hz = DEFAULT_CLOCK_HZ;
    if (ctx->fdt && ctx->node >= 0) {
        int len = 0;
        const fdt32_t *freq = fdt_getprop(ctx->fdt, ctx->node, "clock-frequency", &len);
        if (freq && len >= 4) {
            hz = fdt32_to_cpu(*freq);
            if (hz == 0)
                return orr_fail(err, "%s: clock-frequency is 0", ctx->path);
        }
    }
    struct ns16550 *s = calloc(1, sizeof *s);
    if (!s)
        return orr_fail(err, "%s: out of memory", ctx->path);
    snprintf(s->path, sizeof s->path, "%s", ctx->path ? ctx->path : "ns16550");
    snprintf(s->event_name, sizeof s->event_name, "%s rx-timeout", s->path);
    s->log = ctx->log;
    s->irq = ctx->nirqs ? ctx->irqs[0] : NULL;
    s->clock = ctx->clock;
    s->chardev = ctx->chardev;
    s->clock_hz = hz;
    s->variant = variant_of(ctx->fdt, ctx->node);
    s->divisor = DIVISOR_RESET;
    clock_event_init(&s->rx_timeout, s->event_name, timeout_fire, s);
    chardev_attach(s->chardev, rx_notify, s);
    ns16550_reset(s);
    *dev = s;
    return 0;
}

static void ns16550_destroy(void *opaque)
{
    struct ns16550 *s = opaque;
    if (!s)
        return;
    if (s->clock)
        clock_event_cancel(s->clock, &s->rx_timeout);
    chardev_attach(s->chardev, NULL, NULL);
    free(s);
}

/* Section layout, version 1: IER, LCR, MCR, SCR, FCR, the latched LSR
 * errors, MSR, the last byte read, the divisor; the receive FIFO (count,
 * then entries oldest first, u16 each); the THRE interrupt latch, the
 * timeout indication and the timeout deadline (0 when not pending). */
static int ns16550_save(void *opaque, struct state_writer *w)
{
    struct ns16550 *s = opaque;
    state_put_u8(w, s->ier);
    state_put_u8(w, s->lcr);
    state_put_u8(w, s->mcr);
    state_put_u8(w, s->scr);
    state_put_u8(w, s->fcr);
    state_put_u8(w, s->lsr_errors);
    state_put_u8(w, s->msr);
    state_put_u8(w, s->rbr);
    state_put_u16(w, s->divisor);
    state_put_u8(w, (uint8_t)s->rx_count);
    for (unsigned i = 0; i < s->rx_count; i++)
        state_put_u16(w, s->rx[(s->rx_head + i) % FIFO_DEPTH]);
    state_put_bool(w, s->thre_pending);
    state_put_bool(w, s->timeout_pending);
    bool pending = s->clock && clock_event_pending(&s->rx_timeout);
    state_put_u64(w, pending ? s->rx_timeout.deadline : 0);
    return w->failed ? -1 : 0;
}

static int ns16550_load(void *opaque, struct state_reader *r, struct orr_error *err)
{
    struct ns16550 *s = opaque;
    struct ns16550 n = *s;
    n.ier = state_get_u8(r);
    n.lcr = state_get_u8(r);
    n.mcr = state_get_u8(r);
    n.scr = state_get_u8(r);
    n.fcr = state_get_u8(r);
    n.lsr_errors = state_get_u8(r);
    n.msr = state_get_u8(r);
    n.rbr = state_get_u8(r);
    n.divisor = state_get_u16(r);
    unsigned count = state_get_u8(r);
    if (n.ier & ~IER_MASK || n.mcr & ~MCR_MASK || n.fcr & ~FCR_KEPT ||
        n.lsr_errors & ~LSR_ERRORS || (n.variant != VARIANT_16550A && n.fcr))
        return orr_fail(err, "%s: corrupt ns16550 section (register values)", s->path);
    if (count > rx_depth(&n))
        return orr_fail(err, "%s: saved receive FIFO holds %u entries", s->path, count);
    for (unsigned i = 0; i < count; i++) {
        uint16_t e = state_get_u16(r);
        if (e & ~(uint16_t)((LSR_PE | LSR_FE | LSR_BI) << 8 | 0xFFu))
            return orr_fail(err, "%s: corrupt ns16550 receive FIFO entry", s->path);
        n.rx[i] = e;
    }
    n.thre_pending = state_get_bool(r);
    n.timeout_pending = state_get_bool(r);
    uint64_t deadline = state_get_u64(r);
    if (state_reader_check(r) != 0)
        return orr_fail(err, "%s: truncated or corrupt ns16550 section", s->path);

    n.rx_head = 0;
    n.rx_count = count;
    *s = n;
    if (s->clock) {
        clock_event_cancel(s->clock, &s->rx_timeout);
        if (deadline && clock_event_schedule(s->clock, &s->rx_timeout, deadline) != 0)
            return orr_fail(err, "%s: event queue full", s->path);
    }
    service(s);   /* take host input that waits while the FIFO has room */
    return 0;
}

static const char *const ns16550_compatible[] = {
    "ns16550a", "ns16550", "ns16450", "ns8250", NULL,
};

const struct device_model ns16550_model = {
    .name = "ns16550",
    .compatible = ns16550_compatible,
    .summary = "NS16550A UART with 16-byte FIFOs (also 16450 and 8250), ISA I/O ports",
    .state_version = 1,
    .uses_chardev = true,
    .create = ns16550_create,
    .reset = ns16550_reset,
    .read = ns16550_read,
    .write = ns16550_write,
    .save = ns16550_save,
    .load = ns16550_load,
    .destroy = ns16550_destroy,
};
