/* Placeholder until the old-format reader lands: every old trace is refused
 * with a clear error. Delete this file when src/v1 implements v1.h. */
#include "v1/v1.h"

#include "common/error.h"

gt_v1 *gt_v1_open(const uint8_t *data, size_t len, int version, gt_error *err)
{
    (void)data;
    (void)len;
    gt_error_set(err, GT_ERR_UNSUPPORTED, 0, "old trace format go 1.%d is not supported yet", version);
    return NULL;
}

int gt_v1_next(gt_v1 *v, gt_event *ev, gt_error *err)
{
    (void)v;
    (void)ev;
    return gt_error_set(err, GT_ERR_UNSUPPORTED, GT_NO_OFFSET, "old trace format is not supported yet");
}

void gt_v1_free(gt_v1 *v) { (void)v; }
