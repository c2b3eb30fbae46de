/* `orrery run` (and bare `orrery`): build a machine, load a guest, and run
 * it with the terminal as its console. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontends/board_file.h"
#include "frontends/cli.h"
#include "frontends/debugger.h"
#include "frontends/gdbstub.h"
#include "frontends/monitor.h"
#include "frontends/monitor_io.h"
#include "frontends/reverse.h"
#include "frontends/terminal.h"
#include "frontends/trace.h"
#include "frontends/ui.h"
#include "frontends/window.h"
#include "machine/linux_boot.h"
#include "machine/linux_boot_x86.h"
#include "machine/machine.h"
#include "machine/replay.h"
#include "machine/snapshot.h"
#include "roms/roms.h"

#define RUN_SLICE_NS 10000000ull          /* 10 ms of guest time between input checks */
#define WINDOW_FRAME_NS 33333333ull       /* host time between the window's frames */
#define KERNEL_MAX_BYTES (1ull << 30)
#define RUN_MAX_BACKENDS 32                /* arm-virt has 32 virtio-mmio slots */
#define RUN_BACKEND_TEXT 1024

struct run_options {
    const char *board;
    bool board_given;            /* --board on the command line */
    const char *cpu;
    const char *kernel;          /* NULL: the embedded demo */
    const char *initrd;          /* Linux boot protocol inputs */
    const char *append;
    const char *dtb;
    const char *bios;            /* firmware for flash bank 0 */
    uint64_t ram_size;           /* 0: the board's */
    bool semihosting;
    enum clock_mode clock;
    double timeout_s;            /* 0: none */
    bool no_reboot;
    bool stats;                  /* --stats: instructions and host time at exit */
    unsigned verbose;
    /* Debugging (docs/debugging.md). */
    bool monitor;                /* --monitor: start stopped, in the monitor */
    bool explain_json;           /* --explain-format json */
    bool explain;                /* --explain: the explain view of every traced instruction */
    struct trace_options trace;  /* --trace and its filters (path NULL: none) */
    const char *monitor_socket;
    const char *gdb;             /* --gdb PORT */
    bool gdb_wait;
    const char *symbols[8];      /* --symbols FILE */
    unsigned nsymbols;
    /* Machine state (docs/snapshots.md). */
    const char *snapshot_load;   /* --snapshot-load FILE: start from it */
    const char *snapshot_save;   /* --snapshot-save-at-exit FILE */
    bool cow_drives;             /* --snapshot: every writable drive gets ,snapshot */
    const char *record;          /* --record FILE: journal the outside inputs */
    const char *replay;          /* --replay FILE: feed them back */
    uint64_t check_interval;     /* --check-interval N: instructions between checkpoints */
    bool check_interval_given;
    uint64_t max_insns;          /* --max-insns N: end the run after N instructions (0: no) */
    uint64_t reverse_interval;   /* --reverse-interval N: instructions between snapshots */
    uint64_t reverse_memory;     /* --reverse-memory SIZE: bytes of history (0: none) */
    bool reverse_memory_given;
    /* The display (docs/display.md). */
    enum { DISPLAY_AUTO, DISPLAY_SDL, DISPLAY_NONE } display;
    struct window_config window;
    const char *screenshot_at_exit;  /* --screenshot-at-exit FILE.png */
    /* --drive / --device, in order: backends for the virtio-mmio slots */
    const char *backends[RUN_MAX_BACKENDS];
    char backend_text[RUN_MAX_BACKENDS][RUN_BACKEND_TEXT];
    unsigned nbackends;
};

/* Everything the host callbacks need; one per run, on the stack. */
struct run_ctx {
    struct terminal term;
    struct machine *m;
    uint64_t deadline_ns;        /* host monotonic; 0: no timeout */
    bool timed_out;
    /* The debugging session, always there (Ctrl-A c opens the monitor);
     * the GDB stub and the monitor socket only when asked for. */
    struct debugger dbg;
    struct monitor *mon;
    struct mon_term mterm;
    bool mterm_on_stop;          /* --monitor or Ctrl-A c: a stop opens the monitor */
    bool stdin_script;           /* --monitor with stdin not a tty: stdin is the monitor's */
    struct mon_socket *msock;
    struct gdbstub *gdb;
    struct tracer *trace;        /* --trace or the monitor's `trace on` */
    /* The input journal (--record, --replay, and the reverse history). */
    struct journal journal;
    bool journal_on;
    bool journal_failed;         /* out of memory while journaling */
    uint64_t max_insns_end;      /* --max-insns: the instruction count to stop at */
    bool recording;              /* --record */
    struct reverse rv;           /* the debuggers' history, when kept */
    bool reverse_on;
    const char *trace_path;
    bool trace_json;
    /* The display: input waiting for the guest, the window if one is open. */
    struct ui_input ui;
    struct window *win;
    struct frame frame;
    uint64_t next_present_ns;    /* host time of the window's next frame */
    uint64_t mips_host_ns;       /* host time and count at the last MIPS reading */
    uint64_t mips_executed;
    double mips;
    bool window_closed;          /* the user closed the window */
};

/* --- logging ------------------------------------------------------------ */

static void log_to_stderr(void *opaque, enum log_cat cat, const char *msg)
{
    (void)opaque;
    fprintf(stderr, "[%s] %s\n", log_cat_name(cat), msg);
}

static unsigned log_mask_for(unsigned verbose)
{
    if (verbose == 0)
        return 0;
    if (verbose == 1)
        return (1u << LOG_BOARD) | (1u << LOG_CPU);
    return (1u << LOG_CAT_COUNT) - 1;
}

/* --- host side of the guest's console ------------------------------------ */

static void console_write(void *opaque, const uint8_t *buf, size_t len)
{
    (void)opaque;
    terminal_output(buf, len);
}

static void stop_cpus(struct machine *m)
{
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpus[i]->exit_request = true;
}

/* Milliseconds left before the --timeout deadline (-1: no deadline). */
static int ms_to_deadline(const struct run_ctx *ctx)
{
    if (!ctx->deadline_ns)
        return -1;
    uint64_t now = clock_host_ns();
    if (now >= ctx->deadline_ns)
        return 0;
    uint64_t ms = (ctx->deadline_ns - now + 999999) / 1000000;
    return ms > 1000000000 ? 1000000000 : (int)ms;
}

static bool deadline_passed(const struct run_ctx *ctx)
{
    return ctx->deadline_ns && clock_host_ns() >= ctx->deadline_ns;
}

/* Semihosting SYS_READC: blocks for one byte of stdin, honouring the
 * timeout and the escape keys. */
static int console_readc(void *opaque)
{
    struct run_ctx *ctx = opaque;
    struct terminal *t = &ctx->term;
    while (t->pending_len == 0) {
        if (t->quit || t->eof) {
            if (t->quit)
                stop_cpus(ctx->m);
            return -1;
        }
        int wait = ms_to_deadline(ctx);
        if (wait == 0) {
            ctx->timed_out = true;
            stop_cpus(ctx->m);
            return -1;
        }
        terminal_poll(t, wait);
    }
    int c = t->pending[0];
    terminal_consume(t, 1);
    return c;
}

/* Moves pending stdin bytes into the UART's receive ring, as room allows. */
static void feed_serial(struct run_ctx *ctx)
{
    struct terminal *t = &ctx->term;
    if (t->pending_len == 0 || ctx->m->nserial == 0 || ctx->stdin_script)
        return;
    if (ctx->journal_on && (!ctx->journal.live || journal_replaying(&ctx->journal)))
        return;     /* replaying: the journal types; typing waits for the present */
    size_t n = chardev_push(&ctx->m->serial[0], t->pending, t->pending_len);
    if (n && ctx->journal_on &&
        journal_add_console(&ctx->journal, ctx->m, 0, t->pending, n) != 0)
        ctx->journal_failed = true;
    terminal_consume(t, n);
}

/* --- option parsing ----------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, arg);
    cli_error("%s (see 'orrery --help')", msg);
    return EXIT_USAGE;
}

/* "LO:HI", numbers in C notation, LO < HI. */
static int parse_range(const char *text, uint64_t *lo, uint64_t *hi)
{
    const char *colon = strchr(text, ':');
    char first[64];
    if (!colon || (size_t)(colon - text) >= sizeof first)
        return -1;
    memcpy(first, text, (size_t)(colon - text));
    first[colon - text] = '\0';
    if (parse_u64(first, lo) || parse_u64(colon + 1, hi) || *lo >= *hi)
        return -1;
    return 0;
}

/* Returns -1 when parsed, or the exit status to leave with. */
/* --display none | sdl[,scale=N][,smooth][,full-screen] */
static int parse_display(const char *v, struct run_options *o)
{
    if (strcmp(v, "none") == 0) {
        o->display = DISPLAY_NONE;
        return 0;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "%s", v);
    char *save;
    char *w = strtok_r(buf, ",", &save);
    if (!w || strcmp(w, "sdl") != 0)
        return -1;
    o->display = DISPLAY_SDL;
    while ((w = strtok_r(NULL, ",", &save))) {
        if (strncmp(w, "scale=", 6) == 0 && w[6] >= '1' && w[6] <= '8' && !w[7])
            o->window.scale = (unsigned)(w[6] - '0');
        else if (strcmp(w, "smooth") == 0)
            o->window.smooth = true;
        else if (strcmp(w, "full-screen") == 0)
            o->window.fullscreen = true;
        else
            return -1;
    }
    return 0;
}

static int parse_run_options(int argc, char **argv, struct run_options *o)
{
    struct opt_scan s = { .argc = argc, .argv = argv, .index = 0 };
    char bad[512];
    while (s.index < argc) {
        const char *arg = argv[s.index];
        const char *v = NULL;
        bad[0] = '\0';
        bool drive = false;
        struct orr_error err = { { 0 } };

        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help();
            return 0;
        }
        if (strcmp(arg, "--version") == 0) {
            print_version();
            return 0;
        }
        if (strcmp(arg, "-vv") == 0 || strcmp(arg, "-vvv") == 0) {
            o->verbose += 2;
            s.index++;
            continue;
        }
        if (opt_match(&s, "--verbose", "-v", false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->verbose++;
        } else if (opt_match(&s, "--board", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->board = v;
            o->board_given = true;
        } else if (opt_match(&s, "--cpu", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->cpu = v;
        } else if (opt_match(&s, "--memory", "-m", true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_size(v, &o->ram_size, &err) != 0)
                return usage_error("-m: %s", err.msg);
        } else if (opt_match(&s, "--kernel", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->kernel = v;
        } else if (opt_match(&s, "--initrd", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->initrd = v;
        } else if (opt_match(&s, "--append", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->append = v;
        } else if (opt_match(&s, "--dtb", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->dtb = v;
        } else if (opt_match(&s, "--bios", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->bios = v;
        } else if ((drive = opt_match(&s, "--drive", NULL, true, &v, bad, sizeof bad)) ||
                   opt_match(&s, "--device", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (o->nbackends == RUN_MAX_BACKENDS)
                return usage_error("%s", "at most 32 --drive/--device options");
            char *text = o->backend_text[o->nbackends];
            if (drive) {
                if (!*v)
                    return usage_error("%s", "--drive needs a file name");
                if (strlen(v) + 5 > RUN_BACKEND_TEXT)
                    return usage_error("%s", "--drive: file name too long");
                snprintf(text, RUN_BACKEND_TEXT, "blk:%s", v);
            } else if (strcmp(v, "virtio-console") == 0) {
                snprintf(text, RUN_BACKEND_TEXT, "console");
            } else if (strcmp(v, "virtio-rng") == 0) {
                snprintf(text, RUN_BACKEND_TEXT, "rng");
            } else if (strcmp(v, "input-keyboard") == 0 || strcmp(v, "input-tablet") == 0 ||
                       strcmp(v, "input-touch") == 0) {
                snprintf(text, RUN_BACKEND_TEXT, "%s", v);
            } else {
                return usage_error("unknown device '%s' (known: virtio-console, virtio-rng, "
                                   "input-keyboard, input-tablet, input-touch)", v);
            }
            o->backends[o->nbackends++] = text;
        } else if (opt_match(&s, "--semihosting", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->semihosting = true;
        } else if (opt_match(&s, "--stats", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->stats = true;
        } else if (opt_match(&s, "--clock", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (strcmp(v, "virtual") == 0)
                o->clock = CLOCK_MODE_VIRTUAL;
            else if (strcmp(v, "realtime") == 0)
                o->clock = CLOCK_MODE_REALTIME;
            else
                return usage_error("--clock: '%s' is not 'virtual' or 'realtime'", v);
        } else if (opt_match(&s, "--timeout", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_seconds(v, &o->timeout_s, &err) != 0)
                return usage_error("--timeout: %s", err.msg);
        } else if (opt_match(&s, "--no-reboot", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->no_reboot = true;
        } else if (opt_match(&s, "--monitor", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->monitor = true;
        } else if (opt_match(&s, "--explain-format", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (strcmp(v, "json") == 0)
                o->explain_json = true;
            else if (strcmp(v, "text") == 0)
                o->explain_json = false;
            else
                return usage_error("--explain-format: '%s' is not 'text' or 'json'", v);
        } else if (opt_match(&s, "--explain", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->explain = true;
        } else if (opt_match(&s, "--trace", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (!*v)
                return usage_error("%s", "--trace needs a file name ('-' for stdout)");
            o->trace.path = v;
        } else if (opt_match(&s, "--trace-range", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_range(v, &o->trace.lo, &o->trace.hi))
                return usage_error("--trace-range: '%s' is not LO:HI (hex or decimal, LO < HI)", v);
            o->trace.range = true;
        } else if (opt_match(&s, "--trace-priv", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (strcmp(v, "user") == 0)
                o->trace.privilege = 0;
            else if (strcmp(v, "kernel") == 0)
                o->trace.privilege = 1;
            else
                return usage_error("--trace-priv: '%s' is not 'user' or 'kernel'", v);
        } else if (opt_match(&s, "--trace-from", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->trace.start_addr))
                return usage_error("--trace-from: '%s' is not an address", v);
            o->trace.start_at_addr = true;
        } else if (opt_match(&s, "--trace-until", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->trace.stop_addr))
                return usage_error("--trace-until: '%s' is not an address", v);
            o->trace.stop_at_addr = true;
        } else if (opt_match(&s, "--trace-skip", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->trace.start_after))
                return usage_error("--trace-skip: '%s' is not a count", v);
        } else if (opt_match(&s, "--trace-count", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->trace.stop_after) || o->trace.stop_after == 0)
                return usage_error("--trace-count: '%s' is not a positive count", v);
        } else if (opt_match(&s, "--trace-regs", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->trace.regs = true;
        } else if (opt_match(&s, "--trace-mem", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->trace.mem = true;
        } else if (opt_match(&s, "--monitor-socket", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->monitor_socket = v;
        } else if (opt_match(&s, "--gdb", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->gdb = v;
        } else if (opt_match(&s, "--gdb-wait", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->gdb_wait = true;
        } else if (opt_match(&s, "--symbols", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (o->nsymbols == sizeof o->symbols / sizeof o->symbols[0])
                return usage_error("%s", "at most 8 --symbols options");
            o->symbols[o->nsymbols++] = v;
        } else if (opt_match(&s, "--record", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (!*v)
                return usage_error("%s", "--record needs a file name");
            o->record = v;
        } else if (opt_match(&s, "--replay", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->replay = v;
        } else if (opt_match(&s, "--check-interval", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->check_interval))
                return usage_error("--check-interval: '%s' is not a count of instructions", v);
            o->check_interval_given = true;
        } else if (opt_match(&s, "--max-insns", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->max_insns) || o->max_insns == 0)
                return usage_error("--max-insns: '%s' is not a positive count", v);
        } else if (opt_match(&s, "--reverse-interval", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_u64(v, &o->reverse_interval) || o->reverse_interval == 0)
                return usage_error("--reverse-interval: '%s' is not a positive count", v);
        } else if (opt_match(&s, "--reverse-memory", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (strcmp(v, "0") == 0)
                o->reverse_memory = 0;      /* no history */
            else if (parse_size(v, &o->reverse_memory, &err) != 0)
                return usage_error("--reverse-memory: %s", err.msg);
            o->reverse_memory_given = true;
        } else if (opt_match(&s, "--snapshot", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->cow_drives = true;
        } else if (opt_match(&s, "--snapshot-load", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->snapshot_load = v;
        } else if (opt_match(&s, "--snapshot-save-at-exit", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (!*v)
                return usage_error("%s", "--snapshot-save-at-exit needs a file name");
            o->snapshot_save = v;
        } else if (opt_match(&s, "--display", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (parse_display(v, o))
                return usage_error("--display: '%s' is not none or sdl[,scale=N][,smooth]"
                                   "[,full-screen]", v);
        } else if (opt_match(&s, "--confirm-close", NULL, false, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            o->window.confirm_close = true;
        } else if (opt_match(&s, "--screenshot-at-exit", NULL, true, &v, bad, sizeof bad)) {
            if (bad[0])
                return usage_error("%s", bad);
            if (!*v)
                return usage_error("%s", "--screenshot-at-exit needs a file name");
            o->screenshot_at_exit = v;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else {
            return usage_error("unexpected argument '%s'", arg);
        }
    }
    return -1;
}

/* --- guest image -------------------------------------------------------- */

/* A file that starts like an ELF is never run as a raw image: if the loader
 * does not take it, say why instead of executing its header. */
static int check_elf_shape(const char *path, const uint8_t *data, size_t len,
                           struct orr_error *err)
{
    if (len < 4 || memcmp(data, "\177ELF", 4) != 0 || loader_is_elf(data, len))
        return 0;
    if (len < 52)
        return orr_fail(err, "%s: truncated ELF file (%zu bytes, shorter than an ELF header)",
                        path, len);
    if (data[4] == 2)
        return orr_fail(err, "%s: 64-bit ELF file; expected a 32-bit ELF for this CPU", path);
    if (data[4] != 1)
        return orr_fail(err, "%s: unknown ELF class %u", path, data[4]);
    if (data[5] != 1)
        return orr_fail(err, "%s: big-endian ELF file; expected little-endian", path);
    return orr_fail(err, "%s: not a loadable ELF executable", path);
}

/* What is loaded at start and again after every guest reset. */
struct guest {
    const uint8_t *image;        /* --kernel, or the embedded demo */
    size_t image_len;
    bool linux_boot;             /* not ELF: the Linux boot protocol */
    uint8_t *bios;               /* --bios: firmware in flash, no kernel */
    size_t bios_len;
    uint8_t *initrd, *dtb;       /* NULL when not given */
    size_t initrd_len, dtb_len;
    const char *append;
};

/* first: the machine is new (flash or ROM is loaded once; it keeps its
 * contents across guest resets, as the real parts do). */
static int load_guest(struct machine *m, const struct guest *g, bool first,
                      struct orr_error *err)
{
    if (g->bios) {
        if (first && machine_load_bios(m, g->bios, g->bios_len, err))
            return -1;
        return machine_start_bios(m, g->dtb, g->dtb_len, err);
    }
    if (!g->linux_boot)
        return machine_load_image(m, g->image, g->image_len, 0, false, err);
    struct linux_boot_args a = {
        .kernel = g->image, .kernel_len = g->image_len,
        .initrd = g->initrd, .initrd_len = g->initrd_len,
        .cmdline = g->append, .dtb = g->dtb, .dtb_len = g->dtb_len,
    };
    return machine_boot_linux(m, &a, NULL, err);
}

/* --- the run loop ------------------------------------------------------- */

static int guest_exit_status(int code)
{
    /* A process exit status has 8 bits; a code that would wrap (256 -> 0)
     * must not turn a failing guest into a passing one. */
    return code >= 0 && code <= 255 ? code : 1;
}

/* --- the debuggers around the run loop ------------------------------------ */

/* A stop while the guest ran: the terminal monitor takes over when it is in
 * use (the GDB stub and the monitor socket hear of it themselves). */
static void cli_on_stop(void *opaque, const struct dbg_stop *stop)
{
    struct run_ctx *ctx = opaque;
    if (ctx->mterm_on_stop && stop->kind != DBG_STOP_EXITED && stop->kind != DBG_STOP_ERROR)
        mon_term_enter(&ctx->mterm, stop);
}

static bool have_debug_sockets(const struct run_ctx *ctx)
{
    return ctx->gdb || ctx->msock;
}

/* Waits up to timeout_ms (-1: forever, 0: just look) for stdin and the
 * debuggers' sockets, and handles what arrived: stdin goes to the monitor
 * when it has the terminal, else to the guest's pending input. */
static void wait_inputs(struct run_ctx *ctx, int timeout_ms)
{
    struct pollfd fds[8];
    int n = 0, term_i = -1, gdb_i = -1, gdb_n = 0, ms_i = -1;
    struct terminal *t = &ctx->term;
    if (ctx->mterm.active ? !t->eof : terminal_wants_input(t)) {
        term_i = n;
        fds[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
    }
    if (ctx->gdb) {
        gdb_i = n;
        gdb_n = gdbstub_pollfds(ctx->gdb, fds + n, 2);
        n += gdb_n;
    }
    if (ctx->msock) {
        ms_i = n;
        n += mon_socket_pollfds(ctx->msock, fds + n, 1);
    }
    if (n == 0) {
        if (timeout_ms > 0) {
            struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
        return;
    }
    if (poll(fds, (nfds_t)n, timeout_ms) <= 0)
        return;
    if (term_i >= 0 && fds[term_i].revents) {
        if (fds[term_i].revents & POLLNVAL)
            t->eof = true;
        else if (ctx->mterm.active)
            mon_term_input(&ctx->mterm);
        else
            terminal_read(t);
    }
    bool gdb_ready = false;
    for (int i = 0; i < gdb_n; i++)
        gdb_ready |= fds[gdb_i + i].revents != 0;
    if (gdb_ready)
        gdbstub_service(ctx->gdb);
    if (ms_i >= 0 && fds[ms_i].revents)
        mon_socket_service(ctx->msock);
}

static void out_text(const struct dbg_output *out, const char *text)
{
    out->write(out->opaque, text, strlen(text));
}

/* Closes the trace and says how big it became (to out, or stderr). */
static int finish_trace(struct run_ctx *ctx, const struct dbg_output *out)
{
    uint64_t lines, bytes;
    trace_stats(ctx->trace, &lines, &bytes);
    struct orr_error err = { { 0 } };
    int rc = trace_close(ctx->trace, &err);
    ctx->trace = NULL;
    char msg[600];
    if (rc)
        snprintf(msg, sizeof msg, "%s", err.msg);
    else
        snprintf(msg, sizeof msg, "trace: %llu lines, %llu bytes to %s",
                 (unsigned long long)lines, (unsigned long long)bytes,
                 ctx->trace_path ? ctx->trace_path : "stdout");
    if (out) {
        out_text(out, msg);
        out_text(out, "\n");
    } else {
        cli_error("%s", msg);
    }
    return rc;
}

static int monitor_trace(void *opaque, bool on, const char *file, const struct dbg_output *out)
{
    struct run_ctx *ctx = opaque;
    if (!on) {
        if (!ctx->trace) {
            out_text(out, "error: no trace is running\n");
            return -1;
        }
        return finish_trace(ctx, out);
    }
    if (ctx->trace) {
        out_text(out, "error: a trace is already running (trace off first)\n");
        return -1;
    }
    struct trace_options o = { .path = file ? file : "orrery-trace.txt", .privilege = -1,
                               .format = ctx->trace_json ? EXPLAIN_JSON : EXPLAIN_TEXT };
    struct orr_error err = { { 0 } };
    if (trace_open(&ctx->trace, &o, &ctx->dbg, &err)) {
        out_text(out, "error: ");
        out_text(out, err.msg);
        out_text(out, "\n");
        return -1;
    }
    ctx->trace_path = o.path;
    out_text(out, "tracing to ");
    out_text(out, o.path);
    out_text(out, " from the next instruction executed\n");
    return 0;
}

static int monitor_loadvm(void *opaque, const char *file, const struct dbg_output *out)
{
    struct run_ctx *ctx = opaque;
    if (ctx->recording || (ctx->journal_on && !ctx->journal.live)) {
        out_text(out, "error: loading a snapshot would break the recording or replay\n");
        return -1;
    }
    struct snapshot snap;
    struct orr_error err = { { 0 } };
    int rc = snapshot_open(file, &snap, &err);
    if (rc == 0 && (rc = snapshot_apply(&snap, ctx->m, &err)) == -2) {
        machine_reset(ctx->m);       /* half loaded: do not run that */
        snprintf(err.msg + strlen(err.msg), sizeof err.msg - strlen(err.msg),
                 " (the machine was reset)");
    }
    snapshot_close(&snap);
    if (rc) {
        out_text(out, "error: ");
        out_text(out, err.msg);
        out_text(out, "\n");
        return -1;
    }
    if (ctx->reverse_on) {
        /* The recorded past belongs to the state that was replaced. */
        ctx->journal.cursor = ctx->journal.epoch = 0;
        journal_drop_future(&ctx->journal);
        journal_seek(&ctx->journal, ctx->m);
        if (reverse_restart(&ctx->rv, &err)) {
            reverse_stop(&ctx->rv);
            ctx->reverse_on = false;
            out_text(out, "(reverse history stopped: ");
            out_text(out, err.msg);
            out_text(out, ")\n");
        }
    }
    out_text(out, "loaded ");
    out_text(out, file);
    out_text(out, "\n");
    return 0;
}

static int monitor_input(void *opaque, const char *name, bool level,
                         const struct dbg_output *out)
{
    struct run_ctx *ctx = opaque;
    struct orr_error err = { { 0 } };
    if (ctx->journal_on && !ctx->journal.live) {
        out_text(out, "error: the machine is replaying a journal (--replay)\n");
        return -1;
    }
    if (ctx->journal_on && journal_replaying(&ctx->journal))
        debugger_modified(&ctx->dbg);   /* in the past: a new future starts here */
    if (machine_set_input(ctx->m, name, level, &err)) {
        out_text(out, "error: ");
        out_text(out, err.msg);
        out_text(out, "\n");
        return -1;
    }
    if (ctx->journal_on && journal_add_input(&ctx->journal, ctx->m, name, level))
        ctx->journal_failed = true;
    return 0;
}

/* Delivers an input event from the queue: as live outside input, journaled. */
static int ui_deliver(void *opaque, const struct input_event *ev, struct orr_error *err)
{
    struct run_ctx *ctx = opaque;
    if (ctx->journal_on && !ctx->journal.live)
        return 0;       /* replaying: the journal's events are the input */
    if (ctx->journal_on && journal_replaying(&ctx->journal))
        debugger_modified(&ctx->dbg);
    if (machine_input(ctx->m, ev, err))
        return -1;
    if (ctx->journal_on && journal_add_ui(&ctx->journal, ctx->m, ev))
        ctx->journal_failed = true;
    return 0;
}

static int monitor_ui(void *opaque, int argc, char **argv, const struct dbg_output *out)
{
    struct run_ctx *ctx = opaque;
    if (strcmp(argv[0], "screendump") != 0 && ctx->journal_on && !ctx->journal.live) {
        out_text(out, "error: the machine is replaying a journal (--replay)\n");
        return -1;
    }
    return ui_command(ctx->m, &ctx->ui, argc, argv, out);
}

/* Between run slices: queued input goes to the guest, and the window gets
 * its events handled and, at most 30 times a second (QEMU's refresh rate
 * too), the latest frame: a 1024x768 frame costs about 1.7 ms to render. */
static void service_display(struct run_ctx *ctx, bool guest_idle)
{
    struct machine *m = ctx->m;
    if (ctx->win) {
        struct window_actions act = { 0 };
        window_poll(ctx->win, &ctx->ui, &act);
        if (act.quit)
            ctx->window_closed = true;
        if (act.monitor)
            ctx->term.monitor_request = true;
    }
    if (ui_input_pending(&ctx->ui))
        ui_input_pump(&ctx->ui, m->clock.now_ns, guest_idle, ui_deliver, ctx);
    if (!ctx->win)
        return;
    uint64_t now = clock_host_ns();
    if (now < ctx->next_present_ns)
        return;
    ctx->next_present_ns = now + WINDOW_FRAME_NS;
    if (now - ctx->mips_host_ns >= 1000000000ull) {
        ctx->mips = (double)(m->executed - ctx->mips_executed) * 1e3 /
                    (double)(now - ctx->mips_host_ns);
        ctx->mips_host_ns = now;
        ctx->mips_executed = m->executed;
    }
    window_set_status(ctx->win, ctx->dbg.stopped || ctx->mterm.active ? "paused"
                                : guest_idle ? "halted" : "running", ctx->mips);
    struct orr_error err = { { 0 } };
    int rc = machine_render(m, &ctx->frame, &err);
    if (rc >= 0)
        window_present(ctx->win, &ctx->frame, rc == 0);
}

static int monitor_command(void *opaque, const char *line, const struct dbg_output *out)
{
    return monitor_exec(opaque, line, out);
}

/* Starts keeping history for reverse execution from the machine's current
 * state, when the run can be replayed exactly (virtual clock, one CPU) and
 * --reverse-memory is not 0; otherwise does nothing (the monitor's rstep
 * then says why). Returns -1 only when starting failed. */
static int start_history(struct run_ctx *ctx, const struct run_options *o,
                         struct orr_error *err)
{
    size_t budget = o->reverse_memory_given ? (size_t)o->reverse_memory : REVERSE_DEFAULT_BUDGET;
    if (ctx->reverse_on || !budget || ctx->m->clock.mode != CLOCK_MODE_VIRTUAL ||
        ctx->m->ncpus != 1)
        return 0;
    if (!ctx->journal_on) {
        journal_init(&ctx->journal, o->check_interval_given ? o->check_interval
                                                            : JOURNAL_DEFAULT_INTERVAL,
                     JOURNAL_DEFAULT_RAM_EVERY);
        ctx->journal.next_check = ctx->m->executed + ctx->journal.check_interval;
        ctx->journal_on = true;
    }
    if (reverse_start(&ctx->rv, &ctx->dbg, &ctx->journal,
                      o->reverse_interval ? o->reverse_interval : REVERSE_DEFAULT_INTERVAL,
                      budget, err))
        return orr_fail_prefix(err, "reverse history");
    ctx->reverse_on = true;
    return 0;
}

/* Sets up the debugging session: the monitor (always), the GDB stub and
 * the monitor socket when asked for, the symbols. */
static int debug_setup(struct run_ctx *ctx, const struct run_options *o, const struct guest *g,
                       struct orr_error *err)
{
    debugger_init(&ctx->dbg, ctx->m);
    struct monitor_hooks hooks = { .trace = monitor_trace, .loadvm = monitor_loadvm,
                                   .input = monitor_input, .ui = monitor_ui, .opaque = ctx,
                                   .explain_json = o->explain_json };
    if (monitor_create(&ctx->mon, &ctx->dbg, &hooks))
        return orr_fail(err, "out of memory");
    ctx->dbg.command = monitor_command;
    ctx->dbg.command_opaque = ctx->mon;
    mon_term_init(&ctx->mterm, ctx->mon, &ctx->dbg, &ctx->term);
    if (debugger_add_listener(&ctx->dbg, cli_on_stop, ctx))
        return orr_fail(err, "too many debuggers");
    ctx->mterm_on_stop = o->monitor;
    if (g->image && !g->linux_boot && loader_is_elf(g->image, g->image_len)) {
        /* The image loaded, so its symbols are readable; none is fine. */
        struct orr_error ignored = { { 0 } };
        if (symtab_load_elf(&ctx->dbg.syms, g->image, g->image_len, &ignored) < 0)
            symtab_free(&ctx->dbg.syms);
    }
    for (unsigned i = 0; i < o->nsymbols; i++)
        if (symtab_load_file(&ctx->dbg.syms, o->symbols[i], err) < 0)
            return orr_fail_prefix(err, "--symbols");
    if (o->monitor_socket &&
        mon_socket_open(&ctx->msock, ctx->mon, &ctx->dbg, o->monitor_socket, err))
        return -1;
    if (o->gdb && gdbstub_open(&ctx->gdb, &ctx->dbg, o->gdb, err))
        return orr_fail_prefix(err, "--gdb");
    /* History for reverse execution, from the start, whenever a debugger
     * may want it and the run can be replayed exactly. */
    if ((o->gdb || o->monitor || o->monitor_socket) && start_history(ctx, o, err))
        return -1;
    ctx->trace_json = o->explain_json;
    if (o->trace.path || o->explain) {
        struct trace_options to = o->trace;
        to.explain = o->explain;
        to.format = o->explain_json ? EXPLAIN_JSON : EXPLAIN_TEXT;
        if (!to.path)
            to.path = "-";
        if (trace_open(&ctx->trace, &to, &ctx->dbg, err))
            return -1;
        ctx->trace_path = strcmp(to.path, "-") == 0 ? NULL : to.path;
    }
    return 0;
}

/* Returns -1 when the trace could not be written (the error is printed). */
static int debug_teardown(struct run_ctx *ctx)
{
    int rc = ctx->trace ? finish_trace(ctx, NULL) : 0;
    if (ctx->reverse_on)
        reverse_stop(&ctx->rv);
    mon_term_leave(&ctx->mterm);
    if (ctx->gdb)
        gdbstub_close(ctx->gdb);
    if (ctx->msock)
        mon_socket_close(ctx->msock);
    if (ctx->mon)
        monitor_destroy(ctx->mon);
    debugger_destroy(&ctx->dbg);
    return rc;
}

/* The guest ended: tell the debuggers (GDB gets its W packet). */
static void debug_guest_ended(struct run_ctx *ctx, const struct machine_run_result *res)
{
    struct dbg_stop stop = { .cpu = res->cpu, .exit_code = res->exit_code };
    stop.kind = res->reason == CPU_STOP_FATAL ? DBG_STOP_ERROR : DBG_STOP_EXITED;
    snprintf(stop.message, sizeof stop.message, "%s", res->message);
    debugger_stop(&ctx->dbg, &stop, NULL);
}

/* After a run slice with a journal: replaying, applies the inputs due now
 * and compares checkpoints; recording, takes a checkpoint when one is due.
 * Returns -1 to go on, else the exit status (msg says why). */
static int journal_after_run(struct run_ctx *ctx, const struct machine_run_result *res,
                             char *msg, size_t msglen)
{
    struct journal *j = &ctx->journal;
    struct machine *m = ctx->m;
    if (ctx->journal_failed) {
        snprintf(msg, msglen, "out of memory while recording the input journal");
        return 1;
    }
    if (!journal_replaying(j))
        return journal_checkpoint(j, m) ? (snprintf(msg, msglen, "out of memory while "
                                                    "hashing a checkpoint"), 1) : -1;
    switch (journal_apply_due(j, m, msg, msglen)) {
    case JOURNAL_DIVERGED:
        return 1;
    case JOURNAL_AT_END: {
        uint64_t sum = 0;
        if (journal_state_sum(m, &sum)) {
            snprintf(msg, msglen, "out of memory while hashing the state");
            return 1;
        }
        snprintf(msg, msglen, "replay: complete at instruction %llu; %u inputs and %u "
                 "checkpoints matched the recording; state hash %016llx",
                 (unsigned long long)m->executed, j->inputs_applied, j->checks_matched,
                 (unsigned long long)sum);
        return 0;
    }
    case JOURNAL_AT_RESET:
        if (res->reason == CPU_STOP_RESET)
            break;                  /* the run loop resets, and checks it then */
        snprintf(msg, msglen, "replay diverged: the recording's guest reset the machine at "
                 "instruction %llu, the replay's did not", (unsigned long long)m->executed);
        return 1;
    case JOURNAL_APPLIED:
        break;
    }
    if ((res->reason == CPU_STOP_EXIT || res->reason == CPU_STOP_FATAL) &&
        journal_replaying(j)) {
        snprintf(msg, msglen, "replay diverged: the guest ended at instruction %llu, before "
                 "the recording's next event (at instruction %llu)",
                 (unsigned long long)m->executed,
                 (unsigned long long)j->ev[j->cursor].executed);
        return 1;
    }
    if (res->reason == CPU_STOP_IDLE && res->wake_ns == CLOCK_NEVER && journal_replaying(j) &&
        j->ev[j->cursor].time_ns > m->clock.now_ns) {
        snprintf(msg, msglen, "replay diverged: the guest idles with nothing scheduled at "
                 "instruction %llu, before the recording's next event (at instruction %llu)",
                 (unsigned long long)m->executed,
                 (unsigned long long)j->ev[j->cursor].executed);
        return 1;
    }
    return -1;
}

/* A wait for input of timeout_ms (-1: forever) shortened so that an open
 * window keeps being served. */
static int window_wait(const struct run_ctx *ctx, int timeout_ms)
{
    if (!ctx->win)
        return timeout_ms;
    return timeout_ms < 0 || timeout_ms > 16 ? 16 : timeout_ms;
}

/* Returns the process exit status. Prints nothing itself: the caller does,
 * after the terminal is restored, from *msg. */
static int run_loop(struct run_ctx *ctx, const struct run_options *o,
                    const struct guest *g, char *msg, size_t msglen)
{
    struct machine *m = ctx->m;
    struct terminal *t = &ctx->term;
    struct debugger *d = &ctx->dbg;
    msg[0] = '\0';

    for (;;) {
        if (t->quit) {
            snprintf(msg, msglen, "terminated by Ctrl-A x");
            return 0;
        }
        if (d->quit)
            return 0;
        if (t->monitor_request) {
            t->monitor_request = false;
            ctx->mterm_on_stop = true;
            /* A debugger attached: history starts here. */
            struct orr_error err = { { 0 } };
            if (start_history(ctx, o, &err))
                cli_error("%s", err.msg);   /* the monitor works without it */
            mon_term_enter(&ctx->mterm, NULL);
        }
        if (d->exited) {
            /* A step ended the guest. */
            if (d->last.kind == DBG_STOP_ERROR) {
                snprintf(msg, msglen, "guest error: %s", d->last.message);
                return 1;
            }
            return guest_exit_status(d->last.exit_code);
        }
        if (ctx->mterm.active && !d->stopped) {
            /* Another debugger (GDB, the monitor socket) let the guest
             * run: the terminal goes back to the guest's console. */
            mon_term_leave(&ctx->mterm);
        }
        if (ctx->mterm.active && !t->is_tty)
            mon_term_run_pending(&ctx->mterm);
        if (d->quit)
            return 0;
        if (d->stopped || ctx->mterm.active) {
            if (deadline_passed(ctx))
                goto timeout;
            if (!ctx->mterm.active && !have_debug_sockets(ctx) && t->eof && !ctx->win) {
                snprintf(msg, msglen, "the guest is stopped and nothing is left to resume it");
                return 1;
            }
            service_display(ctx, false);
            if (ctx->window_closed)
                return 0;
            wait_inputs(ctx, window_wait(ctx, ms_to_deadline(ctx)));
            continue;
        }

        struct machine_run_result res;
        uint64_t slice = ctx->journal_on ? journal_slice(&ctx->journal, m, RUN_SLICE_NS)
                                         : RUN_SLICE_NS;
        if (ctx->trace && trace_active(ctx->trace))
            trace_run(ctx->trace, slice, &res);
        else
            machine_run(m, slice, &res);

        if (t->quit) {
            snprintf(msg, msglen, "terminated by Ctrl-A x");
            return 0;
        }
        if (ctx->timed_out || (deadline_passed(ctx) && res.reason != CPU_STOP_EXIT))
            goto timeout;
        if (ctx->journal_on) {
            int jrc = journal_after_run(ctx, &res, msg, msglen);
            if (jrc >= 0)
                return jrc;
        }
        if (ctx->reverse_on) {
            struct orr_error err = { { 0 } };
            if (reverse_after_run(&ctx->rv, &err)) {
                snprintf(msg, msglen, "reverse history: %s", err.msg);
                return 1;
            }
        }
        if (ctx->max_insns_end && m->executed >= ctx->max_insns_end &&
            res.reason == CPU_STOP_BUDGET) {
            snprintf(msg, msglen, "stopped after %llu instructions (--max-insns)",
                     (unsigned long long)o->max_insns);
            return 0;
        }

        switch (res.reason) {
        case CPU_STOP_EXIT:
            debug_guest_ended(ctx, &res);
            return guest_exit_status(res.exit_code);
        case CPU_STOP_FATAL:
            debug_guest_ended(ctx, &res);
            snprintf(msg, msglen, "guest error: %s",
                     res.message[0] ? res.message : "the CPU cannot continue");
            return 1;
        case CPU_STOP_BREAKPOINT:
        case CPU_STOP_WATCHPOINT:
            debugger_machine_stopped(d, &res);
            continue;
        case CPU_STOP_RESET:
            if (o->no_reboot)
                return 0;
            if (!g->image && !g->bios) {
                snprintf(msg, msglen, "the guest reset itself, and there is nothing to boot "
                         "again (the run began from a snapshot; give --kernel to reboot it)");
                return 1;
            }
            if (ctx->journal_on && journal_reset(&ctx->journal, m, msg, msglen))
                return 1;
            machine_reset(m);
            {
                struct orr_error err = { { 0 } };
                if (load_guest(m, g, false, &err) != 0) {
                    snprintf(msg, msglen, "after guest reset: %s", err.msg);
                    return 1;
                }
                /* Instruction counts start again: so does the history. */
                if (ctx->reverse_on && reverse_restart(&ctx->rv, &err) != 0) {
                    snprintf(msg, msglen, "reverse history: %s", err.msg);
                    return 1;
                }
            }
            continue;
        case CPU_STOP_IDLE: {
            /* Nothing to do until an event or input: sleep instead of spin. */
            int wait = -1;
            if (res.wake_ns != CLOCK_NEVER && o->clock == CLOCK_MODE_VIRTUAL) {
                wait = 0;       /* virtual time jumps to the event: no sleeping */
            } else if (res.wake_ns != CLOCK_NEVER) {
                uint64_t now = clock_realtime_now(&m->clock);
                uint64_t ns = res.wake_ns > now ? res.wake_ns - now : 0;
                uint64_t ms = (ns + 999999) / 1000000;
                wait = ms > 1000000000 ? 1000000000 : (int)ms;
            }
            service_display(ctx, true);
            if (ui_input_pending(&ctx->ui))
                wait = 0;       /* the next key goes in at once */
            /* Input can wake the guest only if stdin may still deliver
             * bytes the UART takes (a tty is always read, for Ctrl-A x),
             * or a window is open. */
            bool input_blocked = (t->eof || (!t->is_tty && t->pending_len > 0)) && !ctx->win;
            if (wait < 0 && input_blocked && !have_debug_sockets(ctx)) {
                /* Idle forever in virtual time with no input that could
                 * ever wake it: the run cannot make progress. */
                snprintf(msg, msglen, "guest error: the guest is idle with nothing scheduled "
                         "and no input left to wake it");
                return 1;
            }
            int left = ms_to_deadline(ctx);
            if (left >= 0 && (wait < 0 || left < wait))
                wait = left;
            wait_inputs(ctx, window_wait(ctx, wait));
            break;
        }
        case CPU_STOP_BUDGET:
            service_display(ctx, false);
            wait_inputs(ctx, 0);
            break;
        }
        if (ctx->window_closed) {
            snprintf(msg, msglen, "the window was closed");
            return 0;
        }
        if (t->quit) {
            snprintf(msg, msglen, "terminated by Ctrl-A x");
            return 0;
        }
        feed_serial(ctx);
    }

timeout:
    snprintf(msg, msglen, "timeout: the guest was still running after %g s (--timeout)",
             o->timeout_s);
    return EXIT_TIMEOUT;
}

int cmd_run(int argc, char **argv, bool demo_defaults)
{
    struct run_options o = {
        .trace = { .privilege = -1 },
        .board = "arm-virt",
        .clock = CLOCK_MODE_VIRTUAL,
    };
    int rc = parse_run_options(argc, argv, &o);
    if (rc >= 0)
        return rc;

    for (unsigned i = 0; o.cow_drives && i < o.nbackends; i++) {
        char *text = o.backend_text[i];
        size_t n = strlen(text);
        bool has_opt = (n > 3 && strcmp(text + n - 3, ",ro") == 0) ||
                       (n > 9 && strcmp(text + n - 9, ",snapshot") == 0);
        if (strncmp(text, "blk:", 4) == 0 && !has_opt) {
            if (n + 10 > RUN_BACKEND_TEXT) {
                cli_error("--drive: file name too long");
                return EXIT_USAGE;
            }
            memcpy(text + n, ",snapshot", 10);
        }
    }
    if (o.record && o.replay) {
        cli_error("--record and --replay cannot be used together");
        return EXIT_USAGE;
    }
    if (o.record || o.replay)
        o.clock = CLOCK_MODE_VIRTUAL;   /* the only clock a journal can reproduce */
    if (o.bios && (o.kernel || o.initrd || o.append)) {
        cli_error("--bios starts firmware from flash; it cannot be combined with --kernel, "
                  "--initrd or --append");
        return 1;
    }
    /* No --kernel (and no --bios): the embedded demo, which reports through
     * semihosting. */
    bool demo = o.kernel == NULL && o.bios == NULL && o.snapshot_load == NULL;
    if (demo) {
        o.semihosting = true;
        if (demo_defaults && !o.cpu)
            o.cpu = "arm926ej-s";
    }

    if (o.cpu && !cpu_model_find(o.cpu)) {
        cli_error("unknown CPU model '%s' (see 'orrery cpus')", o.cpu);
        return 1;
    }

    struct orr_error err = { { 0 } };
    struct snapshot snap;
    memset(&snap, 0, sizeof snap);
    uint64_t snap_ns = clock_host_ns();
    if (o.snapshot_load && snapshot_open(o.snapshot_load, &snap, &err) != 0) {
        cli_error("%s", err.msg);
        return 1;
    }
    struct board_blob board;
    if (o.snapshot_load && !o.board_given) {
        /* The snapshot carries its board: no --board needed. */
        memset(&board, 0, sizeof board);
        board.dtb = snap.dtb;
        board.size = snap.dtb_size;
        snprintf(board.name, sizeof board.name, "%s", snap.board);
    } else if (board_resolve(o.board, &board, &err) != 0) {
        cli_error("%s", err.msg);
        snapshot_close(&snap);
        return 1;
    }

    uint8_t *kernel = NULL;
    size_t kernel_len = 0;
    struct guest g = { .append = o.append };
    int status = 1;
    struct run_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if (o.bios) {
        if (load_file(o.bios, KERNEL_MAX_BYTES, &g.bios, &g.bios_len, &err) != 0 ||
            (o.dtb && load_file(o.dtb, KERNEL_MAX_BYTES, &g.dtb, &g.dtb_len, &err) != 0)) {
            cli_error("%s", err.msg);
            goto out;
        }
    } else if (o.snapshot_load && !o.kernel) {
        /* Everything is in the snapshot; a guest reset has nothing to boot. */
        if (o.initrd || o.append || o.dtb) {
            cli_error("--initrd, --append and --dtb need a Linux kernel (--kernel)");
            goto out;
        }
    } else if (demo) {
        g.image = rom_demo_elf;
        g.image_len = rom_demo_elf_size;
        if (o.initrd || o.append || o.dtb) {
            cli_error("--initrd, --append and --dtb need a Linux kernel (--kernel)");
            goto out;
        }
    } else {
        if (load_file(o.kernel, KERNEL_MAX_BYTES, &kernel, &kernel_len, &err) != 0 ||
            check_elf_shape(o.kernel, kernel, kernel_len, &err) != 0) {
            cli_error("%s", err.msg);
            goto out;
        }
        g.image = kernel;
        g.image_len = kernel_len;
        /* An ELF is a bare-metal program, except Linux's own vmlinux
         * (x86 boots it with the Linux boot protocol). */
        g.linux_boot = !loader_is_elf(kernel, kernel_len) ||
                       x86_boot_is_vmlinux(kernel, kernel_len);
        if (!g.linux_boot && (o.initrd || o.append || o.dtb)) {
            cli_error("%s: --initrd, --append and --dtb need a Linux kernel image (zImage, "
                      "uImage, Image, bzImage or an x86 vmlinux), not an ELF executable",
                      o.kernel);
            goto out;
        }
        if ((o.initrd && load_file(o.initrd, KERNEL_MAX_BYTES, &g.initrd, &g.initrd_len,
                                   &err) != 0) ||
            (o.dtb && load_file(o.dtb, KERNEL_MAX_BYTES, &g.dtb, &g.dtb_len, &err) != 0)) {
            cli_error("%s", err.msg);
            goto out;
        }
    }

    struct machine_config cfg = {
        .dtb = board.dtb,
        .dtb_size = board.size,
        .board_name = board.name,
        .cpu_model = o.cpu ? o.cpu : o.snapshot_load ? snap.cpu_models[0] : NULL,
        .ram_size = o.ram_size ? o.ram_size : snap.ram_size,
        .clock_mode = o.clock,
        .semihosting = o.semihosting,
        .backends = o.backends,
        .nbackends = o.nbackends,
        .log = { .sink = o.verbose ? log_to_stderr : NULL, .mask = log_mask_for(o.verbose) },
        .host = { .opaque = &ctx, .console_write = console_write,
                  .console_readc = console_readc },
    };

    if (machine_create(&cfg, &ctx.m, &err) != 0) {
        cli_error("%s", err.msg);
        goto out;
    }
    for (unsigned i = 0; i < ctx.m->nserial; i++) {
        /* Every port prints; input goes to the first one. */
        ctx.m->serial[i].host_write = console_write;
        ctx.m->serial[i].host_opaque = &ctx;
    }
    if (o.snapshot_load) {
        if (snapshot_apply(&snap, ctx.m, &err) != 0) {
            cli_error("%s: %s", o.snapshot_load, err.msg);
            goto out;
        }
        snap_ns = clock_host_ns() - snap_ns;
    } else if (load_guest(ctx.m, &g, true, &err) != 0) {
        if (g.bios)
            cli_error("%s: %s", o.bios, err.msg);
        else if (demo)
            cli_error("embedded demo: %s", err.msg);
        else if (strstr(err.msg, o.kernel))
            cli_error("%s", err.msg);
        else
            cli_error("%s: %s", o.kernel, err.msg);
        goto out;
    }

    if (o.max_insns) {
        ctx.max_insns_end = ctx.m->executed + o.max_insns;
        ctx.m->run_limit = ctx.max_insns_end;   /* exact with one CPU */
    }
    if (o.record || o.replay) {
        if (o.replay) {
            if (journal_read(o.replay, &ctx.journal, &err) != 0) {
                cli_error("--replay: %s", err.msg);
                goto out;
            }
        } else {
            journal_init(&ctx.journal, o.check_interval_given ? o.check_interval
                                                              : JOURNAL_DEFAULT_INTERVAL,
                         JOURNAL_DEFAULT_RAM_EVERY);
            ctx.journal.next_check = ctx.m->executed + ctx.journal.check_interval;
            if (journal_start(&ctx.journal, ctx.m) != 0) {
                cli_error("--record: out of memory");
                goto out;
            }
        }
        ctx.journal_on = true;
        ctx.recording = o.record != NULL;
    }
    if (debug_setup(&ctx, &o, &g, &err) != 0) {
        cli_error("%s", err.msg);
        goto out;
    }
    if (o.screenshot_at_exit && !machine_display(ctx.m)) {
        cli_error("--screenshot-at-exit: the %s board has no display", ctx.m->board_name);
        goto out;
    }
    if (o.display == DISPLAY_SDL && !machine_display(ctx.m)) {
        cli_error("--display sdl: the %s board has no display", ctx.m->board_name);
        goto out;
    }
    if (o.display == DISPLAY_SDL ||
        (o.display == DISPLAY_AUTO && machine_display(ctx.m) && window_available())) {
        o.window.board = ctx.m->board_name;
        if (window_open(&ctx.win, &o.window, &err) != 0) {
            if (o.display == DISPLAY_SDL) {
                cli_error("--display sdl: %s", err.msg);
                goto out;
            }
            ctx.win = NULL;   /* auto: headless after all */
        }
        ctx.mips_host_ns = clock_host_ns();
    }
    if (o.timeout_s > 0)
        ctx.deadline_ns = clock_host_ns() + (uint64_t)(o.timeout_s * 1e9);
    terminal_open(&ctx.term);
    ctx.stdin_script = o.monitor && !ctx.term.is_tty;
    if (o.gdb_wait || o.monitor) {
        struct dbg_stop start = { .kind = DBG_STOP_START, .pc = debugger_pc(&ctx.dbg, 0) };
        ctx.dbg.stopped = true;
        ctx.dbg.last = start;
        if (o.monitor)
            mon_term_enter(&ctx.mterm, &start);
    }
    char msg[512];
    uint64_t host_start = clock_host_ns();
    status = run_loop(&ctx, &o, &g, msg, sizeof msg);
    uint64_t host_ns = clock_host_ns() - host_start;
    mon_term_leave(&ctx.mterm);
    terminal_close(&ctx.term);
    if (o.stats) {
        double secs = (double)host_ns / 1e9;
        fprintf(stderr, "orrery: stats: %llu instructions in %.3f s of host time (%.1f MIPS)\n",
                (unsigned long long)ctx.m->executed, secs,
                secs > 0 ? (double)ctx.m->executed / secs / 1e6 : 0.0);
    }
    if (o.snapshot_load && o.stats)
        fprintf(stderr, "orrery: stats: snapshot %s read and loaded in %.3f s\n",
                o.snapshot_load, (double)snap_ns / 1e9);
    if (msg[0]) {
        if (ctx.term.is_tty)
            fputc('\n', stderr);   /* the guest may have left the cursor mid-line */
        cli_error("%s", msg);
    }
    if (o.record && ctx.journal_on) {
        uint64_t sum = 0;
        if (journal_end(&ctx.journal, ctx.m, &sum) != 0 ||
            journal_write(&ctx.journal, o.record, &err) != 0) {
            cli_error("--record: %s", err.msg[0] ? err.msg : "out of memory");
            status = status ? status : 1;
        } else {
            unsigned inputs = 0, checks = 0;
            for (size_t i = 0; i < ctx.journal.count; i++) {
                inputs += ctx.journal.ev[i].kind == JOURNAL_CONSOLE ||
                          ctx.journal.ev[i].kind == JOURNAL_INPUT ||
                          ctx.journal.ev[i].kind == JOURNAL_UI;
                checks += ctx.journal.ev[i].kind == JOURNAL_CHECK;
            }
            fprintf(stderr, "orrery: record: %u inputs and %u checkpoints to %s, ending at "
                    "instruction %llu; state hash %016llx\n", inputs, checks, o.record,
                    (unsigned long long)ctx.m->executed, (unsigned long long)sum);
        }
    }
    if (o.screenshot_at_exit && ui_screendump(ctx.m, o.screenshot_at_exit, &err) != 0) {
        cli_error("--screenshot-at-exit: %s", err.msg);
        status = status ? status : 1;
    }
    if (o.snapshot_save) {
        uint64_t t0 = clock_host_ns();
        if (snapshot_save(ctx.m, o.snapshot_save, &err) != 0) {
            cli_error("--snapshot-save-at-exit: %s", err.msg);
            status = status ? status : 1;
        } else if (o.stats) {
            fprintf(stderr, "orrery: stats: snapshot saved to %s in %.3f s\n",
                    o.snapshot_save, (double)(clock_host_ns() - t0) / 1e9);
        }
    }

out:
    window_close(ctx.win);
    frame_free(&ctx.frame);
    ui_input_free(&ctx.ui);
    if (debug_teardown(&ctx) && status == 0)
        status = 1;   /* the run was fine but its trace is incomplete */
    if (ctx.m)
        machine_destroy(ctx.m);
    free(kernel);
    free(g.initrd);
    free(g.dtb);
    free(g.bios);
    board_blob_free(&board);
    snapshot_close(&snap);
    journal_free(&ctx.journal);
    return status;
}
