/* External inputs of a machine: the pins and buttons a frontend or monitor
 * drives from outside (machine_set_input, machine/machine.h). A device
 * model offers them through device_model.ninputs/set_input; this file
 * finds the device and the input a name means.
 *
 * Names:
 *   "PATH:N"  input N of the device at node PATH ("/pl061@9030000:3");
 *   KEY       a key of a `gpio-keys` node (Linux's binding,
 *             Documentation/devicetree/bindings/input/gpio-keys.yaml):
 *             its `label` ("GPIO Key Poweroff") or its node name
 *             ("poweroff"). Its `gpios` names the controller and pin (first
 *             cell) and flags (second cell, bit 0 = GPIO_ACTIVE_LOW, which
 *             inverts the level a press drives). */
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine.h"

#define GPIO_ACTIVE_LOW 1u
#define MAX_GPIO_CELLS 4

static struct machine_device *device_at_node(struct machine *m, int node)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        if (m->devices[i].node == node)
            return &m->devices[i];
    return NULL;
}

static struct machine_device *device_at_path(struct machine *m, const char *path, size_t len)
{
    for (unsigned i = 0; i < m->ndevices; i++)
        if (strlen(m->devices[i].path) == len && memcmp(m->devices[i].path, path, len) == 0)
            return &m->devices[i];
    return NULL;
}

static int drive(struct machine_device *md, unsigned input, bool level, const char *name,
                 struct orr_error *err)
{
    if (!md->model->set_input || input >= md->model->ninputs)
        return orr_fail(err, "input '%s': %s (%s) has %u inputs", name, md->path,
                        md->model->name, md->model->set_input ? md->model->ninputs : 0);
    md->model->set_input(md->dev, input, level);
    return 0;
}

/* Does gpio-keys child `key` answer to `name`? */
static bool key_named(const void *fdt, int key, const char *name)
{
    int len;
    const char *label = fdt_getprop(fdt, key, "label", &len);
    if (label && len > 0 && strnlen(label, (size_t)len) < (size_t)len &&
        strcmp(label, name) == 0)
        return true;
    const char *node_name = fdt_get_name(fdt, key, &len);
    if (!node_name)
        return false;
    const char *at = memchr(node_name, '@', (size_t)len);
    size_t base = at ? (size_t)(at - node_name) : (size_t)len;
    return strlen(name) == base && memcmp(node_name, name, base) == 0;
}

/* Drives gpio-keys key `key` to pressed (active) or released. */
static int press_key(struct machine *m, int key, const char *name, bool active,
                     struct orr_error *err)
{
    const void *fdt = m->dtb;
    int len;
    const fdt32_t *gpios = fdt_getprop(fdt, key, "gpios", &len);
    if (!gpios || len < 8)
        return orr_fail(err, "key '%s' has no usable `gpios`", name);
    int ctrl = fdt_node_offset_by_phandle(fdt, fdt32_to_cpu(gpios[0]));
    if (ctrl < 0)
        return orr_fail(err, "key '%s': `gpios` names no node", name);
    int clen;
    const fdt32_t *nc = fdt_getprop(fdt, ctrl, "#gpio-cells", &clen);
    uint32_t ncells = nc && clen == 4 ? fdt32_to_cpu(*nc) : 2;
    if (ncells < 1 || ncells > MAX_GPIO_CELLS || (size_t)len < 4 * (1 + (size_t)ncells))
        return orr_fail(err, "key '%s': `gpios` does not match #gpio-cells of its controller",
                        name);
    uint32_t pin = fdt32_to_cpu(gpios[1]);
    uint32_t flags = ncells >= 2 ? fdt32_to_cpu(gpios[2]) : 0;
    struct machine_device *md = device_at_node(m, ctrl);
    if (!md)
        return orr_fail(err, "key '%s': its GPIO controller is not modelled", name);
    bool level = (flags & GPIO_ACTIVE_LOW) ? !active : active;
    return drive(md, pin, level, name, err);
}

int machine_set_input(struct machine *m, const char *name, bool active, struct orr_error *err)
{
    if (!name || !*name)
        return orr_fail(err, "no input named");
    const char *colon = strrchr(name, ':');
    if (name[0] == '/' && colon && colon[1]) {
        char *end;
        unsigned long input = strtoul(colon + 1, &end, 10);
        struct machine_device *md = device_at_path(m, name, (size_t)(colon - name));
        if (*end || !md)
            return orr_fail(err, "input '%s': no device at that path, or not PATH:NUMBER",
                            name);
        if (input > UINT32_MAX)
            return orr_fail(err, "input '%s': no such input", name);
        return drive(md, (unsigned)input, active, name, err);
    }
    const void *fdt = m->dtb;
    for (int keys = fdt_node_offset_by_compatible(fdt, -1, "gpio-keys"); keys >= 0;
         keys = fdt_node_offset_by_compatible(fdt, keys, "gpio-keys")) {
        int len;
        const char *status = fdt_getprop(fdt, keys, "status", &len);
        if (status && len > 0 && (strnlen(status, (size_t)len) == (size_t)len ||
                                  (strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)))
            continue;   /* a disabled node (DTSpec §2.3.4) */
        int key;
        fdt_for_each_subnode(key, fdt, keys) {
            if (key_named(fdt, key, name))
                return press_key(m, key, name, active, err);
        }
    }
    return orr_fail(err, "no input named '%s' (a gpio-keys key's label or node name, "
                    "or PATH:NUMBER)", name);
}
