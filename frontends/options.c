/* Option matching and strict value parsers shared by every subcommand. */
#include <errno.h>
#include "frontends/cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cli_error(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* Keep the promise of exactly one line, whatever a message carried. */
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fprintf(stderr, "orrery: %s\n", line);
    fflush(stderr);
}

bool opt_match(struct opt_scan *s, const char *long_name, const char *short_name,
               bool takes_value, const char **value, char *bad, size_t badlen)
{
    const char *arg = s->argv[s->index];
    const char *rest = NULL;     /* text after the name: "" or "=..." or attached */
    const char *shown = arg;
    size_t n = strlen(long_name);

    if (strncmp(arg, long_name, n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
        rest = arg + n;
        shown = long_name;
    } else if (short_name) {
        size_t k = strlen(short_name);
        if (strncmp(arg, short_name, k) == 0) {
            if (arg[k] == '\0' || arg[k] == '=')
                rest = arg + k;
            else if (takes_value)
                rest = arg + k;      /* "-m256M" */
            else
                return false;
            shown = short_name;
        }
    }
    if (!rest)
        return false;

    s->index++;
    *value = NULL;
    if (!takes_value) {
        if (*rest != '\0')
            snprintf(bad, badlen, "option %s takes no value", shown);
        return true;
    }
    if (*rest == '=') {
        *value = rest + 1;
    } else if (*rest != '\0') {
        *value = rest;
    } else if (s->index < s->argc) {
        *value = s->argv[s->index++];
    } else {
        snprintf(bad, badlen, "option %s needs a value", shown);
        return true;
    }
    if (**value == '\0')
        snprintf(bad, badlen, "option %s needs a value, got an empty string", shown);
    return true;
}

int parse_size(const char *text, uint64_t *bytes, struct orr_error *err)
{
    const char *p = text;
    uint64_t n = 0;

    if (!isdigit((unsigned char)*p))
        return orr_fail(err, "invalid size '%s' (expected a number with an optional "
                        "K, M, G or T suffix, e.g. 256M)", text);
    while (isdigit((unsigned char)*p)) {
        unsigned d = (unsigned)(*p++ - '0');
        if (n > (UINT64_MAX - d) / 10)
            return orr_fail(err, "size '%s' is too large", text);
        n = n * 10 + d;
    }

    unsigned shift = 20;          /* no suffix: MiB, as QEMU's -m */
    if (*p) {
        switch (toupper((unsigned char)*p)) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default:
            return orr_fail(err, "invalid size '%s' (unknown suffix '%s'; use K, M, G or T)",
                            text, p);
        }
        p++;
        if (strcmp(p, "B") == 0 || strcmp(p, "iB") == 0)
            p += strlen(p);
        if (*p)
            return orr_fail(err, "invalid size '%s' (trailing '%s')", text, p);
    }
    if (n == 0)
        return orr_fail(err, "size '%s' must be greater than zero", text);
    if (n > (UINT64_MAX >> shift))
        return orr_fail(err, "size '%s' is too large", text);
    n <<= shift;
    if (n & 0xfff)
        return orr_fail(err, "size '%s' is not a multiple of 4K", text);
    *bytes = n;
    return 0;
}

/* A non-negative decimal number: digits with at most one '.'. */
static int parse_decimal(const char *text, double *out)
{
    int digits = 0, dots = 0;
    for (const char *p = text; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p == '.' && dots == 0)
            dots++;
        else
            return -1;
    }
    if (digits == 0 || digits > 12)
        return -1;
    *out = strtod(text, NULL);
    return 0;
}

int parse_seconds(const char *text, double *seconds, struct orr_error *err)
{
    double v;
    if (parse_decimal(text, &v) != 0)
        return orr_fail(err, "invalid duration '%s' (expected seconds, e.g. 10 or 0.5)", text);
    if (v <= 0.0)
        return orr_fail(err, "duration '%s' must be greater than zero", text);
    if (v > 1e7)
        return orr_fail(err, "duration '%s' is too long (at most 10000000 seconds)", text);
    *seconds = v;
    return 0;
}

int parse_percent(const char *text, double *percent, struct orr_error *err)
{
    double v;
    if (parse_decimal(text, &v) != 0 || v > 100.0)
        return orr_fail(err, "invalid percentage '%s' (expected a number from 0 to 100)", text);
    *percent = v;
    return 0;
}

int parse_u64(const char *text, uint64_t *value)
{
    char *end;
    if (!*text || *text == '-' || *text == '+' || *text == ' ')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (*end || errno)
        return -1;
    *value = v;
    return 0;
}
