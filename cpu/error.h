/* Errors as values: a fallible function returns 0 on success or -1 after
 * writing one human-readable line into a caller-provided struct orr_error. */
#ifndef ORRERY_CPU_ERROR_H
#define ORRERY_CPU_ERROR_H

#define ORR_MUST_CHECK __attribute__((warn_unused_result))

struct orr_error {
    char msg[256];
};

/* Formats the message into err (if non-NULL) and returns -1, so callers can
 * write `return orr_fail(err, "...", ...);`. */
int orr_fail(struct orr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefixes an existing message with more context ("loading foo.elf: ..."). */
int orr_fail_prefix(struct orr_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
