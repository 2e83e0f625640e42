/* Ordering of proc (P) events: ProcStatus, ProcStart, ProcStop, ProcSteal.
 *
 * A P's sequence number orders its start/steal events across Ms: a ProcStart
 * or ProcSteal can only happen once the P's previous transition (with
 * sequence number one less, in the same generation) has been ordered. */
#include "common/error.h"
#include "order/order.h"

/* Go's tracev2ProcStatus2ProcState. */
static int proc_state_of(unsigned status)
{
    switch (status) {
    case GT_WPROC_RUNNING: case GT_WPROC_SYSCALL: return GT_PROC_RUNNING;
    case GT_WPROC_IDLE: case GT_WPROC_SYSCALL_ABANDONED: return GT_PROC_IDLE;
    }
    return GT_PROC_UNDETERMINED;
}

int gt_order_proc_status(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                         gt_sched_ctx *next, gt_error *err)
{
    int64_t pid = (int64_t)ev->args[0];
    uint64_t status = ev->args[1];
    if (status > GT_WPROC_SYSCALL_ABANDONED)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "invalid status for proc %lld: %llu", (long long)pid,
                            (unsigned long long)status);
    int old_state = proc_state_of((unsigned)status);
    gt_pstate *s = gt_order_p(o, pid);
    if (s) {
        if (status == GT_WPROC_SYSCALL_ABANDONED && s->status == GT_WPROC_SYSCALL) {
            /* The P was in a syscall with its M, and the M has since lost it
             * without a trace of the steal: it was running. */
            old_state = GT_PROC_RUNNING;
            ev->args[1] = GT_WPROC_SYSCALL;
        } else if (status == GT_WPROC_SYSCALL_ABANDONED && s->status == GT_WPROC_SYSCALL_ABANDONED) {
            old_state = GT_PROC_IDLE;
            ev->args[1] = GT_WPROC_SYSCALL_ABANDONED;
        } else if (s->status != status) {
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "inconsistent status for proc %lld: old %s vs. new %s",
                                (long long)pid, gt_wire_proc_status_name(s->status),
                                gt_wire_proc_status_name((unsigned)status));
        }
        s->seq = gt_make_seq(gen, 0);
    } else {
        s = gt_order_new_p(o, pid);
        if (!s)
            return gt_order_nomem(err);
        s->status = (uint8_t)status;
        s->seq = gt_make_seq(gen, 0);
        old_state = gen == o->initial_gen ? GT_PROC_UNDETERMINED : GT_PROC_NOT_EXIST;
    }
    ev->args[2] = (uint64_t)old_state; /* the extra slot: the old state, for StateTransition */

    if (status == GT_WPROC_RUNNING || status == GT_WPROC_SYSCALL)
        next->p = pid;
    if (status == GT_WPROC_SYSCALL_ABANDONED && old_state == GT_PROC_RUNNING) {
        /* The steal happens on behalf of the M that held the P: find it. */
        int found = 0;
        for (size_t i = 0; i < gt_order_nm(o); i++) {
            gt_mstate *ms = gt_order_m_at(o, i);
            if (ms->p == pid) {
                cur.m = ms->id;
                cur.p = pid;
                cur.g = ms->g;
                found = 1;
            }
        }
        if (!found)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                                "failed to find sched context for proc %lld that's about to be stolen", (long long)pid);
    }
    if (gt_order_push(o, ev, t, cur, err) < 0)
        return -1;
    return 1;
}

int gt_order_proc_start(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                        gt_sched_ctx *next, gt_error *err)
{
    int64_t pid = (int64_t)ev->args[0];
    gt_seq seq = gt_make_seq(gen, ev->args[1]);
    gt_pstate *s = gt_order_p(o, pid);
    if (!s || s->status != GT_WPROC_IDLE || !gt_seq_succeeds(seq, s->seq) || cur.p != GT_NO_PROC)
        return 0; /* not yet: the P's previous transition comes first */
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_NOT_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    s->status = GT_WPROC_RUNNING;
    s->seq = seq;
    next->p = pid;
    return gt_order_push(o, ev, t, cur, err) < 0 ? -1 : 1;
}

int gt_order_proc_stop(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                       gt_sched_ctx *next, gt_error *err)
{
    char nb[24];
    gt_pstate *s = gt_order_p(o, cur.p);
    if (!s)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "event %s for proc (%lld) that doesn't exist",
                            gt_order_ev_name(o, ev->type, nb), (long long)cur.p);
    if (s->status != GT_WPROC_RUNNING && s->status != GT_WPROC_SYSCALL)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "%s event for proc that's not Running or Syscall",
                            gt_order_ev_name(o, ev->type, nb));
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MUST_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    s->status = GT_WPROC_IDLE;
    next->p = GT_NO_PROC;
    return gt_order_push(o, ev, t, cur, err) < 0 ? -1 : 1;
}

int gt_order_proc_steal(gt_ordering *o, gt_base_event *ev, gt_table *t, int64_t m, uint64_t gen, gt_sched_ctx cur,
                        gt_sched_ctx *next, gt_error *err)
{
    int64_t pid = (int64_t)ev->args[0];
    gt_seq seq = gt_make_seq(gen, ev->args[1]);
    gt_pstate *s = gt_order_p(o, pid);
    if (!s || (s->status != GT_WPROC_SYSCALL && s->status != GT_WPROC_SYSCALL_ABANDONED) ||
        !gt_seq_succeeds(seq, s->seq))
        return 0;
    if (gt_validate_ctx(cur, GT_MUST_HAVE, GT_MAY_HAVE, GT_MAY_HAVE, err) < 0)
        return -1;
    uint8_t old_status = s->status;
    ev->args[3] = old_status; /* the extra slot: tells StateTransition whether the P was running */
    s->status = GT_WPROC_IDLE;
    s->seq = seq;

    /* An abandoned P (its M left the syscall without it) has no M to take
     * it from. */
    if (old_status == GT_WPROC_SYSCALL_ABANDONED)
        return gt_order_push(o, ev, t, cur, err) < 0 ? -1 : 1;

    int64_t mid = (int64_t)ev->args[2];
    if (mid == cur.m) {
        if (cur.p != pid)
            return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                                "tried to self-steal proc %lld (thread %lld), but got proc %lld instead", (long long)pid,
                                (long long)mid, (long long)cur.p);
        next->p = GT_NO_PROC;
        return gt_order_push(o, ev, t, cur, err) < 0 ? -1 : 1;
    }
    gt_mstate *ms = gt_order_m(o, mid);
    if (!ms)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET, "stole proc from non-existent thread %lld", (long long)mid);
    if (ms->p != pid)
        return gt_error_set(err, GT_ERR_INVALID, GT_NO_OFFSET,
                            "tried to steal proc %lld from thread %lld, but got proc %lld instead", (long long)pid,
                            (long long)mid, (long long)ms->p);
    ms->p = GT_NO_PROC;
    return gt_order_push(o, ev, t, cur, err) < 0 ? -1 : 1;
}
