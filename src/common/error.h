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

void gt_error_clear(gt_error *err);

#endif
