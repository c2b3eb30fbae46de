/* The `orrery` command: shared declarations of the frontend's parts.
 *
 * Exit statuses are the same for every subcommand (docs/cli.md):
 *   0    success (or the guest's own semihosting exit code)
 *   1    an error: bad host input, guest error, failed conformance run
 *   2    usage: unknown option, missing or malformed value
 *   124  --timeout expired
 * Every error is exactly one line on stderr, starting with "orrery: ". */
#ifndef ORRERY_FRONTENDS_CLI_H
#define ORRERY_FRONTENDS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

#define EXIT_USAGE 2
#define EXIT_TIMEOUT 124

/* Prints "orrery: <message>" as one line on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Option scanning shared by the subcommands. Accepts "--name value",
 * "--name=value", and for single-letter options "-m value" and "-mvalue". */
struct opt_scan {
    int argc;
    char **argv;
    int index;              /* next argument to look at */
};

/* If argv[index] is the option (long name, optional short name), returns
 * true and sets *value (NULL for a flag). A flag given "=value" or a valued
 * option missing its value sets *bad to a usage message. */
bool opt_match(struct opt_scan *s, const char *long_name, const char *short_name,
               bool takes_value, const char **value, char *bad, size_t badlen);

/* Strict parsers: the whole string must be consumed. They return 0, or -1
 * with a one-line reason in err. */
int parse_size(const char *text, uint64_t *bytes, struct orr_error *err) ORR_MUST_CHECK;
int parse_seconds(const char *text, double *seconds, struct orr_error *err) ORR_MUST_CHECK;
int parse_percent(const char *text, double *percent, struct orr_error *err) ORR_MUST_CHECK;
/* A whole unsigned number in C notation (0x.. hex, 0.. octal, decimal);
 * 0 or -1, without a message (callers name what the number is for). */
int parse_u64(const char *text, uint64_t *value) ORR_MUST_CHECK;

/* Subcommands: each returns the process exit status. */
int cmd_run(int argc, char **argv, bool demo_defaults);
int cmd_boards(int argc, char **argv);
int cmd_cpus(int argc, char **argv);
int cmd_devices(int argc, char **argv);
int cmd_conformance(int argc, char **argv);
int cmd_boot(int argc, char **argv);

/* The one place the usage text lives (frontends/help.c). */
void print_help(void);
void print_version(void);

#endif
