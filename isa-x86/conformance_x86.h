/* Single-step conformance vectors for the x86 core: the SingleStepTests
 * MOO files (80286 real mode, 80386), format in their doc/moo_format_v1.md. */
#ifndef ORRERY_ISA_X86_CONFORMANCE_X86_H
#define ORRERY_ISA_X86_CONFORMANCE_X86_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

/* Tests whose outcome is a documented 80286 behaviour the i386 does not
 * share (docs/isa-x86.md, "80286 vectors"): counted apart from failures.
 * Each class is recognised from the vector and the exception the core
 * raised, never by changing what the core does. */
enum x86_difference {
    X86_DIFF_LOCK,          /* LOCK on a non-lockable form: 286 ignores it, i386 #UD */
    X86_DIFF_STACK_13,      /* stack-segment overrun: 286 interrupt 13, i386 #SS (12) */
    X86_DIFF_LENGTH_10,     /* more than 10 bytes: 286 interrupt 13, i386 up to 15 */
    X86_DIFF_FS_GS,         /* MOV to/from FS or GS: no such registers on a 286 (#UD) */
    X86_DIFF_STRING_WRAP,   /* string word at offset 0xFFFF: 286 wraps, i386 faults */
    X86_DIFF_COUNT,
};

extern const char *const x86_difference_names[X86_DIFF_COUNT];

struct x86_conformance_result {
    unsigned passed, failed;
    unsigned differ[X86_DIFF_COUNT];
    char first_failure[256];
};

/* Runs every test of one MOO file (path ends in .MOO or .MOO.gz; gzip is
 * read through zlib). The flags the vectors leave undefined are masked as
 * the metadata.json beside the file says for its opcode, when there is
 * one. Returns -1 if the file cannot be read or is malformed. */
int x86_conformance_file(const char *path, struct x86_conformance_result *res,
                         struct orr_error *err) ORR_MUST_CHECK;

/* The "flags-mask" metadata.json gives for a file named like "F6.6" or
 * "00" (opcode, optionally ".reg"); 0xFFFF when there is none. */
uint16_t x86_metadata_flags_mask(const char *json, size_t len, const char *name);

#endif
