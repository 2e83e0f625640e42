/* Ordering of user annotations: tasks, regions, logs, goroutine labels (and
 * ProcsChange, which Go orders the same way). Tasks are tracked across
 * generations so that a TaskEnd can name its type and parent; regions nest
 * per goroutine. Names are interned because they outlive their generation. */
#include <string.h>

#include "common/error.h"
#include "order/order.h"

static int push(gt_ordering *o, const gt_base_event *ev, gt_table *t, gt_sched_ctx ctx, gt_error *err)
{
    return gt_order_push(o, ev, t, ctx, err) < 0 ? -1 : 1;
}

int gt_order_annotation(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                        gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_user_task_begin(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                             gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    uint64_t id = ev->args[0];
    if (gt_order_task(o, id))
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "task ID conflict: %llu", (unsigned long long)id);
    uint64_t parent = ev->args[1];
    if (parent == GT_BACKGROUND_TASK) {
        parent = GT_NO_TASK;
        ev->args[1] = GT_NO_TASK;
    }
    uint64_t name_id = ev->args[2];
    gt_str name;
    if (!gt_table_string(t, name_id, &name))
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "invalid string ID %llu for %u event",
                            (unsigned long long)name_id, ev->type);
    gt_task_state *ts = gt_order_new_task(o, id);
    if (!ts || gt_order_intern(o, name, &ts->name) < 0)
        return gt_order_nomem(err);
    ts->parent = parent;
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_user_task_end(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                           gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    uint64_t id = ev->args[0];
    gt_task_state *ts = gt_order_task(o, id);
    /* The extra slots: parent task and an extra-string ID of the type. */
    uint64_t type_id;
    if (ts) {
        ev->args[2] = ts->parent;
        type_id = gt_table_add_extra(t, ts->name.ptr, ts->name.len);
        ts->active = 0;
    } else {
        ev->args[2] = GT_NO_TASK;
        type_id = 0;
    }
    if (type_id == UINT64_MAX)
        return gt_order_nomem(err);
    ev->args[3] = type_id;
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

/* What region begin and end share: a running user goroutine with a known
 * state, and a valid (interned) region name. NULL on error. */
static gt_gstate *region_prologue(gt_ordering *o, const gt_base_event *ev, gt_table *t, gt_sched_ctx cur,
                                  const char *what, gt_str *name, gt_error *err)
{
    if (gt_validate_user_go(cur, err) < 0)
        return NULL;
    uint64_t name_id = ev->args[1];
    gt_str s;
    if (!gt_table_string(t, name_id, &s)) {
        gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "invalid string ID %llu for %u event",
                     (unsigned long long)name_id, ev->type);
        return NULL;
    }
    if (gt_order_intern(o, s, name) < 0) {
        gt_order_nomem(err);
        return NULL;
    }
    gt_gstate *g = gt_order_g(o, cur.g);
    if (!g)
        gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                     "encountered %s without known state for current goroutine %lld", what, (long long)cur.g);
    return g;
}

int gt_order_user_region_begin(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                               gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    gt_str name;
    gt_gstate *g = region_prologue(o, ev, t, cur, "EvUserRegionBegin", &name, err);
    if (!g)
        return -1;
    if (gt_table_grow((void **)&g->regions, &g->capregions, g->nregions, sizeof *g->regions) < 0)
        return gt_order_nomem(err);
    g->regions[g->nregions++] = (gt_user_region){ev->args[0], name};
    return push(o, ev, t, cur, err);
}

int gt_order_user_region_end(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                             gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    gt_str name;
    gt_gstate *g = region_prologue(o, ev, t, cur, "EvUserRegionEnd", &name, err);
    if (!g)
        return -1;
    /* A region begun before tracing started ends without a begin: fine. */
    if (g->nregions) {
        gt_user_region top = g->regions[g->nregions - 1];
        uint64_t task = ev->args[0];
        if (top.task != task || top.name.len != name.len || memcmp(top.name.ptr, name.ptr, name.len) != 0)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                                "misuse of region in goroutine %lld: region end {%llu %.*s} when the inner-most "
                                "active region start event is {%llu %.*s}",
                                (long long)g->id, (unsigned long long)task, (int)name.len, name.ptr,
                                (unsigned long long)top.task, (int)top.name.len, top.name.ptr);
        g->nregions--;
    }
    return push(o, ev, t, cur, err);
}
