/* The GDB remote serial protocol stub (gdbstub.h). References: the GDB
 * manual, appendix E "GDB Remote Serial Protocol" (packets, stop replies,
 * qXfer:features:read, vCont, Z packets) and appendix G "Target
 * Descriptions".
 *
 * Input is parsed incrementally from whatever the socket delivers, so a
 * slow or vanished client never blocks the emulator; a packet longer than
 * PacketSize is consumed and answered with an error. Breakpoints and
 * watchpoints a client inserts are remembered so that detaching or
 * disconnecting removes them and lets the guest run on. */
#include "frontends/gdbstub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontends/netsock.h"

#define GDB_PACKET_SIZE 0x4000           /* advertised PacketSize */
#define GDB_MAX_POINTS 64
#define GDB_SEND_TIMEOUT_MS 5000

enum rx_state { RX_IDLE, RX_DATA, RX_ESCAPE, RX_REPEAT, RX_CSUM1, RX_CSUM2 };

struct gdb_point {
    unsigned type;                       /* Z type: 0/1 breakpoint, 2/3/4 watchpoint */
    uint64_t addr, len;
    bool owned;                          /* inserted by this client (not found there) */
};

struct gdbstub {
    struct debugger *d;
    struct netsock_server srv;
    enum rx_state rx;
    uint8_t pkt[GDB_PACKET_SIZE + 1];
    size_t len;
    bool overflow;                       /* longer than PacketSize */
    bool malformed;                      /* a run-length count that is not one */
    uint8_t sum;                         /* checksum of the bytes as sent */
    unsigned given;                      /* the checksum the client sent */
    bool no_ack;
    bool swbreak, hwbreak;               /* the client takes swbreak:/hwbreak: in stop replies */
    bool waiting;                        /* the client continued: a stop reply is owed */
    struct gdb_point points[GDB_MAX_POINTS];
    unsigned npoints;
    char *last;                          /* the last packet sent, for a '-' */
    size_t last_len;
};

/* ---- sending ---------------------------------------------------------------- */

static void drop_client(struct gdbstub *g);

static void send_raw(struct gdbstub *g, const char *data, size_t len)
{
    if (g->srv.fd >= 0 && netsock_send_all(g->srv.fd, data, len, GDB_SEND_TIMEOUT_MS) != 0)
        drop_client(g);
}

static void send_packet_bin(struct gdbstub *g, const uint8_t *data, size_t len)
{
    if (g->srv.fd < 0)
        return;
    char *buf = malloc(2 * len + 5);
    if (!buf) {
        drop_client(g);
        return;
    }
    size_t n = 0;
    uint8_t sum = 0;
    buf[n++] = '$';
    for (size_t i = 0; i < len; i++) {
        uint8_t c = data[i];
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            buf[n++] = '}';
            sum = (uint8_t)(sum + '}');
            c ^= 0x20;
        }
        buf[n++] = (char)c;
        sum = (uint8_t)(sum + c);
    }
    n += (size_t)snprintf(buf + n, 4, "#%02x", sum);
    free(g->last);
    g->last = buf;
    g->last_len = n;
    send_raw(g, buf, n);
}

static void send_packet(struct gdbstub *g, const char *text)
{
    send_packet_bin(g, (const uint8_t *)text, strlen(text));
}

static const char hexdig[] = "0123456789abcdef";

static void to_hex(const uint8_t *in, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hexdig[in[i] >> 4];
        out[2 * i + 1] = hexdig[in[i] & 15];
    }
    out[2 * len] = '\0';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes 2*len hex digits; -1 if any is not one. */
static int from_hex(const char *in, uint8_t *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hexval(in[2 * i]), lo = hi < 0 ? -1 : hexval(in[2 * i + 1]);
        if (lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

/* A hex number; *end after it. -1 when there is none. */
static int parse_hex(const char *s, uint64_t *v, const char **end)
{
    uint64_t n = 0;
    const char *p = s;
    while (hexval(*p) >= 0) {
        if (n >> 60)
            return -1;
        n = n << 4 | (uint64_t)hexval(*p++);
    }
    if (p == s)
        return -1;
    *v = n;
    *end = p;
    return 0;
}

/* ---- stop replies ---------------------------------------------------------- */

static unsigned thread_of(unsigned cpu)
{
    return cpu + 1;
}

/* The Z type (0 software, 1 hardware) of this client's breakpoint at pc;
 * 2 when it set none there (the monitor's). */
static unsigned point_type_at(const struct gdbstub *g, uint64_t pc)
{
    for (unsigned i = 0; i < g->npoints; i++)
        if (g->points[i].type <= 1 && g->points[i].addr == pc)
            return g->points[i].type;
    return 2;
}

static void stop_reply(struct gdbstub *g, const struct dbg_stop *stop)
{
    char buf[128];
    switch (stop->kind) {
    case DBG_STOP_EXITED:
        snprintf(buf, sizeof buf, "W%02x", (unsigned)stop->exit_code & 0xffu);
        break;
    case DBG_STOP_ERROR:
        snprintf(buf, sizeof buf, "X06");           /* SIGABRT: the CPU cannot go on */
        break;
    case DBG_STOP_WATCHPOINT: {
        const char *kind = stop->watch_kind == CPU_WATCH_ACCESS ? "awatch"
                         : stop->watch_kind == CPU_WATCH_READ ? "rwatch" : "watch";
        snprintf(buf, sizeof buf, "T05thread:%x;%s:%llx;", thread_of(stop->cpu), kind,
                 (unsigned long long)stop->watch.addr);
        break;
    }
    case DBG_STOP_INTERRUPT:
        snprintf(buf, sizeof buf, "T02thread:%x;", thread_of(stop->cpu));
        break;
    case DBG_STOP_BREAKPOINT: {
        /* swbreak:/hwbreak: only to a client that asked for them (E.3). */
        unsigned type = point_type_at(g, stop->pc);
        const char *why = type == 0 && g->swbreak ? "swbreak:;"
                        : type == 1 && g->hwbreak ? "hwbreak:;" : "";
        snprintf(buf, sizeof buf, "T05thread:%x;%s", thread_of(stop->cpu), why);
        break;
    }
    default:
        snprintf(buf, sizeof buf, "T05thread:%x;", thread_of(stop->cpu));
        break;
    }
    if (stop->history_begin && buf[0] == 'T')
        strcat(buf, "replaylog:begin;");
    send_packet(g, buf);
}

static void on_stop(void *opaque, const struct dbg_stop *stop)
{
    struct gdbstub *g = opaque;
    if (g->srv.fd >= 0 && g->waiting) {
        g->waiting = false;
        stop_reply(g, stop);
    }
}

/* ---- breakpoints and watchpoints ------------------------------------------- */

static unsigned watch_kind_of(uint64_t type)
{
    return type == 2 ? CPU_WATCH_WRITE : type == 3 ? CPU_WATCH_READ : CPU_WATCH_ACCESS;
}

/* Whether the machine already has this point (another debugger's). */
static bool point_present(struct gdbstub *g, uint64_t type, uint64_t addr, uint64_t len)
{
    const struct cpu *cpu = g->d->m->cpus[0];
    if (type <= 1)
        return cpu_is_breakpoint(cpu, addr);
    for (unsigned i = 0; i < cpu->nwatchpoints; i++) {
        const struct cpu_watchpoint *w = &cpu->watchpoints[i];
        if (w->addr == addr && w->len == len && w->kind == watch_kind_of(type))
            return true;
    }
    return false;
}

/* Removes the points this client inserted; those it found there stay. */
static void forget_points(struct gdbstub *g)
{
    struct machine *m = g->d->m;
    for (unsigned i = 0; i < g->npoints; i++) {
        const struct gdb_point *p = &g->points[i];
        if (!p->owned)
            continue;
        if (p->type <= 1)
            machine_break_remove(m, p->addr);
        else
            machine_watch_remove(m, p->addr, p->len, watch_kind_of(p->type));
    }
    g->npoints = 0;
}

static void handle_z(struct gdbstub *g, const char *p, bool insert)
{
    uint64_t type, addr, len;
    const char *e;
    if (parse_hex(p + 1, &type, &e) || *e != ',' || parse_hex(e + 1, &addr, &e) ||
        *e != ',' || parse_hex(e + 1, &len, &e)) {
        send_packet(g, "E01");
        return;
    }
    if (type > 4) {
        send_packet(g, "");                         /* not supported: empty */
        return;
    }
    struct machine *m = g->d->m;
    unsigned kind = watch_kind_of(type);
    if (!insert) {
        /* A point another debugger had set before stays in the machine. */
        for (unsigned i = 0; i < g->npoints; i++)
            if (g->points[i].type == type && g->points[i].addr == addr &&
                (type <= 1 || g->points[i].len == len)) {
                bool owned = g->points[i].owned;
                g->points[i] = g->points[--g->npoints];
                if (!owned) {
                    send_packet(g, "OK");
                    return;
                }
                break;
            }
        int rc = type <= 1 ? machine_break_remove(m, addr)
                           : machine_watch_remove(m, addr, len, kind);
        send_packet(g, rc == 0 ? "OK" : "E01");
        return;
    }
    for (unsigned i = 0; i < g->npoints; i++)
        if (g->points[i].type == type && g->points[i].addr == addr &&
            (type <= 1 || g->points[i].len == len)) {
            send_packet(g, "OK");                   /* GDB re-inserts: already there */
            return;
        }
    if (g->npoints >= GDB_MAX_POINTS) {
        send_packet(g, "E02");
        return;
    }
    bool owned = !point_present(g, type, addr, len);
    struct orr_error err = { { 0 } };
    int rc = type <= 1 ? machine_break_insert(m, addr, &err)
                       : machine_watch_insert(m, addr, len, kind, &err);
    if (rc) {
        send_packet(g, "E02");
        return;
    }
    g->points[g->npoints++] = (struct gdb_point){ (unsigned)type, addr, len, owned };
    send_packet(g, "OK");
}

/* ---- registers ----------------------------------------------------------------- */

static struct cpu *sel_cpu(struct gdbstub *g)
{
    return g->d->m->cpus[g->d->cpu];
}

#define GDB_EXTRA_MAX 16     /* bytes of the widest extra register served */

static unsigned reg_bytes(const struct cpu *cpu, unsigned index)
{
    return (cpu->regs[index].bits + 7u) / 8u;
}

static void put_reg(struct cpu *cpu, unsigned index, char *out)
{
    uint64_t v = cpu->ops->reg_get(cpu, index);
    uint8_t b[8];
    unsigned n = reg_bytes(cpu, index);
    for (unsigned i = 0; i < n && i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    to_hex(b, n, out);
}

static int get_reg_value(const char *hex, unsigned n, uint64_t *v)
{
    uint8_t b[8];
    if (n > 8 || from_hex(hex, b, n))
        return -1;
    uint64_t x = 0;
    for (unsigned i = n; i-- > 0;)
        x = x << 8 | b[i];
    *v = x;
    return 0;
}

static void handle_g(struct gdbstub *g)
{
    struct cpu *cpu = sel_cpu(g);
    const struct cpu_gdb_target *t = cpu->ops->gdb_target(cpu);
    char buf[1024];
    size_t n = 0;
    for (unsigned i = 0; i < t->nregs && n + 17 < sizeof buf; i++) {
        put_reg(cpu, t->reg_index[i], buf + n);
        n += 2 * reg_bytes(cpu, t->reg_index[i]);
    }
    for (unsigned k = 0; k < t->nextra && n + 2 * GDB_EXTRA_MAX + 1 < sizeof buf; k++) {
        uint8_t b[GDB_EXTRA_MAX];
        unsigned len = t->extra_bytes[k] < GDB_EXTRA_MAX ? t->extra_bytes[k] : GDB_EXTRA_MAX;
        t->extra_get(cpu, k, b);
        to_hex(b, len, buf + n);
        n += 2 * len;
    }
    buf[n] = '\0';
    send_packet(g, buf);
}

/* The extra register with GDB number regnum (cpu_gdb_target), or -1. */
static int gdb_extra(const struct cpu_gdb_target *t, uint64_t regnum)
{
    for (unsigned k = 0; k < t->nextra; k++)
        if (t->extra_regnum[k] == regnum && t->extra_bytes[k] <= GDB_EXTRA_MAX)
            return (int)k;
    return -1;
}

static void handle_G(struct gdbstub *g, const char *hex)
{
    struct cpu *cpu = sel_cpu(g);
    const struct cpu_gdb_target *t = cpu->ops->gdb_target(cpu);
    size_t need = 0;
    for (unsigned i = 0; i < t->nregs; i++)
        need += 2 * reg_bytes(cpu, t->reg_index[i]);
    if (strlen(hex) < need) {
        send_packet(g, "E01");
        return;
    }
    uint64_t values[64];
    size_t off = 0;
    for (unsigned i = 0; i < t->nregs && i < 64; i++) {
        unsigned n = reg_bytes(cpu, t->reg_index[i]);
        if (get_reg_value(hex + off, n, &values[i])) {
            send_packet(g, "E01");
            return;
        }
        off += 2 * n;
    }
    debugger_modified(g->d);
    for (unsigned i = 0; i < t->nregs && i < 64; i++)
        if (cpu->ops->reg_set(cpu, t->reg_index[i], values[i]) != 0) {
            send_packet(g, "E01");
            return;
        }
    /* The extra registers, when the packet carries them. */
    for (unsigned k = 0; k < t->nextra && t->extra_bytes[k] <= GDB_EXTRA_MAX; k++) {
        uint8_t b[GDB_EXTRA_MAX];
        if (strlen(hex + off) < 2u * t->extra_bytes[k])
            break;
        if (from_hex(hex + off, b, t->extra_bytes[k]) || t->extra_set(cpu, k, b) != 0) {
            send_packet(g, "E01");
            return;
        }
        off += 2u * t->extra_bytes[k];
    }
    send_packet(g, "OK");
}

static int gdb_reg_index(const struct cpu_gdb_target *t, uint64_t regnum)
{
    for (unsigned i = 0; i < t->nregs; i++)
        if (t->regnum[i] == regnum)
            return t->reg_index[i];
    return -1;
}

static void handle_p(struct gdbstub *g, const char *p)
{
    struct cpu *cpu = sel_cpu(g);
    uint64_t regnum;
    const char *e;
    int index;
    const struct cpu_gdb_target *t = cpu->ops->gdb_target(cpu);
    if (parse_hex(p, &regnum, &e) || *e) {
        send_packet(g, "E00");
        return;
    }
    char buf[2 * GDB_EXTRA_MAX + 1];
    int k = gdb_extra(t, regnum);
    if (k >= 0) {
        uint8_t b[GDB_EXTRA_MAX];
        t->extra_get(cpu, (unsigned)k, b);
        to_hex(b, t->extra_bytes[k], buf);
        send_packet(g, buf);
        return;
    }
    if ((index = gdb_reg_index(t, regnum)) < 0) {
        send_packet(g, "E00");
        return;
    }
    put_reg(cpu, (unsigned)index, buf);
    send_packet(g, buf);
}

static void handle_P(struct gdbstub *g, const char *p)
{
    struct cpu *cpu = sel_cpu(g);
    uint64_t regnum, v;
    const char *e;
    int index;
    const struct cpu_gdb_target *t = cpu->ops->gdb_target(cpu);
    int k;
    if (parse_hex(p, &regnum, &e) == 0 && *e == '=' && (k = gdb_extra(t, regnum)) >= 0) {
        uint8_t b[GDB_EXTRA_MAX];
        if (strlen(e + 1) != 2u * t->extra_bytes[k] || from_hex(e + 1, b, t->extra_bytes[k])) {
            send_packet(g, "E00");
            return;
        }
        debugger_modified(g->d);
        send_packet(g, t->extra_set(cpu, (unsigned)k, b) == 0 ? "OK" : "E00");
        return;
    }
    if (parse_hex(p, &regnum, &e) || *e != '=' ||
        (index = gdb_reg_index(t, regnum)) < 0 ||
        strlen(e + 1) != 2 * reg_bytes(cpu, (unsigned)index) ||
        get_reg_value(e + 1, reg_bytes(cpu, (unsigned)index), &v)) {
        send_packet(g, "E00");
        return;
    }
    debugger_modified(g->d);
    send_packet(g, cpu->ops->reg_set(cpu, (unsigned)index, v) == 0 ? "OK" : "E00");
}

/* ---- memory ----------------------------------------------------------------------- */

static void handle_m(struct gdbstub *g, const char *p)
{
    uint64_t addr, len;
    const char *e;
    if (parse_hex(p, &addr, &e) || *e != ',' || parse_hex(e + 1, &len, &e) || *e) {
        send_packet(g, "E01");
        return;
    }
    if (len > (GDB_PACKET_SIZE - 4) / 2)
        len = (GDB_PACKET_SIZE - 4) / 2;
    uint8_t data[GDB_PACKET_SIZE / 2];
    size_t got = machine_debug_read(g->d->m, g->d->cpu, addr, false, data, (size_t)len);
    if (got == 0 && len > 0) {
        send_packet(g, "E14");                      /* EFAULT */
        return;
    }
    char hex[GDB_PACKET_SIZE + 1];
    to_hex(data, got, hex);
    send_packet(g, hex);
}

/* M addr,len:hex and X addr,len:binary (already unescaped). */
static void handle_write(struct gdbstub *g, const uint8_t *pkt, size_t pkt_len, bool binary)
{
    uint64_t addr, len;
    const char *e;
    const char *p = (const char *)pkt + 1;
    if (parse_hex(p, &addr, &e) || *e != ',' || parse_hex(e + 1, &len, &e) || *e != ':') {
        send_packet(g, "E01");
        return;
    }
    size_t data_off = (size_t)(e + 1 - (const char *)pkt);
    size_t avail = pkt_len - data_off;
    uint8_t buf[GDB_PACKET_SIZE];
    if (len > sizeof buf || (binary ? avail != len : avail != 2 * len)) {
        send_packet(g, "E01");
        return;
    }
    if (binary)
        memcpy(buf, pkt + data_off, (size_t)len);
    else if (from_hex((const char *)pkt + data_off, buf, (size_t)len)) {
        send_packet(g, "E01");
        return;
    }
    if (len)
        debugger_modified(g->d);
    if (len && machine_debug_write(g->d->m, g->d->cpu, addr, false, buf, (size_t)len) != len) {
        send_packet(g, "E14");
        return;
    }
    send_packet(g, "OK");
}

/* ---- run control ----------------------------------------------------------------- */

static bool set_pc(struct gdbstub *g, const char *arg)
{
    if (!*arg)
        return true;
    uint64_t addr;
    const char *e;
    if (parse_hex(arg, &addr, &e))
        return false;
    struct cpu *cpu = sel_cpu(g);
    int pc = cpu_reg_index_with_flag(cpu, CPU_REG_PC);
    debugger_modified(g->d);
    return pc >= 0 && cpu->ops->reg_set(cpu, (unsigned)pc, addr) == 0;
}

static void do_step(struct gdbstub *g)
{
    struct dbg_stop stop;
    if (debugger_step(g->d, NULL, &stop) != 0) {
        stop_reply(g, &g->d->last);
        return;
    }
    stop_reply(g, &stop);
}

static void do_continue(struct gdbstub *g)
{
    if (g->d->exited) {
        stop_reply(g, &g->d->last);
        return;
    }
    g->waiting = true;
    debugger_continue(g->d);
    /* Stepping off the stop may itself have stopped the guest. */
    if (g->d->stopped && g->waiting) {
        g->waiting = false;
        stop_reply(g, &g->d->last);
    }
}

/* A thread id of a vCont action or H packet: -1 all, 0 any, else a CPU. */
static int parse_thread(struct gdbstub *g, const char *s, int *cpu)
{
    if (strcmp(s, "-1") == 0 || strcmp(s, "0") == 0 || !*s) {
        *cpu = -1;
        return 0;
    }
    uint64_t t;
    const char *e;
    if (parse_hex(s, &t, &e) || *e || t == 0 || t > g->d->m->ncpus)
        return -1;
    *cpu = (int)t - 1;
    return 0;
}

static void handle_vcont(struct gdbstub *g, const char *p)
{
    /* vCont;ACTION[:THREAD][;ACTION[:THREAD]]...: in all-stop, the first
     * action that names a thread (or none) decides. */
    char buf[256];
    snprintf(buf, sizeof buf, "%s", p);
    char *save;
    for (char *a = strtok_r(buf, ";", &save); a; a = strtok_r(NULL, ";", &save)) {
        char *colon = strchr(a, ':');
        int cpu = -1;
        if (colon) {
            *colon = '\0';
            if (parse_thread(g, colon + 1, &cpu)) {
                send_packet(g, "E01");
                return;
            }
        }
        if (cpu >= 0)
            g->d->cpu = (unsigned)cpu;
        switch (a[0]) {
        case 's':
        case 'S':
            do_step(g);
            return;
        case 'c':
        case 'C':
            do_continue(g);
            return;
        case 't':
            send_packet(g, "OK");
            return;
        default:
            send_packet(g, "E01");
            return;
        }
    }
    send_packet(g, "E01");
}

/* ---- queries -------------------------------------------------------------------- */

static void handle_xfer_features(struct gdbstub *g, const char *p)
{
    /* qXfer:features:read:ANNEX:OFFSET,LENGTH */
    const char *annex = p + strlen("qXfer:features:read:");
    const char *colon = strchr(annex, ':');
    uint64_t off, len;
    const char *e;
    if (!colon || (size_t)(colon - annex) != strlen("target.xml") ||
        strncmp(annex, "target.xml", 10) != 0) {
        send_packet(g, "E00");
        return;
    }
    if (parse_hex(colon + 1, &off, &e) || *e != ',' || parse_hex(e + 1, &len, &e) || *e) {
        send_packet(g, "E01");
        return;
    }
    struct cpu *cpu = sel_cpu(g);
    const struct cpu_gdb_target *t = cpu->ops->gdb_target(cpu);
    char xml[8192];
    int n = snprintf(xml, sizeof xml,
                     "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
                     "<target version=\"1.0\"><architecture>%s</architecture>%s</target>",
                     t->arch, t->feature_xml);
    if (n < 0 || (size_t)n >= sizeof xml) {
        send_packet(g, "E01");
        return;
    }
    if (len > GDB_PACKET_SIZE - 8)
        len = GDB_PACKET_SIZE - 8;
    if (off >= (uint64_t)n) {
        send_packet(g, "l");
        return;
    }
    size_t chunk = (size_t)((uint64_t)n - off < len ? (uint64_t)n - off : len);
    uint8_t out[GDB_PACKET_SIZE];
    out[0] = off + chunk < (uint64_t)n ? 'm' : 'l';
    memcpy(out + 1, xml + off, chunk);
    send_packet_bin(g, out, chunk + 1);
}

struct rcmd_out {
    struct gdbstub *g;
};

static void rcmd_write(void *opaque, const char *text, size_t len)
{
    struct rcmd_out *o = opaque;
    while (len > 0) {
        size_t chunk = len < 1000 ? len : 1000;
        char buf[2 * 1000 + 2];
        buf[0] = 'O';
        to_hex((const uint8_t *)text, chunk, buf + 1);
        send_packet(o->g, buf);
        text += chunk;
        len -= chunk;
    }
}

static void handle_rcmd(struct gdbstub *g, const char *hex)
{
    size_t n = strlen(hex) / 2;
    char line[1024];
    if (strlen(hex) % 2 || n >= sizeof line || from_hex(hex, (uint8_t *)line, n)) {
        send_packet(g, "E01");
        return;
    }
    line[n] = '\0';
    if (!g->d->command) {
        send_packet(g, "E01");
        return;
    }
    struct rcmd_out o = { g };
    struct dbg_output out = { rcmd_write, &o };
    bool was_stopped = g->d->stopped;
    int rc = g->d->command(g->d->command_opaque, line, &out);
    if (g->srv.fd < 0)
        return;
    /* GDB waits for OK while the target is stopped; a monitor command
     * that resumed the guest is refused (the session would disagree). */
    if (was_stopped && !g->d->stopped) {
        struct dbg_stop stop = { .kind = DBG_STOP_INTERRUPT, .cpu = g->d->cpu,
                                 .pc = debugger_pc(g->d, g->d->cpu) };
        debugger_stop(g->d, &stop, g);
        rcmd_write(&o, "(the guest stays stopped while GDB is attached; use GDB's continue)\n",
                   69);
    }
    send_packet(g, rc == 0 ? "OK" : "E01");
}

/* Whether qSupported:F1;F2... lists feature (exactly). */
static bool feature_offered(const char *p, const char *feature)
{
    size_t n = strlen(feature);
    for (const char *f = strchr(p, ':'); f; f = strchr(f, ';')) {
        f++;
        if (strncmp(f, feature, n) == 0 && (f[n] == ';' || f[n] == '\0'))
            return true;
    }
    return false;
}

static void handle_query(struct gdbstub *g, const char *p)
{
    char buf[256];
    if (strncmp(p, "qSupported", 10) == 0) {
        g->swbreak = feature_offered(p, "swbreak+");
        g->hwbreak = feature_offered(p, "hwbreak+");
        snprintf(buf, sizeof buf, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;"
                 "vContSupported+;swbreak+;hwbreak+%s", GDB_PACKET_SIZE,
                 g->d->history.reverse ? ";ReverseStep+;ReverseContinue+" : "");
        send_packet(g, buf);
    } else if (strncmp(p, "qXfer:features:read:", 20) == 0) {
        handle_xfer_features(g, p);
    } else if (strcmp(p, "qAttached") == 0 || strncmp(p, "qAttached:", 10) == 0) {
        send_packet(g, "1");
    } else if (strcmp(p, "qOffsets") == 0) {
        send_packet(g, "Text=0;Data=0;Bss=0");
    } else if (strcmp(p, "qC") == 0) {
        snprintf(buf, sizeof buf, "QC%x", thread_of(g->d->cpu));
        send_packet(g, buf);
    } else if (strcmp(p, "qfThreadInfo") == 0) {
        size_t n = 0;
        buf[n++] = 'm';
        for (unsigned i = 0; i < g->d->m->ncpus && n < sizeof buf - 12; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%x", i ? "," : "", thread_of(i));
        send_packet(g, buf);
    } else if (strcmp(p, "qsThreadInfo") == 0) {
        send_packet(g, "l");
    } else if (strncmp(p, "qThreadExtraInfo,", 17) == 0) {
        uint64_t t;
        const char *e;
        if (parse_hex(p + 17, &t, &e) || t == 0 || t > g->d->m->ncpus) {
            send_packet(g, "E01");
            return;
        }
        char text[64], hex[130];
        snprintf(text, sizeof text, "cpu%u (%s)", (unsigned)(t - 1),
                 g->d->m->cpus[t - 1]->model->name);
        to_hex((const uint8_t *)text, strlen(text), hex);
        send_packet(g, hex);
    } else if (strcmp(p, "qSymbol::") == 0) {
        send_packet(g, "OK");
    } else if (strncmp(p, "qRcmd,", 6) == 0) {
        handle_rcmd(g, p + 6);
    } else {
        send_packet(g, "");
    }
}

/* ---- one packet ------------------------------------------------------------------ */

static void handle_packet(struct gdbstub *g, uint8_t *pkt, size_t len)
{
    pkt[len] = '\0';
    const char *p = (const char *)pkt;
    if (len == 0) {
        send_packet(g, "");
        return;
    }
    switch (p[0]) {
    case '?':
        if (g->d->stopped || g->d->exited) {
            stop_reply(g, &g->d->last);
        } else {
            /* GDB attaching to a running guest expects it to stop. */
            struct dbg_stop stop = { .kind = DBG_STOP_INTERRUPT, .cpu = g->d->cpu,
                                     .pc = debugger_pc(g->d, g->d->cpu) };
            debugger_stop(g->d, &stop, g);
            stop_reply(g, &stop);
        }
        return;
    case 'g':
        handle_g(g);
        return;
    case 'G':
        handle_G(g, p + 1);
        return;
    case 'p':
        handle_p(g, p + 1);
        return;
    case 'P':
        handle_P(g, p + 1);
        return;
    case 'm':
        handle_m(g, p + 1);
        return;
    case 'M':
        handle_write(g, pkt, len, false);
        return;
    case 'X':
        handle_write(g, pkt, len, true);
        return;
    case 'c':
    case 's':
        if (!set_pc(g, p + 1)) {
            send_packet(g, "E01");
            return;
        }
        if (p[0] == 's')
            do_step(g);
        else
            do_continue(g);
        return;
    case 'C':
    case 'S': {
        const char *semi = strchr(p, ';');   /* the signal is ignored */
        if (semi && !set_pc(g, semi + 1)) {
            send_packet(g, "E01");
            return;
        }
        if (p[0] == 'S')
            do_step(g);
        else
            do_continue(g);
        return;
    }
    case 'b':
        /* bs / bc: backward step and continue (E.1), through the history. */
        if (strcmp(p, "bs") == 0 || strcmp(p, "bc") == 0) {
            struct dbg_stop stop;
            char msg[300];
            if (debugger_reverse(g->d, p[1] == 'c', 1, &stop, msg, sizeof msg) != 0) {
                send_packet(g, "E01");
                return;
            }
            if (stop.kind == DBG_STOP_WATCHPOINT) {
                /* Our watchpoints stop before the access; GDB then steps
                 * over the instruction in the direction of travel. Going
                 * backwards that direction is back, so report the hit from
                 * just after the access, and GDB's own step back lands
                 * before it, where the monitor's rcontinue stops. */
                struct dbg_stop after;
                if (debugger_step(g->d, NULL, &after) != 0 || after.kind != DBG_STOP_STEP) {
                    send_packet(g, "E01");
                    return;
                }
                g->d->last = stop;
            }
            stop_reply(g, &stop);
            return;
        }
        send_packet(g, "");
        return;
    case 'Z':
    case 'z':
        handle_z(g, p, p[0] == 'Z');
        return;
    case 'H': {
        int cpu;
        if (len < 2 || parse_thread(g, p + 2, &cpu)) {
            send_packet(g, "E02");
            return;
        }
        if (cpu >= 0)
            g->d->cpu = (unsigned)cpu;
        send_packet(g, "OK");
        return;
    }
    case 'T': {
        int cpu;
        send_packet(g, parse_thread(g, p + 1, &cpu) == 0 ? "OK" : "E01");
        return;
    }
    case 'D':
        forget_points(g);
        send_packet(g, "OK");
        g->waiting = false;
        if (g->d->stopped && !g->d->exited)
            debugger_continue(g->d);
        return;
    case 'k':
        g->d->quit = true;
        return;
    case 'q':
        handle_query(g, p);
        return;
    case 'Q':
        if (strcmp(p, "QStartNoAckMode") == 0) {
            send_packet(g, "OK");
            g->no_ack = true;
        } else {
            send_packet(g, "");
        }
        return;
    case 'v':
        if (strcmp(p, "vCont?") == 0)
            send_packet(g, "vCont;c;C;s;S;t");
        else if (strncmp(p, "vCont;", 6) == 0)
            handle_vcont(g, p + 6);
        else if (strncmp(p, "vKill", 5) == 0) {
            send_packet(g, "OK");
            g->d->quit = true;
        } else
            send_packet(g, "");
        return;
    default:
        send_packet(g, "");
        return;
    }
}

/* ---- connection --------------------------------------------------------------------- */

static void drop_client(struct gdbstub *g)
{
    if (g->srv.fd < 0)
        return;
    netsock_server_drop(&g->srv);
    /* A client that goes away without detaching: its breakpoints go, and
     * the guest stays as it was (stopped or running) for the next one. */
    forget_points(g);
    g->waiting = false;
    g->no_ack = false;
    g->swbreak = g->hwbreak = false;
    g->rx = RX_IDLE;
    free(g->last);
    g->last = NULL;
}

static void interrupt(struct gdbstub *g)
{
    if (g->d->stopped)
        return;
    struct dbg_stop stop = { .kind = DBG_STOP_INTERRUPT, .cpu = g->d->cpu,
                             .pc = debugger_pc(g->d, g->d->cpu) };
    debugger_stop(g->d, &stop, NULL);     /* on_stop sends the reply */
}

static void receive(struct gdbstub *g, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n && g->srv.fd >= 0; i++) {
        uint8_t c = buf[i];
        switch (g->rx) {
        case RX_IDLE:
            if (c == '$') {
                g->rx = RX_DATA;
                g->len = 0;
                g->sum = 0;
                g->overflow = false;
                g->malformed = false;
            } else if (c == 0x03) {
                interrupt(g);
            } else if (c == '-' && g->last) {
                send_raw(g, g->last, g->last_len);
            }
            break;                                   /* '+' and noise */
        case RX_DATA:
        case RX_ESCAPE:
            if (c == '#' && g->rx == RX_DATA) {
                g->rx = RX_CSUM1;
                break;
            }
            g->sum = (uint8_t)(g->sum + c);
            if (g->rx == RX_DATA && c == '}') {
                g->rx = RX_ESCAPE;
                break;
            }
            if (g->rx == RX_DATA && c == '*') {
                g->rx = RX_REPEAT;
                break;
            }
            if (g->rx == RX_ESCAPE) {
                c ^= 0x20;
                g->rx = RX_DATA;
            }
            if (g->len < GDB_PACKET_SIZE)
                g->pkt[g->len++] = c;
            else
                g->overflow = true;
            break;
        case RX_REPEAT: {
            /* Run-length encoding (E.1): '*' then a printable count
             * character N repeats the previous byte N - 29 more times. */
            if (c == '#') {
                g->malformed = true;
                g->rx = RX_CSUM1;
                break;
            }
            g->sum = (uint8_t)(g->sum + c);
            g->rx = RX_DATA;
            if (c < 32 || c > 126 || c == '$' || g->len == 0) {
                g->malformed = true;
                break;
            }
            for (unsigned k = 0; k < (unsigned)c - 29u; k++) {
                if (g->len >= GDB_PACKET_SIZE) {
                    g->overflow = true;
                    break;
                }
                g->pkt[g->len] = g->pkt[g->len - 1];
                g->len++;
            }
            break;
        }
        case RX_CSUM1:
            g->given = (unsigned)(hexval(c) < 0 ? 0x100 : hexval(c) << 4);
            g->rx = RX_CSUM2;
            break;
        case RX_CSUM2: {
            g->rx = RX_IDLE;
            bool good = g->given < 0x100 && hexval(c) >= 0 &&
                        (g->given | (unsigned)hexval(c)) == g->sum;
            if (!g->no_ack) {
                send_raw(g, good ? "+" : "-", 1);
                if (!good)
                    break;
            }
            if (g->overflow || g->malformed)
                send_packet(g, "E01");
            else
                handle_packet(g, g->pkt, g->len);
            break;
        }
        }
    }
}

int gdbstub_open(struct gdbstub **out, struct debugger *d, const char *spec,
                 struct orr_error *err)
{
    struct cpu *cpu = d->m->cpus[0];
    if (!cpu->ops->gdb_target)
        return orr_fail(err, "the %s CPU has no GDB description", cpu->model->name);
    struct gdbstub *g = calloc(1, sizeof *g);
    if (!g)
        return orr_fail(err, "out of memory");
    g->d = d;
    if (netsock_server_open(&g->srv, spec, false, err)) {
        free(g);
        return -1;
    }
    if (debugger_add_listener(d, on_stop, g)) {
        netsock_server_close(&g->srv);
        free(g);
        return orr_fail(err, "too many debuggers");
    }
    *out = g;
    return 0;
}

void gdbstub_close(struct gdbstub *g)
{
    if (!g)
        return;
    netsock_server_close(&g->srv);
    free(g->last);
    free(g);
}

int gdbstub_pollfds(struct gdbstub *g, struct pollfd *fds, int max)
{
    if (max < 1)
        return 0;
    fds[0] = netsock_server_pollfd(&g->srv);
    return 1;
}

void gdbstub_service(struct gdbstub *g)
{
    uint8_t buf[4096];
    long n = netsock_server_read(&g->srv, buf, sizeof buf);
    if (n == NETSOCK_GONE)
        drop_client(g);
    else if (n > 0)
        receive(g, buf, (size_t)n);
}
