/* The library's own consumers of a reader (gt_columns_read, the analyses'
 * feed) read its events in place where the reader already holds them. */
#ifndef GT_READER_VIEW_H
#define GT_READER_VIEW_H

#include <stddef.h>

#include "gotrace.h"

/* The next events of r, as gt_reader_next_batch(r, buf, cap) returns them
 * (the same events in order, with the same lifetime rules: at most one
 * Sync in a call's events, tables it retires freed at the next call), but
 * in threaded mode without the copy and never past the end of the chunk
 * the producer filled (so a call may return fewer): *out points into the
 * chunk, valid until the next call on r. Otherwise they are read into buf
 * and *out is buf. Returns how many (0: the end or an error, as
 * gt_reader_next_batch). */
size_t gt_reader_next_view(gt_reader *r, gt_event *buf, size_t cap, const gt_event **out);

#endif
