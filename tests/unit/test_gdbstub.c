/* The GDB stub over a real loopback connection to a real machine (the
 * embedded arm-virt board, a Cortex-A15 with its MMU off): packet framing,
 * checksums and acks, escaping and run-length decoding, registers, memory,
 * breakpoints and watchpoints with their stop replies, Ctrl-C, the monitor
 * through qRcmd, detach, and clients that vanish or misbehave. The test
 * plays the run loop of cli_run.c: it runs the machine while the session
 * says so and hands debugging stops to the session. */
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cpu/clock.h"
#include "frontends/debugger.h"
#include "frontends/gdbstub.h"
#include "machine/boards.h"
#include "machine/machine.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

#define CODE 0x40100000u              /* where the tests put their programs */
#define DATA 0x40100100u

struct fixture {
    struct machine *m;
    struct debugger d;
    struct gdbstub *g;
    int port;
    int client;
    char in[70000];                   /* bytes received by the client, not yet consumed */
    size_t in_len;
    char reply[70000];                /* the last reply xfer returned */
};

static struct machine *make_machine(void)
{
    return unit_machine("arm-virt", (struct machine_config){
        .cpu_model = "cortex-a15", .clock_mode = CLOCK_MODE_VIRTUAL, .semihosting = true });
}

/* A port nobody listens on right now. */
static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

static void client_connect(struct fixture *f)
{
    f->client = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(f->client, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)f->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    ck_assert_int_eq(connect(f->client, (struct sockaddr *)&a, sizeof a), 0);
    int one = 1;
    ck_assert_int_eq(setsockopt(f->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one), 0);
    f->in_len = 0;
    gdbstub_service(f->g);             /* accepts it */
}

static void client_close(struct fixture *f)
{
    close(f->client);
    f->client = -1;
    /* The stub sees the end of the stream. */
    for (int i = 0; i < 10; i++)
        gdbstub_service(f->g);
}

static void setup(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->m = make_machine();
    debugger_init(&f->d, f->m);
    f->d.stopped = true;
    f->d.last = (struct dbg_stop){ .kind = DBG_STOP_START };
    struct orr_error err = { { 0 } };
    int rc = -1;
    for (int tries = 0; tries < 20 && rc != 0; tries++) {
        f->port = free_port();
        char spec[32];
        snprintf(spec, sizeof spec, "127.0.0.1:%d", f->port);
        rc = gdbstub_open(&f->g, &f->d, spec, &err);
    }
    ck_assert_msg(rc == 0, "gdbstub_open: %s", err.msg);
    client_connect(f);
}

static void teardown(struct fixture *f)
{
    if (f->client >= 0)
        close(f->client);
    gdbstub_close(f->g);
    debugger_destroy(&f->d);
    machine_destroy(f->m);
}

/* One turn of the run loop: the stub's input, then a slice of the guest
 * when the session lets it run. */
static void turn(struct fixture *f)
{
    gdbstub_service(f->g);
    if (f->d.stopped || f->d.exited)
        return;
    struct machine_run_result res;
    machine_run(f->m, 100000, &res);
    switch (res.reason) {
    case CPU_STOP_BREAKPOINT:
    case CPU_STOP_WATCHPOINT:
        debugger_machine_stopped(&f->d, &res);
        break;
    case CPU_STOP_EXIT: {
        struct dbg_stop stop = { .kind = DBG_STOP_EXITED, .cpu = res.cpu,
                                 .exit_code = res.exit_code };
        debugger_stop(&f->d, &stop, NULL);
        break;
    }
    case CPU_STOP_FATAL:
        ck_abort_msg("guest error: %s", res.message);
        break;
    default:
        break;
    }
}

static void send_bytes(struct fixture *f, const void *data, size_t len)
{
    ck_assert_int_eq(send(f->client, data, len, 0), (ssize_t)len);
}

static void send_packet(struct fixture *f, const char *body, size_t len)
{
    unsigned sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += (uint8_t)body[i];
    char tail[4];
    snprintf(tail, sizeof tail, "#%02x", sum & 0xffu);
    send_bytes(f, "$", 1);
    send_bytes(f, body, len);
    send_bytes(f, tail, 3);
}

/* Runs the loop until the client has n bytes (or fails after 5 s). */
static void wait_bytes(struct fixture *f, size_t n)
{
    for (int i = 0; i < 5000 && f->in_len < n; i++) {
        turn(f);
        struct pollfd p = { .fd = f->client, .events = POLLIN };
        if (poll(&p, 1, 1) == 1) {
            ssize_t got = recv(f->client, f->in + f->in_len, sizeof f->in - f->in_len, 0);
            ck_assert_int_gt(got, 0);
            f->in_len += (size_t)got;
        }
    }
    ck_assert_msg(f->in_len >= n, "no reply from the stub");
}

static void consume(struct fixture *f, size_t n)
{
    memmove(f->in, f->in + n, f->in_len - n);
    f->in_len -= n;
}

/* Expects the ack byte c ('+' or '-'). */
static void expect_ack(struct fixture *f, char c)
{
    wait_bytes(f, 1);
    ck_assert_msg(f->in[0] == c, "expected '%c', got '%c'", c, f->in[0]);
    consume(f, 1);
}

/* The next packet from the stub, checksum verified, acknowledged; its body
 * (still escaped) in out. */
static void read_packet(struct fixture *f, char *out, size_t outlen)
{
    wait_bytes(f, 1);
    ck_assert_msg(f->in[0] == '$', "expected a packet, got '%c'", f->in[0]);
    size_t end = 1;
    for (;;) {
        while (end < f->in_len && f->in[end] != '#')
            end++;
        if (end + 2 < f->in_len)
            break;
        wait_bytes(f, f->in_len + 1);
    }
    unsigned sum = 0;
    for (size_t i = 1; i < end; i++)
        sum += (uint8_t)f->in[i];
    unsigned given = 0;
    ck_assert_int_eq(sscanf(f->in + end + 1, "%2x", &given), 1);
    ck_assert_uint_eq(given, sum & 0xffu);
    size_t len = end - 1;
    ck_assert_uint_lt(len, outlen);
    memcpy(out, f->in + 1, len);
    out[len] = '\0';
    consume(f, end + 3);
    send_bytes(f, "+", 1);
}

/* Sends a packet, expects '+' and returns the reply. */
static char *xfer(struct fixture *f, const char *body)
{
    send_packet(f, body, strlen(body));
    expect_ack(f, '+');
    read_packet(f, f->reply, sizeof f->reply);
    return f->reply;
}

#define XFER_EQ(f, body, want)                                                    \
    do {                                                                          \
        const char *got_ = xfer((f), (body));                                     \
        ck_assert_msg(strcmp(got_, (want)) == 0, "%s: got '%s', want '%s'", (body), \
                      got_, (want));                                              \
    } while (0)

static void hex32(uint32_t v, char out[9])
{
    snprintf(out, 9, "%02x%02x%02x%02x", v & 0xffu, (v >> 8) & 0xffu, (v >> 16) & 0xffu,
             v >> 24);
}

/* Writes ARM instructions at CODE through M and points the PC at them. */
static void load_program(struct fixture *f, const uint32_t *insns, unsigned n)
{
    char buf[512];
    int len = snprintf(buf, sizeof buf, "M%x,%x:", CODE, 4 * n);
    for (unsigned i = 0; i < n; i++) {
        hex32(insns[i], buf + len);
        len += 8;
    }
    XFER_EQ(f, buf, "OK");
    char pc[9];
    hex32(CODE, pc);
    snprintf(buf, sizeof buf, "Pf=%s", pc);
    XFER_EQ(f, buf, "OK");
}

static uint32_t reg(struct fixture *f, unsigned regnum)
{
    char body[16];
    snprintf(body, sizeof body, "p%x", regnum);
    const char *r = xfer(f, body);
    ck_assert_uint_eq(strlen(r), 8);
    unsigned b[4];
    ck_assert_int_eq(sscanf(r, "%2x%2x%2x%2x", &b[0], &b[1], &b[2], &b[3]), 4);
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void set_reg(struct fixture *f, unsigned regnum, uint32_t v)
{
    char body[32], hex[9];
    hex32(v, hex);
    snprintf(body, sizeof body, "P%x=%s", regnum, hex);
    XFER_EQ(f, body, "OK");
}

/* --- the tests -------------------------------------------------------------- */

START_TEST(framing_and_queries)
{
    struct fixture f;
    setup(&f);
    /* A wrong checksum is refused with '-' and not acted upon. */
    send_bytes(&f, "$qC#00", 6);
    expect_ack(&f, '-');
    XFER_EQ(&f, "qC", "QC1");
    /* qSupported lists what the stub does. */
    const char *r = xfer(&f, "qSupported:multiprocess+;swbreak+;hwbreak+");
    ck_assert_msg(strstr(r, "PacketSize=4000") && strstr(r, "qXfer:features:read+") &&
                  strstr(r, "QStartNoAckMode+") && strstr(r, "vContSupported+") &&
                  strstr(r, "swbreak+") && strstr(r, "hwbreak+"), "qSupported: %s", r);
    XFER_EQ(&f, "qAttached", "1");
    XFER_EQ(&f, "qOffsets", "Text=0;Data=0;Bss=0");
    XFER_EQ(&f, "qfThreadInfo", "m1");
    XFER_EQ(&f, "qsThreadInfo", "l");
    XFER_EQ(&f, "Hg1", "OK");
    XFER_EQ(&f, "Hg2", "E02");          /* one CPU: thread 2 does not exist */
    XFER_EQ(&f, "vMustReplyEmpty", "");
    XFER_EQ(&f, "qSomethingNew", "");
    XFER_EQ(&f, "?", "T05thread:1;");
    XFER_EQ(&f, "vCont?", "vCont;c;C;s;S;t");

    /* The target description, read in pieces until 'l'. */
    char xml[16384] = "";
    size_t have = 0;
    for (int i = 0; i < 100; i++) {
        char body[64];
        snprintf(body, sizeof body, "qXfer:features:read:target.xml:%zx,100", have);
        r = xfer(&f, body);
        ck_assert(r[0] == 'm' || r[0] == 'l');
        size_t n = strlen(r + 1);
        ck_assert_uint_le(n, 0x100);
        ck_assert_uint_lt(have + n, sizeof xml);
        memcpy(xml + have, r + 1, n + 1);
        have += n;
        if (r[0] == 'l')
            break;
    }
    ck_assert_msg(strstr(xml, "<architecture>arm</architecture>") &&
                  strstr(xml, "org.gnu.gdb.arm.core") && strstr(xml, "</target>"),
                  "target.xml: %s", xml);
    XFER_EQ(&f, "qXfer:features:read:other.xml:0,100", "E00");

    /* No-ack mode: no more '+' from the stub. */
    XFER_EQ(&f, "QStartNoAckMode", "OK");
    send_packet(&f, "qC", 2);
    char reply[64];
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "QC1");
    teardown(&f);
}
END_TEST

START_TEST(registers)
{
    struct fixture f;
    setup(&f);
    set_reg(&f, 15, CODE);
    set_reg(&f, 3, 0x12345678);
    char g[17 * 8 + 1];
    const char *r = xfer(&f, "g");
    ck_assert_uint_eq(strlen(r), 17 * 8);   /* r0-r15 and cpsr */
    memcpy(g, r, sizeof g);
    ck_assert(strncmp(g + 3 * 8, "78563412", 8) == 0);
    ck_assert(strncmp(g + 15 * 8, "00001040", 8) == 0);
    ck_assert_uint_eq(reg(&f, 3), 0x12345678);
    ck_assert_uint_eq(reg(&f, 25) & 0x1f, 0x13);   /* cpsr: SVC mode after reset */

    /* G writes them all back; r0 changed in the packet. */
    char G[17 * 8 + 2];
    G[0] = 'G';
    memcpy(G + 1, g, 17 * 8 + 1);
    memcpy(G + 1, "efbeadde", 8);
    XFER_EQ(&f, G, "OK");
    ck_assert_uint_eq(reg(&f, 0), 0xdeadbeef);
    ck_assert_uint_eq(reg(&f, 3), 0x12345678);
    XFER_EQ(&f, "G0011", "E01");                   /* too short */

    XFER_EQ(&f, "p99", "E00");                     /* no such register */
    XFER_EQ(&f, "pzz", "E00");
    XFER_EQ(&f, "P99=00000000", "E00");
    XFER_EQ(&f, "P3=0000", "E00");                 /* wrong size */
    XFER_EQ(&f, "P3=zz000000", "E00");
    teardown(&f);
}
END_TEST

START_TEST(memory_escaping_rle)
{
    struct fixture f;
    setup(&f);
    char body[128];
    snprintf(body, sizeof body, "M%x,4:0102a3f4", DATA);
    XFER_EQ(&f, body, "OK");
    snprintf(body, sizeof body, "m%x,4", DATA);
    XFER_EQ(&f, body, "0102a3f4");

    /* X: binary data with the four bytes that must be escaped. */
    const uint8_t raw[] = { '}', '#', '$', '*', 0x00, 0xff };
    char x[64];
    int n = snprintf(x, sizeof x, "X%x,%zx:", DATA, sizeof raw);
    for (size_t i = 0; i < sizeof raw; i++) {
        if (raw[i] == '}' || raw[i] == '#' || raw[i] == '$' || raw[i] == '*') {
            x[n++] = '}';
            x[n++] = (char)(raw[i] ^ 0x20);
        } else {
            x[n++] = (char)raw[i];
        }
    }
    send_packet(&f, x, (size_t)n);
    expect_ack(&f, '+');
    char reply[256];
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "OK");
    uint8_t back[sizeof raw];
    ck_assert_uint_eq(machine_debug_read(f.m, 0, DATA, false, back, sizeof back), sizeof back);
    ck_assert(memcmp(back, raw, sizeof raw) == 0);
    snprintf(body, sizeof body, "m%x,6", DATA);
    XFER_EQ(&f, body, "7d23242a00ff");
    /* A length mismatch in X is refused and writes nothing. */
    snprintf(body, sizeof body, "X%x,4:ab", DATA);
    XFER_EQ(&f, body, "E01");

    /* Run-length encoding: "1*!" is five '1's (33 - 29 = 4 more). */
    snprintf(body, sizeof body, "M%x,4:1*!111", DATA);
    XFER_EQ(&f, body, "OK");
    snprintf(body, sizeof body, "m%x,4", DATA);
    XFER_EQ(&f, body, "11111111");
    snprintf(body, sizeof body, "M%x,4:*!", DATA);   /* nothing to repeat */
    XFER_EQ(&f, body, "E01");

    /* Unreachable memory; malformed requests; a huge length is capped. */
    XFER_EQ(&f, "mf0000000,4", "E14");
    XFER_EQ(&f, "Mf0000000,1:00", "E14");
    XFER_EQ(&f, "m4010", "E01");
    XFER_EQ(&f, "m,4", "E01");
    snprintf(body, sizeof body, "m%x,ffffffffffffffff", DATA);
    const char *big = xfer(&f, body);
    ck_assert_uint_gt(strlen(big), 0);
    ck_assert_uint_le(strlen(big), 0x4000);
    snprintf(body, sizeof body, "M%x,100000:00", DATA);
    XFER_EQ(&f, body, "E01");
    teardown(&f);
}
END_TEST

START_TEST(oversized_and_garbage)
{
    struct fixture f;
    setup(&f);
    /* 100 KB of packet: consumed, answered with an error, nothing overflows. */
    size_t n = 100000;
    char *huge = malloc(n);
    ck_assert_ptr_nonnull(huge);
    memset(huge, 'a', n);
    huge[0] = 'M';
    send_packet(&f, huge, n);
    expect_ack(&f, '+');
    char reply[64];
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "E01");
    /* The same run-length encoded: 100 KB from a short packet. */
    char rle[4000];
    size_t len = 0;
    rle[len++] = 'q';
    while (len + 3 < sizeof rle) {
        rle[len++] = 'a';
        rle[len++] = '*';
        rle[len++] = '~';                           /* 126 - 29 = 97 more */
    }
    send_packet(&f, rle, len);
    expect_ack(&f, '+');
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "E01");
    free(huge);
    /* Noise between packets is ignored; the stub still answers. */
    send_bytes(&f, "xyz+++\x7f", 7);
    XFER_EQ(&f, "qC", "QC1");
    /* A bad checksum digit. */
    send_bytes(&f, "$qC#zz", 6);
    expect_ack(&f, '-');
    XFER_EQ(&f, "qC", "QC1");
    teardown(&f);
}
END_TEST

START_TEST(breakpoint_continue_step)
{
    struct fixture f;
    setup(&f);
    XFER_EQ(&f, "qSupported:swbreak+", "PacketSize=4000;qXfer:features:read+;"
            "QStartNoAckMode+;vContSupported+;swbreak+;hwbreak+");
    static const uint32_t prog[] = {
        0xe3a00001,                     /* mov r0, #1 */
        0xe2800001,                     /* add r0, r0, #1 */
        0xe2800001,                     /* add r0, r0, #1 */
        0xe2800001,                     /* add r0, r0, #1 */
        0xeafffffe,                     /* b . */
    };
    load_program(&f, prog, 5);
    char body[64];
    snprintf(body, sizeof body, "Z0,%x,4", CODE + 8);
    XFER_EQ(&f, body, "OK");
    XFER_EQ(&f, body, "OK");                        /* GDB re-inserts */
    XFER_EQ(&f, "c", "T05thread:1;swbreak:;");
    ck_assert_uint_eq(reg(&f, 15), CODE + 8);
    ck_assert_uint_eq(reg(&f, 0), 2);               /* the breakpoint's instruction not run */

    /* A step off the breakpoint runs it. */
    XFER_EQ(&f, "s", "T05thread:1;");
    ck_assert_uint_eq(reg(&f, 15), CODE + 12);
    ck_assert_uint_eq(reg(&f, 0), 3);
    XFER_EQ(&f, "vCont;s:1", "T05thread:1;");
    ck_assert_uint_eq(reg(&f, 15), CODE + 16);
    XFER_EQ(&f, body + 0, "OK");                    /* Z0 again: still one point */
    body[0] = 'z';
    XFER_EQ(&f, body, "OK");
    XFER_EQ(&f, body, "E01");                       /* not there any more */
    ck_assert(!cpu_is_breakpoint(f.m->cpus[0], CODE + 8));

    /* A hardware breakpoint at the loop, continuing with an address. */
    snprintf(body, sizeof body, "Z1,%x,4", CODE + 16);
    XFER_EQ(&f, body, "OK");
    snprintf(body, sizeof body, "c%x", CODE);
    XFER_EQ(&f, body, "T05thread:1;");            /* hwbreak: not asked for */
    ck_assert_uint_eq(reg(&f, 15), CODE + 16);
    ck_assert_uint_eq(reg(&f, 0), 4);
    XFER_EQ(&f, "Z9,0,4", "");                      /* unknown type: unsupported */
    XFER_EQ(&f, "Z0,zz", "E01");
    teardown(&f);
}
END_TEST

START_TEST(watchpoints)
{
    struct fixture f;
    setup(&f);
    static const uint32_t prog[] = {
        0xe3a00005,                     /* mov r0, #5 */
        0xe5810000,                     /* str r0, [r1] */
        0xe5912000,                     /* ldr r2, [r1] */
        0xe5913004,                     /* ldr r3, [r1, #4] */
        0xeafffffe,                     /* b . */
    };
    load_program(&f, prog, 5);
    set_reg(&f, 1, DATA);
    char body[64];
    snprintf(body, sizeof body, "M%x,8:0700000008000000", DATA);
    XFER_EQ(&f, body, "OK");

    /* Write: stops before the store, with its address; memory unchanged. */
    snprintf(body, sizeof body, "Z2,%x,4", DATA);
    XFER_EQ(&f, body, "OK");
    char want[64];
    snprintf(want, sizeof want, "T05thread:1;watch:%x;", DATA);
    XFER_EQ(&f, "c", want);
    ck_assert_uint_eq(reg(&f, 15), CODE + 4);
    snprintf(body, sizeof body, "m%x,4", DATA);
    XFER_EQ(&f, body, "07000000");
    /* GDB steps over it; the store happens. */
    XFER_EQ(&f, "s", "T05thread:1;");
    ck_assert_uint_eq(reg(&f, 15), CODE + 8);
    XFER_EQ(&f, body, "05000000");
    snprintf(body, sizeof body, "z2,%x,4", DATA);
    XFER_EQ(&f, body, "OK");

    /* Read: the load of DATA+4, not the one of DATA. */
    snprintf(body, sizeof body, "Z3,%x,4", DATA + 4);
    XFER_EQ(&f, body, "OK");
    snprintf(want, sizeof want, "T05thread:1;rwatch:%x;", DATA + 4);
    XFER_EQ(&f, "vCont;c", want);
    ck_assert_uint_eq(reg(&f, 15), CODE + 12);
    ck_assert_uint_eq(reg(&f, 2), 5);
    snprintf(body, sizeof body, "z3,%x,4", DATA + 4);
    XFER_EQ(&f, body, "OK");

    /* Access: the store again, from the start. */
    set_reg(&f, 15, CODE);
    snprintf(body, sizeof body, "Z4,%x,1", DATA + 1);
    XFER_EQ(&f, body, "OK");
    snprintf(want, sizeof want, "T05thread:1;awatch:%x;", DATA);
    XFER_EQ(&f, "c", want);
    ck_assert_uint_eq(reg(&f, 15), CODE + 4);
    teardown(&f);
}
END_TEST

START_TEST(interrupt_and_exit)
{
    struct fixture f;
    setup(&f);
    static const uint32_t prog[] = {
        0xeafffffe,                     /* b . */
        0xef123456,                     /* svc 0x123456: semihosting */
    };
    load_program(&f, prog, 2);
    send_packet(&f, "c", 1);
    expect_ack(&f, '+');
    for (int i = 0; i < 20; i++)
        turn(&f);
    ck_assert(!f.d.stopped);
    ck_assert_uint_eq(f.in_len, 0);                 /* no reply while it runs */
    send_bytes(&f, "\x03", 1);
    char reply[64];
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "T02thread:1;");
    ck_assert(f.d.stopped);
    ck_assert_int_eq(f.d.last.kind, DBG_STOP_INTERRUPT);
    ck_assert_uint_eq(reg(&f, 15), CODE);

    /* SYS_EXIT with ADP_Stopped_ApplicationExit: W00. */
    set_reg(&f, 15, CODE + 4);
    set_reg(&f, 0, 0x18);
    set_reg(&f, 1, 0x20026);
    XFER_EQ(&f, "c", "W00");
    ck_assert(f.d.exited);
    XFER_EQ(&f, "?", "W00");
    XFER_EQ(&f, "s", "W00");
    XFER_EQ(&f, "c", "W00");
    teardown(&f);
}
END_TEST

struct monitor_seen {
    char line[128];
};

static int fake_monitor(void *opaque, const char *line, const struct dbg_output *out)
{
    struct monitor_seen *s = opaque;
    snprintf(s->line, sizeof s->line, "%s", line);
    out->write(out->opaque, "hello\n", 6);
    return strcmp(line, "fail") == 0 ? -1 : 0;
}

START_TEST(monitor_commands)
{
    struct fixture f;
    setup(&f);
    XFER_EQ(&f, "qRcmd,696e666f", "E01");           /* "info": no monitor */
    struct monitor_seen seen = { "" };
    f.d.command = fake_monitor;
    f.d.command_opaque = &seen;
    send_packet(&f, "qRcmd,696e666f", 14);
    expect_ack(&f, '+');
    char reply[64];
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "O68656c6c6f0a");       /* "hello\n" */
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "OK");
    ck_assert_str_eq(seen.line, "info");
    send_packet(&f, "qRcmd,6661696c", 14);          /* "fail" */
    expect_ack(&f, '+');
    read_packet(&f, reply, sizeof reply);
    read_packet(&f, reply, sizeof reply);
    ck_assert_str_eq(reply, "E01");
    XFER_EQ(&f, "qRcmd,6", "E01");                  /* odd length */
    XFER_EQ(&f, "qRcmd,zz", "E01");
    teardown(&f);
}
END_TEST

START_TEST(disconnect_detach_kill)
{
    struct fixture f;
    setup(&f);
    static const uint32_t prog[] = {
        0xe2800001,                     /* add r0, r0, #1 */
        0xeafffffd,                     /* b CODE */
    };
    load_program(&f, prog, 2);
    char body[64];
    snprintf(body, sizeof body, "Z0,%x,4", CODE + 4);
    XFER_EQ(&f, body, "OK");
    snprintf(body, sizeof body, "Z2,%x,4", DATA);
    XFER_EQ(&f, body, "OK");
    /* Gone in the middle of a packet: its points go, the guest stays stopped. */
    send_bytes(&f, "$m4010", 6);
    client_close(&f);
    ck_assert(f.d.stopped);
    ck_assert(!cpu_is_breakpoint(f.m->cpus[0], CODE + 4));
    ck_assert_uint_eq(f.m->cpus[0]->nwatchpoints, 0);

    /* The next client starts clean (the half packet is forgotten). */
    client_connect(&f);
    XFER_EQ(&f, "?", "T05thread:1;");
    ck_assert_uint_eq(reg(&f, 15), CODE);
    snprintf(body, sizeof body, "Z0,%x,4", CODE + 4);
    XFER_EQ(&f, body, "OK");
    XFER_EQ(&f, "c", "T05thread:1;");
    ck_assert_uint_eq(reg(&f, 0), 1);

    /* Detach: the points go and the guest runs on. */
    XFER_EQ(&f, "D", "OK");
    ck_assert(!f.d.stopped);
    ck_assert(!cpu_is_breakpoint(f.m->cpus[0], CODE + 4));
    for (int i = 0; i < 5; i++)
        turn(&f);
    client_close(&f);
    ck_assert(!f.d.stopped);

    /* A client attaching to the running guest stops it; Ctrl-C when stopped
     * is ignored. */
    client_connect(&f);
    const char *r = xfer(&f, "?");
    ck_assert_msg(strncmp(r, "T02thread:1;", 12) == 0, "?: %s", r);
    ck_assert(f.d.stopped);
    ck_assert_uint_gt(reg(&f, 0), 1);
    send_bytes(&f, "\x03", 1);
    XFER_EQ(&f, "qC", "QC1");

    /* A breakpoint the monitor had set survives GDB's z0 and detach. */
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(machine_break_insert(f.m, CODE + 4, &err), 0);
    snprintf(body, sizeof body, "Z0,%x,4", CODE + 4);
    XFER_EQ(&f, body, "OK");
    snprintf(body, sizeof body, "Z0,%x,4", CODE);
    XFER_EQ(&f, body, "OK");
    snprintf(body, sizeof body, "z0,%x,4", CODE + 4);
    XFER_EQ(&f, body, "OK");
    ck_assert(cpu_is_breakpoint(f.m->cpus[0], CODE + 4));
    snprintf(body, sizeof body, "Z0,%x,4", CODE + 4);
    XFER_EQ(&f, body, "OK");
    XFER_EQ(&f, "D", "OK");
    ck_assert(cpu_is_breakpoint(f.m->cpus[0], CODE + 4));
    ck_assert(!cpu_is_breakpoint(f.m->cpus[0], CODE));
    for (int i = 0; i < 5 && !f.d.stopped; i++)
        turn(&f);
    ck_assert(f.d.stopped);                         /* at the monitor's breakpoint */
    ck_assert_uint_eq(reg(&f, 15), CODE + 4);

    /* k ends the session. */
    send_packet(&f, "k", 1);
    expect_ack(&f, '+');
    ck_assert(f.d.quit);
    teardown(&f);
}
END_TEST

/* xorshift64: a reproducible stream for the hostile client. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* Reads whatever the stub sent, without waiting; how many bytes. */
static size_t drain(struct fixture *f)
{
    char buf[65536];
    size_t total = 0;
    ssize_t n;
    while ((n = recv(f->client, buf, sizeof buf, MSG_DONTWAIT)) > 0)
        total += (size_t)n;
    return total;
}

START_TEST(hostile_client)
{
    /* Thousands of packets built from the protocol's own characters, half
     * of them with a correct checksum (so they are acted upon: memory
     * writes, steps from random addresses, points, continues), some far
     * over PacketSize, some cut short, plus bare noise. The stub must
     * survive (the sanitizers watch the buffers) and serve the next
     * client. The guest is not run between packets. */
    static const char alphabet[] = "$#}*0123456789abcdefABCDEF,:;=-+mMXgGpPZzqQHcCsSvDT?\x03";
    struct fixture f;
    setup(&f);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    size_t answered = 0;
    char *body = malloc(20000);
    ck_assert_ptr_nonnull(body);
    for (int i = 0; i < 3000; i++) {
        uint64_t r = next_random(&rng);
        size_t len = r % 16 == 0 ? 5000 + r % 15000 : r % 64;
        for (size_t k = 0; k < len; k++)
            body[k] = alphabet[next_random(&rng) % (sizeof alphabet - 1)];
        if ((r >> 12) % 2) {
            send_packet(&f, body, len);
        } else {
            send_bytes(&f, body, len);              /* noise, half packets */
        }
        gdbstub_service(f.g);
        answered += drain(&f);
        f.d.quit = false;                           /* a random 'k' ends nothing here */
    }
    free(body);
    ck_assert_uint_gt(answered, 10000);             /* it was talking all along */
    ck_assert_uint_lt(f.d.cpu, f.m->ncpus);
    client_close(&f);
    client_connect(&f);
    send_bytes(&f, "#00", 3);                       /* whatever state it was in */
    XFER_EQ(&f, "qC", "QC1");
    teardown(&f);
}
END_TEST

START_TEST(open_errors)
{
    struct machine *m = make_machine();
    struct debugger d;
    debugger_init(&d, m);
    struct gdbstub *g = NULL;
    struct orr_error err = { { 0 } };
    static const char *const bad[] = { "", "0", "70000", "abc", "10.0.0.1:1234", "1234x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        ck_assert_msg(gdbstub_open(&g, &d, bad[i], &err) == -1, "accepted '%s'", bad[i]);
        ck_assert_msg(err.msg[0] != '\0', "no message for '%s'", bad[i]);
    }
    ck_assert_uint_eq(d.nlisteners, 0);
    debugger_destroy(&d);
    machine_destroy(m);
}
END_TEST

static Suite *gdbstub_suite(void)
{
    Suite *s = suite_create("gdbstub");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, framing_and_queries);
    tcase_add_test(tc, registers);
    tcase_add_test(tc, memory_escaping_rle);
    tcase_add_test(tc, oversized_and_garbage);
    tcase_add_test(tc, breakpoint_continue_step);
    tcase_add_test(tc, watchpoints);
    tcase_add_test(tc, interrupt_and_exit);
    tcase_add_test(tc, monitor_commands);
    tcase_add_test(tc, disconnect_detach_kill);
    tcase_add_test(tc, hostile_client);
    tcase_add_test(tc, open_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(gdbstub_suite());
}
