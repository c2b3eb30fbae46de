/* The NS16550A model driven directly through its device descriptor: a fake
 * interrupt sink, a chardev capturing output, a virtual clock for the
 * character timeout. The probe test replays what Linux's 8250 driver does
 * to identify a port (autoconfig, autoconfig_16550a, size_fifo and the
 * startup THRE tests) and checks each answer. */
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

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

struct sink {
    bool level;
    unsigned changes;
};

struct rig {
    struct vclock clock;
    struct chardev cd;
    struct irq_line line;
    struct sink sink;
    uint8_t out[512];
    size_t out_len;
    uint64_t done;        /* instructions of the current run, for clock_now */
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

/* A tree with one node of the given compatible (NULL: no tree). */
static void *make_fdt(const char *compatible, uint32_t clock_hz, int *node)
{
    size_t size = 2048;
    void *fdt = calloc(1, size);
    ck_assert_int_eq(fdt_create_empty_tree(fdt, (int)size), 0);
    int n = fdt_add_subnode(fdt, 0, "serial@3f8");
    ck_assert_int_ge(n, 0);
    ck_assert_int_eq(fdt_setprop_string(fdt, n, "compatible", compatible), 0);
    if (clock_hz)
        ck_assert_int_eq(fdt_setprop_u32(fdt, n, "clock-frequency", clock_hz), 0);
    *node = fdt_path_offset(fdt, "/serial@3f8");
    return fdt;
}

static struct rig *rig_new_compat(const char *compatible, uint32_t clock_hz)
{
    struct rig *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    clock_init(&r->clock, CLOCK_MODE_VIRTUAL, 10);
    r->cd.host_write = capture;
    r->cd.host_opaque = r;
    irq_connect(&r->line, sink_set, &r->sink, 4);
    struct device_ctx ctx = {
        .node = -1,
        .path = "/isa/serial@1,3f8",
        .nwindows = 1,
        .window_base = { 0x3f8 },
        .window_size = { 8 },
        .irqs = { &r->line },
        .nirqs = 1,
        .clock = &r->clock,
        .chardev = &r->cd,
    };
    if (compatible) {
        r->fdt = make_fdt(compatible, clock_hz, &ctx.node);
        ctx.fdt = r->fdt;
    }
    struct orr_error err = { { 0 } };
    ck_assert_msg(ns16550_model.create(&ctx, &r->dev, &err) == 0, "create: %s", err.msg);
    return r;
}

static struct rig *rig_new(void)
{
    return rig_new_compat(NULL, 0);
}

static void rig_free(struct rig *r)
{
    ns16550_model.destroy(r->dev);
    free(r->fdt);
    free(r);
}

static uint8_t in(struct rig *r, unsigned port)
{
    uint64_t v = 0;
    ck_assert_int_eq(ns16550_model.read(r->dev, 0, port, 1, &v), BUS_OK);
    return (uint8_t)v;
}

static void out(struct rig *r, unsigned port, uint8_t v)
{
    ck_assert_int_eq(ns16550_model.write(r->dev, 0, port, 1, v), BUS_OK);
}

static void push(struct rig *r, const char *s)
{
    ck_assert_uint_eq(chardev_push(&r->cd, (const uint8_t *)s, strlen(s)), strlen(s));
}

/* 115200 baud: divisor 1 at 1.8432 MHz, 8N1. */
static void set_115200_8n1(struct rig *r)
{
    out(r, LCR, 0x83);
    out(r, DLL, 1);
    out(r, DLM, 0);
    out(r, LCR, 0x03);
}

START_TEST(descriptor)
{
    ck_assert_ptr_eq(device_model_find("ns16550a"), &ns16550_model);
    ck_assert_ptr_eq(device_model_find("ns16550"), &ns16550_model);
    ck_assert_ptr_eq(device_model_find("ns16450"), &ns16550_model);
    ck_assert_ptr_eq(device_model_find("ns8250"), &ns16550_model);
    ck_assert_str_eq(ns16550_model.name, "ns16550");
    ck_assert(ns16550_model.uses_chardev);
    ck_assert_ptr_nonnull(ns16550_model.save);
    ck_assert_ptr_nonnull(ns16550_model.load);
}
END_TEST

START_TEST(reset_values)
{
    struct rig *r = rig_new();
    ck_assert_uint_eq(in(r, IER), 0x00);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    ck_assert_uint_eq(in(r, LCR), 0x00);
    ck_assert_uint_eq(in(r, MCR), 0x00);
    ck_assert_uint_eq(in(r, LSR), 0x60);
    ck_assert_uint_eq(in(r, MSR), 0xB0);   /* CTS DSR DCD, no deltas */
    out(r, LCR, 0x80);
    ck_assert_uint_eq(in(r, DLL), 12);      /* 9600 baud */
    ck_assert_uint_eq(in(r, DLM), 0);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    /* unused bits of IER and MCR read 0 */
    out(r, LCR, 0x00);
    out(r, IER, 0xFF);
    ck_assert_uint_eq(in(r, IER), 0x0F);
    out(r, MCR, 0xFF);
    ck_assert_uint_eq(in(r, MCR), 0x1F);
    /* a wide access is split into byte cycles; past port 7 reads 0xFF */
    uint64_t v = 0;
    out(r, MCR, 0);
    ck_assert_uint_eq(in(r, MSR), 0xB4);    /* RI went on and off: TERI */
    out(r, SCR, 0x5A);
    ck_assert_int_eq(ns16550_model.read(r->dev, 0, 6, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0xFFFF5AB0u);
    rig_free(r);
}
END_TEST

/* Linux's drivers/tty/serial/8250/8250_port.c probe, step by step. */
START_TEST(linux_autoconfig_finds_16550a)
{
    struct rig *r = rig_new();
    /* autoconfig: IER existence test */
    uint8_t scratch = in(r, IER);
    out(r, IER, 0);
    ck_assert_uint_eq(in(r, IER) & 0x0F, 0);
    out(r, IER, 0x0F);
    ck_assert_uint_eq(in(r, IER) & 0x0F, 0x0F);
    out(r, IER, scratch);
    uint8_t save_mcr = in(r, MCR), save_lcr = in(r, LCR);
    /* loopback test: RTS and OUT2 come back as CTS and DCD */
    out(r, MCR, 0x1A);
    ck_assert_uint_eq(in(r, MSR) & 0xF0, 0x90);
    out(r, MCR, save_mcr);
    /* EFR cleared through LCR 0xBF: on a 16550A this is an FCR write */
    out(r, LCR, 0xBF);
    out(r, 2, 0);
    out(r, LCR, 0);
    /* FIFO detection: IIR bits 7-6 = 11 */
    out(r, FCR, 0x01);
    ck_assert_uint_eq(in(r, IIR) >> 6, 3);

    /* autoconfig_16550a: no EFR behind LCR 0xBF or 0x80 (IIR reads there) */
    out(r, LCR, 0xBF);
    ck_assert_uint_ne(in(r, 2), 0);
    out(r, LCR, 0x80);
    ck_assert_uint_ne(in(r, 2), 0);
    /* not a National SuperIO: "EXCR1" (IIR here) does not follow MCR LOOP */
    out(r, LCR, 0);
    uint8_t status1 = in(r, MCR);
    out(r, LCR, 0xE0);
    uint8_t status2 = in(r, 2);
    ck_assert_uint_eq((status2 ^ status1) & 0x10, 0);
    out(r, LCR, 0);
    out(r, MCR, status1 ^ 0x10);
    out(r, LCR, 0xE0);
    status2 = in(r, 2);
    out(r, LCR, 0);
    out(r, MCR, status1);
    ck_assert_uint_eq((status2 ^ status1) & 0x10, 0);
    /* not a 16750: IIR bit 5 never reports a 64-byte FIFO */
    out(r, LCR, 0);
    out(r, FCR, 0x21);
    ck_assert_uint_eq(in(r, IIR) & 0xE0, 0xC0);
    out(r, FCR, 0x01);
    out(r, LCR, 0x80);
    out(r, FCR, 0x21);
    ck_assert_uint_eq(in(r, IIR) & 0xE0, 0xC0);
    out(r, FCR, 0x01);
    out(r, LCR, 0);
    /* not an XScale: IER bit 6 (UUE) does not stick */
    uint8_t iersave = in(r, IER);
    out(r, IER, iersave & (uint8_t)~0x40);
    ck_assert_uint_eq(in(r, IER) & 0x40, 0);
    out(r, IER, iersave | 0x40);
    ck_assert_uint_eq(in(r, IER) & 0x40, 0);
    out(r, IER, iersave);
    /* size_fifo: 256 bytes in loopback at divisor 1, 16 come back */
    out(r, FCR, 0x07);
    out(r, MCR, 0x10);
    out(r, LCR, 0x80);
    out(r, DLL, 1);
    out(r, DLM, 0);
    out(r, LCR, 0x03);
    for (unsigned i = 0; i < 256; i++)
        out(r, THR, (uint8_t)i);
    unsigned count = 0;
    while ((in(r, LSR) & 0x01) && count < 256) {
        ck_assert_uint_eq(in(r, RBR), count);
        count++;
    }
    ck_assert_uint_eq(count, 16);
    ck_assert_uint_eq(r->out_len, 0);       /* loopback: nothing left the port */
    out(r, FCR, 0x01);
    out(r, MCR, save_mcr);
    out(r, LCR, save_lcr);

    /* serial8250_do_startup: clear the FIFOs and the interrupt sources */
    out(r, FCR, 0x01);
    out(r, FCR, 0x07);
    out(r, FCR, 0x00);
    (void)in(r, LSR);
    (void)in(r, RBR);
    (void)in(r, IIR);
    (void)in(r, MSR);
    ck_assert_uint_ne(in(r, LSR), 0xFF);
    /* the UART_BUG_THRE test: THRE is raised again by setting ETBEI */
    ck_assert(in(r, LSR) & 0x20);
    out(r, IER, 0x02);
    uint8_t iir1 = in(r, IIR);
    out(r, IER, 0);
    out(r, IER, 0x02);
    uint8_t iir = in(r, IIR);
    out(r, IER, 0);
    ck_assert_uint_eq(iir1, 0x02);
    ck_assert_uint_eq(iir, 0x02);
    ck_assert(!((iir1 & 1) == 0 && (iir & 1) != 0));   /* no UART_BUG_THRE */
    /* the UART_BUG_TXEN test */
    out(r, LCR, 0x03);
    out(r, MCR, 0x0B);   /* DTR RTS OUT2 */
    out(r, IER, 0x02);
    uint8_t lsr = in(r, LSR);
    iir = in(r, IIR);
    out(r, IER, 0);
    ck_assert_uint_eq(lsr & 0x40, 0x40);
    ck_assert_uint_eq(iir & 0x01, 0);   /* an interrupt was pending: no UART_BUG_TXEN */
    rig_free(r);
}
END_TEST

START_TEST(fifo_trigger_levels)
{
    static const uint8_t fcr[4] = { 0x01, 0x41, 0x81, 0xC1 };
    static const unsigned level[4] = { 1, 4, 8, 14 };
    for (unsigned i = 0; i < 4; i++) {
        struct rig *r = rig_new();
        out(r, FCR, fcr[i]);
        out(r, IER, 0x01);
        out(r, MCR, 0x08);
        for (unsigned n = 1; n < level[i]; n++) {
            push(r, "x");
            ck_assert_uint_eq(in(r, IIR), 0xC1);
            ck_assert(!r->sink.level);
        }
        push(r, "y");
        ck_assert_msg(in(r, IIR) == 0xC4, "level %u", level[i]);
        ck_assert(r->sink.level);
        (void)in(r, RBR);   /* one below the trigger: no longer RDA */
        ck_assert_uint_eq(in(r, IIR), 0xC1);
        ck_assert(!r->sink.level);
        rig_free(r);
    }
    /* the FIFO is 16 deep: the rest waits in the host queue */
    struct rig *r = rig_new();
    out(r, FCR, 0x01);
    push(r, "0123456789abcdefghij");
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 4);
    for (unsigned i = 0; i < 20; i++)
        ck_assert_uint_eq(in(r, RBR), (uint8_t)"0123456789abcdefghij"[i]);
    ck_assert_uint_eq(in(r, LSR) & 0x01, 0);
    ck_assert_uint_eq(in(r, RBR), 'j');   /* an empty RBR reads the last byte */
    /* without FIFOs RBR holds one byte */
    out(r, FCR, 0x00);
    push(r, "pq");
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 1);
    ck_assert_uint_eq(in(r, IIR), 0x01);   /* no bits 7-6, no interrupt enabled */
    ck_assert_uint_eq(in(r, RBR), 'p');
    ck_assert_uint_eq(in(r, RBR), 'q');
    rig_free(r);
}
END_TEST

START_TEST(character_timeout_at_exact_time)
{
    struct rig *r = rig_new();
    set_115200_8n1(r);
    out(r, FCR, 0xC1);   /* trigger 14 */
    out(r, IER, 0x01);
    out(r, MCR, 0x08);
    clock_advance_to(&r->clock, 1000);
    push(r, "ab");
    /* 4 characters of 10 bits at 115200 baud: 347222.2 ns, rounded up */
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 1000 + 347223);
    clock_advance_to(&r->clock, 1000 + 347222);
    ck_assert_uint_eq(in(r, IIR), 0xC1);
    ck_assert(!r->sink.level);
    clock_advance_to(&r->clock, 1000 + 347223);
    ck_assert_uint_eq(in(r, IIR), 0xCC);
    ck_assert(r->sink.level);
    /* a read mid-run, 50 instructions in, clears it and restarts the timer
     * from the time of the read */
    r->clock.run_done = &r->done;
    r->done = 50;
    ck_assert_uint_eq(in(r, RBR), 'a');
    ck_assert_uint_eq(in(r, IIR), 0xC1);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 1000 + 347223 + 500 + 347223);
    r->clock.run_done = NULL;
    clock_advance_to(&r->clock, 1000 + 347223 + 500 + 347223);
    ck_assert_uint_eq(in(r, IIR), 0xCC);
    ck_assert_uint_eq(in(r, RBR), 'b');   /* FIFO empty: no timeout follows */
    ck_assert_uint_eq(in(r, IIR), 0xC1);
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);

    /* 7 data bits, parity, 2 stop bits: 11 bits a character */
    out(r, LCR, 0x0E);
    uint64_t t = r->clock.now_ns;
    push(r, "c");
    ck_assert_uint_eq(clock_next_deadline(&r->clock), t + 381945);
    /* 9600 baud, 8N1: 4.1666 ms */
    out(r, LCR, 0x83);
    out(r, DLL, 12);
    out(r, LCR, 0x03);
    (void)in(r, RBR);
    push(r, "d");
    ck_assert_uint_eq(clock_next_deadline(&r->clock), t + 4166667);
    /* no timeout without FIFOs */
    out(r, FCR, 0);
    push(r, "e");
    ck_assert_uint_eq(clock_next_deadline(&r->clock), CLOCK_NEVER);
    rig_free(r);
}
END_TEST

START_TEST(timeout_follows_clock_frequency)
{
    /* the same divisor from a 3.6864 MHz crystal takes half as long */
    struct rig *r = rig_new_compat("ns16550a", 3686400);
    set_115200_8n1(r);
    out(r, FCR, 0x01);
    push(r, "k");
    ck_assert_uint_eq(clock_next_deadline(&r->clock), 173612);
    rig_free(r);
}
END_TEST

START_TEST(thre_interrupt_rules)
{
    struct rig *r = rig_new();
    out(r, MCR, 0x08);
    out(r, IER, 0x02);                      /* ETBEI set with THR empty */
    ck_assert(r->sink.level);
    ck_assert_uint_eq(in(r, IIR), 0x02);    /* reading IIR clears it */
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    out(r, IER, 0x02);                      /* no rising edge: nothing */
    ck_assert_uint_eq(in(r, IIR), 0x01);
    out(r, IER, 0x00);
    out(r, IER, 0x02);                      /* a rising edge raises it again */
    ck_assert(r->sink.level);
    ck_assert_uint_eq(in(r, IIR), 0x02);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    out(r, THR, 'x');                       /* THR empties at once: raised */
    ck_assert(r->sink.level);
    ck_assert_uint_eq(in(r, LSR), 0x60);
    ck_assert_uint_eq(in(r, IIR), 0x02);
    /* clearing ETBEI drops it */
    out(r, THR, 'y');
    out(r, IER, 0x00);
    ck_assert(!r->sink.level);
    out(r, IER, 0x01);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    /* received data outranks THRE; reading IIR then does not clear THRE */
    out(r, IER, 0x03);
    push(r, "a");
    ck_assert_uint_eq(in(r, IIR), 0x04);
    ck_assert_uint_eq(in(r, IIR), 0x04);
    ck_assert_uint_eq(in(r, RBR), 'a');
    ck_assert_uint_eq(in(r, IIR), 0x02);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    ck_assert_uint_eq(r->out_len, 2);
    ck_assert(memcmp(r->out, "xy", 2) == 0);
    rig_free(r);
}
END_TEST

/* Linux's interrupt-driven transmit: start_tx sets THRI, the handler reads
 * IIR and, while THRE is the source, loads up to 16 bytes; with the
 * buffer empty it clears THRI. 100 bytes take 7 passes (16 each, 4 last)
 * and the line ends low. */
START_TEST(interrupt_driven_transmit)
{
    struct rig *r = rig_new();
    out(r, FCR, 0x81);
    out(r, MCR, 0x0B);
    out(r, IER, 0x05);                      /* RLSI | RDI, as after startup */
    ck_assert(!r->sink.level);
    char text[101];
    for (unsigned i = 0; i < 100; i++)
        text[i] = (char)('!' + i % 90);
    text[100] = 0;
    unsigned sent = 0, passes = 0;
    out(r, IER, 0x07);                      /* start_tx */
    while (r->sink.level && passes < 50) {
        uint8_t iir = in(r, IIR);
        if (iir & 1)
            break;
        ck_assert_uint_eq(iir, 0xC2);
        passes++;
        for (unsigned n = 0; n < 16 && sent < 100; n++)
            out(r, THR, (uint8_t)text[sent++]);
        if (sent == 100)
            out(r, IER, 0x05);              /* __stop_tx */
    }
    ck_assert_uint_eq(passes, 7);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(in(r, IIR), 0xC1);
    ck_assert_uint_eq(r->out_len, 100);
    ck_assert(memcmp(r->out, text, 100) == 0);
    rig_free(r);
}
END_TEST

START_TEST(out2_gates_the_interrupt)
{
    struct rig *r = rig_new();
    out(r, IER, 0x02);
    ck_assert(!r->sink.level);              /* pending, but OUT2 clear */
    out(r, MCR, 0x03);
    ck_assert(!r->sink.level);
    out(r, MCR, 0x08);
    ck_assert(r->sink.level);
    out(r, MCR, 0x18);                      /* loopback forces OUT2 inactive */
    ck_assert(!r->sink.level);
    out(r, MCR, 0x08);
    ck_assert(r->sink.level);
    ck_assert_uint_eq(in(r, IIR), 0x02);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(r->sink.changes, 4);
    rig_free(r);
}
END_TEST

START_TEST(loopback_data_and_modem_lines)
{
    struct rig *r = rig_new();
    out(r, MCR, 0x10);
    /* the modem outputs are off: CTS DSR DCD drop, with deltas */
    ck_assert_uint_eq(in(r, MSR), 0x0B);
    ck_assert_uint_eq(in(r, MSR), 0x00);
    push(r, "host");                        /* SIN is disconnected */
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 4);
    ck_assert_uint_eq(in(r, LSR), 0x60);
    out(r, THR, 'z');
    ck_assert_uint_eq(r->out_len, 0);
    ck_assert_uint_eq(in(r, LSR), 0x61);
    ck_assert_uint_eq(in(r, RBR), 'z');
    /* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
    out(r, MCR, 0x11);
    ck_assert_uint_eq(in(r, MSR), 0x22);
    out(r, MCR, 0x12);
    ck_assert_uint_eq(in(r, MSR), 0x13);
    out(r, MCR, 0x14);
    ck_assert_uint_eq(in(r, MSR), 0x41);    /* RI rising: no TERI */
    out(r, MCR, 0x18);
    ck_assert_uint_eq(in(r, MSR), 0x8C);    /* RI falling: TERI; DCD: DDCD */
    /* the modem status interrupt (seen through IIR; the line is gated) */
    out(r, IER, 0x08);
    out(r, MCR, 0x19);
    ck_assert_uint_eq(in(r, IIR), 0x00);
    ck_assert_uint_eq(in(r, MSR), 0xA2);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    /* leaving loopback takes the host's bytes in */
    out(r, MCR, 0x00);
    ck_assert_uint_eq(chardev_rx_count(&r->cd), 3);
    ck_assert_uint_eq(in(r, RBR), 'h');
    ck_assert_uint_eq(in(r, MSR), 0xB1);    /* CTS DSR DCD: only CTS changed */
    rig_free(r);
}
END_TEST

START_TEST(overrun_and_break)
{
    struct rig *r = rig_new();
    out(r, FCR, 0x01);
    out(r, MCR, 0x18);
    out(r, IER, 0x04);
    for (unsigned i = 0; i < 17; i++)
        out(r, THR, (uint8_t)('A' + i));
    ck_assert_uint_eq(in(r, IIR), 0xC6);    /* line status */
    ck_assert_uint_eq(in(r, LSR), 0x63);    /* OE, reported once */
    ck_assert_uint_eq(in(r, LSR), 0x61);
    ck_assert_uint_eq(in(r, IIR), 0xC1);
    for (unsigned i = 0; i < 16; i++)
        ck_assert_uint_eq(in(r, RBR), 'A' + i);   /* the 17th was lost */
    ck_assert_uint_eq(in(r, LSR), 0x60);
    /* without FIFOs the new character overwrites RBR */
    out(r, FCR, 0x00);
    out(r, THR, 'a');
    out(r, THR, 'b');
    ck_assert_uint_eq(in(r, LSR), 0x63);
    ck_assert_uint_eq(in(r, RBR), 'b');
    /* a break: a zero character with BI, and the FIFO error bit */
    out(r, FCR, 0x01);
    out(r, THR, 'c');
    out(r, LCR, 0x40);
    ck_assert_uint_eq(in(r, LSR), 0xE1);    /* BI not yet: 'c' is on top */
    ck_assert_uint_eq(in(r, RBR), 'c');
    ck_assert_uint_eq(in(r, LSR), 0xF1);
    ck_assert_uint_eq(in(r, LSR), 0xE1);    /* BI reported once */
    ck_assert_uint_eq(in(r, RBR), 0);
    ck_assert_uint_eq(in(r, LSR), 0x60);
    out(r, LCR, 0x00);
    rig_free(r);
}
END_TEST

START_TEST(divisor_latch)
{
    struct rig *r = rig_new();
    out(r, IER, 0x05);
    out(r, LCR, 0x83);
    out(r, DLL, 0x34);
    out(r, DLM, 0x12);
    ck_assert_uint_eq(in(r, DLL), 0x34);
    ck_assert_uint_eq(in(r, DLM), 0x12);
    ck_assert_uint_eq(r->out_len, 0);       /* not a THR write */
    out(r, LCR, 0x03);
    ck_assert_uint_eq(in(r, IER), 0x05);    /* IER untouched */
    out(r, LCR, 0x80);
    ck_assert_uint_eq(in(r, DLL), 0x34);
    ck_assert_uint_eq(in(r, IIR), 0x01);    /* IIR does not depend on DLAB */
    rig_free(r);
}
END_TEST

START_TEST(output_reaches_the_chardev)
{
    struct rig *r = rig_new();
    const char *msg = "Linux version 6.1\r\n";
    for (const char *p = msg; *p; p++) {
        ck_assert_uint_eq(in(r, LSR) & 0x20, 0x20);   /* never waits */
        out(r, THR, (uint8_t)*p);
    }
    ck_assert_uint_eq(r->out_len, strlen(msg));
    ck_assert(memcmp(r->out, msg, strlen(msg)) == 0);
    ck_assert_uint_eq(in(r, LSR), 0x60);
    ck_assert_uint_eq(r->clock.now_ns, 0);   /* no time taken */
    out(r, SCR, 0xA5);
    ck_assert_uint_eq(in(r, SCR), 0xA5);
    rig_free(r);
}
END_TEST

START_TEST(variants_16450_and_8250)
{
    struct rig *r = rig_new_compat("ns16450", 0);
    out(r, FCR, 0x01);                       /* no FIFO */
    ck_assert_uint_eq(in(r, IIR), 0x01);
    out(r, SCR, 0xA5);
    ck_assert_uint_eq(in(r, SCR), 0xA5);
    out(r, MCR, 0x10);
    out(r, THR, '1');
    out(r, THR, '2');
    ck_assert_uint_eq(in(r, LSR), 0x63);
    rig_free(r);
    r = rig_new_compat("ns8250", 0);
    out(r, SCR, 0xA5);                       /* no scratch register */
    ck_assert_uint_eq(in(r, SCR), 0xFF);
    rig_free(r);
}
END_TEST

static void save_to(struct rig *r, struct state_writer *w)
{
    state_writer_init(w);
    state_begin(w, "ns16550", ns16550_model.state_version);
    ck_assert_int_eq(ns16550_model.save(r->dev, w), 0);
    state_end(w);
    struct orr_error err = { { 0 } };
    ck_assert_msg(state_writer_finish(w, &err) == 0, "%s", err.msg);
}

START_TEST(save_load_round_trip)
{
    struct rig *a = rig_new();
    set_115200_8n1(a);
    out(a, LCR, 0x1B);
    out(a, FCR, 0x81);
    out(a, IER, 0x0D);
    out(a, MCR, 0x0B);
    out(a, SCR, 0x77);
    clock_advance_to(&a->clock, 5000);
    push(a, "saved!");
    uint64_t deadline = clock_next_deadline(&a->clock);
    ck_assert_uint_eq(deadline, 5000 + 381945);   /* 8E1: 11 bits */

    struct state_writer w;
    save_to(a, &w);

    struct rig *b = rig_new();
    clock_advance_to(&b->clock, 5000);
    struct orr_error err = { { 0 } };
    struct state_reader sr;
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "ns16550"), 0);
    ck_assert_msg(ns16550_model.load(b->dev, &sr, &err) == 0, "load: %s", err.msg);
    static const unsigned regs[] = { IER, LCR, MCR, SCR };
    for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
        ck_assert_msg(in(a, regs[i]) == in(b, regs[i]), "register %u", regs[i]);
    ck_assert_uint_eq(clock_next_deadline(&b->clock), deadline);
    ck_assert_uint_eq(b->sink.level, a->sink.level);
    clock_advance_to(&b->clock, deadline);
    ck_assert_uint_eq(in(b, IIR), 0xCC);
    ck_assert(b->sink.level);
    out(b, LCR, 0x9B);
    ck_assert_uint_eq(in(b, DLL), 1);
    out(b, LCR, 0x1B);
    for (const char *p = "saved!"; *p; p++)
        ck_assert_uint_eq(in(b, RBR), (uint8_t)*p);
    ck_assert_uint_eq(in(b, LSR), 0x60);

    /* a truncated section is refused and leaves the device as it was */
    struct rig *c = rig_new();
    ck_assert_int_eq(state_reader_init(&sr, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "ns16550"), 0);
    sr.section_end -= 4;
    ck_assert_int_ne(ns16550_model.load(c->dev, &sr, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "ns16550"));
    ck_assert_uint_eq(in(c, LCR), 0);
    ck_assert_uint_eq(in(c, LSR), 0x60);
    /* a FIFO count beyond 16 is refused */
    uint8_t *copy = malloc(w.len);
    memcpy(copy, w.buf, w.len);
    ck_assert_int_eq(state_reader_init(&sr, copy, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&sr, "ns16550"), 0);
    copy[sr.pos + 10] = 17;   /* after 8 bytes and the u16 divisor */
    ck_assert_int_ne(ns16550_model.load(c->dev, &sr, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "17 entries"));
    ck_assert_uint_eq(in(c, LSR), 0x60);
    free(copy);

    state_writer_free(&w);
    rig_free(a);
    rig_free(b);
    rig_free(c);
}
END_TEST

START_TEST(reset_clears_registers)
{
    struct rig *r = rig_new();
    out(r, FCR, 0x01);
    out(r, IER, 0x03);
    out(r, MCR, 0x08);
    out(r, LCR, 0x83);
    out(r, DLL, 3);
    out(r, LCR, 0x03);
    push(r, "abcdefghijklmnopqrs");
    ck_assert(r->sink.level);
    ns16550_model.reset(r->dev);
    ck_assert(!r->sink.level);
    ck_assert_uint_eq(in(r, IER), 0);
    ck_assert_uint_eq(in(r, IIR), 0x01);
    ck_assert_uint_eq(in(r, LSR), 0x61);    /* RBR takes the next host byte */
    ck_assert_uint_eq(in(r, RBR), 'q');
    ck_assert_uint_eq(in(r, MCR), 0);
    out(r, LCR, 0x80);
    ck_assert_uint_eq(in(r, DLL), 3);       /* the divisor survives MR */
    rig_free(r);
}
END_TEST

START_TEST(create_rejects_bad_nodes)
{
    struct orr_error err = { { 0 } };
    void *dev = NULL;
    struct device_ctx ctx = { .node = -1, .path = "/isa/serial", .nwindows = 0 };
    ck_assert_int_ne(ns16550_model.create(&ctx, &dev, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "/isa/serial"));
    ctx.nwindows = 1;
    ctx.window_size[0] = 4;
    ck_assert_int_ne(ns16550_model.create(&ctx, &dev, &err), 0);
    int node = -1;
    void *fdt = make_fdt("ns16550a", 0, &node);
    uint32_t zero = 0;
    ck_assert_int_eq(fdt_setprop(fdt, node, "clock-frequency", &zero, 4), 0);
    ctx.fdt = fdt;
    ctx.node = node;
    ctx.window_size[0] = 8;
    ck_assert_int_ne(ns16550_model.create(&ctx, &dev, &err), 0);
    free(fdt);
    /* no clock, irq or chardev: still a working device */
    ctx.fdt = NULL;
    ctx.node = -1;
    ck_assert_int_eq(ns16550_model.create(&ctx, &dev, &err), 0);
    ck_assert_int_eq(ns16550_model.write(dev, 0, FCR, 1, 1), BUS_OK);
    ck_assert_int_eq(ns16550_model.write(dev, 0, MCR, 1, 0x10), BUS_OK);
    ck_assert_int_eq(ns16550_model.write(dev, 0, THR, 1, 'x'), BUS_OK);
    uint64_t v = 0;
    ck_assert_int_eq(ns16550_model.read(dev, 0, LSR, 1, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x61);
    ns16550_model.destroy(dev);
}
END_TEST

/* Arbitrary guest and host behaviour: nothing may crash (the sanitized
 * build runs this too) and the line must follow IIR, OUT2 and LOOP. */
START_TEST(random_accesses_stay_coherent)
{
    struct rig *r = rig_new();
    uint32_t x = 0x2468ACE1u;
    uint64_t t = 0;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned op = x & 15;
        unsigned port = (x >> 4) & 7;
        uint64_t v = 0;
        if (op < 6) {
            (void)ns16550_model.read(r->dev, 0, port, 1 + ((x >> 8) & 1), &v);
        } else if (op < 12) {
            (void)ns16550_model.write(r->dev, 0, port, 1, (x >> 9) & 0xFF);
        } else if (op < 14) {
            uint8_t b[2] = { (uint8_t)(x >> 16), (uint8_t)(x >> 24) };
            (void)chardev_push(&r->cd, b, 1 + ((x >> 12) & 1));
        } else if (op == 14) {
            t += (x >> 8) % 500000;
            clock_advance_to(&r->clock, t);
        } else {
            r->out_len = 0;
            if ((x >> 8) % 64 == 0)
                ns16550_model.reset(r->dev);
        }
        /* IIR's THRE clearing would change what we check: look at IIR only
         * when THRE cannot be the answer */
        uint64_t ier = 0, mcr = 0, lcr = 0;
        (void)ns16550_model.read(r->dev, 0, LCR, 1, &lcr);
        if (lcr & 0x80)
            continue;
        (void)ns16550_model.read(r->dev, 0, IER, 1, &ier);
        (void)ns16550_model.read(r->dev, 0, MCR, 1, &mcr);
        if (ier & 0x02)
            continue;
        uint64_t iir = 0;
        (void)ns16550_model.read(r->dev, 0, IIR, 1, &iir);
        bool expect = !(iir & 1) && (mcr & 0x08) && !(mcr & 0x10);
        if (r->sink.level != expect)
            ck_abort_msg("step %d: IIR 0x%02x MCR 0x%02x line %d", i, (unsigned)iir,
                         (unsigned)mcr, r->sink.level);
    }
    rig_free(r);
}
END_TEST

static Suite *ns16550_suite(void)
{
    Suite *s = suite_create("ns16550");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, descriptor);
    tcase_add_test(tc, reset_values);
    tcase_add_test(tc, linux_autoconfig_finds_16550a);
    tcase_add_test(tc, fifo_trigger_levels);
    tcase_add_test(tc, character_timeout_at_exact_time);
    tcase_add_test(tc, timeout_follows_clock_frequency);
    tcase_add_test(tc, thre_interrupt_rules);
    tcase_add_test(tc, interrupt_driven_transmit);
    tcase_add_test(tc, out2_gates_the_interrupt);
    tcase_add_test(tc, loopback_data_and_modem_lines);
    tcase_add_test(tc, overrun_and_break);
    tcase_add_test(tc, divisor_latch);
    tcase_add_test(tc, output_reaches_the_chardev);
    tcase_add_test(tc, variants_16450_and_8250);
    tcase_add_test(tc, save_load_round_trip);
    tcase_add_test(tc, reset_clears_registers);
    tcase_add_test(tc, create_rejects_bad_nodes);
    tcase_add_test(tc, random_accesses_stay_coherent);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(ns16550_suite());
}
