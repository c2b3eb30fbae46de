/* The explain view: what one instruction did, in plain text or as one JSON
 * object per line (docs/debugging.md shows both). */
#ifndef ORRERY_FRONTENDS_EXPLAIN_H
#define ORRERY_FRONTENDS_EXPLAIN_H

#include <stdio.h>

#include "frontends/debugger.h"

enum explain_format { EXPLAIN_TEXT, EXPLAIN_JSON };

/* Steps the selected CPU by one instruction with the observer and writes
 * its explain view to out. Fills *stop as debugger_step does; returns its
 * result. */
int explain_step(struct debugger *d, enum explain_format fmt, FILE *out, struct dbg_stop *stop);

#endif
