/* The board loader: a flattened device tree becomes RAM, CPUs and devices.
 *
 * References: Devicetree Specification v0.4 (DTSpec) §2.3.5 (#address-cells,
 * #size-cells, and their defaults 2 and 1), §2.3.6 (reg), §2.3.8 (ranges),
 * §2.4 (interrupts, interrupt-parent, #interrupt-cells,
 * interrupts-extended), §3.3 (/aliases), §3.4 (/memory), §3.7 (/cpus).
 * The rules as a user sees them are in docs/boards.md, "How the loader
 * reads a board".
 *
 * The tree is walked in m->dtb (the machine's copy), so the node offsets
 * handed to device models stay valid for the machine's lifetime. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "cpu/log.h"
#include "machine/board_internal.h"

#define MAX_ADDR_CELLS 2     /* addresses and sizes up to 64 bits */
#define MAX_IRQ_CELLS 8
#define MAX_WALK 64          /* bound on interrupt-parent chains */
/* Inputs a CPU node acting as interrupt controller offers (cell 0), and the
 * outputs a root interrupt controller gets per CPU (ARM: IRQ, FIQ). */
#define CPU_IRQ_INPUTS 4
#define ROOT_IRQS_PER_CPU 2
/* The generic timer's per-CPU outputs, in the order of the arm,armv7-timer
 * binding's `interrupts`: secure physical, non-secure physical, virtual,
 * hypervisor (cpu_ops.irq_output numbering). */
#define CPU_TIMER_OUTPUTS 4
#define CPU_TIMER_COMPATIBLE "arm,armv7-timer"

/* ---- small tree helpers ------------------------------------------------ */

static const char *node_path(const void *fdt, int node, char *buf, int len)
{
    if (fdt_get_path(fdt, node, buf, len) != 0)
        snprintf(buf, (size_t)len, "%s", fdt_get_name(fdt, node, NULL));
    return buf;
}

static bool prop_is(const void *fdt, int node, const char *prop, const char *value)
{
    int len;
    const char *v = fdt_getprop(fdt, node, prop, &len);
    return v && len > 0 && strnlen(v, (size_t)len) < (size_t)len && strcmp(v, value) == 0;
}

/* DTSpec §2.3.4: a node is usable unless status says otherwise. */
static bool node_enabled(const void *fdt, int node)
{
    int len;
    const char *v = fdt_getprop(fdt, node, "status", &len);
    if (!v || len <= 0)
        return true;
    return strcmp(v, "okay") == 0 || strcmp(v, "ok") == 0;
}

/* Reads ncells big-endian cells as one number; more than 64 bits only if
 * the extra high cells are zero. */
static bool read_cells(const fdt32_t *p, int ncells, uint64_t *out)
{
    uint64_t v = 0;
    for (int i = 0; i < ncells; i++) {
        uint32_t c = fdt32_to_cpu(p[i]);
        if (i < ncells - MAX_ADDR_CELLS && c != 0)
            return false;
        v = (v << 32) | c;
    }
    *out = v;
    return true;
}

/* #address-cells / #size-cells a node gives its children (defaults 2 and 1). */
static int bus_cells(const void *fdt, int bus, int *ac, int *sc, struct orr_error *err)
{
    char path[128];
    *ac = fdt_address_cells(fdt, bus);
    *sc = fdt_size_cells(fdt, bus);
    if (*ac < 1 || *sc < 0)
        return orr_fail(err, "%s: bad #address-cells or #size-cells",
                        node_path(fdt, bus, path, sizeof path));
    return 0;
}

/* Translates a window [addr, addr+size) given in the address space of bus
 * node `bus` up to the root, through each ancestor's `ranges` (DTSpec
 * §2.3.8: absent means "not memory-mapped", empty means identity). */
static int translate(const void *fdt, int bus, uint64_t *addr, uint64_t size,
                     const char *who, struct orr_error *err)
{
    char path[128];
    while (bus > 0) {
        int parent = fdt_parent_offset(fdt, bus);
        if (parent < 0)
            return orr_fail(err, "%s: cannot find the parent of %s", who,
                            node_path(fdt, bus, path, sizeof path));
        int len;
        const fdt32_t *r = fdt_getprop(fdt, bus, "ranges", &len);
        if (!r)
            return orr_fail(err, "%s: %s has no `ranges`, so its children are not "
                            "memory-mapped", who, node_path(fdt, bus, path, sizeof path));
        if (len > 0) {
            int cac, csc, pac, psc;
            if (bus_cells(fdt, bus, &cac, &csc, err) || bus_cells(fdt, parent, &pac, &psc, err))
                return -1;
            int entry = cac + pac + csc;
            if (len % (4 * entry) != 0)
                return orr_fail(err, "%s: `ranges` of %s is not a whole number of "
                                "(child, parent, length) entries", who,
                                node_path(fdt, bus, path, sizeof path));
            bool found = false;
            for (int e = 0; e < len / (4 * entry) && !found; e++) {
                const fdt32_t *p = r + e * entry;
                uint64_t cba, pba, rlen;
                if (!read_cells(p, cac, &cba) || !read_cells(p + cac, pac, &pba) ||
                    !read_cells(p + cac + pac, csc, &rlen))
                    return orr_fail(err, "%s: `ranges` of %s has an address wider than "
                                    "64 bits", who, node_path(fdt, bus, path, sizeof path));
                if (*addr < cba || *addr - cba >= rlen)
                    continue;
                if (size > rlen - (*addr - cba))
                    return orr_fail(err, "%s: window at 0x%llx of size 0x%llx crosses the "
                                    "end of a `ranges` entry of %s", who,
                                    (unsigned long long)*addr, (unsigned long long)size,
                                    node_path(fdt, bus, path, sizeof path));
                *addr = pba + (*addr - cba);
                found = true;
            }
            if (!found)
                return orr_fail(err, "%s: address 0x%llx is outside every `ranges` entry "
                                "of %s", who, (unsigned long long)*addr,
                                node_path(fdt, bus, path, sizeof path));
        }
        bus = parent;
    }
    return 0;
}

/* The ISA bus binding (IEEE Std 1275 ISA supplement, as Linux reads it): the
 * children of a node with device_type = "isa" have two address cells, the
 * first naming the space (bit 0 set: I/O ports, clear: memory) and the
 * second the address. I/O windows are port numbers, not translated; memory
 * windows go through the ISA node's `ranges` like any other. */
#define ISA_SPACE_IO 1u

static bool isa_io_window(const void *fdt, int parent, int ac, const fdt32_t *cells)
{
    return ac == 2 && prop_is(fdt, parent, "device_type", "isa") &&
           (fdt32_to_cpu(cells[0]) & ISA_SPACE_IO) != 0;
}

/* Decodes a node's `reg` (in its parent's cells) into root addresses.
 * io[i] (io may be NULL: then I/O windows are an error) tells whether
 * window i is a range of I/O ports on an ISA bus. */
static int read_reg_io(const void *fdt, int node, const char *who, unsigned max,
                       uint64_t *base, uint64_t *size, bool *io, unsigned *count,
                       struct orr_error *err)
{
    *count = 0;
    int len;
    const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);
    if (!reg)
        return 0;
    int parent = fdt_parent_offset(fdt, node);
    int ac, sc;
    if (parent < 0)
        return orr_fail(err, "%s: has no parent node", who);
    if (bus_cells(fdt, parent, &ac, &sc, err))
        return -1;
    int entry = ac + sc;
    if (len % (4 * entry) != 0)
        return orr_fail(err, "%s: `reg` is %d bytes, not a multiple of %d cells "
                        "(#address-cells %d + #size-cells %d)", who, len, entry, ac, sc);
    unsigned n = (unsigned)(len / (4 * entry));
    if (n > max)
        return orr_fail(err, "%s: `reg` has %u entries, at most %u are supported", who, n, max);
    for (unsigned i = 0; i < n; i++) {
        const fdt32_t *p = reg + i * (unsigned)entry;
        if (!read_cells(p, ac, &base[i]) || !read_cells(p + ac, sc, &size[i]))
            return orr_fail(err, "%s: `reg` entry %u is wider than 64 bits", who, i);
        bool port = isa_io_window(fdt, parent, ac, p);
        if (port && !io)
            return orr_fail(err, "%s: `reg` entry %u is in ISA I/O space, not memory", who, i);
        if (io)
            io[i] = port;
        if (port)
            base[i] &= UINT32_MAX;       /* the port number, the second cell */
        else if (translate(fdt, parent, &base[i], size[i], who, err))
            return -1;
    }
    *count = n;
    return 0;
}

static int read_reg(const void *fdt, int node, const char *who, unsigned max,
                    uint64_t *base, uint64_t *size, unsigned *count, struct orr_error *err)
{
    return read_reg_io(fdt, node, who, max, base, size, NULL, count, err);
}

/* The interrupt parent of a node, as Linux and DTSpec §2.4.1 define it:
 * follow `interrupt-parent` (or, without one, the tree parent) until a node
 * with #interrupt-cells. Returns the node offset, or -1. */
static int interrupt_parent(const void *fdt, int node)
{
    int cur = node;
    for (int steps = 0; steps < MAX_WALK; steps++) {
        int len;
        const fdt32_t *ph = fdt_getprop(fdt, cur, "interrupt-parent", &len);
        int next;
        if (ph && len == 4)
            next = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(*ph));
        else
            next = cur == 0 ? -1 : fdt_parent_offset(fdt, cur);
        if (next < 0)
            return -1;
        if (fdt_getprop(fdt, next, "#interrupt-cells", NULL))
            return next;
        cur = next;
    }
    return -1;
}

static int interrupt_cells(const void *fdt, int ctrl)
{
    int len;
    const fdt32_t *p = fdt_getprop(fdt, ctrl, "#interrupt-cells", &len);
    if (!p || len != 4)
        return -1;
    uint32_t n = fdt32_to_cpu(*p);
    return n <= MAX_IRQ_CELLS ? (int)n : -1;
}

static bool has_interrupts(const void *fdt, int node)
{
    return fdt_getprop(fdt, node, "interrupts", NULL) ||
           fdt_getprop(fdt, node, "interrupts-extended", NULL);
}

static bool is_controller(const void *fdt, int node)
{
    return fdt_getprop(fdt, node, "interrupt-controller", NULL) != NULL;
}

/* ---- memory ------------------------------------------------------------ */

int board_add_memory(struct machine *m, const struct machine_config *cfg,
                     struct orr_error *err)
{
    const void *fdt = m->dtb;
    unsigned banks = 0;
    char path[128];
    for (int node = fdt_first_subnode(fdt, 0); node >= 0; node = fdt_next_subnode(fdt, node)) {
        if (!prop_is(fdt, node, "device_type", "memory") || !node_enabled(fdt, node))
            continue;
        node_path(fdt, node, path, sizeof path);
        uint64_t base[16], size[16];
        unsigned n;
        if (read_reg(fdt, node, path, 16, base, size, &n, err))
            return -1;
        for (unsigned i = 0; i < n; i++) {
            if (banks == 0 && cfg->ram_size)
                size[i] = cfg->ram_size;
            char name[48];
            if (n > 1)
                snprintf(name, sizeof name, "%.40s#%u", path, i % 16u);  /* i < 16 */
            else
                snprintf(name, sizeof name, "%.47s", path);
            if (bus_add_ram(&m->bus, name, base[i], size[i], err))
                return orr_fail_prefix(err, "RAM bank %s", path);
            if (banks == 0) {
                m->ram_base = base[i];
                m->ram_size = size[i];
            }
            banks++;
        }
    }
    if (banks == 0)
        return orr_fail(err, "board has no /memory node (a node with "
                        "device_type = \"memory\" and a `reg`)");
    return 0;
}

/* ---- CPUs -------------------------------------------------------------- */

static void model_names(char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cpu_model_count() && used + 1 < len; i++) {
        int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", cpu_model_at(i)->name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static bool is_cpu_node(const void *fdt, int node)
{
    if (prop_is(fdt, node, "device_type", "cpu"))
        return true;
    const char *name = fdt_get_name(fdt, node, NULL);
    return name && (strcmp(name, "cpu") == 0 || strncmp(name, "cpu@", 4) == 0);
}

/* The counter frequency of the CPUs' generic timers: the `clock-frequency`
 * of an enabled arm,armv7-timer node (the binding's way to state it when
 * firmware does not set CNTFRQ), else 0 (the CPU's default). */
static uint32_t cpu_timer_hz(const void *fdt)
{
    for (int node = fdt_node_offset_by_compatible(fdt, -1, CPU_TIMER_COMPATIBLE); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, CPU_TIMER_COMPATIBLE)) {
        int len;
        const fdt32_t *p = fdt_getprop(fdt, node, "clock-frequency", &len);
        if (node_enabled(fdt, node) && p && len == 4)
            return fdt32_to_cpu(*p);
    }
    return 0;
}

int board_add_cpus(struct machine *m, const struct machine_config *cfg,
                   struct orr_error *err)
{
    const void *fdt = m->dtb;
    char names[160], path[128];
    const struct cpu_model *forced = NULL;
    if (cfg->cpu_model) {
        forced = cpu_model_find(cfg->cpu_model);
        if (!forced) {
            model_names(names, sizeof names);
            return orr_fail(err, "unknown CPU model '%s' (known: %s)", cfg->cpu_model, names);
        }
    }
    int cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0)
        return orr_fail(err, "board has no /cpus node");
    for (int node = fdt_first_subnode(fdt, cpus); node >= 0;
         node = fdt_next_subnode(fdt, node)) {
        if (!is_cpu_node(fdt, node))
            continue;
        node_path(fdt, node, path, sizeof path);
        if (m->ncpus >= MACHINE_MAX_CPUS)
            return orr_fail(err, "%s: more than %d CPUs", path, MACHINE_MAX_CPUS);
        const struct cpu_model *model = forced;
        if (!model) {
            int len;
            const char *compat = fdt_getprop(fdt, node, "compatible", &len);
            for (int off = 0; compat && off < len && !model;) {
                const char *s = compat + off;
                size_t sl = strnlen(s, (size_t)(len - off));
                if (sl == (size_t)(len - off))
                    break;           /* not NUL-terminated */
                model = cpu_model_find_compatible(s);
                off += (int)sl + 1;
            }
            if (!model) {
                model_names(names, sizeof names);
                return orr_fail(err, "%s: no CPU model for compatible \"%s\" (known models: "
                                "%s; --cpu picks one)", path,
                                compat && len > 0 ? compat : "", names);
            }
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
            .timer_hz = cpu_timer_hz(fdt),
        };
        struct cpu *cpu = NULL;
        if (model->create(model, &cc, &cpu, err))
            return orr_fail_prefix(err, "%s (%s)", path, model->name);
        m->cpus[m->ncpus++] = cpu;
    }
    if (m->ncpus == 0)
        return orr_fail(err, "board has no CPU (a /cpus/cpu@N node)");
    return 0;
}

/* ---- devices ----------------------------------------------------------- */

struct dev_node {
    int node;
    const struct device_model *model;
    bool controller;
    int serial;              /* serial port index, or -1 */
    int backend;             /* index into the config's backends, or -1 */
    int created;             /* index into m->devices, or -1 */
};

struct board {
    struct machine *m;
    const void *fdt;
    struct dev_node *nodes;
    unsigned count;
    const char *const *backends;   /* from the machine config */
    unsigned nbackends;
};

static bool under_cpus_or_memory(const void *fdt, int node, int depth)
{
    if (depth < 1)
        return true;     /* the root describes the board, not a device */
    if (prop_is(fdt, node, "device_type", "memory") || is_cpu_node(fdt, node))
        return true;
    int cpus = fdt_path_offset(fdt, "/cpus");
    return cpus >= 0 && (node == cpus || fdt_supernode_atdepth_offset(fdt, node, 1, NULL) == cpus);
}

/* The first model for any of the node's compatible strings (most specific
 * first, DTSpec §2.3.1). */
static const struct device_model *find_model(const void *fdt, int node, bool *has_compat)
{
    int len;
    const char *compat = fdt_getprop(fdt, node, "compatible", &len);
    *has_compat = compat && len > 0;
    for (int off = 0; compat && off < len;) {
        const char *s = compat + off;
        size_t sl = strnlen(s, (size_t)(len - off));
        if (sl == (size_t)(len - off))
            break;
        const struct device_model *model = device_model_find(s);
        if (model)
            return model;
        off += (int)sl + 1;
    }
    return NULL;
}

static int collect_devices(struct board *b, struct orr_error *err)
{
    const void *fdt = b->fdt;
    unsigned cap = 0;
    int depth = 0;
    char path[128];
    for (int node = 0; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
        if (!node_enabled(fdt, node) || under_cpus_or_memory(fdt, node, depth))
            continue;
        bool has_compat;
        const struct device_model *model = find_model(fdt, node, &has_compat);
        if (!model) {
            /* The CPUs' own timer: wired by wire_cpu_timers, not a device. */
            if (has_compat && fdt_node_check_compatible(fdt, node, CPU_TIMER_COMPATIBLE) != 0)
                log_msg(&b->m->log, LOG_BOARD, "%s: no model for compatible \"%s\"; ignored",
                        node_path(fdt, node, path, sizeof path),
                        (const char *)fdt_getprop(fdt, node, "compatible", NULL));
            continue;
        }
        if (b->count == cap) {
            cap = cap ? cap * 2 : 8;
            struct dev_node *n = realloc(b->nodes, cap * sizeof *n);
            if (!n)
                return orr_fail(err, "out of memory reading the board");
            b->nodes = n;
        }
        b->nodes[b->count++] = (struct dev_node){
            .node = node, .model = model, .controller = is_controller(fdt, node),
            .serial = -1, .backend = -1, .created = -1,
        };
    }
    return 0;
}

static struct dev_node *dev_by_node(struct board *b, int node)
{
    for (unsigned i = 0; i < b->count; i++)
        if (b->nodes[i].node == node)
            return &b->nodes[i];
    return NULL;
}

/* Serial ports: /aliases serialN first (DTSpec §3.3), then node order. */
/* Backends (--drive, --device) go to the uses_backend nodes in tree order;
 * more backends than such nodes is an error. */
static int assign_backends(struct board *b, struct orr_error *err)
{
    unsigned next = 0;
    for (unsigned i = 0; i < b->count && next < b->nbackends; i++)
        if (b->nodes[i].model->uses_backend)
            b->nodes[i].backend = (int)next++;
    if (next < b->nbackends)
        return orr_fail(err, "%u virtual devices given but the board has only %u "
                        "virtio-mmio slots", b->nbackends, next);
    return 0;
}

/* Serial-like devices, and a virtio console, take a serial port. */
static bool wants_chardev(const struct board *b, const struct dev_node *d)
{
    if (d->model->uses_chardev)
        return true;
    return d->backend >= 0 && strncmp(b->backends[d->backend], "console", 7) == 0;
}

static void assign_serial(struct board *b)
{
    const void *fdt = b->fdt;
    struct machine *m = b->m;
    bool used[MACHINE_MAX_SERIAL] = { false };
    int aliases = fdt_path_offset(fdt, "/aliases");
    int prop;
    if (aliases >= 0) {
        fdt_for_each_property_offset(prop, fdt, aliases) {
            const char *name;
            int len;
            const char *val = fdt_getprop_by_offset(fdt, prop, &name, &len);
            if (!val || len <= 0 || strnlen(val, (size_t)len) == (size_t)len ||
                strncmp(name, "serial", 6) != 0)
                continue;
            char *end;
            unsigned long idx = strtoul(name + 6, &end, 10);
            if (end == name + 6 || *end || idx >= MACHINE_MAX_SERIAL || used[idx])
                continue;
            struct dev_node *d = dev_by_node(b, fdt_path_offset(fdt, val));
            if (!d || !wants_chardev(b, d) || d->serial >= 0)
                continue;
            d->serial = (int)idx;
            used[idx] = true;
        }
    }
    char path[128];
    for (unsigned i = 0; i < b->count; i++) {
        struct dev_node *d = &b->nodes[i];
        if (!wants_chardev(b, d) || d->serial >= 0)
            continue;
        for (unsigned s = 0; s < MACHINE_MAX_SERIAL && d->serial < 0; s++)
            if (!used[s]) {
                used[s] = true;
                d->serial = (int)s;
            }
        if (d->serial < 0)
            log_msg(&m->log, LOG_BOARD, "%s: no serial port left (at most %d); unconnected",
                    node_path(fdt, d->node, path, sizeof path), MACHINE_MAX_SERIAL);
    }
    m->nserial = 0;
    for (unsigned s = 0; s < MACHINE_MAX_SERIAL; s++)
        if (used[s])
            m->nserial = s + 1;
}

/* The sink of a line that ends at a CPU input (opaque: the struct cpu). */
static void cpu_irq_set(void *opaque, unsigned input, bool level)
{
    struct cpu *cpu = opaque;
    cpu->ops->set_irq(cpu, input, level);
}

/* The CPU index of a /cpus/cpu node, or -1. */
static int cpu_index_of(const void *fdt, int node)
{
    int cpus = fdt_path_offset(fdt, "/cpus");
    if (cpus < 0 || fdt_parent_offset(fdt, node) != cpus)
        return -1;
    int idx = 0;
    for (int n = fdt_first_subnode(fdt, cpus); n >= 0; n = fdt_next_subnode(fdt, n)) {
        if (!is_cpu_node(fdt, n))
            continue;
        if (n == node)
            return idx;
        idx++;
    }
    return -1;
}

/* Wires output `line` (interrupt number i of device `who`) to the input of
 * controller `ctrl` named by cells. `cpu` is the index of the CPU whose
 * private output the line is (the generic timer's), or -1 for a device's
 * line. An unmodelled controller leaves the line unconnected, with a note. */
static int wire_one(struct board *b, const char *who, unsigned i, int ctrl,
                    const uint32_t *cells, unsigned ncells, struct irq_line *line,
                    int cpu_output, struct orr_error *err)
{
    struct machine *m = b->m;
    char cpath[128];
    node_path(b->fdt, ctrl, cpath, sizeof cpath);
    int cpu = cpu_index_of(b->fdt, ctrl);
    if (cpu >= 0 && (unsigned)cpu < m->ncpus) {
        /* A CPU node acting as the interrupt controller: cell 0 is the
         * CPU's input number. */
        if (ncells < 1 || cells[0] >= CPU_IRQ_INPUTS)
            return orr_fail(err, "%s: interrupt %u names no input of %s", who, i, cpath);
        irq_connect(line, cpu_irq_set, m->cpus[cpu], cells[0]);
        return 0;
    }
    struct dev_node *d = dev_by_node(b, ctrl);
    if (!d || d->created < 0 || !d->model->irq_connect) {
        log_msg(&m->log, LOG_BOARD, "%s: interrupt %u goes to %s, which is not modelled; "
                "left unconnected", who, i, cpath);
        return 0;
    }
    void *dev = m->devices[d->created].dev;
    if (cpu_output >= 0 && d->model->irq_connect_cpu) {
        /* A per-CPU input (GIC PPI): the same specifier names a different
         * input for each CPU. */
        if (d->model->irq_connect_cpu(dev, (unsigned)cpu_output, cells, ncells, line, err))
            return orr_fail_prefix(err, "%s: interrupt %u of cpu%d to %s", who, i,
                                   cpu_output, cpath);
        return 0;
    }
    if (cpu_output > 0) {
        /* One shared input cannot take a line from every CPU (their levels
         * would overwrite each other): only CPU 0's is connected. */
        log_msg(&m->log, LOG_BOARD, "%s: %s has no per-CPU inputs; interrupt %u of cpu%d "
                "left unconnected", who, cpath, i, cpu_output);
        return 0;
    }
    if (d->model->irq_connect(dev, cells, ncells, line, err))
        return orr_fail_prefix(err, "%s: interrupt %u to %s", who, i, cpath);
    return 0;
}

/* Decodes `interrupts-extended` (preferred) or `interrupts` and wires entry
 * i to lines[i] (skipped when NULL); *count is the number of entries.
 * cpu_output as for wire_one. */
static int wire_interrupts(struct board *b, int node, const char *who,
                           struct irq_line *const lines[DEVICE_MAX_IRQS], int cpu_output,
                           unsigned *count, struct orr_error *err)
{
    const void *fdt = b->fdt;
    char cpath[128];
    uint32_t cells[MAX_IRQ_CELLS];
    int len;
    const fdt32_t *ext = fdt_getprop(fdt, node, "interrupts-extended", &len);
    if (ext) {
        int ncell_total = len / 4, pos = 0;
        if (len % 4)
            return orr_fail(err, "%s: `interrupts-extended` is not a list of cells", who);
        while (pos < ncell_total) {
            int ctrl = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(ext[pos]));
            if (ctrl < 0)
                return orr_fail(err, "%s: `interrupts-extended` entry %u names no node",
                                who, *count);
            int nc = interrupt_cells(fdt, ctrl);
            if (nc < 0)
                return orr_fail(err, "%s: %s has no usable #interrupt-cells", who,
                                node_path(fdt, ctrl, cpath, sizeof cpath));
            if (ncell_total - pos - 1 < nc)
                return orr_fail(err, "%s: `interrupts-extended` is truncated", who);
            if (*count >= DEVICE_MAX_IRQS)
                return orr_fail(err, "%s: more than %d interrupts", who, DEVICE_MAX_IRQS);
            for (int c = 0; c < nc; c++)
                cells[c] = fdt32_to_cpu(ext[pos + 1 + c]);
            unsigned i = (*count)++;
            if (lines[i] && wire_one(b, who, i, ctrl, cells, (unsigned)nc, lines[i],
                                     cpu_output, err))
                return -1;
            pos += 1 + nc;
        }
        return 0;
    }
    const fdt32_t *irqs = fdt_getprop(fdt, node, "interrupts", &len);
    if (!irqs)
        return 0;
    int ctrl = interrupt_parent(fdt, node);
    if (ctrl < 0)
        return orr_fail(err, "%s: has `interrupts` but no interrupt parent", who);
    int nc = interrupt_cells(fdt, ctrl);
    if (nc < 1)
        return orr_fail(err, "%s: its interrupt parent %s has no usable #interrupt-cells",
                        who, node_path(fdt, ctrl, cpath, sizeof cpath));
    if (len % (4 * nc))
        return orr_fail(err, "%s: `interrupts` is %d bytes, not a multiple of %d cells "
                        "(#interrupt-cells of %s)", who, len, nc,
                        node_path(fdt, ctrl, cpath, sizeof cpath));
    unsigned n = (unsigned)(len / (4 * nc));
    if (n > DEVICE_MAX_IRQS)
        return orr_fail(err, "%s: more than %d interrupts", who, DEVICE_MAX_IRQS);
    for (unsigned i = 0; i < n; i++) {
        for (int c = 0; c < nc; c++)
            cells[c] = fdt32_to_cpu(irqs[i * (unsigned)nc + (unsigned)c]);
        *count = i + 1;
        if (lines[i] && wire_one(b, who, i, ctrl, cells, (unsigned)nc, lines[i], cpu_output,
                                 err))
            return -1;
    }
    return 0;
}

/* A device asked to end the run (a test-exit port): the CPU whose access
 * reached it stops before its next instruction with that status. */
static void board_request_exit(void *opaque, int status)
{
    struct machine *m = opaque;
    unsigned who = m->bus.requester < m->ncpus ? m->bus.requester : 0;
    m->cpus[who]->exit_code = status;
    m->cpus[who]->exit_request = true;
}

static void board_request_reset(void *opaque)
{
    struct machine *m = opaque;
    unsigned who = m->bus.requester < m->ncpus ? m->bus.requester : 0;
    m->reset_request = true;
    m->cpus[who]->exit_request = true;
}

static int create_device(struct board *b, struct dev_node *d, struct orr_error *err)
{
    struct machine *m = b->m;
    const void *fdt = b->fdt;
    struct machine_device *md = &m->devices[m->ndevices];
    memset(md, 0, sizeof *md);
    md->model = d->model;
    md->node = d->node;
    if (fdt_get_path(fdt, d->node, md->path, sizeof md->path) != 0)
        return orr_fail(err, "a device node path is longer than %zu bytes",
                        sizeof md->path - 1);
    const char *who = md->path;

    struct device_ctx ctx = {
        .fdt = fdt, .node = d->node, .path = md->path,
        .bus = &m->bus, .clock = &m->clock, .log = &m->log,
        .chardev = d->serial >= 0 ? &m->serial[d->serial] : NULL,
        .backend = d->backend >= 0 ? b->backends[d->backend] : NULL,
    };
    bool io[DEVICE_MAX_WINDOWS] = { false };
    if (read_reg_io(fdt, d->node, who, DEVICE_MAX_WINDOWS, ctx.window_base, ctx.window_size,
                    io, &ctx.nwindows, err))
        return -1;
    ctx.request_exit = board_request_exit;
    ctx.request_reset = board_request_reset;
    ctx.exit_opaque = m;
    md->base = ctx.nwindows ? ctx.window_base[0] : 0;

    if (d->controller && !has_interrupts(fdt, d->node)) {
        /* A root interrupt controller: its outputs are the CPUs' inputs,
         * ROOT_IRQS_PER_CPU per CPU (ARM: IRQ then FIQ). */
        for (unsigned c = 0; c < m->ncpus; c++)
            for (unsigned k = 0; k < ROOT_IRQS_PER_CPU; k++) {
                unsigned i = c * ROOT_IRQS_PER_CPU + k;
                if (i >= DEVICE_MAX_IRQS)
                    break;
                irq_connect(&md->irqs[i], cpu_irq_set, m->cpus[c], k);
                md->nirqs = i + 1;
            }
    } else {
        struct irq_line *lines[DEVICE_MAX_IRQS];
        for (unsigned i = 0; i < DEVICE_MAX_IRQS; i++)
            lines[i] = &md->irqs[i];
        if (wire_interrupts(b, d->node, who, lines, -1, &md->nirqs, err))
            return -1;
    }
    ctx.nirqs = md->nirqs;
    for (unsigned i = 0; i < md->nirqs; i++)
        ctx.irqs[i] = &md->irqs[i];

    if (d->model->create(&ctx, &md->dev, err))
        return orr_fail_prefix(err, "%s (%s)", who, d->model->name);
    d->created = (int)m->ndevices;
    m->ndevices++;

    /* A controller wired to a CPU's INTR answers its acknowledge cycles. */
    for (unsigned i = 0; i < md->nirqs && d->model->intack; i++)
        if (md->irqs[i].set == cpu_irq_set) {
            struct cpu *cpu = md->irqs[i].opaque;
            if (cpu->ops->set_intack)
                cpu->ops->set_intack(cpu, d->model->intack, md->dev);
        }

    if (d->model->read || d->model->write) {
        for (unsigned w = 0; w < ctx.nwindows; w++) {
            int rc = io[w] ? bus_add_io(&m->bus, who, ctx.window_base[w], ctx.window_size[w],
                                        d->model->read, d->model->write, md->dev, w, err)
                           : bus_add_mmio(&m->bus, who, ctx.window_base[w], ctx.window_size[w],
                                          d->model->read, d->model->write, md->dev, w, err);
            if (rc)
                return orr_fail_prefix(err, "%s", who);
        }
    }
    return 0;
}

/* Controllers first, each after the controller it cascades into (several
 * passes; a cycle is broken in node order), then every other device in
 * node order. */
static int create_devices(struct board *b, struct orr_error *err)
{
    struct machine *m = b->m;
    if (b->count == 0)
        return 0;
    m->devices = calloc(b->count, sizeof *m->devices);
    if (!m->devices)
        return orr_fail(err, "out of memory creating devices");
    for (;;) {
        bool progress = false, pending = false;
        for (unsigned i = 0; i < b->count; i++) {
            struct dev_node *d = &b->nodes[i];
            if (!d->controller || d->created >= 0)
                continue;
            int parent = has_interrupts(b->fdt, d->node) ? interrupt_parent(b->fdt, d->node) : -1;
            struct dev_node *p = parent >= 0 && parent != d->node ? dev_by_node(b, parent) : NULL;
            if (p && p->controller && p->created < 0) {
                pending = true;
                continue;
            }
            if (create_device(b, d, err))
                return -1;
            progress = true;
        }
        if (!pending)
            break;
        if (!progress) {
            /* A cycle: create the first waiting controller regardless. */
            for (unsigned i = 0; i < b->count; i++)
                if (b->nodes[i].controller && b->nodes[i].created < 0) {
                    if (create_device(b, &b->nodes[i], err))
                        return -1;
                    break;
                }
        }
    }
    for (unsigned i = 0; i < b->count; i++)
        if (!b->nodes[i].controller && create_device(b, &b->nodes[i], err))
            return -1;
    return 0;
}

/* The ARM generic timer is part of each CPU (ARM ARM v7 B8), so its node
 * (binding: Linux Documentation/devicetree/bindings/timer/arm,arch_timer)
 * is not a device: each CPU's outputs are wired, in the node's
 * `interrupts` order, to the controller they name. With a GIC these are
 * PPIs, one input per CPU for the same specifier (irq_connect_cpu). A CPU
 * without a timer has no outputs; an unmodelled controller leaves the lines
 * unconnected, as for devices. */
static int wire_cpu_timers(struct board *b, struct orr_error *err)
{
    const void *fdt = b->fdt;
    struct machine *m = b->m;
    char who[128];
    for (int node = fdt_node_offset_by_compatible(fdt, -1, CPU_TIMER_COMPATIBLE); node >= 0;
         node = fdt_node_offset_by_compatible(fdt, node, CPU_TIMER_COMPATIBLE)) {
        if (!node_enabled(fdt, node))
            continue;
        node_path(fdt, node, who, sizeof who);
        for (unsigned c = 0; c < m->ncpus; c++) {
            struct cpu *cpu = m->cpus[c];
            struct irq_line *lines[DEVICE_MAX_IRQS] = { NULL };
            bool any = false;
            for (unsigned k = 0; k < CPU_TIMER_OUTPUTS && cpu->ops->irq_output; k++) {
                lines[k] = cpu->ops->irq_output(cpu, k);
                any |= lines[k] != NULL;
            }
            if (!any)
                continue;
            unsigned count = 0;
            if (wire_interrupts(b, node, who, lines, (int)c, &count, err))
                return -1;
        }
    }
    return 0;
}

int board_reg_windows(const void *fdt, int node, uint64_t *base, uint64_t *size, bool *io,
                      unsigned max, unsigned *count, struct orr_error *err)
{
    char path[128];
    return read_reg_io(fdt, node, node_path(fdt, node, path, sizeof path), max, base, size, io,
                       count, err);
}

int board_add_devices(struct machine *m, const struct machine_config *cfg,
                      struct orr_error *err)
{
    struct board b = { .m = m, .fdt = m->dtb, .backends = cfg->backends,
                       .nbackends = cfg->nbackends };
    int rc = collect_devices(&b, err);
    if (rc == 0)
        rc = assign_backends(&b, err);
    if (rc == 0) {
        assign_serial(&b);
        rc = create_devices(&b, err);
    }
    if (rc == 0)
        rc = wire_cpu_timers(&b, err);
    free(b.nodes);
    return rc;
}
