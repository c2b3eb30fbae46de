/* orrery: the command-line entry point. Picks the subcommand; everything
 * else lives in the cmd_* functions (frontends/cli.h). */
#include <stdio.h>
#include <string.h>

#include "frontends/cli.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return cmd_run(0, argv + argc, true);

    const char *cmd = argv[1];
    int rest_argc = argc - 2;
    char **rest = argv + 2;

    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        print_help();
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        print_version();
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(rest_argc, rest, false);
    if (strcmp(cmd, "boards") == 0)
        return cmd_boards(rest_argc, rest);
    if (strcmp(cmd, "cpus") == 0)
        return cmd_cpus(rest_argc, rest);
    if (strcmp(cmd, "devices") == 0)
        return cmd_devices(rest_argc, rest);
    if (strcmp(cmd, "boot") == 0)
        return cmd_boot(rest_argc, rest);
    if (strcmp(cmd, "conformance") == 0)
        return cmd_conformance(rest_argc, rest);

    /* Options with no subcommand: the demo, with those options. */
    if (cmd[0] == '-')
        return cmd_run(argc - 1, argv + 1, true);

    cli_error("unknown command '%s' (see 'orrery --help')", cmd);
    return EXIT_USAGE;
}
