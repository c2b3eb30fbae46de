/* One logger with categories, silent by default. Library code never prints:
 * it hands messages to the sink the frontend installed, if any. */
#ifndef ORRERY_CPU_LOG_H
#define ORRERY_CPU_LOG_H

#include <stdarg.h>

enum log_cat {
    LOG_CPU,      /* CPU core: unimplemented/unpredictable encodings, modes */
    LOG_MEM,      /* bus: unmapped accesses, bus errors */
    LOG_DEV,      /* device models */
    LOG_BOARD,    /* board loader: unknown nodes, wiring */
    LOG_SEMI,     /* semihosting calls */
    LOG_CAT_COUNT
};

struct logger {
    void (*sink)(void *opaque, enum log_cat cat, const char *msg);
    void *opaque;
    unsigned mask;  /* bit (1u << cat) enables a category */
};

const char *log_cat_name(enum log_cat cat);

static inline int log_enabled(const struct logger *lg, enum log_cat cat)
{
    return lg && lg->sink && (lg->mask & (1u << cat));
}

void log_msg(const struct logger *lg, enum log_cat cat, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
