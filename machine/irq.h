/* Interrupt lines: a small object connecting one device output to one input
 * of an interrupt controller (or a CPU). The source drives the level; the
 * sink is told on every change. Edge-triggered sinks see the rising change. */
#ifndef ORRERY_MACHINE_IRQ_H
#define ORRERY_MACHINE_IRQ_H

#include <stdbool.h>
#include <stddef.h>

struct irq_line {
    void (*set)(void *opaque, unsigned input, bool level);  /* sink */
    void *opaque;
    unsigned input;          /* sink's input number */
    bool level;              /* current level driven by the source */
};

/* Drives the line; the sink hears only changes. An unconnected line (NULL
 * or no sink) is legal and silent. */
static inline void irq_set(struct irq_line *line, bool level)
{
    if (!line || line->level == level)
        return;
    line->level = level;
    if (line->set)
        line->set(line->opaque, line->input, level);
}

static inline void irq_connect(struct irq_line *line,
                               void (*set)(void *opaque, unsigned input, bool level),
                               void *opaque, unsigned input)
{
    line->set = set;
    line->opaque = opaque;
    line->input = input;
}

#endif
