/* Event formatting into a growable buffer (the engine behind
 * gt_event_format). */
#ifndef GT_FORMAT_FORMAT_H
#define GT_FORMAT_FORMAT_H

#include "common/buf.h"
#include "gotrace.h"

/* Appends Go's Event.String() of ev to out. 0, or -1 when memory runs out. */
int gt_format_event(gt_buf *out, const gt_event *ev);

/* Appends Go's time.Time.Format(time.RFC3339Nano) of (sec, nsec) in UTC. */
int gt_format_rfc3339nano(gt_buf *out, int64_t sec, int32_t nsec);

#endif
