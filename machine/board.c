/* The board loader: a flattened device tree becomes RAM, CPUs and devices.
 * References: Devicetree Specification v0.4 §2.3.5 (#address-cells,
 * #size-cells), §2.3.6 (reg), §2.3.8 (ranges), §2.4 (interrupts and
 * interrupt-parent), §3.4 (/memory), §3.7 (/cpus), §3.3 (/aliases). */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/board_internal.h"

static uint64_t read_cells(const fdt32_t *p, int cells)
{
    uint64_t v = 0;
    for (int i = 0; i < cells; i++)
        v = (v << 32) | fdt32_to_cpu(p[i]);
    return v;
}

static int prop_u32(const void *fdt, int node, const char *name, int dflt)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, node, name, &len);
    if (!p || len != 4)
        return dflt;
    return (int)fdt32_to_cpu(*p);
}

/* #address-cells / #size-cells that apply to the children of node
 * (§2.3.5: defaults 2 and 1). */
static void child_cells(const void *fdt, int node, int *ac, int *sc)
{
    *ac = prop_u32(fdt, node, "#address-cells", 2);
    *sc = prop_u32(fdt, node, "#size-cells", 1);
}

/* Translates an address in the bus of node `bus_node` (a node whose children
 * the address belongs to) up to the root, through each ancestor's `ranges`
 * (§2.3.8). Returns -1 if some level has no ranges or no entry matches. */
static int translate_up(const void *fdt, int bus_node, uint64_t *addr, uint64_t size)
{
    while (bus_node > 0) {
        int parent = fdt_parent_offset(fdt, bus_node);
        if (parent < 0)
            return -1;
        int len;
        const fdt32_t *ranges = fdt_getprop(fdt, bus_node, "ranges", &len);
        if (!ranges)
            return -1;
        if (len > 0) {
            int cac, csc, pac, psc;
            child_cells(fdt, bus_node, &cac, &csc);
            child_cells(fdt, parent, &pac, &psc);
            int entry = cac + pac + csc;
            if (entry <= 0 || cac > 2 || pac > 2 || csc > 2)
                return -1;
            int n = len / (4 * entry);
            bool found = false;
            for (int i = 0; i < n && !found; i++) {
                const fdt32_t *e = ranges + i * entry;
                uint64_t cbase = read_cells(e, cac);
                uint64_t pbase = read_cells(e + cac, pac);
                uint64_t rsize = read_cells(e + cac + pac, csc);
                if (*addr >= cbase && *addr - cbase < rsize && size <= rsize - (*addr - cbase)) {
                    *addr = pbase + (*addr - cbase);
                    found = true;
                }
            }
            if (!found)
                return -1;
        }
        bus_node = parent;
    }
    return 0;
}

int board_reg_windows(const void *fdt, int node, uint64_t *base, uint64_t *size,
                      unsigned max, unsigned *count, struct orr_error *err)
{
    *count = 0;
    int parent = fdt_parent_offset(fdt, node);
    if (parent < 0)
        return 0;
    int ac, sc;
    child_cells(fdt, parent, &ac, &sc);
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg)
        return 0;
    if (ac < 1 || ac > 2 || sc < 0 || sc > 2)
        return orr_fail(err, "%s: unsupported #address-cells %d / #size-cells %d",
                        fdt_get_name(fdt, node, NULL), ac, sc);
    int entry = ac + sc;
    if (len % (4 * entry))
        return orr_fail(err, "%s: reg length %d is not a multiple of %d cells",
                        fdt_get_name(fdt, node, NULL), len, entry);
    unsigned n = (unsigned)(len / (4 * entry));
    for (unsigned i = 0; i < n && *count < max; i++) {
        uint64_t a = read_cells(reg + i * entry, ac);
        uint64_t s = sc ? read_cells(reg + i * entry + ac, sc) : 1;
        if (translate_up(fdt, parent, &a, s) != 0)
            return orr_fail(err, "%s: reg window %u is not reachable from the root bus",
                            fdt_get_name(fdt, node, NULL), i);
        base[*count] = a;
        size[*count] = s;
        (*count)++;
    }
    return 0;
}

static bool is_memory_node(const void *fdt, int node)
{
    const char *type = fdt_getprop(fdt, node, "device_type", NULL);
    return type && strcmp(type, "memory") == 0;
}

int board_add_memory(struct machine *m, const struct machine_config *cfg,
                     struct orr_error *err)
{
    const void *fdt = m->dtb;
    unsigned banks = 0;
    int node;
    fdt_for_each_subnode(node, fdt, 0) {
        if (!is_memory_node(fdt, node))
            continue;
        uint64_t base[8], size[8];
        unsigned n;
        if (board_reg_windows(fdt, node, base, size, 8, &n, err))
            return -1;
        for (unsigned i = 0; i < n; i++) {
            if (banks == 0 && cfg->ram_size)
                size[i] = cfg->ram_size;
            if (size[i] == 0)
                continue;
            char name[32];
            snprintf(name, sizeof name, banks ? "ram%u" : "ram", banks);
            if (bus_add_ram(&m->bus, name, base[i], size[i], err))
                return orr_fail_prefix(err, "memory bank at 0x%llx", (unsigned long long)base[i]);
            if (banks == 0) {
                m->ram_base = base[i];
                m->ram_size = size[i];
            }
            banks++;
        }
    }
    if (!banks)
        return orr_fail(err, "board has no /memory node (device_type \"memory\" with a reg)");
    return 0;
}

static void list_models(char *buf, size_t len)
{
    size_t n, used = 0;
    const struct cpu_model *const *models = cpu_model_list(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", models[i]->name);
}

int board_add_cpus(struct machine *m, const struct machine_config *cfg,
                   struct orr_error *err)
{
    const void *fdt = m->dtb;
    char known[160];
    list_models(known, sizeof known);
    const struct cpu_model *override = NULL;
    if (cfg->cpu_model) {
        override = cpu_model_find(cfg->cpu_model);
        if (!override)
            return orr_fail(err, "unknown CPU model '%s' (known: %s)", cfg->cpu_model, known);
    }
    int cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0)
        return orr_fail(err, "board has no /cpus node");
    int node;
    fdt_for_each_subnode(node, fdt, cpus) {
        const char *type = fdt_getprop(fdt, node, "device_type", NULL);
        const char *name = fdt_get_name(fdt, node, NULL);
        if (!(type && strcmp(type, "cpu") == 0) && strncmp(name, "cpu@", 4) != 0)
            continue;
        if (m->ncpus >= MACHINE_MAX_CPUS)
            return orr_fail(err, "board has more than %d CPUs", MACHINE_MAX_CPUS);
        const struct cpu_model *model = override;
        if (!model) {
            int len;
            const char *compat = fdt_getprop(fdt, node, "compatible", &len);
            for (int off = 0; compat && off < len && !model; off += (int)strlen(compat + off) + 1)
                model = cpu_model_find_compatible(compat + off);
            if (!model)
                return orr_fail(err, "/cpus/%s: CPU compatible '%s' is not a known model (known: %s); choose one with --cpu",
                                name, compat ? compat : "(none)", known);
        }
        struct cpu_config cc = {
            .bus = &m->bus,
            .clock = &m->clock,
            .log = &m->log,
            .host = &m->host,
            .index = m->ncpus,
            .semihosting = cfg->semihosting,
            .ram_base = m->ram_base,
            .ram_size = m->ram_size,
        };
        struct cpu *cpu = NULL;
        if (model->create(model, &cc, &cpu, err))
            return orr_fail_prefix(err, "creating CPU %s", model->name);
        m->cpus[m->ncpus++] = cpu;
    }
    if (!m->ncpus)
        return orr_fail(err, "board has no CPU under /cpus");
    return 0;
}

/* interrupt-parent of node, inherited from ancestors (§2.4.1). */
static int interrupt_parent(const void *fdt, int node)
{
    for (int n = node; n >= 0; n = fdt_parent_offset(fdt, n)) {
        int len;
        const fdt32_t *p = fdt_getprop(fdt, n, "interrupt-parent", &len);
        if (p && len == 4)
            return fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*p));
    }
    return -1;
}

static struct machine_device *device_at(struct machine *m, int node)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        if (m->devices[i].node == node)
            return &m->devices[i];
    return NULL;
}

static void wire_interrupts(struct machine *m, struct machine_device *md,
                            struct device_ctx *ctx, int node)
{
    const void *fdt = m->dtb;
    int len;
    const fdt32_t *ints = fdt_getprop(fdt, node, "interrupts", &len);
    if (!ints)
        return;
    int parent = interrupt_parent(fdt, node);
    int cells = parent >= 0 ? prop_u32(fdt, parent, "#interrupt-cells", -1) : -1;
    if (parent < 0 || cells <= 0 || cells > 4) {
        log_msg(&m->log, LOG_BOARD, "%s: interrupts without a usable interrupt parent; left unconnected",
                md->path);
        return;
    }
    unsigned n = (unsigned)(len / (4 * cells));
    struct machine_device *ctrl = device_at(m, parent);
    for (unsigned i = 0; i < n && md->nirqs < DEVICE_MAX_IRQS; i++) {
        struct irq_line *line = &md->irqs[md->nirqs++];
        memset(line, 0, sizeof *line);
        ctx->irqs[ctx->nirqs++] = line;
        uint32_t spec[4];
        for (int c = 0; c < cells; c++)
            spec[c] = fdt32_to_cpu(ints[i * (unsigned)cells + (unsigned)c]);
        if (!ctrl || !ctrl->model->irq_connect) {
            log_msg(&m->log, LOG_BOARD, "%s: interrupt %u goes to %s, which is not modelled; left unconnected",
                    md->path, i, fdt_get_name(fdt, parent, NULL));
            continue;
        }
        struct orr_error e;
        if (ctrl->model->irq_connect(ctrl->dev, spec, (unsigned)cells, line, &e))
            log_msg(&m->log, LOG_BOARD, "%s: interrupt %u not connected: %s", md->path, i, e.msg);
    }
}

/* Serial port for a chardev device: its /aliases serialN index if it has
 * one, else the lowest index no alias claims and no device took. */
static struct chardev *serial_for(struct machine *m, int node, unsigned *taken)
{
    const void *fdt = m->dtb;
    unsigned aliased = 0;
    int chosen = -1;
    for (unsigned i = 0; i < MACHINE_MAX_SERIAL; i++) {
        char alias[16];
        snprintf(alias, sizeof alias, "serial%u", i);
        const char *path = fdt_get_alias(fdt, alias);
        if (!path)
            continue;
        aliased |= 1u << i;
        if (fdt_path_offset(fdt, path) == node)
            chosen = (int)i;
    }
    if (chosen < 0)
        for (unsigned i = 0; i < MACHINE_MAX_SERIAL && chosen < 0; i++)
            if (!((aliased | *taken) & (1u << i)))
                chosen = (int)i;
    if (chosen < 0 || (*taken & (1u << chosen)))
        return NULL;
    *taken |= 1u << chosen;
    if ((unsigned)chosen + 1 > m->nserial)
        m->nserial = (unsigned)chosen + 1;
    return &m->serial[chosen];
}

static int create_device(struct machine *m, int node, const struct device_model *model,
                         unsigned *serial_taken, struct orr_error *err)
{
    const void *fdt = m->dtb;
    struct machine_device *md = &m->devices[m->ndevices];
    memset(md, 0, sizeof *md);
    md->model = model;
    md->node = node;
    if (fdt_get_path(fdt, node, md->path, sizeof md->path) < 0)
        snprintf(md->path, sizeof md->path, "%s", fdt_get_name(fdt, node, NULL));

    struct device_ctx ctx = {
        .fdt = fdt, .node = node, .path = md->path,
        .bus = &m->bus, .clock = &m->clock, .log = &m->log,
    };
    if (board_reg_windows(fdt, node, ctx.window_base, ctx.window_size, DEVICE_MAX_WINDOWS,
                          &ctx.nwindows, err))
        return -1;
    if (model->uses_chardev)
        ctx.chardev = serial_for(m, node, serial_taken);
    wire_interrupts(m, md, &ctx, node);
    md->base = ctx.nwindows ? ctx.window_base[0] : 0;

    if (model->create(&ctx, &md->dev, err))
        return orr_fail_prefix(err, "%s", md->path);
    m->ndevices++;
    if (model->reset)
        model->reset(md->dev);
    for (unsigned w = 0; w < ctx.nwindows && (model->read || model->write); w++)
        if (bus_add_mmio(&m->bus, md->path, ctx.window_base[w], ctx.window_size[w],
                         model->read, model->write, md->dev, w, err))
            return orr_fail_prefix(err, "%s", md->path);
    return 0;
}

static bool node_is_enabled(const void *fdt, int node)
{
    const char *status = fdt_getprop(fdt, node, "status", NULL);
    return !status || strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0;
}

static const struct device_model *model_for(const void *fdt, int node, const char **first)
{
    int len;
    const char *compat = fdt_getprop(fdt, node, "compatible", &len);
    *first = compat;
    for (int off = 0; compat && off < len; off += (int)strlen(compat + off) + 1) {
        const struct device_model *model = device_model_find(compat + off);
        if (model)
            return model;
    }
    return NULL;
}

int board_add_devices(struct machine *m, struct orr_error *err)
{
    const void *fdt = m->dtb;
    unsigned capacity = 0;
    int node, depth = 0;
    for (node = fdt_next_node(fdt, -1, &depth); node >= 0; node = fdt_next_node(fdt, node, &depth))
        capacity++;
    m->devices = calloc(capacity ? capacity : 1, sizeof *m->devices);
    if (!m->devices)
        return orr_fail(err, "out of memory");
    unsigned serial_taken = 0;
    int cpus = fdt_path_offset(fdt, "/cpus");
    /* Interrupt controllers first, so every user's lines can be wired. */
    for (int pass = 0; pass < 2; pass++) {
        depth = 0;
        for (node = fdt_next_node(fdt, -1, &depth); node >= 0;
             node = fdt_next_node(fdt, node, &depth)) {
            if (node == 0 || !node_is_enabled(fdt, node))
                continue;
            if (cpus >= 0 && (node == cpus || fdt_parent_offset(fdt, node) == cpus))
                continue;
            bool is_ctrl = fdt_getprop(fdt, node, "interrupt-controller", NULL) != NULL;
            if (is_ctrl != (pass == 0))
                continue;
            const char *first;
            const struct device_model *model = model_for(fdt, node, &first);
            if (!model) {
                if (first && pass == (is_ctrl ? 0 : 1) && !is_memory_node(fdt, node))
                    log_msg(&m->log, LOG_BOARD, "%s (%s): no model; ignored",
                            fdt_get_name(fdt, node, NULL), first);
                continue;
            }
            if (create_device(m, node, model, &serial_taken, err))
                return -1;
        }
    }
    return 0;
}
