/* Board-loader steps shared by machine.c and board.c. */
#ifndef ORRERY_MACHINE_BOARD_INTERNAL_H
#define ORRERY_MACHINE_BOARD_INTERNAL_H

#include "machine/machine.h"

/* `reg` of node as root-bus addresses, translated through parent `ranges`;
 * io[i] (io may be NULL: then I/O windows are an error) tells whether
 * window i is a range of ISA I/O ports (base is the port). */
int board_reg_windows(const void *fdt, int node, uint64_t *base, uint64_t *size, bool *io,
                      unsigned max, unsigned *count, struct orr_error *err) ORR_MUST_CHECK;
int board_add_memory(struct machine *m, const struct machine_config *cfg,
                     struct orr_error *err) ORR_MUST_CHECK;
int board_add_cpus(struct machine *m, const struct machine_config *cfg,
                   struct orr_error *err) ORR_MUST_CHECK;
int board_add_devices(struct machine *m, const struct machine_config *cfg,
                      struct orr_error *err) ORR_MUST_CHECK;

#endif
