/* Memory access for the ARM core: soft TLB fast path, the slow path
 * (translation through arm_mmu.c, alignment, unaligned and big-endian
 * accesses, the bus), and the instruction fetch through the decoded cache. */
#include "isa-arm/arm_internal.h"

#include "cpu/le.h"
#include "machine/bus.h"

/* Virtual to physical for an access by the CPU; on a fault records it
 * (FSR and address) for the abort and returns -1. */
static int arm_translate(struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                         struct arm_mmu_result *res)
{
    if (arm_mmu_translate(c, va, kind, user, false, res)) {
        c->fault_fsr = res->fsr;
        c->fault_addr = va;
        if (c->observing)
            arm_observe_walk(c, va, kind, user, res, false);
        return -1;
    }
    if (c->observing)
        arm_observe_walk(c, va, kind, user, res, true);
    return 0;
}

static int record_fault(struct arm_cpu *c, unsigned fs, uint32_t va, bool write)
{
    c->fault_fsr = arm_fsr(fs, 0, write);
    c->fault_addr = va;
    return -1;
}

/* Fills the TLB for va's page if it is RAM/ROM; returns the host pointer for
 * va, or NULL when the access must take the bus path. A page with a
 * watchpoint of this kind is used but not entered, so that every access to
 * it comes back here; an observed run fills the TLB it set aside. */
static uint8_t *tlb_refill(struct arm_cpu *c, uint32_t va, enum tlb_kind kind, bool user,
                           const struct arm_mmu_result *res)
{
    uint64_t ppage = res->pa & ~GUEST_PAGE_MASK;
    bool rom;
    uint8_t *host = bus_host_ptr(c->cpu.bus, ppage, GUEST_PAGE_SIZE, &rom);
    if (!host)
        return NULL;
    if (kind == TLB_WRITE && (rom || bus_page_has_code(c->cpu.bus, ppage)))
        return NULL;
    if (c->cpu.nwatchpoints && kind != TLB_EXEC &&
        cpu_watch_page(&c->cpu, va & ~(uint32_t)GUEST_PAGE_MASK, GUEST_PAGE_SIZE,
                       kind == TLB_WRITE ? CPU_WATCH_WRITE : CPU_WATCH_READ))
        return host + (va & GUEST_PAGE_MASK);
    tlb_fill(c->observing ? c->obs_tlb : &c->tlb, user ? 0 : 1, kind, va, host, ppage,
             res->tlb_attrs);
    if (res->block > c->tlb_max_block)
        c->tlb_max_block = res->block;
    return host + (va & GUEST_PAGE_MASK);
}

/* CPSR.E = 1 (v7 A3.3.1, endian support): data accesses are big-endian, the
 * bytes of each access reversed. */
static inline uint32_t byte_reverse(uint32_t v, unsigned size)
{
    switch (size) {
    case 1: return v;
    case 2: return (uint32_t)__builtin_bswap16((uint16_t)v);
    default: return __builtin_bswap32(v);
    }
}

/* One access that missed the TLB (or any access while CPSR.E = 1, which
 * never uses it). ARMv6 and later (A3.2.1, table A3-1): a misaligned
 * access takes an alignment fault when SCTLR.A = 1 or the instruction
 * requires alignment (ARM_ACC_ALIGNED), and otherwise is performed, byte
 * by byte when it crosses a page, both pages translated and checked before
 * any byte moves. The alignment fault comes before any MMU fault (B3.12.1).
 * ARMv4/v5 never fault on alignment: their executors align the address
 * themselves (the bus handles whatever remains). */
static int access_slow_path(struct arm_cpu *c, uint32_t addr, unsigned size, unsigned acc,
                            bool write, uint32_t *value, uint64_t *pa_out)
{
    bool user = acc & ARM_ACC_USER;
    enum tlb_kind kind = write ? TLB_WRITE : TLB_READ;
    bool v6 = c->arch >= ARM_V6;
    bool big = v6 && (c->cpsr & PSR_E);
    bool misaligned = (addr & (size - 1)) != 0;
    if (misaligned && v6 && ((acc & ARM_ACC_ALIGNED) || (c->sctlr & SCTLR_A)))
        return record_fault(c, FS_ALIGNMENT, addr, write);
    struct arm_mmu_result res;
    if (arm_translate(c, addr, kind, user, &res))
        return -1;
    *pa_out = res.pa;
    uint32_t v = write && big ? byte_reverse(*value, size) : write ? *value : 0;
    uint32_t last = addr + size - 1;
    bool crosses = ((addr ^ last) & ~(uint32_t)GUEST_PAGE_MASK) != 0;
    if (crosses && v6) {
        uint32_t page2 = last & ~(uint32_t)GUEST_PAGE_MASK;
        struct arm_mmu_result res2;
        if (arm_translate(c, page2, kind, user, &res2))
            return -1;
        uint32_t got = 0;
        for (unsigned i = 0; i < size; i++) {
            uint32_t va = addr + i;
            bool first_page = (addr & GUEST_PAGE_MASK) + i < GUEST_PAGE_SIZE;
            uint64_t pa = first_page ? (uint64_t)res.pa + i : (uint64_t)res2.pa + (va - page2);
            if (write) {
                int rc = bus_write(c->cpu.bus, pa, 1, (v >> (8 * i)) & 0xffu);
                if (rc != BUS_OK && rc != BUS_READONLY)
                    return record_fault(c, FS_SYNC_EXTERNAL, va, true);
            } else {
                uint64_t b;
                if (bus_read(c->cpu.bus, pa, 1, &b) != BUS_OK)
                    return record_fault(c, FS_SYNC_EXTERNAL, va, false);
                got |= (uint32_t)(b & 0xffu) << (8 * i);
            }
        }
        if (!write)
            *value = big ? byte_reverse(got, size) : got;
        return 0;
    }
    /* Host memory only within the page (an ARMv4/v5 access that crosses
     * one goes to the bus, which splits it). */
    uint8_t *h = big || crosses ? NULL : tlb_refill(c, addr, kind, user, &res);
    if (h) {
        if (write)
            le_store(h, size, v);
        else
            *value = le_load(h, size);
        return 0;
    }
    if (write) {
        int rc = bus_write(c->cpu.bus, res.pa, size, v);
        return (rc == BUS_OK || rc == BUS_READONLY) ? 0
                                                    : record_fault(c, FS_SYNC_EXTERNAL, addr, true);
    }
    uint64_t got;
    if (bus_read(c->cpu.bus, res.pa, size, &got) != BUS_OK)
        return record_fault(c, FS_SYNC_EXTERNAL, addr, false);
    *value = big ? byte_reverse((uint32_t)got, size) : (uint32_t)got;
    return 0;
}

/* A watched access: abandon the instruction (see arm_data_abort) and ask
 * the run loop to stop before it. */
static int watch_stop(struct arm_cpu *c, uint32_t addr, unsigned size, bool write,
                      uint32_t value, int index)
{
    c->cpu.watch_hit = (struct cpu_watch_hit){ .addr = addr, .size = size, .write = write,
                                               .value = value, .index = (unsigned)index };
    c->watch_abort = true;
    c->end_run = true;
    return -1;
}

__attribute__((noinline)) static int access_slow(struct arm_cpu *c, uint32_t addr,
                                                 unsigned size, unsigned acc, bool write,
                                                 uint32_t *value)
{
    if (c->cpu.nwatchpoints) {
        int w = cpu_watch_match(&c->cpu, addr, size, write);
        if (w >= 0)
            return watch_stop(c, addr, size, write, write ? *value : 0, w);
    }
    uint64_t pa = UINT64_MAX;   /* stays so when translation faulted */
    int rc = access_slow_path(c, addr, size, acc, write, value, &pa);
    if (c->observing)
        arm_observe_access(c, addr, pa, pa != UINT64_MAX, size, write, *value, rc != 0);
    return rc;
}

/* The hot path: one TLB compare (the tag keeps the alignment bits, so a
 * misaligned access misses). While CPSR.E = 1 the TLB is not used at all
 * (nothing is filled either), so the little-endian path pays one test. */
int arm_read(struct arm_cpu *c, uint32_t addr, unsigned size, unsigned acc, uint32_t *value)
{
    if (__builtin_expect(!(c->cpsr & PSR_E), 1)) {
        uint8_t *h = tlb_lookup(&c->tlb, (acc & ARM_ACC_USER) ? 0 : 1, TLB_READ, addr, size);
        if (h) {
            *value = le_load(h, size);
            return 0;
        }
    }
    return access_slow(c, addr, size, acc, false, value);
}

int arm_write(struct arm_cpu *c, uint32_t addr, unsigned size, unsigned acc, uint32_t value)
{
    if (__builtin_expect(!(c->cpsr & PSR_E), 1)) {
        uint8_t *h = tlb_lookup(&c->tlb, (acc & ARM_ACC_USER) ? 0 : 1, TLB_WRITE, addr, size);
        if (h) {
            le_store(h, size, value);
            return 0;
        }
    }
    return access_slow(c, addr, size, acc, true, &value);
}

/* Decodes one instruction of the given state into r. */
static void decode_into(struct arm_cpu *c, bool thumb, uint32_t insn, struct arm_rec *r)
{
    if (thumb)
        thumb_decode(c->arch, insn, (c->cpsr & PSR_IT_MASK) != 0, r);
    else
        arm_decode(c->arch, insn, r);
    arm_dp_specialize(r);
}

/* Reads the instruction bits at pa through the bus (MMIO, or the second
 * halfword of a T32 instruction on another page); -1 on a bus fault. */
static int fetch_bus(struct arm_cpu *c, uint64_t pa, uint32_t va, unsigned size, uint32_t *insn)
{
    uint64_t v;
    if (bus_read(c->cpu.bus, pa, size, &v) != BUS_OK)
        return record_fault(c, FS_SYNC_EXTERNAL, va, false);
    *insn = (uint32_t)v;
    return 0;
}

/* The second halfword of a 32-bit T32 instruction whose first halfword is
 * the last one of its page: translated and fetched on its own, never
 * cached (the record would depend on two pages). */
static int fetch_straddling_hw2(struct arm_cpu *c, uint32_t va2, bool user, uint32_t *hw2)
{
    struct arm_mmu_result res;
    if (arm_translate(c, va2, TLB_EXEC, user, &res))
        return -1;
    return fetch_bus(c, res.pa, va2, 2, hw2);
}

/* The decoded record of the instruction at c->pc. The exec TLB gives the
 * physical page (a hit costs one compare; a miss translates once). RAM/ROM
 * pages are decoded once into the dcache, and RAM ones are marked as code so
 * writes invalidate them; other pages (MMIO) are read through the bus and
 * decoded into c->slow_rec every time, as are T32 instructions that straddle
 * a page boundary. A failed fetch takes the prefetch abort and returns NULL.
 * The caller (arm_fetch_record) has already missed the current-page memo. */
const struct arm_rec *arm_fetch(struct arm_cpu *c)
{
    bool thumb = arm_thumb(c);
    unsigned size = thumb ? 2 : 4;
    uint32_t va = c->pc & ~(size - 1);
    bool user = !arm_privileged(c);
    unsigned priv = user ? 0 : 1;
    unsigned key = arm_fetch_key(c->cpsr);
    const struct tlb_entry *e = tlb_slot(&c->tlb, priv, TLB_EXEC, va);
    uint8_t *h;
    uint64_t pa;
    uint32_t insn, hw2;
    if (e->tag == (va & ~GUEST_PAGE_MASK)) {
        h = (uint8_t *)(uintptr_t)(va + e->addend);
        pa = e->ppage | (va & GUEST_PAGE_MASK);
    } else {
        struct arm_mmu_result res;
        if (arm_translate(c, va, TLB_EXEC, user, &res))
            goto abort;
        pa = res.pa;
        h = tlb_refill(c, va, TLB_EXEC, user, &res);
        if (!h) {
            if (fetch_bus(c, pa, va, size, &insn))
                goto abort;
            if (thumb && thumb_is_32bit(c->arch, insn)) {
                if (((va + 2) & GUEST_PAGE_MASK) == 0
                        ? fetch_straddling_hw2(c, va + 2, user, &hw2)
                        : fetch_bus(c, pa + 2, va + 2, 2, &hw2))
                    goto abort;
                insn = insn << 16 | hw2;
            }
            decode_into(c, thumb, insn, &c->slow_rec);
            return &c->slow_rec;
        }
    }
    insn = le_load(h, size);
    if (thumb && thumb_is_32bit(c->arch, insn)) {
        if (((va + 2) & GUEST_PAGE_MASK) == 0) {
            if (fetch_straddling_hw2(c, va + 2, user, &hw2))
                goto abort;
            decode_into(c, thumb, insn << 16 | hw2, &c->slow_rec);
            return &c->slow_rec;
        }
        insn = insn << 16 | le_load(h + 2, 2);
    }
    uint64_t ppage = pa & ~GUEST_PAGE_MASK;
    unsigned mode = !thumb ? ARM_DC_ARM : (c->cpsr & PSR_IT_MASK) ? ARM_DC_THUMB_IT : ARM_DC_THUMB;
    struct arm_rec *recs = dcache_lookup(&c->dc, ppage, mode);
    if (!recs) {
        recs = dcache_create(&c->dc, ppage, mode);
        if (!recs) {   /* host out of memory: decode without caching */
            decode_into(c, thumb, insn, &c->slow_rec);
            return &c->slow_rec;
        }
        bus_mark_code(c->cpu.bus, ppage);   /* RAM only; ROM cannot change */
    }
    struct arm_rec *r = &recs[(pa & GUEST_PAGE_MASK) / 2];
    if (!r->fn)
        decode_into(c, thumb, insn, r);
    c->fast_valid = true;
    c->fast_key = key;
    c->fast_vpage = va & ~(uint32_t)GUEST_PAGE_MASK;
    c->fast_gen = c->dc.generation;
    c->fast_recs = recs;
    return r;
abort:
    arm_prefetch_abort(c);
    return NULL;
}

static void on_code_marked(void *opaque, uint64_t ppage)
{
    struct arm_cpu *c = opaque;
    c->tlb_epoch++;
    tlb_flush_phys_page(&c->tlb, TLB_WRITE, ppage);
}

static void on_code_written(void *opaque, uint64_t ppage)
{
    struct arm_cpu *c = opaque;
    dcache_invalidate_phys_page(&c->dc, ppage);
}

void arm_mem_flush(struct arm_cpu *c)
{
    arm_tlb_flush(c);
    dcache_flush(&c->dc);
}

int arm_mem_init(struct arm_cpu *c, struct orr_error *err)
{
    /* One record per halfword so ARM and Thumb share the page layout. */
    if (dcache_init(&c->dc, sizeof(struct arm_rec), GUEST_PAGE_SIZE / 2, 512, err))
        return -1;
    arm_tlb_flush(c);
    struct bus_listener l = { .opaque = c, .code_marked = on_code_marked,
                              .code_written = on_code_written };
    if (bus_add_listener(c->cpu.bus, &l)) {
        dcache_destroy(&c->dc);
        return orr_fail(err, "arm: too many bus listeners");
    }
    return 0;
}
