/* The x86 core's A20M# input (X86_IRQ_A20M): the real-mode wrap at
 * FFFF:0010, instruction fetch above 1 MiB, the page-table walk under the
 * mask, flushing of translations made under the old mask, and the level
 * carried through save/load. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isa-x86/x86.h"
#include "isa-x86/x86_internal.h"
#include "machine/bus.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_state.h"

struct rig {
    struct bus bus;
    struct cpu *cpu;
    struct x86_cpu *c;
};

static void put(struct rig *g, uint32_t addr, const void *p, size_t n)
{
    ck_assert_int_eq(bus_write_block(&g->bus, addr, p, n, false), 0);
}

static void put32(struct rig *g, uint32_t addr, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(g, addr, b, 4);
}

static void put8(struct rig *g, uint32_t addr, uint8_t v)
{
    put(g, addr, &v, 1);
}

static void rig_init(struct rig *g)
{
    struct orr_error err;
    bus_init(&g->bus, NULL);
    ck_assert_int_eq(bus_add_ram(&g->bus, "ram", 0, 4u << 20, &err), 0);
    struct cpu_config cfg = { .bus = &g->bus };
    const struct cpu_model *m = cpu_model_find("pentium-pro");
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(m->create(m, &cfg, &g->cpu, &err), 0);
    g->c = (struct x86_cpu *)g->cpu;
}

static void rig_free(struct rig *g)
{
    g->cpu->ops->destroy(g->cpu);
    bus_destroy(&g->bus);
}

static void a20m(struct rig *g, bool level)
{
    g->cpu->ops->set_irq(g->cpu, X86_IRQ_A20M, level);
}

/* Runs real-mode code at cs:ip until HLT. */
static void run_at(struct rig *g, uint16_t cs, uint16_t ip)
{
    x86_set_seg_real(g->c, SEG_CS, cs);
    g->c->eip = g->c->next_eip = ip;
    g->c->halted = false;
    struct cpu_run_result rr = g->cpu->ops->run(g->cpu, 1000);
    ck_assert_int_eq(rr.reason, CPU_STOP_IDLE);
}

/* mov ax,0FFFFh; mov ds,ax; mov al,[0010h]; hlt */
static const uint8_t read_wrap[] = { 0xb8, 0xff, 0xff, 0x8e, 0xd8, 0xa0, 0x10, 0x00, 0xf4 };

START_TEST(reset_state_unmasked)
{
    struct rig g;
    rig_init(&g);
    ck_assert(!g.c->a20m);
    ck_assert_uint_eq(g.c->a20_mask, 0xffffffffu);
    /* A CPU reset does not move the pin the board drives. */
    a20m(&g, true);
    g.cpu->ops->reset(g.cpu);
    ck_assert(g.c->a20m);
    ck_assert_uint_eq(g.c->a20_mask, 0xffefffffu);
    rig_free(&g);
}
END_TEST

START_TEST(real_mode_wrap)
{
    struct rig g;
    rig_init(&g);
    put(&g, 0x1000, read_wrap, sizeof read_wrap);
    put8(&g, 0x000000, 0xaa);
    put8(&g, 0x100000, 0x55);
    run_at(&g, 0x0100, 0);
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x55);   /* FFFF:0010 = 0x100000 */
    /* The read above left a TLB entry for linear 0x100000 -> 0x100000:
     * asserting A20M# must drop it. */
    a20m(&g, true);
    run_at(&g, 0x0100, 0);
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0xaa);   /* wraps to 0 */
    a20m(&g, false);
    run_at(&g, 0x0100, 0);
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x55);
    /* Writes go through the same mask. */
    a20m(&g, true);
    ck_assert_int_eq(x86_write_lin(g.c, 0x100001, 1, 0x77), X86_OK);
    uint8_t b = 0;
    ck_assert_int_eq(bus_read_block(&g.bus, 0x000001, &b, 1), 0);
    ck_assert_uint_eq(b, 0x77);
    ck_assert_int_eq(bus_read_block(&g.bus, 0x100001, &b, 1), 0);
    ck_assert_uint_eq(b, 0x00);
    rig_free(&g);
}
END_TEST

START_TEST(fetch_follows_the_mask)
{
    struct rig g;
    rig_init(&g);
    static const uint8_t low[] = { 0xb0, 0x22, 0xf4 };    /* mov al,22h; hlt */
    static const uint8_t high[] = { 0xb0, 0x11, 0xf4 };   /* mov al,11h; hlt */
    put(&g, 0x001000, low, sizeof low);
    put(&g, 0x101000, high, sizeof high);
    run_at(&g, 0xffff, 0x1010);                /* linear 0x101000 */
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x11);
    a20m(&g, true);                            /* the fetch shortcut must not survive */
    run_at(&g, 0xffff, 0x1010);
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x22);
    a20m(&g, false);
    run_at(&g, 0xffff, 0x1010);
    ck_assert_uint_eq(g.c->gpr[EAX] & 0xff, 0x11);
    rig_free(&g);
}
END_TEST

/* Two page-table trees that differ only in bit 20 of their addresses:
 * unmasked, CR3 0x110000 -> PT 0x112000 -> linear 0x5000 at 0x105000;
 * masked, the directory is read at 0x010000, whose PDE names 0x112000
 * (read at 0x012000), whose PTE names 0x108000 (accessed at 0x008000). */
static void paging_tables(struct rig *g)
{
    put32(g, 0x110000, 0x112000 | 0x7);
    put32(g, 0x112000 + 5 * 4, 0x105000 | 0x3);
    put32(g, 0x010000, 0x112000 | 0x7);
    put32(g, 0x012000 + 5 * 4, 0x108000 | 0x3);
    put32(g, 0x105000, 0x11111111);
    put32(g, 0x005000, 0x22222222);
    put32(g, 0x008000, 0x33333333);
    put32(g, 0x108000, 0x44444444);
    g->c->cr0 |= CR0_PE | CR0_PG;
    g->c->cr3 = 0x110000;
    x86_tlb_flush(g->c);
}

START_TEST(paging_walk_masked)
{
    struct rig g;
    rig_init(&g);
    paging_tables(&g);
    uint32_t v = 0, pa = 0;
    ck_assert_int_eq(x86_read(g.c, SEG_DS, 0x5000, 4, &v), X86_OK);
    ck_assert_uint_eq(v, 0x11111111);
    ck_assert_int_eq(x86_translate_debug(g.c, 0x5000, false, false, &pa), 0);
    ck_assert_uint_eq(pa, 0x105000);
    a20m(&g, true);
    ck_assert_int_eq(x86_read(g.c, SEG_DS, 0x5000, 4, &v), X86_OK);
    ck_assert_uint_eq(v, 0x33333333);
    ck_assert_int_eq(x86_translate_debug(g.c, 0x5004, false, false, &pa), 0);
    ck_assert_uint_eq(pa, 0x008004);
    struct cpu_walk_event ev;
    ck_assert_int_eq(g.cpu->ops->walk(g.cpu, 0x5000, CPU_ACCESS_READ, false, &ev), 0);
    ck_assert_uint_eq(ev.pa, 0x008000);
    ck_assert_uint_eq(ev.level[0].desc_addr, 0x010000);
    ck_assert_uint_eq(ev.level[1].desc_addr, 0x012014);
    /* The accessed bits were set where the masked walk read. */
    uint32_t pde = 0;
    ck_assert_int_eq(bus_read_block(&g.bus, 0x010000, &pde, 4), 0);
    ck_assert_uint_eq(pde & 0x20u, 0x20u);
    a20m(&g, false);
    ck_assert_int_eq(x86_read(g.c, SEG_DS, 0x5000, 4, &v), X86_OK);
    ck_assert_uint_eq(v, 0x11111111);
    rig_free(&g);
}
END_TEST

START_TEST(save_load_carries_the_level)
{
    struct rig a, b;
    rig_init(&a);
    rig_init(&b);
    put(&b, 0x1000, read_wrap, sizeof read_wrap);
    put8(&b, 0x000000, 0xaa);
    put8(&b, 0x100000, 0x55);
    run_at(&b, 0x0100, 0);                        /* b's TLB maps 0x100000 unmasked */
    ck_assert_uint_eq(b.c->gpr[EAX] & 0xff, 0x55);
    a20m(&a, true);
    unit_cpu_state_copy(a.cpu, b.cpu);
    ck_assert(b.c->a20m);
    put(&b, 0x1000, read_wrap, sizeof read_wrap);
    run_at(&b, 0x0100, 0);
    ck_assert_uint_eq(b.c->gpr[EAX] & 0xff, 0xaa);
    a20m(&a, false);
    unit_cpu_state_copy(a.cpu, b.cpu);
    ck_assert(!b.c->a20m);
    ck_assert_uint_eq(b.c->a20_mask, 0xffffffffu);
    /* A section written before the field existed (one byte shorter) is
     * refused as truncated, as every short CPU section is. */
    struct state_writer w;
    struct orr_error err;
    state_writer_init(&w);
    state_begin(&w, "cpu0", 1);
    ck_assert_int_eq(a.cpu->ops->save(a.cpu, &w), 0);
    state_end(&w);
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "cpu0"), 0);
    r.section_end -= 1;
    ck_assert_int_ne(b.cpu->ops->load(b.cpu, &r, &err), 0);
    state_writer_free(&w);
    rig_free(&a);
    rig_free(&b);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("x86_a20");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, reset_state_unmasked);
    tcase_add_test(tc, real_mode_wrap);
    tcase_add_test(tc, fetch_follows_the_mask);
    tcase_add_test(tc, paging_walk_masked);
    tcase_add_test(tc, save_load_carries_the_level);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(suite());
}
