/* The frontend's strict parsers, option matching, and the run-time DTS
 * compilation (one line of dtc's complaint on failure). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontends/board_file.h"
#include "frontends/cli.h"
#include "tests/unit/unit.h"

START_TEST(sizes)
{
    struct orr_error err = { { 0 } };
    uint64_t v = 0;
    ck_assert_int_eq(parse_size("256M", &v, &err), 0);
    ck_assert_uint_eq(v, 256ull << 20);
    ck_assert_int_eq(parse_size("1G", &v, &err), 0);
    ck_assert_uint_eq(v, 1ull << 30);
    ck_assert_int_eq(parse_size("64", &v, &err), 0);      /* bare number: MiB */
    ck_assert_uint_eq(v, 64ull << 20);
    ck_assert_int_eq(parse_size("512k", &v, &err), 0);
    ck_assert_uint_eq(v, 512ull << 10);
    ck_assert_int_eq(parse_size("2GiB", &v, &err), 0);
    ck_assert_uint_eq(v, 2ull << 30);

    static const char *const bad[] = {
        "", "M", "12Q", "-5M", "+5M", " 5M", "5M ", "1.5G", "0", "0M", "1001K",
        "99999999999999999999G", "16777216T", "5MM", "0x100M", "5 M",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        ck_assert_msg(parse_size(bad[i], &v, &err) == -1, "accepted '%s'", bad[i]);
        ck_assert_msg(err.msg[0] != '\0' && !strchr(err.msg, '\n'), "message for '%s'", bad[i]);
    }
}
END_TEST

START_TEST(seconds_and_percent)
{
    struct orr_error err = { { 0 } };
    double v = 0;
    ck_assert_int_eq(parse_seconds("10", &v, &err), 0);
    ck_assert(v == 10.0);
    ck_assert_int_eq(parse_seconds("0.5", &v, &err), 0);
    ck_assert(v == 0.5);
    ck_assert_int_eq(parse_seconds("0", &v, &err), -1);
    ck_assert_int_eq(parse_seconds("-1", &v, &err), -1);
    ck_assert_int_eq(parse_seconds("1e3", &v, &err), -1);
    ck_assert_int_eq(parse_seconds("1..2", &v, &err), -1);
    ck_assert_int_eq(parse_seconds(".", &v, &err), -1);
    ck_assert_int_eq(parse_seconds("nan", &v, &err), -1);
    ck_assert_int_eq(parse_percent("99", &v, &err), 0);
    ck_assert(v == 99.0);
    ck_assert_int_eq(parse_percent("100", &v, &err), 0);
    ck_assert_int_eq(parse_percent("100.5", &v, &err), -1);
    ck_assert_int_eq(parse_percent("ninety", &v, &err), -1);
}
END_TEST

static bool match(char **argv, int argc, int *index, const char *lng, const char *shrt,
                  bool takes_value, const char **value, char *bad)
{
    struct opt_scan s = { .argc = argc, .argv = argv, .index = *index };
    bad[0] = '\0';
    bool r = opt_match(&s, lng, shrt, takes_value, value, bad, 256);
    *index = s.index;
    return r;
}

START_TEST(option_forms)
{
    char bad[256];
    const char *v;
    int i;

    char *a1[] = { "--kernel", "x.elf" };
    i = 0;
    ck_assert(match(a1, 2, &i, "--kernel", NULL, true, &v, bad));
    ck_assert_str_eq(v, "x.elf");
    ck_assert_int_eq(i, 2);
    ck_assert_str_eq(bad, "");

    char *a2[] = { "--kernel=y.elf" };
    i = 0;
    ck_assert(match(a2, 1, &i, "--kernel", NULL, true, &v, bad));
    ck_assert_str_eq(v, "y.elf");

    char *a3[] = { "-m256M" };
    i = 0;
    ck_assert(match(a3, 1, &i, "--memory", "-m", true, &v, bad));
    ck_assert_str_eq(v, "256M");

    char *a4[] = { "--kernel" };
    i = 0;
    ck_assert(match(a4, 1, &i, "--kernel", NULL, true, &v, bad));
    ck_assert(strstr(bad, "needs a value") != NULL);

    char *a5[] = { "--semihosting=1" };
    i = 0;
    ck_assert(match(a5, 1, &i, "--semihosting", NULL, false, &v, bad));
    ck_assert(strstr(bad, "takes no value") != NULL);

    char *a6[] = { "--cpus" };          /* a longer word is not a match */
    i = 0;
    ck_assert(!match(a6, 1, &i, "--cpu", NULL, true, &v, bad));
    ck_assert_int_eq(i, 0);

    char *a7[] = { "-vx" };
    i = 0;
    ck_assert(!match(a7, 1, &i, "--verbose", "-v", false, &v, bad));
}
END_TEST

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/orrery-test-cli-XXXXXX.dts");
    int fd = mkstemps(path, 4);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

START_TEST(dts_compiles)
{
    char *path = write_temp("/dts-v1/;\n/ { model = \"t\"; memory@0 { reg = <0 0x1000>; }; };\n");
    uint8_t *dtb = NULL;
    size_t len = 0;
    struct orr_error err = { { 0 } };
    int rc = board_compile_dts(path, &dtb, &len, &err);
    ck_assert_msg(rc == 0, "dtc: %s", err.msg);
    ck_assert_uint_ge(len, 40);
    ck_assert_uint_eq(dtb[0], 0xd0);
    free(dtb);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(dts_error_is_one_line)
{
    char *path = write_temp("/dts-v1/;\n/ {\n\tmodel = \"t\"\n\tfoo = <1 2;\n};\n");
    uint8_t *dtb = NULL;
    size_t len = 0;
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(board_compile_dts(path, &dtb, &len, &err), -1);
    ck_assert_ptr_null(dtb);
    ck_assert_msg(strstr(err.msg, "syntax error") != NULL, "got: %s", err.msg);
    ck_assert(strchr(err.msg, '\n') == NULL);
    unlink(path);
    free(path);
}
END_TEST

static Suite *cli_suite(void)
{
    Suite *s = suite_create("cli");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, sizes);
    tcase_add_test(tc, seconds_and_percent);
    tcase_add_test(tc, option_forms);
    suite_add_tcase(s, tc);
    tc = tcase_create("dtc");
    tcase_add_test(tc, dts_compiles);
    tcase_add_test(tc, dts_error_is_one_line);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(cli_suite());
}
