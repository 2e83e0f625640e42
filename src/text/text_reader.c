/* Placeholder until the text reader lands: keeps the library linking. */
#include "common/error.h"
#include "wire/raw_internal.h"

gt_raw_reader *gt_raw_open_text(const void *data, size_t len, gt_error *err)
{
    (void)data;
    (void)len;
    gt_error_set(err, GT_ERR_UNSUPPORTED, GT_NO_OFFSET, "text format reader not implemented yet");
    return NULL;
}

int gt_raw_text_next(gt_raw_reader *r, gt_raw_event *ev)
{
    (void)ev;
    return gt_raw_fail(r, GT_ERR_UNSUPPORTED, GT_NO_OFFSET, "text format reader not implemented yet");
}
