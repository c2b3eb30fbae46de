#include "cpu/error.h"
#include "cpu/log.h"

#include <stdio.h>
#include <string.h>

int orr_fail(struct orr_error *err, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int orr_fail_prefix(struct orr_error *err, const char *fmt, ...)
{
    if (err) {
        char prefix[128];
        char old[sizeof err->msg];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(prefix, sizeof prefix, fmt, ap);
        va_end(ap);
        memcpy(old, err->msg, sizeof old);
        char joined[sizeof prefix + sizeof old + 2];
        snprintf(joined, sizeof joined, "%s: %s", prefix, old);
        /* Keep the start of the message when it no longer fits. */
        memcpy(err->msg, joined, sizeof err->msg - 1);
        err->msg[sizeof err->msg - 1] = '\0';
    }
    return -1;
}

const char *log_cat_name(enum log_cat cat)
{
    static const char *const names[LOG_CAT_COUNT] = {
        [LOG_CPU] = "cpu", [LOG_MEM] = "mem", [LOG_DEV] = "dev",
        [LOG_BOARD] = "board", [LOG_SEMI] = "semihosting",
    };
    return (unsigned)cat < LOG_CAT_COUNT ? names[cat] : "?";
}

void log_msg(const struct logger *lg, enum log_cat cat, const char *fmt, ...)
{
    if (!log_enabled(lg, cat))
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lg->sink(lg->opaque, cat, buf);
}
