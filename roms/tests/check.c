/* Runner shared by the self-checking ROMs: calls each test group listed
 * in `test_groups` (defined by the assembly file), prints one line per
 * group on the UART, and exits through SYS_EXIT_EXTENDED with subcode 0
 * when every check passed, else the number of the first failed check. */
#include "rt.h"

struct test_group {
    const char *name;
    int (*run)(void);   /* 0, or the failed check number */
};

extern const struct test_group test_groups[];
extern const char test_program_name[];

int main(void)
{
    int failed = 0;
    uart_puts(test_program_name);
    uart_puts(": self-check\n");
    for (const struct test_group *g = test_groups; g->name; g++) {
        int r = g->run();
        uart_puts("  ");
        uart_puts(g->name);
        if (r == 0) {
            uart_puts(": ok\n");
        } else {
            uart_puts(": FAIL at check ");
            uart_putdec(r);
            uart_putc('\n');
            if (!failed)
                failed = r;
        }
    }
    uart_puts(failed ? "FAILED\n" : "PASSED\n");
    return failed;
}
