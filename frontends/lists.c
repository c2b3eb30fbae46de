/* `orrery boards`, `orrery cpus`, `orrery devices`: what this build has. */
#include <stdio.h>
#include <string.h>

#include "cpu/cpu.h"
#include "frontends/cli.h"
#include "machine/boards.h"
#include "machine/device.h"

/* These commands take no arguments beyond --help. */
static int no_arguments(const char *cmd, int argc, char **argv)
{
    if (argc == 0)
        return -1;
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        print_help();
        return 0;
    }
    if (argv[0][0] == '-')
        cli_error("%s: unknown option '%s' (see 'orrery --help')", cmd, argv[0]);
    else
        cli_error("%s: unexpected argument '%s' (see 'orrery --help')", cmd, argv[0]);
    return EXIT_USAGE;
}

int cmd_boards(int argc, char **argv)
{
    int rc = no_arguments("boards", argc, argv);
    if (rc >= 0)
        return rc;
    size_t count = 0;
    const struct builtin_board *b = builtin_board_list(&count);
    for (size_t i = 0; i < count; i++)
        printf("%-16s %s\n", b[i].name, b[i].summary ? b[i].summary : "");
    return 0;
}

int cmd_cpus(int argc, char **argv)
{
    int rc = no_arguments("cpus", argc, argv);
    if (rc >= 0)
        return rc;
    for (size_t i = 0; i < cpu_model_count(); i++) {
        const struct cpu_model *m = cpu_model_at(i);
        printf("%-16s %-5s %s\n", m->name, m->isa ? m->isa : "", m->summary ? m->summary : "");
    }
    return 0;
}

int cmd_devices(int argc, char **argv)
{
    int rc = no_arguments("devices", argc, argv);
    if (rc >= 0)
        return rc;
    size_t count = 0;
    const struct device_model *const *list = device_model_list(&count);
    for (size_t i = 0; i < count; i++) {
        const struct device_model *d = list[i];
        printf("%-16s %s\n", d->name, d->summary ? d->summary : "");
        if (d->compatible) {
            printf("%-16s compatible:", "");
            for (const char *const *c = d->compatible; *c; c++)
                printf(" \"%s\"", *c);
            printf("\n");
        }
    }
    return 0;
}
