/* Run control and inspection for debuggers (the monitor, the GDB stub, the
 * tracer): single steps with the observer, breakpoints and watchpoints on
 * every CPU, memory as the debugger sees it. Nothing here prints. */
#ifndef ORRERY_MACHINE_DEBUG_H
#define ORRERY_MACHINE_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/debug.h"
#include "cpu/error.h"

struct machine;
struct machine_run_result;

/* Executes one instruction on CPU `index` while the others wait, then lets
 * the clock move by that instruction and fires due events. With obs, what
 * it did is reported there (cleared first). suspend: breakpoints and
 * watchpoints are ignored for it (stepping off a stop). A CPU waiting for
 * an interrupt executes nothing: in virtual time the clock jumps to the
 * next event until it wakes (res->reason IDLE if nothing ever will); in
 * realtime res->reason is IDLE and wake_ns the next deadline. res->cpu is
 * index. */
void machine_step(struct machine *m, unsigned index, struct cpu_observer *obs, bool suspend,
                  struct machine_run_result *res);

/* Breakpoints and watchpoints, set on every CPU. Inserting one that is
 * already there succeeds (GDB re-inserts); removing one that is not there
 * fails. */
int machine_break_insert(struct machine *m, uint64_t addr, struct orr_error *err) ORR_MUST_CHECK;
int machine_break_remove(struct machine *m, uint64_t addr);
int machine_watch_insert(struct machine *m, uint64_t addr, uint64_t len, unsigned kind,
                         struct orr_error *err) ORR_MUST_CHECK;
int machine_watch_remove(struct machine *m, uint64_t addr, uint64_t len, unsigned kind);
void machine_debug_clear(struct machine *m);   /* removes every breakpoint and watchpoint */

/* Guest memory as the debugger reads and writes it: virtual addresses are
 * translated by CPU `index` at its current privilege (no side effects),
 * physical ones used as they are; only RAM and ROM are reachable (device
 * registers have side effects). Writes invalidate decoded code; ROM is
 * written too (a debugger patches firmware). Returns the number of bytes
 * done before the first unreachable one. */
size_t machine_debug_read(struct machine *m, unsigned index, uint64_t addr, bool physical,
                          void *buf, size_t len);
size_t machine_debug_write(struct machine *m, unsigned index, uint64_t addr, bool physical,
                           const void *buf, size_t len);

#endif
