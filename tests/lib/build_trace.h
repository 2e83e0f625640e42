/* The start and the end most hand-built traces of the unit tests share
 * (gotrace/builder.h). */
#ifndef GT_TEST_BUILD_TRACE_H
#define GT_TEST_BUILD_TRACE_H

#include <stddef.h>

#include "gotrace/builder.h"

/* A Go 1.22 trace under construction: one generation (frequency 1e9, so
 * ticks are ns), one batch on M0 at time 1000, where P0 is running and G1
 * runs on it. The batch, or NULL (and *b NULL) when the builder fails. */
gt_builder_batch *begin_trace(gt_builder **b);

/* Writes and frees b: the trace's bytes (malloc'd), or NULL (the builder's
 * message on stderr). */
unsigned char *finish_trace(gt_builder *b, size_t *len);

#endif
