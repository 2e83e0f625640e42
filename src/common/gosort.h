/* Go's slices.SortFunc, step for step (pattern-defeating quicksort). It is
 * not stable, so where Go sorts elements that compare equal, only the same
 * algorithm reproduces Go's order: the reader sorts CPU samples and, when an
 * event cannot advance, the merge frontier this way, and the footprint
 * (gt_raw_footprint) its rows. */
#ifndef GT_COMMON_GOSORT_H
#define GT_COMMON_GOSORT_H

#include <stddef.h>

/* Sorts n elements of size sz at base (sz <= 64) with cmp (negative, zero,
 * positive, like Go's cmp.Compare). */
void gt_go_sort(void *base, size_t n, size_t sz, int (*cmp)(const void *, const void *));

#endif
