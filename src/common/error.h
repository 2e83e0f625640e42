/* Filling a gt_error. Messages follow Go's text where Go has one; otherwise
 * "what went wrong: key=value". */
#ifndef GT_COMMON_ERROR_H
#define GT_COMMON_ERROR_H

#include "gotrace.h"

/* Sets *err (NULL is allowed: then nothing happens). line and generation are
 * reset to 0; set them afterwards where known. Returns -1 so callers can write
 * `return gt_error_set(...)`. */
int gt_error_set(gt_error *err, gt_errcode code, uint64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Resets *err to "no error" (NULL is allowed). Inline and field by field:
 * it runs once per ordering attempt, and only the message's first byte of
 * its 1 KiB needs clearing. */
static inline void gt_error_clear(gt_error *err)
{
    if (!err)
        return;
    err->code = GT_ERR_NONE;
    err->offset = GT_NO_OFFSET;
    err->line = 0;
    err->generation = 0;
    err->message[0] = '\0';
}

#endif
