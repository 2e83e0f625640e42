/* Ordering of experimental events (the AllocFree experiment: spans, heap
 * objects, goroutine stacks). They need a thread and nothing else. */
#include "order/order.h"

int gt_order_alloc_free(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                        gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MAY_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    return gt_order_push(o, ev, t, cur, err) < 0 ? -1 : 1;
}
