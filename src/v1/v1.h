/* Old-format traces (Go 1.11-1.21: headers "go 1.11 trace", "go 1.19 trace",
 * "go 1.21 trace"). Go parses them whole and converts them to the v2 event
 * model; so do we. The reader (src/reader) hands the whole input over and then
 * pulls converted events, Sync events included, one at a time.
 */
#ifndef GT_V1_V1_H
#define GT_V1_V1_H

#include <stddef.h>
#include <stdint.h>

#include "gen/input.h"
#include "gotrace.h"

typedef struct gt_v1 gt_v1;

/* Parses a whole old-format trace. data/len is the complete input including
 * its 16-byte header; version is 11, 19 or 21. The caller keeps data alive
 * until gt_v1_free. Returns NULL and fills *err on failure. */
gt_v1 *gt_v1_open(const uint8_t *data, size_t len, int version, gt_error *err);

/* Reads the rest of an old-format trace from in (after the header, which
 * is passed as prefix/npre) into a malloc'd buffer *data of *len bytes, the
 * header first, for gt_v1_open. Go reads the whole input before it parses;
 * here Go's first pass runs over the bytes as they arrive and reading stops
 * at the first error it reports: *data then ends soon after that error, and
 * gt_v1_open rejects it with the same message and offset Go gives for the
 * whole input. 0, or -1 on an I/O error (in->err_no set) or when memory runs
 * out. */
int gt_v1_slurp(gt_input *in, int version, const uint8_t *prefix, size_t npre, uint8_t **data, size_t *len);

/* Next converted event, exactly as Go 1.27's reader yields it for this trace
 * (including the first and last Sync). 1 = *ev filled, 0 = end, -1 = error
 * (*err filled). Events stay valid until gt_v1_free: an old trace is one
 * generation. */
int gt_v1_next(gt_v1 *v, gt_event *ev, gt_error *err);

/* Frees v and everything its events point to. NULL is fine. */
void gt_v1_free(gt_v1 *v);

/* Number of old events the trace holds after parsing (before conversion:
 * converted events, Syncs included, can be a few more). */
size_t gt_v1_event_count(const gt_v1 *v);

/* Bytes the parsed events occupy while the trace is held (the compact
 * stream of src/v1/stream.c and the moved syscall exits); 0 for NULL.
 * Divide by gt_v1_event_count for bytes per event. */
size_t gt_v1_held_bytes(const gt_v1 *v);

#endif
