/* Single-step conformance vectors (SingleStepTests ARM7TDMI .json.bin). */
#ifndef ORRERY_ISA_ARM_CONFORMANCE_H
#define ORRERY_ISA_ARM_CONFORMANCE_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/error.h"

struct conformance_file_result {
    unsigned passed, failed;
    char first_failure[256];
};

/* Runs every test of one vector file; returns -1 if the file is malformed. */
int arm7tdmi_conformance_file(const uint8_t *data, size_t len,
                              struct conformance_file_result *res,
                              struct orr_error *err) ORR_MUST_CHECK;

#endif
