/* Snapshot files: a whole machine in one file (docs/snapshots.md).
 *
 *   offset 0   magic "ORRSNAP" 0x1a (8 bytes)
 *          8   u32 snapshot format version (SNAPSHOT_FORMAT_VERSION)
 *         12   u32 flags (0)
 *         16   u64 length L of the state stream
 *         24   the state stream (machine/state.h), whose first section,
 *              "snapshot", describes the machine: emulator version, board
 *              name, board device tree, memory size, CPU models; then the
 *              machine's own sections (machine_save)
 *     24 + L   u32 CRC-32 (zlib's) of every byte before it
 * All integers little-endian; the file is exactly 28 + L bytes.
 *
 * Saving writes a temporary file beside the target, fsyncs it and renames
 * it over the target, so a crash or kill mid-save leaves the previous file
 * whole. Loading checks the checksum, the header against the machine and
 * every section before it changes anything. */
#ifndef ORRERY_MACHINE_SNAPSHOT_H
#define ORRERY_MACHINE_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct machine;

#define SNAPSHOT_FORMAT_VERSION 1
#define SNAPSHOT_SECTION_VERSION 1

/* An opened, verified snapshot file held in memory. */
struct snapshot {
    uint8_t *data;              /* the whole file */
    size_t size;
    const uint8_t *stream;      /* the state stream inside it */
    size_t stream_len;
    /* From the "snapshot" section: */
    char emulator[64];          /* version that wrote it */
    char board[64];
    uint8_t *dtb;               /* a copy (libfdt wants it aligned) */
    size_t dtb_size;
    uint64_t ram_size;
    unsigned ncpus;
    char cpu_models[8][32];
};

/* Saves the machine to path (atomically, as above). */
int snapshot_save(struct machine *m, const char *path, struct orr_error *err) ORR_MUST_CHECK;

/* Reads and verifies a file (magic, version, length, checksum, header). */
int snapshot_open(const char *path, struct snapshot *s, struct orr_error *err) ORR_MUST_CHECK;
/* The same over a buffer the snapshot takes ownership of (freed by
 * snapshot_close, also on failure). */
int snapshot_open_buffer(uint8_t *data, size_t size, const char *name, struct snapshot *s,
                         struct orr_error *err) ORR_MUST_CHECK;
/* Loads it into m after checking that m is the machine it was taken on
 * (board tree, CPU models, memory) and every section: -1 when refused (m
 * unchanged), -2 when loading failed half way (reset m). */
int snapshot_apply(const struct snapshot *s, struct machine *m,
                   struct orr_error *err) ORR_MUST_CHECK;
void snapshot_close(struct snapshot *s);

/* Builds a snapshot file image in memory (for tests and in-memory use). */
int snapshot_build(struct machine *m, uint8_t **data, size_t *size,
                   struct orr_error *err) ORR_MUST_CHECK;

#endif
