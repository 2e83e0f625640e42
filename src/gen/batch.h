/* Reading one batch from the input (Go's readBatch) and classifying it. */
#ifndef GT_GEN_BATCH_H
#define GT_GEN_BATCH_H

#include "gen/gen.h"
#include "wire/spec.h"

enum { GT_BATCH_OK = 0, GT_BATCH_EOF = 1, GT_BATCH_ERR = -1 };

/* Reads the next batch. GT_BATCH_OK fills *b and *gen (an EndOfGeneration
 * byte gives a batch whose data is that byte, gen 0); GT_BATCH_EOF: the input
 * ended before a batch (Go's io.EOF); GT_BATCH_ERR: *err filled with Go's text
 * and the batch's offset. Batch bytes go into arena for non-memory inputs;
 * with arena NULL they stay in the input's window, valid until its next
 * read.
 *
 * With skip_events set, an event batch (not strings, stacks, CPU samples,
 * a frequency or sync batch, or an experimental batch) of an input that can
 * be read back by offset is skipped, not read: its data is NULL, first and
 * offset say what and where it is. Only a batch the input's known size
 * holds whole is skipped, so a truncated one fails here as Go's does. */
int gt_batch_read(gt_input *in, gt_arena *arena, int skip_events, gt_batch *b, uint64_t *gen, gt_error *err);

static inline int gt_batch_first_is(const gt_batch *b, unsigned t)
{
    return b->exp == GT_EXP_NONE && b->len > 0 && b->first == t;
}
static inline int gt_batch_is_strings(const gt_batch *b) { return gt_batch_first_is(b, GT_EV_STRINGS); }
static inline int gt_batch_is_stacks(const gt_batch *b) { return gt_batch_first_is(b, GT_EV_STACKS); }
static inline int gt_batch_is_cpu_samples(const gt_batch *b) { return gt_batch_first_is(b, GT_EV_CPU_SAMPLES); }
static inline int gt_batch_is_end_of_generation(const gt_batch *b)
{
    return gt_batch_first_is(b, GT_EV_END_OF_GENERATION);
}
static inline int gt_batch_is_sync(const gt_batch *b, int version)
{
    return version < GT_GO125 ? gt_batch_first_is(b, GT_EV_FREQUENCY) : gt_batch_first_is(b, GT_EV_SYNC);
}

#endif
