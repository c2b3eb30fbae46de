/* Resolving --board: builtin name, .dtb file, or .dts file through dtc. */
#include "frontends/board_file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "machine/boards.h"
#include "machine/loader.h"

extern char **environ;

#define BOARD_MAX_BYTES (16u << 20)     /* a board tree is kilobytes; this is generous */
#define DTC_MAX_STDERR 65536

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Collects the names of the builtin boards for a helpful message. */
static void builtin_names(char *buf, size_t len)
{
    size_t count = 0;
    const struct builtin_board *list = builtin_board_list(&count);
    buf[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, len - used, "%s%s", i ? ", " : "", list[i].name);
    }
}

/* dtc reports errors in a few shapes:
 *   "Error: f.dts:5.1-2 syntax error" then "FATAL ERROR: Unable to parse input tree"
 *   "ERROR (duplicate_node_names): /x: Duplicate node name" then "ERROR: Input tree has errors..."
 *   "FATAL ERROR: Couldn't open "f": No such file or directory"
 * The most specific line is the first error that is not one of the generic
 * closing lines; warnings are skipped. */
static void condense_dtc_errors(char *text, char *out, size_t outlen)
{
    const char *first_error = NULL, *first_fatal = NULL, *first_line = NULL;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line)
            continue;
        if (!first_line)
            first_line = line;
        bool generic = strstr(line, "Unable to parse input tree") ||
                       strstr(line, "Input tree has errors");
        if (!first_fatal && strncmp(line, "FATAL ERROR", 11) == 0 && !generic)
            first_fatal = line;
        if (!first_error && !generic && !strstr(line, "Warning") &&
            (strstr(line, "Error") || strstr(line, "ERROR")))
            first_error = line;
    }
    const char *pick = first_error ? first_error : first_fatal ? first_fatal : first_line;
    if (!pick) {
        snprintf(out, outlen, "dtc reported no details");
        return;
    }
    static const char *const prefixes[] = { "FATAL ERROR: ", "Error: ", "ERROR: " };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(pick, prefixes[i], n) == 0) {
            pick += n;
            break;
        }
    }
    snprintf(out, outlen, "%s", pick);
}

/* Appends up to n bytes read from fd to a growing buffer, bounded by cap.
 * Returns bytes read, 0 at EOF, -1 on error. */
static ssize_t drain(int fd, uint8_t **buf, size_t *len, size_t *alloc, size_t cap)
{
    uint8_t chunk[16384];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n <= 0)
        return n < 0 && errno == EINTR ? 1 : n;
    size_t keep = (size_t)n;
    if (*len + keep > cap)
        keep = cap > *len ? cap - *len : 0;    /* over the cap: discard */
    if (*len + keep > *alloc) {
        size_t want = *alloc ? *alloc : 65536;
        while (want < *len + keep)
            want *= 2;
        uint8_t *grown = realloc(*buf, want);
        if (!grown)
            return -1;
        *buf = grown;
        *alloc = want;
    }
    memcpy(*buf + *len, chunk, keep);
    *len += keep;
    return n;
}

int board_compile_dts(const char *path, uint8_t **dtb, size_t *len, struct orr_error *err)
{
    int out_pipe[2] = { -1, -1 }, err_pipe[2] = { -1, -1 };
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) {
        int e = errno;
        for (int i = 0; i < 2; i++) {
            if (out_pipe[i] >= 0)
                close(out_pipe[i]);
            if (err_pipe[i] >= 0)
                close(err_pipe[i]);
        }
        return orr_fail(err, "%s: cannot run dtc: %s", path, strerror(e));
    }

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
    posix_spawn_file_actions_addclose(&fa, out_pipe[0]);
    posix_spawn_file_actions_addclose(&fa, err_pipe[0]);
    posix_spawn_file_actions_addclose(&fa, out_pipe[1]);
    posix_spawn_file_actions_addclose(&fa, err_pipe[1]);

    char *argv[] = { "dtc", "-I", "dts", "-O", "dtb", "--", (char *)path, NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, "dtc", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        if (rc == ENOENT)
            return orr_fail(err, "%s: cannot compile: dtc not found "
                            "(install the device-tree-compiler package)", path);
        return orr_fail(err, "%s: cannot run dtc: %s", path, strerror(rc));
    }

    /* Read both pipes together so neither can fill up and stall dtc. */
    uint8_t *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, oalloc = 0, elen = 0, ealloc = 0;
    bool oopen = true, eopen = true, failed = false;
    while (oopen || eopen) {
        struct pollfd p[2] = {
            { .fd = oopen ? out_pipe[0] : -1, .events = POLLIN },
            { .fd = eopen ? err_pipe[0] : -1, .events = POLLIN },
        };
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            failed = true;
            break;
        }
        if (oopen && p[0].revents) {
            ssize_t n = drain(out_pipe[0], &obuf, &olen, &oalloc, BOARD_MAX_BYTES + 1);
            if (n <= 0) {
                oopen = false;
                failed |= n < 0;
            }
        }
        if (eopen && p[1].revents) {
            ssize_t n = drain(err_pipe[0], &ebuf, &elen, &ealloc, DTC_MAX_STDERR);
            if (n <= 0) {
                eopen = false;
                failed |= n < 0;
            }
        }
    }
    close(out_pipe[0]);
    close(err_pipe[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;

    int result = 0;
    if (failed) {
        result = orr_fail(err, "%s: reading dtc's output failed", path);
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char line[200];
        char *text = malloc(elen + 1);
        if (text) {
            if (elen)
                memcpy(text, ebuf, elen);
            text[elen] = '\0';
            condense_dtc_errors(text, line, sizeof line);
            free(text);
        } else {
            snprintf(line, sizeof line, "dtc failed");
        }
        if (WIFEXITED(status))
            result = orr_fail(err, "board %s: %s", base_name(path), line);
        else
            result = orr_fail(err, "board %s: dtc was killed by signal %d", base_name(path),
                              WTERMSIG(status));
    } else if (olen > BOARD_MAX_BYTES) {
        result = orr_fail(err, "board %s: compiled tree is larger than %u bytes",
                          base_name(path), BOARD_MAX_BYTES);
    } else if (olen == 0) {
        result = orr_fail(err, "board %s: dtc produced no output", base_name(path));
    }
    free(ebuf);
    if (result != 0) {
        free(obuf);
        return result;
    }
    *dtb = obuf;
    *len = olen;
    return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_fdt(const uint8_t *data, size_t len)
{
    return len >= 4 && data[0] == 0xd0 && data[1] == 0x0d && data[2] == 0xfe && data[3] == 0xed;
}

int board_resolve(const char *spec, struct board_blob *out, struct orr_error *err)
{
    memset(out, 0, sizeof *out);
    const struct builtin_board *b = builtin_board_find(spec);
    if (b) {
        out->dtb = b->dtb;
        out->size = b->dtb_size;
        snprintf(out->name, sizeof out->name, "%s", b->name);
        return 0;
    }

    struct stat st;
    if (stat(spec, &st) != 0) {
        int e = errno;
        if (!strchr(spec, '/') && !strchr(spec, '.')) {
            char names[256];
            builtin_names(names, sizeof names);
            return orr_fail(err, "unknown board '%s' (builtin boards: %s; or give a .dts or "
                            ".dtb file)", spec, names);
        }
        return orr_fail(err, "board file %s: %s", spec, strerror(e));
    }
    if (!S_ISREG(st.st_mode))
        return orr_fail(err, "board file %s: not a regular file", spec);

    uint8_t *data = NULL;
    size_t len = 0;
    if (load_file(spec, BOARD_MAX_BYTES, &data, &len, err) != 0)
        return orr_fail_prefix(err, "board file %s", spec);
    snprintf(out->name, sizeof out->name, "%s", base_name(spec));

    /* By content, not by name: a tree blob starts with the FDT magic. */
    if (is_fdt(data, len)) {
        out->owned = data;
        out->dtb = data;
        out->size = len;
        return 0;
    }
    free(data);
    if (has_suffix(spec, ".dtb"))
        return orr_fail(err, "board file %s: not a flattened device tree (bad magic)", spec);

    uint8_t *dtb = NULL;
    size_t dlen = 0;
    if (board_compile_dts(spec, &dtb, &dlen, err) != 0)
        return -1;
    out->owned = dtb;
    out->dtb = dtb;
    out->size = dlen;
    return 0;
}

void board_blob_free(struct board_blob *b)
{
    free(b->owned);
    memset(b, 0, sizeof *b);
}
