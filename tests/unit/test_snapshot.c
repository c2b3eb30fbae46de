/* Machine state as files and history: page sets, snapshot files (and
 * every way a bad one is refused), input journals (round trip, replay,
 * divergence), the timeline of in-memory snapshots. Uses the embedded
 * demo on arm-virt. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libfdt.h>
#include <zlib.h>

#include "cpu/le.h"
#include "machine/boards.h"
#include "machine/bus.h"
#include "machine/machine.h"
#include "machine/replay.h"
#include "machine/snapshot.h"
#include "machine/state.h"
#include "machine/timeline.h"
#include "tests/unit/unit.h"
#include "tests/unit/unit_machine.h"

#define NPAGES 64

START_TEST(page_sets_round_trip)
{
    uint8_t *src = calloc(NPAGES, STATE_PAGE_SIZE), *dst = malloc(NPAGES * STATE_PAGE_SIZE);
    uint32_t x = 12345;
    for (size_t p = 0; p < NPAGES; p++)
        if (p % 3 == 1)     /* a third of the pages hold data */
            for (size_t i = 0; i < STATE_PAGE_SIZE; i++)
                src[p * STATE_PAGE_SIZE + i] = (uint8_t)((x = x * 1103515245u + 12345u) >> 16);
    src[5 * STATE_PAGE_SIZE + 4095] = 7;        /* one byte at a page's end */
    memset(dst, 0xAA, NPAGES * STATE_PAGE_SIZE); /* stale contents to overwrite */

    struct state_writer w;
    state_writer_init(&w);
    state_begin(&w, "mem", 1);
    ck_assert_int_eq(state_put_pages(&w, src, NPAGES * STATE_PAGE_SIZE), 0);
    state_put_u32(&w, 0xC0FFEE);
    state_end(&w);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(state_writer_finish(&w, &err), 0);
    /* Zero pages cost nothing: far less than the data pages' size. */
    ck_assert_uint_lt(w.len, NPAGES * STATE_PAGE_SIZE / 2);

    struct state_reader r;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "mem"), 0);
    ck_assert_int_eq(state_skip_pages(&r, NPAGES * STATE_PAGE_SIZE), 0);
    ck_assert_uint_eq(state_get_u32(&r), 0xC0FFEE);
    ck_assert_int_eq(state_reader_find(&r, "mem"), 0);
    ck_assert_int_eq(state_get_pages(&r, dst, NPAGES * STATE_PAGE_SIZE), 0);
    ck_assert_uint_eq(state_get_u32(&r), 0xC0FFEE);
    ck_assert_int_eq(state_reader_check(&r), 0);
    ck_assert(memcmp(src, dst, NPAGES * STATE_PAGE_SIZE) == 0);

    /* The wrong size, and damaged compressed data, are refused. */
    ck_assert_int_eq(state_reader_find(&r, "mem"), 0);
    ck_assert_int_eq(state_get_pages(&r, dst, (NPAGES - 1) * STATE_PAGE_SIZE), -1);
    /* Claim page 0 (all zero) holds data: the chunk no longer matches. */
    w.buf[40] ^= 0x01;
    ck_assert_int_eq(state_reader_init(&r, w.buf, w.len, &err), 0);
    ck_assert_int_eq(state_reader_find(&r, "mem"), 0);
    ck_assert_int_eq(state_get_pages(&r, dst, NPAGES * STATE_PAGE_SIZE), -1);
    state_writer_free(&w);
    free(src);
    free(dst);
}
END_TEST

START_TEST(state_hash_is_stable)
{
    /* A fixed value: the hash must be the same on every host and build. */
    const char text[] = "Orrery state hash";
    ck_assert_uint_eq(state_hash(text, sizeof text - 1, 0), state_hash(text, 17, 0));
    ck_assert_uint_ne(state_hash(text, 17, 0), state_hash(text, 16, 0));
    ck_assert_uint_ne(state_hash(text, 17, 0), state_hash(text, 17, 1));
    uint8_t zeros[64] = { 0 };
    ck_assert_uint_ne(state_hash(zeros, 64, 0), state_hash(zeros, 63, 0));
}
END_TEST

static void run_slices(struct machine *m, int n)
{
    int code;
    for (int i = 0; i < n; i++)
        ck_assert(!step_slice(m, 100000, &code));
}

static uint64_t sum_of(struct machine *m)
{
    uint64_t s = 0;
    ck_assert_int_eq(journal_state_sum(m, &s), 0);
    return s;
}

/* Equal states, section by section (a failure names the first that differs). */
static void assert_same_state(struct machine *a, struct machine *b)
{
    struct machine_hash ha, hb;
    ck_assert_int_eq(machine_hash(a, true, &ha), 0);
    ck_assert_int_eq(machine_hash(b, true, &hb), 0);
    ck_assert_uint_eq(ha.count, hb.count);
    for (unsigned i = 0; i < ha.count; i++) {
        ck_assert_str_eq(ha.tag[i], hb.tag[i]);
        ck_assert_msg(ha.value[i] == hb.value[i], "section %s differs", ha.tag[i]);
    }
}

START_TEST(snapshot_resumes_elsewhere)
{
    struct capture *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    struct machine *ma = unit_demo_machine(a);
    run_slices(ma, 3);
    size_t printed = a->len;
    uint8_t *data;
    size_t size;
    struct orr_error err = { { 0 } };
    ck_assert_msg(snapshot_build(ma, &data, &size, &err) == 0, "%s", err.msg);

    struct snapshot s;
    ck_assert_msg(snapshot_open_buffer(data, size, "mem", &s, &err) == 0, "%s", err.msg);
    ck_assert_str_eq(s.board, "arm-virt");
    ck_assert_uint_eq(s.ncpus, 1);
    ck_assert_str_eq(s.cpu_models[0], "arm926ej-s");
    struct machine *mb = unit_demo_machine(b);
    ck_assert_msg(snapshot_apply(&s, mb, &err) == 0, "%s", err.msg);
    snapshot_close(&s);
    assert_same_state(ma, mb);

    int ca = -1, cb = -1;
    run_to_end(ma, &ca);
    run_to_end(mb, &cb);
    ck_assert_int_eq(ca, cb);
    ck_assert_uint_eq(ma->executed, mb->executed);
    ck_assert_str_eq(a->buf + printed, b->buf);
    assert_same_state(ma, mb);
    machine_destroy(ma);
    machine_destroy(mb);
    free(a);
    free(b);
}
END_TEST

/* Fixes the trailing CRC after an edit, so the edit itself is what is
 * judged. */
static void reseal(uint8_t *data, size_t size)
{
    le_store(data + size - 4, 4, (uint32_t)crc32(0, data, (uInt)(size - 4)));
}

static void expect_refused(const uint8_t *orig, size_t size, size_t cut, int edit_at,
                           uint8_t edit, bool fix_crc, const char *want)
{
    uint8_t *copy = malloc(size);
    memcpy(copy, orig, size);
    if (edit_at >= 0)
        copy[edit_at] ^= edit;
    if (fix_crc)
        reseal(copy, cut);
    struct snapshot s;
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(snapshot_open_buffer(copy, cut, "f", &s, &err), -1);
    ck_assert_msg(strstr(err.msg, want) != NULL, "'%s' lacks '%s'", err.msg, want);
}

START_TEST(snapshot_refuses_bad_files)
{
    struct capture *a = calloc(1, sizeof *a);
    struct machine *m = unit_demo_machine(a);
    run_slices(m, 2);
    uint8_t *data;
    size_t size;
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(snapshot_build(m, &data, &size, &err), 0);

    expect_refused(data, size, size, 0, 0x20, false, "not an Orrery snapshot");
    expect_refused(data, size, size, 8, 0x62, true, "format 99 is not supported");
    expect_refused(data, size, size - 1000, -1, 0, false, "truncated");
    expect_refused(data, size, 20, -1, 0, false, "not an Orrery snapshot");
    expect_refused(data, size, size, (int)(size / 2), 0x01, false, "checksum");
    expect_refused(data, size, size, (int)(size - 2), 0x80, false, "checksum");

    /* A snapshot for another CPU model is refused, and the machine it was
     * offered to is unchanged. */
    struct capture *b = calloc(1, sizeof *b);
    struct machine *other = unit_machine("arm-virt", (struct machine_config){
        .cpu_model = "cortex-a15", .clock_mode = CLOCK_MODE_VIRTUAL,
        .host = { .opaque = b, .console_write = capture_write } });
    uint64_t before = sum_of(other);
    struct snapshot s;
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    ck_assert_int_eq(snapshot_open_buffer(copy, size, "f", &s, &err), 0);
    ck_assert_int_eq(snapshot_apply(&s, other, &err), -1);
    ck_assert_msg(strstr(err.msg, "arm926ej-s") != NULL, "%s", err.msg);
    ck_assert_uint_eq(sum_of(other), before);
    snapshot_close(&s);
    free(data);
    machine_destroy(m);
    machine_destroy(other);
    free(a);
    free(b);
}
END_TEST

START_TEST(snapshot_file_is_written_whole)
{
    char dir[] = "/tmp/orrery-snap-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/m.snap", dir);
    snprintf(bad, sizeof bad, "%s/missing/m.snap", dir);
    struct capture *a = calloc(1, sizeof *a);
    struct machine *m = unit_demo_machine(a);
    run_slices(m, 2);
    struct orr_error err = { { 0 } };
    ck_assert_int_eq(snapshot_save(m, bad, &err), -1);
    ck_assert_msg(strstr(err.msg, "missing") != NULL, "%s", err.msg);
    ck_assert_msg(snapshot_save(m, path, &err) == 0, "%s", err.msg);
    /* Saving again over it leaves one file, no temporaries. */
    run_slices(m, 1);
    ck_assert_int_eq(snapshot_save(m, path, &err), 0);
    DIR *d = opendir(dir);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        files += e->d_name[0] != '.';
    closedir(d);
    ck_assert_int_eq(files, 1);
    struct snapshot s;
    ck_assert_msg(snapshot_open(path, &s, &err) == 0, "%s", err.msg);
    struct capture *b = calloc(1, sizeof *b);
    struct machine *mb = unit_demo_machine(b);
    ck_assert_int_eq(snapshot_apply(&s, mb, &err), 0);
    ck_assert_uint_eq(mb->executed, m->executed);
    snapshot_close(&s);
    unlink(path);
    rmdir(dir);
    machine_destroy(m);
    machine_destroy(mb);
    free(a);
    free(b);
}
END_TEST

/* Records: start, console input at two points, a checkpoint, end. */
static void record(struct journal *j, struct machine *m)
{
    journal_init(j, 50000, 2);
    j->next_check = m->executed + j->check_interval;
    ck_assert_int_eq(journal_start(j, m), 0);
    for (int i = 0; i < 6; i++) {
        run_slices(m, 1);
        if (i == 1 || i == 4) {
            const uint8_t key[] = "k";
            size_t n = chardev_push(&m->serial[0], key, 1);
            ck_assert_uint_eq(n, 1);
            ck_assert_int_eq(journal_add_console(j, m, 0, key, n), 0);
        }
        ck_assert_int_eq(journal_checkpoint(j, m), 0);
    }
    uint64_t sum;
    ck_assert_int_eq(journal_end(j, m, &sum), 0);
    ck_assert_uint_eq(sum, sum_of(m));
}

/* Replays j on m from its start; returns how it ended. */
static enum journal_apply replay(struct journal *j, struct machine *m, char *msg, size_t len)
{
    for (int guard = 0; guard < 100000; guard++) {
        enum journal_apply a = journal_apply_due(j, m, msg, len);
        if (a != JOURNAL_APPLIED)
            return a;
        struct machine_run_result res;
        machine_run(m, journal_slice(j, m, 100000), &res);
        ck_assert(res.reason == CPU_STOP_BUDGET || res.reason == CPU_STOP_IDLE);
    }
    ck_abort_msg("replay did not end");
    return JOURNAL_DIVERGED;
}

START_TEST(journal_replays_and_catches_divergence)
{
    struct capture *a = calloc(1, sizeof *a);
    struct machine *ma = unit_demo_machine(a);
    struct journal j;
    record(&j, ma);
    unsigned checks = 0, inputs = 0;
    for (size_t i = 0; i < j.count; i++) {
        checks += j.ev[i].kind == JOURNAL_CHECK;
        inputs += j.ev[i].kind == JOURNAL_CONSOLE;
    }
    ck_assert_uint_eq(inputs, 2);
    ck_assert_uint_ge(checks, 2);     /* the start and at least one periodic */

    char path[] = "/tmp/orrery-journal-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    struct orr_error err = { { 0 } };
    ck_assert_msg(journal_write(&j, path, &err) == 0, "%s", err.msg);
    struct journal back;
    ck_assert_msg(journal_read(path, &back, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(back.count, j.count);
    for (size_t i = 0; i < j.count; i++) {
        ck_assert_uint_eq(back.ev[i].kind, j.ev[i].kind);
        ck_assert_uint_eq(back.ev[i].executed, j.ev[i].executed);
        ck_assert_uint_eq(back.ev[i].len, j.ev[i].len);
        ck_assert(memcmp(back.ev[i].data, j.ev[i].data, j.ev[i].len) == 0);
    }

    /* A replay from the same start ends where the recording did, equal. */
    char msg[512];
    struct capture *b = calloc(1, sizeof *b);
    struct machine *mb = unit_demo_machine(b);
    ck_assert_int_eq(replay(&back, mb, msg, sizeof msg), JOURNAL_AT_END);
    ck_assert_uint_eq(mb->executed, ma->executed);
    ck_assert_uint_eq(sum_of(mb), sum_of(ma));
    ck_assert_str_eq(a->buf, b->buf);

    /* Another start state is caught before anything runs. */
    back.cursor = 0;
    struct capture *c = calloc(1, sizeof *c);
    struct machine *mc = unit_demo_machine(c);
    run_slices(mc, 1);
    ck_assert_int_eq(replay(&back, mc, msg, sizeof msg), JOURNAL_DIVERGED);
    machine_destroy(mc);

    /* A register changed mid-way shows at the next checkpoint, by name. */
    back.cursor = 0;
    mc = unit_demo_machine(c);
    ck_assert_int_eq(journal_apply_due(&back, mc, msg, sizeof msg), JOURNAL_APPLIED);
    run_slices(mc, 1);
    ck_assert_int_eq(mc->cpus[0]->ops->reg_set(mc->cpus[0], 5, 0xBAD), 0);
    ck_assert_int_eq(replay(&back, mc, msg, sizeof msg), JOURNAL_DIVERGED);
    ck_assert_msg(strstr(msg, "cpu0") != NULL, "%s", msg);
    ck_assert_msg(strstr(msg, "replay diverged") != NULL, "%s", msg);
    machine_destroy(mc);

    /* A truncated file is refused. */
    journal_free(&back);
    ck_assert_int_eq(truncate(path, 100), 0);
    ck_assert_int_eq(journal_read(path, &back, &err), -1);
    unlink(path);
    journal_free(&j);
    machine_destroy(ma);
    machine_destroy(mb);
    free(a);
    free(b);
    free(c);
}
END_TEST

START_TEST(timeline_goes_back_exactly)
{
    struct capture *a = calloc(1, sizeof *a);
    struct machine *m = unit_demo_machine(a);
    struct timeline t;
    timeline_init(&t, 1, (size_t)1 << 30);
    struct orr_error err = { { 0 } };
    uint64_t sums[3], pos[3];
    for (int i = 0; i < 3; i++) {
        run_slices(m, 2);
        ck_assert_msg(timeline_take(&t, m, &err) == 0, "%s", err.msg);
        sums[i] = sum_of(m);
        pos[i] = m->executed;
    }
    ck_assert_uint_eq(t.count, 3);
    /* Shared pages: three snapshots cost far less than three RAM copies. */
    ck_assert_uint_lt(t.used, 3 * m->ram_size / 100);
    run_slices(m, 2);
    for (int i = 2; i >= 0; i--) {
        ck_assert_int_eq(timeline_find(&t, pos[i] + 5), i);
        ck_assert_int_eq(timeline_restore(&t, (size_t)i, m, &err), 0);
        ck_assert_uint_eq(m->executed, pos[i]);
        ck_assert_uint_eq(sum_of(m), sums[i]);
    }
    ck_assert_int_eq(timeline_find(&t, pos[0] - 1), -1);
    /* Going on from the first and taking a snapshot forgets the others. */
    run_slices(m, 1);
    ck_assert_int_eq(timeline_take(&t, m, &err), 0);
    ck_assert_uint_eq(t.count, 2);
    timeline_free(&t);
    machine_destroy(m);
    free(a);
}
END_TEST

/* arm-virt with a second CPU, both running a loop that increments one
 * word without atomics: how many increments are lost depends on exactly
 * where their turns interleave. */
static struct machine *two_cpu_machine(void)
{
    const struct builtin_board *b = builtin_board_find("arm-virt");
    ck_assert_ptr_nonnull(b);
    size_t size = b->dtb_size + 4096;
    uint8_t *dtb = malloc(size);
    ck_assert_int_eq(fdt_open_into(b->dtb, dtb, (int)size), 0);
    int cpus = fdt_path_offset(dtb, "/cpus");
    int cpu0 = fdt_path_offset(dtb, "/cpus/cpu@0");
    ck_assert_int_ge(cpus, 0);
    ck_assert_int_ge(cpu0, 0);
    int len;
    const void *compat = fdt_getprop(dtb, cpu0, "compatible", &len);
    ck_assert_ptr_nonnull(compat);
    char copy[64];
    ck_assert_int_lt(len, (int)sizeof copy);
    memcpy(copy, compat, (size_t)len);
    int cpu1 = fdt_add_subnode(dtb, cpus, "cpu@1");
    ck_assert_int_ge(cpu1, 0);
    ck_assert_int_eq(fdt_setprop_string(dtb, cpu1, "device_type", "cpu"), 0);
    ck_assert_int_eq(fdt_setprop(dtb, cpu1, "compatible", copy, len), 0);
    ck_assert_int_eq(fdt_setprop_u32(dtb, cpu1, "reg", 1), 0);
    ck_assert_int_eq(fdt_pack(dtb), 0);
    struct machine_config cfg = { .dtb = dtb, .dtb_size = fdt_totalsize(dtb),
                                  .board_name = "arm-virt-2", .clock_mode = CLOCK_MODE_VIRTUAL };
    struct machine *m = NULL;
    struct orr_error err = { { 0 } };
    ck_assert_msg(machine_create(&cfg, &m, &err) == 0, "%s", err.msg);
    free(dtb);
    ck_assert_uint_eq(m->ncpus, 2);
    static const uint32_t loop[] = {
        0xE3A00101,     /* mov r0, #0x40000000 */
        0xE2800A01,     /* add r0, r0, #0x1000 */
        0xE5901000,     /* 1: ldr r1, [r0] */
        0xE2811001,     /*    add r1, r1, #1 */
        0xE5801000,     /*    str r1, [r0] */
        0xEAFFFFFB,     /*    b 1b */
    };
    uint8_t image[sizeof loop];
    for (size_t i = 0; i < sizeof loop / 4; i++)
        for (unsigned k = 0; k < 4; k++)
            image[i * 4 + k] = (uint8_t)(loop[i] >> (8 * k));
    ck_assert_int_eq(machine_load_image(m, image, sizeof image, 0, false, &err), 0);
    struct cpu *c1 = m->cpus[1];
    int pc = cpu_reg_index_with_flag(c1, CPU_REG_PC);
    ck_assert_int_ge(pc, 0);
    ck_assert_int_eq(c1->ops->reg_set(c1, (unsigned)pc, m->ram_base), 0);
    return m;
}

/* Runs to virtual time `until` in slices of `slice` ns. */
static void run_until(struct machine *m, uint64_t until, uint64_t slice)
{
    while (m->clock.now_ns < until) {
        struct machine_run_result res;
        uint64_t left = until - m->clock.now_ns;
        machine_run(m, left < slice ? left : slice, &res);
        ck_assert_int_eq(res.reason, CPU_STOP_BUDGET);
    }
}

START_TEST(two_cpus_interleave_the_same_however_sliced)
{
    struct machine *a = two_cpu_machine(), *b = two_cpu_machine();
    run_until(a, 5000000, 1000000);
    run_until(b, 5000000, 377700);
    ck_assert_uint_eq(a->clock.now_ns, 5000000);
    ck_assert_uint_eq(b->clock.now_ns, 5000000);
    uint64_t word_a, word_b;
    ck_assert_int_eq(bus_read(&a->bus, a->ram_base + 0x1000, 4, &word_a), BUS_OK);
    ck_assert_int_eq(bus_read(&b->bus, b->ram_base + 0x1000, 4, &word_b), BUS_OK);
    /* Some increments were lost (so the test can see a difference)... */
    ck_assert_uint_lt(word_a, a->executed / 4);
    /* ...and exactly the same ones both ways. */
    ck_assert_uint_eq(word_a, word_b);
    assert_same_state(a, b);
    machine_destroy(a);
    machine_destroy(b);
}
END_TEST

static Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, page_sets_round_trip);
    tcase_add_test(tc, state_hash_is_stable);
    tcase_add_test(tc, snapshot_resumes_elsewhere);
    tcase_add_test(tc, snapshot_refuses_bad_files);
    tcase_add_test(tc, snapshot_file_is_written_whole);
    tcase_add_test(tc, journal_replays_and_catches_divergence);
    tcase_add_test(tc, timeline_goes_back_exactly);
    tcase_add_test(tc, two_cpus_interleave_the_same_however_sliced);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(snapshot_suite());
}
