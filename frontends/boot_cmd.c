/* `orrery boot GUEST [RUN-OPTIONS]`: builds a ready-made guest with its
 * builder script (docs/guest-builder.md) and boots it as `orrery run` would,
 * with the guest's kernel, initrd, command line, disk and memory size
 * placed before the user's options (so a later -m or --append wins).
 *
 * The builder is a separate program: its progress lines (stderr) are shown
 * on one rewritten terminal line, its result (stdout) is the three artifact
 * paths, and its failure becomes one "orrery: " error line. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frontends/cli.h"
#include "orrery_config.h"

/* A guest `orrery boot` knows: which builder makes it and how to boot it. */
struct boot_guest {
    const char *name;            /* also the builder's --guest */
    const char *builder;         /* script file name (scripts/, or libexecdir) */
    const char *board;           /* --board */
    bool disk;                   /* the builder makes a disk: --drive */
    bool vmlinux;                /* boot the host-decompressed kernel (--vmlinux) */
    bool virtio_input;           /* add virtio keyboard, tablet and touch screen */
    const char *memory;          /* default -m */
    const char *append;          /* default --append */
    const char *clock;           /* default --clock: realtime for an interactive
                                    guest, whose idle shell then sleeps (the
                                    virtual clock would race through idle time) */
    const char *summary;
};

/* The kernel's log goes to the screen (tty1) as well as the serial console;
 * the serial console is named last, so it is /dev/console. */
static const struct boot_guest boot_guests[] = {
    { "debian-arm", "debian-guest", "arm-virt", true, false, true, "256M",
      "console=tty1 console=ttyAMA0",
      "realtime",
      "Debian bookworm armmp kernel, busybox initramfs, ext2 disk on virtio" },
    /* -m sizes the pc board's RAM above 1 MiB: 255M makes 256 MiB in all.
     * The kernel decompressed on the host and no crypto self-tests: a
     * prompt in seconds instead of minutes (6.5 billion instructions, 2.3
     * of them in the decompressor, most of the rest in the self-tests). */
    { "debian-x86", "debian-guest", "pc", false, true, false, "255M",
      "console=tty1 console=ttyS0 cryptomgr.notests", "realtime",
      "Debian bookworm 686 kernel on the pc board, busybox initramfs" },
};

#define BOOT_GUEST_COUNT (sizeof boot_guests / sizeof boot_guests[0])
#define BUILDER_NETWORK_STATUS 3  /* the builder's "archive unreachable" */
#define BUILDER_OUT_MAX (3 * PATH_MAX + 16)
#define BUILDER_LINE_MAX 1024

static const struct boot_guest *boot_guest_find(const char *name)
{
    for (size_t i = 0; i < BOOT_GUEST_COUNT; i++)
        if (strcmp(boot_guests[i].name, name) == 0)
            return &boot_guests[i];
    return NULL;
}

static void known_guests(char *buf, size_t len)
{
    buf[0] = '\0';
    for (size_t i = 0; i < BOOT_GUEST_COUNT; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", boot_guests[i].name);
    }
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Where the builder script is: $ORRERY_GUEST_SCRIPTS if set; the installed
 * copy (libexecdir/orrery) when this binary is the installed one; else the
 * source tree this binary was built from. Returns false if none exists. */
static bool find_builder(const char *script, char *path, size_t len)
{
    const char *dir = getenv("ORRERY_GUEST_SCRIPTS");
    if (dir && *dir) {
        snprintf(path, len, "%s/%s", dir, script);
        return is_file(path);
    }
    char exe[PATH_MAX], bindir[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        if (realpath(ORRERY_INSTALL_BINDIR, bindir) && strcmp(bindir, exe) == 0) {
            snprintf(path, len, "%s/%s", ORRERY_INSTALL_LIBEXECDIR, script);
            if (is_file(path))
                return true;
        }
    }
    snprintf(path, len, "%s/scripts/%s", ORRERY_SOURCE_DIR, script);
    return is_file(path);
}

/* The builder's output, gathered while it runs. */
struct builder_run {
    char out[BUILDER_OUT_MAX];   /* stdout: the artifact paths */
    size_t out_len;
    bool out_overflow;
    char line[BUILDER_LINE_MAX]; /* the stderr line being read */
    size_t line_len;
    char error[BUILDER_LINE_MAX];/* the last "error: " line, without prefix */
    char last[BUILDER_LINE_MAX]; /* the last other line (a crash's last words) */
    char prefix[64];             /* "<builder>: ", how its lines start */
    bool tty;                    /* stderr is a terminal: rewrite one line */
    bool progress_shown;         /* a progress line is on the terminal */
};

/* One complete stderr line of the builder: an error is kept for the final
 * message; anything else is progress. */
static void builder_line(struct builder_run *b, const char *guest, char *text)
{
    const char *msg = text;
    size_t plen = strlen(b->prefix);
    if (strncmp(text, b->prefix, plen) == 0)
        msg = text + plen;       /* drop the builder's "name: " prefix */
    if (strncmp(msg, "error: ", 7) == 0) {
        snprintf(b->error, sizeof b->error, "%s", msg + 7);
        return;
    }
    snprintf(b->last, sizeof b->last, "%s", msg);
    if (b->tty)                  /* kept short so it never wraps */
        fprintf(stderr, "\r\033[Korrery: %s: %.60s", guest, msg);
    else
        fprintf(stderr, "orrery: %s: %s\n", guest, msg);
    b->progress_shown = true;
    fflush(stderr);
}

static void builder_stderr(struct builder_run *b, const char *guest,
                           const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n' || data[i] == '\r') {
            b->line[b->line_len] = '\0';
            if (b->line_len)
                builder_line(b, guest, b->line);
            b->line_len = 0;
        } else if (b->line_len < sizeof b->line - 1) {
            b->line[b->line_len++] = data[i];
        }
    }
}

/* Runs `python3 SCRIPT --guest NAME --print-paths [--user-disk|--vmlinux]` with stdin
 * from /dev/null and reads both its outputs until they close. Returns its
 * exit status, or -1 with a message in b->error when it could not be run
 * at all. */
static int run_builder(const char *script, const struct boot_guest *g, struct builder_run *b)
{
    const char *guest = g->name;
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0)
        goto no_pipe;
    if (pipe(err_pipe) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        goto no_pipe;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(b->error, sizeof b->error, "cannot start the builder: %s", strerror(errno));
        close(out_pipe[0]); close(out_pipe[1]);
        close(err_pipe[0]); close(err_pipe[1]);
        return -1;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]); close(out_pipe[1]);
        close(err_pipe[0]); close(err_pipe[1]);
        char *argv[] = { (char *)"python3", (char *)script, (char *)"--guest",
                         (char *)g->name, (char *)"--print-paths",
                         g->disk ? (char *)"--user-disk"
                                 : g->vmlinux ? (char *)"--vmlinux" : NULL, NULL };
        execvp(argv[0], argv);
        dprintf(2, "%serror: cannot run python3: %s\n", b->prefix, strerror(errno));
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);

    struct pollfd fds[2] = { { .fd = out_pipe[0], .events = POLLIN },
                             { .fd = err_pipe[0], .events = POLLIN } };
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                size_t room = sizeof b->out - 1 - b->out_len;
                size_t take = (size_t)n < room ? (size_t)n : room;
                memcpy(b->out + b->out_len, buf, take);
                b->out_len += take;
                b->out_overflow |= take < (size_t)n;
            } else {
                builder_stderr(b, guest, buf, (size_t)n);
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    builder_stderr(b, guest, "\n", 1);       /* a last line without newline */
    b->out[b->out_len] = '\0';

    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(b->error, sizeof b->error, "waiting for the builder: %s",
                     strerror(errno));
            return -1;
        }
    }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    snprintf(b->error, sizeof b->error, "the builder was killed by signal %d",
             WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;

no_pipe:
    snprintf(b->error, sizeof b->error, "cannot start the builder: %s", strerror(errno));
    return -1;
}

/* Splits the builder's stdout into exactly `want` non-empty lines. */
static bool split_paths(char *out, char *paths[3], int want)
{
    int count = 0;
    char *save = NULL;
    for (char *tok = strtok_r(out, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
        if (count == want)
            return false;
        paths[count++] = tok;
    }
    return count == want;
}

int cmd_boot(int argc, char **argv)
{
    char names[256];
    known_guests(names, sizeof names);
    if (argc == 0) {
        cli_error("boot: name a guest (known: %s)", names);
        return EXIT_USAGE;
    }
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        print_help();
        return 0;
    }
    const struct boot_guest *g = boot_guest_find(argv[0]);
    if (!g) {
        cli_error("boot: unknown guest '%s' (known: %s)", argv[0], names);
        return EXIT_USAGE;
    }

    char script[PATH_MAX + 64];
    if (!find_builder(g->builder, script, sizeof script)) {
        cli_error("boot: cannot find the guest builder %s (looked for %s)",
                  g->builder, script);
        return 1;
    }

    struct builder_run *b = calloc(1, sizeof *b);
    if (!b) {
        cli_error("out of memory");
        return 1;
    }
    b->tty = isatty(2);
    snprintf(b->prefix, sizeof b->prefix, "%s: ", g->builder);
    int status = run_builder(script, g, b);
    if (b->progress_shown && b->tty)
        fputc('\n', stderr);
    char *paths[3] = { NULL, NULL, NULL };
    int npaths = g->disk ? 3 : 2;
    if (status != 0 || b->out_overflow || !split_paths(b->out, paths, npaths)) {
        if (status == BUILDER_NETWORK_STATUS)
            cli_error("boot: cannot build the %s guest: Debian's archive is unreachable (%s)",
                      g->name, b->error[0] ? b->error : "no detail");
        else if (status != 0)
            cli_error("boot: cannot build the %s guest: %s", g->name,
                      b->error[0] ? b->error
                      : b->last[0] ? b->last : "the builder failed without a message");
        else
            cli_error("boot: the %s builder did not print %d paths", g->name, npaths);
        free(b);
        return 1;
    }

    /* The guest's options first, then the user's: the last one of each wins,
     * and the user's --drive/--device backends take the virtio slots after
     * the guest's. */
    enum { FIXED = 14, INPUTS = 6 };
    char **run_argv = calloc((size_t)argc - 1 + FIXED + INPUTS + 1, sizeof *run_argv);
    if (!run_argv) {
        free(b);
        cli_error("out of memory");
        return 1;
    }
    const char *fixed[FIXED] = { "--board", g->board, "--kernel", paths[0],
                                 "--initrd", paths[1], "-m", g->memory,
                                 "--append", g->append, "--clock", g->clock,
                                 "--drive", paths[2] };
    /* A keyboard, a tablet and a touch screen on virtio, after the disk. */
    static const char *const inputs[INPUTS] = { "--device", "input-keyboard",
                                                "--device", "input-tablet",
                                                "--device", "input-touch" };
    int n = 0;
    for (; n < (g->disk ? FIXED : FIXED - 2); n++)
        run_argv[n] = (char *)fixed[n];
    for (int i = 0; g->virtio_input && i < INPUTS; i++)
        run_argv[n++] = (char *)inputs[i];
    for (int i = 1; i < argc; i++)
        run_argv[n++] = argv[i];
    run_argv[n] = NULL;
    int rc = cmd_run(n, run_argv, false);
    free(run_argv);
    free(b);
    return rc;
}
