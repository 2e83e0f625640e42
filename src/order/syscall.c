/* Ordering of syscall events: GoSyscallBegin, GoSyscallEnd,
 * GoSyscallEndBlocked, GoCreateSyscall and GoDestroySyscall.
 *
 * A goroutine entering a syscall keeps its P in the Syscall state; the P may
 * be stolen meanwhile (ProcSteal). A thread created outside Go (cgo callback)
 * appears with GoCreateSyscall and vanishes with GoDestroySyscall; if it
 * held a P, that P is abandoned, and (Go change 6d7b3c8) the reader emits a
 * ProcSteal of the P by its own M right before the GoDestroySyscall, so the
 * P's state stays consistent. */
#include "common/error.h"
#include "order/order.h"

static int push(gt_ordering *o, const gt_base_event *ev, gt_table *t, gt_sched_ctx ctx, gt_error *err)
{
    return gt_order_push(o, ev, t, ctx, err) < 0 ? -1 : 1;
}

/* current_g's failure: the message for goroutine state s (NULL: none). Out
 * of line, so that the check costs the handlers nothing more. */
static __attribute__((noinline, cold)) gt_gstate *current_g_error(gt_ordering *o, const gt_base_event *ev,
                                                                  gt_sched_ctx cur, const gt_gstate *s,
                                                                  const char *want_name, gt_error *err)
{
    char nb[24];
    if (!s)
        gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "event %s for goroutine (%lld) that doesn't exist",
                     gt_order_ev_name(o, ev->type, nb), (long long)cur.g);
    else
        gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s event for goroutine that's not %s",
                     gt_order_ev_name(o, ev->type, nb), want_name);
    return NULL;
}

/* The running goroutine of cur when its status is want (Go's shared
 * checks); otherwise NULL and Go's error. */
static inline gt_gstate *current_g(gt_ordering *o, const gt_base_event *ev, gt_sched_ctx cur, unsigned want,
                                   const char *want_name, gt_error *err)
{
    gt_gstate *s = gt_order_g(o, cur.g);
    if (s && s->status == want)
        return s;
    return current_g_error(o, ev, cur, s, want_name, err);
}

int gt_order_go_syscall_begin(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                              gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    gt_gstate *s = current_g(o, ev, cur, GT_WGO_RUNNING, "Running", err);
    if (!s)
        return -1;
    s->status = GT_WGO_SYSCALL;
    gt_pstate *ps = gt_order_p(o, cur.p);
    if (!ps)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "uninitialized proc %lld found during %s",
                            (long long)cur.p, gt_order_ev_name(o, ev->type, nb));
    ps->status = GT_WPROC_SYSCALL;
    /* The P's sequence number advances too: a later ProcSteal must follow. */
    gt_seq pseq = gt_make_seq(gen, ev->args[0]);
    if (!gt_seq_succeeds(pseq, ps->seq))
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu (gen=%llu)",
                            gt_order_ev_name(o, ev->type, nb), (unsigned long long)ps->seq.seq,
                            (unsigned long long)ps->seq.gen, (unsigned long long)pseq.seq,
                            (unsigned long long)pseq.gen);
    ps->seq = pseq;
    return push(o, ev, t, cur, err);
}

int gt_order_go_syscall_end(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                            gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    if (gt_validate_user_go(cur, err) < 0)
        return -1;
    /* Go's message names Running here although Syscall is checked. */
    gt_gstate *s = current_g(o, ev, cur, GT_WGO_SYSCALL, "Running", err);
    if (!s)
        return -1;
    s->status = GT_WGO_RUNNING;
    gt_pstate *ps = gt_order_p(o, cur.p);
    if (!ps)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "uninitialized proc %lld found during %s",
                            (long long)cur.p, gt_order_ev_name(o, ev->type, nb));
    if (ps->status != GT_WPROC_SYSCALL)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "expected proc %lld in state Syscall, but got %s instead",
                            (long long)cur.p, gt_wire_proc_status_name(ps->status));
    ps->status = GT_WPROC_RUNNING;
    return push(o, ev, t, cur, err);
}

int gt_order_go_syscall_end_blocked(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                                    gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    /* If the M still has its P in Syscall, the ProcSteal that took it has
     * not been ordered yet: wait for it. */
    if (cur.p != GT_NO_PROC) {
        gt_pstate *ps = gt_order_p(o, cur.p);
        if (!ps)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "uninitialized proc %lld found during %s",
                                (long long)cur.p, gt_order_ev_name(o, ev->type, nb));
        if (ps->status == GT_WPROC_SYSCALL)
            return 0;
    }
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MAY_HAVE, GT_MUST_HAVE, err) < 0)
        return -1;
    gt_gstate *s = current_g(o, ev, cur, GT_WGO_SYSCALL, "Running", err);
    if (!s)
        return -1;
    next->g = GT_NO_GOROUTINE;
    s->status = GT_WGO_RUNNABLE;
    return push(o, ev, t, cur, err);
}

int gt_order_go_create_syscall(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                               gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MAY_HAVE, GT_MUST_NOT_HAVE, err) < 0)
        return -1;
    int64_t newg = (int64_t)ev->args[0];
    if (gt_order_g(o, newg))
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "tried to create goroutine (%lld) in syscall that already exists", (long long)newg);
    gt_gstate *s = gt_order_new_g(o, newg);
    if (!s)
        return gt_order_nomem(err);
    s->status = GT_WGO_SYSCALL;
    s->seq = gt_make_seq(gen, 0);
    next->g = newg;
    return push(o, ev, t, cur, err);
}

int gt_order_go_destroy_syscall(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen,
                                gt_sched_ctx cur, gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MAY_HAVE, GT_MUST_HAVE, err) < 0)
        return -1;
    gt_gstate *s = current_g(o, ev, cur, GT_WGO_SYSCALL, "Syscall", err);
    if (!s)
        return -1;
    s->exists = 0;
    next->g = GT_NO_GOROUTINE;
    if (cur.p != GT_NO_PROC) {
        gt_pstate *ps = gt_order_p(o, cur.p);
        if (!ps)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "found invalid proc %lld during %s",
                                (long long)cur.p, gt_order_ev_name(o, ev->type, nb));
        if (ps->status != GT_WPROC_SYSCALL)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "proc %lld in unexpected state %s during %s",
                                (long long)cur.p, gt_wire_proc_status_name(ps->status),
                                gt_order_ev_name(o, ev->type, nb));
        /* The dying thread abandons its P: it steals it from itself. */
        ps->status = GT_WPROC_SYSCALL_ABANDONED;
        next->p = GT_NO_PROC;
        gt_base_event steal = {GT_EV_PROC_STEAL, ev->time, {(uint64_t)cur.p, 0, 0, GT_WPROC_SYSCALL}};
        if (gt_order_push(o, &steal, t, cur, err) < 0)
            return -1;
    }
    return push(o, ev, t, cur, err);
}
