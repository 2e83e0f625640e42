/* Ordering of goroutine events: GoStatus(Stack), GoCreate(Blocked), GoStart,
 * GoStop/GoBlock/GoDestroy, GoUnblock, and coroutine switches (GoSwitch,
 * GoSwitchDestroy). A goroutine's sequence number orders GoStart, GoUnblock
 * and switches across Ms. */
#include "common/error.h"
#include "order/order.h"

/* Go's tracev2GoStatus2GoState. */
static int go_state_of(unsigned status)
{
    switch (status) {
    case GT_WGO_RUNNABLE: return GT_GO_RUNNABLE;
    case GT_WGO_RUNNING: return GT_GO_RUNNING;
    case GT_WGO_WAITING: return GT_GO_WAITING;
    case GT_WGO_SYSCALL: return GT_GO_SYSCALL;
    }
    return GT_GO_UNDETERMINED;
}

static int push(gt_ordering *o, const gt_base_event *ev, gt_table *t, gt_sched_ctx ctx, gt_error *err)
{
    return gt_order_push(o, ev, t, ctx, err) < 0 ? -1 : 1;
}

int gt_order_go_status(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                       gt_sched_ctx *next, gt_error *err)
{
    int64_t gid = (int64_t)ev->args[0];
    int64_t mid = (int64_t)ev->args[1];
    uint64_t status = ev->args[2];
    if (status > GT_WGO_WAITING)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "invalid status for goroutine %lld: %llu",
                            (long long)gid, (unsigned long long)status);
    int old_state = go_state_of((unsigned)status);
    gt_gstate *s = gt_order_g(o, gid);
    if (s) {
        if (s->status != status)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                                "inconsistent status for goroutine %lld: old %s vs. new %s", (long long)gid,
                                gt_wire_go_status_name(s->status), gt_wire_go_status_name((unsigned)status));
        s->seq = gt_make_seq(gen, 0);
    } else if (gen == o->initial_gen) {
        s = gt_order_new_g(o, gid);
        if (!s)
            return gt_order_nomem(err);
        s->status = (uint8_t)status;
        s->seq = gt_make_seq(gen, 0);
        old_state = GT_GO_UNDETERMINED;
    } else {
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "found goroutine status for new goroutine after the first generation: id=%lld status=%s",
                            (long long)gid, gt_wire_go_status_name((unsigned)status));
    }
    /* Packed old state and wire status, for StateTransition. */
    ev->args[2] = (uint64_t)old_state << 32 | status;

    switch (status) {
    case GT_WGO_RUNNING:
        next->g = gid;
        break;
    case GT_WGO_SYSCALL:
        if (mid == GT_NO_THREAD)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "found goroutine %lld in syscall without a thread",
                                (long long)gid);
        if (mid == cur.m) {
            if (gen != o->initial_gen && cur.g != gid)
                return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                                    "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
                                    (long long)gid, (long long)cur.g);
            next->g = gid;
            break;
        }
        /* The goroutine sits in a syscall on another M (one without a P,
         * which writes no batches): bind it there. */
        gt_mstate *ms = gt_order_m(o, mid);
        if (ms) {
            if (ms->g != gid)
                return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                                    "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
                                    (long long)gid, (long long)ms->g);
            cur.g = ms->g;
        } else {
            ms = gt_order_new_m(o, mid);
            if (!ms)
                return gt_order_nomem(err);
            ms->g = gid;
            ms->p = GT_NO_PROC;
        }
        cur.m = mid;
        break;
    }
    return push(o, ev, t, cur, err);
}

int gt_order_go_create(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                       gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    gt_gstate *creator = gt_order_g(o, cur.g);
    if (creator && creator->status != GT_WGO_RUNNING)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s event for goroutine that's not Running",
                            gt_order_ev_name(o, ev->type, nb));
    int64_t newg = (int64_t)ev->args[0];
    if (gt_order_g(o, newg))
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "tried to create goroutine (%lld) that already exists",
                            (long long)newg);
    gt_gstate *s = gt_order_new_g(o, newg);
    if (!s)
        return gt_order_nomem(err);
    s->status = ev->type == GT_EV_GO_CREATE_BLOCKED ? GT_WGO_WAITING : GT_WGO_RUNNABLE;
    s->seq = gt_make_seq(gen, 0);
    return push(o, ev, t, cur, err);
}

/* GoStop, GoBlock, GoDestroy: the running goroutine stops executing. */
int gt_order_go_stop_exec(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                          gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    gt_gstate *s = gt_order_g(o, cur.g);
    if (!s)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "event %s for goroutine (%lld) that doesn't exist",
                            gt_order_ev_name(o, ev->type, nb), (long long)cur.g);
    if (s->status != GT_WGO_RUNNING)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s event for goroutine that's not Running",
                            gt_order_ev_name(o, ev->type, nb));
    switch (ev->type) {
    case GT_EV_GO_DESTROY: s->exists = 0; break;
    case GT_EV_GO_STOP: s->status = GT_WGO_RUNNABLE; break;
    case GT_EV_GO_BLOCK: s->status = GT_WGO_WAITING; break;
    }
    next->g = GT_NO_GOROUTINE;
    return push(o, ev, t, cur, err);
}

int gt_order_go_start(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                      gt_sched_ctx *next, gt_error *err)
{
    int64_t gid = (int64_t)ev->args[0];
    gt_seq seq = gt_make_seq(gen, ev->args[1]);
    gt_gstate *s = gt_order_g(o, gid);
    if (!s || s->status != GT_WGO_RUNNABLE || !gt_seq_succeeds(seq, s->seq))
        return 0;
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_HAVE, GT_MUST_NOT_HAVE, err) < 0)
        return -1;
    s->status = GT_WGO_RUNNING;
    s->seq = seq;
    next->g = gid;
    return push(o, ev, t, cur, err);
}

int gt_order_go_unblock(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                        gt_sched_ctx *next, gt_error *err)
{
    int64_t gid = (int64_t)ev->args[0];
    gt_seq seq = gt_make_seq(gen, ev->args[1]);
    gt_gstate *s = gt_order_g(o, gid);
    if (!s || s->status != GT_WGO_WAITING || !gt_seq_succeeds(seq, s->seq))
        return 0;
    s->status = GT_WGO_RUNNABLE;
    s->seq = seq;
    return push(o, ev, t, cur, err);
}

/* GoSwitch / GoSwitchDestroy: a coroutine hands its M and P directly to
 * another goroutine. Emitted as the switch itself, then the current
 * goroutine blocking (or being destroyed), then the next one starting. */
int gt_order_go_switch(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                       gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    gt_gstate *cs = gt_order_g(o, cur.g);
    if (!cs)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "event %s for goroutine (%lld) that doesn't exist",
                            gt_order_ev_name(o, ev->type, nb), (long long)cur.g);
    if (cs->status != GT_WGO_RUNNING)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s event for goroutine that's not Running",
                            gt_order_ev_name(o, ev->type, nb));
    int64_t nextg = (int64_t)ev->args[0];
    gt_seq seq = gt_make_seq(gen, ev->args[1]); /* the next goroutine's sequence */
    gt_gstate *ns = gt_order_g(o, nextg);
    if (!ns || ns->status != GT_WGO_WAITING || !gt_seq_succeeds(seq, ns->seq))
        return 0;
    if (gt_order_push(o, ev, t, cur, err) < 0)
        return -1;
    gt_base_event extra = {0, ev->time, {0, 0, 0, 0}};
    if (ev->type == GT_EV_GO_SWITCH) {
        cs->status = GT_WGO_WAITING;
        extra.type = GT_EV_GO_BLOCK; /* no reason, no stack */
    } else {
        cs->exists = 0;
        extra.type = GT_EV_GO_DESTROY;
    }
    if (gt_order_push(o, &extra, t, cur, err) < 0)
        return -1;
    ns->status = GT_WGO_RUNNING;
    ns->seq = seq;
    next->g = nextg;
    gt_sched_ctx start_ctx = cur;
    start_ctx.g = GT_NO_GOROUTINE;
    gt_base_event start = {GT_EV_GO_START, ev->time, {(uint64_t)nextg, ev->args[1], 0, 0}};
    return push(o, &start, t, start_ctx, err);
}
