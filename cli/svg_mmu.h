/* The MMU curve as an SVG plot: what `gotrace mmu --svg` writes and what
 * `gotrace report` inlines (cli/svg_mmu.c). */
#ifndef GT_CLI_SVG_MMU_H
#define GT_CLI_SVG_MMU_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace/analysis.h"

/* Writes the curve of m (finished) over windows up to length ns, on a log
 * scale as go tool trace's /mmu page draws it: one <svg> element. */
void svg_mmu_write(FILE *f, gt_mmu *m, int64_t length);

#endif
