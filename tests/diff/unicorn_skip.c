/* Stands in for orrery-unicorn-diff when Unicorn is not installed: the
 * 'unicorn-diff' test then reports itself skipped (exit status 77). */
#include <stdio.h>

int main(void)
{
    printf("skipped: libunicorn-dev not installed\n");
    return 77;
}
