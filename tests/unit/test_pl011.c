/* The PL011 model driven directly through its device descriptor: a fake
 * interrupt sink, a chardev capturing output, a virtual clock for the
 * receive timeout. */
#include <check.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/clock.h"
#include "machine/chardev.h"
#include "machine/device.h"
#include "machine/devices/devices.h"
#include "machine/irq.h"
#include "machine/state.h"
#include "tests/unit/unit.h"

enum {
    DR = 0x00, RSR = 0x04, FR = 0x18, ILPR = 0x20, IBRD = 0x24, FBRD = 0x28,
    LCR_H = 0x2C, CR = 0x30, IFLS = 0x34, IMSC = 0x38, RIS = 0x3C, MIS = 0x40,
    ICR = 0x44, DMACR = 0x48,
};

#define FR_CTS 0x01u
#define FR_DSR 0x02u
#define FR_DCD 0x04u
#define FR_BUSY 0x08u
#define FR_RXFE 0x10u
#define FR_TXFF 0x20u
#define FR_RXFF 0x40u
#define FR_TXFE 0x80u

#define CR_ON 0x301u      /* UARTEN | TXE | RXE */
#define CR_LBE 0x80u
#define CR_DTR 0x400u
#define LCR_FEN 0x10u
#define LCR_BRK 0x01u

#define INT_DSR 0x008u
#define INT_RX 0x010u
#define INT_TX 0x020u
#define INT_RT 0x040u
#define INT_BE 0x200u
#define INT_OE 0x400u

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct vclock clock;
    struct chardev cd;
    struct irq_line line;
    struct sink sink;
    uint8_t out[256];
    size_t out_len;
    void *dev;
    void *fdt;
};

static void sink_set(void *opaque, unsigned input, bool level)
{
    struct sink *k = opaque;
    (void)input;
    k->level = level;
    k->changes++;
}

static void capture(void *opaque, const uint8_t *buf, size_t len)
{
    struct rig *r = opaque;
    for (size_t i = 0; i < len && r->out_len < sizeof r->out; i++)
        r->out[r->out_len++] = buf[i];
}

/* A minimal tree: the uart node with clocks = <&clk>, clk at clock_hz. */
static void *make_fdt(uint32_t clock_hz, int *uart_node)
{
    size_t size = 4096;
    void *fdt = calloc(1, size);
    ck_assert_int_eq(fdt_create_empty_tree(fdt, (int)size), 0);
    int clk = fdt_add_subnode(fdt, 0, "clk");
    ck_assert_int_ge(clk, 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, clk, "clock-frequency", clock_hz), 0);
    ck_assert_int_eq(fdt_setprop_u32(fdt, clk, "phandle", 7), 0);
    int uart = fdt_add_subnode(fdt, 0, "pl011@9000000");
    ck_assert_int_ge(uart, 0);
    uint32_t clocks[2] = { cpu_to_fdt32(7), cpu_to_fdt32(7) };
    ck_assert_int_eq(fdt_setprop(fdt, uart, "clocks", clocks, sizeof clocks), 0);
    const char names[] = "uartclk\0apb_pclk";
    ck_assert_int_eq(fdt_setprop(fdt, uart, "clock-names", names, sizeof names), 0);
    *uart_node = fdt_path_offset(fdt, "/pl011@9000000");
    return fdt;
}

static struct rig *rig_new_clock(uint32_t clock_hz)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    r->cd.host_write = capture;
    r->cd.host_opaque = r;
    irq_connect(&r->line, sink_set, &r->sink, 33);
    struct device_ctx ctx = {
        .node = -1,
        .path = "/pl011@9000000",
        .nwindows = 1,
        .window_base = { 0x09000000 },
        .window_size = { 0x1000 },
        .irqs = { &r->line },
        .nirqs = 1,
        .clock = &r->clock,
        .chardev = &r->cd,
    };
    if (clock_hz) {
        r->fdt = make_fdt(clock_hz, &ctx.node);
        ctx.fdt = r->fdt;
    }
    struct orr_error err = { { 0 } };
    ck_assert_msg(pl011_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static struct rig *rig_new(void)
{
    return rig_new_clock(0);
}

static void rig_free(struct rig *r)
{
    pl011_model.destroy(r->dev);
    free(r->fdt);
    free(r);
}

static uint32_t rd(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    ck_assert_int_eq(pl011_model.read(r->dev, 0, off, 4, &v), BUS_OK);
    return (uint32_t)v;
}

static void wr(struct rig *r, unsigned off, uint32_t v)
{
    ck_assert_int_eq(pl011_model.write(r->dev, 0, off, 4, v), BUS_OK);
}

static void push(struct rig *r, const char *s)
{
    ck_assert_uint_eq(chardev_push(&r->cd, (const uint8_t *)s, strlen(s)), strlen(s));
}

START_TEST(descriptor)
{
    ck_assert_str_eq(pl011_model.name, "pl011");
    ck_assert_str_eq(pl011_model.compatible[0], "arm,pl011");
    ck_assert(pl011_model.uses_chardev);
    ck_assert_ptr_nonnull(pl011_model.save);
    ck_assert_ptr_nonnull(pl011_model.load);
    ck_assert_ptr_null(pl011_model.irq_connect);
}
END_TEST

START_TEST(ids_and_reset_values)
{
    struct rig *r = rig_new();
    static const uint8_t id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
    for (unsigned i = 0; i < 8; i++)
        ck_assert_uint_eq(rd(r, 0xFE0 + 4 * i), id[i]);
    ck_assert_uint_eq(rd(r, CR), 0x301);
    ck_assert_uint_eq(rd(r, IFLS), 0x12);
    ck_assert_uint_eq(rd(r, LCR_H), 0);
    ck_assert_uint_eq(rd(r, IMSC), 0);
    ck_assert_uint_eq(rd(r, RIS), 0);
    ck_assert_uint_eq(rd(r, FR), FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(access_sizes_and_unknown_offsets)
{
    struct rig *r = rig_new();
    uint64_t v = 0;
    ck_assert_int_eq(pl011_model.read(r->dev, 0, FR, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, FR_TXFE | FR_RXFE | FR_CTS | FR_DSR | FR_DCD);
    ck_assert_int_eq(pl011_model.read(r->dev, 0, CR + 1, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x03);
    ck_assert_int_eq(pl011_model.read(r->dev, 0, CR, 2, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x301);
    ck_assert_int_eq(pl011_model.read(r->dev, 0, CR, 8, &v), BUS_ERROR);
    ck_assert_int_eq(pl011_model.write(r->dev, 0, CR, 8, 0), BUS_ERROR);
    /* reserved, test and out-of-window offsets: read 0, writes ignored */
    ck_assert_uint_eq(rd(r, 0x08), 0);
    ck_assert_uint_eq(rd(r, 0x80), 0);
    wr(r, 0x80, 0xFFFFFFFF);
    wr(r, FR, 0);
    ck_assert_int_eq(pl011_model.read(r->dev, 0, 0x1000, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(pl011_model.read(r->dev, 0, UINT64_MAX - 3, 4, &v), BUS_OK);
    ck_assert_int_eq(pl011_model.write(r->dev, 3, 0, 4, 'x'), BUS_OK);
    ck_assert_int_eq(pl011_model.write(r->dev, 0, 0x1001, 1, 'x'), BUS_OK);
    /* a byte store to UARTDR sends that byte */
    wr(r, CR, CR_ON);
    ck_assert_int_eq(pl011_model.write(r->dev, 0, DR, 1, 'b'), BUS_OK);
    ck_assert_uint_eq(r->out_len, 1);
    ck_assert_uint_eq(r->out[0], 'b');
    /* registers keep only their implemented bits */
    wr(r, IBRD, 0xFFFFFFFF);
    wr(r, FBRD, 0xFFFFFFFF);
    wr(r, ILPR, 0xFFFFFFFF);
    wr(r, IFLS, 0xFFFFFFFF);
    wr(r, DMACR, 0xFFFFFFFF);
    ck_assert_uint_eq(rd(r, IBRD), 0xFFFF);
    ck_assert_uint_eq(rd(r, FBRD), 0x3F);
    ck_assert_uint_eq(rd(r, ILPR), 0xFF);
    ck_assert_uint_eq(rd(r, IFLS), 0x3F);
    ck_assert_uint_eq(rd(r, DMACR), 0x7);
    rig_free(r);
}
END_TEST

START_TEST(transmit_goes_to_chardev)
{
    struct rig *r = rig_new();
    wr(r, CR, CR_ON);
    const char *msg = "Hello";
    for (const char *p = msg; *p; p++) {
        ck_assert((rd(r, FR) & FR_TXFF) == 0);
        wr(r, DR, (uint8_t)*p);
    }
    ck_assert_uint_eq(r->out_len, 5);
    ck_assert(memcmp(r->out, msg, 5) == 0);
    ck_assert_uint_eq(rd(r, FR) & (FR_TXFE | FR_BUSY), FR_TXFE);
    rig_free(r);
}
END_TEST

START_TEST(transmit_gated_and_fifo_full)
{
    struct rig *r = rig_new();
    /* UARTEN clear: data waits in the FIFO. */
    wr(r, CR, 0x300);
    wr(r, LCR_H, LCR_FEN | 0x60);
    for (int i = 0; i < 16; i++) {
        ck_assert((rd(r, FR) & FR_TXFF) == 0);
        wr(r, DR, 'a' + i);
    }
    ck_assert_uint_eq(r->out_len, 0);
    uint32_t fr = rd(r, FR);
    ck_assert(fr & FR_TXFF);
    ck_assert(fr & FR_BUSY);
    ck_assert((fr & FR_TXFE) == 0);
    wr(r, DR, 'X');   /* lost: the FIFO is full */
    /* TXE clear holds it too */
    wr(r, CR, 0x201);
    ck_assert_uint_eq(r->out_len, 0);
    wr(r, CR, CR_ON);
    ck_assert_uint_eq(r->out_len, 16);
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(r->out[i], 'a' + i);
    ck_assert_uint_eq(rd(r, FR) & (FR_TXFE | FR_TXFF | FR_BUSY), FR_TXFE);

    /* FIFOs off: a one-entry holding register */
    r->out_len = 0;
    wr(r, CR, 0x300);
    wr(r, LCR_H, 0x60);
    wr(r, DR, '1');
    ck_assert(rd(r, FR) & FR_TXFF);
    wr(r, DR, '2');
    wr(r, CR, CR_ON);
    ck_assert_uint_eq(r->out_len, 1);
    ck_assert_uint_eq(r->out[0], '1');

    /* Clearing FEN flushes the transmit FIFO (TRM 3.3.8). */
    r->out_len = 0;
    wr(r, CR, 0x300);
    wr(r, LCR_H, LCR_FEN);
    wr(r, DR, 'z');
    wr(r, LCR_H, 0);
    ck_assert(rd(r, FR) & FR_TXFE);
    wr(r, CR, CR_ON);
    ck_assert_uint_eq(r->out_len, 0);
    rig_free(r);
}
END_TEST

START_TEST(transmit_interrupt)
{
    struct rig *r = rig_new();
    wr(r, CR, CR_ON);
    wr(r, LCR_H, LCR_FEN);
    ck_assert_uint_eq(rd(r, RIS) & INT_TX, 0);   /* not before any data */
    wr(r, IMSC, INT_TX);
    ck_assert(!r->sink.level);
    wr(r, DR, 'a');
    ck_assert_uint_eq(rd(r, RIS) & INT_TX, INT_TX);
    ck_assert_uint_eq(rd(r, MIS), INT_TX);
    ck_assert(r->sink.level);
    wr(r, ICR, INT_TX);
    ck_assert_uint_eq(rd(r, RIS) & INT_TX, 0);
    ck_assert(!r->sink.level);
    /* masked: raw status set, line low */
    wr(r, IMSC, 0);
    wr(r, DR, 'b');
    ck_assert_uint_eq(rd(r, RIS) & INT_TX, INT_TX);
    ck_assert_uint_eq(rd(r, MIS), 0);
    ck_assert(!r->sink.level);
    wr(r, IMSC, INT_TX);
    ck_assert(r->sink.level);
    /* held transmitter: filling above the trigger (8) clears it */
    wr(r, CR, 0x300);
    for (int i = 0; i < 9; i++)
        wr(r, DR, 'c');
    ck_assert_uint_eq(rd(r, RIS) & INT_TX, 0);
    ck_assert(!r->sink.level);
    wr(r, CR, CR_ON);
    ck_assert_uint_eq(rd(r, RIS) & INT_TX, INT_TX);
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(receive_from_chardev)
{
    struct rig *r = rig_new();
    wr(r, CR, 0x300);
    push(r, "hi");   /* receiver off (UARTEN clear): stays in the chardev */
    ck_assert(rd(r, FR) & FR_RXFE);
    wr(r, LCR_H, LCR_FEN | 0x60);
    wr(r, CR, CR_ON);
    ck_assert((rd(r, FR) & FR_RXFE) == 0);
    ck_assert_uint_eq(rd(r, DR), 'h');
    ck_assert_uint_eq(rd(r, DR), 'i');
    ck_assert(rd(r, FR) & FR_RXFE);
    ck_assert_uint_eq(rd(r, DR), 0);   /* empty */

    /* 20 bytes: 16 fill the FIFO, 4 wait in the chardev */
    push(r, "0123456789abcdefghij");
    ck_assert(rd(r, FR) & FR_RXFF);
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 4);
    ck_assert_uint_eq(rd(r, DR), '0');
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 3);   /* refilled */
    char got[21] = "0";
    for (int i = 1; i < 20; i++)
        got[i] = (char)rd(r, DR);
    ck_assert_str_eq(got, "0123456789abcdefghij");
    ck_assert(rd(r, FR) & FR_RXFE);

    /* FIFOs off: one character at a time */
    wr(r, LCR_H, 0x60);
    push(r, "xy");
    ck_assert(rd(r, FR) & FR_RXFF);
    ck_assert_uint_eq(rd(r, DR), 'x');
    ck_assert_uint_eq(rd(r, DR), 'y');
    ck_assert(rd(r, FR) & FR_RXFE);
    rig_free(r);
}
END_TEST

START_TEST(receive_interrupt_levels)
{
    struct rig *r = rig_new();
    wr(r, LCR_H, LCR_FEN);
    wr(r, IFLS, 0 << 3);   /* receive trigger at 1/8: 2 entries */
    wr(r, CR, CR_ON);
    wr(r, IMSC, INT_RX);
    push(r, "a");
    ck_assert_uint_eq(rd(r, RIS) & INT_RX, 0);
    ck_assert(!r->sink.level);
    push(r, "b");
    ck_assert_uint_eq(rd(r, RIS) & INT_RX, INT_RX);
    ck_assert(r->sink.level);
    (void)rd(r, DR);   /* below the trigger again */
    ck_assert_uint_eq(rd(r, RIS) & INT_RX, 0);
    ck_assert(!r->sink.level);
    (void)rd(r, DR);

    /* 7/8: 14 entries */
    wr(r, IFLS, 4 << 3);
    push(r, "0123456789abc");
    ck_assert_uint_eq(rd(r, RIS) & INT_RX, 0);
    push(r, "d");
    ck_assert_uint_eq(rd(r, RIS) & INT_RX, INT_RX);
    /* ICR clears it while the level stays */
    wr(r, ICR, INT_RX);
    ck_assert_uint_eq(rd(r, RIS) & INT_RX, 0);
    ck_assert(!r->sink.level);
    rig_free(r);
}
END_TEST

START_TEST(receive_timeout)
{
    struct rig *r = rig_new_clock(24000000);
    /* 115200 baud from 24 MHz: IBRD 13, FBRD 1; 32 bits = 8 * 833 / 24 MHz
     * = 277.67 us. */
    wr(r, IBRD, 13);
    wr(r, FBRD, 1);
    wr(r, LCR_H, LCR_FEN | 0x60);
    wr(r, CR, CR_ON);
    wr(r, IMSC, INT_RT | INT_RX);
    push(r, "k");   /* below the 1/2 trigger: no receive interrupt */
    ck_assert_uint_eq(rd(r, RIS), 0);
    clock_advance_to(&r->clock, 270000);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, 0);
    push(r, "l");   /* a new character restarts the timeout */
    clock_advance_to(&r->clock, 500000);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, 0);
    clock_advance_to(&r->clock, 270000 + 277670);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, INT_RT);
    ck_assert_uint_eq(rd(r, MIS), INT_RT);
    ck_assert(r->sink.level);
    /* reading the FIFO empty clears it */
    ck_assert_uint_eq(rd(r, DR), 'k');
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, INT_RT);
    ck_assert_uint_eq(rd(r, DR), 'l');
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, 0);
    ck_assert(!r->sink.level);
    /* ICR clears it too; with nothing received no timeout follows */
    push(r, "m");
    clock_advance_to(&r->clock, 2000000);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, INT_RT);
    wr(r, ICR, INT_RT);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, 0);
    clock_advance_to(&r->clock, 4000000);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, 0);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(receive_timeout_follows_uartclk)
{
    /* The same divisor on a 12 MHz UARTCLK takes twice as long. */
    struct rig *r = rig_new_clock(12000000);
    wr(r, IBRD, 13);
    wr(r, FBRD, 1);
    wr(r, LCR_H, LCR_FEN);
    wr(r, CR, CR_ON);
    push(r, "k");
    clock_advance_to(&r->clock, 500000);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, 0);
    clock_advance_to(&r->clock, 560000);
    ck_assert_uint_eq(rd(r, RIS) & INT_RT, INT_RT);
    rig_free(r);
}
END_TEST

START_TEST(loopback_overrun_and_break)
{
    struct rig *r = rig_new();
    wr(r, IMSC, INT_OE | INT_BE);
    wr(r, CR, CR_ON | CR_LBE);
    push(r, "ignored");   /* the receive pin is disconnected in loopback */
    wr(r, DR, 'a');
    ck_assert_uint_eq(r->out_len, 0);
    ck_assert(rd(r, FR) & FR_RXFF);   /* FIFOs off: depth 1 */
    wr(r, DR, 'b');   /* overrun: 'b' is lost */
    ck_assert_uint_eq(rd(r, RSR), 0x8);
    ck_assert_uint_eq(rd(r, RIS) & INT_OE, INT_OE);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, DR), 'a');
    wr(r, DR, 'c');   /* the next character carries OE */
    ck_assert_uint_eq(rd(r, DR), 0x800 | 'c');
    ck_assert_uint_eq(rd(r, RSR), 0x8);
    wr(r, RSR, 0);    /* UARTECR */
    ck_assert_uint_eq(rd(r, RSR), 0);
    wr(r, ICR, 0x7FF);
    ck_assert(!r->sink.level);

    /* a break arrives as a zero character with BE */
    wr(r, LCR_H, LCR_BRK);
    ck_assert_uint_eq(rd(r, RIS) & INT_BE, INT_BE);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(rd(r, DR), 0x400);
    ck_assert_uint_eq(rd(r, RSR), 0x4);
    /* the transmitter holds while the break is sent */
    wr(r, DR, 'd');
    ck_assert(rd(r, FR) & FR_RXFE);
    wr(r, LCR_H, 0);
    ck_assert_uint_eq(rd(r, DR), 'd');
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 7);
    rig_free(r);
}
END_TEST

START_TEST(loopback_modem_lines)
{
    struct rig *r = rig_new();
    wr(r, CR, CR_ON | CR_LBE);
    /* outputs all off: CTS, DSR, DCD and RI read deasserted */
    ck_assert_uint_eq(rd(r, FR) & (FR_CTS | FR_DSR | FR_DCD | 0x100), 0);
    wr(r, ICR, 0x7FF);
    wr(r, IMSC, INT_DSR);
    wr(r, CR, CR_ON | CR_LBE | CR_DTR);
    ck_assert(rd(r, FR) & FR_DSR);
    ck_assert_uint_eq(rd(r, RIS) & INT_DSR, INT_DSR);
    ck_assert(r->sink.level);
    rig_free(r);
}
END_TEST

/* Puts the device in an unusual state with data in both FIFOs and a
 * pending timeout, saves it, loads it into a fresh device and compares. */
START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    wr(a, IBRD, 26);
    wr(a, FBRD, 3);
    wr(a, ILPR, 0x55);
    wr(a, LCR_H, LCR_FEN | 0x76);
    wr(a, IFLS, 0x2A);
    wr(a, IMSC, 0x7F0);
    wr(a, DMACR, 0x4);
    wr(a, CR, CR_ON);
    push(a, "rx");
    wr(a, CR, 0x201);   /* transmitter off: what follows stays queued */
    wr(a, DR, 't');
    wr(a, DR, 'x');
    uint64_t deadline = clock_next_deadline(&a->clock);
    ck_assert_uint_ne(deadline, CLOCK_NEVER);

    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "pl011", pl011_model.state_version);
    ck_assert_int_eq(pl011_model.save(a->dev, &w), 0);
    state_end(&w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(&w, &err) == 0, "%s", err.msg);

    struct rig *b = rig_new();
    struct state_reader rd_state;
    ck_assert_int_eq(state_reader_init(&rd_state, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd_state, "pl011"), 0);
    ck_assert_msg(pl011_model.load(b->dev, &rd_state, &err) == 0, "load: %s", err.msg);

    static const unsigned regs[] = { RSR, FR, ILPR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC,
                                     RIS, MIS, DMACR };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(rd(a, regs[i]) == rd(b, regs[i]), "register 0x%02x", regs[i]);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), deadline);
    ck_assert_uint_eq(a->sink.level, b->sink.level);
    /* both FIFOs came across, in order */
    ck_assert_uint_eq(rd(b, DR), 'r');
    ck_assert_uint_eq(rd(b, DR), 'x');
    wr(b, CR, CR_ON);
    ck_assert_uint_eq(b->out_len, 2);
    ck_assert(memcmp(b->out, "tx", 2) == 0);

    /* a truncated section is an error and leaves the device as it was */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&rd_state, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&rd_state, "pl011"), 0);
    rd_state.section_end -= 6;
    ck_assert_int_ne(pl011_model.load(c->dev, &rd_state, &err), 0);
    ck_assert_uint_eq(rd(c, CR), 0x301);
    ck_assert_uint_eq(rd(c, IBRD), 0);

    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_clears_everything)
{
    struct rig *r = rig_new();
    wr(r, CR, CR_ON);
    wr(r, IMSC, INT_TX);
    wr(r, LCR_H, LCR_FEN);
    push(r, "abc");
    wr(r, DR, 'q');
    ck_assert(r->sink.level);
    pl011_model.reset(r->dev);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(rd(r, CR), 0x301);
    ck_assert_uint_eq(rd(r, LCR_H), 0);
    ck_assert_uint_eq(rd(r, FR) & (FR_RXFE | FR_TXFE), FR_RXFE | FR_TXFE);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(create_rejects_bad_nodes)
{
    struct orr_error err = { { 0 } };
    void *dev = NULL;
    struct device_ctx ctx = { .node = -1, .path = "/uart", .nwindows = 0 };
    ck_assert_int_ne(pl011_model.create(&ctx, &dev, &err), 0);
    ck_assert(strstr(err.msg, "/uart") != NULL);
    ctx.nwindows = 1;
    ctx.window_size[0] = 0x100;
    ck_assert_int_ne(pl011_model.create(&ctx, &dev, &err), 0);
    /* no clock, irq or chardev: still a working device */
    ctx.window_size[0] = 0x1000;
    ck_assert_int_eq(pl011_model.create(&ctx, &dev, &err), 0);
    ck_assert_int_eq(pl011_model.write(dev, 0, CR, 4, CR_ON), BUS_OK);
    ck_assert_int_eq(pl011_model.write(dev, 0, DR, 4, 'x'), BUS_OK);
    uint64_t v = 0;
    ck_assert_int_eq(pl011_model.read(dev, 0, FR, 4, &v), BUS_OK);
    ck_assert(v & FR_RXFE);
    pl011_model.destroy(dev);
}
END_TEST

/* A guest (and host) doing arbitrary things: random offsets, sizes and
 * values, host input and time passing. Nothing may crash (the sanitized
 * build runs this too), and what the registers report must stay coherent. */
START_TEST(random_accesses_stay_coherent)
{
    struct rig *r = rig_new_clock(24000000);
    uint32_t x = 0x12345678;
    static const unsigned sizes[4] = { 1, 2, 4, 8 };
    static const unsigned hot[] = { DR, RSR, FR, IBRD, FBRD, LCR_H, CR, IFLS, IMSC, RIS,
                                    MIS, ICR, DMACR };
    uint64_t now = 0;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned op = x & 15;
        uint64_t off = (x >> 4) & 1 ? hot[(x >> 5) % (sizeof hot / sizeof hot[0])]
                                    : (x >> 8) & 0x1FFF;
        unsigned size = sizes[(x >> 21) & 3];
        uint64_t v = 0;
        if (op < 6) {
            (void)pl011_model.read(r->dev, 0, off, size, &v);
        } else if (op < 12) {
            (void)pl011_model.write(r->dev, 0, off, size, x * 2654435761u);
        } else if (op < 14) {
            uint8_t in[3] = { (uint8_t)x, (uint8_t)(x >> 8), (uint8_t)(x >> 16) };
            (void)chardev_push(&r->cd, in, 1 + (x >> 24) % 3);
        } else if (op == 14) {
            now += (x >> 8) % 400000;
            clock_advance_to(&r->clock, now);
        } else {
            r->out_len = 0;
            if ((x >> 8) % 64 == 0)
                pl011_model.reset(r->dev);
        }
        /* (plain reads: a Check assertion per step would dominate the run) */
        uint64_t fr = 0, ris = 0, imsc = 0, mis = 0, rsr = 0;
        int bad = pl011_model.read(r->dev, 0, FR, 4, &fr) |
                  pl011_model.read(r->dev, 0, RIS, 4, &ris) |
                  pl011_model.read(r->dev, 0, IMSC, 4, &imsc) |
                  pl011_model.read(r->dev, 0, MIS, 4, &mis) |
                  pl011_model.read(r->dev, 0, RSR, 4, &rsr);
        bool coherent = !bad &&
                        !(fr & FR_BUSY) == !!(fr & FR_TXFE) &&   /* BUSY iff not TXFE */
                        !((fr & FR_RXFF) && (fr & FR_RXFE)) &&
                        (!(fr & FR_TXFF) || (fr & FR_BUSY)) &&
                        mis == (ris & imsc) && r->sink.level == (mis != 0) && rsr <= 0xF;
        if (!coherent)
            ck_abort_msg("step %d: FR 0x%llx RIS 0x%llx IMSC 0x%llx MIS 0x%llx RSR 0x%llx "
                         "line %d", i, (unsigned long long)fr, (unsigned long long)ris,
                         (unsigned long long)imsc, (unsigned long long)mis,
                         (unsigned long long)rsr, r->sink.level);
    }
    rig_free(r);
}
END_TEST

static Suite *pl011_suite(void)
{
    Suite *s = suite_create("pl011");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor);
    tcase_add_test(tc, ids_and_reset_values);
    tcase_add_test(tc, access_sizes_and_unknown_offsets);
    tcase_add_test(tc, transmit_goes_to_chardev);
    tcase_add_test(tc, transmit_gated_and_fifo_full);
    tcase_add_test(tc, transmit_interrupt);
    tcase_add_test(tc, receive_from_chardev);
    tcase_add_test(tc, receive_interrupt_levels);
    tcase_add_test(tc, receive_timeout);
    tcase_add_test(tc, receive_timeout_follows_uartclk);
    tcase_add_test(tc, loopback_overrun_and_break);
    tcase_add_test(tc, loopback_modem_lines);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_clears_everything);
    tcase_add_test(tc, create_rejects_bad_nodes);
    tcase_add_test(tc, random_accesses_stay_coherent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(pl011_suite());
}
