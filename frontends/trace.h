/* --trace: one line per executed instruction (PC, bytes, disassembly,
 * symbol+offset, optionally register changes and memory accesses, or the
 * whole explain view), with address-range and privilege filters and
 * start/stop triggers. While a trace is active the run loop runs the
 * machine through trace_run instead of machine_run; with no trace nothing
 * is checked anywhere. */
#ifndef ORRERY_FRONTENDS_TRACE_H
#define ORRERY_FRONTENDS_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/error.h"
#include "frontends/debugger.h"
#include "frontends/explain.h"

struct trace_options {
    const char *path;             /* "-" for stdout; ".gz" suffix: gzip-compressed */
    bool range;                   /* only instructions with lo <= PC < hi */
    uint64_t lo, hi;
    int privilege;                /* -1 any, else only this cpu->ops->privilege() */
    bool start_at_addr;           /* start when PC first reaches start_addr */
    uint64_t start_addr;
    uint64_t start_after;         /* start after this many instructions (0: at once) */
    bool stop_at_addr;            /* stop (the trace, not the guest) at stop_addr */
    uint64_t stop_addr;
    uint64_t stop_after;          /* stop after this many traced lines (0: never) */
    bool regs;                    /* add the registers each instruction changed */
    bool mem;                     /* add its memory accesses */
    bool explain;                 /* the whole explain view instead of one line */
    enum explain_format format;
};

struct tracer;

int trace_open(struct tracer **out, const struct trace_options *o, struct debugger *d,
               struct orr_error *err) ORR_MUST_CHECK;
/* Flushes and closes the file; returns -1 with err when writing failed. */
int trace_close(struct tracer *t, struct orr_error *err);
/* Whether the trace still wants instructions (its stop trigger has not
 * fired); once false the run loop goes back to machine_run. */
bool trace_active(const struct tracer *t);
/* Runs the machine like machine_run (same result reasons), slice_ns of
 * guest time, tracing what the filters let through. */
void trace_run(struct tracer *t, uint64_t slice_ns, struct machine_run_result *res);
/* Lines and bytes written so far. */
void trace_stats(const struct tracer *t, uint64_t *lines, uint64_t *bytes);

#endif
