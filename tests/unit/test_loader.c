/* Image loaders: ELF32 images built in memory (two PT_LOAD segments, one
 * with .bss, a symbol table with functions, objects, labels and ARM mapping
 * symbols), cut at every length, for the wrong machine, aimed outside RAM;
 * raw images; host files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "machine/bus.h"
#include "machine/loader.h"
#include "tests/unit/unit.h"

#define RAM_BASE 0x40000000u
#define RAM_SIZE 0x10000u
#define ROM_BASE 0x0u
#define ROM_SIZE 0x1000u

/* ---- building ELF images ---- */

struct elf_opts {
    uint16_t machine;
    uint16_t type;
    uint8_t elf_class;
    uint8_t data;
    uint32_t seg0_paddr;        /* 16 bytes of data + 16 of .bss */
    uint32_t seg1_paddr;        /* 8 bytes, vaddr differs from paddr */
    bool symbols;
};

static struct elf_opts default_opts(void)
{
    return (struct elf_opts){
        .machine = ELF_MACHINE_ARM, .type = 2, .elf_class = 1, .data = 1,
        .seg0_paddr = RAM_BASE, .seg1_paddr = RAM_BASE + 0x1000, .symbols = true,
    };
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static const char strtab[] = "\0main\0data_obj\0$a\0$d.1\0label\0local_label\0undef\0";
enum { S_MAIN = 1, S_DATA = 6, S_A = 15, S_D = 18, S_LABEL = 23, S_LOCAL = 29, S_UNDEF = 41 };

static void put_sym(uint8_t *p, uint32_t name, uint32_t value, uint32_t size,
                    unsigned bind, unsigned type, uint16_t shndx)
{
    put32(p, name);
    put32(p + 4, value);
    put32(p + 8, size);
    p[12] = (uint8_t)(bind << 4 | type);
    p[13] = 0;
    put16(p + 14, shndx);
}

/* Layout: ehdr(52) phdr x2(64) seg0 data(16) seg1 data(8) strtab symtab shdrs. */
static uint8_t *build_elf(const struct elf_opts *o, size_t *len)
{
    const size_t seg0 = 116, seg1 = seg0 + 16, str = seg1 + 8;
    const size_t sym = (str + sizeof strtab + 3) & ~(size_t)3;
    const unsigned nsyms = 9;
    const size_t sh = sym + nsyms * 16;
    const unsigned nsh = o->symbols ? 4 : 0;
    size_t total = o->symbols ? sh + nsh * 40 : str;
    uint8_t *d = calloc(1, total);
    memcpy(d, "\x7f" "ELF", 4);
    d[4] = o->elf_class;
    d[5] = o->data;
    d[6] = 1;
    put16(d + 16, o->type);
    put16(d + 18, o->machine);
    put32(d + 20, 1);
    put32(d + 24, RAM_BASE + 1);          /* Thumb entry */
    put32(d + 28, 52);
    put32(d + 32, o->symbols ? (uint32_t)sh : 0);
    put16(d + 40, 52);
    put16(d + 42, 32);
    put16(d + 44, 2);
    put16(d + 46, 40);
    put16(d + 48, (uint16_t)nsh);
    put16(d + 50, 0);
    /* PT_LOAD 0: 16 bytes of file, 32 of memory. */
    uint8_t *ph = d + 52;
    put32(ph, 1);
    put32(ph + 4, (uint32_t)seg0);
    put32(ph + 8, o->seg0_paddr);
    put32(ph + 12, o->seg0_paddr);
    put32(ph + 16, 16);
    put32(ph + 20, 32);
    /* PT_LOAD 1: loaded at its physical address, not its virtual one. */
    ph += 32;
    put32(ph, 1);
    put32(ph + 4, (uint32_t)seg1);
    put32(ph + 8, 0x80001000u);
    put32(ph + 12, o->seg1_paddr);
    put32(ph + 16, 8);
    put32(ph + 20, 8);
    for (unsigned i = 0; i < 16; i++)
        d[seg0 + i] = (uint8_t)(0x10 + i);
    for (unsigned i = 0; i < 8; i++)
        d[seg1 + i] = (uint8_t)(0xc0 + i);
    if (o->symbols) {
        memcpy(d + str, strtab, sizeof strtab);
        uint8_t *s = d + sym;
        put_sym(s, 0, 0, 0, 0, 0, 0);
        put_sym(s += 16, S_MAIN, RAM_BASE + 1, 16, 1, 2, 1);       /* Thumb FUNC */
        put_sym(s += 16, S_DATA, RAM_BASE + 0x10, 16, 1, 1, 1);    /* OBJECT */
        put_sym(s += 16, S_A, RAM_BASE, 0, 0, 0, 1);               /* $a */
        put_sym(s += 16, S_D, RAM_BASE + 0x10, 0, 0, 0, 1);        /* $d.1 */
        put_sym(s += 16, S_LABEL, RAM_BASE + 0x1004, 0, 1, 0, 1);  /* global NOTYPE */
        put_sym(s += 16, S_LOCAL, RAM_BASE + 0x1006, 0, 0, 0, 1);  /* local NOTYPE */
        put_sym(s += 16, S_UNDEF, 0, 0, 1, 2, 0);                  /* undefined */
        put_sym(s += 16, 0, RAM_BASE, 0, 0, 3, 1);                 /* SECTION */
        uint8_t *shdr = d + sh + 40;                               /* [0] is null */
        put32(shdr + 4, 1);                                        /* [1] PROGBITS */
        shdr += 40;
        put32(shdr + 4, 2);                                        /* [2] SYMTAB */
        put32(shdr + 16, (uint32_t)sym);
        put32(shdr + 20, nsyms * 16);
        put32(shdr + 24, 3);
        put32(shdr + 36, 16);
        shdr += 40;
        put32(shdr + 4, 3);                                        /* [3] STRTAB */
        put32(shdr + 16, (uint32_t)str);
        put32(shdr + 20, sizeof strtab);
    }
    *len = total;
    return d;
}

/* ---- a bus to load into ---- */

struct listener_log {
    unsigned written;
};

static void on_written(void *opaque, uint64_t ppage)
{
    (void)ppage;
    ((struct listener_log *)opaque)->written++;
}

static void make_bus(struct bus *bus)
{
    struct orr_error err = { { 0 } };
    bus_init(bus, NULL);
    ck_assert_int_eq(bus_add_ram(bus, "ram", RAM_BASE, RAM_SIZE, &err), 0);
    ck_assert_int_eq(bus_add_rom(bus, "rom", ROM_BASE, ROM_SIZE, &err), 0);
}

START_TEST(good_elf_loads_segments_bss_entry_and_symbols)
{
    struct bus bus;
    make_bus(&bus);
    bool rom;
    uint8_t *ram = bus_host_ptr(&bus, RAM_BASE, RAM_SIZE, &rom);
    memset(ram, 0xaa, RAM_SIZE);
    struct listener_log log = { 0 };
    struct bus_listener l = { .opaque = &log, .code_written = on_written };
    ck_assert_int_eq(bus_add_listener(&bus, &l), 0);
    bus_mark_code(&bus, RAM_BASE);

    struct elf_opts o = default_opts();
    size_t len;
    uint8_t *elf = build_elf(&o, &len);
    ck_assert(loader_is_elf(elf, len));
    struct loaded_image img;
    struct orr_error err = { { 0 } };
    ck_assert_msg(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err) == 0, "%s", err.msg);
    ck_assert(img.is_elf);
    ck_assert_uint_eq(img.entry, RAM_BASE + 1);
    ck_assert_uint_eq(img.low, RAM_BASE);
    ck_assert_uint_eq(img.high, RAM_BASE + 0x1008);
    for (unsigned i = 0; i < 16; i++)
        ck_assert_uint_eq(ram[i], 0x10 + i);
    for (unsigned i = 16; i < 32; i++)
        ck_assert_uint_eq(ram[i], 0);             /* .bss zeroed */
    ck_assert_uint_eq(ram[32], 0xaa);             /* and nothing past it */
    for (unsigned i = 0; i < 8; i++)
        ck_assert_uint_eq(ram[0x1000 + i], 0xc0 + i);
    /* The decoded page was written: its owner was told. */
    ck_assert_uint_eq(log.written, 1);
    ck_assert(!bus_page_has_code(&bus, RAM_BASE));

    /* main, data_obj, label: sorted, mapping/local/undefined/section gone. */
    ck_assert_uint_eq(img.symbols.count, 3);
    ck_assert_str_eq(img.symbols.syms[0].name, "main");
    ck_assert_uint_eq(img.symbols.syms[0].addr, RAM_BASE);   /* Thumb bit cleared */
    ck_assert_str_eq(img.symbols.syms[1].name, "data_obj");
    ck_assert_str_eq(img.symbols.syms[2].name, "label");
    uint64_t off = 99;
    ck_assert_str_eq(symtab_lookup(&img.symbols, RAM_BASE + 4, &off)->name, "main");
    ck_assert_uint_eq(off, 4);
    ck_assert_str_eq(symtab_lookup(&img.symbols, RAM_BASE + 0x1f, &off)->name, "data_obj");
    ck_assert_uint_eq(off, 0xf);
    ck_assert_ptr_null(symtab_lookup(&img.symbols, RAM_BASE - 1, &off));
    ck_assert_ptr_null(symtab_lookup(&img.symbols, RAM_BASE + 0x20, &off));  /* past data_obj */
    ck_assert_ptr_nonnull(symtab_find(&img.symbols, "label"));
    ck_assert_uint_eq(symtab_find(&img.symbols, "label")->addr, RAM_BASE + 0x1004);
    ck_assert_ptr_null(symtab_find(&img.symbols, "$a"));
    ck_assert_ptr_null(symtab_find(&img.symbols, "local_label"));
    ck_assert_ptr_null(symtab_find(&img.symbols, "undef"));

    loaded_image_free(&img);
    ck_assert_uint_eq(img.symbols.count, 0);
    free(elf);
    bus_destroy(&bus);
}
END_TEST

START_TEST(elf_without_symbols_and_into_rom)
{
    struct bus bus;
    make_bus(&bus);
    struct elf_opts o = default_opts();
    o.symbols = false;
    o.seg0_paddr = ROM_BASE + 0x100;      /* loaders may fill ROM */
    size_t len;
    uint8_t *elf = build_elf(&o, &len);
    struct loaded_image img;
    struct orr_error err = { { 0 } };
    ck_assert_msg(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(img.symbols.count, 0);
    ck_assert_uint_eq(img.low, ROM_BASE + 0x100);
    uint64_t v;
    ck_assert_int_eq(bus_read(&bus, ROM_BASE + 0x100, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x13121110);
    /* The guest itself still cannot write it. */
    ck_assert_int_eq(bus_write(&bus, ROM_BASE + 0x100, 4, 0), BUS_READONLY);
    loaded_image_free(&img);
    free(elf);
    bus_destroy(&bus);
}
END_TEST

START_TEST(truncated_at_every_length_fails_cleanly)
{
    struct elf_opts o = default_opts();
    size_t len;
    uint8_t *elf = build_elf(&o, &len);
    for (size_t cut = 0; cut < len; cut++) {
        struct bus bus;
        make_bus(&bus);
        /* An exact-size copy, so a read past the cut is caught by ASan. */
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, elf, cut);
        struct loaded_image img;
        struct orr_error err = { { 0 } };
        int rc = load_elf(&bus, part, cut, ELF_MACHINE_ARM, &img, &err);
        ck_assert_msg(rc == -1, "a %zu-byte cut of a %zu-byte ELF loaded", cut, len);
        ck_assert_msg(err.msg[0] != '\0', "no message at cut %zu", cut);
        if (cut >= 4)
            ck_assert_msg(strstr(err.msg, "truncated") != NULL,
                          "cut %zu: unexpected message '%s'", cut, err.msg);
        ck_assert_ptr_null(img.symbols.syms);
        free(part);
        bus_destroy(&bus);
    }
    free(elf);
}
END_TEST

START_TEST(wrong_machine_class_type_endianness)
{
    struct bus bus;
    make_bus(&bus);
    struct loaded_image img;
    struct orr_error err = { { 0 } };
    size_t len;

    struct elf_opts o = default_opts();
    o.machine = 62;
    uint8_t *elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    ck_assert_str_eq(err.msg, "ELF is for machine 62 (x86-64), this CPU needs ARM (40)");
    free(elf);

    o = default_opts();
    elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_386, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "machine 40 (ARM)"));
    free(elf);

    o = default_opts();
    o.type = 3;                            /* ET_DYN */
    elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "ET_EXEC"));
    free(elf);

    o = default_opts();
    o.elf_class = 2;
    elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "32-bit"));
    free(elf);

    o = default_opts();
    o.data = 2;
    elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "big-endian"));
    free(elf);

    static const uint8_t not_elf[] = "#!/bin/sh\n";
    ck_assert(!loader_is_elf(not_elf, sizeof not_elf));
    ck_assert(!loader_is_elf(not_elf, 0));
    ck_assert_int_eq(load_elf(&bus, not_elf, sizeof not_elf, ELF_MACHINE_ARM, &img, &err), -1);
    bus_destroy(&bus);
}
END_TEST

START_TEST(segment_outside_memory_names_the_address)
{
    struct bus bus;
    make_bus(&bus);
    bool rom;
    uint8_t *ram = bus_host_ptr(&bus, RAM_BASE, RAM_SIZE, &rom);
    struct loaded_image img;
    struct orr_error err = { { 0 } };
    size_t len;

    /* The second segment misses memory: nothing at all is written. */
    struct elf_opts o = default_opts();
    o.seg1_paddr = 0x10000000u;
    uint8_t *elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "0x10000000"));
    ck_assert_uint_eq(ram[0], 0);
    free(elf);

    /* A segment running off the end of RAM. */
    o = default_opts();
    o.seg0_paddr = RAM_BASE + RAM_SIZE - 16;   /* 32 bytes of memory: 16 too many */
    elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "not inside RAM or ROM"));
    free(elf);

    /* A segment wrapping the 32-bit space. */
    o = default_opts();
    o.seg0_paddr = 0xfffffff0u;
    elf = build_elf(&o, &len);
    ck_assert_int_eq(load_elf(&bus, elf, len, ELF_MACHINE_ARM, &img, &err), -1);
    free(elf);
    bus_destroy(&bus);
}
END_TEST

START_TEST(raw_images)
{
    struct bus bus;
    make_bus(&bus);
    struct loaded_image img;
    struct orr_error err = { { 0 } };
    static const uint8_t data[] = { 1, 2, 3, 4, 5 };
    ck_assert_int_eq(load_raw(&bus, data, sizeof data, RAM_BASE + 0x200, &img, &err), 0);
    ck_assert(!img.is_elf);
    ck_assert_uint_eq(img.entry, RAM_BASE + 0x200);
    ck_assert_uint_eq(img.low, RAM_BASE + 0x200);
    ck_assert_uint_eq(img.high, RAM_BASE + 0x205);
    uint64_t v;
    ck_assert_int_eq(bus_read(&bus, RAM_BASE + 0x200, 4, &v), BUS_OK);
    ck_assert_uint_eq(v, 0x04030201);
    loaded_image_free(&img);

    ck_assert_int_eq(load_raw(&bus, data, 0, RAM_BASE, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
    ck_assert_int_eq(load_raw(&bus, data, sizeof data, RAM_BASE + RAM_SIZE - 2, &img, &err), -1);
    ck_assert_int_eq(load_raw(&bus, data, sizeof data, 0x20000000, &img, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "0x20000000"));
    bus_destroy(&bus);
}
END_TEST

START_TEST(host_files)
{
    char dir[] = "/tmp/orrery-loader-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[256];
    struct orr_error err = { { 0 } };
    uint8_t *data = NULL;
    size_t len = 0;

    snprintf(path, sizeof path, "%s/missing.bin", dir);
    ck_assert_int_eq(load_file(path, 1024, &data, &len, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing.bin"));
    ck_assert_ptr_null(data);

    ck_assert_int_eq(load_file(dir, 1024, &data, &len, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a regular file"));

    snprintf(path, sizeof path, "%s/empty.bin", dir);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(load_file(path, 1024, &data, &len, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "empty"));
    unlink(path);

    snprintf(path, sizeof path, "%s/image.bin", dir);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite("orrery!", 1, 7, f);
    fclose(f);
    ck_assert_int_eq(load_file(path, 6, &data, &len, &err), -1);
    ck_assert_ptr_nonnull(strstr(err.msg, "limit"));
    ck_assert_int_eq(load_file(path, 7, &data, &len, &err), 0);
    ck_assert_uint_eq(len, 7);
    ck_assert_int_eq(memcmp(data, "orrery!", 7), 0);
    free(data);
    unlink(path);
    rmdir(dir);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good_elf_loads_segments_bss_entry_and_symbols);
    tcase_add_test(tc, elf_without_symbols_and_into_rom);
    tcase_add_test(tc, truncated_at_every_length_fails_cleanly);
    tcase_add_test(tc, wrong_machine_class_type_endianness);
    tcase_add_test(tc, segment_outside_memory_names_the_address);
    tcase_add_test(tc, raw_images);
    tcase_add_test(tc, host_files);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(loader_suite());
}
