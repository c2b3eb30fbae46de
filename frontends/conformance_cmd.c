/* `orrery conformance SUITE DIR`: runs external single-step test vectors
 * through a CPU core and reports per file and in total. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontends/cli.h"
#include "isa-arm/conformance.h"
#include "isa-x86/conformance_x86.h"
#include "machine/loader.h"

#define VECTOR_SUFFIX ".json.bin"
/* The x86 suites (80286, 80386): SingleStepTests MOO files, maybe gzipped. */
#define MOO_SUFFIX ".MOO"
#define MOO_GZ_SUFFIX ".MOO.gz"
#define VECTOR_MAX_BYTES (256u << 20)
#define MAX_DEPTH 4

struct file_list {
    char **paths;        /* relative to the suite directory */
    size_t count, cap;
};

static int list_add(struct file_list *l, const char *rel)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        char **grown = realloc(l->paths, cap * sizeof *grown);
        if (!grown)
            return -1;
        l->paths = grown;
        l->cap = cap;
    }
    l->paths[l->count] = strdup(rel);
    if (!l->paths[l->count])
        return -1;
    l->count++;
    return 0;
}

static void list_free(struct file_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->paths[i]);
    free(l->paths);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

static bool is_vector(const char *name, bool moo)
{
    if (moo)
        return has_suffix(name, MOO_SUFFIX) || has_suffix(name, MOO_GZ_SUFFIX);
    return has_suffix(name, VECTOR_SUFFIX);
}

/* Collects the vector files below root/rel (suites keep vectors in
 * versioned subdirectories such as v1/). */
static int collect(const char *root, const char *rel, int depth, bool moo,
                   struct file_list *out, struct orr_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return orr_fail(err, "%s: %s", dir, strerror(errno));
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char child_rel[4096], child[8192];
        snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(child, sizeof child, "%s/%s", root, child_rel);
        struct stat st;
        if (stat(child, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
            rc = collect(root, child_rel, depth + 1, moo, out, err);
        else if (S_ISREG(st.st_mode) && is_vector(e->d_name, moo))
            rc = list_add(out, child_rel) == 0 ? 0 : orr_fail(err, "out of memory");
    }
    closedir(d);
    return rc;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int cmd_conformance(int argc, char **argv)
{
    const char *suite = NULL, *dir = NULL;
    double min_pass = -1.0;
    unsigned verbose = 0;
    struct opt_scan s = { .argc = argc, .argv = argv, .index = 0 };
    char bad[512];

    while (s.index < argc) {
        const char *arg = argv[s.index];
        const char *v = NULL;
        bad[0] = '\0';
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            print_help();
            return 0;
        }
        if (opt_match(&s, "--verbose", "-v", false, &v, bad, sizeof bad)) {
            verbose++;
        } else if (opt_match(&s, "--min-pass", NULL, true, &v, bad, sizeof bad)) {
            struct orr_error err = { { 0 } };
            if (!bad[0] && parse_percent(v, &min_pass, &err) != 0)
                snprintf(bad, sizeof bad, "--min-pass: %s", err.msg);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            snprintf(bad, sizeof bad, "unknown option '%s'", arg);
        } else {
            if (!suite)
                suite = arg;
            else if (!dir)
                dir = arg;
            else
                snprintf(bad, sizeof bad, "unexpected argument '%s'", arg);
            s.index++;
        }
        if (bad[0]) {
            cli_error("conformance: %s (see 'orrery --help')", bad);
            return EXIT_USAGE;
        }
    }
    if (!suite || !dir) {
        cli_error("conformance: expected SUITE and DIR, e.g. 'orrery conformance arm7tdmi "
                  "DIR' (see 'orrery --help')");
        return EXIT_USAGE;
    }
    bool moo = strcmp(suite, "80286") == 0 || strcmp(suite, "80386") == 0;
    if (strcmp(suite, "arm7tdmi") != 0 && !moo) {
        cli_error("conformance: unknown suite '%s' (known: arm7tdmi, 80286, 80386)", suite);
        return EXIT_USAGE;
    }

    struct orr_error err = { { 0 } };
    struct file_list files = { 0 };
    if (collect(dir, "", 0, moo, &files, &err) != 0) {
        cli_error("conformance: %s", err.msg);
        list_free(&files);
        return 1;
    }
    if (files.count == 0) {
        cli_error("conformance: no *%s files in %s", moo ? MOO_SUFFIX : VECTOR_SUFFIX, dir);
        list_free(&files);
        return 1;
    }
    qsort(files.paths, files.count, sizeof files.paths[0], compare_paths);

    unsigned long long passed = 0, failed = 0;
    unsigned long long differ[X86_DIFF_COUNT] = { 0 }, differ_total = 0, unexplained = 0;
    unsigned errors = 0;
    for (size_t i = 0; i < files.count; i++) {
        const char *rel = files.paths[i];
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, rel);
        /* Name a file by its path under DIR, without the suffix. */
        char name[4096];
        const char *suffix = !moo ? VECTOR_SUFFIX
                           : has_suffix(rel, MOO_GZ_SUFFIX) ? MOO_GZ_SUFFIX : MOO_SUFFIX;
        snprintf(name, sizeof name, "%.*s", (int)(strlen(rel) - strlen(suffix)), rel);
        if (moo) {
            struct x86_conformance_result xr;
            if (x86_conformance_file(path, &xr, &err) != 0) {
                printf("%s: error: %s\n", name, err.msg);
                errors++;
            } else {
                unsigned d = 0;
                for (unsigned k = 0; k < X86_DIFF_COUNT; k++) {
                    d += xr.differ[k];
                    differ[k] += xr.differ[k];
                }
                differ_total += d;
                if (d)
                    printf("%s: %u passed, %u failed (%u of them as the tested CPU differs)\n",
                           name, xr.passed, xr.failed + d, d);
                else
                    printf("%s: %u passed, %u failed\n", name, xr.passed, xr.failed);
                if (verbose && xr.failed && xr.first_failure[0])
                    printf("  first failure: %.*s\n", (int)sizeof xr.first_failure,
                           xr.first_failure);
            }
            passed += xr.passed;
            failed += xr.failed;
            unexplained += xr.failed;
            continue;
        }

        uint8_t *data = NULL;
        size_t len = 0;
        struct conformance_file_result r;
        memset(&r, 0, sizeof r);
        if (load_file(path, VECTOR_MAX_BYTES, &data, &len, &err) != 0 ||
            arm7tdmi_conformance_file(data, len, &r, &err) != 0) {
            printf("%s: error: %s\n", name, err.msg);
            errors++;
            passed += r.passed;
            failed += r.failed;
            free(data);
            continue;
        }
        free(data);
        passed += r.passed;
        failed += r.failed;
        printf("%s: %u passed, %u failed\n", name, r.passed, r.failed);
        if (verbose && r.failed && r.first_failure[0])
            printf("  first failure: %.*s\n", (int)sizeof r.first_failure, r.first_failure);
    }
    list_free(&files);

    if (moo) {
        /* Failures that show a documented behaviour of the tested CPU
         * which the i386 model (rightly) does not have (docs/isa-x86.md)
         * are failures too; the breakdown says which are explained. */
        failed += differ_total;
        printf("%llu of the failures are behaviours of the tested CPU that an i386 does not "
               "have (docs/isa-x86.md):", differ_total);
        for (unsigned k = 0; k < X86_DIFF_COUNT; k++)
            if (differ[k])
                printf(" %s %llu;", x86_difference_names[k], differ[k]);
        printf("\n%llu failures are unexplained\n", unexplained);
    }
    unsigned long long total = passed + failed;
    double rate = total ? 100.0 * (double)passed / (double)total : 0.0;
    if (min_pass >= 0.0)
        printf("pass rate %.3f%% (minimum %g%%)\n", rate, min_pass);
    printf("%llu passed, %llu failed\n", passed, failed);
    fflush(stdout);

    if (errors) {
        cli_error("conformance: %u file%s could not be run", errors, errors == 1 ? "" : "s");
        return 1;
    }
    if (failed == 0 && total > 0)
        return 0;
    if (min_pass >= 0.0 && total > 0 && rate >= min_pass)
        return 0;
    if (total == 0)
        cli_error("conformance: the files held no tests");
    else if (min_pass >= 0.0)
        cli_error("conformance: pass rate %.3f%% is below --min-pass %g%%", rate, min_pass);
    else
        cli_error("conformance: %llu of %llu tests failed", failed, total);
    return 1;
}
