/* Snapshot files (layout in machine/snapshot.h). */
#include "machine/snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cpu/le.h"
#include "machine/loader.h"
#include "machine/machine.h"
#include "machine/state.h"
#include "orrery_config.h"

static const uint8_t snapshot_magic[8] = { 'O', 'R', 'R', 'S', 'N', 'A', 'P', 0x1a };
#define SNAPSHOT_HEAD 24u
#define SNAPSHOT_TAIL 4u
#define SNAPSHOT_MAX_BYTES ((size_t)16 << 30)

/* zlib's crc32 counts in uInt: feed it in pieces. */
static uint32_t crc_of(uint32_t crc, const uint8_t *p, size_t len)
{
    while (len) {
        uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
        crc = (uint32_t)crc32(crc, p, n);
        p += n;
        len -= n;
    }
    return crc;
}

static void put_text(struct state_writer *w, const char *s)
{
    state_put_bytes(w, s, strlen(s));
}

static int build_stream(struct machine *m, struct state_writer *w, struct orr_error *err)
{
    state_writer_init(w);
    state_begin(w, "snapshot", SNAPSHOT_SECTION_VERSION);
    put_text(w, ORRERY_VERSION);
    put_text(w, m->board_name);
    state_put_bytes(w, m->dtb, m->dtb_size);
    state_put_u64(w, m->ram_size);
    state_put_u32(w, m->ncpus);
    for (unsigned i = 0; i < m->ncpus; i++)
        put_text(w, m->cpus[i]->model->name);
    state_end(w);
    if (machine_save(m, w) || state_writer_finish(w, err)) {
        state_writer_free(w);
        return orr_fail(err, "snapshot: out of memory while saving the machine");
    }
    return 0;
}

/* The header and the trailing CRC-32 around a state stream of len bytes. */
static void frame(uint8_t head[SNAPSHOT_HEAD], uint8_t tail[SNAPSHOT_TAIL],
                  const uint8_t *stream, size_t len)
{
    memcpy(head, snapshot_magic, 8);
    le_store(head + 8, 4, SNAPSHOT_FORMAT_VERSION);
    le_store(head + 12, 4, 0);
    le_store(head + 16, 8, len);
    le_store(tail, 4, crc_of(crc_of(0, head, SNAPSHOT_HEAD), stream, len));
}

int snapshot_build(struct machine *m, uint8_t **data, size_t *size, struct orr_error *err)
{
    struct state_writer w;
    if (build_stream(m, &w, err))
        return -1;
    size_t total = SNAPSHOT_HEAD + w.len + SNAPSHOT_TAIL;
    uint8_t *buf = malloc(total);
    if (!buf) {
        state_writer_free(&w);
        return orr_fail(err, "snapshot: out of memory");
    }
    frame(buf, buf + SNAPSHOT_HEAD + w.len, w.buf, w.len);
    memcpy(buf + SNAPSHOT_HEAD, w.buf, w.len);
    state_writer_free(&w);
    *data = buf;
    *size = total;
    return 0;
}

int snapshot_save(struct machine *m, const char *path, struct orr_error *err)
{
    struct state_writer w;
    if (build_stream(m, &w, err))
        return -1;
    uint8_t head[SNAPSHOT_HEAD], tail[SNAPSHOT_TAIL];
    frame(head, tail, w.buf, w.len);
    const void *parts[3] = { head, w.buf, tail };
    size_t lens[3] = { sizeof head, w.len, sizeof tail };
    int rc = write_file_atomic(path, parts, lens, 3, err);
    state_writer_free(&w);
    return rc;
}

static int get_text(struct state_reader *r, char *out, size_t cap)
{
    uint64_t len = state_get_u64(r);
    if (r->failed || len >= cap || len > r->section_end - r->pos) {
        r->failed = true;
        return -1;
    }
    memcpy(out, r->buf + r->pos, (size_t)len);
    out[len] = '\0';
    r->pos += (size_t)len;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
            return -1;      /* names are printable: they go into messages */
    return 0;
}

static int read_header(struct snapshot *s, const char *name, struct orr_error *err)
{
    struct state_reader r;
    if (state_reader_init(&r, s->stream, s->stream_len, err))
        return orr_fail_prefix(err, "%s", name);
    if (state_reader_next(&r) != 1 || strcmp(r.tag, "snapshot") != 0)
        return orr_fail(err, "%s: snapshot has no description section", name);
    if (r.version != SNAPSHOT_SECTION_VERSION)
        return orr_fail(err, "%s: snapshot description version %u is not supported", name,
                        r.version);
    if (get_text(&r, s->emulator, sizeof s->emulator) || get_text(&r, s->board, sizeof s->board))
        return orr_fail(err, "%s: snapshot description is corrupt", name);
    uint64_t dlen = state_get_u64(&r);
    if (r.failed || dlen > r.section_end - r.pos)
        return orr_fail(err, "%s: snapshot description is corrupt", name);
    s->dtb = malloc(dlen ? (size_t)dlen : 1);
    if (!s->dtb)
        return orr_fail(err, "%s: out of memory", name);
    memcpy(s->dtb, r.buf + r.pos, (size_t)dlen);
    s->dtb_size = (size_t)dlen;
    r.pos += (size_t)dlen;
    s->ram_size = state_get_u64(&r);
    uint32_t ncpus = state_get_u32(&r);
    if (r.failed || ncpus == 0 || ncpus > sizeof s->cpu_models / sizeof s->cpu_models[0])
        return orr_fail(err, "%s: snapshot description is corrupt", name);
    s->ncpus = ncpus;
    for (unsigned i = 0; i < ncpus; i++)
        if (get_text(&r, s->cpu_models[i], sizeof s->cpu_models[i]))
            return orr_fail(err, "%s: snapshot description is corrupt", name);
    if (state_reader_check(&r))
        return orr_fail_prefix(err, "%s", name);
    return 0;
}

int snapshot_open_buffer(uint8_t *data, size_t size, const char *name, struct snapshot *s,
                         struct orr_error *err)
{
    memset(s, 0, sizeof *s);
    s->data = data;
    s->size = size;
    if (size < SNAPSHOT_HEAD + SNAPSHOT_TAIL || memcmp(data, snapshot_magic, 8) != 0) {
        snapshot_close(s);
        return orr_fail(err, "%s: not an Orrery snapshot", name);
    }
    uint32_t version = (uint32_t)le_load(data + 8, 4);
    if (version != SNAPSHOT_FORMAT_VERSION) {
        snapshot_close(s);
        return orr_fail(err, "%s: snapshot format %u is not supported (this build reads %u)",
                        name, version, SNAPSHOT_FORMAT_VERSION);
    }
    uint64_t len = le_load(data + 16, 8);
    if (len != size - SNAPSHOT_HEAD - SNAPSHOT_TAIL) {
        snapshot_close(s);
        return orr_fail(err, "%s: snapshot is truncated or has trailing data (%zu bytes, "
                        "the header says %llu)", name, size,
                        (unsigned long long)(len + SNAPSHOT_HEAD + SNAPSHOT_TAIL));
    }
    uint32_t want = (uint32_t)le_load(data + size - SNAPSHOT_TAIL, 4);
    if (crc_of(0, data, size - SNAPSHOT_TAIL) != want) {
        snapshot_close(s);
        return orr_fail(err, "%s: snapshot is corrupt (checksum mismatch)", name);
    }
    s->stream = data + SNAPSHOT_HEAD;
    s->stream_len = (size_t)len;
    if (read_header(s, name, err)) {
        snapshot_close(s);
        return -1;
    }
    return 0;
}

int snapshot_open(const char *path, struct snapshot *s, struct orr_error *err)
{
    memset(s, 0, sizeof *s);
    uint8_t *data;
    size_t size;
    if (load_file(path, SNAPSHOT_MAX_BYTES, &data, &size, err))
        return -1;
    return snapshot_open_buffer(data, size, path, s, err);
}

int snapshot_apply(const struct snapshot *s, struct machine *m, struct orr_error *err)
{
    if (strcmp(s->board, m->board_name) != 0)
        return orr_fail(err, "snapshot was taken on board %s, this machine is %s", s->board,
                        m->board_name);
    if (s->dtb_size != m->dtb_size || memcmp(s->dtb, m->dtb, s->dtb_size) != 0)
        return orr_fail(err, "snapshot was taken on a different %s board (its device tree "
                        "differs; start without --board to use the snapshot's own)", s->board);
    if (s->ram_size != m->ram_size)
        return orr_fail(err, "snapshot has %llu MiB of memory, this machine %llu MiB (-m)",
                        (unsigned long long)(s->ram_size >> 20),
                        (unsigned long long)(m->ram_size >> 20));
    if (s->ncpus != m->ncpus)
        return orr_fail(err, "snapshot has %u CPUs, this machine %u", s->ncpus, m->ncpus);
    for (unsigned i = 0; i < m->ncpus; i++)
        if (strcmp(s->cpu_models[i], m->cpus[i]->model->name) != 0)
            return orr_fail(err, "snapshot's CPU %u is a %s, this machine's a %s (--cpu)", i,
                            s->cpu_models[i], m->cpus[i]->model->name);
    struct state_reader r;
    if (state_reader_init(&r, s->stream, s->stream_len, err))
        return orr_fail_prefix(err, "snapshot");
    int rc = machine_load(m, &r, err);
    if (rc)
        orr_fail_prefix(err, "snapshot");
    return rc;
}

void snapshot_close(struct snapshot *s)
{
    free(s->data);
    free(s->dtb);
    memset(s, 0, sizeof *s);
}
