/* Breakpoints, watchpoints and debugger memory access (machine/debug.h);
 * machine_step is with the run loop in machine.c. */
#include "machine/debug.h"

#include <string.h>

#include "cpu/tlb.h"
#include "machine/machine.h"

int machine_break_insert(struct machine *m, uint64_t addr, struct orr_error *err)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct cpu *cpu = m->cpus[i];
        if (cpu_is_breakpoint(cpu, addr))
            continue;
        if (cpu->nbreakpoints >= CPU_MAX_BREAKPOINTS)
            return orr_fail(err, "at most %u breakpoints", CPU_MAX_BREAKPOINTS);
        cpu->breakpoints[cpu->nbreakpoints++] = addr;
    }
    return 0;
}

int machine_break_remove(struct machine *m, uint64_t addr)
{
    bool found = false;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct cpu *cpu = m->cpus[i];
        for (unsigned j = 0; j < cpu->nbreakpoints; j++)
            if (cpu->breakpoints[j] == addr) {
                cpu->breakpoints[j] = cpu->breakpoints[--cpu->nbreakpoints];
                found = true;
                break;
            }
    }
    return found ? 0 : -1;
}

static void watch_changed(struct machine *m)
{
    for (unsigned i = 0; i < m->ncpus; i++)
        if (m->cpus[i]->ops->debug_update)
            m->cpus[i]->ops->debug_update(m->cpus[i]);
}

int machine_watch_insert(struct machine *m, uint64_t addr, uint64_t len, unsigned kind,
                         struct orr_error *err)
{
    if (len == 0 || addr + len < addr || (kind & ~(unsigned)CPU_WATCH_ACCESS) || !kind)
        return orr_fail(err, "bad watchpoint (address 0x%llx, length %llu)",
                        (unsigned long long)addr, (unsigned long long)len);
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct cpu *cpu = m->cpus[i];
        bool have = false;
        for (unsigned j = 0; j < cpu->nwatchpoints; j++) {
            const struct cpu_watchpoint *w = &cpu->watchpoints[j];
            have |= w->addr == addr && w->len == len && w->kind == kind;
        }
        if (have)
            continue;
        if (cpu->nwatchpoints >= CPU_MAX_WATCHPOINTS)
            return orr_fail(err, "at most %u watchpoints", CPU_MAX_WATCHPOINTS);
        cpu->watchpoints[cpu->nwatchpoints++] = (struct cpu_watchpoint){ addr, len, kind };
    }
    watch_changed(m);
    return 0;
}

int machine_watch_remove(struct machine *m, uint64_t addr, uint64_t len, unsigned kind)
{
    bool found = false;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct cpu *cpu = m->cpus[i];
        for (unsigned j = 0; j < cpu->nwatchpoints; j++) {
            const struct cpu_watchpoint *w = &cpu->watchpoints[j];
            if (w->addr == addr && w->len == len && w->kind == kind) {
                cpu->watchpoints[j] = cpu->watchpoints[--cpu->nwatchpoints];
                found = true;
                break;
            }
        }
    }
    watch_changed(m);
    return found ? 0 : -1;
}

void machine_debug_clear(struct machine *m)
{
    for (unsigned i = 0; i < m->ncpus; i++) {
        m->cpus[i]->nbreakpoints = 0;
        m->cpus[i]->nwatchpoints = 0;
    }
    watch_changed(m);
}

/* The host pointer for up to *chunk bytes at addr (never past its page),
 * or NULL when addr reaches no RAM/ROM. */
static uint8_t *debug_host(struct machine *m, unsigned index, uint64_t addr, bool physical,
                           size_t *chunk, uint64_t *pa_out)
{
    uint64_t pa = addr;
    if (!physical) {
        if (index >= m->ncpus)
            return NULL;
        struct cpu *cpu = m->cpus[index];
        /* A debugger writes where it could read: the write permission of
         * the guest's page tables is not the debugger's concern. */
        if (cpu->ops->translate(cpu, addr, CPU_ACCESS_READ, &pa) != 0)
            return NULL;
    }
    uint64_t room = GUEST_PAGE_SIZE - (addr & GUEST_PAGE_MASK);
    if (*chunk > room)
        *chunk = (size_t)room;
    bool rom;
    *pa_out = pa;
    return bus_host_ptr(&m->bus, pa, *chunk, &rom);
}

size_t machine_debug_read(struct machine *m, unsigned index, uint64_t addr, bool physical,
                          void *buf, size_t len)
{
    uint8_t *out = buf;
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done;
        uint64_t pa;
        const uint8_t *h = debug_host(m, index, addr + done, physical, &chunk, &pa);
        if (!h)
            break;
        memcpy(out + done, h, chunk);
        done += chunk;
    }
    return done;
}

size_t machine_debug_write(struct machine *m, unsigned index, uint64_t addr, bool physical,
                           const void *buf, size_t len)
{
    const uint8_t *in = buf;
    size_t done = 0;
    while (done < len) {
        size_t chunk = len - done;
        uint64_t pa;
        if (!debug_host(m, index, addr + done, physical, &chunk, &pa))
            break;
        if (bus_write_block(&m->bus, pa, in + done, chunk, true) != BUS_OK)
            break;
        done += chunk;
    }
    return done;
}
