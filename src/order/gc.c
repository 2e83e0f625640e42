/* Ordering of GC events: the global GC cycle (GCBegin/GCActive/GCEnd,
 * ordered by the GC sequence number), sweeping on a P, mark assists and
 * stop-the-world on a goroutine, and heap metrics.
 *
 * "Active" events restate a range already in flight when a generation
 * starts; in the first generation they open it, since its begin event
 * predates the trace. */
#include "common/error.h"
#include "order/order.h"

static int push(gt_ordering *o, const gt_base_event *ev, gt_table *t, gt_sched_ctx ctx, gt_error *err)
{
    return gt_order_push(o, ev, t, ctx, err) < 0 ? -1 : 1;
}

static int invalid(gt_error *err, const char *msg) { return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s", msg); }

int gt_order_gc_active(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                       gt_sched_ctx *next, gt_error *err)
{
    uint64_t seq = ev->args[0];
    if (gen == o->initial_gen) {
        if (o->gc_state != GT_GC_UNDETERMINED)
            return invalid(err, "GCActive in the first generation isn't first GC event");
        o->gc_seq = seq;
        o->gc_state = GT_GC_RUNNING;
        return push(o, ev, t, cur, err);
    }
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state != GT_GC_RUNNING)
        return invalid(err, "encountered GCActive while GC was not in progress");
    o->gc_seq = seq;
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_gc_begin(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                      gt_sched_ctx *next, gt_error *err)
{
    uint64_t seq = ev->args[0];
    if (o->gc_state == GT_GC_UNDETERMINED) {
        o->gc_seq = seq;
        o->gc_state = GT_GC_RUNNING;
        return push(o, ev, t, cur, err);
    }
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state == GT_GC_RUNNING)
        return invalid(err, "encountered GCBegin while GC was already in progress");
    o->gc_seq = seq;
    o->gc_state = GT_GC_RUNNING;
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_gc_end(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                    gt_sched_ctx *next, gt_error *err)
{
    uint64_t seq = ev->args[0];
    if (seq != o->gc_seq + 1)
        return 0;
    if (o->gc_state == GT_GC_NOT_RUNNING)
        return invalid(err, "encountered GCEnd when GC was not in progress");
    if (o->gc_state == GT_GC_UNDETERMINED)
        return invalid(err, "encountered GCEnd when GC was in an undetermined state");
    o->gc_seq = seq;
    o->gc_state = GT_GC_NOT_RUNNING;
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_heap_metric(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                         gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

/* The P of cur; Go assumes it exists once a proc is required. */
static gt_pstate *current_p(gt_ordering *o, gt_sched_ctx cur, gt_error *err)
{
    gt_pstate *ps = gt_order_p(o, cur.p);
    if (!ps)
        gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "uninitialized proc %lld", (long long)cur.p);
    return ps;
}

int gt_order_gc_sweep_begin(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                            gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    gt_pstate *ps = current_p(o, cur, err);
    if (!ps || gt_range_begin(&ps->ranges, gt_make_range_type(ev->type, 0), err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_gc_sweep_active(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                             gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    int64_t pid = (int64_t)ev->args[0];
    gt_pstate *ps = gt_order_p(o, pid);
    if (!ps)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "encountered GCSweepActive for unknown proc %lld",
                            (long long)pid);
    if (gt_range_active(&ps->ranges, gt_make_range_type(ev->type, 0), gen == o->initial_gen, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_gc_sweep_end(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                          gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    gt_pstate *ps = current_p(o, cur, err);
    uint64_t desc;
    if (!ps || gt_range_end(&ps->ranges, ev->type, &desc, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

/* STWBegin, GCMarkAssistBegin: a range on the running goroutine. */
int gt_order_go_range_begin(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                            gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    uint64_t desc = ev->type == GT_EV_STW_BEGIN ? ev->args[0] : 0;
    gt_gstate *g = gt_order_g(o, cur.g);
    if (!g)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "encountered event of type %u without known state for current goroutine %lld", ev->type,
                            (long long)cur.g);
    if (gt_range_begin(&g->ranges, gt_make_range_type(ev->type, desc), err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_go_range_active(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                             gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    int64_t gid = (int64_t)ev->args[0];
    gt_gstate *g = gt_order_g(o, gid);
    if (!g)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "uninitialized goroutine %lld found during %s",
                            (long long)gid, gt_order_ev_name(o, ev->type, nb));
    if (gt_range_active(&g->ranges, gt_make_range_type(ev->type, 0), gen == o->initial_gen, err) < 0)
        return -1;
    return push(o, ev, t, cur, err);
}

int gt_order_go_range_end(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                          gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    gt_gstate *g = gt_order_g(o, cur.g);
    if (!g)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "encountered event of type %u without known state for current goroutine %lld", ev->type,
                            (long long)cur.g);
    uint64_t desc;
    if (gt_range_end(&g->ranges, ev->type, &desc, err) < 0)
        return -1;
    /* STWEnd carries the kind of the STWBegin it ends. */
    if (ev->type == GT_EV_STW_END)
        ev->args[0] = desc;
    return push(o, ev, t, cur, err);
}
