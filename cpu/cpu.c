#include "cpu/cpu.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cpu_stop_name(enum cpu_stop reason)
{
    switch (reason) {
    case CPU_STOP_BUDGET: return "budget";
    case CPU_STOP_IDLE: return "idle";
    case CPU_STOP_BREAKPOINT: return "breakpoint";
    case CPU_STOP_WATCHPOINT: return "watchpoint";
    case CPU_STOP_EXIT: return "exit";
    case CPU_STOP_RESET: return "reset";
    case CPU_STOP_FATAL: return "fatal";
    }
    return "?";
}

void cpu_init_common(struct cpu *cpu, const struct cpu_ops *ops,
                     const struct cpu_model *model, const struct cpu_config *cfg)
{
    cpu->ops = ops;
    cpu->model = model;
    cpu->bus = cfg->bus;
    cpu->clock = cfg->clock;
    cpu->log = cfg->log;
    cpu->host = cfg->host;
    cpu->index = cfg->index;
    cpu->semihosting = cfg->semihosting;
    cpu->ram_base = cfg->ram_base;
    cpu->ram_size = cfg->ram_size;
    cpu->exit_request = false;
    cpu->exit_code = 0;
    cpu->fatal[0] = '\0';
    cpu->nbreakpoints = 0;
    cpu->nwatchpoints = 0;
    cpu->debug_suspend = false;
    cpu->observer = NULL;
    cpu->firmware = (struct cpu_firmware){ NULL, NULL };
}

int cpu_reg_find(const struct cpu *cpu, const char *name)
{
    for (unsigned i = 0; i < cpu->nregs; i++)
        if (strcmp(cpu->regs[i].name, name) == 0)
            return (int)i;
    return -1;
}

int cpu_reg_index_with_flag(const struct cpu *cpu, unsigned flag)
{
    for (unsigned i = 0; i < cpu->nregs; i++)
        if (cpu->regs[i].flags & flag)
            return (int)i;
    return -1;
}

void cpu_insn_add_field(struct cpu_insn_info *info, const char *name, const char *fmt, ...)
{
    if (info->nfields >= CPU_INSN_MAX_FIELDS)
        return;
    struct cpu_insn_field *f = &info->field[info->nfields++];
    snprintf(f->name, sizeof f->name, "%s", name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->value, sizeof f->value, fmt, ap);
    va_end(ap);
}
