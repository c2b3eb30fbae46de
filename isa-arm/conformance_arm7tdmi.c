/* Conformance runner for the ARM7TDMI single-step vectors.
 *
 * File layout (little-endian u32 throughout): magic 0xd33dbae0, test count;
 * per test: byte length, then chunks each led by {length incl. header, kind}:
 * kind 1/2 initial/final state (R[16], R_fiq[7], R_svc/abt/irq/und[2],
 * CPSR, SPSR[5] fiq,svc,abt,irq,und, pipeline[2]); kind 3 transactions
 * (count, then {kind, size, addr, data, cycle, access}); kind 4 opcodes[5]
 * and base_addr.
 *
 * Each test runs one instruction on a private bus whose whole 32-bit space
 * is one MMIO region answering from the transaction list. */
#include "isa-arm/conformance.h"

#include <stdio.h>
#include <stdlib.h>

#include "isa-arm/arm.h"
#include "isa-arm/arm_internal.h"
#include "machine/bus.h"

#define MAGIC 0xd33dbae0u
#define MAX_TRANS 64

struct cstate {
    uint32_t r[16], fiq[7], svc[2], abt[2], irq[2], und[2], cpsr, spsr[5], pipeline[2];
};

struct ctrans { uint32_t kind, size, addr, data; };

struct ctest {
    struct cstate init, fin;
    struct ctrans trans[MAX_TRANS];
    unsigned ntrans;
    uint32_t opcodes[5], base;
};

struct runner {
    const struct ctest *t;
    uint32_t exec_addr;
    bool fetch_pending;
    struct ctrans writes[MAX_TRANS];
    unsigned nwrites;
};

struct cursor { const uint8_t *p; size_t left; bool bad; };

static uint32_t get32(struct cursor *c)
{
    if (c->left < 4) {
        c->bad = true;
        return 0;
    }
    uint32_t v = (uint32_t)c->p[0] | ((uint32_t)c->p[1] << 8) | ((uint32_t)c->p[2] << 16) |
                 ((uint32_t)c->p[3] << 24);
    c->p += 4;
    c->left -= 4;
    return v;
}

static void get_state(struct cursor *c, struct cstate *s)
{
    for (unsigned i = 0; i < 16; i++) s->r[i] = get32(c);
    for (unsigned i = 0; i < 7; i++) s->fiq[i] = get32(c);
    for (unsigned i = 0; i < 2; i++) s->svc[i] = get32(c);
    for (unsigned i = 0; i < 2; i++) s->abt[i] = get32(c);
    for (unsigned i = 0; i < 2; i++) s->irq[i] = get32(c);
    for (unsigned i = 0; i < 2; i++) s->und[i] = get32(c);
    s->cpsr = get32(c);
    for (unsigned i = 0; i < 5; i++) s->spsr[i] = get32(c);
    for (unsigned i = 0; i < 2; i++) s->pipeline[i] = get32(c);
}

/* Parses one test's chunks; returns -1 if malformed. */
static int parse_test(struct cursor *c, struct ctest *t)
{
    unsigned seen = 0;
    while (c->left > 0 && !c->bad) {
        uint32_t len = get32(c), kind = get32(c);
        if (c->bad || len < 8 || len - 8 > c->left)
            return -1;
        struct cursor sub = { c->p, len - 8, false };
        c->p += len - 8;
        c->left -= len - 8;
        switch (kind) {
        case 1: get_state(&sub, &t->init); break;
        case 2: get_state(&sub, &t->fin); break;
        case 3:
            t->ntrans = get32(&sub);
            if (t->ntrans > MAX_TRANS)
                return -1;
            for (unsigned i = 0; i < t->ntrans; i++) {
                t->trans[i].kind = get32(&sub);
                t->trans[i].size = get32(&sub);
                t->trans[i].addr = get32(&sub);
                t->trans[i].data = get32(&sub);
                (void)get32(&sub);   /* cycle */
                (void)get32(&sub);   /* access */
            }
            break;
        case 4:
            for (unsigned i = 0; i < 5; i++) t->opcodes[i] = get32(&sub);
            t->base = get32(&sub);
            break;
        default:
            return -1;
        }
        if (sub.bad)
            return -1;
        seen |= 1u << kind;
    }
    return (seen == 0x1e && !c->bad) ? 0 : -1;
}

static int mmio_read(void *opaque, unsigned window, uint64_t offset, unsigned size,
                     uint64_t *value)
{
    struct runner *rn = opaque;
    uint32_t addr = (uint32_t)offset;
    const struct ctest *t = rn->t;
    if (rn->fetch_pending && addr == rn->exec_addr) {
        rn->fetch_pending = false;
        *value = t->init.pipeline[0];
        return BUS_OK;
    }
    for (unsigned i = 0; i < t->ntrans; i++) {
        const struct ctrans *x = &t->trans[i];
        if (x->kind == 1 && x->size == size && (x->addr & ~(size - 1)) == addr) {
            *value = x->data;
            return BUS_OK;
        }
    }
    *value = t->opcodes[4];
    if (size < 4)
        *value &= (1u << (8 * size)) - 1;
    return BUS_OK;
}

static int mmio_write(void *opaque, unsigned window, uint64_t offset, unsigned size,
                      uint64_t value)
{
    struct runner *rn = opaque;
    if (rn->nwrites < MAX_TRANS)
        rn->writes[rn->nwrites++] = (struct ctrans){ 2, size, (uint32_t)offset, (uint32_t)value };
    return BUS_OK;
}

/* The vectors store R8-R14 as the user-mode registers and every other
 * mode's copies in its bank arrays, whatever the current mode. */
static void load_state(struct arm_cpu *c, const struct cstate *s)
{
    memcpy(c->bank_r8_12[1], s->fiq, 5 * 4);
    c->bank_sp[BANK_FIQ] = s->fiq[5]; c->bank_lr[BANK_FIQ] = s->fiq[6];
    c->bank_sp[BANK_SVC] = s->svc[0]; c->bank_lr[BANK_SVC] = s->svc[1];
    c->bank_sp[BANK_ABT] = s->abt[0]; c->bank_lr[BANK_ABT] = s->abt[1];
    c->bank_sp[BANK_IRQ] = s->irq[0]; c->bank_lr[BANK_IRQ] = s->irq[1];
    c->bank_sp[BANK_UND] = s->und[0]; c->bank_lr[BANK_UND] = s->und[1];
    c->spsr[BANK_FIQ] = s->spsr[0]; c->spsr[BANK_SVC] = s->spsr[1];
    c->spsr[BANK_ABT] = s->spsr[2]; c->spsr[BANK_IRQ] = s->spsr[3];
    c->spsr[BANK_UND] = s->spsr[4];
    c->cpsr = (s->cpsr & ~PSR_MODE) | MODE_USR;
    memcpy(c->r, s->r, 15 * 4);
    arm_switch_mode(c, s->cpsr);
    c->cpsr = s->cpsr;
    c->pc = c->next_pc = s->r[15] - ((s->cpsr & PSR_T) ? 4 : 8);
}

static void save_state(struct arm_cpu *c, struct cstate *s)
{
    struct cpu *cpu = &c->cpu;
    for (unsigned i = 0; i < 15; i++) s->r[i] = arm_user_reg(c, i);
    s->r[15] = c->pc + ((c->cpsr & PSR_T) ? 4 : 8);
    for (unsigned i = 0; i < 7; i++) s->fiq[i] = (uint32_t)cpu->ops->reg_get(cpu, 22 + i);
    for (unsigned i = 0; i < 2; i++) {
        s->irq[i] = (uint32_t)cpu->ops->reg_get(cpu, 29 + i);
        s->svc[i] = (uint32_t)cpu->ops->reg_get(cpu, 31 + i);
        s->abt[i] = (uint32_t)cpu->ops->reg_get(cpu, 33 + i);
        s->und[i] = (uint32_t)cpu->ops->reg_get(cpu, 35 + i);
    }
    s->cpsr = c->cpsr;
    s->spsr[0] = c->spsr[BANK_FIQ]; s->spsr[1] = c->spsr[BANK_SVC];
    s->spsr[2] = c->spsr[BANK_ABT]; s->spsr[3] = c->spsr[BANK_IRQ];
    s->spsr[4] = c->spsr[BANK_UND];
}

static bool cmp_field(const char *name, unsigned idx, uint32_t got, uint32_t want,
                      char *msg, size_t msglen)
{
    if (got == want)
        return true;
    snprintf(msg, msglen, "%s[%u] = 0x%08x, expected 0x%08x", name, idx, got, want);
    return false;
}

static bool compare(struct runner *rn, const struct cstate *got, char *msg, size_t n)
{
    const struct cstate *w = &rn->t->fin;
    for (unsigned i = 0; i < 16; i++)
        if (!cmp_field("R", i, got->r[i], w->r[i], msg, n)) return false;
    for (unsigned i = 0; i < 7; i++)
        if (!cmp_field("R_fiq", i, got->fiq[i], w->fiq[i], msg, n)) return false;
    for (unsigned i = 0; i < 2; i++) {
        if (!cmp_field("R_svc", i, got->svc[i], w->svc[i], msg, n)) return false;
        if (!cmp_field("R_abt", i, got->abt[i], w->abt[i], msg, n)) return false;
        if (!cmp_field("R_irq", i, got->irq[i], w->irq[i], msg, n)) return false;
        if (!cmp_field("R_und", i, got->und[i], w->und[i], msg, n)) return false;
    }
    if (!cmp_field("CPSR", 0, got->cpsr, w->cpsr, msg, n)) return false;
    for (unsigned i = 0; i < 5; i++)
        if (!cmp_field("SPSR", i, got->spsr[i], w->spsr[i], msg, n)) return false;
    unsigned k = 0;
    for (unsigned i = 0; i < rn->t->ntrans; i++) {
        const struct ctrans *x = &rn->t->trans[i];
        if (x->kind != 2)
            continue;
        if (k >= rn->nwrites) {
            snprintf(msg, n, "missing write %u of %u bytes to 0x%08x", k, x->size, x->addr);
            return false;
        }
        const struct ctrans *y = &rn->writes[k++];
        uint32_t mask = x->size == 4 ? 0xffffffffu : (1u << (8 * x->size)) - 1;
        if (y->size != x->size || y->addr != (x->addr & ~(x->size - 1)) ||
            (y->data & mask) != (x->data & mask)) {
            snprintf(msg, n, "write %u: %u bytes 0x%08x to 0x%08x, expected %u bytes 0x%08x to 0x%08x",
                     k - 1, y->size, y->data, y->addr, x->size, x->data, x->addr);
            return false;
        }
    }
    if (k != rn->nwrites) {
        snprintf(msg, n, "%u unexpected write(s), first to 0x%08x", rn->nwrites - k,
                 rn->writes[k].addr);
        return false;
    }
    return true;
}

int arm7tdmi_conformance_file(const uint8_t *data, size_t len,
                              struct conformance_file_result *res, struct orr_error *err)
{
    memset(res, 0, sizeof *res);
    struct cursor cur = { data, len, false };
    if (get32(&cur) != MAGIC || cur.bad)
        return orr_fail(err, "not an ARM7TDMI vector file (bad magic)");
    uint32_t count = get32(&cur);

    struct bus bus;
    bus_init(&bus, NULL);
    struct runner rn = { 0 };
    struct ctest *t = calloc(1, sizeof *t);
    if (!t) {
        bus_destroy(&bus);
        return orr_fail(err, "out of memory");
    }
    rn.t = t;
    struct cpu *cpu = NULL;
    int ret = -1;
    if (bus_add_mmio(&bus, "vectors", 0, 1ull << 32, mmio_read, mmio_write, &rn, 0, err))
        goto out;
    struct cpu_config cfg = { .bus = &bus };
    if (arm_cpu_models[0]->create(arm_cpu_models[0], &cfg, &cpu, err))
        goto out;
    struct arm_cpu *c = (struct arm_cpu *)cpu;

    for (uint32_t n = 0; n < count; n++) {
        uint32_t tlen = get32(&cur);
        if (cur.bad || tlen < 4 || tlen - 4 > cur.left) {
            orr_fail(err, "test %u: truncated", n);
            goto out;
        }
        struct cursor tc = { cur.p, tlen - 4, false };
        cur.p += tlen - 4;
        cur.left -= tlen - 4;
        memset(t, 0, sizeof *t);
        if (parse_test(&tc, t)) {
            orr_fail(err, "test %u: malformed", n);
            goto out;
        }
        cpu->ops->reset(cpu);
        load_state(c, &t->init);
        rn.exec_addr = c->pc;
        rn.fetch_pending = true;
        rn.nwrites = 0;
        struct cpu_run_result rr = cpu->ops->run(cpu, 1);
        (void)rr;
        struct cstate got;
        save_state(c, &got);
        char msg[200];
        if (compare(&rn, &got, msg, sizeof msg)) {
            res->passed++;
        } else {
            if (res->failed == 0)
                snprintf(res->first_failure, sizeof res->first_failure,
                         "test %u (opcode 0x%08x): %s", n, t->init.pipeline[0], msg);
            res->failed++;
        }
    }
    ret = 0;
out:
    if (cpu)
        cpu->ops->destroy(cpu);
    bus_destroy(&bus);
    free(t);
    return ret;
}
