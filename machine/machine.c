/* A machine's life: creation from a board tree (the tree walk itself is in
 * board.c), reset, image loading, the run loop and save states.
 *
 * Save-state layout (machine/state.h sections, in this order):
 *   "machine" v2  board name (bytes), clock time, clock sequence counter,
 *                 instructions retired, the CPUs in PSCI CPU_SUSPEND (a bit
 *                 each), the pending events (name, deadline, order), then
 *                 per RAM/ROM region in address
 *                 order: base, size, u8 form, then its contents as a page
 *                 set (form 1, zero pages skipped) or a zlib blob (form 0)
 *   "serial"  v1  per serial port, the input queued for its device (bytes)
 *   "cpuN"    v1  CPU N's own fields (cpu->ops->save)
 *   "dev:PATH"    one per device with save/load, version = the model's
 *                 state_version, its own fields (model->save)
 * Pending clock events are not saved here: each owner saves its deadlines
 * and schedules them again from its load. */
#include "machine/machine.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/board_internal.h"
#include "machine/debug.h"
#include "machine/state.h"

#define MACHINE_STATE_VERSION 2
#define CPU_STATE_VERSION 1

int machine_create(const struct machine_config *cfg, struct machine **out,
                   struct orr_error *err)
{
    *out = NULL;
    if (!cfg->dtb || cfg->dtb_size < sizeof(struct fdt_header))
        return orr_fail(err, "board: not a device tree blob (too short)");
    if (fdt_check_header(cfg->dtb) != 0)
        return orr_fail(err, "board: not a valid device tree blob");
    size_t total = fdt_totalsize(cfg->dtb);
    if (total > cfg->dtb_size)
        return orr_fail(err, "board: device tree blob is truncated (%zu of %zu bytes)",
                        cfg->dtb_size, total);

    struct machine *m = calloc(1, sizeof *m);
    if (!m)
        return orr_fail(err, "out of memory");
    snprintf(m->board_name, sizeof m->board_name, "%s",
             cfg->board_name ? cfg->board_name : "board");
    m->log = cfg->log;
    m->host = cfg->host;
    bus_init(&m->bus, &m->log);
    clock_init(&m->clock, cfg->clock_mode,
               cfg->ns_per_insn ? cfg->ns_per_insn : MACHINE_DEFAULT_NS_PER_INSN);
    m->dtb = malloc(total);
    if (!m->dtb) {
        free(m);
        return orr_fail(err, "out of memory");
    }
    memcpy(m->dtb, cfg->dtb, total);
    m->dtb_size = total;
    if (fdt_check_full(m->dtb, total) != 0) {
        machine_destroy(m);
        return orr_fail(err, "board: device tree blob is corrupt");
    }

    if (board_add_memory(m, cfg, err) || board_add_cpus(m, cfg, err) ||
        board_add_devices(m, cfg, err) || psci_setup(&m->psci, m->dtb, m->cpus, m->ncpus, err)) {
        machine_destroy(m);
        return -1;
    }
    m->run_limit = UINT64_MAX;
    machine_reset(m);
    *out = m;
    return 0;
}

void machine_destroy(struct machine *m)
{
    if (!m)
        return;
    for (unsigned i = m->ndevices; i-- > 0;)
        if (m->devices[i].model->destroy)
            m->devices[i].model->destroy(m->devices[i].dev);
    free(m->devices);
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpus[i]->ops->destroy(m->cpus[i]);
    loaded_image_free(&m->image);
    bus_destroy(&m->bus);
    free(m->dtb);
    free(m);
}

void machine_reset(struct machine *m)
{
    clock_reset(&m->clock);
    m->executed = 0;
    m->psci.request = PSCI_REQ_NONE;
    m->reset_request = false;
    memset(m->psci.suspended, 0, sizeof m->psci.suspended);
    for (unsigned i = 0; i < m->ncpus; i++)
        m->cpus[i]->ops->reset(m->cpus[i]);
    for (unsigned i = 0; i < m->ndevices; i++)
        if (m->devices[i].model->reset)
            m->devices[i].model->reset(m->devices[i].dev);
}

static uint16_t elf_machine_for(const struct cpu *cpu)
{
    if (strcmp(cpu->model->isa, "x86") == 0)
        return ELF_MACHINE_386;
    return ELF_MACHINE_ARM;
}

int machine_load_image(struct machine *m, const uint8_t *data, size_t len,
                       uint64_t raw_addr, bool raw_addr_given, struct orr_error *err)
{
    struct loaded_image img;
    int rc;
    if (loader_is_elf(data, len))
        rc = load_elf(&m->bus, data, len, elf_machine_for(m->cpus[0]), &img, err);
    else
        rc = load_raw(&m->bus, data, len, raw_addr_given ? raw_addr : m->ram_base, &img, err);
    if (rc)
        return -1;
    loaded_image_free(&m->image);
    m->image = img;
    m->cpus[0]->ops->set_entry(m->cpus[0], img.entry);
    return 0;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

/* One step: every CPU runs at most `budget` instructions, in index order.
 * Returns what ends the slice (EXIT, FATAL, BREAKPOINT, RESET; *who is the
 * CPU that said so), else IDLE if every CPU idled, else BUDGET. *most_ns
 * is the longest virtual time any CPU took (its instructions and its bus
 * stalls): the step's length in time. */
/* True when an interrupt line into the CPU is high: the lines that end at a
 * CPU input are those whose sink's opaque is the CPU (board.c). */
static bool cpu_irq_pending(const struct machine *m, const struct cpu *cpu)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        for (unsigned j = 0; j < m->devices[i].nirqs; j++) {
            const struct irq_line *l = &m->devices[i].irqs[j];
            if (l->opaque == cpu && l->level)
                return true;
        }
    return false;
}

/* A CPU in PSCI CPU_SUSPEND waits like WFI: any pending interrupt, masked
 * or not, wakes it (B1.8.13). */
static bool cpu_suspended(struct machine *m, unsigned i)
{
    if (i >= PSCI_MAX_CPUS || !m->psci.suspended[i])
        return false;
    if (!cpu_irq_pending(m, m->cpus[i]))
        return true;
    m->psci.suspended[i] = false;
    return false;
}

static enum cpu_stop run_cpus(struct machine *m, uint64_t budget, uint64_t *most_ns,
                              unsigned *who)
{
    enum cpu_stop reason = CPU_STOP_IDLE;
    *most_ns = 0;
    for (unsigned i = 0; i < m->ncpus; i++) {
        struct cpu *cpu = m->cpus[i];
        if (cpu_suspended(m, i))
            continue;
        m->bus.requester = i;
        struct cpu_run_result r = cpu->ops->run(cpu, budget);
        m->executed += r.executed;
        uint64_t took = r.executed * m->clock.ns_per_insn + r.stall_ns;
        if (took > *most_ns)
            *most_ns = took;
        if (r.reason == CPU_STOP_BUDGET) {
            reason = CPU_STOP_BUDGET;
        } else if (r.reason != CPU_STOP_IDLE) {
            *who = i;
            return r.reason;
        }
    }
    return reason;
}

/* A PSCI call stopped the CPU: SYSTEM_OFF ends the run with status 0,
 * SYSTEM_RESET asks for a reset, CPU_OFF of the only CPU(s) leaves nothing
 * to run (QEMU would sit there forever; here the run ends with a message). */
static void psci_stop(struct machine *m, struct machine_run_result *res)
{
    switch (m->psci.request) {
    case PSCI_REQ_SYSTEM_RESET:
        res->reason = CPU_STOP_RESET;
        break;
    case PSCI_REQ_CPU_OFF:
        res->reason = CPU_STOP_FATAL;
        snprintf(res->message, sizeof res->message,
                 "the guest turned its CPU off (PSCI CPU_OFF) and no CPU is left running");
        break;
    case PSCI_REQ_SYSTEM_OFF:
    case PSCI_REQ_CPU_SUSPEND:      /* handled by exit_ends_run */
    case PSCI_REQ_NONE:
        res->exit_code = 0;
        break;
    }
    m->psci.request = PSCI_REQ_NONE;
}

/* CPU `who` stopped with CPU_STOP_EXIT. A PSCI CPU_SUSPEND only parks that
 * CPU (false: the run goes on); anything else ends the run, described in
 * res (true). */
static bool exit_ends_run(struct machine *m, unsigned who, struct machine_run_result *res)
{
    if (m->psci.request == PSCI_REQ_CPU_SUSPEND) {
        if (who < PSCI_MAX_CPUS)
            m->psci.suspended[who] = true;
        m->psci.request = PSCI_REQ_NONE;
        return false;
    }
    if (m->reset_request) {
        /* A device's reset line (a keyboard controller, port 0x92). */
        m->reset_request = false;
        res->reason = CPU_STOP_RESET;
        return true;
    }
    res->reason = CPU_STOP_EXIT;
    res->exit_code = m->cpus[who]->exit_code;
    if (m->psci.request != PSCI_REQ_NONE)
        psci_stop(m, res);
    return true;
}

void machine_run(struct machine *m, uint64_t slice_ns, struct machine_run_result *res)
{
    memset(res, 0, sizeof *res);
    res->wake_ns = CLOCK_NEVER;
    if (m->ncpus == 0) {
        res->reason = CPU_STOP_FATAL;
        snprintf(res->message, sizeof res->message, "the machine has no CPU");
        return;
    }
    struct vclock *clk = &m->clock;
    const uint64_t npi = clk->ns_per_insn;
    const bool realtime = clk->mode == CLOCK_MODE_REALTIME;
    if (realtime)
        clock_advance_to(clk, clock_realtime_now(clk));
    uint64_t end = sat_add(clk->now_ns, slice_ns);
    /* Several CPUs in virtual time take turns; the turns end on a fixed
     * lattice of absolute times (and at deadlines), never where a caller
     * happens to end a slice, so their interleaving — and every result
     * that depends on it — is the same however the run is sliced (record
     * and replay slice differently). A slice therefore ends on the
     * lattice too, rounded up. One CPU needs none of this. */
    const bool lattice = !realtime && m->ncpus > 1;
    if (lattice && slice_ns && end < UINT64_MAX - MACHINE_TURN_NS)
        end = (end + MACHINE_TURN_NS - 1) / MACHINE_TURN_NS * MACHINE_TURN_NS;

    for (;;) {
        uint64_t now = clk->now_ns;
        if (now >= end || m->executed >= m->run_limit) {
            res->reason = CPU_STOP_BUDGET;
            return;
        }
        /* Virtual time: run exactly up to the first instruction boundary
         * at or after the next deadline (or the slice end), so events fire
         * at the same boundaries however the run is sliced. Realtime:
         * re-read the host clock about every millisecond. */
        uint64_t deadline = clock_next_deadline(clk);
        uint64_t target = deadline < end ? deadline : end;
        if (lattice && (now / MACHINE_TURN_NS + 1) * MACHINE_TURN_NS < target)
            target = (now / MACHINE_TURN_NS + 1) * MACHINE_TURN_NS;
        uint64_t budget = target > now ? (target - now + npi - 1) / npi : 1;
        if (realtime && budget > 1000000 / npi + 1)
            budget = 1000000 / npi + 1;
        if (budget > m->run_limit - m->executed)
            budget = m->run_limit - m->executed;

        uint64_t most_ns = 0;
        unsigned who = 0;
        enum cpu_stop reason = run_cpus(m, budget, &most_ns, &who);
        unsigned fired = 0;
        if (realtime) {
            uint64_t host = clock_realtime_now(clk);
            fired = clock_advance_to(clk, host > now ? host : now);
        } else {
            clock_advance_to(clk, now + most_ns);
        }

        struct cpu *cpu = m->cpus[who];
        switch (reason) {
        case CPU_STOP_BUDGET:
            continue;
        case CPU_STOP_IDLE:
            /* Realtime: an event that fired while the CPUs ran (a UART's
             * transmit interrupt, a timer) may be what wakes them; run
             * them again before handing the idle time to the frontend. */
            if (fired)
                continue;
            deadline = clock_next_deadline(clk);
            if (realtime || deadline == CLOCK_NEVER) {
                /* The frontend sleeps (or waits for input) until wake_ns. */
                res->reason = CPU_STOP_IDLE;
                res->wake_ns = deadline;
                return;
            }
            /* Virtual time: nothing happens until the next event, so jump. */
            clock_advance_to(clk, deadline < end ? deadline : end);
            continue;
        case CPU_STOP_EXIT:
            if (!exit_ends_run(m, who, res))
                continue;
            res->cpu = who;
            return;
        case CPU_STOP_FATAL:
            res->reason = reason;
            if (m->ncpus > 1)
                snprintf(res->message, sizeof res->message, "cpu%u: %.240s", who, cpu->fatal);
            else
                snprintf(res->message, sizeof res->message, "%s", cpu->fatal);
            return;
        case CPU_STOP_BREAKPOINT:
        case CPU_STOP_WATCHPOINT:
        case CPU_STOP_RESET:
            res->reason = reason;
            res->cpu = who;
            return;
        }
    }
}

void machine_step(struct machine *m, unsigned index, struct cpu_observer *obs, bool suspend,
                  struct machine_run_result *res)
{
    memset(res, 0, sizeof *res);
    res->wake_ns = CLOCK_NEVER;
    res->cpu = index;
    if (index >= m->ncpus) {
        res->reason = CPU_STOP_FATAL;
        snprintf(res->message, sizeof res->message, "no CPU %u", index);
        return;
    }
    struct cpu *cpu = m->cpus[index];
    struct vclock *clk = &m->clock;
    const bool realtime = clk->mode == CLOCK_MODE_REALTIME;
    if (obs)
        memset(obs, 0, sizeof *obs);
    /* Bounded: a guest that keeps idling between events still returns. */
    for (unsigned attempt = 0; attempt < 100000; attempt++) {
        uint64_t now = clk->now_ns;
        if (realtime)
            clock_advance_to(clk, clock_realtime_now(clk));
        cpu->observer = obs;
        cpu->debug_suspend = suspend;
        m->bus.requester = index;
        struct cpu_run_result r = cpu->ops->run(cpu, 1);
        cpu->observer = NULL;
        cpu->debug_suspend = false;
        m->executed += r.executed;
        if (realtime) {
            uint64_t host = clock_realtime_now(clk);
            clock_advance_to(clk, host > now ? host : now);
        } else {
            clock_advance_to(clk, now + r.executed * clk->ns_per_insn + r.stall_ns);
        }
        res->reason = r.reason;
        switch (r.reason) {
        case CPU_STOP_BUDGET:
            return;
        case CPU_STOP_IDLE: {
            if (r.executed > 0) {      /* the step was the WFI itself */
                res->reason = CPU_STOP_BUDGET;
                return;
            }
            uint64_t deadline = clock_next_deadline(clk);
            if (realtime || deadline == CLOCK_NEVER) {
                res->wake_ns = deadline;
                return;
            }
            clock_advance_to(clk, deadline);
            continue;
        }
        case CPU_STOP_EXIT:
            if (!exit_ends_run(m, index, res))
                res->reason = CPU_STOP_BUDGET;     /* the step parked the CPU */
            return;
        case CPU_STOP_FATAL:
            snprintf(res->message, sizeof res->message, "%s", cpu->fatal);
            return;
        default:
            return;
        }
    }
    res->reason = CPU_STOP_IDLE;
}

/* The first device whose model lists `compatible`, or whose node does (a
 * node may carry generic strings, such as "arm,primecell", no model names). */
const struct machine_device *machine_find_device(const struct machine *m, const char *compatible)
{
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct machine_device *md = &m->devices[i];
        for (const char *const *c = md->model->compatible; *c; c++)
            if (strcmp(*c, compatible) == 0)
                return md;
        int node = fdt_path_offset(m->dtb, md->path);
        if (node >= 0 && fdt_node_check_compatible(m->dtb, node, compatible) == 0)
            return md;
    }
    return NULL;
}

/* ---- save states ---- */

static void cpu_tag(char *buf, size_t len, unsigned index)
{
    snprintf(buf, len, "cpu%u", index);
}

static int device_tag(char *buf, size_t len, const struct machine_device *md)
{
    int n = snprintf(buf, len, "dev:%s", md->path);
    return n > 0 && (size_t)n <= STATE_TAG_MAX ? 0 : -1;
}

/* RAM and ROM go as page sets (zero pages skipped) when they are whole
 * pages, else as one zlib blob; a u8 says which. */
enum { MEM_AS_BLOB = 0, MEM_AS_PAGES = 1 };

static bool mem_as_pages(const struct bus_region *r)
{
    return r->size % STATE_PAGE_SIZE == 0;
}

/* The whole state; with_ram false leaves the memory contents out (the
 * state hash covers them separately, without compressing). */
static int save_state(struct machine *m, struct state_writer *w, bool with_ram)
{
    state_begin(w, "machine", MACHINE_STATE_VERSION);
    state_put_bytes(w, m->board_name, strlen(m->board_name));
    state_put_u64(w, m->clock.now_ns);
    state_put_u64(w, m->clock.next_seq);
    state_put_u64(w, m->executed);
    /* CPUs waiting in PSCI CPU_SUSPEND (the run loop wakes them). */
    uint32_t suspended = 0;
    for (unsigned i = 0; i < PSCI_MAX_CPUS; i++)
        suspended |= (uint32_t)m->psci.suspended[i] << i;
    state_put_u32(w, suspended);
    /* The pending events' order (their owners save the deadlines). */
    state_put_u32(w, m->clock.nheap);
    for (unsigned i = 0; i < m->clock.nheap; i++) {
        const struct clock_event *ev = m->clock.heap[i];
        state_put_bytes(w, ev->name, strlen(ev->name));
        state_put_u64(w, ev->deadline);
        state_put_u64(w, ev->seq);
    }
    unsigned nram = 0;
    for (unsigned i = 0; i < m->bus.mem.count; i++)
        nram += m->bus.mem.regions[i].kind != REGION_MMIO;
    state_put_u32(w, nram);
    for (unsigned i = 0; i < m->bus.mem.count; i++) {
        const struct bus_region *r = &m->bus.mem.regions[i];
        if (r->kind == REGION_MMIO)
            continue;
        state_put_u64(w, r->base);
        state_put_u64(w, r->size);
        if (!with_ram)
            continue;
        state_put_u8(w, mem_as_pages(r) ? MEM_AS_PAGES : MEM_AS_BLOB);
        if (mem_as_pages(r) ? state_put_pages(w, r->host, (size_t)r->size)
                            : state_put_zblob(w, r->host, (size_t)r->size))
            return -1;
    }
    state_end(w);

    /* Input the host queued for a serial port that its device has not
     * taken yet: it is part of what the guest will see. */
    state_begin(w, "serial", 1);
    state_put_u32(w, m->nserial);
    for (unsigned i = 0; i < m->nserial; i++) {
        const struct chardev *cd = &m->serial[i];
        uint8_t pending[CHARDEV_RX_SIZE];
        unsigned n = chardev_rx_count(cd);
        for (unsigned k = 0; k < n; k++)
            pending[k] = cd->rx[(cd->rx_head + k) % CHARDEV_RX_SIZE];
        state_put_bytes(w, pending, n);
    }
    state_end(w);

    for (unsigned i = 0; i < m->ncpus; i++) {
        char tag[16];
        cpu_tag(tag, sizeof tag, i);
        state_begin(w, tag, CPU_STATE_VERSION);
        if (m->cpus[i]->ops->save(m->cpus[i], w))
            return -1;
        state_end(w);
    }
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct machine_device *md = &m->devices[i];
        char tag[STATE_TAG_MAX + 8];
        if (!md->model->save)
            continue;
        if (device_tag(tag, sizeof tag, md))
            return -1;
        state_begin(w, tag, md->model->state_version);
        if (md->model->save(md->dev, w))
            return -1;
        state_end(w);
    }
    return w->failed ? -1 : 0;
}

int machine_save(struct machine *m, struct state_writer *w)
{
    return save_state(m, w, true);
}

int machine_save_without_memory(struct machine *m, struct state_writer *w)
{
    return save_state(m, w, false);
}

int machine_hash(struct machine *m, bool with_ram, struct machine_hash *out)
{
    memset(out, 0, sizeof *out);
    struct state_writer w;
    state_writer_init(&w);
    struct orr_error err = { { 0 } };
    if (save_state(m, &w, false) || state_writer_finish(&w, &err)) {
        state_writer_free(&w);
        return -1;
    }
    struct state_reader r;
    int rc = state_reader_init(&r, w.buf, w.len, &err);
    while (rc == 0 && out->count < MACHINE_HASH_MAX) {
        int more = state_reader_next(&r);
        if (more <= 0) {
            rc = more;
            break;
        }
        unsigned k = out->count++;
        snprintf(out->tag[k], sizeof out->tag[k], "%s", r.tag);
        out->value[k] = state_hash(r.buf + r.pos, r.section_end - r.pos, r.version);
        if (k == 0 && with_ram && out->count < MACHINE_HASH_MAX) {
            /* Memory contents, as a section of their own. */
            uint64_t h = 0;
            for (unsigned i = 0; i < m->bus.mem.count; i++) {
                const struct bus_region *reg = &m->bus.mem.regions[i];
                if (reg->kind != REGION_MMIO)
                    h = state_hash(reg->host, (size_t)reg->size, h);
            }
            k = out->count++;
            snprintf(out->tag[k], sizeof out->tag[k], "memory");
            out->value[k] = h;
        }
    }
    state_writer_free(&w);
    return rc < 0 || out->count == MACHINE_HASH_MAX ? -1 : 0;
}

struct saved_event {
    char name[64];
    uint64_t deadline, seq;
};

struct machine_header {
    uint64_t now, seq, executed;
    uint32_t suspended;
    unsigned nevents;
    struct saved_event events[CLOCK_MAX_EVENTS];
};

/* Positions r after the "machine" section's fixed fields, checking that the
 * image is for this board and this many memory regions. */
static int read_machine_header(struct machine *m, struct state_reader *r,
                               struct machine_header *h, struct orr_error *err)
{
    if (state_reader_find(r, "machine"))
        return -1;
    if (r->version != MACHINE_STATE_VERSION)
        return orr_fail(err, "save state machine section version %u is not supported "
                        "(this build reads %u)", r->version, MACHINE_STATE_VERSION);
    char board[sizeof m->board_name] = { 0 };
    uint64_t blen = state_get_u64(r);
    if (state_reader_check(r))
        return -1;
    if (blen >= sizeof board)
        return orr_fail(err, "save state: board name too long");
    r->pos -= 8;      /* state_get_bytes reads the length again */
    state_get_bytes(r, board, (size_t)blen);
    if (state_reader_check(r))
        return -1;
    for (char *c = board; *c; c++)
        if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
            return orr_fail(err, "save state: the board name is corrupt");
    if (strcmp(board, m->board_name) != 0)
        return orr_fail(err, "save state is for board %s, this machine is %s", board,
                        m->board_name);
    h->now = state_get_u64(r);
    h->seq = state_get_u64(r);
    h->executed = state_get_u64(r);
    h->suspended = state_get_u32(r);
    h->nevents = state_get_u32(r);
    if (state_reader_check(r))
        return -1;
    if (h->nevents > CLOCK_MAX_EVENTS)
        return orr_fail(err, "save state: too many pending events");
    for (unsigned i = 0; i < h->nevents; i++) {
        struct saved_event *e = &h->events[i];
        uint64_t n = state_get_u64(r);
        if (state_reader_check(r))
            return -1;
        if (n >= sizeof e->name || n > r->section_end - r->pos)
            return orr_fail(err, "save state: a pending event's name is corrupt");
        memcpy(e->name, r->buf + r->pos, (size_t)n);
        e->name[n] = '\0';
        r->pos += (size_t)n;
        e->deadline = state_get_u64(r);
        e->seq = state_get_u64(r);
    }
    uint32_t nram = state_get_u32(r);
    unsigned have = 0;
    for (unsigned i = 0; i < m->bus.mem.count; i++)
        have += m->bus.mem.regions[i].kind != REGION_MMIO;
    if (state_reader_check(r))
        return -1;
    if (nram != have)
        return orr_fail(err, "save state has %u memory regions, this machine has %u",
                        nram, have);
    return 0;
}

static int read_region_header(struct state_reader *r, const struct bus_region *reg,
                              struct orr_error *err)
{
    uint64_t base = state_get_u64(r), size = state_get_u64(r);
    if (state_reader_check(r))
        return -1;
    if (base != reg->base || size != reg->size)
        return orr_fail(err, "save state memory at 0x%llx (%llu bytes) does not match this "
                        "machine's %s (%llu bytes at 0x%llx); was it taken with another "
                        "memory size?", (unsigned long long)base, (unsigned long long)size,
                        reg->name, (unsigned long long)reg->size,
                        (unsigned long long)reg->base);
    return 0;
}

static int find_versioned(struct state_reader *r, const char *tag, uint32_t version,
                          const char *what, struct orr_error *err)
{
    if (state_reader_find(r, tag))
        return -1;
    if (r->version != version)
        return orr_fail(err, "save state for %s is version %u, this build reads %u", what,
                        r->version, version);
    return 0;
}

static int read_serial(struct machine *m, struct state_reader *r, bool apply,
                       struct orr_error *err)
{
    uint32_t n = state_get_u32(r);
    if (state_reader_check(r))
        return -1;
    if (n != m->nserial)
        return orr_fail(err, "save state has %u serial ports, this machine has %u", n,
                        m->nserial);
    for (unsigned i = 0; i < n; i++) {
        uint64_t len = state_get_u64(r);
        if (state_reader_check(r))
            return -1;
        if (len >= CHARDEV_RX_SIZE || len > r->section_end - r->pos)
            return orr_fail(err, "save state: serial port %u's queued input is corrupt", i);
        if (apply) {
            struct chardev *cd = &m->serial[i];
            cd->rx_head = cd->rx_tail = 0;
            memcpy(cd->rx, r->buf + r->pos, (size_t)len);
            cd->rx_tail = (unsigned)len;
        }
        r->pos += (size_t)len;
    }
    return 0;
}

/* The owners have scheduled their events again, each getting a new place
 * in the scheduling order: give each back its saved one (matched by name
 * and deadline), and the counter its saved value. */
static void restore_event_order(struct machine *m, const struct machine_header *h)
{
    bool used[CLOCK_MAX_EVENTS] = { false };
    struct clock_event *pending[CLOCK_MAX_EVENTS];
    unsigned n = m->clock.nheap;
    memcpy(pending, m->clock.heap, n * sizeof pending[0]);
    for (unsigned i = 0; i < h->nevents; i++)
        for (unsigned k = 0; k < n; k++)
            if (!used[k] && pending[k]->deadline == h->events[i].deadline &&
                strcmp(pending[k]->name, h->events[i].name) == 0) {
                used[k] = true;
                clock_event_restore_seq(&m->clock, pending[k], h->events[i].seq);
                break;
            }
    m->clock.next_seq = h->seq;
}

/* Walks every section this machine needs, in order. With apply false it
 * only checks that each is present, in a version this build reads, with a
 * matching memory layout, so a bad image changes nothing. With apply true
 * it loads; a failure then (corrupt data inside a section) leaves the
 * machine half-restored, and the caller must reset or destroy it. */
static int walk_image(struct machine *m, struct state_reader *r, bool apply, bool with_ram,
                      struct orr_error *err)
{
    struct machine_header h = { 0 };
    if (read_machine_header(m, r, &h, err))
        return -1;
    for (unsigned i = 0; i < m->bus.mem.count; i++) {
        struct bus_region *reg = &m->bus.mem.regions[i];
        if (reg->kind == REGION_MMIO)
            continue;
        if (read_region_header(r, reg, err))
            return -1;
        if (!with_ram)
            continue;
        uint8_t kind = state_get_u8(r);
        if (state_reader_check(r))
            return -1;
        if (kind != (mem_as_pages(reg) ? MEM_AS_PAGES : MEM_AS_BLOB))
            return orr_fail(err, "save state: memory at 0x%llx is stored in an unknown form",
                            (unsigned long long)reg->base);
        if (!apply) {
            if (kind == MEM_AS_PAGES ? state_skip_pages(r, (size_t)reg->size)
                                     : state_skip_zblob(r))
                return -1;
            continue;
        }
        if (kind == MEM_AS_PAGES ? state_get_pages(r, reg->host, (size_t)reg->size)
                                 : state_get_zblob(r, reg->host, (size_t)reg->size))
            return -1;
        if (reg->kind == REGION_RAM)
            bus_notify_write(&m->bus, reg->base, reg->size);
    }
    if (apply) {
        /* Pending events belong to their owners, which schedule them again
         * from their own sections below. */
        clock_reset(&m->clock);
        m->clock.now_ns = h.now;
        m->executed = h.executed;
        m->psci.request = PSCI_REQ_NONE;
        for (unsigned i = 0; i < PSCI_MAX_CPUS; i++)
            m->psci.suspended[i] = (h.suspended >> i) & 1;
        if (m->clock.mode == CLOCK_MODE_REALTIME) {
            uint64_t host = clock_host_ns();
            m->clock.host_base_ns = host > h.now ? host - h.now : 0;
        }
    }
    if (find_versioned(r, "serial", 1, "serial ports", err) || read_serial(m, r, apply, err))
        return -1;
    for (unsigned i = 0; i < m->ncpus; i++) {
        char tag[16];
        cpu_tag(tag, sizeof tag, i);
        if (find_versioned(r, tag, CPU_STATE_VERSION, tag, err))
            return -1;
        if (apply && (m->cpus[i]->ops->load(m->cpus[i], r, err) || state_reader_check(r)))
            return -1;
    }
    for (unsigned i = 0; i < m->ndevices; i++) {
        const struct machine_device *md = &m->devices[i];
        char tag[STATE_TAG_MAX + 8];
        if (!md->model->load)
            continue;
        if (device_tag(tag, sizeof tag, md))
            return orr_fail(err, "device path %s is too long for a save state", md->path);
        if (find_versioned(r, tag, md->model->state_version, md->path, err))
            return -1;
        if (!apply && md->model->check && md->model->check(md->dev, r, err))
            return -1;
        if (apply && (md->model->load(md->dev, r, err) || state_reader_check(r)))
            return -1;
    }
    if (apply)
        restore_event_order(m, &h);
    return 0;
}

int machine_load(struct machine *m, struct state_reader *r, struct orr_error *err)
{
    r->err = err;
    if (walk_image(m, r, false, true, err))
        return -1;
    return walk_image(m, r, true, true, err) ? -2 : 0;
}

int machine_load_without_memory(struct machine *m, struct state_reader *r,
                                struct orr_error *err)
{
    r->err = err;
    if (walk_image(m, r, false, false, err))
        return -1;
    return walk_image(m, r, true, false, err) ? -2 : 0;
}
